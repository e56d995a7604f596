"""The receipt: HTML built from the recorded sale's quote, previewed, printed, saved as PDF.

The document is laid out right-to-left in Hebrew (`dir="rtl"` and the document's text direction), with the
DejaVu fonts the app registers at start (they carry Hebrew glyphs), so printed and PDF receipts read right.
"""

from __future__ import annotations

import html
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QSizeF, Qt
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument, QTextOption
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout,
                               QWidget)

from pos_client.money import format_money
from pos_client.services.till import ProgramLabels
from pos_client.timeutil import store_time
from ui.layout import accessible
from ui.sale import CompletedSale


def _tr(text: str) -> str:
    return QCoreApplication.translate("Receipt", text)


def receipt_html(done: CompletedSale, store: str, labels: ProgramLabels, lang: str) -> str:
    """The receipt as HTML in `lang`."""
    quote, result = done.result.quote, done.result
    money = partial(format_money, currency=quote.currency, lang=lang)  # Babel: "12.50 ₪" in Hebrew
    esc = html.escape
    names = {line.sku: line.label(lang) for line in done.lines}
    rows = []
    for line in quote.lines:
        rows.append(f"<tr><td>{esc(names.get(line.sku, line.name))}</td><td align='center'>{line.qty}</td>"
                    f"<td align='right'>{money(line.amount)}</td></tr>")
        if line.discount:
            rows.append(f"<tr><td colspan='2'>&nbsp;&nbsp;{esc(_tr('Discount'))}</td>"
                        f"<td align='right'>&lrm;−{money(line.discount)}</td></tr>")
    totals = [(_tr("Subtotal"), money(quote.subtotal))]
    if quote.discount_total:
        totals.append((_tr("Discounts"), f"&lrm;−{money(quote.discount_total)}"))
    if quote.redeemed_points:
        totals.append((_tr("Points redeemed: {0}").format(quote.redeemed_points), f"&lrm;−{money(quote.redeemed_value)}"))
    totals.append((f"<b>{esc(_tr('Total'))}</b>", f"<b>{money(quote.total)}</b>"))
    total_rows = "".join(f"<tr><td colspan='2'>{label}</td><td align='right'>{value}</td></tr>"
                         for label, value in totals)
    loyalty = []
    if done.member:
        loyalty.append(esc(_tr("Member: {0} ({1})").format(done.member["name"], done.member["member_id"])))
        loyalty.append(esc(_tr("Points earned: {0}").format(quote.points_earned)))
        loyalty.append(esc(_tr("Points balance: {0}").format(quote.points_balance_after)))
        for code, count in quote.stamps_earned.items():
            name = labels.punch_cards.get(code, {}).get(lang, code)
            loyalty.append(esc(_tr("{0}: +{1} stamps").format(name, count)))
        for code, count in quote.stamps_spent.items():
            name = labels.punch_cards.get(code, {}).get(lang, code)
            loyalty.append(esc(_tr("{0}: free item ({1} stamps used)").format(name, count)))
        if done.member.get("override_by") and (quote.redeemed_points or quote.stamps_spent):
            loyalty.append(esc(_tr("Spending allowed by manager {0}").format(done.member["override_by"])))
    direction = "rtl" if lang == "he" else "ltr"
    when = store_time(result.created_at, labels.timezone).strftime("%Y-%m-%d %H:%M")  # the store's clock
    return (f"<html><body dir='{direction}' style='font-family: DejaVu Sans; font-size: 10pt'>"
            f"<h3 align='center'>{esc(store)}</h3>"
            f"<p align='center'>&lrm;{esc(when)}&lrm;<br/>{esc(_tr('Cashier: {0}').format(done.cashier))}<br/>"
            f"<b>{esc(_tr('Sale {0}').format(result.receipt_no or result.sale_id))}</b></p>"
            f"<table width='100%' cellspacing='2'>{''.join(rows)}<tr><td colspan='3'><hr/></td></tr>"
            f"{total_rows}</table>"
            + (f"<hr/><p>{'<br/>'.join(loyalty)}</p>" if loyalty else "")
            + f"<p align='center'>{esc(_tr('Thank you!'))}</p></body></html>")


def receipt_document(text: str, lang: str) -> QTextDocument:
    document = QTextDocument()
    option = QTextOption()
    option.setTextDirection(Qt.LayoutDirection.RightToLeft if lang == "he" else Qt.LayoutDirection.LeftToRight)
    document.setDefaultTextOption(option)
    document.setHtml(text)
    return document


def save_pdf(text: str, lang: str, path: Path) -> None:
    """Write the receipt to `path` as an 80 mm-wide PDF."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setPageLayout(QPageLayout(QPageSize(QSizeF(80, 200), QPageSize.Unit.Millimeter),
                                      QPageLayout.Orientation.Portrait, QMarginsF(4, 4, 4, 4)))
    receipt_document(text, lang).print_(printer)


class ReceiptDialog(QDialog):
    """Shows the receipt with Print, Save as PDF and New sale (Enter)."""

    def __init__(self, text: str, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptDialog")
        self.setWindowTitle(self.tr("Receipt"))
        self._text, self._lang = text, lang
        self.view = QTextBrowser(objectName="receiptView")
        self.view.setDocument(receipt_document(text, lang))
        self.view.setAccessibleName(accessible("Receipt"))
        self.print_button = QPushButton(self.tr("Print (Ctrl+P)"), objectName="printReceipt")
        self.print_button.setShortcut("Ctrl+P")
        self.pdf_button = QPushButton(self.tr("Save as PDF (Ctrl+S)"), objectName="pdfReceipt")
        self.pdf_button.setShortcut("Ctrl+S")
        self.done_button = QPushButton(self.tr("New sale (Enter)"), objectName="newSale")
        self.done_button.setDefault(True)
        self.print_button.clicked.connect(self._print)
        self.pdf_button.clicked.connect(self._pdf)
        self.done_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.print_button, self.pdf_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.resize(420, 640)

    def _print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            receipt_document(self._text, self._lang).print_(printer)

    def _pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save receipt"), "receipt.pdf", "PDF (*.pdf)")
        if path:
            save_pdf(self._text, self._lang, Path(path))
