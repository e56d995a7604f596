"""From a confirmed camera code to the member panel showing the balance, in the real app (offscreen).

    .venv/bin/python bench/bench_scan_to_panel.py                 # a fresh demo store (200 members, ~30 s once)
    .venv/bin/python bench/bench_scan_to_panel.py --data-dir DIR  # a copy of an existing store
    .venv/bin/python bench/bench_scan_to_panel.py --rounds 100

Each round issues a card to a demo member, emits the camera's `code_scanned(token)` on the GUI thread (what
the camera worker does once it has confirmed a code) and stops the clock when the member panel shows that
member's points — the lookup and token check on the database worker, the panel update on the GUI thread.
A cart line is on the sale, so the quote that follows is running too, as at a real counter. Target: < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication  # noqa: E402
from sqlalchemy import select  # noqa: E402

from pos_client.db.models import Member  # noqa: E402
from pos_client.services import till  # noqa: E402
from pos_client.services.members import issue_card  # noqa: E402
from pos_client.timeutil import utcnow  # noqa: E402


def make_store(path: Path, members: int) -> None:
    from pos_client.demo.generate import build_demo
    from pos_client.services.setup import init_terminal

    result = init_terminal(path, terminal_id="BENCH")
    build_demo(result.terminal, members=members)
    result.terminal.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="an existing store (copied, not changed)")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    from ui.app import build, wait_idle

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        if args.data_dir:
            shutil.copytree(args.data_dir, store)
        else:
            print(f"building a demo store with {args.members} members...", flush=True)
            make_store(store, args.members)
        _app, window = build(store, "en", camera=None)
        window.resize(1280, 800)
        window.show()
        window.signed_in(till.sign_in(window.terminal, "1111"))
        wait_idle(window)
        window.sale.add_product(till.product(window.terminal, "LATTE-L"))
        wait_idle(window)
        with window.terminal.unit_of_work() as session:
            ids = list(session.scalars(select(Member.member_id).order_by(Member.member_id).limit(args.rounds)))
        tokens = []
        for member_id in ids:
            with window.terminal.unit_of_work() as session:
                tokens.append(issue_card(window.terminal, session, member_id, utcnow())[1])
        panel = window.checkout.member_panel
        times: list[float] = []
        for round_ in range(args.rounds):
            token = tokens[round_ % len(tokens)]
            view = till.member_view(window.terminal, token)
            want = (view["name"], f"{view['points']:,} points")
            window.sale.clear_member()
            wait_idle(window)
            start = time.perf_counter()
            window.camera.code_scanned.emit(token)
            while (panel.name.text(), panel.points.text()) != want:
                QCoreApplication.processEvents()
            times.append((time.perf_counter() - start) * 1000)
            wait_idle(window)
        window.close()
        window.terminal.close()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"confirmed code -> member panel with balance, {len(times)} rounds: "
          f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms (target < 100 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
