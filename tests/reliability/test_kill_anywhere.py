"""Kill anywhere: `kupa checkout`, `kupa refund` and `kupa sync --once` SIGKILLed at random moments.

60 kills in CI (200 with KUPA_RELIABILITY_FULL=1), in seeded batches run two at a time (2-core build
machine), each batch on its own copy of a synced terminal and its own HQ: 50 (180) kills of commands forked
from a zygote that already imported the CLI (so the random moment, uniform in [0, the command's typical
duration], falls in the command's work rather than in the interpreter's start) and 10 (20) kills of fresh
`python -m pos_client` processes. After every run
`check_store` proves the SQLite file intact, every sale whole or absent, every reported sale present once
and every balance equal to its ledger; after each batch a clean sync must leave HQ holding exactly the
terminal's sales and entries, once each. `bench/soak_crash.py` runs 2,000.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rel_harness import FULL, KillStats, Template, copy_template, kill_batch

#: (kills, forked?) per batch: 2 × 25 forked + 10 spawned = 60 kills; full: 4 × 45 forked + 20 spawned = 200.
#: A forked batch stays at 25 kills or more: each must see a checkout, a refund and a sync killed or run.
BATCHES = [(45, True)] * 4 + [(20, False)] if FULL else [(25, True)] * 2 + [(10, False)]
KILLS = sum(kills for kills, _fork in BATCHES)


def test_kills_lose_nothing_and_leave_nothing_half_done(template: Template, tmp_path: Path) -> None:
    def batch(n: int) -> KillStats:
        kills, fork = BATCHES[n]
        store, hq_file = copy_template(template, tmp_path / f"batch{n}")
        return kill_batch(store, hq_file, template.members, kills=kills, seed=1000 + n, fork=fork)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(batch, range(len(BATCHES))))
    assert sum(r.kills for r in results) == KILLS
    assert sum(r.completed for r in results) > 0  # some finished before their kill: their ids were checked
    assert all(r.by_command["checkout"] and r.by_command["refund"] and r.by_command["sync"]
               for r, (_kills, fork) in zip(results, BATCHES) if fork)
    print("KILLS", sum(r.runs for r in results), "runs", sum(r.completed for r in results), "completed",
          sum(r.refused for r in results), "refused")
