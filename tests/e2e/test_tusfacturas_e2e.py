"""End to end for Argentina: 120 mixed comprobantes through `enqueue_documents` and
`SyncEngine.run_until_idle`, over real HTTP to the TusFacturas sandbox on 127.0.0.1.

The mix (valid locally, judged by the simulated AFIP or held back by Lote):

- FACTURA B to consumidores finales and FACTURA A to responsables inscriptos: approved;
- FACTURA A to a CUIT the padrón marks not ACTIVE in IVA: approved with observación 10063;
- FACTURA B to a well-formed CUIT missing from the padrón: rejected 10015 — and, since
  AFIP rejects everything after a rejected comprobante in the same lote, each of these
  sends the rest of its lote back to the queue (NOT_PROCESSED), to be approved later;
- comprobantes that waited in the queue longer than AFIP's 5 days: never sent, rejected
  by Lote with code REFECHAR (re-date with the user's consent).

Numbering (seeds/tusfacturas-lotes.txt + WSFEv1 10016): AFIP does not consume a rejected
number, so the client numbers each lote from AFIP's next number; the fiscal numbers end
consecutive with no gap, every approved document is issued exactly once, and each keeps
its fiscal number and CAE.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from desktop_app.domain.argentina import (
    COMPROBANTE_TIPOS,
    document_from_json,
    parse_comprobante_nro,
)
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
    OTHER_CUIT,
    RI_CUIT,
    SECRET,
    cliente,
    comprobante_json,
    item,
    responsable_inscripto,
)

pytestmark = pytest.mark.slow


def _doc(data: dict[str, Any]) -> Any:
    doc, errors = document_from_json(data)
    assert doc is not None, errors
    return doc


def _mix() -> list[tuple[str, Any]]:
    """(category, document) for 117 fresh comprobantes, interleaving A and B."""
    docs: list[tuple[str, Any]] = []
    for i in range(117):
        if i % 10 == 3:
            kind, data = "rejected_10015", comprobante_json(
                cliente_data=cliente("CF", "CUIT", DEMO_UNREGISTERED_CUIT, "Sin Padrón SRL"))
        elif i % 10 == 7:
            kind, data = "observed_10063", comprobante_json(
                tipo="FACTURA A", cliente_data=responsable_inscripto(DEMO_INACTIVE_CUIT))
        elif i % 4 == 1:
            kind, data = "approved_a", comprobante_json(
                tipo="FACTURA A", cliente_data=responsable_inscripto(RI_CUIT if i % 8 == 1 else OTHER_CUIT),
                items=[item("2", "1500.50", "21"), item("1", "99.99", "10.5")])
        else:
            kind, data = "approved_b", comprobante_json(
                items=[item(str(1 + i % 3), "1234.56", "21")])
        docs.append((kind, _doc(data)))
    return docs


def test_120_mixed_comprobantes_drain_each_issued_once(db: Database) -> None:
    with TusFacturasSandbox(api_key=SECRET) as sandbox:
        profile = save_profile(db, ProviderProfile(
            name="tusfacturas-e2e", provider="tusfacturas", country="AR", base_url="sandbox:",
            max_batch=20, poll_first_s=0.1, poll_every_s=0.2))
        assert profile.id is not None
        # Three comprobantes queued 20 days ago, while offline, valid on that day (saved
        # first: dates never go backwards within a punto de venta).
        old_now = datetime.now() - timedelta(days=20)
        stale = [_doc(comprobante_json(fecha=old_now.date())) for _ in range(3)]
        late = enqueue_documents(db, profile.id, stale, now=old_now)
        assert late.ok, late.errors
        kinds: dict[int, str] = {doc_id: "stale" for doc_id in late.ids}
        mix = _mix()
        result = enqueue_documents(db, profile.id, [d for _, d in mix])
        assert result.ok, result.errors
        kinds.update(zip(result.ids, (k for k, _ in mix), strict=True))
        assert len(kinds) == 120

        engine = SyncEngine(db, base_url_for=lambda p: sandbox.url, key_for=lambda p: SECRET,
                            request_timeout=10.0)
        try:
            assert engine.run_until_idle(timeout=20)
        finally:
            engine.close()

        with db.session() as s:
            rows = {r.id: r for r in s.exec(select(Document))}
        by_kind: dict[str, list[Document]] = {}
        for doc_id, kind in kinds.items():
            by_kind.setdefault(kind, []).append(rows[doc_id])
        states = Counter((kind, rows[doc_id].state) for doc_id, kind in kinds.items())
        assert states == Counter({
            ("approved_a", "APPROVED"): len(by_kind["approved_a"]),
            ("approved_b", "APPROVED"): len(by_kind["approved_b"]),
            ("observed_10063", "APPROVED_WITH_OBSERVATIONS"): 11,
            ("rejected_10015", "REJECTED"): 12,
            ("stale", "REJECTED"): 3,
        })

        for row in by_kind["rejected_10015"]:
            assert row.code == "10015"
            assert "no se encuentra registrado en los padrones de AFIP" in (row.message or "")
            assert row.cae is None and row.provider_number is None
        for row in by_kind["stale"]:
            assert row.code == "REFECHAR"
            assert "consentimiento" in (row.message or "")
        for row in by_kind["observed_10063"]:
            assert row.code == "10063"
            assert "condicion ACTIVA en el impuesto (IVA)" in (row.observations or "")

        approved = [r for r in rows.values() if r.state.startswith("APPROVED")]
        assert len(approved) == 105
        for row in approved:
            assert row.cae and len(row.cae) == 14 and row.cae.isdigit()  # trailing space gone
            assert row.cae_expiry and datetime.fromisoformat(row.cae_expiry)
            assert row.provider_number and parse_comprobante_nro(row.provider_number)
            assert row.provider_ref == f"{COMPROBANTE_TIPOS[row.tipo_documento]} {row.provider_number}"
            assert row.message == (f"El comprobante {row.provider_ref} (LOTE-SANDBOX) se ha "
                                   "guardado correctamente")
        assert all(r.code is None and r.observations is None for r in approved if r.state == "APPROVED")

        # Cascade victims: sent back to the queue with the reason, then approved.
        victims = [r for r in rows.values() if any(
            (e.from_state, e.to_state) == ("SENDING", "QUEUED")
            and "comprobante anterior del mismo lote fue rechazado" in (e.message or "")
            for e in document_events(db, r.id))]  # type: ignore[arg-type]
        assert victims and all(v.state.startswith("APPROVED") or v.code == "10015" for v in victims)

        # Issued exactly once each; the rejected ones never; nothing issued twice.
        issued = sandbox.issued_by_ref()
        assert {r.external_ref: 1 for r in approved} == issued
        assert set(sandbox.approvals_by_number().values()) == {1}
        # Rejected for their own fault once, and never sent again after that. Stale ones:
        # never sent at all.
        rejected = sandbox.rejected_by_ref()
        assert rejected == {r.external_ref: 1 for r in by_kind["rejected_10015"]}
        received = sandbox.received_by_ref()
        assert not any(r.external_ref in received for r in by_kind["stale"])
        # Innocent victims of a cascade went back to the queue and were sent again.
        assert any(n > 1 for n in received.values())

        # Fiscal numbers: consecutive from 1 per type, no gap left by any rejection.
        for tipo in (1, 6):
            numbers = sorted(
                parse_comprobante_nro(r.provider_number)[1]  # type: ignore[index]
                for r in approved if r.tipo_documento == tipo
            )
            assert numbers == list(range(1, len(numbers) + 1))
        with db.session() as s:
            assert s.get(ProviderProfile, profile.id).online is True  # type: ignore[union-attr]
