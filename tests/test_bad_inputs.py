"""The catalogue of bad inputs: every reader, the Data page and every CLI command.

One table (CASES) of bad files, each with the message a user must see and the CLI's exit
code. Every case runs through core (the reader raises InputError with that message), the
command line (the exit code, the message, no traceback, no server path) and, where the
Data page accepts that kind of file, the page (the message, no exception, the active city
and the scenario sliders unchanged). COMMAND_CASES adds the commands' own options.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

from core import paths
from core.cli import app
from core.errors import InputError
from core.intake import degree_day_table, mapping, readers
from core.intake.city import default_city
from core.plan import scenario
from core.settings import Settings
from dashboard import keys, nav
from tests.archives import zip_of
from tests.conftest import square_grid
from tools.apptest import open_app

CITY = [str(paths.DEFAULT_BOUNDARIES), "--attributes", str(paths.DEFAULT_ATTRIBUTES)]
runner = CliRunner()
VRT = (b'<OGRVRTDataSource><OGRVRTLayer name="t"><SrcDataSource>/etc/passwd</SrcDataSource>'
       b"</OGRVRTLayer></OGRVRTDataSource>")
KML = b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>'
GEOJSON4 = square_grid(2).to_json().encode()
SCENARIO_OK = json.loads((scenario.SCENARIO_DIR / "justice40.json").read_text())


def fc(extra: str) -> bytes:
    return ('{"type": "FeatureCollection", ' + extra + ' "features": []}').encode()


def symlink_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("d.shp")
        info.external_attr = 0o120777 << 16
        z.writestr(info, "/etc/passwd")
    return buf.getvalue()


def sc(**changes) -> bytes:
    return json.dumps({**SCENARIO_OK, **changes}).encode()


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # boundaries | table | scenario | mapping | degree_days
    name: str
    data: bytes
    message: str  # a regular expression the message must match
    exit_code: int = 2
    settings: tuple = ()  # (name, value) limits to run with: small limits, small files


CASES = [
    # boundaries
    Case("empty-geojson", "boundaries", "d.geojson", b"", "is empty"),
    Case("word-document", "boundaries", "d.docx", b"PK\x03\x04 word", "must be one of"),
    Case("csv-as-boundaries", "boundaries", "d.csv", b"a,b\n1,2\n", "must be one of"),
    Case("truncated-geojson", "boundaries", "d.geojson", GEOJSON4[:-40], "cannot read boundaries"),
    Case("vrt-as-geojson", "boundaries", "d.geojson", VRT, "content is XML"),
    Case("vrt-as-json", "boundaries", "d.json", VRT, "content is XML"),
    Case("vrt-as-geopackage", "boundaries", "d.gpkg", VRT, "the name says GeoPackage"),
    Case("vrt-as-parquet", "boundaries", "d.parquet", VRT, "the name says Parquet"),
    Case("kml-as-geojson", "boundaries", "d.geojson", KML, "content is XML"),
    Case("plain-sqlite-as-geopackage", "boundaries", "d.gpkg",
         b"SQLite format 3\x00" + b"\x00" * 200, "not a GeoPackage"),
    Case("binary-as-geojson", "boundaries", "d.geojson", b"\x89PNG\r\n\x1a\n\x00\x00",
         "unknown binary format"),
    Case("garbage-parquet", "boundaries", "d.parquet", b"PAR1\x00garbage", "the name says Parquet"),
    Case("truncated-zip", "boundaries", "d.zip", b"PK\x03\x04 truncated", "not a readable zip"),
    Case("zip-without-shapefile", "boundaries", "d.zip", zip_of({"readme.txt": b"hi"}),
         r"no \.shp file"),
    Case("zip-path-traversal", "boundaries", "d.zip", zip_of({"../evil.shp": b"x"}),
         "unsafe file name"),
    Case("zip-absolute-path", "boundaries", "d.zip", zip_of({"/etc/evil.shp": b"x"}),
         "unsafe file name"),
    Case("zip-symbolic-link", "boundaries", "d.zip", symlink_zip(), "symbolic link"),
    Case("zip-bomb", "boundaries", "d.zip", zip_of({"d.shp": b"\x00" * 3_000_000}), "zip bomb"),
    Case("zip-vrt-as-shapefile", "boundaries", "d.zip",
         zip_of({"d.shp": VRT, "d.shx": VRT, "d.dbf": b"\x03" + b"\x00" * 40}),
         "not a Shapefile part"),
    Case("geojson-crs-link", "boundaries", "d.geojson",
         fc('"crs": {"type": "link", "properties": {"href": "http://127.0.0.1:9/x"}},'),
         "not an EPSG code"),
    Case("geojson-crs-proj-string", "boundaries", "d.geojson",
         fc('"crs": {"type": "name", "properties": {"name": "+init=/etc/passwd"}},'),
         "not an EPSG code"),
    Case("geojson-without-features", "boundaries", "d.geojson", fc(""), "holds no features"),
    Case("geojson-too-many-features", "boundaries", "d.geojson",
         square_grid(2).to_json().encode(), "more than 3 features, over the limit of 3",
         settings=(("max_features", 3),)),
    Case("geojson-too-many-vertices", "boundaries", "d.geojson",
         gpd.GeoSeries([Point(-87.7, 41.8).buffer(0.01)], crs="EPSG:4326").to_json().encode(),
         "65 vertices, over the limit of 12", settings=(("max_vertices", 12),)),
    Case("geojson-too-many-columns", "boundaries", "d.geojson",
         square_grid(1).assign(a=1, b=2).to_json().encode(), "columns, over the limit of 2",
         settings=(("max_columns", 2),)),
    Case("geojson-over-upload-limit", "boundaries", "d.geojson", b"{" + b" " * 20_000 + b"}",
         "over the upload limit", settings=(("upload_limit_mb", 0.01),)),
    # attribute tables
    Case("empty-csv", "table", "a.csv", b"", "is empty"),
    Case("blank-csv", "table", "a.csv", b"  \n\n", "is empty"),
    Case("binary-csv", "table", "a.csv", b"\x00\x01\x02binary", "binary"),
    Case("header-only-csv", "table", "a.csv", b"district_id,population\n", "no rows"),
    Case("json-as-table", "table", "a.json", b"{}", "must be one of"),
    Case("truncated-xlsx", "table", "a.xlsx", b"PK\x03\x04 truncated", "cannot read attributes"),
    Case("vrt-as-xlsx", "table", "a.xlsx", VRT, "the name says XLSX"),
    Case("xlsx-zip-bomb", "table", "a.xlsx", zip_of({"xl/workbook.xml": b" " * 3_000_000}),
         "zip bomb"),
    Case("garbage-parquet-table", "table", "a.parquet", b"PAR1 nothing", "the name says Parquet"),
    Case("csv-too-many-rows", "table", "a.csv", b"id,p\n1,1\n2,2\n3,3\n4,4\n",
         "rows, over the limit of 2", settings=(("max_rows", 2),)),
    Case("csv-too-many-columns", "table", "a.csv", b"id,p,q\n1,1,1\n",
         "3 columns, over the limit of 2", settings=(("max_columns", 2),)),
    # scenarios
    Case("scenario-not-json", "scenario", "s.json", b"{budget: 5", "is not valid JSON"),
    Case("scenario-infinite-multiplier", "scenario", "s.json",
         sc(tech_cost_multipliers={"heat_pump": 1}).replace(b'"heat_pump": 1', b'"heat_pump": 1e999'),
         "finite number"),
    Case("scenario-nan-price", "scenario", "s.json",
         sc(electricity_usd_per_kwh=0.1).replace(b'"electricity_usd_per_kwh": 0.1',
                                                 b'"electricity_usd_per_kwh": NaN'),
         "finite number"),
    Case("scenario-huge-budget", "scenario", "s.json", sc(budget_usd_per_capita=1e300),
         "outside 0 to 100,000 USD per resident"),
    Case("scenario-negative-budget", "scenario", "s.json", sc(budget_usd_per_capita=-5),
         "greater than or equal to 0"),
    Case("scenario-price-in-cents", "scenario", "s.json", sc(electricity_usd_per_kwh=14.0),
         "unit error"),
    Case("scenario-deep-nesting", "scenario", "s.json", b"[" * 100_000 + b"]" * 100_000,
         "over the limit of 64 KB"),
    Case("scenario-moderately-deep", "scenario", "s.json", b"[" * 1000 + b"]" * 1000,
         "nests 1,000 levels deep"),
    Case("scenario-50-mb", "scenario", "s.json", b" " * 50_000_000 + b"{}",
         "over the limit of 64 KB"),
    Case("scenario-unknown-field", "scenario", "s.json", sc(budget=5), "Extra inputs"),
    Case("scenario-not-an-object", "scenario", "s.json", b"[1, 2]", "expected a JSON object"),
    # mapping files
    Case("mapping-deep-yaml", "mapping", "m.yaml", b"a: " + b"[" * 5000 + b"]" * 5000,
         "nests 5,000 levels deep"),
    Case("mapping-unknown-target", "mapping", "m.json",
         b'{"columns": {"KWH": "electricity"}}', "not canonical column names"),
    Case("mapping-broken-yaml", "mapping", "m.yaml", b"columns: [a, b\n  c: {", "not valid YAML"),
    # degree days
    Case("degree-days-missing-columns", "degree_days", "dd.csv", b"month,hdd\n1,2\n",
         "needs columns month, hdd_c, cdd_c"),
    Case("degree-days-too-big", "degree_days", "dd.csv", b"month,hdd_c,cdd_c\n" + b"1,1,1\n" * 20_000,
         "over the limit of 64 KB"),
]


def read(case: Case):
    """Read the case's bytes the way the app does for that kind of file."""
    if case.kind == "boundaries":
        return readers.read_boundaries_bytes(case.name, case.data)
    if case.kind == "table":
        return readers.read_table_bytes(case.name, case.data)
    if case.kind == "scenario":
        return scenario.loads(case.data, case.name)
    if case.kind == "mapping":
        return mapping.loads(case.data.decode("utf-8"), case.name)
    buf = io.BytesIO(case.data)
    buf.name = case.name
    return degree_day_table.read_degree_days(buf)


def cli_args(case: Case, path: Path) -> list[str]:
    return {"boundaries": ["validate", str(path)],
            "table": ["validate", str(paths.DEFAULT_BOUNDARIES), "--attributes", str(path)],
            "scenario": ["optimize", *CITY, "--scenario", str(path), "--device", "cpu"],
            "mapping": ["summary", *CITY, "--mapping", str(path)],
            "degree_days": ["evaluate", "--degree-days", str(path)]}[case.kind]


@pytest.fixture
def small_limits(monkeypatch):
    def apply(case: Case) -> None:
        if case.settings:
            small = Settings(**dict(case.settings))
            for module in ("core.intake.readers", "core.intake.documents"):
                monkeypatch.setattr(f"{module}.get_settings", lambda: small)
    return apply


def test_the_catalogue_has_at_least_40_cases_with_unique_ids():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_core_refuses_with_the_message(case, small_limits):
    small_limits(case)
    with pytest.raises(InputError, match=case.message):
        read(case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cli_exits_with_the_code_and_message_and_no_traceback(case, tmp_path, small_limits):
    small_limits(case)
    path = tmp_path / case.name
    path.write_bytes(case.data)
    r = runner.invoke(app, [*cli_args(case, path), "--json"])
    assert r.exit_code == case.exit_code, r.output
    out = json.loads(r.stdout)
    assert out["status"] == "error" and out["exit_code"] == case.exit_code
    assert re.search(case.message, out["message"]), out["message"]
    if "not an EPSG code" in out["message"]:  # the fix is a setting: the CLI names its option
        assert out["message"].endswith("(with --crs EPSG:XXXX)"), out["message"]
    assert "Traceback" not in r.output and "/etc/passwd" not in out["message"].replace(
        "+init=/etc/passwd", "")
    assert r.exception is None or isinstance(r.exception, SystemExit)


# --------------------------------------------------------------------------- the Data page

PAGE_UPLOADERS = {"boundaries": keys.DATA_BOUNDARIES, "degree_days": keys.DATA_DEGREE_DAYS}
PAGE_CASES = [c for c in CASES if c.kind in PAGE_UPLOADERS and not c.settings
              and not c.name.endswith((".docx", ".csv")) or c.kind == "degree_days"]


@pytest.fixture(scope="module")
def page():
    """The Data page with an uploaded city active (a 4-district copy of the default)."""
    at = open_app(nav.DATA)
    city = default_city()
    small = type(city)(districts=city.districts.iloc[:4].copy(), name="Four areas",
                       source="test")
    at.session_state[keys.CITY] = small
    at.session_state[keys.CITY_KEY] = "four-areas"
    at.sidebar.slider(key=keys.LAB_BUDGET).set_value(250)
    at.run()
    return at, small


@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda c: c.id)
def test_data_page_shows_the_message_and_keeps_the_active_city(case, page):
    at, city = page
    at.file_uploader(key=PAGE_UPLOADERS[case.kind]).set_value(
        (case.name, case.data, "application/octet-stream"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    shown = [e.value for e in at.error] + [w.value for w in at.warning]
    assert any(re.search(case.message, s) for s in shown), shown
    # the app's user is never sent to a command-line option; a setting is named by its box
    assert not any(re.search(r"(^|[\s(])--[a-z]", s) for s in shown), shown
    if any("not an EPSG code" in s for s in shown):
        assert any("in the CRS box" in s for s in shown), shown
    assert at.session_state[keys.CITY] is city and at.session_state[keys.CITY_KEY] == "four-areas"
    assert at.sidebar.slider(key=keys.LAB_BUDGET).value == 250
    at.file_uploader(key=PAGE_UPLOADERS[case.kind]).set_value(None)


def test_the_page_lists_enough_cases():
    assert len(PAGE_CASES) >= 20


# --------------------------------------------------------------------------- CLI options

COMMAND_CASES = [
    (["summary", "missing.geojson"], 2, "not found"),
    (["validate", "missing.geojson"], 2, "not found"),
    (["evaluate", "missing.geojson"], 2, "not found"),
    (["train", "missing.geojson", "--out", "{tmp}/model"], 2, "not found"),
    (["optimize", *CITY, "--scenario", "{tmp}/none.json"], 2, "not found"),
    (["sweep", *CITY, "--scenario", str(scenario.SCENARIO_DIR / "justice40.json"),
      "--vary", "budget_usd_per_capita=0:inf:3"], 2, "finite number|outside"),
    (["sweep", *CITY, "--scenario", str(scenario.SCENARIO_DIR / "justice40.json"),
      "--vary", "budget_usd_per_capita=0:100:100000"], 2, "COUNT must be between"),
    (["sweep", *CITY, "--scenario", str(scenario.SCENARIO_DIR / "justice40.json"),
      "--vary", "nonsense"], 2, "NAME=START:STOP:COUNT"),
    (["optimize", *CITY, "--scenario", str(scenario.SCENARIO_DIR / "justice40.json"),
      "--device", "tpu"], 2, "tpu"),
    (["validate", str(paths.DEFAULT_BOUNDARIES), "--crs", "+init=/etc/passwd:x"], 2,
     "not a coordinate reference system"),
    (["validate", str(paths.DEFAULT_BOUNDARIES), "--crs", "http://127.0.0.1:9/crs"], 2,
     "not a coordinate reference system"),
    (["summary", *CITY, "--unit", "gas_kwh=barrel"], 2, "gas_kwh"),
    (["summary", *CITY, "--map", "nonsense"], 2, "KEY=VALUE"),
    (["validate", "/vsicurl/http://127.0.0.1:9/x.geojson"], 2, "not found"),
]


@pytest.mark.parametrize("args, code, message", COMMAND_CASES,
                         ids=[f"{a[0]}-{i}" for i, (a, _, _) in enumerate(COMMAND_CASES)])
def test_command_options(args, code, message, tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "keep.txt").write_text("earlier work")
    r = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args] + ["--json"])
    assert r.exit_code == code, r.output
    out = json.loads(r.stdout)
    assert re.search(message, out["message"]), out["message"]
    assert "Traceback" not in r.output
    assert [p.name for p in model.iterdir()] == ["keep.txt"]  # earlier work untouched


def test_blocking_data_problems_exit_1_and_leave_an_earlier_write_unchanged(tmp_path):
    table = tmp_path / "a.csv"
    table.write_text("district_id,population\n1,-5\n2,10\n3,10\n4,10\n")
    bounds = tmp_path / "d.geojson"
    bounds.write_bytes(GEOJSON4)
    earlier = tmp_path / "city.parquet"
    earlier.write_bytes(b"earlier work")
    r = runner.invoke(app, ["validate", str(bounds), "-a", str(table), "--write", str(earlier),
                            "--json"])
    assert r.exit_code == 1, r.output
    out = json.loads(r.stdout)
    assert out["status"] == "blocked" and out["written"] is None
    assert any("population" in (p.get("column") or "") for p in out["problems"])
    assert earlier.read_bytes() == b"earlier work"


def test_an_internal_error_in_the_cli_prints_an_error_id_not_a_traceback(monkeypatch, capsys):
    from core import cli
    from core.cli import common

    def bug(*args, **kwargs):
        raise RuntimeError("an unforeseen bug in /srv/greenprint/core")
    monkeypatch.setattr("core.intake.city.load_city", bug)  # core.cli.common imports it per call
    monkeypatch.setattr("sys.argv", ["python -m core", "summary", *CITY])
    monkeypatch.delenv("GREENPRINT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == common.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "error id" in err and "Traceback" not in err and "/srv/greenprint" not in err


def test_a_link_to_a_city_the_store_does_not_hold_says_so():
    at = open_app(query={keys.CITY_PARAM: "a-city-this-server-no-longer-holds"})
    assert any("names a saved city that cannot be opened" in w.value for w in at.warning)


@pytest.mark.parametrize("params", [{"budget": "1e300"}, {"budget": "abc"},
                                    {"elec_price": "nan"}, {"objective": "drop_tables"},
                                    {"j40_pct": "-5"}, {"city": "../../etc/passwd"}])
def test_bad_url_parameters_are_ignored_not_obeyed(params):
    at = open_app(nav.SCENARIO_LAB, query=params)
    assert at.sidebar.slider(key=keys.LAB_BUDGET).value == SCENARIO_OK["budget_usd_per_capita"]
    assert at.sidebar.slider(key=keys.LAB_JUSTICE40).value == round(
        SCENARIO_OK["justice40_share"] * 100)
    assert not [e.value for e in at.error]
