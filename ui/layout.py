"""Layout helpers so every window reflows from a 1024×768 touchscreen to a 1920×1080 desktop, in both languages.

The rules (checked by `tests/ui/test_layout.py` at 1024×768, 1366×768 and 1920×1080, English and Hebrew):
nothing is fixed wider than the screen; rows of buttons wrap instead of widening the window (`FlowLayout`);
tiles and quick picks take as many columns as fit (`FlowLayout(uniform=True)`); a column that may be taller
than the screen scrolls (`vertical_scroll`) while the primary action stays outside it; a label whose text may be
longer than its place elides on purpose with the full text as its tooltip (`ElidedLabel`); buttons a cashier
presses are at least `TOUCH_MIN` pixels high (the style sheet's `min-height`, measured by the tests).

`FRAME_ALLOWANCE` is what a desktop takes from the screen's height for the window's title bar and a panel:
the windows must fit in (width, height − FRAME_ALLOWANCE). `fit_to_screen` opens a window at its preferred size
where the screen is large enough, maximised where it is not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QFrame, QLabel, QLayout, QLayoutItem,
                               QLineEdit, QScrollArea, QSizePolicy, QSpacerItem, QStyle, QWidget)

from pos_client.services import auth

TOUCH_MIN = 44
FRAME_ALLOWANCE = 64
SIZES = ((1024, 768), (1366, 768), (1920, 1080))


def accessible(text: str) -> str:
    """An accessible name for a control that shows no text of its own (a table, a text view), translated in
    the "Accessible" context (`resources/i18n/kupa_he.ts`)."""
    return QCoreApplication.translate("Accessible", text)


class FlowLayout(QLayout):
    """Lays its items out in rows, wrapping to a new row where the width ends (right to left in Hebrew).

    `uniform=True` makes a grid: every cell as wide as the widest item's size hint, as many columns as fit
    (at most `max_columns`), the cells of a row stretched to share the width equally.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 6, uniform: bool = False,
                 max_columns: int = 0) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._uniform, self._max_columns = uniform, max_columns
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def addStretch(self) -> None:
        """A break in the row: what follows goes to the trailing side when it fits on the same row."""
        self.addItem(_Break(0, 0))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._do_layout(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._do_layout(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        """As wide as the widest item (or cell): narrower than that nothing fits."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize() if not self._uniform else item.sizeHint())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty() and not _is_break(item)]

    def _do_layout(self, rect: QRect, apply: bool) -> int:
        margins: QMargins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        parent = self.parentWidget()
        rtl = parent.isRightToLeft() if parent is not None else False
        space = self.spacing()
        if self._uniform:
            return self._grid(area, space, rtl, apply) + margins.top() + margins.bottom()
        rows: list[list[tuple[QLayoutItem, QSize, bool]]] = [[]]
        x = 0
        broken = False
        for item in self._items:
            if _is_break(item):
                broken = True
                continue
            if item.isEmpty():
                continue
            hint = item.sizeHint().expandedTo(item.minimumSize())
            hint.setWidth(min(hint.width(), area.width()))
            if rows[-1] and x + hint.width() > area.width():
                rows.append([])
                x = 0
                broken = False
            rows[-1].append((item, hint, broken))
            broken = False
            x += hint.width() + space
        y = area.y()
        for row in rows:
            if not row:
                continue
            height = max(hint.height() for _item, hint, _b in row)
            if apply:
                used = sum(hint.width() for _item, hint, _b in row) + space * (len(row) - 1)
                gap = area.width() - used
                x = 0
                for item, hint, after_break in row:
                    if after_break:
                        x += gap
                    left = area.right() + 1 - x - hint.width() if rtl else area.x() + x
                    item.setGeometry(QRect(QPoint(left, y + (height - hint.height()) // 2), hint))
                    x += hint.width() + space
            y += height + space
        return max(0, y - space - area.y())

    def _grid(self, area: QRect, space: int, rtl: bool, apply: bool) -> int:
        items = self._visible()
        if not items:
            return 0
        cell = max(item.sizeHint().width() for item in items)
        columns = max(1, min(len(items), (area.width() + space) // (cell + space)))
        if self._max_columns:
            columns = min(columns, self._max_columns)
        width = (area.width() - space * (columns - 1)) // columns
        height = max(item.sizeHint().height() for item in items)
        rows = (len(items) + columns - 1) // columns
        if apply:
            for i, item in enumerate(items):
                row, col = divmod(i, columns)
                x = area.x() + col * (width + space)
                if rtl:
                    x = area.right() + 1 - (col + 1) * width - col * space
                item.setGeometry(QRect(x, area.y() + row * (height + space), width, height))
        return rows * height + (rows - 1) * space


class _Break(QSpacerItem):
    """`FlowLayout.addStretch`'s marker."""


def _is_break(item: QLayoutItem) -> bool:
    return isinstance(item, _Break)


class ElidedLabel(QLabel):
    """A one-line label that shows "…" where its text does not fit, with the whole text as its tooltip.

    Its minimum width is small, so a long text (a store name, a cashier's name, a count) never widens the
    window; `full_text()` is the text as set. Tests treat it as eliding on purpose (`elides` property).
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, objectName: str = "") -> None:
        super().__init__(parent)
        if objectName:
            self.setObjectName(objectName)
        self._full, self._tip = "", ""
        self.setProperty("elides", True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self.setAccessibleName(text)
        self._elide()

    def setToolTip(self, tip: str) -> None:
        """A tooltip of its own, shown while the text is whole (the whole text is the tooltip while elided)."""
        self._tip = tip
        self._elide()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + margins.left() + margins.right() + 2 * self.margin()
        return QSize(width + 2 * self.indent() if self.indent() > 0 else width, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width() - 2 * self.margin()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(width, 0))
        super().setText(shown)
        super().setToolTip(self._tip or (self._full if shown != self._full else ""))  # an own tip (an error) wins


class DateEdit(QDateEdit):
    """A date field whose special value ("any") does not trap Tab: Qt's date edit moves Tab between its sections,
    and with the special value shown there are none to leave from, so keyboard-only use would stop there."""

    def focusNextPrevChild(self, next: bool) -> bool:
        if self.specialValueText() and self.date() == self.minimumDate():
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


def vertical_scroll(widget: QWidget, name: str = "") -> QScrollArea:
    """`widget` in a frameless area that scrolls up and down when the window is too short for it (never sideways:
    the widget gets the area's width)."""
    area = QScrollArea()
    if name:
        area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


def fit_to_screen(window: QWidget, preferred: tuple[int, int] = (1280, 800)) -> None:
    """Show `window` at `preferred` size where its screen's free area holds it, else maximised."""
    screen = window.screen()
    free = screen.availableGeometry() if screen is not None else QRect(0, 0, *preferred)
    width, height = preferred
    if free.width() >= width and free.height() >= height:
        window.resize(width, height)
        window.show()
    else:
        window.resize(min(width, free.width()), min(height, free.height()))
        window.showMaximized()


def style_frame(widget: QWidget) -> int:
    """The style's default frame width (for sizing lists to their longest item)."""
    return widget.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, widget)


def pin_field(name: str, *, new: bool = False) -> QLineEdit:
    """A PIN entry: masked, digits, as long as a PIN may be (`services.auth`: one that signs in, or a `new`
    one being set), the same in the sign-in, the manager's PIN prompt, the shift dialogs and the staff page."""
    field: QLineEdit = QLineEdit(objectName=name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(auth.NEW_PIN_MAX_DIGITS if new else auth.PIN_MAX_DIGITS)
    field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    return field


def ok_cancel(dialog: QDialog, on_ok: Callable[[], None]) -> QDialogButtonBox:
    """The OK / Cancel row a form dialog ends with: OK runs `on_ok` (which accepts once the input is good),
    Cancel rejects. One definition, so every dialog answers Enter and Esc alike."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons


def captioned_form(fields: Sequence[QWidget]) -> tuple[QFormLayout, list[QLabel]]:
    """A form of `fields`, each beside a caption that is its buddy (the caption's mnemonic focuses the field);
    the captions are worded by the dialog's `retranslate()`."""
    form, captions = QFormLayout(), [QLabel() for _ in fields]
    for caption, field in zip(captions, fields):
        caption.setBuddy(field)
        form.addRow(caption, field)
    return form, captions
