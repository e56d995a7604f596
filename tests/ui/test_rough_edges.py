"""The rough edges of issue 16, each pinned: keypad order, first empty cart, shortcuts from the search, the PIN
dialog's focus, message colours by severity."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from pos_client.services import till
from tests.ui.conftest import wait_idle
from tests.ui.test_checkout import a_member, sign_in
from ui.checkout_screen import SEVERITY_COLOURS, contrast


def test_hebrew_pin_pad_keeps_one_two_three_and_enter_on_the_right(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.languages.switch("he")
    qtbot.wait(50)
    keys = window.signin.keys
    x = {key: keys[key].mapTo(window, keys[key].rect().center()).x() for key in "123C0⏎"}
    assert x["1"] < x["2"] < x["3"]
    assert x["C"] < x["0"] < x["⏎"]  # Enter on the right, under 3, as on every keypad
    assert window.signin.isRightToLeft()  # the rest of the screen still reads right to left


def test_first_empty_cart_has_qty_park_complete_disabled(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    screen = window.checkout
    for button in (screen.plus, screen.minus, screen.remove, screen.void, screen.park, screen.pay):
        assert not button.isEnabled(), button.objectName()
    window.sale.add_product(till.product(window.terminal, "ESPRESSO"))
    wait_idle(qtbot, window)
    assert screen.pay.isEnabled() and screen.park.isEnabled() and screen.plus.isEnabled()


def _member_without_card(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    phone, _token = a_member(window, with_card=False)
    window.sale.add_product(till.product(window.terminal, "SHOE-RUN"))
    wait_idle(qtbot, window)
    window.sale.identify(phone)
    qtbot.waitUntil(lambda: window.sale.quote is not None and window.sale.quote.member_id is not None,
                    timeout=10000)
    wait_idle(qtbot, window)


@pytest.mark.parametrize("lang", ["en", "he"])
def test_alt_r_from_the_search_reaches_the_redemption_in_both_languages(qtbot, window, lang) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    _phone, token = a_member(window, with_card=True)
    window.sale.add_product(till.product(window.terminal, "SHOE-RUN"))
    window.sale.identify(token)
    qtbot.waitUntil(lambda: window.checkout.rewards.redeem.isEnabled(), timeout=10000)
    window.languages.switch(lang)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    search = window.checkout.search
    search.setFocus()
    qtbot.keyClick(search, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(window.checkout.rewards.redeem.hasFocus, timeout=5000)
    window.languages.switch("en")


def test_ctrl_m_from_the_search_opens_the_manager_pin_and_the_pin_never_reaches_the_search(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    _member_without_card(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    search = window.checkout.search
    search.setFocus()
    qtbot.keyClick(search, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "override_dialog", None) is not None
                    and window.override_dialog.isVisible(), timeout=5000)
    dialog = window.override_dialog
    qtbot.waitUntil(dialog.pin.hasFocus, timeout=5000)
    focus = QApplication.focusWidget()
    assert focus is dialog.pin
    qtbot.keyClicks(focus, "2468", delay=80)
    assert search.text() == ""
    assert dialog.pin.text() == "2468" and dialog.pin.echoMode() == QLineEdit.EchoMode.Password
    dialog.reject()


def test_ctrl_m_without_a_member_says_why(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.checkout.search.setFocus()
    qtbot.keyClick(window.checkout.search, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert "without their card" in window.checkout.messages.text()
    assert window.checkout.messages.property("severity") == "warning"


def test_shift_f8_from_the_search_resumes(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    search = window.checkout.search
    search.setFocus()
    qtbot.keyClick(search, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.checkout.messages.text() == "No parked sales", timeout=5000)
    assert window.checkout.messages.property("severity") == "info"


def test_messages_are_coloured_by_severity(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    screen = window.checkout
    window.sale.add_product(till.product(window.terminal, "ESPRESSO"))
    wait_idle(qtbot, window)
    window.sale.park("Table 4")
    qtbot.waitUntil(lambda: screen.messages.text() == "Sale parked", timeout=5000)
    assert screen.messages.property("severity") == "success"
    assert SEVERITY_COLOURS["success"][0] in screen.messages.styleSheet()
    window.sale.complete()  # nothing to complete
    assert screen.messages.text() == "The cart is empty: add a product first"
    assert screen.messages.property("severity") == "warning"
    window.sale.identify("NO-SUCH-MEMBER")
    qtbot.waitUntil(lambda: screen.messages.property("severity") == "error", timeout=5000)
    assert SEVERITY_COLOURS["error"][0] in screen.messages.styleSheet()
    assert len({fg for fg, _bg in SEVERITY_COLOURS.values()}) == 4  # four different colours
    for fg, bg in SEVERITY_COLOURS.values():
        assert contrast(fg, bg) >= 4.5, (fg, bg)


def test_contrast_ratio_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_no_entries_waiting_for_hq_without_hq(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    assert window.terminal.settings.server_url is None
    sign_in(qtbot, window)
    window.refresh_pending()
    wait_idle(qtbot, window)
    assert window.pending.text() == "" and not window.pending.isVisible()
    assert window.network.text() == "Local only"


ZONE = "Asia/Jerusalem"  # the demo program's; UTC+2/+3, so UTC shown anywhere is a red test


def test_receipt_status_clock_and_parked_list_read_store_time(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from pos_client.timeutil import store_time, utcnow

    assert window.labels.timezone == ZONE
    sign_in(qtbot, window)
    window._tick()
    shown = window.clock.text()
    assert shown in {store_time(utcnow(), ZONE).strftime("%d/%m/%Y %H:%M"),
                     store_time(utcnow(), ZONE).replace(second=0).strftime("%d/%m/%Y %H:%M")}
    assert shown != utcnow().strftime("%d/%m/%Y %H:%M")
    window.sale.add_product(till.product(window.terminal, "ESPRESSO"))
    wait_idle(qtbot, window)
    window.sale.complete()
    qtbot.waitUntil(lambda: window.receipt is not None, timeout=10000)
    created = window.last_sale.result.created_at
    text = window.receipt.view.toPlainText()
    assert store_time(created, ZONE).strftime("%Y-%m-%d %H:%M") in text
    assert created.strftime("%Y-%m-%d %H:%M") not in text
    window.receipt.reject()


def test_parked_list_shows_store_time(qtbot) -> None:  # type: ignore[no-untyped-def]
    from pos_client.services.carts import ParkedInfo
    from ui.dialogs import ParkedDialog

    cart = ParkedInfo(cart_id="c1", label="Table 4", updated_at="2026-12-03T10:15:00.000000+00:00",
                      payload={"items": [["ESPRESSO", 2, "Espresso", None, 900]], "member_name": None})
    dialog = ParkedDialog([cart], None, ZONE)
    qtbot.addWidget(dialog)
    assert dialog.list.item(0).text() == "Table 4 — 2 items, no member (12:15)"


def test_clock_banner_reads_store_time(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from pos_client.services import clock
    from pos_client.terminal import put_setting
    from pos_client.timeutil import store_time, to_iso, utcnow

    last_good = utcnow() + timedelta(days=1)
    with window.terminal.unit_of_work() as session:
        put_setting(session, clock.SETTING, {"last_good": to_iso(last_good)})
    state = clock.status(window.terminal, "en")
    assert store_time(last_good, ZONE).strftime("%Y-%m-%d %H:%M") in state["message"]
    assert "UTC" not in state["message"]


@pytest.mark.parametrize("span", [0, 2, 11, 29])
def test_dashboard_date_axis_one_label_per_tick_and_whole_counts(qtbot, window, span) -> None:  # type: ignore[no-untyped-def]
    from datetime import date, timedelta

    from PySide6.QtCharts import QDateTimeAxis, QValueAxis

    from pos_client.services import manager_reports
    from ui.dashboard import DashboardPage

    page = DashboardPage(window.worker, window.terminal, window.labels.currency, window.labels.tiers)
    qtbot.addWidget(page)
    end = date.today()
    page.show_data(manager_reports.dashboard(window.terminal, end - timedelta(days=span), end))
    axis = next(a for a in page.charts["sales"].axes() if isinstance(a, QDateTimeAxis))
    low, high, count = axis.min().toMSecsSinceEpoch(), axis.max().toMSecsSinceEpoch(), axis.tickCount()
    step = (high - low) / (count - 1)
    assert step % 86_400_000 == 0  # whole days between ticks
    labels = [axis.min().addMSecs(int(i * step)).toString(axis.format()) for i in range(count)]
    assert len(set(labels)) == len(labels) >= 2, labels
    for key in ("sales", "points", "new"):
        counts = next(a for a in page.charts[key].axes() if isinstance(a, QValueAxis))
        assert counts.tickType() == QValueAxis.TickType.TicksDynamic and counts.tickAnchor() == 0
        assert counts.tickInterval() >= 1 and counts.tickInterval() == int(counts.tickInterval())
        assert counts.max() % counts.tickInterval() == 0 and counts.labelFormat() == "%d"


def test_count_axis_steps() -> None:
    from ui.dashboard import count_axis, day_ticks

    assert count_axis(0) == (1, 1) and count_axis(1) == (1, 1)  # "new members 1 0 0 0 0 0" no more
    assert count_axis(8) == (8, 1) and count_axis(9) == (10, 2) and count_axis(123) == (140, 20)
    assert day_ticks(1) == (3, 1) and day_ticks(8) == (8, 1) and day_ticks(9) == (5, 2) and day_ticks(30) == (7, 5)


def test_roles_reasons_and_details_in_hebrew(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from pos_client.services.manager_reports import AuditRow
    from ui.manager_models import AuditModel, details_text

    sign_in(qtbot, window)
    assert window.cashier_label.text() == "Cashier: Dana"  # the demo's names carry no role in English
    manager = till.CashierInfo("manager2", "Avi", "manager")
    assert window.signed_in_text(manager) == "Manager: Avi"
    window.languages.switch("he")
    try:
        qtbot.waitUntil(lambda: window.cashier_label.text() == "קופאי: Dana", timeout=5000)  # on LanguageChange
        assert window.signed_in_text(manager) == "מנהל/ת: Avi"
        assert details_text({"points": 50, "entry_id": "E-1"}) == "נקודות: 50; רשומה: E-1"
        row = AuditRow(audit_id="a", when="2026-12-03 12:00", user_id="manager2", user_name="Avi",
                       action="pin_spend_override", target="S-1", reason="points spent without the member's card",
                       details={"member_id": "M-1"})
        typed = AuditRow(audit_id="b", when="2026-12-03 12:00", user_id="manager2", user_name="Avi",
                         action="adjust", target="M-1", reason="goodwill", details={"points": 50})
        model = AuditModel()
        model.set_rows([row, typed])
        reason, details = (model.data(model.index(0, col)) for col in (AuditModel.Column.REASON,
                                                                        AuditModel.Column.DETAILS))
        assert reason == "נקודות מומשו בלי כרטיס החבר" and details == "חבר: M-1"
        assert model.data(model.index(1, AuditModel.Column.REASON)) == "goodwill"  # a manager's words as typed
    finally:
        window.languages.switch("en")


def test_system_reasons_are_stored_in_english_and_worded_per_reader() -> None:
    from pos_client.services.audit import CLOCK_CONFIRMED, system_reason

    assert system_reason("pin_spend_override", {}, "en") == "points spent without the member's card"
    assert system_reason("clock_confirm", {"was": {"status": "behind"}}, "he") == \
        CLOCK_CONFIRMED.render("he", status="behind")
    assert system_reason("adjust", {"points": 5}, "he") is None


def test_parked_dialog_and_audit_filters_do_not_clip(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from pos_client.services.carts import ParkedInfo
    from pos_client.services.manager_reports import AuditFilters
    from ui.audit_view import AuditPage
    from ui.dialogs import ParkedDialog

    cart = ParkedInfo(cart_id="c1", label="Mrs Rosenberg-Levi at table four", updated_at="2026-12-03T10:15:00+00:00",
                      payload={"items": [["ESPRESSO", 12, "Espresso", None, 900]], "member_name": "Noa Rosenberg"})
    dialog = ParkedDialog([cart], None, ZONE)
    qtbot.addWidget(dialog)
    dialog.show()
    item = dialog.list.item(0)
    needed = dialog.list.fontMetrics().horizontalAdvance(item.text())
    assert dialog.list.viewport().width() >= needed, (dialog.list.viewport().width(), needed)
    page = AuditPage(window.worker, window.terminal)
    qtbot.addWidget(page)
    page.resize(1280, 600)
    page.show()
    page.set_filters(AuditFilters(managers=(("manager2", "Avi"),), actions=("pin_spend_override", "member_merge")))
    qtbot.wait(10)
    for combo in (page.manager, page.action):
        longest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
        assert combo.width() >= longest + 16, (combo.objectName(), combo.width(), longest)
