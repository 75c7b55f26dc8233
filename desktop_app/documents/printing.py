"""Painting a `Printable` with Qt: PDF files (QPdfWriter) and printers (QPrinter).

No browser and no image files: text is drawn with QPainter (so the PDF keeps real,
searchable text) and the QR is drawn from its module matrix as one filled path. Two
layouts:

- ``"a4"``: an A4 page (several when the items do not fit), 15 mm margins.
- ``"ticket"``: an 80 mm thermal roll (72 mm printable); the page is exactly as tall as
  the content, computed before painting.

A document that is not valid yet (anything but APPROVED / APPROVED_WITH_OBSERVATIONS)
gets a diagonal "NO VÁLIDO — PENDIENTE DE APROBACIÓN" band on every page (repeated down
the roll on a ticket) and a boxed notice at the top, so nobody can take it for the real
thing; the same document printed again after approval comes out clean.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
)

from desktop_app.documents.printable import Printable, TicketItem, printable_for
from desktop_app.documents.qr import qr_matrix
from desktop_app.store.db import Database

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

DPI = 300
TICKET_WIDTH_MM = 80.0
TICKET_MARGIN_MM = 4.0
A4_MARGIN_MM = 15.0
FONT_FAMILY = "DejaVu Sans"
#: A printer whose paper is this narrow (or narrower) gets the ticket layout.
TICKET_MAX_PAPER_MM = 90.0

_RED = QColor("#b00020")
_GREY = QColor("#555555")
_SHADE = QColor("#e8e8e8")

_WRAP = int(Qt.TextFlag.TextWordWrap)
#: For long codes without spaces (a CUF): break anywhere rather than run off the page.
_WRAP_ANYWHERE = int(Qt.TextFlag.TextWrapAnywhere)

_ALIGN = {
    "l": Qt.AlignmentFlag.AlignLeft,
    "r": Qt.AlignmentFlag.AlignRight,
    "c": Qt.AlignmentFlag.AlignHCenter,
}


# -- drawing context and blocks -------------------------------------------------------------


class _Ctx:
    """Units: device pixels of the paint device; `mm` converts."""

    def __init__(self, dpi: float) -> None:
        self.dpi = dpi
        self._fonts: dict[tuple[float, bool, bool], QFont] = {}
        self._metrics: dict[tuple[float, bool, bool], QFontMetricsF] = {}

    def mm(self, value: float) -> float:
        return value * self.dpi / 25.4

    def font(self, size: float, bold: bool = False, italic: bool = False) -> QFont:
        """The font at `size` points, sized in pixels at `dpi`, so measuring and
        painting agree on a PDF writer and on a printer alike."""
        key = (size, bold, italic)
        font = self._fonts.get(key)
        if font is None:
            font = QFont(FONT_FAMILY)
            font.setPixelSize(max(1, round(size * self.dpi / 72)))
            font.setBold(bold)
            font.setItalic(italic)
            self._fonts[key] = font
        return font

    def metrics(self, font: QFont) -> QFontMetricsF:
        key = (font.pixelSize(), font.bold(), font.italic())
        found = self._metrics.get(key)  # type: ignore[arg-type]
        if found is None:
            found = self._metrics[key] = QFontMetricsF(font)  # type: ignore[index]
        return found

    def text_height(self, text: str, font: QFont, width: float, wrap: int = _WRAP) -> float:
        if not text:
            return self.metrics(font).height()
        rect = self.metrics(font).boundingRect(
            QRectF(0, 0, max(width, 1.0), 1e7), wrap | int(Qt.AlignmentFlag.AlignLeft), text
        )
        return rect.height()


class _Block:
    keep_with_next = False

    def height(self, ctx: _Ctx, width: float) -> float:
        raise NotImplementedError

    def paint(self, p: QPainter, ctx: _Ctx, x: float, y: float, width: float) -> None:
        raise NotImplementedError


@dataclass
class _Text(_Block):
    text: str
    size: float = 8.5
    bold: bool = False
    align: str = "l"
    italic: bool = False
    color: str | None = None
    anywhere: bool = False

    def _font(self, ctx: _Ctx) -> QFont:
        return ctx.font(self.size, self.bold, self.italic)

    def _wrap(self) -> int:
        return _WRAP_ANYWHERE if self.anywhere else _WRAP

    def height(self, ctx: _Ctx, width: float) -> float:
        return ctx.text_height(self.text, self._font(ctx), width, self._wrap())

    def paint(self, p: QPainter, ctx: _Ctx, x: float, y: float, width: float) -> None:
        p.setFont(self._font(ctx))
        p.setPen(QColor(self.color) if self.color else QColor("black"))
        p.drawText(
            QRectF(x, y, width, self.height(ctx, width)),
            self._wrap() | int(_ALIGN[self.align]),
            self.text,
        )


@dataclass
class _Row(_Block):
    """Cells side by side; each wraps within its share of the width."""

    cells: Sequence[str]
    weights: Sequence[float]
    aligns: Sequence[str]
    size: float = 8.0
    bold: bool = False
    shade: bool = False
    pad_mm: float = 0.8

    def _widths(self, width: float) -> list[float]:
        total = sum(self.weights) or 1.0
        return [width * w / total for w in self.weights]

    def height(self, ctx: _Ctx, width: float) -> float:
        font = ctx.font(self.size, self.bold)
        pad = ctx.mm(self.pad_mm)
        heights = [
            ctx.text_height(c, font, w - 2 * pad)
            for c, w in zip(self.cells, self._widths(width), strict=True)
        ]
        return max(heights or [0.0]) + 2 * pad

    def paint(self, p: QPainter, ctx: _Ctx, x: float, y: float, width: float) -> None:
        height = self.height(ctx, width)
        if self.shade:
            p.fillRect(QRectF(x, y, width, height), _SHADE)
        font = ctx.font(self.size, self.bold)
        p.setFont(font)
        p.setPen(QColor("black"))
        pad = ctx.mm(self.pad_mm)
        cx = x
        for cell, w, align in zip(self.cells, self._widths(width), self.aligns, strict=True):
            p.drawText(
                QRectF(cx + pad, y + pad, w - 2 * pad, height - 2 * pad),
                int(Qt.TextFlag.TextWordWrap) | int(_ALIGN[align]),
                cell,
            )
            cx += w


@dataclass
class _Rule(_Block):
    dashed: bool = False
    space_mm: float = 1.5

    def height(self, ctx: _Ctx, width: float) -> float:
        return ctx.mm(2 * self.space_mm)

    def paint(self, p: QPainter, ctx: _Ctx, x: float, y: float, width: float) -> None:
        pen = QPen(QColor("black"), ctx.mm(0.2))
        if self.dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        mid = y + ctx.mm(self.space_mm)
        p.drawLine(QPointF(x, mid), QPointF(x + width, mid))


@dataclass
class _Space(_Block):
    mm: float

    def height(self, ctx: _Ctx, width: float) -> float:
        return ctx.mm(self.mm)

    def paint(self, p: QPainter, ctx: _Ctx, x: float, y: float, width: float) -> None:
        return None


@dataclass
class _Notice(_Block):
    """The boxed, red "not valid" line at the top of a not-yet-approved printout."""

    text: str
    size: float = 9.0

    def height(self, ctx: _Ctx, width: float) -> float:
        pad = ctx.mm(2)
        return ctx.text_height(self.text, ctx.font(self.size, True), width - 2 * pad) + 2 * pad

    def paint(self, p: QPainter, ctx: _Ctx, x: float, y: float, width: float) -> None:
        height = self.height(ctx, width)
        pad = ctx.mm(2)
        p.setPen(QPen(_RED, ctx.mm(0.6)))
        p.setBrush(QColor("#fde8ea"))
        p.drawRect(QRectF(x, y, width, height))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setFont(ctx.font(self.size, True))
        p.setPen(_RED)
        p.drawText(
            QRectF(x + pad, y + pad, width - 2 * pad, height - 2 * pad),
            int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignHCenter),
            self.text,
        )


def _paint_qr(p: QPainter, ctx: _Ctx, text: str, x: float, y: float, size: float) -> None:
    """The symbol with its 4-module quiet zone, as one path (no seams between modules)."""
    matrix = qr_matrix(text)
    n = len(matrix)
    module = size / (n + 8)
    p.fillRect(QRectF(x, y, size, size), QColor("white"))
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                path.addRect(
                    QRectF(
                        x + (start + 4) * module, y + (r + 4) * module, (c - start) * module, module
                    )
                )
            else:
                c += 1
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    p.fillPath(path, QColor("black"))
    p.restore()


@dataclass
class _QrBlock(_Block):
    """The QR with its caption: beside it on A4, below it on a ticket."""

    printable: Printable
    size_mm: float
    beside: bool

    def _lines(self) -> list[_Block]:
        pr = self.printable
        lines: list[_Block] = []
        for label, value in pr.authority:
            lines.append(_Text(label, 8, True, "l" if self.beside else "c"))
            lines.append(
                _Text(
                    value,
                    11 if self.beside else 9,
                    True,
                    "l" if self.beside else "c",
                    anywhere=len(value) > 48,
                )
            )
        for caption in pr.qr_caption:
            lines.append(_Text(caption, 7.5, False, "l" if self.beside else "c"))
        if pr.qr_provisional:
            lines.append(
                _Text(
                    "QR PROVISIONAL: sin la firma digital del documento; el QR definitivo lo "
                    "entrega el proveedor. Consulte con el CDC.",
                    7,
                    True,
                    "l" if self.beside else "c",
                    color=_RED.name(),
                )
            )
        if pr.qr is None and pr.qr_placeholder:
            lines.append(
                _Text(pr.qr_placeholder, 7.5, False, "l" if self.beside else "c", italic=True)
            )
        return lines

    def _text_width(self, ctx: _Ctx, width: float) -> float:
        return width - ctx.mm(self.size_mm + 5) if self.beside else width

    def height(self, ctx: _Ctx, width: float) -> float:
        text_w = self._text_width(ctx, width)
        text_h = sum(b.height(ctx, text_w) + ctx.mm(0.8) for b in self._lines())
        qr_h = ctx.mm(self.size_mm) if self.printable.qr else 0.0
        if self.beside:
            return max(qr_h, text_h)
        return qr_h + (ctx.mm(2) if qr_h else 0.0) + text_h

    def paint(self, p: QPainter, ctx: _Ctx, x: float, y: float, width: float) -> None:
        size = ctx.mm(self.size_mm)
        text_w = self._text_width(ctx, width)
        if self.beside:
            if self.printable.qr:
                _paint_qr(p, ctx, self.printable.qr, x, y, size)
            tx, ty = x + width - text_w, y
        else:
            ty = y
            if self.printable.qr:
                _paint_qr(p, ctx, self.printable.qr, x + (width - size) / 2, y, size)
                ty += size + ctx.mm(2)
            tx = x
        for block in self._lines():
            block.paint(p, ctx, tx, ty, text_w)
            ty += block.height(ctx, text_w) + ctx.mm(0.8)


@dataclass
class _Header(_Block):
    """A4 header: emisor on the left, the letter box (Argentina) in the middle, the
    document's title and number on the right."""

    printable: Printable

    def _left(self) -> list[_Text]:
        lines = self.printable.emisor
        return [_Text(lines[0], 12, True)] + [_Text(line, 9) for line in lines[1:]]

    def _right(self) -> list[_Text]:
        pr = self.printable
        out = [_Text(pr.title, 13, True, "r"), _Text(f"N° {pr.number}", 11, True, "r")]
        if pr.letter_code and not pr.letter:
            out.append(_Text(pr.letter_code, 8, False, "r"))
        return out

    def _widths(self, width: float) -> tuple[float, float, float]:
        middle = width * 0.12 if self.printable.letter else 0.0
        side = (width - middle) / 2
        return side, middle, side

    def height(self, ctx: _Ctx, width: float) -> float:
        left_w, middle_w, right_w = self._widths(width)
        left = sum(t.height(ctx, left_w - ctx.mm(2)) for t in self._left())
        right = sum(t.height(ctx, right_w) for t in self._right())
        middle = ctx.mm(20) if self.printable.letter else 0.0
        return max(left, right, middle)

    def paint(self, p: QPainter, ctx: _Ctx, x: float, y: float, width: float) -> None:
        left_w, middle_w, right_w = self._widths(width)
        ty = y
        for t in self._left():
            t.paint(p, ctx, x, ty, left_w - ctx.mm(2))
            ty += t.height(ctx, left_w - ctx.mm(2))
        ty = y
        for t in self._right():
            t.paint(p, ctx, x + left_w + middle_w, ty, right_w)
            ty += t.height(ctx, right_w)
        pr = self.printable
        if pr.letter:
            box = ctx.mm(16)
            bx = x + left_w + (middle_w - box) / 2
            p.setPen(QPen(QColor("black"), ctx.mm(0.5)))
            p.drawRect(QRectF(bx, y, box, box))
            p.setFont(ctx.font(26, True))
            p.drawText(QRectF(bx, y, box, box * 0.8), int(Qt.AlignmentFlag.AlignCenter), pr.letter)
            p.setFont(ctx.font(6.5, True))
            p.drawText(
                QRectF(bx, y + box * 0.72, box, box * 0.28),
                int(Qt.AlignmentFlag.AlignCenter),
                pr.letter_code or "",
            )


# -- the two layouts --------------------------------------------------------------------------


def _key_values(
    pairs: Sequence[tuple[str, str]], size: float, label_weight: float, value_weight: float
) -> list[_Block]:
    return [
        _Row((f"{label}:", value), (label_weight, value_weight), ("l", "l"), size, pad_mm=0.4)
        for label, value in pairs
    ]


def a4_blocks(pr: Printable) -> list[_Block]:
    blocks: list[_Block] = []
    if pr.notice:
        blocks += [_Notice(pr.notice), _Space(3)]
    blocks += [_Header(pr), _Rule()]
    blocks += _key_values(pr.facts, 8.5, 1.3, 4)
    blocks.append(_Rule())
    blocks.append(_Text("Datos del receptor", 9, True))
    blocks += _key_values(pr.customer, 8.5, 1.3, 4)
    blocks.append(_Space(3))
    t = pr.table
    if t.headers:
        blocks.append(_Row(t.headers, t.weights, t.aligns, 8, bold=True, shade=True))
        blocks += [_Row(row, t.weights, t.aligns, 8) for row in t.rows]
        blocks.append(_Rule())
    for label, value, strong in pr.totals:
        blocks.append(
            _Row(
                ("", label, value),
                (3.0, 5.0, 2.0),
                ("l", "r", "r"),
                10 if strong else 8.5,
                bold=strong,
                pad_mm=0.5,
            )
        )
    if pr.amount_in_words:
        blocks.append(_Text(pr.amount_in_words, 8.5, True))
    blocks += [_Space(3), _Rule()]
    blocks.append(_QrBlock(pr, 35, beside=True))
    blocks.append(_Space(3))
    blocks += [_Text(legend, 7, False, "c") for legend in pr.legends]
    return blocks


def ticket_blocks(pr: Printable) -> list[_Block]:
    blocks: list[_Block] = []
    if pr.notice:
        blocks += [_Notice(pr.notice, 8), _Space(2)]
    blocks.append(_Text(pr.emisor[0], 10, True, "c"))
    blocks += [_Text(line, 8, False, "c") for line in pr.emisor[1:]]
    blocks.append(_Rule(dashed=True))
    title = pr.title + (f" {pr.letter}" if pr.letter else "")
    blocks.append(_Text(title, 10, True, "c"))
    if pr.letter_code:
        blocks.append(_Text(pr.letter_code, 7.5, False, "c"))
    blocks.append(_Text(f"N° {pr.number}", 9, True, "c"))
    blocks += _key_values(pr.facts, 7.5, 2, 3)
    blocks.append(_Rule(dashed=True))
    blocks += _key_values(pr.customer, 7.5, 2, 3)
    blocks.append(_Rule(dashed=True))
    for item in pr.ticket_items:
        blocks += _ticket_item(item)
    blocks.append(_Rule(dashed=True))
    for label, value, strong in pr.totals:
        blocks.append(
            _Row((label, value), (3, 2), ("l", "r"), 9 if strong else 7.5, bold=strong, pad_mm=0.3)
        )
    if pr.amount_in_words:
        blocks.append(_Text(pr.amount_in_words, 7.5, True))
    blocks.append(_Rule(dashed=True))
    blocks.append(_QrBlock(pr, 40, beside=False))
    blocks.append(_Space(2))
    blocks += [_Text(legend, 6.5, False, "c") for legend in pr.legends]
    if pr.notice:
        blocks += [_Space(2), _Notice(pr.notice, 8)]
    return blocks


def _ticket_item(item: TicketItem) -> list[_Block]:
    return [
        _Text(item.description, 8),
        _Row((item.detail, item.amount), (3, 1.4), ("l", "r"), 7.5, pad_mm=0.2),
    ]


# -- pages --------------------------------------------------------------------------------


@dataclass
class _Placed:
    page: int
    y: float
    block: _Block


def _paginate(
    blocks: list[_Block], ctx: _Ctx, width: float, top: float, bottom: float
) -> tuple[list[_Placed], int]:
    placed: list[_Placed] = []
    page, y = 0, top
    for block in blocks:
        h = block.height(ctx, width)
        if y + h > bottom and y > top:
            page, y = page + 1, top
        placed.append(_Placed(page, y, block))
        y += h
    return placed, page + 1


def _mark_centers(
    page: QRectF, ctx: _Ctx, extent: float, ticket: bool, avoid: list[tuple[float, float]]
) -> list[float]:
    """Where the bands go: the middle of an A4 page; every ~100 mm down a ticket, moved
    off the QR so that the symbol stays readable."""
    if not ticket:
        return [page.center().y()]
    step = ctx.mm(100)
    count = max(1, int(page.height() // step))
    centers = []
    for i in range(count):
        cy = page.top() + step / 2 + i * step
        for top, bottom in avoid:
            if cy + extent / 2 > top and cy - extent / 2 < bottom:
                above = top - extent / 2 - ctx.mm(1)
                cy = above if above - extent / 2 >= page.top() else bottom + extent / 2 + ctx.mm(1)
        centers.append(min(cy, page.bottom() - extent / 2))
    return centers


def _paint_mark(
    p: QPainter,
    ctx: _Ctx,
    text: str,
    page: QRectF,
    *,
    ticket: bool,
    avoid: list[tuple[float, float]],
) -> None:
    """The translucent red band with `text`, diagonal across the page (-35°) or, on a
    ticket, at -20° every ~100 mm; the text is sized to fit the band."""
    angle = 20.0 if ticket else 35.0
    length = page.width() * (1.05 if ticket else 1.15)
    size = 9.5 if ticket else 26.0
    font = ctx.font(size, True)
    fits = ctx.metrics(font).horizontalAdvance(text)
    if fits > length * 0.92:
        font = ctx.font(round(size * length * 0.92 / fits, 1), True)
    band = ctx.metrics(font).height() * 1.6
    rad = math.radians(angle)
    extent = length * math.sin(rad) + band * math.cos(rad)
    for cy in _mark_centers(page, ctx, extent, ticket, avoid):
        p.save()
        p.translate(page.center().x(), cy)
        p.rotate(-angle)
        rect = QRectF(-length / 2, -band / 2, length, band)
        p.fillRect(rect, QColor(176, 0, 32, 45))
        p.setPen(QPen(QColor(176, 0, 32, 200), ctx.mm(0.4)))
        p.drawLine(rect.topLeft(), rect.topRight())
        p.drawLine(rect.bottomLeft(), rect.bottomRight())
        p.setFont(font)
        p.setPen(QColor(176, 0, 32, 210))
        p.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
        p.restore()


def _ticket_height_mm(pr: Printable, ctx: _Ctx) -> float:
    width = ctx.mm(TICKET_WIDTH_MM - 2 * TICKET_MARGIN_MM)
    content = sum(b.height(ctx, width) for b in ticket_blocks(pr))
    return content * 25.4 / ctx.dpi + 2 * TICKET_MARGIN_MM + 6


def paint(device: QPagedPaintDevice, pr: Printable, layout: str) -> int:
    """Paint `pr` on a paged device whose page size is already set (A4, or the ticket's
    computed size). Returns the number of pages."""
    ctx = _Ctx(device.logicalDpiY() if device.logicalDpiY() > 0 else DPI)
    ticket = layout == "ticket"
    page_rect = QRectF(0, 0, device.width(), device.height())
    margin = ctx.mm(TICKET_MARGIN_MM if ticket else A4_MARGIN_MM)
    x, width = margin, page_rect.width() - 2 * margin
    footer = 0.0 if ticket else ctx.mm(6)
    blocks = ticket_blocks(pr) if ticket else a4_blocks(pr)
    placed, pages = _paginate(blocks, ctx, width, margin, page_rect.height() - margin - footer)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("no se pudo empezar a dibujar el documento (¿archivo o impresora?)")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for number in range(pages):
            if number:
                device.newPage()
            for item in placed:
                if item.page == number:
                    item.block.paint(painter, ctx, x, item.y, width)
            if pr.mark:
                qr_spans = [
                    (item.y, item.y + item.block.height(ctx, width))
                    for item in placed
                    if item.page == number and isinstance(item.block, _QrBlock)
                ]
                _paint_mark(painter, ctx, pr.mark, page_rect, ticket=ticket, avoid=qr_spans)
            if not ticket:
                painter.setFont(ctx.font(7))
                painter.setPen(_GREY)
                footer_rect = QRectF(
                    x, page_rect.height() - margin - footer + ctx.mm(2), width, footer
                )
                painter.drawText(
                    footer_rect,
                    int(Qt.AlignmentFlag.AlignLeft),
                    f"{pr.title} N° {pr.number} — estado: {pr.state_label}",
                )
                painter.drawText(
                    footer_rect, int(Qt.AlignmentFlag.AlignRight), f"Página {number + 1} de {pages}"
                )
    finally:
        painter.end()
    return pages


def _set_page(device: QPagedPaintDevice, pr: Printable, layout: str) -> None:
    if layout == "ticket":
        height = _ticket_height_mm(pr, _Ctx(DPI))
        size = QPageSize(
            QSizeF(TICKET_WIDTH_MM, height),
            QPageSize.Unit.Millimeter,
            "Ticket 80 mm",
            QPageSize.SizeMatchPolicy.ExactMatch,
        )
    else:
        size = QPageSize(QPageSize.PageSizeId.A4)
    device.setPageLayout(
        QPageLayout(
            size,
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
            QPageLayout.Unit.Millimeter,
        )
    )


# -- public API -----------------------------------------------------------------------------------

_APP: QGuiApplication | None = None


def ensure_gui_application() -> None:
    """Fonts need a QGuiApplication. The GUI has one; the CLI (``lote print``) gets one
    here, on the offscreen platform when there is no display. It is a full QApplication
    so that widgets (the import dialog, the window) may still be created later in the
    same process: Qt aborts on a QWidget under a mere QGuiApplication."""
    global _APP
    if QGuiApplication.instance() is not None:
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    _APP = QApplication([])


def render_pdf(db: Database, doc_id: int, path: str | Path, *, layout: str = "a4") -> Path:
    """Write document `doc_id` as a PDF at `path` ("a4" or "ticket")."""
    ensure_gui_application()
    pr = printable_for(db, doc_id, layout)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(target))
    writer.setResolution(DPI)
    writer.setCreator("Lote")
    writer.setTitle(f"{pr.title} {pr.number}")
    _set_page(writer, pr, layout)
    paint(writer, pr, layout)
    del writer  # flushes and closes the file
    return target


def save_pdf(db: Database, doc_id: int, path: str | Path, *, layout: str = "a4") -> Path:
    """The "Guardar PDF" action: same as `render_pdf`."""
    return render_pdf(db, doc_id, path, layout=layout)


def layout_for_printer(printer: object) -> str:
    """ "ticket" for a roll printer (paper 90 mm wide or less), else "a4"."""
    from PySide6.QtPrintSupport import QPrinter

    assert isinstance(printer, QPrinter)
    width = printer.pageLayout().pageSize().size(QPageSize.Unit.Millimeter).width()
    return "ticket" if 0 < width <= TICKET_MAX_PAPER_MM else "a4"


def print_document(
    db: Database,
    doc_id: int,
    parent: QWidget | None = None,
    *,
    printer: object = None,
    layout: str | None = None,
    ask: bool = True,
) -> bool:
    """Print document `doc_id`: the system print dialog (QPrintDialog), then the page.

    The layout follows the chosen paper (a roll of 90 mm or less gets the ticket)
    unless `layout` says otherwise. Tests pass a QPrinter in PdfFormat with ``ask=False``.
    Returns False when the user cancels.
    """
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    if printer is None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    assert isinstance(printer, QPrinter)
    if ask:
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle("Imprimir documento")
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return False
    chosen = layout or layout_for_printer(printer)
    pr = printable_for(db, doc_id, chosen)
    if chosen == "ticket" or printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        _set_page(printer, pr, chosen)
    paint(printer, pr, chosen)
    return True
