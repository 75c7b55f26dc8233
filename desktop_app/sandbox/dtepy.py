"""A local simulator of DTEpy's API and of SIFEN behind it.

Contract: DTEpy's public "Documentación de la API" (seeds/dtepy-api.txt) for the routes
and JSON shapes, and the SIFEN facts PROVIDERS.md collects from SET's MT v150 and DNIT's
2024 guide "Recomendaciones y mejores prácticas para SIFEN" for codes and rules. Where
those are silent the sandbox picks one documented-looking behaviour, marked
"(sandbox's choice)" below.

Endpoints
---------
Every answer of SIFEN's is DTEpy's JSON rendering of the SOAP message: a root such as
``ns2:rResEnviLoteDe`` holding ``"$": {"xmlns:ns2": ...}`` and ``ns2:``-prefixed fields.

- ``POST /documentoset/lotes`` ``{tipoDocumento, id, detalle: [DE, ...]}``. DTEpy first
  checks the JSON (not an object, ``detalle`` not a list, a DE missing a required field
  or with a wrong type, a ``cdc`` that does not match the DE's fields): HTTP 400
  ``{"error": true, "mensaje": ..., "errores": [{"indice": i, "mensaje": ...}]}``, nothing
  reaches SIFEN (sandbox's choice for the page's "formato de mensaje de error identificado
  por la API de DTEpy"). Then SIFEN answers ``ns2:rResEnviLoteDe``: ``0300`` "Lote recibido
  con éxito" with ``ns2:dProtConsLote`` (a 17-digit string) and ``ns2:dTpoProces``, or
  ``0301`` "Lote no encolado para procesamiento" (nothing created) for the reasons of the
  DNIT guide: empty lote, more than 50 DE, mixed types, the emisor blocked.
- ``POST /documentoset/consultalote`` ``{id, numlote, tipoDocumento}`` →
  ``ns2:rResEnviConsLoteDe``: ``0360`` unknown, ``0361`` "Lote {n} en procesamiento",
  ``0362`` "Procesamiento de lote {n} concluido" with ``ns2:gResProcLote`` (a list; a
  single object when the lote held one document and `single_object_quirk` is on, as the
  page shows — the default), ``0364`` "Consulta extemporánea de Lote" once
  `lote_query_window` (48 h) has passed. ``numlote`` may also be a CDC sent in the lote
  (DNIT guide, Recomendaciones §3): the latest lote holding it is answered.
- ``POST /documentoset/consulta`` ``{id, cdc, tipoDocumento}`` →
  ``ns2:rEnviConsDeResponse``: ``0422`` "CDC encontrado" with ``ns2:xContenDE`` (a small
  XML with the ``dProtAut``; sandbox's choice) when an attempt of that CDC was approved,
  else ``0420`` "Documento No Existe en SIFEN o ha sido Rechazado" — as real SIFEN, also
  for a CDC still waiting in a lote.
- ``POST /documentoset`` (one DE, synchronous; the DE itself is the body, its ``id``
  names the emisor — sandbox's choice) → ``ns2:rRetEnviDe`` / ``ns2:rProtDe``, judged at
  once.
- ``GET /documentoset/getexpiration`` → ``{"fechaExpiracion": ..., "diasRestantes": ...}``
  (the page lists it without content; sandbox's choice). Creates nothing.

Auth: the ``x-access-token`` header, or ``token`` in the body (both on the page). A
missing or wrong token answers HTTP 401 ``{"auth": false, "mensaje": ...}``; an ``id``
other than the configured emisor (`tenant`, compared as text) answers 403.

Simulated SIFEN
---------------
Lotes are processed in arrival order once `processing_delay` seconds have passed on the
injectable `clock` (lazily, whenever any request arrives). Each DE is judged with the
rules of the FacturaSend sandbox (same codes, its pure helpers reused), reporting *every*
content problem (``gResProc`` becomes a list when there are several):

=====  ==============================================================================
1001   CDC duplicado — the CDC already has a final approval: rejected, *not* issued again.
1002   Documento electrónico duplicado — the number is approved under another CDC.
1304   RUC del receptor missing for a contribuyente.
1309   Dígito verificador del RUC del receptor incorrecto (or a malformed RUC).
1307   RUC del receptor inactivo — in `cancelled_rucs` (default: ``DEMO_CANCELLED_RUC``).
1907   IVA rate not 0 for an exento/exonerado item;  1908: not 5/10 for a gravado item.
2365   Cash payments (``condicion.entregas``, converted with their ``cambio`` when in
       another currency) do not add up to the items' total.
1004   The DE's ``fecha`` is more than 10 minutes ahead of SIFEN's clock.
1005   Transmisión extemporánea: ``fecha`` more than 72 h before reception → "Aprobado con
       observación"; more than 720 h (30 days) → "Rechazado" with the same code (sandbox's
       choice of code for the rejection).
=====  ==============================================================================

Otherwise "Aprobado" ``0260`` "Autorización del DE satisfactoria" with an 8-digit
``dProtAut``. Reception time is the `wall_clock`.

"Never resend a CDC that has no final result" is *enforced* (DNIT guide, "Motivos de
bloqueo"): a lote that is empty, holds one CDC twice, or holds a CDC still waiting in
an earlier lote is refused 0301 and blocks the emisor for `block_seconds` (× the number
of blocks so far, at most 6×: the guide's "10 a 60 minutos, según la cantidad de
reincidencia"); while blocked every lote and synchronous send is refused 0301 with a
message saying until when. Queries keep working (they are how a client finds out).
`blocks()` lists every block and why: a test asserts it stays empty.

CDC: built from the sandbox's emisor RUC and `tipo_contribuyente` and the DE's
tipoDocumento, establecimiento, punto, numero, fecha (date part), tipoEmision and
``codigoSeguridadAleatorio`` (taken from a given ``cdc`` when absent, else random), so a
client that knows the emisor predicts it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from desktop_app.domain.cdc import build_cdc, is_valid_cdc, new_security_code
from desktop_app.domain.ruc import mod11_check_digit, parse_ruc
from desktop_app.sandbox.facturasend import (
    DEMO_CANCELLED_RUC,
    _check_de,
    _decimal,
    _items_total,
    _normalise_ruc,
    _places,
)
from desktop_app.sandbox.server import Request, Response, SandboxServer, json_response, route

__all__ = ["DEMO_CANCELLED_RUC", "DTEpySandbox", "create_sandbox"]

NAMESPACE = "http://ekuatia.set.gov.py/sifen/xsd"
MAX_LOTE = 50
#: First lote number: 17 digits, above 2**53, so a client that reads it as a float breaks.
LOTE_BASE = 11158097383597290
PROT_AUT_BASE = 50_000_000

APROBADO = "Aprobado"
APROBADO_OBS = "Aprobado con observación"
RECHAZADO = "Rechazado"
_APPROVED = frozenset({APROBADO, APROBADO_OBS})

NumberKey = tuple[int, int, int, int]  # (tipoDocumento, establecimiento, punto, numero)


@dataclass(frozen=True)
class SandboxAttempt:
    """One DE as received (in a lote, or alone by the synchronous route) and its fate."""

    seq: int
    lote_id: str | None  # None: the synchronous route
    index: int
    cdc: str
    tipo_documento: int
    establecimiento: int
    punto: int
    numero: int
    fecha: datetime
    received_at: datetime
    payload: dict[str, Any]
    estado: str | None = None  # None while SIFEN has not processed it
    results: tuple[tuple[str, str], ...] = ()  # (dCodRes, dMsgRes)
    prot_aut: str | None = None

    @property
    def number_key(self) -> NumberKey:
        return (self.tipo_documento, self.establecimiento, self.punto, self.numero)

    @property
    def approved(self) -> bool:
        return self.estado in _APPROVED

    @property
    def pending(self) -> bool:
        return self.estado is None


@dataclass(frozen=True)
class BlockEvent:
    """One time the simulated SIFEN blocked the emisor, and why."""

    at: float
    until: float
    reason: str
    cdcs: tuple[str, ...]


#: A few taxpayers the sandbox's RUC service knows (their DVs follow from mod 11).
DEMO_PADRON = {
    "80012345": "FERRETERIA LOPEZ S.A.",
    "80050172": "ALMACEN SAN ROQUE S.R.L.",
    "80024242": "DISTRIBUIDORA CENTRAL S.R.L.",
    "4567890": "PEREZ, JUAN",
    "80000001": "EMPRESA CANCELADA S.A.",
}


@dataclass
class _Lote:
    lote_id: str
    created_at: float
    seqs: list[int]
    processed: bool = False


class DTEpySandbox(SandboxServer):
    """DTEpy's dialect plus a simulated SIFEN, with issuance counters and the RUC block."""

    def __init__(
        self,
        *,
        tenant: str = "1",
        api_key: str = "api_key_demo",
        emisor_ruc: str = "80069563-1",
        tipo_contribuyente: int = 2,
        processing_delay: float = 2.0,
        cancelled_rucs: Iterable[str] | None = None,
        block_seconds: float = 600.0,
        lote_query_window: float = 48 * 3600.0,
        single_object_quirk: bool = True,
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(port=port)
        ruc = parse_ruc(emisor_ruc)
        if ruc is None or mod11_check_digit(ruc.base) != ruc.dv:
            raise ValueError(f"invalid emisor RUC: {emisor_ruc!r}")
        self.tenant = str(tenant)
        self.emisor_ruc = str(ruc)
        self.tipo_contribuyente = tipo_contribuyente
        self.processing_delay = processing_delay
        self.block_seconds = block_seconds
        self.lote_query_window = lote_query_window
        #: Answer a one-document lote's ``gResProcLote`` as an object (the page's quirk).
        self.single_object_quirk = single_object_quirk
        #: The RUC registry behind /api/dnit: RUC without DV -> name.
        self.padron: dict[str, str] = dict(DEMO_PADRON)
        self.cancelled_rucs: set[str] = {
            _normalise_ruc(r)
            for r in (cancelled_rucs if cancelled_rucs is not None else {DEMO_CANCELLED_RUC})
        }
        self._api_key = api_key
        self._ruc = ruc
        self._clock = clock
        self._wall_clock = wall_clock
        self._lock = threading.RLock()
        self._docs: list[SandboxAttempt] = []
        self._lotes: dict[str, _Lote] = {}
        self._approved_cdcs: set[str] = set()
        self._approved_numbers: dict[NumberKey, str] = {}
        self._blocks: list[BlockEvent] = []
        self._blocked_until: float | None = None
        self._next_prot = PROT_AUT_BASE
        self._next_record = 1

    # -- inspection for tests and the demo -----------------------------------------

    def documents(self) -> list[SandboxAttempt]:
        """Every attempt received, in order (snapshots)."""
        with self._lock:
            return list(self._docs)

    def approvals_by_number(self) -> dict[NumberKey, int]:
        """(tipoDocumento, establecimiento, punto, numero) -> times approved (>1 = issued twice)."""
        with self._lock:
            return dict(Counter(d.number_key for d in self._docs if d.approved))

    def receipts_by_cdc(self) -> dict[str, int]:
        """CDC -> how many times SIFEN received it (lotes refused 0301 do not count)."""
        with self._lock:
            return dict(Counter(d.cdc for d in self._docs))

    def blocks(self) -> list[BlockEvent]:
        """Every block of the emisor so far (empty for a well-behaved client)."""
        with self._lock:
            return list(self._blocks)

    def is_blocked(self) -> bool:
        with self._lock:
            return self._blocked(self._clock())

    def lote_ids(self) -> list[str]:
        with self._lock:
            return list(self._lotes)

    def process_due(self) -> None:
        """Let SIFEN process, in arrival order, every lote whose delay has passed."""
        with self._lock:
            now = self._clock()
            for lote in self._lotes.values():
                if lote.processed or now - lote.created_at < self.processing_delay:
                    continue
                for seq in lote.seqs:
                    self._docs[seq] = self._judge(self._docs[seq])
                lote.processed = True

    # -- envelope ------------------------------------------------------------------

    def _authorised(self, request: Request, body: Any) -> Response | None:
        token = request.header("x-access-token")
        if token is None and isinstance(body, dict):
            token = body.get("token")
        if token != self._api_key:
            return json_response(
                {"auth": False, "mensaje": "Token inválido o no informado"}, status=401
            )
        if isinstance(body, dict) and "id" in body and str(body.get("id")).strip() != self.tenant:
            return json_response(
                {"error": True, "mensaje": "El id del emisor no corresponde al token"},
                status=403,
            )
        return None

    def not_found(self, request: Request) -> Response:
        return _dtepy_error(f"Ruta no encontrada: {request.path}", status=404)

    def method_not_allowed(self, request: Request) -> Response:
        return _dtepy_error(f"Método no permitido: {request.method}", status=405)

    def internal_error(self) -> Response:
        return _dtepy_error("Error interno del servidor", status=500)

    def _record_id(self) -> int:
        with self._lock:
            record = self._next_record
            self._next_record += 1
            return record

    def _fec_proc(self) -> str:
        return self._wall_clock().replace(microsecond=0).isoformat()

    # -- /documentoset/lotes -------------------------------------------------------

    @route("POST", r"/documentoset/lotes")
    def lotes(self, request: Request) -> Response:
        body = _json_or_none(request)
        if (denied := self._authorised(request, body)) is not None:
            return denied
        if not isinstance(body, dict):
            return _dtepy_error("El cuerpo debe ser un objeto JSON {tipoDocumento, id, detalle}")
        detalle = body.get("detalle")
        if not isinstance(detalle, list):
            return _dtepy_error("El campo detalle es requerido y debe ser un arreglo de documentos")
        if _int_or_none(body.get("tipoDocumento")) is None:
            return _dtepy_error("El campo tipoDocumento es requerido y debe ser numérico")
        parsed, errores = self._check_all(detalle)
        if errores:
            bad = len({i for i, _ in errores})
            return _dtepy_error(f"Se encontraron errores en {bad} documento(s) del lote", errores)
        with self._lock:
            self.process_due()
            now = self._clock()
            refused = self._reception_refusal(now, parsed, _int_or_none(body.get("tipoDocumento")))
            if refused is not None:
                return self._lote_answer("0301", refused)
            lote_id = str(LOTE_BASE + len(self._lotes))
            received_at = self._wall_clock().replace(microsecond=0)
            seqs = []
            for index, (de, fields) in enumerate(zip(detalle, parsed, strict=True)):
                seqs.append(self._add_attempt(de, fields, index, lote_id, received_at))
            self._lotes[lote_id] = _Lote(lote_id, now, seqs)
        return self._lote_answer("0300", "Lote recibido con éxito", lote_id)

    def _check_all(self, detalle: list[Any]) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
        """DTEpy's structural check of every DE, and each one's CDC."""
        parsed: list[dict[str, Any]] = []
        errores: list[tuple[int, str]] = []
        for index, de in enumerate(detalle):
            problems, fields = _check_de(de)
            if not problems:
                problem = self._fill_cdc(de, fields)
                if problem:
                    problems.append(problem)
            errores.extend((index, p) for p in problems)
            parsed.append(fields)
        return parsed, errores

    def _fill_cdc(self, de: dict[str, Any], fields: dict[str, Any]) -> str | None:
        given = de.get("cdc")
        code = fields["codigo_seguridad"]
        if code is None and isinstance(given, str) and is_valid_cdc(given):
            code = given[34:43]
        cdc = build_cdc(
            tipo_documento=fields["tipo"],
            ruc=self._ruc.base,
            dv=self._ruc.dv,
            establecimiento=fields["est"],
            punto=fields["punto"],
            numero=fields["numero"],
            tipo_contribuyente=self.tipo_contribuyente,
            fecha=fields["fecha"].date(),
            tipo_emision=fields["tipo_emision"],
            codigo_seguridad=code or new_security_code(),
        )
        if given not in (None, "") and given != cdc:
            return f"El cdc informado ({given}) no corresponde a los datos del documento ({cdc})"
        fields["cdc"] = cdc
        return None

    def _reception_refusal(
        self, now: float, parsed: list[dict[str, Any]], tipo: int | None
    ) -> str | None:
        """SIFEN's reasons for 0301 (DNIT guide, "Lote no encolado para procesamiento")."""
        if self._blocked(now):
            return self._blocked_message()
        if not parsed:
            self._block(now, "envío de un lote vacío", [])
            return self._blocked_message("Lote vacío")
        if len(parsed) > MAX_LOTE:
            return f"Lote no encolado para procesamiento: contiene más de {MAX_LOTE} DE"
        if len({f["tipo"] for f in parsed} | {tipo}) > 1:
            return "Lote no encolado para procesamiento: contiene DE de distintos tipos"
        cdcs = [f["cdc"] for f in parsed]
        twice = sorted(c for c, n in Counter(cdcs).items() if n > 1)
        if twice:
            self._block(now, "el mismo CDC varias veces en un lote", twice)
            return self._blocked_message("CDC repetido en el lote")
        pending = {d.cdc for d in self._docs if d.pending}
        resent = sorted(c for c in cdcs if c in pending)
        if resent:
            self._block(now, "reenvío de CDC aún en procesamiento", resent)
            return self._blocked_message("CDC enviado en un lote aún en procesamiento")
        return None

    def _add_attempt(
        self,
        de: dict[str, Any],
        fields: dict[str, Any],
        index: int,
        lote_id: str | None,
        received_at: datetime,
    ) -> int:
        seq = len(self._docs)
        self._docs.append(
            SandboxAttempt(
                seq=seq,
                lote_id=lote_id,
                index=index,
                cdc=fields["cdc"],
                tipo_documento=fields["tipo"],
                establecimiento=fields["est"],
                punto=fields["punto"],
                numero=fields["numero"],
                fecha=fields["fecha"],
                received_at=received_at,
                payload=de,
            )
        )
        return seq

    def _lote_answer(self, code: str, message: str, lote_id: str | None = None) -> Response:
        root: dict[str, Any] = {
            "$": {"xmlns:ns2": NAMESPACE},
            "ns2:dFecProc": self._fec_proc(),
            "ns2:dCodRes": code,
            "ns2:dMsgRes": message,
        }
        if lote_id is not None:
            root["ns2:dProtConsLote"] = lote_id
            root["ns2:dTpoProces"] = str(max(0, round(self.processing_delay)))
        return json_response({"ns2:rResEnviLoteDe": root})

    # -- blocking ------------------------------------------------------------------

    def _blocked(self, now: float) -> bool:
        return self._blocked_until is not None and now < self._blocked_until

    def _block(self, now: float, reason: str, cdcs: list[str]) -> None:
        strikes = min(len(self._blocks) + 1, 6)
        until = now + self.block_seconds * strikes
        self._blocked_until = until
        self._blocks.append(BlockEvent(at=now, until=until, reason=reason, cdcs=tuple(cdcs)))

    def _blocked_message(self, cause: str | None = None) -> str:
        remaining = max(0.0, (self._blocked_until or 0.0) - self._clock())
        until = self._wall_clock() + timedelta(seconds=remaining)
        prefix = f"{cause}. " if cause else ""
        return (
            f"{prefix}Lote no encolado para procesamiento: recepción bloqueada para el RUC "
            f"{self.emisor_ruc} por envío duplicado de DE hasta las {until:%H:%M:%S}"
        )

    # -- /documentoset (synchronous) -------------------------------------------------

    @route("POST", r"/documentoset")
    def sync(self, request: Request) -> Response:
        body = _json_or_none(request)
        if (denied := self._authorised(request, body)) is not None:
            return denied
        parsed, errores = self._check_all([body])
        if errores:
            return _dtepy_error("El documento tiene errores", errores)
        (fields,) = parsed
        assert isinstance(body, dict)
        with self._lock:
            self.process_due()
            now = self._clock()
            refusal: str | None = None
            if self._blocked(now):
                refusal = self._blocked_message()
            elif any(d.pending and d.cdc == fields["cdc"] for d in self._docs):
                self._block(now, "reenvío de CDC aún en procesamiento", [fields["cdc"]])
                refusal = self._blocked_message("CDC enviado en un lote aún en procesamiento")
            if refusal is not None:
                prot: dict[str, Any] = {
                    "ns2:Id": fields["cdc"],
                    "ns2:dFecProc": self._fec_proc(),
                    "ns2:dEstRes": RECHAZADO,
                    "ns2:gResProc": {"ns2:dCodRes": "0301", "ns2:dMsgRes": refusal},
                }
            else:
                received_at = self._wall_clock().replace(microsecond=0)
                seq = self._add_attempt(body, fields, 0, None, received_at)
                self._docs[seq] = attempt = self._judge(self._docs[seq])
                prot = {
                    "ns2:Id": attempt.cdc,
                    "ns2:dFecProc": self._fec_proc(),
                    "ns2:dDigVal": "c2FuZGJveA==",
                    **self._result_fields(attempt),
                }
        return json_response(
            {
                "ns2:rRetEnviDe": {"$": {"xmlns:ns2": NAMESPACE}, "ns2:rProtDe": prot},
                "id": self._record_id(),
            }
        )

    # -- queries -------------------------------------------------------------------

    @route("POST", r"/documentoset/consultalote")
    def consulta_lote(self, request: Request) -> Response:
        body = _json_or_none(request)
        if (denied := self._authorised(request, body)) is not None:
            return denied
        if not isinstance(body, dict) or body.get("numlote") in (None, ""):
            return _dtepy_error("El campo numlote es requerido")
        numlote = str(body["numlote"]).strip()
        with self._lock:
            self.process_due()
            lote = self._lotes.get(numlote)
            if lote is None and len(numlote) == 44:
                holding = [d.lote_id for d in self._docs if d.cdc == numlote and d.lote_id]
                lote = self._lotes.get(holding[-1]) if holding else None
            root: dict[str, Any] = {"$": {"xmlns:ns2": NAMESPACE}, "ns2:dFecProc": self._fec_proc()}
            if lote is None:
                root.update(
                    {"ns2:dCodResLot": "0360", "ns2:dMsgResLot": "Número del Lote inexistente"}
                )
            elif self._clock() - lote.created_at > self.lote_query_window:
                root.update(
                    {"ns2:dCodResLot": "0364", "ns2:dMsgResLot": "Consulta extemporánea de Lote"}
                )
            elif not lote.processed:
                root.update(
                    {
                        "ns2:dCodResLot": "0361",
                        "ns2:dMsgResLot": f"Lote {{{lote.lote_id}}} en procesamiento",
                    }
                )
            else:
                items = [self._lote_item(self._docs[s]) for s in lote.seqs]
                root.update(
                    {
                        "ns2:dCodResLot": "0362",
                        "ns2:dMsgResLot": f"Procesamiento de lote {{{lote.lote_id}}} concluido",
                        "ns2:gResProcLote": (
                            items[0] if len(items) == 1 and self.single_object_quirk else items
                        ),
                    }
                )
        return json_response({"ns2:rResEnviConsLoteDe": root, "id": self._record_id()})

    @route("POST", r"/documentoset/consulta")
    def consulta(self, request: Request) -> Response:
        body = _json_or_none(request)
        if (denied := self._authorised(request, body)) is not None:
            return denied
        if not isinstance(body, dict) or not body.get("cdc"):
            return _dtepy_error("El campo cdc es requerido")
        cdc = str(body["cdc"]).strip()
        with self._lock:
            self.process_due()
            approved = [d for d in self._docs if d.cdc == cdc and d.approved]
            root: dict[str, Any] = {"$": {"xmlns:ns2": NAMESPACE}, "ns2:dFecProc": self._fec_proc()}
            if approved:
                first = approved[0]
                root.update(
                    {
                        "ns2:dCodRes": "0422",
                        "ns2:dMsgRes": "CDC encontrado",
                        "ns2:xContenDE": (
                            f'<rContDe><rDE><DE Id="{cdc}"><dFeEmiDE>{first.fecha.isoformat()}'
                            f"</dFeEmiDE></DE></rDE><dProtAut>{first.prot_aut}</dProtAut></rContDe>"
                        ),
                    }
                )
            else:
                root.update(
                    {
                        "ns2:dCodRes": "0420",
                        "ns2:dMsgRes": "Documento No Existe en SIFEN o ha sido Rechazado",
                    }
                )
        return json_response({"ns2:rEnviConsDeResponse": root, "id": self._record_id()})

    @route("GET", r"/documentoset/getexpiration")
    def expiration(self, request: Request) -> Response:
        if (denied := self._authorised(request, None)) is not None:
            return denied
        until = self._wall_clock().date() + timedelta(days=365)
        return json_response({"fechaExpiracion": until.isoformat(), "diasRestantes": 365})

    @route("POST", r"/api/dnit")
    def ruc_lookup(self, request: Request) -> Response:
        """DTEpy's RUC service (a separate host in production, ruc.globeinformatica.com.py;
        served here beside the rest): `{ruc}` without DV -> `[{ruc, nombre, dv, ruc_ant,
        estado}]`, an empty list for an unknown RUC. It needs no token (the page shows
        none). Known RUCs: the sandbox's `padron` (the cancelled ones answer CANCELADO)."""
        try:
            body = request.json()
        except ValueError:
            body = None
        base = str(body.get("ruc", "")).strip() if isinstance(body, dict) else ""
        name = self.padron.get(base)
        if not base.isalnum() or name is None:
            return json_response([])
        dv = mod11_check_digit(base)
        cancelled = f"{base}-{dv}" in self.cancelled_rucs
        return json_response([{"ruc": base, "nombre": name, "dv": str(dv), "ruc_ant": "",
                               "estado": "CANCELADO" if cancelled else "ACTIVO"}])

    def _lote_item(self, attempt: SandboxAttempt) -> dict[str, Any]:
        return {"ns2:id": attempt.cdc, **self._result_fields(attempt)}

    def _result_fields(self, attempt: SandboxAttempt) -> dict[str, Any]:
        out: dict[str, Any] = {"ns2:dEstRes": attempt.estado}
        if attempt.prot_aut:
            out["ns2:dProtAut"] = attempt.prot_aut
        procs = [{"ns2:dCodRes": c, "ns2:dMsgRes": m} for c, m in attempt.results]
        out["ns2:gResProc"] = procs[0] if len(procs) == 1 else procs
        return out

    # -- the simulated SIFEN ---------------------------------------------------------

    def _judge(self, attempt: SandboxAttempt) -> SandboxAttempt:
        if attempt.cdc in self._approved_cdcs:
            return _decided(attempt, RECHAZADO, [("1001", "CDC duplicado")])
        holder = self._approved_numbers.get(attempt.number_key)
        if holder is not None and holder != attempt.cdc:
            return _decided(attempt, RECHAZADO, [("1002", "Documento electrónico duplicado")])
        problems = content_problems(attempt.payload, self.cancelled_rucs)
        age = attempt.received_at - attempt.fecha
        if age < -timedelta(minutes=10):
            problems.append(("1004", "La fecha y hora de emisión del DE es adelantada"))
        if age > timedelta(hours=720):
            problems.append(
                ("1005", "Transmisión extemporánea del DE: supera el plazo de 720 horas")
            )
        if problems:
            return _decided(attempt, RECHAZADO, problems)
        self._next_prot += 1
        self._approved_cdcs.add(attempt.cdc)
        self._approved_numbers[attempt.number_key] = attempt.cdc
        if age > timedelta(hours=72):
            return _decided(
                attempt,
                APROBADO_OBS,
                [("1005", "Transmisión extemporánea del DE")],
                str(self._next_prot),
            )
        return _decided(
            attempt, APROBADO, [("0260", "Autorización del DE satisfactoria")], str(self._next_prot)
        )


# -- pure helpers ---------------------------------------------------------------------


def content_problems(de: dict[str, Any], cancelled_rucs: set[str]) -> list[tuple[str, str]]:
    """Every content rule of the simulated SIFEN the DE breaks, as (code, message)."""
    problems: list[tuple[str, str]] = []
    raw_cliente = de.get("cliente")
    cliente: dict[str, Any] = raw_cliente if isinstance(raw_cliente, dict) else {}
    ruc_text = cliente.get("ruc")
    if cliente.get("contribuyente") and not ruc_text:
        problems.append(("1304", "Es obligatorio informar el RUC del receptor contribuyente"))
    if ruc_text:
        ruc = parse_ruc(str(ruc_text))
        if ruc is None or mod11_check_digit(ruc.base) != ruc.dv:
            problems.append(
                ("1309", f"Dígito verificador del RUC del receptor incorrecto ({ruc_text})")
            )
        elif str(ruc) in cancelled_rucs:
            problems.append(
                ("1307", f"El RUC del receptor {ruc} se encuentra inactivo (CANCELADO)")
            )
    for n, item in enumerate(de.get("items") or [], start=1):
        iva_tipo, iva = item.get("ivaTipo"), _decimal(item.get("iva", 0))
        if iva_tipo in (1, 4) and iva not in (Decimal(5), Decimal(10)):
            problems.append(
                ("1908", f"Ítem {n}: la tasa del IVA debe ser 5 o 10 para un ítem gravado")
            )
        if iva_tipo in (2, 3) and iva != 0:
            problems.append(
                ("1907", f"Ítem {n}: la tasa del IVA debe ser 0 para un ítem exonerado o exento")
            )
    raw_condicion = de.get("condicion")
    condicion: dict[str, Any] = raw_condicion if isinstance(raw_condicion, dict) else {}
    if condicion.get("tipo") == 1:
        total = _items_total(de)
        paid = _entregas_total(de, condicion)
        if paid != total:
            problems.append(
                (
                    "2365",
                    "Cálculo del total general de la operación incorrecto: "
                    f"las entregas suman {paid} y los ítems {total}",
                )
            )
    return problems


def _entregas_total(de: dict[str, Any], condicion: dict[str, Any]) -> Decimal:
    """Cash payments in the DE's currency: another currency counts monto × cambio."""
    moneda = de.get("moneda") or "PYG"
    total = Decimal(0)
    for entrega in condicion.get("entregas") or []:
        if not isinstance(entrega, dict):
            continue
        monto = _decimal(entrega.get("monto")) or Decimal(0)
        if (entrega.get("moneda") or moneda) != moneda:
            monto *= _decimal(entrega.get("cambio")) or Decimal(1)
        total += monto
    return total.quantize(_places(de))


def _decided(
    attempt: SandboxAttempt,
    estado: str,
    results: list[tuple[str, str]],
    prot_aut: str | None = None,
) -> SandboxAttempt:
    return replace(attempt, estado=estado, results=tuple(results), prot_aut=prot_aut)


def _dtepy_error(
    mensaje: str, errores: list[tuple[int, str]] | None = None, *, status: int = 400
) -> Response:
    return json_response(
        {
            "error": True,
            "mensaje": mensaje,
            "errores": [{"indice": i, "mensaje": m} for i, m in errores or []],
        },
        status=status,
    )


def _json_or_none(request: Request) -> Any:
    try:
        return request.json()
    except (ValueError, UnicodeDecodeError):
        return None


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def create_sandbox(**kwargs: Any) -> DTEpySandbox:
    """Registry entry point (providers/registry.py)."""
    return DTEpySandbox(**kwargs)
