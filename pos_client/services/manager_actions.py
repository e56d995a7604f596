"""The manager's corrections: edit a member, merge two records, reissue a card — audited, queued for HQ.

Each action takes the manager's PIN (authenticated inside the unit of work, as `points.adjust` does) and a
reason of 3 to 200 characters, and writes one `audit_log` row with the manager's id. Nothing is ever
deleted: a merge keeps both records and every ledger entry; the duplicate's balance moves by a pair of
`adjust` entries (minus on the duplicate, plus on the member kept) and the duplicate points to the member
kept (`merged_into`), so its cards, phone and id keep finding the right person.

Decisions:
- A merge moves points (after writing any pending expiry on the duplicate) and punch-card stamps; it does not
  move qualifying spend (it would restart a whole tier window from today) or a paid plan: the tier follows the
  kept member's own purchases. The moved points count as credited today for expiry.
- HQ's member message has no `merged_into` yet, so a merge reaches HQ as its audit row (`audit` outbox item)
  and the two `adjust` entries; an edit is queued as a `member` row like an enrolment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.db.models import Member, MemberBalance, MemberStamps, OutboxRow
from pos_client.errors import InvalidInputError, NotFoundError, StateError
from pos_client.ledger import EntryDraft, append_many
from pos_client.messages import message
from pos_client.services import audit
from pos_client.services.auth import authenticate
from pos_client.member_fields import check_birthday, check_email, check_name, normalize_phone
from pos_client.services import clock
from pos_client.services.members import BONUS_WEEKDAY_INVALID, NO_MEMBER_ID, PHONE_TAKEN, expire_points, member_to_json
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal
from pos_client.timeutil import local_date, to_iso, utcnow


@dataclass(frozen=True)
class MemberDetails:
    """The editable details of a member; `birthday` None and `bonus_weekday` None clear them."""

    name: str
    phone: str | None = None
    email: str | None = None
    birthday: date | None = None
    bonus_weekday: int | None = None


@dataclass(frozen=True)
class MergeResult:
    kept: str
    merged: str
    points_moved: int
    stamps_moved: dict[str, int]


@dataclass(frozen=True)
class ReissuedCard:
    """The new card (the earlier ones are revoked); `token` is the QR payload to print."""

    member_id: str
    name: str
    card_number: str
    token: str
    revoked: tuple[str, ...]


REASON_NEEDED = message("manager.reason_needed", en="a manager action needs a reason of 3 to 200 characters",
                        he="פעולת מנהל דורשת סיבה באורך 3 עד 200 תווים")


def check_reason(reason: str) -> str:
    """A manager's reason, whitespace collapsed; 3 to 200 characters or `InvalidInputError`."""
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= 200:
        raise InvalidInputError(REASON_NEEDED)
    return reason


def _member(session: Session, member_id: str) -> Member:
    member = session.get(Member, (member_id or "").strip().upper())
    if member is None:
        raise NotFoundError(NO_MEMBER_ID, member_id=member_id)
    return member


MEMBER_MERGED = message("member.merged", en="member {member_id} was merged into {merged_into}",
                        he="החבר {member_id} אוחד לתוך {merged_into}")
NOTHING_TO_CHANGE = message("member.nothing_to_change", en="nothing to change: the details are the same",
                            he="אין מה לשנות: הפרטים זהים")


def edit_member(terminal: Terminal, member_id: str, details: MemberDetails, reason: str,
                manager_pin: str) -> dict[str, object]:
    """Change a member's name, phone, e-mail, birthday or bonus weekday; returns the fields changed."""
    reason = check_reason(reason)
    name = check_name(details.name)
    phone = normalize_phone(details.phone) if details.phone else None
    email = (details.email or "").strip() or None
    if email:
        check_email(email)
    if details.bonus_weekday is not None and not 0 <= details.bonus_weekday <= 6:
        raise InvalidInputError(BONUS_WEEKDAY_INVALID)
    now = utcnow()
    with terminal.unit_of_work() as session:
        manager = authenticate(session, manager_pin, role="manager")
        member = _member(session, member_id)
        if member.merged_into:
            raise StateError(MEMBER_MERGED, member_id=member.member_id, merged_into=member.merged_into)
        if details.birthday:
            check_birthday(details.birthday, local_date(now, "UTC"))
        if phone and session.scalar(select(Member.member_id).where(
                Member.phone == phone, Member.member_id != member.member_id, Member.merged_into.is_(None))):
            raise InvalidInputError(PHONE_TAKEN, phone=details.phone)
        new = {"name": name, "phone": phone, "email": email,
               "birthday": details.birthday.isoformat() if details.birthday else None,
               "bonus_weekday": details.bonus_weekday}
        changed = {key: {"from": getattr(member, key), "to": value} for key, value in new.items()
                   if getattr(member, key) != value}
        if not changed:
            raise InvalidInputError(NOTHING_TO_CHANGE)
        for key, change in changed.items():
            setattr(member, key, change["to"])
        session.flush()
        session.add(OutboxRow(kind="member", ref_id=member.member_id, payload=json.dumps(member_to_json(member)),
                              created_at=to_iso(now)))
        audit.record(session, now, manager.user_id, "member_edit", member.member_id, reason, {"changed": changed})
        return {key: change["to"] for key, change in changed.items()}


MERGE_INTO_SELF = message("member.merge_into_self", en="a member cannot be merged into itself",
                          he="אי אפשר לאחד חבר לתוך עצמו")
ALREADY_MERGED = message("member.already_merged",
                         en="member {member_id} was already merged into {merged_into}",
                         he="החבר {member_id} כבר אוחד לתוך {merged_into}")


def merge_members(terminal: Terminal, keep_id: str, duplicate_id: str, reason: str, manager_pin: str) -> MergeResult:
    """Merge `duplicate_id` into `keep_id` (see the module docstring); refused into itself or a merged record."""
    reason = check_reason(reason)
    now, tid = utcnow(), terminal.settings.terminal_id
    with terminal.unit_of_work() as session:
        manager = authenticate(session, manager_pin, role="manager")
        keep, dup = _member(session, keep_id), _member(session, duplicate_id)
        if keep.member_id == dup.member_id:
            raise InvalidInputError(MERGE_INTO_SELF)
        for member in (keep, dup):
            if member.merged_into:
                raise StateError(ALREADY_MERGED, member_id=member.member_id, merged_into=member.merged_into)
        program = program_at(session, now)
        expire_points(session, dup.member_id, program, now, tid, clock.guard(session, now).expiry_time)
        balance = session.get(MemberBalance, dup.member_id)
        points = balance.points if balance else 0
        stamps = {row.punch_card: row.stamps for row in session.scalars(
            select(MemberStamps).where(MemberStamps.member_id == dup.member_id)) if row.stamps}
        drafts: list[EntryDraft] = []
        if points:
            drafts += [EntryDraft(dup.member_id, "adjust", points_delta=-points, reason=f"merged into {keep.member_id}"),
                       EntryDraft(keep.member_id, "adjust", points_delta=points, reason=f"merged from {dup.member_id}")]
        for card, count in sorted(stamps.items()):
            drafts += [EntryDraft(dup.member_id, "adjust", stamps_delta=-count, punch_card=card,
                                  reason=f"merged into {keep.member_id}"),
                       EntryDraft(keep.member_id, "adjust", stamps_delta=count, punch_card=card,
                                  reason=f"merged from {dup.member_id}")]
        append_many(session, drafts, terminal_id=tid, now=now, cashier_id=manager.user_id,
                    program_version=program.version)
        dup.merged_into = keep.member_id
        audit.record(session, now, manager.user_id, "member_merge", keep.member_id, reason,
                     {"merged": dup.member_id, "points": points, "stamps": stamps}, queue=True)
        return MergeResult(keep.member_id, dup.member_id, points, stamps)


def reissue_card(terminal: Terminal, member_code: str, reason: str, manager_pin: str) -> ReissuedCard:
    """Revoke the member's active cards and issue a new one (a lost or damaged card), audited: the manager's
    form of `cards.issue_new_card` (the app shows the new card on screen; nothing is written to a file)."""
    from pos_client.services.cards import issue_new_card

    issued = issue_new_card(terminal, member_code, manager_pin=manager_pin, reason=check_reason(reason))
    return ReissuedCard(issued.member_id, issued.name, issued.card_number, issued.token, issued.revoked)
