"""Reading and writing tables as CSV or XLSX, chosen by the file's extension.

Reading (`read_sheet`, `read_rows`) gives every data row as a dict keyed by the header's
names, lower-cased and trimmed, with every value as text — the shape the country
importers (`domain/paraguay_csv.py`, `bolivia_csv.py`, `argentina_csv.py`) take. Rows
are numbered as the spreadsheet shows them: the header is row 1, ``rows[0]`` is row 2;
blank rows are kept (as empty values) so that the numbers in error messages match.

- CSV: UTF-8 with or without a byte order mark (Windows-1252 is accepted when the
  bytes are not UTF-8), ``;``, ``,`` or tab as the delimiter, taken from the header line.
- XLSX (openpyxl): the first sheet, values only. openpyxl never calculates formulas;
  the file is opened with ``data_only=False`` so that a formula cell is *seen* as one
  (with ``data_only=True`` openpyxl would silently return whatever value the program
  that last saved the file cached, or nothing) and refused: the cell keeps the formula
  text and the sheet reports "fórmula no permitida" for it. Numbers become plain text
  with a decimal point ("1.5", "110000"), dates "AAAA-MM-DD" or "AAAA-MM-DD HH:MM:SS".
  defusedxml, when installed, protects openpyxl's XML parsing from entity attacks.

Writing (`write_table`) streams rows to either format: CSV with ``;``, a decimal comma,
no thousands separator and a UTF-8 byte order mark, which is how a Spanish-language
spreadsheet opens it without a wizard; XLSX with numbers as numbers (thousands format,
decimals by currency), dates as dates, a bold frozen header. Text that starts with "="
is written as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop_app.domain.errors import ValidationError

CSV_EXTENSIONS = frozenset({".csv", ".txt"})
XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
FORMULA_RULE = "fórmula no permitida: escriba el valor (Lote no calcula fórmulas)"


class UnsupportedFile(ValueError):
    """Neither .csv nor .xlsx (the message is Spanish, for the user)."""


def file_kind(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in CSV_EXTENSIONS:
        return "csv"
    if suffix in XLSX_EXTENSIONS:
        return "xlsx"
    if suffix == ".xls":
        raise UnsupportedFile(
            "Los archivos .xls (Excel 97-2003) no se admiten: guárdelo como .xlsx o .csv."
        )
    raise UnsupportedFile(f"Formato no admitido ({suffix or 'sin extensión'}): use .csv o .xlsx.")


def cell_ref(row: int, column: str | None) -> str:
    """ "fila 3, item_cantidad": how a spreadsheet user finds the cell."""
    return f"fila {row}, {column}" if column else f"fila {row}"


@dataclass
class Sheet:
    columns: list[str]
    rows: list[dict[str, str]]
    #: Problems found while reading cells (formulas, error values), by row and column.
    errors: list[ValidationError] = field(default_factory=list)


def read_sheet(path: str | Path) -> Sheet:
    """The table in `path` (.csv or .xlsx). Raises UnsupportedFile for other formats and
    OSError when the file cannot be read."""
    kind = file_kind(path)
    return _read_csv(Path(path)) if kind == "csv" else _read_xlsx(Path(path))


def read_rows(path: str | Path) -> list[dict[str, str]]:
    """`read_sheet(path).rows`: what the country importers take."""
    return read_sheet(path).rows


# -- CSV ------------------------------------------------------------------------------------


def _read_csv(path: Path) -> Sheet:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return parse_csv_text(text)


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_csv_text(text: str) -> Sheet:
    text = text.lstrip("\ufeff")
    if not text.strip():
        return Sheet([], [])
    first = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for record in reader:
        if header is None:
            header = [h.strip().lower() for h in record]
            continue
        values = [v.strip() for v in record] + [""] * max(0, len(header) - len(record))
        rows.append({name: values[i] for i, name in enumerate(header) if name})
    _drop_trailing_blanks(rows)
    return Sheet([h for h in header or [] if h], rows)


def _drop_trailing_blanks(rows: list[dict[str, str]]) -> None:
    while rows and not any(rows[-1].values()):
        rows.pop()


# -- XLSX ------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell's value as the importers read text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%Y-%m-%d")
        return value.replace(microsecond=0).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.replace(microsecond=0).strftime("%H:%M:%S")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        d = Decimal(repr(value)) if isinstance(value, float) else value
        if not d.is_finite():
            return str(value)
        if d == d.to_integral_value():
            return str(int(d))
        return format(d.normalize(), "f")
    return str(value).strip()


def _read_xlsx(path: Path) -> Sheet:
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors...
        raise OSError(f"No se pudo leer el archivo XLSX {path.name}: {exc}") from exc
    try:
        if not workbook.worksheets:
            return Sheet([], [])
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # trust the cells, not a possibly stale <dimension>
        header: list[str] | None = None
        rows: list[dict[str, str]] = []
        errors: list[ValidationError] = []
        number = 0
        for cells in sheet.iter_rows():
            number += 1
            row_number = next((c.row for c in cells if getattr(c, "row", None)), number)
            number = row_number
            if header is None:
                header = [cell_text(c.value).lower() for c in cells]
                continue
            values: dict[str, str] = {name: "" for name in header if name}
            for index, c in enumerate(cells):
                if index >= len(header) or not header[index]:
                    continue
                column = header[index]
                value = c.value
                if isinstance(value, ArrayFormula):
                    value = value.text
                if c.data_type == "f" or isinstance(c.value, ArrayFormula):
                    errors.append(
                        ValidationError(
                            cell_ref(row_number, column), f"{FORMULA_RULE} («{value}»)."
                        )
                    )
                elif c.data_type == "e":
                    errors.append(
                        ValidationError(
                            cell_ref(row_number, column),
                            f"la celda tiene un error de Excel ({value}).",
                        )
                    )
                values[column] = cell_text(value)
            while len(rows) < row_number - 2:  # rows the reader skipped: keep numbering
                rows.append({name: "" for name in header if name})
            rows.append(values)
        _drop_trailing_blanks(rows)
        return Sheet([h for h in header or [] if h], rows, errors)
    finally:
        workbook.close()


# -- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column to write: its header and how its values look.

    `kind`: "text", "int", "amount" (decimals from `decimals`, or per row through a
    Decimal's own exponent when None), "datetime" or "date".
    """

    title: str
    kind: str = "text"
    decimals: int | None = None
    width: float = 14


def _csv_value(value: Any, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M:%S")
            if column.kind != "date"
            else value.strftime("%Y-%m-%d")
        )
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        d = Decimal(repr(value)) if isinstance(value, float) else value
        places = column.decimals
        if places is not None:
            d = d.quantize(Decimal(1).scaleb(-places))
        text = format(d, "f")
        return text.replace(".", ",")
    return str(value)


def _number_format(column: Column, value: Any) -> str:
    if column.kind == "int":
        return "0"
    places = column.decimals
    if places is None and isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" if not places else "#,##0." + "0" * places


def write_table(
    path: str | Path,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str = "Datos",
    footer: Iterable[Sequence[Any]] = (),
) -> int:
    """Write `rows` (and then `footer` rows, e.g. totals) under `columns`; returns the
    number of data rows. The format follows the extension (.csv or .xlsx)."""
    target = Path(path)
    kind = file_kind(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        return _write_csv(target, columns, rows, footer)
    return _write_xlsx(target, columns, rows, footer, sheet_title)


def _write_csv(
    path: Path,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    footer: Iterable[Sequence[Any]],
) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow([c.title for c in columns])
        for row in rows:
            writer.writerow([_csv_value(v, c) for v, c in zip(row, columns, strict=False)])
            count += 1
        for row in footer:
            writer.writerow([_csv_value(v, c) for v, c in zip(row, columns, strict=False)])
    return count


def _write_xlsx(
    path: Path,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    footer: Iterable[Sequence[Any]],
    sheet_title: str,
) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    shade = PatternFill("solid", fgColor="E8E8E8")

    def cell(value: Any, column: Column, strong: bool = False) -> WriteOnlyCell:
        if isinstance(value, float):
            value = Decimal(repr(value))
        c = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # never a formula, even when the text starts with "="
        elif isinstance(value, datetime):
            c.number_format = "dd/mm/yyyy hh:mm:ss" if column.kind != "date" else "dd/mm/yyyy"
        elif isinstance(value, date):
            c.number_format = "dd/mm/yyyy"
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            c.number_format = _number_format(column, value)
        if strong:
            c.font = bold
        return c

    header = []
    for column in columns:
        c = WriteOnlyCell(sheet, value=column.title)
        c.data_type = "s"
        c.font = bold
        c.fill = shade
        header.append(c)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([cell(v, c) for v, c in zip(row, columns, strict=False)])
        count += 1
    for row in footer:
        sheet.append([cell(v, c, strong=True) for v, c in zip(row, columns, strict=False)])
    workbook.save(path)
    return count
