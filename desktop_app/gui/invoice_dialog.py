""" "Nueva factura": the cashier's one form (and "Corregir y reenviar" of a rejected one).

Built for the counter: Enter moves to the next field, F2 adds an item, F4 looks the
customer up in the book, Ctrl+S saves, totals per IVA rate follow every keystroke, and
every problem is written in Spanish next to the field that has it, keeping what was
typed. The customer is picked from the customer book or typed (the RUC's check digit
is checked as it is typed); each item's description offers the product list with its
last price and IVA rate. Cash sales name the payment type (efectivo, tarjeta, cheque,
transferencia); credit sales a term or instalments.

Saving goes through `enqueue_documents` (the same validation as imports) and is
committed before the dialog closes (DESIGN rule 1); the number is assigned by the
store. In correction mode (`correct_id`) saving goes through
`corrections.resend_corrected`: the same number, queued again. After either, the
customer and the products are remembered in the books.

Amounts are typed the Paraguayan way: "1.500.000" (dots group thousands) and "2,5"
(comma for decimals); "2.5" is also read as two and a half, since a single dot
followed by other than three digits cannot be a thousands separator.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
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
    QSpinBox,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.document import Customer, Document, Item, Payment, document_from_json
from desktop_app.domain.money import format_amount, to_decimal
from desktop_app.domain.numbering import format_numero
from desktop_app.domain.ruc import parse_ruc, ruc_error
from desktop_app.domain.totals import document_totals, item_total
from desktop_app.domain.validation import ValidationError
from desktop_app.gui.pickers import CustomerCompleter, ProductCompleter
from desktop_app.gui.screen import fit_to_screen, scrollable
from desktop_app.store.books import SoldItem, remember_customer, remember_products
from desktop_app.store.corrections import CorrectionRefused, resend_corrected
from desktop_app.store.db import Database
from desktop_app.store.lote_queries import number_sequences
from desktop_app.store.models import Document as DocumentRow
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
CREDITO = 2
DEFAULT_QUANTITY = "1"
#: SIFEN E7.1 iTiPago values the form offers for a cash sale.
PAGO_EFECTIVO, PAGO_CHEQUE, PAGO_TARJETA_CREDITO, PAGO_TARJETA_DEBITO, PAGO_TRANSFERENCIA = (
    1,
    2,
    3,
    4,
    5,
)
PAYMENT_TYPES = (
    (PAGO_EFECTIVO, QT_TRANSLATE_NOOP("InvoiceDialog", "Efectivo")),
    (PAGO_TARJETA_CREDITO, QT_TRANSLATE_NOOP("InvoiceDialog", "Tarjeta de crédito")),
    (PAGO_TARJETA_DEBITO, QT_TRANSLATE_NOOP("InvoiceDialog", "Tarjeta de débito")),
    (PAGO_CHEQUE, QT_TRANSLATE_NOOP("InvoiceDialog", "Cheque")),
    (PAGO_TRANSFERENCIA, QT_TRANSLATE_NOOP("InvoiceDialog", "Transferencia")),
)
#: SIFEN E7.1.1 iDenTarj: the card's brand.
CARD_BRANDS = (
    (1, "Visa"),
    (2, "Mastercard"),
    (3, "American Express"),
    (4, "Maestro"),
    (5, "Panal"),
    (6, "Cabal"),
    (99, QT_TRANSLATE_NOOP("InvoiceDialog", "Otra")),
)
#: FacturaSend's credito.tipo (SIFEN E7.2 iCondCred): 1 plazo, 2 cuotas.
CREDITO_PLAZO, CREDITO_CUOTAS = 1, 2
_DIGITS_RE = re.compile(r"^\d+$")

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
    #: What the form does not show but the item keeps (a product's code, a corrected
    #: document's unit and extra keys).
    codigo: str | None = None
    unidad_medida: int = 77
    extra: dict[str, Any] = field(default_factory=dict)

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


def amount_text(value: Decimal) -> str:
    """An amount as the form shows it and `parse_amount` reads it back: "150.000",
    "10,5"."""
    if value == value.to_integral_value():
        return format_amount(value)
    return f"{value.normalize():f}".replace(".", ",")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return min(
        day.replace(year=year, month=month, day=1) + timedelta(days=day.day - 1),
        following - timedelta(days=1),
    )


def instalments(total: Decimal, count: int, first_due: date) -> list[tuple[date, Decimal]]:
    """`count` monthly instalments adding up to `total` exactly (the last one takes the
    remainder of the division, guaraníes having no decimals)."""
    count = max(1, count)
    share = (total / count).to_integral_value(rounding="ROUND_DOWN")
    out = [(add_months(first_due, n), share) for n in range(count)]
    out[-1] = (out[-1][0], total - share * (count - 1))
    return out


class InvoiceDialog(QDialog):
    """`InvoiceDialog(db, profile)`; after `accepted`, `saved_id` is the new document's id.

    With `correct_id`, the dialog edits a copy of that rejected document and saving
    queues it again under the same number (`saved_id` is then that document's id,
    or a new one when the provider said the number is taken)."""

    def __init__(
        self,
        db: Database,
        profile: ProviderProfile,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] = datetime.now,
        correct_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._profile = profile
        self._now = now
        self.correct_id = correct_id
        self.saved_id: int | None = None
        #: After a correction: True when it had to take a new number.
        self.saved_with_new_number = False
        self.rows: list[ItemRow] = []
        #: Errors the last save attempt found, by widget; cleared when the widget is edited.
        self._save_errors: dict[QWidget, str] = {}
        self._save_items_messages: list[str] = []
        self._stashed_customer = ("", "")
        self._live_number_problem: str | None = None
        #: The book entry the customer fields were filled from (its email, address...).
        self._picked_customer = None
        self._original: Document | None = None
        self._original_row: DocumentRow | None = None
        if correct_id is not None:
            self._load_original(correct_id)

        self.customers = CustomerCompleter(db, profile.country, self)
        self.customers.picked.connect(self._customer_picked)
        self.products = ProductCompleter(db, self)
        self.products.picked.connect(self._product_picked)

        if self._original_row is not None:
            self.setWindowTitle(
                self.tr("Corregir y reenviar {numero}").format(numero=self._original_numero())
            )
        else:
            self.setWindowTitle(self.tr("Nueva factura"))
        self.setObjectName("InvoiceDialog")
        self.setModal(True)
        self.setStyleSheet(
            f'QLineEdit[invalid="true"], QComboBox[invalid="true"] {{ border: 1px solid {ERROR_COLOR}; '
            "background: #fff4f4; border-radius: 2px; padding: 1px; }"
            f'QLabel[role="error"] {{ color: {ERROR_COLOR}; }}'
        )

        layout = QVBoxLayout(self)
        # The form scrolls when the screen is short (200 % scaling on a 1080p screen);
        # the errors and the buttons stay in view.
        body = QWidget()
        body.setObjectName("invoice_body")
        form = QVBoxLayout(body)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self._build_header())
        form.addWidget(self._build_customer())
        form.addWidget(self._build_items(), 1)
        form.addWidget(self._build_payment())
        form.addWidget(self._build_totals())
        self.body_scroll = scrollable(body)
        layout.addWidget(self.body_scroll, 1)

        self.errors_label = self._error_label()
        self.errors_label.setObjectName("errors_label")
        layout.addWidget(self.errors_label)

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton(
            self.tr("Guardar y reenviar") if correct_id is not None else self.tr("Guardar")
        )
        self.save_button.setObjectName("save_button")
        self.save_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton)
        )
        self.save_button.setToolTip(self.tr("Guardar y encolar para enviar (Ctrl+S)"))
        self.save_button.setDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(self.tr("Cancelar"))
        self.cancel_button.setToolTip(self.tr("Cerrar sin guardar (Esc)"))
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)

        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        QShortcut(QKeySequence(Qt.Key.Key_F2), self, activated=self._add_item_and_focus)
        QShortcut(QKeySequence(Qt.Key.Key_F4), self, activated=self.find_customer)

        if self._original is not None:
            self._prefill(self._original)
        else:
            self.add_item()
        self._kind_changed()
        self._payment_changed()
        self._recompute()
        self._update_tab_order()
        em = self.fontMetrics().horizontalAdvance("M")
        fit_to_screen(self, max(900, em * 70), max(700, self.fontMetrics().height() * 40))
        self.number_edit.setFocus()

    # -- building ------------------------------------------------------------------
    def _error_label(self) -> QLabel:
        label = QLabel()
        label.setProperty("role", "error")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.hide()
        return label

    def _next_number_text(self) -> str:
        p = self._profile
        if p.id is None:
            return "?"
        try:
            rows = number_sequences(self._db, p.id)
        except Exception:  # the header is a courtesy: never block the form
            log.exception("reading the next number failed")
            return "?"
        for row in rows:
            if (row.tipo_documento, row.establecimiento, row.punto) == (
                1,
                p.establecimiento,
                p.punto,
            ):
                return format_numero(p.establecimiento, p.punto, row.next_numero)
        return format_numero(p.establecimiento, p.punto, 1)

    def _original_numero(self) -> str:
        row = self._original_row
        assert row is not None
        return format_numero(row.establecimiento, row.punto, row.numero)

    def _build_header(self) -> QWidget:
        p = self._profile
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        if self._original_row is not None:
            row = self._original_row
            text = self.tr(
                "Perfil {profile} · Número {numero}: se conserva, porque un documento "
                "rechazado nunca fue emitido."
            ).format(profile=p.name, numero=self._original_numero())
            rejection = QLabel(
                self.tr("Rechazado: {motivo}").format(
                    motivo=" · ".join(x for x in (row.code, row.message) if x) or "—"
                )
            )
            rejection.setObjectName("rejection_label")
            rejection.setWordWrap(True)
            rejection.setStyleSheet(
                f"color: {ERROR_COLOR}; background: #fbe6e6; border-radius: 3px; padding: 4px 8px;"
            )
            v.addWidget(rejection)
        else:
            text = self.tr(
                "Perfil {profile} · Establecimiento {est} · Punto de expedición {punto} · "
                "En guaraníes · Próximo número: {numero} (se asigna al guardar)."
            ).format(
                profile=p.name,
                est=p.establecimiento,
                punto=p.punto,
                numero=self._next_number_text(),
            )
        label = QLabel(text)
        label.setObjectName("header_label")
        label.setWordWrap(True)
        label.setStyleSheet("color: #5f6368;")
        v.addWidget(label)
        if self._original_row is not None:
            self.today_check = QCheckBox(self.tr("Emitir con la fecha de hoy (nuevo CDC)"))
            self.today_check.setObjectName("today_check")
            self.today_check.setToolTip(
                self.tr("Sin marcar, el documento conserva su fecha {fecha} y su CDC.").format(
                    fecha=self._original_row.fecha.strftime("%d/%m/%Y %H:%M")
                )
            )
            v.addWidget(self.today_check)
        return box

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
        kind_label = QLabel(self.tr("&Tipo de cliente:"))
        kind_label.setBuddy(self.kind_combo)
        form.addRow(kind_label, self.kind_combo)

        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("number_edit")
        self.number_edit.setMaxLength(20)
        self.number_error = self._error_label()
        self.number_error.setObjectName("number_error")
        self.number_edit.textEdited.connect(lambda _t: self._customer_edited(self.number_edit))
        self.number_edit.editingFinished.connect(lambda: self._check_number(final=True))
        self.number_label = QLabel()
        self.number_label.setBuddy(self.number_edit)
        form.addRow(self.number_label, self._with_error(self.number_edit, self.number_error))

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("name_edit")
        self.name_edit.setMaxLength(255)
        self.name_error = self._error_label()
        self.name_error.setObjectName("name_error")
        self.name_edit.textEdited.connect(lambda _t: self._customer_edited(self.name_edit))
        self.name_label = QLabel()
        self.name_label.setBuddy(self.name_edit)
        form.addRow(self.name_label, self._with_error(self.name_edit, self.name_error))

        self.customers.number_edit = self.number_edit
        self.customers.attach(self.number_edit)
        self.customers.attach(self.name_edit)
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
        em = self.fontMetrics().horizontalAdvance("0")
        for column, width in (
            (ItemColumn.CANTIDAD, em * 10),
            (ItemColumn.PRECIO, em * 14),
            (ItemColumn.IVA, em * 10),
            (ItemColumn.TOTAL, em * 13),
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
        self.items_table.setMinimumHeight(
            self.items_table.verticalHeader().defaultSectionSize() * 4
        )
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
        hint = QLabel(
            self.tr(
                "F2: nuevo ítem · F4: buscar cliente · Enter: campo siguiente · Ctrl+S: guardar"
            )
        )
        hint.setObjectName("keys_hint")
        hint.setStyleSheet("color: #5f6368;")
        buttons.addWidget(hint)
        v.addLayout(buttons)
        return box

    def _build_payment(self) -> QWidget:
        box = QGroupBox(self.tr("Pago"))
        box.setObjectName("payment_box")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(8)

        self.condition_combo = QComboBox()
        self.condition_combo.setObjectName("condition_combo")
        self.condition_combo.addItem(self.tr("Contado"), CONTADO)
        self.condition_combo.addItem(self.tr("Crédito"), CREDITO)
        self.condition_combo.currentIndexChanged.connect(self._payment_changed)
        condition_label = QLabel(self.tr("C&ondición:"))
        condition_label.setBuddy(self.condition_combo)
        grid.addWidget(condition_label, 0, 0)
        grid.addWidget(self.condition_combo, 0, 1)

        # Contado: payment type and its details.
        self.payment_combo = QComboBox()
        self.payment_combo.setObjectName("payment_combo")
        for code, text in PAYMENT_TYPES:
            self.payment_combo.addItem(QCoreApplication.translate("InvoiceDialog", text), code)
        self.payment_combo.currentIndexChanged.connect(self._payment_changed)
        self.payment_label = QLabel(self.tr("&Forma de pago:"))
        self.payment_label.setBuddy(self.payment_combo)
        grid.addWidget(self.payment_label, 0, 2)
        grid.addWidget(self.payment_combo, 0, 3)

        self.card_brand_combo = QComboBox()
        self.card_brand_combo.setObjectName("card_brand_combo")
        for code, text in CARD_BRANDS:
            self.card_brand_combo.addItem(QCoreApplication.translate("InvoiceDialog", text), code)
        self.card_brand_label = QLabel(self.tr("Tarjeta:"))
        self.card_auth_edit = QLineEdit()
        self.card_auth_edit.setObjectName("card_auth_edit")
        self.card_auth_edit.setPlaceholderText(self.tr("Opcional"))
        self.card_auth_edit.setMaxLength(10)
        self.card_auth_label = QLabel(self.tr("Nº de autorización:"))
        self.cheque_number_edit = QLineEdit()
        self.cheque_number_edit.setObjectName("cheque_number_edit")
        self.cheque_number_edit.setMaxLength(8)
        self.cheque_number_label = QLabel(self.tr("Nº de cheque:"))
        self.bank_edit = QLineEdit()
        self.bank_edit.setObjectName("bank_edit")
        self.bank_edit.setMaxLength(20)
        self.bank_label = QLabel(self.tr("Banco:"))
        for edit in (self.card_auth_edit, self.cheque_number_edit, self.bank_edit):
            edit.textEdited.connect(lambda _t, w=edit: self._payment_edited(w))

        # Crédito: a term in days, or monthly instalments.
        self.credit_kind_combo = QComboBox()
        self.credit_kind_combo.setObjectName("credit_kind_combo")
        self.credit_kind_combo.addItem(self.tr("A plazo"), CREDITO_PLAZO)
        self.credit_kind_combo.addItem(self.tr("En cuotas"), CREDITO_CUOTAS)
        self.credit_kind_combo.currentIndexChanged.connect(self._payment_changed)
        self.credit_kind_label = QLabel(self.tr("Crédito:"))
        self.term_spin = QSpinBox()
        self.term_spin.setObjectName("term_spin")
        self.term_spin.setRange(1, 720)
        self.term_spin.setValue(30)
        self.term_spin.setSuffix(self.tr(" días"))
        self.term_label = QLabel(self.tr("Plazo:"))
        self.instalments_spin = QSpinBox()
        self.instalments_spin.setObjectName("instalments_spin")
        self.instalments_spin.setRange(2, 60)
        self.instalments_spin.setValue(3)
        self.instalments_label = QLabel(self.tr("Cuotas:"))
        self.first_due_edit = QDateEdit(QDate(self._now().date()).addDays(30))
        self.first_due_edit.setObjectName("first_due_edit")
        self.first_due_edit.setCalendarPopup(True)
        self.first_due_edit.setDisplayFormat("dd/MM/yyyy")
        self.first_due_label = QLabel(self.tr("Primer vencimiento:"))
        for spin in (self.term_spin, self.instalments_spin):
            spin.valueChanged.connect(lambda _v: self._recompute())
        self.first_due_edit.dateChanged.connect(lambda _d: self._recompute())

        for n, (label, widget) in enumerate(
            (
                (self.card_brand_label, self.card_brand_combo),
                (self.card_auth_label, self.card_auth_edit),
                (self.cheque_number_label, self.cheque_number_edit),
                (self.bank_label, self.bank_edit),
            )
        ):
            grid.addWidget(label, 1, n * 2)
            grid.addWidget(widget, 1, n * 2 + 1)
        for n, (label, widget) in enumerate(
            (
                (self.credit_kind_label, self.credit_kind_combo),
                (self.term_label, self.term_spin),
                (self.instalments_label, self.instalments_spin),
                (self.first_due_label, self.first_due_edit),
            )
        ):
            grid.addWidget(label, 2, n * 2)
            grid.addWidget(widget, 2, n * 2 + 1)
        self.instalments_preview = QLabel()
        self.instalments_preview.setObjectName("instalments_preview")
        self.instalments_preview.setWordWrap(True)
        self.instalments_preview.setStyleSheet("color: #5f6368;")
        grid.addWidget(self.instalments_preview, 3, 0, 1, 8)
        self.payment_error = self._error_label()
        self.payment_error.setObjectName("payment_error")
        grid.addWidget(self.payment_error, 4, 0, 1, 8)
        grid.setColumnStretch(8, 1)
        for widget in self._payment_inputs():
            widget.installEventFilter(self)
        return box

    def _payment_inputs(self) -> list[QWidget]:
        return [
            self.condition_combo,
            self.payment_combo,
            self.card_brand_combo,
            self.card_auth_edit,
            self.cheque_number_edit,
            self.bank_edit,
            self.credit_kind_combo,
            self.term_spin,
            self.instalments_spin,
            self.first_due_edit,
        ]

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
        value_width = self.fontMetrics().horizontalAdvance("000.000.000.000")
        for key, caption, row, column in cells:
            value = QLabel("0")
            value.setObjectName(f"total_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(value_width)
            grid.addWidget(QLabel(caption + ":"), row, column)
            grid.addWidget(value, row, column + 1)
            self.total_labels[key] = value
        grid.setColumnMinimumWidth(2, self.fontMetrics().horizontalAdvance("Total IVA:") + 12)
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
        total.setMinimumWidth(QLabel().fontMetrics().horizontalAdvance("0") * 12 * 2)
        self.total_labels["total"] = total
        total_box.addWidget(caption)
        total_box.addWidget(total)
        total_box.addStretch(1)
        h.addLayout(total_box)
        return frame

    def _update_tab_order(self) -> None:
        """Customer, items (line by line), item buttons, payment, Guardar, Cancelar."""
        chain: list[QWidget] = [self.kind_combo, self.number_edit, self.name_edit]
        if self._original_row is not None:
            chain.insert(0, self.today_check)
        for row in self.rows:
            chain.extend(row.inputs)
        chain.extend([self.add_item_button, self.remove_item_button])
        chain.extend(self._payment_inputs())
        chain.extend([self.save_button, self.cancel_button])
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- items ---------------------------------------------------------------------
    def add_item(self) -> ItemRow:
        r = self.items_table.rowCount()
        self.items_table.insertRow(r)
        desc = QLineEdit()
        desc.setMaxLength(2000)
        desc.setPlaceholderText(self.tr("Escriba para buscar en los productos"))
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
        self.products.attach(desc)
        self.rows.append(row)
        self._recompute()
        if hasattr(self, "save_button"):
            self._update_tab_order()
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
        self._update_tab_order()

    def _item_edited(self, widget: QWidget) -> None:
        self._save_errors.pop(widget, None)
        self._save_items_messages = []
        for row in self.rows:
            if widget is row.descripcion:
                row.codigo = None  # a product's code belongs to its description
        self._recompute()

    def _product_picked(self, product, edit: QWidget) -> None:
        """A product from the list: its description, last price and IVA rate."""
        row = next((r for r in self.rows if r.descripcion is edit), None)
        if row is None:
            return
        row.descripcion.setText(product.description)
        row.precio.setText(amount_text(Decimal(product.price)))
        row.iva.setCurrentIndex({10: 0, 5: 1, 0: 2}.get(product.iva, 0))
        row.codigo = product.code
        for widget in row.inputs:
            self._save_errors.pop(widget, None)
        self._recompute()
        row.cantidad.setFocus(Qt.FocusReason.TabFocusReason)
        row.cantidad.selectAll()

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
                    codigo=row.codigo,
                    unidad_medida=row.unidad_medida,
                    extra=dict(row.extra),
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
        if not hasattr(self, "total_labels"):
            return
        items, problems = self._row_items()
        valid_items = []
        for index, row in enumerate(self.rows):
            cell = self.items_table.item(index, ItemColumn.TOTAL)
            if index < len(items) and row.cantidad not in problems and row.precio not in problems:
                valid_items.append(items[index])
                cell.setText(format_amount(item_total(items[index])))
            else:
                cell.setText("")
        totals = document_totals(self._document(valid_items, with_payment=False))
        for key, label in self.total_labels.items():
            label.setText(format_amount(getattr(totals, key)))
        self._show_instalments(totals.total)
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
            self.number_label.setText(self.tr("&RUC:"))
            self.number_edit.setPlaceholderText(self.tr("80012345-6 (con dígito verificador)"))
            self.name_label.setText(self.tr("Razón so&cial:"))
            self.name_edit.setPlaceholderText(
                self.tr("Nombre o razón social (escriba para buscar en la libreta, F4)")
            )
        elif kind is CustomerKind.CEDULA:
            self.number_label.setText(self.tr("Cé&dula:"))
            self.number_edit.setPlaceholderText(self.tr("Solo dígitos, sin puntos"))
            self.name_label.setText(self.tr("&Nombre:"))
            self.name_edit.setPlaceholderText(self.tr("Nombre y apellido"))
        else:
            self.number_label.setText(self.tr("Documento:"))
            self.number_edit.setPlaceholderText(self.tr("No hace falta"))
            self.name_label.setText(self.tr("&Nombre:"))
        self._save_errors.pop(self.number_edit, None)
        self._save_errors.pop(self.name_edit, None)
        self._check_number(final=False)
        self._show_customer_errors()
        if hasattr(self, "condition_combo"):
            self._payment_changed()

    def _customer_edited(self, widget: QWidget) -> None:
        self._save_errors.pop(widget, None)
        picked = self._picked_customer
        if picked is not None and self.number_edit.text().strip() != picked.tax_id:
            self._picked_customer = None
        self._check_number(final=False)
        self._show_customer_errors()

    def find_customer(self) -> None:
        """F4: the customer book's recent customers, filtered by what is typed."""
        if self.kind() is CustomerKind.INNOMINADO:
            self.kind_combo.setCurrentIndex(CustomerKind.RUC)
        self.name_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.customers.refresh(self.name_edit.text(), self.name_edit)
        self.customers.complete()

    def _customer_picked(self, customer, _edit: QWidget) -> None:
        kind = CustomerKind.RUC if customer.kind == "RUC" else CustomerKind.CEDULA
        self.kind_combo.setCurrentIndex(kind)
        self.number_edit.setText(customer.tax_id)
        self.name_edit.setText(customer.name)
        self._picked_customer = customer
        for edit in (self.number_edit, self.name_edit):
            self._save_errors.pop(edit, None)
        self._check_number(final=True)
        if self.rows:
            self.rows[0].descripcion.setFocus(Qt.FocusReason.TabFocusReason)

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
            customer = Customer(
                contribuyente=True,
                razon_social=name,
                ruc=number or None,
                tipo_operacion=1,
                tipo_contribuyente=tipo_contribuyente_for(number),
            )
        elif kind is CustomerKind.CEDULA:
            customer = Customer(
                contribuyente=False,
                razon_social=name,
                documento_tipo=CEDULA_PARAGUAYA,
                documento_numero=number or None,
                tipo_operacion=2,
            )
        else:
            customer = Customer(
                contribuyente=False,
                razon_social=INNOMINADO_NAME,
                documento_tipo=INNOMINADO,
                tipo_operacion=2,
            )
        original = self._original.cliente if self._original is not None else None
        if original is not None and kind is not CustomerKind.INNOMINADO:
            # Keep what the form does not show (email, address, extra keys).
            customer = replace(
                original,
                contribuyente=customer.contribuyente,
                razon_social=customer.razon_social,
                ruc=customer.ruc,
                documento_tipo=customer.documento_tipo,
                documento_numero=customer.documento_numero,
                tipo_operacion=original.tipo_operacion
                if original.contribuyente == customer.contribuyente
                else customer.tipo_operacion,
                tipo_contribuyente=customer.tipo_contribuyente,
            )
        picked = self._picked_customer
        if picked is not None and kind is not CustomerKind.INNOMINADO and picked.tax_id == number:
            customer = replace(
                customer,
                email=customer.email or picked.email,
                telefono=customer.telefono or picked.phone,
                direccion=customer.direccion or picked.address,
            )
        return customer

    # -- payment -------------------------------------------------------------------
    def condition(self) -> int:
        return int(self.condition_combo.currentData())

    def payment_type(self) -> int:
        return int(self.payment_combo.currentData())

    def _payment_changed(self) -> None:
        credit = self.condition() == CREDITO
        kind = self.payment_type()
        card = not credit and kind in (PAGO_TARJETA_CREDITO, PAGO_TARJETA_DEBITO)
        cheque = not credit and kind == PAGO_CHEQUE
        cuotas = credit and self.credit_kind_combo.currentData() == CREDITO_CUOTAS
        for widget, visible in (
            (self.payment_label, not credit),
            (self.payment_combo, not credit),
            (self.card_brand_label, card),
            (self.card_brand_combo, card),
            (self.card_auth_label, card),
            (self.card_auth_edit, card),
            (self.cheque_number_label, cheque),
            (self.cheque_number_edit, cheque),
            (self.bank_label, cheque),
            (self.bank_edit, cheque),
            (self.credit_kind_label, credit),
            (self.credit_kind_combo, credit),
            (self.term_label, credit and not cuotas),
            (self.term_spin, credit and not cuotas),
            (self.instalments_label, cuotas),
            (self.instalments_spin, cuotas),
            (self.first_due_label, cuotas),
            (self.first_due_edit, cuotas),
            (self.instalments_preview, cuotas),
        ):
            widget.setVisible(visible)
        for widget in self._payment_inputs():
            self._save_errors.pop(widget, None)
        self._show_payment_errors()
        self._recompute()

    def _payment_edited(self, widget: QWidget) -> None:
        self._save_errors.pop(widget, None)
        self._show_payment_errors()

    def _show_instalments(self, total: Decimal) -> None:
        if not hasattr(self, "instalments_preview"):
            return
        if self.condition() != CREDITO or self.credit_kind_combo.currentData() != CREDITO_CUOTAS:
            self.instalments_preview.setText("")
            return
        plan = instalments(
            total, self.instalments_spin.value(), self.first_due_edit.date().toPython()
        )
        parts = [
            f"{n + 1}) {due:%d/%m/%Y}: {format_amount(amount)}"
            for n, (due, amount) in enumerate(plan[:12])
        ]
        if len(plan) > 12:
            parts.append("…")
        self.instalments_preview.setText(" · ".join(parts))

    def _payment_problems(self) -> dict[QWidget, str]:
        """What the form itself checks before the domain does (SIFEN E7.1.1/E7.1.2)."""
        problems: dict[QWidget, str] = {}
        if self.condition() == CREDITO:
            if self.kind() is CustomerKind.INNOMINADO:
                problems[self.condition_combo] = self.tr(
                    "Una venta a crédito necesita un cliente identificado (RUC o cédula)."
                )
            return problems
        kind = self.payment_type()
        if kind in (PAGO_TARJETA_CREDITO, PAGO_TARJETA_DEBITO):
            code = self.card_auth_edit.text().strip()
            if code and not _DIGITS_RE.match(code):
                problems[self.card_auth_edit] = self.tr(
                    "El número de autorización lleva solo dígitos (hasta 10)."
                )
        elif kind == PAGO_CHEQUE:
            number = self.cheque_number_edit.text().strip()
            if not number or not _DIGITS_RE.match(number):
                problems[self.cheque_number_edit] = self.tr(
                    "Escriba el número del cheque (solo dígitos, hasta 8)."
                )
            if not 4 <= len(self.bank_edit.text().strip()) <= 20:
                problems[self.bank_edit] = self.tr(
                    "Escriba el banco emisor del cheque (entre 4 y 20 caracteres)."
                )
        return problems

    def _show_payment_errors(self) -> None:
        messages = []
        for widget in self._payment_inputs():
            message = self._save_errors.get(widget)
            _set_invalid(widget, message)
            if message and message not in messages:
                messages.append(message)
        _show(self.payment_error, "\n".join(messages))

    def _condition_fields(self, total: Decimal) -> dict[str, Any]:
        """condicion_tipo, entregas and credito of the document, from the form."""
        if self.condition() == CREDITO:
            if self.credit_kind_combo.currentData() == CREDITO_CUOTAS:
                plan = instalments(
                    total, self.instalments_spin.value(), self.first_due_edit.date().toPython()
                )
                credito = {
                    "tipo": CREDITO_CUOTAS,
                    "cuotas": len(plan),
                    "infoCuotas": [
                        {"moneda": "PYG", "monto": int(amount), "vencimiento": due.isoformat()}
                        for due, amount in plan
                    ],
                }
            else:
                credito = {"tipo": CREDITO_PLAZO, "plazo": f"{self.term_spin.value()} días"}
            return {"condicion_tipo": CREDITO, "entregas": [], "credito": credito}
        kind = self.payment_type()
        extra: dict[str, Any] = {}
        if kind in (PAGO_TARJETA_CREDITO, PAGO_TARJETA_DEBITO):
            info: dict[str, Any] = {"tipo": self.card_brand_combo.currentData(), "medioPago": 1}
            code = self.card_auth_edit.text().strip()
            if code.isdigit():
                info["codigoAutorizacion"] = int(code)
            extra["infoTarjeta"] = info
        elif kind == PAGO_CHEQUE:
            extra["infoCheque"] = {
                "numeroCheque": self.cheque_number_edit.text().strip().zfill(8),
                "banco": self.bank_edit.text().strip(),
            }
        payment = Payment(tipo=kind, monto=total, moneda="PYG", extra=extra)
        return {"condicion_tipo": CONTADO, "entregas": [payment], "credito": None}

    # -- correction mode -----------------------------------------------------------
    def _load_original(self, doc_id: int) -> None:
        with self._db.session() as s:
            row = s.get(DocumentRow, doc_id)
        if row is None:
            raise CorrectionRefused(self.tr("El documento ya no existe."))
        doc, errors = document_from_json(json.loads(row.payload))
        if doc is None:
            raise CorrectionRefused("; ".join(str(e) for e in errors))
        self._original_row = row
        self._original = doc

    def _prefill(self, doc: Document) -> None:
        cli = doc.cliente
        if cli.contribuyente:
            self.kind_combo.setCurrentIndex(CustomerKind.RUC)
            self.number_edit.setText(cli.ruc or "")
            self.name_edit.setText(cli.razon_social)
        elif cli.documento_tipo == INNOMINADO:
            self.kind_combo.setCurrentIndex(CustomerKind.INNOMINADO)
        else:
            self.kind_combo.setCurrentIndex(CustomerKind.CEDULA)
            self.number_edit.setText(cli.documento_numero or "")
            self.name_edit.setText(cli.razon_social)
        for item in doc.items:
            row = self.add_item()
            row.descripcion.setText(item.descripcion)
            row.cantidad.setText(amount_text(item.cantidad))
            row.precio.setText(amount_text(item.precio_unitario))
            index = next(
                (
                    n
                    for n, c in enumerate(IVA_CHOICES)
                    if (c.iva_tipo, c.iva_base, c.iva) == (item.iva_tipo, item.iva_base, item.iva)
                ),
                None,
            )
            if index is None:
                choice = IvaChoice(
                    f"{item.iva} % ({item.iva_base} %)", item.iva_tipo, item.iva_base, item.iva
                )
                row.iva.addItem(choice.label, choice)
                index = row.iva.count() - 1
            row.iva.setCurrentIndex(index)
            row.codigo, row.unidad_medida, row.extra = item.codigo, item.unidad_medida, item.extra
        if not doc.items:
            self.add_item()
        if doc.condicion_tipo == CREDITO:
            self.condition_combo.setCurrentIndex(1)
            credito = doc.credito or {}
            if credito.get("tipo") == CREDITO_CUOTAS or credito.get("cuotas"):
                self.credit_kind_combo.setCurrentIndex(1)
                self.instalments_spin.setValue(int(credito.get("cuotas") or 2))
                first = (credito.get("infoCuotas") or [{}])[0].get("vencimiento")
                if first:
                    self.first_due_edit.setDate(QDate.fromString(first[:10], "yyyy-MM-dd"))
            else:
                days = re.match(r"\s*(\d+)", str(credito.get("plazo") or "30"))
                self.term_spin.setValue(int(days.group(1)) if days else 30)
        elif doc.entregas:
            payment = doc.entregas[0]
            index = self.payment_combo.findData(payment.tipo)
            if index >= 0:
                self.payment_combo.setCurrentIndex(index)
            tarjeta = payment.extra.get("infoTarjeta") or {}
            cheque = payment.extra.get("infoCheque") or {}
            if tarjeta:
                self.card_brand_combo.setCurrentIndex(
                    max(0, self.card_brand_combo.findData(tarjeta.get("tipo")))
                )
                if tarjeta.get("codigoAutorizacion"):
                    self.card_auth_edit.setText(str(tarjeta["codigoAutorizacion"]))
            if cheque:
                self.cheque_number_edit.setText(str(cheque.get("numeroCheque", "")))
                self.bank_edit.setText(str(cheque.get("banco", "")))

    # -- saving --------------------------------------------------------------------
    def _document(self, items: list[Item], *, with_payment: bool = True) -> Document:
        base = Document(
            cliente=self._customer(),
            items=items,
            fecha=self._now().replace(microsecond=0),
            establecimiento=self._profile.establecimiento,
            punto=self._profile.punto,
            condicion_tipo=CONTADO,
        )
        if self._original is not None:
            keep_date = not self.today_check.isChecked()
            base = replace(
                self._original,
                cliente=base.cliente,
                items=items,
                fecha=self._original.fecha if keep_date else base.fecha,
            )
        if not with_payment:
            return replace(base, entregas=[], credito=None, condicion_tipo=CONTADO)
        total = document_totals(replace(base, entregas=[])).total
        return replace(base, **self._condition_fields(total))

    def save(self) -> bool:
        """Validate, queue and close; on any problem keep the input and show why."""
        if self.saved_id is not None:
            return True
        self._save_errors.clear()
        self._save_items_messages = []
        _show(self.errors_label, "")
        items, problems = self._row_items()
        problems.update(self._payment_problems())
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
            if self.correct_id is not None:
                result = resend_corrected(self._db, self.correct_id, doc, actor="user")
                errors = result.errors
                saved = result.doc_id if result.ok else None
                self.saved_with_new_number = result.new_number
            else:
                queued = enqueue_documents(self._db, self._profile.id, [doc], actor="user")
                errors = queued.errors.get(0, [])
                saved = queued.ids[0] if queued.ids else None
        except CorrectionRefused as exc:
            _show(self.errors_label, str(exc))
            return False
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
        if errors or saved is None:
            self._show_validation_errors(errors)
            self._focus_first_error()
            return False
        self.saved_id = saved
        self._remember(doc)
        self.accept()
        return True

    def _remember(self, doc: Document) -> None:
        """The customer and the products go to the books (best effort: the invoice is
        already saved, a failure here only costs a suggestion next time)."""
        try:
            kind = self.kind()
            if kind is not CustomerKind.INNOMINADO:
                cli = doc.cliente
                remember_customer(
                    self._db,
                    country=self._profile.country,
                    kind="RUC" if kind is CustomerKind.RUC else "CI",
                    tax_id=self.number_edit.text().strip(),
                    name=cli.razon_social,
                    email=cli.email,
                    phone=cli.telefono,
                    address=cli.direccion,
                )
            remember_products(
                self._db,
                [
                    SoldItem(
                        description=item.descripcion,
                        price=item.precio_unitario,
                        iva=item.iva if item.iva_tipo == 1 else 0,
                        code=item.codigo,
                    )
                    for item in doc.items
                    if item.iva_tipo in (1, 3)
                ],
            )
        except Exception:
            log.exception("remembering the customer and products failed")

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
        self._show_payment_errors()
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
        if path.startswith("condicion"):
            return self.condition_combo if self.condition() == CREDITO else self.payment_combo
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
        for widget in self._input_order() + self._payment_order():
            if widget in self._save_errors:
                widget.setFocus()
                self.body_scroll.ensureWidgetVisible(widget)
                return

    # -- keyboard ------------------------------------------------------------------
    def _input_order(self) -> list[QWidget]:
        order: list[QWidget] = [self.kind_combo, self.number_edit, self.name_edit]
        for row in self.rows:
            order.extend(row.inputs)
        return [w for w in order if w.isEnabled()]

    def _payment_order(self) -> list[QWidget]:
        return [w for w in self._payment_inputs() if w.isEnabled() and not w.isHidden()]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter moves to the next field (the last one moves to Guardar). The payment
        box is its own little sequence, reached with Tab or Alt+O."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            for order in (self._input_order(), self._payment_order()):
                if watched not in order:
                    continue
                position = order.index(watched)
                if position + 1 < len(order):
                    following = order[position + 1]
                    following.setFocus(Qt.FocusReason.TabFocusReason)
                    self.body_scroll.ensureWidgetVisible(following)
                    if isinstance(following, QLineEdit):
                        following.selectAll()
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
