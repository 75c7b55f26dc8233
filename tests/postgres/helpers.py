"""Small builders shared by the PostgreSQL tests."""

from __future__ import annotations

from dataclasses import replace

from desktop_app.domain.emisor import DEMO_EMISOR
from desktop_app.store.models import ProviderProfile
from tests.support.factories import document

TERMINAL_A = "a" * 32
TERMINAL_B = "b" * 32
TERMINAL_C = "c" * 32


def profile(name: str = "tienda", base_url: str = "http://127.0.0.1:9", **kw) -> ProviderProfile:
    """A FacturaSend profile of the demo emisor (the sandbox's)."""
    values = dict(
        name=name,
        provider="facturasend",
        country="PY",
        base_url=base_url,
        tenant="demo",
        emisor_ruc=DEMO_EMISOR.ruc,
        emisor_name=DEMO_EMISOR.razon_social,
        tipo_contribuyente=DEMO_EMISOR.tipo_contribuyente,
        max_batch=50,
        poll_first_s=0.2,
        poll_every_s=0.5,
        is_default=True,
    )
    values.update(kw)
    return ProviderProfile(**values)


def document_on(punto: str, establecimiento: str = "001", **kw):
    return replace(document(**kw), establecimiento=establecimiento, punto=punto)
