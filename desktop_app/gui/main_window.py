"""The main window: the screens of a cashier's and a bookkeeper's day, and a status bar
that says whether Lote is online, how much waits, and when it last spoke to the provider.

Screens (Ver menu, Ctrl+1 … Ctrl+5): Documentos (the outbox), Panel (today's and this
month's totals), Lotes, Clientes, Productos; dialogs for a new invoice (Ctrl+N), a
document's detail (Enter), and the settings (Ctrl+,). Every action has a visible
shortcut in its menu and tooltip; F1 lists them all.

Offline is a normal state (DESIGN.md, Connectivity): it is shown in the status bar,
never in a dialog. Everything the sync workers report arrives here as plain data on
the GUI thread; the fresh rows and counts are read off it (gui/live.py) and become
`dataChanged` on the model, a status bar update, and — when documents were rejected —
one tray notification.

Only the documents screen is built with the window; the other screens are imported
and built the first time they are shown (`page`).
"""

from __future__ import annotations

import gc
import importlib
import logging
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QSystemTrayIcon,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.states import DocState
from desktop_app.gui import labels
from desktop_app.gui.documents_model import DocumentsModel
from desktop_app.gui.documents_page import DocumentsPage
from desktop_app.gui.live import LiveNews, LiveUpdates, ViewAsk
from desktop_app.gui.notifier import RejectionNotifier, TrayIcon
from desktop_app.gui.screen import fit_to_screen
from desktop_app.gui.settings import KEY_START_PAGE, app_settings, notify_rejected
from desktop_app.gui.tasks import TaskRunner
from desktop_app.gui.workers import TICK_MS, SyncWorkers
from desktop_app.store.models import Document
from desktop_app.store.profiles import default_profile, get_profile, list_profiles
from desktop_app.store.queries import StatusSummary, status_summary

# The other screens and the dialogs are imported when first opened (cold start:
# BENCHMARKS.md, "build pages lazily"); their names are for type hints only.
if TYPE_CHECKING:
    from desktop_app.gui.books_pages import CustomersPage, ProductsPage
    from desktop_app.gui.dashboard_page import DashboardPage
    from desktop_app.gui.detail_dialog import DocumentDetailDialog
    from desktop_app.gui.invoice_dialog import InvoiceDialog
    from desktop_app.gui.lotes_page import LotesPage
    from desktop_app.gui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

COUNTRY_NAMES = {"PY": "Paraguay", "BO": "Bolivia", "AR": "Argentina"}


#: The moments of this process at which the heap was frozen (`freeze_long_lived_heap`).
_frozen_at: set[str] = set()


def freeze_long_lived_heap(moment: str) -> None:
    """Move every object alive now into the collector's permanent generation
    (`gc.freeze`), once per process for each `moment`: when the window is built, and
    after the first request (the HTTP client and the provider's modules are imported
    then, by the sender thread).

    Modules, SQLAlchemy's mappers and caches and Qt's wrappers — about 120,000 objects
    at start-up, 15,000 more after the first request — live as long as the process,
    yet every full (generation 2) collection walks them all at about 1 µs each: 65 ms
    measured, on whichever thread happens to allocate, holding the GIL the whole time.
    While a drain runs that thread is a sync worker and the GUI thread simply stops
    (BENCHMARKS.md, GUI heartbeat: a 71 ms gap was such a collection in the sender
    thread). Frozen, they are never walked again; later collections only look at what
    was allocated since. The cost: a reference cycle among them is never freed, which
    objects kept for the whole run anyway do not mind.
    """
    if moment not in _frozen_at:
        _frozen_at.add(moment)
        gc.freeze()


def _printing_module():
    """desktop_app.documents.printing when installed (detail_dialog.printing_module)."""
    from desktop_app.gui.detail_dialog import printing_module

    return printing_module()


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class _Relay(QObject):
    """Lives on the GUI thread; background threads emit, Qt queues the calls."""

    ids = Signal(object)  # list[int] changed by another terminal (or the gateway)
    connection = Signal(object)  # bool: the shared database listener is up / down
    intake = Signal(object)  # list[int] taken in by the POS gateway
    message = Signal(str)  # a gateway problem for the status bar


class Page:
    DOCUMENTS, DASHBOARD, LOTES, CUSTOMERS, PRODUCTS = range(5)


class MainWindow(QMainWindow):
    def __init__(
        self,
        runtime,
        parent: QWidget | None = None,
        *,
        start_workers: bool = True,
        network_hint: bool = True,
        tick_ms: int = TICK_MS,
        tray: bool = True,
        synchronous_tasks: bool = False,
    ) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.db = runtime.db
        self.invoice_dialog: InvoiceDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.detail_dialogs: dict[int, DocumentDetailDialog] = {}
        #: The screens built so far (the documents screen always; the others on first
        #: show, see `page`).
        self._pages: dict[int, QWidget] = {}
        self._closed = False
        self._network_hint: tuple | None = None
        #: Set when another instance is this data folder's sender (its PID, or 0).
        self._other_sender: int | None = None
        #: Last known connectivity per profile: None until a request says.
        self._online: dict[int, bool | None] = {
            p.id: p.online for p in list_profiles(self.db) if p.id is not None
        }
        self._sending = 0
        self._attention_count = 0
        self._connectivity_color: str | None = None

        title = self.tr("Lote")
        if runtime.demo:
            title = self.tr("Lote — modo demostración")
        self.setWindowTitle(title)
        self.setWindowIcon(labels.app_icon())
        self.setObjectName("MainWindow")
        # A little air between a right-aligned number and the next column's text.
        self.setStyleSheet("QTableView::item { padding-left: 5px; padding-right: 5px; }")

        self.tasks_sync = synchronous_tasks
        self.model = DocumentsModel(self.db, self)
        self.notifier = RejectionNotifier(self.db, self)
        self.notifier.enabled = notify_rejected()
        self.notifier.notify.connect(self._notify_rejected)
        self._build_actions()
        self._build_pages()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()

        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(150)
        self._status_timer.timeout.connect(self._update_status_in_background)
        self._status_tasks = self._tasks()

        #: Worker reports arrive every few milliseconds while a drain runs; they are
        #: merged for ~100 ms and read off the GUI thread, which only applies the
        #: answer (gui/live.py: the heartbeat target).
        self.live = LiveUpdates(
            self.db, self._live_asks, self._apply_news, self, synchronous=synchronous_tasks
        )

        self.workers = SyncWorkers.for_runtime(runtime, self, tick_ms=tick_ms)
        self.workers.changed.connect(self._worker_changed)
        self.workers.connectivity.connect(self._connectivity_changed)
        self.workers.failed.connect(self._sync_failed)
        self.workers.sending.connect(self._sending_changed)
        if start_workers:
            # Started from the event loop, once the window has had its first paint: the
            # sender's first step imports the HTTP client and the provider (~50 ms of
            # interpreter time) and would otherwise compete with building the window.
            QTimer.singleShot(0, self._start_workers)

        # Other terminals' changes (PostgreSQL only) and the POS gateway's intake.
        self._relay = _Relay(self)
        self._relay.ids.connect(self._worker_changed)
        self._relay.connection.connect(self._database_connection)
        self._relay.intake.connect(self._gateway_intake)
        self._relay.message.connect(self._gateway_message)
        self._listener = None
        listen = getattr(runtime, "listen_documents", None)
        if listen is not None:
            self._listener = listen(self._relay.ids.emit,
                                    on_connection=self._relay.connection.emit)
        self._gateway = None
        self._gateway_stop = threading.Event()
        self._gateway_thread: threading.Thread | None = None
        self._gateway_timer: QTimer | None = None
        if start_workers:
            try:
                self._start_gateway()
            except Exception as exc:
                log.exception("starting the POS gateway failed")
                self._gateway_message(str(exc))
        #: The network hint is only useful while a provider is unreachable: its backend
        #: is loaded (15–30 ms on the GUI thread) the first time a request fails.
        self._want_network_hint = network_hint

        self.tray: TrayIcon | None = None
        if tray and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = TrayIcon(self, [self.new_invoice_action, None, self.quit_action])
            self.tray.show()

        # The counts are read beside the first paint, not before it (cold start).
        self._update_status_in_background()
        self._restore_settings()
        self._update_document_actions()
        freeze_long_lived_heap("window")

    # -- building ------------------------------------------------------------------
    def _action(
        self,
        name: str,
        text: str,
        shortcut: str | QKeySequence | None,
        slot,
        tip: str | None = None,
        icon=None,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        base = tip or text.replace("&", "").rstrip("…")
        action.setToolTip(f"{base} ({keys})" if keys else base)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.new_invoice_action = self._action(
            "new_invoice_action",
            self.tr("Nueva factura"),
            "Ctrl+N",
            self.new_invoice,
            icon=sp.SP_FileIcon,
        )
        self.retry_action = self._action(
            "retry_action",
            self.tr("Reintentar ahora"),
            "Ctrl+R",
            self.retry_now,
            self.tr("Enviar y consultar ya, sin esperar la próxima pausa tras un fallo"),
            icon=sp.SP_BrowserReload,
        )
        self.reload_action = self._action(
            "reload_action",
            self.tr("Actualizar"),
            "F5",
            self.reload_current_page,
            self.tr("Volver a leer la pantalla actual"),
        )
        self.quit_action = self._action("quit_action", self.tr("Salir"), "Ctrl+Q", self.close)
        self.settings_action = self._action(
            "settings_action",
            self.tr("Configuración…"),
            "Ctrl+,",
            self.open_settings,
            icon=sp.SP_FileDialogDetailedView,
        )
        self.import_customers_action = self._action(
            "import_customers_action",
            self.tr("Importar clientes (CSV)…"),
            None,
            lambda: self._import_books(Page.CUSTOMERS),
        )
        self.import_products_action = self._action(
            "import_products_action",
            self.tr("Importar productos (CSV)…"),
            None,
            lambda: self._import_books(Page.PRODUCTS),
        )
        self.import_documents_action = self._action(
            "import_documents_action",
            self.tr("Importar documentos (CSV/XLSX)…"),
            "Ctrl+Shift+I",
            self.import_documents,
            self.tr("Encolar ventas de un archivo, con una vista previa de cada error"),
        )
        self.export_action = self._action(
            "export_action",
            self.tr("Exportar la lista (CSV/XLSX)…"),
            "Ctrl+Shift+E",
            self.export_documents,
            self.tr("Guardar los documentos de la lista en un archivo"),
        )
        self.sales_book_action = self._action(
            "sales_book_action",
            self.tr("Libro de ventas del mes…"),
            None,
            self.export_sales_book,
            self.tr("El libro de ventas de un mes, para el contador"),
        )
        self.find_action = self._action(
            "find_action",
            self.tr("Buscar"),
            "Ctrl+F",
            self.focus_search,
            self.tr("Buscar en la pantalla actual"),
        )

        self.open_document_action = self._action(
            "open_document_action",
            self.tr("Ver detalle"),
            None,
            self.open_current_document,
            self.tr("Abrir el documento seleccionado (Intro o doble clic)"),
        )
        self.open_document_action.setShortcut(QKeySequence(Qt.Key.Key_Return))
        self.open_document_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.correct_action = self._action(
            "correct_action",
            self.tr("Corregir y reenviar…"),
            "Ctrl+E",
            self.correct_current_document,
            self.tr("Corregir un documento rechazado y reenviarlo con el mismo número"),
        )
        self.cancel_action = self._action(
            "cancel_action",
            self.tr("Anular…"),
            "Ctrl+Shift+A",
            self.cancel_current_document,
            self.tr("Pedir la anulación de un documento aprobado"),
        )
        self.consult_action = self._action(
            "consult_action",
            self.tr("Consultar de nuevo"),
            "Ctrl+Shift+R",
            self.consult_again,
            self.tr("Volver a preguntar al proveedor por los documentos que requieren atención"),
        )
        self.print_action = self._action(
            "print_action",
            self.tr("Imprimir…"),
            "Ctrl+P",
            self.print_current_document,
            self.tr("Imprimir el KuDE del documento seleccionado"),
        )
        self.copy_cdc_action = self._action(
            "copy_cdc_action",
            self.tr("Copiar CDC"),
            "Ctrl+Shift+C",
            self.copy_current_cdc,
            self.tr("Copiar el CDC (o CUF/CAE) del documento seleccionado"),
        )

        self.page_actions: list[QAction] = []
        for page, text in (
            (Page.DOCUMENTS, self.tr("Documentos")),
            (Page.DASHBOARD, self.tr("Panel")),
            (Page.LOTES, self.tr("Lotes")),
            (Page.CUSTOMERS, self.tr("Clientes")),
            (Page.PRODUCTS, self.tr("Productos")),
        ):
            action = self._action(
                f"page_action_{page}",
                text,
                f"Ctrl+{page + 1}",
                lambda _c=False, p=page: self.show_page(p),
            )
            action.setCheckable(True)
            self.page_actions.append(action)

        self.shortcuts_action = self._action(
            "shortcuts_action", self.tr("Atajos de teclado"), "F1", self.show_shortcuts
        )
        self.about_action = self._action(
            "about_action", self.tr("Acerca de Lote"), None, self.show_about
        )
        self.diagnostics_action = self._action(
            "diagnostics_action", self.tr("Copiar diagnóstico"), None, self.copy_diagnostics
        )

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&Archivo"))
        file_menu.addAction(self.new_invoice_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_documents_action)
        file_menu.addAction(self.import_customers_action)
        file_menu.addAction(self.import_products_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.sales_book_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        doc_menu = bar.addMenu(self.tr("D&ocumento"))
        for action in (
            self.open_document_action,
            self.correct_action,
            self.cancel_action,
            self.consult_action,
            None,
            self.print_action,
            self.copy_cdc_action,
        ):
            if action is None:
                doc_menu.addSeparator()
            else:
                doc_menu.addAction(action)

        view_menu = bar.addMenu(self.tr("&Ver"))
        for action in self.page_actions:
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.find_action)
        view_menu.addAction(self.reload_action)

        sync_menu = bar.addMenu(self.tr("&Sincronización"))
        sync_menu.addAction(self.retry_action)

        help_menu = bar.addMenu(self.tr("Ay&uda"))
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.diagnostics_action)
        help_menu.addAction(self.about_action)
        self.menus = [file_menu, doc_menu, view_menu, sync_menu, help_menu]

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Principal"))
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addAction(self.new_invoice_action)
        bar.addAction(self.retry_action)
        bar.addSeparator()
        bar.addAction(self.settings_action)

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

    def _build_pages(self) -> None:
        central = QWidget()
        h = QHBoxLayout(central)
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(0)

        nav = QListWidget()
        nav.setObjectName("navigation")
        nav.setAccessibleName(self.tr("Pantallas"))
        nav.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        nav.setFrameShape(QFrame.Shape.NoFrame)
        nav.setStyleSheet(
            "QListWidget#navigation { background: #f1f3f6; border-right: 1px solid #d8dce2; "
            "padding-top: 6px; } QListWidget#navigation::item { padding: 8px 10px; } "
            "QListWidget#navigation::item:selected { background: #dbe6f7; color: #1c4f9c; }"
        )
        icons = ("documents", "dashboard", "lotes", "customers", "products")
        width = 0
        for action, icon in zip(self.page_actions, icons, strict=True):
            item = QListWidgetItem(labels.nav_icon(icon), action.text())
            item.setToolTip(action.toolTip())
            nav.addItem(item)
            width = max(width, nav.fontMetrics().horizontalAdvance(action.text()))
        nav.setFixedWidth(width + 70)
        nav.setIconSize(QSize(20, 20))
        nav.currentRowChanged.connect(self._page_changed)
        self.nav = nav
        h.addWidget(nav)

        self.stack = QStackedWidget()
        self.documents_page = DocumentsPage(self.db, self.model, self)
        self.documents_page.open_requested.connect(self.open_document)
        self.documents_page.selection_changed.connect(self._update_document_actions)
        self.documents_page.table.addAction(self.open_document_action)
        self._pages[Page.DOCUMENTS] = self.documents_page
        self.stack.addWidget(self.documents_page)
        for _page in (Page.DASHBOARD, Page.LOTES, Page.CUSTOMERS, Page.PRODUCTS):
            self.stack.addWidget(QWidget())  # stands in until the screen is first shown
        h.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # The documents screen's widgets, as the rest of the window and tests know them.
        self.table = self.documents_page.table
        self.state_filter = self.documents_page.state_filter
        self.search_edit = self.documents_page.search_edit
        self.empty_label = self.documents_page.empty_label
        nav.setCurrentRow(Page.DOCUMENTS)

    def _tasks(self) -> TaskRunner:
        return TaskRunner(self, synchronous=self.tasks_sync)

    # -- screens built on first show ---------------------------------------------------
    def page(self, page: int) -> QWidget:
        """The screen `page`, built (and its module imported) the first time it is
        asked for: `MainWindow()` builds only the documents screen, so the window is
        painted sooner (BENCHMARKS.md, cold start) and a screen never shown costs
        nothing. Its stand-in in the stack is replaced in place."""
        widget = self._pages.get(page)
        if widget is not None:
            return widget
        if page == Page.DASHBOARD:
            from desktop_app.gui.dashboard_page import DashboardPage

            widget = DashboardPage(self.db, self, tasks=self._tasks())
        elif page == Page.LOTES:
            from desktop_app.gui.lotes_page import LotesPage

            lotes = LotesPage(self.db, self, tasks=self._tasks())
            lotes.open_requested.connect(self.open_document)
            lotes.restore_state(app_settings())
            widget = lotes
        elif page == Page.CUSTOMERS:
            from desktop_app.gui.books_pages import CustomersPage

            widget = CustomersPage(self.db, self)
        elif page == Page.PRODUCTS:
            from desktop_app.gui.books_pages import ProductsPage

            widget = ProductsPage(self.db, self)
        else:
            raise ValueError(f"no screen {page}")
        stand_in = self.stack.widget(page)
        current = self.stack.currentIndex()
        self.stack.removeWidget(stand_in)
        self.stack.insertWidget(page, widget)
        self.stack.setCurrentIndex(current)
        stand_in.deleteLater()
        self._pages[page] = widget
        return widget

    def built_page(self, page: int) -> QWidget | None:
        """The screen `page` if it was built already, else None (nothing to update)."""
        return self._pages.get(page)

    @property
    def dashboard_page(self) -> DashboardPage:
        return self.page(Page.DASHBOARD)  # type: ignore[return-value]

    @property
    def lotes_page(self) -> LotesPage:
        return self.page(Page.LOTES)  # type: ignore[return-value]

    @property
    def customers_page(self) -> CustomersPage:
        return self.page(Page.CUSTOMERS)  # type: ignore[return-value]

    @property
    def products_page(self) -> ProductsPage:
        return self.page(Page.PRODUCTS)  # type: ignore[return-value]

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
        self.attention_label = QLabel()
        self.attention_label.setObjectName("attention_label")
        self.attention_label.setStyleSheet("color: #8a5a00;")
        self.progress = QProgressBar()
        self.progress.setObjectName("send_progress")
        self.progress.setRange(0, 0)  # busy indicator: the request is on the wire
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(self.fontMetrics().horizontalAdvance("M" * 8))
        self.progress.setMaximumHeight(self.fontMetrics().height())
        self.progress_label = QLabel()
        self.progress_label.setObjectName("progress_label")
        self.last_sync_label = QLabel()
        self.last_sync_label.setObjectName("last_sync_label")
        for label in (
            self.counts_label,
            self.last_sync_label,
            self.attention_label,
            self.progress_label,
        ):
            label.setContentsMargins(6, 0, 6, 0)
        bar.addPermanentWidget(self.progress_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(connectivity)
        bar.addPermanentWidget(_separator())
        bar.addPermanentWidget(self.counts_label)
        bar.addPermanentWidget(self.attention_label)
        bar.addPermanentWidget(_separator())
        bar.addPermanentWidget(self.last_sync_label)
        self._show_progress()

    # -- pages ---------------------------------------------------------------------
    def show_page(self, page: int) -> None:
        self.nav.setCurrentRow(page)

    def current_page(self) -> int:
        return self.stack.currentIndex()

    def _page_changed(self, page: int) -> None:
        if page < 0:
            return
        self.page(page)
        self.stack.setCurrentIndex(page)
        for n, action in enumerate(self.page_actions):
            action.setChecked(n == page)
        widget = self.stack.currentWidget()
        if hasattr(widget, "activate"):
            widget.activate()
        self._update_document_actions()

    def reload_current_page(self) -> None:
        page = self.current_page()
        if page == Page.DOCUMENTS:
            self.documents_page.reload_profiles()
            self.model.reload()
        else:
            self.stack.currentWidget().refresh()
        self.update_status()

    def focus_search(self) -> None:
        page = self.stack.currentWidget()
        edit = getattr(page, "search_edit", None)
        if edit is None:
            self.show_page(Page.DOCUMENTS)
            edit = self.search_edit
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.selectAll()

    # -- documents -----------------------------------------------------------------
    def _selected_row(self):
        lotes = self.built_page(Page.LOTES)
        if self.current_page() == Page.LOTES and lotes is not None:
            doc_id = lotes.current_document_id()  # type: ignore[attr-defined]
        else:
            doc_id = self.documents_page.current_id()
        if doc_id is None:
            return None
        row = self.model.document(doc_id)
        if row is None and lotes is not None:
            row = lotes.documents_model.document(doc_id)  # type: ignore[attr-defined]
        return row

    def _update_document_actions(self) -> None:
        row = self._selected_row() if hasattr(self, "documents_page") else None
        state = row.state if row else None
        for action in (self.open_document_action, self.print_action):
            action.setEnabled(row is not None)
        self.correct_action.setEnabled(state == DocState.REJECTED.value and row.country == "PY")
        self.cancel_action.setEnabled(
            state in (DocState.APPROVED.value, DocState.APPROVED_WITH_OBSERVATIONS.value)
        )
        self.copy_cdc_action.setEnabled(bool(row and (row.cdc or row.cuf or row.cae)))
        # Whether printing is installed is asked (an import of the KuDE module) only
        # once a document is selected: not while the window opens.
        if row is not None and _printing_module() is None:
            self.print_action.setEnabled(False)
            self.print_action.setToolTip(
                QCoreApplication.translate("DetailDialog", "Impresión disponible próximamente")
            )
        self.consult_action.setEnabled(self._attention_count > 0)

    def _attention_ids(self) -> list[int]:
        from sqlmodel import col, select

        with self.db.session() as s:
            return list(
                s.exec(select(Document.id).where(col(Document.attention).is_(True)).limit(500))
            )

    def open_current_document(self) -> None:
        row = self._selected_row()
        if row is not None:
            self.open_document(row.id)

    def open_document(self, doc_id: object) -> DocumentDetailDialog:
        """The detail of a document (one dialog per document, raised if already open)."""
        doc_id = int(doc_id)  # type: ignore[call-overload]
        dialog = self.detail_dialogs.get(doc_id)
        if dialog is None:
            from desktop_app.gui.detail_dialog import DocumentDetailDialog

            dialog = DocumentDetailDialog(self.db, doc_id, self)
            dialog.correct_requested.connect(self.correct_document)
            dialog.retry_requested.connect(lambda i: self.consult_again([i]))
            dialog.changed.connect(lambda i: self._documents_changed({i}))
            dialog.finished.connect(lambda _r, i=doc_id: self._detail_closed(i))
            self.detail_dialogs[doc_id] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _detail_closed(self, doc_id: int) -> None:
        dialog = self.detail_dialogs.pop(doc_id, None)
        if dialog is not None:
            dialog.deleteLater()

    def correct_current_document(self) -> None:
        row = self._selected_row()
        if row is not None and row.state == DocState.REJECTED.value:
            self.correct_document(row.id)

    def correct_document(self, doc_id: object) -> InvoiceDialog | None:
        """The invoice editor on a copy of a rejected document (same number)."""
        doc_id = int(doc_id)  # type: ignore[call-overload]
        with self.db.session() as s:
            doc = s.get(Document, doc_id)
            profile = get_profile(self.db, doc.profile_id) if doc else None
        if doc is None or profile is None:
            return None
        if self.invoice_dialog is not None and self.invoice_dialog.isVisible():
            self.invoice_dialog.raise_()
            self.invoice_dialog.activateWindow()
            return self.invoice_dialog
        from desktop_app.gui.invoice_dialog import InvoiceDialog
        from desktop_app.store.corrections import CorrectionRefused

        try:
            dialog = InvoiceDialog(self.db, profile, self, correct_id=doc_id)
        except CorrectionRefused as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return None
        self._open_invoice_dialog(dialog)
        return dialog

    def cancel_current_document(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        dialog = self.open_document(row.id)
        dialog.ask_cancel()

    def print_current_document(self) -> None:
        row = self._selected_row()
        if row is not None:
            self.open_document(row.id).print_document()

    def copy_current_cdc(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        value = row.cdc or row.cuf or row.cae
        if value:
            QGuiApplication.clipboard().setText(value)
            self.statusBar().showMessage(self.tr("Copiado: {value}").format(value=value), 5000)

    def consult_again(self, ids: list[int] | None = None) -> None:
        """ "Consultar de nuevo": documents flagged for attention are polled once more."""
        ids = list(ids) if ids else self._attention_ids()
        if not ids:
            return
        self.workers.sender.engine.retry_attention(ids)
        self.workers.wake()
        self._documents_changed(set(ids))
        self.statusBar().showMessage(
            self.tr("Se consultará de nuevo al proveedor por {n} documento(s).").format(n=len(ids)),
            5000,
        )

    # -- invoices ------------------------------------------------------------------
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
        if profile.country != "PY":
            box = QMessageBox(
                QMessageBox.Icon.Information,
                self.tr("Nueva factura"),
                self.tr(
                    "El perfil predeterminado «{name}» es de {country}. Sus facturas se cargan "
                    "por importación: Archivo → Importar documentos (Ctrl+Shift+I), o "
                    "«lote import ARCHIVO» en la terminal. Este formulario emite facturas de "
                    "Paraguay; elija un perfil de Paraguay como predeterminado en "
                    "Configuración (Ctrl+,) para facturar aquí."
                ).format(
                    name=profile.name, country=COUNTRY_NAMES.get(profile.country, profile.country)
                ),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setObjectName("not_paraguay_box")
            box.open()
            self._not_paraguay_box = box
            return None
        from desktop_app.gui.invoice_dialog import InvoiceDialog

        dialog = InvoiceDialog(self.db, profile, self)
        self._open_invoice_dialog(dialog)
        return dialog

    def _open_invoice_dialog(self, dialog: InvoiceDialog) -> None:
        if self.invoice_dialog is not None:
            self.invoice_dialog.deleteLater()
        dialog.accepted.connect(lambda d=dialog: self._invoice_saved(d))
        self.invoice_dialog = dialog
        dialog.open()
        dialog.activateWindow()

    def _invoice_saved(self, dialog: InvoiceDialog) -> None:
        doc_id = dialog.saved_id
        if doc_id is None:
            return
        if self.current_page() != Page.DOCUMENTS and dialog.correct_id is None:
            self.show_page(Page.DOCUMENTS)
        self.model.refresh_ids({doc_id})
        self.documents_page.select_id(doc_id)
        if dialog.correct_id is not None:
            if dialog.saved_with_new_number:
                message = self.tr(
                    "El número estaba usado en el proveedor: la corrección se guardó como un "
                    "documento nuevo y se enviará enseguida."
                )
            else:
                message = self.tr(
                    "Documento corregido; se reenviará enseguida con el mismo número."
                )
            self._documents_changed({dialog.correct_id, doc_id})
        else:
            message = self.tr("Factura guardada; se enviará enseguida.")
        self.statusBar().showMessage(message, 8000)
        self.update_status()
        for page in (Page.CUSTOMERS, Page.PRODUCTS):
            books = self.built_page(page)
            if books is not None:
                books.mark_dirty()  # type: ignore[attr-defined]
        self.workers.document_saved()

    def retry_now(self) -> None:
        self.workers.wake()
        self.statusBar().showMessage(self.tr("Reintentando…"), 3000)

    # -- settings and books --------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            return self.settings_dialog
        from desktop_app.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.db, self, data_dir=getattr(self.runtime, "data_dir", None))
        dialog.profiles_changed.connect(self._profiles_changed)
        dialog.finished.connect(lambda _r: self._settings_closed())
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def _settings_closed(self) -> None:
        self.notifier.enabled = notify_rejected()
        dialog = self.settings_dialog
        if dialog is not None and dialog.language_changed:
            self.statusBar().showMessage(
                self.tr("El idioma se aplicará la próxima vez que abra Lote."), 15000
            )

    def _profiles_changed(self) -> None:
        self._online.update(
            {
                p.id: p.online
                for p in list_profiles(self.db)
                if p.id is not None and p.id not in self._online
            }
        )
        self.documents_page.reload_profiles()
        dashboard = self.built_page(Page.DASHBOARD)
        if dashboard is not None:
            dashboard.reload_profiles()  # type: ignore[attr-defined]
        self.workers.wake()
        self.update_status()

    def _import_books(self, page: int) -> None:
        self.show_page(page)
        self.stack.currentWidget().import_csv()

    # -- files: desktop_app/documents (import, export), when installed --------------
    def _documents_module(self, name: str):
        try:
            return importlib.import_module(f"desktop_app.documents.{name}")
        except ImportError:
            self.statusBar().showMessage(self.tr("Función disponible próximamente."), 8000)
            return None

    def _filter_profile(self):
        profile_id = self.documents_page.profile_filter.currentData()
        return get_profile(self.db, profile_id) if profile_id else default_profile(self.db)

    def import_documents(self) -> None:
        """Preview a CSV/XLSX of sales (every error on its cell) and queue it; the way
        Bolivian and Argentine documents come in."""
        module = self._documents_module("import_dialog")
        profile = self._filter_profile()
        if module is None or profile is None:
            return
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Importar documentos para el perfil {name}").format(name=profile.name),
            "",
            self.tr("Planillas (*.csv *.xlsx *.txt)"),
        )
        if not path:
            return
        result = module.run_import_dialog(self.db, profile.id, profile.country, path, self)
        if result is not None and result.ids:
            self._documents_changed(set(result.ids))
            self.workers.document_saved()

    def export_documents(self) -> None:
        module = self._documents_module("export")
        if module is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Exportar la lista"),
            "documentos.xlsx",
            self.tr("Excel (*.xlsx);;CSV (*.csv)"),
        )
        if not path:
            return
        flt = self.model.filter
        try:
            count = module.export_documents(
                self.db, path, states=flt.states, text=flt.text, profile_id=flt.profile_id
            )
        except Exception:
            log.exception("exporting documents failed")
            QMessageBox.warning(self, self.windowTitle(), self.tr("No se pudo exportar la lista."))
            return
        self.statusBar().showMessage(
            self.tr("{n} documentos exportados a {path}").format(n=count, path=path), 10000
        )

    def export_sales_book(self) -> None:
        module = self._documents_module("export")
        if module is None:
            return
        today = datetime.now().date()
        months = []
        year, month = today.year, today.month
        for _ in range(12):
            months.append((year, month))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        names = [f"{m:02d}/{y}" for y, m in months]
        chosen, ok = QInputDialog.getItem(
            self, self.tr("Libro de ventas"), self.tr("Mes:"), names, 0, False
        )
        if not ok:
            return
        year, month = months[names.index(chosen)]
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Guardar el libro de ventas"),
            f"libro-ventas-{year}-{month:02d}.xlsx",
            self.tr("Excel (*.xlsx);;CSV (*.csv)"),
        )
        if not path:
            return
        profile = self._filter_profile()
        try:
            module.libro_ventas(
                self.db, year, month, path, profile_id=profile.id if profile else None
            )
        except Exception:
            log.exception("writing the sales book failed")
            QMessageBox.warning(
                self, self.windowTitle(), self.tr("No se pudo escribir el libro de ventas.")
            )
            return
        self.statusBar().showMessage(
            self.tr("Libro de ventas guardado en {path}").format(path=path), 10000
        )

    # -- help ----------------------------------------------------------------------
    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(action, keys) of every menu action with a shortcut, in menu order."""
        rows = []
        for menu in self.menus:
            for action in menu.actions():
                keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                if action.shortcut() == QKeySequence(Qt.Key.Key_Return):
                    keys = self.tr("Intro")
                if keys and not action.isSeparator():
                    rows.append((action.text().replace("&", ""), keys))
        extra = [
            (self.tr("Factura: campo siguiente"), self.tr("Intro")),
            (self.tr("Factura: nuevo ítem"), "F2"),
            (self.tr("Factura: buscar cliente en la libreta"), "F4"),
            (self.tr("Factura: guardar"), "Ctrl+S"),
            (self.tr("Documentos: ver detalle"), self.tr("Intro")),
            (self.tr("Documentos: limpiar filtros"), "Ctrl+Shift+L"),
        ]
        return rows + extra

    def show_shortcuts(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setObjectName("shortcuts_dialog")
        dialog.setWindowTitle(self.tr("Atajos de teclado"))
        v = QVBoxLayout(dialog)
        rows = self.shortcut_rows()
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels([self.tr("Acción"), self.tr("Teclas")])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for r, (text, keys) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(text))
            table.setItem(r, 1, QTableWidgetItem(keys))
        v.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Cerrar"))
        buttons.rejected.connect(dialog.reject)
        v.addWidget(buttons)
        fit_to_screen(
            dialog, self.fontMetrics().horizontalAdvance("M") * 56, self.fontMetrics().height() * 40
        )
        dialog.open()
        return dialog

    def show_about(self) -> QDialog:
        from desktop_app.gui.about_dialog import AboutDialog

        dialog = AboutDialog(self.runtime, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def copy_diagnostics(self) -> None:
        from desktop_app.diagnostics import collect

        QGuiApplication.clipboard().setText(collect(self.runtime))
        self.statusBar().showMessage(
            self.tr("Diagnóstico copiado: péguelo en su mensaje a soporte."), 8000)

    # -- worker reports (GUI thread) -----------------------------------------------
    def _worker_changed(self, ids: object) -> None:
        """A worker's (or another terminal's) report: merged with the next ones and
        read off the GUI thread (gui/live.py); nothing is read here."""
        if self._closed:
            return
        if self._gateway is not None:
            self._gateway.notify_changed(ids)  # type: ignore[arg-type]
        self.live.report(ids)  # type: ignore[arg-type]

    def _documents_changed(self, ids: object) -> None:
        """A user's action changed these documents: read at once, still off the GUI
        thread (in place with `synchronous_tasks`)."""
        if self._closed:
            return
        self.live.now(ids)  # type: ignore[arg-type]

    def _live_asks(self, ids: frozenset[int]) -> list[ViewAsk | None]:
        """What the tables need about the changed `ids` (memory only): the documents
        table, and the Lotes screen's when it is shown."""
        lotes = self.built_page(Page.LOTES)
        return [
            self.model.ask(ids),
            lotes.ask(ids) if lotes is not None else None,  # type: ignore[attr-defined]
        ]

    def _apply_news(self, news: LiveNews) -> None:
        """The background read's answer, on the GUI thread: rows change in place, the
        screens that read their own data are told, the status bar and the tray."""
        if self._closed:
            return
        self.model.apply_news(news.views[0], news.rows)
        lotes = self.built_page(Page.LOTES)
        if lotes is not None:
            lotes.apply_news(news.views[1], news.rows)  # type: ignore[attr-defined]
        dashboard = self.built_page(Page.DASHBOARD)
        if dashboard is not None:
            dashboard.documents_changed()  # type: ignore[attr-defined]
        for doc_id in news.ids & set(self.detail_dialogs):
            self.detail_dialogs[doc_id].reload()  # an open dialog the user looks at
        try:
            self.notifier.states_read(news.ids, news.rejected, news.rows)
        except Exception:
            log.exception("deciding about rejection notifications failed")
        self._update_document_actions()
        if news.summary is not None:
            self._show_connectivity()
            self._show_status(news.summary, None)

    def _database_connection(self, up: object) -> None:
        """The shared database's listener lost or regained the server."""
        if self._closed:
            return
        lost = self.tr("Sin conexión con la base de datos compartida")
        if up:
            # Changes made while the listener was down were not heard: read again.
            self.documents_page.reload_profiles()
            self.model.reload()
            if self.current_page() != Page.DOCUMENTS:
                self.stack.currentWidget().refresh()
            if self.statusBar().currentMessage() == lost:
                self.statusBar().clearMessage()
            self._status_timer.start()
        else:
            self.statusBar().showMessage(lost)

    # -- POS gateway (docs/gateway.md) -----------------------------------------------
    def _start_gateway(self) -> None:
        """Watch the POS folders and serve the local API, when configured, from a
        thread; printing is pumped back onto this (GUI) thread by a timer. The
        gateway's modules are imported only when it is configured (cold start)."""
        from desktop_app.gateway.settings import (
            GatewaySettings,
            gateway_dir,
            load_or_create_token,
        )

        data_dir = getattr(self.runtime, "data_dir", None)
        if data_dir is None:
            return
        settings = GatewaySettings.load(data_dir)
        if not settings.folders and not settings.api_enabled:
            return
        from desktop_app.gateway.folder import FolderBusy
        from desktop_app.gateway.host import GatewayHost
        from desktop_app.gateway.pdf import qt_pdf_renderer

        profiles = {p.name: p for p in list_profiles(self.db)}
        watched = [profiles[name] for name in settings.folders if name in profiles]
        api_profile = default_profile(self.db) if settings.api_enabled else None
        token = load_or_create_token(settings.token_path) if api_profile else ""
        host = GatewayHost(
            self.db, settings,
            pdf_renderer=qt_pdf_renderer(self.db, gateway_dir(data_dir) / "pdf",
                                         layout=settings.pdf_layout),
            on_intake=self._relay.intake.emit,
            is_sender=lambda: True,
        )
        relay = self._relay
        stop = self._gateway_stop

        def run() -> None:
            for profile in watched:
                try:
                    host.watch(profile)
                except (FolderBusy, OSError) as exc:
                    relay.message.emit(str(exc))
            if api_profile is not None:
                try:
                    host.serve_api(api_profile, token=token, host=settings.api_bind,
                                   port=settings.api_port,
                                   allow_remote=settings.api_allow_remote)
                except Exception as exc:
                    relay.message.emit(str(exc))
            try:
                host.start()
                host.run(stop)
            except Exception as exc:
                log.exception("the POS gateway stopped")
                relay.message.emit(str(exc))

        self._gateway = host
        self._gateway_timer = QTimer(self)
        self._gateway_timer.setInterval(100)
        self._gateway_timer.timeout.connect(lambda: host.calls.pump(0))
        self._gateway_timer.start()
        self._gateway_thread = threading.Thread(target=run, name="lote-gateway", daemon=True)
        self._gateway_thread.start()

    def _gateway_intake(self, ids: object) -> None:
        if self._closed:
            return
        self._worker_changed(ids)
        self.workers.document_saved()

    def _gateway_message(self, message: str) -> None:
        if not self._closed:
            self.statusBar().showMessage(
                self.tr("Sistema de caja: {error}").format(error=message), 15000)

    def _stop_gateway(self) -> None:
        host, self._gateway = self._gateway, None
        if host is None:
            return
        if self._gateway_timer is not None:
            self._gateway_timer.stop()
        self._gateway_stop.set()
        thread = self._gateway_thread
        deadline = time.monotonic() + 30
        while thread is not None and thread.is_alive() and time.monotonic() < deadline:
            host.calls.pump(0.02)  # it may be waiting for a PDF printed on this thread
        try:
            host.close()
        except Exception:
            log.exception("closing the POS gateway failed")

    def _notify_rejected(self, title: str, message: str) -> None:
        self.statusBar().showMessage(f"{title}: {message}", 15000)
        if self.tray is not None:
            self.tray.show_rejection(title, message)

    def _connectivity_changed(self, online: object) -> None:
        if self._closed:
            return
        self._online.update(online)  # type: ignore[arg-type]
        freeze_long_lived_heap("first request")
        if self._want_network_hint and not all(online.values()):  # type: ignore[attr-defined]
            self._want_network_hint = False
            self._watch_network()
        self._show_connectivity()
        self._status_timer.start()

    def _sync_failed(self, message: object) -> None:
        if not self._closed:
            self.statusBar().showMessage(str(message), 15000)

    def _sending_changed(self, count: object) -> None:
        if self._closed:
            return
        self._sending = int(count)  # type: ignore[call-overload]
        self._show_progress()

    def _show_progress(self) -> None:
        busy = self._sending > 0
        self.progress.setVisible(busy)
        self.progress_label.setVisible(busy)
        self.progress_label.setText(
            self.tr("Enviando lote ({n} en cola)…").format(n=self._sending) if busy else ""
        )

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
            self.connectivity_label.setToolTip(
                self.tr(
                    "Otra instancia de Lote (PID {pid}) ya envía los documentos de esta carpeta de "
                    "datos. Esta ventana guarda facturas; aquella las envía."
                ).format(pid=self._other_sender or "?")
            )
            self.connectivity_icon.setPixmap(labels.dot_icon("#9aa0a6").pixmap(12, 12))
            self._connectivity_color = None
            return
        known = [v for v in self._online.values() if v is not None]
        if not known:
            text, color = self.tr("Conectando…"), "#9aa0a6"
        elif all(known):
            text, color = self.tr("En línea"), "#1e8e3e"
        else:
            text, color = self.tr("Sin conexión"), "#d93025"
        if self.connectivity_label.text() == text and self._connectivity_color == color:
            return  # every sync step reports connectivity: only a change is drawn
        self._connectivity_color = color
        self.connectivity_label.setText(text)
        self.connectivity_icon.setPixmap(labels.dot_icon(color).pixmap(12, 12))
        tooltip = ""
        if known and not all(known):
            tooltip = self.tr(
                "Las facturas se guardan igual y se enviarán solas al volver la conexión."
            )
        self.connectivity_label.setToolTip(tooltip)

    def update_status(self) -> None:
        """Counts and last sync time: one aggregate query (`status_summary`), read here
        (after a user's action, at start-up) and shown at once."""
        if self._closed:
            return
        self._show_connectivity()
        try:
            summary = status_summary(self.db)
        except Exception:
            log.exception("reading the status bar counts failed")
            return
        self._show_status(summary, None)

    def _update_status_in_background(self) -> None:
        """The same after worker reports, read off the GUI thread (`TaskRunner`): the
        heartbeat target leaves no room for a scan of the documents table there."""
        if self._closed:
            return
        self._show_connectivity()
        db = self.db
        self._status_tasks.run(lambda: status_summary(db), self._show_status)

    def _show_status(self, summary: StatusSummary | None, error: Exception | None) -> None:
        if self._closed or summary is None or error is not None:
            return
        counts, processing = summary.counts, summary.processing
        last, attention = summary.last_sync_at, summary.attention
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
        self.attention_label.setText(
            self.tr("Requieren atención: {n} (Ctrl+Shift+R)").format(n=attention)
            if attention
            else ""
        )
        self.attention_label.setVisible(bool(attention))
        self._attention_count = attention
        self.consult_action.setEnabled(attention > 0)
        if last is None:
            when = "—"
        else:
            local = last.astimezone()
            fmt = "%H:%M:%S" if local.date() == datetime.now().date() else "%d/%m/%Y %H:%M:%S"
            when = local.strftime(fmt)
        self.last_sync_label.setText(self.tr("Última sincronización: {when}").format(when=when))
        if self.tray is not None:
            self.tray.setToolTip(f"Lote — {self.connectivity_label.text()}\n{text}")

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

    # -- settings persistence ------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = app_settings()
        geometry = settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            em = self.fontMetrics().horizontalAdvance("M")
            fit_to_screen(self, max(1280, em * 128), max(720, self.fontMetrics().height() * 46))
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.documents_page.restore_state(settings)
        page = settings.value(KEY_START_PAGE)
        try:
            page = int(page) if page is not None else Page.DOCUMENTS
        except (TypeError, ValueError):
            page = Page.DOCUMENTS
        if 0 <= page < self.stack.count():
            self.show_page(page)

    def save_settings(self) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue(KEY_START_PAGE, self.current_page())
        self.documents_page.save_state(settings)
        lotes = self.built_page(Page.LOTES)
        if lotes is not None:  # never shown: its saved layout stays as it was
            lotes.save_state(settings)  # type: ignore[attr-defined]
        settings.sync()

    # -- closing -------------------------------------------------------------------
    def _start_workers(self) -> None:
        if not self._closed:
            self.workers.start()

    def shutdown(self) -> None:
        """Stop the workers (a step in flight finishes first). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._status_timer.stop()
        self.live.close()
        if self._network_hint is not None:
            info, slot = self._network_hint
            info.reachabilityChanged.disconnect(slot)
            self._network_hint = None
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        self._stop_gateway()
        self.workers.stop()
        QThreadPool.globalInstance().waitForDone(30_000)  # background reads of the screens
        if self.tray is not None:
            self.tray.hide()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.invoice_dialog is not None:
            self.invoice_dialog.reject()
        for dialog in list(self.detail_dialogs.values()):
            dialog.close()
        try:
            self.save_settings()
        except Exception:
            log.exception("saving the window's settings failed")
        self.shutdown()
        super().closeEvent(event)
