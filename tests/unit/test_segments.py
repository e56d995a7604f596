"""Segment rules and offers, pure, pinned at their boundaries (the exact day a rule changes its answer)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pos_client.errors import InvalidInputError
from pos_client.pricing.model import MemberState
from pos_client.program.schema import Program, load_program_text
from pos_client.promotions.offers import offer_json, offers_now
from pos_client.promotions.segments import (Purchase, SaleLineFact, SegmentFacts, days_since, lookback_days,
                                            lookback_start, member_segments, purchases_from_lines)

DATA = Path(__file__).resolve().parents[1] / "data"
UTC = timezone.utc
#: 2026-06-10 12:00 in Jerusalem (UTC+3 in summer).
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def program_with(segments: list[dict[str, Any]], offers: list[dict[str, Any]] | None = None,
                 **extra: Any) -> Program:
    document = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))
    document.update(segments=segments, offers=offers or [], **extra)
    return load_program_text(json.dumps(document))


def seg(code: str, **rules: Any) -> dict[str, Any]:
    return {"code": code, "name": {"en": code, "he": code}, **rules}


def facts(**kw: Any) -> SegmentFacts:
    state = MemberState(member_id="M1", **{k: kw.pop(k) for k in list(kw) if k in {
        "qualifying_spend", "membership_code", "membership_expires", "birthday", "stamps"}})
    return SegmentFacts(state=state, **kw)


def test_tier_and_plan_use_the_member_state_rules() -> None:
    program = program_with([seg("silver_up", tiers=["silver", "gold"]), seg("plus", plans=["plus"]),
                            seg("everyone")])
    assert member_segments(program, facts(qualifying_spend=199999), NOW) == {"everyone"}
    assert member_segments(program, facts(qualifying_spend=200000), NOW) == {"everyone", "silver_up"}
    # a plan counts while active: until the moment it expires
    assert "plus" in member_segments(program, facts(membership_code="plus",
                                                    membership_expires=NOW + timedelta(seconds=1)), NOW)
    assert "plus" not in member_segments(program, facts(membership_code="plus", membership_expires=NOW), NOW)


@pytest.mark.parametrize(("last", "inside"), [
    (NOW - timedelta(days=30), True),  # exactly 30 days
    (NOW - timedelta(days=29), False),
    # 2026-05-11 23:59 Jerusalem is 30 store days before 2026-06-10, though under 30 × 24 hours ago
    (datetime(2026, 5, 11, 20, 59, tzinfo=UTC), True),
    (datetime(2026, 5, 11, 21, 0, tzinfo=UTC), False),  # 2026-05-12 00:00 Jerusalem: 29 days
])
def test_days_since_last_purchase_counts_store_days(last: datetime, inside: bool) -> None:
    program = program_with([seg("lapsed", days_since_last_purchase={"min": 30})])
    assert ("lapsed" in member_segments(program, facts(last_purchase_at=last), NOW)) is inside


def test_a_member_who_never_bought_holds_no_purchase_range() -> None:
    program = program_with([seg("lapsed", days_since_last_purchase={"min": 0})])
    assert member_segments(program, facts(), NOW) == frozenset()
    assert days_since(None, NOW, "UTC") is None


@pytest.mark.parametrize(("enrolled_days_ago", "inside"), [(0, True), (7, True), (8, False)])
def test_days_since_enrolment(enrolled_days_ago: int, inside: bool) -> None:
    program = program_with([seg("new", days_since_enrolment={"max": 7})])
    got = member_segments(program, facts(enrolled_at=NOW - timedelta(days=enrolled_days_ago)), NOW)
    assert ("new" in got) is inside


@pytest.mark.parametrize(("now", "inside"), [
    (datetime(2026, 5, 31, 21, 30, tzinfo=UTC), True),   # 2026-06-01 00:30 in Jerusalem: June at the store
    (datetime(2026, 5, 31, 20, 30, tzinfo=UTC), False),  # 2026-05-31 23:30 in Jerusalem
    (datetime(2026, 6, 30, 20, 59, tzinfo=UTC), True),   # 2026-06-30 23:59 in Jerusalem
    (datetime(2026, 6, 30, 21, 0, tzinfo=UTC), False),   # 2026-07-01 00:00 in Jerusalem
])
def test_birthday_month_in_the_store_zone(now: datetime, inside: bool) -> None:
    program = program_with([seg("bday", birthday_month=True), seg("not_bday", birthday_month=False)])
    got = member_segments(program, facts(birthday=date(1990, 6, 15)), now)
    assert got == ({"bday"} if inside else {"not_bday"})


def test_stamps_held() -> None:
    program = program_with([seg("almost", stamps={"card": "coffee", "min": 8})])
    assert member_segments(program, facts(stamps={"coffee": 7}), NOW) == frozenset()
    assert member_segments(program, facts(stamps={"coffee": 8}), NOW) == {"almost"}


def _at_store_day(days_ago: int, hour: int = 12) -> datetime:
    """Noon (Jerusalem) `days_ago` store days before NOW's store date."""
    return datetime(2026, 6, 10, hour - 3, 0, tzinfo=UTC) - timedelta(days=days_ago)


@pytest.mark.parametrize(("days_ago", "inside"), [(29, True), (30, False)])
def test_category_spend_over_the_last_days_includes_today(days_ago: int, inside: bool) -> None:
    """30 days: the store dates NOW − 29 … NOW."""
    program = program_with([seg("coffee_lover", category_spend={"categories": ["coffee"], "days": 30,
                                                                "min_spend": 5000})])
    purchases = [Purchase(NOW, {"coffee": 4000, "bakery": 9000}), Purchase(_at_store_day(days_ago), {"coffee": 1000})]
    assert ("coffee_lover" in member_segments(program, facts(purchases=purchases), NOW)) is inside
    # the last day's purchase made at 00:00 store time counts too; the day before's 23:59 does not
    start = lookback_start(program, NOW)
    assert start is not None and start.isoformat() == "2026-05-12T00:00:00+03:00"
    edge = [Purchase(NOW, {"coffee": 4000}), Purchase(start, {"coffee": 1000})]
    assert "coffee_lover" in member_segments(program, facts(purchases=edge), NOW)
    edge = [Purchase(NOW, {"coffee": 4000}), Purchase(start - timedelta(seconds=1), {"coffee": 1000})]
    assert "coffee_lover" not in member_segments(program, facts(purchases=edge), NOW)


def test_visits_min_and_max() -> None:
    program = program_with([seg("regular", visits={"days": 7, "min": 2}), seg("rare", visits={"days": 7, "max": 1})])
    one = [Purchase(_at_store_day(6))]
    two = one + [Purchase(NOW)]
    assert member_segments(program, facts(purchases=()), NOW) == {"rare"}
    assert member_segments(program, facts(purchases=one), NOW) == {"rare"}
    assert member_segments(program, facts(purchases=two), NOW) == {"regular"}
    assert member_segments(program, facts(purchases=[Purchase(_at_store_day(7)), Purchase(NOW)]), NOW) == {"rare"}
    assert lookback_days(program) == 7


def test_every_rule_given_must_hold() -> None:
    program = program_with([seg("gold_lapsed", tiers=["gold"], days_since_last_purchase={"min": 60})])
    gold = 500000
    assert member_segments(program, facts(qualifying_spend=gold, last_purchase_at=NOW - timedelta(days=60)),
                           NOW) == {"gold_lapsed"}
    assert member_segments(program, facts(qualifying_spend=gold, last_purchase_at=NOW - timedelta(days=59)),
                           NOW) == frozenset()
    assert member_segments(program, facts(qualifying_spend=gold - 1, last_purchase_at=NOW - timedelta(days=60)),
                           NOW) == frozenset()


def test_purchases_are_net_of_refunds_and_a_whole_refund_is_no_purchase() -> None:
    lines = [SaleLineFact("s1", "sale", None, NOW, "coffee", 2, 1800), SaleLineFact("s1", "sale", None, NOW, "bakery",
                                                                                    1, 1200),
             SaleLineFact("r1", "refund", "s1", NOW, "coffee", 1, 900),
             SaleLineFact("s2", "sale", None, NOW - timedelta(days=1), "coffee", 1, 900),
             SaleLineFact("r2", "refund", "s2", NOW, "coffee", 1, 900),
             SaleLineFact("r3", "refund", "s0", NOW, "coffee", 1, 900)]  # a refund of an older sale
    assert purchases_from_lines(lines) == [Purchase(NOW, {"coffee": 900, "bakery": 1200})]


def test_offers_now_by_window_and_segment() -> None:
    program = program_with(
        [seg("lapsed", days_since_last_purchase={"min": 30})],
        [{"code": "winback", "name": {"en": "We miss you", "he": "התגעגענו"}, "segments": ["lapsed"],
          "coupon": "WELCOME10", "starts": "2026-06-01", "ends": "2026-06-10",
          "message": {"en": "10% off today", "he": "10% הנחה היום"}},
         {"code": "all", "name": {"en": "Everyone"}, "message": {"en": "Hello"}}],
        coupons=[{"code": "WELCOME10", "name": {"en": "10% off"}, "kind": "member", "discount": "percent",
                  "pct": 10, "issue_on": ["offer"], "valid_days": 30}])
    assert [o.code for o in offers_now(program, frozenset({"lapsed"}), date(2026, 6, 10))] == ["winback", "all"]
    assert [o.code for o in offers_now(program, frozenset({"lapsed"}), date(2026, 6, 11))] == ["all"]
    assert [o.code for o in offers_now(program, frozenset({"lapsed"}), date(2026, 5, 31))] == ["all"]
    assert [o.code for o in offers_now(program, frozenset(), date(2026, 6, 10))] == ["all"]
    shown = offer_json(program, program.offers[0])
    assert shown["coupon"] == {"code": "WELCOME10", "name": {"en": "10% off"}}
    assert shown["message"] == {"en": "10% off today", "he": "10% הנחה היום"}
    assert (shown["starts"], shown["ends"], shown["campaign"]) == ("2026-06-01", "2026-06-10", None)


@pytest.mark.parametrize("bad", [
    seg("x", days_since_enrolment={"min": 5, "max": 4}),
    seg("x", visits={"days": 7, "min": 3, "max": 2}),
    seg("x", stamps={"card": "nope", "min": 1}),
    seg("x", tiers=["platinum"]),
])
def test_bad_segments_are_refused_at_load(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        program_with([bad])
