"""The sync engine against the FacturaSend sandbox over real HTTP on 127.0.0.1, on a
real SQLite file: draining, offline, rejections, lost responses and crashes."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select

from desktop_app.providers.base import CallRefused, OutcomeUnknown
from desktop_app.providers.registry import make_provider_client
from desktop_app.store.db import Database
from desktop_app.store.models import Document, Lote, ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.queries import document_events, list_documents, state_counts
from desktop_app.sync.engine import SyncEngine
from tests.support.factories import document, ruc


@pytest.fixture
def engine(db: Database, demo_profile, sandbox):
    eng = SyncEngine(db, base_url_for=lambda p: sandbox.url, request_timeout=5.0)
    _fast_polls(db)
    yield eng
    eng.close()


def _fast_polls(db: Database) -> None:
    with db.write() as s:
        for p in s.exec(select(ProviderProfile)):
            p.poll_first_s, p.poll_every_s = 0.1, 0.2
            s.add(p)


def _states(db: Database) -> Counter:
    return Counter(r.state for r in list_documents(db))


def test_engine_drains_200_documents_through_four_lotes_each_issued_once(
        db: Database, demo_profile, sandbox, engine: SyncEngine) -> None:
    assert enqueue_documents(db, demo_profile.id, [document() for _ in range(200)]).ok
    assert engine.run_until_idle(timeout=60)
    assert _states(db) == Counter({"APPROVED": 200})
    with db.session() as s:
        lotes = s.exec(select(Lote)).all()
    assert sorted(lote.size for lote in lotes) == [50, 50, 50, 50]
    assert all(lote.state == "DONE" and lote.provider_lote_id for lote in lotes)
    counts = sandbox.approvals_by_number()
    assert len(counts) == 200 and set(counts.values()) == {1}
    row = list_documents(db)[0]
    assert row.code == "0260"
    path = [(e.from_state, e.to_state) for e in document_events(db, row.id)]
    assert path == [(None, "QUEUED"), ("QUEUED", "SENDING"), ("SENDING", "SUBMITTED"),
                    ("SUBMITTED", "APPROVED")]


def test_submitted_document_shows_processing_until_the_provider_answers(
        db: Database, demo_profile, sandbox, engine: SyncEngine) -> None:
    sandbox.processing_delay = 30
    [doc_id] = enqueue_documents(db, demo_profile.id, [document()]).ids
    engine.send_once()
    with db.session() as s:
        row = s.get(Document, doc_id)
        assert row.state == "SUBMITTED" and not row.processing
        row.next_poll_at = row.submitted_at  # due now
        s.add(row)
        s.commit()
    report = engine.poll_once()
    assert doc_id in report.changed
    with db.session() as s:
        row = s.get(Document, doc_id)
        assert row.state == "SUBMITTED" and row.processing


def test_a_rejection_keeps_the_providers_code_and_message(
        db: Database, demo_profile, sandbox, engine: SyncEngine) -> None:
    cancelled = next(iter(sandbox.cancelled_rucs))
    enqueue_documents(db, demo_profile.id, [document(), document(tax_id=cancelled)])
    assert engine.run_until_idle(timeout=30)
    rows = {r.customer_tax_id: r for r in list_documents(db)}
    bad = rows[cancelled]
    assert bad.state == "REJECTED" and bad.code and bad.message
    assert rows[ruc("80012345")].state == "APPROVED"


def test_offline_documents_stay_queued_and_drain_when_the_provider_returns(
        db: Database, demo_profile, sandbox, engine: SyncEngine) -> None:
    sandbox.set_down(True)
    enqueue_documents(db, demo_profile.id, [document() for _ in range(3)])
    report = engine.step()
    assert report.online == {demo_profile.id: False}
    assert _states(db) == Counter({"QUEUED": 3})
    with db.session() as s:
        profile = s.get(ProviderProfile, demo_profile.id)
        assert profile.online is False and profile.failures == 1 and profile.next_attempt_at
        assert profile.last_error
    # Still offline: the back-off holds further attempts without any request.
    assert engine.step().requests == 0
    sandbox.set_down(False)
    engine.wake()  # what the network hint does; without it the back-off elapses
    assert engine.run_until_idle(timeout=30)
    assert _states(db) == Counter({"APPROVED": 3})
    assert set(sandbox.approvals_by_number().values()) == {1}


def test_back_off_elapses_by_itself_without_a_wake(
        db: Database, demo_profile, sandbox, engine: SyncEngine) -> None:
    sandbox.set_down(True)
    enqueue_documents(db, demo_profile.id, [document()])
    engine.step()
    sandbox.set_down(False)
    with db.write() as s:  # pretend the wait is over, as the clock would make it
        p = s.get(ProviderProfile, demo_profile.id)
        p.next_attempt_at = p.next_attempt_at - timedelta(minutes=5)
        s.add(p)
    assert engine.run_until_idle(timeout=30)
    assert _states(db) == Counter({"APPROVED": 1})


class LosesResponses:
    """A real client whose submit reaches the sandbox but whose answer is lost."""

    def __init__(self, real, lose: int) -> None:
        self.real, self.lose = real, lose
        self.max_batch = real.max_batch

    def submit(self, docs):
        result = self.real.submit(docs)
        if self.lose:
            self.lose -= 1
            raise OutcomeUnknown("respuesta perdida")
        return result

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_lost_response_is_reconciled_by_number_and_never_issued_twice(
        db: Database, demo_profile, sandbox) -> None:
    def factory(provider, **kw):
        return LosesResponses(make_provider_client(provider, **kw), lose=1)

    eng = SyncEngine(db, base_url_for=lambda p: sandbox.url, client_factory=factory)
    _fast_polls(db)
    enqueue_documents(db, demo_profile.id, [document() for _ in range(5)])
    eng.send_once()
    assert _states(db) == Counter({"UNKNOWN": 5})
    eng.wake()
    assert eng.run_until_idle(timeout=30)
    eng.close()
    assert _states(db) == Counter({"APPROVED": 5})
    assert set(sandbox.receipts_by_cdc().values()) == {1}  # never sent again
    assert set(sandbox.approvals_by_number().values()) == {1}


def test_documents_left_sending_by_a_crash_are_asked_about_then_sent_once(
        db: Database, demo_profile, sandbox, engine: SyncEngine) -> None:
    enqueue_documents(db, demo_profile.id, [document() for _ in range(3)])
    # A crash right after the claim: SENDING committed, request never made.
    claim = engine._claim(demo_profile, 50)
    assert claim is not None
    assert _states(db) == Counter({"SENDING": 3})
    engine.recover_interrupted(all_sending=True)
    assert _states(db) == Counter({"UNKNOWN": 3})
    assert engine.run_until_idle(timeout=30)
    assert _states(db) == Counter({"APPROVED": 3})
    assert set(sandbox.receipts_by_cdc().values()) == {1}


class RefusesSecond:
    max_batch = 50

    def submit(self, docs):
        raise CallRefused("El lote tiene errores", errors={1: "numero: fuera de rango"}, code="LOTE")

    def close(self) -> None:
        pass


def test_a_refused_call_rejects_the_named_document_and_requeues_the_innocent(
        db: Database, demo_profile) -> None:
    eng = SyncEngine(db, client_factory=lambda provider, **kw: RefusesSecond())
    ids = enqueue_documents(db, demo_profile.id, [document() for _ in range(3)]).ids
    eng.send_once()
    by_id = {r.id: r for r in list_documents(db)}
    assert [by_id[i].state for i in ids] == ["QUEUED", "REJECTED", "QUEUED"]
    assert by_id[ids[1]].message == "numero: fuera de rango"


def test_wrong_api_key_is_reported_and_nothing_is_lost(db: Database, demo_profile, sandbox) -> None:
    eng = SyncEngine(db, base_url_for=lambda p: sandbox.url, key_for=lambda p: "api_key_wrong")
    enqueue_documents(db, demo_profile.id, [document()])
    report = eng.step()
    eng.close()
    assert _states(db) == Counter({"QUEUED": 1})
    assert report.online == {demo_profile.id: True}  # reachable, but refused
    with db.session() as s:
        profile = s.get(ProviderProfile, demo_profile.id)
    assert "api_key_wrong" not in (profile.last_error or "")
    assert sandbox.receipts_by_cdc() == {}


def test_until_idle_gives_up_at_the_timeout_when_the_provider_stays_down(
        db: Database, demo_profile, sandbox, engine: SyncEngine) -> None:
    sandbox.set_down(True)
    enqueue_documents(db, demo_profile.id, [document()])
    assert engine.run_until_idle(timeout=1.0) is False
    assert state_counts(db) == {"QUEUED": 1}
