"""JsifenClient over real HTTP against the JSIFEN sandbox on 127.0.0.1.

Each test reads as a rule of the contract: seeds/jsifen-consulta-lote.txt for the lote
query, PROVIDERS.md ("JSIFEN", "SIFEN facts") for the rest. SIFEN takes 2 s per lote on a
clock the test moves by hand, and the sandbox's wall clock is fixed at NOW.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from desktop_app.domain.cdc import is_valid_cdc
from desktop_app.providers.base import (
    CallRefused,
    ConnectionFailed,
    DocumentRef,
    DocumentResult,
    Outcome,
    OutcomeUnknown,
    OutgoingDocument,
)
from desktop_app.providers.jsifen import JsifenClient
from desktop_app.providers.registry import PROVIDER_DEFAULTS, make_provider_client, make_sandbox
from desktop_app.sandbox.jsifen import DEMO_CANCELLED_RUC, JsifenSandbox
from desktop_app.sandbox.server import Fault
from tests.providers.factories import (
    EMISOR_RUC,
    FakeClock,
    expected_cdc,
    item,
    make_de,
    make_doc,
    numero_text,
    ruc_with_dv,
    ruc_with_wrong_dv,
)

TOKEN = "jsifen-token-demo"
NOW = datetime(2024, 10, 19, 12, 0, 0)  # the factories' DEs are dated 2024-10-19T10:11:00
OTHER_EMISOR = ruc_with_dv("4839205")


@pytest.fixture
def jsifen(clock: FakeClock) -> Iterator[JsifenSandbox]:
    with JsifenSandbox(api_key=TOKEN, clock=clock, now=lambda: NOW, processing_delay=2.0,
                       other_emisores={OTHER_EMISOR: 1}) as sb:
        yield sb


@pytest.fixture
def client(jsifen: JsifenSandbox, clock: FakeClock) -> Iterator[JsifenClient]:
    with JsifenClient(jsifen.url, TOKEN, emisor_ruc=EMISOR_RUC, timeout=5.0, clock=clock) as c:
        yield c


def jdoc(local_id: int, numero: int | None = None, **de_kwargs: Any) -> OutgoingDocument:
    """A DE as the store hands it over: numbered, with its security code and its CDC."""
    return make_doc(local_id, numero, with_cdc=True, **de_kwargs)


def ref_for(doc: OutgoingDocument, result: DocumentResult, lote: str | None) -> DocumentRef:
    de = doc.payload
    return DocumentRef(local_id=doc.local_id, tipo_documento=de["tipoDocumento"],
                       establecimiento=f"{int(de['establecimiento']):03d}",
                       punto=f"{int(de['punto']):03d}", numero=int(de["numero"]),
                       cdc=result.cdc, provider_lote_id=lote)


def send(client: JsifenClient, doc: OutgoingDocument) -> DocumentRef:
    submitted = client.submit([doc])
    (result,) = submitted.documents
    return ref_for(doc, result, submitted.lote_id)


def counting(client: JsifenClient) -> list[str]:
    """Record the path of every request the client makes from now on."""
    calls: list[str] = []
    original = client._post

    def post(path: str, payload: Any) -> httpx.Response:
        calls.append(path)
        return original(path, payload)

    client._post = post  # type: ignore[method-assign]
    return calls


# -- the happy path ---------------------------------------------------------------------------


def test_one_document_goes_en_cola_then_procesando_then_aprobado(
    client: JsifenClient, jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    doc = jdoc(10, 1)
    submitted = client.submit([doc])
    assert submitted.lote_id is not None and len(submitted.lote_id) == 17
    (received,) = submitted.documents
    assert (received.outcome, received.local_id) == (Outcome.RECEIVED, 10)
    assert received.cdc == doc.cdc  # the CDC Lote predicted is the one JSIFEN issued
    assert (received.code, received.message) == ("0300", "Lote recibido con éxito")
    ref = ref_for(doc, received, submitted.lote_id)

    (queued,) = client.poll([ref])
    assert (queued.local_id, queued.outcome, queued.provider_status) == (
        10, Outcome.PROCESSING, "En Cola")
    clock.advance(1)
    (processing,) = client.poll([ref])
    assert (processing.outcome, processing.provider_status) == (Outcome.PROCESSING, "Procesando")
    clock.advance(1)
    (approved,) = client.poll([ref])
    assert (approved.local_id, approved.cdc, approved.outcome) == (10, doc.cdc, Outcome.APPROVED)
    assert (approved.code, approved.message) == (None, "Aprobado")
    assert jsifen.approvals_by_number() == {(1, 1, 1, 1): 1}


def test_without_a_known_cdc_the_answer_names_it(client: JsifenClient) -> None:
    de = make_de(3, codigo_seguridad="123456789")
    doc = OutgoingDocument(local_id=1, payload=de, numero=numero_text(de))
    (received,) = client.submit([doc]).documents
    assert received.cdc == expected_cdc(de, "123456789")


@pytest.mark.parametrize(
    ("de_kwargs", "outcome", "code"),
    [
        ({"ruc": ruc_with_wrong_dv("80012345")}, Outcome.REJECTED, "1309"),
        ({"ruc": DEMO_CANCELLED_RUC}, Outcome.REJECTED, "1307"),
        ({"entregas_total": 109_950}, Outcome.REJECTED, "2365"),
        ({"items": [item(iva_tipo=1, iva=0)]}, Outcome.REJECTED, "1908"),
        ({"items": [item(iva_tipo=3, iva=10)]}, Outcome.REJECTED, "1907"),
        ({"fecha": "2024-10-19T12:30:00"}, Outcome.REJECTED, "1004"),
        ({"fecha": "2024-10-15T10:00:00"}, Outcome.APPROVED_WITH_OBSERVATIONS, "1005"),
        ({"fecha": "2024-09-10T10:00:00"}, Outcome.REJECTED, "1005"),
    ],
    ids=["ruc-check-digit", "ruc-cancelled", "entregas", "gravado-iva-0", "exento-iva-10",
         "clock-ahead", "late-72h", "late-30-days"],
)
def test_sifen_judges_each_rule_with_its_code(
    client: JsifenClient, clock: FakeClock, de_kwargs: dict[str, Any], outcome: Outcome,
    code: str,
) -> None:
    ref = send(client, jdoc(1, **de_kwargs))
    clock.advance(2)
    (result,) = client.poll([ref])
    assert (result.outcome, result.code) == (outcome, code)
    assert result.message and result.provider_status in ("Rechazado", "Aprobado con observación")
    if outcome is Outcome.APPROVED_WITH_OBSERVATIONS:
        assert result.observations == result.message == "Transmisión extemporánea del DE"


def test_a_contribuyente_without_ruc_is_rejected_1304(
    client: JsifenClient, clock: FakeClock
) -> None:
    de = make_de(1, codigo_seguridad="7")
    del de["cliente"]["ruc"]
    ref = send(client, OutgoingDocument(local_id=1, payload=de, numero=numero_text(de)))
    clock.advance(2)
    assert [(r.outcome, r.code) for r in client.poll([ref])] == [(Outcome.REJECTED, "1304")]


# -- polling: one call per lote, matched by CDC --------------------------------------------------


def test_poll_asks_once_per_lote_and_names_results_by_cdc(
    client: JsifenClient, clock: FakeClock
) -> None:
    docs = [jdoc(n, n) for n in range(1, 6)]
    refs = [send(client, d) for d in docs]
    clock.advance(2)
    calls = counting(client)
    results = client.poll(list(reversed(refs)))
    assert calls == ["/consulta/lote"] * 5
    assert sorted((r.local_id, r.cdc) for r in results) == [(d.local_id, d.cdc) for d in docs]
    assert {r.outcome for r in results} == {Outcome.APPROVED}


def test_a_ref_without_lote_is_asked_about_by_cdc(client: JsifenClient, clock: FakeClock) -> None:
    doc = jdoc(1, 1)
    ref = send(client, doc)
    orphan = DocumentRef(local_id=1, tipo_documento=1, establecimiento="001", punto="001",
                         numero=1, cdc=doc.cdc)
    calls = counting(client)
    assert [(r.local_id, r.outcome) for r in client.poll([orphan])] == [
        (1, Outcome.PROCESSING)]
    clock.advance(2)
    (result,) = client.poll([orphan])
    assert (result.local_id, result.outcome, result.numero) == (
        1, Outcome.APPROVED, "001-001-0000001")
    assert calls == ["/consulta/de/json", "/consulta/de/json"]
    assert ref.provider_lote_id  # it had one: the orphan just lost it


def test_the_lote_number_in_provider_ref_is_enough_to_poll(
    client: JsifenClient, clock: FakeClock
) -> None:
    doc = jdoc(1, 1)
    (received,) = client.submit([doc]).documents
    ref = DocumentRef(local_id=1, tipo_documento=1, establecimiento="001", punto="001",
                      numero=1, cdc=doc.cdc, provider_ref=received.provider_ref)
    clock.advance(2)
    calls = counting(client)
    assert [r.outcome for r in client.poll([ref])] == [Outcome.APPROVED]
    assert calls == ["/consulta/lote"]


def test_a_lote_too_old_to_query_0364_is_followed_by_cdc(
    client: JsifenClient, jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    ref = send(client, jdoc(1, 1))
    clock.advance(49 * 3600)
    calls = counting(client)
    assert [r.outcome for r in client.poll([ref])] == [Outcome.APPROVED]
    assert calls == ["/consulta/lote", "/consulta/de/json"]


def test_one_failing_lote_does_not_hold_the_others_back(
    client: JsifenClient, clock: FakeClock
) -> None:
    good = send(client, jdoc(1, 1))
    bad = DocumentRef(local_id=2, tipo_documento=1, establecimiento="001", punto="001",
                      numero=2, cdc=None, provider_lote_id="no-es-un-lote")
    clock.advance(2)
    results = client.poll([bad, good])
    assert [(r.local_id, r.outcome) for r in results] == [(1, Outcome.APPROVED)]


def test_when_every_lote_query_fails_the_error_interno_is_raised(client: JsifenClient) -> None:
    bad = DocumentRef(local_id=2, tipo_documento=1, establecimiento="001", punto="001",
                      numero=2, cdc=None, provider_lote_id="no-es-un-lote")
    with pytest.raises(OutcomeUnknown, match="Error interno: número de lote inválido"):
        client.poll([bad])


def test_an_unknown_lote_0360_is_followed_by_cdc_and_never_called_lost(
    client: JsifenClient, clock: FakeClock
) -> None:
    doc = jdoc(1, 1)
    ref = send(client, doc)
    wrong = DocumentRef(local_id=1, tipo_documento=1, establecimiento="001", punto="001",
                        numero=1, cdc=doc.cdc, provider_lote_id="12345")
    assert [r.outcome for r in client.poll([wrong])] == [Outcome.PROCESSING]
    never_sent = jdoc(2, 2)
    ghost = DocumentRef(local_id=2, tipo_documento=1, establecimiento="001", punto="001",
                        numero=2, cdc=never_sent.cdc, provider_lote_id="12345")
    assert client.poll([ghost]) == []  # no word: polled again later, not declared lost
    assert ref.provider_lote_id != "12345"


# -- duplicates: SIFEN's rules, and the sandbox's enforcement of "ask first" ---------------------


def test_same_number_under_a_new_cdc_after_approval_is_rejected_1002(
    client: JsifenClient, jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    first = send(client, jdoc(1, 7))
    clock.advance(2)
    second = send(client, jdoc(2, 7))
    assert second.cdc != first.cdc
    clock.advance(2)
    results = {r.cdc: r for r in client.poll([first, second])}
    assert results[first.cdc].outcome is Outcome.APPROVED  # type: ignore[index]
    assert (results[second.cdc].outcome, results[second.cdc].code) == (  # type: ignore[index]
        Outcome.REJECTED, "1002")
    assert jsifen.approvals_by_number() == {(1, 1, 1, 7): 1}


def test_resending_an_approved_cdc_is_rejected_1001_and_not_issued_again(
    client: JsifenClient, jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    doc = jdoc(1, 5)
    send(client, doc)
    clock.advance(2)
    again = send(client, doc)  # the mistake Lote must never make
    clock.advance(2)
    assert [(r.outcome, r.code) for r in client.poll([again])] == [(Outcome.REJECTED, "1001")]
    assert jsifen.approvals_by_number() == {(1, 1, 1, 5): 1}
    assert jsifen.receipts_by_cdc() == {doc.cdc: 2}
    (attempt,) = client.lookup(again)
    assert attempt.outcome is Outcome.APPROVED  # the CDC as a whole stays approved


def test_resending_a_cdc_still_in_its_lote_blocks_the_ruc(
    client: JsifenClient, jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    doc = jdoc(1, 5)
    ref = send(client, doc)
    with pytest.raises(OutcomeUnknown, match="0301"):
        client.submit([doc])
    assert jsifen.receipts_by_cdc() == {doc.cdc: 2}  # SIFEN saw it: punishable
    assert jsifen.blocked_until() is not None
    with pytest.raises(OutcomeUnknown, match="bloqueado"):
        client.submit([jdoc(2, 6)])  # everything waits for the block
    (pending,) = client.lookup(ref)
    assert pending.outcome is Outcome.PROCESSING
    clock.advance(600)
    assert jsifen.blocked_until() is None
    assert client.submit([jdoc(2, 6)]).documents[0].outcome is Outcome.RECEIVED
    assert [r.outcome for r in client.poll([ref])] == [Outcome.APPROVED]
    assert jsifen.approvals_by_number() == {(1, 1, 1, 5): 1}


def test_a_rejected_document_may_be_corrected_and_resent_with_the_same_cdc(
    client: JsifenClient, jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    bad = jdoc(1, 3, ruc=ruc_with_wrong_dv("80012345"))
    first = send(client, bad)
    clock.advance(2)
    assert [r.outcome for r in client.poll([first])] == [Outcome.REJECTED]
    assert client.lookup(first) == []  # SIFEN's consulta DE: "no existe o ha sido rechazado"
    fixed = jdoc(1, 3)
    assert fixed.cdc == bad.cdc
    second = send(client, fixed)
    clock.advance(2)
    assert [r.outcome for r in client.poll([second])] == [Outcome.APPROVED]
    assert jsifen.approvals_by_number() == {(1, 1, 1, 3): 1}


# -- reconciling a lost answer by CDC -------------------------------------------------------------


def test_after_a_lost_answer_the_document_is_found_by_cdc_and_polled_by_its_lote(
    client: JsifenClient, jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    doc = jdoc(1, 4)
    jsifen.inject_fault(Fault.RESET_AFTER, path=r"/factura/async/recibe$")
    with pytest.raises(OutcomeUnknown):
        client.submit([doc])
    unknown = DocumentRef(local_id=1, tipo_documento=1, establecimiento="001", punto="001",
                          numero=4, cdc=doc.cdc)
    (pending,) = client.lookup(unknown)
    assert (pending.local_id, pending.outcome, pending.cdc) == (1, Outcome.PROCESSING, doc.cdc)
    assert pending.provider_ref == jsifen.lotes()[0]
    clock.advance(2)
    polled = DocumentRef(local_id=1, tipo_documento=1, establecimiento="001", punto="001",
                         numero=4, cdc=doc.cdc, provider_ref=pending.provider_ref)
    assert [r.outcome for r in client.poll([polled])] == [Outcome.APPROVED]
    assert jsifen.receipts_by_cdc() == {doc.cdc: 1}


def test_a_not_found_right_after_a_lost_answer_is_not_believed(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    """Real SIFEN's consulta DE says "no existe" for a DE still in its lote."""
    jsifen.pending_visible_by_cdc = False
    doc = jdoc(1, 4)
    ref = DocumentRef(local_id=1, tipo_documento=1, establecimiento="001", punto="001",
                      numero=4, cdc=doc.cdc)
    with JsifenClient(jsifen.url, TOKEN, emisor_ruc=EMISOR_RUC, clock=clock,
                      reconcile_grace_s=600) as client:
        jsifen.inject_fault(Fault.RESET_AFTER, path=r"/factura/async/recibe$")
        with pytest.raises(OutcomeUnknown):
            client.submit([doc])
        (unconfirmed,) = client.lookup(ref)
        assert (unconfirmed.local_id, unconfirmed.cdc, unconfirmed.outcome) == (
            1, doc.cdc, Outcome.PROCESSING)
        assert unconfirmed.provider_status == "Sin confirmar"
        assert client.poll([ref]) == []  # still nothing: no word, asked again later
        clock.advance(2)
        assert [r.outcome for r in client.poll([ref])] == [Outcome.APPROVED]
        assert [r.outcome for r in client.lookup(ref)] == [Outcome.APPROVED]
    assert jsifen.receipts_by_cdc() == {doc.cdc: 1}


def test_after_the_grace_a_not_found_means_never_received(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    jsifen.pending_visible_by_cdc = False
    doc = jdoc(1, 4)
    ref = DocumentRef(local_id=1, tipo_documento=1, establecimiento="001", punto="001",
                      numero=4, cdc=doc.cdc)
    with JsifenClient(jsifen.url, TOKEN, emisor_ruc=EMISOR_RUC, clock=clock,
                      reconcile_grace_s=600) as client:
        jsifen.inject_fault(Fault.RESET_BEFORE, path=r"/factura/async/recibe$")
        with pytest.raises(OutcomeUnknown):
            client.submit([doc])
        assert [r.outcome for r in client.lookup(ref)] == [Outcome.PROCESSING]
        clock.advance(601)
        (gone,) = client.poll([ref])
        assert (gone.local_id, gone.outcome, gone.code) == (1, Outcome.NOT_FOUND, "0420")
        assert client.lookup(ref) == []  # now the engine may queue it again
        assert client.poll([ref]) == []  # and nothing is remembered any more
    assert jsifen.receipts_by_cdc() == {}


def test_a_document_without_cdc_cannot_be_reconciled_and_is_never_declared_lost(
    client: JsifenClient,
) -> None:
    ref = DocumentRef(local_id=1, tipo_documento=1, establecimiento="001", punto="001", numero=1)
    with pytest.raises(OutcomeUnknown, match="CDC"):
        client.lookup(ref)


# -- failures ---------------------------------------------------------------------------------------


def test_wrong_token_is_an_auth_refusal_that_never_shows_the_token(
    jsifen: JsifenSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "jsifen-s3cr3t-do-not-log"
    caplog.set_level(logging.DEBUG)
    doc = jdoc(1)
    ref = DocumentRef(local_id=1, tipo_documento=1, establecimiento="001", punto="001",
                      numero=1, cdc=doc.cdc, provider_lote_id="1")
    with JsifenClient(jsifen.url, secret, emisor_ruc=EMISOR_RUC) as client:
        for call in (lambda: client.submit([doc]), lambda: client.poll([ref]),
                     lambda: client.lookup(ref), client.probe,
                     lambda: client.cancel(doc.cdc or "", "Error de carga")):
            with pytest.raises(CallRefused) as exc:
                call()
            assert exc.value.auth
            assert secret not in str(exc.value) and secret not in repr(exc.value)
        assert secret not in repr(client)
    assert secret not in caplog.text
    assert jsifen.attempts() == []


def test_an_emisor_the_gateway_does_not_know_is_its_error_interno(jsifen: JsifenSandbox) -> None:
    stranger = ruc_with_dv("80012345")
    with JsifenClient(jsifen.url, TOKEN, emisor_ruc=stranger) as client:
        with pytest.raises(OutcomeUnknown, match=f"Emisor no configurado: {stranger}"):
            client.probe()
        with pytest.raises(OutcomeUnknown, match="Emisor no configurado"):
            client.submit([jdoc(1)])
    assert jsifen.attempts() == []


def test_another_configured_emisor_issues_under_its_own_ruc(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    de = make_de(1, codigo_seguridad="7")
    doc = OutgoingDocument(local_id=1, payload=de, numero=numero_text(de))
    with JsifenClient(jsifen.url, TOKEN, emisor_ruc=OTHER_EMISOR, clock=clock) as client:
        (received,) = client.submit([doc]).documents
    assert received.cdc is not None and is_valid_cdc(received.cdc)
    assert received.cdc[2:10] == "04839205" and received.cdc[10] == OTHER_EMISOR[-1]
    assert received.cdc[24] == "1"  # that emisor is a persona física


def test_probe_passes_with_the_right_credentials(client: JsifenClient) -> None:
    client.probe()


def test_more_than_one_document_never_leaves_the_machine(
    client: JsifenClient, jsifen: JsifenSandbox
) -> None:
    with pytest.raises(ValueError):
        client.submit([jdoc(1), jdoc(2)])
    with pytest.raises(ValueError):
        client.submit([])
    assert jsifen.attempts() == []


def test_sandbox_down_is_connection_failed_for_every_call(
    client: JsifenClient, jsifen: JsifenSandbox
) -> None:
    doc = jdoc(1)
    ref = DocumentRef(local_id=1, tipo_documento=1, establecimiento="001", punto="001",
                      numero=1, cdc=doc.cdc, provider_lote_id="1")
    jsifen.set_down(True)
    for call in (lambda: client.submit([doc]), lambda: client.poll([ref]),
                 lambda: client.lookup(ref), client.probe,
                 lambda: client.cancel(doc.cdc or "", "Error de carga")):
        with pytest.raises(ConnectionFailed):
            call()
    jsifen.set_down(False)
    client.probe()
    assert client.submit([doc]).documents[0].outcome is Outcome.RECEIVED


SUBMIT_FAULTS = [Fault.HTTP_500, Fault.HTTP_503, Fault.HTML_PAGE, Fault.MALFORMED_JSON_AFTER,
                 Fault.HTTP_524_AFTER, Fault.RESET_AFTER, Fault.RESET_BEFORE]


@pytest.mark.parametrize("fault", SUBMIT_FAULTS)
def test_a_spoiled_answer_to_submit_is_an_unknown_outcome(
    client: JsifenClient, jsifen: JsifenSandbox, fault: Fault
) -> None:
    jsifen.inject_fault(fault, path=r"/factura/async/recibe$")
    with pytest.raises(OutcomeUnknown):
        client.submit([jdoc(1)])


def test_the_sandboxs_500_is_jsifens_error_interno_and_its_text_reaches_the_user(
    client: JsifenClient, jsifen: JsifenSandbox
) -> None:
    jsifen.inject_fault(Fault.HTTP_500, path=r"/factura/async/recibe$")
    with pytest.raises(OutcomeUnknown, match="«Error interno: "):
        client.submit([jdoc(1)])


@pytest.mark.parametrize("fault", SUBMIT_FAULTS)
def test_a_spoiled_answer_to_a_read_is_transient(
    client: JsifenClient, jsifen: JsifenSandbox, fault: Fault
) -> None:
    ref = send(client, jdoc(1))
    jsifen.inject_fault(fault, path=r"/consulta/")
    with pytest.raises(OutcomeUnknown):
        client.poll([ref])
    jsifen.inject_fault(fault, path=r"/consulta/")
    with pytest.raises(OutcomeUnknown):
        client.lookup(ref)
    assert [r.outcome for r in client.poll([ref])] == [Outcome.PROCESSING]  # and it passes


def test_a_read_timeout_after_sending_is_an_unknown_outcome(jsifen: JsifenSandbox) -> None:
    jsifen.latency = 0.5
    timeout = httpx.Timeout(0.2, connect=1.0)
    with JsifenClient(jsifen.url, TOKEN, emisor_ruc=EMISOR_RUC, timeout=timeout) as client:
        with pytest.raises(OutcomeUnknown):
            client.submit([jdoc(1)])
    assert len(jsifen.attempts()) == 1  # it was processed all the same


# -- cancelación -----------------------------------------------------------------------------------


def test_cancel_an_approved_factura_within_48_hours(
    client: JsifenClient, jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    ref = send(client, jdoc(1, 1))
    clock.advance(2)
    assert ref.cdc
    result = client.cancel(ref.cdc, "Error en el precio")
    assert result.accepted and (result.code, result.estado) == ("0600", "Aprobado")
    assert result.protocolo and result.cdc == ref.cdc
    assert jsifen.cancelled_cdcs() == {ref.cdc}
    again = client.cancel(ref.cdc, "Error en el precio")
    assert (again.accepted, again.code) == (False, "4003")


def test_cancel_is_refused_after_48_hours_or_for_an_unknown_cdc(
    client: JsifenClient, clock: FakeClock
) -> None:
    ref = send(client, jdoc(1, 1))
    assert ref.cdc
    pending = client.cancel(ref.cdc, "Error en el precio")
    assert (pending.accepted, pending.code) == (False, "4001")
    clock.advance(2 + 48 * 3600 + 1)
    late = client.cancel(ref.cdc, "Error en el precio")
    assert (late.accepted, late.code, late.estado) == (False, "4002", "Rechazado")


def test_a_bad_cancel_request_never_leaves_the_machine(
    client: JsifenClient, jsifen: JsifenSandbox
) -> None:
    doc = jdoc(1)
    assert doc.cdc
    calls = counting(client)
    with pytest.raises(ValueError):
        client.cancel(doc.cdc, "no")
    with pytest.raises(ValueError):
        client.cancel("123", "Error en el precio")
    assert calls == []


# -- the registry ------------------------------------------------------------------------------------


def test_registry_client_and_sandbox_work_together() -> None:
    with make_sandbox("jsifen", api_key=TOKEN, processing_delay=0) as sandbox:
        assert isinstance(sandbox, JsifenSandbox)
        client = make_provider_client("jsifen", base_url=sandbox.url, tenant="ignored",
                                      api_key=TOKEN, emisor_ruc=EMISOR_RUC, timeout=5.0)
        assert isinstance(client, JsifenClient)  # self-hosted: no tenant, it is ignored
        with client:
            assert client.max_batch == PROVIDER_DEFAULTS["jsifen"]["max_batch"] == 1
            client.probe()
            doc = jdoc(1, 1, fecha=datetime.now().strftime("%Y-%m-%dT%H:%M:%S"))
            submitted = client.submit([doc])
            ref = ref_for(doc, submitted.documents[0], submitted.lote_id)
            assert [r.outcome for r in client.poll([ref])] == [Outcome.APPROVED]


def test_registry_defaults_follow_jsifens_polling_advice() -> None:
    """Seed, "Best Practices": 30–60 s between queries."""
    defaults = PROVIDER_DEFAULTS["jsifen"]
    assert 30 <= defaults["poll_every_s"] <= 60
    assert defaults["country"] == "PY"
