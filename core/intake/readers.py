"""Readers for boundary files and attribute tables, with messages that say what to fix.

Boundaries: GeoJSON, GeoPackage (one layer chosen), zipped Shapefile (guarded before
extraction), Shapefile, GeoParquet. Tables: CSV (encoding detected, delimiter
sniffed), XLSX, Parquet. Every reader also takes uploaded bytes
(``read_boundaries_bytes``, ``read_table_bytes``): the size limit is checked first.
A file's content must match its suffix and is opened with that format's driver only
(:mod:`core.intake.formats`); features, vertices, rows and columns are limited by settings
before the costly work; messages never show a server path.

CSV cells are read as text so that ids keep their leading zeros ("01" stays "01");
numeric columns are converted later, where a value that is not a number can be
reported with its column and district.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd

from core.errors import InputError
from core.intake import formats
from core.settings import get_settings

BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp", ".parquet", ".geoparquet")
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet")
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
CSV_DELIMITERS = ",;\t|"
CSV_NA_VALUES = ["", "NA", "N/A", "NaN", "nan", "null", "NULL"]  # cells read as missing
SNIFF_BYTES = 64 * 1024
SAVED_CITY = "greenprint"  # GeoParquet metadata key (and frame attrs key) of a saved city
BYTES_PER_MB = 1024 * 1024
# charset-normalizer's language coherence below which a multi-byte East Asian guess is not
# trusted over Windows-1252 (a heuristic of this reader, not a reference figure).
CJK_MIN_COHERENCE = 0.2
_CJK = {"big5", "big5hkscs", "gb2312", "gb18030", "gbk", "hz", "johab", "cp932", "cp949",
        "cp950", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_kr",
        "euc_jis_2004", "euc_jisx0213", "iso2022_jp", "iso2022_kr"}


# --------------------------------------------------------------------------- limits


def check_size(n_bytes: int, name: str) -> None:
    """Refuse empty files and files over the upload limit (``GREENPRINT_UPLOAD_LIMIT_MB``)."""
    limit = get_settings().upload_limit_mb
    if n_bytes == 0:
        raise InputError(f"'{name}' is empty (0 bytes); upload the file again or choose another")
    if n_bytes > limit * BYTES_PER_MB:
        raise InputError(f"'{name}' is {n_bytes / BYTES_PER_MB:,.1f} MB, over the upload limit of "
                         f"{limit:,.0f} MB; split or simplify the file (the limit is set by "
                         "GREENPRINT_UPLOAD_LIMIT_MB)")


def guard_zip(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    """Check a zip before anything is extracted; return its members.

    Refuses archives with too many members, too large a total uncompressed size or
    compression ratio (zip bombs, limits in :mod:`core.settings`), and member names
    that are absolute or contain ``..`` (path traversal).
    """
    s = get_settings()
    members = archive.infolist()
    if len(members) > s.zip_max_members:
        raise InputError(f"'{name}' holds {len(members):,} files, more than the limit of "
                         f"{s.zip_max_members:,}; zip only the Shapefile's parts")
    for m in members:
        if (m.external_attr >> 16) & 0o170000 == 0o120000:  # a Unix symbolic link
            raise InputError(f"'{name}' contains the symbolic link '{m.filename}'; it was not "
                             "extracted. Zip the files themselves, not links to them")
        path = PurePosixPath(m.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or (m.filename[1:2] == ":"):
            raise InputError(f"'{name}' contains the unsafe file name '{m.filename}' (absolute or "
                             "with '..'); it was not extracted. Zip the files without folders")
    total = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if total > s.zip_max_uncompressed_mb * BYTES_PER_MB:
        raise InputError(f"'{name}' would unpack to {total / BYTES_PER_MB:,.0f} MB, over the limit "
                         f"of {s.zip_max_uncompressed_mb:,.0f} MB; it was not extracted")
    if total / packed > s.zip_max_ratio:
        raise InputError(f"'{name}' compresses {total / packed:,.0f} to 1, more than the limit of "
                         f"{s.zip_max_ratio:,.0f} to 1 (a zip bomb?); it was not extracted")
    return members


# --------------------------------------------------------------------------- boundaries


def boundary_layers(path: str | Path) -> list[str]:
    """Layers of a boundaries file: GeoPackage layers, the .shp files of a zip, else one."""
    path = _existing(path, "boundaries")
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        import pyogrio
        formats.check_signature(path, path.name, "boundaries")
        try:
            return [str(row[0]) for row in pyogrio.list_layers(formats.gdal_path(path, "gpkg"))]
        except Exception as exc:
            raise InputError(f"cannot read boundaries '{path.name}': {library_message(exc)}") from exc
    if suffix == ".zip":
        with _open_zip(path) as archive:
            return _shapefiles(guard_zip(archive, path.name), path.name)
    return [path.stem]


def read_boundaries(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read district polygons from GeoJSON, GeoPackage, (zipped) Shapefile or GeoParquet.

    A GeoPackage or zip with several layers needs ``layer``; the error names them.
    """
    path = _existing(path, "boundaries")
    suffix = path.suffix.lower()
    if suffix not in BOUNDARY_SUFFIXES:
        raise InputError(f"'{path.name}': boundaries must be one of {', '.join(BOUNDARY_SUFFIXES)}")
    check_size(path.stat().st_size, path.name)
    fmt = formats.check_signature(path, path.name, "boundaries")
    if fmt == "zip":
        return _read_zipped_shapefile(path, layer)
    if fmt == "gpkg":
        layer = _choose_layer(boundary_layers(path), layer, path.name)
    if fmt == "geojson":
        formats.check_geojson_crs(path, path.name)
    try:
        if fmt == "parquet":
            check_shape(*_parquet_shape(path), path.name, what="features")
            gdf = gpd.read_parquet(path)
            gdf.attrs[SAVED_CITY] = saved_metadata(path)
        else:
            gdf = _read_vector(formats.gdal_path(path, fmt), layer)
    except InputError:
        raise
    except Exception as exc:  # pyogrio/arrow raise many types; the user needs one message
        raise InputError(f"cannot read boundaries '{path.name}' (truncated, corrupt or not a "
                         f"{suffix.lstrip('.')} file?): {library_message(exc)}") from exc
    return _checked_boundaries(gdf, path.name)


def _read_vector(gdal_name: str, layer: str | None) -> gpd.GeoDataFrame:
    """Read with GDAL, stopping one feature past the limit (the check follows)."""
    import pyogrio

    limit = get_settings().max_features
    return pyogrio.read_dataframe(gdal_name, layer=layer, max_features=limit + 1)


def _checked_boundaries(gdf, name: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf:
        raise InputError(f"'{name}' has no geometry column; boundaries need polygons")
    if gdf.empty:
        raise InputError(f"'{name}' holds no features")
    check_shape(len(gdf), len(gdf.columns) - 1, name, what="features")
    check_vertices(gdf.geometry, name)
    return gdf


def check_shape(rows: int, columns: int, name: str, what: str = "rows") -> None:
    """Refuse more rows/features or columns than the settings allow (before the costly work)."""
    s = get_settings()
    most = s.max_features if what == "features" else s.max_rows
    variable = "GREENPRINT_MAX_FEATURES" if what == "features" else "GREENPRINT_MAX_ROWS"
    if rows > most:
        count = f"more than {most:,}" if rows == most + 1 else f"{rows:,}"
        raise InputError(f"'{name}' holds {count} {what}, over the limit of {most:,} (set by "
                         f"{variable}); split the file or ask the administrator to raise the limit")
    if columns > s.max_columns:
        raise InputError(f"'{name}' has {columns:,} columns, over the limit of "
                         f"{s.max_columns:,} (set by GREENPRINT_MAX_COLUMNS); keep only the "
                         "columns you need")


def check_vertices(geometry: gpd.GeoSeries, name: str) -> None:
    """Refuse boundaries with more polygon vertices than ``GREENPRINT_MAX_VERTICES``."""
    import shapely

    most = get_settings().max_vertices
    n = int(shapely.get_num_coordinates(geometry.to_numpy()).sum())
    if n > most:
        raise InputError(f"'{name}' has {n:,} vertices, over the limit of {most:,} (set by "
                         "GREENPRINT_MAX_VERTICES); simplify the boundaries (for example "
                         "with mapshaper or QGIS) and upload them again")


def _parquet_shape(path: Path) -> tuple[int, int]:
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path)
    return meta.num_rows, meta.num_columns


def read_boundaries_bytes(name: str, data: bytes, layer: str | None = None) -> gpd.GeoDataFrame:
    """:func:`read_boundaries` for uploaded bytes (the name gives the format)."""
    with _spooled(name, data, BOUNDARY_SUFFIXES, "boundaries") as path:
        return read_boundaries(path, layer=layer)


def boundary_layers_bytes(name: str, data: bytes) -> list[str]:
    with _spooled(name, data, BOUNDARY_SUFFIXES, "boundaries") as path:
        return boundary_layers(path)


def _choose_layer(layers: list[str], layer: str | None, name: str) -> str:
    if layer is not None:
        if layer not in layers:
            raise InputError(f"'{name}' has no layer '{layer}'; its layers are: {', '.join(layers)}")
        return layer
    if len(layers) == 1:
        return layers[0]
    if not layers:
        raise InputError(f"'{name}' holds no layers")
    raise InputError(f"'{name}' holds {len(layers)} layers: {', '.join(layers)}; choose one",
                     setting="layer")


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"'{path.name}' is not a readable zip archive (truncated or corrupt?): "
                         f"{library_message(exc)}") from exc


def _guard_workbook(path: Path) -> None:
    """An XLSX is a zip: the same limits apply before openpyxl unpacks it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"cannot read attributes '{path.name}' (truncated, corrupt or not an "
                         f"xlsx file?): {library_message(exc)}") from exc
    with archive:
        guard_zip(archive, path.name)


def _shapefiles(members: list[zipfile.ZipInfo], name: str) -> list[str]:
    shps = [m.filename[:-4] for m in members if m.filename.lower().endswith(".shp")]
    if not shps:
        raise InputError(f"'{name}' contains no .shp file; a zipped Shapefile needs at least the "
                         ".shp, .shx and .dbf files (and .prj for the CRS)")
    return shps


def _read_zipped_shapefile(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    with _open_zip(path) as archive:
        members = guard_zip(archive, path.name)
        stem = _choose_layer(_shapefiles(members, path.name), layer, path.name)
        wanted = [m for m in members if m.filename[:-4] == stem
                  and m.filename[-4:].lower() in SHAPEFILE_PARTS]
        with tempfile.TemporaryDirectory(prefix="greenprint-zip-") as tmp:
            try:
                for m in wanted:  # names were checked by guard_zip; sizes are bounded by it
                    target = Path(tmp) / PurePosixPath(m.filename).name
                    target.write_bytes(archive.read(m))
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise InputError(f"'{path.name}' is corrupt: {library_message(exc)}") from exc
            shp = Path(tmp) / (PurePosixPath(stem).name + ".shp")
            if not shp.with_suffix(".dbf").exists() and not shp.with_suffix(".DBF").exists():
                raise InputError(f"'{path.name}': the Shapefile '{stem}' has no .dbf part; zip the "
                                 ".shp, .shx, .dbf and .prj files together")
            for part in Path(tmp).iterdir():  # the .shp and .shx carry the ESRI header
                if part.suffix.lower() in (".shp", ".shx") and formats.sniff(part) != "shp":
                    raise InputError(f"cannot read the Shapefile in '{path.name}': "
                                     f"'{part.name}' is not a Shapefile part (no ESRI header)")
            try:
                gdf = _read_vector(formats.gdal_path(shp, "shp"), None)
            except Exception as exc:
                raise InputError(f"cannot read the Shapefile in '{path.name}': "
                                 f"{library_message(exc)}") from exc
    return _checked_boundaries(gdf, path.name)


# --------------------------------------------------------------------------- tables


def read_table(path: str | Path) -> pd.DataFrame:
    """Read an attribute table from CSV, XLSX or Parquet.

    For CSV, ``table.attrs`` records the detected ``encoding`` and ``delimiter``.
    """
    path = _existing(path, "attributes")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(f"'{path.name}': attributes must be one of {', '.join(TABLE_SUFFIXES)}")
    check_size(path.stat().st_size, path.name)
    fmt = formats.check_signature(path, path.name, "attributes")
    try:
        if fmt == "text":
            table = read_csv_bytes(path.read_bytes(), path.name)
        elif fmt == "xlsx":
            _guard_workbook(path)
            table = pd.read_excel(path, engine="openpyxl", nrows=get_settings().max_rows + 1)
        else:
            check_shape(*_parquet_shape(path), path.name)
            table = pd.read_parquet(path)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read attributes '{path.name}' (truncated, corrupt or not a "
                         f"{suffix.lstrip('.')} file?): {library_message(exc)}") from exc
    table.columns = [str(c).strip() for c in table.columns]
    check_shape(len(table), len(table.columns), path.name)
    if table.empty:
        raise InputError(f"'{path.name}' has no rows")
    return table


def read_table_bytes(name: str, data: bytes) -> pd.DataFrame:
    """:func:`read_table` for uploaded bytes (the name gives the format)."""
    with _spooled(name, data, TABLE_SUFFIXES, "attributes") as path:
        return read_table(path)


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode text bytes: UTF-8 (with or without BOM) first, else the detected encoding."""
    if b"\x00" in data[:SNIFF_BYTES]:
        raise InputError(f"'{name}' looks like a binary file, not a text CSV; export the table "
                         "as CSV, XLSX or Parquet")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:SNIFF_BYTES * 4]).best()
    first = [best.encoding] if best else []
    if best and best.encoding in _CJK and best.coherence < CJK_MIN_COHERENCE:
        first = []  # short Western text (e.g. "Élysée" in Latin-1) often "fits" a CJK table
    for encoding in first + ["cp1252", "latin-1"]:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError(f"cannot decode '{name}'; save it as UTF-8")  # latin-1 never fails


def read_csv_bytes(data: bytes, name: str) -> pd.DataFrame:
    """CSV bytes -> table of text cells; encoding detected, delimiter sniffed."""
    text, encoding = decode_text(data, name)
    if not text.strip():
        raise InputError(f"'{name}' is empty")
    sample = text[:SNIFF_BYTES]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    header = next(csv.reader(io.StringIO(sample.split("\n", 1)[0]), delimiter=delimiter), [])
    check_shape(max(text.count("\n") - 1, 0), len(header), name)  # before pandas does the costly parse
    # UTF-8 goes to Arrow as the bytes it came in (no copy of the text re-encoded)
    source = (io.BytesIO(data.removeprefix(codecs.BOM_UTF8)) if encoding == "utf-8"
              else io.StringIO(text))
    table = _read_csv_arrow(source, delimiter, header) if len(set(header)) == len(header) else None
    try:
        if table is None:  # pandas' own parser: repeated column names, or what Arrow refused
            table = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str,
                                keep_default_na=False, na_values=CSV_NA_VALUES)
    except pd.errors.ParserError as exc:
        raise InputError(f"'{name}' is not a consistent CSV (delimiter '{delimiter}'): "
                         f"{library_message(exc)}") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"'{name}' has no columns") from exc
    table.attrs.update(encoding=encoding, delimiter=delimiter)
    return table


def _read_csv_arrow(source: io.BytesIO | io.StringIO, delimiter: str,
                    header: list[str]) -> pd.DataFrame | None:
    """The CSV as text cells through Arrow's parser (several times faster than pandas' on a
    million rows), or None when Arrow cannot read it (e.g. a line break inside a quoted
    cell, a short row) or does not give back exactly the header's columns: pandas then reads
    it and reports what is wrong."""
    try:
        table = pd.read_csv(source, sep=delimiter, dtype=str, engine="pyarrow",
                            keep_default_na=False, na_values=CSV_NA_VALUES)
    except Exception:  # any refusal: the C parser decides and words the error
        return None
    return table if [str(c) for c in table.columns] == header else None


# --------------------------------------------------------------------------- helpers


def _existing(path: str | Path, what: str) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{what} file not found: {path}")
    return path


class _spooled:
    """Write uploaded bytes to a private temporary file named like the upload."""

    def __init__(self, name: str, data: bytes, suffixes: tuple[str, ...], what: str):
        base = PurePosixPath(str(name).replace("\\", "/")).name or "upload"
        if Path(base).suffix.lower() not in suffixes:
            raise InputError(f"'{base}': {what} must be one of {', '.join(suffixes)}")
        check_size(len(data), base)
        self.base, self.data, self._dir = base, data, None

    def __enter__(self) -> Path:
        try:
            self._dir = tempfile.TemporaryDirectory(prefix="greenprint-upload-")
            path = Path(self._dir.name) / self.base
            path.write_bytes(self.data)
        except OSError as exc:
            if self._dir is not None:
                self._dir.cleanup()
            raise InputError(f"the server could not store '{self.base}' to read it "
                             f"({exc.strerror or type(exc).__name__}); nothing was changed. Try "
                             "again in a minute; if it persists, tell the administrator (the "
                             "server's temporary folder may be full)") from None
        return path

    def __exit__(self, *exc) -> None:
        self._dir.cleanup()


def saved_metadata(path: str | Path) -> dict:
    """What ``core.intake.city.write_city`` stored with a city (name, source, lineage, units,
    estimates, predicted districts, reference values); empty for any other file."""
    import json

    try:
        import pyarrow.parquet as pq
        raw = (pq.read_schema(path).metadata or {}).get(SAVED_CITY.encode())
        return json.loads(raw) if raw else {}
    except Exception:  # metadata is a courtesy: a file without it is still a city
        return {}


_ABSOLUTE_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][^/\\\s:'\"]+)+[/\\]([^/\\\s:'\"]+)")


def library_message(exc: Exception) -> str:
    """The first line of a library's message, with every absolute path cut to its file name
    (messages reach the browser: they never show where the server keeps files)."""
    text = str(exc).strip().splitlines()
    return _ABSOLUTE_PATH.sub(r"\1", text[0]) if text else type(exc).__name__
