"""Argentine comprobantes from a spreadsheet: one CSV row per item, grouped by document.

A shop that keeps its sales in a spreadsheet exports one row per line sold; rows that
share the ``documento`` column (any text: "F-0001", "venta 17") make one comprobante,
in the order they first appear. The result of each group is TusFacturas' JSON (see
`argentina.py`), ready for `ArgentinaRules.parse`; business rules (CUIT check digit,
letter, totals, dates) stay the rules' job, so this module only checks what a
spreadsheet gets wrong: missing cells, numbers and dates that are not numbers and dates,
and header cells that disagree within one document. Errors name the row (as the
spreadsheet numbers it: the header is row 1) and the column, in Spanish.

Columns (header names, case-insensitive; ``*`` = required):

=============================  ===============================================================
``documento`` *                groups the rows of one comprobante
``tipo`` *                     FACTURA A/B/C, NOTA DE DEBITO A/B/C, NOTA DE CREDITO A/B/C, or the
                               AFIP code (1, 2, 3, 6, 7, 8, 11, 12, 13)
``punto_venta`` *              punto de venta (1 to 99998)
``numero``                     comprobante number; empty: Lote numbers it
``fecha``                      dd/mm/aaaa or aaaa-mm-dd; empty: the day it is queued
``moneda``, ``cotizacion``     AFIP currency code (default PES) and rate (default 1)
``external_reference``         your own reference (letters, digits, - and _); empty: Lote's
``periodo_facturado_desde``,   dates of a service period (services: AFIP allows 10 days
``periodo_facturado_hasta``    around the day of issue instead of 5)
``vencimiento``                payment due date
``bonificacion``               discount on the whole comprobante, without IVA
``total``                      total with IVA; empty: computed
``cliente_documento_tipo`` *   CUIT, DNI, PASAPORTE or OTRO
``cliente_documento_nro`` *    the number (a CUIT with or without dashes)
``cliente_razon_social`` *     name
``cliente_condicion_iva`` *    RI, M, E or CF
``cliente_domicilio`` *        address
``cliente_provincia`` *        TusFacturas' province code (2 = Ciudad de Buenos Aires)
``cliente_condicion_pago`` *   TusFacturas' payment condition code (211 = contado)
``cliente_email``              e-mail; ``cliente_envia_por_mail``: S or N (default N)
``cantidad`` *                 quantity of the item
``descripcion`` *              item description (4 to 255 characters)
``precio_unitario_sin_iva`` *  unit price without IVA (A and B) or final price (C)
``alicuota`` *                 IVA rate: 0, 2.5, 5, 10.5, 21, 27; −1 exento, −2 no gravado
``codigo``, ``unidad_medida``, item code, AFIP unit code, units per package, price list,
``unidad_bulto``,              line note and discount % of the item
``lista_precios``, ``leyenda``,
``bonificacion_porcentaje``
=============================  ===============================================================

Header cells (every column but the item ones) may be left empty on the second and later
rows of a document; when given they must repeat the first row's value. Numbers accept a
decimal comma ("114,88", "1.234,56") as well as a point (with a comma present, points are
thousands separators; without one, a point is the decimal separator). `read_csv` reads a
file as spreadsheets save it: UTF-8 with or without BOM (else Windows-1252), ``;`` or
``,`` as the delimiter (whichever the header uses).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from desktop_app.domain.argentina import format_fecha, parse_afip_date, tipo_code, tipo_name
from desktop_app.domain.errors import ValidationError

KEY = "documento"
HEADER_COLUMNS = (
    "tipo", "punto_venta", "numero", "fecha", "moneda", "cotizacion", "external_reference",
    "periodo_facturado_desde", "periodo_facturado_hasta", "vencimiento", "bonificacion", "total",
    "cliente_documento_tipo", "cliente_documento_nro", "cliente_razon_social",
    "cliente_condicion_iva", "cliente_domicilio", "cliente_provincia", "cliente_condicion_pago",
    "cliente_email", "cliente_envia_por_mail",
)
ITEM_COLUMNS = (
    "cantidad", "descripcion", "precio_unitario_sin_iva", "alicuota", "codigo", "unidad_medida",
    "unidad_bulto", "lista_precios", "leyenda", "bonificacion_porcentaje",
)
REQUIRED_HEADER = (
    "tipo", "punto_venta", "cliente_documento_tipo", "cliente_documento_nro",
    "cliente_razon_social", "cliente_condicion_iva", "cliente_domicilio", "cliente_provincia",
    "cliente_condicion_pago",
)
REQUIRED_ITEM = ("cantidad", "descripcion", "precio_unitario_sin_iva", "alicuota")
_DATE_COLUMNS = ("fecha", "periodo_facturado_desde", "periodo_facturado_hasta", "vencimiento")
_AMOUNT_COLUMNS = ("cotizacion", "bonificacion", "total")
_ITEM_AMOUNTS = ("cantidad", "precio_unitario_sin_iva", "alicuota", "bonificacion_porcentaje")
_INT_COLUMNS = ("punto_venta", "numero")

_NUMBER_RE = re.compile(r"^-?[0-9.,]+$")

Row = Mapping[str, Any]


def read_csv(source: str | Path | bytes) -> list[dict[str, str]]:
    """The rows of a CSV file (a path, or its bytes) as dicts keyed by the header."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def rows_to_json(rows: Iterable[Row], *, first_line: int = 2
                 ) -> list[tuple[dict[str, Any] | None, list[ValidationError]]]:
    """One (TusFacturas JSON, []) or (None, errors) per document, in first-seen order.

    `first_line` is the spreadsheet row number of the first data row (2 under a header).
    A row without ``documento`` cannot be grouped: it comes back alone with its error.
    """
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    out: list[tuple[str | None, list[tuple[int, dict[str, str]]]]] = []
    for offset, raw in enumerate(rows):
        line = first_line + offset
        row = {str(k).strip().lower(): _cell(v) for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue  # a blank line between documents
        key = row.get(KEY, "")
        if not key:
            out.append((None, [(line, row)]))
            continue
        if key not in groups:
            groups[key] = []
            out.append((key, groups[key]))
        groups[key].append((line, row))
    results: list[tuple[dict[str, Any] | None, list[ValidationError]]] = []
    for group_key, members in out:
        if group_key is None:
            line = members[0][0]
            results.append((None, [_error(line, KEY, "es obligatoria: agrupa las filas de un mismo comprobante.")]))
            continue
        results.append(_document(members))
    return results


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _error(line: int, column: str, rule: str) -> ValidationError:
    return ValidationError(column, f"Fila {line}, columna «{column}»: {rule}")


def _document(members: list[tuple[int, dict[str, str]]]) -> tuple[dict[str, Any] | None, list[ValidationError]]:
    errors: list[ValidationError] = []
    first_line, first = members[0]
    header: dict[str, tuple[int, str]] = {c: (first_line, first.get(c, "")) for c in HEADER_COLUMNS}
    for line, row in members[1:]:
        for column in HEADER_COLUMNS:
            value = row.get(column, "")
            if not value:
                continue
            seen_line, seen = header[column]
            if not seen:
                header[column] = (line, value)
            elif value != seen:
                errors.append(_error(line, column, f"difiere de la fila {seen_line} del mismo comprobante "
                                                   f"(«{value}» frente a «{seen}»)."))
    for column in REQUIRED_HEADER:
        if not header[column][1]:
            errors.append(_error(first_line, column, "es obligatoria."))
    comprobante: dict[str, Any] = {"operacion": "V"}
    tipo_line, tipo_text = header["tipo"]
    if tipo_text:
        code = tipo_code(tipo_text)
        if code is None:
            errors.append(_error(tipo_line, "tipo", f"no es un tipo de comprobante válido («{tipo_text}»)."))
        else:
            comprobante["tipo"] = tipo_name(code)
    for column in _INT_COLUMNS:
        line, text = header[column]
        if text:
            if text.isdigit():
                comprobante[column] = int(text)
            else:
                errors.append(_error(line, column, f"debe ser un número entero («{text}»)."))
    for column in _DATE_COLUMNS:
        line, text = header[column]
        if text:
            parsed = parse_afip_date(text)
            if parsed is None:
                errors.append(_error(line, column, f"debe ser una fecha dd/mm/aaaa («{text}»)."))
            else:
                comprobante[column] = format_fecha(parsed)
    comprobante["moneda"] = (header["moneda"][1] or "PES").upper()
    for column in _AMOUNT_COLUMNS:
        line, text = header[column]
        if text:
            number = _number(text)
            if number is None:
                errors.append(_error(line, column, f"debe ser un número («{text}»)."))
            else:
                comprobante[column] = number
    comprobante.setdefault("cotizacion", "1")
    if header["external_reference"][1]:
        comprobante["external_reference"] = header["external_reference"][1]
    detalle: list[dict[str, Any]] = []
    for line, row in members:
        item = _item(line, row, errors)
        if item is not None:
            detalle.append(item)
    comprobante["detalle"] = detalle
    cliente: dict[str, Any] = {}
    for column in HEADER_COLUMNS:
        if column.startswith("cliente_") and header[column][1]:
            value = header[column][1]
            name = column.removeprefix("cliente_")
            if name in ("documento_tipo", "condicion_iva", "envia_por_mail"):
                value = value.upper()
            if name == "documento_nro":
                value = value.replace("-", "").replace(".", "").replace(" ", "")
            cliente[name] = value
    cliente.setdefault("envia_por_mail", "N")
    if errors:
        return None, errors
    return {"cliente": cliente, "comprobante": comprobante}, []


def _item(line: int, row: dict[str, str], errors: list[ValidationError]) -> dict[str, Any] | None:
    ok = True
    for column in REQUIRED_ITEM:
        if not row.get(column):
            errors.append(_error(line, column, "es obligatoria."))
            ok = False
    numbers: dict[str, str] = {}
    for column in _ITEM_AMOUNTS:
        text = row.get(column, "")
        if not text:
            continue
        number = _number(text)
        if number is None:
            errors.append(_error(line, column, f"debe ser un número («{text}»)."))
            ok = False
        else:
            numbers[column] = number
    if not ok:
        return None
    producto: dict[str, Any] = {
        "descripcion": row["descripcion"],
        "precio_unitario_sin_iva": numbers["precio_unitario_sin_iva"],
        "alicuota": numbers["alicuota"],
    }
    for column in ("codigo", "unidad_medida", "unidad_bulto", "lista_precios"):
        if row.get(column):
            producto[column] = row[column]
    item: dict[str, Any] = {"cantidad": numbers["cantidad"], "producto": producto}
    if "bonificacion_porcentaje" in numbers:
        item["bonificacion_porcentaje"] = numbers["bonificacion_porcentaje"]
    if row.get("leyenda"):
        item["leyenda"] = row["leyenda"]
    return item


def _number(text: str) -> str | None:
    """ "114,88", "1.234,56", "114.88", "-1" -> a decimal string; None when not a number."""
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if not _NUMBER_RE.match(cleaned):
        return None
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return format(value, "f") if value.is_finite() else None
