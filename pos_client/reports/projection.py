"""Report projections of the sales, kept in the same transaction as each sale and refund (migration 0006).

A year's KPIs on a million sales must not scan a million index entries. Three small tables carry what the
report needs (`pos_client.reports.kpis` reads them; `rebuild` recomputes them from the sales, which stay the
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
them (`pos_client.db.driver.Statement`). What a sale adds and what its refunds subtract are defined once, in
`pos_client.reports.refunds` (`sale_figures`, `correction`), which HQ's projections call too; the SQL here only
gathers their inputs (`REFUND_TOTALS`). Migration 0006 keeps a frozen SQL copy of its revision's rules.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from collections.abc import Mapping
from itertools import groupby
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import MemberSale, RefundCorrection, SalesBucket
from pos_client.reports import member_links, refunds
from pos_client.timeutil import from_iso

#: The quarter-hour number of a stored UTC timestamp, in SQL (epoch seconds // 900).
BUCKET_SQL = "CAST(strftime('%s', {col}) AS INTEGER) / 900"

#: Per sale with refunds (`{where}` selects the refunds looked at): the sale as recorded and its refunds'
#: totals, the facts `pos_client.reports.refunds.correction` turns into what the sale subtracts (the rule itself
#: is that function's alone: HQ calls it too). `sold_qty` is NULL for a sale without lines.
REFUND_TOTALS = """
WITH refunded AS (
    SELECT refund_of AS sale_id, sum(total) AS money_back, -sum(points_earned) AS points_reversed,
           sum(redeemed_points) AS points_returned
    FROM sales WHERE {where} GROUP BY refund_of
)
SELECT o.sale_id, o.created_at, o.member_id, o.total, o.points_earned, o.redeemed_points, o.redeemed_value,
       o.discount_total,
       (SELECT sum(l.qty) FROM sale_lines l WHERE l.sale_id = o.sale_id) AS sold_qty,
       (SELECT coalesce(sum(l.qty), 0) FROM sales x JOIN sale_lines l ON l.sale_id = x.sale_id
         WHERE x.refund_of = o.sale_id) AS refunded_qty,
       coalesce(r.money_back, 0), coalesce(r.points_reversed, 0), coalesce(r.points_returned, 0),
       (SELECT coalesce(sum(e.value), 0) FROM ledger_entries e
         WHERE e.sale_id = o.sale_id AND e.kind = 'reverse') AS reversed_value
FROM refunded r JOIN sales o ON o.sale_id = r.sale_id
WHERE o.kind = 'sale'
"""

_PUT_CORRECTION = ("INSERT OR REPLACE INTO refund_corrections (sale_id, created_at, member_id, fully, sales, paid,"
                   " earned, redeemed, cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _write_corrections(db: sqlite3.Connection, where: str, params: Mapping[str, Any]) -> None:
    """Recompute the `refund_corrections` rows of the sales whose refunds `where` selects, by `correction`."""
    rows = []
    for (sale_id, created_at, member_id, total, earned, redeemed, value, discount, sold_qty, *totals
         ) in db.execute(REFUND_TOTALS.format(where=where), dict(params)).fetchall():
        figures = refunds.sale_figures(total, earned, redeemed, value, discount)
        fully, subtract = refunds.correction(figures, member_id is not None,
                                             refunds.RefundTotals(sold_qty, *map(int, totals)))
        rows.append((sale_id, created_at, member_id, int(fully), *subtract))
    db.executemany(_PUT_CORRECTION, rows)


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

#: The member sales counted (not fully refunded), by member in their order; their links are `previous_two`'s.
_COUNTED_MEMBER_SALES = (
    "SELECT member_id, sale_id, CAST(strftime('%s', created_at) AS INTEGER) AS at FROM sales"
    " WHERE kind = 'sale' AND member_id IS NOT NULL"
    " AND sale_id NOT IN (SELECT sale_id FROM refund_corrections WHERE fully = 1)"
    " ORDER BY member_id, at, sale_id")
_PUT_MEMBER_SALE = "INSERT INTO member_sales (member_id, sale_id, at, prev_at, prev2_at) VALUES (?, ?, ?, ?, ?)"
_SALES = ("SELECT created_at, member_id, total, points_earned, redeemed_points, redeemed_value, discount_total"
          " FROM sales WHERE kind = 'sale'")
_PUT_BUCKET = ("INSERT INTO sales_buckets (q, is_member, sales, paid, earned, redeemed, cost)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)")


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
    figures = refunds.sale_figures(sale["total"], sale["points_earned"], sale["redeemed_points"],
                                   sale["redeemed_value"], sale["discount_total"])
    _BUCKET_ADD.run(db, {"q": quarter_of(sale["created_at"]), "is_member": sale["member_id"] is not None,
                         **dict(zip(refunds.FIGURES, figures))})
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
    _write_corrections(db, "refund_of = :sale_id", {"sale_id": sale_id})
    row = _FULLY_REFUNDED.run(db, {"s": sale_id}).fetchone()
    if row is None:
        return
    member_id, created_at = row
    if _MEMBER_SALE_DROP.run(db, {"m": member_id, "at": epoch(created_at), "s": sale_id}).rowcount:
        _relink(db, member_id)


def _relink(db: sqlite3.Connection, member_id: str) -> None:
    """Set `prev_at` and `prev2_at` of every `member_sales` row of the member from its rows' order."""
    rows = _MEMBER_SALES.run(db, {"m": member_id}).fetchall()
    for (row_id, _at, prev_at, prev2_at), links in zip(rows, member_links.previous_two(int(r[1]) for r in rows)):
        if (prev_at, prev2_at) != links:
            _SET_PREVIOUS.run(db, {"p": links[0], "p2": links[1], "row_id": row_id})


def rebuild(session: Session) -> None:
    """Recompute every report projection from the sales (tests and tools), in the session's transaction."""
    rebuild_db(driver.sql(session))


def rebuild_db(db: sqlite3.Connection) -> None:
    """Recompute the three tables from the sales on a sqlite3 connection (the benchmark's builder too), with
    the rules a sale and a refund apply: `refunds.sale_figures` per bucket, `refunds.correction` per refunded
    sale (migration 0006 keeps a frozen SQL copy of its own revision's rules)."""
    for table in ("sales_buckets", "refund_corrections", "member_sales"):
        db.execute(f"DELETE FROM {table}")
    buckets: dict[tuple[int, int], list[int]] = {}
    for created_at, member_id, *recorded in db.execute(_SALES):
        cell = buckets.setdefault((quarter_of(created_at), int(member_id is not None)), [0] * len(refunds.FIGURES))
        for i, figure in enumerate(refunds.sale_figures(*recorded)):
            cell[i] += figure
    db.executemany(_PUT_BUCKET, [(*key, *cell) for key, cell in sorted(buckets.items())])
    _write_corrections(db, "refund_of IS NOT NULL", {})
    rows = []
    for _member, group in groupby(db.execute(_COUNTED_MEMBER_SALES), key=lambda row: row[0]):
        sales = list(group)
        rows += [(*sale, *links) for sale, links in zip(sales, member_links.previous_two(s[2] for s in sales))]
    db.executemany(_PUT_MEMBER_SALE, rows)
