"""Accessibility (issue #16, item 5): keyboard-only operation, accessible names, WCAG AA contrast.

- Tab, pressed from the first control, reaches every enabled control of each screen (the PIN pad's keys are
  mouse/touch twins of the keyboard's digits and take no focus by design).
- Every control a person operates has a name a screen reader announces (Qt's accessibility interface: the
  accessibleName, the button's text, or the label whose buddy it is).
- Every text colour in the style sheet (and the inline style sheets that set both colours) reaches 4.5:1
  against the background it is drawn on; the application palette's text roles too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from tests.ui.layout_checks import contrast, describe, focusable, inline_colour_pairs, qss_colour_pairs, unnamed
from ui import screenshots

ROOT = Path(__file__).resolve().parents[2]
STYLE = ROOT / "resources" / "style.qss"
#: The surfaces text without its own background is drawn on: the window, panels and inputs, table headers.
SURFACES = ("#f4f6f8", "#ffffff", "#e9eef2")
AA = 4.5
SCREENS = ("signin", "checkout", "manager", "dashboard", "audit", "receipt")


def _open(store: Path, qtbot, screen: str, lang: str):  # type: ignore[no-untyped-def]
    from ui.app import build

    _app, window = build(store, lang, camera=None)
    qtbot.addWidget(window)
    target = screenshots.stage(window, screen)
    target.resize(1024, 704)
    screenshots.wait_idle(window)
    if screen == "receipt":
        assert window.receipt is not None
        target = window.receipt
    return window, target


@pytest.mark.parametrize("lang", ["en", "he"])
@pytest.mark.parametrize("screen", SCREENS)
def test_every_control_has_an_accessible_name(store: Path, qtbot, screen: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    window, target = _open(store, qtbot, screen, lang)
    try:
        assert not unnamed(target), f"{screen} {lang}: controls without a name: {unnamed(target)}"
    finally:
        screenshots.close(window)


@pytest.mark.parametrize("screen", SCREENS)
def test_tab_reaches_every_enabled_control(store: Path, qtbot, screen: str) -> None:  # type: ignore[no-untyped-def]
    window, target = _open(store, qtbot, screen, "en")
    try:
        target.activateWindow()
        qtbot.waitUntil(target.isActiveWindow, timeout=5000)
        expected = focusable(target)
        assert expected, screen
        expected[0].setFocus(Qt.FocusReason.TabFocusReason)
        reached: set[int] = set()
        for _ in range(3 * len(expected) + 10):
            widget = QApplication.focusWidget()
            assert widget is not None, f"{screen}: the focus left the window"
            reached.add(id(widget))
            qtbot.keyClick(widget, Qt.Key.Key_Tab)
        missed = [describe(widget) for widget in expected if id(widget) not in reached]
        assert not missed, f"{screen}: Tab never reaches {missed}"
    finally:
        screenshots.close(window)


def test_style_sheet_text_colours_pass_wcag_aa() -> None:
    pairs = qss_colour_pairs(STYLE, SURFACES)
    for path in sorted((ROOT / "ui").glob("*.py")):
        pairs += inline_colour_pairs(path.read_text(encoding="utf-8"))
    assert len(pairs) > 20  # the parser found the rules
    failing = [f"{selector}: {fg} on {bg} = {contrast(QColor(fg), QColor(bg)):.2f}"
               for selector, fg, bg in pairs if contrast(QColor(fg), QColor(bg)) < AA]
    assert not failing, "\n".join(failing)


def test_palette_text_roles_pass_wcag_aa(qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.app import setup_application

    palette = setup_application().palette()
    roles = ((QPalette.ColorRole.WindowText, QPalette.ColorRole.Window), (QPalette.ColorRole.Text,
             QPalette.ColorRole.Base), (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button),
             (QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Base),
             (QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight),
             (QPalette.ColorRole.ToolTipText, QPalette.ColorRole.ToolTipBase))
    failing = [f"{fg.name}: {contrast(palette.color(fg), palette.color(bg)):.2f}" for fg, bg in roles
               if contrast(palette.color(fg), palette.color(bg)) < AA]
    assert not failing


def test_contrast_ratio_is_wcag_s() -> None:
    """Pinned values: black on white 21:1, white on white 1:1, #767676 on white 4.54:1 (the AA boundary grey)."""
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast(QColor("white"), QColor("white")) == pytest.approx(1.0)
    assert contrast(QColor("#767676"), QColor("white")) == pytest.approx(4.54, abs=0.01)


def test_unnamed_finds_a_bare_field(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout

    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    bare, labelled = QLineEdit(objectName="bare"), QLineEdit(objectName="labelled")
    caption = QLabel("&Name")
    caption.setBuddy(labelled)
    for widget in (bare, caption, labelled):
        layout.addWidget(widget)
    host.show()
    assert [problem for problem in unnamed(host) if "bare" in problem]
    assert not [problem for problem in unnamed(host) if "labelled" in problem]
