"""Fixtures for the GUI tests: a real SQLite file in tmp_path and, where the sync
cycle is exercised, the real FacturaSend sandbox of demo mode on a free port."""

from __future__ import annotations

import pytest

from desktop_app.gui.main_window import MainWindow
from desktop_app.runtime import open_runtime

#: Seconds the sandbox takes to "process" a lote in these tests (demo mode uses 3 s).
FAST_PROCESSING_DELAY = 0.3


@pytest.fixture
def runtime(tmp_path):
    """Demo mode: database, demo profile (polls after 1 s, then every 2 s), sandbox."""
    rt = open_runtime(tmp_path, force_demo=True)
    rt.sandbox.processing_delay = FAST_PROCESSING_DELAY
    yield rt
    rt.close()


@pytest.fixture
def offline_runtime(tmp_path):
    """Demo profile and database only: no sandbox, no workers needed."""
    rt = open_runtime(tmp_path, force_demo=True, start_sandbox=False)
    yield rt
    rt.close()


@pytest.fixture
def window(qtbot, runtime):
    w = MainWindow(runtime, network_hint=False, tick_ms=100)
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)  # shortcuts go to the active window
    yield w
    w.shutdown()  # before the runtime closes the engines under the workers
