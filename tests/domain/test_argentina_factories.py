"""Builders of Argentine comprobantes (TusFacturas' JSON shape) shared by the Argentina,
TusFacturas and e2e tests — and the tests that they build what they claim.

Every CUIT here was checked by hand (weights 5,4,3,2,7,6,5,4,3,2; dv = 11 − sum mod 11):

- 20-26756539-3: 10+0+6+12+49+30+30+20+9+18 = 184; 184 mod 11 = 8; 11−8 = 3.
- 30-71229384-1: 15+0+21+2+14+12+45+12+24+8 = 153; 153 mod 11 = 10; 11−10 = 1.
- 33-69345023-9: 15+12+18+18+21+24+25+0+6+6 = 145; 145 mod 11 = 2; 11−2 = 9.
- 27-26756539-8: 10+28+6+12+49+30+30+20+9+18 = 212; 212 mod 11 = 3; 11−3 = 8.
- 20-11111111-2: 10+0+3+2+7+6+5+4+3+2 = 42; 42 mod 11 = 9; 11−9 = 2.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from desktop_app.domain.argentina import RULES, document_from_json, validate_document
from desktop_app.providers.base import OutgoingDocument

RI_CUIT = "20267565393"  # 20-26756539-3, the example of PROVIDERS.md
COMPANY_CUIT = "30712293841"  # 30-71229384-1, VOUSYS in TusFacturas' examples
AFIP_CUIT = "33693450239"  # 33-69345023-9, AFIP's own CUIT
WOMAN_CUIT = "27267565398"  # 27-26756539-8
OTHER_CUIT = "20111111112"  # 20-11111111-2

CREDENTIALS = {"apitoken": "tok-123", "apikey": "4321", "usertoken": "usr-456"}
SECRET = json.dumps(CREDENTIALS)


def today() -> date:
    return date.today()


def fecha_text(value: date | None = None) -> str:
    return (value or today()).strftime("%d/%m/%Y")


def cliente(
    condicion_iva: str = "CF",
    documento_tipo: str = "DNI",
    documento_nro: str = "28123456",
    razon_social: str = "Cliente de Prueba",
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "documento_tipo": documento_tipo,
        "documento_nro": documento_nro,
        "razon_social": razon_social,
        "condicion_iva": condicion_iva,
        "domicilio": "Av. Santa Fe 123",
        "provincia": "2",
        "email": "",
        "envia_por_mail": "N",
        "condicion_pago": "211",
    }
    data.update(extra)
    return data


def responsable_inscripto(cuit: str = RI_CUIT) -> dict[str, Any]:
    return cliente("RI", "CUIT", cuit, "Ferretería El Tornillo S.A.")


def item(cantidad: Any = "1", precio: Any = "100", alicuota: Any = "21",
         descripcion: str = "Producto de prueba", **producto_extra: Any) -> dict[str, Any]:
    producto: dict[str, Any] = {
        "descripcion": descripcion,
        "codigo": "P-001",
        "lista_precios": "standard",
        "unidad_bulto": 1,
        "precio_unitario_sin_iva": precio,
        "alicuota": alicuota,
    }
    producto.update(producto_extra)
    return {"cantidad": cantidad, "producto": producto}


def _d(value: Any) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def items_total(items: list[dict[str, Any]], *, letter: str = "B") -> Decimal:
    """Lines rounded half even, plus IVA per alícuota (none for C): the arithmetic of
    TusFacturas' seed (114.88 at 21 % -> 139.00), written out independently."""
    by_rate: dict[Decimal, Decimal] = {}
    for entry in items:
        p = entry["producto"]
        net = (_d(entry["cantidad"]) * _d(p["precio_unitario_sin_iva"])).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        rate = _d(p["alicuota"])
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + net
    total = sum(by_rate.values(), Decimal(0))
    if letter != "C":
        for rate, base in by_rate.items():
            if rate > 0:
                total += (base * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return total


def comprobante_json(
    *,
    tipo: str = "FACTURA B",
    numero: Any = None,
    punto_venta: int = 3,
    fecha: date | str | None = None,
    cliente_data: dict[str, Any] | None = None,
    items: list[dict[str, Any]] | None = None,
    total: Any = None,
    external_reference: str | None = None,
    auto_reference: bool = True,
    **comprobante_extra: Any,
) -> dict[str, Any]:
    """A TusFacturas request body without credentials, valid by default (FACTURA B to a
    consumidor final, today, one item of 100 + 21 % IVA = 121.00, a fresh
    external_reference unless `auto_reference` is off)."""
    items = copy.deepcopy(items) if items is not None else [item()]
    letter = tipo.strip()[-1].upper()
    if cliente_data is None:
        cliente_data = responsable_inscripto() if letter == "A" else cliente()
    comprobante: dict[str, Any] = {
        "tipo": tipo,
        "operacion": "V",
        "punto_venta": punto_venta,
        "fecha": fecha if isinstance(fecha, str) else fecha_text(fecha),
        "moneda": "PES",
        "cotizacion": 1,
        "rubro": "Ventas",
        "rubro_grupo_contable": "Ventas",
        "detalle": items,
        "total": str(items_total(items, letter=letter)) if total is None else total,
    }
    if numero is not None:
        comprobante["numero"] = numero
    if external_reference is None and auto_reference:
        external_reference = uuid.uuid4().hex
    if external_reference is not None:
        comprobante["external_reference"] = external_reference
    comprobante.update(comprobante_extra)
    return {"cliente": copy.deepcopy(cliente_data), "comprobante": comprobante}


def prepared_json(**kwargs: Any) -> dict[str, Any]:
    """`comprobante_json` through parse + prepare, as the store keeps it."""
    doc, errors = document_from_json(comprobante_json(**kwargs))
    assert doc is not None, errors
    return RULES.to_json(RULES.prepare(doc))


def outgoing(local_id: int, numero: int | None = None, **kwargs: Any) -> OutgoingDocument:
    """An OutgoingDocument as the engine builds it (number given, external ref set)."""
    kwargs.setdefault("external_reference", f"ref-{local_id}")
    payload = comprobante_json(numero=numero if numero is not None else local_id, **kwargs)
    return OutgoingDocument(
        local_id=local_id,
        payload=payload,
        numero=f"{payload['comprobante']['tipo']} {kwargs.get('punto_venta', 3):05d}-{payload['comprobante']['numero']:08d}",
        external_ref=payload["comprobante"]["external_reference"],
    )


# -- the builders build what they claim ---------------------------------------------------


def test_default_comprobante_is_valid_and_totals_121() -> None:
    doc, errors = document_from_json(comprobante_json(external_reference="abc"))
    assert errors == [] and doc is not None
    assert validate_document(doc, now=datetime.now()) == []
    assert doc.comprobante.total == Decimal("121.00")


def test_factura_a_and_c_builders_are_valid() -> None:
    a, _ = document_from_json(comprobante_json(tipo="FACTURA A", external_reference="a1"))
    c, _ = document_from_json(comprobante_json(
        tipo="FACTURA C", items=[item(precio="250", alicuota="0")], external_reference="c1"))
    assert a is not None and c is not None
    assert validate_document(a) == [] and validate_document(c) == []
    assert c.comprobante.total == Decimal("250")


def test_outgoing_document_carries_number_and_reference() -> None:
    doc = outgoing(7, 12)
    assert doc.payload["comprobante"]["numero"] == 12
    assert doc.external_ref == "ref-7"
    assert doc.numero == "FACTURA B 00003-00000012"
