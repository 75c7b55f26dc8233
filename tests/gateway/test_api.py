"""The local API over real HTTP on 127.0.0.1, against the real SQLite file."""

from __future__ import annotations

import socket
from collections import Counter

import httpx
import pytest

from desktop_app.gateway.api import GatewayApi
from desktop_app.gateway.host import GatewayHost
from desktop_app.gateway.intake import ACTOR_API, Intake
from desktop_app.gateway.server import ApiServer, RemoteBindRefused, is_loopback, openapi_json
from desktop_app.store.db import Database
from desktop_app.store.queries import document_events, list_documents
from desktop_app.sync.engine import SyncEngine
from tests.documents.conftest import set_state
from tests.gateway.conftest import TOKEN, auth, sale
from tests.gateway.schema import problems

DOC = openapi_json()


def conforms(response: httpx.Response, schema: str) -> None:
    found = problems(response.json(), {"$ref": f"#/components/schemas/{schema}"}, DOC)
    assert found == [], found


def test_a_missing_or_wrong_token_gets_401_and_reveals_nothing(api: httpx.Client) -> None:
    for headers in ({"Authorization": "Bearer nope"}, {"Authorization": ""},
                    {"Authorization": f"Basic {TOKEN}"}):
        for method, path in (("GET", "/v1/health"), ("POST", "/v1/documents"),
                             ("GET", "/v1/nowhere")):
            r = api.request(method, path, headers=headers, json=sale("V-1"))
            assert r.status_code == 401, (method, path)
            assert r.headers["www-authenticate"].startswith("Bearer")
            conforms(r, "Error")
    assert api.get("/v1/openapi.json", headers={"Authorization": ""}).status_code == 200
    assert api.get("/v1/health").status_code == 200


def test_posting_a_sale_returns_its_id_at_once_and_the_document_can_be_read(
        db: Database, api: httpx.Client) -> None:
    r = api.post("/v1/documents", json=sale("V-1"))
    assert r.status_code == 201, r.text
    conforms(r, "IntakeResponse")
    [doc] = r.json()["documents"]
    assert doc["external_id"] == "V-1" and doc["state"] == "QUEUED" and doc["created"]
    assert r.headers["location"] == f"/v1/documents/{doc['id']}"
    got = api.get(doc["url"])
    assert got.status_code == 200
    conforms(got, "Document")
    body = got.json()
    assert body["external_id"] == "V-1" and body["cdc"] == doc["cdc"] and not body["final"]
    assert [e["actor"] for e in body["events"]] == [ACTOR_API]
    assert api.get("/v1/documents/999").status_code == 404


def test_bad_input_gets_422_with_every_field_error_and_saves_nothing(
        db: Database, api: httpx.Client) -> None:
    bad = sale("V-2")
    bad["document"]["items"][0]["cantidad"] = -1
    bad["document"]["cliente"]["ruc"] = "80012345-9"
    r = api.post("/v1/documents", json={"documents": [sale("V-1"), bad]})
    assert r.status_code == 422
    conforms(r, "Error")
    body = r.json()
    assert body["error"] == "validation"
    fields = {(e["document"], e["external_id"], e.get("field")) for e in body["errors"]}
    assert {(1, "V-2", "items[0].cantidad"), (1, "V-2", "cliente.ruc")} <= fields
    assert list_documents(db) == []


def test_a_repeated_post_with_an_idempotency_key_returns_the_first_result(
        db: Database, api: httpx.Client) -> None:
    first = api.post("/v1/documents", json=sale(), headers={"Idempotency-Key": "pos-77"})
    again = api.post("/v1/documents", content=first.request.content,
                     headers={"Idempotency-Key": "pos-77", "Content-Type": "application/json"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    other = api.post("/v1/documents", json=sale(price=1000), headers={"Idempotency-Key": "pos-77"})
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"
    bad_key = api.post("/v1/documents", json=sale(), headers={"Idempotency-Key": "a b"})
    assert bad_key.status_code == 400
    assert len(list_documents(db)) == 1


def test_a_known_external_id_answers_200_with_the_first_document(
        db: Database, api: httpx.Client) -> None:
    first = api.post("/v1/documents", json=sale("V-1")).json()["documents"][0]
    again = api.post("/v1/documents", json=sale("V-1"))
    assert again.status_code == 200
    assert again.json()["documents"][0] == {**first, "created": False}
    assert len(list_documents(db)) == 1


def test_a_csv_body_is_read_like_lote_import(db: Database, api: httpx.Client) -> None:
    csv = ("documento;fecha;cliente_razon_social;item_descripcion;item_cantidad;"
           "item_precio_unitario;item_iva\nC-1;2025-03-14 10:30;;Pan;2;5000;10\n")
    r = api.post("/v1/documents", content=csv.encode(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 201, r.text
    assert r.json()["documents"][0]["external_id"] == "C-1"
    broken = api.post("/v1/documents", content=csv.replace(";2;", ";x;").encode(),
                      headers={"Content-Type": "text/csv; charset=utf-8"})
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["row"] == 2
    assert broken.json()["errors"][0]["column"] == "item_cantidad"


def test_transport_mistakes_get_their_own_status(api: httpx.Client) -> None:
    assert api.post("/v1/documents", content=b"{nope",
                    headers={"Content-Type": "application/json"}).status_code == 400
    assert api.post("/v1/documents", content=b"x",
                    headers={"Content-Type": "text/plain"}).status_code == 415
    wrong = api.delete("/v1/documents")
    assert wrong.status_code == 405 and set(wrong.headers["allow"].split(", ")) == {"GET", "POST"}
    assert api.get("/v1/nowhere").status_code == 404
    assert api.get("/v1/documents?limit=0").status_code == 400
    assert api.get("/v1/documents?state=LOST").status_code == 400
    assert api.get("/v1/documents?since=yesterday").status_code == 400
    assert api.get("/v1/documents?cursor=@@").status_code == 400
    for path in ("/v1/documents", "/v1/health"):
        assert api.get(path, params={"profile": "Nadie"}).status_code == 404
    assert api.post("/v1/documents", params={"profile": "Nadie"}, json=sale("V-1")).status_code == 404
    assert api.get("/v1/health", params={"profile": "Demo"}).status_code == 200


def test_a_body_over_the_limit_gets_413_before_it_is_read(
        db: Database, demo_profile, intake: Intake) -> None:
    server = ApiServer(GatewayApi(db, intake, profile_id=demo_profile.id), token=TOKEN,
                       max_body=1000).start()
    try:
        big = {"documents": [sale(f"V-{i}") for i in range(10)]}
        r = httpx.post(f"{server.url}/v1/documents", json=big, headers=auth())
        assert r.status_code == 413 and r.json()["error"] == "too_large"
    finally:
        server.stop()


def test_listing_filters_by_state_external_id_and_since_and_pages_with_a_cursor(
        db: Database, api: httpx.Client) -> None:
    posted = api.post("/v1/documents", json=[sale(f"V-{i}") for i in range(7)]).json()
    ids = [d["id"] for d in posted["documents"]]
    seen: list[int] = []
    cursor = None
    while True:
        page = api.get("/v1/documents", params={"limit": 3, **({"cursor": cursor} if cursor else {})})
        conforms(page, "DocumentList")
        seen += [d["id"] for d in page.json()["documents"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == ids  # one transaction: same time, ordered by id, none repeated or lost
    set_state(db, ids[0], "APPROVED")
    approved = api.get("/v1/documents", params={"state": "approved,rejected"}).json()
    assert [d["id"] for d in approved["documents"]] == [ids[0]]
    one = api.get("/v1/documents", params={"external_id": "V-3"}).json()["documents"]
    assert [d["id"] for d in one] == [ids[3]]
    assert api.get("/v1/documents", params={"since": "2999-01-01T00:00:00Z"}).json()["documents"] == []
    assert len(api.get("/v1/documents", params={"since": "2020-01-01"}).json()["documents"]) == 7


def test_cancelling_an_approved_document_requests_it_and_answers_202(
        db: Database, api: httpx.Client) -> None:
    doc_id = api.post("/v1/documents", json=sale("V-1")).json()["documents"][0]["id"]
    early = api.post(f"/v1/documents/{doc_id}/cancel")
    assert early.status_code == 409 and early.json()["error"] == "invalid_state"
    set_state(db, doc_id, "APPROVED")
    r = api.post(f"/v1/documents/{doc_id}/cancel", json={"motivo": "cliente desistió"})
    assert r.status_code == 202
    conforms(r, "Document")
    assert r.json()["state"] == "CANCEL_REQUESTED"
    last = document_events(db, doc_id)[-1]
    assert (last.from_state, last.to_state, last.actor) == ("APPROVED", "CANCEL_REQUESTED", ACTOR_API)
    assert "cliente desistió" in (last.message or "")
    assert api.post(f"/v1/documents/{doc_id}/cancel").status_code == 202  # harmless again
    assert len(document_events(db, doc_id)) == 2
    assert api.post("/v1/documents/999/cancel").status_code == 404
    assert api.post(f"/v1/documents/{doc_id}/cancel", json={"why": 1}).status_code == 400


def test_health_tells_offline_and_how_many_documents_wait(
        db: Database, demo_profile, sandbox, api: httpx.Client) -> None:
    api.post("/v1/documents", json=[sale("V-1"), sale("V-2")])
    sandbox.set_down(True)
    engine = SyncEngine(db, base_url_for=lambda p: sandbox.url, request_timeout=2)
    try:
        engine.step()
    finally:
        engine.close()
    r = api.get("/v1/health")
    conforms(r, "Health")
    body = r.json()
    assert body["online"] is False and body["queue_size"] == 2
    assert body["states"] == {"QUEUED": 2} and body["sender"] is False


def test_a_non_loopback_bind_is_refused_unless_explicitly_enabled(
        db: Database, demo_profile, intake: Intake) -> None:
    api = GatewayApi(db, intake, profile_id=demo_profile.id)
    for address in ("0.0.0.0", "192.168.1.10", "::", "example.com"):
        with pytest.raises(RemoteBindRefused):
            ApiServer(api, token=TOKEN, host=address)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    with ApiServer(api, token=TOKEN, host="0.0.0.0", allow_remote=True) as server:
        r = httpx.get(f"http://127.0.0.1:{server.port}/v1/health", headers=auth())
        assert r.status_code == 200
    with pytest.raises(ValueError):
        ApiServer(api, token="short")


def test_a_slow_client_does_not_block_other_clients(host: GatewayHost, api: httpx.Client) -> None:
    port = int(str(api.base_url).rsplit(":", 1)[1].rstrip("/"))
    with socket.create_connection(("127.0.0.1", port)) as slow:
        slow.sendall(f"POST /v1/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n[{".encode())
        # The slow client holds its connection mid-body; everyone else is served.
        statuses = Counter(api.post("/v1/documents", json=sale(f"F-{i}")).status_code
                           for i in range(5))
        assert statuses == Counter({201: 5})
        assert api.get("/v1/health").json()["queue_size"] == 5


def test_the_pdf_route_says_so_when_this_lote_cannot_print(api: httpx.Client) -> None:
    doc_id = api.post("/v1/documents", json=sale("V-1")).json()["documents"][0]["id"]
    r = api.get(f"/v1/documents/{doc_id}/pdf")
    assert r.status_code == 503 and r.json()["error"] == "pdf_unavailable"
    assert api.get("/v1/documents/999/pdf").status_code == 404
