"""A database made by the first release (tests/fixtures/lote-schema-0001.sqlite3, schema
0001 with rows in every table) opens in this version with nothing lost (DESIGN rule 5).

Complements tests/store/test_store.py's programmatic upgrade: this file is a real
database of old code, kept as it was, and it is walked through every migration one by
one, then opened the way the app opens it (integrity check, backup, upgrade to head).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from desktop_app.store.db import Database, alembic_config
from tests.packaging.schema_0001_fixture import FIXTURE

OLD_TABLES = ("provider_profile", "lote", "number_sequence", "document", "document_event")


def _rows(path: Path) -> dict[str, dict[int, dict[str, object]]]:
    """Every row of the tables the 0001 schema had, by table and primary key."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return {
            table: {row["id"]: dict(row) for row in conn.execute(f"SELECT * FROM {table}")}
            for table in OLD_TABLES
        }
    finally:
        conn.close()


def _revision(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()


def _assert_kept(before: dict, after: dict) -> None:
    """Every old row is still there with every old column's value unchanged (new
    columns may be added)."""
    for table, rows in before.items():
        assert set(after[table]) == set(rows), f"{table}: rows lost or added"
        for key, old in rows.items():
            new = after[table][key]
            changed = {c: (v, new.get(c)) for c, v in old.items() if new.get(c) != v}
            assert not changed, f"{table} id {key} changed: {changed}"


@pytest.fixture
def old_database(tmp_path: Path) -> Path:
    target = tmp_path / "data" / "lote.sqlite3"
    target.parent.mkdir()
    shutil.copyfile(FIXTURE, target)
    return target


def test_the_fixture_is_a_first_release_database_with_rows_in_every_table() -> None:
    assert _revision(FIXTURE) == "0001"
    rows = _rows(FIXTURE)
    assert all(len(rows[t]) >= 2 for t in OLD_TABLES)
    assert {r["state"] for r in rows["document"].values()} >= {
        "APPROVED",
        "REJECTED",
        "SUBMITTED",
        "QUEUED",
    }


def test_every_migration_in_turn_keeps_every_row(old_database: Path) -> None:
    before = _rows(old_database)
    db = Database(f"sqlite:///{old_database}")
    cfg = alembic_config(db.engine)
    script = ScriptDirectory.from_config(cfg)
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions[0] == "0001" and len(revisions) >= 2
    try:
        for revision in revisions[1:]:
            command.upgrade(cfg, revision)
            assert _revision(old_database) == revision
            _assert_kept(before, _rows(old_database))
            conn = sqlite3.connect(old_database)
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            conn.close()
    finally:
        db.dispose()
    assert _revision(old_database) == script.get_current_head()


def test_opening_it_backs_up_first_then_upgrades_to_head_with_nothing_lost(
    old_database: Path,
) -> None:
    from desktop_app.store.queries import document_events, list_documents

    before = _rows(old_database)
    backups = old_database.parent / "backups"
    db = Database.open(f"sqlite:///{old_database}", backup_dir=backups, check=True)
    try:
        assert db.current_revision() == db.head_revision()
        _assert_kept(before, _rows(old_database))

        [backup] = list(backups.glob("*pre-migration-0001*"))
        assert _revision(backup) == "0001"
        assert _rows(backup) == before

        # The app reads the old documents as its own.
        rows = {r.numero: r for r in list_documents(db)}
        assert set(rows) == {f"001-001-{n:07d}" for n in range(1, 5)}
        assert (
            rows["001-001-0000001"].state == "APPROVED" and rows["001-001-0000001"].code == "0260"
        )
        assert rows["001-001-0000002"].message == "RUC del receptor inexistente"
        assert [e.to_state for e in document_events(db, rows["001-001-0000001"].id)] == [
            "QUEUED",
            "SENDING",
            "SUBMITTED",
            "APPROVED",
        ]
    finally:
        db.dispose()

    # The audit trail is still append-only after the tables were rebuilt.
    conn = sqlite3.connect(old_database)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM document_event")
    conn.close()


def test_the_next_invoice_continues_the_old_numbering(old_database: Path) -> None:
    from desktop_app.store.outbox import enqueue_documents
    from desktop_app.store.queries import list_documents
    from tests.support.factories import document

    db = Database.open(f"sqlite:///{old_database}", backup_dir=old_database.parent / "backups")
    try:
        result = enqueue_documents(db, 1, [document()])
        assert result.ok, result.errors
        assert [r.numero for r in list_documents(db)][-1] == "001-001-0000005"
    finally:
        db.dispose()
