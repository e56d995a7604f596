"""A member's fields, checked once: the rules the counter applies at enrolment and edit, and HQ applies to
every pushed or imported member (sync.hq.validate). Pure functions, no database.

Each raises `InvalidInputError` with a catalogue message; a valid value comes back in the form Kupa stores
(a name with its whitespace collapsed, a phone as digits with the national `0` prefix).
"""

from __future__ import annotations

import re
from datetime import date

from pos_client.errors import InvalidInputError
from pos_client.messages import message

MEMBER_ID_RE = re.compile(r"^[Mm][0-9]{4,19}$")  # old and new forms (`pos_client.ids`)
PHONE_CHARS_RE = re.compile(r"^\+?[0-9 ()\-.]{6,24}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,120}\.[^@\s]{2,}$")
#: The earliest birthday Kupa accepts.
EARLIEST_BIRTHDAY = date(1900, 1, 1)

BAD_PHONE = message("member.bad_phone", en="'{phone}' is not a phone number", he="'{phone}' אינו מספר טלפון")
BAD_EMAIL = message("member.bad_email", en="'{email}' is not an e-mail address", he="'{email}' אינה כתובת דוא\"ל")
BAD_NAME = message("member.bad_name", en="a member's name must be 1 to 120 printable characters",
                   he="שם חבר המועדון חייב להכיל 1 עד 120 תווים קריאים")
BAD_BIRTHDAY = message("member.bad_birthday", en="the birthday must be a real date in the past",
                       he="תאריך הלידה חייב להיות תאריך אמיתי בעבר")


def normalize_phone(text: str) -> str:
    """Digits only, with a national `0` prefix for +972 numbers, so +972-54-… and 054-… match."""
    if not PHONE_CHARS_RE.match(text or ""):
        raise InvalidInputError(BAD_PHONE, phone=text)
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+972") or (digits.startswith("972") and len(digits) == 12):
        digits = "0" + digits[3:]
    if not 6 <= len(digits) <= 15:
        raise InvalidInputError(BAD_PHONE, phone=text)
    return digits


def check_name(name: str) -> str:
    """The name with its whitespace collapsed: 1 to 120 printable characters."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 120 or not name.isprintable():
        raise InvalidInputError(BAD_NAME)
    return name


def check_email(email: str) -> str:
    if not EMAIL_RE.match(email or ""):
        raise InvalidInputError(BAD_EMAIL, email=email)
    return email


def check_birthday(birthday: date, today: date) -> date:
    """A real date from 1900 up to `today` (the store's today at the counter; HQ allows its UTC tomorrow,
    since a store east of UTC is a day ahead)."""
    if not EARLIEST_BIRTHDAY <= birthday <= today:
        raise InvalidInputError(BAD_BIRTHDAY)
    return birthday


def parse_birthday(text: str, today: date) -> date:
    """A stored or pushed birthday (`YYYY-MM-DD`), checked with `check_birthday`."""
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidInputError(BAD_BIRTHDAY)
    return check_birthday(day, today)
