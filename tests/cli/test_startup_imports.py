"""What `lote` loads on its way to the window (issue "Fast at every size": cold start).

Alembic with mako and pygments (~140 ms), keyring (~75 ms) and httpx (~50 ms) are
imported when first needed — a migration, a stored key, the first request — never just
to open a database that is already at head and show the window. Each check runs in a
fresh process: in the test process everything has long been imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Opening the runtime the way the window does (`run_gui`): every module of the start-up
#: path imported, the demo sandbox started, this process made the sender.
RUNTIME_CHILD = """
import json, sys
import desktop_app.cli, desktop_app.gui.app, desktop_app.gui.main_window
from desktop_app.runtime import open_runtime
rt = open_runtime(sys.argv[1], force_demo=True)
try:
    assert rt.acquire_sender()
finally:
    rt.close()
print(json.dumps(sorted(m for m in ("alembic", "keyring", "httpx") if m in sys.modules)))
"""

#: `lote` itself (`cli.main`, no subcommand): the event loop quits as soon as it runs,
#: that is once the main window has been shown.
WINDOW_CHILD = """
import json, os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
QTimer.singleShot(0, app.quit)
from desktop_app import cli
code = cli.main(["--data-dir", sys.argv[1]])
loaded = sorted(m for m in ("alembic", "mako", "pygments") if m in sys.modules)
print(json.dumps({"code": code, "loaded": loaded}), flush=True)
os._exit(0)  # as benchmarks/_cold_start_child.py: no Qt teardown at exit
"""


def _run(code: str, data: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("LOTE_DB", None)
    out = subprocess.run([sys.executable, "-c", code, str(data)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


def test_alembic_is_imported_to_migrate_and_not_to_open_a_database_at_head(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    # A new data folder: the schema is created by the migrations, with Alembic.
    assert json.loads(_run(RUNTIME_CHILD, data)) == ["alembic"]
    # The same folder again: at head, so neither Alembic nor keyring nor httpx.
    assert json.loads(_run(RUNTIME_CHILD, data)) == []


def test_the_window_opens_a_database_at_head_without_alembic(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert json.loads(_run(RUNTIME_CHILD, data)) == ["alembic"]  # migrated
    result = json.loads(_run(WINDOW_CHILD, data))
    assert result == {"code": 0, "loaded": []}
