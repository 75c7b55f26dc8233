"""End to end through the window: typed in the dialog, saved, sent by the worker
threads to the real sandbox, and followed in the table until SIFEN's (simulated)
answer. Worker signals are never waited on directly (STYLE.md): `waitUntil` polls
what the GUI thread shows."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.gui.documents_model import Column
from desktop_app.sandbox.facturasend import DEMO_CANCELLED_RUC
from tests.gui.helpers import RUC_OK, cell, document_count, fill_customer, fill_item, state_of


def open_dialog_with_ctrl_n(qtbot, window):
    assert window.new_invoice_action.shortcut().toString() == "Ctrl+N"
    assert "Ctrl+N" in window.new_invoice_action.toolTip()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.invoice_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.isActiveWindow)  # activation is asynchronous
    return dialog


def save_with_ctrl_s(qtbot, dialog) -> int:
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.saved_id is not None, dialog.errors_label.text() + dialog.items_error.text()
    assert not dialog.isVisible()
    return dialog.saved_id


def test_invoice_typed_in_the_dialog_reaches_aprobado_in_the_table(qtbot, window, runtime):
    dialog = open_dialog_with_ctrl_n(qtbot, window)
    fill_customer(qtbot, dialog, RUC_OK, "Ferretería López S.A.")
    assert dialog.number_error.isHidden()
    fill_item(qtbot, dialog, 0, "Cemento portland 50 kg", "2", "55.000")
    qtbot.keyClick(dialog, Qt.Key.Key_F2)  # a second item line
    assert len(dialog.rows) == 2
    fill_item(qtbot, dialog, 1, "Arroz 1 kg", "3", "10500", iva_index=1)  # 5 %

    shown = {key: label.text() for key, label in dialog.total_labels.items()}
    assert shown == {
        "total": "141.500",
        "gravada_10": "100.000",
        "iva_10": "10.000",
        "gravada_5": "30.000",
        "iva_5": "1.500",
        "exenta": "0",
        "iva_total": "11.500",
    }

    doc_id = save_with_ctrl_s(qtbot, dialog)
    assert window.model.row_of(doc_id) == 0
    assert state_of(window, doc_id) == "Encolado"
    assert cell(window, doc_id, Column.CLIENTE) == "Ferretería López S.A."
    assert cell(window, doc_id, Column.TOTAL) == "141.500"

    qtbot.waitUntil(lambda: state_of(window, doc_id) == "Aprobado", timeout=30000)
    assert cell(window, doc_id, Column.MENSAJE) == "0260 · Autorización del DE satisfactoria"
    assert cell(window, doc_id, Column.LOTE)
    qtbot.waitUntil(
        lambda: window.counts_label.text() == "Encolados: 0 · Enviando: 0 · Procesando: 0",
        timeout=5000,
    )
    assert window.connectivity_label.text() == "En línea"
    assert window.last_sync_label.text().startswith("Última sincronización: ")
    assert not window.last_sync_label.text().endswith("—")


def test_invoice_for_a_cancelled_ruc_ends_rechazado_with_the_providers_code(qtbot, window):
    dialog = open_dialog_with_ctrl_n(qtbot, window)
    fill_customer(qtbot, dialog, DEMO_CANCELLED_RUC, "Empresa Cancelada S.A.")
    fill_item(qtbot, dialog, 0, "Servicio técnico", "1", "220000")
    doc_id = save_with_ctrl_s(qtbot, dialog)
    assert state_of(window, doc_id) == "Encolado"

    qtbot.waitUntil(lambda: state_of(window, doc_id) == "Rechazado", timeout=30000)
    message = cell(window, doc_id, Column.MENSAJE)
    assert message.startswith("1307 · ")
    assert "inactivo" in message


def test_offline_invoice_waits_encolado_and_is_approved_when_the_provider_returns(
    qtbot, window, runtime
):
    runtime.sandbox.set_down(True)
    dialog = open_dialog_with_ctrl_n(qtbot, window)
    fill_customer(qtbot, dialog, RUC_OK, "Almacén Sin Red S.R.L.")
    fill_item(qtbot, dialog, 0, "Yerba mate 1 kg", "4", "25000")
    doc_id = save_with_ctrl_s(qtbot, dialog)
    assert state_of(window, doc_id) == "Encolado"
    assert document_count(runtime.db) == 1

    qtbot.waitUntil(lambda: window.connectivity_label.text() == "Sin conexión", timeout=5000)
    qtbot.waitUntil(lambda: state_of(window, doc_id) == "Encolado", timeout=5000)
    assert window.counts_label.text().startswith("Encolados: 1 ")

    runtime.sandbox.set_down(False)
    window.retry_action.trigger()  # what the network hint or "Reintentar ahora" does
    qtbot.waitUntil(lambda: state_of(window, doc_id) == "Aprobado", timeout=30000)
    qtbot.waitUntil(lambda: window.connectivity_label.text() == "En línea", timeout=5000)
    assert runtime.sandbox.approvals_by_number() == {(1, 1, 1, 1): 1}


def test_closing_the_window_stops_both_worker_threads(qtbot, window):
    threads = list(window.workers._threads)
    assert all(t.isRunning() for t in threads)
    window.close()
    assert not any(t.isRunning() for t in threads)
