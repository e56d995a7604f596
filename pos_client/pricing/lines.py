"""The working line `price()` fills in step by step (engine, promotions, campaigns): one place for the figures
every step reads — what the line still costs after the steps before it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from pos_client.pricing.model import CartItem, LineKind


@dataclass
class WorkLine:
    item: CartItem
    kind: LineKind
    free_by_card: dict[str, int]
    #: Units made free by a free-item coupon or voucher, by promotion key (`coupon:CODE`, `voucher:ID`).
    free_by_promotion: dict[str, int] = field(default_factory=dict)
    percent_discount: int = 0
    #: Money each promotion took from the line, by key (`member_price:CODE`, `coupon:CODE`, `voucher:ID`).
    promotion_discount: dict[str, int] = field(default_factory=dict)
    redeemed_value: int = 0
    multiplier: Decimal = Decimal(1)

    @property
    def amount(self) -> int:
        return self.item.qty * self.item.unit_price

    @property
    def free_units(self) -> int:
        return sum(self.free_by_card.values()) + sum(self.free_by_promotion.values())

    @property
    def paid_units(self) -> int:
        return self.item.qty - self.free_units

    @property
    def free_value(self) -> int:
        return self.free_units * self.item.unit_price

    @property
    def after_free(self) -> int:
        return self.amount - self.free_value

    @property
    def left(self) -> int:
        """What the line still costs after every step applied so far."""
        return self.after_free - self.percent_discount - sum(self.promotion_discount.values()) - self.redeemed_value

    def take(self, key: str, value: int) -> None:
        """Record that promotion `key` took `value` from the line (never more than is left)."""
        assert 0 <= value <= self.left, (key, value, self.left)
        if value:
            self.promotion_discount[key] = self.promotion_discount.get(key, 0) + value

    def unit_share(self, units: int) -> Fraction:
        """What `units` of the still-paid units cost now: the line's `left` shared evenly (exact)."""
        return Fraction(self.left * units, self.paid_units) if self.paid_units else Fraction(0)
