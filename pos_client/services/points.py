"""Points outside a sale: manual adjustments, donations to charity, action rewards.

Each is one unit of work with its ledger entry, outbox row and (for manager actions) an audit row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.db.models import AuditEntry, LedgerEntry, MemberBalance
from pos_client.errors import AuthError, InvalidInputError, NotFoundError, RuleViolation
from pos_client.ids import new_id
from pos_client.ledger import EntryDraft, append
from pos_client.services.auth import authenticate
from pos_client.services.members import expire_points, identify
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso, utcnow

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


def adjust(terminal: Terminal, member_code: str, points: int, reason: str, manager_pin: str) -> PointsResult:
    """A manager's correction of a member's points, with a mandatory reason, audited."""
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= 200:
        raise InvalidInputError("an adjustment needs a reason of 3 to 200 characters")
    if points == 0 or abs(points) > MAX_ADJUST:
        raise InvalidInputError(f"adjust by a non-zero number of points up to {MAX_ADJUST}")
    now, tid = utcnow(), terminal.settings.terminal_id
    with terminal.unit_of_work() as session:
        manager = authenticate(session, manager_pin, role="manager")
        member = identify(session, member_code).member
        entry_id = append(session, EntryDraft(member.member_id, "adjust", points_delta=points, reason=reason),
                          terminal_id=tid, now=now, cashier_id=manager.user_id)
        session.add(AuditEntry(audit_id=new_id(), created_at=to_iso(now), user_id=manager.user_id,
                               action="adjust", target=member.member_id, reason=reason,
                               details=json.dumps({"points": points, "entry_id": entry_id})))
        return PointsResult(member.member_id, entry_id, points, _balance(session, member.member_id))


def donate(terminal: Terminal, member_code: str, points: int, charity: str, manager_pin: str | None = None,
           reason: str | None = None) -> PointsResult:
    """Give a member's points to one of the program's charities (needs the card token or a manager PIN).

    `reason` is the manager's, for the audit log (a donation made on the member's behalf).
    """
    if points <= 0:
        raise InvalidInputError("donate a positive number of points")
    now, tid = utcnow(), terminal.settings.terminal_id
    with terminal.unit_of_work() as session:
        program = program_at(session, now)
        target = program.charity(charity)
        if target is None:
            known = ", ".join(c.code for c in program.charities) or "none"
            raise NotFoundError(f"unknown charity '{charity}' (known: {known})")
        found = identify(session, member_code)
        user_id = None
        if manager_pin:
            user_id = authenticate(session, manager_pin, role="manager").user_id
        elif not found.can_spend:
            raise AuthError("donating points needs the member's card (scan the QR code) or a manager PIN")
        mid = found.member.member_id
        expire_points(session, mid, program, now, tid)
        available = _balance(session, mid)
        if points > available:
            raise RuleViolation(f"cannot donate {points} points: the member has {available}")
        entry_id = append(session, EntryDraft(mid, "donate", points_delta=-points, ref_code=target.code,
                                              reason=f"donation to {target.name.en}"),
                          terminal_id=tid, now=now, cashier_id=user_id, program_version=program.version)
        if user_id:
            session.add(AuditEntry(audit_id=new_id(), created_at=to_iso(now), user_id=user_id,
                                   action="donate", target=mid,
                                   reason=" ".join((reason or "").split())[:200] or f"donation to {target.code}",
                                   details=json.dumps({"points": points})))
        return PointsResult(mid, entry_id, -points, _balance(session, mid))


def grant_action(terminal: Terminal, member_code: str, action_code: str, cashier_id: str | None = None) -> PointsResult:
    """Points for a program action (newsletter sign-up…); `once` actions at most once per member."""
    now, tid = utcnow(), terminal.settings.terminal_id
    with terminal.unit_of_work() as session:
        program = program_at(session, now)
        action = program.action(action_code)
        if action is None:
            known = ", ".join(a.code for a in program.actions) or "none"
            raise NotFoundError(f"unknown action '{action_code}' (known: {known})")
        mid = identify(session, member_code).member.member_id
        if action.once and session.scalar(select(LedgerEntry.entry_id).where(
                LedgerEntry.member_id == mid, LedgerEntry.kind == "action", LedgerEntry.ref_code == action.code)):
            raise RuleViolation(f"{action.name.en} was already granted to {mid} (once per member)")
        entry_id = append(session, EntryDraft(mid, "action", points_delta=action.points, ref_code=action.code,
                                              reason=action.name.en), terminal_id=tid, now=now,
                          cashier_id=cashier_id, program_version=program.version)
        return PointsResult(mid, entry_id, action.points, _balance(session, mid))
