"""Members: enrolment, identification from whatever the cashier has, and their state for pricing.

Identification (DESIGN.md, "Member cards"): a member id, a card number or a phone number identifies a
member for *earning*; *spending* (a redemption, a punch-card reward, a donation) needs the signed QR token
or a manager PIN. A token signed by a key this terminal does not know yet identifies for earning only; a
forged, edited or revoked one is refused with "not a valid member card" and the reason.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_client.cards import tokens
from pos_client.cards.keys import load_key
from pos_client.db import driver
from pos_client.db.models import Card, Member, MemberBalance, OutboxRow, Setting
from pos_client.errors import InvalidInputError, NotFoundError
from pos_client.ledger import EntryDraft, append
from pos_client.member_state import store
from pos_client.program.schema import Program
from pos_client.terminal import Terminal, put_setting
from pos_client.timeutil import local_date, to_iso

_MEMBER_ID_RE = re.compile(r"^[Mm][0-9]{4,12}$")
_CARD_RE = re.compile(r"^[A-Za-z0-9]{4,32}$")
_PHONE_CHARS_RE = re.compile(r"^\+?[0-9 ()\-.]{6,24}$")
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,120}\.[^@\s]{2,}$")


class InvalidCardError(InvalidInputError):
    """A scanned card that must be refused; `reason` is for the manager, the message for the cashier."""

    code = "invalid_card"

    def __init__(self, reason: str) -> None:
        super().__init__(f"not a valid member card ({reason})")
        self.reason = reason


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


_MEMBER_COLUMNS = ("m.member_id, m.name, m.phone, m.email, m.birthday, m.bonus_weekday, m.referred_by,"
                   " m.enrolled_at, m.enrolled_by_terminal, m.merged_into")
_MEMBER_SQL = f"SELECT {_MEMBER_COLUMNS} FROM members m WHERE m.member_id = ?"
_BY_PHONE_SQL = f"SELECT {_MEMBER_COLUMNS} FROM members m WHERE m.phone = ? AND m.merged_into IS NULL LIMIT 2"
_CARD_SQL = "SELECT member_id, revoked_at FROM cards WHERE card_number = ?"
#: Everything a token check needs in one statement, always one row: the signing key, whether the token's
#: card was revoked, the member's newest card serial (a reissue replaces older cards) and the member.
_TOKEN_SQL = f"""
    SELECT k.public_key, k.revoked_at,
           (SELECT revoked_at IS NOT NULL FROM cards WHERE member_id = :m AND serial = :serial),
           (SELECT max(serial) FROM cards WHERE member_id = :m), {_MEMBER_COLUMNS}
      FROM (SELECT 1) LEFT JOIN trusted_keys k ON k.key_id = :kid LEFT JOIN members m ON m.member_id = :m"""


def normalize_phone(text: str) -> str:
    """Digits only, with a national `0` prefix for +972 numbers, so +972-54-… and 054-… match."""
    if not _PHONE_CHARS_RE.match(text or ""):
        raise InvalidInputError(f"'{text}' is not a phone number")
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+972") or (digits.startswith("972") and len(digits) == 12):
        digits = "0" + digits[3:]
    if not 6 <= len(digits) <= 15:
        raise InvalidInputError(f"'{text}' is not a phone number")
    return digits


def identify(session: Session, code: str) -> Identified:
    """Find the member behind a scanned or typed code.

    This runs on every scan and every sale, so it reads with driver-level statements (`pos_client.db.driver`).
    """
    code = (code or "").strip()
    if not code:
        raise NotFoundError("no member code given")
    if len(code) > 256 or not code.isprintable():
        raise InvalidCardError("the code holds characters a Kupa card never has")
    if tokens.looks_like_token(code):
        return _identify_token(session, code)
    if _MEMBER_ID_RE.match(code):
        member = find_member(session, code.upper())
        if member is None:
            raise NotFoundError(f"no member with id {code.upper()}")
        return Identified(_follow_merge(session, member), "member_id", False)
    if _CARD_RE.match(code):
        card = driver.one(session, _CARD_SQL, (code.upper(),))
        if card is not None:
            member_id, revoked_at = card
            if revoked_at:
                raise InvalidCardError(f"card {code.upper()} was revoked")
            return Identified(_follow_merge(session, _referenced_member(session, member_id)), "card", False)
    if _PHONE_CHARS_RE.match(code):
        found = driver.all_rows(session, _BY_PHONE_SQL, (normalize_phone(code),))
        if len(found) == 1:
            return Identified(MemberRecord(*found[0]), "phone", False)
        if len(found) > 1:
            raise InvalidInputError("several members share that phone number: scan the card or use the member id")
    raise NotFoundError(f"no member found for '{code[:40]}'")


def find_member(session: Session, member_id: str) -> MemberRecord | None:
    row = driver.one(session, _MEMBER_SQL, (member_id,))
    return MemberRecord(*row) if row is not None else None


def _referenced_member(session: Session, member_id: str) -> MemberRecord:
    """The member a card or a merge points at (a foreign key or the merge guarantees it exists)."""
    member = find_member(session, member_id)
    if member is None:
        raise NotFoundError(f"no member with id {member_id}")
    return member


def _identify_token(session: Session, code: str) -> Identified:
    try:
        token = tokens.parse(code)
    except tokens.TokenError as exc:
        raise InvalidCardError(exc.reason) from exc
    row = driver.one(session, _TOKEN_SQL, {"kid": token.key_id, "m": token.member_id, "serial": token.serial})
    assert row is not None  # the statement always returns one row
    public_key, key_revoked_at, card_revoked, newest = row[:4]
    if public_key is not None:
        if key_revoked_at:
            raise InvalidCardError("the terminal key that signed this card was revoked")
        try:
            tokens.verify(token, tokens.b64decode(public_key))
        except tokens.TokenError as exc:
            raise InvalidCardError(exc.reason) from exc
    if row[4] is None:
        raise InvalidCardError(f"member {token.member_id} is not known on this terminal yet")
    member = MemberRecord(*row[4:])
    if card_revoked or token.serial < (newest or 0):
        raise InvalidCardError(f"card {token.serial} of {member.member_id} was revoked or replaced")
    return Identified(_follow_merge(session, member), "token", public_key is not None)


def _follow_merge(session: Session, member: MemberRecord) -> MemberRecord:
    seen = 0
    while member.merged_into and seen < 10:
        member = _referenced_member(session, member.merged_into)
        seen += 1
    return member


def _next_member_id(session: Session, prefix: str) -> str:
    row = session.get(Setting, "member_seq")
    seq = (json.loads(row.value) if row else 0) + 1
    while session.get(Member, f"M{prefix}{seq:04d}") is not None:
        seq += 1
    put_setting(session, "member_seq", seq)
    return f"M{prefix}{seq:04d}"


def enrol(terminal: Terminal, session: Session, program: Program | None, now: datetime, *, name: str,
          phone: str | None = None, email: str | None = None, birthday: date | None = None,
          referred_by: str | None = None, bonus_weekday: int | None = None,
          cashier_id: str | None = None) -> tuple[Member, Card, str]:
    """Enrol a member with welcome points and a first card; returns the member, the card and its token."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 120 or not name.isprintable():
        raise InvalidInputError("a member's name must be 1 to 120 printable characters")
    phone_norm = normalize_phone(phone) if phone else None
    if phone_norm and session.scalar(select(Member).where(Member.phone == phone_norm)) is not None:
        raise InvalidInputError(f"a member with phone {phone} already exists")
    if email and not _EMAIL_RE.match(email):
        raise InvalidInputError(f"'{email}' is not an e-mail address")
    if birthday and not date(1900, 1, 1) <= birthday <= local_date(now, program.timezone if program else "UTC"):
        raise InvalidInputError("the birthday must be a real date in the past")
    if bonus_weekday is not None and not 0 <= bonus_weekday <= 6:
        raise InvalidInputError("the bonus weekday is a number from 0 (Monday) to 6 (Sunday)")
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
    card, token = issue_card(terminal, session, member.member_id, now)
    return member, card, token


def issue_card(terminal: Terminal, session: Session, member_id: str, now: datetime) -> tuple[Card, str]:
    """A new card for `member_id`; earlier active cards are revoked (a reissue replaces them)."""
    serial = (session.scalar(select(func.max(Card.serial)).where(Card.member_id == member_id)) or 0) + 1
    for old in session.scalars(select(Card).where(Card.member_id == member_id, Card.revoked_at.is_(None))):
        old.revoked_at, old.revoked_reason = to_iso(now), "replaced by a new card"
    number = "PC" + "".join(secrets.choice("0123456789") for _ in range(8))
    while session.get(Card, number) is not None:
        number = "PC" + "".join(secrets.choice("0123456789") for _ in range(8))
    key = load_key(terminal.keys_dir)
    token = tokens.sign(key, member_id, serial, local_date(now, "UTC"))
    card = Card(card_number=number, member_id=member_id, serial=serial, key_id=token.split(".")[1],
                issued_at=to_iso(now))
    session.add(card)
    session.flush()
    session.add(OutboxRow(kind="card", ref_id=number, payload=json.dumps(
        {"card_number": number, "member_id": member_id, "serial": serial, "key_id": card.key_id,
         "issued_at": card.issued_at}), created_at=to_iso(now)))
    return card, token


def expire_points(session: Session, member_id: str, program: Program, now: datetime, terminal_id: str) -> int:
    """Write the `expire` entry for points past `points_expiry_days`; returns how many expired."""
    expiring = store.expirable(session, member_id, program, now)
    if expiring:
        append(session, EntryDraft(member_id, "expire", points_delta=-expiring,
                                   reason=f"points older than {program.points_expiry_days} days"),
               terminal_id=terminal_id, now=now, program_version=program.version)
    return expiring


def member_to_json(member: Member) -> dict[str, object]:
    return {"member_id": member.member_id, "name": member.name, "phone": member.phone, "email": member.email,
            "birthday": member.birthday, "bonus_weekday": member.bonus_weekday, "referred_by": member.referred_by,
            "enrolled_at": member.enrolled_at, "enrolled_by_terminal": member.enrolled_by_terminal}

