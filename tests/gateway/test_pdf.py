"""The printed PDF with the real renderer (Qt): the API asks from its own thread, the
main thread prints, as in ``lote api``."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx

from desktop_app.gateway.host import GatewayHost
from desktop_app.gateway.pdf import qt_pdf_renderer
from desktop_app.gateway.settings import GatewaySettings
from desktop_app.store.db import Database
from tests.documents.conftest import set_state
from tests.gateway.conftest import TOKEN, auth, sale


def test_the_api_serves_a_pdf_printed_on_the_main_thread_and_results_carry_one(
        db: Database, demo_profile, settings: GatewaySettings, tmp_path: Path) -> None:
    host = GatewayHost(db, settings, pdf_renderer=qt_pdf_renderer(db, tmp_path / "pdf"),
                       poll_interval=0.0, sweep_interval=0.0)
    try:
        server = host.serve_api(demo_profile, token=TOKEN)
        posted = httpx.post(f"{server.url}/v1/documents", json=sale("V-1"), headers=auth())
        doc_id = posted.json()["documents"][0]["id"]
        answers: list[httpx.Response] = []
        client = threading.Thread(target=lambda: answers.append(httpx.get(
            f"{server.url}/v1/documents/{doc_id}/pdf", headers=auth(), timeout=60)))
        client.start()
        while client.is_alive():
            host.tick(wait=0.05)  # the main thread runs the printing the API asked for
        [r] = answers
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert r.content.startswith(b"%PDF")

        set_state(db, doc_id, "APPROVED", code="0260", message="Aprobado")
        host.notify_changed([doc_id])
        host.tick()
        folder = settings.results_dir_for(demo_profile.name)
        body = json.loads((folder / "V-1.json").read_text("utf-8"))
        assert body["pdf"] == str(folder / "V-1.pdf")
        assert (folder / "V-1.pdf").read_bytes().startswith(b"%PDF")
    finally:
        host.close()
