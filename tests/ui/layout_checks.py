"""Walks a window's widget tree for what a person would see as broken: clipped text, small touch targets, controls
outside the window, controls without an accessible name, and the WCAG contrast of the style sheet's colours.

Used by `test_layout.py` and `test_accessibility.py`; every function returns a list of readable problems (empty:
fine) so a failure names each widget.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QColor
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractScrollArea, QAbstractSpinBox, QCheckBox,
                               QComboBox, QLabel, QLineEdit, QPushButton, QStyle, QStyleOptionComboBox, QTabBar,
                               QTextEdit, QToolBar, QToolButton, QWidget)

from ui.layout import TOUCH_MIN

#: Qt's own sub-widgets of a compound control (a combo's line edit, a spin box's, a table's corner button...):
#: the compound control is what has the name and takes the focus.
_COMPOUND = (QComboBox, QAbstractSpinBox, QLineEdit, QAbstractItemView, QTabBar, QTextEdit)


def describe(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    return f"{type(widget).__name__}#{widget.objectName() or '?'} {text!r:.40}"


def shown(root: QWidget) -> Iterator[QWidget]:
    """The widgets of `root` (itself included) that are on screen now."""
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.isVisible() and widget.window() is root.window():
            yield widget


def _inside_compound(widget: QWidget, root: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, _COMPOUND):
            return True
        parent = parent.parentWidget()
    return False


def _plain(text: str) -> str:
    """The text as drawn: a single & is a mnemonic marker."""
    return re.sub(r"&(.)", r"\1", text)


def clipped_text(root: QWidget) -> list[str]:
    """Labels, buttons and combo boxes whose text is wider than their room (eliding labels excepted)."""
    problems = []
    for widget in shown(root):
        if isinstance(widget, QLabel):
            if widget.wordWrap() or widget.property("elides") or not widget.text() or widget.pixmap() is not None \
                    and not widget.pixmap().isNull():
                continue
            if re.search(r"<[a-zA-Z]", widget.text()) and widget.textFormat() != Qt.TextFormat.PlainText:
                need, room = widget.minimumSizeHint().width(), widget.width()
            else:
                lines = _plain(widget.text()).split("\n") if widget.buddy() else widget.text().split("\n")
                need = max(widget.fontMetrics().horizontalAdvance(line) for line in lines)
                room = widget.contentsRect().width() - 2 * widget.margin() - max(widget.indent(), 0)
            if need > room + 1:
                problems.append(f"{describe(widget)}: text {need}px in {room}px")
        elif isinstance(widget, (QPushButton, QToolButton, QCheckBox)) and widget.text():
            if _inside_compound(widget, root):
                continue
            if widget.width() + 1 < widget.sizeHint().width():
                problems.append(f"{describe(widget)}: {widget.width()}px wide, needs {widget.sizeHint().width()}px")
        elif isinstance(widget, QComboBox) and widget.count():
            option = QStyleOptionComboBox()
            widget.initStyleOption(option)
            field = widget.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                                  QStyle.SubControl.SC_ComboBoxEditField, widget)
            longest = max(range(widget.count()), key=lambda i: widget.fontMetrics().horizontalAdvance(
                widget.itemText(i)))
            need = widget.fontMetrics().horizontalAdvance(widget.itemText(longest))
            if need > field.width() + 1:
                problems.append(f"{describe(widget)}: item {widget.itemText(longest)!r} {need}px in {field.width()}px")
    return problems


def small_targets(root: QWidget) -> list[str]:
    """Push buttons and toolbar buttons lower than `TOUCH_MIN`."""
    problems = []
    for widget in shown(root):
        touch = isinstance(widget, QPushButton) or (
            isinstance(widget, QToolButton) and isinstance(widget.parentWidget(), QToolBar)
            and widget.objectName() != "qt_toolbar_ext_button")
        if touch and not _inside_compound(widget, root) and widget.height() < TOUCH_MIN:
            problems.append(f"{describe(widget)}: {widget.height()}px high")
    return problems


def outside(window: QWidget, widgets: list[QWidget]) -> list[str]:
    """Of `widgets`, those hidden or not wholly inside `window`'s rectangle (or cut by a scroll area)."""
    problems = []
    for widget in widgets:
        if not widget.isVisible():
            problems.append(f"{describe(widget)}: hidden")
            continue
        rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        if not window.rect().contains(rect):
            problems.append(f"{describe(widget)}: at {rect.getRect()} outside {window.rect().getRect()}")
            continue
        parent = widget.parentWidget()
        while parent is not None and parent is not window:
            if isinstance(parent, QAbstractScrollArea):
                view = parent.viewport()
                inner = QRect(widget.mapTo(view, QPoint(0, 0)), widget.size())
                if not view.rect().contains(inner):
                    problems.append(f"{describe(widget)}: scrolled out of view")
                break
            parent = parent.parentWidget()
    return problems


def interactive(root: QWidget) -> Iterator[QWidget]:
    """The controls a person operates (not Qt's sub-widgets of compound controls)."""
    for widget in shown(root):
        if isinstance(widget, (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView,
                               QTextEdit)) and not _inside_compound(widget, root):
            if isinstance(widget, QToolButton) and widget.objectName() == "qt_toolbar_ext_button":
                continue
            yield widget


def unnamed(root: QWidget) -> list[str]:
    """Controls a screen reader would announce without a name (accessibleName, text, or a label's buddy)."""
    problems = []
    for widget in interactive(root):
        face = QAccessible.queryAccessibleInterface(widget)
        name = face.text(QAccessible.Text.Name) if face is not None else ""
        if not name.strip():
            problems.append(describe(widget))
    return problems


def focusable(root: QWidget) -> list[QWidget]:
    """The enabled controls that Tab should reach."""
    return [widget for widget in interactive(root)
            if widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus]


# -- contrast --------------------------------------------------------------------------------------------------
def luminance(color: QColor) -> float:
    """WCAG 2.x relative luminance."""
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(foreground: QColor, background: QColor) -> float:
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


_RULE = re.compile(r"([^{}]+)\{([^}]*)\}")


def qss_rules(text: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, {property: value}) of a style sheet (comments dropped)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules = []
    for selector, body in _RULE.findall(text):
        props = {}
        for declaration in body.split(";"):
            name, _, value = declaration.partition(":")
            if value.strip():
                props[name.strip().lower()] = value.strip()
        rules.append((selector.strip(), props))
    return rules


def qss_colour_pairs(path: Path, surfaces: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(selector, text colour, background) for every rule that sets a text colour: its own background if it
    sets one, else each of the `surfaces` it may be drawn on. Disabled states are left out (WCAG exempts
    inactive controls)."""
    pairs = []
    for selector, props in qss_rules(path.read_text(encoding="utf-8")):
        if ":disabled" in selector or "color" not in props:
            continue
        background = props.get("background") or props.get("background-color")
        for surface in ((background,) if background else surfaces):
            pairs.append((selector, props["color"], surface))
    return pairs


def inline_colour_pairs(source: str) -> list[tuple[str, str, str]]:
    """The same for the `setStyleSheet("…")` strings in the UI's Python files that set both colours."""
    pairs = []
    for sheet in re.findall(r'setStyleSheet\(\s*"([^"]*)"', source):
        props = {name.strip(): value.strip() for name, _, value in
                 (part.partition(":") for part in re.sub(r"^[^{]*\{|\}.*$", "", sheet).split(";")) if value}
        background = props.get("background") or props.get("background-color")
        if "color" in props and background:
            pairs.append((sheet[:40], props["color"], background))
    return pairs
