"""One punto de expedición per terminal, and numbers that stay unique and gap-free when
several terminals (and several threads of one) save at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from desktop_app.store.db import Database
from desktop_app.store.models import Document
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from desktop_app.store.terminal import (
    TERMINAL_FILE,
    PuntoTaken,
    assign_punto,
    list_terminals,
    punto_owner,
    register_terminal,
    release_puntos,
    terminal_id_for,
    terminal_place,
)
from tests.postgres.helpers import TERMINAL_A, TERMINAL_B, document_on, profile
from tests.support.factories import document


@pytest.fixture
def counters(pg_url: str) -> Iterator[tuple[Database, Database, int]]:
    """Two terminals, "caja-1" and "caja-2", on one PostgreSQL database with one profile."""
    a = Database.open(pg_url, terminal_id=TERMINAL_A)
    b = Database.open(pg_url, terminal_id=TERMINAL_B)
    register_terminal(a, "caja-1")
    register_terminal(b, "caja-2")
    p = save_profile(a, profile())
    assert p.id is not None
    yield a, b, p.id
    a.dispose()
    b.dispose()


def run_together(n: int, work: Callable[[int], object]) -> list[object]:
    """Run work(0..n-1) in n threads released at the same instant; results by index."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def one(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def numbers(db: Database, punto: str = "001") -> list[int]:
    with db.session() as s:
        return list(
            s.exec(
                select(Document.numero)
                .where(Document.punto == punto)
                .order_by(col(Document.numero))
            ).all()
        )


def test_a_terminal_takes_its_punto_on_first_use_and_the_other_is_told_whose_it_is(
    counters,
) -> None:
    a, b, pid = counters
    assert enqueue_documents(a, pid, [document_on("001")]).ok
    refused = enqueue_documents(b, pid, [document_on("001"), document_on("001")])
    assert refused.ids == []
    [error] = refused.errors[0]
    assert error.field == "punto"
    assert "001-001" in error.message and "«caja-1»" in error.message
    assert "tienda" in error.message
    assert numbers(a) == [1]


def test_a_terminal_that_chose_its_own_punto_numbers_it_from_one(counters) -> None:
    a, b, pid = counters
    assert enqueue_documents(a, pid, [document_on("001")] * 3).ok
    assert terminal_place(b, pid) == ("001", "001")  # the profile's, until it chooses
    with pytest.raises(PuntoTaken, match="caja-1"):
        assign_punto(b, pid, "001", "001")
    assign_punto(b, pid, "001", "002")
    assert terminal_place(b, pid) == ("001", "002")
    assert terminal_place(a, pid) == ("001", "001")
    assert enqueue_documents(b, pid, [document_on("002")] * 2).ok
    assert numbers(a, "001") == [1, 2, 3] and numbers(a, "002") == [1, 2]
    owner = punto_owner(a, pid, "001", "002")
    assert owner is not None and owner.terminal_name == "caja-2"
    listed = {t.name: t.puntos for t in list_terminals(a)}
    assert listed == {"caja-1": [(pid, "001", "001")], "caja-2": [(pid, "001", "002")]}


def test_a_refused_document_does_not_stop_the_others_when_not_all_or_nothing(counters) -> None:
    a, b, pid = counters
    enqueue_documents(a, pid, [document_on("001")])
    result = enqueue_documents(
        b, pid, [document_on("001"), document_on("003")], all_or_nothing=False
    )
    assert list(result.errors) == [0] and len(result.ids) == 1
    assert numbers(b, "003") == [1]


def test_the_puntos_of_a_replaced_computer_can_be_freed(counters) -> None:
    a, b, pid = counters
    enqueue_documents(a, pid, [document_on("001")])
    assert release_puntos(a, TERMINAL_A) == 1
    assert enqueue_documents(b, pid, [document_on("001")]).ok
    assert numbers(b) == [1, 2]


def test_two_terminals_taking_the_same_free_punto_at_once_get_a_clear_answer(counters) -> None:
    a, b, pid = counters
    results = run_together(2, lambda i: enqueue_documents((a, b)[i], pid, [document_on("005")]))
    assert not any(isinstance(r, BaseException) for r in results), results
    oks = [r for r in results if r.ok]  # type: ignore[union-attr]
    assert len(oks) == 1
    [refused] = [r for r in results if not r.ok]  # type: ignore[union-attr]
    assert "pertenece a la terminal" in refused.errors[0][0].message  # type: ignore[union-attr]


def test_numbers_stay_gap_free_and_unique_when_many_saves_race_on_a_new_sequence(counters) -> None:
    a, _b, pid = counters
    results = run_together(
        8, lambda i: [enqueue_documents(a, pid, [document_on("007")] * 3) for _ in range(5)]
    )
    assert not any(isinstance(r, BaseException) for r in results), results
    assert numbers(a, "007") == list(range(1, 8 * 5 * 3 + 1))


def test_a_save_that_fails_before_its_commit_gives_its_numbers_back(
    counters, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _b, pid = counters
    enqueue_documents(a, pid, [document_on("001")])

    def power_cut(*_args: object) -> None:
        raise RuntimeError("the power went out before the commit")

    monkeypatch.setattr("desktop_app.store.outbox.notify_documents", power_cut)
    with pytest.raises(RuntimeError):
        enqueue_documents(a, pid, [document_on("001")] * 2)
    monkeypatch.undo()
    enqueue_documents(a, pid, [document_on("001")])
    assert numbers(a) == [1, 2]


def test_the_terminal_id_lives_in_the_data_folder_and_survives_restarts(tmp_path: Path) -> None:
    first = terminal_id_for(tmp_path)
    assert len(first) == 32 and terminal_id_for(tmp_path) == first
    assert (tmp_path / TERMINAL_FILE).stat().st_mode & 0o077 == 0
    (tmp_path / TERMINAL_FILE).write_text("garbage")
    assert terminal_id_for(tmp_path) != first


def test_sqlite_needs_no_registration_and_a_restored_folder_keeps_issuing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lote.sqlite3'}"
    old = Database.open(url, terminal_id=TERMINAL_A)
    p = save_profile(old, profile())
    assert enqueue_documents(old, p.id, [document()]).ok
    old.dispose()
    new_computer = Database.open(url, terminal_id=TERMINAL_B)
    assert enqueue_documents(new_computer, p.id, [document()]).ok
    assert numbers(new_computer) == [1, 2]
    owner = punto_owner(new_computer, p.id, "001", "001")
    assert owner is not None and owner.terminal_id == TERMINAL_B
    with new_computer.session() as s:
        assert s.exec(select(func.count()).select_from(Document)).one() == 2
    new_computer.dispose()
