"""When to tell the cashier that documents were rejected, and the tray icon that says it.

`RejectionNotifier` decides (no tray needed, so tests drive it directly): the sync
workers report which documents changed; those that are now rejected and were not
rejected at the last look make one notification per report, "3 documentos
rechazados" (a single one names its number, customer and the provider's message). A
document corrected and rejected again is announced again.

`TrayIcon` exists only where `QSystemTrayIcon.isSystemTrayAvailable()`; it shows the
notification as a balloon, the counts as its tooltip, and a small menu.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from desktop_app.gui import labels
from desktop_app.store.db import Database
from desktop_app.store.queries import DocumentRow, rows_by_ids


class RejectionNotifier(QObject):
    notify = Signal(str, str)  # title, message

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._announced: set[int] = set()
        self.enabled = True
        #: The last notification (title, message), for the status bar and tests.
        self.last: tuple[str, str] | None = None

    def states_read(
        self,
        ids: Iterable[int],
        rejected: Iterable[int],
        rows: Mapping[int, DocumentRow] | None = None,
    ) -> int:
        """Look at changed documents, from states already read off the GUI thread
        (`live.read_news`: `rejected` are the rejected among `ids`, `rows` hold theirs),
        so a sync report costs no query here; notify the newly rejected. Returns how
        many were announced."""
        ids, rejected = set(ids), set(rejected)
        self._announced -= ids - rejected  # corrected and queued again: may be announced again
        fresh = rejected - self._announced
        if not fresh:
            return 0
        self._announced |= fresh
        if not self.enabled:
            return 0
        if len(fresh) == 1:
            (doc_id,) = fresh
            row = (rows if rows is not None else rows_by_ids(self._db, [doc_id])).get(doc_id)
            title = self.tr("Documento rechazado")
            if row is not None:
                reason = " · ".join(p for p in (row.code, row.message) if p)
                message = self.tr("{numero} ({cliente}): {motivo}").format(
                    numero=row.numero, cliente=row.customer_name, motivo=reason or "—"
                )
            else:
                message = self.tr("1 documento rechazado")
        else:
            title = self.tr("Documentos rechazados")
            message = self.tr(
                "{n} documentos rechazados. Ábralos en Lote para corregirlos y reenviarlos."
            ).format(n=len(fresh))
        self.last = (title, message)
        self.notify.emit(title, message)
        return len(fresh)


class TrayIcon(QSystemTrayIcon):
    """The tray icon: Mostrar Lote, Nueva factura, Salir; a click shows the window."""

    def __init__(self, window: QWidget, actions: list[QAction]) -> None:
        super().__init__(labels.app_icon(), window)
        self.setToolTip("Lote")
        menu = QMenu(window)
        show = QAction(self.tr("Mostrar Lote"), menu)
        show.triggered.connect(
            lambda: (window.showNormal(), window.raise_(), window.activateWindow())
        )
        menu.addAction(show)
        for action in actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        self.setContextMenu(menu)
        self._menu = menu
        self.activated.connect(
            lambda reason: (
                (window.showNormal(), window.raise_(), window.activateWindow())
                if reason == QSystemTrayIcon.ActivationReason.Trigger
                else None
            )
        )

    def show_rejection(self, title: str, message: str) -> None:
        self.showMessage(title, message, QSystemTrayIcon.MessageIcon.Warning, 10000)
