"""Paraguayan RUC and its check digit.

SET's "Algoritmo de cálculo del dígito verificador" (modulo 11, the same one the CDC
uses, SIFEN MT v150 §10.1): weights 2..11 from the rightmost digit, restarting at 2
after 11; r = total mod 11; DV = 11 - r, or 0 when r <= 1. Non-digit characters of old
RUCs count by their character code, as SET's reference implementation does.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

_RUC_RE = re.compile(r"^\s*([0-9A-Za-z]{1,8})\s*-\s*([0-9])\s*$")


#: The weights 2..11 from the rightmost digit, restarting at 2 (base_max 11), for up to
#: 64 digits: a CDC has 43.
_WEIGHTS = tuple(2 + i % 10 for i in range(64))
_WEIGHT_SUMS = tuple(sum(_WEIGHTS[:n]) for n in range(65))


def mod11_check_digit(number: str, base_max: int = 11) -> int:
    if base_max == 11 and len(number) <= 64 and number.isascii() and number.isdigit():
        # All digits (every CDC, most RUCs): the same sum over the bytes, without a
        # Python step per digit (each saved document computes a CDC).
        codes = number.encode()[::-1]
        total = sum(map(operator.mul, codes, _WEIGHTS)) - 48 * _WEIGHT_SUMS[len(codes)]
        r = total % 11
        return 0 if r <= 1 else 11 - r
    total = 0
    weight = 2
    for ch in reversed(number):
        value = int(ch) if ch.isdigit() else ord(ch.upper())
        total += value * weight
        weight = 2 if weight >= base_max else weight + 1
    r = total % 11
    return 0 if r <= 1 else 11 - r


@dataclass(frozen=True)
class Ruc:
    base: str
    dv: int

    def __str__(self) -> str:
        return f"{self.base}-{self.dv}"


def parse_ruc(text: str) -> Ruc | None:
    """Parse "80069563-1" into its parts; None if it is not shaped like a RUC."""
    m = _RUC_RE.match(text or "")
    if not m:
        return None
    return Ruc(m.group(1).upper(), int(m.group(2)))


def ruc_error(text: str) -> str | None:
    """Spanish message naming the rule a RUC breaks, or None if it is valid."""
    ruc = parse_ruc(text)
    if ruc is None:
        return "El RUC debe tener la forma 80012345-6 (hasta 8 caracteres, guion y dígito verificador)."
    expected = mod11_check_digit(ruc.base)
    if expected != ruc.dv:
        return f"El dígito verificador del RUC {ruc.base} debe ser {expected}, no {ruc.dv}."
    return None


def is_valid_ruc(text: str) -> bool:
    return ruc_error(text) is None


def tipo_contribuyente_for(text: str) -> int | None:
    """SIFEN iTiContRec guessed from a RUC: companies' RUCs start with 80 (persona
    jurídica, 2); people's RUCs are their cédula (persona física, 1)."""
    ruc = parse_ruc(text)
    if ruc is None:
        return None
    return 2 if ruc.base.startswith("80") and len(ruc.base) == 8 else 1
