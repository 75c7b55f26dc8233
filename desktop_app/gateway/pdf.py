"""The printed PDF of a document, for the POS.

The gateway takes the renderer as a hook, ``pdf_renderer: Callable[[int], Path]``
(document id -> a PDF file), so that the host decides on which thread Qt runs: the
window routes it through the GUI thread, ``lote api``/``lote watch`` through
`mainthread.MainThreadCalls` on their main thread. `qt_pdf_renderer` is the real one,
over `documents.printing.render_pdf` (imported when first used: the gateway itself
needs no Qt).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop_app.store.db import Database

PdfRenderer = Callable[[int], Path]


def qt_pdf_renderer(db: Database, folder: Path, *, layout: str = "a4") -> PdfRenderer:
    """A renderer writing ``<folder>/<id>-<layout>.pdf`` with the app's own printing
    (A4 or the 80 mm ticket). Call it on the Qt main thread only."""
    def render(doc_id: int) -> Path:
        from desktop_app.documents.printing import render_pdf

        return render_pdf(db, doc_id, Path(folder) / f"{doc_id}-{layout}.pdf", layout=layout)

    return render
