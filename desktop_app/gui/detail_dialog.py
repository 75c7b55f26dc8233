"""One document, all of it: its data, the CDC/CUF/CAE, its items, the timeline of
every state change (who, when, what the provider said) and the actions that apply in
its state.

- Rechazado: "Corregir y reenviar" opens the invoice editor on a copy of it; saving
  queues the same number again (store/corrections.py).
- Aprobado: "Anular…" asks for the reason and marks it CANCEL_REQUESTED. SIFEN accepts
  a cancellation within 48 h of approval for a factura, 168 h for other documents; the
  time left is shown, and after the limit the action says to issue a nota de crédito.
- Requiere atención: "Consultar de nuevo" puts it back in the poller's queue.
- Always: print and save the KuDE as PDF (desktop_app.documents.printing, when that
  module is installed), copy the CDC.

The dialog reads one document and its events (a few small queries) when it opens and
again when the window reports that the document changed.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.cdc import format_cdc
from desktop_app.domain.money import format_amount, to_decimal
from desktop_app.domain.states import DocState
from desktop_app.gui import labels
from desktop_app.gui.documents_model import provider_name
from desktop_app.gui.screen import fit_to_screen
from desktop_app.store.corrections import (
    CorrectionRefused,
    cancel_deadline,
    cancel_limit_hours,
    request_cancel,
)
from desktop_app.store.db import Database
from desktop_app.store.lote_queries import approval_time
from desktop_app.store.models import Document
from desktop_app.store.queries import document_events, rows_by_ids

log = logging.getLogger(__name__)

PRINTING_SOON = QT_TRANSLATE_NOOP("DetailDialog", "Impresión disponible próximamente")
_CONTADO_PAGOS = {
    1: QT_TRANSLATE_NOOP("DetailDialog", "Efectivo"),
    2: QT_TRANSLATE_NOOP("DetailDialog", "Cheque"),
    3: QT_TRANSLATE_NOOP("DetailDialog", "Tarjeta de crédito"),
    4: QT_TRANSLATE_NOOP("DetailDialog", "Tarjeta de débito"),
    5: QT_TRANSLATE_NOOP("DetailDialog", "Transferencia"),
    6: QT_TRANSLATE_NOOP("DetailDialog", "Giro"),
    7: QT_TRANSLATE_NOOP("DetailDialog", "Billetera electrónica"),
    8: QT_TRANSLATE_NOOP("DetailDialog", "Tarjeta empresarial"),
    9: QT_TRANSLATE_NOOP("DetailDialog", "Vale"),
    10: QT_TRANSLATE_NOOP("DetailDialog", "Retención"),
    11: QT_TRANSLATE_NOOP("DetailDialog", "Pago por anticipo"),
    12: QT_TRANSLATE_NOOP("DetailDialog", "Valor fiscal"),
    13: QT_TRANSLATE_NOOP("DetailDialog", "Valor comercial"),
    14: QT_TRANSLATE_NOOP("DetailDialog", "Compensación"),
    15: QT_TRANSLATE_NOOP("DetailDialog", "Permuta"),
    16: QT_TRANSLATE_NOOP("DetailDialog", "Pago bancario"),
    17: QT_TRANSLATE_NOOP("DetailDialog", "Pago móvil"),
    18: QT_TRANSLATE_NOOP("DetailDialog", "Donación"),
    19: QT_TRANSLATE_NOOP("DetailDialog", "Promoción"),
    20: QT_TRANSLATE_NOOP("DetailDialog", "Consumo interno"),
    21: QT_TRANSLATE_NOOP("DetailDialog", "Pago electrónico"),
    99: QT_TRANSLATE_NOOP("DetailDialog", "Otro"),
}


def printing_module():
    """desktop_app.documents.printing if it is installed, else None (imported lazily:
    the KuDE module is optional for the window)."""
    try:
        from desktop_app.documents import printing
    except ImportError:
        return None
    if not hasattr(printing, "print_document"):
        return None
    return printing


def local_time(at: datetime) -> str:
    stamp = at if at.tzinfo else at.replace(tzinfo=UTC)
    return stamp.astimezone().strftime("%d/%m/%Y %H:%M:%S")


def payment_summary(payload: dict[str, Any], currency: str) -> str:
    """ "Contado · Efectivo 141.500" or "Crédito · 3 cuotas" from the DE JSON."""
    condicion = payload.get("condicion") or {}
    if condicion.get("tipo") == 2:
        credito = condicion.get("credito") or {}
        if credito.get("cuotas"):
            text = QCoreApplication.translate("DetailDialog", "Crédito · {n} cuotas").format(
                n=credito["cuotas"]
            )
            cuotas = [
                f"{c.get('vencimiento', '?')}: {format_amount(to_decimal(c.get('monto')) or Decimal(0), currency)}"
                for c in credito.get("infoCuotas") or []
            ]
            return text + (" (" + "; ".join(cuotas) + ")" if cuotas else "")
        return QCoreApplication.translate("DetailDialog", "Crédito · plazo {plazo}").format(
            plazo=credito.get("plazo", "?")
        )
    pagos = []
    for entrega in condicion.get("entregas") or []:
        name = _CONTADO_PAGOS.get(entrega.get("tipo"), str(entrega.get("tipo")))
        monto = to_decimal(entrega.get("monto")) or Decimal(0)
        pagos.append(
            f"{QCoreApplication.translate('DetailDialog', name)} {format_amount(monto, currency)}"
        )
    if not pagos and not condicion:
        return ""
    return QCoreApplication.translate("DetailDialog", "Contado") + (
        " · " + ", ".join(pagos) if pagos else ""
    )


def items_of(country: str, payload: dict[str, Any]) -> list[tuple[str, Decimal, Decimal, str]]:
    """(descripción, cantidad, precio, IVA) of each line, for PY (DE JSON) and BO (CUCU)."""
    out = []
    if country == "BO":
        for d in payload.get("details") or []:
            qty = to_decimal(d.get("quantity")) or Decimal(0)
            price = to_decimal(d.get("unitPrice")) or Decimal(0)
            out.append((str(d.get("description", "")), qty, price, "13 %"))
        return out
    for item in payload.get("items") or []:
        qty = to_decimal(item.get("cantidad")) or Decimal(0)
        price = to_decimal(item.get("precioUnitario")) or Decimal(0)
        tipo, rate = item.get("ivaTipo", 1), item.get("iva", 10)
        if tipo in (2, 3) or not rate:
            iva = QCoreApplication.translate("DetailDialog", "Exenta")
        else:
            iva = f"{rate} %"
            if tipo == 4:
                iva += f" ({item.get('ivaBase')} %)"
        out.append((str(item.get("descripcion", "")), qty, price, iva))
    return out


class DocumentDetailDialog(QDialog):
    """`DocumentDetailDialog(db, doc_id)`. Signals ask the main window to act, since
    it owns the invoice editor and the sync workers."""

    correct_requested = Signal(object)  # doc id
    retry_requested = Signal(object)  # doc id (documents needing attention)
    changed = Signal(object)  # doc id: the dialog changed the document (cancellation)

    def __init__(
        self, db: Database, doc_id: int, parent: QWidget | None = None, *, now=None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self.doc_id = doc_id
        self._now = now or (lambda: datetime.now(UTC))
        self.setObjectName("DocumentDetailDialog")
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)

        layout = QVBoxLayout(self)
        self.title_label = QLabel()
        self.title_label.setObjectName("detail_title")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title_label.setFont(font)
        self.state_badge = QLabel()
        self.state_badge.setObjectName("state_badge")
        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addSpacing(12)
        top.addWidget(self.state_badge)
        top.addStretch(1)
        layout.addLayout(top)

        self.notice_label = QLabel()
        self.notice_label.setObjectName("notice_label")
        self.notice_label.setWordWrap(True)
        self.notice_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.notice_label)

        grid = QHBoxLayout()
        grid.addWidget(self._build_fields(), 3)
        grid.addWidget(self._build_ids(), 2)
        layout.addLayout(grid)
        layout.addWidget(self._build_items(), 2)
        layout.addWidget(self._build_timeline(), 3)
        layout.addWidget(self._build_buttons())
        self.reload()
        fit_to_screen(
            self, self.fontMetrics().horizontalAdvance("M") * 96, self.fontMetrics().height() * 54
        )

    # -- building ------------------------------------------------------------------
    def _value_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        label.setWordWrap(True)
        return label

    def _build_fields(self) -> QWidget:
        box = QGroupBox(self.tr("Documento"))
        form = QFormLayout(box)
        self.fields: dict[str, QLabel] = {}
        for key, caption in (
            ("tipo", self.tr("Tipo:")),
            ("fecha", self.tr("Fecha de emisión:")),
            ("cliente", self.tr("Cliente:")),
            ("documento", self.tr("RUC/NIT/CUIT o documento:")),
            ("total", self.tr("Total:")),
            ("iva", self.tr("IVA incluido:")),
            ("pago", self.tr("Condición y pago:")),
            ("perfil", self.tr("Perfil y proveedor:")),
            ("lote", self.tr("Lote:")),
            ("respuesta", self.tr("Respuesta del proveedor:")),
        ):
            label = self._value_label(f"field_{key}")
            self.fields[key] = label
            form.addRow(caption, label)
        return box

    def _build_ids(self) -> QWidget:
        box = QGroupBox(self.tr("Identificación ante la autoridad"))
        grid = QGridLayout(box)
        self.cdc_label = self._value_label("cdc_label")
        self.cdc_label.setStyleSheet("font-family: monospace;")
        self.cuf_label = self._value_label("cuf_label")
        self.cae_label = self._value_label("cae_label")
        self.copy_cdc_button = QPushButton(self.tr("&Copiar CDC"))
        self.copy_cdc_button.setObjectName("copy_cdc_button")
        self.copy_cdc_button.setToolTip(self.tr("Copiar el CDC al portapapeles (Ctrl+Shift+C)"))
        self.copy_cdc_button.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_cdc_button.clicked.connect(self.copy_cdc)
        grid.addWidget(QLabel(self.tr("CDC:")), 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.cdc_label, 0, 1)
        grid.addWidget(self.copy_cdc_button, 1, 1, Qt.AlignmentFlag.AlignLeft)
        self.cuf_caption = QLabel(self.tr("CUF:"))
        self.cae_caption = QLabel(self.tr("CAE:"))
        grid.addWidget(self.cuf_caption, 2, 0)
        grid.addWidget(self.cuf_label, 2, 1)
        grid.addWidget(self.cae_caption, 3, 0)
        grid.addWidget(self.cae_label, 3, 1)
        self.deadline_label = self._value_label("deadline_label")
        grid.addWidget(self.deadline_label, 4, 0, 1, 2)
        grid.setRowStretch(5, 1)
        grid.setColumnStretch(1, 1)
        return box

    def _build_items(self) -> QWidget:
        box = QGroupBox(self.tr("Ítems"))
        v = QVBoxLayout(box)
        table = QTableWidget(0, 5)
        table.setObjectName("detail_items")
        table.setHorizontalHeaderLabels(
            [
                self.tr("Descripción"),
                self.tr("Cantidad"),
                self.tr("Precio unitario"),
                self.tr("IVA"),
                self.tr("Total"),
            ]
        )
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, 5):
            table.horizontalHeader().setSectionResizeMode(
                c, QHeaderView.ResizeMode.ResizeToContents
            )
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setTabKeyNavigation(False)
        self.items_table = table
        v.addWidget(table)
        return box

    def _build_timeline(self) -> QWidget:
        box = QGroupBox(self.tr("Historial"))
        v = QVBoxLayout(box)
        table = QTableWidget(0, 5)
        table.setObjectName("timeline")
        table.setHorizontalHeaderLabels(
            [
                self.tr("Cuándo"),
                self.tr("Quién"),
                self.tr("Estado"),
                self.tr("Código"),
                self.tr("Mensaje"),
            ]
        )
        header = table.horizontalHeader()
        for c in range(4):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(True)
        table.setTabKeyNavigation(False)
        self.timeline = table
        v.addWidget(table)
        return box

    def _build_buttons(self) -> QWidget:
        bar = QFrame()
        h = QHBoxLayout(bar)
        h.setContentsMargins(0, 0, 0, 0)

        def button(name: str, text: str, tip: str, shortcut: str | None, slot) -> QPushButton:
            b = QPushButton(text)
            b.setObjectName(name)
            b.setToolTip(tip)
            if shortcut:
                b.setShortcut(QKeySequence(shortcut))
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            h.addWidget(b)
            return b

        self.correct_button = button(
            "correct_button",
            self.tr("Corregir y reenviar"),
            self.tr("Abrir una copia editable; al guardar se reenvía con el mismo número (Ctrl+E)"),
            "Ctrl+E",
            self._correct,
        )
        self.cancel_doc_button = button(
            "cancel_doc_button",
            self.tr("Anular…"),
            self.tr("Pedir la anulación de este documento aprobado (Ctrl+Shift+A)"),
            "Ctrl+Shift+A",
            self.ask_cancel,
        )
        self.retry_button = button(
            "retry_button",
            self.tr("Consultar de nuevo"),
            self.tr("Volver a preguntar al proveedor por este documento (Ctrl+R)"),
            "Ctrl+R",
            self._retry,
        )
        self.print_button = button(
            "print_button",
            self.tr("Imprimir…"),
            self.tr("Imprimir el KuDE (Ctrl+P)"),
            "Ctrl+P",
            self.print_document,
        )
        self.pdf_button = button(
            "pdf_button",
            self.tr("Guardar PDF…"),
            self.tr("Guardar el KuDE como PDF (Ctrl+Shift+S)"),
            "Ctrl+Shift+S",
            self.save_pdf,
        )
        h.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Cerrar"))
        close.rejected.connect(self.reject)
        h.addWidget(close)
        if printing_module() is None:
            for b in (self.print_button, self.pdf_button):
                b.setEnabled(False)
                b.setToolTip(QCoreApplication.translate("DetailDialog", PRINTING_SOON))
        return bar

    # -- data ----------------------------------------------------------------------
    def reload(self) -> None:
        """Read the document again (the window calls this when it changed)."""
        row = rows_by_ids(self._db, [self.doc_id]).get(self.doc_id)
        with self._db.session() as s:
            doc = s.get(Document, self.doc_id)
        if row is None or doc is None:
            self.title_label.setText(self.tr("El documento ya no existe."))
            return
        self.row, self.doc = row, doc
        try:
            payload = json.loads(doc.payload)
        except ValueError:
            payload = {}
        tipo = labels.tipo_documento_label(row.tipo_documento, row.country)
        self.setWindowTitle(self.tr("{tipo} {numero}").format(tipo=tipo, numero=row.numero))
        self.title_label.setText(f"{tipo} {row.numero}")
        style = labels.state_style(row.state, row.processing)
        self.state_badge.setText(f" {style.label} ")
        self.state_badge.setStyleSheet(
            f"color: {style.foreground}; background: {style.background}; font-weight: bold;"
            "border-radius: 3px; padding: 2px 8px;"
        )

        def money(v):
            return (
                format_amount(v, row.currency)
                if row.currency == "PYG"
                else f"{row.currency} {format_amount(v, row.currency)}"
            )

        f = self.fields
        f["tipo"].setText(tipo)
        f["fecha"].setText(row.fecha.strftime("%d/%m/%Y %H:%M:%S"))
        f["cliente"].setText(row.customer_name)
        f["documento"].setText(row.customer_tax_id or "—")
        f["total"].setText(money(row.total))
        f["iva"].setText(money(row.iva_total))
        f["pago"].setText(payment_summary(payload, row.currency) or "—")
        f["perfil"].setText(f"{row.profile} · {provider_name(row.provider)}")
        f["lote"].setText(row.lote or "—")
        response = " · ".join(p for p in (row.code, row.message) if p)
        f["respuesta"].setText(response or "—")
        if row.observations:
            f["respuesta"].setText(f"{response}\n{self.tr('Observaciones:')} {row.observations}")

        self.cdc_label.setText(format_cdc(row.cdc) if row.cdc else "—")
        self.copy_cdc_button.setEnabled(bool(row.cdc))
        for caption, label, value in (
            (self.cuf_caption, self.cuf_label, row.cuf),
            (self.cae_caption, self.cae_label, row.cae),
        ):
            caption.setVisible(bool(value))
            label.setVisible(bool(value))
            label.setText(value or "")
        if row.cae_expiry:
            self.cae_label.setText(
                self.tr("{cae} (vence {fecha})").format(cae=row.cae, fecha=row.cae_expiry)
            )

        lines = items_of(row.country, payload)
        self.items_table.setRowCount(len(lines))
        for r, (desc, qty, price, iva) in enumerate(lines):
            values = (
                desc,
                f"{qty.normalize():f}".replace(".", ","),
                format_amount(price, row.currency),
                iva,
                format_amount(qty * price, row.currency),
            )
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c in (1, 2, 4):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.items_table.setItem(r, c, item)

        events = document_events(self._db, self.doc_id)
        self.timeline.setRowCount(len(events))
        for r, e in enumerate(events):
            target = labels.state_style(e.to_state)
            state_text = target.label
            if e.from_state:
                state_text = f"{labels.state_label(e.from_state)} → {target.label}"
            cells = (
                local_time(e.at),
                labels.actor_label(e.actor),
                state_text,
                e.code or "",
                e.message or "",
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 2:
                    item.setIcon(labels.state_icon(e.to_state))
                    item.setForeground(labels.state_foreground(e.to_state))
                if c == 4:
                    item.setToolTip(text)
                self.timeline.setItem(r, c, item)
        self.timeline.resizeRowsToContents()
        self.timeline.scrollToBottom()
        self._update_actions()

    def _update_actions(self) -> None:
        row, doc = self.row, self.doc
        state = row.state
        rejected = state == DocState.REJECTED.value
        approved = state in (DocState.APPROVED.value, DocState.APPROVED_WITH_OBSERVATIONS.value)
        self.correct_button.setVisible(rejected)
        self.correct_button.setEnabled(rejected and row.country == "PY")
        if rejected and row.country != "PY":
            self.correct_button.setToolTip(
                self.tr(
                    "Los documentos de Bolivia y Argentina se corrigen en el archivo de origen y se "
                    "vuelven a importar."
                )
            )
        self.retry_button.setVisible(bool(doc.attention))
        self.cancel_doc_button.setVisible(approved or state == DocState.CANCEL_REQUESTED.value)
        notice, colour = "", "#5f6368"
        deadline = None
        if approved:
            approved_at = approval_time(self._db, self.doc_id)
            deadline = cancel_deadline(row.country, row.tipo_documento, approved_at)
            hours = cancel_limit_hours(row.country, row.tipo_documento)
            if deadline is None:
                self.deadline_label.setText(
                    self.tr("Anulación: según las reglas del proveedor y de la autoridad.")
                )
                self.cancel_doc_button.setEnabled(True)
            elif self._now() <= deadline:
                left = deadline - self._now()
                left_h = int(left.total_seconds() // 3600)
                left_m = int(left.total_seconds() % 3600 // 60)
                self.deadline_label.setText(
                    self.tr(
                        "Se puede anular hasta el {when} (plazo de {hours} h de la SET: quedan "
                        "{h} h {m} min)."
                    ).format(when=local_time(deadline)[:16], hours=hours, h=left_h, m=left_m)
                )
                self.deadline_label.setStyleSheet("color: #1e6b34;")
                self.cancel_doc_button.setEnabled(True)
            else:
                self.deadline_label.setText(
                    self.tr(
                        "Venció el plazo de {hours} h para anular ({when}): emita una nota de "
                        "crédito."
                    ).format(hours=hours, when=local_time(deadline)[:16])
                )
                self.deadline_label.setStyleSheet("color: #a4262c;")
                self.cancel_doc_button.setEnabled(False)
                self.cancel_doc_button.setToolTip(
                    self.tr("Pasó el plazo de {hours} h desde la aprobación.").format(hours=hours)
                )
        elif state == DocState.CANCEL_REQUESTED.value:
            self.cancel_doc_button.setEnabled(False)
            self.deadline_label.setText("")
            notice = self.tr(
                "Anulación solicitada. El evento de cancelación se enviará al proveedor cuando "
                "Lote lo admita para este proveedor; hasta entonces queda en espera aquí."
            )
            colour = "#5e3a8c"
        else:
            self.deadline_label.setText("")
        if rejected:
            notice = self.tr(
                "Rechazado: {respuesta}. Corrija los datos y reenvíe; el número "
                "{numero} se conserva porque nunca fue aprobado."
            ).format(
                respuesta=" · ".join(p for p in (row.code, row.message) if p) or "—",
                numero=row.numero,
            )
            colour = "#a4262c"
        elif doc.attention:
            notice = row.message or ""
            colour = "#8a5a00"
        self.notice_label.setText(notice)
        self.notice_label.setVisible(bool(notice))
        self.notice_label.setStyleSheet(f"color: {colour};")
        self.cancel_deadline = deadline

    # -- actions -------------------------------------------------------------------
    def copy_cdc(self) -> None:
        if self.row.cdc:
            QGuiApplication.clipboard().setText(self.row.cdc)
            self.copy_cdc_button.setText(self.tr("CDC copiado"))

    def _correct(self) -> None:
        self.correct_requested.emit(self.doc_id)

    def _retry(self) -> None:
        self.retry_requested.emit(self.doc_id)

    def ask_cancel(self) -> CancelDialog | None:
        if not self.cancel_doc_button.isEnabled():
            return None
        dialog = CancelDialog(self.row.numero, self.deadline_label.text(), self)
        dialog.accepted.connect(lambda: self.cancel_with_reason(dialog.reason()))
        dialog.open()
        return dialog

    def cancel_with_reason(self, reason: str) -> bool:
        try:
            request_cancel(
                self._db,
                self.doc_id,
                reason,
                actor="user",
                approved_at=approval_time(self._db, self.doc_id),
            )
        except CorrectionRefused as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return False
        self.reload()
        self.changed.emit(self.doc_id)
        return True

    def print_document(self) -> None:
        module = printing_module()
        if module is None:
            return
        try:
            module.print_document(self._db, self.doc_id, self)
        except Exception:
            log.exception("printing document %s failed", self.doc_id)
            QMessageBox.warning(
                self, self.windowTitle(), self.tr("No se pudo imprimir el documento.")
            )

    def save_pdf(self) -> None:
        module = printing_module()
        if module is None:
            return
        name = f"{self.row.numero}.pdf"
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Guardar PDF"), name, self.tr("PDF (*.pdf)")
        )
        if not path:
            return
        try:
            module.save_pdf(self._db, self.doc_id, path)
        except Exception:
            log.exception("saving the PDF of document %s failed", self.doc_id)
            QMessageBox.warning(self, self.windowTitle(), self.tr("No se pudo guardar el PDF."))


class CancelDialog(QDialog):
    """The reason of a cancellation (SIFEN: 5 to 500 characters), with the deadline."""

    def __init__(self, numero: str, deadline: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CancelDialog")
        self.setWindowTitle(self.tr("Anular {numero}").format(numero=numero))
        v = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "La anulación se registra ahora y el documento queda «Anulación solicitada». "
                "Escriba el motivo (entre 5 y 500 caracteres):"
            )
        )
        intro.setWordWrap(True)
        v.addWidget(intro)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("reason_edit")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        v.addWidget(self.reason_edit)
        if deadline:
            note = QLabel(deadline)
            note.setWordWrap(True)
            v.addWidget(note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Solicitar anulación"))
        self.ok_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Volver"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._check)
        v.addWidget(self.buttons)

    def reason(self) -> str:
        return " ".join(self.reason_edit.toPlainText().split())

    def _check(self) -> None:
        self.ok_button.setEnabled(5 <= len(self.reason()) <= 500)
