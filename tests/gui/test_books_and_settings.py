"""The Clientes and Productos screens and the settings, driven from the keyboard: new
entries with their checks, search, CSV import, delete; provider profiles with the key
in the keyring, numbering that only moves forward, the language."""

from __future__ import annotations

from decimal import Decimal

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.gui import books_pages
from desktop_app.gui.main_window import Page
from desktop_app.gui.settings import app_settings, current_language
from desktop_app.store.books import save_customer, search_customers, search_products
from desktop_app.store.lote_queries import number_sequences
from desktop_app.store.models import ProviderProfile
from desktop_app.store.profiles import get_profile, list_profiles, save_profile
from tests.gui.helpers import queue, type_into, type_text


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


# -- customers -------------------------------------------------------------------------------


def test_a_new_customer_is_typed_checked_and_found_by_search(qtbot, quiet_window, offline_runtime):
    qtbot.keyClick(quiet_window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    page = quiet_window.customers_page
    assert quiet_window.current_page() == Page.CUSTOMERS
    page.table.setFocus()
    qtbot.keyClick(
        page.table,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = page.findChild(books_pages.CustomerDialog)
    assert dialog is not None and dialog.isVisible()
    type_text(qtbot, dialog.tax_id_edit, "80012345-7")
    assert "debe ser 0, no 7" in dialog.tax_id_error.text()
    type_into(qtbot, dialog.tax_id_edit, "80012345-0")
    assert dialog.tax_id_error.isHidden()
    type_into(qtbot, dialog.name_edit, "Ferretería López S.A.")
    type_into(qtbot, dialog.email_edit, "compras@ferrelopez.com.py")
    assert dialog.save()
    assert page.model.rowCount() == 1
    type_text(qtbot, page.search_edit, "lopez")  # no accent typed
    qtbot.waitUntil(
        lambda: page.model.rowCount() == 1 and page.count_label.text() == "1 encontrados",
        timeout=3000,
    )
    page.search_edit.clear()
    type_text(qtbot, page.search_edit, "xyz")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=3000)


def test_the_customer_form_shows_the_books_refusal_next_to_the_name(qtbot, offline_runtime):
    dialog = books_pages.CustomerDialog(offline_runtime.db, None)
    qtbot.addWidget(dialog)
    type_into(qtbot, dialog.tax_id_edit, "4567890-1")
    type_into(qtbot, dialog.name_edit, "Jo")
    assert not dialog.save()
    assert "entre 4 y 255" in dialog.name_error.text()
    dialog.country_combo.setCurrentIndex(dialog.country_combo.findData("AR"))
    assert [dialog.kind_combo.itemData(i) for i in range(dialog.kind_combo.count())] == [
        "CUIT",
        "DNI",
        "OTRO",
    ]
    assert not dialog.lookup_button.isVisible()


def test_customers_import_from_csv_reports_the_rows_it_skipped(
    qtbot, quiet_window, tmp_path, offline_runtime
):
    path = tmp_path / "clientes.csv"
    path.write_text(
        "ruc,razon_social\n80012345-0,Ferretería López S.A.\n80012345-9,Malo S.A.\n",
        encoding="utf-8",
    )
    quiet_window.show_page(Page.CUSTOMERS)
    report = quiet_window.customers_page.import_csv(str(path))
    assert (report.added, len(report.errors)) == (1, 1)
    text = quiet_window.customers_page.message_label.text()
    assert text.startswith("Importados: 1 nuevos, 0 actualizados.")
    assert "Fila 3: El dígito verificador" in text
    assert quiet_window.customers_page.model.rowCount() == 1


def test_deleting_a_customer_asks_first(qtbot, quiet_window, offline_runtime, monkeypatch):
    save_customer(
        offline_runtime.db, country="PY", kind="CI", tax_id="1234567", name="Carlos Benítez"
    )
    quiet_window.show_page(Page.CUSTOMERS)
    page = quiet_window.customers_page
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert not page.delete_current()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert page.delete_current()
    assert search_customers(offline_runtime.db) == []


def test_the_ruc_lookup_fills_the_name_when_dtepy_offers_it(qtbot, offline_runtime, monkeypatch):
    db = offline_runtime.db
    dialog = books_pages.CustomerDialog(db, None)
    qtbot.addWidget(dialog)
    assert not dialog.lookup_button.isEnabled()  # no DTEpy lookup here yet

    calls = []

    def lookup_ruc(ruc, *, base_url, api_key):
        calls.append((ruc, base_url))
        return {"ruc": ruc, "razonSocial": "FERRETERIA LOPEZ SOCIEDAD ANONIMA"}

    monkeypatch.setattr(books_pages, "lookup_ruc_function", lambda: lookup_ruc)
    save_profile(
        db,
        ProviderProfile(
            name="DTEpy", provider="dtepy", country="PY", base_url="https://dtepy.test"
        ),
    )
    dialog = books_pages.CustomerDialog(db, None)
    dialog.tasks.synchronous = True
    qtbot.addWidget(dialog)
    assert dialog.lookup_button.isEnabled()
    type_into(qtbot, dialog.tax_id_edit, "80012345-0")
    qtbot.mouseClick(dialog.lookup_button, Qt.MouseButton.LeftButton)
    assert calls == [("80012345-0", "https://dtepy.test")]
    assert dialog.name_edit.text() == "FERRETERIA LOPEZ SOCIEDAD ANONIMA"


# -- products --------------------------------------------------------------------------------


def test_a_product_is_added_with_its_price_and_rate(qtbot, quiet_window, offline_runtime):
    quiet_window.show_page(Page.PRODUCTS)
    page = quiet_window.products_page
    dialog = page.new_entry()
    type_into(qtbot, dialog.description_edit, "Yerba mate 1 kg")
    assert not dialog.save()
    assert dialog.price_error.text() == "Escriba el precio."
    type_into(qtbot, dialog.price_edit, "25.000")
    dialog.iva_combo.setCurrentIndex(dialog.iva_combo.findData(5))
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    [product] = search_products(offline_runtime.db, "yerba")
    assert (product.price, product.iva) == (Decimal(25000), 5)
    assert page.model.index(0, 2).data() == "25.000"
    assert page.model.index(0, 3).data() == "5 %"


# -- settings --------------------------------------------------------------------------------


def test_a_new_profile_is_checked_saved_and_its_key_goes_to_the_keyring(
    qtbot, quiet_window, offline_runtime, memory_keyring
):
    qtbot.keyClick(quiet_window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = quiet_window.settings_dialog
    assert dialog is not None and dialog.isVisible()
    tab = dialog.profiles_tab
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, tab.name_edit, "Casa central")
    tab.provider_combo.setCurrentIndex(tab.provider_combo.findData("dtepy"))
    assert tab.poll_every_spin.value() == 60  # DTEpy's advice
    type_into(qtbot, tab.base_url_edit, "https://api.dtepy.test")
    type_into(qtbot, tab.api_key_edit, "secreto-123")
    type_text(qtbot, tab.emisor_ruc_edit, "80012345-7")
    assert "debe ser 0, no 7" in tab.emisor_ruc_error.text()
    assert not tab.save()
    type_into(qtbot, tab.emisor_ruc_edit, "80012345-0")
    type_into(qtbot, tab.establecimiento_edit, "002")
    tab.default_check.setChecked(True)
    assert tab.save(), tab.message.text()
    saved = get_profile(offline_runtime.db, "Casa central")
    assert (saved.provider, saved.establecimiento, saved.is_default) == ("dtepy", "002", True)
    assert memory_keyring.store[("lote", "Casa central")] == "secreto-123"
    assert "secreto" not in repr(saved.model_dump())  # never in the database
    assert "llavero" in tab.message.text()
    assert quiet_window.documents_page.profile_filter.count() == 3  # all + two profiles
    dialog.reject()


def test_the_next_number_can_move_forward_but_never_back(qtbot, quiet_window, offline_runtime):
    db = offline_runtime.db
    queue(db)
    queue(db)
    dialog = quiet_window.open_settings()
    dialog.tabs.setCurrentIndex(1)
    tab = dialog.numbering_tab
    (key, spin, before) = tab.spins[0]
    assert (key, before) == ((1, "001", "001"), 3)
    assert tab.table.item(0, 3).text() == "001-001-0000002"
    spin.setValue(2)
    dialog.apply_and_close()
    assert dialog.isVisible()
    assert "el próximo debe ser 3 o mayor" in tab.message.text()
    spin.setValue(500)
    dialog.apply_and_close()
    assert not dialog.isVisible()
    profile_id = list_profiles(db)[0].id
    assert number_sequences(db, profile_id)[0].next_numero == 500


def test_english_is_chosen_in_the_settings_and_applies_at_the_next_start(qtbot, quiet_window):
    assert current_language() == "es"
    dialog = quiet_window.open_settings()
    dialog.tabs.setCurrentIndex(2)
    dialog.general_tab.language_combo.setCurrentIndex(
        dialog.general_tab.language_combo.findData("en")
    )
    dialog.general_tab.notify_check.setChecked(False)
    dialog.apply_and_close()
    assert app_settings().value("language") == "en"
    assert current_language() == "en"
    assert "próxima vez" in quiet_window.statusBar().currentMessage()
    assert quiet_window.notifier.enabled is False
