"""`lote --self-test`: proof that this copy of Lote works, end to end, on this machine.

Made for the frozen bundle (a PyInstaller build that lost a migration file, a Qt plugin
or a translation fails here, not at a shop's counter) and for support ("run
`lote --self-test` and read me the line"). In a throw-away data folder it:

1. creates the database by running every migration (schema at head);
2. starts the FacturaSend simulator of demo mode on 127.0.0.1;
3. queues one Paraguayan invoice and runs the real sync engine until the simulator
   approves it (queue → lote → Procesando → Aprobado);
4. renders the invoice's PDF with its QR (Qt's PDF writer and fonts);
5. loads the English translation and Qt's Spanish one, and builds the main window and
   the About dialog (Qt widgets, styles and the platform plugin), without showing them;
6. gathers the support diagnostic ("Copiar diagnóstico") with every section present.

It prints one Spanish line and returns 0, or says which step failed and returns 1.
Nothing outside the temporary folder is touched: the window's settings go there too.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
import traceback
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Seconds the simulator "processes" a lote here (demo mode uses 3 s to show Procesando).
PROCESSING_DELAY = 0.2
SYNC_TIMEOUT = 60.0
APPROVED_STATES = ("APPROVED", "APPROVED_WITH_OBSERVATIONS")


class SelfTestFailed(RuntimeError):
    pass


def _seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _say(text: str, *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    if stream is not None:  # a windowed Windows build has no console
        print(text, file=stream, flush=True)


def _invoice():
    """A cash sale to a company with a valid RUC (check digit computed), priced with
    10 % IVA included: the smallest document SIFEN accepts."""
    from desktop_app.domain.document import Customer, Document, Item
    from desktop_app.domain.ruc import mod11_check_digit

    base = "80012345"
    return Document(
        cliente=Customer(
            contribuyente=True,
            razon_social="Autoprueba S.A.",
            ruc=f"{base}-{mod11_check_digit(base)}",
        ),
        items=[
            Item(
                descripcion="Artículo de autoprueba",
                cantidad=Decimal(1),
                precio_unitario=Decimal(110_000),
                iva_tipo=1,
                iva_base=100,
                iva=10,
            )
        ],
        fecha=datetime.now().replace(microsecond=0),
    )


def _qt_application(settings_dir: Path):
    """A QApplication for the PDF and the window, on the offscreen platform when there
    is no display; the window's QSettings go to `settings_dir`."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "lote"])
        # Our own process: the window must not read or write the user's preferences.
        # (Run inside another application, the caller has chosen where they go.)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_dir))
    elif not isinstance(app, QApplication):
        raise SelfTestFailed(f"ya hay una {type(app).__name__} sin widgets en este proceso")
    return app


def _check_translations() -> str:
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    from desktop_app.gui.settings import translations_dir

    lote_en = QTranslator()
    path = translations_dir() / "lote_en.qm"
    if not lote_en.load(str(path)):
        raise SelfTestFailed(f"no se pudo cargar la traducción {path}")
    qt_es = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not qt_es.load(QLocale(QLocale.Language.Spanish), "qtbase", "_", folder):
        raise SelfTestFailed(f"falta la traducción de Qt qtbase_es en {folder}")
    return f"{path.name} y qtbase_es"


def _check_search_index(runtime) -> str:
    """The free-text filter's FTS5 trigram indexes (migration 0006) exist: the migration
    skips them silently when this build's SQLite lacks FTS5 or the trigram tokenizer
    (SQLite < 3.34), and the filter then scans the whole table — a packaging fault."""
    import sqlite3

    from desktop_app.store.models import SEARCH_INDEXES

    with runtime.db.engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = sorted(set(SEARCH_INDEXES) - names)
    if missing:
        raise SelfTestFailed(
            f"SQLite {sqlite3.sqlite_version} sin FTS5/trigram: faltan {', '.join(missing)}")
    return f"índice de búsqueda FTS5 (SQLite {sqlite3.sqlite_version})"


def _check_window(runtime) -> str:
    from desktop_app.gui.about_dialog import AboutDialog
    from desktop_app.gui.main_window import MainWindow

    window = MainWindow(runtime, start_workers=False, network_hint=False, tray=False)
    try:
        title = window.windowTitle()
        for page in range(window.stack.count()):  # the screens built on first show, too
            window.page(page)
        AboutDialog(runtime, window).deleteLater()
    finally:
        window.shutdown()
        window.deleteLater()
    return title


def _check_diagnostics(runtime) -> str:
    from desktop_app.diagnostics import collect

    text = collect(runtime)
    if "(no disponible" in text:
        broken = [line for line in text.splitlines() if "(no disponible" in line]
        raise SelfTestFailed(f"diagnóstico incompleto: {'; '.join(broken)}")
    return f"diagnóstico de {text.count(chr(10))} líneas"


def run_self_test(verbose: bool = False) -> int:
    """Run the checks above; 0 when all pass, 1 otherwise (the failing step is printed)."""
    from desktop_app import __version__

    started = time.monotonic()
    step = "preparar"
    details: list[str] = []

    def note(text: str) -> None:
        details.append(text)
        log.info("self-test: %s", text)
        if verbose:
            _say(f"  {text}")

    if verbose:
        _say(
            f"Lote {__version__} — autoprueba ({'empaquetado' if getattr(sys, 'frozen', False) else 'desde el código'})"
        )
    with tempfile.TemporaryDirectory(prefix="lote-autoprueba-") as tmp:
        folder = Path(tmp)
        runtime: Any = None
        try:
            step = "Qt"
            app = _qt_application(folder / "settings")
            note(f"Qt {_qt_version()} con la plataforma {app.platformName()}")

            step = "base de datos"
            from desktop_app.runtime import open_runtime

            runtime = open_runtime(folder / "datos", force_demo=True)
            current, head = runtime.db.current_revision(), runtime.db.head_revision()
            if current != head:
                raise SelfTestFailed(f"esquema {current}, se esperaba {head}")
            note(f"base de datos nueva migrada al esquema {head}")
            note(_check_search_index(runtime))

            step = "simulador"
            if runtime.sandbox is None:
                raise SelfTestFailed("el simulador de FacturaSend no arrancó")
            runtime.sandbox.processing_delay = PROCESSING_DELAY
            note(f"simulador FacturaSend en {runtime.sandbox.url}")

            step = "encolar la factura"
            from desktop_app.store.outbox import enqueue_documents
            from desktop_app.store.profiles import list_profiles

            profile = next(p for p in list_profiles(runtime.db) if p.is_demo)
            cycle_start = time.monotonic()
            result = enqueue_documents(runtime.db, profile.id, [_invoice()], actor="selftest")
            if not result.ok:
                problems = "; ".join(
                    f"{e.field}: {e.message}" for errs in result.errors.values() for e in errs
                )
                raise SelfTestFailed(f"la factura de prueba no es válida ({problems})")
            [doc_id] = result.ids

            step = "enviar y esperar la aprobación"
            engine = runtime.make_engine()
            if not engine.run_until_idle(timeout=SYNC_TIMEOUT):
                raise SelfTestFailed(f"sin respuesta del simulador en {SYNC_TIMEOUT:.0f} s")
            cycle = time.monotonic() - cycle_start
            from desktop_app.store.queries import find_document

            row = find_document(runtime.db, str(doc_id))
            if row is None:
                raise SelfTestFailed("la factura desapareció de la base de datos")
            if row.state not in APPROVED_STATES:
                raise SelfTestFailed(f"la factura quedó {row.state} ({row.code}: {row.message})")
            state = _state_label(row.state)
            note(f"factura {row.numero} {state} ({row.code}) en el lote {row.lote}, CDC {row.cdc}")

            step = "PDF"
            from desktop_app.documents.printing import render_pdf

            pdf = render_pdf(runtime.db, doc_id, folder / "factura.pdf")
            data = pdf.read_bytes()
            if not data.startswith(b"%PDF") or len(data) < 1024:
                raise SelfTestFailed(f"el PDF generado no es válido ({len(data)} bytes)")
            pdf_kb = max(1, round(len(data) / 1024))
            note(f"PDF de {pdf_kb} KB")

            step = "traducciones"
            note(f"traducciones {_check_translations()}")

            step = "ventana principal"
            note(f"ventana principal «{_check_window(runtime)}» y «Acerca de Lote»")

            step = "diagnóstico"
            note(_check_diagnostics(runtime))
            summary = (
                f"Autoprueba correcta: factura {row.numero} {state} ({row.code}) en "
                f"{_seconds(cycle)} s; PDF {pdf_kb} KB"
            )
        except Exception as exc:
            log.exception("self-test failed at %s", step)
            if verbose:
                _say(traceback.format_exc().rstrip(), err=True)
            _say(f"Autoprueba FALLIDA en el paso «{step}»: {exc}", err=True)
            return 1
        finally:
            if runtime is not None:
                runtime.close()
    _say(summary)
    if verbose:
        _say(f"  total {_seconds(time.monotonic() - started)} s")
    return 0


def _state_label(state: str) -> str:
    from desktop_app.gui.labels import state_label

    return state_label(state)


def _qt_version() -> str:
    from PySide6 import __version__ as pyside
    from PySide6.QtCore import qVersion

    return f"{qVersion()} (PySide6 {pyside})"


def main(argv: list[str] | None = None) -> int:
    """`python -m desktop_app.selftest [-v]`: the same test without the `lote` command."""
    args = sys.argv[1:] if argv is None else argv
    return run_self_test(verbose="-v" in args or "--verbose" in args)


if __name__ == "__main__":
    raise SystemExit(main())
