"""Pandera schema of the canonical district table, turned into user-facing problems."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from core import i18n
from core.errors import Problem
from core.i18n import deferred, lazy
from core.intake import columns as cols

#: pandera's check -> what a column's values must be, said of the column (``{what}``: its
#: name and unit); a check not listed here is named as pandera names it
_FIXES = {
    "greater_than_or_equal_to(0)": i18n.N_("{what} cannot be negative"),
    "in_range(0, 1)": i18n.N_("{what} must be a share between 0 and 1 (choose unit 'percent' "
                              "if given in %)"),
    "not_nullable": i18n.N_("{what} needs a value for every district"),
    "field_uniqueness": i18n.N_("{what} must be unique"),
}


def canonical_schema(present: list[str]) -> pa.DataFrameSchema:
    """Schema for the canonical columns that are present (absent optional ones are fine).

    Every numeric column may have gaps, population included: a district without a
    population has no data and stays on the map as "no data" (core.intake.staging); a
    required column must still be mapped."""
    spec: dict[str, pa.Column] = {
        "district_id": pa.Column(str, nullable=False, coerce=True),
    }
    for name in cols.NUMERIC:
        if name not in present:
            continue
        kind = cols.CANONICAL[name].kind
        check = pa.Check.in_range(0, 1) if kind == "share" else pa.Check.ge(0)
        spec[name] = pa.Column(float, check, nullable=True, coerce=True)
    return pa.DataFrameSchema(spec, strict=False)


def schema_problems(frame: pd.DataFrame) -> list[Problem]:
    """Every schema violation of ``frame`` (one Problem per column and check)."""
    # positional index: pandera reports row labels, which then name the right district
    table = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    schema = canonical_schema(list(table.columns))
    try:
        schema.validate(table, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        problems = []
        for (column, check), rows in cases.groupby(["column", "check"], dropna=False, sort=False):
            idx = [i for i in rows["index"] if pd.notna(i)]
            ids = tuple(str(table["district_id"].iloc[int(i)]) for i in idx
                        if 0 <= int(i) < len(table))
            unit = cols.unit_of(str(column))
            what = (lazy("'{column}' ({unit})", column=str(column), unit=deferred(i18n.unit, unit))
                    if unit else f"'{column}'")
            fix = (lazy(_FIXES[str(check)], what=what) if str(check) in _FIXES
                   else lazy("{what} must satisfy {check}", what=what, check=str(check)))
            examples = ", ".join(str(v) for v in rows["failure_case"].head(3))
            problems.append(Problem(lazy("schema"), lazy(
                "{n} value(s) fail {check}, e.g. {examples}", n=len(rows), check=str(check),
                examples=examples), fix, str(column), ids))
        return problems
    return []
