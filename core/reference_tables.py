"""Sourced reference tables (``data/<name>.csv``): every row must carry a source."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from core import paths
from core.errors import InputError


@lru_cache(maxsize=32)
def _load(name: str) -> pd.DataFrame:
    path = paths.reference_table(name)
    if not path.exists():
        raise InputError(f"reference table missing: {path}")
    table = pd.read_csv(path)
    if "source" not in table:
        raise InputError(f"reference table {path.name} has no 'source' column")
    unsourced = table["source"].isna() | (table["source"].astype(str).str.strip() == "")
    if unsourced.any():
        raise InputError(f"reference table {path.name}: rows {list(table.index[unsourced])} "
                         "have no source")
    return table


def table(name: str) -> pd.DataFrame:
    """A copy of reference table ``data/<name>.csv`` (validated to have a source on every row)."""
    return _load(name).copy()


@lru_cache(maxsize=1024)
def value(name: str, key: str, key_column: str = "name", value_column: str = "value") -> float:
    """One number from a reference table, looked up by key (memoised: tables never change
    while the process runs, and every rerun of every page asks for the same few)."""
    t = _load(name)
    row = t.loc[t[key_column] == key, value_column]
    if row.empty:
        raise KeyError(f"'{key}' not in data/{name}.csv")
    return float(row.iloc[0])
