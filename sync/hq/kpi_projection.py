"""HQ's KPI projections, kept in each push's transaction (HQ migration 0008 builds them from existing data).

What `kupa-hq report kpis` reads instead of the ledger (`sync.hq.kpis`), the same shapes as the terminal's
report projections (`pos_client.reports.projection`) so both answer through `pos_client.reports.kpis`:

- `hq_kpi_buckets`: sales as recorded per UTC quarter-hour and member / non-member;
- `hq_kpi_refunds`: per refunded sale, its refunds' running totals and what they subtract
  (`pos_client.reports.refunds.correction`). A push applies each refund and reverse entry exactly once, so
  running totals are exact; a refund that arrives before its sale (refunded at another counter) waits with
  `q` NULL until the sale comes;
- `hq_kpi_member_sales`: counted member sales with the member's two previous ones (a sale fully refunded
  leaves it, and the member's rows are relinked);
- `hq_kpi_enrolments`: enrolments per quarter-hour;
- `hq_member_tiers`: each member's tier and the last day it holds (`rules.tier_until`), recomputed from the
  member's entries (`rules.fold`, as `member show` and the snapshots do) when a push brings them spend;
- `hq_tier_counts`: members per (program version, tier) among those rows, changed by each recomputation.
  These two are `pos_client.reports.tiers`, the code a terminal keeps its own (migration 0019) with.

Concurrency: the push calls `project` after it took the change-log lock (`sync.hq.db.order_changes`), and
upserts shared rows (buckets, enrolments, tier counts) in key order, so pushes never deadlock on them; the per-member rows
are under the balance locks the push already holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from pos_client.db.bulk import add_counts, select_in as _in, table as _table, upsert as _upsert
from pos_client.member_state import rules
from pos_client.reports import tiers
from pos_client.program.schema import Program
from pos_client.reports import member_links
from pos_client.reports import refunds as refund_kpis
from pos_client.reports.refunds import FIGURES as _FIGURES, Figures, RefundTotals
from pos_client.timeutil import from_iso
from sync.hq.models import (HqEntry, HqKpiBucket, HqKpiEnrolment, HqKpiMemberSale, HqKpiRefund, HqMember,
                            HqMemberTier, HqSale, HqSaleKey, HqTierCount)
from sync.hq.programs import program_at
from sync.hq.snapshot import member_entries
from sync.protocol import WireEntry, WireSale

M = TypeVar("M", bound=BaseModel)
_TOTALS = ("refunded_qty", "money_back", "points_reversed", "points_returned", "reversed_value")
_EPOCH = datetime(1970, 1, 1, tzinfo=rules.UTC)


def epoch(moment: datetime) -> int:
    """Whole UTC epoch seconds, floored (as the terminal's `projection.epoch`)."""
    return int((moment - _EPOCH).total_seconds() // 1)


def quarter(moment: datetime) -> int:
    """The UTC quarter-hour number of a moment (epoch seconds // 900)."""
    return epoch(moment) // 900


def _add_counts(session: Session, model: type[Any], rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """Sum `rows` by key, then add the sums to the table's rows (`pos_client.db.bulk.add_counts`)."""
    add_counts(session, _table(model), rows, columns)


def sale_figures(sale: WireSale) -> Figures:
    """A sale's contribution as recorded (`pos_client.reports.refunds.sale_figures`, the terminal's too)."""
    return refund_kpis.sale_figures(sale.total, sale.points_earned, sale.redeemed_points, sale.redeemed_value,
                                    sale.discount_total)


def _units(sale: WireSale) -> int | None:
    """The units on a sale's lines (None without lines), as the terminal's `sum(sale_lines.qty)`."""
    quantities = [int(line.get("qty") or 0) for line in sale.lines]
    return sum(quantities) if quantities else None


def project(session: Session, sales: Sequence[WireSale], entries: Sequence[WireEntry],
            enrolled: Sequence[datetime], now: datetime, tiers: TierDeltas | None = None) -> None:
    """Add a push's accepted sales, entries and enrolments to the shared projections (the push's transaction,
    under the change-log lock); the tiers are `retier_spenders`'."""
    _add_counts(session, HqKpiEnrolment, [{"q": quarter(at), "members": 1} for at in enrolled], ("members",))
    originals = [s for s in sales if s.kind == "sale"]
    _add_counts(session, HqKpiBucket, [
        {"q": quarter(s.created_at), "is_member": int(s.member_id is not None),
         **dict(zip(_FIGURES, sale_figures(s)))} for s in originals], _FIGURES)
    added = [(s.member_id, s.sale_id, epoch(s.created_at)) for s in originals if s.member_id is not None]
    dropped = _project_refunds(session, sales, entries)
    _relink(session, added, dropped)
    count_tiers(session, tiers or {})


def retier_spenders(session: Session, entries: Sequence[WireEntry], now: datetime) -> TierDeltas:
    """Recompute the tier rows of the members a push brought spend for. Per-member rows only, under the
    balance locks the push holds: the push runs it before the change-log lock, beside other pushes, and hands
    the counts' changes to `project`."""
    spenders = sorted({e.member_id for e in entries if e.spend_delta})
    return retier(session, spenders, program_at(session, now), now) if spenders else {}


def _project_refunds(session: Session, sales: Sequence[WireSale], entries: Sequence[WireEntry]
                     ) -> list[tuple[str, str]]:
    """Update the refund rows the batch touches; (member, sale) of the sales that became fully refunded."""
    refunds = [s for s in sales if s.kind == "refund" and s.refund_of]
    reverses = [e for e in entries if e.kind == "reverse" and e.sale_id and e.value]
    originals = {s.sale_id: s for s in sales if s.kind == "sale"}
    touched = {str(s.refund_of) for s in refunds} | {str(e.sale_id) for e in reverses}
    r = _table(HqKpiRefund).c
    rows = {row.sale_id: dict(row._mapping) for row in _in(session, list(r), r.sale_id,
                                                           touched | set(originals))}
    touched |= set(rows)
    if not touched:
        return []
    for sale_id in touched - set(rows):
        rows[sale_id] = {"sale_id": sale_id, "q": None, "member_id": None, "sold_qty": None, "fully": 0,
                         "is_member": 0, **dict.fromkeys(_TOTALS, 0), **dict.fromkeys(_FIGURES, 0)}
    for refund in refunds:
        row = rows[str(refund.refund_of)]
        row["refunded_qty"] += _units(refund) or 0
        row["money_back"] += refund.total
        row["points_reversed"] -= refund.points_earned
        row["points_returned"] += refund.redeemed_points
    for entry in reverses:
        rows[str(entry.sale_id)]["reversed_value"] += entry.value
    # every touched row is recomputed from its sale (a second refund of a sale HQ has): refunds are rare
    originals |= _stored_sales(session, [sale_id for sale_id in rows if sale_id not in originals])
    dropped = []
    for sale_id, row in rows.items():
        sale = originals.get(sale_id)
        if sale is None:
            continue  # the sale is not at HQ yet: nothing to subtract until it comes
        was_fully = bool(row["fully"])
        row.update(q=quarter(sale.created_at), member_id=sale.member_id, sold_qty=_units(sale),
                   is_member=int(sale.member_id is not None))
        fully, figures = refund_kpis.correction(sale_figures(sale), sale.member_id is not None,
                                    RefundTotals(row["sold_qty"], *(int(row[t]) for t in _TOTALS)))
        row.update(fully=int(fully), **dict(zip(_FIGURES, figures)))
        if fully and not was_fully and sale.member_id is not None:
            dropped.append((sale.member_id, sale_id))
    columns = [c for c in rows[next(iter(rows))] if c != "sale_id"]
    _upsert(session, _table(HqKpiRefund), list(rows.values()), ["sale_id"], replace=columns)
    return dropped


def _stored_sales(session: Session, sale_ids: list[str]) -> dict[str, WireSale]:
    """The sales HQ holds among `sale_ids` (read in their own month's partition)."""
    if not sale_ids:
        return {}
    k, s = _table(HqSaleKey).c, _table(HqSale).c
    held = _in(session, [k.sale_id, k.created_at], k.sale_id, sale_ids)
    found: dict[str, WireSale] = {}
    for sale_id, created_at in held:
        body = session.scalar(select(s.body).where(s.sale_id == sale_id, s.created_at == created_at))
        if body is not None:
            found[sale_id] = WireSale.model_validate_json(body)
    return found


def _relink(session: Session, added: list[tuple[str, str, int]], dropped: list[tuple[str, str]]) -> None:
    """Insert the new counted member sales, remove the fully refunded ones, and set every touched member's
    rows' `prev_at` / `prev2_at` from their order (time, then insertion), as the terminal's projection does."""
    members = {m for m, _s, _a in added} | {m for m, _s in dropped}
    if not members:
        return
    ms = _table(HqKpiMemberSale).c
    gone = {sale_id for _m, sale_id in dropped}
    existing: dict[str, list[tuple[int, int, str, int | None, int | None]]] = defaultdict(list)
    drop_ids = []
    for row_id, member_id, sale_id, at, prev_at, prev2_at in _in(
            session, [ms.id, ms.member_id, ms.sale_id, ms.at, ms.prev_at, ms.prev2_at], ms.member_id, members):
        if sale_id in gone:
            drop_ids.append(row_id)
        else:
            existing[member_id].append((int(at), int(row_id), sale_id, prev_at, prev2_at))
    if drop_ids:
        session.execute(delete(_table(HqKpiMemberSale)).where(ms.id.in_(drop_ids)))
    fresh: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for order, (member_id, sale_id, at) in enumerate(added):
        if sale_id not in gone:
            fresh[member_id].append((at, order, sale_id))
    inserts, updates = [], []
    for member_id in members:
        # existing rows before new ones at the same time (their ids are smaller), new ones in push order
        timeline = sorted([(at, 0, row_id, sale_id, p, p2) for at, row_id, sale_id, p, p2 in existing[member_id]]
                          + [(at, 1, order, sale_id, None, None) for at, order, sale_id in fresh[member_id]])
        links = member_links.previous_two(moment[0] for moment in timeline)  # the terminal's rule
        for (at, is_new, ident, sale_id, old_prev, old_prev2), (prev, prev2) in zip(timeline, links):
            if is_new:
                inserts.append({"member_id": member_id, "sale_id": sale_id, "at": at, "prev_at": prev,
                                "prev2_at": prev2})
            elif (old_prev, old_prev2) != (prev, prev2):
                updates.append({"row_id": ident, "p": prev, "p2": prev2})
    conn = session.connection()
    if inserts:
        conn.execute(_table(HqKpiMemberSale).insert(), inserts)
    if updates:
        conn.execute(update(_table(HqKpiMemberSale)).where(ms.id == bindparam("row_id"))
                     .values(prev_at=bindparam("p"), prev2_at=bindparam("p2")), updates)


NO_TIER = tiers.NO_TIER
TierDeltas = tiers.TierDeltas
#: HQ's members-by-tier projection (`pos_client.reports.tiers`, the terminal's code).
TABLES = tiers.TierTables(_table(HqMemberTier), _table(HqTierCount))


def day_spends(session: Session, member_ids: list[str]) -> dict[str, list[tuple[date, int]]]:
    """HQ's `tiers.DaySpends`: each member's (UTC day, spend) folded from its entries (`rules.fold`, as
    `member show` and the snapshots do); members without entries have none."""
    return {member_id: rules.fold(entries).day_spend()
            for member_id, entries in member_entries(session, member_ids).items()}


def retier(session: Session, member_ids: list[str], program: Program | None, now: datetime) -> TierDeltas:
    """Recompute the tier rows of `member_ids` at `now` from all their entries (`tiers.retier`); what that
    changes in `hq_tier_counts` ((version, tier) → members), for the caller to `count_tiers`."""
    return tiers.retier(session, TABLES, member_ids, program, now, day_spends)


def count_tiers(session: Session, deltas: TierDeltas) -> None:
    """Add tier-count changes to `hq_tier_counts`. Its rows are shared by every push: a push adds them under
    the change-log lock (`project`), in key order."""
    tiers.count_tiers(session, TABLES, deltas)


def add_enrolments(session: Session, enrolled: Sequence[datetime]) -> None:
    """Count members enrolled outside a push (`kupa-hq member import`)."""
    _add_counts(session, HqKpiEnrolment, [{"q": quarter(at), "members": 1} for at in enrolled], ("members",))


def rebuild(session: Session, now: datetime, chunk: int = 5000) -> None:
    """Recompute every KPI projection from what HQ holds (HQ migration 0008's backfill; tests and tools)."""
    for model in (HqKpiBucket, HqKpiRefund, HqKpiMemberSale, HqKpiEnrolment, HqMemberTier, HqTierCount):
        session.execute(delete(_table(model)))
    m, s, e = _table(HqMember).c, _table(HqSale).c, _table(HqEntry).c
    add_enrolments(session, [from_iso(t) for t, in session.execute(select(m.enrolled_at))])
    for bodies in _pages(session, select(s.body).order_by(s.created_at, s.sale_id), chunk):
        project(session, _valid(WireSale, bodies), [], [], now)
    reverses = select(e.body).where(e.kind == "reverse", e.value != 0, e.seq.is_not(None)).order_by(e.created_at)
    for bodies in _pages(session, reverses, chunk):
        project(session, [], _valid(WireEntry, bodies), [], now)
    spenders = [str(v) for v, in session.execute(select(e.member_id).where(e.spend_delta != 0).distinct())]
    program = program_at(session, now)
    for start in range(0, len(spenders), chunk):
        count_tiers(session, retier(session, sorted(spenders[start:start + chunk]), program, now))


def _pages(session: Session, query: Any, size: int) -> Iterable[list[str]]:
    """The first column of `query`'s rows, `size` at a time (read whole first: the pages write as they go)."""
    values = [str(v) for v, in session.execute(query)]
    for start in range(0, len(values), size):
        yield values[start:start + size]



def _valid(model: type[M], bodies: list[str]) -> list[M]:
    """The stored bodies the wire model accepts (what an older HQ stored unchecked is left out, as everywhere)."""
    found = []
    for body in bodies:
        try:
            found.append(model.model_validate_json(body))
        except ValidationError:
            continue
    return found
