"""Render every screen at 1024×768, 1366×768 and 1920×1080 in English and Hebrew, offscreen, into docs/screenshots/.

Builds a throw-away demo store (60 members, a year of history), then for each language and screen stages a
fresh window on a copy (`ui.screenshots.stage`: a sale, a member, a manager's corrections) and grabs it at
each size. Writes `docs/screenshots/{screen}_{W}x{H}_{lang}.png` (256-colour PNGs, a few MB in all); the
gallery is docs/screens.md.
Run: `QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out DIR] [--screen NAME ...]
[--lang en|he ...]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pos_client.demo.generate import build_demo  # noqa: E402
from pos_client.services.setup import init_terminal  # noqa: E402
from ui import screenshots  # noqa: E402
from ui.app import build  # noqa: E402
from ui.layout import SIZES  # noqa: E402


def render(store: Path, out: Path, lang: str, screen: str) -> list[Path]:
    """Stage `screen` on a copy of `store` and write it at every size."""
    written = []
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:  # a late -wal file is no failure
        copy = Path(tmp) / "store"
        shutil.copytree(store, copy)
        _app, window = build(copy, lang, camera=None)
        try:
            widget = screenshots.stage(window, screen)
            for width, height in SIZES:
                path = out / f"{screen}_{width}x{height}_{lang}.png"
                screenshots.save(screenshots.grab(window, widget, (width, height), screen), str(path))
                written.append(path)
        finally:
            screenshots.close(window)
    return written


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--screen", nargs="*", choices=screenshots.SCREENS, default=list(screenshots.SCREENS))
    parser.add_argument("--lang", nargs="*", choices=("en", "he"), default=["en", "he"])
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        result = init_terminal(store, terminal_id="DEMO")
        build_demo(result.terminal, members=60)
        result.terminal.close()
        for lang in args.lang:
            for screen in args.screen:
                for path in render(store, args.out, lang, screen):
                    print(path, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
