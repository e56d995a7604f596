"""The clock check's rules at their boundaries (`pos_client.services.clock`), on a real terminal database.

The subprocess tests (`test_clock.py`, `sync/test_clock_hq.py`) show the behaviour end to end; these pin the
exact limits: 5 minutes back, 5 minutes from HQ, 2 days ahead, and what a confirmation and a later sync do.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pos_client.errors import AuthError
from pos_client.services import clock
from pos_client.services.clock import FAR_AHEAD, TOLERANCE, ClockState, assess
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso
from tests.integration.conftest import MANAGER_PIN

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
TICK = timedelta(microseconds=1)


def test_back_by_more_than_the_tolerance_holds() -> None:
    state = ClockState(last_good=T0)
    assert assess(state, T0 - TOLERANCE).status == "ok"
    assert assess(state, T0 - TOLERANCE - TICK).status == "behind"
    assert assess(state, T0 - TOLERANCE - TICK).hold


def test_far_ahead_is_unverified_not_held_and_expiry_stays_at_the_last_good_time() -> None:
    state = ClockState(last_good=T0)
    assert assess(state, T0 + FAR_AHEAD).status == "ok"
    far = assess(state, T0 + FAR_AHEAD + TICK)
    assert far.status == "unverified" and not far.hold and far.expiry_time == T0
    assert assess(state, T0 + FAR_AHEAD).expiry_time == T0 + FAR_AHEAD


def test_hq_difference_beyond_the_tolerance_holds_either_way() -> None:
    for sign in (1, -1):
        inside = ClockState(last_good=T0, hq_time=T0, hq_seen_at=T0 + sign * TOLERANCE)
        outside = ClockState(last_good=T0, hq_time=T0, hq_seen_at=T0 + sign * (TOLERANCE + TICK))
        assert assess(inside, T0 + TOLERANCE).status == "ok"
        assert assess(outside, T0 + TOLERANCE).status == "hq_disagrees"


@pytest.fixture
def terminal(store: Path):  # type: ignore[no-untyped-def]
    opened = Terminal.open(store)
    yield opened
    opened.close()


def test_a_confirmed_difference_lasts_until_the_clock_is_right_again(terminal: Terminal,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    ahead = timedelta(days=3)
    monkeypatch.setenv("KUPA_FAKE_NOW", to_iso(T0 + ahead))
    with terminal.unit_of_work() as session:
        assert clock.record_hq_time(session, T0, T0 + ahead).status == "hq_disagrees"
    with pytest.raises(AuthError):
        clock.confirm(terminal, "0000")
    assert clock.confirm(terminal, MANAGER_PIN).status == "ok"
    with terminal.unit_of_work() as session:  # the same difference at the next sync: still accepted
        assert clock.record_hq_time(session, T0 + timedelta(hours=1), T0 + ahead + timedelta(hours=1)).status == "ok"
    with terminal.unit_of_work() as session:  # the clock was set right (a manager confirms the jump back)...
        state = clock.load_state(session)
    assert assess(state, T0 + timedelta(hours=2)).status == "behind"
    monkeypatch.setenv("KUPA_FAKE_NOW", to_iso(T0 + timedelta(hours=2)))
    clock.confirm(terminal, MANAGER_PIN)
    with terminal.unit_of_work() as session:  # ...and the next sync agrees with HQ: the old difference is gone
        verdict = clock.record_hq_time(session, T0 + timedelta(hours=2, minutes=1), T0 + timedelta(hours=2, minutes=1))
    assert verdict.status == "ok" and verdict.state.accepted_skew == timedelta(0)


def test_guard_moves_the_last_good_time_only_when_trusted(terminal: Terminal) -> None:
    with terminal.unit_of_work() as session:
        assert clock.guard(session, T0).status == "ok"
    with terminal.unit_of_work() as session:
        assert clock.guard(session, T0 + FAR_AHEAD + TICK).status == "unverified"
    with terminal.read() as session:
        assert clock.load_state(session).last_good == T0
    with terminal.unit_of_work() as session:
        clock.guard(session, T0 + timedelta(days=1))
    with terminal.unit_of_work() as session:
        with pytest.raises(clock.ClockHoldError):
            clock.guard(session, T0 + timedelta(days=1) - TOLERANCE - TICK)
