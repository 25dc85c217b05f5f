"""Benchmark of the count (elections.counting.tally): random ballots over 13 candidates with a "No opinion" mix.

Targets (issue 4): 100,000 ballots in <= 1 s and 1,000,000 ballots in <= 10 s. Times are the median of
several runs of ``count()`` on ballots already in memory (as the command has them after reading the
database); peak memory is what tracemalloc sees ``count()`` allocate, in a separate run because tracing slows
the count down.

    .venv/bin/python bench/bench_tally.py           # the full run (about a minute)
    .venv/bin/python bench/bench_tally.py --quick   # a smoke run (a few seconds)

``run(quick)`` returns rows ``{"name", "value", "unit", "target"}``; ``target`` is the largest acceptable
value, or None for a figure reported for information.
"""

import argparse
import io
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from elections.counting.tally import count, read_ballots_csv, write_ballots_csv  # noqa: E402

CANDIDATES = [f"candidate-{i:02d}" for i in range(13)]


def random_ballots(number, seed=2024):
    """Ballots like real ones: each voter ranks some candidates (sometimes with ties) and leaves the rest at
    "No opinion"; half the ballots list those as None, half leave them out."""
    rng = np.random.default_rng(seed)
    n = len(CANDIDATES)
    # A random preference order per ballot; rank numbers 1..n with about one tie in ten ballots.
    ranks = np.argsort(rng.random((number, n)), axis=1).argsort(axis=1) + 1
    tied = rng.random(number) < 0.1
    ranks[tied] = np.maximum(ranks[tied] - 1, 1)
    ranked = rng.integers(1, n + 1, size=number)
    ranked[rng.random(number) < 0.4] = n
    no_opinion = ranks > ranked[:, None]
    rows = ranks.astype(object)
    rows[no_opinion] = None
    ballots = []
    for i, row in enumerate(rows.tolist()):
        ballot = dict(zip(CANDIDATES, row, strict=True))
        if i % 2:
            ballot = {c: r for c, r in ballot.items() if r is not None}
        ballots.append(ballot)
    return ballots


def _median_seconds(action, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _peak_mib(action):
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run(quick=False):
    """Run the benchmark; return its rows (see the module docstring)."""
    sizes = [(100_000, 1 if quick else 5, 1.0)] + ([] if quick else [(1_000_000, 3, 10.0)])
    rows = []
    for number, repeats, target in sizes:
        ballots = random_ballots(number)
        label = f"{number:,} ballots x {len(CANDIDATES)} candidates"
        rows.append({"name": f"count {label} (median of {repeats})",
                     "value": round(_median_seconds(lambda b=ballots: count(CANDIDATES, b, seats=3), repeats), 3),
                     "unit": "s", "target": target})
        rows.append({"name": f"count {label}: peak memory allocated by count()",
                     "value": round(_peak_mib(lambda b=ballots: count(CANDIDATES, b, seats=3)), 1),
                     "unit": "MiB", "target": None})
        if number == 100_000:
            text = io.StringIO()
            write_ballots_csv(CANDIDATES, ballots, text)
            csv_text = text.getvalue()
            rows.append({"name": f"read ballots.csv and count, {label} (median of {repeats})",
                         "value": round(_median_seconds(
                             lambda t=csv_text: count(*read_ballots_csv(t), seats=3), repeats), 3),
                         "unit": "s", "target": None})
        del ballots
    return rows


def markdown_table(rows):
    lines = ["| Measure | Value | Target |", "| --- | ---: | ---: |"]
    for row in rows:
        target = "" if row["target"] is None else f"<= {row['target']:g} {row['unit']}"
        lines.append(f"| {row['name']} | {row['value']:g} {row['unit']} | {target} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 100,000 ballots once")
    args = parser.parse_args()
    rows = run(quick=args.quick)
    print(markdown_table(rows))
    missed = [r for r in rows if r["target"] is not None and r["value"] > r["target"]]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
