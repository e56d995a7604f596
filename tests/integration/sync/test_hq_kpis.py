"""HQ's KPIs (`kupa-hq report kpis`, from HQ's projections) equal the terminal's for the same sales, on SQLite
and PostgreSQL; the members-by-tier projection follows the sliding tier window to the exact day.

The terminal reads its report projections, HQ the ones each push keeps (`sync.hq.kpi_projection`); both answer
through `pos_client.reports.kpis.compute_kpis`. The sales cover what the definitions single out: member and
non-member sales, a redemption, a partial and a full refund, a sale refunded at HQ before HQ has the sale.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text

from pos_client.ledger import EntryDraft, append
from pos_client.db.models import MemberSale, RefundCorrection
from pos_client.reports import compute_kpis
from pos_client.reports import member_links
from pos_client.reports import refunds as refund_kpis
from pos_client.reports.projection import rebuild
from pos_client.timeutil import to_iso, utcnow
from sync.hq import admin, kpi_projection
from sync.hq.cli import main as hq_main
from sync.hq.db import alembic_config, migrate
from sync.hq.kpis import HqSource, catch_up, report_kpis
from sync.hq.models import HqKpiMemberSale, HqKpiRefund, HqMemberTier
from sync.hq.programs import program_at

from sync_harness import MANAGER_PIN, Hq


def _terminal_kpis(till: Any, date_from: date | None, now: datetime) -> dict[str, Any]:
    terminal = till.open()
    try:
        with terminal.read() as session:
            kpis = compute_kpis(session, date_from, None, "Asia/Jerusalem", now=now)
    finally:
        terminal.close()
    return kpis.to_json() | kpis.series_json()


def _hq_kpis(hq: Hq, date_from: date | None, now: datetime) -> dict[str, Any]:
    kpis, _program = report_kpis(hq.db, date_from, None, now=now, series=True)
    return kpis.to_json() | kpis.series_json()


def test_hq_answers_the_terminals_kpis(hq: Hq, make_till: Any, capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    till = make_till("T1")
    noa = till.kupa("member", "add", "--name", "Noa Tal", "--phone", "052-7654321")["member_id"]
    dan = till.kupa("member", "add", "--name", "Dan Levi", "--phone", "052-1112223")["member_id"]
    till.kupa("member", "add", "--name", "Rut Bar", "--phone", "052-3334445")  # enrolled, never buys
    big = till.kupa("checkout", "--member", noa, "--item", "SHOE:6", "--item", "COFFEE-S:2")  # silver, after the refund too
    till.kupa("checkout", "--member", noa, "--item", "COFFEE-L:2", "--redeem", "100", "--pin", MANAGER_PIN)
    small = till.kupa("checkout", "--member", dan, "--item", "CROISSANT")
    till.kupa("checkout", "--member", dan, "--item", "COFFEE-S")
    till.kupa("checkout", "--item", "COFFEE-L")  # a non-member sale
    till.sync()
    # after the sales reached HQ: a partial refund of one (in two pushes), the whole of another
    till.kupa("refund", big["sale_id"], "--item", "SHOE:1", "--pin", MANAGER_PIN)
    till.sync()
    till.kupa("refund", big["sale_id"], "--item", "COFFEE-S:1", "--pin", MANAGER_PIN)
    till.kupa("refund", small["sale_id"], "--pin", MANAGER_PIN)
    till.sync()
    now = utcnow()
    month_start = now.date().replace(day=1)
    here, at_hq = _terminal_kpis(till, month_start, now), _hq_kpis(hq, month_start, now)
    assert at_hq == here
    assert _terminal_kpis(till, None, now) == _hq_kpis(hq, None, now)
    # not trivially equal: two members active, one with a counted sale left after the full refund, one silver
    assert (here["sales_total"], here["member_sales"], here["active_members"]) == (4, 3, 1 + 1)
    assert {t["tier"]: t["members"] for t in here["members_by_tier"]} == {"bronze": 2, "silver": 1, "gold": 0}
    assert here["points_redeemed"] == 100 and here["rewards_cost"] > 0

    # HQ migration 0008 on this HQ as it was before it (its tables dropped): its backfill gives the same answer
    command.downgrade(alembic_config(hq.db.engine), "0007")
    migrate(hq.db.engine)
    assert _hq_kpis(hq, month_start, now) == here
    with hq.db.write() as session:  # and so does a rebuild over the built tables
        kpi_projection.rebuild(session, now)
    assert _hq_kpis(hq, month_start, now) == here

    # and the command line prints them
    capsys.readouterr()
    assert hq_main(["--db", hq.db_url, "report", "kpis", "--from", month_start.isoformat(), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["sales_total"] == 4 and printed["range"]["from"] == month_start.isoformat()

    # members imported at HQ count as enrolled when imported
    (tmp_path / "members.json").write_text(json.dumps([{"member_id": "M900001", "name": "Imported One"},
                                                       {"member_id": "M900002", "name": "Imported Two"}]))
    admin.import_members(hq.db, tmp_path / "members.json")
    assert _hq_kpis(hq, None, utcnow())["members_total"] == here["members_total"] + 2


def test_terminal_and_hq_subtract_a_refund_by_the_one_rule(hq: Hq, make_till: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #12: what a refunded sale subtracts is `pos_client.reports.refunds.correction`'s rule alone. With
    that one function changed (7 more money subtracted), the terminal's `refund_corrections` row and HQ's
    `hq_kpi_refunds` row both follow it: a copy of the rule kept in the terminal's SQL or in HQ's Python
    would not, and this fails."""
    real = refund_kpis.correction

    def marked(sale: refund_kpis.Figures, is_member: bool,
               totals: refund_kpis.RefundTotals) -> tuple[bool, refund_kpis.Figures]:
        fully, (sales, paid, earned, redeemed, cost) = real(sale, is_member, totals)
        return fully, (sales, paid + 7, earned, redeemed, cost)

    monkeypatch.setattr(refund_kpis, "correction", marked)
    till = make_till("T1")
    noa = till.kupa("member", "add", "--name", "Noa Tal", "--phone", "052-7654321")["member_id"]
    sale = till.kupa("checkout", "--member", noa, "--item", "COFFEE-S:2")
    refund = till.kupa("refund", sale["sale_id"], "--item", "COFFEE-S:1", "--pin", MANAGER_PIN)
    till.sync()
    terminal = till.open()
    try:
        with terminal.read() as session:
            here = session.get(RefundCorrection, sale["sale_id"])
            assert here is not None and (here.fully, here.sales, here.paid) == (0, 0, refund["money_back"] + 7)
    finally:
        terminal.close()
    with hq.db.read() as session:
        at_hq = session.get(HqKpiRefund, sale["sale_id"])
        assert at_hq is not None and (at_hq.fully, at_hq.sales, at_hq.paid) == (0, 0, refund["money_back"] + 7)


def test_terminal_and_hq_link_member_sales_by_the_one_rule(hq: Hq, make_till: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #12: a counted member sale's links to the member's two previous ones are
    `pos_client.reports.member_links.previous_two`'s rule: with it replaced by a marked one, HQ's projection,
    the terminal's relinking after a full refund and its rebuild all write the mark (a copy of the rule on
    either side would not)."""
    marked = (-1, -2)
    monkeypatch.setattr(member_links, "previous_two", lambda times: [marked for _ in times])
    till = make_till("T1")
    noa = till.kupa("member", "add", "--name", "Noa Tal", "--phone", "052-7654321")["member_id"]
    sales = [till.kupa("checkout", "--member", noa, "--item", "COFFEE-S")["sale_id"] for _ in range(3)]
    till.sync()
    with hq.db.read() as session:
        at_hq = session.query(HqKpiMemberSale.prev_at, HqKpiMemberSale.prev2_at).all()
    assert sorted(at_hq) == [marked] * 3
    till.kupa("refund", sales[0], "--pin", MANAGER_PIN)  # a full refund: the member's other sales relinked
    terminal = till.open()
    try:
        with terminal.read() as session:
            links = session.query(MemberSale.prev_at, MemberSale.prev2_at).all()
        assert sorted(links) == [marked] * 2
        with terminal.unit_of_work() as session:
            session.execute(text("update member_sales set prev_at = NULL, prev2_at = NULL"))
            rebuild(session)
        with terminal.read() as session:
            assert sorted(session.query(MemberSale.prev_at, MemberSale.prev2_at).all()) == [marked] * 2
    finally:
        terminal.close()


def test_a_refund_that_reaches_hq_before_its_sale(hq: Hq, make_till: Any) -> None:
    """A refund rung up elsewhere can reach HQ first: it subtracts nothing until the sale arrives, then the
    figures are the terminal's."""
    till = make_till("T1")
    noa = till.kupa("member", "add", "--name", "Noa Tal", "--phone", "052-7654321")["member_id"]
    sale = till.kupa("checkout", "--member", noa, "--item", "COFFEE-S:2")
    till.kupa("refund", sale["sale_id"], "--item", "COFFEE-S:2", "--pin", MANAGER_PIN)
    terminal = till.open()
    try:  # push the refund's items first, by hand, in the order HQ would get them from another counter
        from sync.hq.push import apply_push
        from sync.protocol import PushItem

        with terminal.read() as session:
            from pos_client.db.models import OutboxRow

            rows = [(r.kind, r.ref_id, json.loads(r.payload))
                    for r in session.query(OutboxRow).order_by(OutboxRow.outbox_id)]
    finally:
        terminal.close()
    items = [PushItem(kind=kind, key=ref, body=body) for kind, ref, body in rows]
    is_sale = [i for i in items if i.kind == "sale" and i.body["kind"] == "sale"]
    others = [i for i in items if i not in is_sale]
    now = utcnow()
    with hq.db.write() as session:
        apply_push(session, till.terminal_id, others, to_iso(now))
    with hq.db.write() as session:
        apply_push(session, till.terminal_id, is_sale, to_iso(now))
    assert _hq_kpis(hq, None, now) == _terminal_kpis(till, None, now)
    assert _hq_kpis(hq, None, now)["sales_total"] == 0


def test_members_by_tier_follows_the_window_to_the_day(hq: Hq, make_till: Any) -> None:
    """Silver from a spend on day D holds through D + 364 and is bronze on D + 365 (a 365-day window), with no
    push in between: the row's last day says when, and the catch-up before counting moves it."""
    till = make_till("T1")
    noa = till.kupa("member", "add", "--name", "Noa Tal", "--phone", "052-7654321")["member_id"]
    terminal = till.open()
    spent_at = utcnow() - timedelta(days=10)
    try:
        with terminal.unit_of_work() as session:
            append(session, EntryDraft(noa, "adjust", spend_delta=250000), terminal_id=till.terminal_id,
                   now=spent_at)
    finally:
        terminal.close()
    till.sync()
    last_day = spent_at.date() + timedelta(days=364)
    with hq.db.read() as session:
        row = session.get(HqMemberTier, noa)
        assert row is not None and (row.tier, row.until) == ("silver", last_day.isoformat())

    def tiers(day: date) -> dict[str | None, int]:
        now = datetime.combine(day, datetime.min.time(), spent_at.tzinfo) + timedelta(hours=23, minutes=59)
        with hq.db.write() as session:
            catch_up(session, program_at(session, now), now)
        with hq.db.read() as session:
            counts = HqSource(now).members_by_tier(session, None, now, "9999-12-31T00:00:00+00:00")
        return {t.tier: t.members for t in counts}

    def folded(day: date) -> dict[str | None, int]:  # a moment other than the source's today: from the entries
        at = datetime.combine(day, datetime.min.time(), spent_at.tzinfo) + timedelta(hours=12)
        with hq.db.read() as session:
            counts = HqSource(utcnow()).members_by_tier(session, None, at, "9999-12-31T00:00:00+00:00")
        return {t.tier: t.members for t in counts}

    assert folded(last_day) == {"bronze": 0, "silver": 1, "gold": 0}
    assert folded(last_day + timedelta(days=1)) == {"bronze": 1, "silver": 0, "gold": 0}
    assert tiers(last_day) == {"bronze": 0, "silver": 1, "gold": 0}
    assert tiers(last_day + timedelta(days=1)) == {"bronze": 1, "silver": 0, "gold": 0}
    with hq.db.read() as session:
        row = session.get(HqMemberTier, noa)
        assert row is not None and (row.tier, row.until) == ("bronze", None)
