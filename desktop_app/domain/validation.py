"""Business rules of a DE, checked before it is queued.

`validate_document` returns *every* broken rule (not the first), each as a
`ValidationError(field, message)` with the JSON path of the field and a Spanish message
a cashier understands. Rules follow SET's Manual Técnico v150 (field codes cited) so a
document Lote accepts is not rejected by SIFEN for the same reason hours later.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from desktop_app.domain.document import TIPOS_CON_CONDICION, Customer, Document, Item
from desktop_app.domain.errors import ValidationError, error, field_label
from desktop_app.domain.money import CURRENCY_DECIMALS, format_amount
from desktop_app.domain.ruc import ruc_error
from desktop_app.domain.totals import document_totals

__all__ = ["ValidationError", "field_label", "validate_document"]

#: C002 iTiDE: 1 factura, 4 autofactura, 5 nota de crédito, 6 nota de débito,
#: 7 nota de remisión (2, 3 and 8 are reserved for the future by SET).
TIPOS_DOCUMENTO = frozenset({1, 4, 5, 6, 7})
#: B002 iTipEmi: 1 normal, 2 contingencia.
TIPOS_EMISION = frozenset({1, 2})
#: D011 iTipTra: 1 venta de mercadería ... 13 muestras médicas.
TIPOS_TRANSACCION = frozenset(range(1, 14))
#: D013 iTipImp: 1 IVA, 2 ISC, 3 Renta, 4 ninguno, 5 IVA - Renta.
TIPOS_IMPUESTO = frozenset(range(1, 6))
#: D202 iTiOpe: 1 B2B, 2 B2C, 3 B2G, 4 B2F.
TIPOS_OPERACION = frozenset({1, 2, 3, 4})
#: D205 iTiContRec: 1 persona física, 2 persona jurídica.
TIPOS_CONTRIBUYENTE = frozenset({1, 2})
#: D208 iTipIDRec: 1 cédula paraguaya, 2 pasaporte, 3 cédula extranjera, 4 carnet de
#: residencia, 5 innominado, 6 tarjeta diplomática, 9 otro.
TIPOS_DOCUMENTO_IDENTIDAD = frozenset({1, 2, 3, 4, 5, 6, 9})
INNOMINADO = 5
CEDULA_PARAGUAYA = 1
#: E731 iAfecIVA: 1 gravado IVA, 2 exonerado, 3 exento, 4 gravado parcial.
IVA_TIPOS = frozenset({1, 2, 3, 4})
#: E7 iCondOpe: 1 contado, 2 crédito.
CONTADO, CREDITO = 1, 2
#: E7.1 iTiPago: 1 efectivo, 2 cheque, 3 tarjeta de crédito, 4 tarjeta de débito,
#: 5 transferencia ... 21 pago electrónico, 99 otro.
TIPOS_PAGO = frozenset(range(1, 22)) | {99}
MAX_ITEMS = 999
MAX_CANTIDAD_DECIMALES = 8
#: SIFEN started in 2019; an earlier date is a typing or clock error.
FECHA_MINIMA = datetime(2019, 1, 1)
#: SIFEN rejects a DE whose date is ahead of its clock (code 1004); allow for drift.
TOLERANCIA_FUTURO = timedelta(minutes=10)

_DIGITS_RE = re.compile(r"[0-9]+")
_CODE3_RE = re.compile(r"[0-9]{3}")

_Add = Callable[[str, str], None]


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _one_of(values: frozenset[int]) -> str:
    return ", ".join(str(v) for v in sorted(values))


def _check_header(doc: Document, add: _Add, now: datetime) -> None:
    """Sections B, C and D of the MT: type, number, date and currency."""
    if doc.tipo_documento not in TIPOS_DOCUMENTO:
        add(
            "tipoDocumento",
            "debe ser 1 (factura), 4 (autofactura), 5 (nota de crédito), "
            "6 (nota de débito) o 7 (nota de remisión).",
        )
    for key, value in (("establecimiento", doc.establecimiento), ("punto", doc.punto)):
        if not (_CODE3_RE.fullmatch(value or "") and value != "000"):
            add(key, f"debe tener 3 dígitos, de 001 a 999 (se recibió «{value}»).")
    if doc.numero is not None and not 1 <= doc.numero <= 9_999_999:
        add("numero", "debe estar entre 1 y 9999999.")
    if doc.moneda not in CURRENCY_DECIMALS:
        add("moneda", f"debe ser una de {', '.join(sorted(CURRENCY_DECIMALS))}.")
    if doc.tipo_emision not in TIPOS_EMISION:
        add("tipoEmision", "debe ser 1 (normal) o 2 (contingencia).")
    if doc.tipo_transaccion not in TIPOS_TRANSACCION:
        add("tipoTransaccion", "debe estar entre 1 y 13.")
    if doc.tipo_impuesto not in TIPOS_IMPUESTO:
        add("tipoImpuesto", "debe estar entre 1 y 5.")
    code = doc.codigo_seguridad
    if code is not None and not (_DIGITS_RE.fullmatch(code) and len(code) <= 9 and int(code) > 0):
        add(
            "codigoSeguridadAleatorio",
            "debe tener 9 dígitos como máximo, sin ser todo ceros (B004 dCodSeg).",
        )
    _check_fecha(doc.fecha, add, now)


def _check_fecha(fecha: datetime, add: _Add, now: datetime) -> None:
    """D002 dFeEmiDE: SIFEN rejects a date ahead of its clock (1004); dates before 2019
    cannot be SIFEN documents. Lateness (72 h / 30 days) counts from the signature,
    which the provider makes, so it is not checked here."""
    if fecha.tzinfo is not None:
        if now.tzinfo is None:
            now = now.astimezone()
    elif now.tzinfo is not None:
        now = now.astimezone().replace(tzinfo=None)
    if fecha > now + TOLERANCIA_FUTURO:
        add("fecha", "no puede estar más de 10 minutos adelantada a la hora actual.")
    if fecha.replace(tzinfo=None) < FECHA_MINIMA:
        add("fecha", "no puede ser anterior a 2019.")


def _check_customer(c: Customer, add: _Add) -> None:
    """D2 gDatRec, the receptor."""
    name = (c.razon_social or "").strip()
    if not 4 <= len(name) <= 255:
        add("cliente.razonSocial", "debe tener entre 4 y 255 caracteres (D211 dNomRec).")
    if c.tipo_operacion not in TIPOS_OPERACION:
        add("cliente.tipoOperacion", "debe ser 1 (B2B), 2 (B2C), 3 (B2G) o 4 (B2F).")
    if c.contribuyente:
        if not c.ruc:
            add("cliente.ruc", "es obligatorio cuando el cliente es contribuyente (D206 dRucRec).")
        else:
            problem = ruc_error(c.ruc)
            if problem:
                add("cliente.ruc", problem[0].lower() + problem[1:])
        if c.tipo_contribuyente not in TIPOS_CONTRIBUYENTE:
            add(
                "cliente.tipoContribuyente",
                "debe ser 1 (persona física) o 2 (persona jurídica) cuando el cliente es "
                "contribuyente (D205 iTiContRec).",
            )
        return
    if c.documento_tipo not in TIPOS_DOCUMENTO_IDENTIDAD:
        add(
            "cliente.documentoTipo",
            "es obligatorio cuando el cliente no es contribuyente y debe ser 1 (cédula "
            "paraguaya), 2 (pasaporte), 3 (cédula extranjera), 4 (carnet de residencia), "
            "5 (innominado), 6 (tarjeta diplomática) o 9 (otro) (D208 iTipIDRec).",
        )
        return
    numero = (c.documento_numero or "").strip()
    if c.documento_tipo == INNOMINADO and not numero:
        return
    if not 1 <= len(numero) <= 20:
        add("cliente.documentoNumero", "debe tener entre 1 y 20 caracteres (D210 dNumIDRec).")
    elif c.documento_tipo == CEDULA_PARAGUAYA and not _DIGITS_RE.fullmatch(numero):
        add("cliente.documentoNumero", "una cédula paraguaya lleva solo dígitos, sin puntos.")


def _check_item(item: Item, index: int, currency: str, add: _Add) -> None:
    """E8 gCamItem and E8.2 gCamIVA."""
    p = f"items[{index}]"
    if item.codigo is not None and not 1 <= len(item.codigo) <= 50:
        add(f"{p}.codigo", "debe tener entre 1 y 50 caracteres (E701 dCodInt).")
    if not 1 <= len(item.descripcion.strip()) <= 2000:
        add(f"{p}.descripcion", "debe tener entre 1 y 2000 caracteres (E708 dDesProSer).")
    if item.cantidad <= 0:
        add(f"{p}.cantidad", "debe ser mayor que cero.")
    elif _decimal_places(item.cantidad) > MAX_CANTIDAD_DECIMALES:
        add(f"{p}.cantidad", "admite como máximo 8 decimales (E711 dCantProSer).")
    if item.precio_unitario < 0:
        add(f"{p}.precioUnitario", "no puede ser negativo.")
    elif CURRENCY_DECIMALS.get(currency) == 0 and _decimal_places(item.precio_unitario) > 0:
        add(f"{p}.precioUnitario", "no puede tener decimales en guaraníes.")
    _check_iva(item, p, add)


def _check_iva(item: Item, p: str, add: _Add) -> None:
    """E731 iAfecIVA, E733 dPropIVA, E734 dTasaIVA must agree."""
    if item.iva_tipo not in IVA_TIPOS:
        add(
            f"{p}.ivaTipo",
            "debe ser 1 (gravado), 2 (exonerado), 3 (exento) o 4 (gravado parcial).",
        )
        return
    if item.iva_tipo in (1, 4):
        if item.iva not in (5, 10):
            add(f"{p}.iva", "debe ser 5 o 10 para un ítem gravado.")
        if item.iva_tipo == 1 and item.iva_base != 100:
            add(f"{p}.ivaBase", "debe ser 100 para un ítem gravado.")
        if item.iva_tipo == 4 and not 10 <= item.iva_base <= 90:
            add(f"{p}.ivaBase", "debe estar entre 10 y 90 para un ítem gravado parcial.")
    else:
        kind = "exonerado" if item.iva_tipo == 2 else "exento"
        if item.iva != 0:
            add(f"{p}.iva", f"debe ser 0 para un ítem {kind}.")
        if item.iva_base != 0:
            add(f"{p}.ivaBase", f"debe ser 0 para un ítem {kind}.")


def _check_items(doc: Document, add: _Add) -> None:
    if not doc.items:
        add("items", "el documento debe tener al menos un ítem.")
    elif len(doc.items) > MAX_ITEMS:
        add("items", f"un documento admite como máximo {MAX_ITEMS} ítems.")
    for index, item in enumerate(doc.items):
        _check_item(item, index, doc.moneda, add)


def _check_condicion(doc: Document, add: _Add, *, items_ok: bool) -> None:
    """E7 gCamCond, required only for facturas and autofacturas: E7.1 lists the
    payments of a cash sale (they must add up to the total), E7.2 describes the
    credit of a credit sale. The sum is compared only when the items are valid: a
    total computed from a wrong line would just repeat that line's error."""
    if doc.tipo_documento not in TIPOS_CON_CONDICION:
        return
    if doc.condicion_tipo not in (CONTADO, CREDITO):
        add("condicion.tipo", "debe ser 1 (contado) o 2 (crédito).")
        return
    if doc.condicion_tipo == CREDITO:
        if not doc.credito:
            add("condicion.credito", "son obligatorios en una venta a crédito (plazo o cuotas).")
        return
    if not doc.entregas:
        add("condicion.entregas", "una venta al contado necesita al menos un pago.")
        return
    for index, payment in enumerate(doc.entregas):
        p = f"condicion.entregas[{index}]"
        if payment.tipo not in TIPOS_PAGO:
            add(f"{p}.tipo", "debe ser un código de forma de pago de SIFEN (1 a 21, o 99).")
        if payment.monto <= 0:
            add(f"{p}.monto", "debe ser mayor que cero.")
        if payment.moneda not in CURRENCY_DECIMALS:
            add(f"{p}.moneda", f"debe ser una de {', '.join(sorted(CURRENCY_DECIMALS))}.")
    if not items_ok or any(payment.moneda != doc.moneda for payment in doc.entregas):
        return  # payments in another currency need the exchange rate: the provider checks
    paid = sum((payment.monto for payment in doc.entregas), Decimal(0))
    total = document_totals(doc).total
    if paid != total:
        add(
            "condicion.entregas",
            f"suman {format_amount(paid, doc.moneda)} pero el total del documento es "
            f"{format_amount(total, doc.moneda)}; deben ser iguales.",
        )


def validate_document(doc: Document, *, now: datetime | None = None) -> list[ValidationError]:
    """Every rule `doc` breaks, in document order; [] when it may be queued.

    `now` is the reference for the "not in the future" rule (defaults to the local
    clock; pass it in tests).
    """
    errors: list[ValidationError] = []

    def add(path: str, rule: str) -> None:
        errors.append(error(path, rule))

    _check_header(doc, add, now or datetime.now())
    _check_customer(doc.cliente, add)
    before_items = len(errors)
    _check_items(doc, add)
    _check_condicion(doc, add, items_ok=len(errors) == before_items)
    return errors
