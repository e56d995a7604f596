"""Rewards: translated explanations and refusals from the core's codes, and the manager override."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from pos_client.db.models import AuditEntry
from pos_client.errors import RuleViolation
from pos_client.pricing import engine
from pos_client.services import till
from tests.ui.conftest import wait_idle
from tests.ui.test_checkout import a_member, sign_in
from ui.i18n import error_text


def _member_by_phone(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    phone, _token = a_member(win, with_card=False)
    win.sale.add_product(till.product(win.terminal, "SHOE-RUN"))
    win.sale.add_product(till.product(win.terminal, "LATTE-L"))
    wait_idle(qtbot, win)
    win.sale.identify(phone)
    wait_idle(qtbot, win)
    wait_idle(qtbot, win)


def test_manager_override_allows_spending_and_is_audited(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    _member_by_phone(qtbot, window)
    rewards = window.checkout.rewards
    assert rewards.override.isVisible() and not rewards.redeem.isEnabled()
    qtbot.mouseClick(rewards.override, Qt.MouseButton.LeftButton)
    dialog = window.override_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    dialog.pin.setText("1111")  # a cashier's PIN is not a manager's
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "manager" in dialog.message.text().lower(), timeout=10000)
    assert dialog.isVisible() and window.sale.state.manager_pin is None
    dialog.pin.setText("2468")
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.buttons.accepted.emit()
    wait_idle(qtbot, window)
    assert window.sale.member["can_spend"] and "Avi" in window.checkout.member_panel.via.text()
    assert rewards.redeem.isEnabled() and rewards.redeem.count() > 1 and not rewards.override.isVisible()
    points = rewards.redeem.itemData(1)
    rewards.redeem.setCurrentIndex(1)
    wait_idle(qtbot, window)
    assert window.sale.quote.redeemed_points == points
    assert "manager_pin" not in window.sale.state.payload()  # never saved with the cart
    window.sale.complete()
    qtbot.waitUntil(lambda: window.receipt is not None, timeout=10000)
    with window.terminal.read() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "pin_spend_override")).all()
    assert len(audit) == 1 and audit[0].target == window.last_sale.result.sale_id
    assert "allowed by manager Avi" in window.receipt.view.toPlainText()
    window.receipt.accept()


def test_explanation_and_refusals_are_translated(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    _member_by_phone(qtbot, window)
    explain = window.checkout.rewards.explain
    assert "Total to pay" in explain.text() and "Latte large" in explain.text()
    window.language_action.trigger()
    qtbot.waitUntil(lambda: "לתשלום" in explain.text(), timeout=5000)
    latte_he = till.product(window.terminal, "LATTE-L").name_he
    assert latte_he and latte_he in explain.text()
    assert "Total to pay" not in explain.text() and "Points earned" not in explain.text()
    assert "כרטיס" in window.checkout.rewards.reason.text()
    refusal = RuleViolation(engine.REDEEM_REFUSED, why=engine.LIMIT_SHARE.bind(pct=50),
                            most=engine.REDEEM_MOST.bind(max_points=150), requested=500, max_points=150, rule="share")
    assert error_text(refusal) == ("אי אפשר לממש 500 נקודות: נקודות יכולות לשלם עד 50% מהפריטים הזכאים; "
                                   "המקסימום במכירה זו הוא 150 נקודות")
    window.language_action.trigger()
    text = error_text(refusal)
    assert text.startswith("Cannot redeem 500 points") and "150 points" in text
