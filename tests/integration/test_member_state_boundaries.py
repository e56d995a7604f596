"""The member-state rules pinned at their boundaries, through the public services and the `kupa` CLI.

Each test sits on the exact day a rule changes its answer and on the day before, so moving a rule by one
day (a mutant of `pos_client.member_state`) turns it red: the tier window, the expiry cut-off, a plan renewal,
the birthday month in the store's zone, a refund after the window, FIFO expiry with debits. The clock is
pinned (`clock`): every `utcnow()` of the core answers NOW, and history is written at earlier moments with
the same services a sale uses (`checkout.record_sale`, `ledger.append`).
"""

from __future__ import annotations

import csv
import importlib
import json
import pkgutil
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from sqlalchemy import select

from pos_client import timeutil
from pos_client.cli.main import main
from pos_client.db.models import LedgerEntry
from pos_client.ledger import EntryDraft, append
from pos_client.program.schema import load_program_text
from pos_client.services import manager, till
from pos_client.services.checkout import BasketRequest, record_sale
from pos_client.services.members import enrol
from pos_client.services.programs import install_program
from pos_client.services.setup import init_terminal
from pos_client.terminal import Terminal

DATA = Path(__file__).resolve().parents[1] / "data"
PIN = "9999"
#: 12:00 UTC, 15:00 in Jerusalem: far from either midnight.
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
LONG_AGO = NOW - timedelta(days=2000)
SILVER = 200000


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Pin every `utcnow()` the core imported to a settable moment (NOW to start with)."""
    moment = [NOW]

    def fake() -> datetime:
        return moment[0]

    import pos_client
    for info in pkgutil.walk_packages(pos_client.__path__, "pos_client."):  # every module that may ask the time
        if not any(part in info.name for part in (".migrations", ".scanning", "__main__")):
            importlib.import_module(info.name)
    real = timeutil.utcnow
    for name, module in list(sys.modules.items()):
        if (name.startswith(("pos_client", "sync")) and module is not None
                and getattr(module, "utcnow", None) is real):
            monkeypatch.setattr(module, "utcnow", fake)

    def set_to(when: datetime) -> None:
        moment[0] = when
    return set_to


@pytest.fixture
def shop(tmp_path: Path, clock: Callable[[datetime], None]) -> Iterator[Path]:
    """A terminal whose program (the full example, with a monthly plan credit of 100) is in force since
    LONG_AGO, with the example catalog."""
    root = tmp_path / "store"
    result = init_terminal(root, terminal_id="T1", manager_pin=PIN, store_name="Test store")
    document = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))
    document["memberships"][0]["monthly_credit_points"] = 100
    with result.terminal.unit_of_work() as session:
        install_program(session, load_program_text(json.dumps(document)), LONG_AGO)
    result.terminal.close()
    assert main(["--data-dir", str(root), "catalog", "load", str(DATA / "catalog.csv")]) == 0
    yield root


def kupa(shop: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    code = main(["--data-dir", str(shop), *args, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)  # type: ignore[no-any-return]


def member_at(shop: Path, when: datetime, birthday: date | None = None) -> str:
    terminal = Terminal.open(shop)
    try:
        with terminal.unit_of_work() as session:
            member, _card, _token = enrol(terminal, session, None, when, name="Dana Boundary", birthday=birthday)
            return member.member_id
    finally:
        terminal.close()


def sale_at(shop: Path, when: datetime, member: str | None, *items: tuple[str, int]) -> dict[str, Any]:
    """A sale recorded at `when` by the checkout's own code; returns its id and quote."""
    terminal = Terminal.open(shop)
    try:
        with terminal.unit_of_work() as session:
            done = record_sale(session, terminal, BasketRequest(items=tuple(items), member_code=member), when)
            return {"sale_id": done.sale_id, **done.quote.to_json()}
    finally:
        terminal.close()


def entry_at(shop: Path, when: datetime, draft: EntryDraft) -> None:
    terminal = Terminal.open(shop)
    try:
        with terminal.unit_of_work() as session:
            append(session, draft, terminal_id="T1", now=when)
    finally:
        terminal.close()


def report_row(shop: Path, capsys: pytest.CaptureFixture[str], member: str, tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "members.csv"
    kupa(shop, capsys, "report", "members", "--csv", str(out))
    with out.open(encoding="utf-8-sig") as f:
        return next(row for row in csv.DictReader(f) if row["member_id"] == member)


# -- tier window ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("days_old", "tier", "spend"), [(365, "bronze", 0), (364, "silver", SILVER)])
def test_spend_leaves_the_tier_window_on_the_day_it_is_window_days_old(
        shop: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, days_old: int, tier: str, spend: int) -> None:
    member = member_at(shop, LONG_AGO)
    entry_at(shop, NOW - timedelta(days=days_old), EntryDraft(member, "earn", points_delta=0, spend_delta=SILVER))
    shown = kupa(shop, capsys, "member", "show", member)
    assert (shown["tier"], shown["qualifying_spend"]) == (tier, spend)
    quote = kupa(shop, capsys, "quote", "--member", member, "--item", "CROISSANT")
    assert quote["tier"] == tier  # the sale is priced with the same tier
    assert quote["discount_total"] == (60 if tier == "silver" else 0)  # silver: 5% of 1,200
    explained = manager.member_overview(Terminal.open(shop), member).tier
    assert (explained.tier, explained.qualifying_spend) == (tier, spend)
    row = report_row(shop, capsys, member, tmp_path)
    assert (row["tier"], int(row["qualifying_spend"])) == (tier, spend)


def test_the_window_counts_its_last_day_through_a_real_sale(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A checkout 364 days ago counts today; the manager's "holds until" is today, and tomorrow it is out."""
    member = member_at(shop, LONG_AGO)
    sale_at(shop, NOW - timedelta(days=500), member, ("SHOE", 1))  # long out of the window
    sale_at(shop, NOW - timedelta(days=364), member, ("SHOE", 5))  # 225,000: silver
    assert kupa(shop, capsys, "member", "show", member)["tier"] == "silver"
    explained = manager.member_overview(Terminal.open(shop), member).tier
    assert explained.holds_until == NOW.date() and explained.next_drop_on == NOW.date() + timedelta(days=1)
    assert (explained.qualifying_spend, explained.next_drop_amount) == (225000, 225000)
    assert explained.window_start == NOW.date() - timedelta(days=364)


# -- expiry ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("days_old", "expired"), [(364, 0), (365, 0), (366, 500)])
def test_points_expire_once_older_than_the_expiry(shop: Path, capsys: pytest.CaptureFixture[str], days_old: int,
                                                   expired: int) -> None:
    member = member_at(shop, LONG_AGO)  # no program at enrolment: no welcome points
    entry_at(shop, NOW - timedelta(days=days_old), EntryDraft(member, "adjust", points_delta=500))
    assert kupa(shop, capsys, "member", "show", member)["points"] == 500 - expired
    info = manager.member_overview(Terminal.open(shop), member).expiry
    assert info.expiring_now == expired
    if not expired:
        assert (info.next_on, info.next_points) == (NOW.date() - timedelta(days=days_old - 366), 500)
    sale = kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")
    assert sale["points_balance_after"] == 500 - expired + 12
    terminal = Terminal.open(shop)
    with terminal.read() as session:
        written = [e.points_delta for e in session.scalars(select(LedgerEntry).where(
            LedgerEntry.member_id == member, LedgerEntry.kind == "expire"))]
    terminal.close()
    assert written == ([-expired] if expired else [])


def test_fifo_expiry_counts_debits_against_the_oldest_points(shop: Path, capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    """1,000 old points, 800 of them redeemed, 500 recent: only the 200 old ones left unspent expire."""
    member = member_at(shop, LONG_AGO)
    entry_at(shop, NOW - timedelta(days=400), EntryDraft(member, "adjust", points_delta=1000))
    entry_at(shop, NOW - timedelta(days=300), EntryDraft(member, "redeem", points_delta=-800))
    entry_at(shop, NOW - timedelta(days=10), EntryDraft(member, "adjust", points_delta=500))
    assert kupa(shop, capsys, "member", "show", member)["points"] == 500
    assert int(report_row(shop, capsys, member, tmp_path)["points"]) == 500
    info = manager.member_overview(Terminal.open(shop), member).expiry
    assert (info.expiring_now, info.next_on, info.next_points) == (
        200, NOW.date() - timedelta(days=10) + timedelta(days=366), 500)
    sale = kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")
    assert sale["points_balance_after"] == 500 + 12


# -- membership renewal ---------------------------------------------------------------------------------------
def _expires(shop: Path, capsys: pytest.CaptureFixture[str], member: str) -> datetime:
    return timeutil.from_iso(kupa(shop, capsys, "member", "show", member)["membership"]["expires"])


def test_a_renewal_before_expiry_extends_from_the_old_expiry(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    member = member_at(shop, LONG_AGO)
    bought = NOW - timedelta(days=364)  # one day of the plan left
    sale_at(shop, bought, member, ("MEMBER-PLUS-Y", 1))
    assert _expires(shop, capsys, member) == bought + timedelta(days=365)
    kupa(shop, capsys, "checkout", "--member", member, "--item", "MEMBER-PLUS-Y")
    assert _expires(shop, capsys, member) == bought + timedelta(days=730)


def test_a_renewal_after_expiry_starts_from_the_sale(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    member = member_at(shop, LONG_AGO)
    sale_at(shop, NOW - timedelta(days=366), member, ("MEMBER-PLUS-Y", 1))
    assert kupa(shop, capsys, "member", "show", member)["membership"] is None  # lapsed yesterday
    kupa(shop, capsys, "checkout", "--member", member, "--item", "MEMBER-PLUS-Y")
    assert _expires(shop, capsys, member) == NOW + timedelta(days=365)


def test_a_plan_is_active_until_its_expiry_moment(shop: Path, capsys: pytest.CaptureFixture[str],
                                                  clock: Callable[[datetime], None]) -> None:
    member = member_at(shop, LONG_AGO)
    bought = NOW - timedelta(days=365)
    sale_at(shop, bought, member, ("MEMBER-PLUS-Y", 1))
    clock(NOW - timedelta(microseconds=1))
    assert kupa(shop, capsys, "quote", "--member", member, "--item", "CROISSANT")["discount_total"] == 120
    clock(NOW)
    assert kupa(shop, capsys, "quote", "--member", member, "--item", "CROISSANT")["discount_total"] == 0


# -- birthday month in the store's zone -----------------------------------------------------------------------
#: 00:30 on 1 July in Jerusalem (UTC+3) is still 30 June in UTC.
JULY_FIRST_LOCAL = datetime(2026, 6, 30, 21, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(("birthday", "points"), [(date(1990, 7, 20), 300), (date(1990, 6, 20), 0)])
def test_birthday_month_is_the_stores_month_at_half_past_midnight(
        shop: Path, capsys: pytest.CaptureFixture[str], clock: Callable[[datetime], None], birthday: date,
        points: int) -> None:
    member = member_at(shop, LONG_AGO, birthday=birthday)
    clock(JULY_FIRST_LOCAL)
    assert till.member_view(Terminal.open(shop), member)["birthday_this_month"] is bool(points)
    sale = kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")
    assert sale["birthday_points"] == points
    again = kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")
    assert again["birthday_points"] == 0  # once a year


def test_birthday_month_ends_at_the_stores_midnight(shop: Path, capsys: pytest.CaptureFixture[str],
                                                    clock: Callable[[datetime], None]) -> None:
    """23:59 local on 31 July is July; 00:00 local on 1 August (21:00 UTC on 31 July) is not."""
    member = member_at(shop, LONG_AGO, birthday=date(1990, 7, 20))
    clock(datetime(2026, 7, 31, 20, 59, tzinfo=timezone.utc))
    assert till.member_view(Terminal.open(shop), member)["birthday_this_month"] is True
    clock(datetime(2026, 7, 31, 21, 0, tzinfo=timezone.utc))
    assert till.member_view(Terminal.open(shop), member)["birthday_this_month"] is False
    assert kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")["birthday_points"] == 0


# -- refunds after the window ---------------------------------------------------------------------------------
def test_a_refund_after_the_window_leaves_the_spend_in_it_alone(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    member = member_at(shop, LONG_AGO)
    old = sale_at(shop, NOW - timedelta(days=400), member, ("COFFEE-S", 6))  # 5,400, long out of the window
    sale_at(shop, NOW - timedelta(days=10), member, ("SHOE", 5))  # 225,000: silver
    kupa(shop, capsys, "refund", old["sale_id"], "--pin", PIN)
    shown = kupa(shop, capsys, "member", "show", member)
    assert (shown["qualifying_spend"], shown["tier"]) == (225000, "silver")
    assert kupa(shop, capsys, "quote", "--member", member, "--item", "CROISSANT")["tier"] == "silver"


def test_a_refund_after_the_window_never_makes_the_spend_negative(shop: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    member = member_at(shop, LONG_AGO)
    old = sale_at(shop, NOW - timedelta(days=400), member, ("COFFEE-S", 6))
    kupa(shop, capsys, "refund", old["sale_id"], "--pin", PIN)
    shown = kupa(shop, capsys, "member", "show", member)
    assert (shown["qualifying_spend"], shown["tier"]) == (0, "bronze")
    assert shown["next_tier"] == {"code": "silver", "min_spend": SILVER, "missing": SILVER}
    assert kupa(shop, capsys, "quote", "--member", member, "--item", "CROISSANT")["tier"] == "bronze"


def test_a_refund_inside_the_window_takes_its_spend_back(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    member = member_at(shop, LONG_AGO)
    sale = sale_at(shop, NOW - timedelta(days=30), member, ("SHOE", 5))
    assert kupa(shop, capsys, "member", "show", member)["tier"] == "silver"
    kupa(shop, capsys, "refund", sale["sale_id"], "--item", "SHOE:1", "--pin", PIN)
    shown = kupa(shop, capsys, "member", "show", member)
    assert (shown["qualifying_spend"], shown["tier"]) == (180000, "bronze")


# -- a paid plan's monthly credit -----------------------------------------------------------------------------
def _credits(shop: Path, member: str) -> list[tuple[int, str | None]]:
    terminal = Terminal.open(shop)
    try:
        with terminal.read() as session:
            return [(e.points_delta, e.ref_code) for e in session.scalars(
                select(LedgerEntry).where(LedgerEntry.member_id == member, LedgerEntry.kind == "membership",
                                          LedgerEntry.points_delta != 0).order_by(LedgerEntry.seq))]
    finally:
        terminal.close()


def test_monthly_credit_at_the_first_sale_of_each_store_month(shop: Path, capsys: pytest.CaptureFixture[str],
                                                             clock: Callable[[datetime], None]) -> None:
    member = member_at(shop, LONG_AGO)
    sale_at(shop, NOW - timedelta(days=40), member, ("MEMBER-PLUS-Y", 1))  # the plan, bought in April
    quote = kupa(shop, capsys, "quote", "--member", member, "--item", "CROISSANT")
    assert quote["monthly_credit_points"] == 100
    assert any("monthly credit +100 points" in line for line in quote["explain"])
    first = kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")
    assert first["monthly_credit_points"] == 100
    assert first["points_balance_after"] == first["points_earned"] + 100
    assert kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")["monthly_credit_points"] == 0
    clock(datetime(2026, 6, 30, 20, 59, tzinfo=timezone.utc))  # 23:59 on 30 June in Jerusalem: still June
    assert kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")["monthly_credit_points"] == 0
    clock(JULY_FIRST_LOCAL)  # 00:30 on 1 July in Jerusalem, 30 June in UTC: a new store month
    assert kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")["monthly_credit_points"] == 100
    assert kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")["monthly_credit_points"] == 0
    assert _credits(shop, member) == [(100, "2026-06"), (100, "2026-07")]


def test_monthly_credit_needs_a_plan_active_before_the_sale(shop: Path, capsys: pytest.CaptureFixture[str],
                                                            clock: Callable[[datetime], None]) -> None:
    member = member_at(shop, LONG_AGO)
    bought = kupa(shop, capsys, "checkout", "--member", member, "--item", "MEMBER-PLUS-Y", "--item", "CROISSANT")
    assert bought["monthly_credit_points"] == 0  # the plan starts with this sale, like its discount
    assert kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")["monthly_credit_points"] == 100
    clock(NOW + timedelta(days=365))  # the plan's last moment has passed
    assert kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")["monthly_credit_points"] == 0


def test_a_refund_keeps_the_monthly_credit_like_birthday_points(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    member = member_at(shop, LONG_AGO)
    sale_at(shop, NOW - timedelta(days=40), member, ("MEMBER-PLUS-Y", 1))
    before = kupa(shop, capsys, "member", "show", member)
    sale = kupa(shop, capsys, "checkout", "--member", member, "--item", "SHOE")
    assert sale["monthly_credit_points"] == 100
    kupa(shop, capsys, "refund", sale["sale_id"], "--pin", PIN)
    after = kupa(shop, capsys, "member", "show", member)
    assert after["points"] == before["points"] + 100  # the sale's 450 points went back, the credit stays
    assert after["membership"] == before["membership"]  # and the plan is untouched
    assert _credits(shop, member) == [(100, "2026-06")]
    again = kupa(shop, capsys, "checkout", "--member", member, "--item", "CROISSANT")
    assert again["monthly_credit_points"] == 0  # still credited this month


def test_refunding_the_plan_takes_back_its_days_not_the_credit(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    member = member_at(shop, LONG_AGO)
    sale_at(shop, NOW - timedelta(days=40), member, ("MEMBER-PLUS-Y", 1))
    renewal = kupa(shop, capsys, "checkout", "--member", member, "--item", "MEMBER-PLUS-Y")
    assert renewal["monthly_credit_points"] == 100
    assert _expires(shop, capsys, member) == NOW - timedelta(days=40) + timedelta(days=730)
    kupa(shop, capsys, "refund", renewal["sale_id"], "--pin", PIN)
    assert _expires(shop, capsys, member) == NOW - timedelta(days=40) + timedelta(days=365)
    assert _credits(shop, member) == [(100, "2026-06")]


@pytest.mark.parametrize(("days_old", "expired"), [(365, 0), (366, 500)])
def test_a_donation_first_writes_the_expiry_due(shop: Path, capsys: pytest.CaptureFixture[str], days_old: int,
                                                expired: int) -> None:
    member = member_at(shop, LONG_AGO)
    entry_at(shop, NOW - timedelta(days=days_old), EntryDraft(member, "adjust", points_delta=500))
    entry_at(shop, NOW - timedelta(days=3), EntryDraft(member, "adjust", points_delta=100))
    kupa(shop, capsys, "donate", "--member", member, "--points", "100", "--charity", "wildlife", "--pin", PIN)
    terminal = Terminal.open(shop)
    with terminal.read() as session:
        written = [e.points_delta for e in session.scalars(select(LedgerEntry).where(
            LedgerEntry.member_id == member, LedgerEntry.kind == "expire"))]
    terminal.close()
    assert written == ([-expired] if expired else [])
    assert kupa(shop, capsys, "member", "show", member)["points"] == 500 - expired
