"""HQ migration 0006 on a chain that grew before stores existed: every terminal is in `main`, every member is
linked to it, and a terminal whose cursor is older than the migration pulls its members as snapshots — the
old change-log rows of kind `entry` standing for their entry's member."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import select, text

from sync.hq.db import Database, alembic_config, migrate
from sync.hq.models import HqMemberStore, HqTerminal
from sync.hq.pull import build_page


def _entry(entry_id: str, seq: int, points: int) -> dict[str, object]:
    return {"entry_id": entry_id, "member_id": "M1010001", "terminal_id": "T1", "seq": seq, "kind": "adjust",
            "points_delta": points, "created_at": "2026-01-01T00:00:00.000000+00:00"}


def test_upgrade_puts_the_chain_in_main_and_old_cursors_pull_snapshots(hq_db_url: str) -> None:
    db = Database(hq_db_url)
    try:
        command.upgrade(alembic_config(db.engine), "0003")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO hq_terminals (terminal_id, name, token_sha256, member_prefix,"
                              " registered_at) VALUES ('T1', 'T1', 'x', '101', '2026-01-01T00:00:00+00:00')"))
            conn.execute(text("INSERT INTO hq_members (member_id, name, enrolled_at, enrolled_by_terminal)"
                              " VALUES ('M1010001', 'Old', '2026-01-01T00:00:00+00:00', 'T1')"))
            conn.execute(text("INSERT INTO hq_changes (kind, ref) VALUES ('member', 'M1010001')"))
            for n, points in ((1, 30), (2, 12)):
                body = _entry(f"e{n}", n, points)
                conn.execute(text("INSERT INTO hq_entries (entry_id, terminal_id, seq, member_id, kind, points_delta,"
                                  " spend_delta, value, created_at, received_at, body) VALUES (:e, 'T1', :s,"
                                  " 'M1010001', 'adjust', :p, 0, 0, :c, :c, :b)"),
                             {"e": f"e{n}", "s": n, "p": points, "c": body["created_at"],
                              "b": json.dumps(body, sort_keys=True)})
                conn.execute(text("INSERT INTO hq_changes (kind, ref) VALUES ('entry', :e)"), {"e": f"e{n}"})
            conn.execute(text("INSERT INTO hq_changes (kind, ref) VALUES ('product', 'SKU1')"))
        migrate(db.engine)
        with db.read() as session:
            assert session.scalar(select(HqTerminal.store_id)) == "main"
            assert session.execute(select(HqMemberStore.member_id, HqMemberStore.store_id,
                                          HqMemberStore.how)).tuples().all() == [("M1010001", "main", "home")]
            after_member = build_page(session, 1, 100, "main")  # a cursor between the member and its entries
            other_store = build_page(session, 0, 100, "elsewhere")
        assert [m.member_id for m in after_member.members] == ["M1010001"]  # named by its old entry rows
        assert [(s.member_id, s.points, s.entries) for s in after_member.snapshots] == [("M1010001", 42, 2)]
        assert after_member.entries == [] and after_member.balances == []
        assert other_store.members == [] and other_store.snapshots == []  # the product row is everyone's
        assert other_store.cursor == after_member.cursor
    finally:
        db.close()
