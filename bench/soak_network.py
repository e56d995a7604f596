"""Soak the sync through the fault-injecting proxy: 10,000 push batches with random network faults.

    .venv/bin/python bench/soak_network.py [--batches 10000] [--seed 7]

Uses `tests/reliability/net_soak.py`: a synced terminal and a real HQ on 127.0.0.1 with the sync suite's
`FaultProxy` between them, one push in five (and one pull or hello in twenty) dropped, answered-then-lost,
delayed, reset or duplicated. At the end HQ must hold each of the terminal's entries and sales exactly once,
none lost, with equal balances. Prints the figures; exits 1 on the first broken invariant.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "reliability"))

from net_soak import network_soak  # noqa: E402
from rel_harness import build_template, copy_template  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kupa-soak-net-") as tmp:
        root = Path(tmp)
        template = build_template(root / "template")
        store, hq_file = copy_template(template, root / "run")
        stats = network_soak(store, hq_file, template.members, batches=args.batches, seed=args.seed)
    print(f"push batches             {stats.batches:,} ({stats.items:,} outbox rows) in {stats.cycles:,} sync cycles")
    print(f"push requests (retries)  {stats.push_requests:,}")
    print(f"faults injected          {sum(stats.faults.values()):,}: "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(stats.faults.items())))
    print(f"cycles given up (offline, retried next cycle)  {stats.failed_cycles:,}")
    print("HQ holds every entry and sale exactly once, none lost; balances equal")
    print(f"wall time                {stats.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
