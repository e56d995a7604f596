"""HQ KPI benchmark (issue 13): `kupa-hq report kpis` for a month and a year on a chain-sized HQ.

Builds an HQ database — SQLite (a file) and/or PostgreSQL (a scratch database on the loopback server of
`KUPA_TEST_POSTGRES_URL`, dropped at the end) — with `--members` members enrolled over three years and the
sales of `--entries` ledger entries over two (≈ 2.23 entries per member sale, 80 % of sales by members, 1 %
refunded, half of those fully), and writes HQ's KPI projections as the pushes would have kept them
(`sync.hq.kpi_projection`: the same row shapes, the refunds' corrections by `pos_client.reports.refunds`, the
tiers by `pos_client.member_state.rules.tier_until`). The report reads nothing else: the ledger and sale
tables are not written (their size does not enter the report's queries). Then it times
`sync.hq.kpis.report_kpis` — what `kupa-hq report kpis` runs — for the last 30 and the last 365 days,
figures only and with the chart series (members by tier included), and prints the machine's load average
beside the figures. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_hq_kpis.py [--members 1000000 --entries 5000000] [--engines sqlite,postgres]
    .venv/bin/python bench/bench_hq_kpis.py --small        # a tiny run (tests/unit/test_bench_scripts.py)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, make_url, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pos_client.member_state import rules  # noqa: E402
from pos_client.program.schema import load_program_text  # noqa: E402
from pos_client.reports.refunds import RefundTotals, correction  # noqa: E402
from pos_client.timeutil import to_iso  # noqa: E402
from sync.hq import admin  # noqa: E402
from sync.hq.db import Database, migrate  # noqa: E402
from sync.hq.kpi_projection import NO_TIER, epoch, quarter  # noqa: E402
from sync.hq.kpis import report_kpis  # noqa: E402
from sync.hq.models import (HqKpiBucket, HqKpiEnrolment, HqKpiMemberSale, HqKpiRefund, HqMember,  # noqa: E402
                            HqMemberTier, HqTierCount)

PROGRAM_FILE = ROOT / "tests" / "data" / "program_full.json"
FIGURES = ("sales", "paid", "earned", "redeemed", "cost")


def build_rows(members: int, entries: int, now: datetime, seed: int = 13) -> dict[str, list[dict[str, Any]]]:
    """The projections' rows for a chain of `members` members and `entries` ledger entries (see the docstring)."""
    rng = random.Random(seed)
    program = load_program_text(PROGRAM_FILE.read_text())
    ids = [f"M{i:09d}" for i in range(members)]
    enrolled = [now - timedelta(days=rng.uniform(0, 3 * 365)) for _ in ids]
    sales_count = max(1, int((entries - members) / (0.8 * 2.23)))
    start = now - timedelta(days=2 * 365)
    step = (now - start) / sales_count
    buckets: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * 5)
    member_sales: dict[str, list[tuple[int, str]]] = defaultdict(list)
    day_spend: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    refunds = []
    for n in range(sales_count):
        when = start + step * n
        member = ids[rng.randrange(members)] if rng.random() < 0.8 else None
        qty = rng.randint(1, 3)
        amount = qty * rng.randrange(500, 8000, 100)
        discount = amount * 5 // 100 if member and rng.random() < 0.4 else 0
        redeemed = rng.choice((100, 200, 300)) if member and rng.random() < 0.1 else 0
        redeemed_value = min(redeemed * 10, amount - discount)
        total = amount - discount - redeemed_value
        figures = (1, total, total // 100 if member else 0, redeemed, redeemed_value + discount)
        cell = buckets[(quarter(when), int(member is not None))]
        for i, value in enumerate(figures):
            cell[i] += value
        sale_id = str(uuid.UUID(int=rng.getrandbits(128)))
        if member:
            member_sales[member].append((epoch(when), sale_id))
            day_spend[member][rules.utc_day(when)] += total
        if rng.random() < 0.01:
            units = qty if qty == 1 or rng.random() < 0.5 else qty - 1
            back = total * units // qty
            totals = RefundTotals(qty, units, back, figures[2] * units // qty, 0, -discount * units // qty)
            fully, minus = correction(figures, member is not None, totals)
            refunds.append({"sale_id": sale_id, "q": quarter(when), "member_id": member, "sold_qty": qty,
                            "refunded_qty": units, "money_back": back, "points_reversed": totals.points_reversed,
                            "points_returned": 0, "reversed_value": totals.reversed_value, "fully": int(fully),
                            "is_member": int(member is not None), **dict(zip(FIGURES, minus))})
            if member:
                day_spend[member][rules.utc_day(when)] -= back
                if fully:
                    member_sales[member].remove((epoch(when), sale_id))
    enrolments: dict[int, int] = defaultdict(int)
    for moment in enrolled:
        enrolments[quarter(moment)] += 1
    linked = []
    for member, sales in member_sales.items():
        prev: list[int | None] = [None, None]
        for at, sale_id in sorted(sales):
            linked.append({"member_id": member, "sale_id": sale_id, "at": at, "prev_at": prev[0], "prev2_at": prev[1]})
            prev = [at, prev[0]]
    tiers = []
    for member, days in day_spend.items():
        tier, until = rules.tier_until(program, sorted(days.items()), now)
        tiers.append({"member_id": member, "tier": tier.code if tier else None,
                      "until": until.isoformat() if until else None, "version": program.version})
    return {
        "hq_members": [{"member_id": m, "name": f"Member {i}", "enrolled_at": to_iso(enrolled[i]),
                        "enrolled_by_terminal": "BENCH"} for i, m in enumerate(ids)],
        "hq_kpi_buckets": [{"q": q, "is_member": m, **dict(zip(FIGURES, v))} for (q, m), v in buckets.items()],
        "hq_kpi_refunds": refunds,
        "hq_kpi_member_sales": linked,
        "hq_kpi_enrolments": [{"q": q, "members": n} for q, n in enrolments.items()],
        "hq_member_tiers": tiers,
        "hq_tier_counts": [{"version": v, "tier": tier, "members": n} for (v, tier), n in
                           Counter((t["version"], t["tier"] or NO_TIER) for t in tiers).items()],
    }


MODELS = {"hq_members": HqMember, "hq_kpi_buckets": HqKpiBucket, "hq_kpi_refunds": HqKpiRefund,
          "hq_kpi_member_sales": HqKpiMemberSale, "hq_kpi_enrolments": HqKpiEnrolment, "hq_member_tiers": HqMemberTier,
          "hq_tier_counts": HqTierCount}


def load(db: Database, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Write the rows: COPY on PostgreSQL, executemany on SQLite; then refresh the planner's statistics."""
    pg = db.engine.dialect.name == "postgresql"
    with db.engine.begin() as conn:
        for table, values in rows.items():
            if not values:
                continue
            if not pg:
                for start in range(0, len(values), 50_000):
                    conn.execute(insert(MODELS[table]), values[start:start + 50_000])
                continue
            columns = list(values[0])
            raw: Any = conn.connection.driver_connection
            names = ", ".join(f'"{c}"' for c in columns)
            with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in values:
                    copy.write_row([row[c] for c in columns])
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if pg else "ANALYZE"))  # PostgreSQL: the visibility map autovacuum keeps


@contextmanager
def database(engine: str, folder: Path) -> Iterator[Database]:
    """A fresh, migrated HQ database: a SQLite file, or a scratch PostgreSQL database (dropped after)."""
    if engine == "sqlite":
        db = Database(f"sqlite:///{folder / 'hq.sqlite3'}")
        migrate(db.engine)
        try:
            yield db
        finally:
            db.close()
        return
    base = os.environ.get("KUPA_TEST_POSTGRES_URL")
    if not base or make_url(base).host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("postgres: set KUPA_TEST_POSTGRES_URL to a PostgreSQL server on 127.0.0.1")
    name = f"kupa_hqkpi_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db = Database(make_url(base).set(database=name).render_as_string(hide_password=False))
        migrate(db.engine)
        try:
            yield db
        finally:
            db.close()
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def timed(fn: Any, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def bench(db: Database, now: datetime, label: str, repeat: int) -> dict[str, float]:
    today = now.date()
    ranges = {"month": today - timedelta(days=29), "year": today - timedelta(days=364)}  # both ending today
    found = {}
    for name, first in ranges.items():
        for series in (False, True):
            kpis, _program = report_kpis(db, first, today, now=now, series=series)
            samples = timed(lambda: report_kpis(db, first, today, now=now, series=series), repeat)
            key = f"{name}{' with series' if series else ''}"
            found[key] = statistics.median(samples)
            print(f"[{label}] report kpis, {key:<18} median {found[key]:8.1f} ms  max {max(samples):8.1f} ms"
                  f"  (n={repeat}; sales {kpis.sales_total:,}, active {kpis.active_members:,})")
    print(f"[{label}] load average {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=5_000_000)
    parser.add_argument("--engines", default="sqlite", help="sqlite, postgres or both, comma-separated")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--small", action="store_true", help="a tiny run: 300 members, 1,500 entries")
    args = parser.parse_args(argv)
    if args.small:
        args.members, args.entries, args.repeat = 300, 1500, 1
    now = datetime.now(timezone.utc)
    t = time.perf_counter()
    rows = build_rows(args.members, args.entries, now)
    print(f"{args.members:,} members, {args.entries:,} entries: {len(rows['hq_kpi_member_sales']):,} counted member "
          f"sales, {len(rows['hq_kpi_refunds']):,} refunded sales, {len(rows['hq_member_tiers']):,} tier rows;"
          f" generated in {time.perf_counter() - t:.0f} s")
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        with tempfile.TemporaryDirectory() as tmp, database(engine, Path(tmp)) as db:
            admin.publish_program(db, PROGRAM_FILE)
            with db.engine.begin() as conn:  # in force from the start of the history
                conn.execute(text("UPDATE hq_programs SET published_at = '2000-01-01T00:00:00+00:00'"))
            t = time.perf_counter()
            load(db, rows)
            print(f"[{engine}] loaded in {time.perf_counter() - t:.0f} s")
            bench(db, now, engine, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
