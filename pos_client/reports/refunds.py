"""What a refunded sale subtracts from the KPIs, as a pure function of the sale and its refunds' totals.

The definition (`pos_client.reports.kpis`, "Refunds"): a sale whose refunds returned every unit it sold counts
as not made (its whole contribution is subtracted); a partly refunded one keeps its count and loses the money
given back, the points taken back, the points returned and — for a member — the rewards cost its reverse
entries gave back. This module is the one definition (issue #12): the terminal gathers the totals in SQL over
its own tables and calls `correction` (`projection.REFUND_TOTALS`, `project_refund`, `rebuild`); HQ keeps the
running totals per sale and calls it too (`sync.hq.kpi_projection`); both take a sale's contribution from
`sale_figures`. A test pushes the same sales to both and compares the answers
(tests/integration/sync/test_hq_kpis.py).
"""

from __future__ import annotations

from dataclasses import dataclass

#: A sale's contribution: sales, paid, earned, redeemed, rewards cost (the order of `kpis._FIELDS`).
Figures = tuple[int, int, int, int, int]
#: The names of `Figures`, as the projections' columns.
FIGURES = ("sales", "paid", "earned", "redeemed", "cost")


def sale_figures(total: int, points_earned: int, redeemed_points: int, redeemed_value: int,
                 discount_total: int) -> Figures:
    """A sale's contribution as recorded: one sale, its total, the points it earned and redeemed, and its
    rewards cost (the value of the points redeemed and every discount given)."""
    return 1, total, points_earned, redeemed_points, redeemed_value + discount_total


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
