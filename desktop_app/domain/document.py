"""A SIFEN electronic document (DE) in the "Estructura JSON de un DE" shape.

FacturaSend and DTEpy take the same JSON for a DE (PROVIDERS.md), and Lote's Paraguayan
import format accepts it as is, so the dataclasses mirror it and `document_from_json` /
`document_to_json` convert losslessly. Every key Lote does not model is kept verbatim in
an `extra` dict and written back unchanged.

Normalisations of a round trip (the only differences between input and output):

- Amounts (`cantidad`, `precioUnitario`, entregas' `monto`) are read as `Decimal` from
  JSON numbers or numeric strings ("150000"); they are written as an int when integral,
  otherwise as a float (150000, 10.5).
- `establecimiento` is written as an int (1), `punto` as a 3-character string ("001"),
  exactly like FacturaSend's own example; both accept either form on input.
- Other integer fields accept digit strings ("0000005") and are written as ints;
  `codigoSeguridadAleatorio` is always written as a string.
- `fecha` is written as "AAAA-MM-DDTHH:MM:SS" (naive local time, seconds precision).
- Known keys whose value is null are dropped; known keys that were absent come back
  with their default value (e.g. `cliente.pais` "PRY", `items[].unidadMedida` 77);
  an empty `condicion.entregas` list is not written. `factura` defaults to
  {"presencia": 1} only for tipoDocumento 1 and is not written when empty; `condicion`
  is written for facturas and autofacturas (SIFEN MT v150 E7: gCamCond is required only
  for those) or whenever it carries data.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from desktop_app.domain.errors import ValidationError, error
from desktop_app.domain.money import to_decimal
from desktop_app.domain.numbering import format_numero

FECHA_FORMAT = "%Y-%m-%dT%H:%M:%S"

#: tipoDocumento values whose DE carries gCamCond (SIFEN MT v150 E7: factura, autofactura).
TIPOS_CON_CONDICION = frozenset({1, 4})


@dataclass
class Customer:
    """`cliente` of the DE (SIFEN MT v150 D2: gDatRec)."""

    contribuyente: bool
    razon_social: str
    ruc: str | None = None
    documento_tipo: int | None = None
    documento_numero: str | None = None
    tipo_operacion: int = 1
    tipo_contribuyente: int | None = None
    pais: str = "PRY"
    email: str | None = None
    telefono: str | None = None
    direccion: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Item:
    """One line of `items` (SIFEN MT v150 E8: gCamItem). Prices include IVA."""

    descripcion: str
    cantidad: Decimal
    precio_unitario: Decimal
    iva_tipo: int = 1
    iva_base: int = 100
    iva: int = 10
    codigo: str | None = None
    unidad_medida: int = 77
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Payment:
    """One of `condicion.entregas` (SIFEN MT v150 E7.1: gPaConEIni)."""

    tipo: int
    monto: Decimal
    moneda: str = "PYG"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Document:
    """A DE before the provider signs it. The emisor is not part of it: the provider
    account (or `emisor.Emisor`) supplies it."""

    cliente: Customer
    items: list[Item]
    fecha: datetime
    tipo_documento: int = 1
    establecimiento: str = "001"
    punto: str = "001"
    numero: int | None = None
    tipo_emision: int = 1
    tipo_transaccion: int = 1
    tipo_impuesto: int = 1
    moneda: str = "PYG"
    condicion_tipo: int = 1
    entregas: list[Payment] = field(default_factory=list)
    credito: dict[str, Any] | None = None
    usuario: dict[str, Any] | None = None
    factura: dict[str, Any] = field(default_factory=lambda: {"presencia": 1})
    codigo_seguridad: str | None = None
    descripcion: str | None = None
    observacion: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: Keys of `condicion` other than tipo/entregas/credito, kept for the round trip.
    condicion_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def numero_display(self) -> str:
        """ "001-001-0000001"; "001-001-???????" while no number is assigned."""
        if self.numero is None:
            return f"{self.establecimiento}-{self.punto}-???????"
        try:
            return format_numero(self.establecimiento, self.punto, self.numero)
        except ValueError:
            return f"{self.establecimiento}-{self.punto}-{self.numero}"


CUSTOMER_KEYS = frozenset(
    {
        "contribuyente",
        "ruc",
        "razonSocial",
        "tipoOperacion",
        "tipoContribuyente",
        "documentoTipo",
        "documentoNumero",
        "pais",
        "email",
        "telefono",
        "direccion",
    }
)
ITEM_KEYS = frozenset(
    {
        "codigo",
        "descripcion",
        "unidadMedida",
        "cantidad",
        "precioUnitario",
        "ivaTipo",
        "ivaBase",
        "iva",
    }
)
PAYMENT_KEYS = frozenset({"tipo", "monto", "moneda"})
CONDICION_KEYS = frozenset({"tipo", "entregas", "credito"})
DOCUMENT_KEYS = frozenset(
    {
        "tipoDocumento",
        "establecimiento",
        "punto",
        "numero",
        "fecha",
        "tipoEmision",
        "tipoTransaccion",
        "tipoImpuesto",
        "moneda",
        "descripcion",
        "observacion",
        "codigoSeguridadAleatorio",
        "cliente",
        "usuario",
        "factura",
        "condicion",
        "items",
    }
)

_INT_TEXT_RE = re.compile(r"[+-]?[0-9]+")
_DIGITS_RE = re.compile(r"[0-9]+")


def _path(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def copy_json(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, text, numbers, booleans, None), much
    faster than `copy.deepcopy` for it: every imported document copies its extra keys,
    its `factura` and its `usuario` on the way in and out. Anything else goes to
    `copy.deepcopy`."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return copy.deepcopy(value)


def _extra(data: dict[str, Any], known: Iterable[str]) -> dict[str, Any]:
    known_set = known if isinstance(known, frozenset) else frozenset(known)
    return {k: copy_json(v) for k, v in data.items() if k not in known_set}


def _as_int(value: Any) -> int | None:
    """JSON ints, digit strings ("0000005") and integral numbers (1.0); not booleans."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        return int(text) if _INT_TEXT_RE.fullmatch(text) else None
    if isinstance(value, float | Decimal):
        d = to_decimal(value)
        if d is not None and d == d.to_integral_value():
            return int(d)
    return None


class _Reader:
    """Collects every shape problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def fail(self, path: str, rule: str) -> None:
        self.errors.append(error(path, rule))

    def missing(self, path: str) -> None:
        self.fail(path, "falta este dato.")

    def integer(
        self, data: dict[str, Any], key: str, prefix: str, default: int, *, required: bool = False
    ) -> int:
        value = self.optional_integer(data, key, prefix, required=required)
        return default if value is None else value

    def optional_integer(
        self, data: dict[str, Any], key: str, prefix: str, *, required: bool = False
    ) -> int | None:
        value = data.get(key)
        # The JSON path (_path) is written only for a problem: most fields have none.
        if value is None:
            if required:
                self.missing(_path(prefix, key))
            return None
        if type(value) is int:
            return value
        result = _as_int(value)
        if result is None:
            self.fail(_path(prefix, key), "debe ser un número entero.")
        return result

    def text(
        self,
        data: dict[str, Any],
        key: str,
        prefix: str,
        *,
        required: bool = False,
        allow_number: bool = False,
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.missing(_path(prefix, key))
            return None
        if isinstance(value, str):
            return value
        if allow_number and isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.fail(_path(prefix, key), "debe ser un texto.")
        return None

    def decimal(self, data: dict[str, Any], key: str, prefix: str) -> Decimal:
        value = data.get(key)
        if value is None:
            self.missing(_path(prefix, key))
            return Decimal(0)
        result = to_decimal(value)
        if result is None:
            self.fail(_path(prefix, key), "debe ser un número.")
            return Decimal(0)
        return result

    def boolean(self, data: dict[str, Any], key: str, prefix: str) -> bool:
        value = data.get(key)
        if value is None:
            self.missing(_path(prefix, key))
            return False
        if not isinstance(value, bool):
            self.fail(_path(prefix, key), "debe ser true o false.")
            return False
        return value

    def obj(self, value: Any, path: str, *, required: bool = False) -> dict[str, Any] | None:
        if value is None:
            if required:
                self.missing(path)
            return None
        if not isinstance(value, dict):
            self.fail(path, "debe ser un objeto JSON.")
            return None
        return value

    def array(self, value: Any, path: str, *, required: bool = False) -> list[Any] | None:
        if value is None:
            if required:
                self.missing(path)
            return None
        if not isinstance(value, list):
            self.fail(path, "debe ser una lista.")
            return None
        return value


def _or(value: str | None, default: str) -> str:
    """The default only for a missing value: an empty string is kept for validation."""
    return default if value is None else value


def _code3(value: Any) -> str | None:
    """establecimiento / punto: int 1 or text "001" -> "001". Text that is not digits
    is kept as given so validation can name it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"{value:03d}" if value >= 0 else str(value)
    if isinstance(value, str):
        text = value.strip()
        return text.zfill(3) if _DIGITS_RE.fullmatch(text) else text
    return None


def _read_code3(r: _Reader, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return "001"
    result = _code3(value)
    if result is None:
        r.fail(key, 'debe ser un número de 3 dígitos, como 1 o "001".')
        return "001"
    return result


def _read_fecha(r: _Reader, data: dict[str, Any]) -> datetime:
    value = data.get("fecha")
    fallback = datetime(1970, 1, 1)
    if value is None:
        r.missing("fecha")
        return fallback
    rule = "debe tener la forma AAAA-MM-DDTHH:MM:SS (hora local, sin zona horaria)."
    if not isinstance(value, str):
        r.fail("fecha", rule)
        return fallback
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        r.fail("fecha", rule)
        return fallback
    if parsed.tzinfo is not None:
        r.fail("fecha", rule)
        return fallback
    return parsed


def _read_codigo_seguridad(r: _Reader, data: dict[str, Any]) -> str | None:
    value = data.get("codigoSeguridadAleatorio")
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    r.fail("codigoSeguridadAleatorio", 'debe ser un texto de dígitos, como "123456789".')
    return None


def _read_customer(r: _Reader, value: Any) -> Customer | None:
    data = r.obj(value, "cliente", required=True)
    if data is None:
        return None
    p = "cliente"
    return Customer(
        contribuyente=r.boolean(data, "contribuyente", p),
        razon_social=r.text(data, "razonSocial", p, required=True) or "",
        ruc=r.text(data, "ruc", p),
        documento_tipo=r.optional_integer(data, "documentoTipo", p),
        documento_numero=r.text(data, "documentoNumero", p, allow_number=True),
        tipo_operacion=r.integer(data, "tipoOperacion", p, 1),
        tipo_contribuyente=r.optional_integer(data, "tipoContribuyente", p),
        pais=_or(r.text(data, "pais", p), "PRY"),
        email=r.text(data, "email", p),
        telefono=r.text(data, "telefono", p, allow_number=True),
        direccion=r.text(data, "direccion", p),
        extra=_extra(data, CUSTOMER_KEYS),
    )


def _read_item(r: _Reader, value: Any, index: int) -> Item | None:
    p = f"items[{index}]"
    data = r.obj(value, p, required=True)
    if data is None:
        return None
    return Item(
        descripcion=r.text(data, "descripcion", p, required=True) or "",
        cantidad=r.decimal(data, "cantidad", p),
        precio_unitario=r.decimal(data, "precioUnitario", p),
        iva_tipo=r.integer(data, "ivaTipo", p, 1),
        iva_base=r.integer(data, "ivaBase", p, 100),
        iva=r.integer(data, "iva", p, 10),
        codigo=r.text(data, "codigo", p, allow_number=True),
        unidad_medida=r.integer(data, "unidadMedida", p, 77),
        extra=_extra(data, ITEM_KEYS),
    )


def _read_payment(r: _Reader, value: Any, index: int) -> Payment | None:
    p = f"condicion.entregas[{index}]"
    data = r.obj(value, p, required=True)
    if data is None:
        return None
    return Payment(
        tipo=r.integer(data, "tipo", p, 1, required=True),
        monto=r.decimal(data, "monto", p),
        moneda=_or(r.text(data, "moneda", p), "PYG"),
        extra=_extra(data, PAYMENT_KEYS),
    )


def document_from_json(data: Any) -> tuple[Document | None, list[ValidationError]]:
    """Read one DE in FacturaSend's JSON shape.

    Never raises on bad input. Returns (document, []) when every field has the right
    type and shape, otherwise (None, errors) with *every* problem found, each with its
    JSON path. Business rules (lengths, check digits, totals) are `validation`'s job.
    """
    r = _Reader()
    if not isinstance(data, dict):
        r.fail("", "debe ser un objeto JSON con los datos de un documento electrónico.")
        return None, r.errors

    tipo_documento = r.integer(data, "tipoDocumento", "", 1, required=True)
    cliente = _read_customer(r, data.get("cliente"))

    items: list[Item] = []
    raw_items = r.array(data.get("items"), "items", required=True)
    for i, raw in enumerate(raw_items or []):
        item = _read_item(r, raw, i)
        if item is not None:
            items.append(item)

    condicion_tipo = 1
    entregas: list[Payment] = []
    credito: dict[str, Any] | None = None
    condicion_extra: dict[str, Any] = {}
    condicion = r.obj(data.get("condicion"), "condicion")
    if condicion is not None:
        condicion_tipo = r.integer(condicion, "tipo", "condicion", 1)
        raw_entregas = r.array(condicion.get("entregas"), "condicion.entregas")
        for i, raw in enumerate(raw_entregas or []):
            payment = _read_payment(r, raw, i)
            if payment is not None:
                entregas.append(payment)
        raw_credito = r.obj(condicion.get("credito"), "condicion.credito")
        credito = copy_json(raw_credito) if raw_credito is not None else None
        condicion_extra = _extra(condicion, CONDICION_KEYS)

    usuario = r.obj(data.get("usuario"), "usuario")
    raw_factura = r.obj(data.get("factura"), "factura")
    if raw_factura is not None:
        factura = copy_json(raw_factura)
    else:
        factura = {"presencia": 1} if tipo_documento == 1 and "factura" not in data else {}

    doc = Document(
        cliente=cliente or Customer(contribuyente=False, razon_social=""),
        items=items,
        fecha=_read_fecha(r, data),
        tipo_documento=tipo_documento,
        establecimiento=_read_code3(r, data, "establecimiento"),
        punto=_read_code3(r, data, "punto"),
        numero=r.optional_integer(data, "numero", ""),
        tipo_emision=r.integer(data, "tipoEmision", "", 1),
        tipo_transaccion=r.integer(data, "tipoTransaccion", "", 1),
        tipo_impuesto=r.integer(data, "tipoImpuesto", "", 1),
        moneda=_or(r.text(data, "moneda", ""), "PYG"),
        condicion_tipo=condicion_tipo,
        entregas=entregas,
        credito=credito,
        usuario=copy_json(usuario) if usuario is not None else None,
        factura=factura,
        codigo_seguridad=_read_codigo_seguridad(r, data),
        descripcion=r.text(data, "descripcion", ""),
        observacion=r.text(data, "observacion", ""),
        extra=_extra(data, DOCUMENT_KEYS),
        condicion_extra=condicion_extra,
    )
    if r.errors:
        return None, r.errors
    return doc, []


def json_number(amount: Decimal) -> int | float:
    """Integral amounts as int (150000), others as float (10.5), as FacturaSend sends."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _with_extra(
    out: dict[str, Any], extra: dict[str, Any], known: frozenset[str]
) -> dict[str, Any]:
    for key, value in extra.items():
        if key not in known and key not in out:
            out[key] = copy_json(value)
    return out


def _customer_to_json(c: Customer) -> dict[str, Any]:
    out: dict[str, Any] = {"contribuyente": c.contribuyente}
    _put(out, "ruc", c.ruc)
    out["razonSocial"] = c.razon_social
    out["tipoOperacion"] = c.tipo_operacion
    _put(out, "tipoContribuyente", c.tipo_contribuyente)
    _put(out, "documentoTipo", c.documento_tipo)
    _put(out, "documentoNumero", c.documento_numero)
    out["pais"] = c.pais
    _put(out, "email", c.email)
    _put(out, "telefono", c.telefono)
    _put(out, "direccion", c.direccion)
    return _with_extra(out, c.extra, CUSTOMER_KEYS)


def _item_to_json(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "codigo", item.codigo)
    out["descripcion"] = item.descripcion
    out["unidadMedida"] = item.unidad_medida
    out["cantidad"] = json_number(item.cantidad)
    out["precioUnitario"] = json_number(item.precio_unitario)
    out["ivaTipo"] = item.iva_tipo
    out["ivaBase"] = item.iva_base
    out["iva"] = item.iva
    return _with_extra(out, item.extra, ITEM_KEYS)


def _payment_to_json(payment: Payment) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tipo": payment.tipo,
        "monto": json_number(payment.monto),
        "moneda": payment.moneda,
    }
    return _with_extra(out, payment.extra, PAYMENT_KEYS)


def _condicion_to_json(doc: Document) -> dict[str, Any] | None:
    has_data = bool(doc.entregas or doc.credito is not None or doc.condicion_extra)
    if doc.tipo_documento not in TIPOS_CON_CONDICION and not has_data and doc.condicion_tipo == 1:
        return None
    out: dict[str, Any] = {"tipo": doc.condicion_tipo}
    if doc.entregas:
        out["entregas"] = [_payment_to_json(p) for p in doc.entregas]
    if doc.credito is not None:
        out["credito"] = copy_json(doc.credito)
    return _with_extra(out, doc.condicion_extra, CONDICION_KEYS)


def document_to_json(doc: Document) -> dict[str, Any]:
    """The DE as FacturaSend's "Estructura JSON de un DE" (see the module docstring for
    the normalisations of a round trip)."""
    out: dict[str, Any] = {"tipoDocumento": doc.tipo_documento}
    est = doc.establecimiento
    out["establecimiento"] = int(est) if _DIGITS_RE.fullmatch(est) else est
    out["punto"] = doc.punto
    _put(out, "numero", doc.numero)
    _put(out, "descripcion", doc.descripcion)
    _put(out, "observacion", doc.observacion)
    # FECHA_FORMAT, written by isoformat: strftime imports `time` on every call (through
    # shiboken's import hook once PySide6 is loaded: 0.5 s per 10,000 documents).
    out["fecha"] = doc.fecha.replace(tzinfo=None).isoformat(timespec="seconds")
    out["tipoEmision"] = doc.tipo_emision
    out["tipoTransaccion"] = doc.tipo_transaccion
    out["tipoImpuesto"] = doc.tipo_impuesto
    out["moneda"] = doc.moneda
    _put(out, "codigoSeguridadAleatorio", doc.codigo_seguridad)
    out["cliente"] = _customer_to_json(doc.cliente)
    if doc.usuario is not None:
        out["usuario"] = copy_json(doc.usuario)
    if doc.factura:
        out["factura"] = copy_json(doc.factura)
    _put(out, "condicion", _condicion_to_json(doc))
    out["items"] = [_item_to_json(item) for item in doc.items]
    return _with_extra(out, doc.extra, DOCUMENT_KEYS)
