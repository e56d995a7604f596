"""Issue 11, item 5, with a real HQ: HQ's time (the `Date` of its answers) contradicts a clock set ahead; a
terminal reopening after weeks is confirmed by its first sync.

`kupa sync` runs in a real process whose clock is moved with `KUPA_FAKE_NOW`; HQ (uvicorn on 127.0.0.1 in this
test process) answers with the real time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from sync_harness import Hq

from pos_client.services import clock
from pos_client.terminal import put_setting
from pos_client.timeutil import to_iso, utcnow

ROOT = Path(__file__).resolve().parents[3]
DAY = 86400


def kupa_at(till: Any, shift_seconds: float, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUPA_FAKE_NOW": f"{shift_seconds:+.0f}", "KUPA_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "pos_client", "--data-dir", str(till.path), *args],
                          capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _status(till: Any, shift: float) -> dict[str, Any]:
    return json.loads(kupa_at(till, shift, "clock", "show", "--json").stdout)  # type: ignore[no-any-return]


def test_hq_contradicts_a_clock_days_ahead(hq: Hq, make_till: Any) -> None:
    till = make_till("T-ahead")
    ahead = 3 * DAY
    synced = kupa_at(till, ahead, "sync", "--once")
    assert synced.returncode == 0  # the sync itself goes on: no PIN, no hold
    assert "kupa clock show" in synced.stdout
    shown = _status(till, ahead)
    assert shown["status"] == "hq_disagrees" and shown["hold"] is True
    assert abs(shown["hq_skew_seconds"] - ahead) < 120
    refused = kupa_at(till, ahead, "checkout", "--item", "COFFEE-S")
    assert refused.returncode == 1 and "HQ" in refused.stderr
    # the clock is set right: the next sync agrees and sales go on without a manager
    assert kupa_at(till, 0, "sync", "--once").returncode == 0
    assert _status(till, 0)["status"] == "ok"
    assert kupa_at(till, 0, "checkout", "--item", "COFFEE-S").returncode == 0


def test_a_small_difference_from_hq_is_tolerated(hq: Hq, make_till: Any) -> None:
    till = make_till("T-drift")
    inside = clock.TOLERANCE.total_seconds() - 90
    assert kupa_at(till, inside, "sync", "--once").returncode == 0
    assert _status(till, inside)["status"] == "ok"
    outside = clock.TOLERANCE.total_seconds() + 90
    assert kupa_at(till, outside, "sync", "--once").returncode == 0
    assert _status(till, outside)["status"] == "hq_disagrees"


def test_a_terminal_reopening_after_weeks_is_confirmed_by_its_sync(hq: Hq, make_till: Any) -> None:
    till = make_till("T-reopen")
    terminal = till.open()
    try:
        with terminal.unit_of_work() as session:  # the store closed five weeks ago
            put_setting(session, clock.SETTING, {"last_good": to_iso(utcnow() - timedelta(days=35))})
    finally:
        terminal.close()
    assert kupa_at(till, 0, "checkout", "--item", "COFFEE-S").returncode == 0  # sells at once
    assert _status(till, 0)["status"] == "unverified"
    assert kupa_at(till, 0, "sync", "--once").returncode == 0
    assert _status(till, 0)["status"] == "ok"
