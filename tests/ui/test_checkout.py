"""The cashier app end to end: sign-in, sales by mouse and keyboard, members, rewards, enrolment, parking."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pos_client.services import carts, till
from pos_client.services.members import issue_card
from pos_client.timeutil import utcnow
from tests.ui.conftest import PERSON_MS, SCANNER_MS, pay, type_keys, wait_idle


def sign_in(qtbot, win, pin: str = "1111") -> None:  # type: ignore[no-untyped-def]
    for digit in pin:
        qtbot.mouseClick(win.signin.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(win.signin.keys["⏎"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.checkout, timeout=10000)
    wait_idle(qtbot, win)


def a_member(win, with_card: bool) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(phone, token) of a demo member with points."""
    from sqlalchemy import select

    from pos_client.db.models import Member, MemberBalance
    with win.terminal.unit_of_work() as session:
        member = session.scalars(select(Member).join(MemberBalance, MemberBalance.member_id == Member.member_id)
                                 .where(MemberBalance.points >= 300, Member.phone.is_not(None))).first()
        assert member is not None
        _card, token = issue_card(win.terminal, session, member.member_id, utcnow())
        return member.phone, token


def test_wrong_pin_then_sign_in_shows_cashier(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.signin.pin.setText("9999")
    window.signin.pin.returnPressed.emit()
    qtbot.waitUntil(lambda: "PIN" in window.signin.message.text(), timeout=10000)
    sign_in(qtbot, window)
    assert "Dana" in window.cashier_label.text()
    window.lock_action.trigger()
    assert window.stack.currentWidget() is window.signin


def test_whole_sale_with_the_mouse(qtbot, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    qtbot.waitUntil(lambda: len(window.checkout._quick_buttons) > 0, timeout=10000)
    latte = window.checkout.findChild(type(window.checkout.add), "quick_LATTE-L")
    qtbot.mouseClick(latte, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(latte, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert window.sale.state.lines[0].qty == 2
    qtbot.mouseClick(window.checkout.minus, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert window.sale.state.lines[0].qty == 1
    assert window.sale.quote is not None and window.sale.quote.total == 1700
    qtbot.mouseClick(window.checkout.pay, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.tender_dialog is not None and window.tender_dialog.isVisible(), timeout=10000)
    qtbot.mouseClick(window.tender_dialog.complete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.receipt is not None and window.receipt.isVisible(), timeout=10000)
    assert "₪17.00" in window.receipt.view.toPlainText()
    pdf = tmp_path / "r.pdf"
    window.receipts.save_pdf(window.receipt.receipt.sale_id, pdf)  # what Save as PDF does after its file dialog
    qtbot.waitUntil(lambda: pdf.exists() and "r.pdf" in window.receipt.status.text(), timeout=10000)
    assert pdf.read_bytes().startswith(b"%PDF")
    qtbot.mouseClick(window.receipt.done_button, Qt.MouseButton.LeftButton)
    assert window.sale.state.lines == ()


def test_sale_with_the_keyboard_only(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    search = window.checkout.search
    search.setFocus()
    type_keys(search, "ESPRESSO", PERSON_MS)  # typed by a person, not a scanner
    wait_idle(qtbot, window)
    qtbot.keyClick(window.checkout.table, Qt.Key.Key_F5)  # the shortcut animates a click (~100 ms)
    qtbot.waitUntil(lambda: [(ln.sku, ln.qty) for ln in window.sale.state.lines] == [("ESPRESSO", 2)],
                    timeout=10000)
    qtbot.keyClick(window.checkout.table, Qt.Key.Key_F12)
    pay(qtbot, window)
    qtbot.waitUntil(lambda: window.receipt is not None and window.receipt.isVisible(), timeout=10000)
    qtbot.keyClick(window.receipt, Qt.Key.Key_Return)
    assert not window.receipt.isVisible()
    assert window.sale.state.lines == ()


def test_bad_scan_leaves_cart_unchanged(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.on_scanned("LATTE-L")
    wait_idle(qtbot, window)
    window.on_scanned("NOPE-12345")
    wait_idle(qtbot, window)
    assert [ln.sku for ln in window.sale.state.lines] == ["LATTE-L"]
    assert "NOPE-12345" in window.checkout.messages.text()


def test_wedge_scanner_anywhere(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.checkout.table.setFocus()
    with qtbot.waitSignal(window.scanner.scanned, timeout=5000) as blocker:
        type_keys(window.checkout.table, "CAPPUCCINO", SCANNER_MS)
    assert blocker.args == ["CAPPUCCINO"]
    wait_idle(qtbot, window)
    wait_idle(qtbot, window)
    assert [ln.sku for ln in window.sale.state.lines] == ["CAPPUCCINO"]


def test_member_by_phone_then_refused_redemption(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    phone, _token = a_member(window, with_card=False)
    window.sale.add_product(till.product(window.terminal, "SHOE-RUN"))
    wait_idle(qtbot, window)
    code = window.checkout.member_panel.code
    code.setText(phone)
    code.returnPressed.emit()
    wait_idle(qtbot, window)
    wait_idle(qtbot, window)
    assert window.sale.member is not None and not window.sale.member["can_spend"]
    rewards = window.checkout.rewards
    assert not rewards.redeem.isEnabled() and rewards.redeem.count() == 1  # disabled up front
    assert "manager" in rewards.reason.text() and rewards.override.isVisible()
    window.sale.set_redeem(100)  # the core refuses it too (e.g. a restored cart)
    wait_idle(qtbot, window)
    assert window.sale.state.redeem_points == 0
    assert "card" in window.checkout.messages.text()


def test_member_by_token_then_redemption(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    _phone, token = a_member(window, with_card=True)
    window.sale.add_product(till.product(window.terminal, "SHOE-RUN"))
    wait_idle(qtbot, window)
    window.on_scanned(token)
    wait_idle(qtbot, window)
    wait_idle(qtbot, window)
    assert window.sale.member["can_spend"]
    redeem = window.checkout.rewards.redeem
    points = redeem.itemData(1)
    redeem.setCurrentIndex(1)
    wait_idle(qtbot, window)
    assert window.sale.quote.redeemed_points == points
    window.sale.complete()
    qtbot.waitUntil(lambda: window.receipt is not None, timeout=10000)
    assert str(points) in window.receipt.view.toPlainText()


def test_punch_card_reward(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    enrolled = till.enrol_member(window.terminal, name="Punch Fan", phone="0541112223", birthday=None,
                                 cashier_id=None)
    from pos_client.services.checkout import BasketRequest, checkout
    checkout(window.terminal, BasketRequest(items=(("ESPRESSO", 9),), member_code=enrolled.token,
                                            cashier_id="1"))  # the demo's cashier: a store with cashiers names one
    window.sale.identify(enrolled.token)
    wait_idle(qtbot, window)
    window.sale.add_product(till.product(window.terminal, "LATTE-L"))
    wait_idle(qtbot, window)
    assert "coffee" in window.sale.quote.rewards_due
    box = window.checkout.rewards._punch["coffee"]
    box.setChecked(True)
    wait_idle(qtbot, window)
    assert window.sale.quote.total == 0 and window.sale.quote.stamps_spent == {"coffee": 9}


def test_enrolment(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.open_enrol()
    dialog = window.enrol_dialog
    dialog.name.setText("Noa Levi")
    dialog.phone.setText("052-7654321")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: dialog.card.isVisible(), timeout=10000)
    wait_idle(qtbot, window)
    assert "50" in dialog.message.text()
    assert window.sale.member is not None and window.sale.member["name"] == "Noa Levi"
    assert window.sale.member["can_spend"]
    dialog.accept()


def test_park_and_resume(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.sale.add_product(till.product(window.terminal, "LATTE-L"))
    wait_idle(qtbot, window)
    assert carts.load_current(window.terminal)["items"][0][0] == "LATTE-L"
    window.park("Table 4")
    wait_idle(qtbot, window)
    assert window.sale.state.lines == ()
    window.open_resume()
    qtbot.waitUntil(lambda: getattr(window, "parked_dialog", None) is not None
                    and window.parked_dialog.isVisible(), timeout=10000)
    assert "Table 4" in window.parked_dialog.list.item(0).text()
    window.parked_dialog.accept()
    wait_idle(qtbot, window)
    assert [ln.sku for ln in window.sale.state.lines] == ["LATTE-L"]


def test_cart_survives_restart(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    from ui.app import build
    _app, first = build(store, "en")
    qtbot.addWidget(first)
    first.signed_in(till.sign_in(first.terminal, "1111"))
    wait_idle(qtbot, first)
    first.sale.add_product(till.product(first.terminal, "ESPRESSO"), 3)
    wait_idle(qtbot, first)
    first.close()
    first.terminal.close()
    _app, second = build(store, "en")
    qtbot.addWidget(second)
    second.signed_in(till.sign_in(second.terminal, "1111"))
    qtbot.waitUntil(lambda: len(second.sale.state.lines) == 1, timeout=10000)
    assert second.sale.state.lines[0].qty == 3
    second.close()
    second.terminal.close()


def test_hebrew_is_right_to_left(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.language_action.trigger()
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.checkout.isRightToLeft()
    qtbot.waitUntil(lambda: window.checkout.pay.text() == "סיום מכירה (F12)", timeout=5000)
    window.language_action.trigger()
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_models(qtmodeltester, qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.sale.add_product(till.product(window.terminal, "LATTE-L"))
    window.sale.add_product(till.product(window.terminal, "ESPRESSO"))
    wait_idle(qtbot, window)
    qtmodeltester.check(window.model)


def test_park_by_keyboard_asks_for_a_label_without_blocking(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.sale.add_product(till.product(window.terminal, "ESPRESSO"))
    wait_idle(qtbot, window)
    qtbot.keyClick(window.checkout, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: getattr(window, "park_dialog", None) is not None and window.park_dialog.isVisible(),
                    timeout=10000)
    window.park_dialog.setTextValue("Window seat")
    qtbot.keyClick(window.park_dialog, Qt.Key.Key_Return)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.sale.state.lines == (), timeout=10000)
    assert [p.label for p in carts.list_parked(window.terminal)] == ["Window seat"]
