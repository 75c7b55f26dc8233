"""FacturaSend's dialect as the sandbox speaks it, checked with raw HTTP requests.

The wire shapes follow seeds/facturasend-lote-create.txt; the client's view of the same
behaviour lives in tests/providers/test_facturasend_client.py.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from desktop_app.domain.cdc import is_valid_cdc
from desktop_app.domain.ruc import is_valid_ruc
from desktop_app.sandbox.facturasend import DEMO_CANCELLED_RUC, FacturaSendSandbox
from tests.providers.factories import API_KEY, FakeClock, expected_cdc, make_de

AUTH = {"Authorization": f"Bearer {API_KEY}"}


def create(
    sandbox: FacturaSendSandbox,
    body: Any,
    *,
    params: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> httpx.Response:
    url = f"{sandbox.url}/demo/lote/create"
    if raw is not None:
        return httpx.post(url, content=raw, headers=AUTH, params=params)
    return httpx.post(url, json=body, headers=AUTH, params=params)


def estado(sandbox: FacturaSendSandbox, *cdcs: str) -> dict[str, Any]:
    r = httpx.post(
        f"{sandbox.url}/demo/de/estado", json={"cdcList": [{"cdc": c} for c in cdcs]}, headers=AUTH
    )
    assert r.status_code == 200
    return r.json()


def test_lote_create_answers_the_documented_shape(sandbox: FacturaSendSandbox) -> None:
    r = create(sandbox, [make_de(5), make_de(6)])
    assert r.status_code == 200
    data = r.json()
    assert data["success"] is True
    assert data["result"]["loteId"] == 1
    first, second = data["result"]["deList"]
    assert first["numero"] == "001-001-0000005"
    assert second["numero"] == "001-001-0000006"
    assert first["estado"] == "0-Generado"
    assert is_valid_cdc(first["cdc"])
    assert first["fechaEmision"] == "2024-10-19T10:11:00"
    assert first["fechaFirma"]
    assert "qr" not in first and "dIVA10" not in first


def test_lote_ids_increase_with_every_lote(sandbox: FacturaSendSandbox) -> None:
    ids = [create(sandbox, [make_de(n)]).json()["result"]["loteId"] for n in (1, 2, 3)]
    assert ids == [1, 2, 3]


def test_cdc_is_predictable_from_the_emisor_and_the_security_code(
    sandbox: FacturaSendSandbox,
) -> None:
    de = make_de(7, codigo_seguridad="123456789")
    cdc = create(sandbox, [de]).json()["result"]["deList"][0]["cdc"]
    assert cdc == expected_cdc(de, "123456789")


def test_qr_and_tax_query_params_add_their_fields(sandbox: FacturaSendSandbox) -> None:
    r = create(sandbox, [make_de(1)], params={"qr": "true", "tax": "true", "xml": "true"})
    item = r.json()["result"]["deList"][0]
    assert item["qr"].startswith("https://ekuatia.set.gov.py/")
    assert item["cdc"] in item["qr"]
    assert item["dIVA5"] == 0
    assert item["dIVA10"] == 10_000  # 110 000 at 10 % included
    assert item["cdc"] in item["xml"]


def test_lote_of_51_documents_is_refused_and_nothing_is_created(
    sandbox: FacturaSendSandbox,
) -> None:
    r = create(sandbox, [make_de(n) for n in range(1, 52)])
    assert r.status_code == 200
    data = r.json()
    assert data["success"] is False
    assert "50" in data["error"]
    assert [e["index"] for e in data["errores"]] == [50]
    assert sandbox.documents() == []
    assert sandbox.lote_ids() == []


def test_lote_of_50_documents_is_accepted(sandbox: FacturaSendSandbox) -> None:
    r = create(sandbox, [make_de(n) for n in range(1, 51)])
    assert len(r.json()["result"]["deList"]) == 50


def test_lote_with_mixed_types_names_the_odd_ones_and_creates_nothing(
    sandbox: FacturaSendSandbox,
) -> None:
    r = create(sandbox, [make_de(1, tipo=1), make_de(2, tipo=1), make_de(3, tipo=5)])
    data = r.json()
    assert data["success"] is False
    assert [e["index"] for e in data["errores"]] == [2]
    assert sandbox.documents() == []


@pytest.mark.parametrize(
    ("body", "raw"),
    [
        (None, b"{not json"),
        ({"tipoDocumento": 1}, None),
        ([], None),
    ],
)
def test_a_body_that_is_not_a_non_empty_array_is_refused(
    sandbox: FacturaSendSandbox, body: Any, raw: bytes | None
) -> None:
    data = create(sandbox, body, raw=raw).json()
    assert data["success"] is False
    assert data["error"]
    assert data["errores"] == []
    assert sandbox.documents() == []


def test_a_de_missing_required_fields_is_refused_by_index(sandbox: FacturaSendSandbox) -> None:
    broken = make_de(2)
    del broken["fecha"]
    broken["items"] = []
    wrong_type = make_de(3)
    wrong_type["numero"] = "tres"
    data = create(sandbox, [make_de(1), broken, wrong_type]).json()
    assert data["success"] is False
    by_index: dict[int, list[str]] = {}
    for e in data["errores"]:
        by_index.setdefault(e["index"], []).append(e["error"])
    assert set(by_index) == {1, 2}
    assert any("fecha" in m for m in by_index[1])
    assert any("items" in m for m in by_index[1])
    assert any("numero" in m for m in by_index[2])
    assert sandbox.documents() == []


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer api_key_wrong"}, {"Authorization": API_KEY}]
)
def test_wrong_or_missing_api_key_is_401(
    sandbox: FacturaSendSandbox, headers: dict[str, str]
) -> None:
    r = httpx.post(f"{sandbox.url}/demo/lote/create", json=[make_de(1)], headers=headers)
    assert r.status_code == 401
    assert r.json()["success"] is False
    assert sandbox.documents() == []


def test_another_tenant_is_401(sandbox: FacturaSendSandbox) -> None:
    r = httpx.post(f"{sandbox.url}/other/lote/create", json=[make_de(1)], headers=AUTH)
    assert r.status_code == 401


def test_documents_stay_generated_until_the_processing_delay_elapses(
    sandbox: FacturaSendSandbox, clock: FakeClock
) -> None:
    cdc = create(sandbox, [make_de(1)]).json()["result"]["deList"][0]["cdc"]
    clock.advance(1.9)
    item = estado(sandbox, cdc)["deList"][0]
    assert (item["estado"], item["situacion"]) == ("0-Generado", 0)
    assert item["respuesta_codigo"] is None
    clock.advance(0.1)
    item = estado(sandbox, cdc)["deList"][0]
    assert (item["estado"], item["situacion"]) == ("2-Aprobado", 2)
    assert item["respuesta_codigo"] == "0260"
    assert item["respuesta_mensaje"] == "Autorización del DE satisfactoria"
    assert item["numero"] == "001-001-0000001"


def test_unknown_cdc_reads_inexistente(sandbox: FacturaSendSandbox) -> None:
    item = estado(sandbox, "0" * 44)["deList"][0]
    assert (item["estado"], item["situacion"]) == ("98-Inexistente", 98)


def test_empty_cdc_list_is_a_cheap_authenticated_call(sandbox: FacturaSendSandbox) -> None:
    assert estado(sandbox) == {"success": True, "deList": []}


def test_de_numero_lists_every_attempt_oldest_first(
    sandbox: FacturaSendSandbox, clock: FakeClock
) -> None:
    create(sandbox, [make_de(9, ruc="80012345-9")])  # wrong check digit
    clock.advance(2)
    create(sandbox, [make_de(9)])
    clock.advance(2)
    r = httpx.get(f"{sandbox.url}/demo/de/numero/1/001/001/9", headers=AUTH)
    items = r.json()["deList"]
    assert [i["estado"] for i in items] == ["4-Rechazado", "2-Aprobado"]
    assert httpx.get(f"{sandbox.url}/demo/de/numero/1/1/1/10", headers=AUTH).json() == {
        "success": True,
        "deList": [],
    }


def test_draft_lote_waits_for_confirmation(sandbox: FacturaSendSandbox, clock: FakeClock) -> None:
    r = create(sandbox, [make_de(1)], params={"draft": "true"})
    lote_id = r.json()["result"]["loteId"]
    cdc = r.json()["result"]["deList"][0]["cdc"]
    clock.advance(10)
    assert estado(sandbox, cdc)["deList"][0]["situacion"] == 0
    httpx.post(f"{sandbox.url}/demo/lote/draft-confirm/{lote_id}", headers=AUTH)
    clock.advance(2)
    assert estado(sandbox, cdc)["deList"][0]["situacion"] == 2


def test_rejected_draft_is_forgotten(sandbox: FacturaSendSandbox) -> None:
    r = create(sandbox, [make_de(1)], params={"draft": "true"})
    lote_id = r.json()["result"]["loteId"]
    httpx.post(f"{sandbox.url}/demo/lote/draft-reject/{lote_id}", headers=AUTH)
    assert sandbox.documents() == []
    assert sandbox.receipts_by_cdc() == {}


def test_demo_cancelled_ruc_has_a_valid_check_digit() -> None:
    assert is_valid_ruc(DEMO_CANCELLED_RUC)


def test_sandbox_refuses_an_emisor_ruc_with_a_wrong_check_digit() -> None:
    with pytest.raises(ValueError):
        FacturaSendSandbox(emisor_ruc="80069563-2")


def test_a_cdc_resent_while_pending_is_counted_and_loses_to_the_first(
    sandbox: FacturaSendSandbox, clock: FakeClock
) -> None:
    de = make_de(4, codigo_seguridad="000000042")
    cdc = create(sandbox, [de]).json()["result"]["deList"][0]["cdc"]
    create(sandbox, [de])  # resent before asking: what SIFEN punishes
    assert sandbox.receipts_by_cdc() == {cdc: 2}
    clock.advance(2)
    assert estado(sandbox, cdc)["deList"][0]["estado"] == "2-Aprobado"
    assert [(d.estado, d.code) for d in sandbox.documents()] == [
        ("2-Aprobado", "0260"),
        ("4-Rechazado", "1001"),
    ]
    assert sandbox.approvals_by_number() == {(1, 1, 1, 4): 1}


def test_a_rejected_draft_between_lotes_leaves_the_other_answers_unchanged(
    sandbox: FacturaSendSandbox, clock: FakeClock
) -> None:
    """The attempt indexes are rebuilt when a draft is dropped (its attempts renumber
    every later one): answers by CDC and by number still name the right attempts."""
    first = create(sandbox, [make_de(1)]).json()["result"]["deList"][0]["cdc"]
    draft = create(sandbox, [make_de(2)], params={"draft": "true"}).json()["result"]
    second = create(sandbox, [make_de(3)]).json()["result"]["deList"][0]["cdc"]
    httpx.post(f"{sandbox.url}/demo/lote/draft-reject/{draft['loteId']}", headers=AUTH)
    clock.advance(2)
    answers = estado(sandbox, first, second, draft["deList"][0]["cdc"])["deList"]
    assert [a["situacion"] for a in answers] == [2, 2, 98]  # the draft: inexistente
    by_number = httpx.get(f"{sandbox.url}/demo/de/numero/1/001/001/3", headers=AUTH).json()
    assert [i["cdc"] for i in by_number["deList"]] == [second]
