"""Run every benchmark of the issue "Fast at every size", one after the other.

    python benchmarks/run_all.py --quick      # a smoke run of each (about 3 minutes)
    python benchmarks/run_all.py              # the full set (about 25 minutes)
    python benchmarks/run_all.py drain big_table

Each script prints its own table; this one runs them in sequence (never in parallel:
on a 2-core machine they would measure each other) and ends with the list of lines
that say MISSED. Benchmarks never fail: the exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = {
    "drain": ["drain.py"],
    "cpu_per_document": ["cpu_per_document.py", "--py-spy"],
    "gui_heartbeat": ["gui_heartbeat.py"],
    "big_table": ["big_table.py"],
    "import": ["import_bench.py", "--with-numbers"],
    "enqueue": ["enqueue.py"],
    "cold_start": ["cold_start.py"],
    "scaling": ["scaling.py"],
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("only", nargs="*", help=f"run only these: {', '.join(SCRIPTS)}")
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    unknown = [n for n in args.only if n not in SCRIPTS]
    if unknown:
        p.error(f"unknown benchmark(s): {', '.join(unknown)}")
    missed: list[str] = []
    for name in args.only or list(SCRIPTS):
        script, *extra = SCRIPTS[name]
        cmd = [sys.executable, str(HERE / script), *extra] + (["--quick"] if args.quick else [])
        print(f"\n=== {name}: {' '.join(cmd[1:])}", flush=True)
        started = time.monotonic()
        out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        print(out.stdout, end="", flush=True)
        missed += [f"{name}: {line.strip()}" for line in out.stdout.splitlines() if "MISSED" in line]
        print(f"=== {name}: {time.monotonic() - started:.0f} s, exit {out.returncode}", flush=True)
    print("\nMISSED targets:" if missed else "\nEvery target printed was met.")
    for line in missed:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
