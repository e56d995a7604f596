"""HQ's ledger and sales tables by month on PostgreSQL (migration 0004, `sync.hq.partitions`); plain on SQLite.

A push that brings a recent month without a partition makes it and its rows land there; a month older than the
push may reach lands in the default partition; `kupa-hq partitions ensure` makes the coming months once.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from pos_client.timeutil import to_iso, utcnow
from sync.hq import partitions
from sync.hq.cli import main as kupa_hq
from sync_harness import Hq


def _push(hq: Hq, token: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    answer = httpx.post(hq.url + "/v1/push", json={"protocol": 1, "items": items},
                        headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _where(hq: Hq, table: str, key: str, value: str) -> str:
    with hq.db.engine.connect() as conn:
        return str(conn.scalar(text(f"SELECT tableoid::regclass::text FROM {table} WHERE {key} = :v"), {"v": value}))


def test_a_push_makes_its_months_partition_and_old_months_go_to_the_default(hq: Hq) -> None:
    terminal_id, token = hq.register("P1")
    now = utcnow()
    recent, ancient = now - timedelta(days=150), now - timedelta(days=600)
    member = "M1010001"
    items: list[dict[str, Any]] = [{"kind": "member", "key": member, "body": {
        "member_id": member, "name": "Dana", "enrolled_at": to_iso(ancient), "enrolled_by_terminal": terminal_id}}]
    ids = {}
    for seq, moment in enumerate((recent, ancient), start=1):
        entry_id, sale_id = str(uuid.uuid4()), str(uuid.uuid4())
        ids[moment] = (entry_id, sale_id)
        items.append({"kind": "sale", "key": sale_id, "body": {
            "sale_id": sale_id, "kind": "sale", "terminal_id": terminal_id, "member_id": member,
            "created_at": to_iso(moment), "subtotal": 1000, "total": 1000}})
        items.append({"kind": "ledger_entry", "key": entry_id, "body": {
            "entry_id": entry_id, "member_id": member, "terminal_id": terminal_id, "seq": seq, "kind": "adjust",
            "points_delta": 10, "program_version": 7, "created_at": to_iso(moment)}})
    body = _push(hq, token, items)
    assert body["accepted"] == 5, body
    if not hq.db.is_postgres:  # plain tables
        with hq.db.engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM hq_entries")) == 2
            assert conn.scalar(text("SELECT count(*) FROM hq_entry_keys")) == 2
        return
    month = partitions.month_of(recent)
    for table, key, index in (("hq_entries", "entry_id", 0), ("hq_sales", "sale_id", 1)):
        assert _where(hq, table, key, ids[recent][index]) == partitions.partition_name(table, month)
        assert _where(hq, table, key, ids[ancient][index]) == f"{table}_default"
    # the same push again: duplicates, found through the key tables, nothing new anywhere
    again = _push(hq, token, items)
    assert again["duplicate"] == 5
    with hq.db.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM hq_entries")) == 2
        assert conn.scalar(text("SELECT count(*) FROM hq_entry_keys")) == 2


def test_partitions_ensure_makes_the_coming_months_once(hq: Hq, capsys: pytest.CaptureFixture[str]) -> None:
    assert kupa_hq(["--db", hq.db_url, "partitions", "ensure", "--months-ahead", "6", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)["created"]
    if not hq.db.is_postgres:
        assert made == []
        return
    # the migration made up to 3 months ahead; months 4 to 6 are new, for both tables
    expected = {partitions.partition_name(t, partitions.add_months(partitions.month_of(utcnow()), i))
                for t in partitions.TABLES for i in (4, 5, 6)}
    assert set(made) == expected
    assert kupa_hq(["--db", hq.db_url, "partitions", "ensure", "--months-ahead", "6", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == []


def test_partitions_ensure_refuses_a_silly_horizon(hq: Hq, capsys: pytest.CaptureFixture[str]) -> None:
    assert kupa_hq(["--db", hq.db_url, "partitions", "ensure", "--months-ahead", "121"]) == 1
    assert "--months-ahead must be between 0 and 120 (got 121)" in capsys.readouterr().err


def test_serve_refuses_a_worker_count_out_of_bounds(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    for workers in ("0", "65"):
        assert kupa_hq(["--db", db, "serve", "--workers", workers]) == 1
        assert f"--workers must be between 1 and 64 (got {workers})" in capsys.readouterr().err
