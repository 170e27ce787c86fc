"""Write the illustrative attributes of the bundled boundaries (the sample city of tests and
benchmarks, ``core.sample.chicago.illustrative_chicago``) to a CSV, to look at or to upload.
The bundled ``data/chicago/attributes.csv`` is real data (build_chicago_2010.py), never this.

Run from the repository root::

    python data/build/generate_attributes.py [--output FILE]

Reads ``data/chicago/districts.geojson``, ``data/generator_parameters.csv`` and
``data/chicago/degree_days.csv``, runs :func:`core.sample.attributes.generate_attributes`
with seed 2026 and rounds with :func:`core.sample.attributes.round_attributes`. The output
is illustrative data, not official statistics.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # allow running as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from core.sample.attributes import generate_city_tables  # noqa: E402

SEED = 2026
OUTPUT = Path(tempfile.gettempdir()) / "greenprint-illustrative-attributes.csv"


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
