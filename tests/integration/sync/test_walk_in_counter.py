"""A walk-in at the counter: the cashier scans the card of a member of another store and the app takes them
in by itself — fetched from HQ when it answers, earn-only (spending refused) when it does not."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from sync_harness import DATA, MANAGER_PIN, Hq
from tests.ui.conftest import SCANNER_MS, type_keys, wait_idle


def _counter(qtbot: Any, path: Any) -> Any:
    from ui.app import build

    _app, win = build(path, "en", camera=None)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    for digit in MANAGER_PIN:
        qtbot.mouseClick(win.signin.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(win.signin.keys["⏎"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.checkout, timeout=10000)
    wait_idle(qtbot, win)
    return win


def _scan(qtbot: Any, win: Any, code: str) -> None:
    with qtbot.waitSignal(win.scanner.scanned, timeout=5000):  # the card, by the wedge scanner
        type_keys(win.checkout.search, code, SCANNER_MS)
    qtbot.waitUntil(lambda: win.sale.member is not None, timeout=15000)
    wait_idle(qtbot, win)


def test_a_scanned_card_of_another_store_is_fetched_from_hq(qtbot: Any, hq: Hq, make_till: Any) -> None:
    a1, b1 = make_till("A1", store="A"), make_till("B1", store="B")
    bea = b1.kupa("member", "add", "--name", "Bea")
    b1.kupa("checkout", "--member", bea["member_id"], "--item", "SHOE")
    b1.sync()
    a1.sync()  # A1 knows B1's signing key (every pull carries the chain's keys), not B1's members
    win = _counter(qtbot, a1.path)
    try:
        _scan(qtbot, win, bea["card_token"])
        assert win.sale.member["member_id"] == bea["member_id"] and win.sale.member["can_spend"] is True
        assert win.sale.member["points"] == b1.kupa("member", "show", bea["member_id"])["points"] > 0
        assert "fetched from HQ" in win.checkout.messages.text()
    finally:
        win.close()
        win.terminal.close()


def test_a_walk_in_while_hq_is_away_earns_only(qtbot: Any, hq: Hq, make_till: Any) -> None:
    a1, b1 = make_till("A1", store="A"), make_till("B1", store="B")
    bea = b1.kupa("member", "add", "--name", "Bea")
    b1.sync()
    a1.sync()
    hq.stop()
    win = _counter(qtbot, a1.path)
    try:
        _scan(qtbot, win, bea["card_token"])
        assert win.sale.member["member_id"] == bea["member_id"] and win.sale.member["can_spend"] is False
        assert "spending waits until HQ confirms them" in win.checkout.messages.text()
    finally:
        win.close()
        win.terminal.close()
    assert a1.kupa("member", "show", bea["member_id"])["can_spend"] is False


def test_an_unknown_member_id_on_a_terminal_without_hq_is_refused(qtbot: Any, tmp_path: Any) -> None:
    from pos_client.cli.main import main
    from pos_client.ids import member_id
    from pos_client.services.setup import init_terminal

    init_terminal(tmp_path / "alone", terminal_id="ALONE", manager_pin=MANAGER_PIN).terminal.close()
    assert main(["--data-dir", str(tmp_path / "alone"), "program", "load", str(DATA / "program_full.json")]) == 0
    unknown = member_id("555", 7)
    win = _counter(qtbot, tmp_path / "alone")
    try:
        win.sale.identify(unknown)
        qtbot.waitUntil(lambda: bool(win.checkout.messages.text()), timeout=10000)
        assert win.checkout.messages.text() == f"No member with id {unknown}"
        assert win.sale.member is None
    finally:
        win.close()
        win.terminal.close()
