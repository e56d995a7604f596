"""Points outside a sale: manual adjustments, donations to charity, action rewards.

Each is one unit of work with its ledger entry, outbox row and (for manager actions) an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.db.models import LedgerEntry, MemberBalance, Staff
from pos_client.errors import AuthError, InvalidInputError, NotFoundError, RuleViolation, StateError
from pos_client.ledger import EntryDraft, append
from pos_client.member_state import store as member_store
from pos_client.messages import message
from pos_client.services import clock
from pos_client.services import audit, staff
from pos_client.services.auth import authenticate
from pos_client.services.members import expire_points, identify
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal
from pos_client.timeutil import utcnow

MAX_ADJUST = 1_000_000


@dataclass(frozen=True)
class PointsResult:
    member_id: str
    entry_id: str
    points_delta: int
    balance: int


def _balance(session: Session, member_id: str) -> int:
    row = session.get(MemberBalance, member_id)
    return row.points if row else 0


ADJUST_REASON = message("points.adjust_reason", en="an adjustment needs a reason of 3 to 200 characters",
                        he="תיקון נקודות דורש סיבה באורך 3 עד 200 תווים")
ADJUST_RANGE = message("points.adjust_range", en="adjust by a non-zero number of points up to {max_points}",
                       he="יש לתקן במספר נקודות שאינו אפס, עד {max_points}")


ADJUST_BELOW_ZERO = message(
    "adjust.below_zero",
    en="Adjusting by {points} points would leave {member_id} with {after} points (they have {balance}): a balance "
       "below zero needs the explicit override (--allow-negative), which is written to the audit log",
    he="התאמה של {points} נקודות תשאיר ל-{member_id} יתרה של {after} נקודות (יש לו {balance}): יתרה שלילית "
       "דורשת אישור מפורש (--allow-negative), שנרשם ביומן הביקורת")


def adjust(terminal: Terminal, member_code: str, points: int, reason: str, manager_pin: str, *,
           allow_negative: bool = False) -> PointsResult:
    """A manager's correction of a member's points, with a mandatory reason, audited.

    It never takes a balance below zero (counted after any points already past expiry), unless the manager
    asks for it explicitly (`allow_negative`): the audit row then says so (`"override": "allow_negative"`).
    """
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= 200:
        raise InvalidInputError(ADJUST_REASON)
    if points == 0 or abs(points) > MAX_ADJUST:
        raise InvalidInputError(ADJUST_RANGE, max_points=MAX_ADJUST)
    now, tid = utcnow(), terminal.settings.terminal_id
    with terminal.unit_of_work() as session:
        trusted = clock.guard(session, now)
        manager = authenticate(session, manager_pin, role="manager")
        member = identify(session, member_code).member
        balance = _balance(session, member.member_id)
        expiring = 0
        if points < 0:
            try:
                program = program_at(session, now)
            except (NotFoundError, StateError):  # no program loaded yet: nothing expires
                program = None
            if program is not None:
                expiring = member_store.expirable(session, member.member_id, program, trusted.expiry_time)
        override = points < 0 and balance - expiring + points < 0
        if override and not allow_negative:
            raise RuleViolation(ADJUST_BELOW_ZERO, points=points, member_id=member.member_id,
                                balance=balance - expiring, after=balance - expiring + points)
        entry_id = append(session, EntryDraft(member.member_id, "adjust", points_delta=points, reason=reason),
                          terminal_id=tid, now=now, cashier_id=manager.user_id)
        details: dict[str, object] = {"points": points, "entry_id": entry_id, "balance_before": balance}
        if override:
            details["override"] = "allow_negative"
        audit.record(session, now, manager.user_id, "adjust", member.member_id, reason, details)
        return PointsResult(member.member_id, entry_id, points, _balance(session, member.member_id))


DONATE_POSITIVE = message("points.donate_positive", en="donate a positive number of points",
                          he="יש לתרום מספר חיובי של נקודות")
UNKNOWN_CHARITY = message("points.unknown_charity", en="unknown charity '{charity}' (known: {known})",
                          he="עמותה לא מוכרת '{charity}' (המוכרות: {known})")
DONATE_NEEDS_CARD = message("points.donate_needs_card",
                            en="donating points needs the member's card (scan the QR code) or a manager PIN",
                            he="תרומת נקודות דורשת את כרטיס החבר (סריקת QR) או קוד מנהל")
DONATE_TOO_MANY = message("points.donate_over_balance",
                          en="cannot donate {points} points: the member has {available}",
                          he="אי אפשר לתרום {points} נקודות: לחבר יש {available}")


def donate(terminal: Terminal, member_code: str, points: int, charity: str, manager_pin: str | None = None,
           reason: str | None = None, *, cashier_id: str | None = None, cashier_pin: str | None = None) -> PointsResult:
    """Give a member's points to one of the program's charities (needs the card token or a manager PIN).

    `reason` is the manager's, for the audit log (a donation made on the member's behalf). The entry names
    who did it (`services.staff.acting`: the cashier's PIN or id, else the manager).
    """
    if points <= 0:
        raise InvalidInputError(DONATE_POSITIVE)
    now, tid = utcnow(), terminal.settings.terminal_id
    with terminal.unit_of_work() as session:
        trusted = clock.guard(session, now)
        program = program_at(session, now)
        target = program.charity(charity)
        if target is None:
            known = ", ".join(c.code for c in program.charities) or "none"
            raise NotFoundError(UNKNOWN_CHARITY, charity=charity, known=known)
        found = identify(session, member_code)
        user_id = None
        if manager_pin:
            user_id = authenticate(session, manager_pin, role="manager").user_id
        elif not found.can_spend:
            raise AuthError(DONATE_NEEDS_CARD)
        actor = staff.acting(session, cashier_pin, cashier_id) if (cashier_pin or cashier_id or not user_id) \
            else user_id
        mid = found.member.member_id
        expire_points(session, mid, program, now, tid, trusted.expiry_time)
        available = _balance(session, mid)
        if points > available:
            raise RuleViolation(DONATE_TOO_MANY, points=points, available=available)
        entry_id = append(session, EntryDraft(mid, "donate", points_delta=-points, ref_code=target.code,
                                              reason=f"donation to {target.name.en}"),
                          terminal_id=tid, now=now, cashier_id=actor, program_version=program.version)
        if user_id:
            audit.record(session, now, user_id, "donate", mid,
                         " ".join((reason or "").split())[:200] or f"donation to {target.code}", {"points": points})
        return PointsResult(mid, entry_id, -points, _balance(session, mid))


UNKNOWN_ACTION = message("points.unknown_action", en="unknown action '{action}' (known: {known})",
                         he="פעולה לא מוכרת '{action}' (המוכרות: {known})")
ACTION_ONCE = message("points.action_once",
                      en="{action} was already granted to {member_id} (once per member)",
                      he="{action} כבר ניתנה לחבר {member_id} (פעם אחת לכל חבר)")


GRANT_WHO = message("action.grant_who", en="granting an action's points needs the PIN of the cashier who grants them",
                    he="הענקת נקודות על פעולה דורשת את הקוד של הקופאי שמעניק אותן")


def grant_action(terminal: Terminal, member_code: str, action_code: str, cashier_id: str | None = None, *,
                 pin: str | None = None) -> PointsResult:
    """Points for a program action (newsletter sign-up…); `once` actions at most once per member.

    The cashier grants them (DESIGN.md), so no manager is needed; but who did it is recorded on the entry and
    in the audit log: the app passes its signed-in cashier (`cashier_id`), the CLI the staff member's own `pin`.
    """
    now, tid = utcnow(), terminal.settings.terminal_id
    with terminal.unit_of_work() as session:
        clock.guard(session, now)
        if pin is not None:
            cashier_id = authenticate(session, pin).user_id
        elif cashier_id is None or not cashier_id.isdigit() or session.get(Staff, int(cashier_id)) is None:
            raise AuthError(GRANT_WHO)
        program = program_at(session, now)
        action = program.action(action_code)
        if action is None:
            known = ", ".join(a.code for a in program.actions) or "none"
            raise NotFoundError(UNKNOWN_ACTION, action=action_code, known=known)
        mid = identify(session, member_code).member.member_id
        if action.once and session.scalar(select(LedgerEntry.entry_id).where(
                LedgerEntry.member_id == mid, LedgerEntry.kind == "action", LedgerEntry.ref_code == action.code)):
            raise RuleViolation(ACTION_ONCE, action=action.name, member_id=mid)
        entry_id = append(session, EntryDraft(mid, "action", points_delta=action.points, ref_code=action.code,
                                              reason=action.name.en), terminal_id=tid, now=now,
                          cashier_id=cashier_id, program_version=program.version)
        audit.record(session, now, cashier_id, "action_grant", mid, action.name.en,
                     {"action": action.code, "points": action.points, "entry_id": entry_id})
        return PointsResult(mid, entry_id, action.points, _balance(session, mid))
