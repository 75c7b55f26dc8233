"""authority ids (provider_ref and number, CUF, CAE and expiry, observations), attention

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_ref", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("provider_number", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("cuf", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("cae", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("cae_expiry", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("observations", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("attention", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index("ix_document_cuf", ["cuf"], unique=False)
        batch_op.create_index("ix_document_cae", ["cae"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_cae")
        batch_op.drop_index("ix_document_cuf")
        batch_op.drop_column("attention")
        batch_op.drop_column("observations")
        batch_op.drop_column("cae_expiry")
        batch_op.drop_column("cae")
        batch_op.drop_column("cuf")
        batch_op.drop_column("provider_number")
        batch_op.drop_column("provider_ref")
