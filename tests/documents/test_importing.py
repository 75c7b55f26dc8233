"""Import: every error by row and column before saving; all or nothing unless asked."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

from desktop_app.documents.importing import CellError, commit_import, preview_import
from desktop_app.store.models import Document
from desktop_app.store.queries import document_ids, document_payload
from tests.documents.conftest import profile

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
PY_SAMPLE = SAMPLES / "paraguay.csv"


def _broken_copy(tmp_path: Path) -> Path:
    """The Paraguayan sample with a zero quantity (row 3) and a wrong RUC digit (row 9)."""
    text = PY_SAMPLE.read_text(encoding="utf-8")
    text = text.replace(";Clavos de 2 pulgadas (kg);1,5;", ";Clavos de 2 pulgadas (kg);0;")
    text = text.replace("80024242-4", "80024242-9")
    path = tmp_path / "ventas.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_paraguayan_sample_previews_as_five_valid_documents():
    preview = preview_import(PY_SAMPLE, "PY")
    assert preview.ok
    assert len(preview.documents) == 5 and preview.valid_indexes == [0, 1, 2, 3, 4]
    assert preview.keys == ["V-1001", "V-1002", "V-1003", "V-1004", "V-1005"]
    assert preview.document_rows[0] == [2, 3, 4]
    assert preview.documents[0]["items"][1]["cantidad"] == 1.5
    assert "todos válidos" in preview.summary()


def test_every_error_is_reported_on_its_row_and_column_before_anything_is_saved(tmp_path: Path):
    preview = preview_import(_broken_copy(tmp_path), "PY")
    assert not preview.ok
    assert set(preview.errors) == {0, 3}
    where = {(e.row, e.column) for e in preview.all_errors()}
    assert where == {(3, "item_cantidad"), (9, "cliente_ruc")}
    assert preview.cell_errors()[(9, "cliente_ruc")] == [
        "El dígito verificador del RUC 80024242 debe ser 4, no 9."
    ]
    assert preview.documents[0] is None and preview.documents[1] is not None
    assert "3 válidos, 2 con errores" in preview.summary()


def test_by_default_one_invalid_document_saves_nothing(tmp_path: Path, db, py_profile):
    preview = preview_import(_broken_copy(tmp_path), "PY")
    result = commit_import(db, py_profile.id, preview)
    assert result.ids == [] and set(result.errors) == {0, 3}
    assert document_ids(db) == []
    assert "No se importó nada" in result.message()


def test_import_only_the_valid_ones_is_an_explicit_choice(tmp_path: Path, db, py_profile):
    preview = preview_import(_broken_copy(tmp_path), "PY")
    result = commit_import(db, py_profile.id, preview, only_valid=True)
    assert len(result.ids) == 3 and result.skipped == [0, 3]
    with db.session() as s:
        refs = sorted(s.exec(select(Document.external_ref)).all())
        states = set(s.exec(select(Document.state)).all())
    assert refs == ["V-1002", "V-1003", "V-1005"] and states == {"QUEUED"}
    assert "3 documentos" in result.message() and "2 con errores" in result.message()


def test_saved_documents_are_what_the_preview_showed(db, py_profile):
    preview = preview_import(PY_SAMPLE, "PY")
    result = commit_import(db, py_profile.id, preview)
    assert result.ok and len(result.ids) == 5
    stored = document_payload(db, result.ids[0])
    shown = preview.documents[0]
    assert stored["items"] == shown["items"]
    assert stored["codigoSeguridadAleatorio"] == shown["codigoSeguridadAleatorio"]


def test_importing_the_same_file_twice_is_refused_before_saving(db, py_profile):
    assert commit_import(db, py_profile.id, preview_import(PY_SAMPLE, "PY")).ok
    again = preview_import(PY_SAMPLE, "PY", db=db, profile_id=py_profile.id)
    assert set(again.errors) == {0, 1, 2, 3, 4}
    first = again.errors[0][0]
    assert (first.row, first.column) == (2, "documento") and "ya fue importado" in first.message
    assert commit_import(db, py_profile.id, again, only_valid=True).ids == []
    assert len(document_ids(db)) == 5


def test_a_number_already_used_or_repeated_in_the_file_is_an_error(tmp_path: Path, db, py_profile):
    path = tmp_path / "numeros.csv"
    path.write_text(
        "documento;fecha;numero;cliente_ruc;cliente_razon_social;item_descripcion;item_cantidad;"
        "item_precio_unitario;item_iva\n"
        "A;2025-06-02 09:00;7;80012345-0;Cliente Uno;Tornillos;1;1000;10\n"
        "B;2025-06-02 09:00;7;80012345-0;Cliente Dos;Tornillos;1;1000;10\n",
        encoding="utf-8",
    )
    preview = preview_import(path, "PY", db=db, profile_id=py_profile.id)
    assert list(preview.errors) == [1] and "se repite" in preview.errors[1][0].message
    commit_import(db, py_profile.id, preview, only_valid=True)
    later = preview_import(path, "PY", db=db, profile_id=py_profile.id)
    assert any(
        "ya está usado" in e.message or "ya fue importado" in e.message for e in later.errors[0]
    )


def test_a_formula_in_an_xlsx_makes_its_document_invalid(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "documento",
            "fecha",
            "cliente_ruc",
            "cliente_razon_social",
            "item_descripcion",
            "item_cantidad",
            "item_precio_unitario",
            "item_iva",
        ]
    )
    ws.append(["V-1", "2025-06-02 09:00", "80012345-0", "Cliente Uno", "Tornillos", 1, 1000, 10])
    ws.append(["V-2", "2025-06-02 09:00", "80012345-0", "Cliente Dos", "Tornillos", 1, "=G2*2", 10])
    wb.save(tmp_path / "f.xlsx")
    preview = preview_import(tmp_path / "f.xlsx", "PY")
    assert preview.valid_indexes == [0]
    messages = preview.cell_errors()[(3, "item_precio_unitario")]
    assert any("fórmula no permitida" in m.lower() for m in messages)


#: What every preview decides afresh (random codes, Lote's references, the time of saving).
FRESH = {
    "PY": ("codigoSeguridadAleatorio",),
    "BO": ("_lote",),
    "AR": ("comprobante.external_reference",),
}


def _amounts(value):
    """Numbers compared as numbers: Argentina keeps amounts as the text it read
    ("1500.00" from a CSV cell, "1500" from a numeric XLSX cell)."""
    if isinstance(value, dict):
        return {k: _amounts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_amounts(v) for v in value]
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            return Decimal(str(value))
        except ArithmeticError:
            return value
    return value


def _without(doc: dict, keys: tuple[str, ...]) -> dict:
    doc = {k: (dict(v) if isinstance(v, dict) else v) for k, v in doc.items()}
    for key in keys:
        head, _, tail = key.partition(".")
        if tail:
            doc.get(head, {}).pop(tail, None)
        else:
            doc.pop(head, None)
    return _amounts(doc)


@pytest.mark.parametrize(
    ("country", "name"), [("PY", "paraguay"), ("BO", "bolivia"), ("AR", "argentina")]
)
def test_each_xlsx_sample_imports_like_its_csv_sample(country, name):
    csv_docs = preview_import(SAMPLES / f"{name}.csv", country).documents
    xlsx_docs = preview_import(SAMPLES / f"{name}.xlsx", country).documents
    assert csv_docs and all(d is not None for d in xlsx_docs)
    keys = FRESH[country]
    assert [_without(d, keys) for d in xlsx_docs] == [_without(d, keys) for d in csv_docs]


@pytest.mark.parametrize("country", ["BO", "AR"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_bolivian_and_argentine_samples_preview_cleanly(country, kind):
    name = {"BO": "bolivia", "AR": "argentina"}[country]
    preview = preview_import(SAMPLES / f"{name}.{kind}", country)
    assert preview.ok, preview.all_errors()


def test_bolivian_errors_land_on_their_cells(tmp_path: Path):
    text = (SAMPLES / "bolivia.csv").read_text(encoding="utf-8")
    path = tmp_path / "bo.csv"
    path.write_text(
        text.replace("Soporte técnico (horas),6,", "Soporte técnico (horas),-6,"), encoding="utf-8"
    )
    preview = preview_import(path, "BO")
    assert list(preview.errors) == [0]
    assert {(e.row, e.column) for e in preview.errors[0]} == {(3, "cantidad")}
    assert not preview.errors[0][0].message.lower().startswith("fila")


def test_argentine_errors_land_on_their_cells(tmp_path: Path):
    text = (SAMPLES / "argentina.csv").read_text(encoding="utf-8")
    path = tmp_path / "ar.csv"
    path.write_text(
        text.replace(',Manual de bricolaje,LIB-001,"250,50",', ",Manual de bricolaje,LIB-001,abc,"),
        encoding="utf-8",
    )
    preview = preview_import(path, "AR")
    assert list(preview.errors) == [0]
    error = preview.errors[0][0]
    assert (error.row, error.column) == (3, "precio_unitario_sin_iva")


def test_a_bad_file_is_a_file_error_not_an_exception(tmp_path: Path):
    assert preview_import(tmp_path / "x.ods", "PY").file_errors
    assert preview_import(tmp_path / "missing.csv", "PY").file_errors
    (tmp_path / "empty.csv").write_text("documento;fecha\n", encoding="utf-8")
    assert "no tiene filas" in preview_import(tmp_path / "empty.csv", "PY").file_errors[0]
    assert preview_import(PY_SAMPLE, "XX").file_errors


def test_a_file_previewed_for_one_country_is_not_saved_into_another(db):
    bolivia = profile(db, "BO")
    result = commit_import(db, bolivia.id, preview_import(PY_SAMPLE, "PY"))
    assert result.ids == [] and "Bolivia" in result.file_errors[0]


def test_cell_errors_print_as_a_user_finds_them():
    assert (
        str(CellError(3, "item_cantidad", "Debe ser mayor que cero."))
        == "fila 3, item_cantidad: Debe ser mayor que cero."
    )
