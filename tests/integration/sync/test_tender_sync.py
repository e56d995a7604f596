"""Tenders travel to HQ in the sale's body and HQ checks that they add up (issue 15, item 3).

A real HQ on 127.0.0.1 (SQLite, and PostgreSQL when `KUPA_TEST_POSTGRES_URL` is set) and a real terminal:
a split sale and its refund are pushed by `kupa sync` and stored with their tenders; bodies whose tenders do
not add up are refused with `sync.sale_tenders`, and a body without tenders (an older terminal) is accepted.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sync.hq.models import HqSale
from sync.protocol import PushItem, PushRequest, PushResponse
from sync.transport import Transport
from sync_harness import FAST_RETRY, MANAGER_PIN, Hq


def _sale(terminal_id: str, total: int, tenders: list[dict[str, Any]] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sale_id": str(uuid.uuid4()), "kind": "sale", "terminal_id": terminal_id, "program_version": 7,
        "created_at": "2026-03-01T10:00:00+00:00", "currency": "ILS", "subtotal": total, "total": total,
        "points_earned": 0, "qualifying_spend": 0, "lines": []}
    if tenders is not None:
        body["tenders"] = tenders
    return body


def _cash(amount: int, given: int, change: int) -> dict[str, Any]:
    return {"kind": "cash", "amount": amount, "given": given, "change": change, "reference": None}


def _card(amount: int, change: int = 0) -> dict[str, Any]:
    return {"kind": "card", "amount": amount, "given": amount + change, "change": change, "reference": "R1"}


def test_a_split_sale_and_its_refund_reach_hq_with_their_tenders(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    till.kupa("shift", "open", "--float", "1000", "--pin", MANAGER_PIN)
    sale = till.kupa("checkout", "--item", "COFFEE-S:2", "--item", "CIG", "--pay", "card:3000:AUTH2",
                     "--pay", "cash:2500")
    refund = till.kupa("refund", sale["sale_id"], "--item", "CIG", "--pin", MANAGER_PIN)
    result = till.sync()
    assert not result.rejected
    with hq.db.read() as session:
        stored = json.loads(session.get_one(HqSale, sale["sale_id"]).body)
        back = json.loads(session.get_one(HqSale, refund["refund_id"]).body)
    assert stored["tenders"] == [
        {"kind": "card", "amount": 3000, "given": 3000, "change": 0, "reference": "AUTH2"},
        {"kind": "cash", "amount": 2300, "given": 2500, "change": 200, "reference": None}]
    assert back["tenders"] == [{"kind": "card", "amount": 3000, "given": 3000, "change": 0, "reference": "AUTH2"},
                               {"kind": "cash", "amount": 500, "given": 500, "change": 0, "reference": None}]


def test_hq_refuses_tenders_that_do_not_add_up(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    cases = [
        (None, _sale(till.terminal_id, 1000, None)),  # an older terminal: no tenders at all
        (None, _sale(till.terminal_id, 1000, [_card(400), _cash(600, 1000, 400)])),
        (None, _sale(till.terminal_id, 0, [])),
        ("sync.sale_tenders", _sale(till.terminal_id, 1000, [_card(400), _cash(599, 1000, 401)])),
        ("sync.sale_tenders", _sale(till.terminal_id, 1000, [_cash(1001, 1001, 0)])),
        ("sync.sale_tenders", _sale(till.terminal_id, 1000, [_card(1000, change=1)])),
        ("sync.sale_tenders", _sale(till.terminal_id, 1000, [_cash(1000, 1000, 1)])),
        ("sync.sale_tenders", _sale(till.terminal_id, 1000, [_card(1000), _cash(0, 0, 0)])),
        ("sync.sale_tenders", _sale(till.terminal_id, 1000, [])),
    ]
    transport = Transport(hq.url, till.token, retry=FAST_RETRY)
    try:
        answer = transport.post("/v1/push", PushRequest(items=[
            PushItem(kind="sale", key=body["sale_id"], body=body) for _code, body in cases]), PushResponse)
    finally:
        transport.close()
    assert [r.code for r in answer.results] == [code for code, _body in cases]
    with hq.db.read() as session:
        assert [session.get(HqSale, body["sale_id"]) is not None for _c, body in cases] == [
            code is None for code, _body in cases]
