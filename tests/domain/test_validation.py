"""Business rules of a DE: every broken rule is reported, with its JSON path."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from desktop_app.domain.document import Customer, Document, Item, Payment
from desktop_app.domain.validation import ValidationError, validate_document

NOW = datetime(2024, 5, 2, 10, 0)
D = Decimal


def _valid(**kwargs: object) -> Document:
    doc = Document(
        cliente=Customer(
            contribuyente=True,
            razon_social="Marcos Adrian Jara Rodriguez",
            ruc="2005001-1",
            tipo_contribuyente=1,
        ),
        items=[Item(descripcion="Producto", cantidad=D(2), precio_unitario=D(55000))],
        fecha=NOW - timedelta(minutes=5),
        numero=1,
        codigo_seguridad="123456789",
        entregas=[Payment(tipo=1, monto=D(110000))],
    )
    return replace(doc, **kwargs)  # type: ignore[arg-type]


def _customer(**kwargs: object) -> Customer:
    return replace(_valid().cliente, **kwargs)  # type: ignore[arg-type]


def _item(**kwargs: object) -> Item:
    return replace(_valid().items[0], **kwargs)  # type: ignore[arg-type]


def _fields(doc: Document) -> list[str]:
    return [e.field for e in validate_document(doc, now=NOW)]


def _only(doc: Document) -> ValidationError:
    errors = validate_document(doc, now=NOW)
    assert len(errors) == 1, errors
    return errors[0]


def test_a_correct_factura_has_no_errors() -> None:
    assert validate_document(_valid(), now=NOW) == []


def test_a_document_with_several_problems_reports_all_of_them() -> None:
    doc = _valid(
        tipo_documento=2,
        cliente=_customer(ruc="2005001-2", razon_social="Jo"),
        items=[_item(cantidad=D(0)), _item(precio_unitario=D("-1"))],
    )
    assert _fields(doc) == [
        "tipoDocumento",
        "cliente.razonSocial",
        "cliente.ruc",
        "items[0].cantidad",
        "items[1].precioUnitario",
    ]


# --- header -----------------------------------------------------------------------


@pytest.mark.parametrize("tipo", [0, 2, 3, 8])
def test_tipo_documento_must_be_one_sifen_issues(tipo: int) -> None:
    assert _only(_valid(tipo_documento=tipo)).field == "tipoDocumento"


@pytest.mark.parametrize("tipo", [1, 4, 5, 6, 7])
def test_every_supported_tipo_documento_is_accepted(tipo: int) -> None:
    assert "tipoDocumento" not in _fields(_valid(tipo_documento=tipo))


@pytest.mark.parametrize("value", ["000", "1", "1000", "0a1", ""])
def test_establecimiento_has_three_digits_from_001(value: str) -> None:
    error = _only(_valid(establecimiento=value))
    assert error.field == "establecimiento"
    assert error.message.startswith("Establecimiento:")


def test_punto_has_three_digits_from_001() -> None:
    error = _only(_valid(punto="000"))
    assert error.field == "punto"
    assert "Punto de expedición" in error.message


@pytest.mark.parametrize("numero", [0, 10_000_000, -5])
def test_numero_is_between_1_and_9999999(numero: int) -> None:
    assert _only(_valid(numero=numero)).field == "numero"


def test_document_without_number_yet_is_fine() -> None:
    assert validate_document(_valid(numero=None), now=NOW) == []


def test_currency_must_be_known() -> None:
    doc = _valid(moneda="XYZ", entregas=[Payment(1, D(110000), "XYZ")])
    assert _fields(doc) == ["moneda", "condicion.entregas[0].moneda"]


@pytest.mark.parametrize(
    ("field_name", "attr", "value"),
    [
        ("tipoEmision", "tipo_emision", 3),
        ("tipoTransaccion", "tipo_transaccion", 14),
        ("tipoImpuesto", "tipo_impuesto", 6),
    ],
)
def test_header_codes_must_be_sifen_codes(field_name: str, attr: str, value: int) -> None:
    assert _only(_valid(**{attr: value})).field == field_name


@pytest.mark.parametrize("code", ["12345678a", "1234567890", "000000000", ""])
def test_security_code_is_up_to_nine_digits(code: str) -> None:
    assert _only(_valid(codigo_seguridad=code)).field == "codigoSeguridadAleatorio"


def test_short_security_code_is_accepted_because_providers_left_pad_it() -> None:
    assert validate_document(_valid(codigo_seguridad="298398"), now=NOW) == []


def test_fecha_more_than_ten_minutes_ahead_is_refused() -> None:
    error = _only(_valid(fecha=NOW + timedelta(minutes=11)))
    assert error.field == "fecha"
    assert "10 minutos" in error.message


def test_fecha_a_few_minutes_ahead_is_tolerated_as_clock_drift() -> None:
    assert validate_document(_valid(fecha=NOW + timedelta(minutes=9)), now=NOW) == []


def test_fecha_before_2019_is_refused() -> None:
    assert _only(_valid(fecha=datetime(2018, 12, 31, 23, 59))).field == "fecha"


def test_old_fecha_after_2019_is_left_to_the_provider() -> None:
    assert validate_document(_valid(fecha=datetime(2020, 1, 1)), now=NOW) == []


def test_fecha_with_a_time_zone_is_compared_in_the_same_zone() -> None:
    py = timezone(timedelta(hours=-3))
    now = datetime(2024, 5, 2, 13, 0, tzinfo=UTC)  # 10:00 in Paraguay
    ahead = datetime(2024, 5, 2, 10, 30, tzinfo=py)
    assert [e.field for e in validate_document(_valid(fecha=ahead), now=now)] == ["fecha"]


# --- cliente ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "Ana", "   Ana  ", "x" * 256])
def test_razon_social_has_4_to_255_characters(name: str) -> None:
    error = _only(_valid(cliente=_customer(razon_social=name)))
    assert error.field == "cliente.razonSocial"
    assert "4 y 255" in error.message


def test_contribuyente_needs_a_ruc() -> None:
    error = _only(_valid(cliente=_customer(ruc=None)))
    assert error.field == "cliente.ruc"
    assert error.message.startswith("RUC del cliente:")


def test_wrong_ruc_check_digit_names_the_expected_digit() -> None:
    error = _only(_valid(cliente=_customer(ruc="2005001-2")))
    assert error.field == "cliente.ruc"
    assert "debe ser 1" in error.message


def test_contribuyente_needs_tipo_contribuyente() -> None:
    assert _only(_valid(cliente=_customer(tipo_contribuyente=None))).field == (
        "cliente.tipoContribuyente"
    )


def test_tipo_operacion_is_b2b_b2c_b2g_or_b2f() -> None:
    assert _only(_valid(cliente=_customer(tipo_operacion=5))).field == "cliente.tipoOperacion"


def _persona(**kwargs: object) -> Customer:
    base = Customer(
        contribuyente=False,
        razon_social="Juana Pérez",
        documento_tipo=1,
        documento_numero="1234567",
        tipo_operacion=2,
    )
    return replace(base, **kwargs)  # type: ignore[arg-type]


def test_customer_with_cedula_is_accepted() -> None:
    assert validate_document(_valid(cliente=_persona()), now=NOW) == []


@pytest.mark.parametrize("tipo", [None, 0, 7, 8, 10])
def test_non_contribuyente_needs_a_sifen_document_type(tipo: int | None) -> None:
    assert _only(_valid(cliente=_persona(documento_tipo=tipo))).field == "cliente.documentoTipo"


def test_cedula_paraguaya_has_only_digits() -> None:
    error = _only(_valid(cliente=_persona(documento_numero="1.234.567")))
    assert error.field == "cliente.documentoNumero"
    assert "solo dígitos" in error.message


def test_passport_may_have_letters() -> None:
    doc = _valid(cliente=_persona(documento_tipo=2, documento_numero="AB123456"))
    assert validate_document(doc, now=NOW) == []


@pytest.mark.parametrize("numero", [None, "", "1" * 21])
def test_document_number_has_1_to_20_characters(numero: str | None) -> None:
    doc = _valid(cliente=_persona(documento_tipo=2, documento_numero=numero))
    assert _only(doc).field == "cliente.documentoNumero"


def test_innominado_may_have_no_number() -> None:
    doc = _valid(
        cliente=_persona(documento_tipo=5, documento_numero=None, razon_social="Sin Nombre")
    )
    assert validate_document(doc, now=NOW) == []


# --- items ------------------------------------------------------------------------


def test_at_least_one_item() -> None:
    doc = _valid(items=[], entregas=[])
    assert "items" in _fields(doc)


def test_at_most_999_items() -> None:
    items = [_item(precio_unitario=D(1), cantidad=D(1))] * 1000
    doc = _valid(items=items, entregas=[Payment(1, D(1000))])
    assert _only(doc).field == "items"


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_item_description_has_1_to_2000_characters(text: str) -> None:
    error = _only(_valid(items=[_item(descripcion=text)]))
    assert error.field == "items[0].descripcion"
    assert error.message.startswith("Descripción del ítem 1:")


@pytest.mark.parametrize("cantidad", ["0", "-1"])
def test_cantidad_must_be_greater_than_zero(cantidad: str) -> None:
    error = _only(_valid(items=[_item(cantidad=D(cantidad))]))
    assert error.field == "items[0].cantidad"
    assert error.message == "Cantidad del ítem 1: debe ser mayor que cero."


def test_cantidad_has_at_most_eight_decimals() -> None:
    error = _only(_valid(items=[_item(cantidad=D("1.000000001"))]))
    assert error.field == "items[0].cantidad"


def test_trailing_zeros_do_not_count_as_decimals() -> None:
    item = _item(cantidad=D("2.000000000000"), precio_unitario=D("55000.00"))
    assert validate_document(_valid(items=[item]), now=NOW) == []


def test_precio_unitario_may_not_be_negative() -> None:
    second = _item(precio_unitario=D(-1))
    error = _only(_valid(items=[_item(), second]))
    assert error.field == "items[1].precioUnitario"
    assert error.message.startswith("Precio unitario del ítem 2:")


def test_guarani_price_has_no_decimals() -> None:
    error = _only(
        _valid(
            items=[_item(cantidad=D(1), precio_unitario=D("110000.5"))],
            entregas=[Payment(1, D(110001))],
        )
    )
    assert error.field == "items[0].precioUnitario"
    assert "decimales" in error.message


def test_dollar_price_may_have_decimals() -> None:
    doc = _valid(
        moneda="USD",
        items=[_item(cantidad=D(1), precio_unitario=D("15.50"))],
        entregas=[Payment(1, D("15.50"), "USD")],
    )
    assert validate_document(doc, now=NOW) == []


@pytest.mark.parametrize(
    ("iva_tipo", "iva_base", "iva", "fields"),
    [
        (1, 100, 0, ["items[0].iva"]),
        (1, 100, 12, ["items[0].iva"]),
        (1, 50, 10, ["items[0].ivaBase"]),
        (2, 0, 10, ["items[0].iva"]),
        (3, 100, 0, ["items[0].ivaBase"]),
        (3, 100, 5, ["items[0].iva", "items[0].ivaBase"]),
        (4, 5, 10, ["items[0].ivaBase"]),
        (4, 95, 5, ["items[0].ivaBase"]),
        (4, 30, 0, ["items[0].iva"]),
        (5, 100, 10, ["items[0].ivaTipo"]),
    ],
)
def test_iva_type_base_and_rate_must_agree(
    iva_tipo: int, iva_base: int, iva: int, fields: list[str]
) -> None:
    item = _item(iva_tipo=iva_tipo, iva_base=iva_base, iva=iva)
    assert _fields(_valid(items=[item])) == fields


@pytest.mark.parametrize(
    ("iva_tipo", "iva_base", "iva"),
    [(1, 100, 10), (1, 100, 5), (2, 0, 0), (3, 0, 0), (4, 10, 10), (4, 90, 5)],
)
def test_valid_iva_combinations_pass(iva_tipo: int, iva_base: int, iva: int) -> None:
    item = _item(iva_tipo=iva_tipo, iva_base=iva_base, iva=iva)
    assert validate_document(_valid(items=[item]), now=NOW) == []


def test_item_code_has_at_most_50_characters() -> None:
    assert _only(_valid(items=[_item(codigo="x" * 51)])).field == "items[0].codigo"


# --- condicion --------------------------------------------------------------------


def test_a_wrong_item_does_not_also_report_the_payments_sum() -> None:
    assert _fields(_valid(items=[_item(cantidad=D(0))])) == ["items[0].cantidad"]


def test_cash_sale_needs_payments() -> None:
    error = _only(_valid(entregas=[]))
    assert error.field == "condicion.entregas"


def test_payments_must_add_up_to_the_total_and_the_message_names_both_amounts() -> None:
    doc = _valid(entregas=[Payment(1, D(100000)), Payment(3, D(5000))])
    error = _only(doc)
    assert error.field == "condicion.entregas"
    assert "105.000" in error.message and "110.000" in error.message


def test_payments_that_add_up_exactly_pass() -> None:
    doc = _valid(entregas=[Payment(1, D(100000)), Payment(3, D(10000))])
    assert validate_document(doc, now=NOW) == []


def test_each_payment_needs_a_positive_amount_and_a_sifen_type() -> None:
    doc = _valid(entregas=[Payment(1, D(110000)), Payment(22, D(0))])
    assert _fields(doc) == ["condicion.entregas[1].tipo", "condicion.entregas[1].monto"]


def test_payments_in_another_currency_are_not_summed_without_the_exchange_rate() -> None:
    doc = _valid(entregas=[Payment(1, D(15), "USD")])
    assert validate_document(doc, now=NOW) == []


def test_credit_sale_needs_credit_details() -> None:
    error = _only(_valid(condicion_tipo=2, entregas=[]))
    assert error.field == "condicion.credito"


def test_credit_sale_with_details_passes_without_payments() -> None:
    doc = _valid(condicion_tipo=2, entregas=[], credito={"tipo": 1, "plazo": "30 días"})
    assert validate_document(doc, now=NOW) == []


def test_condicion_is_contado_or_credito() -> None:
    assert _only(_valid(condicion_tipo=3)).field == "condicion.tipo"


def test_credit_note_has_no_condicion_to_check() -> None:
    # SIFEN MT v150 E7: gCamCond exists only in facturas and autofacturas
    assert validate_document(_valid(tipo_documento=5, entregas=[]), now=NOW) == []


def test_facturasend_example_reads_but_its_payments_do_not_match_its_total() -> None:
    from desktop_app.domain.document import document_from_json
    from tests.domain.test_document_json import FACTURASEND_EXAMPLE

    doc, _ = document_from_json(FACTURASEND_EXAMPLE)
    assert doc is not None
    errors = validate_document(doc, now=NOW)
    assert [e.field for e in errors] == ["condicion.entregas"]
    assert "450.000" in errors[0].message and "113.400" in errors[0].message
