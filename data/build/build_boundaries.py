"""Build ``data/chicago/districts.geojson`` from the libpysal Chicago77 example.

Run from the repository root::

    python data/build/build_boundaries.py

The source is the ``Chicago77`` shapefile bundled in the libpysal wheel
(BSD-3-Clause; originally the City of Chicago community-area boundaries). It has
no ``.prj``; its coordinates are Illinois State Plane East (NAD83, US feet),
EPSG:3435. The coverage is simplified in that projected CRS with
``GeoSeries.simplify_coverage`` so shared edges stay shared (no gaps, no
slivers), made valid, reprojected to EPSG:4326 and written with coordinates
rounded to 6 decimals (about 0.1 m).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import geopandas as gpd
import libpysal
import shapely

from core.constants import WGS84

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(libpysal.__file__).parent / "examples" / "chicago" / "Chicago77.shp"
OUTPUT = ROOT / "data" / "chicago" / "districts.geojson"
SOURCE_CRS = "EPSG:3435"  # NAD83 / Illinois East (ftUS)
TOLERANCE_FT = 50.0  # simplification tolerance in the source CRS (US feet, ~15 m)
DECIMALS = 6

# Names whose plain title-casing is wrong.
_NAME_FIXES = {"OHARE": "O'Hare", "MCKINLEY PARK": "McKinley Park"}


def community_name(raw: str) -> str:
    """Title-case a Chicago77 ``COMMUNITY`` value ("LAKE VIEW" -> "Lake View")."""
    raw = " ".join(str(raw).split()).upper()
    return _NAME_FIXES.get(raw, raw.title())


def build(source: Path = SOURCE, tolerance: float = TOLERANCE_FT) -> gpd.GeoDataFrame:
    """Read, simplify (coverage-preserving), validate and reproject the boundaries.

    Parameters
    ----------
    source : Path
        The Chicago77 shapefile.
    tolerance : float
        Simplification tolerance in US feet (the source CRS unit).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``district_id`` (str), ``name`` and ``geometry`` in EPSG:4326,
        sorted by numeric id.
    """
    raw = gpd.read_file(source).set_crs(SOURCE_CRS, allow_override=True)
    ids = raw["AREA_NUMBE"].astype(int)
    if not (ids == raw["AREANO"].astype(int)).all():
        raise ValueError("AREA_NUMBE and AREANO disagree in the source file")
    geom = raw.geometry.simplify_coverage(tolerance).make_valid()
    out = gpd.GeoDataFrame(
        {"district_id": ids.astype(str), "name": raw["COMMUNITY"].map(community_name)},
        geometry=geom,
        crs=SOURCE_CRS,
    )
    out = out.assign(_n=ids).sort_values("_n").drop(columns="_n").reset_index(drop=True)
    out = out.to_crs(WGS84)
    out["geometry"] = shapely.set_precision(out.geometry.values, 10.0**-DECIMALS)
    # Rounding can in rare cases leave a degenerate ring; repair it if so.
    out["geometry"] = out.geometry.make_valid()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=TOLERANCE_FT,
                        help="simplification tolerance in US feet (default %(default)s)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    gdf = build(tolerance=args.tolerance)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(args.output, driver="GeoJSON", COORDINATE_PRECISION=DECIMALS)
    size_kb = args.output.stat().st_size / 1024
    print(f"wrote {os.path.relpath(args.output, ROOT)}: {len(gdf)} features, {size_kb:.1f} KiB")


if __name__ == "__main__":
    main()
