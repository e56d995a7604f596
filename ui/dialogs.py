"""Small dialogs: enrol a member (and hand them a QR card), pick a parked sale.

Signals (EnrolDialog):
    enrolled(object): a `till.Enrolled` once the member exists.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from pos_client.services import till
from pos_client.services.carts import ParkedInfo
from ui.i18n import core_message
from ui.worker import DbWorker


class EnrolDialog(QDialog):
    """Name, phone, birthday → a new member with welcome points; then the card, large, printable."""

    enrolled = Signal(object)

    def __init__(self, worker: DbWorker, terminal: object, cashier_id: str | None, lang: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolDialog")
        self.setWindowTitle(self.tr("Enrol a member"))
        self._worker, self._terminal, self._cashier, self._lang = worker, terminal, cashier_id, lang
        self.name = QLineEdit(objectName="enrolName")
        self.phone = QLineEdit(objectName="enrolPhone")
        self.birthday = QDateEdit(objectName="enrolBirthday")
        self.birthday.setDisplayFormat("yyyy-MM-dd")
        self.birthday.setMinimumDate(QDate(1900, 1, 1))
        self.birthday.setSpecialValueText(self.tr("not given"))
        self.birthday.setDate(self.birthday.minimumDate())
        self.message = QLabel(objectName="enrolMessage")
        self.message.setWordWrap(True)
        self.card = QLabel(objectName="cardImage")
        self.card.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.card.setVisible(False)
        self.print_button = QPushButton(self.tr("Print card (Ctrl+P)"), objectName="printCard")
        self.print_button.setShortcut("Ctrl+P")
        self.print_button.setVisible(False)
        self.print_button.clicked.connect(self._print)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Enrol"))
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Phone"), self.phone)
        form.addRow(self.tr("Birthday"), self.birthday)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.card, 1)
        layout.addWidget(self.print_button)
        layout.addWidget(self.buttons)
        self.result_member: till.Enrolled | None = None
        self._image: QImage | None = None

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
        self.message.setText(core_message(getattr(exc, "message", str(exc))))

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

    def __init__(self, parked: list[ParkedInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parkedDialog")
        self.setWindowTitle(self.tr("Parked sales"))
        self.list = QListWidget(objectName="parkedList")
        for cart in parked:
            count = sum(int(item[1]) for item in cart.payload.get("items", []))
            who = cart.payload.get("member_name") or self.tr("no member")
            item = QListWidgetItem(self.tr("{0} — {1} items, {2} ({3})").format(
                cart.label, count, who, cart.updated_at[11:16]))
            item.setData(Qt.ItemDataRole.UserRole, cart.cart_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Resume"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else None
