"""API keys in the operating system's keyring (DESIGN rule 4).

keyring's own `PYTHON_KEYRING_BACKEND` variable is honoured. Without any keyring
(`NoKeyringError`, a bare machine) demo mode still works: the demo profile's key is the
sandbox's public demo key and never needs storing.
"""

from __future__ import annotations

import logging

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

log = logging.getLogger(__name__)

SERVICE = "lote"
#: The public key of the built-in sandbox: demo profiles use it, nothing is stored.
DEMO_API_KEY = "api_key_demo"


class CredentialsUnavailable(RuntimeError):
    """No usable keyring: the message says so in plain Spanish."""


def get_api_key(profile_name: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, profile_name)
    except NoKeyringError:
        return None
    except KeyringError as exc:
        log.warning("keyring read failed for profile %s: %s", profile_name, type(exc).__name__)
        return None


def set_api_key(profile_name: str, api_key: str) -> None:
    try:
        keyring.set_password(SERVICE, profile_name, api_key)
    except (NoKeyringError, KeyringError) as exc:
        raise CredentialsUnavailable(
            "No hay un llavero del sistema disponible para guardar la clave API "
            f"({type(exc).__name__}). La clave no se guardó en ningún archivo."
        ) from exc


def delete_api_key(profile_name: str) -> None:
    try:
        keyring.delete_password(SERVICE, profile_name)
    except (NoKeyringError, PasswordDeleteError, KeyringError):
        pass


def api_key_for(profile) -> str | None:
    """The key a profile authenticates with: the sandbox's for demo, else the keyring's."""
    if profile.is_demo:
        return DEMO_API_KEY
    return get_api_key(profile.name)
