"""Staff: cashiers and managers with names, roles and PINs; who did each sale, refund and correction.

A staff member is a row of `staff` (migration 0013) with a number (`staff_id`, written as text into the
`cashier_id` / `user_id` columns of sales, ledger entries and audit rows, and sent to HQ with them), a name,
a role (`cashier` | `manager`), a PIN stored only as a scrypt hash (`services.auth`, at the role's cost) and an
active flag. A member is never deleted: a disabled one cannot sign in, and the history naming them keeps their
name.

Decisions:
- PINs are 4 to 8 digits (`auth.check_pin_format`); a PIN of 9 to 12 digits set before still signs in.
- Sign-in is by PIN alone (the PIN pad has no name field), so two active members never share a PIN: a new or
  changed PIN is checked against every active member's hash and refused when taken. That tells the person
  choosing it that someone has that PIN; it is the price of a PIN-only sign-in, and the throttle still slows
  down anyone who tries PINs (`pin_throttle`).
- Adding, disabling and resetting a PIN need a manager's PIN; a cashier changes their own PIN with the old one
  (`change_pin`). The last active manager cannot be disabled (nobody could manage the store any more).
- `require_cashier_pin` (a setting: `auto`, `always`, `never`; default `auto`) decides whether a headless sale
  (the CLI) must say who rings it up: `auto` requires it once the store has an active cashier — a store that
  has only its manager is a one-person shop or a test bench, and asking for a PIN there only adds typing. A
  manager's PIN given for the action identifies the manager, which satisfies it. The app always has someone
  signed in.
Every change is written to the audit log (`services.audit.record`), in the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_client.db.models import Setting, Staff
from pos_client.errors import AuthError, InvalidInputError, NotFoundError, StateError
from pos_client.messages import message
from pos_client.services import audit
from pos_client.services.auth import authenticate, check_pin_format, hash_pin, pin_matches
from pos_client.terminal import Terminal, put_setting
from pos_client.timeutil import to_iso, utcnow

ROLES = ("cashier", "manager")
POLICIES = ("auto", "always", "never")
POLICY_KEY = "require_cashier_pin"
MAX_NAME = 80

ROLE = message("staff.role", en="a staff member is a cashier or a manager ('{role}' is neither)",
               he="עובד הוא קופאי או מנהל ('{role}' אינו אף אחד מהם)")
NAME = message("staff.name", en="a staff member's name is 1 to {max} printable characters",
               he="שם עובד הוא 1 עד {max} תווים מודפסים")
PIN_TAKEN = message("staff.pin_taken", en="another staff member has that PIN: choose another",
                    he="לעובד אחר יש את הקוד הזה: בחרו קוד אחר")
NO_STAFF = message("staff.not_found", en="no staff member number {staff_id}", he="אין עובד שמספרו {staff_id}")
NOT_A_NUMBER = message("staff.not_a_number", en="'{text}' is not a staff member's number",
                       he="'{text}' אינו מספר עובד")
LAST_MANAGER = message("staff.last_manager",
                       en="{name} is the last active manager: add another manager before disabling them",
                       he="{name} הוא המנהל הפעיל האחרון: הוסיפו מנהל נוסף לפני השבתתו")
ALREADY_DISABLED = message("staff.already_disabled", en="{name} is already disabled", he="{name} כבר מושבת")
DISABLED = message("staff.disabled", en="{name} is disabled", he="{name} מושבת")
NOT_YOUR_PIN = message("staff.not_your_pin",
                       en="that is not the current PIN of staff member {staff_id}: a cashier changes only their "
                          "own PIN (a manager can reset anyone's)",
                       he="זה אינו הקוד הנוכחי של עובד {staff_id}: קופאי משנה רק את הקוד שלו (מנהל יכול "
                          "לאפס קוד של כל אחד)")
PIN_WHO = message("staff.pin_who", en="changing a PIN needs the current PIN or a manager's PIN",
                  he="שינוי קוד דורש את הקוד הנוכחי או קוד מנהל")
CASHIER_PIN_REQUIRED = message(
    "staff.cashier_pin_required",
    en="this store records who rings up each sale: give the cashier's PIN (--cashier-pin or KUPA_CASHIER_PIN)",
    he="החנות רושמת מי ביצע כל מכירה: הזינו את קוד הקופאי (--cashier-pin או KUPA_CASHIER_PIN)")
POLICY = message("staff.policy", en="require_cashier_pin is auto, always or never (not '{value}')",
                 he="require_cashier_pin הוא auto, always או never (לא '{value}')")


@dataclass(frozen=True)
class StaffInfo:
    """A staff member as screens and the CLI show them (never the PIN hash)."""

    staff_id: int
    name: str
    role: str
    active: bool
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _info(row: Staff) -> StaffInfo:
    return StaffInfo(row.staff_id, row.name, row.role, bool(row.active), row.created_at)


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise InvalidInputError(NAME, max=MAX_NAME)
    return name


def parse_staff_id(text: str | int) -> int:
    value = str(text).strip()
    if not value.isdigit() or len(value) > 9:
        raise InvalidInputError(NOT_A_NUMBER, text=str(text)[:20])
    return int(value)


def _pin_taken(session: Session, pin: str, *, except_id: int | None = None) -> bool:
    rows = session.scalars(select(Staff).where(Staff.active.is_(True)))
    return any(row.staff_id != except_id and pin_matches(pin, row.pin_hash) for row in rows)


def create(session: Session, name: str, role: str, pin: str, *, legacy_id: str | None = None) -> Staff:
    """Insert a staff member (the checks, no audit: `kupa init` and the demo call it for their first staff)."""
    if role not in ROLES:
        raise InvalidInputError(ROLE, role=str(role)[:20])
    name = check_name(name)
    check_pin_format(pin)
    if _pin_taken(session, pin):
        raise InvalidInputError(PIN_TAKEN)
    row = Staff(name=name, role=role, pin_hash=hash_pin(pin, role), active=True, created_at=to_iso(utcnow()),
                legacy_id=legacy_id)
    session.add(row)
    session.flush()
    return row


def add(terminal: Terminal, *, name: str, role: str, pin: str, manager_pin: str) -> StaffInfo:
    """A manager adds a cashier or a manager; audited (`staff_add`)."""
    with terminal.unit_of_work() as session:
        manager = authenticate(session, manager_pin, role="manager")
        row = create(session, name, role, pin)
        audit.record(session, utcnow(), manager.user_id, "staff_add", row.user_id, "",
                     {"name": row.name, "role": row.role})
        return _info(row)


def list_all(terminal: Terminal) -> list[StaffInfo]:
    """Every staff member, active ones first, by number."""
    with terminal.read() as session:
        rows = session.scalars(select(Staff).order_by(Staff.active.desc(), Staff.staff_id))
        return [_info(row) for row in rows]


def _get(session: Session, staff_id: int) -> Staff:
    row = session.get(Staff, staff_id)
    if row is None:
        raise NotFoundError(NO_STAFF, staff_id=staff_id)
    return row


def disable(terminal: Terminal, staff_id: int, manager_pin: str, reason: str = "") -> StaffInfo:
    """A manager disables a staff member; audited (`staff_disable`).

    There is no "enable": while a member is disabled, someone else may take their PIN, and a hash cannot be
    compared with another; a member who comes back is added again with a new PIN (their history keeps their
    old number and name).
    """
    with terminal.unit_of_work() as session:
        manager = authenticate(session, manager_pin, role="manager")
        row = _get(session, staff_id)
        if not row.active:
            raise StateError(ALREADY_DISABLED, name=row.name)
        if row.role == "manager":
            others = session.scalar(select(func.count()).select_from(Staff).where(
                Staff.role == "manager", Staff.active.is_(True), Staff.staff_id != row.staff_id)) or 0
            if not others:
                raise StateError(LAST_MANAGER, name=row.name)
        row.active = False
        audit.record(session, utcnow(), manager.user_id, "staff_disable", row.user_id, reason,
                     {"name": row.name, "role": row.role})
        return _info(row)


def change_pin(terminal: Terminal, staff_id: int, new_pin: str, *, old_pin: str | None = None,
               manager_pin: str | None = None) -> StaffInfo:
    """Set a staff member's PIN: with their current PIN (their own change, `staff_pin_change`) or with a
    manager's PIN (a reset, `staff_pin_reset`); audited either way, the PINs never."""
    check_pin_format(new_pin)
    if not old_pin and not manager_pin:
        raise InvalidInputError(PIN_WHO)
    with terminal.unit_of_work() as session:
        row = _get(session, staff_id)
        if manager_pin:
            actor = authenticate(session, manager_pin, role="manager")
            action = "staff_pin_reset"
        else:
            actor = authenticate(session, old_pin or "")
            if actor.staff_id != row.staff_id:
                raise AuthError(NOT_YOUR_PIN, staff_id=staff_id)
            action = "staff_pin_change"
        if not row.active:
            raise StateError(DISABLED, name=row.name)
        if _pin_taken(session, new_pin, except_id=row.staff_id):
            raise InvalidInputError(PIN_TAKEN)
        row.pin_hash = hash_pin(new_pin, row.role)
        audit.record(session, utcnow(), actor.user_id, action, row.user_id, "", {"name": row.name})
        return _info(row)


# -- who does a headless action ---------------------------------------------------------------------------

def policy(session: Session) -> str:
    row = session.get(Setting, POLICY_KEY)
    value = json.loads(row.value) if row is not None else "auto"
    return value if value in POLICIES else "auto"


def cashier_pin_required(session: Session) -> bool:
    """Whether a headless sale must name its cashier (the `require_cashier_pin` setting; see the module)."""
    value = policy(session)
    if value != "auto":
        return value == "always"
    return bool(session.scalar(select(Staff.staff_id).where(Staff.role == "cashier", Staff.active.is_(True))
                               .limit(1)))


def set_policy(terminal: Terminal, value: str, manager_pin: str) -> str:
    """A manager sets `require_cashier_pin`; audited (`staff_policy`)."""
    if value not in POLICIES:
        raise InvalidInputError(POLICY, value=str(value)[:20])
    with terminal.unit_of_work() as session:
        manager = authenticate(session, manager_pin, role="manager")
        before = policy(session)
        put_setting(session, POLICY_KEY, value)
        audit.record(session, utcnow(), manager.user_id, "staff_policy", POLICY_KEY, "",
                     {"before": before, "after": value})
    return value


def acting(session: Session, cashier_pin: str | None, cashier_id: str | None = None, *,
           manager_pin: str | None = None) -> str | None:
    """The staff id a headless action is recorded under, inside its unit of work.

    The cashier's PIN (any active member) wins; else an id the caller already knows (the app's signed-in
    cashier); else the manager whose PIN the action carries. With none of them, `AuthError`
    (`staff.cashier_pin_required`) when the store requires it, else None (nobody named, as before staff).
    """
    if cashier_pin:
        return authenticate(session, cashier_pin).user_id
    if cashier_id:
        return cashier_id
    if manager_pin:
        return authenticate(session, manager_pin, role="manager").user_id
    if cashier_pin_required(session):
        raise AuthError(CASHIER_PIN_REQUIRED)
    return None


def names(session: Session) -> dict[str, str]:
    """Every id a history row may name a staff member by (`staff_id` as text, and the pre-0012 `legacy_id`)
    → the member's name."""
    result: dict[str, str] = {}
    for staff_id, legacy, name in session.execute(select(Staff.staff_id, Staff.legacy_id, Staff.name)):
        result[str(staff_id)] = name
        if legacy:
            result.setdefault(legacy, name)
    return result
