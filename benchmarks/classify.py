"""Per-rerun costs in core: natural breaks (Fisher-Jenks) for the map's classes at 77 to
100,000 districts, and the grid emission factor.

    python benchmarks/classify.py [--sizes 77 801 10000 100000] [--repeats 7]

Times ``core.assess.maps.classify(values, "natural_breaks", 5)`` on seeded lognormal
values (median of ``--repeats`` warm runs, ms). Up to ``GREENPRINT_NATURAL_BREAKS_EXACT_MAX``
values (1,000 by default) the breaks are exact, mapclassify's to the last bit (tests/test_maps.py);
above it they are computed on that many evenly spaced quantiles, and the legend says so.
The reference measured in the same run is quantile classes of the same values, the
cheapest scheme (a sort); each figure is printed with its ratio against it.

Issue 13 measured 745 ms of a slider move at 801 districts in mapclassify's pure-Python
Fisher-Jenks. Against the gathering numpy version that preceded the strided one (same
process, alternating, shared 2-core machine): 25.3 -> 15.2 ms at 801 values, 109 -> 53 ms
at 10,000, 73 -> 62 ms at 100,000, the same breaks.

The grid factor (``carbon.grid_factor_kg_per_kwh``, asked about 11 times per rerun; issue 13
measured 2.5 ms per call while the tables were re-read) is timed per call, against
``np.interp`` of the same path alone (its arithmetic).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from core.assess import maps
from core.settings import get_settings


def median_ms(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[77, 801, 10_000, 100_000])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    exact_max = get_settings().natural_breaks_exact_max
    print(f"natural breaks, 5 classes; exact up to {exact_max:,} values, above on a "
          f"{exact_max:,}-value sample (GREENPRINT_NATURAL_BREAKS_EXACT_MAX)")
    print(f"{'values':>9} {'natural breaks ms':>18} {'quantiles ms':>13} {'ratio':>7}  how")
    for n in args.sizes:
        x = np.random.default_rng(n).lognormal(3.0, 1.0, n)
        fj = median_ms(lambda x=x: maps.classify(x, "natural_breaks", 5), args.repeats)
        q = median_ms(lambda x=x: maps.classify(x, "quantiles", 5), args.repeats)
        how = maps.sample_note(maps.classify(x, "natural_breaks", 5)) or "exact"
        print(f"{n:>9,} {fj:>18.2f} {q:>13.2f} {fj / q:>6.0f}x  {how}")
    grid_factor_section()


def grid_factor_section(calls: int = 10_000) -> None:
    """Microseconds per grid-factor call, and a rerun's 11 calls, against np.interp alone."""
    from core.assess import carbon
    from core.intake.reference_values import defaults

    refs = defaults()
    years, factors = zip(*refs.grid_path, strict=True)
    carbon.grid_factor_kg_per_kwh(refs, 2030)
    start = time.perf_counter()
    for _ in range(calls):
        carbon.grid_factor_kg_per_kwh(refs, 2030)
    per_call = (time.perf_counter() - start) / calls * 1e6
    start = time.perf_counter()
    for _ in range(calls):
        np.interp(2030, years, factors)
    interp = (time.perf_counter() - start) / calls * 1e6
    print(f"\ngrid factor: {per_call:.1f} µs per call, {11 * per_call / 1000:.3f} ms for a "
          f"rerun's 11 calls (issue 13: 2.5 ms per call); np.interp alone {interp:.1f} µs, "
          f"ratio {per_call / interp:.1f}x")


if __name__ == "__main__":
    main()
