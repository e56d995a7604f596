"""Staff in the app: the manager's *Staff* page (add, disable, reset a PIN) and a cashier's own PIN change.

Both drive `pos_client.services.staff` on the worker; every change is audited there. The manager's page uses
the PIN the manager window holds (`ManagerSession.pin`), so each action is authenticated again by the core.
A role is shown in the app's language (`role_label`), here, in the status bar and in the sign-in screen's
greeting.

Signals (StaffPage):
    message(str): a line for the manager window's message area.
Signals (ChangePinDialog):
    changed(): the PIN was changed.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout,
                               QWidget)

from pos_client.services import staff
from pos_client.services.staff import StaffInfo
from pos_client.terminal import Terminal
from ui.layout import captioned_form, ok_cancel, pin_field
from ui.i18n import error_text
from ui.row_model import RowTableModel
from ui.worker import DbWorker

Index = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("Staff", text)


def role_label(role: str) -> str:
    """A staff role in the app's language."""
    return _tr("Manager") if role == "manager" else _tr("Cashier")


class StaffModel(RowTableModel[StaffInfo]):
    """Staff members: number, name, role, state."""

    class Column(IntEnum):
        NUMBER = 0
        NAME = 1
        ROLE = 2
        STATE = 3

    def headers(self) -> tuple[str, ...]:
        return (_tr("No."), _tr("Name"), _tr("Role"), _tr("State"))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cell = self.cell(index)
        if cell is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        row, column = cell
        texts: dict[int, str] = {self.Column.NUMBER: str(row.staff_id), self.Column.NAME: row.name,
                                 self.Column.ROLE: role_label(row.role),
                                 self.Column.STATE: _tr("Active") if row.active else _tr("Disabled")}
        return texts[column]


class StaffPage(QWidget):
    """The manager's staff list with add, disable and reset-PIN."""

    message = Signal(str)

    def __init__(self, worker: DbWorker, terminal: Terminal, session: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffPage")
        self.worker, self.terminal, self.session = worker, terminal, session
        self.model = StaffModel(self)
        self.table = QTableView(objectName="staffTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(StaffModel.Column.NAME, QHeaderView.ResizeMode.Stretch)
        self.name = QLineEdit(objectName="staffName")
        self.name.setMaxLength(staff.MAX_NAME)
        self.role = QComboBox(objectName="staffRole")
        self.pin = pin_field("staffPin", new=True)
        self.add_button = QPushButton(objectName="staffAdd")
        self.add_button.clicked.connect(self.add)
        self.new_pin = pin_field("staffNewPin", new=True)
        self.reset_button = QPushButton(objectName="staffResetPin")
        self.reset_button.clicked.connect(self.reset_pin)
        self.disable_button = QPushButton(objectName="staffDisable")
        self.disable_button.clicked.connect(self.disable)
        self.add_box, self.selected_box = QGroupBox(objectName="staffAddBox"), QGroupBox(objectName="staffSelected")
        self._captions = [QLabel(), QLabel(), QLabel(), QLabel()]
        form = QFormLayout(self.add_box)
        for caption, field in zip(self._captions[:3], (self.name, self.role, self.pin)):
            caption.setBuddy(field)
            form.addRow(caption, field)
        form.addRow(self.add_button)
        chosen = QFormLayout(self.selected_box)
        self._captions[3].setBuddy(self.new_pin)
        chosen.addRow(self._captions[3], self.new_pin)
        chosen.addRow(self.reset_button)
        chosen.addRow(self.disable_button)
        side = QVBoxLayout()
        side.addWidget(self.add_box)
        side.addWidget(self.selected_box)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 3)
        layout.addLayout(side, 2)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.retranslate()
        self._selection_changed()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.add_box.setTitle(_tr("Add a staff member"))
        self.selected_box.setTitle(_tr("Selected staff member"))
        for caption, text in zip(self._captions, (_tr("&Name"), _tr("&Role"), _tr("&PIN (4–8 digits)"),
                                                  _tr("New PI&N"))):
            caption.setText(text)
        current = self.role.currentIndex()
        self.role.clear()
        for code in staff.ROLES:
            self.role.addItem(role_label(code), code)
        self.role.setCurrentIndex(max(current, 0))
        self.add_button.setText(_tr("Add"))
        self.reset_button.setText(_tr("Reset PIN"))
        self.disable_button.setText(_tr("Disable"))
        self.model.retranslate()

    def chosen(self) -> StaffInfo | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def _selection_changed(self) -> None:
        row = self.chosen()
        for widget in (self.reset_button, self.disable_button, self.new_pin):
            widget.setEnabled(row is not None and row.active)

    def refresh(self) -> None:
        self.worker.submit(lambda: staff.list_all(self.terminal), self._show, self._refused)

    def _show(self, rows: list[StaffInfo]) -> None:
        self.model.set_rows(rows)
        self._selection_changed()

    def _refused(self, exc: Exception) -> None:
        self.message.emit(error_text(exc))

    def _done(self, text: str) -> None:
        self.message.emit(text)
        self.refresh()

    def add(self) -> None:
        name, role, pin, manager_pin = self.name.text(), str(self.role.currentData()), self.pin.text(), self.session.pin
        self.pin.clear()

        def added(info: StaffInfo) -> None:
            self.name.clear()
            self._done(_tr("{0} added as staff member {1}").format(info.name, info.staff_id))

        self.worker.submit(lambda: staff.add(self.terminal, name=name, role=role, pin=pin, manager_pin=manager_pin),
                           added, self._refused)

    def disable(self) -> None:
        row, manager_pin = self.chosen(), self.session.pin
        if row is None:
            return
        self.worker.submit(lambda: staff.disable(self.terminal, row.staff_id, manager_pin),
                           lambda info: self._done(_tr("{0} disabled").format(info.name)), self._refused)

    def reset_pin(self) -> None:
        row, new_pin, manager_pin = self.chosen(), self.new_pin.text(), self.session.pin
        self.new_pin.clear()
        if row is None:
            return
        self.worker.submit(lambda: staff.change_pin(self.terminal, row.staff_id, new_pin, manager_pin=manager_pin),
                           lambda info: self._done(_tr("PIN of {0} reset").format(info.name)), self._refused)


class ChangePinDialog(QDialog):
    """A signed-in staff member changes their own PIN: the current one, the new one twice."""

    changed = Signal()

    def __init__(self, worker: DbWorker, terminal: Terminal, staff_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changePinDialog")
        self.setMinimumWidth(420)
        self.worker, self.terminal, self.staff_id = worker, terminal, staff_id
        self.old_pin = pin_field("oldPin")
        self.new_pin, self.again = pin_field("newPin", new=True), pin_field("newPinAgain", new=True)
        self.message = QLabel(objectName="changePinMessage")
        self.message.setWordWrap(True)
        self.buttons = ok_cancel(self, self._submit)
        form, self._captions = captioned_form((self.old_pin, self.new_pin, self.again))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(_tr("Change my PIN"))
        for caption, text in zip(self._captions, (_tr("&Current PIN"), _tr("&New PIN (4–8 digits)"),
                                                  _tr("New PIN &again"))):
            caption.setText(text)

    def _submit(self) -> None:
        old, new, again = self.old_pin.text(), self.new_pin.text(), self.again.text()
        if new != again:
            self.message.setText(_tr("The two new PINs differ"))
            return
        for field in (self.old_pin, self.new_pin, self.again):
            field.clear()
        self.buttons.setEnabled(False)

        def done(_info: StaffInfo) -> None:
            self.changed.emit()
            self.accept()

        def refused(exc: Exception) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(error_text(exc))

        self.worker.submit(lambda: staff.change_pin(self.terminal, self.staff_id, new, old_pin=old), done, refused)
