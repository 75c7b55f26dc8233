"""Live updates between terminals: PostgreSQL LISTEN/NOTIFY, no polling.

Every transaction that changes documents also runs `pg_notify('lote_documents', ids)`
(`notify_documents`, called by store/outbox.py). PostgreSQL delivers a notification
only when its transaction commits, and drops it on rollback, so a listener never hears
of a change it cannot read yet. A payload must stay under 8000 bytes: ids are sent in
chunks. On SQLite there is one terminal and nothing to do.

`DocumentListener` is a plain thread (no Qt: store/ never imports it) holding one
dedicated connection that LISTENs and calls back with the ids of changed documents,
a burst of notifications coalesced into one call. A lost connection is retried with
a growing pause, like being offline; `on_connection(False)` / `on_connection(True)`
tell when, and after a reconnection the caller should re-read what it shows, since
notifications sent meanwhile are gone. The callback runs on the listener thread: a GUI
hops it onto its own thread with a queued signal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "lote_documents"
#: PostgreSQL refuses payloads of 8000 bytes or more; leave room.
MAX_PAYLOAD_BYTES = 7900


def payload_chunks(ids: Iterable[int], limit: int = MAX_PAYLOAD_BYTES) -> list[str]:
    """Comma-separated ids, ascending and unique, each string shorter than `limit` bytes."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for doc_id in sorted(set(ids)):
        item = str(doc_id)
        extra = len(item) + (1 if current else 0)
        if current and size + extra > limit:
            chunks.append(",".join(current))
            current, size = [], 0
            extra = len(item)
        current.append(item)
        size += extra
    if current:
        chunks.append(",".join(current))
    return chunks


def parse_payload(payload: str) -> list[int]:
    """The ids in a notification; anything else on the channel is ignored."""
    return [int(p) for p in payload.split(",") if p.strip().isdigit()]


def notify_documents(session: Session, ids: Iterable[int]) -> None:
    """Queue a notification about these documents in the session's transaction: it
    reaches the other terminals when (and only if) the transaction commits."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for chunk in payload_chunks(ids):
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": chunk}
        )


def connect_args_of(db_or_url: Any) -> dict[str, Any]:
    """libpq keyword arguments for a dedicated connection to the database the app uses
    (the same URL, the same defaults as its pool)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from desktop_app.store.db import PG_CONNECT_DEFAULTS

    engine = getattr(db_or_url, "engine", None)
    owned = engine is None
    if engine is None:
        engine = create_engine(make_url(db_or_url).set(drivername="postgresql+psycopg"))
    try:
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
    finally:
        if owned:
            engine.dispose()
    params = {**PG_CONNECT_DEFAULTS, "application_name": "lote listener", **dict(cparams)}
    if cargs:  # a conninfo string given whole
        params["conninfo"] = cargs[0]
    return params


class DocumentListener(threading.Thread):
    """LISTEN on `lote_documents` and call `callback(ids)` for every burst of changes.

    `coalesce_s` is how long the thread gathers notifications before one callback;
    `health_every_s` how often an idle connection is checked (one `SELECT 1`, not a
    look at any table). `stop()` ends the thread within about `coalesce_s`.
    """

    def __init__(
        self,
        db_or_url: Any,
        callback: Callable[[list[int]], None],
        *,
        on_connection: Callable[[bool], None] | None = None,
        channel: str = CHANNEL,
        coalesce_s: float = 0.2,
        health_every_s: float = 30.0,
        retry_max_s: float = 30.0,
    ) -> None:
        super().__init__(name="lote-listener", daemon=True)
        self._params = connect_args_of(db_or_url)
        self._callback = callback
        self._on_connection = on_connection
        self._channel = channel
        self._coalesce_s = coalesce_s
        self._health_every_s = health_every_s
        self._retry_max_s = retry_max_s
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._conn: Any = None
        self.connected = False

    # -- control -------------------------------------------------------------------
    def stop(self, timeout: float | None = 5.0) -> None:
        self._stopping.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)

    def wait_listening(self, timeout: float | None = None) -> bool:
        """Block until LISTEN is in place (tests, and callers that must not miss the
        first change)."""
        return self._listening.wait(timeout)

    # -- the thread ----------------------------------------------------------------
    def run(self) -> None:
        failures = 0
        ever_connected = False
        while not self._stopping.is_set():
            try:
                self._connect()
            except Exception as exc:  # psycopg.OperationalError and friends
                failures += 1
                self._set_connected(False, ever_connected)
                log.info("listener: cannot connect (%s); retry %s", exc, failures)
                self._stopping.wait(min(self._retry_max_s, 0.5 * 2 ** min(failures, 6)))
                continue
            first = not ever_connected
            ever_connected = True
            failures = 0
            self._set_connected(True, not first)
            try:
                self._listen()
            except Exception as exc:
                log.info("listener: connection lost (%s)", exc)
                self._set_connected(False, True)
            finally:
                self._close()
        self._close()

    def _connect(self) -> None:
        import psycopg

        params = dict(self._params)
        conninfo = params.pop("conninfo", "")
        self._conn = psycopg.connect(conninfo, autocommit=True, **params)
        self._conn.execute(f"LISTEN {self._channel}")
        self._listening.set()

    def _listen(self) -> None:
        conn = self._conn
        last_check = time.monotonic()
        while not self._stopping.is_set():
            ids: list[int] = []
            for note in conn.notifies(timeout=self._coalesce_s):
                ids.extend(parse_payload(note.payload))
            if ids:
                self._deliver(ids)
            if time.monotonic() - last_check >= self._health_every_s:
                conn.execute("SELECT 1")
                last_check = time.monotonic()

    def _deliver(self, ids: list[int]) -> None:
        try:
            self._callback(sorted(set(ids)))
        except Exception:
            log.exception("listener callback failed")

    def _set_connected(self, connected: bool, report: bool) -> None:
        changed = connected != self.connected
        self.connected = connected
        if report and changed and self._on_connection is not None:
            try:
                self._on_connection(connected)
            except Exception:
                log.exception("listener on_connection callback failed")

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass
