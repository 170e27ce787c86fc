"""What a user file really is, decided from its content, and the one driver allowed to open it.

A file's name only says what it claims to be. Before any library opens an uploaded or
given file, its first bytes are checked against the signature of the format its
suffix names (GeoJSON: a JSON object; GeoPackage: an SQLite database marked "GPKG";
Shapefile: the ESRI header; (Geo)Parquet: "PAR1" at both ends; XLSX and zip: a zip
archive). A mismatch is refused with a message that names no server path. Files that
pass are opened with an explicit driver (GDAL's ``GeoJSON:`` and ``GPKG:`` prefixes),
never by letting GDAL guess from the content: a GDAL VRT file renamed ``.geojson``
cannot make the server read another file or a URL. GDAL's network access and
SQLite's external virtual tables are switched off for the whole process.

A GeoJSON file may declare its coordinate system only by an EPSG code (or CRS84);
a link or a free-text definition is refused, since GDAL would resolve it.
"""

from __future__ import annotations

import mmap
import re
from pathlib import Path

from core.errors import InputError
from core.i18n import N_, lazy

# Which content each suffix must have.
SUFFIX_FORMAT = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".zip": "zip",
                 ".shp": "shp", ".parquet": "parquet", ".geoparquet": "parquet",
                 ".xlsx": "xlsx", ".csv": "text", ".txt": "text"}
FORMAT_NAMES = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "zip": N_("zip archive"),
                "shp": "Shapefile", "parquet": "Parquet", "xlsx": N_("XLSX workbook"),
                "text": N_("text table")}
#: what a content that is no accepted format looks like (a key of :func:`sniff`'s answers)
LOOKS_LIKE = {"xml": N_("XML (for example a GDAL VRT, KML or GML file, which are not accepted)"),
              "sqlite": N_("an SQLite database that is not a GeoPackage"),
              None: N_("an unknown binary format")}
#: the words a message uses for a kind of input (a reader's ``what``)
KINDS = {"boundaries": N_("boundaries"), "attributes": N_("attributes")}
HEAD_BYTES = 4096
SQLITE_MAGIC = b"SQLite format 3\x00"
GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")  # OGC GeoPackage application_id values
SQLITE_APPLICATION_ID_OFFSET = 68
SHAPEFILE_MAGIC = b"\x00\x00\x27\x0a"  # file code 9994, big-endian
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
PARQUET_MAGIC = b"PAR1"
UTF8_BOM = b"\xef\xbb\xbf"
# UTF-16 and UTF-32 byte-order marks (Excel's "Unicode text" is UTF-16-LE with its mark)
WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")

# GDAL configuration for user files: no network, no external SQLite virtual tables, no
# directory listing beside the file. Applied once per process before the first open.
GDAL_CONFIG = {
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".greenprint-no-network",  # /vsicurl/ opens nothing
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",  # VirtualOGR tables in a GeoPackage
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
}
_CRS_MEMBER = re.compile(rb'"crs"\s*:\s*\{')
_CRS_NAME = re.compile(
    r"^(urn:ogc:def:crs:EPSG:[0-9.]*:\d{4,6}|EPSG:\d{4,6}|urn:ogc:def:crs:OGC:1\.3:CRS84"
    r"|urn:ogc:def:crs:OGC::CRS84|OGC:CRS84)$", re.IGNORECASE)
_CRS_WINDOW = 400  # bytes after a "crs" member that hold its type and name
_configured = False


def harden_gdal() -> None:
    """Apply :data:`GDAL_CONFIG` (idempotent)."""
    global _configured
    if not _configured:
        import pyogrio

        pyogrio.set_gdal_config_options(GDAL_CONFIG)
        _configured = True


def expected_format(name: str) -> str | None:
    return SUFFIX_FORMAT.get(Path(name).suffix.lower())


def sniff(path: Path) -> str | None:
    """The format the content of ``path`` has (a key of FORMAT_NAMES), or None."""
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
        f.seek(0, 2)
        size = f.tell()
        tail = b""
        if size >= 8:
            f.seek(size - 4)
            tail = f.read(4)
    if head.startswith(SQLITE_MAGIC):
        app_id = head[SQLITE_APPLICATION_ID_OFFSET:SQLITE_APPLICATION_ID_OFFSET + 4]
        return "gpkg" if app_id in GPKG_APPLICATION_IDS else "sqlite"
    if head.startswith(ZIP_MAGICS):
        return "zip"
    if head.startswith(SHAPEFILE_MAGIC):
        return "shp"
    if head.startswith(PARQUET_MAGIC):
        return "parquet" if tail == PARQUET_MAGIC else None
    if head.startswith(WIDE_BOMS):  # NUL bytes are its text's: decoded by the reader
        return "text"
    text = head.removeprefix(UTF8_BOM).lstrip()
    if b"\x00" in head:
        return None
    if text.startswith(b"{"):
        return "geojson"
    if text.startswith(b"<"):
        return "xml"
    return "text"


def _looks_like(found: str | None) -> str:
    """What the content ``found`` is, as a lazy message (``a GeoPackage``)."""
    if found in LOOKS_LIKE:
        return lazy(LOOKS_LIKE[found])
    return lazy("a {format}", format=lazy(FORMAT_NAMES.get(found, str(found))))


def check_signature(path: Path, display_name: str, what: str) -> str:
    """Refuse a file whose content is not the format its suffix names; return that format.

    ``display_name`` is what the user called the file: messages never show ``path``."""
    wanted = expected_format(display_name)
    if wanted is None:
        raise InputError(lazy("'{name}': this kind of file is not accepted", name=display_name))
    found = sniff(path)
    if wanted == "xlsx" and found == "zip":
        found = "xlsx"
    if found == wanted or (wanted == "text" and found in ("text", "geojson")):
        return wanted
    raise InputError(lazy(
        "cannot read {what} '{name}': the name says {wanted} but the content is {found}. Export "
        "the file again in one of the accepted formats", what=lazy(KINDS[what]), name=display_name,
        wanted=lazy(FORMAT_NAMES[wanted]), found=_looks_like(found)))


def check_geojson_crs(path: Path, display_name: str) -> None:
    """Refuse a GeoJSON ``crs`` member that is not an EPSG code or CRS84 (GDAL would resolve it)."""
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for match in _CRS_MEMBER.finditer(data):
            window = data[match.end():match.end() + _CRS_WINDOW].decode("utf-8", "replace")
            kind = re.search(r'"type"\s*:\s*"([^"]*)"', window)
            name = re.search(r'"name"\s*:\s*"([^"]*)"', window)
            code = re.search(r'"code"\s*:\s*(\d{4,6})\b', window)
            kind_ = kind.group(1).lower() if kind else ""
            if kind_ == "name" and name and _CRS_NAME.match(name.group(1)):
                continue
            if kind_ == "epsg" and code:
                continue
            raise InputError(lazy(
                "cannot read boundaries '{name}': its \"crs\" member is not an EPSG code (a "
                "link or a free-text definition is not followed). Remove the \"crs\" member "
                "(GeoJSON is longitude/latitude by standard) or give the CRS as an EPSG code",
                name=display_name), setting="crs")


def gdal_path(path: Path, fmt: str) -> str:
    """The name GDAL opens: with an explicit driver prefix where GDAL has one."""
    harden_gdal()
    prefix = {"geojson": "GeoJSON:", "gpkg": "GPKG:"}.get(fmt, "")
    return f"{prefix}{path}"
