"""Segment membership, pure: which of the program's `segments` a member is in at `now`.

The facts come in as values (`SegmentFacts`): the terminal builds them from its projections and sales
(`pos_client.promotions.facts`), HQ from every entry and sale it holds (`sync.hq.segments`). Both then call
`member_segments`, so a segment count at HQ and the offers at a counter answer the same rules.

The rules (docs/kpis.md, "Segments"):
- `tiers` / `plans`: the member's tier (`member_state.rules.tier_for` over the qualifying spend) and active
  paid plan (`member_state.rules.plan_active`) — the member state's own rules, never a second copy.
- **Days are store-calendar days.** "Days since" is the number of store dates between the event's and
  today's (bought yesterday at 23:50 → 1 day ago at 00:10 today); "the last N days" are the store dates
  today − (N − 1) … today, today included, as the tier window counts its days.
- `days_since_last_purchase`: from the member's last sale (the newest `earn` entry of a sale, what the member's
  projection and HQ's fold both keep); a member who never bought holds no range.
- `category_spend`, `visits`: over the member's purchases (`Purchase`: a sale, its paid money by category net
  of its refunds; one refunded whole is no purchase).
- `birthday_month`: `member_state.rules.is_birthday_month`, in the store's zone.
- `stamps`: stamps held on a punch card now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from pos_client.member_state import rules
from pos_client.pricing.model import MemberState
from pos_client.program.promotions import Segment
from pos_client.program.schema import Program
from pos_client.timeutil import store_zone


@dataclass(frozen=True)
class Purchase:
    """A member's sale: when, and the money paid on its lines by category, net of its refunds."""

    at: datetime
    spend: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SegmentFacts:
    """What segment rules read about a member. `purchases` must reach back `lookback_days(program)` store
    days (older ones are ignored)."""

    state: MemberState
    enrolled_at: datetime | None = None
    last_purchase_at: datetime | None = None
    purchases: Sequence[Purchase] = ()


def lookback_days(program: Program) -> int:
    """How many store days of purchases the program's segments look at (0: none is needed)."""
    spans = [s.category_spend.days for s in program.segments if s.category_spend]
    spans += [s.visits.days for s in program.segments if s.visits]
    return max(spans, default=0)


def lookback_start(program: Program, now: datetime) -> datetime | None:
    """The moment from which purchases count for the program's segments (the start of the store day
    `lookback_days − 1` days before today), or None when no segment reads purchases."""
    days = lookback_days(program)
    if not days:
        return None
    first = rules.store_date(now, program.timezone) - timedelta(days=days - 1)
    return datetime.combine(first, time.min, tzinfo=store_zone(program.timezone))


def days_since(moment: datetime | None, now: datetime, zone: str) -> int | None:
    """Store-calendar days from `moment` to `now` (0 the same store day), None when there is no moment."""
    if moment is None:
        return None
    return (rules.store_date(now, zone) - rules.store_date(moment, zone)).days


def _in_last_days(purchases: Iterable[Purchase], days: int, today: date, zone: str) -> list[Purchase]:
    first = today - timedelta(days=days - 1)
    return [p for p in purchases if first <= rules.store_date(p.at, zone) <= today]


def holds(segment: Segment, program: Program, facts: SegmentFacts, now: datetime) -> bool:
    """Whether every rule `segment` gives holds for the member (see the module docstring)."""
    zone, state = program.timezone, facts.state
    if segment.tiers:
        tier = rules.tier_for(program, state.qualifying_spend)
        if tier is None or tier.code not in segment.tiers:
            return False
    if segment.plans and not (rules.plan_active(state.membership_code, state.membership_expires, now)
                              and state.membership_code in segment.plans):
        return False
    if segment.days_since_last_purchase and not segment.days_since_last_purchase.holds(
            days_since(facts.last_purchase_at, now, zone)):
        return False
    if segment.days_since_enrolment and not segment.days_since_enrolment.holds(
            days_since(facts.enrolled_at, now, zone)):
        return False
    today = rules.store_date(now, zone)
    if segment.category_spend:
        rule = segment.category_spend
        spent = sum(amount for p in _in_last_days(facts.purchases, rule.days, today, zone)
                    for category, amount in p.spend.items() if category in rule.categories)
        if spent < rule.min_spend:
            return False
    if segment.visits:
        visits = len(_in_last_days(facts.purchases, segment.visits.days, today, zone))
        if visits < segment.visits.min or (segment.visits.max is not None and visits > segment.visits.max):
            return False
    if segment.birthday_month is not None and \
            rules.is_birthday_month(state.birthday, now, zone) != segment.birthday_month:
        return False
    if segment.stamps and state.stamps.get(segment.stamps.card, 0) < segment.stamps.min:
        return False
    return True


def member_segments(program: Program, facts: SegmentFacts, now: datetime) -> frozenset[str]:
    """The codes of the program's segments the member is in at `now`."""
    return frozenset(s.code for s in program.segments if holds(s, program, facts, now))


@dataclass(frozen=True)
class SaleLineFact:
    """One line of a member's sale or refund, as the terminal's `sale_lines` and HQ's sale bodies hold it."""

    sale_id: str
    kind: str  # sale | refund
    refund_of: str | None
    at: datetime
    category: str
    qty: int
    paid: int


def purchases_from_lines(lines: Iterable[SaleLineFact]) -> list[Purchase]:
    """The member's purchases from the lines of their sales and of those sales' refunds: each sale's paid
    money by category minus what its refunds paid back; a sale whose every unit was returned is left out
    (as the reports count it: not made). Refunds of sales not among `lines` are ignored. Oldest first."""
    sold: dict[str, tuple[datetime, dict[str, int], list[int]]] = {}
    refunds: list[SaleLineFact] = []
    for line in lines:
        if line.kind == "sale":
            at, spend, units = sold.setdefault(line.sale_id, (line.at, {}, [0, 0]))
            spend[line.category] = spend.get(line.category, 0) + line.paid
            units[0] += line.qty
        elif line.refund_of:
            refunds.append(line)
    for line in refunds:
        if line.refund_of in sold:
            _at, spend, units = sold[line.refund_of]
            spend[line.category] = spend.get(line.category, 0) - line.paid
            units[1] += line.qty
    return sorted((Purchase(at, spend) for at, spend, units in sold.values() if units[1] < units[0]),
                  key=lambda p: p.at)
