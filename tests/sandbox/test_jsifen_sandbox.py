"""JSIFEN's dialect as the sandbox speaks it, checked with raw HTTP requests.

The wire shapes follow seeds/jsifen-consulta-lote.txt and PROVIDERS.md ("JSIFEN"); the
client's view of the same behaviour lives in tests/providers/test_jsifen_client.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import httpx
import pytest

from desktop_app.domain.cdc import build_cdc, is_valid_cdc
from desktop_app.providers.jsifen import de_to_sifen
from desktop_app.sandbox.jsifen import DEMO_CANCELLED_RUC, LOTE_START, JsifenSandbox
from desktop_app.sandbox.server import Fault
from tests.providers.factories import FakeClock, make_de, ruc_with_dv

TOKEN = "jsifen-token-demo"
HEADERS = {"token": TOKEN}
NOW = datetime(2024, 10, 19, 12, 0, 0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def jsifen(clock: FakeClock) -> Iterator[JsifenSandbox]:
    with JsifenSandbox(api_key=TOKEN, clock=clock, now=lambda: NOW, processing_delay=2.0) as sb:
        yield sb


def sifen_body(numero: int = 1, *, codigo: str = "123456789", **de_kwargs: Any) -> dict[str, Any]:
    """A DE in SIFEN's names, as JsifenClient sends it (emisor 80069563-1, persona jurídica)."""
    return de_to_sifen(make_de(numero, codigo_seguridad=codigo, **de_kwargs), "80069563-1",
                       tipo_contribuyente=2)


def recibe(sb: JsifenSandbox, body: Any = None, *, raw: bytes | None = None,
           headers: dict[str, str] | None = None) -> httpx.Response:
    url = f"{sb.url}/factura/async/recibe"
    hdrs = HEADERS if headers is None else headers
    if raw is not None:
        return httpx.post(url, content=raw, headers=hdrs)
    return httpx.post(url, json=body, headers=hdrs)


def lote(sb: JsifenSandbox, number: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(f"{sb.url}/consulta/lote", json={"lote": number},
                      headers=HEADERS if headers is None else headers)


def consulta_de(sb: JsifenSandbox, cdc: Any) -> httpx.Response:
    return httpx.post(f"{sb.url}/consulta/de/json", json={"cdc": cdc}, headers=HEADERS)


# -- /factura/async/recibe ---------------------------------------------------------------


def test_recibe_answers_the_lote_number_and_the_cdc(jsifen: JsifenSandbox) -> None:
    r = recibe(jsifen, sifen_body(5))
    assert r.status_code == 200
    data = r.json()
    assert (data["codigo"], data["mensaje"]) == ("0300", "Lote recibido con éxito")
    assert isinstance(data["lote"], str) and len(data["lote"]) == 17
    assert int(data["lote"]) > 2**53  # a float would lose its last digits
    assert is_valid_cdc(data["cdc"])
    assert data["fechaProceso"] == "2024-10-19T12:00:00"


def test_every_de_gets_a_lote_of_its_own(jsifen: JsifenSandbox) -> None:
    lotes = [recibe(jsifen, sifen_body(n)).json()["lote"] for n in (1, 2, 3)]
    assert lotes == [str(LOTE_START + n) for n in range(3)]


def test_the_cdc_is_computed_from_the_sifen_fields(jsifen: JsifenSandbox) -> None:
    body = sifen_body(9, codigo="42")
    body.update({"dEst": "002", "dPunExp": "005", "iTipCont": 1})
    cdc = recibe(jsifen, body).json()["cdc"]
    assert cdc == build_cdc(tipo_documento=1, ruc="80069563", dv=1, establecimiento=2, punto=5,
                            numero=9, tipo_contribuyente=1, fecha=date(2024, 10, 19),
                            tipo_emision=1, codigo_seguridad="000000042")


def test_without_drucem_or_itipcont_the_emisors_configuration_applies(
    jsifen: JsifenSandbox,
) -> None:
    body = sifen_body(9, codigo="42")
    for key in ("dRucEm", "dDVEmi", "iTipCont"):
        del body[key]
    cdc = recibe(jsifen, body).json()["cdc"]
    assert cdc[2:11] == "800695631" and cdc[24] == "2"


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda b: b.pop("dCodSeg"), "dCodSeg"),
        (lambda b: b.pop("Detalles"), "Detalles"),
        (lambda b: b.update({"Detalles": []}), "Detalles"),
        (lambda b: b.update({"dFeEmiDE": "19/10/2024"}), "dFeEmiDE"),
        (lambda b: b.update({"dNumDoc": "ABC"}), "dNumDoc"),
        (lambda b: b.update({"dRucEm": "80012345", "dDVEmi": 0}), "no corresponde al Emisor"),
        (lambda b: b["Detalles"][0].pop("iAfecIVA"), "iAfecIVA"),
    ],
    ids=["no-dCodSeg", "no-Detalles", "empty-Detalles", "bad-date", "bad-number",
         "other-ruc", "no-iAfecIVA"],
)
def test_a_malformed_de_is_jsifens_error_interno_and_creates_nothing(
    jsifen: JsifenSandbox, mutate: Any, words: str
) -> None:
    body = sifen_body(1)
    mutate(body)
    r = recibe(jsifen, body)
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith("Error interno: ") and words in r.text
    assert jsifen.attempts() == [] and jsifen.receipts_by_cdc() == {}


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_error_interno(
    jsifen: JsifenSandbox, raw: bytes
) -> None:
    r = recibe(jsifen, raw=raw)
    assert r.status_code == 500 and r.text.startswith("Error interno: ")


@pytest.mark.parametrize("headers", [{}, {"token": "wrong"}], ids=["missing", "wrong"])
def test_every_endpoint_wants_the_token(jsifen: JsifenSandbox, headers: dict[str, str]) -> None:
    for path, body in (("/factura/async/recibe", sifen_body(1)), ("/consulta/lote", {"lote": "1"}),
                       ("/consulta/de/json", {"cdc": "0" * 44}),
                       ("/evento/cancelar", {"cdc": "0" * 44, "motivo": "motivo largo"})):
        r = httpx.post(f"{jsifen.url}{path}", json=body, headers=headers)
        assert r.status_code == 401, path
        assert r.headers["content-type"].startswith("text/plain")
    assert jsifen.attempts() == []


def test_an_emisor_not_configured_is_error_interno(jsifen: JsifenSandbox) -> None:
    stranger = ruc_with_dv("80012345")
    headers = {**HEADERS, "Emisor": stranger}
    r = recibe(jsifen, sifen_body(1), headers=headers)
    assert (r.status_code, r.text) == (500, f"Error interno: Emisor no configurado: {stranger}")
    assert lote(jsifen, "1", headers=headers).status_code == 500
    assert jsifen.attempts() == []


def test_the_emisor_header_selects_a_configured_emisor(clock: FakeClock) -> None:
    other = ruc_with_dv("4839205")
    with JsifenSandbox(api_key=TOKEN, clock=clock, now=lambda: NOW,
                       other_emisores={other: 1}) as sb:
        body = de_to_sifen(make_de(1, codigo_seguridad="1"), other)
        r = recibe(sb, body, headers={**HEADERS, "Emisor": other})
        assert r.status_code == 200
        cdc = r.json()["cdc"]
        assert cdc[2:10] == "04839205" and cdc[24] == "1"
        # its lote is not the default emisor's
        assert lote(sb, r.json()["lote"]).json()["codigoLote"] == "0360"


# -- /consulta/lote -----------------------------------------------------------------------


def test_a_lote_goes_en_cola_then_procesando_then_aprobado(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    received = recibe(jsifen, sifen_body(1)).json()
    queued = lote(jsifen, received["lote"]).json()
    assert queued == {"codigoLote": "0361",
                      "mensajeLote": f"Lote {received['lote']} en procesamiento",
                      "resultados": [{"cdc": received["cdc"], "estado": "En Cola",
                                      "codigoError": None, "mensajeError": None}]}
    clock.advance(1)
    assert lote(jsifen, received["lote"]).json()["resultados"][0]["estado"] == "Procesando"
    clock.advance(1)
    done = lote(jsifen, int(received["lote"])).json()  # a number is read as the same lote
    assert done == {"codigoLote": "0362",
                    "mensajeLote": f"Procesamiento de lote {received['lote']} concluido",
                    "resultados": [{"cdc": received["cdc"], "estado": "Aprobado",
                                    "codigoError": None, "mensajeError": None}]}
    assert jsifen.approvals_by_number() == {(1, 1, 1, 1): 1}


def test_a_rejection_carries_an_integer_code_and_a_message(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    received = recibe(jsifen, sifen_body(1, ruc=DEMO_CANCELLED_RUC)).json()
    clock.advance(2)
    (result,) = lote(jsifen, received["lote"]).json()["resultados"]
    assert result["estado"] == "Rechazado"
    assert result["codigoError"] == 1307 and isinstance(result["codigoError"], int)
    assert "inactivo" in result["mensajeError"]
    assert jsifen.approvals_by_number() == {}


def test_a_late_de_is_approved_with_an_observation(jsifen: JsifenSandbox, clock: FakeClock) -> None:
    received = recibe(jsifen, sifen_body(1, fecha="2024-10-15T09:00:00")).json()
    clock.advance(2)
    (result,) = lote(jsifen, received["lote"]).json()["resultados"]
    assert (result["estado"], result["codigoError"]) == ("Aprobado con observación", 1005)
    assert jsifen.approvals_by_number() == {(1, 1, 1, 1): 1}


def test_a_signature_date_in_the_body_is_what_lateness_counts_from(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    body = sifen_body(1, fecha="2024-10-15T09:00:00")
    body["dFecFirma"] = "2024-10-19T11:00:00"
    received = recibe(jsifen, body).json()
    clock.advance(2)
    assert lote(jsifen, received["lote"]).json()["resultados"][0]["estado"] == "Aprobado"


def test_lote_codes_for_unknown_invalid_and_old_lotes(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    assert lote(jsifen, "12345").json() == {
        "codigoLote": "0360", "mensajeLote": "Número de lote inexistente: 12345",
        "resultados": []}
    bad = lote(jsifen, "ab-12")
    assert (bad.status_code, bad.text) == (500, "Error interno: número de lote inválido: ab-12")
    missing = httpx.post(f"{jsifen.url}/consulta/lote", json={}, headers=HEADERS)
    assert missing.status_code == 500 and missing.text.startswith("Error interno: ")
    received = recibe(jsifen, sifen_body(1)).json()
    clock.advance(48 * 3600 + 1)
    old = lote(jsifen, received["lote"]).json()
    assert (old["codigoLote"], old["resultados"]) == ("0364", [])


def test_results_as_a_single_object_when_asked_for_the_quirk(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    jsifen.results_as_object = True
    received = recibe(jsifen, sifen_body(1)).json()
    clock.advance(2)
    resultados = lote(jsifen, received["lote"]).json()["resultados"]
    assert isinstance(resultados, dict) and resultados["estado"] == "Aprobado"


def test_no_processing_delay_means_final_at_the_first_query(clock: FakeClock) -> None:
    with JsifenSandbox(api_key=TOKEN, clock=clock, now=lambda: NOW, processing_delay=0) as sb:
        received = recibe(sb, sifen_body(1)).json()
        assert lote(sb, received["lote"]).json()["codigoLote"] == "0362"


# -- /consulta/de/json ----------------------------------------------------------------------


def test_consulta_de_answers_0361_while_in_the_lote_then_the_de(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    received = recibe(jsifen, sifen_body(3)).json()
    pending = consulta_de(jsifen, received["cdc"]).json()
    inner = pending["Envelope"]["Body"]["rEnviConsDeResponse"]
    assert (inner["dCodRes"], inner["dProtConsLote"]) == ("0361", received["lote"])
    clock.advance(2)
    found = consulta_de(jsifen, received["cdc"]).json()
    assert found["DE"]["Id"] == received["cdc"]
    assert found["DE"]["gTimb"] == {"iTiDE": 1, "dEst": "001", "dPunExp": "001",
                                    "dNumDoc": "0000003"}


def test_consulta_de_of_a_rejected_or_unknown_cdc_is_0420(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    received = recibe(jsifen, sifen_body(1, ruc=DEMO_CANCELLED_RUC)).json()
    clock.advance(2)
    for cdc in (received["cdc"], "0" * 44):
        inner = consulta_de(jsifen, cdc).json()["Envelope"]["Body"]["rEnviConsDeResponse"]
        assert (inner["dCodRes"], inner["dMsgRes"]) == (
            "0420", "Documento No Existe en SIFEN o ha sido Rechazado")


def test_like_real_sifen_a_pending_de_can_read_as_not_existing(jsifen: JsifenSandbox) -> None:
    jsifen.pending_visible_by_cdc = False
    received = recibe(jsifen, sifen_body(1)).json()
    inner = consulta_de(jsifen, received["cdc"]).json()["Envelope"]["Body"]
    assert inner["rEnviConsDeResponse"]["dCodRes"] == "0420"


def test_consulta_de_errors_are_a_json_500(jsifen: JsifenSandbox) -> None:
    r = httpx.post(f"{jsifen.url}/consulta/de/json", json={}, headers=HEADERS)
    assert r.status_code == 500 and "error" in r.json()


# -- never resend a CDC without a final result ---------------------------------------------------


def test_a_cdc_resent_while_in_its_lote_is_not_queued_and_blocks_the_ruc(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    first = recibe(jsifen, sifen_body(1)).json()
    again = recibe(jsifen, sifen_body(1)).json()
    assert again["codigo"] == "0301" and "lote" not in again
    assert again["mensaje"].startswith("Lote no encolado para procesamiento")
    assert jsifen.receipts_by_cdc() == {first["cdc"]: 2}
    assert jsifen.blocked_until() == clock() + 600
    other = recibe(jsifen, sifen_body(2, codigo="2")).json()
    assert other["codigo"] == "0301" and "bloqueado" in other["mensaje"]
    assert len(jsifen.attempts()) == 1
    clock.advance(600)
    assert recibe(jsifen, sifen_body(2, codigo="2")).json()["codigo"] == "0300"


def test_a_cdc_resent_after_approval_is_judged_1001_and_counted(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    first = recibe(jsifen, sifen_body(1)).json()
    clock.advance(2)
    again = recibe(jsifen, sifen_body(1)).json()
    clock.advance(2)
    (result,) = lote(jsifen, again["lote"]).json()["resultados"]
    assert (result["estado"], result["codigoError"]) == ("Rechazado", 1001)
    assert jsifen.receipts_by_cdc() == {first["cdc"]: 2}
    assert jsifen.approvals_by_number() == {(1, 1, 1, 1): 1}


# -- /evento/cancelar ----------------------------------------------------------------------------


def test_cancelar_answers_the_gateways_cancelar_response(
    jsifen: JsifenSandbox, clock: FakeClock
) -> None:
    received = recibe(jsifen, sifen_body(1)).json()
    clock.advance(2)
    r = httpx.post(f"{jsifen.url}/evento/cancelar",
                   json={"cdc": received["cdc"], "motivo": "Error en el precio"}, headers=HEADERS)
    data = r.json()
    assert set(data) == {"fechaProceso", "estadoResultado", "protocoloAut", "identificador",
                         "codigoResultado", "mensajeResultado"}
    assert (data["estadoResultado"], data["codigoResultado"]) == ("Aprobado", "0600")
    short = httpx.post(f"{jsifen.url}/evento/cancelar",
                       json={"cdc": received["cdc"], "motivo": "no"}, headers=HEADERS).json()
    assert (short["estadoResultado"], short["codigoResultado"]) == ("Rechazado", "0160")
    broken = httpx.post(f"{jsifen.url}/evento/cancelar", json={"cdc": 1}, headers=HEADERS)
    assert broken.status_code == 500 and broken.text.startswith("Error interno: ")


# -- the envelope ----------------------------------------------------------------------------------


def test_an_injected_500_is_jsifens_plain_text_error_interno(jsifen: JsifenSandbox) -> None:
    jsifen.inject_fault(Fault.HTTP_500)
    r = recibe(jsifen, sifen_body(1))
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith("Error interno: ")
    assert jsifen.attempts() == []


def test_an_unknown_path_is_a_plain_404(jsifen: JsifenSandbox) -> None:
    r = httpx.post(f"{jsifen.url}/factura/sync/recibe", json={}, headers=HEADERS)
    assert r.status_code == 404
    r = httpx.get(f"{jsifen.url}/consulta/lote", headers=HEADERS)
    assert r.status_code == 405


def test_an_invalid_emisor_ruc_is_refused_at_construction() -> None:
    with pytest.raises(ValueError):
        JsifenSandbox(emisor_ruc="80069563-2")
