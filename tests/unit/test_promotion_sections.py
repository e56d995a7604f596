"""The promotion sections of program.json: what they accept, what they refuse, and the shared window rule."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from pos_client.errors import InvalidInputError
from pos_client.program.schema import Program, load_program_text

BASE: dict[str, Any] = {
    "version": 1, "currency": "ILS", "timezone": "Asia/Jerusalem",
    "tiers": [{"code": "gold", "name": {"en": "Gold"}, "min_spend": 50000}],
    "memberships": [{"code": "plus", "name": {"en": "Plus"}, "sku": "PLUS", "period_days": 365}],
}
SECTIONS: dict[str, Any] = {
    "member_prices": [{"code": "best", "name": {"en": "Bestsellers"}, "pct": 40, "categories": ["books"],
                       "plans": ["plus"]}],
    "coupons": [{"code": "welcome", "name": {"en": "Welcome"}, "kind": "member", "discount": "percent", "pct": 30,
                 "issue_on": ["enrolment"], "valid_days": 30},
                {"code": "save5", "name": {"en": "Save 5"}, "kind": "public", "promo_code": "Save5",
                 "discount": "amount", "amount": 500, "min_spend": 3000, "per_member_limit": 1}],
    "vouchers": [{"code": "per100", "name": {"en": "5 per 100"}, "trigger": "spend", "every": 10000, "value": 500}],
    "gift_cards": {"skus": ["GIFT"], "min_load": 1000, "max_load": 100000, "offline_daily_cap": 20000},
    "campaigns": [{"code": "double", "name": {"en": "Double"}, "starts": "2026-12-05", "ends": "2026-12-06",
                   "multiplier": 2, "categories": ["coffee"]}],
    "segments": [{"code": "lapsed", "name": {"en": "Lapsed"}, "days_since_last_purchase": {"min": 60}}],
    "offers": [{"code": "comeback", "name": {"en": "Come back"}, "segments": ["lapsed"], "coupon": "save5"}],
}


def program(**changes: Any) -> Program:
    return load_program_text(json.dumps({**BASE, **SECTIONS, **changes}))


def test_every_section_loads_and_is_looked_up_by_code() -> None:
    p = program()
    assert p.coupon_by_promo_code(" SAVE5 ") == p.coupon("save5")
    assert p.is_gift_card_sku("GIFT") and not p.is_gift_card_sku("PLUS")
    assert p.offer("comeback") is not None and p.segment("lapsed") is not None
    assert load_program_text(p.canonical_json()) == p  # the stored form reads back the same


def test_a_window_includes_both_of_its_days() -> None:
    campaign = program().campaign("double")
    assert campaign is not None
    assert [campaign.open_on(date(2026, 12, d)) for d in (4, 5, 6, 7)] == [False, True, True, False]


@pytest.mark.parametrize(("changes", "words"), [
    ({"offers": [{"code": "x", "name": {"en": "X"}, "coupon": "nope"}]}, "unknown coupon 'nope'"),
    ({"member_prices": [{"code": "x", "name": {"en": "X"}, "pct": 10, "tiers": ["silver"]}]}, "unknown tier"),
    ({"vouchers": [{"code": "x", "name": {"en": "X"}, "trigger": "plan_monthly", "value": 100}]}, "needs plan"),
    ({"coupons": [{"code": "x", "name": {"en": "X"}, "kind": "public", "discount": "percent", "pct": 5}]},
     "promo_code"),
    ({"campaigns": [{"code": "x", "name": {"en": "X"}, "starts": "2026-12-07", "ends": "2026-12-06",
                     "multiplier": 2}]}, "ends must be on or after starts"),
    ({"gift_cards": {"skus": ["PLUS"]}}, "membership's sku"),
    ({"segments": [{"code": "x", "name": {"en": "X"}, "colour": "red"}]}, "unknown key"),
])
def test_a_bad_section_is_refused_naming_the_field(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        program(**changes)
