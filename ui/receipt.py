"""The receipt on screen, its printing after a sale, Reprint and Save as PDF.

The receipt is the core's document (`pos_client.receipts`): read back from the recorded sale on the database
worker and shown as the very image the thermal printer prints (`render_receipt` at 80 mm, anti-aliased for the
screen), mirrored in Hebrew; its text is the label's accessible text. (Qt's rich text lays out right-to-left
two-column rows wrongly, so the dialog shows the paper rather than an HTML copy of it.) Printing goes to the terminal's ESC/POS printer on a worker of its own (`ReceiptFlow.printer`), so a
printer that takes seconds to time out never holds up the next sale's pricing; the sale was committed before
any of this, and a failure is shown in the dialog and the message area, recorded by the core, and the cashier
reprints with Ctrl+R (a reprint says "COPY"). Ctrl+P still prints on a system (office) printer.

Signals (ReceiptFlow):
    opened(object): the `ReceiptDialog` just shown.
    message(str): a sentence for the checkout's message area (printed, or why not).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from pos_client.errors import KupaError
from pos_client.receipts.document import Receipt, receipt_text
from pos_client.receipts.render import render_receipt, thermal_layout
from pos_client.services import printing
from pos_client.terminal import Terminal
from ui.i18n import error_text
from ui.worker import DbWorker
from ui.layout import accessible


#: The printer's dots are ~0.125 mm; on a screen three quarters of a dot per pixel reads like the paper.
SCREEN_SCALE = 0.75


def receipt_image(receipt: Receipt, lang: str) -> QImage:
    """The receipt as the 80 mm printer draws it, in grey levels (smoother on a screen than the 1-bit raster)."""
    image = render_receipt(receipt, lang, thermal_layout(80))
    data = image.tobytes()
    return QImage(data, image.width, image.height, image.width, QImage.Format.Format_Grayscale8).copy()


class ReceiptView(QLabel):
    """The receipt's image; `toPlainText()` is its text (also the accessible description)."""

    def __init__(self, receipt: Receipt, lang: str) -> None:
        super().__init__(objectName="receiptView")
        self.image = receipt_image(receipt, lang)
        self._text = receipt_text(receipt, lang)
        shown = self.image.scaledToWidth(round(self.image.width() * SCREEN_SCALE),
                                         Qt.TransformationMode.SmoothTransformation)
        self.setPixmap(QPixmap.fromImage(shown))
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setAccessibleDescription(self._text)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft if lang == "he" else Qt.LayoutDirection.LeftToRight)

    def toPlainText(self) -> str:  # noqa: N802 - the QTextBrowser name the receipt view used to have
        return self._text


class ReceiptDialog(QDialog):
    """Shows the receipt with Reprint, Print, Save as PDF and New sale (Enter)."""

    def __init__(self, receipt: Receipt, lang: str, flow: ReceiptFlow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptDialog")
        self.setWindowTitle(self.tr("Receipt"))
        self.receipt, self._lang, self._flow = receipt, lang, flow
        self.view = ReceiptView(receipt, lang)
        scroll = QScrollArea(objectName="receiptScroll")
        scroll.setWidget(self.view)
        scroll.setWidgetResizable(True)
        scroll.setStyleSheet("QScrollArea { background: white; }")
        self.status = QLabel(objectName="printStatus")
        self.status.setWordWrap(True)
        self.reprint_button = QPushButton(self.tr("Reprint (Ctrl+R)"), objectName="reprintReceipt")
        self.reprint_button.setShortcut("Ctrl+R")
        self.view.setAccessibleName(accessible("Receipt"))
        self.print_button = QPushButton(self.tr("Print (Ctrl+P)"), objectName="printReceipt")
        self.print_button.setShortcut("Ctrl+P")
        self.pdf_button = QPushButton(self.tr("Save as PDF (Ctrl+S)"), objectName="pdfReceipt")
        self.pdf_button.setShortcut("Ctrl+S")
        self.done_button = QPushButton(self.tr("New sale (Enter)"), objectName="newSale")
        self.done_button.setDefault(True)
        self.reprint_button.clicked.connect(self.reprint)
        self.print_button.clicked.connect(self._print)
        self.pdf_button.clicked.connect(self._pdf)
        self.done_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.reprint_button, self.print_button, self.pdf_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(round(self.view.image.width() * SCREEN_SCALE) + 60, 700)

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def reprint(self) -> None:
        """Ctrl+R: print the receipt again on the terminal's printer (it comes out marked "COPY")."""
        if self._flow is not None:
            self._flow.print(self.receipt.sale_id, after_sale=False)

    def _print(self) -> None:
        """Ctrl+P: the same image on a system (office) printer, as wide as the page allows at 80 mm."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            image = self.view.image
            page = printer.pageRect(QPrinter.Unit.DevicePixel)
            width = min(int(page.width()), round(80 / 25.4 * printer.resolution()))
            height = round(image.height() * width / image.width())
            painter = QPainter(printer)
            painter.drawImage(QRect(0, 0, width, height), image)
            painter.end()

    def _pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save receipt"), "receipt.pdf", "PDF (*.pdf)")
        if path and self._flow is not None:
            self._flow.save_pdf(self.receipt.sale_id, Path(path))


class ReceiptFlow(QObject):
    """After a sale: read its receipt, show it, print it on the terminal's printer; Reprint and PDF later."""

    opened = Signal(object)
    message = Signal(str)

    def __init__(self, terminal: Terminal, worker: DbWorker, lang: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal, self.worker, self.lang = terminal, worker, lang
        #: Printing has its own thread: a printer that times out must not hold the database worker.
        self.printer = DbWorker(self)
        self.printer.bug.connect(lambda _name: self._status(
            self.tr("Not printed: an unexpected error (details are in the log). The sale is recorded.")))
        self.dialog: ReceiptDialog | None = None

    def completed(self, sale_id: str, lang: str, parent: QWidget | None) -> None:
        """A sale was recorded: show its receipt and, when the terminal has a printer, print it."""
        self.lang = lang

        def load() -> tuple[Receipt, printing.PrinterConfig]:
            return printing.receipt_for(self.terminal, sale_id), printing.printer_config(self.terminal)

        def show(found: tuple[Receipt, printing.PrinterConfig]) -> None:
            receipt, config = found
            self.dialog = ReceiptDialog(receipt, lang, self, parent)
            self.opened.emit(self.dialog)
            self.dialog.open()
            if config.printer is not None:
                self.print(sale_id, after_sale=True)

        self.worker.submit(load, show, lambda exc: self.message.emit(error_text(exc)))

    def print(self, sale_id: str, *, after_sale: bool) -> None:
        """Print on the printer worker; the outcome comes back as a status line (never an exception)."""
        lang = self.lang
        self._status(self.tr("Printing the receipt…"))
        self.printer.submit(lambda: printing.print_receipt(self.terminal, sale_id, lang=lang, after_sale=after_sale),
                            self._printed, self._refused)

    def save_pdf(self, sale_id: str, path: Path) -> None:
        lang = self.lang
        self.worker.submit(lambda: printing.save_receipt_pdf(self.terminal, sale_id, path, lang=lang),
                           lambda _outcome: self._status(self.tr("Receipt saved as {0}").format(path)),
                           self._refused)

    def _printed(self, outcome: printing.PrintOutcome) -> None:
        if outcome.error is not None:
            self._status(self.tr("Not printed: {0} The sale is recorded; reprint with Ctrl+R.").format(
                error_text(outcome.error)))
        elif outcome.copy:
            self._status(self.tr("Copy printed."))
        else:
            self._status(self.tr("Receipt printed."))

    def _refused(self, exc: KupaError) -> None:
        self._status(error_text(exc))

    def _status(self, text: str) -> None:
        if self.dialog is not None:
            self.dialog.show_status(text)
        self.message.emit(text)
