"""Two terminals draining one PostgreSQL database at once with `run_until_idle` (the
sliding window of `lote sync`): claims stay disjoint (FOR UPDATE SKIP LOCKED), due polls
are leased to one terminal, and every document is issued exactly once."""

from __future__ import annotations

import threading
from collections import Counter

from sqlmodel import select

from desktop_app.credentials import DEMO_API_KEY
from desktop_app.store.db import Database
from desktop_app.store.models import Document
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from desktop_app.store.terminal import TerminalLote
from desktop_app.sync.engine import SyncEngine
from tests.postgres.helpers import TERMINAL_A, TERMINAL_B, profile
from tests.support.factories import document


def test_two_terminals_draining_at_once_issue_every_document_once(pg_url: str, sandbox) -> None:
    dbs = [Database.open(pg_url, terminal_id=t) for t in (TERMINAL_A, TERMINAL_B)]
    p = save_profile(dbs[0], profile(base_url=sandbox.url, max_batch=10, poll_first_s=0.1,
                                     poll_every_s=0.2))
    assert p.id is not None
    enqueue_documents(dbs[0], p.id, [document() for _ in range(200)])
    engines = [SyncEngine(d, key_for=lambda _p: DEMO_API_KEY, request_timeout=10.0,
                          concurrency=3) for d in dbs]
    barrier = threading.Barrier(2)
    results: dict[int, bool] = {}
    failures: list[BaseException] = []

    def drain(index: int) -> None:
        barrier.wait()
        try:
            results[index] = engines[index].run_until_idle(timeout=90)
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        for e in engines:
            e.close()
    try:
        assert failures == [] and results == {0: True, 1: True}
        with dbs[0].session() as s:
            assert Counter(s.exec(select(Document.state)).all()) == Counter({"APPROVED": 200})
            by_terminal = Counter(s.exec(select(TerminalLote.terminal_id)).all())
        assert sum(by_terminal.values()) == 20  # 20 lotes of 10, each claimed once
        receipts = sandbox.receipts_by_cdc()
        assert len(receipts) == 200 and set(receipts.values()) == {1}
        assert set(sandbox.approvals_by_number().values()) == {1}
    finally:
        for d in dbs:
            d.dispose()
