"""Suite-wide setup: Qt draws offscreen (there is no display on the build machines); no OS keyring; no window
outlives its test."""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The HQ token goes to the OS keyring where one works: never a developer's real keyring from the tests (the
# 0600 token file in each test's data folder is used instead; subprocesses inherit this).
os.environ["KUPA_KEYRING"] = "0"

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from pos_client.messages import reset_language  # noqa: E402


@pytest.fixture(autouse=True)
def _no_language_left_behind() -> Iterator[None]:
    """A test that switched the display language (the UI's switch, the CLI's --lang) leaves English behind."""
    yield
    reset_language()


@pytest.fixture(autouse=True)
def _no_window_left_behind() -> Iterator[None]:
    """Delete every window a test leaves (a cashier window, a manager window, a dialog) once it is over.

    pytest-qt only `deleteLater`s the widgets given to `qtbot.addWidget`, and a deferred delete posted outside
    an event loop waits for the next one: windows piled up over the suite, and every later window's start
    (the application's style sheet, fonts, translators, layout direction) walked all of them: UI tests late
    in the suite spent 20-40 s in set-up. Runs after the test's own fixtures are torn down.
    """
    yield
    if "PySide6.QtWidgets" not in sys.modules:  # the test never touched Qt
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    if not isinstance(QApplication.instance(), QApplication):  # none, or a QCoreApplication without widgets
        return
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
