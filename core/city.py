"""The typed city: one row per district with canonical columns, plus metadata.

``load_city`` is the single door through which boundaries and attribute tables
become a :class:`City`; the app and the CLI both call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from core import columns as cols
from core import paths, readers, units
from core.errors import CityValidationError, InputError, Problem
from core.schema import schema_problems

WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class City:
    """A validated city.

    Attributes
    ----------
    districts
        GeoDataFrame in EPSG:4326, one row per district, ``district_id`` (str,
        unique) as a column, canonical columns in canonical units. Treat as
        read-only: it may be shared between sessions.
    name, source
        What the city is and where its data came from.
    illustrative
        True when the attributes are generated, not observed.
    lineage
        Every change made to the data on its way in, in order.
    extra_features
        Non-canonical numeric columns the user marked as model features.
    """

    districts: gpd.GeoDataFrame
    name: str
    source: str
    illustrative: bool = False
    lineage: tuple[str, ...] = ()
    extra_features: tuple[str, ...] = ()
    units: Mapping[str, str] = field(default_factory=dict)
    #: Monthly heating/cooling degree days (``month,hdd_c,cdd_c``) for the degree-day model;
    #: None when the city has none (the model is then unavailable).
    degree_days: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    @property
    def crs(self) -> str:
        return WGS84

    @property
    def n(self) -> int:
        return len(self.districts)

    def has(self, column: str) -> bool:
        """True when the column exists and holds at least one value."""
        return column in self.districts and self.districts[column].notna().any()

    def with_lineage(self, *entries: str) -> City:
        return replace(self, lineage=self.lineage + tuple(entries))


def load_city(
    boundaries: str | Path | gpd.GeoDataFrame,
    attributes: str | Path | pd.DataFrame | None = None,
    *,
    id_column: str = "district_id",
    attributes_id: str | None = None,
    mapping: Mapping[str, str] | None = None,
    units_by_column: Mapping[str, str] | None = None,
    name: str | None = None,
    source: str | None = None,
    illustrative: bool = False,
    layer: str | None = None,
    extra_features: tuple[str, ...] = (),
) -> City:
    """Read, join, convert and validate a city.

    Parameters
    ----------
    boundaries
        Polygon file (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet) or a GeoDataFrame.
    attributes
        Optional table (CSV, XLSX, Parquet) or DataFrame joined on the id.
    id_column, attributes_id
        Id column in the boundaries and in the attributes (defaults to ``id_column``).
    mapping
        ``{source column: canonical column}``; applied to both inputs.
    units_by_column
        ``{canonical column: unit}`` for columns not in canonical units, e.g.
        ``{"gas_kwh": "therm", "floor_area_m2": "ft2"}``.

    Raises
    ------
    InputError
        A file cannot be read, or an id column is missing.
    CityValidationError
        The data was read but has blocking problems (each says what to fix).
    """
    mapping = dict(mapping or {})
    lineage: list[str] = []
    gdf = boundaries if isinstance(boundaries, gpd.GeoDataFrame) else readers.read_boundaries(
        boundaries, layer=layer)
    gdf = _to_wgs84(gdf, lineage)
    gdf = _with_id(gdf.rename(columns=mapping), mapping.get(id_column, id_column), "boundaries")

    if attributes is not None:
        table = attributes if isinstance(attributes, pd.DataFrame) else readers.read_table(attributes)
        attr_id = attributes_id or id_column
        table = _with_id(table.rename(columns=mapping), mapping.get(attr_id, attr_id), "attributes")
        gdf = _join(gdf, table, lineage)

    units_used = dict(units_by_column or {})
    gdf = _convert_units(gdf, units_used, lineage)
    if "name" not in gdf or gdf["name"].isna().all():
        gdf["name"] = gdf["district_id"]
        lineage.append("name: no name column; district ids used as names")
    gdf = _coerce_numeric(gdf)
    validate_districts(gdf)

    label = name or (Path(boundaries).stem if isinstance(boundaries, str | Path) else "Uploaded city")
    src = source or (str(boundaries) if isinstance(boundaries, str | Path) else "uploaded data")
    ordered = [c for c in cols.CANONICAL if c in gdf] + [c for c in gdf if c not in cols.CANONICAL]
    gdf = gdf[ordered].reset_index(drop=True)
    return City(districts=gdf, name=label, source=src, illustrative=illustrative,
                lineage=tuple(lineage), extra_features=tuple(extra_features), units=units_used)


def default_city() -> City:
    """The bundled illustrative city (Chicago's 77 community areas), with its degree days."""
    from core.synthetic import load_degree_days

    city = load_city(
        paths.DEFAULT_BOUNDARIES,
        paths.DEFAULT_ATTRIBUTES,
        name="Chicago, 77 community areas",
        source="Boundaries: City of Chicago via libpysal (BSD-3-Clause); "
               "attributes: Greenprint's seeded generator (illustrative)",
        illustrative=True,
    )
    return replace(city, degree_days=load_degree_days(paths.DEFAULT_DEGREE_DAYS))


def validate_districts(gdf: gpd.GeoDataFrame) -> None:
    """Raise :class:`CityValidationError` listing every blocking problem."""
    problems: list[Problem] = []
    ids = gdf["district_id"]
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        problems.append(Problem("duplicate ids", f"{dup.nunique()} id(s) appear more than once",
                                "give every district a unique id", "district_id",
                                tuple(sorted(dup.unique()))))
    geom = gdf.geometry
    bad = ~geom.geom_type.isin(["Polygon", "MultiPolygon"]) | geom.is_empty | geom.isna()
    if bad.any():
        problems.append(Problem("geometry", "empty, point or line geometries found",
                                "provide polygon boundaries for every district", "geometry",
                                tuple(ids[bad].astype(str))))
    for name in cols.REQUIRED:
        if name not in gdf:
            problems.append(Problem("missing column", f"required column '{name}' is absent",
                                    f"map one of your columns to '{name}'", name))
    problems.extend(schema_problems(gdf))
    if problems:
        raise CityValidationError(problems)


def _to_wgs84(gdf: gpd.GeoDataFrame, lineage: list[str]) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            lineage.append("crs: none in file; coordinates are lon/lat, EPSG:4326 assumed")
            return gdf.set_crs(WGS84)
        raise InputError("the boundaries have no coordinate reference system and the coordinates "
                         "are not longitude/latitude; give the EPSG code of the file "
                         "(e.g. EPSG:3435 for Illinois East, US feet)")
    if gdf.crs.to_epsg() != 4326:
        lineage.append(f"crs: reprojected from {gdf.crs.to_string()} to EPSG:4326")
        return gdf.to_crs(WGS84)
    return gdf


def _with_id(frame: pd.DataFrame, column: str, side: str) -> pd.DataFrame:
    if column not in frame:
        raise InputError(f"the {side} have no column '{column}'; choose the id column from: "
                         f"{', '.join(map(str, frame.columns[:20]))}")
    out = frame.copy()
    ids = out.pop(column)
    out.insert(0, "district_id", normalise_ids(ids))
    return out


def normalise_ids(ids: pd.Series) -> pd.Series:
    """Ids as trimmed strings; whole-number floats lose their ``.0`` (1.0 -> "1")."""
    def one(v):
        if pd.isna(v):
            return None
        if isinstance(v, float | np.floating) and float(v).is_integer():
            return str(int(v))
        return str(v).strip()
    return ids.map(one).astype("string")


def _join(gdf: gpd.GeoDataFrame, table: pd.DataFrame, lineage: list[str]) -> gpd.GeoDataFrame:
    shared = [c for c in table.columns if c in gdf.columns and c != "district_id"]
    if shared:
        gdf = gdf.drop(columns=shared)
        lineage.append(f"join: attribute columns replace boundary columns {', '.join(shared)}")
    matched = gdf["district_id"].isin(table["district_id"])
    if not matched.any():
        raise InputError("no attribute row matches a boundary id; check the id columns on both "
                         f"sides (boundaries e.g. {list(gdf['district_id'][:3])}, attributes e.g. "
                         f"{list(table['district_id'][:3])})")
    if table["district_id"].duplicated().any():
        dups = sorted(table.loc[table["district_id"].duplicated(), "district_id"].unique())
        raise CityValidationError([Problem("duplicate ids", "attribute ids appear more than once",
                                           "keep one row per district in the attributes",
                                           "district_id", tuple(dups))])
    out = gdf.merge(table, on="district_id", how="left")
    if (~matched).any():
        lineage.append(f"join: {int((~matched).sum())} district(s) have no attribute row")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=gdf.crs)


def _convert_units(gdf: gpd.GeoDataFrame, units_by_column: dict[str, str],
                   lineage: list[str]) -> gpd.GeoDataFrame:
    for name, unit in units_by_column.items():
        spec = cols.CANONICAL.get(name) or cols.CANONICAL.get(_family(name))
        if spec is None:
            raise InputError(f"a unit was given for '{name}', which is not a canonical column; "
                             "give units by canonical name, e.g. gas_kwh=therm")
        if spec.kind not in units.UNITS:
            raise InputError(f"'{name}' ({spec.unit or 'no unit'}) takes no unit conversion; "
                             f"remove the unit '{unit}' for it")
        try:
            f = units.factor(spec.kind, unit)
        except units.UnitError as exc:
            raise InputError(f"column '{name}': {exc}") from exc
        if name not in gdf:
            continue
        if f != 1.0:
            gdf[name] = pd.to_numeric(gdf[name], errors="coerce") * f
            lineage.append(f"units: {name} converted from {unit} (x{f:.6g})")
    return gdf


def _family(name: str) -> str:
    return name.rsplit("_", 1)[0] if name[-2:].isdigit() else name


def _coerce_numeric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    problems = []
    for name in cols.NUMERIC:
        if name not in gdf or pd.api.types.is_numeric_dtype(gdf[name]):
            continue
        raw = gdf[name]
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        if bad.any():
            problems.append(Problem("type", f"{int(bad.sum())} value(s) are not numbers, e.g. "
                                    f"'{raw[bad].iloc[0]}'", f"make '{name}' numeric", name,
                                    tuple(gdf.loc[bad, "district_id"].astype(str))))
        gdf[name] = num
    if problems:
        raise CityValidationError(problems)
    for name in cols.NUMERIC:
        if name in gdf:
            gdf[name] = gdf[name].astype(float)
    return gdf
