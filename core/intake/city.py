"""The typed city: one row per district with canonical columns, plus metadata.

``validate_city`` is the single door through which boundaries and attribute tables
become a :class:`City`: it never raises for problems in the data, and returns them
with the city when none blocks. ``load_city`` is the same door that raises
:class:`CityValidationError` instead. The Data page, every CLI command, the bundled
city and the tests come in through them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from core import paths
from core.constants import WGS84
from core.errors import CityValidationError, Problem
from core.i18n import _
from core.intake import columns, quality, readers, staging
from core.intake.degree_day_table import read_degree_days
from core.intake.estimates import Estimate
from core.intake.mapping import ColumnMapping
from core.intake.reference_values import ReferenceValues, defaults, from_saved


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
    estimates
        The columns Greenprint estimated (and the income basis, under
        ``core.intake.estimates.INCOME``), by column: formula, figures, sources.
    """

    districts: gpd.GeoDataFrame
    name: str
    source: str
    illustrative: bool = False
    lineage: tuple[str, ...] = ()
    extra_features: tuple[str, ...] = ()
    units: Mapping[str, str] = field(default_factory=dict)
    estimates: Mapping[str, Estimate] = field(default_factory=dict)
    display: gpd.GeoSeries | None = field(default=None, compare=False, repr=False)  # map-only geometry
    #: Monthly heating/cooling degree days (``month,hdd_c,cdd_c``) for the degree-day model;
    #: None when the city has none (the model is then unavailable).
    degree_days: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    #: Canonical energy column -> ids of the districts whose value is the energy model's
    #: prediction, not an observation (see core.models); empty when all are observed.
    predicted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Currency, emission factors, prices, equity thresholds and intervention costs, each
    #: with its source (core.intake.reference_values); the US tables unless the city has its own.
    references: ReferenceValues = field(default_factory=defaults)

    @property
    def crs(self) -> str:
        return WGS84

    @property
    def n(self) -> int:
        return len(self.districts)

    def has(self, column: str) -> bool:
        """True when the column exists and holds at least one value."""
        return column in self.districts and self.districts[column].notna().any()

    @property
    def with_data(self) -> pd.Series:
        """True for each district that has data (an attribute row with a population); the
        others stay on the map as "no data" and are left out of every analysis
        (:func:`core.intake.columns.with_data`)."""
        return columns.with_data(self.districts)

    @property
    def n_with_data(self) -> int:
        return int(self.with_data.sum())

    @property
    def n_without_data(self) -> int:
        return self.n - self.n_with_data

    @property
    def no_data_ids(self) -> tuple[str, ...]:
        """Ids of the districts without data, in city order."""
        return tuple(self.districts.loc[~self.with_data, "district_id"].astype(str))

    def coverage(self) -> str | None:
        """How many districts have data, in words (None when all of them do), e.g. ``795 of
        801 districts have data; 6 shown as no data (no attribute row or no population) and
        left out of the analyses``."""
        return coverage_text(self.n_with_data, self.n)

    def predicted_mask(self, *columns: str) -> np.ndarray:
        """(n,) bool: districts whose value of one of ``columns`` is the energy model's
        prediction (``predicted``), not an observation."""
        ids = {i for c in columns for i in self.predicted.get(c, ())}
        return self.districts["district_id"].astype(str).isin(ids).to_numpy()

    def estimated(self, column: str) -> bool:
        """True when ``column`` holds Greenprint's estimate, not the city's data."""
        return column in self.estimates

    def with_lineage(self, *entries: str) -> City:
        return replace(self, lineage=self.lineage + tuple(entries))

    def with_references(self, references: ReferenceValues) -> City:
        """This city with other reference values, recorded in its lineage."""
        return replace(self, references=references).with_lineage(references.describe())

    def with_display(self, tolerance_share: float) -> City:
        """This city with a lighter copy of its boundaries for maps (simplified, shared edges
        kept, coordinates rounded: core.assess.display)."""
        from core.assess.display import display_geometry

        simple, tolerance_m, decimals = display_geometry(self.districts, tolerance_share)
        if tolerance_m == 0:
            return self
        return replace(self, display=simple, lineage=self.lineage + (
            f"display: map boundaries simplified with simplify_coverage ({tolerance_m:,.0f} m), "
            f"coordinates rounded to {decimals} decimals; all figures use the original "
            "boundaries",))

    @property
    def map_geometry(self) -> gpd.GeoSeries:
        """Geometry to draw: the simplified display copy when there is one."""
        return self.display if self.display is not None else self.districts.geometry


def coverage_text(n_with_data: int, n: int) -> str | None:
    """``795 of 801 districts have data; 6 shown as no data ...`` (None when all have data)."""
    missing = n - n_with_data
    if missing == 0:
        return None
    return _("{n_with_data:,} of {n:,} districts have data; {missing:,} shown as no data (no "
             "attribute row or no population) and left out of the analyses").format(
        n_with_data=n_with_data, n=n, missing=missing)


@dataclass(frozen=True, eq=False)
class Validation:
    """What :func:`validate_city` found: the staged districts with every problem, the
    :class:`City` when nothing blocks, and the quality report.

    The report is built on first use (its geometry checks, overlaps and gaps, cost more
    than loading) and then kept. It adds warnings only, so ``usable`` is the same
    before and after it is built.
    """

    staged: staging.Staged
    city: City | None  # None while blocking problems remain
    prior_lineage: tuple[str, ...] = ()  # a saved city's lineage, before this reading's

    @property
    def blocking(self) -> list[Problem]:
        return self.staged.blocking

    @property
    def usable(self) -> bool:
        return not self.blocking

    @property
    def districts(self) -> gpd.GeoDataFrame:
        """The staged districts, usable or not (for a preview map)."""
        return self.staged.districts

    @cached_property
    def report(self) -> quality.QualityReport:
        return quality.assess(self.staged, self.prior_lineage)

    def city_or_raise(self) -> City:
        """The city; :class:`CityValidationError` with every blocking problem when there is none."""
        if self.city is None:
            raise CityValidationError(self.blocking)
        return self.city


def validate_city(
    boundaries: str | Path | gpd.GeoDataFrame,
    attributes: str | Path | pd.DataFrame | None = None,
    mapping: ColumnMapping | None = None,
    cleaning: staging.Cleaning | None = None,
    *,
    name: str | None = None,
    source: str | None = None,
    illustrative: bool = False,
    figures: Mapping[str, object] | None = None,
    references: ReferenceValues | None = None,
) -> Validation:
    """Read, join, convert and check a city; never raises for problems in the data.

    Parameters
    ----------
    boundaries
        Polygon file (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet) or a GeoDataFrame.
        A GeoParquet written by :func:`write_city` brings its name, source and lineage.
    attributes
        Optional table (CSV, XLSX, Parquet) or DataFrame joined on the id.
    mapping
        Id columns (``district_id`` when none is given), ``{source column: canonical
        column}``, ``{canonical column: unit}`` for columns not in canonical units (e.g.
        ``{"gas_kwh": "therm"}``), extra model features, the GeoPackage layer and the CRS
        of boundaries whose file has none (or a wrong one), e.g. "EPSG:3435".
    cleaning
        Changes the user asked for (drop duplicate rows, exclude ids, ...).
    name, source, illustrative
        What the city is called and where it came from (defaults: a saved city's own,
        else the file's name and path).
    figures
        The user's values for figures of ``data/estimate_parameters.csv`` by name, e.g.
        ``{"persons_per_household": 2.3}``, used to estimate absent columns
        (:mod:`core.intake.estimates`).
    references
        The city's reference values (:mod:`core.intake.reference_values`: currency,
        factors, prices, thresholds, costs); default: a saved city's own, else the US tables.

    Raises
    ------
    InputError
        A file cannot be read, the inputs cannot be joined at all (an id column missing),
        a figure is not valid, or a saved city's reference values no longer are.
    """
    m = mapping or ColumnMapping()
    gdf, table, saved = read_inputs(boundaries, attributes, m.layer, m.encoding)
    staged = staging.stage(gdf, table, id_column=m.id_column or "district_id",
                          attributes_id=m.attributes_id, mapping=m.columns,
                          units_by_column=m.units, extra_features=tuple(m.extra_features),
                          crs=m.crs, cleaning=cleaning or staging.Cleaning(), figures=figures,
                          saved_estimates=saved.get("estimates"))
    prior = tuple(saved.get("lineage", ()))
    if staged.blocking:
        return Validation(staged, None, prior)
    path = boundaries if isinstance(boundaries, str | Path) else None
    refs = references if references is not None else from_saved(saved.get("references"))
    given = (refs.describe(),) if references is not None and not references.is_default else ()
    city = City(districts=staged.districts,
                name=name or saved.get("name") or (Path(path).stem if path else "Uploaded city"),
                source=source or saved.get("source") or (str(path) if path else "uploaded data"),
                illustrative=illustrative or bool(saved.get("illustrative")),
                lineage=prior + tuple(staged.lineage) + given,
                extra_features=staged.extra_features,
                units=dict(staged.units), estimates=dict(staged.estimates),
                predicted=saved_predicted(saved, staged.districts), references=refs)
    return Validation(staged, city, prior)


def saved_predicted(saved: Mapping, districts: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """A saved city's ``predicted`` (energy column -> ids), kept for the ids that are still
    districts with a value in that column (an attribute table may since have observed them)."""
    entry = saved.get("predicted")
    if not isinstance(entry, Mapping):
        return {}
    ids = districts["district_id"].astype(str)
    out = {}
    for column, listed in entry.items():
        if column not in districts or not isinstance(listed, list | tuple):
            continue
        kept = ids[ids.isin([str(i) for i in listed]) & districts[column].notna()]
        if len(kept):
            out[str(column)] = tuple(kept)
    return out


def load_city(
    boundaries: str | Path | gpd.GeoDataFrame,
    attributes: str | Path | pd.DataFrame | None = None,
    mapping: ColumnMapping | None = None,
    cleaning: staging.Cleaning | None = None,
    *,
    name: str | None = None,
    source: str | None = None,
    illustrative: bool = False,
    figures: Mapping[str, object] | None = None,
    references: ReferenceValues | None = None,
) -> City:
    """:func:`validate_city`, or raise: the city when no blocking problem remains.

    Takes the same inputs as :func:`validate_city`; the quality report is not built.

    Raises
    ------
    InputError
        A file cannot be read, an id column is missing, or a figure is not valid.
    CityValidationError
        The data was read but has blocking problems (each says what to fix).
    """
    return validate_city(boundaries, attributes, mapping, cleaning, name=name, source=source,
                         illustrative=illustrative, figures=figures,
                         references=references).city_or_raise()


def read_inputs(boundaries: str | Path | gpd.GeoDataFrame,
                attributes: str | Path | pd.DataFrame | None,
                layer: str | None = None, encoding: str | None = None,
                ) -> tuple[gpd.GeoDataFrame, pd.DataFrame | None, dict]:
    """Read both inputs (files or frames); also return a saved city's metadata, if any.
    ``encoding``: the attribute table's, when it is not Unicode (readers.decode_text)."""
    gdf = boundaries if isinstance(boundaries, gpd.GeoDataFrame) else readers.read_boundaries(
        boundaries, layer=layer)
    saved = dict(gdf.attrs.get(readers.SAVED_CITY) or {})
    table = None
    if attributes is not None:
        table = (attributes if isinstance(attributes, pd.DataFrame)
                 else readers.read_table(attributes, encoding))
    return gdf, table, saved


def write_city(city: City, path: str | Path) -> Path:
    """Save a city as GeoParquet that :func:`load_city` accepts as boundaries (no attributes);
    its name, source, lineage, units, estimates, predicted districts and given reference
    values go into the file's metadata."""
    import json

    import pyarrow.parquet as pq

    path = Path(path)
    city.districts.to_parquet(path, index=False)
    table = pq.read_table(path)
    meta = {"name": city.name, "source": city.source, "illustrative": city.illustrative,
            "lineage": list(city.lineage) + [f"saved: written to {path.name}"],
            "extra_features": list(city.extra_features), "units": dict(city.units),
            "estimates": {k: e.to_dict() for k, e in city.estimates.items()},
            "predicted": {k: list(ids) for k, ids in city.predicted.items()},
            "references": city.references.saved()}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           readers.SAVED_CITY.encode(): json.dumps(meta).encode()})
    pq.write_table(table, path)
    return path


DEFAULT_SOURCE = (
    "City of Chicago data portal: Energy Usage 2010 (8yq3-m6wp, pooled confidential rows "
    "included; aggregated per community area by UIC EVL), Population by 2010 Census Block, "
    "Census Data - Selected socioeconomic indicators in Chicago 2008-2012 (ACS); boundaries: "
    "City of Chicago community areas via libpysal (BSD-3-Clause)")


def default_city(figures: Mapping[str, object] | None = None) -> City:
    """The bundled city: Chicago's 77 community areas with real 2010 data (built from public
    City of Chicago datasets by data/build/build_chicago_2010.py; data/README.md gives every
    column's source, year and caveat), with its degree days; ``figures`` as in
    :func:`validate_city` (households, housing units and roof area are estimated)."""
    city = load_city(
        paths.DEFAULT_BOUNDARIES,
        paths.DEFAULT_ATTRIBUTES,
        name="Chicago, 77 community areas (2010)",
        source=DEFAULT_SOURCE,
        figures=figures,
    )
    return replace(city, degree_days=read_degree_days(paths.DEFAULT_DEGREE_DAYS))

