"""Completers over the customer book and the product list, for the invoice editor.

The popup lists what the store finds for the text typed (accent-insensitive, recent
first, at most `LIMIT` rows: one small query per keystroke), so the cashier can pick
with the arrow keys and Enter or just keep typing a new customer. Filtering happens in
SQL; the completer itself does not filter (UnfilteredPopupCompletion).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit

from desktop_app.domain.money import format_amount
from desktop_app.store.books import Customer, Product, search_customers, search_products
from desktop_app.store.db import Database

LIMIT = 12
#: The text a pick writes into the line edit it was opened from.
INSERT_ROLE = Qt.ItemDataRole.UserRole + 10
#: The picked row (a detached Customer or Product).
ROW_ROLE = Qt.ItemDataRole.UserRole + 11


class _BookCompleter(QCompleter):
    picked = Signal(object, object)  # the row, the QLineEdit it was picked from

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._items = QStandardItemModel(self)
        self.setModel(self._items)
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompletionRole(INSERT_ROLE)
        self.setMaxVisibleItems(LIMIT)
        self.activated[QModelIndex].connect(self._activated)
        self._edits: list[QLineEdit] = []

    def attach(self, edit: QLineEdit) -> None:
        """Serve `edit` too: the completer follows the focused edit (Qt does this)."""
        edit.setCompleter(self)
        edit.textEdited.connect(lambda text, e=edit: self.refresh(text, e))
        self._edits.append(edit)

    def refresh(self, text: str, edit: QLineEdit | None = None) -> None:
        if edit is not None and self.widget() is not edit:
            self.setWidget(edit)
        self._items.clear()
        for row in self._search(text):
            item = QStandardItem(self._label(row))
            item.setData(self._insert_text(row, edit), INSERT_ROLE)
            item.setData(row, ROW_ROLE)
            item.setEditable(False)
            self._items.appendRow(item)
        if self._items.rowCount() and (edit is None or edit.hasFocus()):
            self.complete()
        elif not self._items.rowCount():
            self.popup().hide()

    def _activated(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.picked.emit(row, self.widget())

    # -- per book ------------------------------------------------------------------
    def _search(self, text: str) -> list:
        raise NotImplementedError

    def _label(self, row) -> str:
        raise NotImplementedError

    def _insert_text(self, row, edit: QLineEdit | None) -> str:
        raise NotImplementedError


class CustomerCompleter(_BookCompleter):
    """Serves the tax id field and the name field; `number_edit` gets the tax id."""

    def __init__(self, db: Database, country: str, parent: QObject | None = None) -> None:
        super().__init__(db, parent)
        self.country = country
        self.number_edit: QLineEdit | None = None

    def _search(self, text: str) -> list[Customer]:
        return search_customers(self._db, text, country=self.country, limit=LIMIT)

    def _label(self, row: Customer) -> str:
        return f"{row.name}  ·  {row.kind} {row.tax_id}"

    def _insert_text(self, row: Customer, edit: QLineEdit | None) -> str:
        return row.tax_id if edit is not None and edit is self.number_edit else row.name


class ProductCompleter(_BookCompleter):
    """Serves every item's description field."""

    def _search(self, text: str) -> list[Product]:
        return search_products(self._db, text, limit=LIMIT)

    def _label(self, row: Product) -> str:
        iva = (
            QCoreApplication.translate("ProductCompleter", "IVA {rate} %").format(rate=row.iva)
            if row.iva
            else QCoreApplication.translate("ProductCompleter", "Exenta")
        )
        code = f"[{row.code}] " if row.code else ""
        return f"{code}{row.description}  ·  {format_amount(row.price, row.currency)}  ·  {iva}"

    def _insert_text(self, row: Product, edit: QLineEdit | None) -> str:
        return row.description
