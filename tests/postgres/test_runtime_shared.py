"""Opening Lote on a shared database: the URL from `--db`, LOTE_DB or the data folder's
setting (never with a password), the terminal recorded under its name, and a listener
for the other terminals' changes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktop_app.runtime import (
    DATABASE_URL_FILE,
    configured_database_url,
    open_runtime,
    save_database_url,
)
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from desktop_app.store.terminal import list_terminals
from tests.postgres.helpers import profile
from tests.support.factories import document


def test_the_database_setting_never_holds_a_password(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pgpass"):
        save_database_url(tmp_path, "postgresql+psycopg://lote:secreto@servidor/lote")
    with pytest.raises(ValueError, match="PostgreSQL"):
        save_database_url(tmp_path, "mysql://lote@servidor/lote")
    save_database_url(tmp_path, "postgresql+psycopg://lote@servidor/lote")
    assert configured_database_url(tmp_path) == "postgresql+psycopg://lote@servidor/lote"
    assert (tmp_path / DATABASE_URL_FILE).stat().st_mode & 0o077 == 0
    save_database_url(tmp_path, None)
    assert configured_database_url(tmp_path) is None


def test_a_terminal_opened_on_the_saved_database_registers_and_hears_the_others(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOTE_DB", raising=False)
    monkeypatch.setenv("LOTE_TERMINAL_NAME", "caja-1")
    save_database_url(tmp_path / "caja-1", pg_url)
    first = open_runtime(tmp_path / "caja-1", start_sandbox=False)
    monkeypatch.setenv("LOTE_TERMINAL_NAME", "caja-2")
    second = open_runtime(tmp_path / "caja-2", db_url=pg_url, start_sandbox=False)
    try:
        assert first.shared and second.shared
        assert {t.name for t in list_terminals(first.db)} == {"caja-1", "caja-2"}
        heard: list[int] = []
        arrived = threading.Event()

        def on_ids(ids: list[int]) -> None:
            heard.extend(ids)
            arrived.set()

        listener = second.listen_documents(on_ids)
        assert listener is not None and listener.wait_listening(30)
        p = save_profile(first.db, profile(name="caja"))
        ids = enqueue_documents(first.db, p.id, [document()]).ids
        assert arrived.wait(30) and heard == ids
    finally:
        first.close()
        second.close()
    assert not listener.is_alive()


def test_sqlite_needs_no_listener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOTE_DB", raising=False)
    rt = open_runtime(tmp_path, start_sandbox=False)
    try:
        assert not rt.shared
        assert rt.listen_documents(lambda ids: None) is None
    finally:
        rt.close()
