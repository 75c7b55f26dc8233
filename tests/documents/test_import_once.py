"""Import: each document is prepared and validated once, by the preview, and saved as
the preview checked it (BENCHMARKS.md, import) — with exactly the rows and payloads the
validating path stores, and with the database's conflicts still found on every row."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import select

from desktop_app.documents import importing
from desktop_app.documents.importing import (
    ImportPreview,
    commit_import,
    database_conflicts,
    preview_import,
)
from desktop_app.domain.country import rules_for
from desktop_app.store.db import Database
from desktop_app.store.models import Document, DocumentEvent
from desktop_app.store.outbox import Checked, check_document, enqueue_checked, enqueue_documents
from desktop_app.store.queries import document_ids
from tests.documents.conftest import ar_json, profile, py_json

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
SAMPLE = {"PY": "paraguay", "BO": "bolivia", "AR": "argentina"}
HEADER = [
    "documento",
    "fecha",
    "numero",
    "cliente_ruc",
    "cliente_razon_social",
    "item_descripcion",
    "item_cantidad",
    "item_precio_unitario",
    "item_iva",
]


def write_sales(path: Path, count: int, *, numbered: bool = True, first: int = 1) -> Path:
    """`count` Paraguayan sales K-<n> (two item rows each), numbered n when `numbered`."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(HEADER)
        for n in range(first, first + count):
            for item in ("Tornillos", "Tuercas"):
                w.writerow([f"K-{n}", "2025-06-02 09:00", n if numbered else "", "80012345-0",
                            "Cliente Uno", item, "2", "1000", "10"])
    return path


def with_numbers(source: Path, target: Path, first: int = 11) -> Path:
    """The Paraguayan sample with a ``numero`` column: its sales numbered from `first`."""
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    header, body = rows[0], rows[1:]
    numbers: dict[str, int] = {}
    with target.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow([*header, "numero"])
        for row in body:
            key = row[0]
            numbers.setdefault(key, first + len(numbers))
            w.writerow([*row, numbers[key]])
    return target


def stored(db: Database) -> list[dict]:
    """Every stored document and event, without what differs between two databases."""
    with db.session() as s:
        docs = s.exec(select(Document).order_by(Document.id)).all()
        events = s.exec(select(DocumentEvent).order_by(DocumentEvent.id)).all()
        out = [d.model_dump(exclude={"id", "profile_id", "created_at", "updated_at"}) for d in docs]
        out += [e.model_dump(include={"from_state", "to_state", "actor", "message"}) for e in events]
    return out


def by_hand(preview: ImportPreview) -> ImportPreview:
    """The same preview holding only its JSON, as a caller could build it: saving it
    takes the validating path (parse, prepare, validate in `enqueue_documents`)."""
    return ImportPreview(
        path=preview.path,
        country=preview.country,
        columns=list(preview.columns),
        rows=list(preview.rows),
        documents=list(preview.documents),
        document_rows=list(preview.document_rows),
        keys=list(preview.keys),
    )


def count_validations(monkeypatch: pytest.MonkeyPatch, country: str) -> list[int]:
    calls = [0]
    rules_class = type(rules_for(country))
    original = rules_class.validate

    def counted(self, doc, **kw):
        calls[0] += 1
        return original(self, doc, **kw)

    monkeypatch.setattr(rules_class, "validate", counted)
    return calls


@pytest.mark.parametrize(
    ("country", "numbered"), [("PY", False), ("PY", True), ("BO", False), ("AR", False)]
)
def test_the_checked_path_stores_exactly_what_the_validating_path_stores(
    tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch, country: str, numbered: bool
) -> None:
    source = SAMPLES / f"{SAMPLE[country]}.csv"
    if numbered:
        source = with_numbers(source, tmp_path / "numerado.csv")
    other = Database.open(f"sqlite:///{tmp_path / 'otra.sqlite3'}", backup_dir=tmp_path / "b2")
    try:
        fast, slow = profile(db, country), profile(other, country)
        preview = preview_import(source, country, db=db, profile_id=fast.id)
        assert preview.ok and len(preview.prepared) == len(preview.documents)
        validations = count_validations(monkeypatch, country)

        checked = commit_import(db, fast.id, preview)
        assert checked.ok and validations[0] == 0  # saved as the preview checked them
        validating = commit_import(other, slow.id, by_hand(preview))
        assert validating.ok and validations[0] == len(preview.documents)

        assert len(checked.ids) == len(preview.documents)
        assert stored(db) == stored(other)
    finally:
        other.dispose()


def _sale_numbered(numero: int) -> list:
    data = py_json()
    data["numero"] = numero
    doc, errors = rules_for("PY").parse(data)
    assert doc is not None, errors
    return [doc]


def test_a_number_taken_after_the_preview_is_named_on_its_row_and_nothing_is_saved(
    tmp_path: Path, db: Database, py_profile
) -> None:
    preview = preview_import(write_sales(tmp_path / "v.csv", 3), "PY", db=db,
                             profile_id=py_profile.id)
    assert preview.ok
    assert enqueue_documents(db, py_profile.id, _sale_numbered(2)).ok  # another cashier

    result = commit_import(db, py_profile.id, preview)

    assert result.ids == [] and list(result.errors) == [1]
    [problem] = result.errors[1]
    assert (problem.row, problem.column) == (4, "numero")
    assert problem.message == "El número 001-001-0000002 ya está usado en este perfil."
    assert len(document_ids(db)) == 1


@pytest.mark.parametrize("only_valid", [False, True])
def test_a_number_taken_after_the_last_check_is_refused_by_the_database_and_named_too(
    tmp_path: Path, db: Database, py_profile, monkeypatch: pytest.MonkeyPatch, only_valid: bool
) -> None:
    """Another terminal saves between the commit's check (`_database_marker`, seen as
    unchanged here) and its INSERT: `uq_document_number` refuses the transaction, and
    the row is named as any other conflict — not a crash, not a partial save."""
    preview = preview_import(write_sales(tmp_path / "v.csv", 3), "PY", db=db,
                             profile_id=py_profile.id)
    assert enqueue_documents(db, py_profile.id, _sale_numbered(3)).ok
    monkeypatch.setattr(importing, "_database_marker", lambda *_: preview.checked_against)

    result = commit_import(db, py_profile.id, preview, only_valid=only_valid)

    assert [(e.row, e.column) for e in result.errors[2]] == [(6, "numero")]
    assert "001-001-0000003 ya está usado" in result.errors[2][0].message
    assert not result.file_errors
    with db.session() as s:
        refs = sorted(r for r in s.exec(select(Document.external_ref)).all() if r)
    if only_valid:
        assert len(result.ids) == 2 and result.skipped == [2] and refs == ["K-1", "K-2"]
    else:
        assert result.ids == [] and refs == [] and len(document_ids(db)) == 1
        assert "No se importó nada" in result.message()


def test_an_unchanged_database_is_not_asked_again_when_saving(
    tmp_path: Path, db: Database, py_profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview = preview_import(write_sales(tmp_path / "v.csv", 3), "PY", db=db,
                             profile_id=py_profile.id)
    asked = []
    monkeypatch.setattr(importing, "database_conflicts", lambda *a: asked.append(a) or {})
    assert commit_import(db, py_profile.id, preview).ok and asked == []


def _statements(db: Database, work) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_conflict_check_asks_the_database_the_same_few_times_for_any_file_size(
    tmp_path: Path, db: Database, py_profile
) -> None:
    assert commit_import(db, py_profile.id, preview_import(
        write_sales(tmp_path / "viejas.csv", 3, first=5), "PY")).ok  # K-5..K-7, numbers 5..7
    small = preview_import(write_sales(tmp_path / "chica.csv", 8), "PY")
    large = preview_import(write_sales(tmp_path / "grande.csv", 800), "PY")
    found: dict[str, dict] = {}

    statements = {
        name: _statements(db, lambda p=p, name=name: found.__setitem__(
            name, database_conflicts(db, py_profile.id, p)))
        for name, p in (("small", small), ("large", large))
    }

    assert statements["small"] == statements["large"] <= 4
    for name in ("small", "large"):  # K-5..K-7 imported before, with their numbers
        assert sorted(found[name]) == [4, 5, 6]
        messages = [e.message for e in found[name][4]]
        assert "«K-5» ya fue importado" in messages[0] and "ya está usado" in messages[1]


def test_only_documents_the_outbox_checked_are_saved_without_validating(db: Database) -> None:
    py, bolivia = profile(db, "PY"), profile(db, "BO")
    rules = rules_for("PY")
    doc, _ = rules.parse(py_json())
    prepared = rules.prepare(doc)
    forged = Checked("PY", prepared, rules.summary(prepared))
    with pytest.raises(ValueError, match="check_document"):
        enqueue_checked(db, py.id, [forged])
    checked, problems = check_document(rules, doc)
    assert checked is not None and problems == []
    with pytest.raises(ValueError, match="PY"):
        enqueue_checked(db, bolivia.id, [checked])
    assert document_ids(db) == []
    assert enqueue_checked(db, py.id, [checked]).ok


def test_an_invalid_document_is_not_checked(db: Database) -> None:
    rules = rules_for("PY")
    data = py_json()
    data["items"][0]["cantidad"] = 0
    doc, _ = rules.parse(data)
    checked, problems = check_document(rules, doc)
    assert checked is None and [p.field for p in problems] == ["items[0].cantidad"]


def test_what_only_the_database_can_tell_is_still_checked_when_saving_as_checked(
    tmp_path: Path, db: Database
) -> None:
    """Argentina: dates never go backwards within a punto de venta. A later invoice saved
    on the punto after the preview makes the file's invoices refused, each on its row."""
    with (SAMPLES / "argentina.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    earlier = (date.today() - timedelta(days=3)).strftime("%d/%m/%Y")
    for row in rows:
        if row["tipo"]:
            row["fecha"] = earlier
    path = tmp_path / "ar.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    ar = profile(db, "AR")
    preview = preview_import(path, "AR", db=db, profile_id=ar.id)
    assert preview.ok, preview.all_errors()
    rules = rules_for("AR")
    later, _ = rules.parse(ar_json())  # today, punto de venta 3
    assert enqueue_documents(db, ar.id, [later]).ok

    result = commit_import(db, ar.id, preview)

    assert result.ids == [] and sorted(result.errors) == list(range(len(preview.documents)))
    for index, problems in result.errors.items():
        assert [p.row for p in problems] == [preview.document_rows[index][0]]
        assert "retroceden" in problems[0].message
    assert len(document_ids(db)) == 1
