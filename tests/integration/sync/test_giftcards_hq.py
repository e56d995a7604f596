"""Gift cards against a real HQ on 127.0.0.1 (SQLite, and PostgreSQL with KUPA_TEST_POSTGRES_URL): a card sold
at one till pays at another once HQ's balance reached it; each movement reaches HQ exactly once; two tills
spending the same card offline are bounded by the offline cap and HQ refuses the overspend with a code; the
card stops paying the day after its last paying day.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sync_harness import DATA, FAST_RETRY, MANAGER_PIN, Hq

from pos_client.cli.main import main
from sync.hq import admin
from sync.hq.models import HqGiftAccount, HqGiftMovement
from sync.protocol import PushItem, PushRequest, PushResponse
from sync.transport import Transport

ZONE = ZoneInfo("Asia/Jerusalem")


def _gift_program(tmp_path: Path) -> Path:
    doc = json.loads((DATA / "program_full.json").read_text())
    doc["version"] = 8
    doc["gift_cards"] = {"skus": ["GIFT-100"], "min_load": 1000, "max_load": 100000, "offline_daily_cap": 5000,
                         "expiry_days": 30}
    path = tmp_path / "program_gift.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def gift_hq(hq: Hq, tmp_path: Path) -> Hq:
    admin.publish_program(hq.db, _gift_program(tmp_path))
    catalog = tmp_path / "gift.csv"
    catalog.write_text("sku,name,price,category\nGIFT-100,Gift card 100,10000,gift_card\n")
    admin.load_catalog(hq.db, catalog)
    return hq


def _hq_balance(hq: Hq, card: str) -> tuple[int, int]:
    with hq.db.read() as session:
        account = session.get(HqGiftAccount, card)
        count = session.scalar(select(func.count()).select_from(HqGiftMovement).where(HqGiftMovement.account == card))
    return (account.balance if account else -1), int(count or 0)


def _fails(till: Any, *args: str) -> str:
    """The JSON refusal of a command that must fail."""
    till.capsys.readouterr()
    code = main(["--data-dir", str(till.path), *args, "--json"])
    captured = till.capsys.readouterr()
    assert code != 0, captured.out
    return captured.out


def test_a_card_sold_at_one_till_pays_at_another_and_reaches_hq_once(gift_hq: Hq, make_till: Any) -> None:
    t1, t2 = make_till("T-gift-1"), make_till("T-gift-2")
    card = t1.kupa("checkout", "--item", "GIFT-100")["gift_cards"][0]
    # T2 has never seen the card: refused until HQ's balance reaches it
    assert json.loads(_fails(t2, "checkout", "--item", "COFFEE-S", "--pay", f"gift:{card['token']}:900"))[
        "message_code"] == "gift.unknown_card"
    t1.sync()
    t1.sync()  # a second push sends nothing again
    assert _hq_balance(gift_hq, card["card"]) == (10000, 1)
    t2.sync()
    assert t2.kupa("giftcard", "show", card["card"])["confirmed_balance"] == 10000
    t2.kupa("checkout", "--item", "COFFEE-S", "--pay", f"gift:{card['token']}:900")
    shown = t2.kupa("giftcard", "show", card["card"])
    assert (shown["balance"], shown["confirmed_balance"], shown["pending"]) == (9100, 10000, -900)
    t2.sync()
    assert _hq_balance(gift_hq, card["card"]) == (9100, 2)
    shown = t2.kupa("giftcard", "show", card["card"])
    assert (shown["balance"], shown["confirmed_balance"], shown["pending"]) == (9100, 9100, 0)
    t1.sync()
    assert t1.kupa("giftcard", "show", card["card"])["balance"] == 9100
    t1.kupa("checkout", "--item", "GIFT-100", "--load-card", card["token"])  # a top-up at the first till
    t1.sync()
    assert _hq_balance(gift_hq, card["card"]) == (19100, 3)


def test_two_offline_tills_are_bounded_by_the_cap_and_hq_refuses_the_overspend(
        gift_hq: Hq, make_till: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    t1, t2 = make_till("T-off-1"), make_till("T-off-2")
    t1.kupa("shift", "open", "--float", "0", "--pin", MANAGER_PIN)
    t2.kupa("shift", "open", "--float", "0", "--pin", MANAGER_PIN)
    card = t1.kupa("checkout", "--item", "GIFT-100")["gift_cards"][0]
    t1.kupa("checkout", "--item", "SHOE", "--pay", f"gift:{card['token']}:4000", "--pay", "cash:41000")
    t1.sync()
    t2.sync()  # both know the card holds ₪60.00
    gift_hq.stop()
    monkeypatch.setenv("KUPA_FAKE_NOW", "+60")  # a minute later, HQ away: both tills offline
    pay = ("checkout", "--item", "SHOE", "--pay")
    # the cap counts T1's ₪40.00 of today: ₪10.00 left, to the agora
    refused = json.loads(_fails(t1, *pay, f"gift:{card['token']}:1001", "--pay", "cash:43999"))
    assert refused["message_code"] == "gift.offline_cap" and refused["params"]["allowed"] == 1000
    t1.kupa(*pay, f"gift:{card['token']}:1000", "--pay", "cash:44000")
    # T2 may take up to the cap, but no more than the card holds as it knows it (₪60.00)
    assert json.loads(_fails(t2, *pay, f"gift:{card['token']}:5001", "--pay", "cash:39999"))[
        "message_code"] == "gift.offline_cap"
    t2.kupa(*pay, f"gift:{card['token']}:5000", "--pay", "cash:40000")
    gift_hq.start()
    monkeypatch.setenv("KUPA_FAKE_NOW", "+120")
    t1.sync()
    summary = t2.sync()  # ₪60.00 − ₪10.00 = ₪50.00 left at HQ: T2's ₪50.00 fits exactly
    assert _hq_balance(gift_hq, card["card"])[0] == 0
    assert not summary.refused
    # one more offline spend of ₪0.01 on T2 while its view is stale would be refused by HQ
    assert json.loads(_fails(t2, "checkout", "--item", "COFFEE-S", "--pay", f"gift:{card['token']}:900"))[
        "message_code"] == "gift.balance_short"


def test_hq_refuses_what_two_offline_tills_took_beyond_the_card(gift_hq: Hq, make_till: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    t0, t1, t2 = make_till("T-over-0"), make_till("T-over-1"), make_till("T-over-2")
    card = t0.kupa("checkout", "--item", "GIFT-100")["gift_cards"][0]
    t0.kupa("checkout", "--item", "SHOE", "--pay", f"gift:{card['token']}:6000", "--pay", "card:39000")
    t0.sync()
    t1.sync()
    t2.sync()
    gift_hq.stop()
    monkeypatch.setenv("KUPA_FAKE_NOW", "+60")
    for till in (t1, t2):  # each sees ₪40.00 and takes ₪40.00 (within the ₪50.00 cap)
        till.kupa("checkout", "--item", "SHOE", "--pay", f"gift:{card['token']}:4000", "--pay", "card:41000")
    gift_hq.start()
    monkeypatch.setenv("KUPA_FAKE_NOW", "+120")
    assert not t1.sync().refused
    refused = t2.sync().refused
    assert [(r["kind"], r["code"]) for r in refused] == [("gift_movement", "sync.gift_overspent")]
    assert refused[0]["params"]["balance"] == 0 and refused[0]["params"]["amount"] == 4000
    assert _hq_balance(gift_hq, card["card"]) == (0, 3)  # the overspend bounded by the cap, never below zero
    # the refused movement keeps counting on T2 (the lower figure) until a manager deals with it
    assert t2.kupa("giftcard", "show", card["card"])["balance"] == -4000


def _local(day: datetime) -> float:
    """Seconds from now to `day` (KUPA_FAKE_NOW's offset)."""
    return (day - datetime.now(timezone.utc)).total_seconds()


def test_a_card_pays_on_its_last_day_and_not_the_day_after(gift_hq: Hq, make_till: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    till = make_till("T-exp")
    card = till.kupa("checkout", "--item", "GIFT-100")["gift_cards"][0]
    last = datetime.fromisoformat(card["expires_on"])
    sold_day = datetime.now(ZONE).date()
    assert last.date() == sold_day + timedelta(days=30)
    till.sync()
    end_of_last = datetime(last.year, last.month, last.day, 23, 58, tzinfo=ZONE)
    monkeypatch.setenv("KUPA_FAKE_NOW", f"+{int(_local(end_of_last))}")
    # no sync while the terminal's clock is ahead (HQ's clock check would hold its sales: services/clock.py)
    till.kupa("checkout", "--item", "COFFEE-S", "--pay", f"gift:{card['token']}:900")
    next_day = end_of_last + timedelta(minutes=3)
    monkeypatch.setenv("KUPA_FAKE_NOW", f"+{int(_local(next_day))}")
    refused = json.loads(_fails(till, "checkout", "--item", "COFFEE-S", "--pay", f"gift:{card['token']}:900"))
    assert refused["message_code"] == "gift.expired" and refused["params"]["expired_on"] == card["expires_on"]
    assert till.kupa("giftcard", "show", card["card"])["expired"] is True
    # the manager writes the expired card's ₪91.00 off (the store's liability ends), once
    assert till.kupa("giftcard", "expire", card["card"], "--pin", MANAGER_PIN)["written_off"] == 9100
    assert till.kupa("giftcard", "show", card["card"])["balance"] == 0
    assert json.loads(_fails(till, "giftcard", "expire", card["card"], "--pin", MANAGER_PIN))[
        "message_code"] == "gift.nothing_left"


def _movement(till: Any, **changes: Any) -> PushItem:
    body = {"movement_id": str(uuid.uuid4()), "account": "G1234567890123456", "account_kind": "gift_card",
            "kind": "issue", "amount": 10000, "terminal_id": till.terminal_id, "store_day": "2026-03-01",
            "created_at": "2026-03-01T10:00:00+00:00"} | changes
    return PushItem(kind="gift_movement", key=body["movement_id"], body=body)


def test_hq_refuses_movements_that_break_its_rules_each_with_a_code(gift_hq: Hq, make_till: Any) -> None:
    till, other = make_till("T-rules"), make_till("T-rules-2")
    issue = _movement(till)
    items = [issue,
             issue,  # the same again: a duplicate, applied once
             _movement(till, movement_id=issue.body["movement_id"], amount=2000),  # same id, other body
             _movement(till, account="G0000000000000001", amount=999),  # below min_load
             _movement(till, account="G0000000000000002", amount=100001),  # above max_load
             _movement(till, kind="redeem", amount=500),  # a redeem must be negative
             _movement(till, kind="redeem", amount=-10001),  # more than the card holds
             _movement(till, kind="redeem", amount=-10000),  # exactly what it holds
             _movement(till, kind="redeem", account="G0000000000000003", amount=-1),  # a card HQ never issued
             _movement(other, kind="load", amount=1000),  # another terminal's movement
             _movement(till, kind="refund", account="M0001", account_kind="store_credit", amount=700),
             _movement(till, kind="expire", amount=-1)]  # the card has no last day: it never expires
    transport = Transport(gift_hq.url, till.token, retry=FAST_RETRY)
    try:
        response = transport.post("/v1/push", PushRequest(items=items), PushResponse)
    finally:
        transport.close()
    assert [(r.status, r.code) for r in response.results] == [
        ("accepted", None), ("duplicate", None), ("rejected", "sync.conflict"), ("rejected", "sync.gift_load"),
        ("rejected", "sync.gift_load"), ("rejected", "sync.gift_sign"), ("rejected", "sync.gift_overspent"),
        ("accepted", None), ("rejected", "sync.gift_unknown"), ("rejected", "sync.foreign_terminal"),
        ("accepted", None), ("rejected", "sync.gift_not_expired")]
    assert response.results[6].params == {"key": items[6].body["movement_id"], "account": "G1234567890123456",
                                          "balance": 10000, "amount": 10001}
    assert _hq_balance(gift_hq, "G1234567890123456") == (0, 2)
    assert _hq_balance(gift_hq, "M0001") == (700, 1)
