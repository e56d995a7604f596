"""Issue 11, item 5: a clock that jumps stops sales until a manager confirms it; expiry never acts on a time the
last known good time contradicts.

Every `kupa` here is a real process whose clock is moved with `KUPA_FAKE_NOW` (seconds added to the real
clock, read by `pos_client.timeutil.utcnow`, the core's one clock), as a cashier changing the computer's
clock would.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pos_client.services.clock import FAR_AHEAD, TOLERANCE
from pos_client.timeutil import to_iso, utcnow
from tests.integration.conftest import MANAGER_PIN, Kupa

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400
YEARS_10 = 3653 * DAY


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.out)


def kupa_at(store: Path, shift_seconds: float, *args: str, lang: str = "en") -> Run:
    """`kupa ARGS` in a new process whose clock is `shift_seconds` off the real one."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUPA_FAKE_NOW": f"{shift_seconds:+.0f}", "KUPA_LANG": lang}
    done = subprocess.run([sys.executable, "-m", "pos_client", "--data-dir", str(store), *args],
                          capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert "Traceback" not in done.stderr, done.stderr
    return Run(done.returncode, done.stdout, done.stderr)


def _enrol(kupa: Kupa) -> dict:  # type: ignore[type-arg]
    result = kupa("member", "add", "--name", "Dana Cohen", "--phone", "054-1234567", "--json")
    assert result.code == 0, result.err
    return result.json


def _program_loaded_long_ago(store: Path) -> None:
    """The test store's program was loaded moments ago; a clock set back must still find it in force."""
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        db.execute("UPDATE program_versions SET loaded_at = ?", (to_iso(utcnow() - timedelta(days=30)),))


def _rows(store: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_a_clock_set_back_stops_sales_until_a_manager_confirms(kupa: Kupa, store: Path) -> None:
    _program_loaded_long_ago(store)
    member = _enrol(kupa)["member_id"]
    assert kupa_at(store, 0, "checkout", "--member", member, "--item", "COFFEE-S").code == 0
    inside = TOLERANCE.total_seconds() - 60
    assert kupa_at(store, -inside, "checkout", "--member", member, "--item", "COFFEE-S").code == 0
    back = -DAY
    refused = kupa_at(store, back, "checkout", "--member", member, "--item", "COFFEE-S")
    assert refused.code == 1 and "clock" in refused.err and "manager" in refused.err
    shown = kupa_at(store, back, "clock", "show", "--json").json
    assert shown["status"] == "behind" and shown["hold"] is True and shown["message_code"] == "clock.behind"
    sales = _rows(store, "SELECT count(*) FROM sales")
    assert kupa_at(store, back, "clock", "confirm", "--pin", "1111").code == 1
    assert kupa_at(store, back, "checkout", "--member", member, "--item", "COFFEE-S").code == 1
    assert _rows(store, "SELECT count(*) FROM sales") == sales  # nothing recorded while held
    confirmed = kupa_at(store, back, "clock", "confirm", "--pin", MANAGER_PIN, "--json")
    assert confirmed.code == 0 and confirmed.json["status"] == "ok"
    assert kupa_at(store, back, "checkout", "--member", member, "--item", "COFFEE-S").code == 0
    audit = _rows(store, "SELECT action, json_extract(details, '$.was.status') FROM audit_log "
                         "WHERE action = 'clock_confirm'")
    assert audit == [("clock_confirm", "behind")]


def test_the_hold_message_is_translated(kupa: Kupa, store: Path) -> None:
    _program_loaded_long_ago(store)
    assert kupa_at(store, 0, "member", "add", "--name", "Dana", "--json").code == 0
    shown = kupa_at(store, -DAY, "clock", "show", "--json", lang="he").json
    assert shown["hold"] is True and "שעון הקופה" in shown["message"] and "{" not in shown["message"]
    english = kupa_at(store, -DAY, "clock", "show", "--json").json["message"]
    assert english.startswith("The terminal's clock")


def test_ten_years_ahead_never_expires_points(kupa: Kupa, store: Path) -> None:
    member = _enrol(kupa)  # 50 welcome points, credited today
    kupa("adjust", "--member", member["member_id"], "--points", "2400", "--reason", "opening", "--pin", MANAGER_PIN)
    ahead = kupa_at(store, YEARS_10, "checkout", "--member", member["member_id"], "--item", "COFFEE-S", "--json")
    assert ahead.code == 0, ahead.err  # a store reopening after a long time may sell...
    assert _rows(store, "SELECT count(*) FROM ledger_entries WHERE kind = 'expire'") == [(0,)]  # ...but not expire
    assert ahead.json["points_balance_after"] == 2450 + ahead.json["points_earned"]
    shown = kupa_at(store, YEARS_10, "clock", "show", "--json").json
    assert shown["status"] == "unverified" and shown["hold"] is False
    assert kupa_at(store, YEARS_10, "member", "show", member["member_id"], "--json").json["points"] >= 2450
    # with the clock right again, nothing is held and nothing was lost
    back = kupa_at(store, 0, "checkout", "--member", member["member_id"], "--item", "COFFEE-S", "--json")
    assert back.code == 0, back.err
    assert back.json["points_balance_after"] >= 2450


def test_a_store_reopening_after_weeks_sells_at_once(kupa: Kupa, store: Path) -> None:
    member = _enrol(kupa)["member_id"]
    weeks = 5 * 7 * DAY
    assert kupa_at(store, weeks, "checkout", "--member", member, "--item", "COFFEE-S").code == 0
    within = FAR_AHEAD.total_seconds() - 3600
    assert kupa_at(store, within, "clock", "show", "--json").json["status"] == "ok"
    assert kupa_at(store, weeks, "clock", "show", "--json").json["status"] == "unverified"


def test_trusted_time_expires_old_points(kupa: Kupa, store: Path) -> None:
    """The guard does not stop expiry on a trusted clock: points credited 400 days before the last known good
    time, checked out at a trusted time, expire as before."""
    member = _enrol(kupa)["member_id"]
    old = to_iso(utcnow() - timedelta(days=400))
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        db.execute("UPDATE member_days SET day = ? WHERE member_id = ?", (old[:10], member))
    sale = kupa_at(store, 0, "checkout", "--member", member, "--item", "COFFEE-S", "--json")
    assert sale.code == 0
    assert _rows(store, "SELECT points_delta FROM ledger_entries WHERE kind = 'expire'") == [(-50,)]
