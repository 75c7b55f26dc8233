"""A real PostgreSQL server for the shared-database tests, started by the suite itself.

`initdb` + `pg_ctl start` from Debian's postgresql package (/usr/lib/postgresql/*/bin),
in a temporary folder: trust authentication, a free port on 127.0.0.1, the unix socket
in the same folder, durability off (a throwaway cluster). initdb refuses to run as
root, so as root (CI) the server runs as the system user `lotepg`, created if missing.
Every test gets a fresh database (`pg_url`). Without the binaries the tests are skipped
and say why.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from desktop_app.store.db import Database

PG_USER = "lotepg"  # the system user the server runs as when the tests run as root
SUPERUSER = "lote"  # the database role the tests connect as (trust authentication)
_names = itertools.count(1)


def _pg_bin() -> Path | None:
    """The newest /usr/lib/postgresql/N/bin with initdb and pg_ctl (LOTE_PG_BIN overrides)."""
    candidates = (
        [os.environ["LOTE_PG_BIN"]]
        if os.environ.get("LOTE_PG_BIN")
        else sorted(
            glob.glob("/usr/lib/postgresql/*/bin"),
            key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
            reverse=True,
        )
    )
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    bin: Path
    root: Path
    port: int
    run_as: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return subprocess.run(
            cmd, cwd=self.root, capture_output=True, text=True, check=check, timeout=120
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=32MB"
        )
        out = self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            check=False,
        )
        if out.returncode != 0:
            log = self.root / "server.log"
            raise RuntimeError(
                f"pg_ctl start failed: {out.stdout}{out.stderr}\n"
                f"{log.read_text() if log.exists() else ''}"
            )

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w", check=False)

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]


def _ensure_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.skip(
            "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin "
            "(apt-get install postgresql): the shared-database tests need them"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'psycopg[binary]')")
    root = Path(tempfile.mkdtemp(prefix="lote-pg-"))
    run_as = None
    if os.geteuid() == 0:
        _ensure_user(PG_USER)
        run_as = PG_USER
    server = PgServer(pg_bin, root, _free_port(), run_as)
    server.socket_dir.mkdir()
    if run_as:
        entry = pwd.getpwnam(run_as)
        for path in (root, server.socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    init = server._run(
        "initdb",
        "-D",
        str(server.data),
        "-U",
        SUPERUSER,
        "--auth=trust",
        "--encoding=UTF8",
        "--no-locale",
        "--no-sync",
        check=False,
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stdout}{init.stderr}")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database on the test server (dropped afterwards)."""
    name = f"lote_{os.getpid()}_{next(_names)}"
    pg_server.admin(f'CREATE DATABASE "{name}"')
    yield pg_server.url(name)
    pg_server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def shared(pg_url: str) -> Iterator[tuple[Database, int]]:
    """A migrated database seen as terminal A, with one profile: (database, profile id)."""
    from desktop_app.store.db import Database
    from desktop_app.store.profiles import save_profile
    from tests.postgres.helpers import TERMINAL_A, profile

    db = Database.open(pg_url, terminal_id=TERMINAL_A)
    p = save_profile(db, profile())
    assert p.id is not None
    yield db, p.id
    db.dispose()
