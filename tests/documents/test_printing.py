"""Rendered PDFs, read back: their text with pdftotext, their page size with pdfinfo, and
their QR with zbar from a pdftoppm rendering (poppler-utils and libzbar0 from Debian).

Set LOTE_RENDER_DIR to keep the PDFs and their PNG renderings for a look.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop_app.documents.printable import printable_for
from desktop_app.documents.printing import print_document, render_pdf, save_pdf
from desktop_app.domain.cdc import format_cdc
from desktop_app.store.models import Document
from tests.documents.conftest import (
    CAE,
    CUF,
    ar_json,
    bo_json,
    needs_poppler,
    pdf_text,
    pdf_to_png,
    py_json,
    set_state,
    store,
)

pytestmark = needs_poppler


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    keep = os.environ.get("LOTE_RENDER_DIR")
    if keep:
        path = Path(keep)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page_size_pt(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert m, info
    return float(m.group(1)), float(m.group(2))


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


def _decode_qr(pdf: Path, work: Path) -> list[str]:
    """The QR texts on page 1: pdftoppm to 8-bit grey (PGM), then zbar."""
    pyzbar = pytest.importorskip(
        "pyzbar.pyzbar", reason="pyzbar (and Debian's libzbar0) not installed"
    )
    prefix = work / (pdf.stem + "-scan")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "300",
            "-gray",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(prefix),
        ],
        check=True,
    )
    data = (prefix.with_suffix(".pgm")).read_bytes()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", data)
    assert m
    width, height = int(m.group(1)), int(m.group(2))
    pixels = data[m.end() : m.end() + width * height]
    return [d.data.decode() for d in pyzbar.decode((pixels, width, height))]


def _render_both(db, doc_id: int, out: Path, name: str) -> dict[str, Path]:
    paths = {}
    for layout in ("a4", "ticket"):
        pdf = render_pdf(db, doc_id, out / f"{name}-{layout}.pdf", layout=layout)
        pdf_to_png(pdf, out / f"{name}-{layout}", dpi=110)
        paths[layout] = pdf
    return paths


def _cdc(db, doc_id: int) -> str:
    with db.session() as s:
        row = s.get(Document, doc_id)
        assert row is not None and row.cdc
        return row.cdc


def test_an_approved_kude_prints_the_cdc_in_blocks_and_no_pending_mark(
    qapp, db, py_profile, out_dir
):
    doc_id = store(db, py_profile.id, "PY", py_json())
    set_state(db, doc_id, "APPROVED")
    pdfs = _render_both(db, doc_id, out_dir, "py-aprobado")
    cdc_blocks = format_cdc(_cdc(db, doc_id))
    for layout, pdf in pdfs.items():
        text = pdf_text(pdf)
        assert "KuDE de Factura electrónica" in text, layout
        assert "001-001-0000001" in text
        assert cdc_blocks in " ".join(text.split()), layout
        assert "PENDIENTE" not in text and "NO VÁLIDO" not in text
        assert "https://ekuatia.set.gov.py/consultas/" in text
        assert "176.000" in text


def test_a_queued_kude_is_marked_pending_on_both_layouts(qapp, db, py_profile, out_dir):
    doc_id = store(db, py_profile.id, "PY", py_json(ruc=None))
    pdfs = _render_both(db, doc_id, out_dir, "py-encolado")
    for layout, pdf in pdfs.items():
        text = " ".join(pdf_text(pdf).split())
        assert "NO VÁLIDO — PENDIENTE DE APROBACIÓN" in text, layout
        assert "aún no fue aprobado por SIFEN" in text
        assert "Encolado" in text


def test_the_kude_qr_scans_back_to_the_url_the_printout_carries(qapp, db, py_profile, out_dir):
    doc_id = store(db, py_profile.id, "PY", py_json())
    set_state(db, doc_id, "APPROVED")
    expected = printable_for(db, doc_id).qr
    for layout in ("a4", "ticket"):
        pdf = render_pdf(db, doc_id, out_dir / f"py-qr-{layout}.pdf", layout=layout)
        assert _decode_qr(pdf, out_dir) == [expected]


def test_the_pending_ticket_keeps_its_qr_readable_under_the_marks(qapp, db, py_profile, out_dir):
    doc_id = store(db, py_profile.id, "PY", py_json())
    pdf = render_pdf(db, doc_id, out_dir / "py-pendiente-qr-ticket.pdf", layout="ticket")
    assert _decode_qr(pdf, out_dir) == [printable_for(db, doc_id, "ticket").qr]


def test_the_ticket_is_80_mm_wide_and_as_tall_as_its_content(qapp, db, py_profile, out_dir):
    doc_id = store(db, py_profile.id, "PY", py_json())
    small = render_pdf(db, doc_id, out_dir / "ticket-3.pdf", layout="ticket")
    data = py_json()
    data["items"] = data["items"] * 10
    big_id = store(db, py_profile.id, "PY", data)
    big = render_pdf(db, big_id, out_dir / "ticket-30.pdf", layout="ticket")
    width, height = _page_size_pt(small)
    assert width == pytest.approx(80 / 25.4 * 72, abs=0.5)
    assert _page_size_pt(big)[1] > height + 200
    assert _pages(big) == 1


def test_a_long_invoice_flows_over_several_a4_pages(qapp, db, py_profile, out_dir):
    data = py_json()
    data["items"] = data["items"] * 30
    doc_id = store(db, py_profile.id, "PY", data)
    pdf = render_pdf(db, doc_id, out_dir / "py-largo-a4.pdf")
    pages = _pages(pdf)
    assert pages >= 2
    assert _page_size_pt(pdf) == pytest.approx((595.3, 841.9), abs=1)
    text = pdf_text(pdf)
    assert f"Página {pages} de {pages}" in text
    assert (
        " ".join(text.split()).count("NO VÁLIDO — PENDIENTE DE APROBACIÓN") == pages
    )  # every page


def test_an_argentine_invoice_prints_cae_with_expiry_and_a_scannable_arca_qr(
    qapp, db, ar_profile, out_dir
):
    doc_id = store(db, ar_profile.id, "AR", ar_json())
    set_state(
        db, doc_id, "APPROVED", cae=CAE, cae_expiry="2030-01-10", provider_number="00003-00000001"
    )
    pdfs = _render_both(db, doc_id, out_dir, "ar-cae")
    expected = printable_for(db, doc_id).qr
    for layout, pdf in pdfs.items():
        text = pdf_text(pdf)
        assert CAE in text and "10/01/2030" in text, layout
        assert "00003-00000001" in text
        assert "PENDIENTE" not in text
        assert _decode_qr(pdf, out_dir) == [expected]


def test_a_bolivian_invoice_prints_its_cuf_and_a_scannable_siat_qr(qapp, db, bo_profile, out_dir):
    doc_id = store(db, bo_profile.id, "BO", bo_json())
    set_state(db, doc_id, "APPROVED", cuf=CUF, provider_number="152")
    pdfs = _render_both(db, doc_id, out_dir, "bo-cuf")
    for layout, pdf in pdfs.items():
        text = pdf_text(pdf)
        assert CUF in _flat(text), layout
        assert "Trescientos treinta y cinco 50/100 Bolivianos" in " ".join(text.split())
        assert "PENDIENTE" not in text
        assert _decode_qr(pdf, out_dir) == [printable_for(db, doc_id, layout).qr]


def test_save_pdf_writes_the_same_printout(qapp, db, py_profile, tmp_path):
    doc_id = store(db, py_profile.id, "PY", py_json())
    pdf = save_pdf(db, doc_id, tmp_path / "sub" / "kude.pdf")
    assert pdf.exists() and "001-001-0000001" in pdf_text(pdf)


def test_print_document_paints_on_the_printer_it_is_given(qapp, db, ar_profile, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    doc_id = store(db, ar_profile.id, "AR", ar_json())
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "impreso.pdf"
    printer.setOutputFileName(str(target))
    assert print_document(db, doc_id, printer=printer, ask=False, layout="ticket")
    del printer
    text = pdf_text(target)
    assert "FACTURA B" in text and "PENDIENTE DE APROBACIÓN" in " ".join(text.split())


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools not installed")
def test_zbarimg_reads_the_png_a_person_would_see(qapp, db, bo_profile, tmp_path):
    doc_id = store(db, bo_profile.id, "BO", bo_json())
    set_state(db, doc_id, "APPROVED", cuf=CUF, provider_number="152")
    pdf = render_pdf(db, doc_id, tmp_path / "bo.pdf", layout="ticket")
    png = pdf_to_png(pdf, tmp_path / "bo", dpi=200)[0]
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True)
    assert out.stdout.strip() == printable_for(db, doc_id, "ticket").qr


def test_the_cli_can_render_without_a_gui_application(db, py_profile, tmp_path: Path):
    """`lote print` runs with no QApplication and maybe no display: render_pdf makes its own."""
    import sys

    doc_id = store(db, py_profile.id, "PY", py_json())
    url = db.url
    script = (
        "from desktop_app.store.db import Database\n"
        "from desktop_app.documents.printing import render_pdf\n"
        f"db = Database.open({url!r})\n"
        f"render_pdf(db, {doc_id}, {str(tmp_path / 'cli.pdf')!r}, layout='ticket')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert "001-001-0000001" in pdf_text(tmp_path / "cli.pdf")
