"""A ledger written by an older Kupa survives the upgrade: Alembic migrations carry data forward."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic import command

from pos_client.db.engine import alembic_config, make_engine, migrate


def test_upgrade_from_the_first_schema_keeps_and_projects_the_ledger(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "kupa.sqlite3")
    command.upgrade(alembic_config(engine), "0001")
    with sqlite3.connect(tmp_path / "kupa.sqlite3") as db:
        db.execute("insert into members (member_id, name, enrolled_at, enrolled_by_terminal) "
                   "values ('M1000001', 'Old', '2026-01-01T00:00:00+00:00', 'T1')")
        # the last one is 22:30 UTC on 3 February, written with another offset: the day is parsed, not sliced
        for seq, (points, spend, at) in enumerate([(50, 0, "2026-01-01T10:00:00+00:00"),
                                                   (120, 12000, "2026-02-03T10:00:00+00:00"),
                                                   (30, 3000, "2026-02-04T00:30:00+02:00")], start=1):
            db.execute("insert into ledger_entries (entry_id, member_id, terminal_id, seq, kind, points_delta, "
                       "stamps_delta, spend_delta, value, membership_days, created_at) "
                       "values (?, 'M1000001', 'T1', ?, 'earn', ?, 0, ?, 0, 0, ?)",
                       (f"e{seq}", seq, points, spend, at))
    migrate(engine)
    with sqlite3.connect(tmp_path / "kupa.sqlite3") as db:
        assert db.execute("select count(*) from ledger_entries").fetchone()[0] == 3
        rows = db.execute("select day, spend, credits from member_days order by day").fetchall()
    assert rows == [("2026-01-01", 0, 50), ("2026-02-03", 15000, 150)]
    engine.dispose()


def test_lean_sale_indexes_keep_the_lookups_the_terminal_makes(tmp_path: Path) -> None:
    """0007 drops the indexes nothing reads; the lookups of refunds, sale entries and member history keep theirs."""
    engine = make_engine(tmp_path / "kupa.sqlite3")
    migrate(engine)
    engine.dispose()
    with sqlite3.connect(tmp_path / "kupa.sqlite3") as db:
        indexes = {name for name, in db.execute("select name from sqlite_master where type = 'index'"
                                                " and tbl_name in ('sales', 'ledger_entries')")}
        plans = {query: " ".join(row[3] for row in db.execute(f"explain query plan {query}", ("x",)))
                 for query in ("select sale_id from sales where refund_of = ?",
                               "select entry_id from ledger_entries where sale_id = ?",
                               "select entry_id from ledger_entries where member_id = ? order by created_at")}
    assert not indexes & {"ix_sales_kind_time_kpi", "ix_sales_member_kind_time", "ix_sales_member_id",
                          "ix_ledger_kind_time"}
    assert "USING INDEX ix_sales_refund_of" in plans["select sale_id from sales where refund_of = ?"]
    assert "ix_ledger_entries_sale_id" in plans["select entry_id from ledger_entries where sale_id = ?"]
    assert "ix_ledger_member_time" in plans[
        "select entry_id from ledger_entries where member_id = ? order by created_at"]


def test_member_days_recount_puts_a_refunds_spend_on_its_sales_day(tmp_path: Path) -> None:
    """0011: a refund's spend reversal moves to the day of the sale it reverses; credits stay on their day."""
    engine = make_engine(tmp_path / "kupa.sqlite3")
    command.upgrade(alembic_config(engine), "0007")
    with sqlite3.connect(tmp_path / "kupa.sqlite3") as db:
        db.execute("insert into members (member_id, name, enrolled_at, enrolled_by_terminal) "
                   "values ('M1000001', 'Old', '2026-01-01T00:00:00+00:00', 'T1')")
        rows = [("e1", 1, "earn", 54, 5400, None, "2026-01-10T23:30:00+00:00"),
                ("e2", 2, "reverse", -54, -5400, "e1", "2026-03-01T08:00:00+00:00"),
                ("e3", 3, "earn", 10, 1000, None, "2026-03-01T09:00:00+00:00")]
        for eid, seq, kind, points, spend, reverses, created in rows:
            db.execute("insert into ledger_entries (entry_id, member_id, terminal_id, seq, kind, points_delta, "
                       "stamps_delta, spend_delta, value, membership_days, reverses, created_at) "
                       "values (?, 'M1000001', 'T1', ?, ?, ?, 0, ?, 0, 0, ?, ?)",
                       (eid, seq, kind, points, spend, reverses, created))
    migrate(engine)
    with sqlite3.connect(tmp_path / "kupa.sqlite3") as db:
        days = db.execute("select day, spend, credits from member_days order by day").fetchall()
    assert days == [("2026-01-10", 0, 54), ("2026-03-01", 1000, 10)]
    engine.dispose()


def _sale(db: sqlite3.Connection, sale_id: str, created: str, cashier: str | None = None) -> None:
    db.execute("insert into sales (sale_id, kind, terminal_id, cashier_id, created_at, currency, subtotal, "
               "discount_total, redeemed_points, redeemed_value, total, points_earned, qualifying_spend, quote) "
               "values (?, 'sale', 'T3', ?, ?, 'ILS', 900, 0, 0, 0, 900, 0, 0, '{}')", (sale_id, cashier, created))
    db.execute("insert into outbox (kind, ref_id, payload, created_at, status) values ('sale', ?, ?, ?, ?)",
               (sale_id, json.dumps({"sale_id": sale_id}), created, "accepted" if sale_id == "s-b" else "pending"))


def test_0013_numbers_existing_sales_in_recorded_order_and_makes_users_staff(tmp_path: Path) -> None:
    """0013: every old sale gets `T<n>-000001`… in the order recorded (not by id); the outbox payloads still
    waiting carry it; `users` become staff with the `kupa init` manager as #1; sales stay append-only."""
    engine = make_engine(tmp_path / "kupa.sqlite3")
    command.upgrade(alembic_config(engine), "0011")
    with sqlite3.connect(tmp_path / "kupa.sqlite3") as db:
        db.execute("insert into settings (key, value) values ('terminal_id', '\"T3\"'), ('member_prefix', '\"412\"')")
        for uid, role in (("cashier", "cashier"), ("avi", "manager"), ("manager", "manager")):
            db.execute("insert into users (user_id, name, role, pin_hash, active) values (?, ?, ?, 'scrypt$x', 1)",
                       (uid, uid.title(), role))
        # ids in the reverse of the recorded order; one time with another offset (parsed as it sorts)
        _sale(db, "s-c", "2026-01-01T10:00:00.000000+00:00", "cashier")
        _sale(db, "s-b", "2026-01-02T10:00:00.000000+00:00")
        _sale(db, "s-a", "2026-01-03T10:00:00.000000+00:00", "manager")
    migrate(engine)
    with sqlite3.connect(tmp_path / "kupa.sqlite3") as db:
        numbered = db.execute("select sale_id, receipt_no, receipt_seq from sales order by receipt_seq").fetchall()
        payloads = dict(db.execute("select ref_id, payload from outbox where kind = 'sale'").fetchall())
        staff = db.execute("select staff_id, legacy_id, role from staff order by staff_id").fetchall()
        tables = {name for name, in db.execute("select name from sqlite_master where type = 'table'")}
        try:
            db.execute("update sales set total = 0")
            updated = True
        except sqlite3.DatabaseError:
            updated = False
    assert numbered == [("s-c", "T3-000001", 1), ("s-b", "T3-000002", 2), ("s-a", "T3-000003", 3)]
    assert json.loads(payloads["s-a"]) == {"sale_id": "s-a", "receipt_no": "T3-000003", "receipt_seq": 3}
    assert json.loads(payloads["s-b"]) == {"sale_id": "s-b"}  # HQ has it already: its body is not changed
    assert staff == [(1, "manager", "manager"), (2, "avi", "manager"), (3, "cashier", "cashier")]
    assert "users" not in tables and updated is False
    engine.dispose()


def test_0013_a_terminal_not_named_by_a_number_uses_its_member_prefix(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "kupa.sqlite3")
    command.upgrade(alembic_config(engine), "0011")
    with sqlite3.connect(tmp_path / "kupa.sqlite3") as db:
        db.execute("insert into settings (key, value) values ('terminal_id', '\"T-3fa9c2d1\"'), "
                   "('member_prefix', '\"412\"')")
        _sale(db, "s-a", "2026-01-03T10:00:00.000000+00:00")
    migrate(engine)
    with sqlite3.connect(tmp_path / "kupa.sqlite3") as db:
        assert db.execute("select receipt_no from sales").fetchall() == [("T412-000001",)]
    engine.dispose()
