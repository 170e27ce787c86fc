"""A city's content fingerprint: the same validated city gives the same SHA-256.

It covers what a city is: every district column (geometry as ISO WKB, numbers as float64,
text as JSON), the degree-day table, and every other field of
:class:`core.intake.city.City` (name, source, lineage, units, estimates, predicted
values, ...) except the map-only display geometry. A field added to City is covered
without a change here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import shapely

from core import i18n
from core.intake.city import City

#: City fields that are not part of its content, or are hashed on their own
SKIPPED = ("districts", "display", "degree_days")
CITY_ID_LENGTH = 16  # hex characters of the fingerprint that make a saved city's id


def canonical(value):
    """``value`` as plain JSON data with one spelling per value (sorted keys, floats at
    full precision, NaN as None)."""
    if hasattr(value, "to_dict") and not isinstance(value, pd.DataFrame | pd.Series):
        return canonical(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return canonical(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple | set | frozenset):
        items = [canonical(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, set | frozenset) else items
    if isinstance(value, pd.DataFrame):
        return {"columns": [str(c) for c in value.columns],
                "rows": canonical(value.astype(object).to_numpy().tolist())}
    if isinstance(value, np.generic):
        return canonical(value.item())
    if isinstance(value, float):
        return None if math.isnan(value) else value
    return value


def _column_bytes(series: pd.Series) -> bytes:
    """One column's values: ISO WKB for geometry, float64 for numbers and flags, else JSON."""
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype) and series.dtype.name == "geometry":
        wkb = shapely.to_wkb(np.asarray(series.array), byte_order=1, flavor="iso")
        return b"".join(len(w).to_bytes(8, "little") + w for w in wkb)
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        values = pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()
        return np.where(np.isnan(values), np.nan, values).astype("<f8").tobytes()  # one NaN
    return json.dumps([None if pd.isna(v) else str(v) for v in series],
                      ensure_ascii=False).encode()


def fingerprint(city: City) -> str:
    """SHA-256 (hex) of the city's content (module docstring), the same in every language
    (its estimates' captions are written in English for it, whoever is reading)."""
    with i18n.use_language(i18n.SOURCE_LANGUAGE):
        return _fingerprint(city)


def _fingerprint(city: City) -> str:
    h = hashlib.sha256()
    fields = {f.name: getattr(city, f.name) for f in dataclasses.fields(city) if f.name not in SKIPPED}
    header = {"fields": canonical(fields), "columns": [str(c) for c in city.districts.columns],
              "degree_days": canonical(city.degree_days) if city.degree_days is not None else None}
    h.update(json.dumps(header, sort_keys=True, ensure_ascii=False).encode())
    for column in city.districts.columns:
        data = _column_bytes(city.districts[column])
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def city_id(city: City) -> str:
    """The id :meth:`core.store.Store.save_city` gives ``city``: the first
    :data:`CITY_ID_LENGTH` hex characters of its fingerprint."""
    return fingerprint(city)[:CITY_ID_LENGTH]
