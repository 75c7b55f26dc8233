"""CUCU's answers as pure functions: the batch page's partial success by index, the
envelope and its failures, the one state mapping, matching search results."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from desktop_app.domain.bolivia import LOCAL_KEY
from desktop_app.providers.base import (
    CallRefused,
    Outcome,
    OutcomeUnknown,
    OutgoingDocument,
)
from desktop_app.providers.cucu import (
    MAX_BATCH,
    RetryLater,
    SearchKeys,
    attempt_order,
    batch_entry_result,
    build_batch_body,
    error_parts,
    match_entries,
    parse_batch_response,
    parse_page,
    parse_status_response,
    retry_after_seconds,
    search_keys,
    state_outcome,
)
from desktop_app.sandbox.cucu import demo_invoice


def doc(local_id: int, ref: str | None = None, **kwargs: Any) -> OutgoingDocument:
    payload = demo_invoice(**kwargs)
    payload[LOCAL_KEY] = {"numero": local_id, "ref": ref or f"ref-{local_id}",
                          "fecha": "2026-02-11T09:00:00", "sucursal": "0"}
    return OutgoingDocument(local_id=local_id, payload=payload, numero=f"pos-{local_id:06d}",
                            external_ref=ref or f"ref-{local_id}")


def envelope(data: Any, success: bool = True, **extra: Any) -> bytes:
    return json.dumps({"success": success, "data": data, **extra}).encode()


#: The batch page's two answers, verbatim.
SEED_OK = {"success": True, "data": {"total": 2, "successful": 2, "failed": 0, "results": [
    {"index": 0, "success": True, "invoiceId": "uuid-1", "invoiceNumber": 43, "cuf": "ABC123..."},
    {"index": 1, "success": True, "invoiceId": "uuid-2", "invoiceNumber": 44, "cuf": "DEF456..."},
]}}
SEED_PARTIAL = {"success": True, "data": {"total": 3, "successful": 2, "failed": 1, "results": [
    {"index": 0, "success": True, "invoiceId": "uuid-1", "invoiceNumber": 43},
    {"index": 1, "success": False, "error": "NIT invalido: ABC"},
    {"index": 2, "success": True, "invoiceId": "uuid-3", "invoiceNumber": 44},
]}}


def test_the_pages_success_example_maps_each_index_to_its_document() -> None:
    docs = [doc(10), doc(11)]
    result = parse_batch_response(200, json.dumps(SEED_OK), docs)
    assert result.lote_id is None  # synchronous: nothing to poll
    assert [(r.local_id, r.outcome, r.provider_ref, r.numero, r.cuf) for r in result.documents] == [
        (10, Outcome.APPROVED, "uuid-1", "43", "ABC123..."),
        (11, Outcome.APPROVED, "uuid-2", "44", "DEF456..."),
    ]
    assert all(r.cdc is None for r in result.documents)  # a CUF is not a CDC


def test_the_pages_partial_example_keeps_the_plain_string_error_verbatim() -> None:
    docs = [doc(1), doc(2), doc(3)]
    result = parse_batch_response(200, json.dumps(SEED_PARTIAL), docs)
    by_id = {r.local_id: r for r in result.documents}
    assert by_id[1].outcome is Outcome.APPROVED and by_id[1].cuf is None  # no cuf: tolerated
    assert by_id[2].outcome is Outcome.REJECTED
    assert (by_id[2].code, by_id[2].message) == (None, "NIT invalido: ABC")
    assert by_id[3].numero == "44" and by_id[3].provider_ref == "uuid-3"


def test_results_are_matched_by_index_not_by_position() -> None:
    shuffled = {"success": True, "data": {"total": 2, "results": [
        {"index": 1, "success": False, "error": {"code": "SIAT_REJECTED", "siatCode": 1037,
                                                 "details": "EL NUMERO DOCUMENTO DE TIPO NIT "
                                                            "NO ES VALIDO"}},
        {"index": 0, "success": True, "invoiceId": "uuid-1", "invoiceNumber": 7},
    ]}}
    result = parse_batch_response(200, json.dumps(shuffled), [doc(1), doc(2)])
    assert [(r.local_id, r.outcome) for r in result.documents] == [
        (1, Outcome.APPROVED), (2, Outcome.REJECTED)]
    assert result.documents[1].code == "1037"
    assert result.documents[1].provider_status == "SIAT_REJECTED"


def test_a_missing_index_leaves_the_document_out_for_reconciliation() -> None:
    answer = {"success": True, "data": {"total": 3, "results": [
        {"index": 0, "success": True, "invoiceId": "a", "invoiceNumber": 1},
        {"index": 2, "success": True, "invoiceId": "c", "invoiceNumber": 2},
    ]}}
    result = parse_batch_response(200, json.dumps(answer), [doc(1), doc(2), doc(3)])
    assert [r.local_id for r in result.documents] == [1, 3]  # 2: the engine marks it UNKNOWN


def test_repeated_or_impossible_indexes_are_not_trusted() -> None:
    answer = {"success": True, "data": {"total": 2, "results": [
        {"index": 0, "success": True, "invoiceId": "a", "invoiceNumber": 1},
        {"index": 0, "success": False, "error": "otro"},
        {"index": 5, "success": True, "invoiceId": "x", "invoiceNumber": 9},
        {"success": True, "invoiceId": "y", "invoiceNumber": 10},
        {"index": "1", "success": True, "invoiceId": "b", "invoiceNumber": 2},
    ]}}
    result = parse_batch_response(200, json.dumps(answer), [doc(1), doc(2)])
    assert [(r.local_id, r.provider_ref) for r in result.documents] == [(2, "b")]


def test_a_total_that_is_not_the_number_sent_is_an_unknown_outcome() -> None:
    answer = {"success": True, "data": {"total": 1, "results": [
        {"index": 0, "success": True, "invoiceId": "a", "invoiceNumber": 1}]}}
    with pytest.raises(OutcomeUnknown, match="informó 1 facturas y se enviaron 2"):
        parse_batch_response(200, json.dumps(answer), [doc(1), doc(2)])


@pytest.mark.parametrize(("error", "outcome", "code"), [
    ({"code": "SIAT_UNAVAILABLE", "details": "SERVICIO NO DISPONIBLE", "siatCode": 995},
     Outcome.NOT_PROCESSED, "995"),
    ({"code": "RATE_LIMIT_EXCEEDED", "details": "espere"}, Outcome.NOT_PROCESSED,
     "RATE_LIMIT_EXCEEDED"),
    ({"code": "VALIDATION_ERROR", "details": "cantidad", "field": "details[0].quantity"},
     Outcome.REJECTED, "VALIDATION_ERROR"),
    ({"siatCode": 1016, "message": "ACTIVIDAD"}, Outcome.REJECTED, "1016"),
])
def test_per_invoice_errors_that_are_not_the_invoices_fault_are_requeued(
        error: dict[str, Any], outcome: Outcome, code: str) -> None:
    result = batch_entry_result({"index": 0, "success": False, "error": error}, 5)
    assert result is not None
    assert (result.outcome, result.code, result.local_id) == (outcome, code, 5)
    assert result.message


@pytest.mark.parametrize("error", [
    {"code": "SIAT_TIMEOUT", "details": "Tiempo de espera agotado (30 s)"},
    {"siatCode": 967, "details": "TIEMPO DE ESPERA AGOTADO PARA CONEXION A BASE DE DATOS"},
    "Timeout esperando al SIAT",
])
def test_a_timeout_towards_siat_is_unknown_unless_cucu_names_the_invoice(error: Any) -> None:
    assert batch_entry_result({"index": 0, "success": False, "error": error}, 1) is None
    named = batch_entry_result({"index": 0, "success": False, "error": error,
                                "invoiceId": "uuid-9", "invoiceNumber": 9}, 1)
    assert named is not None and named.outcome is Outcome.PROCESSING
    assert (named.provider_ref, named.numero) == ("uuid-9", "9")


def test_a_result_without_success_is_unknown() -> None:
    assert batch_entry_result({"index": 0, "invoiceId": "a"}, 1) is None


def test_a_success_carrying_a_state_follows_the_state() -> None:
    pending = batch_entry_result({"index": 0, "success": True, "invoiceId": "a",
                                  "invoiceNumber": 1, "state": "CONTINGENCY"}, 1)
    assert pending is not None and pending.outcome is Outcome.PROCESSING
    assert pending.provider_status == "CONTINGENCY" and pending.provider_ref == "a"


@pytest.mark.parametrize(("state", "outcome"), [
    ("PENDING", Outcome.PROCESSING),
    ("VALIDATED", Outcome.APPROVED),
    ("REJECTED", Outcome.REJECTED),
    ("CANCELLED", Outcome.APPROVED),
    ("CONTINGENCY", Outcome.PROCESSING),
    ("validated", Outcome.APPROVED),
    ("SOMETHING_NEW", Outcome.PROCESSING),
    (None, Outcome.PROCESSING),
])
def test_the_one_mapping_of_cucu_states(state: Any, outcome: Outcome) -> None:
    assert state_outcome(state) is outcome


def test_error_parts_read_both_shapes() -> None:
    assert error_parts("NIT invalido: ABC") == (None, "NIT invalido: ABC", None)
    assert error_parts({"code": "SIAT_REJECTED", "details": "X", "siatCode": 1037}) == (
        "1037", "X", "SIAT_REJECTED")
    assert error_parts(None) == (None, None, None)


# -- the envelope and its failures -------------------------------------------------------


def test_wrong_credentials_refuse_the_call() -> None:
    with pytest.raises(CallRefused) as caught:
        parse_batch_response(401, b'{"success": false}', [doc(1)])
    assert caught.value.auth and caught.value.code == "401"


def test_429_is_a_refusal_naming_no_document_with_its_retry_after() -> None:
    with pytest.raises(RetryLater) as caught:
        parse_batch_response(429, b"Too Many Requests", [doc(1)], retry_after="12")
    assert isinstance(caught.value, CallRefused) and not caught.value.auth
    assert caught.value.errors == {} and caught.value.code == "429"
    assert caught.value.retry_after == 12


def test_503_in_cucus_envelope_is_a_refusal_siat_is_unavailable() -> None:
    body = json.dumps({"success": False, "message": "SIAT no disponible", "error": {
        "code": "SIAT_UNAVAILABLE", "details": "El servicio del SIAT no responde",
        "siatCode": 995}})
    with pytest.raises(RetryLater) as caught:
        parse_batch_response(503, body, [doc(1), doc(2)], retry_after=None)
    assert caught.value.code == "503" and caught.value.errors == {}
    assert "SIAT" in str(caught.value)


@pytest.mark.parametrize(("status", "body"), [
    (503, b"Service Unavailable"),  # a proxy's, not CUCU's
    (500, b'{"success": false, "error": {"code": "INTERNAL_ERROR"}}'),
    (524, b"<html>524: A timeout occurred</html>"),
    (200, b"<html><title>BIG-IP logout page</title></html>"),
    (200, b'{"success": true, "data": {"results": [{"index": 0'),
    (200, b'{"success": true, "data": {"total": 1}}'),
    (200, b"[]"),
    (302, b""),
])
def test_anything_unreadable_after_sending_is_an_unknown_outcome(status: int, body: bytes) -> None:
    with pytest.raises(OutcomeUnknown):
        parse_batch_response(status, body, [doc(1)])


def test_a_refusal_of_the_call_names_the_invoice_in_error_field() -> None:
    body = json.dumps({"success": False, "message": "Solicitud invalida", "error": {
        "code": "VALIDATION_ERROR", "details": "quantity debe ser mayor a 0",
        "field": "invoices[2].details[0].quantity"}})
    with pytest.raises(CallRefused) as caught:
        parse_batch_response(400, body, [doc(1), doc(2), doc(3)])
    assert caught.value.errors == {2: "quantity debe ser mayor a 0"}
    assert caught.value.code == "VALIDATION_ERROR"


def test_a_refusal_naming_nothing_requeues_everything() -> None:
    body = json.dumps({"success": False, "error": {"code": "BATCH_LIMIT_EXCEEDED",
                                                   "details": "Maximo 20", "field": "invoices"}})
    with pytest.raises(CallRefused) as caught:
        parse_batch_response(400, body, [doc(1)])
    assert caught.value.errors == {} and not isinstance(caught.value, RetryLater)


@pytest.mark.parametrize(("value", "seconds"), [
    ("12", 12.0), ("0", 1.0), ("100000", 300.0), (None, 5.0), ("mañana", 5.0),
    ("Wed, 11 Feb 2026 12:00:30 GMT", 30.0),
])
def test_retry_after_is_read_within_bounds(value: str | None, seconds: float) -> None:
    now = datetime(2026, 2, 11, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(value, now=now) == seconds


# -- status and search ------------------------------------------------------------------


def test_the_status_pages_example_is_an_approval_with_siats_code() -> None:
    body = json.dumps({"success": True, "data": {
        "id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "invoiceNumber": 5,
        "cuf": "2872F7294502332E637FABFBC3654EA82202AD48E0969F14EBEB8AF74",
        "state": "VALIDATED", "siatCode": 908, "siatDescription": "FACTURA VALIDADA",
        "emissionType": "NORMAL", "lastChecked": "2026-02-11T14:30:00"},
        "timestamp": "2026-02-11T14:30:00"})
    result = parse_status_response(200, body, local_id=4)
    assert (result.outcome, result.code, result.message, result.provider_status) == (
        Outcome.APPROVED, "908", "FACTURA VALIDADA", "VALIDATED")
    assert (result.local_id, result.numero) == (4, "5")
    assert result.provider_ref == "a1b2c3d4-e5f6-7890-abcd-ef1234567890"


def test_a_cancelled_invoice_stays_approved_with_its_status_kept() -> None:
    body = envelope({"id": "a", "invoiceNumber": 5, "state": "CANCELLED", "siatCode": 905})
    result = parse_status_response(200, body)
    assert result.outcome is Outcome.APPROVED and result.provider_status == "CANCELLED"


def test_an_unknown_invoice_id_is_not_found() -> None:
    assert parse_status_response(404, b'{"success": false}', 3).outcome is Outcome.NOT_FOUND


def test_a_search_page_and_its_last_flag() -> None:
    body = envelope({"content": [{"id": "a"}, "x"], "page": 0, "last": False})
    assert parse_page(200, body) == ([{"id": "a"}], False)
    assert parse_page(200, envelope([{"id": "b"}])) == ([{"id": "b"}], True)
    assert parse_page(200, envelope({"content": []})) == ([], True)
    with pytest.raises(OutcomeUnknown):
        parse_page(200, envelope({"items": []}))


KEYS = SearchKeys(client_document="123456789", total=Decimal("200.00"),
                  fecha=datetime(2026, 2, 11, 9, 0), external_ref="ref-1")


def entry(**fields: Any) -> dict[str, Any]:
    base = {"id": "x", "invoiceNumber": 1, "state": "VALIDATED",
            "clientDocumentNumber": "123456789", "amountTotal": 200.0,
            "emissionDate": "2026-02-11T12:00:00"}
    base.update(fields)
    return base


def test_an_echoed_reference_decides_the_match() -> None:
    entries = [entry(id="a", externalReference="ref-1"), entry(id="b", externalReference="ref-2"),
               entry(id="c")]
    assert [e["id"] for e in match_entries(entries, "ref-1", None) or []] == ["a"]
    assert match_entries(entries, "ref-3", KEYS) == []


def test_without_echo_one_invoice_with_same_client_total_and_date_matches() -> None:
    entries = [entry(id="a"), entry(id="b", amountTotal=199.99),
               entry(id="c", emissionDate="2026-02-10T23:59:59"),
               entry(id="d", clientDocumentNumber="1")]
    assert [e["id"] for e in match_entries(entries, "ref-1", KEYS) or []] == ["a"]


def test_without_echo_two_identical_sales_cannot_be_told_apart() -> None:
    assert match_entries([entry(id="a"), entry(id="b")], "ref-1", KEYS) is None


def test_without_echo_and_without_keys_nothing_can_be_told() -> None:
    assert match_entries([entry()], "ref-1", None) is None
    assert match_entries([], "ref-1", None) == []


def test_search_keys_come_from_the_stored_payload() -> None:
    keys = search_keys(doc(1, price=113))
    assert keys == SearchKeys(client_document="123456789", total=Decimal("113.00"),
                              fecha=datetime(2026, 2, 11, 9, 0), external_ref="ref-1")


def test_the_deciding_attempt_comes_last() -> None:
    attempts = [entry(id="v", state="VALIDATED", emissionDate="2026-02-11T08:00:00"),
                entry(id="r", state="REJECTED", emissionDate="2026-02-11T09:00:00"),
                entry(id="p", state="PENDING")]
    assert [e["id"] for e in sorted(attempts, key=attempt_order)] == ["r", "p", "v"]


# -- the request -------------------------------------------------------------------------


def test_the_request_strips_lotes_local_key_and_carries_the_reference() -> None:
    body = build_batch_body([doc(1), doc(2, ref="abc")])
    assert [set(i) - set(demo_invoice()) for i in body["invoices"]] == [{"externalReference"}] * 2
    assert [i["externalReference"] for i in body["invoices"]] == ["ref-1", "abc"]
    assert all(LOCAL_KEY not in i and "numero" not in i for i in body["invoices"])


def test_a_batch_holds_1_to_20_invoices() -> None:
    assert len(build_batch_body([doc(n) for n in range(MAX_BATCH)])["invoices"]) == 20
    with pytest.raises(ValueError):
        build_batch_body([doc(n) for n in range(MAX_BATCH + 1)])
    with pytest.raises(ValueError):
        build_batch_body([])
