"""What a person does to documents already saved: correct and resend a rejected one,
ask to cancel an approved one, move a numbering sequence forward.

Every change goes through `outbox.transition` in one `db.write()` transaction, so the
lifecycle is checked and the audit trail gets its event (DESIGN.md).

Numbers (SIFEN MT v150 and DNIT's practice): a number whose DE was *rejected* was never
issued, so the corrected document is resent under the same number; a number the
authority *approved* is never used again. When the provider says the number is already
taken by another approved document, the correction is saved as a new document with
the next number instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from desktop_app.domain.country import rules_for
from desktop_app.domain.states import DocState
from desktop_app.domain.validation import ValidationError
from desktop_app.store.db import Database
from desktop_app.store.models import Document, NumberSequence, ProviderProfile
from desktop_app.store.outbox import emisor_of, enqueue_documents, transition
from desktop_app.store.types import utcnow

#: Rejection codes that mean "this number is taken at the authority": the Lote engine's
#: own NUMERO_USADO (reconciliation found it approved for another document) and SIFEN's
#: 1002 "Documento electrónico duplicado".
NUMBER_TAKEN_CODES = frozenset({"NUMERO_USADO", "1002"})

#: SIFEN: the emisor may cancel (evento de cancelación) a factura electrónica within
#: 48 hours of its approval, other documents (notas, autofacturas, remisiones) within
#: 168 hours (MT v150 §11.2, Res. DNIT). After that only a nota de crédito helps.
SIFEN_CANCEL_HOURS = {1: 48}
SIFEN_CANCEL_HOURS_OTHER = 168


class CorrectionRefused(ValueError):
    """The document is not in a state that allows this (the message says why)."""


@dataclass
class ResendResult:
    """`doc_id` is the document queued: the same one, or a new one when the number
    could not be reused. `errors` lists what the corrected document breaks."""

    doc_id: int | None = None
    errors: list[ValidationError] = field(default_factory=list)
    new_number: bool = False
    same_cdc: bool = False

    @property
    def ok(self) -> bool:
        return self.doc_id is not None and not self.errors


def number_is_taken(code: str | None) -> bool:
    return (code or "") in NUMBER_TAKEN_CODES


def resend_corrected(
    db: Database, doc_id: int, new_doc: Any, *, actor: str = "user", now: datetime | None = None
) -> ResendResult:
    """Replace a REJECTED document's content by `new_doc` (checked with the country's
    rules) and queue it again: REJECTED -> QUEUED, with its event.

    The number, establecimiento, punto and type stay (the number was never issued). The
    CDC stays when the fields it is built from did not change — SIFEN accepts a rejected
    DE again under the same CDC — otherwise a new security code gives a new CDC.
    """
    with db.session() as s:
        row = s.get(Document, doc_id)
        if row is None:
            raise CorrectionRefused("El documento ya no existe.")
        profile = s.get(ProviderProfile, row.profile_id)
        assert profile is not None
    if row.state != DocState.REJECTED.value:
        raise CorrectionRefused("Solo un documento rechazado se puede corregir y reenviar.")
    rules = rules_for(profile.country)
    if number_is_taken(row.code):
        fresh = rules.with_numero(new_doc, None)
        if profile.country == "PY":
            fresh = replace(fresh, codigo_seguridad=None)
        result = enqueue_documents(db, profile.id, [fresh], actor=actor, now=now)
        if result.errors:
            return ResendResult(errors=result.errors.get(0, []))
        return ResendResult(doc_id=result.ids[0], new_number=True)

    old, _problems = rules.parse(json.loads(row.payload))
    doc = rules.with_numero(new_doc, row.numero)
    if profile.country == "PY":
        doc = replace(
            doc,
            tipo_documento=row.tipo_documento,
            establecimiento=row.establecimiento,
            punto=row.punto,
            codigo_seguridad=getattr(old, "codigo_seguridad", None),
        )
    doc = rules.prepare(doc)
    errors = rules.validate(doc, now=now)
    if errors:
        return ResendResult(errors=errors)
    emisor = emisor_of(profile)
    cdc = rules.authority_id(doc, emisor)
    same_cdc = cdc is not None and cdc == row.cdc
    if cdc is not None and not same_cdc and row.cdc is not None and profile.country == "PY":
        # A CDC field changed (the date, say): a new security code, so a new CDC.
        doc = rules.prepare(replace(doc, codigo_seguridad=None))
        cdc = rules.authority_id(doc, emisor)
    summary = rules.summary(doc)
    stamp = utcnow()
    with db.write() as s:
        current = s.get(Document, doc_id)
        if current is None or current.state != DocState.REJECTED.value:
            raise CorrectionRefused("El documento cambió de estado mientras se corregía.")
        current.payload = json.dumps(rules.to_json(doc), ensure_ascii=False)
        current.fecha = summary.fecha
        current.customer_name = summary.customer_name
        current.customer_tax_id = summary.customer_tax_id
        current.currency = summary.currency
        current.total = summary.total
        current.iva_total = summary.iva_total
        current.cdc = cdc if cdc is not None else current.cdc
        current.attention = False
        current.polls = 0
        current.next_poll_at = None
        current.submitted_at = None
        current.attempt_id = None
        transition(
            s,
            current,
            DocState.QUEUED,
            actor=actor,
            at=stamp,
            message="Corregido y reenviado" + (" (mismo CDC)" if same_cdc else ""),
        )
    return ResendResult(doc_id=doc_id, same_cdc=same_cdc)


# -- cancellation ------------------------------------------------------------------------


def cancel_limit_hours(country: str, tipo_documento: int) -> int | None:
    """Hours after approval within which the authority accepts a cancellation; None
    where Lote knows no such limit (SIAT and ARCA rules are handled by their providers)."""
    if country != "PY":
        return None
    return SIFEN_CANCEL_HOURS.get(tipo_documento, SIFEN_CANCEL_HOURS_OTHER)


def cancel_deadline(
    country: str, tipo_documento: int, approved_at: datetime | None
) -> datetime | None:
    hours = cancel_limit_hours(country, tipo_documento)
    if hours is None or approved_at is None:
        return None
    return approved_at + timedelta(hours=hours)


def request_cancel(
    db: Database,
    doc_id: int,
    reason: str,
    *,
    actor: str = "user",
    now: datetime | None = None,
    approved_at: datetime | None = None,
) -> None:
    """Mark an approved document CANCEL_REQUESTED with the reason in its event.

    The provider call that sends SIFEN's evento de cancelación is the sync engine's
    job; until the adapters implement it the document waits in this state.
    Raises `CorrectionRefused` past the authority's limit or with a reason SIFEN
    would refuse (5 to 500 characters)."""
    reason = " ".join((reason or "").split())
    if not 5 <= len(reason) <= 500:
        raise CorrectionRefused("El motivo de la anulación debe tener entre 5 y 500 caracteres.")
    stamp = now or utcnow()
    with db.write() as s:
        row = s.get(Document, doc_id)
        if row is None:
            raise CorrectionRefused("El documento ya no existe.")
        if row.state not in (DocState.APPROVED.value, DocState.APPROVED_WITH_OBSERVATIONS.value):
            raise CorrectionRefused("Solo un documento aprobado se puede anular.")
        profile = s.get(ProviderProfile, row.profile_id)
        country = profile.country if profile else "PY"
        deadline = cancel_deadline(country, row.tipo_documento, approved_at)
        if deadline is not None and stamp > deadline:
            hours = cancel_limit_hours(country, row.tipo_documento)
            raise CorrectionRefused(
                f"Pasó el plazo de {hours} horas desde la aprobación: la SET ya no acepta "
                "la anulación. Emita una nota de crédito."
            )
        transition(
            s,
            row,
            DocState.CANCEL_REQUESTED,
            actor=actor,
            at=stamp,
            message=f"Anulación solicitada: {reason}",
        )


# -- numbering -----------------------------------------------------------------------------


def set_next_number(
    db: Database,
    profile_id: int,
    tipo_documento: int,
    establecimiento: str,
    punto: str,
    next_numero: int,
) -> None:
    """Move a sequence forward (a shop that issued numbers elsewhere before Lote).

    Never backwards past a number already used: an approved number is never issued
    twice, and a rejected one is reused only by correcting that same document."""
    if not 1 <= next_numero <= 9_999_999:
        raise CorrectionRefused("El número debe estar entre 1 y 9999999.")
    with db.write() as s:
        highest = (
            s.exec(
                select(func.max(Document.numero)).where(
                    Document.profile_id == profile_id,
                    Document.tipo_documento == tipo_documento,
                    Document.establecimiento == establecimiento,
                    Document.punto == punto,
                )
            ).one()
            or 0
        )
        if next_numero <= highest:
            raise CorrectionRefused(
                f"El número {next_numero} ya se usó (el más alto es {highest}): el próximo "
                f"debe ser {highest + 1} o mayor."
            )
        seq = s.exec(
            select(NumberSequence).where(
                NumberSequence.profile_id == profile_id,
                NumberSequence.tipo_documento == tipo_documento,
                NumberSequence.establecimiento == establecimiento,
                NumberSequence.punto == punto,
            )
        ).first()
        if seq is None:
            seq = NumberSequence(
                profile_id=profile_id,
                tipo_documento=tipo_documento,
                establecimiento=establecimiento,
                punto=punto,
            )
        seq.next_numero = next_numero
        s.add(seq)
