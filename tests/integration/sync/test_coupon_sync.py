"""Coupons and vouchers reach HQ exactly once, and HQ's book refuses what the chain cannot allow
(docs/promotions.md, "At HQ"): a real HQ on 127.0.0.1 and a real terminal.

- a member coupon issued at enrolment and used at checkout is stored once (a second push is a duplicate) and
  marked spent; the whole refund's return clears it; a public code's uses are counted per member and chain-wide;
- a forged voucher id, a second use of a spent coupon, and a public code over its chain-wide limit are refused
  with a code and change nothing;
- offline, a terminal allows a public code `offline_limit` times until HQ accepts them.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.integration.coupon_program import write as write_program
from pos_client.db.models import LedgerEntry, OutboxRow
from pos_client.terminal import put_setting
from pos_client.timeutil import to_iso, utcnow
from sync.hq import admin
from sync.hq.models import HqCouponUses, HqEntry, HqPromo
from sync.protocol import PushItem, PushRequest, PushResponse
from sync.transport import Transport
from sync_harness import FAST_RETRY, MANAGER_PIN, Hq


def _till(hq: Hq, make_till: Any, tmp_path: Path, name: str = "T1") -> Any:
    program = write_program(tmp_path)
    admin.publish_program(hq.db, program)
    till = make_till(name)
    till.kupa("program", "load", str(program))
    return till


def _uses(hq: Hq, code: str, member_id: str) -> int | None:
    with hq.db.read() as session:
        return session.scalar(select(HqCouponUses.uses).where(HqCouponUses.code == code,
                                                              HqCouponUses.member_id == member_id))


def _push(hq: Hq, till: Any, bodies: list[dict[str, Any]], what: str = "code") -> list[str | None]:
    transport = Transport(hq.url, till.token, retry=FAST_RETRY)
    try:
        answer = transport.post("/v1/push", PushRequest(items=[
            PushItem(kind="ledger_entry", key=b["entry_id"], body=b) for b in bodies]), PushResponse)
    finally:
        transport.close()
    return [getattr(r, what) for r in answer.results]


def _entry(till: Any, member_id: str, seq: int, kind: str, code: str, ref: str) -> dict[str, Any]:
    return {"entry_id": str(uuid.uuid4()), "member_id": member_id, "terminal_id": till.terminal_id, "seq": seq,
            "kind": kind, "ref_code": code, "promo_ref": ref, "program_version": 8, "created_at": to_iso(utcnow())}


def _next_seq(till: Any) -> int:
    terminal = till.open()
    try:
        with terminal.read() as session:
            return int(session.scalar(select(func.max(LedgerEntry.seq))) or 0) + 1
    finally:
        terminal.close()


def test_uses_and_returns_reach_hq_once_and_mark_the_coupon(hq: Hq, make_till: Any, tmp_path: Path) -> None:
    till = _till(hq, make_till, tmp_path)
    member = till.kupa("member", "add", "--name", "Dana")
    coupon = till.kupa("member", "show", member["member_id"])["coupons"][0]
    sale = till.kupa("checkout", "--member", member["member_id"], "--item", "SHOE", "--coupon", coupon["token"],
                     "--coupon", "save5")
    result = till.sync()
    assert not result.rejected
    with hq.db.read() as session:
        promo = session.get_one(HqPromo, coupon["id"])
        assert (promo.member_id, promo.code, promo.valid_until) == (member["member_id"], "welcome",
                                                                   coupon["valid_until"])
        assert promo.used_entry is not None
        kinds = sorted(session.scalars(select(HqEntry.kind).where(HqEntry.member_id == member["member_id"],
                                                                  HqEntry.kind.like("coupon%"))))
    assert kinds == ["coupon_issue", "coupon_use", "coupon_use"]
    assert (_uses(hq, "save5", member["member_id"]), _uses(hq, "save5", "")) == (1, 1)
    terminal = till.open()
    try:  # the same entries pushed again (a lost response): duplicates, counted once
        with terminal.read() as session:
            again = [json.loads(row.payload) for row in session.scalars(select(OutboxRow).join(
                LedgerEntry, LedgerEntry.entry_id == OutboxRow.ref_id).where(LedgerEntry.kind.like("coupon%")))]
    finally:
        terminal.close()
    assert _push(hq, till, again, "status") == ["duplicate"] * 3
    assert (_uses(hq, "save5", member["member_id"]), _uses(hq, "save5", "")) == (1, 1)
    till.kupa("refund", sale["sale_id"], "--pin", MANAGER_PIN)
    assert not till.sync().rejected
    with hq.db.read() as session:
        assert session.get_one(HqPromo, coupon["id"]).used_entry is None
    assert (_uses(hq, "save5", member["member_id"]), _uses(hq, "save5", "")) == (0, 0)
    shown = admin.member_show(hq.db, member["member_id"])  # HQ's member show: the returned coupon is held again
    assert [(c["id"], c["valid_until"]) for c in shown["coupons"]] == [(coupon["id"], coupon["valid_until"])]
    assert shown["vouchers"] == []


def test_hq_refuses_forged_ids_second_uses_and_a_code_over_its_chain_limit(hq: Hq, make_till: Any,
                                                                           tmp_path: Path) -> None:
    till = _till(hq, make_till, tmp_path)
    members = [till.kupa("member", "add", "--name", f"M{i}")["member_id"] for i in range(3)]
    coupon = till.kupa("member", "show", members[0])["coupons"][0]
    till.kupa("checkout", "--member", members[0], "--item", "SHOE", "--coupon", coupon["token"])
    assert not till.sync().rejected
    seq = _next_seq(till) + 100
    bodies = [
        _entry(till, members[0], seq, "voucher_use", "per100", "V0000000000"),  # never issued
        _entry(till, members[1], seq + 1, "coupon_use", "welcome", coupon["id"]),  # another member's
        _entry(till, members[0], seq + 2, "coupon_use", "welcome", coupon["id"]),  # already spent
        _entry(till, members[0], seq + 3, "coupon_use", "save5", "SAVE5"),
        _entry(till, members[0], seq + 4, "coupon_use", "save5", "SAVE5"),  # per_member_limit is 1
        _entry(till, members[1], seq + 5, "coupon_use", "save5", "SAVE5"),
        _entry(till, members[2], seq + 6, "coupon_use", "save5", "SAVE5"),  # the third: chain_limit is 2
        _entry(till, members[2], seq + 7, "coupon_issue", "save5", "CAAAAAAAAAA"),  # a public code is not issued
        _entry(till, members[2], seq + 8, "coupon_use", "save5", "SAVE5") | {"program_version": 99},  # unpublished
    ]
    assert _push(hq, till, bodies) == ["sync.promo_unknown", "sync.promo_unknown", "sync.promo_used", None,
                                       "sync.coupon_member_limit", None, "sync.coupon_chain_limit",
                                       "sync.not_in_program", "sync.program_unknown"]
    with hq.db.read() as session:
        stored = set(session.scalars(select(HqEntry.entry_id).where(
            HqEntry.entry_id.in_([b["entry_id"] for b in bodies]))))
        assert session.get(HqPromo, "V0000000000") is None and session.get(HqPromo, "CAAAAAAAAAA") is None
    assert stored == {bodies[3]["entry_id"], bodies[5]["entry_id"]}
    assert _uses(hq, "save5", "") == 2


def test_offline_a_public_code_is_allowed_offline_limit_times_until_hq_accepts(hq: Hq, make_till: Any,
                                                                               tmp_path: Path) -> None:
    till = _till(hq, make_till, tmp_path)
    first, second = (till.kupa("member", "add", "--name", name)["member_id"] for name in ("A", "B"))
    assert not till.sync().rejected

    def go_offline() -> None:  # the last successful sync long ago: the offline rules apply (docs/core.md)
        terminal = till.open()
        try:
            with terminal.unit_of_work() as session:
                put_setting(session, "last_sync_ok_at", "2020-01-01T00:00:00+00:00")
        finally:
            terminal.close()

    go_offline()
    till.kupa("checkout", "--member", first, "--item", "SHOE", "--coupon", "SAVE5")
    refused = till.kupa_fails("checkout", "--member", second, "--item", "SHOE", "--coupon", "SAVE5")
    assert "SAVE5" in refused and "sync first" in refused
    assert not till.sync().rejected  # HQ accepted the first use: no exposure left on this terminal
    go_offline()
    till.kupa("checkout", "--member", second, "--item", "SHOE", "--coupon", "SAVE5")


def test_a_coupon_issued_at_one_counter_is_spent_at_another_and_both_agree(hq: Hq, make_till: Any,
                                                                           tmp_path: Path) -> None:
    first = _till(hq, make_till, tmp_path, "T1")
    second = _till(hq, make_till, tmp_path, "T2")
    member = first.kupa("member", "add", "--name", "Dana")["member_id"]
    coupon = first.kupa("member", "show", member)["coupons"][0]
    assert not first.sync().rejected
    assert not second.sync().rejected  # the member's snapshot brings the coupon (and T1's key, its signature)
    assert [c["id"] for c in second.kupa("member", "show", member)["coupons"]] == [coupon["id"]]
    second.kupa("checkout", "--member", member, "--item", "SHOE", "--coupon", coupon["token"])
    assert not second.sync().rejected
    assert not first.sync().rejected
    assert first.kupa("member", "show", member)["coupons"] == []
    assert "already used" in first.kupa_fails("quote", "--member", member, "--item", "SHOE", "--coupon",
                                              coupon["token"])


def test_a_points_voucher_issue_debits_exactly_its_points(hq: Hq, make_till: Any, tmp_path: Path) -> None:
    till = _till(hq, make_till, tmp_path)
    member = till.kupa("member", "add", "--name", "Dana")["member_id"]
    assert not till.sync().rejected
    seq = _next_seq(till) + 100
    bodies = [_entry(till, member, seq, "voucher_issue", "pts", "V1111111111") | {"points_delta": -4000},
              _entry(till, member, seq + 1, "voucher_issue", "per100", "V2222222222") | {"points_delta": -1},
              _entry(till, member, seq + 2, "voucher_issue", "pts", "V3333333333") | {"points_delta": -5000,
                                                                                      "value": 1000},
              _entry(till, member, seq + 3, "voucher_issue", "per100", "V3333333333") | {"value": 500},
              _entry(till, member, seq + 4, "voucher_issue", "per100", "V4444444444") | {"points_delta": 5}]
    assert _push(hq, till, bodies) == ["sync.program_amount", "sync.program_amount", None, "sync.promo_reissued",
                                       "sync.sign"]
