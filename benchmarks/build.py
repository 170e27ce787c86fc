"""Building a large city: the seeded sample's tables, then intake (join, checks, schema).

    python benchmarks/build.py [--sizes 100000 1000000]

Per size, one run each (seconds, wall clock): the tessellation (Voronoi cells clipped to a
square), the generated attributes, and ``load_city`` (staging, validation and the City),
the three steps behind ``sample_city``; then what a CLI command does with such a city's
files (GeoParquet boundaries, CSV attributes): read them and run the same intake.
The reference measured in the same run is the Voronoi diagram alone
(``shapely.voronoi_polygons`` of the same points): the geometry no intake can avoid; each
step is printed as a ratio against it.

Run it against another tree (e.g. the commit before a change) with
``PYTHONPATH=/path/to/that/tree python benchmarks/build.py``: it imports ``core`` from
there. Issue 13 measured 42 s of a 52.5 s CLI run at 1,000,000 districts building the city.
On the shared 2-core machine (load varying between runs, hence the ratios), before issue
13's build work against after it, at 1,000,000 districts: city built 63.4 s (3.8x the
Voronoi diagram) -> 21.8 s (2.6x), of it intake 26.5 s (1.6x) -> 4.6 s (0.6x); the CLI's
files read + intake 58.2 s (3.5x) -> 16.4 s (2.0x). At 100,000: CLI 13.3 s (12.3x) -> 6.5 s
(2.6x), intake 5.8 s (5.4x) -> 2.7 s (1.1x).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

from core import paths
from core.cli.common import city_from_args
from core.intake.city import load_city
from core.intake.degree_day_table import read_degree_days
from core.sample.attributes import generate_attributes
from core.sample.parameters import load_generator_parameters
from core.sample.tessellation import tessellation
from core.settings import get_settings


def voronoi_seconds(n: int, seed: int, half_m: float = 12_500.0) -> float:
    """The Voronoi diagram of the tessellation's points, alone (s)."""
    pts = np.random.default_rng(seed).uniform(-half_m, half_m, size=(n, 2))
    box = shapely.box(-half_m, -half_m, half_m, half_m)
    start = time.perf_counter()
    shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=box, ordered=True)
    return time.perf_counter() - start


def build(n: int) -> None:
    """Print the seconds of each step of building the sample city of ``n`` districts, and
    each against the Voronoi diagram alone, as they are measured."""
    ref = voronoi_seconds(n, seed=n)
    print(f"\n{n:,} districts", flush=True)

    def show(name: str, seconds: float) -> None:
        print(f"  {name:<28}{seconds:>8.2f} s  {seconds / ref:>6.1f} x the Voronoi diagram",
              flush=True)

    show("Voronoi alone (reference)", ref)
    start = time.perf_counter()
    districts = tessellation(n, seed=n)
    steps = {"tessellation": time.perf_counter() - start}
    show("tessellation", steps["tessellation"])
    start = time.perf_counter()
    attributes = generate_attributes(districts, load_generator_parameters(),
                                     read_degree_days(paths.DEFAULT_DEGREE_DAYS), seed=n)
    steps["attributes"] = time.perf_counter() - start
    show("attributes", steps["attributes"])
    start = time.perf_counter()
    city = load_city(districts, attributes, name=f"tessellation {n}")
    steps["load_city (intake)"] = time.perf_counter() - start
    show("load_city (intake)", steps["load_city (intake)"])
    assert city.n == n
    show("city built (sum)", sum(steps.values()))
    with tempfile.TemporaryDirectory() as tmp:
        boundaries, table = Path(tmp) / "districts.parquet", Path(tmp) / "attributes.csv"
        districts.to_parquet(boundaries)
        attributes.to_csv(table, index=False)
        start = time.perf_counter()
        city = city_from_args(boundaries, table, None, None, None, None, None, None)
        show("CLI: files read + intake", time.perf_counter() - start)
    assert city.n == n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = ap.parse_args()
    # the CLI step reads files of that many districts: allow them (default limit 250,000)
    os.environ.setdefault("GREENPRINT_MAX_FEATURES", str(max(args.sizes)))
    os.environ.setdefault("GREENPRINT_MAX_ROWS", str(max(args.sizes)))
    os.environ.setdefault("GREENPRINT_UPLOAD_LIMIT_MB", str(max(200, max(args.sizes) // 1000)))
    get_settings.cache_clear()
    print(f"core from {paths.__file__}")
    for n in args.sizes:
        build(n)

if __name__ == "__main__":
    main()
