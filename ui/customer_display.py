"""The customer display: a second window, facing the customer, that follows the cashier's sale live.

It shows the basket, the member's name, tier and points, what this sale earns and *why* (the quote's own
explanation, worded by `ui.explain`), the punch cards' stamps and the total; after a sale, "thank you" with
the points earned; with nothing on the counter, the store's name. Every number comes from the quote the
cashier screen already has (`SaleController.quote`) or from the member's data the sale looked up
(`SaleController.member`): nothing is priced here.

Language: the customer's, which may differ from the cashier's. Qt's installed translators are application-wide
(the cashier's), so the display holds its own `QTranslator` and words its texts, the explanation (`Explain`
context) and money (`format_money(..., lang)`) itself, and lays itself out right-to-left in Hebrew whatever
the cashier's window does. The member record has no language field (adding one needs a migration and an HQ
field; a follow-up), so a sale starts in the store's customer language (`--customer-lang`,
`KUPA_CUSTOMER_LANG`, else the cashier app's start language); the toggle on the display ("עברית / English")
lets the customer switch for their sale, and the display returns to the store's language when it goes idle.

Placement (`place()`): on a screen other than the cashier window's when `QGuiApplication.screens()` has one,
full screen; otherwise an ordinary window the store can move (e.g. to a pole display attached later).
Whether it opens at all is `--customer-display auto|on|off` (`KUPA_CUSTOMER_DISPLAY`): `auto`, the default,
opens it only when there is a second screen.

Signals:
    language_changed(str): the customer switched the display's language.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import Qt, QTimer, QTranslator, Signal
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from pos_client.money import format_money
from pos_client.pricing.model import Quote
from pos_client.services.till import ProgramLabels
from ui.explain import explain_quote
from ui.i18n import I18N_DIR, LANGUAGES
from ui.sale import CompletedSale, SaleController

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)

CONTEXT = "CustomerDisplay"
#: How long "thank you" stays up after a sale before the display goes back to the store's name.
THANKS_MS = 12_000
#: Explanation codes shown under "why": the basket and the total have their own places on the display.
WHY_SKIP = frozenset({"line", "total"})
LRM, RLM = "\u200e", "\u200f"
MODES = ("auto", "on", "off")
MODE_ENV = "KUPA_CUSTOMER_DISPLAY"
LANG_ENV = "KUPA_CUSTOMER_LANG"

#: Every text of the display, worded by the display's own translator (context `CustomerDisplay`).
_TEXTS = {
    "title": "{0} — customer display",
    "welcome": "Welcome to {0}",
    "join": "Ask the cashier about our loyalty program",
    "item": "Item", "qty": "Qty", "amount": "Amount",
    "hello": "Hello, {0}",
    "tier": "{0} member",
    "points": "{0} points",
    "earns": "This sale earns",
    "earns_points": "+{0} points",
    "why": "Why:",
    "not_member": "Not a member yet? Join today and earn points on this sale.",
    "stamps": "{0}: {1} {2} / {3}",
    "stamps_this_sale": "(+{0} this sale)",
    "stamps_reward": "(free item on this sale)",
    "subtotal": "Subtotal", "discounts": "Discounts", "redeemed": "Points redeemed ({0})", "total": "Total",
    "balance_after": "Points after this sale: {0}",
    "thanks": "Thank you!",
    "thanks_member": "Thank you, {0}!",
    "thanks_earned": "You earned {0} points",
    "thanks_balance": "Your balance: {0} points",
    "thanks_paid": "Paid: {0}",
    "toggle": "עברית",
    "free": "{0} free",
}


class Page(IntEnum):
    IDLE = 0
    SALE = 1
    THANKS = 2


def display_mode(flag: str | None, env: Mapping[str, str] = os.environ) -> str:
    """`--customer-display` when given, else `KUPA_CUSTOMER_DISPLAY`, else "auto"; unknown values: "auto"."""
    mode = (flag or env.get(MODE_ENV) or "auto").strip().lower()
    return mode if mode in MODES else "auto"


def customer_language(flag: str | None, app_lang: str, env: Mapping[str, str] = os.environ) -> str:
    """The store's customer language: `--customer-lang`, else `KUPA_CUSTOMER_LANG`, else the app's language."""
    lang = (flag or env.get(LANG_ENV) or app_lang).strip().lower()
    return lang if lang in LANGUAGES else app_lang


S = TypeVar("S")


def other_screen(screens: Sequence[S], cashier: S | None) -> S | None:
    """A screen for the customer: the first one that is not the cashier's (None with a single screen)."""
    for screen in screens:
        if screen is not cashier and screen != cashier:
            return screen
    return None


def should_open(mode: str, screen_count: int) -> bool:
    """`on` always, `off` never, `auto` only with a second screen."""
    return mode == "on" or (mode == "auto" and screen_count > 1)


class CustomerDisplay(QWidget):
    """See the module docstring."""

    language_changed = Signal(str)

    def __init__(self, sale: SaleController, labels: ProgramLabels, store_name: str, lang: str = "en",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("customerDisplay")
        self.sale, self.labels, self.store_name = sale, labels, store_name
        self.store_lang = lang if lang in LANGUAGES else "en"
        self.lang = self.store_lang
        self._translator: QTranslator | None = None
        self._thanks: CompletedSale | None = None
        self._thanks_timer = QTimer(self, singleShot=True, interval=THANKS_MS)
        self._thanks_timer.timeout.connect(self._thanks_over)
        self._build()
        self._style()
        sale.changed.connect(self.refresh)
        sale.member_changed.connect(lambda _view: self.refresh())
        sale.completed.connect(self.show_thanks)
        self.set_language(self.lang)

    # -- building -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.toggle = QPushButton(objectName="customerLanguage")
        self.toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # never takes the cashier's keyboard
        self.toggle.clicked.connect(lambda: self.set_language("en" if self.lang == "he" else "he", by_customer=True))
        top = QHBoxLayout()
        self.header = QLabel(objectName="customerHeader")
        top.addWidget(self.header, 1)
        top.addWidget(self.toggle)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._idle_page())
        self.pages.addWidget(self._sale_page())
        self.pages.addWidget(self._thanks_page())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

    def _idle_page(self) -> QWidget:
        page = QWidget()
        self.idle_title = QLabel(objectName="customerWelcome")
        self.idle_hint = QLabel(objectName="customerJoin")
        for label in (self.idle_title, self.idle_hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.idle_title)
        layout.addWidget(self.idle_hint)
        layout.addStretch(1)
        return page

    def _sale_page(self) -> QWidget:
        page = QWidget()
        self.basket = QTableWidget(0, 3, objectName="customerBasket")
        self.basket.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.basket.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.basket.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.basket.verticalHeader().setVisible(False)
        header = self.basket.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.member_name = QLabel(objectName="customerMember")
        self.tier = QLabel(objectName="customerTier")
        self.points = QLabel(objectName="customerPoints")
        self.stamps = QLabel(objectName="customerStamps")
        self.earns_caption = QLabel(objectName="customerEarnsCaption")
        self.earned = QLabel(objectName="customerEarned")
        self.why_caption = QLabel(objectName="customerWhyCaption")
        self.why = QLabel(objectName="customerWhy")
        self.balance_after = QLabel(objectName="customerBalanceAfter")
        for label in (self.member_name, self.stamps, self.why, self.earned):
            label.setWordWrap(True)
        member_box = QFrame(objectName="customerMemberBox")
        member_layout = QVBoxLayout(member_box)
        for widget in (self.member_name, self.tier, self.points, self.stamps):
            member_layout.addWidget(widget)
        earn_box = QFrame(objectName="customerEarnBox")
        earn_layout = QVBoxLayout(earn_box)
        for widget in (self.earns_caption, self.earned, self.why_caption, self.why, self.balance_after):
            earn_layout.addWidget(widget)
        earn_layout.addStretch(1)
        self.totals: dict[str, tuple[QLabel, QLabel]] = {}
        totals_box = QFrame(objectName="customerTotalsBox")
        grid = QGridLayout(totals_box)
        for row, key in enumerate(("subtotal", "discounts", "redeemed", "total")):
            caption, value = QLabel(objectName=f"customerCaption_{key}"), QLabel(objectName=f"customer_{key}")
            grid.addWidget(caption, row, 0)
            grid.addWidget(value, row, 1)
            self.totals[key] = (caption, value)
        grid.setColumnStretch(0, 1)
        self.total = self.totals["total"][1]
        side = QVBoxLayout()
        side.addWidget(member_box)
        side.addWidget(earn_box, 1)
        left = QVBoxLayout()
        left.addWidget(self.basket, 1)
        left.addWidget(totals_box)
        columns = QHBoxLayout(page)
        columns.addLayout(left, 3)
        columns.addLayout(side, 2)
        return page

    def _thanks_page(self) -> QWidget:
        page = QWidget()
        self.thanks_title = QLabel(objectName="customerThanks")
        self.thanks_points = QLabel(objectName="customerThanksPoints")
        self.thanks_balance = QLabel(objectName="customerThanksBalance")
        self.thanks_paid = QLabel(objectName="customerThanksPaid")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        for label in (self.thanks_title, self.thanks_points, self.thanks_balance, self.thanks_paid):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addStretch(1)
        return page

    def _style(self) -> None:
        """Large, calm type for a reader a metre away; colours with ≥ 4.5:1 contrast on their backgrounds."""
        self.setStyleSheet("""
            #customerDisplay { background: #f4f6f8; }
            #customerDisplay QLabel { color: #212529; font-size: 20px; }
            QLabel#customerHeader { font-size: 28px; font-weight: bold; color: #0f4c5c; }
            QLabel#customerWelcome { font-size: 44px; font-weight: bold; color: #0f4c5c; }
            QLabel#customerJoin { font-size: 24px; color: #3d4852; }
            QTableWidget#customerBasket { font-size: 22px; background: white; border: 1px solid #d5dde3; }
            QFrame#customerMemberBox, QFrame#customerEarnBox, QFrame#customerTotalsBox {
                background: white; border: 1px solid #d5dde3; border-radius: 8px; }
            QLabel#customerMember { font-size: 26px; font-weight: bold; }
            QLabel#customerTier { font-weight: bold; color: #5c4500; }
            QLabel#customerPoints, QLabel#customerEarned { font-size: 26px; font-weight: bold; color: #0f4c5c; }
            QLabel#customerStamps { color: #6b3e12; }
            QLabel#customerWhy { font-size: 17px; color: #3d4852; }
            QLabel#customer_total, QLabel#customerCaption_total { font-size: 36px; font-weight: bold; }
            QLabel#customerThanks { font-size: 48px; font-weight: bold; color: #1b7f4d; }
            QLabel#customerThanksPoints { font-size: 32px; font-weight: bold; color: #0f4c5c; }
            QLabel#customerThanksBalance, QLabel#customerThanksPaid { font-size: 24px; }
            QPushButton#customerLanguage { min-height: 44px; min-width: 160px; font-size: 18px; }
        """)

    # -- language -----------------------------------------------------------------------------------------
    def text(self, key: str) -> str:
        """One of `_TEXTS` in the display's language."""
        return self._translate(CONTEXT, _TEXTS[key])

    def _translate(self, context: str, source: str) -> str:
        if self._translator is None:
            return source
        return self._translator.translate(context, source) or source

    def set_language(self, lang: str, by_customer: bool = False) -> None:
        """Word the display in `lang` (its own translator; the cashier's window keeps its language)."""
        self.lang = lang if lang in LANGUAGES else "en"
        self._translator = None
        if self.lang != "en":
            translator = QTranslator(self)
            if translator.load(str(I18N_DIR / f"kupa_{self.lang}.qm")):
                self._translator = translator
            else:
                log.warning("no compiled translations for %s (run scripts/build_translations.py)", self.lang)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft if self.lang == "he"
                                else Qt.LayoutDirection.LeftToRight)
        self._align()
        if by_customer:
            self.language_changed.emit(self.lang)
        self.refresh()

    def _align(self) -> None:
        """A label aligns by its text's direction: a Latin name or an amount would sit on the wrong side of a
        right-to-left display. Say which side is the leading one (captions) and the trailing one (amounts)."""
        rtl = self.lang == "he"
        leading = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
        trailing = Qt.AlignmentFlag.AlignLeft if rtl else Qt.AlignmentFlag.AlignRight
        centred = {self.idle_title, self.idle_hint, self.thanks_title, self.thanks_points, self.thanks_balance,
                   self.thanks_paid}
        amounts = {value for _caption, value in self.totals.values()}
        for label in self.findChildren(QLabel):
            if label in centred:
                continue
            side = trailing if label in amounts else leading
            label.setAlignment(side | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter)

    # -- following the sale -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the sale as it is now (or "thank you" while it lasts, or the store's name)."""
        self.setWindowTitle(self.text("title").format(self.store_name))
        self.toggle.setText(self.text("toggle"))
        self.basket.setHorizontalHeaderLabels([self.text("item"), self.text("qty"), self.text("amount")])
        self.idle_title.setText(self.text("welcome").format(self.store_name))
        self.idle_hint.setText(self.text("join"))
        busy = bool(self.sale.state.lines) or self.sale.member is not None
        if busy and self._thanks is not None:  # the next sale started: "thank you" is over
            self._thanks = None
            self._thanks_timer.stop()
        if self._thanks is not None:
            self._fill_thanks(self._thanks)
            self.header.setText(self.store_name)
            page = Page.THANKS
        elif busy:
            self._fill_sale(self.sale.quote, self.sale.member)
            page = Page.SALE
        else:
            self.header.setText(self.store_name)
            page = Page.IDLE
        went_idle = page == Page.IDLE and self.pages.currentIndex() != Page.IDLE
        self.pages.setCurrentIndex(page)
        if went_idle and self.lang != self.store_lang:
            # the next customer starts in the store's language; checked after the event that emptied the sale,
            # since a recorded sale empties the cart just before it says "completed" (then: thank you, same words)
            QTimer.singleShot(0, self._back_to_store_language)

    def _back_to_store_language(self) -> None:
        if self.pages.currentIndex() == Page.IDLE and self.lang != self.store_lang:
            self.set_language(self.store_lang)

    def show_thanks(self, done: CompletedSale) -> None:
        """The sale is recorded: thank the customer, with what it earned, for `THANKS_MS`."""
        self._thanks = done
        self._thanks_timer.start()
        self.refresh()

    def _thanks_over(self) -> None:
        self._thanks = None
        self.refresh()

    def _money(self, amount: int, currency: str) -> str:
        return format_money(amount, currency, self.lang)

    def _minus(self, amount: int, currency: str) -> str:
        """`−₪5.50`; in Hebrew the minus leads the right-to-left run (read `−5.50 ₪` from the right)."""
        return f"{RLM if self.lang == 'he' else LRM}−{self._money(amount, currency)}"

    def _fill_sale(self, quote: Quote | None, member: Mapping[str, Any] | None) -> None:
        currency = quote.currency if quote else self.labels.currency
        names = {line.sku: line.label(self.lang) for line in self.sale.state.lines}
        self._fill_basket(quote, names)
        self._fill_member(member, quote)
        self._fill_earn(quote, member, names)
        values = {
            "subtotal": self._money(quote.subtotal if quote else 0, currency),
            "discounts": self._minus(quote.discount_total, currency) if quote and quote.discount_total else "",
            "redeemed": self._minus(quote.redeemed_value, currency) if quote and quote.redeemed_points else "",
            "total": self._money(quote.total if quote else 0, currency),
        }
        for key, (caption, value) in self.totals.items():
            caption.setText(self.text(key).format(quote.redeemed_points if quote else 0))
            value.setText(values[key])
            caption.setVisible(key in ("subtotal", "total") or bool(values[key]))
            value.setVisible(caption.isVisible())

    def _fill_basket(self, quote: Quote | None, names: Mapping[str, str]) -> None:
        lines = quote.lines if quote else ()
        self.basket.setRowCount(len(lines))
        for row, line in enumerate(lines):
            name = names.get(line.sku, line.name)
            if line.free_units:
                name = f"{name}  ({self.text('free').format(line.free_units)})"
            # the line's price before the sale's discounts: they have their own line under the basket
            cells = (name, str(line.qty), self._money(line.amount, quote.currency if quote else ""))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
                self.basket.setItem(row, col, item)
        if lines:
            self.basket.scrollToBottom()  # the newest item in view

    def _fill_member(self, member: Mapping[str, Any] | None, quote: Quote | None) -> None:
        shown = member is not None
        for label in (self.member_name, self.tier, self.points, self.stamps):
            label.setVisible(shown)
        if member is None:
            self.header.setText(self.store_name)
            return
        self.header.setText(self.text("hello").format(member.get("name", "")))
        self.member_name.setText(str(member.get("name", "")))
        tier = member.get("tier")
        self.tier.setText(self.text("tier").format(self._label(self.labels.tiers, tier)) if tier else "")
        self.tier.setVisible(bool(tier))
        self.points.setText(self.text("points").format(f"{int(member.get('points', 0)):,}"))
        self.stamps.setText("\n".join(self._stamp_lines(member, quote)))
        self.stamps.setVisible(bool(self.stamps.text()))

    def _stamp_lines(self, member: Mapping[str, Any], quote: Quote | None) -> list[str]:
        lines = []
        needed_by_card: Mapping[str, int] = member.get("stamps_needed", {})
        for code, held in member.get("stamps", {}).items():
            needed = int(needed_by_card.get(code, 0))
            if not needed:
                continue
            shown = min(int(held), needed)
            dots = "●" * shown + "○" * (needed - shown)
            text = self.text("stamps").format(self._label(self.labels.punch_cards, code), dots, held, needed)
            if quote is not None and quote.stamps_spent.get(code):
                text += " " + self.text("stamps_reward")
            if quote is not None and quote.stamps_earned.get(code):
                text += " " + self.text("stamps_this_sale").format(quote.stamps_earned[code])
            lines.append(text)
        return lines

    def _fill_earn(self, quote: Quote | None, member: Mapping[str, Any] | None, names: Mapping[str, str]) -> None:
        self.earns_caption.setText(self.text("earns"))
        self.why_caption.setText(self.text("why"))
        if member is None or quote is None or not quote.member_id:
            self.earned.setText(self.text("not_member") if member is None else "")
            self.why_caption.setVisible(False)
            self.why.setText("")
            self.balance_after.setText("")
            return
        self.earned.setText(self.text("earns_points").format(quote.points_earned))
        why = [explain for line, explain in zip(quote.explanations, self._explain(quote, names))
               if line.code not in WHY_SKIP | {"balance_after"}]
        self.why.setText("\n".join(f"• {text}" for text in why))
        self.why_caption.setVisible(bool(why))
        self.balance_after.setText(self.text("balance_after").format(f"{quote.points_balance_after:,}"))

    def _explain(self, quote: Quote, names: Mapping[str, str]) -> list[str]:
        translate: Callable[[str], str] = lambda source: self._translate("Explain", source)  # noqa: E731
        return explain_quote(quote, self.labels, names, self.lang, translate)

    def _fill_thanks(self, done: CompletedSale) -> None:
        quote = done.result.quote
        name = (done.member or {}).get("name")
        self.thanks_title.setText(self.text("thanks_member").format(name) if name else self.text("thanks"))
        member = bool(quote.member_id)
        self.thanks_points.setText(self.text("thanks_earned").format(quote.points_earned) if member else "")
        self.thanks_balance.setText(self.text("thanks_balance").format(f"{quote.points_balance_after:,}")
                                    if member else "")
        self.thanks_paid.setText(self.text("thanks_paid").format(self._money(quote.total, quote.currency)))
        for label in (self.thanks_points, self.thanks_balance):
            label.setVisible(member)

    def _label(self, section: Mapping[str, Mapping[str, str]], code: object) -> str:
        names = section.get(str(code), {})
        return names.get(self.lang) or names.get("en") or str(code)


def open_for(window: MainWindow, mode_flag: str | None = None, lang_flag: str | None = None,
             env: Mapping[str, str] = os.environ) -> CustomerDisplay | None:
    """Open the customer display for the cashier `window` when the mode says so (see `display_mode`)."""
    mode = display_mode(mode_flag, env)
    if not should_open(mode, len(QGuiApplication.screens())):
        return None
    display = CustomerDisplay(window.sale, window.labels, window.terminal.settings.store_name,
                              customer_language(lang_flag, window.languages.current, env))
    display.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # closing the cashier window ends the app
    window.destroyed.connect(display.close)
    on_second = place(display, window)
    log.info("customer display opened %s", "on the second screen" if on_second else "as a window")
    return display


def place(display: QWidget, cashier: QWidget, size: tuple[int, int] = (1024, 768)) -> bool:
    """Show `display` full screen on a screen other than `cashier`'s; else as a movable window. True: 2nd screen."""
    screens = QGuiApplication.screens()
    target: QScreen | None = other_screen(screens, cashier.screen())
    if target is not None:
        display.setScreen(target)
        display.setGeometry(target.geometry())
        display.showFullScreen()
        return True
    display.resize(*size)
    display.show()
    return False
