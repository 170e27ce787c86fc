"""The typed city: one row per district with canonical columns, plus metadata.

``load_city`` is the single door through which boundaries and attribute tables
become a :class:`City`; the app and the CLI both call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from core import paths
from core.constants import WGS84
from core.errors import CityValidationError
from core.intake import readers, staging


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
    display: gpd.GeoSeries | None = field(default=None, compare=False, repr=False)  # map-only geometry
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

    def with_display(self, tolerance_share: float) -> City:
        """This city with a simplified copy of its boundaries for maps (shared edges kept)."""
        from core.intake.geometry import display_geometry

        simple, tolerance_m = display_geometry(self.districts, tolerance_share)
        if tolerance_m == 0:
            return self
        return replace(self, display=simple, lineage=self.lineage + (
            f"display: map boundaries simplified with simplify_coverage ({tolerance_m:,.0f} m); "
            "all figures use the original boundaries",))

    @property
    def map_geometry(self) -> gpd.GeoSeries:
        """Geometry to draw: the simplified display copy when there is one."""
        return self.display if self.display is not None else self.districts.geometry


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
    crs: str | None = None,
    cleaning: staging.Cleaning | None = None,
) -> City:
    """Read, join, convert and validate a city.

    Parameters
    ----------
    boundaries
        Polygon file (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet) or a GeoDataFrame.
        A GeoParquet written by :func:`write_city` brings its name, source and lineage.
    attributes
        Optional table (CSV, XLSX, Parquet) or DataFrame joined on the id.
    id_column, attributes_id
        Id column in the boundaries and in the attributes (defaults to ``id_column``).
    mapping
        ``{source column: canonical column}``; applied to both inputs.
    units_by_column
        ``{canonical column: unit}`` for columns not in canonical units, e.g.
        ``{"gas_kwh": "therm", "floor_area_m2": "ft2"}``.
    crs
        CRS of the boundaries when the file has none (or a wrong one), e.g. "EPSG:3435".
    cleaning
        Changes the user asked for (drop duplicate rows, exclude ids, ...).

    Raises
    ------
    InputError
        A file cannot be read, or an id column is missing.
    CityValidationError
        The data was read but has blocking problems (each says what to fix).
    """
    gdf, table, saved = read_inputs(boundaries, attributes, layer)
    staged = staging.stage(gdf, table, id_column=id_column, attributes_id=attributes_id,
                          mapping=mapping, units_by_column=units_by_column,
                          extra_features=extra_features, crs=crs,
                          cleaning=cleaning or staging.Cleaning())
    if staged.blocking:
        raise CityValidationError(staged.blocking)
    label = name or saved.get("name") or (
        Path(boundaries).stem if isinstance(boundaries, str | Path) else "Uploaded city")
    src = source or saved.get("source") or (
        str(boundaries) if isinstance(boundaries, str | Path) else "uploaded data")
    return city_from_staged(staged, label, src, illustrative or bool(saved.get("illustrative")),
                            prior_lineage=tuple(saved.get("lineage", ())))


def read_inputs(boundaries: str | Path | gpd.GeoDataFrame,
                attributes: str | Path | pd.DataFrame | None,
                layer: str | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame | None, dict]:
    """Read both inputs (files or frames); also return a saved city's metadata, if any."""
    gdf = boundaries if isinstance(boundaries, gpd.GeoDataFrame) else readers.read_boundaries(
        boundaries, layer=layer)
    saved = dict(gdf.attrs.get(readers.SAVED_CITY) or {})
    table = None
    if attributes is not None:
        table = attributes if isinstance(attributes, pd.DataFrame) else readers.read_table(attributes)
    return gdf, table, saved


def city_from_staged(staged: staging.Staged, name: str, source: str, illustrative: bool = False,
                     prior_lineage: tuple[str, ...] = ()) -> City:
    """The :class:`City` of a staged city without blocking problems."""
    if staged.blocking:
        raise CityValidationError(staged.blocking)
    return City(districts=staged.districts, name=name, source=source, illustrative=illustrative,
                lineage=prior_lineage + tuple(staged.lineage),
                extra_features=staged.extra_features, units=dict(staged.units))


def write_city(city: City, path: str | Path) -> Path:
    """Save a city as GeoParquet that :func:`load_city` accepts as boundaries (no attributes)."""
    import json

    import pyarrow.parquet as pq

    path = Path(path)
    city.districts.to_parquet(path, index=False)
    table = pq.read_table(path)
    meta = {"name": city.name, "source": city.source, "illustrative": city.illustrative,
            "lineage": list(city.lineage) + [f"saved: written to {path.name}"],
            "extra_features": list(city.extra_features), "units": dict(city.units)}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           readers.SAVED_CITY.encode(): json.dumps(meta).encode()})
    pq.write_table(table, path)
    return path


def default_city() -> City:
    """The bundled illustrative city (Chicago's 77 community areas), with its degree days."""
    from core.sample.synthetic import load_degree_days

    city = load_city(
        paths.DEFAULT_BOUNDARIES,
        paths.DEFAULT_ATTRIBUTES,
        name="Chicago, 77 community areas",
        source="Boundaries: City of Chicago via libpysal (BSD-3-Clause); "
               "attributes: Greenprint's seeded generator (illustrative)",
        illustrative=True,
    )
    return replace(city, degree_days=load_degree_days(paths.DEFAULT_DEGREE_DAYS))


normalise_ids = staging.normalise_ids
