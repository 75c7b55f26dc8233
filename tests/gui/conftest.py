"""Fixtures for the GUI tests: a real SQLite file in tmp_path and, where the sync
cycle is exercised, the real FacturaSend sandbox of demo mode on a free port."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from desktop_app.gui.main_window import MainWindow
from desktop_app.runtime import open_runtime

#: Seconds the sandbox takes to "process" a lote in these tests (demo mode uses 3 s).
FAST_PROCESSING_DELAY = 0.3


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory):
    """The window's QSettings (columns, geometry, language) in a folder of this test, so
    tests never read or write the user's own preferences, nor each other's."""
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


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


@pytest.fixture
def quiet_window(qtbot, offline_runtime):
    """The main window on a demo database, no sync threads, no sandbox."""
    from tests.gui.helpers import open_window

    w = open_window(qtbot, offline_runtime)
    yield w
    w.shutdown()
