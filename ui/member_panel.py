"""The member panel: identify a member and show their standing (tier, points, stamps, plan, birthday), and
their coupons, vouchers and the offers that apply now (`ui.promotions_list`, `self.promotions`).

Signals:
    identify_requested(str): the cashier typed or scanned a code and pressed Enter.
    search_requested(str): Find (F3): search members by name, phone or id (starting from the typed text).
    clear_requested(): the cashier removed the member from the sale.
    enrol_requested(): the cashier wants to enrol a new member.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from pos_client.money import format_money
from pos_client.services.till import ProgramLabels
from pos_client.timeutil import store_day
from ui.camera_view import CameraView
from ui.promotions_list import PromotionsList


class MemberPanel(QFrame):
    """Member lookup and status."""

    identify_requested = Signal(str)
    search_requested = Signal(str)
    clear_requested = Signal()
    enrol_requested = Signal()

    def __init__(self, labels: ProgramLabels, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memberPanel")
        self._labels, self._lang = labels, "en"
        self._view: dict[str, Any] | None = None
        self.code = QLineEdit(objectName="memberCode")
        self.code.setClearButtonEnabled(True)
        self.find_button = QPushButton(objectName="findMember")
        self.clear = QPushButton(objectName="clearMember")
        self.enrol = QPushButton(objectName="enrolMember")
        self.title = QLabel(objectName="panelTitle")
        self.camera_view = CameraView()  # the webcam preview; the main window attaches the camera
        self.promotions = PromotionsList(labels)
        self.name = QLabel(objectName="memberName")
        self.tier = QLabel(objectName="tierBadge")
        self.points = QLabel(objectName="memberPoints")
        self.stamps = QLabel(objectName="memberStamps")
        self.plan = QLabel(objectName="memberPlan")
        self.birthday = QLabel(objectName="birthdayMark")
        self.progress = QLabel(objectName="tierProgress")
        self.via = QLabel(objectName="identifiedVia")
        for label in (self.stamps, self.progress, self.via, self.name):
            label.setWordWrap(True)
        self.code.returnPressed.connect(self._find)
        self.find_button.clicked.connect(lambda: self.search_requested.emit(self.code.text().strip()))
        self.clear.clicked.connect(self.clear_requested)
        self.enrol.clicked.connect(self.enrol_requested)

        row = QHBoxLayout()
        row.addWidget(self.code, 1)
        row.addWidget(self.find_button)
        head = QHBoxLayout()
        head.addWidget(self.name, 1)
        head.addWidget(self.tier)
        grid = QGridLayout()
        grid.addWidget(self.points, 0, 0)
        grid.addWidget(self.birthday, 0, 1, Qt.AlignmentFlag.AlignTrailing)
        grid.addWidget(self.stamps, 1, 0, 1, 2)
        grid.addWidget(self.plan, 2, 0, 1, 2)
        grid.addWidget(self.progress, 3, 0, 1, 2)
        grid.addWidget(self.via, 4, 0, 1, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear)
        buttons.addStretch(1)
        buttons.addWidget(self.enrol)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.camera_view)
        layout.addLayout(row)
        layout.addLayout(head)
        layout.addLayout(grid)
        layout.addWidget(self.promotions)
        layout.addLayout(buttons)
        self.retranslate()
        self.show_member(None)

    def _find(self) -> None:
        code = self.code.text().strip()
        if code:
            self.identify_requested.emit(code)

    def set_language(self, lang: str) -> None:
        self._lang = lang
        self.promotions.set_language(lang)
        self.show_member(self._view)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Member"))
        self.code.setPlaceholderText(self.tr("Card, phone or member id"))
        self.code.setAccessibleName(self.code.placeholderText())
        self.find_button.setText(self.tr("Find (F3)"))
        self.clear.setText(self.tr("Remove member"))
        self.enrol.setText(self.tr("Enrol (F4)"))
        self.find_button.setShortcut(QKeySequence("F3"))  # after setText, which resets shortcuts
        self.enrol.setShortcut(QKeySequence("F4"))
        self.show_member(self._view)

    def _name(self, section: dict[str, dict[str, str]], code: str) -> str:
        return section.get(code, {}).get(self._lang) or code

    def show_member(self, view: dict[str, Any] | None) -> None:
        """Fill the panel from `till.member_view()` data (None: no member)."""
        self._view = view
        self.promotions.show_member(view)
        details = (self.tier, self.points, self.stamps, self.plan, self.birthday, self.progress, self.via)
        self.clear.setEnabled(view is not None)
        if view is None:
            self.name.setText(self.tr("No member on this sale"))
            for label in details:
                label.setVisible(False)
            return
        for label in details:
            label.setVisible(True)
        cur = view.get("currency", self._labels.currency)
        self.name.setText(view["name"])
        tier = view.get("tier") or ""
        self.tier.setText(self._name(self._labels.tiers, tier) if tier else "—")
        self.tier.setProperty("tier", tier)
        self.tier.style().unpolish(self.tier)
        self.tier.style().polish(self.tier)
        self.points.setText(self.tr("{0} points").format(f"{view['points']:,}"))
        rows = []
        for code, held in view.get("stamps", {}).items():
            needed = view.get("stamps_needed", {}).get(code, 0)
            dots = "●" * min(held, needed) + "○" * max(needed - held, 0)
            rows.append(f"{self._name(self._labels.punch_cards, code)}: {dots}  {held}/{needed}")
        self.stamps.setText("\n".join(rows))
        plan = view.get("membership")
        self.plan.setVisible(bool(plan))
        if plan:
            self.plan.setText(self.tr("{0} until {1}").format(self._name(self._labels.memberships, plan["code"]),
                                                              store_day(plan["expires"], self._labels.timezone)))
        self.birthday.setVisible(bool(view.get("birthday_this_month")))
        self.birthday.setText(self.tr("★ Birthday month"))
        nxt = view.get("next_tier")
        if nxt:
            self.progress.setText(self.tr("{0} more to {1}").format(format_money(nxt["missing"], cur),
                                                                    self._name(self._labels.tiers, nxt["code"])))
        else:
            self.progress.setText(self.tr("Top tier"))
        if view.get("override_by"):
            self.via.setText(self.tr("Spending allowed by {0}").format(view["override_by"]))
        elif view.get("can_spend"):
            self.via.setText(self.tr("Card scanned: points can be spent"))
        else:
            self.via.setText(self.tr("Found without the card: scan the card to spend points"))
        self.via.setProperty("warn", not view.get("can_spend"))
        self.via.style().unpolish(self.via)
        self.via.style().polish(self.via)
