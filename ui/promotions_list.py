"""The member's coupons, vouchers and the offers that apply now, each put on the sale with one click or key.

The list is the member panel's data (`till.member_view`: `coupons`, `vouchers`, `offers`, from the core's
`coupon_admin.held` and `promotions.offers.offers_now`); names come from the program's labels in the screen's
language, last valid days are the store's calendar dates the core gives (`valid_until`, already in the store's
zone). What a coupon or voucher took comes from the quote (`coupons_applied`, `vouchers_applied`): nothing is
computed here. Keys (the checkout's, any focus): Alt+C the next coupon not on the sale, Alt+V the next voucher,
Alt+O the first offer with a coupon; pressing a button of one on the sale takes it off.

Signals:
    coupon_chosen(str): a held coupon's token (or a typed code) to put on or take off the sale.
    voucher_chosen(str): a held voucher's id to put on or take off the sale.
    offer_chosen(str): an offer's code: issue its coupon and apply it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from pos_client.money import format_money
from pos_client.pricing.model import Quote
from pos_client.services.till import ProgramLabels

LRI, PDI = "\u2066", "\u2069"  # a left-to-right island: the minus stays before the amount in Hebrew


class PromotionsList(QFrame):
    """Coupons, vouchers and offers of the member on the sale."""

    coupon_chosen = Signal(str)
    voucher_chosen = Signal(str)
    offer_chosen = Signal(str)

    def __init__(self, labels: ProgramLabels, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("promotionsList")
        self._labels, self._lang = labels, "en"
        self._view: Mapping[str, Any] | None = None
        self._on_sale: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        self._quote: Quote | None = None
        self.title = QLabel(objectName="promotionsTitle")
        self.title.setWordWrap(True)  # never wider than the side panel
        self.rows = QVBoxLayout()
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(2)
        self.buttons: list[QPushButton] = []
        self._notes: list[QLabel] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addLayout(self.rows)
        self.setVisible(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._fill()
        super().changeEvent(event)

    def set_language(self, lang: str) -> None:
        self._lang = lang
        self._fill()

    def show_member(self, view: Mapping[str, Any] | None) -> None:
        self._view = view
        self._fill()

    def show_sale(self, coupons: tuple[str, ...], vouchers: tuple[str, ...], quote: Quote | None) -> None:
        """Mark what is on the sale, with what the quote says each took."""
        self._on_sale, self._quote = (coupons, vouchers), quote
        self._fill()

    # -- the keys ---------------------------------------------------------------------------------------------
    def next_coupon(self) -> str | None:
        """Alt+C: the first held coupon not on the sale (else the first: pressing again takes it off)."""
        return self._next([str(c.get("token") or c["id"]) for c in self._items("coupons")], self._on_sale[0])

    def next_voucher(self) -> str | None:
        """Alt+V: the first held voucher not on the sale (else the first)."""
        return self._next([str(v["id"]) for v in self._items("vouchers")], self._on_sale[1])

    def first_offer(self) -> str | None:
        """Alt+O: the first offer that brings a coupon."""
        return next((str(o["code"]) for o in self._items("offers") if o.get("coupon")), None)

    @staticmethod
    def _next(held: Sequence[str], on_sale: tuple[str, ...]) -> str | None:
        return next((ref for ref in held if ref not in on_sale), held[0] if held else None)

    def _items(self, key: str) -> list[dict[str, Any]]:
        return list((self._view or {}).get(key) or [])

    # -- drawing ---------------------------------------------------------------------------------------------
    def _name(self, section: str, code: str) -> str:
        names = self._labels.promotions.get(section, {}).get(code, {})
        return names.get(self._lang) or names.get("en") or code

    def _localised(self, names: Mapping[str, str] | None, fallback: str = "") -> str:
        names = names or {}
        return names.get(self._lang) or names.get("en") or fallback

    def _until(self, item: Mapping[str, Any]) -> str:
        valid = item.get("valid_until")
        if not valid:
            return self.tr("no end date")
        return self.tr("until {0}").format(date.fromisoformat(str(valid)).isoformat())

    def _minus(self, amount: int) -> str:
        return f"{LRI}−{self._money(amount)}{PDI}"

    def _value(self, voucher: Mapping[str, Any]) -> str:
        if voucher.get("free_item") or not voucher.get("value"):
            return self.tr("free item")
        return self._money(int(voucher["value"]))

    def _money(self, amount: int) -> str:
        currency = (self._view or {}).get("currency", self._labels.currency)
        return format_money(amount, currency, self._lang)

    def _taken(self, ref: str, applied: Sequence[Any]) -> int | None:
        return next((int(a.value) for a in applied if a.ref == ref), None)

    def _clear(self) -> None:
        for widget in (*self.buttons, *self._notes):
            self.rows.removeWidget(widget)
            widget.deleteLater()
        self.buttons, self._notes = [], []

    def _button(self, name: str, text: str, on: bool, slot: Any) -> None:
        button = QPushButton(text, objectName=name)
        button.setToolTip(text.replace("\n", " — "))
        # two short lines; never wider than the side panel (a long program name is cut, its tooltip whole)
        button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        button.setCheckable(True)
        button.setChecked(on)
        button.setProperty("promotion", True)
        button.clicked.connect(lambda _checked=False: slot())
        self.rows.addWidget(button)
        self.buttons.append(button)

    def _fill(self) -> None:
        self._clear()
        coupons, vouchers, offers = self._items("coupons"), self._items("vouchers"), self._items("offers")
        self.setVisible(bool(coupons or vouchers or offers))
        self.title.setText(self.tr("Coupons, vouchers and offers (Alt+C, Alt+V, Alt+O)"))
        quote = self._quote
        on_coupons, on_vouchers = self._on_sale
        for coupon in coupons:
            ref, token = str(coupon["id"]), str(coupon.get("token") or coupon["id"])
            name = self._name("coupons", str(coupon["code"]))
            taken = self._taken(ref, quote.coupons_applied) if quote else None
            on = token in on_coupons or ref in on_coupons
            text = (self.tr("✓ Coupon {0}\n{1}").format(name, self._minus(taken)) if on and taken is not None
                    else self.tr("Coupon {0}\n{1}").format(name, self._until(coupon)))
            self._button(f"coupon_{ref}", text, on, lambda t=token: self.coupon_chosen.emit(t))
        groups: dict[tuple[str, object, object], list[dict[str, Any]]] = {}
        for voucher in vouchers:
            ref = str(voucher["id"])
            name = self._name("vouchers", str(voucher["code"]))
            if ref in on_vouchers:  # each voucher on the sale has its own line, with what it took
                taken = self._taken(ref, quote.vouchers_applied) if quote else None
                text = (self.tr("✓ Voucher {0}\n{1}").format(name, self._minus(taken))
                        if taken is not None else self.tr("Voucher {0}\n{1} · {2}").format(
                            name, self._value(voucher), self._until(voucher)))
                self._button(f"voucher_{ref}", text, True, lambda v=ref: self.voucher_chosen.emit(v))
            else:  # the others alike (code, value, last day) on one line: a member may hold many
                key = (str(voucher["code"]), voucher.get("value"), voucher.get("valid_until"))
                groups.setdefault(key, []).append(voucher)
        for (code, _value, _until), alike in groups.items():
            first = alike[0]
            text = self.tr("Voucher {0}\n{1} · {2}").format(self._name("vouchers", code), self._value(first),
                                                           self._until(first))
            if len(alike) > 1:
                text += f" ×{len(alike)}"
            ref = str(first["id"])
            self._button(f"voucher_{ref}", text, False, lambda v=ref: self.voucher_chosen.emit(v))
        for offer in offers:
            code = str(offer["code"])
            name = self._localised(offer.get("name"), code)
            note = self._localised(offer.get("message"))
            if offer.get("coupon"):
                gives = self._name("coupons", str(offer["coupon"]["code"]))
                self._button(f"offer_{code}", self.tr("Offer {0}\nTake: {1}").format(name, gives), False,
                             lambda c=code: self.offer_chosen.emit(c))
            else:
                label = QLabel(self.tr("Offer {0}").format(name) + (f" — {note}" if note else ""),
                               objectName=f"offerNote_{code}")
                label.setWordWrap(True)
                self.rows.addWidget(label)
                self._notes.append(label)
                continue
            if note:
                label = QLabel(note, objectName=f"offerNote_{code}")
                label.setWordWrap(True)
                self.rows.addWidget(label)
                self._notes.append(label)
