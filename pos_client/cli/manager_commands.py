"""The manager's corrections and the audit log from the command line, registered by `register()`.

`kupa member edit CODE`, `kupa member merge KEEP DUPLICATE` and `kupa audit` are the headless forms of the
manager window's actions (DESIGN.md: every cashier and manager action has one), over the same services
(`pos_client.services.manager_actions`, `manager_reports.audit_log`): a manager PIN and a reason for each
change, one audit row each. `member edit` changes only the fields given; `--clear FIELD` empties one.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import date
from typing import Any, Callable

from pos_client.cli.output import emit, say
from pos_client.errors import InvalidInputError
from pos_client.messages import message
from pos_client.services.manager_actions import MemberDetails, edit_member, merge_members
from pos_client.services.manager_reports import AUDIT_LIMIT, audit_log
from pos_client.services.members import identify
from pos_client.terminal import Terminal
from pos_client.timeutil import parse_user_date

CLEARABLE = ("phone", "email", "birthday", "bonus-weekday")


def register(member: Any, sub: Any, cmd: Callable[..., argparse.ArgumentParser]) -> None:
    """Add `member edit` and `member merge` to `member` (the `member` subparsers) and `audit` to `sub`."""
    p = cmd("edit", member_edit, "change a member's details (manager)", member)
    p.add_argument("code", help="member id, card number, phone or card token")
    p.add_argument("--name")
    p.add_argument("--phone")
    p.add_argument("--email")
    p.add_argument("--birthday", metavar="YYYY-MM-DD")
    p.add_argument("--bonus-weekday", metavar="0-6", help="the member's bonus day, 0 = Monday")
    p.add_argument("--clear", action="append", default=[], choices=CLEARABLE, help="empty this field")
    p.add_argument("--reason", required=True)
    p.add_argument("--pin", required=True)
    p = cmd("merge", member_merge, "merge a duplicate record into the member kept (manager)", member)
    p.add_argument("keep", help="the member kept (id, card number, phone or card token)")
    p.add_argument("duplicate", help="the duplicate record, merged into the member kept")
    p.add_argument("--reason", required=True)
    p.add_argument("--pin", required=True)
    p = cmd("audit", audit, "the audit log, newest first")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    p.add_argument("--action", help="only this kind of action (e.g. adjust, refund, member_merge)")
    p.add_argument("--user", help="only this manager's or cashier's user id")
    p.add_argument("--limit", default=str(AUDIT_LIMIT), metavar="N")


def _member_id(terminal: Terminal, code: str) -> str:
    with terminal.read() as session:
        return identify(session, code).member.member_id


CONTRADICT = message("cli.clear_contradicts",
                     en="--{field} and --clear {field} contradict each other: give one of them",
                     he="--{field} ו־--clear {field} סותרים זה את זה: תנו רק אחד מהם")
WEEKDAY_OPTION = message("cli.bonus_weekday_option",
                         en="--bonus-weekday must be a number from 0 (Monday) to 6 (Sunday), not '{text}'",
                         he="--bonus-weekday חייב להיות מספר מ־0 (שני) עד 6 (ראשון), לא '{text}'")


MEMBER_CHANGED = message("cli.member_changed", en="{member_id}: changed {fields}.",
                         he="{member_id}: שונו {fields}.")


def member_edit(args: argparse.Namespace) -> int:
    terminal = Terminal.open(args.data_dir)
    with terminal.read() as session:
        current = identify(session, args.code).member
    cleared = set(args.clear)
    for field in cleared:
        if getattr(args, field.replace("-", "_")) is not None:
            raise InvalidInputError(CONTRADICT, field=field)
    weekday: int | None = current.bonus_weekday
    if args.bonus_weekday is not None:
        text = args.bonus_weekday.strip()
        if not (len(text) == 1 and text.isdigit()):
            raise InvalidInputError(WEEKDAY_OPTION, text=text)
        weekday = int(text)
    birthday = parse_user_date(args.birthday) if args.birthday else (
        date.fromisoformat(current.birthday) if current.birthday else None)
    details = MemberDetails(
        name=args.name if args.name is not None else current.name,
        phone=None if "phone" in cleared else (args.phone if args.phone is not None else current.phone),
        email=None if "email" in cleared else (args.email if args.email is not None else current.email),
        birthday=None if "birthday" in cleared else birthday,
        bonus_weekday=None if "bonus-weekday" in cleared else weekday)
    changed = edit_member(terminal, current.member_id, details, args.reason, args.pin)
    emit({"member_id": current.member_id, "changed": changed}, args.json,
         say(MEMBER_CHANGED, member_id=current.member_id, fields=", ".join(changed)))
    return 0


MERGED = message("cli.member_merged", en="{merged} merged into {kept}: {points} points{stamps} moved.",
                 he="{merged} אוחד לתוך {kept}: הועברו {points} נקודות{stamps}.")
MERGED_STAMPS = message("cli.member_merged_stamps", en=" and {stamps}", he=" ו־{stamps}")
STAMPS_OF = message("cli.stamps_of", en="{count} {card} stamps", he="{count} חותמות {card}")


def member_merge(args: argparse.Namespace) -> int:
    terminal = Terminal.open(args.data_dir)
    result = merge_members(terminal, _member_id(terminal, args.keep), _member_id(terminal, args.duplicate),
                           args.reason, args.pin)
    stamps = ", ".join(say(STAMPS_OF, count=n, card=card) for card, n in result.stamps_moved.items() if n)
    emit(asdict(result), args.json, say(MERGED, merged=result.merged, kept=result.kept, points=result.points_moved,
                                        stamps=say(MERGED_STAMPS, stamps=stamps) if stamps else ""))
    return 0


LIMIT_OPTION = message("cli.limit_option", en="--limit must be a whole number from 1 to 10000, not '{text}'",
                       he="--limit חייב להיות מספר שלם מ־1 עד 10000, לא '{text}'")


AUDIT_EMPTY = message("cli.audit_empty", en="The audit log is empty.", he="יומן הביקורת ריק.")


def audit(args: argparse.Namespace) -> int:
    limit = (args.limit or "").strip()
    if not limit.isdigit() or not 1 <= int(limit) <= 10_000:
        raise InvalidInputError(LIMIT_OPTION, text=args.limit)
    rows = audit_log(Terminal.open(args.data_dir), user_id=args.user, action=args.action,
                     date_from=parse_user_date(args.date_from) if args.date_from else None,
                     date_to=parse_user_date(args.date_to) if args.date_to else None, limit=int(limit))
    entries: list[dict[str, Any]] = [asdict(row) for row in rows]
    emit({"entries": entries}, args.json,
         [f"{row.when}  {row.user_name or row.user_id or '-'}  {row.action}  {row.target or ''}"
          f"{'  — ' + row.reason if row.reason else ''}" for row in rows] or [say(AUDIT_EMPTY)])
    return 0
