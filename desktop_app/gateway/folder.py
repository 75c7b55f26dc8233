"""The watched folder: a POS drops a file, Lote queues its sales.

Protocol (docs/gateway.md):

1. The POS writes the file under a temporary name — ``*.tmp``, ``*.part``, or starting
   with ``.`` or ``~``, all ignored — and renames it to ``*.json``, ``*.csv`` or
   ``*.xlsx`` when it is complete (a rename within one folder is atomic). As a second
   guard a file is only taken once its size and modification time did not change
   between two looks (half a second apart).
2. Lote claims it by renaming it into ``procesando/`` (atomic: only one claimer wins).
3. It is read, validated and queued in one transaction, all or nothing
   (`intake.Intake.submit`), and moved to ``procesados/``; or, with every problem
   listed in ``<name>.errors.json`` beside it, to ``errores/``. Names already taken in
   those folders get a time suffix: nothing is overwritten.
4. A file whose content (SHA-256) was accepted before is moved to ``procesados/`` and
   nothing is queued again.
5. At start-up, files left in ``procesando/`` (a crash) are processed again; the content
   hash and the external ids make that idempotent: nothing is lost, nothing doubles.

Results appear in ``resultados/`` (`results.py`).

Polling every half second rather than inotify/FSEvents/ReadDirectoryChangesW: the same
code on Windows, macOS and Linux, on network shares (where change notifications are
unreliable or absent) and with no extra dependency (watchdog); a listing of a small
folder twice a second costs nothing. One watcher per folder: a lock file
(``procesando/.lote.lock``, the operating system's, freed if the process dies) keeps a
second process (the window and ``lote watch``) from claiming files at the same time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.gateway.intake import Accepted, GatewayError, Intake, json_items, sheet_items
from desktop_app.gateway.settings import write_json_atomic
from desktop_app.instance_lock import SenderLock

log = logging.getLogger(__name__)

INBOX_SUFFIXES = (".json", ".csv", ".xlsx")
PROCESSING, PROCESSED, ERRORS, RESULTS = "procesando", "procesados", "errores", "resultados"
LOCK_FILE = ".lote.lock"
#: Seconds before a file that failed for an unexpected reason (a locked database) is
#: tried again, and how many tries before it goes to errores/ with the reason.
RETRY_AFTER = 5.0
MAX_TRIES = 5


def ignored(name: str) -> bool:
    """Names a POS uses while it is still writing a file."""
    lower = name.lower()
    return name.startswith((".", "~")) or lower.endswith((".tmp", ".part"))


@dataclass
class FileOutcome:
    name: str
    status: str  # "accepted", "duplicate", "refused"
    moved_to: Path
    documents: list[Accepted] = field(default_factory=list)
    errors: list[GatewayError] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [d.id for d in self.documents]


class FolderBusy(RuntimeError):
    """Another process watches this folder."""


class FolderWatcher:
    def __init__(self, intake: Intake, profile_id: int, folder: Path, *, settle: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.intake = intake
        self.profile_id = profile_id
        self.folder = Path(folder)
        self.settle = settle
        self._clock = clock
        self._sizes: dict[str, tuple[int, int]] = {}
        self._retry: dict[str, float] = {}
        self._tries: dict[str, int] = {}
        self._lock: SenderLock | None = None

    def path(self, sub: str) -> Path:
        return self.folder / sub

    def start(self) -> list[FileOutcome]:
        """Create the folders, take the folder's lock and process what a crash left in
        ``procesando/``. Raises `FolderBusy` when another process watches it."""
        for sub in (PROCESSING, PROCESSED, ERRORS, RESULTS):
            self.path(sub).mkdir(parents=True, exist_ok=True)
        lock = SenderLock(self.path(PROCESSING))
        lock.path = self.path(PROCESSING) / LOCK_FILE
        if not lock.acquire():
            raise FolderBusy(f"la carpeta {self.folder} ya la vigila otro proceso "
                             f"(PID {lock.owner_pid() or '?'})")
        self._lock = lock
        return self._process_leftovers(force=True)

    def stop(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def scan_once(self) -> list[FileOutcome]:
        """One look at the folder: claim and process every complete file."""
        outcomes = self._process_leftovers(force=False)
        try:
            entries = sorted(os.scandir(self.folder), key=lambda e: e.name)
        except FileNotFoundError:
            return outcomes
        present: set[str] = set()
        for entry in entries:
            if ignored(entry.name) or not entry.is_file():
                continue
            present.add(entry.name)
            if self.settle:
                st = entry.stat()
                signature = (st.st_size, st.st_mtime_ns)
                if self._sizes.get(entry.name) != signature:
                    self._sizes[entry.name] = signature  # look again next time
                    continue
            claimed = self._claim(entry.name)
            if claimed is not None:
                outcomes.append(self._process(claimed, entry.name))
        for gone in set(self._sizes) - present:
            del self._sizes[gone]
        return outcomes

    # -- steps ---------------------------------------------------------------------------
    def _claim(self, name: str) -> Path | None:
        target = _free_path(self.path(PROCESSING), name)
        try:
            os.rename(self.folder / name, target)
        except FileNotFoundError:
            return None  # someone else took it
        except PermissionError:
            return None  # still open by the POS (Windows): next time
        self._sizes.pop(name, None)
        return target

    def _process_leftovers(self, *, force: bool) -> list[FileOutcome]:
        out: list[FileOutcome] = []
        now = self._clock()
        for path in sorted(self.path(PROCESSING).glob("*")):
            if path.name == LOCK_FILE or ignored(path.name) or not path.is_file():
                continue
            if not force and self._retry.get(path.name, now + 1) > now:
                continue
            out.append(self._process(path, path.name))
        return out

    def _process(self, claimed: Path, name: str) -> FileOutcome:
        try:
            outcome = self._check_and_queue(claimed, name)
        except Exception as exc:
            # Most likely not the file's fault (the database was locked, the disk is
            # full): it stays in procesando/ and is tried again, a few times.
            tries = self._tries.get(claimed.name, 0) + 1
            log.exception("could not process %s (try %d)", claimed.name, tries)
            if tries < MAX_TRIES:
                self._tries[claimed.name] = tries
                self._retry[claimed.name] = self._clock() + RETRY_AFTER
                return FileOutcome(name, "retry", claimed)
            outcome = self._refuse(claimed, name, "", [GatewayError(
                f"Error interno de Lote al procesar el archivo ({exc}); nada se guardó. "
                "Vuelva a dejarlo en la carpeta o consulte el registro de Lote.")])
        self._retry.pop(claimed.name, None)
        self._tries.pop(claimed.name, None)
        return outcome

    def _check_and_queue(self, claimed: Path, name: str) -> FileOutcome:
        data = claimed.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        seen = self.intake.ledger.file_seen(self.profile_id, digest)
        if seen is not None:
            return self._duplicate(claimed, name, seen)
        suffix = claimed.suffix.lower()
        country = self.intake.profile(self.profile_id).country
        if suffix == ".json":
            try:
                parsed = json.loads(data.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError) as exc:
                return self._refuse(claimed, name, digest,
                                    [GatewayError(f"El archivo no es JSON válido: {exc}.")])
            items, errors = json_items(parsed)
        elif suffix in (".csv", ".xlsx"):
            items, errors = sheet_items(claimed, country)
        else:
            items, errors = [], [GatewayError(
                f"Formato no admitido «{suffix or name}»: deje archivos .json, .csv o .xlsx.")]
        if errors:
            return self._refuse(claimed, name, digest, errors)
        outcome = self.intake.submit(self.profile_id, items, source="folder", file_hash=digest,
                                     file_name=name, results_dir=self.path(RESULTS))
        if outcome.duplicate_file is not None:
            return self._duplicate(claimed, name, outcome.duplicate_file)
        if not outcome.ok:
            return self._refuse(claimed, name, digest, outcome.errors)
        moved = _move(claimed, self.path(PROCESSED), name)
        log.info("%s: %d document(s) queued, %d already known", name, outcome.created,
                 len(outcome.documents) - outcome.created)
        return FileOutcome(name, "accepted", moved, outcome.documents)

    def _duplicate(self, claimed: Path, name: str, seen: tuple[str, str]) -> FileOutcome:
        log.info("%s: same content as %s (accepted %s); nothing queued again", name, *seen)
        return FileOutcome(name, "duplicate", _move(claimed, self.path(PROCESSED), name))

    def _refuse(self, claimed: Path, name: str, digest: str,
                errors: list[GatewayError]) -> FileOutcome:
        target = _free_path(self.path(ERRORS), name)
        write_json_atomic(target.with_name(target.name + ".errors.json"), {
            "file": name,
            "sha256": digest,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "message": f"No se guardó nada: {len(errors)} problema(s). Corrija el archivo y "
                       "déjelo de nuevo en la carpeta.",
            "errors": [e.to_json() for e in errors],
        })
        os.replace(claimed, target)
        log.info("%s: refused with %d problem(s)", name, len(errors))
        return FileOutcome(name, "refused", target, errors=errors)


def _free_path(folder: Path, name: str) -> Path:
    """`folder/name`, or with a time suffix when that name is taken."""
    target = folder / name
    if not target.exists() and not target.with_name(name + ".errors.json").exists():
        return target
    stem, suffix = os.path.splitext(name)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    for n in range(1000):
        candidate = folder / f"{stem}.{stamp}{f'-{n}' if n else ''}{suffix}"
        if not candidate.exists():
            return candidate
    raise FileExistsError(target)


def _move(source: Path, folder: Path, name: str) -> Path:
    target = _free_path(folder, name)
    os.replace(source, target)
    return target
