"""The wrong-PIN throttle: how many wrong PINs in a row, and how long the next attempt must wait.

After `FREE_FAILURES` wrong PINs in a row, the next attempt is allowed only `delay(n)` seconds after the last
wrong one (0.25 s, doubling, at most `MAX_DELAY`): guessing a 4-digit PIN by script then takes about 11
hours, a cashier's typo costs nothing.

Where it is kept, and why there. Every wrong PIN is one INSERT into `pin_attempts` (migration 0010), and a
right PIN after wrong ones one `reset` row; triggers refuse UPDATE and DELETE. So:
- parallel guesses from several `kupa` processes or windows all count (an INSERT is atomic; nothing is
  read, changed and written back);
- a cashier cannot reset the streak: there is no file to delete (the old `pin_failures` file was one), the
  rows cannot be deleted through SQLite, and dropping the table or the database stops the terminal — which
  is noticed. Only someone who can edit the database's schema can, and such a person can also replace the
  PIN hashes, so no stronger scheme (an HMAC, a keyed counter) would change that;
- the slow-down never holds the database's write lock. `authenticate` does not sleep: inside a business
  transaction it only refuses an attempt made too early (`AuthError` "try again in N s", the PIN not
  checked, nothing counted). The sleeping is done by `wait_out_lockout`, which the PIN pad (`till`) and the
  CLI call *before* they open their transaction. A wrong PIN's row is written after its transaction has
  rolled back (`Terminal` records `session.info[OUTCOME_KEY]` once the unit of work ends).
The time of a wrong PIN is the wall clock; moving the clock forward shortens a lock-out but never lowers
the count.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, insert, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from pos_client.db.models import PinAttempt
from pos_client.timeutil import from_iso, to_iso

log = logging.getLogger(__name__)

FREE_FAILURES = 3
BASE_DELAY = 0.25
MAX_DELAY = 4.0
#: `session.info` key where `authenticate` leaves "fail" or "reset" for the terminal to record.
OUTCOME_KEY = "kupa_pin_outcome"

#: The clock (seconds since the epoch); tests replace it with a fake one.
clock = time.time
sleep = time.sleep

_STREAK_SQL = text(
    "SELECT count(*), max(at) FROM pin_attempts WHERE outcome = 'fail' AND attempt_id > "
    "coalesce((SELECT max(attempt_id) FROM pin_attempts WHERE outcome = 'reset'), 0)")


def delay(failures: int) -> float:
    """Seconds the attempt after `failures` wrong PINs in a row must wait after the last of them."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(BASE_DELAY * float(2 ** min(failures - FREE_FAILURES, 16)), MAX_DELAY)


@dataclass(frozen=True)
class Streak:
    """Wrong PINs since the last right one, and when the last of them was typed."""

    failures: int = 0
    last: datetime | None = None

    def wait(self) -> float:
        """Seconds left before another attempt is allowed (0 if allowed now)."""
        if self.last is None:
            return 0.0
        due = self.last.timestamp() + delay(self.failures)
        return max(0.0, min(due - clock(), MAX_DELAY))

    def seconds_left(self) -> int:
        """`wait()` rounded up, for a message."""
        return max(1, math.ceil(self.wait()))


def streak(conn: Session | Connection) -> Streak:
    """The current streak, read on `conn` (a read inside any transaction, or on its own)."""
    row = conn.execute(_STREAK_SQL).one()
    return Streak(int(row[0]), from_iso(row[1]) if row[1] else None)


def now_iso() -> str:
    return to_iso(datetime.fromtimestamp(clock(), timezone.utc))


def record(engine: Engine, outcome: str) -> None:
    """Append a `fail` or `reset` row in its own transaction (after the business one has ended)."""
    try:
        with engine.begin() as conn:
            conn.execute(insert(PinAttempt).values(at=now_iso(), outcome=outcome))
    except SQLAlchemyError:  # a read-only or full disk: nothing else can be written either
        log.warning("could not record a PIN attempt (%s)", outcome, exc_info=True)


def wait_out_lockout(engine: Engine) -> None:
    """Sleep until another PIN attempt is allowed; call it *outside* any transaction."""
    try:
        with engine.connect().execution_options(kupa_read=True) as conn:
            left = streak(conn).wait()
    except SQLAlchemyError:
        return  # no table yet (an old database before its migration) or no database: authenticate decides
    if left > 0:
        sleep(left)
