"""Paraguayan sales from CSV (one row per item) into SIFEN DE JSON: worked examples.

Row numbers are what a spreadsheet shows: the header is row 1, so ``rows[0]`` is "fila 2".
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from desktop_app.domain.document import document_from_json
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.paraguay import RULES
from desktop_app.domain.paraguay_csv import (
    check_rows,
    document_keys,
    parse_csv_text,
    read_csv,
    rows_to_de_json,
)
from desktop_app.domain.validation import validate_document
from desktop_app.store.db import Database
from desktop_app.store.models import ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from tests.support.factories import ruc

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "paraguay.csv"
GOOD_RUC = ruc("80012345")  # 80012345-0
NOW = datetime(2025, 7, 1, 12, 0)


def row(documento: str = "V-1", **values: str) -> dict[str, str]:
    base = {
        "documento": documento,
        "fecha": "2025-06-02 09:15:00",
        "cliente_ruc": GOOD_RUC,
        "cliente_razon_social": "Ferretería El Tornillo S.A.",
        "item_descripcion": "Martillo",
        "item_cantidad": "2",
        "item_precio_unitario": "55000",
        "item_iva": "10",
    }
    base.update(values)
    return base


def one(rows: list[dict[str, str]]) -> dict[str, Any]:
    ((de, errors),) = rows_to_de_json(rows)
    assert errors == []
    assert de is not None
    return de


def errors_of(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(e.field, e.message) for _, errs in rows_to_de_json(rows) for e in errs]


def fields_of(rows: list[dict[str, str]]) -> list[str]:
    return [field for field, _ in errors_of(rows)]


# -- worked examples ----------------------------------------------------------------------


def test_rows_of_one_sale_become_one_de_with_one_item_each() -> None:
    rows = [
        row(pago_tipo="1"),
        row(item_descripcion="Clavos (kg)", item_cantidad="1,5", item_precio_unitario="12000"),
        row(
            "V-2",
            cliente_ruc="",
            cliente_documento_tipo="1",
            cliente_documento_numero="1234567",
            cliente_razon_social="María Benítez",
            item_descripcion="Yerba mate 1 kg",
            item_cantidad="1",
            item_precio_unitario="24500",
            item_iva="5",
        ),
    ]
    first, second = rows_to_de_json(rows)
    assert first == (
        {
            "tipoDocumento": 1,
            "establecimiento": "001",
            "punto": "001",
            "fecha": "2025-06-02T09:15:00",
            "tipoEmision": 1,
            "tipoTransaccion": 1,
            "tipoImpuesto": 1,
            "moneda": "PYG",
            "cliente": {
                "contribuyente": True,
                "ruc": "80012345-0",
                "razonSocial": "Ferretería El Tornillo S.A.",
                "tipoOperacion": 1,
                "pais": "PRY",
            },
            "factura": {"presencia": 1},
            "items": [
                {
                    "descripcion": "Martillo",
                    "unidadMedida": 77,
                    "cantidad": 2,
                    "precioUnitario": 55000,
                    "ivaTipo": 1,
                    "ivaBase": 100,
                    "iva": 10,
                },
                {
                    "descripcion": "Clavos (kg)",
                    "unidadMedida": 77,
                    "cantidad": 1.5,
                    "precioUnitario": 12000,
                    "ivaTipo": 1,
                    "ivaBase": 100,
                    "iva": 10,
                },
            ],
            # 2 × 55 000 + 1,5 × 12 000 = 128 000, paid in cash (pago_tipo 1)
            "condicion": {"tipo": 1, "entregas": [{"tipo": 1, "monto": 128000, "moneda": "PYG"}]},
        },
        [],
    )
    de, errors = second
    assert errors == [] and de is not None
    assert de["cliente"] == {
        "contribuyente": False,
        "documentoTipo": 1,
        "documentoNumero": "1234567",
        "razonSocial": "María Benítez",
        "tipoOperacion": 2,
        "pais": "PRY",
    }
    assert de["items"][0]["iva"] == 5
    assert de["condicion"] == {"tipo": 1}  # RULES.prepare adds the cash payment
    assert document_keys(rows) == ["V-1", "V-2"]


def test_the_de_json_is_what_the_domain_reads_and_validates() -> None:
    de = one(
        [row(), row(item_descripcion="Cuaderno", item_iva="exenta", item_precio_unitario="7500")]
    )
    doc, problems = document_from_json(de)
    assert problems == [] and doc is not None
    prepared = RULES.prepare(doc)
    assert validate_document(prepared, now=NOW) == []
    assert prepared.entregas[0].monto == Decimal(125_000)  # 2 × 55 000 + 2 × 7 500
    assert [(i.iva_tipo, i.iva_base, i.iva) for i in prepared.items] == [(1, 100, 10), (3, 0, 0)]


def test_sale_columns_may_be_left_empty_after_the_first_row() -> None:
    sparse = {k: "" for k in row()} | {
        "documento": "V-1",
        "item_descripcion": "Clavos",
        "item_cantidad": "1",
        "item_precio_unitario": "1000",
        "item_iva": "10",
    }
    de = one([row(), sparse])
    assert len(de["items"]) == 2 and de["cliente"]["ruc"] == GOOD_RUC


def test_rows_of_one_sale_must_agree_on_the_sale_columns() -> None:
    rows = [row(), row(cliente_ruc=ruc("80024242")), row(fecha="2025-06-03 10:00:00")]
    errors = errors_of(rows)
    assert [f for f, _ in errors] == ["fila 3, cliente_ruc", "fila 4, fecha"]
    assert "No coincide con la fila 2 del mismo documento" in errors[0][1]
    assert "80024242-4" in errors[0][1] and GOOD_RUC in errors[0][1]


def test_sales_keep_the_order_they_first_appear_in() -> None:
    rows = [row("B"), row("A"), row("B", item_descripcion="Otro")]
    assert document_keys(rows) == ["B", "A"]
    assert [len(de["items"]) for de, _ in rows_to_de_json(rows) if de] == [2, 1]


# -- errors name the row and the column ------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"item_cantidad": "abc"}, "fila 2, item_cantidad", "No es un número válido"),
        ({"item_cantidad": "0"}, "fila 2, item_cantidad", "mayor que cero"),
        ({"item_cantidad": ""}, "fila 2, item_cantidad", "Falta la cantidad"),
        ({"item_precio_unitario": "110.000"}, "fila 2, item_precio_unitario", "ambiguo"),
        ({"item_precio_unitario": "-5"}, "fila 2, item_precio_unitario", "negativo"),
        ({"item_iva": "12"}, "fila 2, item_iva", "10, 5, 0"),
        ({"item_iva": "10", "item_iva_proporcion": "95"}, "fila 2, item_iva_proporcion", "10 a 90"),
        ({"item_descripcion": ""}, "fila 2, item_descripcion", "Falta la descripción"),
        ({"fecha": "31/02/2025"}, "fila 2, fecha", "No es una fecha válida"),
        ({"fecha": ""}, "fila 2, fecha", "Falta la fecha"),
        ({"cliente_ruc": "80012345-7"}, "fila 2, cliente_ruc", "dígito verificador"),
        ({"cliente_ruc": "80012345"}, "fila 2, cliente_ruc", "guion"),
        ({"cliente_documento_tipo": "1"}, "fila 2, cliente_documento_tipo", "no ambos"),
        ({"cliente_razon_social": ""}, "fila 2, cliente_razon_social", "Falta el nombre"),
        ({"cliente_tipo_operacion": "7"}, "fila 2, cliente_tipo_operacion", "B2B"),
        ({"tipo_documento": "4"}, "fila 2, tipo_documento", "1 (factura)"),
        ({"tipo_documento": "5"}, "fila 2, documento_asociado_cdc", "CDC de la factura"),
        ({"establecimiento": "1000"}, "fila 2, establecimiento", "001 a 999"),
        ({"numero": "0"}, "fila 2, numero", "1 a 9999999"),
        ({"moneda": "EUR"}, "fila 2, moneda", "PYG"),
        ({"moneda": "USD"}, "fila 2, cambio", "tipo de cambio"),
        ({"condicion": "fiado"}, "fila 2, condicion", "contado o credito"),
        ({"condicion": "credito"}, "fila 2, credito_plazo", "plazo"),
        ({"condicion": "credito", "credito_cuotas": "x"}, "fila 2, credito_cuotas", "cuotas"),
        ({"pago_tipo": "30"}, "fila 2, pago_tipo", "forma de pago"),
        ({"item_unidad_medida": "kg"}, "fila 2, item_unidad_medida", "77"),
    ],
)
def test_each_error_names_the_row_and_column_in_spanish(
    values: dict[str, str], field: str, words: str
) -> None:
    errors = errors_of([row(**values)])
    assert [f for f, _ in errors] == [field], errors
    assert words in errors[0][1]


def test_every_problem_of_a_sale_is_reported_and_other_sales_still_import() -> None:
    rows = [row(item_cantidad="x"), row(item_iva="7"), row("V-2")]
    (bad, bad_errors), (good, good_errors) = rows_to_de_json(rows)
    assert bad is None
    assert [e.field for e in bad_errors] == ["fila 2, item_cantidad", "fila 3, item_iva"]
    assert good is not None and good_errors == []


def test_a_missing_required_column_is_one_error_about_the_header() -> None:
    rows = [{k: v for k, v in row().items() if k != "item_iva"}]
    ((de, errors),) = rows_to_de_json(rows)
    assert de is None
    assert [(e.field, e.message) for e in errors] == [
        ("fila 1", "Faltan columnas obligatorias en el encabezado: item_iva.")
    ]


def test_a_row_without_documento_is_its_own_error_and_blank_rows_count() -> None:
    blank = {k: "" for k in row()}
    rows = [row(), blank, row(documento="")]
    results = rows_to_de_json(rows)
    assert [de is not None for de, _ in results] == [True, False]
    assert [e.field for e in results[1][1]] == ["fila 4, documento"]
    assert document_keys(rows) == ["V-1", ""]


# -- columns and their mapping ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iva", "proporcion", "expected"),
    [
        ("10", "", (1, 100, 10)),
        ("5%", "", (1, 100, 5)),
        ("10", "100", (1, 100, 10)),
        ("10", "30", (4, 30, 10)),
        ("0", "", (3, 0, 0)),
        ("Exenta", "", (3, 0, 0)),
        ("exonerada", "", (2, 0, 0)),
    ],
)
def test_item_iva_maps_to_sifen_iva_fields(
    iva: str, proporcion: str, expected: tuple[int, int, int]
) -> None:
    (item,) = one([row(item_iva=iva, item_iva_proporcion=proporcion)])["items"]
    assert (item["ivaTipo"], item["ivaBase"], item["iva"]) == expected


@pytest.mark.parametrize(
    ("column", "text", "value"),
    [
        ("item_cantidad", "1,5", 1.5),
        ("item_cantidad", "1.5", 1.5),
        ("item_cantidad", "1.500", 1.5),  # a quantity may have three decimals
        ("item_cantidad", " 3 ", 3),
        ("item_precio_unitario", "1.500.000", 1_500_000),
        ("item_precio_unitario", "1.234.567,00", 1_234_567),
        ("item_precio_unitario", "1,234,567.00", 1_234_567),
        ("item_precio_unitario", "110000", 110_000),
    ],
)
def test_numbers_written_the_paraguayan_or_the_english_way(
    column: str, text: str, value: float
) -> None:
    (item,) = one([row(**{column: text})])["items"]
    key = "cantidad" if column == "item_cantidad" else "precioUnitario"
    assert item[key] == value


def test_dollar_sales_carry_the_exchange_rate_and_cents() -> None:
    de = one([row(moneda="usd", cambio="7.300", item_precio_unitario="12,50")])
    # "7.300" is not an amount column: read as 7.3 — write rates without thousands separators
    assert (de["moneda"], de["items"][0]["precioUnitario"]) == ("USD", 12.5)
    de = one([row(moneda="USD", cambio="7300,5", item_precio_unitario="12.50")])
    assert de["cambio"] == 7300.5


@pytest.mark.parametrize(
    ("values", "cliente"),
    [
        ({}, {"contribuyente": True, "ruc": GOOD_RUC, "tipoOperacion": 1}),
        (
            {
                "cliente_ruc": "",
                "cliente_documento_tipo": "Pasaporte",
                "cliente_documento_numero": "AB123",
            },
            {
                "contribuyente": False,
                "documentoTipo": 2,
                "documentoNumero": "AB123",
                "tipoOperacion": 2,
            },
        ),
        (
            {"cliente_ruc": "", "cliente_documento_numero": "1234567"},
            {"contribuyente": False, "documentoTipo": 1, "documentoNumero": "1234567"},
        ),
        (
            {"cliente_ruc": "", "cliente_razon_social": ""},
            {"contribuyente": False, "documentoTipo": 5, "razonSocial": "Sin Nombre"},
        ),
        (
            {"cliente_ruc": "", "cliente_documento_tipo": "innominado", "cliente_razon_social": ""},
            {"documentoTipo": 5, "razonSocial": "Sin Nombre"},
        ),
        (
            {
                "cliente_tipo_operacion": "3",
                "cliente_email": "a@b.py",
                "cliente_direccion": "Avda. Mcal. López 1250",
                "cliente_telefono": "021 555 000",
            },
            {
                "tipoOperacion": 3,
                "email": "a@b.py",
                "direccion": "Avda. Mcal. López 1250",
                "telefono": "021 555 000",
            },
        ),
    ],
    ids=["ruc", "passport-by-name", "cedula-by-default", "anonymous", "innominado", "contact"],
)
def test_customer_columns(values: dict[str, str], cliente: dict[str, Any]) -> None:
    got = one([row(**values)])["cliente"]
    assert {k: got.get(k) for k in cliente} == cliente


def test_an_identity_document_needs_its_number() -> None:
    assert fields_of([row(cliente_ruc="", cliente_documento_tipo="1")]) == [
        "fila 2, cliente_documento_numero"
    ]


@pytest.mark.parametrize(
    ("values", "condicion"),
    [
        (
            {"condicion": "Crédito", "credito_plazo": "30 días"},
            {"tipo": 2, "credito": {"tipo": 1, "plazo": "30 días"}},
        ),
        (
            {"condicion": "2", "credito_cuotas": "3"},
            {"tipo": 2, "credito": {"tipo": 2, "cuotas": 3}},
        ),
        (
            {"pago_tipo": "3"},
            {"tipo": 1, "entregas": [{"tipo": 3, "monto": 110000, "moneda": "PYG"}]},
        ),
        ({}, {"tipo": 1}),
    ],
)
def test_condicion_columns(values: dict[str, str], condicion: dict[str, Any]) -> None:
    assert one([row(**values)])["condicion"] == condicion


def test_credit_sale_validates() -> None:
    de = one([row(condicion="credito", credito_plazo="30 días")])
    doc, _ = document_from_json(de)
    assert doc is not None and validate_document(RULES.prepare(doc), now=NOW) == []


def test_notes_name_the_invoice_they_correct() -> None:
    cdc = "01800695631001001000000122024101911000079194"
    de = one([row(tipo_documento="5", documento_asociado_cdc=cdc)])
    assert de["tipoDocumento"] == 5 and "factura" not in de and "condicion" not in de
    assert de["documentoAsociado"] == {"formato": 1, "cdc": cdc}
    assert fields_of([row(tipo_documento="nota de crédito", documento_asociado_cdc="123")]) == [
        "fila 2, documento_asociado_cdc"
    ]


def test_explicit_numbers_and_places() -> None:
    de = one([row(establecimiento="2", punto="010", numero="0000150")])
    assert (de["establecimiento"], de["punto"], de["numero"]) == ("002", "010", 150)
    assert "numero" not in one([row()])


@pytest.mark.parametrize(
    "fecha", ["2025-06-02", "02/06/2025", "02/06/2025 00:00", "2025-06-02T00:00:00"]
)
def test_date_formats(fecha: str) -> None:
    assert one([row(fecha=fecha)])["fecha"] == "2025-06-02T00:00:00"


# -- whole-import check with positions ------------------------------------------------------------


def test_check_rows_turns_domain_paths_into_rows_and_columns() -> None:
    rows = [
        row(cliente_razon_social="Ana"),
        row(cliente_razon_social="Ana", item_precio_unitario="10,5"),
        row("V-2", fecha="2099-01-01 00:00:00"),
        row("V-3"),
    ]
    (doc1, err1), (doc2, err2), (doc3, err3) = check_rows(rows, now=NOW)
    assert doc1 is None and [e.field for e in err1] == [
        "fila 2, cliente_razon_social",
        "fila 3, item_precio_unitario",
    ]
    assert "4 y 255" in err1[0].message and "decimales" in err1[1].message
    assert doc2 is None and [e.field for e in err2] == ["fila 4, fecha"]
    assert doc3 is not None and err3 == [] and doc3.codigo_seguridad is not None


# -- reading files ---------------------------------------------------------------------------------


def test_read_csv_tolerates_bom_semicolons_and_windows_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "ventas.csv"
    text = (
        "\ufeffDocumento;Fecha;Item_Descripcion\r\n"
        'V-1;2025-06-02;"Pintura; blanca"\r\n'
        "\r\n"
        "V-2;2025-06-03;Clavos\r\n\r\n"
    )
    path.write_bytes(text.encode("utf-8"))
    assert read_csv(path) == [
        {"documento": "V-1", "fecha": "2025-06-02", "item_descripcion": "Pintura; blanca"},
        {"documento": "", "fecha": "", "item_descripcion": ""},  # kept: row numbers stay true
        {"documento": "V-2", "fecha": "2025-06-03", "item_descripcion": "Clavos"},
    ]


def test_read_csv_sniffs_commas_and_reads_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "ventas.csv"
    path.write_bytes(
        'documento,cliente_razon_social,item_cantidad\nV-1,María Benítez,"1,5"\n'.encode("cp1252")
    )
    assert read_csv(path) == [
        {"documento": "V-1", "cliente_razon_social": "María Benítez", "item_cantidad": "1,5"}
    ]


def test_short_rows_are_padded_and_empty_files_give_nothing() -> None:
    assert parse_csv_text("a;b;c\n1;2\n") == [{"a": "1", "b": "2", "c": ""}]
    assert parse_csv_text("") == [] and rows_to_de_json([]) == []


# -- the sample file ---------------------------------------------------------------------------------


def test_the_sample_file_imports_cleanly() -> None:
    rows = read_csv(SAMPLE)
    results = rows_to_de_json(rows)
    assert len(results) == 5
    assert document_keys(rows) == ["V-1001", "V-1002", "V-1003", "V-1004", "V-1005"]
    for de, errors in results:
        assert errors == []
        doc, problems = document_from_json(de)
        assert problems == [] and doc is not None
        assert validate_document(RULES.prepare(doc), now=NOW) == []
    assert all(doc is not None and not errs for doc, errs in check_rows(rows, now=NOW))


def test_the_sample_file_goes_into_the_outbox_with_its_sale_numbers(db: Database) -> None:
    profile = save_profile(
        db,
        ProviderProfile(
            name="CSV",
            provider="dtepy",
            country="PY",
            base_url="sandbox:",
            tenant="1",
            emisor_ruc="80069563-1",
        ),
    )
    assert profile.id is not None
    rows = read_csv(SAMPLE)
    docs = [RULES.parse(de)[0] for de, _ in rows_to_de_json(rows)]
    result = enqueue_documents(db, profile.id, docs, external_refs=document_keys(rows), now=NOW)
    assert result.ok and len(result.ids) == 5


def test_header_names_are_case_insensitive_even_without_read_csv() -> None:
    shouted = {k.upper(): v for k, v in row().items()}
    ((de, errors),) = rows_to_de_json([shouted])
    assert errors == [] and de is not None and document_keys([shouted]) == ["V-1"]


@pytest.mark.parametrize(
    ("fecha", "read"),
    [
        ("2025-06-02 09:15", "2025-06-02T09:15:00"),
        ("2025-06-02T09:15:07", "2025-06-02T09:15:07"),
        ("2025-6-2 9:15", "2025-06-02T09:15:00"),  # not zero-padded: strptime still reads it
    ],
)
def test_usual_and_unusual_spellings_of_a_date_read_the_same_date(fecha: str, read: str) -> None:
    assert one([row(fecha=fecha)])["fecha"] == read


@pytest.mark.parametrize("fecha", ["2025-02-30 10:00", "2025-06-02 24:00", "2025-13-01"])
def test_an_impossible_date_in_the_usual_spelling_is_still_an_error(fecha: str) -> None:
    assert fields_of([row(fecha=fecha)]) == ["fila 2, fecha"]


def test_check_rows_hands_each_parsed_document_to_the_given_check() -> None:
    """The import preview passes the outbox's check: its result is what is kept, its
    problems are placed on their rows and columns like the domain's own."""
    seen = []

    def check(doc):
        seen.append(doc.items[0].descripcion)
        return ("kept", []) if len(seen) == 1 else (None, [ValidationError("items[0].cantidad", "mal")])

    out = check_rows([row("V-1"), row("V-2", item_descripcion="Otro")], now=NOW, check=check)
    assert seen == ["Martillo", "Otro"]
    assert out[0] == ("kept", [])
    assert out[1][0] is None and [e.field for e in out[1][1]] == ["fila 3, item_cantidad"]
