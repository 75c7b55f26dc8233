"""The process `cold_start.py` times: `lote` (`desktop_app.cli.main`) run as usual, with
marks taken along the way and the first paint of the documents table reported.

    python benchmarks/_cold_start_child.py DATA_DIR

Nothing in the app is changed: a QApplication is created first (run_gui reuses
`QApplication.instance()`), an application-wide event filter notices the first Paint
event of the documents table's viewport, and `open_runtime` and `MainWindow.__init__`
are wrapped to note when they start and end. After the paint the child prints
``PAINTED {json of marks, time.time() values}`` (plus ``loaded``: which of the libraries
the start-up path should not need were imported by then) and quits the event loop
(`run_gui` then closes the window and the runtime as on any exit).
"""

from __future__ import annotations

import time

MARKS: dict[str, float] = {"python_started": time.time()}
#: Loaded only when needed (a migration, a stored key, the first request): none of them
#: should be in sys.modules at the first paint of a database already at head.
LAZY = ("alembic", "mako", "pygments", "keyring", "httpx")

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

MARKS["qt_imported"] = time.time()
app = QApplication(sys.argv[:1])
MARKS["qapplication"] = time.time()

from benchmarks.qt_helpers import NoneGuard  # noqa: E402

GUARD = NoneGuard()  # PySide6 6.12 on Python 3.11, see qt_helpers.py


class FirstPaint(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def eventFilter(self, obj, event):  # noqa: N802
        if (not self.seen and event.type() == QEvent.Type.Paint
                and obj.parent() is not None and obj.parent().objectName() == "documents_table"):
            self.seen = True
            MARKS["paint_event"] = time.time()
            QTimer.singleShot(0, self.done)
        return False

    def done(self) -> None:
        MARKS["painted"] = time.time()
        loaded = [name for name in LAZY if name in sys.modules]
        print("PAINTED " + json.dumps({**MARKS, "loaded": loaded}), flush=True)
        QTimer.singleShot(0, app.quit)


first_paint = FirstPaint()
app.installEventFilter(first_paint)

import desktop_app.cli as cli  # noqa: E402

MARKS["cli_imported"] = time.time()
import desktop_app.gui.main_window as main_window  # noqa: E402
import desktop_app.runtime as runtime  # noqa: E402

MARKS["gui_imported"] = time.time()

_open_runtime = runtime.open_runtime


def open_runtime(*args, **kwargs):
    MARKS["open_runtime_start"] = time.time()
    try:
        return _open_runtime(*args, **kwargs)
    finally:
        MARKS["open_runtime_end"] = time.time()


runtime.open_runtime = open_runtime
_init = main_window.MainWindow.__init__


def init(self, *args, **kwargs):
    MARKS["window_start"] = time.time()
    _init(self, *args, **kwargs)
    MARKS["window_end"] = time.time()


main_window.MainWindow.__init__ = init
code = cli.main(["--data-dir", sys.argv[1]])
MARKS["closed"] = time.time()
GUARD.check()
print("CLOSED " + json.dumps({"code": code, "closed": MARKS["closed"]}), flush=True)
os._exit(0)  # skip interpreter teardown (see qt_helpers: None's count)
