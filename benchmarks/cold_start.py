"""Cold start: `lote` to a painted main window, with 10,000 documents, in demo mode.

    python benchmarks/cold_start.py            # 10,000 documents, 5 starts
    python benchmarks/cold_start.py --quick    # 1,000 documents, 2 starts

The data folder holds only the demo profile (so `lote` starts in demo mode, with its
embedded simulator) and 10,000 answered documents (bulk INSERTs), plus a fresh daily
backup so the start does not copy the database (that happens once a day; `--no-backup`
measures that start too). Each start is a new process, `benchmarks/_cold_start_child.py`,
which runs `desktop_app.cli.main` exactly as the `lote` command does and prints when
the documents table was first painted (Qt offscreen). Time is measured from just before
the parent starts the process to the end of that first paint, on the wall clock; the
child's marks split it into interpreter start-up, imports, opening the database,
building the window and showing it, and it names the libraries meant to load lazily
(Alembic, keyring, httpx) that were imported by the first paint anyway.

The operating system's file cache is warm after the first start (the database, the
Python and Qt files); the first start is printed separately from the median.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    PY,
    ROOT,
    Figure,
    Workspace,
    bulk_insert_final,
    log,
    median,
    parser,
    print_machine,
    print_table,
    runs_note,
    use_bench_env,
)

CHILD = Path(__file__).with_name("_cold_start_child.py")
PHASES = (
    ("interpreter start-up", "t0", "python_started"),
    ("import PySide6 + QApplication", "python_started", "qapplication"),
    ("import lote (cli, gui, runtime)", "qapplication", "gui_imported"),
    ("until open_runtime", "gui_imported", "open_runtime_start"),
    ("open_runtime (quick_check, revision, demo sandbox)", "open_runtime_start", "open_runtime_end"),
    ("until MainWindow()", "open_runtime_end", "window_start"),
    ("MainWindow() constructed", "window_start", "window_end"),
    ("show → first paint of the table", "window_end", "painted"),
)


def build(n: int, keep: bool, backup: bool) -> Workspace:
    from desktop_app.runtime import ensure_demo_profile

    ws = Workspace(prefix="lote-cold-", keep=keep)
    use_bench_env(ws.path)
    db = ws.open_db()
    profile = ensure_demo_profile(db)
    bulk_insert_final(db, profile.id, n)
    if backup:
        db.backup(reason="daily")
    db.dispose()
    return ws


def start_once(ws: Workspace, timeout: float = 60) -> dict | None:
    t0 = time.time()
    proc = subprocess.Popen([PY, str(CHILD), str(ws.data)], env=ws.env(), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marks = None
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        if line.startswith("PAINTED "):
            marks = json.loads(line[len("PAINTED "):])
            marks["t0"] = t0
            marks["parent_saw"] = time.time()
            break
        if time.monotonic() > deadline:
            break
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if marks is None:
        err = proc.stderr.read() if proc.stderr else ""
        log(f"no paint seen (exit {proc.returncode}): {err[-1500:]}")
    return marks


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__, runs=5)
    p.add_argument("--docs", type=int, default=10_000)
    p.add_argument("--no-backup", action="store_true",
                   help="no daily backup beforehand: the first start copies the database")
    args = p.parse_args(argv)
    if args.quick:
        args.docs, args.runs = min(args.docs, 1000), 2
    print_machine()
    print(f"cold start: `lote` in demo mode with {args.docs:,} documents, Qt offscreen, "
          f"{args.runs} starts")
    ws = build(args.docs, args.keep, backup=not args.no_backup)
    starts = []
    try:
        for run in range(args.runs):
            marks = start_once(ws)
            if marks is None:
                continue
            total = marks["painted"] - marks["t0"]
            log(f"start {run + 1}: painted after {total:.2f} s")
            starts.append(marks)
    finally:
        ws.cleanup()
    if not starts:
        print("no start reached a painted window")
        return 0
    totals = [m["painted"] - m["t0"] for m in starts]
    warm = totals[1:] or totals
    figures = [
        Figure("lote → painted main window (median)", f"{median(warm):.2f} s", "< 1.5 s",
               median(warm) < 1.5, note=runs_note(warm) + (" (starts 2..)" if len(totals) > 1 else "")),
        Figure("first start (cold file cache for the data)", f"{totals[0]:.2f} s", "< 1.5 s",
               totals[0] < 1.5),
    ]
    for label, a, b in PHASES:
        values = [m[b] - m[a] for m in starts if a in m and b in m]
        if values:
            figures.append(Figure(f"  {label}", f"{median(values) * 1000:.0f} ms"))
    print_table(f"Cold start ({args.docs:,} documents, demo mode)", figures)
    loaded = sorted({name for m in starts for name in m.get("loaded", [])})
    print("loaded by the first paint, though only needed later: "
          + (", ".join(loaded) if loaded else "none (alembic, keyring, httpx stay lazy)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
