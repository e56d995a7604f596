"""`kupa` — argument parsing and dispatch; each command is a thin call into a service.

Errors a person can act on (`KupaError`) print one line on stderr and exit 1 (with `--json`, also the error
as one JSON object on stdout: `{"error", "message_code", "message", "params"}`); usage errors exit 2
(argparse), and so does a data folder that cannot be used at all (`DamagedStoreError`: a damaged database,
one from a newer Kupa, an unreadable folder); an unexpected failure is logged with its traceback to
`kupa.log` in the data folder (rotating, owner-only) and reported in one calm line (exit 70) — never a
traceback on the terminal.

`--lang en|he` (or `KUPA_LANG`) chooses the language of every sentence, refusals included; it also words
`kupa card issue`'s printed card.

A command given a PIN first waits out the wrong-PIN lock-out (`services.pin_throttle`), before any
transaction opens: a script guessing PINs is slowed down, never the database.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
from pathlib import Path

from pos_client.cli import (clock_commands, commands, coupon_commands, giftcard_commands, manager_commands,
                            printer_commands, report_commands, shift_commands, staff_commands, sync_commands)
from pos_client.cli.output import error, report_error, say
from pos_client.errors import DamagedStoreError, KupaError
from pos_client.messages import LANGUAGES, default_language, message, reset_language, set_language
from pos_client.secure import private_file
from pos_client.terminal import DB_NAME, Terminal, default_data_dir

log = logging.getLogger(__name__)
LOG_NAME = "kupa.log"
UNEXPECTED = message("cli.unexpected",
                     en="unexpected error; nothing half-done was kept. Details were written to {log}",
                     he="שגיאה לא צפויה; שום דבר לא נשמר באמצע. הפרטים נכתבו אל {log}")
UNEXPECTED_NO_LOG = message("cli.unexpected_no_log", en="unexpected error; nothing half-done was kept ({error})",
                            he="שגיאה לא צפויה; שום דבר לא נשמר באמצע ({error})")


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """`kupa.log`: at most 1 MB and 3 older files, each created owner-only (it may name members)."""

    def __init__(self, path: Path) -> None:
        private_file(path)
        super().__init__(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True)

    def _open(self):  # type: ignore[no-untyped-def]
        private_file(Path(self.baseFilename))
        return super()._open()


def _log_unexpected(data_dir: Path, command: str) -> Path | None:
    """Write the current exception's traceback to the data folder's log; where, or None if it cannot."""
    log_path = data_dir / LOG_NAME
    try:
        if not data_dir.is_dir():
            return None
        handler = PrivateRotatingFileHandler(log_path)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    except OSError:
        return None
    crash = logging.getLogger("kupa.crash")  # to the file only: stderr gets the one calm line
    crash.propagate = False
    crash.addHandler(handler)
    try:
        crash.exception("unexpected error in 'kupa %s'", command)
    finally:
        crash.removeHandler(handler)
        handler.close()
    return log_path


_PIN_OPTIONS = ("pin", "cashier_pin", "manager_pin", "old_pin")


def _wait_out_pin_lockout(args: argparse.Namespace) -> None:
    if not (any(getattr(args, name, None) for name in _PIN_OPTIONS) and (Path(args.data_dir) / DB_NAME).exists()):
        return
    terminal = Terminal.open(Path(args.data_dir))
    try:
        terminal.wait_out_pin_lockout()
    finally:
        terminal.close()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        error(message)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="the terminal's folder (default: $KUPA_DATA_DIR or the user's data folder)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object")
    common.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS,
                        help="the language of messages and printed cards (default: $KUPA_LANG or en)")
    parser = _Parser(prog="kupa", description="Kupa loyalty terminal", parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def cmd(name: str, func: commands.Command, help_text: str, parent: argparse._SubParsersAction = sub,  # type: ignore[type-arg]
            ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=help_text, parents=[common])
        p.set_defaults(func=func)
        return p

    p = cmd("init", commands.init, "create the terminal's database")
    p.add_argument("--demo", action="store_true", help="load the demo store")
    p.add_argument("--terminal-id")
    p.add_argument("--manager-pin")
    p.add_argument("--store-name", default="Kupa store")
    p.add_argument("--server")
    p.add_argument("--token")

    program = sub.add_parser("program", help="the loyalty program").add_subparsers(dest="sub", required=True,
                                                                                  parser_class=_Parser)
    p = cmd("load", commands.program_load, "install a program version from a file", program)
    p.add_argument("file", type=Path)
    cmd("show", commands.program_show, "show the program in force", program)

    catalog = sub.add_parser("catalog", help="products").add_subparsers(dest="sub", required=True, parser_class=_Parser)
    p = cmd("load", commands.catalog_load, "load products from CSV or JSON", catalog)
    p.add_argument("file", type=Path)

    member = sub.add_parser("member", help="members").add_subparsers(dest="sub", required=True, parser_class=_Parser)
    p = cmd("add", commands.member_add, "enrol a member", member)
    p.add_argument("--name", required=True)
    p.add_argument("--phone")
    p.add_argument("--email")
    p.add_argument("--birthday")
    p.add_argument("--referred-by")
    p.add_argument("--bonus-weekday", type=int)
    _cashier_pin(p)
    p = cmd("show", commands.member_show, "show a member's status", member)
    p.add_argument("code")
    manager_commands.register(member, sub, cmd)

    for name, func in (("quote", commands.quote), ("checkout", commands.checkout)):
        p = cmd(name, func, "price a basket" if name == "quote" else "record a sale")
        p.add_argument("--member")
        p.add_argument("--item", action="append", default=[], required=True, metavar="SKU[:QTY]")
        p.add_argument("--redeem", default="0", metavar="POINTS")
        p.add_argument("--punch-reward", action="append", default=[], metavar="CODE")
        p.add_argument("--pin", metavar="MANAGER_PIN")
        p.add_argument("--coupon", action="append", default=[], metavar="CODE_OR_TOKEN",
                       help="a public promo code, a member coupon's QR token or its id (repeatable)")
        p.add_argument("--voucher", action="append", default=[], metavar="ID", help="a reward voucher's id")
        p.add_argument("--gift-amount", metavar="AMOUNT", help="the load of an open-amount gift card (minor units)")
        if name == "quote":
            p.add_argument("--at", metavar="ISO8601")
        else:
            p.add_argument("--load-card", metavar="TOKEN",
                           help="the gift lines load this existing gift card (its code) instead of new cards")
            p.add_argument("--pay", action="append",
                           metavar="cash:AMOUNT|card:AMOUNT[:REF]|gift:TOKEN:AMOUNT|credit:AMOUNT",
                           help="a payment (repeat to split); none: paid exactly by card (README)")
            _cashier_pin(p)

    p = cmd("refund", commands.refund, "refund a sale, whole or some items")
    p.add_argument("sale_id", metavar="RECEIPT_OR_SALE_ID", help="the receipt number (T1-000123) or the sale id")
    p.add_argument("--item", action="append", metavar="SKU[:QTY]")
    p.add_argument("--pin", "--manager-pin", dest="pin", required=True, metavar="MANAGER_PIN")
    p.add_argument("--reason", default="customer return")
    p.add_argument("--refund-to", choices=("cash", "card", "credit"),
                   help="the manager's choice of how the money goes back (default: the way the sale was paid)")
    _cashier_pin(p)

    p = cmd("adjust", commands.adjust, "adjust a member's points (manager)")
    p.add_argument("--member", required=True)
    p.add_argument("--points", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--pin", required=True)
    p.add_argument("--allow-negative", action="store_true",
                   help="let the balance go below zero (written to the audit log as an override)")

    p = cmd("donate", commands.donate, "donate a member's points to a charity")
    p.add_argument("--member", required=True)
    p.add_argument("--points", required=True)
    p.add_argument("--charity", required=True)
    p.add_argument("--pin")
    _cashier_pin(p)

    action = sub.add_parser("action", help="program actions").add_subparsers(dest="sub", required=True,
                                                                           parser_class=_Parser)
    p = cmd("grant", commands.action_grant, "grant an action's points", action)
    p.add_argument("--member", required=True)
    p.add_argument("--action", required=True)
    p.add_argument("--pin", required=True, help="the PIN of the cashier (or manager) who grants it, for the audit log")

    card = sub.add_parser("card", help="member cards").add_subparsers(dest="sub", required=True, parser_class=_Parser)
    p = cmd("issue", commands.card_issue, "issue a new card to a member (manager PIN, or MEMBER is their current "
                                          "card's QR token)", card)
    p.add_argument("member", help="member id, card number, phone, or the member's current card token")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--pin", metavar="MANAGER_PIN", help="needed unless MEMBER is the member's current card token")
    p.add_argument("--reason", default="new card")
    p = cmd("revoke", commands.card_revoke, "revoke a card", card)
    p.add_argument("card")
    p.add_argument("--pin", required=True)
    p.add_argument("--reason", default="reported lost")

    p = cmd("scan", commands.scan, "decode codes in image or video files")
    p.add_argument("files", nargs="+")
    p.add_argument("--live", action="store_true",
                   help="replay each file at its own frame rate through the camera's loop; lines get at_ms")

    for module in (coupon_commands, report_commands, sync_commands, clock_commands, shift_commands, staff_commands,
                   printer_commands, giftcard_commands):
        module.register(sub, cmd, _Parser)
    return parser


def _cashier_pin(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cashier-pin", default=os.environ.get("KUPA_CASHIER_PIN") or None, metavar="PIN",
                   help="the PIN of the staff member doing it (default: $KUPA_CASHIER_PIN); a store with "
                        "cashiers requires it on sales (kupa staff require-pin)")


INTERRUPTED = message("cli.interrupted", en="interrupted; nothing half-done was kept",
                      he="הופסק; שום דבר חלקי לא נשמר")

def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    set_language(default_language())
    try:
        return _run(build_parser().parse_args(argv))
    finally:
        reset_language()  # `main()` called in a longer process (the tests) leaves no language behind


def _run(args: argparse.Namespace) -> int:
    args.lang = getattr(args, "lang", None) or default_language()
    set_language(args.lang)
    args.data_dir = getattr(args, "data_dir", None) or default_data_dir()
    args.json = getattr(args, "json", False)
    try:
        _wait_out_pin_lockout(args)
        return int(args.func(args) or 0)
    except DamagedStoreError as exc:
        error(exc.message)
        return 2
    except KupaError as exc:
        report_error(exc, args.json)
        return 1
    except KeyboardInterrupt:
        error(say(INTERRUPTED))
        return 130
    except Exception as exc:  # a bug: keep the details, show a calm line
        log_path = _log_unexpected(Path(args.data_dir), args.command)
        if log_path is None:  # no data folder to keep a log in: name the error, still in one line
            error(say(UNEXPECTED_NO_LOG, error=f"{type(exc).__name__}: {exc}"[:300]))
        else:
            error(say(UNEXPECTED, log=log_path))
        return 70
