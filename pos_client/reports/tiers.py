"""Members by tier without a scan: each member's tier row with the last day it holds, and counts per tier.

One projection, kept by HQ (`hq_member_tiers` / `hq_tier_counts`, `sync.hq.kpi_projection`) and by a terminal
(`member_tiers` / `tier_counts`, migration 0019), with this code on both sides; only where a member's
(UTC day, spend) pairs come from differs (`DaySpends`: the entries folded at HQ, `member_days` here).

- A row holds a member's tier under a program version and `until`, the last UTC day it holds without a new
  entry (`rules.tier_until`, built on the one tier rule); NULL: for ever. A member without a row is at the
  tier of no spend (the members total minus the counted rows).
- `retier` recomputes rows and returns what that changes in the counts ((version, tier) → members);
  `count_tiers` adds it. A member without spend (all refunded) or that the spend source no longer counts (a
  record merged away) loses its row: a member has a row exactly when it has spend.
- `stale` picks the rows to recompute before counting: marked (a terminal), past their day, or of another
  program version.

On a terminal, SQLite triggers (migration 0019) mark a member stale — a row in `member_tiers_stale`, one page
— in the very statement that changes the member's spend in `member_days` (a sale, a refund, a pulled entry, a
rebase) or merges the member away, whatever the code path. So the checkout pays one small indexed write (its
member's first sale of the day; later ones find the mark), and the report recomputes only the members whose spend
changed since and those whose old spend left the window today: `catch_up_all` in write transactions before the
dashboard and `kupa report kpis --csv` count, and `counted` in memory for whatever is still stale when a read
counts (more than `IN_MEMORY_LIMIT`: the report sums `member_days` as before). A row is right from the day it
was computed on, so a clock set back before the last catch-up's day (`AS_OF`) also counts the long way.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, func, select, text
from sqlalchemy.orm import Session

from pos_client.db.bulk import CHUNK, add_counts, select_in, table, upsert

from pos_client.db.models import Member, MemberDay, MemberTier, MemberTierStale, Setting, TierCount
from pos_client.errors import KupaError
from pos_client.member_state import rules
from pos_client.program.schema import Program
from pos_client.services.programs import program_at

#: A tier code as a key of the counts ('' for no tier: below every threshold).
NO_TIER = ""
TierDeltas = dict[tuple[int, str], int]
#: (UTC day, spend) pairs of each of `member_ids` that is counted; a member left out has no row.
DaySpends = Callable[[Session, list[str]], Mapping[str, Sequence[tuple[date, int]]]]


@dataclass(frozen=True)
class TierTables:
    """Where a side keeps the projection: `rows` (member_id, tier, until, version), `counts`
    (version, tier, members) and `marked` (member_id: members to recompute, a terminal's triggers write it)."""

    rows: Table
    counts: Table
    marked: Table | None = None


def compute(session: Session, tables: TierTables, member_ids: list[str], program: Program | None, now: datetime,
            day_spends: DaySpends) -> tuple[list[dict[str, Any]], list[str], TierDeltas]:
    """The rows of `member_ids` at `now` (`rules.tier_until` over their day spends), the members whose rows
    go (the source does not count them), and what both change in the counts. Writes nothing."""
    t = tables.rows.c
    rows, gone, deltas = [], [], Counter[tuple[int, str]]()
    for start in range(0, len(member_ids), CHUNK):
        chunk = member_ids[start:start + CHUNK]
        held = set()
        for member_id, tier, version in select_in(session, [t.member_id, t.tier, t.version], t.member_id, chunk):
            held.add(member_id)
            deltas[(int(version), tier or NO_TIER)] -= 1
        spends = day_spends(session, chunk)
        for member_id in chunk:
            if not any(spend for _day, spend in spends.get(member_id, ())):  # no spend: no row, as never spent
                if member_id in held:
                    gone.append(member_id)
                continue
            code, until, version = None, None, 0
            if program is not None:
                tier, last = rules.tier_until(program, spends[member_id], now)
                code, until, version = (tier.code if tier else None), (last.isoformat() if last else None), \
                    program.version
            rows.append({"member_id": member_id, "tier": code, "until": until, "version": version})
            deltas[(version, code or NO_TIER)] += 1
    return rows, gone, {key: n for key, n in deltas.items() if n}


def retier(session: Session, tables: TierTables, member_ids: list[str], program: Program | None, now: datetime,
           day_spends: DaySpends) -> TierDeltas:
    """Recompute and write the rows of `member_ids` at `now`; what that changes in the counts, for the caller
    to `count_tiers` (HQ adds them later, under its change-log lock)."""
    rows, gone, deltas = compute(session, tables, member_ids, program, now, day_spends)
    upsert(session, tables.rows, rows, ["member_id"], replace=("tier", "until", "version"))
    for start in range(0, len(gone), CHUNK):
        session.execute(delete(tables.rows).where(tables.rows.c.member_id.in_(gone[start:start + CHUNK])))
    if tables.marked is not None:
        for start in range(0, len(member_ids), CHUNK):
            session.execute(delete(tables.marked).where(
                tables.marked.c.member_id.in_(member_ids[start:start + CHUNK])))
    return deltas


def count_tiers(session: Session, tables: TierTables, deltas: TierDeltas) -> None:
    """Add tier-count changes to the counts, in key order."""
    add_counts(session, tables.counts, [{"version": v, "tier": tier, "members": n}
                                        for (v, tier), n in deltas.items()], ("members",))


def stale(session: Session, tables: TierTables, program: Program, now: datetime, limit: int) -> list[str]:
    """Up to `limit` members whose rows must be recomputed before counting at `now`: marked (their spend
    changed), past their last day, or of another program version."""
    t = tables.rows.c
    today = rules.utc_day(now).isoformat()
    found = [] if tables.marked is None else [
        str(v) for v, in session.execute(select(tables.marked.c.member_id).limit(limit))]
    if len(found) < limit:
        found += [str(v) for v, in session.execute(select(t.member_id).where(t.until < today)
                                                   .limit(limit - len(found)))]
    # two statements: SQLite reads a min() or a max() alone from the index, both together by a scan
    low, high = session.scalar(select(func.min(t.version))), session.scalar(select(func.max(t.version)))
    if len(found) < limit and low is not None and (low != program.version or high != program.version):
        found += [str(v) for v, in session.execute(select(t.member_id).where(
            (t.version < program.version) | (t.version > program.version)).limit(limit - len(found)))]
    return sorted(set(found))


def stored_counts(session: Session, tables: TierTables, version: int) -> Counter[str | None]:
    """The counts of program `version` as stored (tier None: below every threshold)."""
    c = tables.counts.c
    counts: Counter[str | None] = Counter()
    for tier, n in session.execute(select(c.tier, c.members).where(c.version == version)):
        counts[tier if tier != NO_TIER else None] += int(n)
    return counts


# -- the terminal's side -------------------------------------------------------------------------------------
TERMINAL = TierTables(table(MemberTier), table(TierCount), table(MemberTierStale))
#: Stale rows `counted` recomputes in memory before it answers None (the caller then counts the long way).
IN_MEMORY_LIMIT = 20_000
_CATCH_UP_BATCH = 2000
#: The latest UTC day a catch-up wrote rows on (`settings`): a row is right from the day it was computed, so
#: a clock set back before it sends the count the long way.
AS_OF = "member_tiers_as_of"


def member_day_spends(session: Session, member_ids: list[str]) -> dict[str, list[tuple[date, int]]]:
    """A terminal's `DaySpends`: each counted member's (UTC day, spend) from `member_days` — the rows the
    checkout's tier reads — for the members not merged away (a merged record is not counted)."""
    m, d = table(Member).c, table(MemberDay).c
    found: dict[str, list[tuple[date, int]]] = {
        str(member_id): [] for member_id, merged_into in select_in(session, [m.member_id, m.merged_into],
                                                                    m.member_id, member_ids) if merged_into is None}
    for member_id, day, spend in select_in(session, [d.member_id, d.day, d.spend], d.member_id, found):
        if spend:
            found[str(member_id)].append((date.fromisoformat(day), int(spend)))
    return found


def catch_up(session: Session, program: Program | None, now: datetime, limit: int = _CATCH_UP_BATCH) -> int:
    """Recompute up to `limit` of a terminal's stale rows at `now` and their counts; how many (run again, in a
    new transaction, while it returns `limit`)."""
    if program is None:
        return 0
    found = stale(session, TERMINAL, program, now, limit)
    if found:
        count_tiers(session, TERMINAL, retier(session, TERMINAL, found, program, now, member_day_spends))
        today = rules.utc_day(now).isoformat()
        if (_as_of(session) or "") < today:
            upsert(session, table(Setting), [{"key": AS_OF, "value": json.dumps(today)}], ["key"], replace=("value",))
    return len(found)


def _as_of(session: Session) -> str | None:
    value = session.scalar(select(Setting.value).where(Setting.key == AS_OF))
    return str(json.loads(value)) if value else None


def catch_up_all(write: Callable[[], AbstractContextManager[Session]], now: datetime) -> int:
    """`catch_up` under the program in force until nothing is stale, a write transaction per batch (a sale
    waits for no long one): what a report that can write does before it counts. How many rows it recomputed."""
    total, done = 0, _CATCH_UP_BATCH
    while done == _CATCH_UP_BATCH:
        with write() as session:
            try:
                program: Program | None = program_at(session, now)
            except KupaError:
                program = None
            done = catch_up(session, program, now)
        total += done
    return total


def counted(session: Session, program: Program, now: datetime, hi: str) -> Counter[str | None] | None:
    """Members by tier code at `now` among the terminal's rows of members enrolled before `hi`, the rows still
    stale recomputed in memory (a read session writes nothing); None when more than `IN_MEMORY_LIMIT` are
    (the caller sums `member_days` instead). Members without a row are not in it: the caller adds them at the
    tier of no spend."""
    if (_as_of(session) or "") > rules.utc_day(now).isoformat():
        return None  # rows computed on a later day (the clock was set back) may not hold today
    found = stale(session, TERMINAL, program, now, IN_MEMORY_LIMIT + 1)
    if len(found) > IN_MEMORY_LIMIT:
        return None
    counts = stored_counts(session, TERMINAL, program.version)
    fresh: dict[str, tuple[int | None, str]] = {}
    if found:
        rows, _gone, deltas = compute(session, TERMINAL, found, program, now, member_day_spends)
        fresh = {row["member_id"]: (row["version"], row["tier"] or NO_TIER) for row in rows}
        for (version, tier), n in deltas.items():
            if version == program.version:
                counts[tier if tier != NO_TIER else None] += n
    recounted = set(found)
    for member_id, stored_tier, stored_version in session.execute(text(_ENROLLED_LATER), {"hi": hi}):
        # enrolled after the range (a clock set back): not among its members, with the tier counted for it
        later = (fresh.get(member_id, (None, NO_TIER)) if member_id in recounted
                 else (stored_version, stored_tier or NO_TIER))
        if later[0] == program.version:
            counts[later[1] if later[1] != NO_TIER else None] -= 1
    return counts


#: Members enrolled at or after `hi` (`ix_members_enrolled`: none, unless the clock was set back) and their rows.
_ENROLLED_LATER = """
SELECT m.member_id, t.tier, t.version FROM members m LEFT JOIN member_tiers t ON t.member_id = m.member_id
WHERE m.enrolled_at >= :hi
"""
