"""The `lote` command run as a user would: real processes, a real data folder, the
sandbox on 127.0.0.1 (the CLI's own in demo mode, or one the test starts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.domain.document import document_to_json
from tests.support.factories import document

ROOT = Path(__file__).resolve().parents[2]


def lote(tmp_path: Path, *args: str, stdin: str | None = None, env: dict | None = None,
         timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "LOTE_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT),
                "PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring",
                "LOTE_TEST_KEYRING_FILE": str(tmp_path / "keyring.json")}
    full_env.pop("LOTE_API_KEY", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "desktop_app", *args], input=stdin, env=full_env,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def write_des(path: Path, docs) -> Path:
    path.write_text(json.dumps([document_to_json(d) for d in docs], ensure_ascii=False))
    return path


def listed(tmp_path: Path, *extra: str) -> list[dict]:
    out = lote(tmp_path, "list", "--json", *extra)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_import_then_sync_until_idle_approves_everything_in_demo_mode(tmp_path: Path) -> None:
    src = write_des(tmp_path / "ventas.json", [document(), document(), document()])
    out = lote(tmp_path, "import", str(src))
    assert out.returncode == 0, out.stderr
    assert "3 documento(s) encolado(s)" in out.stdout
    rows = listed(tmp_path)
    assert [r["state"] for r in rows] == ["QUEUED"] * 3
    assert rows[0]["numero"] == "001-001-0000001" and rows[0]["profile"] == "Demo"
    out = lote(tmp_path, "sync", "--until-idle", "--timeout", "45")
    assert out.returncode == 0, out.stderr
    rows = listed(tmp_path)
    assert {r["state"] for r in rows} == {"APPROVED"}
    for key in ("id", "profile", "tipoDocumento", "numero", "cdc", "state", "lote", "code", "message"):
        assert key in rows[0]
    assert rows[0]["code"] == "0260" and rows[0]["lote"] and len(rows[0]["cdc"]) == 44
    approved = listed(tmp_path, "--state", "APPROVED")
    assert len(approved) == 3


def test_import_with_an_invalid_document_imports_nothing_and_names_index_and_field(
        tmp_path: Path) -> None:
    bad = document(quantity="-2")
    payload = [document_to_json(document()), document_to_json(bad), {"tipoDocumento": "x"}]
    src = tmp_path / "mal.json"
    src.write_text(json.dumps(payload))
    out = lote(tmp_path, "import", str(src))
    assert out.returncode == 3
    assert "documento [1] items[0].cantidad:" in out.stderr
    assert "documento [2]" in out.stderr
    assert listed(tmp_path) == []
    out = lote(tmp_path, "import", str(src), "--skip-invalid")
    assert out.returncode == 0, out.stderr
    assert len(listed(tmp_path)) == 1


def test_show_prints_the_document_and_its_timeline(tmp_path: Path) -> None:
    src = write_des(tmp_path / "una.json", [document()])
    lote(tmp_path, "import", str(src))
    out = lote(tmp_path, "show", "001-001-0000001", "--json")
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout)
    assert shown["state"] == "QUEUED" and shown["document"]["items"][0]["descripcion"]
    assert [e["to"] for e in shown["events"]] == ["QUEUED"]
    assert lote(tmp_path, "show", "999").returncode == 1


def test_a_real_profile_stores_its_key_in_the_keyring_and_syncs_with_it(
        tmp_path: Path, sandbox) -> None:
    out = lote(tmp_path, "profile", "add", "tienda", "--provider", "facturasend",
               "--base-url", sandbox.url, "--tenant", "demo", "--emisor", "80069563-1",
               "--poll-first", "0.2", "--poll-every", "0.3", "--default",
               stdin="api_key_demo\n")
    assert out.returncode == 0, out.stderr
    keyring_file = json.loads((tmp_path / "keyring.json").read_text())
    assert keyring_file == {"lote/tienda": "api_key_demo"}
    listing = lote(tmp_path, "profile", "list")
    assert "tienda" in listing.stdout and "api_key_demo" not in listing.stdout
    src = write_des(tmp_path / "v.json", [document(), document()])
    assert lote(tmp_path, "import", str(src)).returncode == 0
    out = lote(tmp_path, "sync", "--until-idle", "--timeout", "30")
    assert out.returncode == 0, out.stderr
    rows = listed(tmp_path)
    assert [r["state"] for r in rows] == ["APPROVED", "APPROVED"]
    assert {r["profile"] for r in rows} == {"tienda"}
    assert set(sandbox.approvals_by_number().values()) == {1}
    # The secret is nowhere in the data folder.
    for f in (tmp_path / "data").rglob("*"):
        if f.is_file():
            assert b"api_key_demo" not in f.read_bytes(), f


def test_profile_add_refuses_a_bad_emisor_ruc_and_a_plain_http_remote_url(tmp_path: Path) -> None:
    out = lote(tmp_path, "profile", "add", "x", "--provider", "facturasend",
               "--base-url", "https://api.example.invalid", "--emisor", "80069563-7", stdin="k\n")
    assert out.returncode == 3 and "dígito verificador" in out.stderr
    out = lote(tmp_path, "profile", "add", "x", "--provider", "facturasend",
               "--base-url", "http://api.example.invalid", stdin="k\n")
    assert out.returncode == 3 and "https://" in out.stderr


def test_sync_until_idle_exits_4_when_the_provider_is_unreachable(tmp_path: Path, sandbox) -> None:
    lote(tmp_path, "profile", "add", "tienda", "--provider", "facturasend", "--base-url",
         sandbox.url, "--tenant", "demo", "--emisor", "80069563-1",
         env={"LOTE_API_KEY": "api_key_demo"})
    lote(tmp_path, "import", str(write_des(tmp_path / "v.json", [document()])))
    sandbox.set_down(True)
    out = lote(tmp_path, "sync", "--until-idle", "--timeout", "2")
    assert out.returncode == 4
    assert [r["state"] for r in listed(tmp_path)] == ["QUEUED"]


@pytest.mark.parametrize("argv", [["--help"], ["sync", "--help"]])
def test_help_works(tmp_path: Path, argv: list[str]) -> None:
    assert lote(tmp_path, *argv).returncode == 0


def test_demo_mode_works_on_a_machine_with_no_keyring_at_all(tmp_path: Path) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    src = write_des(tmp_path / "v.json", [document()])
    assert lote(tmp_path, "import", str(src), env=env).returncode == 0
    out = lote(tmp_path, "sync", "--until-idle", "--timeout", "45", env=env)
    assert out.returncode == 0, out.stderr
    assert [r["state"] for r in listed(tmp_path)] == ["APPROVED"]


def test_profile_test_says_plainly_what_works(tmp_path: Path, sandbox) -> None:
    lote(tmp_path, "profile", "add", "tienda", "--provider", "facturasend", "--base-url",
         sandbox.url, "--tenant", "demo", "--emisor", "80069563-1", stdin="api_key_demo\n")
    out = lote(tmp_path, "profile", "test", "tienda")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "URL: responde" in out.stdout and "Credenciales: aceptadas" in out.stdout
    assert "Reloj: diferencia de" in out.stdout
    lote(tmp_path, "profile", "add", "mala", "--provider", "facturasend", "--base-url",
         sandbox.url, "--tenant", "demo", stdin="api_key_wrong\n")
    out = lote(tmp_path, "profile", "test", "mala")
    assert out.returncode == 1 and "RECHAZADAS" in out.stdout
    assert "api_key_wrong" not in out.stdout + out.stderr
    sandbox.set_down(True)
    out = lote(tmp_path, "profile", "test", "tienda")
    assert out.returncode == 1 and "NO responde" in out.stdout


def test_import_of_the_sample_csv_and_xlsx_queues_them_and_bad_cells_are_named(tmp_path: Path) -> None:
    samples = ROOT / "resources" / "samples"
    out = lote(tmp_path, "import", str(samples / "paraguay.csv"))
    assert out.returncode == 0, out.stderr
    queued = len(listed(tmp_path))
    assert queued > 0
    bad = tmp_path / "mal.csv"
    text = (samples / "paraguay.csv").read_text(encoding="utf-8-sig").splitlines()
    sep = ";" if text[0].count(";") > text[0].count(",") else ","
    cols = text[0].split(sep)
    first = text[1].split(sep)
    first[cols.index("item_cantidad")] = "abc"
    bad.write_text("\n".join([text[0], sep.join(first)]) + "\n", encoding="utf-8")
    out = lote(tmp_path, "import", str(bad))
    assert out.returncode == 3
    assert "item_cantidad" in out.stderr
    assert len(listed(tmp_path)) == queued  # nothing more saved
    # The XLSX sample holds the same sales: importing them again is refused, by cell.
    out = lote(tmp_path, "import", str(samples / "paraguay.xlsx"))
    assert out.returncode == 3 and "paraguay.xlsx: fila 2" in out.stderr, out.stderr
    other = tmp_path / "other"
    out = lote(other, "import", str(samples / "paraguay.xlsx"))
    assert out.returncode == 0, out.stderr
    assert len(listed(other)) == queued
