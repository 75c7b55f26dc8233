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
    DocState.DRAFT: StateStyle(QT_TRANSLATE_NOOP("DocState", "Borrador"), *_GREY, Glyph.PENCIL),
    DocState.QUEUED: StateStyle(QT_TRANSLATE_NOOP("DocState", "Encolado"), *_GREY, Glyph.DOTS),
    DocState.SENDING: StateStyle(QT_TRANSLATE_NOOP("DocState", "Enviando"), *_BLUE, Glyph.ARROW),
    DocState.SUBMITTED: StateStyle(QT_TRANSLATE_NOOP("DocState", "Enviado"), *_BLUE, Glyph.ARROW),
    DocState.APPROVED: StateStyle(QT_TRANSLATE_NOOP("DocState", "Aprobado"), *_GREEN, Glyph.CHECK),
    DocState.APPROVED_WITH_OBSERVATIONS: StateStyle(
        QT_TRANSLATE_NOOP("DocState", "Aprobado con observaciones"), *_GREEN, Glyph.CHECK_BANG
    ),
    DocState.REJECTED: StateStyle(QT_TRANSLATE_NOOP("DocState", "Rechazado"), *_RED, Glyph.CROSS),
    DocState.UNKNOWN: StateStyle(
        QT_TRANSLATE_NOOP("DocState", "Verificando"), *_AMBER, Glyph.QUESTION
    ),
    DocState.CANCEL_REQUESTED: StateStyle(
        QT_TRANSLATE_NOOP("DocState", "Anulación solicitada"), *_PURPLE, Glyph.HOURGLASS
    ),
    DocState.CANCELLED: StateStyle(QT_TRANSLATE_NOOP("DocState", "Anulado"), *_GREY, Glyph.SLASH),
    DocState.VOIDED: StateStyle(QT_TRANSLATE_NOOP("DocState", "Inutilizado"), *_GREY, Glyph.SLASH),
}
#: SUBMITTED and the provider said the authority is still working on it.
_PROCESSING = StateStyle(QT_TRANSLATE_NOOP("DocState", "Procesando"), *_BLUE, Glyph.HOURGLASS)
#: A state this release does not know (a newer terminal wrote it to a shared database).
_UNRECOGNISED = StateStyle(QT_TRANSLATE_NOOP("DocState", "Desconocido"), *_GREY, Glyph.QUESTION)


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


#: Lote.state values (store/models.py) as the Lotes screen shows them.
_LOTE_STATES = {
    "SENDING": QT_TRANSLATE_NOOP("LoteState", "Enviando"),
    "SUBMITTED": QT_TRANSLATE_NOOP("LoteState", "En proceso"),
    "DONE": QT_TRANSLATE_NOOP("LoteState", "Terminado"),
    "UNKNOWN": QT_TRANSLATE_NOOP("LoteState", "Sin respuesta: verificando"),
    "REFUSED": QT_TRANSLATE_NOOP("LoteState", "Rechazado por el proveedor"),
    "OFFLINE": QT_TRANSLATE_NOOP("LoteState", "Sin conexión: devuelto a la cola"),
    "UNSENT": QT_TRANSLATE_NOOP("LoteState", "No enviado: devuelto a la cola"),
}


def lote_state_label(state: str) -> str:
    text = _LOTE_STATES.get(state)
    return QCoreApplication.translate("LoteState", text) if text else state


#: SIFEN C002 iTiDE (the other countries' types are listed as "Factura").
_TIPOS = {
    1: QT_TRANSLATE_NOOP("TipoDocumento", "Factura electrónica"),
    4: QT_TRANSLATE_NOOP("TipoDocumento", "Autofactura electrónica"),
    5: QT_TRANSLATE_NOOP("TipoDocumento", "Nota de crédito electrónica"),
    6: QT_TRANSLATE_NOOP("TipoDocumento", "Nota de débito electrónica"),
    7: QT_TRANSLATE_NOOP("TipoDocumento", "Nota de remisión electrónica"),
}


def tipo_documento_label(tipo: int, country: str = "PY") -> str:
    if country != "PY":
        return QCoreApplication.translate("TipoDocumento", "Factura")
    text = _TIPOS.get(tipo)
    if text is None:
        return QCoreApplication.translate("TipoDocumento", "Documento tipo {n}").format(n=tipo)
    return QCoreApplication.translate("TipoDocumento", text)


def actor_label(actor: str) -> str:
    """Who made a change, for the timeline: the cashier, Lote's sender, a test..."""
    if actor == "user":
        return QCoreApplication.translate("Actor", "Usuario")
    if actor == "sync":
        return QCoreApplication.translate("Actor", "Lote (envío automático)")
    if actor == "import":
        return QCoreApplication.translate("Actor", "Importación")
    return actor


def app_icon() -> QIcon:
    """Lote's icon, painted: a stack of three sheets with a check on top."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(size / 64, size / 64)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#1c4f9c"))
        p.drawRoundedRect(QRectF(2, 2, 60, 60), 12, 12)
        for n, shade in enumerate(("#9fb8e0", "#cfdcf1", "#ffffff")):
            p.setBrush(QColor(shade))
            p.drawRoundedRect(QRectF(16 - n * 3, 12 + n * 4, 32, 40 - n * 4), 3, 3)
        pen = QPen(
            QColor("#1e8e3e"),
            5,
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
        p.setPen(pen)
        path = QPainterPath()
        path.moveTo(17, 34)
        path.lineTo(25, 42)
        path.lineTo(39, 26)
        p.drawPath(path)
        p.end()
        icon.addPixmap(pixmap)
    return icon


def nav_icon(kind: str, color: str = "#1c4f9c") -> QIcon:
    """The navigation list's icons, painted on a 24x24 grid: "documents", "dashboard",
    "lotes", "customers", "products"."""
    icon = QIcon()
    for size in (20, 24, 40, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(size / 24, size / 24)
        pen = QPen(
            QColor(color),
            1.8,
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        if kind == "documents":
            p.drawRoundedRect(QRectF(5, 3, 14, 18), 2, 2)
            for y in (8, 12, 16):
                p.drawLine(QPointF(8, y), QPointF(16, y))
        elif kind == "dashboard":
            p.setBrush(QColor(color))
            for x, h in ((4, 8), (10, 14), (16, 5)):
                p.drawRect(QRectF(x, 20 - h, 4, h))
            p.drawLine(QPointF(3, 21), QPointF(21, 21))
        elif kind == "lotes":
            for n in range(3):
                p.drawRoundedRect(QRectF(4 + n * 2, 4 + n * 4, 14, 8), 1.5, 1.5)
        elif kind == "customers":
            p.drawEllipse(QRectF(8, 3, 8, 8))
            path = QPainterPath()
            path.moveTo(4, 21)
            path.cubicTo(4, 13, 20, 13, 20, 21)
            p.drawPath(path)
        elif kind == "products":
            path = QPainterPath()
            path.moveTo(12, 3)
            path.lineTo(20, 7)
            path.lineTo(20, 17)
            path.lineTo(12, 21)
            path.lineTo(4, 17)
            path.lineTo(4, 7)
            path.closeSubpath()
            path.moveTo(4, 7)
            path.lineTo(12, 11)
            path.lineTo(20, 7)
            path.moveTo(12, 11)
            path.lineTo(12, 21)
            p.drawPath(path)
        p.end()
        icon.addPixmap(pixmap)
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
