"""Opening Lote: the data folder, the database (migrated), and in demo mode the
embedded sandbox. The CLI and the GUI both start here, so they behave the same."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app import paths
from desktop_app.credentials import DEMO_API_KEY
from desktop_app.domain.emisor import DEMO_EMISOR
from desktop_app.instance_lock import SenderLock
from desktop_app.providers.registry import PROVIDER_DEFAULTS, make_sandbox
from desktop_app.store.db import Database
from desktop_app.store.models import ProviderProfile
from desktop_app.store.profiles import list_profiles, save_profile
from desktop_app.sync.engine import SyncEngine

log = logging.getLogger(__name__)

DEMO_PROFILE = "Demo"
#: Seconds the demo sandbox takes to "process" a lote: long enough to see Procesando.
DEMO_PROCESSING_DELAY = 3.0


@dataclass
class Runtime:
    db: Database
    data_dir: Path
    demo: bool
    sandbox: Any = None
    sender_lock: SenderLock | None = None
    _engines: list[SyncEngine] = field(default_factory=list)

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
    """Open the database: integrity check first (SQLite), migrations (with a backup
    before them), then the daily backup. Raises `DatabaseDamaged` with what to do."""
    db = Database.open(db_url or paths.sqlite_url(data_dir), backup_dir=paths.backups_dir(data_dir),
                       check=True)
    try:
        db.backup_if_due()
    except OSError as exc:  # a full disk must not stop the counter
        log.warning("daily backup failed: %s", exc)
    return db


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
