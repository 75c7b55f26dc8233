"""Builders of FacturaSend DE payloads and outgoing documents for the provider and sandbox tests.

A default DE is valid for the sandbox's simulated SIFEN: a customer RUC whose check digit
is computed with `mod11_check_digit`, and cash `entregas` equal to the item totals.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from desktop_app.domain.cdc import build_cdc
from desktop_app.domain.ruc import mod11_check_digit, parse_ruc
from desktop_app.providers.base import OutgoingDocument

EMISOR_RUC = "80069563-1"
TIPO_CONTRIBUYENTE = 2
TENANT = "demo"
API_KEY = "api_key_demo"
FECHA = "2024-10-19T10:11:00"


class FakeClock:
    """A monotonic clock the test moves by hand, so nothing sleeps."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def ruc_with_dv(base: str) -> str:
    """A RUC with its correct modulo-11 check digit."""
    return f"{base}-{mod11_check_digit(base)}"


def ruc_with_wrong_dv(base: str) -> str:
    return f"{base}-{(mod11_check_digit(base) + 1) % 10}"


CUSTOMER_RUC = ruc_with_dv("80012345")


def item(
    cantidad: Any = 2,
    precio: Any = 55_000,
    *,
    iva_tipo: int = 1,
    iva: int = 10,
    descripcion: str = "Producto",
) -> dict[str, Any]:
    return {
        "codigo": "A-001",
        "descripcion": descripcion,
        "unidadMedida": 77,
        "cantidad": cantidad,
        "precioUnitario": precio,
        "ivaTipo": iva_tipo,
        "ivaBase": 100,
        "iva": iva,
    }


def items_total(items: list[dict[str, Any]]) -> int:
    return int(
        sum(
            (Decimal(str(i["cantidad"])) * Decimal(str(i["precioUnitario"]))).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
            for i in items
        )
    )


def make_de(
    numero: int = 1,
    *,
    tipo: int = 1,
    establecimiento: int = 1,
    punto: str = "001",
    fecha: str = FECHA,
    ruc: str | None = CUSTOMER_RUC,
    items: list[dict[str, Any]] | None = None,
    entregas_total: int | None = None,
    codigo_seguridad: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A FacturaSend DE ("Estructura JSON de un DE"), cash sale, valid by default."""
    items = copy.deepcopy(items) if items is not None else [item()]
    total = items_total(items) if entregas_total is None else entregas_total
    cliente: dict[str, Any] = {
        "contribuyente": ruc is not None,
        "razonSocial": "Cliente de Prueba S.A.",
        "tipoOperacion": 1,
        "pais": "PRY",
        "paisDescripcion": "Paraguay",
        "tipoContribuyente": 2,
    }
    if ruc is not None:
        cliente["ruc"] = ruc
    else:
        cliente.update({"documentoTipo": 1, "documentoNumero": "2324234"})
    de: dict[str, Any] = {
        "tipoDocumento": tipo,
        "establecimiento": establecimiento,
        "punto": punto,
        "numero": numero,
        "fecha": fecha,
        "tipoEmision": 1,
        "tipoTransaccion": 1,
        "tipoImpuesto": 1,
        "moneda": "PYG",
        "cliente": cliente,
        "usuario": {
            "documentoTipo": 1,
            "documentoNumero": "157264",
            "nombre": "Cajera",
            "cargo": "Vendedor",
        },
        "factura": {"presencia": 1},
        "condicion": {
            "tipo": 1,
            "entregas": [
                {"tipo": 1, "monto": str(total), "moneda": "PYG", "monedaDescripcion": "Guarani"},
            ],
        },
        "items": items,
    }
    if codigo_seguridad is not None:
        de["codigoSeguridadAleatorio"] = codigo_seguridad
    de.update(extra)
    return de


def numero_text(de: dict[str, Any]) -> str:
    return f"{int(de['establecimiento']):03d}-{int(de['punto']):03d}-{int(de['numero']):07d}"


def expected_cdc(
    de: dict[str, Any],
    codigo_seguridad: str,
    *,
    emisor_ruc: str = EMISOR_RUC,
    tipo_contribuyente: int = TIPO_CONTRIBUYENTE,
) -> str:
    ruc = parse_ruc(emisor_ruc)
    assert ruc is not None
    fecha: date = datetime.fromisoformat(de["fecha"]).date()
    return build_cdc(
        tipo_documento=de["tipoDocumento"],
        ruc=ruc.base,
        dv=ruc.dv,
        establecimiento=de["establecimiento"],
        punto=de["punto"],
        numero=de["numero"],
        tipo_contribuyente=tipo_contribuyente,
        fecha=fecha,
        tipo_emision=de.get("tipoEmision", 1),
        codigo_seguridad=codigo_seguridad,
    )


def make_doc(
    local_id: int, numero: int | None = None, *, with_cdc: bool = False, **de_kwargs: Any
) -> OutgoingDocument:
    """An OutgoingDocument around `make_de`; with_cdc=True predicts its CDC locally."""
    de = make_de(numero if numero is not None else local_id, **de_kwargs)
    cdc = None
    if with_cdc:
        code = f"{100_000_000 + local_id * 7919:09d}"
        cdc = expected_cdc(de, code)
    return OutgoingDocument(local_id=local_id, payload=de, numero=numero_text(de), cdc=cdc)
