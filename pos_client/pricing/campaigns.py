"""Campaigns in pricing (docs/pricing.md, steps 9–10): time-boxed multipliers on targeted lines and bonus points.

A line earns with the largest of the tier's, the plan's, the bonus day's and every running campaign's
multiplier — they never compound. Points are still floored once over the whole sale, on the exact sum of
paid × multiplier per line; with no campaign every line has the base multiplier and this is DESIGN.md's
formula to the point.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Sequence

from pos_client.pricing.lines import WorkLine
from pos_client.pricing.promotions import Who, eligible
from pos_client.program.promotions import Campaign
from pos_client.program.schema import Earn, Program

Say = Callable[..., None]


def running(program: Program, who: Who, day: date) -> list[Campaign]:
    """The campaigns open on the store date `day` whose audience admits the member (none for a non-member)."""
    return [c for c in program.campaigns if c.open_on(day) and who.admits(c)]


def set_multipliers(lines: Sequence[WorkLine], base: Decimal, campaigns: list[Campaign], say: Say) -> None:
    """Each eligible line's multiplier: the base, or a running campaign's when larger (the first in the
    program wins a tie); one `campaign` explanation per campaign that raised some line."""
    raised: dict[str, tuple[Campaign, int]] = {}
    for ln in lines:
        ln.multiplier = base
        if ln.kind != "eligible":
            continue
        best: Campaign | None = None
        for campaign in campaigns:
            if (campaign.multiplier is not None and campaign.reaches(ln.item.sku, ln.item.category)
                    and campaign.multiplier > (best.multiplier if best and best.multiplier else ln.multiplier)):
                best = campaign
        if best is not None and best.multiplier is not None:
            ln.multiplier = best.multiplier
            _, paid = raised.get(best.code, (best, 0))
            raised[best.code] = (best, paid + ln.left)
    for code, (campaign, paid) in raised.items():
        say("campaign", code=code, multiplier=str(campaign.multiplier), base=paid)


def earn_on_lines(lines: Sequence[WorkLine], earn: Earn) -> int:
    """floor(Σ paid × points × multiplier / per) over the eligible lines, exact."""
    weight = sum((Fraction(ln.left * earn.points) * Fraction(ln.multiplier) for ln in eligible(lines)), Fraction(0))
    return math.floor(weight / earn.per)


def bonus_points(lines: Sequence[WorkLine], campaigns: list[Campaign], say: Say) -> int:
    """Each running campaign's bonus points, once per sale, when its targeted eligible lines paid at least
    `max(min_spend, 1)`."""
    total = 0
    for campaign in campaigns:
        if not campaign.bonus_points:
            continue
        paid = sum(ln.left for ln in eligible(lines) if campaign.reaches(ln.item.sku, ln.item.category))
        if paid >= max(campaign.min_spend, 1):
            total += campaign.bonus_points
            say("campaign_bonus", code=campaign.code, points=campaign.bonus_points, base=paid)
    return total


def largest_campaign_multiplier(program: Program) -> Decimal:
    return max([Decimal(1)] + [c.multiplier for c in program.campaigns if c.multiplier is not None])
