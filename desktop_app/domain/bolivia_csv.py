"""Bolivian invoices from a spreadsheet: one row per line item, grouped by a document key.

A shop keeps its sales in a spreadsheet or exports them from a till; this turns the rows
(``csv.DictReader`` output: column name -> cell text) into CUCU invoice JSON
(`bolivia.invoice_from_json`'s shape) and reports every problem by row and column, in
Spanish ("fila 3, cantidad: ..."), so the user can find the cell.

Columns (names are case-insensitive; unknown columns are ignored):

=======================  ==========  ==========================================  ======
column                   required    meaning (CUCU JSON key)                     kind
=======================  ==========  ==========================================  ======
documento                sí          groups the rows of one invoice (any text)   header
punto_venta              sí          pointOfSaleId (CUCU's UUID of the POS)      header
sucursal                 no          SIAT branch code, "0" by default            header
tipo_documento_cliente   sí          clientDocumentType: 1 CI, 2 CEX, 3 PAS,     header
                                     4 OD, 5 NIT
documento_cliente        sí          clientDocumentNumber                        header
complemento              no          clientComplement (only with a CI)           header
razon_social             sí          clientBusinessName                          header
email                    no          clientEmail                                 header
metodo_pago              sí          paymentMethodCode (1 efectivo, 2 tarjeta…)  header
moneda                   no          currency, "BOB" by default                  header
actividad                sí          details[].activityCode (CAEB, "620100")     line
producto_sin             sí          details[].sinProductCode ("83141")          line
descripcion              sí          details[].description                       line
cantidad                 sí          details[].quantity                          line
unidad_medida            sí          details[].unitMeasure (57 bienes, 58        line
                                     servicios)
precio_unitario          sí          details[].unitPrice, IVA included           line
descuento                no          details[].discount, 0 by default            line
=======================  ==========  ==========================================  ======

Header columns describe the invoice: the first row of a document sets them; later rows
of the same document may repeat them or leave them empty, but a different value is an
error. Numbers accept a decimal point or a decimal comma ("12.50", "12,50"); when both
appear, the last one is the decimal separator ("1.234,50" = 1234.50). Rows are numbered
as a spreadsheet shows them: the header is row 1, so the first data row is "fila 2".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from desktop_app.domain import paraguay_csv
from desktop_app.domain.bolivia import LOCAL_KEY, invoice_from_json, validate_invoice
from desktop_app.domain.errors import ValidationError

DOCUMENT_COLUMN = "documento"

#: Header columns -> (CUCU key, required, kind) where kind is "text" or "int".
HEADER_COLUMNS: dict[str, tuple[str, bool, str]] = {
    "punto_venta": ("pointOfSaleId", True, "text"),
    "sucursal": (f"{LOCAL_KEY}.sucursal", False, "digits"),
    "tipo_documento_cliente": ("clientDocumentType", True, "int"),
    "documento_cliente": ("clientDocumentNumber", True, "text"),
    "complemento": ("clientComplement", False, "text"),
    "razon_social": ("clientBusinessName", True, "text"),
    "email": ("clientEmail", False, "text"),
    "metodo_pago": ("paymentMethodCode", True, "int"),
    "moneda": ("currency", False, "text"),
}
#: Line columns -> (CUCU detail key, required, kind) where kind adds "number".
LINE_COLUMNS: dict[str, tuple[str, bool, str]] = {
    "actividad": ("activityCode", True, "text"),
    "producto_sin": ("sinProductCode", True, "text"),
    "descripcion": ("description", True, "text"),
    "cantidad": ("quantity", True, "number"),
    "unidad_medida": ("unitMeasure", True, "int"),
    "precio_unitario": ("unitPrice", True, "number"),
    "descuento": ("discount", False, "number"),
}
COLUMNS = (DOCUMENT_COLUMN, *HEADER_COLUMNS, *LINE_COLUMNS)

_JSON_TO_HEADER = {key: column for column, (key, _, _) in HEADER_COLUMNS.items()}
_JSON_TO_LINE = {key: column for column, (key, _, _) in LINE_COLUMNS.items()}
_DETAIL_PATH = re.compile(r"^details\[(\d+)\](?:\.(\w+))?$")
_INT = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[+-]?[0-9]*(?:\.[0-9]+)?")


def read_csv(path: str | Path) -> list[dict[str, str]]:
    """The rows of a CSV file, read by the project's one CSV reader (encoding and
    delimiter detection: `paraguay_csv.read_csv`, which is not country-specific)."""
    return paraguay_csv.read_csv(path)


def cell_ref(row: int, column: str | None) -> str:
    """ "fila 3, cantidad" — how a spreadsheet user finds the cell."""
    return f"fila {row}, {column}" if column else f"fila {row}"


def cell_error(row: int, column: str | None, rule: str) -> ValidationError:
    ref = cell_ref(row, column)
    return ValidationError(ref, f"{ref}: {rule}")


def parse_number(text: str) -> Decimal | None:
    """ "12,50", "12.50", "1.234,50", "1,234.50" -> Decimal; None when not a number."""
    t = text.strip().replace(" ", "").replace("\u00a0", "")
    if not t:
        return None
    if "," in t and "." in t:
        decimal_sep = "," if t.rfind(",") > t.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        t = t.replace(thousands, "").replace(decimal_sep, ".")
    elif "," in t:
        if t.count(",") > 1:
            return None
        t = t.replace(",", ".")
    if not _NUMBER.fullmatch(t) or t in {"", "+", "-"}:
        return None
    try:
        value = Decimal(t)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class _Group:
    key: str
    first_row: int
    header: dict[str, str] = field(default_factory=dict)
    header_rows: dict[str, int] = field(default_factory=dict)
    lines: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[ValidationError] = field(default_factory=list)


def _normalised(row: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in row.items():
        if name is None:
            continue  # csv.DictReader's overflow cells (more cells than columns)
        out[str(name).strip().lower()] = "" if value is None else str(value).strip()
    return out


def _convert(value: str, kind: str, row: int, column: str,
             errors: list[ValidationError]) -> Any:
    if kind == "int":
        if not _INT.fullmatch(value):
            errors.append(cell_error(row, column, f"debe ser un número entero (se leyó «{value}»)."))
            return None
        return int(value)
    if kind == "digits":
        if not _INT.fullmatch(value):
            errors.append(cell_error(row, column, f"debe tener solo dígitos (se leyó «{value}»)."))
            return None
        return value
    if kind == "number":
        number = parse_number(value)
        if number is None:
            errors.append(cell_error(row, column, f"debe ser un número (se leyó «{value}»)."))
            return None
        return _json_number(number)
    return value


def _group_rows(rows: list[dict[str, str]]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    ordered: list[_Group] = []
    for offset, raw in enumerate(rows):
        row_number = offset + 2  # the header is row 1
        cells = _normalised(raw)
        key = cells.get(DOCUMENT_COLUMN, "")
        if not key:
            orphan = _Group(key="", first_row=row_number)
            orphan.errors.append(cell_error(
                row_number, DOCUMENT_COLUMN,
                "falta este dato: indica a qué factura pertenece la fila."))
            ordered.append(orphan)
            continue
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(key=key, first_row=row_number)
            ordered.append(group)
        for column in HEADER_COLUMNS:
            value = cells.get(column, "")
            if not value:
                continue
            if column not in group.header:
                group.header[column] = value
                group.header_rows[column] = row_number
            elif group.header[column] != value:
                group.errors.append(cell_error(
                    row_number, column,
                    f"no coincide con la fila {group.header_rows[column]} de la misma "
                    f"factura («{group.header[column]}»)."))
        group.lines.append((row_number, {c: cells.get(c, "") for c in LINE_COLUMNS}))
    return ordered


def _group_json(group: _Group) -> dict[str, Any]:
    data: dict[str, Any] = {}
    local: dict[str, Any] = {}
    errors = group.errors
    for column, (key, required, kind) in HEADER_COLUMNS.items():
        value = group.header.get(column, "")
        row = group.header_rows.get(column, group.first_row)
        if not value:
            if required:
                errors.append(cell_error(row, column, "falta este dato."))
            continue
        converted = _convert(value, kind, row, column, errors)
        if converted is None:
            continue
        if key.startswith(f"{LOCAL_KEY}."):
            local[key.split(".", 1)[1]] = converted
        else:
            data[key] = converted
    details: list[dict[str, Any]] = []
    for row, cells in group.lines:
        detail: dict[str, Any] = {}
        for column, (key, required, kind) in LINE_COLUMNS.items():
            value = cells.get(column, "")
            if not value:
                if required:
                    errors.append(cell_error(row, column, "falta este dato."))
                continue
            converted = _convert(value, kind, row, column, errors)
            if converted is not None:
                detail[key] = converted
        details.append(detail)
    data["details"] = details
    if local:
        data[LOCAL_KEY] = local
    return data


def _cell_for(group: _Group, path: str) -> tuple[int, str | None]:
    """Which cell a CUCU JSON path came from."""
    m = _DETAIL_PATH.match(path)
    if m:
        index, key = int(m.group(1)), m.group(2)
        row = group.lines[index][0] if index < len(group.lines) else group.first_row
        return row, _JSON_TO_LINE.get(key or "")
    column = _JSON_TO_HEADER.get(path)
    if column is None:
        return group.first_row, None
    return group.header_rows.get(column, group.first_row), column


def _rule_of(message: str) -> str:
    """The rule part of a domain message ("Cantidad del detalle 1: debe ser...")."""
    _, sep, rule = message.partition(": ")
    return rule if sep else message


def rows_to_json(rows: list[dict[str, str]]) -> list[tuple[dict[str, Any] | None,
                                                           list[ValidationError]]]:
    """One ``(invoice JSON, [])`` or ``(None, errors)`` per document, in the order each
    document first appears. Errors name the row and column; an invoice whose cells all
    read is also checked with the domain rules (`bolivia.validate_invoice`), and those
    errors are pointed back at their cells too."""
    results: list[tuple[dict[str, Any] | None, list[ValidationError]]] = []
    for group in _group_rows(rows):
        if not group.key:
            results.append((None, list(group.errors)))
            continue
        data = _group_json(group)
        if group.errors:
            results.append((None, list(group.errors)))
            continue
        invoice, problems = invoice_from_json(data)
        if invoice is not None:
            problems = validate_invoice(invoice)
        if problems:
            mapped = []
            for problem in problems:
                row, column = _cell_for(group, problem.field)
                mapped.append(cell_error(row, column, _rule_of(problem.message)))
            results.append((None, mapped))
        else:
            results.append((data, []))
    return results
