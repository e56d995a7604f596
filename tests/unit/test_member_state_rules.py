"""`pos_client.member_state.rules` on its own: each rule at the exact moment it changes its answer."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pos_client.member_state import rules
from pos_client.member_state.figures import standing, state_from_folded
from pos_client.pricing.model import MemberState
from pos_client.program.schema import Program, load_program_text

UTC = timezone.utc
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def program() -> Program:
    document = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))
    document["memberships"][0]["monthly_credit_points"] = 100
    return load_program_text(json.dumps(document))


def row(kind: str, when: datetime, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {"entry_id": f"{kind}-{when.isoformat()}", "kind": kind, "created_at": when.isoformat(),
                               "points_delta": 0, "spend_delta": 0, "stamps_delta": 0, "seq": 0}
    return base | fields


def test_days_are_utc_days_of_aware_moments() -> None:
    late = datetime(2026, 6, 30, 23, 30, tzinfo=timezone(timedelta(hours=-2)))  # 1 July 01:30 UTC
    assert rules.utc_day(late) == date(2026, 7, 1)
    assert rules.entry_day("2026-06-30T23:30:00-02:00") == date(2026, 7, 1)
    with pytest.raises(ValueError, match="^naive datetimes are not allowed inside Kupa$"):
        rules.utc_day(datetime(2026, 1, 1))


def test_the_utc_day_does_not_depend_on_the_machines_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A till whose operating system runs on Jerusalem time still counts 30 June 23:30 UTC on 30 June."""
    import time

    monkeypatch.setenv("TZ", "Asia/Jerusalem")
    time.tzset()
    try:
        assert rules.utc_day(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 6, 30)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_store_calendar_in_jerusalem() -> None:
    half_past = datetime(2026, 6, 30, 21, 30, tzinfo=UTC)  # 00:30 on 1 July in Jerusalem
    assert rules.store_date(half_past, "Asia/Jerusalem") == date(2026, 7, 1)
    assert rules.store_month(half_past, "Asia/Jerusalem") == (2026, 7)
    assert rules.store_month(half_past, "UTC") == (2026, 6)
    assert rules.store_day_start(half_past, "Asia/Jerusalem") == datetime(2026, 6, 30, 21, 0, tzinfo=UTC)
    assert rules.store_month_start(half_past, "Asia/Jerusalem") == datetime(2026, 6, 30, 21, 0, tzinfo=UTC)
    assert rules.store_month_start(NOW, "Asia/Jerusalem") == datetime(2026, 5, 31, 21, 0, tzinfo=UTC)
    assert rules.credit_month_code(half_past, "Asia/Jerusalem") == "2026-07"
    assert rules.credit_month_code(datetime(2026, 1, 5, tzinfo=UTC), "UTC") == "2026-01"


def test_the_tier_window_holds_window_days_with_today() -> None:
    assert rules.window_first_day(NOW, 365) == date(2025, 6, 11)
    assert rules.window_first_day(NOW, 1) == NOW.date()
    assert rules.window_holds_until(date(2025, 6, 11), 365) == NOW.date()
    day_365, day_364 = NOW.date() - timedelta(days=365), NOW.date() - timedelta(days=364)
    assert rules.qualifying_spend([(day_365, 500)], NOW, 365) == 0
    assert rules.qualifying_spend([(day_364, 500)], NOW, 365) == 500
    assert rules.qualifying_spend([(NOW.date(), 7), (NOW.date() + timedelta(days=1), 9)], NOW, 365) == 7


def test_spend_is_never_negative(program: Program) -> None:
    assert rules.clamp_spend(-5400) == 0 and rules.clamp_spend(1) == 1
    assert rules.qualifying_spend([(NOW.date(), -5400)], NOW, 365) == 0
    assert rules.tier_for(program, -5400).code == "bronze"  # type: ignore[union-attr]
    assert rules.tier_for(program, 200000).code == "silver"  # type: ignore[union-attr]
    assert rules.tier_for(program, 199999).code == "bronze"  # type: ignore[union-attr]


def test_expiry_cut_off_and_fifo() -> None:
    assert rules.expiry_cutoff(NOW, 365) == NOW.date() - timedelta(days=365)
    assert rules.expires_on(date(2026, 1, 1), 365) == date(2027, 1, 2)
    assert rules.fifo_expiring(0, 100, 0, 0) == 0
    assert rules.fifo_expiring(-5, 100, 0, 0) == 0
    assert rules.fifo_expiring(100, 100, 0, 0) == 100
    assert rules.fifo_expiring(1, 100, 0, 0) == 1  # never more than the balance
    assert rules.fifo_expiring(700, 1500, 800, 0) == 700
    assert rules.fifo_expiring(700, 1500, 800, 500) == 200
    assert rules.fifo_expiring(700, 1500, 1200, 500) == 0
    exactly, older = NOW.date() - timedelta(days=365), NOW.date() - timedelta(days=366)
    assert rules.expiring_points(500, 500, 0, [(exactly, 500)], NOW, 365) == 0
    assert rules.expiring_points(500, 500, 0, [(older, 500)], NOW, 365) == 500
    assert rules.expiring_points(500, 500, 0, [(older, 500)], NOW, None) == 0


def test_next_expiring_walks_credits_after_the_debits() -> None:
    d1, d2, d3 = NOW.date() - timedelta(days=300), NOW.date() - timedelta(days=150), NOW.date() - timedelta(days=5)
    credits = [(d1, 1500), (d2, 1000), (d3, 0)]
    assert rules.next_expiring(credits, 2500, 1800, 700, NOW, 365) == (d2 + timedelta(days=366), 700)
    assert rules.next_expiring(credits, 2500, 1200, 1300, NOW, 365) == (d1 + timedelta(days=366), 300)
    assert rules.next_expiring(credits, 2500, 2500, 0, NOW, 365) == (None, 0)
    # 1,000 credits HQ confirmed without a day are the oldest: debits use them first
    assert rules.next_expiring([(d2, 400)], 1400, 1000, 400, NOW, 365) == (d2 + timedelta(days=366), 400)
    old = NOW.date() - timedelta(days=400)
    assert rules.next_expiring([(old, 100), (d3, 50)], 150, 0, 150, NOW, 365) == (d3 + timedelta(days=366), 50)
    # a balance below its credits (HQ's snapshot): the next lot is capped by what is left after today's expiry
    assert rules.next_expiring([(old, 100), (d3, 50)], 150, 0, 120, NOW, 365) == (d3 + timedelta(days=366), 20)
    assert rules.next_expiring([(old, 100), (d3, 50)], 150, 0, 100, NOW, 365) == (d3 + timedelta(days=366), 0)
    assert rules.next_expiring([(d3, 1)], 1, 0, 1, NOW, 365) == (d3 + timedelta(days=366), 1)


def test_birthday_month_and_once_a_year() -> None:
    half_past = datetime(2026, 6, 30, 21, 30, tzinfo=UTC)
    july = date(1990, 7, 20)
    assert rules.is_birthday_month(july, half_past, "Asia/Jerusalem")
    assert not rules.is_birthday_month(july, half_past, "UTC")
    assert not rules.is_birthday_month(None, half_past, "Asia/Jerusalem")
    assert rules.birthday_due(july, None, half_past, "Asia/Jerusalem")
    assert rules.birthday_due(july, 2025, half_past, "Asia/Jerusalem")
    assert not rules.birthday_due(july, 2026, half_past, "Asia/Jerusalem")


def test_plans_renew_from_their_expiry() -> None:
    expiry = NOW + timedelta(days=1)
    assert rules.plan_active("plus", expiry, NOW) and not rules.plan_active("plus", NOW, NOW)
    assert not rules.plan_active(None, expiry, NOW) and not rules.plan_active("plus", None, NOW)
    assert rules.membership_after("plus", expiry, "plus", 365, NOW) == expiry + timedelta(days=365)
    assert rules.membership_after("plus", NOW - timedelta(days=1), "plus", 365, NOW) == NOW + timedelta(days=365)
    assert rules.membership_after("gold", expiry, "plus", 365, NOW) == NOW + timedelta(days=365)
    assert rules.membership_after(None, None, "plus", 30, NOW) == NOW + timedelta(days=30)
    assert rules.membership_after("plus", expiry, "plus", -365, NOW) == expiry - timedelta(days=365)
    assert rules.membership_after("plus", None, "plus", -10, NOW) == NOW - timedelta(days=10)
    lapsed = NOW - timedelta(days=3)
    assert rules.membership_after("plus", lapsed, "plus", 1, NOW) == NOW + timedelta(days=1)  # a one-day plan
    assert rules.membership_after("plus", lapsed, "plus", 0, NOW) == lapsed  # no days: nothing moves


def test_monthly_credit_once_per_store_month(program: Program) -> None:
    plan = program.membership("plus")
    half_past = datetime(2026, 6, 30, 21, 30, tzinfo=UTC)  # July in Jerusalem, June in UTC
    credited_june = datetime(2026, 6, 5, tzinfo=UTC)
    assert rules.monthly_credit_due(plan, None, NOW, "Asia/Jerusalem") == 100
    assert rules.monthly_credit_due(plan, credited_june, NOW, "Asia/Jerusalem") == 0
    assert rules.monthly_credit_due(plan, credited_june, half_past, "Asia/Jerusalem") == 100
    assert rules.monthly_credit_due(plan, credited_june, half_past, "UTC") == 0
    assert rules.monthly_credit_due(None, None, NOW, "UTC") == 0
    assert rules.monthly_credit_due(program.membership("plus").model_copy(update={"monthly_credit_points": 0}),  # type: ignore[union-attr]
                                    None, NOW, "UTC") == 0
    assert rules.is_monthly_credit({"kind": "membership", "points_delta": 100})
    assert not rules.is_monthly_credit({"kind": "membership", "points_delta": 0})
    assert rules.is_monthly_credit({"kind": "membership", "points_delta": 1})
    assert not rules.is_monthly_credit({"kind": "birthday", "points_delta": 100})


def test_day_deltas_put_a_refunds_spend_on_its_sales_day() -> None:
    sale_day = date(2025, 1, 1)
    refund = row("reverse", NOW, points_delta=-54, spend_delta=-5400)
    assert rules.day_deltas(refund, sale_day) == [(sale_day, -5400, 0)]
    assert rules.day_deltas(refund) == [(NOW.date(), -5400, 0)]
    giveback = row("reverse", NOW, points_delta=100, spend_delta=-10)
    assert rules.day_deltas(giveback, sale_day) == [(sale_day, -10, 0), (NOW.date(), 0, 100)]
    assert rules.day_deltas(row("reverse", NOW, points_delta=100), sale_day) == [(NOW.date(), 0, 100)]
    assert rules.day_deltas(row("stamp", NOW, stamps_delta=1)) == []
    assert rules.day_deltas(row("earn", NOW, points_delta=5, spend_delta=500)) == [(NOW.date(), 500, 5)]


def test_fold_matches_what_the_terminal_projects(program: Program) -> None:
    old = NOW - timedelta(days=400)
    sale = row("earn", old, points_delta=54, spend_delta=5400, sale_id="s1", entry_id="e1")
    entries = [
        row("welcome", old - timedelta(days=1), points_delta=50),
        sale,
        row("stamp", old, stamps_delta=2, punch_card="coffee", sale_id="s1"),
        row("stamp", old, stamps_delta=1, punch_card="coffee", sale_id="s1"),
        row("reverse", old, stamps_delta=0, punch_card="tea", sale_id="s1"),
        row("adjust", NOW - timedelta(days=1), ref_code="1999"),
        row("reverse", NOW - timedelta(days=2), points_delta=-54, spend_delta=-5400, reverses="e1"),
        row("earn", NOW - timedelta(days=3), points_delta=2000, spend_delta=200000, sale_id="s2"),
        row("redeem", NOW - timedelta(days=3), points_delta=-100),
        row("birthday", NOW - timedelta(days=3), points_delta=300, ref_code="2026"),
        row("membership", NOW - timedelta(days=30), membership_code="plus", membership_days=365),
        row("membership", NOW - timedelta(days=3), membership_code="plus", membership_days=365),
        row("membership", NOW - timedelta(days=2), points_delta=100, membership_code="plus", ref_code="2026-06"),
    ]
    folded = rules.fold(entries)
    assert (folded.points, folded.credits_total, folded.debits_total) == (2350, 2504, 154)
    assert folded.stamps == {"coffee": 3} and folded.sales_count == 2 and folded.last_birthday_year == 2026
    assert folded.last_credit_at == NOW - timedelta(days=2)
    assert folded.membership_expires == NOW - timedelta(days=30) + timedelta(days=730)
    assert folded.days[rules.utc_day(old)] == [0, 54]  # the refund took its spend back on the sale's day
    state = state_from_folded("M1", folded, program, NOW, birthday=date(1990, 6, 1), bonus_weekday=3,
                              referred_by="M2")
    # the 104 old credits were consumed by the 154 debits first (FIFO): nothing left to expire
    assert state.points == 2350 and state.expiring_points == 0
    assert state.qualifying_spend == 200000 and not state.referral_pending
    assert (state.member_id, state.bonus_weekday, state.birthday) == ("M1", 3, date(1990, 6, 1))
    assert (state.last_birthday_year, state.last_credit_at) == (2026, NOW - timedelta(days=2))
    assert (state.membership_code, state.membership_expires) == ("plus", folded.membership_expires)
    assert state.stamps == {"coffee": 3}
    shown = standing(state, program, NOW)
    assert (shown["tier"], shown["qualifying_spend"], shown["stamps"]) == ("silver", 200000, {"coffee": 3})
    assert shown["next_tier"] == {"code": "gold", "min_spend": 500000, "missing": 300000}
    assert shown["membership"]["code"] == "plus" and shown["birthday_this_month"] is True
    lapsed = standing(state, program, NOW + timedelta(days=800))
    assert lapsed["membership"] is None


def test_fold_orders_entries_of_one_moment_by_seq_and_ignores_credits_for_the_plan() -> None:
    when = NOW - timedelta(days=1)
    two_plans = [row("membership", when, membership_code="gold", membership_days=30, seq=2, entry_id="b"),
                 row("membership", when, membership_code="plus", membership_days=365, seq=1, entry_id="a")]
    folded = rules.fold(two_plans)
    assert (folded.membership_code, folded.membership_expires) == ("gold", when + timedelta(days=30))
    credit_only = rules.fold([row("membership", when, points_delta=100, membership_code="plus", ref_code="2026-06")])
    assert (credit_only.membership_code, credit_only.membership_expires) == (None, None)
    assert credit_only.last_credit_at == when and credit_only.credits_total == 100


def test_state_from_folded_takes_expired_points_off_and_knows_a_pending_referral(program: Program) -> None:
    folded = rules.fold([row("welcome", NOW - timedelta(days=366), points_delta=50, seq=1),
                         row("adjust", NOW - timedelta(days=365), points_delta=20, seq=2)])
    state = state_from_folded("M9", folded, program, NOW, referred_by="M1")
    assert (state.points, state.expiring_points, state.referral_pending) == (20, 50, True)
    assert not state_from_folded("M9", folded, program, NOW).referral_pending


def test_standing_below_every_tier(program: Program) -> None:
    tiers = [t.model_copy(update={"min_spend": t.min_spend + 1000}) for t in program.tiers]
    strict = program.model_copy(update={"tiers": tiers})
    shown = standing(MemberState("M1", qualifying_spend=999), strict, NOW)
    assert (shown["tier"], shown["tier_name"], shown["next_tier"]["code"]) == (None, None, "bronze")
    assert standing(MemberState("M1", qualifying_spend=1000), strict, NOW)["tier_name"] == "Bronze"


def test_tier_until_names_the_last_day_a_tier_holds_without_new_entries(program: Program) -> None:
    """Gold from 300k on day D and 250k on D + 10: gold through D + 364; on D + 365 the first day's spend is out
    (250k: silver) until D + 374; bronze from D + 375, for ever. Each answer agrees with `tier_for` itself."""
    d = NOW.date()
    spend = [(d, 300000), (d + timedelta(days=10), 250000)]
    at = datetime.combine(d + timedelta(days=10), datetime.min.time(), UTC)
    assert [(t.code if t else None, u) for t, u in [rules.tier_until(program, spend, at)]] == [
        ("gold", d + timedelta(days=364))]
    after = datetime.combine(d + timedelta(days=365), datetime.min.time(), UTC)
    tier, until = rules.tier_until(program, spend, after)
    assert (tier and tier.code, until) == ("silver", d + timedelta(days=374))
    tier, until = rules.tier_until(program, spend, after + timedelta(days=10))
    assert (tier and tier.code, until) == ("bronze", None)
    for day in (d + timedelta(days=364), d + timedelta(days=365), d + timedelta(days=374), d + timedelta(days=375)):
        moment = datetime.combine(day, datetime.min.time(), UTC)
        expected = rules.tier_for(program, rules.qualifying_spend(spend, moment, program.tier_window_days))
        tier, until = rules.tier_until(program, spend, moment)
        assert tier == expected and (until is None or until >= day)


def test_tier_until_sees_a_future_dated_spend_enter_the_window(program: Program) -> None:
    spend = [(NOW.date() + timedelta(days=3), 600000)]  # a terminal clock ahead: counts from its day on
    tier, until = rules.tier_until(program, spend, NOW)
    assert (tier and tier.code, until) == ("bronze", NOW.date() + timedelta(days=2))


def test_tier_until_walks_past_a_day_that_leaves_the_tier_unchanged(program: Program) -> None:
    """100k on D and 600k on D + 10: gold at D + 10. On D + 365 the first day's spend leaves the window but 600k is
    still gold, so the stretch goes on to D + 374 (bronze from D + 375): a day is an end only if the tier moves."""
    d = NOW.date()
    spend = [(d, 100000), (d + timedelta(days=10), 600000)]
    tier, until = rules.tier_until(program, spend, datetime.combine(d + timedelta(days=10), datetime.min.time(), UTC))
    assert (tier and tier.code, until) == ("gold", d + timedelta(days=374))


def test_tier_until_below_every_tier(program: Program) -> None:
    """A program whose lowest tier needs spend: with too little, no tier — for ever, or until spend comes in."""
    strict = program.model_copy(update={"tiers": [t.model_copy(update={"min_spend": t.min_spend + 1000})
                                                  for t in program.tiers]})
    assert rules.tier_until(strict, [(NOW.date(), 500)], NOW) == (None, None)
    tier, until = rules.tier_until(strict, [(NOW.date() + timedelta(days=2), 5000)], NOW)
    assert (tier, until) == (None, NOW.date() + timedelta(days=1))


def test_fold_keeps_the_last_sale_time(program: Program) -> None:
    first, last = NOW - timedelta(days=3), NOW - timedelta(hours=2)
    folded = rules.fold([row("earn", last, spend_delta=900, sale_id="S2", seq=2),
                         row("earn", first, spend_delta=500, sale_id="S1", seq=1)])
    assert folded.last_sale_at == last
