"""The KPI dashboard (tiles equal `compute_kpis`, charts filled, CSV exports) and the audit log viewer."""

from __future__ import annotations

import csv
from datetime import date, timedelta

from PySide6.QtCore import QDate

from pos_client.reports import compute_kpis
from pos_client.services import manager_actions, points
from pos_client.services.programs import program_at
from pos_client.timeutil import local_date, utcnow
from tests.ui.conftest import wait_idle
from tests.ui.test_manager_status import MANAGER_PIN, _members, open_manager_window
from ui.dashboard import tile_text


def test_dashboard_tiles_equal_compute_kpis_and_charts_are_filled(qtbot, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    mw = open_manager_window(qtbot, window)
    mw.tabs.setCurrentWidget(mw.dashboard)
    page = mw.dashboard
    qtbot.waitUntil(lambda: page.data is not None, timeout=10000)  # this month, on opening the tab
    today = date.today()
    start = today - timedelta(days=364)
    with qtbot.waitSignal(page.filled, timeout=15000) as blocker:
        page.set_range(start, today)
    data = blocker.args[0]
    with window.terminal.read() as session:
        program = program_at(session, utcnow())
        expected = compute_kpis(session, start, today, program.timezone, program=program).figures()
    assert data.kpis.figures() == expected
    for key, value in expected.items():
        label = page.tiles[key][1]
        assert label.property("figure") == value, key
        assert label.text() == tile_text(key, value, window.labels.currency)
    assert expected["sales_total"] > 0 and "₪" in page.tiles["rewards_cost"][1].text()
    sales = page.charts["sales"].series()
    assert len(sales) == 2 and sales[0].count() == 365 and any(p.y() for p in sales[0].points())
    bars = page.charts["points"].series()[0].barSets()
    assert [b.count() for b in bars] == [len(data.kpis.points_per_week)] * 2 and sum(bars[0].at(i) for i in
                                                                                    range(bars[0].count())) > 0
    assert page.charts["tiers"].series()[0].count() > 0 and page.charts["new"].series()[0].barSets()[0].count() > 0
    page.export(tmp_path / "figures.csv", tmp_path / "members.csv")
    qtbot.waitUntil(lambda: "Exported" in mw.message.text(), timeout=10000)
    with (tmp_path / "figures.csv").open(encoding="utf-8-sig") as handle:
        rows = {r[0]: r[1] for r in csv.reader(handle) if len(r) == 2}
    assert rows["sales_total"] == str(expected["sales_total"])
    with (tmp_path / "members.csv").open(encoding="utf-8-sig") as handle:
        assert len(list(csv.reader(handle))) == len(_members(window)) + 1
    mw.lock()


def test_audit_log_viewer_filters_by_manager_kind_and_date(qtbot, qtmodeltester, window) -> None:  # type: ignore[no-untyped-def]
    first, second = _members(window)[:2]
    points.adjust(window.terminal, first, 10, "goodwill", MANAGER_PIN)
    manager_actions.edit_member(window.terminal, second, manager_actions.MemberDetails(name="Renamed Person"),
                                "typo in the name", MANAGER_PIN)
    mw = open_manager_window(qtbot, window)
    page = mw.audit
    with qtbot.waitSignal(page.loaded, timeout=10000):
        mw.tabs.setCurrentWidget(page)
    qtmodeltester.check(page.model)
    assert page.model.rowCount() >= 2
    page.action.setCurrentIndex(page.action.findData("member_edit"))
    with qtbot.waitSignal(page.loaded, timeout=10000):
        page.refresh()
    assert page.model.rowCount() == 1
    row = page.model.row(0)
    assert (row.target, row.reason, row.user_id) == (second, "typo in the name", mw.session.manager.user_id)
    assert page.model.index(0, page.model.Column.ACTION).data() == "Member details edited"
    page.action.setCurrentIndex(0)
    page.manager.setCurrentIndex(page.manager.findData(mw.session.manager.user_id))
    # tomorrow on the store's calendar (the filter's days are the store's): the machine's own date is a day
    # behind in the last hours of a UTC day, when Jerusalem is already on the next one
    with window.terminal.read() as session:
        zone = program_at(session, utcnow()).timezone
    tomorrow = local_date(utcnow(), zone) + timedelta(days=1)
    page.date_from.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    with qtbot.waitSignal(page.loaded, timeout=10000):
        page.refresh()
    assert page.model.rowCount() == 0  # nothing from tomorrow on
    qtmodeltester.check(page.model)
    wait_idle(qtbot, window)
    mw.lock()
