"""The window follows the sync workers without a query on the GUI thread: reports are
merged, read in one background task, and the window only applies the rows and counts
it is handed (gui/live.py; BENCHMARKS.md, GUI heartbeat)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from PySide6.QtCore import Qt
from sqlalchemy import event

from desktop_app.domain.states import DocState
from desktop_app.gui import live
from desktop_app.gui.documents_model import Column
from desktop_app.gui.main_window import Page
from desktop_app.store.models import Document, Lote
from desktop_app.store.queries import find_document
from tests.gui.helpers import make_document, move, open_window, queue, state_of


@contextmanager
def gui_thread_queries(db):
    """The SQL statements run on the GUI (main) thread meanwhile."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args) -> None:
        if threading.current_thread() is threading.main_thread():
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def from_worker_thread(signal, ids) -> None:
    """Emit as a sync worker does: from another thread, queued to the GUI thread."""
    thread = threading.Thread(target=signal.emit, args=(ids,))
    thread.start()
    thread.join()


def background_window(qtbot, runtime):
    """The main window with its reads in the background, as `lote` runs it (no sync
    threads: the tests move the documents and report as the workers would)."""
    return open_window(qtbot, runtime, synchronous_tasks=False)


def test_a_workers_report_changes_row_counts_and_tray_with_no_query_on_the_gui_thread(
    qtbot, offline_runtime
):
    db = offline_runtime.db
    bad, slow = queue(db, make_document(name="Empresa Cancelada S.A."), make_document())
    w = background_window(qtbot, offline_runtime)
    try:
        assert state_of(w, bad) == "Encolado"  # the rows in view are in memory now
        qtbot.waitUntil(lambda: w.counts_label.text().startswith("Encolados: 2 "))
        move(db, bad, DocState.SENDING, DocState.REJECTED, code="1307", message="RUC inactivo")
        move(db, slow, DocState.SENDING, DocState.SUBMITTED)
        with db.write() as s:
            row = s.get(Document, slow)
            row.attention = True
            s.add(row)
        numero = find_document(db, str(bad)).numero

        with gui_thread_queries(db) as queries:
            from_worker_thread(w.workers.sender.changed, {bad, slow})
            qtbot.waitUntil(lambda: state_of(w, bad) == "Rechazado", timeout=10_000)
            qtbot.waitUntil(lambda: w.attention_label.isVisible(), timeout=10_000)
        assert queries == []
        assert w.counts_label.text().startswith("Encolados: 0 ")
        assert w.attention_label.text().startswith("Requieren atención: 1")
        assert w.notifier.last == (
            "Documento rechazado",
            f"{numero} (Empresa Cancelada S.A.): 1307 · RUC inactivo",
        )
        assert "Documento rechazado" in w.statusBar().currentMessage()
    finally:
        w.shutdown()


def test_reports_that_arrive_together_are_read_once(qtbot, offline_runtime, monkeypatch):
    db = offline_runtime.db
    ids = queue(db, *[make_document() for _ in range(5)])
    reads: list[frozenset[int]] = []
    read_news = live.read_news

    def counting(db_, changed, asks, **kwargs):
        reads.append(frozenset(changed))
        return read_news(db_, changed, asks, **kwargs)

    monkeypatch.setattr(live, "read_news", counting)
    w = background_window(qtbot, offline_runtime)
    try:
        for doc_id in ids:
            move(db, doc_id, DocState.SENDING)

        def report_each() -> None:  # five reports in a row, as a busy sender makes them
            for doc_id in ids:
                w.workers.sender.changed.emit({doc_id})

        thread = threading.Thread(target=report_each)
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: all(state_of(w, i) == "Enviando" for i in ids), timeout=10_000)
        qtbot.waitUntil(lambda: not w.live.busy, timeout=10_000)
        assert reads == [frozenset(ids)]
    finally:
        w.shutdown()


def test_a_document_saved_by_another_terminal_lands_where_the_sort_puts_it(qtbot, offline_runtime):
    db = offline_runtime.db
    queue(db, make_document(name="Carla Ruiz"), make_document(name="Alberto Díaz"))
    w = background_window(qtbot, offline_runtime)
    try:
        w.model.sort(Column.CLIENTE, Qt.SortOrder.AscendingOrder)
        assert [w.model.index(r, Column.CLIENTE).data() for r in range(2)] == [
            "Alberto Díaz",
            "Carla Ruiz",
        ]
        (beto,) = queue(db, make_document(name="Beto Gómez"))
        with gui_thread_queries(db) as queries:
            from_worker_thread(w._relay.ids, [beto])  # the shared database's listener
            qtbot.waitUntil(lambda: w.model.rowCount() == 3, timeout=10_000)
        assert queries == []
        assert w.model.row_of(beto) == 1
        assert [w.model.index(r, Column.CLIENTE).data() for r in range(3)] == [
            "Alberto Díaz",
            "Beto Gómez",
            "Carla Ruiz",
        ]
    finally:
        w.shutdown()


def test_a_hidden_lotes_screen_reads_nothing_and_is_current_when_shown_again(
    qtbot, offline_runtime
):
    db = offline_runtime.db
    w = background_window(qtbot, offline_runtime)
    try:
        w.show_page(Page.LOTES)
        page = w.lotes_page
        qtbot.waitUntil(lambda: page.summary_label.text().startswith("0 lotes"), timeout=10_000)
        w.show_page(Page.DOCUMENTS)
        (doc_id,) = queue(db, make_document())
        with gui_thread_queries(db) as queries:
            from_worker_thread(w.workers.sender.changed, {doc_id})
            qtbot.waitUntil(lambda: w.model.row_of(doc_id) is not None, timeout=10_000)
            qtbot.waitUntil(lambda: not w.live.busy, timeout=10_000)
        assert queries == []
        with db.write() as s:  # a lote sent meanwhile (the sync cycle's tests send real ones)
            s.add(
                Lote(profile_id=profile_of(db, doc_id), attempt_id="t-1", tipo_documento=1, size=1)
            )
        w.show_page(Page.LOTES)
        qtbot.waitUntil(
            lambda: page.summary_label.text() == "1 lotes enviados, 1 documentos en total.",
            timeout=10_000,
        )
    finally:
        w.shutdown()


def profile_of(db, doc_id: int) -> int:
    with db.session() as s:
        return s.get(Document, doc_id).profile_id


def test_one_read_at_a_time_so_answers_are_applied_in_the_order_asked(
    qtbot, offline_runtime, monkeypatch
):
    db = offline_runtime.db
    release = threading.Event()
    reads: list[frozenset[int]] = []
    read_news = live.read_news

    def slow_read(db_, changed, asks, **kwargs):
        reads.append(frozenset(changed))
        release.wait(10)
        return read_news(db_, changed, asks, **kwargs)

    monkeypatch.setattr(live, "read_news", slow_read)
    applied: list[frozenset[int]] = []
    updates = live.LiveUpdates(db, lambda ids: [None], lambda news: applied.append(news.ids))
    try:
        updates.report({1})
        qtbot.waitUntil(lambda: reads == [{1}], timeout=10_000)
        updates.report({2})
        updates.now({3})  # a user's action waits for the read in flight too
        assert reads == [{1}] and applied == []
        release.set()
        qtbot.waitUntil(lambda: not updates.busy, timeout=10_000)
        assert reads == [{1}, {2, 3}]
        assert applied == [{1}, {2, 3}]
    finally:
        release.set()
        updates.close()
