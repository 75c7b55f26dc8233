"""Builds resources/samples/*.xlsx from the CSV samples, with cells typed as a person
would type them in a spreadsheet (dates as dates, amounts as numbers, codes and ids as
text). Run ``.venv/bin/python -m tests.documents.xlsx_samples`` after changing a CSV
sample; test_samples.py checks that each XLSX imports as the same documents as its CSV.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from desktop_app.documents.spreadsheet import read_sheet

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"

#: Columns typed as numbers, per sample; "fecha" columns become dates.
NUMBERS = {
    "paraguay": {"item_cantidad", "item_precio_unitario"},
    "bolivia": {
        "cantidad",
        "precio_unitario",
        "descuento",
        "producto_sin",
        "unidad_medida",
        "metodo_pago",
        "tipo_documento_cliente",
    },
    "argentina": {
        "cantidad",
        "precio_unitario_sin_iva",
        "alicuota",
        "bonificacion_porcentaje",
        "total",
        "punto_venta",
    },
}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d")


def _number(text: str) -> int | float:
    t = text.strip()
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    d = Decimal(t)
    return int(d) if d == d.to_integral_value() else float(d)


def _date(text: str) -> datetime | str:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return text


def build(name: str) -> Path:
    sheet = read_sheet(SAMPLES / f"{name}.csv")
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Ventas"
    ws.append(sheet.columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        values: list[object] = []
        for column in sheet.columns:
            text = row.get(column, "")
            if not text:
                values.append(None)
            elif column in NUMBERS[name]:
                values.append(_number(text))
            elif column == "fecha":
                values.append(_date(text))
            else:
                values.append(text)
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    for letter in [c.column_letter for c in ws[1]]:
        ws.column_dimensions[letter].width = 18
    target = SAMPLES / f"{name}.xlsx"
    workbook.save(target)
    return target


if __name__ == "__main__":
    for sample in NUMBERS:
        print(build(sample))
