"""A local simulator of CUCU's API (Bolivia) and of SIAT behind it.

Contract: CUCU's page "Crear Facturas en Lote" (``POST /api/v1/invoices/batch``,
seeds/cucu-invoices-batch.txt) and the facts PROVIDERS.md ("CUCU", "Bolivia facts")
collects from CUCU's other pages. Where they are silent the sandbox picks one
documented-looking behaviour, marked "(sandbox's choice)".

Envelope and auth
-----------------
Every answer is ``{success, message, data, error: {code, details, field?, siatCode?}}``.
``X-API-Key`` must equal the configured key, else HTTP 401 ``UNAUTHORIZED``. With
``rate_limited`` set every request answers HTTP 429 ``RATE_LIMIT_EXCEEDED`` with a
``Retry-After`` header; with ``siat_available`` false the emission endpoints answer HTTP
503 ``SIAT_UNAVAILABLE`` (siatCode 995 "SERVICIO NO DISPONIBLE") with ``Retry-After``.
Neither processes anything.

Endpoints
---------
- ``POST /api/v1/invoices/batch`` ``{"invoices": [...]}``, 1..20 invoices (more, or not a
  list: HTTP 400 ``BATCH_LIMIT_EXCEEDED`` / ``VALIDATION_ERROR``, nothing processed).
  Synchronous, each invoice on its own, no rollback (the page's "éxito parcial"). Answer
  ``data: {total, successful, failed, results: [...]}``; a result is ``{index, success:
  true, invoiceId, invoiceNumber, cuf}`` or ``{index, success: false, error}`` where
  ``error`` is, as on the page, a plain string for problems CUCU finds in the request
  itself (e.g. ``"NIT invalido: ABC"``: nothing is stored), and an object
  ``{code: "SIAT_REJECTED", details, field, siatCode}`` when SIAT rejects the invoice
  (sandbox's choice: CUCU stores it with state REJECTED, and it used its number).
- ``POST /api/v1/invoices``: one invoice, same rules; ``data`` is the invoice object.
- ``GET /api/v1/invoices/{id}``, ``GET /api/v1/invoices/cuf/{cuf}``: the invoice object
  ``{id, invoiceNumber, cuf, state, clientBusinessName, clientDocumentType,
  clientDocumentNumber, amountTotal, emissionDate, pointOfSaleId, externalReference?}``.
- ``GET /api/v1/invoices/{id}/status``: ``{id, invoiceNumber, cuf, state, siatCode,
  siatDescription, emissionType, lastChecked}``; states PENDING, VALIDATED, REJECTED,
  CANCELLED (CONTINGENCY is never produced here).
- ``GET /api/v1/invoices/search?clientDocument=&invoiceNumber=&externalReference=&page=&size=``
  and ``GET /api/v1/invoices?page=&size=``: Spring-style pages ``{content, page, size,
  totalElements, totalPages, first, last}``, newest first (size ≤ 50).
- ``POST /api/v1/invoices/{id}/cancel?motivo=``: VALIDATED → CANCELLED (905).
- ``POST /api/v1/codes/nit`` ``{posId, nit}``: ``{valido, nit, mensaje}`` from the
  sandbox's NIT registry. ``GET /api/v1/ping``: ``{status: "UP"}`` (with the key).

``externalReference`` is not on CUCU's pages: an invoice may carry it and it is echoed in
the invoice object and searchable (sandbox's choice, so Lote's reconciliation by
reference can be exercised). ``echo_external_reference = False`` makes the sandbox behave
as CUCU's pages suggest (the key is ignored, never echoed, not a search filter), which
exercises the adapter's fallback: client document + total + date.

Simulated SIAT
--------------
An invoice is checked in this order; the first rule that applies rejects it
(``siatCode`` and text from SIAT's message catalogue, mensajesServicios):

======  ===================================================================
string  CUCU itself: not an object, missing or mistyped fields, a NIT that is
        not digits (``"NIT invalido: <nit>"``, the page's own example).
1037    EL NUMERO DOCUMENTO DE TIPO NIT NO ES VALIDO — NIT-shaped but with a
        leading zero or more than 13 digits, or listed in ``unknown_nits``
        (there is no check digit: only the padrón knows a NIT).
1010    número 0 (CI/NIT/CEX) for a total above Bs 3000.
1011    a complement with a document other than a CI.
1016    EL CODIGO DE ACTIVIDAD ECONOMICA NO ESTA HABILITADA PARA EL CONTRIBUYENTE
        — ``activityCode`` not among ``activities``.
1017    EL CODIGO DE PRODUCTO NO ESTA RELACIONADO A NINGUN ACTIVIDAD ECONOMICA DEL
        CONTRIBUYENTE — ``sinProductCode`` not listed for that activity.
939     (XSD) quantity ≤ 0 or unit price < 0.
1018    EL CALCULO DEL SUBTOTAL ES ERRONEO — a discount above quantity × price.
1013    EL CALCULO DEL MONTO TOTAL ES ERRONEO — a total of zero.
======  ===================================================================

Otherwise the invoice is VALIDATED (908 "RECEPCION VALIDADA") at once. Its number is the
next one of its ``pointOfSaleId`` (from ``first_invoice_number``), and its CUF is built
like SIAT's (`bolivia.build_cuf`: emisor NIT, emission time, sucursal 0, modalidad 1,
tipo de emisión 1, tipo de factura 1, sector 1, number, the POS's code) plus a CUFD
control code. Quirks on demand: ``siat_slow`` makes every invoice wait past CUCU's 30 s
per-invoice timeout — it is stored PENDING and reported as ``{success: false, error:
{code: "SIAT_TIMEOUT"}}`` with no id, then VALIDATED once ``processing_delay`` seconds
(on the injectable ``clock``) have passed; `interrupt_siat_after(k)` makes SIAT fail for
the invoices from index k of the next batch (``SIAT_UNAVAILABLE``/995, not stored);
`omit_results_next(*indexes)` processes the next batch normally but leaves those
indexes out of ``results`` (the page promises every index: a defensive client must not
guess by position).

CUCU has no idempotency key: the sandbox never deduplicates. It counts what it issued
(`approvals_by_number`, `issued_by_ref`) and what it received (`received_by_ref`) so a
test can prove nothing was issued — or even sent — twice.
"""

from __future__ import annotations

import math
import random
import re
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop_app.domain.bolivia import build_cuf, to_cents
from desktop_app.sandbox.server import Request, Response, SandboxServer, json_response, route

MAX_BATCH = 20
MAX_PAGE_SIZE = 50
DEFAULT_API_KEY = "sk_test_lote_demo"
DEFAULT_EMISOR_NIT = "1023456789"
#: A NIT with a valid shape that the simulated padrón does not know.
DEMO_UNKNOWN_NIT = "1000000013"
#: Activities enabled for the sandbox's contribuyente -> SIN product codes of each.
DEFAULT_ACTIVITIES: dict[str, frozenset[str]] = {
    "620100": frozenset({"83141", "83131", "84392"}),  # software and IT services
    "477300": frozenset({"62271", "35270"}),  # pharmacy retail
    "471110": frozenset({"62111", "99100"}),  # general retail
}

PENDING, VALIDATED, REJECTED, CANCELLED = "PENDING", "VALIDATED", "REJECTED", "CANCELLED"
_ISSUED = frozenset({PENDING, VALIDATED, CANCELLED})

SIAT_MESSAGES: dict[int, str] = {
    901: "RECEPCION PENDIENTE",
    905: "ANULACION CONFIRMADA",
    908: "RECEPCION VALIDADA",
    939: "LA FACTURA O NOTA DE CREDITO - DEBITO NO CUMPLE CON EL FORMATO DEL XSD ESPECIFICADO",
    995: "SERVICIO NO DISPONIBLE",
    1010: "LA FACTURA NO PUEDE SER ENVIADA CON NUMERO DE CI/NIT/CEX 0 PARA MONTOS MAYORES A 3000",
    1011: "EL COMPLEMENTO SOLO PUEDE SER ENVIADO CUANDO EL TIPO DE DOCUMENTO ES CARNET DE "
          "IDENTIDAD",
    1013: "EL CALCULO DEL MONTO TOTAL ES ERRONEO",
    1016: "EL CODIGO DE ACTIVIDAD ECONOMICA NO ESTA HABILITADA PARA EL CONTRIBUYENTE",
    1017: "EL CODIGO DE PRODUCTO NO ESTA RELACIONADO A NINGUN ACTIVIDAD ECONOMICA DEL "
          "CONTRIBUYENTE",
    1018: "EL CALCULO DEL SUBTOTAL ES ERRONEO",
    1037: "EL NUMERO DOCUMENTO DE TIPO NIT NO ES VALIDO",
}

_API = "/api/v1"
_ID = r"(?P<id>(?!(?:search|batch|cuf)$)[^/]+)"
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class SandboxInvoice:
    """One invoice CUCU stored (issued, pending or rejected by SIAT)."""

    seq: int
    invoice_id: str
    invoice_number: int
    point_of_sale_id: str
    state: str
    siat_code: int
    cuf: str | None
    client_document_type: int
    client_document_number: str
    client_business_name: str
    amount_total: Decimal
    emission_date: datetime
    created_at: float
    external_reference: str | None
    payload: dict[str, Any]
    cancellation_reason: int | None = None

    @property
    def siat_description(self) -> str:
        return SIAT_MESSAGES.get(self.siat_code, "")

    def as_json(self, *, echo: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.invoice_id,
            "invoiceNumber": self.invoice_number,
            "cuf": self.cuf,
            "state": self.state,
            "clientBusinessName": self.client_business_name,
            "clientDocumentType": self.client_document_type,
            "clientDocumentNumber": self.client_document_number,
            "amountTotal": float(self.amount_total),
            "emissionDate": self.emission_date.replace(microsecond=0).isoformat(),
            "pointOfSaleId": self.point_of_sale_id,
        }
        if echo and self.external_reference is not None:
            out["externalReference"] = self.external_reference
        if self.cancellation_reason is not None:
            out["cancellationReason"] = self.cancellation_reason
        return out

    def status_json(self, checked: datetime) -> dict[str, Any]:
        return {
            "id": self.invoice_id,
            "invoiceNumber": self.invoice_number,
            "cuf": self.cuf,
            "state": self.state,
            "siatCode": self.siat_code,
            "siatDescription": self.siat_description,
            "emissionType": "NORMAL",
            "lastChecked": checked.replace(microsecond=0).isoformat(),
        }


class _RequestProblem(Exception):
    """CUCU refuses the invoice itself (string error, nothing stored)."""


@dataclass(frozen=True)
class _Checked:
    pos: str
    doc_type: int
    doc_number: str
    name: str
    total: Decimal
    external_reference: str | None


class CucuSandbox(SandboxServer):
    """CUCU's dialect plus a simulated SIAT, with issuance counters."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        emisor_nit: str = DEFAULT_EMISOR_NIT,
        processing_delay: float = 0.0,
        activities: dict[str, Iterable[str]] | None = None,
        unknown_nits: Iterable[str] | None = None,
        first_invoice_number: int = 1,
        retry_after: int = 1,
        tenant: str | None = None,
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(port=port)
        if not _DIGITS.fullmatch(emisor_nit):
            raise ValueError(f"invalid emisor NIT: {emisor_nit!r}")
        self.tenant = tenant  # CUCU's account is the API key's; kept for the registry's kwargs
        self.emisor_nit = emisor_nit
        self.processing_delay = processing_delay
        self.activities: dict[str, frozenset[str]] = {
            k: frozenset(v) for k, v in (activities or DEFAULT_ACTIVITIES).items()
        }
        self.unknown_nits: set[str] = set(
            unknown_nits if unknown_nits is not None else {DEMO_UNKNOWN_NIT}
        )
        #: Switches a test or the demo flips.
        self.rate_limited = False
        self.siat_available = True
        self.siat_slow = False
        self.echo_external_reference = True
        self.retry_after = retry_after
        self._api_key = api_key
        self._clock = clock
        self._wall_clock = wall_clock
        self._control_code = secrets.token_hex(8).upper()[:15]
        self._first_number = first_invoice_number
        self._lock = threading.RLock()
        self._invoices: list[SandboxInvoice] = []
        self._next_number: dict[str, int] = {}
        self._pos_codes: dict[str, int] = {}
        self._received: Counter[str] = Counter()
        self._interrupt_after: int | None = None
        self._omit_next: frozenset[int] = frozenset()
        self.rate_limited_requests = 0

    # -- inspection for tests and the demo ------------------------------------------

    def invoices(self) -> list[SandboxInvoice]:
        with self._lock:
            self._process_due()
            return list(self._invoices)

    def approvals_by_number(self) -> dict[tuple[str, int], int]:
        """(pointOfSaleId, invoiceNumber) -> how many invoices were issued with it."""
        with self._lock:
            return dict(Counter((i.point_of_sale_id, i.invoice_number)
                                for i in self._invoices if i.state in _ISSUED))

    def issued_by_ref(self) -> dict[str, int]:
        """externalReference -> how many invoices were issued for it (above 1: issued
        twice)."""
        with self._lock:
            return dict(Counter(i.external_reference for i in self._invoices
                                if i.state in _ISSUED and i.external_reference))

    def received_by_ref(self) -> dict[str, int]:
        """externalReference -> how many times it reached an emission endpoint."""
        with self._lock:
            return dict(self._received)

    def interrupt_siat_after(self, index: int) -> None:
        """In the next batch, SIAT stops answering from `index` on: those invoices fail
        with SIAT_UNAVAILABLE and are not stored (one shot)."""
        with self._lock:
            self._interrupt_after = index

    def omit_results_next(self, *indexes: int) -> None:
        """The next batch is processed in full, but these indexes are missing from its
        ``results`` (one shot)."""
        with self._lock:
            self._omit_next = frozenset(indexes)

    def set_state(self, invoice_id: str, state: str, siat_code: int) -> None:
        with self._lock:
            for n, inv in enumerate(self._invoices):
                if inv.invoice_id == invoice_id:
                    self._invoices[n] = replace(inv, state=state, siat_code=siat_code)
                    return
        raise KeyError(invoice_id)

    # -- envelope -------------------------------------------------------------------

    def _fail(self, status: int, message: str, code: str, details: str,
              *, field: str | None = None, siat_code: int | None = None,
              headers: dict[str, str] | None = None) -> Response:
        err: dict[str, Any] = {"code": code, "details": details}
        if field is not None:
            err["field"] = field
        if siat_code is not None:
            err["siatCode"] = siat_code
        return json_response({"success": False, "message": message, "data": None,
                              "error": err}, status=status, headers=headers)

    def _ok(self, data: Any, message: str = "OK") -> Response:
        return json_response({"success": True, "message": message, "data": data,
                              "error": None})

    def _gate(self, request: Request, *, emission: bool = False) -> Response | None:
        if request.header("x-api-key") != self._api_key:
            return self._fail(401, "No autorizado", "UNAUTHORIZED",
                              "API Key invalida o no informada")
        if self.rate_limited:
            with self._lock:
                self.rate_limited_requests += 1
            return self._fail(429, "Demasiadas solicitudes", "RATE_LIMIT_EXCEEDED",
                              "Limite de solicitudes excedido; reintente mas tarde",
                              headers={"Retry-After": str(self.retry_after)})
        if emission and not self.siat_available:
            return self._fail(503, "SIAT no disponible", "SIAT_UNAVAILABLE",
                              "El servicio del SIAT no responde", siat_code=995,
                              headers={"Retry-After": str(self.retry_after)})
        return None

    def not_found(self, request: Request) -> Response:
        return self._fail(404, "Recurso no encontrado", "NOT_FOUND", request.path)

    def method_not_allowed(self, request: Request) -> Response:
        return self._fail(405, "Metodo no permitido", "METHOD_NOT_ALLOWED", request.method)

    def internal_error(self) -> Response:
        return self._fail(500, "Error interno", "INTERNAL_ERROR", "Error interno del servidor")

    # -- emission -------------------------------------------------------------------

    @route("POST", _API + r"/invoices/batch")
    def batch(self, request: Request) -> Response:
        if (denied := self._gate(request, emission=True)) is not None:
            return denied
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            return self._fail(400, "Solicitud invalida", "VALIDATION_ERROR",
                              "El cuerpo no es un JSON valido")
        invoices = body.get("invoices") if isinstance(body, dict) else None
        if not isinstance(invoices, list) or not invoices:
            return self._fail(400, "Solicitud invalida", "VALIDATION_ERROR",
                              "Se esperaba {\"invoices\": [...]} con al menos 1 factura",
                              field="invoices")
        if len(invoices) > MAX_BATCH:
            return self._fail(400, "Solicitud invalida", "BATCH_LIMIT_EXCEEDED",
                              f"Maximo {MAX_BATCH} facturas por request; se recibieron "
                              f"{len(invoices)}", field="invoices")
        results: list[dict[str, Any]] = []
        with self._lock:
            interrupt, self._interrupt_after = self._interrupt_after, None
            omit, self._omit_next = self._omit_next, frozenset()
            for index, invoice in enumerate(invoices):
                if interrupt is not None and index >= interrupt:
                    self._count_received(invoice)
                    results.append({"index": index, "success": False, "error": {
                        "code": "SIAT_UNAVAILABLE", "details": SIAT_MESSAGES[995],
                        "siatCode": 995}})
                    continue
                results.append({"index": index, **self._emit_one(invoice)})
        ok = sum(1 for r in results if r["success"])
        return self._ok({"total": len(invoices), "successful": ok,
                         "failed": len(invoices) - ok,
                         "results": [r for r in results if r["index"] not in omit]})

    @route("POST", _API + r"/invoices")
    def create(self, request: Request) -> Response:
        if (denied := self._gate(request, emission=True)) is not None:
            return denied
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            return self._fail(400, "Solicitud invalida", "VALIDATION_ERROR",
                              "El cuerpo no es un JSON valido")
        with self._lock:
            outcome = self._emit_one(body)
            if outcome["success"]:
                stored = self._find(outcome["invoiceId"])
                assert stored is not None
                return self._ok(stored.as_json(echo=self.echo_external_reference),
                                "Factura creada exitosamente")
            err = outcome["error"]
            if isinstance(err, str):
                return self._fail(400, "Solicitud invalida", "VALIDATION_ERROR", err)
            return self._fail(422, "Factura rechazada", err["code"], err["details"],
                              field=err.get("field"), siat_code=err.get("siatCode"))

    def _count_received(self, invoice: Any) -> None:
        ref = invoice.get("externalReference") if isinstance(invoice, dict) else None
        if isinstance(ref, str) and ref:
            self._received[ref] += 1

    def _emit_one(self, invoice: Any) -> dict[str, Any]:
        """Process one invoice (lock held); the batch result without its index."""
        self._count_received(invoice)
        try:
            checked = _check_request(invoice)
        except _RequestProblem as problem:
            return {"success": False, "error": str(problem)}
        rejection = self._siat_rejection(invoice, checked)
        pos = checked.pos
        number = self._next_number.get(pos, self._first_number)
        self._next_number[pos] = number + 1
        pos_code = self._pos_codes.setdefault(pos, len(self._pos_codes))
        emitted = self._wall_clock()
        state, siat_code = VALIDATED, 908
        if rejection is not None:
            state, siat_code = REJECTED, rejection[0]
        elif self.siat_slow:
            state, siat_code = PENDING, 901
        cuf = None
        if state != REJECTED:
            cuf = build_cuf(
                nit=self.emisor_nit, emitted_at=emitted, sucursal=0, modalidad=1,
                tipo_emision=1, tipo_factura=1, documento_sector=1, numero=number,
                punto_venta=pos_code % 10_000, control_code=self._control_code,
            )
        stored = SandboxInvoice(
            seq=len(self._invoices),
            invoice_id=str(uuid.uuid4()),
            invoice_number=number,
            point_of_sale_id=pos,
            state=state,
            siat_code=siat_code,
            cuf=cuf,
            client_document_type=checked.doc_type,
            client_document_number=checked.doc_number,
            client_business_name=checked.name,
            amount_total=checked.total,
            emission_date=emitted,
            created_at=self._clock(),
            external_reference=checked.external_reference,
            payload=invoice,
        )
        self._invoices.append(stored)
        if rejection is not None:
            code, field = rejection
            return {"success": False, "error": {"code": "SIAT_REJECTED",
                                                "details": SIAT_MESSAGES[code],
                                                "field": field, "siatCode": code}}
        if state == PENDING:
            return {"success": False, "error": {
                "code": "SIAT_TIMEOUT",
                "details": "Tiempo de espera agotado (30 s) esperando respuesta del SIAT"}}
        return {"success": True, "invoiceId": stored.invoice_id,
                "invoiceNumber": stored.invoice_number, "cuf": stored.cuf}

    def _siat_rejection(self, invoice: dict[str, Any], c: _Checked) -> tuple[int, str] | None:
        """(siatCode, field) of the first SIAT rule the invoice breaks, or None."""
        if c.doc_type == 5 and c.doc_number != "0":
            if (c.doc_number.startswith("0") or len(c.doc_number) > 13
                    or c.doc_number in self.unknown_nits):
                return 1037, "clientDocumentNumber"
        if c.doc_number == "0" and c.doc_type in (1, 2, 5) and c.total > 3000:
            return 1010, "clientDocumentNumber"
        if invoice.get("clientComplement") and c.doc_type != 1:
            return 1011, "clientComplement"
        for n, d in enumerate(invoice["details"]):
            activity = str(d.get("activityCode", "")).strip()
            product = str(d.get("sinProductCode", "")).strip()
            if activity not in self.activities:
                return 1016, f"details[{n}].activityCode"
            if product not in self.activities[activity]:
                return 1017, f"details[{n}].sinProductCode"
        for n, d in enumerate(invoice["details"]):
            quantity, price = _decimal(d["quantity"]), _decimal(d["unitPrice"])
            if quantity <= 0:
                return 939, f"details[{n}].quantity"
            if price < 0:
                return 939, f"details[{n}].unitPrice"
            if _decimal(d.get("discount", 0)) > quantity * price:
                return 1018, f"details[{n}].discount"
        if c.total <= 0:
            return 1013, "details"
        return None

    def _process_due(self) -> None:
        """SIAT answers the invoices left PENDING by a timeout (lock held)."""
        now = self._clock()
        for n, inv in enumerate(self._invoices):
            if inv.state == PENDING and now - inv.created_at >= self.processing_delay:
                self._invoices[n] = replace(inv, state=VALIDATED, siat_code=908)

    def _find(self, invoice_id: str) -> SandboxInvoice | None:
        for inv in self._invoices:
            if inv.invoice_id == invoice_id:
                return inv
        return None

    # -- queries --------------------------------------------------------------------

    @route("GET", _API + r"/invoices/" + _ID)
    def get_invoice(self, request: Request) -> Response:
        if (denied := self._gate(request)) is not None:
            return denied
        with self._lock:
            self._process_due()
            found = self._find(request.params["id"])
            if found is None:
                return self._fail(404, "Factura no encontrada", "NOT_FOUND", request.params["id"])
            return self._ok(found.as_json(echo=self.echo_external_reference))

    @route("GET", _API + r"/invoices/" + _ID + r"/status")
    def get_status(self, request: Request) -> Response:
        if (denied := self._gate(request)) is not None:
            return denied
        with self._lock:
            self._process_due()
            found = self._find(request.params["id"])
            if found is None:
                return self._fail(404, "Factura no encontrada", "NOT_FOUND", request.params["id"])
            return self._ok(found.status_json(self._wall_clock()))

    @route("GET", _API + r"/invoices/cuf/(?P<cuf>[^/]+)")
    def get_by_cuf(self, request: Request) -> Response:
        if (denied := self._gate(request)) is not None:
            return denied
        with self._lock:
            self._process_due()
            for inv in self._invoices:
                if inv.cuf and inv.cuf == request.params["cuf"]:
                    return self._ok(inv.as_json(echo=self.echo_external_reference))
        return self._fail(404, "Factura no encontrada", "NOT_FOUND", request.params["cuf"])

    @route("GET", _API + r"/invoices/search")
    def search(self, request: Request) -> Response:
        if (denied := self._gate(request)) is not None:
            return denied
        q = request.query
        with self._lock:
            self._process_due()
            found = list(self._invoices)
        if q.get("clientDocument"):
            found = [i for i in found if i.client_document_number == q["clientDocument"].strip()]
        if q.get("invoiceNumber"):
            found = [i for i in found if str(i.invoice_number) == q["invoiceNumber"].strip()]
        if q.get("externalReference") and self.echo_external_reference:
            found = [i for i in found if i.external_reference == q["externalReference"].strip()]
        return self._page(found, request)

    @route("GET", _API + r"/invoices")
    def list_invoices(self, request: Request) -> Response:
        if (denied := self._gate(request)) is not None:
            return denied
        with self._lock:
            self._process_due()
            found = list(self._invoices)
        return self._page(found, request)

    def _page(self, found: list[SandboxInvoice], request: Request) -> Response:
        try:
            page = max(0, int(request.query.get("page", "0")))
            size = min(MAX_PAGE_SIZE, max(1, int(request.query.get("size", "20"))))
        except ValueError:
            return self._fail(400, "Solicitud invalida", "VALIDATION_ERROR",
                              "page y size deben ser enteros")
        found.sort(key=lambda i: (i.emission_date, i.seq), reverse=True)
        pages = max(1, math.ceil(len(found) / size))
        chunk = found[page * size:(page + 1) * size]
        echo = self.echo_external_reference
        return self._ok({"content": [i.as_json(echo=echo) for i in chunk], "page": page,
                         "size": size,
                         "totalElements": len(found), "totalPages": pages,
                         "first": page == 0, "last": page >= pages - 1})

    @route("POST", _API + r"/invoices/" + _ID + r"/cancel")
    def cancel(self, request: Request) -> Response:
        if (denied := self._gate(request, emission=True)) is not None:
            return denied
        try:
            motivo = int(request.query.get("motivo", "1"))
        except ValueError:
            motivo = 0
        if motivo not in (1, 2, 3, 4):
            return self._fail(400, "Solicitud invalida", "VALIDATION_ERROR",
                              "motivo debe ser 1, 2, 3 o 4", field="motivo")
        with self._lock:
            self._process_due()
            found = self._find(request.params["id"])
            if found is None:
                return self._fail(404, "Factura no encontrada", "NOT_FOUND", request.params["id"])
            if found.state != VALIDATED:
                return self._fail(409, "Operacion no permitida", "INVALID_STATE",
                                  f"La factura esta en estado {found.state}")
            cancelled = replace(found, state=CANCELLED, siat_code=905,
                                cancellation_reason=motivo)
            self._invoices[found.seq] = cancelled
        data = cancelled.as_json(echo=self.echo_external_reference)
        data["cancellationDate"] = self._wall_clock().replace(microsecond=0).isoformat()
        return self._ok(data, "Factura anulada exitosamente")

    @route("POST", _API + r"/codes/nit")
    def verify_nit(self, request: Request) -> Response:
        if (denied := self._gate(request)) is not None:
            return denied
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        nit = body.get("nit") if isinstance(body, dict) else None
        if not body or not body.get("posId") or nit is None:
            return self._fail(400, "Solicitud invalida", "VALIDATION_ERROR",
                              "posId y nit son requeridos")
        text = str(nit).strip()
        valid = (_DIGITS.fullmatch(text) is not None and not text.startswith("0")
                 and len(text) <= 13 and text not in self.unknown_nits)
        return self._ok({"valido": valid, "nit": int(text) if text.isdigit() else text,
                         "mensaje": "NIT valido" if valid else "NIT INEXISTENTE"})

    @route("GET", _API + r"/ping")
    def ping(self, request: Request) -> Response:
        if (denied := self._gate(request)) is not None:
            return denied
        return self._ok({"status": "UP"}, "pong")


# -- request checks (CUCU's own, before SIAT) ------------------------------------------


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise _RequestProblem("Monto invalido")
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise _RequestProblem(f"Monto invalido: {value}") from None
    if not d.is_finite():
        raise _RequestProblem(f"Monto invalido: {value}")
    return d


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise _RequestProblem(f"{name} invalido: {value}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise _RequestProblem(f"{name} es requerido y debe ser numerico")


def _check_request(invoice: Any) -> _Checked:
    """What CUCU checks before building the XML; problems are plain-string errors."""
    if not isinstance(invoice, dict):
        raise _RequestProblem("Cada factura debe ser un objeto JSON")
    pos = invoice.get("pointOfSaleId")
    if not isinstance(pos, str | int) or isinstance(pos, bool) or not str(pos).strip():
        raise _RequestProblem("pointOfSaleId es requerido")
    doc_type = _int(invoice.get("clientDocumentType"), "clientDocumentType")
    if doc_type not in (1, 2, 3, 4, 5):
        raise _RequestProblem(f"clientDocumentType invalido: {doc_type}")
    number = invoice.get("clientDocumentNumber")
    if not isinstance(number, str | int) or isinstance(number, bool) or not str(number).strip():
        raise _RequestProblem("clientDocumentNumber es requerido")
    number = str(number).strip()
    if doc_type == 5 and not _DIGITS.fullmatch(number):
        raise _RequestProblem(f"NIT invalido: {number}")
    name = invoice.get("clientBusinessName")
    if not isinstance(name, str) or not name.strip():
        raise _RequestProblem("clientBusinessName es requerido")
    _int(invoice.get("paymentMethodCode"), "paymentMethodCode")
    details = invoice.get("details")
    if not isinstance(details, list) or not details:
        raise _RequestProblem("details es requerido y debe tener al menos un item")
    total = Decimal(0)
    for n, d in enumerate(details, start=1):
        if not isinstance(d, dict):
            raise _RequestProblem(f"Detalle {n} invalido")
        for key in ("activityCode", "sinProductCode", "description"):
            if d.get(key) in (None, ""):
                raise _RequestProblem(f"{key} es requerido en el detalle {n}")
        _int(d.get("unitMeasure"), f"unitMeasure del detalle {n}")
        quantity = _decimal(d.get("quantity"))
        price = _decimal(d.get("unitPrice"))
        discount = _decimal(d.get("discount", 0))
        total += to_cents(quantity * price - discount)
    ref = invoice.get("externalReference")
    return _Checked(
        pos=str(pos).strip(),
        doc_type=doc_type,
        doc_number=number,
        name=name.strip(),
        total=to_cents(total),
        external_reference=ref if isinstance(ref, str) and ref else None,
    )


DEMO_POINT_OF_SALE = "660e8400-e29b-41d4-a716-446655440004"


def demo_invoice(*, nit: str = "123456789", document_type: int = 5,
                 name: str = "CLIENTE DEMO S.R.L.", activity: str = "620100",
                 product: int | str = 83141, quantity: Any = 1, price: Any = 200,
                 discount: Any = 0, pos: str = DEMO_POINT_OF_SALE,
                 **extra: Any) -> dict[str, Any]:
    """A CUCU invoice this sandbox validates (the batch page's first example, with a
    real-looking POS id): for demo mode and tests."""
    invoice: dict[str, Any] = {
        "pointOfSaleId": pos,
        "clientDocumentType": document_type,
        "clientDocumentNumber": nit,
        "clientBusinessName": name,
        "paymentMethodCode": 1,
        "details": [{
            "activityCode": activity,
            "sinProductCode": product,
            "description": "Servicio de desarrollo de software",
            "quantity": quantity,
            "unitMeasure": 58,
            "unitPrice": price,
            "discount": discount,
        }],
    }
    invoice.update(extra)
    return invoice


_NAMES = ["EMPRESA DEMO S.R.L.", "FARMACIA SANTA RITA", "LIBRERIA LA PAZ S.A.",
          "DISTRIBUIDORA ANDINA LTDA.", "COMERCIAL EL ALTO S.R.L."]


def sample_invoices(n: int, *, invalid_share: float = 0.1, seed: int = 1,
                    pos: str = DEMO_POINT_OF_SALE) -> list[dict[str, Any]]:
    """CUCU invoice JSON for demo data, soak runs and benchmarks (like
    `sandbox.samples.paraguay`). The invalid share is valid for Lote but rejected by the
    simulated SIAT: a NIT the padrón does not know (1037), an activity not enabled
    (1016) or a product of another activity (1017)."""
    rng = random.Random(seed)
    bad: list[dict[str, Any]] = [{"nit": DEMO_UNKNOWN_NIT}, {"activity": "461021"},
                                 {"product": 62271}]
    out = []
    for _ in range(n):
        nit = str(rng.randint(100_000_000, 9_999_999_999))
        kwargs: dict[str, Any] = {"nit": nit, "name": rng.choice(_NAMES),
                                  "quantity": rng.randint(1, 5),
                                  "price": rng.choice([113, 200, 45.5, 1500])}
        if rng.random() < invalid_share:
            kwargs.update(rng.choice(bad))
        out.append(demo_invoice(pos=pos, **kwargs))
    return out


def create_sandbox(**kwargs: Any) -> CucuSandbox:
    """Registry entry point (providers/registry.py)."""
    return CucuSandbox(**kwargs)
