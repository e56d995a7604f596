"""The app prints the receipt after a sale on the loopback printer, kicks the drawer, and reprints a copy;
a printer that is down leaves the sale recorded and says so."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from pos_client.demo.generate import MANAGER_PIN
from pos_client.services import printing, shifts
from pos_client.terminal import Terminal
from tests.escpos_fake import FakePrinter, closed_port, parse, raster_image
from tests.ui.test_checkout import sign_in
from tests.ui.conftest import pay, wait_idle


def _set_printer(store: Path, url: str) -> None:
    terminal = Terminal.open(store)
    try:
        printing.set_config(terminal, "printer", url)
    finally:
        terminal.close()


def _sell_a_latte(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    qtbot.waitUntil(lambda: len(window.checkout._quick_buttons) > 0, timeout=10000)
    latte = window.checkout.findChild(type(window.checkout.add), "quick_LATTE-L")
    qtbot.mouseClick(latte, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    qtbot.mouseClick(window.checkout.pay, Qt.MouseButton.LeftButton)
    pay(qtbot, window)  # exact cash in the open shift (else exact card)
    qtbot.waitUntil(lambda: window.receipt is not None and window.receipt.isVisible(), timeout=10000)


@pytest.fixture
def printer():  # type: ignore[no-untyped-def]
    fake = FakePrinter("ok")
    yield fake
    fake.close()


@pytest.fixture
def printing_store(store: Path, printer: FakePrinter) -> Path:
    """The demo store with the loopback printer and an open shift (so the sale is paid in cash)."""
    _set_printer(store, printer.url())
    terminal = Terminal.open(store)
    try:
        shifts.open_shift(terminal, 0, MANAGER_PIN)
    finally:
        terminal.close()
    return store


def test_the_app_prints_after_the_sale_opens_the_drawer_and_reprints_a_copy(
        qtbot, printing_store: Path, printer: FakePrinter, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    window = request.getfixturevalue("window")
    _sell_a_latte(qtbot, window)
    qtbot.waitUntil(lambda: len(printer.jobs) >= 1, timeout=10000)
    first = parse(printer.jobs[0])
    assert first.drawer == [(0, 50, 50)] and raster_image(first).width == 576
    qtbot.waitUntil(lambda: window.receipt.status.text() == "Receipt printed.", timeout=10000)
    assert window.receipt.reprint_button.shortcut().toString() == "Ctrl+R"
    qtbot.mouseClick(window.receipt.reprint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(printer.jobs) >= 2, timeout=10000)
    second = parse(printer.jobs[1])
    assert second.drawer == [] and second.ops[-1] == "cut"
    qtbot.waitUntil(lambda: window.receipt.status.text() == "Copy printed.", timeout=10000)
    assert raster_image(second).height > raster_image(first).height  # the COPY banner


def test_a_printer_that_is_down_leaves_the_sale_recorded(qtbot, store: Path, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    _set_printer(store, f"tcp://127.0.0.1:{closed_port()}?timeout=0.5")
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        before = db.execute("select count(*) from sales").fetchone()[0]
    window = request.getfixturevalue("window")
    _sell_a_latte(qtbot, window)
    qtbot.waitUntil(lambda: window.receipt.status.text().startswith("Not printed"), timeout=10000)
    assert "refused the connection" in window.receipt.status.text()
    assert "Ctrl+R" in window.checkout.messages.text()  # the message area says it too
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        assert db.execute("select count(*) from sales").fetchone()[0] == before + 1
        assert db.execute("select status, error_code from print_jobs").fetchall() == [("failed", "printer.refused")]
    qtbot.keyClick(window.receipt, Qt.Key.Key_Return)  # the counter goes on: a new sale
    assert window.sale.state.lines == ()
