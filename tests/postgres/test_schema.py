"""The same Alembic migrations build the same schema on PostgreSQL, audit trail included."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from desktop_app.store.db import Database
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from tests.postgres.helpers import profile
from tests.support.factories import document


def test_every_migration_runs_on_postgresql_and_matches_the_models(pg_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    db = Database.open(pg_url)
    try:
        assert db.current_revision() == db.head_revision() is not None
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    finally:
        db.dispose()


def test_migrations_go_down_to_nothing_and_up_again_on_postgresql(pg_url: str) -> None:
    from alembic import command

    from desktop_app.store.db import alembic_config

    db = Database.open(pg_url)
    try:
        command.downgrade(alembic_config(db.engine), "base")
        assert db.current_revision() is None
        db.migrate()
        assert db.current_revision() == db.head_revision()
    finally:
        db.dispose()


def test_the_audit_trail_refuses_update_and_delete_on_postgresql(pg_url: str) -> None:
    db = Database.open(pg_url)
    try:
        p = save_profile(db, profile())
        [doc_id] = enqueue_documents(db, p.id, [document()]).ids
        for sql in (
            "UPDATE document_event SET actor = 'x' WHERE document_id = :i",
            "DELETE FROM document_event WHERE document_id = :i",
        ):
            with pytest.raises(DBAPIError, match="append-only"), db.write() as s:
                s.execute(text(sql), {"i": doc_id})
        with db.session() as s:
            assert s.execute(text("SELECT count(*) FROM document_event")).scalar_one() == 1
    finally:
        db.dispose()


def test_terminals_starting_together_migrate_once(pg_url: str) -> None:
    import threading

    errors: list[BaseException] = []
    dbs: list[Database] = []

    def start() -> None:
        try:
            dbs.append(Database.open(pg_url))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    try:
        assert errors == []
        assert [d.current_revision() for d in dbs] == [dbs[0].head_revision()] * 3
    finally:
        for d in dbs:
            d.dispose()


def test_an_older_lote_is_told_plainly_that_another_terminal_upgraded_the_database(
    pg_url: str,
) -> None:
    from desktop_app.store.db import DatabaseTooNew

    db = Database.open(pg_url)
    try:
        with db.write() as s:
            s.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(DatabaseTooNew, match="versión más nueva"):
            db.migrate()
    finally:
        db.dispose()
