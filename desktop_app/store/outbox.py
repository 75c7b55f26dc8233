"""Writing to the outbox: saving documents and recording every state change.

Rule 1 of DESIGN.md: a document is durable the moment the user presses Save, so
`enqueue_documents` commits before it returns. Every state change goes through
`transition`, which checks the lifecycle and appends the audit event in the same
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from desktop_app.domain.cdc import new_security_code
from desktop_app.domain.document import Document as DomainDocument
from desktop_app.domain.document import document_to_json
from desktop_app.domain.emisor import Emisor, cdc_for
from desktop_app.domain.ruc import tipo_contribuyente_for
from desktop_app.domain.states import DocState, check_transition
from desktop_app.domain.totals import document_totals, with_cash_payment
from desktop_app.domain.validation import ValidationError, validate_document
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


def prepare(doc: DomainDocument) -> DomainDocument:
    """Fill what Lote decides rather than the user: a cash payment for a cash sale that
    names none, the customer's tipo de contribuyente implied by the RUC, and a fresh
    security code for the CDC."""
    doc = with_cash_payment(doc)
    cli = doc.cliente
    if cli.contribuyente and cli.tipo_contribuyente is None and cli.ruc:
        doc = replace(doc, cliente=replace(cli, tipo_contribuyente=tipo_contribuyente_for(cli.ruc)))
    if doc.codigo_seguridad is None:
        doc = replace(doc, codigo_seguridad=new_security_code())
    return doc


def check_documents(
    docs: Sequence[DomainDocument], *, now: datetime | None = None
) -> tuple[dict[int, DomainDocument], dict[int, list[ValidationError]]]:
    """Prepare and validate documents: (valid ones by index, errors by index)."""
    valid: dict[int, DomainDocument] = {}
    errors: dict[int, list[ValidationError]] = {}
    for index, raw in enumerate(docs):
        doc = prepare(raw)
        problems = validate_document(doc, now=now)
        if problems:
            errors[index] = problems
        else:
            valid[index] = doc
    return valid, errors


def enqueue_documents(
    db: Database,
    profile_id: int,
    docs: Sequence[DomainDocument],
    *,
    actor: str = "user",
    all_or_nothing: bool = True,
    now: datetime | None = None,
    external_refs: Sequence[str | None] | None = None,
) -> EnqueueResult:
    """Validate and queue documents in ONE transaction, committed before returning.

    Every path in (the dialog, imports, later the POS gateway) comes through here, so all
    get the same validation. With `all_or_nothing` (the default) a single invalid
    document saves nothing, and the result lists every error of every document by index.
    """
    valid, errors = check_documents(docs, now=now)
    result = EnqueueResult(errors=errors)
    if errors and all_or_nothing:
        return result
    with db.write() as session:
        profile = session.get(ProviderProfile, profile_id)
        if profile is None:
            raise ProfileNotFound(profile_id)
        emisor = emisor_of(profile)
        stamp = utcnow()
        for index, doc in valid.items():
            ref = external_refs[index] if external_refs else None
            result.ids.append(_insert(session, profile, emisor, doc, actor, stamp, ref))
    return result


def _insert(
    session: Session,
    profile: ProviderProfile,
    emisor: Emisor,
    doc: DomainDocument,
    actor: str,
    stamp: datetime,
    external_ref: str | None,
) -> int:
    numero = _take_number(session, profile, doc)
    doc = replace(doc, numero=numero)
    totals = document_totals(doc)
    cli = doc.cliente
    row = Document(
        profile_id=_pk(profile),
        tipo_documento=doc.tipo_documento,
        establecimiento=doc.establecimiento,
        punto=doc.punto,
        numero=numero,
        fecha=doc.fecha,
        customer_name=cli.razon_social,
        customer_tax_id=(cli.ruc if cli.contribuyente else cli.documento_numero) or "",
        currency=doc.moneda,
        total=totals.total,
        iva_total=totals.iva_total,
        state=DocState.QUEUED.value,
        cdc=cdc_for(doc, emisor) if emisor.ruc else None,
        external_ref=external_ref,
        payload=json.dumps(document_to_json(doc), ensure_ascii=False),
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(row)
    session.flush()
    session.add(
        DocumentEvent(document_id=_pk(row), at=stamp, from_state=None,
                      to_state=DocState.QUEUED.value, actor=actor, message="Guardado y encolado")
    )
    assert row.id is not None
    return row.id


def _take_number(session: Session, profile: ProviderProfile, doc: DomainDocument) -> int:
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
