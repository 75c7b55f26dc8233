"""TusFacturasClient over real HTTP against the TusFacturas sandbox on 127.0.0.1.

Each test reads as a rule of the contract: seeds/tusfacturas-lotes.txt for the lote,
PROVIDERS.md ("TusFacturas.app", "Argentina facts") for numbering, dates, 524, 429 and
the consultas.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from desktop_app.providers.base import (
    CallRefused,
    ConnectionFailed,
    DocumentRef,
    Outcome,
    OutcomeUnknown,
    OutgoingDocument,
)
from desktop_app.providers.registry import PROVIDER_DEFAULTS, make_provider_client, make_sandbox
from desktop_app.providers.tusfacturas import MAX_BATCH, TusFacturasClient, create_client
from desktop_app.sandbox.server import Fault
from desktop_app.sandbox.tusfacturas import (
    DEMO_INACTIVE_CUIT,
    DEMO_UNREGISTERED_CUIT,
    TusFacturasSandbox,
)
from tests.domain.test_argentina_factories import (
    SECRET,
    cliente,
    outgoing,
    responsable_inscripto,
)


@pytest.fixture
def tf_sandbox() -> Iterator[TusFacturasSandbox]:
    with TusFacturasSandbox(api_key=SECRET, hold_seconds=0.05) as sb:
        yield sb


@pytest.fixture
def tf_client(tf_sandbox: TusFacturasSandbox) -> Iterator[TusFacturasClient]:
    with create_client(base_url=tf_sandbox.url, tenant=None, api_key=SECRET, timeout=5.0) as c:
        yield c


def ref_for(doc_id: int, numero: int, external_ref: str | None = None) -> DocumentRef:
    return DocumentRef(local_id=doc_id, tipo_documento=6, establecimiento="0", punto="3",
                       numero=numero, external_ref=external_ref or f"ref-{doc_id}")


def unregistered(doc_id: int, numero: int) -> OutgoingDocument:
    return outgoing(doc_id, numero, cliente_data=cliente("CF", "CUIT", DEMO_UNREGISTERED_CUIT))


def test_a_lote_is_approved_with_cae_expiry_and_number(tf_client: TusFacturasClient) -> None:
    result = tf_client.submit([outgoing(1, 1), outgoing(2, 2)])
    assert result.lote_id is None  # instant lotes: no lote to poll
    first, second = result.documents
    assert (first.local_id, first.outcome, first.numero) == (1, Outcome.APPROVED, "00003-00000001")
    assert second.numero == "00003-00000002"
    assert first.cae and len(first.cae) == 14 and first.cae.isdigit()
    expected_expiry = (date.today() + timedelta(days=10)).isoformat()
    assert first.cae_expiry == expected_expiry
    assert first.provider_ref == "FACTURA B 00003-00000001"
    assert first.message and "se ha guardado correctamente" in first.message


def test_third_of_six_rejected_cascades_and_the_victims_pass_next_time(
        tf_client: TusFacturasClient, tf_sandbox: TusFacturasSandbox) -> None:
    docs = [outgoing(1, 1), outgoing(2, 2), unregistered(3, 3),
            outgoing(4, 4), outgoing(5, 5), outgoing(6, 6)]
    first = {d.local_id: d for d in tf_client.submit(docs).documents}
    assert [first[i].outcome for i in range(1, 7)] == [
        Outcome.APPROVED, Outcome.APPROVED, Outcome.REJECTED,
        Outcome.NOT_PROCESSED, Outcome.NOT_PROCESSED, Outcome.NOT_PROCESSED]
    assert first[3].code == "10015"
    assert "no se encuentra registrado en los padrones de AFIP" in (first[3].message or "")
    assert first[4].message and "comprobante anterior" in first[4].message
    # The victims, sent again as the engine would: AFIP did not consume number 3, so they
    # are numbered from 3 — the rejected document keeps its own local number 3.
    again = tf_client.submit(docs[3:])
    assert [(d.local_id, d.outcome, d.numero) for d in again.documents] == [
        (4, Outcome.APPROVED, "00003-00000003"), (5, Outcome.APPROVED, "00003-00000004"),
        (6, Outcome.APPROVED, "00003-00000005")]
    assert tf_sandbox.issued_by_ref() == {f"ref-{i}": 1 for i in (1, 2, 4, 5, 6)}
    assert tf_sandbox.rejected_by_ref() == {"ref-3": 1}
    assert set(tf_sandbox.approvals_by_number().values()) == {1}


def test_observaciones_make_an_approval_with_observations(tf_client: TusFacturasClient) -> None:
    doc = outgoing(1, 1, tipo="FACTURA A", cliente_data=responsable_inscripto(DEMO_INACTIVE_CUIT))
    [result] = tf_client.submit([doc]).documents
    assert result.outcome is Outcome.APPROVED_WITH_OBSERVATIONS
    assert result.code == "10063"
    assert result.observations == (
        "AFIP genero el comprobante pero lo ha marcado como observado por los siguientes motivos: "
        f"Observacion: Factura individual, DocTipo: 80, DocNro {DEMO_INACTIVE_CUIT} no se encuentra "
        "inscripto en condicion ACTIVA en el impuesto (IVA). [ codigo: 10063 ]. Dichas "
        "observaciones no requieren accion de su parte.")
    assert result.cae


def test_lotes_follow_afips_next_number_when_someone_else_issued(
        tf_client: TusFacturasClient, tf_sandbox: TusFacturasSandbox) -> None:
    tf_sandbox.set_next_number(6, 3, 41)  # 40 comprobantes issued from TusFacturas' web app
    assert tf_client.next_number("FACTURA B", 3) == 41
    results = tf_client.submit([outgoing(1, 1), outgoing(2, 2)]).documents
    assert [r.numero for r in results] == ["00003-00000041", "00003-00000042"]


def test_without_following_afip_a_gap_is_rejected_10016(tf_sandbox: TusFacturasSandbox) -> None:
    with create_client(base_url=tf_sandbox.url, tenant=None, api_key=SECRET, timeout=5.0) as c:
        c.follow_afip_numbering = False
        [result] = c.submit([outgoing(1, 5)]).documents
    assert (result.outcome, result.code) == (Outcome.REJECTED, "10016")
    assert "proximo a autorizar" in (result.message or "")


def test_a_comprobante_queued_too_long_is_not_sent(
        tf_client: TusFacturasClient, tf_sandbox: TusFacturasSandbox) -> None:
    old = date.today() - timedelta(days=9)
    docs = [outgoing(1, 1, fecha=old), outgoing(2, 2)]
    with pytest.raises(CallRefused) as info:
        tf_client.submit(docs)
    assert info.value.code == "REFECHAR" and not info.value.auth
    assert list(info.value.errors) == [0]
    assert "consentimiento" in info.value.errors[0]
    assert tf_sandbox.lote_calls == 0 and tf_sandbox.received_by_ref() == {}


def test_mixed_types_never_leave_the_machine(
        tf_client: TusFacturasClient, tf_sandbox: TusFacturasSandbox) -> None:
    with pytest.raises(ValueError, match="one comprobante type"):
        tf_client.submit([outgoing(1, 1), outgoing(2, 1, tipo="FACTURA A")])
    assert tf_sandbox.lote_calls == 0


def test_more_than_max_batch_never_leaves_the_machine(tf_client: TusFacturasClient) -> None:
    assert tf_client.max_batch == MAX_BATCH == 20
    with pytest.raises(ValueError, match="at most 20"):
        tf_client.submit([outgoing(i, i) for i in range(1, 22)])


def test_wrong_credentials_are_an_auth_refusal_that_never_shows_them(
        tf_sandbox: TusFacturasSandbox) -> None:
    secret = '{"apitoken": "wr0ng-t0ken", "apikey": "1", "usertoken": "wr0ng-user"}'
    with create_client(base_url=tf_sandbox.url, tenant=None, api_key=secret, timeout=5.0) as c:
        assert "wr0ng" not in repr(c)
        for call in (lambda: c.submit([outgoing(1, 1)]), c.probe,
                     lambda: c.lookup(ref_for(1, 1))):
            with pytest.raises(CallRefused) as info:
                call()
            assert info.value.auth and "wr0ng" not in str(info.value)
    assert tf_sandbox.lote_calls == 0


def test_probe_passes_with_the_right_credentials(tf_client: TusFacturasClient) -> None:
    tf_client.probe()


def test_429_is_a_refusal_and_processes_nothing(
        tf_client: TusFacturasClient, tf_sandbox: TusFacturasSandbox) -> None:
    tf_sandbox.rate_limit(times=1)
    with pytest.raises(CallRefused) as info:
        tf_client.submit([outgoing(1, 1)])
    assert info.value.code == "429" and info.value.errors == {}
    assert tf_sandbox.issued() == []


def test_429_on_the_lote_itself_is_a_refusal_too(
        tf_client: TusFacturasClient, tf_sandbox: TusFacturasSandbox) -> None:
    tf_sandbox.rate_limit(times=1, endpoint="lotes")
    with pytest.raises(CallRefused) as info:
        tf_client.submit([outgoing(1, 1)])
    assert info.value.code == "429"
    assert tf_sandbox.lote_calls == 0 and tf_sandbox.issued() == []
    [result] = tf_client.submit([outgoing(1, 1)]).documents
    assert result.outcome is Outcome.APPROVED


def test_524_after_processing_is_unknown_then_found_by_reference_never_resent(
        tf_client: TusFacturasClient, tf_sandbox: TusFacturasSandbox) -> None:
    tf_sandbox.hold(times=1, seconds=0.05)
    with pytest.raises(OutcomeUnknown, match="524"):
        tf_client.submit([outgoing(1, 1), outgoing(2, 2)])
    [found] = tf_client.lookup(ref_for(2, 2))
    assert (found.local_id, found.outcome, found.numero) == (2, Outcome.APPROVED, "00003-00000002")
    assert found.cae and len(found.cae) == 14
    assert tf_sandbox.received_by_ref() == {"ref-1": 1, "ref-2": 1}
    assert tf_sandbox.issued_by_ref() == {"ref-1": 1, "ref-2": 1}


def test_a_read_timeout_while_held_is_unknown(tf_sandbox: TusFacturasSandbox) -> None:
    tf_sandbox.hold(times=1, seconds=1.5)
    with create_client(base_url=tf_sandbox.url, tenant=None, api_key=SECRET, timeout=0.5) as c:
        with pytest.raises(OutcomeUnknown):
            c.submit([outgoing(1, 1)])
    assert tf_sandbox.issued_by_ref() == {"ref-1": 1}


def test_lookup_of_a_reference_never_received_is_empty(tf_client: TusFacturasClient) -> None:
    assert tf_client.lookup(ref_for(9, 9)) == []
    with pytest.raises(OutcomeUnknown):
        tf_client.lookup(DocumentRef(local_id=9, tipo_documento=6, establecimiento="0",
                                     punto="3", numero=9))


def test_poll_answers_each_document_by_its_reference(tf_client: TusFacturasClient) -> None:
    tf_client.submit([outgoing(1, 1)])
    results = tf_client.poll([ref_for(1, 1), ref_for(2, 2)])
    assert [(r.local_id, r.outcome) for r in results] == [
        (1, Outcome.APPROVED), (2, Outcome.NOT_FOUND)]


@pytest.mark.parametrize("fault", [Fault.HTTP_500, Fault.HTTP_503, Fault.HTML_PAGE,
                                   Fault.RESET_BEFORE, Fault.RESET_AFTER,
                                   Fault.MALFORMED_JSON_AFTER, Fault.HTTP_524_AFTER])
def test_a_spoiled_answer_to_the_lote_is_an_unknown_outcome(
        tf_client: TusFacturasClient, tf_sandbox: TusFacturasSandbox, fault: Fault) -> None:
    tf_sandbox.inject_fault(fault, path="/lotes$")
    with pytest.raises(OutcomeUnknown):
        tf_client.submit([outgoing(1, 1)])


def test_a_failed_numbering_question_sends_nothing(
        tf_client: TusFacturasClient, tf_sandbox: TusFacturasSandbox) -> None:
    tf_sandbox.inject_fault(Fault.HTTP_500, path="/numeracion$")
    with pytest.raises(ConnectionFailed, match="no se envió ningún comprobante"):
        tf_client.submit([outgoing(1, 1)])
    assert tf_sandbox.lote_calls == 0


def test_sandbox_down_is_connection_failed_for_every_call(
        tf_client: TusFacturasClient, tf_sandbox: TusFacturasSandbox) -> None:
    tf_sandbox.set_down(True)
    for call in (lambda: tf_client.submit([outgoing(1, 1)]), tf_client.probe,
                 lambda: tf_client.lookup(ref_for(1, 1)), lambda: tf_client.next_number(6, 3)):
        with pytest.raises(ConnectionFailed):
            call()
    tf_sandbox.set_down(False)
    tf_client.probe()


def test_a_server_that_accepts_then_resets_is_an_unknown_outcome() -> None:
    """Not the sandbox: a bare socket that reads the request and drops the line."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def serve() -> None:
        for _ in range(2):
            conn, _ = server.accept()
            data = conn.recv(65536)
            if b"numeracion" in data:
                body = b'{"error":"N","comprobante":{"numero":1}}'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with create_client(base_url=f"http://127.0.0.1:{port}", tenant=None, api_key=SECRET,
                           timeout=2.0) as c:
            with pytest.raises(OutcomeUnknown):
                c.submit([outgoing(1, 1)])
    finally:
        server.close()
        thread.join(timeout=2)


def test_concurrent_submits_of_one_client_are_serialised(
        tf_client: TusFacturasClient, tf_sandbox: TusFacturasSandbox) -> None:
    """The engine may submit several claims of one profile at once; AFIP numbers them in
    sequence anyway, so the client sends one lote at a time."""
    batches = [[outgoing(b * 10 + i, b * 10 + i) for i in range(1, 6)] for b in range(4)]
    results: list[object] = []
    threads = [threading.Thread(target=lambda b=b: results.append(tf_client.submit(b)))
               for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(results) == 4
    assert len(tf_sandbox.issued()) == 20
    assert sorted(n for (_, _, n) in tf_sandbox.approvals_by_number()) == list(range(1, 21))


def test_registry_builds_the_client_and_the_sandbox() -> None:
    assert PROVIDER_DEFAULTS["tusfacturas"]["max_batch"] == MAX_BATCH
    with make_sandbox("tusfacturas", api_key=SECRET, processing_delay=0) as sandbox:
        assert isinstance(sandbox, TusFacturasSandbox)
        client = make_provider_client("tusfacturas", base_url=sandbox.url + "/app/api",
                                      tenant=None, api_key=SECRET, timeout=5.0)
        assert isinstance(client, TusFacturasClient)
        with client:
            client.probe()
            [result] = client.submit([outgoing(1, 1)]).documents
            assert result.outcome is Outcome.APPROVED


def test_the_demo_key_talks_to_a_default_sandbox() -> None:
    with make_sandbox("tusfacturas") as sandbox:
        client = make_provider_client("tusfacturas", base_url=sandbox.url, tenant=None,
                                      api_key="api_key_demo", timeout=5.0)
        assert isinstance(client, TusFacturasClient)
        with client:
            client.probe()
