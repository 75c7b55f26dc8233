"""Shared fixtures. Tests run headless: Qt uses the offscreen platform, and keyring
uses an in-memory fake unless a test asks for the real Secret Service."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from desktop_app.store.db import Database  # noqa: E402


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A real, migrated SQLite file in the test's folder."""
    database = Database.open(f"sqlite:///{tmp_path / 'lote.sqlite3'}", backup_dir=tmp_path / "backups")
    yield database
    database.dispose()


@pytest.fixture
def demo_profile(db: Database):
    from desktop_app.runtime import ensure_demo_profile

    return ensure_demo_profile(db)


@pytest.fixture
def sandbox():
    """The FacturaSend simulator on a free 127.0.0.1 port, with a short processing delay."""
    from desktop_app.credentials import DEMO_API_KEY
    from desktop_app.domain.emisor import DEMO_EMISOR
    from desktop_app.sandbox.facturasend import FacturaSendSandbox

    server = FacturaSendSandbox(api_key=DEMO_API_KEY, emisor_ruc=DEMO_EMISOR.ruc,
                                tipo_contribuyente=DEMO_EMISOR.tipo_contribuyente,
                                processing_delay=0.2)
    server.start()
    yield server
    server.stop()
