"""The KPI dashboard: figures as tiles and four QtCharts for a range of store dates; CSV exports.

The figures come from `manager_reports.dashboard()` (which calls `compute_kpis`, the same SQL as
`kupa report kpis`) on the worker; the page only formats them: money with `format_money`, rates as
percentages, counts as numbers. Charts: sales per day (members / non-members, lines on a date axis), points
earned vs redeemed per week (bars), members by tier (pie), new members per week (bars). The default range is
this month, which answers "how much did the program cost (rewards cost) and bring (member revenue, basket
uplift) this month?".

Signals:
    filled(object): the `DashboardData` shown, once the tiles and charts are filled.
    message(str): a line for the manager window's message area.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCharts import (QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QDateTimeAxis, QLineSeries,
                              QPieSeries, QValueAxis)
from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QEvent, QPointF, Qt, QTime, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QDateEdit, QFileDialog, QFrame, QGridLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from pos_client.money import format_money
from pos_client.reports import FIGURE_KEYS
from pos_client.services import manager_reports
from pos_client.services.manager_reports import DashboardData
from pos_client.terminal import Terminal
from ui.i18n import error_text
from ui.layout import FlowLayout, vertical_scroll
from ui.qt_types import to_date
from ui.worker import DbWorker

MONEY_KEYS = {"avg_basket_member", "avg_basket_non_member", "rewards_cost", "member_revenue", "non_member_revenue",
              "basket_uplift"}
RATE_KEYS = {"adoption_rate", "repeat_purchase_rate", "redemption_rate"}
EXTRA_KEYS = ("member_revenue", "non_member_revenue", "basket_uplift")
CHART_MIN_HEIGHT = 300


def _tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


def caption(key: str) -> str:
    """A figure's caption in the current language."""
    return {"sales_total": _tr("Sales"), "member_sales": _tr("Member sales"), "adoption_rate": _tr("Adoption rate"),
            "members_total": _tr("Members"), "active_members": _tr("Active members"),
            "repeat_purchase_rate": _tr("Repeat-purchase rate"), "points_earned": _tr("Points earned"),
            "points_redeemed": _tr("Points redeemed"), "redemption_rate": _tr("Redemption rate"),
            "avg_basket_member": _tr("Average basket, members"),
            "avg_basket_non_member": _tr("Average basket, non-members"), "churned_members": _tr("Churned members"),
            "rewards_cost": _tr("Program cost (rewards)"), "member_revenue": _tr("Paid by members"),
            "non_member_revenue": _tr("Paid by non-members"),
            "basket_uplift": _tr("Extra from member baskets (est.)")}.get(key, key)


def tile_text(key: str, value: int | Decimal | None, currency: str) -> str:
    """How a figure reads on its tile (None: a dash)."""
    if value is None:
        return "—"
    if key in MONEY_KEYS:
        return format_money(int(value), currency)
    if key in RATE_KEYS:
        return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.1'))}%"
    return f"{int(value):,}"


def _msecs(day: date) -> float:
    return float(QDateTime(QDate(day.year, day.month, day.day), QTime(12, 0)).toMSecsSinceEpoch())


MAX_TICKS = 8


def day_ticks(days: int) -> tuple[int, int]:
    """(ticks, days between ticks) of a date axis over `days` days (points at noon) so that every tick falls on
    a day's noon: one label per tick, never "01/12 01/12 02/12" (ticks between days). The axis may run a few
    days past the last one so the ticks stay whole days apart."""
    if days <= 1:
        return 3, 1  # the day between its neighbours
    spans = days - 1
    every = -(-spans // (MAX_TICKS - 1))
    return -(-spans // every) + 1, every


def count_axis(top: int) -> tuple[int, int]:
    """(maximum, step) of an axis of whole counts up to `top`: integer ticks only, never "0 0 0 1" (a 0–1
    range cut in fifths and printed with %d). Steps 1, 2, 5, 10, 20, 50…, at most `MAX_TICKS` of them."""
    top = max(1, int(top))
    for step in _nice_steps():
        if -(-top // step) <= MAX_TICKS:
            return -(-top // step) * step, step
    raise AssertionError("unreachable: the steps grow without bound")


def _nice_steps() -> Iterator[int]:
    """1, 2, 5, 10, 20, 50, …"""
    scale = 1
    while True:
        yield from (scale, 2 * scale, 5 * scale)
        scale *= 10


def _count_axis(top: int) -> QValueAxis:
    axis = QValueAxis()
    maximum, step = count_axis(top)
    axis.setRange(0, maximum)
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setLabelFormat("%d")
    return axis


class DashboardPage(QWidget):
    """See the module docstring."""

    filled = Signal(object)
    message = Signal(str)

    def __init__(self, worker: DbWorker, terminal: Terminal, currency: str, tier_names: dict[str, dict[str, str]],
                 lang: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        self.worker, self.terminal, self.currency, self.tier_names, self.lang = \
            worker, terminal, currency, tier_names, lang
        self.data: DashboardData | None = None
        today = QDate.currentDate()
        self.date_from = QDateEdit(QDate(today.year(), today.month(), 1), objectName="dashFrom")
        self.date_to = QDateEdit(today, objectName="dashTo")
        for edit in (self.date_from, self.date_to):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setCalendarPopup(True)
        self.range_caption, self.to_caption = QLabel(), QLabel()
        self.refresh_button = QPushButton(objectName="dashRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.year_button = QPushButton(objectName="dashYear")
        self.year_button.clicked.connect(lambda: self.set_range(to_date(today.addDays(-364)), to_date(today)))
        self.export_figures = QPushButton(objectName="exportFigures")
        self.export_figures.clicked.connect(lambda: self._ask_export(True))
        self.export_members = QPushButton(objectName="exportMembers")
        self.export_members.clicked.connect(lambda: self._ask_export(False))
        self.range_caption.setBuddy(self.date_from)
        self.to_caption.setBuddy(self.date_to)
        bar = FlowLayout()  # wraps on a narrow screen
        for widget in (self.range_caption, self.date_from, self.to_caption, self.date_to, self.refresh_button,
                       self.year_button):
            bar.addWidget(widget)
        bar.addStretch()
        bar.addWidget(self.export_figures)
        bar.addWidget(self.export_members)
        self.tiles: dict[str, tuple[QLabel, QLabel]] = {}
        tiles = FlowLayout(uniform=True, max_columns=8)  # as many columns as fit
        for key in (*FIGURE_KEYS, *EXTRA_KEYS):
            frame = QFrame(objectName="kpiTile")
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            name, value = QLabel(objectName=f"caption_{key}"), QLabel("—", objectName=f"tile_{key}")
            value.setStyleSheet("font-size: 15pt; font-weight: bold;")
            inner = QVBoxLayout(frame)
            inner.setContentsMargins(6, 4, 6, 4)
            inner.addWidget(name)
            inner.addWidget(value)
            tiles.addWidget(frame)
            self.tiles[key] = (name, value)
        self.charts = {key: QChart() for key in ("sales", "points", "tiers", "new")}
        charts = QGridLayout()
        self.views: dict[str, QChartView] = {}
        for i, (key, chart) in enumerate(self.charts.items()):
            chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
            view = QChartView(chart)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(CHART_MIN_HEIGHT)  # room for the axes' labels and titles; the page scrolls
            charts.addWidget(view, i // 2, i % 2)
            self.views[key] = view
        content = QWidget(objectName="dashboardContent")
        inner_layout = QVBoxLayout(content)
        inner_layout.addLayout(bar)
        inner_layout.addLayout(tiles)
        inner_layout.addLayout(charts, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(vertical_scroll(content, "dashboardScroll"))  # the charts scroll on a short screen
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.range_caption.setText(_tr("From"))
        self.to_caption.setText(_tr("to"))
        self.refresh_button.setText(_tr("Show"))
        self.year_button.setText(_tr("Last 12 months"))
        self.export_figures.setText(_tr("Export figures (CSV)…"))
        self.export_members.setText(_tr("Export members (CSV)…"))
        for key, (name, _value) in self.tiles.items():
            name.setText(caption(key))
        for key, title in (("sales", _tr("Sales per day")), ("points", _tr("Points per week")),
                           ("tiers", _tr("Members by tier")), ("new", _tr("New members per week"))):
            self.charts[key].setTitle(title)
        if self.data is not None:
            self.show_data(self.data)

    def set_range(self, date_from: date, date_to: date) -> None:
        """Choose the range and compute it."""
        self.date_from.setDate(QDate(date_from.year, date_from.month, date_from.day))
        self.date_to.setDate(QDate(date_to.year, date_to.month, date_to.day))
        self.refresh()

    def refresh(self) -> None:
        """Compute the KPIs for the chosen range on the worker."""
        start, end = to_date(self.date_from.date()), to_date(self.date_to.date())
        terminal = self.terminal
        self.refresh_button.setEnabled(False)

        def failed(exc: Exception) -> None:
            self.refresh_button.setEnabled(True)
            self.message.emit(error_text(exc))

        self.worker.submit(lambda: manager_reports.dashboard(terminal, start, end), self.show_data, failed)

    def show_data(self, data: DashboardData) -> None:
        """Fill the tiles and charts."""
        self.data = data
        self.refresh_button.setEnabled(True)
        values = {**data.kpis.figures(), "member_revenue": data.member_revenue,
                  "non_member_revenue": data.non_member_revenue, "basket_uplift": data.basket_uplift}
        for key, (_name, label) in self.tiles.items():
            label.setText(tile_text(key, values[key], self.currency))
            label.setProperty("figure", values[key])
        self._fill_charts(data)
        self.filled.emit(data)

    def _reset(self, chart: QChart) -> None:
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)

    def _fill_charts(self, data: DashboardData) -> None:
        kpis = data.kpis
        chart = self.charts["sales"]
        self._reset(chart)
        members, others = QLineSeries(), QLineSeries()
        members.setName(_tr("Members"))
        others.setName(_tr("Non-members"))
        members.replace([QPointF(_msecs(d.day), d.member_sales) for d in kpis.sales_per_day])
        others.replace([QPointF(_msecs(d.day), d.non_member_sales) for d in kpis.sales_per_day])
        x_axis = QDateTimeAxis()
        x_axis.setFormat("dd/MM")
        days = [d.day for d in kpis.sales_per_day]
        if days:
            ticks, every = day_ticks(len(days))
            first = _msecs(days[0]) - (86_400_000 if len(days) == 1 else 0)  # one day: between its neighbours
            last = first + (ticks - 1) * every * 86_400_000
            x_axis.setRange(QDateTime.fromMSecsSinceEpoch(int(first)), QDateTime.fromMSecsSinceEpoch(int(last)))
            x_axis.setTickCount(ticks)
        top = max([max(d.member_sales, d.non_member_sales) for d in kpis.sales_per_day] or [1])
        y_axis = _count_axis(top)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (members, others):
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        self._bars(self.charts["points"], [w.week for w in kpis.points_per_week],
                   [(_tr("Earned"), [w.earned for w in kpis.points_per_week]),
                    (_tr("Redeemed"), [w.redeemed for w in kpis.points_per_week])])
        self._bars(self.charts["new"], [w.week for w in kpis.new_members_per_week],
                   [(_tr("New members"), [w.members for w in kpis.new_members_per_week])])
        chart = self.charts["tiers"]
        self._reset(chart)
        pie = QPieSeries()
        for row in kpis.members_by_tier:
            name = self.tier_names.get(row.tier or "", {}).get(self.lang) or row.tier or _tr("no tier")
            if row.members:
                pie.append(f"{name}: {row.members}", row.members).setLabelVisible(True)
        pie.setPieSize(0.6)
        chart.addSeries(pie)
        chart.legend().setVisible(False)

    def _bars(self, chart: QChart, weeks: list[date], sets: list[tuple[str, list[int]]]) -> None:
        self._reset(chart)
        series = QBarSeries()
        top = 1
        for name, values in sets:
            bar_set = QBarSet(name)
            bar_set.append([float(v) for v in values])
            series.append(bar_set)
            top = max([top, *values])
        chart.addSeries(series)
        x_axis, y_axis = QBarCategoryAxis(), _count_axis(top)
        x_axis.append([w.strftime("%d/%m") for w in weeks])
        if len(weeks) > 12:  # too many to label: the span as the axis title instead
            x_axis.setLabelsVisible(False)
            x_axis.setTitleText(f"{weeks[0]:%d/%m/%Y} – {weeks[-1]:%d/%m/%Y}")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)

    # -- export -----------------------------------------------------------------------------------------------
    def _ask_export(self, figures: bool) -> None:
        title = _tr("Export figures") if figures else _tr("Export members")
        name = "kupa_figures.csv" if figures else "kupa_members.csv"
        path, _filter = QFileDialog.getSaveFileName(self, title, name, _tr("CSV files (*.csv)"))
        if path:
            self.export(Path(path) if figures else None, None if figures else Path(path))

    def export(self, figures_path: Path | None, members_path: Path | None) -> None:
        """Write the shown figures and/or the member list as CSV on the worker."""
        if self.data is None and figures_path is not None:
            self.message.emit(_tr("Show a range first"))
            return
        kpis, terminal = self.data.kpis if self.data else None, self.terminal
        self.worker.submit(lambda: manager_reports.export_csv(terminal, kpis, figures_path, members_path),  # type: ignore[arg-type]
                           lambda rows: self.message.emit(_tr("Exported {0} rows").format(rows)),
                           lambda exc: self.message.emit(error_text(exc)))
