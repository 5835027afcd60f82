"""Train the small spaCy NER baseline on CPU and print per-label P/R/F1.

Usage: python scripts/train_baseline.py [--version 1.0.0] [--epochs 30] [--seed 0] [--json]

Validation and test figures are printed when those splits hold documents. When they
are empty the script says so and prints a sanity check on held-out paragraphs of the
training document(s) instead, labelled as such: it is not a benchmark.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from hmeimim.errors import HmeimimError
from hmeimim.views.baseline import run_baseline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=None, help="release version (default: latest)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        result = run_baseline(args.version, epochs=args.epochs, seed=args.seed)
    except HmeimimError as error:
        print(error.render(), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(asdict(result), indent=2))
        return 0
    print(f"spaCy NER baseline, release {args.version or 'latest'}, seed {args.seed}")
    if result.losses:
        print(f"loss per epoch: first {result.losses[0]:.1f}, last {result.losses[-1]:.1f}")
    for note in result.notes:
        print(f"note: {note}")
    for evaluation in result.evaluations:
        print(f"\n== {evaluation.name}: {evaluation.description}")
        print(f"{'label':<10}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}{'pred':>6}")
        for score in [*evaluation.labels, evaluation.micro]:
            # A figure with no unit to count is undefined, not zero (n/a).
            p = f"{score.precision:.2f}" if score.predicted else "n/a"
            r = f"{score.recall:.2f}" if score.support else "n/a"
            f = f"{score.f1:.2f}" if score.support or score.predicted else "n/a"
            print(f"{score.label:<10}{p:>7}{r:>7}{f:>7}{score.support:>6}{score.predicted:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
