"""Where Lote writes its log, and what it never writes there.

One rotating file (1 MB × 5) in the per-user log folder (platformdirs:
``~/.local/state/Lote/log`` on Linux, ``%LOCALAPPDATA%\\Lote\\Logs`` on Windows), or in
``LOTE_LOG_DIR``. A data folder chosen with ``--data-dir`` / ``LOTE_DATA_DIR`` keeps its
own log in ``<data folder>/logs``: a second shop on the same account, or a test, does
not mix its lines into the user's log. Warnings (everything from INFO with
``--verbose``) also go to stderr, when there is one (a windowed Windows build has none).

Every line passes `redact` first (DESIGN rule 4: no secret in a log line): API keys the
process knows, bearer tokens, and the values of ``apikey``/``apitoken``/``usertoken``/
``token``/``x-api-key``/``authorization``/``password`` in any message or traceback,
whatever the quoting (headers, JSON, query strings, Python reprs), and passwords in
database URLs. The same function cleans the log tail that "Copiar diagnóstico" gathers.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import re
import sys
import threading
from collections import deque
from pathlib import Path

import platformdirs

from desktop_app import paths

LOG_DIR_ENV = "LOTE_LOG_DIR"
LOG_FILENAME = "lote.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "***"
#: Shorter remembered secrets are not replaced wherever they occur: "0000" would spoil
#: every number in the log (the key=value patterns still hide them).
MIN_SECRET_LENGTH = 6

_KEYS = (
    r"x[-_]?api[-_]?key|api[-_]?key|api[-_]?token|user[-_]?token|access[-_]?token"
    r"|refresh[-_]?token|auth[-_]?token|token|authorization|proxy[-_]authorization"
    r"|password|passwd|contrase(?:ñ|n)a|secret|client[-_]?secret|clave(?:[-_]?api)?"
)
#: key, separator, value: `Authorization: Bearer x`, `"apikey": "x"`, `'token': 'x'`,
#: `?apitoken=x&`, `usertoken=x`. A quoted value is masked whole, spaces included.
_KEY_VALUE = re.compile(
    rf"""(?P<key>(?<![\w-])["']?(?:{_KEYS})["']?)(?P<sep>\s*[:=]\s*)"""
    r"""(?P<value>"[^"]*"|'[^']*'|(?:(?:bearer|basic|token|digest)\s+)?[^\s"',;&}\])]+)""",
    re.IGNORECASE,
)
_SCHEME_TOKEN = re.compile(
    r"\b(?P<scheme>bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/=-]{4,})", re.IGNORECASE
)
#: scheme://user:password@host
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)(?P<value>[^@\s/]+)(?=@)", re.IGNORECASE
)

_known_secrets: set[str] = set()
_lock = threading.Lock()
_log_file: Path | None = None


def remember_secret(value: str | None) -> None:
    """Mask `value` wherever it appears in a log line from now on. A JSON object (the
    TusFacturas credentials) also has each of its string values remembered."""
    if not value:
        return
    with _lock:
        _add_secret(value)
        try:
            parsed = json.loads(value)
        except (TypeError, ValueError):
            return
        if isinstance(parsed, dict):
            for part in parsed.values():
                if isinstance(part, str):
                    _add_secret(part)


def _add_secret(value: str) -> None:
    if len(value) >= MIN_SECRET_LENGTH:
        _known_secrets.add(value)


def forget_secrets() -> None:
    with _lock:
        _known_secrets.clear()


def _secrets_in_memory() -> set[str]:
    """API keys this process holds: remembered ones plus those `credentials` keeps for
    the session or has decrypted from the key file. The keyring is not asked (a log
    line must not wait on D-Bus); `diagnostics` asks it for the profiles it lists."""
    found = set(_known_secrets)
    try:
        from desktop_app import credentials
    except Exception:  # pragma: no cover - credentials imports keyring; never fatal here
        return found
    found.update(v for v in getattr(credentials, "_session_keys", {}).values() if v)
    key_file = getattr(credentials, "_key_file", None)
    cache = getattr(key_file, "_cache", None) if key_file is not None else None
    if cache:
        found.update(v for v in cache.values() if v)
    return {s for s in found if isinstance(s, str) and len(s) >= MIN_SECRET_LENGTH}


def _mask_value(match: re.Match[str]) -> str:
    value = match.group("value")
    if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) >= 2:
        masked = f"{value[0]}{MASK}{value[0]}"
    else:
        masked = MASK
    return f"{match.group('key')}{match.group('sep')}{masked}"


def redact(text: str, extra_secrets: set[str] | frozenset[str] = frozenset()) -> str:
    """`text` with every secret Lote can recognise replaced by ***."""
    if not text:
        return text
    secrets = _secrets_in_memory() | {s for s in extra_secrets if len(s) >= MIN_SECRET_LENGTH}
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _KEY_VALUE.sub(_mask_value, text)
    text = _SCHEME_TOKEN.sub(lambda m: f"{m.group('scheme')} {MASK}", text)
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}{MASK}", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (arguments merged) without its secrets, so every
    handler it is attached to — and whatever formats the record later — sees it clean."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    """The last line of defence: the formatted line is redacted again."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def default_log_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """``LOTE_LOG_DIR``; else ``logs`` in a data folder given explicitly (argument or
    ``LOTE_DATA_DIR``); else the per-user log folder."""
    if os.environ.get(LOG_DIR_ENV):
        return Path(os.environ[LOG_DIR_ENV])
    chosen = data_dir or os.environ.get("LOTE_DATA_DIR")
    if chosen:
        return Path(chosen) / "logs"
    return Path(platformdirs.user_log_dir(paths.APP_NAME, appauthor=False))


def log_file() -> Path:
    """The file this process logs to (or would, before `setup_logging`)."""
    return _log_file or default_log_dir() / LOG_FILENAME


def _ours(handler: logging.Handler) -> bool:
    return bool(getattr(handler, "_lote_handler", False))


def setup_logging(
    verbose: bool = False, data_dir: str | os.PathLike[str] | None = None
) -> Path | None:
    """Configure the root logger once per process (calling again replaces Lote's own
    handlers, nothing else). Returns the log file, or None when it cannot be written —
    a read-only or full disk must not keep the counter from selling."""
    global _log_file
    root = logging.getLogger()
    for handler in [h for h in root.handlers if _ours(h)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.INFO)
    redacting = RedactingFilter()
    formatter = RedactingFormatter(FORMAT)

    target: Path | None = default_log_dir(data_dir) / LOG_FILENAME
    assert target is not None
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        paths.restrict(target.parent, 0o700)
        if not target.exists():
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))
        file_handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as exc:
        file_handler = None
        failure = f"{target}: {exc}"
        target = None
    if file_handler is not None:
        file_handler.setLevel(logging.INFO)
        file_handler.addFilter(redacting)
        file_handler.setFormatter(formatter)
        file_handler._lote_handler = True  # type: ignore[attr-defined]
        root.addHandler(file_handler)

    if sys.stderr is not None:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.INFO if verbose else logging.WARNING)
        console.addFilter(redacting)
        console.setFormatter(formatter)
        console._lote_handler = True  # type: ignore[attr-defined]
        root.addHandler(console)

    # One INFO line per Alembic plugin at every start says nothing to support.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    _log_file = target
    _install_excepthook()
    if target is None:
        logging.getLogger(__name__).warning("cannot write the log file %s", failure)
    return target


def _install_excepthook() -> None:
    """Unexpected exceptions reach the log (with context) before the default hook."""
    previous = sys.excepthook
    if getattr(previous, "_lote_hook", False):
        return

    def hook(kind, value, tb) -> None:
        if not issubclass(kind, KeyboardInterrupt):
            logging.getLogger("desktop_app").critical(
                "unexpected error", exc_info=(kind, value, tb)
            )
        previous(kind, value, tb)

    hook._lote_hook = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def tail(lines: int = 200, path: Path | None = None) -> list[str]:
    """The last `lines` lines of the log (reaching into the rotated file when the
    current one is shorter), redacted."""
    path = path or log_file()
    found: deque[str] = deque(maxlen=lines)
    for candidate in (path.with_name(path.name + ".1"), path):
        try:
            with candidate.open(encoding="utf-8", errors="replace") as f:
                for line in f:
                    found.append(line.rstrip("\n"))
        except OSError:
            continue
    return [redact(line) for line in found]
