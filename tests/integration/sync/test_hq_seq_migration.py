"""HQ migration 0003 on a database that already accepted two entries with the same (terminal, seq), as HQ
did before it: both entries are kept, the first received keeps its seq, and the index then holds."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from sync.hq.db import Database, alembic_config, migrate
from sync.hq.models import HqEntry, HqEntryKey


def _insert(db: Database, entry_id: str, seq: object, received: str) -> None:
    body = json.dumps({"entry_id": entry_id, "terminal_id": "T1", "seq": seq})
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO hq_entries (entry_id, terminal_id, member_id, kind, points_delta,"
                          " spend_delta, value, created_at, received_at, body) VALUES (:e, 'T1', 'M1', 'earn', 1, 0,"
                          " 0, '2026-01-01T00:00:00+00:00', :r, :b)"), {"e": entry_id, "r": received, "b": body})


def test_upgrade_keeps_both_entries_of_a_reused_seq(hq_db_url: str) -> None:
    db = Database(hq_db_url)
    try:
        command.upgrade(alembic_config(db.engine), "0001")
        _insert(db, "a-first", 7, "2026-01-01T00:00:01+00:00")
        _insert(db, "b-later", 7, "2026-01-02T00:00:00+00:00")
        _insert(db, "c-other", 8, "2026-01-01T00:00:02+00:00")
        _insert(db, "d-noseq", "x", "2026-01-01T00:00:03+00:00")
        migrate(db.engine)
        with db.read() as session:
            seqs = dict(session.execute(select(HqEntry.entry_id, HqEntry.seq)).tuples().all())
            keys = dict(session.execute(select(HqEntryKey.entry_id, HqEntryKey.seq)).tuples().all())
        assert seqs == {"a-first": 7, "b-later": None, "c-other": 8, "d-noseq": None}
        assert keys == seqs  # migration 0004 carried them into the unpartitioned key table
        with pytest.raises(IntegrityError):
            with db.write() as session:
                session.execute(text("UPDATE hq_entry_keys SET seq = 8 WHERE entry_id = 'a-first'"))
    finally:
        db.close()
