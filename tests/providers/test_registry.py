"""The provider registry: one name -> one client, one sandbox, one set of defaults."""

from __future__ import annotations

import pytest

from desktop_app.providers.facturasend import FacturaSendClient
from desktop_app.providers.registry import PROVIDER_DEFAULTS, make_provider_client, make_sandbox
from desktop_app.sandbox.facturasend import FacturaSendSandbox
from tests.providers.factories import make_doc


def test_facturasend_client_and_sandbox_work_together() -> None:
    with make_sandbox("facturasend", processing_delay=0) as sandbox:
        assert isinstance(sandbox, FacturaSendSandbox)
        client = make_provider_client(
            "facturasend", base_url=sandbox.url, tenant="demo", api_key="api_key_demo", timeout=5.0
        )
        with client:
            assert isinstance(client, FacturaSendClient)
            assert client.max_batch == PROVIDER_DEFAULTS["facturasend"]["max_batch"] == 50
            client.probe()
            cdc = client.submit([make_doc(1)]).documents[0].cdc
            assert client.status([cdc])[0].outcome.value == "APPROVED"  # type: ignore[list-item]


def test_unknown_provider_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown provider"):
        make_provider_client("nope", base_url="http://127.0.0.1:1", tenant="t", api_key="k")
    with pytest.raises(ValueError, match="unknown provider"):
        make_sandbox("nope")


def test_facturasend_needs_a_tenant() -> None:
    with pytest.raises(ValueError):
        make_provider_client("facturasend", base_url="http://127.0.0.1:1", tenant=None, api_key="k")


def test_defaults_name_batch_size_and_polling() -> None:
    assert PROVIDER_DEFAULTS["facturasend"] == {
        "country": "PY",
        "max_batch": 50,
        "poll_first_s": 5,
        "poll_every_s": 30,
    }
