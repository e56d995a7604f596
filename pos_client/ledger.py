"""Appending to the ledger, and the projections that keep lookups fast.

`append()` is the only way a member's points, stamps, spend or membership change: it numbers the entry
with the terminal's next sequence number, writes it, updates the member's projection rows and queues the
entry for HQ in the outbox — all inside the caller's unit of work, so they commit together or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import MemberBalance, MemberDay, MemberStamps
from pos_client.ids import new_id
from pos_client.ledger_kinds import LEDGER_KINDS
from pos_client.member_state import rules, store
from pos_client.timeutil import from_iso, to_iso

_BALANCE_ROW = ("INSERT INTO member_balances (member_id, points, credits_total, debits_total, sales_count)"
                " VALUES (?, 0, 0, 0, 0) ON CONFLICT DO NOTHING")
_BALANCE_UPDATE = """
    UPDATE member_balances SET points = points + :dp, credits_total = credits_total + :dc,
           debits_total = debits_total + :dd, sales_count = sales_count + :ds,
           last_sale_at = CASE WHEN :last_sale IS NULL THEN last_sale_at
                               ELSE max(coalesce(last_sale_at, ''), :last_sale) END,
           last_birthday_year = coalesce(:birthday, last_birthday_year)
     WHERE member_id = :mid"""
_DAY_UPSERT = """
    INSERT INTO member_days (member_id, day, spend, credits) VALUES (:member_id, :day, :spend, :credits)
    ON CONFLICT (member_id, day) DO UPDATE SET spend = spend + excluded.spend, credits = credits + excluded.credits"""
_STAMP_UPSERT = """
    INSERT INTO member_stamps (member_id, punch_card, stamps) VALUES (:member_id, :punch_card, :stamps)
    ON CONFLICT (member_id, punch_card) DO UPDATE SET stamps = stamps + excluded.stamps"""
_MEMBERSHIP_SQL = "SELECT membership_code, membership_expires FROM member_balances WHERE member_id = ?"
_MEMBERSHIP_UPDATE = "UPDATE member_balances SET membership_code = ?, membership_expires = ? WHERE member_id = ?"

KINDS = frozenset(LEDGER_KINDS)


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
    row = driver.one(session, "SELECT max(seq) FROM ledger_entries WHERE terminal_id = ?", (terminal_id,))
    return (row[0] if row and row[0] else 0) + 1


def append(session: Session, draft: EntryDraft, *, terminal_id: str, now: datetime, sale_id: str | None = None,
           cashier_id: str | None = None, program_version: int | None = None) -> str:
    """Record `draft` as a new ledger entry, update projections and queue it for HQ; returns its id."""
    return append_many(session, [draft], terminal_id=terminal_id, now=now, sale_id=sale_id, cashier_id=cashier_id,
                       program_version=program_version)[0]


def append_many(session: Session, drafts: list[EntryDraft], *, terminal_id: str, now: datetime,
                sale_id: str | None = None, cashier_id: str | None = None,
                program_version: int | None = None) -> list[str]:
    """Record several entries of one business action with a few batched statements.

    The entries, their projection updates and their outbox rows are written with driver-level statements
    (`pos_client.db.driver`, one `executemany` each) inside the caller's transaction: a checkout's durability
    cost is then the commit, not dozens of ORM round trips. Returns the entries' ids.
    """
    if not drafts:
        return []
    for draft in drafts:
        if draft.kind not in KINDS:
            raise ValueError(f"unknown ledger kind {draft.kind!r}")
    first = next_seq(session, terminal_id)  # flushes first: the sale or a new member the entries refer to
    created = to_iso(now)
    ids = [new_id() for _ in drafts]
    rows: list[dict[str, Any]] = [{
        "entry_id": ids[i], "member_id": d.member_id, "terminal_id": terminal_id, "seq": first + i,
        "kind": d.kind, "points_delta": d.points_delta, "stamps_delta": d.stamps_delta, "punch_card": d.punch_card,
        "spend_delta": d.spend_delta, "value": d.value, "membership_code": d.membership_code,
        "membership_days": d.membership_days, "sale_id": sale_id, "reverses": d.reverses, "cashier_id": cashier_id,
        "reason": d.reason, "ref_code": d.ref_code, "program_version": program_version, "created_at": created,
    } for i, d in enumerate(drafts)]
    driver.insert(session, "ledger_entries", rows)
    project_rows(session, rows)
    driver.insert(session, "outbox", [
        {"kind": "ledger_entry", "ref_id": row["entry_id"], "payload": json.dumps(row), "created_at": created,
         "status": "pending"} for row in rows])
    return ids


def project_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Fold entries (row dicts, as `append_many` writes them and the outbox carries them) into `member_balances`, `member_days` and `member_stamps`."""
    db = driver.sql(session)
    balances: dict[str, dict[str, Any]] = {}
    days: dict[tuple[str, str], list[int]] = {}
    stamps: dict[tuple[str, str], int] = {}
    spend_days = store.reversed_days(session, rows)
    for row in rows:
        mid, points = row["member_id"], row["points_delta"]
        agg = balances.setdefault(mid, {"points": 0, "credits": 0, "debits": 0, "sales": 0, "last_sale": None,
                                        "birthday": None})
        agg["points"] += points
        agg["credits" if points > 0 else "debits"] += abs(points)
        if row["kind"] == "earn" and row["sale_id"]:
            agg["sales"] += 1
            agg["last_sale"] = max(agg["last_sale"] or "", row["created_at"])
        if row["kind"] == "birthday" and (row["ref_code"] or "").isdigit():
            agg["birthday"] = int(row["ref_code"])
        for day_of, spend, credits in rules.day_deltas(row, spend_days.get(row["reverses"] or "")):
            day = days.setdefault((mid, day_of.isoformat()), [0, 0])
            day[0] += spend
            day[1] += credits
        if row["stamps_delta"]:
            key = (mid, row["punch_card"])
            stamps[key] = stamps.get(key, 0) + row["stamps_delta"]
    db.executemany(_BALANCE_ROW, [(mid,) for mid in balances])
    db.executemany(_BALANCE_UPDATE, [
        {"mid": mid, "dp": agg["points"], "dc": agg["credits"], "dd": agg["debits"], "ds": agg["sales"],
         "last_sale": agg["last_sale"], "birthday": agg["birthday"]} for mid, agg in balances.items()])
    if days:
        db.executemany(_DAY_UPSERT, [{"member_id": m, "day": d, "spend": v[0], "credits": v[1]}
                                     for (m, d), v in days.items()])
    if stamps:
        db.executemany(_STAMP_UPSERT, [{"member_id": m, "punch_card": c, "stamps": n} for (m, c), n in stamps.items()])
    for row in rows:
        if row["membership_code"] and row["membership_days"]:
            _project_membership(db, row)
    members = set(balances)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, (MemberBalance, MemberDay, MemberStamps)) and obj.member_id in members:
            session.expire(obj)


def _project_membership(db: sqlite3.Connection, row: dict[str, Any]) -> None:
    """A plan sold (days > 0) starts or extends it; a refunded one (days < 0) shortens it."""
    code, expires = db.execute(_MEMBERSHIP_SQL, (row["member_id"],)).fetchone()
    new_expiry = rules.membership_after(code, from_iso(expires) if expires else None, row["membership_code"],
                                        row["membership_days"], from_iso(row["created_at"]))
    db.execute(_MEMBERSHIP_UPDATE, (row["membership_code"], to_iso(new_expiry), row["member_id"]))
