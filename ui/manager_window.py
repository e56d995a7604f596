"""Manager mode: a manager's PIN opens a window with the member status, the KPI dashboard, the audit log and
the staff (`ui.staff_page`).

`open_manager(main)` (Ctrl+Shift+M on the checkout screen) asks for a manager PIN with the cashier app's
`ManagerPinDialog` (re-worded), checks it on the worker (`till.manager_check`, nothing written) and opens a
`ManagerWindow` for that manager. The window keeps the PIN in memory only while it is open: each action's
service authenticates it again and writes the audit row with the manager's id. The window locks itself —
forgets the PIN and closes — after `LOCK_MINUTES` without input in it (`ManagerIdleLock`, a `QTimer`
restarted by an application event filter that only counts input aimed at the manager's windows), on Ctrl+L,
and when the cashier's terminal locks. The cashier's wedge scanner is paused while it is open, so a card
scanned into the manager's search field stays there.

Signals (ManagerWindow):
    locked(): the window locked itself (or was closed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget, QWidget

from pos_client.services import till
from pos_client.terminal import Terminal
from ui.audit_view import AuditPage
from ui.dashboard import DashboardPage
from ui.dialogs import ManagerPinDialog
from ui.i18n import Languages, error_text
from ui.layout import ElidedLabel, fit_to_screen
from ui.member_status import MemberStatusPage
from ui.staff_page import StaffPage
from ui.worker import DbWorker

if TYPE_CHECKING:
    from ui.main_window import MainWindow

LOCK_MINUTES = 3


def _tr(text: str) -> str:
    return QCoreApplication.translate("ManagerWindow", text)


@dataclass
class ManagerSession:
    """The signed-in manager and their PIN (kept in memory while the manager window is open)."""

    manager: till.CashierInfo
    pin: str


class ManagerIdleLock(QObject):
    """Emits `timed_out` after `timeout_ms` without input aimed at `window` (or a dialog it owns)."""

    timed_out = Signal()
    _INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                        QEvent.Type.Wheel, QEvent.Type.TouchBegin})

    def __init__(self, window: QWidget, timeout_ms: int) -> None:
        super().__init__(window)
        self._window = window
        self.timer = QTimer(self, singleShot=True, interval=timeout_ms)
        self.timer.timeout.connect(self.timed_out)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._INPUT and isinstance(watched, QWidget) and self._owned(watched):
            self.timer.start()
        return False

    def _owned(self, widget: QWidget | None) -> bool:
        while widget is not None:
            if widget is self._window:
                return True
            widget = widget.parentWidget()
        return False


class ManagerWindow(QMainWindow):
    """The manager's window: member status, dashboard, audit log (see the module docstring)."""

    locked = Signal()

    def __init__(self, terminal: Terminal, worker: DbWorker, labels: till.ProgramLabels, languages: Languages,
                 session: ManagerSession, lock_ms: int = LOCK_MINUTES * 60_000, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("managerWindow")
        self.terminal, self.worker, self.session = terminal, worker, session
        lang = languages.current
        self.status_page = MemberStatusPage(worker, terminal, labels, session, lang)
        self.dashboard = DashboardPage(worker, terminal, labels.currency, labels.tiers, lang)
        self.audit = AuditPage(worker, terminal)
        self.staff = StaffPage(worker, terminal, session)
        self.tabs = QTabWidget(objectName="managerTabs")
        for page in (self.status_page, self.dashboard, self.audit, self.staff):
            self.tabs.addTab(page, "")
            page.message.connect(self.show_message)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)
        self.lock_action = QAction(self, objectName="managerLock")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.toolbar = self.addToolBar("manager")
        self.toolbar.setMovable(False)
        self.toolbar.addAction(self.lock_action)
        self.who = QLabel(objectName="managerName")
        self.message = ElidedLabel(objectName="managerMessage")  # a long refusal never widens the window
        self.statusBar().addWidget(self.who)
        self.statusBar().addWidget(self.message, 1)
        self.idle = ManagerIdleLock(self, lock_ms)
        self.idle.timed_out.connect(self.lock)
        QApplication.instance().installEventFilter(self.idle)  # type: ignore[union-attr]
        self._locked = False
        self._dashboard_loaded = False
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(_tr("Kupa — manager: {0}").format(self.session.manager.name))
        for i, text in enumerate((_tr("Member status"), _tr("Dashboard"), _tr("Audit log"), _tr("Staff"))):
            self.tabs.setTabText(i, text)
        self.lock_action.setText(_tr("Lock (Ctrl+L)"))
        self.who.setText(_tr("Manager: {0}").format(self.session.manager.name))

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def _tab_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        if page is self.dashboard and not self._dashboard_loaded:
            self._dashboard_loaded = True
            self.dashboard.refresh()
        elif page is self.audit:
            self.audit.load_filters()
        elif page is self.staff:
            self.staff.refresh()

    def lock(self) -> None:
        """Forget the PIN and close (also after `LOCK_MINUTES` without input)."""
        if self._locked:
            return
        self._locked = True
        self.idle.timer.stop()
        self.session.pin = ""
        QApplication.instance().removeEventFilter(self.idle)  # type: ignore[union-attr]
        self.close()
        self.locked.emit()

    @property
    def is_locked(self) -> bool:
        return self._locked

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._locked:
            self.lock()
        super().closeEvent(event)


class ManagerSignInDialog(ManagerPinDialog):
    """The manager PIN dialog, worded for opening manager mode."""

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(self.tr("Manager mode"))
        self.prompt.setText(self.tr("Member status, corrections, the dashboard and the audit log. Manager PIN:"))
        self.buttons.button(self.buttons.StandardButton.Ok).setText(self.tr("Open"))


def open_manager(main: MainWindow, lock_ms: int = LOCK_MINUTES * 60_000) -> ManagerSignInDialog:
    """Ask for a manager PIN, then open the manager window over `main` (the cashier's window)."""

    def check(pin: str, on_refused: Callable[[str], None], on_allowed: Callable[[object], None]) -> None:
        def allowed(manager: till.CashierInfo) -> None:
            on_allowed(manager)
            show(ManagerSession(manager, pin))

        main.worker.submit(lambda: till.manager_check(main.terminal, pin), allowed,
                           lambda exc: on_refused(error_text(exc)))

    def show(session: ManagerSession) -> None:
        previous = getattr(main, "manager_window", None)
        if previous is not None:
            previous.lock()
        window = ManagerWindow(main.terminal, main.worker, main.labels, main.languages, session, lock_ms)
        main.manager_window = window
        main.scanner.enabled = False

        def locked() -> None:  # the window object stays referenced until the next one (late worker callbacks)
            main.scanner.enabled = main.stack.currentWidget() is main.checkout

        window.locked.connect(locked)
        fit_to_screen(window)

    dialog = ManagerSignInDialog(check, main)
    dialog.finished.connect(dialog.deleteLater)
    main.manager_dialog = dialog
    dialog.open()
    return dialog
