"""The watched folder over real files: the drop protocol, errors, duplicates, crashes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from desktop_app.gateway.folder import FolderBusy, FolderWatcher
from desktop_app.gateway.intake import ACTOR_FOLDER, Intake
from desktop_app.gateway.ledger import Ledger
from desktop_app.store.db import Database
from desktop_app.store.queries import document_events, list_documents
from tests.gateway.conftest import sale


def drop(folder: Path, name: str, payload) -> Path:
    """What a POS does: write under a temporary name, then rename."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{name}.tmp"
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
    tmp.write_bytes(data)
    os.replace(tmp, folder / name)
    return folder / name


@pytest.fixture
def watcher(intake: Intake, demo_profile, tmp_path: Path):
    found = FolderWatcher(intake, demo_profile.id, tmp_path / "caja", settle=False)
    found.start()
    yield found
    found.stop()


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_a_dropped_file_is_queued_and_moved_to_procesados(
        db: Database, watcher: FolderWatcher) -> None:
    drop(watcher.folder, "venta-1.json", [sale("V-1"), sale("V-2")])
    [outcome] = watcher.scan_once()
    assert outcome.status == "accepted" and len(outcome.ids) == 2
    assert names(watcher.folder / "procesados") == ["venta-1.json"]
    assert names(watcher.folder / "procesando") == []
    rows = list_documents(db)
    assert [r.external_ref for r in rows] == ["V-1", "V-2"]
    assert document_events(db, rows[0].id)[0].actor == ACTOR_FOLDER


def test_names_a_pos_uses_while_writing_are_left_alone(
        db: Database, watcher: FolderWatcher) -> None:
    for name in ("venta.json.tmp", "venta.json.part", "~venta.json", ".venta.json"):
        (watcher.folder / name).write_text(json.dumps(sale("V-1")), encoding="utf-8")
    assert watcher.scan_once() == []
    assert list_documents(db) == []
    os.replace(watcher.folder / "venta.json.tmp", watcher.folder / "venta.json")
    assert [o.status for o in watcher.scan_once()] == ["accepted"]


def test_a_file_is_taken_only_once_it_stopped_changing(
        db: Database, intake: Intake, demo_profile, tmp_path: Path) -> None:
    watcher = FolderWatcher(intake, demo_profile.id, tmp_path / "caja", settle=True)
    watcher.start()
    try:
        path = drop(watcher.folder, "venta.json", [sale("V-1")])
        assert watcher.scan_once() == []  # first look: remembered
        path.write_text(json.dumps([sale("V-1"), sale("V-2")]), encoding="utf-8")
        os.utime(path, ns=(1, 1))  # still being written: changed since the last look
        assert watcher.scan_once() == []
        [outcome] = watcher.scan_once()
        assert len(outcome.ids) == 2
    finally:
        watcher.stop()


def test_an_invalid_file_goes_to_errores_with_every_problem_beside_it(
        db: Database, watcher: FolderWatcher) -> None:
    bad = sale("V-2")
    bad["document"]["items"][0]["precioUnitario"] = -5
    worse = sale("V-3")
    del worse["document"]["items"]
    drop(watcher.folder, "lote.json", [sale("V-1"), bad, worse])
    [outcome] = watcher.scan_once()
    assert outcome.status == "refused"
    assert names(watcher.folder / "errores") == ["lote.json", "lote.json.errors.json"]
    report = json.loads((watcher.folder / "errores" / "lote.json.errors.json").read_text("utf-8"))
    assert report["file"] == "lote.json" and len(report["sha256"]) == 64
    fields = {(e["document"], e["external_id"], e["field"]) for e in report["errors"]}
    assert (1, "V-2", "items[0].precioUnitario") in fields and (2, "V-3", "items") in fields
    assert all(e["message"] for e in report["errors"])
    assert list_documents(db) == []


def test_malformed_json_and_unknown_formats_are_refused_with_a_reason(
        watcher: FolderWatcher) -> None:
    drop(watcher.folder, "roto.json", b'[{"external_id": "V-1", ')
    drop(watcher.folder, "ventas.txt", b"V-1;100")
    outcomes = {o.name: o for o in watcher.scan_once()}
    assert outcomes["roto.json"].status == outcomes["ventas.txt"].status == "refused"
    assert "JSON" in outcomes["roto.json"].errors[0].message
    assert ".txt" in outcomes["ventas.txt"].errors[0].message
    assert names(watcher.folder / "errores") == [
        "roto.json", "roto.json.errors.json", "ventas.txt", "ventas.txt.errors.json"]


def test_the_same_content_dropped_twice_is_processed_once(
        db: Database, watcher: FolderWatcher) -> None:
    payload = json.dumps([sale(), sale()]).encode()  # no external ids: derived from the hash
    drop(watcher.folder, "a.json", payload)
    drop(watcher.folder, "b.json", payload)
    outcomes = watcher.scan_once()
    assert [o.status for o in outcomes] == ["accepted", "duplicate"]
    assert names(watcher.folder / "procesados") == ["a.json", "b.json"]
    assert len(list_documents(db)) == 2
    drop(watcher.folder, "a.json", payload)  # and the same name again: kept, not overwritten
    assert [o.status for o in watcher.scan_once()] == ["duplicate"]
    assert len(names(watcher.folder / "procesados")) == 3


def test_a_crash_after_the_documents_were_saved_loses_nothing_and_doubles_nothing(
        db: Database, intake: Intake, ledger: Ledger, demo_profile, tmp_path: Path,
        monkeypatch) -> None:
    """The process dies between the main database's commit and the side database's: the
    file is still in procesando/; at the next start it is processed again."""
    folder = tmp_path / "caja"
    first = FolderWatcher(intake, demo_profile.id, folder, settle=False)
    first.start()

    def die(*_a, **_k):
        raise OSError("power cut")

    monkeypatch.setattr(ledger, "record_intake", die)
    drop(folder, "ventas.json", json.dumps([sale(), sale(), sale("V-9")]).encode())
    assert [o.status for o in first.scan_once()] == ["retry"]
    first.stop()
    monkeypatch.undo()
    assert len(list_documents(db)) == 3
    assert names(folder / "procesando") == ["ventas.json"]

    again = FolderWatcher(intake, demo_profile.id, folder, settle=False)
    [outcome] = again.start()
    again.stop()
    assert outcome.status == "accepted" and outcome.documents and \
        not any(d.created for d in outcome.documents)
    assert len(list_documents(db)) == 3
    assert names(folder / "procesados") == ["ventas.json"]
    assert ledger.count("intake") == 3 and ledger.count("processed_file") == 1


def test_a_file_that_failed_for_a_passing_reason_is_tried_again(
        db: Database, watcher: FolderWatcher, monkeypatch) -> None:
    clock = [1000.0]
    watcher._clock = lambda: clock[0]
    original = watcher.intake.submit
    monkeypatch.setattr(watcher.intake, "submit",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("database is locked")))
    drop(watcher.folder, "v.json", [sale("V-1")])
    assert [o.status for o in watcher.scan_once()] == ["retry"]
    monkeypatch.setattr(watcher.intake, "submit", original)
    assert watcher.scan_once() == []  # not before the retry delay
    clock[0] += 10
    assert [o.status for o in watcher.scan_once()] == ["accepted"]
    assert len(list_documents(db)) == 1


def test_a_second_watcher_of_the_same_folder_is_refused(
        intake: Intake, demo_profile, watcher: FolderWatcher) -> None:
    with pytest.raises(FolderBusy):
        FolderWatcher(intake, demo_profile.id, watcher.folder).start()


def test_csv_and_xlsx_files_are_read_like_lote_import(
        db: Database, watcher: FolderWatcher, tmp_path: Path) -> None:
    from openpyxl import Workbook

    header = ["documento", "fecha", "cliente_razon_social", "item_descripcion",
              "item_cantidad", "item_precio_unitario", "item_iva"]
    csv = ";".join(header) + "\nC-1;2025-03-14 10:30;;Pan;2;5000;10\nC-1;;;Leche;1;7000;5\n"
    drop(watcher.folder, "caja.csv", csv.encode("utf-8"))
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    sheet.append(["X-1", "2025-03-14 11:00", "", "Café", 1, 12000, 10])
    book.save(tmp_path / "x.xlsx")
    drop(watcher.folder, "caja.xlsx", (tmp_path / "x.xlsx").read_bytes())
    outcomes = watcher.scan_once()
    assert [o.status for o in outcomes] == ["accepted", "accepted"], \
        [e for o in outcomes for e in o.errors]
    assert sorted(r.external_ref for r in list_documents(db)) == ["C-1", "X-1"]


def test_a_file_that_keeps_failing_ends_in_errores_with_the_reason(
        db: Database, watcher: FolderWatcher, monkeypatch) -> None:
    from desktop_app.gateway import folder as folder_module

    monkeypatch.setattr(folder_module, "RETRY_AFTER", 0.0)
    monkeypatch.setattr(watcher.intake, "submit",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("bug")))
    drop(watcher.folder, "v.json", [sale("V-1")])
    statuses = [o.status for _ in range(folder_module.MAX_TRIES) for o in watcher.scan_once()]
    assert statuses == ["retry"] * (folder_module.MAX_TRIES - 1) + ["refused"]
    report = json.loads((watcher.folder / "errores" / "v.json.errors.json").read_text("utf-8"))
    assert "bug" in report["errors"][0]["message"]
    assert list_documents(db) == []
