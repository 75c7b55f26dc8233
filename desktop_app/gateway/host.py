"""Running the gateway: watched folders, the API, the sender and the result writer.

`GatewayHost` is what ``lote watch`` and ``lote api`` run, and what the window can run:

- the **sender** (a `SyncEngine`, only in the process that holds the data folder's sender
  lock) steps in its own thread, woken at once when documents come in; the ids it
  changed are handed to the loop;
- the **loop** (`run`, or `tick` by tick) polls the watched folders every half second,
  writes result files for changed documents, sweeps for any result still missing every
  few seconds (documents another process sent), and runs the calls that must happen on
  the Qt main thread (`MainThreadCalls`: printing PDFs);
- the **API server** answers in its own threads.

The host's `calls` belong to the thread that created it. ``lote watch``/``lote api``
create and run the host on their main thread. The window creates it on the GUI thread
with ``engine=None``, runs `watch`/`serve_api`/`start`/`run` in a worker thread (folder
intake writes to the database, which the GUI thread must not do for long), pumps
`calls` from a QTimer, and passes the ids its own sync worker changed to
`notify_changed`. To stop it there: set the stop event, keep pumping `calls` until the
worker thread ends (it may be waiting for a PDF), then `close`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from desktop_app.gateway.api import GatewayApi
from desktop_app.gateway.folder import FolderWatcher
from desktop_app.gateway.intake import Intake
from desktop_app.gateway.ledger import Ledger
from desktop_app.gateway.mainthread import MainThreadCalls
from desktop_app.gateway.results import GatewayResults
from desktop_app.gateway.server import ApiServer
from desktop_app.gateway.settings import GatewaySettings, gateway_dir
from desktop_app.store.db import Database
from desktop_app.store.models import ProviderProfile
from desktop_app.sync.engine import SyncEngine

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.5
SWEEP_INTERVAL = 5.0


class GatewayHost:
    def __init__(
        self,
        db: Database,
        settings: GatewaySettings,
        *,
        engine: SyncEngine | None = None,
        pdf_renderer: Callable[[int], Path] | None = None,
        poll_interval: float = POLL_INTERVAL,
        sweep_interval: float = SWEEP_INTERVAL,
        settle: bool = True,
        on_intake: Callable[[list[int]], None] | None = None,
        is_sender: Callable[[], bool] | None = None,
    ) -> None:
        """`engine`: the sender this host runs in its own thread (this process holds the
        sender lock); None: someone else sends — the window's own workers, which pass
        their changes to `notify_changed`, or another process, whose changes the sweep
        finds. `pdf_renderer` runs on the thread that creates the host (see the module
        doc). `on_intake(ids)` is told, from the loop's or a server thread, of documents
        taken in (the window refreshes its table and wakes its sender). `is_sender`
        answers the health check's ``sender`` (default: whether `engine` is given)."""
        self.db = db
        self.settings = settings
        self.engine = engine
        self.calls = MainThreadCalls()
        self.ledger = Ledger(settings.ledger_path)
        self.intake = Intake(db, self.ledger)
        self._renderer = self.calls.proxy(pdf_renderer) if pdf_renderer is not None else None
        self.results = GatewayResults(db, self.ledger, self._results_dir,
                                      pdf_renderer=self._renderer)
        self.poll_interval = poll_interval
        self.sweep_interval = sweep_interval
        self.settle = settle
        self.on_intake = on_intake
        self.is_sender = is_sender or (lambda: self.engine is not None)
        self.watchers: list[FolderWatcher] = []
        self.servers: list[ApiServer] = []
        self._changed: queue.Queue[set[int]] = queue.Queue()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._sender: threading.Thread | None = None
        self._next_scan = 0.0
        self._next_sweep = 0.0

    # -- set-up ---------------------------------------------------------------------------
    def _results_dir(self, profile_name: str) -> Path:
        return self.settings.results_dir_for(profile_name)

    def watch(self, profile: ProviderProfile, folder: Path | None = None) -> FolderWatcher:
        """Watch `folder` (default: the profile's folder in the settings) for `profile`.
        Raises `folder.FolderBusy` when another process watches it."""
        assert profile.id is not None
        chosen = Path(folder) if folder is not None else self.settings.folder_for(profile.name)
        watcher = FolderWatcher(self.intake, profile.id, chosen, settle=self.settle)
        for outcome in watcher.start():
            self._taken_in(outcome.ids)
        self.watchers.append(watcher)
        return watcher

    def serve_api(self, profile: ProviderProfile, *, token: str, host: str = "127.0.0.1",
                  port: int = 0, allow_remote: bool = False) -> ApiServer:
        """Start the API for `profile` (documents posted without ``?profile=``).
        Raises `server.RemoteBindRefused` for a non-loopback `host` without
        `allow_remote`, OSError when the port is taken."""
        assert profile.id is not None
        api = GatewayApi(self.db, self.intake, profile_id=profile.id,
                         pdf_renderer=self._renderer, on_intake=self._taken_in,
                         is_sender=self.is_sender,
                         temp_dir=gateway_dir(self.settings.data_dir))
        server = ApiServer(api, token=token, host=host, port=port,
                           allow_remote=allow_remote).start()
        self.servers.append(server)
        return server

    def start(self) -> None:
        """Recover what a crash may have left, write every missing result, start the
        sender thread."""
        recovered = self.intake.recover_lost_intake()
        if recovered:
            log.info("gateway: %d document(s) re-registered after an interruption", recovered)
        self.results.sweep(all_open=True)
        if self.engine is not None and self._sender is None:
            self._sender = threading.Thread(target=self._send_loop, name="lote-gateway-sync",
                                            daemon=True)
            self._sender.start()

    # -- running --------------------------------------------------------------------------
    def notify_changed(self, ids: Iterable[int]) -> None:
        """Documents that changed or came in (any thread): results are checked in the
        loop, and the sender wakes up."""
        found = set(ids)
        if found:
            self._changed.put(found)
        self._wake.set()

    def _taken_in(self, ids: list[int]) -> None:
        if not ids:
            return
        self.notify_changed(ids)
        if self.on_intake is not None:
            try:
                self.on_intake(list(ids))
            except Exception:
                log.exception("gateway: on_intake failed")

    def tick(self, wait: float = 0.0) -> None:
        """One turn of the loop: main-thread calls (waiting up to `wait` s for one),
        the folders when due, the results of changed documents, the sweep when due."""
        self.calls.pump(wait)
        now = time.monotonic()
        if now >= self._next_scan:
            self._next_scan = now + self.poll_interval
            for watcher in self.watchers:
                try:
                    for outcome in watcher.scan_once():
                        self._taken_in(outcome.ids)
                except Exception:
                    log.exception("gateway: scanning %s failed", watcher.folder)
        changed: set[int] = set()
        while True:
            try:
                changed |= self._changed.get_nowait()
            except queue.Empty:
                break
        try:
            if changed:
                self.results.on_changed(changed)
            if now >= self._next_sweep:
                self._next_sweep = now + self.sweep_interval
                self.results.sweep()
        except Exception:
            log.exception("gateway: writing results failed")

    def run(self, stop: threading.Event | None = None) -> None:
        """Loop until `stop` is set (or `close`)."""
        stop = stop or self._stop
        while not stop.is_set() and not self._stop.is_set():
            self.tick(wait=self.poll_interval / 2)

    def _send_loop(self) -> None:
        assert self.engine is not None
        while not self._stop.is_set():
            self._wake.clear()
            try:
                report = self.engine.step()
                if report.changed:
                    self._changed.put(set(report.changed))
                wait = self.engine.seconds_until_due()
            except Exception:
                log.exception("gateway: sync step failed")
                wait = 5.0
            if wait > 0:
                self._wake.wait(min(wait, 1.0))

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        for server in self.servers:
            server.stop()
        self.servers.clear()
        if self._sender is not None:
            self._sender.join(timeout=60)
            self._sender = None
        for watcher in self.watchers:
            watcher.stop()
        self.watchers.clear()
        self.ledger.close()
