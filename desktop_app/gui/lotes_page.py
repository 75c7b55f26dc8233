"""The Lotes screen: every batch sent, its provider, size, when, the provider's lote
number and how its documents ended; below, the documents of the selected lote.

A lote's result counts come from the audit trail (`lote_queries.lote_rows`): a
document rejected in one lote and approved after its correction in another counts in
both, each with what happened there. The list is read off the GUI thread and
refreshed a moment after the workers report changes, while the screen is visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui import labels
from desktop_app.gui.documents_model import ROW_ID_ROLE, Column, DocumentsModel, provider_name
from desktop_app.gui.documents_page import configure_documents_table
from desktop_app.gui.live import ViewAsk, ViewNews
from desktop_app.gui.tasks import TaskRunner
from desktop_app.store.db import Database
from desktop_app.store.lote_queries import DocumentFilter, LoteRow, lote_rows
from desktop_app.store.profiles import list_profiles
from desktop_app.store.queries import DocumentRow

_Index = QModelIndex | QPersistentModelIndex
LOTE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class LoteColumn(IntEnum):
    """What a bookkeeper scans first comes first: when, how it went, how many."""

    NUMERO = 0
    ENVIADO = 1
    ESTADO = 2
    TAMANO = 3
    APROBADOS = 4
    RECHAZADOS = 5
    PENDIENTES = 6
    DEVUELTOS = 7
    PROVEEDOR = 8
    TIPO = 9
    MENSAJE = 10


_HEADERS = {
    LoteColumn.NUMERO: QT_TRANSLATE_NOOP("LotesModel", "Lote"),
    LoteColumn.PROVEEDOR: QT_TRANSLATE_NOOP("LotesModel", "Proveedor"),
    LoteColumn.TIPO: QT_TRANSLATE_NOOP("LotesModel", "Tipo"),
    LoteColumn.TAMANO: QT_TRANSLATE_NOOP("LotesModel", "Documentos"),
    LoteColumn.ENVIADO: QT_TRANSLATE_NOOP("LotesModel", "Enviado"),
    LoteColumn.ESTADO: QT_TRANSLATE_NOOP("LotesModel", "Estado"),
    LoteColumn.APROBADOS: QT_TRANSLATE_NOOP("LotesModel", "Aprobados"),
    LoteColumn.RECHAZADOS: QT_TRANSLATE_NOOP("LotesModel", "Rechazados"),
    LoteColumn.PENDIENTES: QT_TRANSLATE_NOOP("LotesModel", "Pendientes"),
    LoteColumn.DEVUELTOS: QT_TRANSLATE_NOOP("LotesModel", "Devueltos"),
    LoteColumn.MENSAJE: QT_TRANSLATE_NOOP("LotesModel", "Código/Mensaje"),
}
_NUMBERS = (
    LoteColumn.TAMANO,
    LoteColumn.APROBADOS,
    LoteColumn.RECHAZADOS,
    LoteColumn.PENDIENTES,
    LoteColumn.DEVUELTOS,
)


class LotesModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[LoteRow] = []

    def set_rows(self, rows: list[LoteRow]) -> None:
        """Replace the rows: updated in place when the list only grew at the top or
        changed its counts, so the selection survives a refresh."""
        old_ids = [r.id for r in self.rows]
        new_ids = [r.id for r in rows]
        added = len(new_ids) - len(old_ids)
        if added >= 0 and new_ids[added:] == old_ids:
            if added:
                self.beginInsertRows(QModelIndex(), 0, added - 1)
                self.rows = rows[:added] + self.rows
                self.endInsertRows()
            for n, row in enumerate(rows):
                if self.rows[n] != row:
                    self.rows[n] = row
                    self.dataChanged.emit(self.index(n, 0), self.index(n, len(LoteColumn) - 1))
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(LoteColumn)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(LoteColumn):
            return None
        column = LoteColumn(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("LotesModel", _HEADERS[column])
        if role == Qt.ItemDataRole.ToolTipRole and column is LoteColumn.DEVUELTOS:
            return QCoreApplication.translate(
                "LotesModel", "Documentos que volvieron a la cola: el envío no llegó al proveedor"
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = LoteColumn(index.column())
        if role == LOTE_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column is LoteColumn.RECHAZADOS and row.rejected:
                return QColor("#a4262c")
            if column is LoteColumn.APROBADOS and row.approved:
                return QColor("#1e6b34")
            if column is LoteColumn.ESTADO and row.state in ("REFUSED", "UNKNOWN", "OFFLINE"):
                return QColor("#8a5a00")
        if role == Qt.ItemDataRole.ToolTipRole and column is LoteColumn.MENSAJE:
            return self._display(row, column) or None
        if role == Qt.ItemDataRole.ToolTipRole and column is LoteColumn.NUMERO:
            return QCoreApplication.translate("LotesModel", "Lote interno {id}").format(id=row.id)
        return None

    @staticmethod
    def _display(row: LoteRow, column: LoteColumn) -> str:
        if column is LoteColumn.NUMERO:
            return row.provider_lote_id or "—"
        if column is LoteColumn.PROVEEDOR:
            return f"{provider_name(row.provider)} · {row.profile}"
        if column is LoteColumn.TIPO:
            return labels.tipo_documento_label(row.tipo_documento)
        if column is LoteColumn.TAMANO:
            return str(row.size)
        if column is LoteColumn.ENVIADO:
            stamp = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
            return stamp.astimezone().strftime("%d/%m/%Y %H:%M:%S")
        if column is LoteColumn.ESTADO:
            return labels.lote_state_label(row.state)
        if column is LoteColumn.APROBADOS:
            return str(row.approved)
        if column is LoteColumn.RECHAZADOS:
            return str(row.rejected)
        if column is LoteColumn.PENDIENTES:
            return str(row.pending)
        if column is LoteColumn.DEVUELTOS:
            return str(row.returned)
        if column is LoteColumn.MENSAJE:
            return " · ".join(p for p in (row.code, row.message) if p)
        return ""


class LotesPage(QWidget):
    open_requested = Signal(object)  # doc id

    def __init__(
        self, db: Database, parent: QWidget | None = None, *, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lotes_page")
        self._db = db
        self.tasks = tasks or TaskRunner(self)
        self._dirty = True
        #: Documents changed while the page was hidden: reload the lote's table when shown.
        self._documents_dirty = False
        self._loaded_once = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(1500)
        self._timer.timeout.connect(self.refresh)

        v = QVBoxLayout(self)
        v.setContentsMargins(6, 6, 6, 0)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("lotes_summary")
        self.summary_label.setStyleSheet("color: #5f6368;")
        v.addWidget(self.summary_label)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("lotes_splitter")
        self.model = LotesModel(self)
        self.table = QTableView()
        self.table.setObjectName("lotes_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(LoteColumn.MENSAJE, QHeaderView.ResizeMode.Stretch)
        fm = self.table.fontMetrics()
        for column, sample in (
            (LoteColumn.NUMERO, "00000000000000000"),
            (LoteColumn.PROVEEDOR, "FacturaSend · Demo"),
            (LoteColumn.TIPO, "Factura electrónica"),
            (LoteColumn.ENVIADO, "00/00/0000 00:00:00"),
            (LoteColumn.ESTADO, "Sin respuesta: verificando"),
        ):
            self.table.setColumnWidth(column, fm.horizontalAdvance(sample) + 24)
        for column in _NUMBERS:
            self.table.setColumnWidth(
                column,
                max(
                    fm.horizontalAdvance(self.model.headerData(column, Qt.Orientation.Horizontal))
                    + 24,
                    fm.horizontalAdvance("0000") + 24,
                ),
            )
        self.table.selectionModel().currentRowChanged.connect(self._lote_selected)
        self.splitter.addWidget(self.table)

        lower = QWidget()
        lv = QVBoxLayout(lower)
        lv.setContentsMargins(0, 4, 0, 0)
        self.documents_label = QLabel(self.tr("Seleccione un lote para ver sus documentos."))
        self.documents_label.setObjectName("lote_documents_label")
        lv.addWidget(self.documents_label)
        self.documents_model = DocumentsModel(db, self, flt=DocumentFilter(lote_id=0))
        self.documents_table = QTableView()
        self.documents_table.setObjectName("lote_documents_table")
        self.documents_table.setModel(self.documents_model)
        configure_documents_table(self.documents_table)
        self.documents_table.setColumnHidden(Column.PROVEEDOR, len(list_profiles(db)) < 2)
        self.documents_table.activated.connect(
            lambda index: self.open_requested.emit(index.siblingAtColumn(0).data(ROW_ID_ROLE))
        )
        lv.addWidget(self.documents_table)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        v.addWidget(self.splitter, 1)

    # -- loading -------------------------------------------------------------------
    def activate(self) -> None:
        if self._dirty or not self._loaded_once:
            if self._documents_dirty:
                self._documents_dirty = False
                self.documents_model.reload()
            self.refresh()

    def refresh(self) -> None:
        self._timer.stop()
        self._dirty = False
        db = self._db
        self.tasks.run(lambda: lote_rows(db), self._loaded)

    def ask(self, ids: Iterable[int]) -> ViewAsk | None:
        """Documents changed (gui/live.py). Hidden, the page only remembers that it is
        stale (None: nothing to read; BENCHMARKS.md, GUI heartbeat) and reads
        everything again when shown; shown, it asks for the fresh rows of the lote in
        view."""
        self._dirty = True
        if not self.isVisible():
            self._documents_dirty = True
            return None
        return self.documents_model.ask(ids)

    def apply_news(self, news: ViewNews | None, rows: Mapping[int, DocumentRow]) -> None:
        """The background read's answer: the lote's documents change in place, and the
        lotes list (its counts) is read again a moment later, off the GUI thread."""
        self.documents_model.apply_news(news, rows)
        if self.isVisible():
            self._timer.start()

    def _loaded(self, rows: list[LoteRow] | None, error: Exception | None) -> None:
        if error is not None or rows is None:
            self.summary_label.setText(
                self.tr("No se pudo leer la lista de lotes; pulse F5 para reintentar.")
            )
            return
        first = not self._loaded_once
        self._loaded_once = True
        self.model.set_rows(rows)
        total_docs = sum(r.size for r in rows)
        self.summary_label.setText(
            self.tr("{n} lotes enviados, {docs} documentos en total.").format(
                n=len(rows), docs=total_docs
            )
        )
        if first and rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _lote_selected(self, current: QModelIndex, _previous=None) -> None:
        lote_id = current.data(LOTE_ID_ROLE) if current.isValid() else None
        if lote_id is None:
            return
        row = self.model.rows[current.row()]
        self.documents_model.update_filter(lote_id=lote_id)
        self.documents_label.setText(
            self.tr("Documentos del lote {numero} ({provider}), enviado el {when}:").format(
                numero=row.provider_lote_id or f"#{row.id}",
                provider=provider_name(row.provider),
                when=self.model._display(row, LoteColumn.ENVIADO),
            )
        )

    def select_lote(self, lote_id: int) -> bool:
        for n, row in enumerate(self.model.rows):
            if row.id == lote_id:
                self.table.selectRow(n)
                return True
        return False

    def current_document_id(self) -> int | None:
        index = self.documents_table.currentIndex()
        if not index.isValid():
            return None
        return index.siblingAtColumn(0).data(ROW_ID_ROLE)

    # -- state ---------------------------------------------------------------------
    def save_state(self, settings) -> None:
        settings.setValue("lotes/splitter", self.splitter.saveState())
        settings.setValue("lotes/header", self.table.horizontalHeader().saveState())

    def restore_state(self, settings) -> None:
        splitter = settings.value("lotes/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        header = settings.value("lotes/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
