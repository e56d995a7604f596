"""Hostile clients at HQ: every endpoint fuzzed from HQ's own OpenAPI document with schemathesis, wrong
tokens slowed down, and a terminal token that cannot push as another terminal.

Positive (schema-valid) and negative (schema-breaking) cases are both sent. The fuzz serves a real HQ (uvicorn on 127.0.0.1) and sends schemathesis' generated requests with a valid
token, with its own generated (wrong) credentials and with none: never a 5xx, and a refused request (4xx)
writes nothing (the row count of every HQ table is unchanged), and every status answered is one the OpenAPI
document describes for that operation (400, 413, 422... included). The fuzzed app's token throttle is opened
wide, or the wrong-token cases would soon get nothing but 429s; the throttle has its own test.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from rel_harness import Hq, Template, copy_template, start_hq, stop_hq
from sync.hq.app import create_app
from sync.hq.db import Database, migrate
from sync.hq.throttle import AuthThrottle
from sync.protocol import PushItem, PushRequest, PushResponse
from sync.transport import Transport
from sync_harness import _free_port

EXAMPLES = 40  # bounded: the whole fuzz stays under about a minute on a 2-core machine
CALLS: Counter[str] = Counter()


def _counts(hq_file: Path) -> dict[str, int]:
    """Rows per table, but the token throttle's: counting a wrong token is what refusing it does."""
    conn = sqlite3.connect(hq_file, timeout=30)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
                 if n != "hq_auth_failures"]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


@pytest.fixture
def open_hq(template: Template, tmp_path: Path) -> Iterator[tuple[Hq, Path]]:
    _store, hq_file = copy_template(template, tmp_path)
    server = Hq(f"sqlite:///{hq_file}", _free_port())
    server.app = create_app(server.db_url, auth_throttle=AuthThrottle(free=10**9))
    server.start()
    try:
        yield server, hq_file
    finally:
        stop_hq(server)


def test_every_hq_endpoint_survives_schemathesis(open_hq: tuple[Hq, Path]) -> None:
    hq, hq_file = open_hq
    _tid, token = hq.register("FUZZ")
    schema = schemathesis.openapi.from_dict(requests.get(hq.url + "/openapi.json", timeout=10).json())
    session = requests.Session()
    auths: list[dict[str, str] | None] = [{"Authorization": f"Bearer {token}"}, None,
                                          {"Authorization": f"Bearer FUZZ.{'x' * 43}"}]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/hello", "/v1/push", "/v1/pull", "/v1/status", "/v1/health"}
    plans = [(mode, n, headers) for mode in schemathesis.GenerationMode for n, headers in enumerate(auths)]
    for operation in operations:
        for mode, n, headers in plans:
            if mode is schemathesis.GenerationMode.NEGATIVE and operation.path in ("/v1/health", "/v1/status",
                                                                                   "/healthz", "/readyz"):
                continue  # nothing to break: no body, no parameters
            @settings(max_examples=EXAMPLES if n == 0 else EXAMPLES // 4, deadline=None, derandomize=True,
                      database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(mode))
            def fuzz(case: Any) -> None:
                before = _counts(hq_file)
                response = case.call(base_url=hq.url, session=session, headers=headers)
                CALLS[f"{response.status_code // 100}xx"] += 1
                assert response.status_code < 500, (case.path, response.status_code, response.text[:300])
                assert str(response.status_code) in operation.definition.raw["responses"], \
                    (case.path, response.status_code, "not described in the OpenAPI document")
                if 400 <= response.status_code < 500:
                    assert _counts(hq_file) == before, (case.path, response.status_code)
                    assert response.json()["detail"]

            fuzz()
    session.close()
    assert sum(CALLS.values()) >= 5 * EXAMPLES and CALLS["2xx"] and CALLS["4xx"] and not CALLS["5xx"]
    print("SCHEMATHESIS", dict(CALLS))


def test_repeated_wrong_tokens_are_slowed_down_at_hq(template: Template, tmp_path: Path) -> None:
    _store, hq_file = copy_template(template, tmp_path)
    hq = start_hq(hq_file)  # the default throttle: 5 wrong tokens, then 429 for 1 s, 2 s, 4 s…
    try:
        _tid, token = hq.register("T7")
        wrong = {"Authorization": f"Bearer T7.{'y' * 43}"}
        statuses = [requests.post(hq.url + "/v1/hello", json={}, headers=wrong, timeout=10).status_code
                    for _ in range(7)]
        assert statuses == [401] * 5 + [429] * 2
        blocked = requests.post(hq.url + "/v1/hello", json={}, headers={"Authorization": f"Bearer {token}"},
                                timeout=10)
        assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
        assert "too many wrong terminal tokens" in blocked.json()["detail"]
    finally:
        stop_hq(hq)


def test_the_throttle_waits_longer_each_time_and_forgets_after_success(tmp_path: Path) -> None:
    now = [1_000_000.0]
    db = Database(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    migrate(db.engine)
    throttle = AuthThrottle(db, free=3, first_wait=1.0, max_wait=8.0, clock=lambda: now[0])
    waits = []
    for _ in range(8):
        throttle.failure("10.0.0.9")
        waits.append(throttle.retry_after("10.0.0.9"))
    assert waits == [0, 0, 1, 2, 4, 8, 8, 8]
    assert throttle.retry_after("10.0.0.8") == 0  # another address is not affected
    now[0] += 8
    assert throttle.retry_after("10.0.0.9") == 0
    throttle.success("10.0.0.9")
    throttle.failure("10.0.0.9")
    assert throttle.retry_after("10.0.0.9") == 0
    # the state is HQ's, not the object's: a second throttle on the same database (another HQ process) sees it
    for _ in range(3):
        throttle.failure("10.0.0.7")
    assert AuthThrottle(db, free=3, first_wait=1.0, max_wait=8.0, clock=lambda: now[0]).retry_after("10.0.0.7") == 1
    # a quiet address starts afresh, and its old row is swept when another address fails
    now[0] += 17
    throttle.failure("10.0.0.6")
    assert throttle.check("10.0.0.7") == (0.0, False)
    db.close()


def test_a_terminal_token_cannot_push_as_another_terminal(template: Template, tmp_path: Path) -> None:
    """T1's sale, entry, enrolment and card claimed by T2's token: each rejected, nothing applied."""
    _store, hq_file = copy_template(template, tmp_path)
    hq = start_hq(hq_file)
    try:
        _tid, token = hq.register("T2")
        member = template.members[0]
        now = "2026-03-01T10:00:00+00:00"
        items = [
            PushItem(kind="ledger_entry", key=(e := str(uuid.uuid4())), body={
                "entry_id": e, "member_id": member, "terminal_id": "T1", "seq": 99, "kind": "adjust",
                "points_delta": 10**6, "created_at": now}),
            PushItem(kind="sale", key=(s := str(uuid.uuid4())), body={
                "sale_id": s, "kind": "sale", "terminal_id": "T1", "created_at": now, "total": 1}),
            PushItem(kind="member", key=member, body={
                "member_id": member, "name": "Hijacked", "enrolled_at": now, "enrolled_by_terminal": "T1"}),
            PushItem(kind="member", key="M1019999", body={
                "member_id": "M1019999", "name": "Squatter", "enrolled_at": now, "enrolled_by_terminal": "T1"}),
        ]
        before = _counts(hq_file)
        transport = Transport(hq.url, token)
        try:
            answer = transport.post("/v1/push", PushRequest(items=items), PushResponse)
        finally:
            transport.close()
        assert [r.status for r in answer.results] == ["rejected"] * 4
        after = _counts(hq_file)
        assert after.pop("hq_rejections") == before.pop("hq_rejections") + 4  # kept for `kupa-hq report`
        assert after == before
    finally:
        stop_hq(hq)


def test_regression_a_huge_pull_cursor_is_a_422_not_a_500(open_hq: tuple[Hq, Path]) -> None:
    """schemathesis found it: a cursor past 2**63 - 1 reached the database and HQ answered 500."""
    hq, _hq_file = open_hq
    _tid, token = hq.register("BIG")
    auth = {"Authorization": f"Bearer {token}"}
    too_big = requests.post(hq.url + "/v1/pull", json={"cursor": 2**63}, headers=auth, timeout=10)
    assert too_big.status_code == 422 and "cursor" in too_big.json()["detail"]
    largest = requests.post(hq.url + "/v1/pull", json={"cursor": 2**63 - 1}, headers=auth, timeout=10)
    assert largest.status_code == 200 and largest.json()["has_more"] is False
