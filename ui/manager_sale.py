"""A sale opened from the member's ledger: what was bought and why each number is what it is; refunds.

`SaleDialog` shows a `manager_reports.SaleDetail` (lines, totals, the stored quote's explanation, earlier
refunds) and refunds the whole sale or chosen quantities of its lines with a reason (`services.refunds.refund`,
audited with the manager's id). `CardImageDialog` shows a newly issued card's QR code, to print or hand over.

Signals (SaleDialog):
    refunded(object): the `RefundResult`.
"""

from __future__ import annotations

import html
from functools import partial

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget)

from pos_client.money import format_money
from pos_client.services import refunds
from pos_client.services.manager_actions import check_reason
from pos_client.services.manager_reports import SaleDetail
from pos_client.terminal import Terminal
from ui.i18n import error_text
from ui.worker import DbWorker


def _tr(text: str) -> str:
    return QCoreApplication.translate("ManagerSale", text)


def sale_html(detail: SaleDetail) -> str:
    """The sale as a small HTML receipt (the explanation is the core's own wording)."""
    money = partial(format_money, currency=detail.currency)
    esc = html.escape
    rows = "".join(f"<tr><td>{esc(line.name)}</td><td align='center'>{line.qty}</td>"
                   f"<td align='right'>{money(line.paid)}</td></tr>" for line in detail.lines)
    parts = [f"<p><b>{esc(_tr('Sale {0}').format(detail.receipt_no or detail.sale_id))}</b><br>{esc(detail.when)} · "
             f"{esc(_tr('Cashier: {0}').format(detail.cashier or '—'))}</p>",
             f"<table width='100%'>{rows}</table>",
             f"<p>{esc(_tr('Total paid'))}: <b>{money(detail.total)}</b> · "
             f"{esc(_tr('Points earned'))}: {detail.points_earned} · "
             f"{esc(_tr('Points redeemed'))}: {detail.redeemed_points}</p>"]
    if detail.explain:
        parts.append("<ul>" + "".join(f"<li>{esc(x)}</li>" for x in detail.explain) + "</ul>")
    for refund_id, when, back in detail.refunds:
        parts.append(f"<p>{esc(_tr('Refund {0} on {1}: {2} back').format(refund_id, when, money(back)))}</p>")
    return "".join(parts)


class SaleDialog(QDialog):
    """One recorded sale with whole or partial refund (see the module docstring)."""

    refunded = Signal(object)

    def __init__(self, worker: DbWorker, terminal: Terminal, pin: str, detail: SaleDetail,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saleDialog")
        self._worker, self._terminal, self._pin, self.detail = worker, terminal, pin, detail
        self.setWindowTitle(_tr("Sale {0}").format(detail.receipt_no or detail.sale_id))
        self.view = QTextBrowser(objectName="saleText")
        self.view.setHtml(sale_html(detail))
        self.lines = QTableWidget(len(detail.lines), 3, objectName="refundLines")
        self.lines.setHorizontalHeaderLabels([_tr("Item"), _tr("Sold / refunded"), _tr("Refund now")])
        self.spins: list[QSpinBox] = []
        for row, line in enumerate(detail.lines):
            self.lines.setItem(row, 0, QTableWidgetItem(line.name))
            self.lines.setItem(row, 1, QTableWidgetItem(f"{line.qty} / {line.refunded}"))
            spin = QSpinBox()
            spin.setRange(0, line.qty - line.refunded)
            self.lines.setCellWidget(row, 2, spin)
            self.spins.append(spin)
        self.lines.horizontalHeader().setStretchLastSection(True)
        self.reason = QLineEdit(objectName="refundReason")
        self.reason.setMaxLength(200)
        self.message = QLabel(objectName="dialogMessage")
        self.message.setWordWrap(True)
        self.refund_lines = QPushButton(_tr("Refund the chosen quantities"), objectName="refundLinesButton")
        self.refund_all = QPushButton(_tr("Refund the whole sale"), objectName="refundAllButton")
        for button in (self.refund_lines, self.refund_all):
            button.setEnabled(detail.refundable)
        self.refund_lines.clicked.connect(lambda: self.refund(whole=False))
        self.refund_all.clicked.connect(lambda: self.refund(whole=True))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_tr("Close"))
        close.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(_tr("Reason (for the audit log)"), self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 2)
        layout.addWidget(self.lines, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        for widget in (self.refund_lines, self.refund_all, close):
            layout.addWidget(widget)
        self.resize(560, 640)

    def refund(self, whole: bool) -> None:
        """Refund the whole sale or the quantities chosen per line."""
        try:
            reason = check_reason(self.reason.text())
        except Exception as exc:  # noqa: BLE001 - a KupaError, shown in the dialog
            self.message.setText(error_text(exc))
            return
        items = None
        if not whole:
            items = [(line.sku, spin.value()) for line, spin in zip(self.detail.lines, self.spins) if spin.value()]
            if not items:
                self.message.setText(_tr("Choose the quantities to refund"))
                return
        terminal, pin, sale_id = self._terminal, self._pin, self.detail.sale_id
        for button in (self.refund_lines, self.refund_all):
            button.setEnabled(False)
        self._worker.submit(lambda: refunds.refund(terminal, sale_id, items, pin, reason), self._done,
                            self._refused)

    def _done(self, result: refunds.RefundResult) -> None:
        self.refunded.emit(result)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        for button in (self.refund_lines, self.refund_all):
            button.setEnabled(True)
        self.message.setText(error_text(exc))


class CardImageDialog(QDialog):
    """A new card's image (QR code and card number), large."""

    def __init__(self, png: bytes, card_number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardImageDialog")
        self.setWindowTitle(_tr("New card {0}").format(card_number))
        self.image = QLabel(objectName="cardImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = QPixmap()
        pixmap.loadFromData(png)
        self.image.setPixmap(pixmap.scaledToWidth(560, Qt.TransformationMode.SmoothTransformation))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_tr("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.image)
        layout.addWidget(buttons)
