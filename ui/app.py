"""Start the cashier app: `run(data_dir, argv)` (called by `main.py`).

Options: `--lang en|he` (start language), `--camera SOURCE` (the webcam: `auto`, the default, takes the first
one found; a camera number; a video file or a folder of images standing in for a webcam; `off`) and
`--screenshot FILE [--screen signin|checkout|member|receipt|manager|dashboard|audit|customer|tender|shift|shift_close]
[--size WxH]`, which renders that screen (by default at 1280×800) with demo data (a member identified, a few
lines in the cart; `ui.screenshots` lists the screens) on a *copy* of the data folder (nothing is recorded in
the real store) and exits. The window opens at 1280×800 where the screen holds it, maximised where it does not
(`ui.layout`). `--customer-display auto|on|off` (or `KUPA_CUSTOMER_DISPLAY`; default auto: only with a second
screen) and `--customer-lang en|he` (or `KUPA_CUSTOMER_LANG`; default: `--lang`) open the customer-facing
display (`ui.customer_display`).
"""

from __future__ import annotations

import argparse
import functools
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from pos_client.errors import KupaError
from pos_client.terminal import Terminal
from ui.customer_display import MODES, open_for
from ui.i18n import LANGUAGES, Languages
from ui.layout import fit_to_screen
from ui.main_window import MainWindow
from ui.screenshots import SCREENS
from ui.worker import DbWorker

log = logging.getLogger(__name__)
RESOURCES = Path(__file__).resolve().parents[1] / "resources"


@functools.cache
def _add_fonts() -> None:
    """Kupa's fonts (Hebrew glyphs), once: the font database is the process's, and each call added copies."""
    for font in sorted((RESOURCES / "fonts").glob("*.ttf")):
        QFontDatabase.addApplicationFont(str(font))


def setup_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with Kupa's fonts (Hebrew glyphs) and style sheet."""
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Kupa")
    _add_fonts()
    app.setFont(QFont("DejaVu Sans", 10))
    palette = app.palette()  # WCAG AA (4.5:1) for selected rows and placeholders: tests/ui/test_accessibility.py
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#0f5d8c"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#5f6b76"))
    app.setPalette(palette)
    style = RESOURCES / "style.qss"
    if style.exists():
        # @RESOURCES@: the style sheet's images (the combo boxes' arrow) wherever Kupa is installed
        app.setStyleSheet(style.read_text(encoding="utf-8").replace("@RESOURCES@", RESOURCES.as_posix()))
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
    # The window owns its job queue and its translators: a window deleted while the application goes on (the
    # tests, one per test) takes its pool thread and translators with it, and with them the signal connections
    # that would otherwise keep the deleted window, its terminal and its manager window alive for good.
    worker.setParent(window)
    languages.setParent(window)
    window.checkout.set_language(lang)
    return app, window


def wait_idle(window: MainWindow, timeout: float = 20.0) -> None:
    """Process events until the worker has nothing left (screenshots, benches)."""
    from ui import screenshots

    screenshots.wait_idle(window, timeout)


def screenshot(data_dir: Path, out: Path, lang: str, screen: str, size: tuple[int, int] = (1280, 800),
               customer_lang: str | None = None) -> int:
    """Render `screen` with demo data to `out` (PNG, `size`, by default 1280×800) on a copy of the store."""
    from ui import screenshots

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:  # a late -wal file is no failure
        copy = Path(tmp) / "store"
        shutil.copytree(data_dir, copy)
        _app, window = build(copy, lang, camera=None)
        try:
            widget = screenshots.stage(window, screen, customer_lang)
            image = screenshots.grab(window, widget, size, screen)
        finally:
            screenshots.close(window)
        if not screenshots.save(image, str(out)):
            print(f"kupa: cannot write {out}", file=sys.stderr)
            return 2
    print(out)
    return 0


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
    parser.add_argument("--screen", choices=SCREENS, default="checkout")
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
    fit_to_screen(window)  # 1280×800 where the screen holds it, else maximised (1024×768 touchscreens)
    window.customer_display = open_for(window, args.customer_display, args.customer_lang)  # type: ignore[attr-defined]
    return int(app.exec())
