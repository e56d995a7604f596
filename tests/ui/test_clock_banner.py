"""Issue 11, item 5, in the app: a clock that went back shows a banner on the checkout screen, stops the sale,
and a manager's PIN in the banner's dialog confirms it (audited)."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from sqlalchemy import select

from pos_client.db.models import AuditEntry, Sale
from pos_client.services import clock
from pos_client.services import till
from pos_client.terminal import put_setting
from pos_client.timeutil import to_iso, utcnow
from tests.ui.conftest import wait_idle
from tests.ui.test_checkout import sign_in

MANAGER_PIN = "2468"


def _clock_went_back(win) -> None:  # type: ignore[no-untyped-def]
    """The last known good time is a day ahead of this clock: as if the clock had been set back a day."""
    with win.terminal.unit_of_work() as session:
        put_setting(session, clock.SETTING, {"last_good": to_iso(utcnow() + timedelta(days=1))})


def _sales(win) -> int:  # type: ignore[no-untyped-def]
    with win.terminal.read() as session:
        return len(session.scalars(select(Sale.sale_id)).all())


def test_a_clock_set_back_shows_the_banner_and_a_manager_confirms(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    banner = window.checkout.clock_banner
    assert banner.isHidden()
    _clock_went_back(window)
    product = till.quick_picks(window.terminal)[0]
    window.sale.add_product(product)
    wait_idle(qtbot, window)
    before = _sales(window)
    window.sale.complete()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=10000)
    assert _sales(window) == before  # the sale was refused
    assert "clock" in banner.text.text() and "manager" in banner.text.text()
    window.languages.switch("he")
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: "שעון הקופה" in banner.text.text(), timeout=10000)
    qtbot.mouseClick(banner.confirm_button, Qt.MouseButton.LeftButton)
    dialog = banner.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.pin.setText("0000")
    dialog.buttons.accepted.emit()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: bool(dialog.message.text()), timeout=10000)
    assert banner.isVisible()  # a wrong PIN changes nothing
    dialog.pin.setText(MANAGER_PIN)
    dialog.buttons.accepted.emit()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: banner.isHidden(), timeout=10000)
    with window.terminal.read() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "clock_confirm")).all()
    assert len(audit) == 1
    window.sale.complete()  # the same sale now goes through
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: _sales(window) == before + 1, timeout=10000)
