"""The window hears other terminals (PostgreSQL's listener, faked here) and runs the POS
gateway when a folder or the API is configured (docs/gateway.md)."""

from __future__ import annotations

import json
import os
import threading

from desktop_app.gateway.settings import GatewaySettings
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.settings_dialog import SettingsDialog
from desktop_app.runtime import open_runtime
from desktop_app.sandbox.samples import paraguay
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import default_profile
from tests.support.factories import document


class ListeningRuntime:
    """A runtime whose `listen_documents` keeps the callbacks, as a shared database's
    listener thread would call them."""

    def __init__(self, runtime) -> None:
        self._runtime = runtime
        self.callback = None
        self.on_connection = None
        self.listener = self

    def __getattr__(self, name: str):
        return getattr(self._runtime, name)

    def listen_documents(self, callback, *, on_connection=None):
        self.callback, self.on_connection = callback, on_connection
        return self.listener

    stopped = False

    def stop(self) -> None:
        self.stopped = True


def _from_thread(fn, *args) -> None:
    thread = threading.Thread(target=fn, args=args)
    thread.start()
    thread.join()


def test_other_terminals_changes_and_outages_reach_the_window(qtbot, offline_runtime) -> None:
    fake = ListeningRuntime(offline_runtime)
    w = MainWindow(fake, start_workers=False, network_hint=False, tray=False)
    qtbot.addWidget(w)
    try:
        assert fake.callback is not None and fake.on_connection is not None
        before = w.model.rowCount()
        profile = default_profile(offline_runtime.db)
        ids = enqueue_documents(offline_runtime.db, profile.id, [document()]).ids
        _from_thread(fake.callback, ids)  # another terminal saved one
        qtbot.waitUntil(lambda: w.model.rowCount() == before + 1, timeout=10_000)

        _from_thread(fake.on_connection, False)
        lost = "Sin conexión con la base de datos compartida"
        qtbot.waitUntil(lambda: w.statusBar().currentMessage() == lost, timeout=10_000)
        enqueue_documents(offline_runtime.db, profile.id, [document()])  # not heard
        _from_thread(fake.on_connection, True)
        qtbot.waitUntil(lambda: w.model.rowCount() == before + 2, timeout=10_000)
        assert w.statusBar().currentMessage() == ""
    finally:
        w.shutdown()
    assert fake.stopped


def test_the_pos_tab_saves_a_folder_and_the_api_switch(qtbot, offline_runtime, tmp_path) -> None:
    dialog = SettingsDialog(offline_runtime.db, data_dir=tmp_path)
    qtbot.addWidget(dialog)
    tab = dialog.gateway_tab
    name = default_profile(offline_runtime.db).name
    assert tab.token_edit.text() and tab.token_edit.isReadOnly()
    old = tab.token_edit.text()
    tab.renew_token()
    assert tab.token_edit.text() != old
    tab.folder_edits[name].setText(str(tmp_path / "caja"))
    tab.api_check.setChecked(True)
    assert tab.port_spin.value() == 8484
    dialog.apply_and_close()
    saved = GatewaySettings.load(tmp_path)
    assert saved.folders == {name: str(tmp_path / "caja")}
    assert saved.api_enabled is True
    assert saved.api_port == 8484


def test_a_file_dropped_in_the_pos_folder_appears_in_the_table(qtbot, tmp_path) -> None:
    data = tmp_path / "data"
    rt = open_runtime(data, force_demo=True)
    rt.sandbox.processing_delay = 0.3
    try:
        folder = tmp_path / "caja"
        settings = GatewaySettings.load(rt.data_dir)
        settings.folders[default_profile(rt.db).name] = str(folder)
        settings.save()
        w = MainWindow(rt, network_hint=False, tick_ms=100, tray=False)
        qtbot.addWidget(w)
        try:
            assert w._gateway is not None
            qtbot.waitUntil(lambda: (folder / "resultados").is_dir(), timeout=30_000)
            before = w.model.rowCount()
            (folder / "venta.tmp").write_text(json.dumps(paraguay(1)), "utf-8")
            os.replace(folder / "venta.tmp", folder / "venta.json")
            qtbot.waitUntil(lambda: w.model.rowCount() == before + 1, timeout=60_000)
        finally:
            w.shutdown()
        assert w._gateway is None
    finally:
        rt.close()
