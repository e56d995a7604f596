"""What coupons and vouchers a member holds: the `member_promos` projection of the lifecycle's ledger entries.

The entries (`coupon_issue`, `coupon_use`, `coupon_return`, `voucher_issue`, `voucher_use`, `voucher_return`;
`pos_client.ledger_kinds`) are the history; this table answers "which are still usable" in one indexed read.
`project` is called by `pos_client.ledger.project_rows` in each entry's transaction, and again by the sync's
rebase for entries HQ has not accepted yet: every step *sets* a row (an issue inserts it once, a use marks it
spent, a return clears the mark), so folding the same entry twice changes nothing.

A public coupon's use has no issued row (its `promo_ref` is the code as typed): it is counted from the entries
(`pos_client.services.coupons`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import LedgerEntry, MemberPromo
from pos_client.promotions import rules

_promos = driver.table(MemberPromo).c
_ISSUE = driver.Statement(sqlite_insert(driver.table(MemberPromo)).values(
    promo_ref=bindparam("ref"), member_id=bindparam("mid"), kind=bindparam("kind"), code=bindparam("code"),
    value=bindparam("value"), source=bindparam("source"), issued_at=bindparam("at"),
    valid_until=bindparam("until")).on_conflict_do_nothing())
_USE = driver.Statement(update(driver.table(MemberPromo)).where(_promos.promo_ref == bindparam("ref")).values(
    used_entry=bindparam("entry"), used_sale=bindparam("sale")))
#: A return gives the coupon back only if it is still marked spent by the use the return reverses.
_RETURN = driver.Statement(update(driver.table(MemberPromo)).where(
    _promos.promo_ref == bindparam("ref"), _promos.used_entry == bindparam("reverses")).values(
    used_entry=None, used_sale=None))

ISSUE_KINDS = {"coupon_issue": "coupon", "voucher_issue": "voucher"}


def project(db: sqlite3.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Fold lifecycle entries (row dicts as the ledger writes them) into `member_promos`, in order."""
    for row in rows:
        kind, ref = row["kind"], row.get("promo_ref")
        if not ref:
            continue
        if kind in ISSUE_KINDS:
            _ISSUE.run(db, {"ref": ref, "mid": row["member_id"], "kind": ISSUE_KINDS[kind], "code": row["ref_code"],
                            "value": row["value"], "source": row.get("reason"), "at": row["created_at"],
                            "until": row.get("valid_until")})
        elif kind in ("coupon_use", "voucher_use"):
            _USE.run(db, {"ref": ref, "entry": row["entry_id"], "sale": row["sale_id"]})
        elif kind in ("coupon_return", "voucher_return"):
            _RETURN.run(db, {"ref": ref, "reverses": row["reverses"]})


def fold(entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `member_promos` rows a member's lifecycle entries leave, from nothing (HQ's snapshot: the one fold
    `project` applies step by step): entries in time order, a use marking its item spent, a return clearing it."""
    rows: dict[str, dict[str, Any]] = {}
    for row in sorted((e for e in entries if e["kind"] in ISSUE_KINDS or e["kind"].endswith(("_use", "_return"))),
                      key=lambda e: (e["created_at"], e["terminal_id"], e["seq"])):
        ref, kind = row.get("promo_ref"), row["kind"]
        if not ref:
            continue
        if kind in ISSUE_KINDS:
            rows.setdefault(ref, {"promo_ref": ref, "kind": ISSUE_KINDS[kind], "code": row["ref_code"],
                                  "value": row["value"], "source": row.get("reason"), "issued_at": row["created_at"],
                                  "valid_until": row.get("valid_until"), "used_entry": None, "used_sale": None})
        elif ref in rows and kind.endswith("_use"):
            rows[ref] |= {"used_entry": row["entry_id"], "used_sale": row.get("sale_id")}
        elif ref in rows and rows[ref]["used_entry"] == row.get("reverses"):
            rows[ref] |= {"used_entry": None, "used_sale": None}
    return list(rows.values())


@dataclass(frozen=True)
class Holding:
    """A coupon or voucher issued to a member, as the projection holds it."""

    promo_ref: str
    member_id: str
    kind: str
    code: str
    value: int
    source: str | None
    issued_at: str
    valid_until: date | None
    used_sale: str | None

    def usable_on(self, day: date) -> bool:
        """Not spent, and `day` (a store date) is on or before its last valid day."""
        return self.used_sale is None and rules.valid_on(self.valid_until, day)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.promo_ref, "code": self.code, "value": self.value or None, "source": self.source,
                "issued_at": self.issued_at, "valid_until": self.valid_until.isoformat() if self.valid_until else None,
                "used_sale": self.used_sale}


def usable_json(member_id: str, rows: Sequence[dict[str, Any]], kind: str, day: date) -> list[dict[str, Any]]:
    """The folded rows (`fold`) of `kind` usable on store date `day`, in `Holding.to_json` form (HQ's member show)."""
    held = [Holding(r["promo_ref"], member_id, r["kind"], r["code"], r["value"], r["source"], r["issued_at"],
                    date.fromisoformat(r["valid_until"]) if r["valid_until"] else None, r["used_sale"])
            for r in rows if r["kind"] == kind]
    return [h.to_json() for h in held if h.usable_on(day)]


_COLUMNS = (MemberPromo.promo_ref, MemberPromo.member_id, MemberPromo.kind, MemberPromo.code, MemberPromo.value,
            MemberPromo.source, MemberPromo.issued_at, MemberPromo.valid_until, MemberPromo.used_sale)
_BY_REF = driver.Statement(select(*_COLUMNS).where(MemberPromo.promo_ref == bindparam("ref")))
_HELD = driver.Statement(select(*_COLUMNS).where(
    MemberPromo.member_id == bindparam("m"), MemberPromo.kind == bindparam("kind"),
    or_(MemberPromo.used_sale.is_(None), bindparam("all_") == 1),
    or_(MemberPromo.valid_until.is_(None), MemberPromo.valid_until >= bindparam("day"))).order_by(
    MemberPromo.valid_until.is_(None), MemberPromo.valid_until, MemberPromo.issued_at))


def _holding(row: tuple[Any, ...]) -> Holding:
    return Holding(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                   date.fromisoformat(row[7]) if row[7] else None, row[8])


def by_ref(session: Session, promo_ref: str) -> Holding | None:
    row = driver.one(session, _BY_REF, {"ref": promo_ref})
    return _holding(row) if row else None


def held(session: Session, member_id: str, kind: str, day: date, *, include_spent: bool = False) -> list[Holding]:
    """The member's coupons or vouchers (`kind`) still valid on store date `day` (soonest to lapse first);
    unspent ones only unless `include_spent`."""
    rows = driver.all_rows(session, _HELD, {"m": member_id, "kind": kind, "day": day.isoformat(),
                                            "all_": 1 if include_spent else 0})
    return [_holding(row) for row in rows]


_OUTSTANDING = driver.Statement(select(func.coalesce(func.sum(MemberPromo.value), 0)).where(
    MemberPromo.kind == "voucher", MemberPromo.used_sale.is_(None),
    or_(MemberPromo.valid_until.is_(None), MemberPromo.valid_until >= bindparam("day"))))


def outstanding_voucher_value(session: Session, day: date) -> int:
    """The money members hold on vouchers not spent and still valid on store date `day` (the KPIs' liability;
    free-item vouchers count 0: their value is the item's, known when it is given)."""
    row = driver.one(session, _OUTSTANDING, {"day": day.isoformat()})
    return int(row[0]) if row else 0


_e = driver.table(LedgerEntry).c
#: The lifecycle entries of one sale (its uses and, after a whole refund, their returns).
_SALE_ENTRIES = driver.Statement(select(_e.entry_id, _e.kind, _e.ref_code, _e.promo_ref, _e.value).where(
    _e.sale_id == bindparam("sale"), _e.member_id == bindparam("m"),
    or_(*(_e.kind == kind for kind in ("coupon_use", "voucher_use", "coupon_return", "voucher_return")))))


def sale_uses(session: Session, sale_id: str, member_id: str) -> list[tuple[str, str, str, str, int]]:
    """(entry id, kind, code, promo ref, value) of the coupon and voucher uses and returns recorded on a sale."""
    return [(row[0], row[1], row[2], row[3], int(row[4]))
            for row in driver.all_rows(session, _SALE_ENTRIES, {"sale": sale_id, "m": member_id})]
