"""What every provider adapter returns and raises.

The classification of failures is the heart of "never issue twice" (DESIGN rule 2):
- `ConnectionFailed`: the request never left the machine (no TCP connection). The
  documents may safely go back to the queue.
- `OutcomeUnknown`: the request may have reached the provider (timeout after sending,
  reset, 5xx, a body we cannot parse). The documents become UNKNOWN and are reconciled
  by asking the provider before any resend.
- `CallRefused`: the provider answered and refused the whole call without creating
  anything (validation of the call, wrong credentials). Nothing was issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol


class Outcome(StrEnum):
    """A provider's word about one document, in domain terms."""

    RECEIVED = "RECEIVED"  # accepted into a lote, not yet processed
    PROCESSING = "PROCESSING"  # the authority is still processing it
    APPROVED = "APPROVED"
    APPROVED_WITH_OBSERVATIONS = "APPROVED_WITH_OBSERVATIONS"
    REJECTED = "REJECTED"
    NOT_FOUND = "NOT_FOUND"  # the provider has no record of it
    #: Not issued and not the document's fault (e.g. TusFacturas rejects every comprobante
    #: after a failed one in the same call): it goes back to the queue.
    NOT_PROCESSED = "NOT_PROCESSED"


@dataclass(frozen=True)
class OutgoingDocument:
    """One stored document on its way out: the local id and the DE JSON as saved."""

    local_id: int
    payload: dict[str, Any]
    numero: str  # as the country displays it: "001-001-0000001"
    cdc: str | None = None
    external_ref: str | None = None  # Lote's idempotency key where the dialect has one


@dataclass(frozen=True)
class DocumentRef:
    """What the engine knows of a document already handed over, to ask about it: each
    dialect uses what it can (CDC, its lote number, the document number, an external
    reference)."""

    local_id: int
    tipo_documento: int
    establecimiento: str
    punto: str
    numero: int
    cdc: str | None = None
    provider_lote_id: str | None = None
    external_ref: str | None = None
    provider_ref: str | None = None
    sent_at: datetime | None = None  # when the request that carried it was made
    customer_tax_id: str | None = None
    total: Decimal | None = None


@dataclass(frozen=True)
class DocumentResult:
    outcome: Outcome
    local_id: int | None = None
    cdc: str | None = None
    numero: str | None = None
    code: str | None = None
    message: str | None = None
    provider_status: str | None = None  # the provider's own status text, verbatim
    provider_ref: str | None = None  # the provider's own id of the document (CUCU invoiceId)
    cuf: str | None = None  # Bolivia: Código Único de Factura
    cae: str | None = None  # Argentina: Código de Autorización Electrónico
    cae_expiry: str | None = None  # "AAAA-MM-DD"
    observations: str | None = None  # approved with observations: what the authority said


@dataclass(frozen=True)
class SubmitResult:
    lote_id: str | None
    documents: list[DocumentResult] = field(default_factory=list)


class ProviderError(Exception):
    """Base class; `str(err)` is a calm Spanish sentence fit for the status bar."""


class ConnectionFailed(ProviderError):
    """Nothing reached the provider: safe to retry the same request later."""


class OutcomeUnknown(ProviderError):
    """The request may have been processed: reconcile before resending."""


class CallRefused(ProviderError):
    """The provider refused the whole call and created nothing.

    `errors` maps the index of a document in the call to the provider's message for
    it; documents not named are innocent and may be queued again.
    """

    def __init__(self, message: str, errors: dict[int, str] | None = None,
                 *, auth: bool = False, code: str | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}
        self.auth = auth
        self.code = code


class ProviderClient(Protocol):
    """The contract of every adapter (one per provider dialect)."""

    provider: str
    max_batch: int

    def submit(self, docs: list[OutgoingDocument]) -> SubmitResult:
        """Send one batch. Results name documents by `local_id` (or CDC/number)."""
        ...

    def poll(self, refs: list[DocumentRef]) -> list[DocumentResult]:
        """Current results of submitted documents; results carry `local_id`."""
        ...

    def lookup(self, ref: DocumentRef) -> list[DocumentResult]:
        """Every attempt the provider knows for this document (reconciliation)."""
        ...

    def probe(self) -> None:
        """One cheap authenticated call; raises ProviderError subclasses on failure."""
        ...

    def close(self) -> None: ...
