"""The invoice editor's books and payments, typed as a cashier does: the customer picked
from the book, items from the product list with their last price and rate, card and
cheque payments, credit sales in instalments, and what the books remember."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt

from desktop_app.gui.invoice_dialog import CustomerKind, InvoiceDialog, instalments
from desktop_app.store.books import save_customer, save_product, search_customers, search_products
from desktop_app.store.profiles import default_profile
from desktop_app.store.queries import document_payload
from tests.gui.helpers import RUC_OK, document_count, fill_customer, fill_item, type_into, type_text


@pytest.fixture
def books(offline_runtime):
    db = offline_runtime.db
    save_customer(
        db,
        country="PY",
        kind="RUC",
        tax_id=RUC_OK,
        name="Ferretería López S.A.",
        email="compras@ferrelopez.com.py",
    )
    save_customer(db, country="PY", kind="CI", tax_id="3456789", name="María González")
    save_product(db, description="Arroz 1 kg", price=Decimal(10500), iva=5, code="ARZ-1")
    save_product(db, description="Libro de lectura", price=Decimal(50000), iva=0)
    return db


@pytest.fixture
def editor(qtbot, offline_runtime, books):
    d = InvoiceDialog(offline_runtime.db, default_profile(offline_runtime.db))
    qtbot.addWidget(d)
    with qtbot.waitExposed(d):
        d.show()
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)
    return d


def pick_first(qtbot, completer) -> None:
    """Arrow down into the popup and press Enter, as the cashier does."""
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)


def test_a_customer_from_the_book_fills_kind_number_and_name(qtbot, editor):
    type_text(qtbot, editor.name_edit, "ferre")
    pick_first(qtbot, editor.customers)
    assert editor.kind() is CustomerKind.RUC
    assert editor.number_edit.text() == RUC_OK
    assert editor.name_edit.text() == "Ferretería López S.A."
    assert editor.number_error.isHidden()
    qtbot.waitUntil(lambda: editor.focusWidget() is editor.rows[0].descripcion, timeout=3000)


def test_f4_searches_the_book_and_a_cedula_customer_becomes_a_non_taxpayer(
    qtbot, editor, offline_runtime
):
    qtbot.keyClick(editor, Qt.Key.Key_F4)
    assert editor.name_edit.hasFocus()
    type_text(qtbot, editor.name_edit, "mar")
    pick_first(qtbot, editor.customers)
    assert editor.kind() is CustomerKind.CEDULA
    assert editor.number_edit.text() == "3456789"
    fill_item(qtbot, editor, 0, "Pan", "2", "5000")
    assert editor.save()
    cliente = document_payload(offline_runtime.db, editor.saved_id)["cliente"]
    assert (cliente["contribuyente"], cliente["documentoNumero"]) == (False, "3456789")


def test_an_item_from_the_product_list_brings_its_last_price_and_rate(
    qtbot, editor, offline_runtime
):
    fill_customer(qtbot, editor, RUC_OK, "Ferretería López S.A.")
    row = editor.rows[0]
    row.descripcion.setFocus()
    type_text(qtbot, row.descripcion, "arr")
    pick_first(qtbot, editor.products)
    assert row.descripcion.text() == "Arroz 1 kg"
    assert row.precio.text() == "10.500"
    assert row.iva.currentText() == "5 %"
    qtbot.waitUntil(row.cantidad.hasFocus, timeout=3000)
    type_text(qtbot, row.cantidad, "3")
    assert editor.total_labels["total"].text() == "31.500"
    assert editor.total_labels["iva_5"].text() == "1.500"
    assert editor.save()
    item = document_payload(offline_runtime.db, editor.saved_id)["items"][0]
    assert (item["codigo"], item["ivaTipo"], item["iva"]) == ("ARZ-1", 1, 5)


def test_saving_teaches_the_books_the_new_customer_and_the_new_price(
    qtbot, editor, offline_runtime
):
    db = offline_runtime.db
    fill_customer(qtbot, editor, "4567890-1", "Juan Pérez")
    fill_item(qtbot, editor, 0, "Arroz 1 kg", "1", "11.000", iva_index=1)
    fill_item(qtbot, editor, 1, "Cuaderno", "2", "12.000")
    assert editor.save()
    assert search_customers(db, "juan")[0].tax_id == "4567890-1"
    prices = {p.description: (p.price, p.iva) for p in search_products(db)}
    assert prices["Arroz 1 kg"] == (Decimal(11000), 5)
    assert prices["Cuaderno"] == (Decimal(12000), 10)


def test_a_card_payment_carries_the_card_brand_and_authorisation(qtbot, editor, offline_runtime):
    fill_customer(qtbot, editor, RUC_OK, "Ferretería López S.A.")
    fill_item(qtbot, editor, 0, "Tornillos", "10", "1.500")
    editor.payment_combo.setCurrentIndex(editor.payment_combo.findData(3))  # tarjeta crédito
    assert editor.card_brand_combo.isVisible() and not editor.cheque_number_edit.isVisible()
    editor.card_brand_combo.setCurrentIndex(editor.card_brand_combo.findData(2))  # Mastercard
    type_into(qtbot, editor.card_auth_edit, "482913")
    assert editor.save()
    condicion = document_payload(offline_runtime.db, editor.saved_id)["condicion"]
    assert condicion["tipo"] == 1
    assert condicion["entregas"] == [
        {
            "tipo": 3,
            "monto": 15000,
            "moneda": "PYG",
            "infoTarjeta": {"tipo": 2, "medioPago": 1, "codigoAutorizacion": 482913},
        }
    ]


def test_a_cheque_needs_its_number_and_bank_next_to_the_fields(qtbot, editor, offline_runtime):
    fill_customer(qtbot, editor, RUC_OK, "Ferretería López S.A.")
    fill_item(qtbot, editor, 0, "Tornillos", "10", "1.500")
    editor.payment_combo.setCurrentIndex(editor.payment_combo.findData(2))  # cheque
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.saved_id is None and document_count(offline_runtime.db) == 0
    assert "número del cheque" in editor.payment_error.text()
    assert "banco emisor" in editor.payment_error.text()
    assert editor.cheque_number_edit.property("invalid") is True
    assert editor.cheque_number_edit.hasFocus()
    type_into(qtbot, editor.cheque_number_edit, "12345")
    assert "número del cheque" not in editor.payment_error.text()
    type_into(qtbot, editor.bank_edit, "Banco Continental")
    assert editor.save()
    entrega = document_payload(offline_runtime.db, editor.saved_id)["condicion"]["entregas"][0]
    assert entrega["infoCheque"] == {"numeroCheque": "00012345", "banco": "Banco Continental"}


def test_a_credit_sale_in_instalments_adds_up_to_the_total(qtbot, editor, offline_runtime):
    fill_customer(qtbot, editor, RUC_OK, "Ferretería López S.A.")
    fill_item(qtbot, editor, 0, "Cemento", "1", "1.000.000")
    editor.condition_combo.setCurrentIndex(1)  # crédito
    editor.credit_kind_combo.setCurrentIndex(1)  # en cuotas
    editor.instalments_spin.setValue(3)
    first_due = date.today() + timedelta(days=15)
    editor.first_due_edit.setDate(QDate(first_due))
    assert editor.instalments_preview.text().startswith(f"1) {first_due:%d/%m/%Y}: 333.333 · 2) ")
    assert editor.instalments_preview.text().endswith(": 333.334")
    assert editor.save()
    condicion = document_payload(offline_runtime.db, editor.saved_id)["condicion"]
    assert condicion["tipo"] == 2 and "entregas" not in condicion
    credito = condicion["credito"]
    assert (credito["tipo"], credito["cuotas"]) == (2, 3)
    assert sum(c["monto"] for c in credito["infoCuotas"]) == 1_000_000
    assert credito["infoCuotas"][0]["vencimiento"] == first_due.isoformat()


def test_a_credit_sale_needs_an_identified_customer(qtbot, editor, offline_runtime):
    editor.kind_combo.setCurrentIndex(CustomerKind.INNOMINADO)
    fill_item(qtbot, editor, 0, "Gaseosa", "1", "8000")
    editor.condition_combo.setCurrentIndex(1)
    assert not editor.save()
    assert "cliente identificado" in editor.payment_error.text()
    editor.condition_combo.setCurrentIndex(0)
    assert editor.save()


def test_a_term_credit_sale_says_its_days(qtbot, editor, offline_runtime):
    fill_customer(qtbot, editor, RUC_OK, "Ferretería López S.A.")
    fill_item(qtbot, editor, 0, "Cemento", "1", "55.000")
    editor.condition_combo.setCurrentIndex(1)
    editor.term_spin.setValue(60)
    assert editor.save()
    credito = document_payload(offline_runtime.db, editor.saved_id)["condicion"]["credito"]
    assert credito == {"tipo": 1, "plazo": "60 días"}


def test_the_header_announces_the_next_number(qtbot, offline_runtime, books):
    profile = default_profile(offline_runtime.db)
    first = InvoiceDialog(offline_runtime.db, profile)
    qtbot.addWidget(first)
    assert (
        "Próximo número: 001-001-0000001"
        in first.findChild(type(first.errors_label), "header_label").text()
    )
    fill_customer(qtbot, first, RUC_OK, "Ferretería López S.A.")
    fill_item(qtbot, first, 0, "Cosa", "1", "1000")
    assert first.save()
    second = InvoiceDialog(offline_runtime.db, profile)
    qtbot.addWidget(second)
    assert "001-001-0000002" in second.findChild(type(second.errors_label), "header_label").text()


def test_enter_walks_the_payment_box_and_ends_on_guardar(qtbot, editor):
    editor.condition_combo.setFocus()
    qtbot.keyClick(editor.condition_combo, Qt.Key.Key_Return)
    assert editor.focusWidget() is editor.payment_combo
    qtbot.keyClick(editor.payment_combo, Qt.Key.Key_Return)
    assert editor.focusWidget() is editor.save_button


def test_the_instalment_plan_never_loses_a_guarani():
    plan = instalments(Decimal(100), 3, date(2026, 1, 31))
    assert [d for d, _a in plan] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert [a for _d, a in plan] == [33, 33, 34]
