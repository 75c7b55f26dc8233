"""Logs (per-user folder, rotation, secrets redacted) and "Copiar diagnóstico" (version,
system, folders, profiles and the last log lines — never a key)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import pytest

from desktop_app import __version__, credentials, diagnostics, logs

SECRET = "api_key_LOTE-SECRETO-4242-xyz"


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch) -> Path:
    """Lote's logging set up into a folder of this test, undone afterwards."""
    folder = tmp_path / "logs"
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(folder))
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    yield folder
    for handler in [h for h in root.handlers if h not in saved_handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(saved_level)
    logs._log_file = None
    logs.forget_secrets()
    credentials.lock_key_file()


# -- redact ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line",
    [
        f"Authorization: Bearer {SECRET}",
        f"headers={{'Authorization': 'Bearer {SECRET}', 'Accept': 'application/json'}}",
        f'{{"apitoken": "{SECRET}", "apikey": "{SECRET}", "usertoken": "{SECRET}"}}',
        f"X-API-Key: {SECRET}",
        f"{{'x-api-key': '{SECRET}'}}",
        f"GET https://example.invalid/api?apikey={SECRET}&page=2",
        f"token={SECRET}",
        f'"token": "{SECRET}"',
        f"password: {SECRET}",
        f"sent with bearer {SECRET}",
        f"postgresql+psycopg://lote:{SECRET}@db.local/lote",
    ],
)
def test_secrets_in_every_usual_shape_are_masked(line: str) -> None:
    cleaned = logs.redact(line)
    assert SECRET not in cleaned
    assert logs.MASK in cleaned


def test_redaction_keeps_the_rest_of_the_line() -> None:
    assert (
        logs.redact("Authorization: Bearer abc.def-123 (lote 42)") == "Authorization: *** (lote 42)"
    )
    assert (
        logs.redact('{"apikey": "s3cr3t-value", "numero": 7}') == '{"apikey": "***", "numero": 7}'
    )
    assert (
        logs.redact("https://x.invalid/q?apitoken=abcdef&page=2")
        == "https://x.invalid/q?apitoken=***&page=2"
    )


def test_ordinary_lines_are_left_alone() -> None:
    for line in (
        "factura 001-001-0000007 Aprobado (0260) total 110000",
        'HTTP Request: POST http://127.0.0.1:8080/demo/lote/create "HTTP/1.1 200 OK"',
        "falta la clave API: pásela por la entrada estándar",
        "sqlite:////home/ana/.local/share/Lote/lote.sqlite3",
    ):
        assert logs.redact(line) == line


def test_a_remembered_key_is_masked_wherever_it_appears_even_without_a_label() -> None:
    try:
        logs.remember_secret(
            '{"apitoken": "tok-ABCDEFGH", "apikey": "0000", "usertoken": "usr-12345678"}'
        )
        cleaned = logs.redact("respuesta inesperada: tok-ABCDEFGH / usr-12345678 / 0000")
        assert "tok-ABCDEFGH" not in cleaned and "usr-12345678" not in cleaned
        assert cleaned.endswith("/ 0000")  # too short to mask everywhere: numbers stay readable
    finally:
        logs.forget_secrets()


def test_keys_the_process_holds_for_the_session_are_masked() -> None:
    credentials._session_keys["tienda"] = SECRET
    try:
        assert logs.redact(f"error con {SECRET}") == f"error con {logs.MASK}"
    finally:
        credentials.lock_key_file()


# -- setup_logging ----------------------------------------------------------------------
def test_setup_logging_writes_a_rotating_file_in_the_log_folder(log_dir: Path) -> None:
    target = logs.setup_logging(verbose=False)
    assert target == log_dir / "lote.log"
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.RotatingFileHandler) and logs._ours(h)
    ]
    assert handler.maxBytes == logs.MAX_BYTES and handler.backupCount == logs.BACKUP_COUNT
    logging.getLogger("desktop_app.test").info("sincronización iniciada")
    handler.flush()
    assert "INFO desktop_app.test: sincronización iniciada" in target.read_text(encoding="utf-8")
    assert logs.log_file() == target


def test_calling_it_again_does_not_duplicate_lines(log_dir: Path) -> None:
    logs.setup_logging(verbose=False)
    logs.setup_logging(verbose=True)
    logging.getLogger("desktop_app.test").warning("una sola vez")
    for h in logging.getLogger().handlers:
        h.flush()
    assert (log_dir / "lote.log").read_text(encoding="utf-8").count("una sola vez") == 1


def test_secrets_never_reach_the_file_not_even_in_a_traceback(log_dir: Path) -> None:
    target = logs.setup_logging(verbose=True)
    log = logging.getLogger("desktop_app.providers.test")
    log.info("request headers %s", {"Authorization": f"Bearer {SECRET}"})
    try:
        raise RuntimeError(f"provider said: invalid apikey={SECRET}")
    except RuntimeError:
        log.exception("sending the lote failed")
    for h in logging.getLogger().handlers:
        h.flush()
    text = target.read_text(encoding="utf-8")
    assert "sending the lote failed" in text and "Traceback" in text
    assert SECRET not in text


def test_an_explicit_data_folder_keeps_its_own_log(tmp_path: Path, monkeypatch, log_dir) -> None:
    monkeypatch.delenv(logs.LOG_DIR_ENV)
    monkeypatch.delenv("LOTE_DATA_DIR", raising=False)
    assert logs.default_log_dir(tmp_path / "tienda2") == tmp_path / "tienda2" / "logs"
    monkeypatch.setenv("LOTE_DATA_DIR", str(tmp_path / "otra"))
    assert logs.default_log_dir() == tmp_path / "otra" / "logs"
    monkeypatch.delenv("LOTE_DATA_DIR")
    assert logs.default_log_dir().name in ("log", "Logs", "Lote")  # platformdirs' per-user folder


def test_an_unwritable_log_folder_does_not_stop_lote(tmp_path: Path, monkeypatch, log_dir) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(blocker / "logs"))
    assert logs.setup_logging(verbose=False) is None
    logging.getLogger("desktop_app.test").warning("sigue funcionando")


def test_tail_reads_into_the_rotated_file_and_redacts(tmp_path: Path) -> None:
    current = tmp_path / "lote.log"
    (tmp_path / "lote.log.1").write_text("".join(f"old {i}\n" for i in range(5)), encoding="utf-8")
    current.write_text(f"new 0\nAuthorization: Bearer {SECRET}\n", encoding="utf-8")
    assert logs.tail(4, current) == ["old 3", "old 4", "new 0", "Authorization: ***"]


# -- diagnostics.collect ------------------------------------------------------------------
@pytest.fixture
def keyring_file(tmp_path: Path, monkeypatch):
    """A keyring that answers (tests/support/file_keyring), for this test only."""
    import keyring

    from tests.support.file_keyring import FileKeyring

    monkeypatch.setenv("LOTE_TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def runtime_with_secrets(tmp_path: Path, log_dir: Path, keyring_file):
    """A demo runtime (no sandbox) plus a real profile whose key, SECRET, is in the
    keyring only — so this process does not know it — and leaked into the profile's
    last error and, unlabelled, into a log line."""
    from desktop_app.runtime import open_runtime
    from desktop_app.store.models import ProviderProfile
    from desktop_app.store.profiles import save_profile

    logs.setup_logging(verbose=False)
    rt = open_runtime(tmp_path / "data", force_demo=True, start_sandbox=False)
    save_profile(
        rt.db,
        ProviderProfile(
            name="tienda",
            provider="facturasend",
            base_url="https://api.example.invalid",
            tenant="t1",
            emisor_ruc="80069563-1",
            last_error=f"401 con clave {SECRET}",
        ),
    )
    assert credentials.set_api_key("tienda", SECRET) == "keyring"
    logging.getLogger("desktop_app.sync.engine").info("respuesta rara: %s", SECRET)
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert SECRET in (log_dir / "lote.log").read_text(encoding="utf-8")  # unknown, so written
    yield rt
    credentials.delete_api_key("tienda")
    rt.close()


def test_the_diagnostic_has_what_support_needs_and_no_key(runtime_with_secrets, log_dir) -> None:
    text = diagnostics.collect(runtime_with_secrets)
    assert SECRET not in text
    assert f"Versión: {__version__}" in text
    assert f"Carpeta de datos: {runtime_with_secrets.data_dir}" in text
    head = runtime_with_secrets.db.head_revision()
    assert f"Esquema: {head} (el más nuevo: {head}; al día)" in text
    assert "Python: 3." in text and "Qt: Qt 6." in text and "Sistema: " in text
    assert "tienda: facturasend (PY) https://api.example.invalid tenant t1" in text
    assert "clave API guardada" in text
    assert "Demo: facturasend" in text
    assert f"Registro: {log_dir / 'lote.log'}" in text
    assert "Últimas " in text and "respuesta rara: ***" in text


def test_without_a_runtime_it_reports_the_data_folder_as_it_is(tmp_path: Path, log_dir) -> None:
    from desktop_app.store.db import Database

    empty = diagnostics.collect(tmp_path / "nueva")
    assert "(el archivo todavía no existe)" in empty and "Esquema: -" in empty

    folder = tmp_path / "vieja"
    Database.open(f"sqlite:///{folder / 'lote.sqlite3'}").dispose()
    text = diagnostics.collect(folder)
    assert f"Carpeta de datos: {folder}" in text and "; al día)" in text
    assert "Perfiles: (se listan con Lote abierto)" in text


def test_a_broken_section_does_not_lose_the_others(monkeypatch, tmp_path: Path, log_dir) -> None:
    def broken() -> str:
        raise OSError("sin permiso")

    monkeypatch.setattr(diagnostics, "_operating_system", broken)
    text = diagnostics.collect(tmp_path)
    assert "Sistema: (no disponible: OSError: sin permiso)" in text
    assert f"Versión: {__version__}" in text and "Registro: " in text


# -- the About dialog -------------------------------------------------------------------------
def test_about_shows_version_license_and_folders_and_copies_a_clean_diagnostic(
    qtbot, runtime_with_secrets, log_dir
) -> None:
    from PySide6.QtGui import QGuiApplication

    from desktop_app.gui.about_dialog import AboutDialog

    dialog = AboutDialog(runtime_with_secrets)
    qtbot.addWidget(dialog)
    dialog.show()
    assert __version__ in dialog.findChild(type(dialog.status), "about_title").text()
    assert "Licencia" in dialog.findChild(type(dialog.status), "about_license").text()
    assert dialog.data_label.text() == str(runtime_with_secrets.data_dir)
    assert dialog.log_label.text() == str(log_dir / "lote.log")

    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, qtbot_button_left())
    copied = QGuiApplication.clipboard().text()
    assert f"Versión: {__version__}" in copied and "tienda: facturasend" in copied
    assert SECRET not in copied
    assert "copiado" in dialog.status.text()


def qtbot_button_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
