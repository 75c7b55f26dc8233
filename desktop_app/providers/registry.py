"""Which client and which sandbox speak each provider's dialect, and their defaults.

The one place the rest of the app (sync engine, settings, demo mode) turns a provider
name from a profile into objects. Each dialect lives in its own modules, imported only
when used: `providers/<name>.py` exposes `create_client(**kwargs)` and
`sandbox/<name>.py` exposes `create_sandbox(**kwargs)`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # httpx (~50 ms) loads with the first client, not with the window
    import httpx

    from desktop_app.providers.base import ProviderClient
    from desktop_app.sandbox.server import SandboxServer

#: Per-provider country, batching and polling defaults (PROVIDERS.md). Polling is the
#: providers' advice; DNIT's 10-minute advice is a per-profile setting away.
PROVIDER_DEFAULTS: dict[str, dict[str, Any]] = {
    "facturasend": {"country": "PY", "max_batch": 50, "poll_first_s": 5, "poll_every_s": 30},
    "dtepy": {"country": "PY", "max_batch": 50, "poll_first_s": 10, "poll_every_s": 60},
    "jsifen": {"country": "PY", "max_batch": 1, "poll_first_s": 10, "poll_every_s": 45},
    "cucu": {"country": "BO", "max_batch": 20, "poll_first_s": 5, "poll_every_s": 30},
    # AFIP numbers a punto de venta in sequence and TusFacturas holds a call up to 90 s:
    # one call at a time, and a timeout longer than its own.
    "tusfacturas": {"country": "AR", "max_batch": 20, "poll_first_s": 5, "poll_every_s": 30,
                    "concurrency": 1, "request_timeout": 95},
}

PROVIDERS = tuple(PROVIDER_DEFAULTS)


def _module(package: str, provider: str) -> Any:
    if provider not in PROVIDER_DEFAULTS:
        raise ValueError(f"unknown provider {provider!r}")
    return importlib.import_module(f"desktop_app.{package}.{provider}")


def make_provider_client(
    provider: str,
    *,
    base_url: str,
    tenant: str | None,
    api_key: str,
    emisor_ruc: str | None = None,
    timeout: float | httpx.Timeout | None = None,
) -> ProviderClient:
    """A client for `provider`. `emisor_ruc` is for dialects that name the emisor per call."""
    return _module("providers", provider).create_client(  # type: ignore[no-any-return]
        base_url=base_url, tenant=tenant, api_key=api_key, emisor_ruc=emisor_ruc, timeout=timeout
    )


def make_sandbox(provider: str, **kwargs: Any) -> SandboxServer:
    """A local simulator of `provider` (not started); kwargs go to its constructor."""
    return _module("sandbox", provider).create_sandbox(**kwargs)  # type: ignore[no-any-return]
