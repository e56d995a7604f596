"""Nothing stored at HQ can stop a pull: rows a buggy or older HQ stored are skipped, recorded and reported,
and the cursor moves on (docs/sync.md). HQ also keeps (terminal, seq) unique for pushed entries."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from pos_client.db.models import LedgerEntry
from pos_client.terminal import put_setting
from pos_client.timeutil import to_iso, utcnow
from sync.apply import pending_batch, sync_skipped
from sync.hq import admin
from sync.hq.models import Change, HqBalance, HqEntry, HqMember, HqRejection
from sync.hq.push import apply_push
from sync.protocol import PushItem, PushRequest

from sync_harness import Hq, Till


def _entry(entry_id: str, terminal: str, seq: int, member: str, **changes: Any) -> dict[str, Any]:
    body = {"entry_id": entry_id, "member_id": member, "terminal_id": terminal, "seq": seq, "kind": "adjust",
            "points_delta": 5, "stamps_delta": 0, "punch_card": None, "spend_delta": 0, "value": 0,
            "membership_code": None, "membership_days": 0, "sale_id": None, "reverses": None, "cashier_id": None,
            "reason": None, "ref_code": None, "program_version": None, "created_at": "2026-11-01T10:00:00+00:00"}
    return body | changes


def _poison(hq: Hq, writer: str, member: str) -> None:
    """Rows as a buggy HQ stored them, written straight into HQ's database with their change-log rows."""
    bad_time = _entry("00000000-0000-7000-8000-000000000001", writer, 900, member, created_at="not-a-time-at-all")
    bad_kind = _entry("00000000-0000-7000-8000-000000000002", writer, 901, member, kind="teleport")
    same_seq = _entry("00000000-0000-7000-8000-000000000003", writer, 1, member)  # seq 1 of `writer` is taken
    with hq.db.write() as session:
        for body, seq in ((bad_time, 900), (bad_kind, 901), (same_seq, None)):  # an old HQ accepted the pair
            session.add(HqEntry(entry_id=body["entry_id"], terminal_id=writer, seq=seq, member_id=member,
                                kind=body["kind"], points_delta=5, spend_delta=0, value=0,
                                created_at=body["created_at"], received_at="2026-11-01T10:00:00+00:00",
                                body=json.dumps(body, sort_keys=True)))
            session.add(Change(kind="entry", ref=body["entry_id"]))
        session.add(HqMember(member_id="M9990001", name="Broken Birthday", birthday="2026-13-45",
                             enrolled_at="2026-11-01T10:00:00+00:00", enrolled_by_terminal=writer))
        session.add(HqBalance(member_id="M9990001", points=0, spend_total=0, entries=0, stamps="{}", review=False))
        session.add(Change(kind="member", ref="M9990001"))


def test_poison_at_hq_is_skipped_reported_and_passed(hq: Hq, make_till: Any) -> None:
    t1, t2 = make_till("T1"), make_till("T2")
    member = t1.kupa("member", "add", "--name", "Dana Cohen", "--phone", "054-1234567")["member_id"]
    t1.kupa("checkout", "--member", member, "--item", "COFFEE-S")
    t1.sync()
    t2.sync()
    _poison(hq, t1.terminal_id, member)
    t1.kupa("checkout", "--member", member, "--item", "CROISSANT")  # a good entry after the poison
    t1.sync()

    with hq.db.read() as session:  # T1 numbers past the rows HQ holds under its name: none is reused
        assert session.scalar(select(func.max(HqEntry.seq)).where(HqEntry.terminal_id == t1.terminal_id)) > 901
        assert session.scalar(select(func.count()).select_from(HqRejection)) == 0
    assert t1.sync().skipped == []  # T1 reported the bad rows under its name once, not at every sync

    summary = t2.sync()  # completes instead of failing on every run
    skipped = {(s["kind"], s["ref"]): s["reason"] for s in summary.skipped}
    # The bad entries never reach a terminal: it pulls HQ's snapshot of the member, whose fold leaves out
    # what the protocol refuses and the later entry of a reused seq (as `kupa-hq member show` does).
    assert set(skipped) == {("member", "M9990001")}
    assert skipped[("member", "M9990001")].startswith("invalid birthday")
    with hq.db.read() as session:
        head = session.scalar(select(func.max(Change.change_id)))
    assert summary.cursor == head
    assert t2.kupa("member", "show", member)["points"] == admin.member_show(hq.db, member)["points"]
    out = _sync_text(t2)
    assert "could not be applied" not in out  # the next pull moves on: nothing skipped again
    terminal = t2.open()
    try:
        with terminal.read() as session:  # kept for the manager
            assert session.scalar(select(func.count()).select_from(sync_skipped)) == 1
    finally:
        terminal.close()


def _sync_text(till: Till) -> str:
    from pos_client.cli.main import main

    till.capsys.readouterr()
    assert main(["--data-dir", str(till.path), "sync", "--once"]) == 0
    return till.capsys.readouterr().out


def test_kupa_sync_prints_what_it_skipped(hq: Hq, make_till: Any) -> None:
    t1, t2 = make_till("T1"), make_till("T2")
    member = t1.kupa("member", "add", "--name", "Dana Cohen", "--phone", "054-1234567")["member_id"]
    t1.sync()
    _poison(hq, t1.terminal_id, member)
    out = _sync_text(t2)
    assert "could not be applied here and were skipped" in out
    assert "member M9990001: invalid birthday" in out
    listed = t2.kupa("sync", "--skipped")["skipped"]  # the manager's list, newest first
    assert {(i["kind"], i["ref"]) for i in listed} == {("member", "M9990001")}


def test_hq_refuses_a_reused_seq_without_failing_the_batch(hq: Hq, make_till: Any) -> None:
    t1 = make_till("T1")
    member = t1.kupa("member", "add", "--name", "Dana Cohen", "--phone", "054-1234567")["member_id"]
    t1.sync()
    taken = _entry("00000000-0000-7000-8000-0000000000a1", t1.terminal_id, 1, member)  # seq 1: the welcome's
    fresh = _entry("00000000-0000-7000-8000-0000000000a2", t1.terminal_id, 50, member)
    twice = _entry("00000000-0000-7000-8000-0000000000a3", t1.terminal_id, 50, member)  # same seq, same batch
    items = [PushItem(kind="ledger_entry", key=b["entry_id"], body=b) for b in (taken, fresh, twice)]
    with hq.db.write() as session:
        results = apply_push(session, t1.terminal_id, items, "2026-11-02T10:00:00+00:00")
    assert [r.status for r in results] == ["rejected", "accepted", "rejected"]
    assert all(r.reason and r.reason.startswith("seq_reused") for r in (results[0], results[2]))
    with hq.db.read() as session:
        assert session.get(HqEntry, fresh["entry_id"]) is not None
        assert session.scalar(select(func.count()).select_from(HqRejection)
                              .where(HqRejection.reason.like("seq_reused%"))) == 2


def _push_answer_lost(hq: Hq, till: Till) -> None:
    """HQ stores what the till has waiting, and the answer never reaches the till (a cut connection, a kill)."""
    terminal = till.open()
    try:
        with terminal.read() as session:
            ids, body = pending_batch(session, 1000)
    finally:
        terminal.close()
    assert ids
    with hq.db.write() as session:
        results = apply_push(session, till.terminal_id, PushRequest.model_validate_json(body).items, to_iso(utcnow()))
    assert all(r.status in ("accepted", "duplicate") for r in results), results


def test_entries_hq_holds_from_answers_that_were_lost_are_never_renumbered(hq: Hq, make_till: Any) -> None:
    """Two pushes whose answers were lost, with a sync's check in between that got no further (killed): the
    entries still waiting here are the very ones HQ holds, so the next sync finds them duplicates — it must not
    take their numbers for someone else's and renumber them (HQ would then refuse them as changed)."""
    t1 = make_till("T1")
    member = t1.kupa("member", "add", "--name", "Dana Cohen", "--phone", "054-1234567")["member_id"]
    t1.sync()
    t1.kupa("checkout", "--member", member, "--item", "SHOE", "--item", "COFFEE-S")
    _push_answer_lost(hq, t1)
    terminal = t1.open()
    try:  # a sync checked HQ's numbers (all its own) and was killed before it pushed
        with terminal.unit_of_work() as session:
            seen = session.scalar(select(func.max(LedgerEntry.seq)).where(LedgerEntry.terminal_id == t1.terminal_id))
            put_setting(session, "own_entries_seen", seen)
    finally:
        terminal.close()
    t1.kupa("checkout", "--member", member, "--item", "COFFEE-S")
    _push_answer_lost(hq, t1)
    summary = t1.sync()
    assert summary.rejected == 0 and summary.pending == 0 and summary.refused == [], summary
    assert summary.restored is None or summary.restored.get("renumbered", 0) == 0
    assert t1.kupa("member", "show", member)["points"] == admin.member_show(hq.db, member)["points"]
