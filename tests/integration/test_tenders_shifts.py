"""Payments and shifts end to end through the `kupa` CLI and the services, on a real SQLite terminal (issue 15,
items 3 and 4): the Z report of a whole shift is checked against figures computed by hand, to the agora.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pos_client.db.models import Sale, SaleShift, Tender
from pos_client.errors import StateError
from pos_client.reports.shift_text import report_lines
from pos_client.services import shifts
from pos_client.tender import Paid, TenderGiven, TenderKind, refund_allocation, settle
from pos_client.terminal import Terminal

from tests.integration.conftest import MANAGER_PIN, Kupa


def _count(store: Path, model: type) -> int:
    terminal = Terminal.open(store)
    try:
        with terminal.read() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        terminal.close()


def test_a_whole_shift_matches_the_hand_computed_z_report(kupa: Kupa, store: Path) -> None:
    assert kupa("shift", "open", "--float", "50000", "--pin", MANAGER_PIN, "--json").code == 0
    # 1. cash: ₪26.00 paid with a ₪50 note → ₪24.00 change
    cash = kupa("checkout", "--item", "COFFEE-L", "--item", "CROISSANT", "--pay", "cash:5000", "--json").json
    assert cash["total"] == 2600 and cash["change"] == 2400
    assert cash["tenders"] == [{"kind": "cash", "amount": 2600, "given": 5000, "change": 2400, "reference": None}]
    # 2. card, exact, with the payment terminal's reference
    card = kupa("checkout", "--item", "SHOE", "--pay", "card:45000:AUTH1", "--json").json
    assert card["tenders"] == [{"kind": "card", "amount": 45000, "given": 45000, "change": 0, "reference": "AUTH1"}]
    assert card["change"] == 0
    # 3. split: ₪53.00 = card ₪30.00 + cash ₪25.00 → cash pays ₪23.00, ₪2.00 change
    split = kupa("checkout", "--item", "COFFEE-S:2", "--item", "CIG", "--pay", "card:3000:AUTH2",
                 "--pay", "cash:2500", "--json").json
    assert split["total"] == 5300 and split["change"] == 200
    assert [(t["kind"], t["amount"], t["given"], t["change"]) for t in split["tenders"]] == [
        ("card", 3000, 3000, 0), ("cash", 2300, 2500, 200)]
    # 4. a member's exact cash sale earns 14 points (1 per ₪1.00, bronze)
    member = kupa("member", "add", "--name", "Dana", "--json").json["member_id"]
    earned = kupa("checkout", "--member", member, "--item", "COFFEE-L", "--pay", "cash:1400", "--json").json
    assert earned["points_earned"] == 14
    # 5. the split sale refunded whole: back to the card first (₪30.00), then cash (₪23.00)
    refund = kupa("refund", split["sale_id"], "--pin", MANAGER_PIN, "--json").json
    assert [(t["kind"], t["amount"], t["reference"]) for t in refund["tenders"]] == [
        ("card", 3000, "AUTH2"), ("cash", 2300, None)]
    # 6. cash in and out
    assert kupa("shift", "cash-in", "10000", "--reason", "coins from the bank", "--pin", MANAGER_PIN).code == 0
    assert kupa("shift", "cash-out", "5000", "--reason", "paid the window cleaner", "--pin", MANAGER_PIN).code == 0

    x = kupa("shift", "report", "--json").json
    assert x["kind"] == "X" and x["counted"] is None and x["expected_cash"] == 59000
    z = kupa("shift", "close", "--counted", "58950", "--pin", MANAGER_PIN, "--json").json
    # By hand: sales 2600 + 45000 + 5300 + 1400 = 54300; cash 2600 + 2300 + 1400 = 6300 in, 2300 back;
    # card 45000 + 3000 in, 3000 back; drawer 50000 + 4000 + 10000 − 5000 = 59000; counted 58950 → −50.
    assert z["kind"] == "Z"
    assert z["float"] == 50000
    assert z["sales"] == {"count": 4, "total": 54300}
    assert z["refunds"] == {"count": 1, "total": 5300}
    assert z["tenders"] == {"card": {"sales": 48000, "refunds": 3000, "net": 45000},
                            "cash": {"sales": 6300, "refunds": 2300, "net": 4000}}
    assert z["change_given"] == 2600
    assert (z["cash_in"], z["cash_out"]) == (10000, 5000)
    assert [m["reason"] for m in z["cash_moves"]] == ["coins from the bank", "paid the window cleaner"]
    assert z["expected_cash"] == 59000 and z["counted"] == 58950 and z["over_short"] == -50
    assert z["points"] == {"issued": 14, "reversed": 0, "redeemed": 0, "returned": 0}
    assert z["voids"] == 0
    # The Z is kept: shown again exactly as closed, and the shift is closed
    assert kupa("shift", "show", z["shift_id"], "--json").json == z
    assert kupa("shift", "report", "--json").json["message_code"] == "shift.none_open"
    listed = kupa("shift", "list", "--json").json["shifts"]
    assert listed[0]["shift_id"] == z["shift_id"] and listed[0]["over_short"] == -50
    # Its text, in both languages, says short by ₪0.50
    assert any("Short: ₪0.50" in line for line in report_lines(z, "en"))
    assert any("חוסר בקופה" in line and "0.50" in line for line in report_lines(z, "he"))
    text = kupa("--lang", "he", "shift", "show", z["shift_id"])
    assert text.code == 0 and "דוח Z" in text.out


def test_a_payment_that_does_not_cover_the_total_is_refused_and_nothing_is_stored(kupa: Kupa, store: Path) -> None:
    kupa("shift", "open", "--float", "0", "--pin", MANAGER_PIN)
    before = _count(store, Sale), _count(store, Tender)
    short = kupa("checkout", "--item", "COFFEE-L", "--pay", "cash:1399", "--json")
    assert short.code == 1 and short.json["message_code"] == "tender.short"
    assert short.json["params"]["missing"] == 1
    over = kupa("checkout", "--item", "COFFEE-L", "--pay", "card:1401:X", "--json")
    assert over.json["message_code"] == "tender.card_overpays"
    needless = kupa("checkout", "--item", "COFFEE-L", "--pay", "card:1400", "--pay", "cash:100", "--json")
    assert needless.json["message_code"] == "tender.not_needed"
    for bad, code in (("cash", "tender.not_a_payment"), ("cheque:100", "tender.unknown_kind"),
                      ("gift_card:100", "tender.gift_needs_card"),
                      ("credit:100", "gift.credit_needs_member"), ("cash:0", "tender.amount_positive"),
                      ("cash:-5", "tender.amount_positive"), ("cash:100:REF", "tender.cash_no_reference")):
        result = kupa("checkout", "--item", "COFFEE-L", "--pay", bad, "--json")
        assert result.code == 1 and result.json["message_code"] == code, bad
    assert (_count(store, Sale), _count(store, Tender)) == before
    # exactly covered, and one agora short of a card overpayment, are accepted
    assert kupa("checkout", "--item", "COFFEE-L", "--pay", "cash:1400").code == 0
    assert kupa("checkout", "--item", "COFFEE-L", "--pay", "card:1400:Y").code == 0


def test_cash_needs_an_open_shift_card_and_no_pay_do_not(kupa: Kupa, store: Path) -> None:
    refused = kupa("checkout", "--item", "COFFEE-L", "--pay", "cash:2000", "--json")
    assert refused.code == 1 and refused.json["message_code"] == "shift.cash_needs_shift"
    assert "kupa shift open --float" in kupa("checkout", "--item", "COFFEE-L", "--pay", "cash:2000").err
    assert _count(store, Sale) == 0
    plain = kupa("checkout", "--item", "COFFEE-L", "--json").json  # scripts: paid exactly by card
    assert plain["tenders"] == [{"kind": "card", "amount": 1400, "given": 1400, "change": 0, "reference": None}]
    assert plain["shift_id"] is None and _count(store, SaleShift) == 0
    # a card refund needs no shift either; a manager's cash refund does
    assert kupa("refund", plain["sale_id"], "--item", "COFFEE-L", "--pin", MANAGER_PIN,
                "--refund-to", "cash", "--json").json["message_code"] == "shift.cash_needs_shift"
    assert kupa("refund", plain["sale_id"], "--pin", MANAGER_PIN, "--json").json["tenders"][0]["kind"] == "card"


def test_a_manager_refunds_to_cash_and_it_is_audited(kupa: Kupa, store: Path) -> None:
    kupa("shift", "open", "--float", "10000", "--pin", MANAGER_PIN)
    sale = kupa("checkout", "--item", "SHOE", "--pay", "card:45000:A1", "--json").json
    back = kupa("refund", sale["sale_id"], "--manager-pin", MANAGER_PIN, "--refund-to", "cash", "--json").json
    assert back["tenders"] == [{"kind": "cash", "amount": 45000, "given": 45000, "change": 0, "reference": None}]
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        (details,) = db.execute("select details from audit_log where action = 'refund'").fetchone()
    assert '"refund_to": "cash"' in details
    # only ₪100 float is expected in the drawer now (−₪450 of cash back): a cash-out above it is refused
    x = kupa("shift", "report", "--json").json
    assert x["expected_cash"] == 10000 - 45000
    assert kupa("shift", "cash-out", "1", "--reason", "float", "--pin", MANAGER_PIN, "--json").json[
        "message_code"] == "shift.cash_out_too_much"


def test_partial_refunds_never_give_a_card_back_more_than_it_paid(kupa: Kupa) -> None:
    kupa("shift", "open", "--float", "0", "--pin", MANAGER_PIN)
    sale = kupa("checkout", "--item", "COFFEE-L:2", "--item", "CROISSANT", "--pay", "card:2000:C",
                "--pay", "cash:2000", "--json").json  # 4000 = card 2000 + cash 2000
    first = kupa("refund", sale["sale_id"], "--item", "COFFEE-L", "--pin", MANAGER_PIN, "--json").json
    assert [(t["kind"], t["amount"]) for t in first["tenders"]] == [("card", 1400)]
    second = kupa("refund", sale["sale_id"], "--item", "COFFEE-L", "--pin", MANAGER_PIN, "--json").json
    assert [(t["kind"], t["amount"]) for t in second["tenders"]] == [("card", 600), ("cash", 800)]
    third = kupa("refund", sale["sale_id"], "--pin", MANAGER_PIN, "--json").json
    assert [(t["kind"], t["amount"]) for t in third["tenders"]] == [("cash", 1200)]


def test_shift_rules(kupa: Kupa, store: Path) -> None:
    assert kupa("shift", "close", "--counted", "0", "--pin", MANAGER_PIN, "--json").json[
        "message_code"] == "shift.none_open"
    assert kupa("shift", "cash-in", "100", "--reason", "coins", "--pin", MANAGER_PIN, "--json").json[
        "message_code"] == "shift.none_open"
    assert kupa("shift", "open", "--float", "-1", "--pin", MANAGER_PIN, "--json").json[
        "message_code"] == "shift.bad_amount"
    assert kupa("shift", "open", "--float", str(shifts.MAX_CASH + 1), "--pin", MANAGER_PIN, "--json").json[
        "message_code"] == "shift.bad_amount"
    assert kupa("shift", "open", "--float", "100", "--pin", "0000", "--json").json["error"] == "not_allowed"
    opened = kupa("shift", "open", "--float", str(shifts.MAX_CASH), "--pin", MANAGER_PIN, "--json").json
    assert kupa("shift", "open", "--float", "0", "--pin", MANAGER_PIN, "--json").json[
        "message_code"] == "shift.already_open"
    assert kupa("shift", "cash-in", "0", "--reason", "none", "--pin", MANAGER_PIN, "--json").json[
        "message_code"] == "shift.bad_amount"
    assert kupa("shift", "cash-in", "5", "--reason", "", "--pin", MANAGER_PIN, "--json").code == 1
    assert kupa("shift", "show", "nope", "--json").json["message_code"] == "shift.not_found"
    assert kupa("shift", "show", opened["shift_id"], "--json").json["kind"] == "X"
    assert kupa("checkout", "--item", "COFFEE-L", "--pay", "card:1400").code == 0
    kupa("shift", "close", "--counted", str(shifts.MAX_CASH), "--pin", MANAGER_PIN)
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        for statement in ("update shift_closes set counted = 0", "delete from shifts",
                          "update tenders set amount = 0", "delete from sale_shifts"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement + " where 1")
            db.rollback()
        actions = [a for (a,) in db.execute("select action from audit_log where action like 'shift%' order by created_at")]
    assert actions == ["shift_open", "shift_close"]


def test_every_drawer_action_needs_the_open_shift_by_one_rule(kupa: Kupa, store: Path) -> None:
    """Issue #12: "an open shift, else `shift.none_open`" is `shifts.the_open_shift` alone: moving cash, the X
    report and closing all refuse from it (a copy of the check in one of them would raise elsewhere)."""
    terminal = Terminal.open(store)
    try:
        for action in (lambda: shifts.move_cash(terminal, "cash_in", 100, "coins", MANAGER_PIN),
                       lambda: shifts.x_report(terminal),
                       lambda: shifts.close_shift(terminal, 0, MANAGER_PIN)):
            with pytest.raises(StateError) as caught:
                action()
            assert caught.value.message_code == "shift.none_open"
            assert caught.traceback[-1].name == "the_open_shift"
    finally:
        terminal.close()


def test_the_tenders_reach_the_outbox_with_the_sale(kupa: Kupa, store: Path) -> None:
    import json

    kupa("shift", "open", "--float", "0", "--pin", MANAGER_PIN)
    sale = kupa("checkout", "--item", "COFFEE-L", "--pay", "cash:2000", "--json").json
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        (payload,) = db.execute("select payload from outbox where kind = 'sale' and ref_id = ?",
                                (sale["sale_id"],)).fetchone()
    assert json.loads(payload)["tenders"] == [
        {"kind": "cash", "amount": 1400, "given": 2000, "change": 600, "reference": None}]


def test_settle_and_refund_allocation_pin_their_boundaries() -> None:
    cash, card = TenderKind.CASH, TenderKind.CARD
    assert settle(0, [], "ILS") == ()
    [t] = settle(100, [TenderGiven(cash, 100)], "ILS")
    assert (t.amount, t.change) == (100, 0)
    two = settle(100, [TenderGiven(cash, 60), TenderGiven(cash, 60)], "ILS")
    assert [(t.amount, t.given, t.change) for t in two] == [(60, 60, 0), (40, 60, 20)]
    assert refund_allocation(0, [Paid(card, 100)]) == ()
    assert [(t.kind, t.amount) for t in refund_allocation(150, [Paid(cash, 100), Paid(card, 100, 50)])] == [
        (card, 50), (cash, 100)]
    assert [(t.kind, t.amount) for t in refund_allocation(10, [])] == [(cash, 10)]
    assert refund_allocation(10, [Paid(cash, 10)], refund_to=card)[0].kind is card
