"""What every benchmark shares: data folders, the sandbox process, building documents
fast, and printing figures beside their targets.

Benchmarks are not tests (issue "Fast at every size"): they print what they measured
and always exit 0. Figures are medians of several runs where a run is cheap; ratios are
taken between figures measured in the same run of the script, never against a number
remembered from another day or machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PY = sys.executable
API_KEY = "api_key_demo"  # the sandbox's public demo key
TENANT = "demo"
EMISOR_RUC = "80069563-1"
PROFILE = "bench"
#: FacturaSend: at most 50 DE per lote/create and 50 CDC per de/estado (PROVIDERS.md).
FACTURASEND_BATCH = 50


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the figures."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- figures ----------------------------------------------------------------------------


@dataclass
class Figure:
    """One printed line: what, the value, the target and whether it is met.

    `ok` is None for figures that have no target of their own (context, ratios' inputs).
    """

    what: str
    value: str
    target: str = ""
    ok: bool | None = None
    note: str = ""


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("OK" if ok else "MISSED")


def print_table(title: str, figures: Sequence[Figure]) -> None:
    w_what = max(len(f.what) for f in figures)
    w_value = max(len(f.value) for f in figures)
    w_target = max([len(f.target) for f in figures] + [6])
    print(f"\n{title}")
    print("-" * len(title))
    print(f"{'what':<{w_what}}  {'measured':>{w_value}}  {'target':<{w_target}}  verdict")
    for f in figures:
        line = f"{f.what:<{w_what}}  {f.value:>{w_value}}  {f.target:<{w_target}}  {verdict(f.ok):<6}"
        if f.note:
            line += f"  {f.note}"
        print(line.rstrip())
    sys.stdout.flush()


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def runs_note(values: Sequence[float], fmt: str = "{:.2f}") -> str:
    return "runs: " + ", ".join(fmt.format(v) for v in values)


def parser(description: str | None, *, runs: int = 3) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a fast smoke run: small sizes, 1 run")
    p.add_argument("--runs", type=int, default=runs, help=f"runs to take the median of (default {runs})")
    p.add_argument("--keep", action="store_true", help="keep the temporary data folders")
    return p


# -- memory ------------------------------------------------------------------------------


def rss_mb() -> float:
    """Resident set size now (VmRSS), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss, kB on Linux), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- the machine -----------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        import PySide6
        import sqlalchemy
        versions = f"PySide6 {PySide6.__version__}, SQLAlchemy {sqlalchemy.__version__}"
    except ImportError:
        versions = ""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": mem,
            "python": platform.python_version(), "libraries": versions,
            "os": platform.platform(), "load average": load}


def print_machine() -> None:
    m = machine()
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; Python {m['python']}, "
          f"{m['libraries']}; load average {m['load average']}")


# -- data folders ---------------------------------------------------------------------


def bench_env(work: Path, **extra: str) -> dict[str, str]:
    """Environment for `lote` subprocesses (and this process, see `use_bench_env`):
    the data folder, a file keyring (test-only, as in benchmarks/soak.py; the real
    keyring never sees the benchmark's key) and Qt offscreen."""
    return {**os.environ, "LOTE_DATA_DIR": str(work / "data"), "PYTHONPATH": str(ROOT),
            "PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring",
            "LOTE_TEST_KEYRING_FILE": str(work / "keyring.json"),
            "QT_QPA_PLATFORM": "offscreen", **extra}


def use_bench_env(work: Path) -> None:
    """Point this process at `work` (call before anything reads the keyring)."""
    os.environ.update(bench_env(work))


class Workspace:
    """A temporary folder holding a Lote data folder (`data/`) and the keyring file."""

    def __init__(self, prefix: str = "lote-bench-", keep: bool = False,
                 path: Path | None = None) -> None:
        self.path = path or Path(tempfile.mkdtemp(prefix=prefix))
        self.keep = keep
        self.data = self.path / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        (self.data / "backups").mkdir(exist_ok=True)

    @property
    def db_path(self) -> Path:
        return self.data / "lote.sqlite3"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def open_db(self):
        import desktop_app.store.models  # noqa: F401  (the tables, before migrating)
        from desktop_app.store.db import Database

        return Database.open(self.db_url, backup_dir=self.data / "backups")

    def set_key(self, profile_name: str = PROFILE, key: str = API_KEY) -> None:
        keyring = self.path / "keyring.json"
        data = json.loads(keyring.read_text()) if keyring.exists() else {}
        data[f"lote/{profile_name}"] = key
        keyring.write_text(json.dumps(data))

    def env(self, **extra: str) -> dict[str, str]:
        return bench_env(self.path, **extra)

    def clone(self, prefix: str = "lote-bench-") -> Workspace:
        """A copy of this workspace (database closed first: `dispose()` checkpoints WAL)."""
        other = Workspace(prefix=prefix, keep=self.keep)
        shutil.copytree(self.path, other.path, dirs_exist_ok=True)
        return other

    def cleanup(self) -> None:
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            log(f"kept {self.path}")


def add_profile(ws: Workspace, db, base_url: str, *, max_batch: int = FACTURASEND_BATCH,
                poll_first_s: float = 2.0, poll_every_s: float = 0.25,
                name: str = PROFILE) -> int:
    """A real (non-demo) FacturaSend profile pointing at `base_url`, its key in the
    workspace's file keyring: what `lote profile add` makes, with benchmark polling."""
    from desktop_app.store.models import ProviderProfile
    from desktop_app.store.profiles import save_profile

    ws.set_key(name)
    profile = save_profile(db, ProviderProfile(
        name=name, provider="facturasend", country="PY", base_url=base_url, tenant=TENANT,
        emisor_ruc=EMISOR_RUC, emisor_name="Comercial Demo S.A.", tipo_contribuyente=2,
        max_batch=max_batch, poll_first_s=poll_first_s, poll_every_s=poll_every_s,
        poll_max_s=3600.0, is_default=True))
    assert profile.id is not None
    return profile.id


def set_profile_url(db, profile_id: int, base_url: str, **values: Any) -> None:
    from desktop_app.store.models import ProviderProfile

    with db.write() as s:
        p = s.get(ProviderProfile, profile_id)
        p.base_url = base_url
        for k, v in values.items():
            setattr(p, k, v)
        s.add(p)


# -- the sandbox process ------------------------------------------------------------------


class SandboxProcess:
    """`benchmarks/counting_sandbox.py` as a subprocess on 127.0.0.1: its CPU is never
    counted in the client's, and it counts the requests it served."""

    def __init__(self, *, latency: float = 0.0, processing_delay: float = 2.0,
                 stock: bool = False) -> None:
        cmd = [PY, str(ROOT / "benchmarks" / "counting_sandbox.py"), "--latency", str(latency),
               "--processing-delay", str(processing_delay)]
        if stock:
            cmd.append("--stock")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("URL "):
            self.proc.kill()
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        self.url = line.split(" ", 1)[1]
        self.latency = latency
        self.processing_delay = processing_delay
        self.stock = stock

    def _call(self, method: str, path: str) -> dict[str, Any]:
        import httpx

        r = httpx.request(method, self.url + path, timeout=30)
        r.raise_for_status()
        return r.json()

    def counts(self) -> dict[str, Any]:
        return self._call("GET", "/__bench/counts")

    def reset(self) -> None:
        self._call("POST", "/__bench/reset")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def requests_line(counts: dict[str, Any]) -> str:
    req = counts.get("requests", {})
    parts = [f"{k} {req[k]}" for k in ("lote/create", "de/estado", "de/numero", "other") if req.get(k)]
    return ", ".join(parts) or "none"


# -- building documents -------------------------------------------------------------------


def sample_documents(n: int, *, invalid_share: float = 0.1, seed: int = 1) -> list[Any]:
    """n domain Documents from `samples.paraguay` (10 % refused by the simulated SIFEN)."""
    from desktop_app.domain.paraguay import RULES
    from desktop_app.sandbox.samples import paraguay

    docs = []
    for raw in paraguay(n, invalid_share=invalid_share, seed=seed):
        doc, errors = RULES.parse(raw)
        assert doc is not None, errors
        docs.append(doc)
    return docs


def build_queued(db, profile_id: int, n: int, *, chunk: int = 5000, seed: int = 1,
                 invalid_share: float = 0.1) -> float:
    """Queue n documents through the real path (`enqueue_documents`, one transaction per
    chunk); returns the seconds it took."""
    from desktop_app.store.outbox import enqueue_documents

    started = time.perf_counter()
    for start in range(0, n, chunk):
        docs = sample_documents(min(chunk, n - start), seed=seed + start,
                                invalid_share=invalid_share)
        result = enqueue_documents(db, profile_id, docs, actor="import")
        assert result.ok, list(result.errors.items())[:3]
    return time.perf_counter() - started


def bulk_insert_final(db, profile_id: int, n: int, *, seed: int = 7, chunk: int = 20_000) -> float:
    """n documents already answered (85 % approved, 10 % rejected, 5 % approved with
    observations), with their lotes and two audit events each, by direct bulk INSERTs:
    for benchmarks where only the table matters. Returns seconds taken."""
    from sqlalchemy import func, insert, select

    from desktop_app.domain.paraguay import RULES
    from desktop_app.store.models import (
        Document,
        DocumentEvent,
        Lote,
        NumberSequence,
        ProviderProfile,
    )
    from desktop_app.store.outbox import check_documents, emisor_of

    started = time.perf_counter()
    rng = random.Random(seed)
    with db.session() as s:
        profile = s.get(ProviderProfile, profile_id)
        first = (s.execute(select(func.max(Document.numero)).where(
            Document.profile_id == profile_id)).scalar() or 0) + 1
    emisor = emisor_of(profile)
    # A few hundred real documents (prepared, numbered, with CDC and JSON) as templates.
    valid, _ = check_documents(sample_documents(300, seed=seed, invalid_share=0.0))
    templates = []
    for i, doc in enumerate(valid.values()):
        doc = RULES.with_numero(doc, first + i)
        summary = RULES.summary(doc)
        templates.append((summary, json.dumps(RULES.to_json(doc), ensure_ascii=False),
                          RULES.authority_id(doc, emisor)))
    base = datetime.now(UTC) - timedelta(days=90)
    lote_size = FACTURASEND_BATCH
    with db.write() as s:
        lote_rows = []
        for k in range((n + lote_size - 1) // lote_size):
            at = base + timedelta(seconds=k * 60)
            lote_rows.append({"profile_id": profile_id, "attempt_id": f"bulk-{seed}-{first}-{k}",
                              "provider_lote_id": str(100000 + k), "tipo_documento": 1,
                              "size": lote_size, "state": "DONE", "created_at": at,
                              "finished_at": at + timedelta(seconds=5)})
        lote_ids = list(s.scalars(insert(Lote).returning(Lote.id, sort_by_parameter_order=True),
                                  lote_rows))
    for start in range(0, n, chunk):
        rows, events = [], []
        for i in range(start, min(n, start + chunk)):
            summary, payload, cdc = templates[i % len(templates)]
            numero = first + i
            at = base + timedelta(seconds=(i // lote_size) * 60)
            roll = rng.random()
            if roll < 0.85:
                state, code, msg = "APPROVED", "0260", "Autorización del DE satisfactoria"
            elif roll < 0.95:
                state, code, msg = ("REJECTED", "1307",
                                    "El RUC del receptor 80000001-3 se encuentra inactivo (CANCELADO)")
            else:
                state, code, msg = ("APPROVED_WITH_OBSERVATIONS", "0261",
                                    "Aprobado con observación")
            # A unique CDC per document: the template's, with the number in place.
            cdc_n = f"{cdc[:17]}{numero:07d}{cdc[24:]}" if cdc else None
            rows.append({
                "profile_id": profile_id, "tipo_documento": summary.tipo_documento,
                "establecimiento": summary.establecimiento, "punto": summary.punto,
                "numero": numero, "fecha": (at.astimezone().replace(tzinfo=None)),
                "customer_name": summary.customer_name, "customer_tax_id": summary.customer_tax_id,
                "currency": summary.currency, "total": Decimal(summary.total),
                "iva_total": Decimal(summary.iva_total), "state": state, "processing": False,
                "attention": False, "cdc": cdc_n, "external_ref": None,
                "attempt_id": f"bulk-{i // lote_size}", "lote_id": lote_ids[i // lote_size],
                "code": code, "message": msg, "payload": payload, "polls": 1,
                "submitted_at": at, "created_at": at, "updated_at": at + timedelta(seconds=5),
            })
        with db.write() as s:
            ids = list(s.scalars(insert(Document).returning(Document.id, sort_by_parameter_order=True),
                                 rows))
            for doc_id, row in zip(ids, rows, strict=True):
                events.append({"document_id": doc_id, "at": row["created_at"], "from_state": None,
                               "to_state": "QUEUED", "actor": "import", "message": "Guardado y encolado"})
                events.append({"document_id": doc_id, "at": row["updated_at"], "from_state": "SUBMITTED",
                               "to_state": row["state"], "actor": "sync", "code": row["code"],
                               "message": row["message"], "lote_id": row["lote_id"]})
            s.execute(insert(DocumentEvent), events)
    with db.write() as s:
        seq = s.scalars(select(NumberSequence).where(NumberSequence.profile_id == profile_id,
                                                  NumberSequence.tipo_documento == 1,
                                                  NumberSequence.establecimiento == "001",
                                                  NumberSequence.punto == "001")).first()
        if seq is None:
            seq = NumberSequence(profile_id=profile_id, tipo_documento=1, establecimiento="001",
                                 punto="001")
        seq.next_numero = first + n
        s.add(seq)
    return time.perf_counter() - started


def pending_count(db) -> int:
    from desktop_app.sync.engine import SyncEngine

    return SyncEngine(db).pending_count()


def final_states(db) -> dict[str, int]:
    from desktop_app.store.queries import state_counts

    return state_counts(db)


# -- subprocesses ---------------------------------------------------------------------------


def run_lote(ws: Workspace, *args: str, timeout: float = 1800) -> tuple[subprocess.CompletedProcess, float]:
    """`lote ARGS` (python -m desktop_app) in the workspace; (result, wall seconds)."""
    started = time.perf_counter()
    out = subprocess.run([PY, "-m", "desktop_app", *args], env=ws.env(), capture_output=True,
                         text=True, timeout=timeout, cwd=ROOT)
    return out, time.perf_counter() - started


def wait4(proc: subprocess.Popen, timeout: float | None = None) -> tuple[int, resource.struct_rusage]:
    """Wait for `proc` and return (exit status, its own rusage: CPU and peak RSS).

    `os.wait4` gives one child's usage even while other children (the sandbox) run."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage
        if deadline is not None and time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.02)


# -- profiles -------------------------------------------------------------------------------


PY_SPY = Path(PY).with_name("py-spy")


def py_spy_available() -> bool:
    return PY_SPY.exists() or shutil.which("py-spy") is not None


def py_spy_command(out: Path, *, rate: int = 250, extra: Sequence[str] = ()) -> list[str]:
    """`py-spy record` in raw (collapsed stacks) format, to be followed by `--` and the
    command: `--gil` samples only the thread holding the GIL, i.e. Python doing work
    (waiting threads and threads blocked in C code are left out)."""
    exe = str(PY_SPY) if PY_SPY.exists() else "py-spy"
    return [exe, "record", "--gil", "-r", str(rate), "-f", "raw", "-o", str(out), *extra]


def summarize_collapsed(path: Path, *, top: int = 15, only: str = "desktop_app") -> str:
    """The hottest functions of a py-spy raw profile: inclusive share per function
    (counted once per stack) for frames whose file contains `only`, and the
    leaf ("self") share of every frame. Enough to point at a bottleneck in a report."""
    from collections import Counter

    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        seen: set[str] = set()
        for frame in frames:
            name = _frame_name(frame)
            if only in frame and name not in seen:
                seen.add(name)
                inclusive[name] += count
        leaf[_frame_name(frames[-1])] += count
    if not total:
        return "  (no samples)"
    lines = [f"  {total} samples; inclusive share of {only} functions:"]
    lines += [f"    {100 * c / total:5.1f} %  {name}" for name, c in inclusive.most_common(top)]
    lines.append("  self (leaf) share, any code:")
    lines += [f"    {100 * c / total:5.1f} %  {name}" for name, c in leaf.most_common(top)]
    return "\n".join(lines)


def _frame_name(frame: str) -> str:
    """'enqueue_documents (desktop_app/store/outbox.py:90)' -> 'enqueue_documents (store/outbox.py)'."""
    func, _, where = frame.partition(" (")
    where = where.rstrip(")")
    file = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", "desktop_app/", "lib/python3.11/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{func} ({file})"
