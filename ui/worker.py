"""One background worker for database and pricing work, with results delivered on the GUI thread.

`DbWorker.submit(fn, on_done, on_error)` runs `fn()` on a single-thread `QThreadPool` (jobs run one after
another, like Anki's task manager) and calls `on_done(result)` back on the GUI thread. Failures are sorted
(STYLE.md, habit 9): a `KupaError` goes to `on_error` (or the `user_error` signal: the message area); any
other exception is a bug — logged with its traceback, reported calmly through `bug`, the caller's state
untouched.

Signals:
    user_error(str): a KupaError's message nobody else handled, in the app's language.
    bug(str): an unexpected exception's one-line summary (already logged with its traceback).
    busy_changed(bool): whether jobs are queued or running.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from pos_client.errors import KupaError
from ui.i18n import error_text

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; the runnable emits through it so slots run there (queued)."""

    finished = Signal(int, object)
    failed = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._id, self._fn, self._relay = job_id, fn, relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - sorted on the GUI thread
            self._relay.failed.emit(self._id, exc)
        else:
            self._relay.finished.emit(self._id, result)


class DbWorker(QObject):
    """A one-thread job queue for the terminal's database and pricing calls."""

    user_error = Signal(str)
    bug = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Callable[[Any], None] | None, Callable[[KupaError], None] | None]] = {}

    @property
    def idle(self) -> bool:
        """True when no job is queued or running (tests wait on it)."""
        return not self._pending

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[KupaError], None] | None = None) -> int:
        """Queue `fn`; `on_done(result)` or `on_error(KupaError)` run later on the GUI thread."""
        job_id = next(self._ids)
        was_idle = self.idle
        self._pending[job_id] = (on_done, on_error)
        if was_idle:
            self.busy_changed.emit(True)
        self._pool.start(_Job(job_id, fn, self._relay))
        return job_id

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the queue drains (shutdown and the screenshot mode only)."""
        return bool(self._pool.waitForDone(msecs))

    def shutdown(self, msecs: int = 30000) -> None:
        """Finish running jobs and drop every callback still queued (the window is going away)."""
        self._pool.waitForDone(msecs)
        self._pending.clear()
        self._closed = True

    def _take(self, job_id: int) -> tuple[Callable[[Any], None] | None, Callable[[KupaError], None] | None]:
        if getattr(self, "_closed", False):
            return (None, lambda _exc: None)
        callbacks = self._pending.pop(job_id, (None, None))
        return callbacks

    def _settle(self) -> None:
        if self.idle:
            self.busy_changed.emit(False)

    @Slot(int, object)
    def _on_finished(self, job_id: int, result: object) -> None:
        on_done, _ = self._take(job_id)
        try:
            if on_done is not None:
                self._guard(lambda: on_done(result))
        finally:
            self._settle()

    @Slot(int, object)
    def _on_failed(self, job_id: int, exc: object) -> None:
        _, on_error = self._take(job_id)
        try:
            self.report(exc, on_error)
        finally:
            self._settle()

    def report(self, exc: object, on_error: Callable[[KupaError], None] | None = None) -> None:
        """Route an exception: user-facing ones to `on_error`/`user_error`, bugs to the log and `bug`."""
        if isinstance(exc, KupaError):
            if on_error is not None:
                self._guard(lambda: on_error(exc))
            else:
                self.user_error.emit(error_text(exc))
            return
        if isinstance(exc, BaseException):
            log.error("unexpected error in a background job", exc_info=(type(exc), exc, exc.__traceback__))
        else:  # pragma: no cover - defensive
            log.error("unexpected failure: %r", exc)
        self.bug.emit(type(exc).__name__)

    def _guard(self, call: Callable[[], None]) -> None:
        """Run a GUI callback; a bug in it is logged and reported, never propagated into Qt."""
        try:
            call()
        except KupaError as exc:
            self.user_error.emit(error_text(exc))
        except Exception as exc:  # noqa: BLE001 - a slot must not raise into the event loop
            log.exception("unexpected error in a GUI callback")
            self.bug.emit(type(exc).__name__)
