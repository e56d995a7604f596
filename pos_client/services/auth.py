"""Cashier and manager PINs: stored only as scrypt hashes, checked in constant time.

Costs. A cashier's PIN is hashed with scrypt n=2¹⁴ (r=8, p=1; ~40 ms on a till, so signing in stays well
under 100 ms); a manager's with n=2¹⁶ (4× the work and 64 MiB of memory; ~160 ms, paid only on manager
actions). A 4-digit manager PIN found in 91 s by an offline search at the old cost takes ~6 minutes at the
new one — a copied database is still a risk, which is why the database is owner-only (`pos_client.secure`)
and managers are told to use 6 or more digits (`kupa init` warns). A manager's hash made at the old cost is
upgraded the next time the PIN is used. Sign-in tries cashiers' hashes before managers', so a cashier never
pays a manager's cost. Repeated wrong PINs are throttled (`pin_throttle`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.db.models import Staff
from pos_client.errors import AuthError, InvalidInputError
from pos_client.messages import message
from pos_client.services import pin_throttle

_N_CASHIER, _N_MANAGER, _R, _P = 2**14, 2**16, 8, 1
#: The most memory a stored hash may make scrypt use (a tampered hash cannot exhaust the till's memory).
_MAXMEM = 2**27
#: A PIN that may sign in: 4 to 12 digits (PINs set before staff management could be up to 12 long).
PIN_MAX_DIGITS = 12
_PIN_RE = re.compile(rf"^[0-9]{{4,{PIN_MAX_DIGITS}}}$")
#: A PIN that may be set now: 4 to 8 digits (`services.staff`).
NEW_PIN_MAX_DIGITS = 8
_NEW_PIN_RE = re.compile(rf"^[0-9]{{4,{NEW_PIN_MAX_DIGITS}}}$")
#: Manager PINs shorter than this draw a warning at `kupa init`.
ADVISED_MANAGER_DIGITS = 6
LOCKED_OUT = message("auth.locked_out", en="too many wrong PINs: try again in {seconds} s",
                     he="יותר מדי קודים שגויים: נסו שוב בעוד {seconds} שניות")


PIN_FORMAT = message("auth.pin_format", en="a PIN is 4 to 8 digits", he="קוד הוא 4 עד 8 ספרות")


def check_pin_format(pin: str) -> str:
    """A PIN being set (a new staff member's, a changed one): 4 to 8 digits, else `InvalidInputError`."""
    if not _NEW_PIN_RE.match(pin or ""):
        raise InvalidInputError(PIN_FORMAT)
    return pin


def _cost(role: str) -> int:
    return _N_MANAGER if role == "manager" else _N_CASHIER


def hash_pin(pin: str, role: str = "cashier") -> str:
    """A new scrypt hash of `pin`, at the cost for `role`."""
    salt = os.urandom(16)
    n = _cost(role)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=_R, p=_P, dklen=32, maxmem=_MAXMEM)
    return f"scrypt${n}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                   dklen=32, maxmem=_MAXMEM)
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def _hash_cost(stored: str) -> int:
    parts = stored.split("$")
    return int(parts[1]) if len(parts) == 6 and parts[1].isdigit() else 0


WRONG_MANAGER_PIN = message("auth.wrong_manager_pin", en="wrong manager PIN", he="קוד מנהל שגוי")
WRONG_PIN = message("auth.wrong_pin", en="wrong PIN", he="קוד שגוי")


def authenticate(session: Session, pin: str, *, role: str | None = None) -> Staff:
    """The active user whose PIN this is (a manager, if `role="manager"`), else `AuthError`.

    Never sleeps (it may run inside a write transaction): an attempt made before the throttle allows one is
    refused unchecked. The outcome is left in `session.info` for the terminal to record once the unit of
    work has ended (`pin_throttle`).
    """
    current = pin_throttle.streak(session)
    if current.wait() > 0:
        raise AuthError(LOCKED_OUT, seconds=current.seconds_left())
    query = select(Staff).where(Staff.active.is_(True))
    if role:
        query = query.where(Staff.role == role)
    if _PIN_RE.match(pin or ""):
        for user in sorted(session.scalars(query), key=lambda u: u.role == "manager"):
            if pin_matches(pin, user.pin_hash):
                if current.failures:
                    session.info[pin_throttle.OUTCOME_KEY] = "reset"
                writable = not session.get_bind().get_execution_options().get("kupa_read")
                if writable and _hash_cost(user.pin_hash) < _cost(user.role):
                    user.pin_hash = hash_pin(pin, user.role)  # written if the action commits
                return user
    session.info[pin_throttle.OUTCOME_KEY] = "fail"
    raise AuthError(WRONG_MANAGER_PIN if role == "manager" else WRONG_PIN)
