"""A Hebrew-speaking cashier reads the core's refusals in Hebrew: worded from the messages catalogue by code."""

from __future__ import annotations

from PySide6.QtCore import Qt

from pos_client.services import till
from tests.ui.conftest import wait_idle
from tests.ui.test_checkout import a_member, sign_in


def _hebrew(text: str) -> bool:
    return any("\u05d0" <= ch <= "\u05ea" for ch in text)


def test_a_hebrew_cashier_sees_a_wrong_pin_in_hebrew(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.languages.switch("he")
    for digit in "9999":
        qtbot.mouseClick(window.signin.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.signin.keys["⏎"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.signin.message.text() == "קוד שגוי", timeout=15000)
    assert window.stack.currentWidget() is window.signin


def test_a_hebrew_cashier_sees_a_redemption_refusal_in_hebrew(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.languages.switch("he")
    phone, _token = a_member(window, with_card=False)
    window.sale.add_product(till.product(window.terminal, "SHOE-RUN"))
    wait_idle(qtbot, window)
    window.sale.identify(phone)
    wait_idle(qtbot, window)
    wait_idle(qtbot, window)
    assert window.sale.member is not None and not window.sale.member["can_spend"]
    window.sale.set_redeem(100)  # identified by phone only: the core refuses to spend points
    wait_idle(qtbot, window)
    assert window.sale.state.redeem_points == 0
    assert window.checkout.messages.text() == "מימוש נקודות דורש את כרטיס החבר (סריקת QR) או קוד מנהל"


def test_a_hebrew_cashier_sees_an_unknown_code_in_hebrew(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.languages.switch("he")
    window.on_scanned("NOPE-12345")
    wait_idle(qtbot, window)
    text = window.checkout.messages.text()
    assert _hebrew(text) and "NOPE-12345" in text and "member" not in text.lower()
    window.languages.switch("en")
    window.on_scanned("NOPE-12345")
    wait_idle(qtbot, window)
    assert "NOPE-12345" in window.checkout.messages.text() and not _hebrew(window.checkout.messages.text())
