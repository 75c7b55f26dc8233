"""TusFacturas.app (Argentina, ARCA/AFIP): pure mapping functions plus a thin client.

Contract: TusFacturas' public page "Facturación por Lotes" (seeds/tusfacturas-lotes.txt)
and the facts PROVIDERS.md collects from its other pages ("Consulta avanzada",
"Consultar numeración", "Referencia API AFIP ARCA").

- ``POST {base}/v2/facturacion/lotes`` (base like ``https://www.tusfacturas.app/app/api``):
  ``{apitoken, apikey, usertoken, requests: [...]}`` — the credentials travel in the
  *body*, at the top level and again inside every request, as the seed shows. All the
  requests of one call are of the **same comprobante type**, **ordered by number
  ascending and by date** ("de la misma manera que si los enviarás a procesar uno por
  uno"). The seed allows 100 per call; TusFacturas' newer page caps the instant lote at
  20, so `MAX_BATCH` (the registry's default) is 20 and `MAX_REQUESTS` (100) is the hard
  limit the build function enforces.
- The answer always comes as HTTP 200: ``error: "S"`` / ``"N"`` says whether something
  failed — the client checks both the status and the flag. ``{error: "S", errores: [...]}``
  without ``response`` is a validation error of the whole call: nothing was processed
  (`CallRefused`; a message naming "la fila N (comenzando en 0)" is attributed to that
  document). TusFacturas' maintenance answer (``mantenimiento: 1``) is the same kind of
  refusal, code ``MANTENIMIENTO``.
- Processing is **sequential, with no rollback**: "si un comprobante tiene error, ese
  comprobante y los siguientes vendrán rechazados". The adapter decides by *position*:
  the first failed comprobante of the call (in the order sent) is REJECTED for its own
  fault, with its ``errores``; every later failed one is NOT_PROCESSED (an innocent
  victim: the engine queues it again). The texts agree — a victim carries only AFIP's
  generic "AFIP rechazo la generacion del comprobante Cod: 0" — but the position is what
  decides: a later comprobante with an error of its own was not authorised either and
  will be judged on its own when sent again.
- ``observaciones`` on an approved comprobante -> APPROVED_WITH_OBSERVATIONS, the text in
  ``observations`` and AFIP's code (e.g. 10063) in ``code``. ``cae`` (14 digits, sent
  with a trailing space), ``cae_vencimiento`` (dd/mm/aaaa -> ISO) and ``comprobante_nro``
  ("00003-00000074") go into the result; ``provider_ref`` is ``"<comprobante_tipo>
  <comprobante_nro>"`` ("FACTURA B 00003-00000074"): stable, and the key of TusFacturas'
  simple consulta, whereas ``comprobante_pdf_url`` is temporary ("solo sirve para el día
  que la consultas", reference page).
- HTTP 524 (the platform held the request 90 s and keeps processing in the background),
  5xx, an HTML page or an unreadable body -> `OutcomeUnknown`: reconcile, never resend
  blindly. HTTP 429 -> `CallRefused(code="429")`: nothing processed; requeue and back off.
- Reconciliation: ``POST {base}/v2/facturacion/consulta_avanzada`` with
  ``busqueda_tipo: "EXT_REF"`` and ``comprobante: {external_reference, operacion: "V"}``,
  ``pagina: 0, limite: 100``; the answer ``{error, errores, rta, total, comprobantes:
  [{cliente, comprobante: {... cae, vencimiento_cae, status, afip_observaciones ...}}]}``
  lists every comprobante with that reference, newest first, ``status`` one of "EMITIDO",
  "APROBADO Y EN COLA. SE EMITE EL dd/mm/aaaa", "EN COLA, ESPERANDO APROBACION",
  "ENVIADO A PROCESAR - CON ERROR" (consulta simple page). This consulta "no contabiliza
  como un request", so it is also `probe`.
- ``POST {base}/v2/facturacion/numeracion`` ``{comprobante: {tipo, operacion, punto_venta}}``
  -> ``{comprobante: {..., numero}}``: the next number AFIP expects.

Numbering (why the client asks ``numeracion`` before each lote): AFIP authorises number
N only after N−1 and does not consume a rejected number — after a rejection the *next*
comprobante must take the rejected one's number (WSFEv1 code 10016). Lote numbers
documents when they are queued, and a rejected document keeps its number in Lote. So,
with ``follow_afip_numbering`` (the default), the client sends each lote numbered from
the number AFIP expects, in date order, and reports the number AFIP authorised in
``DocumentResult.numero`` (the engine keeps it as the document's provider number, as for
CUCU). Lote's own number stays the document's local id in the series; the fiscal number
is the one with the CAE. Renumbering cannot issue anything twice: the engine only sends
documents it knows were not received (reconciled by ``external_reference`` first), and a
document's identity at TusFacturas is its ``external_reference``, not its number.

Dates: a document whose date is outside AFIP's N−5..N+5 (products) / N−10..N+10
(services) window is not sent: the call is refused locally (`CallRefused`, code
``REFECHAR``) naming it, so the engine marks it REJECTED with the re-dating message and
queues the others again.

Credentials: the one secret a profile stores is a JSON object ``{"apitoken": ...,
"apikey": ..., "usertoken": ...}`` (`parse_credentials`). They are never logged, never part
of an exception message, never in ``repr``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import httpx

from desktop_app.credentials import DEMO_API_KEY
from desktop_app.domain.argentina import (
    COMPROBANTE_TIPOS,
    PRODUCT_WINDOW_DAYS,
    REDATE_CODE,
    SERVICE_WINDOW_DAYS,
    cae_expiry_iso,
    format_comprobante_nro,
    format_fecha,
    parse_afip_date,
    parse_cae,
    parse_comprobante_nro,
    tipo_code,
)
from desktop_app.providers.base import (
    CallRefused,
    ConnectionFailed,
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

PROVIDER = "tusfacturas"
#: Conservative default: TusFacturas' newer page caps the instant lote at 20.
MAX_BATCH = 20
#: The seed page's hard limit per call ("La cantidad máxima de requests ... debe ser de 100").
MAX_REQUESTS = 100
#: The platform holds a request up to 90 s before answering 524: wait a little longer.
DEFAULT_TIMEOUT = httpx.Timeout(100.0, connect=5.0)

LOTES_PATH = "/v2/facturacion/lotes"
CONSULTA_AVANZADA_PATH = "/v2/facturacion/consulta_avanzada"
NUMERACION_PATH = "/v2/facturacion/numeracion"
PROBE_REFERENCE = "lote-probe"

#: The public credentials of the built-in sandbox (demo profiles use DEMO_API_KEY).
DEMO_CREDENTIALS = {"apitoken": DEMO_API_KEY, "apikey": "0000", "usertoken": "demo-usertoken"}

_UNKNOWN_MESSAGE = (
    "TusFacturas no dio una respuesta legible; se consultará el resultado antes de reenviar."
)
_TIMEOUT_524_MESSAGE = (
    "TusFacturas tardó más de 90 s (HTTP 524) y sigue procesando en segundo plano; "
    "se consultará por referencia externa antes de reenviar."
)
_AUTH_MESSAGE = "TusFacturas rechazó las credenciales: revise apitoken, apikey y usertoken."
_CASCADE_MESSAGE = (
    "No procesado: un comprobante anterior del mismo lote fue rechazado y AFIP rechaza "
    "todos los siguientes; se reenviará."
)

_CODE_RE = re.compile(r"(?:\bCod|\bcodigo|\bcódigo)\s*:\s*(\d+)", re.IGNORECASE)
_FILA_RE = re.compile(r"\bfila\s+(\d+)", re.IGNORECASE)
_AUTH_RE = re.compile(r"credencial|token|api\s*key|autentic", re.IGNORECASE)
_GENERIC_REJECTION_CODE = "0"

# -- credentials ----------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    apitoken: str
    apikey: str
    usertoken: str

    def __repr__(self) -> str:
        return "Credentials(apitoken=***, apikey=***, usertoken=***)"

    def as_body(self) -> dict[str, str]:
        return {"apitoken": self.apitoken, "apikey": self.apikey, "usertoken": self.usertoken}


def parse_credentials(secret: str) -> Credentials:
    """The profile's secret -> Credentials. The secret is a JSON object with the three
    fields TusFacturas asks for; errors name the field, never a value. The sandbox's
    public demo key (`DEMO_API_KEY`) stands for `DEMO_CREDENTIALS`."""
    if secret == DEMO_API_KEY:
        return Credentials(**DEMO_CREDENTIALS)
    try:
        data = json.loads(secret)
    except (TypeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise ValueError(
            'La clave de TusFacturas debe ser un objeto JSON: {"apitoken": "...", '
            '"apikey": "...", "usertoken": "..."}.'
        )
    values: dict[str, str] = {}
    for name in ("apitoken", "apikey", "usertoken"):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            raise ValueError(f"Falta el campo «{name}» en la clave de TusFacturas.")
        values[name] = str(value).strip()
    return Credentials(**values)


# -- the one mapping of TusFacturas' vocabulary to outcomes ----------------------------


def status_outcome(*, error: Any = None, status: Any = None, observaciones: Any = None,
                   cascaded: bool = False) -> Outcome:
    """TusFacturas' word about one comprobante -> Outcome.

    ``status`` (consulta) wins when present: "EMITIDO" is approved (with observations
    when AFIP made some), "ENVIADO A PROCESAR - CON ERROR" rejected, anything "EN COLA"
    still processing. Otherwise the lote item's ``error`` flag: "N" approved, "S"
    rejected — or NOT_PROCESSED when `cascaded` (an earlier comprobante of the same call
    failed). Anything unrecognised is PROCESSING; callers keep the text verbatim.
    """
    text = " ".join(str(status or "").upper().split())
    observed = bool(str(observaciones or "").strip())
    if text:
        if text.startswith("EMITIDO"):
            return Outcome.APPROVED_WITH_OBSERVATIONS if observed else Outcome.APPROVED
        if "ERROR" in text or "RECHAZ" in text:
            return Outcome.NOT_PROCESSED if cascaded else Outcome.REJECTED
        return Outcome.PROCESSING
    flag = str(error or "").strip().upper()
    if flag == "S":
        return Outcome.NOT_PROCESSED if cascaded else Outcome.REJECTED
    if flag == "N":
        return Outcome.APPROVED_WITH_OBSERVATIONS if observed else Outcome.APPROVED
    return Outcome.PROCESSING


# -- building a lote --------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One document in the order it travels: its index in the engine's list, the
    number it is sent with and its key fields."""

    index: int
    doc: OutgoingDocument
    tipo: int
    punto_venta: int
    fecha: date | None
    numero: int

    @property
    def external_ref(self) -> str | None:
        return _external_ref(self.doc)

    @property
    def comprobante_nro(self) -> str:
        return format_comprobante_nro(self.punto_venta, self.numero)


def _comprobante(doc: OutgoingDocument) -> dict[str, Any]:
    comprobante = doc.payload.get("comprobante")
    if not isinstance(comprobante, dict):
        raise ValueError(f"document {doc.local_id} has no 'comprobante' block")
    return comprobante


def _external_ref(doc: OutgoingDocument) -> str | None:
    value = _comprobante(doc).get("external_reference") or doc.external_ref
    return str(value).strip() if value else None


def order_for_lote(docs: list[OutgoingDocument], *, max_requests: int = MAX_REQUESTS) -> list[Row]:
    """The documents of one lote in the order TusFacturas demands: one comprobante type
    and one punto de venta, ascending date, then ascending number (the seed: "ordenados
    por número ascendente y por fecha, de la misma manera que si los enviarás a procesar
    uno por uno"; numbers handed out in date order keep both orders at once).

    Raises ValueError for what would be refused anyway: no documents, too many, mixed
    types or puntos de venta, a missing number or external reference (Lote's idempotency
    key: without it a lost answer could not be reconciled).
    """
    if not docs:
        raise ValueError("a lote needs at least one document")
    if len(docs) > max_requests:
        raise ValueError(f"TusFacturas accepts at most {max_requests} comprobantes per lote, got {len(docs)}")
    rows: list[Row] = []
    for index, doc in enumerate(docs):
        comprobante = _comprobante(doc)
        code = tipo_code(comprobante.get("tipo"))
        if code is None:
            raise ValueError(f"document {doc.local_id} has an unknown comprobante tipo")
        punto = as_int(comprobante.get("punto_venta"))
        numero = as_int(comprobante.get("numero"))
        if punto is None or numero is None:
            raise ValueError(f"document {doc.local_id} needs punto_venta and numero")
        if not _external_ref(doc):
            raise ValueError(f"document {doc.local_id} has no external_reference")
        rows.append(Row(index, doc, code, punto, parse_afip_date(comprobante.get("fecha")), numero))
    tipos = {r.tipo for r in rows}
    if len(tipos) > 1:
        names = ", ".join(COMPROBANTE_TIPOS[t] for t in sorted(tipos))
        raise ValueError(f"a lote must hold one comprobante type, got {names}")
    puntos = {r.punto_venta for r in rows}
    if len(puntos) > 1:
        raise ValueError(f"a lote must hold one punto de venta, got {sorted(puntos)}")
    refs = [r.external_ref for r in rows]
    if len(set(refs)) != len(refs):
        raise ValueError("two documents of the lote share an external_reference")
    return sorted(rows, key=lambda r: (r.fecha or date.min, r.numero))


def renumber(rows: list[Row], first: int) -> list[Row]:
    """The rows numbered consecutively from `first` (AFIP's next number), in order."""
    return [replace(r, numero=first + n) for n, r in enumerate(rows)]


def stale_dates(rows: list[Row], today: date) -> dict[int, str]:
    """Documents (by engine index) whose date AFIP would refuse today, with the message.

    Too old is the offline-queue case: re-date with the user's consent (code REFECHAR);
    too far ahead is a plain error. Services (``periodo_facturado_*`` present) get 10
    days, products 5 (WSFEv1 10016).
    """
    problems: dict[int, str] = {}
    for row in rows:
        if row.fecha is None:
            continue
        comprobante = _comprobante(row.doc)
        services = bool(comprobante.get("periodo_facturado_desde") or comprobante.get("periodo_facturado_hasta"))
        days = SERVICE_WINDOW_DAYS if services else PRODUCT_WINDOW_DAYS
        delta = (row.fecha - today).days
        if delta < -days:
            problems[row.index] = (
                f"El comprobante del {format_fecha(row.fecha)} esperó demasiado en la cola: AFIP "
                f"acepta hasta {days} días antes de hoy. Debe cambiarse su fecha, con su "
                f"consentimiento, antes de enviarlo (código {REDATE_CODE})."
            )
        elif delta > days:
            problems[row.index] = (
                f"La fecha {format_fecha(row.fecha)} supera en más de {days} días a hoy: AFIP la "
                "rechazaría (código 10016)."
            )
    return problems


def build_lote_body(rows: list[Row], credentials: Credentials) -> dict[str, Any]:
    """``{apitoken, apikey, usertoken, requests: [...]}`` with the credentials repeated in
    every request (seed), each request's ``comprobante.numero`` set to the row's number
    and its ``external_reference`` to Lote's key."""
    creds = credentials.as_body()
    requests: list[dict[str, Any]] = []
    for row in rows:
        request: dict[str, Any] = dict(creds)
        for key, value in row.doc.payload.items():
            if key not in creds:
                request[key] = value
        comprobante = dict(_comprobante(row.doc))
        comprobante["numero"] = row.numero
        comprobante["punto_venta"] = row.punto_venta
        comprobante["external_reference"] = row.external_ref
        request["comprobante"] = comprobante
        requests.append(request)
    return {**creds, "requests": requests}


def build_consulta_body(credentials: Credentials, external_reference: str) -> dict[str, Any]:
    return {
        **credentials.as_body(),
        "busqueda_tipo": "EXT_REF",
        "pagina": 0,
        "limite": 100,
        "comprobante": {"external_reference": external_reference, "operacion": "V"},
    }


def build_numeracion_body(credentials: Credentials, tipo: int, punto_venta: int) -> dict[str, Any]:
    return {
        **credentials.as_body(),
        "comprobante": {"tipo": COMPROBANTE_TIPOS[tipo], "operacion": "V",
                        "punto_venta": punto_venta},
    }


# -- parsing answers ----------------------------------------------------------------------


def parse_lote_response(status: int, body: bytes | str, rows: list[Row],
                        headers: dict[str, str] | None = None) -> SubmitResult:
    """Classify the answer to a lote (see base.py for what each exception means).

    Items are matched to the rows sent by ``external_reference``, else by
    ``comprobante_nro``, else — only when neither is given and the counts agree — by
    position. A row with no item is left out (the engine asks about it). Rows are then
    judged in the order sent: before the first failure an item stands on its own; the
    first failed one is REJECTED; every failed one after it is NOT_PROCESSED. A row
    whose item is missing makes the later failures NOT_PROCESSED too (we cannot tell).
    """
    data = _envelope(status, body, headers)
    response = data.get("response")
    if response is None or (_is_s(data.get("error")) and not response):
        if _is_s(data.get("error")):
            raise _refusal(data, rows)
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    items = _flatten_items(response)
    matched = _match_items(items, rows)
    documents: list[DocumentResult] = []
    failed_before = False
    for row in rows:
        item = matched.get(row.index)
        if item is None:
            failed_before = True
            continue
        result = _lote_item_result(item, row, cascaded=failed_before)
        if _is_s(item.get("error")):
            failed_before = True
        documents.append(result)
    return SubmitResult(lote_id=None, documents=documents)


def _lote_item_result(item: dict[str, Any], row: Row, *, cascaded: bool) -> DocumentResult:
    errores = _messages(item.get("errores"))
    observaciones = as_text(item.get("observaciones"))
    outcome = status_outcome(error=item.get("error"), observaciones=observaciones,
                             cascaded=cascaded)
    nro = as_text(item.get("comprobante_nro")) or row.comprobante_nro
    base = DocumentResult(outcome=outcome, local_id=row.doc.local_id,
                          provider_status=as_text(item.get("error")))
    if outcome is Outcome.NOT_PROCESSED:
        detail = "; ".join(errores)
        return replace(base, code=_afip_code(errores),
                       message=f"{_CASCADE_MESSAGE} ({detail})" if detail else _CASCADE_MESSAGE)
    if outcome is Outcome.REJECTED:
        return replace(base, code=_afip_code(errores),
                       message="; ".join(_specific(errores)) or "AFIP rechazó el comprobante.")
    cae = parse_cae(item.get("cae"))
    if outcome in (Outcome.APPROVED, Outcome.APPROVED_WITH_OBSERVATIONS) and cae is None:
        # "error: N" without a CAE: the comprobante exists but AFIP's word is missing;
        # the consulta will bring it (RECEIVED -> SUBMITTED -> polled).
        return replace(base, outcome=Outcome.RECEIVED, numero=nro,
                       message=as_text(item.get("rta")))
    tipo_text = as_text(item.get("comprobante_tipo")) or COMPROBANTE_TIPOS.get(row.tipo)
    return replace(
        base,
        numero=nro,
        code=_afip_code([observaciones]) if observaciones else None,
        message=as_text(item.get("rta")),
        provider_ref=f"{tipo_text} {nro}" if tipo_text else nro,
        cae=cae,
        cae_expiry=cae_expiry_iso(item.get("cae_vencimiento") or item.get("vencimiento_cae")),
        observations=observaciones,
    )


def parse_consulta_response(status: int, body: bytes | str,
                            headers: dict[str, str] | None = None) -> list[DocumentResult]:
    """consulta_avanzada's answer -> one result per comprobante, oldest first, with an
    approval (when there is one) last: the engine adopts the last attempt it is given,
    and an approval is final whatever came after it (a resend refused as a duplicate)."""
    data = _envelope(status, body, headers)
    if _is_s(data.get("error")):
        raise _refusal(data, [])
    if "comprobantes" not in data:
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    results: list[DocumentResult] = []
    for entry in reversed(as_list(data.get("comprobantes"))):
        if isinstance(entry, dict):
            results.append(_consulta_entry_result(entry))
    ok = (Outcome.APPROVED, Outcome.APPROVED_WITH_OBSERVATIONS)
    return [r for r in results if r.outcome not in ok] + [r for r in results if r.outcome in ok]


def _consulta_entry_result(entry: dict[str, Any]) -> DocumentResult:
    comprobante = entry.get("comprobante") if isinstance(entry.get("comprobante"), dict) else entry
    assert isinstance(comprobante, dict)
    status_text = as_text(comprobante.get("status"))
    observaciones = as_text(comprobante.get("afip_observaciones")) or as_text(comprobante.get("observaciones"))
    errores = _messages(comprobante.get("errores"))
    cae = parse_cae(comprobante.get("cae"))
    generic_only = bool(errores) and not _specific(errores, keep_generic=False)
    if status_text:
        outcome = status_outcome(status=status_text, observaciones=observaciones,
                                 cascaded=generic_only)
    else:
        outcome = status_outcome(error="N" if cae else None, observaciones=observaciones)
    if outcome in (Outcome.APPROVED, Outcome.APPROVED_WITH_OBSERVATIONS) and cae is None:
        outcome = Outcome.PROCESSING
    punto, numero = as_int(comprobante.get("punto_venta")), as_int(comprobante.get("numero"))
    nro = format_comprobante_nro(punto, numero) if punto is not None and numero is not None else None
    tipo_text = as_text(comprobante.get("tipo"))
    final_ok = outcome in (Outcome.APPROVED, Outcome.APPROVED_WITH_OBSERVATIONS)
    return DocumentResult(
        outcome=outcome,
        numero=nro if final_ok else None,
        code=(_afip_code([observaciones]) if observaciones and final_ok
              else _afip_code(errores) if errores else None),
        message="; ".join(_specific(errores)) or status_text,
        provider_status=status_text,
        provider_ref=f"{tipo_text} {nro}" if tipo_text and nro and final_ok else None,
        cae=cae,
        cae_expiry=cae_expiry_iso(comprobante.get("vencimiento_cae") or comprobante.get("cae_vencimiento")),
        observations=observaciones if final_ok else None,
    )


def parse_numeracion_response(status: int, body: bytes | str,
                              headers: dict[str, str] | None = None) -> int:
    """numeracion's answer -> the next number AFIP expects ("Los campos número y punto de
    venta, se retornan como numéricos")."""
    data = _envelope(status, body, headers)
    if _is_s(data.get("error")):
        raise _refusal(data, [])
    comprobante = data.get("comprobante")
    numero = as_int(comprobante.get("numero")) if isinstance(comprobante, dict) else None
    if numero is None or numero < 1:
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    return numero


# -- client -------------------------------------------------------------------------------


class TusFacturasClient(ClientLifecycle):
    """Thin HTTP calls over the pure functions above; one `httpx.Client` per instance.

    `today` is injectable for the date window; `follow_afip_numbering` (see the module
    docstring) can be turned off once the store renumbers after rejections itself.

    Lotes go one at a time per client (a lock around `submit`): AFIP authorises a punto de
    venta's numbers in sequence, and TusFacturas asks integrators to "esperar la respuesta
    de la API antes de enviar la siguiente solicitud" (reference page, CONCURRENCIA). An
    engine that submits several claims of one profile at once is thus serialised here;
    only the engine can also keep them in claim order.
    """

    provider = PROVIDER

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_batch: int = MAX_BATCH,
        follow_afip_numbering: bool = True,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_batch = max(1, min(max_batch, MAX_REQUESTS))
        self.follow_afip_numbering = follow_afip_numbering
        self._credentials = credentials
        self._today = today
        self._submit_lock = threading.Lock()
        self._http = make_client(
            self.base_url,
            headers={"Content-Type": "application/json; charset=utf-8"},
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
        )

    def __repr__(self) -> str:
        return f"TusFacturasClient(base_url={self.base_url!r})"

    # -- the ProviderClient protocol ----------------------------------------------------

    def submit(self, docs: list[OutgoingDocument]) -> SubmitResult:
        rows = order_for_lote(docs, max_requests=self.max_batch)
        stale = stale_dates(rows, self._today())
        if stale:
            raise CallRefused(
                "Hay comprobantes con fecha fuera del plazo de AFIP; no se envió el lote.",
                stale, code=REDATE_CODE,
            )
        with self._submit_lock:
            if self.follow_afip_numbering:
                first = self._next_number_before_sending(rows[0].tipo, rows[0].punto_venta)
                rows = renumber(rows, first)
            response = self._post(LOTES_PATH, build_lote_body(rows, self._credentials))
        return parse_lote_response(response.status_code, response.content, rows,
                                   dict(response.headers))

    def poll(self, refs: list[DocumentRef]) -> list[DocumentResult]:
        """Lotes are synchronous: only documents reconciled as still processing are
        polled, through the same consulta as `lookup`; the latest word per document."""
        results: list[DocumentResult] = []
        for ref in refs:
            attempts = self.lookup(ref)
            if attempts:
                results.append(attempts[-1])
            else:
                results.append(DocumentResult(outcome=Outcome.NOT_FOUND, local_id=ref.local_id))
        return results

    def lookup(self, ref: DocumentRef) -> list[DocumentResult]:
        """Every comprobante TusFacturas holds under the document's external reference.

        Without a reference nothing can be matched safely (numbers are reassigned): the
        document stays unknown and needs attention rather than a blind resend.
        """
        if not ref.external_ref:
            raise OutcomeUnknown(
                "El documento no tiene referencia externa: no se puede consultar en TusFacturas."
            )
        return [replace(r, local_id=ref.local_id) for r in self.find_by_reference(ref.external_ref)]

    def find_by_reference(self, external_reference: str) -> list[DocumentResult]:
        response = self._post(CONSULTA_AVANZADA_PATH,
                              build_consulta_body(self._credentials, external_reference))
        return parse_consulta_response(response.status_code, response.content, dict(response.headers))

    def next_number(self, tipo: int | str, punto_venta: int) -> int:
        """The next number AFIP expects for a type and punto de venta (``numeracion``)."""
        code = tipo_code(tipo)
        if code is None:
            raise ValueError(f"unknown comprobante tipo {tipo!r}")
        response = self._post(NUMERACION_PATH,
                              build_numeracion_body(self._credentials, code, punto_venta))
        return parse_numeracion_response(response.status_code, response.content, dict(response.headers))

    def probe(self) -> None:
        """A consulta by a reference nobody uses: authenticated, creates nothing, and
        "no contabiliza como un request" (consulta avanzada page)."""
        self.find_by_reference(PROBE_REFERENCE)

    # -- helpers --------------------------------------------------------------------------

    def _next_number_before_sending(self, tipo: int, punto_venta: int) -> int:
        """`next_number`, where any doubt means "nothing was sent": it is a read made
        before the lote, so an unreadable answer must not make the lote's documents
        UNKNOWN."""
        try:
            return self.next_number(tipo, punto_venta)
        except OutcomeUnknown as exc:
            raise ConnectionFailed(
                "TusFacturas no respondió a la consulta de numeración; no se envió ningún comprobante."
            ) from exc

    def _post(self, path: str, payload: Any) -> httpx.Response:
        content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        response = send(self._http, "POST", path, content=content)
        log.debug("TusFacturas POST %s -> %s", path, response.status_code)
        return response


# -- helpers --------------------------------------------------------------------------------


def _envelope(status: int, body: bytes | str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Decode a JSON object answer or classify the failure. TusFacturas answers errors as
    HTTP 200 with ``error: "S"`` (callers check the flag); here only the status and the
    body's shape are judged: 401/403 are refusals of the credentials, 429 a refusal to
    back off from (nothing processed), and anything else that is not a 2xx JSON object —
    524 above all — may hide a processed request."""
    if status in (401, 403):
        raise CallRefused(_AUTH_MESSAGE, auth=True, code=str(status))
    if status == 429:
        retry = _header(headers, "retry-after")
        wait = f" (reintentar en {retry} s)" if retry else ""
        raise CallRefused(f"TusFacturas pide esperar: demasiadas solicitudes{wait}.", code="429")
    if status == 524:
        raise OutcomeUnknown(_TIMEOUT_524_MESSAGE)
    data = _decode(body)
    if 200 <= status < 300 and data is not None:
        return data
    raise OutcomeUnknown(_UNKNOWN_MESSAGE)


def _refusal(data: dict[str, Any], rows: list[Row]) -> CallRefused:
    """``{error: "S", errores: [...]}`` with nothing processed. A message naming "la fila
    N (comenzando en 0)" is attributed to the document sent in that position."""
    messages = _messages(data.get("errores"))
    summary = "; ".join(messages) or "TusFacturas rechazó la solicitud."
    if data.get("mantenimiento"):
        until = as_text(data.get("mantenimiento_hasta"))
        return CallRefused(f"TusFacturas está en mantenimiento{f' hasta {until}' if until else ''}: {summary}",
                           code="MANTENIMIENTO")
    if any(_AUTH_RE.search(m) for m in messages):
        return CallRefused(_AUTH_MESSAGE, auth=True, code="AUTH")
    errors: dict[int, str] = {}
    for message in messages:
        m = _FILA_RE.search(message)
        if m and int(m.group(1)) < len(rows):
            index = rows[int(m.group(1))].index
            errors[index] = f"{errors[index]}; {message}" if index in errors else message
    return CallRefused(f"TusFacturas rechazó el lote: {summary}", errors)


def _flatten_items(response: Any) -> list[dict[str, Any]]:
    """``response`` as a list of comprobante items. Tolerates a single object and the
    nested ``response: [{error, errores, response: [...]}]`` one TusFacturas page prints."""
    items: list[dict[str, Any]] = []
    for entry in as_list(response):
        if not isinstance(entry, dict):
            continue
        inner = entry.get("response")
        if isinstance(inner, list | dict) and "comprobante_nro" not in entry and "cae" not in entry:
            items.extend(_flatten_items(inner))
        else:
            items.append(entry)
    return items


def _match_items(items: list[dict[str, Any]], rows: list[Row]) -> dict[int, dict[str, Any]]:
    by_ref = {r.external_ref: r for r in rows}
    by_nro = {(r.punto_venta, r.numero): r for r in rows}
    matched: dict[int, dict[str, Any]] = {}
    loose: list[dict[str, Any]] = []
    for item in items:
        row = by_ref.get(as_text(item.get("external_reference")))
        if row is None:
            key = parse_comprobante_nro(item.get("comprobante_nro"))
            row = by_nro.get(key) if key else None
        if row is None:
            loose.append(item)
        elif row.index not in matched:
            matched[row.index] = item
    if loose and not matched and len(loose) == len(rows):
        matched = {row.index: item for row, item in zip(rows, loose, strict=True)}
    elif loose:
        log.warning("TusFacturas answered %d comprobantes that match no document sent", len(loose))
    return matched


def _messages(value: Any) -> list[str]:
    return [text for entry in as_list(value) if (text := as_text(entry))]


def _specific(messages: Iterable[str], *, keep_generic: bool = True) -> list[str]:
    """The messages without AFIP's generic "rechazo la generacion ... Cod: 0" when a more
    specific one is there (with `keep_generic`, the generic one stays when it is alone)."""
    messages = list(messages)
    specific = [m for m in messages if _afip_code([m]) != _GENERIC_REJECTION_CODE]
    if specific or not keep_generic:
        return specific
    return messages


def _afip_code(messages: Iterable[str | None]) -> str | None:
    """The last AFIP code named in the texts ("... Cod: 10032", "[ codigo: 10063 ]"),
    preferring any code over the generic 0."""
    codes = [c for m in messages if m for c in _CODE_RE.findall(m)]
    specific = [c for c in codes if c != _GENERIC_REJECTION_CODE]
    if specific:
        return specific[-1]
    return codes[-1] if codes else None


def _decode(body: bytes | str) -> dict[str, Any] | None:
    data = decode_json(body)
    return data if isinstance(data, dict) else None


def _header(headers: dict[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def _is_s(value: Any) -> bool:
    return str(value or "").strip().upper() == "S"





def create_client(*, base_url: str, tenant: str | None, api_key: str,
                  emisor_ruc: str | None = None,
                  timeout: float | httpx.Timeout | None = None) -> TusFacturasClient:
    """Registry entry point (providers/registry.py). `api_key` is the profile's secret:
    the JSON object with apitoken, apikey and usertoken. `tenant` and `emisor_ruc` are
    not used: TusFacturas knows the CUIT and punto de venta from the credentials."""
    return TusFacturasClient(base_url, parse_credentials(api_key), timeout=timeout)

