"""Appending to the ledger, and the projections that keep lookups fast.

`append()` is the only way a member's points, stamps, spend or membership change: it numbers the entry
with the terminal's next sequence number, writes it, updates the member's projection rows and queues the
entry for HQ in the outbox — all inside the caller's unit of work, so they commit together or not at all.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_client.db.models import LedgerEntry, MemberBalance, MemberDay, MemberStamps, OutboxRow
from pos_client.timeutil import from_iso, to_iso

KINDS = frozenset({"earn", "redeem", "stamp", "stamp_reward", "tier_discount", "welcome", "birthday", "membership",
                   "donate", "adjust", "reverse", "expire", "referral", "action"})


@dataclass(frozen=True)
class EntryDraft:
    """What a service wants recorded; `append()` adds identity, sequence and time."""

    member_id: str
    kind: str
    points_delta: int = 0
    stamps_delta: int = 0
    punch_card: str | None = None
    spend_delta: int = 0
    value: int = 0
    membership_code: str | None = None
    membership_days: int = 0
    reverses: str | None = None
    reason: str | None = None
    ref_code: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def next_seq(session: Session, terminal_id: str) -> int:
    current = session.scalar(select(func.max(LedgerEntry.seq)).where(LedgerEntry.terminal_id == terminal_id))
    return (current or 0) + 1


def append(session: Session, draft: EntryDraft, *, terminal_id: str, now: datetime, sale_id: str | None = None,
           cashier_id: str | None = None, program_version: int | None = None) -> LedgerEntry:
    """Record `draft` as a new ledger entry, update projections and queue it for HQ."""
    if draft.kind not in KINDS:
        raise ValueError(f"unknown ledger kind {draft.kind!r}")
    entry = LedgerEntry(
        entry_id=str(uuid.uuid4()), member_id=draft.member_id, terminal_id=terminal_id,
        seq=next_seq(session, terminal_id), kind=draft.kind, points_delta=draft.points_delta,
        stamps_delta=draft.stamps_delta, punch_card=draft.punch_card, spend_delta=draft.spend_delta,
        value=draft.value, membership_code=draft.membership_code, membership_days=draft.membership_days,
        sale_id=sale_id, reverses=draft.reverses, cashier_id=cashier_id, reason=draft.reason,
        ref_code=draft.ref_code, program_version=program_version, created_at=to_iso(now))
    session.add(entry)
    session.flush()
    project(session, entry)
    session.add(OutboxRow(kind="ledger_entry", ref_id=entry.entry_id, payload=json.dumps(entry_to_json(entry)),
                          created_at=entry.created_at))
    return entry


def project(session: Session, entry: LedgerEntry) -> None:
    """Fold one entry into the member's projection rows (also used for entries pulled from HQ)."""
    balance = session.get(MemberBalance, entry.member_id)
    if balance is None:
        balance = MemberBalance(member_id=entry.member_id, points=0, credits_total=0, debits_total=0, sales_count=0)
        session.add(balance)
    balance.points += entry.points_delta
    if entry.points_delta > 0:
        balance.credits_total += entry.points_delta
    else:
        balance.debits_total -= entry.points_delta
    if entry.spend_delta or entry.points_delta > 0:
        day_key = (entry.member_id, entry.created_at[:10])
        day = session.get(MemberDay, day_key)
        if day is None:
            day = MemberDay(member_id=entry.member_id, day=entry.created_at[:10], spend=0, credits=0)
            session.add(day)
        day.spend += entry.spend_delta
        day.credits += max(entry.points_delta, 0)
    if entry.stamps_delta:
        stamps = session.get(MemberStamps, (entry.member_id, entry.punch_card))
        if stamps is None:
            stamps = MemberStamps(member_id=entry.member_id, punch_card=entry.punch_card, stamps=0)
            session.add(stamps)
        stamps.stamps += entry.stamps_delta
    if entry.membership_code and entry.membership_days:
        moment = from_iso(entry.created_at)
        current = from_iso(balance.membership_expires) if balance.membership_expires else moment
        if entry.membership_days > 0:
            start = max(current, moment) if balance.membership_code == entry.membership_code else moment
            balance.membership_expires = to_iso(start + timedelta(days=entry.membership_days))
        else:
            balance.membership_expires = to_iso(current + timedelta(days=entry.membership_days))
        balance.membership_code = entry.membership_code
    if entry.kind == "birthday":
        year = entry.ref_code or ""
        balance.last_birthday_year = int(year) if year.isdigit() else None
    if entry.kind == "earn" and entry.sale_id:
        balance.sales_count += 1
        balance.last_sale_at = entry.created_at


def _day(moment: datetime) -> str:
    return to_iso(moment)[:10]


def qualifying_spend(session: Session, member_id: str, now: datetime, window_days: int) -> int:
    """Money paid on eligible lines over the tier window ending `now`, counted in whole UTC days."""
    total = session.scalar(select(func.coalesce(func.sum(MemberDay.spend), 0)).where(
        MemberDay.member_id == member_id, MemberDay.day > _day(now - timedelta(days=window_days)),
        MemberDay.day <= _day(now)))
    return int(total or 0)


def expirable_points(session: Session, balance: MemberBalance, now: datetime, expiry_days: int | None) -> int:
    """Points to expire now, first-in first-out.

    Every debit (redemption, donation, negative adjustment, reversal, earlier expiry) consumes the oldest
    credits first, so what is still unspent of the credits older than the cut-off is
    `credits before the cut-off − all debits`, when positive. The cut-off is a whole UTC day: points
    expire on the first day after they are `expiry_days` old.
    """
    if not expiry_days or balance.points <= 0:
        return 0
    recent = session.scalar(select(func.coalesce(func.sum(MemberDay.credits), 0)).where(
        MemberDay.member_id == balance.member_id, MemberDay.day >= _day(now - timedelta(days=expiry_days))))
    old_credits = balance.credits_total - int(recent or 0)
    return max(0, min(old_credits - balance.debits_total, balance.points))


def entry_to_json(entry: LedgerEntry) -> dict[str, Any]:
    """The wire and export form of an entry (used by the outbox and `member show`)."""
    return {column: getattr(entry, column) for column in (
        "entry_id", "member_id", "terminal_id", "seq", "kind", "points_delta", "stamps_delta", "punch_card",
        "spend_delta", "value", "membership_code", "membership_days", "sale_id", "reverses", "cashier_id",
        "reason", "ref_code", "program_version", "created_at")}
