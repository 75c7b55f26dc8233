"""Argentine comprobantes in TusFacturas' shape: JSON, letters, IVA, totals, validation,
dates and the CountryRules contract (PROVIDERS.md "Argentina facts", seeds/tusfacturas-lotes.txt,
TusFacturas' "Referencia API AFIP ARCA" and "¿Qué tipos de comprobante debo/puedo emitir?")."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from desktop_app.domain.argentina import (
    COMPROBANTE_TIPOS,
    IVA_IDS,
    REDATE_CODE,
    RULES,
    ArgentinaRules,
    RedateRequired,
    cae_expiry_iso,
    check_date_sequence,
    display_number,
    document_from_json,
    document_to_json,
    document_totals,
    iva_id,
    letter_for,
    letter_of,
    needs_redating,
    parse_cae,
    parse_comprobante_nro,
    prepare_document,
    redate,
    tipo_code,
    validate_document,
)
from desktop_app.domain.country import rules_for
from desktop_app.domain.emisor import DEMO_EMISOR
from tests.domain.test_argentina_factories import (
    COMPANY_CUIT,
    RI_CUIT,
    cliente,
    comprobante_json,
    item,
    responsable_inscripto,
)

#: The first item of ``requests`` in the seed's "Ejemplo de JSON a enviar", verbatim
#: (duplicate keys included: JSON keeps the last one).
SEED_REQUEST = """{
    "apitoken": "kkakak208a17cdfc4e4741437baddaa6",
    "cliente": {"documento_tipo": "CUIT", "condicion_iva": "M", "domicilio": "Av Sta Fe 23132",
                "condicion_pago": "211", "documento_nro": "3071229384", "razon_social": "VOUSYS",
                "provincia": "2", "email": "tusfacturas@vousys.com", "envia_por_mail": "N"},
    "apikey": "0000",
    "comprobante": {
        "rubro": "Sevicios web", "percepciones_iva": 0, "tipo": "FACTURA B",
        "external_reference": "ABC123", "numero": 1, "facturacion_lote_id_referencia": "ASD123AW",
        "percepciones_iibb": 0, "bonificacion": 0, "operacion": "V",
        "detalle": [{"cantidad": 1, "producto": {"descripcion": "Hosting pagina web ", "codigo": 37,
                     "lista_precios": "standard", "leyenda": "", "unidad_bulto": 1, "alicuota": 21,
                     "precio_unitario_sin_iva": 114.88}}],
        "fecha": "28/03/2018", "rubro_grupo_contable": "Sevicios", "total": 139.0, "cotizacion": 1,
        "moneda": "PES", "punto_venta": 3,
        "percepciones_iibb": "0", "percepciones_iibb_base": "0", "percepciones_iibb_alicuota": "0",
        "percepciones_iva": "0", "percepciones_iva_base": "0", "percepciones_iva_alicuota": "0",
        "exentos": "0", "impuestos_internos": "0", "impuestos_internos_base": "0",
        "impuestos_internos_alicuota": "0"
    },
    "usertoken": "a7ahdt5s7725d7fa4f4e63646bc169b"
}"""


def _doc(data: dict[str, Any]) -> Any:
    doc, errors = document_from_json(data)
    assert doc is not None, errors
    return doc


def _fields(errors: list[Any]) -> list[str]:
    return [e.field for e in errors]


# -- reference tables --------------------------------------------------------------------


def test_comprobante_codes_and_letters() -> None:
    assert COMPROBANTE_TIPOS == {
        1: "FACTURA A", 2: "NOTA DE DEBITO A", 3: "NOTA DE CREDITO A",
        6: "FACTURA B", 7: "NOTA DE DEBITO B", 8: "NOTA DE CREDITO B",
        11: "FACTURA C", 12: "NOTA DE DEBITO C", 13: "NOTA DE CREDITO C",
    }
    assert [letter_of(c) for c in (1, 2, 3, 6, 7, 8, 11, 12, 13)] == list("AAABBBCCC")


@pytest.mark.parametrize(
    ("value", "code"),
    [("FACTURA B", 6), ("factura b", 6), ("Nota de Crédito A", 3), ("NOTA  DE DEBITO C", 12),
     (6, 6), ("06", 6), ("13", 13), ("FACTURA E", None), (4, None), (None, None), (True, None)],
)
def test_tipo_is_read_from_text_or_code(value: object, code: int | None) -> None:
    assert tipo_code(value) == code


@pytest.mark.parametrize(
    ("emisor", "receptor", "letter"),
    [("RI", "RI", "A"), ("RI", "M", "A"), ("RI", "CF", "B"), ("RI", "E", "B"),
     ("M", "RI", "C"), ("M", "CF", "C"), ("E", "RI", "C"), ("E", "M", "C")],
)
def test_letter_follows_both_condiciones_frente_al_iva(emisor: str, receptor: str, letter: str) -> None:
    """TusFacturas' table (after Ley 27.618 a Monotributista receives A, not B)."""
    assert letter_for(emisor, receptor) == letter


def test_iva_rates_and_their_afip_ids() -> None:
    assert {str(k): v for k, v in IVA_IDS.items()} == {
        "0": 3, "2.5": 9, "5": 8, "10.5": 4, "21": 5, "27": 6}
    assert iva_id(Decimal("10.5")) == 4
    assert iva_id(Decimal("10.50")) == 4
    assert iva_id(Decimal(-1)) is None and iva_id(Decimal(-2)) is None  # exento, no gravado


def test_comprobante_numbers_print_as_tusfacturas_does() -> None:
    assert display_number(6, 3, 74) == "FACTURA B 00003-00000074"
    assert RULES.display_number(6, "0", "3", 74) == "FACTURA B 00003-00000074"
    assert parse_comprobante_nro("00003-00000074") == (3, 74)
    assert parse_comprobante_nro("garbage") is None


# -- CAE -------------------------------------------------------------------------------------


def test_cae_and_its_expiry_tolerate_the_trailing_space() -> None:
    assert parse_cae("68466696512853 ") == "68466696512853"
    assert parse_cae("") is None and parse_cae(" ") is None and parse_cae(None) is None
    assert parse_cae("123") is None
    assert cae_expiry_iso("26/11/2018") == "2018-11-26"
    assert cae_expiry_iso("26/11/2018 ") == "2018-11-26"
    assert cae_expiry_iso("20181126") == "2018-11-26"
    assert cae_expiry_iso("") is None and cae_expiry_iso("31/02/2018") is None


# -- JSON --------------------------------------------------------------------------------------


def test_the_seeds_request_parses_without_its_credentials() -> None:
    doc = _doc(json.loads(SEED_REQUEST))
    assert doc.comprobante.tipo == 6 and doc.letter == "B"
    assert doc.comprobante.punto_venta == 3 and doc.comprobante.numero == 1
    assert doc.comprobante.fecha == date(2018, 3, 28)
    assert doc.comprobante.external_reference == "ABC123"
    assert doc.comprobante.detalle[0].producto.precio_unitario_sin_iva == Decimal("114.88")
    out = document_to_json(doc)
    text = json.dumps(out)
    for secret in ("kkakak208a17cdfc4e4741437baddaa6", "a7ahdt5s7725d7fa4f4e63646bc169b"):
        assert secret not in text
    assert "apitoken" not in out and "apikey" not in out and "usertoken" not in out


def test_json_round_trip_is_lossless_and_keeps_unknown_keys() -> None:
    data = json.loads(SEED_REQUEST)
    data["comprobante"]["tags"] = ["etiqueta1", "etiqueta2"]
    data["comprobante"]["detalle"][0]["producto"]["rg5329"] = "N"
    data["comprobante"]["detalle"][0]["afecta_stock"] = "N"
    data["cliente"]["rg5329"] = "N"
    data["lote_privado"] = {"a": 1}
    doc = _doc(data)
    out = document_to_json(doc)
    assert _doc(out) == doc
    assert document_to_json(_doc(out)) == out
    k = out["comprobante"]
    assert k["rubro"] == "Sevicios web" and k["facturacion_lote_id_referencia"] == "ASD123AW"
    assert k["tags"] == ["etiqueta1", "etiqueta2"]
    assert k["percepciones_iibb_base"] == "0"
    assert k["detalle"][0]["producto"]["rg5329"] == "N"
    assert k["detalle"][0]["producto"]["lista_precios"] == "standard"
    assert k["detalle"][0]["afecta_stock"] == "N"
    assert out["cliente"]["rg5329"] == "N" and out["lote_privado"] == {"a": 1}
    # Amounts travel as exact decimal strings, the tipo as TusFacturas' text.
    assert k["tipo"] == "FACTURA B" and k["total"] == "139.0"
    assert k["detalle"][0]["producto"]["precio_unitario_sin_iva"] == "114.88"
    assert k["fecha"] == "28/03/2018"


def test_shape_errors_name_the_path() -> None:
    assert _fields(document_from_json([])[1]) == [""]
    assert _fields(document_from_json({"cliente": {}})[1]) == ["comprobante"]
    bad = comprobante_json(numero="x", fecha="2018/03/28",
                           items=[{"cantidad": "uno", "producto": {"descripcion": "Algo",
                                                                   "precio_unitario_sin_iva": "1",
                                                                   "alicuota": "21"}}],
                           total="1")
    bad["comprobante"]["tipo"] = "FACTURA E"
    del bad["cliente"]["razon_social"]
    doc, errors = document_from_json(bad)
    assert doc is None
    assert _fields(errors) == [
        "cliente.razon_social", "comprobante.tipo", "comprobante.numero", "comprobante.fecha",
        "comprobante.detalle[0].cantidad"]
    assert errors[4].message.startswith("Cantidad del ítem 1: ")


# -- totals ------------------------------------------------------------------------------------


def test_seed_total_is_114_88_plus_21_percent() -> None:
    """The seed's FACTURA B: precio_unitario_sin_iva 114.88 at 21 %, total 139.0 — prices
    are net of IVA for B too, and IVA is added."""
    totals = document_totals(_doc(json.loads(SEED_REQUEST)))
    assert totals.neto_gravado == Decimal("114.88")
    assert [(line.afip_id, line.base, line.importe) for line in totals.iva] == [
        (5, Decimal("114.88"), Decimal("24.12"))]
    assert totals.total == Decimal("139.00")


def test_totals_per_rate_with_exento_no_gravado_and_taxes() -> None:
    doc = _doc(comprobante_json(
        tipo="FACTURA A",
        items=[item("2", "100", "21"), item("1.5", "50", "10.5"), item("1", "10", "27"),
               item("3", "7.77", "0"), item("1", "40", "-1"), item("1", "30", "-2")],
        total="0", percepciones_iibb="12.50", impuestos_internos="3",
        tributos=[{"tipo": 6, "regimen": 1, "base_imponible": 100, "alicuota": 10, "total": 10}],
    ))
    t = document_totals(doc)
    assert [(line.alicuota, line.afip_id, line.base, line.importe) for line in t.iva] == [
        (Decimal("0"), 3, Decimal("23.31"), Decimal("0.00")),
        (Decimal("10.5"), 4, Decimal("75.00"), Decimal("7.88")),  # 7.875 -> 7.88 (half even)
        (Decimal("21"), 5, Decimal("200"), Decimal("42.00")),
        (Decimal("27"), 6, Decimal("10"), Decimal("2.70")),
    ]
    assert t.neto_gravado == Decimal("308.31")
    assert t.exento == Decimal("40") and t.no_gravado == Decimal("30")
    assert t.iva_total == Decimal("52.58")
    assert t.tributos == Decimal("25.50")
    assert t.total == Decimal("456.39")  # 308.31 + 40 + 30 + 52.58 + 25.50


def test_rounding_is_half_even_per_line_and_per_rate() -> None:
    # 0.125 -> 0.12 and 0.135 -> 0.14 (half even); IVA of 0.26 at 10.5 % = 0.0273 -> 0.03.
    doc = _doc(comprobante_json(items=[item("1", "0.125", "10.5"), item("1", "0.135", "10.5")]))
    t = document_totals(doc)
    assert t.iva[0].base == Decimal("0.26") and t.iva[0].importe == Decimal("0.03")
    assert t.total == Decimal("0.29")


def test_bonificacion_is_shared_among_rates_before_iva() -> None:
    # Subtotal 1000 (800 at 21 %, 200 at 10.5 %), bonificación 100: 80 and 20.
    doc = _doc(comprobante_json(items=[item("1", "800", "21"), item("1", "200", "10.5")],
                                bonificacion="100"))
    t = document_totals(doc)
    assert [(line.base, line.importe) for line in t.iva] == [
        (Decimal("180"), Decimal("18.90")), (Decimal("720"), Decimal("151.20"))]
    assert t.total == Decimal("1070.10")


def test_item_bonificacion_porcentaje_reduces_its_line() -> None:
    entry = item("3", "999.99", "21")
    entry["bonificacion_porcentaje"] = "10"
    t = document_totals(_doc(comprobante_json(items=[entry])))
    assert t.neto_gravado == Decimal("2699.97")  # 2699.973
    assert t.total == Decimal("3266.96")  # + 566.99


def test_a_c_comprobante_carries_no_iva() -> None:
    doc = _doc(comprobante_json(tipo="FACTURA C", items=[item("1", "100", "0"), item("1", "10", "0")]))
    t = document_totals(doc)
    assert t.iva == () and t.iva_total == 0
    assert t.total == Decimal("110")  # TusFacturas' FACTURA C example


# -- validation ------------------------------------------------------------------------------


def test_a_valid_comprobante_has_no_errors() -> None:
    assert validate_document(_doc(comprobante_json(external_reference="x1"))) == []


def test_every_error_is_returned_with_its_path_and_a_spanish_message() -> None:
    data = comprobante_json(
        tipo="FACTURA A", cliente_data=cliente("CF", "DNI", "12.345"), punto_venta=0,
        items=[item("0", "-1", "22", descripcion="Ab")], total="5", external_reference="bad ref!",
        moneda="PES", cotizacion="2")
    data["cliente"]["provincia"] = ""
    errors = validate_document(_doc(data))
    assert _fields(errors) == [
        "comprobante.punto_venta",
        "comprobante.cotizacion",
        "comprobante.external_reference",
        "cliente.documento_nro",
        "comprobante.tipo",
        "cliente.documento_tipo",
        "cliente.provincia",
        "comprobante.detalle[0].cantidad",
        "comprobante.detalle[0].producto.descripcion",
        "comprobante.detalle[0].producto.precio_unitario_sin_iva",
        "comprobante.detalle[0].producto.alicuota",
    ]
    by_field = {e.field: e.message for e in errors}
    assert by_field["comprobante.punto_venta"] == (
        "Punto de venta: debe estar entre 1 y 99998 (AFIP, código 10004).")
    assert by_field["comprobante.tipo"] == (
        "Tipo de comprobante: a un cliente Consumidor Final un Responsable Inscripto le emite "
        "comprobantes B, no FACTURA A.")
    assert by_field["cliente.documento_tipo"].endswith("requiere el CUIT del cliente (AFIP, código 10013).")
    assert by_field["comprobante.detalle[0].cantidad"] == "Cantidad del ítem 1: debe ser mayor que cero."


def test_a_bad_cuit_names_the_expected_check_digit() -> None:
    errors = validate_document(_doc(comprobante_json(
        tipo="FACTURA A", cliente_data=responsable_inscripto("20-26756539-4"))))
    assert [(e.field, e.message) for e in errors] == [(
        "cliente.documento_nro",
        "Número de documento del cliente: el dígito verificador del CUIT 20-26756539-4 es "
        "incorrecto: debería ser 3 (20-26756539-3).")]


def test_letter_b_to_a_responsable_inscripto_is_refused() -> None:
    errors = validate_document(_doc(comprobante_json(cliente_data=responsable_inscripto())))
    assert _fields(errors) == ["comprobante.tipo"]
    assert "comprobantes A, no FACTURA B" in errors[0].message


def test_known_emisor_condition_checks_the_letter_against_it() -> None:
    doc = _doc(comprobante_json(tipo="FACTURA B"))
    assert validate_document(doc, emisor_condicion_iva="RI") == []
    errors = validate_document(doc, emisor_condicion_iva="M")
    assert _fields(errors) == ["comprobante.tipo"]
    assert "emite a un cliente Consumidor Final comprobantes C" in errors[0].message
    assert ArgentinaRules(emisor_condicion_iva="M").validate(doc) == errors


def test_c_items_must_carry_alicuota_zero() -> None:
    errors = validate_document(_doc(comprobante_json(tipo="FACTURA C", items=[item(alicuota="21")])))
    assert _fields(errors) == ["comprobante.detalle[0].producto.alicuota"]
    assert "no llevan IVA" in errors[0].message


def test_total_must_match_within_one_cent() -> None:
    assert validate_document(_doc(comprobante_json(total="121.01"))) == []
    errors = validate_document(_doc(comprobante_json(total="121.02")))
    assert [(e.field, e.message) for e in errors] == [(
        "comprobante.total",
        "Total: el total informado (121.02) no coincide con la suma de los ítems, el IVA y los "
        "tributos (121.00); AFIP lo rechaza (código 10048).")]


def test_notes_need_the_comprobantes_they_adjust() -> None:
    errors = validate_document(_doc(comprobante_json(tipo="NOTA DE CREDITO B")))
    assert _fields(errors) == ["comprobante.comprobantes_asociados"]
    ok = comprobante_json(tipo="NOTA DE CREDITO B",
                          comprobantes_asociados=[{"tipo_comprobante": "FACTURA B",
                                                   "punto_venta": 3, "numero": 1}])
    assert validate_document(_doc(ok)) == []
    by_period = comprobante_json(tipo="NOTA DE DEBITO B", comprobantes_asociados_periodo={
        "fecha_desde": "01/10/2025", "fecha_hasta": "31/10/2025"})
    assert validate_document(_doc(by_period)) == []


def test_service_period_must_be_complete_and_in_order() -> None:
    errors = validate_document(_doc(comprobante_json(periodo_facturado_desde="10/10/2025")))
    assert _fields(errors) == ["comprobante.periodo_facturado_hasta"]
    errors = validate_document(_doc(comprobante_json(periodo_facturado_desde="10/10/2025",
                                                     periodo_facturado_hasta="01/10/2025")))
    assert _fields(errors) == ["comprobante.periodo_facturado_desde"]
    assert "10032" in errors[0].message


# -- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "services", "ok"), [
    (0, False, True), (5, False, True), (6, False, False), (-5, False, True),
    (10, True, True), (11, True, False), (-10, True, True)])
def test_date_window_is_5_days_for_products_and_10_for_services(
        days_ago: int, services: bool, ok: bool) -> None:
    now = datetime(2025, 3, 20, 12, 0)
    extra: dict[str, Any] = (
        {"periodo_facturado_desde": "01/03/2025", "periodo_facturado_hasta": "15/03/2025"}
        if services else {})
    doc = _doc(comprobante_json(fecha=now.date() - timedelta(days=days_ago), **extra))
    assert (validate_document(doc, now=now) == []) is ok


def test_a_comprobante_queued_too_long_is_flagged_for_redating_not_rejected() -> None:
    now = datetime(2025, 3, 20, 9, 30)
    doc = _doc(comprobante_json(fecha=date(2025, 3, 10)))
    errors = validate_document(doc, now=now)
    assert len(errors) == 1 and isinstance(errors[0], RedateRequired)
    assert errors[0].code == REDATE_CODE == "REFECHAR"
    assert errors[0].field == "comprobante.fecha"
    assert errors[0].message == (
        "Fecha del comprobante: el 10/03/2025 quedó fuera del plazo que acepta AFIP (5 días "
        "antes de hoy, 20/03/2025, para productos). El comprobante esperó demasiado en la "
        "cola: debe cambiarse su fecha, con su consentimiento, antes de enviarlo (código "
        "REFECHAR).")
    assert needs_redating(errors)
    redated = redate(doc, now.date())
    assert redated.comprobante.fecha == date(2025, 3, 20)
    assert validate_document(redated, now=now) == []


def test_a_date_too_far_ahead_is_a_plain_error() -> None:
    now = datetime(2025, 3, 20)
    errors = validate_document(_doc(comprobante_json(fecha=date(2025, 3, 26))), now=now)
    assert _fields(errors) == ["comprobante.fecha"] and not needs_redating(errors)
    assert "10016" in errors[0].message


def test_redating_moves_a_due_date_that_would_fall_before_it() -> None:
    doc = _doc(comprobante_json(fecha=date(2025, 3, 1), vencimiento="05/03/2025"))
    redated = redate(doc, date(2025, 3, 20))
    assert redated.comprobante.vencimiento == date(2025, 3, 20)


def test_dates_never_go_backwards_within_a_punto_de_venta() -> None:
    doc = _doc(comprobante_json(fecha=date(2025, 3, 19)))
    assert check_date_sequence(None, doc) == []
    assert check_date_sequence(date(2025, 3, 19), doc) == []
    assert check_date_sequence(datetime(2025, 3, 18, 23, 59), doc) == []
    errors = check_date_sequence(date(2025, 3, 20), doc)
    assert [(e.field, e.message) for e in errors] == [(
        "comprobante.fecha",
        "Fecha del comprobante: no puede ser anterior a la del último comprobante del punto de "
        "venta 3 (20/03/2025): AFIP no acepta fechas que retroceden.")]


# -- CountryRules ------------------------------------------------------------------------------


def test_rules_are_registered_for_ar() -> None:
    assert rules_for("AR") is RULES
    assert RULES.code == "AR"


def test_prepare_fills_a_fresh_external_reference_and_keeps_a_given_one() -> None:
    doc = _doc(comprobante_json(auto_reference=False))
    assert doc.comprobante.external_reference is None
    first, second = RULES.prepare(doc), RULES.prepare(doc)
    ref = first.comprobante.external_reference
    assert ref and len(ref) == 32 and int(ref, 16) >= 0
    assert ref != second.comprobante.external_reference
    kept = RULES.prepare(_doc(comprobante_json(external_reference="mine-1")))
    assert kept.comprobante.external_reference == "mine-1"
    assert RULES.summary(first).external_ref == ref


def test_prepare_fills_date_total_and_mail_flag_when_absent() -> None:
    data = comprobante_json(auto_reference=False)
    del data["comprobante"]["fecha"], data["comprobante"]["total"], data["cliente"]["envia_por_mail"]
    doc = prepare_document(_doc(data), today=date(2025, 3, 20))
    assert doc.comprobante.fecha == date(2025, 3, 20)
    assert doc.comprobante.total == Decimal("121.00")
    assert doc.cliente.envia_por_mail == "N"


def test_summary_numbering_and_identity() -> None:
    doc = RULES.prepare(_doc(comprobante_json(
        tipo="FACTURA A", cliente_data=responsable_inscripto("20-26756539-3"), punto_venta=3,
        fecha=date(2025, 3, 20), items=[item("2", "50", "21")])))
    s = RULES.summary(doc)
    assert (s.tipo_documento, s.establecimiento, s.punto, s.numero) == (1, "0", "3", None)
    assert s.fecha == datetime(2025, 3, 20)
    assert s.customer_tax_id == RI_CUIT and s.customer_name == "Ferretería El Tornillo S.A."
    assert s.currency == "PES"  # AFIP's MonId, kept as sent
    assert (s.total, s.iva_total) == (Decimal("121.00"), Decimal("21.00"))
    numbered = RULES.with_numero(doc, 74)
    assert RULES.summary(numbered).numero == 74
    assert RULES.to_json(numbered)["comprobante"]["numero"] == 74
    assert RULES.authority_id(numbered, DEMO_EMISOR) is None
    parsed, errors = RULES.parse(RULES.to_json(numbered))
    assert errors == [] and parsed == numbered


def test_validate_through_the_rules_uses_now() -> None:
    doc = RULES.prepare(_doc(comprobante_json(fecha=date(2025, 3, 1))))
    assert RULES.validate(doc, now=datetime(2025, 3, 3)) == []
    assert needs_redating(RULES.validate(doc, now=datetime(2025, 3, 30)))


def test_company_cuit_is_accepted_for_a() -> None:
    doc = _doc(comprobante_json(tipo="FACTURA A", cliente_data=responsable_inscripto(COMPANY_CUIT)))
    assert validate_document(doc) == []


def test_parse_does_not_mutate_its_input() -> None:
    data = json.loads(SEED_REQUEST)
    before = copy.deepcopy(data)
    RULES.parse(data)
    assert data == before

