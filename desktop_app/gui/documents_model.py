"""The documents table: ids in memory, rows loaded a page at a time.

Like Anki's browser table (STYLE.md), the model holds only the ordered list of
document ids (from `lote_queries.document_search`: filtered and sorted in SQL, newest
first by default) and a bounded cache of `DocumentRow`s. When the view asks for a row
that is not cached, the page around it is read in one query. Workers report *which*
documents changed; the fresh rows of exactly those are read off the GUI thread
(`ask` → `live.read_news` → `apply_news`; `refresh_ids` reads in place, for a user's
action) and `dataChanged` is emitted row by row, so selection, scroll position and the
user's place in the table survive every update (never a model reset for updates). A
new document that matches the filter is inserted where the current sort puts it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
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
from desktop_app.gui.live import ViewAsk, ViewNews
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

#: The roles a view asks of every cell it paints, as plain ints: `data` runs ~7 times
#: per visible cell on every repaint, so it compares ints rather than enum members
#: (BENCHMARKS.md, GUI heartbeat: painting).
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_ROW_ID = int(ROW_ID_ROLE)
_STATE = int(STATE_ROLE)
#: Roles only the state column answers.
_STATE_COLUMN_ROLES = frozenset({_FONT, _FOREGROUND, _BACKGROUND, _DECORATION})
#: Every role `data` may answer from a row (any other one is None without a lookup).
_ROW_ROLES = _STATE_COLUMN_ROLES | {_DISPLAY, _TOOLTIP, _STATE}

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


_COLUMNS = tuple(Column)
_STATE_COLUMN = Column.ESTADO.value
#: Each column's text alignment (numbers to the right).
_ALIGNMENTS = tuple(
    int(
        (Qt.AlignmentFlag.AlignRight if c is Column.TOTAL else Qt.AlignmentFlag.AlignLeft)
        | Qt.AlignmentFlag.AlignVCenter
    )
    for c in Column
)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

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


def _runs(positions: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of adjacent rows: [1, 2, 3, 7] →
    [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for position in positions:
        if runs and position == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs


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
        #: id -> the row's texts, column by column (made once per row, not per paint).
        self._texts: dict[int, tuple[str, ...]] = {}
        self._bold: QFont | None = None
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
        self._texts.clear()
        self.endResetModel()

    def refresh_ids(self, ids: Iterable[int]) -> None:
        """Re-read the given documents in one query and update the view row by row.

        Ids already in the table emit `dataChanged` when their row differs; ids not in
        the table (new documents, or documents that now match the filter) are inserted
        where the current order puts them (for new documents in the default order, the
        top). Ids in the table but never shown are not read at all: they will be read
        fresh when the view asks for them. Rows that stop matching the filter stay
        until the next `reload`, so nothing vanishes under the user's cursor.

        This reads on the calling thread: for a user's action on a few documents. The
        sync workers' reports go through `ask` / `apply_news` (gui/live.py), read off
        the GUI thread.
        """
        ask = self.ask(ids)
        # The filter first (ids only), so rows are read only for documents the table shows.
        admitted = matching_ids(self._db, self._filter, ask.newcomers) if ask.newcomers else set()
        wanted = ask.cached | admitted
        if not wanted:
            return
        self._apply(rows_by_ids(self._db, wanted), admitted, None)

    def ask(self, ids: Iterable[int]) -> ViewAsk:
        """What a background read must fetch about the changed `ids` for this table:
        the rows it holds (to replace them) and the ids it does not list (to test them
        against its filter). Memory only: it runs on the GUI thread."""
        cached = frozenset(i for i in ids if i in self._cache)
        newcomers = tuple(sorted(i for i in ids if i not in cached and self._position(i) is None))
        return ViewAsk(self._filter, cached, newcomers)

    def apply_news(self, news: ViewNews | None, rows: Mapping[int, DocumentRow]) -> None:
        """Apply a background read (`live.read_news`): no query. Rows held are replaced
        (`dataChanged` when they differ); newcomers the filter admitted are inserted,
        unless the filter changed since the read started (the reload that followed
        the change has listed them already)."""
        admitted: Iterable[int] = ()
        ranks: dict[int, int | None] | None = None
        if news is not None and news.flt == self._filter:
            admitted, ranks = news.admitted, news.ranks
        self._apply(rows, admitted, ranks)

    def _apply(
        self,
        rows: Mapping[int, DocumentRow],
        admitted: Iterable[int],
        ranks: dict[int, int | None] | None,
    ) -> None:
        """Replace the rows held and insert the admitted newcomers; `ranks` (None: ask
        the database) places newcomers in an order other than by id."""
        admitted = set(admitted)
        newcomers = []
        changed: list[int] = []
        for doc_id, row in rows.items():
            position = self._position(doc_id)
            if position is None:
                if doc_id in admitted:
                    newcomers.append(row)
                continue
            if doc_id in self._cache and self._cache[doc_id] != row:
                self._cache[doc_id] = row
                self._texts.pop(doc_id, None)
                changed.append(position)
        # One signal per run of adjacent rows (a lote's documents usually sit together).
        changed.sort()
        for start, end in _runs(changed):
            self.dataChanged.emit(self.index(start, 0), self.index(end, len(Column) - 1))
        if self._filter.sort == "id":
            newcomers.sort(key=lambda r: r.id)  # ascending: each new id lands above the last
        elif ranks is not None:
            newcomers.sort(key=lambda r: (ranks.get(r.id) is None, ranks.get(r.id) or 0))
        for row in newcomers:
            self._insert(row, ranks)

    def _insert(self, row: DocumentRow, ranks: dict[int, int | None] | None = None) -> None:
        if self._filter.sort == "id":
            if self._filter.descending:
                at = bisect.bisect_left(self._ids, -row.id, key=lambda i: -i)
            else:
                at = bisect.bisect_left(self._ids, row.id)
        else:
            if ranks is not None:
                rank = ranks.get(row.id)
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
            self._texts.clear()
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
        return 0 if parent.isValid() else len(_COLUMNS)

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
        return _FLAGS

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        # The view asks about 7 roles of every visible cell on every repaint: answers
        # that need no row come first, and the texts are made once per row (`_texts`).
        position = index.row()
        if not 0 <= position < len(self._ids) or not index.isValid():
            return None
        if role == _ROW_ID:
            return self._ids[position]
        column = index.column()
        if role == _ALIGNMENT:
            return _ALIGNMENTS[column]
        if role not in _ROW_ROLES or (role in _STATE_COLUMN_ROLES and column != _STATE_COLUMN):
            return None
        row = self._row_at(position)
        if row is None:  # deleted underneath us (never happens in normal use)
            return None
        if role == _DISPLAY:
            texts = self._texts.get(row.id)
            if texts is None:
                texts = self._texts[row.id] = tuple(self._display(row, c) for c in _COLUMNS)
            return texts[column]
        if role == _STATE:
            return row.state
        if column == _STATE_COLUMN:
            if role == _FOREGROUND:
                return labels.state_foreground(row.state, row.processing)
            if role == _BACKGROUND:
                return labels.state_background(row.state, row.processing)
            if role == _DECORATION:
                return labels.state_icon(row.state, row.processing)
            if role == _FONT:
                if self._bold is None:
                    self._bold = QFont()
                    self._bold.setBold(True)
                return self._bold
            label = labels.state_label(row.state, row.processing)  # the tooltip
            detail = code_and_message(row)
            return f"{label}\n{detail}" if detail else label
        # The tooltip of the other columns.
        if column == Column.MENSAJE:
            return code_and_message(row) or None
        if column == Column.CLIENTE:
            return row.customer_name
        if column == Column.NUMERO:
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
