"""Result files: ``resultados/<external id>.json`` when a gateway document is final.

The POS that handed a sale over learns its fate by a file appearing in the profile's
folder: state, CDC/CUF/CAE, the provider's code and message, and the path of the
printed PDF (approved documents, when the host can print). Written atomically (a
temporary file, then os.replace), the PDF before the JSON, so the POS never reads half a
file nor a JSON naming a PDF that is not there yet.

Two triggers, so that no result is ever lost:

- `GatewayResults.on_changed(ids)` with the ids of documents that changed (the engine's
  ``SyncReport.changed``; the window and ``lote watch`` call it after each step);
- `GatewayResults.sweep()` at start-up and now and then: every gateway document in a
  final state whose result was not written for that state (a crash, another process
  sending). A document that reaches a final state again (rejected, edited, approved)
  gets its file rewritten.

What was written is recorded in the side database (`ledger.Ledger.mark_result`) after
the file: a crash in between only rewrites the same file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from desktop_app.domain.states import FINAL_STATES, DocState
from desktop_app.gateway.ledger import IntakeRow, Ledger
from desktop_app.gateway.settings import write_bytes_atomic, write_json_atomic
from desktop_app.store.db import Database
from desktop_app.store.models import Document
from desktop_app.store.queries import DocumentRow, rows_by_ids

log = logging.getLogger(__name__)

FINAL_VALUES = frozenset(s.value for s in FINAL_STATES)
#: States whose document is worth printing for the customer.
PRINTABLE_STATES = frozenset({DocState.APPROVED.value, DocState.APPROVED_WITH_OBSERVATIONS.value})


def result_json(row: DocumentRow, *, pdf: Path | None, pdf_error: str | None = None) -> dict[str, Any]:
    """The result file's content (schema ``ResultFile`` in the OpenAPI document)."""
    out = row.to_json()
    out.update({
        "external_id": row.external_ref,
        "final": row.state in FINAL_VALUES,
        "pdf": str(pdf) if pdf is not None else None,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    })
    if pdf_error:
        out["pdf_error"] = pdf_error
    return out


class GatewayResults:
    def __init__(
        self,
        db: Database,
        ledger: Ledger,
        results_dir_for: Callable[[str], Path],
        *,
        pdf_renderer: Callable[[int], Path] | None = None,
    ) -> None:
        """`results_dir_for(profile name)` is the ``resultados`` folder of a profile,
        for documents that did not come from a watched folder (whose results go beside
        it); `pdf_renderer` must be callable from the thread that calls `on_changed`."""
        self.db = db
        self.ledger = ledger
        self.results_dir_for = results_dir_for
        self.pdf_renderer = pdf_renderer

    def on_changed(self, ids: Iterable[int]) -> list[Path]:
        """Write the results of those of `ids` that came through the gateway and are now
        final. Returns the files written."""
        intake = self.ledger.intake_rows(set(ids))
        return self._write(intake) if intake else []

    def sweep(self, *, all_open: bool = False) -> list[Path]:
        """Write every result not yet written. `all_open` also re-checks documents whose
        result may have changed since (start-up: a rejected one resent, an approved one
        cancelled); otherwise only those never written, a small set."""
        waiting = self.ledger.awaiting_results(all_open=all_open)
        written: list[Path] = []
        for start in range(0, len(waiting), 500):
            chunk = waiting[start:start + 500]
            with self.db.session() as s:
                states = dict(s.execute(select(col(Document.id), col(Document.state))
                                        .where(col(Document.id).in_(chunk))).all())
            final = [doc_id for doc_id, state in states.items() if state in FINAL_VALUES]
            gone = [doc_id for doc_id in chunk if doc_id not in states]
            if final or gone:
                written += self._write(self.ledger.intake_rows(final + gone))
        return written

    def _write(self, intake: dict[int, IntakeRow]) -> list[Path]:
        rows = rows_by_ids(self.db, intake)
        written: list[Path] = []
        marks: list[tuple[int, str]] = []
        stale: list[int] = []
        for doc_id, entry in sorted(intake.items()):
            row = rows.get(doc_id)
            if row is None or row.external_ref != entry.external_id:
                stale.append(doc_id)  # the main database was restored from a backup
                continue
            if row.state not in FINAL_VALUES or row.state == entry.result_state:
                continue
            try:
                written.append(self._write_one(row, entry.results_dir))
            except OSError:
                log.exception("could not write the result of document %s", doc_id)
                continue
            marks.append((doc_id, row.state))
        if stale:
            log.warning("forgetting %d gateway documents not in the database", len(stale))
            self.ledger.forget(stale)
        if marks:
            with self.ledger.transaction():
                for doc_id, state in marks:
                    self.ledger.mark_result(doc_id, state)
        return written

    def _write_one(self, row: DocumentRow, results_dir: str | None) -> Path:
        assert row.external_ref is not None
        folder = Path(results_dir) if results_dir else self.results_dir_for(row.profile)
        folder.mkdir(parents=True, exist_ok=True)
        pdf: Path | None = None
        pdf_error: str | None = None
        if self.pdf_renderer is not None and row.state in PRINTABLE_STATES:
            try:
                rendered = self.pdf_renderer(row.id)
                pdf = folder / f"{row.external_ref}.pdf"
                write_bytes_atomic(pdf, Path(rendered).read_bytes())
            except Exception as exc:  # a printing problem must not hold the result back
                log.exception("could not print document %s", row.id)
                pdf, pdf_error = None, f"No se pudo generar el PDF: {exc}"
        target = folder / f"{row.external_ref}.json"
        write_json_atomic(target, result_json(row, pdf=pdf, pdf_error=pdf_error))
        return target
