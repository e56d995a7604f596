"""Render the screens of staff and voids to PNG, offscreen, in English and Hebrew, at two sizes.

The sign-in screen, the manager's Staff tab (with a cashier added), the "Void sale" question over the
checkout and the "Change my PIN" dialog, at 1024×768 and 1920×1080, on a throw-away demo store (15 members):
`docs/screenshots/{staff,void,my_pin}_{en,he}_{W}x{H}.png` (the sign-in screen is `scripts/screenshots.py`'s).
Run: `QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/staff_screenshots.py [--out DIR]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtGui import QColor, QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from pos_client.demo.generate import MANAGER_PIN, build_demo  # noqa: E402
from pos_client.services import staff, till  # noqa: E402
from pos_client.services.setup import init_terminal  # noqa: E402
from ui.app import build, wait_idle  # noqa: E402
from ui.manager_window import ManagerSession, ManagerWindow  # noqa: E402

SIZES = ((1024, 768), (1920, 1080))


def _over(window: QWidget, dialog: QWidget) -> QPixmap:
    """The window dimmed, with the dialog drawn in its middle (offscreen dialogs are separate windows)."""
    shot = window.grab()
    top = dialog.grab()
    painter = QPainter(shot)
    painter.fillRect(shot.rect(), QColor(0, 0, 0, 110))
    painter.drawPixmap((shot.width() - top.width()) // 2, (shot.height() - top.height()) // 2, top)
    painter.end()
    return shot


def render(store: Path, out: Path, lang: str, size: tuple[int, int]) -> None:
    suffix = f"{lang}_{size[0]}x{size[1]}"
    _app, window = build(store, lang, camera=None)
    window.resize(*size)
    window.show()
    wait_idle(window)
    window.signed_in(till.sign_in(window.terminal, "1111"))
    wait_idle(window)
    for sku, qty in (("LATTE-L", 2), ("CROISSANT", 1)):
        window.sale.add_product(till.product(window.terminal, sku), qty)
        wait_idle(window)
    window.checkout.confirm_void()
    wait_idle(window)
    _over(window, window.checkout.void_dialog).save(str(out / f"void_{suffix}.png"))
    window.checkout.void_dialog.reject()
    window.open_change_pin()
    wait_idle(window)
    _over(window, window.pin_dialog).save(str(out / f"my_pin_{suffix}.png"))
    window.pin_dialog.reject()
    session = ManagerSession(till.manager_check(window.terminal, MANAGER_PIN), MANAGER_PIN)
    mw = ManagerWindow(window.terminal, window.worker, window.labels, window.languages, session)
    mw.resize(*size)
    mw.show()
    mw.tabs.setCurrentWidget(mw.staff)
    wait_idle(window)
    mw.staff.table.selectRow(0)
    mw.staff.name.setText("נועה לוי" if lang == "he" else "Noa Levi")
    wait_idle(window)
    mw.grab().save(str(out / f"staff_{suffix}.png"))
    mw.lock()
    window.close()
    window.terminal.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--one", nargs=3, metavar=("STORE", "LANG", "WxH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.one:  # one render per process: windows of an earlier render must not see the language switch
        width, _, height = args.one[2].partition("x")
        render(Path(args.one[0]), args.out, args.one[1], (int(width), int(height)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        result = init_terminal(store, terminal_id="T1")
        build_demo(result.terminal, members=15)
        staff.add(result.terminal, name="Yossi Mizrahi", role="cashier", pin="7531", manager_pin=MANAGER_PIN)
        staff.disable(result.terminal, 3, MANAGER_PIN, "left the shop")
        staff.add(result.terminal, name="Rina Cohen", role="cashier", pin="8642", manager_pin=MANAGER_PIN)
        result.terminal.close()
        for lang in ("en", "he"):
            for size in SIZES:
                copy = Path(tmp) / f"{lang}_{size[0]}"
                shutil.copytree(store, copy)  # each render starts from the same store (no cart left over)
                subprocess.run([sys.executable, __file__, "--out", str(args.out), "--one", str(copy), lang,
                                f"{size[0]}x{size[1]}"], check=True)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
