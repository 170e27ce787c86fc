"""Uploads open only what they claim to be: no server file, no URL, no path in a message.

The target of each attack is a named pipe (FIFO): opening it for reading is detected by a
writer that polls it, so "the server never opened the target file" is observed, not assumed.
A control test shows that the probe sees GDAL open the target when GDAL is left to guess.
"""

from __future__ import annotations

import errno
import http.server
import io
import os
import sqlite3
import threading
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.cli import app
from core.errors import InputError
from core.intake import readers
from tests.conftest import square_grid

CANARY = "CANARY_91b2"
runner = CliRunner()


@contextmanager
def fifo_probe(tmp_path: Path):
    """A named pipe holding a canary CSV; ``opened`` fills up if anything opens it to read."""
    fifo = tmp_path / "target.csv"
    os.mkfifo(fifo)
    opened: list[bool] = []
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:  # ENXIO: nobody has it open for reading
                assert exc.errno == errno.ENXIO
                time.sleep(0.001)
                continue
            opened.append(True)
            os.write(fd, f'id,wkt\n{CANARY},"POLYGON((0 0,1 0,1 1,0 1,0 0))"\n'.encode())
            os.close(fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        yield fifo, opened
    finally:
        stop.set()
        thread.join()


def vrt(source: str) -> bytes:
    return (f'<OGRVRTDataSource><OGRVRTLayer name="t"><SrcDataSource>{source}</SrcDataSource>'
            '<GeometryField encoding="WKT" field="wkt"/></OGRVRTLayer></OGRVRTDataSource>'
            ).encode()


@contextmanager
def http_counter():
    """A local HTTP server on 127.0.0.1 that counts the requests it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_HEAD = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def refused(name: str, data: bytes, tmp_path: Path) -> str:
    """The upload's error message; checks it names no server path."""
    with pytest.raises(InputError) as info:
        readers.read_boundaries_bytes(name, data)
    message = str(info.value)
    assert CANARY not in message and str(tmp_path) not in message and "/tmp" not in message
    return message


def test_probe_control_gdal_left_to_guess_opens_the_target(tmp_path):
    import pyogrio

    with fifo_probe(tmp_path) as (fifo, opened):
        disguised = tmp_path / "upload.geojson"
        disguised.write_bytes(vrt(str(fifo)))
        try:
            pyogrio.read_dataframe(disguised)  # what the reader did before: GDAL picks VRT
        except Exception:
            pass
    assert opened, "the probe must see GDAL open the target, or the tests below prove nothing"


@pytest.mark.parametrize("name", ["upload.geojson", "upload.json", "upload.gpkg",
                                  "upload.parquet"])
def test_vrt_disguised_as_a_boundary_file_is_refused_unopened(tmp_path, name):
    with fifo_probe(tmp_path) as (fifo, opened):
        message = refused(name, vrt(str(fifo)), tmp_path)
    assert not opened
    assert "cannot read boundaries" in message and "content is" in message


def test_vrt_inside_a_zip_is_refused_unopened(tmp_path):
    with fifo_probe(tmp_path) as (fifo, opened):
        data = zip_members({"d.shp": vrt(str(fifo)), "d.shx": vrt(str(fifo)),
                            "d.dbf": b"\x03" + b"\x00" * 40})
        message = refused("upload.zip", data, tmp_path)
    assert not opened and "not a Shapefile part" in message


def test_vrt_through_the_cli_is_refused_unopened(tmp_path):
    with fifo_probe(tmp_path) as (fifo, opened):
        path = tmp_path / "city.geojson"
        path.write_bytes(vrt(str(fifo)))
        r = runner.invoke(app, ["validate", str(path), "--json"])
    assert not opened
    assert r.exit_code == 2 and CANARY not in r.output and "content is XML" in r.output


def test_geopackage_with_an_external_virtual_table_does_not_read_it(tmp_path):
    with fifo_probe(tmp_path) as (fifo, opened):
        path = tmp_path / "evil.gpkg"
        square_grid(2).to_file(path, layer="districts")
        con = sqlite3.connect(path)
        con.execute("PRAGMA writable_schema = 1")
        con.execute("INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES "
                    "('table', 'evil', 'evil', 0, "
                    f"'CREATE VIRTUAL TABLE evil USING VirtualOGR(''{fifo}'')')")
        con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES "
                    "('evil', 'attributes', 'evil')")
        con.commit()
        con.close()
        for layer in ("evil", "districts"):
            try:
                got = readers.read_boundaries_bytes("evil.gpkg", path.read_bytes(), layer=layer)
                assert CANARY not in got.to_string()
            except InputError as exc:
                assert CANARY not in str(exc) and str(tmp_path) not in str(exc)
    assert not opened


def test_names_of_urls_and_vsicurl_are_never_fetched(tmp_path):
    with http_counter() as (url, hits):
        refused("a.geojson", vrt(f"/vsicurl/{url}/x.csv"), tmp_path)
        refused("b.json", vrt(f"{url}/x.csv"), tmp_path)
        linked = ('{"type": "FeatureCollection", "crs": {"type": "link", "properties": '
                  f'{{"href": "{url}/crs.wkt", "type": "ogcwkt"}}}}, "features": []}}')
        assert "crs" in refused("c.geojson", linked.encode(), tmp_path)
        named = ('{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
                 f'{{"name": "{url}/crs.wkt"}}}}, "features": []}}')
        assert "not an EPSG code" in refused("d.geojson", named.encode(), tmp_path)
        for target in (f"/vsicurl/{url}/x.geojson", f"{url}/x.geojson"):
            r = runner.invoke(app, ["validate", target, "--json"])
            assert r.exit_code == 2
        time.sleep(0.2)
    assert hits == []


def test_a_geojson_with_an_epsg_crs_member_is_read():
    text = square_grid(2).to_crs("EPSG:3435").to_json()
    assert '"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3435"}}' in text
    got = readers.read_boundaries_bytes("d.geojson", text.encode())
    assert got.crs.to_epsg() == 3435 and len(got) == 4


def zip_members(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)  # a Unix symbolic link
            z.writestr(info, target)
    return buf.getvalue()


def test_a_symbolic_link_inside_a_zip_is_refused_before_extraction(tmp_path):
    with fifo_probe(tmp_path) as (fifo, opened):
        data = zip_members({"d.dbf": b"\x03" + b"\x00" * 40}, links={"d.shp": str(fifo)})
        message = refused("upload.zip", data, tmp_path)
    assert not opened and "symbolic link 'd.shp'" in message


def test_library_messages_lose_server_paths(tmp_path):
    truncated = b'{"type": "FeatureCollection", "features": [{"type": "Fea'
    message = refused("d.geojson", truncated, tmp_path)
    assert "greenprint-upload" not in message and "d.geojson" in message
