"""HTTPS only, verification always on (with an optional proxy CA), answers limited in
size, provider text cleaned before it is stored, private files."""

from __future__ import annotations

import datetime as dt
import http.server
import ssl
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from desktop_app.providers.base import CallRefused, ConnectionFailed, OutcomeUnknown
from desktop_app.providers.http import (
    CA_BUNDLE_ENV,
    MAX_RESPONSE_BYTES,
    InsecureURL,
    check_url,
    make_client,
    send,
)
from desktop_app.store.db import Database
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.queries import document_events, list_documents
from desktop_app.sync.engine import SyncEngine
from tests.support.factories import document


@pytest.mark.parametrize("url", ["http://api.facturasend.com.py", "ftp://x", "http://10.0.0.5:8080",
                                 "http://192.168.1.10", "https://", "file:///etc/passwd"])
def test_only_https_or_loopback_http_is_accepted(url: str) -> None:
    with pytest.raises(InsecureURL, match="https://"):
        check_url(url)


@pytest.mark.parametrize("url", ["https://api.facturasend.com.py", "http://127.0.0.1:8000",
                                 "http://localhost:1", "http://[::1]:9"])
def test_https_and_the_local_sandbox_are_accepted(url: str) -> None:
    check_url(url)


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b"{}"

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:
        pass


def _serve(handler: type, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if tls else "http"
    host = "localhost" if tls else "127.0.0.1"
    yield f"{scheme}://{host}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_oversized_answer_is_refused_as_an_unknown_outcome() -> None:
    class Huge(_Handler):
        body = b"[" + b"0," * (MAX_RESPONSE_BYTES // 2 + 10) + b"0]"

    for url in _serve(Huge):
        with make_client(url) as client, pytest.raises(OutcomeUnknown, match="demasiado grande"):
            send(client, "GET", "/")


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    """A throw-away CA-less self-signed certificate for localhost."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "proxy-ca.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_an_untrusted_certificate_is_refused_with_a_clear_message_and_a_ca_bundle_fixes_it(
        tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = tls_files
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    for url in _serve(_Handler, ctx):
        monkeypatch.delenv(CA_BUNDLE_ENV, raising=False)
        with make_client(url) as client, pytest.raises(ConnectionFailed, match="certificado"):
            send(client, "GET", "/")
        monkeypatch.setenv(CA_BUNDLE_ENV, str(cert))
        with make_client(url) as client:
            assert send(client, "GET", "/").status_code == 200


class _Hostile:
    max_batch = 50

    def submit(self, docs):
        raise CallRefused("lote\x1b[31m con errores", errors={0: "RUC\x00 inválido\u202e\x07" + "x" * 5000},
                          code="99\x08")

    def close(self) -> None:
        pass


def test_control_characters_from_the_provider_never_reach_the_database(db: Database,
                                                                        demo_profile) -> None:
    eng = SyncEngine(db, client_factory=lambda provider, **kw: _Hostile(),
                     base_url_for=lambda p: "http://127.0.0.1:1")
    [doc_id] = enqueue_documents(db, demo_profile.id, [document()]).ids
    eng.send_once()
    [row] = list_documents(db)
    assert row.state == "REJECTED"
    assert row.message.startswith("RUC inválido") and len(row.message) <= 2000
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch == "\u202e" for ch in row.message)
    assert row.code == "99"
    assert all("\x00" not in (e.message or "") for e in document_events(db, doc_id))


@pytest.mark.skipif(not hasattr(stat, "S_IMODE"), reason="POSIX permissions")
def test_data_folder_database_and_backups_are_private(tmp_path: Path) -> None:
    from desktop_app.runtime import open_runtime

    rt = open_runtime(tmp_path / "data", force_demo=True, start_sandbox=False)
    try:
        enqueue_documents(rt.db, 1, [document()])
        backup = rt.db.backup(reason="test")
    finally:
        rt.close()
    folder = tmp_path / "data"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "backups").stat().st_mode) == 0o700
    for f in [folder / "lote.sqlite3", backup]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
