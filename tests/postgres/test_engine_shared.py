"""The sync engine on a shared database: terminals claim disjoint batches, each recovers
only its own interrupted lotes, one terminal asks about each due lote, and a database
that goes away is handled like being offline."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlmodel import col, select

from desktop_app.credentials import DEMO_API_KEY
from desktop_app.store.db import Database
from desktop_app.store.models import Document
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from desktop_app.store.queries import document_events
from desktop_app.store.terminal import TerminalLote
from desktop_app.sync.engine import DATABASE_UNREACHABLE, SyncEngine, SyncReport, _refs
from tests.postgres.helpers import TERMINAL_A, TERMINAL_B, profile
from tests.support.factories import document


@pytest.fixture
def two(pg_url: str, sandbox) -> Iterator[tuple[SyncEngine, SyncEngine, int]]:
    a = Database.open(pg_url, terminal_id=TERMINAL_A)
    b = Database.open(pg_url, terminal_id=TERMINAL_B)
    p = save_profile(a, profile(base_url=sandbox.url))
    assert p.id is not None
    engines = [SyncEngine(d, key_for=lambda _p: DEMO_API_KEY, request_timeout=10.0) for d in (a, b)]
    yield engines[0], engines[1], p.id
    for e in engines:
        e.close()
    a.dispose()
    b.dispose()


def states(db: Database) -> Counter:
    with db.session() as s:
        return Counter(s.exec(select(Document.state)).all())


def test_two_terminals_sending_at_once_never_claim_the_same_document(two, sandbox) -> None:
    a, b, pid = two
    enqueue_documents(a.db, pid, [document() for _ in range(400)])
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def send(engine: SyncEngine) -> None:
        barrier.wait()
        try:
            for _ in range(10):
                engine.send_once()
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=send, args=(e,)) for e in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    assert states(a.db)["QUEUED"] == 0
    assert set(sandbox.receipts_by_cdc().values()) == {1}
    assert len(sandbox.receipts_by_cdc()) == 400
    with a.db.session() as s:
        by_terminal = Counter(s.exec(select(TerminalLote.terminal_id)).all())
    assert set(by_terminal) == {TERMINAL_A, TERMINAL_B}


def test_a_restarting_terminal_recovers_its_own_lotes_not_those_another_has_on_the_wire(
    two,
) -> None:
    a, b, pid = two
    enqueue_documents(a.db, pid, [document() for _ in range(4)])
    claim_a = a._claim(_profile(a, pid), 2)
    claim_b = b._claim(_profile(b, pid), 2)
    assert claim_a and claim_b
    b.recover_interrupted(all_sending=True)  # B restarted after a crash
    assert states(a.db) == Counter({"SENDING": 2, "UNKNOWN": 2})
    with a.db.session() as s:
        unknown = set(s.exec(select(Document.id).where(Document.state == "UNKNOWN")).all())
    assert unknown == {d.local_id for d in claim_b.outgoing}
    a.recover_interrupted()  # A while running: its own are not stale yet
    assert states(a.db)["SENDING"] == 2


def test_one_terminal_asks_about_each_due_lote(two, sandbox) -> None:
    a, b, pid = two
    enqueue_documents(a.db, pid, [document() for _ in range(30)])
    a.send_once()
    with a.db.write() as s:  # every result due now
        for row in s.exec(select(Document).where(Document.state == "SUBMITTED")):
            row.next_poll_at = a._clock()
            s.add(row)
    leased = a._due_polls(_profile(a, pid), a._clock(), 1000)
    assert len(leased) == 30
    assert b._due_polls(_profile(b, pid), b._clock(), 1000) == []


def test_a_database_that_goes_away_is_reported_like_an_outage_and_work_resumes(
    pg_server, two, sandbox
) -> None:
    a, _b, pid = two
    enqueue_documents(a.db, pid, [document() for _ in range(5)])
    pg_server.stop()
    try:
        report = a.step()
        assert report.database_error == DATABASE_UNREACHABLE
        assert not report.changed
        naps: list[float] = []
        assert a.run_until_idle(timeout=3, sleep=naps.append) is False
        assert naps and all(n >= 0 for n in naps)
    finally:
        pg_server.start()
    assert a.run_until_idle(timeout=60)
    assert states(a.db) == Counter({"APPROVED": 5})
    assert set(sandbox.approvals_by_number().values()) == {1}


def _profile(engine: SyncEngine, pid: int):
    from desktop_app.store.models import ProviderProfile

    with engine.db.session() as s:
        p = s.get(ProviderProfile, pid)
        assert p is not None
        return p


def test_an_answer_heard_by_two_terminals_at_once_is_recorded_once(two) -> None:
    a, b, pid = two
    enqueue_documents(a.db, pid, [document() for _ in range(10)])
    a.send_once()
    time.sleep(0.5)  # the sandbox's processing delay
    barrier = threading.Barrier(2)

    def poll_and_record(engine: SyncEngine) -> None:
        prof = _profile(engine, pid)
        with engine.db.session() as s:
            refs = _refs(
                s,
                s.exec(
                    select(Document).where(Document.state == "SUBMITTED").order_by(col(Document.id))
                ).all(),
            )
        results = engine._client(prof).poll(refs)
        barrier.wait()
        engine._record_poll(prof, refs, results, SyncReport())

    threads = [threading.Thread(target=poll_and_record, args=(e,)) for e in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert states(a.db) == Counter({"APPROVED": 10})
    for doc_id in _ids(a.db):
        assert [e.to_state for e in document_events(a.db, doc_id)].count("APPROVED") == 1


def _ids(db: Database) -> list[int]:
    with db.session() as s:
        return list(s.exec(select(Document.id)).all())
