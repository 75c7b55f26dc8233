"""The gateway's side database: ``gateway/gateway.sqlite3`` in the data folder.

What the gateway must remember that the outbox does not:

- ``intake``: which documents came through the gateway (document id, profile, external
  id, folder or API, the ``resultados`` folder of the watched folder it came from) and
  the last state a result file was written for;
- ``processed_file``: the SHA-256 of every file accepted from a watched folder, so the
  same file dropped twice is never processed twice;
- ``idempotency``: each Idempotency-Key of the API with the hash of its request and the
  first response, returned again for a repeated POST;
- ``meta``: the highest document id already checked for lost intake rows.

A separate SQLite file owned by this module rather than tables in the main database:
the main schema is migrated by Alembic and other work changes it in parallel, and none
of this is needed to send an invoice. The price is that its commit is not the main
database's commit; `intake.Intake` orders the two so that a crash in between loses
nothing (the documents carry their external id in the main database, which is what
makes a replay find them) — see its docstring.

Its write transaction (``BEGIN IMMEDIATE``, WAL, ``synchronous=FULL``) is also the
gateway's lock: taken around "look up the external ids, enqueue the new documents,
record them", it serialises intake between the threads of this process (an RLock) and
between processes on the same data folder (SQLite's write lock), e.g. the window and
``lote api``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.paths import restrict

_SCHEMA = """
CREATE TABLE IF NOT EXISTS intake (
    doc_id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL,
    external_id TEXT NOT NULL,
    source TEXT NOT NULL,
    at TEXT NOT NULL,
    results_dir TEXT,
    result_state TEXT,
    result_at TEXT
);
CREATE INDEX IF NOT EXISTS ix_intake_result ON intake (result_state);
CREATE TABLE IF NOT EXISTS processed_file (
    profile_id INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    documents INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (profile_id, sha256)
);
CREATE TABLE IF NOT EXISTS idempotency (
    profile_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (profile_id, key)
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

#: States after which nothing else can happen to a document (a result is written once).
TERMINAL_STATES = ("CANCELLED", "VOIDED")


@dataclass(frozen=True)
class IntakeRow:
    doc_id: int
    profile_id: int
    external_id: str
    source: str
    results_dir: str | None
    result_state: str | None


@dataclass(frozen=True)
class StoredResponse:
    request_hash: str
    status: int
    body: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._depth = 0
        # One connection for the process, used under the RLock only.
        self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                     check_same_thread=False)
        restrict(self.path, 0o600)
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """One write transaction (nested calls join the outer one): the gateway's lock."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._depth = 0
                self._conn.execute("ROLLBACK")
                raise
            self._depth = 0
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            return list(self._conn.execute(sql, tuple(params)))

    def _execute(self, sql: str, params: Iterable[object] = ()) -> None:
        with self.transaction():
            self._conn.execute(sql, tuple(params))

    # -- files ---------------------------------------------------------------------
    def file_seen(self, profile_id: int, sha256: str) -> tuple[str, str] | None:
        """(name, when) of the accepted file with this content, or None."""
        rows = self._query("SELECT name, at FROM processed_file WHERE profile_id=? AND sha256=?",
                           (profile_id, sha256))
        return (rows[0][0], rows[0][1]) if rows else None

    def record_file(self, profile_id: int, sha256: str, name: str, documents: int) -> None:
        self._execute("INSERT OR IGNORE INTO processed_file VALUES (?, ?, ?, ?, ?)",
                      (profile_id, sha256, name, documents, _now()))

    # -- idempotency keys -------------------------------------------------------------
    def stored_response(self, profile_id: int, key: str) -> StoredResponse | None:
        rows = self._query("SELECT request_hash, status, body FROM idempotency "
                           "WHERE profile_id=? AND key=?", (profile_id, key))
        return StoredResponse(*rows[0]) if rows else None

    def store_response(self, profile_id: int, key: str, request_hash: str, status: int,
                       body: str) -> None:
        self._execute("INSERT OR IGNORE INTO idempotency VALUES (?, ?, ?, ?, ?, ?)",
                      (profile_id, key, request_hash, status, body, _now()))

    # -- documents taken in ---------------------------------------------------------------
    def record_intake(self, rows: Iterable[tuple[int, int, str, str]], *,
                      results_dir: str | None = None) -> None:
        """(doc_id, profile_id, external_id, source); a document already known is kept.
        `results_dir`: where its result goes (a watched folder's ``resultados``; None:
        the profile's folder when the result is written)."""
        stamp = _now()
        with self.transaction():
            self._conn.executemany(
                "INSERT OR IGNORE INTO intake (doc_id, profile_id, external_id, source, at, "
                "results_dir) VALUES (?, ?, ?, ?, ?, ?)",
                [(*r, stamp, results_dir) for r in rows])

    def intake_rows(self, doc_ids: Iterable[int]) -> dict[int, IntakeRow]:
        wanted = list(doc_ids)
        out: dict[int, IntakeRow] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._query(
                    "SELECT doc_id, profile_id, external_id, source, results_dir, result_state "
                    "FROM intake "
                    f"WHERE doc_id IN ({marks})", chunk):
                out[row[0]] = IntakeRow(*row)
        return out

    def awaiting_results(self, *, all_open: bool = False) -> list[int]:
        """Documents with no result file yet; with `all_open` also those whose result
        may still change (a rejected document edited and resent, an approved one
        cancelled)."""
        if all_open:
            marks = ",".join("?" * len(TERMINAL_STATES))
            return [r[0] for r in self._query(
                f"SELECT doc_id FROM intake WHERE result_state IS NULL OR result_state NOT IN ({marks}) "
                "ORDER BY doc_id", TERMINAL_STATES)]
        return [r[0] for r in self._query(
            "SELECT doc_id FROM intake WHERE result_state IS NULL ORDER BY doc_id")]

    def mark_result(self, doc_id: int, state: str) -> None:
        self._execute("UPDATE intake SET result_state=?, result_at=? WHERE doc_id=?",
                      (state, _now(), doc_id))

    def forget(self, doc_ids: Iterable[int]) -> None:
        """Drop intake rows that no longer match the main database (it was restored)."""
        with self.transaction():
            self._conn.executemany("DELETE FROM intake WHERE doc_id=?", [(i,) for i in doc_ids])

    def max_doc_id(self) -> int:
        return int(self._query("SELECT COALESCE(MAX(doc_id), 0) FROM intake")[0][0])

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self._execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def count(self, table: str) -> int:
        if table not in ("intake", "processed_file", "idempotency"):
            raise ValueError(table)
        return int(self._query(f"SELECT COUNT(*) FROM {table}")[0][0])
