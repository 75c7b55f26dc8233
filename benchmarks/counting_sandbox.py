"""`lote sandbox` for benchmarks: the FacturaSend simulator, plus request counters.

Run as its own process (so its CPU is never counted in the client's):

    python benchmarks/counting_sandbox.py --latency 0.15 --processing-delay 2

It prints ``URL <base url>`` once listening, then serves until SIGTERM (or until the
process that started it is gone), exactly like
`lote sandbox --provider facturasend` (same class, same `latency` and
`processing_delay`), with two additions the benchmarks need:

- ``GET /__bench/counts`` → ``{"requests": {"lote/create": n, "de/estado": n, ...},
  "documents": n, "approved": n, "rejected": n, "cpu_s": ...}`` and
  ``POST /__bench/reset`` (zero the counters). These paths skip the latency.
- By default the simulated SIFEN keeps indexes (CDC → attempts, approved CDCs and
  numbers, the first unprocessed lote), so the simulator answers in constant time per
  document. The stock `FacturaSendSandbox` scans every attempt it ever received for each
  CDC asked about and for each document it judges — O(N²) over a drain, which at 5,000
  documents costs seconds of CPU on the machine the client runs on, and makes 100,000
  impossible. `--stock` keeps the stock behaviour, to show that cost. The answers are the
  same for everything the benchmarks do (no drafts).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import sys
import threading
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.credentials import DEMO_API_KEY  # noqa: E402
from desktop_app.sandbox import facturasend as fs  # noqa: E402
from desktop_app.sandbox.server import Request, Response, json_response  # noqa: E402

_KINDS = (
    ("lote/create", re.compile(r"/lote/create$")),
    ("de/estado", re.compile(r"/de/estado$")),
    ("de/numero", re.compile(r"/de/numero/")),
)


def _kind(path: str) -> str:
    for name, pattern in _KINDS:
        if pattern.search(path):
            return name
    return "other"


class CountingSandbox(fs.FacturaSendSandbox):
    """The stock simulator with request counters on `/__bench/...`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._counts: Counter[str] = Counter()
        self._count_lock = threading.Lock()

    def _respond(self, request: Request) -> Response:
        if request.path.startswith("/__bench/"):
            return self._bench(request)
        with self._count_lock:
            self._counts[_kind(request.path)] += 1
        return super()._respond(request)

    def _bench(self, request: Request) -> Response:
        if request.path == "/__bench/reset":
            with self._count_lock:
                self._counts.clear()
            return json_response({"ok": True})
        with self._count_lock:
            counts = dict(self._counts)
        with self._lock:
            docs = list(self._docs)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return json_response({
            "requests": counts,
            "documents": len(docs),
            "approved": sum(d.situacion in (2, 3) for d in docs),
            "rejected": sum(d.situacion == 4 for d in docs),
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "max_rss_mb": usage.ru_maxrss / 1024,
        })


class IndexedCountingSandbox(CountingSandbox):
    """Same answers as the stock simulator for lotes without drafts, in O(1) per document.

    Relies on what the stock class guarantees without drafts: lotes are processed in
    creation order with one processing delay, so "approved earlier" is "approved so far".
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._by_cdc: dict[str, list[int]] = defaultdict(list)
        self._indexed = 0
        self._approved_cdcs: set[str] = set()
        self._approved_numbers: dict[fs.NumberKey, set[str]] = defaultdict(set)
        self._next_to_process = 1  # lote ids count up from 1 (stock class)

    def _index_new(self) -> None:
        """Called under `self._lock`: index the attempts received since last time."""
        for seq in range(self._indexed, len(self._docs)):
            self._by_cdc[self._docs[seq].cdc].append(seq)
        self._indexed = len(self._docs)

    def process_due(self) -> None:
        with self._lock:
            now = self._clock()
            while (lote := self._lotes.get(self._next_to_process)) is not None:
                if not lote.processed:
                    if lote.draft or now - lote.created_at < self.processing_delay:
                        break
                    for seq in lote.seqs:
                        self._docs[seq] = self._judge(self._docs[seq])
                    lote.processed = True
                self._next_to_process += 1

    def _judge(self, doc: fs.SandboxDocument) -> fs.SandboxDocument:
        if doc.cdc in self._approved_cdcs:
            return fs._rejected(doc, "1001", "CDC duplicado")
        if any(c != doc.cdc for c in self._approved_numbers.get(doc.number_key, ())):
            return fs._rejected(doc, "1002", "Documento electrónico duplicado")
        rejection = self._content_rejection(doc.payload)
        if rejection is not None:
            return fs._rejected(doc, *rejection)
        self._approved_cdcs.add(doc.cdc)
        self._approved_numbers[doc.number_key].add(doc.cdc)
        return replace(doc, situacion=fs.APROBADO[0], estado=fs.APROBADO[1], code="0260",
                       message="Autorización del DE satisfactoria")

    def _estado_item(self, cdc: str) -> dict[str, Any]:
        self._index_new()
        attempts = [self._docs[s] for s in self._by_cdc.get(cdc, ())]
        if not attempts:
            return super()._estado_item(cdc)
        approved = [d for d in attempts if d.situacion in (2, 3)]
        return fs._item(approved[0] if approved else attempts[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    p.add_argument("--processing-delay", type=float, default=2.0)
    p.add_argument("--stock", action="store_true",
                   help="the stock simulator's O(N) lookups per CDC (see the module docstring)")
    args = p.parse_args(argv)
    cls = CountingSandbox if args.stock else IndexedCountingSandbox
    sandbox = cls(port=args.port, api_key=DEMO_API_KEY, tenant="demo",
                  processing_delay=args.processing_delay)
    sandbox.latency = args.latency
    sandbox.start()
    print(f"URL {sandbox.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    parent = os.getppid()

    def orphaned() -> None:  # the benchmark died without stopping us (a crash, a kill)
        while not stop.wait(1.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=orphaned, daemon=True).start()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
        print(json.dumps({"stopped": True}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
