"""Double spending across counters: two terminals offline redeem the same member's points.

Extends `tests/integration/sync/test_sync_flows.py::test_two_terminals_trading_a_balance_agree_after_sync`
(donations with a manager PIN, no cap) with the redemption cap: each counter lets the member redeem up to the
program's `offline_daily_cap_points` and refuses more, so the overspend is at most the counters' caps; HQ
accepts both (the goods left the store), flags the negative balance in `kupa-hq report`, and after a sync
both counters and HQ show the same balance.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from pos_client.errors import RuleViolation
from pos_client.services.checkout import BasketRequest, record_sale
from pos_client.services.points import adjust
from pos_client.services.setup import init_terminal
from pos_client.services.status import member_status
from pos_client.terminal import Terminal, put_setting
from pos_client.timeutil import utcnow
from rel_harness import FAST_RETRY, MANAGER_PIN, Template, copy_template, start_hq, stop_hq
from sync.client import sync_once
from sync.hq import admin
from sync.hq.cli import main as hq_main

CAP = 2000


def _redeem(terminal: Terminal, token: str, points: int, now: object) -> int:
    with terminal.unit_of_work() as session:
        result = record_sale(session, terminal, BasketRequest(items=(("SHOE", 1),), member_code=token,
                                                               redeem_points=points), now)  # type: ignore[arg-type]
    return result.quote.redeemed_points


def test_two_offline_counters_overspend_at_most_their_caps_and_agree_after_sync(
        template: Template, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store1, hq_file = copy_template(template, tmp_path)
    hq = start_hq(hq_file)
    t1 = Terminal.open(store1)
    try:
        terminal_id, token = hq.register("T2")
        t2 = init_terminal(tmp_path / "t2", terminal_id=terminal_id, manager_pin=MANAGER_PIN).terminal
        with t2.unit_of_work() as session:
            put_setting(session, "server_url", hq.url)
            put_setting(session, "sync_token", token)
        member = template.members[0]
        card = template.tokens[member]
        adjust(t1, member, 1500, "opening balance for the test", MANAGER_PIN)
        sync_once(t1, hq.url, retry=FAST_RETRY)
        sync_once(t2, hq.url, retry=FAST_RETRY)
        before = member_status(t1, member)["points"]
        assert member_status(t2, member)["points"] == before > CAP
        # Both counters lose HQ for longer than the offline threshold: each applies the daily cap on its own.
        offline = (utcnow() + timedelta(days=1)).replace(hour=9, minute=0)  # mid-morning, one store day
        spent = 0
        for terminal in (t1, t2):
            spent += _redeem(terminal, card, 1500, offline)
            spent += _redeem(terminal, card, 500, offline + timedelta(minutes=1))
            with pytest.raises(RuleViolation, match="offline"):
                _redeem(terminal, card, 100, offline + timedelta(minutes=2))
        assert spent == 2 * CAP
        overspend = spent - before
        assert 0 < overspend <= 2 * CAP
        # Back online (HQ's clock in the same simulated store day: it refuses entries dated past its clock).
        # HQ takes both counters' entries and flags the member.
        hq.hooks.clock = lambda: offline + timedelta(hours=1)
        for terminal in (t1, t2, t1):
            summary = sync_once(terminal, hq.url, retry=FAST_RETRY)
            assert summary.rejected == 0 and summary.pending == 0
        hq_view = admin.member_show(hq.db, member)
        after1, after2 = member_status(t1, member)["points"], member_status(t2, member)["points"]
        assert hq_view["points"] == after1 == after2 < 0
        assert hq_view["review"] is True
        capsys.readouterr()
        assert hq_main(["--db", hq.db_url, "report", "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert member in [row["member_id"] for row in report["negative_balances"]]
        assert -hq_view["points"] <= 2 * CAP
        t2.close()
    finally:
        t1.close()
        stop_hq(hq)
