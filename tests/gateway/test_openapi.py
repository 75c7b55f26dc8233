"""The OpenAPI document matches the implementation: every route the server dispatches is
in it, every request example is posted to a real server and answers the status it says,
and every answer and every response example fits its schema."""

from __future__ import annotations

import json
import re

import httpx

from desktop_app.gateway.api import ROUTES
from desktop_app.gateway.openapi import EXPECTED_STATUS, build_document
from tests.gateway.schema import problems

DOC = build_document(ROUTES)


def _schema_for(operation: dict, status: int) -> dict | None:
    response = operation["responses"].get(str(status))
    assert response is not None, f"{operation['operationId']}: {status} is not documented"
    content = response.get("content", {}).get("application/json")
    return content["schema"] if content else None


def test_the_document_is_openapi_3_1_and_lists_exactly_the_routes_served() -> None:
    assert DOC["openapi"].startswith("3.1")
    documented = {(method.upper(), path) for path, ops in DOC["paths"].items() for method in ops}
    assert documented == {(r.method, r.path) for r in ROUTES}
    ids = [op["operationId"] for ops in DOC["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_the_server_publishes_the_same_document_without_a_token(api: httpx.Client) -> None:
    r = api.get("/v1/openapi.json", headers={"Authorization": ""})
    assert r.status_code == 200 and r.json() == json.loads(json.dumps(DOC))


def test_every_route_answers_only_statuses_it_documents(api: httpx.Client) -> None:
    posted = api.post("/v1/documents", json={"external_id": "R-1", "document": _example_doc()})
    doc_id = posted.json()["documents"][0]["id"]
    for path, ops in DOC["paths"].items():
        for method, op in ops.items():
            for concrete in (re.sub(r"\{id\}", str(doc_id), path), re.sub(r"\{id\}", "999", path)):
                r = api.request(method.upper(), concrete)
                assert str(r.status_code) in op["responses"], (method, concrete, r.status_code)
                schema = _schema_for(op, r.status_code)
                if schema is not None:
                    assert problems(r.json(), schema, DOC) == [], (method, concrete)


def test_every_request_example_answers_its_expected_status_and_fits_the_schema(
        api: httpx.Client) -> None:
    tried = 0
    for path, ops in DOC["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody")
            if body is None:
                continue
            for media, content in body["content"].items():
                for name, example in content.get("examples", {}).items():
                    value = example["value"]
                    data = value.encode() if isinstance(value, str) else json.dumps(value).encode()
                    r = api.request(method.upper(), path, content=data,
                                    headers={"Content-Type": media})
                    assert r.status_code == example[EXPECTED_STATUS], (name, r.text)
                    schema = _schema_for(op, r.status_code)
                    assert schema is not None
                    assert problems(r.json(), schema, DOC) == [], name
                    if media == "application/json" and "schema" in content:
                        assert problems(value, content["schema"], DOC) == [], name
                    tried += 1
    assert tried >= 5


def test_every_response_example_fits_its_schema() -> None:
    checked = 0
    for ops in DOC["paths"].values():
        for op in ops.values():
            for status, response in op["responses"].items():
                for content in response.get("content", {}).values():
                    for name, example in content.get("examples", {}).items():
                        assert problems(example["value"], content["schema"], DOC) == [], \
                            (op["operationId"], status, name)
                        checked += 1
    assert checked >= 8


def test_the_schema_checker_catches_what_it_should() -> None:
    accepted = {"$ref": "#/components/schemas/AcceptedDocument"}
    good = {"index": 0, "id": 1, "external_id": "V", "created": True, "state": "QUEUED",
            "numero": "001-001-0000001", "cdc": None, "url": "/v1/documents/1"}
    assert problems(good, accepted, DOC) == []
    assert problems({**good, "id": "1"}, accepted, DOC)
    assert problems({**good, "state": "LOST"}, accepted, DOC)
    assert problems({**good, "extra": 1}, accepted, DOC)
    assert problems({k: v for k, v in good.items() if k != "cdc"}, accepted, DOC)


def _example_doc() -> dict:
    return DOC["paths"]["/v1/documents"]["post"]["requestBody"]["content"]["application/json"][
        "examples"]["native"]["value"]
