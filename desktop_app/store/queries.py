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

from sqlalchemy import func, or_
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


_COLUMNS = (Document, ProviderProfile.name, ProviderProfile.provider, Lote.provider_lote_id,
            ProviderProfile.country)


def _row(doc: Document, profile: str, provider: str, lote: str | None,
         country: str = "PY") -> DocumentRow:
    assert doc.id is not None
    return DocumentRow(
        id=doc.id, profile=profile, provider=provider, tipo_documento=doc.tipo_documento,
        numero=rules_for(country).display_number(doc.tipo_documento, doc.establecimiento,
                                                 doc.punto, doc.numero),
        fecha=doc.fecha,
        customer_name=doc.customer_name, customer_tax_id=doc.customer_tax_id,
        currency=doc.currency, total=Decimal(doc.total), iva_total=Decimal(doc.iva_total),
        state=doc.state, processing=doc.processing, cdc=doc.cdc, lote=lote, code=doc.code,
        message=doc.message, external_ref=doc.external_ref, country=country, cuf=doc.cuf,
        cae=doc.cae, cae_expiry=doc.cae_expiry, observations=doc.observations,
        provider_number=doc.provider_number,
    )


def _base_query():
    return (
        select(*_COLUMNS)
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
                out[found[0].id] = _row(*found)
    return out


def list_documents(db: Database, *, state: str | None = None) -> list[DocumentRow]:
    stmt = _base_query().order_by(Document.id)
    if state:
        stmt = stmt.where(Document.state == state)
    with db.session() as s:
        return [_row(*r) for r in s.exec(stmt)]


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
        return _row(*found) if found else None


def document_payload(db: Database, doc_id: int) -> dict[str, Any]:
    with db.session() as s:
        doc = s.get(Document, doc_id)
        return json.loads(doc.payload) if doc else {}


def document_events(db: Database, doc_id: int) -> list[EventRow]:
    with db.session() as s:
        events = s.exec(select(DocumentEvent).where(DocumentEvent.document_id == doc_id)
                        .order_by(DocumentEvent.id))
        return [EventRow(e.at, e.from_state, e.to_state, e.actor, e.code, e.message) for e in events]


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
