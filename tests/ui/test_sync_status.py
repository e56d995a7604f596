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
    assert win.pending.full_text() != "0 entries waiting for HQ"
    with qtbot.waitSignal(controller.changed, timeout=20000,
                          check_params_cb=lambda s: not s.running and s.online is True):
        controller.sync_now()
    qtbot.waitUntil(lambda: win.pending.full_text() == "0 entries waiting for HQ", timeout=10000)
    assert win.network.full_text().startswith("Online · last sync ")
    assert controller.state.pending == 0 and controller.state.last_ok

    hq.stop()  # HQ goes away: the status bar says so, the counter keeps selling
    with qtbot.waitSignal(controller.changed, timeout=20000,
                          check_params_cb=lambda s: not s.running and s.online is False):
        controller.sync_now()
    assert win.network.full_text().startswith("Offline · last sync ")
    _sell(qtbot, win)
    qtbot.waitUntil(lambda: win.pending.full_text() not in ("", "0 entries waiting for HQ"), timeout=10000)


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


def test_sync_errors_in_the_tooltip_follow_the_language(qtbot, synced_window, hq) -> None:  # type: ignore[no-untyped-def]
    """The status bar's tooltip is worded from the error's code and params, so it switches language with the
    app: HQ unreachable, then the terminal revoked at HQ, in English and in Hebrew."""
    from sync.hq import auth

    win = synced_window
    controller = win.sync_status.controller
    qtbot.waitUntil(lambda: controller.state.online is True and not controller.state.running, timeout=20000)
    assert win.network.toolTip() in ("", win.network.full_text())  # no error: at most the elided text
    hq.stop()
    with qtbot.waitSignal(controller.changed, timeout=20000,
                          check_params_cb=lambda s: not s.running and s.online is False):
        controller.sync_now()
    state = controller.state
    assert state.error_code == "offline" and state.error_params["reason"] == "unreachable"
    assert state.error_params["server"] == hq.url and hq.url in state.error  # the English message is kept too
    assert win.network.toolTip().startswith(f"HQ at {hq.url} cannot be reached (")  # (the requests error's kind)
    try:
        win.languages.switch("he")  # the window re-reads its texts on the (posted) LanguageChange event
        qtbot.waitUntil(lambda: win.network.toolTip().startswith(f"אין חיבור למטה בכתובת {hq.url} ("),
                        timeout=5000)
        with hq.db.write() as session:
            auth.revoke(session, "UI-TEST", "2026-01-02T00:00:00+00:00")
        hq.start()
        with qtbot.waitSignal(controller.changed, timeout=20000,
                              check_params_cb=lambda s: not s.running and s.online is False):
            controller.sync_now()
        assert (controller.state.error_code, controller.state.error_params["reason"]) == ("sync_auth", "revoked")
        assert win.network.toolTip() == "המטה ביטל את הקופה הזו: פנו למנהל"
        win.languages.switch("en")
        qtbot.waitUntil(lambda: win.network.toolTip() == "HQ has revoked this terminal: ask a manager", timeout=5000)
    finally:
        win.languages.switch("en")


def test_every_sync_error_the_client_raises_has_a_hebrew_wording(window) -> None:  # type: ignore[no-untyped-def]
    """Each sync error, raised with its catalogue message and values, reads in Hebrew with the values in it."""
    from pos_client.errors import AuthError
    from pos_client.services.auth import WRONG_PIN
    from sync import client, lock, transport
    from sync.errors import OfflineError, SyncAuthError, SyncBusy, SyncRejected
    from ui.i18n import error_text, text_of
    from ui.sync_worker import SYNC_BUG

    errors = [
        OfflineError(transport.HQ_TIMEOUT, reason="timeout", server="http://hq:8700"),
        OfflineError(transport.HQ_UNREACHABLE, reason="unreachable", server="http://hq:8700", error="ConnectionError"),
        OfflineError(transport.HQ_UNAVAILABLE, reason="unavailable", status=503, detail="down"),
        SyncAuthError(transport.HQ_TOKEN_REFUSED, reason="token_refused", status=401, detail="wrong token"),
        SyncAuthError(transport.HQ_REVOKED, reason="revoked", status=403, detail="terminal T1 was revoked at HQ"),
        SyncAuthError(client.NO_SERVER, reason="no_server"), SyncAuthError(client.NO_TOKEN, reason="no_token"),
        SyncAuthError(client.WRONG_TERMINAL, reason="wrong_terminal", token_terminal="T2", terminal="T1"),
        SyncRejected(transport.HQ_REFUSED, 413, reason="refused", detail="the request is too large"),
        SyncRejected(transport.HQ_BAD_ANSWER, 200, reason="bad_answer", detail="Field required"),
        SyncBusy(lock.SYNC_BUSY, reason="busy"),
    ]
    try:
        window.languages.switch("he")
        for exc in errors:
            text = error_text(exc)
            assert any("\u05d0" <= ch <= "\u05ea" for ch in text), (exc.params, text)
            assert "{" not in text
            assert text_of(exc.bound()) == text  # handed across the sync thread, worded the same
        assert error_text(errors[7]) == "האסימון שייך לקופה T2, אבל זו קופה T1"
        assert text_of(SYNC_BUG.bind(error="KeyError")) == "הסנכרון נכשל (KeyError); ראו ביומן"
        assert error_text(AuthError(WRONG_PIN)) == "קוד שגוי"  # another KupaError: its own message
    finally:
        window.languages.switch("en")
    assert error_text(errors[8]) == "HQ refused the request (HTTP 413): the request is too large"


def test_a_restore_from_backup_and_skipped_items_show_in_the_status_bar(window) -> None:  # type: ignore[no-untyped-def]
    """A cycle that found the terminal restored (and items it skipped) puts "⚠" on the network label, says
    the restore once in the status bar and keeps both in the tooltip, in the app's language; the restore
    stays shown after later cycles."""
    from dataclasses import replace

    from sync.client import SyncSummary

    controller = window.sync_status.controller
    controller.state = replace(controller.state, configured=True)
    restored = {"restored": True, "acked_seq": 41, "acked_member_seq": 7, "renumbered": 2, "recovered": 5}
    skipped = [{"kind": "entry", "ref": "E1", "reason": "invalid created_at"}]
    controller._done(SyncSummary(restored=restored, skipped=skipped, finished_at="2026-11-01T10:00:00+00:00"))
    assert window.network.text().startswith("⚠ Online · last sync ")
    said = ("This terminal was restored from a backup: it now continues after HQ's entry 41 and member number 7;"
            " 5 entries were taken back from HQ and 2 renumbered")
    assert window.statusBar().currentMessage() == said
    assert window.network.toolTip().split("\n") == [said, "1 items from HQ could not be applied here and were skipped"]
    controller._done(SyncSummary(finished_at="2026-11-01T10:01:00+00:00"))  # the next cycle: nothing new
    assert window.network.toolTip() == said
    try:
        window.languages.switch("he")
        assert window.sync_status.tooltip(controller.state).startswith("המסוף שוחזר מגיבוי: הוא ממשיך כעת אחרי רשומה 41")
    finally:
        window.languages.switch("en")
