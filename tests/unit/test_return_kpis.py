"""The program's return, defined once (`pos_client.reports.kpis`): pure, with their null cases and rounding."""

from __future__ import annotations

from decimal import Decimal

from pos_client.program.schema import Redeem
from pos_client.reports.kpis import (GroupSales, extra_gross_margin, gross_margin, incremental_sales, points_value,
                                     promo_redemption_rates, roi)


def test_gross_margin_scales_the_costed_lines_rate_to_everything_paid() -> None:
    # 3,000 paid, of it 2,000 on costed lines costing 500: rate 0.75 → 2,250
    assert gross_margin(GroupSales(sales=2, paid=3000, costed_paid=2000, cogs=500)) == 2250
    assert gross_margin(GroupSales(sales=1, paid=1000, costed_paid=3, cogs=1)) == 667  # 666.67 half-up
    assert gross_margin(GroupSales(sales=2, paid=3000)) is None  # no cost price known


def test_incremental_sales_needs_a_baseline() -> None:
    assert incremental_sales(GroupSales(3, 10000), GroupSales(2, 3001)) == 10000 - 4502  # 3 × 1500.5 half-up
    assert incremental_sales(GroupSales(3, 10000), GroupSales(0, 0)) is None
    assert incremental_sales(GroupSales(0, 0), GroupSales(2, 3000)) == 0


def test_extra_gross_margin_and_roi() -> None:
    members = GroupSales(sales=2, paid=3000, costed_paid=3000, cogs=1400)
    others = GroupSales(sales=2, paid=2100, costed_paid=2100, cogs=700)
    extra = extra_gross_margin(members, others, program_cost=1000)
    assert extra == 1600 + 1000 - 1400
    assert roi(extra, 1000) == Decimal("0.2")
    assert roi(extra, 0) is None and roi(None, 1000) is None
    assert roi(500, 1000) == Decimal("-0.5")  # the program cost more than it brought
    assert extra_gross_margin(members, GroupSales(2, 2100), 1000) is None  # non-members' cost unknown


def test_points_value_at_the_redemption_rate() -> None:
    redeem = Redeem(points=100, value=1000)
    assert points_value(30, redeem) == 300
    assert points_value(15, Redeem(points=100, value=30)) == 5  # 4.5 half-up
    assert points_value(30, None) is None


def test_redemption_rates_leave_public_codes_out() -> None:
    counts = {("coupon_issue", "WELCOME"): 4, ("coupon_use", "WELCOME"): 2, ("coupon_return", "WELCOME"): 1,
              ("coupon_use", "PUBLIC"): 9, ("voucher_issue", "V5"): 3, ("voucher_use", "V5"): 3}
    assert promo_redemption_rates(counts, {"WELCOME"}) == (Decimal("0.25"), Decimal("1"))
    assert promo_redemption_rates({}, {"WELCOME"}) == (None, None)
