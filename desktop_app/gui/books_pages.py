"""The Clientes and Productos screens: simple books with search, a form per entry,
delete, and import from a CSV file.

Search is SQL (accent-insensitive, `books.search_*`), 300 ms after the last key. The
book also fills itself from every saved invoice; these screens are where the shop
corrects it, adds what it sells, or loads its list from a spreadsheet.

For Paraguay, "Consultar RUC" asks DTEpy's RUC service (its api/dnit) for the name of
a RUC, when the DTEpy adapter offers `lookup_ruc` and a DTEpy profile exists; the
request runs off the GUI thread.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.money import format_amount
from desktop_app.gui.tasks import TaskRunner
from desktop_app.store.books import (
    ID_KINDS,
    PRODUCT_IVA_RATES,
    BookError,
    ImportReport,
    delete_customer,
    delete_product,
    get_customer,
    get_product,
    import_customers_csv,
    import_products_csv,
    save_customer,
    save_product,
    search_customers,
    search_products,
    tax_id_problem,
)
from desktop_app.store.db import Database
from desktop_app.store.profiles import default_profile, list_profiles

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
#: Rows a search shows at most (the book is searched, not scrolled).
SEARCH_LIMIT = 1000
ERROR_STYLE = "color: #b3261e;"


def lookup_ruc_function():
    """DTEpy's RUC lookup (`desktop_app.providers.dtepy.lookup_ruc`), if the adapter
    offers one; None otherwise."""
    try:
        from desktop_app.providers import dtepy
    except ImportError:
        return None
    return getattr(dtepy, "lookup_ruc", None)


def _dtepy_profile(db: Database):
    return next((p for p in list_profiles(db) if p.provider == "dtepy"), None)


class _BookModel(QAbstractTableModel):
    headers: tuple[str, ...] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.headers[section]) if 0 <= section < len(self.headers) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.right_columns:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    right_columns: tuple[int, ...] = ()

    def display(self, row: Any, column: int) -> str:
        raise NotImplementedError


class CustomersModel(_BookModel):
    headers = ("Nombre o razón social", "Tipo", "Número", "País", "Correo", "Teléfono", "Dirección")

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (
                self.tr("Nombre o razón social"),
                self.tr("Tipo"),
                self.tr("Número"),
                self.tr("País"),
                self.tr("Correo"),
                self.tr("Teléfono"),
                self.tr("Dirección"),
            )[section]
        return None

    def display(self, row, column: int) -> str:
        return (
            row.name,
            row.kind,
            row.tax_id,
            row.country,
            row.email or "",
            row.phone or "",
            row.address or "",
        )[column]


class ProductsModel(_BookModel):
    headers = ("Código", "Descripción", "Último precio", "IVA")
    right_columns = (2,)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (
                self.tr("Código"),
                self.tr("Descripción"),
                self.tr("Último precio"),
                self.tr("IVA"),
            )[section]
        if (
            orientation == Qt.Orientation.Horizontal
            and section == 2
            and role == Qt.ItemDataRole.TextAlignmentRole
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def display(self, row, column: int) -> str:
        if column == 0:
            return row.code or ""
        if column == 1:
            return row.description
        if column == 2:
            return format_amount(Decimal(row.price), row.currency)
        return f"{row.iva} %" if row.iva else self.tr("Exenta")


class _BookPage(QWidget):
    """Search on top, the table, and the buttons (each with its shortcut)."""

    model_class: type[_BookModel] = _BookModel
    object_name = "book_page"

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(self.object_name)
        self._db = db
        self._dirty = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.refresh)

        v = QVBoxLayout(self)
        v.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName(f"{self.object_name}_search")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(self.search_hint())
        self.search_edit.textChanged.connect(lambda _t: self._timer.start())
        self.search_edit.returnPressed.connect(self.refresh)
        search_label = QLabel(QCoreApplication.translate("BookPage", "&Buscar:"))
        search_label.setBuddy(self.search_edit)
        top.addWidget(search_label)
        top.addWidget(self.search_edit, 1)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #5f6368;")
        top.addWidget(self.count_label)
        v.addLayout(top)

        self.model = self.model_class(self)
        self.table = QTableView()
        self.table.setObjectName(f"{self.object_name}_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.table.activated.connect(lambda _i: self.edit_current())
        v.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.new_button = self._button(
            QCoreApplication.translate("BookPage", "Nuevo"),
            "Ctrl+Shift+N",
            self.new_entry,
            QCoreApplication.translate("BookPage", "Agregar uno nuevo"),
        )
        self.edit_button = self._button(
            QCoreApplication.translate("BookPage", "Editar"),
            "F2",
            self.edit_current,
            QCoreApplication.translate("BookPage", "Editar el seleccionado (también Intro)"),
        )
        self.delete_button = self._button(
            QCoreApplication.translate("BookPage", "Eliminar"),
            "Del",
            self.delete_current,
            QCoreApplication.translate("BookPage", "Eliminar el seleccionado"),
        )
        self.import_button = self._button(
            QCoreApplication.translate("BookPage", "Importar CSV…"),
            "Ctrl+I",
            self.import_csv,
            self.csv_hint(),
        )
        for b in (self.new_button, self.edit_button, self.delete_button, self.import_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.message_label = QLabel()
        self.message_label.setObjectName(f"{self.object_name}_message")
        self.message_label.setWordWrap(True)
        buttons.addWidget(self.message_label, 2)
        v.addLayout(buttons)

    def _button(self, text: str, keys: str, slot, tip: str) -> QPushButton:
        button = QPushButton(text)
        action = QAction(self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        native = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{tip} ({native})")
        button.setText(f"{text}  ({native})")
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- per book ------------------------------------------------------------------
    def search_hint(self) -> str:
        return ""

    def csv_hint(self) -> str:
        return ""

    def search(self, text: str) -> list[Any]:
        raise NotImplementedError

    def open_form(self, row: Any | None) -> QDialog:
        raise NotImplementedError

    def delete(self, row: Any) -> bool:
        raise NotImplementedError

    def describe(self, row: Any) -> str:
        raise NotImplementedError

    def run_import(self, path: str) -> ImportReport:
        raise NotImplementedError

    # -- behaviour -----------------------------------------------------------------
    def activate(self) -> None:
        if self._dirty:
            self.refresh()

    def mark_dirty(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        self._timer.stop()
        self._dirty = False
        current = self.current_row()
        rows = self.search(self.search_edit.text())
        self.model.set_rows(rows)
        self.count_label.setText(
            QCoreApplication.translate("BookPage", "{n} encontrados").format(n=len(rows))
        )
        for n, row in enumerate(rows):
            if current is not None and row.id == current.id:
                self.table.selectRow(n)
                break
        else:
            if rows:
                self.table.selectRow(0)
        self.edit_button.setEnabled(bool(rows))
        self.delete_button.setEnabled(bool(rows))

    def current_row(self) -> Any | None:
        index = self.table.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def new_entry(self) -> QDialog:
        dialog = self.open_form(None)
        dialog.accepted.connect(self._saved)
        dialog.open()
        return dialog

    def edit_current(self) -> QDialog | None:
        row = self.current_row()
        if row is None:
            return None
        dialog = self.open_form(row)
        dialog.accepted.connect(self._saved)
        dialog.open()
        return dialog

    def _saved(self) -> None:
        self.message_label.setStyleSheet("color: #1e6b34;")
        self.message_label.setText(QCoreApplication.translate("BookPage", "Guardado."))
        self.refresh()

    def delete_current(self) -> bool:
        row = self.current_row()
        if row is None:
            return False
        answer = QMessageBox.question(
            self,
            QCoreApplication.translate("BookPage", "Eliminar"),
            QCoreApplication.translate(
                "BookPage", "¿Eliminar «{name}»? Los documentos ya emitidos no cambian."
            ).format(name=self.describe(row)),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.delete(row)
        self.message_label.setStyleSheet("")
        self.message_label.setText(
            QCoreApplication.translate("BookPage", "Eliminado: {name}.").format(
                name=self.describe(row)
            )
        )
        self.refresh()
        return True

    def import_csv(self, path: str | None = None) -> ImportReport | None:
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(
                self,
                QCoreApplication.translate("BookPage", "Importar CSV"),
                "",
                QCoreApplication.translate("BookPage", "Archivos CSV (*.csv *.txt)"),
            )
            if not path:
                return None
        try:
            report = self.run_import(path)
        except OSError as exc:
            self.message_label.setStyleSheet(ERROR_STYLE)
            self.message_label.setText(
                QCoreApplication.translate(
                    "BookPage", "No se pudo leer el archivo: {error}"
                ).format(error=exc.strerror or exc)
            )
            return None
        text = QCoreApplication.translate(
            "BookPage", "Importados: {added} nuevos, {updated} actualizados."
        ).format(added=report.added, updated=report.updated)
        if report.errors:
            lines = [
                QCoreApplication.translate("BookPage", "Fila {row}: {message}").format(
                    row=r, message=m
                )
                for r, m in report.errors[:8]
            ]
            if len(report.errors) > 8:
                lines.append(
                    QCoreApplication.translate("BookPage", "… y {n} errores más.").format(
                        n=len(report.errors) - 8
                    )
                )
            text += (
                " "
                + QCoreApplication.translate(
                    "BookPage", "Filas con errores (no importadas): {n}."
                ).format(n=len(report.errors))
                + "\n"
                + "\n".join(lines)
            )
            self.message_label.setStyleSheet(ERROR_STYLE)
        else:
            self.message_label.setStyleSheet("color: #1e6b34;")
        self.message_label.setText(text)
        self.refresh()
        return report


class CustomersPage(_BookPage):
    model_class = CustomersModel
    object_name = "customers_page"

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        fm = self.table.fontMetrics()
        for column, sample in enumerate(
            ("M" * 20, "CUIT", "00-00000000-0", "PY", "nombre@correo.com.py", "0981 000 000")
        ):
            self.table.setColumnWidth(column, fm.horizontalAdvance(sample) + 24)
        self.table.horizontalHeader().setStretchLastSection(True)

    def search_hint(self) -> str:
        return self.tr("Nombre, RUC/NIT/CUIT, cédula, correo o teléfono (Ctrl+F)")

    def csv_hint(self) -> str:
        return self.tr(
            "Columnas: ruc (o documento, nit, cuit), razon_social (o nombre), "
            "email, telefono, direccion, tipo, pais"
        )

    def _country(self) -> str:
        profile = default_profile(self._db)
        return profile.country if profile else "PY"

    def search(self, text: str) -> list[Any]:
        return search_customers(self._db, text, limit=SEARCH_LIMIT)

    def open_form(self, row) -> QDialog:
        return CustomerDialog(self._db, row.id if row else None, self, country=self._country())

    def delete(self, row) -> bool:
        return delete_customer(self._db, row.id)

    def describe(self, row) -> str:
        return f"{row.name} ({row.kind} {row.tax_id})"

    def run_import(self, path: str) -> ImportReport:
        return import_customers_csv(self._db, path, country=self._country())


class ProductsPage(_BookPage):
    model_class = ProductsModel
    object_name = "products_page"

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        fm = self.table.fontMetrics()
        self.table.setColumnWidth(0, fm.horizontalAdvance("CODIGO-0000") + 24)
        self.table.setColumnWidth(1, fm.horizontalAdvance("M" * 30) + 24)
        self.table.setColumnWidth(2, fm.horizontalAdvance("000.000.000") + 24)
        self.table.horizontalHeader().setStretchLastSection(True)

    def search_hint(self) -> str:
        return self.tr("Código o descripción (Ctrl+F)")

    def csv_hint(self) -> str:
        return self.tr("Columnas: descripcion, precio (IVA incluido), iva (10, 5 o exenta), codigo")

    def search(self, text: str) -> list[Any]:
        return search_products(self._db, text, limit=SEARCH_LIMIT)

    def open_form(self, row) -> QDialog:
        return ProductDialog(self._db, row.id if row else None, self)

    def delete(self, row) -> bool:
        return delete_product(self._db, row.id)

    def describe(self, row) -> str:
        return row.description

    def run_import(self, path: str) -> ImportReport:
        return import_products_csv(self._db, path)


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def _with_error(field: QWidget, error: QLabel) -> QWidget:
    holder = QWidget()
    v = QVBoxLayout(holder)
    v.setContentsMargins(0, 0, 0, 0)
    v.setSpacing(2)
    v.addWidget(field)
    v.addWidget(error)
    return holder


def _show(label: QLabel, text: str | None) -> None:
    label.setText(text or "")
    label.setVisible(bool(text))


class CustomerDialog(QDialog):
    """One customer: the id is checked as it is typed (RUC and CUIT check digits)."""

    def __init__(
        self,
        db: Database,
        customer_id: int | None,
        parent: QWidget | None = None,
        *,
        country: str = "PY",
    ) -> None:
        super().__init__(parent)
        self._db = db
        self.customer_id = customer_id
        self.saved_id: int | None = None
        self.setObjectName("CustomerDialog")
        self.setWindowTitle(self.tr("Cliente") if customer_id else self.tr("Nuevo cliente"))
        self.tasks = TaskRunner(self)
        row = get_customer(db, customer_id) if customer_id else None

        form = QFormLayout(self)
        self.country_combo = QComboBox()
        self.country_combo.setObjectName("country_combo")
        for code, name in (("PY", "Paraguay"), ("BO", "Bolivia"), ("AR", "Argentina")):
            self.country_combo.addItem(name, code)
        self.country_combo.setCurrentIndex(
            max(0, self.country_combo.findData(row.country if row else country))
        )
        self.country_combo.currentIndexChanged.connect(self._country_changed)
        form.addRow(self.tr("&País:"), self.country_combo)

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("customer_kind_combo")
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._check_tax_id())
        form.addRow(self.tr("&Tipo de documento:"), self.kind_combo)

        self.tax_id_edit = QLineEdit(row.tax_id if row else "")
        self.tax_id_edit.setObjectName("tax_id_edit")
        self.tax_id_edit.setMaxLength(20)
        self.tax_id_edit.textEdited.connect(lambda _t: self._check_tax_id(final=False))
        self.tax_id_edit.editingFinished.connect(self._check_tax_id)
        self.tax_id_error = _error_label("tax_id_error")
        number_row = QHBoxLayout()
        number_row.addWidget(self.tax_id_edit, 1)
        self.lookup_button = QPushButton(self.tr("Consultar RUC"))
        self.lookup_button.setObjectName("lookup_button")
        self.lookup_button.setAutoDefault(False)
        self.lookup_button.clicked.connect(self.lookup)
        number_row.addWidget(self.lookup_button)
        holder = QWidget()
        holder.setLayout(number_row)
        number_row.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("&Número:"), _with_error(holder, self.tax_id_error))

        self.name_edit = QLineEdit(row.name if row else "")
        self.name_edit.setObjectName("customer_name_edit")
        self.name_edit.setMaxLength(255)
        self.name_error = _error_label("customer_name_error")
        form.addRow(
            self.tr("N&ombre o razón social:"), _with_error(self.name_edit, self.name_error)
        )
        self.email_edit = QLineEdit(row.email or "" if row else "")
        self.email_edit.setObjectName("email_edit")
        form.addRow(self.tr("&Correo:"), self.email_edit)
        self.phone_edit = QLineEdit(row.phone or "" if row else "")
        self.phone_edit.setObjectName("phone_edit")
        form.addRow(self.tr("Te&léfono:"), self.phone_edit)
        self.address_edit = QLineEdit(row.address or "" if row else "")
        self.address_edit.setObjectName("address_edit")
        form.addRow(self.tr("&Dirección:"), self.address_edit)

        self.error_label = _error_label("customer_error")
        form.addRow(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Guardar"))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip(
            self.tr("Guardar (Ctrl+S)")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setShortcut(
            QKeySequence("Ctrl+S")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancelar"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._country_changed()
        if row is not None:
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(row.kind)))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 42)

    def country(self) -> str:
        return str(self.country_combo.currentData())

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def _country_changed(self) -> None:
        current = self.kind_combo.currentData()
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        names = {
            "RUC": self.tr("RUC"),
            "CI": self.tr("Cédula de identidad"),
            "NIT": self.tr("NIT"),
            "CUIT": self.tr("CUIT"),
            "DNI": self.tr("DNI"),
            "OTRO": self.tr("Otro documento"),
        }
        for kind in ID_KINDS[self.country()]:
            self.kind_combo.addItem(names[kind], kind)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(current)))
        self.kind_combo.blockSignals(False)
        self._update_lookup()
        self._check_tax_id(final=False)

    def _update_lookup(self) -> None:
        available = lookup_ruc_function() is not None and _dtepy_profile(self._db) is not None
        self.lookup_button.setVisible(self.country() == "PY")
        self.lookup_button.setEnabled(available)
        self.lookup_button.setToolTip(
            self.tr("Consultar el nombre registrado en la DNIT (servicio de DTEpy)")
            if available
            else self.tr(
                "Consulta de RUC disponible con un perfil DTEpy, cuando su adaptador la ofrezca"
            )
        )

    def _check_tax_id(self, final: bool = True) -> str | None:
        text = self.tax_id_edit.text().strip()
        problem = None
        if text and (final or "-" in text or self.kind() != "RUC"):
            problem = tax_id_problem(self.country(), self.kind(), text)
        _show(self.tax_id_error, problem)
        return problem

    def lookup(self) -> None:
        """Ask DTEpy's RUC service for the registered name (off the GUI thread)."""
        function = lookup_ruc_function()
        profile = _dtepy_profile(self._db)
        ruc = self.tax_id_edit.text().strip()
        if function is None or profile is None or not ruc:
            return
        from desktop_app.credentials import api_key_for

        key = api_key_for(profile) or ""
        self.lookup_button.setEnabled(False)
        self.lookup_button.setText(self.tr("Consultando…"))
        self.tasks.run(
            lambda: function(ruc, base_url=profile.base_url, api_key=key), self._looked_up
        )

    def _looked_up(self, result: Any, error: Exception | None) -> None:
        self.lookup_button.setText(self.tr("Consultar RUC"))
        self._update_lookup()
        if error is not None or not result:
            _show(self.error_label, self.tr("La consulta de RUC no respondió; escriba el nombre."))
            return
        data = result if isinstance(result, dict) else getattr(result, "__dict__", {})
        name = data.get("razonSocial") or data.get("razon_social") or data.get("nombre")
        if name:
            self.name_edit.setText(str(name))
            _show(self.error_label, None)

    def save(self) -> bool:
        try:
            self.saved_id = save_customer(
                self._db,
                country=self.country(),
                kind=self.kind(),
                tax_id=self.tax_id_edit.text(),
                name=self.name_edit.text(),
                email=self.email_edit.text(),
                phone=self.phone_edit.text(),
                address=self.address_edit.text(),
                customer_id=self.customer_id,
            )
        except BookError as exc:
            _show(self.tax_id_error, exc.problems.get("tax_id") or exc.problems.get("kind"))
            _show(self.name_error, exc.problems.get("name"))
            _show(self.error_label, exc.problems.get(""))
            return False
        self.accept()
        return True


class ProductDialog(QDialog):
    def __init__(self, db: Database, product_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.product_id = product_id
        self.saved_id: int | None = None
        self.setObjectName("ProductDialog")
        self.setWindowTitle(self.tr("Producto") if product_id else self.tr("Nuevo producto"))
        row = get_product(db, product_id) if product_id else None

        form = QFormLayout(self)
        self.code_edit = QLineEdit(row.code or "" if row else "")
        self.code_edit.setObjectName("code_edit")
        self.code_edit.setMaxLength(50)
        form.addRow(self.tr("&Código:"), self.code_edit)
        self.description_edit = QLineEdit(row.description if row else "")
        self.description_edit.setObjectName("description_edit")
        self.description_error = _error_label("description_error")
        form.addRow(
            self.tr("&Descripción:"), _with_error(self.description_edit, self.description_error)
        )
        from desktop_app.gui.invoice_dialog import amount_text

        self.price_edit = QLineEdit(amount_text(Decimal(row.price)) if row else "")
        self.price_edit.setObjectName("price_edit")
        self.price_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.price_edit.setPlaceholderText(self.tr("Con IVA incluido, p. ej. 150.000"))
        self.price_error = _error_label("price_error")
        form.addRow(self.tr("&Precio:"), _with_error(self.price_edit, self.price_error))
        self.iva_combo = QComboBox()
        self.iva_combo.setObjectName("product_iva_combo")
        for rate in PRODUCT_IVA_RATES:
            self.iva_combo.addItem(f"{rate} %" if rate else self.tr("Exenta"), rate)
        if row is not None:
            self.iva_combo.setCurrentIndex(max(0, self.iva_combo.findData(row.iva)))
        form.addRow(self.tr("&IVA:"), self.iva_combo)
        self.error_label = _error_label("product_error")
        form.addRow(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Guardar"))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setShortcut(
            QKeySequence("Ctrl+S")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancelar"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)

    def save(self) -> bool:
        from desktop_app.gui.invoice_dialog import parse_amount

        text = self.price_edit.text().strip()
        price = parse_amount(text) if text else None
        try:
            self.saved_id = save_product(
                self._db,
                description=self.description_edit.text(),
                price=price,
                iva=int(self.iva_combo.currentData()),
                code=self.code_edit.text(),
                product_id=self.product_id,
            )
        except BookError as exc:
            _show(self.description_error, exc.problems.get("description"))
            price_problem = exc.problems.get("price")
            if price_problem and not text:
                price_problem = self.tr("Escriba el precio.")
            _show(self.price_error, price_problem)
            _show(self.error_label, exc.problems.get(""))
            return False
        self.accept()
        return True
