"""The store on a real SQLite file: schema by migration, durability, numbering,
the append-only audit trail, and write transactions that do not trip over each other."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from desktop_app.domain.states import DocState, InvalidTransition
from desktop_app.store.db import Database
from desktop_app.store.models import Document, DocumentEvent
from desktop_app.store.outbox import enqueue_documents, transition
from desktop_app.store.queries import document_events, find_document, list_documents
from tests.support.factories import document, ruc


def _db_file(db: Database) -> str:
    return db.engine.url.database or ""


def test_a_new_database_is_migrated_to_head_in_wal_mode(db: Database) -> None:
    assert db.current_revision() == db.head_revision()
    conn = sqlite3.connect(_db_file(db))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"document", "document_event", "lote", "provider_profile", "number_sequence"} <= tables


def test_foreign_keys_are_enforced_on_every_connection(db: Database) -> None:
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(DocumentEvent(document_id=999, to_state="QUEUED", actor="test"))


def test_a_saved_invoice_is_committed_before_enqueue_returns(db: Database, demo_profile) -> None:
    result = enqueue_documents(db, demo_profile.id, [document()])
    assert result.ok and len(result.ids) == 1
    # A separate connection, as another process would see it.
    conn = sqlite3.connect(_db_file(db))
    state, payload = conn.execute("SELECT state, payload FROM document WHERE id=?", result.ids).fetchone()
    assert state == "QUEUED"
    de = json.loads(payload)
    assert de["numero"] == 1 and de["items"][0]["precioUnitario"] == 110000
    assert de["condicion"]["entregas"][0]["monto"] == 110000  # cash sale gets its payment


def test_saved_document_has_a_valid_cdc_for_the_demo_emisor(db: Database, demo_profile) -> None:
    from desktop_app.domain.cdc import is_valid_cdc

    [doc_id] = enqueue_documents(db, demo_profile.id, [document()]).ids
    row = find_document(db, str(doc_id))
    assert row is not None and row.cdc is not None and is_valid_cdc(row.cdc)
    assert row.cdc[2:11] == "800695631"  # RUC and DV of the demo emisor


def test_numbers_are_assigned_in_sequence_and_an_imported_number_moves_the_sequence(
        db: Database, demo_profile) -> None:
    ids = enqueue_documents(db, demo_profile.id, [document(), document()]).ids
    enqueue_documents(db, demo_profile.id, [document(numero=10)])
    ids += enqueue_documents(db, demo_profile.id, [document()]).ids
    numbers = [r.numero for r in list_documents(db)]
    assert numbers == ["001-001-0000001", "001-001-0000002", "001-001-0000010", "001-001-0000011"]


def test_one_invalid_document_saves_nothing_and_reports_every_error_by_index(
        db: Database, demo_profile) -> None:
    good = ruc("80012345")
    bad = document(tax_id=f"80012345-{(int(good[-1]) + 1) % 10}", quantity="0")
    result = enqueue_documents(db, demo_profile.id, [document(), bad, document()])
    assert not result.ok and result.ids == []
    assert set(result.errors) == {1}
    fields = {e.field for e in result.errors[1]}
    assert "cliente.ruc" in fields and "items[0].cantidad" in fields
    assert list_documents(db) == []


def test_a_duplicate_number_is_refused_by_the_database(db: Database, demo_profile) -> None:
    enqueue_documents(db, demo_profile.id, [document(numero=5)])
    with pytest.raises(IntegrityError):
        enqueue_documents(db, demo_profile.id, [document(numero=5)])
    assert len(list_documents(db)) == 1


def test_every_transition_appends_an_event_and_illegal_ones_write_nothing(
        db: Database, demo_profile) -> None:
    [doc_id] = enqueue_documents(db, demo_profile.id, [document()]).ids
    with db.write() as s:
        row = s.get(Document, doc_id)
        transition(s, row, DocState.SENDING, actor="test", attempt_id="a1")
    with pytest.raises(InvalidTransition), db.write() as s:
        row = s.get(Document, doc_id)
        transition(s, row, DocState.CANCELLED, actor="test")
    events = document_events(db, doc_id)
    assert [(e.from_state, e.to_state) for e in events] == [(None, "QUEUED"), ("QUEUED", "SENDING")]
    assert find_document(db, str(doc_id)).state == "SENDING"


def test_the_audit_trail_refuses_updates_and_deletes(db: Database, demo_profile) -> None:
    enqueue_documents(db, demo_profile.id, [document()])
    conn = sqlite3.connect(_db_file(db))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE document_event SET actor='someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM document_event")


def test_two_threads_saving_at_once_get_unique_consecutive_numbers(db: Database, demo_profile) -> None:
    errors: list[BaseException] = []

    def save_many() -> None:
        try:
            for _ in range(25):
                enqueue_documents(db, demo_profile.id, [document()])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save_many) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.session() as s:
        numbers = sorted(s.exec(select(Document.numero)).all())
    assert numbers == list(range(1, 101))


def test_backup_is_a_consistent_copy_of_the_database(db: Database, demo_profile, tmp_path: Path) -> None:
    enqueue_documents(db, demo_profile.id, [document(), document()])
    target = db.backup(reason="test")
    assert target is not None and target.parent == tmp_path / "backups"
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM document").fetchone()[0] == 2
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_reopening_an_existing_database_keeps_its_documents(tmp_path: Path, demo_profile, db) -> None:
    enqueue_documents(db, demo_profile.id, [document()])
    db.dispose()
    again = Database.open(f"sqlite:///{_db_file(db)}", backup_dir=tmp_path / "backups")
    assert len(list_documents(again)) == 1
    again.dispose()


def test_the_models_and_the_migrations_describe_the_same_schema(db: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    from desktop_app.store.models import in_metadata

    with db.engine.connect() as conn:
        # The search index (migration 0006) is a virtual table, outside the metadata.
        context = MigrationContext.configure(conn, opts={"include_name": in_metadata})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_an_older_database_is_backed_up_then_upgraded_with_its_documents(tmp_path: Path) -> None:
    from alembic import command

    from desktop_app.store.db import alembic_config

    path = tmp_path / "old.sqlite3"
    old = Database(f"sqlite:///{path}", backup_dir=tmp_path / "backups")
    command.upgrade(alembic_config(old.engine), "0001")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO provider_profile (name, provider, country, base_url, tipo_contribuyente,"
                 " establecimiento, punto, max_batch, poll_first_s, poll_every_s, poll_max_s,"
                 " is_default, is_demo, created_at, failures) VALUES ('p', 'facturasend', 'PY',"
                 " 'https://x', 2, '001', '001', 50, 5, 30, 3600, 1, 0, '2026-01-01 00:00:00', 0)")
    conn.execute("INSERT INTO document (profile_id, tipo_documento, establecimiento, punto, numero,"
                 " fecha, customer_name, customer_tax_id, currency, total, iva_total, state,"
                 " processing, payload, polls, created_at, updated_at) VALUES (1, 1, '001', '001', 7,"
                 " '2026-01-01 10:00:00', 'Cliente', '80012345-6', 'PYG', 110000, 10000, 'APPROVED',"
                 " 0, '{}', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
    conn.commit()
    conn.close()
    old.dispose()
    upgraded = Database.open(f"sqlite:///{path}", backup_dir=tmp_path / "backups")
    assert upgraded.current_revision() == upgraded.head_revision()
    [row] = list_documents(upgraded)
    assert row.numero == "001-001-0000007" and row.state == "APPROVED" and row.cuf is None
    backups = list((tmp_path / "backups").glob("*pre-migration-0001*"))
    assert len(backups) == 1
    assert sqlite3.connect(backups[0]).execute("SELECT numero FROM document").fetchone() == (7,)
    upgraded.dispose()
