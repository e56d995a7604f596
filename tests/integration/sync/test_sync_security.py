"""HQ's guard rails: tokens, terminals pushing only as themselves, UUID reuse, junk and oversized bodies."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import select

from pos_client.db.models import OutboxRow
from pos_client.terminal import put_setting
from sync.errors import SyncAuthError
from sync.hq import admin
from sync.hq.cli import main as hq_main
from sync.protocol import PushItem, PushRequest, PushResponse
from sync.transport import Transport
from sync_harness import FAST_RETRY, Hq, Till


def _entry(terminal_id: str, member_id: str, **changes: Any) -> dict[str, Any]:
    body = {"entry_id": str(uuid.uuid4()), "member_id": member_id, "terminal_id": terminal_id, "seq": 9999,
            "kind": "adjust", "points_delta": 100, "reason": "test", "created_at": "2026-03-01T10:00:00+00:00"}
    return body | changes


def _push(hq: Hq, till: Till, *bodies: dict[str, Any]) -> PushResponse:
    transport = Transport(hq.url, till.token, retry=FAST_RETRY)
    try:
        items = [PushItem(kind="ledger_entry", key=b["entry_id"], body=b) for b in bodies]
        return transport.post("/v1/push", PushRequest(items=items), PushResponse)
    finally:
        transport.close()


def test_wrong_and_revoked_tokens_are_refused(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    terminal = till.open()
    with terminal.unit_of_work() as session:
        put_setting(session, "sync_token", "T1." + "x" * 43)
    terminal.close()
    with pytest.raises(SyncAuthError, match="wrong terminal token"):
        till.sync()
    terminal = till.open()
    with terminal.unit_of_work() as session:
        put_setting(session, "sync_token", till.token)
    terminal.close()
    till.sync()
    assert hq_main(["--db", hq.db_url, "revoke-terminal", "T1"]) == 0
    with pytest.raises(SyncAuthError, match="revoked"):
        till.sync()


def test_a_terminal_pushes_only_its_own_entries(hq: Hq, make_till: Any) -> None:
    t1, t2 = make_till("T1"), make_till("T2")
    member = t1.kupa("member", "add", "--name", "Dana")["member_id"]
    t1.sync()
    answer = _push(hq, t2, _entry("T1", member))
    assert answer.results[0].status == "rejected" and "belongs to terminal T1" in (answer.results[0].reason or "")
    assert admin.member_show(hq.db, member)["points"] == 50


def test_same_uuid_with_another_body_is_rejected_and_reported(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    member = till.kupa("member", "add", "--name", "Dana")["member_id"]
    till.sync()
    body = _entry("T1", member)
    assert _push(hq, till, body).results[0].status == "accepted"
    assert _push(hq, till, body).results[0].status == "duplicate"
    forged = _push(hq, till, body | {"points_delta": 100_000})
    assert forged.results[0].status == "rejected" and "different body" in (forged.results[0].reason or "")
    retried = _push(hq, till, body | {"points_delta": 100_000}, body | {"points_delta": 100_000})  # a retry, twice
    assert [r.status for r in retried.results] == ["rejected", "rejected"]
    assert admin.member_show(hq.db, member)["points"] == 150
    rejected = admin.report(hq.db)["rejected"]
    assert [r["key"] for r in rejected] == [body["entry_id"]]  # one row however often it is retried
    _push(hq, till, body | {"points_delta": 7})  # another forgery of the same id is another incident
    assert len(admin.report(hq.db)["rejected"]) == 2


def test_a_rejected_outbox_row_keeps_hqs_reason_for_the_manager(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    member = till.kupa("member", "add", "--name", "Dana")["member_id"]
    terminal = till.open()
    with terminal.unit_of_work() as session:  # a row that claims another terminal (a corrupted or forged row)
        body = _entry("T9", member)
        session.add(OutboxRow(kind="ledger_entry", ref_id=body["entry_id"], payload=json.dumps(body),
                              created_at=body["created_at"]))
    terminal.close()
    summary = till.sync()
    assert summary.rejected == 1 and summary.pending == 0
    terminal = till.open()
    with terminal.read() as session:
        row = session.scalar(select(OutboxRow).where(OutboxRow.status == "rejected"))
        assert row is not None and "belongs to terminal T9" in (row.error or "")
    terminal.close()


def test_junk_and_oversized_bodies_get_a_clear_4xx(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    auth = {"Authorization": f"Bearer {till.token}", "Content-Type": "application/json"}
    cases = [b"not json at all", b"\xff\xfe\x00garbage", b"[]", b'{"items": "many"}', b'{"items": []}',
             json.dumps({"items": [{"kind": "ledger_entry", "key": "k", "body": {}, "extra": 1}]}).encode(),
             json.dumps({"cursor": -5}).encode()]
    for body in cases:
        for path in ("/v1/push", "/v1/pull", "/v1/hello"):
            response = requests.post(hq.url + path, data=body, headers=auth, timeout=10)
            assert 400 <= response.status_code < 500, (path, body, response.status_code)
            assert response.json()["detail"]
    big = requests.post(hq.url + "/v1/push", data=b"x" * (5 * 1024 * 1024 + 10), headers=auth, timeout=30)
    assert big.status_code == 413 and "smaller batches" in big.json()["detail"]
    item = {"kind": "ledger_entry", "key": "k", "body": {"entry_id": "nope"}}
    answer = requests.post(hq.url + "/v1/push", json={"items": [item]}, headers=auth, timeout=10).json()
    assert answer["results"][0]["status"] == "rejected" and "entry_id" in answer["results"][0]["reason"]
    assert requests.get(hq.url + "/openapi.json", timeout=10).json()["info"]["title"] == "Kupa HQ"


def test_kupa_hq_command_line(hq: Hq, capsys: pytest.CaptureFixture[str]) -> None:
    def run(*args: str) -> dict[str, Any]:
        capsys.readouterr()
        assert hq_main(["--db", hq.db_url, *args, "--json"]) == 0
        return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]

    reg = run("register-terminal", "Front counter")
    assert reg["terminal_id"] == "Front-counter" and reg["token"].startswith("Front-counter.")
    assert hq_main(["--db", hq.db_url, "register-terminal", "Front counter"]) == 1
    assert run("report")["terminals"] == 1
