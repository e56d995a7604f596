"""The demo store is built through the real services, so its history obeys every rule."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime, timedelta, timezone
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


def test_the_demo_store_runs_its_promotions_from_today(tmp_path: Path) -> None:
    """`kupa init --demo` adds the promotions as a new program version from now: the history keeps the version it
    was sold under, and the counter prices with member prices, the week's campaign, coupons and gift cards."""
    from pos_client.demo.generate import install_promotions
    from pos_client.member_state.rules import store_date
    from pos_client.services.checkout import BasketRequest, quote_basket

    result = init_terminal(tmp_path / "demo", terminal_id="DEMO-1")
    build_demo(result.terminal, members=10, seed=5)
    before = datetime.now(timezone.utc)
    program = install_promotions(result.terminal)
    today = store_date(datetime.now(timezone.utc), program.timezone)
    try:
        with result.terminal.read() as session:
            assert program_at(session, before).version == program.version - 1  # the history's version
        [campaign] = program.campaigns
        assert (campaign.starts, campaign.ends) == (today, today + timedelta(days=6))
        assert program.is_gift_card_sku("GIFT-100") and program.coupon_by_promo_code("run10") is not None
        db = sqlite3.connect(tmp_path / "demo" / "kupa.sqlite3")
        (member,) = db.execute("select member_id from members order by member_id limit 1").fetchone()
        quote = quote_basket(result.terminal, BasketRequest(items=(("CROISSANT", 1), ("ESPRESSO", 1)),
                                                            member_code=member))
        pastry = next(line for line in quote.lines if line.sku == "CROISSANT")
        assert pastry.earn_multiplier >= 2  # the week's double points on pastries
    finally:
        result.terminal.close()
