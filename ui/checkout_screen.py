"""The checkout screen: product search and quick picks, the cart, the member panel, rewards and totals.

Keyboard first: F2 search, F3 find member, F4 enrol, F5/F6 quantity up/down, F7 remove line, Ctrl+Del void,
F8 park, Shift+F8 resume, F12 complete the sale; Alt+C / Alt+V / Alt+O put the member's next coupon, next voucher
or first offer's coupon on the sale. A coupon token or a public promo code typed in the search applies the coupon. A keyboard-wedge scanner works anywhere (`ui.scanner`).

Signals:
    enrol_requested(): open the enrolment dialog.
    resume_requested(): open the parked-sales list.
    park_requested(): park the current sale.
    pay_requested(): F12, take the payment (`ui.tender_dialog`) and complete the sale.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCompleter, QFrame, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from pos_client.cards import coupon_tokens
from pos_client.errors import KupaError
from pos_client.services import till
from pos_client.services.till import ProductInfo, ProgramLabels
from ui.cart_model import Column
from ui.clock_banner import ClockBanner
from ui.i18n import error_text
from ui.layout import FlowLayout, accessible, vertical_scroll
from ui.member_panel import MemberPanel
from ui.rewards_panel import RewardsPanel
from ui.sale import SaleController
from ui.void_dialog import VoidDialog


#: Message colours by severity (text, background), each pair at least 4.5:1 (WCAG AA), checked by a test.
SEVERITY_COLOURS = {"success": ("#0f5132", "#d1e7dd"), "info": ("#212529", "#e7eef3"),
                    "warning": ("#664d03", "#fff3cd"), "error": ("#842029", "#f8d7da")}


def contrast(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two colours."""
    def luminance(name: str) -> float:
        color = QColor(name)
        channels = []
        for value in (color.redF(), color.greenF(), color.blueF()):
            channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)

#: The side panel's (member, rewards, totals) width bounds and its share of the screen's width between them.
SIDE_WIDTH = (340, 460)
SIDE_SHARE = 0.34
PREVIEW_WIDTH = (160, 240)


class CheckoutScreen(QWidget):
    """Lays out the checkout widgets and wires them to a `SaleController`."""

    enrol_requested = Signal()
    resume_requested = Signal()
    park_requested = Signal()
    pay_requested = Signal()

    def __init__(self, sale: SaleController, labels: ProgramLabels, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sale, self._lang = sale, "en"
        self._quick: list[ProductInfo] = []
        self._quick_buttons: list[QPushButton] = []
        self.search = QLineEdit(objectName="productSearch")
        self.search.setClearButtonEnabled(True)
        self.add = QPushButton(objectName="addProduct")
        self.quick_grid = FlowLayout(uniform=True, max_columns=4)
        self.table = QTableView(objectName="cart")
        self.table.setModel(sale.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the next control (keyboard-only use)
        self.table.horizontalHeader().setSectionResizeMode(Column.ITEM, QHeaderView.ResizeMode.Stretch)
        for col in (Column.QTY, Column.PRICE, Column.DISCOUNT, Column.TOTAL):
            self.table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.plus, self.minus, self.remove = QPushButton(objectName="qtyPlus"), QPushButton(objectName="qtyMinus"), \
            QPushButton(objectName="removeLine")
        self.void, self.park, self.resume = QPushButton(objectName="voidSale"), QPushButton(objectName="park"), \
            QPushButton(objectName="resume")
        self.pay = QPushButton(objectName="completeSale")
        self.messages = QLabel(objectName="messageArea")
        self.messages.setWordWrap(True)
        self._message_timer = QTimer(self, singleShot=True, interval=8000)
        self._message_timer.timeout.connect(lambda: self.show_message("", "info"))
        self.member_panel = MemberPanel(labels)
        self.rewards = RewardsPanel(labels)
        self.clock_banner = ClockBanner(sale.terminal, sale.worker)
        self._layout()
        self._wire()
        self._shortcuts()
        self.retranslate()
        self._enable_line_buttons()  # the first empty cart too, before any change arrives

    def _layout(self) -> None:
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.add)
        line_buttons = FlowLayout()  # one row where it fits, two on a narrow screen
        for button in (self.plus, self.minus, self.remove):
            line_buttons.addWidget(button)
        line_buttons.addStretch()
        for button in (self.park, self.resume, self.void):  # the side panel keeps its height for the totals
            line_buttons.addWidget(button)
        left = QVBoxLayout()
        left.addLayout(search_row)
        left.addLayout(self.quick_grid)
        left.addWidget(self.table, 1)
        left.addLayout(line_buttons)
        left.addWidget(self.messages)
        panels = QWidget(objectName="sidePanels")
        stacked = QVBoxLayout(panels)
        stacked.setContentsMargins(0, 0, 0, 0)
        stacked.addWidget(self.member_panel)
        stacked.addWidget(self.rewards, 1)
        right = QVBoxLayout()
        # the member and rewards panels scroll on a short screen; Complete sale stays below them, always visible
        self.side_scroll = vertical_scroll(panels, "sideScroll")
        right.addWidget(self.side_scroll, 1)
        right.addWidget(self.rewards.totals)  # out of the rewards panel: what to pay is always in view
        right.addWidget(self.pay)
        right.setContentsMargins(0, 0, 0, 0)
        self.side_box = QFrame(objectName="sidePanel")
        self.side_box.setLayout(right)
        self.side_box.setFixedWidth(SIDE_WIDTH[0])
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addWidget(self.side_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.clock_banner)  # hidden while the clock is trusted
        layout.addLayout(columns, 1)

    def _wire(self) -> None:
        self.search.returnPressed.connect(self._search_entered)
        self.add.clicked.connect(self._search_entered)
        self.plus.clicked.connect(lambda: self.sale.change_qty(self._row(), +1))
        self.minus.clicked.connect(lambda: self.sale.change_qty(self._row(), -1))
        self.remove.clicked.connect(lambda: self.sale.remove_line(self._row()))
        self.void.clicked.connect(self.confirm_void)
        self.pay.clicked.connect(self.pay_requested)
        self.park.clicked.connect(self.park_requested)
        self.resume.clicked.connect(self.resume_requested)
        self.member_panel.identify_requested.connect(self.sale.identify)
        self.member_panel.clear_requested.connect(self.sale.clear_member)
        self.member_panel.enrol_requested.connect(self.enrol_requested)
        promotions = self.member_panel.promotions
        promotions.coupon_chosen.connect(lambda text: self.sale.apply_coupon(text, toggle=True))
        promotions.voucher_chosen.connect(self.sale.apply_voucher)
        promotions.offer_chosen.connect(self.sale.apply_offer)
        self.rewards.redeem_chosen.connect(self.sale.set_redeem)
        self.rewards.punch_toggled.connect(self.sale.set_punch_reward)
        self.sale.changed.connect(self._sale_changed)
        self.sale.member_changed.connect(self._member_changed)
        self.sale.message.connect(self.show_message)
        self.sale.notice.connect(self.show_message)
        self.sale.message.connect(lambda _text: self.clock_banner.refresh())  # a refused sale may be the clock
        self.sale.model.modelReset.connect(self._keep_selection)

    def _shortcuts(self) -> None:
        """Keys that must work from any focus in the window, the product search included, in both languages.

        Alt+R is a shortcut, not the label's mnemonic (a translated label's "&" falls on a Hebrew letter);
        Ctrl+M is not the override button's (a hidden button's shortcut does nothing): when there is nothing
        to allow, it says why.
        """
        for key, slot in (("Alt+R", self._focus_redeem), ("Ctrl+M", self._allow_spending),
                          ("Shift+F8", self.resume_requested.emit), ("Alt+C", self.next_coupon),
                          ("Alt+V", self.next_voucher), ("Alt+O", self.first_offer)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    def next_coupon(self) -> None:
        """Alt+C: the member's next held coupon onto the sale (`PromotionsList.next_coupon`)."""
        found = self.member_panel.promotions.next_coupon()
        if found:
            self.sale.apply_coupon(found, toggle=True)
        else:
            self.show_message(self.tr("The member holds no coupon"), "warning")

    def next_voucher(self) -> None:
        """Alt+V: the member's next held voucher onto the sale."""
        found = self.member_panel.promotions.next_voucher()
        if found:
            self.sale.apply_voucher(found)
        else:
            self.show_message(self.tr("The member holds no voucher"), "warning")

    def first_offer(self) -> None:
        """Alt+O: the first offer with a coupon: issued and applied in one step."""
        found = self.member_panel.promotions.first_offer()
        if found:
            self.sale.apply_offer(found)
        else:
            self.show_message(self.tr("No offer with a coupon for this member"), "warning")

    def _focus_redeem(self) -> None:
        redeem = self.rewards.redeem
        if redeem.isEnabled():
            redeem.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.show_message(self.rewards.reason.text() or self.tr("Identify a member with points first"),
                              "warning")

    def _allow_spending(self) -> None:
        override = self.rewards.override
        if override.isVisible() and override.isEnabled():
            override.click()
        else:
            self.show_message(self.tr("Ctrl+M is for a member identified without their card"), "warning")

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The side panel takes a share of the width between `SIDE_WIDTH`'s bounds (the cart gets the rest)."""
        low, high = SIDE_WIDTH
        side = max(low, min(high, int(event.size().width() * SIDE_SHARE)))
        self.side_box.setFixedWidth(side)
        # the webcam preview shrinks with the panel (4:3), leaving its picker room beside it
        width = max(PREVIEW_WIDTH[0], min(PREVIEW_WIDTH[1], side - 180))
        self.member_panel.camera_view.preview.setFixedSize(width, width * 3 // 4)
        super().resizeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Function keys that reach the screen unhandled (no active shortcut map, e.g. offscreen) still work."""
        buttons = {Qt.Key.Key_F5: self.plus, Qt.Key.Key_F6: self.minus, Qt.Key.Key_F7: self.remove,
                   Qt.Key.Key_F8: self.park, Qt.Key.Key_F12: self.pay}
        button = buttons.get(Qt.Key(event.key()))
        if button is not None and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            if button.isEnabled():
                button.click()
            event.accept()
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search products by name, SKU or barcode (F2)"))
        self.search.setAccessibleName(self.search.placeholderText())  # a screen reader's name for the field
        self.table.setAccessibleName(accessible("Cart"))
        texts = ((self.add, self.tr("Add"), ""), (self.plus, self.tr("Qty + (F5)"), "F5"),
                 (self.minus, self.tr("Qty − (F6)"), "F6"), (self.remove, self.tr("Remove line (F7)"), "F7"),
                 (self.void, self.tr("Void sale (Ctrl+Del)"), "Ctrl+Del"), (self.park, self.tr("Park (F8)"), "F8"),
                 (self.resume, self.tr("Resume (Shift+F8)"), ""),
                 (self.pay, self.tr("Complete sale (F12)"), "F12"))
        for button, text, key in texts:
            button.setText(text)
            if key:
                button.setShortcut(QKeySequence(key))
        self._fill_quick()

    def set_language(self, lang: str) -> None:
        self._lang = lang
        self.sale.model.set_language(lang)
        self.member_panel.set_language(lang)
        self.rewards.set_language(lang)
        self.clock_banner.set_language(lang)
        self._fill_quick()

    def clear_inputs(self) -> None:
        """Empty the typing fields (sign-out and lock; the sale itself stays)."""
        self.search.setCompleter(None)
        self.search.clear()
        self.member_panel.code.clear()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- products -----------------------------------------------------------------------------------------
    def set_quick_picks(self, products: list[ProductInfo]) -> None:
        self._quick = products
        for button in self._quick_buttons:
            button.deleteLater()
        self._quick_buttons = []
        for product in products:
            button = QPushButton(objectName=f"quick_{product.sku}")
            button.setProperty("quick", True)
            button.clicked.connect(lambda _=False, p=product: self.sale.add_product(p))
            self.quick_grid.addWidget(button)
            self._quick_buttons.append(button)
        self._fill_quick()

    def _fill_quick(self) -> None:
        for button, product in zip(self._quick_buttons, self._quick):
            button.setText(product.label(self._lang))

    def _search_entered(self) -> None:
        """Enter in the search: the text as the cashier typed it (a scanner's burst never gets here, see
        `ui.scanner`): a product code or name, else a member's card number, id or phone typed by hand."""
        text = self.search.text().strip()
        if not text:
            return
        self.sale.worker.submit(lambda: self._find(text), lambda found: self._found(found, text), self._refused)

    def _find(self, text: str) -> list[ProductInfo] | str | till.Resolved:
        """Worker side: a coupon token, an exact code, else a public promo code (returned as `Resolved`), else a
        name search, else a member code (returned as the code)."""
        terminal = self.sale.terminal
        if coupon_tokens.looks_like_coupon_token(text):
            return till.Resolved("coupon", coupon=text)
        try:
            return [till.product(terminal, text)]
        except Exception:  # noqa: BLE001 - any miss falls back to the search
            pass
        if till.is_promo_code(terminal, text):
            return till.Resolved("coupon", coupon=text)
        found = till.search(terminal, text)
        if found:
            return found
        try:
            till.member_view(self.sale.terminal, text)
        except KupaError:
            return []
        return text

    def _found(self, products: list[ProductInfo] | str | till.Resolved, text: str = "") -> None:
        if isinstance(products, till.Resolved):  # a coupon: onto the sale, re-priced by the core
            self.search.clear()
            self.sale.apply_coupon(products.coupon or "")
            return
        if isinstance(products, str):  # a member's code typed by hand: the member goes onto the sale
            self.search.clear()
            self.sale.identify(products)
            return
        if len(products) == 1:
            self.sale.add_product(products[0])
            self.search.clear()
            return
        if not products:
            self.show_message(self.tr("No product matches '{0}'").format(text or self.search.text().strip()),
                              "warning")
            return
        names = [f"{p.label(self._lang)} — {p.sku}" for p in products]
        completer = QCompleter(names, self.search)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(lambda text: self._pick(text, products))
        self.search.setCompleter(completer)
        completer.setCompletionPrefix("")
        completer.complete()
        self.show_message(self.tr("{0} products match: pick one from the list").format(len(products)), "info")

    def _pick(self, text: str, products: list[ProductInfo]) -> None:
        sku = text.rsplit(" — ", 1)[-1]
        for product in products:
            if product.sku == sku:
                self.sale.add_product(product)
        self.search.setCompleter(None)
        QTimer.singleShot(0, self.search.clear)

    def _refused(self, exc: Exception) -> None:
        self.show_message(error_text(exc))

    # -- state --------------------------------------------------------------------------------------------
    def _row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else self.sale.model.rowCount() - 1

    def _keep_selection(self) -> None:
        rows = self.sale.model.rowCount()
        if rows:
            self.table.selectRow(min(getattr(self, "_last_row", rows - 1), rows - 1))

    def _sale_changed(self) -> None:
        self._last_row = self._row()
        self.rewards.show_quote(self.sale.quote, self.sale.state.punch_rewards, self.sale.state.lines,
                                self.sale.member)
        self.member_panel.promotions.show_sale(self.sale.state.coupons, self.sale.state.vouchers, self.sale.quote)
        self._enable_line_buttons()

    def _enable_line_buttons(self) -> None:
        has_lines = bool(self.sale.state.lines)
        for button in (self.plus, self.minus, self.remove, self.void, self.pay, self.park):
            button.setEnabled(has_lines)

    def _member_changed(self, view: object) -> None:
        self.member_panel.show_member(view)  # type: ignore[arg-type]
        if view is not None:
            self.member_panel.code.clear()

    def confirm_void(self) -> None:
        """Ctrl+Del: ask before voiding (`ui.void_dialog`); the sale is voided and audited only on "Void sale"."""
        if not self.sale.state.lines:
            return
        quote = self.sale.quote
        total = quote.total if quote is not None else sum(ln.qty * ln.unit_price for ln in self.sale.state.lines)
        dialog = VoidDialog(len(self.sale.state.lines), total, self.sale.model.currency(), self)
        dialog.confirmed.connect(self.sale.void_sale)
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: self.focus_search())
        self.void_dialog = dialog
        dialog.open()

    def show_message(self, text: str, severity: str = "error") -> None:
        """Show a message in the message area (replacing the previous one; no dialogs), coloured by
        `severity`: success, info, warning or error (the default: refusals and failures)."""
        fg, bg = SEVERITY_COLOURS.get(severity, SEVERITY_COLOURS["error"])
        self.messages.setProperty("severity", severity)
        self.messages.setStyleSheet(f"QLabel#messageArea {{ color: {fg}; background: {bg}; border-radius: 4px; "
                                    f"padding: 2px 6px; }}" if text else "")
        self.messages.setText(text)
        self._message_timer.start()

    def index_of(self, sku: str) -> QModelIndex:
        model = self.sale.model
        for row in range(model.rowCount()):
            if model.lines()[row].sku == sku:
                return model.index(row, 0)
        return QModelIndex()
