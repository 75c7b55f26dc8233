"""The detail of one document: its data, CDC and timeline, and the actions of its state
(correct and resend a rejected one, cancel an approved one within SIFEN's limit,
print, copy the CDC, ask again about one that needs attention)."""

from __future__ import annotations

import types
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop_app.domain.cdc import format_cdc
from desktop_app.domain.states import DocState
from desktop_app.gui import detail_dialog
from desktop_app.gui.detail_dialog import CancelDialog, DocumentDetailDialog
from desktop_app.store.models import Document
from desktop_app.store.queries import document_events, find_document
from tests.gui.helpers import make_document, move, queue, state_of, type_into, type_text


def approved(db, *, at: datetime | None = None) -> int:
    (doc_id,) = queue(db, make_document(name="Ferretería López S.A."))
    move(db, doc_id, DocState.SENDING, DocState.SUBMITTED)
    move(
        db,
        doc_id,
        DocState.APPROVED,
        code="0260",
        message="Autorización del DE satisfactoria",
        at=at,
    )
    return doc_id


def rejected(db) -> int:
    (doc_id,) = queue(db, make_document(name="Empresa Cancelada S.A."))
    move(db, doc_id, DocState.SENDING, DocState.SUBMITTED)
    move(db, doc_id, DocState.REJECTED, code="1307", message="RUC del receptor inactivo")
    return doc_id


def test_the_detail_shows_the_document_its_cdc_and_every_state_change(
    qtbot, quiet_window, offline_runtime
):
    db = offline_runtime.db
    doc_id = approved(db)
    dialog = quiet_window.open_document(doc_id)
    row = find_document(db, str(doc_id))
    assert dialog.title_label.text() == f"Factura electrónica {row.numero}"
    assert dialog.state_badge.text().strip() == "Aprobado"
    assert dialog.fields["cliente"].text() == "Ferretería López S.A."
    assert dialog.fields["total"].text() == "110.000"
    assert dialog.fields["pago"].text() == "Contado · Efectivo 110.000"
    assert dialog.fields["respuesta"].text() == "0260 · Autorización del DE satisfactoria"
    assert dialog.cdc_label.text() == format_cdc(row.cdc)
    timeline = [
        [dialog.timeline.item(r, c).text() for c in (1, 2, 3)]
        for r in range(dialog.timeline.rowCount())
    ]
    assert timeline == [
        ["Usuario", "Encolado", ""],
        ["test", "Encolado → Enviando", ""],
        ["test", "Enviando → Enviado", ""],
        ["test", "Enviado → Aprobado", "0260"],
    ]
    assert dialog.items_table.item(0, 0).text() == "Producto"
    assert "Se puede anular hasta" in dialog.deadline_label.text()
    assert "48 h" in dialog.deadline_label.text()
    assert not dialog.correct_button.isVisible()


def test_ctrl_shift_c_copies_the_cdc(qtbot, quiet_window, offline_runtime):
    doc_id = approved(offline_runtime.db)
    dialog = quiet_window.open_document(doc_id)
    qtbot.waitUntil(dialog.isActiveWindow)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(
        dialog,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    cdc = find_document(offline_runtime.db, str(doc_id)).cdc
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == cdc, timeout=3000)


def test_cancelling_asks_for_the_reason_and_leaves_it_requested(
    qtbot, quiet_window, offline_runtime
):
    db = offline_runtime.db
    doc_id = approved(db)
    quiet_window.model.reload()
    dialog = quiet_window.open_document(doc_id)
    cancel = dialog.ask_cancel()
    assert isinstance(cancel, CancelDialog)
    assert not cancel.ok_button.isEnabled()
    type_text(qtbot, cancel.reason_edit, "Cantidad equivocada")
    assert cancel.ok_button.isEnabled()
    qtbot.mouseClick(cancel.ok_button, Qt.MouseButton.LeftButton)
    assert find_document(db, str(doc_id)).state == "CANCEL_REQUESTED"
    assert document_events(db, doc_id)[-1].message == "Anulación solicitada: Cantidad equivocada"
    assert dialog.state_badge.text().strip() == "Anulación solicitada"
    assert "queda en espera" in dialog.notice_label.text()
    assert state_of(quiet_window, doc_id) == "Anulación solicitada"  # the table followed


def test_past_sifens_48_hours_cancelling_is_refused_and_a_credit_note_suggested(
    qtbot, offline_runtime
):
    db = offline_runtime.db
    approved_at = datetime.now(UTC) - timedelta(hours=49)
    doc_id = approved(db, at=approved_at)
    dialog = DocumentDetailDialog(db, doc_id)
    qtbot.addWidget(dialog)
    assert not dialog.cancel_doc_button.isEnabled()
    assert "Venció el plazo de 48 h" in dialog.deadline_label.text()
    assert "nota de crédito" in dialog.deadline_label.text()
    assert dialog.ask_cancel() is None


def test_a_rejected_document_is_corrected_in_the_editor_and_resent_with_its_number(
    qtbot, quiet_window, offline_runtime
):
    db = offline_runtime.db
    doc_id = rejected(db)
    before = find_document(db, str(doc_id))
    quiet_window.model.reload()
    dialog = quiet_window.open_document(doc_id)
    assert dialog.correct_button.isVisible()
    assert "se conserva" in dialog.notice_label.text()
    qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    editor = quiet_window.invoice_dialog
    assert editor is not None and editor.correct_id == doc_id
    assert editor.windowTitle() == f"Corregir y reenviar {before.numero}"
    assert editor.rows[0].descripcion.text() == "Producto"
    assert "1307" in editor.findChild(type(editor.errors_label), "rejection_label").text()
    qtbot.waitUntil(editor.isActiveWindow)
    type_into(qtbot, editor.name_edit, "Ferretería López S.A.")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.saved_id == doc_id, editor.errors_label.text()
    after = find_document(db, str(doc_id))
    assert (after.state, after.numero, after.cdc) == ("QUEUED", before.numero, before.cdc)
    assert after.customer_name == "Ferretería López S.A."
    assert state_of(quiet_window, doc_id) == "Encolado"
    assert dialog.state_badge.text().strip() == "Encolado"
    assert document_events(db, doc_id)[-1].message == "Corregido y reenviado (mismo CDC)"


def test_printing_waits_for_the_kude_module_and_then_prints(qtbot, offline_runtime, monkeypatch):
    db = offline_runtime.db
    doc_id = approved(db)
    monkeypatch.setattr(detail_dialog, "printing_module", lambda: None)
    dialog = DocumentDetailDialog(db, doc_id)
    qtbot.addWidget(dialog)
    assert not dialog.print_button.isEnabled()
    assert dialog.print_button.toolTip() == "Impresión disponible próximamente"

    printed = []
    fake = types.SimpleNamespace(
        print_document=lambda *args: printed.append(args), save_pdf=lambda *args: None
    )
    monkeypatch.setattr(detail_dialog, "printing_module", lambda: fake)
    dialog = DocumentDetailDialog(db, doc_id)
    qtbot.addWidget(dialog)
    assert dialog.print_button.isEnabled()
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert printed == [(db, doc_id, dialog)]


def test_a_document_needing_attention_can_be_asked_about_again(
    qtbot, quiet_window, offline_runtime
):
    db = offline_runtime.db
    (doc_id,) = queue(db)
    move(db, doc_id, DocState.SENDING, DocState.SUBMITTED)
    with db.write() as s:
        row = s.get(Document, doc_id)
        row.attention = True
        row.message = "Requiere atención: el proveedor no dio resultado a tiempo."
        s.add(row)
    quiet_window.update_status()
    assert quiet_window.attention_label.text().startswith("Requieren atención: 1")
    dialog = quiet_window.open_document(doc_id)
    assert dialog.retry_button.isVisible()
    qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
    with db.session() as s:
        assert s.get(Document, doc_id).attention is False
