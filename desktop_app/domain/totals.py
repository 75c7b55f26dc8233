"""Item and document amounts with IVA included in the price.

SIFEN MT v150 E8.1.1 EA008 (dTotOpeItem): item total = precio unitario x cantidad
(Lote does not model discounts or advances). E8.2, as amended by Nota Técnica 13 (in
force since 2023-06-17), for ivaTipo 1 (gravado) and 4 (gravado parcial), with
T = EA008, p = E733 dPropIVA (ivaBase) and r = E734 dTasaIVA (iva):

- E735 dBasGravIVA = 100·T·p / (10000 + r·p)
- E736 dLiqIVAItem = E735 · r / 100 = T·p·r / (10000 + r·p)
- E737 dBasExe     = 100·T·(100 − p) / (10000 + r·p)

For p = 100 these are the familiar T/1.1 and T/11 at 10 % (T/1.05 and T/21 at 5 %):
110 000 at 10 % -> base 100 000, IVA 10 000. For gravado parcial the price holds IVA
only on the taxed share, so the exenta part is *not* T·(100 − p)/100: 100 000 at
10 % with p = 30 -> base 29 126, IVA 2 913, exenta 67 961.

Rounding: amounts are quantized to the currency (PYG: integers), half-up. IVA and the
exenta part are rounded and the base gravada is what is left, so base + IVA + exenta
always adds up to the total exactly. Document totals (SIFEN F: dSub10, dIVA10,
dBaseGrav10, ...) add the *unrounded* item values and round once, as the providers do
when they build the XML; they can therefore differ by one unit from the sum of the
rounded item amounts shown per line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from desktop_app.domain.document import Document, Item, Payment
from desktop_app.domain.money import quantize

#: ivaTipo values that carry IVA (SIFEN MT v150 E731: 1 gravado IVA, 4 gravado parcial).
GRAVADO_TIPOS = frozenset({1, 4})
IVA_RATES = frozenset({5, 10})
PAGO_EFECTIVO = 1

_ZERO = Decimal(0)


@dataclass(frozen=True)
class ItemAmounts:
    total: Decimal
    gravada: Decimal
    iva: Decimal
    exenta: Decimal
    rate: int


@dataclass(frozen=True)
class Totals:
    """Document amounts.

    `subtotal_10` / `subtotal_5` are SIFEN's dSub10 / dSub5: the whole totals of the
    items at that rate (their exenta share included for gravado parcial);
    `gravada_*` are dBaseGrav10 / dBaseGrav5 and `iva_*` dIVA10 / dIVA5; `exenta` adds
    exento and exonerado items and the exenta share of gravado parcial items. `total`
    is before the optional rounding to 50 Gs (money.round_down_to_50), and
    total == gravada_10 + iva_10 + gravada_5 + iva_5 + exenta.
    """

    total: Decimal
    gravada_10: Decimal
    gravada_5: Decimal
    iva_10: Decimal
    iva_5: Decimal
    exenta: Decimal
    iva_total: Decimal
    subtotal_10: Decimal
    subtotal_5: Decimal
    items: tuple[ItemAmounts, ...]


def _is_gravado(item: Item) -> bool:
    return item.iva_tipo in GRAVADO_TIPOS and item.iva in IVA_RATES


def item_total(item: Item, currency: str = "PYG") -> Decimal:
    """EA008: cantidad x precio unitario, quantized to the currency."""
    return quantize(item.cantidad * item.precio_unitario, currency)


def _exact_iva_and_exenta(item: Item, total: Decimal) -> tuple[Decimal, Decimal]:
    """Unrounded (E736, E737) per NT 13. Items that carry no IVA (exento, exonerado, or
    an invalid rate that validation reports) are wholly exentas."""
    if not _is_gravado(item):
        return _ZERO, total
    p = Decimal(min(max(item.iva_base, 0), 100))
    r = Decimal(item.iva)
    denominator = 10000 + r * p
    return total * p * r / denominator, 100 * total * (100 - p) / denominator


def item_amounts(item: Item, currency: str = "PYG") -> ItemAmounts:
    total = item_total(item, currency)
    exact_iva, exact_exenta = _exact_iva_and_exenta(item, total)
    iva = quantize(exact_iva, currency)
    exenta = quantize(exact_exenta, currency)
    return ItemAmounts(
        total=total,
        gravada=total - iva - exenta,
        iva=iva,
        exenta=exenta,
        rate=item.iva if _is_gravado(item) else 0,
    )


#: The last document's totals and what they were computed from (see `document_totals`).
_last_totals: tuple[tuple[object, ...], Totals] | None = None


def _totals_key(doc: Document) -> tuple[object, ...]:
    """Everything the totals depend on: the currency and each item's amounts and IVA."""
    return (doc.moneda, *[(i.cantidad, i.precio_unitario, i.iva_tipo, i.iva_base, i.iva)
                          for i in doc.items])


def document_totals(doc: Document) -> Totals:
    """The document's totals (SIFEN F).

    Preparing, validating and summarising one document each ask for its totals, one
    right after the other (BENCHMARKS.md, import: about 7 times per document). The last
    answer is kept with the values it was computed from and given again when they are
    equal: a key compared by value, so a document changed in between (or another
    document with other amounts) is computed afresh. `Totals` is immutable, so sharing
    it is safe; one slot, replaced as a whole, is safe across threads too."""
    global _last_totals
    key = _totals_key(doc)
    last = _last_totals
    if last is not None and last[0] == key:
        return last[1]
    totals = _compute_totals(doc)
    _last_totals = (key, totals)
    return totals


def _compute_totals(doc: Document) -> Totals:
    currency = doc.moneda
    subtotal = {5: _ZERO, 10: _ZERO}
    iva = {5: _ZERO, 10: _ZERO}
    exenta_share = {5: _ZERO, 10: _ZERO}
    exenta_items = _ZERO
    total = _ZERO
    amounts = []
    for item in doc.items:
        t = item_total(item, currency)
        total += t
        exact_iva, exact_exenta = _exact_iva_and_exenta(item, t)
        gravado = _is_gravado(item)
        if gravado:
            subtotal[item.iva] += t
            iva[item.iva] += exact_iva
            exenta_share[item.iva] += exact_exenta
        else:
            exenta_items += t
        # As item_amounts(item, currency), from the values just computed.
        item_iva = quantize(exact_iva, currency)
        item_exenta = quantize(exact_exenta, currency)
        amounts.append(ItemAmounts(total=t, gravada=t - item_iva - item_exenta, iva=item_iva,
                                   exenta=item_exenta, rate=item.iva if gravado else 0))
    iva_q = {rate: quantize(amount, currency) for rate, amount in iva.items()}
    exenta_q = {rate: quantize(amount, currency) for rate, amount in exenta_share.items()}
    gravada = {rate: subtotal[rate] - iva_q[rate] - exenta_q[rate] for rate in subtotal}
    return Totals(
        total=total,
        gravada_10=gravada[10],
        gravada_5=gravada[5],
        iva_10=iva_q[10],
        iva_5=iva_q[5],
        exenta=exenta_items + exenta_q[5] + exenta_q[10],
        iva_total=iva_q[10] + iva_q[5],
        subtotal_10=subtotal[10],
        subtotal_5=subtotal[5],
        items=tuple(amounts),
    )


def cash_payments(doc: Document) -> list[Payment]:
    """The payments of `doc` once prepared: one in cash for its total when it is contado
    and names none (see `with_cash_payment`), otherwise a copy of its own."""
    if doc.condicion_tipo == 1 and not doc.entregas:
        return [Payment(tipo=PAGO_EFECTIVO, monto=document_totals(doc).total, moneda=doc.moneda)]
    return list(doc.entregas)


def with_cash_payment(doc: Document) -> Document:
    """A copy of `doc` paid in cash for its total when it is contado and has no
    payments yet: SIFEN MT v150 E7.1 requires the payments of a cash sale, and a
    cashier saving an ordinary sale should not have to type them."""
    return replace(doc, entregas=cash_payments(doc))
