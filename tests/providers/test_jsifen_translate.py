"""``de_to_sifen``: Lote's FacturaSend-style DE JSON in SIFEN's own names, as JSIFEN takes it.

A worked example checks every mapped field at once (the whole body is compared), with
amounts worked out by hand from the rules in domain/totals.py (IVA included, NT 13).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from desktop_app.domain.cdc import is_valid_cdc
from desktop_app.providers.base import OutgoingDocument
from desktop_app.providers.jsifen import build_recibe_body, de_to_sifen
from tests.providers.factories import CUSTOMER_RUC, make_doc

assert CUSTOMER_RUC == "80012345-0"

#: One factura with everything Lote maps: two payments, a customer with contact data,
#: a cashier, four items (10 %, 5 %, exento, gravado parcial 30 % at 10 %), and two
#: SIFEN-named keys the emisor's setup put in the stored JSON.
PAYLOAD: dict[str, Any] = {
    "tipoDocumento": 1,
    "establecimiento": 2,
    "punto": "003",
    "numero": 45,
    "descripcion": "Pedido 778",
    "observacion": "Gracias por su compra",
    "fecha": "2024-10-19T10:11:00",
    "tipoEmision": 1,
    "tipoTransaccion": 2,
    "tipoImpuesto": 1,
    "moneda": "PYG",
    "codigoSeguridadAleatorio": "12345",
    "cliente": {
        "contribuyente": True,
        "ruc": "80012345-0",
        "razonSocial": "Ferretería El Tornillo S.A.",
        "tipoOperacion": 1,
        "tipoContribuyente": 2,
        "pais": "PRY",
        "direccion": "Av. España 123",
        "telefono": "021 123456",
        "email": "compras@tornillo.com.py",
        "codigo": "CLI-7",
    },
    "usuario": {
        "documentoTipo": 1,
        "documentoNumero": "157264",
        "nombre": "Ana Cajera",
        "cargo": "Vendedora",
    },
    "factura": {"presencia": 1},
    "condicion": {
        "tipo": 1,
        "entregas": [
            {"tipo": 1, "monto": 200_000, "moneda": "PYG"},
            {"tipo": 3, "monto": 61_500, "moneda": "PYG"},
        ],
    },
    "items": [
        {"codigo": "M-1", "descripcion": "Martillo", "unidadMedida": 77, "cantidad": 2,
         "precioUnitario": 55_000, "ivaTipo": 1, "ivaBase": 100, "iva": 10},
        {"codigo": "A-2", "descripcion": "Arroz 1 kg", "unidadMedida": 83, "cantidad": 3,
         "precioUnitario": 10_500, "ivaTipo": 1, "ivaBase": 100, "iva": 5},
        {"descripcion": "Libro", "cantidad": 1, "precioUnitario": 20_000, "ivaTipo": 3,
         "ivaBase": 0, "iva": 0},
        {"codigo": "S-4", "descripcion": "Servicio parcial", "cantidad": 1,
         "precioUnitario": 100_000, "ivaTipo": 4, "ivaBase": 30, "iva": 10},
    ],
    "dNumTim": 12345678,
    "dFeIniT": "2024-01-01",
    "dCodSeg": "999999999",  # SIFEN-named, but mapped from codigoSeguridadAleatorio: ignored
}

PAGO_EFECTIVO = {"iTiPago": 1, "dDesTiPag": "Efectivo", "dMonTiPag": 200_000,
                 "cMoneTiPag": "PYG", "dDMoneTiPag": "Guarani"}
PAGO_TARJETA = {"iTiPago": 3, "dDesTiPag": "Tarjeta de crédito", "dMonTiPag": 61_500,
                "cMoneTiPag": "PYG", "dDMoneTiPag": "Guarani"}

EXPECTED: dict[str, Any] = {
    # gOpeDE
    "iTipEmi": 1, "dDesTipEmi": "Normal", "dCodSeg": "000012345",
    "dInfoEmi": "Gracias por su compra", "dInfoFisc": "Pedido 778",
    # gTimb
    "iTiDE": 1, "dDesTiDE": "Factura electrónica",
    "dEst": "002", "dPunExp": "003", "dNumDoc": "0000045",
    # gDatGralOpe / gOpeCom
    "dFeEmiDE": "2024-10-19T10:11:00",
    "iTipTra": 2, "dDesTipTra": "Prestación de servicios",
    "iTImp": 1, "dDesTImp": "IVA",
    "cMoneOpe": "PYG", "dDesMoneOpe": "Guarani",
    # gEmis and gRespDE
    "dRucEm": "80069563", "dDVEmi": 1, "iTipCont": 2,
    "iTipIDRespDE": 1, "dDTipIDRespDE": "Cédula paraguaya", "dNumIDRespDE": "157264",
    "dNomRespDE": "Ana Cajera", "dCarRespDE": "Vendedora",
    # gDatRec
    "iNatRec": 1, "iTiOpe": 1, "cPaisRec": "PRY", "dDesPaisRe": "Paraguay",
    "iTiContRec": 2, "dRucRec": "80012345", "dDVRec": 0,
    "dNomRec": "Ferretería El Tornillo S.A.", "dDirRec": "Av. España 123",
    "dTelRec": "021 123456", "dEmailRec": "compras@tornillo.com.py", "dCodCliente": "CLI-7",
    # gCamFE
    "iIndPres": 1, "dDesIndPres": "Operación presencial",
    # gCamCond: the first payment flat (JSIFEN's example), all of them in gPaConEIni
    "iCondOpe": 1, "dDCondOpe": "Contado",
    **PAGO_EFECTIVO,
    "gPaConEIni": [PAGO_EFECTIVO, PAGO_TARJETA],
    # gTotSub: 110 000 + 31 500 + 20 000 + 100 000 = 261 500
    "dSubExe": 20_000, "dSubExo": 0, "dSub5": 31_500, "dSub10": 210_000,
    "dTotOpe": 261_500, "dTotDesc": 0, "dTotDescGlotem": 0, "dTotAntItem": 0, "dTotAnt": 0,
    "dPorcDescTotal": 0, "dDescTotal": 0, "dAnticipo": 0, "dRedon": 0,
    "dTotGralOpe": 261_500,
    # IVA 10: 110 000/11 = 10 000 plus 100 000·30·10/10 300 = 2 912.62 -> 12 913 (rounded once)
    "dIVA5": 1_500, "dIVA10": 12_913, "dTotIVA": 14_413,
    # base 10: 210 000 - 12 913 - exenta share 67 961 = 129 126
    "dBaseGrav5": 30_000, "dBaseGrav10": 129_126, "dTBasGraIVA": 159_126,
    "Detalles": [
        {"dCodInt": "M-1", "dDesProSer": "Martillo", "cUniMed": 77, "dDesUniMed": "UNI",
         "dCantProSer": 2, "dPUniProSer": 55_000, "dTotBruOpeItem": 110_000,
         "dTotOpeItem": 110_000, "iAfecIVA": 1, "dDesAfecIVA": "Gravado IVA",
         "dPropIVA": 100, "dTasaIVA": 10, "dBasGravIVA": 100_000, "dLiqIVAItem": 10_000,
         "dBasExe": 0},
        {"dCodInt": "A-2", "dDesProSer": "Arroz 1 kg", "cUniMed": 83, "dDesUniMed": "kg",
         "dCantProSer": 3, "dPUniProSer": 10_500, "dTotBruOpeItem": 31_500,
         "dTotOpeItem": 31_500, "iAfecIVA": 1, "dDesAfecIVA": "Gravado IVA",
         "dPropIVA": 100, "dTasaIVA": 5, "dBasGravIVA": 30_000, "dLiqIVAItem": 1_500,
         "dBasExe": 0},
        {"dCodInt": "3", "dDesProSer": "Libro", "cUniMed": 77, "dDesUniMed": "UNI",
         "dCantProSer": 1, "dPUniProSer": 20_000, "dTotBruOpeItem": 20_000,
         "dTotOpeItem": 20_000, "iAfecIVA": 3, "dDesAfecIVA": "Exento",
         "dPropIVA": 0, "dTasaIVA": 0, "dBasGravIVA": 0, "dLiqIVAItem": 0, "dBasExe": 0},
        {"dCodInt": "S-4", "dDesProSer": "Servicio parcial", "cUniMed": 77,
         "dDesUniMed": "UNI", "dCantProSer": 1, "dPUniProSer": 100_000,
         "dTotBruOpeItem": 100_000, "dTotOpeItem": 100_000, "iAfecIVA": 4,
         "dDesAfecIVA": "Gravado parcial (Grav-Exento)", "dPropIVA": 30, "dTasaIVA": 10,
         "dBasGravIVA": 29_126, "dLiqIVAItem": 2_913, "dBasExe": 67_961},
    ],
    # SIFEN-named keys of the stored JSON pass through
    "dNumTim": 12345678, "dFeIniT": "2024-01-01",
}


def test_worked_example_maps_every_field_to_its_sifen_name() -> None:
    assert de_to_sifen(PAYLOAD, "80069563-1", tipo_contribuyente=2) == EXPECTED


def test_the_stored_payload_is_not_modified() -> None:
    before = copy.deepcopy(PAYLOAD)
    de_to_sifen(PAYLOAD, "80069563-1")
    assert before == PAYLOAD


def test_a_customer_without_ruc_is_named_by_identity_document() -> None:
    payload = copy.deepcopy(PAYLOAD)
    payload["cliente"] = {"contribuyente": False, "razonSocial": "Juan Pérez",
                          "tipoOperacion": 2, "documentoTipo": 1, "documentoNumero": "2324234",
                          "pais": "PRY"}
    body = de_to_sifen(payload, "80069563-1")
    receptor = {k: body[k] for k in body if k in {
        "iNatRec", "iTiOpe", "cPaisRec", "dDesPaisRe", "iTiContRec", "dRucRec", "dDVRec",
        "iTipIDRec", "dDTipIDRec", "dNumIDRec", "dNomRec"}}
    assert receptor == {"iNatRec": 2, "iTiOpe": 2, "cPaisRec": "PRY", "dDesPaisRe": "Paraguay",
                        "iTipIDRec": 1, "dDTipIDRec": "Cédula paraguaya",
                        "dNumIDRec": "2324234", "dNomRec": "Juan Pérez"}


def test_a_credit_sale_maps_the_credit_group_and_no_payments() -> None:
    payload = copy.deepcopy(PAYLOAD)
    payload["condicion"] = {
        "tipo": 2,
        "credito": {"tipo": 2, "cuotas": 2, "infoCuotas": [
            {"moneda": "PYG", "monto": 130_750, "vencimiento": "2024-11-19"},
            {"moneda": "PYG", "monto": 130_750, "vencimiento": "2024-12-19"},
        ]},
    }
    body = de_to_sifen(payload, "80069563-1")
    assert body["iCondOpe"] == 2 and body["dDCondOpe"] == "Crédito"
    assert body["iCondCred"] == 2 and body["dDCondCred"] == "Cuota" and body["dCuotas"] == 2
    assert body["gCuotas"] == [
        {"cMoneCuo": "PYG", "dDMoneCuo": "Guarani", "dMonCuota": 130_750,
         "dVencCuo": "2024-11-19"},
        {"cMoneCuo": "PYG", "dDMoneCuo": "Guarani", "dMonCuota": 130_750,
         "dVencCuo": "2024-12-19"},
    ]
    assert "gPaConEIni" not in body and "iTiPago" not in body


def test_without_emisor_ruc_the_gateway_default_emisor_applies() -> None:
    body = de_to_sifen(PAYLOAD, None)
    assert "dRucEm" not in body and "dDVEmi" not in body and "iTipCont" not in body


def test_decimal_quantities_keep_their_decimals() -> None:
    payload = copy.deepcopy(PAYLOAD)
    payload["items"] = [{"descripcion": "Cable", "cantidad": "10.5", "precioUnitario": 10_800,
                         "ivaTipo": 1, "ivaBase": 100, "iva": 5}]
    payload["condicion"]["entregas"] = [{"tipo": 1, "monto": 113_400}]
    (detalle,) = de_to_sifen(payload, "80069563-1")["Detalles"]
    assert detalle["dCantProSer"] == 10.5
    assert detalle["dTotOpeItem"] == 113_400
    assert detalle["dLiqIVAItem"] == 5_400  # 113 400 / 21


@pytest.mark.parametrize("ruc", ["80069563-2", "nope", "80069563"])
def test_an_invalid_emisor_ruc_never_makes_a_body(ruc: str) -> None:
    with pytest.raises(ValueError):
        de_to_sifen(PAYLOAD, ruc)


def test_an_unreadable_de_never_makes_a_body() -> None:
    broken = copy.deepcopy(PAYLOAD)
    del broken["items"]
    with pytest.raises(ValueError, match="items"):
        de_to_sifen(broken, "80069563-1")
    unnumbered = copy.deepcopy(PAYLOAD)
    del unnumbered["numero"]
    with pytest.raises(ValueError):
        de_to_sifen(unnumbered, "80069563-1")


def test_recibe_body_takes_security_code_and_contribuyente_type_from_the_known_cdc() -> None:
    doc = make_doc(1, 7, with_cdc=True, codigo_seguridad="5")
    assert doc.cdc is not None and is_valid_cdc(doc.cdc)
    body = build_recibe_body(doc, "80069563-1")
    assert body["dCodSeg"] == doc.cdc[34:43] != "000000005"
    assert body["iTipCont"] == int(doc.cdc[24]) == 2
    assert (body["dRucEm"], body["dDVEmi"]) == ("80069563", 1)


def test_recibe_body_without_emisor_ruc_names_the_cdcs_emisor() -> None:
    doc = make_doc(1, 7, with_cdc=True)
    body = build_recibe_body(doc, None)
    assert (body["dRucEm"], body["dDVEmi"]) == ("80069563", 1)


def test_recibe_body_without_cdc_is_the_plain_translation() -> None:
    doc = OutgoingDocument(local_id=1, payload=PAYLOAD, numero="002-003-0000045")
    assert build_recibe_body(doc, "80069563-1") == {
        k: v for k, v in EXPECTED.items() if k != "iTipCont"
    }
