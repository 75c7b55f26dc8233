"""100,000 documents: the table holds ids and reads one page of rows at a time; sort and
filter are SQL. No timing assertions here (the lead's benchmarks measure time): the
test checks that the model never reads more than a page of rows to answer the view."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from desktop_app.gui import documents_model
from desktop_app.gui.documents_model import ROW_ID_ROLE, Column, DocumentsModel
from desktop_app.runtime import ensure_demo_profile
from desktop_app.store.db import Database

COUNT = 100_000
PAGE = 200
NAMES = (
    "Ferretería López S.A.",
    "Juan Pérez",
    "Almacén San Roque",
    "María González",
    "Comercial Norte S.A.",
    "Distribuidora Central S.R.L.",
)
STATES = ("APPROVED", "APPROVED", "APPROVED", "QUEUED", "SUBMITTED", "REJECTED")


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    """A migrated SQLite file with 100,000 documents, written with one bulk INSERT."""
    folder = tmp_path_factory.mktemp("big")
    db = Database.open(f"sqlite:///{folder / 'big.sqlite3'}")
    profile = ensure_demo_profile(db)
    start = datetime(2025, 1, 1, 8, 0)
    stamp = "2026-01-01 00:00:00.000000"
    rows = (
        (
            profile.id,
            1,
            "001",
            "001",
            n,
            (start + timedelta(minutes=5 * n)).isoformat(" "),
            f"{NAMES[n % len(NAMES)]} {n}",
            f"{80000000 + n}-0",
            "PYG",
            1000 + n,
            (1000 + n) // 11,
            STATES[n % len(STATES)],
            0,
            f"{n:044d}",
            '{"items": []}',
            0,
            stamp,
            stamp,
            0,
        )
        for n in range(1, COUNT + 1)
    )
    conn = sqlite3.connect(db.engine.url.database)
    conn.executemany(
        "INSERT INTO document (profile_id, tipo_documento, establecimiento, punto, numero, fecha,"
        " customer_name, customer_tax_id, currency, total, iva_total, state, processing, cdc,"
        " payload, polls, created_at, updated_at, attention)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    yield db
    db.dispose()


@pytest.fixture
def counted(monkeypatch):
    """Every page the model reads: the list of ids it asked for."""
    calls: list[list[int]] = []
    real = documents_model.rows_by_ids

    def counting(db, wanted):
        wanted = list(wanted)
        calls.append(wanted)
        return real(db, wanted)

    monkeypatch.setattr(documents_model, "rows_by_ids", counting)
    return calls


def test_a_hundred_thousand_documents_cost_one_page_per_screenful(big_db, counted):
    model = DocumentsModel(big_db, page_size=PAGE)
    assert model.rowCount() == COUNT
    assert counted == []  # only the ids were read
    assert model.index(0, Column.NUMERO).data() == f"001-001-{COUNT:07d}"
    middle = model.index(50_000, Column.CLIENTE)
    assert middle.data().endswith(str(COUNT - 50_000))
    assert [len(c) for c in counted] == [PAGE, PAGE]
    assert model.cached_rows == 2 * PAGE
    for row in range(50_000, 50_000 + PAGE // 2):  # scrolling within the page: no reads
        model.index(row, Column.ESTADO).data()
    assert len(counted) == 2


def test_sorting_and_filtering_a_hundred_thousand_rows_happen_in_sql(big_db, counted):
    model = DocumentsModel(big_db, page_size=PAGE)
    model.sort(Column.TOTAL, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == COUNT
    assert model.index(0, Column.TOTAL).data() == "1.001"
    model.sort(Column.CLIENTE, Qt.SortOrder.AscendingOrder)
    assert model.index(0, Column.CLIENTE).data().startswith("Almacén San Roque")
    model.set_filter(["APPROVED"], "juan pérez 99")
    assert model.rowCount() == 186  # Juan Pérez 99, 99x, 99xx, 99xxx
    assert all(model.index(r, Column.ESTADO).data() == "Aprobado" for r in range(20))
    assert max(len(c) for c in counted) <= PAGE
    assert model.index(0, 0).data(ROW_ID_ROLE) is not None
