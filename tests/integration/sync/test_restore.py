"""A terminal restored from a backup, as a store owner does it: real `python -m pos_client` processes on a
real data folder, a real HQ on 127.0.0.1 (docs/sync.md, "Restored terminals").

Sell and sync, copy the folder aside, sell and enrol more and sync, copy the backup back over the folder,
then sell and enrol again before any sync: no sequence number or member id is used twice at HQ, HQ keeps
the member the restored terminal had enrolled, the other terminal keeps syncing, and balances agree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from pos_client.db.models import LedgerEntry, OutboxRow
from sync.hq import admin
from sync.hq.models import HqEntry, HqMember, HqRejection

from sync_harness import Hq, Till

ROOT = Path(__file__).resolve().parents[3]


def kupa(folder: Path, *args: str) -> dict[str, Any]:
    """`python -m pos_client --data-dir FOLDER ARGS --json` in its own process; its JSON answer."""
    env = os.environ | {"KUPA_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "pos_client", "--data-dir", str(folder), *args, "--json"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _ledger(till: Till) -> list[tuple[str, int]]:
    terminal = till.open()
    try:
        with terminal.read() as session:
            return [tuple(row) for row in session.execute(  # type: ignore[misc]
                select(LedgerEntry.entry_id, LedgerEntry.seq).where(LedgerEntry.terminal_id == till.terminal_id))]
    finally:
        terminal.close()


def _number(member_id: str) -> int:
    return int(member_id[4:])  # M + the 3-digit prefix HQ assigned + the terminal's counter


def test_restored_terminal_reuses_no_seq_or_member_id(hq: Hq, make_till: Any, tmp_path: Path) -> None:
    t1, t2 = make_till("T1"), make_till("T2")
    folder = t1.path
    alice = kupa(folder, "member", "add", "--name", "Alice Levi", "--phone", "050-1111111")["member_id"]
    kupa(folder, "checkout", "--member", alice, "--item", "COFFEE-S:2")
    kupa(folder, "sync", "--once")
    kupa(folder, "checkout", "--member", alice, "--item", "CROISSANT")  # not sent yet when the backup is taken
    backup = tmp_path / "backup"
    shutil.copytree(folder, backup)

    kupa(folder, "sync", "--once")  # the unsent sale reaches HQ after the backup
    carol = kupa(folder, "member", "add", "--name", "Carol Katz", "--phone", "050-3333333")["member_id"]
    kupa(folder, "checkout", "--member", alice, "--item", "SHOE")
    kupa(folder, "checkout", "--member", carol, "--item", "COFFEE-L")
    kupa(folder, "sync", "--once")
    with hq.db.read() as session:
        acked_seq = int(session.scalar(select(func.max(HqEntry.seq)).where(HqEntry.terminal_id == t1.terminal_id)))

    shutil.rmtree(folder)  # the disk died; yesterday's backup goes back in place
    shutil.copytree(backup, folder)
    lost_here = {entry_id for entry_id, _ in _ledger(t1)}
    kupa(folder, "checkout", "--member", alice, "--item", "COFFEE-S")  # before any sync: old numbers again
    bob = kupa(folder, "member", "add", "--name", "Bob Mizrahi", "--phone", "050-2222222")["member_id"]
    assert bob == carol  # the backup's counter hands Carol's id out again: HQ must not merge them

    summary = kupa(folder, "sync", "--once")
    assert summary["restored"] is not None
    assert summary["restored"]["acked_seq"] == acked_seq
    assert summary["restored"]["renumbered"] >= 1 and summary["restored"]["recovered"] >= 1
    assert summary["duplicate"] >= 1  # the sale the backup still held as unsent: HQ has it, not a conflict
    assert summary["rejected"] >= 3  # Bob's enrolment, his welcome points and his card: never on Carol
    assert admin.member_show(hq.db, carol)["name"] == "Carol Katz"  # HQ did not overwrite Carol
    with hq.db.read() as session:
        reasons = [r.reason for r in session.scalars(select(HqRejection).where(
            HqRejection.terminal_id == t1.terminal_id))]
        assert not any(r.startswith("seq_reused") for r in reasons)  # renumbered before it was sent
        assert any(r.startswith("member_id_reused") for r in reasons)
        seqs = list(session.scalars(select(HqEntry.seq).where(HqEntry.terminal_id == t1.terminal_id)))
    assert len(seqs) == len(set(seqs)) and None not in seqs

    local = _ledger(t1)
    assert len({seq for _, seq in local}) == len(local)
    new_here = [seq for entry_id, seq in local if entry_id not in lost_here and seq > acked_seq]
    assert new_here  # the sale made after the copy-back was numbered past HQ's
    with hq.db.read() as session:
        carols = set(session.scalars(select(HqEntry.seq).where(HqEntry.member_id == carol)))
    # Every entry HQ holds from T1 is back here, but Carol's: her id is Bob's here, so they are reported.
    assert set(seqs) - carols <= {seq for _, seq in local}
    assert not carols & {seq for _, seq in local}
    assert {s["reason"].split(":")[0] for s in summary["skipped"] if s["kind"] == "entry"} == {"member_id_reused"}

    dave = kupa(folder, "member", "add", "--name", "Dave Peretz", "--phone", "050-4444444")["member_id"]
    assert _number(dave) > _number(carol)
    kupa(folder, "checkout", "--member", dave, "--item", "COFFEE-S")
    carol_points = admin.member_show(hq.db, carol)["points"]
    kupa(folder, "checkout", "--member", bob, "--item", "COFFEE-L")  # Bob, here under the id HQ gave Carol
    again = kupa(folder, "sync", "--once")
    assert again["rejected"] == 0 and again["restored"] is None
    assert again["held"] >= 1  # Bob's new entries wait for a manager instead of landing on Carol
    assert admin.member_show(hq.db, carol)["points"] == carol_points
    assert admin.member_show(hq.db, dave)["name"] == "Dave Peretz"

    other = t2.sync()  # the other counter's sync keeps working and sees one entry per (terminal, seq)
    assert other.skipped == []
    for member in (alice, carol, dave):  # T2 knows Carol as HQ does
        at_hq = admin.member_show(hq.db, member)["points"]
        assert t2.kupa("member", "show", member)["points"] == at_hq
    assert t1.kupa("member", "show", alice)["points"] == admin.member_show(hq.db, alice)["points"]
    assert t1.kupa("member", "show", bob)["name"] == "Bob Mizrahi"  # the local member is kept, not overwritten
    assert t1.kupa("member", "show", dave)["points"] == admin.member_show(hq.db, dave)["points"]
    with hq.db.read() as session:
        assert session.scalar(select(func.count()).select_from(HqMember).where(HqMember.name == "Bob Mizrahi")) == 0
    terminal = t1.open()
    try:
        with terminal.read() as session:
            held = session.scalars(select(OutboxRow.error).where(OutboxRow.status == "rejected")).all()
    finally:
        terminal.close()
    assert held and all(e and e.startswith("member_id_reused") for e in held)
