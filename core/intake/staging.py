"""From read boundaries and table to a staged city: join, map, convert, clean, collect problems.

``stage`` never raises for problems in the data: it returns every problem it finds
(blocking or not) with the joined districts, so the quality report can show them
all at once. It raises :class:`InputError` only when the inputs cannot be put
together at all (an id column missing, no id in common, an unknown unit).
Every change made to the data is appended to the lineage log, in order; changes
the user chooses (dropping duplicates, excluding rows, matching ids without
leading zeros) happen only when asked for, through :class:`Cleaning`. Last, after
the checks of the data as given, absent columns that analyses need are estimated
(:mod:`core.intake.estimates`).

Districts without data
----------------------
A district with no attribute row, or with no population, has no data
(:func:`core.intake.columns.with_data`). It never blocks the city: it stays on the map
as "no data", is listed in a warning, and is left out of the analyses. What blocks is
a city that cannot be used at all: fewer districts with data than
``GREENPRINT_MIN_DISTRICTS_WITH_DATA`` (core.settings, default 5), or, in a city of fewer
districts than that, any district without data (a city of one district with data is
usable).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import i18n
from core.errors import InputError, Problem
from core.i18n import N_, deferred, lazy, lazy_join, lazy_list
from core.intake import columns as cols
from core.intake import estimates as est
from core.intake import geometry, units
from core.intake.schema import schema_problems
from core.settings import get_settings

SHOWN_IDS = 5
#: the error of a side (boundaries or attributes) without the id column it was given
SIDE_HAS_NO_COLUMN = {
    "boundaries": N_("the boundaries have no column '{column}'; choose the id column from: "
                     "{columns}"),
    "attributes": N_("the attributes have no column '{column}'; choose the id column from: "
                     "{columns}")}


@dataclass(frozen=True)
class Cleaning:
    """Changes the user asked for; each one is recorded in the lineage when it changes data."""

    drop_duplicate_rows: bool = False
    ignore_leading_zeros: bool = False
    exclude_ids: tuple[str, ...] = ()


def parse_ids(text: str) -> tuple[str, ...]:
    """Ids typed by a user: separated by commas, semicolons or whitespace."""
    import re

    return tuple(dict.fromkeys(t for t in re.split(r"[,;\s]+", text or "") if t))


@dataclass(frozen=True)
class IdMatch:
    """How the ids of the boundaries and the attributes meet (compared as text)."""

    n_matched: int
    boundary_only: tuple[str, ...]
    attribute_only: tuple[str, ...]
    leading_zeros: tuple[tuple[str, str], ...]  # (boundary id, attribute id) equal but for zeros


@dataclass
class Staged:
    """Joined, converted districts with every problem found on the way."""

    districts: gpd.GeoDataFrame
    lineage: list[str]
    problems: list[Problem]
    ids: IdMatch | None = None
    duplicate_rows: int = 0
    type_errors: dict[str, int] = field(default_factory=dict)
    extra_features: tuple[str, ...] = ()
    units: dict[str, str] = field(default_factory=dict)
    estimates: dict[str, est.Estimate] = field(default_factory=dict)
    empty_estimated: tuple[str, ...] = ()  # estimated columns the data had, all empty

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]


def stage(boundaries: gpd.GeoDataFrame, table: pd.DataFrame | None = None, *,
          id_column: str = "district_id", attributes_id: str | None = None,
          mapping: Mapping[str, str] | None = None,
          units_by_column: Mapping[str, str] | None = None,
          extra_features: tuple[str, ...] = (), crs: str | None = None,
          cleaning: Cleaning = Cleaning(), figures: Mapping[str, object] | None = None,
          saved_estimates: Mapping[str, Mapping] | None = None) -> Staged:
    """Join and convert; collect problems instead of raising them (see the module docstring).

    ``figures``: the user's values for figures of data/estimate_parameters.csv (an invalid
    one raises InputError); ``saved_estimates``: a saved city's (core.intake.estimates)."""
    est.figures(figures)  # a wrong figure fails before the work
    mapping = dict(mapping or {})
    lineage: list[str] = []
    problems: list[Problem] = []
    if table is not None and table.attrs.get("encoding"):
        lineage.append(f"read: attributes decoded as {table.attrs['encoding']}, delimiter "
                       f"{table.attrs.get('delimiter', ',')!r}")
    gdf = geometry.to_wgs84(boundaries, lineage, crs)
    gdf = with_id(gdf.rename(columns=mapping), mapping.get(id_column, id_column), "boundaries")
    gdf = _exclude(gdf, cleaning.exclude_ids, "boundaries", lineage)
    _require_ids(gdf, mapping.get(id_column, id_column))
    if cleaning.ignore_leading_zeros:
        gdf["district_id"] = _strip_zeros(gdf["district_id"], "boundaries", lineage)
    gdf = geometry.repair(gdf, lineage)

    ids = None
    dup_rows = 0
    supplied: set[str] = set()
    if table is not None:
        attr_id = attributes_id or id_column
        t = with_id(table.rename(columns=mapping), mapping.get(attr_id, attr_id), "attributes")
        t = _exclude(t, cleaning.exclude_ids, "attributes", lineage)
        no_id = t["district_id"].isna()
        if no_id.any():
            problems.append(Problem(lazy("missing ids"), lazy(
                "{n} attribute row(s) have no id and were left out", n=int(no_id.sum())),
                lazy("give every row an id"), "district_id", (), blocking=False))
            lineage.append(f"join: {int(no_id.sum())} attribute row(s) without an id left out")
            t = t.loc[~no_id]
        if cleaning.ignore_leading_zeros:
            t["district_id"] = _strip_zeros(t["district_id"], "attributes", lineage)
        exact = _exact_duplicates(t)
        dup_rows = int(exact.sum())
        if dup_rows and cleaning.drop_duplicate_rows:
            t = t.loc[~exact]
            lineage.append(f"clean: {dup_rows} exact duplicate attribute row(s) dropped by "
                           "the user")
            dup_rows = 0
        ids = match_ids(gdf["district_id"], t["district_id"])
        if ids.n_matched == 0:
            raise InputError(_no_match(ids, gdf["district_id"], t["district_id"]))
        problems += _id_problems(ids, dup_rows)
        dup_ids = t["district_id"].duplicated(keep=False)
        if dup_ids.any():
            problems.append(_duplicate_attribute_ids(t.loc[dup_ids, "district_id"], dup_rows))
            t = t.drop_duplicates("district_id", keep="first")
        gdf = _join(gdf, t, lineage)
        supplied = set(t.columns)

    units_used = dict(units_by_column or {})
    gdf = _convert_units(gdf, units_used, lineage)
    if "name" not in gdf or gdf["name"].isna().all():
        gdf["name"] = gdf["district_id"]
        lineage.append("name: no name column; district ids used as names")
    gdf["name"] = gdf["name"].where(gdf["name"].notna(), gdf["district_id"]).astype(str)
    missing_extra = [c for c in extra_features if c not in gdf]
    for c in missing_extra:
        problems.append(Problem(lazy("extra feature"), lazy(
            "'{column}' was marked as a model feature but is not a column", column=c),
            lazy("unmark '{column}' or check its spelling", column=c), c))
    type_errors = _coerce_numeric(gdf, [c for c in extra_features if c in gdf], problems)
    problems += district_problems(gdf)
    problems += data_problems(gdf, ids.boundary_only if ids is not None else ())
    estimated = est.estimate(gdf, figures, saved_estimates, supplied)
    gdf = estimated.districts
    lineage += estimated.lineage
    ordered = [c for c in cols.CANONICAL if c in gdf] + [c for c in gdf if c not in cols.CANONICAL]
    gdf = gdf[ordered].reset_index(drop=True)
    return Staged(gdf, lineage, problems, ids, dup_rows, type_errors,
                  tuple(c for c in extra_features if c in gdf), units_used, estimated.estimates,
                  estimated.was_empty)


def _no_match(ids: IdMatch, boundary_ids: pd.Series, attribute_ids: pd.Series) -> str:
    """The error when no attribute row matches a boundary id: a few ids of each side, and
    the leading zeros when they are all that differs."""
    hint = ""
    if ids.leading_zeros:
        boundary, attribute = ids.leading_zeros[0]
        hint = lazy(" They differ only by leading zeros (e.g. boundaries '{boundary}', "
                    "attributes '{attribute}'): make them identical or choose to match ids "
                    "ignoring leading zeros.", boundary=boundary, attribute=attribute)
    return lazy("no attribute row matches a boundary id; check the id columns on both sides "
                "(boundaries e.g. {boundaries}, attributes e.g. {attributes}).{hint}",
                boundaries=str(list(boundary_ids[:3])),
                attributes=str(list(attribute_ids[:3])), hint=hint)


def _duplicate_attribute_ids(repeated: pd.Series, dup_rows: int) -> Problem:
    """The blocking problem of attribute ids on more than one row (``repeated``: those rows'
    ids), ``dup_rows`` of them exact duplicate rows."""
    n = int(repeated.nunique())
    if dup_rows:
        message = lazy("{n} attribute id(s) appear on more than one row, {dup_rows} of them "
                       "exact duplicate rows", n=n, dup_rows=dup_rows)
        fix = lazy("keep one row per district in the attributes (or drop exact duplicate rows)")
    else:
        message = lazy("{n} attribute id(s) appear on more than one row", n=n)
        fix = lazy("keep one row per district in the attributes")
    return Problem(lazy("duplicate ids"), message, fix, "district_id",
                   tuple(sorted(repeated.unique())))


def _exact_duplicates(t: pd.DataFrame) -> pd.Series:
    """Rows equal in every column to an earlier row (``DataFrame.duplicated``), compared among
    the rows whose id repeats only: no other row can equal another (comparing every row of a
    large table, column by column, took seconds)."""
    repeated = t["district_id"].duplicated(keep=False)
    exact = pd.Series(False, index=t.index)
    if repeated.any():
        exact[repeated] = t.loc[repeated].duplicated(keep="first")
    return exact


def district_problems(gdf: gpd.GeoDataFrame) -> list[Problem]:
    """Blocking problems of a joined district table: ids, geometry, required columns, schema."""
    problems: list[Problem] = []
    ids = gdf["district_id"]  # every district has one (stage refuses boundaries without)
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        problems.append(Problem(lazy("duplicate ids"), lazy(
            "{n} id(s) appear more than once", n=int(dup.nunique())),
            lazy("give every district a unique id"), "district_id",
            tuple(sorted(dup.unique()))))
    bad = geometry.unusable(gdf.geometry)
    if bad.any():
        kinds = ", ".join(sorted(set(gdf.geometry[bad].geom_type.fillna("missing").astype(str))))
        problems.append(Problem(lazy("geometry"), lazy(
            "empty, point or line geometries found ({kinds})", kinds=kinds),
            lazy("provide polygon boundaries for every district"), "geometry",
            tuple(ids[bad].astype(str))))
    for name in cols.REQUIRED:
        if name not in gdf:
            problems.append(Problem(lazy("missing column"), lazy(
                "required column '{column}' is absent", column=name),
                lazy("map one of your columns to '{column}'", column=name), name))
    problems.extend(schema_problems(gdf))
    return problems


def data_problems(gdf: gpd.GeoDataFrame, no_row: tuple[str, ...] = ()) -> list[Problem]:
    """Districts without data (no attribute row, or no population): a warning that lists them,
    for they stay on the map as "no data" and are left out of the analyses; blocking only
    when fewer than ``GREENPRINT_MIN_DISTRICTS_WITH_DATA`` districts have data (all of them,
    in a city of fewer districts), for then the city cannot be used at all. Nothing when the
    population column is absent (that is the blocking "missing column" problem)."""
    if cols.DATA_COLUMN not in gdf:
        return []
    has = cols.with_data(gdf)
    ids = gdf["district_id"].astype(str)
    missing = tuple(ids[~has])
    problems = []
    if missing:
        rowless = sum(i in set(no_row) for i in missing)
        why = [lazy("{n} without an attribute row", n=rowless) if rowless else "",
               lazy("{n} without a population", n=len(missing) - rowless)
               if len(missing) > rowless else ""]
        problems.append(Problem(
            lazy("no data"), lazy("{n} district(s) have no data ({why}): they stay on the map "
                                  "as 'no data' and are left out of the analyses",
                                  n=len(missing), why=lazy_list([w for w in why if w], ",")),
            lazy("add their rows to the attributes, or their population, to include them"),
            cols.DATA_COLUMN, missing, blocking=False))
    least = min(get_settings().min_districts_with_data, len(gdf))
    if int(has.sum()) < least:
        problems.append(Problem(
            lazy("too few districts with data"), lazy(
                "only {n} of {total} district(s) have data (a population); a city needs at "
                "least {least} to be used", n=int(has.sum()), total=len(gdf), least=least),
            lazy("map the column that holds each district's population to '{column}' (check "
                 "its name and that the ids of both files match), or add the districts' rows "
                 "to the attributes", column=cols.DATA_COLUMN), cols.DATA_COLUMN))
    return problems


def with_id(frame: pd.DataFrame, column: str, side: str) -> pd.DataFrame:
    """``frame`` with its id column, as text, first and named ``district_id``."""
    if column not in frame:
        raise InputError(lazy(SIDE_HAS_NO_COLUMN[side], column=column,
                              columns=", ".join(map(str, frame.columns[:20]))))
    out = frame.copy()
    ids = out.pop(column)
    out = out.drop(columns="district_id", errors="ignore")
    out.insert(0, "district_id", normalise_ids(ids))
    return out


def normalise_ids(ids: pd.Series) -> pd.Series:
    """Ids as trimmed strings; whole-number floats lose their ``.0`` (1.0 -> "1")."""
    if pd.api.types.is_integer_dtype(ids) or pd.api.types.infer_dtype(ids, skipna=True) == "string":
        return ids.astype("string").str.strip()  # text or whole numbers: at array speed

    def one(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        if isinstance(v, float | np.floating) and float(v).is_integer():
            return str(int(v))
        return str(v).strip()
    return ids.map(one).astype("string")


def _no_zeros(i: str) -> str:
    return i.lstrip("0") or "0" if i.isdigit() else i


def match_ids(boundary_ids: pd.Series, attribute_ids: pd.Series) -> IdMatch:
    """Compare ids as text; pairs equal but for leading zeros ("01" vs "1") are reported
    (:func:`_zero_pairs`)."""
    b = set(boundary_ids.dropna().to_numpy(dtype=object))
    a = set(attribute_ids.dropna().to_numpy(dtype=object))
    b_only, a_only = sorted(b - a), sorted(a - b)
    return IdMatch(len(b & a), tuple(b_only), tuple(a_only), _zero_pairs(b_only, a_only))


def _zero_pairs(b_only: list[str], a_only: list[str]) -> tuple[tuple[str, str], ...]:
    """(boundary id, attribute id) pairs of unmatched ids equal but for leading zeros, when
    taking the zeros away is what makes the two sides meet: every unmatched id of one side
    then finds its match. Ids that are not the same ids, only look alike once stripped ('0',
    '1', '2' against '001', '002', '003': numbered from 0 on one side, from 1 on the other),
    leave ids unmatched on both sides, and give no pairs."""
    b_digits = {_no_zeros(x): x for x in b_only}
    a_digits = {_no_zeros(x): x for x in a_only}
    shared = b_digits.keys() & a_digits.keys()
    if not shared or (b_digits.keys() - shared and a_digits.keys() - shared):
        return ()
    return tuple((x, a_digits[_no_zeros(x)]) for x in b_only if _no_zeros(x) in shared)


def _id_problems(ids: IdMatch, dup_rows: int) -> list[Problem]:
    out = []
    if ids.leading_zeros:
        b, a = ids.leading_zeros[0]
        out.append(Problem(lazy("id mismatch"), lazy(
            "{n} id(s) differ only by leading zeros (boundaries '{boundary}', attributes "
            "'{attribute}')", n=len(ids.leading_zeros), boundary=b, attribute=a),
            lazy("make the ids identical in both files, or choose to match ids ignoring "
                 "leading zeros"), "district_id", tuple(p[0] for p in ids.leading_zeros)))
    zero_b = {p[0] for p in ids.leading_zeros}
    zero_a = {p[1] for p in ids.leading_zeros}
    b_only = tuple(i for i in ids.boundary_only if i not in zero_b)
    a_only = tuple(i for i in ids.attribute_only if i not in zero_a)
    if b_only:
        out.append(Problem(lazy("ids on one side"), lazy(
            "{n} district(s) have no attribute row", n=len(b_only)),
            lazy("add their rows to the attributes to include them in the analyses; until then "
                 "they stay on the map as 'no data'"), "district_id", b_only, blocking=False))
    if a_only:
        out.append(Problem(lazy("ids on one side"), lazy(
            "{n} attribute row(s) match no boundary: {ids}", n=len(a_only),
            ids=_few(pd.Series(a_only))),
            lazy("check the ids, or remove these rows from the attributes"), "district_id", (),
            blocking=False))
    if dup_rows:
        out.append(Problem(lazy("duplicate rows"), lazy(
            "{n} attribute row(s) are exact duplicates of another row", n=dup_rows),
            lazy("drop exact duplicate rows"), None, (), blocking=False))
    return out


def _require_ids(gdf: gpd.GeoDataFrame, column: str) -> None:
    """Refuse boundaries with a district whose id is empty: nothing could name, join or
    report it."""
    no_id = gdf["district_id"].isna().to_numpy()
    if no_id.any():
        rows = pd.Series(np.flatnonzero(no_id) + 1)
        raise InputError(lazy("{n} district(s) of the boundaries have no id in '{column}' "
                              "(features {rows} of the file); give every district an id, or "
                              "choose another id column", n=int(no_id.sum()), column=column,
                              rows=_few(rows)))


def _few(values: pd.Series) -> str:
    """The first :data:`SHOWN_IDS` values, then how many more (a lazy message: the ids are
    data, "and N more" is written in the reader's language where it is shown)."""
    shown = ", ".join(values.astype(str)[:SHOWN_IDS])
    more = len(values) - SHOWN_IDS
    return lazy_join("", [shown, lazy(" and {n} more", n=more)]) if more > 0 else shown


def _exclude(frame: pd.DataFrame, exclude: tuple[str, ...], side: str,
             lineage: list[str]) -> pd.DataFrame:
    if not exclude:
        return frame
    drop = frame["district_id"].isin(list(exclude))
    if drop.any():
        lineage.append(f"clean: {int(drop.sum())} row(s) excluded from the {side} by the user "
                       f"(ids {_few(frame.loc[drop, 'district_id'])})")
    return frame.loc[~drop]


def _strip_zeros(ids: pd.Series, side: str, lineage: list[str]) -> pd.Series:
    new = ids.map(lambda i: _no_zeros(i) if isinstance(i, str) else i).astype("string")
    changed = int((new != ids).fillna(False).sum())
    if changed:
        lineage.append(f"clean: leading zeros removed from {changed} {side} id(s) by the user")
    return new


_JOINED = "__greenprint_joined__"  # the merge's indicator column, dropped at once


def _join(gdf: gpd.GeoDataFrame, table: pd.DataFrame, lineage: list[str]) -> gpd.GeoDataFrame:
    if gdf.geometry.name in table.columns:  # e.g. a GIS export's WKT: the boundaries draw
        table = table.drop(columns=gdf.geometry.name)
        lineage.append(f"join: attribute column {gdf.geometry.name} left out (the boundaries' "
                       "geometry is used)")
    shared = [c for c in table.columns if c in gdf.columns and c != "district_id"]
    if shared:
        gdf = gdf.drop(columns=shared)
        lineage.append(f"join: attribute columns replace boundary columns {', '.join(shared)}")
    out = gdf.merge(table, on="district_id", how="left", indicator=_JOINED)
    unmatched = int((out.pop(_JOINED) == "left_only").sum())
    if unmatched:
        lineage.append(f"join: {unmatched} district(s) have no attribute row")
    return gpd.GeoDataFrame(out, geometry=gdf.geometry.name, crs=gdf.crs)


def _family(name: str) -> str:
    return name.rsplit("_", 1)[0] if name[-2:].isdigit() else name


def _convert_units(gdf: gpd.GeoDataFrame, units_by_column: dict[str, str],
                   lineage: list[str]) -> gpd.GeoDataFrame:
    for name, unit in units_by_column.items():
        spec = cols.CANONICAL.get(name) or cols.CANONICAL.get(_family(name))
        if spec is None:
            raise InputError(lazy("a unit was given for '{column}', which is not a canonical "
                                  "column; give units by canonical name, e.g. gas_kwh=therm",
                                  column=name))
        if spec.kind not in units.UNITS:
            raise InputError(lazy("'{column}' ({unit_of}) takes no unit conversion; remove the "
                                  "unit '{unit}' for it", column=name,
                                  unit_of=deferred(unit_or_none, spec.unit), unit=unit))
        try:
            f = units.factor(spec.kind, unit)
        except units.UnitError as exc:
            raise InputError(lazy("column '{column}': {error}", column=name,
                                  error=exc.args[0])) from exc
        if name not in gdf or f == 1.0:
            continue
        num = pd.to_numeric(gdf[name], errors="coerce")
        # text stays as it was, so the type check that follows names it
        gdf[name] = (num * f).astype(object).where(num.notna(), gdf[name])
        lineage.append(f"units: {name} converted from {unit} (x{f:.6g})")
    return gdf


def unit_or_none(text: str) -> str:
    """A column's unit in the reader's language, or "no unit"."""
    return i18n.unit(text) if text else i18n._("no unit")


def _strict_numbers(raw: pd.Series) -> pd.Series | None:
    """A column of text cells as floats when every cell is a plain number ("12", "1.5e3"),
    parsed by Arrow at array speed; None when one is not (spaces, "1_000", words), for
    pandas' slower, lenient parse to decide (it took seconds per column of a million rows)."""
    try:
        values = pc.cast(pa.array(raw, from_pandas=True), pa.float64())
    except (pa.ArrowException, TypeError, ValueError):
        return None
    return pd.Series(values.to_numpy(zero_copy_only=False), index=raw.index, dtype=float)


_DECIMAL_COMMA = re.compile(r"\s*[-+]?\d{1,3}(?:[ .\u00a0\u202f]?\d{3})*,\d+\s*")
_THOUSANDS_COMMA = re.compile(r"\s*[-+]?\d{1,3}(?:,\d{3})+\s*")
# "1 234" or "1 234.5": thousands set apart by a space, a no-break space (U+00A0) or a narrow
# no-break space (U+202F), as French, Polish or Swedish settings write them
_SPACE_THOUSANDS = re.compile(r"\s*[-+]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:\.\d+)?\s*")


def _comma_hint(example: str) -> str:
    """How to write ``example`` when it is a number with a decimal comma ("150000,5",
    "1.234,5", as spreadsheets in much of Europe and Latin America save them) or with
    spaces between its thousands ("1 234"); empty for other text."""
    if _SPACE_THOUSANDS.fullmatch(example):
        return lazy(" without the spaces between its thousands (e.g. '{plain}', not "
                    "'{example}'); save the table again with no thousands separator (it may be "
                    "a no-break space, which looks like a plain one)",
                    plain=re.sub(r"\s", "", example), example=example.strip())
    if not _DECIMAL_COMMA.fullmatch(example) or _THOUSANDS_COMMA.fullmatch(example):
        return ""  # "12,345" may be twelve thousand: no guess
    point = re.sub(r"[ .\u00a0\u202f]", "", example.strip()).replace(",", ".")
    return lazy(" with a decimal point and no thousands separator (e.g. '{point}', not "
                "'{example}'); save the table again with '.' as the decimal sign",
                point=point, example=example.strip())


def _coerce_numeric(gdf: gpd.GeoDataFrame, extra: list[str],
                    problems: list[Problem]) -> dict[str, int]:
    """Canonical numeric and extra-feature columns to float; text that is no number, and an
    infinite value ("inf", "1e400"), is a blocking problem (the cell becomes missing). Other
    columns become numbers when every value is one."""
    counts: dict[str, int] = {}
    for name in [c for c in cols.NUMERIC if c in gdf] + extra:
        raw = gdf[name]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            num = raw.astype(float)
            bad = pd.Series(False, index=raw.index)
        else:
            num = _strict_numbers(raw)
            if num is None:  # some cell needs pandas' lenient parse (spaces, text)
                num = pd.to_numeric(raw, errors="coerce")
            bad = num.isna() & raw.notna()  # text, unless blank (checked only where it matters)
            if bad.any():
                bad &= raw.astype(str).str.strip() != ""
        if bad.any():
            example = str(raw[bad].iloc[0])
            problems.append(Problem(lazy("type"), lazy(
                "{n} value(s) are not numbers, e.g. '{example}'", n=int(bad.sum()),
                example=example), lazy("make '{column}' numeric{hint}", column=name,
                                       hint=_comma_hint(example)),
                name, tuple(gdf.loc[bad, "district_id"].astype(str))))
        num = num.astype(float)
        infinite = pd.Series(np.isinf(num.to_numpy()), index=raw.index)
        if infinite.any():
            problems.append(Problem(lazy("type"), lazy(
                "{n} value(s) are infinite, e.g. '{example}'", n=int(infinite.sum()),
                example=str(raw[infinite].iloc[0])),
                lazy("give '{column}' finite values", column=name),
                name, tuple(gdf.loc[infinite, "district_id"].astype(str))))
        if bad.any() or infinite.any():
            counts[name] = int((bad | infinite).sum())
        gdf[name] = num.where(~infinite)
    skip = set(cols.CANONICAL) | set(extra) | {gdf.geometry.name}
    for name in [c for c in gdf.columns if c not in skip]:
        if gdf[name].dtype == object or pd.api.types.is_string_dtype(gdf[name]):
            num = _strict_numbers(gdf[name])
            if num is None:
                num = pd.to_numeric(gdf[name], errors="coerce")
            if num.notna().sum() == gdf[name].notna().sum() and num.notna().any():
                gdf[name] = num.astype(float)
    return counts
