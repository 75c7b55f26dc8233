"""The main window as a user drives it: screens by shortcut, filters and sorting of the
documents table, what it remembers between sessions, the keyboard map, the status
bar's progress indicator and the notice of rejected documents."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.domain.states import DocState
from desktop_app.gui.documents_model import Column
from desktop_app.gui.main_window import Page
from desktop_app.store.models import ProviderProfile
from desktop_app.store.profiles import save_profile
from tests.gui.helpers import make_document, move, open_window, queue, type_text


def test_ctrl_and_a_number_opens_each_screen_and_the_view_menu_says_so(qtbot, quiet_window):
    w = quiet_window
    for page, key in (
        (Page.DASHBOARD, Qt.Key.Key_2),
        (Page.LOTES, Qt.Key.Key_3),
        (Page.CUSTOMERS, Qt.Key.Key_4),
        (Page.PRODUCTS, Qt.Key.Key_5),
        (Page.DOCUMENTS, Qt.Key.Key_1),
    ):
        qtbot.keyClick(w, key, Qt.KeyboardModifier.ControlModifier)
        assert w.current_page() == page
        assert w.page_actions[page].isChecked()
        assert w.nav.currentRow() == page


def test_every_menu_action_that_matters_has_a_visible_shortcut(quiet_window):
    w = quiet_window
    texts = {
        a.text().replace("&", ""): a for m in w.menus for a in m.actions() if not a.isSeparator()
    }
    for name in (
        "Nueva factura",
        "Configuración…",
        "Salir",
        "Ver detalle",
        "Corregir y reenviar…",
        "Anular…",
        "Imprimir…",
        "Copiar CDC",
        "Documentos",
        "Panel",
        "Lotes",
        "Clientes",
        "Productos",
        "Buscar",
        "Actualizar",
        "Reintentar ahora",
        "Atajos de teclado",
        "Importar documentos (CSV/XLSX)…",
        "Exportar la lista (CSV/XLSX)…",
    ):
        action = texts[name]
        assert not action.shortcut().isEmpty(), name
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if action.shortcut() != QKeySequence(Qt.Key.Key_Return):
            assert keys in action.toolTip(), name
    shortcuts = [a.shortcut().toString() for a in texts.values() if not a.shortcut().isEmpty()]
    assert len(shortcuts) == len(set(shortcuts))  # no two actions fight for a key


def test_f1_lists_the_shortcuts(qtbot, quiet_window):
    qtbot.keyClick(quiet_window, Qt.Key.Key_F1)
    dialog = quiet_window.findChild(type(quiet_window.show_shortcuts()), "shortcuts_dialog")
    assert dialog is not None
    rows = dict(quiet_window.shortcut_rows())
    assert rows["Nueva factura"] == QKeySequence("Ctrl+N").toString(
        QKeySequence.SequenceFormat.NativeText
    )
    assert rows["Factura: nuevo ítem"] == "F2"


def test_typing_in_the_search_box_filters_in_sql_by_customer_number_or_cdc(
    qtbot, quiet_window, offline_runtime
):
    db = offline_runtime.db
    first, second = queue(
        db, make_document(name="Ferretería López S.A."), make_document(name="Juan Pérez")
    )
    w = quiet_window
    w.model.reload()
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert w.search_edit.hasFocus()
    type_text(qtbot, w.search_edit, "ferre")
    qtbot.waitUntil(lambda: w.model.rowCount() == 1, timeout=5000)
    assert w.model.id_at(0) == first
    w.search_edit.clear()
    type_text(qtbot, w.search_edit, "001-001-0000002")
    qtbot.keyClick(w.search_edit, Qt.Key.Key_Return)  # Enter searches at once
    assert [w.model.id_at(r) for r in range(w.model.rowCount())] == [second]
    assert w.documents_page.count_label.text() == "1 documento"
    qtbot.keyClick(
        w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: w.model.rowCount() == 2, timeout=3000)  # a button's animateClick
    assert w.search_edit.text() == ""


def test_the_period_filter_keeps_only_the_chosen_days(qtbot, quiet_window, offline_runtime):
    db = offline_runtime.db
    old = make_document(name="Venta Vieja S.A.")
    old.fecha = datetime.now().replace(microsecond=0) - timedelta(days=3)
    old_id, new_id = queue(db, old, make_document(name="Venta de Hoy S.A."))
    page = quiet_window.documents_page
    quiet_window.model.reload()
    page.period_combo.setCurrentIndex(page.period_combo.findData("today"))
    assert [quiet_window.model.id_at(r) for r in range(quiet_window.model.rowCount())] == [new_id]
    assert not page.date_from.isVisible()
    page.period_combo.setCurrentIndex(page.period_combo.findData("custom"))
    assert page.date_from.isVisible() and page.date_to.isVisible()
    page.date_from.setDate(page.date_from.date().addDays(-10))
    assert quiet_window.model.rowCount() == 2
    page.state_filter.setCurrentIndex(3)  # Rechazados
    assert quiet_window.model.rowCount() == 0
    assert old_id


def test_clicking_a_header_sorts_in_sql_and_new_documents_land_in_order(
    qtbot, quiet_window, offline_runtime
):
    db = offline_runtime.db
    queue(db, make_document(name="Carla Ruiz"), make_document(name="Alberto Díaz"))
    w = quiet_window
    w.model.reload()
    header = w.table.horizontalHeader()
    x = header.sectionViewportPosition(Column.CLIENTE) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert w.model.filter.sort == "cliente"
    names = [w.model.index(r, Column.CLIENTE).data() for r in range(2)]
    assert names == sorted(names) or names == sorted(names, reverse=True)
    ascending = not w.model.filter.descending
    (beto,) = queue(db, make_document(name="Beto Gómez"))
    w.model.refresh_ids({beto})
    names = [w.model.index(r, Column.CLIENTE).data() for r in range(3)]
    assert names == sorted(names, reverse=not ascending)


def test_columns_geometry_and_screen_are_remembered_for_the_next_session(qtbot, offline_runtime):
    first = open_window(qtbot, offline_runtime)
    first.resize(1000, 520)
    first.table.setColumnWidth(Column.CLIENTE, 333)
    first.table.setColumnHidden(Column.LOTE, True)
    first.table.horizontalHeader().setSortIndicator(Column.TOTAL, Qt.SortOrder.AscendingOrder)
    first.show_page(Page.LOTES)
    first.close()

    second = open_window(qtbot, offline_runtime)
    try:
        assert second.table.columnWidth(Column.CLIENTE) == 333
        assert second.table.isColumnHidden(Column.LOTE)
        assert (second.model.filter.sort, second.model.filter.descending) == ("total", False)
        assert second.current_page() == Page.LOTES
        assert second.height() == 520  # (the offscreen screen is narrower than the window)
    finally:
        second.shutdown()


def test_enter_on_a_row_opens_its_detail(qtbot, quiet_window, offline_runtime):
    (doc_id,) = queue(offline_runtime.db)
    w = quiet_window
    w.model.reload()
    w.table.setFocus()
    w.table.selectRow(0)
    qtbot.keyClick(w.table, Qt.Key.Key_Return)
    assert doc_id in w.detail_dialogs
    assert w.detail_dialogs[doc_id].isVisible()


def test_a_bolivian_default_profile_points_to_the_import_instead_of_the_form(
    qtbot, quiet_window, offline_runtime
):
    save_profile(
        offline_runtime.db,
        ProviderProfile(
            name="Sucursal La Paz",
            provider="cucu",
            country="BO",
            base_url="https://cucu.test",
            is_default=True,
        ),
    )
    assert quiet_window.new_invoice() is None
    box = quiet_window.findChild(QMessageBox, "not_paraguay_box")
    assert box is not None and box.isVisible()
    assert "Importar documentos" in box.text() and "Bolivia" in box.text()
    box.close()


def test_the_status_bar_shows_progress_while_a_lote_is_on_its_way(qtbot, quiet_window):
    w = quiet_window
    assert not w.progress.isVisible()
    w.workers.sending.emit(7)
    qtbot.waitUntil(w.progress.isVisible, timeout=3000)
    assert w.progress_label.text() == "Enviando lote (7 en cola)…"
    w.workers.sending.emit(0)
    qtbot.waitUntil(lambda: not w.progress.isVisible(), timeout=3000)


def test_rejected_documents_are_announced_once_in_the_status_bar(
    qtbot, quiet_window, offline_runtime
):
    db = offline_runtime.db
    a, b, c = queue(db, make_document(), make_document(), make_document())
    for doc_id in (a, b):
        move(db, doc_id, DocState.SENDING, DocState.REJECTED, code="1307", message="RUC inactivo")
    move(db, c, DocState.SENDING)
    w = quiet_window
    w._documents_changed({a, b, c})
    assert w.notifier.last == (
        "Documentos rechazados",
        "2 documentos rechazados. Ábralos en Lote para corregirlos y reenviarlos.",
    )
    assert "2 documentos rechazados" in w.statusBar().currentMessage()
    w.statusBar().clearMessage()
    w._documents_changed({a, b})  # the same news again: no second notice
    assert w.statusBar().currentMessage() == ""


def test_the_window_fits_a_200_percent_screen(quiet_window):
    """At 200 % a 1080p screen is 960 × 540 logical pixels: every screen fits its width."""
    assert quiet_window.minimumSizeHint().width() <= 940
    assert QApplication.instance() is not None


def test_one_rejection_names_the_document_and_a_new_rejection_after_correction_is_news(
    offline_runtime,
):
    from desktop_app.gui.notifier import RejectionNotifier
    from desktop_app.store.lote_queries import rejected_among
    from desktop_app.store.queries import find_document

    db = offline_runtime.db
    notifier = RejectionNotifier(db)

    def documents_changed(ids: set[int]) -> int:  # what the window's background read gives
        return notifier.states_read(ids, rejected_among(db, ids))

    seen = []
    notifier.notify.connect(lambda title, message: seen.append((title, message)))
    (doc_id,) = queue(db, make_document(name="Empresa Cancelada S.A."))
    move(db, doc_id, DocState.SENDING, DocState.REJECTED, code="1307", message="RUC inactivo")
    numero = find_document(db, str(doc_id)).numero
    assert documents_changed({doc_id}) == 1
    assert seen == [
        ("Documento rechazado", f"{numero} (Empresa Cancelada S.A.): 1307 · RUC inactivo")
    ]
    assert documents_changed({doc_id}) == 0
    move(db, doc_id, DocState.QUEUED)
    assert documents_changed({doc_id}) == 0
    move(db, doc_id, DocState.SENDING, DocState.REJECTED, code="1307", message="RUC inactivo")
    assert documents_changed({doc_id}) == 1
    notifier.enabled = False
    (other,) = queue(db)
    move(db, other, DocState.SENDING, DocState.REJECTED)
    assert documents_changed({other}) == 0 and len(seen) == 2


def test_only_the_documents_screen_is_built_with_the_window_the_others_on_first_show(
    qtbot, quiet_window
):
    w = quiet_window
    for page in (Page.DASHBOARD, Page.LOTES, Page.CUSTOMERS, Page.PRODUCTS):
        assert w.built_page(page) is None
    qtbot.keyClick(w, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    lotes = w.built_page(Page.LOTES)
    assert lotes is not None and lotes.objectName() == "lotes_page"
    assert w.stack.currentWidget() is lotes and lotes.isVisible()
    assert w.stack.indexOf(lotes) == Page.LOTES and w.stack.count() == 5
    assert w.built_page(Page.DASHBOARD) is None  # still never shown
    qtbot.keyClick(w, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert w.stack.currentWidget() is w.documents_page
    assert w.built_page(Page.LOTES) is lotes  # built once


def test_the_lotes_layout_is_remembered_though_the_screen_is_built_late(qtbot, offline_runtime):
    first = open_window(qtbot, offline_runtime)
    first.show_page(Page.LOTES)
    first.lotes_page.splitter.setSizes([100, 300])
    sizes = first.lotes_page.splitter.sizes()
    first.show_page(Page.DOCUMENTS)
    first.close()

    second = open_window(qtbot, offline_runtime)  # closed without opening Lotes
    assert second.built_page(Page.LOTES) is None
    second.close()

    third = open_window(qtbot, offline_runtime)
    try:
        third.show_page(Page.LOTES)
        assert third.lotes_page.splitter.sizes() == sizes
    finally:
        third.shutdown()
