"""A column mapping: which of the user's columns is which canonical column, in which unit.

Saved and reloaded as a small JSON or YAML file, so a city's mapping is made once.
Suggestions, a saved file and the user's own choices meet in :func:`merge`, one
rule for the CLI and the Data page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import InputError
from core.i18n import lazy
from core.intake import columns as cols
from core.intake import documents

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd


class ColumnMapping(BaseModel):
    """``columns``: source -> canonical; ``units``: canonical -> unit."""

    model_config = ConfigDict(extra="forbid")

    id_column: str | None = None
    attributes_id: str | None = None
    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None  # of the attribute table, when it is not Unicode
    columns: dict[str, str] = Field(default_factory=dict)
    units: dict[str, str] = Field(default_factory=dict)
    extra_features: list[str] = Field(default_factory=list)

    @field_validator("columns")
    @classmethod
    def _canonical_targets(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(t for t in v.values() if t not in cols.CANONICAL)
        if unknown:
            raise ValueError(f"not canonical column names: {', '.join(unknown)}")
        return v


def load(path: str | Path) -> ColumnMapping:
    """Read a mapping file (``.json``, ``.yaml`` or ``.yml``; size and depth limits apply)."""
    path = Path(path)
    if not path.exists():
        raise InputError(lazy("mapping file not found: {path}", path=str(path)))
    return validated(documents.read(path), lazy("mapping file {name}", name=path.name))


def validated(data: dict | None, what: str) -> ColumnMapping:
    """``data`` as a mapping; :class:`InputError` naming ``what`` and each wrong field otherwise."""
    try:
        return ColumnMapping.model_validate(data or {})
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}"
                           for e in exc.errors())
        raise InputError(lazy("{what} is not valid: {detail}", what=what, detail=detail)) from exc


def merge(suggested: ColumnMapping | None = None, saved: ColumnMapping | None = None,
          explicit: ColumnMapping | None = None) -> ColumnMapping:
    """One mapping from three layers, with precedence explicit > saved > suggested.

    The one rule for every way in: the CLI merges suggestions (only with ``--suggest``), a
    ``--mapping`` file and its options; the Data page merges suggestions and a loaded file
    into the table it shows, and what the user edits there is the explicit layer. A layer
    may be None (nothing said). Field by field:

    * ``id_column``, ``attributes_id``, ``layer``, ``crs``, ``encoding``: the highest layer
      that gives one;
    * ``columns`` and ``extra_features``, per source column: the highest layer that says
      what the column is (a canonical column, or an extra model feature) decides; within a
      layer, a canonical column beats being an extra feature. A canonical column that a
      higher layer gives to one source is taken from every other source, so each
      canonical column keeps one source. Extra features keep their first-seen order;
    * ``units``, per canonical column: the highest layer's unit; a lower layer's unit goes
      with the source it was given for, when a higher layer gives that column another
      source or that source another meaning.
    """
    layers = [m for m in (suggested, saved, explicit) if m is not None]
    columns: dict[str, str] = {}
    extra: dict[str, None] = {}  # an ordered set
    units_by: dict[str, str] = {}

    def release(source: str) -> None:  # the source's canonical column, with its unit, is free
        if source in columns:
            units_by.pop(columns.pop(source), None)

    for m in layers:
        for source in m.extra_features:
            if source not in m.columns:
                release(source)
                extra[source] = None
        for source, target in m.columns.items():
            for other in [s for s, t in columns.items() if t == target and s != source]:
                release(other)
            if columns.get(source) != target:
                release(source)
            columns[source] = target
            extra.pop(source, None)
        units_by.update(m.units)

    def first(field: str) -> str | None:
        return next((getattr(m, field) for m in reversed(layers) if getattr(m, field)), None)

    return ColumnMapping(id_column=first("id_column"), attributes_id=first("attributes_id"),
                         layer=first("layer"), crs=first("crs"), encoding=first("encoding"),
                         columns=columns, units=units_by, extra_features=list(extra))


def source_columns(boundaries: gpd.GeoDataFrame,
                   table: pd.DataFrame | None = None) -> tuple[list[str], list[str]]:
    """The column names a mapping can name: the boundaries' (geometry left out), the table's."""
    b_cols = [str(c) for c in boundaries.columns if c != boundaries.geometry.name]
    return b_cols, [str(c) for c in table.columns] if table is not None else []


def dump(mapping: ColumnMapping, path: str | Path | None = None, fmt: str = "json") -> str:
    """Serialise a mapping (and write it to ``path`` when given)."""
    import yaml  # only to write YAML: loading the city does not need it

    data = mapping.model_dump(exclude_none=True)
    text = json.dumps(data, indent=2) if fmt == "json" else yaml.safe_dump(data, sort_keys=False)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


# --------------------------------------------------------------------------- suggestions

#: Words that say nothing about which column it is (years are dropped separately).
_NOISE = {"total", "tot", "sum", "census", "acs", "est", "estimate", "count", "num", "number",
          "of", "the", "all", "annual", "yr", "year", "value", "val", "data", "2010", "mean",
          "avg", "average"}
_MONTHS = {name: f"{i:02d}" for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1) for name in names}

#: Units guessed from a token of the column name: token -> (kind, unit).
UNIT_TOKENS: dict[str, tuple[str, str]] = {
    "kwh": ("energy", "kWh"), "mwh": ("energy", "MWh"), "gwh": ("energy", "MWh"),
    "therm": ("energy", "therm"), "therms": ("energy", "therm"), "thm": ("energy", "therm"),
    "gj": ("energy", "GJ"), "mmbtu": ("energy", "MMBtu"), "m3": ("energy", "m3"),
    "sqft": ("area", "ft2"), "ft2": ("area", "ft2"), "sf": ("area", "ft2"), "sqm": ("area", "m2"),
    "m2": ("area", "m2"), "km2": ("area", "km2"),
    "pct": ("share", "percent"), "percent": ("share", "percent"), "percentage": ("share", "percent"),
    "share": ("share", "share"), "fraction": ("share", "share"),
}
_GWH_IS_NOT_MWH = {"gwh"}  # no GWh unit: suggest nothing rather than a wrong factor

_ID_NAMES = {"id", "district_id", "ca", "geoid", "fips", "code", "area_numbe", "area_num",
             "area_num_1", "community_area", "tract", "zone_id", "objectid_1", "districtid"}
_ELECTRIC = {"kwh", "mwh", "gwh", "electricity", "elec", "electric", "power"}
_GAS = {"therm", "therms", "thm", "gas", "ng", "m3"}
_AREA_UNITS = {"sqft", "ft2", "sf", "sqm", "m2"}
_AREA = _AREA_UNITS | {"floor", "gfa", "floorspace"}
_NOT_FLOOR = {"land", "shape", "lot", "parcel"}  # areas that are not building floor
_COUNTS = {"count", "num", "number"}
#: words that make an energy column the homes' part (utilities' "domestic" meters) ...
_DOMESTIC = {"domestic", "dom", "res", "residential", "resi"}
#: ... and, with one of these, the rest ("non-domestic": commercial and industrial meters)
_NON = {"non", "nondomestic", "nondom", "nonresidential", "nonres"}
#: an average per meter or account, not a district's total
_PER_METER = {"mean", "median", "average", "avg"}
#: words for a utility's customers (a count of them, or the largest one's share)
_CUSTOMERS = {"customers", "customer", "accounts", "account", "meters", "meter", "premises"}
_LARGEST = {"largest", "max", "maximum", "top", "biggest"}
_SHARE_WORDS = {"share", "pct", "percent", "percentage", "fraction", "proportion"}


def tokens(name: str) -> list[str]:
    """Lower-case word tokens of a column name (camelCase and separators split)."""
    import re

    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(name))
    return [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]


def _meaningful(toks: list[str]) -> set[str]:
    return {t for t in toks if t not in _NOISE and not (t.isdigit() and len(t) >= 2
                                                        and t not in ("01", "02", "03", "04", "05",
                                                                      "06", "07", "08", "09", "10",
                                                                      "11", "12"))}


def _month(toks: list[str]) -> str | None:
    for t in toks:
        if t in _MONTHS:
            return _MONTHS[t]
    return None


def _intensity(toks: list[str]) -> bool:
    """Whether a name says energy per floor area: ``KWH_SQFT``, ``therms_per_sqft``, ``EUI``.

    An energy word directly followed by an area unit reads as "per": ``KWH_SQFT_MEAN`` is
    kWh per square foot, whereas ``SQFT_KWH`` and ``KWH_TOTAL_SQFT`` name the floor area
    behind the kWh accounts.
    """
    if set(toks) & {"per", "intensity", "eui"}:
        return True
    pairs = zip(toks, toks[1:], strict=False)
    return any(a in _ELECTRIC | _GAS and b in _AREA_UNITS for a, b in pairs)


def _target(name: str) -> str | None:
    """The canonical column a source column most likely is (None when unsure)."""
    toks = tokens(name)
    t = _meaningful(toks)
    joined = "_".join(toks)
    if joined in cols.CANONICAL:
        return joined
    energy_e, energy_g = bool(t & _ELECTRIC), bool(t & _GAS)
    fuel = "gas" if energy_g and not (t & {"electricity", "elec", "electric"}) else "electricity"
    if (energy_e or energy_g) and t & _CUSTOMERS:
        return _customer_target(toks, t, fuel)
    floor = bool(t & _AREA) and not t & _NOT_FLOOR and not ("floor" in t and set(toks) & _COUNTS)
    if (energy_e or energy_g) and (_intensity(toks) or t & {"price", "cost", "usd", "bill"}
                                   or set(toks) & _PER_METER):
        return None  # an intensity, a price or an average per meter, not a district's energy
    if (energy_e or energy_g) and floor:
        return "floor_area_m2"  # the floor area of the metered accounts (SQFT_KWH)
    if energy_e or energy_g:
        month = _month(toks)
        if month:
            return f"{fuel}_kwh_{month}"
        if t & _NON or any(w.startswith("non") and w[3:] in _DOMESTIC for w in t):
            return f"nonresidential_{fuel}_kwh"
        return f"residential_{fuel}_kwh" if t & _DOMESTIC else f"{fuel}_kwh"
    if t & {"pop", "population", "persons", "residents", "inhabitants"} and not t & {"density"}:
        return "population"
    if "income" in t or "inc" in t or t & {"mhi", "medinc", "pci"}:
        if t & {"capita", "percapita", "pci"}:
            return "per_capita_income"
        if t & {"median", "med", "household", "hh", "mhi", "medinc"}:
            return "median_household_income"
    if t & {"renter", "renters", "rent", "rented", "tenant"} and not t & {"usd", "cost", "gross"}:
        return "renter_share"
    if t & {"poverty", "poor"}:
        return "poverty_rate"
    if t & {"households", "household", "hh", "hhs"}:
        return "households"
    if t & {"dwellings", "dwelling"} or {"housing", "units"} <= t or t == {"units"} \
            or t == {"occupied", "units"} or t == {"hu"}:
        return "housing_units"
    if "roof" in t:
        return "roof_area_m2"
    if t & {"stories", "storeys", "floors", "levels"} or ("floor" in t and set(toks) & _COUNTS):
        return "stories_mean"
    if "age" in t and not t & {"percent", "pct", "share"}:
        return "building_age_years"
    if floor:
        return "floor_area_m2"
    if t & {"name", "community", "neighborhood", "neighbourhood", "label"}:
        return "name"
    return None


def _customer_target(toks: list[str], t: set[str], fuel: str) -> str | None:
    """A column about a fuel's customers: their count (``ELECTRICITY ACCOUNTS``, ``gas_meters``)
    or the largest one's share of the use (``largest_elec_customer_pct``); None for an average
    per customer (``kwh_per_account``, ``mean``), a subset (``ZERO KWH ACCOUNTS``) or the
    largest customer's amount (``max_customer_kwh``)."""
    if "per" in toks or t & _PER_METER or "zero" in t:
        return None
    count, share = cols.CUSTOMERS[fuel]
    if t & _LARGEST:
        return share if t & _SHARE_WORDS else None
    return count


def guess_unit(name: str, canonical: str) -> str | None:
    """Unit a column's name suggests for its canonical column (None = canonical unit or unsure)."""
    spec = cols.CANONICAL.get(canonical) or cols.CANONICAL.get(canonical.rsplit("_", 1)[0])
    if spec is None:
        return None
    for t in tokens(name):
        kind_unit = UNIT_TOKENS.get(t)
        if t in _GWH_IS_NOT_MWH or kind_unit is None or kind_unit[0] != spec.kind:
            continue
        from core.intake import units
        return None if units.factor(spec.kind, kind_unit[1]) == 1.0 else kind_unit[1]
    if spec.kind == "energy" and canonical.startswith("gas") and set(tokens(name)) & {"therm",
                                                                                     "therms"}:
        return "therm"
    return None


def id_candidates(columns: list[str]) -> list[str]:
    """Columns that look like district ids, most likely first."""
    def rank(c: str) -> int:
        low = "_".join(tokens(c))
        if low == "district_id":
            return 0
        if low in _ID_NAMES:
            return 1
        if low.endswith("_id") or low.startswith("id_") or low.endswith("id"):
            return 2
        return 9
    return sorted((c for c in columns if rank(c) < 9), key=rank)


#: the table's rows whose ids are compared with the boundaries' when id columns are chosen by
#: value (:func:`matching_id_columns`): enough to tell an id column, cheap on every rerun of
#: the Data page (all rows of 100 columns of 10,000 rows took half a second)
ID_SAMPLE_ROWS = 500
#: a number as a count or amount is written (no leading zero): not a code by itself
_PLAIN_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


def _id_values(values: pd.Series) -> frozenset[str]:
    """Values as ids are compared when staged (trimmed text, whole numbers without ".0");
    none for a column of fractions, true/false or geometry."""
    import pandas as pd

    from core.intake.staging import normalise_ids

    if (pd.api.types.is_bool_dtype(values) or values.dtype.name == "geometry"
            or (pd.api.types.is_float_dtype(values) and not (values.dropna() % 1 == 0).all())):
        return frozenset()
    try:
        return frozenset(normalise_ids(values).dropna())
    except (TypeError, ValueError):  # cells that are not text or numbers (lists, shapes)
        return frozenset()


def matching_id_columns(boundaries: pd.DataFrame, table: pd.DataFrame,
                        boundary_ids: list[str], attr_ids: list[str]) -> tuple[list[str],
                                                                               list[str]]:
    """The id candidates of each side (``boundary_ids``, ``attr_ids``: by name, most likely
    first) with the pair of columns whose values match best put first: the largest share of
    the table column's distinct values (in its first :data:`ID_SAMPLE_ROWS` rows) that are
    values of the boundary column, then the most of them. Candidates by name are tried
    first, then the other columns that hold codes, not only plain numbers (``kod``: '001',
    '002'; a count such as a population may hold numbers that are ids, too), so that a tie
    keeps the names' choice. Unchanged when no pair shares a value."""
    def values(frame: pd.DataFrame, named: list[str], rows: int | None) -> dict[str, frozenset]:
        by_name = {str(c): c for c in frame.columns}
        out = {c: _id_values(frame[by_name[c]].iloc[:rows]) for c in named if c in by_name}
        for c in [c for c in by_name if c not in out]:
            ids = _id_values(frame[by_name[c]].iloc[:rows])
            if any(not _PLAIN_NUMBER.fullmatch(i) for i in ids):
                out[c] = ids
        return out

    b_values = values(boundaries, boundary_ids, None)
    a_values = values(table, attr_ids, ID_SAMPLE_ROWS)
    best, pair = (0.0, 0), None
    for b, b_set in b_values.items():
        for a, a_set in a_values.items():
            n = len(b_set & a_set) if b_set and a_set else 0
            if n and (score := (n / len(a_set), n)) > best:
                best, pair = score, (b, a)
    if pair is None:
        return boundary_ids, attr_ids
    return ([pair[0], *(c for c in boundary_ids if c != pair[0])],
            [pair[1], *(c for c in attr_ids if c != pair[1])])


def suggest(columns: list[str], boundary_columns: list[str] | None = None, *,
            boundaries: pd.DataFrame | None = None,
            table: pd.DataFrame | None = None) -> ColumnMapping:
    """Suggest a mapping from column names (to be shown and confirmed, never applied blind).

    Given both files' frames (``boundaries``, ``table``), the id columns are the pair whose
    values match most (:func:`matching_id_columns`): a GeoJSON's feature ``id`` ('0', '1',
    ...) loses to a code column ('001', ...) that the table's ids match.

    Each canonical column is given to at most one source column (the first one met); id
    columns are suggested for both sides; units come from words in the names
    (``_therms`` -> therm, ``SQFT`` -> ft2, ``_pct`` -> percent, ``_mwh`` -> MWh).
    Energy named domestic or residential (``domestic_electricity_kwh``, ``Domestic gas
    consumption (kWh)``, ``dom_elec``) is the homes' part (``residential_*_kwh``), and
    non-domestic or non-residential energy the rest (``nonresidential_*_kwh``); an average per
    meter (``mean``, ``median``) is not suggested. A fuel's customers, accounts or meters
    (``ELECTRICITY ACCOUNTS``, ``gas_customers``) are its customer count, and the largest one's
    share or percentage (``largest_elec_customer_pct``) its largest-customer share.
    Floor area is recognised by ``SQFT`` / ``ft2`` / ``sf`` (ft²), ``sqm`` / ``m2`` (m²),
    ``floor``, ``gfa`` and ``floorspace`` (m² unless a unit is named), also beside an energy
    word (``SQFT_KWH``, ``KWH_TOTAL_SQFT``: the floor area of the metered accounts); an energy
    word directly before an area unit (``KWH_SQFT``), ``per``, ``intensity`` or ``eui`` make
    an intensity, which is not suggested.
    """
    columns = [str(c) for c in columns]
    attr_ids = id_candidates(columns)
    boundary_ids = id_candidates(boundary_columns or [])
    if boundaries is not None and table is not None:
        boundary_ids, attr_ids = matching_id_columns(boundaries, table, boundary_ids, attr_ids)
    mapped: dict[str, str] = {}
    taken: set[str] = set()
    unit_of: dict[str, str] = {}
    for source in list(boundary_columns or []) + columns:
        if source in mapped or source in attr_ids[:1] or source in boundary_ids[:1]:
            continue
        target = _target(source)
        if target is None or target == "district_id" or target in taken:
            continue
        if target == source:
            taken.add(target)
            continue
        mapped[source] = target
        taken.add(target)
        unit = guess_unit(source, target)
        if unit:
            unit_of[target] = unit
    return ColumnMapping(id_column=boundary_ids[0] if boundary_ids else None,
                         attributes_id=attr_ids[0] if attr_ids else None,
                         columns=mapped, units=unit_of)


# --------------------------------------------------------------------------- editing as a table

ROW_COLUMNS = ("column", "file", "maps_to", "unit", "model_feature")


def unit_choices() -> list[str]:
    """Every unit a row may show: convertible units, then the fixed units of other columns."""
    from core.intake import units
    fixed = sorted({c.unit for c in cols.CANONICAL.values()
                    if c.kind not in units.UNITS and c.unit})
    return [""] + [u for table in units.UNITS.values() for u in table] + fixed


def to_rows(mapping: ColumnMapping, boundary_columns: list[str],
            attribute_columns: list[str]) -> list[dict]:
    """One editable row per source column (id columns and geometry left out)."""
    skip = {mapping.id_column, mapping.attributes_id, "geometry"}
    rows = []
    for side, names in (("boundaries", boundary_columns), ("attributes", attribute_columns)):
        for c in names:
            if c in skip:
                continue
            target = mapping.columns.get(c, c if c in cols.CANONICAL else "")
            rows.append({"column": c, "file": side, "maps_to": target,
                         "unit": mapping.units.get(target, _canonical_unit(target)),
                         "model_feature": c in mapping.extra_features})
    return rows


def from_rows(rows: list[dict], *, id_column: str | None, attributes_id: str | None,
              layer: str | None = None, crs: str | None = None,
              encoding: str | None = None) -> ColumnMapping:
    """The mapping an edited table says (raises InputError naming a target used twice)."""
    columns: dict[str, str] = {}
    units_by: dict[str, str] = {}
    extra: list[str] = []
    owner: dict[str, str] = {}
    for r in rows:
        source, target = str(r["column"]), (r.get("maps_to") or "").strip()
        if target:
            if target in owner and owner[target] != source:
                raise InputError(lazy("'{first}' and '{second}' both map to '{target}'; keep "
                                      "one of them", first=owner[target], second=source,
                                      target=target))
            owner[target] = source
            if target != source:
                columns[source] = target
            unit = (r.get("unit") or "").strip()
            if unit and unit != _canonical_unit(target):
                units_by[target] = unit
        elif r.get("model_feature"):
            extra.append(source)
    return ColumnMapping(id_column=id_column, attributes_id=attributes_id, layer=layer, crs=crs,
                         encoding=encoding, columns=columns, units=units_by,
                         extra_features=extra)


def _canonical_unit(target: str) -> str:
    """The canonical unit name of a target's kind ("kWh", "m2", "share"), else ""."""
    from core.intake import units

    spec = cols.CANONICAL.get(target)
    if spec is None:
        return ""
    return units.CANONICAL_UNIT.get(spec.kind, spec.unit)  # e.g. "persons": no conversion


def loads(text: str | bytes, name: str = "mapping.json") -> ColumnMapping:
    """Parse mapping text (JSON, or YAML when ``name`` ends in .yaml/.yml)."""
    fmt = "json" if Path(name).suffix.lower() == ".json" else "yaml"
    return validated(documents.parse(text, Path(name).name, fmt),
                     lazy("mapping file {name}", name=Path(name).name))
