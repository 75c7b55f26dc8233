"""The import preview: every row of the file, every error on its cell, before saving.

`ImportDialog` shows an `ImportPreview` (`importing.preview_import`): a table of the
file's rows (a hand-written model over the rows already in memory, fixed row height,
STYLE.md) where a cell with an error is red and carries its messages as a tooltip, and
the other rows of an invalid document are tinted; below it, the list of errors — a
click selects the cell. "Importar" stays disabled while any document has errors unless
"Importar solo los documentos válidos" is checked (all or nothing is the default), and
always when nothing valid is left.

The dialog only decides; `run_import_dialog` is the whole flow (preview, dialog,
`commit_import`) for a caller that has the database and the profile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.documents.importing import (
    CellError,
    ImportPreview,
    ImportResult,
    commit_import,
    preview_import,
)
from desktop_app.store.db import Database

ERROR_BACKGROUND = QColor("#f8c9cc")
INVALID_ROW_BACKGROUND = QColor("#fdeff0")
ROW_HEIGHT = 24

_Index = QModelIndex | QPersistentModelIndex


class PreviewModel(QAbstractTableModel):
    """Rows are the sheet's rows (the vertical header shows the sheet's row number, so it
    stays in sight while scrolling sideways); columns: "Doc." (the document's number in
    the file, 1-based, with ✓/✗; row-wide errors show here), then the file's columns."""

    FIXED = ("Doc.",)

    def __init__(self, preview: ImportPreview, parent: Any = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self._columns = list(preview.columns)
        self._cells = preview.cell_errors()
        self._owner = preview.row_document()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.preview.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.FIXED) + len(self._columns)

    def column_name(self, column: int) -> str | None:
        offset = column - len(self.FIXED)
        return self._columns[offset] if 0 <= offset < len(self._columns) else None

    def column_of(self, name: str | None) -> int:
        """The view column of a file column (the "Doc." column for row-wide errors)."""
        if name in self._columns:
            return len(self.FIXED) + self._columns.index(name)
        return 0

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.FIXED[section] if section < len(self.FIXED) else self.column_name(section)
        return str(section + 2)

    def _messages(self, sheet_row: int, column: int) -> list[str]:
        name = self.column_name(column)
        if column < len(self.FIXED):
            return self._cells.get((sheet_row, None), []) if column == 0 else []
        return self._cells.get((sheet_row, name), [])

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        sheet_row = index.row() + 2
        column = index.column()
        document = self._owner.get(sheet_row)
        invalid = document is not None and document in self.preview.errors
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                if document is None:
                    return ""
                return f"{document + 1} {'✗' if invalid else '✓'}"
            name = self.column_name(column)
            return self.preview.rows[index.row()].get(name or "", "")
        if role == Qt.ItemDataRole.BackgroundRole:
            if self._messages(sheet_row, column):
                return QBrush(ERROR_BACKGROUND)
            if invalid:
                return QBrush(INVALID_ROW_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            messages = self._messages(sheet_row, column)
            return "\n".join(messages) if messages else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column < len(self.FIXED):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class ImportDialog(QDialog):
    def __init__(self, preview: ImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(f"Importar {preview.path.name}")
        self.resize(1100, 640)

        self.summary = QLabel(preview.summary())
        self.summary.setWordWrap(True)
        self.model = PreviewModel(preview, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        horizontal = self.table.horizontalHeader()
        horizontal.setDefaultSectionSize(120)
        horizontal.resizeSection(0, 60)

        self.errors = QListWidget()
        self._error_items: list[CellError] = list(preview.all_errors())
        for message in preview.file_errors:
            self.errors.addItem(QListWidgetItem(message))
        for error in self._error_items:
            item = QListWidgetItem(str(error))
            item.setData(Qt.ItemDataRole.UserRole, (error.row, error.column))
            self.errors.addItem(item)
        self.errors.itemClicked.connect(self._go_to_error)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.errors)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        valid = len(preview.valid_indexes)
        self.only_valid = QCheckBox(f"Importar solo los documentos válidos ({valid})")
        self.only_valid.setVisible(bool(preview.errors) and not preview.file_errors)
        self.only_valid.toggled.connect(self._update_buttons)

        self.buttons = QDialogButtonBox()
        self.import_button = QPushButton("Importar")
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.only_valid)
        layout.addWidget(self.buttons)
        self._update_buttons()
        self._first_error = next(
            (
                self.errors.item(i)
                for i in range(self.errors.count())
                if self.errors.item(i).data(Qt.ItemDataRole.UserRole)
            ),
            None,
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        first, self._first_error = self._first_error, None
        if first is not None:  # open on the first problem, once the table has its size
            self.errors.setCurrentItem(first)
            QTimer.singleShot(0, lambda: self._go_to_error(first))

    def importable_count(self) -> int:
        if self.preview.file_errors:
            return 0
        if self.preview.errors and not self.only_valid.isChecked():
            return 0
        return len(self.preview.valid_indexes)

    def import_only_valid(self) -> bool:
        """The user's choice: True when the invalid documents are to be skipped."""
        return self.only_valid.isChecked()

    def _update_buttons(self) -> None:
        count = self.importable_count()
        self.import_button.setEnabled(count > 0)
        self.import_button.setText(
            f"Importar {count} documento{'s' if count != 1 else ''}" if count else "Importar"
        )

    def _go_to_error(self, item: QListWidgetItem) -> None:
        where = item.data(Qt.ItemDataRole.UserRole)
        if not where:
            return
        row, column = where
        index = self.model.index(row - 2, self.model.column_of(column))
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)


def run_import_dialog(
    db: Database, profile_id: int, country: str, path: str | Path, parent: QWidget | None = None
) -> ImportResult | None:
    """Preview `path`, let the user decide, save. None when the user cancels."""
    preview = preview_import(path, country, db=db, profile_id=profile_id)
    dialog = ImportDialog(preview, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    result = commit_import(db, profile_id, preview, only_valid=dialog.import_only_valid())
    if parent is not None:
        box = QMessageBox.information if result.ids else QMessageBox.warning
        box(parent, "Importación", result.message())
    return result
