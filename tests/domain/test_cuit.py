"""CUIT/CUIL check digit (PROVIDERS.md, "Argentina facts"): weights 5,4,3,2,7,6,5,4,3,2,
dv = 11 − (sum mod 11), 11 → 0, 10 → no such CUIT. Every example is worked out by hand
in its comment."""

from __future__ import annotations

import pytest

from desktop_app.domain.cuit import (
    KNOWN_PREFIXES,
    cuit_check_digit,
    cuit_error,
    format_cuit,
    is_valid_cuit,
    normalise_cuit,
)


@pytest.mark.parametrize(
    ("first_ten", "dv"),
    [
        # 2·5+0·4+2·3+6·2+7·7+5·6+6·5+5·4+3·3+9·2 = 184; 184 mod 11 = 8; 11−8 = 3
        ("2026756539", 3),
        # 3·5+0·4+7·3+1·2+2·7+2·6+9·5+3·4+8·3+4·2 = 153; 153 mod 11 = 10; 11−10 = 1
        ("3071229384", 1),
        # 3·5+3·4+6·3+9·2+3·7+4·6+5·5+0·4+2·3+3·2 = 145; 145 mod 11 = 2; 11−2 = 9
        ("3369345023", 9),
        # 2·5+7·4+2·3+6·2+7·7+5·6+6·5+5·4+3·3+9·2 = 212; 212 mod 11 = 3; 11−3 = 8
        ("2726756539", 8),
        # 3·5+0·4+5·3+0+0+0+1·5+0+9·3+1·2 = 64; 64 mod 11 = 9; 11−9 = 2
        ("3050001091", 2),
        # 2·5+6·2 = 22; 22 mod 11 = 0; 11−0 = 11 -> 0
        ("2000000006", 0),
    ],
)
def test_check_digit_of_hand_verified_examples(first_ten: str, dv: int) -> None:
    assert cuit_check_digit(first_ten) == dv
    assert is_valid_cuit(f"{first_ten}{dv}")


def test_a_result_of_ten_means_no_such_cuit() -> None:
    # 2·5+1·2 = 12; 12 mod 11 = 1; 11−1 = 10: ARCA gives this person prefix 23 instead.
    assert cuit_check_digit("2000000001") is None
    message = cuit_error("20-00000001-0")
    assert message is not None and "da 10" in message and "otro prefijo" in message
    # 23-00000001: 2·5+3·4+1·2 = 24; 24 mod 11 = 2; 11−2 = 9.
    assert is_valid_cuit("23-00000001-9")


def test_the_providers_example_is_valid_with_or_without_separators() -> None:
    for text in ("20-26756539-3", "20267565393", " 20.26756539.3 ", "20 26756539 3"):
        assert normalise_cuit(text) == "20267565393"
        assert cuit_error(text) is None
    assert format_cuit("20267565393") == "20-26756539-3"


def test_a_wrong_check_digit_names_the_expected_one_in_spanish() -> None:
    message = cuit_error("20-26756539-4")
    assert message == (
        "El dígito verificador del CUIT 20-26756539-4 es incorrecto: debería ser 3 "
        "(20-26756539-3)."
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "obligatorio"),
        ("3071229384", "11 dígitos (tiene 10)"),  # the seed's own example misses a digit
        ("2026756539A", "solo puede contener dígitos"),
        ("22222222222", "no es un prefijo válido"),  # the seed's observation example
        ("202675653933", "11 dígitos (tiene 12)"),
    ],
)
def test_malformed_cuits_say_what_is_wrong(text: str, fragment: str) -> None:
    message = cuit_error(text)
    assert message is not None and fragment in message


def test_known_prefixes_are_the_documented_ones() -> None:
    assert KNOWN_PREFIXES == {"20", "23", "24", "27", "30", "33", "34", "50", "51", "55"}


def test_check_digit_needs_ten_digits() -> None:
    with pytest.raises(ValueError):
        cuit_check_digit("123")
