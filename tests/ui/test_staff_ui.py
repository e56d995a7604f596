"""Staff in the app: the status bar's name and role, Ctrl+Del asking before a void (audited), F7's audited
line void, the manager's Staff page (add, reset PIN, disable) and a cashier changing their own PIN.

The demo store of the UI fixtures has cashier Dana (PIN 1111, staff #1) and manager Avi (PIN 2468, #2).
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from pos_client.db.models import AuditEntry, Staff
from pos_client.services import staff as staff_service
from tests.ui.conftest import pay, wait_idle
from tests.ui.test_checkout import sign_in
from tests.ui.test_manager_status import open_manager_window
from ui.staff_page import StaffModel


def _audit(win, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with win.terminal.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _ring_up(qtbot, win, skus: tuple[str, ...] = ("LATTE-L", "CROISSANT")) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: len(win.checkout._quick_buttons) > 0, timeout=10000)
    for sku in skus:
        button = win.checkout.findChild(type(win.checkout.add), f"quick_{sku}")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        wait_idle(qtbot, win)
    qtbot.waitUntil(lambda: len(win.sale.state.lines) == len(skus), timeout=10000)


def test_the_status_bar_shows_the_cashier_and_the_translated_role(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    # the role comes from the staff record, in the app's language; the demo's names carry none
    assert window.cashier_label.text() == "Cashier: Dana"
    window.languages.switch("he")
    qtbot.waitUntil(lambda: window.cashier_label.text() == "קופאי: Dana", timeout=5000)
    window.languages.switch("en")
    qtbot.waitUntil(lambda: window.cashier_label.text() == "Cashier: Dana", timeout=5000)
    window.sign_out()
    sign_in(qtbot, window, "2468")
    assert window.cashier_label.text() == "Manager: Avi"


def test_ctrl_del_asks_before_voiding_and_the_void_is_audited(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    _ring_up(qtbot, window)
    screen = window.checkout
    assert screen.void.shortcut() == QKeySequence("Ctrl+Del")
    screen.void.click()  # what Ctrl+Del triggers
    qtbot.waitUntil(lambda: getattr(screen, "void_dialog", None) is not None and screen.void_dialog.isVisible(),
                    timeout=5000)
    dialog = screen.void_dialog
    assert "2 lines" in dialog.summary.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()  # "Keep the sale"
    wait_idle(qtbot, window)
    assert len(window.sale.state.lines) == 2 and _audit(window, "void_sale") == []
    screen.void.click()
    qtbot.waitUntil(lambda: screen.void_dialog.isVisible(), timeout=5000)
    screen.void_dialog.reason.setCurrentIndex(1)
    screen.void_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # "Void sale"
    qtbot.waitUntil(lambda: len(_audit(window, "void_sale")) == 1, timeout=10000)
    assert window.sale.state.lines == ()
    row = _audit(window, "void_sale")[0]
    assert (row.user_id, row.reason) == ("1", "Wrong items rung up")
    assert [line["sku"] for line in json.loads(row.details)["lines"]] == ["LATTE-L", "CROISSANT"]


def test_f7_removes_a_line_and_writes_the_void(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    _ring_up(qtbot, window)
    window.checkout.table.selectRow(0)
    window.checkout.remove.click()  # F7
    qtbot.waitUntil(lambda: len(_audit(window, "void_line")) == 1, timeout=10000)
    assert [line.sku for line in window.sale.state.lines] == ["CROISSANT"]
    row = _audit(window, "void_line")[0]
    assert (row.user_id, row.target) == ("1", "LATTE-L")


def test_a_completed_or_parked_sale_is_no_void(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    _ring_up(qtbot, window, ("LATTE-L",))
    window.checkout.pay.click()
    pay(qtbot, window)  # F12 opens the payment dialog; Enter pays exactly
    qtbot.waitUntil(lambda: window.receipt is not None and window.receipt.isVisible(), timeout=10000)
    text = window.receipt.view.toPlainText()
    assert window.last_sale is not None and window.last_sale.result.receipt_no in text
    assert window.last_sale.result.receipt_no.startswith("T")
    wait_idle(qtbot, window)
    assert _audit(window, "void_sale") == []


def test_the_manager_adds_resets_and_disables_staff(qtbot, qtmodeltester, window) -> None:  # type: ignore[no-untyped-def]
    mw = open_manager_window(qtbot, window)
    mw.tabs.setCurrentWidget(mw.staff)
    page = mw.staff
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10000)
    qtmodeltester.check(page.model)
    page.name.setText("Noa")
    page.role.setCurrentIndex(page.role.findData("cashier"))
    page.pin.setText("4321")
    page.add_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10000)
    assert "Noa" in mw.message.text() and page.pin.text() == ""
    noa = page.model.row(2)
    assert noa is not None and (noa.name, noa.role, noa.staff_id) == ("Noa", "cashier", 3)
    assert page.model.data(page.model.index(2, StaffModel.Column.ROLE)) == "Cashier"
    page.table.selectRow(2)
    page.new_pin.setText("5678")
    page.reset_button.click()
    qtbot.waitUntil(lambda: len(_audit(window, "staff_pin_reset")) == 1, timeout=10000)
    page.table.selectRow(2)
    page.disable_button.click()
    qtbot.waitUntil(lambda: len(_audit(window, "staff_disable")) == 1, timeout=10000)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3 and not page.model.row(2).active, timeout=10000)
    page.pin.setText("5678")
    page.name.setText("Dan")
    page.add_button.click()  # Noa's PIN is free again once she is disabled
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=10000)
    page.name.setText("Eli")
    page.pin.setText("1111")  # Dana's
    page.add_button.click()
    qtbot.waitUntil(lambda: "another staff member has that pin" in mw.message.text().lower(), timeout=10000)
    assert [a.user_id for a in _audit(window, "staff_add")] == ["2", "2"]


def test_a_cashier_changes_their_own_pin(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.pin_action.trigger()
    dialog = window.pin_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    dialog.old_pin.setText("1111")
    dialog.new_pin.setText("2580")
    dialog.again.setText("2589")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.message.text() == "The two new PINs differ" and dialog.isVisible()
    dialog.old_pin.setText("1112")
    dialog.new_pin.setText("2580")
    dialog.again.setText("2580")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: dialog.message.text() != "The two new PINs differ", timeout=10000)
    assert dialog.isVisible()  # a wrong current PIN keeps the dialog open
    dialog.old_pin.setText("1111")
    dialog.new_pin.setText("2580")
    dialog.again.setText("2580")
    with qtbot.waitSignal(dialog.finished, timeout=10000):  # accepted, then deleted (deleteLater): no polling it
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    with window.terminal.read() as session:
        dana = session.scalars(select(Staff).where(Staff.staff_id == 1)).one()
        from pos_client.services.auth import pin_matches
        assert pin_matches("2580", dana.pin_hash) and not pin_matches("1111", dana.pin_hash)
    assert [a.action for a in _audit(window, "staff_pin_change")] == ["staff_pin_change"]
    assert staff_service.list_all(window.terminal)[0].active
