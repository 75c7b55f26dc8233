"""The customer book and the product list: what the cashier picks from in the invoice
editor instead of typing it again.

Both are plain local tables, filled three ways: by hand (the Clientes and Productos
screens), from a CSV file, and by every saved invoice (`remember_customer`,
`remember_products`), so the book grows with the shop's own sales and each product
keeps its last price and IVA rate.

Search is accent- and case-insensitive ("perez" finds "Pérez"): each row keeps a
normalised `search_text`, since SQLite's LIKE folds ASCII letters only.

Tax ids are checked with the country's rule before they are stored (errors are values,
STYLE.md): a Paraguayan RUC's modulo-11 check digit (domain/ruc.py), an Argentine
CUIT's (domain/cuit.py), a Bolivian NIT's shape (domain/bolivia.py: a NIT has no public
check digit).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel, col, select

from desktop_app.domain.cuit import cuit_error, format_cuit, normalise_cuit
from desktop_app.domain.money import quantize, to_decimal
from desktop_app.domain.ruc import parse_ruc, ruc_error
from desktop_app.store.db import Database
from desktop_app.store.types import UTCDateTime, utcnow

#: Kinds of customer id per country: the first is the taxpayer id.
ID_KINDS: dict[str, tuple[str, ...]] = {
    "PY": ("RUC", "CI", "OTRO"),
    "BO": ("NIT", "CI", "OTRO"),
    "AR": ("CUIT", "DNI", "OTRO"),
}
TAXPAYER_KIND = {country: kinds[0] for country, kinds in ID_KINDS.items()}
#: IVA rates a Paraguayan product can carry (0 = exenta).
PRODUCT_IVA_RATES = (10, 5, 0)


def _utc(**kw) -> Column:
    return Column(UTCDateTime(), **kw)


class Customer(SQLModel, table=True):
    """One customer of the book. `tax_id` is stored normalised ("80012345-0")."""

    __tablename__ = "customer"
    __table_args__ = (UniqueConstraint("country", "kind", "tax_id", name="uq_customer_tax_id"),)

    id: int | None = Field(default=None, primary_key=True)
    country: str = "PY"
    kind: str = "RUC"
    tax_id: str
    name: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    search_text: str = ""
    last_used_at: datetime | None = Field(default=None, sa_column=_utc())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class Product(SQLModel, table=True):
    """One product or service with its last price (IVA included) and IVA rate."""

    __tablename__ = "product"
    __table_args__ = (UniqueConstraint("key", name="uq_product_key"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, index=True)
    description: str
    #: `description` normalised: one product per description, whatever its case.
    key: str
    price: Decimal = Field(sa_column=Column(Numeric(20, 4), nullable=False))
    iva: int = 10
    currency: str = "PYG"
    search_text: str = ""
    last_used_at: datetime | None = Field(default=None, sa_column=_utc())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


# models.py imports this module at its end (so the metadata has these tables); import
# it only now, after the tables above exist, so either module may be imported first.
from desktop_app.store.models import Document, DocumentEvent  # noqa: E402

# Indexes on tables of models.py that the screens of this release sort and filter by
# (migration 0003). Declared here, on the tables' own Column objects, so that the
# metadata Alembic compares with the database knows them.
Index("ix_document_fecha", Document.__table__.c.fecha)  # type: ignore[attr-defined]
Index("ix_document_event_lote_id", DocumentEvent.__table__.c.lote_id)  # type: ignore[attr-defined]


# -- normalising and checking ----------------------------------------------------------


def fold(text: str | None) -> str:
    """Lower case, no accents, single spaces: how the books are searched."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def normalise_tax_id(country: str, kind: str, tax_id: str) -> str:
    text = (tax_id or "").strip()
    if kind == "RUC":
        parsed = parse_ruc(text)
        return str(parsed) if parsed else text
    if kind == "CUIT":
        digits = normalise_cuit(text)
        return format_cuit(digits) if len(digits) == 11 and digits.isdigit() else text
    if kind in ("CI", "DNI", "NIT"):
        return text.replace(".", "").replace(" ", "")
    return text


def tax_id_problem(country: str, kind: str, tax_id: str) -> str | None:
    """Why `tax_id` cannot be a `kind` id of `country`, in Spanish; None when it can."""
    text = (tax_id or "").strip()
    if not text:
        return "Falta el número de documento."
    if kind == "RUC":
        return ruc_error(text)
    if kind == "CUIT":
        return cuit_error(text)
    if kind == "NIT":
        from desktop_app.domain.bolivia import nit_error

        problem = nit_error(text)
        return problem[0].upper() + problem[1:] if problem else None
    if kind == "CI" and country == "PY":
        if not text.replace(".", "").isdigit():
            return "Una cédula paraguaya lleva solo dígitos."
    if kind == "DNI" and not (
        text.replace(".", "").isdigit() and 7 <= len(text.replace(".", "")) <= 8
    ):
        return "Un DNI tiene 7 u 8 dígitos."
    if len(text) > 20:
        return "El número de documento admite como máximo 20 caracteres."
    return None


def customer_problems(country: str, kind: str, tax_id: str, name: str) -> dict[str, str]:
    """Field -> Spanish message, for the customer form and the CSV import."""
    problems: dict[str, str] = {}
    if kind not in ID_KINDS.get(country, ()):
        problems["kind"] = f"El tipo de documento «{kind}» no corresponde a {country}."
    else:
        problem = tax_id_problem(country, kind, tax_id)
        if problem:
            problems["tax_id"] = problem
    if not 4 <= len((name or "").strip()) <= 255:
        problems["name"] = "El nombre o razón social debe tener entre 4 y 255 caracteres."
    return problems


def product_problems(description: str, price: Decimal | None, iva: int) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not 1 <= len((description or "").strip()) <= 2000:
        problems["description"] = "La descripción debe tener entre 1 y 2000 caracteres."
    if price is None:
        problems["price"] = "El precio no es un número."
    elif price < 0:
        problems["price"] = "El precio no puede ser negativo."
    if iva not in PRODUCT_IVA_RATES:
        problems["iva"] = "El IVA debe ser 10, 5 o 0 (exenta)."
    return problems


def _customer_search_text(c: Customer) -> str:
    return fold(" ".join(filter(None, (c.name, c.tax_id, c.email, c.phone))))


def _like(text: str) -> str:
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# -- customers ---------------------------------------------------------------------------


def search_customers(
    db: Database, text: str = "", *, country: str | None = None, limit: int = 500
) -> list[Customer]:
    """Customers matching `text` in name, tax id, email or phone: recently used first."""
    stmt = select(Customer)
    if country:
        stmt = stmt.where(Customer.country == country)
    if text.strip():
        stmt = stmt.where(col(Customer.search_text).like(_like(text), escape="\\"))
    stmt = stmt.order_by(
        col(Customer.last_used_at).desc().nulls_last(), col(Customer.search_text), col(Customer.id)
    ).limit(limit)
    with db.session() as s:
        return list(s.exec(stmt))


def _count(db: Database, table: type[Customer] | type[Product]) -> int:
    from sqlalchemy import func

    with db.session() as s:
        return s.exec(select(func.count()).select_from(table)).one()


def _get(db: Database, table: type[Customer] | type[Product], row_id: int) -> Any:
    with db.session() as s:
        return s.get(table, row_id)


def count_customers(db: Database) -> int:
    return _count(db, Customer)


def get_customer(db: Database, customer_id: int) -> Customer | None:
    return _get(db, Customer, customer_id)


def find_customer(db: Database, country: str, kind: str, tax_id: str) -> Customer | None:
    normal = normalise_tax_id(country, kind, tax_id)
    with db.session() as s:
        return s.exec(
            select(Customer).where(
                Customer.country == country, Customer.kind == kind, Customer.tax_id == normal
            )
        ).first()


class BookError(ValueError):
    """A row the book refuses; `problems` maps field -> Spanish message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def save_customer(
    db: Database,
    *,
    country: str,
    kind: str,
    tax_id: str,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    customer_id: int | None = None,
) -> int:
    """Insert or update one customer (checked first); its id. Raises `BookError`.

    Without `customer_id`, a customer with the same country, kind and tax id is updated
    rather than duplicated."""
    problems = customer_problems(country, kind, tax_id, name)
    if problems:
        raise BookError(problems)
    normal = normalise_tax_id(country, kind, tax_id)
    with db.write() as s:
        same = s.exec(
            select(Customer).where(
                Customer.country == country, Customer.kind == kind, Customer.tax_id == normal
            )
        ).first()
        if customer_id is not None:
            row = s.get(Customer, customer_id)
            if row is None:
                raise BookError({"": "El cliente ya no existe."})
            if same is not None and same.id != customer_id:
                raise BookError(
                    {"tax_id": f"Ya hay un cliente con el {kind} {normal}: {same.name}."}
                )
        else:
            row = same or Customer(country=country, kind=kind, tax_id=normal, name=name)
        row.country, row.kind, row.tax_id, row.name = country, kind, normal, name.strip()
        row.email = (email or "").strip() or None
        row.phone = (phone or "").strip() or None
        row.address = (address or "").strip() or None
        row.search_text = _customer_search_text(row)
        row.updated_at = utcnow()
        s.add(row)
        s.flush()
        assert row.id is not None
        return row.id


def delete_customer(db: Database, customer_id: int) -> bool:
    """Forget a customer (their documents keep their own copy of the data)."""
    with db.write() as s:
        row = s.get(Customer, customer_id)
        if row is None:
            return False
        s.delete(row)
        return True


def remember_customer(
    db: Database,
    *,
    country: str,
    kind: str,
    tax_id: str,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
) -> int | None:
    """After an invoice is saved: add the customer to the book, or refresh its name and
    last use. Silently skips what the book would refuse (an anonymous sale)."""
    if customer_problems(country, kind, tax_id, name):
        return None
    normal = normalise_tax_id(country, kind, tax_id)
    with db.write() as s:
        row = s.exec(
            select(Customer).where(
                Customer.country == country, Customer.kind == kind, Customer.tax_id == normal
            )
        ).first()
        if row is None:
            row = Customer(country=country, kind=kind, tax_id=normal, name=name.strip())
        row.name = name.strip()
        for attr, value in (("email", email), ("phone", phone), ("address", address)):
            if value:
                setattr(row, attr, value.strip())
        row.last_used_at = row.updated_at = utcnow()
        row.search_text = _customer_search_text(row)
        s.add(row)
        s.flush()
        return row.id


# -- products ----------------------------------------------------------------------------


def search_products(db: Database, text: str = "", *, limit: int = 500) -> list[Product]:
    """Products matching `text` in code or description: recently sold first."""
    stmt = select(Product)
    if text.strip():
        stmt = stmt.where(col(Product.search_text).like(_like(text), escape="\\"))
    stmt = stmt.order_by(
        col(Product.last_used_at).desc().nulls_last(), col(Product.key), col(Product.id)
    ).limit(limit)
    with db.session() as s:
        return list(s.exec(stmt))


def count_products(db: Database) -> int:
    return _count(db, Product)


def get_product(db: Database, product_id: int) -> Product | None:
    return _get(db, Product, product_id)


def find_product(db: Database, description: str) -> Product | None:
    with db.session() as s:
        return s.exec(select(Product).where(Product.key == fold(description))).first()


def save_product(
    db: Database,
    *,
    description: str,
    price: Decimal | None,
    iva: int,
    code: str | None = None,
    currency: str = "PYG",
    product_id: int | None = None,
) -> int:
    """Insert or update one product (checked first); its id. Raises `BookError`."""
    problems = product_problems(description, price, iva)
    if problems:
        raise BookError(problems)
    assert price is not None
    key = fold(description)
    with db.write() as s:
        same = s.exec(select(Product).where(Product.key == key)).first()
        if product_id is not None:
            row = s.get(Product, product_id)
            if row is None:
                raise BookError({"": "El producto ya no existe."})
            if same is not None and same.id != product_id:
                raise BookError({"description": f"Ya existe el producto «{same.description}»."})
        else:
            row = same or Product(description=description, key=key, price=price)
        row.description = " ".join(description.split())
        row.key = key
        row.code = (code or "").strip() or None
        row.price = quantize(price, currency)
        row.iva = iva
        row.currency = currency
        row.search_text = fold(f"{row.code or ''} {row.description}")
        row.updated_at = utcnow()
        s.add(row)
        s.flush()
        assert row.id is not None
        return row.id


def delete_product(db: Database, product_id: int) -> bool:
    with db.write() as s:
        row = s.get(Product, product_id)
        if row is None:
            return False
        s.delete(row)
        return True


@dataclass(frozen=True)
class SoldItem:
    description: str
    price: Decimal
    iva: int
    code: str | None = None
    currency: str = "PYG"


def remember_products(db: Database, items: Iterable[SoldItem]) -> None:
    """After an invoice is saved: each item's product gets its last price and rate."""
    stamp = utcnow()
    with db.write() as s:
        for item in items:
            if product_problems(item.description, item.price, item.iva):
                continue
            key = fold(item.description)
            row = s.exec(select(Product).where(Product.key == key)).first()
            if row is None:
                row = Product(
                    description=" ".join(item.description.split()), key=key, price=item.price
                )
            row.price = quantize(item.price, item.currency)
            row.iva = item.iva
            row.currency = item.currency
            if item.code:
                row.code = item.code
            row.search_text = fold(f"{row.code or ''} {row.description}")
            row.last_used_at = row.updated_at = stamp
            s.add(row)


# -- CSV import --------------------------------------------------------------------------


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    #: (spreadsheet row number, Spanish message); the header is row 1.
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.added + self.updated


_CUSTOMER_COLUMNS: dict[str, tuple[str, ...]] = {
    "tax_id": (
        "ruc",
        "nit",
        "cuit",
        "documento",
        "numero_documento",
        "cedula",
        "ci",
        "dni",
        "tax_id",
    ),
    "kind": ("tipo", "tipo_documento", "kind"),
    "name": ("razon_social", "nombre", "cliente", "name"),
    "email": ("email", "correo", "e_mail"),
    "phone": ("telefono", "celular", "phone"),
    "address": ("direccion", "domicilio", "address"),
    "country": ("pais", "country"),
}
_PRODUCT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("codigo", "code", "sku"),
    "description": ("descripcion", "producto", "nombre", "description"),
    "price": ("precio", "precio_unitario", "price"),
    "iva": ("iva", "tasa_iva", "impuesto"),
}


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")


def _read_rows(source: str | Path) -> list[dict[str, str]]:
    """Rows of a CSV file (path) or text, keyed by normalised header; delimiter sniffed
    (a comma, a semicolon as spreadsheets in Spanish write, or a tab)."""
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and Path(source).exists()
    ):
        raw = Path(source).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    else:
        text = str(source)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = list(reader)
    if not rows:
        return []
    header = [_header_key(h) for h in rows[0]]
    return [dict(zip(header, (v.strip() for v in r), strict=False)) for r in rows[1:]]


def _pick(row: dict[str, str], names: Sequence[str]) -> str:
    for name in names:
        if row.get(name):
            return row[name]
    return ""


def _has_any(rows: list[dict[str, str]], names: Sequence[str]) -> bool:
    return bool(rows) and any(name in rows[0] for name in names)


def guess_kind(country: str, tax_id: str) -> str:
    """The kind of a bare id: a RUC has its dash and check digit, a CUIT 11 digits."""
    text = tax_id.strip()
    if country == "PY":
        return "RUC" if parse_ruc(text) and "-" in text else "CI"
    if country == "AR":
        return "CUIT" if len(normalise_cuit(text)) == 11 else "DNI"
    if country == "BO":
        return "NIT"
    return "OTRO"


def import_customers_csv(db: Database, source: str | Path, *, country: str = "PY") -> ImportReport:
    """Add or update customers from a CSV file; every bad row is reported with its row
    number and the good ones are imported."""
    report = ImportReport()
    rows = _read_rows(source)
    if not rows:
        report.errors.append((1, "El archivo está vacío."))
        return report
    missing = [k for k in ("tax_id", "name") if not _has_any(rows, _CUSTOMER_COLUMNS[k])]
    if missing:
        names = {"tax_id": "ruc (o documento, nit, cuit)", "name": "razon_social (o nombre)"}
        report.errors.append((1, "Faltan las columnas: " + ", ".join(names[m] for m in missing)))
        return report
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        row_country = (_pick(row, _CUSTOMER_COLUMNS["country"]) or country).upper()[:2]
        tax_id = _pick(row, _CUSTOMER_COLUMNS["tax_id"])
        kind = _pick(row, _CUSTOMER_COLUMNS["kind"]).upper() or guess_kind(row_country, tax_id)
        name = _pick(row, _CUSTOMER_COLUMNS["name"])
        if row_country not in ID_KINDS:
            report.errors.append((number, f"País «{row_country}» desconocido (PY, BO o AR)."))
            continue
        existed = find_customer(db, row_country, kind, tax_id) is not None
        try:
            save_customer(
                db,
                country=row_country,
                kind=kind,
                tax_id=tax_id,
                name=name,
                email=_pick(row, _CUSTOMER_COLUMNS["email"]),
                phone=_pick(row, _CUSTOMER_COLUMNS["phone"]),
                address=_pick(row, _CUSTOMER_COLUMNS["address"]),
            )
        except BookError as exc:
            report.errors.append((number, " ".join(exc.problems.values())))
            continue
        if existed:
            report.updated += 1
        else:
            report.added += 1
    return report


def parse_price(text: str) -> Decimal | None:
    """A price as a spreadsheet writes it: "110000", "110.000" (Paraguayan thousands),
    "1.234,50" or "1234.50"."""
    t = text.strip().replace(" ", "").replace("\u00a0", "").removeprefix("Gs.").strip()
    if not t:
        return None
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", t):
        t = t.replace(".", "")
    return to_decimal(t)


def parse_iva(text: str) -> int | None:
    t = fold(text).replace("%", "").strip()
    if t in ("exenta", "exento", "exe", "0", ""):
        return 0 if t else None
    try:
        value = int(Decimal(t))
    except Exception:
        return None
    return value if value in PRODUCT_IVA_RATES else None


def import_products_csv(db: Database, source: str | Path) -> ImportReport:
    report = ImportReport()
    rows = _read_rows(source)
    if not rows:
        report.errors.append((1, "El archivo está vacío."))
        return report
    missing = [k for k in ("description", "price") if not _has_any(rows, _PRODUCT_COLUMNS[k])]
    if missing:
        names = {"description": "descripcion", "price": "precio"}
        report.errors.append((1, "Faltan las columnas: " + ", ".join(names[m] for m in missing)))
        return report
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        description = _pick(row, _PRODUCT_COLUMNS["description"])
        price_text = _pick(row, _PRODUCT_COLUMNS["price"])
        iva_text = _pick(row, _PRODUCT_COLUMNS["iva"]) or "10"
        iva = parse_iva(iva_text)
        if iva is None:
            report.errors.append((number, f"IVA «{iva_text}»: debe ser 10, 5 o exenta (0)."))
            continue
        existed = find_product(db, description) is not None
        try:
            save_product(
                db,
                description=description,
                price=parse_price(price_text),
                iva=iva,
                code=_pick(row, _PRODUCT_COLUMNS["code"]),
            )
        except BookError as exc:
            report.errors.append((number, " ".join(exc.problems.values())))
            continue
        if existed:
            report.updated += 1
        else:
            report.added += 1
    return report
