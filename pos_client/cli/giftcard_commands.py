"""`kupa giftcard show CODE` / `kupa giftcard expire CODE --pin PIN`: a gift card's balance as this terminal knows it (HQ's confirmed balance plus this
terminal's movements HQ has not confirmed yet), its last paying day and its history. CODE is the card's scanned
token or its printed number (`G` and 16 digits): a balance look-up needs no signature, paying does. `expire`
writes off an expired card's balance (a manager's, audited)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Callable

from pos_client.cli.commands import _open
from pos_client.cli.output import emit, say
from pos_client.messages import current_language, message
from pos_client.services import giftcards

CARD_LINE = message("cli.giftcard_line", en="Gift card {card}: {balance:money} (expires {expires})",
                    he="כרטיס מתנה {card}: {balance:money} (בתוקף עד {expires})")
WRITTEN_OFF = message("cli.giftcard_written_off", en="Gift card {card}: {amount:money} written off",
                      he="כרטיס מתנה {card}: נמחקו {amount:money}")
GIFT_TITLE = message("cli.giftcard_title", en="Gift card", he="כרטיס מתנה")
VALID_UNTIL = message("cli.giftcard_valid_until", en="Valid until", he="בתוקף עד")
ISSUED = message("cli.giftcard_issued", en="Issued", he="הונפק")
PRINTED = message("cli.giftcard_printed", en="Gift card {card} written to {path}", he="כרטיס המתנה {card} נשמר ב־{path}")
NEVER = message("cli.giftcard_never", en="never", he="ללא הגבלה")


def register(sub: Any, cmd: Callable[..., argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    group = sub.add_parser("giftcard", help="gift cards").add_subparsers(dest="sub", required=True,
                                                                         parser_class=parser_class)
    p = cmd("show", show, "a gift card's balance and history", group)
    p.add_argument("code", metavar="TOKEN_OR_NUMBER")
    p = cmd("print", print_card, "print a gift card (PNG or PDF) with its QR code", group)
    p.add_argument("code", metavar="TOKEN_OR_NUMBER")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.png|FILE.pdf")
    p = cmd("expire", expire, "write off an expired card's balance (manager)", group)
    p.add_argument("code", metavar="TOKEN_OR_NUMBER")
    p.add_argument("--pin", required=True, metavar="MANAGER_PIN")


def show(args: argparse.Namespace) -> int:
    data = giftcards.show(_open(args), args.code)
    expires = data["expires_on"] or say(NEVER)
    emit(data, args.json, say(CARD_LINE, card=data["card"], balance=data["balance"], expires=expires,
                              currency=data["currency"]))
    return 0


def expire(args: argparse.Namespace) -> int:
    data = giftcards.expire_card(_open(args), args.code, args.pin)
    emit(data, args.json, say(WRITTEN_OFF, card=data["card"], amount=data["written_off"]))
    return 0


def print_card(args: argparse.Namespace) -> int:
    """The gift card as an ID-1 card (`pos_client.cards.render`, the member card's layout): the title, the
    balance, the last paying day, the QR code to pay with and the number as Code 128."""
    from pos_client.cards.render import CardFace, card_filename_format, render_card
    from pos_client.money import format_money

    fmt = card_filename_format(args.out)
    terminal = _open(args)
    data = giftcards.printable(terminal, args.code)
    lang = current_language()
    expires = data["expires_on"]
    face = CardFace(store_name=terminal.settings.store_name, member_name=say(GIFT_TITLE),
                    member_id=format_money(data["balance"], data["currency"], lang), tier_name="",
                    token=data["token"], card_number=data["card"], issued=expires or data["issued"],
                    issued_label=say(VALID_UNTIL) if expires else say(ISSUED))
    args.out.write_bytes(render_card(face, fmt))
    emit({"card": data["card"], "file": str(args.out)}, args.json, say(PRINTED, card=data["card"], path=str(args.out)))
    return 0
