"""The Lotes screen and the Panel, fed by the real sync cycle against the sandbox: the
workers send the documents, the screens read off the GUI thread, and what they show is
what the provider answered."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.gui.dashboard_page import DashboardPage, nice_ceiling
from desktop_app.gui.lotes_page import LoteColumn
from desktop_app.gui.main_window import Page
from desktop_app.sandbox.facturasend import DEMO_CANCELLED_RUC
from desktop_app.store.queries import find_document
from tests.gui.helpers import make_document, queue, state_of


def test_the_lotes_screen_lists_each_batch_with_its_results_and_documents(qtbot, window, runtime):
    db = runtime.db
    good, bad = queue(
        db,
        make_document(name="Ferretería López S.A."),
        make_document(ruc=DEMO_CANCELLED_RUC, name="Empresa Cancelada S.A."),
    )
    window.model.reload()
    window.workers.document_saved()
    qtbot.waitUntil(
        lambda: state_of(window, good) == "Aprobado" and state_of(window, bad) == "Rechazado",
        timeout=30000,
    )

    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    page = window.lotes_page
    qtbot.waitUntil(
        lambda: (
            page.model.rowCount() == 1
            and page.model.rows[0].approved + page.model.rows[0].rejected == 2
        ),
        timeout=15000,
    )
    lote = page.model.rows[0]
    assert (lote.size, lote.approved, lote.rejected, lote.pending) == (2, 1, 1, 0)
    assert lote.provider_lote_id
    model = page.model
    assert model.index(0, LoteColumn.NUMERO).data() == lote.provider_lote_id
    assert model.index(0, LoteColumn.PROVEEDOR).data() == "FacturaSend · Demo"
    assert model.index(0, LoteColumn.ESTADO).data() == "Terminado"
    assert model.index(0, LoteColumn.RECHAZADOS).data() == "1"

    qtbot.waitUntil(lambda: page.documents_model.rowCount() == 2, timeout=5000)
    assert lote.provider_lote_id in page.documents_label.text()
    page.documents_table.setFocus()
    page.documents_table.selectRow(0)
    qtbot.keyClick(page.documents_table, Qt.Key.Key_Return)
    assert set(window.detail_dialogs) & {good, bad}


def test_the_dashboard_adds_todays_sales_and_draws_the_month(qtbot, window, runtime):
    db = runtime.db
    ids = queue(
        db,
        make_document(items=[("Cemento", "2", "55000")]),
        make_document(items=[("Arroz", "2", "10500")]),
    )
    window.model.reload()
    window.workers.document_saved()
    qtbot.waitUntil(lambda: all(state_of(window, i) == "Aprobado" for i in ids), timeout=30000)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    page = window.dashboard_page
    qtbot.waitUntil(lambda: page.data is not None and page.data.today.count == 2, timeout=15000)
    assert page.today_card.total_label.text() == "Gs. 131.000"
    assert page.today_card.cells["rate_10_2"].text() == "11.909"  # 131.000 / 11
    assert page.today_card.cells["rate_total_3"].text() == "131.000"
    states = {
        page.states_table.item(r, 0).text(): page.states_table.item(r, 1).text()
        for r in range(page.states_table.rowCount())
    }
    assert states == {"Aprobado": "2"}
    today = page.data.today.start
    assert [d.approved for d in page.chart.days if d.day == today] == [131_000]
    assert page.chart.grab().width() > 0  # paints without error


def test_the_dashboard_only_reads_when_shown_and_after_changes(qtbot, offline_runtime):
    page = DashboardPage(offline_runtime.db)
    page.tasks.synchronous = True
    qtbot.addWidget(page)
    assert page.data is None
    page.activate()
    assert page.data is not None and page.data.month.count == 0
    (doc_id,) = queue(offline_runtime.db)
    page.documents_changed()  # not visible: nothing read yet, only marked
    assert page.data.month.count == 0
    page.activate()
    assert page.data.month.count == 1
    assert find_document(offline_runtime.db, str(doc_id)).state == "QUEUED"


def test_the_charts_axis_ends_on_a_round_number():
    assert [nice_ceiling(v) for v in (7, 130, 1_900_000, 2_400_000, 0)] == [
        10,
        200,
        2_000_000,
        2_500_000,
        1,
    ]


def test_the_lotes_screen_stays_put_while_nothing_was_sent(qtbot, quiet_window):
    quiet_window.show_page(Page.LOTES)
    assert quiet_window.lotes_page.model.rowCount() == 0
    assert quiet_window.lotes_page.summary_label.text() == (
        "0 lotes enviados, 0 documentos en total."
    )
