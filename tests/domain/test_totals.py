"""IVA included in the price (SIFEN MT v150 E8.2 as amended by NT 13), worked examples."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from desktop_app.domain.document import Customer, Document, Item, Payment
from desktop_app.domain.totals import ItemAmounts, document_totals, item_amounts, with_cash_payment

D = Decimal


def _item(
    total: int | str, iva: int = 10, iva_tipo: int = 1, iva_base: int = 100, cantidad: str = "1"
) -> Item:
    return Item(
        descripcion="Producto",
        cantidad=D(cantidad),
        precio_unitario=D(total),
        iva_tipo=iva_tipo,
        iva_base=iva_base,
        iva=iva,
    )


def _document(items: list[Item], moneda: str = "PYG", **kwargs: object) -> Document:
    return Document(
        cliente=Customer(contribuyente=False, razon_social="Sin Nombre", documento_tipo=5),
        items=items,
        fecha=datetime(2024, 5, 2, 9, 30),
        moneda=moneda,
        **kwargs,  # type: ignore[arg-type]
    )


def test_ten_percent_iva_included_in_110000_is_10000() -> None:
    assert item_amounts(_item(110000)) == ItemAmounts(
        total=D(110000), gravada=D(100000), iva=D(10000), exenta=D(0), rate=10
    )


def test_five_percent_iva_included_in_105000_is_5000() -> None:
    assert item_amounts(_item(105000, iva=5)) == ItemAmounts(
        total=D(105000), gravada=D(100000), iva=D(5000), exenta=D(0), rate=5
    )


def test_iva_of_100000_at_ten_percent_rounds_half_up_to_9091() -> None:
    # 100000 / 11 = 9090.909...
    amounts = item_amounts(_item(100000))
    assert (amounts.gravada, amounts.iva) == (D(90909), D(9091))


def test_exento_item_is_wholly_exenta() -> None:
    assert item_amounts(_item(50000, iva=0, iva_tipo=3, iva_base=0)) == ItemAmounts(
        total=D(50000), gravada=D(0), iva=D(0), exenta=D(50000), rate=0
    )


def test_exonerado_item_is_wholly_exenta_too() -> None:
    amounts = item_amounts(_item(50000, iva=0, iva_tipo=2, iva_base=0))
    assert (amounts.exenta, amounts.iva, amounts.rate) == (D(50000), D(0), 0)


def test_gravado_parcial_30_percent_follows_nt13_not_a_plain_split() -> None:
    # E735 = 100*T*p / (10000 + r*p) = 300_000_000 / 10300      -> 29126.21
    # E736 = T*p*r / (10000 + r*p) = 30_000_000 / 10300          -> 2912.62 -> 2913
    # E737 = 100*T*(100-p) / (10000 + r*p) = 700_000_000 / 10300 -> 67961.17 -> 67961
    amounts = item_amounts(_item(100000, iva_tipo=4, iva_base=30))
    assert amounts == ItemAmounts(
        total=D(100000), gravada=D(29126), iva=D(2913), exenta=D(67961), rate=10
    )


def test_item_parts_always_add_up_to_the_item_total() -> None:
    for total in (1, 7, 99, 1001, 123457, 9999999):
        for iva_tipo, iva, base in ((1, 10, 100), (1, 5, 100), (4, 10, 30), (4, 5, 55)):
            a = item_amounts(_item(total, iva=iva, iva_tipo=iva_tipo, iva_base=base))
            assert a.gravada + a.iva + a.exenta == a.total


def test_quantity_10_5_times_10800_at_five_percent() -> None:
    # FacturaSend's example item: 10.5 x 10800 = 113400; 113400 / 21 = 5400
    amounts = item_amounts(_item(10800, iva=5, cantidad="10.5"))
    assert amounts == ItemAmounts(
        total=D(113400), gravada=D(108000), iva=D(5400), exenta=D(0), rate=5
    )


def test_guarani_item_total_rounds_half_up() -> None:
    assert item_amounts(_item(1001, cantidad="0.5")).total == D(501)  # 500.5 -> 501


def test_dollar_amounts_keep_two_decimals() -> None:
    amounts = item_amounts(_item("1.15", cantidad="10"), currency="USD")
    assert (amounts.total, amounts.iva, amounts.gravada) == (D("11.50"), D("1.05"), D("10.45"))


def test_mixed_document_totals() -> None:
    doc = _document(
        [
            _item(110000),  # 10 %
            _item(105000, iva=5),  # 5 %
            _item(50000, iva=0, iva_tipo=3, iva_base=0),  # exento
            _item(100000, iva_tipo=4, iva_base=30),  # gravado parcial 30 % at 10 %
        ]
    )
    t = document_totals(doc)
    assert t.total == D(365000)
    assert t.subtotal_10 == D(210000)
    assert t.subtotal_5 == D(105000)
    assert t.iva_10 == D(12913)  # 10000 + 2912.62, rounded once
    assert t.iva_5 == D(5000)
    assert t.iva_total == D(17913)
    assert t.gravada_10 == D(129126)  # 100000 + 29126.21
    assert t.gravada_5 == D(100000)
    assert t.exenta == D(117961)  # 50000 + 67961.17
    assert t.gravada_10 + t.iva_10 + t.gravada_5 + t.iva_5 + t.exenta == t.total
    assert len(t.items) == 4 and t.items[0].iva == D(10000)


def test_document_iva_adds_unrounded_item_values_and_rounds_once() -> None:
    # three items of 5 Gs at 10 %: 0.4545 each -> 0 per line, but 1.36 -> 1 in total
    doc = _document([_item(5), _item(5), _item(5)])
    t = document_totals(doc)
    assert [a.iva for a in t.items] == [D(0), D(0), D(0)]
    assert t.iva_10 == D(1)
    assert t.gravada_10 == D(14)


def test_document_without_items_totals_zero() -> None:
    t = document_totals(_document([]))
    assert t.total == D(0) and t.iva_total == D(0) and t.items == ()


def test_cash_sale_without_payments_gets_one_cash_payment_for_the_total() -> None:
    doc = _document([_item(110000), _item(105000, iva=5)])
    paid = with_cash_payment(doc)
    assert paid.entregas == [Payment(tipo=1, monto=D(215000), moneda="PYG")]
    assert doc.entregas == []  # the original is untouched


def test_cash_payment_uses_the_document_currency() -> None:
    paid = with_cash_payment(_document([_item("11.50")], moneda="USD"))
    assert paid.entregas == [Payment(tipo=1, monto=D("11.50"), moneda="USD")]


def test_existing_payments_and_credit_sales_are_left_alone() -> None:
    card = Payment(tipo=3, monto=D(110000))
    with_card = _document([_item(110000)], entregas=[card])
    assert with_cash_payment(with_card).entregas == [card]
    credit = _document([_item(110000)], condicion_tipo=2, credito={"tipo": 1, "plazo": "30 días"})
    assert with_cash_payment(credit).entregas == []


def test_totals_asked_again_for_a_changed_document_are_computed_again() -> None:
    """document_totals keeps its last answer for the same amounts (prepare, validate and
    summary ask one after the other); any other amounts are computed afresh."""
    doc = _document([_item(110000), _item(52500, iva=5)])
    first = document_totals(doc)
    assert document_totals(doc) is first
    assert document_totals(_document([_item(110000), _item(52500, iva=5)])) is first  # equal
    doc.items[0].cantidad = D(2)
    assert document_totals(doc).total == D(272500)
    doc.items[1].iva_tipo, doc.items[1].iva, doc.items[1].iva_base = 3, 0, 0
    assert document_totals(doc).iva_total == D(20000)
    assert document_totals(_document(doc.items, moneda="USD")).total == D(272500)
    assert document_totals(doc).items == tuple(item_amounts(i) for i in doc.items)
