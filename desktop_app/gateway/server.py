"""The local API's HTTP server: the standard library's ThreadingHTTPServer in a daemon
thread (no web framework to ship), one thread per connection, so a slow client never
blocks the window, the sender or another client.

Guards, in order: the address (loopback only unless `allow_remote`), the bearer token
(`hmac.compare_digest`, before the body is read), the body size (`max_body`, from
Content-Length; chunked bodies are refused with 411), a socket timeout per connection.
Answers are JSON (the PDF route excepted); no CORS headers, so a web page in a browser
on the same computer cannot read them, and it cannot know the token.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from desktop_app.gateway.api import ApiRequest, ApiResponse, GatewayApi, match, problem

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 16 * 1024 * 1024
#: Seconds a connection may stay silent (a slow or stuck client only holds its thread).
SOCKET_TIMEOUT = 30.0


class RemoteBindRefused(ValueError):
    """Listening on an address other than the loopback was not explicitly allowed."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], owner: ApiServer) -> None:
        self.owner = owner
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can hang without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("api: error while serving %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT
    # Headers and body leave in two writes; with Nagle's algorithm the second waits for
    # the client's delayed ACK (~40 ms per answer on a kept-alive connection).
    disable_nagle_algorithm = True
    server: _Server
    server_version = "Lote"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        self._serve()

    def do_PUT(self) -> None:  # noqa: N802
        self._serve()

    def do_PATCH(self) -> None:  # noqa: N802
        self._serve()

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("api %s: " + format, self.client_address[0], *args)

    def _serve(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        route, _, _ = match(self.command.upper(), parts.path)
        if route is None or not route.public:
            if not owner.authorized(self.headers.get("Authorization")):
                self._write(problem(401, "unauthorized", "Falta el token o no es válido.",
                                    headers={"WWW-Authenticate": 'Bearer realm="lote"'}),
                            close=True)
                return
        body = b""
        if self.headers.get("Transfer-Encoding"):
            self._write(problem(411, "length_required", "Envíe el cuerpo con Content-Length."),
                        close=True)
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._write(problem(400, "bad_request", "Content-Length no válido."), close=True)
            return
        if length > owner.max_body:
            self._write(problem(413, "too_large",
                                f"El cuerpo supera el límite de {owner.max_body} bytes."),
                        close=True)
            return
        if length:
            body = self.rfile.read(length)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        request = ApiRequest(self.command.upper(), parts.path, query,
                             {k.lower(): v for k, v in self.headers.items()}, body)
        try:
            response = owner.api.dispatch(request)
        except Exception:
            log.exception("api: %s %s failed", self.command, parts.path)
            response = problem(500, "internal", "Error interno de Lote; el detalle está en el "
                                                "registro.")
        self._write(response)

    def _write(self, response: ApiResponse, *, close: bool = False) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in response.headers.items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)


class ApiServer:
    """The API on `host`:`port` (0 = a free port) in its own daemon thread."""

    def __init__(self, api: GatewayApi, *, token: str, host: str = "127.0.0.1", port: int = 0,
                 allow_remote: bool = False, max_body: int = DEFAULT_MAX_BODY) -> None:
        if not is_loopback(host) and not allow_remote:
            raise RemoteBindRefused(
                f"La API escucha solo en 127.0.0.1; para escuchar en {host} actívelo a "
                "propósito (--allow-remote): cualquiera en la red con el token podría "
                "emitir facturas.")
        if not token or len(token) < 16:
            raise ValueError("el token de la API debe tener al menos 16 caracteres")
        self.api = api
        self.host = host
        self.max_body = max_body
        self._token = token.encode("utf-8")
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def authorized(self, header: str | None) -> bool:
        scheme, _, value = (header or "").partition(" ")
        given = value.strip().encode("utf-8", "replace")
        # compare_digest on every request, also when the scheme is wrong: no timing hints.
        ok = hmac.compare_digest(given, self._token)
        return ok and scheme.lower() == "bearer"

    def start(self) -> ApiServer:
        self._server = _Server((self.host, self._port), self)
        self._thread = threading.Thread(target=self._server.serve_forever, name="lote-api",
                                        kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()
        log.info("API listening on %s", self.url)
        return self

    @property
    def port(self) -> int:
        assert self._server is not None, "not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def openapi_json() -> dict[str, Any]:
    """The OpenAPI document (for docs and tests without a server)."""
    from desktop_app.gateway.api import ROUTES
    from desktop_app.gateway.openapi import build_document

    return json.loads(json.dumps(build_document(ROUTES)))
