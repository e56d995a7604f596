"""Issue 11, item 4: the offline redemption cap counts every redemption HQ has not confirmed.

No more 10-minute grace after the last sync: once HQ is away (or simply has not answered for a few seconds),
each redemption counts against the cap until a sync brings HQ's acceptance; a clock moved a day ahead does
not start a new "day" for redemptions HQ has not seen. The clock of the (in-process) terminal is moved with
`KUPA_FAKE_NOW` (seconds added to the real clock), as a cashier moving the computer's clock would.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sync_harness import MANAGER_PIN, Hq

from pos_client.db.models import Setting
from pos_client.services.checkout import CONFIRMED_WITHIN, is_offline
from pos_client.terminal import put_setting
from pos_client.timeutil import from_iso, to_iso, utcnow


def _member_with_points(till: Any, points: int) -> dict[str, Any]:
    member = till.kupa("member", "add", "--name", "Dana Cohen", "--phone", "054-1112223")
    till.kupa("adjust", "--member", member["member_id"], "--points", str(points), "--reason", "opening",
              "--pin", MANAGER_PIN)
    return member


def _redeem(till: Any, token: str, points: int) -> str | None:
    """None when the sale went through, else the refusal on stderr."""
    args = ("checkout", "--member", token, "--item", "SHOE", "--redeem", str(points))
    try:
        till.kupa(*args)
        return None
    except AssertionError:
        return till.kupa_fails(*args)


def test_the_cap_applies_as_soon_as_hq_has_not_confirmed(hq: Hq, make_till: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    till = make_till("T-cap")
    member = _member_with_points(till, 8000)
    token = member["card_token"]
    till.sync()
    hq.stop()
    monkeypatch.setenv("KUPA_FAKE_NOW", "+60")  # a minute after the last sync, HQ away
    refused = _redeem(till, token, 2100)
    assert refused is not None and "2000" in refused
    assert _redeem(till, token, 2000) is None  # exactly the cap
    assert _redeem(till, token, 100) is not None
    monkeypatch.setenv("KUPA_FAKE_NOW", f"+{86400 + 60}")  # the clock moved a day ahead: still the same exposure
    assert _redeem(till, token, 100) is not None
    monkeypatch.setenv("KUPA_FAKE_NOW", "+120")
    hq.start()
    till.sync()  # HQ accepts the 2,000: they are no longer exposure
    monkeypatch.setenv("KUPA_FAKE_NOW", "+180")
    assert _redeem(till, token, 2000) is None
    assert _redeem(till, token, 100) is not None


def test_online_means_a_sync_within_the_last_few_seconds(make_till: Any) -> None:
    till = make_till("T-fresh")
    terminal = till.open()
    try:
        with terminal.unit_of_work() as session:
            synced = utcnow()
            put_setting(session, "last_sync_ok_at", to_iso(synced))
        with terminal.read() as session:
            stored = from_iso(json.loads(session.get_one(Setting, "last_sync_ok_at").value))
            assert is_offline(session, terminal, stored + CONFIRMED_WITHIN) is False
            assert is_offline(session, terminal, stored + CONFIRMED_WITHIN + timedelta(microseconds=1)) is True
            assert is_offline(session, terminal, stored - timedelta(microseconds=1)) is True  # a clock set back
    finally:
        terminal.close()
