"""`kupa coupon list|issue|show` and `kupa voucher list`, registered on the main parser by `register()`.

`coupon issue MEMBER CODE --pin PIN [--reason R]` hands a member coupon to a member (audited); `coupon show
ID_OR_TOKEN [--out FILE.png|FILE.pdf]` prints one and its QR payload, rendered like a member card with `--out`;
`coupon list MEMBER [--all]` and `voucher list MEMBER [--all]` list what a member may use today (with `--all`,
the spent ones too). Rules: `pos_client.services.coupons`; docs/promotions.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Callable

from pos_client.cards.render import CardFace, card_filename_format, render_card
from pos_client.cli.output import emit, say
from pos_client.messages import message
from pos_client.services import coupon_admin
from pos_client.terminal import Terminal
from pos_client.timeutil import from_iso, local_date

HELD_LINE = message("cli.promo_line", en="{ref}  {code}  until {until}{used}",
                    he="{ref}  {code}  עד {until}{used}")
NONE_HELD = message("cli.promo_none", en="none", he="אין")
ISSUED_LINE = message("cli.coupon_issued", en="Coupon {ref} ({code}) issued to {member_id}, valid until {until}.",
                      he="הקופון {ref} ({code}) הונפק ל־{member_id}, בתוקף עד {until}.")
NO_END = message("cli.promo_no_end", en="no end", he="ללא הגבלה")
SAVED = message("cli.coupon_saved", en="Coupon saved to {file}.", he="הקופון נשמר בקובץ {file}.")


def register(sub: Any, cmd: Callable[..., argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to `sub` (the main parser's subparsers); `cmd` adds one command."""
    coupon = sub.add_parser("coupon", help="member coupons").add_subparsers(dest="sub", required=True,
                                                                           parser_class=parser_class)
    p = cmd("list", coupon_list, "the coupons a member may use", coupon)
    p.add_argument("member")
    p.add_argument("--all", action="store_true", help="spent ones too")
    p = cmd("issue", coupon_issue, "issue a member coupon to a member (manager)", coupon)
    p.add_argument("member")
    p.add_argument("code", help="the program's coupon code")
    p.add_argument("--pin", "--manager-pin", dest="pin", required=True, metavar="MANAGER_PIN")
    p.add_argument("--reason", default="manager's gift")
    p = cmd("show", coupon_show, "one issued coupon or voucher", coupon)
    p.add_argument("ref", metavar="ID_OR_TOKEN")
    p.add_argument("--out", type=Path, help="print the coupon like a member card (.png or .pdf)")
    voucher = sub.add_parser("voucher", help="reward vouchers").add_subparsers(dest="sub", required=True,
                                                                              parser_class=parser_class)
    p = cmd("list", voucher_list, "the vouchers a member may use", voucher)
    p.add_argument("member")
    p.add_argument("--all", action="store_true", help="spent ones too")


def _lines(items: list[dict[str, Any]]) -> list[str]:
    if not items:
        return [say(NONE_HELD)]
    return [say(HELD_LINE, ref=i["id"], code=i["code"], until=i["valid_until"] or say(NO_END),
                used=f"  ({i['used_sale']})" if i["used_sale"] else "") for i in items]


def _list(args: argparse.Namespace, key: str) -> int:
    data = coupon_admin.member_holdings(Terminal.open(args.data_dir), args.member, include_spent=args.all)
    emit({"member_id": data["member_id"], key: data[key]}, args.json, _lines(data[key]))
    return 0


def coupon_list(args: argparse.Namespace) -> int:
    return _list(args, "coupons")


def voucher_list(args: argparse.Namespace) -> int:
    return _list(args, "vouchers")


def coupon_issue(args: argparse.Namespace) -> int:
    data = coupon_admin.issue_by_manager(Terminal.open(args.data_dir), args.member, args.code, args.pin,
                                         args.reason)
    emit(data, args.json, say(ISSUED_LINE, ref=data["id"], code=data["code"], member_id=data["member_id"],
                              until=data["valid_until"] or say(NO_END)))
    return 0


def coupon_show(args: argparse.Namespace) -> int:
    terminal = Terminal.open(args.data_dir)
    shown = coupon_admin.show(terminal, args.ref)
    h = shown.holding
    data = h.to_json() | {"kind": h.kind, "member_id": h.member_id, "name": shown.name, "token": shown.token}
    lines = [*_lines([data]), *([shown.token] if shown.token else [])]
    if args.out and shown.token:
        fmt = card_filename_format(args.out)
        face = CardFace(store_name=terminal.settings.store_name, member_name=shown.name, member_id=h.member_id,
                        tier_name=h.code, token=shown.token, card_number=h.promo_ref,
                        issued=local_date(from_iso(h.issued_at), "UTC"))
        args.out.write_bytes(render_card(face, fmt))
        data["file"] = str(args.out)
        lines.append(say(SAVED, file=args.out))
    emit(data, args.json, lines)
    return 0
