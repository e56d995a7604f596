"""The payment dialog (F12) and the shift dialogs, with real widgets offscreen (issue 15, items 3 and 4)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from pos_client.cli.main import main
from pos_client.services import giftcards
from pos_client.services.checkout import BasketRequest, checkout

from pos_client.demo.generate import CASHIER_PIN, MANAGER_PIN
from pos_client.tender import TenderKind
from tests.integration.conftest import DEMO
from tests.ui.conftest import wait_idle
from tests.ui.test_checkout import sign_in
from ui.tender_dialog import TenderDialog, quick_amounts


def test_quick_amounts_are_exact_then_the_next_round_notes() -> None:
    assert quick_amounts(1700) == [1700, 2000, 5000, 10000]
    assert quick_amounts(2000) == [2000, 5000, 10000, 20000]
    assert quick_amounts(20001) == [20001, 22000, 25000, 30000]


def test_cash_with_change_shown_big_and_keyboard_only(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = TenderDialog(1700, "ILS", "en", cash_allowed=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.cash.text() == "17.00" and dialog.cash.selectedText() == "17.00"  # typing replaces it
    assert dialog.due.text() == "To pay: ₪17.00"
    assert dialog.change.text() == "Change: ₪0.00"
    dialog.cash.selectAll()
    qtbot.keyClicks(dialog.cash, "50")
    assert dialog.change.text() == "Change: ₪33.00"
    dialog.cash.setText("16.99")
    assert dialog.change.text() == "Still to pay: ₪0.01"
    with qtbot.assertNotEmitted(dialog.paid):
        qtbot.keyClick(dialog.cash, Qt.Key.Key_Return)
    assert "₪0.01 missing" in dialog.message.text() and dialog.isVisible()
    dialog.quick[2].click()  # ₪50, as F3 does
    assert dialog.cash.text() == "50.00"
    with qtbot.waitSignal(dialog.paid) as paid:
        qtbot.keyClick(dialog.complete, Qt.Key.Key_Return)
    [given] = paid.args[0]
    assert (given.kind, given.amount) == (TenderKind.CASH, 5000)


def test_a_split_payment_puts_the_rest_on_the_card(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = TenderDialog(5300, "ILS", "en", cash_allowed=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.cash.setText("25")
    dialog.rest_on_card.click()  # F9
    assert dialog.card.text() == "28.00"
    qtbot.keyClicks(dialog.reference, "AUTH-77")
    assert dialog.change.text() == "Change: ₪0.00"
    dialog.card.setText("30")
    assert dialog.change.text() == "Change: ₪2.00"
    with qtbot.waitSignal(dialog.paid) as paid:
        qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    assert [(g.kind, g.amount, g.reference) for g in paid.args[0]] == [
        (TenderKind.CARD, 3000, "AUTH-77"), (TenderKind.CASH, 2500, None)]


def test_a_card_that_overpays_is_refused_in_the_dialog(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = TenderDialog(1000, "ILS", "en", cash_allowed=False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.cash.isEnabled() and dialog.card.text() == "10.00"
    dialog.card.setText("10.01")
    with qtbot.assertNotEmitted(dialog.paid):
        dialog.complete.click()
    assert "change is given only from cash" in dialog.message.text()


def test_a_shift_in_the_app_cash_sale_x_and_z(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.shift.start("open")
    opener = window.shift.dialog
    opener.amount.setText("500")
    opener.pin.setText("0000")
    opener.buttons.accepted.emit()
    qtbot.waitUntil(lambda: opener.message.text() != "", timeout=10000)  # a wrong PIN stays in the dialog
    opener.pin.setText(MANAGER_PIN)
    opener.buttons.accepted.emit()
    qtbot.waitUntil(lambda: not opener.isVisible(), timeout=10000)
    wait_idle(qtbot, window)
    window.on_scanned("LATTE-L")
    wait_idle(qtbot, window)
    assert window.sale.quote is not None and window.sale.quote.total == 1700
    window.activateWindow()
    qtbot.keyClick(window.checkout.table, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: window.tender_dialog is not None and window.tender_dialog.isVisible(), timeout=10000)
    dialog = window.tender_dialog
    assert dialog.cash.isEnabled()
    dialog.cash.setText("20")
    assert dialog.change.text() == "Change: ₪3.00"
    qtbot.keyClick(dialog.cash, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.receipt is not None and window.receipt.isVisible(), timeout=10000)
    assert [t.to_json() for t in window.last_sale.result.tenders] == [
        {"kind": "cash", "amount": 1700, "given": 2000, "change": 300, "reference": None}]
    qtbot.keyClick(window.receipt, Qt.Key.Key_Return)

    window.shift.start("x_report")
    qtbot.waitUntil(lambda: window.shift.dialog is not None and window.shift.dialog.isVisible(), timeout=10000)
    text = window.shift.dialog.view.toPlainText()
    assert "X report" in text and "Expected cash in drawer: ₪517.00" in text
    window.shift.dialog.reject()
    window.shift.start("close")
    closer = window.shift.dialog
    closer.amount.setText("517")
    closer.pin.setText(MANAGER_PIN)
    closer.buttons.accepted.emit()
    qtbot.waitUntil(lambda: window.shift.dialog is not closer and window.shift.dialog.isVisible(), timeout=10000)
    z = window.shift.dialog.view.toPlainText()
    assert "Z report" in z and "Drawer balances exactly" in z
    window.language_action.trigger()
    assert "דוח Z" in window.shift.dialog.view.toPlainText()
    with sqlite3.connect(window.terminal.data_dir / "kupa.sqlite3") as db:
        (report,) = db.execute("select report from shift_closes").fetchone()
    assert json.loads(report)["over_short"] == 0


def test_without_a_shift_f12_takes_the_card_only(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.on_scanned("LATTE-L")
    wait_idle(qtbot, window)
    window.checkout.pay.click()
    qtbot.waitUntil(lambda: window.tender_dialog is not None and window.tender_dialog.isVisible(), timeout=10000)
    dialog = window.tender_dialog
    assert not dialog.cash.isEnabled() and dialog.card.text() == "17.00"
    qtbot.keyClicks(dialog.reference, "R-1")
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.receipt is not None and window.receipt.isVisible(), timeout=10000)
    assert [t.to_json() for t in window.last_sale.result.tenders] == [
        {"kind": "card", "amount": 1700, "given": 1700, "change": 0, "reference": "R-1"}]


def test_a_gift_card_field_pays_part_and_the_core_checks_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = TenderDialog(5300, "ILS", "en", cash_allowed=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.gift.setText("20")
    with qtbot.assertNotEmitted(dialog.paid):
        dialog.complete.click()
    assert "needs the card's code" in dialog.message.text()
    qtbot.keyClicks(dialog.gift_code, "KUPAG1.code-as-scanned")
    dialog.cash.setText("40")
    assert dialog.change.text() == "Change: ₪7.00"
    with qtbot.waitSignal(dialog.paid) as paid:
        qtbot.keyClick(dialog.cash, Qt.Key.Key_Return)
    assert [(g.kind, g.amount, g.reference) for g in paid.args[0]] == [
        (TenderKind.GIFT_CARD, 2000, "KUPAG1.code-as-scanned"), (TenderKind.CASH, 4000, None)]


@pytest.fixture
def gift_program(store: Path) -> None:
    """The demo program with a `gift_cards` section (a newer version), before the window opens."""
    document = json.loads((DEMO / "program.json").read_text(encoding="utf-8"))
    document["version"] += 1
    document["gift_cards"] = {"skus": ["GIFT-100", "GIFT-250"], "min_load": 1000, "max_load": 100000,
                              "offline_daily_cap": 5000, "expiry_days": 365}
    path = store.parent / "program_gift.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert main(["--data-dir", str(store), "program", "load", str(path)]) == 0


def test_the_app_takes_a_gift_card_scanned_into_the_payment_dialog(  # type: ignore[no-untyped-def]
        qtbot, gift_program, window) -> None:
    sold = checkout(window.terminal, BasketRequest(items=(("GIFT-100", 1),), cashier_pin=CASHIER_PIN))
    token = sold.gift_cards[0].token
    sign_in(qtbot, window)
    window.on_scanned("LATTE-L")
    wait_idle(qtbot, window)
    window.checkout.pay.click()
    qtbot.waitUntil(lambda: window.tender_dialog is not None and window.tender_dialog.isVisible(), timeout=10000)
    dialog = window.tender_dialog
    dialog.card.clear()
    window.on_camera_code(token)  # the camera (or the wedge scanner) reads the card into the gift field
    assert dialog.gift_code.text() == token and dialog.gift.hasFocus()
    dialog.gift.setText("17")
    qtbot.keyClick(dialog.gift, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.receipt is not None and window.receipt.isVisible(), timeout=10000)
    assert [t.to_json() for t in window.last_sale.result.tenders] == [
        {"kind": "gift_card", "amount": 1700, "given": 1700, "change": 0, "reference": sold.gift_cards[0].card}]
    assert giftcards.show(window.terminal, sold.gift_cards[0].card)["balance"] == 8300
    qtbot.keyClick(window.receipt, Qt.Key.Key_Return)
    window.on_scanned(token)  # outside the payment dialog a gift card identifies no one: it says where it pays
    assert "press F12" in window.checkout.messages.text()
