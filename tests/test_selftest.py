"""`lote --self-test`: one invoice through database, sandbox, engine, PDF and window, in a
throw-away folder; one Spanish line; exit 0 — or the failing step and exit 1."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop_app import selftest

ROOT = Path(__file__).resolve().parents[1]
SUCCESS = re.compile(
    r"^Autoprueba correcta: factura 001-001-0000001 Aprobado \(0260\) en \d+,\d s; PDF \d+ KB$",
    re.MULTILINE,
)


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path_factory):
    """In-process the self-test uses the session's QApplication and leaves the window's
    QSettings where the caller put them: a folder of this test."""
    QSettings.setPath(
        QSettings.Format.IniFormat,
        QSettings.Scope.UserScope,
        str(tmp_path_factory.mktemp("settings")),
    )


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "LOTE_LOG_DIR": str(tmp_path / "logs"),
        "LOTE_DATA_DIR": str(tmp_path / "untouched"),
    }
    return subprocess.run(
        [sys.executable, "-m", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def test_the_self_test_approves_one_invoice_renders_its_pdf_and_returns_0(capsys) -> None:
    code = selftest.run_self_test()
    out, err = capsys.readouterr()
    assert code == 0, err
    assert SUCCESS.search(out), out


def test_verbose_says_each_step(capsys) -> None:
    code = selftest.run_self_test(verbose=True)
    out, err = capsys.readouterr()
    assert code == 0, err
    for step in (
        "migrada al esquema",
        "índice de búsqueda FTS5",
        "simulador FacturaSend en http://127.0.0.1:",
        "CDC ",
        "PDF de",
        "lote_en.qm y qtbase_es",
        "ventana principal",
        "«Acerca de Lote»",
        "diagnóstico de",
    ):
        assert step in out


def test_a_failing_step_is_named_and_returns_1(monkeypatch, capsys) -> None:
    from tests.support.factories import GOOD_RUC, document

    wrong_check_digit = f"{GOOD_RUC[:-1]}{(int(GOOD_RUC[-1]) + 1) % 10}"
    monkeypatch.setattr(selftest, "_invoice", lambda: document(tax_id=wrong_check_digit))
    assert selftest.run_self_test() == 1
    captured = capsys.readouterr()
    assert "Autoprueba FALLIDA en el paso «encolar la factura»" in captured.err
    assert "cliente.ruc" in captured.err
    assert "Autoprueba correcta" not in captured.out


def test_a_build_whose_sqlite_made_no_search_index_fails(monkeypatch, capsys) -> None:
    """Migration 0006 skips the FTS5 indexes when SQLite lacks the trigram tokenizer; the
    filter then still works, by scanning. A build like that must not pass as good."""
    from desktop_app.store import models

    monkeypatch.setattr(models, "SEARCH_INDEXES",
                        {**models.SEARCH_INDEXES, "document_missing_fts": ("cdc",)})
    assert selftest.run_self_test() == 1
    err = capsys.readouterr().err
    assert "Autoprueba FALLIDA en el paso «base de datos»" in err
    assert "faltan document_missing_fts" in err


def test_it_leaves_nothing_behind(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    assert selftest.run_self_test() == 0, capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_python_m_desktop_app_selftest_runs_it_in_a_fresh_process(tmp_path: Path) -> None:
    out = _run("desktop_app.selftest", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert SUCCESS.search(out.stdout), out.stdout
    assert not (tmp_path / "untouched").exists()  # the user's data folder is never opened


def test_lote_self_test_flag(tmp_path: Path) -> None:
    help_text = _run("desktop_app", "--help", tmp_path=tmp_path).stdout
    if "--self-test" not in help_text:
        pytest.skip("desktop_app/cli.py has no --self-test flag yet (packaging/README.md)")
    out = _run("desktop_app", "--self-test", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert SUCCESS.search(out.stdout), out.stdout
    assert (tmp_path / "logs" / "lote.log").exists()
