"""A POS hands over its sales while the provider is down, then up: over real HTTP and
through a real folder, each sale gets exactly one document, one result file and one
approval at the provider, whatever the POS repeats."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path

import httpx

from desktop_app.gateway.host import GatewayHost
from desktop_app.gateway.settings import GatewaySettings
from desktop_app.store.db import Database
from desktop_app.store.queries import list_documents
from desktop_app.sync.engine import SyncEngine
from tests.gateway.conftest import fast_polls, sale


def _result_files(folder: Path) -> dict[str, dict]:
    if not folder.exists():
        return {}
    return {p.stem: json.loads(p.read_text("utf-8")) for p in folder.glob("*.json")}


def test_a_pos_posts_1000_sales_while_the_provider_is_down_then_up(
        db: Database, demo_profile, sandbox, host: GatewayHost, api: httpx.Client,
        settings: GatewaySettings) -> None:
    fast_polls(db)
    sandbox.set_down(True)
    expected: set[str] = set()
    # 700 in batches of 100, with the POS's ids.
    for start in range(0, 700, 100):
        batch = [sale(f"B-{i:04d}") for i in range(start, start + 100)]
        r = api.post("/v1/documents", json={"documents": batch})
        assert r.status_code == 201 and r.json()["created"] == 100
        expected |= {f"B-{i:04d}" for i in range(start, start + 100)}
    # 200 one by one, with the POS's ids.
    for i in range(200):
        r = api.post("/v1/documents", json=sale(f"S-{i:04d}"))
        assert r.status_code == 201
        expected.add(f"S-{i:04d}")
    # 100 bare native documents, one by one, each with an Idempotency-Key.
    first: dict[int, tuple[bytes, dict]] = {}
    for i in range(100):
        body = json.dumps(sale()).encode()
        r = api.post("/v1/documents", content=body, headers=_keyed(i))
        assert r.status_code == 201
        first[i] = (body, r.json())
        expected.add(r.json()["documents"][0]["external_id"])
    # The POS repeats itself: a whole batch, singles by id, singles by key...
    again = api.post("/v1/documents", json=[sale(f"B-{i:04d}") for i in range(100)])
    assert again.status_code == 200 and again.json()["created"] == 0
    for i in range(0, 200, 10):
        assert api.post("/v1/documents", json=sale(f"S-{i:04d}")).status_code == 200
    for i in range(0, 100, 5):
        body, answer = first[i]
        r = api.post("/v1/documents", content=body, headers=_keyed(i))
        assert r.status_code == 201 and r.json() == answer
        assert r.headers["idempotent-replayed"] == "true"
    # ...and sends garbage once: nothing of it is saved.
    bad = sale("X-1")
    bad["document"]["items"][0]["cantidad"] = 0
    assert api.post("/v1/documents", json=[sale("X-0"), bad]).status_code == 422

    assert len(expected) == 1000
    rows = list_documents(db)
    assert len(rows) == 1000 and {r.state for r in rows} == {"QUEUED"}
    assert {r.external_ref for r in rows} == expected

    engine = SyncEngine(db, base_url_for=lambda p: sandbox.url, request_timeout=5)
    try:
        engine.step()  # offline: nothing leaves, nothing is lost
        assert api.get("/v1/health").json()["online"] is False
        assert {r.state for r in list_documents(db)} == {"QUEUED"}
        sandbox.set_down(False)
        engine.wake()
        assert engine.run_until_idle(
            timeout=120, on_report=lambda report: host.results.on_changed(report.changed))
    finally:
        engine.close()
    results = _result_files(settings.results_dir_for(demo_profile.name))
    assert set(results) == expected
    assert Counter(r["state"] for r in results.values()) == Counter({"APPROVED": 1000})
    assert all(r["external_id"] == name and len(r["cdc"]) == 44 for name, r in results.items())
    assert host.results.sweep(all_open=True) == []  # nothing was left behind
    approvals = sandbox.approvals_by_number()
    assert len(approvals) == 1000 and set(approvals.values()) == {1}
    assert api.get("/v1/health").json()["queue_size"] == 0


def _keyed(i: int) -> dict[str, str]:
    return {"Idempotency-Key": f"ticket-{i}", "Content-Type": "application/json"}


def test_a_pos_drops_200_sales_in_files_while_the_provider_is_down_then_up(
        db: Database, demo_profile, sandbox, settings: GatewaySettings, tmp_path: Path) -> None:
    fast_polls(db)
    sandbox.set_down(True)
    folder = tmp_path / "caja"
    engine = SyncEngine(db, base_url_for=lambda p: sandbox.url, request_timeout=5)
    host = GatewayHost(db, settings, engine=engine, poll_interval=0.0, sweep_interval=0.5)
    try:
        host.watch(demo_profile, folder)
        host.start()
        expected: set[str] = set()
        contents: list[bytes] = []
        for f in range(20):
            ids = [f"F{f:02d}-{n}" for n in range(10)]
            expected |= set(ids)
            if f % 5 == 4:  # every fifth file is a CSV
                data = _csv(ids)
                name = f"ventas-{f:02d}.csv"
            else:
                data = json.dumps([sale(i) for i in ids]).encode()
                name = f"ventas-{f:02d}.json"
            contents.append(data)
            _drop(folder, name, data)
        _drop(folder, "roto.json", b'[{"external_id": "Z-1", "document": {')
        _drop(folder, "ventas-03-otra-vez.json", contents[3])
        _tick_until(host, lambda: not _inbox(folder) and not _inbox(folder / "procesando"))
        assert len(list_documents(db)) == 200
        # The sender keeps trying in its thread: a lote may be on its way to the closed
        # port at this moment, none got through.
        assert {r.state for r in list_documents(db)} <= {"QUEUED", "SENDING"}
        assert sandbox.approvals_by_number() == {}

        sandbox.set_down(False)
        results_dir = folder / "resultados"  # beside the folder the files came from
        _tick_until(host, lambda: len(_result_files(results_dir)) >= 200, back_online=engine)
    finally:
        host.close()
        engine.close()
    results = _result_files(results_dir)
    assert set(results) == expected
    assert Counter(r["state"] for r in results.values()) == Counter({"APPROVED": 200})
    assert len(list_documents(db)) == 200
    assert sorted(_inbox(folder / "errores")) == ["roto.json", "roto.json.errors.json"]
    assert len(_inbox(folder / "procesados")) == 21  # 20 files and the duplicate
    approvals = sandbox.approvals_by_number()
    assert len(approvals) == 200 and set(approvals.values()) == {1}


def _csv(ids: list[str]) -> bytes:
    lines = ["documento;fecha;cliente_razon_social;item_descripcion;item_cantidad;"
             "item_precio_unitario;item_iva"]
    stamp = time.strftime("%Y-%m-%d %H:%M")
    lines += [f"{i};{stamp};;Pan;2;5000;10" for i in ids]
    return ("\n".join(lines) + "\n").encode()


def _drop(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.part").write_bytes(data)
    os.replace(folder / f"{name}.part", folder / name)


def _inbox(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]


def _tick_until(host: GatewayHost, done, limit: float = 120.0,
                back_online: SyncEngine | None = None) -> None:
    """Run the host's loop until `done()` (a generous bound keeps a broken run from
    hanging; nothing here measures time). With `back_online`, say "the network is back"
    now and then, as the window does when connectivity returns: a request that failed
    while the switch flipped must not leave the sender backing off."""
    deadline = time.monotonic() + limit
    next_wake = 0.0
    while not done():
        assert time.monotonic() < deadline, "the gateway did not finish"
        if back_online is not None and time.monotonic() >= next_wake:
            back_online.wake()
            host.notify_changed([])
            next_wake = time.monotonic() + 0.5
        host.tick(wait=0.02)
