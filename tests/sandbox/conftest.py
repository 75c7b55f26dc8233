"""The FacturaSend sandbox on a free 127.0.0.1 port, with a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.sandbox.facturasend import FacturaSendSandbox
from tests.providers.factories import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Iterator[FacturaSendSandbox]:
    with FacturaSendSandbox(clock=clock, processing_delay=2.0) as sb:
        yield sb
