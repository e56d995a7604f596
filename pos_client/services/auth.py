"""Cashier and manager PINs: stored only as scrypt hashes, checked in constant time.

Repeated wrong PINs are slowed down: after 3 failures in a row, each further attempt waits longer (up to
a few seconds), which makes guessing a 4-6 digit PIN by hand impractical while a cashier's typo costs nothing.
The count is kept in memory and in a small file beside the terminal's database (`pin_failures`), because
every `kupa ... --pin` call is a new process: counted in memory only, a scripted guesser was never slowed
(found by tests/reliability/test_hostile_input.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.db.models import User
from pos_client.errors import AuthError, InvalidInputError
from pos_client.messages import message

_N, _R, _P = 2**14, 8, 1
_PIN_RE = re.compile(r"^[0-9]{4,12}$")
_failures = 0
_COUNTER_FILE = "pin_failures"


PIN_FORMAT = message("auth.pin_format", en="a PIN is 4 to 12 digits", he="קוד הוא 4 עד 12 ספרות")


def check_pin_format(pin: str) -> str:
    if not _PIN_RE.match(pin or ""):
        raise InvalidInputError(PIN_FORMAT)
    return pin


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                   dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def _slow_down_after_failures(failures: int) -> None:
    if failures >= 3:
        time.sleep(min(0.25 * 2 ** (failures - 3), 4.0))


def _counter_file(session: Session) -> Path | None:
    """`pin_failures` beside the session's SQLite file (None for an in-memory database)."""
    database = getattr(session.get_bind().engine.url, "database", None)
    return Path(database).with_name(_COUNTER_FILE) if database and database != ":memory:" else None


def _stored_failures(path: Path | None) -> int:
    try:
        return int(path.read_text().strip() or 0) if path else 0
    except (OSError, ValueError):
        return 0


def _store_failures(path: Path | None, failures: int) -> None:
    if path is None:
        return
    try:
        if failures:
            path.write_text(str(failures))
        else:
            path.unlink(missing_ok=True)
    except OSError:  # a read-only data folder: the in-memory count still applies
        pass


WRONG_MANAGER_PIN = message("auth.wrong_manager_pin", en="wrong manager PIN", he="קוד מנהל שגוי")
WRONG_PIN = message("auth.wrong_pin", en="wrong PIN", he="קוד שגוי")


def authenticate(session: Session, pin: str, *, role: str | None = None) -> User:
    """The active user whose PIN this is (a manager, if `role="manager"`), else `AuthError`."""
    global _failures
    counter = _counter_file(session)
    failures = max(_failures, _stored_failures(counter))
    _slow_down_after_failures(failures)
    query = select(User).where(User.active.is_(True))
    if role:
        query = query.where(User.role == role)
    if _PIN_RE.match(pin or ""):
        for user in session.scalars(query):
            if pin_matches(pin, user.pin_hash):
                _failures = 0
                if failures:
                    _store_failures(counter, 0)
                return user
    _failures = failures + 1
    _store_failures(counter, _failures)
    raise AuthError(WRONG_MANAGER_PIN if role == "manager" else WRONG_PIN)
