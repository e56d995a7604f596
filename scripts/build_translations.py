"""Compile the Qt translation sources `resources/i18n/*.ts` into `.qm` files with PySide6's lrelease.

Run by `./dev setup`; safe to run again. Exits non-zero if lrelease is missing or fails.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "resources" / "i18n"


def lrelease() -> str:
    """The lrelease executable next to this Python (the venv's), else on PATH."""
    local = Path(sys.executable).with_name("pyside6-lrelease")
    found = str(local) if local.exists() else shutil.which("pyside6-lrelease") or shutil.which("lrelease")
    if not found:
        sys.exit("pyside6-lrelease not found: install PySide6 (pip install -e '.[ui]')")
    return found


def main() -> int:
    tool = lrelease()
    for ts in sorted(I18N.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        subprocess.run([tool, "-silent", str(ts), "-qm", str(qm)], check=True)
        print(f"built {qm.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
