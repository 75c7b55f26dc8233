"""One engine, small steps: claim batches, submit them, poll results, reconcile unknowns.

The GUI runs these steps in QThread workers; `lote sync` drains with `run_until_idle`,
which keeps a sliding window of requests on the wire instead of working in rounds, so
that writing one answer overlaps the others' network time. Both record every answer
with the same code (`_settle`). Each write is its own short transaction; no transaction
is held open while a request is on the wire. DESIGN rule 2 is enforced here: documents
are SENDING under an attempt id (committed) before the request leaves; whatever may have
reached the provider becomes UNKNOWN and is asked about (by number, CDC or reference)
before it is ever sent again.

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
from collections import deque
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Concatenate, Literal, ParamSpec

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
RETURNED_UNSENT = "Devuelto a la cola sin enviar."
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


@dataclass
class _Request:
    """One request to a provider and what it is about: a claimed lote to submit, a chunk
    of one lote's submitted documents to poll, or one UNKNOWN document to look up. The
    rounds of `send_once`/`poll_once`/`reconcile_once` and the window of
    `run_until_idle` both make requests of this shape and record their answers with
    `SyncEngine._settle`, so what an answer means is decided in one place."""

    kind: Literal["submit", "poll", "lookup"]
    client: Any
    claim: _Claim | None = None
    refs: list[DocumentRef] = field(default_factory=list)
    #: lookup: the attempt the document was UNKNOWN under when asked about.
    attempt_asked: str | None = None
    #: window: the profile's epoch when issued (see `_Lane.epoch`).
    epoch: int = 0

    @property
    def doc_ids(self) -> list[int]:
        if self.claim is not None:
            return [d.local_id for d in self.claim.outgoing]
        return [r.local_id for r in self.refs]

    def call(self) -> Any:
        """Make the request (on a pool thread: no database access here)."""
        if self.kind == "submit":
            assert self.claim is not None
            return self.client.submit(self.claim.outgoing)
        if self.kind == "poll":
            return self.client.poll(self.refs)
        return self.client.lookup(self.refs[0])


def _perform(request: _Request) -> tuple[Any, BaseException | None]:
    return _attempt(_Request.call, request)


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
        limit = _batch_limit(profile, client)
        requests: list[_Request] = []
        for _ in range(_lane_limit(profile, self.concurrency)):
            claim = self._claim(profile, limit)
            if claim is None:
                break
            requests.append(_Request("submit", client, claim=claim))
        if requests:
            self._run_round(profile, requests, report)
        return report

    def _run_round(self, profile: ProviderProfile, requests: list[_Request],
                   report: SyncReport) -> None:
        """The requests of one step to one profile, `concurrency` at a time; each answer
        is recorded, then the profile's health: failed if any request failed, else ok."""
        report.requests += len(requests)
        outcomes = self._map(_perform, requests)
        failure: Exception | None = None
        succeeded = False
        for request, (answer, error) in zip(requests, outcomes, strict=True):
            ok, failed = self._settle(profile, request, answer, error, report)
            succeeded = succeeded or ok
            failure = failure or failed
        if failure is not None:
            self._mark_failed(_id(profile), failure, report)
        elif succeeded:
            self._mark_ok(_id(profile), report)

    def _settle(self, profile: ProviderProfile, request: _Request, answer: Any,
                error: BaseException | None, report: SyncReport) -> tuple[bool, Exception | None]:
        """Record what one request's answer (or error) means for its documents: the one
        place for it, used by the rounds and by the window. Returns (succeeded, failure):
        a failure is what the profile backs off for."""
        if request.kind == "submit":
            claim = request.claim
            assert claim is not None
            report.changed.update(d.local_id for d in claim.outgoing)
            if error is None:
                self._record_submission(profile, claim, answer)
                return True, None
            if isinstance(error, ConnectionFailed):
                self._release(claim, DocState.QUEUED, "OFFLINE", str(error))
                return False, error
            if isinstance(error, CallRefused):
                self._refused(claim, error)
                if error.auth or error.code in BACK_OFF_CODES:
                    return False, error
                return True, None
            unknown = error if isinstance(error, ProviderError) else None
            if unknown is None:  # a bug must not lose track of documents on the wire
                log.error("unexpected error submitting lote %s", claim.lote_id, exc_info=error)
                unknown = OutcomeUnknown("Error inesperado al enviar")
            self._release(claim, DocState.UNKNOWN, "UNKNOWN", str(unknown))
            return False, unknown
        if error is not None:  # a question unanswered changes nothing: asked again later
            return False, (error if isinstance(error, ProviderError) else OutcomeUnknown(str(error)))
        if request.kind == "poll":
            self._record_poll(profile, request.refs, answer, report)
        else:
            self._record_lookup(profile, request.refs[0].local_id, answer, report,
                                request.attempt_asked)
        return True, None

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
            self._run_round(profile, [_Request("poll", client, refs=chunk)
                                      for chunk in _chunks_by_lote(refs, 50)], report)
        return report

    def _due_polls(self, profile: ProviderProfile, now: datetime, limit: int,
                   exclude: Collection[int] = ()) -> list[DocumentRef]:
        """Submitted documents whose check is due, but for `exclude` (those already being
        asked about). On a shared database they are also leased (taken FOR UPDATE SKIP
        LOCKED, next check pushed past the request's timeout) so that one terminal asks
        about them; the answer sets the real next check, and a terminal that dies holding
        a lease only delays the question."""
        stmt = sa_select(*_REF_COLUMNS).where(
            col(Document.profile_id) == profile.id,
            col(Document.state) == DocState.SUBMITTED.value,
            col(Document.attention).is_(False),
            col(Document.next_poll_at) <= now,
        ).order_by(col(Document.lote_id), col(Document.id)).limit(limit)
        if exclude:
            stmt = stmt.where(col(Document.id).not_in(exclude))
        if not self.db.is_shared:
            with self.db.session() as s:
                return _refs(s, s.execute(stmt).all())
        with self.db.write() as s:
            rows = s.execute(stmt.with_for_update(skip_locked=True)).all()
            if rows:
                lease = now + timedelta(seconds=max(self._timeout * 2, profile.poll_every_s))
                s.execute(update(Document).where(col(Document.id).in_([r.id for r in rows]))
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
            refs, attempts_asked = self._unknown_refs(profile, max_documents)
            if not refs:
                continue
            try:
                client = self._client(profile)
            except CallRefused as exc:
                self._mark_failed(_id(profile), exc, report)
                continue
            self._run_round(profile, [
                _Request("lookup", client, refs=[ref], attempt_asked=attempts_asked[ref.local_id])
                for ref in refs], report)
        return report

    def _unknown_refs(self, profile: ProviderProfile, limit: int, exclude: Collection[int] = ()
                      ) -> tuple[list[DocumentRef], dict[int, str | None]]:
        """UNKNOWN documents to ask about (but for `exclude`, already being asked about),
        and the attempt each is UNKNOWN under."""
        with self.db.session() as s:
            stmt = (sa_select(*_REF_COLUMNS, col(Document.attempt_id))
                    .where(col(Document.profile_id) == profile.id,
                           col(Document.state) == DocState.UNKNOWN.value)
                    .order_by(col(Document.id)).limit(limit))
            if exclude:
                stmt = stmt.where(col(Document.id).not_in(exclude))
            rows = s.execute(stmt).all()
            return _refs(s, rows), {r.id: r.attempt_id for r in rows}

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

    def _next_poll_after(self, profile: ProviderProfile, now: datetime) -> datetime | None:
        """When the next submitted document of `profile` falls due (after `now`)."""
        with self.db.session() as s:
            when = s.exec(select(func.min(Document.next_poll_at)).where(
                Document.profile_id == profile.id, Document.state == DocState.SUBMITTED.value,
                col(Document.attention).is_(False), col(Document.next_poll_at) > now)).one()
        return None if when is None else when.replace(tzinfo=now.tzinfo)

    def run_until_idle(self, timeout: float | None = None, *, sleep: Callable[[float], None] = time.sleep,
                       on_report: Callable[[SyncReport], None] | None = None) -> bool:
        """Drain: work until no document waits to be sent or for a result; False on timeout.

        Unlike `step`, which works in rounds (claim, send, wait for the slowest, record,
        then poll), this keeps a sliding window of requests on the wire (`_Window`): each
        answer is recorded as it arrives and the next request leaves at once, so the
        database work overlaps the network. `on_report` gets a report after every batch
        of answers. When nothing is on the wire and nothing is due, it `sleep`s until the
        next poll or the end of a back-off (at most a second, to notice new documents).
        At the timeout no new request leaves; those on the wire are recorded first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout

        def expired() -> bool:
            return deadline is not None and time.monotonic() >= deadline

        db_failures = 0
        window = _Window(self)
        try:
            while True:
                try:
                    report = window.turn(issue=not expired())
                    if on_report:
                        on_report(report)
                    if report.database_error:
                        raise _Unreachable
                    db_failures = 0
                    if window.busy:
                        continue
                    if self.pending_count() == 0:
                        return True
                    if expired():
                        return False
                    wait_s = min(self.seconds_until_due(), _Window.MAX_WAIT)
                    if not report.did_work:
                        # Due, yet nothing could be done (a profile inactive, work the
                        # window looks for less often): do not spin.
                        wait_s = max(wait_s, _Window.IDLE_WAIT)
                except (DBAPIError, _Unreachable) as exc:
                    if isinstance(exc, DBAPIError) and not self.db.unreachable(exc):
                        raise
                    leftover = window.abandon()
                    if on_report and leftover.did_work:
                        on_report(leftover)
                    if expired():
                        return False
                    db_failures = min(db_failures + 1, 16)
                    wait_s = backoff_delay(db_failures, self._rng, base=1.0, cap=30.0)
                if deadline is not None:
                    wait_s = min(wait_s, max(0.0, deadline - time.monotonic()))
                if wait_s > 0:
                    sleep(wait_s)
        finally:
            window.close()


class _Unreachable(Exception):
    """Internal to `run_until_idle`: the step reported an unreachable database."""


_Flight = Future[tuple[Any, BaseException | None]]


class _Lane:
    """One profile's part of the window: its requests on the wire, the questions already
    chosen for it (`asks`: lookups and due polls, which go before new lotes), and whether
    it may issue more (`due`: not backing off, active)."""

    def __init__(self, profile: ProviderProfile) -> None:
        self.profile = profile
        self.limit = 1
        self.due = False
        #: The profile row needs no write to say "ok" but for last_sync_at.
        self.clean = False
        self.client: Any = None
        self.flights: dict[_Flight, _Request] = {}
        #: Answered, not yet recorded: still busy.
        self.settling: dict[_Flight, _Request] = {}
        self.asks: deque[_Request] = deque()
        #: A lote claimed while every slot was busy, to leave the moment one frees.
        self.ahead: _Request | None = None
        #: Bumped when a failure is recorded: the answers of requests issued before it
        #: neither record a second failure (one back-off step per outage, as a round
        #: does) nor mark the profile ok again.
        self.epoch = 0
        #: False after a claim found nothing: look (cheaply) before the next claim.
        self.maybe_queued = True
        #: When to look for due polls again (engine clock; None: now). Our own answers
        #: bring it forward; other writers are noticed within MAX_WAIT.
        self.poll_check_at: datetime | None = None
        #: When to look for UNKNOWN documents again (monotonic; 0: now).
        self.unknown_check_at = 0.0
        #: A failure put the profile in back-off: re-read it to learn when it ends.
        self.backing_off = False
        self.ok_unsaved = False
        self.ok_saved_at = -math.inf

    def busy_ids(self, kind: str) -> set[int]:
        """Documents on the wire or chosen to be asked about in requests of `kind`:
        never asked about twice (the other kinds are about documents in other states)."""
        ids: set[int] = set()
        for request in (*self.flights.values(), *self.settling.values(), *self.asks):
            if request.kind == kind:
                ids.update(request.doc_ids)
        return ids

    def poll_due_by(self, when: datetime) -> None:
        if self.poll_check_at is None or when < self.poll_check_at:
            self.poll_check_at = when


class _Window:
    """The scheduler of `run_until_idle`: up to `_lane_limit` requests per profile on the
    wire at all times, drawn from one source in DESIGN order: lookups of UNKNOWN
    documents first (ask before any resend), then due polls, then new claims. Requests
    run on a thread pool; every answer is recorded on the calling thread as soon as it
    arrives (`SyncEngine._settle`, the same code as the rounds), and its slot is refilled
    at once. The wait for answers ends when the next poll falls due, so a poll leaves
    when due even while sends are on the wire.

    Failure semantics are a round's: the first failure of a profile is recorded
    (`_mark_failed`, back-off) and no new request leaves for it until it is due again;
    those on the wire are still recorded. Health "ok" is written at once when it changes
    the profile row, else at most every `OK_EVERY` seconds (last_sync_at)."""

    #: The longest the window waits without looking at the database again (new
    #: documents, other terminals' work, profile changes).
    MAX_WAIT = 1.0
    IDLE_WAIT = 0.05
    #: How often stale SENDING documents are recovered, profiles re-read, and UNKNOWN
    #: documents looked for when none of our own answers made any.
    RECOVER_EVERY = 1.0
    REFRESH_EVERY = 1.0
    UNKNOWN_EVERY = 1.0
    OK_EVERY = 1.0

    def __init__(self, engine: SyncEngine) -> None:
        self.engine = engine
        self.lanes: dict[int, _Lane] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._recovered_at = -math.inf
        self._refreshed_at = -math.inf

    @property
    def busy(self) -> bool:
        return any(lane.flights for lane in self.lanes.values())

    def turn(self, *, issue: bool) -> SyncReport:
        """Fill the window (unless `issue` is False: past the deadline), wait for the
        first answer or the next due poll, and record the answers that came."""
        report = SyncReport()
        if issue:
            if time.monotonic() - self._recovered_at >= self.RECOVER_EVERY:
                report.merge(self.engine.recover_interrupted())
                if report.database_error:
                    return report
                self._recovered_at = time.monotonic()
                if report.changed:
                    for lane in self.lanes.values():
                        lane.unknown_check_at = 0.0
            if (time.monotonic() - self._refreshed_at >= self.REFRESH_EVERY
                    or any(lane.backing_off for lane in self.lanes.values())):
                self._refresh(report)
            for lane in self.lanes.values():
                self._fill(lane, report)
                self._claim_ahead(lane, report)
        else:
            for lane in self.lanes.values():
                lane.asks.clear()
                self._fill(lane, report, new=False)
        flights = {f: lane for lane in self.lanes.values() for f in lane.flights}
        if flights:
            done, _ = wait(flights, timeout=self._wait_timeout() if issue else None,
                           return_when=FIRST_COMPLETED)
            answered = [(f, lane) for f, lane in flights.items() if f in done]  # in order
            for flight, lane in answered:
                lane.settling[flight] = lane.flights.pop(flight)
            # The next requests leave before the answers are written (a slot does not
            # wait for the database), but not to a profile whose request just failed.
            failing = {lane for f, lane in answered if f.result()[1] is not None}
            for lane in dict.fromkeys(lane for _, lane in answered):
                if lane not in failing:
                    self._fill(lane, report, new=issue)
            for flight, lane in answered:
                self._settle(lane, flight, report)
        self._save_ok(report, force=not self.busy)
        return report

    def abandon(self) -> SyncReport:
        """Stop: wait for the requests on the wire and record their answers as far as the
        database lets us. What cannot be recorded stays SENDING (recovered as UNKNOWN and
        asked about, like after a crash) or due (asked again)."""
        report = SyncReport()
        for lane in self.lanes.values():
            lane.asks.clear()
            try:
                self._return_ahead(lane, report)
            except Exception:
                log.warning("lote claimed ahead not returned to the queue", exc_info=True)
            lane.settling.update(lane.flights)
            lane.flights.clear()
            for flight in list(lane.settling):
                try:
                    self._settle(lane, flight, report)
                except Exception:
                    log.warning("answer of a request not recorded", exc_info=True)
        return report

    def close(self) -> None:
        try:
            self.abandon()
            self._save_ok(SyncReport(), force=True)
        except Exception:
            log.warning("sync window not closed cleanly", exc_info=True)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    # -- choosing requests ---------------------------------------------------------------
    def _refresh(self, report: SyncReport) -> None:
        """Re-read the profiles: back-off, wake(), settings and keys may have changed."""
        engine = self.engine
        now = engine._clock()
        self._refreshed_at = time.monotonic()
        with engine.db.session() as s:
            profiles = s.exec(select(ProviderProfile).order_by(col(ProviderProfile.id))).all()
        present = set()
        for p in profiles:
            pid = _id(p)
            present.add(pid)
            lane = self.lanes.get(pid)
            if lane is None:
                lane = self.lanes[pid] = _Lane(p)
            lane.profile = p
            lane.limit = _lane_limit(p, engine.concurrency)
            lane.backing_off = p.next_attempt_at is not None and p.next_attempt_at > now
            lane.due = not lane.backing_off and engine._base_url_for(p) is not None
            lane.clean = p.online is True and not (p.failures or p.next_attempt_at or p.last_error)
            lane.client = None
        for pid, lane in self.lanes.items():
            if pid not in present:
                lane.due = False
            if not lane.due:
                self._return_ahead(lane, report)

    def _fill(self, lane: _Lane, report: SyncReport, *, new: bool = True) -> None:
        """Issue requests into the lane's free slots, in DESIGN order: lookups and due
        polls, then the lote claimed ahead, then new claims. Past the deadline (`new`
        False) only the lote claimed ahead still leaves: its documents are SENDING."""
        gathered = not new
        while lane.due and len(lane.flights) < lane.limit:
            if not lane.asks and not gathered:
                gathered = True
                self._gather(lane, report)
                continue
            if lane.asks:
                request: _Request | None = lane.asks.popleft()
            elif lane.ahead is not None:
                request, lane.ahead = lane.ahead, None
            else:
                request = self._claim(lane, report) if new else None
            if request is None:
                return
            self._issue(lane, request, report)

    def _claim_ahead(self, lane: _Lane, report: SyncReport) -> None:
        """While every slot of the lane is busy, claim its next lote: the claim's
        database work overlaps the network, and the lote leaves as soon as a slot frees
        (unless a question falls due first)."""
        if (lane.due and lane.ahead is None and not lane.asks and lane.maybe_queued
                and len(lane.flights) >= lane.limit):
            lane.ahead = self._claim(lane, report)

    def _return_ahead(self, lane: _Lane, report: SyncReport) -> None:
        """The lote claimed ahead did not leave and will not now (the profile failed, a
        lote before it came back to the queue, the window closes): its documents go
        back to the queue, so that they keep their order behind the returned ones."""
        request, lane.ahead = lane.ahead, None
        if request is not None and request.claim is not None:
            self.engine._release(request.claim, DocState.QUEUED, "UNSENT", RETURNED_UNSENT)
            report.changed.update(request.doc_ids)
            lane.maybe_queued = True

    def _gather(self, lane: _Lane, report: SyncReport) -> None:
        """Choose the lane's next questions: UNKNOWN documents, then due polls (as many
        as free slots take: on a shared database due polls are leased when chosen).
        Each kind is looked for only when some may be there, so that refilling a slot
        costs no query in vain."""
        engine = self.engine
        free = lane.limit - len(lane.flights)
        refs: list[DocumentRef] = []
        attempts: dict[int, str | None] = {}
        chunks: list[list[DocumentRef]] = []
        if time.monotonic() >= lane.unknown_check_at:
            refs, attempts = engine._unknown_refs(lane.profile, 50, lane.busy_ids("lookup"))
            if len(refs) < 50:
                lane.unknown_check_at = time.monotonic() + self.UNKNOWN_EVERY
        now = engine._clock()
        if len(refs) < free and (lane.poll_check_at is None or lane.poll_check_at <= now):
            wanted = 50 * (free - len(refs))
            due = engine._due_polls(lane.profile, now, wanted, lane.busy_ids("poll"))
            chunks = _chunks_by_lote(due, 50)
            if len(due) < wanted:  # all due ones taken: look again when the next is due
                lane.poll_check_at = now + timedelta(seconds=self.MAX_WAIT)
                later = engine._next_poll_after(lane.profile, now)
                if later is not None:
                    lane.poll_due_by(later)
        if not refs and not chunks:
            return
        client = self._client(lane, report)
        if client is None:
            return
        lane.asks.extend(_Request("lookup", client, refs=[ref], attempt_asked=attempts[ref.local_id])
                         for ref in refs)
        lane.asks.extend(_Request("poll", client, refs=chunk) for chunk in chunks)

    def _claim(self, lane: _Lane, report: SyncReport) -> _Request | None:
        engine = self.engine
        pid = _id(lane.profile)
        if not lane.maybe_queued:
            if not engine._has_queued(pid):
                return None
            lane.maybe_queued = True
        client = self._client(lane, report, only_if_queued=True)
        if client is None:
            return None
        claim = engine._claim(lane.profile, _batch_limit(lane.profile, client))
        if claim is None:
            lane.maybe_queued = False
            return None
        report.changed.update(d.local_id for d in claim.outgoing)
        return _Request("submit", client, claim=claim)

    def _client(self, lane: _Lane, report: SyncReport, *, only_if_queued: bool = False) -> Any:
        """The lane's client, or None: a profile that cannot work as configured (no key,
        inactive) fails like a refused call, when it has work to do."""
        if lane.client is None:
            try:
                lane.client = self.engine._client(lane.profile)
            except CallRefused as exc:
                if not only_if_queued or self.engine._has_queued(_id(lane.profile)):
                    self._fail(lane, exc, report)
                else:
                    lane.maybe_queued = False
                return None
        return lane.client

    def _issue(self, lane: _Lane, request: _Request, report: SyncReport) -> None:
        if self._pool is None:
            workers = self.engine.concurrency * max(8, len(self.lanes))
            self._pool = ThreadPoolExecutor(workers, thread_name_prefix="lote-window")
        request.epoch = lane.epoch
        lane.flights[self._pool.submit(_perform, request)] = request
        report.requests += 1

    def _wait_timeout(self) -> float:
        """Until the next poll falls due for a lane with a free slot (≤ MAX_WAIT)."""
        timeout = self.MAX_WAIT
        now = self.engine._clock()
        for lane in self.lanes.values():
            if lane.due and len(lane.flights) < lane.limit:
                when = lane.poll_check_at or now
                timeout = min(timeout, (when - now).total_seconds())
        return max(0.0, timeout)

    # -- recording answers ---------------------------------------------------------------
    def _settle(self, lane: _Lane, flight: _Flight, report: SyncReport) -> None:
        request = lane.settling.pop(flight)
        answer, error = flight.result()
        ok, failure = self.engine._settle(lane.profile, request, answer, error, report)
        # When what was just recorded falls due for a poll, or may be UNKNOWN.
        now = self.engine._clock()
        if request.kind == "submit" and error is None:
            lane.poll_due_by(now + timedelta(seconds=lane.profile.poll_first_s))
        elif request.kind == "poll" and error is None:
            lane.poll_due_by(now + timedelta(seconds=lane.profile.poll_every_s))
        elif request.kind == "lookup":
            lane.poll_due_by(now)
        if error is not None:
            lane.unknown_check_at = 0.0
            if request.kind == "submit":
                self._return_ahead(lane, report)
        if request.epoch != lane.epoch:  # issued before a failure already recorded
            return
        if failure is not None:
            self._fail(lane, failure, report)
        elif ok:
            report.online[_id(lane.profile)] = True
            lane.ok_unsaved = True
            if not lane.clean:  # online flag, failures, back-off to clear: at once
                self._save_lane_ok(lane, report)

    def _fail(self, lane: _Lane, exc: Exception, report: SyncReport) -> None:
        self.engine._mark_failed(_id(lane.profile), exc, report)
        self._return_ahead(lane, report)
        lane.epoch += 1
        lane.due = False
        lane.backing_off = True
        lane.asks.clear()
        lane.ok_unsaved = False
        lane.clean = False

    def _save_ok(self, report: SyncReport, *, force: bool) -> None:
        now = time.monotonic()
        for lane in self.lanes.values():
            if lane.ok_unsaved and (force or now - lane.ok_saved_at >= self.OK_EVERY):
                self._save_lane_ok(lane, report)

    def _save_lane_ok(self, lane: _Lane, report: SyncReport) -> None:
        self.engine._mark_ok(_id(lane.profile), report)
        lane.ok_unsaved, lane.clean, lane.ok_saved_at = False, True, time.monotonic()


def _provider_setting(profile: ProviderProfile, name: str, default: float) -> float:
    """A dialect's own limit from the registry (e.g. TusFacturas: one call at a time)."""
    return float(PROVIDER_DEFAULTS.get(profile.provider, {}).get(name, default))


def _lane_limit(profile: ProviderProfile, concurrency: int) -> int:
    """Requests to one profile at a time: the engine's setting within the dialect's."""
    return max(1, min(concurrency, int(_provider_setting(profile, "concurrency", concurrency))))


def _batch_limit(profile: ProviderProfile, client: Any) -> int:
    """Documents per lote: the profile's setting within the dialect's."""
    return max(1, min(profile.max_batch, getattr(client, "max_batch", 50)))


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


#: What `_refs` reads of a document: selected as columns, not as ORM objects (whose
#: payload alone would cost more than the rest of choosing a poll).
_REF_COLUMNS: tuple[Any, ...] = (
    col(Document.id), col(Document.tipo_documento), col(Document.establecimiento),
    col(Document.punto), col(Document.numero), col(Document.cdc), col(Document.lote_id),
    col(Document.external_ref), col(Document.provider_ref), col(Document.customer_tax_id),
    col(Document.total))


def _refs(s: Session, rows: Sequence[Any]) -> list[DocumentRef]:
    """What each dialect may ask about a document by: its ids, its lote, when it left.
    `rows` have the `_REF_COLUMNS` as attributes."""
    lote_ids = {r.lote_id for r in rows if r.lote_id}
    lotes = {r.id: r for r in s.execute(
        sa_select(col(Lote.id), col(Lote.provider_lote_id), col(Lote.created_at))
        .where(col(Lote.id).in_(lote_ids)))} if lote_ids else {}
    refs = []
    for row in rows:
        lote = lotes.get(row.lote_id) if row.lote_id else None
        refs.append(DocumentRef(
            local_id=row.id, tipo_documento=row.tipo_documento,
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
