"""Row identifiers are RFC 9562 UUIDv7: unique, and ordered by the time they were made."""

from __future__ import annotations

import time
import uuid

from pos_client.ids import new_id


def test_ids_are_version_7_uuids_carrying_the_time_they_were_made() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid.UUID(new_id())
    after = time.time_ns() // 1_000_000
    assert value.version == 7 and value.variant == uuid.RFC_4122
    assert before <= value.int >> 80 <= after


def test_ids_made_later_sort_later_and_never_repeat() -> None:
    first = [new_id() for _ in range(2000)]
    time.sleep(0.002)
    second = [new_id() for _ in range(2000)]
    assert len(set(first + second)) == 4000
    assert max(first) < min(second)  # text order is time order across milliseconds
