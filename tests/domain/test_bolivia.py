"""Bolivian invoices (SIAT through CUCU): JSON, IVA included, validation, CUF, CountryRules.

Sources: seeds/cucu-invoices-batch.txt (the invoice shape and its examples), PROVIDERS.md
("Bolivia facts"), SIAT's paramétricas and message catalogue (codes cited in the rules).
"""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from desktop_app.domain.bolivia import (
    LOCAL_KEY,
    RULES,
    BoliviaRules,
    Invoice,
    build_cuf,
    cuf_check_digit,
    cuf_digits,
    cuf_parts,
    field_label,
    invoice_from_json,
    invoice_to_json,
    iva_included,
    nit_error,
    payload_total,
    strip_local,
    validate_invoice,
)
from desktop_app.domain.country import rules_for
from desktop_app.domain.emisor import DEMO_EMISOR

#: The two invoices of the batch page's request, verbatim.
SEED_INVOICES: list[dict[str, Any]] = [
    {
        "pointOfSaleId": "POS_UUID",
        "clientDocumentType": 5,
        "clientDocumentNumber": "123456789",
        "clientBusinessName": "CLIENTE A S.R.L.",
        "paymentMethodCode": 1,
        "details": [{
            "activityCode": "620100",
            "sinProductCode": 83141,
            "description": "Servicio A",
            "quantity": 1,
            "unitMeasure": 58,
            "unitPrice": 200.00,
            "discount": 0,
        }],
    },
    {
        "pointOfSaleId": "POS_UUID",
        "clientDocumentType": 5,
        "clientDocumentNumber": "987654321",
        "clientBusinessName": "CLIENTE B S.R.L.",
        "paymentMethodCode": 1,
        "details": [{
            "activityCode": "620100",
            "sinProductCode": 83141,
            "description": "Servicio B",
            "quantity": 2,
            "unitMeasure": 58,
            "unitPrice": 150.00,
            "discount": 0,
        }],
    },
]

#: SIN's published CUF example ("Generación del CUF", siatinfo.impuestos.gob.bo).
OFFICIAL_CUF = "8727F63A15F8976591FDDE5B387C5D015A29E06A1A19E23EF34124CD"


def invoice_json(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(SEED_INVOICES[0])
    data["pointOfSaleId"] = "660e8400-e29b-41d4-a716-446655440004"
    detail_changes = changes.pop("detail", {})
    data["details"][0].update(detail_changes)
    data.update(changes)
    return data


def parsed(**changes: Any) -> Invoice:
    invoice, errors = invoice_from_json(invoice_json(**changes))
    assert invoice is not None, errors
    return invoice


def paths(invoice: Invoice) -> list[str]:
    return [e.field for e in validate_invoice(invoice)]


# -- JSON ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEED_INVOICES, ids=["cliente-a", "cliente-b"])
def test_the_batch_pages_example_invoices_round_trip_exactly(seed: dict[str, Any]) -> None:
    invoice, errors = invoice_from_json(seed)
    assert errors == [] and invoice is not None
    assert invoice_to_json(invoice) == seed
    assert validate_invoice(invoice) == []


def test_the_seed_totals_include_iva() -> None:
    a, _ = invoice_from_json(SEED_INVOICES[0])
    b, _ = invoice_from_json(SEED_INVOICES[1])
    assert a is not None and b is not None
    assert (a.total, a.iva) == (Decimal("200.00"), Decimal("23.01"))
    assert (b.total, b.iva) == (Decimal("300.00"), Decimal("34.51"))


def test_unknown_keys_are_kept_at_every_level() -> None:
    data = invoice_json(invoiceType="ELECTRONIC_COMPRA_VENTA", cardNumber="4532",
                        detail={"serialNumber": "SN-1", "imei": None})
    data[LOCAL_KEY] = {"numero": 7, "ref": "abc", "fecha": "2024-05-02T10:11:12",
                       "sucursal": "2", "nota": "mesa 4"}
    invoice, errors = invoice_from_json(data)
    assert errors == [] and invoice is not None
    assert invoice.extra == {"invoiceType": "ELECTRONIC_COMPRA_VENTA", "cardNumber": "4532"}
    assert invoice.details[0].extra == {"serialNumber": "SN-1", "imei": None}
    assert invoice.local_extra == {"nota": "mesa 4"}
    assert (invoice.numero, invoice.external_ref, invoice.sucursal) == (7, "abc", "2")
    assert invoice.fecha == datetime(2024, 5, 2, 10, 11, 12)
    assert invoice_to_json(invoice) == data


def test_round_trip_normalises_numbers_written_as_text() -> None:
    data = invoice_json(clientDocumentType="5", paymentMethodCode="1",
                        detail={"quantity": "1.5", "unitPrice": "10", "sinProductCode": "83141",
                                "unitMeasure": "58"})
    invoice, _ = invoice_from_json(data)
    assert invoice is not None
    out = invoice_to_json(invoice)
    assert out["clientDocumentType"] == 5 and out["paymentMethodCode"] == 1
    assert out["details"][0]["quantity"] == 1.5
    assert out["details"][0]["unitPrice"] == 10
    assert out["details"][0]["sinProductCode"] == 83141


def test_a_product_code_with_a_leading_zero_stays_text() -> None:
    invoice = parsed(detail={"sinProductCode": "01111"})
    assert invoice_to_json(invoice)["details"][0]["sinProductCode"] == "01111"


def test_absent_optional_keys_stay_absent() -> None:
    data = invoice_json()
    del data["details"][0]["discount"]
    invoice, _ = invoice_from_json(data)
    assert invoice is not None and invoice.currency is None and invoice.moneda == "BOB"
    assert invoice_to_json(invoice) == data


def test_shape_errors_are_all_reported_with_cucu_paths() -> None:
    invoice, errors = invoice_from_json({
        "clientDocumentType": "cinco",
        "clientBusinessName": 12,
        "details": [{"activityCode": "620100", "quantity": "mucho"}, "x"],
    })
    assert invoice is None
    fields = [e.field for e in errors]
    assert fields == [
        "pointOfSaleId", "clientDocumentType", "clientDocumentNumber", "clientBusinessName",
        "paymentMethodCode", "details[0].sinProductCode", "details[0].description",
        "details[0].quantity", "details[0].unitMeasure", "details[0].unitPrice", "details[1]",
    ]
    assert errors[1].message == "Tipo de documento del cliente: debe ser un número entero (se recibió «cinco»)."
    assert errors[7].message.startswith("Cantidad del detalle 1: debe ser un número")


def test_not_an_object_is_one_error() -> None:
    invoice, errors = invoice_from_json([1, 2])
    assert invoice is None and len(errors) == 1 and errors[0].field == ""


def test_a_bad_local_date_is_a_shape_error() -> None:
    data = invoice_json()
    data[LOCAL_KEY] = {"fecha": "ayer"}
    invoice, errors = invoice_from_json(data)
    assert invoice is None and [e.field for e in errors] == [f"{LOCAL_KEY}.fecha"]


def test_strip_local_removes_only_lotes_key() -> None:
    data = invoice_json()
    data[LOCAL_KEY] = {"numero": 1}
    assert strip_local(data) == invoice_json()


# -- IVA included ----------------------------------------------------------------------


@pytest.mark.parametrize(("total", "iva"), [
    ("113.00", "13.00"),
    ("200.00", "23.01"),
    ("1.13", "0.13"),
    ("0.01", "0.00"),
    ("4520.00", "520.00"),
])
def test_iva_is_13_percent_included_in_the_price(total: str, iva: str) -> None:
    assert iva_included(Decimal(total)) == Decimal(iva)


def test_a_discount_is_subtracted_before_iva() -> None:
    invoice = parsed(detail={"quantity": 2, "unitPrice": 150, "discount": 10})
    assert invoice.details[0].subtotal == Decimal("290.00")
    assert invoice.total == Decimal("290.00")
    assert invoice.iva == Decimal("33.36")  # 290 × 13 / 113 = 33.3628...


def test_a_subtotal_rounds_half_up_to_cents() -> None:
    invoice = parsed(detail={"quantity": 3, "unitPrice": "0.335"})
    assert invoice.details[0].subtotal == Decimal("1.01")  # 1.005, half up (not to even)


def test_several_lines_add_up() -> None:
    data = invoice_json()
    data["details"].append({**data["details"][0], "quantity": 3, "unitPrice": 33.33,
                            "discount": 0.99})
    invoice, _ = invoice_from_json(data)
    assert invoice is not None
    assert invoice.total == Decimal("299.00")  # 200 + 99.99 − 0.99
    assert payload_total(data) == Decimal("299.00")


# -- validation ------------------------------------------------------------------------


def test_a_valid_invoice_has_no_errors() -> None:
    assert validate_invoice(parsed()) == []


@pytest.mark.parametrize(("changes", "path", "fragment"), [
    ({"pointOfSaleId": " "}, "pointOfSaleId", "falta este dato"),
    ({"pointOfSaleId": "POS 1"}, "pointOfSaleId", "sin espacios"),
    ({"clientDocumentType": 6}, "clientDocumentType", "1 (CI), 2 (CEX), 3 (PAS), 4 (OD) o 5 (NIT)"),
    ({"clientDocumentNumber": "12.345.678"}, "clientDocumentNumber", "solo dígitos"),
    ({"clientDocumentNumber": "0123456"}, "clientDocumentNumber", "no empieza con 0"),
    ({"clientDocumentNumber": "1234"}, "clientDocumentNumber", "entre 5 y 13 dígitos"),
    ({"clientDocumentNumber": "12345678901234"}, "clientDocumentNumber", "entre 5 y 13 dígitos"),
    ({"clientDocumentType": 1, "clientDocumentNumber": "4789123-1A"}, "clientDocumentNumber",
     "el complemento va en su propio campo"),
    ({"clientDocumentType": 3, "clientDocumentNumber": "AB 123"}, "clientDocumentNumber",
     "sin espacios"),
    ({"clientDocumentNumber": "1" * 21, "clientDocumentType": 4}, "clientDocumentNumber",
     "como máximo 20"),
    ({"clientComplement": "1A"}, "clientComplement", "mensaje 1011"),
    ({"clientDocumentType": 1, "clientDocumentNumber": "4789123", "clientComplement": "1A-2"},
     "clientComplement", "hasta 5 letras o dígitos"),
    ({"clientBusinessName": "  "}, "clientBusinessName", "S/N"),
    ({"clientBusinessName": "X" * 501}, "clientBusinessName", "500"),
    ({"clientEmail": "juan.perez"}, "clientEmail", "correo"),
    ({"paymentMethodCode": 0}, "paymentMethodCode", "de 1 a 308"),
    ({"paymentMethodCode": 309}, "paymentMethodCode", "de 1 a 308"),
    ({"currency": "USD"}, "currency", "bolivianos (BOB)"),
    ({"details": []}, "details", "al menos un detalle"),
    ({"detail": {"activityCode": "62-01"}}, "details[0].activityCode", "CAEB"),
    ({"detail": {"sinProductCode": "8314"}}, "details[0].sinProductCode", "de 5 a 8 dígitos"),
    ({"detail": {"description": ""}}, "details[0].description", "falta este dato"),
    ({"detail": {"description": "x" * 501}}, "details[0].description", "SIAT 998"),
    ({"detail": {"unitMeasure": 0}}, "details[0].unitMeasure", "58 unidad de servicios"),
    ({"detail": {"quantity": 0}}, "details[0].quantity", "mayor que cero"),
    ({"detail": {"quantity": -1}}, "details[0].quantity", "mayor que cero"),
    ({"detail": {"quantity": "0.123456"}}, "details[0].quantity", "5 decimales"),
    ({"detail": {"unitPrice": 0}}, "details[0].unitPrice", "mayor que cero"),
    ({"detail": {"unitPrice": "1.123456"}}, "details[0].unitPrice", "5 decimales"),
    ({"detail": {"discount": -1}}, "details[0].discount", "negativo"),
    ({"detail": {"discount": "0.001"}}, "details[0].discount", "2 decimales"),
    ({"detail": {"discount": 200.01}}, "details[0].discount", "no puede superar"),
])
def test_each_rule_names_the_field_and_the_rule_in_spanish(
        changes: dict[str, Any], path: str, fragment: str) -> None:
    errors = validate_invoice(parsed(**changes))
    assert [e.field for e in errors] == [path]
    assert errors[0].message.startswith(field_label(path) + ": ")
    assert fragment in errors[0].message


def test_every_broken_rule_is_reported_not_just_the_first() -> None:
    invoice = parsed(clientDocumentType=9, paymentMethodCode=0, currency="EUR",
                     detail={"quantity": 0, "unitMeasure": 0})
    assert paths(invoice) == ["clientDocumentType", "paymentMethodCode", "currency",
                              "details[0].unitMeasure", "details[0].quantity"]


def test_a_nit_has_no_check_digit_so_any_well_shaped_nit_passes() -> None:
    # Two NITs that differ only in the last digit: Lote cannot tell which one exists.
    assert nit_error("1023456789") is None and nit_error("1023456788") is None
    assert nit_error("99002") is None  # SIAT's "control tributario"


def test_number_zero_is_a_sale_without_name_up_to_3000_bolivianos() -> None:
    assert paths(parsed(clientDocumentNumber="0", clientBusinessName="S/N",
                        detail={"unitPrice": 3000})) == []
    assert paths(parsed(clientDocumentType=1, clientDocumentNumber="0",
                        detail={"unitPrice": 3000})) == []
    errors = validate_invoice(parsed(clientDocumentNumber="0", detail={"unitPrice": "3000.01"}))
    assert [e.field for e in errors] == ["clientDocumentNumber"]
    assert "1010" in errors[0].message


def test_a_ci_with_its_complement_passes() -> None:
    assert paths(parsed(clientDocumentType=1, clientDocumentNumber="4789123",
                        clientComplement="1A")) == []


def test_passport_and_other_documents_accept_letters() -> None:
    assert paths(parsed(clientDocumentType=3, clientDocumentNumber="AB1234567")) == []
    assert paths(parsed(clientDocumentType=2, clientDocumentNumber="E-1234567")) == []
    assert paths(parsed(clientDocumentType=4, clientDocumentNumber="LIC/99-7")) == []


def test_a_zero_total_is_refused() -> None:
    invoice = parsed(detail={"quantity": 1, "unitPrice": 10, "discount": 10})
    assert paths(invoice) == ["details"]


def test_local_number_and_sucursal_rules() -> None:
    data = invoice_json()
    data[LOCAL_KEY] = {"numero": 0, "sucursal": "10000"}
    invoice, _ = invoice_from_json(data)
    assert invoice is not None
    assert paths(invoice) == [f"{LOCAL_KEY}.numero", f"{LOCAL_KEY}.sucursal"]


def test_labels_name_detail_lines_from_one() -> None:
    assert field_label("details[1].unitPrice") == "Precio unitario del detalle 2"
    assert field_label("details[0]") == "Detalle 1"
    assert field_label("clientDocumentNumber") == "Número de documento del cliente"
    assert field_label("otra.cosa") == "otra.cosa"


# -- CUF -------------------------------------------------------------------------------


def test_the_official_cuf_example_is_built_and_read_back() -> None:
    fields: dict[str, Any] = dict(
        nit="123456789", emitted_at=datetime(2019, 1, 13, 16, 37, 21, 231000), sucursal=0,
        modalidad=1, tipo_emision=1, tipo_factura=1, documento_sector=1, numero=1,
        punto_venta=0)
    digits = cuf_digits(**fields)
    assert digits == "00001234567892019011316372123100001110100000000010000"
    assert cuf_check_digit(digits) == 1  # sum 472, 472 mod 11 = 10 -> 1
    assert build_cuf(control_code="A19E23EF34124CD", **fields) == OFFICIAL_CUF
    parts = cuf_parts(OFFICIAL_CUF)
    assert parts is not None
    assert (parts.nit, parts.numero, parts.punto_venta, parts.sucursal) == ("123456789", 1, 0, 0)
    assert parts.emitted_at == datetime(2019, 1, 13, 16, 37, 21, 231000)
    assert (parts.modalidad, parts.tipo_emision, parts.tipo_factura, parts.documento_sector) == (
        1, 1, 1, 1)
    assert parts.hex_part == "8727F63A15F8976591FDDE5B387C5D015A29E06A1"
    assert parts.control_code == "A19E23EF34124CD"


def test_cuf_parts_reads_lowercase_and_surrounding_spaces() -> None:
    parts = cuf_parts(f"  {OFFICIAL_CUF.lower()} ")
    assert parts is not None and parts.numero == 1


def test_a_cuf_on_cucus_list_page_decodes() -> None:
    # CUCU's "listar facturas" example; it says invoiceNumber 5, its CUF says 11: a
    # reason to display the CUF's fields, never to reject the provider's answer.
    parts = cuf_parts("2872F7294502332E637FABFBC3654EA82202AD48E0969F14EBEB8AF74")
    assert parts is not None
    assert (parts.nit, parts.numero, parts.emitted_at.year) == ("591164023", 11, 2026)


@pytest.mark.parametrize("value", [
    "3983G8305613443F748GCBGCD4765FB93313BE59F1A7AF25FCFC9BG85",  # CUCU's credit-note page
    "ABC123...",  # the batch page's placeholder
    "",
    None,
    12345,
])
def test_cuf_parts_tolerates_what_it_cannot_read(value: Any) -> None:
    assert cuf_parts(value) is None


def test_a_wrong_check_digit_is_not_decoded() -> None:
    digits = cuf_digits(nit="123456789", emitted_at=datetime(2019, 1, 13, 16, 37, 21, 231000),
                        sucursal=0, modalidad=1, tipo_emision=1, tipo_factura=1,
                        documento_sector=1, numero=1, punto_venta=0)
    wrong = format(int(digits + "2"), "X") + "A19E23EF34124CD"
    assert cuf_parts(wrong) is None


# -- CountryRules ----------------------------------------------------------------------


def test_rules_for_bolivia_are_these() -> None:
    assert rules_for("BO") is RULES and isinstance(RULES, BoliviaRules) and RULES.code == "BO"


def test_prepare_fills_a_reference_and_the_date_once() -> None:
    invoice = RULES.prepare(parsed())
    assert invoice.external_ref and len(invoice.external_ref) == 32
    int(invoice.external_ref, 16)
    assert invoice.fecha is not None and invoice.fecha.microsecond == 0
    assert RULES.prepare(invoice) is invoice


def test_summary_maps_cucus_fields_to_lotes_columns() -> None:
    data = invoice_json(clientDocumentNumber="1023456789")
    data[LOCAL_KEY] = {"ref": "r-1", "fecha": "2024-05-02T10:11:12"}
    invoice, _ = invoice_from_json(data)
    assert invoice is not None
    s = RULES.summary(invoice)
    assert (s.tipo_documento, s.establecimiento, s.punto, s.numero) == (
        1, "0", "660e8400-e29b-41d4-a716-446655440004", None)
    assert (s.customer_name, s.customer_tax_id, s.currency) == (
        "CLIENTE A S.R.L.", "1023456789", "BOB")
    assert (s.total, s.iva_total, s.external_ref) == (Decimal("200.00"), Decimal("23.01"), "r-1")
    assert s.fecha == datetime(2024, 5, 2, 10, 11, 12)


def test_the_local_number_is_kept_apart_from_cucus_keys() -> None:
    invoice = RULES.with_numero(RULES.prepare(parsed(_lote={"sucursal": "3"})), 42)
    data = RULES.to_json(invoice)
    assert data[LOCAL_KEY]["numero"] == 42
    assert "invoiceNumber" not in data and "numero" not in data
    assert RULES.summary(invoice).numero == 42
    assert RULES.summary(invoice).establecimiento == "3"
    again, _ = RULES.parse(data)
    assert again is not None and again.numero == 42 and again.external_ref == invoice.external_ref


def test_display_number_and_no_authority_id() -> None:
    assert RULES.display_number(1, "0", "pos-1", 42) == "pos-1-000042"
    assert RULES.authority_id(parsed(), DEMO_EMISOR) is None
