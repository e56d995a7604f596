"""Ctrl+Del asks before voiding: what would be voided, and why (the reason goes to the audit log).

A void cannot be undone and is audited (`pos_client.services.voids`), so one stray key must not wipe a
basket: the dialog says how many lines and how much, offers the usual reasons (or the cashier's own words)
and voids only on "Void sale". Escape, Cancel or closing it leaves the sale as it was. Window-modal, opened
with `open()`: it never blocks the event loop.

Signals:
    confirmed(str): the cashier chose to void, with the reason.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from pos_client.money import format_money
from ui.layout import ok_cancel


class VoidDialog(QDialog):
    """"Void this sale?" with the lines and total, and a reason."""

    confirmed = Signal(str)

    def __init__(self, lines: int, total: int, currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voidDialog")
        self.setMinimumWidth(460)
        self._lines, self._total, self._currency = lines, total, currency
        self.summary = QLabel(objectName="voidSummary")
        self.summary.setWordWrap(True)
        self.reason = QComboBox(objectName="voidReason")
        self.reason.setEditable(True)
        self.buttons = ok_cancel(self, self._confirm)
        self._reason_label = QLabel()
        self._reason_label.setBuddy(self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self._reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Void sale"))
        money = format_money(self._total, self._currency)
        self.summary.setText(self.tr("Void this sale? {0} lines, {1}. Nothing is sold, and the void is written "
                                     "to the audit log under your name.").format(self._lines, money))
        self._reason_label.setText(self.tr("&Reason"))
        chosen = self.reason.currentIndex()
        self.reason.clear()
        self.reason.addItems([self.tr("Customer changed their mind"), self.tr("Wrong items rung up"),
                              self.tr("Customer could not pay"), self.tr("Training or test")])
        self.reason.setCurrentIndex(max(chosen, 0))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Void sale"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Keep the sale"))

    def _confirm(self) -> None:
        self.confirmed.emit(self.reason.currentText().strip())
        self.accept()
