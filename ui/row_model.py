"""A read-only table model over a list of row values: the plumbing every Kupa list shares.

Subclasses define a `Column` `IntEnum`, `headers()` (translated, in column order) and `data()`; rows are plain
DTOs computed by the core on the worker (STYLE.md, habit 10), replaced whole with `set_rows()`.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
RowT = TypeVar("RowT")


class RowTableModel(QAbstractTableModel, Generic[RowT]):
    """Rows of `RowT`, one per line; columns from the subclass's `Column` enum."""

    Column: type[IntEnum]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RowT] = []

    def set_rows(self, rows: list[RowT] | tuple[RowT, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, row: int) -> RowT | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def retranslate(self) -> None:
        """Tell the views the header texts changed (after a language switch)."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.Column) - 1)

    def cell(self, index: Index) -> tuple[RowT, IntEnum] | None:
        """The row value and column behind `index`, or None for an index outside the model."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < len(self.Column):
            return None
        return self._rows[index.row()], self.Column(index.column())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole \
                or not 0 <= section < len(self.Column):
            return None
        return self.headers()[section]
