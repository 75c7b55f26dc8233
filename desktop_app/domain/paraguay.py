"""Paraguay (SIFEN): the DE JSON shared by FacturaSend and DTEpy, behind CountryRules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from desktop_app.domain.cdc import new_security_code
from desktop_app.domain.country import Summary
from desktop_app.domain.document import Document, document_from_json, document_to_json
from desktop_app.domain.emisor import Emisor, cdc_for
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.numbering import format_numero
from desktop_app.domain.ruc import tipo_contribuyente_for
from desktop_app.domain.totals import cash_payments, document_totals
from desktop_app.domain.validation import validate_document


class ParaguayRules:
    code = "PY"

    def parse(self, data: Any) -> tuple[Document | None, list[ValidationError]]:
        return document_from_json(data)

    def prepare(self, doc: Document) -> Document:
        """A cash payment for a cash sale that names none, the customer's tipo de
        contribuyente implied by the RUC, and a fresh CDC security code."""
        # One copy of the document, not one per change (`with_cash_payment`'s payments).
        changes: dict[str, Any] = {"entregas": cash_payments(doc)}
        cli = doc.cliente
        if cli.contribuyente and cli.tipo_contribuyente is None and cli.ruc:
            changes["cliente"] = replace(cli, tipo_contribuyente=tipo_contribuyente_for(cli.ruc))
        if doc.codigo_seguridad is None:
            changes["codigo_seguridad"] = new_security_code()
        return replace(doc, **changes)

    def validate(self, doc: Document, *, now: datetime | None = None) -> list[ValidationError]:
        return validate_document(doc, now=now)

    def summary(self, doc: Document) -> Summary:
        totals = document_totals(doc)
        cli = doc.cliente
        return Summary(
            tipo_documento=doc.tipo_documento, establecimiento=doc.establecimiento,
            punto=doc.punto, numero=doc.numero, fecha=doc.fecha,
            customer_name=cli.razon_social,
            customer_tax_id=(cli.ruc if cli.contribuyente else cli.documento_numero) or "",
            currency=doc.moneda, total=totals.total, iva_total=totals.iva_total,
        )

    def with_numero(self, doc: Document, numero: int) -> Document:
        return replace(doc, numero=numero)

    def to_json(self, doc: Document) -> dict[str, Any]:
        return document_to_json(doc)

    def numbered_json(self, data: dict[str, Any], numero: int) -> dict[str, Any]:
        """``to_json(with_numero(doc, numero))`` given ``data = to_json(doc)`` of a document
        without a number: the same keys in the same order ("numero" right after "punto",
        where `document_to_json` writes it), without building the JSON again. The outbox
        uses it when it numbers an imported document (BENCHMARKS.md, import)."""
        out: dict[str, Any] = {}
        for key, value in data.items():
            out[key] = value
            if key == "punto":
                out["numero"] = numero
        return out

    def display_number(self, tipo_documento: int, establecimiento: str, punto: str,
                       numero: int) -> str:
        return format_numero(establecimiento, punto, numero)

    def authority_id(self, doc: Document, emisor: Emisor) -> str | None:
        return cdc_for(doc, emisor) if emisor.ruc else None


RULES = ParaguayRules()
