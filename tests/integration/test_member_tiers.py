"""The terminal's members-by-tier projection (`pos_client.reports.tiers`, migration 0019) answers what summing
`member_days` over every member answers (`kpis._members_by_tier`), on a real store:

- after sales, partial and full refunds, spend adjustments, a merge, a rebased member (its `member_days`
  rewritten, as `sync.apply` does) and a member who never buys, on every day as old spend leaves the window
  — with the stale rows caught up in a write transaction, and without (recomputed in memory by a read);
- to the exact day: silver from a spend on day D holds through D + 364 and is bronze on D + 365;
- after migration 0019's backfill (a store downgraded to 0018 and upgraded again);
- a clock set back before the rows' day counts the long way.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from pos_client.db.engine import alembic_config, make_engine, migrate
from pos_client.ledger import EntryDraft, append
from pos_client.reports import compute_kpis, kpis, tiers
from pos_client.services import refunds
from pos_client.services.checkout import BasketRequest, record_sale
from pos_client.services.manager_actions import merge_members
from pos_client.services.members import enrol
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso

MANAGER_PIN = "9999"
FAR = "9999-12-31T00:00:00+00:00"


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), timezone.utc)


class Shop:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.terminal = Terminal.open(root)
        with self.terminal.unit_of_work() as session:
            session.execute(text("update program_versions set loaded_at='2000-01-01T00:00:00+00:00'"))
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}

    def enrol(self, name: str, when: datetime) -> None:
        with self.terminal.unit_of_work() as session:
            member, _card, token = enrol(self.terminal, session, program_at(session, when), when, name=name)
            self.tokens[name], self.ids[name] = token, member.member_id

    def sale(self, who: str, when: datetime, *items: tuple[str, int]) -> str:
        with self.terminal.unit_of_work() as session:
            request = BasketRequest(items=items, member_code=self.tokens[who])
            return record_sale(session, self.terminal, request, when).sale_id

    def spend(self, who: str, when: datetime, amount: int) -> None:
        with self.terminal.unit_of_work() as session:
            append(session, EntryDraft(self.ids[who], "adjust", spend_delta=amount), terminal_id="T1", now=when)

    def projected(self, now: datetime, hi: str = FAR) -> dict[str | None, int]:
        with self.terminal.read() as session:
            counts = kpis.TerminalSource(now).members_by_tier(session, None, now, hi)
        return {t.tier: t.members for t in counts}

    def summed(self, now: datetime, hi: str = FAR) -> dict[str | None, int]:
        with self.terminal.read() as session:
            counts = kpis._members_by_tier(session, None, now, hi)
        return {t.tier: t.members for t in counts}

    def rows(self) -> list[tuple[str, str | None, str | None, int]]:
        with sqlite3.connect(self.root / "kupa.sqlite3") as conn:
            return conn.execute("SELECT member_id, tier, until, version FROM member_tiers ORDER BY 1").fetchall()

    def stale(self, now: datetime) -> int:
        with self.terminal.read() as session:
            return len(tiers.stale(session, tiers.TERMINAL, program_at(session, now), now, 10_000))


@pytest.fixture
def shop(_store_template: Path, tmp_path: Path) -> Iterator[Shop]:
    root = tmp_path / "store"
    shutil.copytree(_store_template, root)
    result = Shop(root)
    yield result
    result.terminal.close()


D = date(2025, 3, 10)


def _history(shop: Shop) -> None:
    """Members whose tiers move as spend comes, is refunded and leaves the 365-day window."""
    for name in ("Ann", "Ben", "Cat", "Dov", "Eli", "Eli dup", "Gil"):
        shop.enrol(name, _at(D - timedelta(days=30)))
    shop.spend("Ann", _at(D), 250_000)  # silver through D + 364
    shop.spend("Ann", _at(D + timedelta(days=200)), 300_000)  # gold from D + 200 through D + 364
    shoes = shop.sale("Ben", _at(D + timedelta(days=10)), ("SHOE", 5))  # 225,000: silver ...
    refunds.refund(shop.terminal, shoes, [("SHOE", 1)], MANAGER_PIN)  # ... 180,000 after a partial refund: bronze
    shop.spend("Ben", _at(D + timedelta(days=40)), 30_000)  # silver again through D + 374
    gone = shop.sale("Cat", _at(D + timedelta(days=20)), ("SHOE", 12))  # gold, then fully refunded: bronze
    refunds.refund(shop.terminal, gone, None, MANAGER_PIN)
    shop.sale("Dov", _at(D + timedelta(days=5)), ("SHOE", 11), ("COFFEE-L", 2))  # gold through D + 369
    shop.spend("Eli", _at(D + timedelta(days=50)), 150_000)
    shop.spend("Eli dup", _at(D + timedelta(days=60)), 400_000)  # silver, merged away below: not counted
    shop.spend("Gil", _at(D + timedelta(days=400)), 210_000)  # a spend dated ahead: counts from its day on
    merge_members(shop.terminal, shop.ids["Eli"], shop.ids["Eli dup"], "duplicate record", MANAGER_PIN)


def _days() -> list[date]:
    edges = [D + timedelta(days=n) for n in (0, 5, 10, 20, 40, 199, 200, 363, 364, 365, 366, 369, 370, 374, 375,
                                             399, 400, 410, 764, 765, 800)]
    return sorted(set(edges))


def test_projected_tiers_equal_the_sum_over_every_member_on_every_day(shop: Shop) -> None:
    _history(shop)
    seen = set()
    for day in _days():
        now = _at(day, 23)
        in_memory = shop.projected(now)  # a read: the stale rows recomputed in memory, nothing written
        assert in_memory == shop.summed(now), day
        assert tiers.catch_up_all(shop.terminal.unit_of_work, now) >= 0
        assert shop.stale(now) == 0
        assert shop.projected(now) == in_memory, day
        seen.add(tuple(sorted(in_memory.items(), key=str)))
    assert len(seen) >= 5  # the tiers did move over these days
    # the merged-away record has no row; the one who never bought neither (at the tier of no spend)
    held = {member_id for member_id, *_ in shop.rows()}
    assert shop.ids["Eli dup"] not in held and shop.ids["Ann"] in held


def test_a_rebased_member_and_a_new_sale_mark_the_row_stale(shop: Shop) -> None:
    _history(shop)
    now = _at(D + timedelta(days=100), 23)
    tiers.catch_up_all(shop.terminal.unit_of_work, now)
    assert shop.stale(now) == 0
    dov = shop.ids["Dov"]
    with shop.terminal.unit_of_work() as session:  # as `sync.apply` rebases a member: days deleted, rewritten
        session.execute(text("DELETE FROM member_days WHERE member_id = :m"), {"m": dov})
        session.execute(text("INSERT INTO member_days (member_id, day, spend, credits) VALUES (:m, :d, 1000, 0)"),
                        {"m": dov, "d": (D + timedelta(days=99)).isoformat()})
    assert shop.stale(now) == 1
    assert shop.projected(now) == shop.summed(now) == {"bronze": 4, "silver": 2, "gold": 0}
    shop.enrol("Hed", _at(D + timedelta(days=100), 9))
    shop.sale("Hed", _at(D + timedelta(days=100), 10), ("SHOE", 12))  # a member without a row yet: gold
    assert shop.stale(now) == 2 and shop.projected(now) == shop.summed(now)
    assert shop.ids["Hed"] not in {member_id for member_id, *_ in shop.rows()}  # marked, no row yet
    tiers.catch_up_all(shop.terminal.unit_of_work, now)
    assert shop.projected(now) == shop.summed(now) == {"bronze": 4, "silver": 2, "gold": 1}


def test_a_tier_follows_the_window_to_the_day(shop: Shop) -> None:
    """Silver from a spend on day D holds through D + 364 and is bronze on D + 365 (a 365-day window)."""
    shop.enrol("Noa", _at(D - timedelta(days=1)))
    shop.spend("Noa", _at(D, 9), 250_000)
    last_day = D + timedelta(days=364)
    tiers.catch_up_all(shop.terminal.unit_of_work, _at(D, 10))
    assert [(tier, until) for _m, tier, until, _v in shop.rows()] == [("silver", last_day.isoformat())]

    def counted(day: date) -> dict[str | None, int]:
        now = _at(day, 23) + timedelta(minutes=59)
        tiers.catch_up_all(shop.terminal.unit_of_work, now)
        assert shop.projected(now) == shop.summed(now)
        return shop.projected(now)

    assert counted(last_day) == {"bronze": 0, "silver": 1, "gold": 0}
    assert counted(last_day + timedelta(days=1)) == {"bronze": 1, "silver": 0, "gold": 0}
    assert [(tier, until) for _m, tier, until, _v in shop.rows()] == [("bronze", None)]


def test_members_enrolled_after_the_range_and_a_clock_set_back(shop: Shop) -> None:
    _history(shop)
    now = _at(D + timedelta(days=100), 23)
    tiers.catch_up_all(shop.terminal.unit_of_work, now)
    shop.enrol("Hed", _at(D + timedelta(days=100), 9))
    shop.sale("Hed", _at(D + timedelta(days=100), 10), ("SHOE", 12))  # marked, recounted in memory: gold
    hi = to_iso(_at(D - timedelta(days=31)))  # before anyone enrolled
    assert shop.projected(now, hi) == shop.summed(now, hi) == {"bronze": 0, "silver": 0, "gold": 0}
    hi = to_iso(_at(D + timedelta(days=100), 0))  # all but Hed
    counts = shop.summed(now, hi)
    assert shop.projected(now, hi) == counts and counts["gold"] == 0 and sum(counts.values()) == 6
    assert shop.projected(now)["gold"] == 1
    earlier = _at(D + timedelta(days=15), 23)  # the clock set back: the rows of day 100 do not hold then
    assert shop.projected(earlier) == shop.summed(earlier)
    assert shop.projected(earlier) != shop.projected(now)


def test_the_migration_backfills_the_rows_the_sales_kept(shop: Shop) -> None:
    _history(shop)
    today = datetime.now(timezone.utc)
    tiers.catch_up_all(shop.terminal.unit_of_work, today)
    kept = shop.rows()
    with shop.terminal.read() as session:
        figures = compute_kpis(session, None, None, "Asia/Jerusalem", now=today).series_json()["members_by_tier"]
    shop.terminal.close()
    engine = make_engine(shop.root / "kupa.sqlite3")
    command.downgrade(alembic_config(engine), "0018")
    migrate(engine)
    engine.dispose()
    shop.terminal = Terminal.open(shop.root)
    assert shop.rows() == kept and shop.stale(today) == 0
    with shop.terminal.read() as session:
        again = compute_kpis(session, None, None, "Asia/Jerusalem", now=today).series_json()["members_by_tier"]
    assert again == figures and sum(t["members"] for t in figures) == 6
