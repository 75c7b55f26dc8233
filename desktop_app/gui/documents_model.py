"""The documents table: ids in memory, rows loaded a page at a time.

Like Anki's browser table (STYLE.md), the model holds only the ordered list of
document ids (from `lote_queries.document_search`: filtered and sorted in SQL, newest
first by default) and a bounded cache of `DocumentRow`s. When the view asks for a row
that is not cached, the page around it is read in one query. Workers report *which*
documents changed; `refresh_ids` re-reads exactly those in one query and emits
`dataChanged` row by row, so selection, scroll position and the user's place in the
table survive every update (never a model reset for updates). A new document that
matches the filter is inserted where the current sort puts it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from desktop_app.domain.money import format_amount
from desktop_app.gui import labels
from desktop_app.store.db import Database
from desktop_app.store.lote_queries import (
    DocumentFilter,
    document_rank,
    document_search,
    matching_ids,
)
from desktop_app.store.queries import DocumentRow, rows_by_ids

#: The document id of a row (an int; Qt roles carry Python objects fine).
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: The raw state ("QUEUED", ...) of a row.
STATE_ROLE = Qt.ItemDataRole.UserRole + 2

PAGE_SIZE = 200
#: Rows kept in memory before the cache is dropped (all but the page in view).
MAX_CACHED_ROWS = 5000

_Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    NUMERO = 0
    FECHA = 1
    CLIENTE = 2
    RUC = 3
    TOTAL = 4
    ESTADO = 5
    MENSAJE = 6
    LOTE = 7
    PROVEEDOR = 8


#: The SQL sort key of each column (lote_queries.SORT_KEYS).
SORT_KEY = {
    Column.NUMERO: "numero",
    Column.FECHA: "fecha",
    Column.CLIENTE: "cliente",
    Column.RUC: "ruc",
    Column.TOTAL: "total",
    Column.ESTADO: "estado",
    Column.MENSAJE: "mensaje",
    Column.LOTE: "lote",
    Column.PROVEEDOR: "proveedor",
}

#: How each provider is written for people.
PROVIDER_NAMES = {
    "facturasend": "FacturaSend",
    "dtepy": "DTEpy",
    "jsifen": "JSIFEN",
    "cucu": "CUCU",
    "tusfacturas": "TusFacturas",
}


def provider_name(provider: str) -> str:
    return PROVIDER_NAMES.get(provider, provider)


_HEADERS = {
    Column.NUMERO: QT_TRANSLATE_NOOP("DocumentsModel", "Número"),
    Column.FECHA: QT_TRANSLATE_NOOP("DocumentsModel", "Fecha"),
    Column.CLIENTE: QT_TRANSLATE_NOOP("DocumentsModel", "Cliente"),
    Column.RUC: QT_TRANSLATE_NOOP("DocumentsModel", "RUC/NIT/CUIT"),
    Column.TOTAL: QT_TRANSLATE_NOOP("DocumentsModel", "Total"),
    Column.ESTADO: QT_TRANSLATE_NOOP("DocumentsModel", "Estado"),
    Column.MENSAJE: QT_TRANSLATE_NOOP("DocumentsModel", "Código/Mensaje"),
    Column.LOTE: QT_TRANSLATE_NOOP("DocumentsModel", "Lote"),
    Column.PROVEEDOR: QT_TRANSLATE_NOOP("DocumentsModel", "Proveedor"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("DocumentsModel", text)


def code_and_message(row: DocumentRow) -> str:
    """ "0260 · Autorización del DE satisfactoria": the provider's words, verbatim."""
    parts = [p for p in (row.code, row.message) if p]
    return " · ".join(parts)


class DocumentsModel(QAbstractTableModel):
    def __init__(
        self,
        db: Database,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
        flt: DocumentFilter | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._page_size = page_size
        self._ids: list[int] = []
        #: id -> row, rebuilt lazily after an insertion (None: stale).
        self._positions: dict[int, int] | None = {}
        self._cache: dict[int, DocumentRow] = {}
        self._filter = (flt or DocumentFilter()).normalised()
        self.reload()

    # -- loading -------------------------------------------------------------------
    @property
    def filter(self) -> DocumentFilter:
        return self._filter

    def set_filter(self, states: Sequence[str] | None = None, text: str | None = None) -> None:
        """Filter by state and text in SQL (STYLE.md: no proxy-model filtering of big
        tables) and reload; other criteria and the sort order are kept."""
        self.set_document_filter(
            replace(self._filter, states=tuple(states) if states else None, text=text)
        )

    def set_document_filter(self, flt: DocumentFilter) -> None:
        flt = flt.normalised()
        if flt == self._filter and self._ids:
            return
        self._filter = flt
        self.reload()

    def update_filter(
        self,
        *,
        states: Sequence[str] | None | object = ...,
        text: str | None | object = ...,
        profile_id: int | None | object = ...,
        date_from: date | None | object = ...,
        date_to: date | None | object = ...,
        lote_id: int | None | object = ...,
    ) -> None:
        """Change some criteria (the others stay) and reload."""
        changes = {
            k: v
            for k, v in dict(
                states=tuple(states) if states not in (None, ...) else states,  # type: ignore[arg-type]
                text=text,
                profile_id=profile_id,
                date_from=date_from,
                date_to=date_to,
                lote_id=lote_id,
            ).items()
            if v is not ...
        }
        self.set_document_filter(replace(self._filter, **changes))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by any column, in SQL; a column without a key sorts newest first."""
        key = SORT_KEY.get(Column(column), "id") if 0 <= column < len(Column) else "id"
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._filter.sort, self._filter.descending):
            return
        self._filter = replace(self._filter, sort=key, descending=descending)
        self.reload()

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        """The column and order the table is sorted by (-1: newest first)."""
        column = next((c for c, k in SORT_KEY.items() if k == self._filter.sort), -1)
        order = (
            Qt.SortOrder.DescendingOrder if self._filter.descending else Qt.SortOrder.AscendingOrder
        )
        return int(column), order

    def reload(self) -> None:
        """Re-query the whole id list: only for a filter change or an explicit refresh."""
        self.beginResetModel()
        self._ids = document_search(self._db, self._filter)
        self._positions = None
        self._cache.clear()
        self.endResetModel()

    def refresh_ids(self, ids: Iterable[int]) -> None:
        """Re-read the given documents in one query and update the view row by row.

        Ids already in the table emit `dataChanged` when their row differs; ids not in
        the table (new documents, or documents that now match the filter) are inserted
        where the current order puts them (for new documents in the default order, the
        top). Ids in the table but never shown are not read at all: they will be read
        fresh when the view asks for them. Rows that stop matching the filter stay
        until the next `reload`, so nothing vanishes under the user's cursor.
        """
        ids = set(ids)
        newcomers = [i for i in ids if self._position(i) is None]
        # The filter first (ids only), so rows are read only for documents the table shows.
        admitted = matching_ids(self._db, self._filter, newcomers) if newcomers else set()
        wanted = {i for i in ids if i in self._cache} | admitted
        if not wanted:
            return
        fresh = rows_by_ids(self._db, wanted)
        for doc_id in sorted(fresh):  # ascending: each new id lands above the previous
            row = fresh[doc_id]
            position = self._position(doc_id)
            if position is None:
                if doc_id in admitted:
                    self._insert(row)
                continue
            if self._cache.get(doc_id) != row:
                self._cache[doc_id] = row
                self.dataChanged.emit(
                    self.index(position, 0), self.index(position, len(Column) - 1)
                )

    def _insert(self, row: DocumentRow) -> None:
        if self._filter.sort == "id":
            if self._filter.descending:
                at = bisect.bisect_left(self._ids, -row.id, key=lambda i: -i)
            else:
                at = bisect.bisect_left(self._ids, row.id)
        else:
            rank = document_rank(self._db, self._filter, row.id)
            at = len(self._ids) if rank is None else min(max(rank, 0), len(self._ids))
        self.beginInsertRows(QModelIndex(), at, at)
        self._ids.insert(at, row.id)
        self._positions = None
        self._cache[row.id] = row
        self.endInsertRows()

    def _position(self, doc_id: int) -> int | None:
        if self._positions is None:
            self._positions = {doc_id: n for n, doc_id in enumerate(self._ids)}
        return self._positions.get(doc_id)

    def _row_at(self, position: int) -> DocumentRow | None:
        doc_id = self._ids[position]
        row = self._cache.get(doc_id)
        if row is None:
            self._load_page(position)
            row = self._cache.get(doc_id)
        return row

    def _load_page(self, position: int) -> None:
        if len(self._cache) >= MAX_CACHED_ROWS:
            self._cache.clear()
        start = position - position % self._page_size
        page = [i for i in self._ids[start : start + self._page_size] if i not in self._cache]
        self._cache.update(rows_by_ids(self._db, page))

    @property
    def cached_rows(self) -> int:
        """How many rows are in memory (the 100k test checks it stays a page)."""
        return len(self._cache)

    # -- lookups -------------------------------------------------------------------
    def row_of(self, doc_id: int) -> int | None:
        """The table row showing `doc_id`, or None."""
        return self._position(doc_id)

    def id_at(self, position: int) -> int:
        return self._ids[position]

    def document(self, doc_id: int) -> DocumentRow | None:
        position = self._position(doc_id)
        return None if position is None else self._row_at(position)

    # -- Qt model API --------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr(_HEADERS[column])
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.TOTAL:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == ROW_ID_ROLE:
            return self._ids[index.row()]
        row = self._row_at(index.row())
        if row is None:  # deleted underneath us (never happens in normal use)
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == STATE_ROLE:
            return row.state
        if column is Column.ESTADO:
            if role == Qt.ItemDataRole.ForegroundRole:
                return labels.state_foreground(row.state, row.processing)
            if role == Qt.ItemDataRole.BackgroundRole:
                return labels.state_background(row.state, row.processing)
            if role == Qt.ItemDataRole.DecorationRole:
                return labels.state_icon(row.state, row.processing)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                label = labels.state_label(row.state, row.processing)
                detail = code_and_message(row)
                return f"{label}\n{detail}" if detail else label
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column is Column.TOTAL:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is Column.MENSAJE:
                return code_and_message(row) or None
            if column is Column.CLIENTE:
                return row.customer_name
            if column is Column.NUMERO:
                ids = [
                    (label, value)
                    for label, value in (("CDC", row.cdc), ("CUF", row.cuf), ("CAE", row.cae))
                    if value
                ]
                if ids:
                    return "\n".join(f"{label}: {value}" for label, value in ids)
        return None

    def _display(self, row: DocumentRow, column: Column) -> str:
        if column is Column.NUMERO:
            if row.provider_number and row.provider_number != row.numero:
                return f"{row.numero} ({row.provider_number})"  # CUCU's official number
            return row.numero
        if column is Column.FECHA:
            return row.fecha.strftime("%d/%m/%Y %H:%M")
        if column is Column.CLIENTE:
            return row.customer_name
        if column is Column.RUC:
            return row.customer_tax_id or "—"
        if column is Column.TOTAL:
            amount = format_amount(row.total, row.currency)
            return amount if row.currency == "PYG" else f"{row.currency} {amount}"

        if column is Column.ESTADO:
            return labels.state_label(row.state, row.processing)
        if column is Column.MENSAJE:
            return code_and_message(row)
        if column is Column.LOTE:
            return row.lote or ""
        if column is Column.PROVEEDOR:
            return f"{provider_name(row.provider)} · {row.profile}"
        return ""
