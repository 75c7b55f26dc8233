"""Qt helpers for the GUI benchmarks: the application, waiting for a paint, and the
None-reference guard that PySide6 6.12.0 on Python 3.11 needs.

PySide6 6.12.0 on Python 3.11: every call of a C++ method that returns nothing
(`QWidget.update`, `QLabel.setText`, `QCoreApplication.processEvents`, ...) lowers
None's reference count by one; a process starts with about 5,000, and when it reaches 0
the interpreter aborts ("Fatal Python error: none_dealloc"). `desktop_app/documents/
_none_guard.py` documents it and tops the count up around printing and imports. The
benchmarks that drive Qt from Python in loops (processEvents, paint waits, QPainter)
keep the process alive with the same kind of guard on a timer. The same release of
PySide6 also returns True from `Signal.emit` without a reference: each emit from Python
lowers True's count (about 600 at start-up) and the process aborts with
"bool_dealloc" — the guard keeps True and False topped up too.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_FLOOR = 100_000  # 0.8 MB of list per guarded object at most
_HELD: list[object] = []
#: None: void C++ methods; True: `Signal.emit` returns True without a reference, so
#: every emit from Python loses one (True starts with ~600: "bool_dealloc" after
#: ~600 emits); False for symmetry (measured: a few per hidden widget).
_GUARDED = (None, True, False)


class NoneGuard:
    """Tops the reference counts of None, True and False up to a floor (`check`, also
    on a QTimer)."""

    def __init__(self) -> None:
        self.active = sys.version_info < (3, 12)
        if self.active and not _HELD:
            import ctypes

            ctypes.pythonapi.Py_IncRef(ctypes.py_object(_HELD))  # never freed, see module doc
        self.check()

    def check(self) -> None:
        if not self.active:
            return
        for obj in _GUARDED:
            missing = _FLOOR - sys.getrefcount(obj)
            if missing > 0:
                _HELD.extend([obj] * missing)

    def start_timer(self, parent=None, interval_ms: int = 100):
        from PySide6.QtCore import QTimer

        timer = QTimer(parent)
        timer.setInterval(interval_ms)
        timer.timeout.connect(self.check)
        timer.start()
        return timer


def application():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv)


def run_until(predicate: Callable[[], bool], timeout: float = 30.0, step_ms: int = 5) -> bool:
    """Run the event loop (one exec, not a processEvents loop) until `predicate()`."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.perf_counter() + timeout
    result = [False]

    def check() -> None:
        if predicate():
            result[0] = True
            loop.quit()
        elif time.perf_counter() > deadline:
            loop.quit()

    timer = QTimer()
    timer.setInterval(step_ms)
    timer.timeout.connect(check)
    timer.start()
    check()
    if not result[0]:
        loop.exec()
    timer.stop()
    return result[0]


class PaintWatch:
    """Notes when `widget` has been painted: the paint event is seen by an event filter,
    and the time is taken once the event loop is back (the frame is on the backing store)."""

    def __init__(self, widget) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer

        watch = self

        class _Filter(QObject):
            def eventFilter(self, obj, event):  # noqa: N802
                if event.type() == QEvent.Type.Paint and watch.armed:
                    watch.armed = False
                    QTimer.singleShot(0, watch._painted)
                return False

        self.widget = widget
        self.armed = False
        self.at: float | None = None
        self._filter = _Filter()
        widget.installEventFilter(self._filter)

    def _painted(self) -> None:
        self.at = time.perf_counter()

    def arm(self) -> None:
        self.at = None
        self.armed = True

    def wait(self, timeout: float = 30.0) -> float | None:
        """perf_counter() of the paint, or None on timeout."""
        run_until(lambda: self.at is not None, timeout)
        return self.at

    def timed(self, action: Callable[[], object], timeout: float = 30.0) -> tuple[float, float]:
        """(seconds until `action` returned, seconds until the next paint after it)."""
        self.arm()
        t0 = time.perf_counter()
        action()
        t1 = time.perf_counter()
        at = self.wait(timeout)
        return t1 - t0, (at - t0) if at is not None else float("nan")
