"""Find a member by name (Hebrew or English), phone or member id: the F3 dialog.

The search runs on the database worker (`till.search_members`, at most 50 rows) a moment after the cashier
stops typing; an answer to an older query is dropped. Up/Down move in the list without leaving the search
field, Enter picks the highlighted member (the member panel then fills), Esc closes. A member found this way
can earn but not spend, as with a typed phone number.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QEvent, QModelIndex, QObject,
                            QPersistentModelIndex, Qt, QTimer)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QLineEdit,
                               QTableView, QVBoxLayout, QWidget)

from pos_client.services import till
from ui.layout import ok_cancel
from ui.i18n import error_text
from ui.worker import DbWorker

Index = QModelIndex | QPersistentModelIndex
DEBOUNCE_MS = 150


class Column(IntEnum):
    """The search results' columns."""

    NAME = 0
    PHONE = 1
    MEMBER_ID = 2


_HEADERS = {Column.NAME: "Name", Column.PHONE: "Phone", Column.MEMBER_ID: "Member id"}
MEMBER_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class MemberSearchModel(QAbstractTableModel):
    """Rows of `till.MemberHit`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[till.MemberHit] = []

    def set_hits(self, hits: list[till.MemberHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> till.MemberHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column) \
                and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("MemberSearchModel", _HEADERS[Column(section)])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._hits) or index.column() >= len(Column):
            return None
        hit = self._hits[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return {Column.NAME: hit.name, Column.PHONE: hit.phone or "—", Column.MEMBER_ID: hit.member_id}[column]
        if role == MEMBER_ID_ROLE:
            return hit.member_id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeading)
        return None


class MemberSearchDialog(QDialog):
    """Type to search; Enter picks. `chosen()` is the member id after `accept()`."""

    def __init__(self, worker: DbWorker, terminal: object, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memberSearchDialog")
        self._worker, self._terminal, self._generation = worker, terminal, 0
        self._accept_when_ready = False
        self.query = QLineEdit(text, objectName="memberQuery")
        self.query.setClearButtonEnabled(True)
        self.query.installEventFilter(self)
        self.model = MemberSearchModel(self)
        self.table = QTableView(objectName="memberResults")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the next control (keyboard-only use)
        self.table.horizontalHeader().setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda _index: self.accept())
        self.status = QLabel(objectName="dialogMessage")
        self.buttons = ok_cancel(self, self.accept)
        layout = QVBoxLayout(self)
        for widget in (self.query, self.table, self.status, self.buttons):
            layout.addWidget(widget)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.search)
        self.query.textChanged.connect(lambda _text: self._timer.start())
        self.resize(560, 420)
        self.retranslate()
        if text.strip():
            self.search()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Find a member"))
        self.query.setPlaceholderText(self.tr("Name, phone or member id"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Select (Enter)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.model.retranslate()
        self._show_count()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down in the search field move the highlighted row."""
        if watched is self.query and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step and self.model.rowCount():
                row = max(0, min(self.table.currentIndex().row() + step, self.model.rowCount() - 1))
                self.table.selectRow(row)
                return True
        return super().eventFilter(watched, event)

    def search(self) -> None:
        """Run the query now (the debounce timer calls this)."""
        self._timer.stop()
        text = self.query.text().strip()
        self._generation += 1
        generation = self._generation
        if not text:
            self._shown(generation, [])
            return
        terminal = self._terminal
        self._worker.submit(lambda: till.search_members(terminal, text),  # type: ignore[arg-type]
                            lambda hits: self._shown(generation, hits),
                            lambda exc: self.status.setText(error_text(exc)))

    def _shown(self, generation: int, hits: list[till.MemberHit]) -> None:
        if generation != self._generation:
            return  # an answer to an older query
        self.model.set_hits(hits)
        if hits:
            self.table.selectRow(0)
        self._show_count()
        if self._accept_when_ready:
            self._accept_when_ready = False
            self.accept()

    def _show_count(self) -> None:
        rows = self.model.rowCount()
        if not self.query.text().strip():
            self.status.setText(self.tr("Type part of a name, a phone number or a member id"))
        elif rows == 0:
            self.status.setText(self.tr("No member matches"))
        elif rows >= till.MEMBER_SEARCH_LIMIT:
            self.status.setText(self.tr("The first {0} members: type more to narrow").format(rows))
        else:
            self.status.setText(self.tr("{0} members").format(rows))

    def accept(self) -> None:
        """Pick the highlighted member (nothing happens while the list is empty)."""
        if self._timer.isActive():  # Enter typed before the debounce ran: pick from the fresh answer
            self._accept_when_ready = True
            self.search()
            return
        if self.chosen() is None:
            return
        super().accept()

    def chosen(self) -> str | None:
        hit = self.model.hit(self.table.currentIndex().row())
        return hit.member_id if hit else None
