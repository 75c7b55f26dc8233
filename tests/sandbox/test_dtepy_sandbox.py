"""The DTEpy sandbox spoken to with plain httpx: the page's shapes (seeds/dtepy-api.txt),
SIFEN's codes, the RUC block for resent CDCs, and the issuance counters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from desktop_app.sandbox.dtepy import DEMO_CANCELLED_RUC, DTEpySandbox, content_problems
from tests.providers.factories import (
    API_KEY,
    FECHA,
    FakeClock,
    expected_cdc,
    item,
    make_de,
    ruc_with_wrong_dv,
)

NOW = datetime.fromisoformat(FECHA) + timedelta(hours=2)
HEADERS = {"x-access-token": API_KEY}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def dtepy(clock: FakeClock) -> Iterator[DTEpySandbox]:
    with DTEpySandbox(
        api_key=API_KEY,
        clock=clock,
        processing_delay=2.0,
        block_seconds=600,
        wall_clock=lambda: NOW,
    ) as sb:
        yield sb


@pytest.fixture
def http(dtepy: DTEpySandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dtepy.url, headers=HEADERS, timeout=5.0) as c:
        yield c


def de(numero: int, code: str | None = None, **kwargs: Any) -> dict[str, Any]:
    return make_de(numero, codigo_seguridad=code or f"{100_000_000 + numero:09d}", **kwargs)


def cdc_of(payload: dict[str, Any]) -> str:
    return expected_cdc(payload, payload["codigoSeguridadAleatorio"])


def send_lote(http: httpx.Client, *des: dict[str, Any], tipo: int = 1) -> dict[str, Any]:
    response = http.post(
        "/documentoset/lotes", json={"tipoDocumento": tipo, "id": 1, "detalle": list(des)}
    )
    assert response.status_code == 200, response.text
    root: dict[str, Any] = response.json()["ns2:rResEnviLoteDe"]
    return root


def ask_lote(http: httpx.Client, numlote: str) -> dict[str, Any]:
    response = http.post(
        "/documentoset/consultalote", json={"id": 1, "numlote": numlote, "tipoDocumento": 1}
    )
    assert response.status_code == 200
    root: dict[str, Any] = response.json()["ns2:rResEnviConsLoteDe"]
    return root


def ask_cdc(http: httpx.Client, cdc: str) -> dict[str, Any]:
    response = http.post("/documentoset/consulta", json={"id": 1, "cdc": cdc, "tipoDocumento": 1})
    assert response.status_code == 200
    root: dict[str, Any] = response.json()["ns2:rEnviConsDeResponse"]
    return root


# -- shapes of the page ----------------------------------------------------------------------


def test_a_received_lote_answers_like_the_page_with_a_17_digit_string(http: httpx.Client) -> None:
    root = send_lote(http, de(1), de(2))
    assert root["$"] == {"xmlns:ns2": "http://ekuatia.set.gov.py/sifen/xsd"}
    assert (root["ns2:dCodRes"], root["ns2:dMsgRes"]) == ("0300", "Lote recibido con éxito")
    number = root["ns2:dProtConsLote"]
    assert isinstance(number, str) and len(number) == 17 and int(number) > 2**53
    assert root["ns2:dTpoProces"] == "2" and "ns2:dFecProc" in root


def test_lote_with_several_documents_returns_a_list_and_with_one_an_object(
    http: httpx.Client, dtepy: DTEpySandbox, clock: FakeClock
) -> None:
    many = send_lote(http, de(1), de(2))["ns2:dProtConsLote"]
    one = send_lote(http, de(3))["ns2:dProtConsLote"]
    clock.advance(2)
    listed = ask_lote(http, many)
    assert listed["ns2:dCodResLot"] == "0362"
    assert listed["ns2:dMsgResLot"] == f"Procesamiento de lote {{{many}}} concluido"
    assert [i["ns2:id"] for i in listed["ns2:gResProcLote"]] == [cdc_of(de(1)), cdc_of(de(2))]
    single = ask_lote(http, one)["ns2:gResProcLote"]
    assert isinstance(single, dict)
    assert single == {
        "ns2:id": cdc_of(de(3)),
        "ns2:dEstRes": "Aprobado",
        "ns2:dProtAut": single["ns2:dProtAut"],
        "ns2:gResProc": {"ns2:dCodRes": "0260", "ns2:dMsgRes": "Autorización del DE satisfactoria"},
    }
    dtepy.single_object_quirk = False
    assert isinstance(ask_lote(http, one)["ns2:gResProcLote"], list)


def test_gresproc_is_a_list_when_there_are_several_reasons(
    http: httpx.Client, clock: FakeClock
) -> None:
    lote = send_lote(http, de(1, ruc=ruc_with_wrong_dv("80012345"), entregas_total=5))
    clock.advance(2)
    item_ = ask_lote(http, lote["ns2:dProtConsLote"])["ns2:gResProcLote"]
    assert item_["ns2:dEstRes"] == "Rechazado" and "ns2:dProtAut" not in item_
    assert [p["ns2:dCodRes"] for p in item_["ns2:gResProc"]] == ["1309", "2365"]


def test_lote_codes_unknown_processing_and_too_old(
    http: httpx.Client, dtepy: DTEpySandbox, clock: FakeClock
) -> None:
    assert ask_lote(http, "12345678901234567")["ns2:dCodResLot"] == "0360"
    lote = send_lote(http, de(1))["ns2:dProtConsLote"]
    busy = ask_lote(http, lote)
    assert (busy["ns2:dCodResLot"], busy["ns2:dMsgResLot"]) == (
        "0361",
        f"Lote {{{lote}}} en procesamiento",
    )
    assert "ns2:gResProcLote" not in busy
    clock.advance(dtepy.lote_query_window + 1)
    assert ask_lote(http, lote)["ns2:dCodResLot"] == "0364"


def test_a_lote_can_be_asked_by_a_cdc_it_holds(http: httpx.Client, clock: FakeClock) -> None:
    lote = send_lote(http, de(1), de(2))["ns2:dProtConsLote"]
    by_cdc = ask_lote(http, cdc_of(de(2)))
    assert by_cdc["ns2:dCodResLot"] == "0361" and lote in by_cdc["ns2:dMsgResLot"]
    clock.advance(2)
    assert len(ask_lote(http, cdc_of(de(1)))["ns2:gResProcLote"]) == 2
    assert ask_lote(http, cdc_of(de(9)))["ns2:dCodResLot"] == "0360"


def test_consulta_by_cdc_says_0420_until_approved_then_0422(
    http: httpx.Client, clock: FakeClock
) -> None:
    send_lote(http, de(1), de(2, ruc=DEMO_CANCELLED_RUC))
    pending = ask_cdc(http, cdc_of(de(1)))
    assert (pending["ns2:dCodRes"], pending["ns2:dMsgRes"]) == (
        "0420",
        "Documento No Existe en SIFEN o ha sido Rechazado",
    )
    clock.advance(2)
    found = ask_cdc(http, cdc_of(de(1)))
    assert (found["ns2:dCodRes"], found["ns2:dMsgRes"]) == ("0422", "CDC encontrado")
    assert "<dProtAut>" in found["ns2:xContenDE"]
    assert ask_cdc(http, cdc_of(de(2)))["ns2:dCodRes"] == "0420"  # rejected


def test_the_synchronous_route_answers_rretenvide(http: httpx.Client, dtepy: DTEpySandbox) -> None:
    payload = {**de(1), "id": 1}
    response = http.post("/documentoset", json=payload)
    body = response.json()
    prot = body["ns2:rRetEnviDe"]["ns2:rProtDe"]
    assert prot["ns2:Id"] == cdc_of(de(1)) and prot["ns2:dEstRes"] == "Aprobado"
    assert prot["ns2:gResProc"]["ns2:dCodRes"] == "0260"
    assert isinstance(body["id"], int)
    assert dtepy.approvals_by_number() == {(1, 1, 1, 1): 1}


def test_expiration_needs_the_token(http: httpx.Client, dtepy: DTEpySandbox) -> None:
    assert set(http.get("/documentoset/getexpiration").json()) == {
        "fechaExpiracion",
        "diasRestantes",
    }
    assert httpx.get(dtepy.url + "/documentoset/getexpiration").status_code == 401


# -- auth and DTEpy's own errors -------------------------------------------------------------------


def test_token_in_the_header_or_in_the_body(dtepy: DTEpySandbox) -> None:
    body = {"tipoDocumento": 1, "id": 1, "detalle": [de(1)]}
    assert httpx.post(dtepy.url + "/documentoset/lotes", json=body).status_code == 401
    wrong = httpx.post(
        dtepy.url + "/documentoset/lotes", json=body, headers={"x-access-token": "nope"}
    )
    assert (wrong.status_code, wrong.json()["auth"]) == (401, False)
    in_body = httpx.post(dtepy.url + "/documentoset/lotes", json={**body, "token": API_KEY})
    assert in_body.json()["ns2:rResEnviLoteDe"]["ns2:dCodRes"] == "0300"


def test_an_id_that_is_not_the_emisor_is_forbidden(http: httpx.Client) -> None:
    response = http.post(
        "/documentoset/lotes", json={"tipoDocumento": 1, "id": 2, "detalle": [de(1)]}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "indices"),
    [
        (b"not json", []),
        ({"tipoDocumento": 1, "id": 1}, []),
        ({"id": 1, "detalle": []}, []),
        ({"tipoDocumento": 1, "id": 1, "detalle": [de(1), {"tipoDocumento": 1}]}, [1]),
        ({"tipoDocumento": 1, "id": 1, "detalle": [{**de(1), "cdc": "0" * 44}]}, [0]),
    ],
    ids=["not-json", "no-detalle", "no-tipo", "missing-fields", "cdc-mismatch"],
)
def test_dtepy_refuses_bad_structure_with_400_and_creates_nothing(
    http: httpx.Client, dtepy: DTEpySandbox, body: Any, indices: list[int]
) -> None:
    if isinstance(body, bytes):
        response = http.post("/documentoset/lotes", content=body)
    else:
        response = http.post("/documentoset/lotes", json=body)
    assert response.status_code == 400
    data = response.json()
    assert data["error"] is True and data["mensaje"]
    assert sorted({e["indice"] for e in data["errores"]}) == indices
    assert dtepy.lote_ids() == [] and dtepy.blocks() == []


def test_unknown_routes_answer_json_404(http: httpx.Client) -> None:
    response = http.post("/documentoset/nada", json={})
    assert response.status_code == 404 and response.json()["error"] is True


# -- reception refusals and the block ------------------------------------------------------------------


def test_more_than_fifty_or_mixed_types_are_not_queued_without_blocking(
    http: httpx.Client, dtepy: DTEpySandbox
) -> None:
    too_many = send_lote(http, *[de(n) for n in range(1, 52)])
    assert too_many["ns2:dCodRes"] == "0301" and "ns2:dProtConsLote" not in too_many
    mixed = send_lote(http, de(1), de(2, tipo=5))
    assert mixed["ns2:dCodRes"] == "0301" and "tipos" in mixed["ns2:dMsgRes"]
    assert dtepy.blocks() == [] and dtepy.receipts_by_cdc() == {}


@pytest.mark.parametrize(
    ("lotes", "reason"),
    [
        ([[]], "envío de un lote vacío"),
        ([[1, 1]], "el mismo CDC varias veces en un lote"),
        ([[1], [2, 1]], "reenvío de CDC aún en procesamiento"),
    ],
    ids=["empty", "same-cdc-twice", "pending-cdc-resent"],
)
def test_what_sifen_punishes_blocks_the_emisor(
    http: httpx.Client,
    dtepy: DTEpySandbox,
    clock: FakeClock,
    lotes: list[list[int]],
    reason: str,
) -> None:
    *before, last = lotes
    for numbers in before:
        assert send_lote(http, *[de(n) for n in numbers])["ns2:dCodRes"] == "0300"
    refused = send_lote(http, *[de(n) for n in last])
    assert refused["ns2:dCodRes"] == "0301"
    assert "bloqueada" in refused["ns2:dMsgRes"] and dtepy.emisor_ruc in refused["ns2:dMsgRes"]
    assert [b.reason for b in dtepy.blocks()] == [reason]
    assert dtepy.is_blocked()
    # Blocked: an innocent lote is refused too, and queries keep working.
    assert send_lote(http, de(40))["ns2:dCodRes"] == "0301"
    assert ask_lote(http, "1")["ns2:dCodResLot"] == "0360"
    clock.advance(600)
    assert not dtepy.is_blocked()
    assert send_lote(http, de(40))["ns2:dCodRes"] == "0300"


def test_repeated_offences_block_longer(
    http: httpx.Client, dtepy: DTEpySandbox, clock: FakeClock
) -> None:
    send_lote(http)
    clock.advance(600)
    send_lote(http)
    first, second = dtepy.blocks()
    assert first.until - first.at == 600 and second.until - second.at == 1200


def test_a_pending_cdc_resent_synchronously_blocks_too(
    http: httpx.Client, dtepy: DTEpySandbox
) -> None:
    send_lote(http, de(1))
    prot = http.post("/documentoset", json={**de(1), "id": 1}).json()["ns2:rRetEnviDe"][
        "ns2:rProtDe"
    ]
    assert prot["ns2:gResProc"]["ns2:dCodRes"] == "0301"
    assert len(dtepy.blocks()) == 1 and dtepy.receipts_by_cdc() == {cdc_of(de(1)): 1}


# -- the simulated SIFEN and its counters ----------------------------------------------------------------


def test_lotes_are_judged_in_arrival_order(
    http: httpx.Client, dtepy: DTEpySandbox, clock: FakeClock
) -> None:
    send_lote(http, de(7, code="000000001"))
    clock.advance(1)
    second = send_lote(http, de(7, code="000000002"))["ns2:dProtConsLote"]
    clock.advance(5)  # both due at once
    item_ = ask_lote(http, second)["ns2:gResProcLote"]
    assert item_["ns2:gResProc"]["ns2:dCodRes"] == "1002"
    assert dtepy.approvals_by_number() == {(1, 1, 1, 7): 1}


def test_an_approved_cdc_resent_is_rejected_1001_and_counted_once(
    http: httpx.Client, dtepy: DTEpySandbox, clock: FakeClock
) -> None:
    send_lote(http, de(5))
    clock.advance(2)
    again = send_lote(http, de(5))["ns2:dProtConsLote"]
    clock.advance(2)
    assert ask_lote(http, again)["ns2:gResProcLote"]["ns2:gResProc"]["ns2:dCodRes"] == "1001"
    assert dtepy.approvals_by_number() == {(1, 1, 1, 5): 1}
    assert dtepy.receipts_by_cdc() == {cdc_of(de(5)): 2}
    assert dtepy.blocks() == []


def test_payments_in_another_currency_count_with_their_exchange_rate() -> None:
    payload = make_de(1)
    payload["condicion"]["entregas"] = [
        {"tipo": 1, "monto": 10, "moneda": "USD", "cambio": 7300},
        {"tipo": 1, "monto": 37000, "moneda": "PYG"},
    ]
    assert content_problems(payload, set()) == []  # 73 000 + 37 000 = 110 000
    payload["condicion"]["entregas"][0]["cambio"] = 7000
    assert [code for code, _ in content_problems(payload, set())] == ["2365"]


def test_content_rules_match_the_facturasend_sandbox_codes() -> None:
    assert [c for c, _ in content_problems(make_de(1, items=[item(iva_tipo=1, iva=0)]), set())] == [
        "1908"
    ]
    no_ruc = make_de(1)
    del no_ruc["cliente"]["ruc"]
    assert [c for c, _ in content_problems(no_ruc, set())] == ["1304"]
    assert content_problems(make_de(1), set()) == []
