"""The SQL behind the manager's KPIs: a few reads of small projections, never one query per member or per sale.

Why the queries have this shape (they must stay well under a second on 100,000 members and a million sales):

- Sales are read from `sales_buckets` (the sales *as recorded* per UTC quarter-hour, see
  `pos_client.reports.projection`) and grouped by store day in SQL: SQLite has no time-zone database, so the
  caller passes `{day}`, a `CASE` giving each stretch of constant UTC offset in the range its offset (every
  zone's offset is a whole number of quarter-hours). A year is at most 35,040 quarter-hours, whatever the
  number of sales.
- Refunds are rare: `refund_corrections` holds, per refunded sale, what to subtract from its bucket
  (`REFUND_CORRECTIONS` reads those of the range).
- The per-member figures (active, repeat, churn) are filtered counts over `member_sales` (counted member sales),
  whose rows carry the times of the member's two previous counted sales (`MEMBER_FAST`, `MEMBER_FIRST`,
  `MEMBER_ACTIVE`); the few records in a merge are recounted under the member kept (`EXCEPTION_FAST`, `MERGED`).
- Every text time bound is a UTC ISO 8601 string (`sales.created_at` is stored that way, so text comparison is
  time order); `:lo` is inclusive, `:hi` exclusive. `member_sales` bounds are whole epoch seconds.
"""

from __future__ import annotations

from pos_client.ledger_kinds import PROMO_KINDS
from pos_client.member_state.store import RECENT_CREDITS_BY_MEMBER, WINDOW_SPEND_BY_MEMBER

#: Sales in quarter-hours [qlo, qhi) as recorded (refunds not yet subtracted), by store day number
#: (`{day}`; `0` for the figures alone) and member / non-member.
SALE_DAYS_IN = """
SELECT {{day}} AS day, is_member, sum(sales) AS sales, sum(paid) AS paid, sum(earned) AS earned,
       sum(redeemed) AS redeemed, sum(cost) AS cost
FROM {table}
WHERE q >= :qlo AND q < :qhi
GROUP BY 1, 2
"""
SALE_DAYS = SALE_DAYS_IN.format(table="sales_buckets")

#: What the refunded sales of [lo, hi) subtract (see `projection.REFUND_TOTALS` and `refunds.correction`), by the store day of the sale
#: (`{day}` as in `SALE_DAYS`, over the sale's quarter-hour) and member / non-member.
REFUND_CORRECTIONS = """
SELECT {day} AS day, is_member, sum(sales) AS sales, sum(paid) AS paid, sum(earned) AS earned,
       sum(redeemed) AS redeemed, sum(cost) AS cost
FROM (SELECT CAST(strftime('%s', created_at) AS INTEGER) / 900 AS q, member_id IS NOT NULL AS is_member,
             sales, paid, earned, redeemed, cost
      FROM refund_corrections WHERE created_at >= :lo AND created_at < :hi)
GROUP BY 1, 2
"""

#: Over every member sale as recorded: members with a sale in [lo, hi) (`active`), with two or more (`repeat`).
#: (`…_IN`: over any table of that shape, in SQL that SQLite and PostgreSQL both run; HQ keeps one too.)
MEMBER_FAST_IN = """
SELECT coalesce(sum(CASE WHEN prev_at IS NULL OR prev_at < :elo THEN 1 ELSE 0 END), 0) AS active,
       coalesce(sum(CASE WHEN prev_at >= :elo AND (prev2_at IS NULL OR prev2_at < :elo) THEN 1 ELSE 0 END), 0)
         AS repeated
FROM {table} WHERE at >= :elo AND at < :ehi
"""
MEMBER_FAST = MEMBER_FAST_IN.format(table="member_sales")

#: Members with a sale before hi (each member's first sale has no previous one).
MEMBER_FIRST_IN = "SELECT count(*) FROM {table} WHERE prev_at IS NULL AND at < :ehi"
MEMBER_FIRST = MEMBER_FIRST_IN.format(table="member_sales")

#: Members with a sale in [cutoff, hi).
MEMBER_ACTIVE_IN = """
SELECT count(*) FROM {table}
WHERE at >= :ecut AND at < :ehi AND (prev_at IS NULL OR prev_at < :ecut)
"""
MEMBER_ACTIVE = MEMBER_ACTIVE_IN.format(table="member_sales")

#: The member records recounted exactly: merged away, or kept by a merge (few; `ix_members_merged_into`).
_EXCEPTIONS = """
    SELECT member_id FROM members WHERE merged_into IS NOT NULL
    UNION SELECT merged_into FROM members WHERE merged_into IS NOT NULL
"""

#: What the fast counts above gave each exception record: its sales in range, before hi, in [cutoff, hi).
EXCEPTION_FAST = f"""
SELECT member_id, sum(at >= :elo AND at < :ehi) AS n_in, sum(at < :ehi) AS n_before,
       sum(at >= :ecut AND at < :ehi) AS n_cut
FROM member_sales WHERE member_id IN ({_EXCEPTIONS}) GROUP BY member_id
"""

#: Merged-away records and the record each was merged into.
MERGED = "SELECT member_id, merged_into FROM members WHERE merged_into IS NOT NULL"

#: Members enrolled in [lo, hi), by store day number (`{day}` over `q`; merged-away records left out).
NEW_MEMBER_DAYS = """
SELECT {day} AS day, count(*) AS members
FROM (SELECT CAST(strftime('%s', enrolled_at) AS INTEGER) / 900 AS q FROM members
      WHERE merged_into IS NULL AND enrolled_at >= :lo AND enrolled_at < :hi)
GROUP BY 1
"""

#: Qualifying spend per member over the tier window, exactly as the terminal's member state sums it
#: (`pos_client.member_state.store`: its window fragment and bounds, never below zero), counted per spend
#: threshold in one grouped pass. `{case}` maps a spend to the index of its tier (built from the program's
#: thresholds).
MEMBERS_BY_TIER = f"""
SELECT {{case}} AS tier_index, count(*) AS members FROM (
    SELECT m.member_id, max(coalesce(q.spend, 0), 0) AS spend FROM members m
    LEFT JOIN {WINDOW_SPEND_BY_MEMBER} q ON q.member_id = m.member_id
    WHERE m.merged_into IS NULL AND m.enrolled_at < :hi
)
GROUP BY tier_index
"""

#: The member list for CSV: points after pending expiry (as `member show` reports them), qualifying spend
#: over the tier window, last recorded sale.
MEMBER_LIST = f"""
SELECT m.member_id, m.name, m.phone, coalesce(b.points, 0) AS points, coalesce(b.credits_total, 0) AS credits,
       coalesce(b.debits_total, 0) AS debits, coalesce(c.recent, 0) AS recent, coalesce(q.spend, 0) AS spend,
       b.last_sale_at
FROM members m
LEFT JOIN member_balances b ON b.member_id = m.member_id
LEFT JOIN {WINDOW_SPEND_BY_MEMBER} q ON q.member_id = m.member_id
LEFT JOIN {RECENT_CREDITS_BY_MEMBER} c ON c.member_id = m.member_id
WHERE m.merged_into IS NULL
ORDER BY m.member_id
"""

def tier_case(thresholds: list[int]) -> tuple[str, dict[str, int]]:
    """`CASE` text mapping `spend` to the index of the highest threshold reached (-1 below all), with params."""
    params = {f"t{i}": value for i, value in enumerate(thresholds)}
    whens = " ".join(f"WHEN spend >= :t{i} THEN {i}" for i in reversed(range(len(thresholds))))
    return (f"CASE {whens} ELSE -1 END" if thresholds else "-1"), params

#: Money paid and cost of goods on the lines of the sales of [lo, hi), net of those sales' refunds (whenever
#: made, as the figures count them), by member / non-member: `costed_paid` is paid on lines whose product has
#: a cost price, `cogs` their units × cost (a free punch-card unit costs its goods too), with the catalog's cost
#: as it is now (docs/kpis.md). Summed per SKU first, then costed: the lines are read once, the products once
#: per SKU. This reads the range's lines (not a projection): docs/kpis.md, "Cost".
SALE_MARGINS = """
WITH per_sku AS (
    SELECT s.member_id IS NOT NULL AS is_member, l.sku, sum(l.qty) AS qty, sum(l.paid) AS paid
    FROM sales s JOIN sale_lines l ON l.sale_id = s.sale_id
    WHERE s.kind = 'sale' AND s.created_at >= :lo AND s.created_at < :hi
    GROUP BY 1, 2
    UNION ALL
    -- from the refunds (few; the partial index on refund_of), never a scan of every line
    SELECT o.member_id IS NOT NULL, l.sku, -sum(l.qty), -sum(l.paid)
    FROM sales x CROSS JOIN sales o ON o.sale_id = x.refund_of CROSS JOIN sale_lines l ON l.sale_id = x.sale_id
    WHERE x.refund_of IS NOT NULL AND o.created_at >= :lo AND o.created_at < :hi
    GROUP BY 1, 2
)
SELECT per_sku.is_member AS is_member,
       coalesce(sum(CASE WHEN p.cost IS NOT NULL THEN per_sku.paid END), 0) AS costed_paid,
       coalesce(sum(per_sku.qty * p.cost), 0) AS cogs
FROM per_sku LEFT JOIN products p ON p.sku = per_sku.sku
GROUP BY 1
"""

#: One product with a cost price, if any.
ANY_COST = "SELECT 1 FROM products WHERE cost IS NOT NULL LIMIT 1"

#: Ledger entries of the promotion lifecycle in [lo, hi), by kind and program code (`ref_code`).
PROMO_ENTRIES = f"""
SELECT kind, ref_code, count(*) AS n FROM ledger_entries
WHERE kind IN ({", ".join(f"'{kind}'" for kind in sorted(PROMO_KINDS))})
  AND created_at >= :lo AND created_at < :hi
GROUP BY kind, ref_code
"""

#: Every member's positive balance with the credits too recent to expire (`:ecut`,
#: `member_state.store.expiry_params`), for the points outstanding after pending expiry: one seek of the
#: `member_days` key per member (a grouped scan of a year of `member_days` is slower).
POINT_BALANCES = """
SELECT b.points, b.credits_total AS credits, b.debits_total AS debits,
       (SELECT coalesce(sum(d.credits), 0) FROM member_days d
        WHERE d.member_id = b.member_id AND d.day >= :ecut) AS recent
FROM member_balances b
WHERE b.points > 0
"""
