"""Writing to the outbox: saving documents and recording every state change.

Rule 1 of DESIGN.md: a document is durable the moment the user presses Save, so
`enqueue_documents` commits before it returns. Every state change goes through
`transition`, which checks the lifecycle and appends the audit event in the same
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from desktop_app.domain.country import CountryRules, Summary, rules_for
from desktop_app.domain.emisor import Emisor
from desktop_app.domain.states import DocState, check_transition
from desktop_app.domain.validation import ValidationError
from desktop_app.store.db import Database
from desktop_app.store.models import Document, DocumentEvent, NumberSequence, ProviderProfile
from desktop_app.store.types import utcnow


@dataclass
class EnqueueResult:
    ids: list[int] = field(default_factory=list)
    errors: dict[int, list[ValidationError]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class ProfileNotFound(LookupError):
    pass


def emisor_of(profile: ProviderProfile) -> Emisor:
    return Emisor(
        ruc=profile.emisor_ruc or "",
        razon_social=profile.emisor_name or profile.name,
        tipo_contribuyente=profile.tipo_contribuyente,
    )


def check_documents(
    docs: Sequence[Any], *, country: str = "PY", now: datetime | None = None
) -> tuple[dict[int, Any], dict[int, list[ValidationError]]]:
    """Prepare and validate documents: (valid ones by index, errors by index)."""
    rules = rules_for(country)
    valid: dict[int, Any] = {}
    errors: dict[int, list[ValidationError]] = {}
    for index, raw in enumerate(docs):
        doc = rules.prepare(raw)
        problems = rules.validate(doc, now=now)
        if problems:
            errors[index] = problems
        else:
            valid[index] = doc
    return valid, errors


def enqueue_documents(
    db: Database,
    profile_id: int,
    docs: Sequence[Any],
    *,
    actor: str = "user",
    all_or_nothing: bool = True,
    now: datetime | None = None,
    external_refs: Sequence[str | None] | None = None,
) -> EnqueueResult:
    """Validate and queue documents in ONE transaction, committed before returning.

    Every path in (the dialog, imports, later the POS gateway) comes through here, so all
    get the same validation. `docs` are documents of the profile's country (its
    CountryRules). With `all_or_nothing` (the default) a single invalid document saves
    nothing, and the result lists every error of every document by index.
    """
    with db.session() as s:
        found = s.get(ProviderProfile, profile_id)
        if found is None:
            raise ProfileNotFound(profile_id)
        country = found.country
    valid, errors = check_documents(docs, country=country, now=now)
    result = EnqueueResult(errors=errors)
    if errors and all_or_nothing:
        return result
    rules = rules_for(country)
    with db.write() as session:
        profile = session.get(ProviderProfile, profile_id)
        if profile is None:
            raise ProfileNotFound(profile_id)
        emisor = emisor_of(profile)
        stamp = utcnow()
        for index, doc in valid.items():
            ref = external_refs[index] if external_refs else None
            result.ids.append(_insert(session, rules, profile, emisor, doc, actor, stamp, ref))
    return result


def _insert(
    session: Session,
    rules: CountryRules,
    profile: ProviderProfile,
    emisor: Emisor,
    doc: Any,
    actor: str,
    stamp: datetime,
    external_ref: str | None,
) -> int:
    first = rules.summary(doc)
    numero = _take_number(session, profile, first)
    doc = rules.with_numero(doc, numero)
    summary = rules.summary(doc)
    row = Document(
        profile_id=_pk(profile),
        tipo_documento=summary.tipo_documento,
        establecimiento=summary.establecimiento,
        punto=summary.punto,
        numero=numero,
        fecha=summary.fecha,
        customer_name=summary.customer_name,
        customer_tax_id=summary.customer_tax_id,
        currency=summary.currency,
        total=summary.total,
        iva_total=summary.iva_total,
        state=DocState.QUEUED.value,
        cdc=rules.authority_id(doc, emisor),
        external_ref=external_ref or summary.external_ref,
        payload=json.dumps(rules.to_json(doc), ensure_ascii=False),
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(row)
    session.flush()
    session.add(
        DocumentEvent(document_id=_pk(row), at=stamp, from_state=None,
                      to_state=DocState.QUEUED.value, actor=actor, message="Guardado y encolado")
    )
    return _pk(row)


def _take_number(session: Session, profile: ProviderProfile, doc: Summary) -> int:
    """Next number for (profile, tipo, establecimiento, punto); an explicit number (an
    import) is kept and moves the sequence past it. Uniqueness is the database's job
    (uq_document_number)."""
    key = (_pk(profile), doc.tipo_documento, doc.establecimiento, doc.punto)
    stmt = select(NumberSequence).where(
        NumberSequence.profile_id == key[0],
        NumberSequence.tipo_documento == key[1],
        NumberSequence.establecimiento == key[2],
        NumberSequence.punto == key[3],
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    seq = session.exec(stmt).first()
    if seq is None:
        highest = session.exec(
            select(func.max(Document.numero)).where(
                Document.profile_id == key[0],
                Document.tipo_documento == key[1],
                Document.establecimiento == key[2],
                Document.punto == key[3],
            )
        ).one()
        seq = NumberSequence(profile_id=key[0], tipo_documento=key[1], establecimiento=key[2],
                             punto=key[3], next_numero=(highest or 0) + 1)
        session.add(seq)
    numero = doc.numero if doc.numero is not None else seq.next_numero
    seq.next_numero = max(seq.next_numero, numero + 1)
    session.add(seq)
    session.flush()
    return numero


def transition(
    session: Session,
    row: Document,
    target: DocState,
    *,
    actor: str,
    code: str | None = None,
    message: str | None = None,
    attempt_id: str | None = None,
    lote_id: int | None = None,
    at: datetime | None = None,
) -> None:
    """Move `row` to `target` (checked against the lifecycle) and append its event."""
    check_transition(row.state, target)
    stamp = at or utcnow()
    session.add(
        DocumentEvent(document_id=_pk(row), at=stamp, from_state=row.state, to_state=target.value,
                      actor=actor, code=code, message=message, attempt_id=attempt_id,
                      lote_id=lote_id)
    )
    row.state = target.value
    row.code = code
    row.message = message
    row.updated_at = stamp
    if target is not DocState.SUBMITTED:
        row.processing = False
    session.add(row)


def _pk(obj: Document | ProviderProfile) -> int:
    assert obj.id is not None
    return obj.id
