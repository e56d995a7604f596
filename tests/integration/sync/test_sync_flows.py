"""Terminals and a real HQ: offline sales, two counters trading a balance, HQ down or restarted mid-cycle.

Lost responses, resets, delays and duplicated requests go through a real proxy: `test_sync_faults.py`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from pos_client.db.models import LedgerEntry, OutboxRow
from sync.errors import OfflineError, SyncBusy
from sync.hq import admin
from sync.hq.models import HqEntry, HqSale
from sync.lock import sync_lock
from sync.protocol import PushResponse

from sync_harness import MANAGER_PIN, Hq, Till


def _count(till: Till, model: Any, *where: Any) -> int:
    terminal = till.open()
    try:
        with terminal.read() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
    finally:
        terminal.close()


def _hq_count(hq: Hq, model: Any) -> int:
    with hq.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _points(till: Till, member: str) -> int:
    return int(till.kupa("member", "show", member)["points"])


def test_offline_sales_then_sync_reach_hq_once(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    hq.stop()  # the counter keeps selling while HQ is away
    member = till.kupa("member", "add", "--name", "Dana Cohen", "--phone", "054-1234567")["member_id"]
    for _ in range(3):
        till.kupa("checkout", "--member", member, "--item", "COFFEE-S:2", "--item", "CROISSANT")
    till.kupa("checkout", "--item", "SHOE")  # a non-member sale
    with pytest.raises(OfflineError):
        till.sync()
    assert _count(till, OutboxRow, OutboxRow.status == "pending") > 0  # nothing lost
    hq.start()
    summary = till.sync()
    assert summary.rejected == 0 and summary.pending == 0 and summary.disagreements == []
    assert _count(till, OutboxRow, OutboxRow.status != "accepted") == 0
    assert _hq_count(hq, HqEntry) == _count(till, LedgerEntry)
    assert _hq_count(hq, HqSale) == 4
    assert admin.member_show(hq.db, member)["points"] == _points(till, member)
    again = till.sync()  # nothing new: a second cycle sends nothing
    assert again.pushed == 0


def test_two_terminals_trading_a_balance_agree_after_sync(hq: Hq, make_till: Any) -> None:
    t1, t2 = make_till("T1"), make_till("T2")
    member = t1.kupa("member", "add", "--name", "Avi Levi")["member_id"]
    t1.kupa("checkout", "--member", member, "--item", "SHOE")  # 50 welcome + 450 earned
    t1.sync()
    t2.sync()
    assert _points(t2, member) == _points(t1, member) == 500
    # Both counters go offline and each lets the member donate the whole balance (the goods left the store).
    t1.kupa("donate", "--member", member, "--points", "500", "--charity", "wildlife", "--pin", MANAGER_PIN)
    t2.kupa("donate", "--member", member, "--points", "500", "--charity", "wildlife", "--pin", MANAGER_PIN)
    t2.kupa("checkout", "--member", member, "--item", "COFFEE-L")
    t1.sync()
    t2.sync()
    t1.sync()
    hq_view = admin.member_show(hq.db, member)
    assert hq_view["points"] == _points(t1, member) == _points(t2, member) == -500 + 14
    assert hq_view["review"] is True
    report = admin.report(hq.db)
    assert [r["member_id"] for r in report["negative_balances"]] == [member]
    assert report["donations"] == -1000


def test_members_enrolled_at_one_counter_are_known_at_the_other(hq: Hq, make_till: Any) -> None:
    t1, t2 = make_till("T1"), make_till("T2")
    added = t1.kupa("member", "add", "--name", "Noa", "--phone", "052-7654321")
    assert added["member_id"].startswith("M000101")  # the prefix HQ assigned to T1 at registration
    t1.sync()
    t2.sync()
    shown = t2.kupa("member", "show", added["card_token"])
    assert shown["member_id"] == added["member_id"] and shown["can_spend"] is True  # T1's key is trusted on T2
    assert t2.kupa("member", "show", "052-7654321")["points"] == 50


def test_hq_restarted_mid_cycle_loses_and_doubles_nothing(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    member = till.kupa("member", "add", "--name", "Dana")["member_id"]
    for _ in range(5):
        till.kupa("checkout", "--member", member, "--item", "COFFEE-S")
    stopped = []

    def stop_after_commit(terminal_id: str, response: PushResponse) -> None:
        if not stopped:
            stopped.append(1)
            raise RuntimeError("HQ going down")

    hq.hooks.after_push = stop_after_commit
    first = till.sync(batch=4)  # several batches; the first answer is lost, its retry is a duplicate
    assert first.duplicate == 4 and first.pending == 0
    hq.stop()
    hq.start()
    assert till.sync().pushed == 0
    assert _hq_count(hq, HqEntry) == _count(till, LedgerEntry)


def test_one_sync_at_a_time_per_terminal(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    with sync_lock(till.path):
        with pytest.raises(SyncBusy):
            till.sync()
    till.sync()


def test_kupa_sync_once_prints_a_summary(hq: Hq, make_till: Any) -> None:
    till = make_till("T1", sync=False)
    till.kupa("member", "add", "--name", "Dana")
    out = till.kupa("sync", "--once")
    assert out["terminal_id"] == "T1" and out["accepted"] == out["pushed"] > 0 and out["products"] == 7
    hq.stop()
    err = till.kupa_fails("sync", "--once", "--server", f"http://127.0.0.1:{hq.port}")
    assert "cannot be reached" in err and "Traceback" not in err


def test_hq_members_and_opening_balances_bootstrap_a_new_terminal(hq: Hq, make_till: Any, tmp_path: Any) -> None:
    path = tmp_path / "members.json"
    path.write_text(json.dumps([{"member_id": f"M9{n:05d}", "name": f"Member {n}", "points": n}
                                for n in range(1, 301)]))
    assert admin.import_members(hq.db, path) == 300
    till = make_till("T1", sync=False)
    summary = till.sync(page_size=100)
    # Members and their HQ-confirmed snapshots, never the opening entries themselves (docs/sync.md).
    assert summary.members == 300 and summary.entries == 0 and summary.pulled_pages > 3
    assert _points(till, "M900123") == 123 == admin.member_show(hq.db, "M900123")["points"]


def test_an_open_terminal_enrols_with_the_prefix_hq_assigned(hq: Hq, make_till: Any) -> None:
    from pos_client.services.members import enrol
    from pos_client.services.setup import member_prefix_for
    from pos_client.timeutil import utcnow
    from sync.client import sync_once
    from sync_harness import FAST_RETRY

    till = make_till("T1", sync=False)
    assert member_prefix_for("T1") != "101"  # the local guess differs from HQ's assignment
    app_terminal = till.open()  # the app's long-lived terminal: its settings are cached before any sync
    try:
        assert app_terminal.settings.member_prefix == member_prefix_for("T1")
        till.sync()  # another Terminal object adopts HQ's prefix (as `kupa sync` in another process would)
        with app_terminal.unit_of_work() as session:
            first, _card, _token = enrol(app_terminal, session, None, utcnow(), name="Noa")
        assert first.member_id.startswith("M000101")
        sync_once(app_terminal, retry=FAST_RETRY)  # a sync on the same object refreshes its settings too
        assert app_terminal.settings.member_prefix == "101"
    finally:
        app_terminal.close()


def test_a_refund_reaches_hq_with_its_member_cashier_points_and_lines(hq: Hq, make_till: Any) -> None:
    """Sales and refunds are sent by one builder: HQ holds each exactly as the terminal recorded it."""
    from pos_client.db.models import Sale, SaleLine
    from pos_client.sales import LINE_COLUMNS, SALE_COLUMNS

    till = make_till("T1")
    added = till.kupa("member", "add", "--name", "Dana Cohen")
    member, card = added["member_id"], added["card_token"]
    till.kupa("checkout", "--member", member, "--item", "SHOE")
    sold = till.kupa("checkout", "--member", card, "--item", "SHOE", "--item", "COFFEE-S:2", "--redeem", "100")
    till.kupa("refund", sold["sale_id"], "--item", "SHOE", "--pin", MANAGER_PIN, "--reason", "damaged box")
    assert till.sync().rejected == 0

    terminal = till.open()
    try:
        with terminal.read() as session:
            here = {sale.sale_id: (sale, list(session.scalars(
                select(SaleLine).where(SaleLine.sale_id == sale.sale_id).order_by(SaleLine.line_no))))
                for sale in session.scalars(select(Sale))}
    finally:
        terminal.close()
    with hq.db.read() as session:
        at_hq = {sale.sale_id: sale for sale in session.scalars(select(HqSale))}
    assert set(at_hq) == set(here) and len(here) == 3
    for sale_id, (sale, lines) in here.items():
        body = json.loads(at_hq[sale_id].body)
        assert {key: body.get(key) for key in SALE_COLUMNS} == {key: getattr(sale, key) for key in SALE_COLUMNS}
        assert body["lines"] == [{key: json.loads(getattr(line, key)) if key in ("free_by_card", "stamps")
                                  else getattr(line, key) for key in LINE_COLUMNS} for line in lines]
        assert at_hq[sale_id].member_id == member

    refund_id = next(sale_id for sale_id, (sale, _lines) in here.items() if sale.kind == "refund")
    refund = json.loads(at_hq[refund_id].body)
    assert refund["kind"] == "refund" and refund["refund_of"] == sold["sale_id"]
    assert refund["member_id"] == member and refund["cashier_id"] is not None
    assert refund["points_earned"] < 0 and refund["qualifying_spend"] < 0  # the SHOE's earnings taken back
    assert refund["redeemed_points"] > 0  # part of the 100 points paid with comes back
    assert [(line["sku"], line["qty"], line["refund_line_of"]) for line in refund["lines"]] == [("SHOE", 1, 1)]
    assert refund["reason"] == "damaged box"
