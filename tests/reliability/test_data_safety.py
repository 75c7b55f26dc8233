"""Start-up safety: one sender per data folder, a damaged database caught before any
write with a way back, daily and manual backups, restore, and documents needing a
person instead of being polled forever."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from desktop_app.instance_lock import SenderLock
from desktop_app.runtime import open_runtime
from desktop_app.store.db import Database, DatabaseDamaged
from desktop_app.store.models import Document, ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import list_profiles
from desktop_app.store.queries import list_documents
from desktop_app.sync.engine import SyncEngine
from tests.cli.test_cli import lote, write_des
from tests.support.factories import document

ROOT = Path(__file__).resolve().parents[2]


def test_only_one_process_can_be_the_sender_and_a_crash_frees_the_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from desktop_app.instance_lock import SenderLock;"
         f"l = SenderLock(Path({str(tmp_path)!r})); assert l.acquire(); print('held', flush=True);"
         "time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = SenderLock(tmp_path)
        assert not lock.acquire()
        assert lock.owner_pid() == holder.pid
    finally:
        holder.kill()  # SIGKILL: no clean-up code runs
        holder.wait()
    assert SenderLock(tmp_path).acquire()


def test_a_second_lote_sync_on_the_same_data_folder_refuses_to_send(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    lock = SenderLock(data)  # this test process plays the running window
    assert lock.acquire()
    try:
        out = lote(tmp_path, "sync", "--once")
        assert out.returncode == 5
        assert f"PID {os.getpid()}" in out.stderr and "segundo envío" in out.stderr
    finally:
        lock.release()


def test_the_second_instance_does_not_turn_in_flight_documents_into_unknown(tmp_path: Path) -> None:
    first = open_runtime(tmp_path, force_demo=True, start_sandbox=False)
    assert first.acquire_sender()
    [profile] = list_profiles(first.db)
    enqueue_documents(first.db, profile.id, [document()])
    first.make_engine()._claim(profile, 50)  # a request of the first one is in flight
    second = open_runtime(tmp_path, force_demo=True, start_sandbox=False)
    try:
        assert not second.acquire_sender()
        assert [r.state for r in list_documents(second.db)] == ["SENDING"]
    finally:
        second.close()
        first.close()


def _corrupt(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(4096)  # keep the header page, trash the rest
        f.write(os.urandom(max(0, size - 4096)))


def test_a_damaged_database_is_reported_with_the_backup_to_restore_and_restore_works(
        tmp_path: Path) -> None:
    src = write_des(tmp_path / "v.json", [document() for _ in range(30)])
    assert lote(tmp_path, "import", str(src)).returncode == 0
    out = lote(tmp_path, "backup")
    assert out.returncode == 0 and "Copia de seguridad guardada" in out.stdout
    db_file = tmp_path / "data" / "lote.sqlite3"
    _corrupt(db_file)
    out = lote(tmp_path, "list")
    assert out.returncode == 6
    assert "dañada" in out.stderr and "lote restore" in out.stderr
    backups = sorted((tmp_path / "data" / "backups").glob("lote-*.sqlite3"))
    newest = backups[-1]
    assert str(newest) in out.stderr
    out = lote(tmp_path, "restore", str(newest))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "data" / "lote.sqlite3.danado").exists()  # kept aside, not deleted
    out = lote(tmp_path, "list", "--json")
    assert out.returncode == 0 and out.stdout.count('"state": "QUEUED"') == 30


def test_restore_refuses_a_file_that_is_not_a_lote_database(tmp_path: Path) -> None:
    other = tmp_path / "otra.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    assert lote(tmp_path, "restore", str(other)).returncode == 3
    assert lote(tmp_path, "restore", str(tmp_path / "missing.sqlite3")).returncode == 1


def test_open_checks_integrity_before_migrating(tmp_path: Path) -> None:
    path = tmp_path / "lote.sqlite3"
    db = Database.open(f"sqlite:///{path}")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE filler (x)")
        for _ in range(200):
            conn.exec_driver_sql("INSERT INTO filler VALUES (randomblob(1000))")
    db.dispose()
    _corrupt(path)
    with pytest.raises(DatabaseDamaged, match="No hay copias"):
        Database.open(f"sqlite:///{path}", check=True)


def test_a_daily_backup_is_taken_once_a_day_and_only_the_last_ten_are_kept(db: Database) -> None:
    first = db.backup_if_due()
    assert first is not None and db.backup_if_due() is None
    os.utime(first, (time.time() - 90_000, time.time() - 90_000))
    assert db.backup_if_due() is not None
    for _ in range(12):
        db.backup(reason="manual")
    assert len(db.list_backups()) == 10


def test_a_document_without_result_past_the_limit_needs_attention_and_is_not_polled(
        db: Database, demo_profile, sandbox) -> None:
    sandbox.processing_delay = 3600  # the authority never answers in this test
    with db.write() as s:
        p = s.get(ProviderProfile, demo_profile.id)
        p.poll_first_s, p.poll_every_s, p.poll_max_s = 0.0, 0.0, 0.5
        s.add(p)
    eng = SyncEngine(db, base_url_for=lambda p: sandbox.url)
    [doc_id] = enqueue_documents(db, demo_profile.id, [document()]).ids
    eng.send_once()
    with db.write() as s:  # submitted long ago
        row = s.get(Document, doc_id)
        row.submitted_at = row.submitted_at - timedelta(seconds=5)
        s.add(row)
    eng.poll_once()
    with db.session() as s:
        row = s.get(Document, doc_id)
        assert row.state == "SUBMITTED" and row.attention and row.next_poll_at is None
        assert row.message.startswith("Requiere atención")
    assert eng.pending_count() == 0 and eng.poll_once().requests == 0
    assert eng.run_until_idle(timeout=1) is True  # a person must act; sync is idle
    sandbox.processing_delay = 0
    eng.retry_attention([doc_id])
    assert eng.run_until_idle(timeout=20)
    eng.close()
    assert Counter(r.state for r in list_documents(db)) == Counter({"APPROVED": 1})


def test_probe_says_online_or_offline_without_sending_anything(db: Database, demo_profile,
                                                                 sandbox) -> None:
    eng = SyncEngine(db, base_url_for=lambda p: sandbox.url)
    assert eng.probe_once().online == {demo_profile.id: True}
    sandbox.set_down(True)
    eng.wake()
    assert eng.probe_once().online == {demo_profile.id: False}
    eng.close()
    assert sandbox.receipts_by_cdc() == {}
    with db.session() as s:
        assert s.exec(select(ProviderProfile.online)).one() is False
