"""Importing a file into a shared PostgreSQL database: the conflicts with stored documents
are found in one statement for all the keys and one for all the numbers (arrays, not
SQLite's JSON), and a number another cashier takes between the preview and the save is
named on its row, with nothing saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from desktop_app.documents import importing
from desktop_app.documents.importing import commit_import, database_conflicts, preview_import
from desktop_app.domain.country import rules_for
from desktop_app.store.models import Document
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from tests.documents.test_import_once import _statements, stored, write_sales
from tests.postgres.helpers import profile
from tests.support.factories import document


def test_conflicts_are_found_with_the_same_few_statements_for_any_file_size(
    shared, tmp_path: Path
) -> None:
    db, pid = shared
    assert commit_import(db, pid, preview_import(
        write_sales(tmp_path / "viejas.csv", 3, first=5), "PY")).ok  # K-5..K-7, numbers 5..7
    found: dict[int, dict] = {}
    counts = []
    for size in (8, 300):
        preview = preview_import(write_sales(tmp_path / f"v{size}.csv", size), "PY")
        counts.append(_statements(db, lambda p=preview, n=size: found.__setitem__(
            n, database_conflicts(db, pid, p))))
    assert counts[0] == counts[1] <= 4
    for size in (8, 300):
        assert sorted(found[size]) == [4, 5, 6]
        messages = [e.message for e in found[size][5]]
        assert "«K-6» ya fue importado" in messages[0]
        assert messages[1] == "El número 001-001-0000006 ya está usado en este perfil."


@pytest.mark.parametrize("stale_marker", [False, True])
def test_a_number_taken_between_preview_and_save_is_named_and_nothing_is_saved(
    shared, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stale_marker: bool
) -> None:
    """With a stale marker the commit does not look again: PostgreSQL's unique
    constraint refuses the INSERT, and the row is named all the same."""
    db, pid = shared
    preview = preview_import(write_sales(tmp_path / "v.csv", 3), "PY", db=db, profile_id=pid)
    assert preview.ok
    taken = document(numero=2)
    assert enqueue_documents(db, pid, [taken]).ok
    if stale_marker:
        monkeypatch.setattr(importing, "_database_marker", lambda *_: preview.checked_against)

    result = commit_import(db, pid, preview)

    assert result.ids == [] and list(result.errors) == [1] and not result.file_errors
    [problem] = result.errors[1]
    assert (problem.row, problem.column) == (4, "numero") and "ya está usado" in problem.message
    with db.session() as s:
        assert s.exec(select(Document.numero)).all() == [2]
    assert len(commit_import(db, pid, preview, only_valid=True).ids) == 2


def test_the_checked_path_stores_what_the_validating_path_stores(shared, tmp_path: Path) -> None:
    db, pid = shared
    preview = preview_import(write_sales(tmp_path / "v.csv", 4, numbered=False), "PY",
                             db=db, profile_id=pid)
    assert commit_import(db, pid, preview).ok
    rules = rules_for("PY")
    docs = [rules.parse(data)[0] for data in preview.documents]
    other = save_profile(db, profile(name="otra", is_default=False))
    assert enqueue_documents(db, other.id, docs, actor="import",
                             external_refs=list(preview.keys)).ok
    rows = stored(db)
    documents = [r for r in rows if "payload" in r]
    assert documents[:4] == documents[4:]
