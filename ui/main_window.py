"""The main window: sign-in / lock screen and the checkout screen, a status bar, language and lock actions.

Status bar: network and sync state (`ui.sync_status`: "Local only" without an HQ server, else online/offline
and the last successful sync; the sync runs on its own thread), entries waiting for HQ, the signed-in staff
member's name and role (translated), the clock. "My PIN" lets the signed-in member change their own PIN. Errors from background jobs arrive here and go to the checkout's message area; bugs get
one calm sentence there too (the traceback is in the log), never a storm of dialogs.

The webcam (`ui.camera_worker`) runs on its own thread; a code it confirms takes the same path as a member
code typed into the member panel. It is paused while the terminal is locked, the window minimised, or
nobody has touched the app for `CAMERA_IDLE_MINUTES`.
"""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLabel, QMainWindow, QStackedWidget, QToolBar

from pos_client.cards import coupon_tokens
from pos_client.cards.gift_tokens import looks_like_gift_token
from pos_client.services import carts, shifts, till
from pos_client.terminal import Terminal
from pos_client.timeutil import store_time, utcnow
from ui.camera_view import IdleWatcher
from ui.camera_view import State as CameraState
from ui.camera_worker import CameraController, is_camera_spec
from ui.cart_model import CartModel
from ui.checkout_screen import CheckoutScreen
from ui.dialogs import EnrolDialog, ManagerPinDialog, ParkedDialog
from ui.i18n import Languages, error_text
from ui.layout import ElidedLabel
from ui.member_search import MemberSearchDialog
from ui.receipt import ReceiptDialog, ReceiptFlow
from ui.sale import CompletedSale, SaleController
from ui.scanner import WedgeScanner
from ui.shift_ui import ShiftActions
from ui.signin import SignInScreen
from ui.staff_page import ChangePinDialog
from ui.sync_status import SyncStatus
from ui.tender_dialog import TenderDialog
from ui.worker import DbWorker

log = logging.getLogger(__name__)
CAMERA_IDLE_MINUTES = 5


class MainWindow(QMainWindow):
    """Kupa's cashier window."""

    def __init__(self, terminal: Terminal, languages: Languages, worker: DbWorker,
                 camera: str | None = "auto") -> None:
        """`camera`: "auto" (the first webcam found), a camera index, a video file or image folder, or None."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.terminal, self.languages, self.worker = terminal, languages, worker
        self.labels = till.program_labels(terminal)  # once, at start-up (small, read-only)
        self.model = CartModel(self.labels.currency, self)
        self.sale = SaleController(terminal, worker, self.model, self)
        self.signin = SignInScreen(terminal.settings.store_name)
        self.checkout = CheckoutScreen(self.sale, self.labels)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.signin)
        self.stack.addWidget(self.checkout)
        self.setCentralWidget(self.stack)
        self.scanner = WedgeScanner(self)
        QApplication.instance().installEventFilter(self.scanner)  # type: ignore[union-attr]
        self.scanner.scanned.connect(self.on_scanned)
        self.receipt: ReceiptDialog | None = None
        self.receipts = ReceiptFlow(terminal, worker, languages.current, self)
        self.last_sale: CompletedSale | None = None
        self.camera = CameraController(self)
        self._build_bar()
        self._wire()
        self.sync_status = SyncStatus(self)
        self.retranslate()
        self.lock()
        self._setup_camera(camera)

    def _build_bar(self) -> None:
        self.toolbar = QToolBar(objectName="mainToolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.language_action = QAction(self, objectName="switchLanguage")
        self.lock_action = QAction(self, objectName="lock")
        self.signout_action = QAction(self, objectName="signOut")
        self.manager_action = QAction(self, objectName="managerMode")
        self.pin_action = QAction(self, objectName="changeMyPin")
        self.manager_window: QMainWindow | None = None
        self.manager_dialog: QDialog | None = None  # the manager PIN dialog while it is open
        for action in (self.language_action, self.lock_action, self.signout_action, self.manager_action,
                       self.pin_action):
            self.toolbar.addAction(action)
        self.shift = ShiftActions(self.terminal, self.worker, self.labels.currency, shifts.store_zone(self.terminal),
                                  lambda: self.languages.current, self)
        self.toolbar.addWidget(self.shift.button)
        self.tender_dialog: TenderDialog | None = None
        for action in (self.language_action, self.lock_action, self.signout_action, self.manager_action):
            button = self.toolbar.widgetForAction(action)
            if button is not None:  # keyboard-only: Tab reaches the toolbar's buttons too
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        # the status bar's texts elide (full text as tooltip) so they never widen the window past the screen
        self.network = ElidedLabel(objectName="networkState")
        self.pending = ElidedLabel(objectName="pendingEntries")
        self.cashier_label = ElidedLabel(objectName="cashierName")
        self.clock = QLabel(objectName="clock")
        for label in (self.network, self.pending, self.cashier_label):
            self.statusBar().addWidget(label, 1)
        self.statusBar().addPermanentWidget(self.clock)
        self._clock_timer = QTimer(self, interval=1000)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start()
        self._pending_timer = QTimer(self, interval=30000)
        self._pending_timer.timeout.connect(self.refresh_pending)
        self._pending_timer.start()

    def _wire(self) -> None:
        self.signin.pin_entered.connect(self._sign_in)
        self.language_action.triggered.connect(
            lambda: self.languages.switch("en" if self.languages.current == "he" else "he"))
        self.languages.changed.connect(self.checkout.set_language)
        self.lock_action.triggered.connect(self.lock)
        self.signout_action.triggered.connect(self.sign_out)
        self.manager_action.triggered.connect(self.open_manager)
        self.pin_action.triggered.connect(self.open_change_pin)
        self.worker.user_error.connect(self.checkout.show_message)
        self.worker.bug.connect(lambda _name: self.checkout.show_message(
            self.tr("Something went wrong; the sale is unchanged. Details are in the log.")))
        self.sale.completed.connect(self._completed)
        self.receipts.opened.connect(self._receipt_opened)
        self.receipts.message.connect(self.checkout.show_message)
        self.checkout.enrol_requested.connect(self.open_enrol)
        self.checkout.member_panel.search_requested.connect(self.open_member_search)
        self.checkout.rewards.override_requested.connect(self.open_override)
        self.checkout.park_requested.connect(self.park)
        self.checkout.pay_requested.connect(self.open_payment)
        self.shift.message.connect(self.checkout.show_message)
        self.languages.changed.connect(self.shift.set_language)
        self.checkout.resume_requested.connect(self.open_resume)
        focus = QAction(self)
        focus.setShortcut(QKeySequence("F2"))
        focus.triggered.connect(self.checkout.focus_search)
        self.checkout.addAction(focus)

    def _setup_camera(self, spec: str | None) -> None:
        """Show the webcam (or the file standing in for it) in the member panel; paused until sign-in."""
        view = self.checkout.member_panel.camera_view
        view.attach(self.camera)
        self.camera.code_scanned.connect(self.on_camera_code)
        self.camera.rejected.connect(
            lambda text: self.checkout.show_message(text) if self.stack.currentWidget() is self.checkout else None)
        self.idle = IdleWatcher(CAMERA_IDLE_MINUTES * 60_000, self)
        QApplication.instance().installEventFilter(self.idle)  # type: ignore[union-attr]
        self.idle.idle.connect(lambda: self.camera.pause("idle"))
        self.idle.active.connect(lambda: self.camera.resume("idle"))
        if spec is None or spec == "off":
            view.set_state(CameraState.OFF)
        elif spec == "auto":
            self.camera.probe()
        elif is_camera_spec(spec):
            view.set_cameras([int(spec)])
        else:
            view.add_file(spec)
            view.source_chosen.emit(spec)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.WindowStateChange:
            if self.isMinimized():
                self.camera.pause("minimised")
            else:
                self.camera.resume("minimised")
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Kupa — {0}").format(self.terminal.settings.store_name))
        self.language_action.setText(self.tr("עברית / English (Ctrl+Shift+L)"))
        self.language_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.lock_action.setText(self.tr("Lock (Ctrl+L)"))
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.signout_action.setText(self.tr("Sign out"))
        self.manager_action.setText(self.tr("Manager (Ctrl+Shift+M)"))
        self.manager_action.setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.pin_action.setText(self.tr("My PIN"))
        self.sync_status.retranslate()
        self.shift.retranslate()
        cashier = self.sale.cashier
        self.cashier_label.setText(self.signed_in_text(cashier))
        self._tick()
        self.refresh_pending()

    def signed_in_text(self, who: till.CashierInfo | None) -> str:
        """"Cashier: Dana" / "Manager: Avi": the role in the app's language, from the user's role, never from
        their name."""
        if who is None:
            return self.tr("Signed out")
        if who.role == "manager":
            return self.tr("Manager: {0}").format(who.name)
        return self.tr("Cashier: {0}").format(who.name)

    def _tick(self) -> None:
        """The store's wall clock (the program's zone), whatever zone the computer is set to."""
        self.clock.setText(store_time(utcnow(), self.labels.timezone).strftime("%d/%m/%Y %H:%M"))

    def refresh_pending(self) -> None:
        """The count of entries waiting for HQ; none on a standalone terminal (no HQ to wait for: the network
        label says "Local only")."""
        if not self.terminal.settings.server_url:
            self.pending.clear()
            self.pending.hide()
            return
        self.worker.submit(lambda: till.pending_entries(self.terminal),
                           lambda n: self.pending.setText(self.tr("{0} entries waiting for HQ").format(n)))

    # -- session --------------------------------------------------------------------------------------------
    def _sign_in(self, pin: str) -> None:
        self.worker.submit(lambda: till.sign_in(self.terminal, pin), self.signed_in,
                           lambda exc: self.signin.reset(error_text(exc)))

    def signed_in(self, cashier: till.CashierInfo) -> None:
        first = self.sale.cashier is None
        self.sale.cashier = cashier
        self.retranslate()
        self.stack.setCurrentWidget(self.checkout)
        for action in (self.lock_action, self.signout_action, self.manager_action, self.pin_action):
            action.setEnabled(True)
        self.shift.button.setEnabled(True)
        self.sync_status.set_signed_in(True)
        self.scanner.enabled = True
        self.camera.resume("locked")
        if first:
            self.worker.submit(lambda: till.quick_picks(self.terminal), self.checkout.set_quick_picks)
            self.sale.restore_saved()
        self.checkout.focus_search()

    def lock(self) -> None:
        """Show the PIN pad; the sale stays as it is until someone signs in again.

        Half-typed text (the product search, the member code) and a half-read scanner code are dropped: the
        next cashier starts clean, and nothing typed before the lock lands in their first search."""
        self.scanner.enabled = False
        self.scanner.clear()
        self.checkout.clear_inputs()
        self.camera.pause("locked")
        self.stack.setCurrentWidget(self.signin)
        for action in (self.lock_action, self.signout_action, self.manager_action, self.pin_action):
            action.setEnabled(False)
        self.shift.button.setEnabled(False)
        self.sync_status.set_signed_in(False)
        if self.manager_window is not None:
            self.manager_window.lock()  # type: ignore[attr-defined]
        self.signin.reset()

    def sign_out(self) -> None:
        self.sale.cashier = None
        self.retranslate()
        self.lock()

    # -- actions --------------------------------------------------------------------------------------------
    def _gift_scanned(self, code: str) -> bool:
        """A gift card's code goes into the open payment dialog's gift field (it pays; it identifies no one)."""
        if not looks_like_gift_token(code.strip()):
            return False
        dialog = self.tender_dialog
        if dialog is not None and shiboken6.isValid(dialog) and dialog.isVisible():  # a closed one is deleted
            dialog.gift_code.setText(code.strip())
            dialog.gift.setFocus()
        else:
            self.checkout.show_message(self.tr("A gift card pays in the payment dialog: press F12, then scan it"))
        return True

    def on_scanned(self, code: str) -> None:
        """A wedge-scanner code: a product goes into the cart, a member or a coupon onto the sale, a gift card
        into the payment dialog."""
        if self.stack.currentWidget() is not self.checkout or self._gift_scanned(code):
            return

        def route(found: till.Resolved) -> None:
            if found.kind == "product" and found.product is not None:
                self.sale.add_product(found.product)
            elif found.kind == "coupon" and found.coupon:
                self.sale.apply_coupon(found.coupon)
            elif found.member_code:
                self.sale.identify(found.member_code)

        self.worker.submit(lambda: till.resolve_code(self.terminal, code), route,
                           lambda exc: self.checkout.show_message(error_text(exc)))

    def on_camera_code(self, code: str) -> None:
        """A code the webcam confirmed (already checked by `check_payload`): a member coupon's QR goes onto the
        sale, a gift card into the payment dialog, any other code identifies the member, as typed."""
        if self.stack.currentWidget() is self.checkout and not self._gift_scanned(code):
            if coupon_tokens.looks_like_coupon_token(code):
                self.sale.apply_coupon(code)
            else:
                self.sale.identify(code)

    def _completed(self, done: CompletedSale) -> None:
        self.last_sale = done
        self.refresh_pending()
        self.receipts.completed(done.result.sale_id, self.languages.current, self)

    def _receipt_opened(self, dialog: ReceiptDialog) -> None:
        self.receipt = dialog
        dialog.finished.connect(lambda _r: self.checkout.focus_search())

    def open_payment(self) -> None:
        """F12: the payment dialog for the quoted total (cash only while a shift is open); a sale with
        nothing to pay (all points) completes at once with no tender."""
        quote = self.sale.quote
        if not self.sale.state.lines or quote is None:
            self.sale.complete()  # says the cart is empty
            return
        if quote.total == 0:
            self.sale.complete(())
            return

        def show(cash_allowed: bool) -> None:
            dialog = TenderDialog(quote.total, quote.currency, self.languages.current, cash_allowed, self)
            dialog.paid.connect(self.sale.complete)
            dialog.finished.connect(dialog.deleteLater)
            self.tender_dialog = dialog
            dialog.open()

        self.worker.submit(lambda: shifts.is_open(self.terminal), show)

    def open_enrol(self) -> None:
        cashier = self.sale.cashier
        dialog = EnrolDialog(self.worker, self.terminal, cashier.user_id if cashier else None,
                             self.languages.current, self)
        dialog.enrolled.connect(lambda member: self.sale.identify(member.token))
        dialog.finished.connect(dialog.deleteLater)
        self.enrol_dialog = dialog
        dialog.open()

    def open_member_search(self, text: str = "") -> None:
        """F3: find a member by name, phone or id; the chosen one goes onto the sale."""
        dialog = MemberSearchDialog(self.worker, self.terminal, text, self)
        dialog.accepted.connect(lambda: self.sale.identify(dialog.chosen() or ""))
        dialog.finished.connect(dialog.deleteLater)
        self.member_search = dialog
        dialog.open()

    def open_override(self) -> None:
        """Ctrl+M: a manager's PIN lets this sale's member spend without the card (audited)."""
        dialog = ManagerPinDialog(self.sale.allow_spending, self)
        dialog.finished.connect(dialog.deleteLater)
        self.override_dialog = dialog
        dialog.open()

    def open_manager(self) -> None:
        """Ctrl+Shift+M: a manager's PIN opens manager mode (member status, dashboard, audit log)."""
        from ui.manager_window import open_manager

        open_manager(self)

    def open_change_pin(self) -> None:
        """The signed-in staff member changes their own PIN (the current one, then the new one twice)."""
        cashier = self.sale.cashier
        if cashier is None or not cashier.user_id.isdigit():
            return
        dialog = ChangePinDialog(self.worker, self.terminal, int(cashier.user_id), self)
        dialog.changed.connect(lambda: self.checkout.show_message(self.tr("Your PIN was changed")))
        dialog.finished.connect(dialog.deleteLater)
        self.pin_dialog = dialog
        dialog.open()

    def park(self, label: str | None = None) -> None:
        """F8: park the sale under a label; the label prompt is window-modal but never blocks the event loop."""
        if label is not None:
            self.sale.park(label or self.tr("Parked sale"))
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Park sale"))
        dialog.setLabelText(self.tr("Label (e.g. the customer's name)"))
        dialog.textValueSelected.connect(lambda text: self.sale.park(text or self.tr("Parked sale")))
        dialog.finished.connect(dialog.deleteLater)
        self.park_dialog = dialog
        dialog.open()

    def open_resume(self) -> None:
        def show(parked: list[carts.ParkedInfo]) -> None:
            if not parked:
                self.checkout.show_message(self.tr("No parked sales"), "info")
                return
            dialog = ParkedDialog(parked, self, self.labels.timezone)
            self.parked_dialog = dialog

            def done(result: int) -> None:
                chosen = dialog.chosen()
                if result == QDialog.DialogCode.Accepted and chosen:
                    self.sale.resume(chosen)
                dialog.deleteLater()

            dialog.finished.connect(done)
            dialog.open()

        self.worker.submit(lambda: carts.list_parked(self.terminal), show)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.scanner.enabled = False
        QApplication.instance().removeEventFilter(self.scanner)  # type: ignore[union-attr]
        QApplication.instance().removeEventFilter(self.idle)  # type: ignore[union-attr]
        if self.manager_window is not None:
            self.manager_window.lock()  # type: ignore[attr-defined]
        self.camera.shutdown()
        self.sync_status.shutdown()
        self.worker.shutdown()
        self.receipts.printer.shutdown()
        super().closeEvent(event)
