"""Start the cashier app: `run(data_dir, argv)` (called by `main.py`).

Options: `--lang en|he` (start language), `--camera SOURCE` (the webcam: `auto`, the default, takes the first
one found; a camera number; a video file or a folder of images standing in for a webcam; `off`) and
`--screenshot FILE [--screen checkout|member|receipt|customer|tender|shift|shift_close] [--size WxH]`, which
renders that screen (`customer`: the customer display; `tender`: the F12 payment dialog with cash given and the
change; `shift`: the X report of a shift with a cash sale; `shift_close`: the close dialog) (by default at
1280×800) with demo data
(a member identified, a few lines in the cart) on a *copy* of the data folder (nothing is recorded in the
real store) and exits; `customer` is the customer display (`ui.customer_display`) in `--customer-lang`.
`--customer-display auto|on|off` (or `KUPA_CUSTOMER_DISPLAY`; default auto: only with a second screen) and
`--customer-lang en|he` (or `KUPA_CUSTOMER_LANG`; default: `--lang`) open the customer-facing display.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from pos_client.errors import KupaError
from pos_client.services import till
from pos_client.terminal import Terminal
from ui.customer_display import MODES, CustomerDisplay, customer_language, open_for
from ui.i18n import LANGUAGES, Languages
from ui.main_window import MainWindow
from ui.worker import DbWorker

log = logging.getLogger(__name__)
RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def setup_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with Kupa's fonts (Hebrew glyphs) and style sheet."""
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Kupa")
    for font in sorted((RESOURCES / "fonts").glob("*.ttf")):
        QFontDatabase.addApplicationFont(str(font))
    app.setFont(QFont("DejaVu Sans", 10))
    style = RESOURCES / "style.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def build(data_dir: Path, lang: str = "en", camera: str | None = "auto") -> tuple[QApplication, MainWindow]:
    """Open the terminal and build the main window (used by `run`, the tests and the screenshots).

    The terminal opens first: a folder that cannot be used raises before any translator or worker exists.
    """
    terminal = Terminal.open(data_dir)
    app = setup_application()
    languages = Languages(app)
    languages.switch(lang)
    worker = DbWorker(app)
    window = MainWindow(terminal, languages, worker, camera=camera)
    window.checkout.set_language(lang)
    return app, window


def wait_idle(window: MainWindow, timeout: float = 20.0) -> None:
    """Process events until the worker has nothing left (screenshots only)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        if window.worker.idle:
            QCoreApplication.processEvents()
            if window.worker.idle:
                return
        time.sleep(0.005)


def screenshot(data_dir: Path, out: Path, lang: str, screen: str, size: tuple[int, int] = (1280, 800),
               customer_lang: str | None = None) -> int:
    """Render `screen` with demo data to `out` (PNG, `size`, by default 1280×800) on a copy of the store."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(data_dir, copy)
        app, window = build(copy, lang)
        window.resize(*size)
        window.show()
        window.signed_in(till.sign_in(window.terminal, "1111"))
        wait_idle(window)
        for sku in ("LATTE-L", "CROISSANT", "ESPRESSO"):
            try:
                window.sale.add_product(till.product(window.terminal, sku), 2 if sku == "LATTE-L" else 1)
            except KupaError:
                continue
            wait_idle(window)
        member = _demo_member(window)
        if member:
            window.sale.identify(member)
            wait_idle(window)
        if screen == "receipt":
            window.sale.complete()
            wait_idle(window)
            _overlay(window, window.receipt, (480, 740)).save(str(out))
        elif screen in ("tender", "shift", "shift_close"):
            _overlay(window, _shift_screen(window, screen), (560, 560) if screen == "shift" else None).save(str(out))
        elif screen == "customer":
            _customer_shot(window, out, size, customer_language(customer_lang, lang))
        else:
            if screen == "member" and window.sale.quote and window.sale.quote.redeem_limits.max_points:
                window.checkout.rewards.redeem.setCurrentIndex(1)
                wait_idle(window)
            window.grab().save(str(out))
        window.close()
        window.terminal.close()
    print(out)
    return 0


def _overlay(window: MainWindow, dialog: QWidget | None, size: tuple[int, int] | None) -> QPixmap:
    """The window at its size with `dialog` drawn over it, centred, the window dimmed (screenshots only)."""
    shot = window.grab()
    if dialog is not None:
        if size is not None:
            dialog.resize(*size)
        else:
            dialog.adjustSize()
        wait_idle(window)
        picture = dialog.grab()
        painter = QPainter(shot)
        painter.fillRect(shot.rect(), QColor(0, 0, 0, 110))
        painter.drawPixmap((shot.width() - picture.width()) // 2, (shot.height() - picture.height()) // 2, picture)
        painter.end()
    return shot


def _shift_screen(window: MainWindow, screen: str) -> QWidget | None:
    """Open a shift (the demo manager's PIN) and the dialog `screen` shows, with figures in it."""
    from pos_client.demo.generate import MANAGER_PIN
    from pos_client.services import shifts
    from pos_client.tender import TenderGiven, TenderKind

    shifts.open_shift(window.terminal, 50000, MANAGER_PIN)
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
    shifts.move_cash(window.terminal, "cash_out", 2000, "window cleaner", MANAGER_PIN)
    window.shift.start("x_report" if screen == "shift" else "close")
    wait_idle(window)
    dialog = window.shift.dialog
    if screen == "shift_close" and dialog is not None:
        dialog.amount.setText("540.50")  # type: ignore[attr-defined]
    return dialog


def _customer_shot(window: MainWindow, out: Path, size: tuple[int, int], lang: str) -> None:
    """The customer display following the demo sale, at `size`."""
    display = CustomerDisplay(window.sale, window.labels, window.terminal.settings.store_name, lang)
    display.resize(*size)
    display.show()
    display.refresh()
    wait_idle(window)
    display.grab().save(str(out))
    display.close()


def _demo_member(window: MainWindow) -> str | None:
    """A demo member with a signed card (so rewards can be shown): a fresh card for the first gold member."""
    from sqlalchemy import select

    from pos_client.db.models import Member
    from pos_client.services.members import issue_card
    from pos_client.timeutil import utcnow

    with window.terminal.unit_of_work() as session:
        ids = list(session.scalars(select(Member.member_id).order_by(Member.member_id).limit(40)))
    best = None
    for member_id in ids:
        view = till.member_view(window.terminal, member_id)
        if view["tier"] == "gold" or best is None:
            best = member_id
            if view["tier"] == "gold":
                break
    if best is None:
        return None
    with window.terminal.unit_of_work() as session:
        _card, token = issue_card(window.terminal, session, best, utcnow())
    return token


def cannot_start(exc: KupaError, lang: str) -> int:
    """Show why the terminal cannot open in a dialog (and on stderr); the exit code: 2, as the CLI's."""
    text = exc.text(lang)
    setup_application()
    print(f"kupa: {exc.text('en')}", file=sys.stderr)
    logging.getLogger(__name__).error("cannot start: %s", exc.text("en"))
    QMessageBox.critical(None, "Kupa", text)
    return 2


def _size(text: str) -> tuple[int, int]:
    """`1024x768` → (1024, 768), within what a screen can be."""
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit() and 320 <= int(width) <= 7680 and 240 <= int(height) <= 4320):
        raise argparse.ArgumentTypeError(f"'{text}' is not a size like 1024x768")
    return int(width), int(height)


def run(data_dir: Path, argv: list[str]) -> int:
    """The cashier app's entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="main.py")
    parser.add_argument("--lang", choices=("en", "he"), default="en")
    parser.add_argument("--screenshot", type=Path, default=None)
    parser.add_argument("--screen", default="checkout",
                        choices=("checkout", "member", "receipt", "customer", "tender", "shift", "shift_close"))
    parser.add_argument("--size", type=_size, default=(1280, 800), metavar="WxH",
                        help="the window's size for --screenshot (e.g. 1024x768)")
    parser.add_argument("--camera", default="auto", metavar="SOURCE",
                        help="auto (first webcam), a camera number, a video file or image folder, or off")
    parser.add_argument("--customer-display", choices=MODES, default=None,
                        help="the customer-facing display: auto (only with a second screen; the default, "
                             "or KUPA_CUSTOMER_DISPLAY), on (a movable window without one) or off")
    parser.add_argument("--customer-lang", choices=LANGUAGES, default=None,
                        help="the customer display's language (default KUPA_CUSTOMER_LANG, else --lang)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.screenshot:
        return screenshot(data_dir, args.screenshot, args.lang, args.screen, args.size, args.customer_lang)
    try:
        app, window = build(data_dir, args.lang, args.camera)
    except KupaError as exc:  # a damaged or too-new database, an unusable folder: say so, do not start
        return cannot_start(exc, args.lang)
    app.aboutToQuit.connect(window.camera.shutdown)
    app.aboutToQuit.connect(window.sync_status.shutdown)
    window.resize(1280, 800)
    window.show()
    window.customer_display = open_for(window, args.customer_display, args.customer_lang)  # type: ignore[attr-defined]
    return int(app.exec())
