"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "provider_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("base_url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tenant", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("emisor_ruc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("emisor_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("tipo_contribuyente", sa.Integer(), nullable=False),
        sa.Column("establecimiento", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("punto", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("max_batch", sa.Integer(), nullable=False),
        sa.Column("poll_first_s", sa.Float(), nullable=False),
        sa.Column("poll_every_s", sa.Float(), nullable=False),
        sa.Column("poll_max_s", sa.Float(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("provider_profile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_profile_name"), ["name"], unique=True)

    op.create_table(
        "lote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("provider_lote_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("tipo_documento", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["provider_profile.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attempt_id"),
    )
    with op.batch_alter_table("lote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lote_profile_id"), ["profile_id"], unique=False)

    op.create_table(
        "number_sequence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("tipo_documento", sa.Integer(), nullable=False),
        sa.Column("establecimiento", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("punto", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("next_numero", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["provider_profile.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "profile_id", "tipo_documento", "establecimiento", "punto", name="uq_number_sequence"
        ),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("tipo_documento", sa.Integer(), nullable=False),
        sa.Column("establecimiento", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("punto", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("numero", sa.Integer(), nullable=False),
        sa.Column("fecha", sa.DateTime(), nullable=False),
        sa.Column("customer_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("customer_tax_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("total", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("iva_total", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("processing", sa.Boolean(), nullable=False),
        sa.Column("cdc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("external_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("attempt_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lote_id", sa.Integer(), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lote_id"],
            ["lote.id"],
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["provider_profile.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "profile_id",
            "tipo_documento",
            "establecimiento",
            "punto",
            "numero",
            name="uq_document_number",
        ),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_cdc"), ["cdc"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_document_external_ref"), ["external_ref"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_document_lote_id"), ["lote_id"], unique=False)
        batch_op.create_index("ix_document_profile_state", ["profile_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_state"), ["state"], unique=False)
        batch_op.create_index(
            "ix_document_state_next_poll", ["state", "next_poll_at"], unique=False
        )

    op.create_table(
        "document_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("from_state", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("to_state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("attempt_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lote_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("document_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_event_document_id"), ["document_id"], unique=False
        )

    # The audit trail is append-only: the database itself refuses to change history.
    for action in ("UPDATE", "DELETE"):
        if op.get_context().dialect.name == "sqlite":
            op.execute(
                f"CREATE TRIGGER document_event_no_{action.lower()} BEFORE {action} ON document_event "
                f"BEGIN SELECT RAISE(ABORT, 'document_event is append-only'); END"
            )
        else:
            op.execute(
                "CREATE OR REPLACE FUNCTION document_event_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'document_event is append-only'; END $$ LANGUAGE plpgsql"
            )
            op.execute(
                f"CREATE TRIGGER document_event_no_{action.lower()} BEFORE {action} ON document_event "
                f"FOR EACH ROW EXECUTE FUNCTION document_event_append_only()"
            )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS document_event_no_update"
        + ("" if op.get_context().dialect.name == "sqlite" else " ON document_event")
    )
    op.execute(
        "DROP TRIGGER IF EXISTS document_event_no_delete"
        + ("" if op.get_context().dialect.name == "sqlite" else " ON document_event")
    )

    with op.batch_alter_table("document_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_event_document_id"))

    op.drop_table("document_event")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_state_next_poll")
        batch_op.drop_index(batch_op.f("ix_document_state"))
        batch_op.drop_index("ix_document_profile_state")
        batch_op.drop_index(batch_op.f("ix_document_lote_id"))
        batch_op.drop_index(batch_op.f("ix_document_external_ref"))
        batch_op.drop_index(batch_op.f("ix_document_cdc"))

    op.drop_table("document")
    op.drop_table("number_sequence")
    with op.batch_alter_table("lote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lote_profile_id"))

    op.drop_table("lote")
    with op.batch_alter_table("provider_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_profile_name"))

    op.drop_table("provider_profile")
