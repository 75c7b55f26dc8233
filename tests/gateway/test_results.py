"""Result files: written once a gateway document is final, atomically, never lost."""

from __future__ import annotations

import json
from pathlib import Path

from desktop_app.gateway.intake import Incoming, Intake
from desktop_app.gateway.ledger import Ledger
from desktop_app.gateway.results import GatewayResults
from desktop_app.gateway.server import openapi_json
from desktop_app.store.db import Database
from desktop_app.store.outbox import enqueue_documents
from tests.documents.conftest import set_state
from tests.gateway.conftest import sale
from tests.gateway.schema import problems
from tests.support.factories import document


def _take(intake: Intake, profile_id: int, *ids: str) -> list[int]:
    outcome = intake.submit(profile_id, [Incoming(sale(i)["document"], i) for i in ids],
                            source="api")
    assert outcome.ok, outcome.errors
    return [d.id for d in outcome.documents]


def _results(db: Database, ledger: Ledger, folder: Path, renderer=None) -> GatewayResults:
    return GatewayResults(db, ledger, lambda name: folder / name / "resultados",
                          pdf_renderer=renderer)


def test_a_result_is_written_when_a_gateway_document_becomes_final(
        db: Database, demo_profile, intake: Intake, ledger: Ledger, tmp_path: Path) -> None:
    a, b = _take(intake, demo_profile.id, "V-1", "V-2")
    [other] = enqueue_documents(db, demo_profile.id, [document()]).ids  # from the dialog
    results = _results(db, ledger, tmp_path)
    assert results.on_changed([a, b, other]) == []  # nothing final yet
    set_state(db, a, "APPROVED", code="0260", message="Aprobado")
    set_state(db, b, "REJECTED", code="1309", message="RUC inválido")
    set_state(db, other, "APPROVED")
    written = results.on_changed([a, b, other])
    folder = tmp_path / "Demo" / "resultados"
    assert sorted(p.name for p in written) == ["V-1.json", "V-2.json"]
    assert sorted(p.name for p in folder.iterdir()) == ["V-1.json", "V-2.json"]  # no temp files
    first = json.loads((folder / "V-1.json").read_text("utf-8"))
    assert (first["external_id"], first["state"], first["code"], first["final"]) == \
        ("V-1", "APPROVED", "0260", True)
    assert len(first["cdc"]) == 44 and first["pdf"] is None
    doc = openapi_json()
    assert problems(first, {"$ref": "#/components/schemas/ResultFile"}, doc) == []
    assert results.on_changed([a, b]) == []  # once per state
    assert results.sweep(all_open=True) == []


def test_a_document_final_again_in_another_state_gets_its_file_rewritten(
        db: Database, demo_profile, intake: Intake, ledger: Ledger, tmp_path: Path) -> None:
    [a] = _take(intake, demo_profile.id, "V-1")
    results = _results(db, ledger, tmp_path)
    set_state(db, a, "REJECTED")
    results.on_changed([a])
    set_state(db, a, "APPROVED")  # edited, resent, approved
    assert [p.name for p in results.on_changed([a])] == ["V-1.json"]
    body = json.loads((tmp_path / "Demo" / "resultados" / "V-1.json").read_text("utf-8"))
    assert body["state"] == "APPROVED"


def test_the_sweep_writes_every_result_a_crash_or_another_process_left_unwritten(
        db: Database, demo_profile, intake: Intake, ledger: Ledger, tmp_path: Path) -> None:
    ids = _take(intake, demo_profile.id, "V-1", "V-2", "V-3")
    for doc_id in ids[:2]:
        set_state(db, doc_id, "APPROVED")
    results = _results(db, ledger, tmp_path)
    assert sorted(p.name for p in results.sweep()) == ["V-1.json", "V-2.json"]
    assert results.sweep() == []
    assert ledger.awaiting_results() == [ids[2]]


def test_results_of_documents_no_longer_in_the_database_are_forgotten(
        db: Database, demo_profile, intake: Intake, ledger: Ledger, tmp_path: Path) -> None:
    [a] = _take(intake, demo_profile.id, "V-1")
    ledger.record_intake([(a + 100, demo_profile.id, "GONE", "api")])  # a restored backup
    set_state(db, a, "APPROVED")
    results = _results(db, ledger, tmp_path)
    assert [p.name for p in results.sweep()] == ["V-1.json"]
    assert set(ledger.intake_rows([a, a + 100])) == {a}


def test_a_printing_failure_does_not_hold_the_result_back(
        db: Database, demo_profile, intake: Intake, ledger: Ledger, tmp_path: Path) -> None:
    [a] = _take(intake, demo_profile.id, "V-1")
    set_state(db, a, "APPROVED")

    def broken(doc_id: int) -> Path:
        raise RuntimeError("no fonts")

    _results(db, ledger, tmp_path, broken).on_changed([a])
    body = json.loads((tmp_path / "Demo" / "resultados" / "V-1.json").read_text("utf-8"))
    assert body["pdf"] is None and "no fonts" in body["pdf_error"]


def test_the_renderers_pdf_is_placed_beside_the_result_before_it(
        db: Database, demo_profile, intake: Intake, ledger: Ledger, tmp_path: Path) -> None:
    a, b = _take(intake, demo_profile.id, "V-1", "V-2")
    set_state(db, a, "APPROVED")
    set_state(db, b, "REJECTED")
    printed: list[int] = []

    def fake(doc_id: int) -> Path:
        printed.append(doc_id)
        path = tmp_path / f"{doc_id}.pdf"
        path.write_bytes(b"%PDF-1.4 fake")
        return path

    _results(db, ledger, tmp_path, fake).on_changed([a, b])
    folder = tmp_path / "Demo" / "resultados"
    assert printed == [a]  # a rejected document is not printed for the customer
    body = json.loads((folder / "V-1.json").read_text("utf-8"))
    assert body["pdf"] == str(folder / "V-1.pdf")
    assert (folder / "V-1.pdf").read_bytes() == b"%PDF-1.4 fake"
    assert json.loads((folder / "V-2.json").read_text("utf-8"))["pdf"] is None
