"""Every screen fits 1024×768, 1366×768 and 1920×1080 in English and Hebrew (issue #16, item 2).

For each screen and language the window is staged as `main.py --screenshot` stages it (`ui.screenshots.stage`),
then resized to each screen's free area (width × height − `FRAME_ALLOWANCE`, the title bar and a desktop panel):
the window must take that size (no minimum forces it larger), the status bar and the screen's primary actions
must be wholly inside the window (not cut, not scrolled away), every push button and toolbar button at least
`TOUCH_MIN` px high, and no label, button or combo box may show less than its whole text (labels that elide on
purpose are exempt: they carry the whole text as a tooltip).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

from tests.ui.layout_checks import clipped_text, outside, small_targets
from ui import screenshots
from ui.layout import FRAME_ALLOWANCE, SIZES, ElidedLabel, FlowLayout

# the windows themselves; the customer display and the dialogs drawn over the window (OVERLAYS) are checked by
# their own tests
SCREENS = [name for name in screenshots.SCREENS if name != "customer" and name not in screenshots.OVERLAYS]


def primary(window: QWidget, target: QWidget, screen: str) -> list[QWidget]:
    """What must always be on screen for `screen`."""
    main = window
    if screen == "signin":
        return [main.signin.pin, main.signin.keys["⏎"], main.statusBar()]  # type: ignore[attr-defined]
    if screen in ("checkout", "member", "promotions"):
        co = main.checkout  # type: ignore[attr-defined]
        return [co.search, co.add, co.pay, co.plus, co.minus, co.remove, co.park, co.resume, co.void,
                co.member_panel.camera_view.picker, co.member_panel.code, co.member_panel.find_button,
                co.rewards.total, main.statusBar()]
    if screen == "receipt":
        dialog = main.receipt  # type: ignore[attr-defined]
        return [dialog.print_button, dialog.pdf_button, dialog.done_button, dialog.view]
    mw = target
    if screen == "manager":
        page = mw.status_page  # type: ignore[attr-defined]
        return [page.query, page.find_button, *page.buttons.values(), page.table, mw.statusBar(),  # type: ignore[attr-defined]
                mw.tabs.tabBar()]  # type: ignore[attr-defined]
    if screen == "dashboard":
        page = mw.dashboard  # type: ignore[attr-defined]
        return [page.date_from, page.date_to, page.refresh_button, page.year_button, page.export_figures,
                page.export_members, mw.statusBar()]  # type: ignore[attr-defined]
    page = mw.audit  # type: ignore[attr-defined]
    return [page.manager, page.action, page.date_from, page.date_to, page.show_button, page.table,
            mw.statusBar()]  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["en", "he"])
@pytest.mark.parametrize("screen", SCREENS)
def test_screen_fits_every_size(store: Path, qtbot, screen: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    from ui.app import build

    _app, window = build(store, lang, camera=None)
    qtbot.addWidget(window)
    try:
        target = screenshots.stage(window, screen)
        if screen in ("checkout", "member"):  # with the webcam's preview showing, as on a till with a camera
            from ui.camera_view import State

            window.checkout.member_panel.camera_view.set_state(State.SEARCHING)
            assert window.checkout.member_panel.camera_view.preview.isVisible()
        for width, height in SIZES:
            size = QSize(width, height - FRAME_ALLOWANCE)
            target.resize(size)
            screenshots.wait_idle(window)
            where = f"{screen} {lang} {width}×{height}"
            assert target.minimumSizeHint().width() <= size.width(), where
            assert target.minimumSizeHint().height() <= size.height(), where
            assert target.size() == size, f"{where}: the window is {target.size()}"
            checked = [target]
            if screen == "receipt":
                dialog = window.receipt
                assert dialog is not None and dialog.isVisible()
                assert dialog.width() <= size.width() and dialog.height() <= size.height(), where
                checked.append(dialog)
            for top in checked:
                problems = outside(top, [w for w in primary(window, target, screen) if w.window() is top])
                problems += clipped_text(top) + small_targets(top)
                assert not problems, f"{where}:\n" + "\n".join(problems)
    finally:
        screenshots.close(window)


def test_customer_screen_renders_a_placeholder_until_the_display_is_merged(store: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    if importlib.util.find_spec("ui.customer_display") is not None:
        pytest.skip("the customer display is here: its own tests cover it")
    from ui.app import build

    _app, window = build(store, "en", camera=None)
    qtbot.addWidget(window)
    try:
        target = screenshots.stage(window, "customer")
        image = screenshots.grab(window, target, (1024, 768), "customer")
        assert (image.width(), image.height()) == (1024, 768)
    finally:
        screenshots.close(window)


def test_flow_layout_wraps_instead_of_widening(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Five 100 px buttons: one row at 600 px, two rows at 300 px, and never wider than the widest button."""
    from PySide6.QtWidgets import QPushButton

    host = QWidget()
    qtbot.addWidget(host)
    flow = FlowLayout(host, spacing=10)
    buttons = []
    for i in range(5):
        button = QPushButton(str(i))
        button.setFixedSize(100, 44)
        flow.addWidget(button)
        buttons.append(button)
    host.show()
    assert flow.minimumSize().width() == 100
    host.resize(600, 200)
    qtbot.waitUntil(lambda: host.width() == 600)
    flow.setGeometry(host.rect())
    assert {b.y() for b in buttons} == {0}
    flow.setGeometry(host.rect().adjusted(0, 0, -270, 0))  # 330 px: three on the first row, two on the next
    assert sorted({b.y() for b in buttons}) == [0, 54]
    assert flow.heightForWidth(330) == 44 + 10 + 44
    assert flow.heightForWidth(100) == 5 * 44 + 4 * 10


def test_flow_layout_mirrors_right_to_left(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    host = QWidget()
    host.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    qtbot.addWidget(host)
    flow = FlowLayout(host, spacing=10)
    first, second = QPushButton("1"), QPushButton("2")
    for button in (first, second):
        button.setFixedSize(100, 44)
        flow.addWidget(button)
    flow.setGeometry(host.rect().adjusted(0, 0, 400 - host.width(), 0))
    assert first.x() == 300 and second.x() == 190


def test_elided_label_shows_the_whole_text_as_tooltip(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = ElidedLabel("12,345 entries waiting for HQ")
    qtbot.addWidget(label)
    label.setToolTip("own tip")
    label.resize(400, 30)
    label.show()
    assert label.text() == "12,345 entries waiting for HQ" and label.toolTip() == "own tip"
    label.resize(60, 30)
    assert label.text().endswith("…") and label.toolTip() == "own tip"  # an own tip (a sync error) wins
    label.setToolTip("")
    assert label.toolTip() == "12,345 entries waiting for HQ"  # else the whole text
    assert label.full_text() == "12,345 entries waiting for HQ"
    assert label.minimumSizeHint().width() <= 60


def test_the_checks_see_clipped_text_small_buttons_and_controls_outside(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The helpers fail where they should: a 30 px label and combo with long texts, a 30 px high button, a
    button placed past the window's edge."""
    from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

    from ui.app import setup_application

    setup_application()  # the app's style sheet, as in the other tests of this run
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(300, 200)
    label = QLabel("All managers and all actions", host)
    label.setGeometry(0, 0, 30, 20)
    combo = QComboBox(host)
    combo.addItems(["All", "All managers and all actions"])
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setGeometry(0, 30, 60, 44)
    low = QPushButton("OK", host)
    low.setStyleSheet("QPushButton { min-height: 10px; max-height: 22px; }")  # lower than the app's 44 px rule
    low.setGeometry(0, 80, 80, 30)
    away = QPushButton("Pay", host)
    away.setGeometry(260, 150, 80, 44)
    host.show()
    clipped = clipped_text(host)
    assert any("QLabel" in problem for problem in clipped) and any("QComboBox" in problem for problem in clipped)
    assert [problem for problem in small_targets(host) if "'OK'" in problem]
    assert outside(host, [away]) and not outside(host, [low])
