"""DTEpy (Paraguay, SIFEN): pure mapping functions plus a thin client.

Contract: DTEpy's public "Documentación de la API" (seeds/dtepy-api.txt). Every call is
authenticated by the ``x-access-token`` header (the page's recommended form; the token
never goes in the body). DTEpy forwards SIFEN's SOAP answers converted to JSON, with
their ``ns2:`` prefixes, so the codes are SIFEN's own (SET MT v150 and DNIT's 2024 guide
"Recomendaciones y mejores prácticas para SIFEN", PROVIDERS.md "SIFEN facts"):

- ``POST /documentoset/lotes`` ``{tipoDocumento, id, detalle: [DE, ... <= 50]}`` →
  ``ns2:rResEnviLoteDe``: ``0300`` "Lote recibido con éxito" with ``ns2:dProtConsLote``
  (17 digits in real life: kept as a string, never a number), or ``0301`` "Lote no
  encolado para procesamiento" (nothing queued; also SIFEN's answer while the emisor is
  blocked for duplicate sends).
- ``POST /documentoset/consultalote`` ``{id, numlote, tipoDocumento}`` →
  ``ns2:rResEnviConsLoteDe`` with ``ns2:dCodResLot`` 0360 (unknown lote), 0361 (still
  processing), 0362 (concluded: ``ns2:gResProcLote``), 0364 (older than 48 h: ask per
  CDC). ``gResProcLote`` is a *list* when the lote held several documents and a
  *single object* when it held one (both shapes are on the page); ``gResProc`` inside an
  item may likewise be one object or a list of messages.
- ``POST /documentoset/consulta`` ``{id, cdc, tipoDocumento}`` →
  ``ns2:rEnviConsDeResponse``: ``0422`` "CDC encontrado" (approved, the DE's XML in
  ``ns2:xContenDE``) or ``0420`` "Documento No Existe en SIFEN o ha sido Rechazado".
- ``POST /documentoset`` (one DE, synchronous) → ``ns2:rRetEnviDe`` / ``ns2:rProtDe``.

The lote body's ``id`` is the emisor's identifier at DTEpy (the page's examples send the
number 1); Lote keeps it in the profile's ``tenant`` and sends it as a JSON number when it
is all digits, as text otherwise. The lote answer names no document: SIFEN computes each
document's CDC from the DE fields and ``codigoSeguridadAleatorio`` exactly as Lote did,
so each document is reported RECEIVED under the CDC it already has (and the CDC travels
in the DE's ``cdc`` field, which the page's DE structure carries). A document without a
locally computed CDC is never sent: without it no later query could find it.

Never resending a CDC that has no final result (DNIT guide, "Motivos de bloqueo": the
emisor's RUC is blocked 10-60 minutes) rests on `lookup`: after a lost answer it asks by
CDC (``consulta``) and, when SIFEN says 0420 — which means "never received" *or*
"rejected" *or*, in practice, "still in a lote being processed" — it asks the lote *by
that CDC* (``consultalote`` with the CDC as ``numlote``: DNIT guide, Recomendaciones §3,
"se puede consultar el lote con un CDC que fue enviado en el lote respectivo"). Only a
definite "no such lote" (0360) lets the engine send the document again.

Where the page is silent the parsers are defensive: prefixes may be missing (``dCodRes``
as well as ``ns2:dCodRes``), numbers may come as JSON numbers, DTEpy's own errors (its
check of the JSON structure, before anything reaches SIFEN) are recognised only as HTTP
400/422 with a JSON body, and anything unreadable after the request was sent — an HTML
page such as F5's "BIG-IP logout page", a 5xx, a truncated body — is an unknown outcome.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx

from desktop_app.domain.cdc import is_valid_cdc
from desktop_app.domain.ruc import parse_ruc
from desktop_app.domain.text import clean_text
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
from desktop_app.providers.http import ClientLifecycle, decode_json, is_loopback, make_client, send

log = logging.getLogger(__name__)

PROVIDER = "dtepy"
MAX_BATCH = 50  # "agrupar hasta 50 documentos JSON en un arreglo" (lotes page)
NAMESPACE = "http://ekuatia.set.gov.py/sifen/xsd"

LOTES_PATH = "/documentoset/lotes"
SYNC_PATH = "/documentoset"
CONSULTA_LOTE_PATH = "/documentoset/consultalote"
CONSULTA_PATH = "/documentoset/consulta"
#: Listed under "Otros Endpoints" with no description: an authenticated GET that creates
#: nothing, which is all `probe` needs (its body is not interpreted).
EXPIRATION_PATH = "/documentoset/getexpiration"

# SIFEN answer codes (MT v150 and DNIT's 2024 guide).
LOTE_RECIBIDO = "0300"
LOTE_NO_ENCOLADO = "0301"
LOTE_INEXISTENTE = "0360"
LOTE_EN_PROCESO = "0361"
LOTE_CONCLUIDO = "0362"
LOTE_EXTEMPORANEO = "0364"
DE_NO_EXISTE = "0420"
CDC_ENCONTRADO = "0422"

_AUTH_MESSAGE = "DTEpy rechazó el token de acceso o el id del emisor: revise el perfil."
_UNKNOWN_MESSAGE = (
    "DTEpy no dio una respuesta legible; se consultará el resultado antes de reenviar."
)
_NO_CDC_MESSAGE = (
    "Hay documentos sin CDC: configure el RUC del emisor en el perfil antes de enviar a DTEpy."
)
_NOT_APPROVED_MESSAGE = "Documento No Existe en SIFEN o ha sido Rechazado"

_FINAL_OUTCOMES = frozenset(
    {Outcome.APPROVED, Outcome.APPROVED_WITH_OBSERVATIONS, Outcome.REJECTED}
)

#: SIFEN codes that name a document's fate when no ``dEstRes`` text comes with them.
_CODE_OUTCOME: dict[str, Outcome] = {
    "0260": Outcome.APPROVED,  # Autorización del DE satisfactoria
    CDC_ENCONTRADO: Outcome.APPROVED,  # consulta: exists as an approved DTE
    "1005": Outcome.APPROVED_WITH_OBSERVATIONS,  # transmisión extemporánea (AO)
    LOTE_RECIBIDO: Outcome.RECEIVED,
    LOTE_EN_PROCESO: Outcome.PROCESSING,
    LOTE_INEXISTENTE: Outcome.NOT_FOUND,
    DE_NO_EXISTE: Outcome.NOT_FOUND,
}

_LOTE_IN_MESSAGE = re.compile(r"\{\s*(\d+)\s*\}")
_PROT_AUT_IN_XML = re.compile(r"<(?:\w+:)?dProtAut>\s*(\d+)\s*</(?:\w+:)?dProtAut>")


# -- the one mapping of SIFEN's vocabulary -------------------------------------------


def sifen_outcome(estado: Any = None, code: Any = None) -> Outcome:
    """Map SIFEN's ``dEstRes`` text and/or a response code to an Outcome.

    The text wins when present ("Aprobado", "Aprobado con observación", "Rechazado",
    accents and case ignored); otherwise the code (0260/0422 approved, 1005 approved
    with observation, 0300 received, 0361 processing, 0360/0420 not found). Anything
    else is PROCESSING: callers keep the provider's words verbatim in
    ``provider_status``/``message``, so nothing is lost, and nothing unrecognised is
    ever taken for a final answer.
    """
    text = _fold(estado)
    if text:
        if "rechaz" in text:
            return Outcome.REJECTED
        if "aprobado" in text and "observ" in text:
            return Outcome.APPROVED_WITH_OBSERVATIONS
        if "aprobado" in text:
            return Outcome.APPROVED
    return _CODE_OUTCOME.get(_text(code) or "", Outcome.PROCESSING)


# -- building requests ----------------------------------------------------------------


def emisor_id(tenant: str) -> int | str:
    """The ``id`` DTEpy expects in every body: the page's examples send a number."""
    text = tenant.strip()
    return int(text) if text.isdigit() else text


def missing_cdc(docs: Iterable[OutgoingDocument]) -> list[OutgoingDocument]:
    """Documents Lote must not send to DTEpy: without a known CDC nothing could ask
    about them after a lost answer (the store computes it when the profile names the
    emisor's RUC)."""
    return [d for d in docs if not (d.cdc and is_valid_cdc(d.cdc))]


def build_de(doc: OutgoingDocument) -> dict[str, Any]:
    """The DE JSON as stored, plus what pins its CDC.

    ``codigoSeguridadAleatorio`` is taken from the CDC (digits 35-43, MT v150 §10.1)
    when the payload lacks it, and ``cdc`` (a field of the page's DE structure) is set
    to the document's CDC, so DTEpy and SIFEN issue exactly the CDC Lote will ask about.
    """
    payload = copy.deepcopy(doc.payload)
    if doc.cdc and is_valid_cdc(doc.cdc):
        if not payload.get("codigoSeguridadAleatorio"):
            payload["codigoSeguridadAleatorio"] = doc.cdc[34:43]
        stored = payload.get("cdc")
        if stored not in (None, "", doc.cdc):
            log.warning(
                "DTEpy: payload of %s carried CDC %s; sending %s", doc.numero, stored, doc.cdc
            )
        payload["cdc"] = doc.cdc
    return payload


def build_lote_body(docs: list[OutgoingDocument], emisor: int | str) -> dict[str, Any]:
    """``{tipoDocumento, id, detalle}`` for /documentoset/lotes.

    Raises ValueError for what SIFEN would answer 0301 to *and* count against the
    emisor (DNIT guide, "Motivos de bloqueo"): an empty lote, more than 50 documents,
    mixed types, the same CDC twice in one lote.
    """
    if not docs:
        raise ValueError("a lote needs at least one document")
    if len(docs) > MAX_BATCH:
        raise ValueError(f"DTEpy accepts at most {MAX_BATCH} documents per lote, got {len(docs)}")
    tipos = {as_int(d.payload.get("tipoDocumento")) for d in docs}
    if len(tipos) != 1 or None in tipos:
        raise ValueError(f"a lote must hold one tipoDocumento, got {sorted(map(str, tipos))}")
    cdcs = [d.cdc for d in docs if d.cdc]
    if len(cdcs) != len(set(cdcs)):
        raise ValueError("the same CDC twice in one lote gets the emisor blocked")
    (tipo,) = tipos
    return {"tipoDocumento": tipo, "id": emisor, "detalle": [build_de(d) for d in docs]}


def build_sync_body(doc: OutgoingDocument, emisor: int | str) -> dict[str, Any]:
    """The DE itself for /documentoset, naming the emisor in ``id`` as the lote body
    does (the page's sync example carries an ``id`` in the DE; its meaning is not
    described, so this is our reading)."""
    body = build_de(doc)
    body["id"] = emisor
    return body


def consulta_lote_body(emisor: int | str, numlote: str, tipo_documento: int) -> dict[str, Any]:
    return {"id": emisor, "numlote": str(numlote), "tipoDocumento": int(tipo_documento)}


def consulta_body(emisor: int | str, cdc: str, tipo_documento: int) -> dict[str, Any]:
    return {"id": emisor, "cdc": cdc, "tipoDocumento": int(tipo_documento)}


# -- reading answers ------------------------------------------------------------------


@dataclass(frozen=True)
class LoteAnswer:
    """SIFEN's word about one lote (``rResEnviConsLoteDe``)."""

    code: str
    message: str | None
    #: The lote number when SIFEN names it in ``dMsgResLot`` ("Lote {111...} en
    #: procesamiento"): how a lote asked about *by CDC* reveals its number.
    lote_id: str | None = None
    results: list[DocumentResult] = field(default_factory=list)


def parse_lote_response(
    status: int, body: bytes | str, docs: list[OutgoingDocument]
) -> SubmitResult:
    """Classify /documentoset/lotes' answer (see base.py for what each exception means).

    0300 → every document RECEIVED under its own CDC (the answer names none). 0301 →
    `CallRefused` with code "0301" and no per-document errors: nothing was queued, all
    go back to the queue; it is flagged ``auth=True`` so the engine backs off instead of
    resending at once, since SIFEN also answers 0301 while it blocks the emisor and each
    immediate retry is one more strike. A 0300 without ``dProtConsLote`` still means
    received: the documents are then asked about by CDC.
    """
    data = _envelope(status, body)
    root = _node(data, "rResEnviLoteDe")
    if root is None:
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    code = _text(_get(root, "dCodRes"))
    message = _text(_get(root, "dMsgRes"))
    if code == LOTE_NO_ENCOLADO:
        raise CallRefused(
            f"SIFEN no encoló el lote (0301): {message or 'Lote no encolado para procesamiento'}."
            " Se reintentará más tarde.",
            code=LOTE_NO_ENCOLADO,
            auth=True,
        )
    if code != LOTE_RECIBIDO:
        log.warning("DTEpy: unexpected lote answer %s %s", code, message)
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    lote_id = _text(_get(root, "dProtConsLote"))
    if lote_id is not None and not lote_id.strip("0"):
        lote_id = None
    documents = [
        DocumentResult(
            outcome=Outcome.RECEIVED,
            local_id=doc.local_id,
            cdc=doc.cdc,
            numero=doc.numero,
            code=code,
            message=message,
            provider_status=message,
        )
        for doc in docs
    ]
    return SubmitResult(lote_id=lote_id, documents=documents)


def parse_consulta_lote_response(status: int, body: bytes | str) -> LoteAnswer:
    """/documentoset/consultalote's answer; results only when the lote concluded (0362).

    ``gResProcLote`` may be one object or a list (the page shows both); results carry
    the CDC (``ns2:id``) and no local id: callers match them to their documents.
    """
    data = _envelope(status, body)
    root = _node(data, "rResEnviConsLoteDe")
    if root is None:
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    code = _text(_get(root, "dCodResLot"))
    if code is None:
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    message = _text(_get(root, "dMsgResLot"))
    found = _LOTE_IN_MESSAGE.search(message or "")
    results = [
        _item_result(item)
        for item in as_list(_get(root, "gResProcLote"))
        if isinstance(item, dict)
    ]
    return LoteAnswer(
        code=code, message=message, lote_id=found.group(1) if found else None, results=results
    )


def parse_consulta_response(status: int, body: bytes | str, cdc: str) -> DocumentResult | None:
    """/documentoset/consulta's answer: the approved DTE (0422), or None for 0420.

    0420 does not say "never received": SIFEN gives it to rejected documents and to
    documents still waiting in a lote, so callers must not resend on it alone. Any
    other code is not understood and raises `OutcomeUnknown` rather than being guessed.
    """
    data = _envelope(status, body)
    root = _node(data, "rEnviConsDeResponse")
    if root is None:
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    code = _text(_get(root, "dCodRes"))
    message = _text(_get(root, "dMsgRes"))
    if code == DE_NO_EXISTE:
        return None
    if code != CDC_ENCONTRADO:
        log.warning("DTEpy: unexpected consulta answer %s %s", code, message)
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    found = _PROT_AUT_IN_XML.search(_text(_get(root, "xContenDE")) or "")
    return DocumentResult(
        outcome=Outcome.APPROVED,
        cdc=cdc,
        code=code,
        message=message,
        provider_status=message,
        provider_ref=found.group(1) if found else None,
    )


def parse_sync_response(status: int, body: bytes | str, doc: OutgoingDocument) -> DocumentResult:
    """/documentoset's answer (``rRetEnviDe`` / ``rProtDe``): a final result at once.

    A 0301 in it means SIFEN did not take the document (e.g. the emisor is blocked):
    `CallRefused`, as for a lote.
    """
    data = _envelope(status, body)
    root = _node(data, "rRetEnviDe")
    prot = _first_dict(_get(root, "rProtDe")) if root is not None else None
    if prot is None:
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    result = _item_result(prot, id_key="Id")
    if result.code == LOTE_NO_ENCOLADO:
        raise CallRefused(
            f"SIFEN no recibió el documento (0301): {result.message or ''}".rstrip(": "),
            code=LOTE_NO_ENCOLADO,
            auth=True,
        )
    if doc.cdc and result.cdc and result.cdc != doc.cdc:
        log.warning("DTEpy answered CDC %s for %s, expected %s", result.cdc, doc.numero, doc.cdc)
    return replace(result, local_id=doc.local_id, cdc=result.cdc or doc.cdc, numero=doc.numero)


def check_probe_response(status: int, body: bytes | str) -> None:
    """The probe's verdict. ``getexpiration`` is listed on the page without a description
    of its answer, so any 2xx that is not an HTML page (a load balancer's, such as
    "BIG-IP logout page") counts as reachable; 401/403 refuse the token."""
    if status in (401, 403):
        raise CallRefused(_AUTH_MESSAGE, auth=True, code=str(status))
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if not 200 <= status < 300 or text.lstrip()[:1] == "<":
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)


def results_for_refs(answer: LoteAnswer, refs: list[DocumentRef]) -> list[DocumentResult]:
    """What a lote answer says about `refs`, each result carrying its ``local_id``.

    0361 → PROCESSING for all; 0360 → NOT_FOUND for all; 0362 → the items matched by
    CDC, or — for a document whose CDC Lote does not hold — by the tipo, establecimiento,
    punto and número the CDC spells (MT v150 §10.1), never by position. Documents the
    concluded lote does not mention, and every other code (0364 needs per-CDC queries),
    give no result here.
    """
    if answer.code == LOTE_EN_PROCESO:
        return [
            DocumentResult(
                Outcome.PROCESSING,
                local_id=r.local_id,
                cdc=r.cdc,
                code=answer.code,
                message=answer.message,
                provider_status=answer.message,
            )
            for r in refs
        ]
    if answer.code == LOTE_INEXISTENTE:
        return [
            DocumentResult(
                Outcome.NOT_FOUND,
                local_id=r.local_id,
                cdc=r.cdc,
                code=answer.code,
                message=answer.message,
                provider_status=answer.message,
            )
            for r in refs
        ]
    if answer.code != LOTE_CONCLUIDO:
        return []
    by_cdc = {r.cdc: r for r in refs if r.cdc}
    by_number = {_ref_number(r): r for r in refs}
    out: list[DocumentResult] = []
    seen: set[int] = set()
    for result in answer.results:
        ref = by_cdc.get(result.cdc or "")
        if ref is None and result.cdc:
            candidate = by_number.get(_cdc_number(result.cdc))
            if candidate is not None and not candidate.cdc:
                ref = candidate
        if ref is None or ref.local_id in seen:
            continue
        seen.add(ref.local_id)
        out.append(replace(result, local_id=ref.local_id))
    return out


# -- client ---------------------------------------------------------------------------


class DTEpyClient(ClientLifecycle):
    """Thin HTTP calls over the pure functions above; one `httpx.Client` per instance.

    The token travels only in the ``x-access-token`` header; it is never part of an
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
        if not tenant or not str(tenant).strip():
            raise ValueError("DTEpy needs the emisor's id (the profile's tenant)")
        self.base_url = base_url.rstrip("/")
        self.tenant = str(tenant).strip()
        self.emisor = emisor_id(self.tenant)
        self._http = make_client(
            self.base_url,
            headers={"x-access-token": api_key, "Content-Type": "application/json; charset=utf-8"},
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"DTEpyClient(base_url={self.base_url!r}, tenant={self.tenant!r})"

    # -- sending ---------------------------------------------------------------------

    def submit(self, docs: list[OutgoingDocument]) -> SubmitResult:
        """ProviderClient.submit: one asynchronous lote (/documentoset/lotes).

        Refuses locally, before any request, documents without a CDC (flagged
        ``auth=True``: a profile setting to fix, the engine backs off and keeps them
        queued).
        """
        if missing_cdc(docs):
            raise CallRefused(_NO_CDC_MESSAGE, auth=True, code="SIN_CDC")
        body = build_lote_body(docs, self.emisor)
        response = self._post(LOTES_PATH, body)
        return parse_lote_response(response.status_code, response.content, docs)

    def submit_sync(self, doc: OutgoingDocument) -> DocumentResult:
        """One DE through the synchronous /documentoset (not used by the engine)."""
        if missing_cdc([doc]):
            raise CallRefused(_NO_CDC_MESSAGE, auth=True, code="SIN_CDC")
        response = self._post(SYNC_PATH, build_sync_body(doc, self.emisor))
        return parse_sync_response(response.status_code, response.content, doc)

    # -- asking ----------------------------------------------------------------------

    def query_lote(self, numlote: str, tipo_documento: int) -> LoteAnswer:
        """/documentoset/consultalote; `numlote` may be a lote number or a CDC sent in it."""
        response = self._post(
            CONSULTA_LOTE_PATH, consulta_lote_body(self.emisor, numlote, tipo_documento)
        )
        return parse_consulta_lote_response(response.status_code, response.content)

    def query_cdc(self, cdc: str, tipo_documento: int) -> DocumentResult | None:
        """/documentoset/consulta: the approved DTE, or None (0420)."""
        response = self._post(CONSULTA_PATH, consulta_body(self.emisor, cdc, tipo_documento))
        return parse_consulta_response(response.status_code, response.content, cdc)

    def poll(self, refs: list[DocumentRef]) -> list[DocumentResult]:
        """ProviderClient.poll: one consultalote per lote.

        Refs are grouped by their lote number; a ref whose lote number Lote never got
        (the answer to the submit was lost) asks the lote by its own CDC. A lote past
        48 h (0364) is answered per CDC: approved (0422), or — since the lote was
        processed long ago and the CDC is not approved — rejected with SIFEN's 0420
        words. Documents a concluded lote does not mention are asked by CDC as well:
        approved, or NOT_FOUND (the engine then reconciles them before any resend).
        """
        groups: dict[tuple[str, int], list[DocumentRef]] = {}
        for ref in refs:
            key = ref.provider_lote_id or ref.cdc
            if key:
                groups.setdefault((key, ref.tipo_documento), []).append(ref)
        results: list[DocumentResult] = []
        answered: set[int] = set()
        for (numlote, tipo), all_in_group in groups.items():
            group = [r for r in all_in_group if r.local_id not in answered]
            if not group:
                continue
            answer = self.query_lote(numlote, tipo)
            pool = group
            if answer.code == LOTE_CONCLUIDO and not group[0].provider_lote_id:
                # Asked by CDC: the concluded lote also answers for the other documents
                # whose lote number Lote never got, sparing one request each.
                pool = [
                    r
                    for r in refs
                    if not r.provider_lote_id
                    and r.tipo_documento == tipo
                    and r.local_id not in answered
                ]
            matched = results_for_refs(answer, pool)
            results.extend(matched)
            answered.update(r.local_id for r in matched if r.local_id is not None)
            if answer.code not in (LOTE_CONCLUIDO, LOTE_EXTEMPORANEO):
                continue
            for ref in group:
                if ref.local_id in answered or not ref.cdc:
                    continue
                answered.add(ref.local_id)
                found = self.query_cdc(ref.cdc, ref.tipo_documento)
                if found is not None:
                    results.append(replace(found, local_id=ref.local_id))
                elif answer.code == LOTE_EXTEMPORANEO:
                    results.append(_not_approved(ref))
                else:
                    results.append(
                        DocumentResult(
                            Outcome.NOT_FOUND,
                            local_id=ref.local_id,
                            cdc=ref.cdc,
                            code=DE_NO_EXISTE,
                            message=_NOT_APPROVED_MESSAGE,
                        )
                    )
        return results

    def lookup(self, ref: DocumentRef) -> list[DocumentResult]:
        """ProviderClient.lookup: what SIFEN knows of this CDC, asked so as never to
        resend a CDC that is still being processed (module docstring).

        1. ``consulta`` by CDC: 0422 → approved.
        2. 0420 → ``consultalote`` by the lote number if known, then by the CDC (when
           the known lote is unknown to SIFEN or concluded without the document):
           0361 → PROCESSING (the engine polls it); 0362 → the document's result in
           it; 0364 → rejected (processed long ago, not approved); 0360 → [] (never
           received: safe to send).
        Any answer not understood raises `OutcomeUnknown`: the document stays UNKNOWN.
        A document without CDC was never sent by this client (`submit` refuses it): [].
        """
        if not ref.cdc:
            return []
        found = self.query_cdc(ref.cdc, ref.tipo_documento)
        if found is not None:
            return [replace(found, local_id=ref.local_id)]
        numlotes = [ref.provider_lote_id, ref.cdc] if ref.provider_lote_id else [ref.cdc]
        for numlote in numlotes:
            answer = self.query_lote(numlote, ref.tipo_documento)
            if answer.code == LOTE_EXTEMPORANEO:
                return [_not_approved(ref)]
            if answer.code in (LOTE_EN_PROCESO, LOTE_CONCLUIDO):
                attempts = results_for_refs(answer, [ref])
                if attempts:
                    return attempts
                continue  # its lote concluded without it: is it waiting in another one?
            if answer.code != LOTE_INEXISTENTE:
                log.warning("DTEpy: unexpected lote code %s reconciling %s", answer.code, ref.cdc)
                raise OutcomeUnknown(_UNKNOWN_MESSAGE)
        return []

    def probe(self) -> None:
        """Is DTEpy reachable and is the token right? One authenticated GET that
        creates nothing and does not reach SIFEN (`check_probe_response`)."""
        response = self._request("GET", EXPIRATION_PATH)
        check_probe_response(response.status_code, response.content)

    def _post(self, path: str, payload: Any) -> httpx.Response:
        content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return self._request("POST", path, content=content)

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = send(self._http, method, path, **kwargs)
        log.debug("DTEpy %s %s -> %s", method, path, response.status_code)
        return response


# -- helpers --------------------------------------------------------------------------


def _item_result(item: dict[str, Any], id_key: str = "id") -> DocumentResult:
    """One ``gResProcLote`` item (or a sync ``rProtDe``) as a result without local id."""
    procs = [p for p in as_list(_get(item, "gResProc")) if isinstance(p, dict)]
    codes = [c for c in (_text(_get(p, "dCodRes")) for p in procs) if c]
    messages = [m for m in (_text(_get(p, "dMsgRes")) for p in procs) if m]
    estado = _text(_get(item, "dEstRes"))
    outcome = sifen_outcome(estado, codes[0] if codes else None)
    message = "; ".join(messages) or None
    return DocumentResult(
        outcome=outcome,
        cdc=_text(_get(item, id_key)) or _text(_get(item, "id")) or _text(_get(item, "Id")),
        code=codes[0] if codes else None,
        message=message,
        provider_status=estado,
        provider_ref=_text(_get(item, "dProtAut")),
        observations=message if outcome is Outcome.APPROVED_WITH_OBSERVATIONS else None,
    )


def _not_approved(ref: DocumentRef) -> DocumentResult:
    return DocumentResult(
        Outcome.REJECTED,
        local_id=ref.local_id,
        cdc=ref.cdc,
        code=DE_NO_EXISTE,
        message=f"{_NOT_APPROVED_MESSAGE} (lote de más de 48 horas)",
        provider_status=_NOT_APPROVED_MESSAGE,
    )


def _envelope(status: int, body: bytes | str) -> dict[str, Any]:
    """Decode a JSON answer or classify the failure.

    401/403 refuse the credentials (token or emisor id). 400/422 with a JSON body are
    DTEpy's own refusal of the call's structure (nothing reached SIFEN): `CallRefused`
    naming the documents by index when DTEpy does. Anything else that is not a 2xx JSON
    object (5xx, Cloudflare's 524, an HTML page, a truncated body) may hide a processed
    request: `OutcomeUnknown`.
    """
    if status in (401, 403):
        raise CallRefused(_AUTH_MESSAGE, auth=True, code=str(status))
    data = _decode(body)
    if 200 <= status < 300:
        if isinstance(data, dict):
            return data
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    if status in (400, 422) and isinstance(data, dict):
        raise _refusal(data, status)
    raise OutcomeUnknown(_UNKNOWN_MESSAGE)


def _decode(body: bytes | str) -> Any:
    """JSON with decimals kept exact (a lote number sent as a number stays whole)."""
    return decode_json(body, parse_float=Decimal)


def _refusal(data: dict[str, Any], status: int) -> CallRefused:
    errors: dict[int, str] = {}
    loose: list[str] = []
    for entry in as_list(data.get("errores") if "errores" in data else data.get("errors")):
        if isinstance(entry, dict):
            message = (
                _text(entry.get("mensaje"))
                or _text(entry.get("error"))
                or _text(entry.get("message"))
                or ""
            )
            index = as_int(entry.get("indice", entry.get("index")))
            if index is None:
                if message:
                    loose.append(message)
                continue
            errors[index] = f"{errors[index]}; {message}" if index in errors else message
        elif entry not in (None, ""):
            loose.append(str(entry))
    error = data.get("error")
    summary = (
        _text(data.get("mensaje"))
        or _text(data.get("message"))
        or (_text(error) if isinstance(error, str) else None)
        or "; ".join(loose)
        or "DTEpy rechazó la solicitud."
    )
    code = _text(data.get("codigo")) or str(status)
    return CallRefused(summary, errors, code=code)


def _node(data: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    if data is None:
        return None
    return _first_dict(_get(data, name))


def _get(obj: Any, name: str) -> Any:
    """``ns2:name``, or ``name`` when a converter dropped the prefix."""
    if not isinstance(obj, dict):
        return None
    value = obj.get(f"ns2:{name}")
    return obj.get(name) if value is None else value


def _first_dict(value: Any) -> dict[str, Any] | None:
    for candidate in as_list(value):
        if isinstance(candidate, dict):
            return candidate
    return None


def _ref_number(ref: DocumentRef) -> tuple[int, int, int, int] | None:
    try:
        return (int(ref.tipo_documento), int(ref.establecimiento), int(ref.punto), int(ref.numero))
    except (TypeError, ValueError):
        return None


def _cdc_number(cdc: str) -> tuple[int, int, int, int] | None:
    """(tipo, establecimiento, punto, número) spelled by a CDC (MT v150 §10.1)."""
    if len(cdc) != 44 or not cdc.isdigit():
        return None
    return (int(cdc[0:2]), int(cdc[11:14]), int(cdc[14:17]), int(cdc[17:24]))


def _fold(value: Any) -> str:
    text = _text(value) or ""
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )




def _text(value: Any) -> str | None:
    """Text of a JSON value; numbers are written whole (17-digit lote numbers too)."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    elif isinstance(value, float):
        text = format(Decimal(repr(value)).normalize(), "f")
    else:
        text = str(value)
    text = text.strip()
    return text or None


#: DTEpy's RUC service (dtepy-api page: "url para consultar RUC de clientes").
RUC_SERVICE_URL = "https://ruc.globeinformatica.com.py/api/dnit"


def ruc_service_url(base_url: str) -> str:
    """The public RUC service, except against a local simulator, which serves it too."""
    host = urlsplit(base_url).hostname or ""
    return f"{base_url.rstrip('/')}/api/dnit" if is_loopback(host) else RUC_SERVICE_URL


def parse_ruc_lookup(status: int, body: bytes | str) -> dict[str, Any] | None:
    """`[{ruc, nombre, dv, ruc_ant, estado}]` -> the first entry as Lote's customer fields
    (`razonSocial`, `ruc` with its DV, `estado`); None when the RUC is unknown."""
    if status >= 500 or status in (401, 403):
        raise OutcomeUnknown("El servicio de RUC no respondió.")
    data = decode_json(body)
    entries = [e for e in as_list(data) if isinstance(e, dict)] if status == 200 else []
    if not entries:
        return None
    first = entries[0]
    base, dv, name = as_text(first.get("ruc")), as_text(first.get("dv")), as_text(first.get("nombre"))
    if not base or not name:
        return None
    return {"razonSocial": clean_text(name, 255), "ruc": f"{base}-{dv}" if dv else base,
            "estado": as_text(first.get("estado"))}


def lookup_ruc(ruc: str, *, base_url: str, api_key: str = "",
               timeout: float | httpx.Timeout | None = 10.0) -> dict[str, Any] | None:
    """Ask DTEpy's RUC service for a taxpayer's registered name (the page sends the RUC
    without its check digit). Never sends the API key: the service takes none."""
    parsed = parse_ruc(ruc)
    base = parsed.base if parsed else ruc.strip().split("-")[0]
    url = ruc_service_url(base_url)
    parts = urlsplit(url)
    with make_client(f"{parts.scheme}://{parts.netloc}", timeout=timeout) as client:
        response = send(client, "POST", parts.path, json={"ruc": base})
    return parse_ruc_lookup(response.status_code, response.content)


def create_client(
    *,
    base_url: str,
    tenant: str | None,
    api_key: str,
    emisor_ruc: str | None = None,
    timeout: float | httpx.Timeout | None = None,
) -> DTEpyClient:
    """Registry entry point (providers/registry.py). `emisor_ruc` is not needed: DTEpy
    knows the emisor by its ``id`` (the profile's tenant)."""
    if not tenant:
        raise ValueError("DTEpy needs the emisor's id (the profile's tenant)")
    return DTEpyClient(base_url, tenant, api_key, timeout=timeout)
