"""The gateway's settings and files in the data folder.

Everything the gateway keeps lives under ``<data folder>/gateway/``:

- ``settings.json`` — the watched folder of each profile and the API switch, port and
  bind address (`GatewaySettings`); the settings dialog and ``lote watch``/``lote api``
  read the same file;
- ``api-token`` — the bearer token of the local API, readable by the user only. A POS
  program on the same computer must be able to read it, so it is a file (0600 in the
  0700 data folder), not a keyring entry: it opens nothing but this computer's loopback
  API, and the settings dialog shows it and can make a new one;
- ``gateway.sqlite3`` — the side database (`ledger.py`);
- ``pos/<profile>/`` — the default watched folder of a profile, whose ``resultados/``
  also receive the results of documents posted over the API.

A JSON file rather than QSettings: ``lote watch`` runs without Qt and must agree with
the window about the folders.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.paths import restrict

GATEWAY_DIR = "gateway"
SETTINGS_FILE = "settings.json"
TOKEN_FILE = "api-token"
LEDGER_FILE = "gateway.sqlite3"
DEFAULT_PORT = 8484
DEFAULT_BIND = "127.0.0.1"
LAYOUTS = ("a4", "ticket")


def gateway_dir(data_dir: Path) -> Path:
    path = Path(data_dir) / GATEWAY_DIR
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    restrict(path, 0o700)
    return path


def slug(name: str) -> str:
    """A folder name for a profile name ("Caja 1 / Centro" -> "Caja-1-Centro")."""
    text = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")
    return text or "perfil"


@dataclass
class GatewaySettings:
    """What the settings dialog shows. `folders` maps a profile name to its watched
    folder; a profile without an entry uses ``<data>/gateway/pos/<profile>``."""

    data_dir: Path
    folders: dict[str, str] = field(default_factory=dict)
    api_enabled: bool = False
    api_port: int = DEFAULT_PORT
    api_bind: str = DEFAULT_BIND
    #: Listening on an address other than the loopback needs this on purpose.
    api_allow_remote: bool = False
    #: The printed PDF written beside each approved result: "a4" or "ticket" (80 mm roll).
    pdf_layout: str = "a4"

    @property
    def path(self) -> Path:
        return gateway_dir(self.data_dir) / SETTINGS_FILE

    @property
    def token_path(self) -> Path:
        return gateway_dir(self.data_dir) / TOKEN_FILE

    @property
    def ledger_path(self) -> Path:
        return gateway_dir(self.data_dir) / LEDGER_FILE

    def default_folder(self, profile_name: str) -> Path:
        return gateway_dir(self.data_dir) / "pos" / slug(profile_name)

    def folder_for(self, profile_name: str) -> Path:
        chosen = self.folders.get(profile_name)
        return Path(chosen).expanduser() if chosen else self.default_folder(profile_name)

    def results_dir_for(self, profile_name: str) -> Path:
        return self.folder_for(profile_name) / "resultados"

    @classmethod
    def load(cls, data_dir: Path) -> GatewaySettings:
        settings = cls(data_dir=Path(data_dir))
        try:
            raw = json.loads(settings.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return settings
        if not isinstance(raw, dict):
            return settings
        folders = raw.get("folders")
        if isinstance(folders, dict):
            settings.folders = {str(k): str(v) for k, v in folders.items() if v}
        api: dict[str, Any] = raw["api"] if isinstance(raw.get("api"), dict) else {}
        settings.api_enabled = bool(api.get("enabled", False))
        port = api.get("port", DEFAULT_PORT)
        settings.api_port = port if isinstance(port, int) and 0 <= port < 65536 else DEFAULT_PORT
        settings.api_bind = str(api.get("bind") or DEFAULT_BIND)
        settings.api_allow_remote = bool(api.get("allow_remote", False))
        layout = raw.get("pdf_layout")
        settings.pdf_layout = layout if layout in LAYOUTS else "a4"
        return settings

    def to_json(self) -> dict[str, Any]:
        return {
            "folders": dict(self.folders),
            "api": {"enabled": self.api_enabled, "port": self.api_port, "bind": self.api_bind,
                    "allow_remote": self.api_allow_remote},
            "pdf_layout": self.pdf_layout,
        }

    def save(self) -> None:
        write_json_atomic(self.path, self.to_json())


def write_bytes_atomic(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write `path` so that a reader sees the old file or the whole new one, never a
    part: a temporary file in the same folder, flushed to disk, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            restrict(Path(tmp), mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, payload: Any) -> None:
    text = json.dumps(payload, ensure_ascii=False, indent=1, default=str) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def load_or_create_token(path: Path) -> str:
    """The API token in `path`, made (and written readable by the user only) when the
    file does not exist or is empty."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        token = ""
    if token:
        return token
    return new_token(path)


def new_token(path: Path) -> str:
    """A fresh random token (256 bits) replacing the one in `path`."""
    token = secrets.token_urlsafe(32)
    write_bytes_atomic(path, (token + "\n").encode("ascii"), mode=0o600)
    return token


__all__ = ["GatewaySettings", "gateway_dir", "load_or_create_token", "new_token",
           "slug", "write_bytes_atomic", "write_json_atomic"]
