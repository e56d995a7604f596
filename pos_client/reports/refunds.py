"""What a refunded sale subtracts from the KPIs, as a pure function of the sale and its refunds' totals.

The definition (`pos_client.reports.kpis`, "Refunds"): a sale whose refunds returned every unit it sold counts
as not made (its whole contribution is subtracted); a partly refunded one keeps its count and loses the money
given back, the points taken back, the points returned and — for a member — the rewards cost its reverse
entries gave back. The terminal computes the same in SQL over its own tables (`projection.CORRECTIONS`); HQ
keeps the running totals per sale and calls `correction` (`sync.hq.kpi_projection`); a test pushes the same
sales to both and compares the answers (tests/integration/sync/test_hq_kpis.py).
"""

from __future__ import annotations

from dataclasses import dataclass

#: A sale's contribution: sales, paid, earned, redeemed, rewards cost (the order of `kpis._FIELDS`).
Figures = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class RefundTotals:
    """A sale's refunds so far. `sold_qty` is None while the sale has no lines (it can never be 'fully'
    refunded, as the terminal's `sum(qty) <= …` is NULL then)."""

    sold_qty: int | None
    refunded_qty: int
    money_back: int
    points_reversed: int
    points_returned: int
    reversed_value: int  # the sum of the sale's reverse entries' `value` (negative: value given back)


def correction(sale: Figures, is_member: bool, totals: RefundTotals) -> tuple[bool, Figures]:
    """(fully refunded?, what to subtract from the sale's bucket)."""
    if totals.sold_qty is not None and totals.sold_qty <= totals.refunded_qty:
        return True, sale
    return False, (0, totals.money_back, totals.points_reversed, totals.points_returned,
                   -totals.reversed_value if is_member else 0)
