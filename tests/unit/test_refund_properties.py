"""Refunds reverse exactly what the sale did, however the units come back.

A `SoldSale` is built from a real `Quote` the way `services.refunds._sold` builds it from the stored sale lines.
The units are then shuffled and cut into successive partial refunds; every partial refund must reverse
non-negative amounts, and together they must reverse the sale to the minor unit, the point and the stamp.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pos_client.errors import AuthError, RuleViolation
from pos_client.pricing import MemberState, price
from pos_client.pricing.model import Quote
from pos_client.pricing.refund import RefundEffect, SoldLine, SoldSale, refund_effect
from pos_client.program.schema import Program

from pricing_strategies import MOSTLY, Case, cases, examples, full_program, item, sold_sale, without_refused_promotions

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)


def sell(case: Case, data: st.DataObject) -> Quote:
    """A sale the rules accept: the drawn rewards if they are due, and a redemption within the limits."""
    if case.member is not None and data.draw(MOSTLY, label="card scanned"):  # usually: rewards and points spendable
        case = replace(case, member=replace(case.member, can_spend=True))
    case = without_refused_promotions(case)
    rewards = case.rewards
    try:
        q = price(case.items, case.member, case.program, case.now, punch_rewards=rewards, offline=case.offline,
                  coupons=case.coupons, vouchers=case.vouchers)
    except (RuleViolation, AuthError):
        rewards = []
        q = price(case.items, case.member, case.program, case.now, offline=case.offline, coupons=case.coupons,
                  vouchers=case.vouchers)
    limits = q.redeem_limits
    if limits.max_points and case.member is not None and case.member.can_spend:
        lowest = max(limits.min_points, limits.step) // limits.step
        redeem = data.draw(st.one_of(st.just(limits.max_points), st.just(0),
                                     st.integers(lowest, limits.max_points // limits.step).map(
                                         lambda k: k * limits.step)), label="redeem")
        q = price(case.items, case.member, case.program, case.now, redeem_points=redeem, punch_rewards=rewards,
                  offline=case.offline, coupons=case.coupons,
                  vouchers=case.vouchers)
    return q


def refund_in_steps(sale: SoldSale, steps: list[dict[int, int]]) -> list[RefundEffect]:
    before: Counter[int] = Counter()
    effects = []
    for now in steps:
        effects.append(refund_effect(sale, dict(before), now))
        before.update(now)
    return effects


def assert_non_negative(effect: RefundEffect) -> None:
    assert effect.money_back >= 0 and all(v >= 0 for v in effect.line_money.values())
    assert effect.money_back == sum(effect.line_money.values())
    assert effect.points_reversed >= 0 and effect.spend_reversed >= 0
    assert effect.points_returned >= 0 and effect.redeemed_value_returned >= 0 and effect.discount_reversed >= 0
    assert all(v > 0 for v in effect.stamps_reversed.values())
    assert all(v > 0 for v in effect.stamps_returned.values())
    assert all(v > 0 for v in effect.membership_days.values())
    assert all(v > 0 for v in effect.promotions_reversed.values()) and effect.campaign_points_reversed >= 0


def totals(effects: list[RefundEffect]) -> dict[str, object]:
    stamps_reversed: Counter[str] = Counter()
    stamps_returned: Counter[str] = Counter()
    days: Counter[str] = Counter()
    line_money: Counter[int] = Counter()
    promotions: Counter[str] = Counter()
    returned: list[str] = []
    for e in effects:
        promotions.update(e.promotions_reversed)
        returned += e.promotions_returned
        stamps_reversed.update(e.stamps_reversed)
        stamps_returned.update(e.stamps_returned)
        days.update(e.membership_days)
        line_money.update(e.line_money)
    return {
        "money": sum(e.money_back for e in effects),
        "line_money": {k: v for k, v in line_money.items() if v},
        "points_reversed": sum(e.points_reversed for e in effects),
        "spend_reversed": sum(e.spend_reversed for e in effects),
        "points_returned": sum(e.points_returned for e in effects),
        "redeemed_value_returned": sum(e.redeemed_value_returned for e in effects),
        "discount_reversed": sum(e.discount_reversed for e in effects),
        "stamps_reversed": dict(stamps_reversed),
        "stamps_returned": dict(stamps_returned),
        "membership_days": dict(days),
        "promotions_reversed": dict(promotions),
        "promotions_returned": sorted(returned),
        "campaign_points_reversed": sum(e.campaign_points_reversed for e in effects),
    }


def what_the_sale_did(q: Quote) -> dict[str, object]:
    return {
        "money": q.total,
        "line_money": {no: ln.paid for no, ln in enumerate(q.lines, start=1) if ln.paid},
        "points_reversed": q.points_earned,
        "spend_reversed": q.qualifying_spend,
        "points_returned": q.redeemed_points,
        "redeemed_value_returned": q.redeemed_value,
        "discount_reversed": sum(ln.percent_discount for ln in q.lines),
        "stamps_reversed": {k: v for k, v in q.stamps_earned.items() if v},
        "stamps_returned": {k: v for k, v in q.stamps_spent.items() if v},
        "membership_days": {k: v for k, v in q.memberships_sold.items() if v},
        "promotions_reversed": dict(sum((Counter(ln.promotion_discount) for ln in q.lines), Counter[str]())),
        "promotions_returned": sorted([f"coupon:{a.code}" for a in q.coupons_applied]
                                      + [f"voucher:{a.ref}" for a in q.vouchers_applied]),
        "campaign_points_reversed": q.campaign_points,
    }


@st.composite
def partitions(draw: st.DrawFn, sale: SoldSale) -> list[dict[int, int]]:
    """The sale's units in a random order, cut into successive refunds (each of at least one unit)."""
    units = [line.line_no for line in sale.lines for _ in range(line.qty)]
    if not units:
        return []
    order = draw(st.permutations(units))
    count = draw(st.sampled_from(range(1, len(order) + 1)))  # how many refunds (uniform, not biased to one)
    cuts = sorted(draw(st.sets(st.integers(1, len(order) - 1), min_size=count - 1, max_size=count - 1))
                  if count > 1 else [])
    chunks = [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)])]
    return [dict(Counter(chunk)) for chunk in chunks]


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(max_qty=5), data=st.data())
def test_any_sequence_of_partial_refunds_reverses_exactly_what_the_sale_did(case: Case, data: st.DataObject) -> None:
    q = sell(case, data)
    sale = sold_sale(q, case.program)
    steps = data.draw(partitions(sale), label="refunds")
    event(f"refunds: {min(len(steps), 5)}{'+' if len(steps) >= 5 else ''}")
    event("with redemption" if q.redeemed_points else "no redemption")
    event("with punch reward" if q.punch_rewards else "no punch reward")
    effects = refund_in_steps(sale, steps)
    for effect in effects:
        assert_non_negative(effect)
    assert totals(effects) == what_the_sale_did(q)
    # the last step, and only it, completes the sale (every unit of every line is back)
    assert [e.completes_sale for e in effects] == [i == len(effects) - 1 for i in range(len(effects))]
    # all at once comes to the same
    if steps:
        whole = Counter[int]()
        for step in steps:
            whole.update(step)
        assert totals([refund_effect(sale, {}, dict(whole))]) == what_the_sale_did(q)


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(max_qty=5), data=st.data())
def test_each_partial_refund_gives_back_the_price_paid_for_its_units_within_one(case: Case,
                                                                                data: st.DataObject) -> None:
    q = sell(case, data)
    sale = sold_sale(q, case.program)
    steps = data.draw(partitions(sale))
    before: Counter[int] = Counter()
    for step, effect in zip(steps, refund_in_steps(sale, steps), strict=True):
        for line in sale.lines:
            # paid units go back first, then free ones; a free unit gives back no money
            taken = min(before[line.line_no] + step.get(line.line_no, 0), line.paid_units) - min(
                before[line.line_no], line.paid_units)
            exact_num, den = line.paid * taken, max(line.paid_units, 1)
            assert exact_num // den <= effect.line_money[line.line_no] <= -(-exact_num // den)
        before.update(step)


# -- examples --------------------------------------------------------------------------------------------


def _program() -> Program:
    return full_program()


def test_refund_of_a_third_then_the_rest_by_hand() -> None:
    program = _program()
    who = MemberState("M1", points=2_000, qualifying_spend=200_000, can_spend=True)
    q = price([item("BREAD", 3, 10_000)], who, program, NOW, redeem_points=1_000)
    # 30000 − 5% (1500) − 1000 points (10000) = 18500 paid → 185 points
    assert (q.total, q.points_earned, q.redeemed_value) == (18_500, 185, 10_000)
    sale = sold_sale(q, program)
    first = refund_effect(sale, {}, {1: 1})
    # money floor(18500 / 3) = 6166; points floor(185 × 6166 / 18500) = 61;
    # redeemed value floor(10000 / 3) = 3333 → points back floor(1000 × 3333 / 10000) = 333
    assert (first.money_back, first.spend_reversed, first.points_reversed) == (6_166, 6_166, 61)
    assert (first.redeemed_value_returned, first.points_returned, first.discount_reversed) == (3_333, 333, 500)
    rest = refund_effect(sale, {1: 1}, {1: 2})
    # the rest: 18500 − 6166 = 12334; 185 − 61 = 124; 1000 − 333 = 667; 1500 − 500 = 1000
    assert (rest.money_back, rest.spend_reversed, rest.points_reversed) == (12_334, 12_334, 124)
    assert (rest.redeemed_value_returned, rest.points_returned, rest.discount_reversed) == (6_667, 667, 1_000)


def test_refunding_the_free_coffee_returns_the_reward_stamps() -> None:
    program = _program()
    who = MemberState("M1", stamps={"coffee": 9}, can_spend=True)
    basket = [item("COFFEE-L", 2, 1_500, "drink"), item("COFFEE-S", 1, 1_000, "drink")]
    q = price(basket, who, program, NOW, punch_rewards=["coffee"])
    sale = sold_sale(q, program)
    free = refund_effect(sale, {}, {2: 1})
    # the small coffee was the free one: no money, no points, but the 9 reward stamps come back
    assert (free.money_back, free.points_reversed, dict(free.stamps_returned)) == (0, 0, {"coffee": 9})
    large = refund_effect(sale, {2: 1}, {1: 1})
    # one large coffee: ₪15 back, its stamp taken back, 15 of the 30 points (30 earned on 3000)
    assert (large.money_back, dict(large.stamps_reversed), large.points_reversed) == (1_500, {"coffee": 1}, 15)


def test_refunding_a_membership_takes_back_its_days() -> None:
    program = _program()
    q = price([item("MEMBER-PLUS-Y", 2, 9_900, "")], MemberState("M1"), program, NOW)
    sale = sold_sale(q, program)
    first = refund_effect(sale, {}, {1: 1})
    assert (first.money_back, dict(first.membership_days), first.spend_reversed) == (9_900, {"plus": 365}, 0)


def test_a_non_member_refund_reverses_no_qualifying_spend() -> None:
    program = _program()
    q = price([item("BREAD", 2, 1_000)], None, program, NOW)
    assert q.qualifying_spend == 0  # a non-member sale counts for nobody's tier
    effect = refund_effect(sold_sale(q, program), {}, {1: 2})
    assert effect.money_back == 2_000
    assert (effect.spend_reversed, effect.points_reversed) == (0, 0)


def test_refund_of_a_sale_with_points_of_no_value_returns_them_with_the_last_unit() -> None:
    doc_program = full_program(redeem={"points": 1_000, "value": 1, "step": 100})
    who = MemberState("M1", points=500, can_spend=True)
    q = price([item("BREAD", 2, 10_000)], who, doc_program, NOW, redeem_points=100)
    # 100 points at 1000 points per agora are worth floor(0.1) = 0: nothing to spread over the lines
    assert (q.redeemed_points, q.redeemed_value) == (100, 0)
    sale = sold_sale(q, doc_program)
    assert refund_effect(sale, {}, {1: 1}).points_returned == 0
    assert refund_effect(sale, {1: 1}, {1: 1}).points_returned == 100


def test_two_free_units_of_one_card_refunded_together_return_both_rewards_stamps() -> None:
    # Written by hand rather than priced: one line whose two units were both free coffees (two rewards of
    # 10 stamps each). Refunding both at once must give back 20 stamps, not the last reward's 10.
    line = SoldLine(line_no=1, sku="COFFEE-S", kind="eligible", qty=2, paid=0, percent_discount=0,
                    redeemed_value=0, free_by_card={"coffee": 2}, stamps={})
    sale = SoldSale(lines=(line,), points_earned=0, qualifying_spend=0, redeemed_points=0, redeemed_value=0,
                    stamps_needed={"coffee": 10})
    assert dict(refund_effect(sale, {}, {1: 2}).stamps_returned) == {"coffee": 20}
    assert dict(refund_effect(sale, {}, {1: 1}).stamps_returned) == {"coffee": 10}


def test_two_lines_of_one_plan_refunded_together_take_back_both_periods() -> None:
    # A yearly plan rung up on two lines (scanned twice): refunding both lines takes back 2 × 365 days.
    lines = tuple(SoldLine(line_no=no, sku="MEMBER-PLUS-Y", kind="membership", qty=1, paid=9_900,
                           percent_discount=0, redeemed_value=0, free_by_card={}, stamps={},
                           membership_code="plus", membership_days_per_unit=365) for no in (1, 2))
    sale = SoldSale(lines=lines, points_earned=0, qualifying_spend=0, redeemed_points=0, redeemed_value=0,
                    stamps_needed={})
    effect = refund_effect(sale, {}, {1: 1, 2: 1})
    assert (effect.money_back, dict(effect.membership_days)) == (19_800, {"plus": 730})
    assert dict(refund_effect(sale, {1: 1}, {2: 1}).membership_days) == {"plus": 365}
