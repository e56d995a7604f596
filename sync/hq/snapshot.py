"""HQ-confirmed member snapshots: what a terminal pulls instead of other terminals' raw entries.

A snapshot is `pos_client.member_state.rules.fold` over every entry HQ holds for the member — the one fold HQ's
`member show` uses (`sync.hq.admin.member_show`), never a second copy — written in the shape of a terminal's
projections (`sync.protocol.WireSnapshot`). The terminal applies it as the member's base and folds its own
unconfirmed entries on top (`sync.apply.rebase`). A snapshot is recomputed from the entries each time it is
sent: its cost is the history of the members that changed in the page, never the size of the chain.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.member_state import rules
from pos_client.promotions import holdings
from sync.hq.models import HqEntry
from sync.protocol import WireEntry, WirePromo, WireSnapshot

log = logging.getLogger(__name__)
_CHUNK = 900


def valid_entries(bodies: Iterable[str]) -> list[dict[str, Any]]:
    """The stored entry bodies the wire model accepts, in its canonical form. What an older HQ stored before it
    validated pushes is left out, as every terminal's pull skips it (sync.screen), so HQ's figures are the
    terminals': a body that is no entry (a time that is no time, an unknown kind) here, and — by the caller's
    query — the later of two entries under one (terminal, seq), whose `seq` migration 0003 left NULL."""
    entries = []
    for body in bodies:
        try:
            entries.append(WireEntry.model_validate_json(body).model_dump(mode="json"))
        except ValidationError:
            log.warning("stored entry left out of the member's figures: %s", body[:200])
    return entries


def member_entries(session: Session, member_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every valid entry HQ holds for each of `member_ids` (`valid_entries`), by member."""
    bodies: dict[str, list[str]] = {m: [] for m in member_ids}
    for start in range(0, len(member_ids), _CHUNK):
        for member_id, body in session.execute(select(HqEntry.member_id, HqEntry.body).where(
                HqEntry.member_id.in_(member_ids[start:start + _CHUNK]), HqEntry.seq.is_not(None))):
            bodies[member_id].append(body)
    return {m: valid_entries(b) for m, b in bodies.items()}


def to_wire(member_id: str, folded: rules.Folded, entries: int,
            promos: list[dict[str, Any]] | None = None) -> WireSnapshot:
    """A member's fold as the wire snapshot (with their coupons and vouchers, `holdings.fold`)."""
    return WireSnapshot(
        member_id=member_id, entries=entries, points=folded.points, credits_total=folded.credits_total,
        debits_total=folded.debits_total, stamps=dict(folded.stamps),
        days=[(day.isoformat(), spend, credits) for day, (spend, credits) in sorted(folded.days.items())
              if spend or credits],
        membership_code=folded.membership_code, membership_expires=folded.membership_expires,
        last_birthday_year=folded.last_birthday_year, last_credit_at=folded.last_credit_at,
        last_sale_at=folded.last_sale_at, sales_count=folded.sales_count,
        promos=[WirePromo.model_validate(p) for p in promos or []])


def snapshots(session: Session, member_ids: list[str]) -> list[WireSnapshot]:
    """The snapshots of `member_ids`, in that order."""
    found = member_entries(session, member_ids)
    return [to_wire(m, rules.fold(found[m]), len(found[m]), holdings.fold(found[m])) for m in member_ids]
