"""Realistic sample documents in each country's import format, for demo data, soak runs
and benchmarks. A share of them is valid for Lote but refused by the (simulated)
authority, so every run exercises rejections too."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from desktop_app.domain.ruc import mod11_check_digit

_NAMES = ["Ferretería El Tornillo S.A.", "Almacén Don Pedro", "Distribuidora Central S.R.L.",
          "Comercial Norte S.A.", "Farmacia Santa Rita", "Librería La Paz", "Kiosko 24 Horas"]
_ITEMS = [("Cemento portland 50 kg", 55_000, 10), ("Arroz 1 kg", 10_500, 5),
          ("Libro de lectura", 50_000, 0), ("Martillo", 35_000, 10), ("Aceite 900 ml", 18_000, 5)]


def _ruc(base: int) -> str:
    text = str(base)
    return f"{text}-{mod11_check_digit(text)}"


def paraguay(n: int, *, invalid_share: float = 0.1, seed: int = 1,
             cancelled_ruc: str = "80000001-3") -> list[dict[str, Any]]:
    """FacturaSend/DTEpy DE JSON; the invalid ones name a customer SIFEN knows as
    cancelled (valid check digit, so Lote accepts them)."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        items = []
        for desc, price, iva in rng.sample(_ITEMS, rng.randint(1, 3)):
            items.append({"descripcion": desc, "cantidad": rng.randint(1, 5), "precioUnitario": price,
                          "ivaTipo": 1 if iva else 3, "ivaBase": 100 if iva else 0, "iva": iva})
        invalid = rng.random() < invalid_share
        docs.append({
            "tipoDocumento": 1, "establecimiento": 1, "punto": "001",
            "fecha": datetime.now().replace(microsecond=0).isoformat(),
            "tipoEmision": 1, "tipoTransaccion": 1, "tipoImpuesto": 1, "moneda": "PYG",
            "cliente": {"contribuyente": True,
                        "ruc": cancelled_ruc if invalid else _ruc(rng.randint(80_000_100, 80_099_999)),
                        "razonSocial": rng.choice(_NAMES), "tipoOperacion": 1},
            "condicion": {"tipo": 1},
            "items": items,
        })
    return docs


def bolivia(n: int, *, invalid_share: float = 0.1, seed: int = 1) -> list[dict[str, Any]]:
    from desktop_app.sandbox.cucu import sample_invoices

    return sample_invoices(n, invalid_share=invalid_share, seed=seed)


def argentina(n: int, *, invalid_share: float = 0.1, seed: int = 1) -> list[dict[str, Any]]:
    from desktop_app.sandbox.tusfacturas import sample_comprobantes

    return sample_comprobantes(n, invalid_share=invalid_share, seed=seed)


SAMPLERS = {"PY": paraguay, "BO": bolivia, "AR": argentina}
