"""Start Kupa on the demo store: `python main.py [--data-dir DIR]`.

On first run the demo store is created in the user's data folder (or `--data-dir`), then the cashier app
opens. Where Qt cannot be imported, a short command-line walk-through of the demo store runs instead.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from pos_client.terminal import DB_NAME, default_data_dir


def ensure_demo(data_dir: Path) -> int:
    """Create the demo store unless there is a terminal; the exit code (the CLI printed why it failed)."""
    if not (data_dir / DB_NAME).exists():
        print(f"Creating the demo store in {data_dir} (about half a minute, once)...", flush=True)
        return subprocess.run([sys.executable, "-m", "pos_client", "--data-dir", str(data_dir), "init", "--demo",
                               "--terminal-id", "DEMO-1"], check=False).returncode
    return 0


def cli_walkthrough(data_dir: Path) -> int:
    kupa = [sys.executable, "-m", "pos_client", "--data-dir", str(data_dir)]
    steps = [
        ("The program in force", ["program", "show"]),
        ("A quote: 2 large lattes and running shoes", ["quote", "--item", "LATTE-L:2", "--item", "SHOE-RUN"]),
    ]
    for title, args in steps:
        print(f"\n== {title}: kupa {' '.join(args)}")
        subprocess.run(kupa + args, check=False)
    print(f"\nTry more with: .venv/bin/kupa --data-dir {data_dir} --help")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Kupa cashier app")
    parser.add_argument("--data-dir", type=Path, default=None)
    args, rest = parser.parse_known_args()
    data_dir = args.data_dir or default_data_dir()
    created = ensure_demo(data_dir)
    if created:
        return created
    try:
        from ui.app import run  # type: ignore[import-not-found]
    except ImportError:
        return cli_walkthrough(data_dir)
    return int(run(data_dir, rest))


if __name__ == "__main__":
    raise SystemExit(main())
