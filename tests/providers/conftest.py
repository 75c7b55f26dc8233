"""A FacturaSend sandbox on a free 127.0.0.1 port and a real client pointed at it.

Processing takes 2 s on a fake clock: tests call `clock.advance(2)` instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.providers.facturasend import FacturaSendClient
from desktop_app.sandbox.facturasend import FacturaSendSandbox
from tests.providers.factories import API_KEY, TENANT, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Iterator[FacturaSendSandbox]:
    with FacturaSendSandbox(clock=clock, processing_delay=2.0) as sb:
        yield sb


@pytest.fixture
def client(sandbox: FacturaSendSandbox) -> Iterator[FacturaSendClient]:
    with FacturaSendClient(sandbox.url, TENANT, API_KEY, timeout=5.0) as c:
        yield c
