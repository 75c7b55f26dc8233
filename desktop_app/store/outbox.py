"""Writing to the outbox: saving documents and recording every state change.

Rule 1 of DESIGN.md: a document is durable the moment the user presses Save, so
`enqueue_documents` commits before it returns. Every state change goes through
`transition`, which checks the lifecycle and appends the audit event in the same
transaction.

Several terminals on one PostgreSQL database (store/terminal.py): a document is saved
only on a punto de expedición this terminal owns; numbers are taken under a row lock on
their sequence in the very transaction that inserts the documents, so they stay unique
and gap-free; and every write that changes documents tells the other terminals
(store/notify.py) when it commits.
"""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from desktop_app.domain.country import CountryRules, Summary, rules_for
from desktop_app.domain.emisor import Emisor
from desktop_app.domain.states import DocState, check_transition
from desktop_app.domain.text import clean_text
from desktop_app.domain.validation import ValidationError
from desktop_app.store.db import Database
from desktop_app.store.models import Document, DocumentEvent, NumberSequence, ProviderProfile
from desktop_app.store.notify import notify_documents
from desktop_app.store.terminal import claim_puntos, current_terminal, punto_taken_message
from desktop_app.store.types import insert_or_ignore, utcnow


@dataclass
class EnqueueResult:
    ids: list[int] = field(default_factory=list)
    errors: dict[int, list[ValidationError]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class ProfileNotFound(LookupError):
    pass


class _PuntoRefused(Exception):
    """Internal: undo the registrations of an all-or-nothing save that is refused."""


def emisor_of(profile: ProviderProfile) -> Emisor:
    return Emisor(
        ruc=profile.emisor_ruc or "",
        razon_social=profile.emisor_name or profile.name,
        tipo_contribuyente=profile.tipo_contribuyente,
    )


@dataclass(frozen=True, eq=False)
class Checked:
    """A document prepared and validated once, with its summary (its totals computed
    once) and, when asked for, its payload JSON as prepared.

    Only `check_document` makes them, and it records each one it makes:
    `enqueue_checked` refuses any other, so a document saved without being validated
    again is one this process has validated (DESIGN.md: every path in gets the same
    validation). The import preview keeps them between showing and saving.
    """

    country: str
    doc: Any
    summary: Summary
    #: `rules.to_json(doc)`: with an explicit number it is the payload as saved.
    json: dict[str, Any] | None = None


#: Every `Checked` that `check_document` made and that is still alive.
_ISSUED: weakref.WeakSet[Checked] = weakref.WeakSet()


def check_document(
    rules: CountryRules, doc: Any, *, now: datetime | None = None, keep_json: bool = False
) -> tuple[Checked | None, list[ValidationError]]:
    """Prepare and validate one parsed document: (the checked document, []) or (None,
    every problem). `keep_json` also keeps its JSON (what the import preview shows)."""
    doc = rules.prepare(doc)
    problems = rules.validate(doc, now=now)
    if problems:
        return None, problems
    checked = Checked(rules.code, doc, rules.summary(doc), rules.to_json(doc) if keep_json else None)
    _ISSUED.add(checked)
    return checked, []


def _check_all(
    docs: Sequence[Any], rules: CountryRules, now: datetime | None
) -> tuple[dict[int, Checked], dict[int, list[ValidationError]]]:
    valid: dict[int, Checked] = {}
    errors: dict[int, list[ValidationError]] = {}
    for index, raw in enumerate(docs):
        checked, problems = check_document(rules, raw, now=now)
        if checked is None:
            errors[index] = problems
        else:
            valid[index] = checked
    return valid, errors


def check_documents(
    docs: Sequence[Any], *, country: str = "PY", now: datetime | None = None
) -> tuple[dict[int, Any], dict[int, list[ValidationError]]]:
    """Prepare and validate documents: (valid ones by index, errors by index)."""
    valid, errors = _check_all(docs, rules_for(country), now)
    return {index: checked.doc for index, checked in valid.items()}, errors


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for one bulk step (an import's preview,
    its save).

    Reading, checking and saving 10,000 documents makes hundreds of thousands of small
    objects that live until the step ends and form no reference cycles (reference
    counting frees them); the collector's passes over them, longer as they pile up,
    took a fifth to a quarter of an import (BENCHMARKS.md, import). It runs again as
    usual afterwards. Nested or concurrent steps are fine: only a step that found it
    running turns it back on, and at worst another step loses the speed-up."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _profile_country(db: Database, profile_id: int) -> str:
    with db.session() as s:
        found = s.get(ProviderProfile, profile_id)
        if found is None:
            raise ProfileNotFound(profile_id)
        return found.country


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

    Every path in comes through here (the dialog) or, with documents `check_document`
    has validated already (imports, the POS gateway), through `enqueue_checked` — so
    all get the same validation. `docs` are documents of the profile's country (its
    CountryRules). With `all_or_nothing` (the default) a single invalid document saves
    nothing, and the result lists every error of every document by index.
    """
    rules = rules_for(_profile_country(db, profile_id))
    with gc_paused():
        valid, errors = _check_all(docs, rules, now)
        return _enqueue(db, profile_id, rules, valid, errors, actor=actor,
                        all_or_nothing=all_or_nothing, external_refs=external_refs)


def enqueue_checked(
    db: Database,
    profile_id: int,
    checked: Sequence[Checked],
    *,
    actor: str = "user",
    all_or_nothing: bool = True,
    external_refs: Sequence[str | None] | None = None,
) -> EnqueueResult:
    """`enqueue_documents` for documents `check_document` has already prepared and
    validated (the import preview): they are not prepared or validated a second time,
    and their summaries and JSON are reused (BENCHMARKS.md, import). What only the
    database can tell is still checked in the write transaction, as for every save:
    the punto is this terminal's, dates in order (Argentina), numbers unique.

    A `Checked` that `check_document` did not make, or of another country than the
    profile's, is a programming error (ValueError): nothing is saved.
    """
    rules = rules_for(_profile_country(db, profile_id))
    for item in checked:
        if item not in _ISSUED:
            raise ValueError("enqueue_checked takes only documents made by check_document")
        if item.country != rules.code:
            raise ValueError(f"a document of {item.country} for a profile of {rules.code}")
    with gc_paused():
        return _enqueue(db, profile_id, rules, dict(enumerate(checked)), {}, actor=actor,
                        all_or_nothing=all_or_nothing, external_refs=external_refs)


def _enqueue(
    db: Database,
    profile_id: int,
    rules: CountryRules,
    valid: dict[int, Checked],
    errors: dict[int, list[ValidationError]],
    *,
    actor: str,
    all_or_nothing: bool,
    external_refs: Sequence[str | None] | None,
) -> EnqueueResult:
    """The write transaction both entries share."""
    result = EnqueueResult(errors=errors)
    if errors and all_or_nothing:
        return result
    try:
        with db.write() as session:
            profile = session.get(ProviderProfile, profile_id)
            if profile is None:
                raise ProfileNotFound(profile_id)
            accepted = _own_puntos(session, profile, valid, current_terminal(db), result)
            accepted = _dates_in_order(session, rules, profile, accepted, result)
            if result.errors and all_or_nothing:
                raise _PuntoRefused
            result.ids = _insert_all(session, rules, profile, accepted, actor, external_refs)
    except _PuntoRefused:
        result.ids = []
    return result


def _dates_in_order(session: Session, rules: CountryRules, profile: ProviderProfile,
                    accepted: list[tuple[int, Checked]],
                    result: EnqueueResult) -> list[tuple[int, Checked]]:
    """Where the authority refuses dates that go backwards within a punto de venta
    (ARCA/AFIP), check each document against the latest date of its punto — documents
    already saved and not rejected, and those earlier in this batch — inside the write
    transaction, so two saves cannot both slip past it."""
    check = getattr(rules, "check_date_sequence", None)
    if check is None:
        return accepted
    latest: dict[tuple[str, str], Any] = {}
    kept = []
    for index, checked in accepted:
        summary = checked.summary
        key = (summary.establecimiento, summary.punto)
        if key not in latest:
            latest[key] = session.exec(select(func.max(Document.fecha)).where(
                Document.profile_id == profile.id,
                Document.establecimiento == key[0], Document.punto == key[1],
                col(Document.state).not_in([DocState.REJECTED.value, DocState.VOIDED.value]),
            )).one()
        problems = check(latest[key], checked.doc)
        if problems:
            result.errors[index] = problems
            continue
        if latest[key] is None or summary.fecha > latest[key]:
            latest[key] = summary.fecha
        kept.append((index, checked))
    return kept


def _own_puntos(session: Session, profile: ProviderProfile,
                valid: dict[int, Checked], terminal_id: str,
                result: EnqueueResult) -> list[tuple[int, Checked]]:
    """The documents this terminal may issue: their punto is its own (taken now if it
    was free). The others get an error naming the terminal that owns their punto."""
    refused = claim_puntos(session, _pk(profile),
                           {(c.summary.establecimiento, c.summary.punto) for c in valid.values()},
                           terminal_id)
    accepted = []
    for index, checked in valid.items():
        owner = refused.get((checked.summary.establecimiento, checked.summary.punto))
        if owner is None:
            accepted.append((index, checked))
        else:
            result.errors[index] = [ValidationError("punto", punto_taken_message(owner, profile.name))]
    return accepted


def _insert_all(
    session: Session,
    rules: CountryRules,
    profile: ProviderProfile,
    docs: list[tuple[int, Checked]],
    actor: str,
    external_refs: Sequence[str | None] | None,
) -> list[int]:
    """Insert documents and their first events with two bulk statements: an import of
    10,000 documents is one transaction, not 30,000 round trips through the ORM.

    The summary of each document is the one computed when it was checked (the number
    aside, which only the numbering changes); a document with its own number is saved
    as checked, so its JSON, when kept, is the payload as is."""
    emisor = emisor_of(profile)
    stamp = utcnow()
    numbers = _Numbering(session, _pk(profile))
    rows: list[dict[str, Any]] = []
    # Optional (Paraguay): the numbered JSON from the JSON kept when it was checked.
    numbered_json = getattr(rules, "numbered_json", None)
    for index, checked in docs:
        summary = checked.summary
        numero = numbers.take(summary)
        if summary.numero is not None:
            doc, data = checked.doc, checked.json
        else:
            doc = rules.with_numero(checked.doc, numero)
            data = None
            if numbered_json is not None and checked.json is not None:
                data = numbered_json(checked.json, numero)
        if data is None:
            data = rules.to_json(doc)
        ref = external_refs[index] if external_refs else None
        rows.append({
            "profile_id": _pk(profile), "tipo_documento": summary.tipo_documento,
            "establecimiento": summary.establecimiento, "punto": summary.punto, "numero": numero,
            "fecha": summary.fecha, "customer_name": summary.customer_name,
            "customer_tax_id": summary.customer_tax_id, "currency": summary.currency,
            "total": summary.total, "iva_total": summary.iva_total,
            "state": DocState.QUEUED.value, "processing": False, "attention": False,
            "cdc": rules.authority_id(doc, emisor),
            "external_ref": ref or summary.external_ref,
            "payload": json.dumps(data, ensure_ascii=False),
            "polls": 0, "created_at": stamp, "updated_at": stamp,
        })
    numbers.save()
    if not rows:
        return []
    # Each row's id is matched by its number, unique in the profile (uq_document_number),
    # not by the order RETURNING gives: asking SQLAlchemy for that order
    # (sort_by_parameter_order) makes it send one INSERT per row to SQLite, which cannot
    # promise it (10,000 round trips: about half of an import's commit).
    # The table, not the mapped class: the ORM's bulk insert would look at every row again.
    table = Document.__table__  # type: ignore[attr-defined]
    returned = session.execute(insert(table).returning(
        table.c.id, table.c.tipo_documento, table.c.establecimiento, table.c.punto,
        table.c.numero), rows)
    by_number = {(tipo, est, punto, numero): id_ for id_, tipo, est, punto, numero in returned}
    ids = [by_number[(r["tipo_documento"], r["establecimiento"], r["punto"], r["numero"])]
           for r in rows]
    session.execute(insert(DocumentEvent.__table__), [  # type: ignore[attr-defined]
        {"document_id": i, "at": stamp, "from_state": None, "to_state": DocState.QUEUED.value,
         "actor": actor, "message": "Guardado y encolado"} for i in ids])
    notify_documents(session, ids)
    return ids


class _Numbering:
    """Next numbers per (tipo, establecimiento, punto) within one transaction; an
    explicit number (an import) is kept and moves the sequence past it. Uniqueness is
    the database's job (uq_document_number).

    Gap-free under concurrency: the sequence row is locked (FOR UPDATE on PostgreSQL,
    BEGIN IMMEDIATE on SQLite) until the transaction that inserts the documents commits,
    so a number is consumed only together with its document, and a rollback returns it.
    A missing row is created with INSERT ... ON CONFLICT DO NOTHING and then read
    locked: two transactions creating the same sequence do not fail on
    uq_number_sequence — the second waits for the first and continues after it."""

    def __init__(self, session: Session, profile_id: int) -> None:
        self.session = session
        self.profile_id = profile_id
        self.seqs: dict[tuple[int, str, str], NumberSequence] = {}

    def take(self, doc: Summary) -> int:
        key = (doc.tipo_documento, doc.establecimiento, doc.punto)
        seq = self.seqs.get(key)
        if seq is None:
            seq = self.seqs[key] = self._load(key)
        numero = doc.numero if doc.numero is not None else seq.next_numero
        seq.next_numero = max(seq.next_numero, numero + 1)
        return numero

    def _load(self, key: tuple[int, str, str]) -> NumberSequence:
        s = self.session
        stmt = select(NumberSequence).where(
            NumberSequence.profile_id == self.profile_id,
            NumberSequence.tipo_documento == key[0],
            NumberSequence.establecimiento == key[1],
            NumberSequence.punto == key[2],
        )
        dialect = s.get_bind().dialect.name
        if dialect == "postgresql":
            stmt = stmt.with_for_update()
        seq = s.exec(stmt).first()
        if seq is None:
            highest = s.exec(
                select(func.max(Document.numero)).where(
                    Document.profile_id == self.profile_id,
                    Document.tipo_documento == key[0],
                    Document.establecimiento == key[1],
                    Document.punto == key[2],
                )
            ).one()
            s.execute(insert_or_ignore(s, NumberSequence).values(
                profile_id=self.profile_id, tipo_documento=key[0], establecimiento=key[1],
                punto=key[2], next_numero=(highest or 0) + 1,
            ).on_conflict_do_nothing(
                index_elements=["profile_id", "tipo_documento", "establecimiento", "punto"]))
            seq = s.exec(stmt).one()
        return seq

    def save(self) -> None:
        for seq in self.seqs.values():
            self.session.add(seq)
        self.session.flush()


#: Bookkeeping no screen shows: changing only these tells no other terminal.
_UNSEEN_COLUMNS = frozenset({"next_poll_at"})


@dataclass
class Change:
    """One document's update: a state change (checked, with its event) and/or columns."""

    doc_id: int
    current: str
    target: DocState | None = None
    values: dict[str, Any] = field(default_factory=dict)
    code: str | None = None
    message: str | None = None
    attempt_id: str | None = None
    lote_id: int | None = None


def apply_changes(session: Session, changes: Sequence[Change], *, actor: str,
                  at: datetime) -> None:
    """Apply many changes with one UPDATE per column set and one INSERT of events.

    Every state change is checked against the lifecycle before anything is written, so
    an illegal one aborts the whole transaction."""
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    events: list[dict[str, Any]] = []
    for c in changes:
        # Provider text is untrusted: cleaned here, the one place results are written.
        values = {k: clean_text(v) if isinstance(v, str) else v for k, v in c.values.items()}
        code, message = clean_text(c.code, 64), clean_text(c.message)
        if c.target is not None:
            check_transition(c.current, c.target)
            values.update(state=c.target.value, code=code, message=message)
            if c.target is not DocState.SUBMITTED:
                values.setdefault("processing", False)
            events.append({"document_id": c.doc_id, "at": at, "from_state": c.current,
                           "to_state": c.target.value, "actor": actor, "code": code,
                           "message": message, "attempt_id": c.attempt_id,
                           "lote_id": c.lote_id})
        if not values:
            continue
        values["updated_at"] = at
        values["id"] = c.doc_id
        updates.setdefault(tuple(sorted(values)), []).append(values)
    for group in updates.values():
        session.execute(update(Document), group)
    if events:
        session.execute(insert(DocumentEvent), events)
    notify_documents(session, (c.doc_id for c in changes
                               if c.target is not None or set(c.values) - _UNSEEN_COLUMNS))


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
    notify_documents(session, [_pk(row)])


def _pk(obj: Document | ProviderProfile) -> int:
    assert obj.id is not None
    return obj.id
