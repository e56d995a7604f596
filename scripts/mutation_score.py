"""Print the score of the last `./dev mutants` run: killed / (mutants that ran), and every surviving mutant.

mutmut keeps its results under `mutants/`; `mutmut export-cicd-stats` sums them. A timeout or a segfault
counts as killed (the tests noticed); "no tests" mutants are listed apart: no selected test reaches them.
After a sampled run (`./dev mutants --sample N PATTERN`, scripts/mutation_sample.py) it also prints the size of
the population sampled and the score's 95 % (Wilson) interval for the whole population.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

MUTMUT = Path(sys.executable).with_name("mutmut")


def main() -> int:
    subprocess.run([str(MUTMUT), "export-cicd-stats"], check=True, stdout=subprocess.DEVNULL)
    stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text(encoding="utf-8"))
    killed = stats["killed"] + stats.get("timeout", 0) + stats.get("segfault", 0) + stats.get("caught_by_type_check", 0)
    ran = killed + stats["survived"] + stats.get("suspicious", 0)
    listing = subprocess.run([str(MUTMUT), "results"], check=True, capture_output=True, text=True).stdout
    print("".join(line + "\n" for line in listing.splitlines() if not line.endswith(": not checked")), end="")
    print(json.dumps(stats, sort_keys=True))
    score = 100 * killed / ran if ran else 0.0
    print(f"mutation score: {killed}/{ran} killed = {score:.1f}% "
          f"(survived {stats['survived']}, no tests {stats.get('no_tests', 0)}, not checked {stats.get('not_checked', 0)})")
    sample = Path("mutants/kupa-sample.json")
    if sample.exists() and ran:
        drawn = json.loads(sample.read_text(encoding="utf-8"))
        low, high = wilson_interval(killed, ran)
        print(f"sample of {len(drawn['sample'])} of the {drawn['population']} mutants matching {drawn['pattern']!r} "
              f"(seed {drawn['seed']}): the whole population's score is {low:.1f}-{high:.1f}% (95 % interval)")
    return 0


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion, in percent: right near 100 %, where the normal one is not."""
    share = successes / trials
    centre = share + z * z / (2 * trials)
    spread = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    denominator = 1 + z * z / trials
    return 100 * (centre - spread) / denominator, 100 * (centre + spread) / denominator


if __name__ == "__main__":
    sys.exit(main())
