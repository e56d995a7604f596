"""F3: find a member by name (Hebrew or English), phone or id; Enter puts them on the sale."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from pos_client.db.models import Member
from pos_client.services import till
from tests.ui.conftest import wait_idle
from tests.ui.test_checkout import sign_in


def _members(win) -> list[Member]:  # type: ignore[no-untyped-def]
    with win.terminal.read() as session:
        rows = list(session.scalars(select(Member).order_by(Member.member_id)))
        session.expunge_all()
        return rows


def test_headless_search_by_name_phone_and_id(window) -> None:  # type: ignore[no-untyped-def]
    members = _members(window)
    hebrew = next(m for m in members if any("\u0590" <= ch <= "\u05ff" for ch in m.name))
    english = next(m for m in members if m.name.isascii())
    first_he = hebrew.name.split()[0]
    assert hebrew.member_id in [h.member_id for h in till.search_members(window.terminal, first_he)]
    assert english.member_id in [h.member_id for h in till.search_members(window.terminal, english.name.lower())]
    phone = f"{english.phone[:3]}-{english.phone[3:]}"
    assert [h.member_id for h in till.search_members(window.terminal, phone)] == [english.member_id]
    assert [h.member_id for h in till.search_members(window.terminal, english.member_id.lower())] \
        == [english.member_id]
    assert till.search_members(window.terminal, "%") == [] and till.search_members(window.terminal, "  ") == []
    assert len(till.search_members(window.terminal, "a", limit=3)) <= 3


def test_find_dialog_with_the_keyboard(qtbot, qtmodeltester, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    member = next(m for m in _members(window) if m.name.isascii())
    qtbot.mouseClick(window.checkout.member_panel.find_button, Qt.MouseButton.LeftButton)
    dialog = window.member_search
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    qtbot.keyClicks(dialog.query, member.name[:-1], delay=40)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0 and dialog.chosen() is not None, timeout=10000)
    qtmodeltester.check(dialog.model)
    target = next(r for r in range(dialog.model.rowCount()) if dialog.model.hit(r).member_id == member.member_id)
    for _ in range(target):
        qtbot.keyClick(dialog.query, Qt.Key.Key_Down)
    assert dialog.chosen() == member.member_id
    with qtbot.waitSignal(window.sale.member_changed, timeout=10000):
        qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    wait_idle(qtbot, window)
    assert window.sale.member["member_id"] == member.member_id
    assert member.name in window.checkout.member_panel.name.text()
    assert not window.sale.member["can_spend"]  # found by name: earn only


def test_find_dialog_shows_no_match(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    window.open_member_search("zzzz-nobody")
    dialog = window.member_search
    qtbot.waitUntil(lambda: "No member" in dialog.status.text(), timeout=10000)
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)  # nothing to pick: the dialog stays
    assert dialog.isVisible()
    qtbot.keyClick(dialog.query, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and window.sale.member is None
