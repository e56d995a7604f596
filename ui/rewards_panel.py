"""Rewards and totals: the redemption control, punch-card rewards, the totals and the quote's explanation.

The redemption control offers only what `quote.redeem_limits` allows (0, then `min_points` to `max_points`
in steps of `step`) and says why when nothing may be redeemed. The numbers come from the quote; nothing is
computed here.

Signals:
    redeem_chosen(int): the cashier picked a number of points to redeem.
    punch_toggled(str, bool): a punch-card reward was accepted or declined.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QFrame, QLabel, QScrollArea, QVBoxLayout,
                               QWidget)

from pos_client.money import format_money
from pos_client.pricing.model import Quote
from pos_client.services.till import ProgramLabels
from ui.i18n import core_message

MAX_CHOICES = 200


class RewardsPanel(QFrame):
    """Redeem points, punch rewards, totals."""

    redeem_chosen = Signal(int)
    punch_toggled = Signal(str, bool)

    def __init__(self, labels: ProgramLabels, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rewardsPanel")
        self._labels, self._lang = labels, "en"
        self._quote: Quote | None = None
        self._punch_on: tuple[str, ...] = ()
        self._filling = False
        self.title = QLabel(objectName="panelTitle")
        self.redeem = QComboBox(objectName="redeem")
        self.redeem_label = QLabel()
        self.redeem_label.setBuddy(self.redeem)
        self.reason = QLabel(objectName="redeemReason")
        self.reason.setWordWrap(True)
        self.punch_box = QVBoxLayout()
        self._punch: dict[str, QCheckBox] = {}
        self.subtotal, self.discount, self.redeemed = QLabel(), QLabel(), QLabel()
        self.total = QLabel(objectName="grandTotal")
        self.earned, self.balance = QLabel(), QLabel()
        self.explain = QLabel(objectName="explain")
        self.explain.setWordWrap(True)
        self.explain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = QFormLayout()
        self._rows = [QLabel() for _ in range(6)]
        for caption, value in zip(self._rows, (self.subtotal, self.discount, self.redeemed, self.earned,
                                               self.balance, self.total)):
            value.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
            self.form.addRow(caption, value)
        self._rows[5].setObjectName("grandTotalCaption")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.redeem_label)
        layout.addWidget(self.redeem)
        layout.addWidget(self.reason)
        layout.addLayout(self.punch_box)
        layout.addLayout(self.form)
        scroll = QScrollArea(objectName="explainScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.explain)
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
        self.redeem_label.setText(self.tr("&Redeem points (Alt+R)"))
        for caption, text in zip(self._rows, (self.tr("Subtotal"), self.tr("Discounts"), self.tr("Points redeemed"),
                                              self.tr("Points earned"), self.tr("Balance after"),
                                              self.tr("To pay"))):
            caption.setText(text)
        self.show_quote(self._quote, self._punch_on)

    def _redeem_changed(self, index: int) -> None:
        if not self._filling and index >= 0:
            self.redeem_chosen.emit(int(self.redeem.itemData(index) or 0))

    def show_quote(self, quote: Quote | None, punch_on: tuple[str, ...] = ()) -> None:
        """Show `quote` (None: empty cart)."""
        self._quote, self._punch_on = quote, punch_on
        self._fill_redeem(quote)
        self._fill_punch(quote, punch_on)
        cur = quote.currency if quote else self._labels.currency
        money = lambda amount: format_money(amount, cur)  # noqa: E731
        self.subtotal.setText(money(quote.subtotal if quote else 0))
        self.discount.setText(f"−{money(quote.discount_total)}" if quote and quote.discount_total else money(0))
        self.redeemed.setText(self.tr("{0} (−{1})").format(quote.redeemed_points, money(quote.redeemed_value))
                              if quote and quote.redeemed_points else "—")
        self.earned.setText(str(quote.points_earned) if quote and quote.member_id else "—")
        self.balance.setText(f"{quote.points_balance_after:,}" if quote and quote.member_id else "—")
        self.total.setText(money(quote.total if quote else 0))
        self.explain.setText("\n".join(quote.explain) if quote else "")

    def _fill_redeem(self, quote: Quote | None) -> None:
        self._filling = True
        try:
            self.redeem.clear()
            self.redeem.addItem(self.tr("No redemption"), 0)
            limits = quote.redeem_limits if quote else None
            if limits is None or limits.max_points <= 0:
                self.redeem.setEnabled(False)
                reason = core_message(limits.reason) if limits and limits.reason else ""
                self.reason.setText(self.tr("Nothing to redeem: {0}").format(reason) if reason else "")
                return
            self.redeem.setEnabled(True)
            start = max(limits.min_points, limits.step)
            values = list(range(start, limits.max_points + 1, limits.step))[-MAX_CHOICES:]
            for points in values:
                self.redeem.addItem(self.tr("{0} points").format(points), points)
            self.reason.setText(self.tr("Up to {0} points ({1})").format(limits.max_points,
                                                                        core_message(limits.reason)))
            chosen = quote.redeemed_points if quote else 0
            index = self.redeem.findData(chosen)
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
            self._filling = False
        if due:
            first = self._punch[due[0]]
            first.setShortcut("Alt+F")
