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


def new_id() -> str:
    """A new UUIDv7 as the usual 36-character text."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big") >> 6  # 74 random bits
    value = ((millis & (1 << 48) - 1) << 80) | _VERSION_7 | ((rand >> 62) << 64) | _VARIANT_RFC | (rand & (1 << 62) - 1)
    return str(uuid.UUID(int=value))
