"""Running a call on the main thread on behalf of another one.

Qt objects must be created on the thread that owns the application object, and
`documents.printing.render_pdf` creates a QGuiApplication when there is none, fonts and
a QPdfWriter. The API answers in its own threads, so a PDF request is handed to the main
thread of ``lote api``/``lote watch`` (which calls `pump` in its loop) and the HTTP
thread waits for the answer. The window does the same from a QTimer on the GUI thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class MainThreadBusy(TimeoutError):
    """The main thread did not run the call in time."""


class MainThreadCalls:
    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = \
            queue.Queue()
        self.owner = threading.get_ident()

    def call(self, fn: Callable[..., T], *args: Any, timeout: float = 60.0) -> T:
        """fn(*args) on the owner thread (directly when already on it); its exception is
        raised here. `MainThreadBusy` after `timeout` seconds (the call is dropped)."""
        if threading.get_ident() == self.owner:
            return fn(*args)
        future: Future[T] = Future()
        self._jobs.put((future, fn, args))
        try:
            return future.result(timeout)
        except TimeoutError as exc:
            future.cancel()
            raise MainThreadBusy("el hilo principal no respondió a tiempo") from exc

    def proxy(self, fn: Callable[..., T], *, timeout: float = 60.0) -> Callable[..., T]:
        """`fn` made callable from any thread, run on the owner thread."""
        def run(*args: Any) -> T:
            return self.call(fn, *args, timeout=timeout)
        return run

    def pump(self, wait: float = 0.0) -> int:
        """Run the waiting calls (on the owner thread); wait up to `wait` seconds for the
        first one. Returns how many ran."""
        ran = 0
        try:
            job = self._jobs.get(timeout=wait) if wait > 0 else self._jobs.get_nowait()
        except queue.Empty:
            return 0
        while True:
            future, fn, args = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # handed to the waiting thread
                    future.set_exception(exc)
                ran += 1
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return ran
