"""The sync in the main window: the status bar's network label and the manager's "Sync now" action.

The label reads "Local only" when no HQ server is configured (a standalone terminal), else "Online" or
"Offline" with the last successful sync ("Syncing…" during a cycle), and "⚠" when a cycle found the terminal
restored from a backup or items it held or skipped (said in the status bar once, and in the tooltip, in the
app's language from `pos_client.services.sync_report`); the entries-waiting label is the
window's own, refreshed after every cycle. "Sync now" asks a manager's PIN (the manager PIN dialog), writes
an audit row and queues a cycle on the sync thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from pos_client.errors import KupaError
from pos_client.services.sync_report import notices
from pos_client.services.sync_requests import authorize_sync_now
from pos_client.timeutil import from_iso, store_time, utcnow
from ui.dialogs import ManagerPinDialog
from ui.i18n import error_text, text_of
from ui.sync_worker import SyncController, SyncState

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class SyncStatus(QObject):
    """Binds a `SyncController` to the window's status bar and toolbar (`action`: "Sync now")."""

    def __init__(self, window: MainWindow, *, interval: float = 60.0, max_backoff: float = 900.0) -> None:
        super().__init__(window)
        self.window = window
        self.controller = SyncController(window.terminal, self, interval=interval, max_backoff=max_backoff)
        self.action = QAction(window)
        self.action.setObjectName("syncNow")
        self.action.setEnabled(False)
        self.action.setVisible(self.controller.state.configured)
        self.action.triggered.connect(self.ask_sync_now)
        window.toolbar.addAction(self.action)
        self.dialog: ManagerPinDialog | None = None
        self._announced: object = None
        self.controller.changed.connect(self._changed)
        self.controller.start()

    def retranslate(self) -> None:
        self.action.setText(self.tr("Sync now"))
        self.window.network.setText(self.text(self.controller.state))
        self.window.network.setToolTip(self.tooltip(self.controller.state))

    def set_signed_in(self, signed_in: bool) -> None:
        self.action.setEnabled(signed_in and self.controller.state.configured)

    def text(self, state: SyncState) -> str:
        """The network label for `state`."""
        if not state.configured:
            return self.tr("Local only")
        if state.running:
            head = self.tr("Syncing…")
        elif state.online is None:
            head = self.tr("Connecting to HQ…")
        else:
            head = self.tr("Online") if state.online else self.tr("Offline")
        if self.notices(state):
            head = "⚠ " + head
        if not state.last_ok:
            return self.tr("{0} · never synced").format(head)
        zone = self.window.labels.timezone  # the store's clock, as everywhere a person reads a time
        when = store_time(from_iso(state.last_ok), zone)
        shown = when.strftime("%H:%M" if when.date() == store_time(utcnow(), zone).date() else "%d/%m %H:%M")
        return self.tr("{0} · last sync {1}").format(head, shown)

    def notices(self, state: SyncState) -> list[str]:
        """A restore from a backup, items held or skipped, in the app's language (`sync_report.notices`)."""
        return notices(state.notices, self.window.languages.current)

    def tooltip(self, state: SyncState) -> str:
        """Why the last cycle failed, then what the cycles found, in the app's language."""
        lines = [text_of(state.error_text)] if state.error and state.error_text else []
        return "\n".join(lines + self.notices(state))

    def _changed(self, state: SyncState) -> None:
        self.window.network.setText(self.text(state))
        self.window.network.setToolTip(self.tooltip(state))
        restored = state.notices.get("restored")
        if restored and restored is not self._announced:  # said once in the status bar, then in the tooltip
            self._announced = restored
            self.window.statusBar().showMessage(self.notices(state)[0], 60_000)
        if not state.running:
            self.window.refresh_pending()

    def ask_sync_now(self) -> None:
        """A manager's PIN, then a cycle now (audited)."""
        def check(pin: str, on_refused: Callable[[str], None], on_allowed: Callable[[object], None]) -> None:
            def allowed(manager: object) -> None:
                on_allowed(manager)
                self.controller.sync_now()

            def refused(exc: KupaError) -> None:
                on_refused(error_text(exc))

            self.window.worker.submit(lambda: authorize_sync_now(self.window.terminal, pin), allowed, refused)

        dialog = ManagerPinDialog(check, self.window, texts=lambda: (
            self.tr("Sync with HQ now"),
            self.tr("A manager may start a sync with HQ now; it is written to the audit log. Manager PIN:"),
            self.tr("Sync now")))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def shutdown(self) -> None:
        self.controller.shutdown()
