"""Core benchmarks (issue 2): pricing, a durable checkout, member lookup on a large store.

Prints figures; asserts nothing. Run: `.venv/bin/python bench/bench_core.py [--members 100000 --entries 2000000]`.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from pos_client.pricing import CartItem, MemberState, price  # noqa: E402
from pos_client.program import load_program_text  # noqa: E402
from pos_client.services.checkout import BasketRequest, checkout  # noqa: E402
from pos_client.member_state.store import load as member_state  # noqa: E402
from pos_client.services.members import identify  # noqa: E402
from pos_client.services.programs import program_at  # noqa: E402
from pos_client.services.setup import init_terminal  # noqa: E402
from pos_client.terminal import Terminal  # noqa: E402
from pos_client.timeutil import to_iso  # noqa: E402

PROGRAM = (ROOT / "tests" / "data" / "program_full.json").read_text()


def timed(fn, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
    print(f"{name:<58} median {median:8.3f} ms   p95 {p95:8.3f} ms   (n={len(samples)})")
    return median


def bench_price() -> None:
    program = load_program_text(PROGRAM)
    items = [CartItem(f"SKU{i}", f"Item {i}", 1 + i % 3, 500 + 37 * i, "tobacco" if i % 17 == 0 else "misc")
             for i in range(48)] + [CartItem("COFFEE-S", "Coffee", 2, 900, "coffee"),
                                     CartItem("MEMBER-PLUS-Y", "Plus", 1, 9900, "membership")]
    member = MemberState("M1", points=5000, stamps={"coffee": 9}, qualifying_spend=600000, membership_code="plus",
                         membership_expires=datetime(2030, 1, 1, tzinfo=timezone.utc), bonus_weekday=0,
                         can_spend=True, referral_pending=True)
    now = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
    report("price(): 50-line basket, every program section", timed(
        lambda: price(items, member, program, now, redeem_points=1000, punch_rewards=["coffee"], offline=True), 300))


def bench_checkout(tmp: Path) -> None:
    result = init_terminal(tmp / "store", terminal_id="B1", manager_pin="9999")
    terminal = result.terminal
    (tmp / "p.json").write_text(PROGRAM)
    from pos_client.services.catalog import load_catalog_file
    from pos_client.services.programs import load_program_file

    load_program_file(terminal, tmp / "p.json")
    (tmp / "c.csv").write_text("sku,name,price,category\n" + "".join(f"P{i},Product {i},{1000 + i},misc\n" for i in range(10)))
    load_catalog_file(terminal, tmp / "c.csv")
    from pos_client.ledger import EntryDraft, append
    from pos_client.services.members import enrol

    # 50 card-carrying members in turn (one member buying a thousand times a day would make the offline cap's
    # look at today's redemptions unrealistically long)
    tokens = []
    with terminal.unit_of_work() as session:
        now = datetime.now(timezone.utc)
        program = program_at(session, now)
        for i in range(50):
            member, _card, token = enrol(terminal, session, program, now, name=f"Bench {i}")
            append(session, EntryDraft(member.member_id, "adjust", points_delta=100000, reason="bench credit"),
                   terminal_id="B1", now=now)
            tokens.append(token)
    requests = itertools.cycle([BasketRequest(items=tuple((f"P{i}", 1) for i in range(5)), member_code=token,
                                              redeem_points=100) for token in tokens])

    def sale() -> None:
        checkout(terminal, next(requests))

    sale()
    pages = wal_pages_of(tmp / "store" / "kupa.sqlite3", sale)
    one_page, many_pages = bare_commit(tmp / "bare1.sqlite3", 1), bare_commit(tmp / "bareN.sqlite3", pages)
    # Each series in its steady state: past a first WAL checkpoint (until then every commit grows the WAL file,
    # and the fsync also writes the file's new size), then in alternating blocks (one sample after another
    # would hand each commit the file-system journal work of the other file), so all three see the same disk.
    series = {"co": sale, "one": one_page, "many": many_pages}
    for key, fn in series.items():
        timed(fn, 1100 if key == "one" else 1100 // pages + 10)
    samples: dict[str, list[float]] = {key: [] for key in series}
    for _ in range(5):
        for key, fn in series.items():
            samples[key] += timed(fn, 40)
    co = report("durable checkout: 5 lines, member, redemption", samples["co"])
    base = report("bare one-row synchronous=FULL SQLite commit", samples["one"])
    report(f"bare synchronous=FULL commit of {pages} pages (what one checkout writes)", samples["many"])
    print(f"{'ratio durable checkout / bare commit':<58} {co / base:8.2f} ×   (target ≤ 3)")
    cpu = cpu_per_call(sale, 400)
    print(f"{'durable checkout: CPU time of this process (mean)':<58} {cpu:8.3f} ms   (excludes waiting for the"
          " disk: steadier than the wall time on a shared machine)")
    inside, commit = time_in_sqlite(sale, 200)
    print(f"{'of which inside SQLite: statements + COMMIT (mean)':<58} {inside:8.3f} ms   (COMMIT {commit:.3f} ms with"
          f" its share of WAL checkpoints; {inside / base:.1f} × the bare commit before any Python runs)")
    # The same checkout without the fsync (synchronous=OFF on fresh connections, set after Kupa's own pragmas):
    # what the code and SQLite's statements cost, whatever the disk and its other users are doing.
    terminal.engine.dispose()
    event.listen(terminal.engine, "connect", lambda conn, _record: conn.execute("PRAGMA synchronous=OFF"))
    timed(sale, 100)
    report("checkout without the fsync (synchronous=OFF): the code's cost", timed(sale, 400))
    terminal.close()


def cpu_per_call(action, n: int) -> float:  # type: ignore[no-untyped-def]
    """Mean CPU time (user + system) of this process per call of `action`, in ms: what the code costs, without
    the wait for an fsync, which other processes on the same disk lengthen."""
    start = time.process_time()
    for _ in range(n):
        action()
    return (time.process_time() - start) * 1000 / n


def time_in_sqlite(action, n: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Per call of `action`: the time spent inside sqlite3's C methods, and inside COMMIT alone (cProfile's
    own cost falls on the Python frames, not on these)."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        action()
    profile.disable()
    inside = commit = 0.0
    for (_file, _line, name), (_cc, _nc, own, _cum, _callers) in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        if "of 'sqlite3.Connection' objects" in name or "of 'sqlite3.Cursor' objects" in name:
            inside += own
            if name.startswith("<method 'commit'"):
                commit += own
    return inside * 1000 / n, commit * 1000 / n


def wal_pages_of(db_path: Path, action) -> int:  # type: ignore[no-untyped-def]
    """How many pages `action` appends to the WAL (a checkout's commit writes each dirty page once)."""
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    action()
    return (Path(f"{db_path}-wal").stat().st_size - 32) // (4096 + 24)


def bare_commit(path: Path, pages: int):  # type: ignore[no-untyped-def]
    """A transaction that inserts one row into each of `pages` tables (one leaf page each) and commits."""
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    for i in range(pages):
        raw.execute(f"create table t{i} (id integer primary key, v text)")

    def bare() -> None:
        raw.execute("BEGIN IMMEDIATE")
        for i in range(pages):
            raw.execute(f"insert into t{i} (v) values ('x')")
        raw.execute("COMMIT")

    return bare


def build_large_store(path: Path, members: int, entries: int) -> Terminal:
    result = init_terminal(path, terminal_id="BIG", manager_pin="9999")
    terminal = result.terminal
    (path / "p.json").write_text(PROGRAM)
    from pos_client.services.programs import load_program_file

    load_program_file(terminal, path / "p.json")
    terminal.close()
    db = sqlite3.connect(path / "kupa.sqlite3")
    db.execute("update program_versions set loaded_at='2000-01-01T00:00:00+00:00'")
    now = datetime.now(timezone.utc)
    rng = random.Random(1)
    db.executemany("insert into members (member_id, name, phone, enrolled_at, enrolled_by_terminal) values (?,?,?,?,?)",
                   ((f"M{i:07d}", f"Member {i}", f"05{i:08d}", to_iso(now - timedelta(days=800)), "BIG")
                    for i in range(members)))
    per_member = [0] * members
    rows = []
    heavy = members - 1  # the last member has a long history (10% of all entries)
    for seq in range(entries):
        m = heavy if seq % 10 == 0 else rng.randrange(members - 1)
        per_member[m] += 1
        when = now - timedelta(days=rng.uniform(0, 3 * 365))
        rows.append((str(uuid.UUID(int=rng.getrandbits(128))), f"M{m:07d}", "BIG", seq + 1, "earn", 10, 0, 1000,
                     to_iso(when)))
        if len(rows) == 100_000:
            db.executemany("insert into ledger_entries (entry_id, member_id, terminal_id, seq, kind, points_delta, "
                           "stamps_delta, spend_delta, created_at, value, membership_days) values (?,?,?,?,?,?,?,?,?,0,0)",
                           rows)
            rows.clear()
    if rows:
        db.executemany("insert into ledger_entries (entry_id, member_id, terminal_id, seq, kind, points_delta, "
                       "stamps_delta, spend_delta, created_at, value, membership_days) values (?,?,?,?,?,?,?,?,?,0,0)", rows)
    db.executemany("insert into member_balances (member_id, points, credits_total, debits_total, sales_count) "
                   "values (?,?,?,0,?)", ((f"M{i:07d}", 10 * n, 10 * n, n) for i, n in enumerate(per_member)))
    db.execute("INSERT INTO member_days (member_id, day, spend, credits) SELECT member_id, substr(created_at, 1, 10),"
               " sum(spend_delta), sum(max(points_delta, 0)) FROM ledger_entries GROUP BY 1, 2")
    db.commit()
    db.execute("ANALYZE")
    db.close()
    print(f"large store: {members:,} members, {entries:,} ledger entries; heaviest member has {per_member[heavy]:,}"
          f" entries, a typical one {statistics.median(per_member):.0f}")
    return Terminal.open(path)


def bench_lookup(tmp: Path, members: int, entries: int) -> None:
    t = time.perf_counter()
    terminal = build_large_store(tmp / "big", members, entries)
    print(f"(built in {time.perf_counter() - t:.1f} s)")
    rng = random.Random(2)
    now = datetime.now(timezone.utc)

    def lookup(code: str) -> None:
        with terminal.read() as session:
            found = identify(session, code)
            program = program_at(session, now)
            member_state(session, found.member, program, now, can_spend=False, terminal_id="BIG")

    report("member lookup with balance, typical member (by phone)",
           timed(lambda: lookup(f"05{rng.randrange(members - 1):08d}"), 200))
    report("member lookup with balance, typical member (by id)",
           timed(lambda: lookup(f"M{rng.randrange(members - 1):07d}"), 200))
    report("member lookup with balance, member with the longest history",
           timed(lambda: lookup(f"M{members - 1:07d}"), 100))
    from pos_client.services.catalog import load_catalog_file

    load_catalog_file(terminal, tmp / "c.csv")  # the products of bench_checkout
    items = tuple((f"P{i}", 1) for i in range(5))
    report("durable checkout on this store: 5 lines, a typical member (by id)", timed(
        lambda: checkout(terminal, BasketRequest(items=items, member_code=f"M{rng.randrange(members - 1):07d}")), 200))
    terminal.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=2_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_price()
        bench_checkout(Path(tmp))
        bench_lookup(Path(tmp), args.members, args.entries)


if __name__ == "__main__":
    main()
