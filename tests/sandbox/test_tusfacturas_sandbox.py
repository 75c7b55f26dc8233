"""TusFacturas' dialect as the sandbox speaks it, checked with raw HTTP requests.

Wire shapes follow seeds/tusfacturas-lotes.txt; the AFIP rules and codes follow the
WSFEv1 manual (10013, 10015, 10016, 10032, 10048) and the seed's observación 10063.
The client's view of the same behaviour lives in tests/providers/test_tusfacturas_client.py.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest

from desktop_app.sandbox.tusfacturas import (
    DEMO_INACTIVE_CUIT,
    DEMO_UNREGISTERED_CUIT,
    TusFacturasSandbox,
    create_sandbox,
)
from tests.domain.test_argentina_factories import (
    CREDENTIALS,
    SECRET,
    cliente,
    comprobante_json,
    item,
    responsable_inscripto,
)

GENERIC = (" AFIP Factura electronica, rechazo el comprobante - ERROR: AFIP rechazo la "
           "generacion del comprobante Cod: 0")


@pytest.fixture
def tf() -> Iterator[TusFacturasSandbox]:
    with TusFacturasSandbox(api_key=SECRET, hold_seconds=0.05) as sb:
        yield sb


def request(numero: int, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("external_reference", f"ref-{numero}")
    return {**CREDENTIALS, **comprobante_json(numero=numero, **kwargs)}


def lotes(tf: TusFacturasSandbox, *requests: dict[str, Any], creds: dict[str, str] | None = None,
          prefix: str = "") -> httpx.Response:
    body = {**(creds or CREDENTIALS), "requests": list(requests)}
    return httpx.post(f"{tf.url}{prefix}/v2/facturacion/lotes", json=body, timeout=5)


def post(tf: TusFacturasSandbox, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{tf.url}/v2/facturacion/{path}", json={**CREDENTIALS, **body}, timeout=5)
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


def consulta(tf: TusFacturasSandbox, ref: str) -> dict[str, Any]:
    return post(tf, "consulta_avanzada", {"busqueda_tipo": "EXT_REF", "pagina": 0, "limite": 100,
                                          "comprobante": {"external_reference": ref, "operacion": "V"}})


def codes(item_: dict[str, Any]) -> list[str]:
    return [e.rsplit("Cod: ", 1)[-1] for e in item_["errores"]]


# -- the documented shapes ----------------------------------------------------------------


def test_an_approval_has_the_seeds_shape(tf: TusFacturasSandbox) -> None:
    r = lotes(tf, request(1), request(2))
    assert r.status_code == 200
    data = r.json()
    assert (data["error"], data["errores"]) == ("N", [])
    first, second = data["response"]
    assert first["error"] == "N" and first["errores"] == []
    assert first["cae"].endswith(" ") and len(first["cae"].strip()) == 14  # "con un espacio al final"
    assert first["comprobante_nro"] == "00003-00000001" and second["comprobante_nro"] == "00003-00000002"
    expiry = (date.today() + timedelta(days=10)).strftime("%d/%m/%Y")
    assert first["cae_vencimiento"] == first["vencimiento_cae"] == expiry
    assert first["comprobante_tipo"] == "FACTURA B"
    assert first["rta"] == "El comprobante FACTURA B 00003-00000001 (LOTE-SANDBOX) se ha guardado correctamente "
    assert first["observaciones"] == ""
    assert first["external_reference"] == "ref-1"
    assert first["afip_codigo_barras"].endswith(" ") and first["comprobante_pdf_url"].endswith(".pdf")


def test_the_qr_is_afips_base64_json(tf: TusFacturasSandbox) -> None:
    data = lotes(tf, request(1, tipo="FACTURA A", cliente_data=responsable_inscripto())).json()
    qr = data["response"][0]["afip_qr"]
    assert qr.startswith("https://www.afip.gob.ar/fe/qr/?p=") and qr.endswith(" ")
    payload = json.loads(base64.b64decode(qr.strip().split("p=", 1)[1]))
    assert set(payload) == {"ver", "fecha", "cuit", "ptoVta", "tipoCmp", "nroCmp", "importe",
                            "moneda", "ctz", "tipoDocRec", "nroDocRec", "tipoCodAut", "codAut"}
    assert (payload["ptoVta"], payload["tipoCmp"], payload["nroCmp"]) == (3, 1, 1)
    assert (payload["tipoDocRec"], payload["tipoCodAut"], payload["importe"]) == (80, "E", 121.0)
    assert str(payload["codAut"]) == data["response"][0]["cae"].strip()


def test_the_real_base_path_prefix_is_served_too(tf: TusFacturasSandbox) -> None:
    assert lotes(tf, request(1), prefix="/app/api").json()["error"] == "N"


# -- whole-call refusals ----------------------------------------------------------------------


def test_wrong_credentials_refuse_the_call(tf: TusFacturasSandbox) -> None:
    data = lotes(tf, request(1), creds={**CREDENTIALS, "apikey": "9999"}).json()
    assert data == {"error": "S", "errores": [
        "Las credenciales de acceso (apitoken, apikey, usertoken) son incorrectas."]}
    assert tf.issued() == [] and tf.lote_calls == 0


def test_each_request_must_carry_the_accounts_credentials(tf: TusFacturasSandbox) -> None:
    bad = {**request(2), "usertoken": "other"}
    data = lotes(tf, request(1), bad).json()
    assert data == {"error": "S", "errores": [
        "El comprobante enviado en la fila 1 (comenzando en 0) tiene credenciales de acceso que "
        "no corresponden con las suyas."]}


def test_mixed_types_are_refused_with_the_seeds_message(tf: TusFacturasSandbox) -> None:
    data = lotes(tf, request(1), request(2, tipo="FACTURA A"), request(3)).json()
    assert data == {"error": "S", "errores": [
        "El comprobante enviado en la fila 1 (comenzando en 0) tiene un tipo de comprobante diferente."]}
    assert "response" not in data and tf.issued() == []


def test_numbers_and_dates_must_ascend(tf: TusFacturasSandbox) -> None:
    data = lotes(tf, request(2), request(1)).json()
    assert data["errores"] == [
        "El comprobante enviado en la fila 1 (comenzando en 0) no respeta el orden ascendente de numeración."]
    yesterday = date.today() - timedelta(days=1)
    data = lotes(tf, request(1), request(2, fecha=yesterday)).json()
    assert data["errores"] == [
        "El comprobante enviado en la fila 1 (comenzando en 0) no respeta el orden ascendente de fechas."]


def test_size_and_shape_of_the_call(tf: TusFacturasSandbox) -> None:
    small = TusFacturasSandbox(api_key=SECRET, max_requests=2).start()
    try:
        data = lotes(small, request(1), request(2), request(3)).json()
        assert data["error"] == "S" and "más de 2 requests" in data["errores"][0]
    finally:
        small.stop()
    assert lotes(tf).json()["error"] == "S"  # no requests
    raw = httpx.post(f"{tf.url}/v2/facturacion/lotes", content=b"{nope", timeout=5).json()
    assert raw == {"error": "S", "errores": ["El cuerpo de la solicitud no es un JSON válido (UTF-8)."]}
    missing = request(1)
    del missing["comprobante"]["numero"]
    assert "no informa el número" in lotes(tf, missing).json()["errores"][0]


# -- the simulated AFIP ---------------------------------------------------------------------


def test_processing_is_sequential_with_cascade_and_no_rollback(tf: TusFacturasSandbox) -> None:
    bad = request(3, cliente_data=cliente("CF", "CUIT", DEMO_UNREGISTERED_CUIT))
    data = lotes(tf, request(1), request(2), bad, request(4), request(5), request(6)).json()
    assert data["error"] == "S" and data["errores"] == []
    items = data["response"]
    assert [i["error"] for i in items] == ["N", "N", "S", "S", "S", "S"]
    assert codes(items[2]) == ["0", "10015"]
    assert items[2]["errores"][0] == GENERIC
    assert all(i["errores"] == [GENERIC] for i in items[3:])
    assert all(i["cae"] == "" and i["external_reference"] for i in items[2:])
    assert tf.issued_by_ref() == {"ref-1": 1, "ref-2": 1}
    assert tf.rejected_by_ref() == {"ref-3": 1}
    assert tf.received_by_ref() == {f"ref-{n}": 1 for n in range(1, 7)}


def test_a_rejected_number_is_not_consumed(tf: TusFacturasSandbox) -> None:
    lotes(tf, request(1), request(2, cliente_data=cliente("CF", "CUIT", DEMO_UNREGISTERED_CUIT)))
    assert post(tf, "numeracion", {"comprobante": {"tipo": "FACTURA B", "operacion": "V",
                                                   "punto_venta": 3}})["comprobante"]["numero"] == 2
    assert codes(lotes(tf, request(3)).json()["response"][0]) == ["0", "10016"]
    assert lotes(tf, request(2, external_reference="ref-2b")).json()["error"] == "N"


@pytest.mark.parametrize(
    ("kwargs", "code", "fragment"),
    [
        ({"numero": 5}, "10016", "proximo a autorizar"),
        ({"fecha": date.today() - timedelta(days=6)}, "10016", "rango N-5 y N+5"),
        ({"fecha": date.today() + timedelta(days=6)}, "10016", "rango N-5 y N+5"),
        ({"fecha": date.today() - timedelta(days=11), "periodo_facturado_desde": "01/01/2025",
          "periodo_facturado_hasta": "31/01/2025"}, "10016", "rango N-10 y N+10"),
        ({"periodo_facturado_desde": "10/01/2025", "periodo_facturado_hasta": "01/01/2025"},
         "10032", "FchServDesde no puede ser posterior"),
        ({"tipo": "FACTURA A", "cliente_data": cliente("RI", "DNI", "28123456")}, "10013", "DocTipo"),
        ({"cliente_data": cliente("CF", "CUIT", "20267565394")}, "10015", "padrones"),
        ({"cliente_data": cliente("CF", "CUIT", DEMO_UNREGISTERED_CUIT)}, "10015", "padrones"),
        ({"cliente_data": cliente("CF", "DNI", "28.123.456")}, "10015", "solo se admiten numeros"),
        ({"total": "121.02"}, "10048", "ImpTotal"),
    ],
    ids=["number-gap", "date-5-days-ago", "date-5-days-ahead", "services-10-days",
         "service-period-reversed", "a-without-cuit", "cuit-check-digit", "cuit-not-in-padron",
         "dni-with-dots", "total-does-not-add-up"],
)
def test_afip_rejects_each_rule_with_its_code(
        tf: TusFacturasSandbox, kwargs: dict[str, Any], code: str, fragment: str) -> None:
    numero = kwargs.pop("numero", 1)
    [result] = lotes(tf, request(numero, **kwargs)).json()["response"]
    assert result["error"] == "S"
    assert codes(result) == ["0", code]
    assert fragment in result["errores"][1]
    assert tf.issued() == []


def test_a_date_earlier_than_the_last_authorised_is_refused(tf: TusFacturasSandbox) -> None:
    lotes(tf, request(1, tipo="FACTURA A", cliente_data=responsable_inscripto()))
    [result] = lotes(tf, request(1, fecha=date.today() - timedelta(days=1))).json()["response"]
    assert codes(result) == ["0", "10016"]
    assert "anterior a la del ultimo comprobante" in result["errores"][1]


def test_totals_tolerate_one_cent_and_add_taxes(tf: TusFacturasSandbox) -> None:
    assert lotes(tf, request(1, total="121.01")).json()["error"] == "N"
    # 200 at 21 % and 40 exento; the bonificación of 20 is shared pro rata, 3.33 to the
    # exento and 16.67 to the 21 %: 183.33 + IVA 38.50 + 36.67 exento + 3.50 IIBB = 262.00.
    taxed = request(2, items=[item("2", "100", "21"), item("1", "40", "-1")], bonificacion="20",
                    percepciones_iibb="3.5", total="262.00")
    assert lotes(tf, taxed).json()["error"] == "N"
    c = request(1, tipo="FACTURA C", items=[item("1", "100", "0"), item("1", "10", "0")])
    assert lotes(tf, c).json()["response"][0]["comprobante_nro"] == "00003-00000001"


def test_an_inactive_receptor_is_approved_with_the_seeds_observation(tf: TusFacturasSandbox) -> None:
    [result] = lotes(tf, request(1, tipo="FACTURA A",
                                 cliente_data=responsable_inscripto(DEMO_INACTIVE_CUIT))).json()["response"]
    assert result["error"] == "N" and result["cae"].strip()
    assert result["observaciones"] == (
        "AFIP genero el comprobante pero lo ha marcado como observado por los siguientes motivos: "
        f"Observacion: Factura individual, DocTipo: 80, DocNro {DEMO_INACTIVE_CUIT} no se encuentra "
        "inscripto en condicion ACTIVA en el impuesto (IVA). [ codigo: 10063 ]. Dichas "
        "observaciones no requieren accion de su parte.")


def test_external_reference_is_not_unique_but_it_is_counted(tf: TusFacturasSandbox) -> None:
    data = lotes(tf, request(1, external_reference="same"), request(2, external_reference="same")).json()
    assert data["error"] == "N"
    assert tf.issued_by_ref() == {"same": 2}
    assert tf.approvals_by_number() == {(6, 3, 1): 1, (6, 3, 2): 1}


# -- switches --------------------------------------------------------------------------------


def test_hold_processes_then_answers_524(tf: TusFacturasSandbox) -> None:
    tf.hold(times=1, seconds=0.05)
    r = lotes(tf, request(1))
    assert r.status_code == 524 and "524" in r.text
    assert tf.issued_by_ref() == {"ref-1": 1}
    assert consulta(tf, "ref-1")["total"] == 1
    assert lotes(tf, request(2)).status_code == 200  # only once


def test_rate_limit_answers_429_with_retry_after_and_processes_nothing(tf: TusFacturasSandbox) -> None:
    tf.rate_limit(times=1)
    r = lotes(tf, request(1))
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert tf.issued() == [] and tf.lote_calls == 0
    assert lotes(tf, request(1)).status_code == 200


def test_processing_delay_and_an_injectable_clock() -> None:
    slept: list[float] = []
    when = datetime(2025, 3, 20, 12, 0)
    with TusFacturasSandbox(api_key=SECRET, processing_delay=3.0, clock=lambda: when,
                            sleep=slept.append) as sb:
        ok = lotes(sb, request(1, fecha=date(2025, 3, 16))).json()
        late = lotes(sb, request(2, fecha=date(2025, 3, 14))).json()
    assert ok["error"] == "N" and slept == [3.0, 3.0]
    assert codes(late["response"][0]) == ["0", "10016"]


# -- consultas ---------------------------------------------------------------------------------


def test_consulta_by_external_reference_lists_newest_first(tf: TusFacturasSandbox) -> None:
    lotes(tf, request(1, external_reference="dup"), request(2, external_reference="dup"), request(3))
    data = consulta(tf, "dup")
    assert (data["rta"], data["error"], data["total"], data["errores"]) == ("OK", "N", 2, [])
    newest, oldest = data["comprobantes"]
    assert (newest["comprobante"]["numero"], oldest["comprobante"]["numero"]) == (2, 1)
    c = newest["comprobante"]
    assert c["status"] == "EMITIDO" and c["cae"].endswith(" ") and c["external_reference"] == "dup"
    assert c["vencimiento_cae"] == (date.today() + timedelta(days=10)).strftime("%d/%m/%Y")
    assert "apitoken" not in c and "usertoken" not in c
    assert newest["cliente"]["documento_tipo"] == "DNI"
    assert consulta(tf, "nobody")["comprobantes"] == []


def test_rejected_comprobantes_of_an_instant_lote_are_not_kept(tf: TusFacturasSandbox) -> None:
    lotes(tf, request(1, cliente_data=cliente("CF", "CUIT", DEMO_UNREGISTERED_CUIT)))
    assert consulta(tf, "ref-1")["comprobantes"] == []


def test_consulta_by_number_range_and_by_date_with_pages(tf: TusFacturasSandbox) -> None:
    lotes(tf, *(request(n) for n in range(1, 6)))
    by_range = post(tf, "consulta_avanzada", {
        "busqueda_tipo": "TN", "pagina": 0, "limite": 2,
        "comprobante": {"tipo": "FACTURA B", "operacion": "V", "punto_venta": "00003",
                        "numero_desde": "00000002", "numero_hasta": "00000004"}})
    assert by_range["total"] == 3
    assert [c["comprobante"]["numero"] for c in by_range["comprobantes"]] == [4, 3]
    by_date = post(tf, "consulta_avanzada", {
        "busqueda_tipo": "F", "pagina": 1, "limite": 2,
        "comprobante": {"fecha": date.today().strftime("%d/%m/%Y"), "operacion": "V"}})
    assert by_date["total"] == 5 and [c["comprobante"]["numero"] for c in by_date["comprobantes"]] == [3, 2]
    assert post(tf, "consulta_avanzada", {"busqueda_tipo": "X", "comprobante": {}})["error"] == "S"


def test_numeracion_gives_the_next_number_as_a_number(tf: TusFacturasSandbox) -> None:
    body = {"comprobante": {"tipo": "NOTA DE DEBITO B", "operacion": "V", "punto_venta": 2}}
    assert post(tf, "numeracion", body) == {
        "error": "N", "errores": [""], "rta": "OK",
        "comprobante": {"tipo": "NOTA DE DEBITO B", "operacion": "V", "punto_venta": 2, "numero": 1}}
    tf.set_next_number(7, 2, 6)
    assert post(tf, "numeracion", body)["comprobante"]["numero"] == 6
    assert post(tf, "numeracion", {"comprobante": {"tipo": "FACTURA E"}})["error"] == "S"


def test_unknown_paths_answer_in_the_dialects_envelope(tf: TusFacturasSandbox) -> None:
    r = httpx.post(f"{tf.url}/v2/facturacion/nuevo", json={}, timeout=5)
    assert r.status_code == 404 and r.json()["error"] == "S"
    r = httpx.get(f"{tf.url}/v2/facturacion/lotes", timeout=5)
    assert r.status_code == 405 and r.json()["error"] == "S"


def test_create_sandbox_uses_demo_credentials_by_default() -> None:
    sb = create_sandbox(port=0)
    assert isinstance(sb, TusFacturasSandbox)
    with sb:
        from desktop_app.providers.tusfacturas import DEMO_CREDENTIALS
        r = httpx.post(f"{sb.url}/v2/facturacion/numeracion", timeout=5, json={
            **DEMO_CREDENTIALS, "comprobante": {"tipo": "FACTURA B", "punto_venta": 1}})
        assert r.json()["comprobante"]["numero"] == 1


def test_sample_comprobantes_are_valid_for_lote_and_some_are_refused_by_afip() -> None:
    from desktop_app.domain.argentina import RULES
    from desktop_app.sandbox.tusfacturas import sample_comprobantes

    samples = sample_comprobantes(40, invalid_share=0.2, seed=3)
    assert samples == sample_comprobantes(40, invalid_share=0.2, seed=3)  # reproducible
    invalid = 0
    for data in samples:
        doc, errors = RULES.parse(data)
        assert errors == [] and doc is not None
        assert RULES.validate(RULES.prepare(doc)) == []
        invalid += data["cliente"]["documento_nro"] == DEMO_UNREGISTERED_CUIT
    assert 0 < invalid < 40
