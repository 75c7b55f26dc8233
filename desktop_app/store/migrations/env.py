"""Alembic environment: runs against the engine Lote hands over in `config.attributes`.

On SQLite, migrations run with foreign keys OFF and `render_as_batch=True`: a batch
migration recreates tables, and with foreign keys on it would cascade-delete children
(STYLE.md pitfalls).
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import desktop_app.store.books  # noqa: F401  (customer and product tables, migration 0003)
import desktop_app.store.models  # noqa: F401  (registers the tables)
from desktop_app.store.models import in_metadata

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection if is_sqlite else None
        if raw is not None:
            # PRAGMA foreign_keys is a no-op inside a transaction, and SQLAlchemy begins
            # one with the first statement: set it on the raw (autocommit) connection
            # first, or a batch rebuild of `document` fails on its events' foreign keys.
            raw.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=is_sqlite,
            compare_type=True,
            include_name=in_metadata,  # not the search index (migration 0006)
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")


run_migrations_online()
