"""The SQL that feeds the member-state rules on a terminal, in one place.

A checkout reads the member's state from the projections (`member_balances`, `member_days`,
`member_stamps`, written by `pos_client.ledger.project_rows` in each entry's transaction) with two
driver-level statements, so a lookup costs the same whatever the member's history (docs/core.md). The
bounds every statement uses come from `pos_client.member_state.rules`; the reports compose the same
fragments (`WINDOW_SPEND_BY_MEMBER`, `RECENT_CREDITS_BY_MEMBER`) with `window_params` / `expiry_params`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import LedgerEntry, MemberBalance, MemberDay, MemberStamps, OutboxRow
from pos_client.member_state import rules
from pos_client.pricing.model import MemberState
from pos_client.program.schema import Program
from pos_client.timeutil import from_iso, to_iso


class MemberLike(Protocol):
    """What the state lookup needs of a member row (`services.members.MemberRecord` or the ORM `Member`)."""

    @property
    def member_id(self) -> str: ...
    @property
    def birthday(self) -> str | None: ...
    @property
    def bonus_weekday(self) -> int | None: ...
    @property
    def referred_by(self) -> str | None: ...


#: Spend per member over the tier window (`:wfirst` … `:wlast`, whole UTC days, both inclusive).
WINDOW_SPEND_BY_MEMBER = """(SELECT member_id, sum(spend) AS spend FROM member_days
           WHERE day >= :wfirst AND day <= :wlast GROUP BY member_id)"""
#: Credits per member still too recent to expire (`:ecut` and later).
RECENT_CREDITS_BY_MEMBER = """(SELECT member_id, sum(credits) AS recent FROM member_days
           WHERE day >= :ecut GROUP BY member_id)"""

_days, _entries, _outbox = driver.table(MemberDay).c, driver.table(LedgerEntry).c, driver.table(OutboxRow).c
#: The offline cap counts this member's redemptions on this terminal that HQ has not accepted yet, whatever
#: their date (docs/core.md, "Offline"): what HQ has confirmed is no exposure, and a clock moved a day ahead
#: cannot start a new "day" for what it has not.
_UNCONFIRMED_REDEEMED = (
    select(func.coalesce(-func.sum(_entries.points_delta), 0))
    .select_from(driver.table(LedgerEntry).join(driver.table(OutboxRow), and_(
        _outbox.kind == "ledger_entry", _outbox.ref_id == _entries.entry_id)))
    .where(_entries.member_id == bindparam("m"), _entries.kind == "redeem", _entries.terminal_id == bindparam("t"),
           _outbox.status != "accepted")
    .scalar_subquery())
_STATE_SQL = driver.Statement(select(
    MemberBalance.points, MemberBalance.credits_total, MemberBalance.debits_total, MemberBalance.membership_code,
    MemberBalance.membership_expires, MemberBalance.last_birthday_year, MemberBalance.sales_count,
    select(func.coalesce(func.sum(_days.spend), 0)).where(
        _days.member_id == bindparam("m"), _days.day >= bindparam("wfirst"), _days.day <= bindparam("wlast"))
    .scalar_subquery(),
    select(func.coalesce(func.sum(_days.credits), 0)).where(_days.member_id == bindparam("m"),
                                                            _days.day >= bindparam("ecut")).scalar_subquery(),
    _UNCONFIRMED_REDEEMED,
    # This month's plan credit: the newest in this ledger, or the one HQ confirmed (credited at another
    # counter: its entry is not in this ledger, `sync.apply.rebase`).
    func.nullif(func.max(func.coalesce(select(func.max(_entries.created_at)).where(
        _entries.member_id == bindparam("m"), _entries.created_at >= bindparam("month_start"),
        _entries.kind == "membership", _entries.points_delta > 0).scalar_subquery(), ""),
        func.coalesce(case((MemberBalance.last_credit_at >= bindparam("month_start"), MemberBalance.last_credit_at),
                           else_=None), "")), ""),
).where(MemberBalance.member_id == bindparam("m")))
_STAMPS_SQL = driver.Statement(select(MemberStamps.punch_card, MemberStamps.stamps)
                               .where(MemberStamps.member_id == bindparam("m")))
_DAYS_SQL = driver.Statement(select(MemberDay.day, MemberDay.spend, MemberDay.credits)
                             .where(MemberDay.member_id == bindparam("m"), MemberDay.day >= bindparam("since"))
                             .order_by(MemberDay.day))
_TOTALS_SQL = driver.Statement(select(MemberBalance.points, MemberBalance.credits_total, MemberBalance.debits_total)
                               .where(MemberBalance.member_id == bindparam("m")))
_WANTED = func.json_each(bindparam("ids")).table_valued("value")  # a JSON list of entry ids
_CREATED_SQL = driver.Statement(select(LedgerEntry.entry_id, LedgerEntry.created_at)
                                .where(LedgerEntry.entry_id.in_(select(_WANTED.c.value))))


def window_params(now: datetime, window_days: int) -> dict[str, str]:
    """The `member_days` bounds of the tier window ending `now`."""
    return {"wfirst": rules.window_first_day(now, window_days).isoformat(), "wlast": rules.utc_day(now).isoformat()}


def expiry_params(now: datetime, expiry_days: int | None) -> dict[str, str]:
    """The `member_days` bound of the credits too recent to expire at `now` (everything when no expiry)."""
    return {"ecut": rules.expiry_cutoff(now, expiry_days).isoformat() if expiry_days else ""}


def load(session: Session, member: MemberLike, program: Program, now: datetime, *, can_spend: bool,
         terminal_id: str, expire_at: datetime | None = None) -> MemberState:
    """What pricing needs about `member` at `now` (points after any pending expiry), in two statements.

    On every scan and every sale: one driver-level statement reads the balance, the window's spend, the recent
    credits, this terminal's redemptions HQ has not confirmed and this month's plan credit; one more the
    stamps. Expiry acts as of `expire_at`, by default the clock check's time for `now`
    (`services.clock.ClockVerdict.expiry_time`: `now`, or the last known good time when `now` is not
    trusted), so a clock set years ahead never expires points, in a sale or on a status screen.
    """
    if expire_at is None:
        from pos_client.services import clock

        expire_at = clock.verdict(session, now).expiry_time
    params = {"m": member.member_id, "t": terminal_id,
              "month_start": to_iso(rules.store_month_start(now, program.timezone)),
              **window_params(now, program.tier_window_days),
              **expiry_params(expire_at, program.points_expiry_days)}
    row = driver.one(session, _STATE_SQL, params)
    stamps = dict(driver.all_rows(session, _STAMPS_SQL, {"m": member.member_id}))
    points, credits, debits, plan, plan_expires, birthday_year, sales, spend, recent, redeemed, credit_at = (
        row if row is not None else (0, 0, 0, None, None, None, 0, 0, 0, 0, None))
    expiring = rules.fifo_expiring(points, credits, debits, recent) if program.points_expiry_days else 0
    return MemberState(
        member_id=member.member_id, points=points - expiring, stamps=stamps, qualifying_spend=rules.clamp_spend(spend),
        membership_code=plan, membership_expires=from_iso(plan_expires) if plan_expires else None,
        bonus_weekday=member.bonus_weekday, birthday=date.fromisoformat(member.birthday) if member.birthday else None,
        last_birthday_year=birthday_year, referral_pending=bool(member.referred_by) and sales == 0,
        redeemed_today=redeemed, can_spend=can_spend, expiring_points=expiring,
        last_credit_at=from_iso(credit_at) if credit_at else None)


def days(session: Session, member_id: str, since: date | None = None) -> list[tuple[date, int, int]]:
    """The member's (UTC day, spend, credits) rows from `since` on (all when None), oldest first."""
    rows = driver.all_rows(session, _DAYS_SQL, {"m": member_id, "since": since.isoformat() if since else ""})
    return [(date.fromisoformat(day), int(spend), int(credits)) for day, spend, credits in rows]


def expirable(session: Session, member_id: str, program: Program, now: datetime) -> int:
    """Points of `member_id` past the program's expiry at `now` (0 without an expiry rule)."""
    if not program.points_expiry_days:
        return 0
    totals = driver.one(session, _TOTALS_SQL, {"m": member_id})
    if totals is None:
        return 0
    points, credits, debits = totals
    recent = [(d, c) for d, _s, c in days(session, member_id, rules.expiry_cutoff(now, program.points_expiry_days))]
    return rules.expiring_points(points, credits, debits, recent, now, program.points_expiry_days)


def reversed_days(session: Session, rows: list[dict[str, Any]]) -> dict[str, date]:
    """The UTC day of each entry reversed with spend by `rows` (a refund's spend counts on its sale's day).

    Entries of the same batch are looked up among `rows` first; others in the ledger.
    """
    wanted = {r["reverses"] for r in rows if r.get("reverses") and r.get("spend_delta")}
    if not wanted:
        return {}
    found = {r["entry_id"]: rules.entry_day(r["created_at"]) for r in rows if r["entry_id"] in wanted}
    missing = sorted(wanted - set(found))
    if missing:
        for entry_id, created_at in driver.all_rows(session, _CREATED_SQL, {"ids": json.dumps(missing)}):
            found[entry_id] = rules.entry_day(created_at)
    return found
