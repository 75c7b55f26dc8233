"""Which client and which sandbox speak each provider's dialect, and their defaults.

The one place the rest of the app (sync engine, settings, demo mode) turns a provider
name from a profile into objects, so adding a dialect touches this table only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from desktop_app.providers.facturasend import FacturaSendClient

if TYPE_CHECKING:
    from desktop_app.sandbox.server import SandboxServer

#: Per-provider batching and polling defaults. FacturaSend: 50 DE per lote (lote/create
#: page); polling compressed from DNIT's advice, see PROVIDERS.md "SIFEN facts".
PROVIDER_DEFAULTS: dict[str, dict[str, Any]] = {
    "facturasend": {"max_batch": 50, "poll_first_s": 5, "poll_every_s": 30},
}


def make_provider_client(
    provider: str,
    *,
    base_url: str,
    tenant: str | None,
    api_key: str,
    emisor_ruc: str | None = None,
    timeout: float | httpx.Timeout | None = None,
) -> FacturaSendClient:
    """A client for `provider`. `emisor_ruc` is for dialects that name the emisor per call."""
    if provider == "facturasend":
        if not tenant:
            raise ValueError("FacturaSend needs a tenant id")
        return FacturaSendClient(base_url, tenant, api_key, timeout=timeout)
    raise ValueError("unknown provider")


def make_sandbox(provider: str, **kwargs: Any) -> SandboxServer:
    """A local simulator of `provider` (not started); kwargs go to its constructor."""
    if provider == "facturasend":
        # Imported here so that importing the providers never loads the simulators.
        from desktop_app.sandbox.facturasend import FacturaSendSandbox

        return FacturaSendSandbox(**kwargs)
    raise ValueError("unknown provider")
