"""The body of each `kupa` command: parse the arguments into plain values, call a service, print."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable

from pos_client.cli.output import emit, quote_text
from pos_client.errors import InvalidInputError
from pos_client.money import format_money
from pos_client.services import checkout as checkout_service
from pos_client.services import points, refunds
from pos_client.services.catalog import load_catalog_file
from pos_client.services.members import enrol, issue_card
from pos_client.services.programs import load_program_file, program_at
from pos_client.services.status import member_status
from pos_client.terminal import Terminal
from pos_client.timeutil import from_iso, local_date, parse_user_date, parse_user_time, utcnow

Command = Callable[[argparse.Namespace], int]


def _open(args: argparse.Namespace) -> Terminal:
    return Terminal.open(args.data_dir)


def _int(text: str, what: str) -> int:
    value = (text or "").strip()
    if not value.lstrip("-").isdigit() or len(value) > 12:
        raise InvalidInputError(f"{what} must be a whole number (got '{text}')")
    return int(value)


def init(args: argparse.Namespace) -> int:
    from pos_client.services.setup import init_terminal

    terminal_id = args.terminal_id
    if args.server or args.token:
        # Joining HQ: the token (from 'kupa-hq register-terminal') is '<terminal id>.<secret>'; the terminal
        # takes that id. HQ is not contacted here: the first 'kupa sync' registers the card key and adopts
        # the member-id prefix HQ assigned.
        if not (args.server and args.token):
            raise InvalidInputError("joining HQ needs both --server URL and --token TOKEN")
        if not args.server.startswith(("http://", "https://")) or len(args.server) > 200:
            raise InvalidInputError(f"'{args.server}' is not an HQ address (http(s)://host:port)")
        named, sep, secret = args.token.strip().rpartition(".")
        if not sep or not named or len(secret) < 20 or len(args.token) > 200:
            raise InvalidInputError("that is not a Kupa HQ token (expected TERMINAL.SECRET)")
        if terminal_id and terminal_id != named:
            raise InvalidInputError(f"the token belongs to terminal {named}, not {terminal_id}")
        terminal_id = named
    result = init_terminal(args.data_dir, terminal_id=terminal_id, store_name=args.store_name,
                           manager_pin=args.manager_pin)
    if args.server:
        from pos_client.terminal import put_setting

        with result.terminal.unit_of_work() as session:
            put_setting(session, "server_url", args.server.rstrip("/"))
            put_setting(session, "sync_token", args.token.strip())
    data: dict[str, object] = {"terminal_id": result.terminal_id, "key_id": result.key_id,
                               "data_dir": str(args.data_dir), "server": args.server}
    lines = [f"Terminal {result.terminal_id} created in {args.data_dir} (card key {result.key_id})."]
    if args.server:
        lines.append(f"Joined HQ at {args.server}: run 'kupa sync --once' to register and fetch the store.")
    if args.demo:
        from pos_client.demo.generate import build_demo

        summary = build_demo(result.terminal)
        data.update(demo_members=summary.members, demo_sales=summary.sales, cashier_pin=summary.cashier_pin,
                    manager_pin=summary.manager_pin)
        lines.append(f"Demo store loaded: {summary.members} members, {summary.sales} sales over the last year.")
        lines.append(f"Cashier PIN {summary.cashier_pin}, manager PIN {summary.manager_pin} (shown once; keep them).")
    elif not args.manager_pin:
        lines.append("No manager PIN was set: refunds and adjustments need one (kupa init --manager-pin).")
    emit(data, args.json, lines)
    return 0


def program_load(args: argparse.Namespace) -> int:
    program, installed = load_program_file(_open(args), args.file)
    verb = "installed" if installed else "was already installed"
    emit({"version": program.version, "installed": installed}, args.json, f"Program version {program.version} {verb}.")
    return 0


def program_show(args: argparse.Namespace) -> int:
    terminal = _open(args)
    with terminal.read() as session:
        program = program_at(session, utcnow())
    document = json.loads(program.canonical_json())
    emit(document, args.json, json.dumps(document, indent=2, ensure_ascii=False))
    return 0


def catalog_load(args: argparse.Namespace) -> int:
    count = load_catalog_file(_open(args), args.file)
    emit({"products": count}, args.json, f"{count} products loaded.")
    return 0


def member_add(args: argparse.Namespace) -> int:
    terminal = _open(args)
    birthday = parse_user_date(args.birthday) if args.birthday else None
    now = utcnow()
    with terminal.unit_of_work() as session:
        program = program_at(session, now)
        member, card, token = enrol(terminal, session, program, now, name=args.name, phone=args.phone,
                                    email=args.email, birthday=birthday, referred_by=args.referred_by,
                                    bonus_weekday=args.bonus_weekday)
    welcome = program.welcome.points if program.welcome else 0
    emit({"member_id": member.member_id, "card_token": token, "card_number": card.card_number,
          "welcome_points": welcome}, args.json,
         [f"Member {member.member_id} enrolled ({member.name}), {welcome} welcome points.",
          f"Card {card.card_number}; QR payload: {token}"])
    return 0


def member_show(args: argparse.Namespace) -> int:
    data = member_status(_open(args), args.code)
    cur = data["currency"]
    lines = [f"{data['member_id']}  {data['name']}  tier {data['tier'] or '-'}  {data['points']} points",
             f"Qualifying spend {format_money(data['qualifying_spend'], cur)} over the tier window"]
    if data["next_tier"]:
        lines.append(f"{format_money(data['next_tier']['missing'], cur)} more to {data['next_tier']['code']}")
    for code, count in data["stamps"].items():
        lines.append(f"{code}: {count}/{data['stamps_needed'].get(code, '?')} stamps")
    if data["membership"]:
        until = local_date(from_iso(data["membership"]["expires"]), data["timezone"])
        lines.append(f"Membership {data['membership']['code']} until {until.isoformat()}")
    lines.append(f"{data['pending_sync']} entries waiting for HQ")
    emit(data, args.json, lines)
    return 0


def _basket(args: argparse.Namespace) -> checkout_service.BasketRequest:
    items = tuple(checkout_service.parse_item(text) for text in args.item)
    redeem = _int(args.redeem, "--redeem")
    if redeem < 0:
        raise InvalidInputError("--redeem must be 0 or more points")
    at = None
    if getattr(args, "at", None):
        terminal = _open(args)
        with terminal.read() as session:
            zone = program_at(session, utcnow()).timezone
        at = parse_user_time(args.at, zone)
    return checkout_service.BasketRequest(items=items, member_code=args.member, redeem_points=redeem,
                                          punch_rewards=tuple(args.punch_reward), manager_pin=args.pin, at=at)


def quote(args: argparse.Namespace) -> int:
    result = checkout_service.quote_basket(_open(args), _basket(args))
    data = result.to_json()
    emit(data, args.json, quote_text(data))
    return 0


def checkout(args: argparse.Namespace) -> int:
    result = checkout_service.checkout(_open(args), _basket(args))
    data = {"sale_id": result.sale_id, **result.quote.to_json(), "created_at": result.created_at.isoformat()}
    emit(data, args.json, [f"Sale {result.sale_id} recorded.", *quote_text(data)])
    return 0


def refund(args: argparse.Namespace) -> int:
    items = [checkout_service.parse_item(text) for text in args.item] if args.item else None
    result = refunds.refund(_open(args), args.sale_id, items, args.pin, args.reason)
    e = result.effect
    data = {"refund_id": result.refund_id, "sale_id": result.sale_id, "money_back": e.money_back,
            "points_reversed": e.points_reversed, "points_returned": e.points_returned,
            "spend_reversed": e.spend_reversed, "stamps_reversed": dict(e.stamps_reversed),
            "stamps_returned": dict(e.stamps_returned), "membership_days_reversed": dict(e.membership_days),
            "fully_refunded": result.fully_refunded}
    emit(data, args.json, f"Refund {result.refund_id}: {e.money_back} minor units back, {e.points_reversed} points"
                          f" taken back, {e.points_returned} redeemed points returned.")
    return 0


def adjust(args: argparse.Namespace) -> int:
    result = points.adjust(_open(args), args.member, _int(args.points, "--points"), args.reason, args.pin)
    emit(result.__dict__, args.json, f"{result.member_id}: {result.points_delta:+d} points, balance {result.balance}.")
    return 0


def donate(args: argparse.Namespace) -> int:
    result = points.donate(_open(args), args.member, _int(args.points, "--points"), args.charity, args.pin)
    emit(result.__dict__, args.json, f"{result.member_id} donated {-result.points_delta} points; balance {result.balance}.")
    return 0


def action_grant(args: argparse.Namespace) -> int:
    result = points.grant_action(_open(args), args.member, args.action)
    emit(result.__dict__, args.json, f"{result.member_id}: +{result.points_delta} points, balance {result.balance}.")
    return 0


def card_issue(args: argparse.Namespace) -> int:
    from pos_client.cards.render import CardFace, card_filename_format, render_card
    from pos_client.services.members import identify

    fmt = card_filename_format(args.out)
    terminal = _open(args)
    now = utcnow()
    with terminal.unit_of_work() as session:
        member = identify(session, args.member).member
        program = program_at(session, now)
        card, token = issue_card(terminal, session, member.member_id, now)
    data = member_status(terminal, member.member_id)
    tier = program.tier(data["tier"]) if data["tier"] else None
    tier_name = tier.name.text(args.lang) if tier else ""
    face = CardFace(store_name=terminal.settings.store_name, member_name=member.name, member_id=member.member_id,
                    tier_name=tier_name, token=token, card_number=card.card_number, issued=now.date(),
                    issued_label="הונפק" if args.lang == "he" else "Issued")
    try:
        args.out.write_bytes(render_card(face, fmt))
    except OSError as exc:
        raise InvalidInputError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    emit({"member_id": member.member_id, "card_number": card.card_number, "serial": card.serial,
          "card_token": token, "file": str(args.out)}, args.json,
         f"Card {card.card_number} (serial {card.serial}) for {member.member_id} written to {args.out}; older cards revoked.")
    return 0


def card_revoke(args: argparse.Namespace) -> int:
    from pos_client.services.cards import revoke_card

    card = revoke_card(_open(args), args.card, args.pin, args.reason)
    emit({"card_number": card.card_number, "member_id": card.member_id, "revoked_at": card.revoked_at}, args.json,
         f"Card {card.card_number} of {card.member_id} revoked.")
    return 0


def scan(args: argparse.Namespace) -> int:
    from pos_client.scanning.cli_scan import scan_files

    return scan_files(list(args.files), sys.stdout)
