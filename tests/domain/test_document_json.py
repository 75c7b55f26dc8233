"""The DE JSON ("Estructura JSON de un DE") read and written back losslessly."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from desktop_app.domain.document import (
    Customer,
    Document,
    Item,
    Payment,
    document_from_json,
    document_to_json,
)

#: FacturaSend's own example DE (seeds/facturasend-lote-create.txt, the body of its
#: curl example), re-indented.
FACTURASEND_EXAMPLE = json.loads(
    """
{
  "tipoDocumento": 1,
  "establecimiento": 1,
  "punto": "001",
  "numero": 5,
  "descripcion": "Aparece en el documento",
  "observacion": "Cualquier informacion de marketing, publicidad, promociones, sorteos, etc. para el receptor",
  "fecha": "2021-10-19T10:11:00",
  "tipoEmision": 1,
  "tipoTransaccion": 1,
  "tipoImpuesto": 1,
  "moneda": "PYG",
  "cliente": {
    "contribuyente": true,
    "ruc": "2005001-1",
    "razonSocial": "Marcos Adrian Jara Rodriguez",
    "nombreFantasia": "Marcos Adrian Jara Rodriguez",
    "tipoOperacion": 1,
    "direccion": "Avda Calle Segunda y Proyectada",
    "numeroCasa": "1515",
    "departamento": 11,
    "departamentoDescripcion": "ALTO PARANA",
    "distrito": 143,
    "distritoDescripcion": "DOMINGO MARTINEZ DE IRALA",
    "ciudad": 3344,
    "ciudadDescripcion": "PASO ITA (INDIGENA)",
    "pais": "PRY",
    "paisDescripcion": "Paraguay",
    "tipoContribuyente": 1,
    "documentoTipo": 1,
    "documentoNumero": "2324234",
    "telefono": "061229382",
    "celular": "0983123765",
    "email": "cliente@empresa.com, cliente@personal.com",
    "codigo": "1548"
  },
  "usuario": {
    "documentoTipo": 1,
    "documentoNumero": "157264",
    "nombre": "Marcos Jara",
    "cargo": "Vendedor"
  },
  "factura": {
    "presencia": 1
  },
  "condicion": {
    "tipo": 1,
    "entregas": [
      {
        "tipo": 1,
        "monto": "150000",
        "moneda": "PYG",
        "monedaDescripcion": "Guarani",
        "cambio": 0.0
      },
      {
        "tipo": 3,
        "monto": "150000",
        "moneda": "PYG",
        "monedaDescripcion": "Guarani",
        "cambio": 0.0,
        "infoTarjeta": {
          "numero": 1234,
          "tipo": 1,
          "tipoDescripcion": "Dinelco",
          "titular": "Marcos Jara",
          "ruc": "69695654-1",
          "razonSocial": "Bancard",
          "medioPago": 1,
          "codigoAutorizacion": 232524234
        }
      },
      {
        "tipo": 2,
        "monto": "150000",
        "moneda": "PYG",
        "monedaDescripcion": "Guarani",
        "cambio": 0.0,
        "infoCheque": {
          "numeroCheque": "32323232",
          "banco": "Sudameris"
        }
      }
    ],
    "credito": {
      "tipo": 1,
      "plazo": "30 días",
      "cuotas": 2,
      "montoEntrega": 1500000.0,
      "infoCuotas": [
        {
          "moneda": "PYG",
          "monto": 800000.0,
          "vencimiento": "2021-10-30"
        },
        {
          "moneda": "PYG",
          "monto": 800000.0,
          "vencimiento": "2021-11-30"
        }
      ]
    }
  },
  "items": [
    {
      "codigo": "A-001",
      "descripcion": "Producto o Servicio",
      "observacion": "Información adicional o complementaria sobre el producto",
      "ncm": "123456",
      "unidadMedida": 77,
      "cantidad": 10.5,
      "precioUnitario": 10800,
      "cambio": 0.0,
      "ivaTipo": 1,
      "ivaBase": 100,
      "iva": 5,
      "lote": "A-001",
      "vencimiento": "2022-10-30",
      "numeroSerie": "",
      "numeroPedido": "",
      "numeroSeguimiento": ""
    }
  ]
}
"""
)


def _example() -> dict[str, Any]:
    return copy.deepcopy(FACTURASEND_EXAMPLE)


def _read(data: Any) -> Document:
    doc, errors = document_from_json(data)
    assert errors == []
    assert doc is not None
    return doc


def _errors(data: Any) -> list[tuple[str, str]]:
    doc, errors = document_from_json(data)
    assert doc is None
    return [(e.field, e.message) for e in errors]


def test_facturasend_example_round_trips_except_that_string_amounts_become_numbers() -> None:
    original = _example()
    out = document_to_json(_read(original))
    expected = _example()
    for entrega in expected["condicion"]["entregas"]:
        entrega["monto"] = int(entrega["monto"])  # "150000" -> 150000
    assert out == expected
    assert original == FACTURASEND_EXAMPLE  # the input is not mutated


def test_round_trip_is_stable_after_the_first_normalisation() -> None:
    once = document_to_json(_read(_example()))
    assert document_to_json(_read(once)) == once
    assert json.loads(json.dumps(once)) == once  # plain JSON types only


def test_facturasend_example_is_read_into_the_dataclasses() -> None:
    doc = _read(_example())
    assert doc.tipo_documento == 1
    assert (doc.establecimiento, doc.punto, doc.numero) == ("001", "001", 5)
    assert doc.numero_display == "001-001-0000005"
    assert doc.fecha == datetime(2021, 10, 19, 10, 11)
    assert doc.cliente.contribuyente is True
    assert doc.cliente.ruc == "2005001-1"
    assert doc.cliente.razon_social == "Marcos Adrian Jara Rodriguez"
    assert doc.cliente.tipo_contribuyente == 1
    assert doc.cliente.extra["nombreFantasia"] == "Marcos Adrian Jara Rodriguez"
    assert doc.cliente.extra["departamento"] == 11
    item = doc.items[0]
    assert (item.cantidad, item.precio_unitario) == (Decimal("10.5"), Decimal(10800))
    assert (item.iva_tipo, item.iva_base, item.iva, item.codigo) == (1, 100, 5, "A-001")
    assert item.extra["ncm"] == "123456"
    assert [p.tipo for p in doc.entregas] == [1, 3, 2]
    assert doc.entregas[0].monto == Decimal(150000)
    assert doc.entregas[1].extra["infoTarjeta"]["tipoDescripcion"] == "Dinelco"
    assert doc.credito is not None and doc.credito["cuotas"] == 2
    assert doc.usuario == {
        "documentoTipo": 1,
        "documentoNumero": "157264",
        "nombre": "Marcos Jara",
        "cargo": "Vendedor",
    }
    assert doc.factura == {"presencia": 1}


def test_establecimiento_is_written_as_int_and_punto_as_three_characters() -> None:
    data = _example()
    data["establecimiento"] = "002"
    data["punto"] = 3
    out = document_to_json(_read(data))
    assert (out["establecimiento"], out["punto"]) == (2, "003")


def test_numeric_strings_are_read_as_numbers() -> None:
    data = _example()
    data["numero"] = "0000005"
    data["items"][0]["cantidad"] = "10.5"
    data["items"][0]["precioUnitario"] = "10800"
    doc = _read(data)
    assert doc.numero == 5
    assert doc.items[0].cantidad == Decimal("10.5")
    out = document_to_json(doc)
    assert out["numero"] == 5
    assert out["items"][0]["cantidad"] == 10.5
    assert out["items"][0]["precioUnitario"] == 10800


def test_amounts_are_never_float_arithmetic() -> None:
    data = _example()
    data["items"][0]["cantidad"] = 0.1
    data["items"][0]["precioUnitario"] = 0.2
    item = _read(data).items[0]
    assert item.cantidad == Decimal("0.1") and item.precio_unitario == Decimal("0.2")


def test_unknown_keys_everywhere_come_back_unchanged() -> None:
    data = _example()
    data["condicionTipoCambio"] = 1
    data["documentoAsociado"] = {"formato": 1, "cdc": "0" * 44}
    data["cliente"]["nuevo"] = [1, {"a": None}]
    data["items"][0]["descuento"] = 500
    data["condicion"]["entregas"][0]["extraño"] = None
    data["condicion"]["otra"] = "x"
    out = document_to_json(_read(data))
    assert out["condicionTipoCambio"] == 1
    assert out["documentoAsociado"] == {"formato": 1, "cdc": "0" * 44}
    assert out["cliente"]["nuevo"] == [1, {"a": None}]
    assert out["items"][0]["descuento"] == 500
    assert out["condicion"]["entregas"][0]["extraño"] is None
    assert out["condicion"]["otra"] == "x"


def test_security_code_is_kept_as_text() -> None:
    data = _example()
    data["codigoSeguridadAleatorio"] = "000298398"
    assert document_to_json(_read(data))["codigoSeguridadAleatorio"] == "000298398"
    data["codigoSeguridadAleatorio"] = 123456789
    assert _read(data).codigo_seguridad == "123456789"


def _minimal() -> dict[str, Any]:
    return {
        "tipoDocumento": 1,
        "fecha": "2024-05-02T09:30:00",
        "cliente": {"contribuyente": False, "razonSocial": "Sin Nombre", "documentoTipo": 5},
        "items": [{"descripcion": "Pan", "cantidad": 2, "precioUnitario": 5500}],
    }


def test_minimal_document_gets_the_documented_defaults() -> None:
    doc = _read(_minimal())
    assert (doc.establecimiento, doc.punto, doc.numero) == ("001", "001", None)
    assert doc.numero_display == "001-001-???????"
    assert (doc.items[0].iva_tipo, doc.items[0].iva_base, doc.items[0].iva) == (1, 100, 10)
    out = document_to_json(doc)
    assert "numero" not in out
    assert out["factura"] == {"presencia": 1}
    assert out["condicion"] == {"tipo": 1}
    assert out["cliente"]["pais"] == "PRY"
    assert out["items"][0]["unidadMedida"] == 77


def test_credit_note_without_condicion_or_factura_gets_none_added() -> None:
    data = _minimal()
    data["tipoDocumento"] = 5
    data["notaCreditoDebito"] = {"motivo": 1}
    out = document_to_json(_read(data))
    assert "condicion" not in out and "factura" not in out
    assert out["notaCreditoDebito"] == {"motivo": 1}


def test_document_built_in_python_serialises_like_facturasend_expects() -> None:
    doc = Document(
        cliente=Customer(
            contribuyente=True, razon_social="Cliente S.A.", ruc="80069563-1", tipo_contribuyente=2
        ),
        items=[
            Item(descripcion="Servicio", cantidad=Decimal("1.50"), precio_unitario=Decimal(20000))
        ],
        fecha=datetime(2024, 5, 2, 9, 30, 15, 123456),
        numero=7,
        codigo_seguridad="123456789",
        entregas=[Payment(tipo=1, monto=Decimal("30000.00"))],
    )
    out = document_to_json(doc)
    assert out["fecha"] == "2024-05-02T09:30:15"
    assert out["items"][0]["cantidad"] == 1.5
    assert out["condicion"]["entregas"] == [{"tipo": 1, "monto": 30000, "moneda": "PYG"}]
    assert out["cliente"]["ruc"] == "80069563-1"
    assert _read(out).items[0].cantidad == Decimal("1.5")


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize("data", [None, [], "factura", 5])
def test_something_that_is_not_an_object_is_reported_not_raised(data: Any) -> None:
    assert len(_errors(data)) == 1


def test_cantidad_that_is_not_a_number_is_reported_with_its_path() -> None:
    data = _example()
    data["items"][0]["cantidad"] = "diez"
    assert _errors(data) == [("items[0].cantidad", "Cantidad del ítem 1: debe ser un número.")]


def test_every_type_problem_is_reported_with_its_path() -> None:
    data = _example()
    data["tipoDocumento"] = "uno"
    data["fecha"] = "19/10/2021"
    data["cliente"]["contribuyente"] = "si"
    data["cliente"]["razonSocial"] = 123
    data["items"][0]["precioUnitario"] = True
    data["items"][0]["ivaTipo"] = 1.5
    data["condicion"]["entregas"][1]["monto"] = None
    data["condicion"]["credito"] = "30 días"
    fields = [f for f, _ in _errors(data)]
    assert sorted(fields) == sorted(
        [
            "tipoDocumento",
            "fecha",
            "cliente.contribuyente",
            "cliente.razonSocial",
            "items[0].precioUnitario",
            "items[0].ivaTipo",
            "condicion.entregas[1].monto",
            "condicion.credito",
        ]
    )


def test_missing_required_parts_are_reported() -> None:
    fields = [f for f, _ in _errors({"tipoDocumento": 1})]
    assert sorted(fields) == ["cliente", "fecha", "items"]


def test_wrongly_shaped_containers_are_reported() -> None:
    data = _example()
    data["items"] = {"descripcion": "x"}
    data["cliente"] = []
    data["condicion"]["entregas"] = [1]
    assert sorted(f for f, _ in _errors(data)) == [
        "cliente",
        "condicion.entregas[0]",
        "items",
    ]


def test_fecha_with_a_time_zone_is_refused_because_sifen_uses_local_time() -> None:
    data = _example()
    data["fecha"] = "2021-10-19T10:11:00-03:00"
    assert [f for f, _ in _errors(data)] == ["fecha"]


def test_bad_establecimiento_type_is_reported() -> None:
    data = _example()
    data["establecimiento"] = [1]
    assert [f for f, _ in _errors(data)] == ["establecimiento"]


def test_messages_are_spanish_and_name_the_field() -> None:
    data = _example()
    data["condicion"]["entregas"][0]["monto"] = "mucho"
    assert _errors(data) == [
        ("condicion.entregas[0].monto", "Monto del pago 1: debe ser un número.")
    ]


def test_the_numbered_json_is_what_a_numbered_document_serialises_to() -> None:
    """The outbox numbers an imported document from the JSON the preview kept
    (`ParaguayRules.numbered_json`): the very dict, key order included, that
    `document_to_json` writes for the document with that number."""
    from desktop_app.domain.paraguay import RULES

    data = _example()
    data.pop("numero", None)
    data["descripcion"] = "Venta"
    data["extraClave"] = {"a": [1]}
    doc = _read(data)
    numbered = RULES.numbered_json(document_to_json(doc), 42)
    expected = document_to_json(RULES.with_numero(doc, 42))
    assert list(numbered.items()) == list(expected.items())
    assert json.dumps(numbered) == json.dumps(expected)


def test_extra_keys_are_copied_not_shared() -> None:
    data = _example()
    data["cliente"]["nuevo"] = [1, {"a": None}]
    doc = _read(data)
    data["cliente"]["nuevo"][1]["a"] = "cambiado"
    out = document_to_json(doc)
    assert out["cliente"]["nuevo"] == [1, {"a": None}]
    out["cliente"]["nuevo"].append(2)
    assert doc.cliente.extra["nuevo"] == [1, {"a": None}]
