"""Screenshots of the main window and the invoice dialog, to check the GUI by eye.

Not a test. Usage (headless):

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.gui.screenshot /tmp/lote-shots

Builds a throw-away demo database with documents in several states (approved,
rejected by the sandbox, processing, sent, queued while the provider is down), then
saves `main_window.png`, `invoice_dialog.png` (filled in) and
`invoice_dialog_errors.png` (a wrong RUC check digit and a quantity that is not a
number) into the folder given.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desktop_app.domain.document import Customer, Document, Item  # noqa: E402
from desktop_app.gui.main_window import MainWindow  # noqa: E402
from desktop_app.runtime import open_runtime  # noqa: E402
from desktop_app.sandbox.facturasend import DEMO_CANCELLED_RUC  # noqa: E402
from desktop_app.store.outbox import enqueue_documents  # noqa: E402
from desktop_app.store.profiles import default_profile  # noqa: E402


def _doc(name: str, ruc: str | None, lines: list[tuple[str, int, int, int]]) -> Document:
    if ruc:
        customer = Customer(
            contribuyente=True,
            razon_social=name,
            ruc=ruc,
            tipo_contribuyente=2 if ruc.startswith("80") else 1,
        )
    else:
        customer = Customer(
            contribuyente=False, razon_social=name, documento_tipo=5, tipo_operacion=2
        )
    items = [
        Item(
            descripcion=d,
            cantidad=Decimal(q),
            precio_unitario=Decimal(p),
            iva_tipo=1 if rate else 3,
            iva_base=100 if rate else 0,
            iva=rate,
        )
        for d, q, p, rate in lines
    ]
    return Document(cliente=customer, items=items, fecha=datetime.now().replace(microsecond=0))


def _enqueue(rt, *docs: Document) -> list[int]:
    profile = default_profile(rt.db)
    result = enqueue_documents(rt.db, profile.id, list(docs))
    assert result.ok, result.errors
    return result.ids


def populate(rt) -> None:
    """Drive the real engine against the sandbox so each state is genuine."""
    engine = rt.make_engine()
    sandbox = rt.sandbox
    sandbox.processing_delay = 0.1
    _enqueue(
        rt,
        _doc(
            "Ferretería López S.A.",
            "80012345-0",
            [("Cemento portland 50 kg", 2, 55000, 10), ("Arroz 1 kg", 3, 10500, 5)],
        ),
        _doc("Juan Pérez", "4567890-1", [("Cuaderno universitario", 3, 12000, 10)]),
        _doc("Empresa Cancelada S.A.", DEMO_CANCELLED_RUC, [("Servicio técnico", 1, 220000, 10)]),
        _doc("Sin Nombre", None, [("Gaseosa 2 l", 2, 9500, 10), ("Libro de lectura", 1, 50000, 0)]),
    )
    engine.send_once()
    time.sleep(1.2)  # the demo profile's first check comes after 1 s
    engine.poll_once()

    sandbox.processing_delay = 1000  # SIFEN is slow today: these stay "Procesando"
    _enqueue(
        rt, _doc("Distribuidora Central S.R.L.", "80024242-4", [("Yerba mate 1 kg", 24, 25000, 5)])
    )
    engine.send_once()
    time.sleep(1.2)
    engine.poll_once()

    _enqueue(rt, _doc("Comercial Norte S.A.", "80012345-0", [("Aceite 900 ml", 12, 18500, 10)]))
    engine.send_once()  # submitted, first check not due yet: "Enviado"

    sandbox.set_down(True)  # the connection drops: saved anyway, queued
    _enqueue(rt, _doc("Almacén Sin Red S.R.L.", "4567890-1", [("Azúcar 1 kg", 5, 7500, 10)]))
    engine.send_once()
    _enqueue(rt, _doc("María González", "4567890-1", [("Pan felipe", 10, 1500, 10)]))


def _settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()
        time.sleep(0.02)


def _save(widget: QWidget, path: Path) -> None:
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(path)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        rt = open_runtime(tmp, force_demo=True)
        try:
            populate(rt)
            window = MainWindow(rt, start_workers=False, network_hint=False)
            window.show()
            _settle(app)
            _save(window, out / "main_window.png")

            dialog = window.new_invoice()
            assert dialog is not None
            dialog.number_edit.setText("80012345-0")
            dialog.name_edit.setText("Ferretería López S.A.")
            lines = [
                ("Cemento portland 50 kg", "2", "55.000", 0),
                ("Arroz 1 kg", "3", "10.500", 1),
                ("Libro de lectura", "1", "50.000", 2),
            ]
            for index, (desc, qty, price, iva) in enumerate(lines):
                row = dialog.rows[index] if index < len(dialog.rows) else dialog.add_item()
                row.descripcion.setText(desc)
                row.cantidad.setText(qty)
                row.precio.setText(price)
                row.iva.setCurrentIndex(iva)
            dialog._recompute()
            _settle(app)
            _save(dialog, out / "invoice_dialog.png")

            dialog.number_edit.setText("80012345-7")
            dialog.number_edit.textEdited.emit("80012345-7")
            dialog.rows[1].cantidad.setText("abc")
            dialog.rows[1].cantidad.textEdited.emit("abc")
            dialog.save()
            _settle(app)
            _save(dialog, out / "invoice_dialog_errors.png")
            dialog.reject()
            window.close()
        finally:
            rt.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
