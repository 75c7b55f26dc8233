"""The Documents screen: the outbox table with its filters.

Every filter goes to SQL (`lote_queries.document_search`); typing in the search box
waits 300 ms after the last key before asking. Sorting by a column header is SQL too
(click again for the other order, a third time for "newest first"). The columns'
widths, order and visibility and the sort are kept between sessions (QSettings).
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.states import DocState
from desktop_app.gui import labels
from desktop_app.gui.documents_model import ROW_ID_ROLE, Column, DocumentsModel
from desktop_app.store.db import Database
from desktop_app.store.profiles import list_profiles

CONTEXT = "DocumentsPage"

#: (label, states) of the state filter; None = every state.
STATE_FILTERS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    (QT_TRANSLATE_NOOP("DocumentsPage", "Todos los estados"), None),
    (
        QT_TRANSLATE_NOOP("DocumentsPage", "Pendientes"),
        tuple(
            s.value
            for s in (DocState.QUEUED, DocState.SENDING, DocState.SUBMITTED, DocState.UNKNOWN)
        ),
    ),
    (
        QT_TRANSLATE_NOOP("DocumentsPage", "Aprobados"),
        (DocState.APPROVED.value, DocState.APPROVED_WITH_OBSERVATIONS.value),
    ),
    (QT_TRANSLATE_NOOP("DocumentsPage", "Rechazados"), (DocState.REJECTED.value,)),
    (
        QT_TRANSLATE_NOOP("DocumentsPage", "Anulados e inutilizados"),
        (DocState.CANCEL_REQUESTED.value, DocState.CANCELLED.value, DocState.VOIDED.value),
    ),
)


class Period:
    ALL = "all"
    TODAY = "today"
    YESTERDAY = "yesterday"
    WEEK = "week"
    MONTH = "month"
    LAST_MONTH = "last_month"
    CUSTOM = "custom"


PERIODS = (
    (Period.ALL, QT_TRANSLATE_NOOP("DocumentsPage", "Todas las fechas")),
    (Period.TODAY, QT_TRANSLATE_NOOP("DocumentsPage", "Hoy")),
    (Period.YESTERDAY, QT_TRANSLATE_NOOP("DocumentsPage", "Ayer")),
    (Period.WEEK, QT_TRANSLATE_NOOP("DocumentsPage", "Últimos 7 días")),
    (Period.MONTH, QT_TRANSLATE_NOOP("DocumentsPage", "Este mes")),
    (Period.LAST_MONTH, QT_TRANSLATE_NOOP("DocumentsPage", "Mes anterior")),
    (Period.CUSTOM, QT_TRANSLATE_NOOP("DocumentsPage", "Rango de fechas")),
)


def period_range(period: str, today: date) -> tuple[date | None, date | None]:
    if period == Period.TODAY:
        return today, today
    if period == Period.YESTERDAY:
        return today - timedelta(days=1), today - timedelta(days=1)
    if period == Period.WEEK:
        return today - timedelta(days=6), today
    if period == Period.MONTH:
        return today.replace(day=1), today
    if period == Period.LAST_MONTH:
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    return None, None


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def configure_documents_table(table: QTableView) -> None:
    """What every table of documents shares (this screen and the Lotes screen)."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setTabKeyNavigation(False)  # Tab leaves the table: a sensible tab order
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
    header.setStretchLastSection(False)
    fm = table.fontMetrics()
    bold = table.font()
    bold.setBold(True)
    bold_fm = QFontMetrics(bold)
    pad = 20
    widths = {
        Column.NUMERO: fm.horizontalAdvance("001-001-0000000") + pad,
        Column.FECHA: fm.horizontalAdvance("00/00/0000 00:00") + pad,
        Column.CLIENTE: fm.horizontalAdvance("M" * 15) + pad,
        Column.RUC: fm.horizontalAdvance("80000000-0") + pad,
        Column.TOTAL: fm.horizontalAdvance("000.000.000") + pad,
        # Wide enough for the everyday states; the long rare ones elide (and say it all
        # in their tooltip).
        Column.ESTADO: bold_fm.horizontalAdvance(labels.state_label(DocState.SUBMITTED, True))
        + pad
        + 28,
        Column.MENSAJE: fm.horizontalAdvance("M" * 16) + pad,
        Column.LOTE: fm.horizontalAdvance("000000000") + pad,
        Column.PROVEEDOR: fm.horizontalAdvance("FacturaSend · Demo") + pad,
    }
    for column, width in widths.items():
        table.setColumnWidth(column, width)


class DocumentsPage(QWidget):
    """Filters on top, the table below. `open_requested(doc_id)` on Enter/double-click."""

    open_requested = Signal(object)
    selection_changed = Signal()

    def __init__(
        self,
        db: Database,
        model: DocumentsModel,
        parent: QWidget | None = None,
        *,
        today=date.today,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("documents_page")
        self._db = db
        self.model = model
        self._today = today
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.apply_filter)

        v = QVBoxLayout(self)
        v.setContentsMargins(6, 6, 6, 0)
        v.setSpacing(6)
        v.addLayout(self._build_filters())

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
        table.setModel(model)
        configure_documents_table(table)
        header = table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        table.setSortingEnabled(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        table.activated.connect(self._activated)
        table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())
        table.selectionModel().currentRowChanged.connect(lambda *_: self.selection_changed.emit())
        table.setAccessibleName(self.tr("Documentos"))
        self.table = table
        v.addWidget(table, 1)

        model.modelReset.connect(self._model_changed)
        model.rowsInserted.connect(self._model_changed)
        self._model_changed()
        self._show_dates()
        self.setTabOrder(self.state_filter, self.period_combo)
        self.setTabOrder(self.period_combo, self.date_from)
        self.setTabOrder(self.date_from, self.date_to)
        self.setTabOrder(self.date_to, self.profile_filter)
        self.setTabOrder(self.profile_filter, self.search_edit)
        self.setTabOrder(self.search_edit, self.clear_button)
        self.setTabOrder(self.clear_button, self.table)

    # -- building ------------------------------------------------------------------
    def _build_filters(self) -> QHBoxLayout:
        h = QHBoxLayout()
        h.setSpacing(6)

        self.state_filter = QComboBox()
        self.state_filter.setObjectName("state_filter")
        for text, states in STATE_FILTERS:
            self.state_filter.addItem(_tr(text), states)
        self.state_filter.currentIndexChanged.connect(self.apply_filter)
        h.addWidget(self._buddy(self.tr("&Estado:"), self.state_filter))
        h.addWidget(self.state_filter)

        self.period_combo = QComboBox()
        self.period_combo.setObjectName("period_combo")
        for key, text in PERIODS:
            self.period_combo.addItem(_tr(text), key)
        self.period_combo.currentIndexChanged.connect(self._period_changed)
        h.addWidget(self._buddy(self.tr("&Período:"), self.period_combo))
        h.addWidget(self.period_combo)

        today = QDate(self._today())
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_from.setObjectName("date_from")
        self.date_to = QDateEdit(today)
        self.date_to.setObjectName("date_to")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.dateChanged.connect(self._dates_edited)
        self.date_from_label = self._buddy(self.tr("Des&de:"), self.date_from)
        self.date_to_label = self._buddy(self.tr("&Hasta:"), self.date_to)
        h.addWidget(self.date_from_label)
        h.addWidget(self.date_from)
        h.addWidget(self.date_to_label)
        h.addWidget(self.date_to)

        self.profile_filter = QComboBox()
        self.profile_filter.setObjectName("profile_filter")
        self.reload_profiles()
        self.profile_filter.currentIndexChanged.connect(self.apply_filter)
        # Combos may shrink below their longest entry: the bar must fit a window at
        # 200 % display scaling (960 logical pixels wide on a 1080p screen).
        for combo, letters in (
            (self.state_filter, 12),
            (self.period_combo, 10),
            (self.profile_filter, 8),
        ):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(letters)
        self.profile_label = self._buddy(self.tr("Pe&rfil:"), self.profile_filter)
        self.profile_label.setVisible(self.profile_filter.count() > 2)
        h.addWidget(self.profile_label)
        h.addWidget(self.profile_filter)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("search_edit")
        self.search_edit.setPlaceholderText(
            self.tr("Cliente, RUC/NIT/CUIT, número o CDC/CUF/CAE (Ctrl+F)")
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("M" * 10))
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self._search_now)
        h.addWidget(self._buddy(self.tr("&Buscar:"), self.search_edit))
        h.addWidget(self.search_edit, 1)

        self.clear_button = QPushButton(self.tr("Limpiar filtros"))
        self.clear_button.setObjectName("clear_filters_button")
        self.clear_button.setToolTip(self.tr("Mostrar todos los documentos (Ctrl+Shift+L)"))
        self.clear_button.setShortcut("Ctrl+Shift+L")
        self.clear_button.clicked.connect(self.clear_filters)
        h.addWidget(self.clear_button)

        self.count_label = QLabel()
        self.count_label.setObjectName("count_label")
        self.count_label.setStyleSheet("color: #5f6368;")
        h.addWidget(self.count_label)
        return h

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    def reload_profiles(self) -> None:
        """The profile filter lists every profile; with a single one it is hidden."""
        current = self.profile_filter.currentData()
        self.profile_filter.blockSignals(True)
        self.profile_filter.clear()
        self.profile_filter.addItem(self.tr("Todos los perfiles"), None)
        profiles = list_profiles(self._db)
        for p in profiles:
            self.profile_filter.addItem(p.name, p.id)
        index = self.profile_filter.findData(current)
        self.profile_filter.setCurrentIndex(max(index, 0))
        self.profile_filter.blockSignals(False)
        several = len(profiles) > 1
        self.profile_filter.setVisible(several)
        if hasattr(self, "profile_label"):
            self.profile_label.setVisible(several)

    # -- filtering -----------------------------------------------------------------
    def _period_changed(self) -> None:
        period = self.period_combo.currentData()
        self._show_dates()
        start, end = period_range(period, self._today())
        if start is not None and end is not None:
            for edit, value in ((self.date_from, start), (self.date_to, end)):
                edit.blockSignals(True)
                edit.setDate(QDate(value))
                edit.blockSignals(False)
        self.apply_filter()

    def _show_dates(self) -> None:
        """The two dates only for "Rango de fechas"; the presets say their range."""
        custom = self.period_combo.currentData() == Period.CUSTOM
        for widget in (self.date_from, self.date_to, self.date_from_label, self.date_to_label):
            widget.setVisible(custom)
        start, end = self.date_range()
        if start is not None and not custom:
            self.period_combo.setToolTip(
                self.tr("Del {start} al {end}").format(
                    start=start.strftime("%d/%m/%Y"), end=end.strftime("%d/%m/%Y")
                )
            )
        else:
            self.period_combo.setToolTip("")

    def _dates_edited(self) -> None:
        if self.period_combo.currentData() == Period.CUSTOM:
            self.apply_filter()

    def date_range(self) -> tuple[date | None, date | None]:
        period = self.period_combo.currentData()
        if period == Period.ALL:
            return None, None
        if period == Period.CUSTOM:
            start = self.date_from.date().toPython()
            end = self.date_to.date().toPython()
            return (start, end) if start <= end else (end, start)
        return period_range(period, self._today())

    def _search_now(self) -> None:
        self._search_timer.stop()
        self.apply_filter()

    def apply_filter(self) -> None:
        self._search_timer.stop()
        start, end = self.date_range()
        self.model.update_filter(
            states=self.state_filter.currentData(),
            text=self.search_edit.text(),
            profile_id=self.profile_filter.currentData(),
            date_from=start,
            date_to=end,
        )

    def clear_filters(self) -> None:
        for combo in (self.state_filter, self.period_combo, self.profile_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self._show_dates()
        self.apply_filter()

    def is_filtered(self) -> bool:
        return bool(
            self.search_edit.text()
            or self.state_filter.currentIndex()
            or self.period_combo.currentIndex()
            or self.profile_filter.currentIndex()
        )

    def _model_changed(self, *_args) -> None:
        n = self.model.rowCount()
        self.count_label.setText(
            self.tr("{n} documentos").format(n=f"{n:,}".replace(",", "."))
            if n != 1
            else self.tr("1 documento")
        )
        self.empty_label.setVisible(n == 0 and not self.is_filtered())

    # -- selection -----------------------------------------------------------------
    def _activated(self, index) -> None:
        doc_id = index.siblingAtColumn(0).data(ROW_ID_ROLE)
        if doc_id is not None:
            self.open_requested.emit(doc_id)

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid():
            rows = self.table.selectionModel().selectedRows()
            if not rows:
                return None
            index = rows[0]
        return index.siblingAtColumn(0).data(ROW_ID_ROLE)

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.id_at(r) for r in rows]

    def select_id(self, doc_id: int) -> bool:
        row = self.model.row_of(doc_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    # -- columns -------------------------------------------------------------------
    def _header_menu(self, pos: QPoint) -> None:
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for column in Column:
            action = QAction(self.model.headerData(column, Qt.Orientation.Horizontal), menu)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.setEnabled(column is not Column.NUMERO)  # one column always stays
            action.toggled.connect(lambda on, c=column: header.setSectionHidden(c, not on))
            menu.addAction(action)
        menu.exec(header.mapToGlobal(pos))

    def save_state(self, settings) -> None:
        settings.setValue("documents/header", self.table.horizontalHeader().saveState())

    def restore_state(self, settings) -> None:
        """Columns as the user left them; the first time, the provider column only
        when there is more than one profile."""
        state = settings.value("documents/header")
        if state is None:
            self.table.setColumnHidden(Column.PROVEEDOR, len(list_profiles(self._db)) < 2)
        if state is not None:
            header = self.table.horizontalHeader()
            header.restoreState(state)
            column = header.sortIndicatorSection()
            if 0 <= column < len(Column):
                self.model.sort(column, header.sortIndicatorOrder())
