"""Printing receipts: the terminal's printer settings, and one print job per receipt, recorded.

The sale is committed before anything is printed (the checkout's unit of work ends first); printing reads the
sale back, renders it (`pos_client.receipts`), sends it, and then records the job in `print_jobs` — printed, or
failed with the refusal's message code — in a transaction of its own. A printer that is off, refuses, times
out or is out of paper therefore never blocks or loses a sale: the caller gets a `PrintOutcome` carrying the
`PrinterError`, shows it, and the cashier reprints later (`kupa receipt print REF`, the app's Reprint).

A receipt is a *copy* (printed "COPY") when a receipt of that sale was already printed or saved: the first
print that succeeds is the original, even if an earlier attempt failed.

The cash drawer opens (ESC p through the printer) with the first print of a sale paid in cash, when the
terminal's `drawer` setting is `cash`; never on a reprint, a refund or a PDF. "Paid in cash" is read from the
sale's tenders (`_paid_in_cash`): a card-only sale does not open the drawer.

Settings (the `settings` table, set with `kupa config set KEY VALUE`): `printer` (a printer URL, see
`pos_client.receipts.printer_url`, or `none`), `paper` (80 or 58 mm), `drawer` (`cash` or `never`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.db.models import PrintJob, Setting, Tender
from pos_client.errors import InvalidInputError, KupaError, StateError
from pos_client.ids import new_id
from pos_client.messages import jsonable, message
from pos_client.receipts.document import Receipt, load_receipt
from pos_client.receipts.printer_url import PrinterTarget, parse_printer_url
from pos_client.receipts.render import PAPER_WIDTHS, receipt_pdf, text_image, thermal_image
from pos_client.receipts.thermal import PrinterError, open_drawer, print_image
from pos_client.sales import find_sale
from pos_client.services import audit, staff, voids
from pos_client.tender import TenderKind
from pos_client.terminal import Terminal, put_setting
from pos_client.timeutil import to_iso, utcnow

log = logging.getLogger(__name__)
DrawerRule = Literal["cash", "never"]
SETTING_KEYS = ("printer", "paper", "drawer")
PDF_PRINTER = "pdf"

UNKNOWN_KEY = message("config.unknown_key", en="'{key}' is not a terminal setting (one of: {keys})",
                      he="'{key}' אינה הגדרה של הקופה (אחת מ־{keys})")
BAD_PAPER = message("config.bad_paper", en="paper width '{value}' is not one Kupa prints on: use 80 or 58 (mm)",
                    he="רוחב נייר '{value}' אינו נתמך: השתמשו ב־80 או ב־58 (מ״מ)")
BAD_DRAWER = message("config.bad_drawer", en="drawer '{value}' is not a choice: use 'cash' (open on cash sales) or 'never'",
                     he="מגירה '{value}' אינה אפשרות: השתמשו ב־'cash' (פתיחה במכירה במזומן) או ב־'never'")
NO_PRINTER = message("printer.not_set",
                     en="no receipt printer is set on this terminal: 'kupa config set printer tcp://HOST:9100' "
                        "(or give --printer URL, or --out FILE.pdf)",
                     he="לא הוגדרה מדפסת קבלות בקופה זו: 'kupa config set printer tcp://HOST:9100' "
                        "(או ציינו --printer URL, או --out FILE.pdf)")


@dataclass(frozen=True)
class PrinterConfig:
    """The terminal's receipt printer, paper width and drawer rule."""

    printer: PrinterTarget | None = None
    paper: int = 80
    drawer: DrawerRule = "cash"

    def to_json(self) -> dict[str, Any]:
        return {"printer": self.printer.url if self.printer else None, "paper": self.paper,
                "dots": {80: 576, 58: 384}[self.paper], "drawer": self.drawer}


@dataclass(frozen=True)
class PrintOutcome:
    """How one print job ended. `error` is the refusal when it did not print (the sale is recorded anyway)."""

    job_id: str
    sale_id: str
    reference: str
    printer: str
    copy: bool
    drawer: bool
    error: PrinterError | None = None
    path: str | None = None

    @property
    def printed(self) -> bool:
        return self.error is None

    def to_json(self, lang: str) -> dict[str, Any]:
        data: dict[str, Any] = {"job_id": self.job_id, "sale_id": self.sale_id, "reference": self.reference,
                                "printer": self.printer, "printed": self.printed, "copy": self.copy,
                                "drawer_opened": self.drawer and self.printed, "path": self.path}
        if self.error is not None:
            data["error"] = self.error.to_json(lang)
        return data


def read_config(session: Session) -> PrinterConfig:
    """The settings as stored (a stored value that no longer parses is treated as unset, and logged)."""
    values = {row.key: json.loads(row.value) for row in
              session.scalars(select(Setting).where(Setting.key.in_(SETTING_KEYS)))}
    target = None
    if values.get("printer"):
        try:
            target = parse_printer_url(str(values["printer"]))
        except KupaError:
            log.warning("the stored printer %r does not parse; ignored", values["printer"])
    paper = int(values.get("paper") or 80)
    drawer: DrawerRule = "never" if values.get("drawer") == "never" else "cash"
    return PrinterConfig(target, paper if paper in PAPER_WIDTHS else 80, drawer)


def printer_config(terminal: Terminal) -> PrinterConfig:
    with terminal.read() as session:
        return read_config(session)


def set_config(terminal: Terminal, key: str, value: str, *, user_id: str | None = None) -> PrinterConfig:
    """Set one printer setting (validated before anything is written; the change is audited)."""
    key = (key or "").strip().lower()
    text = (value or "").strip()
    stored: object
    if key == "printer":
        stored = None if text.lower() in ("none", "off", "") else parse_printer_url(text).url
    elif key == "paper":
        digits = text.lower().removesuffix("mm").strip()
        if not digits.isdigit() or int(digits) not in PAPER_WIDTHS:
            raise InvalidInputError(BAD_PAPER, value=value)
        stored = int(digits)
    elif key == "drawer":
        if text.lower() not in ("cash", "never"):
            raise InvalidInputError(BAD_DRAWER, value=value)
        stored = text.lower()
    else:
        raise InvalidInputError(UNKNOWN_KEY, key=key, keys=", ".join(SETTING_KEYS))
    with terminal.unit_of_work() as session:
        put_setting(session, key, stored)
        audit.record(session, utcnow(), user_id, "config_set", key, "terminal setting", {"value": stored})
    return printer_config(terminal)


def print_receipt(terminal: Terminal, ref: str, *, lang: str, printer: str | None = None,
                  after_sale: bool = False) -> PrintOutcome:
    """Print the receipt of sale `ref` (a sale id or a unique prefix) on `printer` or the terminal's printer.

    `after_sale` is the automatic print right after a checkout: the only one that may open the drawer.
    A printer failure is returned in the outcome (and recorded), never raised; bad input is raised.
    """
    target = parse_printer_url(printer) if printer else None
    with terminal.read() as session:
        sale_id = find_sale(session, ref).sale_id
        config = read_config(session)
        receipt, copy = _receipt(session, sale_id)
        drawer = (after_sale and not copy and config.drawer == "cash" and receipt.kind == "sale"
                  and _paid_in_cash(session, sale_id))
    target = target or config.printer
    if target is None:
        raise StateError(NO_PRINTER)
    error: PrinterError | None = None
    try:
        print_image(target, thermal_image(receipt.as_copy() if copy else receipt, lang, config.paper),
                    open_drawer=drawer)
    except PrinterError as exc:
        error = exc
        log.info("receipt of sale %s not printed: %s", sale_id, exc.message)  # the caller tells the cashier
    job_id = _record(terminal, sale_id, target.url, copy, drawer, error)
    return PrintOutcome(job_id, sale_id, receipt.reference, target.url, copy, drawer, error)


def print_lines(terminal: Terminal, lines: Sequence[str], *, lang: str, printer: str | None = None) -> str:
    """Print report lines (a shift's X or Z report) on `printer` or the terminal's; the printer's URL.
    A failure raises `PrinterError` (by code): the report itself is kept whatever the printer does."""
    target = parse_printer_url(printer) if printer else None
    with terminal.read() as session:
        config = read_config(session)
    target = target or config.printer
    if target is None:
        raise StateError(NO_PRINTER)
    print_image(target, text_image(lines, lang, config.paper), open_drawer=False)
    return target.url


@dataclass(frozen=True)
class NoSale:
    """A "no sale": the audit row written first, then the drawer's pulse (`error` when the printer failed)."""

    audit_id: str
    printer: str
    error: PrinterError | None


def open_drawer_no_sale(terminal: Terminal, *, reason: str | None, cashier_pin: str | None = None,
                        printer: str | None = None) -> NoSale:
    """Open the cash drawer without a sale (change for a customer, a float check): audited first, under the
    staff member whose PIN is given (`staff.acting`: required once the store has cashiers), so a drawer that
    opened is never unaccounted for; a printer failure is returned, not raised (the audit row stays: someone
    asked for the drawer)."""
    target = parse_printer_url(printer) if printer else None
    with terminal.unit_of_work() as session:
        who = staff.acting(session, cashier_pin)
        target = target or read_config(session).printer
    if target is None:
        raise StateError(NO_PRINTER)
    audit_id = voids.no_sale(terminal, who, reason)
    try:
        open_drawer(target)
    except PrinterError as exc:
        return NoSale(audit_id, target.url, exc)
    return NoSale(audit_id, target.url, None)


def save_receipt_pdf(terminal: Terminal, ref: str, path: Path, *, lang: str) -> PrintOutcome:
    """Write the receipt of sale `ref` as an 80 mm PDF at `path` (a copy if it was printed before)."""
    with terminal.read() as session:
        sale_id = find_sale(session, ref).sale_id
        receipt, copy = _receipt(session, sale_id)
    path.write_bytes(receipt_pdf(receipt.as_copy() if copy else receipt, lang))
    job_id = _record(terminal, sale_id, PDF_PRINTER, copy, False, None)
    return PrintOutcome(job_id, sale_id, receipt.reference, PDF_PRINTER, copy, False, path=str(path))


def receipt_for(terminal: Terminal, sale_id: str) -> Receipt:
    """The receipt document of a recorded sale (the screen shows it; no job is recorded)."""
    with terminal.read() as session:
        return load_receipt(session, sale_id)


def failed_receipts(terminal: Terminal) -> list[dict[str, Any]]:
    """Sales whose latest print attempt failed: what is waiting for a reprint (oldest first)."""
    with terminal.read() as session:
        jobs = session.execute(select(PrintJob.sale_id, PrintJob.status, PrintJob.created_at, PrintJob.error_code)
                               .order_by(PrintJob.created_at)).all()
    last: dict[str, dict[str, Any]] = {}
    for sale_id, status, created_at, code in jobs:
        last.pop(sale_id, None)  # re-inserted at the end: the list stays in order of the latest attempt
        last[sale_id] = {"sale_id": sale_id, "last_try": created_at, "message_code": code, "status": status}
    return [{key: row[key] for key in ("sale_id", "last_try", "message_code")}
            for row in last.values() if row["status"] == "failed"]


def _receipt(session: Session, sale_id: str) -> tuple[Receipt, bool]:
    copy = session.scalar(select(PrintJob.job_id).where(PrintJob.sale_id == sale_id,
                                                        PrintJob.status == "printed").limit(1)) is not None
    return load_receipt(session, sale_id), copy


def _paid_in_cash(session: Session, sale_id: str) -> bool:
    """Whether the sale was paid (at least partly) in cash: the drawer opens for cash only."""
    return session.scalar(select(Tender.sale_id).where(
        Tender.sale_id == sale_id, Tender.kind == TenderKind.CASH.value).limit(1)) is not None


def _record(terminal: Terminal, sale_id: str, printer: str, copy: bool, drawer: bool,
            error: PrinterError | None) -> str:
    """Write the job's row; a database that cannot take it does not turn a printed receipt into a failure."""
    job_id = new_id()
    try:
        with terminal.unit_of_work() as session:
            session.add(PrintJob(job_id=job_id, sale_id=sale_id, created_at=to_iso(utcnow()), printer=printer,
                                 copy=copy, drawer=drawer and error is None,
                                 status="failed" if error else "printed",
                                 error_code=error.message_code if error else None,
                                 error_params=json.dumps(jsonable(error.params) if error else {},
                                                         ensure_ascii=False)))
    except KupaError:
        log.exception("the print job of sale %s could not be recorded", sale_id)
    return job_id
