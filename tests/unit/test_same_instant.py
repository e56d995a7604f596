"""`same_instant`: HQ and the terminal tell a member edit from another person's enrolment by `enrolled_at`,
whichever way each side wrote the time."""

from __future__ import annotations

from datetime import datetime, timezone

from pos_client.timeutil import same_instant


def test_the_same_instant_written_differently_is_the_same() -> None:
    assert same_instant("2026-11-01T10:00:00+00:00", "2026-11-01T10:00:00.000000Z")
    assert same_instant("2026-11-01T12:00:00+02:00", datetime(2026, 11, 1, 10, tzinfo=timezone.utc))


def test_another_instant_or_garbage_is_not() -> None:
    assert not same_instant("2026-11-01T10:00:00+00:00", "2026-11-01T10:00:00.000001+00:00")
    assert not same_instant("2026-11-01T10:00:00+00:00", "not-a-time")
    assert same_instant("not-a-time", "not-a-time")
