"""Small dialogs: enrol a member (and hand them a QR card), pick a parked sale, a manager's PIN.

Every dialog re-reads its texts on `QEvent.LanguageChange` (`retranslate()`), so switching the language
while one is open re-words it, and it follows the application's layout direction (right-to-left in Hebrew).

Signals (EnrolDialog):
    enrolled(object): a `till.Enrolled` once the member exists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap, QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from pos_client.services import till
from pos_client.services.carts import ParkedInfo
from pos_client.timeutil import from_iso, store_time
from ui.i18n import error_text
from ui.layout import DateEdit, captioned_form, ok_cancel, pin_field, style_frame
from ui.worker import DbWorker


class EnrolDialog(QDialog):
    """Name, phone, birthday → a new member with welcome points; then the card, large, printable."""

    enrolled = Signal(object)

    def __init__(self, worker: DbWorker, terminal: object, cashier_id: str | None, lang: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolDialog")
        self._worker, self._terminal, self._cashier, self._lang = worker, terminal, cashier_id, lang
        self.name = QLineEdit(objectName="enrolName")
        self.phone = QLineEdit(objectName="enrolPhone")
        self.birthday = DateEdit(objectName="enrolBirthday")  # Tab leaves "not given"
        self.birthday.setDisplayFormat("yyyy-MM-dd")
        self.birthday.setMinimumDate(QDate(1900, 1, 1))
        self.birthday.setDate(self.birthday.minimumDate())
        self.message = QLabel(objectName="enrolMessage")
        self.message.setWordWrap(True)
        self.card = QLabel(objectName="cardImage")
        self.card.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.card.setVisible(False)
        self.print_button = QPushButton(objectName="printCard")
        self.print_button.setVisible(False)
        self.print_button.clicked.connect(self._print)
        self.buttons = ok_cancel(self, self._submit)
        form, self._captions = captioned_form((self.name, self.phone, self.birthday))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.card, 1)
        layout.addWidget(self.print_button)
        layout.addWidget(self.buttons)
        self.result_member: till.Enrolled | None = None
        self._image: QImage | None = None
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Enrol a member"))
        self.birthday.setSpecialValueText(self.tr("not given"))
        for caption, text in zip(self._captions, (self.tr("&Name"), self.tr("&Phone"), self.tr("&Birthday"))):
            caption.setText(text)
        self.print_button.setText(self.tr("Print card (Ctrl+P)"))
        self.print_button.setShortcut("Ctrl+P")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Done") if self.result_member is not None else self.tr("Enrol"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        if self.result_member is not None:
            member = self.result_member
            self.message.setText(self.tr("{0} enrolled as {1}: {2} welcome points. Hand over the card.")
                                 .format(member.name, member.member_id, member.welcome_points))

    def _submit(self) -> None:
        if self.result_member is not None:
            self.accept()
            return
        qdate = self.birthday.date()
        birthday = None if qdate == self.birthday.minimumDate() else date(qdate.year(), qdate.month(), qdate.day())
        name, phone = self.name.text(), self.phone.text().strip() or None
        terminal = self._terminal
        self.buttons.setEnabled(False)
        self._worker.submit(lambda: till.enrol_member(terminal, name=name, phone=phone,  # type: ignore[arg-type]
                                                      birthday=birthday, cashier_id=self._cashier),
                            self._done, self._refused)

    def _refused(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(error_text(exc))

    def _done(self, member: till.Enrolled) -> None:
        self.result_member = member
        self.buttons.setEnabled(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setVisible(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Done"))
        for field in (self.name, self.phone, self.birthday):
            field.setEnabled(False)
        self.message.setText(self.tr("{0} enrolled as {1}: {2} welcome points. Hand over the card.")
                             .format(member.name, member.member_id, member.welcome_points))
        terminal, issued = self._terminal, self.tr("Issued")
        self._worker.submit(lambda: till.card_png(terminal, member, "", issued), self._show_card)  # type: ignore[arg-type]
        self.enrolled.emit(member)

    def _show_card(self, png: bytes) -> None:
        self._image = QImage.fromData(png)
        self.card.setPixmap(QPixmap.fromImage(self._image).scaledToWidth(
            640, Qt.TransformationMode.SmoothTransformation))
        self.card.setVisible(True)
        self.print_button.setVisible(True)
        self.adjustSize()

    def _print(self) -> None:
        if self._image is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            painter = QPainter(printer)
            rect = painter.viewport()
            size = self._image.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(0, 0, self._image.scaled(size))
            painter.end()


class ParkedDialog(QDialog):
    """Lists parked sales; Enter resumes the selected one."""

    def __init__(self, parked: list[ParkedInfo], parent: QWidget | None = None, zone: str = "UTC") -> None:
        super().__init__(parent)
        self.setObjectName("parkedDialog")
        self._parked, self._zone = parked, zone
        self.list = QListWidget(objectName="parkedList")
        for cart in parked:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, cart.cart_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.buttons = ok_cancel(self, self.accept)
        self.list.itemActivated.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.buttons)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Parked sales"))
        for row, cart in enumerate(self._parked):
            count = sum(int(item[1]) for item in cart.payload.get("items", []))
            who = cart.payload.get("member_name") or self.tr("no member")
            self.list.item(row).setText(self.tr("{0} — {1} items, {2} ({3})").format(
                cart.label, count, who, store_time(from_iso(cart.updated_at), self._zone).strftime("%H:%M")))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Resume"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        # as wide as the longest line (never wider than the screen): the dialog sizes to its content
        screen = self.screen().availableGeometry().width() if self.screen() is not None else 1024
        needed = self.list.sizeHintForColumn(0) + 2 * style_frame(self.list) + \
            self.list.verticalScrollBar().sizeHint().width() + 8
        self.list.setMinimumWidth(min(needed, screen - 80))

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else None


class ManagerPinDialog(QDialog):
    """Asks for a manager's PIN; stays open on a wrong one (the reason shown inside), closes when allowed.

    `check(pin, on_refused, on_allowed)` is the sale's `allow_spending`: it runs on the worker and calls back.
    `texts()` gives another action's (title, prompt, OK button), already translated; default: allow spending.
    """

    def __init__(self, check: Callable[[str, Callable[[str], None], Callable[[object], None]], None],
                 parent: QWidget | None = None, texts: Callable[[], tuple[str, str, str]] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("managerPinDialog")
        self._check = check
        self._texts = texts
        self.prompt = QLabel(objectName="managerPrompt")
        self.prompt.setWordWrap(True)
        self.pin = pin_field("managerPin")
        self.message = QLabel(objectName="dialogMessage")
        self.message.setWordWrap(True)
        self.buttons = ok_cancel(self, self._submit)
        layout = QVBoxLayout(self)
        for widget in (self.prompt, self.pin, self.message, self.buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(360)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        title, prompt, ok = self._texts() if self._texts is not None else (
            self.tr("Manager allows spending"),
            self.tr("The member has no card with them. A manager may allow spending points on "
                    "this sale; it is written to the audit log. Manager PIN:"),
            self.tr("Allow"))
        self.setWindowTitle(title)
        self.prompt.setText(prompt)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))

    def showEvent(self, event: QShowEvent) -> None:
        """The PIN field takes the focus as the dialog shows: a PIN typed next never lands in the window behind
        (the product search), and it is masked (echo mode password)."""
        super().showEvent(event)
        self.activateWindow()
        self.pin.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def _submit(self) -> None:
        pin = self.pin.text().strip()
        if not pin:
            return
        self.buttons.setEnabled(False)
        self._check(pin, self._refused, lambda _manager: self.accept())

    def _refused(self, text: str) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(text)
        self.pin.clear()
        self.pin.setFocus()
