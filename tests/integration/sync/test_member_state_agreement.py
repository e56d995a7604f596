"""HQ and the terminals answer the same member standing after a sync: tier, points, stamps, spend, plan.

Both sides call `pos_client.member_state` (the terminal from its projections, HQ by folding the entries it
holds), so the figures agree even where the rules bite: spend that left the tier window, points past the
expiry, a refund, a plan renewal and punch-card stamps.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pos_client.ledger import EntryDraft, append
from pos_client.timeutil import from_iso, utcnow
from sync.hq import admin

from sync_harness import MANAGER_PIN, Hq

KEYS = ("tier", "points", "stamps", "qualifying_spend", "membership", "next_tier")


def _standing(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in KEYS}


def test_hq_and_terminals_agree_on_tier_points_and_stamps(hq: Hq, make_till: Any) -> None:
    t1, t2 = make_till("T1"), make_till("T2")
    member = t1.kupa("member", "add", "--name", "Noa Tal", "--phone", "052-7654321")["member_id"]
    terminal = t1.open()
    try:  # history from before the window: 400 days ago a big spend with its points (both past every rule),
        # as an adjustment (HQ holds an `earn` to the sale it belongs to)
        with terminal.unit_of_work() as session:
            append(session, EntryDraft(member, "adjust", points_delta=3000, spend_delta=300000),
                   terminal_id=t1.terminal_id, now=utcnow() - timedelta(days=400))
    finally:
        terminal.close()
    sale = t1.kupa("checkout", "--member", member, "--item", "SHOE:6", "--item", "COFFEE-S:3")
    t1.kupa("checkout", "--member", member, "--item", "MEMBER-PLUS-Y")
    t1.kupa("refund", sale["sale_id"], "--item", "SHOE:1", "--pin", MANAGER_PIN)
    t1.sync()
    t2.sync()
    t2.kupa("checkout", "--member", member, "--item", "MEMBER-PLUS-Y", "--item", "COFFEE-L")  # renewal, a stamp
    t2.sync()
    t1.sync()
    here, there = t1.kupa("member", "show", member), t2.kupa("member", "show", member)
    at_hq = admin.member_show(hq.db, member)
    assert _standing(at_hq) == _standing(here) == _standing(there)
    # the figures are the rules' and not trivially equal: the old spend and its points are out, five shoes,
    # the coffees and the large coffee (10% plan discount) count; the plan was renewed from its expiry
    assert here["qualifying_spend"] == 5 * 45000 + 3 * 900 + 1260 and here["tier"] == "silver"
    assert here["stamps"]["coffee"] == 4
    assert here["points"] == 50 + 2727 - 450 + 12
    expires = from_iso(here["membership"]["expires"])
    assert utcnow() + timedelta(days=729) < expires < utcnow() + timedelta(days=731)
