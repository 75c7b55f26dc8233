"""End to end over real HTTP: the outbox, the sync engine and the JSIFEN sandbox.

Documents go in through ``enqueue_documents`` (the path every screen and import takes)
and come out final through ``SyncEngine.run_until_idle``, one HTTP call per document
(JSIFEN takes one DE per ``/factura/async/recibe``), each in a lote of its own. SIFEN's
processing and the polling schedule are compressed to tenths of a second.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from desktop_app.domain.cdc import is_valid_cdc
from desktop_app.domain.document import Document as DomainDocument
from desktop_app.providers.base import OutgoingDocument
from desktop_app.providers.jsifen import JsifenClient
from desktop_app.providers.registry import make_provider_client
from desktop_app.sandbox.jsifen import DEMO_CANCELLED_RUC, JsifenSandbox
from desktop_app.sandbox.server import Fault
from desktop_app.store.db import Database
from desktop_app.store.models import Document, Lote, ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from desktop_app.store.queries import document_events, list_documents
from desktop_app.sync.engine import SyncEngine
from tests.support.factories import document

KEY = "jsifen-e2e-token"
EMISOR = "80069563-1"


@pytest.fixture
def jsifen() -> Iterator[JsifenSandbox]:
    with JsifenSandbox(api_key=KEY, emisor_ruc=EMISOR, tipo_contribuyente=2,
                       processing_delay=0.2) as sb:
        yield sb


@pytest.fixture
def profile(db: Database) -> ProviderProfile:
    return save_profile(db, ProviderProfile(
        name="JSIFEN", provider="jsifen", country="PY", base_url="sandbox:", tenant=None,
        emisor_ruc=EMISOR, emisor_name="Comercial Demo S.A.", tipo_contribuyente=2,
        max_batch=1, poll_first_s=0.1, poll_every_s=0.1))


def engine_for(db: Database, jsifen: JsifenSandbox, **kwargs: Any) -> SyncEngine:
    return SyncEngine(db, base_url_for=lambda p: jsifen.url, key_for=lambda p: KEY,
                      request_timeout=5.0, **kwargs)


def dated(days_ago: float, **kwargs: Any) -> DomainDocument:
    doc = document(**kwargs)
    return replace(doc, fecha=doc.fecha - timedelta(days=days_ago))


def states(db: Database) -> Counter[str]:
    return Counter(r.state for r in list_documents(db))


def stored(db: Database) -> dict[int, Document]:
    with db.session() as s:
        return {r.id: r for r in s.exec(select(Document)) if r.id is not None}


#: What the simulated SIFEN says about each kind of document, and what Lote must show.
EXPECTED: dict[str, tuple[str, str | None, str]] = {
    "valid": ("APPROVED", None, "Aprobado"),
    "late": ("APPROVED_WITH_OBSERVATIONS", "1005", "Transmisión extemporánea del DE"),
    "too_late": ("REJECTED", "1005",
                 "Transmisión extemporánea del DE: fuera del plazo de 30 días"),
    "ruc_inactive": ("REJECTED", "1307",
                     f"El RUC del receptor {DEMO_CANCELLED_RUC} se encuentra inactivo (CANCELADO)"),
    "number_used": ("REJECTED", "1002", "Documento electrónico duplicado"),
}


def kind_of(i: int) -> str:
    """Seven valid in every ten, then one late, one with an inactive customer, and one
    whose number another terminal already used; "late" alternates with "too late"."""
    slot = i % 10
    if slot < 7:
        return "valid"
    if slot == 7:
        return "late" if (i // 10) % 2 == 0 else "too_late"
    return "ruc_inactive" if slot == 8 else "number_used"


def build(kind: str) -> DomainDocument:
    if kind == "late":
        return dated(4)  # past the 72 hours: approved with an observation
    if kind == "too_late":
        return dated(40)  # past 30 days: rejected
    if kind == "ruc_inactive":
        return document(tax_id=DEMO_CANCELLED_RUC)  # a valid RUC the registry has cancelled
    return document()


def issue_elsewhere(jsifen: JsifenSandbox, payloads: list[dict[str, Any]]) -> None:
    """Another terminal of the same emisor issues these numbers first, each under a CDC
    of its own (another security code), and SIFEN approves them."""
    with JsifenClient(jsifen.url, KEY, emisor_ruc=EMISOR, timeout=5.0) as other:
        for n, payload in enumerate(payloads):
            theirs = dict(payload, codigoSeguridadAleatorio=f"{900_000_000 + n}")
            numero = f"001-001-{payload['numero']:07d}"
            other.submit([OutgoingDocument(local_id=-1 - n, payload=theirs, numero=numero)])
    time.sleep(jsifen.processing_delay)
    jsifen.process_due()


def test_120_mixed_documents_drain_to_final_states_each_issued_once(
    db: Database, profile: ProviderProfile, jsifen: JsifenSandbox
) -> None:
    kinds = [kind_of(i) for i in range(120)]
    result = enqueue_documents(db, profile.id, [build(k) for k in kinds])  # type: ignore[arg-type]
    assert result.ok and len(result.ids) == 120
    kind_by_id = dict(zip(result.ids, kinds, strict=True))
    rows = stored(db)
    issue_elsewhere(jsifen, [json.loads(rows[i].payload) for i in result.ids
                             if kind_by_id[i] == "number_used"])
    their_attempts = len(jsifen.attempts())
    assert their_attempts == 12

    engine = engine_for(db, jsifen)
    started = time.monotonic()
    assert engine.run_until_idle(timeout=60)
    engine.close()
    elapsed = time.monotonic() - started

    assert states(db) == Counter({"APPROVED": 84, "APPROVED_WITH_OBSERVATIONS": 6,
                                  "REJECTED": 30})
    rows = stored(db)
    for doc_id, kind in kind_by_id.items():
        row = rows[doc_id]
        assert (row.state, row.code, row.message) == EXPECTED[kind], (doc_id, kind)
        assert row.cdc and is_valid_cdc(row.cdc)
        assert row.provider_ref and len(row.provider_ref) == 17  # its own lote
        if kind == "late":
            assert row.observations == "Transmisión extemporánea del DE"

    # One HTTP call, one lote, one receipt per document: nothing was ever sent twice.
    ours = jsifen.attempts()[their_attempts:]
    assert len(ours) == 120
    assert len({a.lote for a in ours}) == 120
    receipts = jsifen.receipts_by_cdc()
    assert all(receipts[rows[i].cdc] == 1 for i in result.ids)  # type: ignore[index]
    with db.session() as s:
        lotes = s.exec(select(Lote).where(Lote.profile_id == profile.id)).all()
    assert len(lotes) == 120 and {lote.size for lote in lotes} == {1}
    assert all(lote.state == "DONE" for lote in lotes)
    assert {lote.provider_lote_id for lote in lotes} == {a.lote for a in ours}

    # The issuance counter: exactly one approval per approved number, ours or theirs.
    approvals = jsifen.approvals_by_number()
    approved = [rows[i] for i in result.ids if rows[i].state.startswith("APPROVED")]
    assert len(approved) == 90
    assert all(approvals[(1, 1, 1, row.numero)] == 1 for row in approved)
    assert set(approvals.values()) == {1}
    assert all(approvals[(1, 1, 1, rows[i].numero)] == 1
               for i in result.ids if kind_by_id[i] == "number_used")  # theirs, not ours

    first = result.ids[0]
    assert [(e.from_state, e.to_state) for e in document_events(db, first)] == [
        (None, "QUEUED"), ("QUEUED", "SENDING"), ("SENDING", "SUBMITTED"),
        ("SUBMITTED", "APPROVED")]
    assert elapsed < 20


# -- faults through the engine ----------------------------------------------------------------


class LosesAnswers:
    """A real client whose first `lose` submits reach the sandbox but whose answers are
    lost on the way back (the sandbox processed them: that is the point)."""

    def __init__(self, real: JsifenClient, jsifen: JsifenSandbox, faults: list[Fault]) -> None:
        self.real, self.jsifen, self.faults = real, jsifen, list(faults)
        self.max_batch = real.max_batch

    def submit(self, docs: list[OutgoingDocument]) -> Any:
        if self.faults:
            self.jsifen.inject_fault(self.faults.pop(0), path=r"/factura/async/recibe$")
        return self.real.submit(docs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.mark.parametrize(
    "fault", [Fault.RESET_AFTER, Fault.HTTP_524_AFTER, Fault.MALFORMED_JSON_AFTER])
def test_a_lost_answer_is_reconciled_by_cdc_and_never_issued_twice(
    db: Database, profile: ProviderProfile, jsifen: JsifenSandbox, fault: Fault
) -> None:
    def factory(provider: str, **kw: Any) -> LosesAnswers:
        real = make_provider_client(provider, **kw)
        assert isinstance(real, JsifenClient)
        return LosesAnswers(real, jsifen, [fault] * 3)

    ids = enqueue_documents(db, profile.id, [document() for _ in range(5)]).ids  # type: ignore[arg-type]
    engine = engine_for(db, jsifen, client_factory=factory, concurrency=4)
    engine.send_once()  # `concurrency` documents at once, three of them lose their answer
    assert states(db) == Counter({"UNKNOWN": 3, "SUBMITTED": 1, "QUEUED": 1})
    engine.wake()
    assert engine.run_until_idle(timeout=30)
    engine.close()
    assert states(db) == Counter({"APPROVED": 5})
    went_unknown = [i for i in ids
                    if any(e.to_state == "UNKNOWN" for e in document_events(db, i))]
    assert len(went_unknown) == 3
    rows = stored(db)
    assert set(jsifen.receipts_by_cdc().values()) == {1}  # asked first, never sent again
    assert sorted(jsifen.receipts_by_cdc()) == sorted(rows[i].cdc for i in ids)  # type: ignore[type-var]
    assert set(jsifen.approvals_by_number().values()) == {1}
    assert len(jsifen.approvals_by_number()) == 5


def test_an_error_interno_before_sifen_is_requeued_after_the_grace_and_issued_once(
    db: Database, profile: ProviderProfile, jsifen: JsifenSandbox
) -> None:
    """A 500 "Error interno" may or may not have reached SIFEN: the document waits, asked
    about by CDC, for the grace; then, still unknown to SIFEN, it is sent again once."""
    def factory(provider: str, **kw: Any) -> LosesAnswers:
        real = JsifenClient(kw["base_url"], kw["api_key"], emisor_ruc=kw["emisor_ruc"],
                            timeout=kw["timeout"], reconcile_grace_s=1.5)
        return LosesAnswers(real, jsifen, [Fault.HTTP_500])

    [doc_id] = enqueue_documents(db, profile.id, [document()]).ids  # type: ignore[arg-type]
    engine = engine_for(db, jsifen, client_factory=factory)
    engine.send_once()
    assert states(db) == Counter({"UNKNOWN": 1})
    with db.session() as s:
        assert "Error interno" in (s.get(Document, doc_id).message or "")  # type: ignore[union-attr]
    engine.wake()
    engine.reconcile_once()
    assert states(db) == Counter({"SUBMITTED": 1})  # not believed lost yet
    assert jsifen.attempts() == []
    assert engine.run_until_idle(timeout=30)
    engine.close()
    assert states(db) == Counter({"APPROVED": 1})
    assert set(jsifen.receipts_by_cdc().values()) == {1}
    assert set(jsifen.approvals_by_number().values()) == {1}


def test_connection_refused_keeps_documents_queued_until_jsifen_is_back(
    db: Database, profile: ProviderProfile, jsifen: JsifenSandbox
) -> None:
    jsifen.set_down(True)
    enqueue_documents(db, profile.id, [document() for _ in range(3)])  # type: ignore[arg-type]
    engine = engine_for(db, jsifen)
    report = engine.step()
    assert report.online == {profile.id: False}
    assert states(db) == Counter({"QUEUED": 3})
    jsifen.set_down(False)
    engine.wake()
    assert engine.run_until_idle(timeout=30)
    engine.close()
    assert states(db) == Counter({"APPROVED": 3})
    assert set(jsifen.receipts_by_cdc().values()) == {1}


def test_a_wrong_token_is_reported_and_nothing_is_lost_or_sent(
    db: Database, profile: ProviderProfile, jsifen: JsifenSandbox
) -> None:
    engine = SyncEngine(db, base_url_for=lambda p: jsifen.url, key_for=lambda p: "wrong-token",
                        request_timeout=5.0)
    enqueue_documents(db, profile.id, [document()])  # type: ignore[arg-type]
    report = engine.step()
    engine.close()
    assert states(db) == Counter({"QUEUED": 1})
    assert report.online == {profile.id: True}  # reachable, but refused
    with db.session() as s:
        saved = s.get(ProviderProfile, profile.id)
    assert saved is not None and "wrong-token" not in (saved.last_error or "")
    assert jsifen.attempts() == []


def test_the_poll_schedule_follows_the_profile_not_a_fixed_sleep(
    db: Database, profile: ProviderProfile, jsifen: JsifenSandbox
) -> None:
    """JSIFEN advises 30–60 s between queries: the engine waits ``poll_every_s``."""
    jsifen.processing_delay = 30
    [doc_id] = enqueue_documents(db, profile.id, [document()]).ids  # type: ignore[arg-type]
    with db.write() as s:
        p = s.get(ProviderProfile, profile.id)
        assert p is not None
        p.poll_first_s, p.poll_every_s = 45.0, 45.0
        s.add(p)
    engine = engine_for(db, jsifen)
    engine.send_once()
    assert engine.poll_once().requests == 0  # not due: nothing asked
    with db.session() as s:
        row = s.get(Document, doc_id)
        assert row is not None and row.state == "SUBMITTED" and row.next_poll_at is not None
        wait = (row.next_poll_at - row.submitted_at).total_seconds()  # type: ignore[operator]
    engine.close()
    assert wait == pytest.approx(45.0, abs=1.0)
