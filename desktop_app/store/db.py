"""The one session factory.

SQLite (default): WAL, synchronous=NORMAL, foreign keys on, a busy timeout, and write
transactions that start with BEGIN IMMEDIATE — a deferred read-then-write fails at once
with "database is locked" when another connection committed in between (STYLE.md).
Every thread opens its own sessions; only primary keys cross threads.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlmodel import Session

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BACKUPS_TO_KEEP = 10


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


class Database:
    def __init__(self, url: str, *, backup_dir: Path | None = None) -> None:
        self.url = url
        self.backup_dir = backup_dir
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_on_connect)
            event.listen(self.engine, "begin", _sqlite_on_begin)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)

    @classmethod
    def open(cls, url: str, *, backup_dir: Path | None = None, migrate: bool = True) -> Database:
        db = cls(url, backup_dir=backup_dir)
        if migrate:
            db.migrate()
        return db

    # -- schema -------------------------------------------------------------------
    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(alembic_config(self.engine)).get_current_head()

    def migrate(self) -> None:
        """Bring the schema to head, taking a backup first when data exists (DESIGN rule 5)."""
        current = self.current_revision()
        if current == self.head_revision():
            return
        if current is not None and self.backup_dir is not None and self.is_sqlite:
            self.backup(reason=f"pre-migration-{current}")
        command.upgrade(alembic_config(self.engine), "head")

    def backup(self, *, reason: str = "manual", target: Path | None = None) -> Path | None:
        """Copy the SQLite database with the online backup API (consistent under WAL)."""
        if not self.is_sqlite:
            return None
        src_path = Path(self.engine.url.database or "")
        if target is None:
            assert self.backup_dir is not None
            self.backup_dir.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            target = self.backup_dir / f"lote-{stamp}-{reason}.sqlite3"
        src = sqlite3.connect(src_path)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        if self.backup_dir is not None and target.parent == self.backup_dir:
            backups = sorted(self.backup_dir.glob("lote-*.sqlite3"))
            for old in backups[:-BACKUPS_TO_KEEP]:
                old.unlink(missing_ok=True)
        log.info("database backed up to %s", target)
        return target

    # -- sessions -----------------------------------------------------------------
    def session(self) -> Session:
        """A session for reading (and small writes that need no lock ordering)."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: BEGIN IMMEDIATE on SQLite, committed on success."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with Session(bind=conn, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN, so that we can choose IMMEDIATE.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_on_begin(conn) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")
