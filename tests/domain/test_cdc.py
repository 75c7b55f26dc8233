"""CDC layout and check digit (SIFEN MT v150 §10.1), against public examples."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from desktop_app.domain.cdc import build_cdc, format_cdc, is_valid_cdc, new_security_code
from desktop_app.domain.document import Customer, Document, Item
from desktop_app.domain.emisor import DEMO_EMISOR, Emisor, cdc_for
from desktop_app.domain.ruc import is_valid_ruc

#: FacturaSend's example answer (seeds/facturasend-lote-create.txt).
FACTURASEND_CDC = "01800695631001002100694612021112410311184194"
#: The Manual Técnico's own example.
MANUAL_CDC = "01444444017001001001452822017012515873260988"


def test_facturasend_example_cdc_is_valid() -> None:
    assert is_valid_cdc(FACTURASEND_CDC)


def test_manual_example_cdc_is_valid() -> None:
    assert is_valid_cdc(MANUAL_CDC)


def test_facturasend_example_cdc_fields_sit_where_the_manual_says() -> None:
    c = FACTURASEND_CDC
    assert c[0:2] == "01"  # tipo DE: factura
    assert c[2:10] == "80069563"  # RUC
    assert c[10] == "1"  # DV
    assert c[11:14] == "001"  # establecimiento
    assert c[14:17] == "002"  # punto
    assert c[17:24] == "1006946"  # número
    assert c[24] == "1"  # tipo contribuyente
    assert c[25:33] == "20211124"  # fecha
    assert c[33] == "1"  # tipo emisión
    assert c[34:43] == "031118419"  # código de seguridad
    assert c[43] == "4"  # check digit


def test_building_from_its_parts_reproduces_the_facturasend_example() -> None:
    cdc = build_cdc(
        tipo_documento=1,
        ruc="80069563",
        dv=1,
        establecimiento=1,
        punto="002",
        numero=1006946,
        tipo_contribuyente=1,
        fecha=date(2021, 11, 24),
        tipo_emision=1,
        codigo_seguridad="031118419",
    )
    assert cdc == FACTURASEND_CDC


def test_built_cdc_pads_every_part_to_its_width() -> None:
    cdc = build_cdc(
        tipo_documento=5,
        ruc="2005001",
        dv=1,
        establecimiento="3",
        punto=7,
        numero=42,
        tipo_contribuyente=2,
        fecha=date(2024, 2, 29),
        tipo_emision=2,
        codigo_seguridad="123",
    )
    assert len(cdc) == 44
    parts = ["05", "02005001", "1", "003", "007", "0000042", "2", "20240229", "2", "000000123"]
    assert cdc[:43] == "".join(parts)
    assert is_valid_cdc(cdc)


def test_cdc_with_a_wrong_check_digit_is_invalid() -> None:
    wrong = FACTURASEND_CDC[:-1] + "5"
    assert not is_valid_cdc(wrong)


@pytest.mark.parametrize(
    "text", ["", FACTURASEND_CDC[:-1], FACTURASEND_CDC + "0", "x" * 44, "²" * 44]
)
def test_malformed_cdc_is_invalid(text: str) -> None:
    assert not is_valid_cdc(text)


def test_part_too_wide_is_refused() -> None:
    with pytest.raises(ValueError):
        build_cdc(
            tipo_documento=1,
            ruc="80069563",
            dv=1,
            establecimiento=1000,
            punto=1,
            numero=1,
            tipo_contribuyente=1,
            fecha=date(2024, 1, 1),
            tipo_emision=1,
            codigo_seguridad="1",
        )


def test_negative_number_is_refused_not_turned_into_a_dash() -> None:
    with pytest.raises(ValueError):
        build_cdc(
            tipo_documento=1,
            ruc="80069563",
            dv=1,
            establecimiento=1,
            punto=1,
            numero=-1,
            tipo_contribuyente=1,
            fecha=date(2024, 1, 1),
            tipo_emision=1,
            codigo_seguridad="1",
        )


def test_security_code_has_nine_digits_and_is_not_zero() -> None:
    for _ in range(200):
        code = new_security_code()
        assert len(code) == 9 and code.isdigit() and int(code) > 0


def test_format_cdc_groups_in_blocks_of_four() -> None:
    assert format_cdc(FACTURASEND_CDC).split() == [
        FACTURASEND_CDC[i : i + 4] for i in range(0, 44, 4)
    ]


def _document(numero: int | None = 1006946, codigo: str | None = "031118419") -> Document:
    return Document(
        cliente=Customer(contribuyente=True, razon_social="Cliente S.A.", ruc="2005001-1"),
        items=[Item("Producto", Decimal(1), Decimal(1000))],
        fecha=datetime(2021, 11, 24, 10, 11),
        establecimiento="001",
        punto="002",
        numero=numero,
        codigo_seguridad=codigo,
    )


def test_cdc_for_a_document_uses_the_emisor_ruc_and_the_document_fields() -> None:
    emisor = Emisor(ruc="80069563-1", razon_social="Emisor", tipo_contribuyente=1)
    assert cdc_for(_document(), emisor) == FACTURASEND_CDC


def test_cdc_for_refuses_a_document_without_number_or_security_code() -> None:
    with pytest.raises(ValueError):
        cdc_for(_document(numero=None), DEMO_EMISOR)
    with pytest.raises(ValueError):
        cdc_for(_document(codigo=None), DEMO_EMISOR)


def test_cdc_for_refuses_an_emisor_with_a_wrong_ruc() -> None:
    emisor = Emisor(ruc="80069563-2", razon_social="Emisor", tipo_contribuyente=2)
    with pytest.raises(ValueError):
        cdc_for(_document(), emisor)


def test_demo_emisor_has_a_valid_ruc() -> None:
    assert is_valid_ruc(DEMO_EMISOR.ruc)
    assert is_valid_cdc(cdc_for(_document(), DEMO_EMISOR))
