"""The documents table's free-text filter on PostgreSQL: no search index there
(migration 0006 is SQLite only), ILIKE finds the same documents as SQLite's index."""

from __future__ import annotations

from sqlalchemy import inspect

from desktop_app.store.db import Database
from desktop_app.store.lote_queries import DocumentFilter, document_search
from desktop_app.store.models import SEARCH_INDEXES
from desktop_app.store.profiles import save_profile
from tests.postgres.helpers import profile
from tests.store.test_document_search import _queue_varied

#: ASCII texts (this test cluster's C locale folds only ASCII), none a hexadecimal code
#: (CDCs differ between the two databases: each has its own security codes).
TEXTS = ["farmacia", "FARMACIA", "Farm", "fa", "ANA", "50%", "%", "r_s", "_", '"', 'Bar "El',
         "Casa *", "AND", "OR NOT", "(Luque)", "a: N", "{La", "O'Hi", "80026", "8002656",
         "4567890-1", "12", "CUCU-", "pn 0", "zzz no existe"]


def test_the_text_filter_finds_on_postgresql_what_the_sqlite_index_finds(
    pg_url: str, db: Database, demo_profile
) -> None:
    pg = Database.open(pg_url)
    try:
        with pg.engine.connect() as conn:
            assert not set(SEARCH_INDEXES) & set(inspect(conn).get_table_names())
        pg_ids = _queue_varied(pg, save_profile(pg, profile()).id, 120)
        sqlite_ids = _queue_varied(db, demo_profile.id, 120)
        same = dict(zip(sqlite_ids, pg_ids, strict=True))
        for text in TEXTS:
            on_sqlite = document_search(db, DocumentFilter(text=text))
            on_pg = document_search(pg, DocumentFilter(text=text))
            assert on_pg == [same[i] for i in on_sqlite], text
            assert on_pg or text in ("zzz no existe",), text
    finally:
        pg.dispose()
