"""Reading CSV and XLSX the way spreadsheets save them; writing both."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from desktop_app.documents.spreadsheet import (
    Column,
    UnsupportedFile,
    cell_text,
    read_rows,
    read_sheet,
    write_table,
)


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_with_or_without_bom_and_any_usual_delimiter(
    tmp_path: Path, delimiter: str, bom: bytes
):
    quantity = '"1,5"' if delimiter == "," else "1,5"  # as a spreadsheet quotes it
    text = (
        delimiter.join(["Documento", " Item_Cantidad "])
        + "\r\n"
        + delimiter.join(["V-1", quantity])
    )
    path = tmp_path / "ventas.csv"
    path.write_bytes(bom + text.encode("utf-8") + b"\r\n")
    assert read_rows(path) == [{"documento": "V-1", "item_cantidad": "1,5"}]


def test_csv_in_windows_1252_is_read_too(tmp_path: Path):
    path = tmp_path / "ventas.csv"
    path.write_bytes("documento;cliente\nV-1;Ñandutí\n".encode("cp1252"))
    assert read_rows(path) == [{"documento": "V-1", "cliente": "Ñandutí"}]


def test_blank_rows_inside_are_kept_so_row_numbers_match_and_trailing_ones_dropped(tmp_path: Path):
    path = tmp_path / "ventas.csv"
    path.write_text("documento;x\nV-1;1\n;\nV-2;2\n;\n\n", encoding="utf-8")
    rows = read_rows(path)
    assert [r["documento"] for r in rows] == ["V-1", "", "V-2"]


def test_other_formats_are_refused_with_a_sentence(tmp_path: Path):
    with pytest.raises(UnsupportedFile, match=".xls"):
        read_sheet(tmp_path / "viejo.xls")
    with pytest.raises(UnsupportedFile, match="use .csv o .xlsx"):
        read_sheet(tmp_path / "ventas.ods")


def _xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_xlsx_values_become_the_text_the_importers_read(tmp_path: Path):
    path = _xlsx(
        tmp_path / "v.xlsx",
        [
            ["Documento", "Fecha", "Cantidad", "Precio", "Dia"],
            ["V-1", datetime(2025, 6, 2, 9, 15), 1.5, 110000, date(2025, 6, 3)],
            [None, None, None, None, None],
            ["V-2", datetime(2025, 6, 2), 2, 0.1, None],
        ],
    )
    sheet = read_sheet(path)
    assert sheet.columns == ["documento", "fecha", "cantidad", "precio", "dia"]
    assert sheet.rows[0] == {
        "documento": "V-1",
        "fecha": "2025-06-02 09:15:00",
        "cantidad": "1.5",
        "precio": "110000",
        "dia": "2025-06-03",
    }
    assert not any(sheet.rows[1].values())
    assert sheet.rows[2]["fecha"] == "2025-06-02" and sheet.rows[2]["precio"] == "0.1"
    assert sheet.errors == []


def test_a_formula_is_never_evaluated_it_is_shown_and_refused(tmp_path: Path):
    path = _xlsx(
        tmp_path / "f.xlsx", [["documento", "item_cantidad"], ["V-1", 2], ["V-1", "=B2*2"]]
    )
    sheet = read_sheet(path)
    assert sheet.rows[1]["item_cantidad"] == "=B2*2"
    assert len(sheet.errors) == 1
    assert sheet.errors[0].field == "fila 3, item_cantidad"
    assert "fórmula no permitida" in sheet.errors[0].message


def test_a_gap_of_empty_rows_in_xlsx_keeps_row_numbers(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "documento", "x"
    ws["A2"], ws["A6"] = "V-1", "V-2"
    wb.save(tmp_path / "g.xlsx")
    rows = read_rows(tmp_path / "g.xlsx")
    assert rows[0]["documento"] == "V-1" and rows[4]["documento"] == "V-2"  # sheet row 6


def test_a_broken_xlsx_is_an_os_error(tmp_path: Path):
    path = tmp_path / "roto.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(OSError):
        read_sheet(path)


def test_cell_text_of_numbers_has_no_float_noise():
    assert cell_text(110000.0) == "110000"
    assert cell_text(12.5) == "12.5"
    assert cell_text(Decimal("3.10")) == "3.1"
    assert cell_text(True) == "1"


COLUMNS = [
    Column("Cliente"),
    Column("Fecha", "datetime"),
    Column("Total", "amount", 0),
    Column("Monto", "amount", 2),
]
ROWS = [['=HYPERLINK("http://x")', datetime(2025, 6, 2, 9, 15), Decimal("226500"), Decimal("12.5")]]


def test_xlsx_is_written_with_numbers_as_numbers_and_text_never_as_a_formula(tmp_path: Path):
    path = tmp_path / "t.xlsx"
    assert write_table(path, COLUMNS, ROWS, footer=[["TOTAL", None, Decimal("226500"), None]]) == 1
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == ["Cliente", "Fecha", "Total", "Monto"]
    name, fecha, total, monto = ws[2]
    assert name.data_type == "s" and name.value.startswith("=")
    assert fecha.value == datetime(2025, 6, 2, 9, 15) and fecha.is_date
    assert total.value == 226500 and total.number_format == "#,##0"
    assert monto.value == 12.5 and monto.number_format == "#,##0.00"
    assert ws["A3"].value == "TOTAL" and ws["A3"].font.bold
    assert ws.freeze_panes == "A2"


def test_csv_is_written_for_a_spanish_spreadsheet(tmp_path: Path):
    path = tmp_path / "t.csv"
    write_table(path, COLUMNS, ROWS)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "Cliente;Fecha;Total;Monto"
    assert lines[1] == '"=HYPERLINK(""http://x"")";2025-06-02 09:15:00;226500;12,50'
