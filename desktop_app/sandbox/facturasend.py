"""A local simulator of FacturaSend's asynchronous API and of SIFEN behind it.

Contract: FacturaSend's public page "Crear lote de DE" (POST {base}/<tenantId>/lote/create,
seeds/facturasend-lote-create.txt) and the facts PROVIDERS.md collects from its other
pages ("consulta de estados", lookup by number, drafts). Where those pages are silent the
sandbox picks one documented-looking behaviour, marked "(sandbox's choice)" below.

Endpoints
---------
- ``POST /{tenant}/lote/create[?draft=&xml=&qr=&tax=]`` — a JSON array of 1..50 DE of one
  ``tipoDocumento``. Problems of the call as a whole (not JSON, not an array, empty, more
  than 50, mixed types, a DE missing a required field or with a wrong type) answer
  HTTP 200 ``{"success": false, "error": "<summary>", "errores": [{"index": i, "error": ...}]}``
  and create nothing: the page's "errores ... indicando el error, y el número de índice".
  Errors of the whole call that name no document (not JSON, empty) carry ``errores: []``;
  more than 50 names every index from 50 on (sandbox's choice), so the first 50 are
  visibly innocent. Otherwise a lote is created (``loteId`` counts up from 1) and every
  DE starts as ``0-Generado``; ``fechaEmision`` echoes the DE's ``fecha`` and
  ``fechaFirma`` is the server's wall-clock time (sandbox's choice). ``qr=true`` adds a
  KuDE-style ``qr`` URL (not signed with a CSC), ``tax=true`` adds ``dIVA5``/``dIVA10``,
  ``xml=true`` a minimal placeholder ``xml``. ``draft=true`` holds the lote until
  ``POST /{tenant}/lote/draft-confirm/{loteId}`` (``draft-reject`` discards it); a draft
  reads as ``0-Generado`` meanwhile (sandbox's choice).
- ``POST /{tenant}/de/estado`` ``{"cdcList": [{"cdc": ...}]}`` (at most 50, sandbox's
  choice) → ``{"success": true, "deList": [{cdc, numero, estado, situacion,
  respuesta_codigo, respuesta_mensaje, ...}]}``. Like the real service, every call first
  "asks SIFEN", i.e. processes the lotes whose ``processing_delay`` has elapsed. A CDC
  seen in several attempts reports its approved attempt if there is one, else its latest
  (sandbox's choice); an unknown CDC reads ``98-Inexistente`` / situacion 98. An empty
  ``cdcList`` answers ``{"success": true, "deList": []}``: that is the cheap,
  documented, authenticated call the client uses to probe reachability and credentials.
- ``GET /{tenant}/de/numero/{tipoDocumento}/{establecimiento}/{punto}/{numero}`` → every
  attempt for that number, oldest first, same item shape (``deList: []`` when none).

``situacion`` (sandbox's choice, following FacturaSend's "N-Texto" estados): 0 generado
(not yet answered by SIFEN), 2 aprobado, 3 aprobado con observación, 4 rechazado,
98 inexistente. ``respuesta_codigo``/``respuesta_mensaje`` are null until processed.

Auth: ``Authorization: Bearer <api_key>``; a missing or wrong key, or a tenant other
than the configured one, answers HTTP 401 ``{"success": false, "error": ...}`` (a wrong
tenant as 401 rather than 404 is the sandbox's choice: the key belongs to the tenant).

Simulated SIFEN
---------------
Lotes are processed in creation order once ``processing_delay`` seconds (on the
injectable ``clock``) have passed. Each DE is approved — ``2-Aprobado``, code ``0260``
"Autorización del DE satisfactoria" — unless the first of these rules that applies
rejects it as ``4-Rechazado``. The codes come from SIFEN's MT v150 validation tables as
best we know them; picking them for these rules is the sandbox's choice:

=====  ============================================================================
1001   CDC duplicado — the CDC already has a final approval (the resend is *not*
       issued again; the earlier approval stands).
1002   Documento electrónico duplicado — (tipoDocumento, establecimiento, punto,
       numero) already approved under a different CDC.
1304   Es obligatorio informar el RUC del receptor contribuyente — ``cliente.contribuyente``
       is true and there is no ``cliente.ruc``.
1309   Dígito verificador del RUC del receptor incorrecto — the customer RUC's
       modulo-11 check digit is wrong, or the RUC is malformed (MT v150 D207).
1307   El RUC del receptor se encuentra inactivo — the customer RUC is in
       ``cancelled_rucs`` (MT v150 D206c: CANCELADO / SUSPENSIÓN TEMPORAL).
1907   Tasa del IVA incorrecta para Exonerado o Exento — an item with ``ivaTipo`` 2 or 3
       whose ``iva`` is not 0 (MT v150 E734).
1908   Tasa del IVA incorrecta para Gravado IVA o Gravado parcial — an item with
       ``ivaTipo`` 1 or 4 whose ``iva`` is not 5 or 10 (MT v150 E734a).
2365   Cálculo del total general de la operación incorrecto — cash sale
       (``condicion.tipo`` 1) whose ``condicion.entregas[].monto`` do not add up to the sum
       over items of round(cantidad × precioUnitario) (Decimal, half-up, 0 decimals in
       PYG). MT v150 has no code of its own for this check; 2365 is the closest.
=====  ============================================================================

A CDC received again while its earlier attempt has no final result yet is counted in
``receipts_by_cdc()`` (SIFEN punishes this; the client must ask first) and, being
processed after the earlier attempt, is rejected 1001 if that one was approved.

CDC: ``cdc.build_cdc`` from the sandbox's emisor RUC and ``tipo_contribuyente`` and the
DE's tipoDocumento, establecimiento, punto, numero, fecha (date part), tipoEmision
(default 1) and ``codigoSeguridadAleatorio`` when given (else a new random code), so a
client that knows the emisor can predict it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from desktop_app.domain.cdc import build_cdc, new_security_code
from desktop_app.domain.ruc import mod11_check_digit, parse_ruc
from desktop_app.sandbox.server import Request, Response, SandboxServer, json_response, route

MAX_LOTE = 50
MAX_ESTADO_CDCS = 50

#: A customer RUC the simulated registry knows as cancelled (check digit valid).
DEMO_CANCELLED_RUC = "80000001-3"

GENERADO = (0, "0-Generado")
APROBADO = (2, "2-Aprobado")
APROBADO_OBS = (3, "3-Aprobado con observación")
RECHAZADO = (4, "4-Rechazado")
INEXISTENTE = (98, "98-Inexistente")

_APPROVED_SITUACIONES = frozenset({APROBADO[0], APROBADO_OBS[0]})

_TENANT = r"/(?P<tenant>[^/]+)"

NumberKey = tuple[int, int, int, int]  # (tipoDocumento, establecimiento, punto, numero)


@dataclass(frozen=True)
class SandboxDocument:
    """One attempt: a DE as received in one lote, and what SIFEN said about it."""

    seq: int
    lote_id: int
    index: int
    cdc: str
    tipo_documento: int
    establecimiento: int
    punto: int
    numero: int
    fecha_emision: str
    fecha_firma: str
    payload: dict[str, Any]
    situacion: int = GENERADO[0]
    estado: str = GENERADO[1]
    code: str | None = None
    message: str | None = None
    draft: bool = False

    @property
    def number_key(self) -> NumberKey:
        return (self.tipo_documento, self.establecimiento, self.punto, self.numero)

    @property
    def numero_text(self) -> str:
        return f"{self.establecimiento:03d}-{self.punto:03d}-{self.numero:07d}"

    @property
    def processed(self) -> bool:
        return self.situacion != GENERADO[0]


@dataclass
class _Lote:
    lote_id: int
    created_at: float
    draft: bool
    seqs: list[int]
    processed: bool = False


class _Invalid(Exception):
    pass


class FacturaSendSandbox(SandboxServer):
    """FacturaSend's dialect plus a simulated SIFEN, with an issuance counter."""

    def __init__(
        self,
        *,
        tenant: str = "demo",
        api_key: str = "api_key_demo",
        emisor_ruc: str = "80069563-1",
        tipo_contribuyente: int = 2,
        processing_delay: float = 2.0,
        cancelled_rucs: Iterable[str] | None = None,
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(port=port)
        ruc = parse_ruc(emisor_ruc)
        if ruc is None or mod11_check_digit(ruc.base) != ruc.dv:
            raise ValueError(f"invalid emisor RUC: {emisor_ruc!r}")
        self.tenant = tenant
        self.emisor_ruc = str(ruc)
        self.tipo_contribuyente = tipo_contribuyente
        self.processing_delay = processing_delay
        self.cancelled_rucs: set[str] = {
            _normalise_ruc(r)
            for r in (cancelled_rucs if cancelled_rucs is not None else {DEMO_CANCELLED_RUC})
        }
        self._api_key = api_key
        self._ruc = ruc
        self._clock = clock
        self._lock = threading.RLock()
        self._docs: list[SandboxDocument] = []
        self._lotes: dict[int, _Lote] = {}
        self._next_lote = 1
        # Indexes over `_docs` (seqs in arrival order), so that answering a query or
        # judging a lote costs what it touches, not every attempt ever received: a long
        # demo day or the soak test would be O(N²) otherwise (BENCHMARKS.md).
        self._seqs_by_cdc: dict[str, list[int]] = {}
        self._seqs_by_number: dict[NumberKey, list[int]] = {}
        #: Lotes not processed yet, in `_lotes` order (the order SIFEN judges them in).
        self._unprocessed: dict[int, _Lote] = {}

    # -- inspection for tests and the demo -----------------------------------------

    def documents(self) -> list[SandboxDocument]:
        """Every attempt received, in order (snapshots)."""
        with self._lock:
            return list(self._docs)

    def approvals_by_number(self) -> dict[NumberKey, int]:
        """(tipoDocumento, establecimiento, punto, numero) -> how many times it was approved.

        Anything above 1 means a document was issued twice.
        """
        with self._lock:
            return dict(
                Counter(d.number_key for d in self._docs if d.situacion in _APPROVED_SITUACIONES)
            )

    def receipts_by_cdc(self) -> dict[str, int]:
        """CDC -> how many times it arrived in a lote (drafts discarded are forgotten)."""
        with self._lock:
            return dict(Counter(d.cdc for d in self._docs))

    def lote_ids(self) -> list[int]:
        with self._lock:
            return list(self._lotes)

    def process_due(self) -> None:
        """What FacturaSend does when asked about states: let SIFEN answer due lotes."""
        with self._lock:
            now = self._clock()
            done: list[int] = []
            for lote in self._unprocessed.values():
                if lote.processed:
                    done.append(lote.lote_id)
                    continue
                if lote.draft or now - lote.created_at < self.processing_delay:
                    continue
                for seq in lote.seqs:
                    self._docs[seq] = self._judge(self._docs[seq])
                lote.processed = True
                done.append(lote.lote_id)
            for lote_id in done:
                del self._unprocessed[lote_id]

    def _index(self, doc: SandboxDocument) -> None:
        self._seqs_by_cdc.setdefault(doc.cdc, []).append(doc.seq)
        self._seqs_by_number.setdefault(doc.number_key, []).append(doc.seq)

    def _reindex(self) -> None:
        self._seqs_by_cdc.clear()
        self._seqs_by_number.clear()
        for doc in self._docs:
            self._index(doc)

    # -- envelope ------------------------------------------------------------------

    def _authorised(self, request: Request) -> Response | None:
        expected = f"Bearer {self._api_key}"
        if request.header("authorization") != expected:
            return json_response(
                {"success": False, "error": "API Key inválida o no informada"}, status=401
            )
        if request.params.get("tenant") != self.tenant:
            return json_response(
                {"success": False, "error": "El tenant no corresponde a la API Key"}, status=401
            )
        return None

    def not_found(self, request: Request) -> Response:
        return json_response(
            {"success": False, "error": f"Recurso no encontrado: {request.path}"}, status=404
        )

    def method_not_allowed(self, request: Request) -> Response:
        return json_response({"success": False, "error": "Método no permitido"}, status=405)

    def internal_error(self) -> Response:
        return json_response({"success": False, "error": "Error interno del servidor"}, status=500)

    # -- lote/create ---------------------------------------------------------------

    @route("POST", _TENANT + r"/lote/create")
    def lote_create(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            return _refused("El cuerpo de la petición no es un JSON válido")
        if not isinstance(body, list):
            return _refused("Se esperaba un array de documentos electrónicos [ ]")
        if not body:
            return _refused("El lote debe contener al menos 1 documento electrónico")
        if len(body) > MAX_LOTE:
            return _refused(
                f"El lote admite como máximo {MAX_LOTE} documentos; se recibieron {len(body)}",
                [
                    (i, f"Excede el máximo de {MAX_LOTE} documentos por lote")
                    for i in range(MAX_LOTE, len(body))
                ],
            )
        errores: list[tuple[int, str]] = []
        parsed: list[dict[str, Any]] = []
        for i, de in enumerate(body):
            problems, fields = _check_de(de)
            errores.extend((i, p) for p in problems)
            parsed.append(fields)
        if errores:
            bad = len({i for i, _ in errores})
            return _refused(f"Se encontraron errores en {bad} documento(s) del lote", errores)
        tipos = [f["tipo"] for f in parsed]
        if len(set(tipos)) > 1:
            return _refused(
                "Todos los documentos del lote deben ser del mismo tipoDocumento",
                [
                    (i, f"tipoDocumento {t} distinto al del primer documento ({tipos[0]})")
                    for i, t in enumerate(tipos)
                    if t != tipos[0]
                ],
            )
        draft = request.flag("draft")
        with self._lock:
            lote_id = self._next_lote
            self._next_lote += 1
            firma = datetime.now().replace(microsecond=0).isoformat()
            seqs: list[int] = []
            for i, (de, f) in enumerate(zip(body, parsed, strict=True)):
                cdc = build_cdc(
                    tipo_documento=f["tipo"],
                    ruc=self._ruc.base,
                    dv=self._ruc.dv,
                    establecimiento=f["est"],
                    punto=f["punto"],
                    numero=f["numero"],
                    tipo_contribuyente=self.tipo_contribuyente,
                    fecha=f["fecha"].date(),
                    tipo_emision=f["tipo_emision"],
                    codigo_seguridad=f["codigo_seguridad"] or new_security_code(),
                )
                seqs.append(len(self._docs))
                self._docs.append(
                    doc := SandboxDocument(
                        seq=len(self._docs),
                        lote_id=lote_id,
                        index=i,
                        cdc=cdc,
                        tipo_documento=f["tipo"],
                        establecimiento=f["est"],
                        punto=f["punto"],
                        numero=f["numero"],
                        fecha_emision=f["fecha"].isoformat(),
                        fecha_firma=firma,
                        payload=de,
                        draft=draft,
                    )
                )
                self._index(doc)
            self._lotes[lote_id] = self._unprocessed[lote_id] = _Lote(
                lote_id, self._clock(), draft, seqs
            )
            created = [self._docs[s] for s in seqs]
        de_list = []
        for doc in created:
            item: dict[str, Any] = {
                "cdc": doc.cdc,
                "numero": doc.numero_text,
                "estado": doc.estado,
                "fechaEmision": doc.fecha_emision,
                "fechaFirma": doc.fecha_firma,
            }
            if request.flag("xml"):
                item["xml"] = _placeholder_xml(doc)
            if request.flag("qr"):
                item["qr"] = _qr_url(doc)
            if request.flag("tax"):
                iva5, iva10 = _iva_totals(doc.payload)
                item["dIVA5"], item["dIVA10"] = iva5, iva10
            de_list.append(item)
        return json_response({"success": True, "result": {"deList": de_list, "loteId": lote_id}})

    @route("POST", _TENANT + r"/lote/draft-confirm/(?P<lote>\d+)")
    def draft_confirm(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        with self._lock:
            lote = self._lotes.get(int(request.params["lote"]))
            if lote is None or not lote.draft:
                return json_response({"success": False, "error": "Lote en borrador no encontrado"})
            lote.draft = False
            lote.created_at = self._clock()
            for seq in lote.seqs:
                self._docs[seq] = replace(self._docs[seq], draft=False)
        return json_response({"success": True})

    @route("POST", _TENANT + r"/lote/draft-reject/(?P<lote>\d+)")
    def draft_reject(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        with self._lock:
            lote = self._lotes.get(int(request.params["lote"]))
            if lote is None or not lote.draft:
                return json_response({"success": False, "error": "Lote en borrador no encontrado"})
            del self._lotes[lote.lote_id]
            self._unprocessed.pop(lote.lote_id, None)
            drop = set(lote.seqs)
            kept = [d for d in self._docs if d.seq not in drop]
            self._docs = [replace(d, seq=n) for n, d in enumerate(kept)]
            by_lote: dict[int, list[int]] = {}
            for n, d in enumerate(self._docs):
                by_lote.setdefault(d.lote_id, []).append(n)
            for other in self._lotes.values():
                other.seqs = by_lote.get(other.lote_id, [])
            self._reindex()
        return json_response({"success": True})

    # -- queries -------------------------------------------------------------------

    @route("POST", _TENANT + r"/de/estado")
    def de_estado(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            return _refused("El cuerpo de la petición no es un JSON válido")
        cdc_list = body.get("cdcList") if isinstance(body, dict) else None
        if not isinstance(cdc_list, list):
            return _refused('Se esperaba {"cdcList": [{"cdc": "..."}]}')
        if len(cdc_list) > MAX_ESTADO_CDCS:
            return _refused(f"Se admiten como máximo {MAX_ESTADO_CDCS} CDC por consulta")
        cdcs = [str(e.get("cdc", "")) if isinstance(e, dict) else str(e) for e in cdc_list]
        self.process_due()
        with self._lock:
            out = [self._estado_item(cdc) for cdc in cdcs]
        return json_response({"success": True, "deList": out})

    @route("GET", _TENANT + r"/de/numero/(?P<tipo>\d+)/(?P<est>\d+)/(?P<punto>\d+)/(?P<numero>\d+)")
    def de_numero(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        p = request.params
        key = (int(p["tipo"]), int(p["est"]), int(p["punto"]), int(p["numero"]))
        self.process_due()
        with self._lock:
            out = [_item(self._docs[seq]) for seq in self._seqs_by_number.get(key, ())]
        return json_response({"success": True, "deList": out})

    def _estado_item(self, cdc: str) -> dict[str, Any]:
        attempts = [self._docs[seq] for seq in self._seqs_by_cdc.get(cdc, ())]
        if not attempts:
            return {
                "cdc": cdc,
                "numero": None,
                "estado": INEXISTENTE[1],
                "situacion": INEXISTENTE[0],
                "respuesta_codigo": None,
                "respuesta_mensaje": None,
            }
        approved = [d for d in attempts if d.situacion in _APPROVED_SITUACIONES]
        return _item(approved[0] if approved else attempts[-1])

    # -- the simulated SIFEN ---------------------------------------------------------

    def _judge(self, doc: SandboxDocument) -> SandboxDocument:
        docs = self._docs

        def approved_before(seqs: Iterable[int]) -> list[SandboxDocument]:
            return [
                docs[s] for s in seqs if s < doc.seq and docs[s].situacion in _APPROVED_SITUACIONES
            ]

        if approved_before(self._seqs_by_cdc.get(doc.cdc, ())):
            return _rejected(doc, "1001", "CDC duplicado")
        same_number = approved_before(self._seqs_by_number.get(doc.number_key, ()))
        if any(d.cdc != doc.cdc for d in same_number):
            return _rejected(doc, "1002", "Documento electrónico duplicado")
        rejection = self._content_rejection(doc.payload)
        if rejection is not None:
            return _rejected(doc, *rejection)
        return replace(
            doc,
            situacion=APROBADO[0],
            estado=APROBADO[1],
            code="0260",
            message="Autorización del DE satisfactoria",
        )

    def _content_rejection(self, de: dict[str, Any]) -> tuple[str, str] | None:
        cliente = de.get("cliente") or {}
        ruc_text = cliente.get("ruc")
        if cliente.get("contribuyente") and not ruc_text:
            return "1304", "Es obligatorio informar el RUC del receptor contribuyente"
        if ruc_text:
            ruc = parse_ruc(str(ruc_text))
            if ruc is None or mod11_check_digit(ruc.base) != ruc.dv:
                return "1309", f"Dígito verificador del RUC del receptor incorrecto ({ruc_text})"
            if str(ruc) in self.cancelled_rucs:
                return "1307", f"El RUC del receptor {ruc} se encuentra inactivo (CANCELADO)"
        for n, item in enumerate(de.get("items") or [], start=1):
            iva_tipo, iva = item.get("ivaTipo"), _decimal(item.get("iva", 0))
            if iva_tipo in (1, 4) and iva not in (Decimal(5), Decimal(10)):
                return "1908", (
                    f"Ítem {n}: la tasa del IVA debe ser 5 o 10 para la forma de "
                    "afectación Gravado IVA o Gravado parcial"
                )
            if iva_tipo in (2, 3) and iva != 0:
                return "1907", (
                    f"Ítem {n}: la tasa del IVA debe ser 0 para la forma de "
                    "afectación Exonerado o Exento"
                )
        condicion = de.get("condicion") or {}
        if condicion.get("tipo") == 1:
            total = _items_total(de)
            entregas = sum(
                (
                    _decimal(e.get("monto")) or Decimal(0)
                    for e in condicion.get("entregas") or []
                    if isinstance(e, dict)
                ),
                Decimal(0),
            )
            if entregas != total:
                return "2365", (
                    f"Cálculo del total general de la operación incorrecto: las "
                    f"entregas suman {entregas} y los ítems {total}"
                )
        return None


# -- helpers -------------------------------------------------------------------------


def _refused(summary: str, errores: list[tuple[int, str]] | None = None) -> Response:
    return json_response(
        {
            "success": False,
            "error": summary,
            "errores": [{"index": i, "error": e} for i, e in errores or []],
        }
    )


def _rejected(doc: SandboxDocument, code: str, message: str) -> SandboxDocument:
    return replace(doc, situacion=RECHAZADO[0], estado=RECHAZADO[1], code=code, message=message)


def _item(doc: SandboxDocument) -> dict[str, Any]:
    return {
        "cdc": doc.cdc,
        "numero": doc.numero_text,
        "estado": doc.estado,
        "situacion": doc.situacion,
        "respuesta_codigo": doc.code,
        "respuesta_mensaje": doc.message,
        "loteId": doc.lote_id,
        "fechaEmision": doc.fecha_emision,
    }


def _normalise_ruc(text: str) -> str:
    ruc = parse_ruc(text)
    return str(ruc) if ruc is not None else text.strip()


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _places(de: dict[str, Any]) -> Decimal:
    return Decimal(1) if (de.get("moneda") or "PYG") == "PYG" else Decimal("0.01")


def _item_total(de: dict[str, Any], item: dict[str, Any]) -> Decimal:
    cantidad = _decimal(item.get("cantidad")) or Decimal(0)
    precio = _decimal(item.get("precioUnitario")) or Decimal(0)
    return (cantidad * precio).quantize(_places(de), rounding=ROUND_HALF_UP)


def _items_total(de: dict[str, Any]) -> Decimal:
    return sum((_item_total(de, it) for it in de.get("items") or []), Decimal(0))


def _iva_totals(de: dict[str, Any]) -> tuple[int | float, int | float]:
    """IVA included in prices: iva = total × proporción/100 × rate / (100 + rate)."""
    sums = {5: Decimal(0), 10: Decimal(0)}
    for item in de.get("items") or []:
        rate = _decimal(item.get("iva"))
        if item.get("ivaTipo") not in (1, 4) or rate not in (Decimal(5), Decimal(10)):
            continue
        base = (_decimal(item.get("ivaBase")) or Decimal(100)) / 100
        iva = _item_total(de, item) * base * rate / (100 + rate)
        sums[int(rate)] += iva.quantize(_places(de), rounding=ROUND_HALF_UP)
    pyg = _places(de) == 1
    return tuple(int(v) if pyg else float(v) for v in (sums[5], sums[10]))  # type: ignore[return-value]


def _qr_url(doc: SandboxDocument) -> str:
    fecha_hex = doc.fecha_emision.encode().hex()
    return (
        "https://ekuatia.set.gov.py/consultas-test/qr?nVersion=150"
        f"&Id={doc.cdc}&dFeEmiDE={fecha_hex}&IdCSC=0001&cHashQR=sandbox"
    )


def _placeholder_xml(doc: SandboxDocument) -> str:
    return (
        f'<rDE xmlns="http://ekuatia.set.gov.py/sifen/xsd"><DE Id="{doc.cdc}">'
        f"<dFeEmiDE>{doc.fecha_emision}</dFeEmiDE></DE></rDE>"
    )


def _int_field(
    de: dict[str, Any],
    name: str,
    lo: int,
    hi: int,
    *,
    required: bool = True,
    default: int | None = None,
) -> int:
    value = de.get(name)
    if value is None:
        if required:
            raise _Invalid(f"El campo {name} es requerido")
        return default  # type: ignore[return-value]
    if isinstance(value, bool):
        raise _Invalid(f"El campo {name} debe ser numérico")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise _Invalid(f"El campo {name} debe ser numérico")
    if not lo <= value <= hi:
        raise _Invalid(f"El campo {name} debe estar entre {lo} y {hi}")
    return value


def _check_de(de: Any) -> tuple[list[str], dict[str, Any]]:
    """The call-level checks FacturaSend makes before generating a DE's XML."""
    if not isinstance(de, dict):
        return ["Cada documento electrónico debe ser un objeto JSON"], {}
    problems: list[str] = []
    fields: dict[str, Any] = {}

    def take(key: str, fn: Callable[[], Any]) -> None:
        try:
            fields[key] = fn()
        except _Invalid as exc:
            problems.append(str(exc))

    take("tipo", lambda: _int_field(de, "tipoDocumento", 1, 8))
    take("est", lambda: _int_field(de, "establecimiento", 1, 999))
    take("punto", lambda: _int_field(de, "punto", 1, 999))
    take("numero", lambda: _int_field(de, "numero", 1, 9_999_999))
    take("tipo_emision", lambda: _int_field(de, "tipoEmision", 1, 2, required=False, default=1))
    take("fecha", lambda: _fecha(de.get("fecha")))
    take("codigo_seguridad", lambda: _security_code(de.get("codigoSeguridadAleatorio")))
    if not isinstance(de.get("cliente"), dict):
        problems.append("El campo cliente es requerido y debe ser un objeto")
    items = de.get("items")
    if not isinstance(items, list) or not items:
        problems.append("El campo items es requerido y debe tener al menos un ítem")
    else:
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                problems.append(f"items[{n}] debe ser un objeto")
                continue
            for key in ("cantidad", "precioUnitario"):
                if _decimal(item.get(key)) is None:
                    problems.append(f"items[{n}].{key} es requerido y debe ser numérico")
            if item.get("ivaTipo") not in (1, 2, 3, 4):
                problems.append(f"items[{n}].ivaTipo es requerido (1, 2, 3 o 4)")
    return problems, fields


def _fecha(value: Any) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("El campo fecha es requerido (AAAA-MM-DDTHH:MM:SS)")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value.strip()), datetime.min.time())
        except ValueError:
            raise _Invalid(
                f"El campo fecha no tiene el formato AAAA-MM-DDTHH:MM:SS: {value}"
            ) from None
    return parsed.replace(tzinfo=None)


def _security_code(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or len(text) > 9 or int(text) == 0:
        raise _Invalid("El campo codigoSeguridadAleatorio debe tener hasta 9 dígitos")
    return f"{int(text):09d}"


def create_sandbox(**kwargs: Any) -> FacturaSendSandbox:
    """Registry entry point (providers/registry.py)."""
    return FacturaSendSandbox(**kwargs)
