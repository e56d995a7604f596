"""`kupa-hq report kpis`: the chain's KPIs from HQ's projections, by the terminal's definitions.

`pos_client.reports.kpis.compute_kpis` decides what every figure means; `HqSource` gives it HQ's sums
(`sync.hq.kpi_projection` keeps them with each push), so HQ and a terminal holding the same sales answer the
same figures (tests/integration/sync/test_hq_kpis.py). A month or a year reads a few thousand bucket rows,
the counted member sales of the range through one index, and the members-by-tier counts.

Members by tier, while the window slides: a member's tier changes without any push when old spend leaves the
tier window. Each `hq_member_tiers` row carries the last UTC day its tier holds (`rules.tier_until`), so
before counting, `catch_up` recomputes only the rows past their day (or of an older program version) — on a
day, the members whose spend crossed a threshold by ageing, not every member — and moves them in
`hq_tier_counts`. The counts, a few rows, are then exact for today. For a range that ended before today the tiers of that day are folded from the entries of the members
with spend in its window (exact, but a scan: an audit question, not the dashboard's).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import String, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from pos_client.member_state import rules
from pos_client.program.schema import Program
from pos_client.reports import kpis, queries as q, tiers
from pos_client.reports.kpis import (Kpis, ReportRange, TierCount, compute_kpis, counted_member_figures, quarter_bounds,
                                     tier_counts)
from pos_client.timeutil import from_iso, utcnow
from sync.hq.db import Database
from sync.hq.kpi_projection import TABLES, count_tiers, retier
from sync.hq.models import HqBalance, HqEntry, HqKpiBucket, HqKpiEnrolment, HqMember
from sync.hq.programs import program_at
from sync.hq.snapshot import member_entries

_SALES = q.SALE_DAYS_IN.format(table="hq_kpi_buckets")
#: Refunds' corrections by their sale's quarter-hour (NULL `q`: the sale is not at HQ yet, nothing to subtract).
_REFUNDS = q.SALE_DAYS_IN.format(table="hq_kpi_refunds")
_NEW_MEMBERS = """
SELECT {day} AS day, sum(members) AS members FROM hq_kpi_enrolments
WHERE q >= :qlo AND q < :qhi GROUP BY 1
"""
_CATCH_UP_BATCH = 2000


class HqSource:
    """HQ's KPI projections as a `pos_client.reports.kpis.KpiSource` (`now`: the members-by-tier rows are
    caught up to it)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def first_moment(self, session: Session) -> datetime | None:
        firsts = [session.scalar(select(func.min(HqKpiBucket.q)).where(HqKpiBucket.sales > 0)),
                  session.scalar(select(func.min(HqKpiEnrolment.q)))]
        found = [int(v) for v in firsts if v is not None]
        return datetime.fromtimestamp(min(found) * 900, rules.UTC) if found else None

    def sale_cells(self, session: Session, rng: ReportRange, day_sql: str, day_params: dict[str, int]
                   ) -> dict[tuple[date | None, bool], list[int]]:
        return kpis.sale_cells(session, rng, day_sql, day_params, sales_sql=_SALES, refunds_sql=_REFUNDS)

    def member_figures(self, session: Session, rng: ReportRange) -> tuple[int, int, int]:
        return counted_member_figures(session, rng, "hq_kpi_member_sales")  # HQ merges no members

    def members_total(self, session: Session, hi: str) -> int:
        qhi = int(from_iso(hi).timestamp()) // 900
        return int(session.scalar(select(func.coalesce(func.sum(HqKpiEnrolment.members), 0))
                                  .where(HqKpiEnrolment.q < qhi)) or 0)

    def new_member_days(self, session: Session, rng: ReportRange, day_sql: str, day_params: dict[str, int]
                        ) -> list[tuple[int, int]]:
        rows = session.execute(text(_NEW_MEMBERS.format(day=day_sql)), {**quarter_bounds(rng), **day_params})
        return [(int(day), int(members)) for day, members in rows]

    def members_by_tier(self, session: Session, program: Program | None, at: datetime, hi: str
                        ) -> tuple[TierCount, ...]:
        program = program or program_at(session, at)
        if program is None:
            return ()
        total = self.members_total(session, hi)
        if rules.utc_day(at) == rules.utc_day(self.now):
            counts = tiers.stored_counts(session, TABLES, program.version)
        else:
            counts = _tiers_folded(session, program, at, hi)
        base = rules.tier_for(program, 0)
        counts[base.code if base else None] += total - sum(counts.values())
        return tier_counts(program, counts)


def _tiers_folded(session: Session, program: Program, at: datetime, hi: str) -> Counter[str | None]:
    """Tiers at a past moment `at` of the members enrolled before `hi` with spend entries made since the
    window's first day (the others have no spend in it), from their entries (`rules.fold`)."""
    first = rules.window_first_day(at, program.tier_window_days).isoformat()
    e, m = HqEntry.__table__.c, HqMember.__table__.c
    members = sorted(str(v) for v, in session.execute(
        select(e.member_id).join(HqMember.__table__, m.member_id == e.member_id)
        .where(e.spend_delta != 0, e.created_at >= first, m.enrolled_at < hi).distinct()))
    counts: Counter[str | None] = Counter()
    for start in range(0, len(members), 900):
        for entries in member_entries(session, members[start:start + 900]).values():
            spend = rules.qualifying_spend(rules.fold(entries).day_spend(), at, program.tier_window_days)
            tier = rules.tier_for(program, spend)
            counts[tier.code if tier else None] += 1
    return counts


def catch_up(session: Session, program: Program | None, now: datetime, limit: int = _CATCH_UP_BATCH) -> int:
    """Recompute up to `limit` tier rows past their last day at `now`, or of another program version, and
    their counts; how many (the caller runs it again, in a new transaction, while it returns `limit`)."""
    if program is None:
        return 0
    stale = tiers.stale(session, TABLES, program, now, limit)
    if stale and session.connection().dialect.name == "postgresql":
        # the balance rows a push locks for these members, first and in the same order: no race, no deadlock
        b = HqBalance.__table__.c
        session.execute(select(b.member_id).where(b.member_id == any_(bindparam("m", stale, type_=ARRAY(String()))))
                        .order_by(b.member_id).with_for_update())
    if stale:
        count_tiers(session, retier(session, stale, program, now))
    return len(stale)


def report_kpis(db: Database, date_from: date | None, date_to: date | None, *, now: datetime | None = None,
                series: bool = False) -> tuple[Kpis, Program | None]:
    """The chain's KPIs for the store dates [date_from, date_to] (the program's zone), and the program."""
    now = now or utcnow()
    with db.read() as session:
        program = program_at(session, now)
    tz = program.timezone if program else "UTC"
    if series and program is not None:
        done = _CATCH_UP_BATCH
        while done == _CATCH_UP_BATCH:  # a transaction per batch: pushes wait for no long catch-up
            with db.write() as session:
                done = catch_up(session, program, now)
    with db.read() as session:
        kpis = compute_kpis(session, date_from, date_to, tz, now=now, program=program, series=series,
                            source=HqSource(now))
    return kpis, program
