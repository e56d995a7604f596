"""Member ids and card numbers people read and type (`pos_client.ids`): a Damm check digit, old ids valid."""

from __future__ import annotations

import random

import pytest

from pos_client import ids


def _single_errors(digits: str) -> list[str]:
    return [digits[:i] + d + digits[i + 1:] for i in range(len(digits)) for d in "0123456789" if d != digits[i]]


def _adjacent_swaps(digits: str) -> list[str]:
    return [digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:] for i in range(len(digits) - 1)
            if digits[i] != digits[i + 1]]


def test_damm_known_value_and_every_single_error_and_adjacent_swap_is_caught() -> None:
    assert ids.damm_digit("572") == "4" and ids.damm_valid("5724") and not ids.damm_valid("5274")
    rng = random.Random(13)
    for _ in range(300):
        member = ids.member_id(str(rng.randint(101, ids.MAX_PREFIX)), rng.randint(1, 10**9))
        digits = member[1:]
        assert ids.damm_valid(digits)
        for typo in _single_errors(digits) + _adjacent_swaps(digits):
            assert not ids.damm_valid(typo), (member, typo)
            parts = ids.parse_member_id("M" + typo)  # a typo of the leading 0 reads as an old id: not found
            assert parts is None or not parts.new_form or not parts.check_ok


def test_new_and_old_member_ids_parse_to_their_prefix_and_counter() -> None:
    assert ids.member_id("101", 1) == "M00010100013"
    assert ids.parse_member_id("m00010100013") == ids.MemberIdParts("101", 1, True, True)
    assert ids.parse_member_id("M00010100012") == ids.MemberIdParts("101", 1, True, False)
    assert ids.parse_member_id("M1010001") == ids.MemberIdParts("101", 1, False, True)  # old ids stay valid
    assert ids.parse_member_id("M101000123") == ids.MemberIdParts("101", 123, False, True)
    big = ids.member_id("99999", 123_456_789)  # the last prefix, a counter in the hundreds of millions
    assert ids.parse_member_id(big) == ids.MemberIdParts("99999", 123_456_789, True, True)
    for bad in ("M101", "M0001010", "X00010100013", "M00010100013X", "", "M0999"):
        assert ids.parse_member_id(bad) is None
    assert ids.member_id_heads("101") == ("M000101", "M101")
    assert ids.member_id_heads("1101") == ("M001101",)


@pytest.mark.parametrize("seed", range(3))
def test_card_numbers_carry_a_check_digit_and_old_ones_are_no_typos(seed: int) -> None:
    number = ids.new_card_number()
    assert number.startswith("PC") and len(number) == 14 and ids.damm_valid(number[2:])
    assert not ids.card_number_typo(number) and not ids.card_number_typo(number.lower())
    for typo in _single_errors(number[2:]) + _adjacent_swaps(number[2:]):
        assert ids.card_number_typo("PC" + typo)
    assert not ids.card_number_typo("PC12345678")  # the old form has no check digit to be wrong
