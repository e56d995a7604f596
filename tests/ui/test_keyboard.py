"""Keyboard only: a whole member sale with a punch-card reward and a redemption, and Hebrew dialogs read RTL."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pos_client.services import carts, till
from pos_client.services.checkout import BasketRequest, checkout
from tests.ui.conftest import PERSON_MS, SCANNER_MS, pay, type_keys, wait_idle
from tests.ui.test_checkout import sign_in


def _hebrew(text: str) -> bool:
    return any("\u0590" <= ch <= "\u05ff" for ch in text)


def _type(qtbot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type like a person (slower than a wedge scanner), then Enter."""
    type_keys(widget, text, PERSON_MS)


def test_member_sale_with_rewards_by_keyboard_only(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    fan = till.enrol_member(window.terminal, name="Key Board", phone="0547778889", birthday=None, cashier_id=None)
    checkout(window.terminal, BasketRequest(items=(("ESPRESSO", 9), ("SHOE-RUN", 1)), member_code=fan.token,
                                            cashier_id="1"))  # the demo's cashier: a store with cashiers names one
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    _type(qtbot, window.signin.pin, "1111")  # the PIN pad takes typed digits
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.checkout, timeout=10000)
    wait_idle(qtbot, window)
    search = window.checkout.search
    qtbot.waitUntil(search.hasFocus, timeout=5000)
    _type(qtbot, search, "LATTE-L")
    wait_idle(qtbot, window)
    _type(qtbot, search, "SHOE-RUN")
    wait_idle(qtbot, window)
    with qtbot.waitSignal(window.scanner.scanned, timeout=5000):  # the member's card, by the wedge scanner
        type_keys(search, fan.token, SCANNER_MS)
    qtbot.waitUntil(lambda: window.sale.quote is not None and window.sale.quote.member_id == fan.member_id,
                    timeout=10000)
    wait_idle(qtbot, window)
    assert "coffee" in window.sale.quote.rewards_due
    qtbot.keyClick(search, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)  # take the free coffee
    qtbot.waitUntil(lambda: window.sale.state.punch_rewards == ("coffee",), timeout=5000)
    wait_idle(qtbot, window)
    qtbot.keyClick(search, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # to the redemption control
    redeem = window.checkout.rewards.redeem
    qtbot.waitUntil(redeem.hasFocus, timeout=5000)
    qtbot.keyClick(redeem, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.sale.state.redeem_points > 0, timeout=5000)
    wait_idle(qtbot, window)
    points = window.sale.state.redeem_points
    to_pay = window.sale.quote.total
    qtbot.keyClick(redeem, Qt.Key.Key_F12)
    if to_pay:
        pay(qtbot, window)
    qtbot.waitUntil(lambda: window.receipt is not None and window.receipt.isVisible(), timeout=10000)
    done = window.last_sale.result.quote
    assert done.redeemed_points == points and done.stamps_spent == {"coffee": 9}
    assert str(points) in window.receipt.view.toPlainText()
    qtbot.keyClick(window.receipt, Qt.Key.Key_Return)
    assert not window.receipt.isVisible() and window.sale.state.lines == ()


def test_hebrew_dialogs_are_right_to_left(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.open_member_search("")
    search = window.member_search
    assert not _hebrew(search.windowTitle())
    window.language_action.trigger()  # an open dialog re-words itself
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    qtbot.waitUntil(lambda: _hebrew(search.windowTitle()), timeout=5000)
    assert search.isRightToLeft() and _hebrew(search.model.headerData(0, Qt.Orientation.Horizontal))
    search.reject()
    window.open_enrol()
    window.open_override()
    carts.park(window.terminal, "שולחן 2", {"items": [["ESPRESSO", 1, "Espresso", None, 900]]})
    window.open_resume()
    qtbot.waitUntil(lambda: getattr(window, "parked_dialog", None) is not None, timeout=10000)
    window.sale.add_product(till.product(window.terminal, "ESPRESSO"))
    wait_idle(qtbot, window)
    window.sale.complete()
    qtbot.waitUntil(lambda: window.receipt is not None, timeout=10000)
    for dialog in (window.enrol_dialog, window.override_dialog, window.parked_dialog, window.receipt):
        assert dialog.isRightToLeft(), dialog.objectName()
        assert _hebrew(dialog.windowTitle()), dialog.objectName()
    assert window.receipt.view.isRightToLeft() and "תודה רבה" in window.receipt.view.toPlainText()
    receipt = window.receipt.view.image  # the paper itself, mirrored: the member's line ends at the right margin
    assert receipt.width() == 576
    for dialog in (window.enrol_dialog, window.override_dialog, window.parked_dialog, window.receipt):
        dialog.reject()
