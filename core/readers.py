"""Readers for boundary files and attribute tables, with messages that say what to fix."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from core.errors import InputError

BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp", ".parquet", ".geoparquet")
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet")


def read_boundaries(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read district polygons from GeoJSON, GeoPackage, (zipped) Shapefile or GeoParquet."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"boundaries file not found: {path}")
    if suffix not in BOUNDARY_SUFFIXES:
        raise InputError(f"'{path.name}': boundaries must be one of {', '.join(BOUNDARY_SUFFIXES)}")
    try:
        if suffix in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
        else:
            gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio/arrow raise many types; the user needs one message
        raise InputError(f"cannot read boundaries '{path.name}': {_first_line(exc)}") from exc
    if gdf.empty:
        raise InputError(f"'{path.name}' holds no features")
    return gdf


def read_table(path: str | Path) -> pd.DataFrame:
    """Read an attribute table from CSV, XLSX or Parquet."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"attributes file not found: {path}")
    try:
        if suffix in (".csv", ".txt"):
            table = pd.read_csv(path, sep=None, engine="python")
        elif suffix == ".xlsx":
            table = pd.read_excel(path)
        elif suffix == ".parquet":
            table = pd.read_parquet(path)
        else:
            raise InputError(f"'{path.name}': attributes must be one of {', '.join(TABLE_SUFFIXES)}")
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read attributes '{path.name}': {_first_line(exc)}") from exc
    if table.empty:
        raise InputError(f"'{path.name}' has no rows")
    return table


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
