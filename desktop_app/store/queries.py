"""Reading documents for the table, the CLI and the detail view.

The GUI keeps only ids and asks for pages of rows (`rows_by_ids`), never every object
(STYLE.md, Anki's browser); filters and sorting happen in SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import col, select

from desktop_app.domain.country import rules_for
from desktop_app.store.db import Database
from desktop_app.store.models import Document, DocumentEvent, Lote, ProviderProfile


@dataclass(frozen=True)
class DocumentRow:
    id: int
    profile: str
    provider: str
    tipo_documento: int
    numero: str
    fecha: datetime
    customer_name: str
    customer_tax_id: str
    currency: str
    total: Decimal
    iva_total: Decimal
    state: str
    processing: bool
    cdc: str | None
    lote: str | None
    code: str | None
    message: str | None
    external_ref: str | None
    country: str = "PY"
    cuf: str | None = None
    cae: str | None = None
    cae_expiry: str | None = None
    observations: str | None = None
    provider_number: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "profile": self.profile,
            "provider": self.provider,
            "tipoDocumento": self.tipo_documento,
            "numero": self.numero,
            "fecha": self.fecha.isoformat(timespec="seconds"),
            "cliente": self.customer_name,
            "documentoCliente": self.customer_tax_id,
            "moneda": self.currency,
            "total": _num(self.total),
            "iva": _num(self.iva_total),
            "cdc": self.cdc,
            "state": self.state,
            "processing": self.processing,
            "lote": self.lote,
            "code": self.code,
            "message": self.message,
            "country": self.country,
            "external_ref": self.external_ref,
            "cuf": self.cuf,
            "cae": self.cae,
            "cae_expiry": self.cae_expiry,
            "observations": self.observations,
            "provider_number": self.provider_number,
        }


@dataclass(frozen=True)
class EventRow:
    at: datetime
    from_state: str | None
    to_state: str
    actor: str
    code: str | None
    message: str | None


def _num(d: Decimal) -> int | str:
    return int(d) if d == d.to_integral_value() else str(d)


#: The columns a `DocumentRow` needs: never the `payload` JSON (read and thrown away for
#: every row shown otherwise), never a full ORM entity (BENCHMARKS.md, GUI heartbeat).
_DOC_COLUMNS = (
    Document.id, Document.tipo_documento, Document.establecimiento, Document.punto,
    Document.numero, Document.fecha, Document.customer_name, Document.customer_tax_id,
    Document.currency, Document.total, Document.iva_total, Document.state,
    Document.processing, Document.cdc, Document.code, Document.message,
    Document.external_ref, Document.cuf, Document.cae, Document.cae_expiry,
    Document.observations, Document.provider_number,
)
_COLUMNS = (*_DOC_COLUMNS, ProviderProfile.name, ProviderProfile.provider,
            Lote.provider_lote_id, ProviderProfile.country)


def _row(found: Any) -> DocumentRow:
    (doc_id, tipo, est, punto, numero, fecha, customer_name, customer_tax_id, currency,
     total, iva_total, state, processing, cdc, code, message, external_ref, cuf, cae,
     cae_expiry, observations, provider_number, profile, provider, lote,
     country) = found
    country = country or "PY"
    return DocumentRow(
        id=doc_id, profile=profile, provider=provider, tipo_documento=tipo,
        numero=rules_for(country).display_number(tipo, est, punto, numero),
        fecha=fecha, customer_name=customer_name, customer_tax_id=customer_tax_id,
        currency=currency, total=Decimal(total), iva_total=Decimal(iva_total),
        state=state, processing=processing, cdc=cdc, lote=lote, code=code,
        message=message, external_ref=external_ref, country=country, cuf=cuf,
        cae=cae, cae_expiry=cae_expiry, observations=observations,
        provider_number=provider_number,
    )


def _base_query():
    return (
        select(*_COLUMNS)
        .select_from(Document)
        .join(ProviderProfile, ProviderProfile.id == Document.profile_id)
        .outerjoin(Lote, Lote.id == Document.lote_id)
    )


def document_ids(db: Database, *, states: Sequence[str] | None = None, text: str | None = None,
                 profile_id: int | None = None) -> list[int]:
    """Ids of the documents that match, newest first: the table's whole index."""
    stmt = select(Document.id)
    if states:
        stmt = stmt.where(col(Document.state).in_(list(states)))
    if profile_id is not None:
        stmt = stmt.where(Document.profile_id == profile_id)
    if text:
        like = f"%{text.strip()}%"
        stmt = stmt.where(or_(col(Document.customer_name).ilike(like),
                              col(Document.customer_tax_id).ilike(like),
                              col(Document.cdc).ilike(like), col(Document.cuf).ilike(like),
                              col(Document.cae).ilike(like)))
    with db.session() as s:
        return list(s.exec(stmt.order_by(col(Document.id).desc())))


def rows_by_ids(db: Database, ids: Iterable[int]) -> dict[int, DocumentRow]:
    wanted = list(ids)
    out: dict[int, DocumentRow] = {}
    with db.session() as s:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for found in s.exec(_base_query().where(col(Document.id).in_(chunk))):
                out[found[0]] = _row(found)
    return out


def list_documents(db: Database, *, state: str | None = None) -> list[DocumentRow]:
    stmt = _base_query().order_by(Document.id)
    if state:
        stmt = stmt.where(Document.state == state)
    with db.session() as s:
        return [_row(r) for r in s.exec(stmt)]


def find_document(db: Database, ref: str) -> DocumentRow | None:
    """A document by id, by number (001-001-0000001) or by CDC."""
    ref = ref.strip()
    with db.session() as s:
        stmt = _base_query()
        if len(ref) == 44 and ref.isdigit():
            stmt = stmt.where(Document.cdc == ref)
        elif ref.isdigit():
            stmt = stmt.where(Document.id == int(ref))
        else:
            parts = ref.split("-")
            if len(parts) != 3 or not all(p.isdigit() for p in parts):
                return None
            stmt = stmt.where(Document.establecimiento == f"{int(parts[0]):03d}",
                              Document.punto == f"{int(parts[1]):03d}",
                              Document.numero == int(parts[2])).order_by(col(Document.id).desc())
        found = s.exec(stmt).first()
        return _row(found) if found else None


def document_payload(db: Database, doc_id: int) -> dict[str, Any]:
    with db.session() as s:
        doc = s.get(Document, doc_id)
        return json.loads(doc.payload) if doc else {}


def document_events(db: Database, doc_id: int) -> list[EventRow]:
    with db.session() as s:
        events = s.exec(select(DocumentEvent).where(DocumentEvent.document_id == doc_id)
                        .order_by(DocumentEvent.id))
        return [EventRow(e.at, e.from_state, e.to_state, e.actor, e.code, e.message) for e in events]


@dataclass(frozen=True)
class StatusSummary:
    """What the status bar shows, read in one statement."""

    counts: dict[str, int]
    processing: int
    attention: int
    last_sync_at: datetime | None


def status_summary(db: Database) -> StatusSummary:
    """Counts by state, documents the provider is processing, documents needing
    attention and the last sync time in ONE `GROUP BY state` statement (it walks
    `ix_document_state`): the status bar is refreshed after worker reports, on the GUI
    thread, and four round trips there cost the heartbeat (BENCHMARKS.md)."""
    last = select(func.max(ProviderProfile.last_sync_at)).scalar_subquery()
    processing = func.sum(case((and_(Document.state == "SUBMITTED", Document.processing), 1),
                               else_=0))
    attention = func.sum(case((Document.attention, 1), else_=0))
    stmt = select(Document.state, func.count(), processing, attention, last).group_by(
        Document.state)
    with db.session() as s:
        rows = list(s.exec(stmt))
        if not rows:
            return StatusSummary({}, 0, 0, s.exec(select(func.max(ProviderProfile.last_sync_at))).one())
    last_at = rows[0][4]
    if isinstance(last_at, str):  # defensive: a scalar subquery may lose the column type
        last_at = datetime.fromisoformat(last_at)
    return StatusSummary(
        counts={state: n for state, n, *_ in rows},
        processing=sum(int(r[2] or 0) for r in rows),
        attention=sum(int(r[3] or 0) for r in rows),
        last_sync_at=last_at,
    )


def state_counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return dict(s.exec(select(Document.state, func.count()).group_by(Document.state)).all())


def processing_count(db: Database) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(Document)
                      .where(Document.state == "SUBMITTED", Document.processing)).one()


def last_sync_at(db: Database) -> datetime | None:
    with db.session() as s:
        return s.exec(select(func.max(ProviderProfile.last_sync_at))).one()
