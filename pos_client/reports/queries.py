"""The SQL behind the manager's KPIs: a few grouped scans, never one query per member or per sale.

Why the queries have this shape (they must stay under a second on 100,000 members and a million sales):

- Sales are aggregated *as recorded* in one scan of the range (`SALE_BUCKETS`), grouped by a UTC time
  bucket (an hour, or a quarter-hour for zones with such offsets) so that the caller can fold buckets into the
  store's calendar days and weeks in Python — SQLite has no time-zone database.
- Refunds are rare, so they are not joined to every sale: `REFUNDED_SALES` lists only the sales that have a
  refund, with what the refunds gave back; the caller subtracts those corrections.
- The per-member figures (active, repeat, churn) come from one grouped scan over `(member_id, kind,
  created_at)`; members touched by a full refund are recomputed exactly in the same statement.
- Every time bound is a UTC ISO 8601 string (`sales.created_at` is stored that way, so text comparison is
  time order); `:lo` is inclusive, `:hi` exclusive.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

#: Sales in [lo, hi) as recorded (refunds not yet subtracted), by UTC bucket and member / non-member.
SALE_BUCKETS = """
SELECT {bucket} AS bucket, member_id IS NOT NULL AS is_member, count(*) AS sales, sum(total) AS paid,
       sum(points_earned) AS earned, sum(redeemed_points) AS redeemed,
       sum(redeemed_value + discount_total) AS cost
FROM sales
WHERE kind = 'sale' AND created_at >= :lo AND created_at < :hi
GROUP BY bucket, is_member
"""

#: Every sale with a refund, created before `hi`: what it was and what its refunds gave back. A sale is
#: fully refunded when its refunds returned every unit it sold (even a sale paid entirely with points, whose
#: money total is 0). Refunds are rare, so only the refunded sales are looked at, each by its key.
REFUNDED_SALES = """
WITH refunded AS (
    SELECT refund_of AS sale_id, sum(total) AS money_back, -sum(points_earned) AS points_reversed,
           sum(redeemed_points) AS points_returned
    FROM sales WHERE refund_of IS NOT NULL GROUP BY refund_of
)
SELECT sale_id, member_id, created_at, total, points_earned, redeemed_points, cost, money_back,
       points_reversed, points_returned, fully,
       CASE WHEN fully OR member_id IS NULL THEN 0
            ELSE (SELECT coalesce(sum(e.value), 0) FROM ledger_entries e
                  WHERE e.sale_id = d.sale_id AND e.kind = 'reverse') END AS value_reversed
FROM (
SELECT o.sale_id, o.member_id, o.created_at, o.total, o.points_earned, o.redeemed_points,
       o.redeemed_value + o.discount_total AS cost, r.money_back, r.points_reversed, r.points_returned,
       (SELECT sum(l.qty) FROM sale_lines l WHERE l.sale_id = o.sale_id)
         <= (SELECT coalesce(sum(l.qty), 0) FROM sales x JOIN sale_lines l ON l.sale_id = x.sale_id
              WHERE x.refund_of = o.sale_id) AS fully
FROM refunded r JOIN sales o ON o.sale_id = r.sale_id
WHERE o.kind = 'sale' AND o.created_at < :hi
) d
"""

#: Active, repeat and churned members. `n_in` = counted sales in [lo, hi), `last` = last counted sale before
#: hi. Members without a fully refunded sale are read straight off the `(member_id, kind, created_at)` index;
#: the few with one (`:fully_members`: JSON array from `REFUNDED_SALES`) are recomputed without those sales,
#: named by `member_id|created_at` in `:fully_keys` so that the recount also stays inside the index.
MEMBER_FIGURES = """
WITH per_member AS (
    SELECT member_id, sum(created_at >= :lo) AS n_in, max(created_at) AS last
    FROM sales
    WHERE member_id IS NOT NULL AND kind = 'sale' AND created_at < :hi
    GROUP BY member_id
    HAVING member_id NOT IN (SELECT value FROM json_each(:fully_members))
    UNION ALL
    SELECT member_id, sum(created_at >= :lo), max(created_at)
    FROM sales
    WHERE member_id IN (SELECT value FROM json_each(:fully_members)) AND kind = 'sale' AND created_at < :hi
      AND member_id || '|' || created_at NOT IN (SELECT value FROM json_each(:fully_keys))
    GROUP BY member_id
)
SELECT coalesce(sum(n_in >= 1), 0) AS active, coalesce(sum(n_in >= 2), 0) AS repeat,
       coalesce(sum(last < :cutoff), 0) AS churned
FROM per_member
"""

#: Members enrolled in [lo, hi), by UTC bucket of their enrolment (merged-away records left out).
NEW_MEMBER_BUCKETS = """
SELECT {bucket} AS bucket, count(*) AS members FROM members
WHERE merged_into IS NULL AND enrolled_at >= :lo AND enrolled_at < :hi
GROUP BY bucket
"""

#: Qualifying spend per member over the tier window, exactly as `pos_client.ledger.qualifying_spend` sums
#: it (whole UTC days, `wlo` exclusive, `whi` inclusive), counted per spend threshold in one grouped pass.
#: `{case}` maps a spend to the index of its tier (built from the program's thresholds).
MEMBERS_BY_TIER = """
SELECT {case} AS tier_index, count(*) AS members FROM (
    SELECT m.member_id, coalesce(q.spend, 0) AS spend FROM members m
    LEFT JOIN (SELECT member_id, sum(spend) AS spend FROM member_days
               WHERE day > :wlo AND day <= :whi GROUP BY member_id) q ON q.member_id = m.member_id
    WHERE m.merged_into IS NULL AND m.enrolled_at < :hi
)
GROUP BY tier_index
"""

#: The member list for CSV: points after pending expiry (as `member show` reports them), qualifying spend
#: over the tier window, last recorded sale.
MEMBER_LIST = """
SELECT m.member_id, m.name, m.phone, coalesce(b.points, 0) AS points,
       coalesce(b.credits_total, 0) - coalesce(c.recent, 0) - coalesce(b.debits_total, 0) AS old_unspent,
       coalesce(q.spend, 0) AS spend, b.last_sale_at
FROM members m
LEFT JOIN member_balances b ON b.member_id = m.member_id
LEFT JOIN (SELECT member_id, sum(spend) AS spend FROM member_days
           WHERE day > :wlo AND day <= :whi GROUP BY member_id) q ON q.member_id = m.member_id
LEFT JOIN (SELECT member_id, sum(credits) AS recent FROM member_days
           WHERE day >= :elo GROUP BY member_id) c ON c.member_id = m.member_id
WHERE m.merged_into IS NULL
ORDER BY m.member_id
"""

#: The indexes the queries above are written for (the lead adds them to a migration; see docs/core.md).
#: Without them the queries give the same answers, only slower (SQLite picks them when present).
INDEXES = {
    "ix_sales_kind_time_kpi": "sales (kind, created_at, member_id, total, points_earned, redeemed_points,"
                              " redeemed_value, discount_total)",
    "ix_sales_member_kind_time": "sales (member_id, kind, created_at)",
}


def bucket_seconds(zone: ZoneInfo, lo: datetime, hi: datetime) -> int:
    """3600 when the zone's offsets in [lo, hi) are whole hours (hour buckets suffice), else 900."""
    moment, step = lo, timedelta(hours=12)
    while moment < hi:
        offset = moment.astimezone(zone).utcoffset() or timedelta(0)
        if offset.total_seconds() % 3600:
            return 900
        moment += step
    return 3600


def bucket_sql(column: str, seconds: int) -> str:
    """SQL text of the UTC bucket of an ISO 8601 `column`: 'YYYY-MM-DDTHH' (+ quarter index when 900)."""
    if seconds == 3600:
        return f"substr({column}, 1, 13)"
    return f"substr({column}, 1, 14) || (CAST(substr({column}, 15, 2) AS INTEGER) / 15)"


def bucket_start(bucket: str) -> datetime:
    """The UTC start of a bucket produced by `bucket_sql`."""
    hour = datetime.fromisoformat(bucket[:13]).replace(tzinfo=timezone.utc)
    return hour + timedelta(minutes=15 * int(bucket[14:])) if len(bucket) > 14 else hour


def tier_case(thresholds: list[int]) -> tuple[str, dict[str, int]]:
    """`CASE` text mapping `spend` to the index of the highest threshold reached (-1 below all), with params."""
    params = {f"t{i}": value for i, value in enumerate(thresholds)}
    whens = " ".join(f"WHEN spend >= :t{i} THEN {i}" for i in reversed(range(len(thresholds))))
    return (f"CASE {whens} ELSE -1 END" if thresholds else "-1"), params


def bucket_of(created_at: str, seconds: int) -> str:
    """The bucket `bucket_sql` gives a stored timestamp, computed in Python (for refund corrections)."""
    if seconds == 3600:
        return created_at[:13]
    return created_at[:14] + str(int(created_at[14:16]) // 15)
