"""The QR payloads, checked before encoding against the authorities' rules, and decoded
back from a real symbol."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import segno

from desktop_app.documents import qr

# SIFEN MT v150 §13.8.4, the manual's worked example of the KuDE QR (as reproduced by
# several independent public implementations; the hash below was recomputed here).
MT_EXAMPLE = qr.SifenQrData(
    cdc="01444444017001001001452822017012515873260988",
    fecha_emision="2017-01-25T09:35:17",
    receptor_ruc="88899990",
    total=300000,
    total_iva=27272,
    items=2,
    digest_value="yzGYhUx1/XYYzksWB+fPR3Qc50c=",
    id_csc="0001",
)
MT_CSC = "ABCD0000000000000000000000000000"
MT_PARAMETERS = (
    "nVersion=150&Id=01444444017001001001452822017012515873260988"
    "&dFeEmiDE=323031372d30312d32355430393a33353a3137&dRucRec=88899990"
    "&dTotGralOpe=300000&dTotIVA=27272&cItems=2"
    "&DigestValue=797a4759685578312f5859597a6b7357422b6650523351633530633d&IdCSC=0001"
)
MT_HASH = "97ddbb3c1e7d65af03a70ffe21f2b34846ab1c89e0566c35222086766b7374ed"


def test_the_manuals_example_gives_the_manuals_parameters_hash_and_url():
    assert qr.to_hex("2017-01-25T09:35:17") == "323031372d30312d32355430393a33353a3137"
    assert qr.sifen_qr_parameters(MT_EXAMPLE) == MT_PARAMETERS
    assert qr.sifen_qr_hash(MT_PARAMETERS, MT_CSC) == MT_HASH
    url = qr.sifen_qr_url(MT_EXAMPLE, MT_CSC)
    assert url == f"https://ekuatia.set.gov.py/consultas/qr?{MT_PARAMETERS}&cHashQR={MT_HASH}"
    assert MT_CSC not in url
    assert qr.is_complete_sifen_qr(url)


def test_the_test_environment_uses_its_own_consultation_address():
    url = qr.sifen_qr_url(MT_EXAMPLE, MT_CSC, test=True)
    assert url.startswith("https://ekuatia.set.gov.py/consultas-test/qr?nVersion=150&")


def test_the_customer_ruc_travels_without_its_check_digit():
    data = qr.SifenQrData(
        cdc="0" * 44,
        fecha_emision="2025-06-02T09:15:00",
        total=Decimal("226500"),
        total_iva=Decimal("20591"),
        items=3,
        receptor_ruc="80012345-0",
    )
    fields = qr.sifen_qr_fields(qr.sifen_qr_url(data))
    assert fields["dRucRec"] == "80012345"
    assert "dNumIDRec" not in fields


def test_a_non_taxpayer_is_identified_by_document_and_an_innominado_by_zero():
    person = qr.SifenQrData(
        cdc="0" * 44,
        fecha_emision="2025-06-02T09:15:00",
        total=1,
        total_iva=0,
        items=1,
        receptor_documento="1234567",
    )
    anonymous = qr.SifenQrData(
        cdc="0" * 44, fecha_emision="2025-06-02T09:15:00", total=1, total_iva=0, items=1
    )
    assert qr.sifen_qr_fields(qr.sifen_qr_url(person))["dNumIDRec"] == "1234567"
    assert qr.sifen_qr_fields(qr.sifen_qr_url(anonymous))["dNumIDRec"] == "0"


def test_without_the_csc_the_url_has_no_hash_and_is_not_complete():
    url = qr.sifen_qr_url(MT_EXAMPLE)
    assert "cHashQR" not in url
    assert not qr.is_complete_sifen_qr(url)
    no_digest = qr.sifen_qr_url(
        qr.SifenQrData(
            cdc="0" * 44, fecha_emision="2025-01-01T00:00:00", total=1, total_iva=0, items=1
        ),
        MT_CSC,
    )
    assert not qr.is_complete_sifen_qr(no_digest)


def test_amounts_have_no_thousands_separator_and_no_trailing_zeros():
    assert qr.amount_text(Decimal("300000.00")) == "300000"
    assert qr.amount_text(Decimal("12.50")) == "12.5"
    assert qr.amount_text(7) == "7"


def _arca_example() -> dict:
    return qr.arca_qr_payload(
        fecha=date(2020, 10, 13),
        cuit="30-00000000-7",
        punto_venta=10,
        tipo_comprobante=1,
        numero=94,
        importe=Decimal("12100"),
        moneda="DOL",
        cotizacion=Decimal("65"),
        tipo_doc_receptor=80,
        nro_doc_receptor="20-00000000-1",
        cae="70417054367476 ",
    )


def test_the_arca_payload_has_every_field_of_the_specification_with_json_numbers():
    assert _arca_example() == {
        "ver": 1,
        "fecha": "2020-10-13",
        "cuit": 30000000007,
        "ptoVta": 10,
        "tipoCmp": 1,
        "nroCmp": 94,
        "importe": 12100,
        "moneda": "DOL",
        "ctz": 65,
        "tipoDocRec": 80,
        "nroDocRec": 20000000001,
        "tipoCodAut": "E",
        "codAut": 70417054367476,
    }


def test_the_arca_url_is_base64_json_and_decodes_back():
    payload = _arca_example()
    url = qr.arca_qr_url(payload)
    assert url.startswith("https://www.afip.gob.ar/fe/qr/?p=")
    assert qr.decode_arca_qr(url) == payload


def test_decimal_amounts_survive_the_arca_round_trip():
    payload = qr.arca_qr_payload(
        fecha=date(2026, 1, 5),
        cuit="20267565393",
        punto_venta=3,
        tipo_comprobante=6,
        numero=74,
        importe=Decimal("3304.50"),
        moneda="PES",
        cotizacion=1,
        cae="75123456789012",
    )
    assert qr.decode_arca_qr(qr.arca_qr_url(payload))["importe"] == 3304.5


def test_a_foreign_or_broken_arca_url_is_refused():
    with pytest.raises(ValueError):
        qr.decode_arca_qr("https://example.com/?p=e30=")
    with pytest.raises(ValueError):
        qr.decode_arca_qr(qr.ARCA_QR_URL + "%%%")


def test_the_siat_url_carries_nit_cuf_number_and_size():
    url = qr.siat_qr_url("1020703023", "ABC123", 152, size=qr.SIAT_SIZE_PAGE)
    assert url.startswith("https://siat.impuestos.gob.bo/consulta/QR?")
    assert qr.siat_qr_fields(url) == {
        "nit": "1020703023",
        "cuf": "ABC123",
        "numero": "152",
        "t": "2",
    }
    assert qr.siat_qr_url(1, "X", 1, pilot=True).startswith("https://pilotosiat.impuestos.gob.bo/")


def test_the_matrix_is_the_symbol_segno_encodes():
    text = qr.sifen_qr_url(MT_EXAMPLE, MT_CSC)
    matrix = qr.qr_matrix(text)
    symbol = segno.make_qr(text, error="m", boost_error=False)
    assert len(matrix) == symbol.symbol_size(border=0)[0]
    assert all(len(row) == len(matrix) for row in matrix)


def _pixels(matrix: list[list[bool]], scale: int = 4, border: int = 4) -> tuple[bytes, int, int]:
    """8-bit grey pixels of the symbol (what zbar reads), with its quiet zone."""
    size = (len(matrix) + 2 * border) * scale
    rows = []
    for y in range(size):
        r = y // scale - border
        line = bytearray()
        for x in range(size):
            c = x // scale - border
            dark = 0 <= r < len(matrix) and 0 <= c < len(matrix) and matrix[r][c]
            line.append(0 if dark else 255)
        rows.append(bytes(line))
    return b"".join(rows), size, size


def test_the_painted_matrix_decodes_back_to_the_payload():
    pyzbar = pytest.importorskip(
        "pyzbar.pyzbar", reason="pyzbar (and Debian's libzbar0) not installed"
    )
    for text in (
        qr.sifen_qr_url(MT_EXAMPLE, MT_CSC),
        qr.arca_qr_url(_arca_example()),
        qr.siat_qr_url("1020703023", "4E6F7E0AB1C2", 152),
    ):
        decoded = pyzbar.decode(_pixels(qr.qr_matrix(text)))
        assert [d.data.decode() for d in decoded] == [text]
