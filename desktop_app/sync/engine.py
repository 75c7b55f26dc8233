"""One engine, small steps: claim batches, submit them, poll results, reconcile unknowns.

The CLI runs these steps in a loop; the GUI runs the same engine in QThread workers.
Each step opens its own short transactions; no transaction is held open while a request
is on the wire. DESIGN rule 2 is enforced here: documents are SENDING under an attempt
id (committed) before the request leaves; whatever may have reached the provider becomes
UNKNOWN and is asked about (by number, CDC or reference) before it is ever sent again.

Requests to one profile run `concurrency` at a time (a per-engine setting): lotes are
independent, and a provider that takes 150 ms per answer would otherwise make 5,000
documents wait on 200 round trips in a row. Results are written in bulk, one statement
per batch, so the client's own cost stays well under a millisecond per document.

Several terminals on one PostgreSQL database run this engine at once (DESIGN rule 3):
claims take rows with FOR UPDATE SKIP LOCKED, every result is written over rows read
FOR UPDATE (in id order) so two terminals never both record one outcome, due polls are
leased so that one terminal asks about each lote, and after a crash a terminal recovers
only the lotes it claimed itself (store/terminal.py). A database that cannot be reached
is reported like a provider outage (`SyncReport.database_error`): no crash, retry later.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Concatenate, ParamSpec

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DBAPIError
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
    SubmitResult,
)
from desktop_app.providers.registry import PROVIDER_DEFAULTS, make_provider_client
from desktop_app.store.db import Database
from desktop_app.store.models import Document, Lote, ProviderProfile
from desktop_app.store.outbox import Change, apply_changes
from desktop_app.store.terminal import TerminalLote, current_terminal, record_lote
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
#: Refusals that mean "not now" rather than "not this": rate limits, the authority
#: unavailable, SIFEN's 0301 (lote not queued; insisting prolongs an emisor block).
BACK_OFF_CODES = frozenset({"429", "503", "0301", "MANTENIMIENTO"})
_AUTHORITY_FIELDS = ("provider_ref", "cuf", "cae", "cae_expiry", "observations")
ATTENTION_MESSAGE = ("Requiere atención: el proveedor no dio resultado a tiempo. Consulte el "
                     "documento en el portal del proveedor y use «Consultar de nuevo».")
DATABASE_UNREACHABLE = ("Sin conexión con la base de datos compartida: las facturas esperan y "
                        "se enviarán solas al volver la conexión.")


@dataclass
class SyncReport:
    """What a step did: the ids of documents that changed and each profile's connectivity."""

    changed: set[int] = field(default_factory=set)
    online: dict[int, bool] = field(default_factory=dict)
    requests: int = 0
    #: Set when the (shared) database could not be reached: the step stopped there and
    #: will simply be tried again, like a provider outage.
    database_error: str | None = None

    def merge(self, other: SyncReport) -> SyncReport:
        self.changed |= other.changed
        self.online.update(other.online)
        self.requests += other.requests
        self.database_error = self.database_error or other.database_error
        return self

    @property
    def did_work(self) -> bool:
        return self.requests > 0 or bool(self.changed)


@dataclass(frozen=True)
class _Snap:
    """The columns the engine decides on, read in one query per batch (no ORM objects)."""

    id: int
    state: str
    cdc: str | None
    lote_id: int | None
    attempt_id: str | None
    submitted_at: datetime | None
    provider_number: str | None
    external_ref: str | None
    polls: int


_SNAP_COLUMNS: tuple[Any, ...] = (
    col(Document.id), col(Document.state), col(Document.cdc), col(Document.lote_id),
    col(Document.attempt_id), col(Document.submitted_at), col(Document.provider_number),
    col(Document.external_ref), col(Document.polls))


def _snaps(s: Session, ids: Iterable[int]) -> dict[int, _Snap]:
    """The documents a write is about to decide on. On PostgreSQL the rows are locked
    (ascending ids: no deadlock between terminals) so that their state cannot change
    before the write commits: two terminals recording the same answer write it once."""
    wanted = sorted(set(ids))
    lock = s.get_bind().dialect.name == "postgresql"
    out: dict[int, _Snap] = {}
    for start in range(0, len(wanted), 500):
        stmt = sa_select(*_SNAP_COLUMNS).where(col(Document.id).in_(wanted[start:start + 500]))
        if lock:
            stmt = stmt.order_by(col(Document.id)).with_for_update()
        for row in s.execute(stmt):
            out[row[0]] = _Snap(*row)
    return out


_P = ParamSpec("_P")


def _db_guarded(
    method: Callable[Concatenate[SyncEngine, _P], SyncReport],
) -> Callable[Concatenate[SyncEngine, _P], SyncReport]:
    """A step that meets an unreachable database returns a report saying so instead of
    raising. Whatever was on the wire stays SENDING and is recovered like a crash
    (DESIGN rule 2), so stopping half-way never sends a document twice."""

    @functools.wraps(method)
    def guarded(self: SyncEngine, /, *args: _P.args, **kwargs: _P.kwargs) -> SyncReport:
        try:
            return method(self, *args, **kwargs)
        except DBAPIError as exc:
            if not self.db.unreachable(exc):
                raise
            log.warning("%s: database unreachable: %s", method.__name__, exc)
            return SyncReport(database_error=DATABASE_UNREACHABLE)

    return guarded


@dataclass
class _Claim:
    lote_id: int
    attempt_id: str
    outgoing: list[OutgoingDocument]


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
        base_url_for: Callable[[ProviderProfile], str | None] | None = None,
        concurrency: int = 4,
    ) -> None:
        self.db = db
        self._client_factory = client_factory
        self._key_for = key_for
        self._clock = clock
        self._rng = rng
        self._timeout = request_timeout
        self._base_url_for = base_url_for or (lambda p: p.base_url)
        self._clients: dict[tuple, Any] = {}
        self.concurrency = max(1, concurrency)
        self._pool: ThreadPoolExecutor | None = None
        #: SENDING documents older than this are presumed interrupted (crash, kill).
        self.stale_sending_after = timedelta(seconds=request_timeout * 2 + 30)
        #: ... and those another terminal claimed, older than this: generous, since the
        #: age is read against that terminal's clock, which may be minutes off ours.
        self.stale_foreign_sending_after = timedelta(minutes=15)
        self.terminal_id = current_terminal(db)

    # -- helpers ---------------------------------------------------------------------
    def _client(self, profile: ProviderProfile) -> Any:
        key = self._key_for(profile)
        if not key:
            raise CallRefused(
                f"El perfil «{profile.name}» no tiene clave API guardada en el llavero.", auth=True
            )
        base_url = self._base_url_for(profile)
        if base_url is None:
            raise CallRefused(f"El perfil «{profile.name}» no está activo.", code="CONFIG")
        cache_key = (profile.id, profile.provider, base_url, profile.tenant, key)
        client = self._clients.get(cache_key)
        if client is None:
            for old_key in [k for k in self._clients if k[0] == profile.id]:
                self._clients.pop(old_key).close()
            try:
                client = self._client_factory(
                    profile.provider, base_url=base_url, tenant=profile.tenant, api_key=key,
                    emisor_ruc=profile.emisor_ruc,
                    timeout=max(self._timeout, _provider_setting(profile, "request_timeout", 0)),
                )
            except ValueError as exc:  # a profile that cannot work as configured
                raise CallRefused(f"Perfil «{profile.name}»: {exc}", code="CONFIG") from exc
            self._clients[cache_key] = client
        return client

    def _map(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        """Run `fn` over items, `concurrency` at a time; results in order."""
        if len(items) <= 1 or self.concurrency == 1:
            return [fn(i) for i in items]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="lote-sync")
        return list(self._pool.map(fn, items))

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _due_profiles(self, s: Session, now: datetime) -> list[ProviderProfile]:
        """Active profiles (the demo one only while its sandbox runs) not backing off."""
        profiles = s.exec(select(ProviderProfile).order_by(col(ProviderProfile.id))).all()
        return [p for p in profiles
                if (p.next_attempt_at is None or p.next_attempt_at <= now)
                and self._base_url_for(p) is not None]

    def _profiles_due_now(self) -> list[ProviderProfile]:
        now = self._clock()
        with self.db.session() as s:
            return self._due_profiles(s, now)

    def _mark_ok(self, profile_id: int, report: SyncReport) -> None:
        now = self._clock()
        with self.db.write() as s:
            p = s.get(ProviderProfile, profile_id)
            if p is None:
                return
            if p.online is not True or p.failures or p.next_attempt_at or p.last_error:
                p.online, p.failures, p.next_attempt_at, p.last_error = True, 0, None, None
            p.last_sync_at = now
            s.add(p)
        report.online[profile_id] = True

    def _mark_failed(self, profile_id: int, exc: Exception, report: SyncReport) -> None:
        now = self._clock()
        reachable = isinstance(exc, CallRefused)
        with self.db.write() as s:
            p = s.get(ProviderProfile, profile_id)
            if p is None:
                return
            p.failures += 1
            p.online = reachable
            cap = 300.0 if reachable else 60.0
            delay = backoff_delay(p.failures, self._rng, cap=cap)
            # A provider that says when to come back (HTTP 429 Retry-After) is obeyed.
            delay = max(delay, float(getattr(exc, "retry_after", 0) or 0))
            p.next_attempt_at = now + timedelta(seconds=delay)
            p.last_error = str(exc)
            s.add(p)
        report.online[profile_id] = reachable
        log.info("profile %s: %s (failure %s)", profile_id, type(exc).__name__, exc)

    def wake(self) -> None:
        """Forget back-off waits (the network came back, or the user asked to retry)."""
        with self.db.write() as s:
            for p in s.exec(select(ProviderProfile).where(col(ProviderProfile.next_attempt_at).is_not(None))):
                p.next_attempt_at = None
                s.add(p)

    @_db_guarded
    def probe_once(self) -> SyncReport:
        """One cheap authenticated call per due profile: is it online, are the
        credentials right? Recorded like any request (online flag, back-off)."""
        report = SyncReport()
        for profile in self._profiles_due_now():
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
    @_db_guarded
    def send_once(self) -> SyncReport:
        """Claim up to `concurrency` batches per due profile and submit them at once."""
        report = SyncReport()
        for profile in self._profiles_due_now():
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
        claims: list[_Claim] = []
        for _ in range(min(self.concurrency,
                           int(_provider_setting(profile, "concurrency", self.concurrency)))):
            claim = self._claim(profile, limit)
            if claim is None:
                break
            claims.append(claim)
        if not claims:
            return report
        for claim in claims:
            report.changed.update(d.local_id for d in claim.outgoing)
        report.requests += len(claims)
        outcomes = self._map(lambda c: _attempt(client.submit, c.outgoing), claims)  # noqa: B023
        failure: Exception | None = None
        succeeded = False
        for claim, (result, error) in zip(claims, outcomes, strict=True):
            if error is None:
                self._record_submission(profile, claim, result)
                succeeded = True
            elif isinstance(error, ConnectionFailed):
                self._release(claim, DocState.QUEUED, "OFFLINE", str(error))
                failure = failure or error
            elif isinstance(error, CallRefused):
                self._refused(claim, error)
                if error.auth or error.code in BACK_OFF_CODES:
                    failure = failure or error
                else:
                    succeeded = True
            else:
                unknown = error if isinstance(error, ProviderError) else None
                if unknown is None:  # a bug must not lose track of documents on the wire
                    log.error("unexpected error submitting lote %s", claim.lote_id, exc_info=error)
                    unknown = OutcomeUnknown("Error inesperado al enviar")
                self._release(claim, DocState.UNKNOWN, "UNKNOWN", str(unknown))
                failure = failure or unknown
        if failure is not None:
            self._mark_failed(pid, failure, report)
        elif succeeded:
            self._mark_ok(pid, report)
        return report

    def _has_queued(self, profile_id: int) -> bool:
        with self.db.session() as s:
            return s.exec(
                select(Document.id).where(Document.profile_id == profile_id,
                                          Document.state == DocState.QUEUED.value).limit(1)
            ).first() is not None

    def _claim(self, profile: ProviderProfile, limit: int) -> _Claim | None:
        """Move up to `limit` queued documents of one type to SENDING, in one transaction
        (DESIGN rule 3): oldest type first, ascending number within it."""
        attempt_id = uuid.uuid4().hex
        now = self._clock()
        pid = _id(profile)
        rules = rules_for(profile.country)
        with self.db.write() as s:
            first = s.exec(
                select(Document.tipo_documento).where(Document.profile_id == pid,
                                                      Document.state == DocState.QUEUED.value)
                .order_by(col(Document.id)).limit(1)
            ).first()
            if first is None:
                return None
            stmt = (
                sa_select(col(Document.id), col(Document.state), col(Document.tipo_documento),
                       col(Document.establecimiento), col(Document.punto), col(Document.numero),
                       col(Document.cdc), col(Document.external_ref), col(Document.payload))
                .where(col(Document.profile_id) == pid, col(Document.state) == DocState.QUEUED.value,
                       col(Document.tipo_documento) == first)
                .order_by(col(Document.establecimiento), col(Document.punto), col(Document.numero))
                .limit(limit)
            )
            if s.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            rows = list(s.execute(stmt))
            if not rows:
                return None
            lote = Lote(profile_id=pid, attempt_id=attempt_id, tipo_documento=first,
                        size=len(rows), state="SENDING", created_at=now)
            s.add(lote)
            s.flush()
            lote_id = _id(lote)
            if self.db.is_shared:
                record_lote(s, lote_id, self.terminal_id)
            apply_changes(s, [
                Change(r[0], r[1], DocState.SENDING, {"attempt_id": attempt_id, "lote_id": lote_id},
                       message="Enviando al proveedor", attempt_id=attempt_id, lote_id=lote_id)
                for r in rows], actor=ACTOR, at=now)
            outgoing = [
                OutgoingDocument(local_id=r[0], payload=json.loads(r[8]),
                                 numero=rules.display_number(r[2], r[3], r[4], r[5]),
                                 cdc=r[6], external_ref=r[7])
                for r in rows]
            return _Claim(lote_id, attempt_id, outgoing)

    def _finish_lote(self, s: Session, lote_id: int, state: str, message: str | None,
                     now: datetime, code: str | None = None) -> None:
        lote = s.get(Lote, lote_id)
        if lote is not None:
            lote.state, lote.code, lote.message, lote.finished_at = state, code, message, now
            s.add(lote)

    def _release(self, claim: _Claim, target: DocState, lote_state: str, message: str) -> None:
        now = self._clock()
        with self.db.write() as s:
            self._finish_lote(s, claim.lote_id, lote_state, message, now)
            snaps = _snaps(s, (d.local_id for d in claim.outgoing))
            apply_changes(s, [
                Change(sn.id, sn.state, target, message=message, attempt_id=sn.attempt_id,
                       lote_id=claim.lote_id)
                for sn in snaps.values() if sn.state == DocState.SENDING.value],
                actor=ACTOR, at=now)

    def _refused(self, claim: _Claim, exc: CallRefused) -> None:
        """The provider refused the call and created nothing: the documents it named are
        rejected with its message; the innocent ones go back to the queue."""
        now = self._clock()
        with self.db.write() as s:
            self._finish_lote(s, claim.lote_id, "REFUSED", str(exc), now, exc.code)
            snaps = _snaps(s, (d.local_id for d in claim.outgoing))
            changes = []
            for index, d in enumerate(claim.outgoing):
                sn = snaps.get(d.local_id)
                if sn is None or sn.state != DocState.SENDING.value:
                    continue
                if index in exc.errors and not exc.auth:
                    changes.append(Change(sn.id, sn.state, DocState.REJECTED, code=exc.code,
                                          message=exc.errors[index], lote_id=claim.lote_id))
                else:
                    changes.append(Change(sn.id, sn.state, DocState.QUEUED, message=str(exc),
                                          lote_id=claim.lote_id))
            apply_changes(s, changes, actor=ACTOR, at=now)

    def _record_submission(self, profile: ProviderProfile, claim: _Claim,
                           result: SubmitResult) -> None:
        now = self._clock()
        by_id = {r.local_id: r for r in result.documents if r.local_id is not None}
        first_poll = now + timedelta(seconds=profile.poll_first_s)
        label = f"Lote {result.lote_id} recibido" if result.lote_id else "Recibido por el proveedor"
        with self.db.write() as s:
            lote = s.get(Lote, claim.lote_id)
            assert lote is not None
            lote.provider_lote_id = result.lote_id
            lote.state = "SUBMITTED"
            s.add(lote)
            snaps = _snaps(s, by_id.keys() | {d.local_id for d in claim.outgoing})
            changes = []
            for d in claim.outgoing:
                sn = snaps.get(d.local_id)
                if sn is None or sn.state != DocState.SENDING.value:
                    continue
                res = by_id.get(d.local_id)
                if res is None:
                    changes.append(Change(sn.id, sn.state, DocState.UNKNOWN,
                                          message="El proveedor no devolvió este documento; se consultará.",
                                          attempt_id=claim.attempt_id, lote_id=claim.lote_id))
                    continue
                changes.append(self._outcome_change(profile, sn, res, now, first_poll, label))
            apply_changes(s, changes, actor=ACTOR, at=now)
            s.flush()
            _close_lote_if_done(s, lote, now)

    # -- polling ---------------------------------------------------------------------
    @_db_guarded
    def poll_once(self, max_requests: int = 20) -> SyncReport:
        """Ask for results of submitted documents whose next check is due: ≤ 50 per
        request, grouped by lote, `concurrency` requests at a time."""
        report = SyncReport()
        now = self._clock()
        for profile in self._profiles_due_now():
            refs = self._due_polls(profile, now, 50 * max_requests)
            if not refs:
                continue
            try:
                client = self._client(profile)
            except CallRefused as exc:
                self._mark_failed(_id(profile), exc, report)
                continue
            chunks = _chunks_by_lote(refs, 50)
            report.requests += len(chunks)
            outcomes = self._map(partial(_attempt, client.poll), chunks)
            failure = None
            for chunk, (results, error) in zip(chunks, outcomes, strict=True):
                if error is not None:
                    failure = failure or (error if isinstance(error, ProviderError)
                                          else OutcomeUnknown(str(error)))
                    continue
                self._record_poll(profile, chunk, results, report)
            if failure is not None:
                self._mark_failed(_id(profile), failure, report)
            else:
                self._mark_ok(_id(profile), report)
        return report

    def _due_polls(self, profile: ProviderProfile, now: datetime, limit: int) -> list[DocumentRef]:
        """Submitted documents whose check is due. On a shared database they are also
        leased (taken FOR UPDATE SKIP LOCKED, next check pushed past the request's
        timeout) so that one terminal asks about them; the answer sets the real next
        check, and a terminal that dies holding a lease only delays the question."""
        stmt = select(Document).where(
            Document.profile_id == profile.id,
            Document.state == DocState.SUBMITTED.value,
            col(Document.attention).is_(False),
            col(Document.next_poll_at) <= now,
        ).order_by(col(Document.lote_id), col(Document.id)).limit(limit)
        if not self.db.is_shared:
            with self.db.session() as s:
                return _refs(s, s.exec(stmt).all())
        with self.db.write() as s:
            rows = s.exec(stmt.with_for_update(skip_locked=True)).all()
            if rows:
                lease = now + timedelta(seconds=max(self._timeout * 2, profile.poll_every_s))
                s.execute(update(Document).where(col(Document.id).in_([_id(r) for r in rows]))
                          .values(next_poll_at=lease))
            return _refs(s, rows)

    def _record_poll(self, profile: ProviderProfile, refs: list[DocumentRef],
                     results: list[DocumentResult], report: SyncReport) -> None:
        now = self._clock()
        by_id = {r.local_id: r for r in results if r.local_id is not None}
        by_cdc = {r.cdc: r for r in results if r.cdc}
        next_poll = now + timedelta(seconds=profile.poll_every_s)
        with self.db.write() as s:
            snaps = _snaps(s, (r.local_id for r in refs))
            changes = []
            lotes: set[int] = set()
            for ref in refs:
                sn = snaps.get(ref.local_id)
                if sn is None or sn.state != DocState.SUBMITTED.value:
                    continue
                res = by_id.get(ref.local_id) or (by_cdc.get(sn.cdc) if sn.cdc else None)
                if res is None:
                    changes.append(Change(sn.id, sn.state, values={"next_poll_at": next_poll}))
                    continue
                change = self._outcome_change(profile, sn, res, now, next_poll, None)
                changes.append(change)
                if change.target is not None or "processing" in change.values or "attention" in change.values:
                    report.changed.add(sn.id)
                if sn.lote_id:
                    lotes.add(sn.lote_id)
            apply_changes(s, changes, actor=ACTOR, at=now)
            s.flush()
            for lote_id in sorted(lotes):  # one order: no deadlock between terminals
                lote = s.get(Lote, lote_id)
                if lote is not None:
                    _close_lote_if_done(s, lote, now)

    def _outcome_change(self, profile: ProviderProfile, sn: _Snap, res: DocumentResult,
                        now: datetime, next_poll: datetime, label: str | None) -> Change:
        """The one place that maps a provider's word about a document to our state."""
        values: dict[str, Any] = {}
        for name in _AUTHORITY_FIELDS:
            value = getattr(res, name)
            if value:
                values[name] = value.strip()  # CAE strings may carry a trailing space
        if res.cdc and res.cdc != sn.cdc:
            values["cdc"] = res.cdc
        if res.numero and res.numero != sn.provider_number:
            values["provider_number"] = res.numero
        if res.outcome is Outcome.NOT_PROCESSED:
            values["next_poll_at"] = None
            return Change(sn.id, sn.state, DocState.QUEUED, values, code=res.code,
                          message=res.message or "No procesado por el proveedor; se reenviará.",
                          attempt_id=sn.attempt_id, lote_id=sn.lote_id)
        target = FINAL_OUTCOMES.get(res.outcome)
        if target is not None:
            values["next_poll_at"] = None
            return Change(sn.id, sn.state, target, values, code=res.code, message=res.message,
                          attempt_id=sn.attempt_id, lote_id=sn.lote_id)
        if res.outcome is Outcome.NOT_FOUND:
            values["next_poll_at"] = None
            if sn.state == DocState.SUBMITTED.value:
                return Change(sn.id, sn.state, DocState.UNKNOWN, values, code=res.code,
                              message="El proveedor no encuentra el documento; se consultará.",
                              attempt_id=sn.attempt_id, lote_id=sn.lote_id)
            return Change(sn.id, sn.state, DocState.QUEUED, values,
                          message="El proveedor no lo recibió; se reenviará.")
        # RECEIVED or PROCESSING
        values["next_poll_at"] = next_poll
        if sn.state != DocState.SUBMITTED.value:
            values["submitted_at"] = now
            return Change(sn.id, sn.state, DocState.SUBMITTED, values, code=res.code,
                          message=label or res.message or "Recibido por el proveedor", attempt_id=sn.attempt_id, lote_id=sn.lote_id)
        values.update(polls=sn.polls + 1, processing=True,
                      message="En proceso en el proveedor")
        if sn.submitted_at and (now - sn.submitted_at).total_seconds() > profile.poll_max_s:
            # Past the profile's limit: stop polling and ask a person to look.
            values.update(attention=True, next_poll_at=None, message=ATTENTION_MESSAGE)
        return Change(sn.id, sn.state, None, values)

    def retry_attention(self, doc_ids: list[int]) -> None:
        """"Consultar de nuevo": poll documents flagged for attention once more."""
        now = self._clock()
        with self.db.write() as s:
            snaps = _snaps(s, doc_ids)
            apply_changes(s, [Change(sn.id, sn.state, values={
                "attention": False, "submitted_at": now, "next_poll_at": now})
                for sn in snaps.values()], actor=ACTOR, at=now)

    # -- reconciling -----------------------------------------------------------------
    @_db_guarded
    def recover_interrupted(self, *, all_sending: bool = False) -> SyncReport:
        """SENDING documents whose request may or may not have left become UNKNOWN.

        At start-up, by the process that holds the sender lock (the one that owned them
        is gone) pass `all_sending=True`; while running, only those older than
        `stale_sending_after`. On a shared database "all" means the lotes this terminal
        claimed; other terminals' are recovered only after `stale_foreign_sending_after`.
        """
        report = SyncReport()
        now = self._clock()
        with self.db.write() as s:
            stmt = sa_select(*_SNAP_COLUMNS).where(col(Document.state) == DocState.SENDING.value)
            stale = col(Document.updated_at) < now - self.stale_sending_after
            if self.db.is_shared:
                mine = col(Document.lote_id).in_(
                    sa_select(col(TerminalLote.lote_id))
                    .where(col(TerminalLote.terminal_id) == self.terminal_id))
                foreign = col(Document.updated_at) < now - self.stale_foreign_sending_after
                stmt = stmt.where((mine & stale) | foreign if not all_sending
                                  else mine | foreign)
                stmt = stmt.order_by(col(Document.id)).with_for_update()
            elif not all_sending:
                stmt = stmt.where(stale)
            snaps = [_Snap(*r) for r in s.execute(stmt)]
            apply_changes(s, [Change(
                sn.id, sn.state, DocState.UNKNOWN, attempt_id=sn.attempt_id, lote_id=sn.lote_id,
                message="Envío interrumpido; se consultará al proveedor antes de reenviar.")
                for sn in snaps], actor=ACTOR, at=now)
            report.changed.update(sn.id for sn in snaps)
        return report

    @_db_guarded
    def reconcile_once(self, max_documents: int = 50) -> SyncReport:
        """Ask the provider about every UNKNOWN document before any resend."""
        report = self.recover_interrupted()
        if report.database_error:
            return report
        for profile in self._profiles_due_now():
            with self.db.session() as s:
                rows = s.exec(
                    select(Document).where(Document.profile_id == profile.id,
                                           Document.state == DocState.UNKNOWN.value)
                    .order_by(col(Document.id)).limit(max_documents)
                ).all()
                refs = _refs(s, rows)
                attempts_asked = {_id(r): r.attempt_id for r in rows}
            if not refs:
                continue
            try:
                client = self._client(profile)
            except CallRefused as exc:
                self._mark_failed(_id(profile), exc, report)
                continue
            report.requests += len(refs)
            outcomes = self._map(partial(_attempt, client.lookup), refs)
            failure = None
            for ref, (attempts, error) in zip(refs, outcomes, strict=True):
                if error is not None:
                    failure = failure or (error if isinstance(error, ProviderError)
                                          else OutcomeUnknown(str(error)))
                    continue
                self._record_lookup(profile, ref.local_id, attempts, report,
                                    attempts_asked[ref.local_id])
            if failure is not None:
                self._mark_failed(_id(profile), failure, report)
            else:
                self._mark_ok(_id(profile), report)
        return report

    def _record_lookup(self, profile: ProviderProfile, doc_id: int,
                       attempts: list[DocumentResult], report: SyncReport,
                       attempt_asked: str | None) -> None:
        now = self._clock()
        with self.db.write() as s:
            sn = _snaps(s, [doc_id]).get(doc_id)
            # Another terminal may have settled it, and even re-sent it, meanwhile: an
            # answer about an older attempt must not decide about a newer one.
            if sn is None or sn.state != DocState.UNKNOWN.value or sn.attempt_id != attempt_asked:
                return
            if sn.cdc:
                mine = [a for a in attempts if a.cdc == sn.cdc]
            elif sn.external_ref:
                mine = [a for a in attempts if a.local_id in (doc_id, None)]
            else:
                mine = attempts
            if mine:
                change = self._outcome_change(profile, sn, mine[-1], now, now, None)
            elif any(a.outcome in FINAL_OUTCOMES and a.outcome is not Outcome.REJECTED
                     for a in attempts):
                change = Change(sn.id, sn.state, DocState.REJECTED, code="NUMERO_USADO",
                                message="Ese número ya fue aprobado para otro documento en el proveedor.")
            else:
                change = Change(sn.id, sn.state, DocState.QUEUED,
                                message="El proveedor no lo recibió; se reenviará.")
            apply_changes(s, [change], actor=ACTOR, at=now)
            report.changed.add(doc_id)

    # -- loops -----------------------------------------------------------------------
    def step(self) -> SyncReport:
        report = self.reconcile_once()
        for next_step in (self.send_once, self.poll_once):
            if report.database_error:
                break
            report.merge(next_step())
        return report

    def pending_count(self) -> int:
        """Documents still waiting for the engine (those needing a person are not)."""
        with self.db.session() as s:
            return s.exec(
                select(func.count()).select_from(Document).where(
                    col(Document.state).in_(PENDING_VALUES), col(Document.attention).is_(False))
            ).one()

    def seconds_until_due(self) -> float:
        """How long until a step could do something: 0 when something is due now,
        infinity when nothing waits at all."""
        now = self._clock()
        with self.db.session() as s:
            waits: list[float] = []
            for p in s.exec(select(ProviderProfile)):
                counts = dict(s.exec(
                    select(Document.state, func.count()).where(
                        Document.profile_id == p.id, col(Document.state).in_(PENDING_VALUES),
                        col(Document.attention).is_(False)).group_by(Document.state)).all())
                if not counts:
                    continue
                if p.next_attempt_at and p.next_attempt_at > now:
                    waits.append((p.next_attempt_at - now).total_seconds())
                    continue
                if counts.get(DocState.QUEUED.value) or counts.get(DocState.UNKNOWN.value):
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
        db_failures = 0
        while True:
            try:
                report = self.step()
                if on_report:
                    on_report(report)
                if report.database_error:
                    raise _Unreachable
                if self.pending_count() == 0:
                    return True
                if deadline is not None and time.monotonic() >= deadline:
                    return False
                wait = min(self.seconds_until_due(), 1.0)
                db_failures = 0
            except (DBAPIError, _Unreachable) as exc:
                if isinstance(exc, DBAPIError) and not self.db.unreachable(exc):
                    raise
                if deadline is not None and time.monotonic() >= deadline:
                    return False
                db_failures = min(db_failures + 1, 16)
                wait = backoff_delay(db_failures, self._rng, base=1.0, cap=30.0)
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - time.monotonic()))
            if wait > 0:
                sleep(wait)


class _Unreachable(Exception):
    """Internal to `run_until_idle`: the step reported an unreachable database."""


def _provider_setting(profile: ProviderProfile, name: str, default: float) -> float:
    """A dialect's own limit from the registry (e.g. TusFacturas: one call at a time)."""
    return float(PROVIDER_DEFAULTS.get(profile.provider, {}).get(name, default))


def _attempt(fn: Callable[[Any], Any], arg: Any) -> tuple[Any, BaseException | None]:
    """Call fn(arg) and return (result, None) or (None, exception): one failed request
    must not hide the others' results."""
    try:
        return fn(arg), None
    except Exception as exc:
        return None, exc


def _chunks_by_lote(refs: list[DocumentRef], size: int) -> list[list[DocumentRef]]:
    """Requests of ≤ `size` refs that never mix lotes (dialects that poll per lote)."""
    chunks: list[list[DocumentRef]] = []
    current: list[DocumentRef] = []
    for ref in refs:
        if current and (len(current) >= size or current[-1].provider_lote_id != ref.provider_lote_id):
            chunks.append(current)
            current = []
        current.append(ref)
    if current:
        chunks.append(current)
    return chunks


def _id(obj: Document | ProviderProfile | Lote) -> int:
    assert obj.id is not None
    return obj.id


def _refs(s: Session, rows: Sequence[Document]) -> list[DocumentRef]:
    """What each dialect may ask about a document by: its ids, its lote, when it left."""
    lote_ids = {r.lote_id for r in rows if r.lote_id}
    lotes = {lt.id: lt for lt in s.exec(select(Lote).where(col(Lote.id).in_(lote_ids)))} \
        if lote_ids else {}
    refs = []
    for row in rows:
        lote = lotes.get(row.lote_id) if row.lote_id else None
        refs.append(DocumentRef(
            local_id=_id(row), tipo_documento=row.tipo_documento,
            establecimiento=row.establecimiento, punto=row.punto, numero=row.numero,
            cdc=row.cdc, provider_lote_id=lote.provider_lote_id if lote else None,
            external_ref=row.external_ref, provider_ref=row.provider_ref,
            sent_at=lote.created_at if lote else None, customer_tax_id=row.customer_tax_id,
            total=row.total,
        ))
    return refs


def _close_lote_if_done(s: Session, lote: Lote, now: datetime) -> None:
    pending = s.exec(select(func.count()).select_from(Document).where(
        Document.lote_id == lote.id, col(Document.state).in_(PENDING_VALUES))).one()
    if not pending and lote.state != "DONE":
        lote.state, lote.finished_at = "DONE", now
        s.add(lote)
