"""FacturaSend (Paraguay, SIFEN): pure mapping functions plus a thin client.

Contract: FacturaSend's public page "Crear lote de DE" (seeds/facturasend-lote-create.txt):
``POST {base}/<tenantId>/lote/create`` with ``Authorization: Bearer api_key_...`` and a JSON
*array* of 1..50 DE of the same tipoDocumento; the answer ``{success, error?, errores?,
result: {deList: [{cdc, numero, estado, ...}], loteId}}`` leaves each DE in estado
``0-Generado`` until SIFEN answers. States come from ``POST {base}/<tenantId>/de/estado``
(page "consulta de estados"; every call also makes FacturaSend ask SIFEN), and a lost
answer is reconciled with ``GET {base}/<tenantId>/de/numero/{tipo}/{est}/{punto}/{numero}``,
which lists every attempt for a number (PROVIDERS.md, "FacturaSend").

Where the pages are silent the parsers are defensive: ``deList`` entries are matched to
our documents by *numero* (never by position), missing fields are tolerated and extra
ones ignored, an ``errores[].index`` may come as a number or a string, and anything we
cannot read after the request was sent is an unknown outcome (base.py), never a
refusal: only an explicit ``success: false`` proves nothing was created.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import httpx

from desktop_app.domain.cdc import is_valid_cdc
from desktop_app.providers.base import (
    CallRefused,
    DocumentRef,
    DocumentResult,
    Outcome,
    OutcomeUnknown,
    OutgoingDocument,
    SubmitResult,
)
from desktop_app.providers.fields import as_int, as_list, as_text
from desktop_app.providers.http import ClientLifecycle, decode_json, make_client, send

log = logging.getLogger(__name__)

PROVIDER = "facturasend"
MAX_BATCH = 50  # "hasta un máximo de 50 del mismo tipo" (lote/create page)

_AUTH_MESSAGE = "FacturaSend rechazó las credenciales: revise el tenant y la API key."
_UNKNOWN_MESSAGE = (
    "FacturaSend no dio una respuesta legible; se consultará el resultado antes de reenviar."
)

#: FacturaSend's numeric situacion -> our outcome. 0 = generated, SIFEN has not answered.
_SITUACION_OUTCOME: dict[int, Outcome] = {
    0: Outcome.PROCESSING,
    1: Outcome.PROCESSING,
    2: Outcome.APPROVED,
    3: Outcome.APPROVED_WITH_OBSERVATIONS,
    4: Outcome.REJECTED,
    98: Outcome.NOT_FOUND,
}

_FINAL_OUTCOMES = frozenset(
    {Outcome.APPROVED, Outcome.APPROVED_WITH_OBSERVATIONS, Outcome.REJECTED}
)

_LEADING_NUMBER = re.compile(r"^\s*(\d+)\s*(?:-|$)")


# -- the one mapping of FacturaSend states --------------------------------------------


def estado_outcome(estado: Any, situacion: Any = None) -> Outcome:
    """Map FacturaSend's ``estado`` text ("2-Aprobado") and/or ``situacion`` (2) to an Outcome.

    The numeric situacion wins when present; otherwise the number leading the estado
    text, otherwise words in it. 0/"Generado" means SIFEN has not answered yet
    (PROCESSING). Anything unrecognised — including "99-Cancelado", which is an event on
    an already approved document and not a submission outcome — maps to PROCESSING,
    and callers keep the text verbatim in ``provider_status`` so nothing is lost.
    """
    for candidate in (situacion, estado):
        number = as_int(candidate)
        if number is None and isinstance(candidate, str):
            m = _LEADING_NUMBER.match(candidate)
            number = int(m.group(1)) if m else None
        if number is not None:
            return _SITUACION_OUTCOME.get(number, Outcome.PROCESSING)
    text = str(estado or "").strip().lower()
    if "observ" in text and "aprobado" in text:
        return Outcome.APPROVED_WITH_OBSERVATIONS
    if "aprobado" in text:
        return Outcome.APPROVED
    if "rechazado" in text:
        return Outcome.REJECTED
    if "inexistente" in text or "no encontrado" in text:
        return Outcome.NOT_FOUND
    return Outcome.PROCESSING


# -- pure mapping functions -----------------------------------------------------------


def build_lote_body(docs: list[OutgoingDocument]) -> list[dict[str, Any]]:
    """The JSON array for lote/create, one DE payload per document, in order.

    When we already know a document's CDC (computed locally) and its payload carries no
    ``codigoSeguridadAleatorio``, the CDC's security code (digits 35-43, MT v150 §10.1)
    is sent with it, so FacturaSend produces that very CDC and a later query by CDC finds
    the document even if this call's answer is lost.
    """
    if not docs:
        raise ValueError("a lote needs at least one document")
    if len(docs) > MAX_BATCH:
        raise ValueError(
            f"FacturaSend accepts at most {MAX_BATCH} documents per lote, got {len(docs)}"
        )
    tipos = {as_int(d.payload.get("tipoDocumento")) for d in docs}
    if len(tipos) > 1:
        raise ValueError(f"a lote must hold one tipoDocumento, got {sorted(map(str, tipos))}")
    body: list[dict[str, Any]] = []
    for doc in docs:
        payload = dict(doc.payload)
        if doc.cdc and is_valid_cdc(doc.cdc) and not payload.get("codigoSeguridadAleatorio"):
            payload["codigoSeguridadAleatorio"] = doc.cdc[34:43]
        body.append(payload)
    return body


def parse_lote_response(
    status: int, body: bytes | str, docs: list[OutgoingDocument]
) -> SubmitResult:
    """Classify lote/create's answer (see base.py for what each exception means)."""
    data = _envelope(status, body, refusable_statuses=(400, 422))
    if _is_false(data.get("success")):
        raise _refusal(data)
    result = _inner(data)
    if result.get("deList") is None:
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    entries = as_list(result.get("deList"))
    by_numero: dict[tuple[int, ...] | str, deque[dict[str, Any]]] = defaultdict(deque)
    for entry in entries:
        if isinstance(entry, dict) and entry.get("numero") is not None:
            by_numero[_numero_key(entry["numero"])].append(entry)
    documents: list[DocumentResult] = []
    missing: list[str] = []
    for doc in docs:
        queue = by_numero.get(_numero_key(doc.numero))
        if not queue:
            missing.append(doc.numero)
            continue
        entry = queue.popleft()
        estado = as_text(entry.get("estado")) or "0-Generado"
        mapped = estado_outcome(estado, entry.get("situacion"))
        cdc = as_text(entry.get("cdc")) or doc.cdc
        if doc.cdc and cdc != doc.cdc:
            log.warning("FacturaSend assigned CDC %s to %s, expected %s", cdc, doc.numero, doc.cdc)
        documents.append(
            DocumentResult(
                outcome=mapped if mapped in _FINAL_OUTCOMES else Outcome.RECEIVED,
                local_id=doc.local_id,
                cdc=cdc,
                numero=as_text(entry.get("numero")) or doc.numero,
                code=as_text(entry.get("respuesta_codigo")),
                message=as_text(entry.get("respuesta_mensaje")),
                provider_status=estado,
            )
        )
    if missing:
        raise OutcomeUnknown(
            "FacturaSend aceptó el lote pero no informó los documentos "
            f"{', '.join(missing)}; se consultará su estado antes de reenviar."
        )
    lote_id = result.get("loteId")
    return SubmitResult(
        lote_id=None if lote_id in (None, "") else str(lote_id), documents=documents
    )


def parse_estado_response(status: int, body: bytes | str) -> list[DocumentResult]:
    """de/estado's answer: one result per CDC asked (unknown CDCs come back NOT_FOUND)."""
    return _parse_de_list(status, body)


def parse_numero_response(status: int, body: bytes | str) -> list[DocumentResult]:
    """de/numero's answer: every attempt for one number, oldest first."""
    return _parse_de_list(status, body)


# -- client ---------------------------------------------------------------------------


class FacturaSendClient(ClientLifecycle):
    """Thin HTTP calls over the pure functions above; one `httpx.Client` per instance.

    The API key travels only in the Authorization header; it is never part of an
    exception message or a log line (DESIGN rule 4).
    """

    provider = PROVIDER
    max_batch = MAX_BATCH

    def __init__(
        self,
        base_url: str,
        tenant: str,
        api_key: str,
        *,
        timeout: float | httpx.Timeout | None = None,
    ) -> None:
        if not tenant:
            raise ValueError("FacturaSend needs a tenant id")
        self.base_url = base_url.rstrip("/")
        self.tenant = tenant
        self._prefix = "/" + quote(tenant, safe="")
        self._http = make_client(
            self.base_url,
            headers={
                "Authorization": f"Bearer {api_key}",
                "Content-Type": "application/json; charset=utf-8",
            },
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"FacturaSendClient(base_url={self.base_url!r}, tenant={self.tenant!r})"

    def submit(self, docs: list[OutgoingDocument]) -> SubmitResult:
        body = build_lote_body(docs)
        response = self._post("/lote/create", body)
        return parse_lote_response(response.status_code, response.content, docs)

    def status(self, cdcs: list[str]) -> list[DocumentResult]:
        results: list[DocumentResult] = []
        for start in range(0, len(cdcs), MAX_BATCH):
            chunk = cdcs[start : start + MAX_BATCH]
            response = self._post("/de/estado", {"cdcList": [{"cdc": c} for c in chunk]})
            results.extend(parse_estado_response(response.status_code, response.content))
        return results

    def lookup_by_number(
        self, tipo_documento: int, establecimiento: str, punto: str, numero: int
    ) -> list[DocumentResult]:
        path = (
            f"/de/numero/{int(tipo_documento)}/{int(establecimiento):03d}"
            f"/{int(punto):03d}/{int(numero)}"
        )
        response = self._request("GET", path)
        return parse_numero_response(response.status_code, response.content)

    def poll(self, refs: list[DocumentRef]) -> list[DocumentResult]:
        """ProviderClient.poll: FacturaSend answers per CDC (`de/estado`)."""
        by_cdc = {r.cdc: r.local_id for r in refs if r.cdc}
        results = self.status(list(by_cdc))
        return [replace(r, local_id=by_cdc.get(r.cdc or "")) for r in results]

    def lookup(self, ref: DocumentRef) -> list[DocumentResult]:
        """ProviderClient.lookup: every attempt for the number (`de/numero`)."""
        return self.lookup_by_number(ref.tipo_documento, ref.establecimiento, ref.punto,
                                     ref.numero)

    def probe(self) -> None:
        """Is FacturaSend reachable and are the credentials right?

        Uses de/estado with an empty cdcList: a documented, authenticated call that
        creates nothing (FacturaSend publishes no ping endpoint).
        """
        response = self._post("/de/estado", {"cdcList": []})
        _envelope(response.status_code, response.content)

    def _post(self, path: str, payload: Any) -> httpx.Response:
        content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return self._request("POST", path, content=content)

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = send(self._http, method, self._prefix + path, **kwargs)
        log.debug("FacturaSend %s %s -> %s", method, path, response.status_code)
        return response


# -- helpers --------------------------------------------------------------------------


def _parse_de_list(status: int, body: bytes | str) -> list[DocumentResult]:
    data = _envelope(status, body)
    if _is_false(data.get("success")):
        raise _refusal(data)
    container = _inner(data)
    if "deList" not in container:
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    results: list[DocumentResult] = []
    for entry in as_list(container.get("deList")):
        if not isinstance(entry, dict):
            continue
        estado = as_text(entry.get("estado"))
        situacion = entry.get("situacion")
        results.append(
            DocumentResult(
                outcome=estado_outcome(estado, situacion),
                cdc=as_text(entry.get("cdc")),
                numero=as_text(entry.get("numero")),
                code=as_text(entry.get("respuesta_codigo")),
                message=as_text(entry.get("respuesta_mensaje")),
                provider_status=estado or as_text(situacion),
            )
        )
    return results


def _envelope(
    status: int, body: bytes | str, refusable_statuses: Iterable[int] = ()
) -> dict[str, Any]:
    """Decode a JSON object answer or classify the failure.

    401/403 are refusals of the credentials. 4xx in `refusable_statuses` with an explicit
    ``success: false`` are refusals of the call. Everything else that is not a 2xx JSON
    object (5xx, Cloudflare's 524, an HTML page, a truncated body) may hide a processed
    request: OutcomeUnknown.
    """
    if status in (401, 403):
        raise CallRefused(_AUTH_MESSAGE, auth=True, code=str(status))
    data = _decode(body)
    if 200 <= status < 300 and data is not None:
        return data
    if status in set(refusable_statuses) and data is not None and _is_false(data.get("success")):
        return data
    raise OutcomeUnknown(_UNKNOWN_MESSAGE)


def _decode(body: bytes | str) -> dict[str, Any] | None:
    data = decode_json(body)
    return data if isinstance(data, dict) else None


def _refusal(data: dict[str, Any]) -> CallRefused:
    errors: dict[int, str] = {}
    loose: list[str] = []
    for entry in as_list(data.get("errores")):
        if isinstance(entry, dict):
            message = as_text(entry.get("error")) or as_text(entry.get("mensaje")) or ""
            index = as_int(entry.get("index"))
            if index is None:
                if message:
                    loose.append(message)
                continue
            errors[index] = f"{errors[index]}; {message}" if index in errors else message
        elif entry not in (None, ""):
            loose.append(str(entry))
    summary = as_text(data.get("error")) or "; ".join(loose) or "FacturaSend rechazó el lote."
    if loose and summary not in loose:
        summary = f"{summary} ({'; '.join(loose)})"
    return CallRefused(summary, errors)


def _numero_key(numero: Any) -> tuple[int, ...] | str:
    """ "001-001-0000005" and "1-1-5" are the same number; anything else compares as text."""
    text = str(numero).strip()
    parts = text.split("-")
    if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
        return tuple(int(p) for p in parts)
    return text


def _inner(data: dict[str, Any]) -> dict[str, Any]:
    """The object holding ``deList``: ``result`` for lote/create, the top level elsewhere."""
    result = data.get("result")
    return result if isinstance(result, dict) else data





def _is_false(value: Any) -> bool:
    """Only an explicit ``success: false`` (or "false") says the call created nothing."""
    if isinstance(value, str):
        return value.strip().lower() in {"false", "0", "n", "no"}
    return value is False


def create_client(*, base_url: str, tenant: str | None, api_key: str,
                  emisor_ruc: str | None = None,
                  timeout: float | httpx.Timeout | None = None) -> FacturaSendClient:
    """Registry entry point (providers/registry.py)."""
    if not tenant:
        raise ValueError("FacturaSend needs a tenant id")
    return FacturaSendClient(base_url, tenant, api_key, timeout=timeout)
