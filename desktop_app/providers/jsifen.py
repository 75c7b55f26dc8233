"""JSIFEN (Paraguay, SIFEN): a self-hosted REST gateway; pure mapping functions plus a thin client.

Contract: JSIFEN's public page "Query Batch" (seeds/jsifen-consulta-lote.txt) and what
PROVIDERS.md ("JSIFEN") summarises from the gateway's public source:

- Every call carries the header ``token`` (the API key) and, optionally, ``Emisor`` (the
  emisor's RUC with DV, "80012345-7"); without it the gateway uses its default emisor.
- Submit: ``POST /factura/async/recibe`` with ONE document per call, written in SIFEN's
  own field names (MT v150: iTipEmi, dCodSeg, iTiDE, dEst, ..., ``Detalles[...]``); the
  answer carries the lote number to poll. Hence ``max_batch = 1``.
- Poll: ``POST /consulta/lote`` ``{"lote": ...}`` -> ``{codigoLote, mensajeLote,
  resultados: [{cdc, estado, codigoError, mensajeError}]}``, estado one of Aprobado,
  Rechazado, Procesando, En Cola (and "Aprobado con observación").
- By CDC: ``POST /consulta/de/json`` ``{"cdc": ...}``. Cancel: ``POST /evento/cancelar``
  ``{"cdc", "motivo"}``.
- Errors come back as HTTP 500 with a plain-text body ``Error interno: ...``.

How failures are classified (base.py explains the three classes):

- 401/403 -> ``CallRefused(auth=True)``; the key never appears in a message or a log line.
- Any other non-2xx, including JSIFEN's "500 Error interno", an HTML page, a 524, a
  truncated or non-JSON body -> ``OutcomeUnknown`` carrying the gateway's own text. On
  submit the gateway may have signed and sent the DE to SIFEN before failing, so the
  document is reconciled by CDC before anything is resent; on a read-only call the same
  class means "transient, ask again later". The seed lists "authentication fails" among
  the causes of a 500: such a 500 is still an unknown outcome (nothing is resent, the
  profile backs off, and ``last_error`` shows the gateway's text).
- A 200 whose code is SIFEN's 0301 ("lote no encolado") -> ``OutcomeUnknown`` too:
  PROVIDERS.md notes SIFEN also answers 0301 when it times out internally, so it cannot
  prove nothing happened, and reconciling costs one lookup while the profile backs off
  (a RUC that SIFEN has blocked for repeated lotes must not be hammered).

Answer shapes. The submit answer's exact shape is not public: the gateway's source
returns SIFEN's SOAP answer converted to JSON (``env:Envelope`` / ``env:Body`` /
``ns2:rResEnviLoteDe`` with ``ns2:dCodRes``, ``ns2:dMsgRes``, ``ns2:dProtConsLote``). The
sandbox answers a flat, documented-looking ``{"codigo": "0300", "mensaje": "Lote recibido
con éxito", "lote": "<17 digits>", "cdc": "<44 digits>"}``; the parser accepts both (keys
are matched by their local name at any depth, namespace prefixes ignored). Lote numbers
stay strings: real ones have 17 digits, beyond what a float holds, so one that arrives
as a JSON float has already lost digits and is ignored (the document is then followed by
CDC). Numeric SIFEN codes that lost their leading zero on the way through a JSON number
("300", 160) are padded back to four digits ("0300", "0160").

Reconciling. JSIFEN can only be asked about a document by CDC (``/consulta/de/json``),
and SIFEN's consulta DE knows approved DEs only: "0420 no existe o ha sido rechazado"
also describes a DE still waiting in its lote. Lote computes every CDC before sending
(``build_recibe_body``), so a lost answer is always followed by CDC; a "not found" within
``RECONCILE_GRACE_S`` of the lost answer is not believed (``JsifenClient.lookup``).

Polling advice (seed, "Best Practices"): wait 30–60 s between queries and give up after a
maximum (its example: 5 minutes). That is already the registry's default for "jsifen"
(first query after 10 s, then every 45 s) plus the profile's ``poll_max_s`` (1 hour by
default: DNIT warns processing can take hours under load), after which the engine stops
polling and flags the document for attention. This module never sleeps or decides retries.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from desktop_app.domain.cdc import is_valid_cdc
from desktop_app.domain.document import (
    DOCUMENT_KEYS,
    FECHA_FORMAT,
    TIPOS_CON_CONDICION,
    document_from_json,
    json_number,
)
from desktop_app.domain.ruc import Ruc, mod11_check_digit, parse_ruc
from desktop_app.domain.totals import document_totals, item_amounts
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

PROVIDER = "jsifen"
MAX_BATCH = 1  # "/factura/async/recibe": one DE per call (PROVIDERS.md, "JSIFEN")

RECIBE_PATH = "/factura/async/recibe"
CONSULTA_LOTE_PATH = "/consulta/lote"
CONSULTA_DE_PATH = "/consulta/de/json"
CANCELAR_PATH = "/evento/cancelar"

#: A lote number no SIFEN lote has: asking for it is the cheapest authenticated call
#: (SIFEN answers 0360 "lote inexistente"; JSIFEN publishes no ping behind its token).
PROBE_LOTE = "0"

#: SIFEN codes (PROVIDERS.md, "SIFEN facts"): reception of a lote, and lote queries.
RECIBIDO = "0300"
NO_ENCOLADO = "0301"
LOTE_INEXISTENTE = "0360"
LOTE_EN_PROCESO = "0361"
LOTE_CONCLUIDO = "0362"
LOTE_EXTEMPORANEO = "0364"
#: SIFEN's consulta DE: 0420 "no existe o ha sido rechazado", 0422 "CDC encontrado".
DE_NO_EXISTE = "0420"
DE_ENCONTRADO = "0422"
#: SIFEN's code for an event (cancelación) registered.
EVENTO_REGISTRADO = "0600"

_FINAL = frozenset({Outcome.APPROVED, Outcome.APPROVED_WITH_OBSERVATIONS, Outcome.REJECTED})

#: Lote-level codes meaning "still processing": SIFEN's 0361 and the seed's "1".
_LOTE_PENDING_CODES = frozenset({LOTE_EN_PROCESO, "1"})

#: provider_status of a document whose lost submit SIFEN does not confirm yet.
UNCONFIRMED = "Sin confirmar"

#: How long after a lost submit answer a "not found" by CDC is not believed (seconds).
#: SIFEN's consulta DE only knows approved DEs, so a DE still waiting in its lote reads
#: "no existe" exactly like one never received; DNIT advises the first lote query about
#: 10 minutes after sending (PROVIDERS.md), so that is how long we keep asking first.
RECONCILE_GRACE_S = 600.0

_AUTH_MESSAGE = "JSIFEN rechazó las credenciales: revise el token y el RUC del emisor."
_UNREADABLE = "JSIFEN no dio una respuesta legible"
_SUBMIT_TAIL = "se consultará por CDC antes de reenviar."
_READ_TAIL = "se volverá a consultar más tarde."

# -- the one mapping of JSIFEN states ---------------------------------------------------


def estado_outcome(estado: Any) -> Outcome:
    """Map JSIFEN's ``estado`` text to an Outcome.

    The seed names Aprobado, Rechazado, Procesando and En Cola; SIFEN's own
    ``dEstRes`` adds "Aprobado con observación". Matching ignores case and accents.
    Anything unrecognised (or missing) is PROCESSING: the document is asked about again
    and callers keep the text verbatim in ``provider_status``.
    """
    text = _fold(estado)
    if "aprobado" in text and "observ" in text:
        return Outcome.APPROVED_WITH_OBSERVATIONS
    if "aprobado" in text:
        return Outcome.APPROVED
    if "rechazado" in text:
        return Outcome.REJECTED
    if "inexistente" in text or "no encontrado" in text or "no existe" in text:
        return Outcome.NOT_FOUND
    return Outcome.PROCESSING


# -- the DE in SIFEN's names -------------------------------------------------------------

#: Descriptions SIFEN expects next to each code (MT v150 tables, as the
#: facturacionelectronicapy-xmlgen library spells them). An unknown code gets no
#: description: the gateway passes along whatever it receives.
TIPOS_EMISION = {1: "Normal", 2: "Contingencia"}
TIPOS_DE = {
    1: "Factura electrónica",
    4: "Autofactura electrónica",
    5: "Nota de crédito electrónica",
    6: "Nota de débito electrónica",
    7: "Nota de remisión electrónica",
}
TIPOS_TRANSACCION = {
    1: "Venta de mercadería",
    2: "Prestación de servicios",
    3: "Mixto (Venta de mercadería y servicios)",
    4: "Venta de activo fijo",
    5: "Venta de divisas",
    6: "Compra de divisas",
    7: "Promoción o entrega de muestras",
    8: "Donación",
    9: "Anticipo",
    10: "Compra de productos",
    11: "Compra de servicios",
    12: "Venta de crédito fiscal",
    13: "Muestras médicas (Art. 3 RG 24/2014)",
}
TIPOS_IMPUESTO = {1: "IVA", 2: "ISC", 3: "Renta", 4: "Ninguno", 5: "IVA - Renta"}
MONEDAS = {"PYG": "Guarani", "USD": "US Dollar", "BRL": "Brazilian Real",
           "ARS": "Argentine Peso", "EUR": "Euro", "BOB": "Boliviano"}
PAISES = {"PRY": "Paraguay"}
TIPOS_DOCUMENTO_RECEPTOR = {
    1: "Cédula paraguaya",
    2: "Pasaporte",
    3: "Cédula extranjera",
    4: "Carnet de residencia",
    5: "Innominado",
    6: "Tarjeta Diplomática de exoneración fiscal",
    9: "Otro",
}
TIPOS_DOCUMENTO_IDENTIDAD = {
    1: "Cédula paraguaya",
    2: "Pasaporte",
    3: "Cédula extranjera",
    4: "Carnet de residencia",
    9: "Otro",
}
PRESENCIAS = {
    1: "Operación presencial",
    2: "Operación electrónica",
    3: "Operación telemarketing",
    4: "Venta a domicilio",
    5: "Operación bancaria",
    6: "Operación cíclica",
    9: "Otro",
}
CONDICIONES = {1: "Contado", 2: "Crédito"}
CONDICIONES_CREDITO = {1: "Plazo", 2: "Cuota"}
TIPOS_PAGO = {
    1: "Efectivo",
    2: "Cheque",
    3: "Tarjeta de crédito",
    4: "Tarjeta de débito",
    5: "Transferencia",
    6: "Giro",
    7: "Billetera electrónica",
    8: "Tarjeta empresarial",
    9: "Vale",
    10: "Retención",
    11: "Pago por anticipo",
    12: "Valor fiscal",
    13: "Valor comercial",
    14: "Compensación",
    15: "Permuta",
    16: "Pago bancario",
    17: "Pago Móvil",
    18: "Donación",
    19: "Promoción",
    20: "Consumo Interno",
    21: "Pago Electrónico",
    99: "Otro",
}
UNIDADES_MEDIDA = {77: "UNI", 83: "kg", 86: "m", 87: "m2", 89: "LT", 110: "HRS"}
AFECTACIONES_IVA = {
    1: "Gravado IVA",
    2: "Exonerado (Art. 100 - Ley 6380/2019)",
    3: "Exento",
    4: "Gravado parcial (Grav-Exento)",
}

#: A top-level key already in SIFEN's naming (a one- or two-letter lower-case prefix and
#: then an upper-case letter: dNumTim, cActEco, iTipCont, dFecFirma).
_SIFEN_NAME = re.compile(r"^[a-z]{1,2}[A-Z][A-Za-z0-9]*$")


def de_to_sifen(
    payload: Mapping[str, Any], emisor_ruc: str | None, *, tipo_contribuyente: int | None = None
) -> dict[str, Any]:
    """Translate the FacturaSend-style DE JSON Lote stores into JSIFEN's body.

    JSIFEN takes one flat object in SIFEN's own field names (MT v150) plus a
    ``Detalles`` list; the exact body schema is inferred from the gateway's public
    source (its example request), as summarised in PROVIDERS.md ("JSIFEN"), and the
    names follow SET's Manual Técnico v150 as best we know them. Amounts are computed
    with the same domain rules the rest of Lote uses (domain/totals.py: IVA included in
    the price, NT 13), so the totals JSIFEN writes into the XML are the ones Lote shows.

    =================================  ===============================================
    Lote's DE JSON                     JSIFEN / SIFEN (MT v150)
    =================================  ===============================================
    tipoEmision                        iTipEmi, dDesTipEmi
    codigoSeguridadAleatorio           dCodSeg (9 digits, zero-padded)
    observacion / descripcion          dInfoEmi / dInfoFisc (as FacturaSend maps them)
    tipoDocumento                      iTiDE, dDesTiDE
    establecimiento / punto / numero   dEst ("001") / dPunExp ("001") / dNumDoc ("0000001")
    fecha                              dFeEmiDE ("AAAA-MM-DDTHH:MM:SS")
    tipoTransaccion                    iTipTra, dDesTipTra
    tipoImpuesto                       iTImp, dDesTImp
    moneda                             cMoneOpe, dDesMoneOpe
    ``emisor_ruc`` (argument)          dRucEm (RUC without DV), dDVEmi
    ``tipo_contribuyente`` (argument)  iTipCont
    usuario.documentoTipo              iTipIDRespDE, dDTipIDRespDE (gRespDE)
    usuario.documentoNumero            dNumIDRespDE
    usuario.nombre / usuario.cargo     dNomRespDE / dCarRespDE
    cliente.contribuyente              iNatRec (1 contribuyente, 2 no contribuyente)
    cliente.tipoOperacion              iTiOpe
    cliente.pais (+ paisDescripcion)   cPaisRec, dDesPaisRe
    cliente.tipoContribuyente          iTiContRec (contribuyente only)
    cliente.ruc                        dRucRec, dDVRec (contribuyente only)
    cliente.documentoTipo              iTipIDRec, dDTipIDRec (no contribuyente only)
    cliente.documentoNumero            dNumIDRec (no contribuyente only)
    cliente.razonSocial                dNomRec
    cliente.direccion/telefono/email   dDirRec / dTelRec / dEmailRec
    cliente.codigo                     dCodCliente
    factura.presencia                  iIndPres, dDesIndPres
    condicion.tipo                     iCondOpe, dDCondOpe
    condicion.entregas[]               gPaConEIni[{iTiPago, dDesTiPag, dMonTiPag,
                                       cMoneTiPag, dDMoneTiPag}]; the first one also
                                       flat at the top, as JSIFEN's example sends it
                                       (dDMoneTiPag from monedaDescripcion if the
                                       currency is not in our table)
    condicion.credito                  iCondCred, dDCondCred, dPlazoCre, dCuotas,
                                       dMonEnt, gCuotas[{cMoneCuo, dDMoneCuo,
                                       dMonCuota, dVencCuo}] (from infoCuotas)
    items[].codigo                     Detalles[].dCodInt (its 1-based position if none)
    items[].descripcion                Detalles[].dDesProSer
    items[].unidadMedida               Detalles[].cUniMed, dDesUniMed
    items[].cantidad                   Detalles[].dCantProSer
    items[].precioUnitario             Detalles[].dPUniProSer
    (cantidad × precioUnitario)        Detalles[].dTotBruOpeItem, dTotOpeItem
    items[].ivaTipo                    Detalles[].iAfecIVA, dDesAfecIVA
    items[].ivaBase                    Detalles[].dPropIVA
    items[].iva                        Detalles[].dTasaIVA
    (computed, NT 13)                  Detalles[].dBasGravIVA, dLiqIVAItem, dBasExe
    (computed document totals)         dSubExe, dSubExo, dSub5, dSub10, dTotOpe,
                                       dTotDesc, dTotDescGlotem, dTotAntItem, dTotAnt,
                                       dPorcDescTotal, dDescTotal, dAnticipo, dRedon,
                                       dTotGralOpe, dIVA5, dIVA10, dTotIVA, dBaseGrav5,
                                       dBaseGrav10, dTBasGraIVA (no discounts or
                                       advances: Lote does not model them)
    any top-level key already named    passed through unchanged when the mapping does
    the SIFEN way (dNumTim, cActEco)   not produce it (never overriding a mapped one)
    =================================  ===============================================

    The emisor's own data (dNomEmi, address, timbrado dNumTim/dFeIniT, cActEco) is not
    in Lote's DE JSON: JSIFEN's configuration per emisor is expected to supply it, and
    a stored DE that carries such SIFEN-named keys passes them on. Without
    ``emisor_ruc`` there is no dRucEm/dDVEmi: the gateway's default emisor applies.

    Raises ValueError when the payload is not a readable DE or ``emisor_ruc`` is not a
    RUC: such a body must never leave the machine.
    """
    doc, errors = document_from_json(dict(payload))
    if doc is None:
        raise ValueError(
            "DE JSON not translatable: " + "; ".join(f"{e.field}: {e.message}" for e in errors)
        )
    if doc.numero is None:
        raise ValueError("the DE has no number yet")
    out: dict[str, Any] = {}
    _put_coded(out, "iTipEmi", "dDesTipEmi", doc.tipo_emision, TIPOS_EMISION)
    if doc.codigo_seguridad:
        out["dCodSeg"] = _security_code(doc.codigo_seguridad)
    if doc.observacion:
        out["dInfoEmi"] = doc.observacion
    if doc.descripcion:
        out["dInfoFisc"] = doc.descripcion
    _put_coded(out, "iTiDE", "dDesTiDE", doc.tipo_documento, TIPOS_DE)
    out["dEst"] = _code3(doc.establecimiento)
    out["dPunExp"] = _code3(doc.punto)
    out["dNumDoc"] = f"{int(doc.numero):07d}"
    out["dFeEmiDE"] = doc.fecha.strftime(FECHA_FORMAT)
    _put_coded(out, "iTipTra", "dDesTipTra", doc.tipo_transaccion, TIPOS_TRANSACCION)
    _put_coded(out, "iTImp", "dDesTImp", doc.tipo_impuesto, TIPOS_IMPUESTO)
    _put_coded(out, "cMoneOpe", "dDesMoneOpe", doc.moneda, MONEDAS)
    if emisor_ruc is not None:
        ruc = _emisor(emisor_ruc)
        out["dRucEm"] = ruc.base
        out["dDVEmi"] = ruc.dv
    if tipo_contribuyente is not None:
        out["iTipCont"] = int(tipo_contribuyente)
    if doc.usuario:
        out.update(_responsable(doc.usuario))

    cli = doc.cliente
    out["iNatRec"] = 1 if cli.contribuyente else 2
    out["iTiOpe"] = cli.tipo_operacion
    out["cPaisRec"] = cli.pais
    pais = cli.extra.get("paisDescripcion") or PAISES.get(cli.pais)
    if pais:
        out["dDesPaisRe"] = pais
    if cli.contribuyente:
        if cli.tipo_contribuyente is not None:
            out["iTiContRec"] = cli.tipo_contribuyente
        ruc_rec = parse_ruc(cli.ruc or "")
        if ruc_rec is not None:
            out["dRucRec"] = ruc_rec.base
            out["dDVRec"] = ruc_rec.dv
        elif cli.ruc:
            out["dRucRec"] = cli.ruc  # malformed: SIFEN names it (D207), not us
    else:
        if cli.documento_tipo is not None:
            _put_coded(out, "iTipIDRec", "dDTipIDRec", cli.documento_tipo,
                       TIPOS_DOCUMENTO_RECEPTOR)
        if cli.documento_numero is not None:
            out["dNumIDRec"] = cli.documento_numero
    out["dNomRec"] = cli.razon_social
    for key, value in (("dDirRec", cli.direccion), ("dTelRec", cli.telefono),
                       ("dEmailRec", cli.email), ("dCodCliente", cli.extra.get("codigo"))):
        if value not in (None, ""):
            out[key] = value

    presencia = as_int(doc.factura.get("presencia")) if doc.factura else None
    if presencia is not None:
        _put_coded(out, "iIndPres", "dDesIndPres", presencia, PRESENCIAS)

    if doc.tipo_documento in TIPOS_CON_CONDICION or doc.entregas or doc.credito:
        _put_coded(out, "iCondOpe", "dDCondOpe", doc.condicion_tipo, CONDICIONES)
        pagos = []
        for payment in doc.entregas:
            pago: dict[str, Any] = {}
            _put_coded(pago, "iTiPago", "dDesTiPag", payment.tipo, TIPOS_PAGO)
            pago["dMonTiPag"] = json_number(payment.monto)
            _put_coded(pago, "cMoneTiPag", "dDMoneTiPag", payment.moneda, MONEDAS)
            if payment.extra.get("monedaDescripcion") and "dDMoneTiPag" not in pago:
                pago["dDMoneTiPag"] = payment.extra["monedaDescripcion"]
            pagos.append(pago)
        if pagos:
            out.update(pagos[0])
            out["gPaConEIni"] = pagos
        if doc.credito:
            out.update(_credito(doc.credito))

    totals = document_totals(doc)
    exento = sum((a.total for a, i in zip(totals.items, doc.items, strict=True)
                  if i.iva_tipo == 3), Decimal(0))
    exonerado = sum((a.total for a, i in zip(totals.items, doc.items, strict=True)
                     if i.iva_tipo == 2), Decimal(0))
    out.update({
        "dSubExe": json_number(exento),
        "dSubExo": json_number(exonerado),
        "dSub5": json_number(totals.subtotal_5),
        "dSub10": json_number(totals.subtotal_10),
        "dTotOpe": json_number(totals.total),
        "dTotDesc": 0,
        "dTotDescGlotem": 0,
        "dTotAntItem": 0,
        "dTotAnt": 0,
        "dPorcDescTotal": 0,
        "dDescTotal": 0,
        "dAnticipo": 0,
        "dRedon": 0,
        "dTotGralOpe": json_number(totals.total),
        "dIVA5": json_number(totals.iva_5),
        "dIVA10": json_number(totals.iva_10),
        "dTotIVA": json_number(totals.iva_total),
        "dBaseGrav5": json_number(totals.gravada_5),
        "dBaseGrav10": json_number(totals.gravada_10),
        "dTBasGraIVA": json_number(totals.gravada_5 + totals.gravada_10),
    })

    detalles = []
    for n, item in enumerate(doc.items, start=1):
        amounts = item_amounts(item, doc.moneda)
        detalle: dict[str, Any] = {
            "dCodInt": item.codigo if item.codigo else str(n),
            "dDesProSer": item.descripcion,
        }
        _put_coded(detalle, "cUniMed", "dDesUniMed", item.unidad_medida, UNIDADES_MEDIDA)
        detalle.update({
            "dCantProSer": json_number(item.cantidad),
            "dPUniProSer": json_number(item.precio_unitario),
            "dTotBruOpeItem": json_number(amounts.total),
            "dTotOpeItem": json_number(amounts.total),
        })
        _put_coded(detalle, "iAfecIVA", "dDesAfecIVA", item.iva_tipo, AFECTACIONES_IVA)
        detalle.update({
            "dPropIVA": item.iva_base,
            "dTasaIVA": item.iva,
            "dBasGravIVA": json_number(amounts.gravada),
            "dLiqIVAItem": json_number(amounts.iva),
            "dBasExe": json_number(amounts.exenta if item.iva_tipo == 4 else Decimal(0)),
        })
        detalles.append(detalle)
    out["Detalles"] = detalles

    for key, value in payload.items():
        if key not in DOCUMENT_KEYS and key not in out and _SIFEN_NAME.match(key):
            out[key] = value
    return out


def build_recibe_body(doc: OutgoingDocument, emisor_ruc: str | None) -> dict[str, Any]:
    """The body for ``/factura/async/recibe``: ``de_to_sifen`` plus what the CDC knows.

    JSIFEN computes the CDC itself from dRucEm, dDVEmi, iTipCont, dCodSeg and the
    number and date fields (its CdcGenerator). When Lote already computed the CDC
    (the store does, from the profile's emisor), its security code and tipo de
    contribuyente (MT v150 §10.1: digits 35-43 and 25) are sent with it, so the gateway
    produces that very CDC and a later query by CDC finds the document even if this
    call's answer is lost. Without ``emisor_ruc`` the CDC's RUC fills dRucEm/dDVEmi.
    A DE with neither a security code nor a CDC raises ValueError: it never leaves.
    """
    cdc = doc.cdc if doc.cdc and is_valid_cdc(doc.cdc) else None
    body = de_to_sifen(
        doc.payload, emisor_ruc, tipo_contribuyente=int(cdc[24]) if cdc else None
    )
    if cdc:
        code = cdc[34:43]
        if body.get("dCodSeg") not in (None, code):
            log.warning("DE %s: security code differs from its CDC; the CDC's is sent", doc.numero)
        body["dCodSeg"] = code
        if emisor_ruc is None:
            body["dRucEm"] = cdc[2:10].lstrip("0") or "0"
            body["dDVEmi"] = int(cdc[10])
    if not body.get("dCodSeg"):
        # The store always gives a DE its security code; without one JSIFEN cannot build
        # the CDC, and a CDC we do not know could never be reconciled.
        raise ValueError(f"DE {doc.numero} has no security code (codigoSeguridadAleatorio)")
    return body


# -- answers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoteStatus:
    """``/consulta/lote``'s answer: the lote's code and message and its documents."""

    codigo: str | None
    mensaje: str | None
    results: list[DocumentResult]

    @property
    def pending(self) -> bool:
        """The lote as a whole is still being processed (0361, the seed's "1")."""
        if self.codigo in _LOTE_PENDING_CODES:
            return True
        text = _fold(self.mensaje)
        return self.codigo is None and ("en proceso" in text or "cola" in text)


@dataclass(frozen=True)
class CancelResult:
    """``/evento/cancelar``'s answer (SIFEN's answer to the cancelación event)."""

    accepted: bool
    cdc: str
    code: str | None
    message: str | None
    estado: str | None
    protocolo: str | None = None
    fecha: str | None = None
    identificador: str | None = None  # the event's id at SIFEN


def parse_recibe_response(
    status: int, body: bytes | str, doc: OutgoingDocument
) -> SubmitResult:
    """Classify ``/factura/async/recibe``'s answer for the one document sent."""
    data = _json_object(status, body, tail=_SUBMIT_TAIL)
    code = _code(_find(data, "codigo", "dCodRes", "codigoRespuesta"))
    message = as_text(_find(data, "mensaje", "dMsgRes", "mensajeRespuesta"))
    lote = _lote_text(_find(data, "lote", "dProtConsLote", "nroLote", "numeroLote", "loteId"))
    cdc = as_text(_find(data, "cdc"))
    if code == NO_ENCOLADO or (lote is None and code not in (None, RECIBIDO)):
        detail = " ".join(p for p in (code, message) if p) or "sin detalle"
        raise OutcomeUnknown(f"JSIFEN no encoló el documento {doc.numero} ({detail}); "
                             + _SUBMIT_TAIL)
    cdc = cdc if cdc and is_valid_cdc(cdc) else doc.cdc
    if lote is None and cdc is None:
        raise OutcomeUnknown(f"{_UNREADABLE}: sin número de lote ni CDC; " + _SUBMIT_TAIL)
    if doc.cdc and cdc != doc.cdc:
        log.warning("JSIFEN assigned CDC %s to %s, expected %s", cdc, doc.numero, doc.cdc)
    result = DocumentResult(
        outcome=Outcome.RECEIVED,
        local_id=doc.local_id,
        cdc=cdc,
        numero=doc.numero,
        code=code,
        message=message,
        provider_status=message or code,
        provider_ref=lote,
    )
    return SubmitResult(lote_id=lote, documents=[result])


def parse_consulta_lote(status: int, body: bytes | str) -> LoteStatus:
    """``/consulta/lote``'s answer (seed shape, or SIFEN's SOAP shape converted to JSON).

    ``resultados`` may come as a list or as a single object (SIFEN's ``gResProcLote``
    does that with one document); ``codigoError`` is an integer in the seed and is kept
    as SIFEN's four-digit text.
    """
    data = _json_object(status, body, tail=_READ_TAIL)
    codigo = _code(_find(data, "codigoLote", "dCodResLot"))
    mensaje = as_text(_find(data, "mensajeLote", "dMsgResLot"))
    entries = _find(data, "resultados", "gResProcLote", containers=True)
    results: list[DocumentResult] = []
    for entry in as_list(entries):
        if not isinstance(entry, dict):
            continue
        estado = as_text(_get(entry, "estado", "dEstRes"))
        detail = _get(entry, "gResProc")
        detail = detail[0] if isinstance(detail, list) and detail else detail
        detail = detail if isinstance(detail, dict) else {}
        code = _code(_get(entry, "codigoError", "codigo") or _get(detail, "dCodRes"))
        message = as_text(_get(entry, "mensajeError", "mensaje") or _get(detail, "dMsgRes"))
        outcome = estado_outcome(estado)
        if message is None and outcome in _FINAL:
            message = estado  # the seed sends null for approvals: the estado is its word
        results.append(
            DocumentResult(
                outcome=outcome,
                cdc=as_text(_get(entry, "cdc", "id")),
                code=code,
                message=message,
                provider_status=estado,
                observations=message if outcome is Outcome.APPROVED_WITH_OBSERVATIONS else None,
            )
        )
    return LoteStatus(codigo=codigo, mensaje=mensaje, results=results)


def parse_consulta_de(status: int, body: bytes | str, cdc: str) -> list[DocumentResult]:
    """``/consulta/de/json``'s answer: every attempt JSIFEN reports for one CDC.

    The gateway's source answers "CDC encontrado" with the DE itself (``{"DE": {"Id":
    cdc, "gTimb": {...}, ...}}``) and anything else with SIFEN's ``rEnviConsDeResponse``
    (``dCodRes``/``dMsgRes``) with namespace prefixes removed. SIFEN's consulta DE
    only holds approved DEs, so "found" means APPROVED (an observation, if any, is not
    repeated there) and 0420 means "never received, or rejected": an empty list. A
    ``dCodRes`` 0361 (or a message saying the DE is in process) is how the sandbox says
    the DE waits in a lote; it maps to PROCESSING with the lote in ``provider_ref``.
    Errors of this endpoint come as HTTP 500 with ``{"error": ...}`` (not plain text).
    """
    data = _json_object(status, body, tail=_READ_TAIL)
    de = _find(data, "DE", containers=True)
    if isinstance(de, dict) and (_get(de, "Id") or _find(de, "gTimb", containers=True)):
        found = as_text(_get(de, "Id")) or cdc
        return [
            DocumentResult(
                outcome=Outcome.APPROVED,
                cdc=found,
                numero=_numero_from_timbrado(_find(de, "gTimb", containers=True)),
                code=DE_ENCONTRADO,
                message="CDC encontrado",
                provider_status="Aprobado",
            )
        ]
    code = _code(_find(data, "dCodRes", "codigo"))
    message = as_text(_find(data, "dMsgRes", "mensaje"))
    if code == DE_ENCONTRADO:
        return [DocumentResult(outcome=Outcome.APPROVED, cdc=cdc, code=code, message=message,
                               provider_status="Aprobado")]
    folded = _fold(message)
    if code == LOTE_EN_PROCESO or "en proceso" in folded or "cola" in folded:
        return [
            DocumentResult(
                outcome=Outcome.PROCESSING,
                cdc=cdc,
                code=code,
                message=message,
                provider_status=message or code,
                provider_ref=_lote_text(_find(data, "dProtConsLote", "lote")),
            )
        ]
    if code is None and message is None:
        raise OutcomeUnknown(f"{_UNREADABLE} sobre el CDC {cdc}; " + _READ_TAIL)
    return []


def parse_cancel_response(status: int, body: bytes | str, cdc: str) -> CancelResult:
    """``/evento/cancelar``'s answer, as the gateway's CancelarResponse names it
    (fechaProceso, estadoResultado, protocoloAut, identificador, codigoResultado,
    mensajeResultado). Accepted when SIFEN approved the event (0600 "Evento registrado
    correctamente"). A 500 leaves the event's fate unknown: ask again before retrying."""
    data = _json_object(status, body, tail="consulte el documento antes de reintentar.")
    estado = as_text(_find(data, "estadoResultado", "dEstRes", "estado"))
    code = _code(_find(data, "codigoResultado", "dCodRes", "codigo"))
    outcome = estado_outcome(estado) if estado else None
    accepted = outcome in (Outcome.APPROVED, Outcome.APPROVED_WITH_OBSERVATIONS) or (
        outcome is None and code == EVENTO_REGISTRADO
    )
    return CancelResult(
        accepted=accepted,
        cdc=as_text(_find(data, "cdc")) or cdc,
        code=code,
        message=as_text(_find(data, "mensajeResultado", "dMsgRes", "mensaje")),
        estado=estado,
        protocolo=as_text(_find(data, "protocoloAut", "dProtAut")),
        fecha=as_text(_find(data, "fechaProceso", "dFecProc")),
        identificador=as_text(_find(data, "identificador", "dIdEve")),
    )


def match_lote_results(
    lote: LoteStatus, refs: list[DocumentRef]
) -> tuple[list[DocumentResult], list[DocumentRef]]:
    """Name each result of one lote by ``local_id`` (by CDC, never by position), and
    say which refs it did not answer for.

    A lote still in process answers for its missing documents with PROCESSING; once
    concluded (or unknown, or too old to query: 0360/0364) the refs it does not name
    are returned to be asked about by CDC.
    """
    by_cdc = {r.cdc: r for r in refs if r.cdc}
    matched: list[DocumentResult] = []
    seen: set[int] = set()
    for result in lote.results:
        ref = by_cdc.get(result.cdc or "")
        if ref is None and result.cdc is None and len(refs) == 1 and len(lote.results) == 1:
            ref = refs[0]  # one document, one unnamed result: JSIFEN lotes hold one DE
        if ref is None or ref.local_id in seen:
            if result.cdc:
                log.warning("JSIFEN reported unexpected CDC %s in a lote", result.cdc)
            continue
        seen.add(ref.local_id)
        matched.append(replace(result, local_id=ref.local_id, cdc=result.cdc or ref.cdc))
    missing = [r for r in refs if r.local_id not in seen]
    if lote.pending:
        matched.extend(
            DocumentResult(outcome=Outcome.PROCESSING, local_id=r.local_id, cdc=r.cdc,
                           code=lote.codigo, message=lote.mensaje,
                           provider_status=lote.mensaje or lote.codigo)
            for r in missing
        )
        return matched, []
    return matched, missing


# -- client ----------------------------------------------------------------------------------


class JsifenClient(ClientLifecycle):
    """Thin HTTP calls over the pure functions above; one `httpx.Client` per instance.

    The token travels only in its header; it is never part of an exception message,
    a log line or the repr (DESIGN rule 4). The client remembers, in memory, the CDCs
    whose submit answer was lost, to apply ``reconcile_grace_s`` in ``lookup``. One
    instance may serve the engine's worker threads at once: httpx.Client is thread-safe
    and that memory is a dict touched only by single, atomic operations.
    """

    provider = PROVIDER
    max_batch = MAX_BATCH

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        emisor_ruc: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        reconcile_grace_s: float = RECONCILE_GRACE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.emisor_ruc = str(_emisor(emisor_ruc)) if emisor_ruc else None
        self.reconcile_grace_s = reconcile_grace_s
        self._clock = clock
        self._lost: dict[str, float] = {}
        headers = {"token": api_key, "Content-Type": "application/json; charset=utf-8"}
        if self.emisor_ruc:
            headers["Emisor"] = self.emisor_ruc
        self._http = make_client(self.base_url, headers=headers, timeout=timeout)

    def __repr__(self) -> str:
        return f"JsifenClient(base_url={self.base_url!r}, emisor_ruc={self.emisor_ruc!r})"

    # -- ProviderClient ----------------------------------------------------------------

    def submit(self, docs: list[OutgoingDocument]) -> SubmitResult:
        """One document per call (``max_batch = 1``); more never leave the machine."""
        if len(docs) != 1:
            raise ValueError(f"JSIFEN takes exactly one document per call, got {len(docs)}")
        (doc,) = docs
        body = build_recibe_body(doc, self.emisor_ruc)
        try:
            response = self._post(RECIBE_PATH, body)
            return parse_recibe_response(response.status_code, response.content, doc)
        except OutcomeUnknown:
            if doc.cdc:
                self._lost[doc.cdc] = self._clock()
            raise

    def poll(self, refs: list[DocumentRef]) -> list[DocumentResult]:
        """ProviderClient.poll: one ``/consulta/lote`` call per lote, then by CDC.

        Refs are grouped by their lote (``provider_lote_id``, else ``provider_ref``,
        which holds the same number); a ref with no lote, or one its concluded lote
        does not name, is asked about by CDC. Not found by CDC gives no result (asked
        again later: it may be waiting in a lote SIFEN does not show), except for a
        document whose submit answer this client lost and whose grace is over:
        NOT_FOUND, so the engine reconciles it. A lote whose query fails (JSIFEN answers
        "Error interno" for an invalid lote, too) is skipped and asked again next time;
        only when every query of the call fails is the error raised, so the engine backs
        off. No connection at all is raised at once.
        """
        groups: dict[str, list[DocumentRef]] = {}
        by_cdc: list[DocumentRef] = []
        for ref in refs:
            lote = ref.provider_lote_id or ref.provider_ref
            if lote:
                groups.setdefault(lote, []).append(ref)
            else:
                by_cdc.append(ref)
        results: list[DocumentResult] = []
        failure: OutcomeUnknown | None = None
        answered = 0
        for lote, members in groups.items():
            try:
                status = self.consulta_lote(lote)
            except OutcomeUnknown as exc:
                failure = failure or exc
                continue
            answered += 1
            matched, missing = match_lote_results(status, members)
            results.extend(matched)
            by_cdc.extend(missing)
        for ref in by_cdc:
            if not ref.cdc:
                continue
            try:
                attempts = self.consulta_de(ref.cdc)
            except OutcomeUnknown as exc:
                failure = failure or exc
                continue
            answered += 1
            mine = [replace(a, local_id=ref.local_id) for a in attempts
                    if a.cdc in (None, ref.cdc)]
            if mine:
                self._lost.pop(ref.cdc, None)
            elif ((ref.cdc in self._lost or ref.sent_at is not None)
                  and not self._within_grace(ref.cdc, ref.sent_at)):
                # Its answer was lost, the grace is over and SIFEN still has nothing.
                mine = [DocumentResult(outcome=Outcome.NOT_FOUND, local_id=ref.local_id,
                                       cdc=ref.cdc, code=DE_NO_EXISTE,
                                       provider_status="No existe")]
            results.extend(mine)
        if failure is not None and answered == 0:
            raise failure
        return results

    def lookup(self, ref: DocumentRef) -> list[DocumentResult]:
        """ProviderClient.lookup: every attempt JSIFEN knows for the document, by CDC.

        JSIFEN can only be asked by CDC, so a document without one cannot be reconciled
        (OutcomeUnknown: it stays UNKNOWN rather than risk a second issue).

        A "not found" within ``reconcile_grace_s`` of a submit whose answer this client
        lost is not believed (see RECONCILE_GRACE_S): the DE may still wait in its lote.
        The answer is then one PROCESSING attempt without a lote ("Sin confirmar"), so the
        engine keeps the document SUBMITTED and polls it by CDC; once the grace is over,
        ``poll`` reports it NOT_FOUND and the next lookup lets it be queued again. Raising
        instead would back the whole profile off for as long as the grace lasts.
        """
        if not ref.cdc:
            raise OutcomeUnknown(
                "JSIFEN solo se consulta por CDC y este documento no tiene; configure el "
                "RUC del emisor en el perfil. No se reenviará hasta saber su resultado."
            )
        attempts = [replace(a, local_id=ref.local_id) for a in self.consulta_de(ref.cdc)]
        if attempts:
            self._lost.pop(ref.cdc, None)
            return attempts
        if self._within_grace(ref.cdc, ref.sent_at):
            return [DocumentResult(
                outcome=Outcome.PROCESSING, local_id=ref.local_id, cdc=ref.cdc,
                message=("SIFEN todavía no informa este CDC: puede seguir en su lote; "
                         "se volverá a consultar antes de reenviar."),
                provider_status=UNCONFIRMED,
            )]
        self._lost.pop(ref.cdc, None)
        return []

    def _within_grace(self, cdc: str, sent_at: datetime | None = None) -> bool:
        """Is a "not found" for this CDC still too early to believe? Measured from the
        lost answer this client saw, else from when the engine recorded the request
        leaving (DocumentRef.sent_at) — which survives a crash and a restart."""
        lost_at = self._lost.get(cdc)
        if lost_at is not None:
            return self._clock() - lost_at < self.reconcile_grace_s
        if sent_at is not None:
            return (datetime.now(UTC) - sent_at).total_seconds() < self.reconcile_grace_s
        return False

    def probe(self) -> None:
        """Is JSIFEN reachable and are token and Emisor right? Asks for a lote that
        cannot exist (PROBE_LOTE): authenticated, creates nothing, and a misconfigured
        Emisor shows up as the gateway's "Error interno" text."""
        self.consulta_lote(PROBE_LOTE)

    # -- JSIFEN's own calls --------------------------------------------------------------

    def consulta_lote(self, lote: str) -> LoteStatus:
        response = self._post(CONSULTA_LOTE_PATH, {"lote": str(lote)})
        return parse_consulta_lote(response.status_code, response.content)

    def consulta_de(self, cdc: str) -> list[DocumentResult]:
        response = self._post(CONSULTA_DE_PATH, {"cdc": cdc})
        return parse_consulta_de(response.status_code, response.content, cdc)

    def cancel(self, cdc: str, motivo: str) -> CancelResult:
        """Cancel an approved DE (SIFEN event "cancelación"; within 48 h of approval for a
        factura, 168 h for other types — PROVIDERS.md). Not used by the engine yet.

        The motivo must have 5 to 500 characters (MT v150 GEC002 mMotEve) and the CDC
        must be well formed: otherwise nothing is sent (ValueError).
        """
        if not is_valid_cdc(cdc):
            raise ValueError(f"not a valid CDC: {cdc!r}")
        motivo = motivo.strip()
        if not 5 <= len(motivo) <= 500:
            raise ValueError("the motivo of a cancelación must have 5 to 500 characters")
        response = self._post(CANCELAR_PATH, {"cdc": cdc, "motivo": motivo})
        return parse_cancel_response(response.status_code, response.content, cdc)

    def _post(self, path: str, payload: Any) -> httpx.Response:
        content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        response = send(self._http, "POST", path, content=content)
        log.debug("JSIFEN POST %s -> %s", path, response.status_code)
        return response


# -- helpers -------------------------------------------------------------------------------


def _json_object(status: int, body: bytes | str, *, tail: str) -> dict[str, Any]:
    """Decode a JSON object answer or classify the failure (module docstring)."""
    if status in (401, 403):
        raise CallRefused(_AUTH_MESSAGE, auth=True, code=str(status))
    data = _decode(body)
    if 200 <= status < 300 and isinstance(data, dict):
        error = data.get("error")
        if error and len(data) == 1:
            raise OutcomeUnknown(f"JSIFEN respondió «{_short(error)}»; {tail}")
        return data
    detail = _error_text(status, body, data)
    raise OutcomeUnknown(f"{detail}; {tail}")


def _error_text(status: int, body: bytes | str, data: Any) -> str:
    """The gateway's own words when it gave any: "Error interno: ..." as plain text, or
    ``{"error": ...}`` (consulta/de/json); HTML pages and truncated JSON say nothing."""
    if isinstance(data, dict) and data.get("error"):
        return f"JSIFEN respondió HTTP {status}: «{_short(data['error'])}»"
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = text.strip()
    if text.lower().startswith("error interno"):
        return f"JSIFEN respondió HTTP {status}: «{_short(text)}»"
    if 200 <= status < 300:
        return _UNREADABLE
    return f"{_UNREADABLE} (HTTP {status})"


def _short(value: Any, limit: int = 300) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _decode(body: bytes | str) -> Any:
    return decode_json(body)


def _local(key: str) -> str:
    """ "ns2:dCodRes" -> "dcodres": the local name, case-folded."""
    return key.rsplit(":", 1)[-1].lower()


def _walk(data: Any) -> Iterator[tuple[str, Any]]:
    """Every (local key, value) pair at any depth, breadth first (outer keys win)."""
    queue: list[Any] = [data]
    while queue:
        node = queue.pop(0)
        if isinstance(node, dict):
            for key, value in node.items():
                yield _local(str(key)), value
                if isinstance(value, dict | list):
                    queue.append(value)
        elif isinstance(node, list):
            queue.extend(v for v in node if isinstance(v, dict | list))


def _find(data: Any, *names: str, containers: bool = False) -> Any:
    """The first value under any of `names` (local, case-insensitive) at any depth.

    Scalars only unless `containers`; then the first dict or list instead."""
    wanted = {n.lower() for n in names}
    for key, value in _walk(data):
        if key not in wanted or value is None:
            continue
        if isinstance(value, dict | list) == containers:
            return value
    return None


def _get(entry: Mapping[str, Any], *names: str) -> Any:
    """A direct key of `entry` by local, case-insensitive name."""
    wanted = {n.lower() for n in names}
    for key, value in entry.items():
        if _local(str(key)) in wanted and value is not None:
            return value
    return None


def _code(value: Any) -> str | None:
    """SIFEN codes as four-digit text: 300 -> "0300", "160" -> "0160"; the seed's
    one-digit lote codes ("0", "1") and non-numeric codes are kept as given."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        return None
    return text.zfill(4) if text.isdigit() and len(text) == 3 else text


def _lote_text(value: Any) -> str | None:
    """A lote number as text. An int is exact; a float has lost digits (17-digit
    numbers do not fit a double), so it is not a usable lote number."""
    if value is None or isinstance(value, bool | float):
        return None
    text = str(value).strip()
    return text if text.isdigit() else None


def _numero_from_timbrado(timbrado: Any) -> str | None:
    if not isinstance(timbrado, dict):
        return None
    parts = (_get(timbrado, "dEst"), _get(timbrado, "dPunExp"), _get(timbrado, "dNumDoc"))
    try:
        est, pun, num = (int(str(p)) for p in parts)
    except (TypeError, ValueError):
        return None
    return f"{est:03d}-{pun:03d}-{num:07d}"


def _fold(value: Any) -> str:
    text = str(value or "").strip().lower()
    return text.translate(str.maketrans("áéíóúü", "aeiouu"))



def _put_coded(out: dict[str, Any], code_key: str, desc_key: str, code: Any,
               table: Mapping[Any, str]) -> None:
    out[code_key] = code
    description = table.get(code)
    if description:
        out[desc_key] = description


def _code3(value: str) -> str:
    return f"{int(value):03d}" if value.strip().isdigit() else value


def _security_code(value: str) -> str:
    text = value.strip()
    return f"{int(text):09d}" if text.isdigit() else text


def _emisor(text: str) -> Ruc:
    ruc = parse_ruc(text)
    if ruc is None or mod11_check_digit(ruc.base) != ruc.dv:
        raise ValueError(f"invalid emisor RUC: {text!r}")
    return ruc


def _responsable(usuario: Mapping[str, Any]) -> dict[str, Any]:
    """D2.2 gRespDE, who issued the DE, from FacturaSend's ``usuario``."""
    out: dict[str, Any] = {}
    tipo = as_int(usuario.get("documentoTipo"))
    if tipo is not None:
        _put_coded(out, "iTipIDRespDE", "dDTipIDRespDE", tipo, TIPOS_DOCUMENTO_IDENTIDAD)
    for source, target in (("documentoNumero", "dNumIDRespDE"), ("nombre", "dNomRespDE"),
                           ("cargo", "dCarRespDE")):
        if usuario.get(source) not in (None, ""):
            out[target] = usuario[source]
    return out


def _credito(credito: Mapping[str, Any]) -> dict[str, Any]:
    """E7.2 gPagCred (flat, as JSIFEN's body carries groups) from FacturaSend's credito."""
    out: dict[str, Any] = {}
    tipo = as_int(credito.get("tipo"))
    if tipo is not None:
        _put_coded(out, "iCondCred", "dDCondCred", tipo, CONDICIONES_CREDITO)
    for source, target in (("plazo", "dPlazoCre"), ("cuotas", "dCuotas"),
                           ("montoEntrega", "dMonEnt")):
        if credito.get(source) is not None:
            out[target] = credito[source]
    cuotas = []
    for cuota in as_list(credito.get("infoCuotas")):
        if not isinstance(cuota, dict):
            continue
        entry: dict[str, Any] = {}
        if cuota.get("moneda"):
            _put_coded(entry, "cMoneCuo", "dDMoneCuo", cuota["moneda"], MONEDAS)
        for source, target in (("monto", "dMonCuota"), ("vencimiento", "dVencCuo")):
            if cuota.get(source) is not None:
                entry[target] = cuota[source]
        cuotas.append(entry)
    if cuotas:
        out["gCuotas"] = cuotas
    return out


def create_client(*, base_url: str, tenant: str | None, api_key: str,
                  emisor_ruc: str | None = None,
                  timeout: float | httpx.Timeout | None = None) -> JsifenClient:
    """Registry entry point (providers/registry.py). JSIFEN is self-hosted, one
    installation per company: it has no tenant, so `tenant` is ignored.

    `LOTE_JSIFEN_GRACE_S` overrides RECONCILE_GRACE_S: the sandbox processes a lote in
    a fraction of a second, so soak runs compress the grace as they compress SIFEN."""
    grace = float(os.environ.get("LOTE_JSIFEN_GRACE_S", RECONCILE_GRACE_S))
    return JsifenClient(base_url, api_key, emisor_ruc=emisor_ruc, timeout=timeout,
                        reconcile_grace_s=grace)

