"""The intake: the one path from a POS into the outbox, shared by the folder and the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from desktop_app.gateway.intake import (
    ACTOR_API,
    Incoming,
    Intake,
    json_items,
    request_hash,
    sheet_items,
)
from desktop_app.gateway.ledger import Ledger
from desktop_app.store.db import Database
from desktop_app.store.models import Document
from desktop_app.store.queries import document_events, document_payload, list_documents
from tests.documents.conftest import ar_json, bo_json, profile
from tests.gateway.conftest import sale
from tests.support.factories import ruc


def _items(*envelopes) -> list[Incoming]:
    items, errors = json_items(list(envelopes))
    assert errors == []
    return items


def test_json_requests_come_as_native_documents_envelopes_or_a_documents_list() -> None:
    native = sale()
    assert [i.external_id for i in json_items(native)[0]] == [None]
    assert [i.external_id for i in json_items([native, native])[0]] == [None, None]
    assert [i.external_id for i in json_items(sale("V-1"))[0]] == ["V-1"]
    items, errors = json_items({"documents": [sale("V-1"), native]})
    assert errors == [] and [i.external_id for i in items] == ["V-1", None]
    assert items[1].data == native


def test_unknown_envelope_keys_and_empty_requests_are_errors() -> None:
    _, errors = json_items({"external_id": "V-1", "document": sale(), "extra": 1})
    assert "extra" in errors[0].message and errors[0].document == 0
    assert json_items([])[1] and json_items({"documents": []})[1]
    assert json_items({"documents": {}})[1][0].field == "documents"


def test_a_request_is_all_or_nothing_and_names_every_problem(
        db: Database, demo_profile, intake: Intake) -> None:
    bad = sale("V-2")
    bad["document"]["items"][0]["cantidad"] = 0
    bad["document"]["cliente"]["ruc"] = "80012345-9"
    outcome = intake.submit(demo_profile.id, _items(sale("V-1"), bad, sale("V-3")), source="api")
    assert not outcome.ok and outcome.documents == []
    found = {(e.document, e.external_id, e.field) for e in outcome.errors}
    assert {(1, "V-2", "items[0].cantidad"), (1, "V-2", "cliente.ruc")} <= found
    assert {e.document for e in outcome.errors} == {1}
    assert list_documents(db) == []


def test_queued_documents_carry_their_external_id_and_the_gateway_as_actor(
        db: Database, demo_profile, intake: Intake, ledger: Ledger) -> None:
    outcome = intake.submit(demo_profile.id, _items(sale("V-1"), sale("V-2")), source="api")
    assert outcome.ok and outcome.created == 2 and outcome.status == 201
    [a, b] = outcome.documents
    assert (a.external_id, a.state, a.created) == ("V-1", "QUEUED", True)
    assert a.numero == "001-001-0000001" and len(a.cdc or "") == 44
    rows = {r.id: r for r in list_documents(db)}
    assert rows[b.id].external_ref == "V-2"
    assert document_events(db, a.id)[0].actor == ACTOR_API
    assert set(ledger.intake_rows([a.id, b.id])) == {a.id, b.id}


def test_a_known_external_id_returns_the_first_document_not_a_second_invoice(
        db: Database, demo_profile, intake: Intake) -> None:
    first = intake.submit(demo_profile.id, _items(sale("V-1")), source="api")
    again = intake.submit(demo_profile.id, _items(sale("V-1", price=5_000), sale("V-2")),
                          source="folder")
    assert again.ok and again.status == 201
    assert [(d.id, d.created) for d in again.documents][0] == (first.documents[0].id, False)
    assert again.documents[1].created
    only_old = intake.submit(demo_profile.id, _items(sale("V-1")), source="api")
    assert only_old.status == 200 and only_old.created == 0
    assert len(list_documents(db)) == 2


def test_an_idempotency_key_replays_the_first_response_and_refuses_another_request(
        db: Database, demo_profile, intake: Intake) -> None:
    items = _items(sale())
    digest = request_hash(b"body-1", "application/json")
    first = intake.submit(demo_profile.id, items, source="api", idempotency_key="K-1",
                          request_digest=digest)
    again = intake.submit(demo_profile.id, items, source="api", idempotency_key="K-1",
                          request_digest=digest)
    assert again.replay is not None and again.replay.status == 201
    assert json.loads(again.replay.body) == first.to_json()
    other = intake.submit(demo_profile.id, items, source="api", idempotency_key="K-1",
                          request_digest=request_hash(b"body-2", "application/json"))
    assert other.key_reused and not other.ok
    assert len(list_documents(db)) == 1


def test_documents_without_an_id_get_one_derived_from_the_key_so_a_lost_answer_is_safe(
        db: Database, demo_profile, intake: Intake, ledger: Ledger, monkeypatch) -> None:
    items = _items(sale(), sale())
    digest = request_hash(b"x")

    def crash(*_a, **_k):
        raise OSError("disk gone after the main commit")

    monkeypatch.setattr(ledger, "record_intake", crash)
    with pytest.raises(OSError):
        intake.submit(demo_profile.id, items, source="api", idempotency_key="K-9",
                      request_digest=digest)
    monkeypatch.undo()
    assert len(list_documents(db)) == 2  # committed; the side records were lost
    retry = intake.submit(demo_profile.id, items, source="api", idempotency_key="K-9",
                          request_digest=digest)
    assert retry.ok and retry.created == 0 and len(retry.documents) == 2
    assert all(d.external_id.startswith("k") for d in retry.documents)
    assert len(list_documents(db)) == 2


def test_documents_the_side_database_missed_are_registered_again_at_start_up(
        db: Database, demo_profile, intake: Intake, ledger: Ledger, monkeypatch) -> None:
    monkeypatch.setattr(ledger, "record_intake", lambda *a, **k: (_ for _ in ()).throw(OSError()))
    with pytest.raises(OSError):
        intake.submit(demo_profile.id, _items(sale("V-1"), sale("V-2")), source="folder")
    monkeypatch.undo()
    assert ledger.count("intake") == 0
    assert intake.recover_lost_intake() == 2
    assert {r.external_id for r in ledger.intake_rows(range(1, 10)).values()} == {"V-1", "V-2"}
    assert intake.recover_lost_intake() == 0


def test_external_ids_name_a_file_and_are_unique_within_a_request(
        demo_profile, intake: Intake) -> None:
    bad = intake.submit(demo_profile.id, _items(sale("../etc/passwd"), sale("A"), sale("A")),
                        source="api")
    assert [(e.document, e.field) for e in bad.errors] == [(0, "external_id"), (2, "external_id")]


def test_argentina_keeps_the_external_id_in_the_comprobante_where_tusfacturas_reads_it(
        db: Database, intake: Intake) -> None:
    ar = profile(db, "AR")
    outcome = intake.submit(ar.id, _items({"external_id": "T-7", "document": ar_json()}),
                            source="api")
    assert outcome.ok, outcome.errors
    doc_id = outcome.documents[0].id
    assert document_payload(db, doc_id)["comprobante"]["external_reference"] == "T-7"
    native = ar_json()
    native["comprobante"]["external_reference"] = "T-8"
    assert intake.submit(ar.id, _items(native), source="api").documents[0].external_id == "T-8"
    clash = intake.submit(ar.id, _items({"external_id": "X", "document": native}), source="api")
    assert clash.errors[0].field == "external_id"


def test_bolivia_keeps_the_external_id_as_lotes_reference(db: Database, intake: Intake) -> None:
    bo = profile(db, "BO")
    outcome = intake.submit(bo.id, _items({"external_id": "B-1", "document": bo_json()}),
                            source="api")
    assert outcome.ok, outcome.errors
    assert document_payload(db, outcome.documents[0].id)["_lote"]["ref"] == "B-1"


def test_a_sheet_reports_errors_by_row_and_column_and_uses_documento_as_the_id(
        tmp_path: Path) -> None:
    good = tmp_path / "ventas.csv"
    good.write_text(
        "documento;fecha;cliente_ruc;cliente_razon_social;item_descripcion;item_cantidad;"
        "item_precio_unitario;item_iva\n"
        f"V-1;2025-03-14 10:30;{ruc('80012345')};Ferretería;Martillo;1;110000;10\n"
        "V-1;;;;Clavos;2;15000;10\n"
        "V-2;2025-03-14 10:40;;;Pinza;1;35000;10\n", encoding="utf-8")
    items, errors = sheet_items(good, "PY")
    assert errors == [] and [(i.external_id, i.rows) for i in items] == [("V-1", [2, 3]), ("V-2", [4])]
    bad = tmp_path / "malas.csv"
    bad.write_text(good.read_text(encoding="utf-8").replace(";2;15000", ";0;15000"),
                   encoding="utf-8")
    items, errors = sheet_items(bad, "PY")
    assert items == [] and [(e.row, e.column, e.external_id) for e in errors] == [
        (3, "item_cantidad", "V-1")]


def test_nothing_is_queued_for_an_unknown_profile(intake: Intake) -> None:
    from desktop_app.store.outbox import ProfileNotFound

    with pytest.raises(ProfileNotFound):
        intake.submit(999, _items(sale("V-1")), source="api")


def test_the_oldest_document_answers_for_an_external_id_used_twice_before(
        db: Database, demo_profile, intake: Intake) -> None:
    from desktop_app.domain.paraguay import RULES
    from desktop_app.store.outbox import enqueue_documents
    from tests.support.factories import document

    ids = enqueue_documents(db, demo_profile.id, [document(), document()],
                            external_refs=["DUP", "DUP"]).ids
    outcome = intake.submit(demo_profile.id, _items(sale("DUP")), source="api")
    assert outcome.documents[0].id == min(ids)
    with db.session() as s:
        assert len(s.exec(select(Document)).all()) == 2
    assert RULES.code == "PY"
