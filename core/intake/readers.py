"""Readers for boundary files and attribute tables, with messages that say what to fix.

Boundaries: GeoJSON, GeoPackage (one layer chosen), zipped Shapefile (guarded before
extraction), Shapefile, GeoParquet. Tables: CSV (UTF-8, or what its byte-order mark says,
else the encoding the user gives or chardet detects; delimiter sniffed), XLSX, Parquet.
Every reader also takes uploaded bytes (``read_boundaries_bytes``, ``read_table_bytes``):
the size limit is checked first.
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
from core.i18n import N_, lazy
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
#: the words a message uses for what a file holds too many of
SHAPE_WORDS = {"features": N_("features"), "rows": N_("rows")}
# Byte-order marks, longest first (UTF-32-LE's begins with UTF-16-LE's), and the codec each says.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
WIDE_UNICODE = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}
# chardet's encoding eras searched when a file is neither Unicode nor given an encoding: the
# Windows code pages, UTF and the East Asian multi-byte encodings ("MODERN_WEB") and the
# ISO-8859 family; DOS, Mac and mainframe code pages fit short Latin text too often.
DETECTED_ERAS = ("MODERN_WEB", "LEGACY_ISO")
FALLBACKS = [("cp1252", "fallback"), ("latin-1", "fallback")]  # latin-1 decodes any byte
#: where the encoding of a table came from: a byte-order mark, valid UTF-8, the user, chardet's
#: guess, or the last resort
ENCODING_FROM = ("bom", "utf-8", "given", "detected", "fallback")
#: legacy encodings of public tables a user may choose (Python codec name -> script or region)
ENCODINGS = {"cp1252": N_("Western European"), "cp1250": N_("Central European"),
             "cp1251": N_("Cyrillic"), "cp1253": N_("Greek"), "cp1254": N_("Turkish"),
             "cp1257": N_("Baltic"), "cp1255": N_("Hebrew"), "cp1256": N_("Arabic"),
             "cp1258": N_("Vietnamese"), "iso8859-1": N_("Western European"),
             "iso8859-2": N_("Central European"), "iso8859-15": N_("Western European"),
             "koi8-r": N_("Cyrillic"), "cp874": N_("Thai"), "cp932": N_("Japanese"),
             "gb18030": N_("Simplified Chinese"), "big5": N_("Traditional Chinese"),
             "cp949": N_("Korean")}


# --------------------------------------------------------------------------- limits


def check_size(n_bytes: int, name: str) -> None:
    """Refuse empty files and files over the upload limit (``GREENPRINT_UPLOAD_LIMIT_MB``)."""
    limit = get_settings().upload_limit_mb
    if n_bytes == 0:
        raise InputError(lazy("'{name}' is empty (0 bytes); upload the file again or choose "
                              "another", name=name))
    if n_bytes > limit * BYTES_PER_MB:
        raise InputError(lazy("'{name}' is {size:,.1f} MB, over the upload limit of {limit:,.0f} "
                              "MB; split or simplify the file (the limit is set by {setting})",
                              name=name, size=n_bytes / BYTES_PER_MB, limit=limit,
                              setting="GREENPRINT_UPLOAD_LIMIT_MB"))


def guard_zip(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    """Check a zip before anything is extracted; return its members.

    Refuses archives with too many members, too large a total uncompressed size or
    compression ratio (zip bombs, limits in :mod:`core.settings`), and member names
    that are absolute or contain ``..`` (path traversal).
    """
    s = get_settings()
    members = archive.infolist()
    if len(members) > s.zip_max_members:
        raise InputError(lazy("'{name}' holds {n:,} files, more than the limit of {most:,}; zip "
                              "only the Shapefile's parts", name=name, n=len(members),
                              most=s.zip_max_members))
    for m in members:
        if (m.external_attr >> 16) & 0o170000 == 0o120000:  # a Unix symbolic link
            raise InputError(lazy("'{name}' contains the symbolic link '{member}'; it was not "
                                  "extracted. Zip the files themselves, not links to them",
                                  name=name, member=m.filename))
        path = PurePosixPath(m.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or (m.filename[1:2] == ":"):
            raise InputError(lazy("'{name}' contains the unsafe file name '{member}' (absolute "
                                  "or with '..'); it was not extracted. Zip the files without "
                                  "folders", name=name, member=m.filename))
    total = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if total > s.zip_max_uncompressed_mb * BYTES_PER_MB:
        raise InputError(lazy("'{name}' would unpack to {size:,.0f} MB, over the limit of "
                              "{most:,.0f} MB; it was not extracted", name=name,
                              size=total / BYTES_PER_MB, most=s.zip_max_uncompressed_mb))
    if total / packed > s.zip_max_ratio:
        raise InputError(lazy("'{name}' compresses {ratio:,.0f} to 1, more than the limit of "
                              "{most:,.0f} to 1 (a zip bomb?); it was not extracted", name=name,
                              ratio=total / packed, most=s.zip_max_ratio))
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
            raise InputError(lazy("cannot read boundaries '{name}': {detail}", name=path.name,
                                  detail=library_message(exc))) from exc
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
        raise _wrong_suffix(path.name, "boundaries", BOUNDARY_SUFFIXES)
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
        raise InputError(lazy("cannot read boundaries '{name}' (truncated, corrupt or not a "
                              "{suffix} file?): {detail}", name=path.name,
                              suffix=suffix.lstrip("."), detail=library_message(exc))) from exc
    return _checked_boundaries(gdf, path.name)


def _read_vector(gdal_name: str, layer: str | None) -> gpd.GeoDataFrame:
    """Read with GDAL, stopping one feature past the limit (the check follows)."""
    import pyogrio

    limit = get_settings().max_features
    return pyogrio.read_dataframe(gdal_name, layer=layer, max_features=limit + 1)


def _checked_boundaries(gdf, name: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf:
        raise InputError(lazy("'{name}' has no geometry column; boundaries need polygons",
                              name=name))
    if gdf.empty:
        raise InputError(lazy("'{name}' holds no features", name=name))
    check_shape(len(gdf), len(gdf.columns) - 1, name, what="features")
    check_vertices(gdf.geometry, name)
    return gdf


def check_shape(rows: int, columns: int, name: str, what: str = "rows") -> None:
    """Refuse more rows/features or columns than the settings allow (before the costly work)."""
    s = get_settings()
    most = s.max_features if what == "features" else s.max_rows
    variable = "GREENPRINT_MAX_FEATURES" if what == "features" else "GREENPRINT_MAX_ROWS"
    if rows > most:
        fields = {"name": name, "n": rows, "most": most, "what": lazy(SHAPE_WORDS[what]),
                  "setting": variable}
        raise InputError(
            lazy("'{name}' holds more than {most:,} {what}, over the limit of {most:,} (set by "
                 "{setting}); split the file or ask the administrator to raise the limit",
                 **fields) if rows == most + 1 else
            lazy("'{name}' holds {n:,} {what}, over the limit of {most:,} (set by {setting}); "
                 "split the file or ask the administrator to raise the limit", **fields))
    if columns > s.max_columns:
        raise InputError(lazy("'{name}' has {n:,} columns, over the limit of {most:,} (set by "
                              "{setting}); keep only the columns you need", name=name,
                              n=columns, most=s.max_columns, setting="GREENPRINT_MAX_COLUMNS"))


def check_vertices(geometry: gpd.GeoSeries, name: str) -> None:
    """Refuse boundaries with more polygon vertices than ``GREENPRINT_MAX_VERTICES``."""
    import shapely

    most = get_settings().max_vertices
    n = int(shapely.get_num_coordinates(geometry.to_numpy()).sum())
    if n > most:
        raise InputError(lazy("'{name}' has {n:,} vertices, over the limit of {most:,} (set by "
                              "{setting}); simplify the boundaries (for example with mapshaper "
                              "or QGIS) and upload them again", name=name, n=n, most=most,
                              setting="GREENPRINT_MAX_VERTICES"))


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
            raise InputError(lazy("'{name}' has no layer '{layer}'; its layers are: {layers}",
                                  name=name, layer=layer, layers=", ".join(layers)))
        return layer
    if len(layers) == 1:
        return layers[0]
    if not layers:
        raise InputError(lazy("'{name}' holds no layers", name=name))
    raise InputError(lazy("'{name}' holds {n} layers: {layers}; choose one", name=name,
                          n=len(layers), layers=", ".join(layers)), setting="layer")


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(lazy("'{name}' is not a readable zip archive (truncated or corrupt?): "
                              "{detail}", name=path.name, detail=library_message(exc))) from exc


def _guard_workbook(path: Path) -> None:
    """An XLSX is a zip: the same limits apply before openpyxl unpacks it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(lazy("cannot read attributes '{name}' (truncated, corrupt or not an "
                              "xlsx file?): {detail}", name=path.name,
                              detail=library_message(exc))) from exc
    with archive:
        guard_zip(archive, path.name)


def _shapefiles(members: list[zipfile.ZipInfo], name: str) -> list[str]:
    shps = [m.filename[:-4] for m in members if m.filename.lower().endswith(".shp")]
    if not shps:
        raise InputError(lazy("'{name}' contains no .shp file; a zipped Shapefile needs at "
                              "least the .shp, .shx and .dbf files (and .prj for the CRS)",
                              name=name))
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
                raise InputError(lazy("'{name}' is corrupt: {detail}", name=path.name,
                                      detail=library_message(exc))) from exc
            shp = Path(tmp) / (PurePosixPath(stem).name + ".shp")
            if not shp.with_suffix(".dbf").exists() and not shp.with_suffix(".DBF").exists():
                raise InputError(lazy("'{name}': the Shapefile '{stem}' has no .dbf part; zip "
                                      "the .shp, .shx, .dbf and .prj files together",
                                      name=path.name, stem=stem))
            for part in Path(tmp).iterdir():  # the .shp and .shx carry the ESRI header
                if part.suffix.lower() in (".shp", ".shx") and formats.sniff(part) != "shp":
                    raise InputError(lazy("cannot read the Shapefile in '{name}': '{part}' is "
                                          "not a Shapefile part (no ESRI header)",
                                          name=path.name, part=part.name))
            try:
                gdf = _read_vector(formats.gdal_path(shp, "shp"), None)
            except Exception as exc:
                raise InputError(lazy("cannot read the Shapefile in '{name}': {detail}",
                                      name=path.name, detail=library_message(exc))) from exc
    return _checked_boundaries(gdf, path.name)


# --------------------------------------------------------------------------- tables


def read_table(path: str | Path, encoding: str | None = None) -> pd.DataFrame:
    """Read an attribute table from CSV, XLSX or Parquet.

    For CSV, ``encoding`` is the user's word on a file that is not Unicode (see
    :func:`decode_text`); ``table.attrs`` records the ``encoding`` used, where it came from
    (``encoding_from``) and the ``delimiter``.
    """
    path = _existing(path, "attributes")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise _wrong_suffix(path.name, "attributes", TABLE_SUFFIXES)
    check_size(path.stat().st_size, path.name)
    fmt = formats.check_signature(path, path.name, "attributes")
    try:
        if fmt == "text":
            table = read_csv_bytes(path.read_bytes(), path.name, encoding)
        elif fmt == "xlsx":
            _guard_workbook(path)
            table = pd.read_excel(path, engine="openpyxl", nrows=get_settings().max_rows + 1)
        else:
            check_shape(*_parquet_shape(path), path.name)
            table = pd.read_parquet(path)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(lazy("cannot read attributes '{name}' (truncated, corrupt or not a "
                              "{suffix} file?): {detail}", name=path.name,
                              suffix=suffix.lstrip("."), detail=library_message(exc))) from exc
    table.columns = [str(c).strip() for c in table.columns]
    check_shape(len(table), len(table.columns), path.name)
    if table.empty:
        raise InputError(lazy("'{name}' has no rows", name=path.name))
    return table


def read_table_bytes(name: str, data: bytes, encoding: str | None = None) -> pd.DataFrame:
    """:func:`read_table` for uploaded bytes (the name gives the format)."""
    with _spooled(name, data, TABLE_SUFFIXES, "attributes") as path:
        return read_table(path, encoding)


def legacy_encoding(name: str, data: bytes) -> str | None:
    """The encoding :func:`read_table_bytes` guesses for ``data`` when it is a text table
    that does not say its own (no byte-order mark, not UTF-8): what the user is asked to
    confirm. None for any other file, or one that cannot be read (its reader says why)."""
    if formats.expected_format(str(name)) != "text":
        return None
    try:
        check_size(len(data), name)
        _, encoding, source = decode_text(data, name)
    except InputError:
        return None
    return encoding if source in ("detected", "fallback") else None


#: the codecs a user may give (Python's names): the character sets of tables, never a codec
#: that transforms text (unicode_escape reads backslashes in cells) or refuses every byte
CHARSETS = re.compile(r"(utf-(8|16|32)(-[lb]e)?|utf-8-sig|ascii|latin-1|cp\d+|iso8859-\d+|"
                      r"mac-[a-z-]+|koi8-[a-z]+|kz1048|ptcp154|tis-620|shift_jis[a-z0-9_]*|"
                      r"euc_[a-z0-9_]+|gb2312|gbk|gb18030|hz|big5(hkscs)?|johab|iso2022_[a-z0-9_]+)")


def check_encoding(encoding: str) -> str:
    """``encoding`` as Python's name of that character set ("Windows-1250" -> "cp1250"); an
    InputError that says what to give when it is not one (:data:`CHARSETS`)."""
    try:
        info = codecs.lookup(str(encoding).strip())
    except LookupError:
        info = None
    if info is None or not CHARSETS.fullmatch(info.name):
        raise InputError(lazy("'{encoding}' is not a text encoding Python knows; give one of "
                              "its codec names, e.g. cp1250 (Central European), cp1252 (Western "
                              "European), cp1251 (Cyrillic), cp932 (Japanese) or gb18030 "
                              "(Chinese)", encoding=str(encoding)), setting="encoding")
    return info.name


def decode_text(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str, str]:
    """Decode text bytes; return the text, the encoding used (Python's codec name) and where
    it came from (:data:`ENCODING_FROM`).

    A byte-order mark decides first (UTF-8, UTF-16, UTF-32: Excel's "Unicode text"), then
    valid UTF-8. Only a file that is neither is decoded with the user's ``encoding``, else
    with the one chardet detects among the encodings of :data:`DETECTED_ERAS` (the
    Windows-125x and ISO-8859 families, Shift_JIS, GB18030, Big5, EUC-KR...), else
    Windows-1252 (or Latin-1, which decodes any byte)."""
    given = check_encoding(encoding) if encoding else None
    for bom, codec in BOMS:
        if data.startswith(bom):
            return _decoded(data, codec, name, "bom"), codec.removesuffix("-sig"), "bom"
    if given in WIDE_UNICODE:  # UTF-16/32 without a mark, said by the user: NULs expected
        return _decoded(data, given, name, "given"), given, "given"
    if b"\x00" in data[:SNIFF_BYTES]:
        raise InputError(lazy("'{name}' looks like a binary file, not a text CSV; export the "
                              "table as CSV, XLSX or Parquet", name=name))
    try:
        return data.decode("utf-8"), "utf-8", "utf-8"
    except UnicodeDecodeError:
        pass
    if given:
        return _decoded(data, given, name, "given"), given, "given"
    detected = _detect(data[:SNIFF_BYTES * 4])
    for codec, source in ([(detected, "detected")] if detected else []) + FALLBACKS:
        try:
            return data.decode(codec), codec, source
        except UnicodeDecodeError:  # a byte past the detection window that it cannot decode
            continue
    raise InputError(lazy("cannot decode '{name}'; save it as UTF-8", name=name))  # latin-1 never fails


def _detect(sample: bytes) -> str | None:
    """chardet's guess among :data:`DETECTED_ERAS`, as Python's codec name (None: no guess)."""
    import chardet
    from chardet.enums import EncodingEra

    era = EncodingEra(0)
    for name in DETECTED_ERAS:
        era |= EncodingEra[name]
    found = chardet.detect(sample, encoding_era=era, max_bytes=len(sample))["encoding"]
    try:
        return codecs.lookup(found).name if found else None
    except LookupError:
        return None


def _decoded(data: bytes, codec: str, name: str, source: str) -> str:
    """``data`` decoded strictly with ``codec``; an InputError naming the first wrong byte."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        fields = {"name": name, "codec": codec, "position": exc.start,
                  "byte": data[exc.start:exc.start + 1].hex().upper()}
    if source == "given":
        raise InputError(lazy("'{name}' is not {codec} text, as the encoding you gave says: byte "
                              "0x{byte} at position {position:,} is not valid in {codec}. "
                              "Choose another encoding, or save the file as UTF-8", **fields),
                         setting="encoding")
    raise InputError(lazy("'{name}' is not {codec} text, as its byte-order mark says: byte "
                          "0x{byte} at position {position:,} is not valid in {codec}. Save the "
                          "file again as UTF-8", **fields))


def read_csv_bytes(data: bytes, name: str, encoding: str | None = None) -> pd.DataFrame:
    """CSV bytes -> table of text cells; encoding decided by :func:`decode_text`, delimiter
    sniffed (comma, semicolon, tab or bar)."""
    text, encoding, source = decode_text(data, name, encoding)
    if not text.strip():
        raise InputError(lazy("'{name}' is empty", name=name))
    sample = text[:SNIFF_BYTES]
    delimiter = _delimiter(sample)
    header = next(csv.reader(io.StringIO(sample.split("\n", 1)[0]), delimiter=delimiter), [])
    check_shape(max(text.count("\n") - 1, 0), len(header), name)  # before pandas does the costly parse
    # UTF-8 goes to Arrow as the bytes it came in (no copy of the text re-encoded)
    source_io = (io.BytesIO(data.removeprefix(codecs.BOM_UTF8)) if encoding == "utf-8"
                 else io.StringIO(text))
    table = (_read_csv_arrow(source_io, delimiter, header) if len(set(header)) == len(header)
             else None)
    try:
        if table is None:  # pandas' own parser: repeated column names, or what Arrow refused
            table = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str,
                                keep_default_na=False, na_values=CSV_NA_VALUES)
    except pd.errors.ParserError as exc:
        raise InputError(lazy("'{name}' is not a consistent CSV (delimiter '{delimiter}'): "
                              "{detail}", name=name, delimiter=delimiter,
                              detail=library_message(exc))) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(lazy("'{name}' has no columns", name=name)) from exc
    table.attrs.update(encoding=encoding, encoding_from=source, delimiter=delimiter)
    return table


def _delimiter(sample: str) -> str:
    """The delimiter of :data:`CSV_DELIMITERS` that the Sniffer finds consistent in
    ``sample``; when it finds none, the one the header line holds most of (a comma if none)."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        header = sample.split("\n", 1)[0]
        most = max(CSV_DELIMITERS, key=header.count)
        return most if header.count(most) else ","


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
        raise InputError(lazy("{what} file not found: {path}", what=lazy(formats.KINDS[what]),
                              path=str(path)))
    return path


def _wrong_suffix(name: str, what: str, suffixes: tuple[str, ...]) -> InputError:
    """The error for a file whose suffix is not one of ``suffixes`` (``what``: a key of
    :data:`core.intake.formats.KINDS`)."""
    return InputError(lazy("'{name}': {what} must be one of {suffixes}", name=name,
                           what=lazy(formats.KINDS[what]), suffixes=", ".join(suffixes)))


class _spooled:
    """Write uploaded bytes to a private temporary file named like the upload."""

    def __init__(self, name: str, data: bytes, suffixes: tuple[str, ...], what: str):
        base = PurePosixPath(str(name).replace("\\", "/")).name or "upload"
        if Path(base).suffix.lower() not in suffixes:
            raise _wrong_suffix(base, what, suffixes)
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
            raise InputError(lazy("the server could not store '{name}' to read it ({detail}); "
                                  "nothing was changed. Try again in a minute; if it persists, "
                                  "tell the administrator (the server's temporary folder may be "
                                  "full)", name=self.base,
                                  detail=exc.strerror or type(exc).__name__)) from None
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
