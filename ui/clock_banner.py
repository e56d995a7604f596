"""The clock banner on the checkout screen: a clock that jumped is shown to the cashier with a manager's way out.

When the terminal's clock went back, or differs from HQ's (`pos_client.services.clock`), the core refuses
every sale; the banner says why in the cashier's language (the message comes from the core's catalogue) and
offers "Manager: confirm the clock", which asks for the manager PIN (`ManagerPinDialog`) and calls
`clock.confirm` (audited). An unverified clock (far ahead of the last known good time, no HQ to agree) does
not stop sales; the banner then only informs, with the same button.

The banner reads the clock's state on the database worker when it is created, every `REFRESH_MS`, whenever
the sale shows a message (a refused sale may be the clock), and after a confirmation.

Signals:
    confirmed(): a manager confirmed the clock.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from pos_client.services import clock
from pos_client.terminal import Terminal
from ui.dialogs import ManagerPinDialog
from ui.i18n import error_text
from ui.worker import DbWorker

REFRESH_MS = 30_000


class ClockBanner(QFrame):
    """Shows the clock check's state above the cart while it is not "ok"."""

    confirmed = Signal()

    def __init__(self, terminal: Terminal, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clockBanner")
        self.terminal, self.worker, self._lang = terminal, worker, "en"
        self.state: dict[str, Any] | None = None
        self.dialog: ManagerPinDialog | None = None
        self.text = QLabel(objectName="clockMessage")
        self.text.setWordWrap(True)
        self.confirm_button = QPushButton(objectName="confirmClock")
        self.confirm_button.clicked.connect(self.ask_manager)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.confirm_button)
        self.setStyleSheet("#clockBanner { background: #fde2e1; border: 2px solid #c0392b; border-radius: 6px; }")
        self._timer = QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.hide()
        self.retranslate()
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.confirm_button.setText(self.tr("Manager: confirm the clock"))

    def set_language(self, lang: str) -> None:
        """The core's message is worded per language: read it again in `lang`."""
        self._lang = lang
        self.refresh()

    def refresh(self) -> None:
        """Read the clock's state on the worker and show it."""
        terminal, lang = self.terminal, self._lang
        self.worker.submit(lambda: clock.status(terminal, lang), self.show_state)

    def show_state(self, state: dict[str, Any]) -> None:
        self.state = state
        self.text.setText(str(state["message"]))
        self.setProperty("hold", bool(state["hold"]))
        self.setVisible(state["status"] != "ok")

    def ask_manager(self) -> None:
        """The manager PIN dialog; a right PIN confirms the clock (audited) and hides the banner."""
        terminal, worker = self.terminal, self.worker

        def check(pin: str, refused: Callable[[str], None], allowed: Callable[[object], None]) -> None:
            def done(verdict: object) -> None:
                allowed(verdict)
                self.confirmed.emit()
                self.refresh()

            worker.submit(lambda: clock.confirm(terminal, pin), done, lambda exc: refused(error_text(exc)))

        def texts() -> tuple[str, str, str]:
            return (self.tr("Confirm the clock"),
                    self.tr("Check the date and time of this computer first. Confirming tells Kupa the "
                            "clock is right as it is now; it is written to the audit log. Manager PIN:"),
                    self.tr("Confirm"))

        self.dialog = ManagerPinDialog(check, self, texts)
        self.dialog.finished.connect(self.dialog.deleteLater)
        self.dialog.open()
