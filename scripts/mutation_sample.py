"""Print a seeded random sample of mutant names, for `./dev mutants --sample N PATTERN`.

The whole pricing run is about 2,600 mutants: several hours on two cores, because a surviving mutant runs every
selected test, the property tests included. A uniform random sample of them estimates the score with a known
error (scripts/mutation_score.py prints the 95 % interval when a sample was run), and the same seed picks the
same mutants, so a survivor found in a sample can be re-run by name after a test is added.

mutmut 3 records every mutant it generated in `mutants/**/*.py.meta` (`exit_code_by_key`); this reads the names
from there, so it must run after mutmut has generated the mutants.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import random
import sys
from pathlib import Path

SAMPLE_FILE = Path("mutants/kupa-sample.json")


def mutant_names(root: Path = Path("mutants")) -> list[str]:
    """Every mutant mutmut generated, sorted (the order a seed samples from)."""
    names: list[str] = []
    for meta in root.rglob("*.py.meta"):
        names.extend(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return sorted(names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("pattern", nargs="?", default="*", help="a glob on mutant names, as mutmut takes")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    population = [name for name in mutant_names() if fnmatch.fnmatchcase(name, args.pattern)]
    if not population:
        print(f"no mutant matches {args.pattern!r}: run mutmut once to generate them", file=sys.stderr)
        return 2
    sample = sorted(random.Random(args.seed).sample(population, min(args.count, len(population))))
    SAMPLE_FILE.write_text(json.dumps({"pattern": args.pattern, "seed": args.seed, "population": len(population),
                                       "sample": sample}), encoding="utf-8")
    print("\n".join(sample))
    return 0


if __name__ == "__main__":
    sys.exit(main())
