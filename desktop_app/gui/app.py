"""Starting the window: QApplication, runtime, crash recovery, event loop."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.credentials import key_file_path
from desktop_app.store.db import DatabaseDamaged

log = logging.getLogger(__name__)


def _install_qt_translations(app: QApplication) -> None:
    """Lote's language (QSettings "language": Spanish by default, or English from
    resources/translations/lote_en.qm) and Qt's own strings in Spanish."""
    from desktop_app.gui.settings import install_translators

    install_translators(app)


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
    app.setDesktopFileName("lote")  # so Wayland matches the window to its icon
    from desktop_app.gui import labels

    app.setWindowIcon(labels.app_icon())
    _install_qt_translations(app)

    try:
        runtime = open_runtime(data_dir, db_url=db_url, force_demo=force_demo)
    except DatabaseDamaged as exc:
        runtime = _offer_restore(exc, data_dir, db_url, force_demo)
        if runtime is None:
            return 1
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
        # One sender per data folder: a second window still saves invoices (the first
        # one sends them) but does not send, nor touch documents in flight.
        if key_file_path(runtime.data_dir).exists():  # else keyring need not load yet
            from desktop_app.gui.key_storage import unlock_at_start

            unlock_at_start(None, runtime.data_dir)  # only without a keyring
        sender = runtime.acquire_sender()
        window = MainWindow(runtime, start_workers=sender)
        if not sender:
            window.show_not_sender(runtime.sender_owner())
        window.show()
        code = app.exec()
        window.shutdown()
        return code
    finally:
        runtime.close()


def _offer_restore(exc: DatabaseDamaged, data_dir, db_url, force_demo):
    """A damaged database: say so calmly and offer the newest backup. Nothing is
    changed unless the user chooses to restore (the damaged file is kept aside)."""
    from desktop_app import paths
    from desktop_app.runtime import open_runtime
    from desktop_app.store.db import Database

    log.error("database damaged: %s", exc.detail)
    box = QMessageBox(QMessageBox.Icon.Critical, "Lote", str(exc))
    restore = None
    if exc.backups:
        restore = box.addButton(
            QCoreApplication.translate("run_gui", "Restaurar la copia más reciente"),
            QMessageBox.ButtonRole.AcceptRole,
        )
    box.addButton(QCoreApplication.translate("run_gui", "Salir"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if restore is None or box.clickedButton() is not restore:
        return None
    folder = paths.data_dir(data_dir)
    db = Database(db_url or paths.sqlite_url(folder), backup_dir=paths.backups_dir(folder))
    try:
        db.restore_from(exc.backups[-1])
    finally:
        db.dispose()
    return open_runtime(data_dir, db_url=db_url, force_demo=force_demo)
