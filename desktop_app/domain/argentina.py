"""Argentina (ARCA/AFIP) through TusFacturas: the comprobante, its totals and its rules.

Lote stores an Argentine document in TusFacturas' own JSON shape — the ``cliente`` and
``comprobante`` blocks of one item of ``requests`` in seeds/tusfacturas-lotes.txt, with
``detalle`` items, ``total`` and ``external_reference`` — so an import from a system that
already talks to TusFacturas needs no mapping. Credentials (``apitoken``, ``apikey``,
``usertoken``) are part of that JSON on the wire but never of a stored document: `parse`
drops them wherever they appear (DESIGN rule 4); the adapter adds them when sending.

Facts used here (PROVIDERS.md, "Argentina facts", and TusFacturas' public reference pages
"Referencia API AFIP ARCA" and "¿Qué tipos de comprobante debo/puedo emitir?"):

- Comprobante codes 1/2/3 Factura/Nota de débito/Nota de crédito A, 6/7/8 B, 11/12/13 C;
  TusFacturas names them by text ("FACTURA B"). E and FCE cannot travel in a lote.
- The letter follows the condición frente al IVA: a Responsable Inscripto issues A to
  another RI *and to a Monotributista* (TusFacturas' table, after Ley 27.618 of 2021), B to
  a Consumidor Final or an Exento; a Monotributista or Exento issues C to anyone.
- Prices: TusFacturas' ``precio_unitario_sin_iva`` is *net of IVA* for A **and** B (the
  seed's FACTURA B sends 114.88 at 21 % with total 139.0 = 114.88 × 1.21; the reference
  page: "los productos ... de tipo A o B ... deben ser enviados siempre SIN IVA"); IVA is
  added per ``alicuota``. A B *prints* IVA included, but the data carries it apart. C
  carries no IVA at all: the price is final and the alícuota must be 0.
- IVA rates and AFIP ids: 0 % → 3, 2.5 % → 9, 5 % → 8, 10.5 % → 4, 21 % → 5, 27 % → 6;
  TusFacturas adds −1 (exento) and −2 (no gravado), which carry no IVA id.
- Amounts have 2 decimals; TusFacturas advises "round half even" (page "Redondeos"),
  used here for every line and every IVA amount. AFIP accepts a total that differs from
  the sum of its parts by at most 0.01 (WSFEv1 manual, code 10048); so does `validate`.
- Numbers are consecutive per punto de venta and type; dates never go backwards within a
  punto de venta and lie within N−5..N+5 days (products) or N−10..N+10 (services) of the
  day of issue (WSFEv1 code 10016). A document queued offline for too long is not sent to
  be rejected: `validate` flags it with `RedateRequired` (code ``REFECHAR``), and `redate`
  moves it to a new day once the user agrees.
- ``external_reference`` is Lote's idempotency key; TusFacturas does not enforce that it is
  unique, so `prepare` gives every document a fresh uuid4 hex and the store must keep it
  unique.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from desktop_app.domain.country import Summary
from desktop_app.domain.cuit import cuit_error, normalise_cuit
from desktop_app.domain.emisor import Emisor
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.money import to_decimal

# -- reference tables -------------------------------------------------------------------

#: AFIP comprobante code -> TusFacturas' name for it (``comprobante.tipo``).
COMPROBANTE_TIPOS: dict[int, str] = {
    1: "FACTURA A",
    2: "NOTA DE DEBITO A",
    3: "NOTA DE CREDITO A",
    6: "FACTURA B",
    7: "NOTA DE DEBITO B",
    8: "NOTA DE CREDITO B",
    11: "FACTURA C",
    12: "NOTA DE DEBITO C",
    13: "NOTA DE CREDITO C",
}
TIPO_CODES: dict[str, int] = {name: code for code, name in COMPROBANTE_TIPOS.items()}
FACTURAS = frozenset({1, 6, 11})
NOTAS = frozenset({2, 3, 7, 8, 12, 13})

#: IVA rate (%) -> AFIP's id for it (FEParamGetTiposIva).
IVA_IDS: dict[Decimal, int] = {
    Decimal("0"): 3,
    Decimal("2.5"): 9,
    Decimal("5"): 8,
    Decimal("10.5"): 4,
    Decimal("21"): 5,
    Decimal("27"): 6,
}
#: TusFacturas' alícuotas for concepts without IVA.
EXENTO = Decimal(-1)
NO_GRAVADO = Decimal(-2)
ALICUOTAS = frozenset(IVA_IDS) | {EXENTO, NO_GRAVADO}

#: ``cliente.condicion_iva`` (TusFacturas' reference: "Valores Permitidos: CF, RI, M, E").
CONDICIONES_IVA: dict[str, str] = {
    "RI": "Responsable Inscripto",
    "M": "Monotributista",
    "E": "Exento",
    "CF": "Consumidor Final",
}
#: ``cliente.documento_tipo`` (reference: "Valores Permitidos: CUIT, DNI, PASAPORTE, OTRO").
DOCUMENTO_TIPOS = frozenset({"CUIT", "DNI", "PASAPORTE", "OTRO"})

PESOS = "PES"  # AFIP's MonId for the peso; kept as sent (the summary shows it as is)
CENT = Decimal("0.01")
#: AFIP's tolerance between ImpTotal and the sum of its parts (WSFEv1 code 10048).
TOTAL_TOLERANCE = Decimal("0.01")
MAX_CONCEPTOS = 130  # reference page: "El límite máximo de conceptos por comprobante es de 130"
MAX_NUMERO = 99_999_999
MAX_PUNTO_VENTA = 99_998  # WSFEv1 code 10004
PRODUCT_WINDOW_DAYS = 5
SERVICE_WINDOW_DAYS = 10
#: The code of the "queued offline too long: re-date with the user's consent" error.
REDATE_CODE = "REFECHAR"

CREDENTIAL_KEYS = frozenset({"apitoken", "apikey", "usertoken"})
_EXTERNAL_REF_RE = re.compile(r"[A-Za-z0-9_-]{1,255}")
_DIGITS_RE = re.compile(r"[0-9]+")
_NRO_RE = re.compile(r"^\s*(\d{1,5})\s*-\s*(\d{1,8})\s*$")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).upper().split())


def tipo_code(value: object) -> int | None:
    """AFIP code of a comprobante type given as TusFacturas' text ("FACTURA B", "Nota de
    Crédito A": case and accents do not matter) or as the code itself (6, "06")."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value in COMPROBANTE_TIPOS else None
    text = str(value).strip()
    if text.isdigit():
        code = int(text)
        return code if code in COMPROBANTE_TIPOS else None
    return TIPO_CODES.get(_plain(text))


def tipo_name(code: int) -> str:
    return COMPROBANTE_TIPOS[code]


def letter_of(code: int) -> str:
    """ "A", "B" or "C" for a comprobante code."""
    return COMPROBANTE_TIPOS[code][-1]


def letter_for(emisor_condicion: str, receptor_condicion: str) -> str:
    """The letter an emisor must use for a receptor (TusFacturas, "¿Qué tipos de
    comprobante debo/puedo emitir?"): RI→RI or Monotributista: A; RI→Exento or Consumidor
    Final: B; a Monotributista or Exento emisor: C."""
    if emisor_condicion in ("M", "E"):
        return "C"
    if emisor_condicion != "RI":
        raise ValueError(f"condición frente al IVA del emisor desconocida: {emisor_condicion!r}")
    if receptor_condicion not in CONDICIONES_IVA:
        raise ValueError(f"condición frente al IVA del receptor desconocida: {receptor_condicion!r}")
    return "A" if receptor_condicion in ("RI", "M") else "B"


def iva_id(alicuota: Decimal) -> int | None:
    """AFIP's IVA id for a rate; None for exento (−1) and no gravado (−2), which AFIP
    receives as amounts (ImpOpEx, ImpTotConc) rather than as IVA lines."""
    return IVA_IDS.get(alicuota)


def format_comprobante_nro(punto_venta: int, numero: int) -> str:
    """TusFacturas' ``comprobante_nro``: "00003-00000074"."""
    return f"{punto_venta:05d}-{numero:08d}"


def parse_comprobante_nro(text: object) -> tuple[int, int] | None:
    """ "00003-00000074" -> (3, 74); None when it is not that shape."""
    m = _NRO_RE.match(str(text or ""))
    return (int(m.group(1)), int(m.group(2))) if m else None


def display_number(tipo: int, punto_venta: int, numero: int) -> str:
    """As TusFacturas writes it in ``rta``: "FACTURA B 00003-00000074"."""
    name = COMPROBANTE_TIPOS.get(tipo, f"COMPROBANTE {tipo}")
    return f"{name} {format_comprobante_nro(punto_venta, numero)}"


# -- CAE and dates ----------------------------------------------------------------------


def parse_cae(value: object) -> str | None:
    """A CAE as TusFacturas sends it ("68466696512853 ": "con un espacio al final") ->
    its 14 digits; None when empty or not a CAE."""
    text = str(value if value is not None else "").strip()
    return text if len(text) == 14 and text.isdigit() else None


def parse_afip_date(value: object) -> date | None:
    """dd/mm/yyyy (TusFacturas), yyyy-mm-dd (ISO) or yyyymmdd (AFIP); spaces tolerated."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def cae_expiry_iso(value: object) -> str | None:
    """``cae_vencimiento`` ("26/11/2018", maybe with a trailing space) -> "2018-11-26"."""
    parsed = parse_afip_date(value)
    return parsed.isoformat() if parsed else None


def format_fecha(value: date) -> str:
    return value.strftime("%d/%m/%Y")


# -- the document -----------------------------------------------------------------------


@dataclass(frozen=True)
class Producto:
    descripcion: str
    precio_unitario_sin_iva: Decimal
    alicuota: Decimal
    codigo: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # unknown keys, verbatim


@dataclass(frozen=True)
class Item:
    """One ``detalle`` entry."""

    cantidad: Decimal
    producto: Producto
    bonificacion_porcentaje: Decimal | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Cliente:
    documento_tipo: str
    documento_nro: str
    razon_social: str
    condicion_iva: str
    domicilio: str | None = None
    provincia: str | None = None
    email: str | None = None
    envia_por_mail: str | None = None
    condicion_pago: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Comprobante:
    tipo: int  # AFIP code; TusFacturas' text on the wire
    punto_venta: int
    detalle: tuple[Item, ...]
    numero: int | None = None
    fecha: date | None = None
    operacion: str = "V"
    moneda: str = PESOS
    cotizacion: Decimal = Decimal(1)
    total: Decimal | None = None  # as declared; `document_totals` computes the truth
    bonificacion: Decimal | None = None  # sin IVA, on the whole comprobante
    percepciones_iibb: Decimal | None = None
    percepciones_iva: Decimal | None = None
    impuestos_internos: Decimal | None = None
    exentos: Decimal | None = None
    external_reference: str | None = None
    periodo_facturado_desde: date | None = None
    periodo_facturado_hasta: date | None = None
    vencimiento: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ArgentineDocument:
    """One comprobante in TusFacturas' shape: ``{"cliente": {...}, "comprobante": {...}}``.

    Known fields are typed; every other key (``rubro``, ``tags``, ``tributos``,
    ``comprobantes_asociados``...) is kept verbatim in the ``extra`` of its block, so
    `document_to_json(document_from_json(x))` loses nothing but the credentials.
    """

    cliente: Cliente
    comprobante: Comprobante
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def letter(self) -> str:
        return letter_of(self.comprobante.tipo)


_CLIENTE_KEYS = ("documento_tipo", "documento_nro", "razon_social", "condicion_iva",
                 "domicilio", "provincia", "email", "envia_por_mail", "condicion_pago")
_COMPROBANTE_AMOUNTS = ("total", "bonificacion", "percepciones_iibb", "percepciones_iva",
                        "impuestos_internos", "exentos")
_COMPROBANTE_DATES = ("fecha", "periodo_facturado_desde", "periodo_facturado_hasta",
                      "vencimiento")
_COMPROBANTE_KEYS = frozenset(
    {"tipo", "punto_venta", "numero", "operacion", "moneda", "cotizacion", "detalle",
     "external_reference", *_COMPROBANTE_AMOUNTS, *_COMPROBANTE_DATES}
)
_ITEM_KEYS = frozenset({"cantidad", "producto", "bonificacion_porcentaje"})
_PRODUCTO_KEYS = frozenset({"descripcion", "codigo", "precio_unitario_sin_iva", "alicuota"})


# -- field labels and the error constructor -----------------------------------------------

_LABELS: dict[str, str] = {
    "": "Documento",
    "cliente": "Cliente",
    "cliente.documento_tipo": "Tipo de documento del cliente",
    "cliente.documento_nro": "Número de documento del cliente",
    "cliente.razon_social": "Nombre o razón social del cliente",
    "cliente.condicion_iva": "Condición frente al IVA del cliente",
    "cliente.domicilio": "Domicilio del cliente",
    "cliente.provincia": "Provincia del cliente",
    "cliente.email": "Correo del cliente",
    "cliente.envia_por_mail": "Envío por correo (S/N)",
    "cliente.condicion_pago": "Condición de pago",
    "comprobante": "Comprobante",
    "comprobante.tipo": "Tipo de comprobante",
    "comprobante.operacion": "Operación",
    "comprobante.punto_venta": "Punto de venta",
    "comprobante.numero": "Número de comprobante",
    "comprobante.fecha": "Fecha del comprobante",
    "comprobante.moneda": "Moneda",
    "comprobante.cotizacion": "Cotización",
    "comprobante.detalle": "Detalle",
    "comprobante.total": "Total",
    "comprobante.bonificacion": "Bonificación",
    "comprobante.percepciones_iibb": "Percepciones de IIBB",
    "comprobante.percepciones_iva": "Percepciones de IVA",
    "comprobante.impuestos_internos": "Impuestos internos",
    "comprobante.exentos": "Importe exento",
    "comprobante.external_reference": "Referencia externa",
    "comprobante.periodo_facturado_desde": "Período facturado desde",
    "comprobante.periodo_facturado_hasta": "Período facturado hasta",
    "comprobante.vencimiento": "Vencimiento del pago",
    "comprobante.comprobantes_asociados": "Comprobantes asociados",
}
_ITEM_LABELS: dict[str, str] = {
    "cantidad": "Cantidad",
    "bonificacion_porcentaje": "Bonificación (%)",
    "producto": "Producto",
    "producto.descripcion": "Descripción",
    "producto.codigo": "Código",
    "producto.precio_unitario_sin_iva": "Precio unitario sin IVA",
    "producto.alicuota": "Alícuota de IVA",
}
_ITEM_PATH_RE = re.compile(r"^comprobante\.detalle\[(\d+)\](?:\.(.+))?$")


def field_label(path: str) -> str:
    """Words a cashier understands for a JSON path: "comprobante.detalle[0].cantidad"
    -> "Cantidad del ítem 1". Unknown paths come back unchanged."""
    m = _ITEM_PATH_RE.match(path)
    if m:
        n, key = int(m.group(1)) + 1, m.group(2)
        return f"{_ITEM_LABELS.get(key, key)} del ítem {n}" if key else f"Ítem {n}"
    return _LABELS.get(path, path)


def error(path: str, rule: str) -> ValidationError:
    return ValidationError(path, f"{field_label(path)}: {rule}")


@dataclass(frozen=True)
class RedateRequired(ValidationError):
    """The document waited in the queue past the days AFIP accepts: it must get a new
    date, with the user's consent, before it is sent (`redate`). Sending it as it is
    would only earn a 10016 rejection."""

    code: str = REDATE_CODE


def needs_redating(errors: list[ValidationError]) -> bool:
    return any(isinstance(e, RedateRequired) for e in errors)


# -- parsing ------------------------------------------------------------------------------

_Add = Callable[[str, str], None]


def document_from_json(data: Any) -> tuple[ArgentineDocument | None, list[ValidationError]]:
    """TusFacturas' JSON (one item of ``requests``) -> a document, or every shape error.

    Accepts the forms TusFacturas' own examples use: numbers or numeric strings, the tipo
    as text or code, dates as dd/mm/aaaa (aaaa-mm-dd is accepted too). Credentials are
    dropped. Business rules are `validate_document`'s job.
    """
    errors: list[ValidationError] = []

    def add(path: str, rule: str) -> None:
        errors.append(error(path, rule))

    if not isinstance(data, Mapping):
        return None, [error("", "se esperaba un objeto JSON con «cliente» y «comprobante».")]
    cliente_raw, comprobante_raw = data.get("cliente"), data.get("comprobante")
    if not isinstance(cliente_raw, Mapping):
        add("cliente", "es obligatorio y debe ser un objeto.")
    if not isinstance(comprobante_raw, Mapping):
        add("comprobante", "es obligatorio y debe ser un objeto.")
    if errors:
        return None, errors
    assert isinstance(cliente_raw, Mapping) and isinstance(comprobante_raw, Mapping)
    cliente = _parse_cliente(cliente_raw, add)
    comprobante = _parse_comprobante(comprobante_raw, add)
    if errors or cliente is None or comprobante is None:
        return None, errors
    extra = _extra(data, {"cliente", "comprobante"})
    return ArgentineDocument(cliente=cliente, comprobante=comprobante, extra=extra), []


def _extra(raw: Mapping[str, Any], known: frozenset[str] | set[str] | tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k not in known and k not in CREDENTIAL_KEYS}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _parse_cliente(raw: Mapping[str, Any], add: _Add) -> Cliente | None:
    values = {key: _text(raw.get(key)) for key in _CLIENTE_KEYS}
    for key in ("documento_tipo", "documento_nro", "razon_social", "condicion_iva"):
        if values[key] is None:
            add(f"cliente.{key}", "es obligatorio.")
    if any(values[k] is None for k in ("documento_tipo", "documento_nro", "razon_social",
                                       "condicion_iva")):
        return None
    return Cliente(
        documento_tipo=(values["documento_tipo"] or "").upper(),
        documento_nro=values["documento_nro"] or "",
        razon_social=values["razon_social"] or "",
        condicion_iva=(values["condicion_iva"] or "").upper(),
        domicilio=values["domicilio"],
        provincia=values["provincia"],
        email=values["email"],
        envia_por_mail=values["envia_por_mail"].upper() if values["envia_por_mail"] else None,
        condicion_pago=values["condicion_pago"],
        extra=_extra(raw, _CLIENTE_KEYS),
    )


def _int_value(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _amount(raw: Mapping[str, Any], key: str, path: str, add: _Add) -> Decimal | None:
    if key not in raw or raw[key] is None or (isinstance(raw[key], str) and not raw[key].strip()):
        return None
    value = to_decimal(raw[key])
    if value is None:
        add(path, f"debe ser un número con punto decimal (se recibió «{raw[key]}»).")
    return value


def _parse_comprobante(raw: Mapping[str, Any], add: _Add) -> Comprobante | None:
    ok = True
    code = tipo_code(raw.get("tipo"))
    if code is None:
        names = ", ".join(COMPROBANTE_TIPOS.values())
        add("comprobante.tipo", f"debe ser uno de {names} (se recibió «{raw.get('tipo')}»).")
        ok = False
    punto = _int_value(raw.get("punto_venta"))
    if punto is None:
        add("comprobante.punto_venta", "es obligatorio y debe ser un número entero.")
        ok = False
    numero: int | None = None
    if raw.get("numero") not in (None, ""):
        numero = _int_value(raw.get("numero"))
        if numero is None:
            add("comprobante.numero", f"debe ser un número entero (se recibió «{raw.get('numero')}»).")
            ok = False
    dates: dict[str, date | None] = {}
    for key in _COMPROBANTE_DATES:
        value = raw.get(key)
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            dates[key] = None
            continue
        parsed = parse_afip_date(value)
        if parsed is None:
            add(f"comprobante.{key}", f"debe tener el formato dd/mm/aaaa (se recibió «{value}»).")
            ok = False
        dates[key] = parsed
    amounts = {key: _amount(raw, key, f"comprobante.{key}", add) for key in _COMPROBANTE_AMOUNTS}
    if any(key in raw and raw[key] not in (None, "") and amounts[key] is None
           for key in _COMPROBANTE_AMOUNTS):
        ok = False
    cotizacion = Decimal(1)
    if raw.get("cotizacion") not in (None, ""):
        parsed_cot = to_decimal(raw.get("cotizacion"))
        if parsed_cot is None:
            add("comprobante.cotizacion", f"debe ser un número (se recibió «{raw.get('cotizacion')}»).")
            ok = False
        else:
            cotizacion = parsed_cot
    detalle_raw = raw.get("detalle")
    items: list[Item] = []
    if not isinstance(detalle_raw, list):
        add("comprobante.detalle", "es obligatorio y debe ser una lista de ítems.")
        ok = False
    else:
        for index, entry in enumerate(detalle_raw):
            item = _parse_item(entry, index, add)
            if item is None:
                ok = False
            else:
                items.append(item)
    if not ok or code is None or punto is None:
        return None
    return Comprobante(
        tipo=code,
        punto_venta=punto,
        detalle=tuple(items),
        numero=numero,
        fecha=dates["fecha"],
        operacion=(_text(raw.get("operacion")) or "V").upper(),
        moneda=(_text(raw.get("moneda")) or PESOS).upper(),
        cotizacion=cotizacion,
        total=amounts["total"],
        bonificacion=amounts["bonificacion"],
        percepciones_iibb=amounts["percepciones_iibb"],
        percepciones_iva=amounts["percepciones_iva"],
        impuestos_internos=amounts["impuestos_internos"],
        exentos=amounts["exentos"],
        external_reference=_text(raw.get("external_reference")),
        periodo_facturado_desde=dates["periodo_facturado_desde"],
        periodo_facturado_hasta=dates["periodo_facturado_hasta"],
        vencimiento=dates["vencimiento"],
        extra=_extra(raw, _COMPROBANTE_KEYS),
    )


def _parse_item(entry: Any, index: int, add: _Add) -> Item | None:
    p = f"comprobante.detalle[{index}]"
    if not isinstance(entry, Mapping):
        add(p, "debe ser un objeto con «cantidad» y «producto».")
        return None
    producto_raw = entry.get("producto")
    if not isinstance(producto_raw, Mapping):
        add(f"{p}.producto", "es obligatorio y debe ser un objeto.")
        return None
    ok = True
    cantidad = to_decimal(entry.get("cantidad"))
    if cantidad is None:
        add(f"{p}.cantidad", f"es obligatoria y debe ser un número (se recibió «{entry.get('cantidad')}»).")
        ok = False
    bonif = _amount(entry, "bonificacion_porcentaje", f"{p}.bonificacion_porcentaje", add)
    if entry.get("bonificacion_porcentaje") not in (None, "") and bonif is None:
        ok = False
    precio = to_decimal(producto_raw.get("precio_unitario_sin_iva"))
    if precio is None:
        add(f"{p}.producto.precio_unitario_sin_iva",
            f"es obligatorio y debe ser un número (se recibió «{producto_raw.get('precio_unitario_sin_iva')}»).")
        ok = False
    alicuota = to_decimal(producto_raw.get("alicuota"))
    if alicuota is None:
        add(f"{p}.producto.alicuota",
            f"es obligatoria y debe ser un número (se recibió «{producto_raw.get('alicuota')}»).")
        ok = False
    descripcion = _text(producto_raw.get("descripcion"))
    if descripcion is None:
        add(f"{p}.producto.descripcion", "es obligatoria.")
        ok = False
    if not ok or cantidad is None or precio is None or alicuota is None or descripcion is None:
        return None
    producto = Producto(
        descripcion=descripcion,
        precio_unitario_sin_iva=precio,
        alicuota=alicuota,
        codigo=_text(producto_raw.get("codigo")),
        extra=_extra(producto_raw, _PRODUCTO_KEYS),
    )
    return Item(cantidad=cantidad, producto=producto, bonificacion_porcentaje=bonif,
                extra=_extra(entry, _ITEM_KEYS))


# -- serialising --------------------------------------------------------------------------


def amount_text(value: Decimal) -> str:
    """Decimals travel as strings ("114.88"): exact, and the form TusFacturas' own
    examples use ("precio_unitario_sin_iva": "100.45")."""
    return format(value, "f")


def document_to_json(doc: ArgentineDocument) -> dict[str, Any]:
    """The document back in TusFacturas' shape (known keys first, then the kept ones)."""
    c = doc.cliente
    cliente: dict[str, Any] = {
        "documento_tipo": c.documento_tipo,
        "documento_nro": c.documento_nro,
        "razon_social": c.razon_social,
        "condicion_iva": c.condicion_iva,
    }
    for key in ("domicilio", "provincia", "email", "envia_por_mail", "condicion_pago"):
        value = getattr(c, key)
        if value is not None:
            cliente[key] = value
    cliente.update(c.extra)
    k = doc.comprobante
    comprobante: dict[str, Any] = {"tipo": tipo_name(k.tipo), "operacion": k.operacion,
                                   "punto_venta": k.punto_venta}
    if k.numero is not None:
        comprobante["numero"] = k.numero
    for key in _COMPROBANTE_DATES:
        value = getattr(k, key)
        if value is not None:
            comprobante[key] = format_fecha(value)
    comprobante["moneda"] = k.moneda
    comprobante["cotizacion"] = amount_text(k.cotizacion)
    if k.external_reference is not None:
        comprobante["external_reference"] = k.external_reference
    comprobante["detalle"] = [_item_to_json(item) for item in k.detalle]
    for key in _COMPROBANTE_AMOUNTS:
        value = getattr(k, key)
        if value is not None:
            comprobante[key] = amount_text(value)
    comprobante.update(k.extra)
    out: dict[str, Any] = {"cliente": cliente, "comprobante": comprobante}
    out.update(doc.extra)
    return out


def _item_to_json(item: Item) -> dict[str, Any]:
    p = item.producto
    producto: dict[str, Any] = {"descripcion": p.descripcion}
    if p.codigo is not None:
        producto["codigo"] = p.codigo
    producto["precio_unitario_sin_iva"] = amount_text(p.precio_unitario_sin_iva)
    producto["alicuota"] = amount_text(p.alicuota)
    producto.update(p.extra)
    out: dict[str, Any] = {"cantidad": amount_text(item.cantidad)}
    if item.bonificacion_porcentaje is not None:
        out["bonificacion_porcentaje"] = amount_text(item.bonificacion_porcentaje)
    out["producto"] = producto
    out.update(item.extra)
    return out


# -- totals -------------------------------------------------------------------------------


def q2(value: Decimal) -> Decimal:
    """Two decimals, round half even (TusFacturas' advice on rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class IvaLine:
    """One AFIP AlicIva entry: the IVA of every concept at one rate."""

    alicuota: Decimal
    afip_id: int
    base: Decimal
    importe: Decimal


@dataclass(frozen=True)
class Totals:
    neto_gravado: Decimal
    no_gravado: Decimal
    exento: Decimal
    iva: tuple[IvaLine, ...]
    iva_total: Decimal
    tributos: Decimal
    total: Decimal


def line_net(item: Item) -> Decimal:
    """cantidad × precio sin IVA, less the item's bonificación %, rounded to cents."""
    gross = item.cantidad * item.producto.precio_unitario_sin_iva
    if item.bonificacion_porcentaje:
        gross = gross * (Decimal(100) - item.bonificacion_porcentaje) / Decimal(100)
    return q2(gross)


def document_totals(doc: ArgentineDocument) -> Totals:
    """AFIP's totals for a comprobante (WSFEv1: ImpNeto, ImpTotConc, ImpOpEx, AlicIva,
    ImpIVA, ImpTrib, ImpTotal).

    Lines are net of IVA (A and B) or final (C), each rounded to cents; they are summed
    per alícuota; the comprobante's ``bonificacion`` (sin IVA, reference page: "se aplica
    sobre el primer subtotal SIN IVA y se lo gravará con el importe de IVA que le
    corresponda") is shared among the alícuotas in proportion to their subtotals (the
    last one takes the rounding remainder); IVA = base × rate, rounded half even, per
    alícuota. Percepciones, impuestos internos and ``tributos[].total`` add to ImpTrib;
    ``exentos`` adds to ImpOpEx. A C comprobante has no IVA at all.
    """
    k = doc.comprobante
    groups: dict[Decimal, Decimal] = {}
    for item in k.detalle:
        rate = item.producto.alicuota
        groups[rate] = groups.get(rate, Decimal(0)) + line_net(item)
    bonificacion = k.bonificacion or Decimal(0)
    subtotal = sum(groups.values(), Decimal(0))
    if bonificacion and subtotal > 0:
        rates = sorted(groups)
        remaining = bonificacion
        for n, rate in enumerate(rates):
            share = remaining if n == len(rates) - 1 else q2(bonificacion * groups[rate] / subtotal)
            groups[rate] -= share
            remaining -= share
    is_c = letter_of(k.tipo) == "C"
    iva_lines: list[IvaLine] = []
    neto = no_gravado = exento = Decimal(0)
    for rate in sorted(groups):
        base = groups[rate]
        if rate == EXENTO:
            exento += base
        elif rate == NO_GRAVADO:
            no_gravado += base
        else:
            neto += base
            afip = iva_id(rate)
            if not is_c and afip is not None:
                iva_lines.append(IvaLine(rate, afip, base, q2(base * rate / Decimal(100))))
    exento += k.exentos or Decimal(0)
    tributos = sum(
        (v for v in (k.percepciones_iibb, k.percepciones_iva, k.impuestos_internos) if v),
        Decimal(0),
    ) + _tributos_array(k)
    iva_total = sum((line.importe for line in iva_lines), Decimal(0))
    total = neto + no_gravado + exento + iva_total + tributos
    return Totals(neto_gravado=neto, no_gravado=no_gravado, exento=exento,
                  iva=tuple(iva_lines), iva_total=iva_total, tributos=tributos, total=q2(total))


def _tributos_array(k: Comprobante) -> Decimal:
    """``tributos: [{tipo, regimen, base_imponible, alicuota, total}]`` (reference page)."""
    entries = k.extra.get("tributos")
    if not isinstance(entries, list):
        return Decimal(0)
    return sum(
        (to_decimal(e.get("total")) or Decimal(0) for e in entries if isinstance(e, Mapping)),
        Decimal(0),
    )


# -- validation -----------------------------------------------------------------------------


def date_window_days(doc: ArgentineDocument) -> int:
    """5 days for products, 10 for services (WSFEv1 10016). TusFacturas requires the
    ``periodo_facturado_*`` fields exactly when the concept includes services, so their
    presence is what marks a comprobante as services here."""
    k = doc.comprobante
    if k.periodo_facturado_desde is not None or k.periodo_facturado_hasta is not None:
        return SERVICE_WINDOW_DAYS
    return PRODUCT_WINDOW_DAYS


def check_fecha_window(doc: ArgentineDocument, today: date) -> list[ValidationError]:
    """The N−5..N+5 (products) / N−10..N+10 (services) rule against the day of issue.

    A date too far in the past is the offline-queue case and comes back as
    `RedateRequired`; a date too far ahead is an ordinary error.
    """
    fecha = doc.comprobante.fecha
    if fecha is None:
        return []
    days = date_window_days(doc)
    kind = "productos" if days == PRODUCT_WINDOW_DAYS else "servicios"
    if fecha < today - timedelta(days=days):
        path = "comprobante.fecha"
        message = (
            f"{field_label(path)}: el {format_fecha(fecha)} quedó fuera del plazo que acepta "
            f"AFIP ({days} días antes de hoy, {format_fecha(today)}, para {kind}). El comprobante "
            "esperó demasiado en la cola: debe cambiarse su fecha, con su consentimiento, "
            f"antes de enviarlo (código {REDATE_CODE})."
        )
        return [RedateRequired(path, message)]
    if fecha > today + timedelta(days=days):
        return [error("comprobante.fecha",
                      f"no puede ser posterior a {days} días después de hoy ({format_fecha(today)}) "
                      f"para {kind} (AFIP, código 10016).")]
    return []


def check_date_sequence(prev_date: date | datetime | None,
                        doc: ArgentineDocument) -> list[ValidationError]:
    """AFIP refuses a date earlier than the last comprobante of the same punto de venta
    (reference page, "FECHA": "no podrás emitir otro comprobante del mismo punto de venta
    con una fecha anterior"). Pure: the store passes the latest date among the punto de
    venta's documents that are approved or still on their way (not rejected)."""
    fecha = doc.comprobante.fecha
    if prev_date is None or fecha is None:
        return []
    previous = prev_date.date() if isinstance(prev_date, datetime) else prev_date
    if fecha < previous:
        return [error("comprobante.fecha",
                      f"no puede ser anterior a la del último comprobante del punto de venta "
                      f"{doc.comprobante.punto_venta} ({format_fecha(previous)}): AFIP no acepta "
                      "fechas que retroceden.")]
    return []


def validate_document(doc: ArgentineDocument, *, now: datetime | date | None = None,
                      emisor_condicion_iva: str | None = None) -> list[ValidationError]:
    """Every rule `doc` breaks, in document order; [] when it may be queued.

    `now` is the day of issue for the N±5/N±10 window (defaults to today).
    `emisor_condicion_iva` ("RI", "M", "E"), when known, checks the letter against the
    emisor; otherwise the letter itself tells (C: Monotributista/Exento; A/B: RI).
    """
    errors: list[ValidationError] = []

    def add(path: str, rule: str) -> None:
        errors.append(error(path, rule))

    today = _day(now)
    k = doc.comprobante
    _check_header(doc, add)
    if k.fecha is None:
        add("comprobante.fecha", "es obligatoria (dd/mm/aaaa).")
    else:
        errors.extend(check_fecha_window(doc, today))
    _check_cliente(doc, add, emisor_condicion_iva)
    before_items = len(errors)
    _check_items(doc, add)
    if len(errors) == before_items:
        _check_total(doc, add)
    return errors


def _day(now: datetime | date | None) -> date:
    if now is None:
        return date.today()
    if isinstance(now, datetime):
        return now.astimezone().date() if now.tzinfo else now.date()
    return now


def _check_header(doc: ArgentineDocument, add: _Add) -> None:
    k = doc.comprobante
    if k.operacion != "V":
        add("comprobante.operacion", "debe ser «V» (venta): Lote solo emite comprobantes de venta.")
    if not 1 <= k.punto_venta <= MAX_PUNTO_VENTA:
        add("comprobante.punto_venta", f"debe estar entre 1 y {MAX_PUNTO_VENTA} (AFIP, código 10004).")
    if k.numero is not None and not 1 <= k.numero <= MAX_NUMERO:
        add("comprobante.numero", f"debe estar entre 1 y {MAX_NUMERO} (AFIP, código 10008).")
    if not re.fullmatch(r"[A-Z0-9]{3}", k.moneda):
        add("comprobante.moneda", f"debe ser un código de moneda de AFIP de 3 caracteres, como PES o DOL (se recibió «{k.moneda}»).")
    if k.cotizacion <= 0:
        add("comprobante.cotizacion", "debe ser mayor que cero.")
    elif k.moneda == PESOS and k.cotizacion != 1:
        add("comprobante.cotizacion", "debe ser 1 cuando la moneda es PES (AFIP, código 10039).")
    ref = k.external_reference
    if ref is None:
        add("comprobante.external_reference",
            "es obligatoria: Lote la usa para no emitir nunca dos veces el mismo comprobante.")
    elif not _EXTERNAL_REF_RE.fullmatch(ref):
        add("comprobante.external_reference",
            "admite hasta 255 letras, números, guiones y guiones bajos.")
    desde, hasta = k.periodo_facturado_desde, k.periodo_facturado_hasta
    if (desde is None) != (hasta is None):
        missing = "periodo_facturado_hasta" if hasta is None else "periodo_facturado_desde"
        add(f"comprobante.{missing}", "es obligatorio cuando se informa el otro extremo del período.")
    elif desde is not None and hasta is not None and desde > hasta:
        add("comprobante.periodo_facturado_desde",
            "no puede ser posterior al período facturado hasta (AFIP, código 10032).")
    if k.vencimiento is not None and k.fecha is not None and k.vencimiento < k.fecha:
        add("comprobante.vencimiento",
            "no puede ser anterior a la fecha del comprobante (AFIP, código 10036).")
    if k.tipo in NOTAS and not (k.extra.get("comprobantes_asociados")
                                or k.extra.get("comprobantes_asociados_periodo")):
        add("comprobante.comprobantes_asociados",
            "una nota de crédito o de débito debe informar los comprobantes que ajusta "
            "(«comprobantes_asociados») o su período («comprobantes_asociados_periodo»).")
    for key in _COMPROBANTE_AMOUNTS[1:]:
        value = getattr(k, key)
        if value is not None and value < 0:
            add(f"comprobante.{key}", "no puede ser negativo.")


def _check_cliente(doc: ArgentineDocument, add: _Add, emisor_condicion: str | None) -> None:
    c, letter = doc.cliente, doc.letter
    if c.documento_tipo not in DOCUMENTO_TIPOS:
        add("cliente.documento_tipo",
            f"debe ser CUIT, DNI, PASAPORTE u OTRO (se recibió «{c.documento_tipo}»).")
    elif c.documento_tipo == "CUIT":
        problem = cuit_error(c.documento_nro)
        if problem:
            add("cliente.documento_nro", problem[0].lower() + problem[1:])
    else:
        nro = c.documento_nro
        if not _DIGITS_RE.fullmatch(nro):
            add("cliente.documento_nro",
                "debe tener solo dígitos, sin puntos ni guiones (AFIP solo admite números).")
        elif c.documento_tipo == "DNI" and not 7 <= len(nro.lstrip("0") or "0") <= 8:
            add("cliente.documento_nro", "un DNI tiene 7 u 8 dígitos.")
    if not 1 <= len(c.razon_social) <= 255:
        add("cliente.razon_social", "debe tener entre 1 y 255 caracteres.")
    if c.condicion_iva not in CONDICIONES_IVA:
        add("cliente.condicion_iva",
            f"debe ser RI (Responsable Inscripto), M (Monotributista), E (Exento) o CF "
            f"(Consumidor Final) (se recibió «{c.condicion_iva}»).")
    else:
        _check_letter(doc, add, emisor_condicion)
    if letter == "A" and c.documento_tipo != "CUIT":
        add("cliente.documento_tipo", "un comprobante A requiere el CUIT del cliente (AFIP, código 10013).")
    if c.domicilio is None:
        add("cliente.domicilio", "es obligatorio para TusFacturas.")
    if c.provincia is None or not _DIGITS_RE.fullmatch(c.provincia):
        add("cliente.provincia", "es obligatoria: el código numérico de provincia de TusFacturas (ej.: 2).")
    if c.envia_por_mail not in ("S", "N"):
        add("cliente.envia_por_mail", "debe ser S o N.")
    if c.condicion_pago is None or not _DIGITS_RE.fullmatch(c.condicion_pago):
        add("cliente.condicion_pago", "es obligatoria: el código de condición de pago de TusFacturas (ej.: 211).")


def _check_letter(doc: ArgentineDocument, add: _Add, emisor_condicion: str | None) -> None:
    letter, receptor = doc.letter, doc.cliente.condicion_iva
    name = COMPROBANTE_TIPOS[doc.comprobante.tipo]
    if emisor_condicion is not None:
        expected = letter_for(emisor_condicion, receptor)
        if expected != letter:
            add("comprobante.tipo",
                f"un emisor {CONDICIONES_IVA.get(emisor_condicion, emisor_condicion)} emite a un "
                f"cliente {CONDICIONES_IVA[receptor]} comprobantes {expected}, no {name}.")
        return
    if letter == "C":
        return
    expected = letter_for("RI", receptor)
    if expected != letter:
        add("comprobante.tipo",
            f"a un cliente {CONDICIONES_IVA[receptor]} un Responsable Inscripto le emite "
            f"comprobantes {expected}, no {name}.")


def _check_items(doc: ArgentineDocument, add: _Add) -> None:
    k = doc.comprobante
    if not k.detalle:
        add("comprobante.detalle", "el comprobante debe tener al menos un ítem.")
    elif len(k.detalle) > MAX_CONCEPTOS:
        add("comprobante.detalle", f"TusFacturas admite como máximo {MAX_CONCEPTOS} ítems por comprobante.")
    is_c = doc.letter == "C"
    for index, item in enumerate(k.detalle):
        p = f"comprobante.detalle[{index}]"
        if item.cantidad <= 0:
            add(f"{p}.cantidad", "debe ser mayor que cero.")
        bonif = item.bonificacion_porcentaje
        if bonif is not None and not 0 <= bonif <= 100:
            add(f"{p}.bonificacion_porcentaje", "debe estar entre 0 y 100.")
        prod = item.producto
        if not 4 <= len(prod.descripcion) <= 255:
            add(f"{p}.producto.descripcion", "debe tener entre 4 y 255 caracteres (TusFacturas).")
        if prod.precio_unitario_sin_iva < 0:
            add(f"{p}.producto.precio_unitario_sin_iva", "no puede ser negativo.")
        if is_c:
            if prod.alicuota != 0:
                add(f"{p}.producto.alicuota",
                    "debe ser 0: los comprobantes C no llevan IVA y se envían con su precio final.")
        elif prod.alicuota not in ALICUOTAS:
            add(f"{p}.producto.alicuota",
                "debe ser 0, 2.5, 5, 10.5, 21 o 27, o −1 (exento) o −2 (no gravado) "
                f"(se recibió «{amount_text(prod.alicuota)}»).")
    if k.bonificacion is not None and k.detalle:
        subtotal = sum((line_net(item) for item in k.detalle), Decimal(0))
        if k.bonificacion > subtotal:
            add("comprobante.bonificacion", "no puede superar el subtotal sin IVA de los ítems.")


def _check_total(doc: ArgentineDocument, add: _Add) -> None:
    declared = doc.comprobante.total
    if declared is None:
        add("comprobante.total", "es obligatorio.")
        return
    computed = document_totals(doc).total
    if abs(declared - computed) > TOTAL_TOLERANCE:
        add("comprobante.total",
            f"el total informado ({amount_text(declared)}) no coincide con la suma de los "
            f"ítems, el IVA y los tributos ({amount_text(computed)}); AFIP lo rechaza "
            "(código 10048).")


# -- preparing and re-dating ---------------------------------------------------------------


def new_external_reference() -> str:
    return uuid.uuid4().hex


def prepare_document(doc: ArgentineDocument, *, today: date | None = None) -> ArgentineDocument:
    """What Lote fills rather than the user: an ``external_reference`` (uuid4 hex) when
    absent — TusFacturas does not enforce its uniqueness, Lote must —, today's date when
    there is none (a point of sale issues on the day), ``envia_por_mail: "N"`` when
    unsaid (Lote does not ask TusFacturas to e-mail unless told), and the total when
    absent (computed)."""
    k = doc.comprobante
    changes: dict[str, Any] = {}
    if k.external_reference is None:
        changes["external_reference"] = new_external_reference()
    if k.fecha is None:
        changes["fecha"] = today or date.today()
    if changes:
        doc = replace(doc, comprobante=replace(k, **changes))
    if doc.cliente.envia_por_mail is None:
        doc = replace(doc, cliente=replace(doc.cliente, envia_por_mail="N"))
    if doc.comprobante.total is None:
        doc = replace(doc, comprobante=replace(doc.comprobante, total=document_totals(doc).total))
    return doc


def redate(doc: ArgentineDocument, new_date: date) -> ArgentineDocument:
    """The document with a new date, once the user agreed (see `RedateRequired`). A due
    date (``vencimiento``) that would fall before the new date moves with it."""
    k = doc.comprobante
    vencimiento = k.vencimiento
    if vencimiento is not None and vencimiento < new_date:
        vencimiento = new_date
    return replace(doc, comprobante=replace(k, fecha=new_date, vencimiento=vencimiento))


# -- CountryRules -----------------------------------------------------------------------------


class ArgentinaRules:
    """`CountryRules` for Argentina: the TusFacturas JSON behind Lote's outbox.

    Summary: tipo_documento = AFIP comprobante code, establecimiento "0" (AFIP has no
    establecimiento: the punto de venta is the whole series), punto = punto de venta as
    text ("3"), currency = AFIP's MonId as sent ("PES", not translated to ISO "ARS", so
    the summary matches what ARCA stores), total and IVA as computed (not as declared).
    """

    code = "AR"

    def check_date_sequence(self, prev_date: date | datetime | None,
                            doc: ArgentineDocument) -> list[ValidationError]:
        """The store asks this with the punto de venta's latest date (see the function)."""
        return check_date_sequence(prev_date, doc)

    def __init__(self, emisor_condicion_iva: str | None = None) -> None:
        self.emisor_condicion_iva = emisor_condicion_iva

    def parse(self, data: Any) -> tuple[ArgentineDocument | None, list[ValidationError]]:
        return document_from_json(data)

    def prepare(self, doc: ArgentineDocument) -> ArgentineDocument:
        return prepare_document(doc)

    def validate(self, doc: ArgentineDocument, *, now: datetime | None = None) -> list[ValidationError]:
        return validate_document(doc, now=now, emisor_condicion_iva=self.emisor_condicion_iva)

    def summary(self, doc: ArgentineDocument) -> Summary:
        totals = document_totals(doc)
        k, c = doc.comprobante, doc.cliente
        fecha = k.fecha or date.today()
        return Summary(
            tipo_documento=k.tipo,
            establecimiento="0",
            punto=str(k.punto_venta),
            numero=k.numero,
            fecha=datetime.combine(fecha, time()),
            customer_name=c.razon_social,
            customer_tax_id=normalise_cuit(c.documento_nro) if c.documento_tipo == "CUIT" else c.documento_nro,
            currency=k.moneda,
            total=totals.total,
            iva_total=totals.iva_total,
            external_ref=k.external_reference,
        )

    def with_numero(self, doc: ArgentineDocument, numero: int) -> ArgentineDocument:
        return replace(doc, comprobante=replace(doc.comprobante, numero=numero))

    def to_json(self, doc: ArgentineDocument) -> dict[str, Any]:
        return document_to_json(doc)

    def display_number(self, tipo_documento: int, establecimiento: str, punto: str,
                       numero: int) -> str:
        return display_number(tipo_documento, int(punto), numero)

    def authority_id(self, doc: ArgentineDocument, emisor: Emisor) -> str | None:
        """None: the CAE is AFIP's answer, not something Lote can compute."""
        return None


RULES = ArgentinaRules()
