"""The QR codes printed on invoices: pure functions from document data to the QR text.

Each authority says what its QR carries; these builders follow that text and nothing
else, so a test can check a payload before it is encoded, and decode it back after.

- Paraguay, SIFEN MT v150 §13.8 (KuDE, "dCarQR"): the consultation URL
  ``https://ekuatia.set.gov.py/consultas/qr?`` followed by nVersion, Id (CDC), dFeEmiDE
  (the hex of the issue date-time as written in the XML), dRucRec (customer RUC without
  its DV) or dNumIDRec (identity document; "0" for an innominado), dTotGralOpe, dTotIVA,
  cItems, DigestValue (the hex of the XML signature's base64 DigestValue text) and IdCSC;
  then ``&cHashQR=`` + SHA-256 (lower-case hex) of that parameter string with the CSC
  secret appended. The manual's worked example (§13.8.4) is the test vector in
  tests/documents/test_qr.py. The provider signs the XML, so Lote has the DigestValue
  and the CSC only when the provider or the profile supplies them; without them the URL
  is *provisional* and the printout says so.
- Argentina, ARCA (AFIP) "Especificaciones técnicas del código QR": the URL
  ``https://www.afip.gob.ar/fe/qr/?p=`` + base64 of a JSON object with ver, fecha,
  cuit, ptoVta, tipoCmp, nroCmp, importe, moneda, ctz, tipoDocRec, nroDocRec,
  tipoCodAut ("E" for a CAE) and codAut.
- Bolivia, SIAT: the SIN's consultation URL
  ``https://siat.impuestos.gob.bo/consulta/QR?nit=<NIT emisor>&cuf=<CUF>&numero=<número
  de factura>&t=<tamaño>`` (``pilotosiat.impuestos.gob.bo`` in the pilot environment),
  where ``t`` is the printed size: 1 = rollo (ticket), 2 = hoja (carta/A4).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import segno

SIFEN_QR_URL = "https://ekuatia.set.gov.py/consultas/qr?"
SIFEN_QR_URL_TEST = "https://ekuatia.set.gov.py/consultas-test/qr?"
#: Where a person checks a CDC by hand (printed under the QR of the KuDE).
SIFEN_CONSULTA_URL = "https://ekuatia.set.gov.py/consultas/"
SIFEN_QR_VERSION = "150"

ARCA_QR_URL = "https://www.afip.gob.ar/fe/qr/?p="
ARCA_QR_VERSION = 1
#: ARCA's "tipoCodAut": E for a CAE, A for a CAEA.
ARCA_COD_AUT_CAE = "E"

SIAT_QR_URL = "https://siat.impuestos.gob.bo/consulta/QR"
SIAT_QR_URL_PILOT = "https://pilotosiat.impuestos.gob.bo/consulta/QR"
SIAT_SIZE_ROLL = 1
SIAT_SIZE_PAGE = 2


def to_hex(text: str) -> str:
    """Lower-case hex of the UTF-8 bytes of `text` (SIFEN's dFeEmiDE and DigestValue)."""
    return text.encode("utf-8").hex()


def amount_text(value: Decimal | int | str) -> str:
    """An amount as the QR carries it: no thousands separator, a point for decimals,
    no trailing zeros (300000, 12.5)."""
    d = Decimal(str(value))
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


# -- Paraguay (SIFEN) ---------------------------------------------------------------------


@dataclass(frozen=True)
class SifenQrData:
    """What the KuDE QR carries, as written in the signed XML.

    `fecha_emision` is dFeEmiDE as text ("2017-01-25T09:35:17"); `receptor_ruc` is the
    customer's RUC *without* its check digit (dRucRec), used when the customer is a
    contribuyente; otherwise `receptor_documento` (dNumIDRec, "0" when absent).
    `digest_value` is the base64 text of ds:DigestValue ("" when Lote does not have it).
    """

    cdc: str
    fecha_emision: str
    total: Decimal | int | str
    total_iva: Decimal | int | str
    items: int
    receptor_ruc: str | None = None
    receptor_documento: str | None = None
    digest_value: str = ""
    id_csc: str = "0001"


def sifen_qr_parameters(data: SifenQrData) -> str:
    """The parameter string of MT v150 §13.8 step 1 (before the hash), in the manual's
    order and with plain ``&`` (the XML escapes them only when written)."""
    if data.receptor_ruc:
        receptor = f"dRucRec={data.receptor_ruc.split('-')[0].strip()}"
    else:
        receptor = f"dNumIDRec={(data.receptor_documento or '0').strip() or '0'}"
    return (
        f"nVersion={SIFEN_QR_VERSION}&Id={data.cdc}&dFeEmiDE={to_hex(data.fecha_emision)}"
        f"&{receptor}&dTotGralOpe={amount_text(data.total)}"
        f"&dTotIVA={amount_text(data.total_iva)}&cItems={int(data.items)}"
        f"&DigestValue={to_hex(data.digest_value)}&IdCSC={data.id_csc.zfill(4)}"
    )


def sifen_qr_hash(parameters: str, csc: str) -> str:
    """cHashQR: SHA-256 of the parameter string followed by the CSC secret (step 3)."""
    return hashlib.sha256((parameters + csc).encode("utf-8")).hexdigest()


def sifen_qr_url(data: SifenQrData, csc: str | None = None, *, test: bool = False) -> str:
    """The KuDE QR URL. With the CSC it ends in ``&cHashQR=...`` as SIFEN checks it;
    without it the URL has no hash and is only provisional (it still carries the CDC,
    which is what a person needs to look the document up)."""
    parameters = sifen_qr_parameters(data)
    base = SIFEN_QR_URL_TEST if test else SIFEN_QR_URL
    if csc:
        return f"{base}{parameters}&cHashQR={sifen_qr_hash(parameters, csc)}"
    return base + parameters


def sifen_qr_fields(url: str) -> dict[str, str]:
    """The parameters of a KuDE QR URL (for checks and tests)."""
    query = url.split("?", 1)[1] if "?" in url else url
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


def is_complete_sifen_qr(url: str) -> bool:
    """True for a URL SIFEN can verify: it carries a DigestValue and a cHashQR."""
    fields = sifen_qr_fields(url)
    return bool(fields.get("DigestValue")) and len(fields.get("cHashQR", "")) == 64


# -- Argentina (ARCA) --------------------------------------------------------------------

#: TusFacturas' ``documento_tipo`` -> ARCA's document type code (FEParamGetTiposDoc).
ARCA_DOC_TYPES: dict[str, int] = {
    "CUIT": 80,
    "CUIL": 86,
    "CDI": 87,
    "PASAPORTE": 94,
    "DNI": 96,
    "OTRO": 99,
}
#: "Doc. (otro)" / consumidor final without a document.
ARCA_DOC_OTRO = 99


def _json_number(value: Decimal | int | str) -> int | float:
    d = Decimal(str(value))
    return int(d) if d == d.to_integral_value() else float(d)


def _digits(value: str | int) -> int:
    text = "".join(ch for ch in str(value) if ch.isdigit())
    return int(text) if text else 0


def arca_qr_payload(
    *,
    fecha: date,
    cuit: str | int,
    punto_venta: int,
    tipo_comprobante: int,
    numero: int,
    importe: Decimal | int | str,
    moneda: str,
    cotizacion: Decimal | int | str,
    cae: str | int,
    tipo_doc_receptor: int | None = None,
    nro_doc_receptor: str | int | None = None,
) -> dict[str, Any]:
    """The JSON object of ARCA's QR, field by field as its specification lists them.
    Numbers travel as JSON numbers; the CUIT and the CAE lose any dash or space."""
    payload: dict[str, Any] = {
        "ver": ARCA_QR_VERSION,
        "fecha": fecha.isoformat(),
        "cuit": _digits(cuit),
        "ptoVta": int(punto_venta),
        "tipoCmp": int(tipo_comprobante),
        "nroCmp": int(numero),
        "importe": _json_number(importe),
        "moneda": moneda,
        "ctz": _json_number(cotizacion),
    }
    if tipo_doc_receptor is not None:
        payload["tipoDocRec"] = int(tipo_doc_receptor)
    if nro_doc_receptor is not None:
        payload["nroDocRec"] = _digits(nro_doc_receptor)
    payload["tipoCodAut"] = ARCA_COD_AUT_CAE
    payload["codAut"] = _digits(cae)
    return payload


def arca_qr_url(payload: dict[str, Any]) -> str:
    """``https://www.afip.gob.ar/fe/qr/?p=`` + base64 of the JSON (compact, UTF-8)."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return ARCA_QR_URL + base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode_arca_qr(url: str) -> dict[str, Any]:
    """The JSON object inside an ARCA QR URL. Raises ValueError when it is not one."""
    if not url.startswith(ARCA_QR_URL):
        raise ValueError("not an ARCA QR URL")
    encoded = url[len(ARCA_QR_URL) :]
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        data = json.loads(decoded.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"malformed ARCA QR payload: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError("the ARCA QR payload is not a JSON object")
    return data


# -- Bolivia (SIAT) -------------------------------------------------------------------------


def siat_qr_url(
    nit: str | int, cuf: str, numero: str | int, *, size: int = SIAT_SIZE_ROLL, pilot: bool = False
) -> str:
    """The SIN consultation URL printed as the invoice's QR (see the module docstring)."""
    base = SIAT_QR_URL_PILOT if pilot else SIAT_QR_URL
    query = urlencode(
        {"nit": str(nit).strip(), "cuf": cuf.strip(), "numero": str(numero).strip(), "t": int(size)}
    )
    return f"{base}?{query}"


def siat_qr_fields(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# -- the symbol -------------------------------------------------------------------------------


def qr_matrix(text: str, *, error: str = "M") -> list[list[bool]]:
    """The QR symbol's modules (True = dark), without the quiet zone, so a painter can
    draw it as rectangles at any resolution (no image files). Error correction M is
    what payment and tax QRs commonly use; segno picks the smallest version."""
    symbol = segno.make_qr(text, error=error.lower(), boost_error=False)
    return [[bool(module) for module in row] for row in symbol.matrix]
