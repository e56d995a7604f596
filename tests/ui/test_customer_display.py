"""The customer display follows the cashier's sale: basket, member, what the sale earns and why, thank you."""

from __future__ import annotations

from PySide6.QtCore import Qt

from pos_client.money import format_money
from pos_client.services import till
from tests.ui.conftest import wait_idle
from tests.ui.test_checkout import a_member, sign_in
from ui.customer_display import (CustomerDisplay, Page, customer_language, display_mode, other_screen,
                                 should_open)


def _display(qtbot, window, lang: str = "en") -> CustomerDisplay:  # type: ignore[no-untyped-def]
    display = CustomerDisplay(window.sale, window.labels, window.terminal.settings.store_name, lang)
    qtbot.addWidget(display)
    display.resize(1024, 768)
    display.show()
    return display


def _basket(display: CustomerDisplay) -> list[tuple[str, str, str]]:
    table = display.basket
    return [tuple(table.item(row, col).text() for col in range(3)) for row in range(table.rowCount())]


def test_idle_shows_the_store_then_items_as_they_are_added(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    display = _display(qtbot, window)
    store = window.terminal.settings.store_name
    assert display.pages.currentIndex() == Page.IDLE
    assert display.idle_title.text() == f"Welcome to {store}"
    window.sale.add_product(till.product(window.terminal, "LATTE-L"), 2)
    wait_idle(qtbot, window)
    assert display.pages.currentIndex() == Page.SALE
    quote = window.sale.quote
    assert quote is not None
    latte = window.sale.state.lines[0].name
    assert _basket(display) == [(latte, "2", format_money(quote.lines[0].amount, quote.currency, "en"))]
    assert display.total.text() == format_money(quote.total, quote.currency, "en") == "₪34.00"
    assert "Not a member yet" in display.earned.text()
    window.sale.add_product(till.product(window.terminal, "ESPRESSO"))
    wait_idle(qtbot, window)
    assert [row[0] for row in _basket(display)] == [latte, window.sale.state.lines[1].name]
    assert display.total.text() == format_money(window.sale.quote.total, quote.currency, "en")


def test_member_points_earnings_and_why(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    display = _display(qtbot, window)
    _phone, token = a_member(window, with_card=True)
    window.sale.add_product(till.product(window.terminal, "SHOE-RUN"))
    wait_idle(qtbot, window)
    window.sale.identify(token)
    qtbot.waitUntil(lambda: window.sale.quote is not None and window.sale.quote.member_id is not None,
                    timeout=10000)
    wait_idle(qtbot, window)
    member, quote = window.sale.member, window.sale.quote
    assert member is not None and quote is not None and quote.points_earned > 0
    assert display.member_name.text() == member["name"]
    assert display.header.text() == f"Hello, {member['name']}"
    tier_en = window.labels.tiers[member["tier"]]["en"]
    assert display.tier.text() == f"{tier_en} member"
    assert display.points.text() == f"{member['points']:,} points"
    assert display.earned.text() == f"+{quote.points_earned} points"
    why = display.why.text()
    assert "Points earned:" in why and why.rstrip().endswith(f"= {quote.points_earned}")  # the engine's own reason
    assert "Total to pay" not in why  # the total has its own place
    assert display.balance_after.text() == f"Points after this sale: {quote.points_balance_after:,}"
    assert "Coffee card" in display.stamps.text() and "/ 9" in display.stamps.text()


def test_thank_you_after_the_sale_then_idle(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    display = _display(qtbot, window)
    _phone, token = a_member(window, with_card=True)
    window.sale.add_product(till.product(window.terminal, "SHOE-RUN"))
    window.sale.identify(token)
    qtbot.waitUntil(lambda: window.sale.quote is not None and window.sale.quote.member_id is not None,
                    timeout=10000)
    wait_idle(qtbot, window)
    name, earned = window.sale.member["name"], window.sale.quote.points_earned
    window.sale.complete()
    qtbot.waitUntil(lambda: display.pages.currentIndex() == Page.THANKS, timeout=10000)
    assert display.thanks_title.text() == f"Thank you, {name}!"
    assert display.thanks_points.text() == f"You earned {earned} points"
    display._thanks_timer.timeout.emit()  # the "thank you" time is over
    assert display.pages.currentIndex() == Page.IDLE


def test_next_sale_ends_the_thank_you(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    display = _display(qtbot, window)
    window.sale.add_product(till.product(window.terminal, "ESPRESSO"))
    wait_idle(qtbot, window)
    window.sale.complete()
    qtbot.waitUntil(lambda: display.pages.currentIndex() == Page.THANKS, timeout=10000)
    assert display.thanks_title.text() == "Thank you!" and not display.thanks_points.isVisible()
    window.sale.add_product(till.product(window.terminal, "LATTE-L"))
    wait_idle(qtbot, window)
    assert display.pages.currentIndex() == Page.SALE


def test_hebrew_display_is_right_to_left_while_the_cashier_reads_english(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    display = _display(qtbot, window, "he")
    window.sale.add_product(till.product(window.terminal, "LATTE-L"))
    wait_idle(qtbot, window)
    assert display.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert display.basket.isRightToLeft()
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight  # the cashier's window is untouched
    assert display.totals["total"][0].text() == 'סה"כ לתשלום'
    line = window.sale.state.lines[0]
    assert _basket(display)[0][0] == line.label("he") != line.name
    assert "₪" in display.total.text() and display.total.text() == format_money(window.sale.quote.total, "ILS", "he")
    assert window.checkout.pay.text() == "Complete sale (F12)"


def test_customer_toggles_language_for_their_sale(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    display = _display(qtbot, window, "en")
    window.sale.add_product(till.product(window.terminal, "ESPRESSO"))
    wait_idle(qtbot, window)
    with qtbot.waitSignal(display.language_changed) as blocker:
        qtbot.mouseClick(display.toggle, Qt.MouseButton.LeftButton)
    assert blocker.args == ["he"] and display.isRightToLeft()
    assert display.totals["subtotal"][0].text() == "סכום ביניים"
    window.sale.void()  # the customer left: the next one starts in the store's language
    qtbot.waitUntil(lambda: display.lang == "en", timeout=5000)
    assert not display.isRightToLeft() and display.idle_title.text().startswith("Welcome")


def test_hebrew_explanation_words_the_why(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    display = _display(qtbot, window, "he")
    _phone, token = a_member(window, with_card=True)
    window.sale.add_product(till.product(window.terminal, "SHOE-RUN"))
    window.sale.identify(token)
    qtbot.waitUntil(lambda: window.sale.quote is not None and window.sale.quote.member_id is not None,
                    timeout=10000)
    wait_idle(qtbot, window)
    assert "Points earned" not in display.why.text()
    assert any("\u0590" <= ch <= "\u05ff" for ch in display.why.text())
    assert "Points earned" in window.checkout.rewards.explain.text()  # the cashier still reads English


def test_modes_languages_and_screens() -> None:
    assert display_mode(None, {}) == "auto"
    assert display_mode(None, {"KUPA_CUSTOMER_DISPLAY": "on"}) == "on"
    assert display_mode("off", {"KUPA_CUSTOMER_DISPLAY": "on"}) == "off"
    assert display_mode(None, {"KUPA_CUSTOMER_DISPLAY": "maybe"}) == "auto"
    assert customer_language(None, "en", {}) == "en"
    assert customer_language(None, "en", {"KUPA_CUSTOMER_LANG": "he"}) == "he"
    assert customer_language("en", "he", {"KUPA_CUSTOMER_LANG": "he"}) == "en"
    assert customer_language(None, "he", {"KUPA_CUSTOMER_LANG": "fr"}) == "he"
    assert should_open("auto", 2) and not should_open("auto", 1)
    assert should_open("on", 1) and not should_open("off", 2)
    first, second = object(), object()
    assert other_screen([first], first) is None
    assert other_screen([first, second], first) is second
    assert other_screen([first, second], second) is first
