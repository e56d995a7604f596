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
  only inside the range) and none in those 90 days. A merged-away record's sales count as sales of the member
  it was merged into (following a chain of merges to its end), so a customer with two records is one active
  member. `members_total` = members enrolled by the end of the range, merged-away records left out.
- The figures read the report projections of `pos_client.reports.projection` (kept with each sale and
  refund), never the sales themselves.
- Rates are `Decimal`s rounded half-up to 4 places, None when the denominator is 0; JSON shows them as
  numbers (the only floats Kupa prints).
- The program's return (docs/kpis.md, which works an example by hand): `incremental_sales` = members' money
  paid − their sales × the non-members' average basket (the baseline: as many visits by non-members of the
  same store over the same dates); `extra_gross_margin` = the members' gross margin before the program's
  rewards (their margin + `rewards_cost`) − the baseline's (their sales × the non-members' margin per sale);
  `roi` = (`extra_gross_margin` − `rewards_cost`) / `rewards_cost`. Margins use the catalog's cost prices
  (`products.cost`), scaled from the lines that have one; null without costed lines or a baseline.
- `coupon_redemption_rate` / `voucher_redemption_rate`: uses of member coupons (vouchers) net of returns
  over those issued, from the ledger's promotion entries of the range; null when none was issued.
- `liability` (outstanding now, whatever the range): points after pending expiry, and their value at the
  program's redemption rate; vouchers, gift cards and store credit in money (null until those ledgers exist).
- Series: sales per store day (member / non-member), points per week (weeks start on Monday, labelled by
  their Monday), members by tier at the end of the range (or now, if sooner) from the qualifying spend over
  the tier window, exactly as `pos_client.member_state` bounds it, and new members per week. When that day is
  today, members by tier reads the tier rows (`pos_client.reports.tiers`, migration 0019, the projection HQ
  keeps too) instead of summing every member's `member_days`; the answer is the same (tested to the day).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from collections.abc import Iterable, Mapping
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pos_client.db.models import Member, MemberBalance, Sale
from pos_client.errors import InvalidInputError
from pos_client.member_state import store as member_store
from pos_client.errors import KupaError
from pos_client.member_state import rules as member_rules
from pos_client.messages import message
from pos_client.program.schema import Program, Redeem
from pos_client.giftcards import ledger as gift_ledger
from pos_client.promotions import holdings
from pos_client.reports import queries as q, refunds, tiers
from pos_client.services.programs import program_at
from pos_client.timeutil import from_iso, store_zone, to_iso, utcnow

#: A member with no counted sale in the last CHURN_DAYS days of the range (but one before) has churned.
CHURN_DAYS = 90

_FIELDS = refunds.FIGURES  # a sale's contribution, as `refunds.sale_figures` gives it


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
class Liability:
    """What the program owes its members now, money in minor units; None: not known on this side."""

    points: int
    points_value: int | None
    vouchers: int | None = None
    gift_cards: int | None = None
    store_credit: int | None = None

    def to_json(self) -> dict[str, int | None]:
        return {"points": self.points, "points_value": self.points_value, "vouchers": self.vouchers,
                "gift_cards": self.gift_cards, "store_credit": self.store_credit}


@dataclass(frozen=True)
class GroupSales:
    """One group's sales in a range (members or non-members), net of refunds: their number, the money paid,
    and of it what was paid on lines with a cost price (`costed_paid`) and those lines' cost of goods."""

    sales: int
    paid: int
    costed_paid: int = 0
    cogs: int = 0


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
    # the program's return and liability (issue 17; see the module docstring)
    incremental_sales: int | None = None
    extra_gross_margin: int | None = None
    roi: Decimal | None = None
    coupon_redemption_rate: Decimal | None = None
    voucher_redemption_rate: Decimal | None = None
    liability: Liability | None = None

    def figures(self) -> dict[str, Any]:
        """The KPI keys of issue 6, in its order, as JSON values."""
        return {name: _json_value(getattr(self, name)) for name in FIGURE_KEYS}

    def program_figures(self) -> dict[str, Any]:
        """The program's return and liability (issue 17), as JSON values."""
        return {name: _json_value(getattr(self, name)) for name in PROGRAM_KEYS}

    def to_json(self) -> dict[str, Any]:
        """What `kupa report kpis --json` prints: the KPI keys, the program's return and a `range` object."""
        return {**self.figures(), **self.program_figures(), "range": {"from": _iso(self.date_from), "to": self.date_to.isoformat(),
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


PROGRAM_KEYS = ("incremental_sales", "extra_gross_margin", "roi", "coupon_redemption_rate", "voucher_redemption_rate",
                "liability")


def _json_value(value: object) -> object:
    if isinstance(value, Liability):
        return value.to_json()
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


# -- the program's return, defined once (the terminal's `compute_kpis` and HQ's reports call these) --------
def gross_margin(group: GroupSales) -> int | None:
    """The group's gross margin: its money paid × the margin rate of its costed lines
    ((costed_paid − cogs) / costed_paid), half-up; None when no line had a cost price."""
    if group.costed_paid <= 0:
        return None
    return half_up_average(group.paid * (group.costed_paid - group.cogs), group.costed_paid)


def incremental_sales(members: GroupSales, non_members: GroupSales) -> int | None:
    """Members' money paid beyond the baseline: as many sales at the non-members' average basket. None
    without a non-member sale to measure against."""
    if non_members.sales <= 0:
        return None
    baseline = half_up_average(members.sales * non_members.paid, non_members.sales)
    return members.paid - (baseline or 0)


def extra_gross_margin(members: GroupSales, non_members: GroupSales, program_cost: int) -> int | None:
    """The gross margin the members brought beyond the baseline's, before the program's rewards: their margin
    + `program_cost` − their sales × the non-members' margin per sale. None without costs or a baseline."""
    member_margin, other_margin = gross_margin(members), gross_margin(non_members)
    if member_margin is None or other_margin is None or non_members.sales <= 0:
        return None
    baseline = half_up_average(members.sales * other_margin, non_members.sales) or 0
    return member_margin + program_cost - baseline


def roi(extra_margin: int | None, program_cost: int) -> Decimal | None:
    """(extra gross margin − the program's cost) / its cost, 4 places; None without a cost or a margin."""
    if extra_margin is None or program_cost <= 0:
        return None
    return rate(extra_margin - program_cost, program_cost)


def points_value(points: int, redeem: Redeem | None) -> int | None:
    """What `points` are worth at the program's redemption rate (half-up); None without a redemption rule."""
    if redeem is None:
        return None
    return half_up_average(points * redeem.value, redeem.points)


def promo_redemption_rates(counts: dict[tuple[str, str | None], int],
                           member_coupons: set[str]) -> tuple[Decimal | None, Decimal | None]:
    """(coupon, voucher) redemption rates from promotion entry counts by (kind, program code): uses net of
    returns over issues; a coupon's uses count only for member coupons (a public promo code is not issued)."""
    def total(kind: str, only: set[str] | None = None) -> int:
        return sum(n for (k, code), n in counts.items() if k == kind and (only is None or code in only))

    coupons = rate(total("coupon_use", member_coupons) - total("coupon_return", member_coupons),
                   total("coupon_issue"))
    vouchers = rate(total("voucher_use") - total("voucher_return"), total("voucher_issue"))
    return coupons, vouchers


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class ReportRange:
    date_from: date | None
    date_to: date
    lo: datetime | None
    hi: datetime
    cutoff: datetime

    def params(self) -> dict[str, str]:
        return {"lo": to_iso(self.lo) if self.lo else "", "hi": to_iso(self.hi), "cutoff": to_iso(self.cutoff)}


RANGE_BACKWARDS = message("report.range_backwards",
                          en="the range starts ({date_from}) after it ends ({date_to})",
                          he="הטווח מתחיל ({date_from}) אחרי שהוא נגמר ({date_to})")


def _range(date_from: date | None, date_to: date | None, tz: str, now: datetime) -> ReportRange:
    zone = store_zone(tz)
    to_day = date_to or now.astimezone(zone).date()
    if date_from and date_from > to_day:
        raise InvalidInputError(RANGE_BACKWARDS, date_from=date_from, date_to=to_day)

    def start(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone)

    return ReportRange(date_from, to_day, start(date_from) if date_from else None, start(to_day + timedelta(days=1)),
                  start(to_day - timedelta(days=CHURN_DAYS - 1)))


class KpiSource(Protocol):
    """Where the KPIs read their aggregates: the terminal's report projections (`TerminalSource`) or HQ's
    (`sync.hq.kpis.HqSource`). A source only sums rows; what the figures mean is decided here, once."""

    def first_moment(self, session: Session) -> datetime | None:
        """The first counted sale or enrolment (the start of the series when the range has none)."""

    def sale_cells(self, session: Session, rng: ReportRange, day_sql: str, day_params: dict[str, int]
                   ) -> dict[tuple[date | None, bool], list[int]]:
        """Sales in the range by (store day, is member), net of refunds: `_FIELDS` per cell."""

    def member_figures(self, session: Session, rng: ReportRange) -> tuple[int, int, int]:
        """Active, repeat and churned members."""

    def members_total(self, session: Session, hi: str) -> int:
        """Members enrolled before `hi` (merged-away records left out)."""

    def new_member_days(self, session: Session, rng: ReportRange, day_sql: str, day_params: dict[str, int]
                        ) -> Iterable[tuple[int, int]]:
        """(store day number, members enrolled) in the range."""

    def members_by_tier(self, session: Session, program: Program | None, at: datetime, hi: str
                        ) -> tuple[TierCount, ...]:
        """Members by tier at `at` (members enrolled before `hi`)."""


class TerminalSource:
    """The terminal's report projections (`pos_client.reports.projection`, migration 0006) and members by tier
    (`pos_client.reports.tiers`, migration 0019: exact for `now`'s UTC day; another day sums `member_days`)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now
        self._totals: dict[str, int] = {}  # members_total by `hi`: a scan of `members`, read once per report

    def first_moment(self, session: Session) -> datetime | None:
        first = session.scalar(select(func.min(Sale.created_at)).where(Sale.kind == "sale"))
        enrolled = session.scalar(select(func.min(Member.enrolled_at)))
        return min([from_iso(t) for t in (first, enrolled) if t], default=None)

    def sale_cells(self, session: Session, rng: ReportRange, day_sql: str, day_params: dict[str, int]
                   ) -> dict[tuple[date | None, bool], list[int]]:
        return sale_cells(session, rng, day_sql, day_params)

    def member_figures(self, session: Session, rng: ReportRange) -> tuple[int, int, int]:
        return _member_figures(session, rng)

    def members_total(self, session: Session, hi: str) -> int:
        if hi not in self._totals:
            self._totals[hi] = int(session.scalar(select(func.count()).select_from(Member).where(
                Member.merged_into.is_(None), Member.enrolled_at < hi)) or 0)
        return self._totals[hi]

    def new_member_days(self, session: Session, rng: ReportRange, day_sql: str, day_params: dict[str, int]
                        ) -> Iterable[tuple[int, int]]:
        rows = session.execute(text(q.NEW_MEMBER_DAYS.format(day=day_sql)), {**rng.params(), **day_params})
        return [(int(row.day), int(row.members)) for row in rows]

    def members_by_tier(self, session: Session, program: Program | None, at: datetime, hi: str
                        ) -> tuple[TierCount, ...]:
        program = program or program_at(session, at)
        if self.now is not None and member_rules.utc_day(at) == member_rules.utc_day(self.now):
            counts = tiers.counted(session, program, self.now, hi)
            if counts is not None:
                base = member_rules.tier_for(program, 0)
                counts[base.code if base else None] += self.members_total(session, hi) - sum(counts.values())
                return tier_counts(program, counts)
        return _members_by_tier(session, program, at, hi)


def tier_counts(program: Program, counts: Mapping[str | None, int]) -> tuple[TierCount, ...]:
    """Counts by tier code (None: below every threshold) in the program's tier order, the None row first
    and only when it has members."""
    result = [TierCount(t.code, counts.get(t.code, 0)) for t in program.sorted_tiers()]
    if counts.get(None):
        result.insert(0, TierCount(None, counts[None]))
    return tuple(result)


def compute_kpis(session: Session, date_from: date | None, date_to: date | None, tz: str, *,
                 now: datetime | None = None, program: Program | None = None, series: bool = True,
                 program_return: bool = False, source: KpiSource | None = None) -> Kpis:
    """The KPIs for the store dates [date_from, date_to] (see the module docstring).

    With `series=False` (what `kupa report kpis --json` needs) the chart series are left empty and their
    queries skipped: the figures alone take one scan less. `source` is where the sums come from (the
    terminal's projections by default; HQ passes its own). `program_return` adds `extra_gross_margin`, `roi`,
    the coupon and voucher redemption rates and the liability (`_program_return`), which read beyond the
    report projections — the range's sale lines, its ledger entries, every member's balance (docs/kpis.md,
    "Cost") — so the dashboard, which does not show them, does not pay for them on every change of range.
    """
    now = now or utcnow()
    source = source or TerminalSource(now)
    zone = store_zone(tz)
    rng = _range(date_from, date_to, tz, now)
    params = rng.params()
    day_sql, day_params = "0", dict[str, int]()
    if series:
        first = source.first_moment(session)
        lo_dt = rng.lo or (first if first is not None else rng.hi - timedelta(days=1))
        day_sql, day_params = _day_sql(zone, min(lo_dt, rng.hi), rng.hi)
    cells = source.sale_cells(session, rng, day_sql, day_params)
    active, repeat, churned = source.member_figures(session, rng)
    members_total = source.members_total(session, params["hi"])

    days: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    totals = {True: [0] * len(_FIELDS), False: [0] * len(_FIELDS)}
    for (day, is_member), cell in cells.items():
        for i, value in enumerate(cell):
            totals[is_member][i] += value
        if series and day is not None:
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
        for day_number, enrolled in source.new_member_days(session, rng, day_sql, day_params):
            new_weeks[_week(_EPOCH_DAY + timedelta(days=day_number))] += enrolled
        first_day = rng.date_from or (min(days) if days else rng.date_to)
        all_days = [first_day + timedelta(days=i) for i in range((rng.date_to - first_day).days + 1)]
        all_weeks = sorted({_week(d) for d in all_days})
        per_day = tuple(DaySales(d, *days[d]) if d in days else DaySales(d, 0, 0, 0, 0) for d in all_days)
        per_week = tuple(WeekPoints(w, *weeks.get(w, [0, 0])) for w in all_weeks)
        by_tier = source.members_by_tier(session, program, min(rng.hi, now), params["hi"])
        new_members = tuple(WeekCount(w, new_weeks.get(w, 0)) for w in all_weeks)
    member, other = totals[True], totals[False]
    sales_total = member[0] + other[0]
    members, non_members = GroupSales(member[0], member[1]), GroupSales(other[0], other[1])
    extra_figures = _program_return(session, rng, members, non_members, member[4], program, now) if program_return \
        else {}
    return Kpis(
        date_from=rng.date_from, date_to=rng.date_to, timezone=tz,
        sales_total=sales_total, member_sales=member[0], adoption_rate=rate(member[0], sales_total),
        members_total=members_total, active_members=active, repeat_purchase_rate=rate(repeat, active),
        points_earned=member[2], points_redeemed=member[3], redemption_rate=rate(member[3], member[2]),
        avg_basket_member=half_up_average(member[1], member[0]),
        avg_basket_non_member=half_up_average(other[1], other[0]),
        churned_members=churned, rewards_cost=member[4],
        sales_per_day=per_day, points_per_week=per_week, members_by_tier=by_tier, new_members_per_week=new_members,
        incremental_sales=incremental_sales(members, non_members), **extra_figures)


def _program_return(session: Session, rng: ReportRange, members: GroupSales, non_members: GroupSales,
                    program_cost: int, program: Program | None, now: datetime) -> dict[str, Any]:
    """`extra_gross_margin`, `roi`, the redemption rates and the liability (see the module docstring).

    The margin reads the range's sale lines with the catalog's costs (only when a product has a cost); the
    rates the range's promotion entries (only when the program has coupons or vouchers); the liability every
    member's balance."""
    params = rng.params()
    if _any_cost(session):
        costed = {bool(row.is_member): (int(row.costed_paid), int(row.cogs))
                  for row in session.execute(text(q.SALE_MARGINS), params)}
        members = GroupSales(members.sales, members.paid, *costed.get(True, (0, 0)))
        non_members = GroupSales(non_members.sales, non_members.paid, *costed.get(False, (0, 0)))
    extra = extra_gross_margin(members, non_members, program_cost)
    current = program or _program_or_none(session, now)
    counts: dict[tuple[str, str | None], int] = {}
    if current and (current.coupons or current.vouchers):
        counts = {(str(row.kind), row.ref_code): int(row.n) for row in session.execute(text(q.PROMO_ENTRIES), params)}
    coupon_rate, voucher_rate = promo_redemption_rates(
        counts, {c.code for c in current.coupons if c.kind == "member"} if current else set())
    return {"extra_gross_margin": extra, "roi": roi(extra, program_cost), "coupon_redemption_rate": coupon_rate,
            "voucher_redemption_rate": voucher_rate, "liability": liability(session, current, now)}


def _any_cost(session: Session) -> bool:
    """Whether any product has a cost price (without one, no margin can be measured: the lines are not read)."""
    return session.execute(text(q.ANY_COST)).first() is not None


def _program_or_none(session: Session, now: datetime) -> Program | None:
    try:
        return program_at(session, now)
    except KupaError:
        return None


def liability(session: Session, program: Program | None, now: datetime) -> Liability:
    """What the program owes now: the points members hold after pending expiry (`member_state.rules`) and their
    money value, the money on vouchers still valid today (`promotions.holdings`), and on gift cards and store
    credit (`giftcards.ledger.outstanding`)."""
    expiry = program.points_expiry_days if program else None
    points = 0
    if expiry:
        for held, credits, debits, recent in session.execute(text(q.POINT_BALANCES),
                                                             member_store.expiry_params(now, expiry)):
            points += max(0, held - member_rules.fifo_expiring(held, credits, debits, recent))
    else:
        points = int(session.scalar(select(func.coalesce(func.sum(MemberBalance.points), 0))
                                    .where(MemberBalance.points > 0)) or 0)
    today = member_rules.store_date(now, program.timezone if program else "UTC")
    money = gift_ledger.outstanding(session, today)
    return Liability(points=points, points_value=points_value(points, program.redeem) if program else None,
                     vouchers=holdings.outstanding_voucher_value(session, today), gift_cards=money[gift_ledger.GIFT_CARD],
                     store_credit=money[gift_ledger.STORE_CREDIT])


_EPOCH_DAY = date(1970, 1, 1)


def _quarter(moment: datetime) -> int:
    """The UTC quarter-hour number (epoch seconds // 900) of a moment."""
    return int(moment.timestamp()) // 900


def _day_sql(zone: ZoneInfo, lo: datetime, hi: datetime) -> tuple[str, dict[str, int]]:
    """SQL for the store day number (days since 1970-01-01) of the quarter-hour `q`, for quarters in [lo, hi).

    The range is cut into stretches of constant UTC offset (found by stepping six hours at a time and
    bisecting to the quarter-hour where the offset changes); a `CASE` adds each stretch's offset.
    """
    def offset(quarter: int) -> int:
        moment = datetime.fromtimestamp(quarter * 900, timezone.utc).astimezone(zone)
        return int((moment.utcoffset() or timedelta(0)).total_seconds()) // 900

    first, last = _quarter(lo), _quarter(hi)
    stretches = [(first, offset(first))]
    start = first
    while start < last:
        end = min(start + 24, last)
        if offset(end) != stretches[-1][1]:
            same, changed = start, end
            while changed - same > 1:
                middle = (same + changed) // 2
                if offset(middle) == stretches[-1][1]:
                    same = middle
                else:
                    changed = middle
            stretches.append((changed, offset(changed)))
        start = end
    params = {f"o{i}": off for i, (_start, off) in enumerate(stretches)}
    params.update({f"s{i}": begin for i, (begin, _off) in enumerate(stretches) if i})
    whens = " ".join(f"WHEN q < :s{i} THEN :o{i - 1}" for i in range(1, len(stretches)))
    case = f"CASE {whens} ELSE :o{len(stretches) - 1} END" if whens else ":o0"
    return f"(q + {case}) / 96", params


def sale_cells(session: Session, rng: ReportRange, day_sql: str, day_params: dict[str, int], *,
                sales_sql: str = q.SALE_DAYS, refunds_sql: str = q.REFUND_CORRECTIONS
                ) -> dict[tuple[date | None, bool], list[int]]:
    """Sales in the range by (store day, is member), net of refunds (`day_sql` = "0": no days, the figures only).

    `sales_sql` / `refunds_sql`: the sums as recorded and the refunds' corrections (HQ passes its tables');
    both get the quarter-hour bounds `:qlo`, `:qhi` and the text bounds `:lo`, `:hi`."""
    series = day_sql != "0"
    bounds = {**quarter_bounds(rng), **rng.params(), **day_params}
    cells: dict[tuple[date | None, bool], list[int]] = defaultdict(lambda: [0] * len(_FIELDS))
    for row in session.execute(text(sales_sql.format(day=day_sql)), bounds):
        day = _EPOCH_DAY + timedelta(days=int(row.day)) if series else None
        cells[(day, bool(row.is_member))] = [int(getattr(row, f) or 0) for f in _FIELDS]
    for row in session.execute(text(refunds_sql.format(day=day_sql)), bounds):
        cell = cells[(_EPOCH_DAY + timedelta(days=int(row.day)) if series else None, bool(row.is_member))]
        for i, name in enumerate(_FIELDS):
            cell[i] -= int(getattr(row, name) or 0)
    return cells


def _member_figures(session: Session, rng: ReportRange) -> tuple[int, int, int]:
    """Active, repeat and churned members (see the module docstring).

    Fast path: filtered counts over `member_sales` (every counted member sale). The records in a merge (merged
    away, or kept) are then taken out of those counts and recounted with each merged record's sales under
    the member it was merged into (followed to the end of a chain).
    """
    ep = epoch_bounds(rng)
    active, repeat, churned = counted_member_figures(session, rng, "member_sales")
    merged = {str(m): str(into) for m, into in session.execute(text(q.MERGED))}

    def root(member_id: str) -> str:
        for _ in range(len(merged) + 1):
            if member_id not in merged:
                break
            member_id = merged[member_id]
        return member_id

    per_root: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # sales in range, before hi, in [cutoff, hi)
    for row in session.execute(text(q.EXCEPTION_FAST), ep):
        active -= row.n_in >= 1
        repeat -= row.n_in >= 2
        churned -= row.n_before >= 1 and not row.n_cut
        counts = per_root[root(row.member_id)]
        counts[0] += int(row.n_in)
        counts[1] += int(row.n_before)
        counts[2] += int(row.n_cut)
    for n_in, n_before, n_cut in per_root.values():
        active += n_in >= 1
        repeat += n_in >= 2
        churned += n_before >= 1 and not n_cut
    return active, repeat, churned


def epoch_bounds(rng: ReportRange) -> dict[str, int]:
    """The range's bounds in whole epoch seconds, for the counted member sales (`:elo`, `:ehi`, `:ecut`)."""
    return {"elo": _epoch(rng.lo) if rng.lo else -(2**62), "ehi": _epoch(rng.hi), "ecut": _epoch(rng.cutoff)}


def counted_member_figures(session: Session, rng: ReportRange, table: str) -> tuple[int, int, int]:
    """Active, repeat and churned members over a table of counted member sales with their two previous
    sales' times (`member_sales` on a terminal, `hq_kpi_member_sales` at HQ), before any merge is recounted."""
    ep = epoch_bounds(rng)
    fast = session.execute(text(q.MEMBER_FAST_IN.format(table=table)), ep).one()
    first = int(session.scalar(text(q.MEMBER_FIRST_IN.format(table=table)), ep) or 0)
    recent = int(session.scalar(text(q.MEMBER_ACTIVE_IN.format(table=table)), ep) or 0)
    return int(fast.active), int(fast.repeated), first - recent


def quarter_bounds(rng: ReportRange) -> dict[str, int]:
    """The range's bounds as UTC quarter-hour numbers (`:qlo`, `:qhi`)."""
    return {"qlo": _quarter(rng.lo) if rng.lo else -(2**62), "qhi": _quarter(rng.hi)}


def _epoch(moment: datetime) -> int:
    """Whole epoch seconds of a range bound (bounds are whole seconds: local midnights)."""
    return int(moment.timestamp())


def _members_by_tier(session: Session, program: Program | None, at: datetime, hi: str) -> tuple[TierCount, ...]:
    program = program or program_at(session, at)
    tiers = program.sorted_tiers()
    case, thresholds = q.tier_case([t.min_spend for t in tiers])
    counts = {int(row.tier_index): int(row.members) for row in session.execute(
        text(q.MEMBERS_BY_TIER.format(case=case)), {"hi": hi, **member_store.window_params(at, program.tier_window_days),
                                                     **thresholds})}
    return tier_counts(program, {(tiers[i].code if i >= 0 else None): n for i, n in counts.items()})
