"""Paraguayan sales from a CSV file (one row per item) into SIFEN DE JSON.

A shop's point of sale or spreadsheet exports one row per *item*; the rows of one sale
share the value of the ``documento`` column (the shop's own sale number or external id)
and repeat — or leave empty — the sale's header columns. `rows_to_de_json` groups them
and writes, per sale, the "Estructura JSON de un DE" that FacturaSend and DTEpy take
(PROVIDERS.md) and `document.document_from_json` reads, so an imported sale follows the
same path as one typed in the invoice dialog (parse, `paraguay.RULES.prepare`,
`validation.validate_document`, `outbox.enqueue_documents`).

Errors are values (STYLE.md): each is a `ValidationError` whose ``field`` names the CSV
row and column — ``"fila 3, item_cantidad"`` — and whose message is Spanish. Rows are
numbered as a spreadsheet shows them: the header is row 1, ``rows[0]`` is row 2 (blank
lines count, which `read_csv` keeps for that reason).

Columns (header names are case-insensitive; unknown columns are ignored):

======================== ====== =============================================================
column                   level  meaning
======================== ====== =============================================================
documento                key    the shop's sale number / external id (groups the rows)
fecha                    sale   AAAA-MM-DD[ HH:MM[:SS]] or DD/MM/AAAA[ HH:MM[:SS]] (local time)
tipo_documento           sale   1 factura (default); 5 nota de crédito, 6 nota de débito
documento_asociado_cdc   sale   CDC of the invoice a nota de crédito/débito corrects
establecimiento, punto   sale   3 digits, default 001
numero                   sale   optional: empty lets Lote assign the next number
moneda, cambio           sale   PYG (default), USD...; ``cambio`` required when not PYG
condicion                sale   contado (default) or credito (also 1 / 2)
pago_tipo                sale   SIFEN forma de pago of a cash sale (1 efectivo, 3 tarjeta de
                                crédito, 5 transferencia...): paid in full; empty = efectivo
credito_plazo            sale   for a credit sale: "30 días", or
credito_cuotas           sale   the number of instalments
cliente_ruc              sale   customer RUC with its check digit (80012345-6): a contribuyente
cliente_documento_tipo   sale   else 1 cédula (default), 2 pasaporte, 3 cédula extranjera,
                                4 carnet de residencia, 5 innominado, 6 diplomático, 9 otro
cliente_documento_numero sale   the identity document's number
cliente_razon_social     sale   customer name (empty with no id at all: "Sin Nombre",
                                innominado)
cliente_email, cliente_direccion, cliente_telefono          sale   optional
cliente_tipo_operacion   sale   1 B2B (default with RUC), 2 B2C (default without), 3 B2G, 4 B2F
item_codigo              item   optional product code
item_descripcion         item   required
item_cantidad            item   > 0, decimal comma or point
item_precio_unitario     item   unit price *with* IVA; no thousands separator ("110000")
item_iva                 item   10, 5, 0 / exenta, exonerada
item_iva_proporcion      item   optional, gravado parcial: the taxed share, 10..90 (%)
item_unidad_medida       item   SIFEN unit code, default 77 (unidad)
======================== ====== =============================================================

``item_iva`` 10 or 5 → ivaTipo 1, ivaBase 100, iva 10/5 (with ``item_iva_proporcion`` below
100: ivaTipo 4, ivaBase = the share); 0 or "exenta" → ivaTipo 3, ivaBase 0, iva 0;
"exonerada" → ivaTipo 2 (MT v150 E731-E734).

Numbers: the decimal separator is a comma or a point; thousands separators are only
accepted where they cannot be mistaken ("1.234,50", "1,234.50", "1.500.000"). A price like
"110.000" — 110 or 110 000? — is refused rather than guessed; a quantity "1.500" is 1.5.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from desktop_app.domain.cdc import is_valid_cdc
from desktop_app.domain.document import Document
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.money import CURRENCY_DECIMALS, quantize
from desktop_app.domain.ruc import parse_ruc, ruc_error

KEY_COLUMN = "documento"

#: Columns that describe the sale: every row of one document repeats them or leaves them empty.
HEADER_COLUMNS: tuple[str, ...] = (
    "fecha",
    "tipo_documento",
    "documento_asociado_cdc",
    "establecimiento",
    "punto",
    "numero",
    "moneda",
    "cambio",
    "condicion",
    "pago_tipo",
    "credito_plazo",
    "credito_cuotas",
    "cliente_ruc",
    "cliente_documento_tipo",
    "cliente_documento_numero",
    "cliente_razon_social",
    "cliente_email",
    "cliente_direccion",
    "cliente_telefono",
    "cliente_tipo_operacion",
)
ITEM_COLUMNS: tuple[str, ...] = (
    "item_codigo",
    "item_descripcion",
    "item_cantidad",
    "item_precio_unitario",
    "item_iva",
    "item_iva_proporcion",
    "item_unidad_medida",
)
REQUIRED_COLUMNS: tuple[str, ...] = (
    KEY_COLUMN,
    "fecha",
    "item_descripcion",
    "item_cantidad",
    "item_precio_unitario",
    "item_iva",
)
COLUMNS: tuple[str, ...] = (KEY_COLUMN, *HEADER_COLUMNS, *ITEM_COLUMNS)

#: tipoDocumento the CSV can carry (C002): 4 (autofactura) and 7 (remisión) need data
#: (vendedor, transporte) a one-row-per-item file does not have.
TIPOS_CSV = {1: "factura", 5: "nota de crédito", 6: "nota de débito"}
INNOMINADO = 5
SIN_NOMBRE = "Sin Nombre"

_TIPO_WORDS = {"factura": 1, "nota de credito": 5, "nota de debito": 6}
_DOC_TIPO_WORDS = {
    "ci": 1,
    "cedula": 1,
    "cedula paraguaya": 1,
    "pasaporte": 2,
    "cedula extranjera": 3,
    "carnet de residencia": 4,
    "innominado": 5,
    "tarjeta diplomatica": 6,
    "diplomatico": 6,
    "otro": 9,
}
_DOC_TIPOS = frozenset({1, 2, 3, 4, 5, 6, 9})
_CONDICION_WORDS = {"contado": 1, "credito": 2}
_FECHA_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)
#: "AAAA-MM-DD[( |T)HH:MM[:SS]]" with every field zero-padded: what the first five of
#: _FECHA_FORMATS read, so `_fecha` takes the same date from it without strptime.
_ISO_FECHA_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?\Z"
)
_AMBIGUOUS_RE = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")
_GROUPED_RE = {
    ",": re.compile(r"^[+-]?\d{1,3}(,\d{3})+$"),
    ".": re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$"),
}
_DIGITS_RE = re.compile(r"^\d+$")


# -- reading the file ---------------------------------------------------------------


def read_csv(path: str | Path) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts keyed by lower-cased, trimmed header names.

    Tolerates what spreadsheets produce: a UTF-8 byte order mark (or, failing UTF-8,
    Windows-1252 text), ``;`` or ``,`` (or tab) as the delimiter — sniffed from the
    header line — and Windows line endings. Blank lines are kept as rows of empty values
    so that row numbers in error messages match what the user sees.
    """
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return parse_csv_text(text)


def parse_csv_text(text: str) -> list[dict[str, str]]:
    """`read_csv` on text already decoded (a BOM at its start is dropped)."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for record in reader:
        if header is None:
            header = [h.strip().lstrip("\ufeff").lower() for h in record]
            continue
        values = [v.strip() for v in record]
        values += [""] * (len(header) - len(values))
        rows.append({name: values[i] for i, name in enumerate(header) if name})
    while rows and not any(rows[-1].values()):
        rows.pop()
    return rows


def _sniff_delimiter(text: str) -> str:
    first = text.splitlines()[0] if text.splitlines() else ""
    try:
        return csv.Sniffer().sniff(first, delimiters=";,\t").delimiter
    except csv.Error:
        counts = {d: first.count(d) for d in ";,\t"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


# -- rows -> DE JSON ------------------------------------------------------------------


@dataclass
class _Group:
    key: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (fila, row)


class _Errors:
    def __init__(self) -> None:
        self.items: list[ValidationError] = []

    def add(self, fila: int, column: str, message: str) -> None:
        self.items.append(ValidationError(f"fila {fila}, {column}", message))


def _groups(rows: list[dict[str, str]]) -> Iterator[_Group | tuple[int, ValidationError]]:
    by_key: dict[str, _Group] = {}
    order: list[_Group | tuple[int, ValidationError]] = []
    for index, raw in enumerate(rows):
        fila = index + 2
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        key = row.get(KEY_COLUMN, "")
        if not key:
            order.append(
                (
                    fila,
                    ValidationError(
                        f"fila {fila}, {KEY_COLUMN}",
                        "Falta el documento: cada fila debe indicar a qué venta pertenece.",
                    ),
                )
            )
            continue
        group = by_key.get(key)
        if group is None:
            group = by_key[key] = _Group(key)
            order.append(group)
        group.rows.append((fila, row))
    yield from order


def document_keys(rows: list[dict[str, str]]) -> list[str]:
    """The ``documento`` value of each entry `rows_to_de_json` returns, in the same order
    ("" for a row without one): the external reference to store with each sale."""
    if not rows or not _has_columns(rows):
        return [""] if rows else []
    return [g.key if isinstance(g, _Group) else "" for g in _groups(rows)]


def rows_to_de_json(
    rows: list[dict[str, str]],
) -> list[tuple[dict[str, Any] | None, list[ValidationError]]]:
    """One (DE JSON, []) or (None, errors) per sale, in the order sales first appear.

    Every problem of a sale is reported (not just the first). A file missing a required
    column gives one entry with the missing columns and nothing else.
    """
    if not rows:
        return []
    missing = _missing_columns(rows)
    if missing:
        names = ", ".join(missing)
        return [
            (
                None,
                [
                    ValidationError(
                        "fila 1", f"Faltan columnas obligatorias en el encabezado: {names}."
                    )
                ],
            )
        ]
    return _groups_to_de_json(list(_groups(rows)))


def _groups_to_de_json(
    groups: list[_Group | tuple[int, ValidationError]],
) -> list[tuple[dict[str, Any] | None, list[ValidationError]]]:
    out: list[tuple[dict[str, Any] | None, list[ValidationError]]] = []
    for entry in groups:
        if isinstance(entry, tuple):
            out.append((None, [entry[1]]))
            continue
        de, errors = _group_to_de(entry)
        out.append((None, errors) if errors else (de, []))
    return out


def _missing_columns(rows: list[dict[str, str]]) -> list[str]:
    present = {k.strip().lower() for k in rows[0]}
    return [c for c in REQUIRED_COLUMNS if c not in present]


def _has_columns(rows: list[dict[str, str]]) -> bool:
    return not _missing_columns(rows)


def _header_values(group: _Group, errors: _Errors) -> dict[str, tuple[int, str]]:
    """Each header column's value and the row it came from; conflicts are errors."""
    values: dict[str, tuple[int, str]] = {}
    for fila, row in group.rows:
        for column in HEADER_COLUMNS:
            value = row.get(column, "")
            if not value:
                continue
            first = values.get(column)
            if first is None:
                values[column] = (fila, value)
            elif first[1] != value:
                errors.add(
                    fila,
                    column,
                    (
                        f"No coincide con la fila {first[0]} del mismo documento "
                        f"(«{value}» ≠ «{first[1]}»): los datos de la venta deben ser iguales en "
                        "todas sus filas o quedar vacíos."
                    ),
                )
    return values


def _group_to_de(group: _Group) -> tuple[dict[str, Any], list[ValidationError]]:
    errors = _Errors()
    head = _header_values(group, errors)
    first_fila = group.rows[0][0]

    def at(column: str) -> int:
        return head[column][0] if column in head else first_fila

    def get(column: str) -> str:
        return head[column][1] if column in head else ""

    de: dict[str, Any] = {}
    tipo = _tipo_documento(get("tipo_documento"), at("tipo_documento"), errors)
    de["tipoDocumento"] = tipo
    de["establecimiento"] = _code3(get("establecimiento"), "establecimiento", at, errors)
    de["punto"] = _code3(get("punto"), "punto", at, errors)
    if get("numero"):
        numero = get("numero")
        if _DIGITS_RE.match(numero) and 1 <= int(numero) <= 9_999_999:
            de["numero"] = int(numero)
        else:
            errors.add(
                at("numero"),
                "numero",
                f"Debe ser un número entero de 1 a 9999999 (se recibió «{numero}»).",
            )
    fecha = _fecha(get("fecha"), at("fecha"), errors)
    if fecha is not None:
        # document.FECHA_FORMAT, by isoformat: strftime imports `time` on every call.
        de["fecha"] = fecha.isoformat(timespec="seconds")
    de["tipoEmision"] = 1
    de["tipoTransaccion"] = 1
    de["tipoImpuesto"] = 1
    moneda = (get("moneda") or "PYG").upper()
    if moneda not in CURRENCY_DECIMALS:
        errors.add(
            at("moneda"),
            "moneda",
            f"Debe ser una de {', '.join(sorted(CURRENCY_DECIMALS))} (se recibió «{moneda}»).",
        )
        moneda = "PYG"
    de["moneda"] = moneda
    if moneda != "PYG":
        cambio = _number(
            get("cambio"),
            "cambio",
            at("cambio"),
            errors,
            amount=False,
            required=True,
            what="el tipo de cambio de la moneda a guaraníes",
        )
        if cambio is not None:
            de["cambio"] = _json_number(cambio)
    de["cliente"] = _customer(get, at, errors)
    if tipo == 1:
        de["factura"] = {"presencia": 1}
    if tipo in (5, 6):
        cdc = get("documento_asociado_cdc")
        if not cdc:
            errors.add(
                at("documento_asociado_cdc"),
                "documento_asociado_cdc",
                f"Una {TIPOS_CSV[tipo]} necesita el CDC de la factura que corrige.",
            )
        elif not is_valid_cdc(cdc):
            errors.add(
                at("documento_asociado_cdc"),
                "documento_asociado_cdc",
                f"No es un CDC válido de 44 dígitos (se recibió «{cdc}»).",
            )
        else:
            de["documentoAsociado"] = {"formato": 1, "cdc": cdc}
    items = [_item(fila, row, errors) for fila, row in group.rows]
    de["items"] = [i for i in items if i is not None]
    condicion = _condicion(get, at, errors, de["items"], moneda, tipo)
    if condicion is not None:
        de["condicion"] = condicion
    return de, errors.items


def _tipo_documento(text: str, fila: int, errors: _Errors) -> int:
    if not text:
        return 1
    folded = _fold(text)
    tipo = int(folded) if _DIGITS_RE.match(folded) else _TIPO_WORDS.get(folded)
    if tipo not in TIPOS_CSV:
        errors.add(
            fila,
            "tipo_documento",
            f"Debe ser 1 (factura), 5 (nota de crédito) o 6 (nota de débito) "
            f"(se recibió «{text}»).",
        )
        return 1
    return tipo


def _code3(text: str, column: str, at: Any, errors: _Errors) -> str:
    if not text:
        return "001"
    if _DIGITS_RE.match(text) and 1 <= int(text) <= 999:
        return f"{int(text):03d}"
    errors.add(at(column), column, f"Debe ser un número de 001 a 999 (se recibió «{text}»).")
    return "001"


def _fecha(text: str, fila: int, errors: _Errors) -> datetime | None:
    if not text:
        errors.add(fila, "fecha", "Falta la fecha de la venta.")
        return None
    iso = _ISO_FECHA_RE.match(text)
    if iso:  # the usual spelling, read without strptime (ten times slower)
        year, month, day, hour, minute, second = iso.groups()
        try:
            return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                            int(second or 0))
        except ValueError:
            pass  # an impossible date: strptime below refuses it too, and it is reported
    for fmt in _FECHA_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    errors.add(
        fila,
        "fecha",
        (
            f"No es una fecha válida (se recibió «{text}»): use AAAA-MM-DD HH:MM:SS o "
            "DD/MM/AAAA HH:MM:SS."
        ),
    )
    return None


def _customer(get: Any, at: Any, errors: _Errors) -> dict[str, Any]:
    ruc_text = get("cliente_ruc")
    doc_tipo_text = get("cliente_documento_tipo")
    doc_numero = get("cliente_documento_numero")
    name = get("cliente_razon_social")
    cliente: dict[str, Any]
    if ruc_text:
        if doc_tipo_text or doc_numero:
            column = "cliente_documento_tipo" if doc_tipo_text else "cliente_documento_numero"
            errors.add(
                at(column),
                column,
                "Indique el RUC del cliente o su documento de identidad, no ambos.",
            )
        problem = ruc_error(ruc_text)
        ruc = parse_ruc(ruc_text)
        if problem or ruc is None:
            errors.add(at("cliente_ruc"), "cliente_ruc", problem or "RUC inválido.")
        cliente = {"contribuyente": True, "ruc": str(ruc) if ruc else ruc_text}
        default_operacion = 1
    else:
        if not (doc_tipo_text or doc_numero or name):
            doc_tipo = INNOMINADO
            name = SIN_NOMBRE
        else:
            doc_tipo = _doc_tipo(doc_tipo_text, at("cliente_documento_tipo"), errors)
        if doc_tipo != INNOMINADO and not doc_numero:
            errors.add(
                at("cliente_documento_numero"),
                "cliente_documento_numero",
                "Falta el número de documento del cliente (o indique su RUC).",
            )
        if doc_tipo == INNOMINADO and not name:
            name = SIN_NOMBRE
        cliente = {"contribuyente": False, "documentoTipo": doc_tipo}
        if doc_numero:
            cliente["documentoNumero"] = doc_numero
        default_operacion = 2
    if not name:
        errors.add(
            at("cliente_razon_social"),
            "cliente_razon_social",
            "Falta el nombre o la razón social del cliente.",
        )
    cliente["razonSocial"] = name
    operacion_text = get("cliente_tipo_operacion")
    operacion = default_operacion
    if operacion_text:
        if operacion_text in {"1", "2", "3", "4"}:
            operacion = int(operacion_text)
        else:
            errors.add(
                at("cliente_tipo_operacion"),
                "cliente_tipo_operacion",
                f"Debe ser 1 (B2B), 2 (B2C), 3 (B2G) o 4 (B2F) (se recibió «{operacion_text}»).",
            )
    cliente["tipoOperacion"] = operacion
    cliente["pais"] = "PRY"
    for column, key in (
        ("cliente_email", "email"),
        ("cliente_direccion", "direccion"),
        ("cliente_telefono", "telefono"),
    ):
        if get(column):
            cliente[key] = get(column)
    return cliente


def _doc_tipo(text: str, fila: int, errors: _Errors) -> int:
    if not text:
        return 1
    folded = _fold(text)
    tipo = int(folded) if _DIGITS_RE.match(folded) else _DOC_TIPO_WORDS.get(folded)
    if tipo not in _DOC_TIPOS:
        errors.add(
            fila,
            "cliente_documento_tipo",
            (
                "Debe ser 1 (cédula), 2 (pasaporte), 3 (cédula extranjera), 4 (carnet de "
                f"residencia), 5 (innominado), 6 (tarjeta diplomática) o 9 (otro) (se recibió «{text}»)."
            ),
        )
        return 1
    return tipo


def _item(fila: int, row: dict[str, str], errors: _Errors) -> dict[str, Any] | None:
    before = len(errors.items)
    descripcion = row.get("item_descripcion", "")
    if not descripcion:
        errors.add(fila, "item_descripcion", "Falta la descripción del ítem.")
    cantidad = _number(
        row.get("item_cantidad", ""),
        "item_cantidad",
        fila,
        errors,
        amount=False,
        required=True,
        what="la cantidad",
    )
    if cantidad is not None and cantidad <= 0:
        errors.add(
            fila, "item_cantidad", f"Debe ser mayor que cero (se recibió «{row['item_cantidad']}»)."
        )
    precio = _number(
        row.get("item_precio_unitario", ""),
        "item_precio_unitario",
        fila,
        errors,
        amount=True,
        required=True,
        what="el precio unitario con IVA",
    )
    if precio is not None and precio < 0:
        errors.add(fila, "item_precio_unitario", "No puede ser negativo.")
    iva = _iva(row.get("item_iva", ""), row.get("item_iva_proporcion", ""), fila, errors)
    unidad = 77
    unidad_text = row.get("item_unidad_medida", "")
    if unidad_text:
        if _DIGITS_RE.match(unidad_text):
            unidad = int(unidad_text)
        else:
            errors.add(
                fila,
                "item_unidad_medida",
                f"Debe ser el código numérico de SIFEN, como 77 (unidad) (se recibió «{unidad_text}»).",
            )
    if len(errors.items) > before or cantidad is None or precio is None or iva is None:
        return None
    item: dict[str, Any] = {}
    if row.get("item_codigo"):
        item["codigo"] = row["item_codigo"]
    item.update(
        {
            "descripcion": descripcion,
            "unidadMedida": unidad,
            "cantidad": _json_number(cantidad),
            "precioUnitario": _json_number(precio),
            "ivaTipo": iva[0],
            "ivaBase": iva[1],
            "iva": iva[2],
        }
    )
    return item


def _iva(
    text: str, proporcion_text: str, fila: int, errors: _Errors
) -> tuple[int, int, int] | None:
    """item_iva (+ item_iva_proporcion) -> (ivaTipo, ivaBase, iva), MT v150 E731-E734."""
    folded = _fold(text).replace("%", "").replace(" ", "")
    if folded in {"10", "5"}:
        rate = int(folded)
        if not proporcion_text:
            return 1, 100, rate
        if _DIGITS_RE.match(proporcion_text) and int(proporcion_text) == 100:
            return 1, 100, rate
        if _DIGITS_RE.match(proporcion_text) and 10 <= int(proporcion_text) <= 90:
            return 4, int(proporcion_text), rate
        errors.add(
            fila,
            "item_iva_proporcion",
            f"Debe ser un porcentaje entero de 10 a 90, o 100 (se recibió «{proporcion_text}»).",
        )
        return None
    if folded in {"0", "exenta", "exento"}:
        tipo = 3
    elif folded in {"exonerada", "exonerado"}:
        tipo = 2
    else:
        errors.add(
            fila,
            "item_iva",
            (
                "Debe ser 10, 5, 0 (exenta) o exonerada"
                + (f" (se recibió «{text}»)." if text else ".")
            ),
        )
        return None
    if proporcion_text:
        errors.add(fila, "item_iva_proporcion", "Solo corresponde a ítems gravados al 5 o al 10 %.")
        return None
    return tipo, 0, 0


def _condicion(
    get: Any, at: Any, errors: _Errors, items: list[dict[str, Any]], moneda: str, tipo: int
) -> dict[str, Any] | None:
    text = get("condicion")
    folded = _fold(text)
    condicion = (
        1 if not text else (int(folded) if folded in {"1", "2"} else _CONDICION_WORDS.get(folded))
    )
    if condicion is None:
        errors.add(
            at("condicion"), "condicion", f"Debe ser contado o credito (se recibió «{text}»)."
        )
        condicion = 1
    if condicion == 2:
        plazo, cuotas_text = get("credito_plazo"), get("credito_cuotas")
        if cuotas_text:
            if _DIGITS_RE.match(cuotas_text) and int(cuotas_text) >= 1:
                credito: dict[str, Any] = {"tipo": 2, "cuotas": int(cuotas_text)}
                if plazo:
                    credito["plazo"] = plazo
                return {"tipo": 2, "credito": credito}
            errors.add(
                at("credito_cuotas"),
                "credito_cuotas",
                f"Debe ser un número entero de cuotas, 1 o más (se recibió «{cuotas_text}»).",
            )
            return {"tipo": 2}
        if plazo:
            return {"tipo": 2, "credito": {"tipo": 1, "plazo": plazo}}
        errors.add(
            at("credito_plazo"),
            "credito_plazo",
            "Una venta a crédito necesita el plazo (credito_plazo) o las cuotas (credito_cuotas).",
        )
        return {"tipo": 2}
    pago_text = get("pago_tipo")
    if not pago_text:
        return {"tipo": 1} if tipo == 1 else None
    if not (_DIGITS_RE.match(pago_text) and (1 <= int(pago_text) <= 21 or int(pago_text) == 99)):
        errors.add(
            at("pago_tipo"),
            "pago_tipo",
            f"Debe ser un código de forma de pago de SIFEN, 1 a 21 o 99 (se recibió «{pago_text}»).",
        )
        return {"tipo": 1}
    total = sum(
        (
            quantize(Decimal(str(i["cantidad"])) * Decimal(str(i["precioUnitario"])), moneda)
            for i in items
        ),
        Decimal(0),
    )
    return {
        "tipo": 1,
        "entregas": [{"tipo": int(pago_text), "monto": _json_number(total), "moneda": moneda}],
    }


def _number(
    text: str, column: str, fila: int, errors: _Errors, *, amount: bool, required: bool, what: str
) -> Decimal | None:
    """A decimal written the Paraguayan or the English way (see the module docstring)."""
    t = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not t:
        if required:
            errors.add(fila, column, f"Falta {what}.")
        return None
    if amount and _AMBIGUOUS_RE.match(t):
        errors.add(
            fila,
            column,
            (
                f"«{text}» es ambiguo: escriba el importe sin separador de miles (por ejemplo "
                "110000) y, si tiene decimales, con coma o punto seguido de uno, dos o más de "
                "tres dígitos."
            ),
        )
        return None
    if "," in t and "." in t:
        decimal_sep = "," if t.rfind(",") > t.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        whole, _, frac = t.rpartition(decimal_sep)
        if not _GROUPED_RE[thousands].match(whole) and not _DIGITS_RE.match(whole.lstrip("+-")):
            errors.add(fila, column, f"No es un número válido (se recibió «{text}»).")
            return None
        t = whole.replace(thousands, "") + "." + frac
    elif t.count(",") > 1 or t.count(".") > 1:
        sep = "," if "," in t else "."
        if not _GROUPED_RE[sep].match(t):
            errors.add(fila, column, f"No es un número válido (se recibió «{text}»).")
            return None
        t = t.replace(sep, "")
    else:
        t = t.replace(",", ".")
    try:
        value = Decimal(t)
    except InvalidOperation:
        errors.add(fila, column, f"No es un número válido (se recibió «{text}»).")
        return None
    if not value.is_finite():
        errors.add(fila, column, f"No es un número válido (se recibió «{text}»).")
        return None
    return value


def _json_number(value: Decimal) -> int | float:
    """As `document.json_number`: whole amounts as int, others as float (JSON has no
    decimal type; `document_from_json` reads it back exactly via repr)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _fold(text: str) -> str:
    """Lower case without accents, inner spaces collapsed: "Crédito " -> "credito"."""
    if not text or text.isascii():  # nothing to decompose (most cells: "10", "contado")
        return " ".join((text or "").lower().split())
    decomposed = unicodedata.normalize("NFKD", (text or "").strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


# -- error positions for the whole import ---------------------------------------------


def check_rows(
    rows: list[dict[str, str]],
    *,
    now: datetime | None = None,
    check: Callable[[Document], tuple[Any, list[ValidationError]]] | None = None,
) -> list[tuple[Any, list[ValidationError]]]:
    """`rows_to_de_json`, then the same parse, prepare and validation every document
    gets (`paraguay.RULES`), with the domain's JSON paths turned back into rows and
    columns ("items[1].cantidad" → "fila 5, item_cantidad") so the user can fix the file.

    `check`, when given, does the prepare and validate of each parsed document instead
    and returns (what to keep of a valid document, its problems): the import preview
    passes the outbox's, so that each document is prepared and validated once and what
    it keeps is what the outbox saves (BENCHMARKS.md, import).
    """
    from desktop_app.domain.paraguay import RULES

    def prepare_and_validate(doc: Document) -> tuple[Any, list[ValidationError]]:
        doc = RULES.prepare(doc)
        return doc, RULES.validate(doc, now=now)

    check = check or prepare_and_validate
    if not rows or not _has_columns(rows):
        return [(None, errors) for _, errors in rows_to_de_json(rows)]
    groups = list(_groups(rows))  # once, for the documents and for their rows
    entries = _groups_to_de_json(groups)
    filas = [[fila for fila, _ in g.rows] if isinstance(g, _Group) else [] for g in groups]
    out: list[tuple[Any, list[ValidationError]]] = []
    for n, (de, errors) in enumerate(entries):
        if de is None:
            out.append((None, errors))
            continue
        kept: Any = None
        doc, problems = RULES.parse(de)
        if doc is not None:
            kept, problems = check(doc)
        item_filas = filas[n] if n < len(filas) else []
        located = [_locate(p, item_filas) for p in problems]
        out.append((None, located) if located else (kept, []))
    return out


_PATH_COLUMNS = {
    "fecha": "fecha",
    "moneda": "moneda",
    "numero": "numero",
    "establecimiento": "establecimiento",
    "punto": "punto",
    "tipoDocumento": "tipo_documento",
    "cliente.ruc": "cliente_ruc",
    "cliente.razonSocial": "cliente_razon_social",
    "cliente.documentoTipo": "cliente_documento_tipo",
    "cliente.documentoNumero": "cliente_documento_numero",
    "cliente.tipoOperacion": "cliente_tipo_operacion",
    "condicion.tipo": "condicion",
    "condicion.credito": "credito_plazo",
    "condicion.entregas": "pago_tipo",
}
_ITEM_COLUMNS_BY_KEY = {
    "descripcion": "item_descripcion",
    "cantidad": "item_cantidad",
    "precioUnitario": "item_precio_unitario",
    "ivaTipo": "item_iva",
    "iva": "item_iva",
    "ivaBase": "item_iva_proporcion",
    "codigo": "item_codigo",
    "unidadMedida": "item_unidad_medida",
}
_ITEM_PATH_RE = re.compile(r"^items\[(\d+)\](?:\.(\w+))?$")


def _locate(error: ValidationError, filas: list[int]) -> ValidationError:
    first = filas[0] if filas else 2
    m = _ITEM_PATH_RE.match(error.field)
    if m:
        index, key = int(m.group(1)), m.group(2) or "descripcion"
        fila = filas[index] if index < len(filas) else first
        return ValidationError(
            f"fila {fila}, {_ITEM_COLUMNS_BY_KEY.get(key, 'item_descripcion')}", error.message
        )
    path = error.field
    column = _PATH_COLUMNS.get(path)
    if column is None and path.startswith("condicion.entregas"):
        column = "pago_tipo"
    if column is None and path.startswith("cliente."):
        column = "cliente_ruc"
    return ValidationError(f"fila {first}, {column or KEY_COLUMN}", error.message)
