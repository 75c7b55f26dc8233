""" "Copiar diagnóstico": everything support asks first, as plain text, without secrets.

Version (and whether this is the packaged build), Python, Qt, operating system, data
folder, database (URL without password, schema revision against the newest one, size,
backups), log file, keyring, profiles (provider, URL, emisor, connectivity — whether a
key is stored, never the key), documents per state, and the last 200 log lines.

The whole text passes `logs.redact`, with the API keys of the listed profiles added to
the secrets it masks: a key that reached a log line or an error message by accident is
still not copied. Every section is gathered on its own: a broken one says why and the
rest is still there (a support request is when things are broken).
"""

from __future__ import annotations

import locale
import os
import platform
import sqlite3
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop_app import __version__, logs, paths

LOG_LINES = 200


def _build() -> str:
    if getattr(sys, "frozen", False):
        return f"empaquetado ({Path(sys.executable).parent})"
    return f"desde el código ({Path(__file__).resolve().parent})"


def _operating_system() -> str:
    text = platform.platform()
    if sys.platform.startswith("linux"):
        try:
            text += f"; {platform.freedesktop_os_release().get('PRETTY_NAME', '')}"
        except OSError:
            pass
    elif sys.platform == "win32":
        release, build, _sp, _type = platform.win32_ver()
        text += f"; Windows {release} (compilación {build})"
    return text


def _qt() -> str:
    from PySide6 import __version__ as pyside
    from PySide6.QtCore import QCoreApplication, qVersion

    text = f"Qt {qVersion()}, PySide6 {pyside}"
    app = QCoreApplication.instance()
    if app is not None and hasattr(app, "platformName"):
        text += f", plataforma {app.platformName()}"
    return text


def _locale() -> str:
    lang = locale.getlocale()[0] or os.environ.get("LANG", "")
    return f"{lang}, zona horaria {datetime.now().astimezone().tzname()}"


def _keyring() -> str:
    import keyring

    from desktop_app.credentials import keyring_available

    kind = type(keyring.get_keyring())
    backend = f"{kind.__module__}.{kind.__name__}"
    return f"{'disponible' if keyring_available() else 'NO disponible'} ({backend})"


def _sqlite_revision(path: Path) -> str | None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    return row[0] if row else None


def _head_revision() -> str | None:
    """Read from the migration scripts (no Alembic import); Alembic decides only when
    the scripts cannot be read plainly."""
    from desktop_app.store.db import script_head_revision

    head = script_head_revision()
    if head is not None:
        return head
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    from desktop_app.store.db import alembic_config

    return ScriptDirectory.from_config(
        alembic_config(create_engine("sqlite://"))
    ).get_current_head()


def _size(path: Path) -> str:
    """The file and its write-ahead log (in WAL mode recent writes live in -wal)."""

    def human(size: float) -> str:
        return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} KB"

    wal = Path(f"{path}-wal")
    text = human(path.stat().st_size)
    if wal.exists() and wal.stat().st_size:
        text += f" (+ {human(wal.stat().st_size)} en {wal.name})"
    return text


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class _Target:
    """What `collect` was given: a Runtime, or a data folder (None: the default one)."""

    def __init__(self, runtime_or_paths: Any) -> None:
        self.runtime = runtime_or_paths if hasattr(runtime_or_paths, "db") else None
        if self.runtime is not None:
            self.data_dir = Path(self.runtime.data_dir)
            self.db_url = self.runtime.db.url
        else:
            chosen = runtime_or_paths
            self.data_dir = Path(chosen) if chosen is not None else Path(paths.data_dir())
            self.db_url = paths.sqlite_url(self.data_dir)


def _database(t: _Target) -> list[str]:
    lines = [f"Base de datos: {_safe_url(t.db_url)}"]
    head = _head_revision()
    if t.runtime is not None:
        current = t.runtime.db.current_revision()
        path = t.runtime.db.path
    else:
        path = Path(t.db_url.removeprefix("sqlite:///"))
        current = _sqlite_revision(path) if path.exists() else None
        if not path.exists():
            lines.append("  (el archivo todavía no existe)")
    state = "al día" if current == head else "se actualizará al abrir"
    lines.append(f"Esquema: {current or '-'} (el más nuevo: {head}; {state})")
    if path is not None and path.exists():
        lines.append(f"Tamaño: {_size(path)}")
    backups_dir = t.data_dir / "backups"
    backups = sorted(backups_dir.glob("lote-*.sqlite3")) if backups_dir.is_dir() else []
    if backups:
        newest = backups[-1]
        when = datetime.fromtimestamp(newest.stat().st_mtime).isoformat(sep=" ", timespec="minutes")
        lines.append(f"Copias de seguridad: {len(backups)}; la más reciente {newest.name} ({when})")
    else:
        lines.append("Copias de seguridad: ninguna")
    return lines


def _profiles_and_documents(t: _Target) -> tuple[list[str], set[str]]:
    """Profile lines, document counts, and the profiles' API keys (to mask them)."""
    if t.runtime is None:
        return ["Perfiles: (se listan con Lote abierto)"], set()
    from sqlalchemy import func
    from sqlmodel import select

    from desktop_app.credentials import api_key_for
    from desktop_app.store.models import Document
    from desktop_app.store.profiles import list_profiles

    secrets: set[str] = set()
    lines = ["Perfiles:"]
    for p in list_profiles(t.runtime.db):
        key = None
        try:
            key = api_key_for(p)
        except Exception:  # a keyring error must not stop the report
            key = None
        if key and not p.is_demo:
            secrets.add(key)
            logs.remember_secret(key)
        flags = [
            f for f, on in (("predeterminado", p.is_default), ("demostración", p.is_demo)) if on
        ]
        online = {True: "sí", False: "no", None: "sin datos"}[p.online]
        lines.append(
            f"  {p.name}: {p.provider} ({p.country}) {p.base_url}"
            f"{f' tenant {p.tenant}' if p.tenant else ''}; emisor {p.emisor_ruc or '-'}; "
            f"punto {p.establecimiento}-{p.punto}; clave API {_key_state(p.is_demo, key)}; "
            f"en línea {online}; fallos {p.failures}"
            f"{'; ' + ', '.join(flags) if flags else ''}"
            f"{f'; último error: {p.last_error}' if p.last_error else ''}"
        )
    with t.runtime.db.session() as s:
        counts = s.exec(select(Document.state, func.count()).group_by(Document.state)).all()
    summary = ", ".join(f"{state} {n}" for state, n in sorted(counts)) or "ninguno"
    lines.append(f"Documentos por estado: {summary}")
    return lines, secrets


def _key_state(is_demo: bool, key: str | None) -> str:
    if is_demo:
        return "la pública del simulador"
    return "guardada" if key else "FALTA"


def _section(out: list[str], title: str, gather: Callable[[], Any]) -> Any:
    try:
        value = gather()
    except Exception as exc:  # the report must always come out
        out.append(f"{title}: (no disponible: {type(exc).__name__}: {exc})")
        return None
    if isinstance(value, str):
        out.append(f"{title}: {value}")
    return value


def collect(runtime_or_paths: Any = None, *, log_lines: int = LOG_LINES) -> str:
    """The diagnostic text for a Runtime (the GUI's), or for a data folder (a path, or
    None for the default one) when Lote could not open its database."""
    out = [
        f"Lote — diagnóstico del {datetime.now().astimezone().isoformat(sep=' ', timespec='seconds')}"
    ]
    _section(out, "Versión", lambda: f"{__version__}, {_build()}")
    _section(
        out,
        "Python",
        lambda: (
            f"{platform.python_version()} ({platform.python_implementation()}) {sys.executable}"
        ),
    )
    _section(out, "Qt", _qt)
    _section(out, "Sistema", _operating_system)
    _section(out, "Idioma", _locale)
    target = _section(out, "Carpeta de datos", lambda: _Target(runtime_or_paths))
    if target is not None:
        out.append(f"Carpeta de datos: {target.data_dir}")
        if target.runtime is not None:
            out.append(f"Modo demostración: {'sí' if target.runtime.demo else 'no'}")
        db_lines = _section(out, "Base de datos", lambda: _database(target))
        out.extend(db_lines or [])
    _section(out, "Registro", lambda: str(logs.log_file()))
    _section(out, "Llavero del sistema", _keyring)
    secrets: set[str] = set()
    if target is not None:
        found = _section(out, "Perfiles", lambda: _profiles_and_documents(target))
        if found:
            lines, secrets = found
            out.extend(lines)
    tail = _section(out, "Registro reciente", lambda: logs.tail(log_lines))
    if tail is not None:
        out.append(f"Últimas {len(tail)} líneas del registro:")
        out.extend(f"  {line}" for line in tail)
    return logs.redact("\n".join(out), extra_secrets=secrets) + "\n"
