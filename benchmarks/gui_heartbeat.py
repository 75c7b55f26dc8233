"""The GUI never freezes: a 5 ms heartbeat on the GUI thread while 5,000 documents sync.

    python benchmarks/gui_heartbeat.py            # 5,000 documents, 150 ms, 2 s, 3 runs
    python benchmarks/gui_heartbeat.py --quick    # 500 documents, 1 run

One process, Qt offscreen: the real `MainWindow` with its real `SyncWorkers` (sender and
poller threads, each with its own `SyncEngine`), opened like `lote` opens it
(`open_runtime`, `acquire_sender`), against the simulator in another process
(`counting_sandbox.py`, `--latency` per request, `--processing-delay` per lote) with
5,000 queued documents. The window is shown and painted first; then a 5 ms
`Qt.PreciseTimer` on the GUI thread records the time of every tick, the workers start,
and the heartbeat runs until no document is pending (a background thread asks the
database every 0.25 s, so that check costs the GUI thread nothing).

Printed: the longest gap between ticks, the 99th and 50th percentiles (targets: < 50 ms
and < 16 ms). With `--trace-gaps` (default on) a watchdog thread samples the GUI
thread's Python stack whenever a tick is more than 20 ms late, and the stacks seen most
often are printed: what the GUI thread was doing (or waiting for) during the gaps.
Garbage collections longer than 10 ms are counted too (`gc.callbacks`): a collection
holds the GIL, so one in any thread stops the GUI thread as well.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    Figure,
    SandboxProcess,
    Workspace,
    add_profile,
    build_queued,
    log,
    median,
    parser,
    percentile,
    print_machine,
    print_table,
    runs_note,
    set_profile_url,
    use_bench_env,
)

HEARTBEAT_MS = 5
LATE_S = 0.020
#: Garbage collections at least this long are reported.
SLOW_GC_S = 0.010


class GcWatch:
    """Notes every garbage collection of at least SLOW_GC_S: (generation, ms, thread)."""

    def __init__(self) -> None:
        self.slow: list[tuple[int, float, str]] = []
        self._started: dict[int, float] = {}

    def __call__(self, phase: str, info: dict) -> None:
        now = time.perf_counter()
        ident = threading.get_ident()
        if phase == "start":
            self._started[ident] = now
            return
        began = self._started.pop(ident, now)
        if now - began >= SLOW_GC_S:
            self.slow.append((info["generation"], (now - began) * 1000,
                              threading.current_thread().name))

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


class GapTracer(threading.Thread):
    """Samples the GUI thread's stack once per late heartbeat (> LATE_S since the last tick)."""

    def __init__(self, gui_ident: int, last_tick: list[float]) -> None:
        super().__init__(daemon=True, name="gap-tracer")
        self.gui_ident = gui_ident
        self.last_tick = last_tick
        self.stop = threading.Event()
        self.samples: Counter[str] = Counter()

    def run(self) -> None:
        sampled_for = 0.0
        while not self.stop.wait(0.002):
            tick = self.last_tick[0]
            if time.perf_counter() - tick > LATE_S and tick != sampled_for:
                sampled_for = tick
                frame = sys._current_frames().get(self.gui_ident)
                if frame is None:
                    continue
                stack = traceback.extract_stack(frame)
                mine = [f for f in stack if "desktop_app" in f.filename or "benchmarks" in f.filename]
                lib = stack[-1]
                where = " < ".join(f"{f.name} ({_short(f.filename)}:{f.lineno})"
                                   for f in reversed(mine[-4:]))
                self.samples[f"{lib.name} ({_short(lib.filename)}) | {where}"] += 1


def _short(filename: str) -> str:
    for marker in ("site-packages/", "desktop_app/", "benchmarks/", "lib/python3.11/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def heartbeat_once(tpl: Workspace, pid: int, *, latency: float, delay: float,
                   timeout: float, trace: bool, guard: bool = True) -> dict:
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from benchmarks.qt_helpers import NoneGuard, application, run_until
    from desktop_app.gui.main_window import MainWindow
    from desktop_app.runtime import open_runtime
    from desktop_app.sync.engine import SyncEngine

    app = application()
    if guard:
        NoneGuard().start_timer(app)
    ws = tpl.clone(prefix="lote-hb-")
    use_bench_env(ws.path)
    try:
        with SandboxProcess(latency=latency, processing_delay=delay) as sb:
            db = ws.open_db()
            set_profile_url(db, pid, sb.url, poll_first_s=delay, poll_every_s=0.25)
            db.dispose()
            runtime = open_runtime(ws.data)
            assert runtime.acquire_sender()
            window = MainWindow(runtime, start_workers=False)
            window.show()
            run_until(lambda: False, timeout=0.5)

            ticks: list[float] = []
            last = [time.perf_counter()]
            changed_signals = [0]
            window.workers.changed.connect(lambda _ids: changed_signals.__setitem__(0, changed_signals[0] + 1))

            def beat() -> None:
                now = time.perf_counter()
                ticks.append(now)
                last[0] = now

            done = threading.Event()
            watcher_engine = SyncEngine(runtime.db)

            def watch() -> None:
                while not done.is_set():
                    if watcher_engine.pending_count() == 0:
                        done.set()
                        return
                    time.sleep(0.25)

            loop = QEventLoop()
            heart = QTimer()
            heart.setTimerType(Qt.TimerType.PreciseTimer)
            heart.setInterval(HEARTBEAT_MS)
            heart.timeout.connect(beat)
            stopper = QTimer()
            stopper.setInterval(20)
            started = [0.0]
            finished = [0.0]

            def maybe_stop() -> None:
                now = time.perf_counter()
                if done.is_set() and not finished[0]:
                    finished[0] = now
                # let the last results reach the table, then stop
                if (finished[0] and now - finished[0] > 0.5) or now - started[0] > timeout:
                    loop.quit()

            stopper.timeout.connect(maybe_stop)
            tracer = GapTracer(threading.get_ident(), last) if trace else None
            heart.start()
            stopper.start()
            started[0] = time.perf_counter()
            last[0] = started[0]
            ticks.append(started[0])
            threading.Thread(target=watch, daemon=True).start()
            if tracer:
                tracer.start()
            window.workers.start()
            with GcWatch() as gc_watch:
                loop.exec()
            heart.stop()
            stopper.stop()
            done.set()
            if tracer:
                tracer.stop.set()
                tracer.join()
            drained = (finished[0] or time.perf_counter()) - started[0]
            counts = sb.counts()
            window.shutdown()
            window.close()
            window.deleteLater()
            run_until(lambda: False, timeout=0.1)
            runtime.close()
    finally:
        ws.cleanup()
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:], strict=False)]
    return {"gaps": gaps, "drained": drained, "ok": bool(finished[0]), "counts": counts,
            "changed": changed_signals[0], "samples": tracer.samples if tracer else Counter(),
            "slow_gc": gc_watch.slow}


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--docs", type=int, default=5000)
    p.add_argument("--latency", type=float, default=0.150)
    p.add_argument("--processing-delay", type=float, default=2.0)
    p.add_argument("--no-trace-gaps", dest="trace", action="store_false",
                   help="do not sample the GUI thread's stack during late heartbeats")
    p.add_argument("--no-none-guard", dest="guard", action="store_false",
                   help="run without the None-reference guard (PySide6 6.12 on Python 3.11, "
                        "see qt_helpers.py): shows whether the window itself aborts")
    args = p.parse_args(argv)
    if args.quick:
        args.docs, args.runs = min(args.docs, 500), 1
    n = args.docs
    print_machine()
    print(f"gui heartbeat: {n} documents, latency {args.latency * 1000:.0f} ms, processing "
          f"{args.processing_delay:g} s, {HEARTBEAT_MS} ms heartbeat, {args.runs} run(s)")

    log(f"queueing {n} documents")
    tpl = Workspace(prefix="lote-hb-tpl-", keep=args.keep)
    use_bench_env(tpl.path)
    db = tpl.open_db()
    pid = add_profile(tpl, db, "http://127.0.0.1:9")
    build_queued(db, pid, n)
    db.dispose()
    results = []
    samples: Counter[str] = Counter()
    try:
        for run in range(args.runs):
            r = heartbeat_once(tpl, pid, latency=args.latency, delay=args.processing_delay,
                               timeout=max(300.0, n * 0.05), trace=args.trace, guard=args.guard)
            g = r["gaps"]
            log(f"run {run + 1}: {len(g)} gaps, max {max(g):.1f} ms, p99 {percentile(g, 99):.1f} ms, "
                f"p50 {percentile(g, 50):.1f} ms; drained in {r['drained']:.1f} s"
                + ("" if r["ok"] else " (TIMED OUT)"))
            results.append(r)
            samples.update(r["samples"])
    finally:
        tpl.cleanup()

    maxes = [max(r["gaps"]) for r in results]
    p99s = [percentile(r["gaps"], 99) for r in results]
    p50s = [percentile(r["gaps"], 50) for r in results]
    over16 = [sum(g > 16 for g in r["gaps"]) for r in results]
    over50 = [sum(g > 50 for g in r["gaps"]) for r in results]
    drained = [r["drained"] for r in results]
    slow_gc = [c for r in results for c in r["slow_gc"]]
    figures = [
        Figure("longest gap (median of runs)", f"{median(maxes):.1f} ms", "< 50 ms",
               median(maxes) < 50, note=runs_note(maxes, "{:.1f}")),
        Figure("99th percentile gap", f"{median(p99s):.1f} ms", "< 16 ms", median(p99s) < 16,
               note=runs_note(p99s, "{:.1f}")),
        Figure("50th percentile gap", f"{median(p50s):.1f} ms", note=runs_note(p50s, "{:.1f}")),
        Figure("gaps > 16 ms / > 50 ms per run", f"{median(over16):.0f} / {median(over50):.0f}",
               note=f"of ~{median(len(r['gaps']) for r in results):.0f} ticks"),
        Figure(f"{n:,} documents drained by the GUI's workers", f"{median(drained):.1f} s",
               note=runs_note(drained, "{:.1f}")),
        Figure(f"garbage collections ≥ {SLOW_GC_S * 1000:.0f} ms (all runs)", f"{len(slow_gc)}",
               note=(f"longest {max(ms for _g, ms, _t in slow_gc):.0f} ms: " + ", ".join(
                   f"gen {g} {ms:.0f} ms ({t})" for g, ms, t in
                   sorted(slow_gc, key=lambda c: -c[1])[:3])) if slow_gc else ""),
    ]
    print_table(f"GUI heartbeat ({'quick' if args.quick else 'full'})", figures)
    if samples:
        total = sum(samples.values())
        print(f"\nGUI thread during late heartbeats (> {LATE_S * 1000:.0f} ms), {total} samples "
              "(innermost call | app frames, innermost first):")
        for stack, count in samples.most_common(12):
            print(f"  {count:4d}  {stack}")
    sys.stdout.flush()
    if not args.guard:
        return 0  # let the interpreter tear down: shows whether None/True survive it
    os._exit(0)  # skip interpreter teardown (see qt_helpers: None's and True's counts)


if __name__ == "__main__":
    raise SystemExit(main())
