"""The manager's action dialogs: each asks for its values and a reason, runs the service on the worker.

`ActionDialog` holds the common part: a reason field (3 to 200 characters, required by every manager action),
a message line for refusals (a `KupaError` stays inside the dialog, translated), OK/Cancel. A subclass adds
its fields and returns the job to run from `job()`; the dialog closes and emits `succeeded(result)` when it
succeeded. The manager's PIN comes from the manager session (entered once when the manager mode opened) and
is checked again by the service, which writes the audit row.

Signals:
    succeeded(object): the service's result.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QSpinBox, QVBoxLayout, QWidget)

from pos_client.errors import InvalidInputError
from pos_client.messages import message
from pos_client.services import manager_actions, points
from pos_client.terminal import Terminal
from ui.i18n import error_text
from ui.layout import DateEdit, ok_cancel
from ui.worker import DbWorker


def _tr(text: str) -> str:
    return QCoreApplication.translate("ManagerDialogs", text)


class ActionDialog(QDialog):
    """Base of the manager's action dialogs (see the module docstring)."""

    succeeded = Signal(object)  # not `done`, which would hide QDialog.done(int)

    def __init__(self, worker: DbWorker, terminal: Terminal, pin: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._worker, self.terminal, self._pin = worker, terminal, pin
        self.form = QFormLayout()
        self.reason = QLineEdit(objectName="actionReason")
        self.reason.setMaxLength(200)
        self.message = QLabel(objectName="dialogMessage")
        self.message.setWordWrap(True)
        self.buttons = ok_cancel(self, self.submit)
        self.build()
        self.form.addRow(_tr("Reason (for the audit log)"), self.reason)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_tr("Confirm"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_tr("Cancel"))
        self.setMinimumWidth(420)

    def build(self) -> None:
        """Add the action's fields to `self.form`."""

    def job(self) -> Callable[[], Any]:
        """The service call to run on the worker, built from the fields (on the GUI thread)."""
        raise NotImplementedError

    def submit(self) -> None:
        try:
            work = self.job()
        except InvalidInputError as exc:
            self.message.setText(error_text(exc))
            return
        self.buttons.setEnabled(False)
        self._worker.submit(work, self._succeeded, self._refused)

    def _succeeded(self, result: object) -> None:
        self.buttons.setEnabled(True)
        self.succeeded.emit(result)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(error_text(exc))


class AdjustDialog(ActionDialog):
    """Add or take away points."""

    def __init__(self, worker: DbWorker, terminal: Terminal, pin: str, member_id: str,
                 parent: QWidget | None = None) -> None:
        self.member_id = member_id
        super().__init__(worker, terminal, pin, parent)
        self.setWindowTitle(_tr("Adjust points"))

    def build(self) -> None:
        self.points = QSpinBox(objectName="adjustPoints")
        self.points.setRange(-points.MAX_ADJUST, points.MAX_ADJUST)
        self.form.addRow(_tr("Points (+ adds, − takes away)"), self.points)

    def job(self) -> Callable[[], Any]:
        amount, reason, terminal, pin, member = self.points.value(), self.reason.text(), self.terminal, self._pin, \
            self.member_id
        return lambda: points.adjust(terminal, member, amount, reason, pin)


class DonateDialog(ActionDialog):
    """Donate the member's points to a charity on their behalf."""

    def __init__(self, worker: DbWorker, terminal: Terminal, pin: str, member_id: str,
                 charities: dict[str, dict[str, str]], lang: str, parent: QWidget | None = None) -> None:
        self.member_id, self._charities, self._lang = member_id, charities, lang
        super().__init__(worker, terminal, pin, parent)
        self.setWindowTitle(_tr("Donate points"))

    def build(self) -> None:
        self.charity = QComboBox(objectName="donateCharity")
        for code, name in self._charities.items():
            self.charity.addItem(name.get(self._lang) or name.get("en") or code, code)
        self.points = QSpinBox(objectName="donatePoints")
        self.points.setRange(1, 10_000_000)
        self.form.addRow(_tr("Charity"), self.charity)
        self.form.addRow(_tr("Points"), self.points)

    def job(self) -> Callable[[], Any]:
        charity = str(self.charity.currentData() or "")
        amount, reason, terminal, pin, member = self.points.value(), self.reason.text(), self.terminal, self._pin, \
            self.member_id
        manager_actions.check_reason(reason)
        return lambda: points.donate(terminal, member, amount, charity, pin, reason=reason)


class EditMemberDialog(ActionDialog):
    """Name, phone, e-mail, birthday, bonus weekday."""

    def __init__(self, worker: DbWorker, terminal: Terminal, pin: str, status: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        self.status = status
        super().__init__(worker, terminal, pin, parent)
        self.setWindowTitle(_tr("Edit member details"))

    def build(self) -> None:
        s = self.status
        self.name = QLineEdit(s.get("name") or "", objectName="editName")
        self.phone = QLineEdit(s.get("phone") or "", objectName="editPhone")
        self.email = QLineEdit(s.get("email") or "", objectName="editEmail")
        self.birthday = DateEdit(objectName="editBirthday")  # Tab leaves "not given"
        self.birthday.setDisplayFormat("yyyy-MM-dd")
        self.birthday.setMinimumDate(QDate(1900, 1, 1))
        self.birthday.setSpecialValueText(_tr("not given"))
        born = s.get("birthday")
        self.birthday.setDate(QDate.fromString(born, "yyyy-MM-dd") if born else self.birthday.minimumDate())
        self.weekday = QComboBox(objectName="editWeekday")
        self.weekday.addItem(_tr("none"), None)
        for i, day in enumerate((_tr("Monday"), _tr("Tuesday"), _tr("Wednesday"), _tr("Thursday"),
                                 _tr("Friday"), _tr("Saturday"), _tr("Sunday"))):
            self.weekday.addItem(day, i)
        if s.get("bonus_weekday") is not None:
            self.weekday.setCurrentIndex(int(s["bonus_weekday"]) + 1)
        for caption, field in ((_tr("Name"), self.name), (_tr("Phone"), self.phone),
                               (_tr("E-mail"), self.email), (_tr("Birthday"), self.birthday),
                               (_tr("Bonus weekday"), self.weekday)):
            self.form.addRow(caption, field)

    def job(self) -> Callable[[], Any]:
        qdate = self.birthday.date()
        born = None if qdate == self.birthday.minimumDate() else date(qdate.year(), qdate.month(), qdate.day())
        weekday = self.weekday.currentData()
        details = manager_actions.MemberDetails(self.name.text(), self.phone.text().strip() or None,
                                                self.email.text().strip() or None, born,
                                                None if weekday is None else int(weekday))
        reason, terminal, pin, member = self.reason.text(), self.terminal, self._pin, str(self.status["member_id"])
        return lambda: manager_actions.edit_member(terminal, member, details, reason, pin)


class MergeDialog(ActionDialog):
    """Merge a duplicate record into the member shown."""

    def __init__(self, worker: DbWorker, terminal: Terminal, pin: str, member_id: str,
                 parent: QWidget | None = None) -> None:
        self.member_id = member_id
        super().__init__(worker, terminal, pin, parent)
        self.setWindowTitle(_tr("Merge a duplicate into {0}").format(member_id))

    def build(self) -> None:
        self.duplicate = QLineEdit(objectName="mergeDuplicate")
        self.duplicate.setPlaceholderText(_tr("Member id of the duplicate, e.g. M1000002"))
        note = QLabel(_tr("The duplicate's points and stamps move to this member; both records and every "
                              "ledger entry are kept."))
        note.setWordWrap(True)
        self.form.addRow(note)
        self.form.addRow(_tr("Duplicate"), self.duplicate)

    def job(self) -> Callable[[], Any]:
        dup, reason, terminal, pin, keep = self.duplicate.text().strip(), self.reason.text(), self.terminal, \
            self._pin, self.member_id
        return lambda: manager_actions.merge_members(terminal, keep, dup, reason, pin)


NO_ACTIVE_CARD = message("card.no_active_card", en="the member has no active card",
                        he="לחבר אין כרטיס פעיל")


class CardDialog(ActionDialog):
    """Revoke one card, or revoke every active card and issue a new one (`reissue`)."""

    def __init__(self, worker: DbWorker, terminal: Terminal, pin: str, member_id: str, active_cards: list[str],
                 reissue: bool, parent: QWidget | None = None) -> None:
        self.member_id, self._cards, self.reissue = member_id, active_cards, reissue
        super().__init__(worker, terminal, pin, parent)
        self.setWindowTitle(_tr("Reissue the card") if reissue else _tr("Revoke a card"))

    def build(self) -> None:
        self.card = QComboBox(objectName="cardNumber")
        self.card.addItems(self._cards)
        if not self.reissue:
            self.form.addRow(_tr("Card"), self.card)
        else:
            note = QLabel(_tr("The member's active cards are revoked and a new QR card is issued."))
            note.setWordWrap(True)
            self.form.addRow(note)

    def job(self) -> Callable[[], Any]:
        from pos_client.services.cards import revoke_card

        reason, terminal, pin, member = self.reason.text(), self.terminal, self._pin, self.member_id
        if self.reissue:
            return lambda: manager_actions.reissue_card(terminal, member, reason, pin)
        card = self.card.currentText()
        if not card:
            raise InvalidInputError(NO_ACTIVE_CARD)
        manager_actions.check_reason(reason)
        return lambda: revoke_card(terminal, card, pin, manager_actions.check_reason(reason))
