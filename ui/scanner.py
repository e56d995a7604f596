"""Keyboard-wedge scanners: a burst of fast keystrokes ending in Enter, recognised anywhere on a screen.

A USB scanner "types" its code far faster than a person (a few ms between keys). The filter watches key
presses application-wide while enabled; when Enter ends a burst of at least `MIN_LENGTH` characters whose
keys all came less than `MAX_GAP` apart, it swallows the Enter, removes the code from the line edit it was
typed into (if any), and emits `scanned(code)`. Slower typing passes through untouched.

Signals:
    scanned(str): a code read by a wedge scanner.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

MAX_GAP = 0.035  # seconds between two keys of a scan
MIN_LENGTH = 4
MAX_LENGTH = 256


class WedgeScanner(QObject):
    """An application event filter that turns fast keystroke bursts into `scanned` codes."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = False
        self._buffer = ""
        self._last = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.enabled or event.type() != QEvent.Type.KeyPress or QApplication.activeModalWidget():
            return False
        if not isinstance(watched, QLineEdit) and watched is not QApplication.focusWidget():
            return False  # each key press reaches several objects; count it once
        assert isinstance(event, QKeyEvent)
        now = time.monotonic()
        if now - self._last > MAX_GAP:
            self._buffer = ""
        self._last = now
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code, self._buffer = self._buffer, ""
            if len(code) >= MIN_LENGTH:
                if isinstance(watched, QLineEdit) and watched.text().endswith(code):
                    watched.setText(watched.text()[: -len(code)])
                self.scanned.emit(code)
                return True
            return False
        text = event.text()
        if text and text.isprintable() and len(self._buffer) < MAX_LENGTH:
            self._buffer += text
        else:
            self._buffer = ""
        return False
