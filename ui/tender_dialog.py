"""The payment dialog F12 opens: cash with quick amounts and the change shown big, card with its reference,
a gift card (its code scanned or typed, and the amount it pays), or any mix (a split payment); driven from the
keyboard.

Keys: the cash field has the focus with the exact amount selected, so typing replaces it; F1 exact cash,
F2–F4 the next round amounts above the total (multiples of ₪20, ₪50, ₪100, ₪200); F9 puts the rest on the card and moves to its
reference; Enter completes; Esc goes back to the sale. Typed amounts are in major units (`12.50`) and parsed
by the core (`pos_client.money.parse_amount`); the payment is checked by the core's own rule
(`pos_client.tender.settle`: cover, change only from cash, every tender pays something), so the dialog and
the checkout can never disagree. Without an open shift cash cannot be taken (`pos_client.services.shifts`):
the cash field is disabled and says why, and the card takes the whole total. A gift card's code is checked
(signature, balance, expiry, the offline cap) by the checkout when the sale is recorded
(`pos_client.services.giftcards`); a refusal comes back to the cashier like any other.

Signals:
    paid(object): a tuple of `pos_client.tender.TenderGiven`, once the payment covers the total.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from pos_client.errors import KupaError
from pos_client.money import format_money, parse_amount
from pos_client.tender import Tender, TenderGiven, TenderKind, settle
from ui.i18n import error_text

#: Round amounts offered as quick cash (minor units): the smallest of each above the total.
NOTES = (2000, 5000, 10000, 20000)
QUICK_KEYS = ("F2", "F3", "F4")


def quick_amounts(total: int) -> list[int]:
    """Exact, then up to three round notes above `total` (each the smallest multiple of a note ≥ total)."""
    rounded = sorted({-(-total // note) * note for note in NOTES} - {total})
    return [total, *rounded[:len(QUICK_KEYS)]]


class TenderDialog(QDialog):
    """Take the payment for `total` (minor units of `currency`)."""

    paid = Signal(object)

    def __init__(self, total: int, currency: str, lang: str, cash_allowed: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tenderDialog")
        self.total, self.currency, self.lang, self.cash_allowed = total, currency, lang, cash_allowed
        self.due = QLabel(objectName="tenderDue")  # sizes and colours: resources/style.qss
        self.due.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.change = QLabel(objectName="tenderChange")
        self.change.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cash = QLineEdit(objectName="tenderCash")
        self.card = QLineEdit(objectName="tenderCard")
        self.reference = QLineEdit(objectName="tenderReference")
        self.reference.setMaxLength(64)
        self.gift_code = QLineEdit(objectName="tenderGiftCode")  # a wedge scanner types the card's QR here
        self.gift_code.setMaxLength(240)
        self.gift = QLineEdit(objectName="tenderGift")
        for field in (self.cash, self.card, self.gift):
            field.setAlignment(Qt.AlignmentFlag.AlignRight)
            field.textChanged.connect(self._update)
        self.quick: list[QPushButton] = []
        quick_row = QHBoxLayout()
        for i, amount in enumerate(quick_amounts(total)):
            button = QPushButton(objectName=f"quickCash{i}")
            button.setShortcut(QKeySequence("F1" if i == 0 else QUICK_KEYS[i - 1]))
            button.clicked.connect(lambda _checked=False, a=amount: self._set_cash(a))
            button.setAutoDefault(False)
            self.quick.append(button)
            quick_row.addWidget(button)
        self.rest_on_card = QPushButton(objectName="restOnCard")
        self.rest_on_card.setShortcut(QKeySequence("F9"))
        self.rest_on_card.setAutoDefault(False)
        self.rest_on_card.clicked.connect(self._rest_on_card)
        self.message = QLabel(objectName="tenderMessage")
        self.message.setWordWrap(True)
        self.complete = QPushButton(objectName="tenderComplete")
        self.complete.setDefault(True)
        self.complete.clicked.connect(self._submit)
        self.cancel = QPushButton(objectName="tenderCancel")
        self.cancel.setAutoDefault(False)
        self.cancel.clicked.connect(self.reject)
        self._captions = [QLabel(), QLabel(), QLabel(), QLabel(), QLabel()]
        grid = QGridLayout()
        fields = (self.cash, self.card, self.reference, self.gift_code, self.gift)
        for row, (caption, field) in enumerate(zip(self._captions, fields)):
            caption.setBuddy(field)
            grid.addWidget(caption, row, 0)
            grid.addWidget(field, row, 1)
        grid.addWidget(self.rest_on_card, 1, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.complete)
        layout = QVBoxLayout(self)
        layout.addWidget(self.due)
        layout.addLayout(quick_row)
        layout.addLayout(grid)
        layout.addWidget(self.change)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        if cash_allowed:
            self.cash.setText(self._major(total))
            self.cash.selectAll()
            self.cash.setFocus()
        else:
            self.cash.setEnabled(False)
            for button in self.quick:
                button.setEnabled(False)
            self.card.setText(self._major(total))
            self.reference.setFocus()
        self.setMinimumWidth(520)
        self.retranslate()

    # -- texts ----------------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Payment"))
        for caption, text in zip(self._captions, (self.tr("&Cash given"), self.tr("Car&d amount"),
                                                  self.tr("Card &reference"), self.tr("&Gift card code"),
                                                  self.tr("Gift card a&mount"))):
            caption.setText(text)
        for i, (button, amount) in enumerate(zip(self.quick, quick_amounts(self.total))):
            key = "F1" if i == 0 else QUICK_KEYS[i - 1]
            label = self.tr("Exact {0}") if i == 0 else "{0}"
            button.setText(label.format(self._money(amount)) + "\n" + key)  # the key on its own line: no bidi mix
        self.rest_on_card.setText(self.tr("Rest on card (F9)"))
        self.complete.setText(self.tr("Complete sale (Enter)"))
        self.cancel.setText(self.tr("Back to the sale (Esc)"))
        self.due.setText(self.tr("To pay: {0}").format(self._money(self.total)))
        if not self.cash_allowed:
            self.cash.setPlaceholderText(self.tr("No shift is open: cash needs a manager to open one"))
        self._update()

    def _money(self, amount: int) -> str:
        return format_money(amount, self.currency, self.lang)

    def _major(self, amount: int) -> str:
        text = format_money(amount, self.currency, "en")
        return "".join(ch for ch in text if ch.isdigit() or ch == ".")

    # -- the payment ----------------------------------------------------------------------------------
    def given(self) -> tuple[TenderGiven, ...]:
        """What the cashier typed, as tenders (gift card and card first); `KupaError` for an amount that is not
        one."""
        out: list[TenderGiven] = []
        code, gift = self.gift_code.text().strip(), self.gift.text().strip()
        if code or gift:
            out.append(TenderGiven(TenderKind.GIFT_CARD, parse_amount(gift or "0", self.currency), code or None))
        card = self.card.text().strip()
        if card:
            reference = self.reference.text().strip() or None
            out.append(TenderGiven(TenderKind.CARD, parse_amount(card, self.currency), reference))
        cash = self.cash.text().strip()
        if cash and self.cash_allowed:
            out.append(TenderGiven(TenderKind.CASH, parse_amount(cash, self.currency)))
        return tuple(out)

    def settled(self) -> tuple[Tender, ...]:
        """The payment as the checkout will record it, or `KupaError` saying what is wrong."""
        return settle(self.total, self.given(), self.currency)

    def _update(self) -> None:
        try:
            tenders = self.settled()
        except KupaError:
            try:
                handed = sum(t.amount for t in self.given())
            except KupaError:
                handed = 0
            missing = max(self.total - handed, 0)
            self.change.setText(self.tr("Still to pay: {0}").format(self._money(missing)) if missing else "")
            self._state("due")
            return
        change = sum(t.change for t in tenders)
        self.change.setText(self.tr("Change: {0}").format(self._money(change)))
        self._state("change")
        self.message.clear()

    def _state(self, state: str) -> None:
        """`due` (red) or `change` (green) for the style sheet; re-polished so the colour follows."""
        if self.change.property("state") != state:
            self.change.setProperty("state", state)
            self.change.style().unpolish(self.change)
            self.change.style().polish(self.change)

    def _set_cash(self, amount: int) -> None:
        self.card.clear()
        self.cash.setText(self._major(amount))
        self.complete.setFocus()

    def _rest_on_card(self) -> None:
        try:
            cash = parse_amount(self.cash.text().strip(), self.currency) if self.cash.text().strip() \
                and self.cash_allowed else 0
        except KupaError:
            cash = 0
        rest = max(self.total - cash, 0)
        if rest == 0:  # the cash already covers it: the whole sale goes on the card
            self.cash.clear()
            rest = self.total
        self.card.setText(self._major(rest))
        self.reference.setFocus()

    def _submit(self) -> None:
        try:
            self.settled()
            given = self.given()
        except KupaError as exc:
            self.message.setText(error_text(exc))
            return
        self.paid.emit(given)
        self.accept()
