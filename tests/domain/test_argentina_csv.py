"""Argentine comprobantes from a spreadsheet (one row per item, grouped by `documento`),
and the sample files of resources/samples, which must import cleanly."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from desktop_app.domain.argentina import RULES, document_totals
from desktop_app.domain.argentina_csv import read_csv, rows_to_json
from desktop_app.store.db import Database
from desktop_app.store.models import ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"

HEADER = {
    "documento": "V-1", "tipo": "FACTURA B", "punto_venta": "3", "fecha": "",
    "cliente_documento_tipo": "DNI", "cliente_documento_nro": "30111222",
    "cliente_razon_social": "Juan Pérez", "cliente_condicion_iva": "CF",
    "cliente_domicilio": "Av. Corrientes 1234", "cliente_provincia": "2",
    "cliente_condicion_pago": "211",
}


def row(**cells: str) -> dict[str, str]:
    return {**HEADER, "cantidad": "1", "descripcion": "Producto de prueba",
            "precio_unitario_sin_iva": "100", "alicuota": "21", **cells}


def test_rows_of_one_documento_make_one_comprobante_in_tusfacturas_shape() -> None:
    rows = [
        row(cantidad="2", precio_unitario_sin_iva="1.500,00", codigo="TAL-650"),
        {"documento": "V-1", "cantidad": "1", "descripcion": "Manual de bricolaje",
         "precio_unitario_sin_iva": "250,50", "alicuota": "10,5", "leyenda": "tapa dura"},
        row(documento="V-2", tipo="6", fecha="2025-03-20", total="121,00"),
    ]
    [(first, e1), (second, e2)] = rows_to_json(rows)
    assert e1 == [] and e2 == []
    assert first is not None and second is not None
    assert first["cliente"] == {
        "documento_tipo": "DNI", "documento_nro": "30111222", "razon_social": "Juan Pérez",
        "condicion_iva": "CF", "domicilio": "Av. Corrientes 1234", "provincia": "2",
        "condicion_pago": "211", "envia_por_mail": "N"}
    k = first["comprobante"]
    assert (k["tipo"], k["punto_venta"], k["moneda"], k["cotizacion"]) == ("FACTURA B", 3, "PES", "1")
    assert "fecha" not in k and "numero" not in k and "total" not in k
    assert k["detalle"] == [
        {"cantidad": "2", "producto": {"descripcion": "Producto de prueba",
                                       "precio_unitario_sin_iva": "1500.00", "alicuota": "21",
                                       "codigo": "TAL-650"}},
        {"cantidad": "1", "producto": {"descripcion": "Manual de bricolaje",
                                       "precio_unitario_sin_iva": "250.50", "alicuota": "10.5"},
         "leyenda": "tapa dura"},
    ]
    assert second["comprobante"]["fecha"] == "20/03/2025"
    assert second["comprobante"]["total"] == "121.00"
    doc, errors = RULES.parse(first)
    assert errors == [] and doc is not None
    assert document_totals(doc).total == Decimal("3906.80")


def test_errors_name_the_spreadsheet_row_and_column() -> None:
    rows = [
        row(precio_unitario_sin_iva="abc", cantidad=""),
        {"documento": "V-1", "tipo": "FACTURA A", "cantidad": "1", "descripcion": "Otro ítem",
         "precio_unitario_sin_iva": "10", "alicuota": "21"},
        row(documento="V-2", tipo="FACTURA Z", punto_venta="tres", fecha="31/02/2025"),
        {**row(), "documento": ""},
    ]
    results = rows_to_json(rows)
    assert [doc for doc, _ in results] == [None, None, None]
    messages = [[e.message for e in errors] for _, errors in results]
    assert messages[0] == [
        "Fila 3, columna «tipo»: difiere de la fila 2 del mismo comprobante («FACTURA A» frente a «FACTURA B»).",
        "Fila 2, columna «cantidad»: es obligatoria.",
        "Fila 2, columna «precio_unitario_sin_iva»: debe ser un número («abc»).",
    ]
    assert messages[1] == [
        "Fila 4, columna «tipo»: no es un tipo de comprobante válido («FACTURA Z»).",
        "Fila 4, columna «punto_venta»: debe ser un número entero («tres»).",
        "Fila 4, columna «fecha»: debe ser una fecha dd/mm/aaaa («31/02/2025»).",
    ]
    assert messages[2] == ["Fila 5, columna «documento»: es obligatoria: agrupa las filas de un mismo comprobante."]
    assert [e.field for e in results[0][1]] == ["tipo", "cantidad", "precio_unitario_sin_iva"]


def test_missing_required_header_cells_are_reported_once_per_document() -> None:
    incomplete = {k: v for k, v in row().items() if k != "cliente_domicilio"}
    [(doc, errors)] = rows_to_json([incomplete, {"documento": "V-1", "cantidad": "1",
                                                 "descripcion": "Segundo", "alicuota": "0",
                                                 "precio_unitario_sin_iva": "1"}])
    assert doc is None
    assert [e.message for e in errors] == ["Fila 2, columna «cliente_domicilio»: es obligatoria."]


def test_blank_lines_are_skipped_and_headers_are_case_insensitive() -> None:
    upper = {k.upper(): v for k, v in row().items()}
    results = rows_to_json([upper, {k: "" for k in upper}, row(documento="V-2")])
    assert [errors for _, errors in results] == [[], []]


def test_read_csv_takes_semicolons_and_a_byte_order_mark(tmp_path: Path) -> None:
    text = "documento;tipo;cantidad\nV-1;FACTURA B;2\n"
    path = tmp_path / "ventas.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_csv(path) == [{"documento": "V-1", "tipo": "FACTURA B", "cantidad": "2"}]
    assert read_csv("documento,descripcion\nV-1,Café\n".encode("cp1252")) == [
        {"documento": "V-1", "descripcion": "Café"}]


# -- the samples ----------------------------------------------------------------------------


def test_sample_json_imports_cleanly() -> None:
    data = json.loads((SAMPLES / "argentina.json").read_text(encoding="utf-8"))
    assert len(data) == 4
    totals = []
    for entry in data:
        doc, errors = RULES.parse(entry)
        assert errors == [] and doc is not None
        doc = RULES.prepare(doc)
        assert RULES.validate(doc, now=datetime.now()) == []
        totals.append(document_totals(doc).total)
    assert totals == [Decimal("3906.80"), Decimal("139.00"), Decimal("10890.00"), Decimal("121.00")]


def test_sample_csv_imports_cleanly() -> None:
    results = rows_to_json(read_csv(SAMPLES / "argentina.csv"))
    assert len(results) == 3
    totals = []
    for data, errors in results:
        assert errors == [] and data is not None
        doc, parse_errors = RULES.parse(data)
        assert parse_errors == [] and doc is not None
        doc = RULES.prepare(doc)
        assert RULES.validate(doc) == []
        totals.append(document_totals(doc).total)
    assert totals == [Decimal("3906.80"), Decimal("139.00"), Decimal("3266.96")]


def test_samples_queue_in_an_argentine_profile(db: Database) -> None:
    profile = save_profile(db, ProviderProfile(name="ar-samples", provider="tusfacturas",
                                               country="AR", base_url="sandbox:"))
    assert profile.id is not None
    docs = [RULES.parse(entry)[0] for entry in
            json.loads((SAMPLES / "argentina.json").read_text(encoding="utf-8"))]
    docs += [RULES.parse(data)[0] for data, _ in rows_to_json(read_csv(SAMPLES / "argentina.csv"))]
    result = enqueue_documents(db, profile.id, docs)
    assert result.ok, result.errors
    assert len(result.ids) == 7
