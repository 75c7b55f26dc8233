"""A small base for local HTTP simulators of the providers' dialects.

PROVIDERS.md, "What every sandbox must be able to do": serve the dialect on 127.0.0.1
(random free port), take time to answer, and inject faults on demand — latency,
connection reset, HTTP 500/503, a 524-style timeout after processing, malformed JSON, an
HTML page instead of JSON, and a "down" switch. This module holds the generic part;
each dialect (`facturasend.py`, later DTEpy, JSIFEN, CUCU, TusFacturas) subclasses
`SandboxServer` and declares its routes with `@route`.

Built on the standard library (`http.server.ThreadingHTTPServer`) so that demo mode and
the tests need nothing the app does not already ship. Every answer closes its
connection (`Connection: close`), so a client never reuses a socket to a server that
was switched "down": the next request opens a new connection and is refused, as it
would be by a provider that is really unreachable.
"""

from __future__ import annotations

import json
import logging
import random
import re
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    """One parsed HTTP request, as a dialect handler sees it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The body decoded as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8"))

    def flag(self, name: str) -> bool:
        """A boolean query parameter (`?qr=true`)."""
        return self.query.get(name, "").strip().lower() in {"1", "true", "yes", "si", "sí"}


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status=status, body=body, headers=dict(headers or {}))


def text_response(
    text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8"
) -> Response:
    return Response(status=status, body=text.encode("utf-8"), content_type=content_type)


Handler = Callable[[Request], Response]


def route(
    method: str, pattern: str
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Mark a method of a `SandboxServer` subclass as the handler of `method` + `pattern`.

    `pattern` is a regular expression matched against the whole path (no query string);
    its named groups arrive in `request.params`.
    """

    def mark(fn: Callable[..., Response]) -> Callable[..., Response]:
        routes = list(getattr(fn, "_sandbox_routes", []))
        routes.append((method.upper(), pattern))
        fn._sandbox_routes = routes  # type: ignore[attr-defined]
        return fn

    return mark


@dataclass(frozen=True)
class _Route:
    method: str
    regex: re.Pattern[str]
    handler: Handler


class Fault(StrEnum):
    """Faults a test or the demo can inject into the next matching request(s).

    `*_AFTER` faults let the dialect handler run first (the provider processed the
    call) and then lose or spoil the answer: the "unknown outcome" a client must
    reconcile. The others answer without processing anything.
    """

    RESET_BEFORE = "reset_before"  # TCP reset, nothing processed
    RESET_AFTER = "reset_after"  # processed, then TCP reset instead of an answer
    HTTP_500 = "http_500"  # nothing processed
    HTTP_503 = "http_503"  # nothing processed
    HTTP_524_AFTER = "http_524_after"  # processed, then a proxy-timeout page (TusFacturas' 524)
    HTML_PAGE = "html_page"  # nothing processed; a load balancer's HTML page (SIFEN's "BIG-IP")
    MALFORMED_JSON_AFTER = "malformed_json_after"  # processed, then a truncated JSON body
    TRUNCATED_BODY_AFTER = "truncated_body_after"  # processed, then the connection closes mid-body


_AFTER_FAULTS = {
    Fault.RESET_AFTER,
    Fault.HTTP_524_AFTER,
    Fault.MALFORMED_JSON_AFTER,
    Fault.TRUNCATED_BODY_AFTER,
}

_HTML_PAGE = (
    "<html><head><title>BIG-IP logout page</title></head>"
    "<body><p>Your session could not be established.</p></body></html>"
)


@dataclass
class _ArmedFault:
    fault: Fault
    remaining: int
    path: re.Pattern[str] | None


_TRUNCATE = "X-Sandbox-Truncate"


class _Reset(Exception):
    """Raised inside the request handler to drop the connection with a TCP reset."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        super().__init__(address, _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can hang on a machine
        # without DNS; the sandbox only ever listens on the loopback address.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("sandbox: error while serving %s", client_address, exc_info=True)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

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

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base
        log.debug("sandbox %s: " + format, self.client_address[0], *args)

    def _serve(self) -> None:
        self.close_connection = True
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        request = Request(
            method=self.command.upper(),
            path=parts.path,
            query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        try:
            response = self.server.sandbox._respond(request)
        except _Reset:
            self._reset()
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        # A truncated body announces more bytes than it sends, then the connection closes.
        announced = (
            len(response.body) * 2 + 10
            if response.headers.pop(_TRUNCATE, None)
            else len(response.body)
        )
        self.send_header("Content-Length", str(announced))
        self.send_header("Connection", "close")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


class SandboxServer:
    """A local HTTP simulator: start/stop, a down switch, latency and fault injection.

    Subclasses declare handlers with `@route(method, regex)`. Usable as a context
    manager; `port=0` picks a free port, kept across `set_down(True)` / `set_down(False)`
    so a client configured with `.url` finds the server again when it comes back.
    """

    def __init__(self, *, port: int = 0, host: str = HOST) -> None:
        self._host = host
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._started = False
        self._down = False
        self._state_lock = threading.Lock()
        self._faults: list[_ArmedFault] = []
        self._fault_lock = threading.Lock()
        #: Seconds added before every answer (after the handler ran).
        self.latency: float = 0.0
        #: Probability of a random fault on each request (soak tests); see `set_fault_rate`.
        self._fault_rate = 0.0
        self._fault_choices: tuple[Fault, ...] = tuple(Fault)
        self._rng = random.Random(0)
        self._routes = self._collect_routes()

    # -- lifecycle ----------------------------------------------------------------

    def start(self) -> Self:
        with self._state_lock:
            if self._started:
                return self
            self._started = True
            if not self._down:
                self._listen()
        return self

    def stop(self) -> None:
        with self._state_lock:
            self._started = False
            self._close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("the sandbox has not been started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def is_down(self) -> bool:
        return self._down

    def set_down(self, down: bool) -> None:
        """Close the listening socket (clients get "connection refused") or re-open it.

        Requests already being handled finish normally; only new connections notice.
        """
        with self._state_lock:
            self._down = down
            if not self._started:
                return
            if down:
                self._close()
            elif self._httpd is None:
                self._listen()

    def _listen(self) -> None:
        httpd = _HTTPServer((self._host, self._port), self)
        self._port = httpd.server_address[1]
        thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}:{self._port}",
            daemon=True,
        )
        thread.start()
        self._httpd, self._thread = httpd, thread

    def _close(self) -> None:
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    # -- faults -------------------------------------------------------------------

    def inject_fault(self, fault: Fault, *, times: int = 1, path: str | None = None) -> None:
        """Spoil the next `times` requests whose path matches the regex `path` (any if None)."""
        armed = _ArmedFault(Fault(fault), times, re.compile(path) if path else None)
        with self._fault_lock:
            self._faults.append(armed)

    def set_fault_rate(
        self, rate: float, *, faults: Iterable[Fault] | None = None, seed: int | None = None
    ) -> None:
        """Spoil a random `rate` of all requests with a fault drawn from `faults`."""
        with self._fault_lock:
            self._fault_rate = rate
            self._fault_choices = tuple(faults) if faults is not None else tuple(Fault)
            if seed is not None:
                self._rng.seed(seed)

    def down_for(self, seconds: float) -> None:
        """Go down now and come back by itself after `seconds` (a flaky link)."""
        self.set_down(True)
        timer = threading.Timer(seconds, self.set_down, args=(False,))
        timer.daemon = True
        timer.start()

    def clear_faults(self) -> None:
        with self._fault_lock:
            self._faults.clear()

    def _take_fault(self, path: str) -> Fault | None:
        with self._fault_lock:
            if self._fault_rate and self._rng.random() < self._fault_rate:
                return self._rng.choice(self._fault_choices)
            for armed in self._faults:
                if armed.path is None or armed.path.search(path):
                    armed.remaining -= 1
                    if armed.remaining <= 0:
                        self._faults.remove(armed)
                    return armed.fault
        return None

    # -- dispatch -----------------------------------------------------------------

    def _collect_routes(self) -> list[_Route]:
        routes: list[_Route] = []
        seen: set[str] = set()
        for cls in type(self).__mro__:
            for name, attr in vars(cls).items():
                if name in seen:
                    continue
                seen.add(name)
                for method, pattern in getattr(attr, "_sandbox_routes", []):
                    routes.append(_Route(method, re.compile(pattern), getattr(self, name)))
        return routes

    def _respond(self, request: Request) -> Response:
        fault = self._take_fault(request.path)
        if fault is not None and fault not in _AFTER_FAULTS:
            return self._fault_response(fault)
        try:
            response = self.dispatch(request)
        except Exception:
            log.exception("sandbox: handler failed for %s %s", request.method, request.path)
            response = self.internal_error()
        if self.latency > 0:
            time.sleep(self.latency)
        if fault is not None:
            return self._fault_response(fault)
        return response

    def _fault_response(self, fault: Fault) -> Response:
        if fault in (Fault.RESET_BEFORE, Fault.RESET_AFTER):
            raise _Reset()
        if fault is Fault.HTTP_500:
            return self.internal_error()
        if fault is Fault.HTTP_503:
            return text_response("Service Unavailable", status=503)
        if fault is Fault.HTTP_524_AFTER:
            return text_response(
                "<html><body>524: A timeout occurred</body></html>",
                status=524,
                content_type="text/html; charset=utf-8",
            )
        if fault is Fault.HTML_PAGE:
            return text_response(_HTML_PAGE, content_type="text/html; charset=utf-8")
        if fault is Fault.TRUNCATED_BODY_AFTER:
            return Response(
                status=200,
                body=b'{"success": true, "result": {"deList": [',
                headers={_TRUNCATE: "1"},
            )
        return Response(status=200, body=b'{"success": true, "result": {"deList": [{"cdc": "')

    def dispatch(self, request: Request) -> Response:
        """Find the route for `request` and run it (404 / 405 when none fits)."""
        path_matched = False
        for r in self._routes:
            m = r.regex.fullmatch(request.path)
            if m is None:
                continue
            path_matched = True
            if r.method == request.method:
                params = {k: v for k, v in m.groupdict().items() if v is not None}
                return r.handler(
                    Request(
                        request.method,
                        request.path,
                        request.query,
                        request.headers,
                        request.body,
                        params,
                    )
                )
        if path_matched:
            return self.method_not_allowed(request)
        return self.not_found(request)

    # Dialects override these to answer in their own envelope.

    def not_found(self, request: Request) -> Response:
        return json_response({"error": f"not found: {request.path}"}, status=404)

    def method_not_allowed(self, request: Request) -> Response:
        return json_response({"error": f"method not allowed: {request.method}"}, status=405)

    def internal_error(self) -> Response:
        return json_response({"error": "internal server error"}, status=500)
