"""`kupa shift open|cash-in|cash-out|report|close|show|list`: the till's shifts, headless.

Amounts are integer minor units, as everywhere on the command line (`--float 50000` is ₪500.00). Opening,
closing and moving cash take the manager's PIN (`--pin`); the X report (`report`) and `show` read only.
Without `--json` a report prints as the lines `pos_client.reports.shift_text.report_lines` renders, in the
command line's language.
"""

from __future__ import annotations

import argparse
from typing import Any, Callable

from pos_client.cli.commands import _int, _open
from pos_client.cli.output import emit, error, say
from pos_client.messages import current_language, message
from pos_client.reports.shift_text import report_lines
from pos_client.receipts.thermal import PrinterError
from pos_client.services import printing, shifts
from pos_client.terminal import Terminal


def register(sub: Any, cmd: Callable[..., argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    group = sub.add_parser("shift", help="open, report and close the till's shift").add_subparsers(
        dest="sub", required=True, parser_class=parser_class)
    p = cmd("open", open_, "open a shift with a cash float", group)
    p.add_argument("--float", required=True, dest="float_amount", metavar="AMOUNT", help="minor units")
    p.add_argument("--pin", required=True, metavar="MANAGER_PIN")
    for name, func in (("cash-in", cash_in), ("cash-out", cash_out)):
        p = cmd(name, func, "put cash into the drawer" if name == "cash-in" else "take cash out of the drawer",
                group)
        p.add_argument("amount", metavar="AMOUNT", help="minor units")
        p.add_argument("--reason", required=True)
        p.add_argument("--pin", required=True, metavar="MANAGER_PIN")
    reports = [cmd("report", report, "the open shift's X report (nothing is closed)", group)]
    p = cmd("close", close, "close the shift with the cash counted; shows the Z report (kept)", group)
    p.add_argument("--counted", required=True, metavar="AMOUNT", help="minor units")
    p.add_argument("--pin", required=True, metavar="MANAGER_PIN")
    reports.append(p)
    p = cmd("show", show, "show a shift's kept Z report (or the open shift's X report)", group)
    p.add_argument("shift_id")
    reports.append(p)
    for p in reports:
        p.add_argument("--print", action="store_true", dest="print_report",
                       help="also print it on the terminal's receipt printer (kupa config set printer URL)")
    cmd("list", list_, "the latest shifts", group)


SHIFT_OPENED = message("cli.shift_opened", en="Shift {shift_id} opened with a float of {amount:money}.",
                       he="משמרת {shift_id} נפתחה עם קופה פותחת של {amount:money}.")
CASH_MOVED_IN = message("cli.shift_cash_in", en="{amount:money} put into the drawer ({reason}).",
                        he="{amount:money} הוכנסו למגירה ({reason}).")
CASH_MOVED_OUT = message("cli.shift_cash_out", en="{amount:money} taken out of the drawer ({reason}).",
                         he="{amount:money} הוצאו מהמגירה ({reason}).")
SHIFT_LINE = message("cli.shift_line", en="{shift_id}  opened {opened_at}  closed {closed_at}  over/short {over_short}",
                     he="{shift_id}  נפתחה {opened_at}  נסגרה {closed_at}  עודף/חוסר {over_short}")


def _emit_report(args: argparse.Namespace, terminal: Terminal, data: dict[str, Any]) -> int:
    """Show the report; with `--print`, print it too. A printer failure is reported after the report, which is
    kept (a Z is stored when the shift closes) and can be printed again with `kupa shift show ID --print`."""
    lang = current_language()
    lines = report_lines(data, lang, shifts.store_zone(terminal))
    if args.print_report:
        try:
            data = {**data, "printed_on": printing.print_lines(terminal, lines, lang=lang)}
        except PrinterError as exc:  # the report is shown all the same; the printer's refusal goes to stderr
            emit({**data, "print_error": exc.message_code}, args.json, lines)
            error(exc.text(lang))
            return 1
    emit(data, args.json, lines)
    return 0


def open_(args: argparse.Namespace) -> int:
    info = shifts.open_shift(_open(args), _int(args.float_amount, "--float"), args.pin)
    emit({"shift_id": info.shift_id, "opened_at": info.opened_at, "float": info.float_amount}, args.json,
         say(SHIFT_OPENED, shift_id=info.shift_id, amount=info.float_amount))
    return 0


def _move(args: argparse.Namespace, kind: str) -> int:
    data = shifts.move_cash(_open(args), kind, _int(args.amount, "AMOUNT"), args.reason, args.pin)
    emit(data, args.json, say(CASH_MOVED_IN if kind == "cash_in" else CASH_MOVED_OUT, amount=data["amount"],
                              reason=data["reason"]))
    return 0


def cash_in(args: argparse.Namespace) -> int:
    return _move(args, "cash_in")


def cash_out(args: argparse.Namespace) -> int:
    return _move(args, "cash_out")


def report(args: argparse.Namespace) -> int:
    terminal = _open(args)
    return _emit_report(args, terminal, shifts.x_report(terminal))


def close(args: argparse.Namespace) -> int:
    terminal = _open(args)
    return _emit_report(args, terminal, shifts.close_shift(terminal, _int(args.counted, "--counted"), args.pin))


def show(args: argparse.Namespace) -> int:
    terminal = _open(args)
    return _emit_report(args, terminal, shifts.show(terminal, args.shift_id))


def list_(args: argparse.Namespace) -> int:
    rows = shifts.list_shifts(_open(args))
    emit({"shifts": rows}, args.json, [say(SHIFT_LINE, shift_id=r["shift_id"], opened_at=r["opened_at"],
                                           closed_at=r["closed_at"] or "-",
                                           over_short="-" if r["over_short"] is None else r["over_short"])
                                       for r in rows])
    return 0
