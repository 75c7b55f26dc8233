"""The emisor (the shop's taxpayer identity) and the CDC of its documents.

The CDC needs the emisor's RUC and tipo de contribuyente, which are not part of the DE
JSON (the provider account supplies them), hence this small value object.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from desktop_app.domain.cdc import build_cdc
from desktop_app.domain.document import Document
from desktop_app.domain.ruc import Ruc, parse_ruc, ruc_error


@dataclass(frozen=True)
class Emisor:
    ruc: str
    razon_social: str
    tipo_contribuyente: int  # 1 persona física, 2 persona jurídica (MT v150 D0: iTipCont)


#: Demo emisor. 80069563-1 is the RUC inside the public CDC
#: 01800695631001002100694612021112410311184194 (FacturaSend's example answer); its
#: check digit is 1 (weights 2..9 over 80069563 give 197, 197 mod 11 = 10, 11 - 10 = 1).
DEMO_EMISOR = Emisor(ruc="80069563-1", razon_social="Comercial Demo S.A.", tipo_contribuyente=2)


def cdc_for(doc: Document, emisor: Emisor) -> str:
    """The 44-digit CDC of `doc` issued by `emisor` (SIFEN MT v150 §10.1).

    Raises ValueError when the document has no number or security code yet, or when
    the emisor's RUC is not valid: a CDC built from missing parts would be wrong for
    ever, since the CDC is the document's identity at SIFEN.
    """
    if doc.numero is None:
        raise ValueError("the document has no number yet")
    if doc.codigo_seguridad is None:
        raise ValueError("the document has no security code yet")
    ruc = _emisor_ruc(emisor.ruc)
    return build_cdc(
        tipo_documento=doc.tipo_documento,
        ruc=ruc.base,
        dv=ruc.dv,
        establecimiento=doc.establecimiento,
        punto=doc.punto,
        numero=doc.numero,
        tipo_contribuyente=emisor.tipo_contribuyente,
        fecha=doc.fecha.date(),
        tipo_emision=doc.tipo_emision,
        codigo_seguridad=doc.codigo_seguridad,
    )


@lru_cache(maxsize=16)
def _emisor_ruc(text: str) -> Ruc:
    """The emisor's RUC, checked once rather than for each of an import's documents
    (a ValueError is not cached: it is raised again on every call)."""
    problem = ruc_error(text)
    ruc = parse_ruc(text)
    if problem or ruc is None:
        raise ValueError(f"invalid emisor RUC {text!r}: {problem}")
    return ruc
