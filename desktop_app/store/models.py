"""The tables. Secrets never live here (DESIGN rule 4): a profile names its provider and
endpoint; its API key is in the OS keyring under the profile's name."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, DateTime, Index, Numeric, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from desktop_app.store.types import UTCDateTime, utcnow


def _utc(**kw) -> Column:  # a fresh Column per field: SQLAlchemy columns cannot be shared
    return Column(UTCDateTime(), **kw)


#: SQLite's full-text indexes of the documents table (migration 0006, queried by
#: lote_queries), each with the `document` columns it holds: FTS5 virtual tables, each
#: with the shadow tables FTS5 keeps (`<name>_data`, `_idx`, `_docsize`, `_config`).
#: Made by the migration, not by this metadata: SQLAlchemy cannot describe them.
SEARCH_INDEXES: dict[str, tuple[str, ...]] = {
    "document_fts": ("customer_name", "customer_tax_id", "cdc"),  # set when queued
    "document_assigned_fts": ("cuf", "cae", "provider_number"),  # assigned on approval
}


def in_metadata(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's `include_name` hook: whether a database object is one this metadata
    describes. The search indexes and their shadow tables are not, so that autogenerate
    and schema comparisons do not take them for tables to drop."""
    if type_ != "table" or name is None:
        return True
    return not any(name == index or name.startswith(f"{index}_") for index in SEARCH_INDEXES)


class ProviderProfile(SQLModel, table=True):
    __tablename__ = "provider_profile"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    provider: str
    country: str = "PY"
    base_url: str
    tenant: str | None = None
    emisor_ruc: str | None = None
    emisor_name: str | None = None
    tipo_contribuyente: int = 2
    establecimiento: str = "001"
    punto: str = "001"
    max_batch: int = 50
    poll_first_s: float = 5.0
    poll_every_s: float = 30.0
    poll_max_s: float = 3600.0
    is_default: bool = False
    is_demo: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    # Connectivity and back-off, persisted so a restart does not reset them.
    online: bool | None = None
    failures: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=_utc())
    last_error: str | None = None
    last_sync_at: datetime | None = Field(default=None, sa_column=_utc())


class Lote(SQLModel, table=True):
    """One request that carried documents to a provider (a batch)."""

    __tablename__ = "lote"

    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="provider_profile.id", index=True)
    attempt_id: str = Field(unique=True)
    provider_lote_id: str | None = None  # a string: SIFEN lote numbers have 17 digits
    tipo_documento: int
    size: int
    state: str = "SENDING"  # SENDING, SUBMITTED, DONE, UNKNOWN, REFUSED, OFFLINE, UNSENT
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=_utc())
    code: str | None = None
    message: str | None = None


class Document(SQLModel, table=True):
    """A document and its current state. `payload` is the full DE JSON as saved."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("profile_id", "tipo_documento", "establecimiento", "punto", "numero",
                         name="uq_document_number"),
        Index("ix_document_profile_state", "profile_id", "state"),
        Index("ix_document_state_next_poll", "state", "next_poll_at"),
        # The claim's exact order (migration 0005): without it a claim walked every
        # document already sent once the history grew (100k: 201 ms -> 11.5 ms).
        Index("ix_document_claim", "profile_id", "state", "tipo_documento", "establecimiento",
              "punto", "numero"),
    )

    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="provider_profile.id")
    tipo_documento: int
    establecimiento: str
    punto: str
    numero: int
    # As written on the document: the shop's local time, naive (SIFEN dFeEmiDE).
    fecha: datetime = Field(sa_column=Column(DateTime(), nullable=False))
    customer_name: str
    customer_tax_id: str
    currency: str = "PYG"
    total: Decimal = Field(sa_column=Column(Numeric(20, 4), nullable=False))
    iva_total: Decimal = Field(sa_column=Column(Numeric(20, 4), nullable=False))
    state: str = Field(index=True)
    processing: bool = False  # SUBMITTED and the provider said it is still processing
    cdc: str | None = Field(default=None, index=True)
    external_ref: str | None = Field(default=None, index=True)
    attempt_id: str | None = None
    lote_id: int | None = Field(default=None, foreign_key="lote.id", index=True)
    code: str | None = None
    message: str | None = None
    payload: str = Field(sa_column=Column(Text, nullable=False))
    # What the authority or provider assigned (migration 0002).
    provider_ref: str | None = None
    provider_number: str | None = None  # the number the provider assigned (CUCU)
    cuf: str | None = Field(default=None, index=True)
    cae: str | None = Field(default=None, index=True)
    cae_expiry: str | None = None
    observations: str | None = None
    #: No final result within the profile's limit: a person must look (not polled again).
    attention: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    polls: int = 0
    next_poll_at: datetime | None = Field(default=None, sa_column=_utc())
    submitted_at: datetime | None = Field(default=None, sa_column=_utc())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class DocumentEvent(SQLModel, table=True):
    """Append-only audit trail: one row per state change (triggers refuse UPDATE/DELETE)."""

    __tablename__ = "document_event"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    from_state: str | None = None
    to_state: str
    actor: str
    code: str | None = None
    message: str | None = None
    attempt_id: str | None = None
    lote_id: int | None = None


class NumberSequence(SQLModel, table=True):
    """Next number per profile, document type, establecimiento and punto de expedición."""

    __tablename__ = "number_sequence"
    __table_args__ = (
        UniqueConstraint("profile_id", "tipo_documento", "establecimiento", "punto",
                         name="uq_number_sequence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="provider_profile.id")
    tipo_documento: int
    establecimiento: str
    punto: str
    next_numero: int = 1


# Tables defined beside the code that owns them (registered here so metadata is complete).
from desktop_app.store.books import Customer, Product  # noqa: E402,F401
from desktop_app.store.terminal import Terminal, TerminalLote, TerminalPunto  # noqa: E402,F401
