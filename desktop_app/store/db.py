"""The one session factory.

SQLite (default): WAL, synchronous=NORMAL, foreign keys on, a busy timeout, and write
transactions that start with BEGIN IMMEDIATE — a deferred read-then-write fails at once
with "database is locked" when another connection committed in between (STYLE.md).
Every thread opens its own sessions; only primary keys cross threads.

PostgreSQL (several counters, one database): READ COMMITTED, connections checked
before use (`pool_pre_ping`), a short connect timeout and TCP keepalives so that a
server that went away is noticed in seconds and handled like being offline
(`Database.unreachable`), and migrations serialised by an advisory lock so that
terminals starting together after an upgrade migrate once.
"""

from __future__ import annotations

import ast
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: Alembic's table holding the revision a database is at.
VERSION_TABLE = "alembic_version"
BACKUPS_TO_KEEP = 10
#: pg_advisory_lock key held while migrating a PostgreSQL database ("LOTE" in ASCII).
MIGRATION_LOCK_KEY = 0x4C4F5445
#: libpq settings for PostgreSQL connections unless the URL gives its own: a dead server
#: is noticed within seconds (connect) or about a minute (keepalives), not hours.
PG_CONNECT_DEFAULTS: dict[str, object] = {
    "connect_timeout": 10, "application_name": "lote", "keepalives": 1,
    "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
}


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


#: A top-level `revision = "0005"` / `down_revision: str | None = "0004"` of a script.
_SCRIPT_ASSIGNMENT = re.compile(
    r"^(?P<name>revision|down_revision)\s*(?::[^=\n]*)?=\s*(?P<value>[^#\n]+)", re.MULTILINE
)


def script_head_revision(versions_dir: Path | None = None) -> str | None:
    """The head revision of the migration scripts, read from their `revision` and
    `down_revision` assignments without importing Alembic (~140 ms with mako and
    pygments, a tenth of a cold start) — so that opening a database already at head
    never loads it. Files are chosen as Alembic chooses them (`*.py` but `__init__`).

    None when the answer is not certain (no scripts, several heads, an assignment that
    is not a plain literal): the caller then asks Alembic. A test checks that this
    agrees with `ScriptDirectory.get_current_head()`."""
    folder = versions_dir or MIGRATIONS_DIR / "versions"
    parents: dict[str, tuple[str, ...]] = {}
    try:
        scripts = sorted(folder.glob("*.py"))
        for script in scripts:
            if script.name.startswith(("__init__", ".#")):
                continue
            found: dict[str, object] = {}
            for match in _SCRIPT_ASSIGNMENT.finditer(script.read_text(encoding="utf-8")):
                if match["name"] in found:
                    return None
                found[match["name"]] = ast.literal_eval(match["value"].strip())
            revision, down = found.get("revision"), found.get("down_revision")
            if not isinstance(revision, str) or revision in parents:
                return None
            if isinstance(down, str):
                parents[revision] = (down,)
            elif down is None or (isinstance(down, tuple)
                                  and all(isinstance(d, str) for d in down)):
                parents[revision] = down or ()
            else:
                return None
    except (OSError, ValueError, SyntaxError):
        return None
    superseded = {d for downs in parents.values() for d in downs}
    heads = [r for r in parents if r not in superseded]
    return heads[0] if len(heads) == 1 else None


class DatabaseDamaged(RuntimeError):
    """The SQLite file fails its integrity check. The message says what to do."""

    def __init__(self, path: Path, detail: str, backups: list[Path]) -> None:
        latest = backups[-1] if backups else None
        advice = (f"Restaure la copia más reciente con: lote restore \"{latest}\""
                  if latest else "No hay copias de seguridad en la carpeta de datos.")
        super().__init__(
            f"La base de datos {path} está dañada ({detail}). No se modificó nada. {advice}"
        )
        self.path = path
        self.detail = detail
        self.backups = backups


class DatabaseTooNew(RuntimeError):
    """A newer Lote already upgraded this (shared) database: this one must be updated."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            f"La base de datos ya fue actualizada por una versión más nueva de Lote (esquema "
            f"{revision}). Instale en este equipo la misma versión que en las demás terminales."
        )
        self.revision = revision


class Database:
    """`terminal_id` names the Lote installation using this database (store/terminal.py);
    the runtime reads it from the data folder."""

    def __init__(self, url: str, *, backup_dir: Path | None = None,
                 terminal_id: str | None = None) -> None:
        url = normalise_url(url)
        self.url = url
        self.backup_dir = backup_dir
        self.terminal_id = terminal_id
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            _create_private(self.path)
            self.engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_on_connect)
            event.listen(self.engine, "begin", _sqlite_on_begin)
        else:
            parsed = make_url(url)
            connect_args = ({k: v for k, v in PG_CONNECT_DEFAULTS.items() if k not in parsed.query}
                            if parsed.get_backend_name() == "postgresql" else {})
            self.engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)

    @property
    def is_shared(self) -> bool:
        """Several terminals may use this database at once (PostgreSQL)."""
        return not self.is_sqlite

    def unreachable(self, exc: BaseException) -> bool:
        """True when `exc` means the database server cannot be used right now (gone,
        restarting, network down; a deadlock or serialization failure is also worth a
        retry): callers treat it like being offline. Always False on SQLite, where such
        errors are real errors."""
        if self.is_sqlite or not isinstance(exc, DBAPIError):
            return False
        return bool(exc.connection_invalidated) or isinstance(exc, OperationalError | InterfaceError)

    @classmethod
    def open(cls, url: str, *, backup_dir: Path | None = None, migrate: bool = True,
             check: bool = False, terminal_id: str | None = None) -> Database:
        """Open (and migrate) a database. With `check`, SQLite files are verified with
        PRAGMA quick_check first and `DatabaseDamaged` is raised before anything is
        written; the full integrity_check runs before every backup (`backup`), so also
        before a migration and on the start that takes the daily backup."""
        db = cls(url, backup_dir=backup_dir, terminal_id=terminal_id)
        if check and db.is_sqlite:
            db.check_integrity(quick=True)
        if migrate:
            db.migrate()
        return db

    @property
    def path(self) -> Path | None:
        return _sqlite_path(self.url)

    def list_backups(self) -> list[Path]:
        if self.backup_dir is None or not self.backup_dir.exists():
            return []
        return sorted(self.backup_dir.glob("lote-*.sqlite3"))

    def check_integrity(self, *, quick: bool = False) -> None:
        """Raise `DatabaseDamaged` unless the SQLite file passes PRAGMA integrity_check.

        `quick` (every start) runs PRAGMA quick_check instead: every page, record, free
        list and NOT NULL/CHECK constraint, but not whether each index matches its table
        (nor UNIQUE constraints) — the part that makes integrity_check 3–4× slower
        (1.2–1.8 s against 0.3–0.4 s at 100,000 documents). The full check guards every
        backup instead, so the daily start and every migration still run it."""
        path = self.path
        if path is None or not path.exists():
            return
        pragma = "quick_check" if quick else "integrity_check"
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                rows = conn.execute(f"PRAGMA {pragma}").fetchall()
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise DatabaseDamaged(path, str(exc), self.list_backups()) from exc
        if rows != [("ok",)]:
            detail = "; ".join(r[0] for r in rows[:3])
            raise DatabaseDamaged(path, detail, self.list_backups())

    def backup_if_due(self, max_age_hours: float = 24.0) -> Path | None:
        """The daily backup: taken when the newest one is older than `max_age_hours`."""
        if not self.is_sqlite or self.backup_dir is None or self.path is None:
            return None
        backups = self.list_backups()
        if backups:
            age = datetime.now(UTC).timestamp() - backups[-1].stat().st_mtime
            if age < max_age_hours * 3600:
                return None
        return self.backup(reason="daily")

    def restore_from(self, source: Path) -> Path | None:
        """Replace this database's content with `source` (checked first), after taking a
        backup of the current content. Returns that safety backup."""
        check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{source} no es una base de datos de Lote: {exc}") from exc
        finally:
            check.close()
        if not ok:
            raise ValueError(f"{source} también está dañada; elija otra copia.")
        if "document" not in tables or "alembic_version" not in tables:
            raise ValueError(f"{source} no es una base de datos de Lote.")
        assert self.path is not None
        safety: Path | None = None
        if self.path.exists():
            try:
                safety = self.backup(reason="pre-restore")  # checked first, see backup()
            except DatabaseDamaged:
                # A damaged file cannot be copied consistently: keep it aside as it is.
                safety = self.path.with_name(self.path.name + ".danado")
                self.engine.dispose()
                self.path.replace(safety)
        self.engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        _create_private(self.path)
        dst = sqlite3.connect(self.path)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        self.migrate()
        return safety

    # -- schema -------------------------------------------------------------------
    def current_revision(self) -> str | None:
        """The revision the database is at (None before the first migration), read
        with a plain query: Alembic is not imported for it."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table(VERSION_TABLE):
                return None
            rows = conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
        if len(rows) > 1:
            raise RuntimeError(f"{VERSION_TABLE} holds several revisions: {rows}")
        return rows[0][0] if rows else None

    def head_revision(self) -> str | None:
        """The newest revision of the migration scripts (Alembic only when the scripts
        cannot be read plainly, see `script_head_revision`)."""
        head = script_head_revision()
        if head is None:
            from alembic.script import ScriptDirectory

            head = ScriptDirectory.from_config(alembic_config(self.engine)).get_current_head()
        return head

    def migrate(self) -> None:
        """Bring the schema to head, taking a backup first when data exists (DESIGN rule 5;
        on PostgreSQL the backup is pg_dump's job, docs/postgresql.md).

        A database already at head costs one query: Alembic (and mako, pygments) is
        imported only to upgrade, or to judge a revision the scripts do not name."""
        with self._migration_lock():
            current = self.current_revision()
            if current is not None and current == script_head_revision():
                return
            self._upgrade(current)

    def _upgrade(self, current: str | None) -> None:
        from alembic import command
        from alembic.script import ScriptDirectory
        from alembic.util.exc import CommandError

        cfg = alembic_config(self.engine)
        scripts = ScriptDirectory.from_config(cfg)
        if current == scripts.get_current_head():
            return
        if current is not None:
            try:
                known = scripts.get_revision(current) is not None
            except CommandError:
                known = False
            if not known:
                raise DatabaseTooNew(current)
            if self.backup_dir is not None and self.is_sqlite:
                self.backup(reason=f"pre-migration-{current}")
        command.upgrade(cfg, "head")

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """On PostgreSQL, one terminal migrates while the others wait (then find the
        schema at head); a session-level advisory lock, released if the process dies."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
            conn.commit()
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
                conn.commit()

    def backup(self, *, reason: str = "manual", target: Path | None = None) -> Path | None:
        """Copy the SQLite database with the online backup API (consistent under WAL).

        The file passes the full PRAGMA integrity_check first (`DatabaseDamaged`
        otherwise): a damaged copy must never push a good one out of the ten kept."""
        if not self.is_sqlite:
            return None
        src_path = self.path
        assert src_path is not None
        self.check_integrity()
        if target is None:
            assert self.backup_dir is not None
            self.backup_dir.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            target = self.backup_dir / f"lote-{stamp}-{reason}.sqlite3"
        src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
        _create_private(target)
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


def normalise_url(url: str) -> str:
    """`postgresql://...` means the driver Lote ships (psycopg 3), not psycopg2."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database:
        return None
    return None if parsed.database == ":memory:" else Path(parsed.database)


def _create_private(path: Path | None) -> None:
    """Create the database file readable by the user only (0600); SQLite gives its
    -wal and -shm files the same permissions."""
    if path is None or str(path) == ":memory:" or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


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
