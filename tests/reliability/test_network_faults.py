"""Network faults: over 1,000 push batches through a fault-injecting proxy on 127.0.0.1 (`net_soak`).

One push in five (and one pull or hello in twenty) is dropped, loses its answer after HQ committed, is
delayed past the terminal's read timeout or not, is reset mid-answer, or is sent twice. HQ must end with
each of the terminal's entries and sales exactly once, none lost, and equal balances. Batches are 1 to 3
outbox rows so 1,000 batches take seconds; `bench/soak_network.py` runs 10,000.
"""

from __future__ import annotations

from pathlib import Path

from net_soak import network_soak
from rel_harness import Template, copy_template


def test_a_thousand_faulty_push_batches_reach_hq_exactly_once(template: Template, tmp_path: Path) -> None:
    store, hq_file = copy_template(template, tmp_path)
    stats = network_soak(store, hq_file, template.members, batches=1000, seed=7)
    assert stats.batches >= 1000
    assert set(stats.faults) == {"drop_request", "drop_response", "delay", "reset", "duplicate"}
    assert sum(stats.faults.values()) >= 150
    print("NET", stats)
