"""What a refund gives back and takes back: a pure function over the sale as recorded.

Refunded units of a line are taken from its paid units first, then from its free (punch-card reward) units.
Every share is computed *cumulatively* — what all refunds of the sale so far reverse, minus what the earlier
ones already reversed — with floors on the cumulative figure, so any sequence of partial refunds that ends
with everything returned reverses exactly what the sale did: the money, the points earned, the points
redeemed, the stamps, the reward stamps, the qualifying spend and the membership days. Welcome, birthday and
referral points are not tied to the goods and are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class SoldLine:
    line_no: int
    sku: str
    kind: str
    qty: int
    paid: int
    percent_discount: int
    redeemed_value: int
    free_by_card: Mapping[str, int]
    stamps: Mapping[str, int]
    membership_code: str | None = None
    membership_days_per_unit: int = 0

    @property
    def paid_units(self) -> int:
        return self.qty - sum(self.free_by_card.values())


@dataclass(frozen=True)
class SoldSale:
    lines: tuple[SoldLine, ...]
    points_earned: int
    qualifying_spend: int
    redeemed_points: int
    redeemed_value: int
    stamps_needed: Mapping[str, int]


@dataclass(frozen=True)
class RefundEffect:
    """Positive numbers: how much of each thing this refund reverses."""

    money_back: int
    line_money: Mapping[int, int]
    points_reversed: int
    spend_reversed: int
    points_returned: int
    redeemed_value_returned: int
    discount_reversed: int
    stamps_reversed: Mapping[str, int] = field(default_factory=dict)
    stamps_returned: Mapping[str, int] = field(default_factory=dict)
    membership_days: Mapping[str, int] = field(default_factory=dict)


@dataclass
class _Cumulative:
    money: dict[int, int] = field(default_factory=dict)
    eligible_money: int = 0
    redeemed_value: int = 0
    discount: int = 0
    stamps: dict[str, int] = field(default_factory=dict)
    reward_stamps: dict[str, int] = field(default_factory=dict)
    membership_days: dict[str, int] = field(default_factory=dict)
    all_returned: bool = True


def _share(total: int, part: int, whole: int) -> int:
    return total * part // whole if whole else 0


def _cumulative(sale: SoldSale, units: Mapping[int, int]) -> _Cumulative:
    cum = _Cumulative()
    for line in sale.lines:
        x = units.get(line.line_no, 0)
        cum.all_returned &= x == line.qty
        paid_x = min(x, line.paid_units)
        money = _share(line.paid, paid_x, line.paid_units)
        cum.money[line.line_no] = money
        if line.kind == "eligible":
            cum.eligible_money += money
        cum.redeemed_value += _share(line.redeemed_value, paid_x, line.paid_units)
        cum.discount += _share(line.percent_discount, paid_x, line.paid_units)
        for card, count in line.stamps.items():
            cum.stamps[card] = cum.stamps.get(card, 0) + min(paid_x, count)
        free_cards = sorted(card for card, n in line.free_by_card.items() for _ in range(n))
        for card in free_cards[: max(0, x - line.paid_units)]:
            cum.reward_stamps[card] = cum.reward_stamps.get(card, 0) + sale.stamps_needed.get(card, 0)
        if line.membership_code and line.membership_days_per_unit:
            cum.membership_days[line.membership_code] = (
                cum.membership_days.get(line.membership_code, 0) + line.membership_days_per_unit * x)
    return cum


def _points(sale: SoldSale, cum: _Cumulative) -> tuple[int, int]:
    earned = _share(sale.points_earned, cum.eligible_money, sale.qualifying_spend)
    if sale.redeemed_value:
        returned = _share(sale.redeemed_points, cum.redeemed_value, sale.redeemed_value)
    else:
        returned = sale.redeemed_points if cum.all_returned else 0
    if cum.all_returned:
        earned = sale.points_earned
    return earned, returned


def _diff(after: Mapping[str, int], before: Mapping[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


def refund_effect(sale: SoldSale, before: Mapping[int, int], now: Mapping[int, int]) -> RefundEffect:
    """The effect of refunding `now` units per line, given `before` units per line already refunded.

    The caller has checked that `before[l] + now[l] <= qty` for every line.
    """
    after = {no: before.get(no, 0) + now.get(no, 0) for no in {line.line_no for line in sale.lines}}
    cum_before, cum_after = _cumulative(sale, before), _cumulative(sale, after)
    earned_b, returned_b = _points(sale, cum_before)
    earned_a, returned_a = _points(sale, cum_after)
    line_money = {no: cum_after.money[no] - cum_before.money[no] for no in cum_after.money}
    # A member's eligible lines paid exactly the sale's qualifying spend; a non-member's sale recorded none
    # (its lines are priced as eligible but count for nobody's tier), so it has none to reverse.
    spend_reversed = cum_after.eligible_money - cum_before.eligible_money if sale.qualifying_spend else 0
    return RefundEffect(
        money_back=sum(line_money.values()), line_money=line_money, points_reversed=earned_a - earned_b,
        spend_reversed=spend_reversed,
        points_returned=returned_a - returned_b,
        redeemed_value_returned=cum_after.redeemed_value - cum_before.redeemed_value,
        discount_reversed=cum_after.discount - cum_before.discount,
        stamps_reversed=_diff(cum_after.stamps, cum_before.stamps),
        stamps_returned=_diff(cum_after.reward_stamps, cum_before.reward_stamps),
        membership_days=_diff(cum_after.membership_days, cum_before.membership_days))
