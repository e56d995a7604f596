"""Money as integer minor units, with the few operations a till needs.

Amounts are plain `int` counts of the currency's minor unit (agorot, cents); rates are `Decimal` built from
strings, never `float`, so that every rounding is explicit: discounts round half-up to the minor unit, points
are floored. Formatting and parsing live here too so that the CLI, the UI and the receipt agree.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from pos_client.errors import InvalidInputError

#: Minor-unit exponent for the currencies Kupa knows; others default to 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3}
_SYMBOLS = {"ILS": "₪", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
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


def format_money(amount: int, currency: str) -> str:
    """`12345, "ILS"` → `"₪123.45"`; negative amounts get a leading minus sign."""
    exp = exponent(currency)
    sign = "-" if amount < 0 else ""
    units, minor = divmod(abs(amount), 10**exp) if exp else (abs(amount), 0)
    symbol = _SYMBOLS.get(currency.upper(), currency.upper() + " ")
    text = f"{units:,}" + (f".{minor:0{exp}d}" if exp else "")
    return f"{sign}{symbol}{text}"


def parse_amount(text: str, currency: str) -> int:
    """Parse a typed amount (`"12.5"`, `"12,50"`, `"7"`) into minor units; refuse anything else.

    More decimals than the currency has is refused rather than rounded: a cashier who typed 12.505 made a
    mistake we should show, not hide.
    """
    match = _AMOUNT_RE.match(text or "")
    if not match:
        raise InvalidInputError(f"'{text}' is not an amount (use digits, e.g. 12.50)")
    sign, units, fraction = (match.group(1), match.group(2), match.group(3))
    exp = exponent(currency)
    fraction = str(fraction or "")
    if len(fraction) > exp:
        raise InvalidInputError(f"'{text}' has more than {exp} decimal places")
    try:
        value: int = int(units) * 10**exp + (int(fraction.ljust(exp, "0")) if exp else 0)
    except (ValueError, InvalidOperation) as exc:  # pragma: no cover - the regex already guards this
        raise InvalidInputError(f"'{text}' is not an amount") from exc
    return -value if sign else value
