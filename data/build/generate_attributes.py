"""Write ``data/chicago/attributes.csv``: illustrative attributes for the default city.

Run from the repository root (after ``python data/build/build_boundaries.py``)::

    python data/build/generate_attributes.py

Reads ``data/chicago/districts.geojson``, ``data/generator_parameters.csv`` and
``data/chicago/degree_days.csv``, runs :func:`core.sample.attributes.generate_attributes`
with seed 2026 and rounds with :func:`core.sample.attributes.round_attributes`. The output
is illustrative data, not official statistics.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # allow running as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from core import paths  # noqa: E402
from core.sample.attributes import generate_city_tables  # noqa: E402

SEED = 2026
OUTPUT = paths.DEFAULT_ATTRIBUTES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    _, attrs = generate_city_tables(seed=args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    attrs.to_csv(args.output, index=False)
    per_capita = attrs["electricity_kwh"].sum() / attrs["population"].sum()
    print(f"wrote {os.path.relpath(args.output, ROOT)}: {len(attrs)} districts, "
          f"population {attrs['population'].sum():,}, "
          f"electricity {per_capita:,.0f} kWh/person/yr (seed {args.seed})")


if __name__ == "__main__":
    main()
