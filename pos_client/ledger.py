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

from sqlalchemy import Integer, String, bindparam, case, cast, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import LedgerEntry, MemberBalance, MemberDay, MemberStamps, OutboxRow, Setting
from pos_client.ids import new_id
from pos_client.ledger_kinds import LEDGER_KINDS, PROMO_KINDS
from pos_client.promotions import holdings
from pos_client.member_state import rules, store
from pos_client.timeutil import from_iso, to_iso

_balances = driver.table(MemberBalance).c
#: A member's balance row, created on the member's first entry here (an entry pulled from HQ, say).
_BALANCE_ROW = driver.Statement(sqlite_insert(driver.table(MemberBalance)).values(
    member_id=bindparam("mid"), points=0, credits_total=0, debits_total=0, sales_count=0).on_conflict_do_nothing())
_LAST_SALE = bindparam("last_sale", type_=String)
_BALANCE_UPDATE = driver.Statement(
    update(driver.table(MemberBalance)).where(_balances.member_id == bindparam("mid")).values(
        points=_balances.points + bindparam("dp"), credits_total=_balances.credits_total + bindparam("dc"),
        debits_total=_balances.debits_total + bindparam("dd"), sales_count=_balances.sales_count + bindparam("ds"),
        last_sale_at=case((_LAST_SALE.is_(None), _balances.last_sale_at),
                          else_=func.max(func.coalesce(_balances.last_sale_at, ""), _LAST_SALE)),
        last_birthday_year=func.coalesce(bindparam("birthday"), _balances.last_birthday_year)))
_days_insert = sqlite_insert(driver.table(MemberDay))
_DAY_UPSERT = driver.Statement(_days_insert.on_conflict_do_update(
    index_elements=[MemberDay.member_id, MemberDay.day],
    set_={"spend": MemberDay.spend + _days_insert.excluded.spend,
          "credits": MemberDay.credits + _days_insert.excluded.credits}), ("member_id", "day", "spend", "credits"))
_stamps_insert = sqlite_insert(driver.table(MemberStamps))
_STAMP_UPSERT = driver.Statement(_stamps_insert.on_conflict_do_update(
    index_elements=[MemberStamps.member_id, MemberStamps.punch_card],
    set_={"stamps": MemberStamps.stamps + _stamps_insert.excluded.stamps}), ("member_id", "punch_card", "stamps"))
_MEMBERSHIP_SQL = driver.Statement(select(_balances.membership_code, _balances.membership_expires)
                                   .where(_balances.member_id == bindparam("mid")))
_MEMBERSHIP_UPDATE = driver.Statement(update(driver.table(MemberBalance)).where(_balances.member_id == bindparam("mid"))
                                      .values(membership_code=bindparam("code"), membership_expires=bindparam("expires")))

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
    #: A coupon or voucher entry's issued id (or a public code as typed) and last valid store day.
    promo_ref: str | None = None
    valid_until: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


#: A terminal restored from a backup resumes past the highest sequence number HQ holds from it
#: (`ledger_seq_floor`, set by the sync; docs/sync.md, "Restored terminals"), even if the entries it lost
#: have not been taken back yet.
_NEXT_SEQ = driver.Statement(select(func.max(
    func.coalesce(select(func.max(LedgerEntry.seq)).where(LedgerEntry.terminal_id == bindparam("t"))
                  .scalar_subquery(), 0),
    func.coalesce(select(cast(Setting.value, Integer)).where(Setting.key == "ledger_seq_floor").scalar_subquery(),
                  0))))


def next_seq(session: Session, terminal_id: str) -> int:
    row = driver.one(session, _NEXT_SEQ, {"t": terminal_id})
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
        "reason": d.reason, "ref_code": d.ref_code, "promo_ref": d.promo_ref, "valid_until": d.valid_until,
        "program_version": program_version, "created_at": created,
    } for i, d in enumerate(drafts)]
    driver.insert(session, LedgerEntry, rows)
    project_rows(session, rows)
    driver.insert(session, OutboxRow, [
        {"kind": "ledger_entry", "ref_id": row["entry_id"], "payload": json.dumps(row), "created_at": created}
        for row in rows])
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
    _BALANCE_ROW.run_many(db, [{"mid": mid} for mid in balances])
    _BALANCE_UPDATE.run_many(db, [
        {"mid": mid, "dp": agg["points"], "dc": agg["credits"], "dd": agg["debits"], "ds": agg["sales"],
         "last_sale": agg["last_sale"], "birthday": agg["birthday"]} for mid, agg in balances.items()])
    _DAY_UPSERT.run_many(db, [{"member_id": m, "day": d, "spend": v[0], "credits": v[1]}
                              for (m, d), v in days.items()])
    _STAMP_UPSERT.run_many(db, [{"member_id": m, "punch_card": c, "stamps": n} for (m, c), n in stamps.items()])
    for row in rows:
        if row["membership_code"] and row["membership_days"]:
            _project_membership(db, row)
    holdings.project(db, [row for row in rows if row["kind"] in PROMO_KINDS])
    members = set(balances)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, (MemberBalance, MemberDay, MemberStamps)) and obj.member_id in members:
            session.expire(obj)


def _project_membership(db: sqlite3.Connection, row: dict[str, Any]) -> None:
    """A plan sold (days > 0) starts or extends it; a refunded one (days < 0) shortens it."""
    code, expires = _MEMBERSHIP_SQL.run(db, {"mid": row["member_id"]}).fetchone()
    new_expiry = rules.membership_after(code, from_iso(expires) if expires else None, row["membership_code"],
                                        row["membership_days"], from_iso(row["created_at"]))
    _MEMBERSHIP_UPDATE.run(db, {"code": row["membership_code"], "expires": to_iso(new_expiry), "mid": row["member_id"]})
