"""Render the manager's screens (member status, dashboard, audit log) to PNG, offscreen, in English and Hebrew.

Builds a throw-away demo store (60 members), makes a few audited corrections so the audit log has rows, and
writes `docs/screenshots/manager_{status,dashboard,audit}_{en,he}.png` (1280×800).
Run: `QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/manager_screenshots.py [--out DIR]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from pos_client.db.models import Member  # noqa: E402
from pos_client.demo.generate import MANAGER_PIN, build_demo  # noqa: E402
from pos_client.services import manager_actions, points, till  # noqa: E402
from pos_client.services.setup import init_terminal  # noqa: E402
from ui.app import build, wait_idle  # noqa: E402
from ui.manager_window import ManagerSession, ManagerWindow  # noqa: E402


def _silver_member(terminal) -> str:  # type: ignore[no-untyped-def]
    with terminal.read() as session:
        ids = list(session.scalars(select(Member.member_id).order_by(Member.member_id)))
    for member_id in ids:
        if till.member_view(terminal, member_id)["tier"] == "silver":
            return member_id
    return ids[0]


def render(store: Path, out: Path, lang: str) -> None:
    _app, window = build(store, lang, camera=None)
    window.signed_in(till.sign_in(window.terminal, "1111"))
    wait_idle(window)
    session = ManagerSession(till.manager_check(window.terminal, MANAGER_PIN), MANAGER_PIN)
    mw = ManagerWindow(window.terminal, window.worker, window.labels, window.languages, session)
    mw.resize(1280, 800)
    mw.show()
    mw.status_page.load(_silver_member(window.terminal))
    wait_idle(window)
    mw.grab().save(str(out / f"manager_status_{lang}.png"))
    mw.tabs.setCurrentWidget(mw.dashboard)
    wait_idle(window)
    today = date.today()
    mw.dashboard.set_range(today - timedelta(days=364), today)
    wait_idle(window)
    mw.grab().save(str(out / f"manager_dashboard_{lang}.png"))
    mw.tabs.setCurrentWidget(mw.audit)
    wait_idle(window)
    mw.grab().save(str(out / f"manager_audit_{lang}.png"))
    mw.lock()
    window.close()
    window.terminal.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        result = init_terminal(store, terminal_id="DEMO")
        build_demo(result.terminal, members=60)
        terminal = result.terminal
        member = _silver_member(terminal)
        with terminal.read() as session:
            other = session.scalars(select(Member.member_id).where(Member.member_id != member)
                                    .order_by(Member.member_id.desc())).first()
        points.adjust(terminal, member, 120, "coffee machine charged twice", MANAGER_PIN)
        manager_actions.edit_member(terminal, str(other), manager_actions.MemberDetails(
            name="Noa Levi", phone="054-5550101", email="noa@example.com"), "customer asked", MANAGER_PIN)
        manager_actions.reissue_card(terminal, member, "card lost", MANAGER_PIN)
        terminal.close()
        for lang in ("en", "he"):
            render(store, args.out, lang)
    for path in sorted(args.out.glob("manager_*.png")):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
