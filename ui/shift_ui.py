"""Shift dialogs for managers: open with a float, cash in / out with a reason, the X report, close with the
count (which shows the Z report, kept by the core).

Each mutating dialog asks for the manager's PIN and calls `pos_client.services.shifts` on the database
worker; a refusal (wrong PIN, no shift open, a cash-out above what the drawer holds) stays in the dialog,
worded from the catalogue. Amounts are typed in major units (`500`, `12.50`) and parsed by the core. A
report is shown as the lines `pos_client.reports.shift_text.report_lines` renders, the same lines the CLI
prints and a printer prints.

Signals (ShiftActions):
    message(str): a user-facing message for the checkout's message area.
    changed(): a shift was opened or closed, or cash moved (the tender dialog's cash rule depends on it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QFont, QTextOption
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMenu, QPlainTextEdit,
                               QToolButton, QVBoxLayout, QWidget)

from pos_client.errors import KupaError
from pos_client.money import parse_amount
from pos_client.reports.shift_text import report_lines
from pos_client.services import shifts
from pos_client.terminal import Terminal
from ui.layout import ok_cancel, pin_field
from ui.i18n import error_text
from ui.worker import DbWorker

MODES = ("open", "cash_in", "cash_out", "close")


class ShiftDialog(QDialog):
    """One shift action: an amount (float, cash moved, or cash counted), a reason for cash moves, the PIN."""

    def __init__(self, mode: str, run: Callable[[int, str, str], Callable[[], Any]], worker: DbWorker,
                 currency: str, on_done: Callable[[Any], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert mode in MODES
        self.setObjectName(f"shiftDialog_{mode}")
        self.mode, self._run, self._worker, self.currency, self._on_done = mode, run, worker, currency, on_done
        self.prompt = QLabel(objectName="shiftPrompt")
        self.prompt.setWordWrap(True)
        self.amount = QLineEdit(objectName="shiftAmount")
        self.reason = QLineEdit(objectName="shiftReason")
        self.reason.setMaxLength(200)
        self.reason.setVisible(mode in ("cash_in", "cash_out"))
        self.pin = pin_field("shiftPin")
        self.message = QLabel(objectName="shiftMessage")
        self.message.setWordWrap(True)
        self.buttons = ok_cancel(self, self._submit)
        self._captions = [QLabel(), QLabel(), QLabel()]
        form = QFormLayout()
        for caption, field in zip(self._captions, (self.amount, self.reason, self.pin)):
            caption.setBuddy(field)
            if field is self.reason and mode not in ("cash_in", "cash_out"):
                caption.setVisible(False)
            form.addRow(caption, field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.amount.setFocus()
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        titles = {"open": (self.tr("Open shift"), self.tr("Count the float into the drawer and enter it."),
                           self.tr("&Float")),
                  "cash_in": (self.tr("Cash in"), self.tr("Cash put into the drawer during the shift."),
                              self.tr("&Amount")),
                  "cash_out": (self.tr("Cash out"), self.tr("Cash taken out of the drawer during the shift."),
                               self.tr("&Amount")),
                  "close": (self.tr("Close shift (Z)"),
                            self.tr("Count the cash in the drawer and enter it; the Z report is kept."),
                            self.tr("Cash &counted"))}
        title, prompt, amount = titles[self.mode]
        self.setWindowTitle(title)
        self.prompt.setText(prompt)
        for caption, text in zip(self._captions, (amount, self.tr("&Reason"), self.tr("Manager &PIN"))):
            caption.setText(text)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(title)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))

    def _submit(self) -> None:
        try:
            amount = parse_amount(self.amount.text().strip(), self.currency)
        except KupaError as exc:
            self.message.setText(error_text(exc))
            return
        job = self._run(amount, self.reason.text(), self.pin.text())
        self.buttons.setEnabled(False)

        def done(result: Any) -> None:
            self.accept()
            self._on_done(result)

        def refused(exc: KupaError) -> None:
            self.buttons.setEnabled(True)
            self.pin.clear()
            self.message.setText(error_text(exc))

        self._worker.submit(job, done, refused)


class ShiftReportDialog(QDialog):
    """An X or Z report as text lines, in a fixed-width view that reads right-to-left in Hebrew."""

    def __init__(self, report: dict[str, Any], lang: str, zone: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shiftReportDialog")
        self.report, self.zone = report, zone
        self.view = QPlainTextEdit(objectName="shiftReportText")
        self.view.setReadOnly(True)
        font = QFont()
        font.setPointSize(13)
        self.view.setFont(font)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        self.resize(560, 520)
        self.set_language(lang)

    def set_language(self, lang: str) -> None:
        self.lines = report_lines(self.report, lang, self.zone)
        option = QTextOption(self.view.document().defaultTextOption())
        rtl = lang == "he"
        option.setTextDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
        option.setAlignment(Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft)
        self.view.document().setDefaultTextOption(option)
        self.setWindowTitle(self.lines[0])
        self.view.setPlainText("\n".join(self.lines))


class ShiftActions(QObject):
    """The toolbar's Shift menu and the dialogs behind it."""

    message = Signal(str)
    changed = Signal()

    def __init__(self, terminal: Terminal, worker: DbWorker, currency: str, zone: str | None,
                 lang: Callable[[], str], parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self.terminal, self.worker, self.currency, self.zone, self._lang = terminal, worker, currency, zone, lang
        self._parent = parent_widget
        self.button = QToolButton(objectName="shiftMenu")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.actions: dict[str, QAction] = {}
        for key in ("open", "cash_in", "cash_out", "x_report", "close"):
            action = QAction(self.menu, objectName=f"shift_{key}")
            action.triggered.connect(lambda _checked=False, k=key: self.start(k))
            self.menu.addAction(action)
            self.actions[key] = action
        self.button.setMenu(self.menu)
        self.dialog: QDialog | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.button.setText(self.tr("Shift"))
        texts = {"open": self.tr("Open shift…"), "cash_in": self.tr("Cash in…"), "cash_out": self.tr("Cash out…"),
                 "x_report": self.tr("X report"), "close": self.tr("Close shift (Z)…")}
        for key, text in texts.items():
            self.actions[key].setText(text)

    def set_language(self, lang: str) -> None:
        """Re-render an open report in `lang` (connected to `Languages.changed`: the report's lines come from
        the catalogue, not from Qt's translators)."""
        if isinstance(self.dialog, ShiftReportDialog):
            self.dialog.set_language(lang)

    def start(self, key: str) -> None:
        """Open the dialog for `key` (one of the menu's actions)."""
        if key == "x_report":
            self.worker.submit(lambda: shifts.x_report(self.terminal), self.show_report,
                               lambda exc: self.message.emit(error_text(exc)))
            return
        terminal = self.terminal
        runs: dict[str, Callable[[int, str, str], Callable[[], Any]]] = {
            "open": lambda amount, _reason, pin: lambda: shifts.open_shift(terminal, amount, pin),
            "cash_in": lambda amount, reason, pin: lambda: shifts.move_cash(terminal, "cash_in", amount, reason, pin),
            "cash_out": lambda amount, reason, pin: lambda: shifts.move_cash(terminal, "cash_out", amount, reason,
                                                                             pin),
            "close": lambda amount, _reason, pin: lambda: shifts.close_shift(terminal, amount, pin)}

        def done(result: Any) -> None:
            self.changed.emit()
            if key == "close":
                self.show_report(result)
            elif key == "open":
                self.message.emit(self.tr("Shift opened"))
            else:
                self.message.emit(self.tr("Cash movement recorded"))

        self.dialog = ShiftDialog(key, runs[key], self.worker, self.currency, done, self._parent)
        self.dialog.open()

    def show_report(self, report: dict[str, Any]) -> None:
        self.dialog = ShiftReportDialog(report, self._lang(), self.zone, self._parent)
        self.dialog.open()
