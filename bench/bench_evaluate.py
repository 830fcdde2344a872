"""Benchmark: evaluate and rank N random units (all three schemes); prints wall time and peak memory.

    python bench/bench_evaluate.py [--units 10000] [--seed 1]

Goal (issue 2): 10,000 units under 3 s and under 500 MB peak on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring import evaluate_all, load_criteria, rank
from tests.strategies import random_unit


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t0 = time.perf_counter()
    criteria = load_criteria()
    t1 = time.perf_counter()
    rnd = random.Random(args.seed)
    subjects = criteria.subjects
    units = [random_unit(criteria, subjects[n % len(subjects)], n, rnd) for n in range(args.units)]
    t2 = time.perf_counter()
    results = evaluate_all(criteria, units)
    t3 = time.perf_counter()
    ranked = rank(results)
    t4 = time.perf_counter()
    records = sum(len(r.records) for r in results)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}")
    print(f"units: {args.units:,} ({', '.join(f'{s} {len(v):,}' for s, v in ranked.items())}); "
          f"trace records: {records:,}")
    print(f"load criteria:   {t1 - t0:7.3f} s")
    print(f"generate inputs: {t2 - t1:7.3f} s   (not part of the goal)")
    print(f"evaluate:        {t3 - t2:7.3f} s")
    print(f"rank:            {t4 - t3:7.3f} s")
    print(f"evaluate + rank: {t4 - t2:7.3f} s   (goal < 3 s)")
    print(f"peak RSS:        {peak_mb:7.1f} MB  (goal < 500 MB)")


if __name__ == "__main__":
    main()
