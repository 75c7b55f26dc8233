"""The one place that says how a document state looks: Spanish label, colours, icon.

Every widget that shows a state (the table, the status bar, later the detail view)
asks here, so "Procesando" is never spelled two ways. Icons are painted at run time
(a coloured disc with a white glyph): no image files to ship, and they read the same
on every platform style.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from desktop_app.domain.states import DocState

CONTEXT = "DocState"


class Glyph(Enum):
    DOTS = "dots"  # waiting in the outbox
    ARROW = "arrow"  # on its way
    HOURGLASS = "hourglass"  # the authority is working on it
    CHECK = "check"
    CHECK_BANG = "check_bang"  # approved, with observations
    CROSS = "cross"
    QUESTION = "question"  # outcome not known yet: being verified
    SLASH = "slash"  # cancelled / voided
    PENCIL = "pencil"


@dataclass(frozen=True)
class StateStyle:
    text: str  # source text, marked with QT_TRANSLATE_NOOP; `label` translates it
    foreground: str
    background: str
    glyph: Glyph

    @property
    def label(self) -> str:
        return QCoreApplication.translate(CONTEXT, self.text)


_GREEN = ("#1e6b34", "#e3f3e7")
_BLUE = ("#1c4f9c", "#e6eefb")
_GREY = ("#4d5560", "#eef0f2")
_RED = ("#a4262c", "#fbe6e6")
_AMBER = ("#8a5a00", "#fdf1d9")
_PURPLE = ("#5e3a8c", "#f0e8f8")

_STYLES: dict[DocState, StateStyle] = {
    DocState.DRAFT: StateStyle(QT_TRANSLATE_NOOP(CONTEXT, "Borrador"), *_GREY, Glyph.PENCIL),
    DocState.QUEUED: StateStyle(QT_TRANSLATE_NOOP(CONTEXT, "Encolado"), *_GREY, Glyph.DOTS),
    DocState.SENDING: StateStyle(QT_TRANSLATE_NOOP(CONTEXT, "Enviando"), *_BLUE, Glyph.ARROW),
    DocState.SUBMITTED: StateStyle(QT_TRANSLATE_NOOP(CONTEXT, "Enviado"), *_BLUE, Glyph.ARROW),
    DocState.APPROVED: StateStyle(QT_TRANSLATE_NOOP(CONTEXT, "Aprobado"), *_GREEN, Glyph.CHECK),
    DocState.APPROVED_WITH_OBSERVATIONS: StateStyle(
        QT_TRANSLATE_NOOP(CONTEXT, "Aprobado con observaciones"), *_GREEN, Glyph.CHECK_BANG
    ),
    DocState.REJECTED: StateStyle(QT_TRANSLATE_NOOP(CONTEXT, "Rechazado"), *_RED, Glyph.CROSS),
    DocState.UNKNOWN: StateStyle(
        QT_TRANSLATE_NOOP(CONTEXT, "Verificando"), *_AMBER, Glyph.QUESTION
    ),
    DocState.CANCEL_REQUESTED: StateStyle(
        QT_TRANSLATE_NOOP(CONTEXT, "Anulación solicitada"), *_PURPLE, Glyph.HOURGLASS
    ),
    DocState.CANCELLED: StateStyle(QT_TRANSLATE_NOOP(CONTEXT, "Anulado"), *_GREY, Glyph.SLASH),
    DocState.VOIDED: StateStyle(QT_TRANSLATE_NOOP(CONTEXT, "Inutilizado"), *_GREY, Glyph.SLASH),
}
#: SUBMITTED and the provider said the authority is still working on it.
_PROCESSING = StateStyle(QT_TRANSLATE_NOOP(CONTEXT, "Procesando"), *_BLUE, Glyph.HOURGLASS)
#: A state this release does not know (a newer terminal wrote it to a shared database).
_UNRECOGNISED = StateStyle(QT_TRANSLATE_NOOP(CONTEXT, "Desconocido"), *_GREY, Glyph.QUESTION)


def state_style(state: str | DocState, processing: bool = False) -> StateStyle:
    try:
        key = DocState(state)
    except ValueError:
        return _UNRECOGNISED
    if key is DocState.SUBMITTED and processing:
        return _PROCESSING
    return _STYLES[key]


def state_label(state: str | DocState, processing: bool = False) -> str:
    return state_style(state, processing).label


def state_foreground(state: str | DocState, processing: bool = False) -> QColor:
    return QColor(state_style(state, processing).foreground)


def state_background(state: str | DocState, processing: bool = False) -> QColor:
    return QColor(state_style(state, processing).background)


_ICONS: dict[tuple[Glyph, str], QIcon] = {}


def state_icon(state: str | DocState, processing: bool = False) -> QIcon:
    """A small disc in the state's colour; cached (needs a QGuiApplication)."""
    style = state_style(state, processing)
    key = (style.glyph, style.foreground)
    icon = _ICONS.get(key)
    if icon is None:
        icon = QIcon()
        for size in (16, 32):
            icon.addPixmap(_paint(style.glyph, QColor(style.foreground), size))
        _ICONS[key] = icon
    return icon


def dot_icon(color: str, size: int = 12) -> QIcon:
    """A plain coloured dot (the status bar's connectivity light)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    p.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    p.end()
    return QIcon(pixmap)


def _paint(glyph: Glyph, color: QColor, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 16, size / 16)  # draw on a 16x16 grid
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawEllipse(QRectF(0.5, 0.5, 15, 15))
    pen = QPen(
        QColor("white"),
        1.8,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath()
    if glyph is Glyph.CHECK:
        path.moveTo(4.3, 8.3)
        path.lineTo(7, 11)
        path.lineTo(11.8, 5.2)
    elif glyph is Glyph.CHECK_BANG:
        path.moveTo(3.5, 8.3)
        path.lineTo(6, 10.8)
        path.lineTo(9.8, 5.2)
        path.moveTo(12.3, 4.5)
        path.lineTo(12.3, 8.6)
        path.moveTo(12.3, 11.2)
        path.lineTo(12.3, 11.3)
    elif glyph is Glyph.CROSS:
        path.moveTo(5.2, 5.2)
        path.lineTo(10.8, 10.8)
        path.moveTo(10.8, 5.2)
        path.lineTo(5.2, 10.8)
    elif glyph is Glyph.ARROW:
        path.moveTo(4, 8)
        path.lineTo(11.5, 8)
        path.moveTo(8.5, 5)
        path.lineTo(11.5, 8)
        path.lineTo(8.5, 11)
    elif glyph is Glyph.HOURGLASS:
        path.moveTo(5, 4.2)
        path.lineTo(11, 4.2)
        path.lineTo(5, 11.8)
        path.lineTo(11, 11.8)
        path.closeSubpath()
    elif glyph is Glyph.QUESTION:
        path.moveTo(5.8, 6.2)
        path.cubicTo(5.8, 3.6, 10.4, 3.6, 10.4, 6.2)
        path.cubicTo(10.4, 7.8, 8.1, 7.9, 8.1, 9.6)
        path.moveTo(8.1, 12)
        path.lineTo(8.1, 12.1)
    elif glyph is Glyph.SLASH:
        path.moveTo(4.8, 11.2)
        path.lineTo(11.2, 4.8)
    elif glyph is Glyph.PENCIL:
        path.moveTo(5, 11)
        path.lineTo(11, 5)
        path.moveTo(4.6, 11.4)
        path.lineTo(5.6, 11.4)
    if glyph is Glyph.DOTS:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("white"))
        for x in (4.6, 8, 11.4):
            p.drawEllipse(QPointF(x, 8), 1.15, 1.15)
    else:
        p.drawPath(path)
    p.end()
    return pixmap
