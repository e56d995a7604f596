"""Render any screen at any size with demo data: `main.py --screenshot`, `scripts/screenshots.py` and the layout tests.

`stage(window, screen)` puts the cashier window (built by `ui.app.build` on a *copy* of a store: staging
records a sale, a card and a few audited corrections) into the state the screen shows and returns the widget to
grab; `grab(widget, size)` resizes it and returns the image. The screens:

- `signin`: the PIN pad; `checkout`: a cashier signed in, three lines in the cart, a gold member identified;
- `member`: the same with a redemption chosen; `receipt`: the sale completed, its receipt over the window;
- `manager`, `dashboard`, `audit`: the manager window's tabs (a silver member loaded; the last 12 months);
- `customer`: the customer-facing display (`ui.customer_display`) following the same sale, in
  `--customer-lang` (else the window's language);
- `promotions`: the checkout with a member holding a coupon and a voucher (both applied) and an offer, on a copy
  of the demo program that gains them (`_promotions`);
- `tender`: the F12 payment dialog with cash given and the change; `shift`: the X report of a shift with a cash
  sale; `shift_close`: the shift's close dialog (each over the dimmed window).
"""

from __future__ import annotations

import io
import time
from datetime import date, timedelta

from PySide6.QtCore import QBuffer, QCoreApplication, QIODevice
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

from pos_client.errors import KupaError
from pos_client.services import till
from ui.main_window import MainWindow

SCREENS = ("signin", "checkout", "member", "receipt", "manager", "dashboard", "audit", "customer", "tender", "shift",
           "shift_close", "promotions")
#: The screens drawn as a dialog over the dimmed window, and the dialog's size (None: its own).
OVERLAYS: dict[str, tuple[int, int] | None] = {"tender": None, "shift": (560, 560), "shift_close": None}
MANAGER_SCREENS = ("manager", "dashboard", "audit")
DEMO_CASHIER_PIN, DEMO_MANAGER_PIN = "1111", "2468"


def wait_idle(window: MainWindow, timeout: float = 20.0) -> None:
    """Process events until the worker has nothing left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        if window.worker.idle:
            QCoreApplication.processEvents()
            if window.worker.idle:
                return
        time.sleep(0.005)


def stage(window: MainWindow, screen: str, customer_lang: str | None = None) -> QWidget:
    """Bring `window` to `screen` (see the module docstring); the widget to grab. `customer_lang`: the customer
    display's language (`--customer-lang`; else the window's)."""
    if screen not in SCREENS:
        raise ValueError(screen)
    window.show()
    if screen == "signin":
        return window
    window.signed_in(till.sign_in(window.terminal, DEMO_CASHIER_PIN))
    wait_idle(window)
    if screen in MANAGER_SCREENS:
        return _manager(window, screen)
    for sku in ("LATTE-L", "CROISSANT", "ESPRESSO"):
        try:
            window.sale.add_product(till.product(window.terminal, sku), 2 if sku == "LATTE-L" else 1)
        except KupaError:
            continue
        wait_idle(window)
    member = _demo_member(window)
    if member and screen == "promotions":
        _promotions(window, member)
    if member:
        window.sale.identify(member)
        wait_idle(window)
    if screen == "promotions":
        window.checkout.next_coupon()
        wait_idle(window)
        window.checkout.next_voucher()
        wait_idle(window)
    if screen == "member" and window.sale.quote and window.sale.quote.redeem_limits.max_points:
        window.checkout.rewards.redeem.setCurrentIndex(1)
        wait_idle(window)
    if screen == "receipt":
        window.sale.complete()
        wait_idle(window)
    if screen == "customer":
        return _customer(window, customer_lang)
    if screen in OVERLAYS:
        window._screenshot_dialog = _shift_screen(window, screen)  # type: ignore[attr-defined]
    return window


def grab(window: MainWindow, widget: QWidget, size: tuple[int, int], screen: str) -> QImage:
    """`widget` resized to `size` and rendered (the receipt: the dialog over the dimmed window)."""
    widget.resize(*size)
    wait_idle(window)
    shot = widget.grab()
    if screen == "receipt" and window.receipt is not None:
        receipt = window.receipt
        receipt.resize(receipt.sizeHint().width(), min(740, size[1] - 28))
        wait_idle(window)
        over = receipt.grab()
        painter = QPainter(shot)
        painter.fillRect(shot.rect(), QColor(0, 0, 0, 110))
        painter.drawPixmap((shot.width() - over.width()) // 2, (shot.height() - over.height()) // 2, over)
        painter.end()
    dialog: QWidget | None = getattr(window, "_screenshot_dialog", None)
    if screen in OVERLAYS and dialog is not None:
        dialog_size = OVERLAYS[screen]
        if dialog_size is not None:
            dialog.resize(*dialog_size)
        else:
            dialog.adjustSize()
        wait_idle(window)
        over = dialog.grab()
        painter = QPainter(shot)
        painter.fillRect(shot.rect(), QColor(0, 0, 0, 110))
        painter.drawPixmap((shot.width() - over.width()) // 2, (shot.height() - over.height()) // 2, over)
        painter.end()
    return shot.toImage()


def save(image: QImage, path: str) -> bool:
    """Write `image` as a small PNG: 256 colours (Pillow's adaptive palette, not Qt's fixed one, which turns
    pale blue into cyan) are plenty for flat UI and keep docs/ at a few MB."""
    from PIL import Image

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        return False
    picture = Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGB")
    try:
        picture.quantize(256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    except OSError:
        return False
    return True


def close(window: MainWindow) -> None:
    """Close the manager window (if any) and the cashier window, and its terminal; back to English."""
    if window.manager_window is not None:
        window.manager_window.lock()  # type: ignore[attr-defined]
    customer = getattr(window, "_screenshot_customer", None)
    if customer is not None:
        customer.close()
    window.close()
    window.languages.switch("en")
    window.terminal.close()


def _manager(window: MainWindow, screen: str) -> QWidget:
    from ui.manager_window import ManagerSession, ManagerWindow

    _audited_corrections(window)
    session = ManagerSession(till.manager_check(window.terminal, DEMO_MANAGER_PIN), DEMO_MANAGER_PIN)
    manager = ManagerWindow(window.terminal, window.worker, window.labels, window.languages, session)
    window.manager_window = manager
    manager.show()
    manager.status_page.load(_member_of_tier(window, "silver") or "")
    wait_idle(window)
    if screen == "dashboard":
        manager.tabs.setCurrentWidget(manager.dashboard)
        wait_idle(window)
        today = date.today()
        manager.dashboard.set_range(today - timedelta(days=364), today)
    elif screen == "audit":
        manager.tabs.setCurrentWidget(manager.audit)
    wait_idle(window)
    return manager


def _customer(window: MainWindow, lang: str | None) -> QWidget:
    """The customer display following the demo sale, in `lang` (else the window's language)."""
    from ui.customer_display import CustomerDisplay, customer_language

    display = CustomerDisplay(window.sale, window.labels, window.terminal.settings.store_name,
                              customer_language(lang, window.languages.current))
    display.show()
    display.refresh()
    window._screenshot_customer = display  # type: ignore[attr-defined]
    return display


def _shift_screen(window: MainWindow, screen: str) -> QWidget | None:
    """Open a shift (the demo manager's PIN) and the dialog `screen` shows, with figures in it."""
    from pos_client.services import shifts
    from pos_client.tender import TenderGiven, TenderKind

    shifts.open_shift(window.terminal, 50000, DEMO_MANAGER_PIN)
    if screen == "tender":
        window.open_payment()
        wait_idle(window)
        tender = window.tender_dialog
        if tender is not None and window.sale.quote is not None:
            tender.cash.setText(str(-(-window.sale.quote.total // 5000) * 50))
        return tender
    quote = window.sale.quote
    if quote is not None:
        window.sale.complete((TenderGiven(TenderKind.CASH, -(-quote.total // 10000) * 10000),))
        wait_idle(window)
        if window.receipt is not None:
            window.receipt.accept()
    shifts.move_cash(window.terminal, "cash_out", 2000, "window cleaner", DEMO_MANAGER_PIN)
    window.shift.start("x_report" if screen == "shift" else "close")
    wait_idle(window)
    dialog = window.shift.dialog
    if screen == "shift_close" and dialog is not None:
        dialog.amount.setText("540.50")  # type: ignore[attr-defined]
    return dialog


def _member_of_tier(window: MainWindow, tier: str) -> str | None:
    """The first of the first 40 members in `tier` (else the first member)."""
    from sqlalchemy import select

    from pos_client.db.models import Member

    with window.terminal.read() as session:
        ids = list(session.scalars(select(Member.member_id).order_by(Member.member_id).limit(40)))
    for member_id in ids:
        if till.member_view(window.terminal, member_id)["tier"] == tier:
            return member_id
    return ids[0] if ids else None


def _demo_member(window: MainWindow) -> str | None:
    """A demo member with a signed card (so rewards can be shown): a fresh card for the first gold member."""
    from pos_client.services.members import issue_card
    from pos_client.timeutil import utcnow

    best = _member_of_tier(window, "gold")
    if best is None:
        return None
    with window.terminal.unit_of_work() as session:
        _card, token = issue_card(window.terminal, session, best, utcnow())
    return token


def _promotions(window: MainWindow, member: str) -> None:
    """The demo's promotions (`demo.generate.install_promotions`, as `kupa init --demo` installs them), a voucher
    the member earned on an earlier sale and a coupon a manager gave them (on the copy being rendered); the
    window's labels learn the new names."""
    from pos_client.demo.generate import install_promotions
    from pos_client.pricing.explain import promotion_names
    from pos_client.services import coupon_admin
    from pos_client.services.checkout import BasketRequest, checkout

    program = install_promotions(window.terminal)
    window.labels.promotions.update(promotion_names(program))
    checkout(window.terminal, BasketRequest(items=(("LATTE-L", 4),), member_code=member, cashier_pin=DEMO_CASHIER_PIN))
    coupon_admin.issue_by_manager(window.terminal, member, "pastry_half", DEMO_MANAGER_PIN)


def _audited_corrections(window: MainWindow) -> None:
    """A points adjustment and a reissued card, so the audit log has rows (on the copy being rendered)."""
    from pos_client.services import manager_actions, points

    member = _member_of_tier(window, "silver")
    if member is None:
        return
    points.adjust(window.terminal, member, 120, "coffee machine charged twice", DEMO_MANAGER_PIN)
    manager_actions.reissue_card(window.terminal, member, "card lost", DEMO_MANAGER_PIN)
