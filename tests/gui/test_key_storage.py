"""No keyring in the GUI: say so, offer session-only or an encrypted file; ask for the
file's password at start-up."""

from __future__ import annotations

import os
from pathlib import Path

import keyring.core
import pytest

from desktop_app import credentials
from desktop_app.credentials import CredentialsUnavailable, key_file_path
from desktop_app.gui.key_storage import FILE, SESSION, store_key, unlock_at_start


@pytest.fixture
def no_keyring():
    before = os.environ.get("PYTHON_KEYRING_BACKEND")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    keyring.core.init_backend()
    yield
    credentials.lock_key_file()
    if before is None:
        os.environ.pop("PYTHON_KEYRING_BACKEND", None)
    else:
        os.environ["PYTHON_KEYRING_BACKEND"] = before
    keyring.core.init_backend()


def test_session_only_keeps_the_key_in_memory_and_writes_nothing(no_keyring, tmp_path: Path) -> None:
    where = store_key(None, "tienda", "sk-1", tmp_path, choose=lambda p: SESSION,
                      password=lambda p, t: pytest.fail("no password for a session key"))
    assert where == "session" and credentials.get_api_key("tienda") == "sk-1"
    assert list(tmp_path.iterdir()) == []


def test_encrypted_file_asks_twice_then_unlocks_at_the_next_start(no_keyring, tmp_path: Path) -> None:
    typed = iter(["s3creto", "s3creto"])
    where = store_key(None, "tienda", "sk-2", tmp_path, choose=lambda p: FILE,
                      password=lambda p, t: next(typed))
    assert where == "file" and b"sk-2" not in key_file_path(tmp_path).read_bytes()
    credentials.lock_key_file()
    assert credentials.get_api_key("tienda") is None
    attempts = iter(["mala", "s3creto"])
    assert unlock_at_start(None, tmp_path, password=lambda p, t: next(attempts))
    assert credentials.get_api_key("tienda") == "sk-2"


def test_mismatched_passwords_or_cancel_save_no_key(no_keyring, tmp_path: Path) -> None:
    typed = iter(["uno", "dos"])
    with pytest.raises(CredentialsUnavailable, match="no coinciden"):
        store_key(None, "tienda", "sk-3", tmp_path, choose=lambda p: FILE,
                  password=lambda p, t: next(typed))
    with pytest.raises(CredentialsUnavailable):
        store_key(None, "tienda", "sk-3", tmp_path, choose=lambda p: None)
    assert credentials.get_api_key("tienda") is None and not key_file_path(tmp_path).exists()
