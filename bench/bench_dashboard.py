"""Dashboard benchmark (issue 6): open the KPI dashboard for a year on a large store, offscreen Qt.

Reuses `bench_kpis.build_store` (100,000 members, 2,000,000 ledger entries, about a million sales by default)
and its statistics (`ANALYZE`), then times, five times: `set_range(a year)` → the worker computes `manager_reports.
dashboard()` → the tiles and the four charts are filled (`DashboardPage.filled`), and separately the first
paint of the filled page (`grab()`). Prints figures; asserts nothing (target: filled in < 1 s).
Run: `.venv/bin/python bench/bench_dashboard.py [--members N --entries N] [--store DIR]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_kpis import analyze, build_store  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402

from pos_client.services import till  # noqa: E402
from pos_client.terminal import Terminal  # noqa: E402
from ui.app import setup_application  # noqa: E402
from ui.dashboard import DashboardPage  # noqa: E402
from ui.worker import DbWorker  # noqa: E402


def open_year(page: DashboardPage, now: datetime) -> tuple[float, float]:
    """Milliseconds until the charts are filled, and for the first paint after that."""
    done: list[float] = []
    page.filled.connect(lambda _data: done.append(time.perf_counter()))
    start = time.perf_counter()
    page.set_range(now.date() - timedelta(days=364), now.date())
    while not done:
        QCoreApplication.processEvents()
        time.sleep(0.0005)  # a benchmark's event loop, not a test
    page.grab()
    painted = time.perf_counter()
    page.filled.disconnect()
    return (done[0] - start) * 1000, (painted - done[0]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=2_000_000)
    parser.add_argument("--store", type=Path, help="build the store in this folder, or reuse it if it is there")
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "big"
        if not (path / "kupa.sqlite3").exists():
            t = time.perf_counter()
            sales, _refunded = build_store(path, args.members, args.entries, now)
            print(f"built {sales:,} sales in {time.perf_counter() - t:.0f} s")
        analyze(path)
        app = setup_application()
        terminal = Terminal.open(path)
        labels = till.program_labels(terminal)
        worker = DbWorker(app)
        page = DashboardPage(worker, terminal, labels.currency, labels.tiers)
        page.resize(1280, 760)
        page.show()
        filled, painted = [], []
        for _ in range(5):
            a, b = open_year(page, now)
            filled.append(a)
            painted.append(b)
        data = page.data
        assert data is not None
        print(f"store: {args.members:,} members, {args.entries:,} entries; a year: {data.kpis.sales_total:,} sales, "
              f"{len(data.kpis.sales_per_day)} days, {len(data.kpis.points_per_week)} weeks")
        print(f"dashboard for a year: set_range → charts filled  median {statistics.median(filled):7.1f} ms  "
              f"max {max(filled):7.1f} ms (n=5; target < 1000 ms)")
        print(f"  then the first paint of the filled page        median {statistics.median(painted):7.1f} ms")
        worker.shutdown()
        terminal.close()


if __name__ == "__main__":
    main()
