"""The pure JSIFEN answer parsers on hand-written bodies.

The seed (seeds/jsifen-consulta-lote.txt) documents the lote query; the gateway's public
source (PROVIDERS.md, "JSIFEN") passes SIFEN's SOAP answers through as JSON. These bodies
cover both shapes, the "Error interno" 500s, and what the pages leave open.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from desktop_app.domain.cdc import is_valid_cdc
from desktop_app.providers.base import CallRefused, DocumentRef, Outcome, OutcomeUnknown
from desktop_app.providers.jsifen import (
    LoteStatus,
    estado_outcome,
    match_lote_results,
    parse_cancel_response,
    parse_consulta_de,
    parse_consulta_lote,
    parse_recibe_response,
)
from tests.providers.factories import make_doc

CDC_A = "01800695631001001000000122024101910000000015"
CDC_B = "01800695631001001000000222024101910000000023"
LOTE = "18446744073709551"

assert is_valid_cdc(CDC_A) and is_valid_cdc(CDC_B)


def body(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def ref(local_id: int, cdc: str | None, lote: str | None = LOTE) -> DocumentRef:
    return DocumentRef(local_id=local_id, tipo_documento=1, establecimiento="001", punto="001",
                       numero=local_id, cdc=cdc, provider_lote_id=lote)


# -- the one estado mapping ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("estado", "outcome"),
    [
        ("En Cola", Outcome.PROCESSING),
        ("Procesando", Outcome.PROCESSING),
        ("Aprobado", Outcome.APPROVED),
        ("Aprobado con observación", Outcome.APPROVED_WITH_OBSERVATIONS),
        ("APROBADO CON OBSERVACION", Outcome.APPROVED_WITH_OBSERVATIONS),
        ("Rechazado", Outcome.REJECTED),
        ("rechazado", Outcome.REJECTED),
        ("Inexistente", Outcome.NOT_FOUND),
        ("algo nuevo", Outcome.PROCESSING),
        (None, Outcome.PROCESSING),
    ],
)
def test_estado_maps_to_one_outcome(estado: str | None, outcome: Outcome) -> None:
    assert estado_outcome(estado) is outcome


# -- /factura/async/recibe ----------------------------------------------------------------


def test_received_answer_names_the_document_lote_and_cdc() -> None:
    doc = make_doc(7, 3)
    answer = {"codigo": "0300", "mensaje": "Lote recibido con éxito", "lote": LOTE, "cdc": CDC_A}
    result = parse_recibe_response(200, body(answer), doc)
    assert result.lote_id == LOTE
    (received,) = result.documents
    assert (received.outcome, received.local_id, received.cdc) == (Outcome.RECEIVED, 7, CDC_A)
    assert (received.code, received.message) == ("0300", "Lote recibido con éxito")
    assert received.numero == "001-001-0000003"
    assert received.provider_ref == LOTE  # one DE per lote: the lote is its handle


def test_sifens_soap_answer_passed_through_is_understood_too() -> None:
    doc = make_doc(1, 1, with_cdc=True)
    answer = {"env:Envelope": {"env:Header": "", "env:Body": {"ns2:rResEnviLoteDe": {
        "ns2:dFecProc": "2024-10-19T10:12:00-03:00", "ns2:dCodRes": 300,
        "ns2:dMsgRes": "Lote recibido con éxito", "ns2:dProtConsLote": 18446744073709551,
        "ns2:dTpoProces": 0}}}}
    result = parse_recibe_response(200, body(answer), doc)
    assert result.lote_id == LOTE  # an exact int, kept as text
    (received,) = result.documents
    assert received.code == "0300"  # the leading zero restored
    assert received.cdc == doc.cdc  # SIFEN's lote answer names no CDC: ours stands


def test_a_lote_number_that_went_through_a_float_is_not_trusted() -> None:
    doc = make_doc(1, 1, with_cdc=True)
    answer = b'{"codigo": "0300", "lote": 1.8446744073709552e16, "cdc": "' + CDC_A.encode() + b'"}'
    result = parse_recibe_response(200, answer, doc)
    assert result.lote_id is None  # followed by CDC instead
    assert result.documents[0].outcome is Outcome.RECEIVED


def test_received_without_lote_or_cdc_is_an_unknown_outcome() -> None:
    with pytest.raises(OutcomeUnknown):
        parse_recibe_response(200, body({"codigo": "0300"}), make_doc(1))


def test_lote_not_queued_0301_is_an_unknown_outcome_with_sifens_words() -> None:
    answer = {"codigo": "0301", "mensaje": "Lote no encolado para procesamiento: RUC bloqueado"}
    with pytest.raises(OutcomeUnknown) as exc:
        parse_recibe_response(200, body(answer), make_doc(1))
    assert "0301" in str(exc.value) and "RUC bloqueado" in str(exc.value)


def test_another_code_without_lote_is_an_unknown_outcome() -> None:
    with pytest.raises(OutcomeUnknown, match="0160"):
        parse_recibe_response(200, body({"codigo": 160, "mensaje": "XML mal formado"}),
                              make_doc(1))


def test_error_interno_500_on_submit_is_an_unknown_outcome_carrying_the_text() -> None:
    with pytest.raises(OutcomeUnknown) as exc:
        parse_recibe_response(500, b"Error interno: Connection reset by SIFEN", make_doc(1))
    assert "Error interno: Connection reset by SIFEN" in str(exc.value)
    assert "CDC" in str(exc.value)  # it says what happens next: ask before resending


@pytest.mark.parametrize("status", [401, 403])
def test_auth_statuses_are_refusals_of_the_credentials(status: int) -> None:
    with pytest.raises(CallRefused) as exc:
        parse_recibe_response(status, b"No autorizado", make_doc(1))
    assert exc.value.auth and exc.value.code == str(status)


@pytest.mark.parametrize(
    ("status", "raw"),
    [
        (200, b"<html><title>BIG-IP logout page</title></html>"),
        (200, b'{"codigo": "0300", "lote": "1844'),
        (200, b"[]"),
        (200, b'{"error": "Error consultando RUC: timeout"}'),
        (503, b"Service Unavailable"),
        (524, b"<html>524: A timeout occurred</html>"),
        (500, b'{"error": "NullPointerException"}'),
    ],
    ids=["html", "truncated", "array", "error-object", "503", "524", "500-json"],
)
def test_anything_unreadable_is_an_unknown_outcome(status: int, raw: bytes) -> None:
    with pytest.raises(OutcomeUnknown):
        parse_recibe_response(status, raw, make_doc(1))


# -- /consulta/lote ------------------------------------------------------------------------

SEED_SUCCESS = {
    "codigoLote": "0",
    "mensajeLote": "Lote procesado correctamente",
    "resultados": [
        {"cdc": CDC_A, "estado": "Aprobado", "codigoError": None, "mensajeError": None},
        {"cdc": CDC_B, "estado": "Rechazado", "codigoError": 3001,
         "mensajeError": "RUC del emisor no válido"},
    ],
}


def test_the_seeds_success_example_parses() -> None:
    status = parse_consulta_lote(200, body(SEED_SUCCESS))
    assert (status.codigo, status.mensaje, status.pending) == (
        "0", "Lote procesado correctamente", False)
    approved, rejected = status.results
    assert (approved.outcome, approved.cdc, approved.code) == (Outcome.APPROVED, CDC_A, None)
    assert approved.message == approved.provider_status == "Aprobado"
    assert (rejected.outcome, rejected.code, rejected.message) == (
        Outcome.REJECTED, "3001", "RUC del emisor no válido")


def test_the_seeds_still_processing_example_parses() -> None:
    seed = {"codigoLote": "1", "mensajeLote": "Lote en proceso", "resultados": [
        {"cdc": CDC_A, "estado": "Procesando", "codigoError": None, "mensajeError": None}]}
    status = parse_consulta_lote(200, body(seed))
    assert status.pending
    assert [(r.outcome, r.provider_status, r.message) for r in status.results] == [
        (Outcome.PROCESSING, "Procesando", None)]


def test_sifen_lote_codes_and_observations() -> None:
    answer = {"codigoLote": 362, "mensajeLote": "Procesamiento de lote concluido", "resultados": [
        {"cdc": CDC_A, "estado": "Aprobado con observación", "codigoError": 1005,
         "mensajeError": "Transmisión extemporánea del DE"},
        {"cdc": CDC_B, "estado": "Rechazado", "codigoError": 160,
         "mensajeError": "XML mal formado"}]}
    status = parse_consulta_lote(200, body(answer))
    assert status.codigo == "0362" and not status.pending
    observed, rejected = status.results
    assert observed.outcome is Outcome.APPROVED_WITH_OBSERVATIONS
    assert observed.observations == observed.message == "Transmisión extemporánea del DE"
    assert observed.code == "1005"
    assert rejected.code == "0160"  # an integer that lost its leading zero


def test_one_result_as_an_object_instead_of_a_list() -> None:
    answer = {"codigoLote": "0362", "mensajeLote": "concluido", "resultados": {
        "cdc": CDC_A, "estado": "Rechazado", "codigoError": 1307, "mensajeError": "Inactivo"}}
    (result,) = parse_consulta_lote(200, body(answer)).results
    assert (result.cdc, result.outcome, result.code) == (CDC_A, Outcome.REJECTED, "1307")


def test_sifens_soap_lote_answer_passed_through_is_understood_too() -> None:
    answer = {"env:Envelope": {"env:Body": {"ns2:rResEnviConsLoteDe": {
        "ns2:dFecProc": "2024-10-19T10:20:00-03:00", "ns2:dCodResLot": "0362",
        "ns2:dMsgResLot": "Procesamiento de lote concluido",
        "ns2:gResProcLote": {"ns2:id": CDC_A, "ns2:dEstRes": "Rechazado",
                             "ns2:gResProc": {"ns2:dCodRes": "1309",
                                              "ns2:dMsgRes": "DV del RUC incorrecto"}}}}}}
    status = parse_consulta_lote(200, body(answer))
    assert status.codigo == "0362"
    (result,) = status.results
    assert (result.cdc, result.outcome, result.code, result.message) == (
        CDC_A, Outcome.REJECTED, "1309", "DV del RUC incorrecto")


def test_error_interno_500_on_a_lote_query_is_transient() -> None:
    with pytest.raises(OutcomeUnknown) as exc:
        parse_consulta_lote(500, b"Error interno: numero de lote invalido: abc")
    assert "numero de lote invalido" in str(exc.value)
    assert "más tarde" in str(exc.value)


# -- matching a lote's results to our documents ---------------------------------------------


def test_results_are_matched_by_cdc_never_by_position() -> None:
    status = parse_consulta_lote(200, body(SEED_SUCCESS))
    matched, missing = match_lote_results(status, [ref(2, CDC_B), ref(1, CDC_A)])
    assert {(r.local_id, r.outcome) for r in matched} == {
        (1, Outcome.APPROVED), (2, Outcome.REJECTED)}
    assert missing == []


def test_a_pending_lote_answers_processing_for_documents_it_does_not_list() -> None:
    status = LoteStatus(codigo="0361", mensaje="Lote en procesamiento", results=[])
    matched, missing = match_lote_results(status, [ref(1, CDC_A)])
    assert [(r.local_id, r.outcome, r.code) for r in matched] == [
        (1, Outcome.PROCESSING, "0361")]
    assert missing == []


@pytest.mark.parametrize("codigo", ["0360", "0364", "0362"])
def test_a_concluded_unknown_or_old_lote_leaves_unlisted_documents_to_ask_by_cdc(
    codigo: str,
) -> None:
    status = LoteStatus(codigo=codigo, mensaje="...", results=[])
    matched, missing = match_lote_results(status, [ref(1, CDC_A)])
    assert matched == [] and [r.local_id for r in missing] == [1]


def test_a_stranger_cdc_in_a_lote_is_ignored() -> None:
    status = parse_consulta_lote(200, body(SEED_SUCCESS))
    matched, missing = match_lote_results(status, [ref(1, CDC_A)])
    assert [r.local_id for r in matched] == [1] and missing == []


def test_one_unnamed_result_for_a_one_document_lote_is_that_document() -> None:
    status = parse_consulta_lote(200, body({"codigoLote": "0362", "resultados": [
        {"estado": "Aprobado"}]}))
    matched, _ = match_lote_results(status, [ref(9, CDC_A)])
    assert [(r.local_id, r.cdc, r.outcome) for r in matched] == [(9, CDC_A, Outcome.APPROVED)]


# -- /consulta/de/json ----------------------------------------------------------------------


def test_cdc_found_answers_the_de_itself_and_means_approved() -> None:
    answer = {"DE": {"Id": CDC_A, "dDVId": 9, "gTimb": {"iTiDE": 1, "dEst": "001",
                                                        "dPunExp": "001", "dNumDoc": "0000001"}}}
    (found,) = parse_consulta_de(200, body(answer), CDC_A)
    assert (found.outcome, found.cdc, found.numero, found.code) == (
        Outcome.APPROVED, CDC_A, "001-001-0000001", "0422")


def test_cdc_not_found_0420_is_no_attempt() -> None:
    answer = {"Envelope": {"Body": {"rEnviConsDeResponse": {
        "dFecProc": "2024-10-19T10:20:00", "dCodRes": "0420",
        "dMsgRes": "Documento No Existe en SIFEN o ha sido Rechazado"}}}}
    assert parse_consulta_de(200, body(answer), CDC_A) == []


def test_a_de_still_in_its_lote_is_processing_with_the_lote() -> None:
    answer = {"Envelope": {"Body": {"rEnviConsDeResponse": {
        "dCodRes": "0361", "dMsgRes": f"DE en procesamiento en el lote {LOTE}",
        "dProtConsLote": LOTE}}}}
    (pending,) = parse_consulta_de(200, body(answer), CDC_A)
    assert (pending.outcome, pending.cdc, pending.provider_ref) == (
        Outcome.PROCESSING, CDC_A, LOTE)


def test_consulta_de_errors_come_as_a_json_500_and_are_transient() -> None:
    with pytest.raises(OutcomeUnknown, match="cdc requerido"):
        parse_consulta_de(500, body({"error": "cdc requerido"}), CDC_A)


def test_consulta_de_with_nothing_recognisable_is_not_taken_as_not_found() -> None:
    with pytest.raises(OutcomeUnknown):
        parse_consulta_de(200, body({"algo": 1}), CDC_A)


# -- /evento/cancelar -----------------------------------------------------------------------


def test_cancel_approved_by_sifen() -> None:
    answer = {"fechaProceso": "2024-10-19T11:00:00", "estadoResultado": "Aprobado",
              "protocoloAut": "123456789", "identificador": "7",
              "codigoResultado": "0600", "mensajeResultado": "Evento registrado correctamente"}
    result = parse_cancel_response(200, body(answer), CDC_A)
    assert result.accepted and result.cdc == CDC_A
    assert (result.code, result.protocolo, result.identificador) == ("0600", "123456789", "7")


def test_cancel_rejected_by_sifen() -> None:
    answer = {"estadoResultado": "Rechazado", "codigoResultado": "4002",
              "mensajeResultado": "Plazo para cancelar vencido"}
    result = parse_cancel_response(200, body(answer), CDC_A)
    assert not result.accepted
    assert (result.code, result.message) == ("4002", "Plazo para cancelar vencido")


def test_cancel_error_interno_leaves_the_event_unknown() -> None:
    with pytest.raises(OutcomeUnknown, match="Error interno"):
        parse_cancel_response(500, b"Error interno: SIFEN no responde", CDC_A)
