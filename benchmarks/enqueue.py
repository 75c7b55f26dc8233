"""Enqueue: one invoice saved from the dialog until it is committed.

    python benchmarks/enqueue.py                    # 50 saves, 10,000 documents already there
    python benchmarks/enqueue.py --quick            # 10 saves, 1,000 documents
    python benchmarks/enqueue.py --while-syncing    # the same while the workers send 5,000

In one process, Qt offscreen: the real `MainWindow` over a database that already holds
`--history` answered documents; "Nueva factura" (`window.new_invoice()`) opens the real
`InvoiceDialog`, which is filled programmatically (a customer RUC and name, two items)
and saved by calling its save slot, as Ctrl+S does. Timed per save:

- committed: from the `save()` call until `enqueue_documents` has returned (it commits
  before returning, DESIGN rule 1) — the target, < 20 ms (median of the saves);
- dialog done: until `save()` returns (the customer and products are remembered in the
  books, the dialog is accepted and the main window has shown the new row);
- opening the dialog, for context.

With `--while-syncing` the window's sync workers run against the simulator (150 ms,
2 s) with 5,000 documents queued, so each save competes with the sender's and the
poller's write transactions, as at a busy counter after the internet came back.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    Figure,
    SandboxProcess,
    Workspace,
    add_profile,
    build_queued,
    bulk_insert_final,
    log,
    median,
    parser,
    percentile,
    print_machine,
    print_table,
    set_profile_url,
    use_bench_env,
)

CUSTOMERS = [("80012345-0", "Ferretería El Tornillo S.A."), ("4567890-1", "María Benítez"),
             ("80024681-0", "Comercial Norte S.A.")]


def fill(dialog, k: int) -> None:
    ruc, name = CUSTOMERS[k % len(CUSTOMERS)]
    dialog.number_edit.setText(ruc)
    dialog.name_edit.setText(name)
    while len(dialog.rows) < 2:
        dialog.add_item()
    for row, (desc, qty, price) in zip(dialog.rows, (("Cemento portland 50 kg", "2", "55000"),
                                                    ("Martillo", "1", "35000")), strict=False):
        row.descripcion.setText(desc)
        row.cantidad.setText(qty)
        row.precio.setText(price)
        row.iva.setCurrentIndex(0)


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--saves", type=int, default=50)
    p.add_argument("--history", type=int, default=10_000, help="answered documents already there")
    p.add_argument("--while-syncing", action="store_true")
    args = p.parse_args(argv)
    if args.quick:
        args.saves, args.history = min(args.saves, 10), min(args.history, 1000)
    print_machine()
    print(f"enqueue: {args.saves} saves from the invoice dialog, {args.history:,} documents in the "
          f"database" + (", sync workers sending 5,000 meanwhile" if args.while_syncing else
                         ", sync workers idle"))

    ws = Workspace(prefix="lote-enqueue-", keep=args.keep)
    use_bench_env(ws.path)
    sandbox = None
    try:
        db = ws.open_db()
        pid = add_profile(ws, db, "http://127.0.0.1:9")
        bulk_insert_final(db, pid, args.history)
        if args.while_syncing:
            build_queued(db, pid, 5000)
            sandbox = SandboxProcess(latency=0.15, processing_delay=2.0)
            set_profile_url(db, pid, sandbox.url, poll_first_s=2.0, poll_every_s=0.25)
        db.backup(reason="daily")
        db.dispose()

        from benchmarks.qt_helpers import NoneGuard, application, run_until

        app = application()
        guard = NoneGuard()
        guard.start_timer(app)
        import desktop_app.gui.invoice_dialog as invoice_dialog
        from desktop_app.gui.main_window import MainWindow
        from desktop_app.runtime import open_runtime

        committed_at: list[float] = []
        real_enqueue = invoice_dialog.enqueue_documents

        def timed_enqueue(*a, **kw):
            result = real_enqueue(*a, **kw)
            committed_at.append(time.perf_counter())
            return result

        invoice_dialog.enqueue_documents = timed_enqueue
        runtime = open_runtime(ws.data)
        runtime.acquire_sender()
        window = MainWindow(runtime, start_workers=args.while_syncing)
        window.show()
        run_until(lambda: False, timeout=1.0 if args.while_syncing else 0.3)

        opened, commits, whole = [], [], []
        for k in range(args.saves):
            t0 = time.perf_counter()
            dialog = window.new_invoice()
            opened.append(time.perf_counter() - t0)
            assert dialog is not None
            fill(dialog, k)
            committed_at.clear()
            t0 = time.perf_counter()
            ok = dialog.save()
            t1 = time.perf_counter()
            if not ok or not committed_at:
                log(f"save {k} failed: {dialog.errors_label.text()!r}")
                continue
            commits.append(committed_at[0] - t0)
            whole.append(t1 - t0)
            run_until(lambda: False, timeout=0.05 if not args.while_syncing else 0.2)
        window.shutdown()
        window.close()
        runtime.close()
        invoice_dialog.enqueue_documents = real_enqueue
    finally:
        if sandbox is not None:
            sandbox.stop()
        ws.cleanup()

    if not commits:
        print("no save succeeded")
        return 0
    ms = [c * 1000 for c in commits]
    figures = [
        Figure(f"save → committed (median of {len(ms)})", f"{median(ms):.1f} ms", "< 20 ms",
               median(ms) < 20, note=f"p90 {percentile(ms, 90):.1f} ms, max {max(ms):.1f} ms"),
        Figure("save → dialog done, row shown", f"{median(whole) * 1000:.1f} ms",
               note=f"p90 {percentile(whole, 90) * 1000:.1f} ms, max {max(whole) * 1000:.1f} ms"),
        Figure("opening «Nueva factura»", f"{median(opened) * 1000:.1f} ms",
               note=f"max {max(opened) * 1000:.1f} ms"),
    ]
    print_table("Enqueue from the dialog" + (" while syncing" if args.while_syncing else ""), figures)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown (see qt_helpers: None's count)


if __name__ == "__main__":
    raise SystemExit(main())
