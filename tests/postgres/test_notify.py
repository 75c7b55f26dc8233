"""Other terminals hear of every committed change through LISTEN/NOTIFY, never of a
rolled-back one, and a listener that loses the server says so and comes back."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from desktop_app.store.db import Database
from desktop_app.store.notify import (
    MAX_PAYLOAD_BYTES,
    DocumentListener,
    parse_payload,
    payload_chunks,
)
from desktop_app.store.outbox import Change, apply_changes, enqueue_documents
from desktop_app.store.types import utcnow
from tests.support.factories import document


class Heard:
    """What a listener's callbacks received, thread-safe, with a polite wait."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.calls = 0
        self.connection: list[bool] = []
        self._lock = threading.Lock()

    def __call__(self, ids: list[int]) -> None:
        with self._lock:
            self.ids.extend(ids)
            self.calls += 1

    def on_connection(self, up: bool) -> None:
        with self._lock:
            self.connection.append(up)

    def wait_for(self, predicate, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if predicate(self):
                    return True
            time.sleep(0.05)
        return False


@pytest.fixture
def heard(shared) -> Iterator[Heard]:
    db, _pid = shared
    heard = Heard()
    listener = DocumentListener(db.url, heard, on_connection=heard.on_connection)
    listener.start()
    assert listener.wait_listening(30)
    heard.listener = listener  # type: ignore[attr-defined]
    yield heard
    listener.stop()


def test_payloads_stay_under_postgresqls_limit_and_carry_every_id() -> None:
    ids = list(range(10**9, 10**9 + 5000))
    chunks = payload_chunks(ids)
    assert len(chunks) > 1
    assert all(len(c.encode()) < MAX_PAYLOAD_BYTES for c in chunks)
    assert [i for c in chunks for i in parse_payload(c)] == ids
    assert parse_payload("1,x,,2") == [1, 2]


def test_a_saved_document_is_heard_by_the_other_terminals(shared, heard: Heard) -> None:
    db, pid = shared
    ids = enqueue_documents(db, pid, [document(), document()]).ids
    assert heard.wait_for(lambda h: set(ids) <= set(h.ids))


def test_three_thousand_documents_in_one_save_arrive_whole(shared, heard: Heard) -> None:
    db, pid = shared
    ids = enqueue_documents(db, pid, [document() for _ in range(3000)]).ids
    assert heard.wait_for(lambda h: set(ids) <= set(h.ids), timeout=60)


def test_state_changes_are_heard_and_rolled_back_ones_are_not(shared, heard: Heard) -> None:
    db, pid = shared
    [kept, dropped] = enqueue_documents(db, pid, [document(), document()]).ids
    assert heard.wait_for(lambda h: {kept, dropped} <= set(h.ids))
    mark = len(heard.ids)
    with pytest.raises(RuntimeError), db.write() as s:
        apply_changes(
            s, [Change(dropped, "QUEUED", values={"message": "x"})], actor="t", at=utcnow()
        )
        raise RuntimeError("rolled back")
    with db.write() as s:
        apply_changes(
            s, [Change(kept, "QUEUED", values={"message": "visto"})], actor="t", at=utcnow()
        )
    assert heard.wait_for(lambda h: kept in h.ids[mark:])
    time.sleep(0.5)  # had the rolled-back one been sent, it would have come first
    assert dropped not in heard.ids[mark:]


def test_a_listener_that_loses_the_server_says_so_and_hears_again_after(
    pg_server, shared, heard: Heard
) -> None:
    db, pid = shared
    pg_server.stop()
    try:
        assert heard.wait_for(lambda h: h.connection == [False])
    finally:
        pg_server.start()
    assert heard.wait_for(lambda h: h.connection == [False, True], timeout=60)
    ids = enqueue_documents(db, pid, [document()]).ids
    assert heard.wait_for(lambda h: set(ids) <= set(h.ids))


def test_sqlite_sends_no_notifications(db: Database, demo_profile) -> None:
    assert enqueue_documents(db, demo_profile.id, [document()]).ok  # and nothing breaks
