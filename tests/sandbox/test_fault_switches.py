"""The fault switches every dialect inherits, seen from a real client."""

from __future__ import annotations

import time

import pytest

from desktop_app.providers.base import ConnectionFailed, OutcomeUnknown
from desktop_app.providers.facturasend import FacturaSendClient
from desktop_app.sandbox.facturasend import FacturaSendSandbox
from desktop_app.sandbox.server import Fault


@pytest.fixture
def server():
    with FacturaSendSandbox(processing_delay=0) as s:
        yield s


def test_a_truncated_body_after_processing_is_an_unknown_outcome(server) -> None:
    server.inject_fault(Fault.TRUNCATED_BODY_AFTER)
    with FacturaSendClient(server.url, "demo", "api_key_demo", timeout=5) as client:
        with pytest.raises(OutcomeUnknown):
            client.probe()


def test_a_random_fault_rate_spoils_about_that_share_of_requests(server) -> None:
    server.set_fault_rate(0.3, faults=[Fault.HTTP_503], seed=7)
    failures = 0
    with FacturaSendClient(server.url, "demo", "api_key_demo", timeout=5) as client:
        for _ in range(100):
            try:
                client.probe()
            except OutcomeUnknown:
                failures += 1
    assert 15 <= failures <= 45


def test_down_for_a_while_comes_back_by_itself(server) -> None:
    server.down_for(0.5)
    with FacturaSendClient(server.url, "demo", "api_key_demo", timeout=5) as client:
        with pytest.raises(ConnectionFailed):
            client.probe()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.probe()
                break
            except ConnectionFailed:
                time.sleep(0.1)
        else:
            pytest.fail("the sandbox did not come back")
