"""A ledger written by an older Kupa survives the upgrade: Alembic migrations carry data forward."""

from __future__ import annotations

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
