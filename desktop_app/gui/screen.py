"""Sizes that follow the screen: Lote must work at 125–200 % display scaling, where a
1080p screen is only 960 × 540 logical pixels. Windows open at a comfortable size
computed from the font, never larger than the screen; tall content scrolls."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def available_size(widget: QWidget) -> QSize | None:
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry().size() if screen is not None else None


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize to `width` × `height`, or to 95 % × 92 % of the screen if smaller."""
    size = QSize(width, height)
    available = available_size(widget)
    if available is not None:
        size = size.boundedTo(QSize(int(available.width() * 0.95), int(available.height() * 0.92)))
    widget.resize(size)


def scrollable(content: QWidget) -> QScrollArea:
    """`content` in a frameless scroll area that grows with it."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    # Not a tab stop, and a click on a button that takes no focus must not move the
    # cursor to the area (the invoice form's "Quitar ítem" acts on the line with it).
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return area
