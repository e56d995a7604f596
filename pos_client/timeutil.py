"""UTC inside, the store's zone at the edges.

Every stored timestamp is an aware UTC `datetime` serialised as ISO 8601 with a `Z`-free `+00:00` offset.
The store's time zone only decides calendar questions: which day a redemption counts against the offline
cap, whether it is the member's birthday month, whether today is a bonus weekday, and report date ranges.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pos_client.errors import InvalidInputError
from pos_client.messages import message


#: Test and support hook: the wall clock every part of Kupa reads (`utcnow`) is shifted by this variable.
#: `KUPA_FAKE_NOW=2036-01-01T09:00:00+00:00` starts the clock at that moment (it then runs at the real pace
#: from the first reading in the process); `KUPA_FAKE_NOW=+86400` or `-3600` shifts the real clock by that
#: many seconds. It exists so that tests (and support reproducing a customer's clock) can move the clock of
#: a real `kupa` process, as a cashier changing the computer's clock would; nothing else reads the time.
FAKE_NOW_ENV = "KUPA_FAKE_NOW"
_fake_anchor: dict[str, tuple[datetime, float]] = {}


def utcnow() -> datetime:
    """The current time, aware, in UTC: the one clock of the core (see `FAKE_NOW_ENV`)."""
    fake = os.environ.get(FAKE_NOW_ENV)
    real = datetime.now(timezone.utc)
    if not fake:
        return real
    return _shifted(fake.strip(), real)


def _shifted(fake: str, real: datetime) -> datetime:
    if fake[:1] in "+-":
        try:
            return real + timedelta(seconds=float(fake))
        except (ValueError, OverflowError):
            return real
    anchor = _fake_anchor.get(fake)
    if anchor is None:
        try:
            start = from_iso(fake)
        except ValueError:
            return real
        anchor = _fake_anchor.setdefault(fake, (start, time.monotonic()))
    return anchor[0] + timedelta(seconds=time.monotonic() - anchor[1])


def to_iso(moment: datetime) -> str:
    """Serialise an aware datetime as UTC ISO 8601."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not allowed inside Kupa")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    """Parse a stored timestamp back into an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


NOT_A_TIME = message("time.not_a_time",
                     en="'{text}' is not a date/time (use ISO 8601, e.g. 2026-11-23T10:30)",
                     he="'{text}' אינו תאריך ושעה (בתבנית ISO 8601, למשל 2026-11-23T10:30)")


def parse_user_time(text: str, zone: str) -> datetime:
    """Parse an ISO 8601 time typed by a person; a time without an offset is in the store's zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError(NOT_A_TIME, text=text) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=store_zone(zone))
    return moment.astimezone(timezone.utc)


NOT_A_DATE = message("time.not_a_date", en="'{text}' is not a date (use YYYY-MM-DD)",
                     he="'{text}' אינו תאריך (בתבנית YYYY-MM-DD)")


def parse_user_date(text: str) -> date:
    """Parse a YYYY-MM-DD date typed by a person."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError(NOT_A_DATE, text=text) from exc


UNKNOWN_ZONE = message("time.unknown_zone", en="unknown time zone '{zone}'", he="אזור זמן לא מוכר '{zone}'")


def store_zone(name: str) -> ZoneInfo:
    """The store's time zone; an unknown name is a user error, not a crash."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(UNKNOWN_ZONE, zone=name) from exc


def store_time(moment: datetime, zone: str) -> datetime:
    """`moment` on the store's wall clock (the receipt, the clock banner, the manager's history)."""
    return moment.astimezone(store_zone(zone))


def local_date(moment: datetime, zone: str) -> date:
    """The calendar date of `moment` at the store."""
    return moment.astimezone(store_zone(zone)).date()


def store_day(stamp: str, zone: str) -> str:
    """The store's calendar day (YYYY-MM-DD) of a stored UTC timestamp, as a screen shows it: a plan ending
    at 22:30 UTC on the 31st ends on the 1st in Jerusalem, which slicing the string would get wrong."""
    return local_date(from_iso(stamp), zone).isoformat()


def same_instant(a: object, b: object) -> bool:
    """Whether two stored or wire timestamps (ISO 8601 text or aware datetimes) name the same instant, however
    each was written (`Z` or `+00:00`, with or without microseconds); text that is no time compares as text."""
    def moment(value: object) -> datetime | str:
        if isinstance(value, datetime):
            return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
        try:
            return from_iso(str(value))
        except ValueError:
            return str(value)
    left, right = moment(a), moment(b)
    if isinstance(left, datetime) and isinstance(right, datetime):
        return left == right
    return str(a) == str(b)
