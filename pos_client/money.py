"""Money as integer minor units, with the few operations a till needs.

Amounts are plain `int` counts of the currency's minor unit (agorot, cents); rates are `Decimal` built from
strings, never `float`, so that every rounding is explicit: discounts round half-up to the minor unit, points
are floored. Formatting and parsing live here too so that the CLI, the UI and the receipt agree.

Formatting follows Babel's (CLDR's) rules for the reader's language: `₪1,234.50` in English, `1,234.50 ₪` in
Hebrew (the sign after the number, a no-break space between, and the right-to-left marks CLDR puts around
them so the amount stays whole inside a sentence of either direction). The messages catalogue formats its
`{amount:money}` placeholders with the same function.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from babel.numbers import format_currency

from pos_client.errors import InvalidInputError
from pos_client.messages import current_language, message

#: Minor-unit exponent for the currencies Kupa knows; others default to 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3}
#: The Babel locale of each language Kupa speaks (plain `en`: its `₪`, `$` and `€` carry no country prefix).
_LOCALES = {"en": "en", "he": "he"}
_LETTER_DIGIT = re.compile(r"([A-Za-z])(\d)|(?<=\d)(?=[A-Za-z])")
_AMOUNT_RE = re.compile(r"^\s*(-)?\s*(\d{1,12})(?:[.,](\d+))?\s*$")


def exponent(currency: str) -> int:
    """The number of decimal places of `currency`'s minor unit."""
    return _EXPONENTS.get(currency.upper(), 2)


def half_up(value: Decimal) -> int:
    """Round to the nearest integer, halves away from zero (the rule for discounts)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def floor_int(value: Decimal) -> int:
    """Round down (the rule for points earned)."""
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def percent_of(amount: int, pct: Decimal) -> int:
    """`pct` percent of `amount` minor units, rounded half-up to the minor unit.

    Computed exactly as a fraction: `Decimal`'s 28-digit context would round the product of a large amount
    and a long rate (e.g. 49.99999999999999999999999999999) before the half-up, and could tip it.
    """
    exact = Fraction(amount) * Fraction(pct) / 100
    return math.floor(exact + Fraction(1, 2)) if exact >= 0 else -math.floor(-exact + Fraction(1, 2))


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` across `weights` proportionally so that the parts add up to `total` exactly.

    Largest-remainder method; ties go to the earlier weight, so the split is deterministic. Used to spread a
    sale-level discount or redemption over its lines, which a partial refund then gives back line by line.
    """
    weight_sum = sum(weights)
    if total == 0 or weight_sum == 0:
        return [0] * len(weights)
    base = [total * w // weight_sum for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i))
    for i in remainders[: total - sum(base)]:
        base[i] += 1
    return base


def format_money(amount: int, currency: str, lang: str | None = None) -> str:
    """`12345, "ILS"` → `"₪123.45"` in English, `"‏123.45 ‏₪"` in Hebrew (Babel's locale rules).

    `lang` is the reader's language; without it, the one the edge chose (`messages.current_language()`).
    Babel knows each currency's decimals (CLDR's, the same as `exponent()` for every currency Kupa lists).
    """
    value = Decimal(amount).scaleb(-exponent(currency))
    locale = _LOCALES.get(lang or current_language(), "en")
    text = str(format_currency(value, currency.upper(), locale=locale))
    # CLDR's currency spacing, which Babel leaves out: a symbol made of letters ("KWD", "CHF") is kept
    # apart from the digits by a no-break space; "₪", "$" and "€" touch them.
    return _LETTER_DIGIT.sub("\\1\u00a0\\2", text)


NOT_AN_AMOUNT = message("money.not_an_amount", en="'{text}' is not an amount (use digits, e.g. 12.50)",
                        he="'{text}' אינו סכום (הקלידו ספרות, למשל 12.50)")
TOO_MANY_DECIMALS = message("money.too_many_decimals", en="'{text}' has more than {decimals} decimal places",
                            he="ב־'{text}' יש יותר מ־{decimals} ספרות אחרי הנקודה")
NOT_AN_AMOUNT_SHORT = message("money.not_an_amount_short", en="'{text}' is not an amount",
                              he="'{text}' אינו סכום")


def parse_amount(text: str, currency: str) -> int:
    """Parse a typed amount (`"12.5"`, `"12,50"`, `"7"`) into minor units; refuse anything else.

    More decimals than the currency has is refused rather than rounded: a cashier who typed 12.505 made a
    mistake we should show, not hide.
    """
    match = _AMOUNT_RE.match(text or "")
    if not match:
        raise InvalidInputError(NOT_AN_AMOUNT, text=text)
    sign, units, fraction = (match.group(1), match.group(2), match.group(3))
    exp = exponent(currency)
    fraction = str(fraction or "")
    if len(fraction) > exp:
        raise InvalidInputError(TOO_MANY_DECIMALS, text=text, decimals=exp)
    try:
        value: int = int(units) * 10**exp + (int(fraction.ljust(exp, "0")) if exp else 0)
    except (ValueError, InvalidOperation) as exc:  # pragma: no cover - the regex already guards this
        raise InvalidInputError(NOT_AN_AMOUNT_SHORT, text=text) from exc
    return -value if sign else value
