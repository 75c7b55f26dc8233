"""Starting the window: QApplication, runtime, crash recovery, event loop."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger(__name__)


def _install_qt_translations(app: QApplication) -> None:
    """Qt's own strings (standard buttons, context menus) in Spanish when available."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Spanish), "qtbase", "_", folder):
        app.installTranslator(translator)


def run_gui(
    data_dir: str | Path | None = None, db_url: str | None = None, force_demo: bool = False
) -> int:
    """Open Lote's window and run until it is closed; the exit code of the event loop."""
    from desktop_app.gui.main_window import MainWindow
    from desktop_app.runtime import open_runtime

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Lote")
    app.setApplicationDisplayName("Lote")
    app.setOrganizationName("Lote")
    _install_qt_translations(app)

    try:
        runtime = open_runtime(data_dir, db_url=db_url, force_demo=force_demo)
    except Exception as exc:
        log.exception("could not open the runtime")
        QMessageBox.critical(
            None,
            "Lote",
            QCoreApplication.translate(
                "run_gui", "No se pudo abrir la base de datos de Lote:\n{error}"
            ).format(error=exc),
        )
        return 1
    try:
        # The process that left documents SENDING is gone: their outcome is unknown
        # until the provider is asked (DESIGN rule 2).
        runtime.make_engine().recover_interrupted(all_sending=True)
        window = MainWindow(runtime)
        window.show()
        code = app.exec()
        window.shutdown()
        return code
    finally:
        runtime.close()
