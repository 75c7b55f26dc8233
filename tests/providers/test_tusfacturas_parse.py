"""TusFacturas' pure mapping functions, fed with the answers printed in
seeds/tusfacturas-lotes.txt (verbatim where the seed gives one) and the consulta pages."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from desktop_app.credentials import DEMO_API_KEY
from desktop_app.providers.base import CallRefused, Outcome, OutcomeUnknown
from desktop_app.providers.tusfacturas import (
    DEMO_CREDENTIALS,
    MAX_REQUESTS,
    Credentials,
    build_consulta_body,
    build_lote_body,
    build_numeracion_body,
    order_for_lote,
    parse_consulta_response,
    parse_credentials,
    parse_lote_response,
    parse_numeracion_response,
    renumber,
    stale_dates,
    status_outcome,
)
from tests.domain.test_argentina_factories import CREDENTIALS, SECRET, outgoing

CREDS = Credentials(**CREDENTIALS)

OBSERVACION = (
    "AFIP genero el comprobante pero lo ha marcado como observado por los siguientes motivos: "
    "Observacion: Factura individual, DocTipo: 80, DocNro 22222222222 no se encuentra inscripto "
    "en condicion ACTIVA en el impuesto (IVA). [ codigo: 10063 ]. Dichas observaciones no "
    "requieren accion de su parte."
)

#: The seed's success answer (two FACTURA A, both observed; no external_reference).
SEED_SUCCESS = r"""{"error": "N", "errores": [], "response": [{
    "error": "N", "errores": [], "cae": "68466696512853 ", "comprobante_nro": "00003-00000074",
    "cae_vencimiento": "26\/11\/2018", "observaciones": "OBSERVACION",
    "envio_x_mail": "N", "envio_x_mail_direcciones": "",
    "rta": "El comprobante FACTURA A 00003-00000074 (XXXXXX) se ha guardado correctamente ",
    "vencimiento_cae": "26\/11\/2018", "vencimiento_pago": "16\/11\/2018", "comprobante_tipo": "FACTURA A",
    "afip_codigo_barras": "111111111110010000368466696512853201811262 ",
    "comprobante_pdf_url": "https:\/\/www.dominio.com\/00000074.pdf"
  }, {
    "error": "N", "errores": [], "cae": "68466696512866 ", "comprobante_nro": "00003-00000075",
    "cae_vencimiento": "26\/11\/2018", "observaciones": "OBSERVACION",
    "envio_x_mail": "N", "envio_x_mail_direcciones": "",
    "rta": "El comprobante FACTURA A 00003-00000075 (XXXXXX) se ha guardado correctamente ",
    "vencimiento_cae": "26\/11\/2018", "vencimiento_pago": "16\/11\/2018", "comprobante_tipo": "FACTURA A",
    "afip_codigo_barras": "111111111110010000368466696512866201811266 ",
    "comprobante_pdf_url": "https:\/\/www.dominio.com\/00000075.pdf"
  }]}""".replace("OBSERVACION", OBSERVACION)

#: The seed's "Error de Procesamiento": approved, rejected for its own fault, cascaded.
SEED_PARTIAL = r"""{"error": "S", "errores": [], "response": [{
    "error": "N", "errores": [], "cae": "68466696512853 ", "external_reference": "ABC123",
    "comprobante_nro": "00003-00000074", "cae_vencimiento": "26\/11\/2018", "observaciones": "",
    "envio_x_mail": "N", "envio_x_mail_direcciones": "",
    "rta": "El comprobante FACTURA A 00003-00000074 (XXXXXX) se ha guardado correctamente ",
    "vencimiento_cae": "26\/11\/2018", "vencimiento_pago": "16\/11\/2018", "comprobante_tipo": "FACTURA A",
    "afip_codigo_barras": "111111111110010000368466696512853201811262 ",
    "comprobante_pdf_url": "https:\/\/www.dominio.com\/074.pdf"
  }, {
    "error": "S",
    "errores": [" AFIP Factura electronica, rechazo el comprobante - ERROR: AFIP rechazo la generacion del comprobante Cod: 0",
                " AFIP Factura electronica, rechazo el comprobante - ERROR: El campo FchServDesde no puede ser posterior al campo FchServHasta. Cod: 10032"],
    "cae": "", "comprobante_nro": "00003-00000082", "external_reference": "ABC124",
    "cae_vencimiento": "", "observaciones": "", "envio_x_mail": "", "envio_x_mail_direcciones": ""
  }, {
    "error": "S",
    "errores": [" AFIP Factura electronica, rechazo el comprobante - ERROR: AFIP rechazo la generacion del comprobante Cod: 0"],
    "cae": "", "comprobante_nro": "00003-00000083", "external_reference": "ABC125",
    "cae_vencimiento": "", "observaciones": "", "envio_x_mail": "", "envio_x_mail_direcciones": ""
  }]}"""

SEED_REFUSAL = (
    '{"error": "S", "errores": ["El comprobante enviado en la fila 1 (comenzando en 0) tiene un '
    'tipo de comprobante diferente."]}'
)


def rows_for(*docs: Any) -> Any:
    return order_for_lote(list(docs))


# -- credentials --------------------------------------------------------------------------


def test_credentials_come_from_one_json_secret() -> None:
    creds = parse_credentials(SECRET)
    assert creds.as_body() == CREDENTIALS
    assert "tok-123" not in repr(creds) and "usr-456" not in repr(creds)
    assert parse_credentials('{"apitoken": "a", "apikey": 0, "usertoken": "u"}').apikey == "0"
    assert parse_credentials(DEMO_API_KEY).as_body() == DEMO_CREDENTIALS


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ('{"apitoken": "s3cr3t", "usertoken": "t0k3n"}', "Falta el campo «apikey» en la clave de TusFacturas."),
        ('{"apitoken": "s3cr3t", "apikey": "k", "usertoken": " "}', "Falta el campo «usertoken» en la clave de TusFacturas."),
        ("s3cr3t-plain-text", "La clave de TusFacturas debe ser un objeto JSON"),
        ('["s3cr3t"]', "La clave de TusFacturas debe ser un objeto JSON"),
    ],
)
def test_a_bad_secret_names_the_problem_never_the_secret(secret: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_credentials(secret)
    assert str(info.value).startswith(message)
    assert "s3cr3t" not in str(info.value) and "t0k3n" not in str(info.value)


# -- building ---------------------------------------------------------------------------------


def test_lote_body_carries_credentials_on_top_and_in_every_request() -> None:
    body = build_lote_body(rows_for(outgoing(1, 7), outgoing(2, 8)), CREDS)
    assert {k: body[k] for k in ("apitoken", "apikey", "usertoken")} == CREDENTIALS
    assert len(body["requests"]) == 2
    for request, numero, ref in zip(body["requests"], (7, 8), ("ref-1", "ref-2"), strict=True):
        assert {k: request[k] for k in ("apitoken", "apikey", "usertoken")} == CREDENTIALS
        assert request["comprobante"]["numero"] == numero
        assert request["comprobante"]["external_reference"] == ref
        assert request["cliente"]["documento_tipo"] == "DNI"


def test_lote_is_ordered_by_date_then_number_whatever_the_input_order() -> None:
    today = date.today()
    docs = [outgoing(1, 5), outgoing(2, 3), outgoing(3, 4, fecha=today - timedelta(days=1))]
    rows = order_for_lote(docs)
    assert [(r.doc.local_id, r.numero, r.index) for r in rows] == [(3, 4, 2), (2, 3, 1), (1, 5, 0)]
    assert [r.numero for r in renumber(rows, 41)] == [41, 42, 43]


def test_what_tusfacturas_would_refuse_never_leaves_the_machine() -> None:
    with pytest.raises(ValueError, match="one comprobante type"):
        order_for_lote([outgoing(1, 1), outgoing(2, 2, tipo="FACTURA A")])
    with pytest.raises(ValueError, match="one punto de venta"):
        order_for_lote([outgoing(1, 1), outgoing(2, 2, punto_venta=4)])
    with pytest.raises(ValueError, match="at most 100"):
        order_for_lote([outgoing(i, i) for i in range(1, MAX_REQUESTS + 2)])
    with pytest.raises(ValueError, match="share an external_reference"):
        order_for_lote([outgoing(1, 1, external_reference="x"), outgoing(2, 2, external_reference="x")])
    with pytest.raises(ValueError, match="at least one"):
        order_for_lote([])
    no_ref = outgoing(1, 1)
    del no_ref.payload["comprobante"]["external_reference"]
    with pytest.raises(ValueError, match="no external_reference"):
        order_for_lote([type(no_ref)(local_id=1, payload=no_ref.payload, numero="x")])


def test_stale_and_future_dates_are_named_by_engine_index() -> None:
    today = date(2025, 3, 20)
    docs = [outgoing(1, 1, fecha=date(2025, 3, 14)), outgoing(2, 2, fecha=date(2025, 3, 15)),
            outgoing(3, 3, fecha=date(2025, 3, 26)),
            outgoing(4, 4, fecha=date(2025, 3, 10), periodo_facturado_desde="01/03/2025",
                     periodo_facturado_hasta="05/03/2025")]
    problems = stale_dates(order_for_lote(docs), today)
    assert sorted(problems) == [0, 2]
    assert "esperó demasiado en la cola" in problems[0] and "REFECHAR" in problems[0]
    assert "10016" in problems[2]


def test_consulta_and_numeracion_bodies() -> None:
    assert build_consulta_body(CREDS, "abc") == {
        **CREDENTIALS, "busqueda_tipo": "EXT_REF", "pagina": 0, "limite": 100,
        "comprobante": {"external_reference": "abc", "operacion": "V"}}
    assert build_numeracion_body(CREDS, 6, 3) == {
        **CREDENTIALS, "comprobante": {"tipo": "FACTURA B", "operacion": "V", "punto_venta": 3}}


# -- the one mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "outcome"),
    [
        ({"error": "N"}, Outcome.APPROVED),
        ({"error": "N", "observaciones": "obs"}, Outcome.APPROVED_WITH_OBSERVATIONS),
        ({"error": "N", "observaciones": " "}, Outcome.APPROVED),
        ({"error": "S"}, Outcome.REJECTED),
        ({"error": "S", "cascaded": True}, Outcome.NOT_PROCESSED),
        ({"status": "EMITIDO"}, Outcome.APPROVED),
        ({"status": "EMITIDO", "observaciones": "obs"}, Outcome.APPROVED_WITH_OBSERVATIONS),
        ({"status": "APROBADO Y EN COLA. SE EMITE EL 16/03/2022"}, Outcome.PROCESSING),
        ({"status": "EN COLA, ESPERANDO APROBACION"}, Outcome.PROCESSING),
        ({"status": "ENVIADO A PROCESAR - CON ERROR"}, Outcome.REJECTED),
        ({"status": "ENVIADO A PROCESAR - CON ERROR", "cascaded": True}, Outcome.NOT_PROCESSED),
        ({}, Outcome.PROCESSING),
    ],
)
def test_status_vocabulary_maps_to_outcomes(kwargs: dict[str, Any], outcome: Outcome) -> None:
    assert status_outcome(**kwargs) is outcome


# -- lote answers ----------------------------------------------------------------------------------


def seed_rows(n: int, tipo: str = "FACTURA A", first: int = 74) -> Any:
    docs = [outgoing(10 + i, first + i, tipo=tipo, external_reference=f"ABC{123 + i}") for i in range(n)]
    return order_for_lote(docs)


def test_seed_success_answer_is_two_observed_approvals_matched_by_number() -> None:
    rows = seed_rows(2)
    result = parse_lote_response(200, SEED_SUCCESS, rows)
    assert result.lote_id is None
    first, second = result.documents
    assert (first.local_id, second.local_id) == (10, 11)
    assert first.outcome is Outcome.APPROVED_WITH_OBSERVATIONS
    assert first.cae == "68466696512853"  # trailing space gone
    assert first.cae_expiry == "2018-11-26"
    assert first.numero == "00003-00000074" and second.numero == "00003-00000075"
    assert first.provider_ref == "FACTURA A 00003-00000074"
    assert first.observations == OBSERVACION
    assert first.code == "10063"
    assert first.message == "El comprobante FACTURA A 00003-00000074 (XXXXXX) se ha guardado correctamente"
    assert first.provider_status == "N"


def test_seed_partial_answer_tells_own_fault_from_cascade() -> None:
    rows = order_for_lote([
        outgoing(10, 74, tipo="FACTURA A", external_reference="ABC123"),
        outgoing(11, 82, tipo="FACTURA A", external_reference="ABC124"),
        outgoing(12, 83, tipo="FACTURA A", external_reference="ABC125"),
    ])
    approved, own, victim = parse_lote_response(200, SEED_PARTIAL, rows).documents
    assert (approved.local_id, approved.outcome) == (10, Outcome.APPROVED)
    assert approved.observations is None and approved.code is None
    assert (own.local_id, own.outcome, own.code) == (11, Outcome.REJECTED, "10032")
    assert own.message == ("AFIP Factura electronica, rechazo el comprobante - ERROR: El campo "
                           "FchServDesde no puede ser posterior al campo FchServHasta. Cod: 10032")
    assert own.cae is None and own.numero is None
    assert (victim.local_id, victim.outcome) == (12, Outcome.NOT_PROCESSED)
    assert victim.message and victim.message.startswith("No procesado: un comprobante anterior")
    assert "Cod: 0" in victim.message


def test_cascade_is_decided_by_position_even_when_a_victim_names_its_own_code() -> None:
    data = json.loads(SEED_PARTIAL)
    data["response"][2]["errores"].append(" ... ERROR: DocNro invalido. Cod: 10015")
    rows = order_for_lote([
        outgoing(10, 74, tipo="FACTURA A", external_reference="ABC123"),
        outgoing(11, 82, tipo="FACTURA A", external_reference="ABC124"),
        outgoing(12, 83, tipo="FACTURA A", external_reference="ABC125"),
    ])
    outcomes = [d.outcome for d in parse_lote_response(200, json.dumps(data), rows).documents]
    assert outcomes == [Outcome.APPROVED, Outcome.REJECTED, Outcome.NOT_PROCESSED]


def test_items_are_matched_by_reference_not_position() -> None:
    data = json.loads(SEED_PARTIAL)
    data["response"].reverse()
    rows = order_for_lote([
        outgoing(10, 74, tipo="FACTURA A", external_reference="ABC123"),
        outgoing(11, 82, tipo="FACTURA A", external_reference="ABC124"),
        outgoing(12, 83, tipo="FACTURA A", external_reference="ABC125"),
    ])
    by_id = {d.local_id: d.outcome for d in parse_lote_response(200, json.dumps(data), rows).documents}
    assert by_id == {10: Outcome.APPROVED, 11: Outcome.REJECTED, 12: Outcome.NOT_PROCESSED}


def test_a_missing_item_is_left_for_the_engine_to_ask_about() -> None:
    data = json.loads(SEED_PARTIAL)
    del data["response"][0]
    rows = order_for_lote([
        outgoing(10, 74, tipo="FACTURA A", external_reference="ABC123"),
        outgoing(11, 82, tipo="FACTURA A", external_reference="ABC124"),
        outgoing(12, 83, tipo="FACTURA A", external_reference="ABC125"),
    ])
    docs = parse_lote_response(200, json.dumps(data), rows).documents
    # 10 is missing (-> UNKNOWN in the engine); after it nobody can be blamed for sure.
    assert [(d.local_id, d.outcome) for d in docs] == [
        (11, Outcome.NOT_PROCESSED), (12, Outcome.NOT_PROCESSED)]


def test_items_without_any_key_are_matched_by_position_when_counts_agree() -> None:
    data = json.loads(SEED_SUCCESS)
    for entry in data["response"]:
        del entry["comprobante_nro"]
    rows = seed_rows(2)
    assert [d.local_id for d in parse_lote_response(200, json.dumps(data), rows).documents] == [10, 11]


def test_nested_and_single_object_responses_are_tolerated() -> None:
    item = json.loads(SEED_SUCCESS)["response"][0]
    nested = {"error": "N", "errores": [], "response": [{"error": "N", "errores": [], "response": [item]}]}
    single = {"error": "N", "errores": [], "response": item}
    for body in (nested, single):
        [doc] = parse_lote_response(200, json.dumps(body), seed_rows(1)).documents
        assert doc.outcome is Outcome.APPROVED_WITH_OBSERVATIONS


def test_an_approval_without_cae_is_received_to_be_polled() -> None:
    data = json.loads(SEED_SUCCESS)
    data["response"][0]["cae"] = " "
    first, _ = parse_lote_response(200, json.dumps(data), seed_rows(2)).documents
    assert first.outcome is Outcome.RECEIVED and first.numero == "00003-00000074"


def test_whole_call_validation_error_is_a_refusal_attributed_to_its_row() -> None:
    rows = order_for_lote([outgoing(5, 2), outgoing(6, 1), outgoing(7, 3)])  # sent 6, 5, 7
    with pytest.raises(CallRefused) as info:
        parse_lote_response(200, SEED_REFUSAL, rows)
    assert not info.value.auth
    # "fila 1" is the second request sent: document 5, which the engine listed first.
    assert info.value.errors == {0: "El comprobante enviado en la fila 1 (comenzando en 0) "
                                    "tiene un tipo de comprobante diferente."}
    assert "tipo de comprobante diferente" in str(info.value)


def test_a_refusal_naming_no_row_names_no_document() -> None:
    with pytest.raises(CallRefused) as info:
        parse_lote_response(200, '{"error": "S", "errores": ["No se pueden enviar más de 100 requests"]}',
                            seed_rows(2))
    assert info.value.errors == {} and not info.value.auth


def test_credential_errors_are_auth_refusals_without_the_secret() -> None:
    body = '{"error": "S", "errores": ["Las credenciales de acceso (apitoken, apikey, usertoken) son incorrectas."]}'
    with pytest.raises(CallRefused) as info:
        parse_lote_response(200, body, seed_rows(1))
    assert info.value.auth and "tok-123" not in str(info.value)
    for status in (401, 403):
        with pytest.raises(CallRefused) as info:
            parse_lote_response(status, "", seed_rows(1))
        assert info.value.auth


def test_maintenance_is_a_refusal_of_its_own() -> None:
    body = json.dumps({"error": "S", "mantenimiento": 1, "mantenimiento_hasta": "26/07/2026 05:25",
                       "errores": ["Estaremos realizando tareas de mantenimiento hasta las 05:25"]})
    with pytest.raises(CallRefused) as info:
        parse_lote_response(200, body, seed_rows(1))
    assert info.value.code == "MANTENIMIENTO" and "26/07/2026 05:25" in str(info.value)


def test_429_is_a_refusal_to_back_off_from() -> None:
    with pytest.raises(CallRefused) as info:
        parse_lote_response(429, "Too Many Requests", seed_rows(1), {"Retry-After": "3"})
    assert info.value.code == "429" and not info.value.auth and info.value.errors == {}
    assert "3 s" in str(info.value)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (524, "<html><body>524: A timeout occurred</body></html>"),
        (500, '{"error": "S", "errores": ["Error interno"]}'),
        (502, ""),
        (503, "Service Unavailable"),
        (200, "<html><head><title>BIG-IP logout page</title></head></html>"),
        (200, '{"error": "N", "response": [{"cae": "'),
        (200, '{"error": "N", "errores": []}'),  # no response at all, yet no error
        (200, "[]"),
        (404, '{"error": "S", "errores": ["no existe"]}'),
    ],
)
def test_anything_unreadable_after_sending_is_an_unknown_outcome(status: int, body: str) -> None:
    with pytest.raises(OutcomeUnknown):
        parse_lote_response(status, body, seed_rows(1))


def test_524_says_the_platform_keeps_processing() -> None:
    with pytest.raises(OutcomeUnknown, match="sigue procesando"):
        parse_lote_response(524, "", seed_rows(1))


# -- consulta and numeracion ---------------------------------------------------------------------


def _entry(numero: int, status: str, cae: str = "", **extra: Any) -> dict[str, Any]:
    return {"cliente": {"documento_tipo": "DNI", "documento_nro": "1292963535 "},
            "comprobante": {"tipo": "NOTA DE DEBITO B", "punto_venta": 2, "numero": numero,
                            "cae": cae, "vencimiento_cae": "30/05/2021" if cae else "",
                            "external_reference": "Lun141", "status": status, **extra}}


def test_consulta_lists_attempts_oldest_first_with_the_approval_last() -> None:
    body = {"rta": "OK", "error": "N", "total": 3, "errores": [], "comprobantes": [
        _entry(6, "EMITIDO", "65301278726386 ", afip_observaciones="Observacion ... [ codigo: 10217 ]. "),
        _entry(5, "ENVIADO A PROCESAR - CON ERROR", errores=["ERROR: DocNro invalido. Cod: 10015"]),
        _entry(5, "APROBADO Y EN COLA. SE EMITE EL 16/03/2022"),
    ]}
    results = parse_consulta_response(200, json.dumps(body))
    assert [r.outcome for r in results] == [
        Outcome.PROCESSING, Outcome.REJECTED, Outcome.APPROVED_WITH_OBSERVATIONS]
    approved = results[-1]
    assert approved.cae == "65301278726386" and approved.cae_expiry == "2021-05-30"
    assert approved.numero == "00002-00000006"
    assert approved.provider_ref == "NOTA DE DEBITO B 00002-00000006"
    assert approved.code == "10217" and approved.observations
    assert results[1].code == "10015" and results[1].numero is None


def test_consulta_error_with_only_afips_generic_code_is_not_the_documents_fault() -> None:
    body = {"error": "N", "errores": [], "comprobantes": [_entry(
        5, "ENVIADO A PROCESAR - CON ERROR",
        errores=["AFIP rechazo la generacion del comprobante Cod: 0"])]}
    [result] = parse_consulta_response(200, json.dumps(body))
    assert result.outcome is Outcome.NOT_PROCESSED


def test_consulta_with_nothing_found_is_an_empty_list_and_failures_are_classified() -> None:
    empty = '{"rta": "OK", "error": "N", "total": 0, "errores": [], "comprobantes": []}'
    assert parse_consulta_response(200, empty) == []
    with pytest.raises(CallRefused):
        parse_consulta_response(200, '{"error": "S", "errores": ["busqueda_tipo invalido"]}')
    with pytest.raises(OutcomeUnknown):
        parse_consulta_response(200, '{"error": "N"}')
    with pytest.raises(OutcomeUnknown):
        parse_consulta_response(524, "")


def test_numeracion_answers_the_next_number() -> None:
    body = ('{"error": "N", "errores": [""], "rta": "OK", "comprobante": {"tipo": "NOTA DE DEBITO B",'
            ' "operacion": "V", "punto_venta": 2, "numero": 6}}')
    assert parse_numeracion_response(200, body) == 6
    with pytest.raises(CallRefused):
        parse_numeracion_response(200, '{"error": "S", "errores": ["tipo invalido"]}')
    with pytest.raises(OutcomeUnknown):
        parse_numeracion_response(200, '{"error": "N", "comprobante": {}}')
