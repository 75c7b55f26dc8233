"""English is available: every string of the window has a translation in the Qt
Linguist catalogue, the compiled .qm is current, and the window speaks English when
the setting says so (and Spanish, the default, otherwise)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop_app.domain.states import DocState
from desktop_app.gui import labels
from desktop_app.gui.documents_model import Column
from desktop_app.gui.settings import install_translators, set_language, translations_dir
from tests.gui.helpers import open_window

ROOT = Path(__file__).resolve().parents[2]
TS = translations_dir() / "lote_en.ts"
QM = translations_dir() / "lote_en.qm"


def _messages(path: Path) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    out = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            out[(name, message.findtext("source") or "")] = (
                translation.text,
                translation.get("type"),
            )
    return out


def test_every_string_of_the_window_has_an_english_translation(tmp_path):
    lupdate = shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent))
    if lupdate is None:
        pytest.skip("pyside6-lupdate is not installed")
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "desktop_app" / "gui").glob("*.py"))
    subprocess.run([lupdate, *sources, "-ts", str(fresh)], check=True, capture_output=True)
    wanted = set(_messages(fresh))
    have = _messages(TS)
    missing = sorted(wanted - set(have))
    assert not missing, f"run pyside6-lupdate and translate: {missing[:5]}"
    unfinished = [key for key in wanted if have[key][1] == "unfinished" or not have[key][0]]
    assert not unfinished, f"untranslated: {unfinished[:5]}"
    assert QM.stat().st_mtime >= TS.stat().st_mtime - 1, "run pyside6-lrelease"


def test_the_window_speaks_english_when_the_setting_says_so(qtbot, qapp, offline_runtime):
    set_language("en")
    assert install_translators(qapp) == "en"
    try:
        window = open_window(qtbot, offline_runtime)
        assert window.new_invoice_action.text() == "New invoice"
        assert "(Ctrl+N)" in window.new_invoice_action.toolTip()
        assert [m.title() for m in window.menus] == [
            "&File",
            "D&ocument",
            "&View",
            "&Sync",
            "&Help",
        ]
        assert window.counts_label.text() == "Queued: 0 · Sending: 0 · Processing: 0"
        assert window.model.headerData(Column.NUMERO, Qt.Orientation.Horizontal) == "Number"
        assert labels.state_label(DocState.APPROVED) == "Approved"
        assert window.documents_page.search_edit.placeholderText().startswith("Customer")
        dialog = window.new_invoice()
        assert dialog.windowTitle() == "New invoice"
        assert dialog.save_button.text() == "Save"
        dialog.reject()
        window.shutdown()
    finally:
        set_language("es")
        install_translators(qapp)
    assert labels.state_label(DocState.APPROVED) == "Aprobado"
