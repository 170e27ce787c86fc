"""Open data downloads of the public portal: a released table as CSV, XLSX, GeoJSON or
GeoParquet, packed in a ZIP with its data dictionary (:mod:`core.assess.dictionary`) and a
release note (the rule, what it could not check, the published totals and each withheld
value's reason). The data file holds the released figures only: a withheld value is blank.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd

from core.assess.dictionary import dictionary, licence
from core.errors import InputError
from core.intake.city import City
from core.release.publish import Released
from core.release.shown import public_reason

#: format -> (file extension, what it is)
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("csv", "CSV (a table, no boundaries)"),
    "xlsx": ("xlsx", "Excel workbook (data and dictionary sheets)"),
    "geojson": ("geojson", "GeoJSON (boundaries with the figures)"),
    "geoparquet": ("parquet", "GeoParquet (boundaries with the figures)"),
}
GEO_FORMATS = ("geojson", "geoparquet")
WITHHELD_COLUMN = "withheld_figures"
DICTIONARY_SUFFIX = "_dictionary.csv"
NOTE_NAME = "release_note.md"


def _withheld_figures(released: Released) -> list[str]:
    """Per row: the figures withheld there, comma-separated ("" when none)."""
    keys = list(released.figures)
    mask = (released.withheld[keys].to_numpy(dtype=bool) if keys
            else np.zeros((len(released.table), 0), bool))
    return [", ".join(k for k, hit in zip(keys, row, strict=True) if hit) for row in mask]


def published_table(released: Released, renamed: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The released table as a file holds it: withheld values blank, a
    :data:`WITHHELD_COLUMN` naming them, columns renamed by ``renamed`` (old -> new)."""
    out = released.table.copy()
    out[WITHHELD_COLUMN] = _withheld_figures(released)
    return out.rename(columns=dict(renamed or {}))


def _number(x: float) -> str:
    """A total as the note writes it: whole with thousands separators from 100 up."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def note(city: City, released: Released, title: str) -> str:
    """The release note (Markdown): what the file is, the rule, what it could not check,
    the published totals and every withheld value with its reason."""
    lines = [f"# {title}", "", f"City: {city.name} ({city.n} districts). Source: {city.source}.",
             f"Licence: {licence(city)}.",
             f"Made: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by Greenprint's public portal.", "",
             "## Release rule", ""]
    lines += [f"- {n}" for n in released.notes]
    lines += ["", "A withheld value is blank in the data file; the column "
              f"`{WITHHELD_COLUMN}` names the withheld figures of each district.", "",
              "## Published totals", ""]
    if released.totals:
        lines += [f"- {t.figure}: {_number(t.value)} {t.unit}, over {t.scope}"
                  for t in released.totals.values()]
    else:
        lines.append("- none (no figure of this table adds up to a city total)")
    lines += ["", "## Withheld values", ""]
    rows = [(d, key, public_reason(r))
            for key in released.figures
            for d, r, hit in zip(released.reasons["district_id"], released.reasons[key],
                                 released.withheld[key], strict=True) if hit]
    if rows:
        lines += ["| district_id | figure | reason |", "|---|---|---|"]
        lines += [f"| {d} | {k} | {r} |" for d, k, r in rows]
    else:
        lines.append("None: every figure passed the rule.")
    return "\n".join(lines) + "\n"


def _geo(city: City, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """``table`` with each district's boundary (matched by district_id)."""
    shapes = city.districts.set_index(city.districts["district_id"].astype(str)).geometry
    geometry = shapes.reindex(table["district_id"].astype(str)).to_numpy()
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=geometry, crs="EPSG:4326")


def _data_file(fmt: str, city: City, table: pd.DataFrame, meta: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    if fmt == "csv":
        return table.to_csv(index=False).encode()
    if fmt == "xlsx":
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            table.to_excel(writer, sheet_name="data", index=False)
            meta.to_excel(writer, sheet_name="dictionary", index=False)
        return buffer.getvalue()
    frame = _geo(city, table)
    if fmt == "geojson":
        collection = json.loads(frame.to_json(drop_id=True, na="null"))
        collection["properties"] = {"lineage": list(city.lineage), "source": city.source}
        return json.dumps(collection).encode()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def package(city: City, released: Released, fmt: str, *, name: str, title: str,
            interventions: Mapping[str, str] | None = None,
            renamed: Mapping[str, str] | None = None) -> bytes:
    """A ZIP of ``released`` in format ``fmt`` (a key of :data:`FORMATS`): ``<name>.<ext>``,
    ``<name>_dictionary.csv`` and ``release_note.md``. ``interventions`` and ``renamed`` as in
    :func:`core.assess.dictionary.dictionary` (``renamed``: old -> new column name)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown download format {fmt!r}; the formats are "
                         f"{', '.join(FORMATS)}")
    table = published_table(released, renamed)
    back = {new: old for old, new in (renamed or {}).items()}
    columns = [*table.columns, *(["geometry"] if fmt in GEO_FORMATS else [])]
    meta = dictionary(columns, city, currency=released.table.attrs.get("currency"),
                      interventions=interventions, renamed=back)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{name}.{FORMATS[fmt][0]}", _data_file(fmt, city, table, meta))
        z.writestr(f"{name}{DICTIONARY_SUFFIX}", meta.to_csv(index=False))
        z.writestr(NOTE_NAME, note(city, released, title))
    return out.getvalue()
