"""Money is Decimal, PYG has no decimals, rounding is half-up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop_app.domain.money import format_amount, quantize, round_down_to_50, to_decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (150000, Decimal(150000)),
        ("150000", Decimal(150000)),
        (" 1 500 ", Decimal(1500)),
        (10.5, Decimal("10.5")),
        (0.1, Decimal("0.1")),
        ("10.50", Decimal("10.50")),
        (Decimal("3.14"), Decimal("3.14")),
    ],
)
def test_numbers_and_numeric_strings_become_exact_decimals(
    value: object, expected: Decimal
) -> None:
    assert to_decimal(value) == expected


def test_float_is_read_by_its_shortest_repr_not_its_binary_value() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal(0.1) != Decimal(0.1)


@pytest.mark.parametrize(
    "value",
    [None, True, False, "", "abc", "1,5", "NaN", "Infinity", float("nan"), float("inf"), [1], {}],
)
def test_things_that_are_not_amounts_give_none(value: object) -> None:
    assert to_decimal(value) is None


def test_guaranies_round_half_up_to_integers() -> None:
    assert quantize(Decimal("10.5")) == Decimal(11)
    assert quantize(Decimal("10.49")) == Decimal(10)
    assert quantize(Decimal("2.5")) == Decimal(3)  # not banker's rounding


def test_dollars_keep_two_decimals() -> None:
    assert quantize(Decimal("1.005"), "USD") == Decimal("1.01")
    assert quantize(Decimal("1"), "USD") == Decimal("1.00")


def test_official_rounding_goes_down_to_a_multiple_of_50() -> None:
    assert round_down_to_50(Decimal(107437)) == Decimal(107400)
    assert round_down_to_50(Decimal(107450)) == Decimal(107450)
    assert round_down_to_50(Decimal(107499)) == Decimal(107450)


def test_amounts_are_formatted_the_paraguayan_way() -> None:
    assert format_amount(Decimal(1234567)) == "1.234.567"
    assert format_amount(Decimal("1234.5"), "USD") == "1.234,50"
    assert format_amount(Decimal(0)) == "0"
