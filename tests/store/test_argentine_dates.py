"""ARCA/AFIP refuses a date earlier than the last comprobante of the same punto de venta:
the outbox checks it when saving (against saved documents not rejected, and earlier
documents of the same batch), so an invoice is never queued to be rejected for it."""

from __future__ import annotations

from datetime import timedelta

from desktop_app.domain.argentina import document_from_json
from desktop_app.store.db import Database
from desktop_app.store.models import Document, ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile
from tests.domain.test_argentina_factories import comprobante_json, today


def _profile(db: Database) -> ProviderProfile:
    return save_profile(db, ProviderProfile(name="ar", provider="tusfacturas", country="AR",
                                            base_url="https://example.invalid"))


def _doc(days_ago: int, punto: int = 3):
    doc, errors = document_from_json(comprobante_json(fecha=today() - timedelta(days=days_ago),
                                                      punto_venta=punto))
    assert doc is not None, errors
    return doc


def test_a_date_before_the_last_one_of_its_punto_is_refused_naming_the_rule(db: Database) -> None:
    profile = _profile(db)
    assert enqueue_documents(db, profile.id, [_doc(0)]).ok
    result = enqueue_documents(db, profile.id, [_doc(2)])
    assert not result.ok and result.ids == []
    [error] = result.errors[0]
    assert error.field == "comprobante.fecha" and "retroceden" in error.message
    assert enqueue_documents(db, profile.id, [_doc(2, punto=4)]).ok  # another punto de venta


def test_within_one_batch_the_order_counts_and_nothing_is_saved(db: Database) -> None:
    profile = _profile(db)
    result = enqueue_documents(db, profile.id, [_doc(1), _doc(3), _doc(0)])
    assert set(result.errors) == {1} and result.ids == []
    assert enqueue_documents(db, profile.id, [_doc(3), _doc(1), _doc(0)]).ok


def test_a_rejected_document_does_not_hold_the_date(db: Database) -> None:
    profile = _profile(db)
    [doc_id] = enqueue_documents(db, profile.id, [_doc(0)]).ids
    with db.write() as s:
        row = s.get(Document, doc_id)
        row.state = "REJECTED"
        s.add(row)
    assert enqueue_documents(db, profile.id, [_doc(2)]).ok
