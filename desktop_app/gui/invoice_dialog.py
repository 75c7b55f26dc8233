""" "Nueva factura": the cashier's one form.

Built for the counter: Enter moves to the next field, F2 adds an item, Ctrl+S saves,
totals follow every keystroke, and every problem is written in Spanish next to the
field that has it, keeping what was typed. Saving goes through `enqueue_documents`
(the same validation as imports) and is committed before the dialog closes
(DESIGN rule 1); the number is assigned by the store.

Amounts are typed the Paraguayan way: "1.500.000" (dots group thousands) and "2,5"
(comma for decimals); "2.5" is also read as two and a half, since a single dot
followed by other than three digits cannot be a thousands separator.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import IntEnum

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.document import Customer, Document, Item
from desktop_app.domain.money import format_amount, to_decimal
from desktop_app.domain.ruc import parse_ruc, ruc_error
from desktop_app.domain.totals import document_totals, item_total
from desktop_app.domain.validation import ValidationError
from desktop_app.store.db import Database
from desktop_app.store.models import ProviderProfile
from desktop_app.store.outbox import check_documents, enqueue_documents

log = logging.getLogger(__name__)

ERROR_COLOR = "#b3261e"
#: SIFEN convention for the receptor's name of an anonymous (innominado) sale.
INNOMINADO_NAME = "Sin Nombre"
#: D208 iTipIDRec values Lote offers in the form.
CEDULA_PARAGUAYA = 1
INNOMINADO = 5
CONTADO = 1
DEFAULT_QUANTITY = "1"

_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")
_PLAIN_NUMBER_RE = re.compile(r"[+-]?\d+(\.\d+)?")
_ITEM_PATH_RE = re.compile(r"^items\[(\d+)\](?:\.(\w+))?$")


def parse_amount(text: str) -> Decimal | None:
    """A number as a Paraguayan cashier types it; None when it is not one.

    "1.500.000" -> 1500000, "2,5" -> 2.5, "1.234,50" -> 1234.50, "2.5" -> 2.5.
    """
    t = text.strip().replace(" ", "").replace("\u00a0", "")
    if not t:
        return None
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    elif _THOUSANDS_RE.fullmatch(t):
        t = t.replace(".", "")
    if not _PLAIN_NUMBER_RE.fullmatch(t):
        return None
    return to_decimal(t)


def tipo_contribuyente_for(ruc: str) -> int:
    """D205 iTiContRec: RUCs of companies start with 80 (SET assigns them from the 80
    million range); a person's RUC is the cédula number. 1 física, 2 jurídica."""
    parsed = parse_ruc(ruc)
    return 2 if parsed is not None and parsed.base.startswith("80") else 1


class CustomerKind(IntEnum):
    RUC = 0
    CEDULA = 1
    INNOMINADO = 2


@dataclass(frozen=True)
class IvaChoice:
    label: str
    iva_tipo: int
    iva_base: int
    iva: int


#: E731/E733/E734: gravado 10 %, gravado 5 %, exento.
IVA_CHOICES = (
    IvaChoice(QT_TRANSLATE_NOOP("InvoiceDialog", "10 %"), 1, 100, 10),
    IvaChoice(QT_TRANSLATE_NOOP("InvoiceDialog", "5 %"), 1, 100, 5),
    IvaChoice(QT_TRANSLATE_NOOP("InvoiceDialog", "Exenta"), 3, 0, 0),
)


class ItemColumn(IntEnum):
    DESCRIPCION = 0
    CANTIDAD = 1
    PRECIO = 2
    IVA = 3
    TOTAL = 4


@dataclass
class ItemRow:
    """The widgets of one item line."""

    descripcion: QLineEdit
    cantidad: QLineEdit
    precio: QLineEdit
    iva: QComboBox

    @property
    def inputs(self) -> list[QWidget]:
        return [self.descripcion, self.cantidad, self.precio, self.iva]

    def is_blank(self) -> bool:
        """Nothing typed but the default quantity: a line the cashier did not use."""
        return (
            not self.descripcion.text().strip()
            and not self.precio.text().strip()
            and self.cantidad.text().strip() in ("", DEFAULT_QUANTITY)
        )


class InvoiceDialog(QDialog):
    """`InvoiceDialog(db, profile)`; after `accepted`, `saved_id` is the new document's id."""

    def __init__(
        self,
        db: Database,
        profile: ProviderProfile,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._profile = profile
        self._now = now
        self.saved_id: int | None = None
        self.rows: list[ItemRow] = []
        #: Errors the last save attempt found, by widget; cleared when the widget is edited.
        self._save_errors: dict[QWidget, str] = {}
        self._save_items_messages: list[str] = []
        self._stashed_customer = ("", "")
        self._live_number_problem: str | None = None

        self.setWindowTitle(self.tr("Nueva factura"))
        self.setObjectName("InvoiceDialog")
        self.setModal(True)
        self.setStyleSheet(
            f'QLineEdit[invalid="true"] {{ border: 1px solid {ERROR_COLOR}; '
            "background: #fff4f4; border-radius: 2px; padding: 1px; }"
            f'QLabel[role="error"] {{ color: {ERROR_COLOR}; }}'
        )

        layout = QVBoxLayout(self)
        layout.addWidget(self._build_header())
        layout.addWidget(self._build_customer())
        layout.addWidget(self._build_items(), 1)
        layout.addWidget(self._build_totals())

        self.errors_label = self._error_label()
        self.errors_label.setObjectName("errors_label")
        layout.addWidget(self.errors_label)

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.tr("Guardar"))
        self.save_button.setObjectName("save_button")
        self.save_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton)
        )
        self.save_button.setToolTip(self.tr("Guardar y encolar para enviar (Ctrl+S)"))
        self.save_button.setDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(self.tr("Cancelar"))
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)

        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        QShortcut(QKeySequence(Qt.Key.Key_F2), self, activated=self._add_item_and_focus)

        self.add_item()
        self._kind_changed()
        self._recompute()
        self.resize(900, 640)
        self.number_edit.setFocus()

    # -- building ------------------------------------------------------------------
    def _error_label(self) -> QLabel:
        label = QLabel()
        label.setProperty("role", "error")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.hide()
        return label

    def _build_header(self) -> QWidget:
        p = self._profile
        text = self.tr(
            "Perfil {profile} · Establecimiento {est} · Punto de expedición {punto} · "
            "Contado, en guaraníes · El número se asigna al guardar."
        ).format(profile=p.name, est=p.establecimiento, punto=p.punto)
        label = QLabel(text)
        label.setObjectName("header_label")
        label.setWordWrap(True)
        label.setStyleSheet("color: #5f6368;")
        return label

    def _build_customer(self) -> QWidget:
        box = QGroupBox(self.tr("Cliente"))
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kind_combo")
        self.kind_combo.addItem(self.tr("RUC"), CustomerKind.RUC)
        self.kind_combo.addItem(self.tr("Cédula de identidad"), CustomerKind.CEDULA)
        self.kind_combo.addItem(self.tr("Sin nombre (innominado)"), CustomerKind.INNOMINADO)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        form.addRow(self.tr("Tipo de cliente:"), self.kind_combo)

        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("number_edit")
        self.number_edit.setMaxLength(20)
        self.number_error = self._error_label()
        self.number_error.setObjectName("number_error")
        self.number_edit.textEdited.connect(lambda _t: self._customer_edited(self.number_edit))
        self.number_edit.editingFinished.connect(lambda: self._check_number(final=True))
        self.number_label = QLabel()
        form.addRow(self.number_label, self._with_error(self.number_edit, self.number_error))

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("name_edit")
        self.name_edit.setMaxLength(255)
        self.name_error = self._error_label()
        self.name_error.setObjectName("name_error")
        self.name_edit.textEdited.connect(lambda _t: self._customer_edited(self.name_edit))
        self.name_label = QLabel()
        form.addRow(self.name_label, self._with_error(self.name_edit, self.name_error))

        for widget in (self.kind_combo, self.number_edit, self.name_edit):
            widget.installEventFilter(self)
        return box

    @staticmethod
    def _with_error(field: QWidget, error: QLabel) -> QWidget:
        holder = QWidget()
        v = QVBoxLayout(holder)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(field)
        v.addWidget(error)
        return holder

    def _build_items(self) -> QWidget:
        box = QGroupBox(self.tr("Ítems"))
        v = QVBoxLayout(box)
        self.items_table = QTableWidget(0, len(ItemColumn))
        self.items_table.setObjectName("items_table")
        self.items_table.setHorizontalHeaderLabels(
            [
                self.tr("Descripción"),
                self.tr("Cantidad"),
                self.tr("Precio unitario"),
                self.tr("IVA"),
                self.tr("Total"),
            ]
        )
        header = self.items_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(ItemColumn.DESCRIPCION, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (ItemColumn.CANTIDAD, 100),
            (ItemColumn.PRECIO, 140),
            (ItemColumn.IVA, 100),
            (ItemColumn.TOTAL, 130),
        ):
            self.items_table.setColumnWidth(column, width)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.items_table.horizontalHeaderItem(ItemColumn.TOTAL).setTextAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.items_table.verticalHeader().setDefaultSectionSize(QLineEdit().sizeHint().height() + 8)
        self.items_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.items_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.items_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.items_table.setShowGrid(False)
        self.items_table.setMinimumHeight(160)
        v.addWidget(self.items_table)

        self.items_error = self._error_label()
        self.items_error.setObjectName("items_error")
        v.addWidget(self.items_error)

        buttons = QHBoxLayout()
        self.add_item_button = QPushButton(self.tr("Agregar ítem"))
        self.add_item_button.setObjectName("add_item_button")
        self.add_item_button.setToolTip(self.tr("Agregar ítem (F2)"))
        self.add_item_button.setAutoDefault(False)
        self.add_item_button.clicked.connect(self._add_item_and_focus)
        self.remove_item_button = QPushButton(self.tr("Quitar ítem"))
        self.remove_item_button.setObjectName("remove_item_button")
        self.remove_item_button.setToolTip(self.tr("Quitar el ítem donde está el cursor"))
        self.remove_item_button.setAutoDefault(False)
        self.remove_item_button.clicked.connect(self.remove_current_item)
        for button in (self.add_item_button, self.remove_item_button):
            # A click must not steal the cursor: "Quitar" acts on the line holding it.
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        buttons.addWidget(self.add_item_button)
        buttons.addWidget(self.remove_item_button)
        buttons.addStretch(1)
        hint = QLabel(self.tr("F2: nuevo ítem · Enter: campo siguiente · Ctrl+S: guardar"))
        hint.setStyleSheet("color: #5f6368;")
        buttons.addWidget(hint)
        v.addLayout(buttons)
        return box

    def _build_totals(self) -> QWidget:
        frame = QFrame()
        frame.setObjectName("totals")
        h = QHBoxLayout(frame)
        h.setContentsMargins(4, 0, 4, 0)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        self.total_labels: dict[str, QLabel] = {}
        cells = (
            ("gravada_10", self.tr("Gravada 10 %"), 0, 0),
            ("iva_10", self.tr("IVA 10 %"), 0, 2),
            ("gravada_5", self.tr("Gravada 5 %"), 1, 0),
            ("iva_5", self.tr("IVA 5 %"), 1, 2),
            ("exenta", self.tr("Exentas"), 2, 0),
            ("iva_total", self.tr("Total IVA"), 2, 2),
        )
        for key, caption, row, column in cells:
            value = QLabel("0")
            value.setObjectName(f"total_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(110)
            grid.addWidget(QLabel(caption + ":"), row, column)
            grid.addWidget(value, row, column + 1)
            self.total_labels[key] = value
        grid.setColumnMinimumWidth(2, 90)
        h.addLayout(grid)
        h.addStretch(1)

        total_box = QVBoxLayout()
        caption = QLabel(self.tr("Total (Gs.)"))
        caption.setAlignment(Qt.AlignmentFlag.AlignRight)
        total = QLabel("0")
        total.setObjectName("total_total")
        total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        font = total.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        total.setFont(font)
        total.setMinimumWidth(200)
        self.total_labels["total"] = total
        total_box.addWidget(caption)
        total_box.addWidget(total)
        total_box.addStretch(1)
        h.addLayout(total_box)
        return frame

    # -- items ---------------------------------------------------------------------
    def add_item(self) -> ItemRow:
        r = self.items_table.rowCount()
        self.items_table.insertRow(r)
        desc = QLineEdit()
        desc.setMaxLength(2000)
        qty = QLineEdit(DEFAULT_QUANTITY)
        price = QLineEdit()
        for edit in (qty, price):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        iva = QComboBox()
        for choice in IVA_CHOICES:
            iva.addItem(QCoreApplication.translate("InvoiceDialog", choice.label), choice)
        row = ItemRow(desc, qty, price, iva)
        self.items_table.setCellWidget(r, ItemColumn.DESCRIPCION, desc)
        self.items_table.setCellWidget(r, ItemColumn.CANTIDAD, qty)
        self.items_table.setCellWidget(r, ItemColumn.PRECIO, price)
        self.items_table.setCellWidget(r, ItemColumn.IVA, iva)
        total = QTableWidgetItem("")
        total.setFlags(Qt.ItemFlag.ItemIsEnabled)
        total.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.items_table.setItem(r, ItemColumn.TOTAL, total)
        for widget in row.inputs:
            widget.installEventFilter(self)
        for edit in (desc, qty, price):
            edit.textEdited.connect(lambda _t, w=edit: self._item_edited(w))
        iva.currentIndexChanged.connect(lambda _i, w=iva: self._item_edited(w))
        self.rows.append(row)
        self._recompute()
        return row

    def _add_item_and_focus(self) -> None:
        row = self.add_item()
        self.items_table.scrollToBottom()
        row.descripcion.setFocus()

    def remove_current_item(self) -> None:
        """Remove the item holding the cursor (else the last one)."""
        if not self.rows:
            return
        focus = self.focusWidget()
        index = next((i for i, r in enumerate(self.rows) if focus in r.inputs), len(self.rows) - 1)
        row = self.rows.pop(index)
        for widget in row.inputs:
            self._save_errors.pop(widget, None)
        self.items_table.removeRow(index)
        self._save_items_messages = []
        if self.rows:
            self.rows[min(index, len(self.rows) - 1)].descripcion.setFocus()
        self._recompute()

    def _item_edited(self, widget: QWidget) -> None:
        self._save_errors.pop(widget, None)
        self._save_items_messages = []
        self._recompute()

    def _row_items(self) -> tuple[list[Item], dict[QWidget, str]]:
        """Items of the filled lines (trailing blank lines are ignored) and the typing
        errors by widget. Item i is table row i, so the domain's "ítem 2" is row 2."""
        last = len(self.rows)
        while last > 0 and self.rows[last - 1].is_blank():
            last -= 1
        items: list[Item] = []
        problems: dict[QWidget, str] = {}
        for index, row in enumerate(self.rows[:last]):
            qty = self._parse_cell(row.cantidad, index, self.tr("Cantidad"), problems)
            price = self._parse_cell(row.precio, index, self.tr("Precio unitario"), problems)
            choice: IvaChoice = row.iva.currentData()
            items.append(
                Item(
                    descripcion=row.descripcion.text().strip(),
                    cantidad=qty if qty is not None else Decimal(0),
                    precio_unitario=price if price is not None else Decimal(0),
                    iva_tipo=choice.iva_tipo,
                    iva_base=choice.iva_base,
                    iva=choice.iva,
                )
            )
        return items, problems

    def _parse_cell(
        self, edit: QLineEdit, index: int, field: str, problems: dict[QWidget, str]
    ) -> Decimal | None:
        text = edit.text().strip()
        if not text:
            problems[edit] = self.tr("{field} del ítem {n}: falta este dato.").format(
                field=field, n=index + 1
            )
            return None
        value = parse_amount(text)
        if value is None:
            problems[edit] = self.tr(
                "{field} del ítem {n}: «{text}» no es un número (escriba, por ejemplo, "
                "3, 1,5 o 150.000)."
            ).format(field=field, n=index + 1, text=text)
        return value

    def _recompute(self) -> None:
        """Line totals, document totals and item error marks, on every edit."""
        items, problems = self._row_items()
        valid_items = []
        for index, row in enumerate(self.rows):
            cell = self.items_table.item(index, ItemColumn.TOTAL)
            if index < len(items) and row.cantidad not in problems and row.precio not in problems:
                valid_items.append(items[index])
                cell.setText(format_amount(item_total(items[index])))
            else:
                cell.setText("")
        totals = document_totals(self._document(valid_items))
        for key, label in self.total_labels.items():
            label.setText(format_amount(getattr(totals, key)))
        # Typing errors show only for what the user has touched: an empty price on a
        # line just added is not an error yet; the save reports it.
        live = {w: m for w, m in problems.items() if w.text().strip()}
        self._render_item_errors(live)

    def _render_item_errors(self, live: dict[QWidget, str]) -> None:
        marks = dict(self._save_errors)
        marks.update(live)
        messages: list[str] = []
        for row in self.rows:
            for widget in row.inputs:
                message = marks.get(widget)
                _set_invalid(widget, message)
                if message and message not in messages:
                    messages.append(message)
        messages.extend(m for m in self._save_items_messages if m not in messages)
        _show(self.items_error, "\n".join(messages))

    # -- customer ------------------------------------------------------------------
    def kind(self) -> CustomerKind:
        return CustomerKind(self.kind_combo.currentData())

    def _kind_changed(self) -> None:
        kind = self.kind()
        innominado = kind is CustomerKind.INNOMINADO
        if innominado and self.number_edit.isEnabled():
            self._stashed_customer = (self.number_edit.text(), self.name_edit.text())
            self.number_edit.clear()
            self.name_edit.setText(INNOMINADO_NAME)
        elif not innominado and not self.number_edit.isEnabled():
            self.number_edit.setText(self._stashed_customer[0])
            self.name_edit.setText(self._stashed_customer[1])
        self.number_edit.setEnabled(not innominado)
        self.name_edit.setEnabled(not innominado)
        if kind is CustomerKind.RUC:
            self.number_label.setText(self.tr("RUC:"))
            self.number_edit.setPlaceholderText(self.tr("80012345-6 (con dígito verificador)"))
            self.name_label.setText(self.tr("Razón social:"))
            self.name_edit.setPlaceholderText(self.tr("Nombre o razón social del cliente"))
        elif kind is CustomerKind.CEDULA:
            self.number_label.setText(self.tr("Cédula:"))
            self.number_edit.setPlaceholderText(self.tr("Solo dígitos, sin puntos"))
            self.name_label.setText(self.tr("Nombre:"))
            self.name_edit.setPlaceholderText(self.tr("Nombre y apellido"))
        else:
            self.number_label.setText(self.tr("Documento:"))
            self.number_edit.setPlaceholderText(self.tr("No hace falta"))
            self.name_label.setText(self.tr("Nombre:"))
        self._save_errors.pop(self.number_edit, None)
        self._save_errors.pop(self.name_edit, None)
        self._check_number(final=False)
        self._show_customer_errors()

    def _customer_edited(self, widget: QWidget) -> None:
        self._save_errors.pop(widget, None)
        self._check_number(final=False)
        self._show_customer_errors()

    def _number_problem(self, final: bool) -> str | None:
        """The live check of the RUC or cédula field. While typing, a RUC's shape is
        judged only once it has its dash (so "8006" is not an error yet); its check
        digit as soon as there is one. On leaving the field, the shape too."""
        text = self.number_edit.text().strip()
        kind = self.kind()
        if not text or kind is CustomerKind.INNOMINADO:
            return None
        if kind is CustomerKind.RUC:
            if not final and (parse_ruc(text) is None and not re.search(r"-\s*\S", text)):
                return None
            return ruc_error(text)
        if not text.isdigit():
            return self.tr("Una cédula paraguaya lleva solo dígitos, sin puntos ni guiones.")
        return None

    def _check_number(self, final: bool) -> None:
        self._live_number_problem = self._number_problem(final)
        self._show_customer_errors()

    def _show_customer_errors(self) -> None:
        number_message = self._live_number_problem or self._save_errors.get(self.number_edit)
        _set_invalid(self.number_edit, number_message)
        _show(self.number_error, number_message or "")
        name_message = self._save_errors.get(self.name_edit)
        _set_invalid(self.name_edit, name_message)
        _show(self.name_error, name_message or "")

    def _customer(self) -> Customer:
        kind = self.kind()
        name = self.name_edit.text().strip()
        number = self.number_edit.text().strip()
        if kind is CustomerKind.RUC:
            return Customer(
                contribuyente=True,
                razon_social=name,
                ruc=number or None,
                tipo_operacion=1,
                tipo_contribuyente=tipo_contribuyente_for(number),
            )
        if kind is CustomerKind.CEDULA:
            return Customer(
                contribuyente=False,
                razon_social=name,
                documento_tipo=CEDULA_PARAGUAYA,
                documento_numero=number or None,
                tipo_operacion=2,
            )
        return Customer(
            contribuyente=False,
            razon_social=INNOMINADO_NAME,
            documento_tipo=INNOMINADO,
            tipo_operacion=2,
        )

    # -- saving --------------------------------------------------------------------
    def _document(self, items: list[Item]) -> Document:
        return Document(
            cliente=self._customer(),
            items=items,
            fecha=self._now().replace(microsecond=0),
            establecimiento=self._profile.establecimiento,
            punto=self._profile.punto,
            condicion_tipo=CONTADO,
        )

    def save(self) -> bool:
        """Validate, queue and close; on any problem keep the input and show why."""
        if self.saved_id is not None:
            return True
        self._save_errors.clear()
        self._save_items_messages = []
        _show(self.errors_label, "")
        items, problems = self._row_items()
        doc = self._document(items)
        if problems:
            # Numbers that make no sense: save nothing, but report every other problem
            # too (the same checks the store makes), so one attempt shows them all.
            _valid, invalid = check_documents([doc])
            others = [e for e in invalid.get(0, []) if self._widget_for(e.field) not in problems]
            self._save_errors.update(problems)
            self._show_validation_errors(others)
            self._focus_first_error()
            return False
        try:
            result = enqueue_documents(self._db, self._profile.id, [doc], actor="user")
        except Exception:
            log.exception("saving an invoice failed")
            _show(
                self.errors_label,
                self.tr(
                    "No se pudo guardar la factura por un error inesperado. Sus datos siguen en "
                    "pantalla: intente de nuevo."
                ),
            )
            return False
        if result.errors:
            self._show_validation_errors(result.errors.get(0, []))
            self._focus_first_error()
            return False
        self.saved_id = result.ids[0]
        self.accept()
        return True

    def _show_validation_errors(self, errors: list[ValidationError]) -> None:
        unmapped: list[str] = []
        for err in errors:
            target = self._widget_for(err.field)
            if isinstance(target, QWidget):
                self._save_errors.setdefault(target, err.message)
            elif target == "items":
                self._save_items_messages.append(err.message)
            else:
                unmapped.append(err.message)
        self._render_item_errors({})
        self._show_customer_errors()
        summary = [self.tr("No se guardó nada: revise los datos marcados en rojo.")]
        _show(self.errors_label, "\n".join(summary + unmapped))

    def _widget_for(self, path: str) -> QWidget | str | None:
        """The widget a validation error's JSON path points at; "items" for errors about
        the item list or a whole line; None for the rest (listed at the bottom)."""
        if path in (
            "cliente.ruc",
            "cliente.tipoContribuyente",
            "cliente.documentoNumero",
            "cliente.documentoTipo",
        ):
            return self.number_edit
        if path == "cliente.razonSocial":
            return self.name_edit
        if path == "items":
            return "items"
        m = _ITEM_PATH_RE.match(path)
        if m is None:
            return None
        index, key = int(m.group(1)), m.group(2)
        if index >= len(self.rows):
            return "items"
        row = self.rows[index]
        return {
            "descripcion": row.descripcion,
            "cantidad": row.cantidad,
            "precioUnitario": row.precio,
            "iva": row.iva,
            "ivaTipo": row.iva,
            "ivaBase": row.iva,
        }.get(key or "", "items")

    def _focus_first_error(self) -> None:
        for widget in self._input_order():
            if widget in self._save_errors:
                widget.setFocus()
                return

    # -- keyboard ------------------------------------------------------------------
    def _input_order(self) -> list[QWidget]:
        order: list[QWidget] = [self.kind_combo, self.number_edit, self.name_edit]
        for row in self.rows:
            order.extend(row.inputs)
        return [w for w in order if w.isEnabled()]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter moves to the next field (the last one moves to Guardar)."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            order = self._input_order()
            if watched in order:
                position = order.index(watched)
                if position + 1 < len(order):
                    order[position + 1].setFocus(Qt.FocusReason.TabFocusReason)
                    if isinstance(order[position + 1], QLineEdit):
                        order[position + 1].selectAll()
                    return True
                self.save_button.setFocus(Qt.FocusReason.TabFocusReason)
                return True
        return super().eventFilter(watched, event)


def _set_invalid(widget: QWidget, message: str | None) -> None:
    invalid = bool(message)
    if widget.property("invalid") != invalid:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)
    widget.setToolTip(message or "")


def _show(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))
