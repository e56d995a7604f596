"""Identifiers of the rows a terminal writes in time order: sales, ledger entries, audit entries.

They are UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. As unique as a
random UUID across terminals (HQ keys entries by them), but time-ordered, so each new sale, entry and outbox
row lands on the last page of its index instead of a random one: a checkout dirties — and its commit
writes — fewer pages, and on a store with millions of entries the inserts stay in the pages already cached.
Python 3.14's `uuid.uuid7()` makes the same values; use it once 3.14 is the oldest Python Kupa supports.
"""

from __future__ import annotations

import os
import time
import uuid

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
