"""CUCU (Bolivia, SIAT): pure mapping functions plus a thin client.

Contract: CUCU's page "Crear Facturas en Lote" (seeds/cucu-invoices-batch.txt):
``POST /api/v1/invoices/batch`` with header ``X-API-Key`` and ``{"invoices": [...]}``, at
most 20 invoices, each processed on its own ("éxito parcial": no rollback), 30 s timeout
per invoice, and a **synchronous** answer ``data: {total, successful, failed, results:
[{index, success, invoiceId, invoiceNumber, cuf} | {index, success: false, error}]}`` —
there is no lote to poll. PROVIDERS.md ("CUCU", "Bolivia facts") adds the envelope
``{success, message, data, error: {code, details, field?, siatCode?}}``, HTTP 429 with
``Retry-After``, HTTP 503 while SIAT is unavailable, the status endpoint
``GET /api/v1/invoices/{id}/status`` (PENDING, VALIDATED, REJECTED, CANCELLED,
CONTINGENCY), search ``GET /api/v1/invoices/search?clientDocument=&invoiceNumber=`` and
``GET /api/v1/ping``, and the rule that matters most: **CUCU has no idempotency key;
after a lost response, search before resending.**

How answers become our classes (base.py):

- Per index: ``success: true`` → APPROVED with ``provider_ref`` = invoiceId, ``numero`` =
  str(invoiceNumber) (CUCU's official number; Lote's own stays local) and ``cuf``.
  ``success: false`` → REJECTED with the code (SIAT's ``siatCode`` when present, else
  CUCU's ``error.code``; none for the page's plain-string errors) and the message
  verbatim — except errors that are not the invoice's fault: SIAT unavailable or rate
  limited (NOT_PROCESSED: queued again) and a timeout towards SIAT (left out of the
  results, so the engine marks it UNKNOWN and reconciles it: it may have been issued).
  Results are matched to documents by ``index`` only, never by position; a document
  whose index is missing or repeated is left out (UNKNOWN → reconciled), and a ``total``
  that is not the number of invoices sent makes the whole answer an unknown outcome.
- HTTP 429, and a 503 in CUCU's envelope (SIAT unavailable): CUCU refused the call
  before processing it, so this is a `CallRefused` naming no document, code "429"/"503"
  (`RetryLater`, carrying ``Retry-After``): the engine puts every document back in the
  queue (and backs off, as it does for these two codes). Not `ConnectionFailed`, which
  means the request never left the machine — it did. The engine's back-off does not read
  ``Retry-After``, so the client also keeps a "hold" until it has passed (or
  `DEFAULT_RETRY_AFTER`, also after any refusal naming no document): calls made before
  then raise `ConnectionFailed` *without sending anything*, which is then literally true.
- 401/403 → refused credentials. Any other non-2xx, an HTML page, a truncated body or a
  bare 503 without CUCU's envelope (a proxy's) may hide a processed call: `OutcomeUnknown`.

Reconciliation (`lookup`): the adapter sends Lote's reference as ``externalReference``
with each invoice — not on CUCU's pages (a Spring-style API ignores unknown keys); the
sandbox echoes it — and searches by client document (and that reference). When the
results echo ``externalReference`` the match is exact; otherwise it falls back to client
document + total + emission date not before the local date, accepted only when exactly
one invoice fits. Because CUCU may still be working on a batch after our read timeout
(30 s per invoice), an invoice not found is only declared "never received" (empty list:
the engine queues it again) once its batch must have finished; before that it is
reported PROCESSING and re-checked by `poll`. The search keys and send times live in
memory; after a restart a document waits one full batch time from its first lookup.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from desktop_app.domain.bolivia import LOCAL_KEY, cuf_parts, payload_total, strip_local, to_cents
from desktop_app.domain.money import to_decimal
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

PROVIDER = "cucu"
MAX_BATCH = 20  # "Maximo facturas por request: 20" (batch page)
#: "Timeout por factura: 30 segundos" (batch page): how long CUCU may work on one invoice.
PER_INVOICE_SECONDS = 30.0
#: Read timeout of the batch POST. 20 × 30 s (10 min) would freeze the outbox for the
#: worst case; a batch normally takes seconds. When the engine passes its request
#: timeout T, the batch waits 2 T (at most this): longer than any other call, and still
#: below the engine's stale-SENDING threshold (2 T + 30 s), so another terminal never
#: presumes a batch interrupted while this one still waits for it.
BATCH_TIMEOUT_CAP = 120.0
DEFAULT_TIMEOUT = 30.0
#: Hold after a 429/503 without Retry-After, and bounds of a Retry-After we obey.
DEFAULT_RETRY_AFTER = 5.0
MIN_RETRY_AFTER = 1.0
MAX_RETRY_AFTER = 300.0
SEARCH_PAGE_SIZE = 50
SEARCH_MAX_PAGES = 10
#: Extra seconds past a batch's worst-case processing time before "not found" counts.
SETTLE_MARGIN = 5.0
#: How long the client remembers what it sent (search keys, send time).
MEMORY_SECONDS = 6 * 3600.0

_AUTH_MESSAGE = "CUCU rechazó la API key: revise la clave del perfil."
_UNKNOWN_MESSAGE = "CUCU no dio una respuesta legible; se consultará el resultado antes de reenviar."

#: Per-invoice errors that are not the invoice's fault: nothing was issued, send again.
TRANSIENT_CODES = frozenset({"SIAT_UNAVAILABLE", "SERVICE_UNAVAILABLE", "RATE_LIMIT_EXCEEDED",
                             "TOO_MANY_REQUESTS"})
TRANSIENT_SIAT_CODES = frozenset({"995"})  # SERVICIO NO DISPONIBLE
#: Per-invoice errors after which the invoice may or may not have been issued.
TIMEOUT_CODES = frozenset({"SIAT_TIMEOUT", "TIMEOUT", "GATEWAY_TIMEOUT"})
TIMEOUT_SIAT_CODES = frozenset({"967"})  # TIEMPO DE ESPERA AGOTADO ...
_TIMEOUT_WORDS = ("timeout", "time out", "tiempo de espera")

_FINAL = frozenset({Outcome.APPROVED, Outcome.APPROVED_WITH_OBSERVATIONS, Outcome.REJECTED})


class RetryLater(CallRefused):
    """CUCU refused the whole call before processing it (HTTP 429, or 503: SIAT
    unavailable). Names no document: the engine queues them all again."""

    def __init__(self, message: str, *, code: str, retry_after: float) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


# -- the one mapping of CUCU states ---------------------------------------------------------


def state_outcome(state: Any) -> Outcome:
    """CUCU's invoice ``state`` → Outcome (status page: PENDING, VALIDATED, REJECTED,
    CANCELLED, CONTINGENCY).

    PENDING (not yet sent to SIAT) and CONTINGENCY (issued offline, SIAT gets it later in
    a package) are PROCESSING. CANCELLED maps to APPROVED: the invoice *was* issued and
    validated — its number and CUF are real — and was then annulled; treating it as
    rejected would invite a resend (a second invoice). Cancellation is a later state of
    an approved document that a future cancellation feature records; callers keep
    "CANCELLED" in ``provider_status``. Anything unrecognised is PROCESSING, verbatim.
    """
    text = str(state or "").strip().upper()
    if text in {"VALIDATED", "VALIDADA", "CANCELLED", "ANULADA"}:
        return Outcome.APPROVED
    if text in {"REJECTED", "RECHAZADA"}:
        return Outcome.REJECTED
    return Outcome.PROCESSING


# -- pure mapping functions ---------------------------------------------------------------


def invoice_for_cucu(doc: OutgoingDocument) -> dict[str, Any]:
    """The invoice as CUCU receives it: the stored payload without Lote's local key, plus
    Lote's reference as ``externalReference`` (see the module docstring)."""
    invoice = strip_local(doc.payload)
    ref = doc.external_ref or _local(doc.payload).get("ref")
    if ref and "externalReference" not in invoice:
        invoice["externalReference"] = ref
    return invoice


def build_batch_body(docs: list[OutgoingDocument]) -> dict[str, Any]:
    if not docs:
        raise ValueError("a batch needs at least one invoice")
    if len(docs) > MAX_BATCH:
        raise ValueError(f"CUCU accepts at most {MAX_BATCH} invoices per batch, got {len(docs)}")
    return {"invoices": [invoice_for_cucu(d) for d in docs]}


def parse_batch_response(status: int, body: bytes | str, docs: list[OutgoingDocument],
                         *, retry_after: str | None = None) -> SubmitResult:
    """Classify the batch answer (see the module docstring for every rule)."""
    data = _envelope(status, body, retry_after=retry_after, refusable=(400, 404, 409, 422))
    if _is_false(data.get("success")):
        raise _refusal(data, len(docs))
    inner = data.get("data")
    if not isinstance(inner, dict) or not isinstance(inner.get("results"), list | dict):
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    total = inner.get("total")
    if total is not None and as_int(total) != len(docs):
        raise OutcomeUnknown(
            f"CUCU informó {total} facturas y se enviaron {len(docs)}; se consultará el "
            "resultado de cada una antes de reenviar.")
    by_index: dict[int, dict[str, Any]] = {}
    repeated: set[int] = set()
    for entry in as_list(inner.get("results")):
        index = as_int(entry.get("index")) if isinstance(entry, dict) else None
        if index is None or not 0 <= index < len(docs):
            log.warning("CUCU batch result without a usable index: %r", entry)
            continue
        if index in by_index:
            repeated.add(index)
        by_index[index] = entry
    documents: list[DocumentResult] = []
    for index, doc in enumerate(docs):
        entry = by_index.get(index)
        if entry is None or index in repeated:
            continue  # the engine marks it UNKNOWN and reconciles it
        result = batch_entry_result(entry, doc.local_id)
        if result is not None:
            documents.append(result)
    return SubmitResult(lote_id=None, documents=documents)


def batch_entry_result(entry: dict[str, Any], local_id: int | None) -> DocumentResult | None:
    """One ``results[]`` item; None when the invoice's fate is unknown (reconcile it)."""
    invoice_id = as_text(entry.get("invoiceId") or entry.get("id"))
    numero = as_text(entry.get("invoiceNumber"))
    cuf = as_text(entry.get("cuf"))
    if cuf and cuf_parts(cuf) is None:
        log.debug("CUCU returned a CUF Lote cannot decode: %s", cuf)
    success = entry.get("success")
    if _is_true(success):
        state = as_text(entry.get("state"))
        return DocumentResult(
            outcome=state_outcome(state) if state else Outcome.APPROVED,
            local_id=local_id, numero=numero, provider_ref=invoice_id, cuf=cuf,
            provider_status=state,
            code=as_text(entry.get("siatCode")), message=as_text(entry.get("siatDescription")),
        )
    if not _is_false(success):
        return None
    code, message, cucu_code = error_parts(entry.get("error"))
    if _is_timeout(code, message, cucu_code):
        if invoice_id:
            return DocumentResult(outcome=Outcome.PROCESSING, local_id=local_id, numero=numero,
                                  provider_ref=invoice_id, cuf=cuf, code=code, message=message,
                                  provider_status=cucu_code)
        return None
    outcome = Outcome.REJECTED
    if (cucu_code or "").upper() in TRANSIENT_CODES or code in TRANSIENT_SIAT_CODES:
        outcome = Outcome.NOT_PROCESSED
    return DocumentResult(outcome=outcome, local_id=local_id, numero=numero,
                          provider_ref=invoice_id, cuf=cuf, code=code,
                          message=message or "CUCU rechazó la factura sin dar un motivo.",
                          provider_status=cucu_code)


def error_parts(error: Any) -> tuple[str | None, str | None, str | None]:
    """(code, message, CUCU's own code) of an ``error``: the batch page shows a plain
    string ("NIT invalido: ABC"); the envelope an object {code, details, field?,
    siatCode?}. The code is SIAT's ``siatCode`` when present (the authority's word),
    else CUCU's ``code``."""
    if error is None:
        return None, None, None
    if not isinstance(error, dict):
        return None, as_text(error), None
    cucu_code = as_text(error.get("code"))
    siat_code = as_text(error.get("siatCode"))
    message = (as_text(error.get("details")) or as_text(error.get("message"))
               or as_text(error.get("siatDescription")))
    return siat_code or cucu_code, message, cucu_code


def status_result(data: dict[str, Any], local_id: int | None = None) -> DocumentResult:
    """A status object (``/status``) or an invoice object (``/{id}``, search) → result."""
    state = as_text(data.get("state"))
    return DocumentResult(
        outcome=state_outcome(state),
        local_id=local_id,
        numero=as_text(data.get("invoiceNumber")),
        code=as_text(data.get("siatCode")),
        message=as_text(data.get("siatDescription")),
        provider_status=state,
        provider_ref=as_text(data.get("id") or data.get("invoiceId")),
        cuf=as_text(data.get("cuf")),
    )


def parse_status_response(status: int, body: bytes | str,
                          local_id: int | None = None) -> DocumentResult:
    """``/status`` or ``/{id}``: the invoice's result; 404 → NOT_FOUND."""
    if status == 404:
        return DocumentResult(outcome=Outcome.NOT_FOUND, local_id=local_id, code="404")
    data = _envelope(status, body)
    if _is_false(data.get("success")):
        raise _refusal(data, 0)
    inner = data.get("data")
    if not isinstance(inner, dict):
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    return status_result(inner, local_id)


def parse_page(status: int, body: bytes | str) -> tuple[list[dict[str, Any]], bool]:
    """A search/list page: (invoice objects, is it the last page). A bare list is
    accepted as one last page."""
    data = _envelope(status, body)
    if _is_false(data.get("success")):
        raise _refusal(data, 0)
    inner = data.get("data")
    if isinstance(inner, list):
        return [e for e in inner if isinstance(e, dict)], True
    if not isinstance(inner, dict) or not isinstance(inner.get("content"), list):
        raise OutcomeUnknown(_UNKNOWN_MESSAGE)
    entries = [e for e in inner["content"] if isinstance(e, dict)]
    last = inner.get("last")
    return entries, (not entries) if last is None else _is_true(last)


@dataclass(frozen=True)
class SearchKeys:
    """What Lote knows of an invoice it sent, to find it again at CUCU."""

    client_document: str | None
    total: Decimal | None
    fecha: datetime | None
    external_ref: str | None


def search_keys(doc: OutgoingDocument) -> SearchKeys:
    payload = doc.payload
    fecha_text = _local(payload).get("fecha")
    try:
        fecha = datetime.fromisoformat(fecha_text) if isinstance(fecha_text, str) else None
    except ValueError:
        fecha = None
    return SearchKeys(
        client_document=as_text(payload.get("clientDocumentNumber")),
        total=payload_total(payload),
        fecha=fecha,
        external_ref=doc.external_ref or as_text(_local(payload).get("ref")),
    )


def match_entries(entries: list[dict[str, Any]], external_ref: str | None,
                  keys: SearchKeys | None) -> list[dict[str, Any]] | None:
    """The invoices among search results that are ours; None when it cannot be told.

    When any result carries ``externalReference`` CUCU echoes it, and only equal ones
    match. Otherwise the fallback needs the search keys: same client document, same
    total, emitted on or after the local date — and exactly one such invoice (two
    identical sales to one customer on one day cannot be told apart: None).
    """
    if not entries:
        return []
    if external_ref and any("externalReference" in e for e in entries):
        return [e for e in entries if e.get("externalReference") == external_ref]
    if keys is None or keys.total is None:
        return None
    fits = []
    for e in entries:
        number = as_text(e.get("clientDocumentNumber"))
        if number is not None and keys.client_document and number != keys.client_document:
            continue
        amount = to_decimal(e.get("amountTotal"))
        if amount is None or to_cents(amount) != keys.total:
            continue
        emitted = _datetime(e.get("emissionDate"))
        if keys.fecha is not None and emitted is not None and emitted.date() < keys.fecha.date():
            continue
        fits.append(e)
    if len(fits) > 1:
        return None
    return fits


def attempt_order(entry: dict[str, Any]) -> tuple[int, str]:
    """Sort key putting the attempt that decides last (the engine applies the last):
    rejected < pending < issued, then by emission date."""
    outcome = state_outcome(entry.get("state"))
    rank = {Outcome.REJECTED: 0, Outcome.PROCESSING: 1}.get(outcome, 2)
    return rank, str(entry.get("emissionDate") or "")


# -- client --------------------------------------------------------------------------------


@dataclass
class _Sent:
    keys: SearchKeys
    sent_at: float
    settle_until: float


class CucuClient(ClientLifecycle):
    """Thin HTTP calls over the pure functions above; one `httpx.Client` per instance.

    The engine calls one client from several threads at once (one batch, poll or lookup
    each); the little state kept here (what was sent, the hold) is behind a lock.
    The API key travels only in the ``X-API-Key`` header; it is never part of an
    exception message, a log line or ``repr`` (DESIGN rule 4).
    """

    provider = PROVIDER
    max_batch = MAX_BATCH

    def __init__(self, base_url: str, api_key: str, *,
                 timeout: float | httpx.Timeout | None = None,
                 per_invoice_seconds: float = PER_INVOICE_SECONDS,
                 settle_margin: float = SETTLE_MARGIN,
                 clock: Any = time.monotonic) -> None:
        self.base_url = base_url.rstrip("/")
        base = _read_timeout(timeout)
        self._timeout: float | httpx.Timeout = (
            timeout if isinstance(timeout, httpx.Timeout)
            else httpx.Timeout(base or DEFAULT_TIMEOUT, connect=5.0))
        batch_read = BATCH_TIMEOUT_CAP if timeout is None else min(BATCH_TIMEOUT_CAP,
                                                                   2 * (base or DEFAULT_TIMEOUT))
        self._batch_timeout = httpx.Timeout(batch_read, connect=5.0)
        self.per_invoice_seconds = per_invoice_seconds
        self.settle_margin = settle_margin
        self._clock = clock
        self._http = make_client(
            self.base_url,
            headers={"X-API-Key": api_key, "Content-Type": "application/json; charset=utf-8"},
            timeout=self._timeout,
        )
        self._lock = threading.Lock()
        self._sent: dict[int, _Sent] = {}
        self._first_asked: dict[int, float] = {}
        self._hold_until = 0.0

    def __repr__(self) -> str:
        return f"CucuClient(base_url={self.base_url!r})"

    @property
    def batch_timeout(self) -> float | None:
        return self._batch_timeout.read

    # -- ProviderClient ------------------------------------------------------------

    def submit(self, docs: list[OutgoingDocument]) -> SubmitResult:
        body = build_batch_body(docs)
        self._check_hold()
        self._remember(docs)
        try:
            response = self._request("POST", "/api/v1/invoices/batch", json_body=body,
                                     timeout=self._batch_timeout)
            return parse_batch_response(response.status_code, response.content, docs,
                                        retry_after=response.headers.get("Retry-After"))
        except RetryLater as exc:
            self._hold(exc.retry_after)
            self._forget(docs)
            raise
        except (CallRefused, ConnectionFailed) as exc:
            if isinstance(exc, CallRefused) and not exc.errors and not exc.auth:
                self._hold(DEFAULT_RETRY_AFTER)
            self._forget(docs)
            raise

    def poll(self, refs: list[DocumentRef]) -> list[DocumentResult]:
        """Current results: by ``/status`` when CUCU's invoice id is known, else by the
        same search as `lookup` (an invoice left PROCESSING by a lookup)."""
        self._check_hold()
        results: list[DocumentResult] = []
        for ref in refs:
            if ref.provider_ref:
                results.append(self.status(ref.provider_ref, ref.local_id))
                continue
            attempts = self._find(ref)
            if attempts:
                results.append(attempts[-1])
            elif attempts is not None and self._settled(ref.local_id):
                results.append(DocumentResult(
                    outcome=Outcome.NOT_FOUND, local_id=ref.local_id,
                    message="CUCU no tiene esta factura."))
        return results

    def lookup(self, ref: DocumentRef) -> list[DocumentResult]:
        """Every invoice CUCU holds for this document (see the module docstring)."""
        self._check_hold()
        if ref.provider_ref:
            known = self.status(ref.provider_ref, ref.local_id)
            if known.outcome is not Outcome.NOT_FOUND:
                return [known]
        attempts = self._find(ref)
        if attempts:
            return attempts
        if attempts is None:
            return [DocumentResult(
                outcome=Outcome.PROCESSING, local_id=ref.local_id,
                message="CUCU tiene varias facturas que podrían ser esta; revise en su portal.")]
        if self._settled(ref.local_id):
            return []
        return [DocumentResult(
            outcome=Outcome.PROCESSING, local_id=ref.local_id,
            message="CUCU aún puede estar procesando el lote; se consultará de nuevo.")]

    def probe(self) -> None:
        """``GET /api/v1/ping`` with the key: reachable and accepted, creating nothing."""
        response = self._request("GET", "/api/v1/ping")
        data = _envelope(response.status_code, response.content)
        if _is_false(data.get("success")):
            raise _refusal(data, 0)

    # -- more of CUCU ----------------------------------------------------------------

    def status(self, invoice_id: str, local_id: int | None = None) -> DocumentResult:
        response = self._request("GET", f"/api/v1/invoices/{quote(invoice_id, safe='')}/status")
        return parse_status_response(response.status_code, response.content, local_id)

    def search(self, **params: str) -> list[dict[str, Any]]:
        """Every invoice a search returns, following pages (at most `SEARCH_MAX_PAGES`)."""
        found: list[dict[str, Any]] = []
        for page in range(SEARCH_MAX_PAGES):
            query = {**params, "page": str(page), "size": str(SEARCH_PAGE_SIZE)}
            response = self._request("GET", "/api/v1/invoices/search", params=query)
            entries, last = parse_page(response.status_code, response.content)
            found.extend(entries)
            if last:
                break
        return found

    # -- helpers ---------------------------------------------------------------------

    def _find(self, ref: DocumentRef) -> list[DocumentResult] | None:
        """Our attempts at CUCU, best last; [] when none; None when it cannot be told."""
        with self._lock:
            sent = self._sent.get(ref.local_id)
        keys = sent.keys if sent else None
        external_ref = ref.external_ref or (keys.external_ref if keys else None)
        params: dict[str, str] = {}
        if keys and keys.client_document:
            params["clientDocument"] = keys.client_document
        if external_ref:
            params["externalReference"] = external_ref
        if not params:
            return None
        matches = match_entries(self.search(**params), external_ref, keys)
        if matches is None:
            return None
        results = []
        for entry in sorted(matches, key=attempt_order):
            invoice_id = as_text(entry.get("id") or entry.get("invoiceId"))
            result = status_result(entry, ref.local_id)
            if invoice_id:
                detailed = self.status(invoice_id, ref.local_id)
                if detailed.outcome is not Outcome.NOT_FOUND:
                    result = replace(detailed, cuf=detailed.cuf or result.cuf,
                                     numero=detailed.numero or result.numero)
            results.append(result)
        return results

    def _remember(self, docs: list[OutgoingDocument]) -> None:
        now = self._clock()
        keys = [(doc.local_id, search_keys(doc)) for doc in docs]
        settle = now + len(docs) * self.per_invoice_seconds + self.settle_margin
        with self._lock:
            for stale in [k for k, s in self._sent.items() if now - s.sent_at > MEMORY_SECONDS]:
                del self._sent[stale]
            for local_id, key in keys:
                self._sent[local_id] = _Sent(key, now, settle)
                self._first_asked.pop(local_id, None)

    def _forget(self, docs: Iterable[OutgoingDocument]) -> None:
        with self._lock:
            for doc in docs:
                self._sent.pop(doc.local_id, None)

    def _settled(self, local_id: int) -> bool:
        """Has CUCU surely finished any batch that carried this document?"""
        now = self._clock()
        with self._lock:
            sent = self._sent.get(local_id)
            if sent is not None:
                return now >= sent.settle_until
            first = self._first_asked.setdefault(
                local_id, now + MAX_BATCH * self.per_invoice_seconds + self.settle_margin)
        return now >= first

    def _hold(self, seconds: float) -> None:
        with self._lock:
            self._hold_until = max(self._hold_until, self._clock() + seconds)

    def _check_hold(self) -> None:
        with self._lock:
            wait = self._hold_until - self._clock()
        if wait > 0:
            raise ConnectionFailed(
                f"CUCU pidió esperar antes de volver a enviar; se reintentará en "
                f"{max(1, round(wait))} s.")

    def _request(self, method: str, path: str, *, json_body: Any = None,
                 **kwargs: Any) -> httpx.Response:
        if json_body is not None:
            kwargs["content"] = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        response = send(self._http, method, path, **kwargs)
        log.debug("CUCU %s %s -> %s", method, path, response.status_code)
        return response


# -- helpers ---------------------------------------------------------------------------------


def _envelope(status: int, body: bytes | str, *, retry_after: str | None = None,
              refusable: Iterable[int] = ()) -> dict[str, Any]:
    """Decode CUCU's envelope or classify the failure (module docstring)."""
    if status in (401, 403):
        raise CallRefused(_AUTH_MESSAGE, auth=True, code=str(status))
    data = _decode(body)
    if status == 429:
        wait = retry_after_seconds(retry_after)
        raise RetryLater(f"CUCU limitó las solicitudes (HTTP 429); se reintentará en "
                         f"{round(wait)} s.", code="429", retry_after=wait)
    if status == 503 and data is not None and _is_false(data.get("success")):
        wait = retry_after_seconds(retry_after)
        _, message, _ = error_parts(data.get("error"))
        raise RetryLater(f"CUCU: el SIAT no está disponible ({message or 'HTTP 503'}); "
                         f"se reintentará en {round(wait)} s.", code="503", retry_after=wait)
    if data is not None and 200 <= status < 300:
        return data
    if data is not None and status in set(refusable) and _is_false(data.get("success")):
        return data
    raise OutcomeUnknown(_UNKNOWN_MESSAGE)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float:
    """``Retry-After`` in seconds (a number or an HTTP date), within sane bounds."""
    seconds: float | None = None
    if value:
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(text)
                reference = now or datetime.now(when.tzinfo)
                seconds = (when - reference).total_seconds()
            except (TypeError, ValueError):
                seconds = None
    if seconds is None:
        seconds = DEFAULT_RETRY_AFTER
    return min(MAX_RETRY_AFTER, max(MIN_RETRY_AFTER, seconds))


def _refusal(data: dict[str, Any], count: int) -> CallRefused:
    """``success: false`` for the whole call: nothing was created. An ``error.field``
    like ``invoices[3].details[0].quantity`` names the culprit; the others are innocent."""
    code, message, cucu_code = error_parts(data.get("error"))
    summary = message or as_text(data.get("message")) or "CUCU rechazó la solicitud."
    errors: dict[int, str] = {}
    err = data.get("error")
    field = as_text(err.get("field")) if isinstance(err, dict) else None
    if field and field.startswith("invoices["):
        index = as_int(field[len("invoices["):].split("]", 1)[0])
        if index is not None and 0 <= index < count:
            errors[index] = summary
    return CallRefused(summary, errors, code=code or cucu_code)


def _is_timeout(code: str | None, message: str | None, cucu_code: str | None) -> bool:
    if (cucu_code or "").upper() in TIMEOUT_CODES or code in TIMEOUT_SIAT_CODES:
        return True
    if cucu_code is None and code is None and message:
        lowered = message.lower()
        return any(word in lowered for word in _TIMEOUT_WORDS)
    return False


def _local(payload: dict[str, Any]) -> dict[str, Any]:
    local = payload.get(LOCAL_KEY)
    return local if isinstance(local, dict) else {}


def _read_timeout(timeout: float | httpx.Timeout | None) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, httpx.Timeout):
        return timeout.read
    return float(timeout)


def _decode(body: bytes | str) -> dict[str, Any] | None:
    data = decode_json(body)
    return data if isinstance(data, dict) else None


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=None)
    except ValueError:
        return None





def _is_false(value: Any) -> bool:
    """Only an explicit ``success: false`` says the call (or invoice) failed."""
    if isinstance(value, str):
        return value.strip().lower() in {"false", "0", "no"}
    return value is False


def _is_true(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "si", "sí", "yes"}
    return value is True


def create_client(*, base_url: str, tenant: str | None, api_key: str,
                  emisor_ruc: str | None = None,
                  timeout: float | httpx.Timeout | None = None) -> CucuClient:
    """Registry entry point (providers/registry.py). CUCU needs no tenant and no emisor:
    the API key belongs to one contribuyente (both are ignored).

    `LOTE_CUCU_INVOICE_S` overrides PER_INVOICE_SECONDS, the time CUCU may take per invoice
    before an unanswered one may be resent: its sandbox answers at once, so soak runs
    compress it as they compress the provider."""
    per_invoice = float(os.environ.get("LOTE_CUCU_INVOICE_S", PER_INVOICE_SECONDS))
    return CucuClient(base_url, api_key, timeout=timeout, per_invoice_seconds=per_invoice)
