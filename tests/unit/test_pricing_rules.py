"""Pricing by example: DESIGN.md's rules, each with hand-computed numbers (the arithmetic is in the comments).

Unless a test says otherwise the program is DESIGN.md's example (`tests/data/program_full.json`): 1 point per
₪1 (100 agorot), tobacco and gift cards excluded, 100 points = ₪10 with min/step 100 and an offline cap of 2000
a day, Bronze 0 / Silver ₪2,000 (5%) / Gold ₪5,000 (10%, ×2), a Gold bonus day ×3 on the member's weekday, a
coffee card of 9 stamps, the Plus plan (10%), best-of stacking, birthday 300, referee 100, time zone
Asia/Jerusalem. NOW is Tuesday 10 March 2026, 12:00 in Jerusalem.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from pos_client.errors import AuthError, InvalidInputError, RuleViolation
from pos_client.pricing import CartItem, MemberState, price
from pos_client.pricing.engine import largest_multiplier
from pos_client.pricing.model import Quote, RedeemLimits
from pos_client.program.schema import Program

from pricing_strategies import full_doc, full_program, item, load_doc

UTC = timezone.utc
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # Tuesday, 12:00 in Jerusalem (UTC+2 until 27 March)
SUNDAY_NIGHT_UTC = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)  # Sunday in UTC, Monday 01:30 in Jerusalem
BRONZE, SILVER, GOLD = 0, 200_000, 500_000
PLUS_ACTIVE = {"membership_code": "plus", "membership_expires": NOW + timedelta(days=30)}


@pytest.fixture(scope="module")
def program() -> Program:
    return full_program()


def member(**fields: Any) -> MemberState:
    return MemberState(member_id="M1", **fields)


def bread(price_: int = 10_000, qty: int = 1) -> CartItem:
    return item("BREAD", qty, price_, "food")


def largest_in(message: str) -> int:
    """The largest redemption a refusal message states (0 when it says none is possible)."""
    if "no points can be redeemed on this sale" in message:
        return 0
    found = re.search(r"the most allowed on this sale is (\d+) points", message)
    assert found, f"the refusal does not state the largest redemption allowed: {message!r}"
    return int(found.group(1))


def priced(items: list[CartItem], who: MemberState | None, program: Program, **kw: Any) -> Quote:
    return price(items, who, program, kw.pop("now", NOW), **kw)


# -- earning ---------------------------------------------------------------------------------------------


def test_points_are_floored_over_the_whole_sale_not_line_by_line(program: Program) -> None:
    q = priced([item("GUM", 1, 150), item("MINT", 1, 150)], member(), program)
    # one floor over the sale: floor(300 × 1 / 100) = 3; line by line it would be floor(1.5) + floor(1.5) = 2
    assert q.qualifying_spend == 300
    assert q.points_earned == 3


def test_points_are_floored_not_rounded(program: Program) -> None:
    q = priced([item("GUM", 1, 199)], member(), program)
    assert q.points_earned == 1  # floor(199 / 100) = floor(1.99) = 1, never rounded to 2


def test_a_non_member_sale_earns_nothing_and_has_no_tier(program: Program) -> None:
    q = priced([bread(), item("CIG", 1, 5_000, "tobacco")], None, program)
    # no member: no discount, no points, no spend; the excluded line is simply sold
    assert (q.member_id, q.tier, q.discount_total, q.points_earned, q.qualifying_spend) == (None, None, 0, 0, 0)
    assert q.total == q.subtotal == 15_000
    assert q.points_balance_after == 0 and q.redeem_limits.max_points == 0


# -- excluded categories --------------------------------------------------------------------------------


def test_excluded_categories_get_no_discount_earn_nothing_and_count_for_no_spend(program: Program) -> None:
    basket = [bread(10_000), item("CIG", 1, 5_000, "tobacco"), item("GIFT", 1, 2_000, "gift_card")]
    q = priced(basket, member(qualifying_spend=SILVER, points=5_000, can_spend=True), program)
    # Silver 5% of the eligible ₪100 only: 10000 × 5% = 500; tobacco and the gift card keep their price
    assert [ln.kind for ln in q.lines] == ["eligible", "excluded", "excluded"]
    assert [ln.percent_discount for ln in q.lines] == [500, 0, 0]
    assert q.subtotal == 17_000 and q.discount_total == 500
    assert q.total == 16_500  # 17000 − 500
    assert q.qualifying_spend == 9_500  # 10000 − 500; the 7000 of excluded goods counts for nothing
    assert q.points_earned == 95  # floor(9500 / 100)


def test_excluded_lines_cannot_be_paid_with_points(program: Program) -> None:
    basket = [bread(10_000), item("CIG", 1, 5_000, "tobacco"), item("GIFT", 1, 2_000, "gift_card")]
    who = member(qualifying_spend=SILVER, points=5_000, can_spend=True)
    # eligible after discount 9500 → at most ₪95 of points → 9500 × 100 / 1000 = 950 points → step 100 → 900
    assert priced(basket, who, program).redeem_limits.max_points == 900
    q = priced(basket, who, program, redeem_points=900)
    assert q.redeemed_value == 9_000  # 900 × 1000 / 100
    assert [ln.redeemed_value for ln in q.lines] == [9_000, 0, 0]
    assert q.total == 7_500  # 17000 − 500 − 9000: the excluded 7000 is paid in money
    assert q.qualifying_spend == 500 and q.points_earned == 5  # 9500 − 9000 = 500 → 5 points
    with pytest.raises(RuleViolation, match="at most 100% of the eligible items") as refused:
        priced(basket, who, program, redeem_points=1_000)
    assert largest_in(refused.value.message) == 900


def test_a_basket_of_only_excluded_goods_allows_no_redemption(program: Program) -> None:
    who = member(qualifying_spend=SILVER, points=5_000, can_spend=True)
    basket = [item("CIG", 2, 5_000, "tobacco")]
    q = priced(basket, who, program)
    assert (q.discount_total, q.qualifying_spend, q.points_earned, q.redeem_limits.max_points) == (0, 0, 0, 0)
    with pytest.raises(RuleViolation) as refused:
        priced(basket, who, program, redeem_points=100)
    assert largest_in(refused.value.message) == 0


# -- tiers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("spend", "tier", "discount"), [
    (0, "bronze", 0),
    (199_999, "bronze", 0),
    (200_000, "silver", 500),  # exactly the threshold reaches Silver: 10000 × 5% = 500
    (499_999, "silver", 500),
    (500_000, "gold", 1_000),  # exactly the threshold reaches Gold: 10000 × 10% = 1000
    (50_000_000, "gold", 1_000),
])
def test_tier_is_the_highest_threshold_reached_by_qualifying_spend(program: Program, spend: int, tier: str,
                                                                  discount: int) -> None:
    q = priced([bread(10_000)], member(qualifying_spend=spend), program)
    assert q.tier == tier
    assert q.discount_total == discount


def test_below_every_tier_there_is_no_tier() -> None:
    doc = full_doc()
    doc["tiers"] = doc["tiers"][1:]  # Silver and Gold only
    q = priced([bread(10_000)], member(qualifying_spend=199_999), load_doc(doc))
    assert q.tier is None and q.discount_total == 0 and q.points_earned == 100


def test_a_tier_change_waits_for_the_next_sale(program: Program) -> None:
    q = priced([bread(10_000)], member(qualifying_spend=199_000), program)
    # 199000 + 10000 would pass Silver's 200000, but this sale is priced at Bronze
    assert q.tier == "bronze" and q.discount_total == 0 and q.qualifying_spend == 10_000


def test_qualifying_spend_is_what_was_paid_after_discount_and_points(program: Program) -> None:
    who = member(qualifying_spend=SILVER, points=500, can_spend=True)
    q = priced([bread(10_000)], who, program, redeem_points=200)
    # 10000 − 5% (500) − 200 points (2000) = 7500
    assert q.qualifying_spend == 7_500 and q.total == 7_500
    assert q.points_earned == 75


# -- discount stacking and rounding ---------------------------------------------------------------------


@pytest.mark.parametrize(("stacking", "spend", "pct", "discount"), [
    ("best", SILVER, Decimal(10), 1_000),  # max(5, 10) = 10% of 10000
    ("add", SILVER, Decimal(15), 1_500),  # 5 + 10 = 15% of 10000
    ("best", GOLD, Decimal(10), 1_000),  # max(10, 10)
    ("add", GOLD, Decimal(20), 2_000),  # 10 + 10
    ("best", BRONZE, Decimal(10), 1_000),  # the plan alone
])
def test_tier_and_membership_discounts_stack_best_or_add(stacking: str, spend: int, pct: Decimal,
                                                        discount: int) -> None:
    prog = full_program(discount_stacking=stacking)
    q = priced([bread(10_000)], member(qualifying_spend=spend, **PLUS_ACTIVE), prog)
    assert q.discount_pct == pct
    assert q.discount_total == discount


def test_an_expired_plan_gives_no_discount(program: Program) -> None:
    who = member(qualifying_spend=SILVER, membership_code="plus", membership_expires=NOW - timedelta(seconds=1))
    assert priced([bread(10_000)], who, program).discount_total == 500  # Silver's 5% only


def test_added_discounts_never_exceed_the_price() -> None:
    doc = full_doc()
    doc["tiers"][0]["discount_pct"] = 60
    doc["memberships"][0]["discount_pct"] = 50
    doc["discount_stacking"] = "add"
    q = priced([bread(10_000)], member(**PLUS_ACTIVE), load_doc(doc))
    # 60 + 50 = 110% is capped at 100%: the bread is free and earns nothing
    assert q.discount_pct == 100 and q.discount_total == 10_000
    assert (q.total, q.points_earned) == (0, 0)


def test_percent_discount_rounds_half_up(program: Program) -> None:
    silver = member(qualifying_spend=SILVER)
    # 10010 × 5% = 500.5 → 501 (half-even would give 500)
    assert priced([bread(10_010)], silver, program).discount_total == 501
    # 10030 × 5% = 501.5 → 502; 10 × 5% = 0.5 → 1; 10009 × 5% = 500.45 → 500
    assert priced([bread(10_030)], silver, program).discount_total == 502
    assert priced([bread(10)], silver, program).discount_total == 1
    assert priced([bread(10_009)], silver, program).discount_total == 500


def test_percent_discount_is_computed_on_the_eligible_subtotal_as_a_whole(program: Program) -> None:
    q = priced([bread(5_005), item("CAKE", 1, 5_005)], member(qualifying_spend=SILVER), program)
    # (5005 + 5005) × 5% = 500.5 → 501; line by line it would be 250.25 → 250 twice = 500.
    # The 501 is then spread 251 + 250 (equal weights: the extra agora goes to the first line).
    assert q.discount_total == 501
    assert [ln.percent_discount for ln in q.lines] == [251, 250]
    assert q.total == 9_509


# -- redemption -----------------------------------------------------------------------------------------


def test_redemption_must_be_a_multiple_of_the_step(program: Program) -> None:
    who = member(points=700, can_spend=True)
    with pytest.raises(RuleViolation, match="steps of 100") as refused:
        priced([bread(10_000)], who, program, redeem_points=150)
    # max: balance 700; share 10000 → 10000 × 100 / 1000 = 1000 points; min(700, 1000) = 700
    assert largest_in(refused.value.message) == 700


def test_redemption_must_reach_the_minimum() -> None:
    doc = full_doc()
    doc["redeem"]["min_points"] = 300
    prog = load_doc(doc)
    with pytest.raises(RuleViolation, match="minimum redemption is 300 points") as refused:
        priced([bread(10_000)], member(points=700, can_spend=True), prog, redeem_points=200)
    assert largest_in(refused.value.message) == 700
    # a balance below the minimum allows nothing at all
    q = priced([bread(10_000)], member(points=250, can_spend=True), prog)
    assert q.redeem_limits.max_points == 0


def test_redemption_cannot_exceed_the_balance(program: Program) -> None:
    who = member(points=700, can_spend=True)
    with pytest.raises(RuleViolation, match="the member has 700 points") as refused:
        priced([bread(10_000)], who, program, redeem_points=800)
    assert largest_in(refused.value.message) == 700
    q = priced([bread(10_000)], who, program, redeem_points=700)  # the largest stated is accepted
    # 700 points = 700 × 1000 / 100 = 7000; pays 3000 → 30 points; balance 700 − 700 + 30 = 30
    assert (q.redeemed_points, q.redeemed_value, q.total, q.points_earned) == (700, 7_000, 3_000, 30)
    assert q.points_balance_after == 30


def test_a_balance_below_one_step_allows_nothing(program: Program) -> None:
    with pytest.raises(RuleViolation, match="the member has 50 points") as refused:
        priced([bread(10_000)], member(points=50, can_spend=True), program, redeem_points=100)
    assert largest_in(refused.value.message) == 0


def test_redemption_value_is_capped_at_the_share_of_the_eligible_total() -> None:
    doc = full_doc()
    doc["redeem"]["max_share_pct"] = 50
    prog = load_doc(doc)
    who = member(points=2_000, can_spend=True)
    with pytest.raises(RuleViolation, match="at most 50% of the eligible items") as refused:
        priced([bread(10_000)], who, prog, redeem_points=600)
    # 50% of 10000 = 5000 → 5000 × 100 / 1000 = 500 points
    assert largest_in(refused.value.message) == 500
    q = priced([bread(10_000)], who, prog, redeem_points=500)
    assert (q.redeemed_value, q.total) == (5_000, 5_000)


def test_share_cap_is_after_discounts() -> None:
    doc = full_doc()
    doc["redeem"]["max_share_pct"] = 50
    q = priced([bread(10_000)], member(qualifying_spend=GOLD, points=2_000, can_spend=True), load_doc(doc))
    # Gold: 10000 − 10% = 9000; 50% → 4500 → 450 points → step 100 → 400
    assert q.redeem_limits.max_points == 400


def test_offline_daily_cap_applies_only_offline(program: Program) -> None:
    who = member(points=5_000, redeemed_today=1_500, can_spend=True)
    basket = [bread(100_000)]
    online = priced(basket, who, program, redeem_points=600)
    assert online.redeemed_value == 6_000  # online the cap does not apply
    # online max: min(balance 5000, 100000 × 100 / 1000 = 10000) = 5000
    assert priced(basket, who, program).redeem_limits.max_points == 5_000
    with pytest.raises(RuleViolation, match="offline, a member may redeem at most 2000 points a day") as refused:
        priced(basket, who, program, redeem_points=600, offline=True)
    # offline: 2000 − 1500 already redeemed today = 500
    assert largest_in(refused.value.message) == 500
    assert priced(basket, who, program, offline=True).redeem_limits.max_points == 500
    assert priced(basket, who, program, redeem_points=500, offline=True).redeemed_value == 5_000


def test_offline_cap_used_up_allows_nothing(program: Program) -> None:
    who = member(points=5_000, redeemed_today=2_000, can_spend=True)
    with pytest.raises(RuleViolation) as refused:
        priced([bread(100_000)], who, program, redeem_points=100, offline=True)
    assert largest_in(refused.value.message) == 0


def test_spending_points_needs_the_card_or_a_manager(program: Program) -> None:
    with pytest.raises(AuthError):
        priced([bread(10_000)], member(points=5_000, can_spend=False), program, redeem_points=100)
    # looking at the balance is fine without it
    assert priced([bread(10_000)], member(points=5_000), program).redeem_limits.max_points == 1_000


def test_a_non_member_cannot_redeem(program: Program) -> None:
    with pytest.raises(RuleViolation, match="needs a member"):
        priced([bread(10_000)], None, program, redeem_points=100)


def test_a_program_without_redemption_refuses_it() -> None:
    with pytest.raises(RuleViolation, match="no points redemption"):
        priced([bread(10_000)], member(points=5_000, can_spend=True), full_program(redeem=None), redeem_points=100)


@pytest.mark.parametrize("bad", [-100, True, 100.0])
def test_a_redemption_that_is_not_a_whole_number_is_refused(program: Program, bad: Any) -> None:
    with pytest.raises(RuleViolation, match="whole number"):
        priced([bread(10_000)], member(points=5_000, can_spend=True), program, redeem_points=bad)


# -- multipliers and bonus days -------------------------------------------------------------------------


def test_multipliers_do_not_compound_the_largest_wins(program: Program) -> None:
    # NOW is a Tuesday (1) in Jerusalem; Gold ×2 and the Gold bonus day ×3 on the member's day
    gold_on_bonus_day = member(qualifying_spend=GOLD, bonus_weekday=1)
    q = priced([bread(10_000)], gold_on_bonus_day, program)
    # 10000 − 10% = 9000 → 90 points × max(2, 3) = 270 (compounded it would be 90 × 6 = 540)
    assert q.earn_multiplier == 3 and q.points_earned == 270
    q = priced([bread(10_000)], member(qualifying_spend=GOLD, bonus_weekday=4), program)
    assert q.earn_multiplier == 2 and q.points_earned == 180  # not the bonus day: Gold's ×2


def test_membership_multiplier_competes_with_tier_and_bonus() -> None:
    doc = full_doc()
    doc["memberships"][0]["earn_multiplier"] = 4
    q = priced([bread(10_000)], member(qualifying_spend=GOLD, bonus_weekday=1, **PLUS_ACTIVE), load_doc(doc))
    # max(Gold 2, Plus 4, bonus 3) = 4 on 9000 (best of 10%/10%) → 90 × 4 = 360, not 90 × 24
    assert q.earn_multiplier == 4 and q.points_earned == 360


def test_a_bonus_day_for_gold_does_not_apply_to_silver(program: Program) -> None:
    q = priced([bread(10_000)], member(qualifying_spend=SILVER, bonus_weekday=1), program)
    assert q.earn_multiplier == 1 and q.points_earned == 95  # 10000 − 5% = 9500 → 95


def test_fixed_bonus_weekday_is_judged_in_the_program_time_zone() -> None:
    doc = full_doc()
    doc["bonus_days"] = [{"weekday": 0, "multiplier": 3}]  # Mondays, every member
    in_jerusalem = load_doc(doc)
    # 23:30 UTC Sunday is 01:30 Monday in Jerusalem: 10000 → 100 points × 3 = 300
    q = priced([bread(10_000)], member(), in_jerusalem, now=SUNDAY_NIGHT_UTC)
    assert q.earn_multiplier == 3 and q.points_earned == 300
    doc["timezone"] = "UTC"
    q = priced([bread(10_000)], member(), load_doc(doc), now=SUNDAY_NIGHT_UTC)
    assert q.earn_multiplier == 1 and q.points_earned == 100  # still Sunday in UTC


def test_member_choice_bonus_weekday_is_judged_in_the_program_time_zone(program: Program) -> None:
    monday = member(qualifying_spend=GOLD, bonus_weekday=0)
    q = priced([bread(10_000)], monday, program, now=SUNDAY_NIGHT_UTC)
    assert q.earn_multiplier == 3 and q.points_earned == 270  # Monday in Jerusalem: 9000 → 90 × 3
    sunday = member(qualifying_spend=GOLD, bonus_weekday=6)
    q = priced([bread(10_000)], sunday, program, now=SUNDAY_NIGHT_UTC)
    assert q.earn_multiplier == 2 and q.points_earned == 180  # the UTC Sunday is not the store's Sunday
    no_choice = member(qualifying_spend=GOLD, bonus_weekday=None)
    assert priced([bread(10_000)], no_choice, program, now=SUNDAY_NIGHT_UTC).earn_multiplier == 2


def test_earning_is_exact_with_a_long_multiplier() -> None:
    doc = full_doc()
    doc["earn"]["per"] = 1
    doc["tiers"][0]["earn_multiplier"] = Decimal("1.3333333333333333333333333333333")  # 31 digits
    q = priced([item("GUM", 1, 3)], member(), load_doc(doc))
    # 3 × 1.3333333333333333333333333333333 = 3.9999999999999999999999999999999 → floor 3
    # (28-digit Decimal arithmetic rounds the product up to 4.000… and would award 4)
    assert q.points_earned == 3


def test_share_cap_is_exact_with_a_long_percentage() -> None:
    doc = full_doc()
    doc["redeem"] = {"points": 1, "value": 1, "max_share_pct": Decimal("99.99999999999999999999999999999")}
    q = priced([bread(1_000)], member(points=5_000, can_spend=True), load_doc(doc))
    # 1000 × 99.99999999999999999999999999999% = 999.9999999999999999999999999999 → at most 999 agorot
    assert q.redeem_limits.max_points == 999


# -- punch cards ------------------------------------------------------------------------------------------


def coffee_basket() -> list[CartItem]:
    return [item("COFFEE-L", 2, 1_500, "drink"), item("COFFEE-S", 1, 1_000, "drink"), item("CROISSANT", 1, 800)]


def test_punch_card_reward_makes_the_cheapest_qualifying_unit_free(program: Program) -> None:
    who = member(stamps={"coffee": 9}, can_spend=True)
    q = priced(coffee_basket(), who, program, punch_rewards=["coffee"])
    large, small, croissant = q.lines
    # the cheapest qualifying unit is the ₪10 small coffee (the croissant does not qualify)
    assert (small.free_units, small.free_value, small.paid, dict(small.free_by_card)) == (1, 1_000, 0, {"coffee": 1})
    assert large.free_units == 0 and croissant.free_units == 0
    assert dict(q.stamps_spent) == {"coffee": 9}
    # the free unit earns no stamp: 2 large coffees stamp, the small one does not
    assert dict(large.stamps) == {"coffee": 2} and dict(small.stamps) == {} and dict(croissant.stamps) == {}
    assert dict(q.stamps_earned) == {"coffee": 2}
    # 4800 − 1000 free = 3800 paid, all of it qualifying → 38 points (the free ₪10 earns none)
    assert (q.subtotal, q.discount_total, q.total) == (4_800, 1_000, 3_800)
    assert (q.qualifying_spend, q.points_earned) == (3_800, 38)
    assert q.punch_rewards == ("coffee",) and q.rewards_due == ()


def test_punch_card_reward_is_offered_not_applied(program: Program) -> None:
    q = priced(coffee_basket(), member(stamps={"coffee": 9}, can_spend=True), program)
    assert q.rewards_due == ("coffee",)
    assert q.discount_total == 0 and dict(q.stamps_earned) == {"coffee": 3} and q.points_earned == 48


def test_punch_card_reward_frees_one_unit_of_a_multi_unit_line(program: Program) -> None:
    q = priced([item("COFFEE-S", 3, 1_000, "drink")], member(stamps={"coffee": 12}, can_spend=True), program,
               punch_rewards=["coffee"])
    (line,) = q.lines
    # 3 × 1000, one free: 2000 paid, 2 stamps, 20 points
    assert (line.free_units, line.paid, dict(line.stamps), q.points_earned) == (1, 2_000, {"coffee": 2}, 20)


def test_punch_card_free_unit_comes_before_the_percent_discount(program: Program) -> None:
    who = member(qualifying_spend=SILVER, stamps={"coffee": 9}, can_spend=True)
    q = priced(coffee_basket(), who, program, punch_rewards=["coffee"])
    # after the free coffee: 3000 + 0 + 800 = 3800 → 5% = 190; total 4800 − 1000 − 190 = 3610 → 36 points
    assert q.discount_total == 1_190 and q.total == 3_610 and q.points_earned == 36


def test_punch_card_reward_refused_without_enough_stamps(program: Program) -> None:
    with pytest.raises(RuleViolation, match="8 of 9 stamps"):
        priced(coffee_basket(), member(stamps={"coffee": 8}, can_spend=True), program, punch_rewards=["coffee"])


def test_punch_card_reward_refused_without_a_qualifying_item(program: Program) -> None:
    with pytest.raises(RuleViolation, match="no qualifying item"):
        priced([item("CROISSANT", 1, 800)], member(stamps={"coffee": 9}, can_spend=True), program,
               punch_rewards=["coffee"])


def test_punch_card_reward_refused_for_unknown_cards_non_members_and_unverified_members(program: Program) -> None:
    with pytest.raises(RuleViolation, match="unknown punch card"):
        priced(coffee_basket(), member(stamps={"coffee": 9}, can_spend=True), program, punch_rewards=["tea"])
    with pytest.raises(RuleViolation, match="needs a member"):
        priced(coffee_basket(), None, program, punch_rewards=["coffee"])
    with pytest.raises(AuthError):
        priced(coffee_basket(), member(stamps={"coffee": 9}), program, punch_rewards=["coffee"])


# -- memberships ----------------------------------------------------------------------------------------------


def test_membership_fee_is_not_discounted_and_earns_nothing(program: Program) -> None:
    who = member(qualifying_spend=SILVER, points=5_000, can_spend=True)
    q = priced([item("MEMBER-PLUS-Y", 1, 9_900, ""), bread(10_000)], who, program)
    fee, loaf = q.lines
    assert fee.kind == "membership" and (fee.percent_discount, fee.redeemed_value, fee.paid) == (0, 0, 9_900)
    assert dict(fee.stamps) == {}
    # only the bread: 5% of 10000 = 500; paid 9500 → 95 points; total 9900 + 9500 = 19400
    assert loaf.percent_discount == 500
    assert (q.total, q.qualifying_spend, q.points_earned) == (19_400, 9_500, 95)
    assert dict(q.memberships_sold) == {"plus": 365}
    # the fee cannot be paid with points either: 9500 → 950 → step 100 → 900
    assert q.redeem_limits.max_points == 900
    # a plan bought now does not discount this sale (it starts with the next one)
    assert q.discount_pct == 5


def test_membership_days_count_per_unit(program: Program) -> None:
    q = priced([item("MEMBER-PLUS-Y", 2, 9_900, "")], member(), program)
    assert dict(q.memberships_sold) == {"plus": 730}  # 2 × 365
    assert q.points_earned == 0 and q.qualifying_spend == 0


def test_membership_cannot_be_sold_to_a_non_member(program: Program) -> None:
    with pytest.raises(RuleViolation, match="identified member"):
        priced([item("MEMBER-PLUS-Y", 1, 9_900, "")], None, program)


def test_active_plan_discount_competes_with_the_tier(program: Program) -> None:
    q = priced([bread(10_000)], member(qualifying_spend=SILVER, **PLUS_ACTIVE), program)
    # best of Silver 5% and Plus 10% → 1000; paid 9000 → 90 points
    assert q.discount_pct == 10 and q.discount_total == 1_000 and q.points_earned == 90
    assert any("Plus membership discount 10%" in line for line in q.explain)


# -- birthday, referral, balance ---------------------------------------------------------------------------


@pytest.mark.parametrize(("birthday", "last_year", "points"), [
    (date(1990, 3, 25), None, 300),  # March birthday, March sale, never granted
    (date(1990, 3, 25), 2025, 300),  # granted last year: due again
    (date(1990, 3, 25), 2026, 0),  # already granted this year
    (date(1990, 4, 10), None, 0),  # not the birthday month
    (None, None, 0),
])
def test_birthday_points_once_a_year_in_the_birthday_month(program: Program, birthday: date | None,
                                                         last_year: int | None, points: int) -> None:
    q = priced([bread(1_000)], member(birthday=birthday, last_birthday_year=last_year), program)
    assert q.birthday_points == points
    assert q.points_balance_after == 10 + points  # 1000 → 10 points earned, plus the birthday gift


def test_birthday_month_is_judged_in_the_program_time_zone(program: Program) -> None:
    first_of_march_in_jerusalem = datetime(2026, 2, 28, 22, 30, tzinfo=UTC)  # 1 March 00:30 in Jerusalem
    who = member(birthday=date(1990, 3, 25))
    assert priced([bread(1_000)], who, program, now=first_of_march_in_jerusalem).birthday_points == 300
    in_utc = full_program(timezone="UTC")
    assert priced([bread(1_000)], who, in_utc, now=first_of_march_in_jerusalem).birthday_points == 0


def test_referee_points_for_a_pending_referral(program: Program) -> None:
    q = priced([bread(1_000)], member(points=40, referral_pending=True), program)
    assert q.referral_points == 100
    assert q.points_balance_after == 150  # 40 + 10 earned + 100 referral
    assert priced([bread(1_000)], member(referral_pending=False), program).referral_points == 0
    assert priced([bread(1_000)], member(referral_pending=True), full_program(referral=None)).referral_points == 0


def test_points_balance_after(program: Program) -> None:
    who = member(points=1_000, can_spend=True, birthday=date(1990, 3, 1), referral_pending=True)
    q = priced([bread(10_000)], who, program, redeem_points=300)
    # 300 points = 3000; pays 7000 → 70 points; 1000 − 300 + 70 + birthday 300 + referral 100 = 1170
    assert (q.redeemed_value, q.total, q.points_earned) == (3_000, 7_000, 70)
    assert q.points_balance_after == 1_170


# -- explanation --------------------------------------------------------------------------------------------


def test_quote_explains_itself(program: Program) -> None:
    who = member(qualifying_spend=SILVER, points=1_000, can_spend=True)
    q = priced([bread(10_000), item("CIG", 1, 5_000, "tobacco")], who, program, redeem_points=200)
    # 10000 − 5% (500) − 200 points (2000) = 7500 on the bread, + 5000 tobacco = 12500; 75 points earned
    assert q.total == 12_500 and q.points_earned == 75
    text = "\n".join(q.explain)
    assert "1 × Bread @ ₪100.00 = ₪100.00" in text
    assert "1 × Cig @ ₪50.00 = ₪50.00 (excluded from the program)" in text
    assert "Silver tier discount 5% of ₪100.00 = −₪5.00" in text
    assert "Redeemed 200 points = −₪20.00" in text
    assert "Total to pay ₪125.00" in text
    assert re.search(r"Points earned: ₪75\.00 .* = 75$", text, re.M)
    assert "Points balance after this sale: 875" in text  # 1000 − 200 + 75
    assert q.to_json()["explain"] == list(q.explain)


def test_cart_items_refuse_impossible_quantities_and_prices() -> None:
    with pytest.raises(InvalidInputError):
        CartItem("BREAD", "Bread", 0, 100)
    with pytest.raises(InvalidInputError):
        CartItem("BREAD", "Bread", 1, -1)


def test_redemption_options_start_at_the_minimum_and_step_to_the_maximum() -> None:
    # The rewards panel offers exactly these; a step off the grid or past the cap would be refused at checkout.
    # (A program's min_points is a multiple of its step: the schema refuses anything else.)
    limits = RedeemLimits(min_points=200, step=100, max_points=520)
    assert limits.options() == [0, 200, 300, 400, 500]
    assert RedeemLimits(min_points=0, step=100, max_points=300).options() == [0, 100, 200, 300]
    assert RedeemLimits(min_points=100, step=100, max_points=0).options() == [0]
    assert RedeemLimits(min_points=100, step=100, max_points=300, needs_card=True).options() == [0]
    assert all(limits.allows(p) for p in limits.options())


def test_largest_multiplier_is_the_largest_of_tiers_plans_and_bonus_days() -> None:
    # HQ bounds a pushed earn with it: tiers 1/1/2, the plan 1, Gold's bonus day 3 → 3.
    assert largest_multiplier(full_program()) == Decimal(3)
    doc = full_doc()
    doc["bonus_days"] = []
    assert largest_multiplier(Program.model_validate(doc)) == Decimal(2)
    doc["tiers"] = [dict(t, earn_multiplier=1) for t in doc["tiers"]]
    doc["memberships"] = [dict(m, earn_multiplier=Decimal("1.5")) for m in doc["memberships"]]
    assert largest_multiplier(Program.model_validate(doc)) == Decimal("1.5")
    doc["memberships"] = []
    assert largest_multiplier(Program.model_validate(doc)) == Decimal(1)


def test_the_discount_line_names_where_the_percentage_comes_from(program: Program) -> None:
    def discount_line(q: Quote) -> str:
        [line] = [text for text in q.explain if " discount " in text]
        return line

    # Gold 10% and Plus 10% under "best": a tie goes to the tier
    gold_plus = priced([bread(10_000)], member(qualifying_spend=GOLD, **PLUS_ACTIVE), program)
    assert discount_line(gold_plus).startswith("Gold tier discount 10%")
    # a tier's fraction of a percent, no plan: the tier is named
    doc = full_doc()
    doc["tiers"][1]["discount_pct"] = Decimal("0.5")
    half = priced([bread(10_000)], member(qualifying_spend=SILVER), load_doc(doc))
    assert discount_line(half).startswith("Silver tier discount 0.5%")
    # "add" stacking for a member below the lowest tier: only the plan is named, with nothing before it
    doc = full_doc()
    doc["discount_stacking"] = "add"
    doc["tiers"][0]["min_spend"] = 1_000
    no_tier = priced([bread(10_000)], member(qualifying_spend=0, **PLUS_ACTIVE), load_doc(doc))
    assert no_tier.tier is None
    assert discount_line(no_tier).startswith("Plus membership discount 10%")
    # "add" stacking with both: Silver 5% + Plus 10% = 15%, both named
    both = priced([bread(10_000)], member(qualifying_spend=SILVER, **PLUS_ACTIVE), load_doc(doc))
    assert discount_line(both).startswith("Silver tier + Plus membership discount 15%")


def test_a_quote_line_in_json_carries_every_field_under_its_contract_name(program: Program) -> None:
    # `kupa quote --json` and the outbox read these names; a renamed key breaks scripts and HQ.
    q = priced([bread(10_000, qty=2)], member(qualifying_spend=SILVER), program)
    assert q.to_json()["lines"][0] == {
        "sku": "BREAD", "name": "Bread", "category": "food", "kind": "eligible", "qty": 2, "unit_price": 10_000,
        "amount": 20_000, "discount": 1_000, "free_units": 0, "free_value": 0, "percent_discount": 1_000,
        "redeemed_value": 0, "paid": 19_000, "stamps": {},
        # promotions (docs/pricing.md): what each took from the line, free units by promotion, the line's rate
        "promotion_discount": {}, "free_by_promotion": {}, "earn_multiplier": "1"}


def test_a_quote_in_json_carries_every_field_under_its_contract_name(program: Program) -> None:
    # `kupa quote|checkout --json` (scripts, the receipt's stored quote) read these names and types.
    who = member(qualifying_spend=SILVER, points=500, can_spend=True)
    data = priced([bread(10_000, qty=2)], who, program).to_json()
    assert isinstance(data.pop("lines"), list) and data.pop("explain")
    assert [e["code"] for e in data.pop("explanations")][-3:] == ["total", "earn", "balance_after"]
    assert data == {
        "program_version": program.version, "currency": "ILS", "member_id": "M1", "tier": "silver",
        "subtotal": 20_000, "discount_pct": "5", "discount_total": 1_000, "redeemed_points": 0, "redeemed_value": 0,
        "total": 19_000, "qualifying_spend": 19_000, "earn_multiplier": "1", "points_earned": 190,
        "stamps_earned": {}, "stamps_spent": {}, "punch_rewards": [], "rewards_due": [], "memberships_sold": {},
        "birthday_points": 0, "referral_points": 0, "monthly_credit_points": 0, "points_balance_after": 690,
        "max_redeem_points": 500, "redeem_needs_card": False,
        # promotions (docs/pricing.md)
        "coupons_applied": [], "vouchers_applied": [], "member_price_discount": 0, "campaign_points": 0,
        "vouchers_issued": [], "voucher_progress": {}, "points_converted": 0}


def test_redeem_limits_say_which_rule_sets_them_and_why(program: Program) -> None:
    """The till's redemption control shows `reason` and the manager's view `rule`: both name the cap."""
    no_rule = priced([bread()], member(points=5_000), full_program(redeem=None)).redeem_limits
    assert (no_rule.max_points, no_rule.rule, no_rule.reason) == (0, "no_redemption",
                                                                 "this program has no points redemption")
    walk_in = priced([bread()], None, program).redeem_limits
    assert (walk_in.max_points, walk_in.rule, walk_in.reason) == (0, "no_member", "redeeming points needs a member")
    assert priced([bread()], member(points=5_000), program).redeem_limits.needs_card
    assert not priced([bread()], member(points=5_000, can_spend=True), program).redeem_limits.needs_card


def test_a_refused_redemption_names_its_message_the_cap_and_the_most_allowed(program: Program) -> None:
    with pytest.raises(AuthError) as no_card:
        priced([bread()], member(points=5_000), program, redeem_points=100)
    assert no_card.value.message_code == "redeem.needs_card"
    with pytest.raises(RuleViolation) as over:
        priced([bread()], member(points=50, can_spend=True), program, redeem_points=100)
    assert over.value.params["rule"] == "balance" and over.value.params["max_points"] == 0
    assert str(over.value.params["most"]) == "no points can be redeemed on this sale"
