"""The cart as a table model: one row per product, priced by the last quote.

The model shows; it never prices. Amounts, discounts and what the customer pays on each line come from the
`Quote` the core returned for exactly these lines (`set_lines(lines, quote)`); before a quote arrives a
line shows its unit price only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import partial
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt

from pos_client.money import format_money
from pos_client.pricing.model import Quote, QuoteLine

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class CartLine:
    """A product rung up, with the quantity; prices are the catalog's, in minor units."""

    sku: str
    name: str
    name_he: str | None
    unit_price: int
    qty: int

    def label(self, lang: str) -> str:
        return self.name_he if lang == "he" and self.name_he else self.name


class Column(IntEnum):
    """The cart's columns."""

    ITEM = 0
    QTY = 1
    PRICE = 2
    DISCOUNT = 3
    TOTAL = 4


_HEADERS = {Column.ITEM: "Item", Column.QTY: "Qty", Column.PRICE: "Price", Column.DISCOUNT: "Discount",
            Column.TOTAL: "Total"}
SKU_ROLE = Qt.ItemDataRole.UserRole + 1


class CartModel(QAbstractTableModel):
    """Cart lines with their quote lines."""

    def __init__(self, currency: str = "ILS", parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: list[CartLine] = []
        self._priced: dict[str, QuoteLine] = {}
        self._currency = currency
        self._lang = "en"

    def currency(self) -> str:
        """The currency the cart's money is shown in (the program's, once a quote came back)."""
        return self._currency

    def lines(self) -> list[CartLine]:
        return list(self._lines)

    def set_language(self, lang: str) -> None:
        self._lang = lang
        if self._lines:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._lines) - 1, len(Column) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)

    def set_lines(self, lines: list[CartLine], quote: Quote | None) -> None:
        """Replace the lines and their pricing (one reset: carts are short)."""
        self.beginResetModel()
        self._lines = list(lines)
        self._currency = quote.currency if quote else self._currency
        self._priced = {line.sku: line for line in quote.lines} if quote else {}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role == Qt.ItemDataRole.DisplayRole:
                return QCoreApplication.translate("CartModel", _HEADERS[Column(section)])
            if role == Qt.ItemDataRole.TextAlignmentRole and section != Column.ITEM:
                return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignTrailing)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._lines) or index.column() >= len(Column):
            return None
        line = self._lines[index.row()]
        column = Column(index.column())
        priced = self._priced.get(line.sku)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(line, priced, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == Column.ITEM:
                return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeading)
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignTrailing)
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.ITEM:
            return line.sku
        if role == SKU_ROLE:
            return line.sku
        return None

    def _display(self, line: CartLine, priced: QuoteLine | None, column: Column) -> str:
        money = partial(format_money, currency=self._currency)
        if column == Column.ITEM:
            if priced is not None and priced.free_units:
                free = QCoreApplication.translate("CartModel", "{0} free").format(priced.free_units)
                return f"{line.label(self._lang)}  ({free})"
            return line.label(self._lang)
        if column == Column.QTY:
            return str(line.qty)
        if column == Column.PRICE:
            return money(line.unit_price)
        if priced is None:
            return ""
        if column == Column.DISCOUNT:
            return f"\u200e−{money(priced.discount)}" if priced.discount else ""  # LRM: minus stays left
        return money(priced.amount - priced.discount)
