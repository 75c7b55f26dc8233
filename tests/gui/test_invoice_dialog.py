"""The "Nueva factura" dialog on its own: live checks, totals, keyboard, and what
happens (and what is *not* saved) when the input is wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from desktop_app.domain.ruc import ruc_error
from desktop_app.gui.invoice_dialog import CustomerKind, InvoiceDialog, parse_amount
from desktop_app.store.profiles import default_profile
from desktop_app.store.queries import document_payload, rows_by_ids
from tests.gui.helpers import (
    RUC_BAD_DV,
    RUC_OK,
    RUC_OK_PERSON,
    document_count,
    fill_customer,
    fill_item,
    type_into,
)


@pytest.fixture
def dialog(qtbot, offline_runtime):
    d = InvoiceDialog(offline_runtime.db, default_profile(offline_runtime.db))
    qtbot.addWidget(d)
    with qtbot.waitExposed(d):
        d.show()
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)  # shortcuts go to the active window
    return d


def test_wrong_ruc_check_digit_is_explained_under_the_field_and_nothing_is_saved(
    qtbot, dialog, offline_runtime
):
    type_into(qtbot, dialog.number_edit, RUC_BAD_DV)
    assert dialog.number_error.isVisible()
    assert dialog.number_error.text() == ruc_error(RUC_BAD_DV)
    assert "dígito verificador" in dialog.number_error.text()
    assert dialog.number_edit.property("invalid") is True

    type_into(qtbot, dialog.name_edit, "Cliente Equivocado S.A.")
    fill_item(qtbot, dialog, 0, "Algo", "1", "1000")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible() and dialog.saved_id is None
    assert document_count(offline_runtime.db) == 0
    assert "dígito verificador" in dialog.number_error.text()
    assert dialog.number_edit.text() == RUC_BAD_DV  # the input is kept
    assert dialog.errors_label.isVisible()


def test_ruc_shape_is_judged_only_once_the_cashier_leaves_the_field_or_types_the_dash(
    qtbot, dialog
):
    qtbot.keyClicks(dialog.number_edit, "800123")
    assert dialog.number_error.isHidden()
    dialog.number_edit.editingFinished.emit()
    assert "80012345-6" in dialog.number_error.text()
    type_into(qtbot, dialog.number_edit, RUC_OK)
    assert dialog.number_error.isHidden()
    assert dialog.number_edit.property("invalid") is False


def test_letters_as_quantity_name_the_item_and_field_and_save_nothing(
    qtbot, dialog, offline_runtime
):
    fill_customer(qtbot, dialog, RUC_OK, "Cliente Correcto S.A.")
    fill_item(qtbot, dialog, 0, "Tornillos", "10", "500")
    fill_item(qtbot, dialog, 1, "Clavos", "abc", "300")
    assert "Cantidad del ítem 2" in dialog.items_error.text()
    assert "«abc» no es un número" in dialog.items_error.text()
    assert dialog.rows[1].cantidad.property("invalid") is True
    assert dialog.total_labels["total"].text() == "5.000"  # the good line still counts

    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.saved_id is None and dialog.isVisible()
    assert document_count(offline_runtime.db) == 0
    assert dialog.rows[1].cantidad.text() == "abc"

    type_into(qtbot, dialog.rows[1].cantidad, "20")
    assert dialog.items_error.isHidden()
    assert dialog.total_labels["total"].text() == "11.000"


def test_a_bad_number_does_not_hide_the_other_problems_of_the_same_attempt(
    qtbot, dialog, offline_runtime
):
    fill_customer(qtbot, dialog, RUC_OK, "Ab")
    fill_item(qtbot, dialog, 0, "Clavos", "abc", "300")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert document_count(offline_runtime.db) == 0
    assert "entre 4 y 255 caracteres" in dialog.name_error.text()
    assert dialog.items_error.text() == (
        "Cantidad del ítem 1: «abc» no es un número (escriba, por ejemplo, 3, 1,5 o 150.000)."
    )


def test_an_empty_price_is_reported_at_save_against_its_line(qtbot, dialog, offline_runtime):
    fill_customer(qtbot, dialog, RUC_OK, "Cliente Correcto S.A.")
    type_into(qtbot, dialog.rows[0].descripcion, "Sin precio")
    assert dialog.items_error.isHidden()  # not an error while typing
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Precio unitario del ítem 1: falta este dato." in dialog.items_error.text()
    assert document_count(offline_runtime.db) == 0


def test_domain_validation_errors_land_next_to_their_fields(qtbot, dialog, offline_runtime):
    fill_customer(qtbot, dialog, RUC_OK, "Ab")  # razón social too short (D211)
    fill_item(qtbot, dialog, 0, "Cosa", "0", "1000")  # cantidad must be > 0
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert document_count(offline_runtime.db) == 0
    assert "entre 4 y 255 caracteres" in dialog.name_error.text()
    assert dialog.name_edit.property("invalid") is True
    assert "Cantidad del ítem 1: debe ser mayor que cero." in dialog.items_error.text()
    assert dialog.rows[0].cantidad.property("invalid") is True

    type_into(qtbot, dialog.name_edit, "Abel Benítez")
    assert dialog.name_error.isHidden()


def test_no_items_at_all_is_reported_in_the_items_box(qtbot, dialog, offline_runtime):
    fill_customer(qtbot, dialog, RUC_OK, "Cliente Correcto S.A.")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "al menos un ítem" in dialog.items_error.text()
    assert document_count(offline_runtime.db) == 0


def test_enter_moves_to_the_next_field_and_from_the_last_one_to_guardar(qtbot, dialog):
    dialog.number_edit.setFocus()
    qtbot.keyClick(dialog.number_edit, Qt.Key.Key_Return)
    assert dialog.focusWidget() is dialog.name_edit
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    row = dialog.rows[0]
    assert dialog.focusWidget() is row.descripcion
    for current, following in (
        (row.descripcion, row.cantidad),
        (row.cantidad, row.precio),
        (row.precio, row.iva),
    ):
        qtbot.keyClick(current, Qt.Key.Key_Return)
        assert dialog.focusWidget() is following
    qtbot.keyClick(row.iva, Qt.Key.Key_Return)
    assert dialog.focusWidget() is dialog.save_button
    assert dialog.isVisible()  # Enter in a field never saves by surprise


def test_f2_adds_a_line_and_quitar_removes_the_one_with_the_cursor(qtbot, dialog):
    qtbot.keyClick(dialog, Qt.Key.Key_F2)
    assert len(dialog.rows) == 2
    assert dialog.focusWidget() is dialog.rows[1].descripcion
    type_into(qtbot, dialog.rows[1].descripcion, "Segunda")
    dialog.rows[0].descripcion.setFocus()
    qtbot.mouseClick(dialog.remove_item_button, Qt.MouseButton.LeftButton)
    assert [r.descripcion.text() for r in dialog.rows] == ["Segunda"]


def test_exenta_and_five_percent_lines_fill_their_totals(qtbot, dialog):
    fill_item(qtbot, dialog, 0, "Libro", "1", "50.000", iva_index=2)  # exenta
    fill_item(qtbot, dialog, 1, "Leche", "2", "10.500", iva_index=1)  # 5 %
    shown = {key: label.text() for key, label in dialog.total_labels.items()}
    assert shown == {
        "total": "71.000",
        "gravada_10": "0",
        "iva_10": "0",
        "gravada_5": "20.000",
        "iva_5": "1.000",
        "exenta": "50.000",
        "iva_total": "1.000",
    }
    assert dialog.items_table.item(1, 4).text() == "21.000"


def test_cedula_customer_is_saved_as_a_non_taxpayer(qtbot, dialog, offline_runtime):
    dialog.kind_combo.setCurrentIndex(CustomerKind.CEDULA)
    type_into(qtbot, dialog.number_edit, "1.234.567")
    assert "solo dígitos" in dialog.number_error.text()
    type_into(qtbot, dialog.number_edit, "1234567")
    assert dialog.number_error.isHidden()
    type_into(qtbot, dialog.name_edit, "María González")
    fill_item(qtbot, dialog, 0, "Pan", "2", "5000")
    assert dialog.save()
    payload = document_payload(offline_runtime.db, dialog.saved_id)
    assert payload["cliente"]["contribuyente"] is False
    assert payload["cliente"]["documentoTipo"] == 1
    assert payload["cliente"]["documentoNumero"] == "1234567"
    row = rows_by_ids(offline_runtime.db, [dialog.saved_id])[dialog.saved_id]
    assert row.state == "QUEUED" and row.numero == "001-001-0000001"


def test_anonymous_customer_needs_no_name_or_number(qtbot, dialog, offline_runtime):
    type_into(qtbot, dialog.number_edit, RUC_OK_PERSON)
    dialog.kind_combo.setCurrentIndex(CustomerKind.INNOMINADO)
    assert not dialog.number_edit.isEnabled() and not dialog.name_edit.isEnabled()
    fill_item(qtbot, dialog, 0, "Gaseosa", "1", "8000")
    assert dialog.save()
    payload = document_payload(offline_runtime.db, dialog.saved_id)
    assert payload["cliente"]["documentoTipo"] == 5
    assert payload["cliente"]["razonSocial"] == "Sin Nombre"


def test_switching_back_from_innominado_restores_what_was_typed(qtbot, dialog):
    type_into(qtbot, dialog.number_edit, RUC_OK_PERSON)
    type_into(qtbot, dialog.name_edit, "Juan Pérez")
    dialog.kind_combo.setCurrentIndex(CustomerKind.INNOMINADO)
    dialog.kind_combo.setCurrentIndex(CustomerKind.RUC)
    assert dialog.number_edit.text() == RUC_OK_PERSON
    assert dialog.name_edit.text() == "Juan Pérez"


def test_ruc_customer_is_saved_with_the_profiles_establecimiento_and_cash_payment(
    qtbot, dialog, offline_runtime
):
    fill_customer(qtbot, dialog, RUC_OK_PERSON, "Juan Pérez")
    fill_item(qtbot, dialog, 0, "Cuaderno", "3", "12.000")
    assert dialog.save()
    payload = document_payload(offline_runtime.db, dialog.saved_id)
    assert payload["cliente"]["ruc"] == RUC_OK_PERSON
    assert payload["cliente"]["tipoContribuyente"] == 1  # a person's RUC
    assert payload["establecimiento"] in (1, "001") and payload["punto"] == "001"
    assert payload["condicion"]["tipo"] == 1
    assert payload["condicion"]["entregas"][0]["monto"] == 36000
    assert "numero" in payload


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("150000", Decimal(150000)),
        ("150.000", Decimal(150000)),
        ("1.500.000", Decimal(1500000)),
        ("2,5", Decimal("2.5")),
        ("1.234,50", Decimal("1234.50")),
        ("2.5", Decimal("2.5")),
        (" 3 ", Decimal(3)),
        ("abc", None),
        ("", None),
        ("1e3", None),
        ("1,2,3", None),
    ],
)
def test_amounts_are_read_the_paraguayan_way(text, value):
    assert parse_amount(text) == value
