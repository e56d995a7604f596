"""The demo store is built through the real services, so its history obeys every rule."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from pos_client.demo.generate import build_demo
from pos_client.member_state.store import load as member_state
from pos_client.services.members import identify
from pos_client.services.programs import program_at
from pos_client.services.setup import init_terminal


def test_demo_store_is_consistent_and_covers_the_program(tmp_path: Path) -> None:
    result = init_terminal(tmp_path / "demo", terminal_id="DEMO-1")
    summary = build_demo(result.terminal, members=60, seed=3)
    assert summary.members == 60 and summary.sales > 300
    db = sqlite3.connect(tmp_path / "demo" / "kupa.sqlite3")
    # every projection equals its ledger
    mismatched = db.execute(
        "select count(*) from member_balances b where b.points != "
        "(select coalesce(sum(points_delta), 0) from ledger_entries e where e.member_id = b.member_id)").fetchone()[0]
    assert mismatched == 0
    kinds = {row[0] for row in db.execute("select distinct kind from ledger_entries")}
    assert {"welcome", "earn", "redeem", "stamp", "stamp_reward", "tier_discount", "birthday"} <= kinds
    assert db.execute("select count(*) from products").fetchone()[0] == 40
    assert db.execute("select count(*) from members where name glob '*[א-ת]*'").fetchone()[0] > 0
    now = datetime.now(timezone.utc)
    with result.terminal.read() as session:
        program = program_at(session, now)
        tiers = Counter(
            program.tier_for_spend(member_state(session, identify(session, mid).member, program, now,
                                                can_spend=False, terminal_id="DEMO-1").qualifying_spend).code
            for (mid,) in db.execute("select member_id from members"))
    assert set(tiers) == {"bronze", "silver", "gold"}, tiers
    result.terminal.close()
