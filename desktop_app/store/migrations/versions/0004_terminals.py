"""terminals: which Lote installation issues on which punto de expedición, and which
terminal claimed each lote (several counters sharing one PostgreSQL database)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "terminal",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # One punto, one terminal: the constraint the authorities' "one punto de expedición
    # per cash register" comes down to.
    op.create_table(
        "terminal_punto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("establecimiento", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("punto", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("terminal_id", sa.String(), nullable=False),
        sa.Column("chosen", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["provider_profile.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["terminal_id"], ["terminal.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("profile_id", "establecimiento", "punto", name="uq_terminal_punto"),
    )
    op.create_index(
        "ix_terminal_punto_terminal_id", "terminal_punto", ["terminal_id"], unique=False
    )
    op.create_table(
        "terminal_lote",
        sa.Column("lote_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("terminal_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["lote_id"], ["lote.id"]),
        sa.ForeignKeyConstraint(["terminal_id"], ["terminal.id"]),
        sa.PrimaryKeyConstraint("lote_id"),
    )
    op.create_index("ix_terminal_lote_terminal_id", "terminal_lote", ["terminal_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_terminal_lote_terminal_id", table_name="terminal_lote")
    op.drop_table("terminal_lote")
    op.drop_index("ix_terminal_punto_terminal_id", table_name="terminal_punto")
    op.drop_table("terminal_punto")
    op.drop_table("terminal")
