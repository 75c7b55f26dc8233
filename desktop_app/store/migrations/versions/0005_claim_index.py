"""index for claiming batches in number order

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21

benchmarks/scaling.py showed claims slowing down as history grew: the engine's claim
(`state = 'QUEUED'` ordered by establecimiento, punto, numero) used the unique number
index and filtered state row by row, so every claim walked the documents already sent.
"""

from __future__ import annotations

import sqlmodel  # noqa: F401
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(
            "ix_document_claim",
            ["profile_id", "state", "tipo_documento", "establecimiento", "punto", "numero"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_claim")
