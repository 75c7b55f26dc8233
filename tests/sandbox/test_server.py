"""The generic sandbox base: lifecycle, routing, the down switch, latency and faults."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from desktop_app.sandbox.server import (
    Fault,
    Request,
    Response,
    SandboxServer,
    json_response,
    route,
)


class EchoSandbox(SandboxServer):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.calls = 0

    @route("GET", r"/items/(?P<item_id>\d+)")
    def get_item(self, request: Request) -> Response:
        self.calls += 1
        return json_response({"id": int(request.params["item_id"]), "q": request.query})

    @route("POST", r"/echo")
    def echo(self, request: Request) -> Response:
        self.calls += 1
        return json_response({"got": request.json(), "flag": request.flag("draft")})

    @route("GET", r"/boom")
    def boom(self, request: Request) -> Response:
        raise RuntimeError("handler bug")


@pytest.fixture
def server() -> Iterator[EchoSandbox]:
    with EchoSandbox() as s:
        yield s


def test_server_listens_on_loopback_with_a_free_port(server: EchoSandbox) -> None:
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}"


def test_routes_dispatch_by_method_and_regex_with_named_groups(server: EchoSandbox) -> None:
    r = httpx.get(f"{server.url}/items/42?x=1")
    assert r.status_code == 200
    assert r.json() == {"id": 42, "q": {"x": "1"}}
    r = httpx.post(f"{server.url}/echo?draft=true", json={"a": [1, 2]})
    assert r.json() == {"got": {"a": [1, 2]}, "flag": True}


def test_unknown_path_is_404_and_wrong_method_is_405(server: EchoSandbox) -> None:
    assert httpx.get(f"{server.url}/nothing").status_code == 404
    assert httpx.post(f"{server.url}/items/1").status_code == 405


def test_a_failing_handler_answers_500_instead_of_hanging(server: EchoSandbox) -> None:
    assert httpx.get(f"{server.url}/boom").status_code == 500


def test_down_refuses_connections_and_comes_back_on_the_same_port(server: EchoSandbox) -> None:
    port = server.port
    with httpx.Client(base_url=server.url) as c:
        assert c.get("/items/1").status_code == 200
        server.set_down(True)
        assert server.is_down
        with pytest.raises(httpx.ConnectError):
            c.get("/items/1")
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        server.set_down(False)
        assert server.port == port
        assert c.get("/items/2").json()["id"] == 2


def test_a_server_started_while_down_listens_only_when_brought_up() -> None:
    s = EchoSandbox()
    s.set_down(True)
    with s:
        with pytest.raises(RuntimeError):
            _ = s.port
        s.set_down(False)
        assert httpx.get(f"{s.url}/items/3").status_code == 200


def test_latency_delays_the_answer(server: EchoSandbox) -> None:
    server.latency = 0.3
    started = time.monotonic()
    httpx.get(f"{server.url}/items/1")
    assert time.monotonic() - started >= 0.3


def test_stop_then_start_again_serves_again() -> None:
    s = EchoSandbox()
    s.start()
    s.stop()
    with s:
        assert httpx.get(f"{s.url}/items/1").status_code == 200


def test_reset_before_fault_drops_the_connection_without_processing(server: EchoSandbox) -> None:
    server.inject_fault(Fault.RESET_BEFORE)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.url}/items/1")
    assert server.calls == 0
    assert httpx.get(f"{server.url}/items/1").status_code == 200


def test_after_faults_process_the_request_then_spoil_the_answer(server: EchoSandbox) -> None:
    server.inject_fault(Fault.RESET_AFTER)
    with pytest.raises(httpx.TransportError):
        httpx.post(f"{server.url}/echo", json=1)
    server.inject_fault(Fault.HTTP_524_AFTER)
    assert httpx.post(f"{server.url}/echo", json=1).status_code == 524
    server.inject_fault(Fault.MALFORMED_JSON_AFTER)
    r = httpx.post(f"{server.url}/echo", json=1)
    with pytest.raises(ValueError):
        r.json()
    assert server.calls == 3


def test_faults_can_target_a_path_and_a_number_of_requests(server: EchoSandbox) -> None:
    server.inject_fault(Fault.HTTP_503, times=2, path=r"^/echo$")
    assert httpx.get(f"{server.url}/items/1").status_code == 200
    assert httpx.post(f"{server.url}/echo", json=1).status_code == 503
    assert httpx.post(f"{server.url}/echo", json=1).status_code == 503
    assert httpx.post(f"{server.url}/echo", json=1).status_code == 200


def test_html_page_fault_answers_200_with_html(server: EchoSandbox) -> None:
    server.inject_fault(Fault.HTML_PAGE)
    r = httpx.get(f"{server.url}/items/1")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "BIG-IP" in r.text
    assert server.calls == 0


def test_serving_writes_nothing_to_stderr(
    server: EchoSandbox, capfd: pytest.CaptureFixture[str]
) -> None:
    httpx.get(f"{server.url}/items/1")
    httpx.get(f"{server.url}/nothing")
    httpx.get(f"{server.url}/boom")
    server.inject_fault(Fault.RESET_BEFORE)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.url}/items/1")
    out, err = capfd.readouterr()
    assert err == ""
    assert out == ""
