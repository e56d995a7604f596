"""Gift cards and store credit end to end through the `kupa` CLI on a real SQLite terminal (issue 17, item 4):
selling a card (fixed and open amount), paying with it split with cash, the balance, the offline cap to the
minor unit, the exact day a card expires, refunds back to the card and to store credit, a refunded card sale.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest


from tests.integration.conftest import DATA, MANAGER_PIN, Kupa


def gift_program(tmp_path: Path, **section: object) -> Path:
    doc = json.loads((DATA / "program_full.json").read_text())
    doc["version"] = 8
    doc["gift_cards"] = {"skus": ["GIFT-100", "GIFT-OPEN"], "min_load": 1000, "max_load": 100000,
                         "offline_daily_cap": 5000, "expiry_days": 365, **section}
    path = tmp_path / "program_gift.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def gift_store(kupa: Kupa, tmp_path: Path) -> Kupa:
    catalog = tmp_path / "gift.csv"
    catalog.write_text("sku,name,price,category\nGIFT-100,Gift card 100,10000,gift_card\n"
                       "GIFT-OPEN,Gift card,0,gift_card\n")
    assert kupa("catalog", "load", str(catalog)).code == 0
    assert kupa("program", "load", str(gift_program(tmp_path))).code == 0
    return kupa


def test_a_gift_card_is_sold_without_points_or_discount_and_pays_split_with_cash(gift_store: Kupa) -> None:
    kupa = gift_store
    member = kupa("member", "add", "--name", "Dana", "--json").json["member_id"]
    sale = kupa("checkout", "--member", member, "--item", "GIFT-100", "--item", "COFFEE-L", "--json").json
    gift_line = next(line for line in sale["lines"] if line["sku"] == "GIFT-100")
    assert gift_line["discount"] == 0 and sale["points_earned"] == 14  # the coffee's ₪14 only
    [card] = sale["gift_cards"]
    assert card["amount"] == 10000 and card["token"].startswith("KUPAG1.") and card["card"].startswith("G")
    shown = kupa("giftcard", "show", card["token"], "--json").json
    assert shown["balance"] == 10000 and shown["verified"] is True and shown["expired"] is False
    # ₪26.00 = gift ₪20.00 + cash ₪10.00 → ₪4.00 change from cash
    assert kupa("shift", "open", "--float", "10000", "--pin", MANAGER_PIN).code == 0
    paid = kupa("checkout", "--item", "COFFEE-L", "--item", "CROISSANT", "--pay", f"gift:{card['token']}:2000",
                "--pay", "cash:1000", "--json").json
    assert [(t["kind"], t["amount"], t["reference"]) for t in paid["tenders"]] == [
        ("gift_card", 2000, card["card"]), ("cash", 600, None)]
    assert kupa("giftcard", "show", card["card"], "--json").json["balance"] == 8000
    # the number alone shows the balance but never pays
    refused = kupa("checkout", "--item", "COFFEE-S", "--pay", f"gift:{card['card']}:900", "--json")
    assert refused.code != 0 and refused.json["message_code"] == "gift.needs_token"
    # more than the balance: refused, nothing written
    over = kupa("checkout", "--item", "SHOE", "--pay", f"gift:{card['token']}:8001", "--pay", "cash:40000", "--json")
    assert over.json["message_code"] == "gift.balance_short"
    assert kupa("giftcard", "show", card["card"], "--json").json["balance"] == 8000
    # refunded whole: the gift card gets its ₪20.00 back first, cash the ₪6.00
    back = kupa("refund", paid["sale_id"], "--pin", MANAGER_PIN, "--json").json
    assert [(t["kind"], t["amount"]) for t in back["tenders"]] == [("gift_card", 2000), ("cash", 600)]
    assert kupa("giftcard", "show", card["card"], "--json").json["balance"] == 10000
    # a card that still pays is not written off
    early = kupa("giftcard", "expire", card["card"], "--pin", MANAGER_PIN, "--json")
    assert early.code != 0 and early.json["message_code"] == "gift.not_expired"


def test_a_forged_or_edited_token_is_refused(gift_store: Kupa) -> None:
    token = gift_store("checkout", "--item", "GIFT-100", "--json").json["gift_cards"][0]["token"]
    edited = token[:-2] + ("AA" if not token.endswith("AA") else "BA")
    result = gift_store("checkout", "--item", "COFFEE-S", "--pay", f"gift:{edited}:900", "--json")
    assert result.code != 0 and result.json["message_code"] == "gift.bad_card"


def test_open_amount_cards_take_the_typed_amount_within_the_load_range(gift_store: Kupa) -> None:
    kupa = gift_store
    assert kupa("checkout", "--item", "GIFT-OPEN", "--json").json["message_code"] == "gift.amount_needed"
    assert kupa("checkout", "--item", "GIFT-OPEN", "--gift-amount", "-5", "--json").json[
        "message_code"] == "gift.amount_needed"
    assert kupa("checkout", "--item", "GIFT-OPEN", "--gift-amount", "999", "--json").json[
        "message_code"] == "gift.load_range"
    assert kupa("checkout", "--item", "GIFT-OPEN", "--gift-amount", "100001", "--json").json[
        "message_code"] == "gift.load_range"
    low = kupa("checkout", "--item", "GIFT-OPEN:2", "--gift-amount", "1000", "--json").json
    assert low["total"] == 2000 and [g["amount"] for g in low["gift_cards"]] == [1000, 1000]
    assert kupa("checkout", "--item", "GIFT-OPEN", "--gift-amount", "100000", "--json").json["total"] == 100000


def test_store_credit_from_a_refund_pays_for_the_member_with_their_card(gift_store: Kupa) -> None:
    kupa = gift_store
    added = kupa("member", "add", "--name", "Avi", "--json").json
    member, token = added["member_id"], added["card_token"]
    sale = kupa("checkout", "--member", member, "--item", "SHOE", "--pay", "card:45000:AUTH9", "--json").json
    back = kupa("refund", sale["sale_id"], "--pin", MANAGER_PIN, "--refund-to", "credit", "--json").json
    assert [(t["kind"], t["amount"], t["reference"]) for t in back["tenders"]] == [("store_credit", 45000, member)]
    assert kupa("member", "show", member, "--json").json["store_credit"] == 45000
    # the phone/id alone cannot spend it; the card's token can
    assert kupa("checkout", "--member", member, "--item", "COFFEE-S", "--pay", "credit:900", "--json").json[
        "message_code"] == "gift.credit_needs_card"
    paid = kupa("checkout", "--member", token, "--item", "COFFEE-S", "--pay", "credit:900", "--json").json
    assert paid["tenders"][0] == {"kind": "store_credit", "amount": 900, "given": 900, "change": 0,
                                  "reference": member}
    assert kupa("checkout", "--member", token, "--item", "SHOE", "--pay", "credit:45000", "--json").json[
        "message_code"] == "gift.balance_short"  # 44,100 left
    # a non-member sale cannot be refunded to store credit
    anon = kupa("checkout", "--item", "COFFEE-S", "--json").json
    assert kupa("refund", anon["sale_id"], "--pin", MANAGER_PIN, "--refund-to", "credit", "--json").json[
        "message_code"] == "gift.credit_needs_member"


def test_a_refunded_gift_card_sale_takes_the_load_back_unless_spent(gift_store: Kupa) -> None:
    kupa = gift_store
    sale = kupa("checkout", "--item", "GIFT-100:2", "--json").json
    first, second = sale["gift_cards"]
    kupa("checkout", "--item", "COFFEE-S", "--pay", f"gift:{first['token']}:900", "--json")
    # one unit back: the first card no longer holds its load, so the second one is taken back
    one = kupa("refund", sale["sale_id"], "--item", "GIFT-100:1", "--pin", MANAGER_PIN, "--json").json
    assert one["money_back"] == 10000
    assert kupa("giftcard", "show", second["card"], "--json").json["balance"] == 0
    refused = kupa("refund", sale["sale_id"], "--item", "GIFT-100:1", "--pin", MANAGER_PIN, "--json")
    assert refused.code != 0 and refused.json["message_code"] == "gift.refund_spent"


def test_the_receipt_prints_the_card_and_its_code_and_hq_never_gets_the_code(gift_store: Kupa, store: Path) -> None:
    from pos_client.receipts.document import load_receipt, receipt_text
    from pos_client.terminal import Terminal

    sale = gift_store("checkout", "--item", "GIFT-100", "--json").json
    card = sale["gift_cards"][0]
    terminal = Terminal.open(store)
    try:
        with terminal.read() as session:
            text = receipt_text(load_receipt(session, sale["sale_id"]), "en")
    finally:
        terminal.close()
    assert f"Gift card {card['card']}: ₪100.00" in text and f"valid until {card['expires_on']}" in text
    assert card["token"] in text
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        [payload] = [json.loads(p) for (p,) in db.execute("SELECT payload FROM outbox WHERE kind = 'gift_movement'")]
        assert payload["account"] == card["card"] and payload["kind"] == "issue" and "token" not in payload
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE gift_movements SET amount = 1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM gift_movements")


def test_a_card_is_topped_up_up_to_the_most_it_may_hold_and_the_top_up_refunded(gift_store: Kupa) -> None:
    kupa = gift_store
    card = kupa("checkout", "--item", "GIFT-100", "--json").json["gift_cards"][0]
    topped = kupa("checkout", "--item", "GIFT-OPEN", "--gift-amount", "50000", "--load-card", card["token"],
                  "--json").json
    assert [(g["card"], g["amount"]) for g in topped["gift_cards"]] == [(card["card"], 50000)]
    assert kupa("giftcard", "show", card["card"], "--json").json["balance"] == 60000
    # ₪1,000.00 at most on a card: ₪400.00 more fits exactly, ₪400.01 does not
    too_much = kupa("checkout", "--item", "GIFT-OPEN", "--gift-amount", "40001", "--load-card", card["token"],
                    "--json")
    assert too_much.json["message_code"] == "gift.balance_too_high"
    assert kupa("checkout", "--item", "COFFEE-S", "--load-card", card["token"], "--json").json[
        "message_code"] == "gift.nothing_to_load"
    assert kupa("checkout", "--item", "GIFT-OPEN", "--gift-amount", "40000", "--load-card", card["token"],
                "--json").code == 0
    # the first top-up refunded: its ₪500.00 leaves the card, which keeps the rest
    back = kupa("refund", topped["sale_id"], "--pin", MANAGER_PIN, "--json").json
    assert back["money_back"] == 50000
    assert kupa("giftcard", "show", card["card"], "--json").json["balance"] == 50000


def test_a_gift_card_prints_with_its_code(gift_store: Kupa, tmp_path: Path) -> None:
    from PIL import Image
    from pyzbar.pyzbar import ZBarSymbol, decode

    card = gift_store("checkout", "--item", "GIFT-100", "--json").json["gift_cards"][0]
    out = tmp_path / "gift.png"
    printed = gift_store("giftcard", "print", card["card"], "--out", str(out), "--json")
    assert printed.code == 0, printed.err
    payloads = {code.data.decode("ascii") for code in decode(Image.open(out).convert("L"),
                                                             symbols=[ZBarSymbol.QRCODE, ZBarSymbol.CODE128])}
    assert card["token"] in payloads and card["card"] in payloads  # the QR pays, the Code 128 shows the balance


def test_the_liability_counts_the_money_on_gift_cards_and_store_credit(gift_store: Kupa) -> None:
    kupa = gift_store
    added = kupa("member", "add", "--name", "Lior", "--json").json
    kupa("checkout", "--item", "GIFT-100", "--json")  # a ₪100 card
    sale = kupa("checkout", "--member", added["member_id"], "--item", "COFFEE-L", "--json").json
    assert kupa("refund", sale["sale_id"], "--pin", MANAGER_PIN, "--refund-to", "credit").code == 0  # ₪14 credit
    owed = kupa("report", "kpis", "--json").json["liability"]
    assert (owed["gift_cards"], owed["store_credit"]) == (10000, 1400)
