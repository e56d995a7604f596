"""The app's background sync: `sync.client.sync_once` cycles on their own QThread, scheduled by a QTimer.

The network never runs on the GUI thread nor on the database worker (STYLE.md, habit 6): `SyncWorker` is a
QObject moved to its own `QThread`; its single-shot QTimer (created on that thread) starts a cycle every
`interval`, and while HQ is unreachable waits exponentially longer with jitter (`sync.client.backoff_delay`,
the same rule as `kupa sync`). Results come back to the GUI thread through `SyncController.changed`.

Only one sync runs per terminal database: `sync_once` holds the folder's file lock, so a second window (or
`kupa sync` in a terminal) makes a cycle end with `SyncBusy`, which is not an error — the next tick tries again.
The worker shares the app's `Terminal` (a thread-safe engine; one session per call), so a member-id prefix
adopted from HQ is seen at once by the next enrolment.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from pos_client.errors import KupaError
from pos_client.messages import Text, message
from pos_client.services.till import pending_entries
from pos_client.terminal import Terminal
from sync.client import SyncSummary, backoff_delay, last_sync_ok, sync_once
from sync.errors import OfflineError, SyncBusy
from sync.transport import RetryPolicy

log = logging.getLogger(__name__)
#: A cycle gives up quickly (the timer's back-off does the patient waiting), so closing the app never hangs.
APP_RETRY = RetryPolicy(attempts=2, initial_wait=0.5, max_wait=2.0)
READ_TIMEOUT = 30.0


SYNC_BUG = message("sync.bug", en="The sync failed ({error}); see the log", he="הסנכרון נכשל ({error}); ראו ביומן")


@dataclass(frozen=True)
class SyncState:
    """What the status bar shows. `online` is None until the first cycle ends; times are UTC ISO 8601.

    `error` is the last cycle's failure in English (logs); `error_code` and `error_params` are the error's
    kind and values (`sync.errors`); `error_text` is its catalogue message with those values, which the
    status bar words in the app's language.
    """

    configured: bool
    online: bool | None = None
    running: bool = False
    pending: int | None = None
    last_ok: str | None = None
    error: str = ""
    error_code: str = ""
    error_params: Mapping[str, object] = field(default_factory=dict)
    error_text: Text | None = None
    #: What the cycles found beyond counts, as in `SyncSummary.to_json` (`restored`, `held`, `skipped`),
    #: worded by `pos_client.services.sync_report.notices`. A restore stays until the app closes.
    notices: Mapping[str, Any] = field(default_factory=dict)


class SyncWorker(QObject):
    """Runs sync cycles on its own thread.

    Signals:
        cycle_started(): a cycle began.
        cycle_done(object): a cycle ended with a `SyncSummary` or the exception it raised.
        loaded(object, object): at start, the entries waiting (int) and the last successful sync (str | None).
    """

    cycle_started = Signal()
    cycle_done = Signal(object)
    loaded = Signal(object, object)

    def __init__(self, terminal: Terminal, interval: float, max_backoff: float) -> None:
        super().__init__()
        self.terminal, self.interval, self.max_backoff = terminal, interval, max_backoff
        self.failures = 0
        self.stopping = threading.Event()  # set from the GUI thread; checked between cycles
        self._timer: QTimer | None = None

    @Slot()
    def start(self) -> None:
        """On the worker thread: create the timer there and sync at once."""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run_cycle)
        try:
            self.loaded.emit(pending_entries(self.terminal), last_sync_ok(self.terminal))
        except Exception:  # noqa: BLE001 - the status bar just stays as it was
            log.exception("could not read the sync status")
        self._timer.start(0)

    @Slot()
    def run_cycle(self) -> None:
        """One cycle now (the timer's, or a manager's "Sync now"), then schedule the next."""
        if self.stopping.is_set():
            return
        if self._timer is not None:
            self._timer.stop()
        self.cycle_started.emit()
        delay = self.interval
        result: SyncSummary | BaseException
        try:
            result = sync_once(self.terminal, retry=APP_RETRY, read_timeout=READ_TIMEOUT)
            self.failures = 0
        except OfflineError as exc:
            self.failures += 1
            delay = backoff_delay(self.failures, self.interval, self.max_backoff)
            log.info("HQ unreachable (%s); next try in %.0f s", exc.message, delay)
            result = exc
        except SyncBusy as exc:
            result = exc  # another window or `kupa sync` is syncing this folder right now
        except KupaError as exc:
            log.warning("sync refused: %s", exc.message)
            result = exc
        except Exception as exc:  # noqa: BLE001 - a bug: logged, the app keeps selling
            log.exception("unexpected error during a sync")
            result = exc
        self.cycle_done.emit(result)
        if not self.stopping.is_set() and self._timer is not None:
            self._timer.start(int(delay * 1000))


class SyncController(QObject):
    """Owns the sync thread; lives on the GUI thread. Does nothing when no HQ server is configured.

    Signals:
        changed(object): the new `SyncState`.
    """

    changed = Signal(object)
    _run = Signal()

    def __init__(self, terminal: Terminal, parent: QObject | None = None, *, interval: float = 60.0,
                 max_backoff: float = 900.0) -> None:
        super().__init__(parent)
        self.state = SyncState(configured=bool(terminal.settings.server_url))
        self.sync_thread: QThread | None = None
        self.worker: SyncWorker | None = None
        if not self.state.configured:
            return
        self.sync_thread = QThread(self)
        self.sync_thread.setObjectName("kupa-sync")
        self.worker = SyncWorker(terminal, interval, max_backoff)
        self.worker.moveToThread(self.sync_thread)
        self.sync_thread.started.connect(self.worker.start)
        self.sync_thread.finished.connect(self.worker.deleteLater)
        self._run.connect(self.worker.run_cycle)
        self.worker.cycle_started.connect(lambda: self._update(running=True))
        self.worker.cycle_done.connect(self._done)
        self.worker.loaded.connect(lambda pending, last: self._update(pending=pending, last_ok=last))

    def start(self) -> None:
        if self.sync_thread is not None and not self.sync_thread.isRunning():
            self.sync_thread.start()

    def sync_now(self) -> None:
        """Queue a cycle on the sync thread (it runs after the current one, if any)."""
        if self.worker is not None:
            self._run.emit()

    def shutdown(self, msecs: int = 40_000) -> None:
        """Stop scheduling, let a running cycle finish (bounded by its timeouts), end the thread."""
        if self.sync_thread is None or self.worker is None:
            return
        self.worker.stopping.set()
        self.sync_thread.quit()
        if not self.sync_thread.wait(msecs):
            log.warning("the sync thread did not stop in %d ms", msecs)

    def _update(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)
        self.changed.emit(self.state)

    @Slot(object)
    def _done(self, result: object) -> None:
        if isinstance(result, SyncSummary):
            restored = result.restored or self.state.notices.get("restored")
            notices = {"restored": restored, "held": result.held, "skipped": result.skipped}
            self._update(running=False, online=True, pending=result.pending, last_ok=result.finished_at, error="",
                         error_code="", error_params={}, error_text=None, notices=notices)
        elif isinstance(result, SyncBusy):
            self._update(running=False)
        elif isinstance(result, KupaError):  # OfflineError, SyncAuthError, SyncRejected, a core refusal
            self._update(running=False, online=False, error=result.message, error_code=result.code,
                         error_params=dict(result.params), error_text=result.bound())
        else:
            name = type(result).__name__
            self._update(running=False, error=name, error_code="bug", error_params={"error": name},
                         error_text=SYNC_BUG.bind(error=name))
