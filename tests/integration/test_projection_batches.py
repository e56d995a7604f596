"""The ledger's projections (`pos_client.ledger.project_rows`) for the entries a checkout rarely writes.

A sync page brings other counters' entries in one batch: two sales of one member on one day, each with
spend, points and stamps, are folded together before they reach `member_days` and `member_stamps`, so each
must add to the other, not replace it. A 1-point credit is a credit (it ages and expires like any other),
not a debit. Everything is read back through the member-state module (`store.load`, `store.days`,
`store.expirable`) on a real terminal database.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import text

from pos_client.db.models import Member
from pos_client.ledger import EntryDraft, append
from pos_client.member_state import store
from pos_client.pricing.model import MemberState
from pos_client.program.schema import Program, load_program_text
from pos_client.services.members import enrol
from pos_client.services.programs import install_program
from pos_client.services.setup import init_terminal
from pos_client.terminal import Terminal
from sync.apply import apply_page
from sync.protocol import PullPage, WireEntry, WireMember

DATA = Path(__file__).resolve().parents[1] / "data"
#: 12:00 UTC: far from either midnight, in UTC and in Jerusalem.
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
LONG_AGO = NOW - timedelta(days=2000)
MEMBER = "T2-000042"


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """Counter T1 with the full example program (365-day tier window and expiry) in force since LONG_AGO."""
    result = init_terminal(tmp_path / "store", terminal_id="T1", manager_pin="9999", store_name="Test store")
    with result.terminal.unit_of_work() as session:
        install_program(session, _program(), LONG_AGO)
    yield result.terminal
    result.terminal.close()


def _program() -> Program:
    return load_program_text((DATA / "program_full.json").read_text(encoding="utf-8"))


def _wire(seq: int, when: datetime, **fields: Any) -> WireEntry:
    """An entry counter T2 made for MEMBER, as HQ sends it in a pull."""
    return WireEntry.model_validate({"entry_id": str(uuid.uuid4()), "member_id": MEMBER, "terminal_id": "T2",
                                     "seq": seq, "created_at": when, **fields})


def _pull(terminal: Terminal, entries: list[WireEntry], *, member: bool = True) -> None:
    """Apply one pulled page (HQ's member record, when asked, and `entries`) in one unit of work."""
    members = [WireMember(member_id=MEMBER, name="Dana Pulled", enrolled_at=LONG_AGO,
                          enrolled_by_terminal="T2")] if member else []
    with terminal.unit_of_work() as session:
        apply_page(session, PullPage(cursor=1, has_more=False, members=members, entries=entries), "T1")


def _state(terminal: Terminal, member_id: str = MEMBER) -> MemberState:
    with terminal.read() as session:
        member = session.get(Member, member_id)
        assert member is not None
        return store.load(session, member, _program(), NOW, can_spend=True, terminal_id="T1", expire_at=NOW)


def _days(terminal: Terminal) -> list[tuple[date, int, int]]:
    with terminal.read() as session:
        return store.days(session, MEMBER)


def test_two_sales_of_one_member_on_one_day_in_one_pulled_page_add_up(terminal: Terminal) -> None:
    """Two sales at T2 on one day, pulled in one page: spend, credits and stamps of both count."""
    day = NOW - timedelta(days=10)
    _pull(terminal, [
        _wire(1, day, kind="earn", points_delta=300, spend_delta=30000, stamps_delta=3, punch_card="coffee"),
        _wire(2, day + timedelta(hours=2), kind="earn", points_delta=200, spend_delta=20000, stamps_delta=4,
              punch_card="coffee"),
    ])
    assert _days(terminal) == [(day.date(), 50000, 500)]
    state = _state(terminal)
    assert (state.points, state.qualifying_spend, dict(state.stamps)) == (500, 50000, {"coffee": 7})


def test_credits_of_one_pulled_page_stay_recent_together(terminal: Terminal) -> None:
    """1,000 points 400 days old expire; the 500 of two pulled sales 10 days ago, one day, are all recent."""
    _pull(terminal, [_wire(1, NOW - timedelta(days=400), kind="adjust", points_delta=1000)])
    day = NOW - timedelta(days=10)
    _pull(terminal, [_wire(2, day, kind="earn", points_delta=300, spend_delta=30000),
                     _wire(3, day + timedelta(hours=1), kind="earn", points_delta=200, spend_delta=20000)],
          member=False)
    assert _days(terminal) == [((NOW - timedelta(days=400)).date(), 0, 1000), (day.date(), 50000, 500)]
    state = _state(terminal)
    assert (state.points, state.expiring_points) == (500, 1000)
    with terminal.read() as session:
        assert store.expirable(session, MEMBER, _program(), NOW) == 1000


def test_a_refund_and_a_sale_of_one_day_in_one_page_net_out(terminal: Terminal) -> None:
    """A sale, and in the same page its refund and another sale on one day: the day holds what is left."""
    day = NOW - timedelta(days=5)
    sale = _wire(1, day, kind="earn", points_delta=300, spend_delta=30000)
    _pull(terminal, [sale,
                     _wire(2, day + timedelta(hours=1), kind="reverse", points_delta=-300, spend_delta=-30000,
                           reverses=sale.entry_id),
                     _wire(3, day + timedelta(hours=2), kind="earn", points_delta=100, spend_delta=10000)])
    assert _days(terminal) == [(day.date(), 10000, 400)]  # credits are what was credited; the debit is apart
    state = _state(terminal)
    assert (state.points, state.qualifying_spend) == (100, 10000)


@pytest.mark.parametrize(("days_old", "expired"), [(365, 0), (366, 1)])
def test_a_one_point_credit_is_a_credit_and_expires_like_any(terminal: Terminal, days_old: int,
                                                            expired: int) -> None:
    """A +1 adjustment is counted as a credit of 1 (not a debit): exactly 365 days old it still counts,
    one day older it expires."""
    with terminal.unit_of_work() as session:
        member, _card, _token = enrol(terminal, session, None, LONG_AGO, name="Dana One")
        append(session, EntryDraft(member.member_id, "adjust", points_delta=1, reason="one point"),
               terminal_id="T1", now=NOW - timedelta(days=days_old))
        member_id = member.member_id
    state = _state(terminal, member_id)
    assert (state.points, state.expiring_points) == (1 - expired, expired)
    with terminal.read() as session:
        assert store.expirable(session, member_id, _program(), NOW) == expired
        assert store.days(session, member_id) == [((NOW - timedelta(days=days_old)).date(), 0, 1)]



def test_two_sales_in_one_page_count_as_two_and_a_numeric_code_is_no_birthday(terminal: Terminal) -> None:
    """The balance row counts every sale of the page (the referral bonus waits for the first one), and only a
    `birthday` entry's year marks the birthday as given: an action whose code is digits does not."""
    day = NOW - timedelta(days=3)
    _pull(terminal, [_wire(1, day, kind="earn", points_delta=10, spend_delta=1000, sale_id=str(uuid.uuid4())),
                     _wire(2, day + timedelta(hours=1), kind="earn", points_delta=20, spend_delta=2000,
                           sale_id=str(uuid.uuid4())),
                     _wire(3, day + timedelta(hours=2), kind="action", points_delta=5, ref_code="2026")])
    with terminal.read() as session:
        sales = session.execute(text("select sales_count from member_balances where member_id = :m"),
                                {"m": MEMBER}).scalar_one()
    assert sales == 2
    assert _state(terminal).last_birthday_year is None


def test_a_balance_read_in_the_same_unit_of_work_sees_the_new_entry(terminal: Terminal) -> None:
    """The projection is written with SQL beside the ORM: a balance the session already holds is refreshed, so
    a service that reads it after appending (in one transaction) never acts on the old figure."""
    from pos_client.db.models import MemberBalance

    with terminal.unit_of_work() as session:
        member, _card, _token = enrol(terminal, session, None, NOW, name="Dana Same")
        before = session.get(MemberBalance, member.member_id)
        assert before is not None
        held = before.points
        append(session, EntryDraft(member.member_id, "adjust", points_delta=7, reason="test"), terminal_id="T1",
               now=NOW)
        after = session.get(MemberBalance, member.member_id)
        assert after is not None and after.points == held + 7
