"""Rewards and totals: the redemption control, punch-card rewards, the totals and the quote's explanation.

The redemption control offers only what `quote.redeem_limits.options()` allows and says which rule sets the
largest value (`RedeemLimits.rule`). A member found without the signed card (`needs_card`) gets the control
and the punch-card rewards disabled up front, with the way out: scan the card, or a manager allows spending
(Ctrl+M). The explanation lines are worded from the quote's codes (`ui.explain`), with product names in the
screen's language. The numbers come from the quote; nothing is computed here.

Signals:
    redeem_chosen(int): the cashier picked a number of points to redeem.
    punch_toggled(str, bool): a punch-card reward was accepted or declined.
    override_requested(): the cashier asked for a manager to allow spending without the card.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QVBoxLayout, QWidget)

from pos_client.money import format_money
from pos_client.pricing.model import Quote
from pos_client.services.till import ProgramLabels
from ui.explain import explain_quote, limit_reason

MAX_CHOICES = 200
LRM = "\u200e"  # keeps a minus sign before the amount in right-to-left text


class RewardsPanel(QFrame):
    """Redeem points, punch rewards, totals."""

    redeem_chosen = Signal(int)
    punch_toggled = Signal(str, bool)
    override_requested = Signal()

    def __init__(self, labels: ProgramLabels, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rewardsPanel")
        self._labels, self._lang = labels, "en"
        self._quote: Quote | None = None
        self._punch_on: tuple[str, ...] = ()
        self._lines: Sequence[Any] = ()
        self._member: Mapping[str, Any] | None = None
        self._filling = False
        self.title = QLabel(objectName="panelTitle")
        self.redeem = QComboBox(objectName="redeem")
        self.redeem_label = QLabel()
        self.redeem_label.setBuddy(self.redeem)
        self.reason = QLabel(objectName="redeemReason")
        self.reason.setWordWrap(True)
        self.override = QPushButton(objectName="allowSpending")
        self.override.setVisible(False)
        self.override.clicked.connect(self.override_requested)
        self.punch_box = QVBoxLayout()
        self._punch: dict[str, QCheckBox] = {}
        self.subtotal, self.discount, self.redeemed = QLabel(), QLabel(), QLabel()
        self.total = QLabel(objectName="grandTotal")
        self.earned, self.balance = QLabel(), QLabel()
        self.explain = QLabel(objectName="explain")
        self.explain.setWordWrap(True)
        self.explain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # the totals are a widget of their own: the checkout screen keeps them in view below the scrolling panels
        self.totals = QFrame(objectName="totalsPanel")
        self.form = QGridLayout(self.totals)  # not a QFormLayout: its value column does not grow right-to-left
        self.form.setContentsMargins(10, 4, 10, 4)
        self.form.setColumnStretch(1, 1)
        self._rows = [QLabel() for _ in range(6)]
        for row, (caption, value) in enumerate(zip(self._rows, (self.subtotal, self.discount, self.redeemed,
                                                                self.earned, self.balance, self.total))):
            value.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
            self.form.addWidget(caption, row, 0)
            self.form.addWidget(value, row, 1)
        self._rows[5].setObjectName("grandTotalCaption")
        self.form.setVerticalSpacing(2)
        self.form.setHorizontalSpacing(8)
        redeem_row = QHBoxLayout()
        redeem_row.addWidget(self.redeem_label)
        redeem_row.addWidget(self.redeem, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addLayout(redeem_row)
        layout.addWidget(self.reason)
        layout.addWidget(self.override)
        layout.addLayout(self.punch_box)
        layout.addWidget(self.totals)
        scroll = QScrollArea(objectName="explainScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.explain)
        scroll.setMinimumHeight(48)
        layout.addWidget(scroll, 1)
        self.redeem.currentIndexChanged.connect(self._redeem_changed)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_language(self, lang: str) -> None:
        self._lang = lang
        self.show_quote(self._quote, self._punch_on)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Rewards and totals"))
        self.redeem_label.setText(self.tr("Redeem (Alt+R)"))  # the key is the checkout's shortcut, any language
        for caption, text in zip(self._rows, (self.tr("Subtotal"), self.tr("Discounts"), self.tr("Points redeemed"),
                                              self.tr("Points earned"), self.tr("Balance after"),
                                              self.tr("To pay"))):
            caption.setText(text)
        self.override.setText(self.tr("Manager allows spending (Ctrl+M)"))
        self.show_quote(self._quote, self._punch_on)

    def _redeem_changed(self, index: int) -> None:
        if not self._filling and index >= 0:
            self.redeem_chosen.emit(int(self.redeem.itemData(index) or 0))

    def show_quote(self, quote: Quote | None, punch_on: tuple[str, ...] = (), lines: Sequence[Any] | None = None,
                   member: Mapping[str, Any] | None = None) -> None:
        """Show `quote` (None: empty cart); `lines` (cart lines with `sku` and `label(lang)`) name the products
        in the explanation, `member` (the member panel's data) gives the balance for the redemption reason."""
        self._quote, self._punch_on = quote, punch_on
        if lines is not None:
            self._lines, self._member = lines, member
        needs_card = bool(quote and quote.member_id and quote.redeem_limits.needs_card)
        self.override.setVisible(needs_card)
        self.override.setEnabled(needs_card)
        self._fill_redeem(quote)
        self._fill_punch(quote, punch_on)
        # a label aligns by its text's direction, and amounts have none: say which side is the trailing one
        side = Qt.AlignmentFlag.AlignLeft if self.isRightToLeft() else Qt.AlignmentFlag.AlignRight
        for value in (self.subtotal, self.discount, self.redeemed, self.earned, self.balance, self.total):
            value.setAlignment(side | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter)
        cur = quote.currency if quote else self._labels.currency
        money = partial(format_money, currency=cur)
        self.subtotal.setText(money(quote.subtotal if quote else 0))
        self.discount.setText(f"{LRM}−{money(quote.discount_total)}" if quote and quote.discount_total else money(0))
        self.redeemed.setText(self.tr("{0} (−{1})").format(quote.redeemed_points, money(quote.redeemed_value))
                              if quote and quote.redeemed_points else "—")
        self.earned.setText(str(quote.points_earned) if quote and quote.member_id else "—")
        self.balance.setText(f"{quote.points_balance_after:,}" if quote and quote.member_id else "—")
        self.total.setText(money(quote.total if quote else 0))
        names = {line.sku: line.label(self._lang) for line in self._lines}
        self.explain.setText("\n".join(explain_quote(quote, self._labels, names, self._lang)) if quote else "")

    def _fill_redeem(self, quote: Quote | None) -> None:
        self._filling = True
        try:
            self.redeem.clear()
            self.redeem.addItem(self.tr("No redemption"), 0)
            limits = quote.redeem_limits if quote else None
            if limits is None or quote is None or not quote.member_id:
                self.redeem.setEnabled(False)
                self.reason.setText("")
                return
            if limits.needs_card:
                self.redeem.setEnabled(False)
                self.reason.setText(self.tr("Scan the member's card or ask a manager to allow spending"))
                return
            balance = int(self._member["points"]) if self._member and "points" in self._member else None
            why = limit_reason(limits, self._labels, balance)
            options = limits.options()[1:][-MAX_CHOICES:]
            if not options:
                self.redeem.setEnabled(False)
                self.reason.setText(self.tr("Nothing to redeem: {0}").format(why))
                return
            self.redeem.setEnabled(True)
            for points in options:
                self.redeem.addItem(self.tr("{0} points").format(points), points)
            self.reason.setText(self.tr("Up to {0} points ({1})").format(limits.max_points, why))
            index = self.redeem.findData(quote.redeemed_points)
            self.redeem.setCurrentIndex(max(index, 0))
        finally:
            self._filling = False

    def _fill_punch(self, quote: Quote | None, punch_on: tuple[str, ...]) -> None:
        due = tuple(dict.fromkeys((quote.rewards_due if quote else ()) + tuple(punch_on)))
        for code in list(self._punch):
            if code not in due:
                self._punch.pop(code).deleteLater()
        for code in due:
            box = self._punch.get(code)
            if box is None:
                box = QCheckBox(objectName=f"punch_{code}")
                box.toggled.connect(lambda on, c=code: None if self._filling else self.punch_toggled.emit(c, on))
                self._punch[code] = box
                self.punch_box.addWidget(box)
            name = self._labels.punch_cards.get(code, {}).get(self._lang, code)
            self._filling = True
            box.setText(self.tr("Free item from the {0} (Alt+F)").format(name))
            box.setChecked(code in punch_on)
            box.setEnabled(not (quote and quote.redeem_limits.needs_card))
            self._filling = False
        if due:
            first = self._punch[due[0]]
            first.setShortcut("Alt+F")
