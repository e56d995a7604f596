"""What `member_state.store.load` and `store.expirable` read from a terminal, on real databases.

- A member pulled from HQ before any entry has no `member_balances` row yet: the state is the empty one
  (no points, no spend, a referral still pending), not an error and not a stray point.
- A program without `points_expiry_days` expires nothing, however old the points (the sale, `expirable` and
  the members report agree).
- The terminal's state from its projections is HQ's state folded from the same entries
  (`figures.state_from_folded`), field by field, so `member show` answers alike on both sides.
- `standing` at the top tier has no next tier; a punch card with no stamps shows 0.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from pos_client.cli.main import main
from pos_client.db.models import LedgerEntry, Member
from pos_client.ledger import EntryDraft, append
from pos_client.member_state import rules, store
from pos_client.member_state.figures import standing, state_from_folded
from pos_client.pricing.model import MemberState
from pos_client.program.schema import Program, load_program_text
from pos_client.reports.export import member_rows
from pos_client.services.checkout import BasketRequest, record_sale
from pos_client.services.members import enrol
from pos_client.services.programs import install_program
from pos_client.services.setup import init_terminal
from pos_client.terminal import Terminal
from sync.apply import apply_page
from sync.protocol import PullPage, WireMember

DATA = Path(__file__).resolve().parents[1] / "data"
#: 12:00 UTC, 15:00 in Jerusalem: far from either midnight.
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
LONG_AGO = NOW - timedelta(days=2000)


def _program(**changes: Any) -> Program:
    document = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))
    document.update(changes)
    return load_program_text(json.dumps({k: v for k, v in document.items() if v is not None}))


FULL = _program()
NO_EXPIRY = _program(points_expiry_days=None)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """Counter T1 with the full example program (365-day window and expiry) since LONG_AGO, and the catalog."""
    root = tmp_path / "store"
    result = init_terminal(root, terminal_id="T1", manager_pin="9999", store_name="Test store")
    with result.terminal.unit_of_work() as session:
        install_program(session, FULL, LONG_AGO)
    result.terminal.close()
    assert main(["--data-dir", str(root), "catalog", "load", str(DATA / "catalog.csv")]) == 0
    opened = Terminal.open(root)
    yield opened
    opened.close()


def _load(terminal: Terminal, member_id: str, program: Program = FULL) -> MemberState:
    with terminal.read() as session:
        member = session.get(Member, member_id)
        assert member is not None
        return store.load(session, member, program, NOW, can_spend=True, terminal_id="T1", expire_at=NOW)


def _expirable(terminal: Terminal, member_id: str, program: Program = FULL) -> int:
    with terminal.read() as session:
        return store.expirable(session, member_id, program, NOW)


def _member(terminal: Terminal, **fields: Any) -> str:
    """A member enrolled LONG_AGO with no program in force: no welcome entry."""
    with terminal.unit_of_work() as session:
        member, _card, _token = enrol(terminal, session, None, LONG_AGO, name="Dana Load", **fields)
        return member.member_id


def _entry(terminal: Terminal, when: datetime, draft: EntryDraft) -> None:
    with terminal.unit_of_work() as session:
        append(session, draft, terminal_id="T1", now=when)


# -- a member with no balance row yet -------------------------------------------------------------------------
def test_a_member_pulled_before_any_entry_has_the_empty_state(terminal: Terminal) -> None:
    referrer = _member(terminal)
    with terminal.unit_of_work() as session:
        apply_page(session, PullPage(cursor=1, has_more=False, members=[WireMember(
            member_id="T2-000007", name="Noa Pulled", birthday="1990-07-20", bonus_weekday=2, referred_by=referrer,
            enrolled_at=NOW - timedelta(days=1), enrolled_by_terminal="T2")]), "T1")
    state = _load(terminal, "T2-000007")
    assert state == MemberState(member_id="T2-000007", points=0, stamps={}, qualifying_spend=0, membership_code=None,
                                membership_expires=None, bonus_weekday=2, birthday=date(1990, 7, 20),
                                last_birthday_year=None, referral_pending=True, redeemed_today=0, can_spend=True,
                                expiring_points=0, last_credit_at=None)
    assert _expirable(terminal, "T2-000007") == 0
    shown = standing(state, FULL, NOW)
    assert (shown["tier"], shown["points"], shown["qualifying_spend"], shown["membership"]) == ("bronze", 0, 0, None)
    assert shown["stamps"] == {"coffee": 0}
    assert shown["next_tier"] == {"code": "silver", "min_spend": 200000, "missing": 200000}


# -- a program without points expiry --------------------------------------------------------------------------
@pytest.mark.parametrize(("program", "expired"), [(NO_EXPIRY, 0), (FULL, 400)])
def test_without_points_expiry_nothing_expires(terminal: Terminal, program: Program, expired: int) -> None:
    """1,000 points 2,000 days old, 600 of them redeemed 1,900 days ago, 100 credited yesterday."""
    member = _member(terminal)
    _entry(terminal, LONG_AGO, EntryDraft(member, "adjust", points_delta=1000, reason="old"))
    _entry(terminal, LONG_AGO + timedelta(days=100), EntryDraft(member, "redeem", points_delta=-600))
    _entry(terminal, NOW - timedelta(days=1), EntryDraft(member, "adjust", points_delta=100, reason="new"))
    state = _load(terminal, member, program)
    assert (state.points, state.expiring_points) == (500 - expired, expired)
    assert _expirable(terminal, member, program) == expired
    with terminal.read() as session:
        listed = {row[0]: row for row in member_rows(session, now=NOW, program=program)}
    assert listed[member][4] == 500 - expired


# -- the terminal answers what HQ folds -----------------------------------------------------------------------
def test_the_terminal_state_is_hqs_state_from_the_same_entries(terminal: Terminal) -> None:
    referrer = _member(terminal)
    member = _member(terminal, birthday=date(1990, 6, 20), bonus_weekday=3, referred_by=referrer)
    _entry(terminal, NOW - timedelta(days=400), EntryDraft(member, "earn", points_delta=800, spend_delta=90000))
    _entry(terminal, NOW - timedelta(days=300), EntryDraft(member, "redeem", points_delta=-500))
    _entry(terminal, NOW - timedelta(days=40), EntryDraft(member, "membership", membership_code="plus",
                                                           membership_days=365))
    _entry(terminal, NOW - timedelta(days=3), EntryDraft(member, "birthday", points_delta=300, ref_code="2026"))
    _entry(terminal, NOW - timedelta(days=2), EntryDraft(member, "membership", points_delta=100,
                                                          membership_code="plus", ref_code="2026-06"))
    _entry(terminal, NOW - timedelta(days=1), EntryDraft(member, "stamp", stamps_delta=4, punch_card="coffee"))
    with terminal.unit_of_work() as session:
        record_sale(session, terminal, BasketRequest(items=(("SHOE", 5),), member_code=member),
                    NOW - timedelta(hours=2))
    _entry(terminal, NOW - timedelta(hours=1), EntryDraft(member, "redeem", points_delta=-40))
    # The sale wrote the expiry then due (800 old − 500 redeemed = 300); 70 more points 380 days old arrive
    # later (as a pull from a counter that was offline brings them): 870 old credits − 840 debits = 30 expire.
    _entry(terminal, NOW - timedelta(days=380), EntryDraft(member, "adjust", points_delta=70, reason="late"))

    state = _load(terminal, member)
    with terminal.read() as session:
        entries = [{c.name: getattr(e, c.name) for c in LedgerEntry.__table__.columns}
                   for e in session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == member))]
    folded = state_from_folded(member, rules.fold(entries), FULL, NOW, birthday=date(1990, 6, 20), bonus_weekday=3,
                               referred_by=referrer)
    # Only the terminal knows its unconfirmed redemptions (the offline cap) and how the member was identified.
    assert (state.redeemed_today, state.can_spend) == (540, True)
    assert replace(state, redeemed_today=0, can_spend=False) == folded
    # ... and the figures are the ones expected, not merely equal: 300 of the 800 old points expire.
    # ... and the figures are the expected ones, not merely equal: the sale paid 202,500 (10% plan discount)
    # and earned 2,025 points with the referee's 100 (the ledger holds 2,555 points before the expiry).
    assert (state.points, state.expiring_points, state.qualifying_spend) == (2555 - 30, 30, 202500)
    assert state.stamps == {"coffee": 4} and not state.referral_pending
    assert (state.membership_code, state.membership_expires) == ("plus", NOW - timedelta(days=40) + timedelta(days=365))
    assert (state.last_birthday_year, state.last_credit_at) == (2026, NOW - timedelta(days=2))
    assert (state.birthday, state.bonus_weekday) == (date(1990, 6, 20), 3)


# -- standing at the boundaries of the top tier ---------------------------------------------------------------
@pytest.mark.parametrize(("spend", "tier", "next_tier"), [
    (499999, "silver", {"code": "gold", "min_spend": 500000, "missing": 1}),
    (500000, "gold", None),
])
def test_the_top_tier_has_no_next_tier(terminal: Terminal, spend: int, tier: str,
                                       next_tier: dict[str, Any] | None) -> None:
    member = _member(terminal)
    _entry(terminal, NOW - timedelta(days=364), EntryDraft(member, "earn", spend_delta=spend))
    shown = standing(_load(terminal, member), FULL, NOW)
    assert (shown["tier"], shown["qualifying_spend"], shown["next_tier"]) == (tier, spend, next_tier)
