"""RUC check digits, verified by hand against RUCs printed in public SIFEN material."""

from __future__ import annotations

from desktop_app.domain.ruc import (
    is_valid_ruc,
    mod11_check_digit,
    parse_ruc,
    ruc_error,
    tipo_contribuyente_for,
)


def test_ruc_80069563_inside_the_public_cdc_example_has_check_digit_1() -> None:
    # 3*2 + 6*3 + 5*4 + 9*5 + 6*6 + 0*7 + 0*8 + 8*9 = 197; 197 mod 11 = 10; 11 - 10 = 1
    assert mod11_check_digit("80069563") == 1
    assert is_valid_ruc("80069563-1")


def test_ruc_2005001_of_the_facturasend_example_customer_has_check_digit_1() -> None:
    # 1*2 + 0*3 + 0*4 + 5*5 + 0*6 + 0*7 + 2*8 = 43; 43 mod 11 = 10; 11 - 10 = 1
    assert mod11_check_digit("2005001") == 1
    assert is_valid_ruc("2005001-1")


def test_ruc_44444401_inside_the_manual_example_cdc_has_check_digit_7() -> None:
    # 1*2 + 0*3 + 4*(4+5+6+7+8+9) = 158; 158 mod 11 = 4; 11 - 4 = 7
    assert mod11_check_digit("44444401") == 7


def test_ruc_printed_for_bancard_in_the_facturasend_example_has_a_wrong_check_digit() -> None:
    # 4*2 + 5*3 + 6*4 + 5*5 + 9*6 + 6*7 + 9*8 + 6*9 = 294; 294 mod 11 = 8; 11 - 8 = 3
    assert mod11_check_digit("69695654") == 3
    assert not is_valid_ruc("69695654-1")


def test_check_digit_is_zero_when_the_remainder_is_zero() -> None:
    # "62": 2*2 + 6*3 = 22; 22 mod 11 = 0 -> 0 (11 - 0 = 11 is not a digit)
    assert mod11_check_digit("62") == 0


def test_remainder_one_gives_zero_not_ten() -> None:
    # "6": 6*2 = 12; 12 mod 11 = 1 -> 0 (11 - 1 = 10 is not a digit)
    assert mod11_check_digit("6") == 0
    # "0": total 0 -> 0
    assert mod11_check_digit("0") == 0


def test_weights_restart_at_2_after_11() -> None:
    # ten 1s: weights 2..11 = 65; the 11th digit gets weight 2 again: 67; 67 mod 11 = 1 -> 0
    assert mod11_check_digit("1" * 11) == 0
    assert mod11_check_digit("1" * 10) == 11 - 65 % 11


def test_wrong_check_digit_message_names_the_expected_digit() -> None:
    message = ruc_error("2005001-2")
    assert message is not None
    assert "2005001" in message
    assert "debe ser 1" in message


def test_badly_shaped_ruc_is_explained() -> None:
    message = ruc_error("2005001")
    assert message is not None
    assert "80012345-6" in message


def test_parse_ruc_tolerates_spaces_and_old_letters() -> None:
    ruc = parse_ruc(" 80069563 - 1 ")
    assert ruc is not None
    assert (ruc.base, ruc.dv, str(ruc)) == ("80069563", 1, "80069563-1")
    old = parse_ruc("abc123-4")
    assert old is not None and old.base == "ABC123"


def test_parse_ruc_refuses_text_without_check_digit() -> None:
    assert parse_ruc("80069563") is None
    assert parse_ruc("") is None
    assert parse_ruc("123456789-1") is None


def test_company_rucs_starting_with_80_imply_persona_juridica() -> None:
    assert tipo_contribuyente_for("80069563-1") == 2


def test_other_rucs_imply_persona_fisica() -> None:
    assert tipo_contribuyente_for("2005001-1") == 1


def test_text_that_is_not_a_ruc_implies_nothing() -> None:
    assert tipo_contribuyente_for("abc") is None


def test_the_fast_sum_for_digits_agrees_with_the_rule_for_every_length() -> None:
    """Digit strings (every CDC) are summed without a Python step per digit; the rule
    written out, as SET's algorithm states it, gives the same digit at every length."""

    def by_the_rule(number: str) -> int:
        total, weight = 0, 2
        for ch in reversed(number):
            total += int(ch) * weight
            weight = 2 if weight >= 11 else weight + 1
        r = total % 11
        return 0 if r <= 1 else 11 - r

    cdc_body = "0180069563100100210069461202111241031118419"
    for length in range(1, len(cdc_body) + 1):
        number = cdc_body[-length:]
        assert mod11_check_digit(number) == by_the_rule(number), number
    assert mod11_check_digit(cdc_body * 2) == by_the_rule(cdc_body * 2)  # beyond the table
    # An old RUC with a letter takes the general way: 65·9 + 1·5 + 2·4 + 3·3 + 4·2 = 615,
    # 615 mod 11 = 10, 11 - 10 = 1.
    assert mod11_check_digit("A0001234") == 1
