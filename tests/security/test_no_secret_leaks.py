"""A recognisable API key must appear nowhere but the keyring: not in the data folder
(database, WAL, backups, logs), not in any output, even after a sync full of faults."""

from __future__ import annotations

from pathlib import Path

from desktop_app.sandbox.facturasend import FacturaSendSandbox
from desktop_app.sandbox.server import Fault
from tests.cli.test_cli import lote, write_des
from tests.support.factories import document

SECRET = "api_key_LOTE-SECRETO-4242-xyz"


def test_the_api_key_is_in_no_file_and_no_output_after_a_faulty_sync(tmp_path: Path) -> None:
    outputs: list[str] = []

    def run(*args: str, stdin: str | None = None):
        out = lote(tmp_path, "-v", *args, stdin=stdin)
        outputs.extend([out.stdout, out.stderr])
        return out

    with FacturaSendSandbox(api_key=SECRET, processing_delay=0.1) as sandbox:
        assert run("profile", "add", "tienda", "--provider", "facturasend", "--base-url",
                   sandbox.url, "--tenant", "demo", "--emisor", "80069563-1", "--poll-first",
                   "0.1", "--poll-every", "0.2", "--default", stdin=SECRET + "\n").returncode == 0
        assert run("import", str(write_des(tmp_path / "v.json",
                                           [document() for _ in range(40)]))).returncode == 0
        sandbox.inject_fault(Fault.RESET_AFTER, path="lote/create")
        sandbox.inject_fault(Fault.HTTP_500, path="de/estado")
        sandbox.inject_fault(Fault.MALFORMED_JSON_AFTER, path="de/numero")
        assert run("sync", "--until-idle", "--timeout", "90").returncode == 0
        run("list", "--json")
        run("show", "1", "--json")
        run("profile", "test", "tienda")
        run("backup")
    # A wrong key is reported without echoing it either.
    assert run("profile", "add", "otra", "--provider", "facturasend", "--base-url",
               "http://127.0.0.1:9", stdin=SECRET + "-wrong\n").returncode == 0
    hits = [f for f in (tmp_path / "data").rglob("*") if f.is_file() and SECRET.encode() in f.read_bytes()]
    assert hits == []
    assert [o for o in outputs if SECRET in o] == []
    assert any("INFO desktop_app.sync.engine" in o for o in outputs)  # faults were logged
