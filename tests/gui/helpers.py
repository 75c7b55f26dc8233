"""Small helpers shared by the GUI tests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from desktop_app.domain.document import Customer, Document, Item
from desktop_app.gui.documents_model import Column
from desktop_app.gui.invoice_dialog import InvoiceDialog
from desktop_app.store.queries import document_ids

#: Valid customer RUCs (modulo-11 check digit right) and one with a wrong digit.
RUC_OK = "80012345-0"
RUC_OK_PERSON = "4567890-1"
RUC_BAD_DV = "80012345-7"


def type_text(qtbot, widget: QWidget, text: str) -> None:
    """`qtbot.keyClicks`, except that QTest aborts on non-ASCII characters ("í"):
    those arrive as key events carrying only text, as a compose key delivers them."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    """Replace the field's text by typing, as a cashier would."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    type_text(qtbot, edit, text)


def fill_customer(qtbot, dialog: InvoiceDialog, ruc: str, name: str) -> None:
    type_into(qtbot, dialog.number_edit, ruc)
    type_into(qtbot, dialog.name_edit, name)


def fill_item(
    qtbot,
    dialog: InvoiceDialog,
    index: int,
    descripcion: str,
    cantidad: str,
    precio: str,
    iva_index: int = 0,
) -> None:
    while len(dialog.rows) <= index:
        qtbot.mouseClick(dialog.add_item_button, Qt.MouseButton.LeftButton)
    row = dialog.rows[index]
    type_into(qtbot, row.descripcion, descripcion)
    type_into(qtbot, row.cantidad, cantidad)
    type_into(qtbot, row.precio, precio)
    row.iva.setCurrentIndex(iva_index)


def cell(window, doc_id: int, column: Column) -> str | None:
    row = window.model.row_of(doc_id)
    if row is None:
        return None
    return window.model.index(row, column).data()


def state_of(window, doc_id: int) -> str | None:
    return cell(window, doc_id, Column.ESTADO)


def document_count(db) -> int:
    return len(document_ids(db))


def make_document(
    ruc: str = RUC_OK,
    name: str = "Cliente de Prueba S.A.",
    items: list[tuple[str, str, str]] | None = None,
) -> Document:
    lines = items or [("Producto", "1", "110000")]
    return Document(
        cliente=Customer(contribuyente=True, razon_social=name, ruc=ruc, tipo_contribuyente=2),
        items=[
            Item(descripcion=d, cantidad=Decimal(q), precio_unitario=Decimal(p))
            for d, q, p in lines
        ],
        fecha=datetime.now().replace(microsecond=0),
    )


def queue(db, *docs: Document) -> list[int]:
    """Save documents through the outbox (the same path as the dialog); their ids."""
    from desktop_app.store.outbox import enqueue_documents
    from desktop_app.store.profiles import default_profile

    result = enqueue_documents(db, default_profile(db).id, list(docs or [make_document()]))
    assert result.ok, result.errors
    return result.ids


def move(db, doc_id: int, *states, **kwargs) -> None:
    """Walk a document through lifecycle states, one audited transition each."""
    from desktop_app.store.models import Document as Row
    from desktop_app.store.outbox import transition

    for state in states:
        with db.write() as s:
            transition(s, s.get(Row, doc_id), state, actor="test", **kwargs)


def open_window(qtbot, runtime, **kwargs):
    """A main window without sync threads (the tests move documents themselves); reads
    that normally run in the background run in place."""
    from desktop_app.gui.main_window import MainWindow

    options = {
        "start_workers": False,
        "network_hint": False,
        "synchronous_tasks": True,
        "tray": False,
    }
    options.update(kwargs)
    window = MainWindow(runtime, **options)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window
