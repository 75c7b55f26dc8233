"""TusFacturas through the sync engine and the store, over real HTTP to its sandbox:
the cascade, observations, the 524 and other lost answers, 429, offline, re-dating.
Every approved document must end issued exactly once (`issued_by_ref`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from desktop_app.domain.argentina import document_from_json
from desktop_app.sandbox.server import Fault
from desktop_app.sandbox.tusfacturas import (
    DEMO_INACTIVE_CUIT,
    DEMO_UNREGISTERED_CUIT,
    TusFacturasSandbox,
)
from desktop_app.store.db import Database
from desktop_app.store.models import Document, ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from desktop_app.store.queries import document_events
from desktop_app.sync.engine import SyncEngine
from tests.domain.test_argentina_factories import (
    SECRET,
    cliente,
    comprobante_json,
    responsable_inscripto,
)


@pytest.fixture
def tf_sandbox() -> Iterator[TusFacturasSandbox]:
    with TusFacturasSandbox(api_key=SECRET, hold_seconds=0.05) as sb:
        yield sb


@pytest.fixture
def profile_id(db: Database) -> int:
    profile = save_profile(db, ProviderProfile(
        name="tusfacturas", provider="tusfacturas", country="AR", base_url="sandbox:",
        max_batch=20, poll_first_s=0.1, poll_every_s=0.2))
    assert profile.id is not None
    return profile.id


@pytest.fixture
def engine(db: Database, tf_sandbox: TusFacturasSandbox) -> Iterator[SyncEngine]:
    eng = SyncEngine(db, base_url_for=lambda p: tf_sandbox.url, key_for=lambda p: SECRET,
                     request_timeout=5.0)
    yield eng
    eng.close()


def doc(**kwargs: Any) -> Any:
    parsed, errors = document_from_json(comprobante_json(**kwargs))
    assert parsed is not None, errors
    return parsed


def rows(db: Database, ids: list[int]) -> list[Document]:
    with db.session() as s:
        found = {r.id: r for r in s.exec(select(Document))}
    return [found[i] for i in ids]


def test_third_of_six_rejected_first_two_approved_the_rest_requeued_then_approved(
        db: Database, profile_id: int, tf_sandbox: TusFacturasSandbox, engine: SyncEngine) -> None:
    docs = [doc(), doc(), doc(cliente_data=cliente("CF", "CUIT", DEMO_UNREGISTERED_CUIT)),
            doc(), doc(), doc()]
    ids = enqueue_documents(db, profile_id, docs).ids
    engine.send_once()
    after_one = rows(db, ids)
    assert [r.state for r in after_one] == [
        "APPROVED", "APPROVED", "REJECTED", "QUEUED", "QUEUED", "QUEUED"]
    rejected = after_one[2]
    assert rejected.code == "10015" and rejected.numero == 3
    assert "no se encuentra registrado en los padrones de AFIP" in (rejected.message or "")
    assert all("comprobante anterior" in (r.message or "") for r in after_one[3:])

    engine.send_once()
    final = rows(db, ids)
    assert [r.state for r in final] == [
        "APPROVED", "APPROVED", "REJECTED", "APPROVED", "APPROVED", "APPROVED"]
    # AFIP did not consume number 3: the next document took it. Lote's own number stays.
    assert [r.provider_number for r in final] == [
        "00003-00000001", "00003-00000002", None, "00003-00000003", "00003-00000004",
        "00003-00000005"]
    assert [r.numero for r in final] == [1, 2, 3, 4, 5, 6]
    assert tf_sandbox.issued_by_ref() == {r.external_ref: 1 for r in final if r.state == "APPROVED"}
    assert tf_sandbox.rejected_by_ref() == {rejected.external_ref: 1}
    path = [(e.from_state, e.to_state) for e in document_events(db, ids[3])]
    assert path == [(None, "QUEUED"), ("QUEUED", "SENDING"), ("SENDING", "QUEUED"),
                    ("QUEUED", "SENDING"), ("SENDING", "APPROVED")]


def test_observations_are_kept_with_the_approval(
        db: Database, profile_id: int, engine: SyncEngine) -> None:
    [doc_id] = enqueue_documents(db, profile_id, [doc(
        tipo="FACTURA A", cliente_data=responsable_inscripto(DEMO_INACTIVE_CUIT))]).ids
    assert engine.run_until_idle(timeout=10)
    [row] = rows(db, [doc_id])
    assert row.state == "APPROVED_WITH_OBSERVATIONS" and row.code == "10063"
    assert row.observations and "condicion ACTIVA en el impuesto (IVA). [ codigo: 10063 ]" in row.observations
    assert row.cae and len(row.cae) == 14 and row.cae_expiry


def test_524_is_unknown_then_reconciled_by_reference_and_never_resent(
        db: Database, profile_id: int, tf_sandbox: TusFacturasSandbox, engine: SyncEngine) -> None:
    ids = enqueue_documents(db, profile_id, [doc() for _ in range(5)]).ids
    tf_sandbox.hold(times=1)
    engine.send_once()
    assert Counter(r.state for r in rows(db, ids)) == Counter({"UNKNOWN": 5})
    engine.wake()
    assert engine.run_until_idle(timeout=10)
    final = rows(db, ids)
    assert Counter(r.state for r in final) == Counter({"APPROVED": 5})
    assert all(r.cae and r.provider_number for r in final)
    assert set(tf_sandbox.received_by_ref().values()) == {1}  # never sent again
    assert set(tf_sandbox.issued_by_ref().values()) == {1}
    assert tf_sandbox.lote_calls == 1


def test_a_lost_answer_to_a_lote_with_a_rejection_issues_nothing_twice(
        db: Database, profile_id: int, tf_sandbox: TusFacturasSandbox, engine: SyncEngine) -> None:
    docs = [doc(), doc(cliente_data=cliente("CF", "CUIT", DEMO_UNREGISTERED_CUIT)), doc(), doc()]
    ids = enqueue_documents(db, profile_id, docs).ids
    tf_sandbox.inject_fault(Fault.RESET_AFTER, path="/lotes$")
    engine.send_once()
    assert Counter(r.state for r in rows(db, ids)) == Counter({"UNKNOWN": 4})
    engine.wake()
    assert engine.run_until_idle(timeout=10)
    final = rows(db, ids)
    assert [r.state for r in final] == ["APPROVED", "REJECTED", "APPROVED", "APPROVED"]
    assert final[1].code == "10015"
    # The approved one was found by reference; the rejected one and its victims were not
    # there (an instant lote keeps only what AFIP authorised) and were sent again.
    assert tf_sandbox.received_by_ref()[final[0].external_ref] == 1  # type: ignore[index]
    assert set(tf_sandbox.issued_by_ref().values()) == {1}
    assert len(tf_sandbox.issued()) == 3


def test_connection_refused_keeps_documents_queued_until_the_provider_returns(
        db: Database, profile_id: int, tf_sandbox: TusFacturasSandbox, engine: SyncEngine) -> None:
    ids = enqueue_documents(db, profile_id, [doc(), doc()]).ids
    tf_sandbox.set_down(True)
    report = engine.step()
    assert report.online == {profile_id: False}
    assert Counter(r.state for r in rows(db, ids)) == Counter({"QUEUED": 2})
    tf_sandbox.set_down(False)
    engine.wake()
    assert engine.run_until_idle(timeout=10)
    assert Counter(r.state for r in rows(db, ids)) == Counter({"APPROVED": 2})


def test_429_requeues_and_backs_off(
        db: Database, profile_id: int, tf_sandbox: TusFacturasSandbox, engine: SyncEngine) -> None:
    ids = enqueue_documents(db, profile_id, [doc()]).ids
    tf_sandbox.rate_limit(times=1, endpoint="lotes")
    engine.send_once()
    assert [r.state for r in rows(db, ids)] == ["QUEUED"]
    with db.session() as s:
        profile = s.get(ProviderProfile, profile_id)
        assert profile is not None and profile.next_attempt_at is not None
        assert profile.online is True  # reachable, just busy
    engine.wake()
    assert engine.run_until_idle(timeout=10)
    assert [r.state for r in rows(db, ids)] == ["APPROVED"]
    assert tf_sandbox.issued() and len(tf_sandbox.issued()) == 1


def test_a_comprobante_queued_too_long_is_held_back_for_redating(
        db: Database, profile_id: int, tf_sandbox: TusFacturasSandbox, engine: SyncEngine) -> None:
    old = datetime.now() - timedelta(days=8)
    stale_id = enqueue_documents(db, profile_id, [doc(fecha=old.date())], now=old).ids[0]
    fresh_id = enqueue_documents(db, profile_id, [doc(fecha=date.today())]).ids[0]
    assert engine.run_until_idle(timeout=10)
    stale, fresh = rows(db, [stale_id, fresh_id])
    assert (stale.state, stale.code) == ("REJECTED", "REFECHAR")
    assert stale.message and "con su consentimiento" in stale.message
    assert fresh.state == "APPROVED" and fresh.provider_number == "00003-00000001"
    assert stale.external_ref not in tf_sandbox.received_by_ref()


def test_random_faults_on_every_endpoint_lose_nothing_and_issue_nothing_twice(
        db: Database, profile_id: int, tf_sandbox: TusFacturasSandbox, engine: SyncEngine) -> None:
    """Resets, 5xx, 524s, HTML and truncated bodies on lotes, numeracion and consultas
    alike (a soak in miniature): every document ends final, once."""
    invalid = cliente("CF", "CUIT", DEMO_UNREGISTERED_CUIT)
    docs = [doc(cliente_data=invalid) if i % 9 == 4 else doc() for i in range(90)]
    ids = enqueue_documents(db, profile_id, docs).ids
    tf_sandbox.set_fault_rate(0.2, seed=7)
    assert engine.run_until_idle(timeout=30, on_report=lambda r: engine.wake())
    final = rows(db, ids)
    states = Counter(r.state for r in final)
    assert states == Counter({"APPROVED": 80, "REJECTED": 10})
    assert all(r.code == "10015" for r in final if r.state == "REJECTED")
    assert tf_sandbox.issued_by_ref() == {r.external_ref: 1 for r in final if r.state == "APPROVED"}
    numbers = sorted(n for (_, _, n) in tf_sandbox.approvals_by_number())
    assert numbers == list(range(1, 81))
