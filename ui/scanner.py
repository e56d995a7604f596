"""Keyboard-wedge scanners: a burst of fast keystrokes ending in Enter, recognised anywhere on a screen.

A USB scanner "types" its code far faster than a person. Timing of real keyboard wedges: 1–20 ms between
keys (most ship at 2–10 ms; a slow "inter-character delay" setting for old terminals is 20 ms); a person,
even a fast typist, leaves more than 60 ms between keys, and a cashier copying a card number leaves far more.
So:

- a keystroke that comes more than `SEGMENT_GAP_MS` (100 ms) after the previous one starts a new *segment* —
  no scanner ever pauses that long inside a code, so a segment boundary never falls inside a scan;
- when Enter ends a segment of at least `MIN_LENGTH` characters whose every gap was at most `MAX_GAP_MS`
  (30 ms: the slowest scanner setting plus USB polling and event jitter), it is a scan: the filter swallows
  the Enter, removes the code from the line edit it was typed into (if any) and emits `scanned(code)`;
- anything else is *typed*: the Enter goes through to the field, which treats the text as the cashier
  typed it (the product search looks it up, the member field identifies the member). This is the manual
  "this was typed" path, also the way out when a scanner is configured slower than 30 ms.

A code is taken whole or not at all: a segment with one gap above `MAX_GAP_MS` is typed text as a whole, never
split into a "typed" head and a "scanned" tail. Decision for 40 ms per key (faster than a person, slower
than any scanner set up for a counter): typed, so "BOGUS-CARD-123" at 40 ms lands in the field whole and
its Enter searches it (pinned by tests/ui/test_scanner.py).

Times are the key events' own timestamps (the window system's, in ms), so a busy GUI thread that delivers a
scan's queued keys late does not make it look typed; synthetic events without one fall back to the
monotonic clock. `clear()` forgets a half-read segment (called at sign-out and lock).

Signals:
    scanned(str): a code read by a wedge scanner.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

MAX_GAP_MS = 30  # the longest gap between two keys of a scan
SEGMENT_GAP_MS = 100  # a pause longer than this starts a new segment (never inside a scan)
MIN_LENGTH = 4
MAX_LENGTH = 256


class WedgeScanner(QObject):
    """An application event filter that turns fast keystroke bursts into `scanned` codes."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = False
        self._buffer = ""
        self._fast = True  # every gap in the current segment was ≤ MAX_GAP_MS
        self._last: int | None = None

    def clear(self) -> None:
        """Forget the segment being read (sign-out, lock: nothing of one cashier's keys survives)."""
        self._buffer, self._fast, self._last = "", True, None

    @staticmethod
    def _when(event: QKeyEvent) -> int:
        """The key's time in ms: the window system's timestamp, else the monotonic clock's."""
        stamp = int(event.timestamp())
        return stamp if stamp else time.monotonic_ns() // 1_000_000

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.enabled or event.type() != QEvent.Type.KeyPress or QApplication.activeModalWidget():
            return False
        if not isinstance(watched, QLineEdit) and watched is not QApplication.focusWidget():
            return False  # each key press reaches several objects; count it once
        assert isinstance(event, QKeyEvent)
        if event.isAutoRepeat():
            self.clear()
            return False
        now = self._when(event)
        gap = None if self._last is None else now - self._last
        self._last = now
        if gap is None or gap < 0 or gap > SEGMENT_GAP_MS:
            self._buffer, self._fast = "", True
        elif self._buffer and gap > MAX_GAP_MS:
            self._fast = False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code, fast = self._buffer, self._fast
            self.clear()
            if fast and len(code) >= MIN_LENGTH:
                if isinstance(watched, QLineEdit) and watched.text().endswith(code):
                    watched.setText(watched.text()[: -len(code)])
                self.scanned.emit(code)
                return True
            return False  # typed: the field handles its Enter
        text = event.text()
        if text and text.isprintable() and len(self._buffer) < MAX_LENGTH:
            self._buffer += text
        else:
            self.clear()
            self._last = now
        return False
