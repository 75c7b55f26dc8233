"""Three counters, one queue: three `lote sync --until-idle` processes, each with its own
data folder (its own terminal id and sender lock), drain 3,000 documents from one
PostgreSQL database into one FacturaSend sandbox. Nothing is sent twice, nothing is
left behind, and every process does part of the work."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from desktop_app.sandbox.facturasend import FacturaSendSandbox
from desktop_app.store.db import Database
from desktop_app.store.models import Document, Lote
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import get_profile
from desktop_app.store.terminal import Terminal, TerminalLote
from tests.support.factories import document

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = 3000
COUNTERS = 3


def lote(
    tmp_path: Path, data: str, *args: str, stdin: str | None = None, timeout: float = 120
) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LOTE_DATA_DIR": str(tmp_path / data),
        "PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring",
        "LOTE_TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "LOTE_TERMINAL_NAME": data,
    }
    env.pop("LOTE_API_KEY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "desktop_app", *args],
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_three_counters_drain_one_queue_without_sending_anything_twice(
    pg_url: str, tmp_path: Path
) -> None:
    sandbox = FacturaSendSandbox(processing_delay=0.5).start()
    db = Database.open(pg_url, terminal_id="0" * 32)  # the office's computer
    try:
        added = lote(
            tmp_path,
            "office",
            "profile",
            "add",
            "tienda",
            "--db",
            pg_url,
            "--provider",
            "facturasend",
            "--base-url",
            sandbox.url,
            "--tenant",
            "demo",
            "--emisor",
            "80069563-1",
            "--poll-first",
            "0.5",
            "--poll-every",
            "1",
            "--default",
        )
        _out, err = added.communicate("api_key_demo\n", timeout=120)
        assert added.returncode == 0, err
        prof = get_profile(db, "tienda")
        assert prof is not None and prof.id is not None
        queued = enqueue_documents(
            db, prof.id, [document() for _ in range(DOCUMENTS)], actor="import"
        )
        assert queued.ok and len(queued.ids) == DOCUMENTS

        started = time.monotonic()
        senders = [
            lote(tmp_path, f"caja-{n}", "sync", "--until-idle", "--timeout", "900", "--db", pg_url)
            for n in range(1, COUNTERS + 1)
        ]
        outcomes = [p.communicate(timeout=1000) for p in senders]
        drained_in = time.monotonic() - started
        for p, (_out, err) in zip(senders, outcomes, strict=True):
            assert p.returncode == 0, err[-3000:]
        print(f"\n{COUNTERS} processes drained {DOCUMENTS} documents in {drained_in:.1f} s")

        with db.session() as s:
            final = Counter(s.exec(select(Document.state)).all())
            per_terminal = Counter(s.exec(select(TerminalLote.terminal_id)).all())
            lotes = s.exec(select(Lote)).all()
            terminals = {t.id: t.name for t in s.exec(select(Terminal)).all()}
        assert final == Counter({"APPROVED": DOCUMENTS})
        approvals = sandbox.approvals_by_number()
        assert len(approvals) == DOCUMENTS and set(approvals.values()) == {1}
        receipts = sandbox.receipts_by_cdc()
        assert len(receipts) == DOCUMENTS and set(receipts.values()) == {1}
        ids = {
            (tmp_path / f"caja-{n}" / "terminal-id").read_text().strip()
            for n in range(1, COUNTERS + 1)
        }
        assert set(per_terminal) == ids and all(n > 0 for n in per_terminal.values())
        assert sum(lt.size for lt in lotes) == DOCUMENTS and len(lotes) == sum(
            per_terminal.values()
        )
        print(
            "lotes per terminal: "
            + ", ".join(
                f"{terminals[t]}={n}"
                for t, n in sorted(per_terminal.items(), key=lambda i: terminals[i[0]])
            )
        )
    finally:
        db.dispose()
        sandbox.stop()
