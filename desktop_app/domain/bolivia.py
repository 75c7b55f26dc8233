"""Bolivia (SIAT, through CUCU): the invoice JSON, its tax and rules, behind CountryRules.

The shape is CUCU's own invoice (seeds/cucu-invoices-batch.txt, "Crear Facturas en Lote"):
``pointOfSaleId, clientDocumentType, clientDocumentNumber, clientComplement?,
clientBusinessName, clientEmail?, paymentMethodCode, currency?, details[{activityCode,
sinProductCode, description, quantity, unitMeasure, unitPrice, discount}]``, so Lote's
Bolivian import format accepts CUCU's JSON as is. `invoice_from_json` / `invoice_to_json`
are lossless: every key Lote does not model is kept in an ``extra`` dict and written back.

What Lote decides itself lives under one local key, ``"_lote"`` (`LOCAL_KEY`), which the
CUCU adapter strips before anything is sent:

- ``numero``: Lote's local sequence per (sucursal, punto de venta). It is *not* the
  official invoice number — CUCU assigns ``invoiceNumber`` itself and returns it; the
  engine stores that as ``provider_number``. Keeping ours out of CUCU's keys guarantees it
  is never sent as the official number.
- ``ref``: Lote's reference for reconciliation (`Summary.external_ref`). CUCU has no
  idempotency key (PROVIDERS.md, "Bolivia facts": "after a lost response, search before
  resending"); the adapter decides how to use it.
- ``fecha``: when the invoice was saved (SIAT's emission date is CUCU's, at sending time).
- ``sucursal``: the SIAT branch code ("0" = casa matriz), shown as establecimiento.

Normalisations of a round trip (the only differences between input and output):
amounts (``quantity``, ``unitPrice``, ``discount``) are read as Decimal from numbers or
numeric strings and written as an int when integral, else as a float; integer codes
accept digit strings and are written as ints; ``sinProductCode`` is written as an int (as
the batch page does) unless it has a leading zero; ``clientDocumentNumber`` and
``activityCode`` are written as strings; ``currency`` is upper-cased; known keys whose
value is null are dropped.

Facts (PROVIDERS.md "Bolivia facts", SIAT's paramétricas and message catalogue):

- IVA is 13 % *included* in prices: iva = total × 13 / 113, rounded half-up to cents.
- Client document types 1 CI, 2 CEX, 3 PAS, 4 OD, 5 NIT. **A NIT has no public check
  digit**: Lote only checks its shape; whether it exists is SIAT's word, available online
  through CUCU's ``POST /api/v1/codes/nit`` (not used when queuing: Lote works offline).
- The CUF is computed by SIAT/CUCU, never by Lote (`RULES.authority_id` is None);
  `cuf_parts` reads one back for display and checks, and never rejects an answer.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from desktop_app.domain.country import Summary
from desktop_app.domain.emisor import Emisor
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.money import to_decimal

COUNTRY = "BO"
CURRENCY = "BOB"
LOCAL_KEY = "_lote"
FECHA_FORMAT = "%Y-%m-%dT%H:%M:%S"

#: SIAT tipoDocumentoSector 1: "FACTURA COMPRA-VENTA" — the only sector Lote sends to CUCU.
TIPO_DOCUMENTO_COMPRA_VENTA = 1

#: IVA rate, included in prices (Ley 843, art. 15: 13 %).
IVA_RATE = Decimal(13)
CENT = Decimal("0.01")

#: SIAT paramétrica "tipo documento identidad".
CI, CEX, PAS, OD, NIT = 1, 2, 3, 4, 5
CLIENT_DOCUMENT_TYPES: dict[int, str] = {
    CI: "CI - cédula de identidad",
    CEX: "CEX - cédula de identidad de extranjero",
    PAS: "PAS - pasaporte",
    OD: "OD - otro documento de identidad",
    NIT: "NIT - número de identificación tributaria",
}
#: SIAT's special "NIT" values: 99001 consulados y embajadas, 99002 control tributario,
#: 99003 ventas menores del día. They pass the ordinary NIT shape rule.
SPECIAL_NITS = frozenset({"99001", "99002", "99003"})
#: SIAT message 1010: number 0 (CI/NIT/CEX) only for sales up to Bs 3000.
ANONYMOUS_LIMIT = Decimal(3000)
_ANONYMOUS_TYPES = frozenset({CI, NIT, CEX})

#: SIAT paramétrica "tipo método de pago" (the common ones; the list has codes 1..308,
#: mostly combinations, and grows by synchronisation: the range is checked, CUCU checks
#: the code itself).
PAYMENT_METHODS: dict[int, str] = {
    1: "EFECTIVO",
    2: "TARJETA",
    3: "CHEQUE",
    4: "VALES",
    5: "OTROS",
    6: "PAGO POSTERIOR",
    7: "TRANSFERENCIA BANCARIA",
    8: "DEPOSITO EN CUENTA",
    9: "TRANSFERENCIA SWIFT",
    10: "EFECTIVO-TARJETA",
    27: "GIFT-CARD",
    31: "CANAL DE PAGO",
    32: "BILLETERA MOVIL",
    33: "PAGO ONLINE",
}
MAX_PAYMENT_METHOD = 308

#: SIAT paramétrica "unidad de medida" (the common ones; codes 1..111 and growing).
UNIT_MEASURES: dict[int, str] = {
    6: "CAJA",
    14: "DOCENA",
    22: "KILOGRAMO",
    28: "LITRO",
    30: "METRO",
    42: "PAQUETE",
    57: "UNIDAD (BIENES)",
    58: "UNIDAD (SERVICIOS)",
    62: "OTRO",
    67: "DIAS",
    71: "HORAS",
}
MAX_UNIT_MEASURE = 999

#: SIAT's XSD field sizes: numeroDocumento 20, complemento 5, nombreRazonSocial and
#: descripcion 500 (messages 997/998 when exceeded).
MAX_DOCUMENT_NUMBER = 20
MAX_COMPLEMENT = 5
MAX_NAME = 500
MAX_DESCRIPTION = 500
#: The CUF reserves 13 digits for a NIT.
NIT_MAX_DIGITS = 13
NIT_MIN_DIGITS = 5
CI_MAX_DIGITS = 12
#: Decimals Lote accepts in quantities and unit prices (amounts are rounded to cents).
MAX_DECIMALS = 5
#: CUF "sucursal" is 4 digits.
MAX_SUCURSAL = 9999

DOCUMENT_KEYS = (
    "pointOfSaleId",
    "clientDocumentType",
    "clientDocumentNumber",
    "clientComplement",
    "clientBusinessName",
    "clientEmail",
    "paymentMethodCode",
    "currency",
    "details",
)
DETAIL_KEYS = (
    "activityCode",
    "sinProductCode",
    "description",
    "quantity",
    "unitMeasure",
    "unitPrice",
    "discount",
)
LOCAL_KEYS = ("numero", "ref", "fecha", "sucursal")

_DIGITS = re.compile(r"[0-9]+")
_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_ALNUM = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NO_SPACE = re.compile(r"\S+")


# -- the invoice ------------------------------------------------------------------------


@dataclass
class InvoiceDetail:
    """One line of ``details``. ``unit_price`` includes IVA."""

    activity_code: str
    sin_product_code: str
    description: str
    quantity: Decimal
    unit_measure: int
    unit_price: Decimal
    discount: Decimal | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def discount_amount(self) -> Decimal:
        return self.discount if self.discount is not None else Decimal(0)

    @property
    def subtotal(self) -> Decimal:
        """quantity × unitPrice − discount, half-up to cents (SIAT subTotal)."""
        return to_cents(self.quantity * self.unit_price - self.discount_amount)


@dataclass
class Invoice:
    """A CUCU invoice before CUCU emits it. The emisor is the CUCU account's."""

    point_of_sale_id: str
    client_document_type: int
    client_document_number: str
    client_business_name: str
    payment_method_code: int
    details: list[InvoiceDetail]
    client_complement: str | None = None
    client_email: str | None = None
    currency: str | None = None  # None: absent in the JSON, which means BOB
    # Lote's own data, kept under LOCAL_KEY and never sent to CUCU.
    numero: int | None = None
    external_ref: str | None = None
    fecha: datetime | None = None
    sucursal: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    local_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def moneda(self) -> str:
        return self.currency or CURRENCY

    @property
    def sucursal_code(self) -> str:
        return self.sucursal if self.sucursal is not None else "0"

    @property
    def total(self) -> Decimal:
        return invoice_total(self)

    @property
    def iva(self) -> Decimal:
        return iva_included(self.total)


# -- money ------------------------------------------------------------------------------


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def invoice_total(invoice: Invoice) -> Decimal:
    """Sum of the lines' subtotals (SIAT montoTotal without additional discount)."""
    return sum((d.subtotal for d in invoice.details), Decimal("0.00"))


def iva_included(total: Decimal) -> Decimal:
    """IVA contained in a price that includes it: total × 13 / 113, half-up to cents.

    113.00 → 13.00; 200.00 → 23.01.
    """
    return to_cents(total * IVA_RATE / (100 + IVA_RATE))


# -- labels and errors ------------------------------------------------------------------

_LABELS: dict[str, str] = {
    "": "Factura",
    "pointOfSaleId": "Punto de venta",
    "clientDocumentType": "Tipo de documento del cliente",
    "clientDocumentNumber": "Número de documento del cliente",
    "clientComplement": "Complemento del documento del cliente",
    "clientBusinessName": "Nombre o razón social del cliente",
    "clientEmail": "Correo del cliente",
    "paymentMethodCode": "Método de pago",
    "currency": "Moneda",
    "details": "Detalle de la factura",
    LOCAL_KEY: "Datos locales de Lote",
    f"{LOCAL_KEY}.numero": "Número local de Lote",
    f"{LOCAL_KEY}.ref": "Referencia local de Lote",
    f"{LOCAL_KEY}.fecha": "Fecha de la factura",
    f"{LOCAL_KEY}.sucursal": "Sucursal",
}
_DETAIL_LABELS: dict[str, str] = {
    "activityCode": "Actividad económica",
    "sinProductCode": "Código de producto SIN",
    "description": "Descripción",
    "quantity": "Cantidad",
    "unitMeasure": "Unidad de medida",
    "unitPrice": "Precio unitario",
    "discount": "Descuento",
}
_DETAIL_PATH = re.compile(r"^details\[(\d+)\](?:\.(\w+))?$")


def field_label(path: str) -> str:
    """Words a cashier understands for a CUCU JSON path: "details[1].quantity" ->
    "Cantidad del detalle 2". Unknown paths come back unchanged."""
    m = _DETAIL_PATH.match(path)
    if m:
        index, key = int(m.group(1)) + 1, m.group(2)
        return f"{_DETAIL_LABELS.get(key, key)} del detalle {index}" if key else f"Detalle {index}"
    return _LABELS.get(path, path)


def error(path: str, rule: str) -> ValidationError:
    """A ValidationError whose field is the CUCU JSON path and whose message names the
    field in Spanish and states the rule."""
    return ValidationError(path, f"{field_label(path)}: {rule}")


# -- JSON -------------------------------------------------------------------------------


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        return int(value.strip())
    if isinstance(value, float | Decimal):
        d = to_decimal(value)
        if d is not None and d == d.to_integral_value():
            return int(d)
    return None


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class _Reader:
    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def fail(self, path: str, rule: str) -> None:
        self.errors.append(error(path, rule))

    def integer(self, data: dict[str, Any], key: str, path: str, *, required: bool) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(path, "falta este dato.")
            return None
        result = _as_int(value)
        if result is None:
            self.fail(path, f"debe ser un número entero (se recibió «{value}»).")
        return result

    def text(self, data: dict[str, Any], key: str, path: str, *, required: bool,
             allow_number: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(path, "falta este dato.")
            return None
        if isinstance(value, bool) or (not isinstance(value, str) and not allow_number):
            self.fail(path, "debe ser un texto.")
            return None
        if not isinstance(value, str | int):
            self.fail(path, "debe ser un texto o un número entero.")
            return None
        return str(value)

    def amount(self, data: dict[str, Any], key: str, path: str, *,
               required: bool) -> Decimal | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(path, "falta este dato.")
            return None
        result = to_decimal(value)
        if result is None:
            self.fail(path, f"debe ser un número (se recibió «{value}»).")
        return result


def _detail_from_json(data: Any, index: int, r: _Reader) -> InvoiceDetail | None:
    p = f"details[{index}]"
    if not isinstance(data, dict):
        r.fail(p, "cada detalle debe ser un objeto JSON.")
        return None
    before = len(r.errors)
    activity = r.text(data, "activityCode", f"{p}.activityCode", required=True, allow_number=True)
    product = r.text(data, "sinProductCode", f"{p}.sinProductCode", required=True,
                     allow_number=True)
    description = r.text(data, "description", f"{p}.description", required=True)
    quantity = r.amount(data, "quantity", f"{p}.quantity", required=True)
    unit = r.integer(data, "unitMeasure", f"{p}.unitMeasure", required=True)
    price = r.amount(data, "unitPrice", f"{p}.unitPrice", required=True)
    discount = r.amount(data, "discount", f"{p}.discount", required=False)
    if len(r.errors) > before:
        return None
    assert activity is not None and product is not None and description is not None
    assert quantity is not None and unit is not None and price is not None
    return InvoiceDetail(
        activity_code=activity.strip(),
        sin_product_code=product.strip(),
        description=description,
        quantity=quantity,
        unit_measure=unit,
        unit_price=price,
        discount=discount,
        extra={k: copy.deepcopy(v) for k, v in data.items() if k not in DETAIL_KEYS},
    )


def _local_from_json(data: Any, r: _Reader) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        r.fail(LOCAL_KEY, "debe ser un objeto JSON.")
        return {}
    out: dict[str, Any] = {
        "numero": r.integer(data, "numero", f"{LOCAL_KEY}.numero", required=False),
        "ref": r.text(data, "ref", f"{LOCAL_KEY}.ref", required=False),
        "sucursal": r.text(data, "sucursal", f"{LOCAL_KEY}.sucursal", required=False,
                           allow_number=True),
        "fecha": None,
        "extra": {k: copy.deepcopy(v) for k, v in data.items() if k not in LOCAL_KEYS},
    }
    fecha = r.text(data, "fecha", f"{LOCAL_KEY}.fecha", required=False)
    if fecha is not None:
        try:
            out["fecha"] = datetime.fromisoformat(fecha.strip()).replace(microsecond=0,
                                                                           tzinfo=None)
        except ValueError:
            r.fail(f"{LOCAL_KEY}.fecha", f"debe tener el formato AAAA-MM-DDTHH:MM:SS "
                                         f"(se recibió «{fecha}»).")
    return out


def invoice_from_json(data: Any) -> tuple[Invoice | None, list[ValidationError]]:
    """CUCU's invoice JSON -> an Invoice, or every shape error (missing keys, wrong types).

    Business rules are `validate_invoice`'s job; this only reads.
    """
    r = _Reader()
    if not isinstance(data, dict):
        r.fail("", "debe ser un objeto JSON con los datos de una factura de CUCU.")
        return None, r.errors
    pos = r.text(data, "pointOfSaleId", "pointOfSaleId", required=True, allow_number=True)
    doc_type = r.integer(data, "clientDocumentType", "clientDocumentType", required=True)
    doc_number = r.text(data, "clientDocumentNumber", "clientDocumentNumber", required=True,
                        allow_number=True)
    complement = r.text(data, "clientComplement", "clientComplement", required=False,
                        allow_number=True)
    name = r.text(data, "clientBusinessName", "clientBusinessName", required=True)
    email = r.text(data, "clientEmail", "clientEmail", required=False)
    payment = r.integer(data, "paymentMethodCode", "paymentMethodCode", required=True)
    currency = r.text(data, "currency", "currency", required=False)
    raw_details = data.get("details")
    details: list[InvoiceDetail] = []
    if raw_details is None:
        r.fail("details", "falta este dato: la factura necesita al menos un detalle.")
    elif not isinstance(raw_details, list):
        r.fail("details", "debe ser una lista de detalles.")
    else:
        for index, item in enumerate(raw_details):
            detail = _detail_from_json(item, index, r)
            if detail is not None:
                details.append(detail)
    local = _local_from_json(data.get(LOCAL_KEY), r)
    if r.errors:
        return None, r.errors
    assert pos is not None and doc_type is not None and doc_number is not None
    assert name is not None and payment is not None
    invoice = Invoice(
        point_of_sale_id=pos,
        client_document_type=doc_type,
        client_document_number=doc_number.strip(),
        client_business_name=name,
        payment_method_code=payment,
        details=details,
        client_complement=complement.strip() if complement is not None else None,
        client_email=email.strip() if email is not None else None,
        currency=currency.strip().upper() if currency is not None else None,
        numero=local.get("numero"),
        external_ref=local.get("ref"),
        fecha=local.get("fecha"),
        sucursal=local.get("sucursal"),
        extra={k: copy.deepcopy(v) for k, v in data.items()
               if k not in DOCUMENT_KEYS and k != LOCAL_KEY},
        local_extra=local.get("extra", {}),
    )
    return invoice, []


def _product_code_json(code: str) -> int | str:
    """The batch page sends ``sinProductCode`` as a number (83141); a leading zero
    would be lost, so such codes stay strings."""
    if _DIGITS.fullmatch(code) and not code.startswith("0"):
        return int(code)
    return code


def detail_to_json(d: InvoiceDetail) -> dict[str, Any]:
    out: dict[str, Any] = {
        "activityCode": d.activity_code,
        "sinProductCode": _product_code_json(d.sin_product_code),
        "description": d.description,
        "quantity": _json_number(d.quantity),
        "unitMeasure": d.unit_measure,
        "unitPrice": _json_number(d.unit_price),
    }
    if d.discount is not None:
        out["discount"] = _json_number(d.discount)
    out.update(copy.deepcopy(d.extra))
    return out


def invoice_to_json(invoice: Invoice, *, include_local: bool = True) -> dict[str, Any]:
    """The invoice as CUCU's JSON; with ``include_local`` Lote's own ``_lote`` key too."""
    out: dict[str, Any] = {
        "pointOfSaleId": invoice.point_of_sale_id,
        "clientDocumentType": invoice.client_document_type,
        "clientDocumentNumber": invoice.client_document_number,
    }
    if invoice.client_complement is not None:
        out["clientComplement"] = invoice.client_complement
    out["clientBusinessName"] = invoice.client_business_name
    if invoice.client_email is not None:
        out["clientEmail"] = invoice.client_email
    out["paymentMethodCode"] = invoice.payment_method_code
    if invoice.currency is not None:
        out["currency"] = invoice.currency
    out["details"] = [detail_to_json(d) for d in invoice.details]
    out.update(copy.deepcopy(invoice.extra))
    if include_local:
        local: dict[str, Any] = {}
        if invoice.numero is not None:
            local["numero"] = invoice.numero
        if invoice.external_ref is not None:
            local["ref"] = invoice.external_ref
        if invoice.fecha is not None:
            local["fecha"] = invoice.fecha.strftime(FECHA_FORMAT)
        if invoice.sucursal is not None:
            local["sucursal"] = invoice.sucursal
        local.update(copy.deepcopy(invoice.local_extra))
        if local:
            out[LOCAL_KEY] = local
    return out


def strip_local(payload: dict[str, Any]) -> dict[str, Any]:
    """A stored payload without Lote's local key: what CUCU may see."""
    return {k: v for k, v in payload.items() if k != LOCAL_KEY}


def payload_total(payload: dict[str, Any]) -> Decimal | None:
    """The total of an invoice JSON, or None when it does not parse."""
    invoice, errors = invoice_from_json(payload)
    return invoice.total if invoice is not None and not errors else None


# -- rules ------------------------------------------------------------------------------

_Add = Callable[[str, str], None]


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def nit_error(nit: str) -> str | None:
    """Why `nit` cannot be a NIT, or None. Shape only: there is **no public check digit**
    for a Bolivian NIT, so existence and state are SIAT's to say (CUCU's codes/nit)."""
    text = nit.strip()
    if not _DIGITS.fullmatch(text):
        return f"un NIT lleva solo dígitos, sin puntos ni guiones (se recibió «{nit}»)."
    if text.startswith("0"):
        return "un NIT no empieza con 0 (SIAT lo trata como número entero)."
    if not NIT_MIN_DIGITS <= len(text) <= NIT_MAX_DIGITS:
        return (f"un NIT tiene entre {NIT_MIN_DIGITS} y {NIT_MAX_DIGITS} dígitos "
                f"(se recibieron {len(text)}).")
    return None


def _check_client(inv: Invoice, total: Decimal | None, add: _Add) -> None:
    kind = inv.client_document_type
    if kind not in CLIENT_DOCUMENT_TYPES:
        add("clientDocumentType", "debe ser 1 (CI), 2 (CEX), 3 (PAS), 4 (OD) o 5 (NIT).")
    number = inv.client_document_number.strip()
    if not number:
        add("clientDocumentNumber", "falta este dato.")
    elif len(number) > MAX_DOCUMENT_NUMBER:
        add("clientDocumentNumber", f"admite como máximo {MAX_DOCUMENT_NUMBER} caracteres.")
    elif number == "0" and kind in _ANONYMOUS_TYPES:
        if total is not None and total > ANONYMOUS_LIMIT:
            add("clientDocumentNumber",
                "el número 0 (venta sin nombre) solo se admite hasta Bs 3000,00 "
                "(SIAT, mensaje 1010).")
    elif kind == NIT:
        problem = nit_error(number)
        if problem:
            add("clientDocumentNumber", problem)
    elif kind == CI:
        if not _DIGITS.fullmatch(number) or len(number) > CI_MAX_DIGITS:
            add("clientDocumentNumber",
                f"una cédula de identidad lleva solo dígitos (hasta {CI_MAX_DIGITS}); "
                "el complemento va en su propio campo.")
    elif kind in (CEX, PAS):
        if not _ALNUM.fullmatch(number):
            add("clientDocumentNumber", "lleva solo letras, dígitos y guiones, sin espacios.")
    elif kind == OD and not _NO_SPACE.fullmatch(number):
        add("clientDocumentNumber", "no puede tener espacios.")
    complement = inv.client_complement
    if complement is not None and complement != "":
        if kind != CI:
            add("clientComplement",
                "solo se informa cuando el documento es una cédula de identidad "
                "(SIAT, mensaje 1011).")
        elif not (complement.isalnum() and len(complement) <= MAX_COMPLEMENT):
            add("clientComplement",
                f"tiene hasta {MAX_COMPLEMENT} letras o dígitos (por ejemplo «1A»).")
    name = inv.client_business_name.strip()
    if not name:
        add("clientBusinessName", "falta este dato (use «S/N» para una venta sin nombre).")
    elif len(name) > MAX_NAME:
        add("clientBusinessName", f"admite como máximo {MAX_NAME} caracteres (SIAT 997).")
    if inv.client_email is not None and not _EMAIL.fullmatch(inv.client_email):
        add("clientEmail", f"no parece un correo válido (se recibió «{inv.client_email}»).")


def _check_detail(d: InvoiceDetail, index: int, add: _Add) -> bool:
    """Rules of one line; True when its amounts can be added up."""
    p = f"details[{index}]"
    if not (_DIGITS.fullmatch(d.activity_code) and 5 <= len(d.activity_code) <= 7):
        add(f"{p}.activityCode",
            f"es el código CAEB de la actividad, de 5 a 7 dígitos (por ejemplo «620100»; "
            f"se recibió «{d.activity_code}»).")
    if not (_DIGITS.fullmatch(d.sin_product_code) and 5 <= len(d.sin_product_code) <= 8):
        add(f"{p}.sinProductCode",
            f"es el código de producto del SIN, de 5 a 8 dígitos (por ejemplo «83141»; "
            f"se recibió «{d.sin_product_code}»).")
    description = d.description.strip()
    if not description:
        add(f"{p}.description", "falta este dato.")
    elif len(description) > MAX_DESCRIPTION:
        add(f"{p}.description", f"admite como máximo {MAX_DESCRIPTION} caracteres (SIAT 998).")
    if not 1 <= d.unit_measure <= MAX_UNIT_MEASURE:
        add(f"{p}.unitMeasure",
            "debe ser un código de unidad de medida del SIAT (por ejemplo 57 unidad de "
            "bienes, 58 unidad de servicios).")
    ok = True
    if d.quantity <= 0:
        add(f"{p}.quantity", "debe ser mayor que cero.")
        ok = False
    elif _decimal_places(d.quantity) > MAX_DECIMALS:
        add(f"{p}.quantity", f"admite como máximo {MAX_DECIMALS} decimales.")
    if d.unit_price <= 0:
        add(f"{p}.unitPrice", "debe ser mayor que cero.")
        ok = False
    elif _decimal_places(d.unit_price) > MAX_DECIMALS:
        add(f"{p}.unitPrice", f"admite como máximo {MAX_DECIMALS} decimales.")
    discount = d.discount_amount
    if discount < 0:
        add(f"{p}.discount", "no puede ser negativo.")
        ok = False
    elif _decimal_places(discount) > 2:
        add(f"{p}.discount", "admite como máximo 2 decimales.")
    elif ok and discount > d.quantity * d.unit_price:
        add(f"{p}.discount",
            f"no puede superar cantidad × precio unitario ({to_cents(d.quantity * d.unit_price)}).")
        ok = False
    return ok


def validate_invoice(invoice: Invoice, *, now: datetime | None = None) -> list[ValidationError]:
    """Every rule `invoice` breaks, in JSON order; [] when it may be queued.

    `now` is accepted for the CountryRules signature; no Bolivian rule Lote checks
    depends on the clock (SIAT dates the invoice when CUCU emits it).
    """
    errors: list[ValidationError] = []

    def add(path: str, rule: str) -> None:
        errors.append(error(path, rule))

    pos = invoice.point_of_sale_id.strip()
    if not pos:
        add("pointOfSaleId", "falta este dato (el identificador del punto de venta en CUCU).")
    elif len(pos) > 64 or not _NO_SPACE.fullmatch(pos):
        add("pointOfSaleId", "es el identificador del punto de venta en CUCU, sin espacios.")
    lines_ok = bool(invoice.details)
    detail_errors: list[ValidationError] = []

    def add_detail(path: str, rule: str) -> None:
        detail_errors.append(error(path, rule))

    for index, detail in enumerate(invoice.details):
        lines_ok = _check_detail(detail, index, add_detail) and lines_ok
    total = invoice_total(invoice) if lines_ok else None
    _check_client(invoice, total, add)
    if not 1 <= invoice.payment_method_code <= MAX_PAYMENT_METHOD:
        add("paymentMethodCode",
            f"debe ser un código de método de pago del SIAT, de 1 a {MAX_PAYMENT_METHOD} "
            "(1 efectivo, 2 tarjeta, 7 transferencia bancaria...).")
    if invoice.moneda != CURRENCY:
        add("currency",
            "Lote envía facturas en bolivianos (BOB); una factura en otra moneda necesita "
            "el tipo de cambio del día, que Lote aún no maneja.")
    if not invoice.details:
        add("details", "la factura necesita al menos un detalle.")
    errors.extend(detail_errors)
    if total is not None and total <= 0:
        add("details", "el total de la factura debe ser mayor que cero.")
    if invoice.numero is not None and invoice.numero < 1:
        add(f"{LOCAL_KEY}.numero", "debe ser mayor que cero.")
    suc = invoice.sucursal
    if suc is not None and not (_DIGITS.fullmatch(suc) and int(suc) <= MAX_SUCURSAL):
        add(f"{LOCAL_KEY}.sucursal", f"es el código de sucursal del SIAT, de 0 a {MAX_SUCURSAL}.")
    return errors


# -- CUF --------------------------------------------------------------------------------

CUF_DIGITS = 53
_HEX = frozenset("0123456789ABCDEF")


def cuf_check_digit(digits: str) -> int:
    """SIN's modulo 11 over the 53 CUF digits: weights 2..9 from the right (restarting
    at 2), digit = sum mod 11, and 10 becomes 1 (SIN, "Generación del CUF")."""
    total, weight = 0, 2
    for ch in reversed(digits):
        total += int(ch) * weight
        weight = 2 if weight == 9 else weight + 1
    remainder = total % 11
    return 1 if remainder == 10 else remainder


@dataclass(frozen=True)
class CufParts:
    """The fields packed in a CUF (PROVIDERS.md, "Bolivia facts")."""

    nit: str
    emitted_at: datetime
    sucursal: int
    modalidad: int
    tipo_emision: int
    tipo_factura: int
    documento_sector: int
    numero: int
    punto_venta: int
    check_digit: int
    hex_part: str
    control_code: str


def cuf_digits(*, nit: str | int, emitted_at: datetime, sucursal: int, modalidad: int,
               tipo_emision: int, tipo_factura: int, documento_sector: int, numero: int,
               punto_venta: int) -> str:
    """The 53 digits: NIT 13, fecha-hora 17 (AAAAMMDDHHMMSSmmm), sucursal 4, modalidad 1,
    tipo de emisión 1, tipo de factura 1, sector 2, número 10, punto de venta 4."""
    stamp = emitted_at.strftime("%Y%m%d%H%M%S") + f"{emitted_at.microsecond // 1000:03d}"
    digits = (
        f"{int(nit):013d}{stamp}{sucursal:04d}{modalidad:01d}{tipo_emision:01d}"
        f"{tipo_factura:01d}{documento_sector:02d}{numero:010d}{punto_venta:04d}"
    )
    if len(digits) != CUF_DIGITS:
        raise ValueError(f"a CUF field is too wide: {digits!r}")
    return digits


def build_cuf(*, control_code: str, **fields: Any) -> str:
    """A CUF as SIAT builds it: the 53 digits plus their modulo-11 digit, written in
    uppercase hexadecimal, then the CUFD's control code (used by the sandbox)."""
    digits = cuf_digits(**fields)
    return format(int(digits + str(cuf_check_digit(digits))), "X") + control_code


def cuf_parts(cuf: Any) -> CufParts | None:
    """Read a CUF back, or None when it is not one Lote can decode.

    The hexadecimal part has no fixed width (leading zeros of the NIT vanish in base 16)
    and the control code is appended without a separator, so every split is tried from
    the longest hexadecimal prefix down and the first whose 54 digits carry a valid
    check digit and a real date wins. Providers print variants (CUCU's own examples hold
    letters beyond F): this is for display and checks only, never a reason to refuse an
    answer.
    """
    if not isinstance(cuf, str):
        return None
    text = cuf.strip().upper()
    for size in range(min(len(text), 46), 29, -1):
        prefix = text[:size]
        if not set(prefix) <= _HEX:
            continue
        digits = str(int(prefix, 16))
        if len(digits) > CUF_DIGITS + 1:
            continue
        digits = digits.zfill(CUF_DIGITS + 1)
        if cuf_check_digit(digits[:CUF_DIGITS]) != int(digits[CUF_DIGITS]):
            continue
        try:
            emitted = datetime.strptime(digits[13:27], "%Y%m%d%H%M%S").replace(
                microsecond=int(digits[27:30]) * 1000)
        except ValueError:
            continue
        return CufParts(
            nit=str(int(digits[:13])),
            emitted_at=emitted,
            sucursal=int(digits[30:34]),
            modalidad=int(digits[34]),
            tipo_emision=int(digits[35]),
            tipo_factura=int(digits[36]),
            documento_sector=int(digits[37:39]),
            numero=int(digits[39:49]),
            punto_venta=int(digits[49:53]),
            check_digit=int(digits[53]),
            hex_part=prefix,
            control_code=text[size:],
        )
    return None


# -- CountryRules -----------------------------------------------------------------------


def display_number(punto: str, numero: int) -> str:
    """Lote's local number as listed: "<pointOfSaleId>-000042"."""
    return f"{punto}-{numero:06d}"


class BoliviaRules:
    """CountryRules for Bolivia (SIAT through CUCU).

    The summary's tipo_documento is 1 (SIAT "factura compra-venta"), establecimiento the
    SIAT sucursal ("0" by default), punto the CUCU ``pointOfSaleId`` and numero Lote's
    local sequence (kept under ``_lote.numero``; CUCU's official ``invoiceNumber`` comes
    back in the provider's answer).
    """

    code = COUNTRY

    def parse(self, data: Any) -> tuple[Invoice | None, list[ValidationError]]:
        return invoice_from_json(data)

    def prepare(self, doc: Invoice) -> Invoice:
        """Lote's reference for reconciliation (a uuid4 hex) and the date of saving,
        when absent. Idempotent: a prepared invoice keeps both."""
        changes: dict[str, Any] = {}
        if not doc.external_ref:
            changes["external_ref"] = uuid.uuid4().hex
        if doc.fecha is None:
            changes["fecha"] = datetime.now().replace(microsecond=0)
        return replace(doc, **changes) if changes else doc

    def validate(self, doc: Invoice, *, now: datetime | None = None) -> list[ValidationError]:
        return validate_invoice(doc, now=now)

    def summary(self, doc: Invoice) -> Summary:
        total = invoice_total(doc)
        return Summary(
            tipo_documento=TIPO_DOCUMENTO_COMPRA_VENTA,
            establecimiento=doc.sucursal_code,
            punto=doc.point_of_sale_id,
            numero=doc.numero,
            fecha=doc.fecha or datetime.now().replace(microsecond=0),
            customer_name=doc.client_business_name,
            customer_tax_id=doc.client_document_number,
            currency=doc.moneda,
            total=total,
            iva_total=iva_included(total),
            external_ref=doc.external_ref,
        )

    def with_numero(self, doc: Invoice, numero: int) -> Invoice:
        return replace(doc, numero=numero)

    def to_json(self, doc: Invoice) -> dict[str, Any]:
        return invoice_to_json(doc)

    def display_number(self, tipo_documento: int, establecimiento: str, punto: str,
                       numero: int) -> str:
        return display_number(punto, numero)

    def authority_id(self, doc: Invoice, emisor: Emisor) -> str | None:
        """None: the CUF is computed by SIAT/CUCU when the invoice is emitted."""
        return None


RULES = BoliviaRules()
