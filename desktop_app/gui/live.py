"""Live updates of the window while documents change, without a query on the GUI thread.

The sync workers (and another terminal's listener, and the POS gateway) report *which*
documents changed, every few milliseconds while a drain runs. The GUI thread must stay
free for painting and input (BENCHMARKS.md, GUI heartbeat: 5 ms beats, no gap over
50 ms), so `LiveUpdates`:

1. merges reports for `COALESCE_MS` (one read per window of reports, not one per report);
2. asks each table on the GUI thread what it needs — a dictionary lookup per id: the
   changed rows it holds in its cache, the changed ids it does not hold yet, its filter
   (`DocumentsModel.ask`);
3. reads everything in ONE background task (`read_news`, on Qt's thread pool through
   `TaskRunner`): which newcomers each filter admits (and where they go), the fresh
   rows (`DocumentRow`s: the table's columns only, never the JSON payload), which
   documents are rejected now (the tray notice) and the status bar counts;
4. hands the result, plain data, to the window on the GUI thread, which only applies
   it (`dataChanged`, a few inserted rows, labels).

One read is in flight at a time, and reports that arrive meanwhile wait for the next:
reads therefore finish in the order they started and a slow old answer can never
overwrite a fresher row. Reading after the merge (rather than in the worker that made
the change) also keeps two workers' answers from crossing on the way to the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer

from desktop_app.gui.tasks import TaskRunner
from desktop_app.store.db import Database
from desktop_app.store.lote_queries import (
    DocumentFilter,
    document_rank,
    matching_ids,
    rejected_among,
)
from desktop_app.store.queries import DocumentRow, StatusSummary, rows_by_ids, status_summary

log = logging.getLogger(__name__)

#: How long reports are merged before anything is read (ms).
COALESCE_MS = 100
#: After a failed read (the shared database unreachable), wait this long (ms).
RETRY_MS = 2000


@dataclass(frozen=True)
class ViewAsk:
    """What one table needs to know about the changed documents (built on the GUI
    thread, from memory only)."""

    flt: DocumentFilter
    #: Changed ids whose row the table holds: their fresh row replaces it.
    cached: frozenset[int] = frozenset()
    #: Changed ids the table does not list yet: shown if the filter lets them through.
    newcomers: tuple[int, ...] = ()


@dataclass(frozen=True)
class ViewNews:
    """The answer for one `ViewAsk`."""

    flt: DocumentFilter
    #: Newcomers the filter admits.
    admitted: frozenset[int] = frozenset()
    #: Their place in the filter's order (`document_rank`); empty in id order, where
    #: the place follows from the id itself.
    ranks: dict[int, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class LiveNews:
    """Everything the window applies after a window of reports."""

    ids: frozenset[int]
    rows: dict[int, DocumentRow]
    #: Which of `ids` are rejected now (their rows are in `rows`).
    rejected: frozenset[int]
    #: One answer per ask, in the same order (None where the ask was None).
    views: tuple[ViewNews | None, ...]
    summary: StatusSummary | None


def read_news(
    db: Database, ids: Iterable[int], asks: Sequence[ViewAsk | None], *, summary: bool = True
) -> LiveNews:
    """The reads behind one window of reports; runs off the GUI thread."""
    changed = frozenset(ids)
    rejected = frozenset(rejected_among(db, changed)) if changed else frozenset()
    wanted: set[int] = set(rejected)
    views: list[ViewNews | None] = []
    for ask in asks:
        if ask is None:
            views.append(None)
            continue
        admitted = (
            frozenset(matching_ids(db, ask.flt, ask.newcomers)) if ask.newcomers else frozenset()
        )
        ranks = (
            {i: document_rank(db, ask.flt, i) for i in admitted}
            if admitted and ask.flt.sort != "id"
            else {}
        )
        views.append(ViewNews(ask.flt, admitted, ranks))
        wanted |= ask.cached | admitted
    rows = rows_by_ids(db, wanted) if wanted else {}
    return LiveNews(
        ids=changed,
        rows=rows,
        rejected=rejected,
        views=tuple(views),
        summary=status_summary(db) if summary else None,
    )


class LiveUpdates(QObject):
    """Merges reports of changed ids and turns them into `LiveNews`, one background
    read at a time.

    `asks(ids)` runs on the GUI thread when a read starts and returns what the tables
    need (None for a table that needs nothing); `apply(news)` runs on the GUI thread
    with the answer, `news.views[n]` answering `asks(ids)[n]`.
    """

    def __init__(
        self,
        db: Database,
        asks: Callable[[frozenset[int]], list[ViewAsk | None]],
        apply: Callable[[LiveNews], None],
        parent: QObject | None = None,
        *,
        synchronous: bool = False,
        coalesce_ms: int = COALESCE_MS,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._asks = asks
        self._apply = apply
        self._pending: set[int] = set()
        #: A user's action waits among the pending ids: read as soon as possible.
        self._urgent = False
        self._reading = False
        self._closed = False
        self._coalesce_ms = coalesce_ms
        self._tasks = TaskRunner(self, synchronous=synchronous)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(coalesce_ms)
        self._timer.timeout.connect(self.flush)

    @property
    def busy(self) -> bool:
        """A read is in flight or reports wait for one (tests wait for it to end)."""
        return self._reading or bool(self._pending)

    def report(self, ids: Iterable[int]) -> None:
        """A worker's report: read within `COALESCE_MS`, merged with the others."""
        if self._closed:
            return
        self._pending.update(ids)
        if self._pending and not self._reading and not self._timer.isActive():
            self._timer.start(self._coalesce_ms)

    def now(self, ids: Iterable[int]) -> None:
        """A user's action changed these documents: read at once (after the read in
        flight, if any), so the table follows the click."""
        if self._closed:
            return
        self._pending.update(ids)
        self._urgent = True
        if not self._reading:
            self.flush()

    def flush(self) -> None:
        self._timer.stop()
        if self._closed or self._reading or not self._pending:
            return
        changed, self._pending = frozenset(self._pending), set()
        self._urgent = False
        asks = self._asks(changed)
        db = self._db
        self._reading = True
        self._tasks.run(
            lambda: read_news(db, changed, asks),
            lambda news, error: self._done(changed, news, error),
        )

    def _done(
        self, changed: frozenset[int], news: LiveNews | None, error: Exception | None
    ) -> None:
        self._reading = False
        if self._closed:
            return
        if error is not None or news is None:
            # Logged by the task; the ids are read again a little later (a shared
            # database that went away comes back, or the listener reloads everything).
            self._pending |= changed
            self._timer.start(RETRY_MS)
            return
        try:
            self._apply(news)
        except Exception:
            log.exception("applying live updates failed")
        if self._urgent:
            self.flush()
        elif self._pending and not self._timer.isActive():
            self._timer.start(self._coalesce_ms)

    def close(self) -> None:
        """The window is closing: nothing more is read or applied."""
        self._closed = True
        self._timer.stop()
        self._pending.clear()
