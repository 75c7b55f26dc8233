"""Run a read off the GUI thread and get its result back on it (Picard's
`run_task`, Anki's `QueryOp`): for the few queries that may take longer than a page of
rows (the dashboard's month, the lotes list of a busy shop).

The function runs on Qt's global thread pool with its own database sessions (the
store opens one per call) and returns plain data; the callback runs on the GUI thread
through a queued signal. Results of a task superseded by a newer one of the same
`TaskRunner` are dropped, so a slow old answer never overwrites a fresh one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    done = Signal(object, object, object)  # generation, result, error


class _Job(QRunnable):
    def __init__(self, relay: _Relay, generation: int, func: Callable[[], Any]) -> None:
        super().__init__()
        self._relay = relay
        self._generation = generation
        self._func = func

    def run(self) -> None:
        try:
            result, error = self._func(), None
        except Exception as exc:  # reported on the GUI thread, logged here with context
            log.exception("background task failed")
            result, error = None, exc
        try:
            self._relay.done.emit(self._generation, result, error)
        except RuntimeError:  # the window went away meanwhile
            pass


class TaskRunner(QObject):
    """One runner per screen: `run(func, on_done)`; `on_done(result, error)` on the
    GUI thread, only for the latest task. `synchronous=True` (tests, screenshots) runs
    in place."""

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self._generation = 0
        self._callbacks: dict[int, Callable[[Any, Exception | None], None]] = {}
        self._relay = _Relay(self)
        self._relay.done.connect(self._finished)
        self.busy = False

    def run(
        self, func: Callable[[], Any], on_done: Callable[[Any, Exception | None], None]
    ) -> None:
        self._generation += 1
        generation = self._generation
        self._callbacks = {generation: on_done}
        self.busy = True
        if self.synchronous:
            try:
                result, error = func(), None
            except Exception as exc:
                log.exception("task failed")
                result, error = None, exc
            self._finished(generation, result, error)
            return
        QThreadPool.globalInstance().start(_Job(self._relay, generation, func))

    def _finished(self, generation: object, result: object, error: object) -> None:
        callback = self._callbacks.pop(generation, None)  # type: ignore[arg-type]
        if callback is None:
            return
        self.busy = False
        callback(result, error)  # type: ignore[arg-type]
