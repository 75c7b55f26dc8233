"""Builders of valid domain documents for tests (real rules: the RUC check digit is
computed, cash payments equal the totals)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from desktop_app.domain.document import Customer, Document, Item
from desktop_app.domain.ruc import mod11_check_digit


def ruc(base: str) -> str:
    return f"{base}-{mod11_check_digit(base)}"


GOOD_RUC = ruc("80012345")


def customer(tax_id: str | None = None, name: str = "Ferretería El Tornillo S.A.") -> Customer:
    return Customer(contribuyente=True, razon_social=name, ruc=tax_id or GOOD_RUC)


def document(*, numero: int | None = None, tax_id: str | None = None, price: int = 110_000,
             quantity: str = "1", iva: int = 10, tipo: int = 1) -> Document:
    return Document(
        cliente=customer(tax_id),
        items=[Item(descripcion="Martillo de carpintero", cantidad=Decimal(quantity),
                    precio_unitario=Decimal(price), iva_tipo=1 if iva else 3,
                    iva_base=100 if iva else 0, iva=iva)],
        fecha=datetime.now().replace(microsecond=0),
        numero=numero,
        tipo_documento=tipo,
    )
