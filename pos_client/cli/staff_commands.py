"""`kupa staff …` (cashiers and managers) and `kupa sale show|list` (recorded sales by receipt number).

The headless forms of the manager's staff screen (`pos_client.services.staff`) and of the ledger's sale
lookup (`pos_client.services.sale_lookup`). A PIN may also come from the environment where a command takes
one for who is acting (`KUPA_CASHIER_PIN`), never a new PIN being set.
"""

from __future__ import annotations

import argparse
from typing import Any, Callable

from pos_client.cli.output import emit, say
from pos_client.messages import message
from pos_client.services import sale_lookup, staff
from pos_client.terminal import Terminal
from pos_client.timeutil import parse_user_date

STAFF_ADDED = message("cli.staff_added", en="Staff member {staff_id} added: {name} ({role}).",
                      he="עובד {staff_id} נוסף: {name} ({role}).")
STAFF_LINE = message("cli.staff_line", en="{staff_id}  {name}  {role}  {state}", he="{staff_id}  {name}  {role}  {state}")
STAFF_ACTIVE = message("cli.staff_active", en="active", he="פעיל")
STAFF_INACTIVE = message("cli.staff_inactive", en="disabled", he="מושבת")
ROLE_CASHIER = message("staff.role_cashier", en="cashier", he="קופאי")
ROLE_MANAGER = message("staff.role_manager", en="manager", he="מנהל")
STAFF_DISABLED = message("cli.staff_disabled", en="Staff member {staff_id} ({name}) disabled.",
                         he="עובד {staff_id} ({name}) הושבת.")
STAFF_PIN_SET = message("cli.staff_pin_set", en="PIN of staff member {staff_id} ({name}) changed.",
                        he="הקוד של עובד {staff_id} ({name}) שונה.")
STAFF_POLICY = message("cli.staff_policy", en="require_cashier_pin is now {value}.",
                       he="require_cashier_pin הוא כעת {value}.")
SALE_LINE = message("cli.sale_line", en="{receipt}  {when}  {kind}  {total:money}  {member}  {cashier}",
                    he="{receipt}  {when}  {kind}  {total:money}  {member}  {cashier}")


def role_text(role: str) -> str:
    """A role's name in the command line's language."""
    return say(ROLE_MANAGER if role == "manager" else ROLE_CASHIER)


def register(sub: Any, cmd: Callable[..., argparse.ArgumentParser], parser_class: type) -> None:
    group = sub.add_parser("staff", help="cashiers and managers").add_subparsers(dest="sub", required=True,
                                                                                parser_class=parser_class)
    p = cmd("add", staff_add, "add a cashier or a manager (manager PIN)", group)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=staff.ROLES)
    p.add_argument("--pin", dest="new_pin", required=True, metavar="PIN", help="the new member's PIN, 4 to 8 digits")
    p.add_argument("--manager-pin", required=True)
    cmd("list", staff_list, "list the staff", group)
    p = cmd("disable", staff_disable, "disable a staff member (manager PIN)", group)
    p.add_argument("staff_id", metavar="ID")
    p.add_argument("--manager-pin", required=True)
    p.add_argument("--reason", default="")
    p = cmd("pin", staff_pin, "change a PIN: your own with --old-pin, or anyone's with --manager-pin", group)
    p.add_argument("staff_id", metavar="ID")
    p.add_argument("--new-pin", required=True)
    p.add_argument("--old-pin")
    p.add_argument("--manager-pin")
    p = cmd("require-pin", staff_require_pin,
            "whether a CLI sale must give --cashier-pin: auto (once there is a cashier), always, never", group)
    p.add_argument("value", choices=staff.POLICIES)
    p.add_argument("--manager-pin", required=True)

    sale = sub.add_parser("sale", help="recorded sales").add_subparsers(dest="sub", required=True,
                                                                       parser_class=parser_class)
    p = cmd("show", sale_show, "show a sale by receipt number (T1-000123) or id", sale)
    p.add_argument("ref", metavar="RECEIPT_OR_ID")
    p = cmd("list", sale_list, "list sales, newest first", sale)
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    p.add_argument("--member", metavar="CODE")


def _open(args: argparse.Namespace) -> Terminal:
    return Terminal.open(args.data_dir)


def staff_add(args: argparse.Namespace) -> int:
    info = staff.add(_open(args), name=args.name, role=args.role, pin=args.new_pin, manager_pin=args.manager_pin)
    emit(info.to_json(), args.json, say(STAFF_ADDED, staff_id=info.staff_id, name=info.name,
                                        role=role_text(info.role)))
    return 0


def staff_list(args: argparse.Namespace) -> int:
    rows = staff.list_all(_open(args))
    emit({"staff": [r.to_json() for r in rows]}, args.json,
         [say(STAFF_LINE, staff_id=r.staff_id, name=r.name, role=role_text(r.role),
              state=say(STAFF_ACTIVE if r.active else STAFF_INACTIVE)) for r in rows])
    return 0


def staff_disable(args: argparse.Namespace) -> int:
    info = staff.disable(_open(args), staff.parse_staff_id(args.staff_id), args.manager_pin, args.reason)
    emit(info.to_json(), args.json, say(STAFF_DISABLED, staff_id=info.staff_id, name=info.name))
    return 0


def staff_pin(args: argparse.Namespace) -> int:
    info = staff.change_pin(_open(args), staff.parse_staff_id(args.staff_id), args.new_pin, old_pin=args.old_pin,
                            manager_pin=args.manager_pin)
    emit(info.to_json(), args.json, say(STAFF_PIN_SET, staff_id=info.staff_id, name=info.name))
    return 0


def staff_require_pin(args: argparse.Namespace) -> int:
    value = staff.set_policy(_open(args), args.value, args.manager_pin)
    emit({"require_cashier_pin": value}, args.json, say(STAFF_POLICY, value=value))
    return 0


def _line(row: dict[str, Any]) -> str:
    return say(SALE_LINE, receipt=row["receipt_no"] or row["sale_id"], when=row["when"],
               kind=row["kind"], total=row["total"], currency=row["currency"], member=row["member_id"] or "-",
               cashier=row["cashier"] or row["cashier_id"] or "-")


def sale_show(args: argparse.Namespace) -> int:
    data = sale_lookup.show_sale(_open(args), args.ref)
    emit(data, args.json, [_line(data), *[f"  {ln['qty']} × {ln['name']} ({ln['sku']})" for ln in data["lines"]],
                           *data["explain"]])
    return 0


def sale_list(args: argparse.Namespace) -> int:
    data = sale_lookup.list_sales(
        _open(args), date_from=parse_user_date(args.date_from) if args.date_from else None,
        date_to=parse_user_date(args.date_to) if args.date_to else None, member=args.member)
    emit(data, args.json, [_line(row) for row in data["sales"]])
    return 0
