"""Identifiers: the rows a terminal writes in time order (sales, ledger entries, audit entries), and the member
ids and card numbers people read and type (below).

They are UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. As unique as a
random UUID across terminals (HQ keys entries by them), but time-ordered, so each new sale, entry and outbox
row lands on the last page of its index instead of a random one: a checkout dirties — and its commit
writes — fewer pages, and on a store with millions of entries the inserts stay in the pages already cached.
Python 3.14's `uuid.uuid7()` makes the same values; use it once 3.14 is the oldest Python Kupa supports.
"""

from __future__ import annotations

import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass

_VERSION_7 = 0x7 << 76
_VARIANT_RFC = 0b10 << 62
_MILLIS_MASK = (1 << 48) - 1
_RAND_B_MASK = (1 << 62) - 1


def new_id() -> str:
    """A new UUIDv7 as the usual 36-character text: milliseconds (48 bits), version, 12 random bits
    (`rand_a`), variant, 62 random bits (`rand_b`)."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big") >> 6  # 74 random bits
    rand_a, rand_b = rand >> 62, rand & _RAND_B_MASK
    value = ((millis & _MILLIS_MASK) << 80) | _VERSION_7 | (rand_a << 64) | _VARIANT_RFC | rand_b
    return str(uuid.UUID(int=value))


# -- member ids and card numbers people read and type ---------------------------------------------------------
#
# Decided (docs/sync.md, "Identifiers"): a member id was `M` + the terminal's 3-digit prefix (101–999) + a
# counter of at least 4 digits, which capped a chain at 899 terminals and had no defence against a mistyped
# digit. New ids are `M0` + the prefix in 5 digits + the counter (at least 4 digits, no upper bound) + one
# check digit: `M0` never starts an old id (old prefixes are 100–999), so both forms parse without knowing
# which terminal wrote them, and every old id stays valid (printed cards carry them). 99,999 prefixes, a
# counter without a ceiling: thousands of terminals, millions of members each. Card numbers were `PC` + 8
# random digits (a 1 in 10 chance of a clash at HQ per card issued once ten million cards exist); new ones
# are `PC` + 11 random digits + a check digit, old ones stay valid.
#
# The check digit is Damm's (quasigroup of order 10): digits only (ISO 7064's mod 11 needs an `X`, which a
# numeric keypad lacks), and it catches every single-digit error and every transposition of adjacent digits —
# the two mistakes a cashier makes — where Luhn misses 09↔90 and some twin errors.

_DAMM = ((0, 3, 1, 7, 5, 9, 8, 6, 4, 2), (7, 0, 9, 2, 1, 5, 4, 8, 6, 3), (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
         (1, 7, 5, 0, 9, 8, 3, 4, 2, 6), (6, 1, 2, 3, 0, 4, 5, 9, 7, 8), (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
         (5, 8, 6, 9, 7, 2, 0, 1, 3, 4), (8, 9, 4, 5, 3, 6, 2, 0, 1, 7), (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
         (2, 5, 8, 1, 4, 3, 6, 7, 9, 0))
#: The highest member-id prefix HQ hands out (5 digits in a new-form id).
MAX_PREFIX = 99_999
#: Prefixes of the old 3-digit form (and of the ones a terminal derives before its first sync).
OLD_PREFIXES = range(100, 1000)
_NEW_MEMBER = re.compile(r"^M0([0-9]{5})([0-9]{4,12})([0-9])$")
_OLD_MEMBER = re.compile(r"^M([1-9][0-9]{2})([0-9]{4,9})$")
_NEW_CARD = re.compile(r"^PC[0-9]{12}$")
_OLD_CARD = re.compile(r"^PC[0-9]{8}$")


def damm_digit(digits: str) -> str:
    """The Damm check digit of a string of digits."""
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return str(interim)


def damm_valid(digits: str) -> bool:
    """Whether `digits` ends with its own Damm check digit (the whole string folds to 0)."""
    return bool(digits) and digits.isdigit() and damm_digit(digits) == "0"


@dataclass(frozen=True)
class MemberIdParts:
    """What a member id says: the prefix of the terminal that enrolled it (as HQ stores it, no padding), its
    counter, whether it is the new form, and whether its check digit is right (always true for the old form)."""

    prefix: str
    seq: int
    new_form: bool
    check_ok: bool


def member_id(prefix: str, seq: int) -> str:
    """The new-form member id of counter `seq` under `prefix`: `M0` + 5-digit prefix + counter + Damm digit."""
    body = f"0{int(prefix):05d}{seq:04d}"
    return f"M{body}{damm_digit(body)}"


def parse_member_id(text: str) -> MemberIdParts | None:
    """The parts of an old- or new-form member id (case-insensitive), or None when it is neither."""
    text = text.strip().upper()
    found = _NEW_MEMBER.match(text)
    if found:
        return MemberIdParts(str(int(found.group(1))), int(found.group(2)), True, damm_valid(text[1:]))
    found = _OLD_MEMBER.match(text)
    if found:
        return MemberIdParts(found.group(1), int(found.group(2)), False, True)
    return None


def member_id_heads(prefix: str) -> tuple[str, ...]:
    """The leading characters of every id under `prefix`: the new form's, and the old one's for 3-digit
    prefixes (what `HQ` searches for a terminal's highest counter)."""
    heads = [f"M0{int(prefix):05d}"]
    if len(prefix) == 3 and int(prefix) in OLD_PREFIXES:
        heads.append(f"M{prefix}")
    return tuple(heads)


def new_card_number() -> str:
    """A new card number: `PC` + 11 random digits + their Damm digit (random, so a terminal restored from a
    backup does not repeat the numbers it handed out; HQ refuses one that belongs to another member)."""
    body = "".join(str(secrets.randbelow(10)) for _ in range(11))
    return f"PC{body}{damm_digit(body)}"


def card_number_typo(text: str) -> bool:
    """Whether `text` has the new card form but a wrong check digit (a mistyped digit or a swapped pair)."""
    text = text.strip().upper()
    return bool(_NEW_CARD.match(text)) and not damm_valid(text[2:])


def member_id_typo(text: str) -> bool:
    """Whether `text` has the new member-id form but a wrong check digit."""
    parts = parse_member_id(text)
    return parts is not None and not parts.check_ok
