"""HQ validates every pushed item against its own truth (issue 11, items 1 and 6): poison is refused with its
reason code and recorded, the good items of the same push are stored, and `kupa sync` shows the refusals.

Every test runs a real HQ on 127.0.0.1 (SQLite, and PostgreSQL when `KUPA_TEST_POSTGRES_URL` is set) and
real terminal folders; the poison is pushed with a terminal's own valid token, as a hostile or broken
terminal would.
"""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from sqlalchemy import select

from pos_client.cli.main import main
from pos_client.db.models import OutboxRow
from pos_client.services import manager_actions
from pos_client.timeutil import to_iso
from sync.hq import admin
from sync.hq.models import HqAudit, HqCard, HqEntry, HqEntryKey, HqKey, HqMember, HqRejection, HqSale, HqTerminal
from sync.hq.validate import MAX_FUTURE_SKEW, Validator
from sync.protocol import PushItem, PushRequest, PushResponse, WireCard
from sync.transport import Transport
from sync_harness import FAST_RETRY, MANAGER_PIN, Hq, Till


def _uuid() -> str:
    return str(uuid.uuid4())


_SEQ = itertools.count(9000)  # each entry its own seq: HQ keeps (terminal_id, seq) unique


def _entry(till: Till, member_id: str, **changes: Any) -> dict[str, Any]:
    body = {"entry_id": _uuid(), "member_id": member_id, "terminal_id": till.terminal_id, "seq": next(_SEQ),
            "kind": "adjust", "points_delta": 10, "reason": "test", "created_at": "2026-03-01T10:00:00+00:00",
            "program_version": 7}
    return body | changes


def _sale(till: Till, member_id: str, total: int) -> dict[str, Any]:
    return {"sale_id": _uuid(), "kind": "sale", "terminal_id": till.terminal_id, "member_id": member_id,
            "program_version": 7, "created_at": "2026-03-01T10:00:00+00:00", "currency": "ILS", "subtotal": total,
            "total": total, "points_earned": 0, "qualifying_spend": total, "lines": []}


def _item(kind: str, body: dict[str, Any], key: str | None = None) -> PushItem:
    ident = {"ledger_entry": "entry_id", "sale": "sale_id", "member": "member_id", "card": "card_number",
             "audit": "audit_id"}[kind]
    return PushItem(kind=kind, key=key or str(body.get(ident, "x")), body=body)  # type: ignore[arg-type]


def _push(hq: Hq, till: Till, *items: PushItem) -> PushResponse:
    transport = Transport(hq.url, till.token, retry=FAST_RETRY)
    try:
        return transport.post("/v1/push", PushRequest(items=list(items)), PushResponse)
    finally:
        transport.close()


def _prefix(hq: Hq, terminal_id: str) -> str:
    with hq.db.read() as session:
        return session.get_one(HqTerminal, terminal_id).member_prefix


def _member(till: Till, member_id: str, **changes: Any) -> dict[str, Any]:
    return {"member_id": member_id, "name": "Poison Test", "enrolled_at": "2026-03-01T10:00:00+00:00",
            "enrolled_by_terminal": till.terminal_id} | changes


def _card_of(till: Till, member_id: str) -> str:
    terminal = till.open()
    try:
        with terminal.read() as session:
            return str(session.scalar(select(OutboxRow.ref_id).where(OutboxRow.kind == "card",
                                                                     OutboxRow.payload.contains(member_id))))
    finally:
        terminal.close()


def test_the_poison_of_issue_11_is_refused_with_its_code_and_the_rest_of_the_push_is_stored(
        hq: Hq, make_till: Any) -> None:
    t1, t2 = make_till("T1"), make_till("T2")
    alice = t1.kupa("member", "add", "--name", "Alice")["member_id"]
    t1.sync()
    t2.sync()
    alice_card = _card_of(t1, alice)
    future = to_iso(datetime.now(timezone.utc) + timedelta(hours=1))
    t2_prefix, t1_prefix = _prefix(hq, "T2"), _prefix(hq, "T1")
    sale = _sale(t2, alice, 1000)
    good = [_entry(t2, alice, points_delta=10), _entry(t2, alice, points_delta=-5, kind="redeem"),
            _entry(t2, alice, kind="earn", points_delta=31, spend_delta=1000, sale_id=sale["sale_id"]),
            _entry(t2, alice, kind="welcome", points_delta=50)]
    good_member = _member(t2, f"M{t2_prefix}0077", birthday="1990-05-17", phone="054-1234567")
    poison: list[tuple[str, PushItem]] = [
        ("sync.invalid", _item("ledger_entry", _entry(t2, alice, created_at="not-a-time-at-all"))),
        ("sync.sign", _item("ledger_entry", _entry(t2, alice, kind="redeem", points_delta=500))),
        ("sync.too_large", _item("ledger_entry", _entry(t2, alice, kind="earn", points_delta=10**12,
                                                        sale_id=sale["sale_id"]))),
        ("sync.earn_too_large", _item("ledger_entry", _entry(t2, alice, kind="earn", points_delta=32,
                                                             spend_delta=1000, sale_id=sale["sale_id"]))),
        ("sync.stamps_negative", _item("ledger_entry", _entry(t2, alice, points_delta=0, stamps_delta=-1000,
                                                              punch_card="coffee"))),
        ("sync.time_future", _item("ledger_entry", _entry(t2, alice, created_at=future))),
        ("sync.time_future", _item("ledger_entry", _entry(t2, alice, kind="expire", points_delta=-5,
                                                          created_at=future))),
        ("sync.program_amount", _item("ledger_entry", _entry(t2, alice, kind="welcome", points_delta=5000))),
        ("sync.program_unknown", _item("ledger_entry", _entry(t2, alice, kind="welcome", points_delta=50,
                                                              program_version=99))),
        ("sync.member_field", _item("member", _member(t2, f"M{t2_prefix}0078", birthday="2026-13-45"))),
        ("sync.member_range", _item("member", _member(t2, f"M{t1_prefix}0099"))),
        ("sync.card_owner", _item("card", {"card_number": alice_card, "member_id": alice, "serial": 1,
                                           "revoked_at": "2026-03-01T10:00:00+00:00", "reason": "mine now"},
                                  key=f"{alice_card}:revoke")),
    ]
    items = [_item("sale", sale)] + [_item("ledger_entry", body) for body in good] + [_item("member", good_member)]
    for n, (_code, bad) in enumerate(poison):
        items.insert(1 + 2 * n, bad)  # poison between the good items
    answer = _push(hq, t2, *items)

    by_key = {r.key: r for r in answer.results}
    for code, bad in poison:
        result = by_key[bad.key]
        assert (result.status, result.code) == ("rejected", code), (code, result)
        assert result.reason and result.params
    assert answer.accepted == len(good) + 2 and answer.rejected == len(poison)
    with hq.db.read() as session:
        stored = set(session.scalars(select(HqEntry.entry_id).where(HqEntry.terminal_id == "T2")))
        assert stored == {e["entry_id"] for e in good}
        assert session.get(HqSale, sale["sale_id"]) is not None
        assert session.get(HqMember, good_member["member_id"]) is not None
        assert session.get(HqMember, f"M{t2_prefix}0078") is None and session.get(HqMember, f"M{t1_prefix}0099") is None
        assert session.get_one(HqCard, alice_card).revoked_at is None  # T1's card stays valid
        codes = sorted(row.code or "" for row in session.scalars(select(HqRejection)))
    assert codes == sorted(code for code, _ in poison)
    reported = admin.report(hq.db)["rejected"]
    assert {r["code"] for r in reported} == {code for code, _ in poison}
    assert all(r["params"] for r in reported)
    # T1's pull is not stopped by anything T2 sent, and T1 keeps the member's card.
    t1.sync()
    assert t1.kupa("member", "show", alice)["points"] == 50 + 10 - 5 + 31 + 50


def test_a_future_timestamp_is_accepted_just_inside_the_skew_and_refused_just_outside(
        hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    member = till.kupa("member", "add", "--name", "Dana")["member_id"]
    till.sync()
    now = datetime.now(timezone.utc)
    inside = _entry(till, member, created_at=to_iso(now + MAX_FUTURE_SKEW - timedelta(seconds=30)))
    outside = _entry(till, member, created_at=to_iso(now + MAX_FUTURE_SKEW + timedelta(seconds=60)))
    answer = _push(hq, till, _item("ledger_entry", inside), _item("ledger_entry", outside))
    assert [(r.status, r.code) for r in answer.results] == [("accepted", None), ("rejected", "sync.time_future")]
    # The exact edge, at a fixed HQ time: the limit itself is inside, one microsecond later is not.
    hq_now = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
    with hq.db.read() as session:
        rules = Validator(session, "T1", hq_now, lambda *a: [], [], [], [])
        assert rules.time("created_at", hq_now + MAX_FUTURE_SKEW) is None
        late = rules.time("created_at", hq_now + MAX_FUTURE_SKEW + timedelta(microseconds=1))
        assert late is not None and late.code == "sync.time_future"
        assert rules.time("created_at", datetime(1999, 12, 31, 23, 59, tzinfo=timezone.utc)) is not None


def test_a_retry_after_canonicalisation_is_still_a_duplicate(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    member = till.kupa("member", "add", "--name", "Dana")["member_id"]
    till.sync()
    body = _entry(till, member, created_at="2026-03-01T12:00:00+02:00")
    first = _push(hq, till, _item("ledger_entry", body))
    same_moment = _push(hq, till, _item("ledger_entry", body | {"created_at": "2026-03-01T10:00:00Z"}))
    other_moment = _push(hq, till, _item("ledger_entry", body | {"created_at": "2026-03-01T10:00:01Z"}))
    assert [first.results[0].status, same_moment.results[0].status] == ["accepted", "duplicate"]
    assert other_moment.results[0].code == "sync.conflict"
    with hq.db.read() as session:
        row = session.get_one(HqEntry, body["entry_id"])
        assert row.created_at == "2026-03-01T10:00:00.000000+00:00"
        assert json.loads(row.body)["created_at"] == "2026-03-01T10:00:00.000000+00:00"
    # A row stored before times were canonical (the same instant written another way) still matches a retry.
    # (HQ migration 0004 gave every row stored before it its `hq_entry_keys` row: so does this one.)
    old = _entry(till, member)
    with hq.db.write() as session:
        session.add(HqEntry(entry_id=old["entry_id"], terminal_id="T1", member_id=member, kind="adjust",
                            points_delta=10, spend_delta=0, value=0, created_at=old["created_at"],
                            received_at=old["created_at"], body=json.dumps(old, sort_keys=True)))
        session.add(HqEntryKey(entry_id=old["entry_id"], terminal_id="T1", seq=None, created_at=old["created_at"]))
    assert _push(hq, till, _item("ledger_entry", old)).results[0].status == "duplicate"


def test_card_ownership_revocations_and_replacements(hq: Hq, make_till: Any) -> None:
    t1, t2 = make_till("T1"), make_till("T2")
    alice = t1.kupa("member", "add", "--name", "Alice")["member_id"]
    bob = t1.kupa("member", "add", "--name", "Bob")["member_id"]
    t1.sync()
    t2.sync()
    alice_card, bob_card = _card_of(t1, alice), _card_of(t1, bob)
    revoke = {"card_number": alice_card, "member_id": alice, "serial": 1,
              "revoked_at": "2026-03-01T10:00:00+00:00", "reason": "lost"}
    # T2 alone may not revoke T1's card, nor replace it with one of its own.
    replace = WireCard(card_number="PC99999999", member_id=alice, serial=2, issued_at="2026-03-01T10:00:00Z")
    refused = _push(hq, t2, _item("card", revoke, key=f"{alice_card}:revoke"),
                    _item("card", replace.model_dump(mode="json", exclude_none=True), key="PC99999999:issue"))
    assert [r.code for r in refused.results] == ["sync.card_owner", "sync.card_owner"]
    # An audit id that is not a manager's card decision does not help either.
    fake = {"audit_id": _uuid(), "created_at": "2026-03-01T10:00:00+00:00", "user_id": "manager",
            "action": "member_edit", "target": alice, "reason": "not a card decision"}
    answer = _push(hq, t2, _item("audit", fake),
                   _item("card", revoke | {"audit_id": fake["audit_id"]}, key=f"{alice_card}:revoke"))
    assert [r.code for r in answer.results] == [None, "sync.audit_unknown"]
    # With the manager's audited decision it is accepted: `kupa card revoke` at T2 sends it.
    t2.kupa("card", "revoke", bob_card, "--pin", MANAGER_PIN)
    assert t2.sync().rejected == 0
    # T1 revokes what it issued without any decision; a reissue at T2 (a manager's action) goes through.
    own = _push(hq, t1, _item("card", revoke, key=f"{alice_card}:revoke"))
    assert own.results[0].status == "accepted"
    terminal = t2.open()
    try:
        new = manager_actions.reissue_card(terminal, alice, "card damaged", MANAGER_PIN)
    finally:
        terminal.close()
    assert t2.sync().rejected == 0
    with hq.db.read() as session:
        assert session.get_one(HqCard, bob_card).revoked_at is not None
        assert session.get_one(HqCard, alice_card).revoked_at is not None
        assert session.get_one(HqCard, new.card_number).member_id == alice
        assert {json.loads(a.body)["action"] for a in session.scalars(select(HqAudit))} >= {"card_revoke",
                                                                                           "card_reissue"}


def test_kupa_sync_prints_each_refused_item_with_its_reason(hq: Hq, make_till: Any,
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    till = make_till("T1")
    member = till.kupa("member", "add", "--name", "Dana")["member_id"]
    terminal = till.open()
    with terminal.unit_of_work() as session:  # a corrupted outbox row: a redeem that adds points
        body = _entry(till, member, kind="redeem", points_delta=900)
        session.add(OutboxRow(kind="ledger_entry", ref_id=body["entry_id"], payload=json.dumps(body),
                              created_at=body["created_at"]))
    terminal.close()
    capsys.readouterr()
    assert main(["--data-dir", str(till.path), "sync", "--once"]) == 0
    out = capsys.readouterr().out
    assert f"HQ refused ledger_entry {body['entry_id']}: a redeem entry must have points_delta < 0 (got 900)" in out
    assert "1 rejected" in out
    # The same refusal, in Hebrew, from the same code (the row is refused again as a fresh item).
    terminal = till.open()
    with terminal.unit_of_work() as session:
        again = _entry(till, member, kind="redeem", points_delta=900)
        session.add(OutboxRow(kind="ledger_entry", ref_id=again["entry_id"], payload=json.dumps(again),
                              created_at=again["created_at"]))
    terminal.close()
    monkeypatch.setenv("KUPA_LANG", "he")
    assert main(["--data-dir", str(till.path), "sync", "--once"]) == 0
    out = capsys.readouterr().out
    assert f"המטה דחה ledger_entry {again['entry_id']}: ברשומת redeem השדה points_delta חייב להיות < 0 (התקבל 900)" in out
    summary = till.sync()
    assert summary.refused == [] and summary.pending == 0  # nothing left to push
    terminal = till.open()
    with terminal.read() as session:
        errors = set(session.scalars(select(OutboxRow.error).where(OutboxRow.status == "rejected")))
    terminal.close()
    assert errors == {"a redeem entry must have points_delta < 0 (got 900)"}


def test_hq_answers_4xx_to_nested_bodies_and_describes_its_refusals(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    auth = {"Authorization": f"Bearer {till.token}", "Content-Type": "application/json"}
    nested: dict[str, Any] = {}
    node = nested
    for _ in range(300):
        node["a"] = {}
        node = node["a"]
    sale = _sale(till, "M1010001", 0) | {"lines": [nested]}
    response = requests.post(hq.url + "/v1/push", json={"items": [{"kind": "sale", "key": "k", "body": sale}]},
                             headers=auth, timeout=10)
    assert response.status_code == 422 and "nested deeper" in response.json()["detail"]
    deep = b"[" * 100_000 + b"]" * 100_000
    response = requests.post(hq.url + "/v1/push", data=deep, headers=auth, timeout=10)
    assert response.status_code == 400 and response.json()["error"] == "bad_request"
    document = requests.get(hq.url + "/openapi.json", timeout=10).json()
    push = document["paths"]["/v1/push"]["post"]["responses"]
    assert {"400", "413", "422"} <= set(push)
    entry = document["components"]["schemas"]["WireEntry"]["properties"]["created_at"]
    assert entry["format"] == "date-time"
    with hq.db.read() as session:
        assert session.scalar(select(HqSale)) is None


def test_every_other_rule_refuses_with_its_own_code(hq: Hq, make_till: Any) -> None:
    t1, t2 = make_till("T1"), make_till("T2")
    alice = t1.kupa("member", "add", "--name", "Alice")["member_id"]
    t1.sync()
    with hq.db.read() as session:
        t1_key = session.scalar(select(HqKey.key_id).where(HqKey.owner == "T1"))
    prefix = _prefix(hq, "T2")
    sale = _sale(t2, alice, 1000)
    bad_sale = _sale(t2, alice, 1000) | {"subtotal": 1200}
    cases: list[tuple[str, PushItem]] = [
        ("sync.time_too_old", _item("ledger_entry", _entry(t2, alice, created_at="1999-12-31T23:59:59Z"))),
        ("sync.not_in_program", _item("ledger_entry", _entry(t2, alice, kind="action", points_delta=50,
                                                             ref_code="no-such-action"))),
        ("sync.not_in_program", _item("ledger_entry", _entry(t2, alice, kind="membership", points_delta=0,
                                                             membership_code="plus", membership_days=100))),
        ("sync.sale_unknown", _item("ledger_entry", _entry(t2, alice, kind="earn", points_delta=1,
                                                           spend_delta=100, sale_id=_uuid()))),
        ("sync.sale_mismatch", _item("ledger_entry", _entry(t2, alice, kind="earn", points_delta=1,
                                                            spend_delta=1001, sale_id=sale["sale_id"]))),
        ("sync.sale_totals", _item("sale", bad_sale)),
        ("sync.member_field", _item("member", _member(t2, f"M{prefix}0001", phone="call me maybe"))),
        ("sync.member_field", _item("member", _member(t2, f"M{prefix}0002", email="dana@"))),
        ("sync.member_field", _item("member", _member(t2, f"M{prefix}0003", name="Dana\x07"))),
        ("sync.card_key", _item("card", {"card_number": "PC12121212", "member_id": alice, "serial": 5,
                                         "key_id": t1_key, "issued_at": "2026-03-01T10:00:00Z"})),
    ]
    good = _item("ledger_entry", _entry(t2, alice, kind="earn", points_delta=30, spend_delta=1000,
                                        sale_id=sale["sale_id"]))
    answer = _push(hq, t2, _item("sale", sale), *[bad for _code, bad in cases], good)
    assert [r.code for r in answer.results] == [None] + [code for code, _bad in cases] + [None]
    assert answer.accepted == 2
    with hq.db.read() as session:
        assert session.get(HqEntry, good.key) is not None and session.get(HqSale, bad_sale["sale_id"]) is None
