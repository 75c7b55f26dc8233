"""End to end with DTEpy: `enqueue_documents` + `SyncEngine.run_until_idle` over real HTTP
to the DTEpy sandbox on 127.0.0.1, on a real SQLite file.

120 documents, valid locally, drain to final states with SIFEN's codes; every approved
document is issued exactly once; a lost answer is reconciled by CDC and by lote-by-CDC
(DNIT guide) without ever resending a CDC that is still being processed — the sandbox
blocks the emisor if that happens, and `blocks()` must stay empty.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlmodel import select

from desktop_app.domain.document import Document as DE
from desktop_app.domain.document import Payment
from desktop_app.domain.emisor import DEMO_EMISOR, cdc_for
from desktop_app.domain.paraguay import RULES
from desktop_app.providers.base import DocumentRef, DocumentResult, OutgoingDocument
from desktop_app.providers.dtepy import DTEpyClient
from desktop_app.sandbox.dtepy import DEMO_CANCELLED_RUC, DTEpySandbox
from desktop_app.sandbox.server import Fault
from desktop_app.store.db import Database
from desktop_app.store.models import Document, Lote, ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from desktop_app.store.queries import document_events, list_documents
from desktop_app.sync.engine import SyncEngine
from tests.support.factories import document

KEY = "dtepy-token-e2e"
TENANT = "7"


@pytest.fixture
def dtepy() -> Iterator[DTEpySandbox]:
    with DTEpySandbox(
        tenant=TENANT,
        api_key=KEY,
        emisor_ruc=DEMO_EMISOR.ruc,
        tipo_contribuyente=DEMO_EMISOR.tipo_contribuyente,
        processing_delay=0.3,
        block_seconds=600,
    ) as sandbox:
        yield sandbox


@pytest.fixture
def profile(db: Database) -> ProviderProfile:
    return save_profile(
        db,
        ProviderProfile(
            name="DTEpy",
            provider="dtepy",
            country="PY",
            base_url="sandbox:",
            tenant=TENANT,
            emisor_ruc=DEMO_EMISOR.ruc,
            tipo_contribuyente=DEMO_EMISOR.tipo_contribuyente,
            max_batch=50,
            poll_first_s=0.1,
            poll_every_s=0.2,
        ),
    )


def _pid(profile: ProviderProfile) -> int:
    assert profile.id is not None
    return profile.id


def make_engine(db: Database, dtepy: DTEpySandbox) -> SyncEngine:
    return SyncEngine(
        db, base_url_for=lambda p: dtepy.url, key_for=lambda p: KEY, request_timeout=5.0
    )


def _states(db: Database) -> Counter[str]:
    return Counter(r.state for r in list_documents(db))


def _documents(db: Database) -> dict[int, Document]:
    with db.session() as s:
        rows = s.exec(select(Document)).all()
        for row in rows:
            s.expunge(row)
    return {row.id: row for row in rows if row.id is not None}


def _key(row: Document) -> tuple[int, int, int, int]:
    return (row.tipo_documento, int(row.establecimiento), int(row.punto), row.numero)


def _issue_elsewhere(dtepy: DTEpySandbox, docs: list[DE]) -> None:
    """Another system of the shop issues these documents first, straight through DTEpy."""
    outgoing = []
    for n, doc in enumerate(docs):
        prepared = RULES.prepare(doc)
        outgoing.append(
            OutgoingDocument(
                local_id=9000 + n,
                payload=RULES.to_json(prepared),
                numero=prepared.numero_display,
                cdc=cdc_for(prepared, DEMO_EMISOR),
            )
        )
    with DTEpyClient(dtepy.url, TENANT, KEY, timeout=5.0) as client:
        lote = client.submit(outgoing).lote_id
        assert lote is not None
        deadline = time.monotonic() + 5
        while client.query_lote(lote, 1).code != "0362":
            assert time.monotonic() < deadline
            time.sleep(0.05)


# -- the required proof ------------------------------------------------------------------------


def test_120_mixed_documents_drain_to_final_states_each_issued_once(
    db: Database, profile: ProviderProfile, dtepy: DTEpySandbox
) -> None:
    now = datetime.now().replace(microsecond=0)
    kinds: list[tuple[str, DE]] = []
    for n in range(92):
        kinds.append(("valid", document(price=110_000 + 1_000 * (n % 7), quantity=str(1 + n % 3))))
    for _ in range(8):  # queued offline four days: SIFEN approves with an observation
        kinds.append(("late", replace(document(), fecha=now - timedelta(days=4))))
    for _ in range(5):  # queued offline for more than 30 days: rejected
        kinds.append(("too_old", replace(document(), fecha=now - timedelta(days=31))))
    for _ in range(6):
        kinds.append(("cancelled_ruc", document(tax_id=DEMO_CANCELLED_RUC)))
    for _ in range(5):  # paid in dollars at a rate that does not cover the total
        usd = Payment(tipo=1, monto=Decimal(10), moneda="USD", extra={"cambio": 7300})
        kinds.append(("usd_short", replace(document(), entregas=[usd])))
    taken = [
        replace(document(numero=501 + n), codigo_seguridad=f"{111_000_000 + n:09d}")
        for n in range(2)
    ]
    repeated = [
        replace(document(numero=511 + n), codigo_seguridad=f"{222_000_000 + n:09d}")
        for n in range(2)
    ]
    for doc in taken:  # the number was already issued elsewhere under another CDC
        kinds.append(
            (
                "number_taken",
                replace(doc, codigo_seguridad=f"{333_000_000 + (doc.numero or 0):09d}"),
            )
        )
    for doc in repeated:  # the very same CDC was already approved elsewhere
        kinds.append(("cdc_taken", doc))
    assert len(kinds) == 120
    _issue_elsewhere(dtepy, taken + repeated)

    result = enqueue_documents(db, _pid(profile), [doc for _, doc in kinds])
    assert result.ok, result.errors  # every one is valid locally
    kind_of = dict(zip(result.ids, (k for k, _ in kinds), strict=True))

    engine = make_engine(db, dtepy)
    started = time.monotonic()
    assert engine.run_until_idle(timeout=30)
    engine.close()
    assert time.monotonic() - started < 15

    rows = _documents(db)
    expected = {
        "valid": ("APPROVED", "0260", "Autorización del DE satisfactoria"),
        "late": ("APPROVED_WITH_OBSERVATIONS", "1005", "Transmisión extemporánea del DE"),
        "too_old": ("REJECTED", "1005", "supera el plazo de 720 horas"),
        "cancelled_ruc": ("REJECTED", "1307", "se encuentra inactivo"),
        "usd_short": ("REJECTED", "2365", "Cálculo del total general"),
        "number_taken": ("REJECTED", "1002", "Documento electrónico duplicado"),
        "cdc_taken": ("REJECTED", "1001", "CDC duplicado"),
    }
    for doc_id, kind in kind_of.items():
        row = rows[doc_id]
        state, code, message = expected[kind]
        assert (row.state, row.code) == (state, code), (kind, row.state, row.code, row.message)
        assert row.message is not None and message in row.message, (kind, row.message)
        if state != "REJECTED":
            assert row.provider_ref and len(row.provider_ref) == 8  # dProtAut
    assert Counter(rows[i].state for i in kind_of) == Counter(
        {"APPROVED": 92, "APPROVED_WITH_OBSERVATIONS": 8, "REJECTED": 20}
    )
    assert rows[next(i for i, k in kind_of.items() if k == "late")].observations == (
        "Transmisión extemporánea del DE"
    )

    approvals = dtepy.approvals_by_number()
    for doc_id, kind in kind_of.items():
        if kind in ("valid", "late", "number_taken", "cdc_taken"):
            assert approvals[_key(rows[doc_id])] == 1, kind
    assert set(approvals.values()) == {1}
    receipts = dtepy.receipts_by_cdc()
    for doc_id, kind in kind_of.items():
        assert receipts[rows[doc_id].cdc or ""] == (2 if kind == "cdc_taken" else 1), kind
    assert dtepy.blocks() == []

    with db.session() as s:
        lotes = [lo for lo in s.exec(select(Lote)).all()]
    assert sorted(lo.size for lo in lotes) == [20, 50, 50]
    assert all(lo.state == "DONE" and len(lo.provider_lote_id or "") == 17 for lo in lotes)
    valid_id = next(i for i, k in kind_of.items() if k == "valid")
    path = [(e.from_state, e.to_state) for e in document_events(db, valid_id)]
    assert path == [
        (None, "QUEUED"),
        ("QUEUED", "SENDING"),
        ("SENDING", "SUBMITTED"),
        ("SUBMITTED", "APPROVED"),
    ]


# -- lost answers, through the engine -----------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault.RESET_AFTER,
        Fault.HTTP_524_AFTER,
        Fault.MALFORMED_JSON_AFTER,
        Fault.RESET_BEFORE,
        Fault.HTTP_500,
        Fault.HTTP_503,
        Fault.HTML_PAGE,
    ],
)
def test_a_lost_answer_is_reconciled_and_no_cdc_is_sent_while_pending(
    db: Database, profile: ProviderProfile, dtepy: DTEpySandbox, fault: Fault
) -> None:
    dtepy.processing_delay = 0.6  # the engine asks while SIFEN is still processing
    dtepy.inject_fault(fault, path="/documentoset/lotes")
    ids = enqueue_documents(db, _pid(profile), [document() for _ in range(4)]).ids
    engine = make_engine(db, dtepy)
    engine.send_once()
    assert _states(db) == Counter({"UNKNOWN": 4})
    engine.wake()
    assert engine.run_until_idle(timeout=15)
    engine.close()
    assert _states(db) == Counter({"APPROVED": 4})
    assert dtepy.blocks() == []  # never resent while pending: the emisor was never blocked
    assert set(dtepy.receipts_by_cdc().values()) == {1}
    assert len(dtepy.receipts_by_cdc()) == 4
    assert set(dtepy.approvals_by_number().values()) == {1}
    states = [e.to_state for e in document_events(db, ids[0])]
    if fault in (Fault.RESET_AFTER, Fault.HTTP_524_AFTER, Fault.MALFORMED_JSON_AFTER):
        assert states == ["QUEUED", "SENDING", "UNKNOWN", "SUBMITTED", "APPROVED"]
    else:  # it never reached SIFEN: asked, found absent, then sent once
        assert states == [
            "QUEUED",
            "SENDING",
            "UNKNOWN",
            "QUEUED",
            "SENDING",
            "SUBMITTED",
            "APPROVED",
        ]


class TrustsConsultaAlone:
    """A client that believes SIFEN's 0420 means "never received": what not to do."""

    def __init__(self, real: DTEpyClient) -> None:
        self.real = real
        self.max_batch = real.max_batch

    def lookup(self, ref: DocumentRef) -> list[DocumentResult]:
        assert ref.cdc is not None
        found = self.real.query_cdc(ref.cdc, ref.tipo_documento)
        return [replace(found, local_id=ref.local_id)] if found else []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_the_sandbox_blocks_an_engine_whose_client_trusts_0420_alone(
    db: Database, profile: ProviderProfile, dtepy: DTEpySandbox
) -> None:
    """The negative control of the test above: the rule is really enforced."""
    dtepy.processing_delay = 5
    dtepy.inject_fault(Fault.RESET_AFTER, path="/documentoset/lotes")
    enqueue_documents(db, _pid(profile), [document() for _ in range(2)])

    def naive(provider: str, **kw: Any) -> TrustsConsultaAlone:
        return TrustsConsultaAlone(DTEpyClient(kw["base_url"], kw["tenant"], kw["api_key"]))

    engine = SyncEngine(
        db, base_url_for=lambda p: dtepy.url, key_for=lambda p: KEY, client_factory=naive
    )
    engine.send_once()
    engine.wake()
    engine.step()  # 0420 -> "never received" -> queued -> resent while pending
    engine.close()
    assert [b.reason for b in dtepy.blocks()] == ["reenvío de CDC aún en procesamiento"]
    assert _states(db) == Counter({"QUEUED": 2})  # 0301: nothing created, back in the queue


def test_documents_left_sending_by_a_crash_are_asked_about_then_sent_once(
    db: Database, profile: ProviderProfile, dtepy: DTEpySandbox
) -> None:
    enqueue_documents(db, _pid(profile), [document() for _ in range(3)])
    engine = make_engine(db, dtepy)
    assert engine._claim(profile, 50) is not None  # crash right after the claim
    engine.recover_interrupted(all_sending=True)
    assert _states(db) == Counter({"UNKNOWN": 3})
    assert engine.run_until_idle(timeout=15)
    engine.close()
    assert _states(db) == Counter({"APPROVED": 3})
    assert set(dtepy.receipts_by_cdc().values()) == {1} and dtepy.blocks() == []


def test_a_blocked_emisor_keeps_documents_queued_and_the_engine_backs_off(
    db: Database, profile: ProviderProfile, dtepy: DTEpySandbox
) -> None:
    dtepy.block_seconds = 0.5
    empty = httpx.post(
        dtepy.url + "/documentoset/lotes",
        headers={"x-access-token": KEY},
        json={"tipoDocumento": 1, "id": int(TENANT), "detalle": []},
    )
    assert empty.json()["ns2:rResEnviLoteDe"]["ns2:dCodRes"] == "0301"  # someone else's mistake
    enqueue_documents(db, _pid(profile), [document() for _ in range(3)])
    engine = make_engine(db, dtepy)
    report = engine.step()
    assert _states(db) == Counter({"QUEUED": 3})  # 0301: nothing was created, all requeued
    assert report.online == {profile.id: True}
    with db.session() as s:
        lote = s.exec(select(Lote)).one()
        assert (lote.state, lote.code) == ("REFUSED", "0301")
        backed_off = s.get(ProviderProfile, profile.id)
        assert backed_off is not None and backed_off.next_attempt_at is not None
        assert "0301" in (backed_off.last_error or "")
    assert engine.step().requests == 0  # backing off: no hammering of a blocked emisor
    time.sleep(0.5)
    engine.wake()
    assert engine.run_until_idle(timeout=15)
    engine.close()
    assert _states(db) == Counter({"APPROVED": 3})
    assert len(dtepy.blocks()) == 1  # only the one the test caused


def test_offline_documents_stay_queued(
    db: Database, profile: ProviderProfile, dtepy: DTEpySandbox
) -> None:
    dtepy.set_down(True)
    enqueue_documents(db, _pid(profile), [document() for _ in range(2)])
    engine = make_engine(db, dtepy)
    report = engine.step()
    assert report.online == {profile.id: False}
    assert _states(db) == Counter({"QUEUED": 2})
    dtepy.set_down(False)
    engine.wake()
    assert engine.run_until_idle(timeout=15)
    engine.close()
    assert _states(db) == Counter({"APPROVED": 2})
    assert set(dtepy.receipts_by_cdc().values()) == {1}
