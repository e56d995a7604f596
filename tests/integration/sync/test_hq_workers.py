"""Two HQ processes on one PostgreSQL database behave as one HQ (`sync.hq.db`, docs/scale.md).

Two real `kupa-hq serve` processes on 127.0.0.1 (as a load balancer would have them) and one `--workers 2`
server share a throw-away schema. Terminals push to both at the same time — each terminal's batch sent to both
processes at once, as a retry racing its original would be — and HQ still stores every item exactly once: no
duplicate, no loss, balances equal to the sum of the entries, one change-log row per entry, change ids in
commit order. Wrong tokens counted by one process lock the address out at the other.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text, update

from sync.hq import admin, auth
from sync.hq.db import Database, migrate
from sync.hq.models import Change, HqAuthFailure, HqBalance, HqEntry, HqEntryKey, HqSale, HqSaleKey

pytestmark = pytest.mark.postgres
DATA = Path(__file__).resolve().parents[2] / "data"
HQ_BIN = Path(sys.executable).parent / "kupa-hq"
NOW = "2026-12-03T10:00:00.000000+00:00"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = os.environ.get("KUPA_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("KUPA_TEST_POSTGRES_URL is not set")
    schema = f"w_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


class Server:
    """A `kupa-hq serve` subprocess on a free port."""

    def __init__(self, db_url: str, workers: int = 1) -> None:
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([str(HQ_BIN), "--db", db_url, "serve", "--port", str(self.port),
                                         "--workers", str(workers)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 240  # worker processes import HQ: slow on a loaded machine
        while True:
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("HQ did not become ready")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@pytest.fixture
def hq_db(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    migrate(db.engine)
    admin.publish_program(db, DATA / "program_full.json")
    try:
        yield db
    finally:
        db.close()


def _register(db: Database, name: str) -> auth.Registration:
    with db.write() as session:
        return auth.register(session, name, NOW)


def _day(reg: auth.Registration, members: int, sales: int) -> list[dict[str, Any]]:
    """A terminal's push: its enrolments, then sales, each with its earn entry (1 point per ₪1)."""
    tid = reg.terminal_id
    items: list[dict[str, Any]] = [
        {"kind": "member", "key": f"M{reg.member_prefix}{n:04d}",
         "body": {"member_id": f"M{reg.member_prefix}{n:04d}", "name": f"Member {n}", "enrolled_at": NOW,
                  "enrolled_by_terminal": tid}} for n in range(members)]
    for n in range(sales):
        sale_id, entry_id, member = str(uuid.uuid4()), str(uuid.uuid4()), f"M{reg.member_prefix}{n % members:04d}"
        items.append({"kind": "sale", "key": sale_id, "body": {
            "sale_id": sale_id, "kind": "sale", "terminal_id": tid, "member_id": member, "program_version": 7,
            "created_at": NOW, "subtotal": 1000, "total": 1000, "points_earned": 10, "qualifying_spend": 1000}})
        items.append({"kind": "ledger_entry", "key": entry_id, "body": {
            "entry_id": entry_id, "member_id": member, "terminal_id": tid, "seq": n + 1, "kind": "earn",
            "points_delta": 10, "spend_delta": 1000, "sale_id": sale_id, "program_version": 7, "created_at": NOW}})
    return items


def _push(url: str, token: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    answer = httpx.post(url + "/v1/push", json={"protocol": 1, "items": items},
                        headers={"Authorization": f"Bearer {token}"}, timeout=120)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_two_hq_processes_store_every_item_exactly_once(hq_db: Database) -> None:
    terminals = [_register(hq_db, f"W{n}") for n in range(4)]
    days = {t.terminal_id: _day(t, members=20, sales=150) for t in terminals}
    a, b = Server(hq_db.url), Server(hq_db.url)
    try:
        with ThreadPoolExecutor(8) as pool:
            # every terminal's whole day to both processes at once: a retry racing its original
            answers = list(pool.map(lambda job: (job[0].terminal_id, _push(job[1], job[0].token,
                                                                           days[job[0].terminal_id])),
                                    [(t, s.url) for t in terminals for s in (a, b)]))
    finally:
        a.stop()
        b.stop()
    for terminal in terminals:
        mine = [body for tid, body in answers if tid == terminal.terminal_id]
        assert len(mine) == 2
        for index, item in enumerate(days[terminal.terminal_id]):
            statuses = sorted(body["results"][index]["status"] for body in mine)
            assert statuses == ["accepted", "duplicate"], (item["kind"], statuses, mine[0]["results"][index])
    with hq_db.read() as session:
        assert session.scalar(select(func.count()).select_from(HqEntry)) == 4 * 150
        assert session.scalar(select(func.count()).select_from(HqEntryKey)) == 4 * 150
        assert session.scalar(select(func.count()).select_from(HqSale)) == 4 * 150
        assert session.scalar(select(func.count()).select_from(HqSaleKey)) == 4 * 150
        assert session.scalar(select(func.count(func.distinct(HqEntry.entry_id)))) == 4 * 150
        points = dict(session.execute(select(HqBalance.member_id, HqBalance.points)).tuples().all())
        expected = {f"M{t.member_prefix}{m:04d}": 10 * len(range(m, 150, 20)) for t in terminals for m in range(20)}
        assert points == expected
        # an entry reaches the pull as its member's snapshot (`sync.hq.scope`): no raw entry in the change log,
        # and every member changed (enrolled, then credited) is there for its store
        assert session.scalars(select(Change.ref).where(Change.kind == "entry")).all() == []
        member_changes = session.scalars(select(Change.ref).where(Change.kind == "member")).all()
        assert set(member_changes) == set(expected)


def test_two_terminals_retrying_each_other_into_both_processes_never_lose_one(hq_db: Database) -> None:
    """Many small pushes from two terminals, each sent to both processes: every entry once, balances exact."""
    terminals = [_register(hq_db, f"R{n}") for n in range(2)]
    a, b = Server(hq_db.url), Server(hq_db.url)
    try:
        for terminal in terminals:
            _push(a.url, terminal.token, _day(terminal, members=5, sales=0))
        batches = []
        for terminal in terminals:
            day = _day(terminal, members=5, sales=200)[5:]
            batches += [(terminal, day[i:i + 40]) for i in range(0, len(day), 40)]
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(lambda job: _push(job[2], job[0].token, job[1]),
                          [(t, items, s.url) for t, items in batches for s in (a, b)]))
    finally:
        a.stop()
        b.stop()
    with hq_db.read() as session:
        assert session.scalar(select(func.count()).select_from(HqEntry)) == 2 * 200
        assert session.scalar(select(func.sum(HqBalance.points))) == 2 * 200 * 10
        assert session.scalar(select(func.sum(HqBalance.entries))) == 2 * 200


def test_the_token_throttle_is_shared_by_the_processes(hq_db: Database) -> None:
    """Both processes count into one row, and both refuse an address the row locks out. (The lock-out is
    checked by putting it far ahead in the row rather than by the 1 s the fifth wrong token earns, so the test
    does not depend on how fast the machine answers.)"""
    terminal = _register(hq_db, "THR")
    a, b = Server(hq_db.url), Server(hq_db.url)
    wrong = {"Authorization": f"Bearer {terminal.terminal_id}.{'x' * 43}"}
    right = {"Authorization": f"Bearer {terminal.token}"}
    try:
        for n in range(4):  # below the default throttle's 5: every one is a plain 401
            assert httpx.get((a, b)[n % 2].url + "/v1/status", headers=wrong).status_code == 401
        with hq_db.read() as session:
            assert session.execute(select(HqAuthFailure.client, HqAuthFailure.failures)).tuples().all() == \
                [("127.0.0.1", 4)]  # two wrong tokens at each process, counted in one row
        with hq_db.write() as session:
            session.execute(update(HqAuthFailure).values(blocked_until=time.time() + 3600))
        for server in (a, b):
            refused = httpx.get(server.url + "/v1/status", headers=right)
            assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 3000
        with hq_db.write() as session:
            session.execute(update(HqAuthFailure).values(blocked_until=0.0))
        assert httpx.get(b.url + "/v1/status", headers=right).status_code == 200  # a right token: forgotten
        with hq_db.read() as session:
            assert session.scalar(select(func.count()).select_from(HqAuthFailure)) == 0
    finally:
        a.stop()
        b.stop()


def test_serve_with_workers_answers_health_and_pushes(hq_db: Database) -> None:
    terminal = _register(hq_db, "WK")
    server = Server(hq_db.url, workers=2)
    try:
        assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
        assert httpx.get(server.url + "/readyz").json() == {"status": "ready"}
        body = _push(server.url, terminal.token, _day(terminal, members=3, sales=10))
        assert body["accepted"] == 3 + 20 and body["rejected"] == 0
    finally:
        server.stop()
