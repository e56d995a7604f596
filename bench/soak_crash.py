"""Soak the kill-anywhere harness: 2,000 SIGKILLs of `kupa checkout`, `kupa refund` and `kupa sync --once`.

    .venv/bin/python bench/soak_crash.py [--kills 2000] [--batch 100] [--workers 2] [--spawn-share 0.1] [--seed 1]

Each batch copies a synced terminal and its HQ (`tests/reliability/rel_harness.py`), runs commands and kills
each after a random delay in [0, its typical duration]; after every run the store is checked (integrity,
whole-or-absent sales, reported sales present once, balances == ledger) and after every batch a clean sync
must leave HQ with exactly the terminal's sales and entries. `--spawn-share` of the batches start a fresh
`python -m pos_client` per command; the rest fork from a zygote that already imported the CLI. Prints the
figures and exits 1 on the first broken invariant.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "reliability"))

from rel_harness import KillStats, build_template, copy_template, kill_batch  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--spawn-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kupa-soak-crash-") as tmp:
        root = Path(tmp)
        template = build_template(root / "template")
        sizes = [args.batch] * (args.kills // args.batch) + ([args.kills % args.batch] if args.kills % args.batch else [])
        spawned = max(1, round(len(sizes) * args.spawn_share)) if args.spawn_share > 0 else 0

        def batch(n: int) -> KillStats:
            store, hq_file = copy_template(template, root / f"batch{n}")
            stats = kill_batch(store, hq_file, template.members, kills=sizes[n], seed=args.seed * 10_000 + n,
                               fork=n >= spawned)
            print(f"batch {n + 1}/{len(sizes)} ({'spawn' if n < spawned else 'fork'}): {stats.kills} kills,"
                  f" {stats.completed} completed, {stats.refused} refused; ok", flush=True)
            return stats

        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            results = list(pool.map(batch, range(len(sizes))))
    commands: Counter[str] = sum((r.by_command for r in results), Counter())
    print()
    print(f"kills survived          {sum(r.kills for r in results):,}")
    print(f"commands run            {sum(r.runs for r in results):,} ({', '.join(f'{k} {v:,}' for k, v in sorted(commands.items()))})")
    print(f"completed before kill   {sum(r.completed for r in results):,} (their ids checked at the counter and at HQ)")
    print(f"refused (exit 1)        {sum(r.refused for r in results):,}")
    print(f"store checks            {sum(r.runs for r in results) + 2 * len(results):,}, all passed")
    print(f"HQ exactly-once checks  {len(results)}, all passed")
    print(f"wall time               {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
