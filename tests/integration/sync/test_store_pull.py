"""A pull shaped by what a terminal needs (docs/sync.md, "The pull"), walk-ins, and a chain past 899 terminals.

A terminal pulls the members of its own store — their profiles, cards and HQ-confirmed snapshots — plus the
programs, catalog and keys; never another terminal's raw entries, never another store's members unless one
walked in. A walk-in is fetched from HQ when it answers and taken in earn-only when it does not. The figures a
terminal shows after applying a snapshot are HQ's fold plus its own unconfirmed entries.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pos_client.db.models import LedgerEntry, Member
from pos_client.ids import MAX_PREFIX
from sync.hq import admin, auth
from sync.hq.models import HqMemberStore, HqTerminal
from sync.protocol import PullPage, PullRequest
from sync.transport import Transport

from sync_harness import FAST_RETRY, Hq, Till

KEYS = ("tier", "points", "stamps", "qualifying_spend", "membership", "next_tier")


def _standing(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in KEYS}


def _pull_all(hq: Hq, till: Till, cursor: int = 0) -> list[PullPage]:
    """Every page HQ has for `till` after `cursor`, as the wire carries them."""
    transport = Transport(hq.url, till.token, retry=FAST_RETRY)
    pages = []
    try:
        while True:
            page = transport.post("/v1/pull", PullRequest(cursor=cursor, page_size=50), PullPage)
            pages.append(page)
            cursor = page.cursor
            if not page.has_more:
                return pages
    finally:
        transport.close()


def _named(pages: list[PullPage]) -> set[str]:
    """Every member id a pull carries anywhere: rows, cards, snapshots, balances, entries."""
    return {m.member_id for p in pages for m in p.members} | {c.member_id for p in pages for c in p.cards} | \
        {s.member_id for p in pages for s in p.snapshots} | {b.member_id for p in pages for b in p.balances} | \
        {e.member_id for p in pages for e in p.entries}


def _local(till: Till, column: Any) -> set[Any]:
    terminal = till.open()
    try:
        with terminal.read() as session:
            return set(session.scalars(select(column)))
    finally:
        terminal.close()


def test_a_store_pulls_its_own_members_and_no_other_stores(hq: Hq, make_till: Any) -> None:
    a1, b1, b2 = make_till("A1", store="A"), make_till("B1", store="B"), make_till("B2", store="B")
    bea = b1.kupa("member", "add", "--name", "Bea")
    b1.kupa("checkout", "--member", bea["member_id"], "--item", "SHOE")
    other_b = b2.kupa("member", "add", "--name", "Ben")["member_id"]
    ada = a1.kupa("member", "add", "--name", "Ada")["member_id"]
    a1.kupa("checkout", "--member", ada, "--item", "COFFEE-S")
    for till in (b1, b2, a1, b1, b2):
        assert till.sync().rejected == 0
    # B2 knows B1's member with HQ's figures: the store's terminals share their members
    assert b2.kupa("member", "show", bea["member_id"])["points"] == admin.member_show(hq.db, bea["member_id"])["points"]
    pages = _pull_all(hq, a1)
    assert _named(pages) == {ada}  # only A's member, as a row, cards and a snapshot
    assert all(not p.entries and not p.balances for p in pages)  # never raw entries
    assert {s.member_id for p in pages for s in p.snapshots} == {ada}
    assert sum(len(p.programs) for p in pages) == 1 and sum(len(p.products) for p in pages) > 0
    assert _named(_pull_all(hq, b1)) == {bea["member_id"], other_b}
    assert _local(a1, Member.member_id) == {ada}
    assert _local(a1, LedgerEntry.terminal_id) == {"A1"}  # nothing of another terminal in A1's ledger
    assert _local(b2, LedgerEntry.terminal_id) == {"B2"}  # not even of its own store's other terminal

    # Bea walks into store A: fetched from HQ, linked to A; her later changes reach A's pull, Ben's never.
    taken = a1.kupa("walk-in", bea["card_token"])
    assert taken == {"member_id": bea["member_id"], "how": "fetched",
                     "points": admin.member_show(hq.db, bea["member_id"])["points"]}
    with hq.db.read() as session:
        assert set(session.scalars(select(HqMemberStore.store_id)
                                   .where(HqMemberStore.member_id == bea["member_id"]))) == {"A", "B"}
    shown = a1.kupa("member", "show", bea["card_token"])
    assert shown["can_spend"] is True and shown["name"] == "Bea"
    cursor = max(p.cursor for p in pages)
    b1.kupa("checkout", "--member", bea["member_id"], "--item", "COFFEE-L")
    b2.kupa("checkout", "--member", other_b, "--item", "COFFEE-L")
    b1.sync()
    b2.sync()
    assert _named(_pull_all(hq, a1, cursor)) == {bea["member_id"]}
    a1.sync()
    assert _standing(a1.kupa("member", "show", bea["member_id"])) == _standing(
        admin.member_show(hq.db, bea["member_id"])) == _standing(b1.kupa("member", "show", bea["member_id"]))


def test_a_walk_in_while_hq_is_away_earns_only_until_hq_confirms_them(hq: Hq, make_till: Any) -> None:
    a1, b1 = make_till("A1", store="A"), make_till("B1", store="B")
    bea = b1.kupa("member", "add", "--name", "Bea")
    b1.kupa("checkout", "--member", bea["member_id"], "--item", "SHOE")
    b1.sync()
    a1.sync()
    hq.stop()
    taken = a1.kupa("walk-in", bea["card_token"])
    assert taken == {"member_id": bea["member_id"], "how": "earn_only", "points": None}
    shown = a1.kupa("member", "show", bea["card_token"])
    assert shown["can_spend"] is False and shown["points"] == 0  # nothing confirmed here yet
    err = a1.kupa_fails("checkout", "--member", bea["card_token"], "--item", "COFFEE-S", "--redeem", "10")
    assert "Traceback" not in err
    sale = a1.kupa("checkout", "--member", bea["card_token"], "--item", "COFFEE-L")
    assert sale["points_earned"] > 0
    hq.start()
    summary = a1.sync()
    assert summary.rejected == 0 and summary.pending == 0 and summary.disagreements == []
    at_hq = admin.member_show(hq.db, bea["member_id"])
    shown = a1.kupa("member", "show", bea["card_token"])
    assert shown["name"] == "Bea" and shown["can_spend"] is True  # HQ's member replaced the walk-in record
    assert _standing(shown) == _standing(at_hq) and at_hq["points"] == 50 + 450 + sale["points_earned"]
    b1.sync()
    assert _standing(b1.kupa("member", "show", bea["member_id"])) == _standing(at_hq)


def test_snapshot_plus_unconfirmed_entries_equals_hq_after_the_push(hq: Hq, make_till: Any) -> None:
    """The terminal shows HQ's fold plus its own unsent entries: tier, points and stamps agree with HQ once
    they arrive, where the rules bite (tier spend from the other store, stamps on both sides, a plan)."""
    a1, b1 = make_till("A1", store="A"), make_till("B1", store="B")
    noa = b1.kupa("member", "add", "--name", "Noa")
    b1.kupa("checkout", "--member", noa["member_id"], "--item", "SHOE:6", "--item", "COFFEE-L:2")
    b1.kupa("checkout", "--member", noa["member_id"], "--item", "MEMBER-PLUS-Y")
    b1.sync()
    assert a1.kupa("walk-in", noa["member_id"])["how"] == "fetched"
    before = admin.member_show(hq.db, noa["member_id"])
    assert _standing(a1.kupa("member", "show", noa["member_id"])) == _standing(before)
    hq.stop()  # A sells while HQ is away: its figures are HQ's plus the unsent sale
    sale = a1.kupa("checkout", "--member", noa["member_id"], "--item", "COFFEE-L", "--item", "SHOE")
    here = a1.kupa("member", "show", noa["member_id"])
    assert here["points"] == sale["points_balance_after"] > before["points"]
    assert here["stamps"]["coffee"] == before["stamps"]["coffee"] + 1
    assert here["qualifying_spend"] == before["qualifying_spend"] + sale["qualifying_spend"]
    hq.start()
    a1.sync()
    b1.sync()
    at_hq = admin.member_show(hq.db, noa["member_id"])
    assert _standing(a1.kupa("member", "show", noa["member_id"])) == _standing(at_hq) == _standing(here)
    assert _standing(b1.kupa("member", "show", noa["member_id"])) == _standing(at_hq)
    assert at_hq["tier"] is not None and at_hq["membership"] is not None


def test_more_than_a_thousand_terminals_register_and_the_last_one_enrols(hq: Hq, make_till: Any) -> None:
    with hq.db.write() as session:
        regs = [auth.register(session, f"T{n}", "2026-01-01T00:00:00+00:00", f"S{n // 4}") for n in range(1, 1002)]
    prefixes = [r.member_prefix for r in regs]
    assert len(set(prefixes)) == 1001 and prefixes[0] == "101" and prefixes[898:901] == ["999", "1000", "1001"]
    assert prefixes[-1] == "1101"
    last = make_till("T1002", store="S250")
    added = last.kupa("member", "add", "--name", "Zoe")
    assert added["member_id"].startswith("M001102")  # the prefix after 1101, in the new form
    summary = last.sync()
    assert summary.rejected == 0
    assert admin.member_show(hq.db, added["member_id"])["name"] == "Zoe"
    with hq.db.write() as session:  # the prefixes do end: past 99,999 registration is refused, by code
        session.get_one(HqTerminal, "T1").member_prefix = str(MAX_PREFIX)
    with hq.db.write() as session, pytest.raises(auth.RegistrationError, match="member-id prefixes are in use"):
        auth.register(session, "one-too-many", "2026-01-01T00:00:00+00:00")
    with hq.db.read() as session:
        assert session.scalar(select(func.count()).select_from(HqTerminal)) == 1002


def test_a_mistyped_member_id_or_card_number_is_refused_by_its_check_digit(hq: Hq, make_till: Any) -> None:
    till = make_till("T1")
    added = till.kupa("member", "add", "--name", "Dana")
    member = added["member_id"]
    card = added["card_number"]
    swapped = member[:-3] + member[-2] + member[-3] + member[-1]
    wrong = member[:-1] + str((int(member[-1]) + 1) % 10)
    for typo in {swapped, wrong} - {member}:
        err = till.kupa_fails("member", "show", typo)
        assert "check digit" in err and "Traceback" not in err
    err = till.kupa_fails("member", "show", card[:-1] + str((int(card[-1]) + 1) % 10))
    assert "check digit" in err
    assert till.kupa("member", "show", card)["member_id"] == member
    assert till.kupa("member", "show", member)["member_id"] == member
