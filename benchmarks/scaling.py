"""How cost grows: queueing and draining 1k, 10k and 100k documents, time and memory,
as a table and a plot (benchmarks/scaling.png), to see that it stays linear.

    python benchmarks/scaling.py                   # 1,000 / 10,000 / 100,000 (≈ 10 min)
    python benchmarks/scaling.py --quick           # 200 / 1,000 / 5,000
    python benchmarks/scaling.py --sizes 1000,20000 --latency 0.15 --processing-delay 2

Every size uses the same settings, so that per-document figures are comparable: by
default the simulator answers with no added latency and processes a lote in 0.5 s (the
150 ms / 2 s of drain.py would make 100,000 documents take far longer without telling
more about the client: with no latency the drain time is the client's own cost plus
one processing delay). One run per size.

Fixed costs (the same command on an empty queue, median of 3) are measured first and
subtracted from the per-document figures. Per size, in a fresh data folder:
- queue: a child process queues N documents with `enqueue_documents` (chunks of 5,000):
  seconds and the child's peak RSS;
- drain: the simulator in its own process, then `lote sync --until-idle` as a
  subprocess: wall seconds, CPU seconds and peak RSS of that process (`os.wait4`), and
  the requests the simulator served.

The last column divides each per-document time by the smallest size's: ≈ 1 is linear,
growing values mean a cost that grows with the number of documents already there.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    FACTURASEND_BATCH,
    PY,
    ROOT,
    SandboxProcess,
    Workspace,
    add_profile,
    build_queued,
    final_states,
    log,
    parser,
    peak_rss_mb,
    print_machine,
    requests_line,
    set_profile_url,
    use_bench_env,
    wait4,
)

FINAL = ("APPROVED", "APPROVED_WITH_OBSERVATIONS", "REJECTED")
PNG = Path(__file__).with_name("scaling.png")


def queue_child(workdir: Path, n: int) -> None:
    """Runs in a child process: queue n documents, print seconds and peak RSS."""
    use_bench_env(workdir)
    ws = Workspace(path=workdir)
    db = ws.open_db()
    took = build_queued(db, 1, n)
    db.dispose()
    print("RESULT " + json.dumps({"seconds": took, "rss": peak_rss_mb()}), flush=True)


def one_size(n: int, *, latency: float, delay: float, poll_every: float, keep: bool) -> dict:
    ws = Workspace(prefix=f"lote-scale-{n}-", keep=keep)
    use_bench_env(ws.path)
    try:
        db = ws.open_db()
        pid = add_profile(ws, db, "http://127.0.0.1:9", poll_first_s=delay, poll_every_s=poll_every)
        db.dispose()
        assert pid == 1
        log(f"{n:,}: queueing")
        out = subprocess.run([PY, str(Path(__file__).resolve()), "--queue-child", str(ws.path),
                              "--n", str(n)], env=ws.env(), cwd=ROOT, capture_output=True,
                             text=True, timeout=3600)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if line is None:
            raise RuntimeError(f"queueing failed: {out.stderr[-2000:]}")
        queued = json.loads(line[len("RESULT "):])
        log(f"{n:,}: queued in {queued['seconds']:.1f} s; draining")
        with SandboxProcess(latency=latency, processing_delay=delay) as sb:
            db = ws.open_db()
            set_profile_url(db, pid, sb.url)
            db.dispose()
            t0 = time.perf_counter()
            proc = subprocess.Popen([PY, "-m", "desktop_app", "sync", "--until-idle", "--timeout",
                                     "7200"], env=ws.env(), cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            code, usage = wait4(proc, timeout=7300)
            wall = time.perf_counter() - t0
            counts = sb.counts()
        db = ws.open_db()
        finished = sum(final_states(db).get(s, 0) for s in FINAL)
        db.dispose()
        size_mb = ws.db_path.stat().st_size / 1024 / 1024
    finally:
        ws.cleanup()
    result = {"n": n, "queue_s": queued["seconds"], "queue_rss": queued["rss"], "drain_s": wall,
              "cpu_s": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024,
              "exit": code, "final": finished, "requests": counts, "db_mb": size_mb}
    log(f"{n:,}: drained in {wall:.1f} s, CPU {result['cpu_s']:.1f} s, peak RSS "
        f"{result['rss']:.0f} MB, {requests_line(counts)}, {finished} final, exit {code}")
    return result


def print_results(results: list[dict], empty: dict, delay: float) -> None:
    """Per-document figures are net of the fixed costs: the same command on an empty
    queue (start-up, opening the database) and, for the wall time, one processing delay."""
    for r in results:
        r["drain_net"] = max(1e-3, r["drain_s"] - empty["drain_s"] - delay)
        r["cpu_net"] = max(1e-3, r["cpu_s"] - empty["cpu_s"])
    base = results[0]
    per = {k: base[k] / base["n"] for k in ("queue_s", "drain_net", "cpu_net")}
    print("\nScaling (one run per size)")
    print("-" * 26)
    print(f"{'documents':>10} {'queue s':>8} {'µs/doc':>7} {'drain s':>8} {'net ms/doc':>10} "
          f"{'CPU s':>7} {'net ms/doc':>10} {'RSS sync':>9} {'RSS queue':>10} {'DB MB':>6} "
          f"{'requests':>9} {'final':>7}  per-doc growth vs {base['n']:,} (queue / drain / CPU)")
    for r in results:
        n = r["n"]
        req = sum(r["requests"].get("requests", {}).values())
        growth = " / ".join(f"{r[k] / n / per[k]:.2f}" for k in ("queue_s", "drain_net", "cpu_net"))
        print(f"{n:>10,} {r['queue_s']:>8.1f} {r['queue_s'] / n * 1e6:>7.0f} {r['drain_s']:>8.1f} "
              f"{r['drain_net'] / n * 1000:>10.3f} {r['cpu_s']:>7.1f} {r['cpu_net'] / n * 1000:>10.3f} "
              f"{r['rss']:>7.0f}MB {r['queue_rss']:>8.0f}MB {r['db_mb']:>6.0f} {req:>9} "
              f"{r['final']:>7}  {growth}")
    minimum = [2 * math.ceil(r["n"] / FACTURASEND_BATCH) for r in results]
    print("minimum requests (2 per lote of 50): " + ", ".join(f"{m:,}" for m in minimum))
    print(f"fixed costs subtracted: `lote sync --until-idle` on an empty queue (median of 3) took "
          f"{empty['drain_s']:.2f} s wall, {empty['cpu_s']:.2f} s CPU, {empty['rss']:.0f} MB; the "
          f"wall time also loses one processing delay ({delay:g} s). CPU and RSS are the `lote "
          "sync` process's own (os.wait4); queue RSS is the queueing process's peak.")
    sys.stdout.flush()


def draw_png(results: list[dict], path: Path, title: str) -> None:
    """Two log-log panels drawn with QPainter (no plotting dependency): seconds against
    documents (queue, drain, CPU, with a dashed line of slope 1 through the first
    point of each: linear growth stays on it) and peak RSS against documents."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter
    from PySide6.QtWidgets import QApplication

    from benchmarks.qt_helpers import NoneGuard

    _app = QApplication.instance() or QApplication(sys.argv)
    guard = NoneGuard()  # thousands of void QPainter calls follow (see qt_helpers)
    width, height = 1200, 560
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(14)
    p.setFont(font)
    p.drawText(QRectF(0, 8, width, 24), Qt.AlignmentFlag.AlignCenter, title)
    ns = [r["n"] for r in results]
    series_time = [
        ("queue (enqueue_documents)", "#1a73e8", [r["queue_s"] for r in results]),
        ("drain wall, net of start-up and one delay", "#d93025", [r["drain_net"] for r in results]),
        ("drain CPU (lote sync), net of start-up", "#188038", [r["cpu_net"] for r in results]),
    ]
    series_mem = [
        ("peak RSS, lote sync --until-idle", "#d93025", [r["rss"] for r in results]),
        ("peak RSS, queueing process", "#1a73e8", [r["queue_rss"] for r in results]),
    ]
    _panel(p, QRectF(100, 60, 480, 420), ns, series_time, "documents", "seconds", log_y=True)
    _panel(p, QRectF(700, 60, 460, 420), ns, series_mem, "documents", "MB", log_y=False)
    p.end()
    guard.check()
    image.save(str(path))


def _panel(p, rect, xs, series, xlabel, ylabel, *, log_y: bool) -> None:
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QPen

    x_lo, x_hi = math.log10(min(xs)) - 0.15, math.log10(max(xs)) + 0.15
    values = [v for _, _, vs in series for v in vs]
    if log_y:
        y_lo = math.floor(math.log10(min(values)))
        y_hi = math.ceil(math.log10(max(values)))
        y_hi = max(y_hi, y_lo + 1)
    else:
        y_lo, y_hi = 0.0, max(values) * 1.15

    def px(x: float) -> float:
        return rect.left() + (math.log10(x) - x_lo) / (x_hi - x_lo) * rect.width()

    def py(y: float) -> float:
        v = math.log10(y) if log_y else y
        return rect.bottom() - (v - y_lo) / (y_hi - y_lo) * rect.height()

    grid = QPen(QColor("#dadce0"))
    axis = QPen(QColor("#5f6368"))
    p.setPen(axis)
    p.drawRect(rect)
    p.setPen(grid)
    for t in xs:
        if x_lo <= math.log10(t) <= x_hi:
            p.drawLine(QPointF(px(t), rect.top()), QPointF(px(t), rect.bottom()))
            p.setPen(axis)
            p.drawText(QRectF(px(t) - 40, rect.bottom() + 4, 80, 18), Qt.AlignmentFlag.AlignCenter,
                       f"{t:,}")
            p.setPen(grid)
    if log_y:
        yticks = [10.0 ** e for e in range(int(y_lo), int(y_hi) + 1)]
    else:
        step = 10 ** math.floor(math.log10(max(1.0, y_hi / 5)))
        step *= 2 if y_hi / step > 10 else 1
        yticks = [k * step for k in range(int(y_hi / step) + 1)]
    for t in yticks:
        if t <= 0 and log_y:
            continue
        y = py(t)
        if rect.top() - 1 <= y <= rect.bottom() + 1:
            p.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            p.setPen(axis)
            label = f"{t:g}"
            p.drawText(QRectF(rect.left() - 66, y - 9, 60, 18),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            p.setPen(grid)
    p.setPen(axis)
    p.drawText(QRectF(rect.left(), rect.bottom() + 22, rect.width(), 18),
               Qt.AlignmentFlag.AlignCenter, xlabel + " (log scale)")
    p.save()
    p.translate(rect.left() - 80, rect.center().y())
    p.rotate(-90)
    p.drawText(QRectF(-100, -18, 200, 18), Qt.AlignmentFlag.AlignCenter,
               ylabel + (" (log scale)" if log_y else ""))
    p.restore()
    for row, (name, color, vs) in enumerate(series):
        pen = QPen(QColor(color))
        pen.setWidthF(2.2)
        p.setPen(pen)
        points = [QPointF(px(x), py(max(v, 1e-9))) for x, v in zip(xs, vs, strict=True)]
        for a, b in zip(points, points[1:], strict=False):
            p.drawLine(a, b)
        for k, pt in enumerate(points):
            p.drawEllipse(pt, 4, 4)
            if not log_y:  # memory: print the values (the two series may overlap)
                p.drawText(QPointF(pt.x() + 6, pt.y() + (-8 if row == 0 else 16)), f"{vs[k]:.0f}")
        if log_y:  # linear growth through the first point: slope 1 on log-log axes
            dashed = QPen(QColor(color))
            dashed.setStyle(Qt.PenStyle.DashLine)
            p.setPen(dashed)
            p.setClipRect(rect)
            k = vs[0] / xs[0]
            p.drawLine(QPointF(px(xs[0]), py(vs[0])), QPointF(px(xs[-1]), py(k * xs[-1])))
            p.setClipping(False)
        p.setPen(QPen(QColor(color)))
        p.drawText(QPointF(rect.left() + 10, rect.top() + 18 + 18 * row), name)
    if log_y:
        p.setPen(QPen(QColor("#5f6368")))
        p.drawText(QPointF(rect.left() + 10, rect.top() + 18 + 18 * len(series)),
                   "dashed: linear growth from the first size")


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__, runs=1)
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--processing-delay", type=float, default=0.5)
    p.add_argument("--poll-every", type=float, default=0.1)
    p.add_argument("--png", help=f"where to draw the plot (default {PNG.name} beside this "
                                  "script; a --quick run draws into the temporary folder)")
    p.add_argument("--queue-child", help=__import__("argparse").SUPPRESS)
    p.add_argument("--n", type=int, help=__import__("argparse").SUPPRESS)
    args = p.parse_args(argv)
    if args.queue_child:
        queue_child(Path(args.queue_child), args.n)
        return 0
    sizes = [200, 1000, 5000] if args.quick else [int(s) for s in args.sizes.split(",")]
    print_machine()
    print(f"scaling: {', '.join(f'{s:,}' for s in sizes)} documents; latency "
          f"{args.latency * 1000:.0f} ms, processing delay {args.processing_delay:g} s, poll every "
          f"{args.poll_every:g} s (same for every size); one run per size")
    empties = [one_size(0, latency=args.latency, delay=args.processing_delay,
                        poll_every=args.poll_every, keep=args.keep) for _ in range(3)]
    empty = {k: statistics.median(e[k] for e in empties) for k in ("drain_s", "cpu_s", "rss")}
    results = []
    for n in sizes:
        r = one_size(n, latency=args.latency, delay=args.processing_delay,
                     poll_every=args.poll_every, keep=args.keep)
        r["delay"] = args.processing_delay
        results.append(r)
    print_results(results, empty, args.processing_delay)
    title = (f"Lote: queue and drain against the simulator (latency {args.latency * 1000:.0f} ms, "
             f"processing {args.processing_delay:g} s), {time.strftime('%Y-%m-%d')}")
    png = Path(args.png) if args.png else (
        Path(tempfile.gettempdir()) / "lote-scaling-quick.png" if args.quick else PNG)
    draw_png(results, png, title)
    print(f"plot: {png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
