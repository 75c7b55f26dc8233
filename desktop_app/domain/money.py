"""Money is `Decimal`, never float.

PYG has no decimals (SIFEN MT v150: amounts in guaraníes are integers); other
currencies keep two. Rounding is half-up, as SET's examples do.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY_DECIMALS: dict[str, int] = {"PYG": 0, "USD": 2, "BOB": 2, "ARS": 2}


def to_decimal(value: object) -> Decimal | None:
    """Parse user or JSON input into a Decimal; None when it is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        d = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not text:
            return None
        try:
            d = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    return d if d.is_finite() else None


#: The quantum of each currency (Decimal("1"), Decimal("0.01")), built once: `quantize`
#: runs several times per item of every document an import checks.
_QUANTA: dict[str, Decimal] = {c: Decimal(1).scaleb(-p) for c, p in CURRENCY_DECIMALS.items()}
_DEFAULT_QUANTUM = Decimal(1).scaleb(-2)


def quantize(amount: Decimal, currency: str = "PYG") -> Decimal:
    return amount.quantize(_QUANTA.get(currency, _DEFAULT_QUANTUM), rounding=ROUND_HALF_UP)


def round_down_to_50(amount: Decimal) -> Decimal:
    """Official rounding of PYG totals to multiples of 50 Gs (107 437 -> 107 400)."""
    return (amount / 50).to_integral_value(rounding=ROUND_DOWN) * 50


def format_amount(amount: Decimal, currency: str = "PYG") -> str:
    """Paraguayan style: thousands with '.', decimals with ','."""
    q = quantize(amount, currency)
    places = CURRENCY_DECIMALS.get(currency, 2)
    text = f"{q:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
