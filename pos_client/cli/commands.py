"""The body of each `kupa` command: parse the arguments into plain values, call a service, print."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

from pos_client.cli.output import emit, quote_text, say
from pos_client.errors import InvalidInputError
from pos_client.messages import current_language, message
from pos_client.services import checkout as checkout_service
from pos_client.services import clock, points, refunds
from pos_client.services.auth import ADVISED_MANAGER_DIGITS, authenticate
from pos_client.services.catalog import load_catalog_file
from pos_client.services.members import enrol
from pos_client.services.programs import load_program_file, program_at
from pos_client.services.status import member_status
from pos_client.tender import TenderKind, parse_payment
from pos_client.terminal import Terminal
from pos_client.timeutil import from_iso, local_date, parse_user_date, parse_user_time, utcnow

Command = Callable[[argparse.Namespace], int]
SHORT_MANAGER_PIN = message(
    "init.short_manager_pin",
    en="Advice: a manager PIN of {digits} or more digits resists guessing far better.",
    he="המלצה: קוד מנהל של {digits} ספרות או יותר עמיד הרבה יותר לניחוש.")


def _open(args: argparse.Namespace) -> Terminal:
    return Terminal.open(args.data_dir)


WHOLE_NUMBER = message("cli.whole_number", en="{option} must be a whole number (got '{text}')",
                       he="{option} חייב להיות מספר שלם (התקבל '{text}')")


def _int(text: str, what: str) -> int:
    value = (text or "").strip()
    if not value.lstrip("-").isdigit() or len(value) > 12:
        raise InvalidInputError(WHOLE_NUMBER, option=what, text=text)
    return int(value)


JOIN_NEEDS_BOTH = message("cli.join_needs_both", en="joining HQ needs both --server URL and --token TOKEN",
                          he="הצטרפות למטה דורשת גם --server URL וגם --token TOKEN")
NOT_HQ_ADDRESS = message("cli.not_hq_address", en="'{server}' is not an HQ address (http(s)://host:port)",
                         he="'{server}' אינה כתובת מטה (http(s)://host:port)")
NOT_HQ_TOKEN = message("cli.not_hq_token", en="that is not a Kupa HQ token (expected TERMINAL.SECRET)",
                       he="זה אינו אסימון מטה של Kupa (מצופה TERMINAL.SECRET)")
TOKEN_OTHER_TERMINAL = message("cli.token_other_terminal",
                               en="the token belongs to terminal {named}, not {terminal_id}",
                               he="האסימון שייך לקופה {named}, לא ל־{terminal_id}")
INIT_DONE = message("cli.init_done", en="Terminal {terminal_id} created in {path} (card key {key_id}).",
                    he="הקופה {terminal_id} נוצרה בתיקייה {path} (מפתח כרטיסים {key_id}).")
INIT_JOINED = message("cli.init_joined",
                      en="Joined HQ at {server}: run 'kupa sync --once' to register and fetch the store.",
                      he="הצטרפה למטה בכתובת {server}: הריצו 'kupa sync --once' כדי להירשם ולקבל את "
                         "נתוני החנות.")
INIT_DEMO = message("cli.init_demo",
                    en="Demo store loaded: {members} members, {sales} sales over the last year.",
                    he="חנות ההדגמה נטענה: {members} חברים, {sales} מכירות בשנה האחרונה.")
INIT_PINS = message("cli.init_pins",
                    en="Cashier PIN {cashier_pin}, manager PIN {manager_pin} (shown once; keep them).",
                    he="קוד קופאי {cashier_pin}, קוד מנהל {manager_pin} (מוצגים פעם אחת; שמרו אותם).")
INIT_NO_MANAGER = message("cli.init_no_manager",
                          en="No manager PIN was set: refunds and adjustments need one (kupa init "
                             "--manager-pin).",
                          he="לא הוגדר קוד מנהל: החזרות ותיקוני נקודות דורשים אותו (kupa init "
                             "--manager-pin).")


def init(args: argparse.Namespace) -> int:
    from pos_client.services.setup import init_terminal

    terminal_id = args.terminal_id
    if args.server or args.token:
        # Joining HQ: the token (from 'kupa-hq register-terminal') is '<terminal id>.<secret>'; the terminal
        # takes that id. HQ is not contacted here: the first 'kupa sync' registers the card key and adopts
        # the member-id prefix HQ assigned.
        if not (args.server and args.token):
            raise InvalidInputError(JOIN_NEEDS_BOTH)
        if not args.server.startswith(("http://", "https://")) or len(args.server) > 200:
            raise InvalidInputError(NOT_HQ_ADDRESS, server=args.server)
        named, sep, secret = args.token.strip().rpartition(".")
        if not sep or not named or len(secret) < 20 or len(args.token) > 200:
            raise InvalidInputError(NOT_HQ_TOKEN)
        if terminal_id and terminal_id != named:
            raise InvalidInputError(TOKEN_OTHER_TERMINAL, named=named, terminal_id=terminal_id)
        terminal_id = named
    result = init_terminal(args.data_dir, terminal_id=terminal_id, store_name=args.store_name,
                           manager_pin=args.manager_pin)
    if args.server:
        from pos_client.terminal import put_setting

        with result.terminal.unit_of_work() as session:
            put_setting(session, "server_url", args.server.rstrip("/"))
    if args.server:
        result.terminal.set_hq_token(args.token.strip())
    data: dict[str, object] = {"terminal_id": result.terminal_id, "key_id": result.key_id,
                               "data_dir": str(args.data_dir), "server": args.server}
    lines = [say(INIT_DONE, terminal_id=result.terminal_id, path=str(args.data_dir), key_id=result.key_id)]
    if args.server:
        lines.append(say(INIT_JOINED, server=args.server))
    if args.demo:
        from pos_client.demo.generate import build_demo, install_promotions

        summary = build_demo(result.terminal)
        install_promotions(result.terminal)
        data.update(demo_members=summary.members, demo_sales=summary.sales, cashier_pin=summary.cashier_pin,
                    manager_pin=summary.manager_pin)
        lines.append(say(INIT_DEMO, members=summary.members, sales=summary.sales))
        lines.append(say(INIT_PINS, cashier_pin=summary.cashier_pin, manager_pin=summary.manager_pin))
    elif not args.manager_pin:
        lines.append(say(INIT_NO_MANAGER))
    if args.manager_pin and len(args.manager_pin) < ADVISED_MANAGER_DIGITS:
        lines.append(say(SHORT_MANAGER_PIN, digits=ADVISED_MANAGER_DIGITS))
    emit(data, args.json, lines)
    return 0


PROGRAM_INSTALLED = message("cli.program_installed", en="Program version {version} installed.",
                            he="גרסה {version} של התוכנית הותקנה.")
PROGRAM_WAS_INSTALLED = message("cli.program_was_installed",
                                en="Program version {version} was already installed.",
                                he="גרסה {version} של התוכנית כבר הייתה מותקנת.")


def program_load(args: argparse.Namespace) -> int:
    program, installed = load_program_file(_open(args), args.file)
    emit({"version": program.version, "installed": installed}, args.json,
         say(PROGRAM_INSTALLED if installed else PROGRAM_WAS_INSTALLED, version=program.version))
    return 0


def program_show(args: argparse.Namespace) -> int:
    terminal = _open(args)
    with terminal.read() as session:
        program = program_at(session, utcnow())
    document = json.loads(program.canonical_json())
    emit(document, args.json, json.dumps(document, indent=2, ensure_ascii=False))
    return 0


PRODUCTS_LOADED = message("cli.products_loaded", en="{count} products loaded.", he="{count} מוצרים נטענו.")


def catalog_load(args: argparse.Namespace) -> int:
    count = load_catalog_file(_open(args), args.file)
    emit({"products": count}, args.json, say(PRODUCTS_LOADED, count=count))
    return 0


MEMBER_ENROLLED = message("cli.member_enrolled",
                          en="Member {member_id} enrolled ({name}), {points} welcome points.",
                          he="החבר {member_id} נרשם ({name}), {points} נקודות הצטרפות.")
MEMBER_CARD = message("cli.member_card", en="Card {card}; QR payload: {token}",
                      he="כרטיס {card}; תוכן ה־QR: {token}")


def member_add(args: argparse.Namespace) -> int:
    terminal = _open(args)
    birthday = parse_user_date(args.birthday) if args.birthday else None
    now = utcnow()
    with terminal.unit_of_work() as session:
        clock.guard(session, now)
        program = program_at(session, now)
        cashier_id = authenticate(session, args.cashier_pin).user_id if args.cashier_pin else None
        member, card, token = enrol(terminal, session, program, now, name=args.name, phone=args.phone,
                                    email=args.email, birthday=birthday, referred_by=args.referred_by,
                                    bonus_weekday=args.bonus_weekday, cashier_id=cashier_id)
    welcome = program.welcome.points if program.welcome else 0
    emit({"member_id": member.member_id, "card_token": token, "card_number": card.card_number,
          "welcome_points": welcome}, args.json,
         [say(MEMBER_ENROLLED, member_id=member.member_id, name=member.name, points=welcome),
          say(MEMBER_CARD, card=card.card_number, token=token)])
    return 0


MEMBER_LINE = message("cli.member_line", en="{member_id}  {name}  tier {tier}  {points} points",
                      he="{member_id}  {name}  דרגה {tier}  {points} נקודות")
MEMBER_SPEND = message("cli.member_spend", en="Qualifying spend {spend:money} over the tier window",
                       he="הוצאה מזכה {spend:money} בחלון הדרגה")
MEMBER_NEXT_TIER = message("cli.member_next_tier", en="{missing:money} more to {tier}",
                           he="עוד {missing:money} עד {tier}")
MEMBER_STAMPS = message("cli.member_stamps", en="{card}: {count}/{needed} stamps",
                        he="{card}: {count}/{needed} חותמות")
MEMBER_PLAN = message("cli.member_plan", en="Membership {plan} until {expires}",
                      he="מנוי {plan} עד {expires}")
MEMBER_SEGMENTS = message("cli.member_segments", en="Segments: {codes}", he="פלחים: {codes}")
MEMBER_OFFER = message("cli.member_offer", en="Offer {code}: {name}", he="הצעה {code}: {name}")
MEMBER_PENDING = message("cli.member_pending", en="{count} entries waiting for HQ",
                         he="{count} רשומות ממתינות למטה")


MEMBER_COUPON = message("cli.member_coupon", en="coupon {ref} ({code}), valid until {until}",
                        he="קופון {ref} ({code}), בתוקף עד {until}")
MEMBER_VOUCHER = message("cli.member_voucher", en="voucher {ref}: {value:money}, valid until {until}",
                         he="שובר {ref}: {value:money}, בתוקף עד {until}")


def member_show(args: argparse.Namespace) -> int:
    data = member_status(_open(args), args.code)
    cur = data["currency"]
    lines = [say(MEMBER_LINE, member_id=data["member_id"], name=data["name"], tier=data["tier"] or "-",
                 points=data["points"]),
             say(MEMBER_SPEND, spend=data["qualifying_spend"], currency=cur)]
    if data["next_tier"]:
        lines.append(say(MEMBER_NEXT_TIER, missing=data["next_tier"]["missing"], tier=data["next_tier"]["code"],
                         currency=cur))
    for code, count in data["stamps"].items():
        lines.append(say(MEMBER_STAMPS, card=code, count=count, needed=data["stamps_needed"].get(code, "?")))
    if data["membership"]:
        until = local_date(from_iso(data["membership"]["expires"]), data["timezone"])
        lines.append(say(MEMBER_PLAN, plan=data["membership"]["code"], expires=until.isoformat()))
    if data["segments"]:
        lines.append(say(MEMBER_SEGMENTS, codes=", ".join(data["segments"])))
    lang = current_language()
    for offer in data["offers"]:
        shown = offer["message"] or offer["name"]
        lines.append(say(MEMBER_OFFER, code=offer["code"], name=shown.get(lang) or shown["en"]))
    for coupon in data["coupons"]:
        lines.append(say(MEMBER_COUPON, ref=coupon["id"], code=coupon["code"], until=coupon["valid_until"] or "-"))
    for voucher in data["vouchers"]:
        lines.append(say(MEMBER_VOUCHER, ref=voucher["id"], value=voucher["value"] or 0, currency=cur,
                         until=voucher["valid_until"] or "-"))
    lines.append(say(MEMBER_PENDING, count=data["pending_sync"]))
    emit(data, args.json, lines)
    return 0


REDEEM_NEGATIVE = message("cli.redeem_negative", en="--redeem must be 0 or more points",
                          he="--redeem חייב להיות 0 נקודות או יותר")


def _basket(args: argparse.Namespace) -> checkout_service.BasketRequest:
    items = tuple(checkout_service.parse_item(text) for text in args.item)
    redeem = _int(args.redeem, "--redeem")
    if redeem < 0:
        raise InvalidInputError(REDEEM_NEGATIVE)
    at = None
    if getattr(args, "at", None):
        terminal = _open(args)
        with terminal.read() as session:
            zone = program_at(session, utcnow()).timezone
        at = parse_user_time(args.at, zone)
    pays = getattr(args, "pay", None)
    tenders = tuple(parse_payment(text) for text in pays) if pays else None
    gift_amount = _int(args.gift_amount, "--gift-amount") if getattr(args, "gift_amount", None) else None
    return checkout_service.BasketRequest(items=items, member_code=args.member, redeem_points=redeem,
                                          punch_rewards=tuple(args.punch_reward), manager_pin=args.pin, at=at,
                                          tenders=tenders, cashier_pin=getattr(args, "cashier_pin", None),
                                          coupons=tuple(args.coupon), vouchers=tuple(args.voucher),
                                          gift_amount=gift_amount, gift_card=getattr(args, "load_card", None))


def quote(args: argparse.Namespace) -> int:
    result = checkout_service.quote_basket(_open(args), _basket(args))
    data = result.to_json()
    emit(data, args.json, quote_text(data))
    return 0


SALE_RECORDED = message("cli.sale_recorded", en="Sale {receipt_no} recorded.", he="המכירה {receipt_no} נרשמה.")
PAID_LINE = message("cli.paid_line", en="Paid {kind}: {amount:money}", he="שולם ב{kind}: {amount:money}")
CHANGE_LINE = message("cli.change_line", en="Change: {amount:money}", he="עודף: {amount:money}")


def _tender_lines(tenders: list[dict[str, Any]], change: int, currency: str) -> list[str]:
    from pos_client.reports.shift_text import kind_name

    lang = current_language()
    lines = [say(PAID_LINE, kind=kind_name(str(t["kind"]), lang), amount=t["given"], currency=currency)
             for t in tenders]
    if change:
        lines.append(say(CHANGE_LINE, amount=change, currency=currency))
    return lines


def checkout(args: argparse.Namespace) -> int:
    result = checkout_service.checkout(_open(args), _basket(args))
    tenders = [t.to_json() for t in result.tenders]
    data = {"sale_id": result.sale_id, "receipt_no": result.receipt_no, "cashier_id": result.cashier_id,
            **result.quote.to_json(), "created_at": result.created_at.isoformat(),
            "tenders": tenders, "change": result.change, "shift_id": result.shift_id,
            "gift_cards": [g.to_json() for g in result.gift_cards]}
    emit(data, args.json, [say(SALE_RECORDED, receipt_no=result.receipt_no), *quote_text(data),
                           *_tender_lines(tenders, result.change, result.quote.currency)])
    return 0


REFUND_DONE = message("cli.refund_done",
                      en="Refund {refund_id} of {sale}: {money_back} minor units back, {points_reversed} points "
                         "taken back, {points_returned} redeemed points returned.",
                      he="החזרה {refund_id} של {sale}: הוחזרו {money_back} יחידות מטבע (אגורות), {points_reversed} "
                         "נקודות נלקחו בחזרה, {points_returned} נקודות שמומשו הוחזרו.")


def refund(args: argparse.Namespace) -> int:
    items = [checkout_service.parse_item(text) for text in args.item] if args.item else None
    refund_to = ({"credit": TenderKind.STORE_CREDIT}.get(args.refund_to) or TenderKind(args.refund_to)
                 if args.refund_to else None)
    result = refunds.refund(_open(args), args.sale_id, items, args.pin, args.reason, refund_to=refund_to,
                            cashier_pin=args.cashier_pin)
    e = result.effect
    data = {"refund_id": result.refund_id, "sale_id": result.sale_id, "receipt_no": result.receipt_no,
            "sale_receipt_no": result.sale_receipt_no, "money_back": e.money_back,
            "points_reversed": e.points_reversed, "points_returned": e.points_returned,
            "spend_reversed": e.spend_reversed, "stamps_reversed": dict(e.stamps_reversed),
            "stamps_returned": dict(e.stamps_returned), "membership_days_reversed": dict(e.membership_days),
            "fully_refunded": result.fully_refunded, "tenders": [t.to_json() for t in result.tenders]}
    emit(data, args.json, say(REFUND_DONE, refund_id=result.receipt_no, sale=result.sale_receipt_no or result.sale_id,
                              money_back=e.money_back,
                              points_reversed=e.points_reversed, points_returned=e.points_returned))
    return 0


ADJUSTED = message("cli.adjusted", en="{member_id}: {delta:+d} points, balance {balance}.",
                   he="{member_id}: {delta:+d} נקודות, יתרה {balance}.")


def adjust(args: argparse.Namespace) -> int:
    result = points.adjust(_open(args), args.member, _int(args.points, "--points"), args.reason, args.pin,
                           allow_negative=args.allow_negative)
    emit(result.__dict__, args.json, say(ADJUSTED, member_id=result.member_id, delta=result.points_delta,
                                         balance=result.balance))
    return 0


DONATED = message("cli.donated", en="{member_id} donated {points} points; balance {balance}.",
                  he="{member_id} תרם {points} נקודות; יתרה {balance}.")


def donate(args: argparse.Namespace) -> int:
    result = points.donate(_open(args), args.member, _int(args.points, "--points"), args.charity, args.pin,
                           cashier_pin=args.cashier_pin)
    emit(result.__dict__, args.json, say(DONATED, member_id=result.member_id, points=-result.points_delta,
                                         balance=result.balance))
    return 0


GRANTED = message("cli.granted", en="{member_id}: +{points} points, balance {balance}.",
                  he="{member_id}: +{points} נקודות, יתרה {balance}.")


def action_grant(args: argparse.Namespace) -> int:
    result = points.grant_action(_open(args), args.member, args.action, pin=args.pin)
    emit(result.__dict__, args.json, say(GRANTED, member_id=result.member_id, points=result.points_delta,
                                         balance=result.balance))
    return 0


CARD_WRITTEN = message("cli.card_written",
                       en="Card {card} (serial {serial}) for {member_id} written to {path}; older cards "
                          "revoked.",
                       he="הכרטיס {card} (סידורי {serial}) של {member_id} נכתב אל {path}; כרטיסים קודמים "
                          "בוטלו.")
CARD_ISSUED_LABEL = message("card.issued_label", en="Issued", he="הונפק")


def card_issue(args: argparse.Namespace) -> int:
    from pos_client.cards.render import CardFace, card_filename_format, render_card
    from pos_client.services.cards import IssuedCard, issue_new_card

    fmt = card_filename_format(args.out)
    terminal = _open(args)
    with terminal.read() as session:
        program = program_at(session, utcnow())
    data = member_status(terminal, args.member)
    tier = program.tier(data["tier"]) if data["tier"] else None
    tier_name = tier.name.text(args.lang) if tier else ""

    def render(card: IssuedCard) -> bytes:
        return render_card(CardFace(store_name=terminal.settings.store_name, member_name=card.name,
                                    member_id=card.member_id, tier_name=tier_name, token=card.token,
                                    card_number=card.card_number, issued=card.issued,
                                    issued_label=CARD_ISSUED_LABEL.render(args.lang)), fmt)

    card = issue_new_card(terminal, args.member, manager_pin=args.pin, reason=args.reason, out=args.out,
                          render=render)
    emit({"member_id": card.member_id, "card_number": card.card_number, "serial": card.serial,
          "card_token": card.token, "file": str(args.out), "revoked": list(card.revoked),
          "authorized_by": card.authorized_by}, args.json,
         say(CARD_WRITTEN, card=card.card_number, serial=card.serial, member_id=card.member_id, path=str(args.out)))
    return 0


CARD_REVOKED_DONE = message("cli.card_revoked", en="Card {card} of {member_id} revoked.",
                            he="הכרטיס {card} של {member_id} בוטל.")


def card_revoke(args: argparse.Namespace) -> int:
    from pos_client.services.cards import revoke_card

    card = revoke_card(_open(args), args.card, args.pin, args.reason)
    emit({"card_number": card.card_number, "member_id": card.member_id, "revoked_at": card.revoked_at}, args.json,
         say(CARD_REVOKED_DONE, card=card.card_number, member_id=card.member_id))
    return 0


def scan(args: argparse.Namespace) -> int:
    from pos_client.scanning.cli_scan import scan_files

    return scan_files(list(args.files), sys.stdout, live=args.live)
