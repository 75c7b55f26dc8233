"""The pure FacturaSend mapping functions on hand-written bodies.

The public page (seeds/facturasend-lote-create.txt) documents one happy answer; these
bodies cover what it leaves open: missing fields, extra fields, string indexes, other
orders, HTML and truncated answers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from desktop_app.providers.base import CallRefused, Outcome, OutcomeUnknown
from desktop_app.providers.facturasend import (
    build_lote_body,
    estado_outcome,
    parse_estado_response,
    parse_lote_response,
    parse_numero_response,
)
from tests.providers.factories import make_doc

CDC_A = "01800695631001001000000122024101910000000019"
CDC_B = "01800695631001001000000222024101910000000027"


def body(payload: Any) -> bytes:
    return json.dumps(payload).encode()


# -- build_lote_body -------------------------------------------------------------------


def test_lote_body_is_the_payloads_in_order() -> None:
    docs = [make_doc(1), make_doc(2), make_doc(3)]
    assert [de["numero"] for de in build_lote_body(docs)] == [1, 2, 3]


def test_lote_body_with_one_document_is_still_a_list() -> None:
    assert isinstance(build_lote_body([make_doc(1)]), list)


def test_lote_body_carries_the_security_code_of_a_known_cdc() -> None:
    doc = make_doc(1, with_cdc=True)
    (de,) = build_lote_body([doc])
    assert de["codigoSeguridadAleatorio"] == doc.cdc[34:43]  # type: ignore[index]
    assert "codigoSeguridadAleatorio" not in doc.payload  # the stored payload is untouched


def test_lote_body_refuses_more_than_fifty_mixed_types_or_none() -> None:
    with pytest.raises(ValueError):
        build_lote_body([make_doc(n) for n in range(1, 52)])
    with pytest.raises(ValueError):
        build_lote_body([make_doc(1, tipo=1), make_doc(2, tipo=5)])
    with pytest.raises(ValueError):
        build_lote_body([])
    assert len(build_lote_body([make_doc(n) for n in range(1, 51)])) == 50


# -- parse_lote_response ----------------------------------------------------------------


def test_lote_answer_is_matched_by_numero_not_by_position() -> None:
    docs = [make_doc(10, 1), make_doc(11, 2)]
    answer = {
        "success": True,
        "result": {
            "loteId": 22,
            "deList": [
                {"cdc": CDC_B, "numero": "001-001-0000002", "estado": "0-Generado"},
                {"cdc": CDC_A, "numero": "001-001-0000001", "estado": "0-Generado"},
            ],
        },
    }
    result = parse_lote_response(200, body(answer), docs)
    assert result.lote_id == "22"
    assert [(d.local_id, d.cdc, d.numero) for d in result.documents] == [
        (10, CDC_A, "001-001-0000001"),
        (11, CDC_B, "001-001-0000002"),
    ]
    assert {d.outcome for d in result.documents} == {Outcome.RECEIVED}
    assert {d.provider_status for d in result.documents} == {"0-Generado"}


def test_lote_answer_tolerates_missing_and_extra_fields() -> None:
    doc = make_doc(1, 1, with_cdc=True)
    answer = {
        "success": True,
        "extra": {"x": 1},
        "result": {
            "deList": [
                {
                    "numero": "1-1-1",
                    "xml": "<rDE/>",
                    "qr": "https://...",
                    "dIVA10": 10000,
                    "unexpected": [1, 2],
                },
            ]
        },
    }
    (only,) = parse_lote_response(200, json.dumps(answer), [doc]).documents
    assert only.cdc == doc.cdc  # no cdc in the answer: keep the one we computed
    assert only.provider_status == "0-Generado"
    assert only.outcome is Outcome.RECEIVED
    assert parse_lote_response(200, json.dumps(answer), [doc]).lote_id is None


def test_lote_answer_with_an_immediate_final_state_keeps_it() -> None:
    doc = make_doc(1, 1)
    answer = {
        "success": True,
        "result": {
            "loteId": 1,
            "deList": [{"cdc": CDC_A, "numero": "001-001-0000001", "estado": "2-Aprobado"}],
        },
    }
    (only,) = parse_lote_response(200, body(answer), [doc]).documents
    assert only.outcome is Outcome.APPROVED


def test_success_answer_missing_a_document_is_an_unknown_outcome() -> None:
    docs = [make_doc(1, 1), make_doc(2, 2)]
    answer = {
        "success": True,
        "result": {
            "loteId": 3,
            "deList": [{"cdc": CDC_A, "numero": "001-001-0000001", "estado": "0-Generado"}],
        },
    }
    with pytest.raises(OutcomeUnknown):
        parse_lote_response(200, body(answer), docs)
    with pytest.raises(OutcomeUnknown):
        parse_lote_response(200, body({"success": True, "result": {"loteId": 3}}), docs)


def test_refusal_keeps_messages_verbatim_keyed_by_index_given_as_int_or_string() -> None:
    docs = [make_doc(1), make_doc(2), make_doc(3)]
    answer = {
        "success": False,
        "error": "Errores de validación",
        "errores": [
            {"index": "1", "error": "El campo fecha es requerido"},
            {"index": 2, "error": "items[0].ivaTipo es requerido"},
            {"index": 2, "error": "El campo numero debe ser numérico"},
            {"error": "sin índice"},
        ],
    }
    with pytest.raises(CallRefused) as exc:
        parse_lote_response(200, body(answer), docs)
    assert exc.value.errors == {
        1: "El campo fecha es requerido",
        2: "items[0].ivaTipo es requerido; El campo numero debe ser numérico",
    }
    assert "Errores de validación" in str(exc.value)
    assert "sin índice" in str(exc.value)
    assert not exc.value.auth


def test_refusal_without_errores_is_still_a_refusal() -> None:
    with pytest.raises(CallRefused) as exc:
        parse_lote_response(200, body({"success": False, "error": "Lote vacío"}), [make_doc(1)])
    assert str(exc.value) == "Lote vacío"
    assert exc.value.errors == {}


def test_a_400_with_an_explicit_refusal_is_a_refusal() -> None:
    with pytest.raises(CallRefused):
        parse_lote_response(400, body({"success": False, "error": "x"}), [make_doc(1)])


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_are_auth_refusals(status: int) -> None:
    with pytest.raises(CallRefused) as exc:
        parse_lote_response(
            status, body({"success": False, "error": "API Key inválida"}), [make_doc(1)]
        )
    assert exc.value.auth


@pytest.mark.parametrize(
    ("status", "raw"),
    [
        (500, b'{"success": false, "error": "boom"}'),
        (502, b"Bad Gateway"),
        (503, b""),
        (524, b"<html>A timeout occurred</html>"),
        (200, b"<html><title>BIG-IP logout page</title></html>"),
        (200, b'{"success": true, "result": {"deList": [{"cdc": "'),
        (200, b"[1, 2]"),
        (200, b"\xff\xfe"),
        (404, b'{"success": false, "error": "not found"}'),
        (429, b'{"success": false, "error": "too many"}'),
    ],
)
def test_anything_unreadable_after_sending_is_an_unknown_outcome(status: int, raw: bytes) -> None:
    with pytest.raises(OutcomeUnknown):
        parse_lote_response(status, raw, [make_doc(1)])


# -- estado / numero ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("estado", "situacion", "outcome"),
    [
        ("0-Generado", 0, Outcome.PROCESSING),
        ("0-Generado", None, Outcome.PROCESSING),
        ("2-Aprobado", None, Outcome.APPROVED),
        (None, 2, Outcome.APPROVED),
        (None, "2", Outcome.APPROVED),
        ("Aprobado", None, Outcome.APPROVED),
        ("3-Aprobado con observación", 3, Outcome.APPROVED_WITH_OBSERVATIONS),
        ("Aprobado con Observación", None, Outcome.APPROVED_WITH_OBSERVATIONS),
        ("4-Rechazado", 4, Outcome.REJECTED),
        ("Rechazado", None, Outcome.REJECTED),
        ("98-Inexistente", 98, Outcome.NOT_FOUND),
        ("Inexistente", None, Outcome.NOT_FOUND),
        ("99-Cancelado", 99, Outcome.PROCESSING),
        ("En cola", None, Outcome.PROCESSING),
        (None, None, Outcome.PROCESSING),
    ],
)
def test_estado_mapping(estado: str | None, situacion: object, outcome: Outcome) -> None:
    assert estado_outcome(estado, situacion) is outcome


def test_estado_answer_maps_each_entry_and_keeps_codes() -> None:
    answer = {
        "success": True,
        "deList": [
            {
                "cdc": CDC_A,
                "numero": "001-001-0000001",
                "estado": "2-Aprobado",
                "situacion": 2,
                "respuesta_codigo": "0260",
                "respuesta_mensaje": "Autorización del DE satisfactoria",
                "extra": True,
            },
            {
                "cdc": CDC_B,
                "estado": "4-Rechazado",
                "respuesta_codigo": 1309,
                "respuesta_mensaje": "Dígito verificador del RUC del receptor incorrecto",
            },
            {"cdc": "0" * 44, "situacion": 98},
        ],
    }
    a, b, c = parse_estado_response(200, body(answer))
    assert (a.outcome, a.code, a.message, a.provider_status, a.numero) == (
        Outcome.APPROVED,
        "0260",
        "Autorización del DE satisfactoria",
        "2-Aprobado",
        "001-001-0000001",
    )
    assert (b.outcome, b.code, b.numero) == (Outcome.REJECTED, "1309", None)
    assert (c.outcome, c.code, c.message, c.provider_status) == (
        Outcome.NOT_FOUND,
        None,
        None,
        "98",
    )


def test_unknown_estado_text_is_kept_verbatim() -> None:
    answer = {"success": True, "deList": [{"cdc": CDC_A, "estado": "99-Cancelado"}]}
    (only,) = parse_estado_response(200, body(answer))
    assert only.outcome is Outcome.PROCESSING
    assert only.provider_status == "99-Cancelado"


def test_estado_answer_nested_under_result_is_accepted() -> None:
    answer = {"success": True, "result": {"deList": [{"cdc": CDC_A, "estado": "2-Aprobado"}]}}
    assert parse_estado_response(200, body(answer))[0].outcome is Outcome.APPROVED


def test_estado_answer_with_a_single_object_instead_of_a_list() -> None:
    answer = {"success": True, "deList": {"cdc": CDC_A, "estado": "4-Rechazado"}}
    assert parse_estado_response(200, body(answer))[0].outcome is Outcome.REJECTED


def test_estado_failures_are_classified() -> None:
    with pytest.raises(CallRefused) as exc:
        parse_estado_response(401, b"")
    assert exc.value.auth
    with pytest.raises(CallRefused):
        parse_estado_response(200, body({"success": False, "error": "cdcList requerido"}))
    for status, raw in [(500, b""), (200, b"<html/>"), (200, b'{"success": true}')]:
        with pytest.raises(OutcomeUnknown):
            parse_estado_response(status, raw)


def test_numero_answer_keeps_the_order_of_attempts() -> None:
    answer = {
        "success": True,
        "deList": [
            {
                "cdc": CDC_A,
                "numero": "001-001-0000001",
                "estado": "4-Rechazado",
                "respuesta_codigo": "1309",
            },
            {
                "cdc": CDC_B,
                "numero": "001-001-0000001",
                "estado": "2-Aprobado",
                "respuesta_codigo": "0260",
            },
        ],
    }
    results = parse_numero_response(200, body(answer))
    assert [(r.cdc, r.outcome) for r in results] == [
        (CDC_A, Outcome.REJECTED),
        (CDC_B, Outcome.APPROVED),
    ]
    assert parse_numero_response(200, body({"success": True, "deList": []})) == []
