"""The report projections of migration 0006 (`pos_client.reports.projection`) and merged members in the KPIs.

- Kept at write time (checkout, refunds whole and partial, a sale recorded out of time order), the projections
  equal what `projection.rebuild` computes from the sales, and what the migration backfills on a store
  downgraded to 0005 and upgraded again.
- `active_members`, `repeat_purchase_rate` and `churned_members` count a merged-away record's sales under the
  member it was merged into.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from pos_client.db.engine import alembic_config, make_engine, migrate
from pos_client.reports import compute_kpis
from pos_client.reports.projection import epoch, rebuild
from pos_client.services import refunds
from pos_client.services.checkout import BasketRequest, record_sale
from pos_client.services.manager_actions import merge_members
from pos_client.services.members import enrol
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal

TZ = "Asia/Jerusalem"
MANAGER_PIN = "9999"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def _at(text_: str) -> datetime:
    return datetime.fromisoformat(text_).replace(tzinfo=timezone.utc)


class Shop:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.terminal = Terminal.open(root)
        with self.terminal.unit_of_work() as session:
            session.execute(text("update program_versions set loaded_at='2000-01-01T00:00:00+00:00'"))
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}

    def enrol(self, name: str, when: str = "2025-01-01") -> None:
        with self.terminal.unit_of_work() as session:
            moment = _at(when)
            member, _card, token = enrol(self.terminal, session, program_at(session, moment), moment, name=name)
            self.tokens[name], self.ids[name] = token, member.member_id

    def sale(self, who: str | None, when: str, *items: tuple[str, int]) -> str:
        with self.terminal.unit_of_work() as session:
            request = BasketRequest(items=items or (("COFFEE-S", 1),),
                                    member_code=self.tokens[who] if who else None)
            return record_sale(session, self.terminal, request, _at(when)).sale_id

    def kpis(self, date_from: date | None, date_to: date):  # type: ignore[no-untyped-def]
        with self.terminal.read() as session:
            return compute_kpis(session, date_from, date_to, TZ, now=NOW)


@pytest.fixture
def shop(_store_template: Path, tmp_path: Path) -> Iterator[Shop]:
    root = tmp_path / "store"
    shutil.copytree(_store_template, root)
    result = Shop(root)
    yield result
    result.terminal.close()


def _tables(db: Path) -> dict[str, Counter[tuple[object, ...]]]:
    """The projections' rows as multisets (ids left out)."""
    with sqlite3.connect(db) as conn:
        return {
            "sales_buckets": Counter(conn.execute("SELECT * FROM sales_buckets WHERE sales OR paid OR earned")),
            "refund_corrections": Counter(conn.execute("SELECT * FROM refund_corrections")),
            # which of two same-second sales comes first may differ; the times the report counts may not
            "member_sales": Counter(conn.execute("SELECT member_id, at, prev_at, prev2_at FROM member_sales")),
            "member_sale_ids": Counter(conn.execute("SELECT sale_id FROM member_sales")),
        }


def test_kept_projections_equal_the_rebuild_and_the_migration(shop: Shop, tmp_path: Path) -> None:
    for name in ("Ann", "Ben"):
        shop.enrol(name)
    a1 = shop.sale("Ann", "2026-01-05T10:00", ("COFFEE-L", 2), ("CROISSANT", 1))
    shop.sale("Ann", "2026-03-01T10:07")
    shop.sale("Ann", "2026-02-01T10:00")  # recorded out of time order: between the two above
    shop.sale("Ann", "2026-01-20T10:00")
    with sqlite3.connect(shop.root / "kupa.sqlite3") as conn:
        linked = conn.execute("SELECT at, prev_at, prev2_at FROM member_sales WHERE member_id = ? ORDER BY at",
                              (shop.ids["Ann"],)).fetchall()
    t = [epoch(x) for x in ("2026-01-05T10:00:00", "2026-01-20T10:00:00", "2026-02-01T10:00:00",
                            "2026-03-01T10:07:00")]
    assert linked == [(t[0], None, None), (t[1], t[0], None), (t[2], t[1], t[0]), (t[3], t[2], t[1])]
    b1 = shop.sale("Ben", "2026-01-05T10:20", ("SHOE", 1))
    shop.sale(None, "2026-01-05T10:44", ("COFFEE-S", 2))
    n1 = shop.sale(None, "2026-01-06T10:00", ("SHOE", 1))
    refunds.refund(shop.terminal, a1, [("CROISSANT", 1)], MANAGER_PIN)  # partial, then the rest: full
    refunds.refund(shop.terminal, a1, None, MANAGER_PIN)
    refunds.refund(shop.terminal, b1, None, MANAGER_PIN)
    refunds.refund(shop.terminal, n1, None, MANAGER_PIN)
    db = shop.root / "kupa.sqlite3"
    kept = _tables(db)
    # Ann's first sale and Ben's were fully refunded: counted sales only, Ann's relinked without the first
    assert sum(kept["member_sales"].values()) == 3 and len(kept["refund_corrections"]) == 2 + 1
    ann = sorted((at, prev, prev2) for m, at, prev, prev2 in kept["member_sales"] if m == shop.ids["Ann"])
    times = [epoch(t) for t in ("2026-01-20T10:00:00", "2026-02-01T10:00:00", "2026-03-01T10:07:00")]
    assert ann == [(times[0], None, None), (times[1], times[0], None), (times[2], times[1], times[0])]
    before = shop.kpis(date(2026, 1, 1), date(2026, 3, 31)).to_json()

    with shop.terminal.unit_of_work() as session:
        rebuild(session)
    assert _tables(db) == kept

    shop.terminal.close()
    engine = make_engine(db)
    command.downgrade(alembic_config(engine), "0005")
    migrate(engine)
    engine.dispose()
    assert _tables(db) == kept
    shop.terminal = Terminal.open(shop.root)
    assert shop.kpis(date(2026, 1, 1), date(2026, 3, 31)).to_json() == before
    assert (before["sales_total"], before["member_sales"], before["active_members"]) == (4, 3, 1)


def test_a_merged_record_counts_under_the_member_it_was_merged_into(shop: Shop) -> None:
    for name in ("Kim", "Kim dup", "Lee", "Lee dup", "Max", "Max dup"):
        shop.enrol(name)
    shop.sale("Kim", "2026-10-01T10:00")
    shop.sale("Kim dup", "2026-10-02T10:00")  # Kim: two sales in the range once merged
    shop.sale("Lee", "2026-10-03T10:00")
    dup_sale = shop.sale("Lee dup", "2026-10-04T10:00")  # fully refunded: Lee keeps one sale
    refunds.refund(shop.terminal, dup_sale, None, MANAGER_PIN)
    shop.sale("Max dup", "2025-01-10T10:00")  # only an old sale on the duplicate ...
    shop.sale("Max", "2026-10-05T10:00")  # ... and a recent one on the member kept: Max has not churned
    rng = (date(2026, 10, 1), date(2026, 10, 31))
    apart = shop.kpis(*rng)
    assert (apart.active_members, apart.repeat_purchase_rate, apart.churned_members) == (4, 0, 1)
    for keep, dup in (("Kim", "Kim dup"), ("Lee", "Lee dup"), ("Max", "Max dup")):
        merge_members(shop.terminal, shop.ids[keep], shop.ids[dup], "duplicate record", MANAGER_PIN)
    merged = shop.kpis(*rng)
    # Kim (2 sales: a repeat), Lee (1), Max (1): three members, none churned; members_total leaves dups out
    assert (merged.active_members, merged.churned_members, merged.members_total) == (3, 0, 3)
    assert str(merged.repeat_purchase_rate) == "0.3333"
    # the sales themselves do not move
    assert (merged.sales_total, merged.member_sales) == (apart.sales_total, apart.member_sales) == (4, 4)


def test_a_merge_chain_follows_to_the_last_member(shop: Shop) -> None:
    for name in ("A", "B", "C"):
        shop.enrol(name)
    for name, day in (("A", "01"), ("B", "02"), ("C", "03")):
        shop.sale(name, f"2026-10-{day}T10:00")
    merge_members(shop.terminal, shop.ids["B"], shop.ids["A"], "duplicate record", MANAGER_PIN)
    merge_members(shop.terminal, shop.ids["C"], shop.ids["B"], "duplicate record", MANAGER_PIN)
    kpis = shop.kpis(date(2026, 10, 1), date(2026, 10, 31))
    assert (kpis.active_members, kpis.repeat_purchase_rate, kpis.members_total) == (1, 1, 1)


def test_store_days_across_a_dst_change_and_in_a_quarter_hour_zone(shop: Shop) -> None:
    shop.sale(None, "2026-03-26T21:30")  # 23:30 in Jerusalem (UTC+2): 2026-03-26
    shop.sale(None, "2026-03-27T21:30")  # 00:30 on 03-28 in Jerusalem, summer time (UTC+3) since 03-27 02:00
    shop.sale(None, "2026-01-05T18:14")  # 23:59 in Kathmandu (UTC+5:45): 2026-01-05
    shop.sale(None, "2026-01-05T18:15")  # 00:00 on 2026-01-06 in Kathmandu
    with shop.terminal.read() as session:
        march = compute_kpis(session, date(2026, 3, 25), date(2026, 3, 29), TZ, now=NOW)
        nepal = compute_kpis(session, date(2026, 1, 5), date(2026, 1, 6), "Asia/Kathmandu", now=NOW)
    assert {d.day.isoformat(): d.non_member_sales for d in march.sales_per_day} == {
        "2026-03-25": 0, "2026-03-26": 1, "2026-03-27": 0, "2026-03-28": 1, "2026-03-29": 0}
    assert [(d.day.isoformat(), d.non_member_sales) for d in nepal.sales_per_day] == [
        ("2026-01-05", 1), ("2026-01-06", 1)]
    with shop.terminal.read() as session:
        only_6th = compute_kpis(session, date(2026, 1, 6), date(2026, 1, 6), "Asia/Kathmandu", now=NOW, series=False)
    assert only_6th.sales_total == 1


def test_random_sales_and_refunds_keep_the_projections_equal_to_the_rebuild(shop: Shop) -> None:
    rng = random.Random(6)
    names = ["R1", "R2", "R3"]
    for name in names:
        shop.enrol(name)
    sales: list[str] = []
    for _ in range(40):
        # times out of order, some in the same second as another sale of the same member
        when = f"2026-0{rng.randint(1, 3)}-1{rng.randint(0, 2)}T10:0{rng.randint(0, 2)}:00"
        sales.append(shop.sale(rng.choice([*names, None]), when, ("COFFEE-S", rng.randint(1, 2))))
        if rng.random() < 0.4:
            sale_id = rng.choice(sales)
            try:
                refunds.refund(shop.terminal, sale_id, rng.choice([None, [("COFFEE-S", 1)]]), MANAGER_PIN)
            except Exception:  # already fully refunded: refused, nothing written
                pass
    db = shop.root / "kupa.sqlite3"
    kept = _tables(db)
    with shop.terminal.unit_of_work() as session:
        rebuild(session)
    assert _tables(db) == kept
