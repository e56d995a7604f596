"""What a terminal knows about a member for the segment rules, read cheaply when the member is identified.

The member's state (tier, plan, stamps, birthday) is `member_state.store.load`'s, which the caller already
holds. Besides it, two driver-level statements:

- the last purchase (`member_balances.last_sale_at`, kept by the ledger's projection and rebased on HQ's
  snapshot, so it knows the member's sales at other counters too);
- only when a segment reads purchases (`category_spend`, `visits`): the lines of the member's sales since
  `segments.lookback_start` and of their refunds, found through the `member_sales` projection's
  (member, time) index and `sales.refund_of`'s — the cost is the member's sales in the window, never their
  history. These are the sales recorded at this terminal: visits and category spend at another store are
  HQ's to count (`kupa-hq segments counts`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import MemberBalance, MemberSale, Sale, SaleLine
from pos_client.pricing.model import MemberState
from pos_client.program.schema import Program
from pos_client.promotions.segments import (SaleLineFact, SegmentFacts, lookback_start, member_segments,
                                            purchases_from_lines)
from pos_client.timeutil import from_iso

_LAST_SALE_SQL = driver.Statement(select(MemberBalance.last_sale_at).where(MemberBalance.member_id == bindparam("m")))
_ms, _sales, _lines = driver.table(MemberSale).c, driver.table(Sale).c, driver.table(SaleLine).c
_in_window = select(_ms.sale_id).where(_ms.member_id == bindparam("m"), _ms.at >= bindparam("since"))
_LINES_SQL = driver.Statement(union_all(
    select(_sales.sale_id, literal("sale"), _sales.refund_of, _sales.created_at, _lines.category, _lines.qty,
           _lines.paid)
    .select_from(driver.table(Sale).join(driver.table(SaleLine), _lines.sale_id == _sales.sale_id))
    .where(_sales.sale_id.in_(_in_window)),
    select(_sales.sale_id, literal("refund"), _sales.refund_of, _sales.created_at, _lines.category, _lines.qty,
           _lines.paid)
    .select_from(driver.table(Sale).join(driver.table(SaleLine), _lines.sale_id == _sales.sale_id))
    .where(_sales.refund_of.in_(_in_window))))


class MemberRow(Protocol):
    """What the facts need of a member row (`services.members.MemberRecord` or the ORM `Member`)."""

    @property
    def member_id(self) -> str: ...
    @property
    def enrolled_at(self) -> str: ...


def load_facts(session: Session, member: MemberRow, state: MemberState, program: Program,
               now: datetime) -> SegmentFacts:
    """The segment facts of `member` at `now`, with `state` from `member_state.store.load`."""
    row = driver.one(session, _LAST_SALE_SQL, {"m": member.member_id})
    last = row[0] if row else None
    since = lookback_start(program, now)
    lines = []
    if since is not None:
        lines = [SaleLineFact(sale_id, kind, refund_of, from_iso(created_at), category, int(qty), int(paid))
                 for sale_id, kind, refund_of, created_at, category, qty, paid in driver.all_rows(
                     session, _LINES_SQL, {"m": member.member_id, "since": int(since.timestamp())})]
    return SegmentFacts(state=state, enrolled_at=from_iso(member.enrolled_at) if member.enrolled_at else None,
                        last_purchase_at=from_iso(last) if last else None, purchases=purchases_from_lines(lines))


def segments_of(session: Session, member: MemberRow, state: MemberState, program: Program,
                now: datetime) -> frozenset[str]:
    """The segments `member` is in at `now` (none read when the program has no segments)."""
    if not program.segments:
        return frozenset()
    return member_segments(program, load_facts(session, member, state, program, now), now)
