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
