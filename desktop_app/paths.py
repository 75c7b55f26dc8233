"""Where Lote keeps its files: one data folder per user (platformdirs), or the one
given by `--data-dir` / `LOTE_DATA_DIR`."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Lote"
DB_FILENAME = "lote.sqlite3"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    chosen = explicit or os.environ.get("LOTE_DATA_DIR")
    path = Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    restrict(path, 0o700)
    return path


def restrict(path: Path, mode: int) -> None:
    """Readable by the user only (POSIX); Windows keeps the profile folder's ACLs."""
    if os.name == "posix":
        try:
            os.chmod(path, mode)
        except OSError:
            pass


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / DB_FILENAME}"


def backups_dir(folder: Path) -> Path:
    path = folder / "backups"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    restrict(path, 0o700)
    return path
