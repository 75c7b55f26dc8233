"""The one place that builds HTTP clients and turns httpx failures into our classes.

Security rules (issue "Secrets stay secret"): HTTPS only, certificate verification
always on; plain http:// only for the loopback sandbox. Shops behind a proxy that
inspects TLS add its CA with `LOTE_CA_BUNDLE` (or `ca-bundle.pem` in the data folder),
on top of the system's trusted CAs — never instead of verification. Answers are
untrusted input: bodies are read up to a size limit.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import ssl
from typing import Any, Self
from urllib.parse import urlsplit

import httpx

from desktop_app import __version__
from desktop_app.providers.base import ConnectionFailed, OutcomeUnknown

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
#: Larger answers are refused: no provider answer for ≤ 100 documents comes near this.
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
CA_BUNDLE_ENV = "LOTE_CA_BUNDLE"


class InsecureURL(ValueError):
    """A provider URL that would send credentials in clear or to an unverified host."""


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> None:
    """Refuse anything but https://, except http:// to this machine (the sandbox)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return
    raise InsecureURL(
        f"La dirección del proveedor debe empezar con https:// (http:// solo para "
        f"127.0.0.1 o localhost): {parts.scheme}://{parts.hostname or ''}"
    )


def tls_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """System trust plus, optionally, the shop's proxy CA; verification always on."""
    return _tls_context(ca_bundle or os.environ.get(CA_BUNDLE_ENV))


@functools.lru_cache(maxsize=4)
def _tls_context(bundle: str | None) -> ssl.SSLContext:
    # Loading the system's CAs takes ~60 ms and holds the GIL (measured: a hiccup on the
    # GUI thread whenever a worker made its first client); one context serves them all.
    ctx = ssl.create_default_context()
    if bundle:
        ctx.load_verify_locations(cafile=bundle)
    return ctx


class ClientLifecycle:
    """What every adapter's client shares: it owns one httpx client (`self._http`),
    closes it, and works as a context manager."""

    _http: httpx.Client

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_client(base_url: str, *, headers: dict[str, str] | None = None,
                timeout: httpx.Timeout | float | None = None) -> httpx.Client:
    check_url(base_url)
    all_headers = {"User-Agent": f"Lote/{__version__}", "Accept": "application/json"}
    all_headers.update(headers or {})
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        headers=all_headers,
        timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
        follow_redirects=False,
        verify=tls_context(),
        trust_env=False,  # no surprise proxies or .netrc credentials from the environment
    )


def send(client: httpx.Client, method: str, url: str, **kwargs) -> httpx.Response:
    """Send a request, classifying transport failures and limiting the answer's size.

    Connect errors and connect timeouts mean no byte of the request left: `ConnectionFailed`.
    Anything after the connection was made (read timeout, reset, protocol error, an
    oversized body) may have been processed by the server: `OutcomeUnknown`.
    """
    try:
        with client.stream(method, url, **kwargs) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise OutcomeUnknown(
                        "La respuesta del proveedor es demasiado grande y se descartó; "
                        "se consultará el resultado antes de reenviar."
                    )
            headers = [(k, v) for k, v in response.headers.multi_items()
                       if k.lower() not in ("content-encoding", "content-length",
                                            "transfer-encoding")]
            return httpx.Response(response.status_code, headers=headers, content=bytes(body),
                                  request=response.request)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        if _certificate_problem(exc):
            raise ConnectionFailed(
                "El certificado del proveedor no es de confianza; no se envió nada. Si la red "
                "del comercio inspecciona TLS, configure su certificado (LOTE_CA_BUNDLE)."
            ) from exc
        raise ConnectionFailed("Sin conexión con el proveedor.") from exc
    except httpx.HTTPError as exc:
        raise OutcomeUnknown(
            "Se perdió la respuesta del proveedor; se consultará el resultado antes de reenviar."
        ) from exc


def decode_json(body: bytes | str, *, parse_float: Any = None) -> Any:
    """Parsed JSON, or None when the body is not JSON we can read: not UTF-8, malformed,
    or nested deeper than the parser's stack (a hostile answer must not crash a step)."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return json.loads(text, parse_float=parse_float)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _certificate_problem(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
