"""Network faults: 250 push batches (1,000 with KUPA_RELIABILITY_FULL=1) through a fault-injecting proxy on
127.0.0.1 (`net_soak`).

One push in five (and one pull or hello in twenty) is dropped, loses its answer after HQ committed, is
delayed past the terminal's read timeout or not, is reset mid-answer, or is sent twice. HQ must end with
each of the terminal's entries and sales exactly once, none lost, and equal balances. Batches are 1 to 3
outbox rows so 1,000 batches take seconds; `bench/soak_network.py` runs 10,000.
"""

from __future__ import annotations

from pathlib import Path

from net_soak import network_soak
from rel_harness import Template, copy_template, size

BATCHES = size(250, 1000)


def test_faulty_push_batches_reach_hq_exactly_once(template: Template, tmp_path: Path) -> None:
    store, hq_file = copy_template(template, tmp_path)
    stats = network_soak(store, hq_file, template.members, batches=BATCHES, seed=7)
    assert stats.batches >= BATCHES
    assert set(stats.faults) == {"drop_request", "drop_response", "delay", "reset", "duplicate"}
    assert sum(stats.faults.values()) >= BATCHES * 15 // 100  # one push in five is faulted
    print("NET", stats)
