"""Report projections of the sales, kept in the same transaction as each sale and refund (migration 0006).

A year's KPIs on a million sales must not scan a million index entries. Three small tables carry what the
report needs (`pos_client.reports.kpis` reads them; `REBUILD` recomputes them from the sales, which stay the
source of truth):

- `sales_buckets(q, is_member, sales, paid, earned, redeemed, cost)`: sales *as recorded* per UTC quarter-hour
  (`q` = epoch seconds // 900: every time zone's midnight starts one, so the report folds them into store
  days in SQL) and member / non-member. Never changed by a refund.
- `refund_corrections(sale_id, created_at, member_id, fully, sales, paid, earned, redeemed, cost)`: one row per
  sale with a refund: what to subtract from its bucket so that it counts as the report defines (a full
  refund takes the whole sale out, a partial one its money, points and rewards cost). Recomputed from the
  sale and all its refunds after each refund (`project_refund`), so it is never a running delta.
- `member_sales(id, member_id, sale_id, at, prev_at, prev2_at)`: every counted member sale (a full refund
  deletes its row and relinks the member's others), `at` in whole UTC epoch seconds (floored, exact against
  the report's whole-second bounds), with the times of the member's two previous counted sales (order: time,
  then insertion). A member is active in [lo, hi) iff exactly one of its sales in range has `prev_at < lo`;
  has two or more iff exactly one has `prev_at >= lo > prev2_at`; so active, repeat and churn are filtered
  counts over one index range, without grouping by member. Merges do not touch it: the report recounts the
  few merged records and the members they were merged into (see `kpis._member_figures`).

The tables are the models' (`pos_client.db.models`). What runs on every sale and refund is Core built from
them (`pos_client.db.driver.Statement`); the recomputation (`CORRECTIONS`, `REBUILD`) stays SQL text, the
same text migration 0006 keeps a frozen copy of.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import MemberSale, RefundCorrection, SalesBucket
from pos_client.timeutil import from_iso

#: The quarter-hour number of a stored UTC timestamp, in SQL (epoch seconds // 900).
BUCKET_SQL = "CAST(strftime('%s', {col}) AS INTEGER) / 900"

#: What each sale with refunds subtracts from its bucket. `{where}` selects the refunds looked at. A sale is
#: fully refunded when its refunds returned every unit it sold (even a sale paid entirely with points).
CORRECTIONS = """
WITH refunded AS (
    SELECT refund_of AS sale_id, sum(total) AS money_back, -sum(points_earned) AS points_reversed,
           sum(redeemed_points) AS points_returned
    FROM sales WHERE {where} GROUP BY refund_of
), d AS (
    SELECT o.sale_id, o.member_id, o.created_at, o.total, o.points_earned, o.redeemed_points,
           o.redeemed_value + o.discount_total AS cost, r.money_back, r.points_reversed, r.points_returned,
           (SELECT sum(l.qty) FROM sale_lines l WHERE l.sale_id = o.sale_id)
             <= (SELECT coalesce(sum(l.qty), 0) FROM sales x JOIN sale_lines l ON l.sale_id = x.sale_id
                  WHERE x.refund_of = o.sale_id) AS fully
    FROM refunded r JOIN sales o ON o.sale_id = r.sale_id
    WHERE o.kind = 'sale'
)
SELECT sale_id, created_at, member_id, coalesce(fully, 0) AS fully,
       CASE WHEN fully THEN 1 ELSE 0 END AS sales,
       CASE WHEN fully THEN total ELSE coalesce(money_back, 0) END AS paid,
       CASE WHEN fully THEN points_earned ELSE coalesce(points_reversed, 0) END AS earned,
       CASE WHEN fully THEN redeemed_points ELSE coalesce(points_returned, 0) END AS redeemed,
       CASE WHEN fully THEN cost
            WHEN member_id IS NULL THEN 0
            ELSE -(SELECT coalesce(sum(e.value), 0) FROM ledger_entries e
                   WHERE e.sale_id = d.sale_id AND e.kind = 'reverse') END AS cost
FROM d
"""

_UPSERT_CORRECTION = ("INSERT OR REPLACE INTO refund_corrections (sale_id, created_at, member_id, fully, sales, paid,"
                      " earned, redeemed, cost) " + CORRECTIONS.format(where="refund_of = :sale_id"))

_buckets_insert = sqlite_insert(driver.table(SalesBucket))
_BUCKET_ADD = driver.Statement(_buckets_insert.on_conflict_do_update(
    index_elements=[SalesBucket.q, SalesBucket.is_member],
    set_={name: getattr(SalesBucket, name) + getattr(_buckets_insert.excluded, name)
          for name in ("sales", "paid", "earned", "redeemed", "cost")}),
    ("q", "is_member", "sales", "paid", "earned", "redeemed", "cost"))
_ms = driver.table(MemberSale).c
#: The member's two latest counted sales at or before a moment, and the two first after it.
_BEFORE = driver.Statement(select(_ms.at).where(_ms.member_id == bindparam("m"), _ms.at <= bindparam("at"))
                           .order_by(_ms.at.desc(), _ms.id.desc()).limit(2))
_AFTER = driver.Statement(select(_ms.id).where(_ms.member_id == bindparam("m"), _ms.at > bindparam("at"))
                          .order_by(_ms.at, _ms.id).limit(2))
_MEMBER_SALE_ADD = driver.Statement(insert(driver.table(MemberSale)),
                                    ("member_id", "sale_id", "at", "prev_at", "prev2_at"))
_SET_PREVIOUS = driver.Statement(update(driver.table(MemberSale)).where(_ms.id == bindparam("row_id"))
                                 .values(prev_at=bindparam("p"), prev2_at=bindparam("p2")))
_SET_SECOND_PREVIOUS = driver.Statement(update(driver.table(MemberSale)).where(_ms.id == bindparam("row_id"))
                                        .values(prev2_at=bindparam("p2")))
_FULLY_REFUNDED = driver.Statement(select(RefundCorrection.member_id, RefundCorrection.created_at).where(
    RefundCorrection.sale_id == bindparam("s"), RefundCorrection.fully == 1, RefundCorrection.member_id.is_not(None)))
_MEMBER_SALE_DROP = driver.Statement(delete(driver.table(MemberSale)).where(
    _ms.member_id == bindparam("m"), _ms.at == bindparam("at"), _ms.sale_id == bindparam("s")))
_MEMBER_SALES = driver.Statement(select(_ms.id, _ms.at, _ms.prev_at, _ms.prev2_at).where(_ms.member_id == bindparam("m"))
                                 .order_by(_ms.at, _ms.id))

#: Recompute the three tables from the sales (the migration's backfill; also the benchmark's builder).
REBUILD = (
    "DELETE FROM sales_buckets",
    "DELETE FROM refund_corrections",
    "DELETE FROM member_sales",
    "INSERT INTO sales_buckets (q, is_member, sales, paid, earned, redeemed, cost) "
    f"SELECT {BUCKET_SQL.format(col='created_at')} AS b, member_id IS NOT NULL AS m, count(*), sum(total),"
    " sum(points_earned), sum(redeemed_points), sum(redeemed_value + discount_total)"
    " FROM sales WHERE kind = 'sale' GROUP BY b, m",
    "INSERT INTO refund_corrections (sale_id, created_at, member_id, fully, sales, paid, earned, redeemed, cost) "
    + CORRECTIONS.format(where="refund_of IS NOT NULL"),
    "INSERT INTO member_sales (member_id, sale_id, at, prev_at, prev2_at) "
    "SELECT member_id, sale_id, at, lag(at, 1) OVER w, lag(at, 2) OVER w FROM ("
    " SELECT member_id, CAST(strftime('%s', created_at) AS INTEGER) AS at, sale_id FROM sales"
    " WHERE kind = 'sale' AND member_id IS NOT NULL"
    " AND sale_id NOT IN (SELECT sale_id FROM refund_corrections WHERE fully = 1))"
    " WINDOW w AS (PARTITION BY member_id ORDER BY at, sale_id) ORDER BY member_id, at, sale_id",
)


def quarter_of(created_at: str) -> int:
    """The quarter-hour number of a stored UTC timestamp (as `BUCKET_SQL` computes it)."""
    return epoch(created_at) // 900


def epoch(created_at: str) -> int:
    """Whole UTC epoch seconds of a stored timestamp, floored (as SQLite's strftime('%s') gives them)."""
    return (from_iso(created_at) - _EPOCH) // _SECOND


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SECOND = timedelta(seconds=1)


def project_sale(session: Session, sale: Mapping[str, Any]) -> None:
    """Add a new sale (its `sales` row as a mapping) to `sales_buckets` and, for a member, to `member_sales`, in
    the caller's transaction, with driver-level statements (this is on every checkout)."""
    db = driver.sql(session)
    _BUCKET_ADD.run(db, {
        "q": quarter_of(sale["created_at"]), "is_member": sale["member_id"] is not None, "sales": 1,
        "paid": sale["total"], "earned": sale["points_earned"], "redeemed": sale["redeemed_points"],
        "cost": sale["redeemed_value"] + sale["discount_total"]})
    mid = sale["member_id"]
    if mid is None:
        return
    at = epoch(sale["created_at"])
    before = [int(v) for v, in _BEFORE.run(db, {"m": mid, "at": at})]
    prev = before[0] if before else None
    _MEMBER_SALE_ADD.run(db, {"member_id": mid, "sale_id": sale["sale_id"], "at": at, "prev_at": prev,
                              "prev2_at": before[1] if len(before) > 1 else None})
    # a sale recorded out of time order (a clock set back) becomes the previous one of up to two later sales
    after = [row_id for row_id, in _AFTER.run(db, {"m": mid, "at": at})]
    if after:
        _SET_PREVIOUS.run(db, {"p": at, "p2": prev, "row_id": after[0]})
    if len(after) > 1:
        _SET_SECOND_PREVIOUS.run(db, {"p2": at, "row_id": after[1]})


def project_refund(session: Session, sale_id: str) -> None:
    """After a refund of `sale_id` (caller's transaction): recompute its `refund_corrections` row from the sale
    and all its refunds; once it is fully refunded, take it out of `member_sales` and relink the member."""
    db = driver.sql(session)
    db.execute(_UPSERT_CORRECTION, {"sale_id": sale_id})
    row = _FULLY_REFUNDED.run(db, {"s": sale_id}).fetchone()
    if row is None:
        return
    member_id, created_at = row
    if _MEMBER_SALE_DROP.run(db, {"m": member_id, "at": epoch(created_at), "s": sale_id}).rowcount:
        _relink(db, member_id)


def _relink(db: sqlite3.Connection, member_id: str) -> None:
    """Set `prev_at` and `prev2_at` of every `member_sales` row of the member from its rows' order."""
    prev: list[int | None] = [None, None]
    for row_id, at, prev_at, prev2_at in _MEMBER_SALES.run(db, {"m": member_id}).fetchall():
        if (prev_at, prev2_at) != (prev[0], prev[1]):
            _SET_PREVIOUS.run(db, {"p": prev[0], "p2": prev[1], "row_id": row_id})
        prev = [int(at), prev[0]]


def rebuild(session: Session) -> None:
    """Recompute every report projection from the sales (tests and tools; the migration runs the same SQL)."""
    conn = session.connection()
    for statement in REBUILD:
        conn.execute(text(statement))
