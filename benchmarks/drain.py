"""Drain throughput: N queued documents against the sandbox with latency per request and
a lote processing delay, compared with the ideal and with one request per invoice.

    python benchmarks/drain.py                 # 5,000 documents, 150 ms, 2 s, 3 runs
    python benchmarks/drain.py --quick         # 500 documents, 1 run, small baseline
    python benchmarks/drain.py --concurrency 8 --pyinstrument

Setup: the FacturaSend simulator runs as a separate process
(`benchmarks/counting_sandbox.py`, i.e. `lote sandbox` plus request counters) with
`--latency` added to every answer and `--processing-delay` before SIFEN answers a lote.
The profile polls first after exactly the processing delay and then every
`--poll-every` seconds. The engine (`SyncEngine.run_until_idle`, what
`lote sync --until-idle` runs) drains in this process with `--concurrency` requests in
flight. The queue is built once with `enqueue_documents` and copied for every run.

Ideal: FacturaSend needs at least ⌈N/50⌉ lote/create and ⌈N/50⌉ de/estado requests, so
ideal = 2·⌈N/50⌉ × latency ÷ concurrency + one processing delay. Target ≤ 1.15 × ideal.

Baseline, one request per invoice: the same engine with the profile's max_batch = 1 and
concurrency 1 on `--baseline-docs` documents (one lote/create and one de/estado per
document), extrapolated linearly to N: (time − processing delay) × N / n + processing
delay. Its theoretical value, N × 2 × latency, is printed beside it. Target: the real
drain ≥ 30 × faster.

`--history N` first writes N answered documents (bulk INSERT), as in a shop that has
used Lote for a while: the queue's cost must not grow with the past.

The client's CPU (whole process, all threads, `time.process_time`) per document is
printed too; `cpu_per_document.py` measures it on the `lote sync` command itself.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    FACTURASEND_BATCH,
    Figure,
    SandboxProcess,
    Workspace,
    add_profile,
    build_queued,
    bulk_insert_final,
    final_states,
    log,
    median,
    parser,
    print_machine,
    print_table,
    requests_line,
    runs_note,
    set_profile_url,
    use_bench_env,
)

FINAL = ("APPROVED", "APPROVED_WITH_OBSERVATIONS", "REJECTED")


def build_template(n: int, keep: bool, history: int = 0) -> tuple[Workspace, int, float]:
    ws = Workspace(prefix="lote-drain-tpl-", keep=keep)
    use_bench_env(ws.path)
    db = ws.open_db()
    pid = add_profile(ws, db, "http://127.0.0.1:9")
    if history:
        bulk_insert_final(db, pid, history)
    took = build_queued(db, pid, n)
    db.dispose()
    return ws, pid, took


def run_split(db, concurrency: int, timeout: float) -> bool:
    """Sending and polling in two threads, two engines of `concurrency` ÷ 2 requests each
    (so no more requests are in flight than `run_until_idle` with `concurrency`): what
    the GUI's two workers do, sketched with the engine's public steps. It shows what
    overlapping the two costs; it is not how `lote sync` runs."""
    import threading

    from desktop_app.sync.engine import SyncEngine

    half = max(1, concurrency // 2)
    sender, poller = SyncEngine(db, concurrency=half), SyncEngine(db, concurrency=half)
    stop = threading.Event()

    def send_loop() -> None:
        while not stop.is_set():
            report = sender.reconcile_once().merge(sender.send_once())
            if not report.did_work:
                stop.wait(0.05)

    def poll_loop() -> None:
        while not stop.is_set():
            if not poller.poll_once().did_work:
                stop.wait(0.02)

    threads = [threading.Thread(target=send_loop), threading.Thread(target=poll_loop)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    watcher = SyncEngine(db)
    try:
        while watcher.pending_count() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        for t in threads:
            t.join()
        sender.close()
        poller.close()
    return watcher.pending_count() == 0


def drain_once(template: Workspace, pid: int, *, latency: float, delay: float,
               concurrency: int, max_batch: int, poll_every: float, stock: bool,
               timeout: float, profiler=None, split: bool = False) -> dict:
    from desktop_app.sync.engine import SyncEngine

    ws = template.clone(prefix="lote-drain-")
    use_bench_env(ws.path)
    try:
        with SandboxProcess(latency=latency, processing_delay=delay, stock=stock) as sb:
            db = ws.open_db()
            set_profile_url(db, pid, sb.url, max_batch=max_batch, poll_first_s=delay,
                            poll_every_s=poll_every)
            engine = SyncEngine(db, concurrency=concurrency)
            sb.reset()
            if profiler is not None:
                profiler.start()
            cpu0, t0 = time.process_time(), time.perf_counter()
            done = run_split(db, concurrency, timeout) if split else engine.run_until_idle(timeout)
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            if profiler is not None:
                profiler.stop()
            counts = sb.counts()
            states = final_states(db)
            engine.close()
            db.dispose()
    finally:
        ws.cleanup()
    return {"wall": wall, "cpu": cpu, "done": done, "counts": counts, "states": states}


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--docs", type=int, default=5000)
    p.add_argument("--latency", type=float, default=0.150, help="seconds per request (sandbox)")
    p.add_argument("--processing-delay", type=float, default=2.0, help="seconds per lote (sandbox)")
    p.add_argument("--concurrency", type=int, default=4, help="SyncEngine(concurrency=...)")
    p.add_argument("--poll-every", type=float, default=0.25, help="profile poll_every_s")
    p.add_argument("--baseline-docs", type=int, default=200,
                   help="documents sent one per request to measure the baseline (0: skip)")
    p.add_argument("--stock-sandbox", action="store_true",
                   help="the stock simulator (O(N) per CDC asked), see counting_sandbox.py")
    p.add_argument("--history", type=int, default=0,
                   help="documents already answered in the database before the queue (a shop's past)")
    p.add_argument("--pyinstrument", action="store_true",
                   help="profile the last run (main thread) and print the profile")
    p.add_argument("--split", action="store_true",
                   help="experiment: send and poll in two threads (concurrency ÷ 2 each), "
                        "as the GUI's workers do, instead of run_until_idle")
    args = p.parse_args(argv)
    if args.quick:
        args.docs, args.runs, args.baseline_docs = min(args.docs, 500), 1, min(args.baseline_docs, 30)
    n, lat, delay, conc = args.docs, args.latency, args.processing_delay, args.concurrency

    print_machine()
    print(f"drain: {n} documents, latency {lat * 1000:.0f} ms per request, processing delay "
          f"{delay:g} s, concurrency {conc}, poll every {args.poll_every:g} s, "
          f"{'stock' if args.stock_sandbox else 'indexed'} simulator, {args.runs} run(s)"
          + (f", {args.history:,} answered documents already in the database" if args.history else "")
          + (", EXPERIMENT: sending and polling in two threads" if args.split else ""))

    log(f"queueing {n} documents (enqueue_documents, chunks of 5,000)")
    template, pid, build_s = build_template(n, args.keep, args.history)
    log(f"queued in {build_s:.1f} s")
    results = []
    profiler = None
    try:
        for run in range(args.runs):
            if args.pyinstrument and run == args.runs - 1:
                import pyinstrument

                profiler = pyinstrument.Profiler(interval=0.001)
            r = drain_once(template, pid, latency=lat, delay=delay, concurrency=conc,
                           max_batch=FACTURASEND_BATCH, poll_every=args.poll_every,
                           stock=args.stock_sandbox, timeout=max(600.0, n * 0.1),
                           profiler=profiler, split=args.split)
            log(f"run {run + 1}: {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU; "
                f"{requests_line(r['counts'])}")
            results.append(r)
    finally:
        template.cleanup()

    baseline = None
    if args.baseline_docs:
        log(f"baseline: {args.baseline_docs} documents, max_batch 1, concurrency 1")
        tpl_b, pid_b, _ = build_template(args.baseline_docs, args.keep)
        try:
            baseline = drain_once(tpl_b, pid_b, latency=lat, delay=delay, concurrency=1,
                                  max_batch=1, poll_every=args.poll_every,
                                  stock=args.stock_sandbox, timeout=max(600.0, args.baseline_docs * 2))
        finally:
            tpl_b.cleanup()
        log(f"baseline: {baseline['wall']:.2f} s; {requests_line(baseline['counts'])}")

    walls = [r["wall"] for r in results]
    drain = median(walls)
    mid = sorted(results, key=lambda r: r["wall"])[len(results) // 2]
    batches = math.ceil(n / FACTURASEND_BATCH)
    minimum = 2 * batches
    ideal = minimum * lat / conc + delay
    served = sum(mid["counts"]["requests"].values())
    finished = sum(mid["states"].get(s, 0) for s in FINAL) - args.history
    cpu_per_doc_ms = median(r["cpu"] for r in results) / n * 1000
    figures = [
        Figure(f"drain {n:,} documents (median)", f"{drain:.2f} s", note=runs_note(walls)),
        Figure("ideal", f"{ideal:.2f} s",
               note=f"{minimum} requests × {lat:g} s ÷ {conc} + {delay:g} s"),
        Figure("drain ÷ ideal", f"{drain / ideal:.2f} ×", "≤ 1.15 ×", drain / ideal <= 1.15),
        Figure("requests served (median run)", f"{served}", note=requests_line(mid["counts"])
               + f"; minimum {minimum}"),
        Figure("documents final (median run)", f"{finished}/{n}", ok=None if finished == n else False,
               note=f"approved {mid['counts']['approved']}, rejected {mid['counts']['rejected']} "
                    "(simulator)"),
        Figure("client CPU per document", f"{cpu_per_doc_ms:.3f} ms", "< 1 ms (see cpu_per_document.py)",
               cpu_per_doc_ms < 1.0, note="in-process, all threads, incl. waiting loops"),
        Figure("simulator CPU (its own process, median run)", f"{mid['counts']['cpu_s']:.2f} s",
               note="stock" if args.stock_sandbox else "indexed (see counting_sandbox.py)"),
    ]
    if baseline is not None:
        nb = args.baseline_docs
        per_doc = max(0.0, baseline["wall"] - delay) / nb
        extrapolated = per_doc * n + delay
        theoretical = n * 2 * lat
        speedup = extrapolated / drain
        figures += [
            Figure(f"one request per invoice, {nb} documents", f"{baseline['wall']:.2f} s",
                   note=f"max_batch 1, concurrency 1; {requests_line(baseline['counts'])}"),
            Figure(f"  extrapolated linearly to {n:,}", f"{extrapolated:.0f} s",
                   note=f"({baseline['wall']:.1f} − {delay:g}) × {n}/{nb} + {delay:g}; "
                        f"theory N×2×latency = {theoretical:.0f} s"),
            Figure("speed-up over one request per invoice", f"{speedup:.0f} ×", "≥ 30 ×",
                   speedup >= 30),
        ]
    print_table(f"Drain throughput ({'quick' if args.quick else 'full'})", figures)
    if profiler is not None:
        print("\npyinstrument, last run (main thread):")
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
