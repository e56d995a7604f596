"""KPI benchmarks (issue 6): `compute_kpis` and `kupa report kpis --json` on a large store.

Builds (raw sqlite3, like bench_core.build_large_store) 100,000 members, about a million sales over two
years (80 % by members, 1 % refunded, half of those fully) with one line each, and 2,000,000 ledger entries
(welcome, earn, stamp, redeem, tier discount, free item, reversals), fills the report projections
(`pos_client.reports.projection.rebuild_db`, by the rules a sale and a refund apply) and the tier rows of
migration 0019 (`pos_client.reports.tiers.catch_up_all`, what the migration's backfill runs), then times the
KPIs of this month and of a year, figures only and with the chart series, with the load average beside each.

Prints figures; asserts nothing. Run: `.venv/bin/python bench/bench_kpis.py [--members N --entries N]
[--store DIR]`; the issue-13 scale is `--members 1000000 --entries 5000000 --store /tmp/kpi_1m/store` (built
once, about 10 minutes, then reused; a store built before migration 0019 is upgraded on opening, and the
upgrade's backfill is timed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from pos_client.reports import compute_kpis, write_members_csv  # noqa: E402
from pos_client.reports import kpis as kpis_module, tiers  # noqa: E402
from pos_client.reports.projection import rebuild_db  # noqa: E402
from pos_client.services.programs import load_program_file  # noqa: E402
from pos_client.services.setup import init_terminal  # noqa: E402
from pos_client.terminal import Terminal  # noqa: E402
from pos_client.timeutil import store_zone, to_iso  # noqa: E402

PROGRAM = (ROOT / "tests" / "data" / "program_full.json").read_text()
#: The terminal's schema version this builder writes (the newest migration).
HEAD = "0019"
QUOTE = json.dumps({"lines": [{"sku": "COFFEE-L", "name": "Large coffee", "qty": 1, "unit_price": 1400,
                               "amount": 1400, "discount": 0, "paid": 1400}] * 3,
                    "explain": ["Large coffee ×1 ₪14.00", "Points: ₪14.00 × 1 = 14"] * 4})
SALE_SQL = ("insert into sales (sale_id, kind, refund_of, terminal_id, member_id, program_version, created_at,"
            " currency, subtotal, discount_total, redeemed_points, redeemed_value, total, points_earned,"
            " qualifying_spend, quote) values (?,?,?,'BIG',?,7,?,'ILS',?,?,?,?,?,?,?,?)")
LINE_SQL = ("insert into sale_lines (sale_id, line_no, sku, name, category, kind, qty, unit_price, amount,"
            " free_units, free_by_card, percent_discount, redeemed_value, paid, stamps, refund_line_of)"
            " values (?,1,'P1','Product','misc','eligible',?,?,?,0,'{}',0,0,?,'{}',?)")
ENTRY_SQL = ("insert into ledger_entries (entry_id, member_id, terminal_id, seq, kind, points_delta, stamps_delta,"
             " punch_card, spend_delta, value, membership_days, sale_id, created_at) values"
             " (?,?,'BIG',?,?,?,?,?,?,?,0,?,?)")


class Builder:
    """Buffers rows and writes them with executemany in batches."""

    def __init__(self, db: sqlite3.Connection, rng: random.Random) -> None:
        self.db, self.rng = db, rng
        self.sales: list[tuple[object, ...]] = []
        self.lines: list[tuple[object, ...]] = []
        self.entries: list[tuple[object, ...]] = []
        self.seq = 0

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128)))

    def entry(self, member: str, kind: str, when: str, points: int = 0, stamps: int = 0, spend: int = 0,
              value: int = 0, sale: str | None = None) -> None:
        self.seq += 1
        self.entries.append((self.uid(), member, self.seq, kind, points, stamps, "coffee" if stamps else None,
                             spend, value, sale, when))

    def flush(self, force: bool = False) -> None:
        if force or len(self.entries) >= 200_000:
            self.db.executemany(SALE_SQL, self.sales)
            self.db.executemany(LINE_SQL, self.lines)
            self.db.executemany(ENTRY_SQL, self.entries)
            self.sales.clear()
            self.lines.clear()
            self.entries.clear()


def build_store(path: Path, members: int, entries: int, now: datetime) -> tuple[int, int]:
    result = init_terminal(path, terminal_id="BIG", manager_pin="9999")
    (path / "p.json").write_text(PROGRAM)
    load_program_file(result.terminal, path / "p.json")
    result.terminal.close()
    db = sqlite3.connect(path / "kupa.sqlite3")
    db.execute("update program_versions set loaded_at='2000-01-01T00:00:00+00:00'")
    rng = random.Random(6)
    b = Builder(db, rng)
    ids = [f"M{i:07d}" for i in range(members)]
    enrolled = [now - timedelta(days=rng.uniform(0, 3 * 365)) for _ in ids]
    db.executemany("insert into members (member_id, name, phone, enrolled_at, enrolled_by_terminal)"
                   " values (?,?,?,?,'BIG')", ((m, f"חבר {i}" if i % 3 else f"Member {i}", f"05{i:08d}",
                                                to_iso(enrolled[i])) for i, m in enumerate(ids)))
    for i, m in enumerate(ids):
        b.entry(m, "welcome", to_iso(enrolled[i]), points=50)
    # ≈2.23 entries per member sale, 0.8 member sales per sale, plus refund reversals
    sales_count = int((entries - members) / (0.8 * 2.23 + 0.01 * 0.8 * 1.4))
    start = now - timedelta(days=2 * 365)
    step = (now - start) / sales_count
    refunds: list[tuple[str, str | None, int, int, int, int, datetime]] = []
    for n in range(sales_count):
        when_dt = start + step * n
        when = to_iso(when_dt)
        sale_id = b.uid()
        member = ids[rng.randrange(members)] if rng.random() < 0.8 else None
        qty = rng.randint(1, 3)
        amount = qty * rng.randrange(500, 8000, 100)
        discount = amount * 5 // 100 if member and rng.random() < 0.4 else 0
        free = 700 if member and rng.random() < 0.03 else 0
        redeemed = rng.choice((100, 200, 300)) if member and rng.random() < 0.1 else 0
        redeemed_value = min(redeemed * 10, amount - discount - free)
        total = amount - discount - free - redeemed_value
        points = total // 100 if member else 0
        spend = total if member else 0
        b.sales.append((sale_id, "sale", None, member, when, amount, discount + free, redeemed, redeemed_value,
                        total, points, spend, QUOTE))
        b.lines.append((sale_id, qty, amount // qty, amount, total, None))
        if member:
            b.entry(member, "earn", when, points=points, spend=spend, sale=sale_id)
            if rng.random() < 0.7:
                b.entry(member, "stamp", when, stamps=qty, sale=sale_id)
            if redeemed:
                b.entry(member, "redeem", when, points=-redeemed, value=redeemed_value, sale=sale_id)
            if discount:
                b.entry(member, "tier_discount", when, value=discount, sale=sale_id)
            if free:
                b.entry(member, "stamp_reward", when, stamps=-9, value=free, sale=sale_id)
        if rng.random() < 0.01:
            refunds.append((sale_id, member, qty, total, points, discount, when_dt))
        b.flush()
    for sale_id, member, qty, total, points, discount, when_dt in refunds:
        full = qty == 1 or rng.random() < 0.5
        units = qty if full else qty - 1
        back, pts, disc = total * units // qty, points * units // qty, discount * units // qty
        when = to_iso(min(now, when_dt + timedelta(days=rng.uniform(0, 20))))
        refund_id = b.uid()
        b.sales.append((refund_id, "refund", sale_id, member, when, back, 0, 0, 0, back, -pts, -back if member else 0,
                        "{}"))
        b.lines.append((refund_id, units, total // qty, back, back, 1))
        if member:
            b.entry(member, "reverse", when, points=-pts, spend=-back, sale=sale_id)
            if disc:
                b.entry(member, "reverse", when, value=-disc, sale=sale_id)
    while b.seq < entries:
        b.entry(ids[rng.randrange(members)], "adjust", to_iso(now - timedelta(days=rng.uniform(0, 700))), points=5)
    b.flush(force=True)
    db.execute("insert into member_balances (member_id, points, credits_total, debits_total, sales_count,"
               " last_sale_at) select member_id, sum(points_delta), sum(max(points_delta, 0)),"
               " -sum(min(points_delta, 0)), sum(kind = 'earn'), max(case when kind = 'earn' then created_at end)"
               " from ledger_entries group by member_id")
    db.execute("insert into member_days (member_id, day, spend, credits) select member_id, substr(created_at, 1, 10),"
               " sum(spend_delta), sum(max(points_delta, 0)) from ledger_entries"
               " where spend_delta != 0 or points_delta > 0 group by 1, 2")
    rebuild_db(db)  # the report projections, as a sale and a refund keep them
    db.commit()
    db.close()
    # the member_days rows above fired migration 0019's triggers: every member with spend has a pending tier
    # row; the report's catch-up computes them (what the migration's backfill runs)
    terminal = Terminal.open(path)
    tiers.catch_up_all(terminal.unit_of_work, now)
    terminal.close()
    return sales_count, len(refunds)


def analyze(path: Path) -> None:
    """Refresh SQLite's statistics after the bulk load, as a store that has run `ANALYZE` would have them."""
    with sqlite3.connect(path / "kupa.sqlite3") as db:
        db.execute("ANALYZE")


def timed(fn, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name: str, samples: list[float]) -> None:
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"{name:<64} median {statistics.median(samples):8.1f} ms   max {max(samples):8.1f} ms   (n={len(samples)})"
          f"   load {load}", flush=True)


def bench(path: Path, now: datetime, label: str) -> None:
    terminal = Terminal.open(path)
    year_to = now.date()
    year_from = year_to - timedelta(days=364)
    month_from = year_to.replace(day=1)
    tiers.catch_up_all(terminal.unit_of_work, now)  # what the dashboard and `--csv` do before they count
    with terminal.read() as session:
        kpis = compute_kpis(session, year_from, year_to, "Asia/Jerusalem", now=now)
    print(f"[{label}] {json.dumps(kpis.to_json(), ensure_ascii=False)}")
    print(f"[{label}] members by tier: {kpis.series_json()['members_by_tier']}")
    for name, first in (("this month", month_from), ("a year", year_from)):
        for series in (False, True):
            def run(first: date = first, series: bool = series) -> None:
                with terminal.read() as session:
                    compute_kpis(session, first, year_to, "Asia/Jerusalem", now=now, series=series)

            what = "with the chart series" if series else "figures only (the CLI)"
            report(f"[{label}] compute_kpis over {name}, {what}", timed(run, 5))

    def dashboard() -> None:
        tiers.catch_up_all(terminal.unit_of_work, now)
        with terminal.read() as session:
            compute_kpis(session, month_from, year_to, "Asia/Jerusalem", now=now)

    report(f"[{label}] the dashboard's month: catch-up (none stale) + KPIs with series", timed(dashboard, 5))
    stale_members = 2000

    def a_day_of_spenders() -> None:
        with terminal.unit_of_work() as session:  # what a day's sales leave: their members' rows marked stale
            session.execute(text("INSERT OR IGNORE INTO member_tiers_stale (member_id) "
                                 "SELECT member_id FROM member_tiers ORDER BY member_id DESC LIMIT :n"),
                            {"n": stale_members})
        dashboard()

    report(f"[{label}] the same after {stale_members:,} members' spend changed (catch-up included)",
           timed(a_day_of_spenders, 3))
    zone = store_zone("Asia/Jerusalem")
    rng = kpis_module._range(year_from, year_to, "Asia/Jerusalem", now)
    day_sql, day_params = kpis_module._day_sql(zone, rng.lo or rng.hi, rng.hi)
    at, hi = min(rng.hi, now), to_iso(rng.hi)
    with terminal.read() as session:
        parts = {
            "sales per day, net of refunds": lambda: kpis_module.sale_cells(session, rng, day_sql, day_params),
            "sales, figures only": lambda: kpis_module.sale_cells(session, rng, "0", {}),
            "active / repeat / churned members": lambda: kpis_module._member_figures(session, rng),
            "members by tier (the tier rows)": lambda: kpis_module.TerminalSource(now).members_by_tier(
                session, None, at, hi),
            "members by tier (summing member_days, as before)": lambda: kpis_module._members_by_tier(
                session, None, at, hi),
        }
        for name, part in parts.items():
            report(f"[{label}]   a year, of which: {name}", timed(part, 5))
    cli = [sys.executable, "-m", "pos_client", "--data-dir", str(path), "report", "kpis", "--from",
           year_from.isoformat(), "--to", year_to.isoformat(), "--json"]
    report(f"[{label}] `kupa report kpis --json` (a year), end to end", timed(
        lambda: subprocess.run(cli, check=True, capture_output=True), 3))
    idle = [sys.executable, "-c", "import pos_client.cli.main"]
    report(f"[{label}]   of which: starting Python and importing the CLI", timed(
        lambda: subprocess.run(idle, check=True, capture_output=True), 3))
    terminal.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=2_000_000)
    parser.add_argument("--store", type=Path, help="build the store in this folder, or reuse it if it is there")
    parser.add_argument("--no-members-csv", action="store_true", help="skip the member list export (1M rows ≈ 1 min)")
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "big"
        t = time.perf_counter()
        if not (path / "kupa.sqlite3").exists():
            sales, refunded = build_store(path, args.members, args.entries, now)
            print(f"{refunded:,} of {sales:,} sales refunded; built in {time.perf_counter() - t:.0f} s")
        with sqlite3.connect(path / "kupa.sqlite3") as db:
            version = db.execute("select version_num from alembic_version").fetchone()[0]
        if version != HEAD:  # a store built before: the upgrade (its backfills) on opening, timed
            t = time.perf_counter()
            Terminal.open(path).close()
            print(f"upgraded from {version}: {time.perf_counter() - t:.0f} s   load "
                  f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}")
        with sqlite3.connect(path / "kupa.sqlite3") as db:
            counts = {table: db.execute(f"select count(*) from {table}").fetchone()[0]
                      for table in ("members", "sales", "sale_lines", "ledger_entries", "member_days",
                                    "member_tiers")}
        print(f"store: {counts}")
        analyze(path)
        bench(path, now, "year")
        if args.no_members_csv:
            return
        terminal = Terminal.open(path)
        out = Path(tmp) / "members.csv"
        with terminal.read() as session:
            report(f"member list CSV export ({counts['members']:,} rows)",
                   timed(lambda: write_members_csv(session, out), 1))
        terminal.close()


if __name__ == "__main__":
    main()
