"""The CUCU sandbox over raw HTTP: the batch page's contract, the simulated SIAT's codes,
the other endpoints, the switches (429, 503, slow SIAT) and the issuance counters."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from desktop_app.domain.bolivia import cuf_parts
from desktop_app.providers.base import Outcome, OutgoingDocument
from desktop_app.providers.registry import make_provider_client, make_sandbox
from desktop_app.sandbox.cucu import (
    DEFAULT_API_KEY,
    DEFAULT_EMISOR_NIT,
    DEMO_UNKNOWN_NIT,
    CucuSandbox,
    demo_invoice,
    sample_invoices,
)
from tests.providers.factories import FakeClock

KEY = DEFAULT_API_KEY

#: The batch page's request body, verbatim.
SEED_BODY: dict[str, Any] = {"invoices": [
    {"pointOfSaleId": "POS_UUID", "clientDocumentType": 5, "clientDocumentNumber": "123456789",
     "clientBusinessName": "CLIENTE A S.R.L.", "paymentMethodCode": 1,
     "details": [{"activityCode": "620100", "sinProductCode": 83141, "description": "Servicio A",
                  "quantity": 1, "unitMeasure": 58, "unitPrice": 200.00, "discount": 0}]},
    {"pointOfSaleId": "POS_UUID", "clientDocumentType": 5, "clientDocumentNumber": "987654321",
     "clientBusinessName": "CLIENTE B S.R.L.", "paymentMethodCode": 1,
     "details": [{"activityCode": "620100", "sinProductCode": 83141, "description": "Servicio B",
                  "quantity": 2, "unitMeasure": 58, "unitPrice": 150.00, "discount": 0}]},
]}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cucu(clock: FakeClock) -> Iterator[CucuSandbox]:
    with CucuSandbox(clock=clock, processing_delay=2.0) as sb:
        yield sb


@pytest.fixture
def http(cucu: CucuSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cucu.url, headers={"X-API-Key": KEY}, timeout=5.0) as c:
        yield c


def batch(http: httpx.Client, *invoices: dict[str, Any]) -> dict[str, Any]:
    response = http.post("/api/v1/invoices/batch", json={"invoices": list(invoices)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def only_error(http: httpx.Client, invoice: dict[str, Any]) -> Any:
    [result] = batch(http, invoice)["results"]
    assert result["success"] is False and result["index"] == 0
    return result["error"]


def test_the_batch_pages_example_is_answered_as_the_page_shows(http: httpx.Client) -> None:
    data = batch(http, *SEED_BODY["invoices"])
    assert (data["total"], data["successful"], data["failed"]) == (2, 2, 0)
    assert [r["index"] for r in data["results"]] == [0, 1]
    assert [r["invoiceNumber"] for r in data["results"]] == [1, 2]
    for result in data["results"]:
        assert result["success"] is True
        assert set(result) == {"index", "success", "invoiceId", "invoiceNumber", "cuf"}


def test_each_cuf_is_siat_shaped_and_carries_the_invoice(http: httpx.Client) -> None:
    data = batch(http, demo_invoice(), demo_invoice())
    for result in data["results"]:
        parts = cuf_parts(result["cuf"])
        assert parts is not None
        assert parts.nit == DEFAULT_EMISOR_NIT and parts.numero == result["invoiceNumber"]
        assert (parts.modalidad, parts.tipo_emision, parts.documento_sector) == (1, 1, 1)


def test_partial_success_issues_the_good_ones_without_rollback(
        http: httpx.Client, cucu: CucuSandbox) -> None:
    data = batch(http, demo_invoice(externalReference="a"),
                 demo_invoice(nit="ABC", externalReference="b"),
                 demo_invoice(externalReference="c"))
    assert (data["total"], data["successful"], data["failed"]) == (3, 2, 1)
    assert data["results"][1] == {"index": 1, "success": False, "error": "NIT invalido: ABC"}
    assert cucu.issued_by_ref() == {"a": 1, "c": 1}
    assert cucu.received_by_ref() == {"a": 1, "b": 1, "c": 1}


@pytest.mark.parametrize(("invoice", "siat_code", "field"), [
    (demo_invoice(nit=DEMO_UNKNOWN_NIT), 1037, "clientDocumentNumber"),
    (demo_invoice(nit="0123456789"), 1037, "clientDocumentNumber"),
    (demo_invoice(nit="0", price=3000.01), 1010, "clientDocumentNumber"),
    (demo_invoice(clientComplement="1A"), 1011, "clientComplement"),
    (demo_invoice(activity="461021"), 1016, "details[0].activityCode"),
    (demo_invoice(product=62271), 1017, "details[0].sinProductCode"),
    (demo_invoice(quantity=0), 939, "details[0].quantity"),
    (demo_invoice(price=-1), 939, "details[0].unitPrice"),
    (demo_invoice(quantity=2, price=10, discount=20.01), 1018, "details[0].discount"),
    (demo_invoice(price=0), 1013, "details"),
], ids=["unknown-nit", "nit-leading-zero", "zero-over-3000", "complement", "activity",
        "product", "quantity", "price", "discount", "total"])
def test_siat_rejections_carry_siat_codes_and_are_stored_as_rejected(
        http: httpx.Client, cucu: CucuSandbox, invoice: dict[str, Any], siat_code: int,
        field: str) -> None:
    error = only_error(http, invoice)
    assert error["code"] == "SIAT_REJECTED" and error["siatCode"] == siat_code
    assert error["field"] == field and error["details"]
    [stored] = cucu.invoices()
    assert stored.state == "REJECTED" and stored.cuf is None
    assert cucu.approvals_by_number() == {}


@pytest.mark.parametrize(("invoice", "message"), [
    ({"pointOfSaleId": "x"}, "clientDocumentType es requerido y debe ser numerico"),
    (demo_invoice(details=[]), "details es requerido y debe tener al menos un item"),
    (demo_invoice(nit="12A"), "NIT invalido: 12A"),
    ("no soy un objeto", "Cada factura debe ser un objeto JSON"),
])
def test_request_problems_are_plain_strings_and_store_nothing(
        http: httpx.Client, cucu: CucuSandbox, invoice: Any, message: str) -> None:
    assert only_error(http, invoice) == message
    assert cucu.invoices() == []


def test_a_batch_of_more_than_20_is_refused_whole(http: httpx.Client, cucu: CucuSandbox) -> None:
    response = http.post("/api/v1/invoices/batch", json={"invoices": [demo_invoice()] * 21})
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == "BATCH_LIMIT_EXCEEDED"
    assert cucu.invoices() == []


@pytest.mark.parametrize("body", [{"invoices": []}, {"facturas": [1]}, [demo_invoice()]])
def test_a_malformed_batch_is_refused_whole(http: httpx.Client, body: Any) -> None:
    response = http.post("/api/v1/invoices/batch", json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_a_wrong_key_is_401_in_cucus_envelope(cucu: CucuSandbox) -> None:
    response = httpx.post(cucu.url + "/api/v1/invoices/batch", json=SEED_BODY,
                          headers={"X-API-Key": "sk_test_wrong"})
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False and body["data"] is None
    assert body["error"]["code"] == "UNAUTHORIZED"
    assert httpx.get(cucu.url + "/api/v1/ping").status_code == 401
    assert cucu.invoices() == []


def test_invoice_status_cuf_and_get(http: httpx.Client) -> None:
    [result] = batch(http, demo_invoice(externalReference="r1"))["results"]
    status = http.get(f"/api/v1/invoices/{result['invoiceId']}/status").json()["data"]
    assert status["state"] == "VALIDATED" and status["siatCode"] == 908
    assert status["siatDescription"] == "RECEPCION VALIDADA"
    assert status["invoiceNumber"] == result["invoiceNumber"] and status["cuf"] == result["cuf"]
    invoice = http.get(f"/api/v1/invoices/{result['invoiceId']}").json()["data"]
    assert invoice["amountTotal"] == 200.0 and invoice["externalReference"] == "r1"
    by_cuf = http.get(f"/api/v1/invoices/cuf/{result['cuf']}").json()["data"]
    assert by_cuf["id"] == result["invoiceId"]
    missing = http.get("/api/v1/invoices/no-such-id/status")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"


def test_search_by_client_document_number_and_reference_with_pages(http: httpx.Client) -> None:
    for n in range(5):
        batch(http, demo_invoice(nit="1023456789", externalReference=f"r{n}"))
    batch(http, demo_invoice(nit="987654321"))
    page = http.get("/api/v1/invoices/search",
                    params={"clientDocument": "1023456789", "size": 2}).json()["data"]
    assert (page["totalElements"], page["totalPages"], page["first"], page["last"]) == (5, 3, True,
                                                                                          False)
    assert [e["invoiceNumber"] for e in page["content"]] == [5, 4]  # newest first
    last = http.get("/api/v1/invoices/search",
                    params={"clientDocument": "1023456789", "size": 2, "page": 2}).json()["data"]
    assert last["last"] is True and [e["invoiceNumber"] for e in last["content"]] == [1]
    by_ref = http.get("/api/v1/invoices/search", params={"externalReference": "r3"}).json()
    assert [e["externalReference"] for e in by_ref["data"]["content"]] == ["r3"]
    by_number = http.get("/api/v1/invoices/search", params={"invoiceNumber": "6"}).json()
    assert [e["clientDocumentNumber"] for e in by_number["data"]["content"]] == ["987654321"]
    listed = http.get("/api/v1/invoices", params={"size": 50}).json()["data"]
    assert listed["totalElements"] == 6


def test_without_echo_the_reference_is_neither_shown_nor_searchable(
        http: httpx.Client, cucu: CucuSandbox) -> None:
    cucu.echo_external_reference = False
    batch(http, demo_invoice(externalReference="r1"), demo_invoice(externalReference="r2"))
    content = http.get("/api/v1/invoices/search",
                       params={"externalReference": "r1"}).json()["data"]["content"]
    assert len(content) == 2 and all("externalReference" not in e for e in content)
    assert cucu.issued_by_ref() == {"r1": 1, "r2": 1}  # the counters still know


def test_cancel_a_validated_invoice_once(http: httpx.Client) -> None:
    [result] = batch(http, demo_invoice())["results"]
    url = f"/api/v1/invoices/{result['invoiceId']}/cancel"
    cancelled = http.post(url, params={"motivo": 1}).json()
    assert cancelled["success"] is True and cancelled["data"]["state"] == "CANCELLED"
    status = http.get(f"/api/v1/invoices/{result['invoiceId']}/status").json()["data"]
    assert (status["state"], status["siatCode"]) == ("CANCELLED", 905)
    again = http.post(url)
    assert again.status_code == 409 and again.json()["error"]["code"] == "INVALID_STATE"


def test_nit_verification_uses_the_sandbox_registry(http: httpx.Client) -> None:
    pos = "660e8400-e29b-41d4-a716-446655440004"
    good = http.post("/api/v1/codes/nit", json={"posId": pos, "nit": 1023456789}).json()["data"]
    assert good == {"valido": True, "nit": 1023456789, "mensaje": "NIT valido"}
    bad = http.post("/api/v1/codes/nit", json={"posId": pos, "nit": int(DEMO_UNKNOWN_NIT)})
    assert bad.json()["data"]["valido"] is False
    assert http.post("/api/v1/codes/nit", json={"nit": 1}).status_code == 400


def test_ping(http: httpx.Client) -> None:
    body = http.get("/api/v1/ping").json()
    assert body["success"] is True and body["data"] == {"status": "UP"}


def test_rate_limited_answers_429_with_retry_after_and_processes_nothing(
        http: httpx.Client, cucu: CucuSandbox) -> None:
    cucu.rate_limited, cucu.retry_after = True, 7
    response = http.post("/api/v1/invoices/batch", json=SEED_BODY)
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert response.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert http.get("/api/v1/ping").status_code == 429
    assert cucu.invoices() == [] and cucu.rate_limited_requests == 2


def test_siat_unavailable_answers_503_to_emission_only(
        http: httpx.Client, cucu: CucuSandbox) -> None:
    cucu.siat_available = False
    response = http.post("/api/v1/invoices/batch", json=SEED_BODY)
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    error = response.json()["error"]
    assert (error["code"], error["siatCode"]) == ("SIAT_UNAVAILABLE", 995)
    assert http.get("/api/v1/ping").status_code == 200
    assert http.get("/api/v1/invoices/search", params={"clientDocument": "1"}).status_code == 200
    assert cucu.invoices() == []


def test_a_slow_siat_leaves_invoices_pending_then_validates_them(
        http: httpx.Client, cucu: CucuSandbox, clock: FakeClock) -> None:
    cucu.siat_slow = True
    [result] = batch(http, demo_invoice(externalReference="slow"))["results"]
    assert result["success"] is False and "invoiceId" not in result
    assert result["error"]["code"] == "SIAT_TIMEOUT"
    [found] = http.get("/api/v1/invoices/search",
                       params={"externalReference": "slow"}).json()["data"]["content"]
    assert found["state"] == "PENDING" and found["cuf"]
    assert cucu.issued_by_ref() == {"slow": 1}
    clock.advance(2.0)
    status = http.get(f"/api/v1/invoices/{found['id']}/status").json()["data"]
    assert (status["state"], status["siatCode"]) == ("VALIDATED", 908)


def test_siat_interrupted_mid_batch_fails_the_rest_without_storing_them(
        http: httpx.Client, cucu: CucuSandbox) -> None:
    cucu.interrupt_siat_after(1)
    data = batch(http, *(demo_invoice(externalReference=f"r{n}") for n in range(3)))
    assert [r["success"] for r in data["results"]] == [True, False, False]
    assert data["results"][2]["error"] == {"code": "SIAT_UNAVAILABLE",
                                           "details": "SERVICIO NO DISPONIBLE", "siatCode": 995}
    assert cucu.issued_by_ref() == {"r0": 1}
    assert cucu.received_by_ref() == {"r0": 1, "r1": 1, "r2": 1}
    assert batch(http, demo_invoice())["successful"] == 1  # one shot


def test_numbers_count_up_per_point_of_sale_and_are_never_reused(
        http: httpx.Client, cucu: CucuSandbox) -> None:
    data = batch(http, demo_invoice(pos="pos-a"), demo_invoice(pos="pos-b"),
                 demo_invoice(pos="pos-a", nit=DEMO_UNKNOWN_NIT), demo_invoice(pos="pos-a"))
    assert [r.get("invoiceNumber") for r in data["results"]] == [1, 1, None, 3]
    assert cucu.approvals_by_number() == {("pos-a", 1): 1, ("pos-b", 1): 1, ("pos-a", 3): 1}


def test_the_sandbox_never_deduplicates(http: httpx.Client, cucu: CucuSandbox) -> None:
    invoice = demo_invoice(externalReference="same")
    batch(http, invoice, copy.deepcopy(invoice))
    assert cucu.issued_by_ref() == {"same": 2}  # CUCU has no idempotency key


def test_single_invoice_endpoint_follows_the_same_rules(http: httpx.Client) -> None:
    created = http.post("/api/v1/invoices", json=demo_invoice())
    assert created.status_code == 200 and created.json()["data"]["state"] == "VALIDATED"
    rejected = http.post("/api/v1/invoices", json=demo_invoice(activity="461021"))
    assert rejected.status_code == 422 and rejected.json()["error"]["siatCode"] == 1016


def test_sample_invoices_mix_valid_and_siat_rejected(http: httpx.Client) -> None:
    samples = sample_invoices(40, invalid_share=0.25, seed=3)
    failed = 0
    for start in range(0, 40, 20):
        data = batch(http, *samples[start:start + 20])
        failed += data["failed"]
        assert all(isinstance(r.get("error", {}), dict) for r in data["results"])
    assert 0 < failed < 40


def test_the_registry_builds_this_sandbox_and_its_client() -> None:
    with make_sandbox("cucu", processing_delay=0, api_key="sk_test_x") as sandbox:
        assert isinstance(sandbox, CucuSandbox)
        client = make_provider_client("cucu", base_url=sandbox.url, tenant=None,
                                      api_key="sk_test_x", timeout=5.0)
        try:
            client.probe()
            doc = OutgoingDocument(local_id=1, payload=demo_invoice(), numero="1",
                                   external_ref="ref-1")
            [result] = client.submit([doc]).documents
            assert result.outcome is Outcome.APPROVED and result.local_id == 1
        finally:
            client.close()
        assert sandbox.issued_by_ref() == {"ref-1": 1}


def test_omitted_results_are_still_processed(http: httpx.Client, cucu: CucuSandbox) -> None:
    cucu.omit_results_next(1)
    data = batch(http, demo_invoice(externalReference="a"), demo_invoice(externalReference="b"))
    assert data["total"] == 2 and [r["index"] for r in data["results"]] == [0]
    assert cucu.issued_by_ref() == {"a": 1, "b": 1}
    assert len(batch(http, demo_invoice())["results"]) == 1  # one shot
