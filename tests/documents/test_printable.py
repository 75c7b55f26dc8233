"""What each printout says, before anything is painted."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from desktop_app.documents import qr
from desktop_app.documents.printable import (
    PENDING_MARK,
    amount_in_words,
    integer_in_words,
    printable_for,
)
from desktop_app.domain.cdc import format_cdc
from desktop_app.store.models import Document
from tests.documents.conftest import (
    CAE,
    CUF,
    ar_json,
    bo_json,
    py_json,
    set_state,
    store,
)


def _cdc(db, doc_id: int) -> str:
    with db.session() as s:
        return s.exec(select(Document.cdc).where(Document.id == doc_id)).one()


def test_an_approved_kude_shows_the_cdc_in_blocks_of_four_and_no_mark(db, py_profile):
    doc_id = store(db, py_profile.id, "PY", py_json())
    set_state(db, doc_id, "APPROVED")
    pr = printable_for(db, doc_id)
    cdc = _cdc(db, doc_id)
    assert pr.valid and pr.mark is None and pr.notice is None
    assert ("CDC", format_cdc(cdc)) in pr.authority
    assert format_cdc(cdc).count(" ") == 10  # 44 digits: eleven blocks of four
    assert pr.title == "KuDE de Factura electrónica"
    assert pr.number == "001-001-0000001"


def test_the_kude_splits_the_sale_into_exentas_five_and_ten_and_liquidates_the_iva(db, py_profile):
    doc_id = store(db, py_profile.id, "PY", py_json())
    pr = printable_for(db, doc_id)
    rows = {row[1]: row for row in pr.table.rows}
    assert rows["Martillo de carpintero"][4:] == ("", "", "110.000")
    assert rows["Arroz tipo 1 (kg)"][4:] == ("", "21.000", "")
    assert rows["Libro de texto escolar"][4:] == ("45.000", "", "")
    totals = {label: value for label, value, _ in pr.totals}
    assert totals["TOTAL DE LA OPERACIÓN (PYG)"] == "176.000"
    assert totals["Liquidación del IVA (10 %)"] == "10.000"
    assert totals["Liquidación del IVA (5 %)"] == "1.000"
    assert totals["Total IVA"] == "11.000"


def test_without_the_providers_qr_the_kude_qr_is_built_from_the_document_and_marked_provisional(
    db, py_profile
):
    doc_id = store(db, py_profile.id, "PY", py_json())
    pr = printable_for(db, doc_id)
    fields = qr.sifen_qr_fields(pr.qr or "")
    assert pr.qr_provisional
    assert fields["Id"] == _cdc(db, doc_id)
    assert fields["dRucRec"] == "80012345"
    assert fields["dTotGralOpe"] == "176000" and fields["dTotIVA"] == "11000"
    assert fields["cItems"] == "3"
    assert bytes.fromhex(fields["dFeEmiDE"]).decode().count("T") == 1
    assert qr.SIFEN_CONSULTA_URL in pr.qr_caption


def test_a_qr_the_provider_gave_is_printed_as_given(db, py_profile):
    doc_id = store(db, py_profile.id, "PY", py_json())
    given = qr.sifen_qr_url(
        qr.SifenQrData(
            cdc=_cdc(db, doc_id),
            fecha_emision="2026-01-01T10:00:00",
            total=176000,
            total_iva=11000,
            items=3,
            receptor_ruc="80012345",
            digest_value="abc=",
        ),
        "CSC",
    )
    with db.write() as s:
        row = s.get(Document, doc_id)
        payload = json.loads(row.payload)
        payload["qr"] = given.replace("&", "&amp;")  # as it comes inside the provider's XML
        row.payload = json.dumps(payload)
        s.add(row)
    set_state(db, doc_id, "APPROVED")
    pr = printable_for(db, doc_id)
    assert pr.qr == given
    assert not pr.qr_provisional


@pytest.mark.parametrize("state", ["QUEUED", "SENDING", "SUBMITTED", "UNKNOWN"])
def test_a_document_not_yet_approved_is_marked_pending(db, py_profile, state):
    doc_id = store(db, py_profile.id, "PY", py_json())
    set_state(db, doc_id, state)
    pr = printable_for(db, doc_id)
    assert not pr.valid
    assert pr.mark == PENDING_MARK
    assert pr.notice and "SIFEN" in pr.notice and "Reimprímalo" in pr.notice


@pytest.mark.parametrize(
    ("state", "word"),
    [
        ("REJECTED", "RECHAZADO"),
        ("CANCELLED", "ANULADO"),
        ("CANCEL_REQUESTED", "ANULACIÓN SOLICITADA"),
    ],
)
def test_rejected_and_cancelled_documents_are_marked_not_valid(db, py_profile, state, word):
    doc_id = store(db, py_profile.id, "PY", py_json())
    set_state(db, doc_id, state)
    pr = printable_for(db, doc_id)
    assert pr.mark is not None and word in pr.mark and "NO VÁLIDO" in pr.mark


def test_the_same_document_reprinted_after_approval_has_no_mark(db, py_profile):
    doc_id = store(db, py_profile.id, "PY", py_json())
    assert printable_for(db, doc_id).mark == PENDING_MARK
    set_state(
        db, doc_id, "APPROVED_WITH_OBSERVATIONS", observations="1005 transmisión extemporánea"
    )
    pr = printable_for(db, doc_id)
    assert pr.valid and pr.mark is None
    assert any("1005" in legend for legend in pr.legends)


def test_an_argentine_invoice_prints_letter_cae_expiry_and_the_arca_qr(db, ar_profile):
    doc_id = store(db, ar_profile.id, "AR", ar_json(fecha=date.today()))
    set_state(
        db,
        doc_id,
        "APPROVED",
        cae=CAE + " ",
        cae_expiry="2030-01-10",
        provider_number="00003-00000074",
    )
    pr = printable_for(db, doc_id)
    assert (pr.title, pr.letter, pr.letter_code) == ("FACTURA", "B", "COD. 06")
    assert pr.number == "00003-00000074"
    assert ("CAE N°", CAE) in pr.authority
    assert ("Fecha de Vto. de CAE", "10/01/2030") in pr.authority
    payload = qr.decode_arca_qr(pr.qr or "")
    assert payload == {
        "ver": 1,
        "fecha": date.today().isoformat(),
        "cuit": 20267565393,
        "ptoVta": 3,
        "tipoCmp": 6,
        "nroCmp": 74,
        "importe": 3304,
        "moneda": "PES",
        "ctz": 1,
        "tipoDocRec": 96,
        "nroDocRec": 28123456,
        "tipoCodAut": "E",
        "codAut": int(CAE),
    }
    totals = {label: value for label, value, _ in pr.totals}
    assert totals["IMPORTE TOTAL (PES)"] == "3.304,00"
    assert totals["IVA contenido (Ley 27.743)"] == "504,00"


def test_an_argentine_invoice_without_cae_has_no_qr_and_is_pending(db, ar_profile):
    doc_id = store(db, ar_profile.id, "AR", ar_json())
    pr = printable_for(db, doc_id)
    assert pr.qr is None and pr.qr_placeholder
    assert pr.mark == PENDING_MARK and "ARCA" in (pr.notice or "")


def test_a_factura_a_prints_net_prices_and_the_iva_per_rate(db, ar_profile):
    data = ar_json(tipo="FACTURA A")
    data["cliente"].update(
        {"documento_tipo": "CUIT", "documento_nro": "20267565393", "condicion_iva": "RI"}
    )
    doc_id = store(db, ar_profile.id, "AR", data)
    pr = printable_for(db, doc_id)
    totals = {label: value for label, value, _ in pr.totals}
    assert totals["Importe neto gravado"] == "2.800,00"
    assert totals["IVA 21 %"] == "420,00"
    assert totals["IVA 10,5 %"] == "84,00"


def test_a_bolivian_invoice_prints_number_cuf_words_and_the_siat_qr_by_size(db, bo_profile):
    doc_id = store(db, bo_profile.id, "BO", bo_json())
    set_state(db, doc_id, "APPROVED", cuf=CUF, provider_number="152")
    ticket = printable_for(db, doc_id, "ticket")
    page = printable_for(db, doc_id, "a4")
    assert ("CUF", CUF) in page.authority and ("Factura N°", "152") in page.authority
    assert qr.siat_qr_fields(ticket.qr or "") == {
        "nit": "1020703023",
        "cuf": CUF,
        "numero": "152",
        "t": "1",
    }
    assert qr.siat_qr_fields(page.qr or "")["t"] == "2"
    assert page.amount_in_words == "Son: Trescientos treinta y cinco 50/100 Bolivianos"
    totals = {label: value for label, value, _ in page.totals}
    assert totals["TOTAL Bs"] == "335.50" and totals["DESCUENTO Bs"] == "10.00"


def test_a_bolivian_invoice_before_siat_emits_it_has_no_cuf_and_no_qr(db, bo_profile):
    doc_id = store(db, bo_profile.id, "BO", bo_json())
    pr = printable_for(db, doc_id)
    assert pr.qr is None and not pr.valid and "SIAT" in (pr.notice or "")


def test_an_unreadable_payload_still_prints_from_the_summary(db, ar_profile):
    doc_id = store(db, ar_profile.id, "AR", ar_json())
    with db.write() as s:
        row = s.get(Document, doc_id)
        row.payload = json.dumps(
            {
                "cliente": {"documento_tipo": "DNI"},
                "comprobante": {
                    "detalle": [
                        {
                            "cantidad": 2,
                            "producto": {"descripcion": "Algo", "precio_unitario_sin_iva": 5},
                        }
                    ]
                },
            }
        )
        s.add(row)
    pr = printable_for(db, doc_id)
    assert pr.ticket_items[0].description == "Algo"
    assert pr.totals[-1][1] == "3.304,00"


def test_a_missing_document_is_a_lookup_error(db):
    with pytest.raises(LookupError):
        printable_for(db, 999)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "cero"),
        (1, "uno"),
        (15, "quince"),
        (21, "veintiuno"),
        (100, "cien"),
        (101, "ciento uno"),
        (335, "trescientos treinta y cinco"),
        (1000, "mil"),
        (21000, "veintiún mil"),
        (31500, "treinta y un mil quinientos"),
        (1_000_000, "un millón"),
        (2_500_001, "dos millones quinientos mil uno"),
    ],
)
def test_integers_in_spanish_words(n, words):
    assert integer_in_words(n) == words


def test_amounts_in_words_carry_the_cents_as_a_fraction():
    assert amount_in_words(Decimal("113.05")) == "Ciento trece 05/100"
