"""Shared machinery of the reliability suites and the soak scripts (`bench/soak_crash.py`, `bench/soak_network.py`).

* `build_template()` makes a terminal joined to a real HQ (an HQ SQLite file plus a terminal folder with a
  program, a catalog, members and a few sales, all synced). Every batch of a suite copies it, so the slow
  set-up (scrypt PINs, migrations, the first sync) is paid once.
* `check_store()` is the crash oracle: it opens a terminal's SQLite file as a recovering reader would after
  a power cut and checks every invariant the ledger promises (see its docstring).
* `kill_batch()` runs `python -m pos_client ...` commands as subprocesses and SIGKILLs each at a random moment.
* `start_hq()` serves HQ with uvicorn on 127.0.0.1 in a thread (the sync suite's `Hq` helper).
"""

from __future__ import annotations

import json
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
sys.path.insert(0, str(ROOT / "tests" / "integration" / "sync"))

from sync_harness import FAST_RETRY, Hq, _free_port  # noqa: E402

from pos_client.services.setup import init_terminal  # noqa: E402
from pos_client.terminal import DB_NAME, Terminal, put_setting  # noqa: E402
from sync.hq import admin  # noqa: E402

MANAGER_PIN = "9999"
TERMINAL_ID = "T1"
KUPA = [sys.executable, "-m", "pos_client"]

#: The three long suites (kills, network faults, model-based) run a quarter to a fifth of their full sizes in
#: CI so the whole test suite stays a few minutes; `KUPA_RELIABILITY_FULL=1` runs the full sizes (200 kills,
#: 1,000 faulty push batches, 25 model examples), the soak scripts in bench/ ten times more.
FULL = os.environ.get("KUPA_RELIABILITY_FULL", "") not in ("", "0")


def size(ci: int, full: int) -> int:
    """A suite's count: `ci` by default, `full` under KUPA_RELIABILITY_FULL=1."""
    return full if FULL else ci


_START_LOCK = threading.Lock()


def start_hq(db_file: Path) -> Hq:
    """HQ on `db_file` (SQLite), serving on a free loopback port (Alembic is not thread-safe: one at a time)."""
    server = Hq(f"sqlite:///{db_file}", _free_port())
    with _START_LOCK:
        server.start()
    return server


def stop_hq(server: Hq) -> None:
    server.stop()
    if server.app is not None:
        server.db.close()


@dataclass
class Template:
    root: Path
    store: Path
    hq_file: Path
    members: list[str]
    tokens: dict[str, str]


def build_template(root: Path, *, members: int = 4, sales: int = 4) -> Template:
    """A synced terminal `T1` (program, catalog, members, sales) and its HQ file, under `root`."""
    from pos_client.services.checkout import BasketRequest, checkout
    from pos_client.services.programs import load_program_file
    from pos_client.services.catalog import load_catalog_file
    from pos_client.services.members import enrol
    from pos_client.services.programs import program_at
    from pos_client.timeutil import utcnow
    from sync.client import sync_once

    root.mkdir(parents=True, exist_ok=True)
    hq_file = root / "hq.sqlite3"
    hq = start_hq(hq_file)
    try:
        admin.publish_program(hq.db, DATA / "program_full.json")
        admin.load_catalog(hq.db, DATA / "catalog.csv")
        terminal_id, token = hq.register(TERMINAL_ID)
        store = root / "store"
        result = init_terminal(store, terminal_id=terminal_id, manager_pin=MANAGER_PIN, store_name="Reliability")
        terminal = result.terminal
        with terminal.unit_of_work() as session:
            put_setting(session, "server_url", hq.url)
            put_setting(session, "sync_token", token)
        load_program_file(terminal, DATA / "program_full.json")
        load_catalog_file(terminal, DATA / "catalog.csv")
        sync_once(terminal, retry=FAST_RETRY)  # registers the card key, adopts the member prefix
        ids, cards = [], {}
        for n in range(members):
            now = utcnow()
            with terminal.unit_of_work() as session:
                member, _card, token_text = enrol(terminal, session, program_at(session, now), now,
                                                  name=f"Member {n}", phone=f"05{n}-1234567")
            ids.append(member.member_id)
            cards[member.member_id] = token_text
        for n in range(sales):
            checkout(terminal, BasketRequest(items=(("COFFEE-S", 2), ("SHOE", 1)), member_code=ids[n % len(ids)]))
        sync_once(terminal, retry=FAST_RETRY)
        terminal.close()
    finally:
        stop_hq(hq)
    return Template(root, store, hq_file, ids, cards)


def copy_template(template: Template, target: Path) -> tuple[Path, Path]:
    """A private copy (terminal folder, HQ file) of the template under `target`."""
    target.mkdir(parents=True, exist_ok=True)
    store = target / "store"
    shutil.copytree(template.store, store)
    hq_file = target / "hq.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(template.hq_file) + suffix)
        if src.exists():
            shutil.copy(src, str(hq_file) + suffix)
    return store, hq_file


# --- the crash oracle ----------------------------------------------------------------------------------------

@dataclass
class StoreFacts:
    sales: int = 0
    refunds: int = 0
    entries: int = 0
    members: int = 0


def _utc_day(created_at: str) -> str:
    return datetime.fromisoformat(created_at).astimezone(timezone.utc).date().isoformat()


def check_store(store: Path, *, successes: list[str] = (), refund_successes: list[str] = ()) -> StoreFacts:
    """Assert the invariants a crash must never break; return what the store holds.

    * `PRAGMA integrity_check` is ok and foreign keys hold;
    * every sale and refund is whole: lines, an outbox row; a member sale has its `earn` entry; a refund has
      its audit row and its reversing entries carry the refund's timestamp;
    * every ledger entry has exactly one outbox row, and no outbox row points at nothing;
    * every id a command reported (`successes`, `refund_successes`) is present exactly once;
    * `member_balances` (points, credits, debits), `member_stamps` and `member_days` equal the ledger's sums.
    """
    conn = sqlite3.connect(store / DB_NAME, timeout=30)
    try:
        q = conn.execute
        assert q("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert q("PRAGMA foreign_key_check").fetchall() == []
        sales = {sid: (kind, member, refund_of, created, bool(pts or red or spend)) for
                 sid, kind, member, refund_of, created, pts, red, spend in
                 q("SELECT sale_id, kind, member_id, refund_of, created_at, points_earned, redeemed_points, "
                   "qualifying_spend FROM sales")}
        lines = Counter(sid for (sid,) in q("SELECT sale_id FROM sale_lines"))
        outbox = Counter((kind, ref) for kind, ref in q("SELECT kind, ref_id FROM outbox"))
        entries = q("SELECT entry_id, member_id, kind, points_delta, stamps_delta, punch_card, spend_delta, "
                    "sale_id, created_at FROM ledger_entries").fetchall()
        reversed_of = dict(q("SELECT entry_id, reverses FROM ledger_entries WHERE reverses IS NOT NULL"))
        created_of = {e[0]: e[8] for e in entries}
        audits = {json.loads(d).get("refund_id") for (d,) in q("SELECT details FROM audit_log WHERE action='refund'")}
        earn_sales = {e[7] for e in entries if e[2] == "earn"}
        reverse_times = {(e[7], e[8]) for e in entries if e[2] == "reverse"}
        for sid, (kind, member, refund_of, created, moves_points) in sales.items():
            assert lines[sid] >= 1, f"sale {sid} has no lines"
            assert outbox[("sale", sid)] == 1, f"sale {sid} has {outbox[('sale', sid)]} outbox rows"
            if kind == "sale" and member:
                assert sid in earn_sales, f"member sale {sid} has no earn entry"
            if kind == "refund":
                assert sid in audits, f"refund {sid} has no audit row"
                assert refund_of in sales
                if member and moves_points:
                    assert (refund_of, created) in reverse_times, f"refund {sid} has no reversing entries"
        for entry in entries:
            assert outbox[("ledger_entry", entry[0])] == 1, f"entry {entry[0]} has no outbox row"
        entry_ids = {e[0] for e in entries}
        for (kind, ref), count in outbox.items():
            assert count == 1, f"outbox {kind} {ref} appears {count} times"
            if kind == "ledger_entry":
                assert ref in entry_ids, f"outbox row for a missing entry {ref}"
            if kind == "sale":
                assert ref in sales, f"outbox row for a missing sale {ref}"
        for sid in list(successes) + list(refund_successes):
            assert sid in sales, f"sale {sid} was reported done but is not in the store"
        assert len(set(successes)) == len(list(successes)), "one sale id reported twice"
        # projections == ledger
        points: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        stamps: Counter[tuple[str, str]] = Counter()
        days: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for eid, mid, _kind, pts, stp, card, spend, _sid, created in entries:
            agg = points[mid]
            agg[0] += pts
            agg[1 if pts > 0 else 2] += abs(pts)
            if stp:
                stamps[(mid, card)] += stp
            # a refund's spend counts on the day of the sale it reverses; credits on their own UTC day
            spend_at = created_of.get(reversed_of.get(eid, ""), created)
            days[(mid, _utc_day(spend_at))][0] += spend
            days[(mid, _utc_day(created))][1] += max(pts, 0)
        for mid, pts, credits, debits in q("SELECT member_id, points, credits_total, debits_total FROM member_balances"):
            assert [pts, credits, debits] == points.get(mid, [0, 0, 0]), f"member {mid}: balance != ledger"
        assert set(points) <= {m for (m,) in q("SELECT member_id FROM member_balances")}
        held = {(m, c): s for m, c, s in q("SELECT member_id, punch_card, stamps FROM member_stamps")}
        assert {k: v for k, v in held.items() if v} == {k: v for k, v in stamps.items() if v}, "stamps != ledger"
        assert all(v >= 0 for v in held.values()), "negative stamps"
        got_days = {(m, d): [s, c] for m, d, s, c in q("SELECT member_id, day, spend, credits FROM member_days")}
        assert {k: v for k, v in got_days.items() if v != [0, 0]} == \
               {k: v for k, v in days.items() if v != [0, 0]}, "member_days != ledger"
        return StoreFacts(sales=sum(1 for s in sales.values() if s[0] == "sale"),
                          refunds=sum(1 for s in sales.values() if s[0] == "refund"), entries=len(entries),
                          members=q("SELECT count(*) FROM members").fetchone()[0])
    finally:
        conn.close()


def check_hq(store: Path, hq_file: Path) -> None:
    """After a full sync: HQ holds each of the terminal's sales and entries exactly once, with equal balances."""
    local = sqlite3.connect(store / DB_NAME, timeout=30)
    remote = sqlite3.connect(hq_file, timeout=30)
    try:
        pending = local.execute("SELECT count(*) FROM outbox WHERE status != 'accepted'").fetchone()[0]
        assert pending == 0, f"{pending} outbox rows not accepted by HQ"
        sales = {s for (s,) in local.execute("SELECT sale_id FROM sales")}
        hq_sales = Counter(s for (s,) in remote.execute("SELECT sale_id FROM hq_sales WHERE terminal_id=?",
                                                         (TERMINAL_ID,)))
        assert set(hq_sales) == sales and set(hq_sales.values()) <= {1}
        entries = {e for (e,) in local.execute("SELECT entry_id FROM ledger_entries WHERE terminal_id=?",
                                               (TERMINAL_ID,))}
        hq_entries = Counter(e for (e,) in remote.execute("SELECT entry_id FROM hq_entries WHERE terminal_id=?",
                                                           (TERMINAL_ID,)))
        assert set(hq_entries) == entries and set(hq_entries.values()) <= {1}
        here = dict(local.execute("SELECT member_id, points FROM member_balances"))
        there = dict(remote.execute("SELECT member_id, points FROM hq_balances"))
        assert {m: p for m, p in there.items() if m in here} == here
    finally:
        local.close()
        remote.close()


# --- kill anywhere -------------------------------------------------------------------------------------------

@dataclass
class KillStats:
    runs: int = 0
    kills: int = 0
    completed: int = 0
    refused: int = 0
    by_command: Counter[str] = field(default_factory=Counter)
    typical: dict[str, float] = field(default_factory=dict)
    sales_seen: int = 0
    reported: int = 0


def _sale_ids(store: Path) -> list[tuple[str, str | None]]:
    conn = sqlite3.connect(store / DB_NAME, timeout=30)
    try:
        return conn.execute("SELECT sale_id, member_id FROM sales WHERE kind='sale'").fetchall()
    finally:
        conn.close()


def _command(rng: random.Random, store: Path, members: list[str], server: str) -> tuple[str, list[str]]:
    roll = rng.random()
    base = ["--data-dir", str(store)]
    if roll < 0.55:
        items = ["--item", rng.choice(["COFFEE-S", "COFFEE-L:2", "CROISSANT", "SHOE", "CIG"])]
        if rng.random() < 0.5:
            items += ["--item", rng.choice(["COFFEE-S:3", "GIFT", "CROISSANT:2"])]
        if rng.random() < 0.15:
            return "checkout", [*base, "checkout", *items, "--json"]
        member = ["--member", rng.choice(members)]
        if rng.random() < 0.3:
            member += ["--redeem", "100", "--pin", MANAGER_PIN]
        return "checkout", [*base, "checkout", *member, *items, "--json"]
    if roll < 0.8:
        sales = _sale_ids(store)
        sale_id = rng.choice(sales)[0]
        extra = [] if rng.random() < 0.5 else ["--item", "SHOE:1"] if rng.random() < 0.5 else ["--item", "COFFEE-S:1"]
        return "refund", [*base, "refund", sale_id, *extra, "--pin", MANAGER_PIN, "--json"]
    return "sync", [*base, "sync", "--once", "--server", server, "--json"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class SpawnRunner:
    """Each command is a fresh `python -m pos_client` process."""

    name = "spawn"

    def run(self, args: list[str], delay: float | None) -> tuple[int, bytes, bytes]:
        proc = subprocess.Popen([*KUPA, *args], cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate()
        return proc.returncode, out, err

    def close(self) -> None:
        pass


class ForkRunner:
    """Each command is a child forked from a zygote that already imported the CLI (see `forkserver.py`)."""

    name = "fork"

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("forkserver.py"))], cwd=ROOT,
                                     env=_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self._buffer = b""
        assert self._line(60) == {"ready": True}

    def _line(self, timeout: float | None) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError("the fork server died")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)  # type: ignore[no-any-return]

    def run(self, args: list[str], delay: float | None) -> tuple[int, bytes, bytes]:
        assert self.proc.stdin is not None
        out, err = self.scratch / "out.txt", self.scratch / "err.txt"
        self.proc.stdin.write((json.dumps({"argv": args, "out": str(out), "err": str(err)}) + "\n").encode())
        started = self._line(60)
        assert started is not None
        done = self._line(delay)
        if done is None:
            try:
                os.kill(started["pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass
            done = self._line(60)
            assert done is not None
        return done["status"], out.read_bytes(), err.read_bytes()

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def typical_durations(runner: Any, store: Path, members: list[str], server: str) -> dict[str, float]:
    """Seconds an uninterrupted run of each command takes here (measured on the batch's own store)."""
    out = {}
    base = ["--data-dir", str(store)]
    for name, args in (("checkout", [*base, "checkout", "--member", members[0], "--item", "COFFEE-S", "--json"]),
                       ("sync", [*base, "sync", "--once", "--server", server, "--json"])):
        start = time.monotonic()
        code, _out, err = runner.run(args, None)
        assert code == 0, err
        out[name] = time.monotonic() - start
    sale = _sale_ids(store)[-1][0]
    start = time.monotonic()
    code, _out, err = runner.run([*base, "refund", sale, "--pin", MANAGER_PIN, "--json"], None)
    assert code == 0, err
    out["refund"] = time.monotonic() - start
    return out


def kill_batch(store: Path, hq_file: Path, members: list[str], *, kills: int, seed: int, fork: bool = True,
               check_every: int = 1) -> KillStats:
    """Run commands against `store`, SIGKILLing each after a random delay, until `kills` were killed.

    The delay is uniform in [0, the command's typical duration]. After each run (every `check_every`-th)
    the store is checked; at the end a clean sync must bring HQ to exactly the terminal's sales and entries.
    """
    from sync.client import sync_once

    rng = random.Random(seed)
    hq = start_hq(hq_file)
    stats = KillStats()
    successes: list[str] = []
    refunds_done: list[str] = []
    runner: Any = ForkRunner(store.parent) if fork else SpawnRunner()
    try:
        typical = typical_durations(runner, store, members, hq.url)
        stats.typical = typical
        check_store(store)
        while stats.kills < kills:
            name, args = _command(rng, store, members, hq.url)
            code, out, err = runner.run(args, rng.uniform(0, typical[name]))
            stats.runs += 1
            stats.by_command[name] += 1
            if code == -signal.SIGKILL:
                stats.kills += 1
            elif code == 0:
                stats.completed += 1
                data = json.loads(out)
                if name == "checkout":
                    successes.append(data["sale_id"])
                elif name == "refund":
                    refunds_done.append(data["refund_id"])
            else:
                assert code == 1, (args, code, err.decode()[-2000:])
                assert b"Traceback" not in err
                stats.refused += 1
            if stats.runs % check_every == 0:
                check_store(store, successes=successes, refund_successes=refunds_done)
        check_store(store, successes=successes, refund_successes=refunds_done)
        terminal = Terminal.open(store)
        try:
            summary = sync_once(terminal, hq.url, retry=FAST_RETRY)
            assert summary.rejected == 0 and summary.pending == 0, summary
        finally:
            terminal.close()
        facts = check_store(store, successes=successes, refund_successes=refunds_done)
        check_hq(store, hq_file)
        stats.sales_seen, stats.reported = facts.sales, len(successes) + len(refunds_done)
    finally:
        runner.close()
        stop_hq(hq)
    return stats


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


__all__ = ["FAST_RETRY", "Hq", "KillStats", "MANAGER_PIN", "Template", "build_template", "check_hq", "check_store",
           "copy_template", "kill_batch", "start_hq", "stop_hq", "timedelta", "utc"]
