"""The vouchers a sale's triggers issue (docs/pricing.md, step 12), pure.

The facts a trigger needs beyond the sale come in on `MemberState`: `voucher_progress` (what the member
carries towards the next voucher) and `vouchers_issued_on` (the store date of the last issue, for the
once-per-period triggers). The service layer stores the vouchers and the progress the quote reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Sequence

from pos_client.pricing.lines import WorkLine
from pos_client.pricing.model import MemberState, VoucherIssue
from pos_client.pricing.promotions import eligible
from pos_client.program.schema import Program

Say = Callable[..., None]


@dataclass
class Issued:
    vouchers: list[VoucherIssue] = field(default_factory=list)
    progress: dict[str, int] = field(default_factory=dict)
    points_converted: int = 0


def _paid_in(lines: Sequence[WorkLine], categories: list[str]) -> int:
    return sum(ln.left for ln in eligible(lines) if not categories or ln.item.category in categories)


def vouchers_issued(program: Program, member: MemberState | None, tier: str | None, plan: str | None,
                    day: date, lines: Sequence[WorkLine], balance_after: int, say: Say) -> Issued:
    """What this sale issues: `balance_after` is the points balance before any `points` conversion."""
    out = Issued()
    if member is None:
        return out
    balance = balance_after
    for voucher in program.vouchers:
        last = member.vouchers_issued_on.get(voucher.code)
        count = 0
        if voucher.trigger == "spend":
            assert voucher.every is not None
            # progress may be below 0 after a refund: that spend must be bought back before the next voucher
            carried = member.voucher_progress.get(voucher.code, 0) + _paid_in(lines, voucher.spend_categories)
            count = max(carried, 0) // voucher.every
            out.progress[voucher.code] = carried - count * voucher.every
        elif voucher.trigger == "points":
            assert voucher.every is not None
            count = max(balance, 0) // voucher.every
            if count:
                balance -= count * voucher.every
                out.points_converted += count * voucher.every
                say("points_converted", code=voucher.code, points=count * voucher.every, count=count)
        elif voucher.trigger == "plan_monthly":
            if plan is not None and plan == voucher.plan and (last is None or (last.year, last.month) != (day.year, day.month)):
                count = 1
        elif voucher.trigger == "tier_annual":
            if tier is not None and tier == voucher.tier and (last is None or last.year != day.year):
                count = 1
        else:  # category_month
            month_spend = member.voucher_progress.get(voucher.code, 0) + _paid_in(lines, voucher.spend_categories)
            out.progress[voucher.code] = month_spend
            this_month = last is not None and (last.year, last.month) == (day.year, day.month)
            if not this_month and month_spend >= voucher.min_spend:
                count = 1
        if count:
            out.vouchers.append(VoucherIssue(voucher.code, count))
            say("voucher_issued", code=voucher.code, count=count)
    return out
