"""Manager mode: PIN, auto-lock, the member status screen, an audited adjustment, merge, a sale's refund."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtTest import QTest
from sqlalchemy import select

from pos_client.db.models import AuditEntry, LedgerEntry, Member
from pos_client.services import manager, till
from tests.ui.conftest import wait_idle
from tests.ui.test_checkout import sign_in
from ui.manager_window import ManagerWindow, open_manager

MANAGER_PIN = "2468"


def open_manager_window(qtbot, win, lock_ms: int = 600_000) -> ManagerWindow:  # type: ignore[no-untyped-def]
    sign_in(qtbot, win)
    dialog = open_manager(win, lock_ms)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    dialog.pin.setText("0000")
    dialog._submit()
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10000)  # a wrong PIN stays in the dialog
    assert win.manager_window is None
    dialog.pin.setText(MANAGER_PIN)
    dialog._submit()
    qtbot.waitUntil(lambda: win.manager_window is not None and win.manager_window.isVisible(), timeout=10000)
    return win.manager_window


def _members(win) -> list[str]:  # type: ignore[no-untyped-def]
    with win.terminal.read() as session:
        return list(session.scalars(select(Member.member_id).where(Member.merged_into.is_(None))
                                    .order_by(Member.member_id)))


def _best_member(win) -> str:  # type: ignore[no-untyped-def]
    """A demo member above the lowest tier (else the first)."""
    ids = _members(win)
    return next((m for m in ids if till.member_view(win.terminal, m)["next_tier"] is None
                 or till.member_view(win.terminal, m)["tier"] != "bronze"), ids[0])


def _show(qtbot, mw: ManagerWindow, member_id: str) -> None:  # type: ignore[no-untyped-def]
    page = mw.status_page
    page.query.setText(member_id)
    QTest.keyClick(page.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.overview is not None and page.overview.member_id == member_id, timeout=10000)
    wait_idle(qtbot, mw)


def test_member_status_shows_tier_points_and_ledger(qtbot, qtmodeltester, window) -> None:  # type: ignore[no-untyped-def]
    mw = open_manager_window(qtbot, window)
    member_id = _best_member(window)
    _show(qtbot, mw, member_id)
    view = till.member_view(window.terminal, member_id)
    page = mw.status_page
    tier_name = window.labels.tiers[view["tier"]]["en"]
    assert tier_name in page.tier_text.text()
    assert f"<b>{view['points']}</b> points" in page.points_text.text()
    assert "waiting for HQ" not in page.points_text.text()  # the demo store has no HQ to wait for
    overview = manager.member_overview(window.terminal, member_id)
    assert overview.tier.qualifying_spend == view["qualifying_spend"]
    assert page.model.rowCount() == min(overview.history_total, manager.HISTORY_LIMIT) > 0
    assert page.progress.value() == overview.tier.progress_pct
    qtmodeltester.check(page.model)
    mw.lock()


def test_adjustment_writes_audit_row_with_manager_and_reason(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    mw = open_manager_window(qtbot, window)
    member_id = _members(window)[0]
    _show(qtbot, mw, member_id)
    before = mw.status_page.overview.status["points"]
    mw.status_page.start("adjust")
    dialog = mw.status_page.dialog
    dialog.points.setValue(75)
    dialog.submit()  # no reason: refused inside the dialog, nothing written
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10000)
    dialog.reason.setText("coffee spilled on the card")
    dialog.submit()
    qtbot.waitUntil(lambda: mw.status_page.overview.status["points"] == before + 75, timeout=10000)
    with window.terminal.read() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "adjust")).all()
    assert [(a.user_id, a.target, a.reason) for a in audit] == [(mw.session.manager.user_id, member_id,
                                                                  "coffee spilled on the card")]
    assert "audit log" in mw.message.text()
    mw.lock()


def test_auto_lock_after_inactivity(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    mw = open_manager_window(qtbot, window, lock_ms=60_000)
    mw.idle.timer.stop()
    QTest.keyClick(window.checkout, Qt.Key.Key_A)  # input to the cashier's window does not keep it open
    assert not mw.idle.timer.isActive()
    QTest.keyClick(mw.status_page.query, Qt.Key.Key_A)  # input in the manager window restarts the countdown
    assert mw.idle.timer.isActive() and mw.idle.timer.remainingTime() > 50_000
    mw.idle.timer.setInterval(50)
    mw.idle.timer.start()
    qtbot.waitUntil(lambda: mw.is_locked, timeout=5000)
    assert not mw.isVisible() and mw.session.pin == ""


def test_merge_two_members_keeps_every_entry(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    mw = open_manager_window(qtbot, window)
    keep, dup = _members(window)[:2]
    dup_points = till.member_view(window.terminal, dup)["points"]
    keep_points = till.member_view(window.terminal, keep)["points"]
    with window.terminal.read() as session:
        dup_entries = len(session.scalars(select(LedgerEntry.entry_id).where(LedgerEntry.member_id == dup)).all())
    _show(qtbot, mw, keep)
    mw.status_page.start("merge")
    dialog = mw.status_page.dialog
    dialog.duplicate.setText(keep)
    dialog.reason.setText("same person twice")
    dialog.submit()  # into itself: refused
    qtbot.waitUntil(lambda: "itself" in dialog.message.text(), timeout=10000)
    dialog.duplicate.setText(dup)
    dialog.submit()
    qtbot.waitUntil(lambda: dup in mw.status_page.overview.merged_from, timeout=10000)
    assert mw.status_page.overview.status["points"] == keep_points + dup_points
    with window.terminal.read() as session:
        after = session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == dup)).all()
        merged_into = session.get(Member, dup).merged_into
    assert merged_into == keep and len(after) >= dup_entries  # nothing removed, only the moving entries added
    assert sum(e.points_delta for e in after if e.kind == "adjust") == -dup_points
    mw.lock()


def test_open_a_sale_and_refund_it(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    mw = open_manager_window(qtbot, window)
    member_id = _best_member(window)
    _show(qtbot, mw, member_id)
    page = mw.status_page
    row = next(r for r in range(page.model.rowCount()) if page.model.row(r).sale_id)
    page.table.selectRow(row)
    page.start("sale")
    qtbot.waitUntil(lambda: getattr(page, "dialog", None) is not None and page.dialog.isVisible(), timeout=10000)
    dialog = page.dialog
    assert dialog.detail.sale_id == page.model.row(row).sale_id and dialog.detail.lines
    dialog.reason.setText("customer returned it")
    dialog.refund(whole=True)
    qtbot.waitUntil(lambda: "Refunded" in mw.message.text(), timeout=10000)
    with window.terminal.read() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "refund")).one()
    assert audit.reason == "customer returned it" and audit.user_id == mw.session.manager.user_id
    mw.lock()


def test_manager_mode_in_hebrew_is_right_to_left(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.languages.switch("he")
    mw = open_manager_window(qtbot, window)
    assert mw.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert mw.tabs.tabText(0) != "Member status" and QLocale().language() == QLocale.Language.Hebrew
    mw.lock()
