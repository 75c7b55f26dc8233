"""The sync engine, run off the GUI thread.

Two workers, each a QObject living on its own QThread with its own `SyncEngine` (the
engine opens a session per step, so each thread has its own sessions, STYLE.md):

- `SenderWorker`: reconcile documents whose outcome is unknown, then send batches.
- `PollerWorker`: ask for the results of submitted lotes.

Sending and polling are separate so a slow lote query never delays the next invoice.
Each worker is driven by a QTimer created in its own thread; a tick asks the engine
whether anything is due (cheap queries, at most about once a second while idle) and
only then runs a step. Steps block their thread on the network, never the GUI's.

Signals carry plain data only (`Signal(object)`: ids are Python ints and may exceed a
C int): `changed` a set of document ids, `connectivity` a dict profile id -> online,
`failed` one calm Spanish sentence. They are emitted from the worker threads; connect
them to GUI-thread slots (queued), never wait on them with pytest-qt's `waitSignal`.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot

from desktop_app.store.queries import state_counts
from desktop_app.sync.engine import SyncEngine, SyncReport

log = logging.getLogger(__name__)

#: How often a worker looks at its clock.
TICK_MS = 300
#: While nothing is due, ask the database again at most this often (a document saved
#: by another terminal, or a poll that came due, is noticed within this delay).
IDLE_RECHECK_S = 1.0
#: After an unexpected error, wait this long before trying again.
ERROR_PAUSE_S = 5.0


class _EngineWorker(QObject):
    changed = Signal(object)  # set[int]: ids of documents whose row changed
    connectivity = Signal(object)  # dict[int, bool]: profile id -> last request succeeded
    failed = Signal(object)  # str: one calm sentence for the status bar
    sending = Signal(object)  # int: documents in the lote going out now; 0 when done
    stopped = Signal()

    #: Name of the step for log lines.
    step_name = "sync"
    #: Seconds between looks at the database while nothing is due.
    idle_recheck_s = IDLE_RECHECK_S
    #: Seconds to wait after an unexpected error before the next step.
    error_pause_s = ERROR_PAUSE_S

    def __init__(self, engine: SyncEngine, *, tick_ms: int = TICK_MS) -> None:
        super().__init__()
        self.engine = engine
        self._tick_ms = tick_ms
        self._timer: QTimer | None = None
        self._next_check = 0.0  # time.monotonic() before which a tick does nothing
        self._busy = False

    @Slot()
    def start(self) -> None:
        """Runs in the worker thread (connected to QThread.started)."""
        self._timer = QTimer(self)
        self._timer.setInterval(self._tick_ms)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._tick()

    @Slot()
    def wake(self) -> None:
        """Forget back-off and look at once (a save, or the network came back)."""
        try:
            self.engine.wake()
        except Exception:
            log.exception("%s worker: wake failed", self.step_name)
        self._next_check = 0.0
        self._tick()

    @Slot()
    def look_now(self) -> None:
        """Look at once, keeping the back-off (a document was just saved)."""
        self._next_check = 0.0
        self._tick()

    @Slot()
    def shutdown(self) -> None:
        """Runs in the worker thread: stop the timer, hand the object back to the GUI
        thread (so it may be garbage-collected there), and end the thread's loop."""
        if self._timer is not None:
            self._timer.stop()  # a stopped child timer may move threads with its parent
        thread = self.thread()
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        self.stopped.emit()
        thread.quit()

    @Slot()
    def _tick(self) -> None:
        if self._busy or time.monotonic() < self._next_check:
            return
        self._busy = True
        try:
            wait = self._seconds_until_due()
            if wait > 0:
                self._next_check = time.monotonic() + min(wait, self.idle_recheck_s)
                return
            report = self._step()
            if not report.did_work:
                self._next_check = time.monotonic() + self.idle_recheck_s
            self._publish(report)
        except Exception:
            log.exception("%s worker: unexpected error", self.step_name)
            self._next_check = time.monotonic() + self.error_pause_s
            self.failed.emit(
                QCoreApplication.translate(
                    "SyncWorkers",
                    "No se pudo sincronizar por un error inesperado; se reintentará en unos segundos.",
                )
            )
        finally:
            self._busy = False

    def _seconds_until_due(self) -> float:
        if self.engine.pending_count() == 0:
            return IDLE_RECHECK_S
        return self.engine.seconds_until_due()

    def _step(self) -> SyncReport:
        raise NotImplementedError

    def _publish(self, report: SyncReport) -> None:
        if report.changed:
            self.changed.emit(set(report.changed))
        if report.online:
            self.connectivity.emit(dict(report.online))


class SenderWorker(_EngineWorker):
    """Reconcile unknown outcomes first (DESIGN rule 2: ask before resending), then send."""

    step_name = "sender"

    _probed = False

    def _seconds_until_due(self) -> float:
        return 0.0 if not self._probed else super()._seconds_until_due()

    def _step(self) -> SyncReport:
        if not self._probed:  # say "En línea" / "Sin conexión" at start-up, not later
            self._probed = True
            return self.engine.probe_once()
        report = self.engine.reconcile_once()
        db = getattr(self.engine, "db", None)  # test fakes have none: no progress report
        queued = state_counts(db).get("QUEUED", 0) if db is not None else 0
        if not queued:
            return report.merge(self.engine.send_once())
        self.sending.emit(queued)  # the status bar's progress indicator
        try:
            return report.merge(self.engine.send_once())
        finally:
            self.sending.emit(0)


class PollerWorker(_EngineWorker):
    """Follow submitted lotes until the authority answers."""

    step_name = "poller"
    idle_recheck_s = 0.5

    def _seconds_until_due(self) -> float:
        # The poller has nothing to do for queued documents, only for submitted ones
        # whose check is due; `seconds_until_due` answers 0 for queued documents, which
        # would make it spin while the provider is down. `poll_once` is cheap when
        # nothing is due (one query per profile, no request), so just try.
        if self.engine.pending_count() == 0:
            return IDLE_RECHECK_S
        return 0.0

    def _step(self) -> SyncReport:
        return self.engine.poll_once()


class SyncWorkers(QObject):
    """Owns the two worker threads; lives on the GUI thread.

    Its signals relay the workers' on the GUI thread (queued connections), so GUI code
    and tests connect to these, never to the workers directly.
    """

    changed = Signal(object)
    connectivity = Signal(object)
    failed = Signal(object)
    sending = Signal(object)
    _wake_sender = Signal()
    _look_sender = Signal()
    _wake_poller = Signal()
    _stop = Signal()

    def __init__(
        self,
        sender_engine: SyncEngine,
        poller_engine: SyncEngine,
        parent: QObject | None = None,
        *,
        tick_ms: int = TICK_MS,
    ) -> None:
        super().__init__(parent)
        self.sender = SenderWorker(sender_engine, tick_ms=tick_ms)
        self.poller = PollerWorker(poller_engine, tick_ms=tick_ms)
        self._threads: list[QThread] = []
        self._running = False
        queued = Qt.ConnectionType.QueuedConnection
        for worker, name in ((self.sender, "lote-sender"), (self.poller, "lote-poller")):
            thread = QThread()
            thread.setObjectName(name)
            worker.moveToThread(thread)
            thread.started.connect(worker.start)
            self._stop.connect(worker.shutdown, queued)
            worker.changed.connect(self.changed, queued)
            worker.connectivity.connect(self.connectivity, queued)
            worker.failed.connect(self.failed, queued)
            worker.sending.connect(self.sending, queued)
            self._threads.append(thread)
        self._wake_sender.connect(self.sender.wake, queued)
        self._look_sender.connect(self.sender.look_now, queued)
        self._wake_poller.connect(self.poller.wake, queued)

    @classmethod
    def for_runtime(cls, runtime, parent: QObject | None = None, **kwargs) -> SyncWorkers:
        return cls(runtime.make_engine(), runtime.make_engine(), parent, **kwargs)

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        if self._running:
            return
        self._running = True
        for thread in self._threads:
            thread.start()

    def document_saved(self) -> None:
        """A document was just queued: let the sender look at once (not blocking)."""
        self._look_sender.emit()

    def wake(self) -> None:
        """Forget back-off waits and look at once (network back, or "retry now")."""
        self._wake_sender.emit()
        self._wake_poller.emit()

    def stop(self, timeout_ms: int = 40_000) -> None:
        """Stop both threads and wait for them. A step in progress finishes first (at
        most one request timeout), so no document is left SENDING by a clean exit."""
        if not self._running:
            return
        self._running = False
        self._stop.emit()
        for thread in self._threads:
            if not thread.wait(timeout_ms):
                log.warning("worker thread %s did not stop in time", thread.objectName())
