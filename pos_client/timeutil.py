"""UTC inside, the store's zone at the edges.

Every stored timestamp is an aware UTC `datetime` serialised as ISO 8601 with a `Z`-free `+00:00` offset.
The store's time zone only decides calendar questions: which day a redemption counts against the offline
cap, whether it is the member's birthday month, whether today is a bonus weekday, and report date ranges.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pos_client.errors import InvalidInputError


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


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


def parse_user_time(text: str, zone: str) -> datetime:
    """Parse an ISO 8601 time typed by a person; a time without an offset is in the store's zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError(f"'{text}' is not a date/time (use ISO 8601, e.g. 2026-11-23T10:30)") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=store_zone(zone))
    return moment.astimezone(timezone.utc)


def parse_user_date(text: str) -> date:
    """Parse a YYYY-MM-DD date typed by a person."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError(f"'{text}' is not a date (use YYYY-MM-DD)") from exc


def store_zone(name: str) -> ZoneInfo:
    """The store's time zone; an unknown name is a user error, not a crash."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(f"unknown time zone '{name}'") from exc


def local_date(moment: datetime, zone: str) -> date:
    """The calendar date of `moment` at the store."""
    return moment.astimezone(store_zone(zone)).date()


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
