"""full-text indexes for the documents table's free-text filter (SQLite only)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12

benchmarks/big_table.py: at 100,000 documents the filter box's `LIKE '%text%'` over six
columns scanned the whole table for every text (117-315 ms, the 150 ms target missed).
FTS5 indexes with the trigram tokenizer answer a substring of three characters or more
from the index (11,001 matches in ~30 ms, no match in 0.1 ms); `lote_queries.
_text_condition` queries them. They hold no text of their own (external content: they
read the `document` rows); together ~20 % of the database's size. Building them for
100,000 documents takes ~1.5 s.

Two indexes, because FTS5 cannot update one column of a row: it deletes and re-adds the
whole row, and each UPDATE statement flushes its pending changes into a new segment.
`document_fts` holds what a document is issued with (customer name, tax id, CDC: set
when it is queued); `document_assigned_fts` what the authority or provider assigns later
(CUF, CAE, the provider's number). An approval that brings a CAE re-indexes three short
codes, not the customer and the CDC too (`apply_changes`, 50 documents a transaction,
100,000 in the table: ~30 µs more per document instead of ~75 µs with one index).

Kept in step by triggers on `document`. The UPDATE triggers fire only when one of
their index's columns really changes: the sync engine rewrites state columns of
thousands of documents at a time and must not re-index them.

SQLite only: on PostgreSQL this does nothing and the filter keeps ILIKE. A SQLite
without FTS5 or its trigram tokenizer (before 3.34) gets no indexes either; the filter
then falls back to LIKE at runtime.

A later migration that rebuilds `document` (an Alembic batch operation that copies the
table: adding, dropping or altering a column) drops these triggers with the old table:
it must create them again (`create_triggers()` below) and 'rebuild' the indexes, or
they go stale. tests/store/test_document_search.py checks the triggers exist at head.
"""

from __future__ import annotations

import sqlite3

import sqlmodel  # noqa: F401
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: Each index and the `document` columns it holds (as of this revision).
INDEXES = {
    "document_fts": ("customer_name", "customer_tax_id", "cdc"),
    "document_assigned_fts": ("cuf", "cae", "provider_number"),
}


def trigram_available() -> bool:
    """Whether the SQLite library this process uses (the one SQLAlchemy's driver loads)
    has FTS5 with the trigram tokenizer."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


def create_triggers(table: str, columns: tuple[str, ...]) -> None:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("id", *columns))
    op.execute(
        f"CREATE TRIGGER {table}_insert AFTER INSERT ON document BEGIN "
        f"INSERT INTO {table}(rowid, {cols}) VALUES (new.id, {new}); END"
    )
    # An external-content index forgets a row by being told the values it indexed.
    op.execute(
        f"CREATE TRIGGER {table}_delete AFTER DELETE ON document BEGIN "
        f"INSERT INTO {table}({table}, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
    )
    # `UPDATE OF` leaves the trigger out of statements that do not set these columns;
    # WHEN skips rows whose values are set but unchanged (a bulk update may write a
    # column with the value it had).
    op.execute(
        f"CREATE TRIGGER {table}_update AFTER UPDATE OF id, {cols} ON document "
        f"WHEN {changed} BEGIN "
        f"INSERT INTO {table}({table}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {table}(rowid, {cols}) VALUES (new.id, {new}); END"
    )


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite" or not trigram_available():
        return
    for table, columns in INDEXES.items():
        op.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(columns)}, "
            f"content='document', content_rowid='id', tokenize='trigram')"
        )
        op.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
        # 'rebuild' leaves many segments that FTS5 would then merge bit by bit on later
        # writes (with one index, an approval bringing a CAE cost ~450 µs per document
        # instead of ~150 µs at 100,000 documents): merge them into one now (~0.2 s).
        op.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        create_triggers(table, columns)


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for table in INDEXES:
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{event}")
        op.execute(f"DROP TABLE IF EXISTS {table}")
