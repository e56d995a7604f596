"""Ledger behaviour over time, through the services with explicit clocks: expiry, birthdays, atomicity."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from pos_client.services.checkout import BasketRequest, record_sale
from pos_client.services.members import enrol
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def _program_in_force_since_2000(terminal: Terminal) -> None:
    """The store's program was loaded when the test store was made; these tests run on fixed clocks (`NOW` and
    earlier), so pretend it was loaded long before them."""
    with terminal.unit_of_work() as session:
        session.execute(text("update program_versions set loaded_at='2000-01-01T00:00:00+00:00'"))


def _balance(store: Path, member_id: str) -> tuple[int, int]:
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        projected = db.execute("select points from member_balances where member_id=?", (member_id,)).fetchone()[0]
        summed = db.execute("select sum(points_delta) from ledger_entries where member_id=?", (member_id,)).fetchone()[0]
    return projected, summed


def test_points_expire_first_in_first_out(store: Path) -> None:
    terminal = Terminal.open(store)
    _program_in_force_since_2000(terminal)
    old = NOW - timedelta(days=370)
    with terminal.unit_of_work() as session:
        program = program_at(session, old)
        member, _card, token = enrol(terminal, session, program, old, name="Old Timer")
        # 370 days ago: welcome 50 + 478 earned; 10 days ago (still within 365 days of those): 14 earned
        record_sale(session, terminal, BasketRequest(items=(("SHOE", 1), ("COFFEE-L", 2)), member_code=token), old)
        record_sale(session, terminal, BasketRequest(items=(("COFFEE-L", 1),), member_code=token),
                    NOW - timedelta(days=10))
    with terminal.unit_of_work() as session:
        result = record_sale(session, terminal, BasketRequest(items=(("COFFEE-S", 1),), member_code=token), NOW)
    assert result.expired_points == 50 + 478  # everything older than 365 days, nothing newer
    projected, summed = _balance(store, member.member_id)
    assert projected == summed == 14 + 9
    terminal.close()


def test_birthday_points_once_in_the_birthday_month(store: Path) -> None:
    terminal = Terminal.open(store)
    _program_in_force_since_2000(terminal)
    with terminal.unit_of_work() as session:
        program = program_at(session, NOW)
        member, _card, _token = enrol(terminal, session, program, NOW - timedelta(days=30), name="Birthday Girl",
                                      birthday=date(1990, 11, 30))
        first = record_sale(session, terminal, BasketRequest(items=(("COFFEE-S", 1),), member_code=member.member_id), NOW)
        second = record_sale(session, terminal, BasketRequest(items=(("COFFEE-S", 1),), member_code=member.member_id),
                             NOW + timedelta(days=2))
        next_year = record_sale(session, terminal, BasketRequest(items=(("COFFEE-S", 1),),
                                                                 member_code=member.member_id),
                                NOW + timedelta(days=366))
    assert (first.quote.birthday_points, second.quote.birthday_points, next_year.quote.birthday_points) == (300, 0, 300)
    terminal.close()


def test_a_failure_mid_checkout_leaves_nothing_half_done(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal.open(store)
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        before = [db.execute(f"select count(*) from {t}").fetchone()[0] for t in ("sales", "ledger_entries", "outbox")]
    _program_in_force_since_2000(terminal)
    with terminal.unit_of_work() as session:
        program = program_at(session, NOW)
        member, _card, _token = enrol(terminal, session, program, NOW, name="Power Cut")
    def failing_append(*args, **kwargs):  # type: ignore[no-untyped-def]
        # the sale and its lines are already written in this transaction when the entries fail
        raise OSError("simulated power cut")

    monkeypatch.setattr("pos_client.services.checkout.append_many", failing_append)
    from pos_client.services.checkout import checkout

    with pytest.raises(OSError):
        checkout(terminal, BasketRequest(items=(("COFFEE-S", 2),), member_code=member.member_id))
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        after = [db.execute(f"select count(*) from {t}").fetchone()[0] for t in ("sales", "ledger_entries", "outbox")]
    # only the enrolment (member + welcome entry + card) was added, not a trace of the failed sale
    assert after[0] == before[0] and after[1] == before[1] + 1 and after[2] == before[2] + 3
    terminal.close()


def test_console_script_reports_bad_input_without_a_traceback(store: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pos_client", "--data-dir", str(store), "checkout", "--item",
                             "COFFEE-S:-1", "--json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and json.loads(result.stdout) == {
        "error": "invalid_input", "message_code": "basket.quantity_positive",
        "message": "quantity of COFFEE-S must be at least 1 (got -1)", "params": {"sku": "COFFEE-S", "qty": -1}}
    assert "at least 1" in result.stderr and "Traceback" not in result.stderr
    usage = subprocess.run([sys.executable, "-m", "pos_client", "--data-dir", str(store), "checkout"],
                           capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
