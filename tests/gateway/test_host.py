"""The host as the window would run it: created on the GUI thread, its loop in a worker
thread, printing pumped back onto the GUI thread, the window's own sender reporting
changes."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import httpx

from desktop_app.gateway.host import GatewayHost
from desktop_app.gateway.settings import GatewaySettings
from desktop_app.store.db import Database
from tests.documents.conftest import set_state
from tests.gateway.conftest import TOKEN, auth, sale


def test_the_window_arrangement_prints_on_its_own_thread_and_hears_of_every_intake(
        db: Database, demo_profile, settings: GatewaySettings, tmp_path: Path) -> None:
    gui_thread = threading.get_ident()
    printed_on: list[int] = []
    taken: list[list[int]] = []

    def renderer(doc_id: int) -> Path:
        printed_on.append(threading.get_ident())
        path = tmp_path / f"{doc_id}.pdf"
        path.write_bytes(b"%PDF-1.7 test")
        return path

    settings.folders[demo_profile.name] = str(tmp_path / "caja")
    host = GatewayHost(db, settings, pdf_renderer=renderer, on_intake=taken.append,
                       is_sender=lambda: True, poll_interval=0.05, sweep_interval=0.2,
                       settle=False)
    stop = threading.Event()
    started = threading.Event()
    urls: list[str] = []

    def worker() -> None:
        host.watch(demo_profile)
        urls.append(host.serve_api(demo_profile, token=TOKEN).url)
        host.start()
        started.set()
        host.run(stop)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert started.wait(30)
        url = urls[0]
        folder = tmp_path / "caja"
        (folder / "a.json.tmp").write_text(json.dumps([sale("F-1")]), "utf-8")
        os.replace(folder / "a.json.tmp", folder / "a.json")
        posted = httpx.post(f"{url}/v1/documents", json=sale("A-1"), headers=auth()).json()
        assert httpx.get(f"{url}/v1/health", headers=auth()).json()["sender"] is True
        deadline = time.monotonic() + 30
        while len(taken) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        ids = sorted(i for batch in taken for i in batch)
        assert posted["documents"][0]["id"] in ids
        for doc_id in ids:
            set_state(db, doc_id, "APPROVED")
        host.notify_changed(ids)  # what the window's sync worker reports
        results = [folder / "resultados" / "F-1.json",
                   settings.results_dir_for(demo_profile.name) / "A-1.json"]
        while not all(p.exists() for p in results):
            assert time.monotonic() < deadline
            host.calls.pump(wait=0.02)  # the GUI thread's QTimer
    finally:
        stop.set()
        while thread.is_alive():
            host.calls.pump(wait=0.02)
        host.close()
    assert printed_on == [gui_thread, gui_thread]
    assert json.loads(results[0].read_text("utf-8"))["pdf"] == str(folder / "resultados" / "F-1.pdf")
