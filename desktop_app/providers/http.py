"""The one place that builds HTTP clients and turns httpx failures into our classes."""

from __future__ import annotations

import httpx

from desktop_app import __version__
from desktop_app.providers.base import ConnectionFailed, OutcomeUnknown

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def make_client(base_url: str, *, headers: dict[str, str] | None = None,
                timeout: httpx.Timeout | float | None = None) -> httpx.Client:
    all_headers = {"User-Agent": f"Lote/{__version__}", "Accept": "application/json"}
    all_headers.update(headers or {})
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        headers=all_headers,
        timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
        follow_redirects=False,
    )


def send(client: httpx.Client, method: str, url: str, **kwargs) -> httpx.Response:
    """Send a request, classifying transport failures.

    Connect errors and connect timeouts mean no byte of the request left: `ConnectionFailed`.
    Anything after the connection was made (read timeout, reset, protocol error) may
    have been processed by the server: `OutcomeUnknown`.
    """
    try:
        return client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ConnectionFailed("Sin conexión con el proveedor.") from exc
    except httpx.HTTPError as exc:
        raise OutcomeUnknown(
            "Se perdió la respuesta del proveedor; se consultará el resultado antes de reenviar."
        ) from exc
