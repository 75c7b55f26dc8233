"""Printed document numbers: 001-001-0000001."""

from __future__ import annotations

import pytest

from desktop_app.domain.numbering import format_numero, parse_numero


def test_parts_are_zero_padded_to_3_3_and_7_digits() -> None:
    assert format_numero(1, "001", 5) == "001-001-0000005"
    assert format_numero("12", 3, 1234567) == "012-003-1234567"


@pytest.mark.parametrize(("est", "punto", "numero"), [(1000, 1, 1), (1, 1, 10_000_000), (1, -1, 1)])
def test_parts_that_do_not_fit_are_refused(est: int, punto: int, numero: int) -> None:
    with pytest.raises(ValueError):
        format_numero(est, punto, numero)


def test_parsing_gives_back_the_parts() -> None:
    assert parse_numero("001-002-0000005") == ("001", "002", 5)
    assert parse_numero(" 0010020000005 ") == ("001", "002", 5)


@pytest.mark.parametrize("text", ["", "1-1-5", "001-001-000005", "001-0010000005", "abc"])
def test_text_not_shaped_like_a_number_gives_none(text: str) -> None:
    assert parse_numero(text) is None
