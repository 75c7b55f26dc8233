"""Screenshots of every screen with demo data, to check the GUI by eye and for the README.

Not a test. Usage (``make screenshots`` runs it under ``xvfb-run``; without a display it
falls back to Qt's offscreen platform):

    .venv/bin/python -m tests.gui.screenshot docs/screenshots
    .venv/bin/python -m tests.gui.screenshot --lang en --only main docs/screenshots
    QT_SCALE_FACTOR=2 .venv/bin/python -m tests.gui.screenshot --only main --suffix=-200 DIR

Builds a throw-away demo database — customers and products in the books, three weeks
of approved sales for the dashboard, and today's documents in every state (approved,
rejected by the sandbox, processing, sent, queued while the provider is down, a
cancellation requested) — all driven through the real engine against the FacturaSend
sandbox, so each state is genuine. Then it saves one PNG per screen into the folder.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desktop_app.domain.document import Customer, Document, Item  # noqa: E402
from desktop_app.domain.states import DocState  # noqa: E402
from desktop_app.gui.main_window import MainWindow, Page  # noqa: E402
from desktop_app.gui.settings import install_translators  # noqa: E402
from desktop_app.runtime import open_runtime  # noqa: E402
from desktop_app.sandbox.facturasend import DEMO_CANCELLED_RUC  # noqa: E402
from desktop_app.store.books import save_customer, save_product  # noqa: E402
from desktop_app.store.corrections import request_cancel  # noqa: E402
from desktop_app.store.lote_queries import approval_time  # noqa: E402
from desktop_app.store.outbox import enqueue_documents  # noqa: E402
from desktop_app.store.profiles import default_profile  # noqa: E402
from desktop_app.store.queries import list_documents  # noqa: E402

CUSTOMERS = (
    ("RUC", "80012345-0", "Ferretería López S.A.", "compras@ferrelopez.com.py", "021 555 120"),
    ("RUC", "4567890-1", "Juan Pérez", None, "0981 222 333"),
    ("RUC", "80024242-4", "Distribuidora Central S.R.L.", "pagos@central.com.py", None),
    ("RUC", "80000001-3", "Empresa Cancelada S.A.", None, None),
    ("CI", "3456789", "María González", None, "0971 444 555"),
    ("CI", "1234567", "Carlos Benítez", None, None),
    ("RUC", "80031122-1", "Comercial Norte S.A.", "admin@norte.com.py", "061 500 600"),
    ("RUC", "80050172-1", "Almacén San Roque", None, None),
)
PRODUCTS = (
    ("CEM-50", "Cemento portland 50 kg", 55000, 10),
    ("ARZ-1", "Arroz 1 kg", 10500, 5),
    ("YER-1", "Yerba mate 1 kg", 25000, 5),
    ("ACE-900", "Aceite 900 ml", 18500, 10),
    ("AZU-1", "Azúcar 1 kg", 7500, 10),
    ("LIB-01", "Libro de lectura", 50000, 0),
    ("CUA-U", "Cuaderno universitario", 12000, 10),
    ("GAS-2", "Gaseosa 2 l", 9500, 10),
    ("PAN-F", "Pan felipe", 1500, 10),
    ("SRV-T", "Servicio técnico", 220000, 10),
    ("LEC-1", "Leche entera 1 l", 7000, 5),
    ("TOR-100", "Tornillos x 100", 15000, 10),
)


def _doc(
    name: str, ruc: str | None, lines, fecha: datetime | None = None, cedula: str | None = None
) -> Document:
    if cedula:
        customer = Customer(
            contribuyente=False,
            razon_social=name,
            documento_tipo=1,
            documento_numero=cedula,
            tipo_operacion=2,
        )
    elif ruc:
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
    when = fecha or datetime.now()
    return Document(cliente=customer, items=items, fecha=when.replace(microsecond=0))


def _enqueue(rt, *docs: Document) -> list[int]:
    profile = default_profile(rt.db)
    result = enqueue_documents(rt.db, profile.id, list(docs))
    assert result.ok, result.errors
    return result.ids


def _drain(engine) -> None:
    for _ in range(50):
        report = engine.send_once()
        if not report.changed:
            break


def populate(rt) -> None:
    """Books, three weeks of sales, and today's documents in every state."""
    db = rt.db
    for kind, tax_id, name, email, phone in CUSTOMERS:
        save_customer(
            db, country="PY", kind=kind, tax_id=tax_id, name=name, email=email, phone=phone
        )
    for code, desc, price, iva in PRODUCTS:
        save_product(db, description=desc, price=Decimal(price), iva=iva, code=code)

    engine = rt.make_engine()
    sandbox = rt.sandbox
    sandbox.processing_delay = 0.1
    rng = random.Random(7)
    now = datetime.now()
    month_start = now.replace(day=1, hour=8, minute=0, second=0, microsecond=0)
    history = []
    day = month_start
    while day.date() < now.date():
        if day.weekday() != 6:  # closed on Sundays
            for _ in range(rng.randint(2, 5)):
                kind, tax_id, name, *_rest = rng.choice(CUSTOMERS[:3] + CUSTOMERS[4:])
                lines = [
                    (desc, rng.randint(1, 6), price, iva)
                    for _code, desc, price, iva in rng.sample(PRODUCTS, rng.randint(1, 3))
                ]
                when = day + timedelta(minutes=rng.randint(0, 600))
                history.append(
                    _doc(
                        name,
                        tax_id if kind == "RUC" else None,
                        lines,
                        when,
                        cedula=tax_id if kind == "CI" else None,
                    )
                )
        day += timedelta(days=1)
    if history:
        _enqueue(rt, *history)
        _drain(engine)
        time.sleep(1.2)
        engine.poll_once()

    ids = _enqueue(
        rt,
        _doc(
            "Ferretería López S.A.",
            "80012345-0",
            [("Cemento portland 50 kg", 2, 55000, 10), ("Arroz 1 kg", 3, 10500, 5)],
        ),
        _doc("Juan Pérez", "4567890-1", [("Cuaderno universitario", 3, 12000, 10)]),
        _doc("Empresa Cancelada S.A.", DEMO_CANCELLED_RUC, [("Servicio técnico", 1, 220000, 10)]),
        _doc("Sin Nombre", None, [("Gaseosa 2 l", 2, 9500, 10), ("Libro de lectura", 1, 50000, 0)]),
        _doc("Comercial Norte S.A.", "80031122-1", [("Aceite 900 ml", 6, 18500, 10)]),
    )
    _drain(engine)
    time.sleep(1.2)  # the demo profile's first check comes after 1 s
    engine.poll_once()
    cancelled = ids[-1]
    request_cancel(
        db,
        cancelled,
        "Error en la cantidad facturada; se emitirá de nuevo.",
        approved_at=approval_time(db, cancelled),
    )

    sandbox.processing_delay = 1000  # SIFEN is slow today: these stay "Procesando"
    _enqueue(
        rt, _doc("Distribuidora Central S.R.L.", "80024242-4", [("Yerba mate 1 kg", 24, 25000, 5)])
    )
    _drain(engine)
    time.sleep(1.2)
    engine.poll_once()

    _enqueue(rt, _doc("Comercial Norte S.A.", "80012345-0", [("Aceite 900 ml", 12, 18500, 10)]))
    _drain(engine)  # submitted, first check not due yet: "Enviado"

    sandbox.set_down(True)  # the connection drops: saved anyway, queued
    _enqueue(rt, _doc("Almacén San Roque", "80050172-1", [("Azúcar 1 kg", 5, 7500, 10)]))
    engine.send_once()
    _enqueue(rt, _doc("María González", "4567890-1", [("Pan felipe", 10, 1500, 10)]))


def _settle(app: QApplication, rounds: int = 8) -> None:
    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.03)


def _save(widget: QWidget, path: Path, *, with_popups: bool = False) -> None:
    """The widget's own pixels, or (with popups, e.g. a completer's list) the screen
    area it covers, which includes the popup windows over it."""
    if with_popups and QGuiApplication.platformName() != "offscreen":
        screen = widget.screen()
        top_left = widget.mapToGlobal(widget.rect().topLeft())
        pixmap = screen.grabWindow(0, top_left.x(), top_left.y(), widget.width(), widget.height())
    else:
        pixmap = widget.grab()
    if not pixmap.save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(path)


def _first(rt, state: str) -> int:
    return next(d.id for d in list_documents(rt.db) if d.state == state)


def shoot_all(app, window: MainWindow, rt, out: Path, suffix: str, only: set[str]) -> None:
    def wanted(name: str) -> bool:
        return not only or name in only

    def name(base: str) -> Path:
        return out / f"{base}{suffix}.png"

    window.show()
    window.raise_()
    _settle(app)
    if wanted("main"):
        window.show_page(Page.DOCUMENTS)
        rejected = _first(rt, DocState.REJECTED.value)
        window.documents_page.select_id(rejected)
        _settle(app)
        _save(window, name("main-window"))
    if only == {"main"}:
        return

    if wanted("filters"):
        window.documents_page.search_edit.setText("ferre")
        window.documents_page.period_combo.setCurrentIndex(4)  # este mes
        window.documents_page.apply_filter()
        _settle(app)
        _save(window, name("documents-filtered"))
        window.documents_page.clear_filters()

    if wanted("dashboard"):
        window.show_page(Page.DASHBOARD)
        _settle(app)
        _save(window, name("dashboard"))

    if wanted("lotes"):
        window.show_page(Page.LOTES)
        window.lotes_page.refresh()
        _settle(app)
        rows = window.lotes_page.model.rows
        chosen = next((n for n, r in enumerate(rows) if r.rejected), 0)
        window.lotes_page.table.selectRow(chosen)
        _settle(app)
        _save(window, name("lotes"))

    if wanted("customers"):
        window.show_page(Page.CUSTOMERS)
        _settle(app)
        _save(window, name("customers"))
        dialog = window.customers_page.edit_current()
        _settle(app)
        _save(dialog, name("customer-dialog"))
        dialog.reject()

    if wanted("products"):
        window.show_page(Page.PRODUCTS)
        _settle(app)
        _save(window, name("products"))

    window.show_page(Page.DOCUMENTS)
    _settle(app)
    if wanted("invoice"):
        dialog = window.new_invoice()
        assert dialog is not None
        _settle(app)
        QTest.keyClicks(dialog.name_edit, "ferre")
        _settle(app)
        popup = dialog.customers.popup()
        if popup.isVisible():
            QTest.keyClick(popup, Qt.Key.Key_Down)
            QTest.keyClick(popup, Qt.Key.Key_Return)
        _settle(app)
        lines = [("Cemento portland 50 kg", "2"), ("Arroz 1 kg", "3"), ("Libro de lectura", "1")]
        for index, (desc, qty) in enumerate(lines):
            row = dialog.rows[index] if index < len(dialog.rows) else dialog.add_item()
            product = next(p for p in window.products_page.search(desc))
            dialog._product_picked(product, row.descripcion)
            row.cantidad.setText(qty)
        dialog._recompute()
        row = dialog.add_item()
        row.descripcion.setFocus()
        QTest.keyClicks(row.descripcion, "yer")
        _settle(app)
        _save(dialog, name("invoice-dialog"), with_popups=True)
        dialog.products.popup().hide()
        dialog.remove_current_item()

        dialog.payment_combo.setCurrentIndex(1)  # tarjeta de crédito
        dialog.card_auth_edit.setText("482913")
        dialog.number_edit.setText("80012345-7")
        dialog.number_edit.textEdited.emit("80012345-7")
        dialog.rows[1].cantidad.setText("abc")
        dialog.rows[1].cantidad.textEdited.emit("abc")
        dialog.save()
        _settle(app)
        _save(dialog, name("invoice-dialog-errors"))
        dialog.reject()

        dialog = window.new_invoice()
        dialog.number_edit.setText("80024242-4")
        dialog.name_edit.setText("Distribuidora Central S.R.L.")
        product = window.products_page.search("yerba")[0]
        dialog._product_picked(product, dialog.rows[0].descripcion)
        dialog.rows[0].cantidad.setText("40")
        dialog.condition_combo.setCurrentIndex(1)  # crédito
        dialog.credit_kind_combo.setCurrentIndex(1)  # cuotas
        dialog.instalments_spin.setValue(3)
        dialog._recompute()
        _settle(app)
        _save(dialog, name("invoice-credit"))
        dialog.reject()

    if wanted("detail"):
        approved = next(
            d.id
            for d in list_documents(rt.db)
            if d.state == DocState.APPROVED.value and d.fecha.date() == datetime.now().date()
        )
        detail = window.open_document(approved)
        _settle(app)
        _save(detail, name("document-detail"))
        detail.close()
        rejected = _first(rt, DocState.REJECTED.value)
        detail = window.open_document(rejected)
        _settle(app)
        _save(detail, name("document-detail-rejected"))
        editor = window.correct_document(rejected)
        _settle(app)
        if editor is not None:
            editor.number_edit.setText("80012345-0")
            editor.number_edit.textEdited.emit("80012345-0")
            editor.name_edit.setText("Ferretería López S.A.")
            _settle(app)
            _save(editor, name("invoice-correction"))
            editor.reject()
        detail.close()

    if wanted("settings"):
        dialog = window.open_settings()
        _settle(app)
        _save(dialog, name("settings-profiles"))
        dialog.tabs.setCurrentIndex(1)
        _settle(app)
        _save(dialog, name("settings-numbering"))
        dialog.tabs.setCurrentIndex(2)
        _settle(app)
        _save(dialog, name("settings-general"))
        dialog.reject()

    if wanted("shortcuts"):
        dialog = window.show_shortcuts()
        _settle(app)
        _save(dialog, name("shortcuts"))
        dialog.reject()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--lang", default="es", choices=("es", "en"))
    parser.add_argument("--only", default="", help="comma-separated screens (main, invoice...)")
    parser.add_argument("--suffix", default="", help="added to every file name")
    args = parser.parse_args(argv[1:])
    args.out.mkdir(parents=True, exist_ok=True)
    only = {s for s in args.only.split(",") if s}
    app = QApplication.instance() or QApplication(argv[:1])
    app.setStyle("Fusion")
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        install_translators(app, args.lang)
        rt = open_runtime(Path(tmp) / "data", force_demo=True)
        try:
            populate(rt)
            window = MainWindow(
                rt, start_workers=False, network_hint=False, tray=False, synchronous_tasks=True
            )
            shoot_all(app, window, rt, args.out, args.suffix, only)
            window.close()
        finally:
            rt.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
