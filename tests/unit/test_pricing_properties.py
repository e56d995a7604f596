"""Pricing invariants over random programs, baskets and members (Hypothesis).

Each case is priced first without a redemption (to learn `redeem_limits`), then with a redemption drawn to hit
the interesting values: 0, the stated maximum, one step above it, a random multiple of the step and a random
number. Accepted quotes must satisfy every invariant below; refused ones must be refused for a reason the
rules give, and the largest redemption a refusal states must itself be accepted.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from fractions import Fraction

from dataclasses import replace

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pos_client.errors import AuthError
from pos_client.money import percent_of
from pos_client.pricing import price
from pos_client.pricing.model import MemberState, Quote
from pos_client.program.schema import load_program_text

from pricing_strategies import (
    examples,
    Case,
    cases,
    exact_floor,
    expected_line_multiplier,
    expected_line_pct,
    expected_max_redeem,
    expected_multiplier,
    expected_pct,
    expected_reward_refusal,
    expected_tier_code,
    full_program,
    quote_or_refusal,
    without_refused_promotions,
    item,
    programs,
)

SETTINGS = settings(max_examples=examples(250), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def base_quote(case: Case) -> tuple[Quote, list[str]]:
    """The quote without a redemption; rewards the rules refuse are checked and then dropped."""
    first = quote_or_refusal(case)
    expected = expected_reward_refusal(case.items, case.member, case.program, case.rewards)
    if isinstance(first, Exception):
        assert expected is not None, f"rewards {case.rewards} refused although due: {first}"
        assert isinstance(first, AuthError) == (expected == "auth"), first
        second = quote_or_refusal(case, rewards=[])
        assert isinstance(second, Quote), second
        return second, []
    assert expected is None, f"rewards {case.rewards} accepted although the rules refuse them ({expected})"
    return first, case.rewards


def check_invariants(case: Case, q: Quote, redeem: int) -> None:
    program, member, now = case.program, case.member, case.now
    # money adds up
    assert q.total >= 0
    assert q.total == q.subtotal - q.discount_total - q.redeemed_value
    assert sum(ln.amount for ln in q.lines) == q.subtotal
    assert sum(ln.paid for ln in q.lines) == q.total
    assert sum(ln.discount for ln in q.lines) == q.discount_total
    assert sum(ln.redeemed_value for ln in q.lines) == q.redeemed_value
    for ln, it in zip(q.lines, case.items, strict=True):
        assert ln.amount == it.qty * it.unit_price
        assert ln.paid >= 0 and ln.percent_discount >= 0 and ln.redeemed_value >= 0
        assert ln.free_value == ln.free_units * ln.unit_price and 0 <= ln.free_units <= ln.qty
        # a plan's SKU is a membership fee; a member's excluded categories are excluded; the rest is eligible
        excluded = member is not None and program.earn is not None and it.category in program.earn.exclude_categories
        assert ln.kind == ("membership" if program.membership_by_sku(it.sku) else
                           "excluded" if excluded else "eligible")
        if ln.kind != "eligible":  # no discount, not payable with points, no promotion
            assert ln.percent_discount == 0 and ln.redeemed_value == 0
            assert not ln.promotion_discount and not ln.free_by_promotion
        if ln.kind == "membership":  # never free, never stamped
            assert ln.free_units == 0 and not ln.stamps
    # the percent discount: once over the eligible subtotal, half-up, spread within one minor unit per line
    eligible = [ln for ln in q.lines if ln.kind == "eligible"]
    base = sum(ln.amount - ln.free_value for ln in eligible)
    assert Fraction(q.discount_pct) == expected_pct(program, member, now)
    percent_total = sum(ln.percent_discount for ln in eligible)
    if not program.member_prices:  # one group: DESIGN.md's single sale-level percentage
        assert percent_total == percent_of(base, q.discount_pct)
        for ln in eligible:
            exact = Fraction(percent_total * (ln.amount - ln.free_value), base) if base else Fraction(0)
            assert abs(ln.percent_discount - exact) < 1
    for ln in eligible:  # the best of tier/plan and member prices, per line, within rounding
        taken = ln.percent_discount + sum(v for k, v in ln.promotion_discount.items() if k.startswith("member_price:"))
        best = expected_line_pct(program, member, now, ln.sku, ln.category)
        assert abs(taken - best * (ln.amount - ln.free_value) / 100) < 2
    check_promotions(case, q)
    # the explanation adds up: its discount steps come to the sale's discount total, to the minor unit
    steps = ("punch_reward", "coupon_free_item", "voucher_free_item", "discount", "member_price", "coupon", "voucher")
    assert sum(int(str(e.params["value"])) for e in q.explanations if e.code in steps) == q.discount_total
    # tier and multiplier
    assert q.tier == (expected_tier_code(program, member.qualifying_spend) if member else None)
    assert Fraction(q.earn_multiplier) == expected_multiplier(program, member, now)
    # redemption within every rule
    after_discount = sum(ln.paid + ln.redeemed_value for ln in eligible)
    assert q.redeemed_points == redeem
    if redeem:
        rule = program.redeem
        assert rule is not None and member is not None and member.can_spend
        assert redeem <= member.points
        assert redeem % rule.step == 0 and redeem >= rule.min_points
        assert q.redeemed_value == redeem * rule.value // rule.points
        assert Fraction(redeem * rule.value, rule.points) <= Fraction(after_discount) * Fraction(rule.max_share_pct) / 100
        if case.offline and rule.offline_daily_cap_points is not None:
            assert member.redeemed_today + redeem <= rule.offline_daily_cap_points
    else:
        assert q.redeemed_value == 0
    # earning: one floor over the whole sale, on what was paid for eligible lines
    if member is None:
        assert (q.qualifying_spend, q.points_earned, q.points_balance_after) == (0, 0, 0)
        assert not q.stamps_earned and not q.memberships_sold
        return
    assert q.qualifying_spend == sum(ln.paid for ln in eligible) == after_discount - q.redeemed_value
    if program.earn:
        expected = exact_floor(sum((Fraction(ln.paid) * expected_line_multiplier(program, member, now, ln.sku,
                                                                                  ln.category) for ln in eligible),
                                   Fraction(0)) * program.earn.points / program.earn.per)
        assert q.points_earned == expected
    else:
        assert q.points_earned == 0
    # stamps: one per paid qualifying unit, none for free units or membership fees
    for card in program.punch_cards:
        paid_units = sum(ln.qty - ln.free_units for ln in q.lines
                         if ln.kind != "membership" and card.qualifies(ln.sku, ln.category))
        assert q.stamps_earned.get(card.code, 0) == paid_units
        assert q.stamps_spent.get(card.code, 0) == (card.stamps_needed if card.code in q.punch_rewards else 0)
    # each accepted reward frees exactly one qualifying unit, and no unit still paid for is cheaper
    for code in q.punch_rewards:
        rewarded = program.punch_card(code)
        assert rewarded is not None
        freed = [ln for ln in q.lines if ln.free_by_card.get(code)]
        assert len(freed) == 1 and freed[0].free_by_card[code] == 1
        assert freed[0].kind != "membership" and rewarded.qualifies(freed[0].sku, freed[0].category)
        still_paid = [ln.unit_price for ln in q.lines if ln.kind != "membership"
                      and rewarded.qualifies(ln.sku, ln.category) and ln.qty > ln.free_units]
        assert all(freed[0].unit_price <= p for p in still_paid)
    # memberships and the balance
    for plan in program.memberships:
        units = sum(ln.qty for ln in q.lines if ln.sku == plan.sku)
        assert q.memberships_sold.get(plan.code, 0) == units * plan.period_days
    assert q.points_balance_after == (member.points - redeem + q.points_earned + q.birthday_points
                                      + q.referral_points + q.campaign_points - q.points_converted)
    assert q.points_converted >= 0 and (q.points_converted == 0 or q.points_balance_after >= 0)


def check_promotions(case: Case, q: Quote) -> None:
    """Each coupon and voucher applied once, its amount exactly what the lines record, never past its face."""
    keys = [f"coupon:{a.code}" for a in q.coupons_applied] + [f"voucher:{a.ref}" for a in q.vouchers_applied]
    assert len(keys) == len(set(keys)) == len(case.coupons) + len(case.vouchers)  # each once, none dropped
    for applied, key in [(a, f"coupon:{a.code}") for a in q.coupons_applied] + [
            (a, f"voucher:{a.ref}") for a in q.vouchers_applied]:
        units = sum(ln.free_by_promotion.get(key, 0) for ln in q.lines)
        money = sum(ln.promotion_discount.get(key, 0) for ln in q.lines)
        assert units in (0, 1) and not (units and money)  # a free unit, or money off: never both, never twice
        if units:
            assert applied.value == next(ln.unit_price for ln in q.lines if ln.free_by_promotion.get(key))
        else:
            assert money == applied.value >= 0
    for use, applied in zip([v for v in case.vouchers if v.value is not None],
                            [a for a in q.vouchers_applied if not any(ln.free_by_promotion.get(f"voucher:{a.ref}")
                                                                      for ln in q.lines)]):
        assert applied.value <= (use.value or 0)
    assert q.member_price_discount == sum(v for ln in q.lines for k, v in ln.promotion_discount.items()
                                          if k.startswith("member_price:"))
    for ln in q.lines:
        assert all(v > 0 for v in ln.promotion_discount.values())
    if case.member is None:
        assert q.campaign_points == 0 and not q.vouchers_issued and q.points_converted == 0


def stated_largest(message: str) -> int:
    if "no points can be redeemed" in message:
        return 0
    found = re.search(r"the most allowed on this sale is (\d+) points", message)
    assert found, f"refusal without the largest redemption allowed: {message!r}"
    return int(found.group(1))


@SETTINGS
@given(case=cases(), data=st.data())
def test_accepted_quotes_keep_every_invariant_and_refusals_state_an_accepted_maximum(case: Case,
                                                                                      data: st.DataObject) -> None:
    case = without_refused_promotions(case)
    q0, rewards = base_quote(case)
    case = replace(case, rewards=rewards)
    check_invariants(case, q0, 0)
    limits = q0.redeem_limits
    eligible_after_discount = sum(ln.paid for ln in q0.lines if ln.kind == "eligible")
    # the stated maximum is the one DESIGN.md's rules give
    assert limits.max_points == expected_max_redeem(case.program, case.member, eligible_after_discount,
                                                    case.offline)
    step = case.program.redeem.step if case.program.redeem else 1
    choices = [st.just(limits.max_points + step), st.integers(0, 60).map(lambda k: k * step),
               st.integers(1, 70_000)]
    if limits.max_points:  # within the limits too, so that accepted redemptions are common
        lowest = max(limits.min_points, step) // step
        choices += [st.just(limits.max_points),
                    st.integers(lowest, limits.max_points // step).map(lambda k: k * step)]
    redeem = data.draw(st.one_of(choices), label="redeem")
    result = quote_or_refusal(case, redeem)
    member, rule = case.member, case.program.redeem
    event("member" if member else "non-member")
    event(f"rewards accepted: {len(rewards)}")
    event(f"max_points > 0: {limits.max_points > 0}")
    event(f"redeem {'0' if redeem == 0 else '>0'}: {type(result).__name__}")
    if isinstance(result, Quote):
        check_invariants(case, result, redeem)
        assert limits.allows(redeem)
        # the redemption changes only what follows it in the order of application
        assert result.discount_total == q0.discount_total and result.tier == q0.tier
        assert result.redeem_limits == limits
        return
    # refused: for a reason the rules give, never silently clamped
    if isinstance(result, AuthError):
        assert member is not None and not member.can_spend and rule is not None
        return
    assert redeem > 0
    if rule is None or member is None:
        return
    assert member.can_spend and not limits.allows(redeem)
    largest = stated_largest(result.message)
    assert largest == limits.max_points
    if largest:
        accepted = quote_or_refusal(case, largest)
        assert isinstance(accepted, Quote), accepted
        check_invariants(case, accepted, largest)


@SETTINGS
@given(case=cases(), data=st.data())
def test_price_is_deterministic(case: Case, data: st.DataObject) -> None:
    case = without_refused_promotions(case)
    q0, rewards = base_quote(case)
    redeem = data.draw(st.sampled_from((0, q0.redeem_limits.max_points)))
    first = quote_or_refusal(case, redeem, rewards)
    second = quote_or_refusal(case, redeem, rewards)
    if isinstance(first, Quote):
        assert isinstance(second, Quote) and first == second
        assert first.to_json() == second.to_json()
    else:
        assert type(first) is type(second) and str(first) == str(second)


@settings(max_examples=examples(60), deadline=None)
@given(program=programs())
def test_generated_programs_survive_the_stored_round_trip(program: object) -> None:
    # the terminal stores canonical_json() and reads it back with load_program_text
    assert load_program_text(program.canonical_json()) == program  # type: ignore[attr-defined]


def test_the_oracles_agree_with_a_hand_computed_case() -> None:
    """A guard for the oracles themselves: on DESIGN.md's example they give the hand-computed answers."""
    program = full_program()
    now = datetime(2026, 3, 10, 10, tzinfo=timezone.utc)  # Tuesday in Jerusalem
    gold = MemberState("M1", points=5_000, qualifying_spend=500_000, bonus_weekday=1, can_spend=True)
    case = Case(program, [item("BREAD", 1, 10_000)], gold, now, [], False)
    q = price(case.items, gold, program, now, redeem_points=800)
    check_invariants(case, q, 800)
    # 10000 − 10% = 9000; 800 points = 8000; 1000 paid → 10 points × 3 (bonus beats Gold's 2) = 30
    assert (q.total, q.points_earned) == (1_000, 30)
    assert expected_multiplier(program, gold, now) == 3
    assert expected_max_redeem(program, gold, 9_000, False) == 900  # 9000 → 900 points
