"""What the outbox needs from a country's document rules.

Lote stores every document the same way (a summary in columns, the provider family's
native JSON as payload); each country module (`paraguay.py`, `bolivia.py`,
`argentina.py`) knows how to parse, complete, validate and summarise its own documents.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from desktop_app.domain.emisor import Emisor
from desktop_app.domain.errors import ValidationError


@dataclass(frozen=True)
class Summary:
    """The columns a document is listed, numbered and searched by."""

    tipo_documento: int
    establecimiento: str
    punto: str
    numero: int | None
    fecha: datetime
    customer_name: str
    customer_tax_id: str
    currency: str
    total: Decimal
    iva_total: Decimal
    external_ref: str | None = None


class CountryRules(Protocol):
    code: str  # ISO 3166-1 alpha-2: "PY", "BO", "AR"

    def parse(self, data: Any) -> tuple[Any | None, list[ValidationError]]:
        """The provider family's native JSON -> a document, or every shape error."""
        ...

    def prepare(self, doc: Any) -> Any:
        """Fill what Lote decides rather than the user (defaults, security codes)."""
        ...

    def validate(self, doc: Any, *, now: datetime | None = None) -> list[ValidationError]:
        ...

    def summary(self, doc: Any) -> Summary: ...

    def with_numero(self, doc: Any, numero: int) -> Any: ...

    def to_json(self, doc: Any) -> dict[str, Any]: ...

    def display_number(self, tipo_documento: int, establecimiento: str, punto: str,
                       numero: int) -> str:
        """The number as printed and searched in this country ("001-001-0000001")."""
        ...

    def authority_id(self, doc: Any, emisor: Emisor) -> str | None:
        """An id the authority will use that Lote can compute before sending (SIFEN's
        CDC); None where the authority or provider assigns it (CUF, CAE)."""
        ...


_MODULES = {
    "PY": "desktop_app.domain.paraguay",
    "BO": "desktop_app.domain.bolivia",
    "AR": "desktop_app.domain.argentina",
}


def rules_for(country: str) -> CountryRules:
    """The rules of `country`; each module exposes a module-level `RULES` object."""
    try:
        module = importlib.import_module(_MODULES[country])
    except KeyError:
        raise ValueError(f"unknown country {country!r}") from None
    return module.RULES  # type: ignore[no-any-return]
