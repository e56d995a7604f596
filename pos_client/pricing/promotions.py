"""Member prices, coupons and vouchers applied to the working lines (docs/pricing.md, steps 2–5), pure.

Only `eligible` lines take a promotion. Each step reads what the steps before it left on a line
(`WorkLine.left`) and records what it took by promotion key, so the line figures add up, the quote explains
each promotion and a refund can give back exactly what each one took from the refunded units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Sequence

from pos_client.errors import AuthError, RuleViolation
from pos_client.messages import message
from pos_client.money import allocate, percent_of
from pos_client.pricing.lines import WorkLine
from pos_client.pricing.model import Applied, CouponUse, MemberState, VoucherUse
from pos_client.program.promotions import Audience, Coupon, MemberPrice, Targets, Voucher
from pos_client.program.schema import Program

Say = Callable[..., None]

COUPON_UNKNOWN = message("coupon.unknown", en="unknown coupon '{coupon}'", he="קופון לא מוכר '{coupon}'")
COUPON_TWICE = message("coupon.twice", en="coupon {name} is already on this sale",
                       he="הקופון {name} כבר נמצא במכירה זו")
COUPON_NEEDS_MEMBER = message("coupon.needs_member", en="coupon {name} is for members: identify the member first",
                              he="הקופון {name} מיועד לחברי מועדון: יש לזהות את החבר קודם")
COUPON_WINDOW = message("coupon.not_in_window", en="coupon {name} is valid from {starts} to {ends}",
                        he="הקופון {name} בתוקף מ־{starts} עד {ends}")
COUPON_AUDIENCE = message("coupon.not_for_member", en="coupon {name} is not for this member",
                          he="הקופון {name} אינו מיועד לחבר זה")
COUPON_MIN_SPEND = message("coupon.min_spend",
                           en="coupon {name} needs a purchase of at least {min_spend:money} (this one: {subtotal:money})",
                           he="הקופון {name} דורש קנייה של לפחות {min_spend:money} (בקנייה זו: {subtotal:money})")
COUPON_NO_TARGET = message("coupon.no_target", en="coupon {name}: the basket has no item it applies to",
                           he="הקופון {name}: אין בסל פריט שהוא חל עליו")
VOUCHER_UNKNOWN = message("voucher.unknown", en="unknown voucher '{voucher}'", he="שובר לא מוכר '{voucher}'")
VOUCHER_TWICE = message("voucher.twice", en="voucher {voucher_id} is already on this sale",
                        he="השובר {voucher_id} כבר נמצא במכירה זו")
VOUCHER_NEEDS_MEMBER = message("voucher.needs_member", en="a voucher needs its member: identify the member first",
                               he="שובר דורש את החבר שלו: יש לזהות את החבר קודם")
VOUCHER_NEEDS_CARD = message("voucher.needs_card",
                             en="using a voucher needs the member's card (scan the QR code) or a manager PIN",
                             he="שימוש בשובר דורש את כרטיס החבר (סריקת QR) או קוד מנהל")
VOUCHER_KIND = message("voucher.kind_mismatch",
                       en="voucher {voucher_id}: its value does not match the program's voucher {name}",
                       he="שובר {voucher_id}: ערכו אינו תואם לשובר {name} של התוכנית")
VOUCHER_NO_TARGET = message("voucher.no_target", en="voucher {name}: the basket has no item it gives free",
                            he="השובר {name}: אין בסל פריט שהוא נותן בחינם")
VOUCHER_NOTHING = message("voucher.nothing_to_pay", en="voucher {name}: nothing left on this sale for it to pay",
                          he="השובר {name}: לא נשאר במכירה זו דבר לשלם בו")


@dataclass(frozen=True)
class Who:
    """The member facts audiences read: tier and active plan codes, segments; None for a non-member sale."""

    member: MemberState | None
    tier: str | None
    plan: str | None

    def admits(self, audience: Audience) -> bool:
        if self.member is None:
            return False
        return audience.admits(self.tier, self.plan, frozenset(self.member.segments))


def eligible(lines: Sequence[WorkLine]) -> list[WorkLine]:
    return [ln for ln in lines if ln.kind == "eligible"]


def _reached(lines: Sequence[WorkLine], targets: Targets) -> list[WorkLine]:
    return [ln for ln in eligible(lines) if targets.reaches(ln.item.sku, ln.item.category)]


def _spread(key: str, value: int, lines: Sequence[WorkLine], weights: list[int]) -> None:
    for ln, share in zip(lines, allocate(value, weights)):
        ln.take(key, share)


# -- step 2: free units -----------------------------------------------------------------------------------
def _free_unit(lines: Sequence[WorkLine], targets: Targets, key: str) -> WorkLine | None:
    candidates = [ln for ln in _reached(lines, targets) if ln.paid_units > 0]
    if not candidates:
        return None
    cheapest = min(candidates, key=lambda ln: (ln.item.unit_price, lines.index(ln)))
    cheapest.free_by_promotion[key] = cheapest.free_by_promotion.get(key, 0) + 1
    return cheapest


# -- coupons: checks ----------------------------------------------------------------------------------------
def checked_coupons(uses: Sequence[CouponUse], who: Who, program: Program, day: date,
                    eligible_subtotal: int) -> list[tuple[CouponUse, Coupon]]:
    """The coupons in the order they apply (free item, percent, amount; by code), each checked against the
    program's rules; the first that fails is refused with its code."""
    found: list[tuple[CouponUse, Coupon]] = []
    seen: set[str] = set()
    for use in uses:
        coupon = program.coupon(use.coupon)
        if coupon is None:
            raise RuleViolation(COUPON_UNKNOWN, coupon=use.coupon, reason="unknown")
        if coupon.code in seen:
            raise RuleViolation(COUPON_TWICE, name=coupon.name, coupon=coupon.code, reason="twice")
        seen.add(coupon.code)
        public_for_all = coupon.kind == "public" and not (coupon.tiers or coupon.plans or coupon.segments)
        if who.member is None and not public_for_all:
            raise RuleViolation(COUPON_NEEDS_MEMBER, name=coupon.name, coupon=coupon.code, reason="needs_member")
        if not coupon.open_on(day):
            raise RuleViolation(COUPON_WINDOW, name=coupon.name, coupon=coupon.code, reason="not_in_window",
                                starts=coupon.starts or "…", ends=coupon.ends or "…")
        if who.member is not None and not who.admits(coupon):
            raise RuleViolation(COUPON_AUDIENCE, name=coupon.name, coupon=coupon.code, reason="not_for_member")
        if eligible_subtotal < coupon.min_spend:
            raise RuleViolation(COUPON_MIN_SPEND, name=coupon.name, coupon=coupon.code, reason="min_spend",
                                min_spend=coupon.min_spend, subtotal=eligible_subtotal,
                                currency=program.currency)
        found.append((use, coupon))
    order = {"free_item": 0, "percent": 1, "amount": 2}
    return sorted(found, key=lambda pair: (order[pair[1].discount], pair[1].code))


def free_item_coupons(lines: Sequence[WorkLine], coupons: list[tuple[CouponUse, Coupon]], say: Say) -> list[Applied]:
    applied = []
    for use, coupon in coupons:
        if coupon.discount != "free_item":
            continue
        line = _free_unit(lines, coupon, f"coupon:{coupon.code}")
        if line is None:
            raise RuleViolation(COUPON_NO_TARGET, name=coupon.name, coupon=coupon.code, reason="no_target")
        applied.append(Applied(coupon.code, use.ref, line.item.unit_price))
        say("coupon_free_item", code=coupon.code, ref=use.ref, sku=line.item.sku, product=line.item.name,
            value=line.item.unit_price)
    return applied


def checked_vouchers(uses: Sequence[VoucherUse], who: Who, program: Program) -> list[tuple[VoucherUse, Voucher]]:
    found = []
    seen: set[str] = set()
    for use in uses:
        voucher = program.voucher(use.voucher)
        if voucher is None:
            raise RuleViolation(VOUCHER_UNKNOWN, voucher=use.voucher, reason="unknown")
        if use.voucher_id in seen:
            raise RuleViolation(VOUCHER_TWICE, voucher_id=use.voucher_id, voucher=voucher.code, reason="twice")
        seen.add(use.voucher_id)
        if who.member is None:
            raise RuleViolation(VOUCHER_NEEDS_MEMBER, voucher=voucher.code, reason="needs_member")
        if not who.member.can_spend:  # a voucher is the member's value, like points (DESIGN.md, "Member cards")
            raise AuthError(VOUCHER_NEEDS_CARD, voucher=voucher.code, reason="needs_card")
        if voucher.free_item != (use.value is None) or (use.value is not None and use.value <= 0):
            raise RuleViolation(VOUCHER_KIND, voucher_id=use.voucher_id, name=voucher.name, voucher=voucher.code,
                                reason="kind_mismatch")
        found.append((use, voucher))
    return found


def free_item_vouchers(lines: Sequence[WorkLine], vouchers: list[tuple[VoucherUse, Voucher]],
                       say: Say) -> list[Applied]:
    applied = []
    for use, voucher in vouchers:
        if not voucher.free_item:
            continue
        line = _free_unit(lines, voucher, f"voucher:{use.voucher_id}")
        if line is None:
            raise RuleViolation(VOUCHER_NO_TARGET, name=voucher.name, voucher=voucher.code, reason="no_target")
        applied.append(Applied(voucher.code, use.voucher_id, line.item.unit_price))
        say("voucher_free_item", code=voucher.code, voucher_id=use.voucher_id, sku=line.item.sku,
            product=line.item.name, value=line.item.unit_price)
    return applied


# -- step 3: percentages per line ---------------------------------------------------------------------------
def _offer(price: MemberPrice, base: Decimal) -> Decimal:
    return min(base + price.pct, Decimal(100)) if price.stack_with_tier else price.pct


def percentages(lines: Sequence[WorkLine], base: Decimal, who: Who, program: Program, day: date,
                say: Say) -> tuple[int, int, int]:
    """Apply the tier/plan percentage and member prices; return (the tier/plan percentage on the lines no member
    price wins, their amount, member prices' part). A member price's explanation shows its whole group.

    Lines are grouped by (percentage, winning member price); each group is computed once, half-up, and
    spread with `allocate()`; without member prices this is the single sale-level percentage of DESIGN.md.
    A group's tier part is `percent_of(group, base)`; the member price's part is the rest of the group's.
    """
    prices = [p for p in program.member_prices if p.open_on(day) and who.admits(p)] if who.member else []
    groups: dict[tuple[Decimal, str | None], list[WorkLine]] = {}
    for ln in eligible(lines):
        best: tuple[Decimal, MemberPrice | None] = (base, None)
        for p in prices:
            if p.reaches(ln.item.sku, ln.item.category) and _offer(p, base) > best[0]:
                best = (_offer(p, base), p)
        groups.setdefault((best[0], best[1].code if best[1] else None), []).append(ln)
    tier_total = tier_base = promo_total = 0
    for (pct, code), members in groups.items():
        amount = sum(ln.after_free for ln in members)
        weights = [ln.after_free for ln in members]
        tier_part = percent_of(amount, base) if base else 0
        for ln, share in zip(members, allocate(tier_part, weights)):
            ln.percent_discount = share
        if code is None:  # the lines the tier/plan percentage alone prices: DESIGN.md's `discount` line
            tier_total, tier_base = tier_part, amount
        if code is not None:
            part = percent_of(amount, pct) - tier_part
            _spread(f"member_price:{code}", part, members, weights)
            promo_total += part
            if tier_part + part:
                say("member_price", code=code, pct=str(pct), base_pct=str(base), base=amount,
                    value=tier_part + part, member_price_part=part)
    return tier_total, tier_base, promo_total


# -- step 4: percent and amount coupons -----------------------------------------------------------------------
def _dearest_units(lines: list[WorkLine], units: int) -> list[tuple[WorkLine, int]]:
    chosen = []
    for ln in sorted(lines, key=lambda ln: (-ln.item.unit_price, lines.index(ln))):
        take = min(units, ln.paid_units)
        if take > 0 and ln.left > 0:
            chosen.append((ln, take))
            units -= take
        if not units:
            break
    return chosen


def _integer_weights(parts: list[Fraction]) -> list[int]:
    scale = math.lcm(*(p.denominator for p in parts)) if parts else 1
    return [int(p * scale) for p in parts]


def money_coupons(lines: Sequence[WorkLine], coupons: list[tuple[CouponUse, Coupon]], say: Say) -> list[Applied]:
    applied = []
    for use, coupon in coupons:
        if coupon.discount == "free_item":
            continue
        key = f"coupon:{coupon.code}"
        reached = [ln for ln in _reached(lines, coupon) if ln.left > 0]
        if coupon.discount == "percent" and coupon.units is not None:
            chosen = _dearest_units(reached, coupon.units)
            parts = [ln.unit_share(k) for ln, k in chosen]
            base = sum(parts, Fraction(0))
            assert coupon.pct is not None
            exact = base * Fraction(coupon.pct) / 100
            value = min(math.floor(exact + Fraction(1, 2)), math.floor(base))
            targets, weights = [ln for ln, _k in chosen], _integer_weights(parts)
        else:
            targets, weights = reached, [ln.left for ln in reached]
            base = Fraction(sum(weights))
            if coupon.discount == "percent":
                assert coupon.pct is not None
                value = percent_of(int(base), coupon.pct)
            else:
                assert coupon.amount is not None
                value = min(coupon.amount, int(base))
        if not base:
            raise RuleViolation(COUPON_NO_TARGET, name=coupon.name, coupon=coupon.code, reason="no_target")
        _spread(key, value, targets, weights)
        applied.append(Applied(coupon.code, use.ref, value))
        say("coupon", code=coupon.code, ref=use.ref, value=value, base=math.floor(base))
    return applied


# -- step 5: value vouchers -------------------------------------------------------------------------------
def value_vouchers(lines: Sequence[WorkLine], vouchers: list[tuple[VoucherUse, Voucher]], say: Say) -> list[Applied]:
    applied = []
    for use, voucher in vouchers:
        if use.value is None:
            continue
        targets = [ln for ln in eligible(lines) if ln.left > 0]
        weights = [ln.left for ln in targets]
        if not sum(weights):
            raise RuleViolation(VOUCHER_NOTHING, name=voucher.name, voucher=voucher.code, reason="nothing_to_pay")
        value = min(use.value, sum(weights))
        _spread(f"voucher:{use.voucher_id}", value, targets, weights)
        applied.append(Applied(voucher.code, use.voucher_id, value))
        say("voucher", code=voucher.code, voucher_id=use.voucher_id, value=value, face=use.value,
            lost=use.value - value)
    return applied
