"""CUIT / CUIL: Argentina's 11-digit tax and labour ids and their check digit.

PROVIDERS.md, "Argentina facts": the check digit comes from the weights
5, 4, 3, 2, 7, 6, 5, 4, 3, 2 over the first ten digits; dv = 11 − (sum mod 11), where
11 becomes 0. A result of 10 never occurs in a real CUIT (ARCA hands out another
prefix instead: 20 becomes 23 or 24, 27 becomes 23, 30 becomes 33 or 34), so such a
number is rejected. Known prefixes: 20, 23, 24, 27 (people), 30, 33, 34 (companies),
50, 51, 55 (other entities). CUIL numbers follow the same layout and algorithm.

Worked example (the one PROVIDERS.md prints), 20-26756539-3:

    digits   2  0  2  6  7  5  6  5  3  9
    weights  5  4  3  2  7  6  5  4  3  2
    products 10 0  6 12 49 30 30 20  9 18  -> sum 184
    184 mod 11 = 8, 11 - 8 = 3  -> check digit 3
"""

from __future__ import annotations

import re

WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
KNOWN_PREFIXES = frozenset({"20", "23", "24", "27", "30", "33", "34", "50", "51", "55"})

_SEPARATORS_RE = re.compile(r"[\s.\-/]")


def normalise_cuit(text: object) -> str:
    """The digits a user typed, without the usual separators ("20-26756539-3",
    "20.26756539.3", " 20267565393 " -> "20267565393"). Other characters are kept, so
    that a later check can complain about them."""
    return _SEPARATORS_RE.sub("", str(text if text is not None else ""))


def cuit_check_digit(first_ten: str) -> int | None:
    """The check digit for ten digits, or None when the algorithm gives 10 (such a
    CUIT cannot exist: ARCA assigns another prefix)."""
    if len(first_ten) != 10 or not first_ten.isdigit():
        raise ValueError("a CUIT check digit needs exactly ten digits")
    total = sum(int(d) * w for d, w in zip(first_ten, WEIGHTS, strict=True))
    dv = 11 - total % 11
    if dv == 11:
        return 0
    if dv == 10:
        return None
    return dv


def format_cuit(cuit: str) -> str:
    """ "20267565393" -> "20-26756539-3" (input already normalised to 11 digits)."""
    return f"{cuit[:2]}-{cuit[2:10]}-{cuit[10:]}"


def cuit_error(text: object) -> str | None:
    """Why `text` is not a valid CUIT/CUIL, as a Spanish sentence; None when it is.

    The check-digit message names the digit expected, so the cashier can tell a typo
    in the last digit from a wrong number.
    """
    digits = normalise_cuit(text)
    if not digits:
        return "El CUIT es obligatorio."
    if not digits.isdigit():
        return f"El CUIT «{text}» solo puede contener dígitos (y guiones)."
    if len(digits) != 11:
        return f"El CUIT «{text}» debe tener 11 dígitos (tiene {len(digits)})."
    if digits[:2] not in KNOWN_PREFIXES:
        prefixes = ", ".join(sorted(KNOWN_PREFIXES))
        return f"El CUIT {format_cuit(digits)} empieza con {digits[:2]}, que no es un prefijo válido ({prefixes})."
    expected = cuit_check_digit(digits[:10])
    if expected is None:
        return (
            f"El CUIT {format_cuit(digits)} no puede existir: con ese prefijo y número el dígito "
            "verificador da 10 (ARCA asigna otro prefijo en ese caso)."
        )
    if int(digits[10]) != expected:
        return (
            f"El dígito verificador del CUIT {format_cuit(digits)} es incorrecto: "
            f"debería ser {expected} ({digits[:2]}-{digits[2:10]}-{expected})."
        )
    return None


def is_valid_cuit(text: object) -> bool:
    return cuit_error(text) is None
