"""The worker threads on their own, with fake engines: they call the engine only when
something is due, report plain data through the GUI-thread relay, survive a bug in a
step, and stop cleanly."""

from __future__ import annotations

import threading

from desktop_app.gui.workers import SyncWorkers
from desktop_app.sync.engine import SyncReport


class FakeEngine:
    def __init__(self, *, pending: int = 1, due_in: float = 0.0) -> None:
        self.pending = pending
        self.due_in = due_in
        self.calls: list[str] = []
        self.threads: set[str] = set()
        self.fail_next = False
        self.woken = 0

    def _note(self, name: str) -> None:
        self.calls.append(name)
        self.threads.add(threading.current_thread().name)

    def pending_count(self) -> int:
        return self.pending

    def seconds_until_due(self) -> float:
        return self.due_in

    def wake(self) -> None:
        self.woken += 1
        self.due_in = 0.0

    def probe_once(self) -> SyncReport:
        self._note("probe")
        return SyncReport(online={1: True}, requests=1)

    def reconcile_once(self) -> SyncReport:
        self._note("reconcile")
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("a bug")
        return SyncReport()

    def send_once(self) -> SyncReport:
        self._note("send")
        self.pending = 0
        return SyncReport(changed={2**40}, online={1: True}, requests=1)

    def poll_once(self) -> SyncReport:
        self._note("poll")
        return SyncReport()


def collect(workers: SyncWorkers) -> dict[str, list]:
    seen: dict[str, list] = {"changed": [], "connectivity": [], "failed": []}
    workers.changed.connect(seen["changed"].append)
    workers.connectivity.connect(seen["connectivity"].append)
    workers.failed.connect(seen["failed"].append)
    return seen


def test_sender_reports_plain_data_on_the_gui_thread_and_stops_cleanly(qtbot):
    sender, poller = FakeEngine(), FakeEngine(pending=0)
    workers = SyncWorkers(sender, poller, tick_ms=20)
    seen = collect(workers)
    workers.start()
    try:
        qtbot.waitUntil(lambda: seen["changed"] == [{2**40}], timeout=3000)  # > 32 bits
        assert seen["connectivity"][0] == {1: True}  # the start-up probe
        assert sender.calls[:3] == ["probe", "reconcile", "send"]
        assert threading.main_thread().name not in sender.threads
        assert poller.calls == []  # nothing pending: the poller stays idle
    finally:
        workers.stop()
    assert not any(t.isRunning() for t in workers._threads)


def test_nothing_due_means_the_engine_is_not_stepped_until_woken(qtbot):
    sender = FakeEngine(due_in=60.0)
    workers = SyncWorkers(sender, FakeEngine(pending=0), tick_ms=20)
    workers.start()
    try:
        qtbot.wait(200)
        assert sender.calls == ["probe"]  # one cheap probe at start-up, then nothing
        workers.wake()
        qtbot.waitUntil(lambda: "send" in sender.calls, timeout=3000)
        assert sender.woken == 1
    finally:
        workers.stop()


def test_an_unexpected_error_in_a_step_is_one_calm_sentence_and_the_thread_goes_on(qtbot):
    sender = FakeEngine()
    sender.fail_next = True
    workers = SyncWorkers(sender, FakeEngine(pending=0), tick_ms=20)
    workers.sender.error_pause_s = 0.1
    seen = collect(workers)
    workers.start()
    try:
        qtbot.waitUntil(lambda: bool(seen["changed"]), timeout=3000)
        assert seen["failed"] == [
            "No se pudo sincronizar por un error inesperado; se reintentará en unos segundos."
        ]
    finally:
        workers.stop()
