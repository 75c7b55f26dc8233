"""`run_until_idle`'s sliding window, over real HTTP to sandboxes on 127.0.0.1 and a real
SQLite file: how many requests are on the wire at once, answers recorded as they
arrive, polls sent while lotes are still on the wire, failures mid-drain, and a
dialect's own limit of one call at a time.

The sandboxes here count the requests they are handling at once and can hold one
request until something else has happened (with a time-out, so that a broken window fails
the assertion instead of hanging): what the tests assert is an order of
events, never a duration."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlmodel import select

from desktop_app.credentials import DEMO_API_KEY
from desktop_app.domain.emisor import DEMO_EMISOR
from desktop_app.sandbox.facturasend import FacturaSendSandbox
from desktop_app.sandbox.server import Request, Response
from desktop_app.sandbox.tusfacturas import TusFacturasSandbox
from desktop_app.store.db import Database
from desktop_app.store.models import ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from desktop_app.store.queries import state_counts
from desktop_app.sync.engine import SyncEngine
from tests.domain.test_argentina_factories import SECRET, comprobante_json
from tests.support.factories import document

#: Only reached when the window is broken; shorter than the client's time-out, so that
#: the held request is answered (late) rather than abandoned by the client.
HOLD_TIMEOUT = 3.0
REQUEST_TIMEOUT = 10.0


class Watching:
    """Mixin for a sandbox: counts the requests being handled at once (the most ever
    seen in `max_active`), logs their paths in arrival order, and lets a test hold one
    request (`hold(predicate, until)`) until `until` is set."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._watch = threading.Lock()
        self.active = 0
        self.max_active = 0
        self.arrivals: list[str] = []
        self._hold: tuple[Callable[[str, int], bool], threading.Event] | None = None
        self.held = threading.Event()  # set while the held request waits
        self.hold_expired = False

    def hold(self, predicate: Callable[[str, int], bool], until: threading.Event) -> None:
        """Hold the first request for which predicate(path, arrival index) is true."""
        self._hold = (predicate, until)

    def _respond(self, request: Request) -> Response:
        with self._watch:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            index = len(self.arrivals)
            self.arrivals.append(request.path)
            hold, self._hold = (self._hold, None) if (
                self._hold and self._hold[0](request.path, index)) else (None, self._hold)
        try:
            if hold is not None:
                self.held.set()
                self.hold_expired = not hold[1].wait(HOLD_TIMEOUT)
                self.held.clear()
            return super()._respond(request)  # type: ignore[misc]
        finally:
            with self._watch:
                self.active -= 1


class WatchedFacturaSend(Watching, FacturaSendSandbox):
    pass


class WatchedTusFacturas(Watching, TusFacturasSandbox):
    pass


@pytest.fixture
def sandbox() -> Iterator[WatchedFacturaSend]:
    server = WatchedFacturaSend(api_key=DEMO_API_KEY, emisor_ruc=DEMO_EMISOR.ruc,
                                tipo_contribuyente=DEMO_EMISOR.tipo_contribuyente,
                                processing_delay=0.2)
    server.latency = 0.05
    with server:
        yield server


def _profile(db: Database, profile_id: int, **values: Any) -> None:
    with db.write() as s:
        p = s.get(ProviderProfile, profile_id)
        assert p is not None
        for name, value in values.items():
            setattr(p, name, value)
        s.add(p)


def _engine(db: Database, sandbox: FacturaSendSandbox, concurrency: int) -> SyncEngine:
    return SyncEngine(db, base_url_for=lambda p: sandbox.url, request_timeout=REQUEST_TIMEOUT,
                      concurrency=concurrency)


def _lote_creates(sandbox: Watching) -> list[int]:
    return [i for i, path in enumerate(sandbox.arrivals) if path.endswith("/lote/create")]


def test_the_window_keeps_up_to_concurrency_requests_on_the_wire_never_more(
        db: Database, demo_profile, sandbox: WatchedFacturaSend) -> None:
    _profile(db, demo_profile.id, max_batch=10, poll_first_s=0.1, poll_every_s=0.1)
    enqueue_documents(db, demo_profile.id, [document() for _ in range(120)])
    # The first lote waits for company: a window that sent one request at a time
    # would leave it alone until the hold gives up.
    company = threading.Event()
    sandbox.hold(lambda path, index: index == 0, company)
    threading.Thread(target=lambda: _set_when(lambda: sandbox.active >= 2, company),
                     daemon=True).start()
    engine = _engine(db, sandbox, concurrency=3)
    try:
        assert engine.run_until_idle(timeout=60)
    finally:
        company.set()
        engine.close()
    assert not sandbox.hold_expired
    assert 2 <= sandbox.max_active <= 3
    assert state_counts(db) == {"APPROVED": 120}
    assert len(_lote_creates(sandbox)) == 12  # each lote sent once
    assert set(sandbox.receipts_by_cdc().values()) == {1}


def _set_when(condition: Callable[[], bool], event: threading.Event) -> None:
    while not event.is_set():
        if condition():
            event.set()
        event.wait(0.005)


def test_an_answer_is_recorded_while_a_slower_request_is_still_on_the_wire(
        db: Database, demo_profile, sandbox: WatchedFacturaSend) -> None:
    _profile(db, demo_profile.id, max_batch=10, poll_first_s=0.1, poll_every_s=0.1)
    enqueue_documents(db, demo_profile.id, [document() for _ in range(30)])
    release = threading.Event()
    sandbox.hold(lambda path, index: path.endswith("/lote/create"), release)
    seen_while_held: list[dict[str, int]] = []

    def on_report(report: Any) -> None:
        if sandbox.held.is_set() and not release.is_set():
            counts = state_counts(db)
            if counts.get("SUBMITTED") or counts.get("APPROVED"):
                seen_while_held.append(counts)
                release.set()

    engine = _engine(db, sandbox, concurrency=2)
    try:
        assert engine.run_until_idle(timeout=60, on_report=on_report)
    finally:
        release.set()
        engine.close()
    assert not sandbox.hold_expired
    assert seen_while_held  # another lote's answer was written while the first waited
    assert seen_while_held[0].get("SENDING", 0) >= 10  # ... the held lote's documents
    assert state_counts(db) == {"APPROVED": 30}
    assert set(sandbox.receipts_by_cdc().values()) == {1}


def test_a_poll_that_falls_due_leaves_while_lotes_are_still_being_sent(
        db: Database, demo_profile, sandbox: WatchedFacturaSend) -> None:
    _profile(db, demo_profile.id, max_batch=10, poll_first_s=0.1, poll_every_s=0.1)
    enqueue_documents(db, demo_profile.id, [document() for _ in range(100)])
    # The second lote sent is held until a poll arrives: rounds (send, wait for every
    # send, then poll) would never poll while it is held.
    polled = threading.Event()
    sandbox.hold(lambda path, index: path.endswith("/lote/create")
                 and len(_lote_creates(sandbox)) == 2, polled)
    threading.Thread(target=lambda: _set_when(
        lambda: any(p.endswith("/de/estado") for p in list(sandbox.arrivals)), polled),
        daemon=True).start()
    engine = _engine(db, sandbox, concurrency=2)
    try:
        assert engine.run_until_idle(timeout=60)
    finally:
        polled.set()
        engine.close()
    assert not sandbox.hold_expired
    creates = _lote_creates(sandbox)
    first_poll = next(i for i, p in enumerate(sandbox.arrivals) if p.endswith("/de/estado"))
    assert first_poll < creates[-1]  # a due poll goes before the lotes still queued
    assert state_counts(db) == {"APPROVED": 100}
    assert set(sandbox.receipts_by_cdc().values()) == {1}


def test_a_connection_failure_mid_drain_leaves_nothing_sending_and_nothing_sent_twice(
        db: Database, demo_profile, sandbox: WatchedFacturaSend) -> None:
    _profile(db, demo_profile.id, max_batch=10, poll_first_s=0.1, poll_every_s=0.1)
    enqueue_documents(db, demo_profile.id, [document() for _ in range(150)])
    down: list[dict[str, int]] = []

    def on_report(report: Any) -> None:
        if not down:
            counts = state_counts(db)
            if counts.get("SUBMITTED", 0) + counts.get("APPROVED", 0) >= 30:
                sandbox.set_down(True)  # requests already on the wire still get answers
                down.append(counts)

    engine = _engine(db, sandbox, concurrency=3)
    try:
        assert engine.run_until_idle(timeout=3, on_report=on_report) is False
        counts = state_counts(db)
        assert down and "SENDING" not in counts and counts.get("QUEUED")
        with db.session() as s:
            profile = s.get(ProviderProfile, demo_profile.id)
            assert profile.online is False and profile.failures >= 1 and profile.next_attempt_at
        sandbox.set_down(False)
        engine.wake()
        assert engine.run_until_idle(timeout=60)
    finally:
        engine.close()
    assert state_counts(db) == {"APPROVED": 150}
    receipts = sandbox.receipts_by_cdc()
    assert len(receipts) == 150 and set(receipts.values()) == {1}
    with db.session() as s:
        profile = s.get(ProviderProfile, demo_profile.id)
        assert profile.online is True and profile.failures == 0 and profile.last_sync_at
        assert profile.next_attempt_at is None and profile.last_error is None


class CountingClient:
    """A real provider client that counts the engine's calls into it at once (the
    TusFacturas client also serialises its own submits: the engine must not rely on it)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.max_batch = real.max_batch
        self._lock = threading.Lock()
        self.active = 0
        self.max_active = 0
        self.calls = 0

    def _counted(self, name: str, *args: Any) -> Any:
        with self._lock:
            self.active += 1
            self.calls += 1
            self.max_active = max(self.max_active, self.active)
        try:
            return getattr(self.real, name)(*args)
        finally:
            with self._lock:
                self.active -= 1

    def submit(self, docs: Any) -> Any:
        return self._counted("submit", docs)

    def poll(self, refs: Any) -> Any:
        return self._counted("poll", refs)

    def lookup(self, ref: Any) -> Any:
        return self._counted("lookup", ref)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_a_dialect_that_takes_one_call_at_a_time_gets_one_call_at_a_time(db: Database) -> None:
    from desktop_app.domain.argentina import document_from_json
    from desktop_app.providers.registry import make_provider_client

    profile = save_profile(db, ProviderProfile(
        name="tusfacturas", provider="tusfacturas", country="AR", base_url="sandbox:",
        max_batch=3, poll_first_s=0.1, poll_every_s=0.1))
    docs = []
    for _ in range(12):
        parsed, errors = document_from_json(comprobante_json())
        assert parsed is not None, errors
        docs.append(parsed)
    ids = enqueue_documents(db, profile.id, docs).ids
    with WatchedTusFacturas(api_key=SECRET, hold_seconds=0.05) as tf:
        tf.latency = 0.05
        clients: list[CountingClient] = []

        def factory(provider: str, **kwargs: Any) -> CountingClient:
            clients.append(CountingClient(make_provider_client(provider, **kwargs)))
            return clients[-1]

        engine = SyncEngine(db, base_url_for=lambda p: tf.url, key_for=lambda p: SECRET,
                            client_factory=factory, request_timeout=REQUEST_TIMEOUT,
                            concurrency=4)
        try:
            assert engine.run_until_idle(timeout=60)
        finally:
            engine.close()
        assert tf.max_active == 1
        assert [c.max_active for c in clients] == [1]
        assert clients[0].calls >= 4  # four lotes of three, at least
    assert Counter(state_counts(db)) == Counter({"APPROVED": len(ids)})
    with db.session() as s:
        assert s.exec(select(ProviderProfile.online)).all() == [True]


def test_at_the_timeout_the_requests_on_the_wire_are_recorded_before_returning(
        db: Database, demo_profile, sandbox: WatchedFacturaSend) -> None:
    _profile(db, demo_profile.id, max_batch=10, poll_first_s=0.1, poll_every_s=0.1)
    enqueue_documents(db, demo_profile.id, [document() for _ in range(100)])
    sandbox.latency = 0.3
    engine = _engine(db, sandbox, concurrency=2)
    try:
        assert engine.run_until_idle(timeout=0.2) is False
        counts = state_counts(db)
        assert "SENDING" not in counts and counts.get("SUBMITTED") and counts.get("QUEUED")
        sandbox.latency = 0.02
        assert engine.run_until_idle(timeout=60)
    finally:
        engine.close()
    assert state_counts(db) == {"APPROVED": 100}
    assert set(sandbox.receipts_by_cdc().values()) == {1}


class BreaksOnSecondSubmit:
    """A real client that raises an unexpected error (a bug, not a provider error) after
    its second lote reached the provider."""

    def __init__(self, real: Any) -> None:
        self.real, self.max_batch, self.submits = real, real.max_batch, 0

    def submit(self, docs: Any) -> Any:
        result = self.real.submit(docs)
        self.submits += 1
        if self.submits == 2:
            raise RuntimeError("bug while reading the answer")
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_an_unexpected_error_mid_drain_is_asked_about_and_nothing_is_sent_twice(
        db: Database, demo_profile, sandbox: WatchedFacturaSend) -> None:
    from desktop_app.providers.registry import make_provider_client

    _profile(db, demo_profile.id, max_batch=10, poll_first_s=0.1, poll_every_s=0.1)
    enqueue_documents(db, demo_profile.id, [document() for _ in range(80)])
    engine = SyncEngine(db, base_url_for=lambda p: sandbox.url, request_timeout=REQUEST_TIMEOUT,
                        concurrency=3, client_factory=lambda provider, **kw: BreaksOnSecondSubmit(
                            make_provider_client(provider, **kw)))
    try:
        # wake(): skip the back-off the error causes, as the network hint would.
        assert engine.run_until_idle(timeout=60, on_report=lambda report: engine.wake())
    finally:
        engine.close()
    assert state_counts(db) == {"APPROVED": 80}
    receipts = sandbox.receipts_by_cdc()
    assert len(receipts) == 80 and set(receipts.values()) == {1}  # the broken lote: asked, not resent
    assert set(sandbox.approvals_by_number().values()) == {1}


def test_a_lote_claimed_ahead_goes_back_to_the_queue_unsent_when_the_one_before_fails(
        db: Database, demo_profile, sandbox: WatchedFacturaSend) -> None:
    """With one slot busy, the window claims the next lote ahead; when the lote on the
    wire is refused, the one claimed ahead never leaves: its documents return to the
    queue in order and the Lotes screen says it was not sent (not "sin conexión")."""
    from desktop_app.gui.labels import lote_state_label
    from desktop_app.store.models import Document, Lote

    _profile(db, demo_profile.id, max_batch=5, poll_first_s=0.1, poll_every_s=0.1)
    enqueue_documents(db, demo_profile.id, [document() for _ in range(10)])
    release = threading.Event()
    sandbox.hold(lambda path, _: path.endswith("/lote/create"), release)
    refuse = threading.Event()
    original = sandbox._respond

    def respond(request: Request) -> Response:
        answer = original(request)
        return Response(status=401, body=b"{}") if refuse.is_set() else answer

    sandbox._respond = respond  # type: ignore[method-assign]
    engine = _engine(db, sandbox, concurrency=1)
    done: list[bool] = []
    runner = threading.Thread(target=lambda: done.append(engine.run_until_idle(timeout=3)))
    runner.start()
    try:
        assert sandbox.held.wait(HOLD_TIMEOUT)
        for _ in range(300):  # until the second lote is claimed ahead
            with db.session() as s:
                if len(s.exec(select(Lote)).all()) == 2:
                    break
            threading.Event().wait(0.01)
        refuse.set()
        release.set()
        runner.join(timeout=30)
    finally:
        release.set()
        runner.join(timeout=30)
        engine.close()
    assert done == [False]  # backing off after the refusal (and refused again, if retried)
    with db.session() as s:
        lotes = s.exec(select(Lote).order_by(Lote.id)).all()
        assert [lt.state for lt in lotes[:2]] == ["REFUSED", "UNSENT"]
        assert lotes[1].finished_at is not None
        # Every lote/create the provider saw is a lote that left: the one claimed ahead
        # is not among them.
        assert len(_lote_creates(sandbox)) == sum(lt.state != "UNSENT" for lt in lotes)
        docs = s.exec(select(Document)).all()
        assert {d.state for d in docs} == {"QUEUED"}
    assert lote_state_label("UNSENT") == "No enviado: devuelto a la cola"
