"""Money: exact allocation, half-up percentages, formatting and strict parsing of typed amounts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_client.errors import InvalidInputError
from pos_client.money import allocate, exponent, floor_int, format_money, half_up, parse_amount, percent_of

# -- allocate ----------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(total=st.integers(-10**9, 10**12), weights=st.lists(st.integers(0, 10**9), max_size=12))
def test_allocate_sums_exactly_and_is_proportional_within_one(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    weight_sum = sum(weights)
    if weight_sum == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights):
        exact = Fraction(total * weight, weight_sum)
        assert abs(part - exact) < 1
        if weight == 0:
            assert part == 0


@settings(max_examples=100, deadline=None)
@given(total=st.integers(0, 10**6), weights=st.lists(st.integers(0, 1000), min_size=1, max_size=8))
def test_allocate_is_deterministic(total: int, weights: list[int]) -> None:
    assert allocate(total, weights) == allocate(total, list(weights))


def test_allocate_by_hand() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]  # 33⅓ each: the one left over goes to the first
    assert allocate(501, [5005, 5005]) == [251, 250]  # equal remainders: the earlier weight wins
    assert allocate(10, [1, 3]) == [3, 7]  # 2.5 / 7.5: equal remainders, the earlier weight wins
    assert allocate(7, [0, 2, 0, 5]) == [0, 2, 0, 5]
    assert allocate(0, [3, 4]) == [0, 0]
    assert allocate(5, []) == []
    assert allocate(5, [0, 0]) == [0, 0]


# -- percentages and rounding ------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "pct", "expected"), [
    (10_010, Decimal(5), 501),  # 500.5 → 501 (half-even would give 500)
    (10_030, Decimal(5), 502),  # 501.5 → 502
    (50, Decimal(1), 1),  # 0.5 → 1
    (25, Decimal(10), 3),  # 2.5 → 3 (half-even would give 2)
    (24, Decimal(10), 2),  # 2.4 → 2
    (10_009, Decimal(5), 500),  # 500.45 → 500
    (333, Decimal("12.5"), 42),  # 41.625 → 42
    (1, Decimal("49.99999999999999999999999999999"), 0),  # 0.4999… → 0, however many digits
    (10**12 + 1, Decimal(50), 500_000_000_001),  # 500000000000.5 → …001, beyond 28-digit arithmetic worries
    (10_000, Decimal(0), 0),
    (10_000, Decimal(100), 10_000),
])
def test_percent_of_rounds_half_up(amount: int, pct: Decimal, expected: int) -> None:
    assert percent_of(amount, pct) == expected


@settings(max_examples=300, deadline=None)
@given(amount=st.integers(0, 10**13), pct=st.decimals(0, 100, places=4))
def test_percent_of_is_the_exact_value_rounded_half_up(amount: int, pct: Decimal) -> None:
    exact = Fraction(amount) * Fraction(pct) / 100
    result = percent_of(amount, pct)
    assert result - Fraction(1, 2) <= exact < result + Fraction(1, 2)


def test_half_up_and_floor_helpers() -> None:
    assert half_up(Decimal("2.5")) == 3 and half_up(Decimal("-2.5")) == -3 and half_up(Decimal("2.49")) == 2
    assert floor_int(Decimal("1.99")) == 1 and floor_int(Decimal("-0.5")) == -1


# -- formatting --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "currency", "text"), [
    (123_450, "ILS", "₪1,234.50"),
    (12_345, "ILS", "₪123.45"),
    (5, "ILS", "₪0.05"),
    (0, "ILS", "₪0.00"),
    (-123_450, "ILS", "-₪1,234.50"),
    (-5, "USD", "-$0.05"),
    (123_456_789, "USD", "$1,234,567.89"),
    (1_234, "JPY", "¥1,234"),
    (-1_234, "JPY", "-¥1,234"),
    (1_234_567, "KWD", "KWD\u00a01,234.567"),  # CLDR currency spacing: a no-break space
    (1_000, "chf", "CHF\u00a010.00"),
])
def test_format_money(amount: int, currency: str, text: str) -> None:
    assert format_money(amount, currency) == text


def test_exponents() -> None:
    assert (exponent("ILS"), exponent("jpy"), exponent("BHD"), exponent("XYZ")) == (2, 0, 3, 2)


# -- parsing -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "currency", "amount"), [
    ("12.50", "ILS", 1_250),
    ("12,50", "ILS", 1_250),
    ("12.5", "ILS", 1_250),
    ("12", "ILS", 1_200),
    (" 7 ", "ILS", 700),
    ("0.05", "ILS", 5),
    ("-3.10", "ILS", -310),
    ("1234", "JPY", 1_234),
    ("1.234", "KWD", 1_234),
])
def test_parse_amount_accepts(text: str, currency: str, amount: int) -> None:
    assert parse_amount(text, currency) == amount


@pytest.mark.parametrize(("text", "currency"), [
    ("12.505", "ILS"),  # more decimals than the currency has: refused, not rounded
    ("abc", "ILS"),
    ("", "ILS"),
    ("   ", "ILS"),
    ("1e5", "ILS"),
    ("12.", "ILS"),
    (".5", "ILS"),
    ("1,234.50", "ILS"),  # thousands separators are not typed at the till
    ("₪12", "ILS"),
    ("12.5", "JPY"),  # yen have no decimals
    ("NaN", "ILS"),
    ("Infinity", "ILS"),
    ("1234567890123", "ILS"),  # more than 12 digits
])
def test_parse_amount_refuses(text: str, currency: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_amount(text, currency)


def test_parse_amount_says_what_is_wrong() -> None:
    with pytest.raises(InvalidInputError, match="more than 2 decimal places"):
        parse_amount("12.505", "ILS")
    with pytest.raises(InvalidInputError, match="is not an amount"):
        parse_amount("abc", "ILS")


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(-10**12 + 1, 10**12 - 1), currency=st.sampled_from(("ILS", "JPY", "KWD", "USD")))
def test_parse_reads_back_what_format_writes(amount: int, currency: str) -> None:
    # the formatted text without its symbol and thousands separators is a typed amount
    text = format_money(amount, currency)
    typed = text.replace(",", "").lstrip("-").lstrip("₪$¥€£").replace(currency + "\u00a0", "")
    assert parse_amount(("-" if amount < 0 else "") + typed, currency) == amount


@pytest.mark.parametrize(("amount", "currency", "lang", "text"), [
    (1_250, "ILS", "en", "₪12.50"),
    (1_250, "ILS", "he", "\u200f12.50\u00a0\u200f₪"),  # Babel's Hebrew: the sign after the number
    (123_450, "ILS", "he", "\u200f1,234.50\u00a0\u200f₪"),
    (-1_250, "ILS", "he", "\u200f-12.50\u00a0\u200f₪"),
    (1_234, "JPY", "he", "\u200f1,234\u00a0\u200f¥"),
    (1_000, "USD", "he", "\u200f10.00\u00a0\u200f$"),
])
def test_format_money_follows_the_language(amount: int, currency: str, lang: str, text: str) -> None:
    assert format_money(amount, currency, lang) == text


def test_format_money_without_a_language_follows_the_edges_choice() -> None:
    from pos_client.messages import reset_language, set_language

    set_language("he")
    try:
        assert format_money(1_250, "ILS") == "\u200f12.50\u00a0\u200f₪"
    finally:
        reset_language()
    assert format_money(1_250, "ILS") == "₪12.50"
