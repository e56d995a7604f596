"""Members: enrolment, identification from whatever the cashier has, and their state for pricing.

Identification (DESIGN.md, "Member cards"): a member id, a card number or a phone number identifies a
member for *earning*; *spending* (a redemption, a punch-card reward, a donation) needs the signed QR token
or a manager PIN. A token signed by a key this terminal does not know yet identifies for earning only; a
forged, edited or revoked one is refused with "not a valid member card" and the reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.orm import Session

from pos_client import ids
from pos_client.cards import tokens
from pos_client.cards.keys import load_key
from pos_client.db import driver
from pos_client.db.models import (Card, Member, MemberBalance, MemberSnapshot, OutboxRow,
                                  Setting, TrustedKey)
from pos_client.errors import InvalidInputError, NotFoundError
from pos_client.ledger import EntryDraft, append, append_many
from pos_client.member_fields import MEMBER_ID_RE, PHONE_CHARS_RE, check_birthday, check_email, check_name, normalize_phone
from pos_client.member_state import store
from pos_client.messages import Message, Text, message
from pos_client.program.schema import Program
from pos_client.services import coupons as coupon_service
from pos_client.terminal import Terminal, put_setting
from pos_client.timeutil import local_date, to_iso

_CARD_RE = re.compile(r"^[A-Za-z0-9]{4,32}$")


INVALID_CARD = message("card.invalid", en="not a valid member card ({reason})",
                       he="כרטיס חבר לא תקף ({reason})")


class InvalidCardError(InvalidInputError):
    """A scanned card that must be refused: "not a valid member card" and why (a catalogue `Text`).

    `reason` is the English reason (logs, the manager's screens); the message words it in the reader's language.
    """

    code = "invalid_card"

    def __init__(self, reason: Message | Text, **params: object) -> None:
        why = reason if isinstance(reason, Text) else reason.bind(**params)
        super().__init__(INVALID_CARD, reason=why)
        self.reason = str(why)


@dataclass(frozen=True)
class MemberRecord:
    """A member's row as identification reads it: a plain value (services that change a member load the
    ORM `Member` by `member_id`)."""

    member_id: str
    name: str
    phone: str | None
    email: str | None
    birthday: str | None
    bonus_weekday: int | None
    referred_by: str | None
    enrolled_at: str
    enrolled_by_terminal: str
    merged_into: str | None


@dataclass(frozen=True)
class Identified:
    member: MemberRecord
    via: str  # token | member_id | card | phone
    can_spend: bool


#: The member columns identification reads, in `MemberRecord`'s order.
_MEMBER_COLUMNS = tuple(driver.table(Member).c[f.name] for f in fields(MemberRecord))
_MEMBER_SQL = driver.Statement(select(*_MEMBER_COLUMNS).where(Member.member_id == bindparam("m")))
_BY_PHONE_SQL = driver.Statement(select(*_MEMBER_COLUMNS).where(Member.phone == bindparam("phone"),
                                                                Member.merged_into.is_(None)).limit(2))
_CARD_SQL = driver.Statement(select(Card.member_id, Card.revoked_at).where(Card.card_number == bindparam("card")))
#: Everything a token check needs in one statement, always one row: the signing key, whether the token's
#: card was revoked, the member's newest card serial (a reissue replaces older cards) and the member.
_TOKEN_SQL = driver.Statement(select(
    TrustedKey.public_key, TrustedKey.revoked_at,
    select(Card.revoked_at.is_not(None)).where(Card.member_id == bindparam("m"), Card.serial == bindparam("serial"))
    .scalar_subquery(),
    select(func.max(Card.serial)).where(Card.member_id == bindparam("m")).scalar_subquery(),
    *_MEMBER_COLUMNS,
).select_from(select(literal(1).label("one")).subquery("one_row")
              .outerjoin(driver.table(TrustedKey), TrustedKey.key_id == bindparam("kid"))
              .outerjoin(driver.table(Member), Member.member_id == bindparam("m"))))


CARD_BAD_CHARS = message("card.bad_characters", en="the code holds characters a Kupa card never has",
                         he="הקוד מכיל תווים שאין בכרטיס של Kupa")
CARD_REVOKED = message("card.revoked", en="card {card} was revoked", he="הכרטיס {card} בוטל")


NO_MEMBER_CODE = message("member.no_code", en="no member code given", he="לא הוזן קוד חבר")
NO_MEMBER_ID = message("member.no_such_id", en="no member with id {member_id}",
                       he="אין חבר עם מספר {member_id}")
PHONE_SHARED = message("member.phone_shared",
                       en="several members share that phone number: scan the card or use the member id",
                       he="כמה חברים רשומים עם הטלפון הזה: סרקו את הכרטיס או השתמשו במספר החבר")
NO_MEMBER = message("member.not_found", en="no member found for '{code}'", he="לא נמצא חבר עבור '{code}'")


def identify(session: Session, code: str) -> Identified:
    """Find the member behind a scanned or typed code.

    This runs on every scan and every sale, so it reads with driver-level statements (`pos_client.db.driver`).
    """
    code = (code or "").strip()
    if not code:
        raise NotFoundError(NO_MEMBER_CODE)
    if len(code) > 256 or not code.isprintable():
        raise InvalidCardError(CARD_BAD_CHARS)
    if tokens.looks_like_token(code):
        return _identify_token(session, code)
    if ids.member_id_typo(code) or ids.card_number_typo(code):
        raise InvalidInputError(ID_TYPO, code=code.upper())
    if MEMBER_ID_RE.match(code):
        member = find_member(session, code.upper())
        if member is None:
            raise NotFoundError(NO_MEMBER_ID, member_id=code.upper())
        return Identified(_follow_merge(session, member), "member_id", False)
    if _CARD_RE.match(code):
        card = driver.one(session, _CARD_SQL, {"card": code.upper()})
        if card is not None:
            member_id, revoked_at = card
            if revoked_at:
                raise InvalidCardError(CARD_REVOKED, card=code.upper())
            return Identified(_follow_merge(session, _referenced_member(session, member_id)), "card", False)
    if PHONE_CHARS_RE.match(code):
        found = driver.all_rows(session, _BY_PHONE_SQL, {"phone": normalize_phone(code)})
        if len(found) == 1:
            return Identified(MemberRecord(*found[0]), "phone", False)
        if len(found) > 1:
            raise InvalidInputError(PHONE_SHARED)
    raise NotFoundError(NO_MEMBER, code=code[:40])


ID_TYPO = message("member.id_typo",
                  en="{code}: the check digit does not match; a digit was mistyped or two were swapped",
                  he="{code}: ספרת הביקורת אינה מתאימה; ספרה הוקלדה שגוי או ששתי ספרות הוחלפו")


def find_member(session: Session, member_id: str) -> MemberRecord | None:
    row = driver.one(session, _MEMBER_SQL, {"m": member_id})
    return MemberRecord(*row) if row is not None else None


def _referenced_member(session: Session, member_id: str) -> MemberRecord:
    """The member a card or a merge points at (a foreign key or the merge guarantees it exists)."""
    member = find_member(session, member_id)
    if member is None:
        raise NotFoundError(NO_MEMBER_ID, member_id=member_id)
    return member


CARD_KEY_REVOKED = message("card.key_revoked", en="the terminal key that signed this card was revoked",
                           he="מפתח הקופה שחתם על הכרטיס בוטל")
CARD_MEMBER_UNKNOWN = message("card.member_unknown",
                              en="member {member_id} is not known on this terminal yet",
                              he="החבר {member_id} עדיין אינו מוכר בקופה זו")
CARD_REPLACED = message("card.revoked_or_replaced", en="card {serial} of {member_id} was revoked or replaced",
                        he="כרטיס {serial} של {member_id} בוטל או הוחלף")


def card_token(code: str) -> tokens.CardToken:
    """The member card token `code` is, its shape checked (`InvalidCardError` with the reason when it is not)."""
    try:
        return tokens.parse(code)
    except tokens.TokenError as exc:
        raise InvalidCardError(exc.reason) from exc


def _card_signed(token: tokens.CardToken, public_key: str | None, key_revoked_at: str | None) -> bool:
    """Whether a key this terminal trusts signed the card, checked: a known key must not be revoked and must have
    signed it (else `InvalidCardError`); a key it does not know (another store's) checks nothing, and the card
    identifies its member for earning only (DESIGN.md, "Member cards"). The one rule for `identify` and
    `walk_in` (issue #12)."""
    if public_key is None:
        return False
    if key_revoked_at:
        raise InvalidCardError(CARD_KEY_REVOKED)
    try:
        tokens.verify(token, tokens.b64decode(public_key))
    except tokens.TokenError as exc:
        raise InvalidCardError(exc.reason) from exc
    return True


def _identify_token(session: Session, code: str) -> Identified:
    token = card_token(code)
    row = driver.one(session, _TOKEN_SQL, {"kid": token.key_id, "m": token.member_id, "serial": token.serial})
    assert row is not None  # the statement always returns one row
    public_key, key_revoked_at, card_revoked, newest = row[:4]
    signed = _card_signed(token, public_key, key_revoked_at)
    if row[4] is None:
        raise InvalidCardError(CARD_MEMBER_UNKNOWN, member_id=token.member_id)
    member = MemberRecord(*row[4:])
    if card_revoked or token.serial < (newest or 0):
        raise InvalidCardError(CARD_REPLACED, serial=token.serial, member_id=member.member_id)
    confirmed = driver.one(session, _WALK_IN_SQL, {"m": member.member_id}) is None
    return Identified(_follow_merge(session, member), "token", signed and confirmed)


#: A walk-in HQ has not confirmed yet (`walk_in`): earn-only, whatever card they show.
_WALK_IN_SQL = driver.Statement(select(MemberSnapshot.member_id).where(MemberSnapshot.member_id == bindparam("m"),
                                                                       MemberSnapshot.body.is_(None)))
#: `enrolled_by_terminal` of a walk-in until HQ's row replaces it (no terminal has that id: `sync.hq.auth`).
WALK_IN = "walk-in"
WALK_IN_CODE = message("member.walk_in_code",
                       en="{code} names no member: a walk-in from another store is recorded from their card's "
                          "QR code or member id",
                       he="{code} אינו מזהה חבר: לקוח מחנות אחרת נרשם לפי קוד ה־QR בכרטיס או מספר החבר")
WALK_IN_KNOWN = message("member.walk_in_known", en="member {member_id} is already known on this terminal",
                        he="החבר {member_id} כבר מוכר בקופה זו")


def walk_in(session: Session, code: str, now: datetime) -> MemberRecord:
    """Record a member of another store who walks in while HQ cannot be reached, from the id their card
    carries (a scanned token, whose signature is checked when its key is known, or a typed member id with a
    right check digit), as "earn only until confirmed" (DESIGN.md: a token of an unknown key identifies the
    member for earning only). Their sales earn points here and are pushed as usual; HQ accepts them for the
    member it holds, links the member to this store, and the next pull replaces this record with HQ's member
    and snapshot (`sync.apply`). Nothing of it is pushed as an enrolment: the member is not this terminal's."""
    code = (code or "").strip()
    if tokens.looks_like_token(code):
        token = card_token(code)
        key = session.get(TrustedKey, token.key_id)
        _card_signed(token, key.public_key if key else None, key.revoked_at if key else None)
        member_id = token.member_id.upper()
    else:
        parts = ids.parse_member_id(code)
        if parts is None:
            raise InvalidInputError(WALK_IN_CODE, code=code[:40])
        if not parts.check_ok:
            raise InvalidInputError(ID_TYPO, code=code.upper()[:40])
        member_id = code.upper()
    if session.get(Member, member_id) is not None:
        raise InvalidInputError(WALK_IN_KNOWN, member_id=member_id)
    session.add(Member(member_id=member_id, name=member_id, enrolled_at=to_iso(now), enrolled_by_terminal=WALK_IN))
    session.add(MemberBalance(member_id=member_id, points=0, credits_total=0, debits_total=0, sales_count=0))
    session.add(MemberSnapshot(member_id=member_id, body=None, confirmed_at=None))
    session.flush()
    record = find_member(session, member_id)
    assert record is not None
    return record


def _follow_merge(session: Session, member: MemberRecord) -> MemberRecord:
    seen = 0
    while member.merged_into and seen < 10:
        member = _referenced_member(session, member.merged_into)
        seen += 1
    return member


def _next_member_id(session: Session, prefix: str) -> str:
    """The next new-form id under `prefix` (`pos_client.ids.member_id`, with its check digit). The counter
    `member_seq` is shared with the old form, so a terminal that enrolled `M1010007` goes on with counter 8."""
    row = session.get(Setting, "member_seq")
    seq = (json.loads(row.value) if row else 0) + 1
    while session.get(Member, ids.member_id(prefix, seq)) is not None:
        seq += 1
    put_setting(session, "member_seq", seq)
    return ids.member_id(prefix, seq)


NAME_INVALID = message("member.name_invalid", en="a member's name must be 1 to 120 printable characters",
                       he="שם החבר חייב להיות באורך 1 עד 120 תווים")
PHONE_TAKEN = message("member.phone_taken", en="a member with phone {phone} already exists",
                      he="כבר קיים חבר עם הטלפון {phone}")
EMAIL_INVALID = message("member.email_invalid", en="'{email}' is not an e-mail address",
                        he='\'{email}\' אינה כתובת דוא"ל')
BIRTHDAY_INVALID = message("member.birthday_invalid", en="the birthday must be a real date in the past",
                           he="יום ההולדת חייב להיות תאריך אמיתי בעבר")
BONUS_WEEKDAY_INVALID = message("member.bonus_weekday_invalid",
                                en="the bonus weekday is a number from 0 (Monday) to 6 (Sunday)",
                                he="יום הבונוס הוא מספר מ־0 (שני) עד 6 (ראשון)")


def enrol(terminal: Terminal, session: Session, program: Program | None, now: datetime, *, name: str,
          phone: str | None = None, email: str | None = None, birthday: date | None = None,
          referred_by: str | None = None, bonus_weekday: int | None = None,
          cashier_id: str | None = None) -> tuple[Member, Card, str]:
    """Enrol a member with welcome points and a first card; returns the member, the card and its token."""
    name = check_name(name)
    phone_norm = normalize_phone(phone) if phone else None
    if phone_norm and session.scalar(select(Member).where(Member.phone == phone_norm)) is not None:
        raise InvalidInputError(PHONE_TAKEN, phone=phone)
    if email:
        check_email(email)
    if birthday:
        check_birthday(birthday, local_date(now, program.timezone if program else "UTC"))
    if bonus_weekday is not None and not 0 <= bonus_weekday <= 6:
        raise InvalidInputError(BONUS_WEEKDAY_INVALID)
    referrer = identify(session, referred_by).member.member_id if referred_by else None
    settings = terminal.settings
    # Read in this transaction, not from the cached settings: a sync (in this process or another) may have
    # adopted the prefix HQ assigned since the terminal was opened.
    prefix_row = session.get(Setting, "member_prefix")
    prefix = json.loads(prefix_row.value) if prefix_row is not None else settings.member_prefix
    member = Member(member_id=_next_member_id(session, prefix), name=name, phone=phone_norm,
                    email=email or None, birthday=birthday.isoformat() if birthday else None,
                    bonus_weekday=bonus_weekday, referred_by=referrer, enrolled_at=to_iso(now),
                    enrolled_by_terminal=settings.terminal_id)
    session.add(member)
    session.add(MemberBalance(member_id=member.member_id, points=0, credits_total=0, debits_total=0, sales_count=0))
    session.flush()
    session.add(OutboxRow(kind="member", ref_id=member.member_id, payload=json.dumps(member_to_json(member)),
                          created_at=to_iso(now)))
    if program and program.welcome and program.welcome.points:
        append(session, EntryDraft(member.member_id, "welcome", points_delta=program.welcome.points,
                                   reason="welcome"), terminal_id=settings.terminal_id, now=now,
               cashier_id=cashier_id, program_version=program.version)
    if program is not None:
        append_many(session, coupon_service.enrolment_drafts(program, member.member_id, now),
                    terminal_id=settings.terminal_id, now=now, cashier_id=cashier_id, program_version=program.version)
    card, token = issue_card(terminal, session, member.member_id, now)
    return member, card, token


def issue_card(terminal: Terminal, session: Session, member_id: str, now: datetime,
               audit_id: str | None = None) -> tuple[Card, str]:
    """A new card for `member_id`; earlier active cards are revoked (a reissue replaces them).

    `audit_id` names the manager's audited decision (an `audit` outbox item) when there is one: it goes to HQ
    with the card, which lets a counter replace a card another counter issued only with it.
    """
    serial = (session.scalar(select(func.max(Card.serial)).where(Card.member_id == member_id)) or 0) + 1
    for old in session.scalars(select(Card).where(Card.member_id == member_id, Card.revoked_at.is_(None))):
        old.revoked_at, old.revoked_reason = to_iso(now), "replaced by a new card"
    number = ids.new_card_number()
    while session.get(Card, number) is not None:
        number = ids.new_card_number()
    key = load_key(terminal.keys_dir)
    token = tokens.sign(key, member_id, serial, local_date(now, "UTC"))
    card = Card(card_number=number, member_id=member_id, serial=serial, key_id=token.split(".")[1],
                issued_at=to_iso(now))
    session.add(card)
    session.flush()
    session.add(OutboxRow(kind="card", ref_id=number, payload=json.dumps(
        {"card_number": number, "member_id": member_id, "serial": serial, "key_id": card.key_id,
         "issued_at": card.issued_at, **({"audit_id": audit_id} if audit_id else {})}), created_at=to_iso(now)))
    return card, token


def expire_points(session: Session, member_id: str, program: Program, now: datetime, terminal_id: str,
                  expire_at: datetime | None = None) -> int:
    """Write the `expire` entry for points past `points_expiry_days` as of `expire_at` (default `now`: the
    caller passes the clock check's time, so a clock set years ahead expires nothing); returns how many."""
    expiring = store.expirable(session, member_id, program, expire_at or now)
    if expiring:
        append(session, EntryDraft(member_id, "expire", points_delta=-expiring,
                                   reason=f"points older than {program.points_expiry_days} days"),
               terminal_id=terminal_id, now=now, program_version=program.version)
    return expiring


def member_to_json(member: Member) -> dict[str, object]:
    return {"member_id": member.member_id, "name": member.name, "phone": member.phone, "email": member.email,
            "birthday": member.birthday, "bonus_weekday": member.bonus_weekday, "referred_by": member.referred_by,
            "enrolled_at": member.enrolled_at, "enrolled_by_terminal": member.enrolled_by_terminal}

