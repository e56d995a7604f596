"""UI test fixtures: an offscreen Qt, a small demo store built once per session and copied per test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from pos_client.demo.generate import build_demo  # noqa: E402
from pos_client.services.setup import init_terminal  # noqa: E402


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "store"
    result = init_terminal(path, terminal_id="UI-TEST")
    build_demo(result.terminal, members=15)
    result.terminal.close()
    return path


@pytest.fixture
def store(demo_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store"
    shutil.copytree(demo_store, path)
    return path


@pytest.fixture
def window(store: Path, qtbot):  # type: ignore[no-untyped-def]
    from ui.app import build

    _app, win = build(store, "en")
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win
    win.close()
    win.languages.switch("en")
    win.terminal.close()


def wait_idle(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: win.worker.idle, timeout=10000)


def pay(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """After F12: accept the payment dialog's default (exact cash in a shift, else exact card) with Enter."""
    qtbot.waitUntil(lambda: win.tender_dialog is not None and win.tender_dialog.isVisible(), timeout=10000)
    dialog = win.tender_dialog
    qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return)


#: The clock of the key events `type_keys` sends (ms): the scanner detector reads the events' own timestamps,
#: so a test's "scanner" and "person" are told apart the same way whatever the machine's load.
_KEY_CLOCK = [10_000_000]
SCANNER_MS, PERSON_MS = 5, 150


def type_keys(widget, text: str, gap_ms: int, *, enter: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Send `text` (then Enter) to `widget` as key events `gap_ms` apart by their timestamps: `SCANNER_MS` is a
    keyboard-wedge scanner's burst, `PERSON_MS` a person typing. Each call starts a second after the last."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    at = _KEY_CLOCK[0] + 1_000
    keys = [(ord(ch.upper()) if ch.isalpha() else ord(ch), ch) for ch in text]
    if enter:
        keys.append((int(Qt.Key.Key_Return), "\r"))
    for key, char in keys:
        for kind, stamp in ((QEvent.Type.KeyPress, at), (QEvent.Type.KeyRelease, at + 1)):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            event.setTimestamp(stamp)
            QApplication.sendEvent(widget, event)
        at += gap_ms
    _KEY_CLOCK[0] = at
