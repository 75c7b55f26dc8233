"""The store modules behind the screens, on a real SQLite file: the books, the SQL
search and sort of the documents table, the lotes list, the dashboard sums, the
numbering rules and the corrections of rejected and approved documents."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from desktop_app.domain.document import Customer as DocCustomer
from desktop_app.domain.document import Document, Item
from desktop_app.domain.states import DocState
from desktop_app.store.books import (
    BookError,
    SoldItem,
    import_customers_csv,
    import_products_csv,
    remember_customer,
    remember_products,
    save_customer,
    save_product,
    search_customers,
    search_products,
)
from desktop_app.store.corrections import (
    CorrectionRefused,
    cancel_deadline,
    request_cancel,
    resend_corrected,
    set_next_number,
)
from desktop_app.store.lote_queries import (
    DocumentFilter,
    dashboard,
    document_rank,
    document_search,
    lote_rows,
    number_sequences,
)
from desktop_app.store.models import Document as DocumentRow
from desktop_app.store.models import Lote
from desktop_app.store.outbox import enqueue_documents, transition
from desktop_app.store.queries import document_events, find_document
from tests.support.factories import ruc

NOW = datetime(2026, 11, 21, 15, 0)


def _doc(
    name: str,
    price: int,
    iva: int = 10,
    *,
    fecha: datetime = NOW,
    tax_id: str | None = None,
    qty: str = "1",
) -> Document:
    return Document(
        cliente=DocCustomer(
            contribuyente=True,
            razon_social=name,
            ruc=tax_id or ruc("80012345"),
            tipo_contribuyente=2,
        ),
        items=[
            Item(
                descripcion="Cosa",
                cantidad=Decimal(qty),
                precio_unitario=Decimal(price),
                iva_tipo=1 if iva else 3,
                iva_base=100 if iva else 0,
                iva=iva,
            )
        ],
        fecha=fecha,
    )


def _queue(db, profile, *docs) -> list[int]:
    result = enqueue_documents(db, profile.id, list(docs), now=NOW + timedelta(minutes=1))
    assert result.ok, result.errors
    return result.ids


def _move(db, doc_id: int, *states: DocState, **kwargs) -> None:
    for state in states:
        with db.write() as s:
            transition(s, s.get(DocumentRow, doc_id), state, actor="test", **kwargs)


# -- books ---------------------------------------------------------------------------------


def test_customer_search_ignores_accents_and_case_and_lists_recent_first(db):
    save_customer(db, country="PY", kind="RUC", tax_id="80012345-0", name="Ferretería Pérez")
    save_customer(db, country="PY", kind="CI", tax_id="1.234.567", name="José Peralta")
    remember_customer(db, country="PY", kind="CI", tax_id="1234567", name="José Peralta")
    assert [c.name for c in search_customers(db, "PEREZ")] == ["Ferretería Pérez"]
    assert [c.name for c in search_customers(db, "pe")] == ["José Peralta", "Ferretería Pérez"]
    assert search_customers(db, "1234567")[0].tax_id == "1234567"  # dots dropped


def test_a_customer_with_a_wrong_check_digit_is_refused_with_the_rule(db):
    with pytest.raises(BookError) as refused:
        save_customer(db, country="PY", kind="RUC", tax_id="80012345-7", name="Mal Dígito S.A.")
    assert refused.value.problems["tax_id"] == (
        "El dígito verificador del RUC 80012345 debe ser 0, no 7."
    )
    with pytest.raises(BookError) as refused:
        save_customer(db, country="AR", kind="CUIT", tax_id="20-26756539-4", name="Argentino SA")
    assert "debería ser 3" in refused.value.problems["tax_id"]


def test_customer_csv_import_keeps_good_rows_and_names_each_bad_one(db, tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_text(
        "RUC;Razón social;Correo\n"
        "80012345-0;Ferretería López S.A.;compras@ferre.com.py\n"
        "80012345-7;Dígito Malo S.A.;\n"
        "4567890;Juan Pérez;\n"
        ";Sin Número;\n",
        encoding="utf-8",
    )
    report = import_customers_csv(db, path)
    assert (report.added, report.updated) == (2, 0)
    assert [row for row, _msg in report.errors] == [3, 5]
    assert "debe ser 0, no 7" in report.errors[0][1]
    juan = search_customers(db, "juan")[0]
    assert (juan.kind, juan.tax_id) == ("CI", "4567890")  # a bare number is a cédula
    again = import_customers_csv(db, path)
    assert (again.added, again.updated) == (0, 2)


def test_products_remember_their_last_price_and_rate(db, tmp_path):
    path = tmp_path / "productos.csv"
    path.write_text(
        "codigo,descripcion,precio,iva\nA1,Arroz 1 kg,10.500,5\n,Libro,50000,exenta\n"
        ",Mal,abc,10\n,Otro,1000,12\n"
    )
    report = import_products_csv(db, path)
    assert report.added == 2 and [r for r, _m in report.errors] == [4, 5]
    remember_products(db, [SoldItem("arroz 1 KG", Decimal(11000), 5)])
    [arroz] = search_products(db, "arroz")
    assert (arroz.description, arroz.price, arroz.iva, arroz.code) == (
        "Arroz 1 kg",
        Decimal(11000),
        5,
        "A1",
    )
    assert search_products(db)[0].description == "Arroz 1 kg"  # recently sold first
    with pytest.raises(BookError):
        save_product(db, description="", price=Decimal(1), iva=10)


# -- the documents table's SQL ---------------------------------------------------------


def test_search_filters_by_date_range_profile_text_and_number(db, demo_profile):
    early = _doc("Ana Benítez", 1000, fecha=NOW - timedelta(days=10))
    late = _doc("Bruno Acosta", 5000, fecha=NOW)
    a, b = _queue(db, demo_profile, early, late)
    assert document_search(db, DocumentFilter()) == [b, a]
    in_range = DocumentFilter(date_from=(NOW - timedelta(days=2)).date(), date_to=NOW.date())
    assert document_search(db, in_range) == [b]
    assert document_search(db, DocumentFilter(text="001-001-0000001")) == [a]
    assert document_search(db, DocumentFilter(text="0000002")) == [b]  # the número
    cdc = find_document(db, str(a)).cdc
    assert document_search(db, DocumentFilter(text=cdc[10:30])) == [a]
    assert document_search(db, DocumentFilter(profile_id=demo_profile.id + 1)) == []


def test_every_column_sorts_in_sql_and_rank_says_where_a_document_lands(db, demo_profile):
    ids = _queue(db, demo_profile, _doc("Carla", 300), _doc("alberto", 100), _doc("Beto", 200))
    carla, alberto, beto = ids
    by_name = DocumentFilter(sort="cliente", descending=False)
    assert document_search(db, by_name) == [alberto, beto, carla]  # case-insensitive
    assert document_search(db, DocumentFilter(sort="total")) == [carla, beto, alberto]
    _move(db, alberto, DocState.SENDING, DocState.REJECTED)
    by_state = DocumentFilter(sort="estado", descending=False)
    assert document_search(db, by_state)[-1] == alberto  # lifecycle order, not alphabet
    for key in ("numero", "fecha", "ruc", "mensaje", "lote", "proveedor", "id"):
        for descending in (True, False):
            flt = DocumentFilter(sort=key, descending=descending)
            order = document_search(db, flt)
            assert [document_rank(db, flt, i) for i in order] == [0, 1, 2], key


# -- lotes ---------------------------------------------------------------------------------


def test_a_lote_counts_how_its_documents_ended_in_that_lote(db, demo_profile):
    a, b = _queue(db, demo_profile, _doc("Uno S.A.", 1000), _doc("Dos S.A.", 2000))
    with db.write() as s:
        first = Lote(
            profile_id=demo_profile.id,
            attempt_id="a1",
            provider_lote_id="777",
            tipo_documento=1,
            size=2,
            state="DONE",
        )
        s.add(first)
        s.flush()
        first_id = first.id
    _move(db, a, DocState.SENDING, DocState.SUBMITTED, DocState.APPROVED, lote_id=first_id)
    _move(db, b, DocState.SENDING, DocState.SUBMITTED, DocState.REJECTED, lote_id=first_id)
    _move(db, b, DocState.QUEUED)  # corrected: its next lote will count it again
    with db.write() as s:
        second = Lote(
            profile_id=demo_profile.id,
            attempt_id="a2",
            provider_lote_id="778",
            tipo_documento=1,
            size=1,
            state="SUBMITTED",
        )
        s.add(second)
        s.flush()
        second_id = second.id
    _move(db, b, DocState.SENDING, DocState.SUBMITTED, lote_id=second_id)
    rows = {r.provider_lote_id: r for r in lote_rows(db)}
    assert (rows["777"].approved, rows["777"].rejected, rows["777"].pending) == (1, 1, 0)
    assert (rows["778"].approved, rows["778"].rejected, rows["778"].pending) == (0, 0, 1)
    assert document_search(db, DocumentFilter(lote_id=first_id)) == [b, a]


# -- dashboard -----------------------------------------------------------------------------


def test_dashboard_adds_sales_by_rate_and_state_and_leaves_rejections_out(db, demo_profile):
    today = NOW.date()
    ids = _queue(
        db,
        demo_profile,
        _doc("Diez", 110_000, 10),
        _doc("Cinco", 21_000, 5),
        _doc("Exenta", 50_000, 0),
        _doc("Rechazada", 999_000, 10),
        _doc("Ayer", 11_000, 10, fecha=NOW - timedelta(days=1)),
        _doc("Mes pasado", 77_000, 10, fecha=NOW - timedelta(days=40)),
    )
    _move(db, ids[0], DocState.SENDING, DocState.SUBMITTED, DocState.APPROVED)
    _move(db, ids[3], DocState.SENDING, DocState.REJECTED)
    data = dashboard(db, profile_id=demo_profile.id, today=today)
    assert data.currency == "PYG"
    assert data.today.count == 3 and data.today.total == 181_000
    assert data.today.rate(10).gravada == 100_000 and data.today.rate(10).iva == 10_000
    assert data.today.rate(5).gravada == 20_000 and data.today.rate(5).iva == 1_000
    assert data.today.rate(0).gravada == 50_000
    assert data.month.total == 192_000 and data.month.iva_total == 12_000
    states = {line.state: (line.count, line.total) for line in data.today.states}
    assert states["REJECTED"] == (1, 999_000) and states["APPROVED"] == (1, 110_000)
    day = {d.day: d for d in data.days}
    assert day[today].approved == 110_000 and day[today].pending == 71_000
    assert len(data.days) == 30  # November


# -- numbering -----------------------------------------------------------------------------


def test_the_next_number_only_moves_forward_past_every_number_used(db, demo_profile):
    _queue(db, demo_profile, _doc("Uno S.A.", 1000), _doc("Dos S.A.", 1000))
    with pytest.raises(CorrectionRefused, match="el próximo debe ser 3 o mayor"):
        set_next_number(db, demo_profile.id, 1, "001", "001", 2)
    set_next_number(db, demo_profile.id, 1, "001", "001", 150)
    [seq] = number_sequences(db, demo_profile.id)
    assert (seq.next_numero, seq.highest_used) == (150, 2)
    [new] = _queue(db, demo_profile, _doc("Tres S.A.", 1000))
    assert find_document(db, str(new)).numero == "001-001-0000150"


# -- corrections ---------------------------------------------------------------------------


def _rejected(db, profile, **kwargs) -> int:
    [doc_id] = _queue(db, profile, _doc("Cliente Malo S.A.", 110_000))
    _move(db, doc_id, DocState.SENDING, DocState.REJECTED, **kwargs)
    return doc_id


def test_a_corrected_document_is_queued_again_with_its_number_and_cdc(db, demo_profile):
    doc_id = _rejected(db, demo_profile, code="1307", message="RUC inactivo")
    before = find_document(db, str(doc_id))
    fixed = _doc("Cliente Bueno S.A.", 220_000)
    result = resend_corrected(db, doc_id, fixed, now=NOW)
    assert result.ok and result.doc_id == doc_id and result.same_cdc
    after = find_document(db, str(doc_id))
    assert (after.state, after.numero, after.cdc) == ("QUEUED", before.numero, before.cdc)
    assert (after.customer_name, after.total) == ("Cliente Bueno S.A.", 220_000)
    last = document_events(db, doc_id)[-1]
    assert (last.from_state, last.to_state, last.actor) == ("REJECTED", "QUEUED", "user")
    assert json.loads(_payload(db, doc_id))["cliente"]["razonSocial"] == "Cliente Bueno S.A."


def test_a_correction_with_another_date_gets_a_new_cdc(db, demo_profile):
    doc_id = _rejected(db, demo_profile)
    before = find_document(db, str(doc_id))
    result = resend_corrected(
        db,
        doc_id,
        _doc("Cliente Bueno S.A.", 1000, fecha=NOW + timedelta(days=1)),
        now=NOW + timedelta(days=1),
    )
    after = find_document(db, str(doc_id))
    assert result.ok and not result.same_cdc
    assert after.numero == before.numero and after.cdc != before.cdc


def test_an_invalid_correction_changes_nothing_and_says_why(db, demo_profile):
    doc_id = _rejected(db, demo_profile)
    result = resend_corrected(db, doc_id, _doc("Ab", 1000), now=NOW)
    assert not result.ok and result.errors[0].field == "cliente.razonSocial"
    assert find_document(db, str(doc_id)).state == "REJECTED"


def test_a_number_the_provider_says_is_taken_is_not_reused(db, demo_profile):
    doc_id = _rejected(db, demo_profile, code="NUMERO_USADO")
    result = resend_corrected(db, doc_id, _doc("Cliente Bueno S.A.", 1000), now=NOW)
    assert result.ok and result.new_number and result.doc_id != doc_id
    assert find_document(db, str(doc_id)).state == "REJECTED"
    assert find_document(db, str(result.doc_id)).numero == "001-001-0000002"


def test_only_a_rejected_document_can_be_corrected(db, demo_profile):
    [doc_id] = _queue(db, demo_profile, _doc("Uno S.A.", 1000))
    with pytest.raises(CorrectionRefused):
        resend_corrected(db, doc_id, _doc("Uno S.A.", 2000), now=NOW)


def test_cancelling_an_approved_factura_is_allowed_for_48_hours(db, demo_profile):
    [doc_id] = _queue(db, demo_profile, _doc("Uno S.A.", 1000))
    approved_at = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    _move(db, doc_id, DocState.SENDING, DocState.SUBMITTED, DocState.APPROVED, at=approved_at)
    assert cancel_deadline("PY", 1, approved_at) == approved_at + timedelta(hours=48)
    assert cancel_deadline("PY", 5, approved_at) == approved_at + timedelta(hours=168)
    assert cancel_deadline("BO", 1, approved_at) is None
    late = approved_at + timedelta(hours=49)
    with pytest.raises(CorrectionRefused, match="48 horas"):
        request_cancel(db, doc_id, "Precio equivocado", now=late, approved_at=approved_at)
    with pytest.raises(CorrectionRefused, match="entre 5 y 500"):
        request_cancel(
            db, doc_id, "no", approved_at=approved_at, now=approved_at + timedelta(hours=1)
        )
    request_cancel(
        db,
        doc_id,
        "Precio equivocado",
        approved_at=approved_at,
        now=approved_at + timedelta(hours=47),
    )
    last = document_events(db, doc_id)[-1]
    assert (last.to_state, last.message) == (
        "CANCEL_REQUESTED",
        "Anulación solicitada: Precio equivocado",
    )


# -- schema --------------------------------------------------------------------------------


def test_migration_0003_adds_the_books_and_the_indexes_the_screens_use(db):
    conn = sqlite3.connect(db.engine.url.database)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"customer", "product"} <= tables
    assert {"ix_document_fecha", "ix_document_event_lote_id"} <= indexes
    plan = " ".join(
        r[3]
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM document WHERE fecha >= '2026-11-01'"
        )
    )
    assert "ix_document_fecha" in plan


def _payload(db, doc_id: int) -> str:
    with db.session() as s:
        return s.exec(select(DocumentRow.payload).where(DocumentRow.id == doc_id)).one()


def test_pasted_codes_numbers_and_tax_ids_are_found_by_their_shape(db, demo_profile):
    """A whole CDC is an exact lookup, a RUC-like text a prefix of the tax id, a bare
    number the document number or a tax id starting with it; other text is searched
    inside the texts."""
    a, b = _queue(
        db,
        demo_profile,
        _doc("Farmacia Central", 1000, tax_id="80026564-5"),
        _doc("Ana Benítez", 2000, tax_id="4567890-1"),
    )
    cdc = find_document(db, str(a)).cdc
    assert document_search(db, DocumentFilter(text=cdc)) == [a]
    assert document_search(db, DocumentFilter(text="80026")) == [a]
    assert document_search(db, DocumentFilter(text="4567890-1")) == [b]
    assert document_search(db, DocumentFilter(text="2")) == [b]  # the número
    assert document_search(db, DocumentFilter(text="farmacia")) == [a]  # any case
    assert document_search(db, DocumentFilter(text="zzz no existe")) == []
