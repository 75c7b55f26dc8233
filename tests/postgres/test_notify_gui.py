"""A notification reaches a second terminal's documents table: what one counter saves or
the sender changes appears in the other's table, with no polling of the database.

The listener thread hands ids to a small QObject on the GUI thread through a queued
signal (STYLE.md: workers emit ids, never touch models), exactly as the main window
wires it: `runtime.listen_documents(relay.ids.emit)` and `relay.ids` -> `refresh_ids`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QObject, Qt, Signal  # noqa: E402

from desktop_app.gui.documents_model import (  # noqa: E402
    ROW_ID_ROLE,
    STATE_ROLE,
    Column,
    DocumentsModel,
)
from desktop_app.store.db import Database  # noqa: E402
from desktop_app.store.notify import DocumentListener  # noqa: E402
from desktop_app.store.outbox import Change, apply_changes, enqueue_documents  # noqa: E402
from desktop_app.store.profiles import save_profile  # noqa: E402
from desktop_app.store.types import utcnow  # noqa: E402
from tests.postgres.helpers import TERMINAL_A, TERMINAL_B, profile  # noqa: E402
from tests.support.factories import document  # noqa: E402


class Relay(QObject):
    """Lives on the GUI thread; the listener thread emits, Qt queues the call."""

    ids = Signal(object)  # list[int]: Signal(int) would be a 32-bit C int (STYLE.md)


@pytest.fixture
def two_terminals(pg_url: str) -> Iterator[tuple[Database, Database, int]]:
    first = Database.open(pg_url, terminal_id=TERMINAL_A)
    second = Database.open(pg_url, terminal_id=TERMINAL_B)
    p = save_profile(first, profile())
    assert p.id is not None
    yield first, second, p.id
    first.dispose()
    second.dispose()


def test_documents_saved_on_one_counter_appear_in_the_others_table(qtbot, two_terminals) -> None:
    first, second, pid = two_terminals
    model = DocumentsModel(second)
    assert model.rowCount() == 0
    relay = Relay()
    relay.ids.connect(model.refresh_ids, Qt.ConnectionType.QueuedConnection)
    listener = DocumentListener(second, relay.ids.emit)
    listener.start()
    try:
        assert listener.wait_listening(30)
        ids = enqueue_documents(first, pid, [document() for _ in range(3)]).ids
        qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=30_000)
        shown = {model.index(r, 0).data(ROW_ID_ROLE) for r in range(model.rowCount())}
        assert shown == set(ids)

        with first.write() as s:  # the sender, elsewhere, moves one on
            apply_changes(
                s,
                [Change(ids[0], "QUEUED", values={"message": "Visto en caja 1"})],
                actor="sync",
                at=utcnow(),
            )
        row = next(
            r for r in range(model.rowCount()) if model.index(r, 0).data(ROW_ID_ROLE) == ids[0]
        )
        qtbot.waitUntil(
            lambda: "Visto en caja 1" in str(model.index(row, Column.MENSAJE).data()),
            timeout=30_000,
        )
        assert model.index(row, 0).data(STATE_ROLE) == "QUEUED"
    finally:
        listener.stop()
