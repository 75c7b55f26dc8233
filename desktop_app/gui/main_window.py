"""The main window: the outbox table, "Nueva factura", and a status bar that says
whether Lote is online, how much waits, and when it last spoke to the provider.

Offline is a normal state (DESIGN.md, Connectivity): it is shown in the status bar,
never in a dialog. Everything the sync workers report arrives here as plain data on
the GUI thread and becomes `refresh_ids` on the model plus a status bar update.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSizePolicy,
    QStyle,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.states import DocState
from desktop_app.gui import labels
from desktop_app.gui.documents_model import Column, DocumentsModel
from desktop_app.gui.invoice_dialog import InvoiceDialog
from desktop_app.gui.workers import TICK_MS, SyncWorkers
from desktop_app.store.profiles import default_profile, list_profiles
from desktop_app.store.queries import last_sync_at, processing_count, state_counts

log = logging.getLogger(__name__)

#: (label, states) of the state filter; None = every state.
_FILTERS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    (QT_TRANSLATE_NOOP("MainWindow", "Todos los estados"), None),
    (
        QT_TRANSLATE_NOOP("MainWindow", "Pendientes"),
        tuple(
            s.value
            for s in (DocState.QUEUED, DocState.SENDING, DocState.SUBMITTED, DocState.UNKNOWN)
        ),
    ),
    (
        QT_TRANSLATE_NOOP("MainWindow", "Aprobados"),
        (DocState.APPROVED.value, DocState.APPROVED_WITH_OBSERVATIONS.value),
    ),
    (QT_TRANSLATE_NOOP("MainWindow", "Rechazados"), (DocState.REJECTED.value,)),
    (
        QT_TRANSLATE_NOOP("MainWindow", "Anulados e inutilizados"),
        (DocState.CANCEL_REQUESTED.value, DocState.CANCELLED.value, DocState.VOIDED.value),
    ),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class MainWindow(QMainWindow):
    def __init__(
        self,
        runtime,
        parent: QWidget | None = None,
        *,
        start_workers: bool = True,
        network_hint: bool = True,
        tick_ms: int = TICK_MS,
    ) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.db = runtime.db
        self.invoice_dialog: InvoiceDialog | None = None
        self._closed = False
        self._network_hint: tuple | None = None
        #: Set when another instance is this data folder's sender (its PID, or 0).
        self._other_sender: int | None = None
        #: Last known connectivity per profile: None until a request says.
        self._online: dict[int, bool | None] = {
            p.id: p.online for p in list_profiles(self.db) if p.id is not None
        }

        title = self.tr("Lote")
        if runtime.demo:
            title = self.tr("Lote — modo demostración")
        self.setWindowTitle(title)
        self.setObjectName("MainWindow")

        self.model = DocumentsModel(self.db, self)
        self._build_actions()
        self._build_toolbar()
        self._build_table()
        self._build_status_bar()

        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(150)
        self._status_timer.timeout.connect(self.update_status)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self._apply_filter)

        self.workers = SyncWorkers.for_runtime(runtime, self, tick_ms=tick_ms)
        self.workers.changed.connect(self._documents_changed)
        self.workers.connectivity.connect(self._connectivity_changed)
        self.workers.failed.connect(self._sync_failed)
        if start_workers:
            self.workers.start()
        if network_hint:
            self._watch_network()

        self.update_status()
        self.resize(1180, 640)

    # -- building ------------------------------------------------------------------
    def _build_actions(self) -> None:
        style = self.style()
        self.new_invoice_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_FileIcon), self.tr("Nueva factura"), self
        )
        self.new_invoice_action.setObjectName("new_invoice_action")
        self.new_invoice_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_invoice_action.setToolTip(self.tr("Nueva factura (Ctrl+N)"))
        self.new_invoice_action.triggered.connect(self.new_invoice)

        self.retry_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload),
            self.tr("Reintentar ahora"),
            self,
        )
        self.retry_action.setShortcut(QKeySequence("Ctrl+R"))
        self.retry_action.setToolTip(
            self.tr("Enviar y consultar ya, sin esperar la próxima pausa tras un fallo (Ctrl+R)")
        )
        self.retry_action.triggered.connect(self.retry_now)

        self.reload_action = QAction(self.tr("Actualizar la lista"), self)
        self.reload_action.setShortcut(QKeySequence("F5"))
        self.reload_action.triggered.connect(self.model.reload)

        self.quit_action = QAction(self.tr("Salir"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)

        file_menu = self.menuBar().addMenu(self.tr("&Archivo"))
        file_menu.addAction(self.new_invoice_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        sync_menu = self.menuBar().addMenu(self.tr("&Sincronización"))
        sync_menu.addAction(self.retry_action)
        sync_menu.addAction(self.reload_action)

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Principal"))
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addAction(self.new_invoice_action)
        bar.addAction(self.retry_action)
        bar.addSeparator()

        self.state_filter = QComboBox()
        self.state_filter.setObjectName("state_filter")
        for text, states in _FILTERS:
            self.state_filter.addItem(_tr(text), states)
        self.state_filter.currentIndexChanged.connect(self._apply_filter)
        bar.addWidget(self.state_filter)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("search_edit")
        self.search_edit.setPlaceholderText(self.tr("Buscar cliente, RUC/CI o CDC"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(260)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        bar.addWidget(self.search_edit)

        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        if self.runtime.demo:
            demo = QLabel(
                self.tr("Modo demostración: las facturas van a un simulador local, no a la SET.")
            )
            demo.setObjectName("demo_label")
            demo.setStyleSheet(
                "color: #8a5a00; background: #fdf1d9; border-radius: 3px; padding: 3px 8px;"
            )
            bar.addWidget(demo)
        self.addToolBar(bar)

    def _build_table(self) -> None:
        central = QWidget()
        v = QVBoxLayout(central)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(0)
        self.empty_label = QLabel(
            self.tr(
                "Todavía no hay documentos. Pulse «Nueva factura» (Ctrl+N) para emitir el primero; "
                "se guarda al instante y se envía cuando haya conexión."
            )
        )
        self.empty_label.setObjectName("empty_label")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: #5f6368; padding: 24px;")
        v.addWidget(self.empty_label)

        table = QTableView()
        table.setObjectName("documents_table")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = table.verticalHeader()
        vertical.hide()
        # Fixed row height: ResizeToContents on 200k rows took 71 s (STYLE.md).
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(table.fontMetrics().height() + 12)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.MENSAJE, QHeaderView.ResizeMode.Stretch)
        fm = table.fontMetrics()
        pad = 28
        widths = {
            Column.NUMERO: fm.horizontalAdvance("001-001-0000000") + pad,
            Column.FECHA: fm.horizontalAdvance("00/00/0000 00:00") + pad,
            Column.CLIENTE: fm.horizontalAdvance("M" * 14) + pad,
            Column.RUC: fm.horizontalAdvance("80000000-0") + pad,
            Column.TOTAL: fm.horizontalAdvance("000.000.000") + pad,
            Column.ESTADO: fm.horizontalAdvance(labels.state_label(DocState.CANCEL_REQUESTED))
            + pad
            + 24,
            Column.LOTE: fm.horizontalAdvance("Lote 00") + pad,
        }
        for column, width in widths.items():
            table.setColumnWidth(column, width)
        self.table = table
        v.addWidget(table, 1)
        self.setCentralWidget(central)
        self.model.modelReset.connect(self._update_empty)
        self.model.rowsInserted.connect(self._update_empty)
        self._update_empty()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        connectivity = QWidget()
        h = QHBoxLayout(connectivity)
        h.setContentsMargins(6, 0, 6, 0)
        h.setSpacing(5)
        self.connectivity_icon = QLabel()
        self.connectivity_label = QLabel()
        self.connectivity_label.setObjectName("connectivity_label")
        h.addWidget(self.connectivity_icon)
        h.addWidget(self.connectivity_label)
        self.counts_label = QLabel()
        self.counts_label.setObjectName("counts_label")
        self.last_sync_label = QLabel()
        self.last_sync_label.setObjectName("last_sync_label")
        for label in (self.counts_label, self.last_sync_label):
            label.setContentsMargins(6, 0, 6, 0)
        bar.addPermanentWidget(connectivity)
        bar.addPermanentWidget(_separator())
        bar.addPermanentWidget(self.counts_label)
        bar.addPermanentWidget(_separator())
        bar.addPermanentWidget(self.last_sync_label)

    # -- actions -------------------------------------------------------------------
    def new_invoice(self) -> InvoiceDialog | None:
        """Open "Nueva factura" (window-modal, non-blocking: the table keeps updating)."""
        if self.invoice_dialog is not None and self.invoice_dialog.isVisible():
            self.invoice_dialog.raise_()
            self.invoice_dialog.activateWindow()
            return self.invoice_dialog
        profile = default_profile(self.db)
        if profile is None:
            self.statusBar().showMessage(
                self.tr("No hay un perfil de proveedor configurado: no se puede facturar."), 15000
            )
            return None
        if self.invoice_dialog is not None:
            self.invoice_dialog.deleteLater()
        dialog = InvoiceDialog(self.db, profile, self)
        dialog.accepted.connect(lambda d=dialog: self._invoice_saved(d))
        self.invoice_dialog = dialog
        dialog.open()
        dialog.activateWindow()
        return dialog

    def _invoice_saved(self, dialog: InvoiceDialog) -> None:
        doc_id = dialog.saved_id
        if doc_id is None:
            return
        self.model.refresh_ids({doc_id})
        row = self.model.row_of(doc_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self.statusBar().showMessage(self.tr("Factura guardada; se enviará enseguida."), 5000)
        self.update_status()
        self.workers.document_saved()

    def retry_now(self) -> None:
        self.workers.wake()
        self.statusBar().showMessage(self.tr("Reintentando…"), 3000)

    def _apply_filter(self) -> None:
        self.model.set_filter(self.state_filter.currentData(), self.search_edit.text())

    def _update_empty(self) -> None:
        self.empty_label.setVisible(
            self.model.rowCount() == 0
            and not self.search_edit.text()
            and self.state_filter.currentIndex() == 0
        )

    # -- worker reports (GUI thread) -----------------------------------------------
    def _documents_changed(self, ids: object) -> None:
        if self._closed:
            return
        self.model.refresh_ids(ids)  # type: ignore[arg-type]
        self._status_timer.start()

    def _connectivity_changed(self, online: object) -> None:
        if self._closed:
            return
        self._online.update(online)  # type: ignore[arg-type]
        self._show_connectivity()
        self._status_timer.start()

    def _sync_failed(self, message: object) -> None:
        if not self._closed:
            self.statusBar().showMessage(str(message), 15000)

    # -- status bar ----------------------------------------------------------------
    def show_not_sender(self, pid: int | None) -> None:
        """Another Lote instance sends from this data folder: this window saves invoices
        (that instance sends them) but does not send, and says so."""
        self._other_sender = pid or 0
        self.retry_action.setEnabled(False)
        self._show_connectivity()

    def _show_connectivity(self) -> None:
        if self._other_sender is not None:
            self.connectivity_label.setText(self.tr("No envía: otra ventana de Lote envía"))
            self.connectivity_label.setToolTip(self.tr(
                "Otra instancia de Lote (PID {pid}) ya envía los documentos de esta carpeta de "
                "datos. Esta ventana guarda facturas; aquella las envía."
            ).format(pid=self._other_sender or "?"))
            self.connectivity_icon.setPixmap(labels.dot_icon("#9aa0a6").pixmap(12, 12))
            return
        known = [v for v in self._online.values() if v is not None]
        if not known:
            text, color = self.tr("Conectando…"), "#9aa0a6"
        elif all(known):
            text, color = self.tr("En línea"), "#1e8e3e"
        else:
            text, color = self.tr("Sin conexión"), "#d93025"
        self.connectivity_label.setText(text)
        self.connectivity_icon.setPixmap(labels.dot_icon(color).pixmap(12, 12))
        tooltip = ""
        if known and not all(known):
            tooltip = self.tr(
                "Las facturas se guardan igual y se enviarán solas al volver la conexión."
            )
        self.connectivity_label.setToolTip(tooltip)

    def update_status(self) -> None:
        """Counts and last sync time: three small aggregate queries."""
        if self._closed:
            return
        self._show_connectivity()
        try:
            counts = state_counts(self.db)
            processing = processing_count(self.db)
            last = last_sync_at(self.db)
        except Exception:
            log.exception("reading the status bar counts failed")
            return
        sending = counts.get(DocState.SENDING.value, 0) + max(
            0, counts.get(DocState.SUBMITTED.value, 0) - processing
        )
        text = self.tr(
            "Encolados: {queued} · Enviando: {sending} · Procesando: {processing}"
        ).format(
            queued=counts.get(DocState.QUEUED.value, 0), sending=sending, processing=processing
        )
        unknown = counts.get(DocState.UNKNOWN.value, 0)
        if unknown:
            text += self.tr(" · Verificando: {n}").format(n=unknown)
        self.counts_label.setText(text)
        if last is None:
            when = "—"
        else:
            local = last.astimezone()
            fmt = "%H:%M:%S" if local.date() == datetime.now().date() else "%d/%m/%Y %H:%M:%S"
            when = local.strftime(fmt)
        self.last_sync_label.setText(self.tr("Última sincronización: {when}").format(when=when))

    # -- network hint --------------------------------------------------------------
    def _watch_network(self) -> None:
        """QNetworkInformation says "Online" whenever a default route exists (STYLE.md),
        so it is only a hint to stop waiting out a back-off, never the truth."""
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if not QNetworkInformation.loadDefaultBackend():
                return
            info = QNetworkInformation.instance()
            if info is None:
                return
            online = QNetworkInformation.Reachability.Online

            def changed(reachability: QNetworkInformation.Reachability) -> None:
                if reachability == online and not self._closed:
                    self.workers.wake()

            info.reachabilityChanged.connect(changed)
            self._network_hint = (info, changed)
        except Exception:  # optional: a missing plugin or D-Bus is not an error
            log.debug("no network information backend", exc_info=True)

    # -- closing -------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the workers (a step in flight finishes first). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._status_timer.stop()
        if self._network_hint is not None:
            info, slot = self._network_hint
            info.reachabilityChanged.disconnect(slot)
            self._network_hint = None
        self.workers.stop()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.invoice_dialog is not None:
            self.invoice_dialog.reject()
        self.shutdown()
        super().closeEvent(event)
