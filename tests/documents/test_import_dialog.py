"""The preview dialog: errors on their cells, and "Importar" only when the choice is clear."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog

from desktop_app.documents.import_dialog import ERROR_BACKGROUND, ImportDialog, run_import_dialog
from desktop_app.documents.importing import preview_import
from desktop_app.store.queries import document_ids

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "paraguay.csv"


def _broken(tmp_path: Path) -> Path:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        ";Clavos de 2 pulgadas (kg);1,5;", ";Clavos de 2 pulgadas (kg);0;"
    )
    path = tmp_path / "ventas.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _cell(dialog: ImportDialog, sheet_row: int, column: str):
    return dialog.model.index(sheet_row - 2, dialog.model.column_of(column))


def test_a_clean_file_can_be_imported_at_once(qtbot):
    dialog = ImportDialog(preview_import(SAMPLE, "PY"))
    qtbot.addWidget(dialog)
    assert dialog.import_button.isEnabled()
    assert dialog.import_button.text() == "Importar 5 documentos"
    assert not dialog.only_valid.isVisible()
    assert dialog.model.rowCount() == 11
    assert dialog.model.headerData(0, Qt.Orientation.Vertical) == "2"  # the sheet's row number


def test_errors_are_shown_on_their_cells_and_block_the_import(qtbot, tmp_path: Path):
    dialog = ImportDialog(preview_import(_broken(tmp_path), "PY"))
    qtbot.addWidget(dialog)
    dialog.show()
    bad = _cell(dialog, 3, "item_cantidad")
    assert dialog.model.data(bad, Qt.ItemDataRole.BackgroundRole).color() == ERROR_BACKGROUND
    assert "mayor que cero" in dialog.model.data(bad, Qt.ItemDataRole.ToolTipRole)
    fine = _cell(dialog, 5, "item_cantidad")
    assert dialog.model.data(fine, Qt.ItemDataRole.BackgroundRole) is None
    assert dialog.model.data(dialog.model.index(1, 0), Qt.ItemDataRole.DisplayRole) == "1 ✗"
    assert dialog.model.data(dialog.model.index(3, 0), Qt.ItemDataRole.DisplayRole) == "2 ✓"
    assert not dialog.import_button.isEnabled()
    assert dialog.errors.count() == 1
    assert dialog.errors.item(0).text().startswith("fila 3, item_cantidad:")
    assert "4 válidos, 1 con errores" in dialog.summary.text()


def test_checking_import_only_the_valid_ones_enables_import(qtbot, tmp_path: Path):
    dialog = ImportDialog(preview_import(_broken(tmp_path), "PY"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.only_valid.isVisible()
    indicator = QPoint(8, dialog.only_valid.height() // 2)  # where a person clicks the box
    qtbot.mouseClick(dialog.only_valid, Qt.MouseButton.LeftButton, pos=indicator)
    assert dialog.import_button.isEnabled()
    assert dialog.import_button.text() == "Importar 4 documentos"
    assert dialog.import_only_valid()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_clicking_an_error_selects_its_cell(qtbot, tmp_path: Path):
    dialog = ImportDialog(preview_import(_broken(tmp_path), "PY"))
    qtbot.addWidget(dialog)
    dialog.show()
    item = dialog.errors.item(0)
    dialog.errors.itemClicked.emit(item)
    assert dialog.table.currentIndex() == _cell(dialog, 3, "item_cantidad")


def test_a_file_error_leaves_nothing_to_import(qtbot, tmp_path: Path):
    dialog = ImportDialog(preview_import(tmp_path / "nada.ods", "PY"))
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled()
    assert dialog.errors.count() == 1


def test_the_whole_flow_saves_what_the_user_accepts(
    qtbot, monkeypatch, db, py_profile, tmp_path: Path
):
    def accept_only_valid(self):
        self.only_valid.setChecked(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportDialog, "exec", accept_only_valid)
    result = run_import_dialog(db, py_profile.id, "PY", _broken(tmp_path))
    assert result is not None and len(result.ids) == 4
    assert len(document_ids(db)) == 4
