"""The table model: ids in memory, rows by page, updates row by row."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QSignalSpy

from desktop_app.domain.states import DocState
from desktop_app.gui.documents_model import ROW_ID_ROLE, Column, DocumentsModel
from desktop_app.store.models import Document
from desktop_app.store.outbox import enqueue_documents, transition
from desktop_app.store.profiles import default_profile
from tests.gui.helpers import make_document


def enqueue(db, count: int = 1, **kwargs) -> list[int]:
    profile = default_profile(db)
    result = enqueue_documents(db, profile.id, [make_document(**kwargs) for _ in range(count)])
    assert result.ok, result.errors
    return result.ids


def move(db, doc_id: int, target: DocState, **kwargs) -> None:
    with db.write() as s:
        transition(s, s.get(Document, doc_id), target, actor="test", **kwargs)


def test_refresh_ids_updates_a_changed_row_and_inserts_a_new_id_on_top_without_reset(
    qtbot, offline_runtime
):
    db = offline_runtime.db
    first, second = enqueue(db, 2)
    model = DocumentsModel(db)
    assert [model.index(r, 0).data(ROW_ID_ROLE) for r in range(2)] == [second, first]
    assert model.index(1, Column.ESTADO).data() == "Encolado"

    changed: list[tuple[int, int, int, int]] = []  # (id, row, first column, last column)
    model.dataChanged.connect(
        lambda tl, br, _roles=(): changed.append(
            (tl.data(ROW_ID_ROLE), tl.row(), tl.column(), br.column())
        )
    )
    inserted = QSignalSpy(model.rowsInserted)
    reset = QSignalSpy(model.modelReset)
    move(db, first, DocState.SENDING)
    (third,) = enqueue(db)
    model.refresh_ids({first, second, third})

    assert reset.count() == 0
    assert inserted.count() == 1
    assert inserted.at(0)[1:] == [0, 0]  # first=0, last=0: on top
    assert model.rowCount() == 3
    assert model.index(0, 0).data(ROW_ID_ROLE) == third
    assert model.index(0, Column.ESTADO).data() == "Encolado"
    # Only the row that changed is announced (`second` is unchanged), whole row at once.
    assert [(i, first_col, last_col) for i, _row, first_col, last_col in changed] == [
        (first, 0, len(Column) - 1)
    ]
    assert model.index(2, Column.ESTADO).data() == "Enviando"


def test_rows_are_loaded_lazily_a_page_at_a_time(offline_runtime, monkeypatch):
    db = offline_runtime.db
    ids = enqueue(db, 7)
    from desktop_app.gui import documents_model

    calls: list[list[int]] = []
    real = documents_model.rows_by_ids

    def counting(db_, wanted):
        wanted = list(wanted)
        calls.append(wanted)
        return real(db_, wanted)

    monkeypatch.setattr(documents_model, "rows_by_ids", counting)
    model = DocumentsModel(db, page_size=3)
    assert model.rowCount() == 7 and calls == []  # ids only
    assert model.index(4, Column.NUMERO).data() == "001-001-0000003"
    assert calls == [[ids[3], ids[2], ids[1]]]  # the page holding row 4: rows 3..5
    model.index(3, Column.CLIENTE).data()
    model.index(5, Column.TOTAL).data()
    assert len(calls) == 1


def test_refresh_of_a_row_never_shown_reads_nothing(offline_runtime, monkeypatch):
    db = offline_runtime.db
    (doc_id,) = enqueue(db)
    model = DocumentsModel(db)
    from desktop_app.gui import documents_model

    monkeypatch.setattr(
        documents_model, "rows_by_ids", lambda *_: (_ for _ in ()).throw(AssertionError("queried"))
    )
    model.refresh_ids({doc_id})


def test_state_column_has_label_colours_icon_and_the_message_its_tooltip(offline_runtime):
    db = offline_runtime.db
    (doc_id,) = enqueue(db)
    move(db, doc_id, DocState.SENDING)
    move(
        db,
        doc_id,
        DocState.REJECTED,
        code="1307",
        message="El RUC del receptor se encuentra inactivo",
    )
    model = DocumentsModel(db)
    index = model.index(0, Column.ESTADO)
    assert index.data() == "Rechazado"
    assert index.data(Qt.ItemDataRole.ForegroundRole).name() == "#a4262c"
    assert index.data(Qt.ItemDataRole.BackgroundRole).isValid()
    assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert (
        model.index(0, Column.MENSAJE).data() == "1307 · El RUC del receptor se encuentra inactivo"
    )
    total = model.index(0, Column.TOTAL)
    assert total.data() == "110.000"
    assert total.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight


def test_filter_is_applied_in_sql_and_new_rows_outside_it_stay_out(offline_runtime):
    db = offline_runtime.db
    a, b = enqueue(db, 2)
    move(db, a, DocState.SENDING)
    model = DocumentsModel(db)
    model.set_filter([DocState.QUEUED.value])
    assert [model.index(r, 0).data(ROW_ID_ROLE) for r in range(model.rowCount())] == [b]
    (c,) = enqueue(db, name="Otro Cliente S.R.L.")
    move(db, c, DocState.SENDING)
    model.refresh_ids({c})
    assert model.rowCount() == 1
    model.set_filter(None, text="otro cliente")
    assert [model.index(r, 0).data(ROW_ID_ROLE) for r in range(model.rowCount())] == [c]


def test_news_read_in_the_background_change_rows_in_place_one_signal_per_run(offline_runtime):
    from desktop_app.gui.live import read_news

    db = offline_runtime.db
    ids = enqueue(db, 4)  # shown newest first: ids[3], ids[2], ids[1], ids[0]
    model = DocumentsModel(db)
    for r in range(4):
        model.index(r, 0).data()  # every row in view, so in memory
    for doc_id in (ids[3], ids[2], ids[0]):
        move(db, doc_id, DocState.SENDING)
    news = read_news(db, ids, [model.ask(ids)])
    spans: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda tl, br, _roles=(): spans.append((tl.row(), br.row())))
    model.apply_news(news.views[0], news.rows)
    assert spans == [(0, 1), (3, 3)]
    assert [model.index(r, Column.ESTADO).data() for r in range(4)] == [
        "Enviando",
        "Enviando",
        "Encolado",
        "Enviando",
    ]


def test_news_of_a_new_document_are_not_inserted_under_a_filter_changed_meanwhile(
    offline_runtime,
):
    from desktop_app.gui.live import read_news

    db = offline_runtime.db
    enqueue(db)
    model = DocumentsModel(db)
    (new,) = enqueue(db)
    news = read_news(db, {new}, [model.ask({new})])
    assert news.views[0].admitted == {new}
    model.set_filter([DocState.SENDING.value])  # the user picked "Enviando" meanwhile
    model.apply_news(news.views[0], news.rows)
    assert model.rowCount() == 0 and model.row_of(new) is None
    model.set_filter(None)
    model.apply_news(news.views[0], news.rows)  # (an answer for the old filter, again)
    assert model.rowCount() == 2
