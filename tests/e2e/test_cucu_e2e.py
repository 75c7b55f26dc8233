"""End to end with CUCU (Bolivia): `enqueue_documents` + `SyncEngine.run_until_idle` over
real HTTP to the CUCU sandbox on 127.0.0.1, on a real SQLite file.

120 invoices, valid for Lote, drain to final states in batches of 20 with SIAT's codes;
every approved invoice is issued exactly once and no invoice is ever sent twice after a
lost answer (CUCU has no idempotency key: Lote searches before resending). Also through
the engine: 429 and 503 put everything back in the queue, SIAT failing mid-batch requeues
the rest, a SIAT timeout and a crash are reconciled by search.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import col, select

from desktop_app.domain.bolivia import RULES, Invoice, cuf_parts
from desktop_app.providers.base import OutcomeUnknown
from desktop_app.providers.cucu import CucuClient
from desktop_app.providers.registry import make_provider_client
from desktop_app.sandbox.cucu import DEMO_UNKNOWN_NIT, SIAT_MESSAGES, CucuSandbox, demo_invoice
from desktop_app.store.db import Database
from desktop_app.store.models import Document, Lote, ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from desktop_app.store.queries import document_events, list_documents
from desktop_app.sync.engine import SyncEngine

KEY = "sk_test_e2e"
POS_A = "660e8400-e29b-41d4-a716-446655440004"
POS_B = "660e8400-e29b-41d4-a716-446655440005"

#: Valid for Lote, rejected by the simulated SIAT: (invoice changes, siatCode).
INVALID: list[tuple[dict[str, Any], str]] = [
    ({"nit": DEMO_UNKNOWN_NIT}, "1037"),  # no check digit: only SIAT's padrón knows
    ({"activity": "461021"}, "1016"),  # activity not enabled for the emisor
    ({"product": 62271}, "1017"),  # product of another activity
]


@pytest.fixture
def cucu() -> Iterator[CucuSandbox]:
    with CucuSandbox(api_key=KEY, processing_delay=0.3) as sandbox:
        yield sandbox


@pytest.fixture
def profile(db: Database) -> ProviderProfile:
    return save_profile(db, ProviderProfile(
        name="CUCU", provider="cucu", country="BO", base_url="sandbox:", max_batch=20,
        poll_first_s=0.1, poll_every_s=0.2))


def make_engine(db: Database, cucu: CucuSandbox, **kwargs: Any) -> SyncEngine:
    return SyncEngine(db, base_url_for=lambda p: cucu.url, key_for=lambda p: KEY,
                      request_timeout=5.0, **kwargs)


def invoice(n: int, **changes: Any) -> Invoice:
    kwargs: dict[str, Any] = {"nit": str(1_000_000_000 + 7919 * n), "quantity": 1 + n % 3,
                              "price": [113, 200, 45.5, 1500][n % 4],
                              "pos": POS_A if n % 2 else POS_B}
    if n % 10 == 4:
        kwargs.update(document_type=1, nit=str(4_000_000 + n), clientComplement="1A")
    kwargs.update(changes)
    parsed, errors = RULES.parse(demo_invoice(**kwargs))
    assert parsed is not None, errors
    return parsed


def states(db: Database) -> Counter[str]:
    return Counter(r.state for r in list_documents(db))


def rows(db: Database) -> list[Document]:
    with db.session() as s:
        found = list(s.exec(select(Document).order_by(col(Document.id))))
        for row in found:
            s.expunge(row)
    return found


def events(db: Database, row: Document) -> list[str]:
    assert row.id is not None
    return [e.to_state for e in document_events(db, row.id)]


def assert_issued_once(db: Database, cucu: CucuSandbox) -> None:
    approved = [r for r in rows(db) if r.state == "APPROVED"]
    issued = cucu.issued_by_ref()
    assert {r.external_ref for r in approved} == set(issued)
    assert set(issued.values()) == {1}
    assert set(cucu.approvals_by_number().values()) == {1}


class LosesResponses:
    """A real client whose submit reaches CUCU but whose answer is lost (as in
    tests/sync/test_engine.py)."""

    def __init__(self, real: Any, lose: int) -> None:
        self.real, self.lose = real, lose
        self.max_batch = real.max_batch

    def submit(self, docs: Any) -> Any:
        result = self.real.submit(docs)
        if self.lose:
            self.lose -= 1
            raise OutcomeUnknown("respuesta perdida")
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_120_invoices_drain_to_final_states_each_issued_once(
        db: Database, profile: ProviderProfile, cucu: CucuSandbox) -> None:
    expected: list[str | None] = []
    invoices = []
    for n in range(120):
        changes, code = INVALID[n % 3] if n % 4 == 1 else ({}, None)
        invoices.append(invoice(n, **changes))
        expected.append(code)
    assert profile.id is not None
    queued = enqueue_documents(db, profile.id, invoices)
    assert queued.ok and len(queued.ids) == 120
    engine = make_engine(db, cucu)
    started = time.monotonic()
    assert engine.run_until_idle(timeout=30)
    engine.close()
    assert time.monotonic() - started < 20

    by_id = {r.id: r for r in rows(db)}
    rejected = sum(1 for code in expected if code)
    assert states(db) == Counter({"APPROVED": 120 - rejected, "REJECTED": rejected})
    for doc_id, code in zip(queued.ids, expected, strict=True):
        row = by_id[doc_id]
        if code:
            assert (row.state, row.code) == ("REJECTED", code)
            assert row.message == SIAT_MESSAGES[int(code)]
            assert row.cuf is None and row.provider_number is None
        else:
            assert row.state == "APPROVED" and row.code is None
            assert row.provider_ref and row.provider_number and row.cuf
            parts = cuf_parts(row.cuf)
            assert parts is not None and str(parts.numero) == row.provider_number
    with db.session() as s:
        lotes = list(s.exec(select(Lote)))
    assert sorted(lote.size for lote in lotes) == [20] * 6
    assert all(lote.state == "DONE" and lote.provider_lote_id is None for lote in lotes)
    assert_issued_once(db, cucu)
    assert set(cucu.received_by_ref().values()) == {1}  # nothing was ever sent twice
    approved = next(r for r in rows(db) if r.state == "APPROVED")
    assert events(db, approved) == ["QUEUED", "SENDING", "APPROVED"]


def test_lotes_local_number_is_not_cucus_official_number(
        db: Database, profile: ProviderProfile) -> None:
    assert profile.id is not None
    enqueue_documents(db, profile.id, [invoice(1), invoice(3)])
    # CUCU's numbering went on elsewhere (another till, CUCU's own portal).
    with CucuSandbox(api_key=KEY, first_invoice_number=501) as cucu:
        engine = make_engine(db, cucu)
        assert engine.run_until_idle(timeout=10)
        engine.close()
    assert [(r.numero, r.provider_number) for r in rows(db)] == [(1, "501"), (2, "502")]
    assert [RULES.display_number(1, r.establecimiento, r.punto, r.numero) for r in rows(db)] == [
        f"{POS_A}-000001", f"{POS_A}-000002"]


def test_a_lost_response_is_reconciled_by_search_and_never_issued_twice(
        db: Database, profile: ProviderProfile, cucu: CucuSandbox) -> None:
    def factory(provider: str, **kw: Any) -> Any:
        return LosesResponses(make_provider_client(provider, **kw), lose=1)

    assert profile.id is not None
    invoices = [invoice(n, **(INVALID[n % 3][0] if n % 5 == 0 else {})) for n in range(25)]
    enqueue_documents(db, profile.id, invoices)
    engine = make_engine(db, cucu, client_factory=factory)
    engine.send_once()  # two batches (20 + 5) at once: one answer is lost
    assert states(db)["UNKNOWN"] in (5, 20)
    engine.wake()
    assert engine.run_until_idle(timeout=20)
    engine.close()
    assert states(db) == Counter({"APPROVED": 20, "REJECTED": 5})
    rejected = [r for r in rows(db) if r.state == "REJECTED"]
    assert {r.code for r in rejected} == {"1037", "1016", "1017"}
    assert_issued_once(db, cucu)
    assert set(cucu.received_by_ref().values()) == {1}  # searched, never resent
    paths = {tuple(events(db, r)) for r in rows(db)}
    assert ("QUEUED", "SENDING", "UNKNOWN", "APPROVED") in paths
    assert all("SUBMITTED" not in p and p.count("SENDING") == 1 for p in paths)


def test_an_invoice_missing_from_the_results_is_reconciled_not_guessed(
        db: Database, profile: ProviderProfile, cucu: CucuSandbox) -> None:
    assert profile.id is not None
    cucu.omit_results_next(1, 3)
    ids = enqueue_documents(db, profile.id, [invoice(1),
                                             invoice(3), invoice(5, nit=DEMO_UNKNOWN_NIT),
                                             invoice(7)]).ids
    engine = make_engine(db, cucu)
    engine.send_once()
    assert [r.state for r in rows(db)] == ["APPROVED", "UNKNOWN", "REJECTED", "UNKNOWN"]
    assert engine.run_until_idle(timeout=10)
    engine.close()
    by_id = {r.id: r for r in rows(db)}
    assert [by_id[i].state for i in ids] == ["APPROVED", "APPROVED", "REJECTED", "APPROVED"]
    assert [by_id[i].provider_number for i in ids] == ["1", "2", None, "4"]
    assert_issued_once(db, cucu)
    assert set(cucu.received_by_ref().values()) == {1}


@pytest.mark.parametrize(("switch", "code"), [("rate_limited", "429"), ("siat_down", "503")])
def test_429_and_503_put_every_invoice_back_in_the_queue(
        db: Database, profile: ProviderProfile, cucu: CucuSandbox, switch: str, code: str) -> None:
    assert profile.id is not None
    if switch == "rate_limited":
        cucu.rate_limited = True
    else:
        cucu.siat_available = False
    enqueue_documents(db, profile.id, [invoice(n) for n in range(3)])
    engine = make_engine(db, cucu)
    report = engine.send_once()
    assert states(db) == Counter({"QUEUED": 3})  # nothing rejected, nothing unknown
    assert report.online == {profile.id: True}
    with db.session() as s:
        [lote] = s.exec(select(Lote)).all()
    assert (lote.state, lote.code) == ("REFUSED", code)
    engine.send_once()  # within Retry-After: nothing leaves, the engine backs off
    with db.session() as s:
        backing_off = s.get(ProviderProfile, profile.id)
        assert backing_off is not None and backing_off.next_attempt_at is not None
    assert cucu.invoices() == []
    cucu.rate_limited, cucu.siat_available = False, True
    time.sleep(1.05)  # the sandbox's Retry-After: 1
    engine.wake()
    assert engine.run_until_idle(timeout=10)
    engine.close()
    assert states(db) == Counter({"APPROVED": 3})
    assert_issued_once(db, cucu)


def test_siat_failing_mid_batch_requeues_the_rest_and_issues_each_once(
        db: Database, profile: ProviderProfile, cucu: CucuSandbox) -> None:
    assert profile.id is not None
    cucu.interrupt_siat_after(5)
    enqueue_documents(db, profile.id, [invoice(n) for n in range(20)])
    engine = make_engine(db, cucu)
    engine.send_once()
    assert states(db) == Counter({"APPROVED": 5, "QUEUED": 15})
    assert engine.run_until_idle(timeout=10)
    engine.close()
    assert states(db) == Counter({"APPROVED": 20})
    assert_issued_once(db, cucu)


def test_a_siat_timeout_is_reconciled_by_search_and_polled_to_approval(
        db: Database, profile: ProviderProfile, cucu: CucuSandbox) -> None:
    assert profile.id is not None
    cucu.siat_slow = True
    enqueue_documents(db, profile.id, [invoice(n) for n in range(4)])
    engine = make_engine(db, cucu)
    engine.send_once()
    assert states(db) == Counter({"UNKNOWN": 4})
    engine.wake()
    assert engine.run_until_idle(timeout=10)
    engine.close()
    assert states(db) == Counter({"APPROVED": 4})
    row = rows(db)[0]
    assert row.code == "908" and row.provider_ref and row.cuf
    # Found by search, never sent again: straight to APPROVED when SIAT has finished by
    # then, through SUBMITTED (still processing) when it has not — both are right.
    assert events(db, row) in (["QUEUED", "SENDING", "UNKNOWN", "SUBMITTED", "APPROVED"],
                               ["QUEUED", "SENDING", "UNKNOWN", "APPROVED"])
    assert_issued_once(db, cucu)
    assert set(cucu.received_by_ref().values()) == {1}


def test_a_crash_after_the_claim_waits_for_cucu_then_sends_once(
        db: Database, profile: ProviderProfile, cucu: CucuSandbox) -> None:
    def factory(provider: str, **kw: Any) -> CucuClient:
        # A compressed "30 s per invoice": the batch time CUCU is given before an
        # invoice it does not know counts as never received.
        return CucuClient(kw["base_url"], kw["api_key"], timeout=kw["timeout"],
                          per_invoice_seconds=0.01, settle_margin=0.0)

    assert profile.id is not None
    enqueue_documents(db, profile.id, [invoice(n) for n in range(3)])
    engine = make_engine(db, cucu, client_factory=factory)
    assert engine._claim(profile, 20) is not None  # SENDING committed, nothing sent
    engine.recover_interrupted(all_sending=True)
    assert states(db) == Counter({"UNKNOWN": 3})
    assert engine.run_until_idle(timeout=10)
    engine.close()
    assert states(db) == Counter({"APPROVED": 3})
    assert set(cucu.received_by_ref().values()) == {1}
    assert_issued_once(db, cucu)
    # Not found at first: left waiting (SUBMITTED) until CUCU must have finished any
    # batch carrying it, then declared not received and sent once.
    assert events(db, rows(db)[0]) == ["QUEUED", "SENDING", "UNKNOWN", "SUBMITTED", "UNKNOWN", "QUEUED", "SENDING",
                    "APPROVED"]
