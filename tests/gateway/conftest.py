"""Gateway fixtures: the side database and intake over the real SQLite file, the API on
a free 127.0.0.1 port, and POS sales in the Paraguayan DE JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from desktop_app.domain.paraguay import RULES
from desktop_app.gateway.host import GatewayHost
from desktop_app.gateway.intake import Intake
from desktop_app.gateway.ledger import Ledger
from desktop_app.gateway.settings import GatewaySettings
from desktop_app.store.db import Database
from desktop_app.store.models import ProviderProfile
from tests.support.factories import document

TOKEN = "test-token-0123456789abcdef"


def sale(external_id: str | None = None, *, price: int = 110_000, quantity: str = "1",
         tax_id: str | None = None) -> dict[str, Any]:
    """One sale as a POS sends it: an envelope around a native DE."""
    native = RULES.to_json(document(price=price, quantity=quantity, tax_id=tax_id))
    native["fecha"] = datetime.now().replace(microsecond=0).isoformat()
    return native if external_id is None else {"external_id": external_id, "document": native}


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def fast_polls(db: Database) -> None:
    with db.write() as s:
        for p in s.exec(select(ProviderProfile)):
            p.poll_first_s, p.poll_every_s = 0.05, 0.1
            s.add(p)


@pytest.fixture
def settings(tmp_path: Path) -> GatewaySettings:
    return GatewaySettings(data_dir=tmp_path / "data")


@pytest.fixture
def ledger(settings: GatewaySettings) -> Iterator[Ledger]:
    found = Ledger(settings.ledger_path)
    yield found
    found.close()


@pytest.fixture
def intake(db: Database, ledger: Ledger) -> Intake:
    return Intake(db, ledger)


@pytest.fixture
def host(db: Database, settings: GatewaySettings) -> Iterator[GatewayHost]:
    """A host without a sender: tests drive the engine themselves."""
    found = GatewayHost(db, settings, poll_interval=0.0, sweep_interval=0.0)
    yield found
    found.close()


@pytest.fixture
def api(host: GatewayHost, demo_profile) -> Iterator[httpx.Client]:
    """A client of the API of the demo profile, over real HTTP, with the right token."""
    server = host.serve_api(demo_profile, token=TOKEN)
    with httpx.Client(base_url=server.url, headers=auth(), timeout=30) as client:
        yield client
