"""Chain load simulation: N terminals push a day's sales to a PostgreSQL HQ with W workers, then pull.

Each run creates a scratch PostgreSQL database on the server of `KUPA_TEST_POSTGRES_URL` (dropped at the end),
starts a real `kupa-hq serve --workers W` on 127.0.0.1, registers N terminals with HQ's own registration
(`sync.hq.auth.register`, what `kupa-hq register-terminal` runs) and lets N asyncio clients (at most
`--concurrency` at a time) do what a terminal does over HTTP:

1. `/v1/hello`, then push the day in batches of `--batch` items: its enrolments, and per sale the sale and its
   earn entry (a day of a 500-store × 4-terminal chain is ≈ 7.5M entries, ≈ 1,875 per terminal; `--sales`);
2. pull from cursor 0 until HQ says there is no more. The pull is called generically — `{"cursor": c}` and the
   answer's `cursor` / `has_more`, items counted over every list in the page — so the bench survives a change
   of the page's shape (issue #13 item 1).

It prints, per W: entries/s pushed and items/s pulled, p50/p99 push latency, HQ's CPU (the server's processes
and the PostgreSQL backends serving its database, read from /proc) and memory (RSS of the server's processes),
pull bytes per terminal, and the projected hours of HQ time to absorb a 500-store × 4-terminal day at the
measured rate. The machine's load average is printed beside the figures: on a shared machine they are a floor.
Bounded: N ≤ 2,000 terminals, `--max-seconds` per phase (clients stop starting batches past it), 127.0.0.1
only. Usage:

    KUPA_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bench_chain.py [--terminals 10] [--workers 1,2] [--sales 1875]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, make_url, text

from pos_client.ids import member_id
from pos_client.timeutil import to_iso, utcnow
from sync.hq import admin, auth
from sync.hq.db import Database, migrate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
HQ_BIN = Path(sys.executable).parent / "kupa-hq"
CHAIN_DAY_ENTRIES = 7_500_000  # 500 stores × 4 terminals × ~1,875 entries (issue #13)
MAX_TERMINALS = 2000
PROGRAM_VERSION = 7  # tests/data/program_full.json
TICKS = os.sysconf("SC_CLK_TCK")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    """`pid` and every process below it (the uvicorn workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [p for p, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def _cpu_s(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def _rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


async def _post(client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str],
                sim: Sim) -> httpx.Response:
    """POST with a terminal's patience: a dropped connection is retried (its push is idempotent), counted."""
    for attempt in range(3):
        try:
            return await client.post(url, json=body, headers=headers)
        except httpx.TransportError:
            sim.errors += 1
            if attempt == 2:
                raise
            await asyncio.sleep(1.0)
    raise AssertionError("unreachable")


@dataclass
class Sim:
    """One simulated terminal's token, day and figures."""

    terminal_id: str
    token: str
    items: list[dict[str, Any]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    accepted: int = 0
    entries: int = 0
    pulled_items: int = 0
    pulled_bytes: int = 0
    errors: int = 0


def _day(sim: Sim, prefix: str, members: int, sales: int) -> None:
    """The terminal's day: `members` enrolments, then `sales` sales each with its earn entry."""
    start = utcnow() - timedelta(minutes=30)
    moment = to_iso(start)
    ids = [member_id(prefix, n) for n in range(members)]  # the terminal's own id rule (new form, check digit)
    sim.items = [{"kind": "member", "key": m, "body": {"member_id": m, "name": f"Member {m}", "enrolled_at": moment,
                                                        "enrolled_by_terminal": sim.terminal_id}} for m in ids]
    for n in range(sales):
        at = to_iso(start + timedelta(milliseconds=n * 500))
        sale_id, entry_id, member = str(uuid.uuid4()), str(uuid.uuid4()), ids[n % members]
        total = 500 + (n * 37) % 20_000
        sim.items.append({"kind": "sale", "key": sale_id, "body": {
            "sale_id": sale_id, "kind": "sale", "terminal_id": sim.terminal_id, "member_id": member,
            "program_version": PROGRAM_VERSION, "created_at": at, "subtotal": total, "total": total,
            "points_earned": total // 100, "qualifying_spend": total}})
        sim.items.append({"kind": "ledger_entry", "key": entry_id, "body": {
            "entry_id": entry_id, "member_id": member, "terminal_id": sim.terminal_id, "seq": n + 1, "kind": "earn",
            "points_delta": total // 100, "spend_delta": total, "sale_id": sale_id,
            "program_version": PROGRAM_VERSION, "created_at": at}})
    sim.entries = sales


async def _push_day(client: httpx.AsyncClient, url: str, sim: Sim, batch: int, deadline: float) -> None:
    headers = {"Authorization": f"Bearer {sim.token}"}
    for start in range(0, len(sim.items), batch):
        if time.monotonic() > deadline:
            return
        began = time.perf_counter()
        answer = await _post(client, url + "/v1/push", {"protocol": 1, "items": sim.items[start:start + batch]},
                             headers, sim)
        sim.latencies.append(time.perf_counter() - began)
        answer.raise_for_status()
        body = answer.json()
        if body.get("rejected"):
            refused = [r for r in body["results"] if r["status"] == "rejected"][:3]
            raise RuntimeError(f"{sim.terminal_id}: HQ refused items: {refused}")
        sim.accepted += int(body.get("accepted", 0)) + int(body.get("duplicate", 0))


async def _pull_all(client: httpx.AsyncClient, url: str, sim: Sim, deadline: float) -> None:
    """Pull from the start until HQ has no more (generic: only `cursor` and `has_more` are read)."""
    headers = {"Authorization": f"Bearer {sim.token}"}
    cursor: Any = 0
    while time.monotonic() < deadline:
        answer = await _post(client, url + "/v1/pull", {"cursor": cursor}, headers, sim)
        answer.raise_for_status()
        sim.pulled_bytes += len(answer.content)
        page = answer.json()
        sim.pulled_items += sum(len(v) for v in page.values() if isinstance(v, list))
        if not page.get("has_more") or page.get("cursor") == cursor:
            return
        cursor = page.get("cursor")


async def _phase(sims: list[Sim], job: Any, concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=httpx.Timeout(300.0), limits=limits) as client:
        async def one(sim: Sim) -> None:
            async with gate:
                await job(client, sim)
        began = time.perf_counter()
        await asyncio.gather(*(one(sim) for sim in sims))
        return time.perf_counter() - began


def _register(db: Database, count: int, per_store: int) -> tuple[list[Sim], str | None]:
    """`count` terminals, `per_store` to a store (S0000, S0001, …): a store's pull carries its own members."""
    sims: list[Sim] = []
    now = to_iso(utcnow())
    for n in range(count):
        try:
            with db.write() as session:
                reg = auth.register(session, f"CH{n:04d}", now, store=f"S{n // per_store:04d}")
        except auth.RegistrationError as exc:  # the member-id prefixes ran out (issue #13 item 2)
            return sims, str(exc)
        sims.append(Sim(reg.terminal_id, reg.token))
    return sims, None


def run(base_url: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    name = f"kupa_chain_{uuid.uuid4().hex[:10]}"
    server_url = make_url(base_url)
    admin_engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = server_url.set(database=name).render_as_string(hide_password=False)
    server: subprocess.Popen[bytes] | None = None
    try:
        db = Database(db_url)
        migrate(db.engine)
        admin.publish_program(db, DATA / "program_full.json")
        sims, capped = _register(db, args.terminals, args.per_store)
        port = _port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([str(HQ_BIN), "--db", db_url, "serve", "--port", str(port), "--workers",
                                   str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("HQ did not become ready")
            time.sleep(0.2)

        async def hello(client: httpx.AsyncClient, sim: Sim) -> None:
            answer = await client.post(url + "/v1/hello", json={"protocol": 1},
                                       headers={"Authorization": f"Bearer {sim.token}"})
            answer.raise_for_status()
            _day(sim, answer.json()["member_prefix"], args.members, args.sales)

        asyncio.run(_phase(sims, hello, args.concurrency))

        def backends() -> list[int]:
            with admin_engine.connect() as conn:
                return list(conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"),
                                         {"d": name}).scalars())

        def cpu() -> float:
            return _cpu_s(_children(server.pid)) + _cpu_s(backends()) if server else 0.0

        load_before = os.getloadavg()
        cpu0 = cpu()
        push_deadline = time.monotonic() + args.max_seconds
        push_s = asyncio.run(_phase(sims, lambda c, s: _push_day(c, url, s, args.batch, push_deadline),
                                    args.concurrency))
        cpu1 = cpu()
        rss_push = _rss_mib(_children(server.pid))
        pull_deadline = time.monotonic() + args.max_seconds
        pull_s = asyncio.run(_phase(sims, lambda c, s: _pull_all(c, url, s, pull_deadline), args.concurrency))
        cpu2 = cpu()
        rss_pull = _rss_mib(_children(server.pid))
        entries = sum(min(s.entries, s.accepted) for s in sims)
        pushed_entries = sum(sum(1 for i in s.items[:s.accepted] if i["kind"] == "ledger_entry") for s in sims)
        latencies = sorted(x for s in sims for x in s.latencies)
        pulled = sum(s.pulled_items for s in sims)
        per_s = pushed_entries / push_s if push_s else 0.0
        hq_cpu_push = cpu1 - cpu0
        result = {
            "workers": workers, "terminals": len(sims), "registration_capped": capped,
            "entries_pushed": pushed_entries, "items_pushed": sum(s.accepted for s in sims),
            "push_s": round(push_s, 2), "entries_per_s_pushed": round(per_s),
            "push_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
            "push_p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1)
            if latencies else None,
            "pull_s": round(pull_s, 2), "items_pulled": pulled,
            "items_per_s_pulled": round(pulled / pull_s) if pull_s else 0,
            "pull_bytes_per_terminal_mean": round(statistics.mean(s.pulled_bytes for s in sims)) if sims else 0,
            "pull_bytes_per_terminal_max": max((s.pulled_bytes for s in sims), default=0),
            "hq_cpu_s_push": round(hq_cpu_push, 1), "hq_cpu_s_pull": round(cpu2 - cpu1, 1),
            "hq_cpu_ms_per_1k_entries": round(hq_cpu_push / pushed_entries * 1e6) if pushed_entries else None,
            "hq_rss_mib_after_push": round(rss_push), "hq_rss_mib_after_pull": round(rss_pull),
            "projected_hours_chain_day": round(CHAIN_DAY_ENTRIES / per_s / 3600, 2) if per_s else None,
            "projected_hours_chain_day_hq_cpu": round(CHAIN_DAY_ENTRIES * hq_cpu_push / pushed_entries / 3600, 2)
            if pushed_entries else None,
            "transport_errors_retried": sum(s.errors for s in sims),
            "load_avg_before": [round(x, 1) for x in load_before],
            "load_avg_after": [round(x, 1) for x in os.getloadavg()], "cpus": os.cpu_count(),
        }
        del entries
        db.close()
        return result
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terminals", type=int, default=10, help=f"simulated terminals (1-{MAX_TERMINALS})")
    parser.add_argument("--workers", default="1,2", help="HQ worker counts to run, comma-separated (default 1,2)")
    parser.add_argument("--sales", type=int, default=1875, help="sales per terminal (each with its earn entry)")
    parser.add_argument("--members", type=int, default=200, help="members each terminal enrols")
    parser.add_argument("--per-store", type=int, default=4, help="terminals in each store (default 4)")
    parser.add_argument("--batch", type=int, default=2000, help="items per push (the terminal's PUSH_BATCH)")
    parser.add_argument("--concurrency", type=int, default=20, help="terminals talking to HQ at once")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="time limit of each phase")
    args = parser.parse_args(argv)
    base = os.environ.get("KUPA_TEST_POSTGRES_URL")
    if not base:
        parser.error("set KUPA_TEST_POSTGRES_URL (a PostgreSQL server on 127.0.0.1 where a scratch database"
                     " may be created)")
    host = make_url(base).host
    if host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the bench runs against a PostgreSQL server on 127.0.0.1 only")
    if not 1 <= args.terminals <= MAX_TERMINALS or not 1 <= args.concurrency <= 200 or args.sales < 1 \
            or not 1 <= args.members <= 9999 or not 1 <= args.batch <= 5000 or args.per_store < 1:
        parser.error("out of bounds: 1-2000 terminals, 1-200 concurrent, 1-9999 members, 1-5000 items a batch")
    for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
        result = run(base, workers, args)
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
