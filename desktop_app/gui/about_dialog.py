"""Acerca de Lote: version, license, where the data and the log are, and "Copiar
diagnóstico" for support (desktop_app.diagnostics: no secrets in it)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__, diagnostics, logs
from desktop_app.gui import labels

log = logging.getLogger(__name__)


class AboutDialog(QDialog):
    """`runtime`: the window's Runtime (diagnostics then include the profiles and the
    schema revision); without one, `data_dir` (None: the default data folder)."""

    def __init__(
        self,
        runtime: Any = None,
        parent: QWidget | None = None,
        *,
        data_dir: str | Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AboutDialog")
        self.setWindowTitle(self.tr("Acerca de Lote"))
        self.runtime = runtime
        self._target: Any = runtime if runtime is not None else data_dir
        folder = Path(runtime.data_dir) if runtime is not None else None
        if folder is None:
            from desktop_app import paths

            folder = paths.data_dir(data_dir)
        self.data_dir = folder

        icon = QLabel()
        icon.setPixmap(labels.app_icon().pixmap(64, 64))
        title = QLabel(f"<b>Lote {__version__}</b>")
        title.setObjectName("about_title")
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        blurb = QLabel(
            self.tr(
                "Bandeja de salida de facturas electrónicas que funciona sin conexión: "
                "SIFEN (Paraguay), SIAT (Bolivia), ARCA (Argentina)."
            )
        )
        blurb.setWordWrap(True)
        license_label = QLabel(
            self.tr(
                "Licencia: propietaria. Incluye Qt 6 y PySide6 (LGPLv3), Python (PSF) y "
                "bibliotecas de código abierto con sus propias licencias."
            )
        )
        license_label.setObjectName("about_license")
        license_label.setWordWrap(True)

        head = QHBoxLayout()
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.addWidget(title)
        text.addWidget(blurb)
        text.addWidget(license_label)
        head.addLayout(text, 1)

        form = QFormLayout()
        self.data_label = self._path_label(str(self.data_dir), "about_data_dir")
        self.log_label = self._path_label(str(logs.log_file()), "about_log_file")
        form.addRow(self.tr("Carpeta de datos:"), self.data_label)
        form.addRow(self.tr("Registro:"), self.log_label)

        self.status = QLabel()
        self.status.setObjectName("about_status")

        self.copy_button = QPushButton(self.tr("Copiar diagnóstico"))
        self.copy_button.setObjectName("copy_diagnostics_button")
        self.copy_button.setToolTip(
            self.tr(
                "Copia al portapapeles la versión, el sistema, las carpetas y las últimas líneas "
                "del registro, sin claves, para enviarlos a soporte"
            )
        )
        self.copy_button.clicked.connect(self.copy_diagnostics)
        self.open_button = QPushButton(self.tr("Abrir carpeta de datos"))
        self.open_button.setObjectName("open_data_dir_button")
        self.open_button.clicked.connect(self.open_data_folder)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Cerrar"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 48)

    def _path_label(self, text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setWordWrap(True)
        return label

    def copy_diagnostics(self) -> str:
        """Put the diagnostic text on the clipboard (and return it)."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            text = diagnostics.collect(self._target)
        finally:
            QGuiApplication.restoreOverrideCursor()
        QGuiApplication.clipboard().setText(text)
        log.info("diagnostics copied to the clipboard (%d lines)", text.count("\n"))
        self.status.setText(self.tr("Diagnóstico copiado: péguelo en su mensaje a soporte."))
        QTimer.singleShot(8000, self.status.clear)
        return text

    def open_data_folder(self) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir)))
