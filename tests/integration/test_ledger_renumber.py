"""The ledger's one permitted UPDATE (terminal migration 0008): a restored terminal raises the `seq` of an
entry still waiting in the outbox, and nothing else; every other change is refused as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pos_client.db.engine import make_engine, migrate

_ENTRY = ("insert into ledger_entries (entry_id, member_id, terminal_id, seq, kind, points_delta, stamps_delta,"
          " spend_delta, value, membership_days, created_at) values (?, 'M1000001', 'T1', ?, 'earn', 5, 0, 0, 0, 0,"
          " '2026-01-01T10:00:00+00:00')")


@pytest.fixture
def db(tmp_path: Path) -> sqlite3.Connection:
    engine = make_engine(tmp_path / "kupa.sqlite3")
    migrate(engine)
    engine.dispose()
    conn = sqlite3.connect(tmp_path / "kupa.sqlite3", isolation_level=None)
    conn.execute("insert into members (member_id, name, enrolled_at, enrolled_by_terminal) "
                 "values ('M1000001', 'Dana', '2026-01-01T00:00:00+00:00', 'T1')")
    for entry_id, seq, status in (("pending", 5, "pending"), ("sent", 4, "accepted")):
        conn.execute(_ENTRY, (entry_id, seq))
        conn.execute("insert into outbox (kind, ref_id, payload, created_at, status) values"
                     " ('ledger_entry', ?, '{}', '2026-01-01T10:00:00+00:00', ?)", (entry_id, status))
    return conn


def test_a_pending_entry_may_only_move_to_a_higher_seq(db: sqlite3.Connection) -> None:
    db.execute("update ledger_entries set seq = 9 where entry_id = 'pending'")
    assert db.execute("select seq from ledger_entries where entry_id = 'pending'").fetchone() == (9,)
    for change in ("seq = 8", "seq = 10, points_delta = 6", "points_delta = 6", "created_at = 'x'",
                   "seq = 10, member_id = 'M1000002'"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(f"update ledger_entries set {change} where entry_id = 'pending'")


def test_an_entry_hq_has_seen_keeps_its_seq(db: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("update ledger_entries set seq = 40 where entry_id = 'sent'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("delete from ledger_entries where entry_id = 'pending'")
