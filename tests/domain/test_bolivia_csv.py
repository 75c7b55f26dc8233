"""Bolivian invoices from spreadsheet rows, and the Bolivian sample files.

Rows are what `csv.DictReader` gives; errors name the cell as a spreadsheet shows it
(the header is row 1): "fila 3, cantidad".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop_app.domain.bolivia import RULES, invoice_from_json
from desktop_app.domain.bolivia_csv import COLUMNS, parse_number, read_csv, rows_to_json
from desktop_app.store.db import Database
from desktop_app.store.models import ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
POS = "660e8400-e29b-41d4-a716-446655440004"


def row(documento: str = "F-1", **cells: str) -> dict[str, str]:
    base = {
        "documento": documento, "punto_venta": POS, "sucursal": "0",
        "tipo_documento_cliente": "5", "documento_cliente": "1023456789", "complemento": "",
        "razon_social": "EMPRESA DEMO S.R.L.", "email": "", "metodo_pago": "1", "moneda": "",
        "actividad": "620100", "producto_sin": "83141", "descripcion": "Servicio",
        "cantidad": "1", "unidad_medida": "58", "precio_unitario": "113", "descuento": "",
    }
    base.update(cells)
    return base


def fields(result: tuple[dict[str, Any] | None, list[Any]]) -> list[str]:
    return [e.field for e in result[1]]


def test_rows_of_one_document_become_one_invoice_with_one_detail_each() -> None:
    [(data, errors)] = rows_to_json([
        row(),
        row(razon_social="", punto_venta="", actividad="620100", producto_sin="83131",
            descripcion="Soporte", cantidad="6", precio_unitario="113,00", descuento="28,25"),
    ])
    assert errors == [] and data is not None
    assert data == {
        "pointOfSaleId": POS,
        "clientDocumentType": 5,
        "clientDocumentNumber": "1023456789",
        "clientBusinessName": "EMPRESA DEMO S.R.L.",
        "paymentMethodCode": 1,
        "details": [
            {"activityCode": "620100", "sinProductCode": "83141", "description": "Servicio",
             "quantity": 1, "unitMeasure": 58, "unitPrice": 113},
            {"activityCode": "620100", "sinProductCode": "83131", "description": "Soporte",
             "quantity": 6, "unitMeasure": 58, "unitPrice": 113, "discount": 28.25},
        ],
        "_lote": {"sucursal": "0"},
    }
    invoice, _ = invoice_from_json(data)
    assert invoice is not None and str(invoice.total) == "762.75"  # 113 + 6 × 113 − 28.25


def test_documents_come_back_in_order_of_first_appearance() -> None:
    results = rows_to_json([row("B"), row("A"), row("B", descripcion="Otro")])
    assert [len(d["details"]) for d, _ in results if d] == [2, 1]
    assert [d["details"][0]["description"] for d, _ in results if d] == ["Servicio", "Servicio"]


def test_a_cell_that_is_not_a_number_names_its_row_and_column() -> None:
    [result] = rows_to_json([row(), row(cantidad="dos")])
    assert result[0] is None
    assert fields(result) == ["fila 3, cantidad"]
    assert result[1][0].message == "fila 3, cantidad: debe ser un número (se leyó «dos»)."


def test_domain_rules_are_pointed_back_at_their_cells() -> None:
    [result] = rows_to_json([row(documento_cliente="12.345"),
                             row(documento_cliente="", cantidad="0")])
    assert result[0] is None
    assert fields(result) == ["fila 2, documento_cliente", "fila 3, cantidad"]
    assert result[1][1].message == "fila 3, cantidad: debe ser mayor que cero."


def test_header_cells_that_disagree_within_a_document_are_an_error() -> None:
    [result] = rows_to_json([row(), row(razon_social="OTRA EMPRESA")])
    assert fields(result) == ["fila 3, razon_social"]
    assert "no coincide con la fila 2" in result[1][0].message


def test_missing_required_cells_and_document_key() -> None:
    results = rows_to_json([row(documento=""), row(descripcion="", metodo_pago="")])
    assert fields(results[0]) == ["fila 2, documento"]
    assert fields(results[1]) == ["fila 3, metodo_pago", "fila 3, descripcion"]
    assert all(data is None for data, _ in results)


def test_integer_columns_refuse_decimals() -> None:
    [result] = rows_to_json([row(unidad_medida="58.5", tipo_documento_cliente="NIT")])
    assert fields(result) == ["fila 2, tipo_documento_cliente", "fila 2, unidad_medida"]


def test_header_names_are_case_insensitive_and_unknown_columns_ignored() -> None:
    shouted = {k.upper(): v for k, v in row().items()} | {"Vendedor": "Ana"}
    [(data, errors)] = rows_to_json([shouted])
    assert errors == [] and data is not None and data["clientBusinessName"] == "EMPRESA DEMO S.R.L."


def test_numbers_accept_a_decimal_comma_or_point() -> None:
    assert str(parse_number("12,50")) == "12.50"
    assert str(parse_number("12.50")) == "12.50"
    assert str(parse_number("1.234,50")) == "1234.50"
    assert str(parse_number("1,234.50")) == "1234.50"
    assert parse_number("1,2,3") is None and parse_number("doce") is None
    assert parse_number("") is None


def test_the_documented_columns_are_the_samples_columns() -> None:
    header = (SAMPLES / "bolivia.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert tuple(header) == COLUMNS


def test_the_csv_sample_imports_cleanly_and_matches_the_json_sample() -> None:
    results = rows_to_json(read_csv(SAMPLES / "bolivia.csv"))
    assert [errors for _, errors in results] == [[], [], [], []]
    from_csv = [invoice_from_json(d)[0] for d, _ in results]
    from_json = [invoice_from_json(d)[0] for d in _json_sample()]
    assert [i.total for i in from_csv if i] == [i.total for i in from_json if i]


def _json_sample() -> list[dict[str, Any]]:
    data = json.loads((SAMPLES / "bolivia.json").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_the_json_sample_imports_cleanly() -> None:
    for raw in _json_sample():
        invoice, errors = RULES.parse(raw)
        assert errors == [] and invoice is not None
        assert RULES.validate(RULES.prepare(invoice)) == []


def test_both_samples_can_be_queued_in_a_bolivian_profile(db: Database) -> None:
    profile = save_profile(db, ProviderProfile(
        name="CUCU", provider="cucu", country="BO", base_url="https://sandbox.cucu.bo",
        max_batch=20))
    assert profile.id is not None
    invoices = [RULES.parse(raw)[0] for raw in _json_sample()]
    invoices += [RULES.parse(d)[0] for d, _ in rows_to_json(read_csv(SAMPLES / "bolivia.csv"))]
    result = enqueue_documents(db, profile.id, invoices)
    assert result.ok and len(result.ids) == 8
