"""Read-only queries for the screens of the window: the documents table (filter and
sort by any column in SQL), the Lotes screen, the dashboard and the numbering settings.

The documents table holds only ids (STYLE.md: a `QSortFilterProxyModel` sort of 200k
rows took 36 s); `document_search` returns them in the order the user chose, with the
document id as the last sort key so the order is total and stable. `document_rank`
answers where one new document lands in that order without re-reading the list.

Dates: `Document.fecha` is the shop's local time as written on the document (naive),
so the date filters and the dashboard's "today" compare with naive local datetimes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, column, false, func, literal, or_, table, tuple_, union_all
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from desktop_app.domain.money import CURRENCY_DECIMALS, quantize
from desktop_app.domain.numbering import parse_numero
from desktop_app.domain.states import DocState
from desktop_app.store.db import Database
from desktop_app.store.models import (
    SEARCH_INDEXES,
    Document,
    DocumentEvent,
    Lote,
    NumberSequence,
    ProviderProfile,
)

S = DocState

#: The lifecycle order the "Estado" column sorts by (not the alphabet of state names).
STATE_ORDER = {
    S.DRAFT: 0,
    S.QUEUED: 1,
    S.SENDING: 2,
    S.UNKNOWN: 3,
    S.SUBMITTED: 4,
    S.APPROVED: 5,
    S.APPROVED_WITH_OBSERVATIONS: 6,
    S.REJECTED: 7,
    S.CANCEL_REQUESTED: 8,
    S.CANCELLED: 9,
    S.VOIDED: 10,
}
APPROVED_STATES = (S.APPROVED.value, S.APPROVED_WITH_OBSERVATIONS.value)
PENDING_STATES = (S.QUEUED.value, S.SENDING.value, S.SUBMITTED.value, S.UNKNOWN.value)
#: What counts as a sale in the dashboard: issued, or on its way to being issued.
#: Rejected, cancelled and voided documents are not sales.
SALE_STATES = (*APPROVED_STATES, S.CANCEL_REQUESTED.value, *PENDING_STATES)

SORT_KEYS = (
    "id",
    "numero",
    "fecha",
    "cliente",
    "ruc",
    "total",
    "estado",
    "mensaje",
    "lote",
    "proveedor",
)


def _sort_exprs(key: str) -> list[ColumnElement[Any]]:
    """The SQL expressions a sort key orders by (never NULL, so that row values compare)."""
    if key == "numero":
        return [col(Document.establecimiento), col(Document.punto), col(Document.numero)]
    if key == "fecha":
        return [col(Document.fecha)]
    if key == "cliente":
        return [func.lower(Document.customer_name)]
    if key == "ruc":
        return [col(Document.customer_tax_id)]
    if key == "total":
        return [col(Document.total)]
    if key == "estado":
        return [case({s.value: n for s, n in STATE_ORDER.items()}, value=Document.state, else_=99)]
    if key == "mensaje":
        return [func.coalesce(Document.code, ""), func.coalesce(Document.message, "")]
    if key == "lote":
        return [func.coalesce(Document.lote_id, 0)]
    if key == "proveedor":
        return [col(ProviderProfile.name)]
    return []


@dataclass(frozen=True)
class DocumentFilter:
    """What the documents table shows: every field optional; `date_to` is inclusive."""

    states: tuple[str, ...] | None = None
    text: str | None = None
    profile_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    lote_id: int | None = None
    sort: str = "id"
    descending: bool = True

    def normalised(self) -> DocumentFilter:
        from dataclasses import replace

        return replace(
            self,
            states=tuple(self.states) if self.states else None,
            text=(self.text or "").strip() or None,
            sort=self.sort if self.sort in SORT_KEYS else "id",
        )


_NUMBER_PART_RE = re.compile(r"^\d{1,7}$")
#: SIFEN MT v150 §10.1: a CDC is 44 digits.
_CDC_RE = re.compile(r"^\d{44}$")
#: SIAT: a CUF is a long hexadecimal code (53 characters and more).
_CUF_RE = re.compile(r"^[0-9A-Fa-f]{53,}$")
#: ARCA: a CAE is 14 digits.
_CAE_RE = re.compile(r"^\d{14}$")
#: A RUC/NIT/CUIT or the start of one: digits, maybe a dash and its check digit.
_TAX_ID_RE = re.compile(r"^\d{3,11}(-\d?)?$")
#: Texts that may be part of a CDC, CUF or CAE (those hold nothing else).
_CODE_PART_RE = re.compile(r"^[0-9A-Fa-f]+$")


def _number_condition(est: str | None, punto: str | None, numero: int) -> ColumnElement[bool]:
    """The document number through the unique index `uq_document_number`: the
    subquery scans that (covering) index instead of the table, ~10 times cheaper than
    testing every row; the outer query then reads the matches by primary key."""
    inner = select(Document.id).where(Document.numero == numero)
    if est is not None and punto is not None:
        inner = inner.where(Document.establecimiento == est, Document.punto == punto)
    return col(Document.id).in_(inner)


def _contains(column: Any, text: str, sqlite: bool) -> ColumnElement[bool]:
    """`column` contains `text` as typed (% and _ are not wildcards), ignoring case.

    SQLite's LIKE already ignores ASCII case, and its `lower()` folds nothing else,
    so `lower(x) LIKE lower(y)` (what `icontains` renders there) would only cost two
    calls per row."""
    if sqlite:
        return col(column).contains(text, autoescape=True)
    return col(column).icontains(text, autoescape=True)


def _starts_with(column: Any, text: str, sqlite: bool) -> ColumnElement[bool]:
    if sqlite:
        return col(column).startswith(text, autoescape=True)
    return col(column).istartswith(text, autoescape=True)


#: The columns the filter box searches inside (all in SQLite's search indexes).
_TEXT_COLUMNS = ("customer_name", "customer_tax_id", "provider_number")
#: Columns holding nothing but hexadecimal codes: only hex-like texts can be in them.
_CODE_COLUMNS = ("cdc", "cuf", "cae")
#: The trigram tokenizer indexes every run of three characters: shorter texts are
#: in no trigram and cannot be looked up in the index.
FTS_MIN_CHARS = 3
_SEARCH_TABLES = {name: table(name, column("rowid"), column(name)) for name in SEARCH_INDEXES}


def _fts_query(columns: Sequence[str], text: str) -> str:
    """An FTS5 query for `text` as a substring of any of `columns`.

    The text is one FTS5 string ("..." with `"` doubled): inside it nothing else is
    syntax, so `*`, `-`, `:`, `AND`, parentheses are matched as typed. With the trigram
    tokenizer a string is the sequence of its trigrams, i.e. a substring, within one
    column (never across two)."""
    quoted = text.replace('"', '""')
    return f'{{{" ".join(columns)}}} : "{quoted}"'


def _in_search_index(columns: Sequence[str], text: str) -> ColumnElement[bool]:
    """Documents whose `columns` contain `text`, from the FTS5 trigram indexes
    (migration 0006): `id IN (SELECT rowid FROM document_fts WHERE document_fts MATCH ?
    UNION ALL SELECT rowid FROM document_assigned_fts WHERE ...)`, which SQLite runs as
    index lookups, then reads the matching rows by primary key in id order
    (BENCHMARKS.md, big table)."""
    selects = []
    for name, indexed in SEARCH_INDEXES.items():
        wanted = [c for c in columns if c in indexed]
        if wanted:
            index = _SEARCH_TABLES[name]
            match = index.c[name].op("MATCH")(_fts_query(wanted, text))
            selects.append(select(index.c.rowid).where(match))
    assert all(any(c in cs for cs in SEARCH_INDEXES.values()) for c in columns), columns
    rowids = selects[0] if len(selects) == 1 else union_all(*selects)
    return col(Document.id).in_(rowids)


def _text_condition(text: str, sqlite: bool = True, fts: bool = False) -> ColumnElement[bool]:
    """Customer name or tax id, CDC/CUF/CAE, the provider's number, and the document
    number ("001-001-0000123", or just 123).

    The shapes people paste are answered from indexes (BENCHMARKS.md, big table): a
    whole CDC, CUF or CAE is an equality on its index; a document number goes through
    the number index; a RUC-like text is a prefix of the customer's tax id. Other text
    is searched inside the text columns.

    `fts` (SQLite with the search indexes, `search_index_ready`): texts of three
    characters or more are looked up in the trigram indexes instead of scanning the
    table with LIKE. Same documents as the LIKE, with one deliberate difference: the
    index ignores the case of every letter (ñ/Ñ, á/Á) where SQLite's LIKE only ignores
    ASCII case, so "benítez" finds "BENÍTEZ" as on PostgreSQL (ILIKE with a UTF-8
    locale). Accents still count (a is not á), as with LIKE. Shorter texts scan with
    LIKE. Either way the text is matched as typed: % and _ are not wildcards.
    """
    if "\x00" in text:
        # SQLite reads a LIKE pattern or an FTS5 query only up to a NUL (the rest of
        # the text would be ignored, or the query refused); no text Lote stores holds one.
        return false()
    fts = fts and len(text) >= FTS_MIN_CHARS
    if _CDC_RE.match(text):
        return col(Document.cdc) == text
    if _CUF_RE.match(text) and not text.isdigit():
        return col(Document.cuf).in_(sorted({text, text.upper(), text.lower()}))
    if _CAE_RE.match(text):
        return col(Document.cae) == text
    parsed = parse_numero(text)
    if parsed is not None:
        est, punto, numero = parsed
        return _number_condition(est, punto, numero)
    if _NUMBER_PART_RE.match(text) or _TAX_ID_RE.match(text):
        conditions: list[ColumnElement[bool]] = [
            _starts_with(Document.customer_tax_id, text, sqlite),
            col(Document.provider_number) == text,
        ]
        if fts:
            # The index narrows to documents containing the text; the prefix and the
            # equality are then checked on those few rows only.
            conditions = [
                and_(
                    _in_search_index(("customer_tax_id", "provider_number"), text),
                    or_(*conditions),
                )
            ]
        if _NUMBER_PART_RE.match(text):
            conditions.append(_number_condition(None, None, int(text)))
        return or_(*conditions)
    columns = _TEXT_COLUMNS + (_CODE_COLUMNS if _CODE_PART_RE.match(text) else ())
    if fts:
        return _in_search_index(columns, text)
    return or_(*(_contains(getattr(Document, c), text, sqlite) for c in columns))


def search_index_ready(session: Session) -> bool:
    """Whether this SQLite database has the search indexes (migration 0006 skips them
    when the SQLite library lacks FTS5's trigram tokenizer). Asked at each search: a
    lookup in sqlite_master, microseconds."""
    names = sorted(SEARCH_INDEXES)
    found = session.exec(
        select(func.count())
        .select_from(table("sqlite_master", column("type"), column("name")))
        .where(column("type") == "table", column("name").in_(names))
    ).one()
    return found == len(names)


def _use_index(db: Database, session: Session, flt: DocumentFilter) -> bool:
    """Whether the text filter of `flt` (normalised) goes through the search indexes."""
    return (
        db.is_sqlite
        and flt.text is not None
        and len(flt.text) >= FTS_MIN_CHARS
        and search_index_ready(session)
    )


def _where(stmt, flt: DocumentFilter, sqlite: bool = True, fts: bool = False):
    if flt.states:
        stmt = stmt.where(col(Document.state).in_(list(flt.states)))
    if flt.profile_id is not None:
        stmt = stmt.where(Document.profile_id == flt.profile_id)
    if flt.date_from is not None:
        stmt = stmt.where(col(Document.fecha) >= datetime.combine(flt.date_from, time.min))
    if flt.date_to is not None:
        end = datetime.combine(flt.date_to + timedelta(days=1), time.min)
        stmt = stmt.where(col(Document.fecha) < end)
    if flt.lote_id is not None:
        in_lote_history = select(DocumentEvent.document_id).where(
            DocumentEvent.lote_id == flt.lote_id
        )
        stmt = stmt.where(
            or_(Document.lote_id == flt.lote_id, col(Document.id).in_(in_lote_history))
        )
    if flt.text:
        stmt = stmt.where(_text_condition(flt.text, sqlite, fts))
    return stmt


def _base(flt: DocumentFilter, *columns, sqlite: bool = True, fts: bool = False):
    stmt = select(*columns)
    if flt.sort == "proveedor":
        stmt = stmt.join(ProviderProfile, ProviderProfile.id == Document.profile_id)
    return _where(stmt, flt, sqlite, fts)


def _query(db: Database, session: Session, flt: DocumentFilter, *columns):
    """`_base` for this database: LIKE or ILIKE, or the search index where it exists."""
    return _base(flt, *columns, sqlite=db.is_sqlite, fts=_use_index(db, session, flt))


def document_search(db: Database, flt: DocumentFilter) -> list[int]:
    """Ids of the matching documents in the chosen order: the table's whole index."""
    flt = flt.normalised()
    exprs = [*_sort_exprs(flt.sort), col(Document.id)]
    order = [e.desc() if flt.descending else e.asc() for e in exprs]
    with db.session() as s:
        return list(s.exec(_query(db, s, flt, Document.id).order_by(*order)))


def document_count(db: Database, flt: DocumentFilter) -> int:
    flt = flt.normalised()
    with db.session() as s:
        return s.exec(_query(db, s, flt, func.count(col(Document.id)))).one()


def matching_ids(db: Database, flt: DocumentFilter, ids: Iterable[int]) -> set[int]:
    """Which of `ids` the filter lets through (the table asks about new documents)."""
    wanted = list(ids)
    if not wanted:
        return set()
    flt = flt.normalised()
    out: set[int] = set()
    with db.session() as s:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            out.update(s.exec(_query(db, s, flt, Document.id).where(col(Document.id).in_(chunk))))
    return out


def document_rank(db: Database, flt: DocumentFilter, doc_id: int) -> int | None:
    """How many matching documents come before `doc_id` in the filter's order (its row
    in a freshly read table), or None when it does not match."""
    flt = flt.normalised()
    exprs = [*_sort_exprs(flt.sort), col(Document.id)]
    with db.session() as s:
        values = s.exec(_query(db, s, flt, *exprs).where(Document.id == doc_id)).first()
        if values is None:
            return None
        values = (
            tuple(values)
            if isinstance(values, tuple | list) or hasattr(values, "_fields")
            else (values,)
        )
        mine = tuple_(*[literal(v) for v in values]) if len(exprs) > 1 else literal(values[0])
        key = tuple_(*exprs) if len(exprs) > 1 else exprs[0]
        before = key > mine if flt.descending else key < mine
        return s.exec(_query(db, s, flt, func.count(col(Document.id))).where(before)).one()


# -- lotes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoteRow:
    id: int
    profile: str
    provider: str
    provider_lote_id: str | None
    tipo_documento: int
    size: int
    state: str
    created_at: datetime
    finished_at: datetime | None
    code: str | None
    message: str | None
    approved: int = 0
    rejected: int = 0
    pending: int = 0
    returned: int = 0  # went back to the queue (the request never left, or was refused)


def _lote_outcomes(db: Database, lote_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per lote, how its documents ended *in that lote*: the state of each document's
    last event that names the lote (a document rejected in lote 3 and approved in lote
    7 counts as rejected in 3 and approved in 7)."""
    out: dict[int, dict[str, int]] = {}
    if not lote_ids:
        return out
    with db.session() as s:
        for start in range(0, len(lote_ids), 500):
            chunk = list(lote_ids[start : start + 500])
            last = (
                select(DocumentEvent.lote_id, func.max(DocumentEvent.id).label("last_id"))
                .where(col(DocumentEvent.lote_id).in_(chunk))
                .group_by(DocumentEvent.lote_id, DocumentEvent.document_id)
                .subquery()
            )
            stmt = (
                select(DocumentEvent.lote_id, DocumentEvent.to_state, func.count())
                .join(last, last.c.last_id == DocumentEvent.id)
                .group_by(DocumentEvent.lote_id, DocumentEvent.to_state)
            )
            for lote_id, state, n in s.exec(stmt):
                out.setdefault(lote_id, {})[state] = n
    return out


def lote_rows(
    db: Database, *, profile_id: int | None = None, limit: int | None = None
) -> list[LoteRow]:
    """Every lote sent, newest first, with its result counts."""
    stmt = (
        select(Lote, ProviderProfile.name, ProviderProfile.provider)
        .join(ProviderProfile, ProviderProfile.id == Lote.profile_id)
        .order_by(col(Lote.id).desc())
    )
    if profile_id is not None:
        stmt = stmt.where(Lote.profile_id == profile_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    with db.session() as s:
        found = list(s.exec(stmt))
    outcomes = _lote_outcomes(db, [lote.id for lote, _n, _p in found])
    rows = []
    for lote, name, provider in found:
        counts = outcomes.get(lote.id, {})
        rows.append(
            LoteRow(
                id=lote.id,
                profile=name,
                provider=provider,
                provider_lote_id=lote.provider_lote_id,
                tipo_documento=lote.tipo_documento,
                size=lote.size,
                state=lote.state,
                created_at=lote.created_at,
                finished_at=lote.finished_at,
                code=lote.code,
                message=lote.message,
                approved=sum(counts.get(s, 0) for s in APPROVED_STATES),
                rejected=counts.get(S.REJECTED.value, 0),
                pending=sum(
                    counts.get(s, 0) for s in (S.SENDING.value, S.SUBMITTED.value, S.UNKNOWN.value)
                ),
                returned=counts.get(S.QUEUED.value, 0),
            )
        )
    return rows


# -- dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLine:
    """One line of "by IVA rate": `rate` 10, 5, 13 ... or 0 for exentas."""

    rate: int
    gravada: Decimal
    iva: Decimal

    @property
    def total(self) -> Decimal:
        return self.gravada + self.iva


@dataclass(frozen=True)
class StateLine:
    state: str
    count: int
    total: Decimal


@dataclass(frozen=True)
class PeriodTotals:
    start: date
    end: date  # inclusive
    count: int
    total: Decimal
    rates: tuple[RateLine, ...]
    states: tuple[StateLine, ...]

    @property
    def iva_total(self) -> Decimal:
        return sum((r.iva for r in self.rates), Decimal(0))

    def rate(self, rate: int) -> RateLine:
        for line in self.rates:
            if line.rate == rate:
                return line
        return RateLine(rate, Decimal(0), Decimal(0))


@dataclass(frozen=True)
class DayTotals:
    day: date
    approved: Decimal
    pending: Decimal


@dataclass
class Dashboard:
    currency: str
    country: str
    today: PeriodTotals
    month: PeriodTotals
    days: list[DayTotals] = field(default_factory=list)
    #: Documents of the period in another currency (not added to the totals).
    other_currency: int = 0


def _period_where(
    stmt,
    start: date,
    end: date,
    currency: str,
    profile_id: int | None,
    states: Sequence[str] | None = SALE_STATES,
):
    stmt = stmt.where(
        col(Document.fecha) >= datetime.combine(start, time.min),
        col(Document.fecha) < datetime.combine(end + timedelta(days=1), time.min),
        Document.currency == currency,
    )
    if states is not None:
        stmt = stmt.where(col(Document.state).in_(list(states)))
    if profile_id is not None:
        stmt = stmt.where(Document.profile_id == profile_id)
    return stmt


def _dec(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _paraguay_rates(
    db: Database, start: date, end: date, currency: str, profile_id: int | None
) -> tuple[RateLine, ...]:
    """Gravada and IVA per rate from the items of the DE JSON, summed in SQL.

    Per item group (ivaTipo, ivaBase, iva) the line totals are added, then SIFEN's NT 13
    formulas (domain/totals.py) are applied once to the sum: IVA = T·p·r / (10000 + r·p),
    exenta share = 100·T·(100 − p) / (10000 + r·p). The formulas are linear in T, so
    this equals the sum of the exact per-document values; rounding happens once per
    period instead of once per document (a difference of at most 1 Gs per document).
    """
    places = CURRENCY_DECIMALS.get(currency, 2)
    gravada = {10: Decimal(0), 5: Decimal(0)}
    iva = {10: Decimal(0), 5: Decimal(0)}
    exenta = Decimal(0)
    for tipo, base, rate, total in _item_groups(db, start, end, currency, profile_id, places):
        t = _dec(total)
        tipo, base, rate = int(tipo or 1), int(base if base is not None else 100), int(rate or 0)
        if tipo in (1, 4) and rate in (5, 10):
            p, r = Decimal(min(max(base, 0), 100)), Decimal(rate)
            denominator = 10000 + r * p
            line_iva = t * p * r / denominator
            line_exenta = 100 * t * (100 - p) / denominator
            iva[rate] += line_iva
            gravada[rate] += t - line_iva - line_exenta
            exenta += line_exenta
        else:
            exenta += t
    return (
        RateLine(10, quantize(gravada[10], currency), quantize(iva[10], currency)),
        RateLine(5, quantize(gravada[5], currency), quantize(iva[5], currency)),
        RateLine(0, quantize(exenta, currency), Decimal(0)),
    )


def _item_groups(
    db: Database, start: date, end: date, currency: str, profile_id: int | None, places: int
) -> list[tuple[Any, Any, Any, Any]]:
    with db.session() as s:
        if db.is_sqlite:
            items = func.json_each(Document.payload, "$.items").table_valued("value").alias("i")
            value = items.c.value
            tipo = func.json_extract(value, "$.ivaTipo")
            base = func.json_extract(value, "$.ivaBase")
            rate = func.json_extract(value, "$.iva")
            line = func.round(
                func.json_extract(value, "$.cantidad")
                * func.json_extract(value, "$.precioUnitario"),
                places,
            )
            stmt = (
                select(tipo, base, rate, func.sum(line))
                .select_from(Document)
                .join(items, literal(True))
            )
            stmt = _period_where(stmt, start, end, currency, profile_id).group_by(tipo, base, rate)
            return [tuple(r) for r in s.exec(stmt)]
        # Other databases: the same sums in Python, a page of payloads at a time.
        import json

        groups: dict[tuple[int, int, int], Decimal] = {}
        stmt = _period_where(select(Document.payload), start, end, currency, profile_id)
        for payload in s.exec(stmt.execution_options(yield_per=500)):
            for item in json.loads(payload).get("items", []):
                key = (item.get("ivaTipo", 1), item.get("ivaBase", 100), item.get("iva", 10))
                amount = _dec(item.get("cantidad", 0)) * _dec(item.get("precioUnitario", 0))
                groups[key] = groups.get(key, Decimal(0)) + quantize(amount, currency)
        return [(*k, v) for k, v in groups.items()]


def _period(
    db: Database, start: date, end: date, currency: str, country: str, profile_id: int | None
) -> PeriodTotals:
    with db.session() as s:
        state_stmt = _period_where(
            select(
                Document.state, func.count(), func.sum(Document.total), func.sum(Document.iva_total)
            ),
            start,
            end,
            currency,
            profile_id,
            states=None,
        ).group_by(Document.state)
        by_state = list(s.exec(state_stmt))
    states = tuple(
        StateLine(state, n, _dec(total))
        for state, n, total, _iva in sorted(by_state, key=lambda r: STATE_ORDER.get(r[0], 99))
    )
    sales = [r for r in by_state if r[0] in SALE_STATES]
    count = sum(r[1] for r in sales)
    total = sum((_dec(r[2]) for r in sales), Decimal(0))
    if country == "PY":
        rates = _paraguay_rates(db, start, end, currency, profile_id)
    else:
        iva_total = sum((_dec(r[3]) for r in sales), Decimal(0))
        rate = 13 if country == "BO" else 21
        rates = (
            RateLine(rate, quantize(total - iva_total, currency), quantize(iva_total, currency)),
        )
    return PeriodTotals(start=start, end=end, count=count, total=total, rates=rates, states=states)


def dashboard(
    db: Database,
    *,
    profile_id: int | None = None,
    today: date | None = None,
    currency: str | None = None,
    country: str | None = None,
) -> Dashboard:
    """Today's and this month's sales by IVA rate and by state, and the month day by day.

    Amounts of documents in one currency only (the profile's, or the most used one):
    guaraníes and dollars are never added together."""
    today = today or date.today()
    month_start = today.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    month_end = next_month - timedelta(days=1)
    with db.session() as s:
        if country is None:
            if profile_id is not None:
                profile = s.get(ProviderProfile, profile_id)
                country = profile.country if profile else "PY"
            else:
                country = "PY"
        counted = select(Document.currency, func.count()).where(
            col(Document.fecha) >= datetime.combine(month_start, time.min),
            col(Document.fecha) < datetime.combine(next_month, time.min),
        )
        if profile_id is not None:
            counted = counted.where(Document.profile_id == profile_id)
        per_currency = dict(s.exec(counted.group_by(Document.currency)).all())
    if currency is None:
        default = {"PY": "PYG", "BO": "BOB", "AR": "ARS"}.get(country, "PYG")
        currency = (
            default
            if default in per_currency or not per_currency
            else max(per_currency, key=lambda c: per_currency[c])
        )
    other = sum(n for c, n in per_currency.items() if c != currency)

    with db.session() as s:
        day = func.date(Document.fecha)
        daily_stmt = _period_where(
            select(
                day,
                func.sum(
                    case(
                        (
                            col(Document.state).in_(APPROVED_STATES + (S.CANCEL_REQUESTED.value,)),
                            Document.total,
                        ),
                        else_=0,
                    )
                ),
                func.sum(case((col(Document.state).in_(PENDING_STATES), Document.total), else_=0)),
            ),
            month_start,
            month_end,
            currency,
            profile_id,
        ).group_by(day)
        found = {str(d): (a, p) for d, a, p in s.exec(daily_stmt)}
    days = []
    current = month_start
    while current <= month_end:
        approved, pending = found.get(current.isoformat(), (0, 0))
        days.append(DayTotals(current, _dec(approved), _dec(pending)))
        current += timedelta(days=1)
    return Dashboard(
        currency=currency,
        country=country,
        today=_period(db, today, today, currency, country, profile_id),
        month=_period(db, month_start, month_end, currency, country, profile_id),
        days=days,
        other_currency=other,
    )


# -- numbering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SequenceRow:
    tipo_documento: int
    establecimiento: str
    punto: str
    next_numero: int
    #: The highest number any document of this sequence carries (0 if none).
    highest_used: int


def number_sequences(db: Database, profile_id: int) -> list[SequenceRow]:
    """The numbering of a profile: each (tipo, establecimiento, punto) with its next
    number, whether it comes from the sequence table or only from documents."""
    with db.session() as s:
        seqs = {
            (q.tipo_documento, q.establecimiento, q.punto): q.next_numero
            for q in s.exec(select(NumberSequence).where(NumberSequence.profile_id == profile_id))
        }
        used = {
            (t, e, p): n
            for t, e, p, n in s.exec(
                select(
                    Document.tipo_documento,
                    Document.establecimiento,
                    Document.punto,
                    func.max(Document.numero),
                )
                .where(Document.profile_id == profile_id)
                .group_by(Document.tipo_documento, Document.establecimiento, Document.punto)
            )
        }
    keys = sorted(set(seqs) | set(used))
    return [
        SequenceRow(
            t, e, p, max(seqs.get((t, e, p), 1), used.get((t, e, p), 0) + 1), used.get((t, e, p), 0)
        )
        for t, e, p in keys
    ]


def approval_time(db: Database, doc_id: int) -> datetime | None:
    """When the authority approved the document (its last approval event), in UTC."""
    with db.session() as s:
        return s.exec(
            select(DocumentEvent.at)
            .where(
                DocumentEvent.document_id == doc_id,
                col(DocumentEvent.to_state).in_(list(APPROVED_STATES)),
            )
            .order_by(col(DocumentEvent.id).desc())
            .limit(1)
        ).first()


def rejected_among(db: Database, ids: Iterable[int]) -> set[int]:
    """Which of `ids` are rejected now (the tray's notification asks)."""
    wanted = list(ids)
    out: set[int] = set()
    with db.session() as s:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            out.update(
                s.exec(
                    select(Document.id).where(
                        col(Document.id).in_(chunk), Document.state == S.REJECTED.value
                    )
                )
            )
    return out
