"""Reading fields of provider answers defensively: the pages are often silent about
types, and a number may come as a string, a float or a Decimal, a list as one object."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any


def as_list(value: Any) -> list[Any]:
    """A list as is; a single object as a one-item list (DTEpy's gResProcLote quirk)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_int(value: Any) -> int | None:
    """A whole number given as int, integral float/Decimal or digit string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def as_text(value: Any) -> str | None:
    """Trimmed text of a scalar; None for missing, empty, booleans and containers."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    result = str(value).strip()
    return result or None
