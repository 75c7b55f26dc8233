"""Client cost per document: CPU time of `lote sync --until-idle` per document sent and
followed to its result, waiting excluded.

    python benchmarks/cpu_per_document.py            # 5,000 documents, 3 runs
    python benchmarks/cpu_per_document.py --quick    # 500 documents, 1 run
    python benchmarks/cpu_per_document.py --py-spy   # + where the CPU goes (one more run)

`lote sync --until-idle` runs as a subprocess against the simulator (a separate process
too, `counting_sandbox.py`, 150 ms latency, 2 s processing by default). Its CPU time
(user + system) is read from `resource.getrusage(RUSAGE_CHILDREN)` around it: sleeping
and waiting for answers cost no CPU, so this is the client's own work. The same command
on an empty queue (interpreter start-up, imports, opening and checking the database)
is measured the same way and subtracted: raw and net figures are both printed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    PY,
    ROOT,
    Figure,
    SandboxProcess,
    Workspace,
    add_profile,
    build_queued,
    children_cpu_s,
    final_states,
    log,
    median,
    parser,
    print_machine,
    print_table,
    py_spy_available,
    py_spy_command,
    runs_note,
    set_profile_url,
    summarize_collapsed,
    use_bench_env,
)

FINAL = ("APPROVED", "APPROVED_WITH_OBSERVATIONS", "REJECTED")


def template(n: int, keep: bool) -> tuple[Workspace, int]:
    ws = Workspace(prefix="lote-cpu-tpl-", keep=keep)
    use_bench_env(ws.path)
    db = ws.open_db()
    pid = add_profile(ws, db, "http://127.0.0.1:9")
    if n:
        build_queued(db, pid, n)
    db.dispose()
    return ws, pid


def sync_cpu(tpl: Workspace, pid: int, *, latency: float, delay: float,
             profile_to: Path | None = None) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, documents final) of one `lote sync --until-idle`."""
    import time

    ws = tpl.clone(prefix="lote-cpu-")
    try:
        with SandboxProcess(latency=latency, processing_delay=delay) as sb:
            db = ws.open_db()
            set_profile_url(db, pid, sb.url, poll_first_s=delay, poll_every_s=0.25)
            db.dispose()
            cmd = [PY, "-m", "desktop_app", "sync", "--until-idle", "--timeout", "1800"]
            if profile_to is not None:
                cmd = py_spy_command(profile_to) + ["--", *cmd]
            before = children_cpu_s()
            t0 = time.perf_counter()
            out = subprocess.run(cmd, env=ws.env(), cwd=ROOT, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            cpu = children_cpu_s() - before
            if out.returncode != 0:
                log(f"lote sync exited {out.returncode}: {out.stderr.strip()[-500:]}")
            db = ws.open_db()
            finished = sum(final_states(db).get(s, 0) for s in FINAL)
            db.dispose()
    finally:
        ws.cleanup()
    return cpu, wall, finished


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--docs", type=int, default=5000)
    p.add_argument("--latency", type=float, default=0.150)
    p.add_argument("--processing-delay", type=float, default=2.0)
    p.add_argument("--py-spy", action="store_true", help="one more run under py-spy; print hot spots")
    args = p.parse_args(argv)
    if args.quick:
        args.docs, args.runs = min(args.docs, 500), 1
    n = args.docs

    print_machine()
    print(f"cpu per document: `lote sync --until-idle` on {n} documents, latency "
          f"{args.latency * 1000:.0f} ms, processing {args.processing_delay:g} s, {args.runs} run(s)")
    log(f"queueing {n} documents")
    full, pid = template(n, args.keep)
    empty, pid_e = template(0, args.keep)
    raw, walls, empties, finished = [], [], [], []
    try:
        for run in range(args.runs):
            cpu_e, wall_e, _ = sync_cpu(empty, pid_e, latency=args.latency,
                                        delay=args.processing_delay)
            cpu, wall, done = sync_cpu(full, pid, latency=args.latency, delay=args.processing_delay)
            log(f"run {run + 1}: empty queue {cpu_e:.2f} s CPU ({wall_e:.2f} s wall); "
                f"{n} documents {cpu:.2f} s CPU ({wall:.2f} s wall), {done} final")
            empties.append(cpu_e)
            raw.append(cpu)
            walls.append(wall)
            finished.append(done)
        profile_text = None
        if args.py_spy:
            if not py_spy_available():
                log("py-spy not installed: .venv/bin/pip install py-spy")
            else:
                out = Path(tempfile.mkstemp(prefix="lote-cpu-", suffix=".txt")[1])
                sync_cpu(full, pid, latency=args.latency, delay=args.processing_delay,
                         profile_to=out)
                profile_text = summarize_collapsed(out)
                log(f"py-spy raw profile: {out}")
    finally:
        full.cleanup()
        empty.cleanup()

    cpu_raw, cpu_empty = median(raw), median(empties)
    per_doc_raw = cpu_raw / n * 1000
    net = [(r - e) / n * 1000 for r, e in zip(raw, empties, strict=True)]
    per_doc_net = median(net)
    figures = [
        Figure("lote sync CPU, empty queue (start-up)", f"{cpu_empty:.2f} s", note=runs_note(empties)),
        Figure(f"lote sync CPU, {n:,} documents", f"{cpu_raw:.2f} s", note=runs_note(raw)),
        Figure("  wall time of that", f"{median(walls):.2f} s", note=runs_note(walls)),
        Figure("CPU per document, raw", f"{per_doc_raw:.3f} ms", "< 1 ms", per_doc_raw < 1.0),
        Figure("CPU per document, net of start-up", f"{per_doc_net:.3f} ms", "< 1 ms", per_doc_net < 1.0,
               note=runs_note(net, "{:.3f}")),
        Figure("documents final", f"{min(finished)}/{n}", ok=None if min(finished) == n else False),
    ]
    print_table(f"Client CPU per document ({'quick' if args.quick else 'full'})", figures)
    if profile_text:
        print("\npy-spy (on-CPU samples of `lote sync --until-idle`, all threads):")
        print(profile_text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
