"""The manager's view of a member: history, tier explanation, expiry, cards — plain DTOs, no Qt.

`member_overview(terminal, code)` answers the questions a customer asks at the counter ("why don't I have
Gold yet?", "when do my points expire?") in one read: the `member show` status, the tier explained from the
per-day spend projection (`member_days`), the points expiring next (first-in first-out, the same rule as
the sale's, `pos_client.member_state.rules`), the member's cards and the latest ledger entries with their sync state.

Decisions:
- **Days** are the UTC days the projection keeps (as `qualifying_spend` counts them); a day's spend counts in
  the tier window through `day + window − 1` and drops out on `day + window`.
- **Date reached** is the first day, walking the days still in the window from the oldest, on which the
  cumulative spend reached the current tier's threshold (spend that already left the window is not
  replayed). The base tier (threshold 0) has no date.
- **What keeps it**: the spend of the oldest day still in the window drops out next; `holds_until` is the last
  day the tier holds without new purchases, and `spend_to_keep` what the member must spend by then.
- **Sync state** of an entry: `synced` when HQ accepted it (or it came from HQ), `waiting` while its outbox row
  is pending, `rejected` with HQ's reason (`outbox.error`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_client.db.models import Card, LedgerEntry, Member, MemberBalance, OutboxRow, Sale
from pos_client.member_state import rules, store
from pos_client.program.schema import Program
from pos_client.services.members import identify
from pos_client.services.programs import program_at
from pos_client.services.status import member_status
from pos_client.terminal import Terminal
from pos_client.timeutil import from_iso, store_zone, utcnow

HISTORY_LIMIT = 500


@dataclass(frozen=True)
class HistoryRow:
    """One ledger entry as the manager reads it; `when` is the store's local time (`YYYY-MM-DD HH:MM`)."""

    entry_id: str
    when: str
    kind: str
    points: int
    stamps: int
    punch_card: str | None
    spend: int
    sale_id: str | None
    cashier: str | None
    terminal: str
    sync: str  # synced | waiting | rejected
    sync_error: str | None
    reason: str | None
    receipt_no: str | None = None  # the sale's receipt number (None for entries of no sale, or another till's)


@dataclass(frozen=True)
class TierExplanation:
    """Why the member has their tier; money in minor units, days as UTC calendar dates."""

    tier: str | None
    qualifying_spend: int
    window_days: int
    window_start: date
    reached_on: date | None
    tier_min_spend: int
    next_drop_on: date | None
    next_drop_amount: int
    holds_until: date | None
    spend_to_keep: int
    next_tier: str | None
    next_min_spend: int | None
    missing: int
    progress_pct: int


@dataclass(frozen=True)
class ExpiryInfo:
    """Points past the expiry already (written at the next action) and the next ones to expire."""

    expiry_days: int | None
    expiring_now: int
    next_on: date | None
    next_points: int


@dataclass(frozen=True)
class CardInfo:
    card_number: str
    serial: int
    issued_at: str
    revoked_at: str | None
    revoked_reason: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class MemberOverview:
    """Everything the member status screen shows; `status` is `member show`'s dictionary."""

    member_id: str
    status: dict[str, Any]
    tier: TierExplanation
    expiry: ExpiryInfo
    cards: tuple[CardInfo, ...]
    history: tuple[HistoryRow, ...]
    history_total: int
    merged_from: tuple[str, ...]
    charities: dict[str, dict[str, str]]
    timezone: str


def explain_tier(session: Session, member_id: str, program: Program, now: datetime) -> TierExplanation:
    """The tier with its qualifying spend, the date it was reached, what keeps it and the way to the next.

    The window, its days and the spend are `pos_client.member_state.rules`' (as the sale counts them).
    """
    window = program.tier_window_days
    today, start = rules.utc_day(now), rules.window_first_day(now, window)
    days = [(d, s) for d, s, _c in store.days(session, member_id, start) if d <= today]
    spend = rules.qualifying_spend(days, now, window)
    tier = rules.tier_for(program, spend)
    threshold = tier.min_spend if tier else 0
    reached, running = None, 0
    if threshold > 0:
        for day, amount in days:
            running += amount
            if running >= threshold:
                reached = day
                break
    spent_days = [(d, s) for d, s in days if s]
    next_drop_on = rules.window_holds_until(spent_days[0][0], window) + timedelta(days=1) if spent_days else None
    next_drop = spent_days[0][1] if spent_days else 0
    holds_until, to_keep, remaining = None, 0, spend
    if threshold > 0:
        for day, amount in spent_days:
            remaining -= amount
            if remaining < threshold:
                holds_until = rules.window_holds_until(day, window)
                to_keep = threshold - remaining
                break
    nxt = program.next_tier(spend)
    missing = max(0, nxt.min_spend - spend) if nxt else 0
    progress = 100 if nxt is None else max(0, min(100, spend * 100 // nxt.min_spend)) if nxt.min_spend else 100
    return TierExplanation(
        tier=tier.code if tier else None, qualifying_spend=spend, window_days=window, window_start=start,
        reached_on=reached, tier_min_spend=threshold, next_drop_on=next_drop_on, next_drop_amount=next_drop,
        holds_until=holds_until, spend_to_keep=to_keep, next_tier=nxt.code if nxt else None,
        next_min_spend=nxt.min_spend if nxt else None, missing=missing, progress_pct=progress)


def next_expiry(session: Session, member_id: str, program: Program, now: datetime) -> ExpiryInfo:
    """What expires now and next, first-in first-out (`pos_client.member_state.rules.next_expiring`)."""
    days_limit = program.points_expiry_days
    balance = session.get(MemberBalance, member_id)
    if not days_limit or balance is None or balance.points <= 0:
        return ExpiryInfo(days_limit, 0, None, 0)
    credits = [(d, c) for d, _s, c in store.days(session, member_id)]
    now_expiring = rules.expiring_points(balance.points, balance.credits_total, balance.debits_total, credits,
                                         now, days_limit)
    next_on, next_points = rules.next_expiring(credits, balance.credits_total, balance.debits_total,
                                               balance.points, now, days_limit)
    return ExpiryInfo(days_limit, now_expiring, next_on, next_points)


def _sync_states(session: Session, entry_ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """Outbox status by entry id (entries without an outbox row came from HQ: synced)."""
    states: dict[str, tuple[str, str | None]] = {}
    for start in range(0, len(entry_ids), 500):
        chunk = entry_ids[start:start + 500]
        for ref, status, error in session.execute(select(OutboxRow.ref_id, OutboxRow.status, OutboxRow.error).where(
                OutboxRow.kind == "ledger_entry", OutboxRow.ref_id.in_(chunk))):
            states[ref] = ({"pending": "waiting", "rejected": "rejected"}.get(status, "synced"), error)
    return states


def user_names(session: Session) -> dict[str, str]:
    """Staff id (as history rows name them) → name (cashiers and managers): `services.staff.names`."""
    from pos_client.services import staff

    return staff.names(session)


def history(session: Session, member_id: str, zone: str, limit: int = HISTORY_LIMIT) -> list[HistoryRow]:
    """The member's latest `limit` ledger entries, newest first, with cashier names and sync state."""
    entries = list(session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == member_id)
                                   .order_by(LedgerEntry.created_at.desc(), LedgerEntry.seq.desc()).limit(limit)))
    names = user_names(session)
    states = _sync_states(session, [e.entry_id for e in entries])
    sale_ids = sorted({e.sale_id for e in entries if e.sale_id})
    receipts: dict[str, str | None] = {}
    if sale_ids:
        receipts = {sid: no for sid, no in session.execute(
            select(Sale.sale_id, Sale.receipt_no).where(Sale.sale_id.in_(sale_ids)))}
    tz = store_zone(zone)
    rows = []
    for e in entries:
        sync, error = states.get(e.entry_id, ("synced", None))
        rows.append(HistoryRow(
            entry_id=e.entry_id, when=from_iso(e.created_at).astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            kind=e.kind, points=e.points_delta, stamps=e.stamps_delta, punch_card=e.punch_card,
            spend=e.spend_delta, sale_id=e.sale_id, cashier=names.get(e.cashier_id or "", e.cashier_id),
            terminal=e.terminal_id, sync=sync, sync_error=error, reason=e.reason,
            receipt_no=receipts.get(e.sale_id or "")))
    return rows


def cards(session: Session, member_id: str) -> list[CardInfo]:
    """The member's cards, newest first."""
    return [CardInfo(c.card_number, c.serial, c.issued_at, c.revoked_at, c.revoked_reason) for c in session.scalars(
        select(Card).where(Card.member_id == member_id).order_by(Card.serial.desc()))]


def member_overview(terminal: Terminal, code: str, now: datetime | None = None) -> MemberOverview:
    """The member status screen's data for the member behind `code` (id, card, phone or token)."""
    now = now or utcnow()
    with terminal.read() as session:
        member_id = identify(session, code).member.member_id
    status = member_status(terminal, member_id)
    with terminal.read() as session:
        program = program_at(session, now)
        total = int(session.scalar(select(func.count()).select_from(LedgerEntry)
                                   .where(LedgerEntry.member_id == member_id)) or 0)
        merged = tuple(session.scalars(select(Member.member_id).where(Member.merged_into == member_id)
                                       .order_by(Member.member_id)))
        charities = {c.code: {"en": c.name.text("en"), "he": c.name.text("he")} for c in program.charities}
        return MemberOverview(
            member_id=member_id, status=status, tier=explain_tier(session, member_id, program, now),
            expiry=next_expiry(session, member_id, program, now), cards=tuple(cards(session, member_id)),
            history=tuple(history(session, member_id, program.timezone)), history_total=total,
            merged_from=merged, charities=charities, timezone=program.timezone)
