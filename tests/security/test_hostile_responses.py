"""Provider answers are untrusted input. For every dialect's parsers, whatever comes
back — wrong types, deep nesting, huge numbers, control characters, not JSON at all —
the parser either returns its result type or raises one of our ProviderError classes
(which the engine turns into a calm status), never anything else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.providers import cucu, dtepy, facturasend, jsifen, tusfacturas
from desktop_app.providers.base import DocumentResult, OutgoingDocument, ProviderError, SubmitResult

DOCS = [OutgoingDocument(local_id=i, payload={"tipoDocumento": 1, "numero": i}, numero=f"001-001-{i:07d}",
                         cdc="0" * 44, external_ref=f"ref{i}") for i in (1, 2)]
CDC = "01800695631001001000000112026112111234567895"

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40))
json_value = st.recursive(
    json_leaf,
    lambda children: st.one_of(st.lists(children, max_size=5),
                               st.dictionaries(st.text(max_size=12), children, max_size=6)),
    max_leaves=30,
)
#: Keys the real dialects use, so that generated objects reach deep into the parsers.
KEYS = ["success", "error", "errores", "result", "deList", "loteId", "cdc", "numero", "estado",
        "situacion", "respuesta_codigo", "respuesta_mensaje", "index", "ns2:rResEnviLoteDe",
        "ns2:dCodRes", "ns2:dMsgRes", "ns2:dProtConsLote", "ns2:rResEnviConsLoteDe",
        "ns2:dCodResLot", "ns2:gResProcLote", "ns2:id", "ns2:dEstRes", "ns2:gResProc", "codigo",
        "mensaje", "lote", "codigoLote", "mensajeLote", "resultados", "codigoError",
        "mensajeError", "data", "results", "total", "invoiceId", "invoiceNumber", "cuf", "status",
        "message", "items", "hasMore", "page", "errores", "response", "cae",
        "comprobante_nro", "cae_vencimiento", "observaciones", "external_reference",
        "comprobante_tipo", "rta"]
shaped = st.recursive(
    json_leaf,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(KEYS), children, max_size=8)),
    max_leaves=40,
)


def bodies() -> st.SearchStrategy[bytes]:
    as_json = st.one_of(json_value, shaped).map(lambda v: json.dumps(v, allow_nan=True).encode())
    raw = st.binary(max_size=200)
    deep = st.integers(min_value=500, max_value=100_000).map(lambda n: b"[" * n + b"]" * n)
    controls = st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=80).map(
        lambda t: json.dumps({"success": False, "error": t, "errores": [{"index": 0, "error": t}]}).encode())
    return st.one_of(as_json, raw, deep, controls, st.just(b"<html>BIG-IP logout page</html>"))


statuses = st.sampled_from([200, 201, 202, 204, 400, 401, 403, 404, 409, 422, 429, 500, 503, 524])

PARSERS: list[tuple[str, Any, type | tuple[type, ...]]] = [
    ("facturasend.lote", lambda s, b: facturasend.parse_lote_response(s, b, DOCS), SubmitResult),
    ("facturasend.estado", facturasend.parse_estado_response, list),
    ("facturasend.numero", facturasend.parse_numero_response, list),
    ("dtepy.lote", lambda s, b: dtepy.parse_lote_response(s, b, DOCS), SubmitResult),
    ("dtepy.consultalote", dtepy.parse_consulta_lote_response, object),
    ("dtepy.consulta", lambda s, b: dtepy.parse_consulta_response(s, b, CDC), (DocumentResult, type(None))),
    ("dtepy.sync", lambda s, b: dtepy.parse_sync_response(s, b, DOCS[0]), DocumentResult),
    ("jsifen.recibe", lambda s, b: jsifen.parse_recibe_response(s, b, DOCS[0]), SubmitResult),
    ("jsifen.lote", jsifen.parse_consulta_lote, object),
    ("jsifen.de", lambda s, b: jsifen.parse_consulta_de(s, b, CDC), list),
    ("jsifen.cancel", lambda s, b: jsifen.parse_cancel_response(s, b, CDC), object),
    ("cucu.batch", lambda s, b: cucu.parse_batch_response(s, b, DOCS), SubmitResult),
    ("cucu.status", lambda s, b: cucu.parse_status_response(s, b, 1), DocumentResult),
    ("cucu.page", cucu.parse_page, tuple),
]
TF_DOCS = [OutgoingDocument(
    local_id=i, numero=f"B 00003-{70 + i:08d}", external_ref=f"ref{i}",
    payload={"cliente": {}, "comprobante": {"tipo": "FACTURA B", "punto_venta": 3,
                                            "numero": 70 + i, "external_reference": f"ref{i}"}})
    for i in (1, 2)]
TF_ROWS = [tusfacturas.Row(index=i, doc=d, tipo=6, punto_venta=3, fecha=None, numero=70 + i)
           for i, d in enumerate(TF_DOCS)]
PARSERS += [
    ("tusfacturas.lote", lambda s, b: tusfacturas.parse_lote_response(s, b, TF_ROWS), SubmitResult),
    ("tusfacturas.consulta", tusfacturas.parse_consulta_response, list),
    ("tusfacturas.numeracion", tusfacturas.parse_numeracion_response, int),
]


@pytest.mark.parametrize("name,parse,kind", PARSERS, ids=[p[0] for p in PARSERS])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=statuses, body=bodies())
def test_a_parser_returns_its_type_or_a_provider_error(name, parse, kind, status, body) -> None:
    try:
        result = parse(status, body)
    except ProviderError as exc:
        message = str(exc)
        assert len(message) < 5000
        return
    assert isinstance(result, kind), (name, type(result))


@pytest.mark.parametrize("name,parse,kind", PARSERS, ids=[p[0] for p in PARSERS])
def test_a_nesting_bomb_is_a_provider_error_not_a_crash(name, parse, kind) -> None:
    bomb = b"[" * 200_000 + b"]" * 200_000
    try:
        parse(200, bomb)
    except ProviderError:
        pass
