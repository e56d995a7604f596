"""Issue #12: the coupon and voucher rules the terminal and HQ both apply are defined once, in
`pos_client.promotions.rules`, and both call them: a use on or before its last valid day (`valid_on`), a public
code's per-member limit (`member_limit_reached`) and the points a voucher's issue moves (`issue_points`).

Each rule is first checked as it stands on both sides; then it is replaced by its opposite, and the terminal's
answer (`Holding.usable_on`, `public_limit_left`, `voucher_issue_drafts`) and HQ's (`sync.hq.promos.PromoBook`)
both follow it. A copy of the rule kept on either side would not follow, and the test fails.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pos_client.program.schema import Program, load_program_text
from pos_client.promotions import rules
from pos_client.promotions.holdings import Holding
from pos_client.services import coupons
from sync.hq.promos import PromoBook
from sync.protocol import WireEntry
from tests.integration.coupon_program import SECTIONS

DATA = Path(__file__).resolve().parents[1] / "data"
NOON = datetime(2026, 6, 15, 9, 0, tzinfo=timezone.utc)  # 15 June at the store (Asia/Jerusalem)


@pytest.fixture(scope="module")
def program() -> Program:
    document = json.loads((DATA / "program_full.json").read_text(encoding="utf-8")) | SECTIONS
    return load_program_text(json.dumps(document))


def _entry(kind: str, ref_code: str, promo_ref: str, **fields: Any) -> WireEntry:
    return WireEntry(entry_id=str(uuid.uuid4()), member_id="M10000007", terminal_id="T1", seq=1, kind=kind,
                     ref_code=ref_code, promo_ref=promo_ref, created_at=NOON, program_version=8, **fields)


def _hq(program: Program, *entries: WireEntry) -> list[str | None]:
    """HQ's verdict on each entry in turn (a refusal's code, or None), with nothing stored before."""
    book = PromoBook(lambda *args: [], list(entries))
    return [getattr(book.check(e, program), "code", None) for e in entries]


def _holding(until: date) -> Holding:
    return Holding("V0000000001", "M10000007", "voucher", "per100", 500, "spend", "", until, None)


def test_a_use_on_its_last_valid_day_is_one_rule(program: Program, monkeypatch: pytest.MonkeyPatch) -> None:
    issue = _entry("voucher_issue", "per100", "V0000000001", valid_until="2026-06-15", value=500)
    use = _entry("voucher_use", "per100", "V0000000001", value=500)
    assert _holding(date(2026, 6, 15)).usable_on(date(2026, 6, 15)) and _hq(program, issue, use) == [None, None]
    late = _entry("voucher_issue", "per100", "V0000000002", valid_until="2026-06-14", value=500)
    spent = _entry("voucher_use", "per100", "V0000000002", value=500)
    assert not _holding(date(2026, 6, 14)).usable_on(date(2026, 6, 15))
    assert _hq(program, late, spent)[1] is not None
    monkeypatch.setattr(rules, "valid_on", lambda valid_until, day: False)  # the rule changed, in its one place
    assert not _holding(date(2026, 6, 15)).usable_on(date(2026, 6, 15))
    assert _hq(program, issue, use)[1] is not None


def test_a_public_codes_member_limit_is_one_rule(program: Program, monkeypatch: pytest.MonkeyPatch) -> None:
    save5 = program.coupon("save5")
    assert save5 is not None and save5.per_member_limit == 1
    first, second = (_entry("coupon_use", "save5", "SAVE5") for _ in range(2))
    assert rules.public_limit_left(save5, 0, 0, False) is None and rules.public_limit_left(save5, 1, 0, False)
    assert _hq(program, first, second)[0] is None and _hq(program, first, second)[1] is not None
    monkeypatch.setattr(rules, "member_limit_reached", lambda coupon, uses: False)
    assert rules.public_limit_left(save5, 1, 0, False) is None
    assert _hq(program, first, second) == [None, None]  # the chain limit (2) is HQ's own and not reached


def test_the_points_a_voucher_issue_moves_are_one_rule(program: Program, monkeypatch: pytest.MonkeyPatch) -> None:
    quote = SimpleNamespace(vouchers_issued=(SimpleNamespace(voucher="pts", count=1),))

    def terminal_and_hq() -> tuple[int, str | None]:
        draft = coupons.voucher_issue_drafts(program, "M10000007", quote, NOON)[0]
        entry = _entry("voucher_issue", "pts", draft.promo_ref or "", points_delta=draft.points_delta,
                       value=draft.value)
        return draft.points_delta, _hq(program, entry)[0]

    assert terminal_and_hq() == (-5000, None)
    monkeypatch.setattr(rules, "issue_points", lambda voucher: -1)
    assert terminal_and_hq() == (-1, None)  # both follow the one rule: HQ accepts what the terminal wrote
