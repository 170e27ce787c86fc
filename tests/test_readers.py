"""Readers: every accepted format, and each bad input gets a message saying what to fix."""

from __future__ import annotations

import io
import warnings
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from core.errors import InputError
from core.intake import readers
from core.settings import Settings
from tests.archives import zip_of
from tests.conftest import square_grid


@pytest.fixture
def limits(monkeypatch):
    """Replace the settings the readers see (the real ones are cached per process)."""
    def set_(**kw):
        monkeypatch.setattr(readers, "get_settings", lambda: Settings(**kw))
    return set_


def shapefile_zip(tmp_path, gdf, stem="districts", extra: dict[str, bytes] | None = None) -> bytes:
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    with warnings.catch_warnings():  # dBase truncates "district_id" to 10 characters
        warnings.simplefilter("ignore")
        gdf.to_file(folder / f"{stem}.shp", engine="pyogrio")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for part in folder.iterdir():
            z.write(part, part.name)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()



def test_every_boundary_format_reads_the_same_four_squares(tmp_path):
    grid = square_grid(2)
    grid.to_file(tmp_path / "d.geojson")
    grid.to_file(tmp_path / "d.gpkg", layer="districts")
    grid.to_parquet(tmp_path / "d.parquet")
    (tmp_path / "d.zip").write_bytes(shapefile_zip(tmp_path, grid))
    for name in ("d.geojson", "d.gpkg", "d.parquet", "d.zip"):
        got = readers.read_boundaries(tmp_path / name)
        ids = got["district_i" if name.endswith("zip") else "district_id"]  # dBase: 10 chars
        assert list(ids.astype(str)) == ["1", "2", "3", "4"], name
        same = shapely.equals_exact(shapely.normalize(got.geometry.to_numpy()),
                                    shapely.normalize(grid.geometry.to_numpy()), tolerance=1e-9)
        assert same.all(), name
    data = (tmp_path / "d.zip").read_bytes()
    assert len(readers.read_boundaries_bytes("upload.zip", data)) == 4


def test_geopackage_with_several_layers_names_them(tmp_path):
    path = tmp_path / "two.gpkg"
    square_grid(2).to_file(path, layer="wards")
    square_grid(3).to_file(path, layer="tracts")
    with pytest.raises(InputError, match=r"2 layers: .*wards.*tracts|2 layers: .*tracts.*wards"):
        readers.read_boundaries(path)
    assert len(readers.read_boundaries(path, layer="tracts")) == 9
    with pytest.raises(InputError, match="no layer 'blocks'"):
        readers.read_boundaries(path, layer="blocks")
    assert sorted(readers.boundary_layers(path)) == ["tracts", "wards"]


@pytest.mark.parametrize("name, data, message", [
    ("d.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Fea', "cannot read"),
    ("d.gpkg", b"SQLite format 3\x00" + b"\x07" * 500, "cannot read"),
    ("d.parquet", b"PAR1\x00\x00garbage", "cannot read"),
    ("d.zip", b"PK\x03\x04 truncated", "not a readable zip"),
    ("d.geojson", b"", "empty"),
    ("d.docx", b"hello", "must be one of"),
    ("d.csv", b"a,b\n1,2\n", "must be one of"),
])
def test_bad_boundary_files(name, data, message):
    with pytest.raises(InputError, match=message):
        readers.read_boundaries_bytes(name, data)


def test_zip_without_shapefile(tmp_path):
    with pytest.raises(InputError, match=r"no \.shp file"):
        readers.read_boundaries_bytes("d.zip", zip_of({"readme.txt": b"hello"}))


@pytest.mark.parametrize("member", ["../evil.shp", "/etc/evil.shp", "a/../../evil.shp",
                                    "C:/evil.shp"])
def test_path_traversal_zip_is_refused_before_extraction(tmp_path, member):
    with pytest.raises(InputError, match="unsafe file name"):
        readers.read_boundaries_bytes("d.zip", zip_of({member: b"x" * 10}))
    assert not (tmp_path.parent / "evil.shp").exists()


def test_zip_bomb_and_member_count_are_refused(limits):
    bomb = zip_of({"d.shp": b"\x00" * 5_000_000})
    with pytest.raises(InputError, match="zip bomb"):
        readers.read_boundaries_bytes("d.zip", bomb)
    limits(zip_max_uncompressed_mb=1)
    with pytest.raises(InputError, match="unpack to 5 MB, over the limit of 1 MB"):
        readers.read_boundaries_bytes("d.zip", bomb)
    limits(zip_max_members=3)
    with pytest.raises(InputError, match="holds 4 files, more than the limit of 3"):
        readers.read_boundaries_bytes("d.zip", zip_of({f"{i}.txt": b"x" for i in range(4)}))


def test_upload_over_the_size_limit_is_refused_first(limits):
    limits(upload_limit_mb=0.001)
    with pytest.raises(InputError, match="over the upload limit of 0 MB"):
        readers.read_table_bytes("a.csv", b"x" * 2000)
    with pytest.raises(InputError, match="over the upload limit"):
        readers.read_boundaries_bytes("d.geojson", b"{" * 2000)


def test_points_file_reads_and_is_left_to_validation(tmp_path):
    pts = gpd.GeoDataFrame({"district_id": ["1"]}, geometry=gpd.points_from_xy([-87.6], [41.8]),
                           crs="EPSG:4326")
    pts.to_file(tmp_path / "p.geojson")
    assert readers.read_boundaries(tmp_path / "p.geojson").geom_type.tolist() == ["Point"]


def test_csv_latin1_semicolons_keep_text_and_leading_zeros():
    data = "id;nom;population\n01;Élysée;1000\n02;Bercy;2000\n".encode("latin-1")
    table = readers.read_table_bytes("a.csv", data)
    assert table.to_dict("list") == {"id": ["01", "02"], "nom": ["Élysée", "Bercy"],
                                     "population": ["1000", "2000"]}
    assert table.attrs["delimiter"] == ";"
    assert table.attrs["encoding"] != "utf-8"


def test_csv_utf8_with_bom_tabs():
    data = "\ufeffid\tname\n1\tSão Paulo\n".encode()
    table = readers.read_table_bytes("a.txt", data)
    assert list(table.columns) == ["id", "name"] and table["name"][0] == "São Paulo"
    assert table.attrs["encoding"] == "utf-8"


@pytest.mark.parametrize("name, data, message", [
    ("a.csv", b"", "empty"),
    ("a.csv", b"   \n\n", "empty"),
    ("a.csv", b"\x00\x01\x02binary", "binary"),
    ("a.xlsx", b"PK\x03\x04 truncated", "cannot read attributes"),
    ("a.parquet", b"PAR1 not really", "cannot read attributes"),
    ("a.json", b"{}", "must be one of"),
    ("a.csv", b"id,population\n", "no rows"),
])
def test_bad_tables(name, data, message):
    with pytest.raises(InputError, match=message):
        readers.read_table_bytes(name, data)


def test_xlsx_and_parquet_tables(tmp_path):
    frame = pd.DataFrame({"CA": [1, 2], "TOTAL_KWH": [10.5, 20.0]})
    frame.to_excel(tmp_path / "a.xlsx", index=False)
    frame.to_parquet(tmp_path / "a.parquet")
    for name in ("a.xlsx", "a.parquet"):
        pd.testing.assert_frame_equal(readers.read_table(tmp_path / name), frame)
