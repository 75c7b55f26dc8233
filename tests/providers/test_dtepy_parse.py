"""DTEpy's pure mapping functions, on the page's own examples (seeds/dtepy-api.txt).

Each test is a rule of the contract: the lote answer, the lote query with its
list-or-object quirk, the query by CDC, the synchronous answer, and how failures are
classified (base.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from desktop_app.providers.base import (
    CallRefused,
    DocumentRef,
    Outcome,
    OutcomeUnknown,
)
from desktop_app.providers.dtepy import (
    LoteAnswer,
    build_de,
    build_lote_body,
    build_sync_body,
    check_probe_response,
    emisor_id,
    missing_cdc,
    parse_consulta_lote_response,
    parse_consulta_response,
    parse_lote_response,
    parse_sync_response,
    results_for_refs,
    sifen_outcome,
)
from tests.providers.factories import make_doc

NS = {"xmlns:ns2": "http://ekuatia.set.gov.py/sifen/xsd"}
CDC_A = "12345678901234567890123456789012345678901234"
CDC_B = "11111111112222222222333333333344444444445555"


def _body(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def _ref(local_id: int, numero: int, cdc: str | None, lote: str | None = "1") -> DocumentRef:
    return DocumentRef(
        local_id=local_id,
        tipo_documento=1,
        establecimiento="001",
        punto="001",
        numero=numero,
        cdc=cdc,
        provider_lote_id=lote,
    )


# -- the page's examples ----------------------------------------------------------------

LOTE_RECEIVED = {
    "ns2:rResEnviLoteDe": {
        "$": NS,
        "ns2:dFecProc": "2019-06-03T12:00:00",
        "ns2:dCodRes": "0300",
        "ns2:dMsgRes": "Lote recibido con éxito",
        "ns2:dProtConsLote": "123456789012345678",
        "ns2:dTpoProces": "32",
    }
}

LOTE_TWO_RESULTS = {
    "ns2:rResEnviConsLoteDe": {
        "$": NS,
        "ns2:dFecProc": "2019-06-03T12:00:00",
        "ns2:dCodResLot": "0362",
        "ns2:dMsgResLot": "Procesamiento de lote {159204793632399660} concluido",
        "ns2:gResProcLote": [
            {
                "ns2:id": CDC_A,
                "ns2:dEstRes": "Aprobado",
                "ns2:dProtAut": "12345678",
                "ns2:gResProc": {"ns2:dCodRes": "0422", "ns2:dMsgRes": "CDC encontrado"},
            },
            {
                "ns2:id": CDC_B,
                "ns2:dEstRes": "Rechazado",
                "ns2:gResProc": {
                    "ns2:dCodRes": "0160",
                    "ns2:dMsgRes": "aqui va el motivo del error por rechazo",
                },
            },
        ],
    },
    "id": 10,
}

LOTE_ONE_RESULT = {
    "ns2:rResEnviConsLoteDe": {
        "$": NS,
        "ns2:dFecProc": "2019-06-03T12:00:00",
        "ns2:dCodResLot": "0362",
        "ns2:dMsgResLot": "Procesamiento de lote {159204793632399660} concluido",
        "ns2:gResProcLote": {
            "ns2:id": CDC_A,
            "ns2:dEstRes": "Aprobado",
            "ns2:dProtAut": "12345678",
            "ns2:gResProc": {"ns2:dCodRes": "0422", "ns2:dMsgRes": "CDC encontrado"},
        },
    },
    "id": 10,
}

CDC_FOUND = {
    "ns2:rEnviConsDeResponse": {
        "$": NS,
        "ns2:dFecProc": "2023-08-10T15:14:26-04:00",
        "ns2:dCodRes": "0422",
        "ns2:dMsgRes": "CDC encontrado",
        "ns2:xContenDE": "<rContDe><rDE/><dProtAut>39837276</dProtAut></rContDe>",
    },
    "id": 44,
}

SYNC_APPROVED = {
    "ns2:rRetEnviDe": {
        "$": NS,
        "ns2:rProtDe": {
            "ns2:Id": CDC_A,
            "ns2:dFecProc": "2023-07-29T08:39:44-04:00",
            "ns2:dDigVal": "d2h1V3hPYWZTV01leUlVNEpIMFZqRFMrRjVpQkM2RSt5UG9rVTkzajhzaz0=",
            "ns2:dEstRes": "Aprobado",
            "ns2:dProtAut": "39837276",
            "ns2:gResProc": {
                "ns2:dCodRes": "0260",
                "ns2:dMsgRes": "Autorización del DE satisfactoria",
            },
        },
    },
    "id": 1,
}


# -- the one mapping of SIFEN's words -----------------------------------------------------


@pytest.mark.parametrize(
    ("estado", "code", "outcome"),
    [
        ("Aprobado", "0260", Outcome.APPROVED),
        ("Aprobado con observación", "1005", Outcome.APPROVED_WITH_OBSERVATIONS),
        ("APROBADO CON OBSERVACION", None, Outcome.APPROVED_WITH_OBSERVATIONS),
        ("Rechazado", "0160", Outcome.REJECTED),
        (None, "0260", Outcome.APPROVED),
        (None, "0422", Outcome.APPROVED),
        (None, "0300", Outcome.RECEIVED),
        (None, "0361", Outcome.PROCESSING),
        (None, "0360", Outcome.NOT_FOUND),
        (None, "0420", Outcome.NOT_FOUND),
        ("Cancelado", "0600", Outcome.PROCESSING),
        (None, None, Outcome.PROCESSING),
    ],
)
def test_sifen_words_map_to_one_outcome(
    estado: str | None, code: str | None, outcome: Outcome
) -> None:
    assert sifen_outcome(estado, code) is outcome


# -- building requests -----------------------------------------------------------------------


def test_lote_body_names_type_emisor_and_carries_each_de_with_its_cdc() -> None:
    docs = [make_doc(1, with_cdc=True), make_doc(2, with_cdc=True)]
    body = build_lote_body(docs, emisor_id("1"))
    assert body["tipoDocumento"] == 1 and body["id"] == 1
    assert [de["numero"] for de in body["detalle"]] == [1, 2]
    for doc, de in zip(docs, body["detalle"], strict=True):
        assert doc.cdc is not None
        assert de["cdc"] == doc.cdc
        assert de["codigoSeguridadAleatorio"] == doc.cdc[34:43]
    assert "cdc" not in docs[0].payload  # the stored payload is not touched


def test_emisor_id_is_a_number_when_the_tenant_is_digits() -> None:
    assert emisor_id(" 10 ") == 10
    assert emisor_id("empresa-a") == "empresa-a"


def test_a_stored_security_code_is_kept() -> None:
    doc = make_doc(1, with_cdc=True, codigo_seguridad="000000042")
    assert build_de(doc)["codigoSeguridadAleatorio"] == "000000042"


@pytest.mark.parametrize(
    "docs",
    [
        [],
        [make_doc(n, with_cdc=True) for n in range(1, 52)],
        [make_doc(1, with_cdc=True), make_doc(2, with_cdc=True, tipo=5)],
        [make_doc(1, with_cdc=True), make_doc(1, with_cdc=True)],
    ],
    ids=["empty", "51", "mixed-types", "same-cdc-twice"],
)
def test_lotes_sifen_would_punish_are_never_built(docs: list[Any]) -> None:
    with pytest.raises(ValueError):
        build_lote_body(docs, 1)


def test_documents_without_cdc_are_singled_out() -> None:
    docs = [make_doc(1, with_cdc=True), make_doc(2)]
    assert [d.local_id for d in missing_cdc(docs)] == [2]


def test_sync_body_is_the_de_naming_the_emisor() -> None:
    body = build_sync_body(make_doc(3, with_cdc=True), "abc")
    assert body["id"] == "abc" and body["numero"] == 3 and len(body["cdc"]) == 44


# -- the lote answer -------------------------------------------------------------------------


def test_lote_received_reports_each_document_under_its_own_cdc() -> None:
    docs = [make_doc(7, with_cdc=True), make_doc(8, with_cdc=True)]
    result = parse_lote_response(200, _body(LOTE_RECEIVED), docs)
    assert result.lote_id == "123456789012345678"
    assert [(d.local_id, d.cdc, d.outcome) for d in result.documents] == [
        (7, docs[0].cdc, Outcome.RECEIVED),
        (8, docs[1].cdc, Outcome.RECEIVED),
    ]
    assert {d.code for d in result.documents} == {"0300"}
    assert {d.message for d in result.documents} == {"Lote recibido con éxito"}


def test_a_17_digit_lote_number_sent_as_a_json_number_stays_exact_text() -> None:
    docs = [make_doc(1, with_cdc=True)]
    for raw in ("11158097383597290", "1.1158097383597290e16"):
        text = json.dumps(LOTE_RECEIVED).replace('"123456789012345678"', raw)
        assert parse_lote_response(200, text, docs).lote_id == "11158097383597290"


def test_lote_not_queued_0301_refuses_the_whole_call_and_names_nobody() -> None:
    answer = {
        "ns2:rResEnviLoteDe": {
            "$": NS,
            "ns2:dCodRes": "0301",
            "ns2:dMsgRes": "Lote no encolado para procesamiento",
        }
    }
    with pytest.raises(CallRefused) as info:
        parse_lote_response(200, _body(answer), [make_doc(1, with_cdc=True)])
    assert info.value.code == "0301"
    assert info.value.errors == {}
    assert info.value.auth  # the engine backs off instead of resending at once
    assert "0301" in str(info.value)


def test_received_without_lote_number_is_still_received() -> None:
    answer = json.loads(json.dumps(LOTE_RECEIVED))
    del answer["ns2:rResEnviLoteDe"]["ns2:dProtConsLote"]
    result = parse_lote_response(200, _body(answer), [make_doc(1, with_cdc=True)])
    assert result.lote_id is None
    assert result.documents[0].outcome is Outcome.RECEIVED


def test_answers_without_the_ns2_prefix_are_read_too() -> None:
    answer = {"rResEnviLoteDe": {"dCodRes": "0300", "dProtConsLote": "55"}}
    assert parse_lote_response(200, _body(answer), [make_doc(1, with_cdc=True)]).lote_id == "55"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, b"<html><head><title>BIG-IP logout page</title></head></html>"),
        (200, b'{"ns2:rResEnviLoteDe": {"ns2:dCodRes": "03'),
        (200, b'{"unexpected": true}'),
        (200, b"[]"),
        (200, _body({"ns2:rResEnviLoteDe": {"ns2:dCodRes": "0999"}})),
        (500, _body({"error": "Error interno"})),
        (502, b"Bad Gateway"),
        (503, b"Service Unavailable"),
        (524, b"<html>524: A timeout occurred</html>"),
        (400, b"<html>Bad Request</html>"),
    ],
    ids=[
        "html-big-ip",
        "truncated",
        "no-root",
        "array",
        "unknown-code",
        "500",
        "502",
        "503",
        "524",
        "400-html",
    ],
)
def test_anything_unreadable_after_sending_is_an_unknown_outcome(status: int, body: bytes) -> None:
    with pytest.raises(OutcomeUnknown):
        parse_lote_response(status, body, [make_doc(1, with_cdc=True)])


@pytest.mark.parametrize("status", [401, 403])
def test_credentials_refused(status: int) -> None:
    with pytest.raises(CallRefused) as info:
        parse_lote_response(status, b'{"auth": false}', [make_doc(1, with_cdc=True)])
    assert info.value.auth and info.value.code == str(status)


def test_dtepy_structure_errors_refuse_the_call_naming_documents_by_index() -> None:
    answer = {
        "error": True,
        "mensaje": "Se encontraron errores en 1 documento(s) del lote",
        "errores": [
            {"indice": 1, "mensaje": "El campo fecha es requerido"},
            {"indice": "1", "mensaje": "items es requerido"},
        ],
    }
    with pytest.raises(CallRefused) as info:
        parse_lote_response(400, _body(answer), [make_doc(1, with_cdc=True)] * 2)
    assert info.value.errors == {1: "El campo fecha es requerido; items es requerido"}
    assert not info.value.auth and info.value.code == "400"


# -- the lote query and its quirk -------------------------------------------------------------


def test_lote_with_several_documents_returns_a_list() -> None:
    answer = parse_consulta_lote_response(200, _body(LOTE_TWO_RESULTS))
    assert answer.code == "0362"
    assert answer.lote_id == "159204793632399660"
    assert [(r.cdc, r.outcome, r.code, r.provider_ref) for r in answer.results] == [
        (CDC_A, Outcome.APPROVED, "0422", "12345678"),
        (CDC_B, Outcome.REJECTED, "0160", None),
    ]
    assert answer.results[1].message == "aqui va el motivo del error por rechazo"
    assert answer.results[1].provider_status == "Rechazado"


def test_lote_with_one_document_returns_an_object_not_a_list() -> None:
    answer = parse_consulta_lote_response(200, _body(LOTE_ONE_RESULT))
    assert [(r.cdc, r.outcome, r.provider_ref) for r in answer.results] == [
        (CDC_A, Outcome.APPROVED, "12345678")
    ]


def test_a_rejection_with_several_reasons_lists_gresproc() -> None:
    payload = json.loads(json.dumps(LOTE_ONE_RESULT))
    item = payload["ns2:rResEnviConsLoteDe"]["ns2:gResProcLote"]
    item["ns2:dEstRes"] = "Rechazado"
    item["ns2:gResProc"] = [
        {"ns2:dCodRes": "1309", "ns2:dMsgRes": "Dígito verificador del RUC incorrecto"},
        {"ns2:dCodRes": "2365", "ns2:dMsgRes": "Total incorrecto"},
    ]
    (result,) = parse_consulta_lote_response(200, _body(payload)).results
    assert result.outcome is Outcome.REJECTED
    assert result.code == "1309"
    assert result.message == "Dígito verificador del RUC incorrecto; Total incorrecto"


def test_approved_with_observation_keeps_the_observation() -> None:
    payload = json.loads(json.dumps(LOTE_ONE_RESULT))
    item = payload["ns2:rResEnviConsLoteDe"]["ns2:gResProcLote"]
    item["ns2:dEstRes"] = "Aprobado con observación"
    item["ns2:gResProc"] = {"ns2:dCodRes": "1005", "ns2:dMsgRes": "Transmisión extemporánea del DE"}
    (result,) = parse_consulta_lote_response(200, _body(payload)).results
    assert result.outcome is Outcome.APPROVED_WITH_OBSERVATIONS
    assert result.observations == "Transmisión extemporánea del DE"


def test_lote_still_processing_has_no_results_but_names_the_lote() -> None:
    payload = {
        "ns2:rResEnviConsLoteDe": {
            "$": NS,
            "ns2:dCodResLot": "0361",
            "ns2:dMsgResLot": "Lote {11158097383597290} en procesamiento",
        }
    }
    answer = parse_consulta_lote_response(200, _body(payload))
    assert (answer.code, answer.lote_id, answer.results) == ("0361", "11158097383597290", [])


def test_results_are_matched_to_documents_by_cdc_never_by_position() -> None:
    answer = parse_consulta_lote_response(200, _body(LOTE_TWO_RESULTS))
    refs = [_ref(20, 2, CDC_B), _ref(10, 1, CDC_A)]
    matched = {r.local_id: r.outcome for r in results_for_refs(answer, refs)}
    assert matched == {10: Outcome.APPROVED, 20: Outcome.REJECTED}


def test_a_document_without_cdc_is_matched_by_the_number_its_cdc_spells() -> None:
    doc = make_doc(1, 9, with_cdc=True)
    assert doc.cdc is not None
    payload = json.loads(json.dumps(LOTE_ONE_RESULT))
    payload["ns2:rResEnviConsLoteDe"]["ns2:gResProcLote"]["ns2:id"] = doc.cdc
    answer = parse_consulta_lote_response(200, _body(payload))
    (result,) = results_for_refs(answer, [_ref(5, 8, None), _ref(6, 9, None)])
    assert (result.local_id, result.cdc) == (6, doc.cdc)


def test_processing_and_unknown_lotes_speak_for_every_document() -> None:
    refs = [_ref(1, 1, CDC_A), _ref(2, 2, CDC_B)]
    busy = results_for_refs(LoteAnswer("0361", "Lote {1} en procesamiento"), refs)
    assert [(r.local_id, r.outcome, r.cdc) for r in busy] == [
        (1, Outcome.PROCESSING, CDC_A),
        (2, Outcome.PROCESSING, CDC_B),
    ]
    gone = results_for_refs(LoteAnswer("0360", "Número del Lote inexistente"), refs)
    assert {r.outcome for r in gone} == {Outcome.NOT_FOUND}
    assert results_for_refs(LoteAnswer("0364", "Consulta extemporánea de Lote"), refs) == []


# -- the query by CDC and the synchronous answer ---------------------------------------------------


def test_cdc_found_is_approved_with_its_authorisation_number() -> None:
    result = parse_consulta_response(200, _body(CDC_FOUND), CDC_A)
    assert result is not None
    assert (result.outcome, result.cdc, result.code, result.provider_ref) == (
        Outcome.APPROVED,
        CDC_A,
        "0422",
        "39837276",
    )


def test_cdc_not_found_or_rejected_is_none() -> None:
    payload = {
        "ns2:rEnviConsDeResponse": {
            "ns2:dCodRes": "0420",
            "ns2:dMsgRes": "Documento No Existe en SIFEN o ha sido Rechazado",
        }
    }
    assert parse_consulta_response(200, _body(payload), CDC_A) is None


def test_an_unexpected_cdc_answer_is_not_guessed() -> None:
    payload = {"ns2:rEnviConsDeResponse": {"ns2:dCodRes": "0421", "ns2:dMsgRes": "?"}}
    with pytest.raises(OutcomeUnknown):
        parse_consulta_response(200, _body(payload), CDC_A)


def test_sync_answer_is_final_and_names_the_document() -> None:
    doc = make_doc(4, with_cdc=True)
    result = parse_sync_response(200, _body(SYNC_APPROVED), doc)
    assert (result.outcome, result.local_id, result.code, result.provider_ref) == (
        Outcome.APPROVED,
        4,
        "0260",
        "39837276",
    )
    assert result.cdc == CDC_A  # SIFEN's word is kept (a mismatch is logged)


def test_sync_0301_is_a_refusal_not_a_rejection() -> None:
    payload = json.loads(json.dumps(SYNC_APPROVED))
    prot = payload["ns2:rRetEnviDe"]["ns2:rProtDe"]
    prot["ns2:dEstRes"] = "Rechazado"
    prot["ns2:gResProc"] = {"ns2:dCodRes": "0301", "ns2:dMsgRes": "RUC bloqueado"}
    with pytest.raises(CallRefused) as info:
        parse_sync_response(200, _body(payload), make_doc(1, with_cdc=True))
    assert info.value.code == "0301" and info.value.errors == {}


def test_sync_html_page_is_unknown() -> None:
    with pytest.raises(OutcomeUnknown):
        parse_sync_response(200, b"<html>BIG-IP logout page</html>", make_doc(1, with_cdc=True))


# -- the probe -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [b'{"fechaExpiracion": "2026-01-01"}', b'"2026-01-01"', b"365", b""]
)
def test_any_plain_2xx_answer_to_the_probe_means_reachable(body: bytes) -> None:
    check_probe_response(200, body)


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, b"<html><title>BIG-IP logout page</title></html>", OutcomeUnknown),
        (503, b"Service Unavailable", OutcomeUnknown),
        (401, b'{"auth": false}', CallRefused),
    ],
)
def test_the_probe_fails_on_html_errors_and_bad_tokens(
    status: int, body: bytes, error: type[Exception]
) -> None:
    with pytest.raises(error):
        check_probe_response(status, body)
