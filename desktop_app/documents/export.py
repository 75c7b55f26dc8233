"""Exports: the documents table, a lote's results, the monthly sales book, and the
import format back (CSV or XLSX, by the file's extension; see `spreadsheet.write_table`).

- `export_documents`: the table's columns for the documents the table's filter shows
  (states and search text, as `store.queries.document_ids`), newest first.
- `export_lote`: the same columns for the documents of one lote (a provider's answer per
  document: state, code, message, CDC/CUF/CAE).
- `libro_ventas`: the monthly sales book (libro de ventas): one row per *valid* document
  of the month — approved, approved with observations, or approved with a cancellation
  still pending (it stays valid until the authority approves the cancellation) — with
  the taxed amount and the IVA per rate, the exempt amount and the total; credit notes
  subtract. Rejected, cancelled, voided and not-yet-approved documents are not part of
  the book: the file says how many were left out and why. Amounts in guaraníes are
  integers; every XLSX amount is a number with a thousands format.
- `export_for_import`: documents written back in the country's import format
  (`domain.paraguay_csv` / `bolivia_csv` / `argentina_csv` columns), so that a file
  exported here imports again as the same documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from desktop_app.documents.printable import StoredDocument, load_document, state_label
from desktop_app.documents.spreadsheet import Column, write_table
from desktop_app.domain.money import CURRENCY_DECIMALS
from desktop_app.domain.states import DocState
from desktop_app.store.db import Database
from desktop_app.store.models import Document, Lote
from desktop_app.store.queries import DocumentRow, document_ids, rows_by_ids

PAGE = 500


def _decimals(currency: str) -> int:
    return CURRENCY_DECIMALS.get(currency, 2)


def _amount(value: Decimal, currency: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-_decimals(currency)))


# -- the documents table ----------------------------------------------------------------------

TABLE_COLUMNS = (
    Column("Número", width=22),
    Column("Fecha", "datetime", width=20),
    Column("Cliente", width=34),
    Column("Documento", width=16),
    Column("Moneda", width=8),
    Column("Total", "amount", width=16),
    Column("IVA", "amount", width=14),
    Column("Estado", width=18),
    Column("Código", width=10),
    Column("Mensaje", width=40),
    Column("Lote", width=20),
    Column("CDC / CUF / CAE", width=50),
    Column("Vto. CAE", width=12),
    Column("Perfil", width=16),
    Column("Referencia", width=20),
)


def _table_row(row: DocumentRow) -> list[Any]:
    return [
        row.numero,
        row.fecha,
        row.customer_name,
        row.customer_tax_id,
        row.currency,
        _amount(row.total, row.currency),
        _amount(row.iva_total, row.currency),
        state_label(row.state, row.processing),
        row.code,
        row.message,
        row.lote,
        row.cdc or row.cuf or row.cae,
        row.cae_expiry,
        row.profile,
        row.external_ref,
    ]


def _rows_of(db: Database, ids: Sequence[int]) -> Iterator[list[Any]]:
    for start in range(0, len(ids), PAGE):
        chunk = ids[start : start + PAGE]
        found = rows_by_ids(db, chunk)
        for doc_id in chunk:
            if doc_id in found:
                yield _table_row(found[doc_id])


def export_documents(
    db: Database,
    path: str | Path,
    *,
    states: Sequence[str] | None = None,
    text: str | None = None,
    profile_id: int | None = None,
) -> int:
    """The documents the table shows with this filter, as CSV or XLSX. Returns the count."""
    ids = document_ids(db, states=states, text=text, profile_id=profile_id)
    return write_table(path, TABLE_COLUMNS, _rows_of(db, ids), sheet_title="Documentos")


def export_lote(db: Database, lote: int | str, path: str | Path) -> int:
    """The documents of one lote and their results. `lote` is Lote's id (an int) or the
    provider's lote number (a string, as shown in the table). LookupError if unknown."""
    with db.session() as s:
        stmt = select(Lote.id)
        if isinstance(lote, int):
            stmt = stmt.where(Lote.id == lote)
        else:
            stmt = stmt.where(Lote.provider_lote_id == lote.strip())
        lote_ids = list(s.exec(stmt))
        if not lote_ids:
            raise LookupError(f"no existe el lote {lote}")
        ids = list(
            s.exec(
                select(Document.id)
                .where(col(Document.lote_id).in_(lote_ids))
                .order_by(col(Document.numero), col(Document.id))
            )
        )
    return write_table(
        path, TABLE_COLUMNS, _rows_of(db, [i for i in ids if i is not None]), sheet_title="Lote"
    )


# -- the sales book -------------------------------------------------------------------------

#: States whose documents are valid sales: part of the book.
BOOK_STATES = (
    DocState.APPROVED.value,
    DocState.APPROVED_WITH_OBSERVATIONS.value,
    DocState.CANCEL_REQUESTED.value,
)
#: Document types that subtract: notas de crédito (SIFEN 5; AFIP 3, 8, 13).
CREDIT_NOTES = {"PY": frozenset({5}), "AR": frozenset({3, 8, 13}), "BO": frozenset()}
_PY_TIPOS = {
    1: "Factura",
    4: "Autofactura",
    5: "Nota de crédito",
    6: "Nota de débito",
    7: "Nota de remisión",
}


@dataclass
class BookAmounts:
    """One document's amounts by IVA rate (rates as Decimal: 10, 5, 13, 21, 10.5...)."""

    gravada: dict[Decimal, Decimal] = field(default_factory=dict)
    iva: dict[Decimal, Decimal] = field(default_factory=dict)
    exentas: Decimal = Decimal(0)
    otros: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    exact: bool = True  # False: read from the summary columns only


@dataclass
class SalesBook:
    path: Path
    year: int
    month: int
    documents: int
    totals: dict[str, BookAmounts]  # by currency
    excluded: dict[str, int]  # state label -> count
    approximate: int = 0  # documents whose payload could not be read (summary amounts)

    def excluded_text(self) -> str:
        if not self.excluded:
            return "No se excluyó ningún documento del mes."
        parts = [f"{label}: {n}" for label, n in sorted(self.excluded.items())]
        return "Excluidos del libro (no son ventas válidas): " + ", ".join(parts) + "."


def book_amounts(doc: StoredDocument) -> BookAmounts:
    """The document's amounts for the book, from its payload through its country's
    rules; the summary columns when the payload cannot be read."""
    try:
        if doc.country == "PY":
            return _py_amounts(doc)
        if doc.country == "AR":
            return _ar_amounts(doc)
        if doc.country == "BO":
            return _bo_amounts(doc)
    except (ValueError, KeyError, TypeError):
        pass
    return BookAmounts(total=doc.total, exact=False)


def _py_amounts(doc: StoredDocument) -> BookAmounts:
    from desktop_app.domain.document import document_from_json
    from desktop_app.domain.totals import document_totals

    de, _ = document_from_json(doc.payload)
    if de is None:
        raise ValueError("payload")
    t = document_totals(de)
    return BookAmounts(
        gravada={Decimal(10): t.gravada_10, Decimal(5): t.gravada_5},
        iva={Decimal(10): t.iva_10, Decimal(5): t.iva_5},
        exentas=t.exenta,
        total=t.total,
    )


def _ar_amounts(doc: StoredDocument) -> BookAmounts:
    from desktop_app.domain import argentina

    parsed, _ = argentina.document_from_json(doc.payload)
    if parsed is None:
        raise ValueError("payload")
    t = argentina.document_totals(parsed)
    out = BookAmounts(exentas=t.exento + t.no_gravado, otros=t.tributos, total=t.total)
    for line in t.iva:
        out.gravada[line.alicuota] = out.gravada.get(line.alicuota, Decimal(0)) + line.base
        out.iva[line.alicuota] = out.iva.get(line.alicuota, Decimal(0)) + line.importe
    if argentina.letter_of(parsed.comprobante.tipo) == "C":
        out.exentas += t.neto_gravado  # a C carries no IVA: its whole net is untaxed
    return out


def _bo_amounts(doc: StoredDocument) -> BookAmounts:
    from desktop_app.domain import bolivia

    invoice, _ = bolivia.invoice_from_json(doc.payload)
    if invoice is None:
        raise ValueError("payload")
    total = invoice.total
    iva = bolivia.iva_included(total)
    rate = bolivia.IVA_RATE
    return BookAmounts(gravada={rate: total - iva}, iva={rate: iva}, total=total)


def _scaled(amounts: BookAmounts, sign: int) -> BookAmounts:
    if sign == 1:
        return amounts
    return BookAmounts(
        {r: -v for r, v in amounts.gravada.items()},
        {r: -v for r, v in amounts.iva.items()},
        -amounts.exentas,
        -amounts.otros,
        -amounts.total,
        amounts.exact,
    )


def _add(into: BookAmounts, amounts: BookAmounts) -> None:
    for rate, value in amounts.gravada.items():
        into.gravada[rate] = into.gravada.get(rate, Decimal(0)) + value
    for rate, value in amounts.iva.items():
        into.iva[rate] = into.iva.get(rate, Decimal(0)) + value
    into.exentas += amounts.exentas
    into.otros += amounts.otros
    into.total += amounts.total


def _rate_text(rate: Decimal) -> str:
    text = format(rate.normalize(), "f")
    return text.replace(".", ",") + " %"


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    if not 1 <= month <= 12:
        raise ValueError(f"mes inválido: {month}")
    start = datetime(year, month, 1)
    end = datetime(year + (month == 12), month % 12 + 1, 1)
    return start, end


def libro_ventas(
    db: Database, year: int, month: int, path: str | Path, *, profile_id: int | None = None
) -> SalesBook:
    """Write the sales book of `month`/`year` (by the document's date) and return what
    it holds. Without `profile_id` every profile's documents are included."""
    start, end = _month_bounds(year, month)
    with db.session() as s:
        stmt = select(Document.id, Document.state).where(
            Document.fecha >= start, Document.fecha < end
        )
        if profile_id is not None:
            stmt = stmt.where(Document.profile_id == profile_id)
        found = list(s.exec(stmt.order_by(col(Document.fecha), col(Document.id))))
    excluded: dict[str, int] = {}
    docs: list[StoredDocument] = []
    for doc_id, state in found:
        assert doc_id is not None
        if state in BOOK_STATES:
            docs.append(load_document(db, doc_id))
        else:
            label = state_label(state)
            excluded[label] = excluded.get(label, 0) + 1
    entries = []
    for doc in docs:
        sign = -1 if doc.tipo_documento in CREDIT_NOTES.get(doc.country, frozenset()) else 1
        entries.append((doc, _scaled(book_amounts(doc), sign)))
    rates = sorted({r for _, a in entries for r in (*a.gravada, *a.iva)}, reverse=True)
    if any(d.country == "PY" for d, _ in entries) or not entries:
        rates = sorted(set(rates) | {Decimal(10), Decimal(5)}, reverse=True)
    with_otros = any(a.otros for _, a in entries)
    columns = [
        Column("Fecha", "datetime", width=20),
        Column("Tipo", width=18),
        Column("Número", width=22),
        Column("CDC / CUF / CAE", width=50),
        Column("Cliente", width=32),
        Column("RUC / documento", width=16),
        Column("Moneda", width=8),
        Column("Estado", width=16),
    ]
    for rate in rates:
        columns += [
            Column(f"Gravada {_rate_text(rate)}", "amount", width=15),
            Column(f"IVA {_rate_text(rate)}", "amount", width=13),
        ]
    columns.append(Column("Exentas", "amount", width=14))
    if with_otros:
        columns.append(Column("Otros tributos", "amount", width=14))
    columns.append(Column("Total", "amount", width=16))

    def amounts_cells(a: BookAmounts, currency: str) -> list[Any]:
        cells: list[Any] = []
        for rate in rates:
            cells += [
                _amount(a.gravada.get(rate, Decimal(0)), currency),
                _amount(a.iva.get(rate, Decimal(0)), currency),
            ]
        cells.append(_amount(a.exentas, currency))
        if with_otros:
            cells.append(_amount(a.otros, currency))
        cells.append(_amount(a.total, currency))
        return cells

    totals: dict[str, BookAmounts] = {}
    rows: list[list[Any]] = []
    for doc, a in entries:
        _add(totals.setdefault(doc.currency, BookAmounts()), a)
        rows.append(
            [
                doc.fecha,
                _tipo_text(doc),
                _number_text(doc),
                doc.cdc or doc.cuf or doc.cae,
                doc.customer_name,
                doc.customer_tax_id,
                doc.currency,
                state_label(doc.state),
                *amounts_cells(a, doc.currency),
            ]
        )
    footer: list[list[Any]] = []
    for currency, total in sorted(totals.items()):
        footer.append(
            [
                None,
                f"TOTAL {currency}",
                None,
                None,
                None,
                None,
                currency,
                None,
                *amounts_cells(total, currency),
            ]
        )
    approximate = sum(1 for _, a in entries if not a.exact)
    book = SalesBook(Path(path), year, month, len(entries), totals, excluded, approximate)
    footer.append([])
    footer.append([None, book.excluded_text()])
    if approximate:
        footer.append(
            [
                None,
                f"{approximate} documento(s) con importes tomados del resumen "
                "(sin desglose por tasa): revise sus datos.",
            ]
        )
    write_table(
        path, columns, rows, sheet_title=f"Libro de ventas {month:02d}-{year}", footer=footer
    )
    return book


def _tipo_text(doc: StoredDocument) -> str:
    if doc.country == "PY":
        return _PY_TIPOS.get(doc.tipo_documento, str(doc.tipo_documento))
    if doc.country == "AR":
        from desktop_app.domain import argentina

        return argentina.COMPROBANTE_TIPOS.get(doc.tipo_documento, str(doc.tipo_documento)).title()
    return "Factura"


def _number_text(doc: StoredDocument) -> str:
    from desktop_app.domain.country import rules_for

    if doc.country == "BO" and doc.provider_number:
        return doc.provider_number
    if doc.country == "AR" and doc.provider_number:
        return doc.provider_number
    try:
        return rules_for(doc.country).display_number(
            doc.tipo_documento, doc.establecimiento, doc.punto, doc.numero
        )
    except (ValueError, KeyError):
        return str(doc.numero)


# -- back to the import format ---------------------------------------------------------------


class MixedCountries(ValueError):
    pass


def export_for_import(db: Database, path: str | Path, ids: Iterable[int]) -> int:
    """Write documents `ids` in their country's import format (one row per item).
    Returns the number of rows. All documents must be of one country."""
    docs = [load_document(db, i) for i in ids]
    countries = {d.country for d in docs}
    if len(countries) > 1:
        raise MixedCountries(
            "Exporte los documentos de un país por archivo: " + ", ".join(sorted(countries)) + "."
        )
    country = countries.pop() if countries else "PY"
    writer = {"PY": _py_import_rows, "BO": _bo_import_rows, "AR": _ar_import_rows}[country]
    columns, rows = writer(docs)
    return write_table(path, [Column(c, width=18) for c in columns], rows, sheet_title="Importar")


def _number_cell(value: Any) -> Any:
    """Amounts and quantities as Decimal (numbers in XLSX, "1,5" in CSV); a value with
    exactly three decimals gets a fourth zero so that "1,234" is not read as a thousand."""
    if value is None or value == "":
        return None
    d = Decimal(str(value))
    if d == d.to_integral_value():
        return Decimal(int(d))
    d = d.normalize()
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent == -3:
        d = d.quantize(Decimal("0.0001"))
    return d


def _py_import_rows(docs: list[StoredDocument]) -> tuple[list[str], list[list[Any]]]:
    from desktop_app.domain import paraguay_csv
    from desktop_app.domain.document import document_from_json

    columns = list(paraguay_csv.COLUMNS)
    rows: list[list[Any]] = []
    for doc in docs:
        de, errors = document_from_json(doc.payload)
        if de is None:
            raise ValueError(f"el documento {doc.id} no se puede leer: {errors}")
        cli = de.cliente
        head: dict[str, Any] = {
            "documento": doc.external_ref or f"{doc.establecimiento}-{doc.punto}-{doc.numero}",
            "fecha": de.fecha.strftime("%Y-%m-%d %H:%M:%S"),
            "tipo_documento": str(de.tipo_documento),
            "establecimiento": de.establecimiento,
            "punto": de.punto,
            "numero": str(de.numero if de.numero is not None else doc.numero),
            "moneda": de.moneda,
            "cambio": _number_cell(de.extra.get("cambio")),
            "condicion": "credito" if de.condicion_tipo == 2 else "contado",
            "cliente_razon_social": cli.razon_social,
            "cliente_email": cli.email,
            "cliente_direccion": cli.direccion,
            "cliente_telefono": cli.telefono,
            "cliente_tipo_operacion": str(cli.tipo_operacion),
        }
        asociado = de.extra.get("documentoAsociado")
        if isinstance(asociado, dict) and asociado.get("cdc"):
            head["documento_asociado_cdc"] = asociado["cdc"]
        if de.condicion_tipo == 2 and de.credito:
            head["credito_plazo"] = de.credito.get("plazo")
            if de.credito.get("cuotas"):
                head["credito_cuotas"] = str(de.credito["cuotas"])
        elif de.entregas:
            head["pago_tipo"] = str(de.entregas[0].tipo)
        if cli.contribuyente:
            head["cliente_ruc"] = cli.ruc
        else:  # an innominado keeps its tipo 5 and its "Sin Nombre"
            head["cliente_documento_tipo"] = str(cli.documento_tipo or 1)
            head["cliente_documento_numero"] = cli.documento_numero
        for n, item in enumerate(de.items):
            line: dict[str, Any] = dict(head) if n == 0 else {"documento": head["documento"]}
            if item.iva_tipo in (1, 4):
                line["item_iva"] = str(item.iva)
                if item.iva_tipo == 4:
                    line["item_iva_proporcion"] = str(item.iva_base)
            else:
                line["item_iva"] = "exonerada" if item.iva_tipo == 2 else "exenta"
            line.update(
                {
                    "item_codigo": item.codigo,
                    "item_descripcion": item.descripcion,
                    "item_cantidad": _number_cell(item.cantidad),
                    "item_precio_unitario": _number_cell(item.precio_unitario),
                    "item_unidad_medida": str(item.unidad_medida),
                }
            )
            rows.append([line.get(c) for c in columns])
    return columns, rows


def _bo_import_rows(docs: list[StoredDocument]) -> tuple[list[str], list[list[Any]]]:
    from desktop_app.domain import bolivia, bolivia_csv

    columns = list(bolivia_csv.COLUMNS)
    rows: list[list[Any]] = []
    for doc in docs:
        invoice, errors = bolivia.invoice_from_json(doc.payload)
        if invoice is None:
            raise ValueError(f"el documento {doc.id} no se puede leer: {errors}")
        data = bolivia.invoice_to_json(invoice)
        local = data.get(bolivia.LOCAL_KEY, {})
        head: dict[str, Any] = {"documento": doc.external_ref or f"{doc.punto}-{doc.numero}"}
        for column, (key, _, _kind) in bolivia_csv.HEADER_COLUMNS.items():
            value = (
                local.get(key.split(".", 1)[1])
                if key.startswith(f"{bolivia.LOCAL_KEY}.")
                else data.get(key)
            )
            head[column] = None if value is None else str(value)
        for n, detail in enumerate(data["details"]):
            line: dict[str, Any] = dict(head) if n == 0 else {"documento": head["documento"]}
            for column, (key, _, kind) in bolivia_csv.LINE_COLUMNS.items():
                value = detail.get(key)
                line[column] = (
                    _number_cell(value)
                    if kind == "number"
                    else (None if value is None else str(value))
                )
            rows.append([line.get(c) for c in columns])
    return columns, rows


def _ar_import_rows(docs: list[StoredDocument]) -> tuple[list[str], list[list[Any]]]:
    from desktop_app.domain import argentina, argentina_csv

    columns = [argentina_csv.KEY, *argentina_csv.HEADER_COLUMNS, *argentina_csv.ITEM_COLUMNS]
    rows: list[list[Any]] = []
    for doc in docs:
        parsed, errors = argentina.document_from_json(doc.payload)
        if parsed is None:
            raise ValueError(f"el documento {doc.id} no se puede leer: {errors}")
        data = argentina.document_to_json(parsed)
        k, c = data["comprobante"], data["cliente"]
        head: dict[str, Any] = {argentina_csv.KEY: k.get("external_reference") or str(doc.id)}
        for column in argentina_csv.HEADER_COLUMNS:
            if column.startswith("cliente_"):
                value = c.get(column.removeprefix("cliente_"))
            elif column == "numero":
                value = k.get("numero", doc.numero)
            else:
                value = k.get(column)
            head[column] = None if value is None else str(value)
        for n, item in enumerate(k["detalle"]):
            line: dict[str, Any] = (
                dict(head) if n == 0 else {argentina_csv.KEY: head[argentina_csv.KEY]}
            )
            producto = item.get("producto", {})
            for column in argentina_csv.ITEM_COLUMNS:
                value = item.get(column, producto.get(column))
                line[column] = None if value is None else str(value)
            rows.append([line.get(name) for name in columns])
    return columns, rows
