"""Import: a 10,000-document file validated and queued.

    python benchmarks/import_bench.py                  # 10,000 documents, 3 runs per path
    python benchmarks/import_bench.py --quick          # 1,000 documents, 1 run
    python benchmarks/import_bench.py --pyinstrument   # + a profile of the CSV path

The documents are `samples.paraguay(N)` (1-3 items each). Each path runs in a fresh
data folder with one FacturaSend profile, and is timed from the file on disk until
`enqueue_documents` has committed:

- CSV (the issue's case), when `desktop_app/documents/importing.py` exists: its
  `preview_import(path, "PY", db=..., profile_id=...)` (read, group rows, parse, prepare,
  validate, look for conflicts in the database) then `commit_import(...)` — what the
  import dialog and `lote import FILE.csv` do. One row per item, no `numero` column
  (Lote numbers the documents); `--with-numbers` adds a run with explicit numbers
  (all of them checked against the database in one statement).
- JSON in-process: the steps of `lote import FILE.json` (json.loads, `rules.parse`,
  `check_document`, `enqueue_checked`) in this process.
- `lote import FILE.json` (and `FILE.csv` if the command takes it) as a subprocess: the
  same plus interpreter start-up and opening the database.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    Figure,
    Workspace,
    add_profile,
    log,
    median,
    parser,
    print_machine,
    print_table,
    run_lote,
    runs_note,
    use_bench_env,
)

CSV_COLUMNS = ["documento", "fecha", "numero", "cliente_ruc", "cliente_razon_social",
               "item_descripcion", "item_cantidad", "item_precio_unitario", "item_iva"]


def write_files(folder: Path, n: int) -> tuple[Path, Path, Path]:
    from desktop_app.sandbox.samples import paraguay

    docs = paraguay(n)
    json_path = folder / "ventas.json"
    json_path.write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
    csv_path, numbered_path = folder / "ventas.csv", folder / "ventas-numeradas.csv"
    for path, numbered in ((csv_path, False), (numbered_path, True)):
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, delimiter=";")
            w.writerow(CSV_COLUMNS)
            for k, de in enumerate(docs, start=1):
                cli = de["cliente"]
                for item in de["items"]:
                    w.writerow([f"V-{k:06d}", de["fecha"].replace("T", " "),
                                k if numbered else "", cli["ruc"], cli["razonSocial"],
                                item["descripcion"], item["cantidad"], item["precioUnitario"],
                                item["iva"]])
    return json_path, csv_path, numbered_path


def fresh(keep: bool) -> tuple[Workspace, object, int]:
    ws = Workspace(prefix="lote-import-", keep=keep)
    use_bench_env(ws.path)
    db = ws.open_db()
    pid = add_profile(ws, db, "http://127.0.0.1:9")
    return ws, db, pid


def csv_import(path: Path, keep: bool, profiler=None) -> tuple[float, float, int]:
    """(preview seconds, commit seconds, documents saved) through documents/importing.py."""
    from desktop_app.documents.importing import commit_import, preview_import

    ws, db, pid = fresh(keep)
    try:
        if profiler is not None:
            profiler.start()
        t0 = time.perf_counter()
        preview = preview_import(path, "PY", db=db, profile_id=pid)
        t1 = time.perf_counter()
        result = commit_import(db, pid, preview)
        t2 = time.perf_counter()
        if profiler is not None:
            profiler.stop()
        saved = len(result.ids)
        if not saved:
            log(f"CSV import saved nothing: {preview.file_errors or result.file_errors} "
                f"{list(preview.errors.items())[:2]}")
    finally:
        db.dispose()
        ws.cleanup()
    return t1 - t0, t2 - t1, saved


def json_import(path: Path, keep: bool) -> tuple[float, int]:
    """`_cmd_import`'s steps in this process (parse, `check_document`, `enqueue_checked`:
    each document prepared and validated once)."""
    from desktop_app.domain.country import rules_for
    from desktop_app.store.outbox import check_document, enqueue_checked, gc_paused

    ws, db, pid = fresh(keep)
    try:
        t0 = time.perf_counter()
        items = json.loads(path.read_text(encoding="utf-8"))
        rules = rules_for("PY")
        checked = []
        with gc_paused():
            for item in items:
                doc, errors = rules.parse(item)
                assert doc is not None and not errors, errors
                ok, errors = check_document(rules, doc)
                assert ok is not None, errors
                checked.append(ok)
        result = enqueue_checked(db, pid, checked, actor="import")
        took = time.perf_counter() - t0
    finally:
        db.dispose()
        ws.cleanup()
    return took, len(result.ids)


def cli_import(path: Path, keep: bool) -> tuple[float, int, str]:
    ws, db, _pid = fresh(keep)
    db.dispose()
    try:
        out, took = run_lote(ws, "import", str(path))
        return took, out.returncode, (out.stdout + out.stderr).strip().splitlines()[-1:][0] if (
            out.stdout + out.stderr).strip() else ""
    finally:
        ws.cleanup()


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--docs", type=int, default=10_000)
    p.add_argument("--with-numbers", action="store_true",
                   help="also import a CSV with explicit numbers (checked against the database)")
    p.add_argument("--pyinstrument", action="store_true", help="profile one CSV import")
    args = p.parse_args(argv)
    if args.quick:
        args.docs, args.runs = min(args.docs, 1000), 1
    n = args.docs
    print_machine()
    print(f"import: {n:,} documents, {args.runs} run(s) per path")
    files = Workspace(prefix="lote-import-files-", keep=args.keep)
    json_path, csv_path, numbered_path = write_files(files.path, n)
    rows = sum(1 for _ in csv_path.open(encoding="utf-8")) - 1
    log(f"files: {json_path.stat().st_size / 1e6:.1f} MB JSON, {csv_path.stat().st_size / 1e6:.1f} MB "
        f"CSV ({rows:,} item rows)")
    figures: list[Figure] = []
    profile_text = None
    try:
        try:
            import desktop_app.documents.importing  # noqa: F401
            has_csv = True
        except ImportError as exc:
            has_csv = False
            log(f"no CSV importer yet ({exc}); measuring the JSON path only")
        if has_csv:
            previews, commits, totals = [], [], []
            for run in range(args.runs):
                pv, cm, saved = csv_import(csv_path, args.keep)
                log(f"CSV run {run + 1}: preview {pv:.2f} s + commit {cm:.2f} s, {saved} saved")
                previews.append(pv)
                commits.append(cm)
                totals.append(pv + cm)
            total = median(totals)
            figures += [
                Figure(f"CSV {n:,} documents: preview_import + commit_import", f"{total:.2f} s",
                       "< 3 s", total < 3.0, note=runs_note(totals)),
                Figure("  preview (read, group, parse, prepare, validate, conflicts)",
                       f"{median(previews):.2f} s", note=runs_note(previews)),
                Figure("  commit (checks again, enqueue_documents)", f"{median(commits):.2f} s",
                       note=runs_note(commits)),
                Figure("  per document", f"{total / n * 1000:.2f} ms"),
            ]
            if args.with_numbers:
                pv, cm, saved = csv_import(numbered_path, args.keep)
                figures.append(Figure("CSV with explicit numbers (1 run)", f"{pv + cm:.2f} s",
                                      "< 3 s", pv + cm < 3.0,
                                      note=f"preview {pv:.2f} s + commit {cm:.2f} s"))
            if args.pyinstrument:
                import pyinstrument

                prof = pyinstrument.Profiler(interval=0.001)
                csv_import(csv_path, args.keep, profiler=prof)
                profile_text = prof.output_text(unicode=False, color=False, show_all=False)
        times = []
        for run in range(args.runs):
            took, saved = json_import(json_path, args.keep)
            log(f"JSON run {run + 1}: {took:.2f} s, {saved} saved")
            times.append(took)
        figures.append(Figure(f"JSON {n:,} documents, in-process (lote import's steps)",
                              f"{median(times):.2f} s", "< 3 s", median(times) < 3.0,
                              note=runs_note(times)))
        cli_times = []
        for run in range(args.runs):
            took, code, last = cli_import(json_path, args.keep)
            log(f"lote import JSON run {run + 1}: {took:.2f} s, exit {code}: {last}")
            cli_times.append(took)
        figures.append(Figure("`lote import FILE.json` (subprocess, with start-up)",
                              f"{median(cli_times):.2f} s", "< 3 s", median(cli_times) < 3.0,
                              note=runs_note(cli_times)))
        took, code, last = cli_import(csv_path, args.keep)
        if code == 0:
            figures.append(Figure("`lote import FILE.csv` (subprocess, 1 run)", f"{took:.2f} s",
                                  "< 3 s", took < 3.0))
        else:
            figures.append(Figure("`lote import FILE.csv`", "n/a",
                                  note=f"exit {code}: {last[:90]}"))
    finally:
        files.cleanup()
    print_table(f"Import ({'quick' if args.quick else 'full'})", figures)
    if profile_text:
        print("\npyinstrument, one CSV import (preview + commit):")
        print(profile_text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
