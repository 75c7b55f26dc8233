"""DTEpy's RUC service (api/dnit) over real HTTP to the sandbox, which serves it too."""

from __future__ import annotations

import pytest

from desktop_app.providers.base import ConnectionFailed
from desktop_app.providers.dtepy import (
    RUC_SERVICE_URL,
    lookup_ruc,
    parse_ruc_lookup,
    ruc_service_url,
)
from desktop_app.sandbox.dtepy import DTEpySandbox


@pytest.fixture
def server():
    with DTEpySandbox(processing_delay=0) as s:
        yield s


def test_a_known_ruc_returns_its_registered_name_and_check_digit(server) -> None:
    found = lookup_ruc("80012345-0", base_url=server.url)
    assert found == {"razonSocial": "FERRETERIA LOPEZ S.A.", "ruc": "80012345-0", "estado": "ACTIVO"}
    assert lookup_ruc("80012345", base_url=server.url)["ruc"] == "80012345-0"


def test_a_cancelled_ruc_says_so_and_an_unknown_one_is_none(server) -> None:
    assert lookup_ruc("80000001-3", base_url=server.url)["estado"] == "CANCELADO"
    assert lookup_ruc("99999999-9", base_url=server.url) is None


def test_the_public_service_is_used_for_a_real_profile_and_down_is_a_connection_failure(server) -> None:
    assert ruc_service_url("https://api.dtepy.com.py") == RUC_SERVICE_URL
    server.set_down(True)
    with pytest.raises(ConnectionFailed):
        lookup_ruc("80012345-0", base_url=server.url)


def test_odd_answers_are_none_not_crashes() -> None:
    assert parse_ruc_lookup(200, b"[]") is None
    assert parse_ruc_lookup(200, b"<html>") is None
    assert parse_ruc_lookup(200, b'[{"ruc": 1, "nombre": "X\\u0007Y", "dv": 5}]') == {
        "razonSocial": "XY", "ruc": "1-5", "estado": None}
