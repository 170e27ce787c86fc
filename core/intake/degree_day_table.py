"""Monthly degree-day tables: the one reader, their one-line description, attaching one to a city.

A table has one row per month: ``month`` (1..12), ``hdd_c`` and ``cdd_c`` (heating and
cooling degree days, °C-days). Other columns, such as the bundled table's ``base_c``
(base temperature, °C) and ``source``, are kept as they are. A user's upload, the
``--degree-days`` option, the bundled city and the sample generator all read through
:func:`read_degree_days`, so every table meets the same checks and the same messages.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np
import pandas as pd

from core.errors import InputError
from core.i18n import lazy, lazy_join
from core.intake import documents

if TYPE_CHECKING:
    from core.intake.city import City

#: Columns every degree-day table needs; degree days in °C-days.
COLUMNS: tuple[str, ...] = ("month", "hdd_c", "cdd_c")
MONTHS = list(range(1, 13))


def read_degree_days(source: str | Path | pd.DataFrame | IO[bytes], *,
                     require_source: bool = False) -> pd.DataFrame:
    """A monthly degree-day table, checked: twelve rows sorted by ``month``.

    Parameters
    ----------
    source
        A CSV file (path or uploaded file-like object, which names itself by ``.name``)
        or a DataFrame. A file is refused above ``GREENPRINT_SCENARIO_MAX_KB`` before
        it is parsed.
    require_source
        Also require a non-blank ``source`` on every row (the sample generator's
        inputs are all sourced).

    Returns
    -------
    pandas.DataFrame
        ``month`` (int, 1..12), ``hdd_c`` and ``cdd_c`` (float, °C-days), then any
        other columns of the input; column names stripped and lower-cased.

    Raises
    ------
    InputError
        Unreadable or too large a file, missing columns, a blank or non-numeric value,
        months not exactly 1..12, negative or all-zero degree days, or (with
        ``require_source``) a row without a source. Each message says what to fix.
    """
    table = _read(source)
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in COLUMNS if c not in table]
    if missing:
        raise InputError(lazy("the degree-day table needs columns month, hdd_c, cdd_c "
                              "(°C-days); missing: {missing}", missing=", ".join(missing)))
    for c in COLUMNS:
        table[c] = pd.to_numeric(table[c], errors="coerce")
        blank = np.flatnonzero(table[c].isna().to_numpy())
        if len(blank):
            raise InputError(lazy("degree-day column '{column}' must be numeric with no blanks; "
                                  "fix data row(s) {rows}", column=c, rows=_listed(blank + 1)))
    _check_months(table["month"])
    negative = table.loc[(table[["hdd_c", "cdd_c"]] < 0).any(axis=1), "month"]
    if len(negative):
        raise InputError(lazy("degree days cannot be negative (month(s) {months}); a month "
                              "without heating or cooling has 0", months=_listed(negative)))
    if table["hdd_c"].sum() + table["cdd_c"].sum() <= 0:
        raise InputError(lazy("the degree days are all zero; the model needs some heating or "
                              "cooling"))
    if require_source:
        _check_sources(table)
    table["month"] = table["month"].astype(int)
    return table.sort_values("month").reset_index(drop=True)


def _read(source: str | Path | pd.DataFrame | IO[bytes]) -> pd.DataFrame:
    """The raw table of a frame (copied) or a CSV file within the size limit."""
    if isinstance(source, pd.DataFrame):
        return source.copy()
    where = str(getattr(source, "name", source))  # an uploaded file-like object names itself
    documents.check_size(_size_bytes(source), Path(where).name)  # twelve rows: a few hundred bytes
    try:
        return pd.read_csv(source)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(lazy("cannot read the degree-day table {name}: {detail}", name=where,
                              detail=str(exc))) from exc


def _size_bytes(source: str | Path | IO[bytes]) -> int:
    """Bytes of an uploaded buffer or a file; 0 when unknown (the reader then says why)."""
    if hasattr(source, "getbuffer"):
        return len(source.getbuffer())
    path = Path(str(source))
    return path.stat().st_size if path.is_file() else 0


def _check_months(month: pd.Series) -> None:
    """Each of 1..12 exactly once, else InputError naming the missing and repeated months."""
    if sorted(month.tolist()) == MONTHS:
        return
    counts = month.value_counts()
    absent = [m for m in MONTHS if m not in counts.index]
    repeated = sorted(counts.index[counts > 1].tolist())
    other = sorted(set(month.tolist()) - set(MONTHS))
    found = lazy_join("; ", [part for part in (
        lazy("missing {months}", months=_listed(absent)) if absent else "",
        lazy("repeated {months}", months=_listed(repeated)) if repeated else "",
        lazy("not a month {months}", months=_listed(other)) if other else "") if part])
    raise InputError(lazy("degree-day column 'month' must hold each of 1..12 exactly once "
                          "({found})", found=found))


def _check_sources(table: pd.DataFrame) -> None:
    """A non-blank ``source`` on every row, else InputError naming the months without one."""
    if "source" not in table:
        raise InputError(lazy("the degree-day table needs a 'source' column saying where each "
                              "month's figures come from"))
    blank = table["source"].isna() | (table["source"].astype(str).str.strip() == "")
    if blank.any():
        raise InputError(lazy("every row of the degree-day table needs a source; add one for "
                              "month(s) {months}", months=_listed(table.loc[blank, "month"])))


def _listed(values, most: int = 12) -> str:
    """``1, 2, 3`` for the first ``most`` values (numbers printed without a trailing .0)."""
    shown = [f"{v:g}" if isinstance(v, float) else str(v) for v in list(values)[:most]]
    if len(values) <= most:
        return ", ".join(shown)
    return lazy_join("", [", ".join(shown), lazy(" and {n} more", n=len(values) - most)])


def describe(table: pd.DataFrame) -> str:
    """One line for the lineage and the page: the annual totals of a degree-day table."""
    return (f"12 months, {table['hdd_c'].sum():,.0f} heating and {table['cdd_c'].sum():,.0f} "
            "cooling °C-days a year")


def attach(city: City, table: pd.DataFrame, file_name: str) -> City:
    """The city with an accepted degree-day table, recorded in its lineage."""
    return replace(city, degree_days=table).with_lineage(
        f"degree days: monthly table {file_name} attached ({describe(table)})")
