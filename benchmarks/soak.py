"""Soak test: thousands of documents, injected faults and SIGKILLed senders.

For each provider dialect it: starts the dialect's sandbox in this process with a random
fault rate (resets before/after processing, 500/503, 524-after-processing, malformed and
truncated bodies, HTML pages) and a lote processing delay; imports N documents (a share
of them refused by the simulated authority) through `lote import`; then runs
`lote sync --until-idle` as a separate process and SIGKILLs it at random moments K
times, restarting it each time; finally lets it drain. It prints, per dialect: documents
saved, approved, rejected, lost (must be 0), issued twice (must be 0, from the
sandbox's counters), resent (documents not finally rejected that the provider received
more than once, where the dialect counts receipts: SIFEN blocks an emisor for that) and
the time to drain.

    python benchmarks/soak.py                       # 2,000 documents, 20 kills, 10 % faults
    python benchmarks/soak.py --docs 300 --kills 3  # a quick one

Exit status 1 if anything was lost or issued twice.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.providers.registry import PROVIDER_DEFAULTS  # noqa: E402
from desktop_app.sandbox.samples import SAMPLERS  # noqa: E402

FINAL = {"APPROVED", "APPROVED_WITH_OBSERVATIONS", "REJECTED"}

#: How each dialect's sandbox is built and what the profile needs to reach it.
SETUPS: dict[str, dict[str, Any]] = {
    "facturasend": {"sandbox": {"api_key": "api_key_demo", "tenant": "demo"},
                    "key": "api_key_demo", "tenant": "demo", "emisor": "80069563-1"},
    "jsifen": {"sandbox": {"api_key": "api_key_demo", "emisor_ruc": "80069563-1"},
               "key": "api_key_demo", "tenant": None, "emisor": "80069563-1",
               # The sandbox's SIFEN answers in 0.5 s, so the grace before a document
               # that SIFEN says it does not have may be resent is compressed too.
               "env": {"LOTE_JSIFEN_GRACE_S": "3"}},
    "dtepy": {"sandbox": {"api_key": "api_key_demo", "tenant": "1"},
              "key": "api_key_demo", "tenant": "1", "emisor": "80069563-1"},
    "cucu": {"sandbox": {"api_key": "api_key_demo"}, "key": "api_key_demo", "tenant": None,
             # CUCU may take 30 s per invoice; its sandbox answers at once.
             "env": {"LOTE_CUCU_INVOICE_S": "0.1"}},
    "tusfacturas": {"sandbox": {"api_key": "api_key_demo"}, "key": "api_key_demo",
                    "tenant": None},
}


@dataclass
class SoakResult:
    provider: str
    saved: int
    approved: int
    rejected: int
    lost: int
    issued_twice: int
    resent: int
    kills: int
    drain_s: float

    def line(self) -> str:
        return (f"{self.provider:<12} {self.saved:>6} {self.approved:>8} {self.rejected:>8} "
                f"{self.lost:>5} {self.issued_twice:>12} {self.resent:>6} {self.kills:>5} "
                f"{self.drain_s:>9.1f}")


HEADER = (f"{'dialect':<12} {'saved':>6} {'approved':>8} {'rejected':>8} {'lost':>5} "
          f"{'issued twice':>12} {'resent':>6} {'kills':>5} {'drain (s)':>9}")


_EXTRA_ENV: dict[str, str] = {}


def _env(work: Path) -> dict[str, str]:
    return {**os.environ, "LOTE_DATA_DIR": str(work / "data"), "PYTHONPATH": str(ROOT),
            "PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring",
            "LOTE_TEST_KEYRING_FILE": str(work / "keyring.json"), **_EXTRA_ENV}


def _lote(work: Path, *args: str, stdin: str | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop_app", *args], input=stdin,
                          env=_env(work), capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def run_soak(provider: str, *, docs: int, kills: int, fault_rate: float, work: Path,
             seed: int = 1, processing_delay: float = 0.5, max_runtime: float = 1800) -> SoakResult:
    from desktop_app.providers.registry import make_sandbox

    setup = SETUPS[provider]
    _EXTRA_ENV.clear()
    _EXTRA_ENV.update(setup.get("env", {}))
    country = PROVIDER_DEFAULTS[provider]["country"]
    rng = random.Random(seed)
    sandbox = make_sandbox(provider, processing_delay=processing_delay, **setup["sandbox"])
    sandbox.start()
    try:
        add = ["profile", "add", "soak", "--provider", provider, "--base-url", sandbox.url,
               "--poll-first", "0.3", "--poll-every", "0.5", "--default"]
        if setup.get("tenant"):
            add += ["--tenant", setup["tenant"]]
        if setup.get("emisor"):
            add += ["--emisor", setup["emisor"]]
        out = _lote(work, *add, stdin=setup["key"] + "\n")
        assert out.returncode == 0, out.stderr
        source = work / "ventas.json"
        source.write_text(json.dumps(SAMPLERS[country](docs, seed=seed), ensure_ascii=False))
        out = _lote(work, "import", str(source))
        assert out.returncode == 0, out.stderr
        sandbox.set_fault_rate(fault_rate, seed=seed)
        started = time.monotonic()
        deadline = started + max_runtime
        for _ in range(kills):
            proc = subprocess.Popen([sys.executable, "-m", "desktop_app", "sync", "--until-idle"],
                                    env=_env(work), cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.3, 2.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        sandbox.set_fault_rate(fault_rate / 2, seed=seed + 1)  # faults go on while draining
        out = _lote(work, "sync", "--until-idle", "--timeout", str(max(30.0, deadline - time.monotonic())))
        drain = time.monotonic() - started
        rows = json.loads(_lote(work, "list", "--json").stdout)
        states = [r["state"] for r in rows]
        # Dialects whose provider assigns the number count issues by Lote's reference.
        counts = (sandbox.issued_by_ref() if hasattr(sandbox, "issued_by_ref")
                  else sandbox.approvals_by_number())
        receipts = sandbox.receipts_by_cdc() if hasattr(sandbox, "receipts_by_cdc") else {}
        return SoakResult(
            provider=provider, saved=len(rows),
            approved=sum(s.startswith("APPROVED") for s in states),
            rejected=states.count("REJECTED"),
            lost=docs - sum(s in FINAL for s in states),
            issued_twice=sum(1 for c in counts.values() if c > 1),
            # SIFEN may be asked again about a rejected CDC (its by-CDC query even says
            # "no existe o ha sido rechazado"); resending anything else is the fault.
            resent=sum(1 for r in rows if receipts.get(r.get("cdc") or "", 0) > 1
                       and r["state"] != "REJECTED"),
            kills=kills, drain_s=drain,
        )
    finally:
        sandbox.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=2000)
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--fault-rate", type=float, default=0.10)
    p.add_argument("--provider", action="append", choices=sorted(SETUPS))
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    print(f"soak: {args.docs} documents per dialect, {args.kills} SIGKILLs, "
          f"{args.fault_rate:.0%} injected faults", flush=True)
    print(HEADER, flush=True)
    bad = False
    for provider in args.provider or sorted(SETUPS):
        with tempfile.TemporaryDirectory(prefix=f"lote-soak-{provider}-") as tmp:
            result = run_soak(provider, docs=args.docs, kills=args.kills,
                              fault_rate=args.fault_rate, work=Path(tmp), seed=args.seed)
        print(result.line(), flush=True)
        bad |= result.lost > 0 or result.issued_twice > 0
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
