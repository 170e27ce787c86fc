"""Validation time and peak memory for 77, 801 and 10,000 districts.

    python benchmarks/validate.py [--sizes 77 801 10000]

77 is the bundled Chicago city; the other sizes are generated tessellations
(``core.sample.tessellation``) with generated attributes. Each size runs in a
fresh subprocess: wall time of ``core.intake.city.validate_city`` and its quality
report (read frames -> staged -> city -> report; files are already in memory), then a
second run under tracemalloc for the peak of Python-level allocations (numpy and pandas
included, GEOS not), and the process's peak RSS growth during validation. Ratios are against the first size.
Targets on a 2-core machine: 801 districts < 2 s, 10,000 < 20 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS_S = {801: 2.0, 10_000: 20.0}

CHILD = r"""
import json, resource, sys, time, tracemalloc
sys.path.insert(0, {root!r})
from core import paths
from core.intake.city import read_inputs, validate_city
from core.sample.city import sample_tables
n = {n}
if n == 77:
    gdf, table, _ = read_inputs(paths.DEFAULT_BOUNDARIES, paths.DEFAULT_ATTRIBUTES)
else:
    gdf, table = sample_tables(n, seed=1)
validate_city(gdf.iloc[:5], table.iloc[:5]).report  # warm imports and reference tables
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
r = validate_city(gdf, table).report
seconds = time.perf_counter() - t0
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
validate_city(gdf, table).report
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({{"n": n, "seconds": seconds, "peak_mb": peak / 2**20,
                  "rss_growth_mb": (rss1 - rss0) / 1024, "usable": r.usable,
                  "score": r.score, "warnings": len(r.warnings), "blocking": len(r.blocking),
                  "overlaps": len(r.overlaps), "gaps": len(r.gaps)}}))
"""


def measure(n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), n=n)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[77, 801, 10_000])
    args = parser.parse_args()
    rows = [measure(n) for n in args.sizes]
    ref = rows[0]
    print(f"{'districts':>9} {'time s':>8} {'x ref':>7} {'target s':>8} {'py peak MB':>10} "
          f"{'x ref':>7} {'RSS+ MB':>8} {'usable':>6} {'score':>6} {'warn':>5}")
    for r in rows:
        target = TARGETS_S.get(r["n"])
        print(f"{r['n']:>9,} {r['seconds']:>8.2f} {r['seconds'] / ref['seconds']:>7.1f} "
              f"{(f'{target:.0f}' if target else '-'):>8} {r['peak_mb']:>10.1f} "
              f"{r['peak_mb'] / ref['peak_mb']:>7.1f} {r['rss_growth_mb']:>8.1f} "
              f"{str(r['usable']):>6} {r['score']:>6.1f} {r['warnings']:>5}")


if __name__ == "__main__":
    main()
