"""Taking documents in from a POS: the one path shared by the watched folder and the API.

`Intake.submit` checks a request (a file, or one API call) as a whole and then queues
it through `store.outbox` (`check_document`, `enqueue_checked`) — the validation and
queue of the invoice dialog, all or nothing: one invalid document saves nothing, and the answer names every
problem (document index, JSON field; row and column for CSV/XLSX).

Idempotency. Every document taken in gets an **external id**, the POS's own name for the
sale, kept in ``document.external_ref`` (indexed) and, for Argentina and Bolivia, in the
document itself (``comprobante.external_reference``, ``_lote.ref``) where the provider
uses it to reconcile. It comes from the request (``external_id``), from the document
itself, or is derived: from the Idempotency-Key (``k<hash>-<n>``), from the content hash
of a dropped file (``f<hash>-<n>``), else a random one. Before enqueueing, the external
ids are looked up in the profile; those that exist are answered with the existing
document instead of a second invoice.

`enqueue_checked` opens its own write transaction, so "look up, then insert" is made
race-free by running both inside the side database's write transaction
(`ledger.Ledger.transaction`): a process-wide RLock plus SQLite's BEGIN IMMEDIATE on
``gateway.sqlite3``, which also serialises two processes on one data folder (the window
and ``lote api``). The lock order is always side database, then main database.

Crash safety. The main database commits first, the side database (intake rows, the
file's hash, the Idempotency-Key's response) right after. A crash in between loses
only side records, never a document: the replay (a file left in ``procesando/``, a POS
retrying its POST) finds the documents by external id, and `recover_lost_intake`
re-registers gateway documents the side database does not know at start-up.

Two terminals sharing one PostgreSQL database each have their own side database; a POS
normally talks to one terminal, but a unique index on (profile_id, external_ref) in the
main schema would make the guarantee global.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from desktop_app.domain.country import rules_for
from desktop_app.domain.errors import ValidationError
from desktop_app.gateway.ledger import Ledger, StoredResponse
from desktop_app.store.db import Database
from desktop_app.store.models import Document, DocumentEvent, ProviderProfile
from desktop_app.store.outbox import Checked, ProfileNotFound, check_document, enqueue_checked
from desktop_app.store.queries import rows_by_ids

ACTOR_API = "gateway-api"
ACTOR_FOLDER = "gateway-folder"
ACTORS = {"api": ACTOR_API, "folder": ACTOR_FOLDER}
#: An external id names the result file (``resultados/<external id>.json``): letters,
#: digits, ``_``, ``-`` and ``.`` (not first), at most 100.
EXTERNAL_ID_RE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")
MAX_DOCUMENTS = 5000
CHECKED_UP_TO = "checked_up_to"
_ENVELOPE_KEYS = {"external_id", "document"}
_BOLIVIA_LOCAL_KEY = "_lote"  # domain.bolivia.LOCAL_KEY


@dataclass(frozen=True)
class GatewayError:
    """One problem the POS can fix, placed where it finds it."""

    message: str
    document: int | None = None  # index in the request or file (0-based)
    field: str | None = None  # JSON path in the document ("items[0].cantidad")
    row: int | None = None  # CSV/XLSX row as a spreadsheet shows it (header = 1)
    column: str | None = None
    external_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("document", "external_id", "field", "row", "column"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out["message"] = self.message
        return out


@dataclass
class Incoming:
    """One document as the POS sent it: the native JSON of the profile's country."""

    data: Any
    external_id: str | None = None
    rows: list[int] = field(default_factory=list)  # its sheet rows (CSV/XLSX)


@dataclass(frozen=True)
class Accepted:
    index: int
    id: int
    external_id: str
    created: bool
    state: str
    numero: str
    cdc: str | None

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.id, "external_id": self.external_id,
                "created": self.created, "state": self.state, "numero": self.numero,
                "cdc": self.cdc, "url": f"/v1/documents/{self.id}"}


@dataclass
class IntakeOutcome:
    documents: list[Accepted] = field(default_factory=list)
    errors: list[GatewayError] = field(default_factory=list)
    #: (name, when) of the earlier file with the same content: nothing was done again.
    duplicate_file: tuple[str, str] | None = None
    #: The first response to this Idempotency-Key, answered again.
    replay: StoredResponse | None = None
    #: The Idempotency-Key was used before for a different request.
    key_reused: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.key_reused

    @property
    def created(self) -> int:
        return sum(1 for d in self.documents if d.created)

    @property
    def status(self) -> int:
        """201 when something was created, 200 when every document existed already."""
        return 201 if self.created else 200

    def to_json(self) -> dict[str, Any]:
        return {"documents": [d.to_json() for d in self.documents], "created": self.created,
                "existing": len(self.documents) - self.created}


# -- reading requests ---------------------------------------------------------------------


def json_items(data: Any) -> tuple[list[Incoming], list[GatewayError]]:
    """The documents of a JSON request or file, in any of the accepted shapes:

    - one document in the country's native JSON, or an array of them;
    - an envelope ``{"external_id": "V-1", "document": {...}}``, or an array of them;
    - ``{"documents": [...]}`` holding native documents or envelopes.
    """
    if isinstance(data, dict) and "documents" in data:
        extra = sorted(set(data) - {"documents"})
        if extra:
            return [], [GatewayError(f"Clave desconocida junto a «documents»: {', '.join(extra)}.")]
        data = data["documents"]
        if not isinstance(data, list):
            return [], [GatewayError("«documents» debe ser una lista de documentos.",
                                     field="documents")]
    many = data if isinstance(data, list) else [data]
    items: list[Incoming] = []
    errors: list[GatewayError] = []
    for index, entry in enumerate(many):
        if isinstance(entry, dict) and "document" in entry:
            unknown = sorted(set(entry) - _ENVELOPE_KEYS)
            ext = entry.get("external_id")
            if unknown:
                errors.append(GatewayError(
                    f"Clave desconocida en el sobre del documento: {', '.join(unknown)} "
                    "(se admiten «external_id» y «document»).", document=index))
            if ext is not None and not isinstance(ext, str):
                errors.append(GatewayError("Debe ser un texto.", document=index,
                                           field="external_id"))
                ext = None
            items.append(Incoming(entry["document"], ext or None))
        else:
            items.append(Incoming(entry))
    if not many:
        errors.append(GatewayError("No hay documentos en la solicitud."))
    return items, errors


def sheet_items(path: Path, country: str) -> tuple[list[Incoming], list[GatewayError]]:
    """The documents of a CSV or XLSX file, checked by the import preview (the same
    parse, prepare and validate as every other path); every error with its row and
    column. The external id of a document is its ``documento`` column (Argentina: the
    ``external_reference`` column when filled)."""
    from desktop_app.documents.importing import preview_import

    preview = preview_import(path, country)
    errors = [GatewayError(message) for message in preview.file_errors]
    for index in sorted(preview.errors):
        key = preview.keys[index] if index < len(preview.keys) else ""
        for e in preview.errors[index]:
            errors.append(GatewayError(e.message, document=index, row=e.row, column=e.column,
                                       external_id=key or None))
    if errors:
        return [], errors
    items: list[Incoming] = []
    for index, data in enumerate(preview.documents):
        rows = preview.document_rows[index] if index < len(preview.document_rows) else []
        key = preview.keys[index] if index < len(preview.keys) else ""
        if country == "AR" and rows:
            own = (preview.rows[rows[0] - 2].get("external_reference") or "").strip()
            key = own or key
        items.append(Incoming(data, key or None, rows))
    return items, []


# -- external ids -----------------------------------------------------------------------------


def native_external_id(country: str, data: Any) -> str | None:
    """The external id a native document carries itself (Argentina, Bolivia)."""
    if not isinstance(data, dict):
        return None
    holder = data.get("comprobante") if country == "AR" else \
        data.get(_BOLIVIA_LOCAL_KEY) if country == "BO" else None
    if not isinstance(holder, dict):
        return None
    value = holder.get("external_reference" if country == "AR" else "ref")
    return value.strip() or None if isinstance(value, str) else None


def with_external_id(country: str, data: Any, external_id: str) -> Any:
    """A copy of `data` carrying `external_id` where its provider reads it."""
    if country not in ("AR", "BO") or not isinstance(data, dict):
        return data
    out = copy.deepcopy(data)
    key, name = ("comprobante", "external_reference") if country == "AR" else \
        (_BOLIVIA_LOCAL_KEY, "ref")
    holder = out.get(key)
    if holder is None:
        holder = out[key] = {}
    if isinstance(holder, dict):
        holder[name] = external_id
    return out


def _derived_id(prefix: str, seed: str, index: int) -> str:
    return f"{prefix}{hashlib.sha256(seed.encode('utf-8')).hexdigest()[:20]}-{index + 1}"


def request_hash(body: bytes, content_type: str = "") -> str:
    return hashlib.sha256(content_type.split(";")[0].strip().lower().encode() + b"\0" + body
                          ).hexdigest()


# -- the intake -----------------------------------------------------------------------------


class Intake:
    def __init__(self, db: Database, ledger: Ledger) -> None:
        self.db = db
        self.ledger = ledger
        if ledger.get_meta(CHECKED_UP_TO) is None:
            # A new side database: nothing older than this came through a gateway.
            ledger.set_meta(CHECKED_UP_TO, str(self._top_id()))

    def _top_id(self) -> int:
        with self.db.session() as s:
            return int(s.exec(select(func.max(Document.id))).one() or 0)

    def profile(self, profile_id: int) -> ProviderProfile:
        with self.db.session() as s:
            found = s.get(ProviderProfile, profile_id)
        if found is None:
            raise ProfileNotFound(profile_id)
        return found

    def submit(
        self,
        profile_id: int,
        items: Sequence[Incoming],
        *,
        source: str,
        idempotency_key: str | None = None,
        request_digest: str | None = None,
        file_hash: str | None = None,
        file_name: str | None = None,
        results_dir: Path | None = None,
    ) -> IntakeOutcome:
        """Check `items` and queue the new ones, all or nothing (see the module doc).

        `source` is "api" or "folder" (the audit trail's actor). With
        `idempotency_key`, `request_digest` identifies the request it was first used
        for; with `file_hash`, a file accepted before is not processed again.
        `results_dir`: where the results go (the ``resultados`` beside a watched folder;
        default: the profile's folder in the settings).
        """
        actor = ACTORS[source]
        country = self.profile(profile_id).country
        outcome = IntakeOutcome()
        if not items:
            outcome.errors.append(GatewayError("No hay documentos en la solicitud."))
            return outcome
        if len(items) > MAX_DOCUMENTS:
            outcome.errors.append(GatewayError(
                f"Demasiados documentos en una solicitud: {len(items)} (máximo {MAX_DOCUMENTS})."))
            return outcome
        external_ids = self._external_ids(country, items, idempotency_key, file_hash, outcome)
        rules = rules_for(country)
        docs: list[Any] = []
        problems: dict[int, list[ValidationError]] = {}
        for index, item in enumerate(items):
            doc, shape = rules.parse(with_external_id(country, item.data, external_ids[index]))
            docs.append(doc)
            if shape:
                problems[index] = shape
        # The rules of the dialog on every well-formed document too: one answer names
        # every problem of the request, not only the first kind found.
        # Each document is prepared and validated once: the save below reuses it.
        checked: dict[int, Checked] = {}
        for index, doc in enumerate(docs):
            if doc is None or index in problems:
                continue
            ok, found = check_document(rules, doc)
            if ok is None:
                problems[index] = found
            else:
                checked[index] = ok
        for index in sorted(problems):
            outcome.errors.extend(
                GatewayError(p.message, document=index, field=p.field or None,
                             external_id=external_ids[index],
                             row=items[index].rows[0] if items[index].rows else None)
                for p in problems[index])
        if outcome.errors:
            return outcome
        with self.ledger.transaction():
            if idempotency_key is not None:
                stored = self.ledger.stored_response(profile_id, idempotency_key)
                if stored is not None:
                    if request_digest is not None and stored.request_hash != request_digest:
                        outcome.key_reused = True
                    else:
                        outcome.replay = stored
                    return outcome
            if file_hash is not None:
                seen = self.ledger.file_seen(profile_id, file_hash)
                if seen is not None:
                    outcome.duplicate_file = seen
                    return outcome
            existing = self._existing(profile_id, external_ids)
            fresh = [i for i, ext in enumerate(external_ids) if ext not in existing]
            created = set(fresh)
            ids_by_index: dict[int, int] = {}
            if fresh:
                try:
                    result = enqueue_checked(
                        self.db, profile_id, [checked[i] for i in fresh], actor=actor,
                        external_refs=[external_ids[i] for i in fresh])
                except IntegrityError:
                    outcome.errors.append(GatewayError(
                        "Uno de los números indicados ya está usado en este perfil (o lo usó "
                        "otro terminal al mismo tiempo): no se guardó nada.", field="numero"))
                    return outcome
                if not result.ok:
                    for position, refused in sorted(result.errors.items()):
                        index = fresh[position]
                        outcome.errors.extend(
                            GatewayError(p.message, document=index, field=p.field or None,
                                         external_id=external_ids[index],
                                         row=items[index].rows[0] if items[index].rows else None)
                            for p in refused)
                    return outcome
                ids_by_index = dict(zip(fresh, result.ids, strict=True))
            for index, ext in enumerate(external_ids):
                if index not in ids_by_index:
                    ids_by_index[index] = existing[ext]
            rows = rows_by_ids(self.db, ids_by_index.values())
            for index in range(len(items)):
                row = rows[ids_by_index[index]]
                outcome.documents.append(Accepted(
                    index=index, id=row.id, external_id=external_ids[index],
                    created=index in created, state=row.state, numero=row.numero, cdc=row.cdc))
            self.ledger.record_intake(
                ((d.id, profile_id, d.external_id, source) for d in outcome.documents),
                results_dir=str(results_dir) if results_dir is not None else None)
            if file_hash is not None:
                self.ledger.record_file(profile_id, file_hash, file_name or "", len(items))
            if idempotency_key is not None and request_digest is not None:
                self.ledger.store_response(profile_id, idempotency_key, request_digest,
                                           outcome.status, json.dumps(outcome.to_json()))
        return outcome

    def _external_ids(self, country: str, items: Sequence[Incoming], key: str | None,
                      file_hash: str | None, outcome: IntakeOutcome) -> list[str]:
        ids: list[str] = []
        first_seen: dict[str, int] = {}
        for index, item in enumerate(items):
            given = item.external_id.strip() if item.external_id else None
            native = native_external_id(country, item.data)
            if given and native and given != native:
                outcome.errors.append(GatewayError(
                    f"«external_id» ({given}) no coincide con la referencia del propio "
                    f"documento ({native}).", document=index, field="external_id"))
            if given or native:
                ext = given or native or ""
            elif key is not None:
                ext = _derived_id("k", key, index)
            elif file_hash is not None:
                ext = _derived_id("f", file_hash, index)
            else:
                ext = uuid.uuid4().hex
            if not EXTERNAL_ID_RE.fullmatch(ext):
                outcome.errors.append(GatewayError(
                    f"El identificador externo «{ext[:120]}» no es válido: use hasta 100 letras, "
                    "números, «_», «-» o «.» (no al comienzo); nombra el archivo de resultado.",
                    document=index, field="external_id",
                    row=item.rows[0] if item.rows else None))
            elif ext in first_seen:
                outcome.errors.append(GatewayError(
                    f"El identificador externo «{ext}» se repite en la solicitud (también en el "
                    f"documento {first_seen[ext]}).", document=index, field="external_id",
                    external_id=ext, row=item.rows[0] if item.rows else None))
            else:
                first_seen[ext] = index
            ids.append(ext)
        return ids

    def _existing(self, profile_id: int, external_ids: Sequence[str]) -> dict[str, int]:
        """external id -> the oldest document of the profile that carries it."""
        out: dict[str, int] = {}
        wanted = list(dict.fromkeys(external_ids))
        with self.db.session() as s:
            for start in range(0, len(wanted), 500):
                stmt = (select(Document.id, Document.external_ref)
                        .where(Document.profile_id == profile_id,
                               col(Document.external_ref).in_(wanted[start:start + 500]))
                        .order_by(col(Document.id)))
                for doc_id, ref in s.exec(stmt):
                    if ref is not None and ref not in out and doc_id is not None:
                        out[ref] = doc_id
        return out

    def recover_lost_intake(self) -> int:
        """Register gateway documents the side database missed (a crash between the two
        commits): created by a gateway actor after the last check (the side database
        notes how far it checked, so a start-up never scans an old database again). Run
        under the intake lock, so an intake in flight elsewhere records its own rows."""
        with self.ledger.transaction():
            top = self._top_id()
            since = int(self.ledger.get_meta(CHECKED_UP_TO) or 0)
            with self.db.session() as s:
                found = s.exec(
                    select(Document.id, Document.profile_id, Document.external_ref,
                           DocumentEvent.actor)
                    .join(DocumentEvent, col(DocumentEvent.document_id) == col(Document.id))
                    .where(col(Document.id) > since, col(Document.id) <= top,
                           col(DocumentEvent.from_state).is_(None),
                           col(DocumentEvent.actor).in_(list(ACTORS.values())))
                ).all()
            rows = [(doc_id, pid, ref, "api" if actor == ACTOR_API else "folder")
                    for doc_id, pid, ref, actor in found if doc_id is not None and ref]
            if rows:
                self.ledger.record_intake(rows)
            self.ledger.set_meta(CHECKED_UP_TO, str(top))
        return len(rows)
