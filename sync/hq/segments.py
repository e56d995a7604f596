"""How many members each of the program's segments holds, at HQ (`kupa-hq segments counts`).

Segments are published inside the program (`kupa-hq program publish`); the terminals pull them with it. HQ
evaluates them with the terminals' own function, `pos_client.promotions.segments.member_segments`, over
what it holds about each member: the member's state is the fold of every entry HQ holds for them
(`sync.hq.snapshot.member_entries`, `member_state.rules.fold`, `member_state.figures.state_from_folded` —
what `kupa-hq member show` and the snapshots the terminals pull are made of), and their purchases are the
chain's sales since the segments' look-back (`segments.lookback_start`), with their refunds, read once for
every member. A terminal only knows the purchases made at its own counter; HQ counts the chain's.

Members are read in pages (`PAGE` at a time), so memory holds one page of entries, never the chain's ledger.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.member_state import rules
from pos_client.member_state.figures import state_from_folded
from pos_client.program.schema import Program
from pos_client.promotions.segments import (SaleLineFact, SegmentFacts, lookback_start, member_segments,
                                            purchases_from_lines)
from pos_client.timeutil import from_iso, to_iso, utcnow
from sync.hq.admin import day_or_none
from sync.hq.programs import program_at
from sync.hq.db import Database
from sync.hq.models import HqMember, HqSale
from sync.hq.snapshot import member_entries

log = logging.getLogger(__name__)
PAGE = 500


def segment_counts(db: Database, now: datetime | None = None) -> dict[str, Any]:
    """{"program_version", "members", "segments": [{"code", "name", "members"}]} for the program in force at
    `now` (`program_version` None and no segments before the first one is published)."""
    now = now or utcnow()
    with db.read() as session:
        program = program_at(session, now)
        if program is None:
            return {"program_version": None, "members": 0, "segments": []}
        return _counts(session, program, now)


def _counts(session: Session, program: Program, now: datetime) -> dict[str, Any]:
    counts = dict.fromkeys((s.code for s in program.segments), 0)
    total = 0
    lines = _purchase_lines(session, program, now)
    last = ""
    while True:
        page = session.execute(select(HqMember.member_id, HqMember.birthday, HqMember.bonus_weekday,
                                      HqMember.referred_by, HqMember.enrolled_at)
                               .where(HqMember.member_id > last).order_by(HqMember.member_id).limit(PAGE)).all()
        if not page:
            break
        last = page[-1].member_id
        total += len(page)
        if not program.segments:
            continue
        entries = member_entries(session, [row.member_id for row in page])
        for row in page:
            folded = rules.fold(entries[row.member_id])
            state = state_from_folded(row.member_id, folded, program, now, birthday=day_or_none(row.birthday),
                                      bonus_weekday=row.bonus_weekday, referred_by=row.referred_by)
            facts = SegmentFacts(state=state, enrolled_at=from_iso(row.enrolled_at),
                                 last_purchase_at=folded.last_sale_at,
                                 purchases=purchases_from_lines(lines.get(row.member_id, ())))
            for code in member_segments(program, facts, now):
                counts[code] += 1
    return {"program_version": program.version, "members": total,
            "segments": [{"code": s.code, "name": s.name.model_dump(exclude_none=True), "members": counts[s.code]}
                         for s in program.segments]}


def _purchase_lines(session: Session, program: Program, now: datetime) -> dict[str, list[SaleLineFact]]:
    """The lines of every member sale and refund since the segments' look-back, by member (none needed: {})."""
    since = lookback_start(program, now)
    if since is None:
        return {}
    out: dict[str, list[SaleLineFact]] = defaultdict(list)
    for member_id, sale_id, kind, at, body in session.execute(
            select(HqSale.member_id, HqSale.sale_id, HqSale.kind, HqSale.created_at, HqSale.body)
            .where(HqSale.created_at >= to_iso(since), HqSale.member_id.is_not(None))):
        try:
            sale = json.loads(body)
            moment = from_iso(at)
            out[member_id] += [SaleLineFact(sale_id, kind, sale.get("refund_of"), moment, str(line.get("category", "")),
                                            int(line.get("qty") or 0), int(line.get("paid") or 0))
                               for line in sale.get("lines") or []]
        except (ValueError, TypeError, AttributeError):
            log.warning("sale %s left out of the segment counts: its stored body is unreadable", sale_id)
    return out

