"""What a printed document says, country by country, before anything is painted.

`printable_for(db, doc_id, layout)` reads one stored document and returns a `Printable`:
plain strings and rows, the QR text and whether the document is valid yet. The painter
(`printing.py`) only lays them out, so every rule about *content* — the KuDE's CDC in
blocks of four, ARCA's CAE and its expiry, SIAT's CUF, the "not yet approved" mark —
lives here and is tested without rendering.

- Paraguay: the KuDE (SIFEN MT v150 §13, "Representación gráfica del DE"): emisor, number,
  receptor, items with the value of sale split into Exentas / 5 % / 10 %, the IVA
  liquidation, the QR (`qr.sifen_qr_url`), the consultation text and the CDC.
- Argentina: the comprobante as ARCA requires it printed: letter and code, punto de
  venta and number, CAE and its expiry, the ARCA QR (`qr.arca_qr_payload`).
- Bolivia: the SIAT invoice: NIT, invoice number (CUCU's), CUF, the amount in words,
  the legends, and the SIN QR (`qr.siat_qr_url`).

Argentine and Bolivian payloads are read through their domain modules; when a payload
does not parse (an older or foreign shape), the printout falls back to the stored
summary columns and whatever the payload plainly holds, so a document is always
printable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from desktop_app.documents import qr as qrcodes
from desktop_app.domain.cdc import format_cdc
from desktop_app.domain.money import format_amount, to_decimal
from desktop_app.domain.states import DocState
from desktop_app.store.db import Database
from desktop_app.store.models import Document, ProviderProfile

LAYOUTS = ("a4", "ticket")

#: States in which the printout is a valid fiscal document.
VALID_STATES = frozenset({DocState.APPROVED.value, DocState.APPROVED_WITH_OBSERVATIONS.value})

#: The diagonal band of a printout that is not (or no longer) a valid document.
PENDING_MARK = "NO VÁLIDO — PENDIENTE DE APROBACIÓN"
_MARKS = {
    DocState.REJECTED.value: "NO VÁLIDO — RECHAZADO",
    DocState.CANCELLED.value: "NO VÁLIDO — ANULADO",
    DocState.VOIDED.value: "NO VÁLIDO — NÚMERO INUTILIZADO",
    DocState.CANCEL_REQUESTED.value: "NO VÁLIDO — ANULACIÓN SOLICITADA",
}

AUTHORITY = {"PY": "SIFEN", "AR": "ARCA", "BO": "SIAT"}


def state_label(state: str, processing: bool = False) -> str:
    """The state in the table's words ("Encolado", "Procesando"): gui/labels.py is the
    one place that spells them."""
    from desktop_app.gui.labels import state_style

    return state_style(state, processing).label


# -- the stored document ---------------------------------------------------------------


@dataclass(frozen=True)
class StoredDocument:
    """A detached snapshot of a document row and its profile."""

    id: int
    country: str
    state: str
    processing: bool
    tipo_documento: int
    establecimiento: str
    punto: str
    numero: int
    fecha: datetime
    customer_name: str
    customer_tax_id: str
    currency: str
    total: Decimal
    iva_total: Decimal
    cdc: str | None
    cuf: str | None
    cae: str | None
    cae_expiry: str | None
    provider_number: str | None
    observations: str | None
    external_ref: str | None
    lote_id: int | None
    payload: dict[str, Any]
    provider_qr: str | None
    emisor_ruc: str
    emisor_name: str
    profile_name: str
    profile_id: int


def _provider_qr(row: Document, payload: dict[str, Any]) -> str | None:
    """A QR text the provider gave (FacturaSend answers ``qr`` when asked with qr=true,
    SIFEN's XML has ``dCarQR``), wherever the store keeps it: a ``qr`` column if the
    schema has one, else the payload or Lote's local ``_lote`` block."""
    candidates: list[Any] = [getattr(row, "qr", None), payload.get("qr"), payload.get("dCarQR")]
    fu = payload.get("gCamFuFD")
    if isinstance(fu, dict):
        candidates.append(fu.get("dCarQR"))
    local = payload.get("_lote")
    if isinstance(local, dict):
        candidates.append(local.get("qr"))
    for value in candidates:
        if isinstance(value, str) and value.strip():
            return value.strip().replace("&amp;", "&")
    return None


def load_document(db: Database, doc_id: int) -> StoredDocument:
    """Raises LookupError when there is no such document."""
    with db.session() as s:
        row = s.get(Document, doc_id)
        if row is None:
            raise LookupError(f"no existe el documento {doc_id}")
        profile = s.get(ProviderProfile, row.profile_id)
        assert profile is not None and row.id is not None
        try:
            payload = json.loads(row.payload)
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        return StoredDocument(
            id=row.id,
            country=profile.country,
            state=row.state,
            processing=row.processing,
            tipo_documento=row.tipo_documento,
            establecimiento=row.establecimiento,
            punto=row.punto,
            numero=row.numero,
            fecha=row.fecha,
            customer_name=row.customer_name,
            customer_tax_id=row.customer_tax_id,
            currency=row.currency,
            total=Decimal(row.total),
            iva_total=Decimal(row.iva_total),
            cdc=row.cdc,
            cuf=row.cuf,
            cae=row.cae,
            cae_expiry=row.cae_expiry,
            provider_number=row.provider_number,
            observations=row.observations,
            external_ref=row.external_ref,
            lote_id=row.lote_id,
            payload=payload,
            provider_qr=_provider_qr(row, payload),
            emisor_ruc=profile.emisor_ruc or "",
            emisor_name=profile.emisor_name or profile.name,
            profile_name=profile.name,
            profile_id=row.profile_id,
        )


# -- what is printed ---------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """The item table of the A4 layout: relative column widths and alignments
    ("l", "r", "c")."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    weights: tuple[float, ...]
    aligns: tuple[str, ...]


@dataclass(frozen=True)
class TicketItem:
    """One item on the 80 mm roll: the description, then "2 x 55.000 (10 %)" and the
    amount on a line of their own."""

    description: str
    detail: str
    amount: str


@dataclass
class Printable:
    country: str
    title: str
    number: str
    emisor: list[str]
    facts: list[tuple[str, str]]
    customer: list[tuple[str, str]]
    table: Table
    ticket_items: list[TicketItem]
    totals: list[tuple[str, str, bool]]  # label, value, emphasised
    authority: list[tuple[str, str]]  # CDC / CAE / CUF lines, shown large
    state: str
    state_label: str
    valid: bool
    mark: str | None  # the diagonal band; None when the document is valid
    notice: str | None  # the header line of a not-yet-valid printout
    letter: str | None = None  # Argentina: A / B / C, printed in a box
    letter_code: str | None = None  # "COD. 06"
    qr: str | None = None
    qr_caption: list[str] = field(default_factory=list)
    qr_provisional: bool = False
    qr_placeholder: str | None = None  # said where the QR would be when there is none yet
    legends: list[str] = field(default_factory=list)
    amount_in_words: str | None = None


def printable_for(db: Database, doc_id: int, layout: str = "a4") -> Printable:
    """The printout of one document (LookupError when it does not exist)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
    return printable_from(load_document(db, doc_id), layout)


def printable_from(doc: StoredDocument, layout: str = "a4") -> Printable:
    builders = {"PY": _paraguay, "AR": _argentina, "BO": _bolivia}
    builder = builders.get(doc.country, _generic)
    return builder(doc, layout)


def _validity(doc: StoredDocument) -> tuple[bool, str | None, str | None]:
    valid = doc.state in VALID_STATES
    if valid:
        return True, None, None
    mark = _MARKS.get(doc.state, PENDING_MARK)
    authority = AUTHORITY.get(doc.country, "la autoridad tributaria")
    label = state_label(doc.state, doc.processing)
    if mark == PENDING_MARK:
        notice = (
            f"DOCUMENTO NO VÁLIDO: aún no fue aprobado por {authority} (estado: {label}). "
            "Reimprímalo cuando esté aprobado."
        )
    else:
        notice = f"DOCUMENTO NO VÁLIDO como comprobante (estado: {label})."
    return False, mark, notice


def _base(doc: StoredDocument, **kw: Any) -> Printable:
    valid, mark, notice = _validity(doc)
    return Printable(
        country=doc.country,
        state=doc.state,
        state_label=state_label(doc.state, doc.processing),
        valid=valid,
        mark=mark,
        notice=notice,
        **kw,
    )


def _fecha_text(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    return value.strftime("%d/%m/%Y")


def _qty(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
    return text.replace(".", ",")


# -- Paraguay: the KuDE -----------------------------------------------------------------------

_PY_TITLES = {
    1: "Factura electrónica",
    4: "Autofactura electrónica",
    5: "Nota de crédito electrónica",
    6: "Nota de débito electrónica",
    7: "Nota de remisión electrónica",
}
_PY_DOC_TYPES = {
    1: "C.I.",
    2: "Pasaporte",
    3: "C.I. extranjera",
    4: "Carnet de residencia",
    5: "Innominado",
    6: "Tarjeta diplomática",
    9: "Documento",
}
_PY_CONSULTA_TEXT = "Consulte la validez de esta {doc} con el número de CDC impreso abajo en:"
_PY_LEGENDS = (
    "ESTE DOCUMENTO ES UNA REPRESENTACIÓN GRÁFICA DE UN DOCUMENTO ELECTRÓNICO (XML)",
    "Si su documento electrónico presenta algún error, podrá solicitar la modificación "
    "dentro de las 72 horas siguientes de la emisión de este comprobante.",
)


def _paraguay(doc: StoredDocument, layout: str) -> Printable:
    from desktop_app.domain.document import document_from_json
    from desktop_app.domain.numbering import format_numero
    from desktop_app.domain.totals import document_totals, item_amounts

    de, _ = document_from_json(doc.payload)
    currency = doc.currency

    def money(value: Decimal) -> str:
        return format_amount(value, currency)

    title = _PY_TITLES.get(doc.tipo_documento, "Documento electrónico")
    try:
        number = format_numero(doc.establecimiento, doc.punto, doc.numero)
    except ValueError:
        number = f"{doc.establecimiento}-{doc.punto}-{doc.numero}"
    emisor = [doc.emisor_name, f"RUC {doc.emisor_ruc}"]
    timbrado = doc.payload.get("timbrado") or doc.payload.get("timbradoNumero")
    if timbrado:
        emisor.append(f"Timbrado N° {timbrado}")
    facts: list[tuple[str, str]] = [("Fecha y hora de emisión", _fecha_text(doc.fecha))]
    customer: list[tuple[str, str]] = []
    headers = ("Cód.", "Descripción", "Cant.", "Precio unit.", "Exentas", "5 %", "10 %")
    rows: list[tuple[str, ...]] = []
    ticket: list[TicketItem] = []
    totals: list[tuple[str, str, bool]] = []
    qr_text: str | None = doc.provider_qr
    provisional = False
    if de is not None:
        condicion = "Contado" if de.condicion_tipo == 1 else "Crédito"
        if de.condicion_tipo == 2 and de.credito:
            plazo, cuotas = de.credito.get("plazo"), de.credito.get("cuotas")
            condicion += f" ({plazo})" if plazo else (f" ({cuotas} cuotas)" if cuotas else "")
        facts.append(("Condición de venta", condicion))
        facts.append(("Moneda", "Guaraní (PYG)" if de.moneda == "PYG" else de.moneda))
        cambio = de.extra.get("cambio")
        if de.moneda != "PYG" and cambio:
            facts.append(("Tipo de cambio", str(cambio)))
        cli = de.cliente
        if cli.contribuyente:
            customer.append(("RUC", cli.ruc or ""))
        elif cli.documento_tipo == 5 or not cli.documento_numero:
            customer.append(("Documento", "Innominado"))
        else:
            kind = _PY_DOC_TYPES.get(cli.documento_tipo or 1, "Documento")
            customer.append((kind, cli.documento_numero or ""))
        customer.append(("Nombre o razón social", cli.razon_social))
        for label, value in (
            ("Dirección", cli.direccion),
            ("Correo", cli.email),
            ("Teléfono", cli.telefono),
        ):
            if value:
                customer.append((label, value))
        t = document_totals(de)
        for item in de.items:
            amounts = item_amounts(item, de.moneda)
            taxed = amounts.total - amounts.exenta
            cols = {0: amounts.exenta, 5: Decimal(0), 10: Decimal(0)}
            if amounts.rate in (5, 10):
                cols[amounts.rate] += taxed
            rows.append(
                (
                    item.codigo or "",
                    item.descripcion,
                    _qty(item.cantidad),
                    money(item.precio_unitario),
                    *(money(cols[r]) if cols[r] else "" for r in (0, 5, 10)),
                )
            )
            rate = f"{amounts.rate} %" if amounts.rate else "exenta"
            ticket.append(
                TicketItem(
                    item.descripcion,
                    f"{_qty(item.cantidad)} x {money(item.precio_unitario)} ({rate})",
                    money(amounts.total),
                )
            )
        totals += [
            ("Subtotal exentas", money(t.exenta), False),
            ("Subtotal 5 %", money(t.gravada_5 + t.iva_5), False),
            ("Subtotal 10 %", money(t.gravada_10 + t.iva_10), False),
            (f"TOTAL DE LA OPERACIÓN ({de.moneda})", money(t.total), True),
            ("Liquidación del IVA (5 %)", money(t.iva_5), False),
            ("Liquidación del IVA (10 %)", money(t.iva_10), False),
            ("Total IVA", money(t.iva_total), False),
        ]
        if qr_text is None and doc.cdc:
            qr_text = qrcodes.sifen_qr_url(
                qrcodes.SifenQrData(
                    cdc=doc.cdc,
                    fecha_emision=de.fecha.strftime("%Y-%m-%dT%H:%M:%S"),
                    total=t.total,
                    total_iva=t.iva_total,
                    items=len(de.items),
                    receptor_ruc=cli.ruc if cli.contribuyente else None,
                    receptor_documento=None if cli.contribuyente else (cli.documento_numero or "0"),
                    digest_value=str(doc.payload.get("digestValue") or ""),
                )
            )
            provisional = True
    else:
        customer = [
            ("RUC / documento", doc.customer_tax_id),
            ("Nombre o razón social", doc.customer_name),
        ]
        totals = [
            (f"TOTAL DE LA OPERACIÓN ({currency})", money(doc.total), True),
            ("Total IVA", money(doc.iva_total), False),
        ]
    if qr_text is not None and not provisional:
        provisional = not qrcodes.is_complete_sifen_qr(qr_text)
    authority = [("CDC", format_cdc(doc.cdc))] if doc.cdc else []
    caption = [_PY_CONSULTA_TEXT.format(doc=title.lower()), qrcodes.SIFEN_CONSULTA_URL]
    out = _base(
        doc,
        title=f"KuDE de {title}",
        number=number,
        emisor=emisor,
        facts=facts,
        customer=customer,
        table=Table(
            headers,
            tuple(rows),
            (1.2, 4.2, 1.0, 1.6, 1.6, 1.6, 1.6),
            ("l", "l", "r", "r", "r", "r", "r"),
        ),
        ticket_items=ticket,
        totals=totals,
        authority=authority,
        qr=qr_text,
        qr_caption=caption,
        qr_provisional=provisional and qr_text is not None,
        legends=list(_PY_LEGENDS),
    )
    if out.qr is None:
        out.qr_placeholder = "Sin CDC: el QR se imprime cuando el documento tenga su CDC."
    if doc.observations and out.valid:
        out.legends.insert(0, f"Aprobado con observaciones: {doc.observations}")
    return out


# -- Argentina: ARCA ---------------------------------------------------------------------------

_AR_CONDICIONES = {
    "RI": "IVA Responsable Inscripto",
    "M": "Responsable Monotributo",
    "E": "IVA Sujeto Exento",
    "CF": "Consumidor Final",
}
_AR_LEGEND = (
    "Comprobante autorizado. Esta Agencia no se responsabiliza por los datos "
    "ingresados en el detalle de la operación."
)


def _ar_money(value: Decimal) -> str:
    return format_amount(value, "ARS")


def _ar_official_number(doc: StoredDocument) -> tuple[int, int]:
    """(punto de venta, número): TusFacturas' ``comprobante_nro`` when stored, else
    Lote's own (they agree unless the provider renumbered)."""
    from desktop_app.domain import argentina

    parsed = argentina.parse_comprobante_nro(doc.provider_number) if doc.provider_number else None
    if parsed:
        return parsed
    try:
        return int(doc.punto), doc.numero
    except ValueError:
        return 0, doc.numero


def _argentina(doc: StoredDocument, layout: str) -> Printable:
    from desktop_app.domain import argentina
    from desktop_app.domain.cuit import format_cuit, normalise_cuit

    punto_venta, numero = _ar_official_number(doc)
    tipo = doc.tipo_documento
    name = argentina.COMPROBANTE_TIPOS.get(tipo, f"COMPROBANTE {tipo}")
    letter = name[-1] if name[-1] in "ABC" and name[-2] == " " else None
    title = name[:-2] if letter else name
    cuit = normalise_cuit(doc.emisor_ruc)
    emisor = [doc.emisor_name, f"CUIT {format_cuit(cuit) if len(cuit) == 11 else doc.emisor_ruc}"]
    parsed, _ = argentina.document_from_json(doc.payload)
    fecha: date = doc.fecha.date()
    facts: list[tuple[str, str]] = []
    customer: list[tuple[str, str]] = []
    rows: list[tuple[str, ...]] = []
    ticket: list[TicketItem] = []
    totals: list[tuple[str, str, bool]] = []
    moneda, cotizacion = doc.currency, Decimal(1)
    doc_tipo: str | None = None
    doc_nro: str | None = None
    if parsed is not None:
        k, c = parsed.comprobante, parsed.cliente
        fecha = k.fecha or fecha
        moneda, cotizacion = k.moneda, k.cotizacion
        doc_tipo, doc_nro = c.documento_tipo, c.documento_nro
        facts.append(("Fecha de emisión", _fecha_text(fecha)))
        if c.condicion_pago and not c.condicion_pago.isdigit():  # a code says nothing
            facts.append(("Condición de venta", c.condicion_pago))
        if k.periodo_facturado_desde or k.periodo_facturado_hasta:
            desde = _fecha_text(k.periodo_facturado_desde) if k.periodo_facturado_desde else ""
            hasta = _fecha_text(k.periodo_facturado_hasta) if k.periodo_facturado_hasta else ""
            facts.append(("Período facturado", f"{desde} a {hasta}"))
        if k.vencimiento:
            facts.append(("Vencimiento del pago", _fecha_text(k.vencimiento)))
        facts.append(("Moneda", "Pesos (PES)" if moneda == argentina.PESOS else moneda))
        if moneda != argentina.PESOS:
            facts.append(("Cotización", str(cotizacion)))
        customer = [
            ("Razón social", c.razon_social),
            (c.documento_tipo, c.documento_nro),
            ("Condición frente al IVA", _AR_CONDICIONES.get(c.condicion_iva, c.condicion_iva)),
        ]
        if c.domicilio:
            province = c.provincia if c.provincia and not c.provincia.isdigit() else None
            customer.append(("Domicilio", c.domicilio + (f", {province}" if province else "")))
        t = argentina.document_totals(parsed)
        with_iva = letter == "B"  # a B prints prices with IVA included; A net; C final
        for item in k.detalle:
            p = item.producto
            net = argentina.line_net(item)
            rate = p.alicuota
            factor = (1 + rate / 100) if with_iva and rate > 0 else Decimal(1)
            unit = argentina.q2(p.precio_unitario_sin_iva * factor)
            amount = argentina.q2(net * factor)
            rate_text = (
                "exento"
                if rate == argentina.EXENTO
                else "no gravado"
                if rate == argentina.NO_GRAVADO
                else f"{_qty(rate)} %"
            )
            bonif = _qty(item.bonificacion_porcentaje) if item.bonificacion_porcentaje else ""
            rows.append(
                (
                    p.codigo or "",
                    p.descripcion,
                    _qty(item.cantidad),
                    _ar_money(unit),
                    bonif,
                    rate_text if letter != "C" else "",
                    _ar_money(amount),
                )
            )
            ticket.append(
                TicketItem(
                    p.descripcion,
                    f"{_qty(item.cantidad)} x {_ar_money(unit)}"
                    + (f" ({rate_text})" if letter != "C" else ""),
                    _ar_money(amount),
                )
            )
        if letter == "A":
            totals.append(("Importe neto gravado", _ar_money(t.neto_gravado), False))
            for line in t.iva:
                totals.append((f"IVA {_qty(line.alicuota)} %", _ar_money(line.importe), False))
            if t.no_gravado:
                totals.append(("Importe no gravado", _ar_money(t.no_gravado), False))
            if t.exento:
                totals.append(("Importe exento", _ar_money(t.exento), False))
        else:
            totals.append(("Subtotal", _ar_money(t.total - t.tributos), False))
        if t.tributos:
            totals.append(("Otros tributos", _ar_money(t.tributos), False))
        totals.append((f"IMPORTE TOTAL ({moneda})", _ar_money(t.total), True))
        if letter == "B":
            totals.append(("IVA contenido (Ley 27.743)", _ar_money(t.iva_total), False))
        total = t.total
    else:
        facts.append(("Fecha de emisión", _fecha_text(fecha)))
        cliente = doc.payload.get("cliente") if isinstance(doc.payload.get("cliente"), dict) else {}
        assert isinstance(cliente, dict)
        doc_tipo = str(cliente.get("documento_tipo") or "") or None
        doc_nro = doc.customer_tax_id
        customer = [("Razón social", doc.customer_name), (doc_tipo or "Documento", doc_nro)]
        rows, ticket = _loose_items(doc.payload, ("comprobante", "detalle"), _ar_money)
        totals = [(f"IMPORTE TOTAL ({doc.currency})", _ar_money(doc.total), True)]
        total = doc.total
    number = argentina.format_comprobante_nro(punto_venta, numero)
    cae = argentina.parse_cae(doc.cae) if doc.cae else None
    expiry = argentina.parse_afip_date(doc.cae_expiry) if doc.cae_expiry else None
    authority: list[tuple[str, str]] = []
    qr_text: str | None = None
    if cae:
        authority.append(("CAE N°", cae))
        if expiry:
            authority.append(("Fecha de Vto. de CAE", _fecha_text(expiry)))
        doc_code = qrcodes.ARCA_DOC_TYPES.get((doc_tipo or "").upper(), qrcodes.ARCA_DOC_OTRO)
        qr_text = qrcodes.arca_qr_url(
            qrcodes.arca_qr_payload(
                fecha=fecha,
                cuit=cuit,
                punto_venta=punto_venta,
                tipo_comprobante=tipo,
                numero=numero,
                importe=total,
                moneda=moneda,
                cotizacion=cotizacion,
                cae=cae,
                tipo_doc_receptor=doc_code,
                nro_doc_receptor=doc_nro or 0,
            )
        )
    out = _base(
        doc,
        title=title,
        number=number,
        emisor=emisor,
        facts=facts,
        customer=customer,
        table=Table(
            ("Código", "Descripción", "Cant.", "Precio unit.", "% Bonif.", "Alícuota", "Subtotal"),
            tuple(rows),
            (1.2, 4.4, 1.0, 1.7, 1.0, 1.2, 1.7),
            ("l", "l", "r", "r", "r", "r", "r"),
        ),
        ticket_items=ticket,
        totals=totals,
        authority=authority,
        letter=letter,
        letter_code=f"COD. {tipo:02d}",
        qr=qr_text,
        qr_caption=[_AR_LEGEND] if qr_text else [],
    )
    if qr_text is None:
        out.qr_placeholder = "Sin CAE todavía: el QR de ARCA se imprime con el CAE."
    if doc.observations:
        out.legends.append(f"Observaciones de ARCA: {doc.observations}")
    return out


# -- Bolivia: SIAT -------------------------------------------------------------------------------

_BO_DOC_TYPES = {1: "CI", 2: "CEX", 3: "PAS", 4: "OD", 5: "NIT"}
_BO_LEGENDS = (
    "ESTA FACTURA CONTRIBUYE AL DESARROLLO DEL PAÍS, EL USO ILÍCITO SERÁ SANCIONADO "
    "PENALMENTE DE ACUERDO A LEY",
    "Ley N° 453: El proveedor deberá suministrar el servicio en las modalidades y términos "
    "ofertados o convenidos.",
    "“Este documento es la Representación Gráfica de un Documento Fiscal Digital emitido "
    "en una modalidad de facturación en línea”",
)


def _bo_money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _bolivia(doc: StoredDocument, layout: str) -> Printable:
    from desktop_app.domain import bolivia

    invoice, _ = bolivia.invoice_from_json(doc.payload)
    emisor = [doc.emisor_name, f"NIT {doc.emisor_ruc}"]
    sucursal = doc.establecimiento or "0"
    emisor.append("Casa Matriz" if sucursal in ("0", "") else f"Sucursal N° {sucursal}")
    emisor.append(f"Punto de venta: {doc.punto}")
    facts = [("Fecha", _fecha_text(doc.fecha))]
    rows: list[tuple[str, ...]] = []
    ticket: list[TicketItem] = []
    totals: list[tuple[str, str, bool]] = []
    total = doc.total
    if invoice is not None:
        kind = _BO_DOC_TYPES.get(invoice.client_document_type, "Doc.")
        number = invoice.client_document_number
        if invoice.client_complement:
            number += f"-{invoice.client_complement}"
        customer = [("Nombre/Razón social", invoice.client_business_name), (f"{kind}", number)]
        payment = bolivia.PAYMENT_METHODS.get(invoice.payment_method_code)
        if payment:
            facts.append(("Método de pago", payment.capitalize()))
        subtotal = discount = Decimal("0.00")
        for d in invoice.details:
            gross = bolivia.to_cents(d.quantity * d.unit_price)
            subtotal += gross
            discount += d.discount_amount
            unit = bolivia.UNIT_MEASURES.get(d.unit_measure, str(d.unit_measure))
            rows.append(
                (
                    d.sin_product_code,
                    _qty(d.quantity),
                    unit.capitalize(),
                    d.description,
                    _bo_money(d.unit_price),
                    _bo_money(d.discount_amount),
                    _bo_money(d.subtotal),
                )
            )
            ticket.append(
                TicketItem(
                    d.description,
                    f"{_qty(d.quantity)} x {_bo_money(d.unit_price)}"
                    + (f" - desc. {_bo_money(d.discount_amount)}" if d.discount_amount else ""),
                    _bo_money(d.subtotal),
                )
            )
        total = invoice.total
        totals = [
            ("SUBTOTAL Bs", _bo_money(subtotal), False),
            ("DESCUENTO Bs", _bo_money(discount), False),
            ("TOTAL Bs", _bo_money(total), True),
            ("MONTO A PAGAR Bs", _bo_money(total), True),
            ("IMPORTE BASE CRÉDITO FISCAL Bs", _bo_money(total), False),
        ]
    else:
        customer = [("Nombre/Razón social", doc.customer_name), ("NIT/CI/CEX", doc.customer_tax_id)]
        rows, ticket = _loose_items(doc.payload, ("details",), _bo_money)
        totals = [("TOTAL Bs", _bo_money(total), True)]
    authority: list[tuple[str, str]] = []
    if doc.provider_number:
        authority.append(("Factura N°", doc.provider_number))
    if doc.cuf:
        authority.append(("CUF", doc.cuf))
    qr_text = None
    if doc.cuf and doc.provider_number:
        size = qrcodes.SIAT_SIZE_ROLL if layout == "ticket" else qrcodes.SIAT_SIZE_PAGE
        qr_text = qrcodes.siat_qr_url(doc.emisor_ruc, doc.cuf, doc.provider_number, size=size)
    number = doc.provider_number or f"(local {doc.numero})"
    out = _base(
        doc,
        title="FACTURA",
        number=number,
        emisor=emisor,
        facts=facts,
        customer=customer,
        table=Table(
            ("Código", "Cant.", "Unidad", "Descripción", "Precio unit.", "Descuento", "Subtotal"),
            tuple(rows),
            (1.3, 0.9, 1.2, 4.0, 1.5, 1.3, 1.5),
            ("l", "r", "l", "l", "r", "r", "r"),
        ),
        ticket_items=ticket,
        totals=totals,
        authority=authority,
        qr=qr_text,
        qr_caption=["Consulte esta factura en el SIN:", qrcodes.SIAT_QR_URL] if qr_text else [],
        legends=list(_BO_LEGENDS),
        amount_in_words=f"Son: {amount_in_words(total)} Bolivianos",
    )
    out.letter_code = "(Con Derecho a Crédito Fiscal)"
    if qr_text is None:
        out.qr_placeholder = (
            "Sin CUF todavía: el QR del SIN se imprime cuando SIAT emita la factura."
        )
    return out


def _generic(doc: StoredDocument, layout: str) -> Printable:
    def money(value: Decimal) -> str:
        return format_amount(value, doc.currency)

    return _base(
        doc,
        title="Documento",
        number=str(doc.numero),
        emisor=[doc.emisor_name, doc.emisor_ruc],
        facts=[("Fecha", _fecha_text(doc.fecha))],
        customer=[("Cliente", doc.customer_name), ("Documento", doc.customer_tax_id)],
        table=Table((), (), (), ()),
        ticket_items=[],
        totals=[("TOTAL", money(doc.total), True), ("IVA", money(doc.iva_total), False)],
        authority=[],
    )


def _loose_items(
    payload: dict[str, Any], path: tuple[str, ...], money: Any
) -> tuple[list[tuple[str, ...]], list[TicketItem]]:
    """Items read plainly from a payload that its domain module could not parse:
    description, quantity and a price where they are found under the usual keys."""
    node: Any = payload
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    rows: list[tuple[str, ...]] = []
    ticket: list[TicketItem] = []
    for entry in node if isinstance(node, list) else []:
        if not isinstance(entry, dict):
            continue
        product = entry.get("producto") if isinstance(entry.get("producto"), dict) else entry
        assert isinstance(product, dict)
        description = str(product.get("descripcion") or product.get("description") or "")
        quantity = to_decimal(entry.get("cantidad", entry.get("quantity"))) or Decimal(0)
        price = to_decimal(
            product.get("precio_unitario_sin_iva", product.get("unitPrice"))
        ) or Decimal(0)
        amount = quantity * price
        rows.append(("", _qty(quantity), "", description, money(price), "", money(amount)))
        ticket.append(TicketItem(description, f"{_qty(quantity)} x {money(price)}", money(amount)))
    return rows, ticket


# -- amounts in words (Bolivia prints "Son: ... Bolivianos") --------------------------------------

_UNITS = (
    "cero",
    "uno",
    "dos",
    "tres",
    "cuatro",
    "cinco",
    "seis",
    "siete",
    "ocho",
    "nueve",
    "diez",
    "once",
    "doce",
    "trece",
    "catorce",
    "quince",
    "dieciséis",
    "diecisiete",
    "dieciocho",
    "diecinueve",
    "veinte",
    "veintiuno",
    "veintidós",
    "veintitrés",
    "veinticuatro",
    "veinticinco",
    "veintiséis",
    "veintisiete",
    "veintiocho",
    "veintinueve",
)
_TENS = ("", "", "", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa")
_HUNDREDS = (
    "",
    "ciento",
    "doscientos",
    "trescientos",
    "cuatrocientos",
    "quinientos",
    "seiscientos",
    "setecientos",
    "ochocientos",
    "novecientos",
)


def _below_thousand(n: int) -> str:
    if n == 100:
        return "cien"
    hundreds, rest = divmod(n, 100)
    parts = [_HUNDREDS[hundreds]] if hundreds else []
    if rest:
        if rest < 30:
            parts.append(_UNITS[rest])
        else:
            tens, units = divmod(rest, 10)
            parts.append(_TENS[tens] + (f" y {_UNITS[units]}" if units else ""))
    return " ".join(parts)


def _apocope(words: str) -> str:
    """ "uno" before "mil"/"millones": "un", "veintiún", "treinta y un"."""
    if words.endswith("veintiuno"):
        return words[: -len("veintiuno")] + "veintiún"
    if words.endswith("uno"):
        return words[:-3] + "un"
    return words


def integer_in_words(n: int) -> str:
    """Spanish words for a non-negative integer below 10^12 ("ciento trece")."""
    if n < 0 or n >= 10**12:
        raise ValueError("out of range")
    if n == 0:
        return "cero"
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    parts: list[str] = []
    if millions:
        parts.append(
            "un millón" if millions == 1 else f"{_apocope(integer_in_words(millions))} millones"
        )
    if thousands:
        parts.append("mil" if thousands == 1 else f"{_apocope(_below_thousand(thousands))} mil")
    if units:
        parts.append(_below_thousand(units))
    return " ".join(parts)


def amount_in_words(amount: Decimal) -> str:
    """ "Ciento trece 50/100" — the integer part in words and the cents as a fraction,
    as Bolivian invoices print the total."""
    value = amount.quantize(Decimal("0.01"))
    whole = int(value)
    cents = int((value - whole) * 100)
    words = integer_in_words(whole)
    return f"{words[0].upper()}{words[1:]} {cents:02d}/100"
