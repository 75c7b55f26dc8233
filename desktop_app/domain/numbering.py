"""Document numbers as printed: establecimiento-punto-número, "001-001-0000001".

SIFEN MT v150 C005-C007: dEst (3 digits), dPunExp (3 digits), dNumDoc (7 digits).
FacturaSend answers with the same text in `deList[].numero` and takes the parts back in
`GET .../de/numero/{tipoDocumento}/{establecimiento}/{punto}/{numero}`.
"""

from __future__ import annotations

import re

_NUMERO_RE = re.compile(r"([0-9]{3})(-?)([0-9]{3})\2([0-9]{7})")


def format_numero(establecimiento: str | int, punto: str | int, numero: int) -> str:
    """ "001-001-0000001" from its parts (strings or ints, zero-padded).

    Raises ValueError when a part is not a number or does not fit its width, so a
    malformed number never reaches a provider or a printed KuDE.
    """
    est, pun, num = int(establecimiento), int(punto), int(numero)
    if not (0 <= est <= 999 and 0 <= pun <= 999 and 0 <= num <= 9_999_999):
        raise ValueError(f"número fuera de rango: {establecimiento}-{punto}-{numero}")
    return f"{est:03d}-{pun:03d}-{num:07d}"


def parse_numero(text: str) -> tuple[str, str, int] | None:
    """("001", "001", 1) from "001-001-0000001" (or the 13 digits without dashes).

    None when the text is not shaped like a document number, so callers reading a
    provider's answer can fall back instead of crashing.
    """
    if not isinstance(text, str):
        return None
    m = _NUMERO_RE.fullmatch(text.strip())
    if not m:
        return None
    return m.group(1), m.group(3), int(m.group(4))
