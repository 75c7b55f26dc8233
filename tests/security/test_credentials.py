"""Credentials: the real Secret Service through the app's own code, and — with no
keyring at all — a plain refusal, a session-only choice, or a password-encrypted file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import credentials
from tests.cli.test_cli import ROOT, lote

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.mark.skipif(not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
                    reason="needs dbus-run-session and gnome-keyring-daemon (apt: dbus gnome-keyring)")
def test_a_profile_key_is_stored_read_and_deleted_in_a_real_secret_service() -> None:
    script = (
        "from desktop_app import credentials as c; import keyring;"
        "print(type(keyring.get_keyring()).__module__);"
        "print(c.set_api_key('tienda', 'sk-real-123'));"
        "print(c.get_api_key('tienda'));"
        "c.delete_api_key('tienda'); print(c.get_api_key('tienda'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c",
         "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
         f"exec {sys.executable} -c \"{script}\""],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    lines = out.stdout.split()
    assert lines == ["keyring.backends.SecretService", "keyring", "sk-real-123", "None"], out.stderr


def test_without_a_keyring_saving_a_key_is_refused_plainly() -> None:
    import keyring.core

    before = os.environ.get("PYTHON_KEYRING_BACKEND")
    os.environ["PYTHON_KEYRING_BACKEND"] = NO_KEYRING["PYTHON_KEYRING_BACKEND"]
    keyring.core.init_backend()
    try:
        assert not credentials.keyring_available()
        with pytest.raises(credentials.CredentialsUnavailable, match="No hay un llavero"):
            credentials.set_api_key("tienda", "k")
        assert credentials.set_api_key("tienda", "k", fallback="session") == "session"
        assert credentials.get_api_key("tienda") == "k"
    finally:
        credentials.lock_key_file()
        if before is None:
            os.environ.pop("PYTHON_KEYRING_BACKEND", None)
        else:
            os.environ["PYTHON_KEYRING_BACKEND"] = before
        keyring.core.init_backend()


def test_the_encrypted_key_file_needs_the_right_password_and_holds_no_clear_text(tmp_path: Path) -> None:
    store = credentials.unlock_key_file(tmp_path, "correcta horse", create=True)
    store.set("tienda", "sk-visible-si-en-claro")
    raw = credentials.key_file_path(tmp_path).read_bytes()
    assert b"sk-visible" not in raw and json.loads(raw)["kdf"] == "scrypt"
    assert oct(credentials.key_file_path(tmp_path).stat().st_mode & 0o777) == "0o600"
    credentials.lock_key_file()
    with pytest.raises(credentials.WrongPassword):
        credentials.unlock_key_file(tmp_path, "otra")
    assert credentials.unlock_key_file(tmp_path, "correcta horse").get("tienda") == "sk-visible-si-en-claro"
    credentials.lock_key_file()


def test_cli_without_keyring_uses_the_encrypted_file_when_asked(tmp_path: Path, sandbox) -> None:
    env = {**NO_KEYRING, "LOTE_KEY_PASSWORD": "clave de la tienda"}
    args = ["profile", "add", "tienda", "--provider", "facturasend", "--base-url", sandbox.url,
            "--tenant", "demo", "--emisor", "80069563-1"]
    out = lote(tmp_path, *args, stdin="api_key_demo\n", env=NO_KEYRING)
    assert out.returncode == 1 and "No hay un llavero" in out.stderr
    out = lote(tmp_path, *args, "--key-store", "encrypted-file", stdin="api_key_demo\n", env=env)
    assert out.returncode == 0 and "archivo cifrado" in out.stdout, out.stderr
    assert b"api_key_demo" not in (tmp_path / "data" / "claves.cifradas").read_bytes()
    out = lote(tmp_path, "profile", "test", "tienda", env=env)
    assert out.returncode == 0 and "Credenciales: aceptadas" in out.stdout, out.stdout + out.stderr
    out = lote(tmp_path, "profile", "test", "tienda", env={**env, "LOTE_KEY_PASSWORD": "mala"})
    assert out.returncode == 1 and "Contraseña incorrecta" in out.stderr
