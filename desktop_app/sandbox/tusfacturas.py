"""A local simulator of TusFacturas' instant lotes and of ARCA/AFIP behind them.

Contract: TusFacturas' page "Facturación por Lotes" (seeds/tusfacturas-lotes.txt) and the
facts PROVIDERS.md collects ("TusFacturas.app", "Argentina facts"). Where the pages are
silent the sandbox picks one documented-looking behaviour, marked "(sandbox's choice)".

Endpoints (each also answers under an ``/app/api`` prefix, as the real base URL has one)
------------------------------------------------------------------------------------
- ``POST /v2/facturacion/lotes`` ``{apitoken, apikey, usertoken, requests: [...]}``.
  Every answer is HTTP 200 (TusFacturas reports errors with ``error: "S"``). Problems of
  the call as a whole answer ``{"error": "S", "errores": [...]}`` with no ``response`` and
  process nothing: wrong credentials at the top level ("Las credenciales de acceso ... son
  incorrectas"); ``requests`` missing, empty or above ``max_requests`` (100, the seed's
  limit; tests may lower it to the newer pages' 20); and, per request, in the seed's words
  "El comprobante enviado en la fila N (comenzando en 0) ...": credentials that differ
  from the account's, a missing block or field, "tiene un tipo de comprobante diferente",
  or numbers/dates that are not ascending (sandbox's wording for the last two).
  Otherwise the requests go to the simulated AFIP **one by one, in order**; once one is
  rejected, every later one is rejected too with only AFIP's generic "AFIP rechazo la
  generacion del comprobante Cod: 0" (the seed's example), and earlier approvals stand.
  ``error`` at the top is "S" when any comprobante failed.
- ``POST /v2/facturacion/consulta_avanzada`` with ``busqueda_tipo`` "EXT_REF"
  (``comprobante.external_reference``), "TN" (``tipo``, ``punto_venta``, ``numero_desde``,
  ``numero_hasta``) or "F" (``fecha``); ``pagina``/``limite`` paginate. Answers ``{rta,
  error, total, errores, comprobantes: [{cliente, comprobante: {..., cae, vencimiento_cae,
  status: "EMITIDO", afip_observaciones, external_reference, comprobante_pdf_url,
  afip_qr}}]}``, newest first (the page: "del último emitido al primero"). An instant lote
  keeps only the comprobantes AFIP authorised: a rejected one never existed there, so it
  is not listed (sandbox's choice).
- ``POST /v2/facturacion/numeracion`` ``{comprobante: {tipo, operacion, punto_venta}}`` ->
  ``{error: "N", errores: [""], rta: "OK", comprobante: {tipo, operacion, punto_venta,
  numero}}`` with the next number AFIP expects (numbers returned as numbers, as the page
  says).

Simulated AFIP (WSFEv1 codes; the first rule that applies rejects)
------------------------------------------------------------------
=====  ===========================================================================
10016  the number is not the last authorised + 1 for its punto de venta and type (a
       rejected number is *not* consumed: the next comprobante must take it), or the
       date is earlier than the last authorised of the punto de venta, or outside
       N−5..N+5 days of today (N−10..N+10 with ``periodo_facturado_*``: services).
10032  ``periodo_facturado_desde`` after ``periodo_facturado_hasta`` (the seed's example).
10013  a class A comprobante whose receptor is not identified by CUIT.
10015  the receptor's CUIT is malformed, has a wrong check digit or is in
       ``unregistered_documents``; a DNI or other number with non-digits.
10048  ``total`` differs from the sum of lines (net of IVA for A and B, rounded to cents
       half even per line), IVA per alícuota, percepciones, impuestos internos, exentos
       and ``tributos`` by more than 0.01.
=====  ===========================================================================

An approval carries a 14-digit CAE *with a trailing space* (as TusFacturas sends it),
``cae_vencimiento`` ten days after the comprobante's date (sandbox's choice),
``comprobante_nro`` "PPPPP-NNNNNNNN", ``rta``, ``afip_codigo_barras`` and ``afip_qr`` (both with
the trailing space), ``comprobante_pdf_url`` and, unless ``echo_external_reference`` is
off, ``external_reference``. A receptor CUIT in ``inactive_cuits`` is approved *with the
seed's observación* 10063 ("no se encuentra inscripto en condicion ACTIVA en el impuesto
(IVA)").

Like the real service, ``external_reference`` is **not** enforced unique — but it is
counted: `issued_by_ref` (approvals per reference: more than 1 means a document was
issued twice), `received_by_ref` (how many times a reference arrived in a lote),
`rejected_by_ref` (rejections for the comprobante's own fault), `approvals_by_number`.

Switches for tests and the demo: `hold` (process the next lote calls, then answer HTTP
524 after ``hold_seconds`` — the platform's 90 s, compressed), `rate_limit` (answer the
next requests 429 with ``Retry-After`` before processing anything), `set_next_number`
(someone else issued on the punto de venta), plus every fault of `SandboxServer`.
``processing_delay`` is the seconds AFIP takes per lote call. `sample_comprobantes` builds
demo/soak data in the import format, a share of it refused by the simulated AFIP.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from desktop_app.domain.argentina import (
    COMPROBANTE_TIPOS,
    format_comprobante_nro,
    format_fecha,
    letter_of,
    parse_afip_date,
    tipo_code,
)
from desktop_app.domain.cuit import cuit_error, normalise_cuit
from desktop_app.providers.tusfacturas import DEMO_CREDENTIALS, MAX_REQUESTS, parse_credentials
from desktop_app.sandbox.server import (
    Request,
    Response,
    SandboxServer,
    json_response,
    route,
    text_response,
)

#: A receptor the simulated padrón knows as not ACTIVE in IVA: approved with observation
#: 10063. 20-12345678-6: 2·5+0·4+1·3+2·2+3·7+4·6+5·5+6·4+7·3+8·2 = 148, 148 mod 11 = 5, 11−5 = 6.
DEMO_INACTIVE_CUIT = "20123456786"
#: A well-formed CUIT missing from the simulated padrón: rejected 10015.
#: 30-11111111-8: 3·5+0·4+1·(3+2+7+6+5+4+3+2) = 47, 47 mod 11 = 3, 11−3 = 8.
DEMO_UNREGISTERED_CUIT = "30111111118"
#: The emisor written into the QR (VOUSYS, the seeds' example company).
#: 30-71229384-1: 15+0+21+2+14+12+45+12+24+8 = 153, 153 mod 11 = 10, 11−10 = 1.
DEMO_EMISOR_CUIT = "30712293841"

_PREFIX = r"(?:/app/api)?/v2/facturacion"
_GENERIC = " AFIP Factura electronica, rechazo el comprobante - ERROR: AFIP rechazo la generacion del comprobante Cod: 0"
_AUTH_ERROR = "Las credenciales de acceso (apitoken, apikey, usertoken) son incorrectas."
_CENT = Decimal("0.01")
_DOC_TIPO_AFIP = {"CUIT": 80, "DNI": 96, "PASAPORTE": 94, "OTRO": 99}

NumberKey = tuple[int, int, int]  # (tipo, punto_venta, numero)


@dataclass(frozen=True)
class IssuedComprobante:
    """One comprobante AFIP authorised (the sandbox keeps only these)."""

    seq: int
    tipo: int
    punto_venta: int
    numero: int
    fecha: date
    external_reference: str | None
    cae: str
    cae_vencimiento: date
    observaciones: str
    total: Decimal
    cliente: dict[str, Any]
    comprobante: dict[str, Any]

    @property
    def number_key(self) -> NumberKey:
        return (self.tipo, self.punto_venta, self.numero)

    @property
    def comprobante_nro(self) -> str:
        return format_comprobante_nro(self.punto_venta, self.numero)


class _Rejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TusFacturasSandbox(SandboxServer):
    """TusFacturas' instant lotes plus a simulated AFIP, with issuance counters."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        processing_delay: float = 0.0,
        hold_seconds: float = 0.05,
        max_requests: int = MAX_REQUESTS,
        inactive_cuits: Iterable[str] | None = None,
        unregistered_documents: Iterable[str] | None = None,
        echo_external_reference: bool = True,
        emisor_cuit: str = DEMO_EMISOR_CUIT,
        port: int = 0,
        clock: Callable[[], datetime] = datetime.now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(port=port)
        creds = parse_credentials(api_key) if api_key is not None else None
        self._credentials = creds.as_body() if creds else dict(DEMO_CREDENTIALS)
        self.processing_delay = processing_delay
        self.hold_seconds = hold_seconds
        self.max_requests = max_requests
        self.inactive_cuits: set[str] = {
            normalise_cuit(c) for c in (inactive_cuits if inactive_cuits is not None else {DEMO_INACTIVE_CUIT})
        }
        self.unregistered_documents: set[str] = {
            normalise_cuit(c)
            for c in (unregistered_documents if unregistered_documents is not None else {DEMO_UNREGISTERED_CUIT})
        }
        self.echo_external_reference = echo_external_reference
        self.emisor_cuit = emisor_cuit
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.RLock()
        self._issued: list[IssuedComprobante] = []
        self._received: Counter[str] = Counter()
        self._rejected: Counter[str] = Counter()
        self._last_numero: dict[tuple[int, int], int] = {}
        self._last_fecha: dict[int, date] = {}
        self._holds = 0
        self._rate_limited: dict[str | None, int] = {}
        self.lote_calls = 0

    # -- inspection and switches ---------------------------------------------------------

    def issued(self) -> list[IssuedComprobante]:
        with self._lock:
            return list(self._issued)

    def issued_by_ref(self) -> dict[str, int]:
        """external_reference -> how many comprobantes AFIP authorised with it."""
        with self._lock:
            return dict(Counter(c.external_reference or "" for c in self._issued))

    def received_by_ref(self) -> dict[str, int]:
        """external_reference -> how many times it arrived inside a lote call."""
        with self._lock:
            return dict(self._received)

    def rejected_by_ref(self) -> dict[str, int]:
        """external_reference -> how many times AFIP rejected it for its own fault (the
        comprobantes rejected only because an earlier one failed are not counted)."""
        with self._lock:
            return dict(self._rejected)

    def approvals_by_number(self) -> dict[NumberKey, int]:
        with self._lock:
            return dict(Counter(c.number_key for c in self._issued))

    def next_number(self, tipo: int, punto_venta: int) -> int:
        with self._lock:
            return self._last_numero.get((punto_venta, tipo), 0) + 1

    def set_next_number(self, tipo: int, punto_venta: int, numero: int) -> None:
        """As if someone issued up to `numero` − 1 elsewhere (TusFacturas' web app)."""
        with self._lock:
            self._last_numero[(punto_venta, tipo)] = numero - 1

    def hold(self, times: int = 1, seconds: float | None = None) -> None:
        """Process the next `times` lote calls, then answer 524 (the platform held them)."""
        with self._lock:
            self._holds += times
            if seconds is not None:
                self.hold_seconds = seconds

    def rate_limit(self, times: int = 1, endpoint: str | None = None) -> None:
        """Answer the next `times` requests HTTP 429 without processing them; only those
        to `endpoint` ("lotes", "consulta_avanzada", "numeracion") when given."""
        with self._lock:
            self._rate_limited[endpoint] = self._rate_limited.get(endpoint, 0) + times

    # -- envelope ------------------------------------------------------------------------

    def not_found(self, request: Request) -> Response:
        return json_response({"error": "S", "errores": [f"Recurso no encontrado: {request.path}"]},
                             status=404)

    def method_not_allowed(self, request: Request) -> Response:
        return json_response({"error": "S", "errores": ["Método no permitido"]}, status=405)

    def internal_error(self) -> Response:
        return json_response({"error": "S", "errores": ["Error interno del servidor"]}, status=500)

    def _throttled(self, endpoint: str) -> Response | None:
        with self._lock:
            key = endpoint if self._rate_limited.get(endpoint) else None
            if not self._rate_limited.get(key):
                return None
            self._rate_limited[key] -= 1
        return json_response({"error": "S", "errores": ["Too Many Requests"]}, status=429,
                             headers={"Retry-After": "1"})

    def _body(self, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            return None, _error("El cuerpo de la solicitud no es un JSON válido (UTF-8).")
        if not isinstance(body, dict):
            return None, _error("Se esperaba un objeto JSON.")
        if not self._credentials_match(body):
            return None, _error(_AUTH_ERROR)
        return body, None

    def _credentials_match(self, data: dict[str, Any]) -> bool:
        return all(str(data.get(k, "")).strip() == v for k, v in self._credentials.items())

    # -- lotes ---------------------------------------------------------------------------

    @route("POST", _PREFIX + r"/lotes")
    def lotes(self, request: Request) -> Response:
        if (throttled := self._throttled("lotes")) is not None:
            return throttled
        body, refused = self._body(request)
        if refused is not None:
            return refused
        assert body is not None
        requests = body.get("requests")
        if not isinstance(requests, list) or not requests:
            return _error("El campo requests es obligatorio y debe contener al menos un comprobante.")
        if len(requests) > self.max_requests:
            return _error(f"No se pueden enviar más de {self.max_requests} requests por llamada "
                          f"(se recibieron {len(requests)}).")
        problems = self._check_call(requests)
        if problems:
            return _error(*problems)
        with self._lock:
            self.lote_calls += 1
            held = self._holds > 0
            if held:
                self._holds -= 1
        if self.processing_delay > 0:
            self._sleep(self.processing_delay)
        with self._lock:
            items = self._process(requests)
        if held:
            self._sleep(self.hold_seconds)
            return text_response("<html><body>524: A timeout occurred</body></html>", status=524,
                                 content_type="text/html; charset=utf-8")
        failed = any(item["error"] == "S" for item in items)
        return json_response({"error": "S" if failed else "N", "errores": [], "response": items})

    def _check_call(self, requests: list[Any]) -> list[str]:
        """TusFacturas' own checks "antes de enviarlos a procesar": any failure refuses
        the whole call."""
        problems: list[str] = []
        first_tipo: int | None = None
        previous: tuple[int, date] | None = None
        for i, req in enumerate(requests):
            fila = f"El comprobante enviado en la fila {i} (comenzando en 0)"
            if not isinstance(req, dict):
                problems.append(f"{fila} no es un objeto JSON.")
                continue
            if not self._credentials_match(req):
                problems.append(f"{fila} tiene credenciales de acceso que no corresponden con las suyas.")
            cliente, comprobante = req.get("cliente"), req.get("comprobante")
            if not isinstance(cliente, dict) or not isinstance(comprobante, dict):
                problems.append(f"{fila} debe tener los bloques cliente y comprobante.")
                continue
            code = tipo_code(comprobante.get("tipo"))
            numero = _int(comprobante.get("numero"))
            fecha = parse_afip_date(comprobante.get("fecha"))
            if code is None:
                problems.append(f"{fila} tiene un tipo de comprobante inválido para lotes.")
            elif first_tipo is None:
                first_tipo = code
            elif code != first_tipo:
                problems.append(f"{fila} tiene un tipo de comprobante diferente.")
            if numero is None:
                problems.append(f"{fila} no informa el número de comprobante.")
            if _int(comprobante.get("punto_venta")) is None:
                problems.append(f"{fila} no informa el punto de venta.")
            if fecha is None:
                problems.append(f"{fila} no informa una fecha válida (dd/mm/aaaa).")
            detalle = comprobante.get("detalle")
            if not isinstance(detalle, list) or not detalle or not all(
                isinstance(d, dict) and isinstance(d.get("producto"), dict) for d in detalle
            ):
                problems.append(f"{fila} debe tener al menos un ítem en detalle.")
            if not cliente.get("documento_tipo") or not cliente.get("documento_nro"):
                problems.append(f"{fila} debe informar documento_tipo y documento_nro del cliente.")
            if numero is not None and fecha is not None:
                if previous is not None and numero <= previous[0]:
                    problems.append(f"{fila} no respeta el orden ascendente de numeración.")
                if previous is not None and fecha < previous[1]:
                    problems.append(f"{fila} no respeta el orden ascendente de fechas.")
                previous = (numero, fecha)
        return problems

    def _process(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        failed = False
        for req in requests:
            comprobante = req["comprobante"]
            ref = _text(comprobante.get("external_reference"))
            if ref:
                self._received[ref] += 1
            if failed:
                items.append(self._rejected_item(req, [_GENERIC]))
                continue
            try:
                issued = self._authorise(req)
            except _Rejected as rejection:
                failed = True
                if ref:
                    self._rejected[ref] += 1
                detail = f" AFIP Factura electronica, rechazo el comprobante - ERROR: {rejection.message} Cod: {rejection.code}"
                items.append(self._rejected_item(req, [_GENERIC, detail]))
                continue
            items.append(self._approved_item(issued))
        return items

    # -- the simulated AFIP ----------------------------------------------------------------

    def _authorise(self, req: dict[str, Any]) -> IssuedComprobante:
        cliente, comprobante = req["cliente"], req["comprobante"]
        tipo = tipo_code(comprobante.get("tipo"))
        punto = _int(comprobante.get("punto_venta"))
        numero = _int(comprobante.get("numero"))
        fecha = parse_afip_date(comprobante.get("fecha"))
        assert tipo is not None and punto is not None and numero is not None and fecha is not None
        expected = self._last_numero.get((punto, tipo), 0) + 1
        if numero != expected:
            raise _Rejected("10016", "El numero o fecha del comprobante no se corresponde con el "
                            "proximo a autorizar. Consultar metodo FECompUltimoAutorizado.")
        last_fecha = self._last_fecha.get(punto)
        if last_fecha is not None and fecha < last_fecha:
            raise _Rejected("10016", "El numero o fecha del comprobante no se corresponde con el "
                            "proximo a autorizar. La fecha no puede ser anterior a la del ultimo "
                            "comprobante emitido.")
        desde = parse_afip_date(comprobante.get("periodo_facturado_desde"))
        hasta = parse_afip_date(comprobante.get("periodo_facturado_hasta"))
        days = 10 if (desde or hasta) else 5
        today = self._clock().date()
        if not today - timedelta(days=days) <= fecha <= today + timedelta(days=days):
            raise _Rejected("10016", f"El campo CbteFch debe estar comprendido en el rango N-{days} "
                            f"y N+{days} siendo N la fecha de envio del pedido de autorizacion.")
        if desde and hasta and desde > hasta:
            raise _Rejected("10032", "El campo FchServDesde no puede ser posterior al campo FchServHasta.")
        doc_tipo = str(cliente.get("documento_tipo") or "").strip().upper()
        doc_nro = normalise_cuit(cliente.get("documento_nro"))
        if letter_of(tipo) == "A" and doc_tipo != "CUIT":
            raise _Rejected("10013", "Para comprobantes clase A el campo DocTipo debe ser igual a 80 (CUIT).")
        if doc_tipo == "CUIT" and (cuit_error(doc_nro) or doc_nro in self.unregistered_documents):
            raise _Rejected("10015", f"Factura individual, DocTipo: 80, DocNro {doc_nro} no se "
                            "encuentra registrado en los padrones de AFIP.")
        raw_nro = str(cliente.get("documento_nro") or "").strip()
        if doc_tipo != "CUIT" and not raw_nro.isdigit():
            raise _Rejected("10015", f"DocNro {raw_nro} invalido para DocTipo "
                            f"{_DOC_TIPO_AFIP.get(doc_tipo, 99)}: solo se admiten numeros.")
        computed = _expected_total(tipo, comprobante)
        declared = _decimal(comprobante.get("total"))
        if declared is None or abs(declared - computed) > _CENT:
            raise _Rejected("10048", f"El campo Importe Total ImpTotal ({declared}) debe ser igual a "
                            f"la suma de ImpTotConc + ImpNeto + ImpOpEx + ImpTrib + ImpIVA ({computed}).")
        observaciones = ""
        if doc_tipo == "CUIT" and doc_nro in self.inactive_cuits:
            observaciones = (
                "AFIP genero el comprobante pero lo ha marcado como observado por los siguientes "
                f"motivos: Observacion: Factura individual, DocTipo: 80, DocNro {doc_nro} no se "
                "encuentra inscripto en condicion ACTIVA en el impuesto (IVA). [ codigo: 10063 ]. "
                "Dichas observaciones no requieren accion de su parte."
            )
        seq = len(self._issued) + 1
        issued = IssuedComprobante(
            seq=seq, tipo=tipo, punto_venta=punto, numero=numero, fecha=fecha,
            external_reference=_text(comprobante.get("external_reference")),
            cae=f"{71_000_000_000_000 + seq:014d}", cae_vencimiento=fecha + timedelta(days=10),
            observaciones=observaciones, total=computed,
            cliente={k: v for k, v in cliente.items()},
            comprobante={k: v for k, v in comprobante.items()},
        )
        self._issued.append(issued)
        self._last_numero[(punto, tipo)] = numero
        self._last_fecha[punto] = fecha
        return issued

    # -- answer shapes ---------------------------------------------------------------------

    def _approved_item(self, c: IssuedComprobante) -> dict[str, Any]:
        name = COMPROBANTE_TIPOS[c.tipo]
        item: dict[str, Any] = {
            "error": "N",
            "errores": [],
            "cae": c.cae + " ",
            "comprobante_nro": c.comprobante_nro,
            "cae_vencimiento": format_fecha(c.cae_vencimiento),
            "observaciones": c.observaciones,
            "envio_x_mail": "N",
            "envio_x_mail_direcciones": "",
            "rta": f"El comprobante {name} {c.comprobante_nro} (LOTE-SANDBOX) se ha guardado correctamente ",
            "vencimiento_cae": format_fecha(c.cae_vencimiento),
            "vencimiento_pago": format_fecha(c.fecha),
            "comprobante_tipo": name,
            "afip_codigo_barras": self._barcode(c) + " ",
            "afip_qr": self._qr(c) + " ",
            "comprobante_pdf_url": f"https://sandbox.invalid/pdf/{c.punto_venta:05d}-{c.numero:08d}.pdf",
        }
        if self.echo_external_reference:
            item["external_reference"] = c.external_reference
        return item

    def _rejected_item(self, req: dict[str, Any], errores: list[str]) -> dict[str, Any]:
        comprobante = req["comprobante"]
        punto, numero = _int(comprobante.get("punto_venta")) or 0, _int(comprobante.get("numero")) or 0
        item: dict[str, Any] = {
            "error": "S",
            "errores": errores,
            "cae": "",
            "comprobante_nro": format_comprobante_nro(punto, numero),
            "cae_vencimiento": "",
            "observaciones": "",
            "envio_x_mail": "",
            "envio_x_mail_direcciones": "",
        }
        if self.echo_external_reference:
            item["external_reference"] = _text(comprobante.get("external_reference"))
        return item

    def _barcode(self, c: IssuedComprobante) -> str:
        return f"{self.emisor_cuit}{c.tipo:03d}{c.punto_venta:05d}{c.cae}{c.cae_vencimiento:%Y%m%d}"

    def _qr(self, c: IssuedComprobante) -> str:
        """AFIP's printed QR: base64 of {ver, fecha, cuit, ptoVta, tipoCmp, nroCmp, importe,
        moneda, ctz, tipoDocRec, nroDocRec, tipoCodAut, codAut} (PROVIDERS.md)."""
        doc_tipo = str(c.cliente.get("documento_tipo") or "OTRO").upper()
        payload = {
            "ver": 1, "fecha": c.fecha.isoformat(), "cuit": int(self.emisor_cuit),
            "ptoVta": c.punto_venta, "tipoCmp": c.tipo, "nroCmp": c.numero,
            "importe": float(c.total), "moneda": str(c.comprobante.get("moneda") or "PES"),
            "ctz": float(_decimal(c.comprobante.get("cotizacion")) or 1),
            "tipoDocRec": _DOC_TIPO_AFIP.get(doc_tipo, 99),
            "nroDocRec": int(normalise_cuit(c.cliente.get("documento_nro")) or 0),
            "tipoCodAut": "E", "codAut": int(c.cae),
        }
        encoded = base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
        return f"https://www.afip.gob.ar/fe/qr/?p={encoded}"

    # -- consulta_avanzada and numeracion ----------------------------------------------------

    @route("POST", _PREFIX + r"/consulta_avanzada")
    def consulta_avanzada(self, request: Request) -> Response:
        if (throttled := self._throttled("consulta_avanzada")) is not None:
            return throttled
        body, refused = self._body(request)
        if refused is not None:
            return refused
        assert body is not None
        criteria = body.get("comprobante")
        if not isinstance(criteria, dict):
            return _error("El campo comprobante es obligatorio.")
        kind = str(body.get("busqueda_tipo") or "").strip().upper()
        with self._lock:
            issued = list(reversed(self._issued))
        if kind == "EXT_REF":
            ref = _text(criteria.get("external_reference"))
            if not ref:
                return _error("Debe informar external_reference.")
            found = [c for c in issued if c.external_reference == ref]
        elif kind == "TN":
            tipo = tipo_code(criteria.get("tipo"))
            punto = _int(criteria.get("punto_venta"))
            desde, hasta = _int(criteria.get("numero_desde")), _int(criteria.get("numero_hasta"))
            if tipo is None or punto is None or desde is None or hasta is None:
                return _error("Debe informar tipo, punto_venta, numero_desde y numero_hasta.")
            found = [c for c in issued
                     if c.tipo == tipo and c.punto_venta == punto and desde <= c.numero <= hasta]
        elif kind == "F":
            fecha = parse_afip_date(criteria.get("fecha"))
            if fecha is None:
                return _error("Debe informar la fecha (dd/mm/aaaa).")
            found = [c for c in issued if c.fecha == fecha]
        else:
            return _error('busqueda_tipo debe ser "F", "EXT_REF" o "TN".')
        limite = max(0, min(_int(body.get("limite")) or 1000, 1000))
        pagina = _int(body.get("pagina")) or 0
        page = found[pagina * limite: (pagina + 1) * limite]
        return json_response({"rta": "OK", "error": "N", "total": len(found), "errores": [],
                              "comprobantes": [self._consulta_entry(c) for c in page]})

    def _consulta_entry(self, c: IssuedComprobante) -> dict[str, Any]:
        comprobante = dict(c.comprobante)
        for key in ("apitoken", "apikey", "usertoken"):
            comprobante.pop(key, None)
        comprobante.update({
            "tipo": COMPROBANTE_TIPOS[c.tipo],
            "punto_venta": c.punto_venta,
            "numero": c.numero,
            "total": float(c.total),
            "cae": c.cae + " ",
            "vencimiento_cae": format_fecha(c.cae_vencimiento),
            "vencimiento_pago": format_fecha(c.fecha),
            "external_reference": c.external_reference,
            "status": "EMITIDO",
            "afip_observaciones": c.observaciones,
            "afip_codigo_barras": self._barcode(c) + " ",
            "afip_qr": self._qr(c) + " ",
            "comprobante_pdf_url": f"https://sandbox.invalid/pdf/{c.punto_venta:05d}-{c.numero:08d}.pdf",
        })
        return {"cliente": dict(c.cliente), "comprobante": comprobante}

    @route("POST", _PREFIX + r"/numeracion")
    def numeracion(self, request: Request) -> Response:
        if (throttled := self._throttled("numeracion")) is not None:
            return throttled
        body, refused = self._body(request)
        if refused is not None:
            return refused
        assert body is not None
        criteria = body.get("comprobante")
        tipo = tipo_code(criteria.get("tipo")) if isinstance(criteria, dict) else None
        punto = _int(criteria.get("punto_venta")) if isinstance(criteria, dict) else None
        if tipo is None or punto is None:
            return _error("Debe informar comprobante.tipo y comprobante.punto_venta.")
        return json_response({
            "error": "N", "errores": [""], "rta": "OK",
            "comprobante": {"tipo": COMPROBANTE_TIPOS[tipo], "operacion": "V",
                            "punto_venta": punto, "numero": self.next_number(tipo, punto)},
        })


# -- helpers ---------------------------------------------------------------------------------


def _error(*messages: str) -> Response:
    return json_response({"error": "S", "errores": list(messages)})


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _q2(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_EVEN)


def _expected_total(tipo: int, comprobante: dict[str, Any]) -> Decimal:
    """What AFIP adds up, computed here on its own (not with the domain's code, so the
    sandbox can catch a wrong total computed by Lote): lines net of IVA rounded to cents,
    a comprobante-level bonificación shared pro rata, IVA per alícuota (none for C; none
    for −1 exento and −2 no gravado), plus percepciones, impuestos internos, exentos and
    ``tributos``."""
    by_rate: dict[Decimal, Decimal] = {}
    for entry in comprobante.get("detalle") or []:
        producto = entry.get("producto") or {}
        cantidad = _decimal(entry.get("cantidad")) or Decimal(0)
        precio = _decimal(producto.get("precio_unitario_sin_iva")) or Decimal(0)
        bonif = _decimal(entry.get("bonificacion_porcentaje")) or Decimal(0)
        rate = _decimal(producto.get("alicuota")) or Decimal(0)
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + _q2(cantidad * precio * (100 - bonif) / 100)
    bonificacion = _decimal(comprobante.get("bonificacion")) or Decimal(0)
    subtotal = sum(by_rate.values(), Decimal(0))
    if bonificacion and subtotal:
        rates = sorted(by_rate)
        left = bonificacion
        for n, rate in enumerate(rates):
            share = left if n == len(rates) - 1 else _q2(bonificacion * by_rate[rate] / subtotal)
            by_rate[rate] -= share
            left -= share
    total = sum(by_rate.values(), Decimal(0))
    if letter_of(tipo) != "C":
        total += sum((_q2(base * rate / 100) for rate, base in by_rate.items() if rate > 0), Decimal(0))
    for key in ("percepciones_iibb", "percepciones_iva", "impuestos_internos", "exentos"):
        total += _decimal(comprobante.get(key)) or Decimal(0)
    for tributo in comprobante.get("tributos") or []:
        if isinstance(tributo, dict):
            total += _decimal(tributo.get("total")) or Decimal(0)
    return _q2(total)


_NAMES = ["Juan Pérez", "María Gómez", "Kiosco La Esquina", "Ana Rodríguez", "Carlos Díaz"]
_ITEMS = [("Yerba mate 1 kg", "2450.00", "21"), ("Pan lactal", "1890.50", "10.5"),
          ("Taladro percutor", "48999.99", "21"), ("Libro de cuentos", "7200.00", "0"),
          ("Gaseosa 2,25 l", "1650.00", "21")]


def sample_comprobantes(n: int, *, invalid_share: float = 0.1, seed: int = 1,
                        unregistered_cuit: str = DEMO_UNREGISTERED_CUIT) -> list[dict[str, Any]]:
    """FACTURA B to consumidores finales in TusFacturas' JSON, dated today, for demo data
    and soak runs; a share names a receptor CUIT the simulated padrón does not know
    (valid check digit, so Lote accepts it and AFIP rejects it 10015)."""
    rng = random.Random(seed)
    today = format_fecha(datetime.now().date())
    docs: list[dict[str, Any]] = []
    for _ in range(n):
        detalle = [{"cantidad": str(rng.randint(1, 4)),
                    "producto": {"descripcion": desc, "precio_unitario_sin_iva": price,
                                 "alicuota": rate, "codigo": f"P{k}", "lista_precios": "standard",
                                 "unidad_bulto": 1}}
                   for k, (desc, price, rate) in enumerate(rng.sample(_ITEMS, rng.randint(1, 3)))]
        invalid = rng.random() < invalid_share
        cliente = ({"documento_tipo": "CUIT", "documento_nro": unregistered_cuit} if invalid else
                   {"documento_tipo": "DNI", "documento_nro": str(rng.randint(20_000_000, 45_000_000))})
        cliente.update({"razon_social": rng.choice(_NAMES), "condicion_iva": "CF",
                        "domicilio": "Av. Rivadavia 1000", "provincia": "2",
                        "envia_por_mail": "N", "condicion_pago": "211"})
        comprobante: dict[str, Any] = {"tipo": "FACTURA B", "operacion": "V", "punto_venta": 1,
                                       "fecha": today, "moneda": "PES", "cotizacion": 1,
                                       "detalle": detalle}
        comprobante["total"] = str(_expected_total(6, comprobante))
        docs.append({"cliente": cliente, "comprobante": comprobante})
    return docs


def create_sandbox(**kwargs: Any) -> TusFacturasSandbox:
    """Registry entry point (providers/registry.py)."""
    return TusFacturasSandbox(**kwargs)
