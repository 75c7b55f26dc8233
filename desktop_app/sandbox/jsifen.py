"""A local simulator of a JSIFEN gateway (self-hosted REST over SIFEN) and of SIFEN behind it.

Contract: JSIFEN's public page "Query Batch" (seeds/jsifen-consulta-lote.txt) and what
PROVIDERS.md ("JSIFEN", "SIFEN facts") summarises from the gateway's public source. Where
those are silent the sandbox picks one documented-looking behaviour, marked "(sandbox's
choice)" below.

Headers
-------
``token`` must equal the configured ``api_key``; otherwise HTTP 401 text/plain
"No autorizado: token inválido o no informado" (sandbox's choice: the seed lists an
authentication failure among the causes of a 500; a gateway behind an auth filter
answers 401, which lets the client tell "wrong token" from "may have been processed").
``Emisor`` (RUC with DV) is optional: absent, the default emisor applies; a RUC the
gateway is not configured for answers HTTP 500 "Error interno: Emisor no configurado:
<ruc>", JSIFEN's style for every error.

Endpoints
---------
- ``POST /factura/async/recibe`` — one DE in SIFEN's names (see providers/jsifen.py,
  ``de_to_sifen``). A body that is not a JSON object, lacks iTipEmi, dCodSeg, iTiDE,
  dEst, dPunExp, dNumDoc, dFeEmiDE or a non-empty ``Detalles``, or names in dRucEm/dDVEmi
  an emisor other than the selected one answers HTTP 500 text/plain "Error interno: ..."
  and creates nothing. Otherwise the CDC is computed with ``cdc.build_cdc`` from dRucEm
  and dDVEmi (default: the emisor's), iTipCont (default: the emisor's), iTiDE, dEst,
  dPunExp, dNumDoc, dFeEmiDE's date, iTipEmi and dCodSeg, as the gateway's CdcGenerator
  does, and the DE goes into a lote of its own: HTTP 200 ``{"codigo": "0300", "mensaje":
  "Lote recibido con éxito", "lote": "<17 digits>", "cdc": ..., "fechaProceso": ...}``
  (the flat shape is the sandbox's choice; the real gateway passes SIFEN's SOAP answer
  through). Lote numbers count up from 18446744073709551: 17 digits, beyond 2**53, so a
  client that routes them through a float visibly breaks them.
- ``POST /consulta/lote`` ``{"lote": ...}`` → the seed's ``{codigoLote, mensajeLote,
  resultados: [{cdc, estado, codigoError, mensajeError}]}`` with SIFEN's lote codes,
  which the gateway passes through (sandbox's choice over the seed's "0"/"1"):
  0361 "Lote ... en procesamiento" with the DE "En Cola" (first half of
  ``processing_delay``) then "Procesando"; 0362 "Procesamiento de lote ... concluido"
  with Aprobado / Aprobado con observación / Rechazado; 0360 for a lote this emisor
  does not have (empty ``resultados``); 0364 once the lote is older than
  ``lote_query_window`` (48 h: ask by CDC). ``codigoError`` is an integer (seed) and
  null when approved. A lote that is not digits answers 500 "Error interno: ...".
  ``results_as_object = True`` sends ``resultados`` as a single object instead of a
  list (SIFEN's ``gResProcLote`` quirk with one document).
- ``POST /consulta/de/json`` ``{"cdc": ...}`` → like the gateway's source: an approved
  CDC answers the DE itself ``{"DE": {"Id": cdc, "gTimb": {...}, ...}}``; anything else
  answers SIFEN's ``{"Envelope": {"Body": {"rEnviConsDeResponse": {dFecProc, dCodRes,
  dMsgRes}}}}``: 0420 "Documento No Existe en SIFEN o ha sido Rechazado". A DE still in
  its lote answers dCodRes 0361 "DE en procesamiento en el lote <n>" with
  ``dProtConsLote`` (sandbox's choice, so a client can avoid resending it; with
  ``pending_visible_by_cdc=False`` it reads 0420 as real SIFEN's consulta DE would).
  Errors of this endpoint are HTTP 500 with a JSON ``{"error": ...}``, as in the source.
  The Emisor header is ignored here (the source does not read it).
- ``POST /evento/cancelar`` ``{"cdc", "motivo"}`` → the gateway's CancelarResponse
  ``{fechaProceso, estadoResultado, protocoloAut, identificador, codigoResultado,
  mensajeResultado}``: Aprobado 0600 "Evento registrado correctamente" for an approved DE
  of this emisor within 48 h of its approval (facturas; 168 h for other types, on the
  ``clock``); otherwise Rechazado with (sandbox's choice) 4001 not approved / unknown,
  4002 out of time, 4003 already cancelled, or 0160 for a motivo outside 5..500 chars.

Simulated SIFEN
---------------
A DE is judged once ``processing_delay`` seconds (on the injectable ``clock``) have
passed since it was received, in order of reception. It is approved ("Aprobado",
codigoError null) unless the first rule that applies says otherwise; the codes come
from SIFEN's MT v150 tables as best we know them, their use here is the sandbox's choice:

=====  ============================================================================
1001   CDC duplicado — the CDC already has an approval (the resend is not issued again).
1002   Documento electrónico duplicado — same emisor and (iTiDE, dEst, dPunExp,
       dNumDoc) already approved under another CDC.
1004   Fecha de emisión adelantada — dFeEmiDE more than 10 minutes ahead of ``now``.
1304   RUC del receptor obligatorio — iNatRec 1 (contribuyente) without dRucRec.
1309   Dígito verificador del RUC del receptor incorrecto — dDVRec is not the modulo-11
       digit of dRucRec (or either is malformed).
1307   RUC del receptor inactivo — the receptor is in ``cancelled_rucs``.
1908   Tasa del IVA incorrecta para Gravado — iAfecIVA 1 or 4 with dTasaIVA not 5 or 10.
1907   Tasa del IVA incorrecta para Exonerado o Exento — iAfecIVA 2 or 3, dTasaIVA not 0.
2365   Total general incorrecto — iCondOpe 1 (contado) whose payments (gPaConEIni[], or
       the flat dMonTiPag) do not add up to the sum of round(dCantProSer × dPUniProSer).
1005   Transmisión extemporánea — more than 30 days late: Rechazado; more than 72 hours
       late: "Aprobado con observación" with code 1005 and its message.
=====  ============================================================================

Lateness is measured from dFecFirma when the body carries it, else from dFeEmiDE, to
``now`` (sandbox's choice: JSIFEN signs at reception, so the signature alone would never
be late; the emission date is when an offline shop handed the invoice over).

Never resend a CDC without a final result (PROVIDERS.md): a CDC received again while
its earlier attempt is still in a lote is counted in ``receipts_by_cdc()``, not queued,
and blocks the emisor's RUC for ``block_seconds`` (on the ``clock``); every submission
of a blocked RUC answers HTTP 200 ``{"codigo": "0301", "mensaje": "Lote no encolado
para procesamiento: ..."}`` without a lote. A CDC received again after a final result is
queued normally: after a rejection it is the permitted correction, after an approval it
is judged 1001.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from desktop_app.domain.cdc import build_cdc
from desktop_app.domain.ruc import Ruc, mod11_check_digit, parse_ruc
from desktop_app.sandbox.facturasend import DEMO_CANCELLED_RUC
from desktop_app.sandbox.server import (
    Request,
    Response,
    SandboxServer,
    json_response,
    route,
    text_response,
)

DEMO_API_KEY = "api_key_demo"  # the same public demo key as credentials.DEMO_API_KEY
DEMO_EMISOR_RUC = "80069563-1"
LOTE_START = 18_446_744_073_709_551

EN_COLA = "En Cola"
PROCESANDO = "Procesando"
APROBADO = "Aprobado"
APROBADO_OBS = "Aprobado con observación"
RECHAZADO = "Rechazado"
_APPROVED = frozenset({APROBADO, APROBADO_OBS})

CLOCK_TOLERANCE = timedelta(minutes=10)
LATE_OBSERVATION = timedelta(hours=72)
LATE_REJECTION = timedelta(days=30)
CANCEL_WINDOW_FACTURA = 48 * 3600.0
CANCEL_WINDOW_OTHER = 168 * 3600.0

NumberKey = tuple[int, int, int, int]  # (iTiDE, dEst, dPunExp, dNumDoc)


@dataclass(frozen=True)
class SandboxAttempt:
    """One DE as received in its own lote, and what SIFEN said about it."""

    seq: int
    lote: str
    cdc: str
    emisor: str
    tipo_documento: int
    establecimiento: int
    punto: int
    numero: int
    fecha_emision: datetime
    fecha_firma: datetime | None
    received_at: float
    received_wall: datetime
    body: dict[str, Any]
    estado: str | None = None  # final estado; None while in the lote
    code: int | None = None
    message: str | None = None
    decided_at: float | None = None

    @property
    def number_key(self) -> NumberKey:
        return (self.tipo_documento, self.establecimiento, self.punto, self.numero)

    @property
    def final(self) -> bool:
        return self.estado is not None

    @property
    def approved(self) -> bool:
        return self.estado in _APPROVED


class _Invalid(Exception):
    pass


class JsifenSandbox(SandboxServer):
    """JSIFEN's dialect plus a simulated SIFEN, with issuance counters."""

    def __init__(
        self,
        *,
        api_key: str = DEMO_API_KEY,
        emisor_ruc: str = DEMO_EMISOR_RUC,
        tipo_contribuyente: int = 2,
        other_emisores: Mapping[str, int] | None = None,
        processing_delay: float = 2.0,
        cancelled_rucs: Iterable[str] | None = None,
        pending_visible_by_cdc: bool = True,
        block_seconds: float = 600.0,
        lote_query_window: float = 48 * 3600.0,
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(port=port)
        default = _valid_ruc(emisor_ruc)
        #: Configured emisores: RUC "base-dv" -> tipo de contribuyente. The first is the default.
        self.emisores: dict[str, int] = {str(default): tipo_contribuyente}
        for ruc, tipo in (other_emisores or {}).items():
            self.emisores[str(_valid_ruc(ruc))] = tipo
        self.default_emisor = str(default)
        self.processing_delay = processing_delay
        self.cancelled_rucs: set[str] = {
            _normalise_ruc(r)
            for r in (cancelled_rucs if cancelled_rucs is not None else {DEMO_CANCELLED_RUC})
        }
        self.pending_visible_by_cdc = pending_visible_by_cdc
        self.block_seconds = block_seconds
        self.lote_query_window = lote_query_window
        #: Send ``resultados`` as one object instead of a one-element list.
        self.results_as_object = False
        self._api_key = api_key
        self._clock = clock
        self._now = now
        self._lock = threading.RLock()
        self._attempts: list[SandboxAttempt] = []
        self._receipts: Counter[str] = Counter()
        self._blocked_until: dict[str, float] = {}
        self._cancelled: dict[str, str] = {}  # cdc -> protocolo
        self._events = 0

    # -- inspection for tests and the demo ---------------------------------------------

    def attempts(self) -> list[SandboxAttempt]:
        """Every DE received into a lote, in order (snapshots)."""
        with self._lock:
            return list(self._attempts)

    def approvals_by_number(self) -> dict[NumberKey, int]:
        """(iTiDE, dEst, dPunExp, dNumDoc) -> how many times it was approved (all emisores).

        Anything above 1 means a document was issued twice."""
        with self._lock:
            return dict(Counter(a.number_key for a in self._attempts if a.approved))

    def receipts_by_cdc(self) -> dict[str, int]:
        """CDC -> how many times it reached SIFEN: every lote it went into, plus every
        punished resend while it was still in a lote."""
        with self._lock:
            return dict(self._receipts)

    def cancelled_cdcs(self) -> set[str]:
        with self._lock:
            return set(self._cancelled)

    def lotes(self) -> list[str]:
        with self._lock:
            return [a.lote for a in self._attempts]

    def blocked_until(self, ruc: str | None = None) -> float | None:
        """Clock time until which the emisor's RUC is blocked, or None."""
        key = str(_valid_ruc(ruc)) if ruc else self.default_emisor
        with self._lock:
            until = self._blocked_until.get(key)
            return until if until is not None and until > self._clock() else None

    def process_due(self) -> None:
        """Let SIFEN judge every DE whose processing delay has elapsed, in order."""
        with self._lock:
            now = self._clock()
            for a in list(self._attempts):
                if not a.final and now - a.received_at >= self.processing_delay:
                    self._attempts[a.seq] = self._judge(a, now)

    # -- envelope ----------------------------------------------------------------------

    def not_found(self, request: Request) -> Response:
        return text_response(f"Recurso no encontrado: {request.path}", status=404)

    def method_not_allowed(self, request: Request) -> Response:
        return text_response(f"Método no permitido: {request.method}", status=405)

    def internal_error(self) -> Response:
        return _error("error inesperado del servidor")

    def _denied(self, request: Request) -> Response | None:
        if request.header("token") != self._api_key:
            return text_response("No autorizado: token inválido o no informado", status=401)
        return None

    def _selected_emisor(self, request: Request) -> str | Response:
        header = (request.header("emisor") or "").strip()
        if not header:
            return self.default_emisor
        ruc = parse_ruc(header)
        key = str(ruc) if ruc is not None else header
        if key not in self.emisores:
            return _error(f"Emisor no configurado: {header}")
        return key

    # -- /factura/async/recibe -------------------------------------------------------------

    @route("POST", r"/factura/async/recibe")
    def recibe(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        emisor = self._selected_emisor(request)
        if isinstance(emisor, Response):
            return emisor
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(f"el cuerpo no es un JSON válido ({exc})")
        if not isinstance(body, dict):
            return _error("se esperaba un objeto JSON con la factura")
        try:
            f = _read_de(body)
            ruc, tipo_contribuyente = self._emisor_of(body, emisor)
        except _Invalid as exc:
            return _error(str(exc))
        cdc = build_cdc(
            tipo_documento=f["tipo"],
            ruc=ruc.base,
            dv=ruc.dv,
            establecimiento=f["est"],
            punto=f["punto"],
            numero=f["numero"],
            tipo_contribuyente=tipo_contribuyente,
            fecha=f["fecha"].date(),
            tipo_emision=f["tipo_emision"],
            codigo_seguridad=f["codigo_seguridad"],
        )
        wall = self._now().replace(microsecond=0)
        with self._lock:
            self.process_due()
            now = self._clock()
            blocked = self._blocked_until.get(emisor)
            if blocked is not None and now < blocked:
                return _no_encolado(f"el RUC {emisor} está bloqueado temporalmente por "
                                    "envíos repetidos")
            if any(a.cdc == cdc and not a.final for a in self._attempts):
                self._receipts[cdc] += 1
                self._blocked_until[emisor] = now + self.block_seconds
                return _no_encolado(f"el CDC {cdc} ya está en un lote en procesamiento; "
                                    f"el RUC {emisor} queda bloqueado temporalmente")
            seq = len(self._attempts)
            lote = str(LOTE_START + seq)
            self._attempts.append(
                SandboxAttempt(
                    seq=seq,
                    lote=lote,
                    cdc=cdc,
                    emisor=emisor,
                    tipo_documento=f["tipo"],
                    establecimiento=f["est"],
                    punto=f["punto"],
                    numero=f["numero"],
                    fecha_emision=f["fecha"],
                    fecha_firma=f["firma"],
                    received_at=now,
                    received_wall=wall,
                    body=body,
                )
            )
            self._receipts[cdc] += 1
        return json_response({
            "codigo": "0300",
            "mensaje": "Lote recibido con éxito",
            "lote": lote,
            "cdc": cdc,
            "fechaProceso": wall.isoformat(),
        })

    def _emisor_of(self, body: dict[str, Any], emisor: str) -> tuple[Ruc, int]:
        ruc = _valid_ruc(emisor)
        if body.get("dRucEm") not in (None, ""):
            named = f"{str(body['dRucEm']).strip()}-{str(body.get('dDVEmi', '')).strip()}"
            parsed = parse_ruc(named)
            if parsed is None or parsed.base.lstrip("0") != ruc.base.lstrip("0") \
                    or parsed.dv != ruc.dv:
                raise _Invalid(f"el RUC del emisor {named} no corresponde al Emisor {emisor}")
        tipo = body.get("iTipCont", self.emisores[emisor])
        if _as_int(tipo) not in (1, 2):
            raise _Invalid("iTipCont debe ser 1 o 2")
        return ruc, int(tipo)

    # -- /consulta/lote ----------------------------------------------------------------------

    @route("POST", r"/consulta/lote")
    def consulta_lote(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        emisor = self._selected_emisor(request)
        if isinstance(emisor, Response):
            return emisor
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(f"el cuerpo no es un JSON válido ({exc})")
        if not isinstance(body, dict) or body.get("lote") in (None, ""):
            return _error('se esperaba {"lote": "<número de lote>"}')
        lote = str(body["lote"]).strip()
        if not lote.isdigit():
            return _error(f"número de lote inválido: {lote}")
        with self._lock:
            self.process_due()
            now = self._clock()
            members = [a for a in self._attempts if a.lote == lote and a.emisor == emisor]
            if not members:
                return self._lote_answer("0360", f"Número de lote inexistente: {lote}", [])
            if any(now - a.received_at > self.lote_query_window for a in members):
                return self._lote_answer(
                    "0364", "Consulta extemporánea de lote (más de 48 horas): consulte cada DE "
                    "por su CDC", [])
            if any(not a.final for a in members):
                results = [_resultado(a, self._visible_estado(a, now)) for a in members]
                return self._lote_answer("0361", f"Lote {lote} en procesamiento", results)
            results = [_resultado(a, a.estado or RECHAZADO) for a in members]
            return self._lote_answer("0362", f"Procesamiento de lote {lote} concluido", results)

    def _lote_answer(self, codigo: str, mensaje: str, results: list[dict[str, Any]]) -> Response:
        resultados: Any = results
        if self.results_as_object and len(results) == 1:
            resultados = results[0]
        return json_response(
            {"codigoLote": codigo, "mensajeLote": mensaje, "resultados": resultados}
        )

    def _visible_estado(self, a: SandboxAttempt, now: float) -> str:
        if a.estado is not None:
            return a.estado
        return EN_COLA if now - a.received_at < self.processing_delay / 2 else PROCESANDO

    # -- /consulta/de/json -------------------------------------------------------------------

    @route("POST", r"/consulta/de/json")
    def consulta_de(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError) as exc:
            return json_response({"error": f"JSON inválido: {exc}"}, status=500)
        cdc = body.get("cdc") if isinstance(body, dict) else None
        if not isinstance(cdc, str) or not cdc.strip():
            return json_response({"error": 'se esperaba {"cdc": "<CDC de 44 dígitos>"}'},
                                 status=500)
        cdc = cdc.strip()
        with self._lock:
            self.process_due()
            attempts = [a for a in self._attempts if a.cdc == cdc]
        approved = [a for a in attempts if a.approved]
        proc = self._now().replace(microsecond=0).isoformat()
        if approved:
            return json_response({"DE": _de_view(approved[0])})
        pending = [a for a in attempts if not a.final]
        if pending and self.pending_visible_by_cdc:
            return json_response(_envelope(proc, "0361",
                                           f"DE en procesamiento en el lote {pending[0].lote}",
                                           dProtConsLote=pending[0].lote))
        return json_response(
            _envelope(proc, "0420", "Documento No Existe en SIFEN o ha sido Rechazado")
        )

    # -- /evento/cancelar ----------------------------------------------------------------------

    @route("POST", r"/evento/cancelar")
    def cancelar(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        emisor = self._selected_emisor(request)
        if isinstance(emisor, Response):
            return emisor
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(f"el cuerpo no es un JSON válido ({exc})")
        if not isinstance(body, dict) or not isinstance(body.get("cdc"), str) \
                or not isinstance(body.get("motivo"), str):
            return _error('se esperaba {"cdc": "...", "motivo": "..."}')
        cdc, motivo = body["cdc"].strip(), body["motivo"].strip()
        with self._lock:
            self.process_due()
            now = self._clock()
            self._events += 1
            event = str(self._events)
            approved = [a for a in self._attempts
                        if a.cdc == cdc and a.approved and a.emisor == emisor]
            if not 5 <= len(motivo) <= 500:
                return _evento(RECHAZADO, event, None, "0160",
                               "XML mal formado: el motivo debe tener entre 5 y 500 caracteres",
                               self._now())
            if not approved:
                return _evento(RECHAZADO, event, None, "4001",
                               "CDC inexistente o no aprobado para este emisor", self._now())
            if cdc in self._cancelled:
                return _evento(RECHAZADO, event, None, "4003", "El DE ya fue cancelado",
                               self._now())
            doc = approved[0]
            window = CANCEL_WINDOW_FACTURA if doc.tipo_documento == 1 else CANCEL_WINDOW_OTHER
            if doc.decided_at is not None and now - doc.decided_at > window:
                return _evento(RECHAZADO, event, None, "4002",
                               "Plazo para cancelar vencido (48 h para facturas, 168 h para "
                               "otros DE)", self._now())
            protocolo = f"{LOTE_START + 1_000_000 + self._events}"
            self._cancelled[cdc] = protocolo
        return _evento(APROBADO, event, protocolo, "0600", "Evento registrado correctamente",
                       self._now())

    # -- the simulated SIFEN -------------------------------------------------------------------

    def _judge(self, a: SandboxAttempt, now: float) -> SandboxAttempt:
        earlier = [b for b in self._attempts[: a.seq] if b.approved]
        verdict: tuple[str, int | None, str | None]
        if any(b.cdc == a.cdc for b in earlier):
            verdict = (RECHAZADO, 1001, "CDC duplicado")
        elif any(b.emisor == a.emisor and b.number_key == a.number_key for b in earlier):
            verdict = (RECHAZADO, 1002, "Documento electrónico duplicado")
        else:
            verdict = self._verdict(a)
        estado, code, message = verdict
        # SIFEN decided when the delay ran out, however late somebody asks.
        decided = min(now, a.received_at + self.processing_delay)
        return replace(a, estado=estado, code=code, message=message, decided_at=decided)

    def _verdict(self, a: SandboxAttempt) -> tuple[str, int | None, str | None]:
        wall = self._now().replace(tzinfo=None)
        if a.fecha_emision > wall + CLOCK_TOLERANCE:
            return RECHAZADO, 1004, (
                f"Fecha de emisión {a.fecha_emision.isoformat()} adelantada respecto a la "
                "hora de SIFEN")
        rejection = content_rejection(a.body, self.cancelled_rucs)
        if rejection is not None:
            return RECHAZADO, *rejection
        late = wall - (a.fecha_firma or a.fecha_emision)
        if late > LATE_REJECTION:
            return RECHAZADO, 1005, (
                "Transmisión extemporánea del DE: fuera del plazo de 30 días")
        if late > LATE_OBSERVATION:
            return APROBADO_OBS, 1005, "Transmisión extemporánea del DE"
        return APROBADO, None, None


# -- the content rules on SIFEN's fields (pure) ------------------------------------------------


def content_rejection(de: Mapping[str, Any], cancelled_rucs: Iterable[str]) -> tuple[int, str] | None:
    """The first content rule (1304, 1309, 1307, 1908/1907, 2365) a DE in SIFEN's names
    breaks, as (code, message); None when it passes. Same ideas as the FacturaSend
    sandbox, read from MT v150 fields instead of FacturaSend's."""
    ruc_text = de.get("dRucRec")
    if _as_int(de.get("iNatRec")) == 1 and ruc_text in (None, ""):
        return 1304, "Es obligatorio informar el RUC del receptor contribuyente"
    if ruc_text not in (None, ""):
        dv = de.get("dDVRec")
        named = f"{str(ruc_text).strip()}-{'' if dv is None else str(dv).strip()}"
        ruc = parse_ruc(named)
        if ruc is None or mod11_check_digit(ruc.base) != ruc.dv:
            return 1309, f"Dígito verificador del RUC del receptor incorrecto ({named})"
        if str(ruc) in set(cancelled_rucs):
            return 1307, f"El RUC del receptor {ruc} se encuentra inactivo (CANCELADO)"
    detalles = [d for d in de.get("Detalles") or [] if isinstance(d, dict)]
    for n, item in enumerate(detalles, start=1):
        afectacion, tasa = _as_int(item.get("iAfecIVA")), _decimal(item.get("dTasaIVA"))
        if afectacion in (1, 4) and tasa not in (Decimal(5), Decimal(10)):
            return 1908, (f"Ítem {n}: la tasa del IVA debe ser 5 o 10 para la forma de "
                          "afectación Gravado IVA o Gravado parcial")
        if afectacion in (2, 3) and tasa not in (None, Decimal(0)):
            return 1907, (f"Ítem {n}: la tasa del IVA debe ser 0 para la forma de "
                          "afectación Exonerado o Exento")
    if _as_int(de.get("iCondOpe")) == 1:
        places = Decimal(1) if (de.get("cMoneOpe") or "PYG") == "PYG" else Decimal("0.01")
        total = sum(
            (((_decimal(d.get("dCantProSer")) or Decimal(0))
              * (_decimal(d.get("dPUniProSer")) or Decimal(0))).quantize(
                places, rounding=ROUND_HALF_UP) for d in detalles),
            Decimal(0),
        )
        pagos = de.get("gPaConEIni")
        if not isinstance(pagos, list):
            pagos = [de] if de.get("dMonTiPag") is not None else []
        paid = sum((_decimal(p.get("dMonTiPag")) or Decimal(0)
                    for p in pagos if isinstance(p, dict)), Decimal(0))
        if paid != total:
            return 2365, (f"Cálculo del total general de la operación incorrecto: los pagos "
                          f"suman {paid} y los ítems {total}")
    return None


# -- helpers ------------------------------------------------------------------------------------


def _error(detail: str) -> Response:
    """JSIFEN's way of answering every failure: HTTP 500, plain text."""
    return text_response(f"Error interno: {detail}", status=500)


def _no_encolado(reason: str) -> Response:
    return json_response(
        {"codigo": "0301", "mensaje": f"Lote no encolado para procesamiento: {reason}"}
    )


def _resultado(a: SandboxAttempt, estado: str) -> dict[str, Any]:
    final = a.final
    return {
        "cdc": a.cdc,
        "estado": estado,
        "codigoError": a.code if final else None,
        "mensajeError": a.message if final else None,
    }


def _envelope(proc: str, code: str, message: str, **extra: Any) -> dict[str, Any]:
    inner: dict[str, Any] = {"dFecProc": proc, "dCodRes": code, "dMsgRes": message}
    inner.update(extra)
    return {"Envelope": {"Body": {"rEnviConsDeResponse": inner}}}


def _de_view(a: SandboxAttempt) -> dict[str, Any]:
    """The approved DE as the gateway returns it after "CDC encontrado" (a summary)."""
    return {
        "Id": a.cdc,
        "dDVId": a.cdc[-1],
        "dFecFirma": (a.fecha_firma or a.received_wall).isoformat(),
        "dSisFact": 1,
        "gOpeDE": {"iTipEmi": a.body.get("iTipEmi"), "dCodSeg": a.cdc[34:43]},
        "gTimb": {
            "iTiDE": a.tipo_documento,
            "dEst": f"{a.establecimiento:03d}",
            "dPunExp": f"{a.punto:03d}",
            "dNumDoc": f"{a.numero:07d}",
        },
        "gDatGralOpe": {"dFeEmiDE": a.fecha_emision.isoformat()},
    }


def _evento(estado: str, event: str, protocolo: str | None, code: str, message: str,
            when: datetime) -> Response:
    return json_response({
        "fechaProceso": when.replace(microsecond=0).isoformat(),
        "estadoResultado": estado,
        "protocoloAut": protocolo,
        "identificador": event,
        "codigoResultado": code,
        "mensajeResultado": message,
    })


def _valid_ruc(text: str) -> Ruc:
    ruc = parse_ruc(text)
    if ruc is None or mod11_check_digit(ruc.base) != ruc.dv:
        raise ValueError(f"invalid RUC: {text!r}")
    return ruc


def _normalise_ruc(text: str) -> str:
    ruc = parse_ruc(text)
    return str(ruc) if ruc is not None else text.strip()


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _int_field(de: Mapping[str, Any], name: str, lo: int, hi: int) -> int:
    value = _as_int(de.get(name))
    if de.get(name) is None:
        raise _Invalid(f"falta el campo {name}")
    if value is None or not lo <= value <= hi:
        raise _Invalid(f"el campo {name} debe ser un número entre {lo} y {hi}")
    return value


def _datetime_field(de: Mapping[str, Any], name: str, *, required: bool) -> datetime | None:
    value = de.get(name)
    if value is None:
        if required:
            raise _Invalid(f"falta el campo {name}")
        return None
    try:
        return datetime.strptime(str(value).strip(), "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise _Invalid(f"el campo {name} no tiene el formato yyyy-MM-dd'T'HH:mm:ss: "
                       f"{value}") from None


def _read_de(de: Mapping[str, Any]) -> dict[str, Any]:
    """What the gateway needs before it can build, sign and send the XML."""
    codigo = de.get("dCodSeg")
    text = str(codigo).strip() if codigo is not None else ""
    if not text:
        raise _Invalid("falta el campo dCodSeg")
    if isinstance(codigo, bool) or not text.isdigit() or len(text) > 9 or int(text) == 0:
        raise _Invalid("el campo dCodSeg debe tener hasta 9 dígitos")
    detalles = de.get("Detalles")
    if not isinstance(detalles, list) or not detalles:
        raise _Invalid("Detalles es requerido y debe tener al menos un ítem")
    for n, item in enumerate(detalles):
        if not isinstance(item, dict):
            raise _Invalid(f"Detalles[{n}] debe ser un objeto")
        for key in ("dCantProSer", "dPUniProSer"):
            if _decimal(item.get(key)) is None:
                raise _Invalid(f"Detalles[{n}].{key} es requerido y debe ser numérico")
        if _as_int(item.get("iAfecIVA")) not in (1, 2, 3, 4):
            raise _Invalid(f"Detalles[{n}].iAfecIVA es requerido (1, 2, 3 o 4)")
    fecha = _datetime_field(de, "dFeEmiDE", required=True)
    assert fecha is not None
    return {
        "tipo_emision": _int_field(de, "iTipEmi", 1, 2),
        "tipo": _int_field(de, "iTiDE", 1, 8),
        "est": _int_field(de, "dEst", 1, 999),
        "punto": _int_field(de, "dPunExp", 1, 999),
        "numero": _int_field(de, "dNumDoc", 1, 9_999_999),
        "fecha": fecha,
        "firma": _datetime_field(de, "dFecFirma", required=False),
        "codigo_seguridad": f"{int(text):09d}",
    }


def create_sandbox(**kwargs: Any) -> JsifenSandbox:
    """Registry entry point (providers/registry.py)."""
    return JsifenSandbox(**kwargs)
