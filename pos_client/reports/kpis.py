"""The manager's KPIs for a range of the store's calendar dates, aggregated in SQL.

`compute_kpis()` answers "how much did the program cost and bring?" for the dashboard and for
`kupa report kpis`. Definitions (DESIGN.md and issue 6), with the decisions they left open:

- **The range** is a pair of store calendar dates, both inclusive, in the program's time zone; they become
  UTC bounds `[start of date_from, start of the day after date_to)`. No `date_from` means from the first
  sale; no `date_to` means today at the store.
- **Refunds.** A sale fully refunded (every unit it sold returned, by one refund or several) counts as not
  made: not in `sales_total`, not an active member's sale, not a last sale for churn, and none of its
  amounts, points or rewards count. A partially refunded sale still counts as one sale, with its amounts
  net of its refunds: paid money minus the money given back, points earned minus points taken back, points
  redeemed minus points returned, rewards cost minus the redeemed value and discount the refund reversed.
  Refunds count whenever they were made (a refund next month of a sale this month changes this month's
  figures), so a report is what the sale turned out to be. A free punch-card item stays a cost unless the
  whole sale is refunded (a partial refund returns stamps, not the item's value).
- `points_earned` are the points sales earned (the `earn` entries), not welcome, birthday, referral,
  action or adjustment points; `points_redeemed` the points spent on sales. `rewards_cost` = value of the
  points redeemed + tier/membership percentage discounts + free punch-card items, on member sales.
- `avg_basket_*` = money paid (after every discount and points) per sale, rounded half-up; null without sales.
- `active_members` have a counted sale in the range; `repeat_purchase_rate` = those with two or more /
  active. `churned_members` had a counted sale before the last 90 days of the range (any time before, not
  only inside the range) and none in those 90 days. `members_total` = members enrolled by the end of the
  range, merged-away records left out.
- Rates are `Decimal`s rounded half-up to 4 places, None when the denominator is 0; JSON shows them as
  numbers (the only floats Kupa prints).
- Series: sales per store day (member / non-member), points per week (weeks start on Monday, labelled by
  their Monday), members by tier at the end of the range (or now, if sooner) from the qualifying spend over
  the tier window, exactly as `pos_client.ledger.qualifying_spend` counts it, and new members per week.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pos_client.db.models import Member, Sale
from pos_client.errors import InvalidInputError
from pos_client.program.schema import Program
from pos_client.reports import queries as q
from pos_client.services.programs import program_at
from pos_client.timeutil import from_iso, store_zone, to_iso, utcnow

#: A member with no counted sale in the last CHURN_DAYS days of the range (but one before) has churned.
CHURN_DAYS = 90

_FIELDS = ("sales", "paid", "earned", "redeemed", "cost")


@dataclass(frozen=True)
class DaySales:
    day: date
    member_sales: int
    non_member_sales: int
    member_paid: int
    non_member_paid: int


@dataclass(frozen=True)
class WeekPoints:
    week: date
    earned: int
    redeemed: int


@dataclass(frozen=True)
class TierCount:
    tier: str | None  # None: below every tier's threshold
    members: int


@dataclass(frozen=True)
class WeekCount:
    week: date
    members: int


@dataclass(frozen=True)
class Kpis:
    """The figures and chart series for one range. Money in minor units, rates as `Decimal`."""

    date_from: date | None
    date_to: date
    timezone: str
    sales_total: int
    member_sales: int
    adoption_rate: Decimal | None
    members_total: int
    active_members: int
    repeat_purchase_rate: Decimal | None
    points_earned: int
    points_redeemed: int
    redemption_rate: Decimal | None
    avg_basket_member: int | None
    avg_basket_non_member: int | None
    churned_members: int
    rewards_cost: int
    sales_per_day: tuple[DaySales, ...]
    points_per_week: tuple[WeekPoints, ...]
    members_by_tier: tuple[TierCount, ...]
    new_members_per_week: tuple[WeekCount, ...]

    def figures(self) -> dict[str, Any]:
        """The KPI keys of issue 6, in its order, as JSON values."""
        return {name: _json_value(getattr(self, name)) for name in FIGURE_KEYS}

    def to_json(self) -> dict[str, Any]:
        """What `kupa report kpis --json` prints: the KPI keys and a `range` object."""
        return {**self.figures(), "range": {"from": _iso(self.date_from), "to": self.date_to.isoformat(),
                                            "timezone": self.timezone}}

    def series_json(self) -> dict[str, Any]:
        """The chart series, for the dashboard and the figures CSV."""
        return {
            "sales_per_day": [{"day": d.day.isoformat(), "member": d.member_sales, "non_member": d.non_member_sales,
                               "member_paid": d.member_paid, "non_member_paid": d.non_member_paid}
                              for d in self.sales_per_day],
            "points_per_week": [{"week": w.week.isoformat(), "earned": w.earned, "redeemed": w.redeemed}
                                for w in self.points_per_week],
            "members_by_tier": [{"tier": t.tier, "members": t.members} for t in self.members_by_tier],
            "new_members_per_week": [{"week": w.week.isoformat(), "members": w.members}
                                     for w in self.new_members_per_week],
        }


FIGURE_KEYS = ("sales_total", "member_sales", "adoption_rate", "members_total", "active_members",
               "repeat_purchase_rate", "points_earned", "points_redeemed", "redemption_rate", "avg_basket_member",
               "avg_basket_non_member", "churned_members", "rewards_cost")


def _json_value(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator rounded half-up to 4 places; None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def half_up_average(total: int, count: int) -> int | None:
    """total / count rounded half-up to a whole minor unit (exact integer arithmetic); None for no count."""
    if not count:
        return None
    sign = -1 if total < 0 else 1
    return sign * ((2 * abs(total) + count) // (2 * count))


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class _Range:
    date_from: date | None
    date_to: date
    lo: datetime | None
    hi: datetime
    cutoff: datetime

    def params(self) -> dict[str, str]:
        return {"lo": to_iso(self.lo) if self.lo else "", "hi": to_iso(self.hi), "cutoff": to_iso(self.cutoff)}


def _range(date_from: date | None, date_to: date | None, tz: str, now: datetime) -> _Range:
    zone = store_zone(tz)
    to_day = date_to or now.astimezone(zone).date()
    if date_from and date_from > to_day:
        raise InvalidInputError(f"the range starts ({date_from}) after it ends ({to_day})")

    def start(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone)

    return _Range(date_from, to_day, start(date_from) if date_from else None, start(to_day + timedelta(days=1)),
                  start(to_day - timedelta(days=CHURN_DAYS - 1)))


def compute_kpis(session: Session, date_from: date | None, date_to: date | None, tz: str, *,
                 now: datetime | None = None, program: Program | None = None, series: bool = True) -> Kpis:
    """The KPIs for the store dates [date_from, date_to] (see the module docstring).

    With `series=False` (what `kupa report kpis --json` needs) the chart series are left empty and their
    queries skipped: the figures alone take one scan less.
    """
    now = now or utcnow()
    zone = store_zone(tz)
    rng = _range(date_from, date_to, tz, now)
    params = rng.params()
    seconds = 0
    if series:
        first = session.scalar(select(func.min(Sale.created_at)).where(Sale.kind == "sale"))
        lo_dt = rng.lo or (from_iso(first) if first else rng.hi - timedelta(days=1))
        seconds = q.bucket_seconds(zone, min(lo_dt, rng.hi), rng.hi)
    cells, fully_members, fully_keys = _sale_cells(session, params, seconds)
    member_row = session.execute(text(q.MEMBER_FIGURES), {
        **params, "fully_members": json.dumps(sorted(fully_members)), "fully_keys": json.dumps(fully_keys)}).one()
    members_total = int(session.scalar(select(func.count()).select_from(Member).where(
        Member.merged_into.is_(None), Member.enrolled_at < params["hi"])) or 0)

    local: dict[str, date] = {}

    def day_of(key: str) -> date:
        if key not in local:
            local[key] = q.bucket_start(key).astimezone(zone).date()
        return local[key]

    days: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    totals = {True: [0] * len(_FIELDS), False: [0] * len(_FIELDS)}
    for (key, is_member), cell in cells.items():
        for i, value in enumerate(cell):
            totals[is_member][i] += value
        if series:
            day = day_of(key)
            days[day][0 if is_member else 1] += cell[0]
            days[day][2 if is_member else 3] += cell[1]
            weeks[_week(day)][0] += cell[2]
            weeks[_week(day)][1] += cell[3]
    per_day: tuple[DaySales, ...] = ()
    per_week: tuple[WeekPoints, ...] = ()
    by_tier: tuple[TierCount, ...] = ()
    new_members: tuple[WeekCount, ...] = ()
    if series:
        new_weeks: dict[date, int] = defaultdict(int)
        for row in session.execute(text(q.NEW_MEMBER_BUCKETS.format(bucket=q.bucket_sql("enrolled_at", seconds))),
                                   params):
            new_weeks[_week(day_of(row.bucket))] += int(row.members)
        first_day = rng.date_from or (min(days) if days else rng.date_to)
        all_days = [first_day + timedelta(days=i) for i in range((rng.date_to - first_day).days + 1)]
        all_weeks = sorted({_week(d) for d in all_days})
        per_day = tuple(DaySales(d, *days[d]) if d in days else DaySales(d, 0, 0, 0, 0) for d in all_days)
        per_week = tuple(WeekPoints(w, *weeks.get(w, [0, 0])) for w in all_weeks)
        by_tier = _members_by_tier(session, program, min(rng.hi, now), params["hi"])
        new_members = tuple(WeekCount(w, new_weeks.get(w, 0)) for w in all_weeks)
    member, other = totals[True], totals[False]
    sales_total = member[0] + other[0]
    return Kpis(
        date_from=rng.date_from, date_to=rng.date_to, timezone=tz,
        sales_total=sales_total, member_sales=member[0], adoption_rate=rate(member[0], sales_total),
        members_total=members_total, active_members=int(member_row.active),
        repeat_purchase_rate=rate(int(member_row.repeat), int(member_row.active)),
        points_earned=member[2], points_redeemed=member[3], redemption_rate=rate(member[3], member[2]),
        avg_basket_member=half_up_average(member[1], member[0]),
        avg_basket_non_member=half_up_average(other[1], other[0]),
        churned_members=int(member_row.churned), rewards_cost=member[4],
        sales_per_day=per_day, points_per_week=per_week, members_by_tier=by_tier, new_members_per_week=new_members)


def _sale_cells(session: Session, params: dict[str, str], seconds: int
                ) -> tuple[dict[tuple[str, bool], list[int]], set[str], list[str]]:
    """Sales in the range by (bucket, is member) net of refunds; members and sales with a full refund.

    `seconds` = 0 asks for no time buckets (the figures only).
    """
    bucket = q.bucket_sql("created_at", seconds) if seconds else "''"
    cells: dict[tuple[str, bool], list[int]] = defaultdict(lambda: [0] * len(_FIELDS))
    for row in session.execute(text(q.SALE_BUCKETS.format(bucket=bucket)), params):
        cells[(row.bucket, bool(row.is_member))] = [int(getattr(row, f) or 0) for f in _FIELDS]
    fully_members: set[str] = set()
    fully_keys: list[str] = []  # member_id|created_at of members' fully refunded sales
    for r in session.execute(text(q.REFUNDED_SALES), params).mappings():
        if r["fully"] and r["member_id"] is not None:
            fully_members.add(r["member_id"])
            fully_keys.append(f"{r['member_id']}|{r['created_at']}")
        if r["created_at"] < params["lo"]:
            continue
        if r["fully"]:
            minus = [1, r["total"], r["points_earned"], r["redeemed_points"], r["cost"]]
        else:  # partly refunded: still a sale, its amounts net of what was given and taken back
            minus = [0, r["money_back"], r["points_reversed"], r["points_returned"], -int(r["value_reversed"])]
        cell = cells[(q.bucket_of(r["created_at"], seconds) if seconds else "", r["member_id"] is not None)]
        for i, value in enumerate(minus):
            cell[i] -= int(value or 0)
    return cells, fully_members, fully_keys


def tier_window(at: datetime, window_days: int) -> dict[str, str]:
    """The member_days bounds `pos_client.ledger.qualifying_spend` uses for a window ending at `at`."""
    return {"wlo": to_iso(at - timedelta(days=window_days))[:10], "whi": to_iso(at)[:10]}


def _members_by_tier(session: Session, program: Program | None, at: datetime, hi: str) -> tuple[TierCount, ...]:
    program = program or program_at(session, at)
    tiers = program.sorted_tiers()
    case, thresholds = q.tier_case([t.min_spend for t in tiers])
    counts = {int(row.tier_index): int(row.members) for row in session.execute(
        text(q.MEMBERS_BY_TIER.format(case=case)), {"hi": hi, **tier_window(at, program.tier_window_days),
                                                     **thresholds})}
    result = [TierCount(t.code, counts.get(i, 0)) for i, t in enumerate(tiers)]
    if counts.get(-1):
        result.insert(0, TierCount(None, counts[-1]))
    return tuple(result)
