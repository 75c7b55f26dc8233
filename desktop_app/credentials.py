"""API keys: in the operating system's keyring (DESIGN rule 4), or — only when there is
no keyring and the user chose so — for this session only, or in a file encrypted with a
password the user types at start-up. Never in clear in any file.

keyring's own `PYTHON_KEYRING_BACKEND` variable is honoured. Demo mode needs no keyring:
the demo profile's key is the sandbox's public demo key and is never stored. keyring is
imported with the first key read or written (`_keyring`), not with this module: ~75 ms
of the cold start that the window, the log and demo mode do not need.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

SERVICE = "lote"
#: The public key of the built-in sandbox: demo profiles use it, nothing is stored.
DEMO_API_KEY = "api_key_demo"
KEY_FILE_NAME = "claves.cifradas"
PASSWORD_ENV = "LOTE_KEY_PASSWORD"

NO_KEYRING_MESSAGE = (
    "No hay un llavero del sistema disponible para guardar la clave API. Lote no la guarda "
    "en claro en ningún archivo. Elija: guardarla solo durante esta sesión, o en un archivo "
    "cifrado con una contraseña que se pedirá al iniciar."
)


class CredentialsUnavailable(RuntimeError):
    """No usable keyring and no fallback chosen: the message says so in plain Spanish."""


class WrongPassword(ValueError):
    pass


_session_keys: dict[str, str] = {}
_key_file: EncryptedKeyFile | None = None


def _keyring() -> tuple[ModuleType, ModuleType]:
    """The keyring package and its `errors` module, imported on first use."""
    import keyring
    import keyring.errors

    return keyring, keyring.errors


def keyring_available() -> bool:
    keyring, errors = _keyring()
    try:
        keyring.get_password(SERVICE, "__lote_probe__")
    except errors.KeyringError:  # NoKeyringError included
        return False
    return True


def get_api_key(profile_name: str) -> str | None:
    keyring, errors = _keyring()
    try:
        found = keyring.get_password(SERVICE, profile_name)
    except errors.NoKeyringError:
        found = None
    except errors.KeyringError as exc:
        log.warning("keyring read failed for profile %s: %s", profile_name, type(exc).__name__)
        found = None
    if found:
        return found
    if profile_name in _session_keys:
        return _session_keys[profile_name]
    if _key_file is not None:
        return _key_file.get(profile_name)
    return None


def set_api_key(profile_name: str, api_key: str, *, fallback: str | None = None) -> str:
    """Store a key; returns where it went ("keyring", "session" or "file").

    Without a keyring, `fallback` must say what the user chose: "session" (kept in
    memory until the app closes) or "file" (the encrypted file, unlocked first with
    `unlock_key_file`)."""
    keyring, errors = _keyring()
    try:
        keyring.set_password(SERVICE, profile_name, api_key)
        return "keyring"
    except errors.KeyringError as exc:  # NoKeyringError included
        if fallback == "session":
            _session_keys[profile_name] = api_key
            return "session"
        if fallback == "file":
            if _key_file is None:
                raise CredentialsUnavailable(
                    "El archivo cifrado de claves no está abierto: falta su contraseña.") from exc
            _key_file.set(profile_name, api_key)
            return "file"
        raise CredentialsUnavailable(NO_KEYRING_MESSAGE + f" ({type(exc).__name__})") from exc


def delete_api_key(profile_name: str) -> None:
    _session_keys.pop(profile_name, None)
    if _key_file is not None:
        _key_file.delete(profile_name)
    keyring, errors = _keyring()
    try:
        keyring.delete_password(SERVICE, profile_name)
    except errors.KeyringError:  # NoKeyringError and PasswordDeleteError included
        pass


def api_key_for(profile) -> str | None:
    """The key a profile authenticates with: the sandbox's for demo, else the stored one."""
    if profile.is_demo:
        return DEMO_API_KEY
    return get_api_key(profile.name)


def key_file_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE_NAME


def unlock_key_file(data_dir: Path, password: str, *, create: bool = False) -> EncryptedKeyFile:
    """Open (or create) the encrypted key file; WrongPassword if the password is wrong."""
    global _key_file
    store = EncryptedKeyFile(key_file_path(data_dir), password)
    if store.path.exists():
        store.load()
    elif not create:
        raise FileNotFoundError(store.path)
    else:
        store.save({})
    _key_file = store
    return store


def lock_key_file() -> None:
    global _key_file
    _key_file = None
    _session_keys.clear()


class EncryptedKeyFile:
    """API keys encrypted with a key derived from the user's password (scrypt, n=2^15,
    r=8, p=1) and Fernet (AES-128-CBC + HMAC-SHA256): a stolen file is useless without
    the password, and a wrong password is detected, never silently accepted."""

    def __init__(self, path: Path, password: str) -> None:
        if not password:
            raise WrongPassword("La contraseña no puede estar vacía.")
        self.path = path
        self._password = password.encode("utf-8")
        self._cache: dict[str, str] | None = None

    def _fernet(self, salt: bytes) -> Any:
        from cryptography.fernet import Fernet
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(self._password)
        return Fernet(base64.urlsafe_b64encode(key))

    def load(self) -> dict[str, str]:
        from cryptography.fernet import InvalidToken

        if self._cache is None:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            salt = base64.b64decode(data["salt"])
            try:
                plain = self._fernet(salt).decrypt(data["token"].encode("ascii"))
            except InvalidToken as exc:
                raise WrongPassword("Contraseña incorrecta para el archivo de claves.") from exc
            self._cache = json.loads(plain)
        return self._cache

    def save(self, keys: dict[str, str]) -> None:
        salt = os.urandom(16)
        token = self._fernet(salt).encrypt(json.dumps(keys).encode("utf-8")).decode("ascii")
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "kdf": "scrypt", "salt": base64.b64encode(salt).decode(),
                       "token": token}, f)
        os.replace(tmp, self.path)
        self._cache = dict(keys)

    def get(self, name: str) -> str | None:
        return self.load().get(name)

    def set(self, name: str, api_key: str) -> None:
        keys = dict(self.load())
        keys[name] = api_key
        self.save(keys)

    def delete(self, name: str) -> None:
        keys = dict(self.load())
        if keys.pop(name, None) is not None:
            self.save(keys)
