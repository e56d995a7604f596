"""Edges of the promotion rules that the seed programs' worked examples do not reach: a coupon on the N dearest
units spread over several lines, a campaign bonus aimed at a SKU, a quote's stored JSON read back for a refund,
the cent that reaches a monthly category gift, the earn rule HQ bounds pushed points with.

Each test was written against a mutant that survived the pricing mutation sample (README, "Mutation testing"):
it fails when the rule it names is moved.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pos_client.errors import AuthError, RuleViolation
from pos_client.pricing import price
from pos_client.pricing.engine import earn_points
from pos_client.pricing.model import CouponUse, MemberState, VoucherIssue, VoucherUse
from pos_client.pricing.refund import refund_effect, stored_promotions
from pos_client.program.schema import Program

from pricing_strategies import item, sold_sale

DATA = Path(__file__).resolve().parents[1] / "data"
UTC = timezone.utc
TUESDAY = datetime(2026, 12, 8, 15, tzinfo=UTC)  # in CVS's vitamins week (Dec 6-12, New York)


def seed(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((DATA / f"program_{name}.json").read_text(encoding="utf-8")))


def bn_with_welcome(units: int) -> Program:
    """Barnes & Noble's welcome coupon, 30 % off the dearest `units` toys or books (the seed program says 1)."""
    doc = seed("bn")
    for coupon in doc["coupons"]:
        if coupon["code"] == "kids_welcome":
            coupon["units"] = units
    return Program.model_validate(doc)


PLUS = MemberState("M1")


def test_a_coupon_on_the_two_dearest_units_takes_them_from_two_lines_and_leaves_the_cheapest() -> None:
    basket = [item("TOY-1", 1, 1_000, "toys"), item("BOOK-1", 1, 2_000, "books"), item("BOOK-2", 1, 500, "books")]
    q = price(basket, PLUS, bn_with_welcome(2), TUESDAY, coupons=[CouponUse("kids_welcome", "C-1")])
    taken = [ln.promotion_discount.get("coupon:kids_welcome", 0) for ln in q.lines]
    # 30 % of the book at 20.00 and the toy at 10.00 (9.00), none of the book at 5.00
    assert taken == [300, 600, 0]
    assert [(a.code, a.value) for a in q.coupons_applied] == [("kids_welcome", 900)]


def test_a_coupon_on_more_units_than_the_basket_holds_takes_every_unit_once() -> None:
    basket = [item("TOY-1", 2, 1_000, "toys"), item("BOOK-1", 1, 2_000, "books")]
    q = price(basket, PLUS, bn_with_welcome(5), TUESDAY, coupons=[CouponUse("kids_welcome", "C-1")])
    assert [ln.promotion_discount.get("coupon:kids_welcome", 0) for ln in q.lines] == [600, 600]


def test_a_campaign_bonus_aimed_at_a_sku_is_paid_for_that_sku_only() -> None:
    doc = seed("cvs")
    campaign = doc["campaigns"][0]
    campaign.update(categories=[], skus=["SNACK"], min_spend=200, multiplier=None)
    program = Program.model_validate(doc)
    assert price([item("SNACK", 1, 250, "grocery")], MemberState("C2"), program, TUESDAY).campaign_points == 100
    assert price([item("CHIPS", 1, 250, "grocery")], MemberState("C2"), program, TUESDAY).campaign_points == 0


def test_every_explanation_in_a_quotes_json_keeps_its_code_values_and_sentence() -> None:
    q = price([item("TOY-1", 1, 1_000, "toys")], PLUS, bn_with_welcome(1), TUESDAY,
              coupons=[CouponUse("kids_welcome", "C-1")])
    data = q.to_json()
    assert data["explanations"] == [{"code": e.code, "params": json.loads(json.dumps(dict(e.params), default=str)),
                                     "text": e.text} for e in q.explanations]


def test_a_stored_quote_gives_back_its_free_units_and_the_vouchers_it_spent() -> None:
    stored = {"lines": [{"promotion_discount": {"voucher:V-1": 184}, "free_by_promotion": {"coupon:cupcake": 1},
                         "earn_multiplier": "5"}, "not a line"],
              "coupons_applied": [{"coupon": "kids_welcome"}], "vouchers_applied": [{"voucher_id": "V-1"}],
              "campaign_points": 100}
    facts = stored_promotions(stored)
    assert facts.lines[0]["free_by_promotion"] == {"coupon:cupcake": 1}
    assert facts.lines[0]["promotion_discount"] == {"voucher:V-1": 184}
    assert str(facts.lines[0]["earn_multiplier"]) == "5"
    # a line that is not an object (a damaged or foreign quote) reads as a line with no promotions
    assert facts.lines[1] == {"promotion_discount": {}, "free_by_promotion": {}, "earn_multiplier": 1}
    assert facts.promotions_used == ("coupon:kids_welcome", "voucher:V-1") and facts.campaign_points == 100


def test_refunding_a_coupons_free_unit_gives_the_coupon_back_with_the_whole_sale() -> None:
    doc = seed("bn")
    program = Program.model_validate(doc)
    kid = MemberState("K1", membership_code="kids", membership_expires=datetime(2027, 6, 1, tzinfo=UTC))
    q = price([item("CUPCAKE", 1, 400, "cafe")], kid, program, TUESDAY,
              coupons=[CouponUse("kids_birthday_cupcake", "C-9")])
    assert dict(q.lines[0].free_by_promotion) == {"coupon:kids_birthday_cupcake": 1}
    effect = refund_effect(sold_sale(q, program), {}, {1: 1})
    assert effect.money_back == 0 and effect.promotions_returned == ("coupon:kids_birthday_cupcake",)


CVS = Program.model_validate(seed("cvs"))


def test_the_monthly_category_gift_is_issued_on_the_cent_that_reaches_its_minimum_of_that_category_only() -> None:
    nobody_yet = MemberState("C3")  # no beauty bought this month
    assert price([item("LIPSTICK", 1, 2_999, "beauty")], nobody_yet, CVS, TUESDAY).vouchers_issued == ()
    reached = price([item("LIPSTICK", 1, 3_000, "beauty")], nobody_yet, CVS, TUESDAY)
    assert reached.vouchers_issued == (VoucherIssue("beautyclub_gift", 1),)
    # other categories do not count towards it, whatever they come to
    mixed = price([item("LIPSTICK", 1, 2_000, "beauty"), item("SNACK", 1, 5_000, "grocery")], nobody_yet, CVS, TUESDAY)
    assert "beautyclub_gift" not in [v.voucher for v in mixed.vouchers_issued]  # (its points issue ExtraBucks)
    assert mixed.voucher_progress["beautyclub_gift"] == 2_000


def test_a_campaign_bonus_explains_the_spend_it_was_paid_on() -> None:
    q = price([item("VITAMIN-C", 2, 1_200, "vitamins")], MemberState("C2"), CVS, TUESDAY)
    bonus = [e for e in q.explanations if e.code == "campaign_bonus"]
    assert [(e.params["code"], e.params["points"], e.params["base"]) for e in bonus] == [("vitamins_week", 100, 2_400)]


@pytest.mark.parametrize(("paid", "multiplier", "points"), [
    (0, "1", 0), (49, "1", 0), (50, "1", 1), (1_234, "1", 24), (1_234, "5", 123), (1_234, "1.5", 37),
])
def test_earn_points_is_the_exact_floor_of_paid_times_rate_times_multiplier(paid: int, multiplier: str,
                                                                             points: int) -> None:
    """CVS earns 2 points per 100: HQ bounds a pushed earn by this same function (sync/hq/validate.py)."""
    assert earn_points(paid, CVS.earn, Decimal(multiplier)) == points


def test_promotion_explanations_carry_what_the_till_words_them_with() -> None:
    """A UI words each explanation in its own language from `params` (docs/pricing.md): these must be there."""
    gift = price([item("BEAUTY-GIFT", 1, 800, "beauty")], MemberState("C3", can_spend=True), CVS, TUESDAY,
                 vouchers=[VoucherUse("BG-1", "beautyclub_gift", None)])
    free = next(e for e in gift.explanations if e.code == "voucher_free_item")
    assert (free.params["code"], free.params["product"], free.params["value"]) == ("beautyclub_gift", "Beauty-Gift", 800)
    issued = price([item("LIPSTICK", 1, 3_000, "beauty")], MemberState("C3"), CVS, TUESDAY)
    assert [dict(e.params) for e in issued.explanations if e.code == "voucher_issued"] == [
        {"code": "beautyclub_gift", "count": 1}]
    bn = Program.model_validate(seed("bn"))
    plus = MemberState("M1", membership_code="plus", membership_expires=datetime(2027, 6, 1, tzinfo=UTC))
    member_price = next(e for e in price([item("BESTSELLER-1", 1, 3_000, "bestsellers")], plus, bn,
                                         TUESDAY).explanations if e.code == "member_price")
    assert (member_price.params["pct"], member_price.params["base_pct"]) == ("40", "10")


BN = Program.model_validate(seed("bn"))
BOOK = item("BOOK-1", 1, 2_000, "books")


def refusal(*args: Any, **kwargs: Any) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        price(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(("who", "uses", "when", "code", "reason"), [
    (PLUS, [CouponUse("no_such", "X")], TUESDAY, "coupon.unknown", "unknown"),
    (PLUS, [CouponUse("holiday_books", "HOLIDAY15"), CouponUse("holiday_books", "HOLIDAY15")], TUESDAY,
     "coupon.twice", "twice"),
    # a member coupon open to every member is still a member's: never on a sale without one
    (None, [CouponUse("kids_welcome", "C-1")], TUESDAY, "coupon.needs_member", "needs_member"),
    (PLUS, [CouponUse("holiday_books", "HOLIDAY15")], datetime(2026, 12, 25, 15, tzinfo=UTC),
     "coupon.not_in_window", "not_in_window"),
])
def test_a_refused_coupon_says_which_rule_refused_it(who: MemberState | None, uses: list[CouponUse], when: datetime,
                                                    code: str, reason: str) -> None:
    refused = refusal([BOOK], who, BN, when, coupons=uses)
    assert (refused.message_code, refused.params["reason"]) == (code, reason)


def test_a_coupon_out_of_its_dates_names_both_ends() -> None:
    refused = refusal([BOOK], PLUS, BN, datetime(2026, 12, 25, 15, tzinfo=UTC),
                      coupons=[CouponUse("holiday_books", "HOLIDAY15")])
    assert (str(refused.params["starts"]), str(refused.params["ends"])) == ("2026-12-01", "2026-12-24")


def test_a_public_coupon_open_to_everyone_serves_a_sale_without_a_member() -> None:
    q = price([BOOK], None, BN, TUESDAY, coupons=[CouponUse("holiday_books", "HOLIDAY15")])
    assert [(a.code, a.value) for a in q.coupons_applied] == [("holiday_books", 300)]
    coupon = next(e for e in q.explanations if e.code == "coupon")
    assert (coupon.params["value"], coupon.params["base"]) == (300, 2_000)


def test_a_value_voucher_on_a_sale_with_nothing_left_to_pay_is_refused_as_such() -> None:
    cvs_member = MemberState("C3", can_spend=True)
    refused = refusal([item("SNACK", 1, 250, "grocery")], cvs_member, CVS, TUESDAY,
                      coupons=[CouponUse("birthday_3", "B-1")], vouchers=[VoucherUse("V-9", "carepass_10", 1_000)])
    assert (refused.message_code, refused.params["reason"]) == ("voucher.nothing_to_pay", "nothing_to_pay")


def _bn_min_spend() -> Program:
    doc = seed("bn")
    next(c for c in doc["coupons"] if c["code"] == "holiday_books")["min_spend"] = 5_000
    return Program.model_validate(doc)


SPENDER = MemberState("C3", can_spend=True)
GIFT = [item("BEAUTY-GIFT", 1, 800, "beauty")]


@pytest.mark.parametrize(("args", "kwargs", "code", "reason"), [
    ((GIFT, PLUS, BN, TUESDAY), {"coupons": [CouponUse("kids_birthday_cupcake", "C-9")]},
     "coupon.not_for_member", "not_for_member"),
    (([BOOK], PLUS, _bn_min_spend(), TUESDAY), {"coupons": [CouponUse("holiday_books", "HOLIDAY15")]},
     "coupon.min_spend", "min_spend"),
    ((GIFT, None, CVS, TUESDAY), {"vouchers": [VoucherUse("BG-1", "beautyclub_gift", None)]},
     "voucher.needs_member", "needs_member"),
    ((GIFT, MemberState("C3"), CVS, TUESDAY), {"vouchers": [VoucherUse("BG-1", "beautyclub_gift", None)]},
     "voucher.needs_card", "needs_card"),
    ((GIFT, SPENDER, CVS, TUESDAY), {"vouchers": [VoucherUse("BG-1", "beautyclub_gift", 800)]},
     "voucher.kind_mismatch", "kind_mismatch"),
])
def test_every_promotion_refusal_names_its_rule(args: tuple[Any, ...], kwargs: dict[str, Any], code: str,
                                               reason: str) -> None:
    """`reason` is what the service, the CLI's JSON and HQ's book key on: each refusal carries its own."""
    with pytest.raises((RuleViolation, AuthError)) as caught:
        price(*args, **kwargs)
    assert (caught.value.message_code, caught.value.params["reason"]) == (code, reason)
