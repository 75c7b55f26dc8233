"""Importing sales from a CSV or XLSX file: preview every error first, then save.

Two entry points, shared by the preview dialog (`import_dialog.py`) and the CLI
(``lote import FILE.csv|FILE.xlsx``):

1. `preview_import(path, country)` reads the file (`spreadsheet.read_sheet`), groups its
   rows into documents with the country's importer (`domain.paraguay_csv`,
   `bolivia_csv`, `argentina_csv`), and runs every document through the same
   ``parse`` → ``prepare`` → ``validate`` of `rules_for(country)` that the outbox applies,
   so the preview shows **every** error of every row before anything is saved. Each
   error is placed on its row and, when known, its column. Given the database and the
   profile, it also flags what the database would refuse: a sale already imported (same
   ``documento`` key) and a number already used.
2. `commit_import(db, profile_id, preview, only_valid=...)` saves through
   `store.outbox.enqueue_checked` the documents the preview checked (each document is
   prepared and validated once, by the outbox's `check_document`): all or nothing by
   default; with ``only_valid`` the valid documents are saved and the others are
   reported and skipped.

The importers report positions in three spellings ("fila 3, item_cantidad" as the
field; "fila 3, cantidad: ..." in the message; "Fila 3, columna «cantidad»: ..."); they
are normalised here into `CellError(row, column, message)`.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, String, any_, bindparam, func, text, tuple_
from sqlalchemy import select as sql_select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from desktop_app.documents.spreadsheet import UnsupportedFile, cell_ref, read_sheet
from desktop_app.domain.country import Summary, rules_for
from desktop_app.domain.errors import ValidationError
from desktop_app.store.db import Database
from desktop_app.store.models import Document, ProviderProfile
from desktop_app.store.outbox import (
    Checked,
    EnqueueResult,
    check_document,
    enqueue_checked,
    enqueue_documents,
    gc_paused,
)

KEY_COLUMN = "documento"

_IMPORTERS = {
    "PY": "desktop_app.domain.paraguay_csv",
    "BO": "desktop_app.domain.bolivia_csv",
    "AR": "desktop_app.domain.argentina_csv",
}
_COUNTRY_NAMES = {"PY": "Paraguay", "BO": "Bolivia", "AR": "Argentina"}

_FIELD_RE = re.compile(r"^fila (\d+)(?:, (.+))?$", re.IGNORECASE)
_MESSAGE_RE = re.compile(r"^fila (\d+), columna «([^»]+)»: (.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class CellError:
    """One problem, where the user finds it: a sheet row (the header is row 1) and a
    column (None: the row or the document as a whole)."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        return f"{cell_ref(self.row, self.column)}: {self.message}"


@dataclass
class ImportPreview:
    """What a file would import. ``rows[i]`` is sheet row ``i + 2``."""

    path: Path
    country: str
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    #: One entry per document: its native JSON (prepared, as it would be saved) or None.
    documents: list[dict[str, Any] | None] = field(default_factory=list)
    #: Every error of each invalid document, by document index.
    errors: dict[int, list[CellError]] = field(default_factory=dict)
    #: The sheet rows of each document.
    document_rows: list[list[int]] = field(default_factory=list)
    #: The ``documento`` value of each document ("" when the row had none).
    keys: list[str] = field(default_factory=list)
    #: Problems of the file as a whole (unreadable, wrong country, no rows): nothing imports.
    file_errors: list[str] = field(default_factory=list)
    #: Each valid document as the outbox checked it (prepared, validated, summarised):
    #: each goes through parse → prepare → validate once, and `commit_import` saves it
    #: without doing it again (BENCHMARKS.md, import). ``documents[i]`` is its JSON.
    prepared: dict[int, Checked] = field(default_factory=dict, repr=False)
    #: What the profile's documents looked like when the conflicts were checked
    #: (`_database_marker`): the commit checks again only if it changed.
    checked_against: tuple[int, int] | None = None

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors and bool(self.documents)

    @property
    def valid_indexes(self) -> list[int]:
        if self.file_errors:
            return []
        return [i for i, d in enumerate(self.documents) if d is not None and i not in self.errors]

    @property
    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values()) + len(self.file_errors)

    def all_errors(self) -> list[CellError]:
        """Every document error, in sheet order."""
        found = [e for errors in self.errors.values() for e in errors]
        return sorted(found, key=lambda e: (e.row, e.column or ""))

    def cell_errors(self) -> dict[tuple[int, str | None], list[str]]:
        """Messages by (row, column); column None for errors of a whole row/document."""
        out: dict[tuple[int, str | None], list[str]] = {}
        for e in self.all_errors():
            out.setdefault((e.row, e.column), []).append(e.message)
        return out

    def row_document(self) -> dict[int, int]:
        """The document index of each sheet row that belongs to one."""
        return {row: index for index, rows in enumerate(self.document_rows) for row in rows}

    def summary(self) -> str:
        if self.file_errors:
            return " ".join(self.file_errors)
        total = len(self.documents)
        valid = len(self.valid_indexes)
        rows = sum(1 for r in self.rows if any(r.values()))
        text = (
            f"{total} documento{'s' if total != 1 else ''} en {rows} fila{'s' if rows != 1 else ''}"
        )
        if valid == total:
            return f"{text}: todos válidos."
        return (
            f"{text}: {valid} válido{'s' if valid != 1 else ''}, "
            f"{total - valid} con errores ({self.error_count} error"
            f"{'es' if self.error_count != 1 else ''})."
        )


@dataclass
class ImportResult:
    """What `commit_import` saved (`ids`, in file order) and what it did not."""

    ids: list[int] = field(default_factory=list)
    #: Documents not saved and why, by document index.
    errors: dict[int, list[CellError]] = field(default_factory=dict)
    file_errors: list[str] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors

    @property
    def saved(self) -> int:
        return len(self.ids)

    def message(self) -> str:
        if self.file_errors:
            return "No se importó nada: " + " ".join(self.file_errors)
        if not self.ids:
            n = len(self.errors)
            return (
                f"No se importó nada: {n} documento{'s' if n != 1 else ''} con errores "
                "(se importa todo o nada)."
            )
        text = f"Se importaron y encolaron {len(self.ids)} documento{'s' if len(self.ids) != 1 else ''}"
        if self.skipped:
            text += f"; {len(self.skipped)} con errores no se importaron"
        return text + "."


# -- locating errors ----------------------------------------------------------------------


def locate(
    error: ValidationError,
    rows: list[int],
    path_column: Callable[[str], tuple[int | None, str | None]] | None = None,
) -> CellError:
    """An importer's or a rule's error -> a CellError on its row and column.

    `rows` are the sheet rows of the error's document (item i is on ``rows[i]``).
    Domain rules name JSON paths ("items[1].cantidad"); `path_column` maps such a path
    to (item index or None, column) so the error lands on its cell; anything else lands
    on the document's first row.
    """
    first = rows[0] if rows else 2
    message = error.message
    m = _FIELD_RE.match(error.field)
    if m:
        row, column = int(m.group(1)), m.group(2)
        prefix = f"{error.field}: "
        if message.lower().startswith(prefix.lower()):
            message = message[len(prefix) :]
        return CellError(row, column, _capital(message))
    m = _MESSAGE_RE.match(message)
    if m:
        return CellError(int(m.group(1)), m.group(2), _capital(m.group(3)))
    if path_column is None:
        return CellError(first, None, message)
    item, column = path_column(error.field)
    row = rows[item] if item is not None and item < len(rows) else first
    return CellError(row, column, message)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


_ITEM_PATH_RE = re.compile(r"^(?:items|details|comprobante\.detalle)\[(\d+)\](?:\.(.+))?$")


def _bolivia_columns() -> Callable[[str], tuple[int | None, str | None]]:
    from desktop_app.domain import bolivia_csv

    header = {key: column for column, (key, _, _) in bolivia_csv.HEADER_COLUMNS.items()}
    line = {key: column for column, (key, _, _) in bolivia_csv.LINE_COLUMNS.items()}

    def column_of(path: str) -> tuple[int | None, str | None]:
        m = _ITEM_PATH_RE.match(path)
        if m:
            return int(m.group(1)), line.get(m.group(2) or "", "descripcion")
        return None, header.get(path)

    return column_of


def _argentina_column(path: str) -> tuple[int | None, str | None]:
    m = _ITEM_PATH_RE.match(path)
    if m:
        key = (m.group(2) or "descripcion").removeprefix("producto.")
        return int(m.group(1)), key
    head, _, key = path.partition(".")
    if head == "cliente" and key:
        return None, f"cliente_{key}"
    if head == "comprobante" and key:
        return None, key
    return None, None


# -- grouping rows as the importers do ------------------------------------------------------


def _group_rows(
    rows: list[dict[str, str]], *, skip_blank: bool
) -> tuple[list[list[int]], list[str]]:
    """The sheet rows and the key of each document, in the order documents first appear
    (a row without a key is a document of its own, as every importer treats it)."""
    order: list[list[int]] = []
    keys: list[str] = []
    by_key: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        number = index + 2
        if skip_blank and not any((v or "").strip() for v in row.values()):
            continue
        key = (row.get(KEY_COLUMN) or "").strip()
        if not key:
            order.append([number])
            keys.append("")
            continue
        if key not in by_key:
            by_key[key] = []
            order.append(by_key[key])
            keys.append(key)
        by_key[key].append(number)
    return order, keys


# -- preview -------------------------------------------------------------------------------


def preview_import(
    path: str | Path,
    country: str,
    *,
    db: Database | None = None,
    profile_id: int | None = None,
    now: datetime | None = None,
) -> ImportPreview:
    """Read `path` and report what it would import for `country` ("PY", "BO", "AR").

    Never raises for a bad file: an unreadable file, an unknown format or a country
    whose importer is missing are `file_errors`. With `db` and `profile_id`, documents
    the database already holds (same key, same number) are errors too.
    """
    with gc_paused():
        return _preview_import(path, country, db=db, profile_id=profile_id, now=now)


def _preview_import(
    path: str | Path,
    country: str,
    *,
    db: Database | None,
    profile_id: int | None,
    now: datetime | None,
) -> ImportPreview:
    preview = ImportPreview(path=Path(path), country=country)
    try:
        importer = importlib.import_module(_IMPORTERS[country])
    except KeyError:
        preview.file_errors.append(f"País desconocido: {country!r}.")
        return preview
    except ImportError:
        preview.file_errors.append(
            f"La importación de documentos de {_COUNTRY_NAMES.get(country, country)} todavía "
            "no está disponible en esta versión de Lote."
        )
        return preview
    try:
        sheet = read_sheet(path)
    except UnsupportedFile as exc:
        preview.file_errors.append(str(exc))
        return preview
    except OSError as exc:
        preview.file_errors.append(f"No se pudo leer el archivo: {exc}")
        return preview
    preview.columns, preview.rows = sheet.columns, sheet.rows
    if not any(any(r.values()) for r in sheet.rows):
        preview.file_errors.append("El archivo no tiene filas de datos debajo del encabezado.")
        return preview
    if country == "PY":
        entries = _paraguay_entries(importer, sheet.rows, now)
    else:
        entries = _other_entries(importer, country, sheet.rows, now)
    preview.document_rows, preview.keys = _matching_groups(sheet.rows, len(entries))
    for index, (data, errors, checked) in enumerate(entries):
        preview.documents.append(data if not errors else None)
        if errors:
            preview.errors[index] = errors
        elif checked is not None:
            preview.prepared[index] = checked
    _add_sheet_errors(preview, sheet.errors)
    if db is not None and profile_id is not None:
        marker = _database_marker(db, profile_id)
        for index, problems in database_conflicts(db, profile_id, preview).items():
            preview.errors.setdefault(index, []).extend(problems)
        preview.checked_against = marker
    return preview


#: A document's JSON (as it would be saved), its errors, and the checked document.
Entry = tuple[dict[str, Any] | None, list[CellError], Checked | None]


def _checker(country: str, now: datetime | None) -> Callable[[Any], tuple[Any, list[ValidationError]]]:
    """The outbox's prepare and validate of one parsed document, keeping its JSON."""
    rules = rules_for(country)

    def check(doc: Any) -> tuple[Checked | None, list[ValidationError]]:
        return check_document(rules, doc, now=now, keep_json=True)

    return check


def _paraguay_entries(
    importer: Any,
    rows: list[dict[str, str]],
    now: datetime | None,
) -> list[Entry]:
    """paraguay_csv.check_rows already parses, prepares, validates and locates."""
    out: list[Entry] = []
    for checked, errors in importer.check_rows(rows, now=now, check=_checker("PY", now)):
        if checked is None or errors:
            out.append((None, [locate(e, []) for e in errors], None))
        else:
            out.append((checked.json, [], checked))
    return out


def _other_entries(
    importer: Any, country: str, rows: list[dict[str, str]], now: datetime | None
) -> list[Entry]:
    rules = rules_for(country)
    check = _checker(country, now)
    path_column = _bolivia_columns() if country == "BO" else _argentina_column
    results = importer.rows_to_json(rows)
    groups, _ = _matching_groups(rows, len(results))
    out: list[Entry] = []
    for index, (data, errors) in enumerate(results):
        rows_of = groups[index] if index < len(groups) else []
        if data is None or errors:
            out.append((None, [locate(e, rows_of) for e in errors], None))
            continue
        checked = None
        doc, problems = rules.parse(data)
        if doc is not None:
            checked, problems = check(doc)
        if problems or checked is None:
            out.append((None, [locate(p, rows_of, path_column) for p in problems], None))
        else:
            out.append((checked.json, [], checked))
    return out


def _matching_groups(
    rows: list[dict[str, str]],
    count: int | None,
) -> tuple[list[list[int]], list[str]]:
    """The grouping whose document count matches the importer's (Paraguay and Argentina
    skip blank rows; Bolivia reports them)."""
    skipping = _group_rows(rows, skip_blank=True)
    if count is None or len(skipping[0]) == count:
        return skipping
    keeping = _group_rows(rows, skip_blank=False)
    return keeping if len(keeping[0]) == count else skipping


def _add_sheet_errors(preview: ImportPreview, errors: list[ValidationError]) -> None:
    """Cell problems found while reading (formulas) make their document invalid."""
    owner = preview.row_document()
    for error in errors:
        located = locate(error, [])
        index = owner.get(located.row)
        if index is None:
            preview.file_errors.append(str(located))
            continue
        preview.documents[index] = None
        preview.prepared.pop(index, None)
        preview.errors.setdefault(index, []).append(located)


# -- what the database would refuse ------------------------------------------------------------


def _database_marker(db: Database, profile_id: int) -> tuple[int, int]:
    """The profile's highest document id and document count: a document saved (or
    removed) since a check changes it, so an unchanged marker means unchanged conflicts."""
    with db.session() as s:
        highest, count = s.exec(
            select(func.max(Document.id), func.count(col(Document.id))).where(
                Document.profile_id == profile_id
            )
        ).one()
    return int(highest or 0), int(count or 0)


def _summaries(preview: ImportPreview) -> list[tuple[int, Summary]]:
    """The summary of each valid document: kept by the preview, or read from its JSON
    (a preview built by hand)."""
    rules = rules_for(preview.country)
    out: list[tuple[int, Summary]] = []
    for index in preview.valid_indexes:
        checked = preview.prepared.get(index)
        if checked is not None:
            out.append((index, checked.summary))
            continue
        doc, _ = rules.parse(preview.documents[index])
        if doc is not None:
            out.append((index, rules.summary(doc)))
    return out


def database_conflicts(
    db: Database,
    profile_id: int,
    preview: ImportPreview,
) -> dict[int, list[CellError]]:
    """Documents that would collide with stored ones: the same ``documento`` key
    imported before (Paraguay keeps it as the external reference: importing a file
    twice would issue every sale twice), or an explicit number already used — also
    within the file itself. The database is asked twice, however many documents the
    file has: once for all the keys (`_stored_refs`) and once for all the explicit
    numbers (`_stored_numbers`, through `uq_document_number`)."""
    rules = rules_for(preview.country)
    out: dict[int, list[CellError]] = {}
    candidates = _summaries(preview)
    if not candidates:
        return out
    keys = {
        preview.keys[i]: i
        for i, _ in candidates
        if preview.country == "PY" and i < len(preview.keys) and preview.keys[i]
    }
    seen_numbers: dict[tuple[int, str, str, int], int] = {}
    repeated: dict[int, CellError] = {}
    for index, summary in candidates:
        if summary.numero is None:
            continue
        key = (summary.tipo_documento, summary.establecimiento, summary.punto, summary.numero)
        if key in seen_numbers:
            number = rules.display_number(*key)
            repeated[index] = _first_row_error(
                preview,
                index,
                "numero",
                f"El número {number} se repite en el archivo (también en el documento de la "
                f"fila {_first_row(preview, seen_numbers[key])}).",
            )
            continue
        seen_numbers[key] = index
    with db.session() as s:
        stored = _stored_refs(s, profile_id, list(keys))
        used = _stored_numbers(s, profile_id, list(seen_numbers))
    for ref, tipo, est, punto, numero in stored:
        index = keys[ref or ""]
        number = rules.display_number(tipo, est, punto, numero)
        out.setdefault(index, []).append(
            _first_row_error(
                preview,
                index,
                KEY_COLUMN,
                f"El documento «{ref}» ya fue importado (es el {number}): importarlo otra "
                "vez emitiría la venta dos veces.",
            )
        )
    for index, summary in candidates:  # in file order, after any key error of the document
        if summary.numero is None:
            continue
        if index in repeated:
            out.setdefault(index, []).append(repeated[index])
            continue
        key = (summary.tipo_documento, summary.establecimiento, summary.punto, summary.numero)
        if key in used:
            out.setdefault(index, []).append(
                _first_row_error(
                    preview,
                    index,
                    "numero",
                    f"El número {rules.display_number(*key)} ya está usado en este perfil.",
                )
            )
    return out


#: SQLite: the keys are one JSON array (`json_each`). ``+profile_id`` keeps the planner
#: from walking the profile's documents: it looks each key up in ix_document_external_ref.
_SQLITE_REFS = text(
    "SELECT external_ref, tipo_documento, establecimiento, punto, numero FROM document "
    "WHERE external_ref IN (SELECT value FROM json_each(:refs)) AND +profile_id = :profile "
    "ORDER BY id"
)
#: SQLite: the numbers are one JSON array of [tipo, establecimiento, punto, numero];
#: CROSS JOIN keeps the array as the outer loop (SQLite does not reorder it), so each
#: number is one lookup in uq_document_number rather than a walk through the profile.
_SQLITE_NUMBERS = text(
    "SELECT d.tipo_documento, d.establecimiento, d.punto, d.numero "
    "FROM json_each(:numbers) AS k CROSS JOIN document AS d "
    "ON d.profile_id = :profile AND d.tipo_documento = json_extract(k.value, '$[0]') "
    "AND d.establecimiento = json_extract(k.value, '$[1]') "
    "AND d.punto = json_extract(k.value, '$[2]') AND d.numero = json_extract(k.value, '$[3]')"
)


def _stored_refs(
    s: Session, profile_id: int, refs: list[str]
) -> list[tuple[str | None, int, str, str, int]]:
    """The profile's stored documents whose external reference is one of `refs`, in
    one statement: the list travels as one parameter (a JSON array on SQLite, an array
    on PostgreSQL), so 10,000 keys are neither 10,000 parameters nor 20 chunks."""
    if not refs:
        return []
    if s.get_bind().dialect.name != "postgresql":
        found = s.execute(_SQLITE_REFS, {"refs": json.dumps(refs), "profile": profile_id})
        return [(r, t, e, p, n) for r, t, e, p, n in found]
    stmt = (
        sql_select(
            col(Document.external_ref),
            col(Document.tipo_documento),
            col(Document.establecimiento),
            col(Document.punto),
            col(Document.numero),
        )
        .where(
            col(Document.profile_id) == profile_id,
            col(Document.external_ref) == any_(bindparam("refs", refs, type_=ARRAY(String))),
        )
        .order_by(col(Document.id))
    )
    return [(r, t, e, p, n) for r, t, e, p, n in s.execute(stmt)]


def _stored_numbers(
    s: Session, profile_id: int, numbers: list[tuple[int, str, str, int]]
) -> set[tuple[int, str, str, int]]:
    """Which of `numbers` — (tipo, establecimiento, punto, numero) — the profile has
    stored, in one statement (as `_stored_refs`), through `uq_document_number`."""
    if not numbers:
        return set()
    if s.get_bind().dialect.name != "postgresql":
        found = s.execute(_SQLITE_NUMBERS, {"numbers": json.dumps(numbers), "profile": profile_id})
        return {(t, e, p, n) for t, e, p, n in found}
    tipos, ests, puntos, numeros = (list(part) for part in zip(*numbers, strict=True))
    wanted = (
        func.unnest(
            bindparam("tipos", tipos, type_=ARRAY(Integer)),
            bindparam("ests", ests, type_=ARRAY(String)),
            bindparam("puntos", puntos, type_=ARRAY(String)),
            bindparam("numeros", numeros, type_=ARRAY(Integer)),
        )
        .table_valued("t", "e", "p", "n")
        .render_derived()
    )
    columns = (
        col(Document.tipo_documento),
        col(Document.establecimiento),
        col(Document.punto),
        col(Document.numero),
    )
    stmt = select(*columns).where(
        Document.profile_id == profile_id,
        tuple_(*columns).in_(select(wanted.c.t, wanted.c.e, wanted.c.p, wanted.c.n)),
    )
    return {(t, e, p, n) for t, e, p, n in s.exec(stmt).all()}


def _first_row(preview: ImportPreview, index: int) -> int:
    rows = preview.document_rows[index] if index < len(preview.document_rows) else []
    return rows[0] if rows else 2


def _first_row_error(preview: ImportPreview, index: int, column: str, message: str) -> CellError:
    present = column if column in preview.columns else None
    return CellError(_first_row(preview, index), present, message)


# -- commit -----------------------------------------------------------------------------------


def commit_import(
    db: Database,
    profile_id: int,
    preview: ImportPreview,
    *,
    only_valid: bool = False,
    actor: str = "import",
    now: datetime | None = None,
) -> ImportResult:
    """Save the previewed documents into the outbox (QUEUED), in one transaction.

    All or nothing unless `only_valid`: a single invalid document saves nothing and the
    result lists every error. The documents are saved as the preview checked them (not
    prepared or validated again). What the database would refuse is looked for again
    only if the profile's documents changed since the preview (`_database_marker`);
    a number taken in between by another terminal is refused by `uq_document_number`,
    and named on its row like any other conflict.
    """
    with gc_paused():
        return _commit_import(db, profile_id, preview, only_valid=only_valid, actor=actor, now=now)


def _commit_import(
    db: Database,
    profile_id: int,
    preview: ImportPreview,
    *,
    only_valid: bool,
    actor: str,
    now: datetime | None,
) -> ImportResult:
    result = ImportResult()
    if preview.file_errors:
        result.file_errors = list(preview.file_errors)
        return result
    with db.session() as s:
        profile = s.get(ProviderProfile, profile_id)
        country = profile.country if profile is not None else None
    if country is None:
        result.file_errors.append(f"No existe el perfil {profile_id}.")
        return result
    if country != preview.country:
        result.file_errors.append(
            f"El archivo se revisó como de {_COUNTRY_NAMES.get(preview.country, preview.country)} "
            f"y el perfil es de {_COUNTRY_NAMES.get(country, country)}."
        )
        return result
    errors: dict[int, list[CellError]] = {i: list(e) for i, e in preview.errors.items()}
    if preview.checked_against is None or preview.checked_against != _database_marker(
        db, profile_id
    ):
        _merge(errors, database_conflicts(db, profile_id, preview))
    # A second attempt only after a number was taken since the last check (below).
    for _attempt in range(2):
        chosen = [i for i in preview.valid_indexes if i not in errors]
        if errors and not only_valid:
            result.errors = errors
            return result
        chosen_set = set(chosen)
        result.skipped = [i for i in range(len(preview.documents)) if i not in chosen_set]
        result.errors = {i: errors.get(i, []) for i in result.skipped}
        if not chosen:
            return result
        try:
            enqueued = _save(db, profile_id, preview, chosen, actor=actor, now=now)
        except IntegrityError:
            # A number used since the check (another terminal, after the marker was
            # compared): `uq_document_number` refused the whole transaction, so nothing
            # was saved. Name the rows; with `only_valid`, save the others once more.
            late = database_conflicts(db, profile_id, preview)
            if not late:
                break
            _merge(errors, late)
            continue
        if not enqueued.ok:
            for position, rule_errors in enqueued.errors.items():
                index = chosen[position]
                rows = preview.document_rows[index] if index < len(preview.document_rows) else []
                result.errors[index] = [locate(p, rows) for p in rule_errors]
            return result
        result.ids = enqueued.ids
        return result
    result.skipped, result.errors = [], errors
    result.file_errors.append(
        "Otro terminal usó uno de los números mientras tanto: vuelva a revisar el archivo."
    )
    return result


def _merge(errors: dict[int, list[CellError]], more: dict[int, list[CellError]]) -> None:
    for index, problems in more.items():
        existing = errors.setdefault(index, [])
        existing.extend(p for p in problems if p not in existing)


def _save(
    db: Database,
    profile_id: int,
    preview: ImportPreview,
    chosen: list[int],
    *,
    actor: str,
    now: datetime | None,
) -> EnqueueResult:
    """Queue the `chosen` documents in one transaction, all or nothing. Those the
    preview checked are saved as checked (`enqueue_checked`: no second prepare and
    validate); a preview built by hand, holding only JSON, goes through
    `enqueue_documents`, which validates."""
    refs = [preview.keys[i] or None for i in chosen] if preview.country == "PY" else None
    checked = [preview.prepared.get(i) for i in chosen]
    if all(c is not None for c in checked):
        return enqueue_checked(
            db,
            profile_id,
            [c for c in checked if c is not None],
            actor=actor,
            all_or_nothing=True,
            external_refs=refs,
        )
    rules = rules_for(preview.country)
    docs = []
    for index in chosen:
        doc, shape_errors = rules.parse(preview.documents[index])
        assert doc is not None, shape_errors  # the preview parsed it already
        docs.append(doc)
    return enqueue_documents(
        db, profile_id, docs, actor=actor, all_or_nothing=True, now=now, external_refs=refs
    )
