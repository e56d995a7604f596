"""Ledger sequence numbers stay contiguous across a crash: a checkout SIGKILLed after writing its entries
(inside its transaction) leaves no entry and no gap, and the next checkout takes the next number."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from pos_client.cli.main import main
from pos_client.terminal import DB_NAME
from tests.integration.conftest import Kupa

#: A real `kupa checkout` whose ledger write announces itself and waits (the transaction still open).
_PAUSED_CHECKOUT = textwrap.dedent("""
    import sys, time
    from pos_client import ledger
    real = ledger.project_rows
    def paused(session, rows):
        real(session, rows)
        print("entries written", flush=True)
        time.sleep(60)
    ledger.project_rows = paused
    from pos_client.cli.main import main
    sys.exit(main(sys.argv[1:]))
""")


def _seqs(store: Path) -> list[int]:
    with closing(sqlite3.connect(store / DB_NAME)) as db:
        return [seq for (seq,) in db.execute("SELECT seq FROM ledger_entries WHERE terminal_id = 'T1' ORDER BY seq")]


def _sales(store: Path) -> int:
    with closing(sqlite3.connect(store / DB_NAME)) as db:
        return int(db.execute("SELECT count(*) FROM sales").fetchone()[0])


def test_seq_numbers_stay_contiguous_across_a_killed_checkout(store: Path, kupa: Kupa) -> None:
    member = kupa("member", "add", "--name", "Crash Test", "--json").json["member_id"]
    kupa("checkout", "--member", member, "--item", "COFFEE-S:2", "--json")
    before, sales = _seqs(store), _sales(store)
    assert before == list(range(1, len(before) + 1)) and len(before) >= 3
    with subprocess.Popen([sys.executable, "-c", _PAUSED_CHECKOUT, "--data-dir", str(store), "checkout",
                           "--member", member, "--item", "SHOE", "--item", "COFFEE-L"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}) as proc:
        try:
            assert proc.stdout is not None and proc.stderr is not None
            assert proc.stdout.readline().strip() == "entries written", proc.stderr.read()
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(30) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(30)
    assert _seqs(store) == before and _sales(store) == sales  # nothing of the killed sale remains
    done: Any = json.loads(kupa("checkout", "--member", member, "--item", "CROISSANT", "--json").out)
    after = _seqs(store)
    assert after == list(range(1, len(after) + 1)), "a gap or a repeat in the ledger's sequence"
    assert len(after) > len(before) and done["sale_id"]
    assert main(["--data-dir", str(store), "checkout", "--member", member, "--item", "CROISSANT"]) == 0
    final = _seqs(store)
    assert final == list(range(1, len(final) + 1))


def test_append_records_the_sale_and_the_cashier(store: Path, kupa: Kupa) -> None:
    """`ledger.append` (one entry) keeps what `append_many` keeps: the sale, the cashier, numbered in turn."""
    from sqlalchemy import select

    from pos_client.db.models import LedgerEntry, OutboxRow
    from sync.protocol import WireEntry
    from pos_client.ledger import EntryDraft, append
    from pos_client.terminal import Terminal
    from pos_client.timeutil import utcnow

    member = kupa("member", "add", "--name", "Append Test", "--json").json["member_id"]
    sale = json.loads(kupa("checkout", "--member", member, "--item", "COFFEE-S", "--json").out)["sale_id"]
    terminal = Terminal.open(store)
    try:
        with terminal.unit_of_work() as session:
            entry_id = append(session, EntryDraft(member, "adjust", points_delta=5, reason="test"), terminal_id="T1",
                              now=utcnow(), sale_id=sale, cashier_id="U7", program_version=7)
        with terminal.read() as session:
            entry = session.get(LedgerEntry, entry_id)
            assert entry is not None
            assert (entry.sale_id, entry.cashier_id, entry.program_version) == (sale, "U7", 7)
            assert entry.seq == max(_seqs(store))
            # the outbox carries exactly the row, in the wire's own terms (unknown keys are refused there)
            payload = session.scalars(select(OutboxRow.payload).where(OutboxRow.ref_id == entry_id)).one()
            wire = WireEntry.model_validate_json(payload)
            assert (wire.seq, wire.terminal_id, wire.cashier_id, wire.program_version, wire.reason, wire.value) == (
                entry.seq, "T1", "U7", 7, "test", 0)
        with pytest.raises(ValueError, match="unknown ledger kind 'bonus'"):
            with terminal.unit_of_work() as session:
                append(session, EntryDraft(member, "bonus", points_delta=5), terminal_id="T1", now=utcnow())
    finally:
        terminal.close()
    assert _seqs(store) == list(range(1, len(_seqs(store)) + 1))


def test_the_projection_counts_sales_for_referrals_and_the_member_list(store: Path, kupa: Kupa,
                                                                       tmp_path: Path) -> None:
    """`member_balances.sales_count` ends a referral after the first sale; `last_sale_at` is the newest sale."""
    import csv

    referrer = kupa("member", "add", "--name", "Old Friend", "--json").json["member_id"]
    member = kupa("member", "add", "--name", "New Friend", "--referred-by", referrer, "--json").json["member_id"]
    first = json.loads(kupa("checkout", "--member", member, "--item", "COFFEE-S", "--json").out)
    second = json.loads(kupa("checkout", "--member", member, "--item", "COFFEE-S", "--json").out)
    assert (first["referral_points"], second["referral_points"]) == (100, 0)
    kupa("report", "members", "--csv", str(tmp_path / "m.csv"))
    with (tmp_path / "m.csv").open(encoding="utf-8-sig") as f:
        rows = {row["member_id"]: row for row in csv.DictReader(f)}
    with closing(sqlite3.connect(store / DB_NAME)) as db:
        newest = db.execute("SELECT max(created_at) FROM sales WHERE member_id = ?", (member,)).fetchone()[0]
        counted = db.execute("SELECT sales_count FROM member_balances WHERE member_id = ?", (member,)).fetchone()[0]
        totals = db.execute("SELECT points, credits_total, debits_total FROM member_balances WHERE member_id = ?",
                            (member,)).fetchone()
        ledger = db.execute("SELECT sum(points_delta), sum(max(points_delta, 0)), sum(max(-points_delta, 0))"
                            " FROM ledger_entries WHERE member_id = ?", (member,)).fetchone()
    assert totals == ledger  # the first sale credited earn and referral points in one batch
    from pos_client.timeutil import from_iso, store_zone
    local = from_iso(newest).astimezone(store_zone("Asia/Jerusalem")).strftime("%Y-%m-%d %H:%M")
    assert (rows[member]["last_sale"], rows[referrer]["last_sale"], counted) == (local, "", 2)
