"""``lote api`` and ``lote watch`` as real processes in demo mode (the built-in sandbox):
a sale goes in, its result file (and printed PDF) comes out, SIGTERM ends cleanly."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.gateway.conftest import sale

ROOT = Path(__file__).resolve().parents[2]
#: The same wiring desktop_app/cli.py gets: the common options, add_parsers, the handlers.
DRIVER = """
import argparse, sys
from desktop_app.gateway.cli import add_parsers, cmd_api, cmd_watch
common = argparse.ArgumentParser(add_help=False)
common.add_argument("--data-dir"); common.add_argument("--db")
common.add_argument("-v", "--verbose", action="store_true")
parser = argparse.ArgumentParser(prog="lote")
add_parsers(parser.add_subparsers(dest="command"), common)
args = parser.parse_args(sys.argv[1:])
sys.exit({"api": cmd_api, "watch": cmd_watch}[args.command](args))
"""


class Lote:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", DRIVER, *args], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no {pattern!r} in: {''.join(self.seen)}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def wait_until(check, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_lote_api_takes_a_sale_and_hands_back_its_result_and_pdf(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lote = Lote("api", "--data-dir", str(data), "--port", "0")
    try:
        url = lote.wait_for(r"API de Lote en (http://127\.0\.0\.1:\d+)/v1").group(1)
        lote.wait_for("Ctrl\\+C")
        token = (data / "gateway" / "api-token").read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{url}/v1/health", headers={"Authorization": "Bearer x"}).status_code == 401
        r = httpx.post(f"{url}/v1/documents", json=sale("CLI-1"), headers=headers)
        assert r.status_code == 201, r.text
        doc_id = r.json()["documents"][0]["id"]
        result = data / "gateway" / "pos" / "Demo" / "resultados" / "CLI-1.json"
        body = wait_until(lambda: result.exists() and json.loads(result.read_text("utf-8")))
        assert body["state"] == "APPROVED" and body["id"] == doc_id
        assert Path(body["pdf"]).read_bytes().startswith(b"%PDF")
        pdf = httpx.get(f"{url}/v1/documents/{doc_id}/pdf", headers=headers, timeout=60)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert httpx.get(f"{url}/v1/health", headers=headers).json()["sender"] is True
    finally:
        code = lote.stop()
    assert code == 0, "".join(lote.seen)


@pytest.mark.slow
def test_lote_watch_queues_a_dropped_file_and_writes_its_result(tmp_path: Path) -> None:
    data, folder = tmp_path / "data", tmp_path / "caja"
    lote = Lote("watch", "--data-dir", str(data), "--folder", str(folder), "--no-pdf")
    try:
        lote.wait_for("Vigilando")
        lote.wait_for("Ctrl\\+C")
        (folder / "v.json.tmp").write_text(json.dumps([sale("W-1"), sale("W-2")]), "utf-8")
        os.replace(folder / "v.json.tmp", folder / "v.json")
        results = folder / "resultados"
        wait_until(lambda: {p.name for p in results.glob("*.json")} == {"W-1.json", "W-2.json"})
        assert (folder / "procesados" / "v.json").exists()
        body = json.loads((results / "W-1.json").read_text("utf-8"))
        assert body["state"] == "APPROVED" and body["pdf"] is None
    finally:
        code = lote.stop()
    assert code == 0, "".join(lote.seen)


def test_lote_api_refuses_a_non_loopback_address_unless_allowed(tmp_path: Path) -> None:
    lote = Lote("api", "--data-dir", str(tmp_path / "data"), "--bind", "0.0.0.0", "--port", "0")
    lote.wait_for("--allow-remote")
    assert lote.proc.wait(timeout=60) == 2
