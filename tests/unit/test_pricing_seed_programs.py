"""The three seed programs (tests/data/program_bn.json, program_cvs.json, program_dicks.json) priced through the
pure engine, with totals computed by hand in the comments (docs/pricing.md's order and rounding)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pos_client.errors import AuthError, RuleViolation
from pos_client.money import format_money
from pos_client.pricing import price
from pos_client.pricing.explain import explain_text
from pos_client.pricing.model import CouponUse, MemberState, Quote, VoucherIssue, VoucherUse
from pos_client.pricing.refund import refund_effect
from pos_client.program.schema import Program, read_program_file

from pricing_strategies import item, sold_sale

DATA = Path(__file__).resolve().parents[1] / "data"
UTC = timezone.utc
TUESDAY = datetime(2026, 12, 8, 15, tzinfo=UTC)  # 10:00 in New York, in CVS's vitamins week
PLAN_UNTIL = TUESDAY + timedelta(days=200)


def program(name: str) -> Program:
    return read_program_file(DATA / f"program_{name}.json")


def refused(code: str, *args: object, **kwargs: object) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        price(*args, **kwargs)  # type: ignore[arg-type]
    assert caught.value.message_code == code, caught.value.message
    return caught.value


def codes(q: Quote) -> list[str]:
    return [e.code for e in q.explanations]


# -- Barnes & Noble -------------------------------------------------------------------------------------------
BN = program("bn")
PLUS = MemberState("M1", membership_code="plus", membership_expires=PLAN_UNTIL, can_spend=True)  # card scanned
KID = MemberState("K1", membership_code="kids", membership_expires=PLAN_UNTIL)


def test_bn_worked_example_of_docs_pricing_md() -> None:
    basket = [item("BESTSELLER-1", 1, 3_000, "bestsellers"), item("TOY-1", 1, 2_000, "toys"),
              item("CUPCAKE", 1, 400, "cafe")]
    q = price(basket, PLUS, BN, TUESDAY, coupons=[CouponUse("kids_welcome", "C-1")],
              vouchers=[VoucherUse("V-1", "reward_5", 500)])
    best, toy, cupcake = q.lines
    # bestseller: 40% beats Premium's 10%: 300 of it the plan's share, 900 the member price's
    assert best.percent_discount == 300 and best.promotion_discount["member_price:plus_bestsellers"] == 900
    # the rest: 10% of 2400 = 240, spread 200 / 40
    assert (toy.percent_discount, cupcake.percent_discount) == (200, 40)
    # 30% off one toy or book, the dearest unit (the bestseller, 1800 left) = 540
    assert best.promotion_discount["coupon:kids_welcome"] == 540
    # $5 voucher over 1260 / 1800 / 360 = 184 / 263 / 53 (largest remainder)
    assert [ln.promotion_discount["voucher:V-1"] for ln in q.lines] == [184, 263, 53]
    assert [ln.paid for ln in q.lines] == [1_076, 1_537, 307]
    assert (q.total, q.discount_total, q.member_price_discount) == (2_920, 2_480, 900)
    assert [(a.code, a.ref, a.value) for a in q.coupons_applied] == [("kids_welcome", "C-1", 540)]
    assert [(a.code, a.ref, a.value) for a in q.vouchers_applied] == [("reward_5", "V-1", 500)]
    # no points in this program; the "$5 per $100" trigger carries the 2920 paid
    assert q.points_earned == 0 and q.voucher_progress == {"reward_5": 2_920} and q.vouchers_issued == ()
    assert codes(q)[3:7] == ["member_price", "discount", "coupon", "voucher"]
    # the explanation adds up: the plan's line covers the lines no member price won, the member price its own
    discount = q.explanations[4]
    assert (discount.params["base"], discount.params["value"]) == (2_400, 240)
    member_price = q.explanations[3]
    assert (member_price.params["value"], member_price.params["member_price_part"]) == (1_200, 900)
    assert member_price.text == "Premium: 40% off bestsellers: 40% of $30.00 = −$12.00"
    assert explain_text(member_price.code, member_price.params, BN, "he") == (
        f"פרימיום: 40% הנחה על רבי מכר: 40% מתוך {format_money(3_000, 'USD', 'he')} = −{format_money(1_200, 'USD', 'he')}")
    data = q.to_json()
    assert data["member_price_discount"] == 900 and data["lines"][0]["promotion_discount"] == {
        "member_price:plus_bestsellers": 900, "coupon:kids_welcome": 540, "voucher:V-1": 184}
    assert [e["code"] for e in data["explanations"]] == codes(q)


def test_bn_refund_of_the_bestseller_gives_back_what_each_promotion_took_from_it() -> None:
    basket = [item("BESTSELLER-1", 1, 3_000, "bestsellers"), item("TOY-1", 1, 2_000, "toys"),
              item("CUPCAKE", 1, 400, "cafe")]
    q = price(basket, PLUS, BN, TUESDAY, coupons=[CouponUse("kids_welcome", "C-1")],
              vouchers=[VoucherUse("V-1", "reward_5", 500)])
    sale = sold_sale(q, BN)
    first = refund_effect(sale, {}, {1: 1})
    assert first.money_back == 1_076 and first.discount_reversed == 300
    assert dict(first.promotions_reversed) == {"member_price:plus_bestsellers": 900, "coupon:kids_welcome": 540,
                                               "voucher:V-1": 184}
    assert first.promotions_returned == ()  # the coupon and voucher come back only with the whole sale
    rest = refund_effect(sale, {1: 1}, {2: 1, 3: 1})
    assert rest.money_back == 1_844 and rest.promotions_returned == ("coupon:kids_welcome", "voucher:V-1")


def test_bn_birthday_cupcake_is_a_free_unit_for_kids_club_members_only() -> None:
    basket = [item("CUPCAKE", 2, 400, "cafe"), item("COFFEE", 1, 550, "cafe")]
    q = price(basket, KID, BN, TUESDAY, coupons=[CouponUse("kids_birthday_cupcake", "C-9")])
    assert q.lines[0].free_by_promotion == {"coupon:kids_birthday_cupcake": 1} and q.lines[0].free_value == 400
    assert q.total == 400 + 550 and q.coupons_applied[0].value == 400
    assert "Coupon Kids' Club birthday cupcake: 1 × Cupcake free (−$4.00)" in q.explain
    refused("coupon.not_for_member", basket, PLUS, BN, TUESDAY, coupons=[CouponUse("kids_birthday_cupcake", "C-9")])
    refused("coupon.needs_member", basket, None, BN, TUESDAY, coupons=[CouponUse("kids_birthday_cupcake", "C-9")])
    refused("coupon.no_target", [item("COFFEE", 1, 550, "cafe")], KID, BN, TUESDAY,
            coupons=[CouponUse("kids_birthday_cupcake", "C-9")])


def test_bn_public_promo_code_serves_members_and_non_members_alike_within_its_dates() -> None:
    assert BN.coupon_by_promo_code("holiday15") is BN.coupon("holiday_books")
    basket = [item("BOOK-1", 1, 1_500, "books"), item("COFFEE", 1, 550, "cafe")]
    guest = price(basket, None, BN, TUESDAY, coupons=[CouponUse("holiday_books", "HOLIDAY15")])
    assert guest.total == 1_500 - 225 + 550 and guest.coupons_applied[0].ref == "HOLIDAY15"
    # with Premium's 10% first: 1500 → 1350, then 15% of it = 202.5 → 203 (half-up)
    member = price(basket, PLUS, BN, TUESDAY, coupons=[CouponUse("holiday_books", "HOLIDAY15")])
    assert member.lines[0].promotion_discount == {"coupon:holiday_books": 203}
    late = datetime(2026, 12, 25, 5, 0, tzinfo=UTC)  # 25 December 00:00 in New York: over
    refused("coupon.not_in_window", basket, None, BN, late, coupons=[CouponUse("holiday_books", "HOLIDAY15")])
    last = datetime(2026, 12, 25, 4, 59, tzinfo=UTC)  # 24 December 23:59: still on
    assert price(basket, None, BN, last, coupons=[CouponUse("holiday_books", "HOLIDAY15")]).total == 1_825


def test_bn_five_dollars_for_every_hundred_spent() -> None:
    # Premium member, 10 paperbacks: 15000 − 10% = 13500 paid; 6000 carried + 13500 = 19500 → one $5, 9500 carried
    who = MemberState("M1", membership_code="plus", membership_expires=PLAN_UNTIL, voucher_progress={"reward_5": 6_000})
    q = price([item("BOOK-1", 10, 1_500, "books")], who, BN, TUESDAY)
    assert q.total == 13_500 and q.vouchers_issued == (VoucherIssue("reward_5", 1),)
    assert q.voucher_progress == {"reward_5": 9_500}
    # exactly at $100 it issues; a cent short it does not
    at = price([item("BOOK-1", 1, 4_000, "books")], MemberState("M2", voucher_progress={"reward_5": 6_000}), BN, TUESDAY)
    short = price([item("BOOK-1", 1, 3_999, "books")], MemberState("M2", voucher_progress={"reward_5": 6_000}), BN,
                  TUESDAY)
    assert at.vouchers_issued == (VoucherIssue("reward_5", 1),) and at.voucher_progress == {"reward_5": 0}
    assert short.vouchers_issued == () and short.voucher_progress == {"reward_5": 9_999}


def test_a_voucher_pays_at_most_the_basket_and_is_used_once() -> None:
    card = MemberState("M1", can_spend=True)
    q = price([item("COFFEE", 1, 550, "cafe")], card, BN, TUESDAY,
              vouchers=[VoucherUse("V-1", "reward_5", 500), VoucherUse("V-2", "reward_5", 500)])
    # the first pays 500, the second the 50 left (its other 450 lost: no change is given)
    assert q.total == 0 and [a.value for a in q.vouchers_applied] == [500, 50]
    second = [e for e in q.explanations if e.code == "voucher"][1]
    assert second.params["lost"] == 450 and second.text == "Voucher $5 reward: −$0.50 of its $5.00"
    refused("voucher.twice", [item("COFFEE", 1, 550, "cafe")], card, BN, TUESDAY,
            vouchers=[VoucherUse("V-1", "reward_5", 500), VoucherUse("V-1", "reward_5", 500)])
    refused("voucher.nothing_to_pay", [item("COFFEE", 1, 500, "cafe")], card, BN, TUESDAY,
            vouchers=[VoucherUse("V-1", "reward_5", 500), VoucherUse("V-2", "reward_5", 500)])


def test_a_voucher_is_spent_only_with_the_members_card_or_a_pin() -> None:
    # identified by phone (can_spend false): refused as points would be, before anything is priced
    with pytest.raises(AuthError) as caught:
        price([item("COFFEE", 1, 550, "cafe")], MemberState("M1"), BN, TUESDAY,
              vouchers=[VoucherUse("V-1", "reward_5", 500)])
    assert caught.value.message_code == "voucher.needs_card" and "כרטיס" in caught.value.text("he")


# -- CVS ------------------------------------------------------------------------------------------------------
CVS = program("cvs")
CAREPASS = MemberState("C1", membership_code="carepass", membership_expires=PLAN_UNTIL)


def test_cvs_carepass_member_price_and_monthly_ten_dollars() -> None:
    q = price([item("HOUSE-IBU", 2, 1_000, "house_brand"), item("SNACK", 1, 250, "grocery")], CAREPASS, CVS,
              TUESDAY)
    # 20% off the house brand (2000 → 400); the snack full price: 1850; 2 points per $1 → 37
    assert (q.total, q.member_price_discount, q.points_earned) == (1_850, 400, 37)
    assert q.vouchers_issued == (VoucherIssue("carepass_10", 1),) and q.points_balance_after == 37
    # this month's $10 already issued (1 December, store date): none; last month's: one
    done = MemberState("C1", membership_code="carepass", membership_expires=PLAN_UNTIL,
                       vouchers_issued_on={"carepass_10": date(2026, 12, 1)})
    assert price([item("SNACK", 1, 250, "grocery")], done, CVS, TUESDAY).vouchers_issued == ()
    last = MemberState("C1", membership_code="carepass", membership_expires=PLAN_UNTIL,
                       vouchers_issued_on={"carepass_10": date(2026, 11, 30)})
    assert price([item("SNACK", 1, 250, "grocery")], last, CVS, TUESDAY).vouchers_issued == (
        VoucherIssue("carepass_10", 1),)


def test_cvs_vitamins_week_multiplies_the_vitamins_only_and_pays_bonus_points() -> None:
    basket = [item("VITAMIN-C", 2, 1_200, "vitamins"), item("SNACK", 1, 250, "grocery")]
    q = price(basket, MemberState("C2"), CVS, TUESDAY)
    # floor((2400 × 5 + 250 × 1) × 2 / 100) = 245; 2400 on vitamins ≥ 1500 → +100 bonus
    assert (q.points_earned, q.campaign_points) == (245, 100)
    assert [str(ln.earn_multiplier) for ln in q.lines] == ["5", "1"]
    # 345 points → three $1 ExtraBucks, 300 points converted, 45 left
    assert q.vouchers_issued == (VoucherIssue("extrabucks", 3),) and q.points_converted == 300
    assert q.points_balance_after == 45
    assert "Campaign This week: 5× ExtraBucks on vitamins: points × 5 on $24.00" in q.explain


@pytest.mark.parametrize(("moment", "inside"), [
    (datetime(2026, 12, 13, 4, 59, tzinfo=UTC), True),   # Saturday 23:59 in New York: the last minute
    (datetime(2026, 12, 13, 5, 0, tzinfo=UTC), False),   # Sunday 00:00: over
    (datetime(2026, 12, 6, 5, 0, tzinfo=UTC), True),     # Sunday 6th 00:00: the first minute
    (datetime(2026, 12, 6, 4, 59, tzinfo=UTC), False),
])
def test_cvs_campaign_window_is_store_dates_both_included(moment: datetime, inside: bool) -> None:
    q = price([item("VITAMIN-C", 2, 1_200, "vitamins")], MemberState("C2"), CVS, moment)
    assert (q.points_earned, q.campaign_points) == ((240, 100) if inside else (48, 0))


def test_cvs_beautyclub_gift_after_thirty_dollars_of_beauty_in_the_month() -> None:
    who = MemberState("C3", voucher_progress={"beautyclub_gift": 2_000}, can_spend=True)
    q = price([item("LIPSTICK", 1, 1_800, "beauty")], who, CVS, TUESDAY)
    assert q.vouchers_issued == (VoucherIssue("beautyclub_gift", 1),)
    assert q.voucher_progress["beautyclub_gift"] == 3_800
    issued = MemberState("C3", voucher_progress={"beautyclub_gift": 2_000},
                         vouchers_issued_on={"beautyclub_gift": date(2026, 12, 2)})
    assert price([item("LIPSTICK", 1, 1_800, "beauty")], issued, CVS, TUESDAY).vouchers_issued == ()
    # the gift itself: a free-item voucher makes the gift bag free
    gift = price([item("BEAUTY-GIFT", 1, 800, "beauty"), item("SNACK", 1, 250, "grocery")], who, CVS, TUESDAY,
                 vouchers=[VoucherUse("BG-1", "beautyclub_gift", None)])
    assert gift.total == 250 and gift.lines[0].free_by_promotion == {"voucher:BG-1": 1}
    refused("voucher.kind_mismatch", [item("SNACK", 1, 250, "grocery")], who, CVS, TUESDAY,
            vouchers=[VoucherUse("BG-1", "beautyclub_gift", 800)])


def test_cvs_birthday_three_dollars_never_makes_the_sale_negative() -> None:
    q = price([item("SNACK", 1, 250, "grocery")], MemberState("C4"), CVS, TUESDAY,
              coupons=[CouponUse("birthday_3", "B-1")])
    assert q.total == 0 and q.coupons_applied[0].value == 250


def test_cvs_personalised_deal_for_the_lapsed_segment_with_a_minimum_spend() -> None:
    lapsed = MemberState("C5", segments=frozenset({"lapsed"}))
    basket = [item("LIPSTICK", 1, 1_800, "beauty"), item("MASCARA", 1, 1_500, "beauty")]
    q = price(basket, lapsed, CVS, TUESDAY, coupons=[CouponUse("come_back_5", "X-1")])
    # $5 over 1800 / 1500: 272.7 / 227.3 → 273 / 227
    assert [ln.promotion_discount["coupon:come_back_5"] for ln in q.lines] == [273, 227] and q.total == 2_800
    error = refused("coupon.min_spend", basket[:1], lapsed, CVS, TUESDAY, coupons=[CouponUse("come_back_5", "X-1")])
    assert error.text("en") == "coupon We miss you: $5 off $20 needs a purchase of at least $20.00 (this one: $18.00)"
    assert error.text("he").startswith("הקופון התגעגענו")
    refused("coupon.not_for_member", basket, MemberState("C6"), CVS, TUESDAY, coupons=[CouponUse("come_back_5", "X")])


# -- Dick's Sporting Goods ------------------------------------------------------------------------------------
DICKS = program("dicks")
GOLD = MemberState("D1", qualifying_spend=50_000, bonus_weekday=1)  # Tuesday is the member's 3× day


def test_dicks_gold_three_times_day_converts_points_to_ten_dollar_rewards() -> None:
    q = price([item("RUN-SHOE", 1, 12_000, "footwear")], GOLD, DICKS, TUESDAY)
    # 12000 → 120 points × 3 = 360 → one $10 reward for 300 points, 60 left; Gold's annual $10 as well
    assert (q.tier, q.points_earned, q.points_converted, q.points_balance_after) == ("gold", 360, 300, 60)
    assert q.vouchers_issued == (VoucherIssue("scorecard_10", 1), VoucherIssue("gold_annual_10", 1))
    wednesday = price([item("RUN-SHOE", 1, 12_000, "footwear")], GOLD, DICKS, TUESDAY + timedelta(days=1))
    assert wednesday.points_earned == 120 and wednesday.points_converted == 0


def test_dicks_gold_annual_reward_once_a_store_year_and_only_for_gold() -> None:
    this_year = MemberState("D1", qualifying_spend=50_000, vouchers_issued_on={"gold_annual_10": date(2026, 1, 2)})
    last_year = MemberState("D1", qualifying_spend=50_000, vouchers_issued_on={"gold_annual_10": date(2025, 12, 31)})
    basket = [item("SOCKS", 1, 1_500, "apparel")]
    assert price(basket, this_year, DICKS, TUESDAY).vouchers_issued == ()
    assert price(basket, last_year, DICKS, TUESDAY).vouchers_issued == (VoucherIssue("gold_annual_10", 1),)
    assert price(basket, MemberState("D2", qualifying_spend=49_999), DICKS, TUESDAY).vouchers_issued == ()


def test_dicks_gold_exclusive_coupon() -> None:
    q = price([item("RUN-SHOE", 1, 12_000, "footwear"), item("BALL", 1, 3_000, "equipment")], GOLD, DICKS, TUESDAY,
              coupons=[CouponUse("gold_footwear_20", "G-1")])
    # 20% of the shoe only: 2400; 12600 paid × 3 = 378 points
    assert (q.total, q.points_earned) == (12_600, 378)
    refused("coupon.not_for_member", [item("RUN-SHOE", 1, 12_000, "footwear")], MemberState("D2"), DICKS, TUESDAY,
            coupons=[CouponUse("gold_footwear_20", "G-1")])


def test_spend_a_refund_took_back_must_be_bought_again_before_the_next_voucher() -> None:
    # a refund left the member 500 below zero towards the next $5: $100 now brings them to 9500, no voucher
    who = MemberState("M3", voucher_progress={"reward_5": -500})
    q = price([item("BOOK-1", 1, 10_000, "books")], who, BN, TUESDAY)
    assert q.vouchers_issued == () and q.voucher_progress == {"reward_5": 9_500}
