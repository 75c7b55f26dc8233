"""One engine, small steps: claim a batch, submit it, poll results, reconcile unknowns.

The CLI runs these steps in a loop; the GUI runs the same engine in QThread workers.
Each step opens its own short transactions; no transaction is held open while a request
is on the wire. DESIGN rule 2 is enforced here: documents are SENDING under an attempt
id (committed) before the request leaves; whatever may have reached the provider becomes
UNKNOWN and is asked about (by number) before it is ever sent again.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from desktop_app.credentials import api_key_for
from desktop_app.domain.country import rules_for
from desktop_app.domain.states import PENDING_STATES, DocState
from desktop_app.providers.base import (
    CallRefused,
    ConnectionFailed,
    DocumentRef,
    DocumentResult,
    Outcome,
    OutcomeUnknown,
    OutgoingDocument,
    ProviderError,
)
from desktop_app.providers.registry import make_provider_client
from desktop_app.store.db import Database
from desktop_app.store.models import Document, Lote, ProviderProfile
from desktop_app.store.outbox import transition
from desktop_app.store.types import utcnow
from desktop_app.sync.backoff import backoff_delay

log = logging.getLogger(__name__)

ACTOR = "sync"
FINAL_OUTCOMES = {
    Outcome.APPROVED: DocState.APPROVED,
    Outcome.APPROVED_WITH_OBSERVATIONS: DocState.APPROVED_WITH_OBSERVATIONS,
    Outcome.REJECTED: DocState.REJECTED,
}
PENDING_VALUES = [s.value for s in PENDING_STATES]


@dataclass
class SyncReport:
    """What a step did: the ids of documents that changed and each profile's connectivity."""

    changed: set[int] = field(default_factory=set)
    online: dict[int, bool] = field(default_factory=dict)
    requests: int = 0

    def merge(self, other: SyncReport) -> SyncReport:
        self.changed |= other.changed
        self.online.update(other.online)
        self.requests += other.requests
        return self

    @property
    def did_work(self) -> bool:
        return self.requests > 0 or bool(self.changed)


class SyncEngine:
    def __init__(
        self,
        db: Database,
        *,
        client_factory: Callable[..., Any] = make_provider_client,
        key_for: Callable[[ProviderProfile], str | None] = api_key_for,
        clock: Callable[[], datetime] = utcnow,
        rng: Callable[[], float] = random.random,
        request_timeout: float = 30.0,
        base_url_for: Callable[[ProviderProfile], str] | None = None,
    ) -> None:
        self.db = db
        self._client_factory = client_factory
        self._key_for = key_for
        self._clock = clock
        self._rng = rng
        self._timeout = request_timeout
        self._base_url_for = base_url_for or (lambda p: p.base_url)
        self._clients: dict[tuple, Any] = {}
        #: SENDING documents older than this are presumed interrupted (crash, kill).
        self.stale_sending_after = timedelta(seconds=request_timeout * 2 + 30)

    # -- helpers ---------------------------------------------------------------------
    def _client(self, profile: ProviderProfile) -> Any:
        key = self._key_for(profile)
        if not key:
            raise CallRefused(
                f"El perfil «{profile.name}» no tiene clave API guardada en el llavero.", auth=True
            )
        base_url = self._base_url_for(profile)
        cache_key = (profile.id, profile.provider, base_url, profile.tenant, key)
        client = self._clients.get(cache_key)
        if client is None:
            for old_key in [k for k in self._clients if k[0] == profile.id]:
                self._clients.pop(old_key).close()
            client = self._client_factory(
                profile.provider, base_url=base_url, tenant=profile.tenant, api_key=key,
                emisor_ruc=profile.emisor_ruc, timeout=self._timeout,
            )
            self._clients[cache_key] = client
        return client

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def _due_profiles(self, session: Session, now: datetime) -> list[ProviderProfile]:
        profiles = session.exec(select(ProviderProfile).order_by(col(ProviderProfile.id))).all()
        return [p for p in profiles if p.next_attempt_at is None or p.next_attempt_at <= now]

    def _mark_ok(self, profile_id: int, report: SyncReport) -> None:
        now = self._clock()
        with self.db.write() as s:
            p = s.get(ProviderProfile, profile_id)
            if p is None:
                return
            p.online, p.failures, p.next_attempt_at, p.last_error = True, 0, None, None
            p.last_sync_at = now
            s.add(p)
        report.online[profile_id] = True

    def _mark_failed(self, profile_id: int, exc: Exception, report: SyncReport) -> None:
        now = self._clock()
        with self.db.write() as s:
            p = s.get(ProviderProfile, profile_id)
            if p is None:
                return
            p.failures += 1
            reachable = isinstance(exc, CallRefused)
            p.online = reachable
            cap = 300.0 if reachable else 60.0
            p.next_attempt_at = now + timedelta(seconds=backoff_delay(p.failures, self._rng, cap=cap))
            p.last_error = str(exc)
            s.add(p)
        report.online[profile_id] = isinstance(exc, CallRefused)
        log.info("profile %s: %s (failure %s)", profile_id, type(exc).__name__, exc)

    def wake(self) -> None:
        """Forget back-off waits (the network came back, or the user asked to retry)."""
        with self.db.write() as s:
            for p in s.exec(select(ProviderProfile).where(col(ProviderProfile.next_attempt_at).is_not(None))):
                p.next_attempt_at = None
                s.add(p)

    def probe_once(self) -> SyncReport:
        """One cheap authenticated call per due profile: is it online, are the
        credentials right? Recorded like any request (online flag, back-off)."""
        report = SyncReport()
        now = self._clock()
        with self.db.session() as s:
            profiles = self._due_profiles(s, now)
        for profile in profiles:
            try:
                client = self._client(profile)
                report.requests += 1
                client.probe()
            except ProviderError as exc:
                self._mark_failed(_id(profile), exc, report)
            else:
                self._mark_ok(_id(profile), report)
        return report

    # -- sending ---------------------------------------------------------------------
    def send_once(self) -> SyncReport:
        """Claim and submit at most one batch per due profile."""
        report = SyncReport()
        now = self._clock()
        with self.db.session() as s:
            profiles = self._due_profiles(s, now)
        for profile in profiles:
            report.merge(self._send_profile(profile))
        return report

    def _send_profile(self, profile: ProviderProfile) -> SyncReport:
        report = SyncReport()
        pid = _id(profile)
        try:
            client = self._client(profile)
        except CallRefused as exc:
            if self._has_queued(pid):
                self._mark_failed(pid, exc, report)
            return report
        limit = max(1, min(profile.max_batch, getattr(client, "max_batch", 50)))
        claim = self._claim(pid, limit)
        if claim is None:
            return report
        lote_id, attempt_id, outgoing = claim
        report.changed.update(d.local_id for d in outgoing)
        report.requests += 1
        try:
            result = client.submit(outgoing)
        except ConnectionFailed as exc:
            self._release(lote_id, outgoing, DocState.QUEUED, "OFFLINE", str(exc))
            self._mark_failed(pid, exc, report)
            return report
        except CallRefused as exc:
            self._refused(lote_id, outgoing, exc)
            self._mark_failed(pid, exc, report) if exc.auth else self._mark_ok(pid, report)
            return report
        except (OutcomeUnknown, ProviderError) as exc:
            self._release(lote_id, outgoing, DocState.UNKNOWN, "UNKNOWN", str(exc))
            self._mark_failed(pid, exc, report)
            return report
        except Exception as exc:  # a bug must not lose track of documents on the wire
            log.exception("unexpected error submitting lote %s", lote_id)
            self._release(lote_id, outgoing, DocState.UNKNOWN, "UNKNOWN", "Error inesperado al enviar")
            self._mark_failed(pid, OutcomeUnknown(str(exc)), report)
            return report
        self._record_submission(profile, lote_id, attempt_id, outgoing, result.lote_id, result.documents)
        self._mark_ok(pid, report)
        return report

    def _has_queued(self, profile_id: int) -> bool:
        with self.db.session() as s:
            return s.exec(
                select(Document.id).where(Document.profile_id == profile_id,
                                          Document.state == DocState.QUEUED.value).limit(1)
            ).first() is not None

    def _claim(self, profile_id: int, limit: int) -> tuple[int, str, list[OutgoingDocument]] | None:
        """Move up to `limit` queued documents of one type to SENDING, in one transaction
        (DESIGN rule 3): oldest type first, ascending number within it."""
        attempt_id = uuid.uuid4().hex
        now = self._clock()
        with self.db.write() as s:
            first = s.exec(
                select(Document).where(Document.profile_id == profile_id,
                                       Document.state == DocState.QUEUED.value)
                .order_by(col(Document.id)).limit(1)
            ).first()
            if first is None:
                return None
            profile = s.get(ProviderProfile, profile_id)
            rules = rules_for(profile.country if profile else "PY")
            stmt = (
                select(Document)
                .where(Document.profile_id == profile_id, Document.state == DocState.QUEUED.value,
                       Document.tipo_documento == first.tipo_documento)
                .order_by(col(Document.establecimiento), col(Document.punto), col(Document.numero))
                .limit(limit)
            )
            if s.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            rows = list(s.exec(stmt))
            lote = Lote(profile_id=profile_id, attempt_id=attempt_id, tipo_documento=first.tipo_documento,
                        size=len(rows), state="SENDING", created_at=now)
            s.add(lote)
            s.flush()
            outgoing = []
            for row in rows:
                transition(s, row, DocState.SENDING, actor=ACTOR, attempt_id=attempt_id,
                           lote_id=lote.id, message="Enviando al proveedor", at=now)
                row.attempt_id = attempt_id
                row.lote_id = lote.id
                outgoing.append(OutgoingDocument(
                    local_id=_id(row), payload=_payload(row),
                    numero=rules.display_number(row.tipo_documento, row.establecimiento,
                                                row.punto, row.numero),
                    cdc=row.cdc, external_ref=row.external_ref))
            assert lote.id is not None
            return lote.id, attempt_id, outgoing

    def _release(self, lote_id: int, docs: list[OutgoingDocument], target: DocState,
                 lote_state: str, message: str) -> None:
        now = self._clock()
        with self.db.write() as s:
            lote = s.get(Lote, lote_id)
            if lote is not None:
                lote.state, lote.message, lote.finished_at = lote_state, message, now
                s.add(lote)
            for d in docs:
                row = s.get(Document, d.local_id)
                if row is not None and row.state == DocState.SENDING.value:
                    transition(s, row, target, actor=ACTOR, message=message,
                               attempt_id=row.attempt_id, lote_id=lote_id, at=now)

    def _refused(self, lote_id: int, docs: list[OutgoingDocument], exc: CallRefused) -> None:
        """The provider refused the call and created nothing: the documents it named are
        rejected with its message; the innocent ones go back to the queue."""
        now = self._clock()
        with self.db.write() as s:
            lote = s.get(Lote, lote_id)
            if lote is not None:
                lote.state, lote.code, lote.message, lote.finished_at = "REFUSED", exc.code, str(exc), now
                s.add(lote)
            for index, d in enumerate(docs):
                row = s.get(Document, d.local_id)
                if row is None or row.state != DocState.SENDING.value:
                    continue
                if index in exc.errors and not exc.auth:
                    transition(s, row, DocState.REJECTED, actor=ACTOR, code=exc.code,
                               message=exc.errors[index], lote_id=lote_id, at=now)
                else:
                    transition(s, row, DocState.QUEUED, actor=ACTOR, message=str(exc),
                               lote_id=lote_id, at=now)

    def _record_submission(self, profile: ProviderProfile, lote_id: int, attempt_id: str,
                           docs: list[OutgoingDocument], provider_lote_id: str | None,
                           results: list[DocumentResult]) -> None:
        now = self._clock()
        by_id = {r.local_id: r for r in results if r.local_id is not None}
        first_poll = now + timedelta(seconds=profile.poll_first_s)
        with self.db.write() as s:
            lote = s.get(Lote, lote_id)
            assert lote is not None
            lote.provider_lote_id = provider_lote_id
            lote.state = "SUBMITTED"
            s.add(lote)
            for d in docs:
                row = s.get(Document, d.local_id)
                if row is None or row.state != DocState.SENDING.value:
                    continue
                res = by_id.get(d.local_id)
                if res is None:
                    transition(s, row, DocState.UNKNOWN, actor=ACTOR, attempt_id=attempt_id,
                               lote_id=lote_id, at=now,
                               message="El proveedor no devolvió este documento; se consultará.")
                    continue
                if res.cdc:
                    row.cdc = res.cdc
                self._apply_outcome(s, row, res, now, first_poll=first_poll,
                                    lote_label=provider_lote_id)
            _close_lote_if_done(s, lote, now)

    # -- polling ---------------------------------------------------------------------
    def poll_once(self, max_requests: int = 20) -> SyncReport:
        """Ask for results of submitted documents whose next check is due (≤ 50 per call)."""
        report = SyncReport()
        now = self._clock()
        with self.db.session() as s:
            profiles = self._due_profiles(s, now)
        for profile in profiles:
            for _ in range(max_requests):
                with self.db.session() as s:
                    rows = s.exec(
                        select(Document).where(
                            Document.profile_id == profile.id,
                            Document.state == DocState.SUBMITTED.value,
                            col(Document.next_poll_at) <= now,
                        ).order_by(col(Document.next_poll_at), col(Document.id)).limit(50)
                    ).all()
                    refs = [_ref(r, s) for r in rows]
                if not refs:
                    break
                try:
                    client = self._client(profile)
                    report.requests += 1
                    results = client.poll(refs)
                except ProviderError as exc:
                    self._mark_failed(_id(profile), exc, report)
                    break
                self._record_poll(profile, refs, results, report)
                self._mark_ok(_id(profile), report)
        return report

    def _record_poll(self, profile: ProviderProfile, refs: list[DocumentRef],
                     results: list[DocumentResult], report: SyncReport) -> None:
        now = self._clock()
        by_id = {r.local_id: r for r in results if r.local_id is not None}
        by_cdc = {r.cdc: r for r in results if r.cdc}
        next_poll = now + timedelta(seconds=profile.poll_every_s)
        with self.db.write() as s:
            lotes: set[int] = set()
            for ref in refs:
                row = s.get(Document, ref.local_id)
                if row is None or row.state != DocState.SUBMITTED.value:
                    continue
                res = by_id.get(ref.local_id) or (by_cdc.get(row.cdc) if row.cdc else None)
                if res is None:
                    row.next_poll_at = next_poll
                    s.add(row)
                    continue
                before = (row.state, row.processing, row.code)
                self._apply_outcome(s, row, res, now, first_poll=next_poll)
                if (row.state, row.processing, row.code) != before:
                    report.changed.add(ref.local_id)
                if row.lote_id:
                    lotes.add(row.lote_id)
            for lote_id in lotes:
                lote = s.get(Lote, lote_id)
                if lote is not None:
                    _close_lote_if_done(s, lote, now)

    def _apply_outcome(self, s: Session, row: Document, res: DocumentResult, now: datetime,
                       *, first_poll: datetime, lote_label: str | None = None) -> None:
        """The one place that maps a provider's word about a document to our state."""
        for name in ("provider_ref", "cuf", "cae", "cae_expiry", "observations"):
            value = getattr(res, name)
            if value:
                setattr(row, name, value.strip())  # CAE strings may carry a trailing space
        if res.numero and res.numero != row.provider_number:
            row.provider_number = res.numero
        if res.outcome is Outcome.NOT_PROCESSED:
            transition(s, row, DocState.QUEUED, actor=ACTOR, code=res.code,
                       message=res.message or "No procesado por el proveedor; se reenviará.",
                       attempt_id=row.attempt_id, lote_id=row.lote_id, at=now)
            row.next_poll_at = None
            s.add(row)
            return
        target = FINAL_OUTCOMES.get(res.outcome)
        if target is not None:
            transition(s, row, target, actor=ACTOR, code=res.code, message=res.message,
                       attempt_id=row.attempt_id, lote_id=row.lote_id, at=now)
            row.next_poll_at = None
        elif res.outcome is Outcome.NOT_FOUND:
            if row.state == DocState.SUBMITTED.value:
                transition(s, row, DocState.UNKNOWN, actor=ACTOR, code=res.code,
                           message="El proveedor no encuentra el documento; se consultará por número.",
                           attempt_id=row.attempt_id, lote_id=row.lote_id, at=now)
                row.next_poll_at = None
            else:
                transition(s, row, DocState.QUEUED, actor=ACTOR,
                           message="El proveedor no lo recibió; se reenviará.", at=now)
        else:  # RECEIVED or PROCESSING
            if row.state != DocState.SUBMITTED.value:
                label = f"Lote {lote_label} recibido" if lote_label else "Recibido por el proveedor"
                transition(s, row, DocState.SUBMITTED, actor=ACTOR, code=res.code, message=label,
                           attempt_id=row.attempt_id, lote_id=row.lote_id, at=now)
                row.submitted_at = now
            else:
                row.polls += 1
                row.processing = True
                row.message = "En proceso en el proveedor"
            row.next_poll_at = first_poll
            if row.submitted_at and (now - row.submitted_at).total_seconds() > _profile_poll_max(s, row):
                # Past the profile's limit: stop polling and ask a person to look.
                row.attention = True
                row.next_poll_at = None
                row.message = ("Requiere atención: el proveedor no dio resultado a tiempo. "
                               "Consulte el documento en el portal del proveedor y use "
                               "«Consultar de nuevo».")
        s.add(row)

    # -- reconciling -----------------------------------------------------------------
    def recover_interrupted(self, *, all_sending: bool = False) -> SyncReport:
        """SENDING documents whose request may or may not have left become UNKNOWN.

        At start-up (the process that owned them is gone) pass `all_sending=True`;
        while running, only those older than `stale_sending_after`.
        """
        report = SyncReport()
        now = self._clock()
        with self.db.write() as s:
            stmt = select(Document).where(Document.state == DocState.SENDING.value)
            if not all_sending:
                stmt = stmt.where(Document.updated_at < now - self.stale_sending_after)
            for row in s.exec(stmt):
                transition(s, row, DocState.UNKNOWN, actor=ACTOR, attempt_id=row.attempt_id,
                           lote_id=row.lote_id, at=now,
                           message="Envío interrumpido; se consultará al proveedor antes de reenviar.")
                report.changed.add(_id(row))
        return report

    def reconcile_once(self, max_documents: int = 50) -> SyncReport:
        """Ask the provider about every UNKNOWN document (by number) before any resend."""
        report = self.recover_interrupted()
        now = self._clock()
        with self.db.session() as s:
            profiles = self._due_profiles(s, now)
        for profile in profiles:
            with self.db.session() as s:
                rows = s.exec(
                    select(Document).where(Document.profile_id == profile.id,
                                           Document.state == DocState.UNKNOWN.value)
                    .order_by(col(Document.id)).limit(max_documents)
                ).all()
                refs = [_ref(r, s) for r in rows]
            for ref in refs:
                try:
                    client = self._client(profile)
                    report.requests += 1
                    attempts = client.lookup(ref)
                except ProviderError as exc:
                    self._mark_failed(_id(profile), exc, report)
                    break
                self._record_lookup(ref.local_id, attempts, report)
                self._mark_ok(_id(profile), report)
        return report

    def _record_lookup(self, doc_id: int, attempts: list[DocumentResult], report: SyncReport) -> None:
        now = self._clock()
        with self.db.write() as s:
            row = s.get(Document, doc_id)
            if row is None or row.state != DocState.UNKNOWN.value:
                return
            if row.cdc:
                mine = [a for a in attempts if a.cdc == row.cdc]
            elif row.external_ref:
                mine = [a for a in attempts if a.local_id == doc_id or a.local_id is None]
            else:
                mine = attempts
            if mine:
                self._apply_outcome(s, row, mine[-1], now, first_poll=now)
            elif any(a.outcome in FINAL_OUTCOMES and a.outcome is not Outcome.REJECTED for a in attempts):
                transition(s, row, DocState.REJECTED, actor=ACTOR, code="NUMERO_USADO",
                           message="Ese número ya fue aprobado para otro documento en el proveedor.",
                           at=now)
            else:
                transition(s, row, DocState.QUEUED, actor=ACTOR,
                           message="El proveedor no lo recibió; se reenviará.", at=now)
            report.changed.add(doc_id)

    # -- loops -----------------------------------------------------------------------
    def step(self) -> SyncReport:
        report = self.reconcile_once()
        report.merge(self.send_once())
        report.merge(self.poll_once())
        return report

    def pending_count(self) -> int:
        """Documents still waiting for the engine (those needing a person are not)."""
        with self.db.session() as s:
            return s.exec(
                select(func.count()).select_from(Document).where(
                    col(Document.state).in_(PENDING_VALUES), col(Document.attention).is_(False))
            ).one()

    def retry_attention(self, doc_ids: list[int]) -> None:
        """"Consultar de nuevo": poll documents flagged for attention once more."""
        now = self._clock()
        with self.db.write() as s:
            for doc_id in doc_ids:
                row = s.get(Document, doc_id)
                if row is not None and row.attention:
                    row.attention = False
                    row.submitted_at = now
                    row.next_poll_at = now
                    s.add(row)

    def seconds_until_due(self) -> float:
        """How long until a step could do something: 0 when something is due now,
        infinity when nothing waits at all."""
        now = self._clock()
        with self.db.session() as s:
            waits: list[float] = []
            for p in s.exec(select(ProviderProfile)):
                pending = s.exec(select(func.count()).select_from(Document).where(
                    Document.profile_id == p.id, col(Document.state).in_(PENDING_VALUES),
                    col(Document.attention).is_(False))).one()
                if not pending:
                    continue
                if p.next_attempt_at and p.next_attempt_at > now:
                    waits.append((p.next_attempt_at - now).total_seconds())
                    continue
                queued = s.exec(select(func.count()).select_from(Document).where(
                    Document.profile_id == p.id,
                    col(Document.state).in_([DocState.QUEUED.value, DocState.UNKNOWN.value]))).one()
                if queued:
                    return 0.0
                next_poll = s.exec(select(func.min(Document.next_poll_at)).where(
                    Document.profile_id == p.id, Document.state == DocState.SUBMITTED.value,
                    col(Document.attention).is_(False))).one()
                if next_poll is not None:
                    waits.append(max(0.0, (next_poll.replace(tzinfo=now.tzinfo) - now).total_seconds()))
                else:
                    waits.append(1.0)  # SENDING elsewhere: look again soon
            return min(waits) if waits else math.inf

    def run_until_idle(self, timeout: float | None = None, *, sleep: Callable[[float], None] = time.sleep,
                       on_report: Callable[[SyncReport], None] | None = None) -> bool:
        """Step until no document waits to be sent or for a result; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            report = self.step()
            if on_report:
                on_report(report)
            if self.pending_count() == 0:
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False
            wait = self.seconds_until_due()
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - time.monotonic()))
            if wait > 0:
                sleep(min(wait, 1.0))


def _payload(row: Document) -> dict[str, Any]:
    return json.loads(row.payload)


def _id(obj: Document | ProviderProfile | Lote) -> int:
    assert obj.id is not None
    return obj.id


def _ref(row: Document, s: Session) -> DocumentRef:
    lote = s.get(Lote, row.lote_id) if row.lote_id else None
    return DocumentRef(
        local_id=_id(row), tipo_documento=row.tipo_documento, establecimiento=row.establecimiento,
        punto=row.punto, numero=row.numero, cdc=row.cdc,
        provider_lote_id=lote.provider_lote_id if lote else None, external_ref=row.external_ref,
        provider_ref=row.provider_ref,
    )


def _profile_poll_max(s: Session, row: Document) -> float:
    profile = s.get(ProviderProfile, row.profile_id)
    return profile.poll_max_s if profile else 3600.0


def _close_lote_if_done(s: Session, lote: Lote, now: datetime) -> None:
    pending = s.exec(select(func.count()).select_from(Document).where(
        Document.lote_id == lote.id, col(Document.state).in_(PENDING_VALUES))).one()
    if not pending and lote.state != "DONE":
        lote.state, lote.finished_at = "DONE", now
        s.add(lote)
