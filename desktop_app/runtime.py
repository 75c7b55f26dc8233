"""Opening Lote: the data folder, the database (migrated), and in demo mode the
embedded sandbox. The CLI and the GUI both start here, so they behave the same.

Which database: `--db URL`, else the environment's LOTE_DB, else the one saved in the
data folder's settings (`save_database_url`), else SQLite in the data folder. With a
shared PostgreSQL database this installation is one terminal among several (its id is
in the data folder, store/terminal.py), and `Runtime.listen_documents` hears the other
terminals' changes as they commit (store/notify.py).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from desktop_app import paths
from desktop_app.credentials import DEMO_API_KEY
from desktop_app.domain.emisor import DEMO_EMISOR
from desktop_app.instance_lock import SenderLock
from desktop_app.providers.registry import PROVIDER_DEFAULTS, make_sandbox
from desktop_app.store.db import Database
from desktop_app.store.models import ProviderProfile
from desktop_app.store.notify import DocumentListener
from desktop_app.store.profiles import list_profiles, save_profile
from desktop_app.store.terminal import register_terminal, terminal_id_for
from desktop_app.sync.engine import SyncEngine

log = logging.getLogger(__name__)

DEMO_PROFILE = "Demo"
#: Seconds the demo sandbox takes to "process" a lote: long enough to see Procesando.
DEMO_PROCESSING_DELAY = 3.0
#: The data folder's database setting (one URL, never a password).
DATABASE_URL_FILE = "database-url"
DATABASE_URL_ENV = "LOTE_DB"


@dataclass
class Runtime:
    db: Database
    data_dir: Path
    demo: bool
    sandbox: Any = None
    sender_lock: SenderLock | None = None
    _engines: list[SyncEngine] = field(default_factory=list)
    _listeners: list[DocumentListener] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        """Several terminals use this database (PostgreSQL)."""
        return self.db.is_shared

    def listen_documents(self, callback: Callable[[list[int]], None], *,
                         on_connection: Callable[[bool], None] | None = None
                         ) -> DocumentListener | None:
        """Call `callback(ids)` (on a background thread) whenever any terminal commits a
        change to documents; None on SQLite, where this process is the only writer.
        `on_connection(False/True)` reports the listener losing and regaining the
        database; after True, re-read what is shown (changes meanwhile were not heard)."""
        if not self.shared:
            return None
        listener = DocumentListener(self.db, callback, on_connection=on_connection)
        listener.start()
        self._listeners.append(listener)
        return listener

    def acquire_sender(self) -> bool:
        """Become this data folder's only sender; False if another instance already is.

        Only the sender may turn leftover SENDING documents into UNKNOWN: another live
        instance may have those requests in flight."""
        if self.sender_lock is None:
            self.sender_lock = SenderLock(self.data_dir)
        if not self.sender_lock.acquire():
            return False
        self.make_engine().recover_interrupted(all_sending=True)
        return True

    def sender_owner(self) -> int | None:
        return (self.sender_lock or SenderLock(self.data_dir)).owner_pid()

    def base_url_for(self, profile: ProviderProfile) -> str | None:
        """Where a profile's provider answers; None for the demo profile while its
        sandbox is not running (it then takes no part in syncing)."""
        if profile.is_demo:
            return self.sandbox.url if self.sandbox is not None else None
        return profile.base_url

    def make_engine(self, **kwargs: Any) -> SyncEngine:
        engine = SyncEngine(self.db, base_url_for=self.base_url_for, **kwargs)
        self._engines.append(engine)
        return engine

    def close(self) -> None:
        for listener in self._listeners:
            listener.stop()
        for engine in self._engines:
            engine.close()
        if self.sandbox is not None:
            self.sandbox.stop()
        if self.sender_lock is not None:
            self.sender_lock.release()
        self.db.dispose()


def ensure_demo_profile(db: Database) -> ProviderProfile:
    for p in list_profiles(db):
        if p.is_demo:
            return p
    defaults = PROVIDER_DEFAULTS["facturasend"]
    return save_profile(db, ProviderProfile(
        name=DEMO_PROFILE, provider="facturasend", country="PY", base_url="sandbox:",
        tenant="demo", emisor_ruc=DEMO_EMISOR.ruc, emisor_name=DEMO_EMISOR.razon_social,
        tipo_contribuyente=DEMO_EMISOR.tipo_contribuyente, max_batch=defaults["max_batch"],
        poll_first_s=1.0, poll_every_s=2.0, poll_max_s=600.0, is_demo=True,
    ))


def open_database(data_dir: Path, db_url: str | None = None) -> Database:
    """Open the database: PRAGMA quick_check first (SQLite), migrations (with a backup
    before them), then the daily backup — every backup runs the full integrity_check
    first; on a shared database this terminal is recorded (its name and when it was
    last seen). Raises `DatabaseDamaged` with what to do."""
    url = db_url or configured_database_url(data_dir) or paths.sqlite_url(data_dir)
    db = Database.open(url, backup_dir=paths.backups_dir(data_dir), check=True,
                       terminal_id=terminal_id_for(data_dir))
    try:
        db.backup_if_due()
    except OSError as exc:  # a full disk must not stop the counter
        log.warning("daily backup failed: %s", exc)
    if db.is_shared:
        register_terminal(db)
    return db


def configured_database_url(data_dir: Path) -> str | None:
    """The database chosen without `--db`: LOTE_DB, else the data folder's setting."""
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    try:
        saved = (data_dir / DATABASE_URL_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return saved or None


def save_database_url(data_dir: Path, url: str | None) -> None:
    """Remember the shared database for this data folder (None: back to SQLite). The
    password never goes here (DESIGN rule 4): libpq reads it from ~/.pgpass
    (%APPDATA%\\postgresql\\pgpass.conf on Windows). Raises ValueError, in Spanish."""
    path = paths.data_dir(data_dir) / DATABASE_URL_FILE
    if not url:
        path.unlink(missing_ok=True)
        return
    try:
        parsed = make_url(url.strip())
    except ArgumentError as exc:
        raise ValueError(f"La dirección de la base de datos no es válida: {exc}") from exc
    if parsed.get_backend_name() not in ("postgresql", "sqlite"):
        raise ValueError("Lote usa PostgreSQL (postgresql+psycopg://usuario@servidor/base) "
                         "o SQLite.")
    if parsed.password:
        raise ValueError("La contraseña no se guarda en la configuración: escríbala en el "
                         "archivo .pgpass del usuario (pgpass.conf en Windows).")
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(url.strip() + "\n")
    os.replace(tmp, path)


def open_runtime(data_dir: str | Path | None = None, *, db_url: str | None = None,
                 force_demo: bool = False, start_sandbox: bool = True,
                 sandbox_port: int = 0) -> Runtime:
    """Open the database; with no real profile configured (or `force_demo`), create the
    demo profile and start the FacturaSend sandbox on 127.0.0.1."""
    folder = paths.data_dir(data_dir)
    db = open_database(folder, db_url)
    demo = force_demo or not any(not p.is_demo for p in list_profiles(db))
    runtime = Runtime(db=db, data_dir=folder, demo=demo)
    if demo:
        ensure_demo_profile(db)
        if start_sandbox:
            runtime.sandbox = make_sandbox(
                "facturasend", port=sandbox_port, tenant="demo", api_key=DEMO_API_KEY,
                emisor_ruc=DEMO_EMISOR.ruc, tipo_contribuyente=DEMO_EMISOR.tipo_contribuyente,
                processing_delay=DEMO_PROCESSING_DELAY,
            )
            runtime.sandbox.start()
            log.info("demo sandbox listening on %s", runtime.sandbox.url)
    return runtime
