"""`kupa config set|show` (the terminal's receipt printer, paper and drawer) and `kupa receipt print|failed`.

`kupa receipt print REF` prints the receipt of a recorded sale on the terminal's printer (or `--printer URL`),
or writes it as an 80 mm PDF with `--out FILE.pdf`; a sale whose receipt was printed before comes out marked
"COPY". REF is a sale id or a unique prefix of one (at least 6 characters). When the printer fails, the
command says why (exit 1) and that the sale is recorded; the failure is kept (`kupa receipt failed`).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, Callable

from pos_client.cli.output import emit, error, report_error, say
from pos_client.messages import current_language, message
from pos_client.services import printing
from pos_client.terminal import Terminal


def register(sub: Any, cmd: Callable[..., argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    """Add `config set|show` and `receipt print|failed` to the main parser's subparsers `sub`."""
    group = sub.add_parser("config", help="the terminal's printer settings").add_subparsers(
        dest="sub", required=True, parser_class=parser_class)
    p = cmd("set", config_set, "set printer (URL or none), paper (80|58) or drawer (cash|never)", group)
    p.add_argument("key", metavar="KEY", help="printer | paper | drawer")
    p.add_argument("value", metavar="VALUE")
    cmd("show", config_show, "show the printer settings", group)

    group = sub.add_parser("receipt", help="receipts").add_subparsers(dest="sub", required=True,
                                                                    parser_class=parser_class)
    p = cmd("print", receipt_print, "print a sale's receipt (again: it says COPY), or save it as PDF", group)
    p.add_argument("ref", metavar="SALE", help="the sale's id (or a unique prefix of it, 6 characters or more)")
    p.add_argument("--printer", metavar="URL", help="this printer instead of the terminal's")
    p.add_argument("--out", type=Path, metavar="FILE.pdf", help="write an 80 mm PDF instead of printing")
    cmd("failed", receipt_failed, "sales whose receipt did not print (to reprint)", group)

    group = sub.add_parser("drawer", help="the cash drawer").add_subparsers(dest="sub", required=True,
                                                                          parser_class=parser_class)
    p = cmd("open", drawer_open, "open the drawer without a sale (a 'no sale', audited)", group)
    p.add_argument("--reason", help="why (change for a customer, a float check)")
    p.add_argument("--cashier-pin", help="who opens it (or KUPA_CASHIER_PIN)",
                   default=os.environ.get("KUPA_CASHIER_PIN"))
    p.add_argument("--printer", metavar="URL", help="the drawer on this printer instead of the terminal's")


CONFIG_LINE = message("cli.config_line", en="printer: {printer}; paper: {paper} mm; drawer: {drawer}",
                      he="מדפסת: {printer}; נייר: {paper} מ״מ; מגירה: {drawer}")
NO_PRINTER_SET = message("cli.config_no_printer", en="none", he="אין")
PRINTED = message("cli.receipt_printed", en="Receipt of sale {ref} printed on {printer}.",
                  he="הקבלה של מכירה {ref} הודפסה במדפסת {printer}.")
PRINTED_COPY = message("cli.receipt_printed_copy", en="Copy of the receipt of sale {ref} printed on {printer}.",
                       he="העתק של הקבלה של מכירה {ref} הודפס במדפסת {printer}.")
SAVED = message("cli.receipt_saved", en="Receipt of sale {ref} written to {path}.",
                he="הקבלה של מכירה {ref} נכתבה אל {path}.")
SALE_KEPT = message("cli.receipt_sale_kept",
                    en="The sale {ref} is recorded; print the receipt again later: kupa receipt print {ref}",
                    he="המכירה {ref} נרשמה; הדפיסו את הקבלה שוב מאוחר יותר: kupa receipt print {ref}")
NONE_FAILED = message("cli.receipt_none_failed", en="Every receipt tried was printed.",
                      he="כל הקבלות שנוסו הודפסו.")
FAILED_LINE = message("cli.receipt_failed_line", en="{sale_id}  last try {last_try}  ({reason})",
                      he="{sale_id}  ניסיון אחרון {last_try}  ({reason})")


def _config_text(config: printing.PrinterConfig) -> str:
    return say(CONFIG_LINE, printer=config.printer.url if config.printer else say(NO_PRINTER_SET),
               paper=config.paper, drawer=config.drawer)


def config_set(args: argparse.Namespace) -> int:
    config = printing.set_config(Terminal.open(args.data_dir), args.key, args.value)
    emit(config.to_json(), args.json, _config_text(config))
    return 0


def config_show(args: argparse.Namespace) -> int:
    config = printing.printer_config(Terminal.open(args.data_dir))
    emit(config.to_json(), args.json, _config_text(config))
    return 0


def receipt_print(args: argparse.Namespace) -> int:
    terminal = Terminal.open(args.data_dir)
    lang = current_language()
    if args.out is not None:
        outcome = printing.save_receipt_pdf(terminal, args.ref, args.out, lang=lang)
        emit(outcome.to_json(lang), args.json, say(SAVED, ref=outcome.reference, path=args.out))
        return 0
    outcome = printing.print_receipt(terminal, args.ref, lang=lang, printer=args.printer)
    if outcome.error is not None:
        report_error(outcome.error, args.json)
        error(say(SALE_KEPT, ref=outcome.reference))
        return 1
    emit(outcome.to_json(lang), args.json,
         say(PRINTED_COPY if outcome.copy else PRINTED, ref=outcome.reference, printer=outcome.printer))
    return 0


DRAWER_OPENED = message("cli.drawer_opened", en="Drawer opened on {printer} (no sale {audit_id}).",
                        he="המגירה נפתחה דרך {printer} (ללא מכירה, {audit_id}).")


def drawer_open(args: argparse.Namespace) -> int:
    outcome = printing.open_drawer_no_sale(Terminal.open(args.data_dir), reason=args.reason,
                                           cashier_pin=args.cashier_pin, printer=args.printer)
    if outcome.error is not None:
        report_error(outcome.error, args.json)
        return 1
    emit({"audit_id": outcome.audit_id, "printer": outcome.printer}, args.json,
         say(DRAWER_OPENED, printer=outcome.printer, audit_id=outcome.audit_id))
    return 0


def receipt_failed(args: argparse.Namespace) -> int:
    rows = printing.failed_receipts(Terminal.open(args.data_dir))
    lines = [say(FAILED_LINE, sale_id=row["sale_id"], last_try=row["last_try"], reason=row["message_code"])
             for row in rows] or [say(NONE_FAILED)]
    emit({"failed": rows}, args.json, lines)
    return 0
