"""The manager's member status page: standing, tier explained, expiry, cards, ledger, and the actions.

Type a member id, card number or phone (Enter), or search by name (the F3 dialog, `ui.member_search`). The
page shows `manager.member_overview()` as computed on the worker: the tier with its qualifying spend, the date
it was reached, what keeps it and the way to the next tier; points with what expires next; stamps per punch
card; the paid plan; birthday; cards; and the ledger (`LedgerModel`). Double-clicking a ledger row of a sale
opens it (`SaleDialog`, with refunds). Each action opens its dialog (`ui.manager_dialogs`) and reloads the
member when it succeeded.

Signals:
    message(str): a line for the manager window's message area.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QTableView, QVBoxLayout, QWidget)

from pos_client.money import format_money
from pos_client.services import manager, manager_reports, refunds, till
from pos_client.services.manager import MemberOverview
from pos_client.terminal import Terminal
from pos_client.timeutil import store_day
from ui.i18n import error_text
from ui.layout import FlowLayout, accessible
from ui.manager_dialogs import ActionDialog, AdjustDialog, CardDialog, DonateDialog, EditMemberDialog, MergeDialog
from ui.manager_models import SALE_ID_ROLE, LedgerModel
from ui.manager_sale import CardImageDialog, SaleDialog
from ui.member_search import MemberSearchDialog
from ui.worker import DbWorker


def _tr(text: str) -> str:
    return QCoreApplication.translate("MemberStatus", text)


class MemberStatusPage(QWidget):
    """See the module docstring."""

    message = Signal(str)

    def __init__(self, worker: DbWorker, terminal: Terminal, labels: till.ProgramLabels, session: Any,
                 lang: str = "en", parent: QWidget | None = None) -> None:
        """`session` has the manager's `pin` (the manager window's `ManagerSession`)."""
        super().__init__(parent)
        self.setObjectName("memberStatusPage")
        self.worker, self.terminal, self.labels, self.session, self.lang = worker, terminal, labels, session, lang
        self.overview: MemberOverview | None = None
        self.dialog: QDialog | None = None  # the open action or sale dialog, kept alive while shown
        self.query = QLineEdit(objectName="statusQuery")
        self.query.returnPressed.connect(lambda: self.load(self.query.text()))
        self.find_button = QPushButton(objectName="statusFind")
        self.find_button.clicked.connect(lambda: self.open_search(self.query.text()))
        self.title = QLabel(objectName="statusTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.tier_box, self.points_box, self.details_box = QGroupBox(), QGroupBox(), QGroupBox()
        self.tier_text, self.points_text, self.details_text = QLabel(objectName="tierText"), \
            QLabel(objectName="pointsText"), QLabel(objectName="detailsText")
        self.progress = QProgressBar(objectName="tierProgress")
        for box, text in ((self.tier_box, self.tier_text), (self.points_box, self.points_text),
                          (self.details_box, self.details_text)):
            text.setWordWrap(True)
            text.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
            inner = QVBoxLayout(box)
            inner.addWidget(text)
        tier_layout = self.tier_box.layout()
        assert tier_layout is not None  # set by the loop above
        tier_layout.addWidget(self.progress)
        self.model = LedgerModel(labels.currency, self)
        self.table = QTableView(objectName="ledgerTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the next control (keyboard-only use)
        self.table.doubleClicked.connect(self.open_sale_at)
        self.buttons: dict[str, QPushButton] = {}
        actions = FlowLayout()  # seven actions: two rows on a narrow screen
        for key in ("adjust", "sale", "revoke", "reissue", "edit", "donate", "merge"):
            button = QPushButton(objectName=f"action_{key}")
            button.setEnabled(False)
            button.clicked.connect(lambda _checked=False, k=key: self.start(k))
            self.buttons[key] = button
            actions.addWidget(button)
        search = QHBoxLayout()
        search.addWidget(self.query, 1)
        search.addWidget(self.find_button)
        grid = QGridLayout()
        grid.addWidget(self.tier_box, 0, 0)
        grid.addWidget(self.points_box, 0, 1)
        grid.addWidget(self.details_box, 0, 2)
        for col in range(3):
            grid.setColumnStretch(col, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(search)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.query.setPlaceholderText(_tr("Member id, card number or phone — Enter; or search by name"))
        self.query.setAccessibleName(self.query.placeholderText())
        self.table.setAccessibleName(accessible("Ledger"))
        self.find_button.setText(_tr("Search by name…"))
        self.tier_box.setTitle(_tr("Tier"))
        self.points_box.setTitle(_tr("Points and stamps"))
        self.details_box.setTitle(_tr("Member"))
        for key, text in (("adjust", _tr("Adjust points")), ("sale", _tr("Open sale / refund")),
                          ("revoke", _tr("Revoke card")), ("reissue", _tr("Reissue card")),
                          ("edit", _tr("Edit details")), ("donate", _tr("Donate points")),
                          ("merge", _tr("Merge duplicate"))):
            self.buttons[key].setText(text)
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.model.Column) - 1)
        if self.overview is not None:
            self.show_overview(self.overview)

    # -- loading ----------------------------------------------------------------------------------------------
    def load(self, code: str) -> None:
        """Show the member behind `code`; a name (no member found) opens the search."""
        code = code.strip()
        if not code:
            return
        terminal = self.terminal

        def refused(exc: Exception) -> None:
            if getattr(exc, "code", "") == "not_found" and not any(ch.isdigit() for ch in code):
                self.open_search(code)
            else:
                self.message.emit(error_text(exc))

        self.worker.submit(lambda: manager.member_overview(terminal, code), self.show_overview, refused)

    def reload(self) -> None:
        if self.overview is not None:
            self.load(self.overview.member_id)

    def open_search(self, text: str = "") -> None:
        dialog = MemberSearchDialog(self.worker, self.terminal, text, self)
        dialog.accepted.connect(lambda: self.load(dialog.chosen() or ""))
        dialog.finished.connect(dialog.deleteLater)
        self.search_dialog = dialog
        dialog.open()

    def _money(self, amount: int) -> str:
        return format_money(amount, self.labels.currency)

    def _tier_name(self, code: str | None) -> str:
        return self.labels.tiers.get(code or "", {}).get(self.lang) or (code or _tr("no tier"))

    def show_overview(self, ov: MemberOverview) -> None:
        """Fill the page from an overview computed on the worker."""
        self.overview = ov
        s, t, e = ov.status, ov.tier, ov.expiry
        self.title.setText(f"{ov.member_id} · {s['name']}")
        tier_lines = [_tr("<b>{0}</b>: qualifying spend {1} over the last {2} days (since {3})").format(
            self._tier_name(t.tier), self._money(t.qualifying_spend), t.window_days, t.window_start.isoformat())]
        if t.reached_on:
            tier_lines.append(_tr("Reached on {0} (spend in the window passed {1})").format(
                t.reached_on.isoformat(), self._money(t.tier_min_spend)))
        if t.holds_until:
            tier_lines.append(_tr("Kept until {0} without new purchases; spending {1} by then keeps it").format(
                t.holds_until.isoformat(), self._money(t.spend_to_keep)))
        elif t.tier_min_spend > 0:
            tier_lines.append(_tr("Kept for the whole window even without new purchases"))
        if t.next_drop_on:
            tier_lines.append(_tr("Next to leave the window: {0} on {1}").format(
                self._money(t.next_drop_amount), t.next_drop_on.isoformat()))
        if t.next_tier:
            tier_lines.append(_tr("Next tier: {0} at {1}; {2} to go").format(
                self._tier_name(t.next_tier), self._money(t.next_min_spend or 0), self._money(t.missing)))
        else:
            tier_lines.append(_tr("Highest tier"))
        self.tier_text.setText("<br>".join(tier_lines))
        self.progress.setValue(t.progress_pct)
        points = [_tr("<b>{0}</b> points").format(s["points"])]
        if e.expiring_now:
            points.append(_tr("{0} points past expiry (written at the next sale)").format(e.expiring_now))
        if e.next_on:
            points.append(_tr("Next to expire: {0} points on {1}").format(e.next_points, e.next_on.isoformat()))
        elif e.expiry_days:
            points.append(_tr("Nothing expires soon"))
        for code, count in (s.get("stamps") or {}).items():
            name = self.labels.punch_cards.get(code, {}).get(self.lang) or code
            points.append(_tr("{0}: {1} of {2} stamps").format(name, count, (s.get("stamps_needed") or {}).get(code, "?")))
        plan = s.get("membership")
        if plan:
            name = self.labels.memberships.get(plan["code"], {}).get(self.lang) or plan["code"]
            points.append(_tr("Plan {0} until {1}").format(name, store_day(plan["expires"], self.labels.timezone)))
        else:
            points.append(_tr("No paid plan"))
        if self.terminal.settings.server_url:  # a standalone terminal has no HQ to wait for
            points.append(_tr("{0} entries waiting for HQ").format(s.get("pending_sync", 0)))
        self.points_text.setText("<br>".join(points))
        details = [_tr("Phone: {0}").format(s.get("phone") or "—"), _tr("E-mail: {0}").format(s.get("email") or "—"),
                   _tr("Birthday: {0}").format(s.get("birthday") or "—")]
        for card in ov.cards:
            details.append(_tr("Card {0}: active").format(card.card_number) if card.active else
                           _tr("Card {0}: revoked {1}").format(
                               card.card_number, store_day(card.revoked_at, self.labels.timezone) if card.revoked_at else "—"))
        if ov.merged_from:
            details.append(_tr("Merged from: {0}").format(", ".join(ov.merged_from)))
        self.details_text.setText("<br>".join(details))
        self.model.set_rows(ov.history)
        for button in self.buttons.values():
            button.setEnabled(True)
        self.buttons["revoke"].setEnabled(any(c.active for c in ov.cards))
        self.buttons["donate"].setEnabled(bool(ov.charities))

    # -- actions ----------------------------------------------------------------------------------------------
    def selected_sale(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.data(index, SALE_ID_ROLE) if index.isValid() else None

    def open_sale_at(self, index: QModelIndex) -> None:
        sale_id = self.model.data(index, SALE_ID_ROLE)
        if sale_id:
            self.open_sale(sale_id)

    def open_sale(self, sale_id: str) -> None:
        terminal = self.terminal

        def show(detail: manager_reports.SaleDetail) -> None:
            dialog = SaleDialog(self.worker, terminal, self.session.pin, detail, self)

            def refunded(result: refunds.RefundResult) -> None:
                self.message.emit(_tr("Refunded: {0} back").format(
                    format_money(result.effect.money_back, detail.currency)))
                self.reload()

            dialog.refunded.connect(refunded)
            dialog.finished.connect(dialog.deleteLater)
            self.dialog = dialog
            dialog.open()

        self.worker.submit(lambda: manager_reports.sale_detail(terminal, sale_id), show,
                           lambda exc: self.message.emit(error_text(exc)))

    def start(self, key: str) -> None:
        """Open the dialog of action `key` for the member shown."""
        ov = self.overview
        if ov is None:
            return
        args = (self.worker, self.terminal, self.session.pin)
        if key == "sale":
            sale_id = self.selected_sale()
            if sale_id:
                self.open_sale(sale_id)
            else:
                self.message.emit(_tr("Select a ledger row of a sale first"))
            return
        active = [c.card_number for c in ov.cards if c.active]
        factories: dict[str, Callable[[], ActionDialog]] = {
            "adjust": lambda: AdjustDialog(*args, ov.member_id, parent=self),
            "revoke": lambda: CardDialog(*args, ov.member_id, active, False, parent=self),
            "reissue": lambda: CardDialog(*args, ov.member_id, active, True, parent=self),
            "edit": lambda: EditMemberDialog(*args, ov.status, parent=self),
            "donate": lambda: DonateDialog(*args, ov.member_id, ov.charities, self.lang, parent=self),
            "merge": lambda: MergeDialog(*args, ov.member_id, parent=self)}
        dialog = factories[key]()
        dialog.succeeded.connect(lambda result: self._action_done(key, result))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def _action_done(self, key: str, result: object) -> None:
        self.message.emit(_tr("Done; written to the audit log"))
        if key == "reissue":
            card = result
            enrolled = till.Enrolled(card.member_id, card.name, card.card_number, card.token, 0)  # type: ignore[attr-defined]
            terminal, issued = self.terminal, _tr("Issued")
            self.worker.submit(lambda: till.card_png(terminal, enrolled, "", issued),
                               lambda png: self._show_card(png, enrolled.card_number))
        self.reload()

    def _show_card(self, png: bytes, number: str) -> None:
        dialog = CardImageDialog(png, number, self)
        dialog.finished.connect(dialog.deleteLater)
        self.card_dialog = dialog
        dialog.open()
