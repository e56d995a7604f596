"""What a refund gives back and takes back: a pure function over the sale as recorded.

Refunded units of a line are taken from its paid units first, then from its free units (punch-card rewards,
then free-item coupons and vouchers).
Every share is computed *cumulatively* — what all refunds of the sale so far reverse, minus what the earlier
ones already reversed — with floors on the cumulative figure, so any sequence of partial refunds that ends
with everything returned reverses exactly what the sale did: the money, the points earned, the points
redeemed, the stamps, the reward stamps, the qualifying spend, the membership days, what each promotion
(member price, coupon, voucher) took from the lines and the campaigns' bonus points. A used coupon or voucher
comes back (`promotions_returned`) with the refund that completes the sale (docs/pricing.md, "Refunds").
Welcome, birthday and referral points are not tied to the goods and are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
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
    #: What each promotion took from the line, by key (`QuoteLine.promotion_discount`).
    promotion_discount: Mapping[str, int] = field(default_factory=dict)
    #: Units made free by a coupon or voucher, by key (`QuoteLine.free_by_promotion`).
    free_by_promotion: Mapping[str, int] = field(default_factory=dict)
    #: The line's earn multiplier: points earned are reversed in proportion to paid × multiplier.
    earn_multiplier: Decimal = Decimal(1)

    @property
    def paid_units(self) -> int:
        return self.qty - sum(self.free_by_card.values()) - sum(self.free_by_promotion.values())


@dataclass(frozen=True)
class SoldSale:
    lines: tuple[SoldLine, ...]
    points_earned: int
    qualifying_spend: int
    redeemed_points: int
    redeemed_value: int
    stamps_needed: Mapping[str, int]
    #: Campaigns' bonus points the sale granted (`Quote.campaign_points`).
    campaign_points: int = 0
    #: The coupons (`coupon:CODE`) and vouchers (`voucher:ID`) the sale used.
    promotions_used: tuple[str, ...] = ()


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
    #: What each promotion had taken from the refunded units (money the customer does not get back).
    promotions_reversed: Mapping[str, int] = field(default_factory=dict)
    #: The coupons and vouchers to give back to the member: on the refund that completes the sale.
    promotions_returned: tuple[str, ...] = ()
    campaign_points_reversed: int = 0
    #: This refund leaves nothing of the sale (its last units): the one "whole sale" rule the service reads.
    completes_sale: bool = False


@dataclass
class _Cumulative:
    money: dict[int, int] = field(default_factory=dict)
    eligible_money: int = 0
    earn_weight: Fraction = Fraction(0)
    redeemed_value: int = 0
    promotions: dict[str, int] = field(default_factory=dict)
    discount: int = 0
    stamps: dict[str, int] = field(default_factory=dict)
    reward_stamps: dict[str, int] = field(default_factory=dict)
    membership_days: dict[str, int] = field(default_factory=dict)
    all_returned: bool = True


@dataclass(frozen=True)
class StoredPromotions:
    """What a sale's stored quote JSON (`Quote.to_json()`) says its promotions did, for `SoldLine`/`SoldSale`."""

    lines: tuple[Mapping[str, object], ...]  #: per line: promotion_discount, free_by_promotion, earn_multiplier
    campaign_points: int
    promotions_used: tuple[str, ...]


def stored_promotions(quote: Mapping[str, object]) -> StoredPromotions:
    """Read the promotion facts of a stored quote; a quote from before promotions has none (all defaults)."""
    raw_lines = quote.get("lines")
    lines: list[Mapping[str, object]] = []
    for raw in raw_lines if isinstance(raw_lines, list) else []:
        raw = raw if isinstance(raw, dict) else {}
        lines.append({"promotion_discount": {str(k): int(v) for k, v in dict(raw.get("promotion_discount") or {}).items()},
                      "free_by_promotion": {str(k): int(v) for k, v in dict(raw.get("free_by_promotion") or {}).items()},
                      "earn_multiplier": Decimal(str(raw.get("earn_multiplier") or 1))})
    coupons = quote.get("coupons_applied")
    vouchers = quote.get("vouchers_applied")
    used = [f"coupon:{c['coupon']}" for c in coupons if isinstance(c, dict)] if isinstance(coupons, list) else []
    used += [f"voucher:{v['voucher_id']}" for v in vouchers if isinstance(v, dict)] if isinstance(vouchers, list) else []
    points = quote.get("campaign_points")
    return StoredPromotions(tuple(lines), int(points) if isinstance(points, int) else 0, tuple(used))


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
            cum.earn_weight += money * Fraction(line.earn_multiplier)
        cum.redeemed_value += _share(line.redeemed_value, paid_x, line.paid_units)
        cum.discount += _share(line.percent_discount, paid_x, line.paid_units)
        for key, value in line.promotion_discount.items():
            cum.promotions[key] = cum.promotions.get(key, 0) + _share(value, paid_x, line.paid_units)
        for card, count in line.stamps.items():
            cum.stamps[card] = cum.stamps.get(card, 0) + min(paid_x, count)
        free_cards = sorted(card for card, n in line.free_by_card.items() for _ in range(n))
        for card in free_cards[: max(0, x - line.paid_units)]:
            cum.reward_stamps[card] = cum.reward_stamps.get(card, 0) + sale.stamps_needed.get(card, 0)
        if line.membership_code and line.membership_days_per_unit:
            cum.membership_days[line.membership_code] = (
                cum.membership_days.get(line.membership_code, 0) + line.membership_days_per_unit * x)
    return cum


def _earn_weight(sale: SoldSale) -> Fraction:
    return sum((line.paid * Fraction(line.earn_multiplier) for line in sale.lines if line.kind == "eligible"),
               Fraction(0))


def _points(sale: SoldSale, cum: _Cumulative) -> tuple[int, int]:
    whole = _earn_weight(sale)
    earned = math.floor(sale.points_earned * cum.earn_weight / whole) if sale.qualifying_spend and whole else 0
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
    completes = cum_after.all_returned and not cum_before.all_returned
    return RefundEffect(
        money_back=sum(line_money.values()), line_money=line_money, points_reversed=earned_a - earned_b,
        spend_reversed=spend_reversed,
        points_returned=returned_a - returned_b,
        redeemed_value_returned=cum_after.redeemed_value - cum_before.redeemed_value,
        discount_reversed=cum_after.discount - cum_before.discount,
        stamps_reversed=_diff(cum_after.stamps, cum_before.stamps),
        stamps_returned=_diff(cum_after.reward_stamps, cum_before.reward_stamps),
        membership_days=_diff(cum_after.membership_days, cum_before.membership_days),
        promotions_reversed=_diff(cum_after.promotions, cum_before.promotions),
        promotions_returned=sale.promotions_used if completes else (),
        campaign_points_reversed=_campaign(sale, cum_after) - _campaign(sale, cum_before),
        completes_sale=completes)


def _campaign(sale: SoldSale, cum: _Cumulative) -> int:
    """Campaign bonus points reversed so far: in proportion to the eligible money refunded, all at the end."""
    if cum.all_returned:
        return sale.campaign_points
    return _share(sale.campaign_points, cum.eligible_money, sale.qualifying_spend)
