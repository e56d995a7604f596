"""Sync benchmark: push 100,000 ledger entries to HQ over loopback, bootstrap a terminal with 100,000 members,
and watch HQ's memory (it must stay flat: HQ streams pages, it never loads a whole table).

HQ runs as a real `kupa-hq serve` subprocess (so its RSS is its own), on SQLite and, when
`KUPA_TEST_POSTGRES_URL` is set, on PostgreSQL in a throw-away schema. Usage:

    .venv/bin/python bench/bench_sync.py [--entries 100000] [--members 100000]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from pos_client.cli.main import main as kupa
from pos_client.db.models import LedgerEntry, Member, OutboxRow
from pos_client.services.setup import init_terminal
from pos_client.terminal import Terminal, put_setting
from sync.client import sync_once
from sync.hq import admin
from sync.hq.db import Database

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
HQ_BIN = Path(sys.executable).parent / "kupa-hq"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of `pid` in KiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def _wait_up(url: str) -> None:
    import requests  # type: ignore[import-untyped,unused-ignore]

    for _ in range(200):
        try:
            if requests.get(url + "/v1/health", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.05)
    raise RuntimeError("HQ did not start")


def _terminal(root: Path, name: str, url: str, token: str) -> Terminal:
    result = init_terminal(root / name, terminal_id=name, manager_pin="9999")
    with result.terminal.unit_of_work() as session:
        put_setting(session, "server_url", url)
        put_setting(session, "sync_token", token)
    result.terminal.close()
    assert kupa(["--data-dir", str(root / name), "program", "load", str(DATA / "program_full.json")]) == 0
    return Terminal.open(root / name)


def _fill_outbox(terminal: Terminal, entries: int, prefix: str, members: int = 1000) -> None:
    """Members (in the terminal's HQ range) and `adjust` entries (no sale needed: HQ checks an earn against
    its sale) written straight into the terminal's tables (fast), each with its outbox row."""
    tid = terminal.settings.terminal_id
    now = "2026-03-01T10:00:00+00:00"
    with terminal.unit_of_work() as session:
        conn = session.connection()
        member_rows = [{"member_id": f"M{prefix}{n:05d}", "name": f"Bench {n}", "enrolled_at": now,
                        "enrolled_by_terminal": tid} for n in range(members)]
        conn.execute(insert(Member), member_rows)
        conn.execute(insert(OutboxRow), [
            {"kind": "member", "ref_id": m["member_id"], "created_at": now, "status": "pending",
             "payload": json.dumps(m | {"phone": None, "email": None, "birthday": None, "bonus_weekday": None,
                                        "referred_by": None})} for m in member_rows])
        for start in range(0, entries, 10_000):
            rows = [{"entry_id": str(uuid.uuid4()), "member_id": f"M{prefix}{n % members:05d}", "terminal_id": tid,
                     "seq": n + 1, "kind": "adjust", "points_delta": 10, "stamps_delta": 0, "punch_card": None,
                     "spend_delta": 1000, "value": 0, "membership_code": None, "membership_days": 0,
                     "sale_id": None, "reverses": None, "cashier_id": None, "reason": None, "ref_code": None,
                     "program_version": 7, "created_at": now} for n in range(start, min(entries, start + 10_000))]
            conn.execute(insert(LedgerEntry), rows)
            conn.execute(insert(OutboxRow), [
                {"kind": "ledger_entry", "ref_id": r["entry_id"], "payload": json.dumps(r), "created_at": now,
                 "status": "pending"} for r in rows])


def run(db_url: str, label: str, entries: int, members: int) -> dict[str, object]:
    root = Path(tempfile.mkdtemp(prefix=f"kupa-bench-{label}-"))
    port = _port()
    url = f"http://127.0.0.1:{port}"
    db = Database(db_url)
    from sync.hq.db import migrate

    migrate(db.engine)
    with db.write() as session:
        from sync.hq.auth import register

        pusher = register(session, "PUSH", "2026-03-01T00:00:00+00:00")
        fresh = register(session, "FRESH", "2026-03-01T00:00:00+00:00")
    admin.publish_program(db, DATA / "program_full.json")
    server = subprocess.Popen([str(HQ_BIN), "--db", db_url, "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_up(url)
        rss_start = _rss_kib(server.pid)
        terminal = _terminal(root, "PUSH", url, pusher.token)
        _fill_outbox(terminal, entries, pusher.member_prefix)
        began = time.perf_counter()
        summary = sync_once(terminal)
        push_s = time.perf_counter() - began
        assert summary.rejected == 0 and summary.pending == 0, summary
        rss_after_push = _rss_kib(server.pid)
        terminal.close()

        people = root / "members.json"
        people.write_text(json.dumps([{"member_id": f"M8{n:07d}", "name": f"Imported {n}",
                                       "phone": f"05{n:08d}"} for n in range(members)]))
        admin.import_members(db, people)
        fresh_terminal = _terminal(root, "FRESH", url, fresh.token)
        began = time.perf_counter()
        boot = sync_once(fresh_terminal, page_size=5000)  # the client default
        boot_s = time.perf_counter() - began
        fresh_terminal.close()
        rss_end = _rss_kib(server.pid)
    finally:
        server.terminate()
        server.wait(10)
        db.close()
    return {"hq": label, "entries": entries, "push_s": round(push_s, 2),
            "entries_per_s": round((entries + 1000) / push_s), "bootstrap_members": boot.members,
            "bootstrap_s": round(boot_s, 2), "hq_rss_mib_start": round(rss_start[0] / 1024),
            "hq_rss_mib_after_push": round(rss_after_push[0] / 1024),
            "hq_rss_mib_end": round(rss_end[0] / 1024), "hq_peak_rss_mib": round(rss_end[1] / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=100_000)
    args = parser.parse_args()
    logging.getLogger("sync.client").setLevel(logging.ERROR)  # bench entries skip the terminal's projections
    targets = [(f"sqlite:///{tempfile.mkdtemp(prefix='kupa-hq-')}/hq.sqlite3", "sqlite")]
    pg = os.environ.get("KUPA_TEST_POSTGRES_URL")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    if pg:
        with create_engine(pg, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        targets.append((f"{pg}{'&' if '?' in pg else '?'}options=-csearch_path%3D{schema}", "postgresql"))
    try:
        for url, label in targets:
            result = run(url, label, args.entries, args.members)
            sys.stdout.write(json.dumps(result) + "\n")
            sys.stdout.flush()
    finally:
        if pg:
            engine = create_engine(pg, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()


if __name__ == "__main__":
    main()
