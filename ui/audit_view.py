"""The audit log viewer: who did what, why and when, filterable by manager, action kind and store dates.

Filters and rows come from `manager_reports.audit_filters()` / `audit_log()` on the worker; the table is
`AuditModel`. A date left at its first value means "no bound".

Signals:
    message(str): a line for the manager window's message area.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from pos_client.services import manager_reports
from pos_client.terminal import Terminal
from ui.i18n import error_text
from ui.layout import DateEdit, FlowLayout, accessible
from ui.manager_models import AuditModel, action_label
from ui.qt_types import to_date
from ui.worker import DbWorker

NO_DATE = QDate(2000, 1, 1)


def _tr(text: str) -> str:
    return QCoreApplication.translate("AuditView", text)


class AuditPage(QWidget):
    """See the module docstring."""

    message = Signal(str)
    loaded = Signal()

    def __init__(self, worker: DbWorker, terminal: Terminal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditPage")
        self.worker, self.terminal = worker, terminal
        self.manager = QComboBox(objectName="auditManager")
        self.action = QComboBox(objectName="auditAction")
        for combo in (self.manager, self.action):  # filled later (and re-worded): grow with the longest entry
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.date_from = DateEdit(NO_DATE, objectName="auditFrom")  # Tab leaves "any" (keyboard-only use)
        self.date_to = DateEdit(NO_DATE, objectName="auditTo")
        for edit in (self.date_from, self.date_to):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(NO_DATE)
            edit.setCalendarPopup(True)
        self.captions = [QLabel(), QLabel(), QLabel(), QLabel()]
        self.show_button = QPushButton(objectName="auditShow")
        self.show_button.clicked.connect(self.refresh)
        self.model = AuditModel(self)
        self.table = QTableView(objectName="auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the next control (keyboard-only use)
        for combo in (self.manager, self.action):  # as wide as the longest item ("All managers", an action's name)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        bar = FlowLayout()  # wraps on a narrow screen
        for caption, widget in zip(self.captions, (self.manager, self.action, self.date_from, self.date_to)):
            caption.setBuddy(widget)
            pair = QHBoxLayout()  # a caption never parts from its field
            pair.addWidget(caption)
            pair.addWidget(widget)
            holder = QWidget()
            holder.setLayout(pair)
            pair.setContentsMargins(0, 0, 0, 0)
            bar.addWidget(holder)
        bar.addWidget(self.show_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self._filters: manager_reports.AuditFilters | None = None
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        for caption, text in zip(self.captions, (_tr("Manager"), _tr("Action"), _tr("From"), _tr("To"))):
            caption.setText(text)
        for edit in (self.date_from, self.date_to):
            edit.setSpecialValueText(_tr("any"))
        self.show_button.setText(_tr("Show"))
        self.table.setAccessibleName(accessible("Audit log"))
        if self._filters is not None:
            self.set_filters(self._filters)
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.model.Column) - 1)

    def load_filters(self) -> None:
        """Fetch the managers and action kinds, then the rows."""
        terminal = self.terminal
        self.worker.submit(lambda: manager_reports.audit_filters(terminal), self._filters_loaded,
                           lambda exc: self.message.emit(error_text(exc)))

    def _filters_loaded(self, filters: manager_reports.AuditFilters) -> None:
        self.set_filters(filters)
        self.refresh()

    def set_filters(self, filters: manager_reports.AuditFilters) -> None:
        self._filters = filters
        chosen_manager, chosen_action = self.manager.currentData(), self.action.currentData()
        self.manager.clear()
        self.manager.addItem(_tr("All managers"), None)
        for user_id, name in filters.managers:
            self.manager.addItem(name, user_id)
        self.action.clear()
        self.action.addItem(_tr("All actions"), None)
        for action in filters.actions:
            self.action.addItem(action_label(action), action)
        self.manager.setCurrentIndex(max(0, self.manager.findData(chosen_manager)))
        self.action.setCurrentIndex(max(0, self.action.findData(chosen_action)))

    def refresh(self) -> None:
        """Query the audit log with the chosen filters."""
        start = None if self.date_from.date() == NO_DATE else to_date(self.date_from.date())
        end = None if self.date_to.date() == NO_DATE else to_date(self.date_to.date())
        user, action, terminal = self.manager.currentData(), self.action.currentData(), self.terminal
        self.worker.submit(lambda: manager_reports.audit_log(terminal, user_id=user, action=action, date_from=start,
                                                             date_to=end), self._show,
                           lambda exc: self.message.emit(error_text(exc)))

    def _show(self, rows: list[manager_reports.AuditRow]) -> None:
        self.model.set_rows(rows)
        self.loaded.emit()
