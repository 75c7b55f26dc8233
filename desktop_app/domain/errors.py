"""The one shape of an error the user can fix (STYLE.md: errors are values).

Kept in its own module so that `document` (JSON parsing) and `validation` (business
rules) can both produce it without importing each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ValidationError:
    """One broken rule.

    `field` is the JSON path in the "Estructura JSON de un DE" shape ("cliente.ruc",
    "items[0].cantidad", "condicion.entregas"; "" for the document as a whole), so an
    import report and the invoice dialog can both point at the culprit. `message` is
    Spanish, names the field in the cashier's words and states the rule.
    """

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


_DOCUMENT_LABELS: dict[str, str] = {
    "tipoDocumento": "Tipo de documento",
    "establecimiento": "Establecimiento",
    "punto": "Punto de expedición",
    "numero": "Número del documento",
    "fecha": "Fecha de emisión",
    "tipoEmision": "Tipo de emisión",
    "tipoTransaccion": "Tipo de transacción",
    "tipoImpuesto": "Tipo de impuesto",
    "moneda": "Moneda",
    "descripcion": "Descripción del documento",
    "observacion": "Observación del documento",
    "codigoSeguridadAleatorio": "Código de seguridad",
    "cliente": "Cliente",
    "usuario": "Datos del vendedor",
    "factura": "Datos de la factura",
    "condicion": "Condición de la venta",
    "items": "Ítems",
}
_CUSTOMER_LABELS: dict[str, str] = {
    "contribuyente": "Cliente contribuyente (sí/no)",
    "ruc": "RUC del cliente",
    "razonSocial": "Nombre o razón social del cliente",
    "tipoOperacion": "Tipo de operación (B2B, B2C...)",
    "tipoContribuyente": "Tipo de contribuyente del cliente",
    "documentoTipo": "Tipo de documento de identidad del cliente",
    "documentoNumero": "Número de documento del cliente",
    "pais": "País del cliente",
    "email": "Correo del cliente",
    "telefono": "Teléfono del cliente",
    "direccion": "Dirección del cliente",
}
_ITEM_LABELS: dict[str, str] = {
    "codigo": "Código",
    "descripcion": "Descripción",
    "unidadMedida": "Unidad de medida",
    "cantidad": "Cantidad",
    "precioUnitario": "Precio unitario",
    "ivaTipo": "Tipo de IVA",
    "ivaBase": "Proporción gravada",
    "iva": "Tasa de IVA",
}
_PAYMENT_LABELS: dict[str, str] = {
    "tipo": "Forma de pago",
    "monto": "Monto",
    "moneda": "Moneda",
}
_CONDICION_LABELS: dict[str, str] = {
    "tipo": "Condición de la venta (contado o crédito)",
    "entregas": "Pagos",
    "credito": "Datos del crédito",
}

_INDEXED_RE = re.compile(r"^(items|condicion\.entregas)\[(\d+)\](?:\.(\w+))?$")


def field_label(path: str) -> str:
    """Words a cashier understands for a JSON path: "items[1].precioUnitario" ->
    "Precio unitario del ítem 2". Unknown paths come back unchanged."""
    m = _INDEXED_RE.match(path)
    if m:
        group, index, key = m.group(1), int(m.group(2)) + 1, m.group(3)
        if group == "items":
            return f"{_ITEM_LABELS.get(key, key)} del ítem {index}" if key else f"Ítem {index}"
        return f"{_PAYMENT_LABELS.get(key, key)} del pago {index}" if key else f"Pago {index}"
    head, _, key = path.partition(".")
    if not key:
        return _DOCUMENT_LABELS.get(head, head or "Documento")
    if head == "cliente":
        return _CUSTOMER_LABELS.get(key, path)
    if head == "condicion":
        return _CONDICION_LABELS.get(key, path)
    return path


def error(path: str, rule: str) -> ValidationError:
    """A `ValidationError` whose message starts with the field's label: "Cantidad del
    ítem 1: debe ser mayor que cero."."""
    return ValidationError(path, f"{field_label(path)}: {rule}")
