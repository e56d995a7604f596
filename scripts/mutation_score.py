"""Print the score of the last `./dev mutants` run: killed / (mutants that ran), and every surviving mutant.

mutmut keeps its results under `mutants/`; `mutmut export-cicd-stats` sums them. A timeout or a segfault
counts as killed (the tests noticed); "no tests" mutants are listed apart: no selected test reaches them.
"""

from __future__ import annotations

import json
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
    print(listing, end="")
    print(json.dumps(stats, sort_keys=True))
    score = 100 * killed / ran if ran else 0.0
    print(f"mutation score: {killed}/{ran} killed = {score:.1f}% "
          f"(survived {stats['survived']}, no tests {stats.get('no_tests', 0)}, not checked {stats.get('not_checked', 0)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
