"""Opening a database quickly without giving up its checks: the head revision read from
the migration scripts (Alembic is imported only when a migration is due, see
tests/cli/test_startup_imports.py), PRAGMA quick_check at every start, and the full
PRAGMA integrity_check before every backup (so also on the start that takes the daily
one) — on real SQLite files."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from desktop_app.runtime import open_runtime
from desktop_app.store.db import (
    Database,
    DatabaseDamaged,
    DatabaseTooNew,
    alembic_config,
    script_head_revision,
)


def _alembic_head(versions_parent: Path | None = None) -> str | None:
    from alembic.script import ScriptDirectory

    if versions_parent is None:
        return ScriptDirectory.from_config(alembic_config(create_engine("sqlite://"))).get_current_head()
    return ScriptDirectory(str(versions_parent)).get_current_head()


def test_the_head_read_from_the_scripts_is_alembics_head() -> None:
    head = script_head_revision()
    assert head is not None
    assert head == _alembic_head()


def _script(folder: Path, name: str, body: str) -> None:
    (folder / "versions").mkdir(parents=True, exist_ok=True)
    (folder / "versions" / name).write_text(body, encoding="utf-8")


def test_the_scripts_are_read_as_alembic_reads_them(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    _script(tmp_path, "0001_a.py", 'revision = "0001"\ndown_revision = None\n')
    # Alembic's own template annotates them; a comment may follow.
    _script(tmp_path, "0002_b.py", "from typing import Union\n"
            "revision: str = '0002'\ndown_revision: Union[str, None] = '0001'  # after 0001\n"
            "def upgrade() -> None:\n    revision = 'not at the top level'\n")
    _script(tmp_path, "__init__.py", 'revision = "ignored"\ndown_revision = "0002"\n')
    assert script_head_revision(versions) == "0002" == _alembic_head(tmp_path)

    # Two branches: no single head, so the caller asks Alembic (which raises too).
    _script(tmp_path, "0003_x.py", 'revision = "0003x"\ndown_revision = "0002"\n')
    _script(tmp_path, "0003_y.py", 'revision = "0003y"\ndown_revision = "0002"\n')
    assert script_head_revision(versions) is None

    # A merge of both names them in a tuple.
    _script(tmp_path, "0004_merge.py", 'revision = "0004"\ndown_revision = ("0003x", "0003y")\n')
    assert script_head_revision(versions) == "0004" == _alembic_head(tmp_path)

    # Anything but a plain literal: not sure, so None (Alembic decides).
    _script(tmp_path, "0005_c.py", 'PREVIOUS = "0004"\nrevision = "0005"\ndown_revision = PREVIOUS\n')
    assert script_head_revision(versions) is None
    assert script_head_revision(tmp_path / "missing") is None


def test_a_database_upgraded_by_a_newer_lote_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lote.sqlite3'}"
    db = Database.open(url)
    assert db.current_revision() == db.head_revision() == script_head_revision()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    db.dispose()
    with pytest.raises(DatabaseTooNew, match="9999"):
        Database.open(url)


def _break_indexes(path: Path) -> None:
    """Swap the b-trees of two indexes of one table: every page and record stays valid
    (PRAGMA quick_check: ok) but neither index matches its table any more — the damage
    only the full PRAGMA integrity_check sees."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE filler (a INTEGER, b INTEGER)")
    conn.execute("CREATE INDEX ix_filler_a ON filler (a)")
    conn.execute("CREATE INDEX ix_filler_b ON filler (b)")
    conn.executemany("INSERT INTO filler VALUES (?, ?)", [(i, 1000 - i) for i in range(50)])
    conn.commit()
    roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master WHERE tbl_name = 'filler'"
                              " AND type = 'index'"))
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 'ix_filler_a'",
                 (roots["ix_filler_b"],))
    conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 'ix_filler_b'",
                 (roots["ix_filler_a"],))
    conn.commit()
    conn.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    assert check.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    check.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_start_runs_the_quick_check_and_every_backup_the_full_one(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    path, backups = folder / "lote.sqlite3", folder / "backups"
    Database.open(f"sqlite:///{path}", backup_dir=backups).dispose()
    _break_indexes(path)

    # A start with a recent backup: quick_check passes, the database opens.
    db = Database.open(f"sqlite:///{path}", backup_dir=backups, check=True)
    # A backup (manual, daily, before a migration) checks everything first and copies
    # nothing: a damaged copy must not push a good one out of the ten kept.
    with pytest.raises(DatabaseDamaged, match="missing from index"):
        db.backup(reason="manual")
    with pytest.raises(DatabaseDamaged, match="missing from index"):
        db.backup_if_due()
    assert list(backups.glob("*.sqlite3")) == []
    db.dispose()

    # The start that takes the daily backup reports the damage before writing anything.
    before = _digest(path)
    with pytest.raises(DatabaseDamaged, match="No se modificó nada"):
        open_runtime(folder, force_demo=True, start_sandbox=False)
    assert _digest(path) == before
    assert list(backups.glob("*.sqlite3")) == []


def test_a_backup_of_a_sound_database_is_taken_after_the_full_check(db: Database) -> None:
    target = db.backup(reason="manual")
    assert target is not None and target.exists()
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchall() == [("ok",)]
