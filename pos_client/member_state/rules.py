"""The member-state rules, pure: days, the tier window, FIFO expiry, the birthday month, plans, monthly credit.

Every caller — the sale (`pos_client.pricing`), the member panel, the manager's explanations, the reports and
HQ — decides these questions here and nowhere else. No I/O: the figures come in as values (from the
`member_days` projection on a terminal, from the entries themselves at HQ, see `fold`).

Days (decided once, docs/core.md):
- **Tier window and expiry count whole UTC days** (`utc_day`), the days the `member_days` projection keys its
  rows by. The tier window ending at `now` holds `window_days` days, today included: a spend made on day D
  counts through D + window − 1 and is out on D + window (`window_first_day`). Points credited on day D
  are "older than `expiry_days`" from D + expiry_days + 1 (`expires_on`): they still count on the day they are
  exactly `expiry_days` old.
- **Calendar questions use the store's zone** (`store_month`): the birthday month, the month a paid plan's
  monthly credit belongs to, the store's day for the offline redemption cap.
- A day is always derived from an aware datetime, never by cutting a timestamp string.

Qualifying spend never goes below zero (`clamp_spend`); a refund's spend reversal counts on the day of the
sale it reverses (`fold`, `pos_client.ledger.project_rows`), so it leaves the window with that sale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable, Mapping, Sequence

from pos_client.program.schema import Membership, Program, Tier
from pos_client.timeutil import from_iso, store_zone

UTC = timezone.utc


# -- days -----------------------------------------------------------------------------------------------------
def utc_day(moment: datetime) -> date:
    """The UTC calendar day of an aware moment (the day the projections count it on)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not allowed inside Kupa")
    return moment.astimezone(UTC).date()


def entry_day(created_at: str) -> date:
    """The UTC day of a stored timestamp (parsed, never sliced)."""
    return utc_day(from_iso(created_at))


def store_date(moment: datetime, zone: str) -> date:
    """The store's calendar date at `moment`."""
    return moment.astimezone(store_zone(zone)).date()


def store_month(moment: datetime, zone: str) -> tuple[int, int]:
    """(year, month) of `moment` in the store's zone."""
    local = store_date(moment, zone)
    return local.year, local.month


def store_day_start(moment: datetime, zone: str) -> datetime:
    """The start of the store's day containing `moment` (an aware moment in the store's zone)."""
    return datetime.combine(store_date(moment, zone), time.min, tzinfo=store_zone(zone))


def store_month_start(moment: datetime, zone: str) -> datetime:
    """The start of the store's calendar month containing `moment` (an aware moment in the store's zone)."""
    return datetime.combine(store_date(moment, zone).replace(day=1), time.min, tzinfo=store_zone(zone))


# -- tier window ----------------------------------------------------------------------------------------------
def window_first_day(now: datetime, window_days: int) -> date:
    """The oldest UTC day whose spend still counts in the tier window ending `now` (today is the newest)."""
    return utc_day(now) - timedelta(days=window_days - 1)


def window_holds_until(day: date, window_days: int) -> date:
    """The last day on which a spend made on `day` still counts."""
    return day + timedelta(days=window_days - 1)


def clamp_spend(total: int) -> int:
    """Qualifying spend is never negative (a refund cannot take back more than the window holds)."""
    return max(0, total)


def qualifying_spend(day_spend: Iterable[tuple[date, int]], now: datetime, window_days: int) -> int:
    """Spend over the tier window ending `now`, from (UTC day, spend) pairs."""
    first, today = window_first_day(now, window_days), utc_day(now)
    return clamp_spend(sum(spend for day, spend in day_spend if first <= day <= today))


def tier_for(program: Program, spend: int) -> Tier | None:
    """The member's tier for a qualifying spend (the highest whose threshold it reaches)."""
    return program.tier_for_spend(clamp_spend(spend))


def tier_until(program: Program, day_spend: Sequence[tuple[date, int]], now: datetime) -> tuple[Tier | None, date | None]:
    """The member's tier at `now` and the last UTC day it stays so if no entry is added (None: for ever).

    Without new entries a tier changes only when a day's spend leaves the window (on day + window) or a
    future-dated day's spend enters it; each such day is tried with `qualifying_spend` and `tier_for` — the
    rule itself, not a copy — and the first one whose tier differs ends the stretch. HQ keeps its
    members-by-tier projection with it (`sync.hq.kpi_projection`).
    """
    window, today = program.tier_window_days, utc_day(now)
    tier = tier_for(program, qualifying_spend(day_spend, now, window))
    days = {d + timedelta(days=window) for d, spend in day_spend if spend} | {d for d, spend in day_spend if spend}
    for day in sorted(d for d in days if d > today):
        if _code(tier_for(program, qualifying_spend(day_spend, datetime.combine(day, time.min, UTC), window))) \
                != _code(tier):
            return tier, day - timedelta(days=1)
    return tier, None


def _code(tier: Tier | None) -> str | None:
    return tier.code if tier else None


# -- expiry ---------------------------------------------------------------------------------------------------
def expiry_cutoff(now: datetime, expiry_days: int) -> date:
    """The oldest UTC day whose credits are still too recent to expire at `now`; earlier days' credits expire."""
    return utc_day(now) - timedelta(days=expiry_days)


def expires_on(day: date, expiry_days: int) -> date:
    """The first day on which points credited on `day` have expired."""
    return day + timedelta(days=expiry_days + 1)


def fifo_expiring(points: int, credits_total: int, debits_total: int, recent_credits: int) -> int:
    """First in, first out on running totals: every debit (redemption, donation, negative adjustment,
    reversal, earlier expiry) consumes the oldest credits first, so what is left unspent of the credits older
    than the cut-off is `old credits − all debits`, never more than the balance."""
    if points <= 0:
        return 0
    return max(0, min(credits_total - recent_credits - debits_total, points))


def expiring_points(points: int, credits_total: int, debits_total: int, day_credits: Iterable[tuple[date, int]],
                    now: datetime, expiry_days: int | None) -> int:
    """Points past the expiry at `now`, from the member's totals and (UTC day, credits) pairs."""
    if not expiry_days:
        return 0
    cutoff = expiry_cutoff(now, expiry_days)
    recent = sum(credits for day, credits in day_credits if day >= cutoff)
    return fifo_expiring(points, credits_total, debits_total, recent)


def next_expiring(day_credits: Sequence[tuple[date, int]], credits_total: int, debits_total: int, points: int,
                  now: datetime, expiry_days: int) -> tuple[date | None, int]:
    """The next day some points expire and how many, walking the dated credits oldest first.

    Credits without a day (a balance HQ confirmed as a total) are the oldest and are consumed by debits first.
    """
    expired_now = expiring_points(points, credits_total, debits_total, day_credits, now, expiry_days)
    undated = credits_total - sum(c for _d, c in day_credits)
    debits = max(0, debits_total - max(0, undated))
    left = points - expired_now
    cutoff = expiry_cutoff(now, expiry_days)
    for day, credits in sorted(day_credits):
        used = min(credits, debits)
        debits -= used
        unspent = credits - used
        if unspent > 0 and day >= cutoff:
            return expires_on(day, expiry_days), max(0, min(unspent, left))
    return None, 0


# -- birthday, plans, monthly credit --------------------------------------------------------------------------
def is_birthday_month(birthday: date | None, now: datetime, zone: str) -> bool:
    """Whether `now` falls in the member's birthday month at the store."""
    return birthday is not None and birthday.month == store_date(now, zone).month


def birthday_due(birthday: date | None, last_year: int | None, now: datetime, zone: str) -> bool:
    """Birthday points are due at the first sale of the birthday month, once per calendar year."""
    return is_birthday_month(birthday, now, zone) and last_year != store_date(now, zone).year


def plan_active(code: str | None, expires: datetime | None, now: datetime) -> bool:
    """A plan is active until the moment it expires."""
    return bool(code) and expires is not None and expires > now


def membership_after(current_code: str | None, current_expires: datetime | None, code: str, days: int,
                     moment: datetime) -> datetime:
    """The plan's new expiry after an entry of `days` at `moment`.

    A sale (days > 0) of the plan the member holds extends it from its expiry when that is still ahead (a
    renewal before expiry loses nothing), else from `moment`; another plan starts at `moment`. A refund
    (days < 0) shortens the expiry it finds.
    """
    current = current_expires or moment
    if days > 0:
        start = max(current, moment) if current_code == code else moment
        return start + timedelta(days=days)
    return current + timedelta(days=days)


def monthly_credit_due(plan: Membership | None, last_credit_at: datetime | None, now: datetime, zone: str) -> int:
    """A paid plan's monthly credit: its points at the first sale of each store month the plan is active in
    (`plan` is the plan active before the sale, or None), once per calendar month."""
    if plan is None or not plan.monthly_credit_points:
        return 0
    if last_credit_at is not None and store_month(last_credit_at, zone) == store_month(now, zone):
        return 0
    return plan.monthly_credit_points


def credit_month_code(now: datetime, zone: str) -> str:
    """`YYYY-MM`: the store month a monthly credit belongs to (its entry's `ref_code`)."""
    year, month = store_month(now, zone)
    return f"{year:04d}-{month:02d}"


def is_monthly_credit(row: Mapping[str, Any]) -> bool:
    """Whether an entry is a paid plan's monthly credit (a `membership` entry that credits points)."""
    return row["kind"] == "membership" and int(row.get("points_delta") or 0) > 0


# -- folding entries (HQ, tests) and per-entry day deltas (the projection) ------------------------------------
def day_deltas(row: Mapping[str, Any], spend_day: date | None = None) -> list[tuple[date, int, int]]:
    """What one entry adds to the per-day figures: (UTC day, spend, credits).

    Credits (points > 0) count on the entry's own day; spend on `spend_day` when given (a refund's reversal
    counts on the day of the sale it reverses), else on the entry's own day.
    """
    own = entry_day(row["created_at"])
    spend, credits = int(row.get("spend_delta") or 0), max(int(row.get("points_delta") or 0), 0)
    target = spend_day or own
    if target == own:
        return [(own, spend, credits)] if spend or credits else []
    return ([(target, spend, 0)] if spend else []) + ([(own, 0, credits)] if credits else [])


@dataclass
class Folded:
    """A member's figures folded from their ledger entries (what a terminal's projections hold)."""

    points: int = 0
    credits_total: int = 0
    debits_total: int = 0
    days: dict[date, list[int]] = field(default_factory=dict)  # day -> [spend, credits]
    stamps: dict[str, int] = field(default_factory=dict)
    membership_code: str | None = None
    membership_expires: datetime | None = None
    last_birthday_year: int | None = None
    last_credit_at: datetime | None = None
    sales_count: int = 0
    last_sale_at: datetime | None = None

    def day_spend(self) -> list[tuple[date, int]]:
        return [(day, v[0]) for day, v in sorted(self.days.items())]

    def day_credits(self) -> list[tuple[date, int]]:
        return [(day, v[1]) for day, v in sorted(self.days.items())]


def fold(entries: Iterable[Mapping[str, Any]]) -> Folded:
    """Fold entries (dicts with the wire/ledger row keys) into a member's figures, in time order."""
    rows = sorted(entries, key=lambda r: (from_iso(r["created_at"]), r["seq"]))
    out = Folded()
    days_by_entry = {r["entry_id"]: entry_day(r["created_at"]) for r in rows if r.get("entry_id")}
    for row in rows:
        points = int(row.get("points_delta") or 0)
        out.points += points
        out.credits_total += max(points, 0)
        out.debits_total += max(-points, 0)
        spend_day = days_by_entry.get(row["reverses"]) if row.get("reverses") else None
        for day, spend, credits in day_deltas(row, spend_day):
            agg = out.days.setdefault(day, [0, 0])
            agg[0] += spend
            agg[1] += credits
        if row.get("stamps_delta") and row.get("punch_card"):
            out.stamps[row["punch_card"]] = out.stamps.get(row["punch_card"], 0) + int(row["stamps_delta"])
        if row["kind"] == "earn" and row.get("sale_id"):
            out.sales_count += 1
            out.last_sale_at = max(out.last_sale_at or from_iso(row["created_at"]), from_iso(row["created_at"]))
        if row["kind"] == "birthday" and str(row.get("ref_code")).isdigit():
            out.last_birthday_year = int(row["ref_code"])
        if is_monthly_credit(row):
            out.last_credit_at = from_iso(row["created_at"])
        code, days = row.get("membership_code"), int(row.get("membership_days") or 0)
        if code and days:
            out.membership_expires = membership_after(out.membership_code, out.membership_expires, code, days,
                                                      from_iso(row["created_at"]))
            out.membership_code = code
    return out
