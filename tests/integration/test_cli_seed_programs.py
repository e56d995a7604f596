"""The three seed programs through the real CLI (`kupa quote` on a member of a real SQLite terminal): member
prices, campaigns and the vouchers a sale issues, with hand-computed totals (docs/pricing.md).

Coupons and vouchers *used* at the counter (`--coupon`, `--voucher`) belong to the coupon lifecycle (its own
tests); their pricing is covered through the engine in tests/unit/test_pricing_seed_programs.py.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pos_client.cli.main import main
from pos_client.services.setup import init_terminal
from tests.integration.conftest import DATA, MANAGER_PIN, CliResult, Kupa


@pytest.fixture
def seeded(tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """A factory: a terminal with seed program NAME and its catalog, and the `kupa` CLI against it."""
    def make(name: str) -> Kupa:
        root = tmp_path / name
        init_terminal(root, terminal_id="T1", manager_pin=MANAGER_PIN, store_name=name).terminal.close()

        def run(*args: str) -> CliResult:
            capsys.readouterr()
            code = main(["--data-dir", str(root), *args])
            captured = capsys.readouterr()
            return CliResult(code, captured.out, captured.err)

        assert run("program", "load", str(DATA / f"program_{name}.json")).code == 0
        loaded = run("catalog", "load", str(DATA / f"catalog_{name}.csv"))
        assert loaded.code == 0, loaded.err
        return run
    return make


def _member(kupa: Kupa, *extra: str) -> str:
    added = kupa("member", "add", "--name", "Ann Reader", "--json", *extra)
    assert added.code == 0, added.err
    return str(added.json["member_id"])


def _quote(kupa: Kupa, member: str, *args: str) -> dict:  # type: ignore[type-arg]
    items = [a for pair in (("--item", i) for i in args if not i.startswith("--")) for a in pair]
    flags = [a for a in args if a.startswith("--at=")]
    result = kupa("quote", "--member", member, *items, *flags, "--json")
    assert result.code == 0, result.err
    return result.json


def test_bn_premium_member_prices_through_the_cli(seeded) -> None:  # type: ignore[no-untyped-def]
    kupa = seeded("bn")
    member = _member(kupa)
    before = _quote(kupa, member, "BESTSELLER-1", "TOY-1")
    assert before["total"] == 5_000 and before["member_price_discount"] == 0  # no plan yet: shelf prices
    sold = kupa("checkout", "--member", member, "--item", "BN-PLUS-Y", "--json")
    assert sold.code == 0, sold.err
    q = _quote(kupa, member, "BESTSELLER-1", "TOY-1")
    # bestseller 40% (1200: 300 the plan's 10%, 900 the member price's); the toy 10% (200): 3600
    assert (q["total"], q["discount_total"], q["member_price_discount"]) == (3_600, 1_400, 900)
    assert q["lines"][0]["promotion_discount"] == {"member_price:plus_bestsellers": 900}
    assert "Premium: 40% off bestsellers: 40% of $30.00 = −$12.00" in q["explain"]
    assert any(e["code"] == "member_price" and e["params"]["code"] == "plus_bestsellers" for e in q["explanations"])


def test_bn_five_dollars_for_every_hundred_through_the_cli(seeded) -> None:  # type: ignore[no-untyped-def]
    kupa = seeded("bn")
    member = _member(kupa)
    q = _quote(kupa, member, "BOOK-1:7")  # 10500 paid: one $5 reward, 500 carried
    assert q["vouchers_issued"] == [{"voucher": "reward_5", "count": 1}] and q["voucher_progress"] == {"reward_5": 500}
    short = _quote(kupa, member, "BOOK-1:6", "COFFEE")  # 9550: none yet
    assert short["vouchers_issued"] == [] and short["voucher_progress"] == {"reward_5": 9_550}


def test_cvs_vitamins_week_campaign_through_the_cli(seeded) -> None:  # type: ignore[no-untyped-def]
    kupa = seeded("cvs")
    member = _member(kupa)
    q = _quote(kupa, member, "VITAMIN-C:2", "SNACK", "--at=2026-12-08T15:00:00+00:00")
    # floor((2400 × 5 + 250) × 2 / 100) = 245, +100 bonus; 345 → three $1 ExtraBucks, 45 left
    assert (q["points_earned"], q["campaign_points"], q["points_converted"]) == (245, 100, 300)
    assert q["vouchers_issued"] == [{"voucher": "extrabucks", "count": 3}] and q["points_balance_after"] == 45
    assert [line["earn_multiplier"] for line in q["lines"]] == ["5", "1"]
    after = _quote(kupa, member, "VITAMIN-C:2", "SNACK", "--at=2026-12-13T05:00:00+00:00")  # Sunday: over
    assert (after["points_earned"], after["campaign_points"]) == (53, 0)


def test_cvs_carepass_through_the_cli(seeded) -> None:  # type: ignore[no-untyped-def]
    kupa = seeded("cvs")
    member = _member(kupa)
    assert kupa("checkout", "--member", member, "--item", "CAREPASS-M", "--json").code == 0
    q = _quote(kupa, member, "HOUSE-IBU:2", "SNACK")
    assert (q["total"], q["member_price_discount"], q["points_earned"]) == (1_850, 400, 37)
    assert q["vouchers_issued"] == [{"voucher": "carepass_10", "count": 1}]


def test_dicks_gold_through_the_cli(seeded) -> None:  # type: ignore[no-untyped-def]
    kupa = seeded("dicks")
    today = datetime.now(ZoneInfo("America/New_York")).weekday()
    member = _member(kupa, "--bonus-weekday", str((today + 3) % 7))  # not today: no 3× in this test
    sale = kupa("checkout", "--member", member, "--item", "TRACKER:6", "--json")  # 59400: Gold from the next sale
    # 594 points: one $10 reward converts 300 of them at this sale, 294 left
    assert sale.code == 0 and sale.json["points_converted"] == 300 and sale.json["points_balance_after"] == 294
    held = kupa("member", "show", member, "--json").json
    assert [(v["code"], v["value"]) for v in held["vouchers"]] == [("scorecard_10", 1000)]
    q = _quote(kupa, member, "RUN-SHOE")
    # Gold: 120 points; 294 + 120 = 414 → one more $10 reward (300 points), 114 left; and Gold's annual $10
    assert (q["tier"], q["points_earned"], q["points_converted"], q["points_balance_after"]) == ("gold", 120, 300, 114)
    assert q["vouchers_issued"] == [{"voucher": "scorecard_10", "count": 1}, {"voucher": "gold_annual_10", "count": 1}]
    chosen = _member(kupa, "--bonus-weekday", str(today))
    assert kupa("checkout", "--member", chosen, "--item", "TRACKER:6", "--json").code == 0
    assert _quote(kupa, chosen, "RUN-SHOE")["points_earned"] == 360  # the member's 3× day


@pytest.mark.parametrize("name", ["bn", "cvs", "dicks"])
def test_seed_programs_load_and_show_their_sections(seeded, name: str) -> None:  # type: ignore[no-untyped-def]
    shown = seeded(name)("program", "show", "--json")
    assert shown.code == 0 and shown.json["currency"] == "USD"
    assert shown.json.get("vouchers") and (shown.json.get("member_prices") or shown.json.get("tiers"))


def test_a_refund_reverses_campaign_points_by_paid_times_multiplier(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kupa = seeded("cvs")
    # the vitamins week moved to run today, so that a real checkout falls in it
    document = json.loads((DATA / "program_cvs.json").read_text(encoding="utf-8"))
    today = datetime.now(ZoneInfo("America/New_York")).date()
    document["version"] = 2
    for section in ("campaigns", "offers"):
        for entry in document[section]:
            if "starts" in entry:
                entry["starts"], entry["ends"] = str(today - timedelta(days=1)), str(today + timedelta(days=1))
    moved = tmp_path / "cvs_now.json"
    moved.write_text(json.dumps(document), encoding="utf-8")
    assert kupa("program", "load", str(moved)).code == 0
    member = _member(kupa)
    sale = kupa("checkout", "--member", member, "--item", "VITAMIN-C", "--item", "SNACK", "--json")
    assert sale.code == 0, sale.err
    # floor((1200 × 5 + 250) × 2 / 100) = 125 points
    assert sale.json["points_earned"] == 125 and sale.json["lines"][0]["earn_multiplier"] == "5"
    snack = kupa("refund", sale.json["sale_id"], "--item", "SNACK", "--pin", MANAGER_PIN, "--json")
    assert snack.code == 0, snack.err
    # the snack earned at 1×: floor(125 × 250 / 6250) = 5 points back, not its money share (21)
    assert (snack.json["money_back"], snack.json["points_reversed"]) == (250, 5)
    rest = kupa("refund", sale.json["sale_id"], "--pin", MANAGER_PIN, "--json")
    assert rest.json["points_reversed"] == 120
    # ₪24 of vitamins reach the campaign's minimum: its bonus is credited as its own entry (HQ checks it against
    # the program), and the refunds take it back — part with one vitamin, the rest with the whole
    bonus_sale = kupa("checkout", "--member", member, "--item", "VITAMIN-C:2", "--json").json
    assert bonus_sale["campaign_points"] == 100
    assert kupa("refund", bonus_sale["sale_id"], "--item", "VITAMIN-C", "--pin", MANAGER_PIN).code == 0
    assert kupa("refund", bonus_sale["sale_id"], "--pin", MANAGER_PIN).code == 0
    with sqlite3.connect(tmp_path / "cvs" / "kupa.sqlite3") as db:
        [(entry_id, bonus)] = db.execute("select entry_id, points_delta from ledger_entries where kind = 'campaign'"
                                         " and sale_id = ?", (bonus_sale["sale_id"],)).fetchall()
        taken = [p for (p,) in db.execute("select points_delta from ledger_entries where reverses = ?"
                                          " order by seq", (entry_id,))]
    assert bonus == 100 and sum(taken) == -100 and len(taken) == 2


def test_a_segment_audience_prices_the_members_it_holds_at_checkout(tmp_path: Path, kupa: Kupa) -> None:
    """A member price for a segment ("3 coffee stamps or more: 50% off croissants") applies from the sale after
    the member's third stamp: the checkout computes the member's segments from what the terminal knows."""
    program = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))
    program["version"] += 1
    program["segments"] = [{"code": "regulars", "name": {"en": "Regulars"}, "stamps": {"card": "coffee", "min": 3}}]
    program["member_prices"] = [{"code": "regular_croissant", "name": {"en": "Croissant for regulars"}, "pct": 50,
                                 "skus": ["CROISSANT"], "segments": ["regulars"]}]
    path = tmp_path / "program_segments.json"
    path.write_text(json.dumps(program), encoding="utf-8")
    assert kupa("program", "load", str(path)).code == 0
    member = _member(kupa)
    kupa("checkout", "--member", member, "--item", "COFFEE-S:2")
    assert _quote(kupa, member, "CROISSANT")["total"] == 1200  # 2 stamps: not a regular yet
    kupa("checkout", "--member", member, "--item", "COFFEE-S")
    quoted = _quote(kupa, member, "CROISSANT")
    assert quoted["total"] == 600 and quoted["member_price_discount"] == 600


def test_a_spend_voucher_added_later_counts_the_spend_from_then_on(tmp_path: Path, kupa: Kupa) -> None:
    """"₪10 for every ₪50": a member who spent ₪450 before the program had the voucher gets none for it; the
    spend from the version that brought the voucher on counts (docs/promotions.md)."""
    member = _member(kupa)
    assert kupa("checkout", "--member", member, "--item", "SHOE").code == 0  # ₪450 before any voucher
    program = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))
    program["version"] += 1
    program["vouchers"] = [{"code": "per50", "name": {"en": "₪10 per ₪50"}, "trigger": "spend", "every": 5000,
                            "value": 1000}]
    path = tmp_path / "program_vouchers.json"
    path.write_text(json.dumps(program), encoding="utf-8")
    assert kupa("program", "load", str(path)).code == 0
    first = kupa("checkout", "--member", member, "--item", "COFFEE-L", "--json").json
    assert first["vouchers_issued"] == []  # ₪14 since the voucher came in, not ₪464
    second = kupa("checkout", "--member", member, "--item", "COFFEE-L:3", "--json").json
    assert second["vouchers_issued"] == [{"voucher": "per50", "count": 1}]  # 14 + 42 = 56: one ₪50 step
