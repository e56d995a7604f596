"""The app's background sync against a real HQ (uvicorn in a thread): the status bar follows it.

Sales are made in the app, the sync worker (its own QThread) pushes them, and the status bar shows 0 entries
waiting and a fresh last-sync time; with HQ down it shows "Offline" and the app keeps selling. A manager's
"Sync now" asks the PIN and is audited. A terminal without a server stays "Local only" (see test_checkout).
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pos_client.db.models import AuditEntry
from pos_client.services import till
from pos_client.terminal import Terminal, put_setting
from tests.ui.conftest import wait_idle
from tests.ui.test_checkout import sign_in

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "sync"))
from sync_harness import DATA, Hq  # noqa: E402


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[Hq]:
    from sync.hq import admin

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = Hq(f"sqlite:///{tmp_path / 'hq.sqlite3'}", port)
    server.start()
    admin.publish_program(server.db, DATA / "program_full.json")
    try:
        yield server
    finally:
        server.stop()
        server.db.close()


@pytest.fixture
def synced_window(store: Path, hq: Hq, qtbot):  # type: ignore[no-untyped-def]
    from ui.app import build

    _terminal_id, token = hq.register("UI-TEST")
    terminal = Terminal.open(store)
    with terminal.unit_of_work() as session:
        put_setting(session, "server_url", hq.url)
        put_setting(session, "sync_token", token)
    terminal.close()
    _app, win = build(store, "en", camera="off")
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    win.terminal.close()


def _sell(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    win.sale.add_product(till.product(win.terminal, "LATTE-L"))
    wait_idle(qtbot, win)
    win.sale.complete()
    qtbot.waitUntil(lambda: win.receipt is not None, timeout=10000)
    win.receipt.accept()
    win.receipt = None


def test_the_app_syncs_in_the_background_and_keeps_selling_offline(qtbot, synced_window, hq) -> None:  # type: ignore[no-untyped-def]
    win = synced_window
    status = win.sync_status
    controller = status.controller
    qtbot.waitUntil(lambda: controller.state.online is True and not controller.state.running, timeout=20000)
    sign_in(qtbot, win)
    _sell(qtbot, win)
    wait_idle(qtbot, win)
    assert win.pending.text() != "0 entries waiting for HQ"
    with qtbot.waitSignal(controller.changed, timeout=20000,
                          check_params_cb=lambda s: not s.running and s.online is True):
        controller.sync_now()
    qtbot.waitUntil(lambda: win.pending.text() == "0 entries waiting for HQ", timeout=10000)
    assert win.network.text().startswith("Online · last sync ")
    assert controller.state.pending == 0 and controller.state.last_ok

    hq.stop()  # HQ goes away: the status bar says so, the counter keeps selling
    with qtbot.waitSignal(controller.changed, timeout=20000,
                          check_params_cb=lambda s: not s.running and s.online is False):
        controller.sync_now()
    assert win.network.text().startswith("Offline · last sync ")
    _sell(qtbot, win)
    qtbot.waitUntil(lambda: win.pending.text() not in ("", "0 entries waiting for HQ"), timeout=10000)


def test_sync_now_asks_a_manager_pin_and_is_audited(qtbot, synced_window) -> None:  # type: ignore[no-untyped-def]
    win = synced_window
    controller = win.sync_status.controller
    qtbot.waitUntil(lambda: controller.state.online is True and not controller.state.running, timeout=20000)
    sign_in(qtbot, win)
    assert win.sync_status.action.isEnabled()
    win.sync_status.action.trigger()
    dialog = win.sync_status.dialog
    assert dialog is not None and dialog.windowTitle() == "Sync with HQ now"
    dialog.pin.setText("0000")
    dialog._submit()
    qtbot.waitUntil(lambda: bool(dialog.message.text()), timeout=10000)  # a wrong PIN: refused, no sync
    with qtbot.waitSignal(controller.changed, timeout=20000, check_params_cb=lambda s: s.running):
        dialog.pin.setText("2468")
        dialog._submit()
    with win.terminal.read() as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "sync_now")) is not None
