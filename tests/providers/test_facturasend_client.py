"""FacturaSendClient over real HTTP against the sandbox on 127.0.0.1.

Each test reads as a rule of the contract: seeds/facturasend-lote-create.txt for the
lote, PROVIDERS.md ("FacturaSend", "SIFEN facts") for states, lookups and codes.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from desktop_app.providers.base import (
    CallRefused,
    ConnectionFailed,
    Outcome,
    OutcomeUnknown,
)
from desktop_app.providers.facturasend import FacturaSendClient, parse_lote_response
from desktop_app.sandbox.facturasend import DEMO_CANCELLED_RUC, FacturaSendSandbox
from desktop_app.sandbox.server import Fault
from tests.providers.factories import (
    API_KEY,
    TENANT,
    FakeClock,
    item,
    make_doc,
    ruc_with_dv,
    ruc_with_wrong_dv,
)


def test_lote_of_three_is_received_then_approved_after_the_delay(
    client: FacturaSendClient, clock: FakeClock
) -> None:
    docs = [make_doc(10, 1), make_doc(11, 2), make_doc(12, 3)]
    submitted = client.submit(docs)
    assert submitted.lote_id == "1"
    assert [d.local_id for d in submitted.documents] == [10, 11, 12]
    assert {d.outcome for d in submitted.documents} == {Outcome.RECEIVED}
    assert {d.provider_status for d in submitted.documents} == {"0-Generado"}
    cdcs = [d.cdc for d in submitted.documents]
    assert all(c and len(c) == 44 for c in cdcs)

    pending = client.status(cdcs)  # type: ignore[arg-type]
    assert [r.outcome for r in pending] == [Outcome.PROCESSING] * 3
    assert {r.provider_status for r in pending} == {"0-Generado"}

    clock.advance(2)
    final = client.status(cdcs)  # type: ignore[arg-type]
    assert [r.outcome for r in final] == [Outcome.APPROVED] * 3
    assert [r.cdc for r in final] == cdcs
    assert {(r.code, r.message, r.provider_status) for r in final} == {
        ("0260", "Autorización del DE satisfactoria", "2-Aprobado")
    }
    assert [r.numero for r in final] == ["001-001-0000001", "001-001-0000002", "001-001-0000003"]


def test_a_locally_predicted_cdc_is_the_one_facturasend_issues(client: FacturaSendClient) -> None:
    docs = [make_doc(1, with_cdc=True), make_doc(2, with_cdc=True)]
    result = client.submit(docs)
    assert [d.cdc for d in result.documents] == [d.cdc for d in docs]


@pytest.mark.parametrize(
    ("de_kwargs", "code"),
    [
        ({"ruc": ruc_with_wrong_dv("80012345")}, "1309"),
        ({"ruc": "80A"}, "1309"),
        ({"ruc": DEMO_CANCELLED_RUC}, "1307"),
        ({"entregas_total": 109_950}, "2365"),
        ({"items": [item(iva_tipo=1, iva=0)]}, "1908"),
        ({"items": [item(iva_tipo=3, iva=10)]}, "1907"),
    ],
    ids=[
        "ruc-check-digit",
        "ruc-malformed",
        "ruc-cancelled",
        "entregas-do-not-add-up",
        "gravado-with-iva-0",
        "exento-with-iva-10",
    ],
)
def test_sifen_rejects_each_rule_with_its_code(
    client: FacturaSendClient, clock: FakeClock, de_kwargs: dict[str, object], code: str
) -> None:
    submitted = client.submit([make_doc(1, **de_kwargs)])  # type: ignore[arg-type]
    assert submitted.documents[0].outcome is Outcome.RECEIVED
    clock.advance(2)
    (result,) = client.status([submitted.documents[0].cdc])  # type: ignore[list-item]
    assert result.outcome is Outcome.REJECTED
    assert result.provider_status == "4-Rechazado"
    assert result.code == code
    assert result.message


def test_cash_total_uses_rounded_item_totals(client: FacturaSendClient, clock: FakeClock) -> None:
    # 10.5 × 10 800 = 113 400 and 3 × 333.5 = 1 000.5 -> 1 001 (half-up): entregas 114 401.
    doc = make_doc(1, items=[item(10.5, 10_800, iva=5), item(3, "333.5")])
    assert doc.payload["condicion"]["entregas"][0]["monto"] == "114401"
    cdc = client.submit([doc]).documents[0].cdc
    clock.advance(2)
    assert client.status([cdc])[0].outcome is Outcome.APPROVED  # type: ignore[list-item]


def test_a_customer_without_ruc_is_not_checked_against_the_registry(
    client: FacturaSendClient, clock: FakeClock
) -> None:
    cdc = client.submit([make_doc(1, ruc=None)]).documents[0].cdc
    clock.advance(2)
    assert client.status([cdc])[0].outcome is Outcome.APPROVED  # type: ignore[list-item]


def test_same_number_under_a_new_cdc_after_approval_is_rejected_1002(
    client: FacturaSendClient, sandbox: FacturaSendSandbox, clock: FakeClock
) -> None:
    first = client.submit([make_doc(1, 7)]).documents[0]
    clock.advance(2)
    second = client.submit([make_doc(2, 7)]).documents[0]  # same number, new random CDC
    assert second.cdc != first.cdc
    clock.advance(2)
    results = {r.cdc: r for r in client.status([first.cdc, second.cdc])}  # type: ignore[list-item]
    assert results[first.cdc].outcome is Outcome.APPROVED
    assert results[second.cdc].outcome is Outcome.REJECTED
    assert results[second.cdc].code == "1002"
    assert sandbox.approvals_by_number() == {(1, 1, 1, 7): 1}


def test_resending_an_approved_cdc_is_rejected_1001_and_not_issued_again(
    client: FacturaSendClient, sandbox: FacturaSendSandbox, clock: FakeClock
) -> None:
    doc = make_doc(1, 5, with_cdc=True)
    client.submit([doc])
    clock.advance(2)
    assert client.status([doc.cdc])[0].outcome is Outcome.APPROVED  # type: ignore[list-item]

    client.submit([doc])  # the mistake Lote must never make
    clock.advance(2)
    attempts = client.lookup_by_number(1, "001", "001", 5)
    assert [(a.outcome, a.code) for a in attempts] == [
        (Outcome.APPROVED, "0260"),
        (Outcome.REJECTED, "1001"),
    ]
    assert sandbox.approvals_by_number() == {(1, 1, 1, 5): 1}
    assert sandbox.receipts_by_cdc() == {doc.cdc: 2}
    # The CDC as a whole is still approved: the duplicate did not undo the issue.
    assert client.status([doc.cdc])[0].outcome is Outcome.APPROVED  # type: ignore[list-item]


def test_a_rejected_document_can_be_corrected_and_resent_with_the_same_cdc(
    client: FacturaSendClient, sandbox: FacturaSendSandbox, clock: FakeClock
) -> None:
    bad = make_doc(1, 3, with_cdc=True, ruc=ruc_with_wrong_dv("80012345"))
    client.submit([bad])
    clock.advance(2)
    assert client.status([bad.cdc])[0].outcome is Outcome.REJECTED  # type: ignore[list-item]
    fixed = make_doc(1, 3, with_cdc=True, ruc=ruc_with_dv("80012345"))
    assert fixed.cdc == bad.cdc
    client.submit([fixed])
    clock.advance(2)
    assert client.status([bad.cdc])[0].outcome is Outcome.APPROVED  # type: ignore[list-item]
    assert sandbox.approvals_by_number() == {(1, 1, 1, 3): 1}


def test_lookup_by_number_lists_every_attempt_oldest_first(
    client: FacturaSendClient, clock: FakeClock
) -> None:
    client.submit([make_doc(1, 8, ruc=ruc_with_wrong_dv("80012345"))])
    clock.advance(2)
    client.submit([make_doc(2, 8, ruc=DEMO_CANCELLED_RUC)])
    clock.advance(2)
    client.submit([make_doc(3, 8)])
    pending = client.lookup_by_number(1, "001", "001", 8)
    assert [a.outcome for a in pending] == [Outcome.REJECTED, Outcome.REJECTED, Outcome.PROCESSING]
    clock.advance(2)
    done = client.lookup_by_number(1, "1", "1", 8)
    assert [(a.outcome, a.code) for a in done] == [
        (Outcome.REJECTED, "1309"),
        (Outcome.REJECTED, "1307"),
        (Outcome.APPROVED, "0260"),
    ]
    assert {a.numero for a in done} == {"001-001-0000008"}
    assert client.lookup_by_number(1, "001", "001", 99) == []


def test_unknown_cdc_is_not_found(client: FacturaSendClient) -> None:
    (result,) = client.status(["0" * 44])
    assert result.outcome is Outcome.NOT_FOUND
    assert result.provider_status == "98-Inexistente"


def test_status_asks_in_chunks_of_fifty(client: FacturaSendClient) -> None:
    cdcs = [f"{n:044d}" for n in range(120)]
    results = client.status(cdcs)
    assert [r.cdc for r in results] == cdcs
    assert {r.outcome for r in results} == {Outcome.NOT_FOUND}


def test_more_than_fifty_documents_never_leave_the_machine(
    client: FacturaSendClient, sandbox: FacturaSendSandbox
) -> None:
    with pytest.raises(ValueError):
        client.submit([make_doc(n) for n in range(1, 52)])
    assert sandbox.documents() == []


def test_mixed_types_never_leave_the_machine(client: FacturaSendClient) -> None:
    with pytest.raises(ValueError):
        client.submit([make_doc(1, tipo=1), make_doc(2, tipo=5)])


def test_mixed_types_refused_by_facturasend_map_to_per_index_errors(
    sandbox: FacturaSendSandbox,
) -> None:
    docs = [make_doc(1, tipo=1), make_doc(2, tipo=1), make_doc(3, tipo=5)]
    r = httpx.post(
        f"{sandbox.url}/demo/lote/create",
        json=[d.payload for d in docs],
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    with pytest.raises(CallRefused) as exc:
        parse_lote_response(r.status_code, r.content, docs)
    assert set(exc.value.errors) == {2}
    assert not exc.value.auth


def test_fifty_one_refused_by_facturasend_names_only_the_extra_one(
    sandbox: FacturaSendSandbox,
) -> None:
    docs = [make_doc(n) for n in range(1, 52)]
    r = httpx.post(
        f"{sandbox.url}/demo/lote/create",
        json=[d.payload for d in docs],
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    with pytest.raises(CallRefused) as exc:
        parse_lote_response(r.status_code, r.content, docs)
    assert set(exc.value.errors) == {50}


def test_an_invalid_de_refuses_the_whole_call_and_names_it(
    client: FacturaSendClient, sandbox: FacturaSendSandbox
) -> None:
    broken = make_doc(2)
    del broken.payload["items"]
    with pytest.raises(CallRefused) as exc:
        client.submit([make_doc(1), broken, make_doc(3)])
    assert set(exc.value.errors) == {1}
    assert "items" in exc.value.errors[1]
    assert sandbox.documents() == []


def test_wrong_api_key_is_an_auth_refusal_that_never_shows_the_key(
    sandbox: FacturaSendSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "api_key_s3cr3t-do-not-log"
    caplog.set_level(logging.DEBUG)
    with FacturaSendClient(sandbox.url, TENANT, secret) as client:
        for call in (
            lambda: client.submit([make_doc(1)]),
            lambda: client.status(["0" * 44]),
            lambda: client.lookup_by_number(1, "001", "001", 1),
            client.probe,
        ):
            with pytest.raises(CallRefused) as exc:
                call()
            assert exc.value.auth
            assert secret not in str(exc.value)
            assert secret not in repr(exc.value)
        assert secret not in repr(client)
    assert secret not in caplog.text
    assert sandbox.documents() == []


def test_probe_passes_with_the_right_credentials(client: FacturaSendClient) -> None:
    client.probe()


def test_sandbox_down_is_connection_failed_for_every_call(
    client: FacturaSendClient, sandbox: FacturaSendSandbox
) -> None:
    sandbox.set_down(True)
    for call in (
        lambda: client.submit([make_doc(1)]),
        lambda: client.status(["0" * 44]),
        lambda: client.lookup_by_number(1, "001", "001", 1),
        client.probe,
    ):
        with pytest.raises(ConnectionFailed):
            call()
    sandbox.set_down(False)
    client.probe()
    assert client.submit([make_doc(1)]).documents[0].outcome is Outcome.RECEIVED


@pytest.mark.parametrize(
    "fault",
    [
        Fault.HTTP_500,
        Fault.HTTP_503,
        Fault.HTML_PAGE,
        Fault.MALFORMED_JSON_AFTER,
        Fault.HTTP_524_AFTER,
        Fault.RESET_AFTER,
        Fault.RESET_BEFORE,
    ],
)
def test_a_spoiled_answer_to_submit_is_an_unknown_outcome(
    client: FacturaSendClient, sandbox: FacturaSendSandbox, fault: Fault
) -> None:
    sandbox.inject_fault(fault, path=r"/lote/create$")
    with pytest.raises(OutcomeUnknown):
        client.submit([make_doc(1)])


def test_after_an_unknown_outcome_the_document_is_found_by_number(
    client: FacturaSendClient, sandbox: FacturaSendSandbox, clock: FakeClock
) -> None:
    doc = make_doc(1, 4, with_cdc=True)
    sandbox.inject_fault(Fault.RESET_AFTER, path=r"/lote/create$")
    with pytest.raises(OutcomeUnknown):
        client.submit([doc])
    clock.advance(2)
    (attempt,) = client.lookup_by_number(1, "001", "001", 4)
    assert attempt.cdc == doc.cdc
    assert attempt.outcome is Outcome.APPROVED
    assert client.status([doc.cdc])[0].outcome is Outcome.APPROVED  # type: ignore[list-item]


def test_a_read_timeout_after_sending_is_an_unknown_outcome(sandbox: FacturaSendSandbox) -> None:
    sandbox.latency = 0.5
    timeout = httpx.Timeout(0.2, connect=1.0)
    with FacturaSendClient(sandbox.url, TENANT, API_KEY, timeout=timeout) as client:
        with pytest.raises(OutcomeUnknown):
            client.submit([make_doc(1)])
    assert len(sandbox.documents()) == 1  # it was processed all the same


@pytest.fixture
def resetting_server() -> Iterator[str]:
    """A raw TCP server that reads the request and answers with a TCP reset."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(1)
            try:
                conn.recv(65536)
            except OSError:
                pass
            conn.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    stop.set()
    thread.join(timeout=2)
    listener.close()


def test_a_server_that_accepts_then_resets_is_an_unknown_outcome(resetting_server: str) -> None:
    with FacturaSendClient(resetting_server, TENANT, API_KEY, timeout=2.0) as client:
        with pytest.raises(OutcomeUnknown):
            client.submit([make_doc(1)])
        with pytest.raises(OutcomeUnknown):
            client.status(["0" * 44])
