"""What intake says about a user's data reads in the reader's language (the QA pass on a
Kraków upload in Spanish): each problem's check, message and fix, the errors of inputs that
cannot be put together (no id in common, a CRS, a mapping), while the data inside them
(column names, ids, values, file names) stays as written and English stays as it was."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from core import i18n
from core.errors import CityValidationError, InputError
from core.intake import geometry, mapping, readers
from core.intake.city import validate_city
from core.intake.mapping import ColumnMapping
from tests.test_i18n_messages import english_runs

TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]
#: six districts of about 1 km, lon/lat near Kraków; "006" is a point, not a polygon
IDS = ("001", "002", "003", "004", "005", "006")


def _square(k: int) -> dict:
    x, y, d = 19.90 + 0.015 * k, 50.05, 0.012
    return {"type": "Polygon",
            "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def write_boundaries(path, ids=IDS) -> None:
    features = [{"type": "Feature", "id": str(k),
                 "properties": {"kod": i, "nazwa": f"Dzielnica {i}"},
                 "geometry": {"type": "Point", "coordinates": [19.9, 50.0]} if i == "006"
                 else _square(k)} for k, i in enumerate(ids)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


@pytest.fixture
def krakow(tmp_path):
    """Boundaries and a semicolon table with every kind of problem: a decimal comma in the
    floor area, a negative household count, "003" on two rows that differ, "005" and "006"
    without a row, "099" matching no boundary, no population column."""
    boundaries, table = tmp_path / "krakow.geojson", tmp_path / "krakow.csv"
    write_boundaries(boundaries)
    table.write_text("kod;ludnosc;households;floor_area_m2\n"
                     "001;5000;2500;150000,5\n"
                     "002;6000;-3;180000\n"
                     "003;7000;3500;210000\n"
                     "003;7100;3550;210000\n"
                     "004;8000;4000;240000\n"
                     "099;9000;4500;270000\n", encoding="utf-8")
    return readers.read_boundaries(boundaries), readers.read_table(table)


KRAKOW_MAPPING = ColumnMapping(id_column="kod", attributes_id="kod", extra_features=["zielen"])


def problems_of(krakow):
    gdf, table = krakow
    return validate_city(gdf, table, KRAKOW_MAPPING).report.problems


#: data the messages quote, as written whatever the language: columns, ids, values
DATA = ("floor_area_m2", "households", "population", "district_id", "zielen", "geometry",
        "greater_than_or_equal_to(0)", "150000,5", "150000.5", "Point", "kod", "099", "003",
        "005", "006")


def test_the_krakow_problems_are_all_there_in_english(krakow):
    problems = problems_of(krakow)
    lines = [str(p) for p in problems]
    assert {p.check for p in problems} >= {"type", "schema", "duplicate ids", "geometry",
                                           "missing column", "extra feature", "ids on one side"}
    # English stays as it was written
    assert ("type [floor_area_m2]: 1 value(s) are not numbers, e.g. '150000,5' (districts "
            "001). Fix: make 'floor_area_m2' numeric with a decimal point and no thousands "
            "separator (e.g. '150000.5', not '150000,5'); save the table again with '.' as the "
            "decimal sign") in lines
    assert ("missing column [population]: required column 'population' is absent. Fix: map "
            "one of your columns to 'population'") in lines
    assert any(line.startswith("ids on one side [district_id]: 1 attribute row(s) match no "
                               "boundary: 099") for line in lines)
    assert english_runs("\n".join(lines))  # the check below would see English


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_problems_of_a_users_data_read_in_the_language(krakow, lang):
    report = validate_city(*krakow, KRAKOW_MAPPING).report
    problems = report.problems
    with i18n.use_language(lang):
        lines = [str(p) for p in problems]
        table = report.problem_table()  # problems, then the estimates' notes
        error = str(CityValidationError([p for p in problems if p.blocking]))
    text = "\n".join([*lines, error, *table["check"], *table["message"], *table["fix"]])
    sources = [f.source for e in report.estimates.values() for f in e.figures]
    assert english_runs(text, *DATA, *sources) == []
    for p in problems:  # each check word is translated, the data stays as it was
        assert i18n.catalogue(lang).get(str(p.check)), p.check
    for value in ("floor_area_m2", "'150000,5'", "'150000.5'", "'population'", "Point",
                  "'zielen'", "099", "households"):
        assert value in text, value
    type_line = next(line for line in lines if "[floor_area_m2]" in line)
    assert type_line.startswith(i18n.catalogue(lang)["type"] + " [floor_area_m2]")


def _errors(tmp_path) -> list[InputError]:
    """Inputs that cannot be put together at all, each caught as the InputError it raises."""
    gdf = readers.read_boundaries(_written(tmp_path))
    table = pd.DataFrame({"kod": [f"x{k}" for k in range(1, len(gdf) + 1)], "nazwa": "n"})
    projected = gpd.GeoDataFrame({"kod": ["001"]}, geometry=[box(5e5, 5e5, 5e5 + 10, 5e5 + 10)])
    attempts = [
        lambda: validate_city(gdf, table, KRAKOW_MAPPING),  # no attribute row matches
        lambda: validate_city(gdf, table, ColumnMapping(id_column="kod", attributes_id="gmina")),
        lambda: geometry.to_wgs84(gdf, [], "not a crs"),
        lambda: geometry.to_wgs84(projected, []),  # no CRS, not lon/lat
        lambda: mapping.from_rows([{"column": "ludnosc", "maps_to": "population"},
                                   {"column": "mieszkancy", "maps_to": "population"}],
                                  id_column="kod", attributes_id="kod"),
        lambda: mapping.loads('{"colums": {}}', "krakow.json"),
    ]
    out = []
    for attempt in attempts:
        with pytest.raises(InputError) as caught:
            attempt()
        out.append(caught.value)
    return out


def _written(tmp_path):
    path = tmp_path / "krakow.geojson"
    write_boundaries(path, IDS[:5])
    return path


def test_the_input_errors_read_english_as_before(tmp_path):
    errors = [str(e) for e in _errors(tmp_path)]
    assert errors[0].startswith("no attribute row matches a boundary id; check the id columns "
                                "on both sides (boundaries e.g. ['001', '002', '003'], "
                                "attributes e.g. ['x1', 'x2', 'x3']).")
    assert errors[1].startswith("the attributes have no column 'gmina'; choose the id column "
                                "from: kod, nazwa")
    assert errors[2] == ("'not a crs' is not a coordinate reference system; give an EPSG code "
                         "such as EPSG:3435")
    assert errors[4] == "'ludnosc' and 'mieszkancy' both map to 'population'; keep one of them"
    assert errors[5].startswith("mapping file krakow.json is not valid: colums:")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_input_errors_read_in_the_language(tmp_path, lang):
    errors = _errors(tmp_path)
    with i18n.use_language(lang):
        texts = [str(e) for e in errors]
    # pydantic's own words on a wrong field are the library's, quoted as data
    detail = str(errors[5]).split(": ", 1)[1]
    assert english_runs("\n".join(texts), "'001', '002', '003'", "'x1', 'x2', 'x3'", "gmina",
                        "kod, nazwa", "not a crs", "EPSG:3435", detail) == []
    for text, data in zip(texts, ("['x1', 'x2', 'x3']", "'gmina'", "'not a crs'", "EPSG",
                                  "'mieszkancy'", "krakow.json"), strict=True):
        assert data in text
    assert texts != [str(e) for e in errors]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_data_page_says_what_is_wrong_with_an_upload_in_the_language(tmp_path, lang):
    """The QA repro: a Kraków upload in Spanish (and Chinese) picks the code column whose
    values match as the ids on both sides, and shows its blocking problems, the Problems
    tab and an upload whose ids match nothing in the reader's language."""
    from dashboard import keys, nav
    from tests.test_data_page import upload
    from tests.test_i18n import english_left
    from tools.apptest import open_app

    boundaries, table = tmp_path / "krakow.geojson", tmp_path / "krakow.csv"
    write_boundaries(boundaries)
    table.write_text("kod;ludnosc;floor_area_m2\n001;5000;150000,5\n002;6000;180000\n"
                     "003;7000;210000\n003;7100;210000\n004;8000;240000\n", encoding="utf-8")
    with i18n.use_language(lang):
        at = open_app(nav.DATA, query={keys.LANGUAGE: lang}, timeout_s=240)
        at = upload(at, (boundaries.name, boundaries.read_bytes()),
                    (table.name, table.read_bytes()))
        assert at.selectbox(key=keys.DATA_BOUNDARY_ID).value == "kod"
        assert at.selectbox(key=keys.DATA_ATTRIBUTE_ID).value == "kod"
        errors = [e.value for e in at.error]
        assert any("[floor_area_m2]" in e and "'150000,5'" in e for e in errors), errors
        assert english_runs("\n".join(errors), *DATA) == []
        assert english_left(at, script_latin=lang != "zh") == []
        at.selectbox(key=keys.DATA_ATTRIBUTE_ID).set_value("ludnosc").run()
        errors = [e.value for e in at.error]
        assert any("['001', '002', '003']" in e for e in errors), errors
        assert english_runs("\n".join(errors), *DATA, "['5000', '6000', '7000']") == []


# ------------------------------------------------- files that cannot be read: the readers' words

def _zip_bomb() -> bytes:
    """A zip whose one member (a Shapefile's name) unpacks 1 MB of zeros from about 1 KB."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dzielnice.shp", b"\0" * 2**20)
    return buffer.getvalue()


def _unreadable(tmp_path) -> list[Exception]:
    """A file or value each reader refuses, caught as the error it raises: an empty upload, a
    zip bomb, a binary "CSV", a wrong suffix, too many columns, a degree-day table without
    March, a reference file without a source column, a unit of no kind, a scenario not in
    UTF-8, an unknown estimate figure, a mapping option that is not one."""
    from core.intake import degree_day_table, documents, estimates, reference_values, units

    gdf = readers.read_boundaries(_written(tmp_path))
    table = pd.DataFrame({"kod": list(IDS[:5]), "gas_kwh": ["1"] * 5})
    months = pd.DataFrame({"month": [m for m in range(1, 13) if m != 3] + [4],
                           "hdd_c": 10.0, "cdd_c": 0.0})
    attempts = [
        lambda: readers.read_table_bytes("ludnosc.csv", b""),
        lambda: readers.read_boundaries_bytes("dzielnice.zip", _zip_bomb()),
        lambda: readers.read_csv_bytes(b"kod;ludnosc\n\x00\x01\x02", "ludnosc.csv"),
        lambda: readers.read_boundaries_bytes("dzielnice.kml", b"<kml/>"),
        lambda: readers.check_shape(3, 10**6, "szeroka.csv"),
        lambda: degree_day_table.read_degree_days(months),
        lambda: reference_values.loads("name,value,unit\ngas_price,0.1,USD/kWh\n", "ref.csv"),
        lambda: validate_city(gdf, table, ColumnMapping(id_column="kod", attributes_id="kod",
                                                        units={"gas_kwh": "baryłka"})),
        lambda: units.factor("area", "morga"),
        lambda: documents.parse(b"\xff{}", "plan.json"),
        lambda: estimates.checked_value("liczba_kotow", 3),
        lambda: mapping.validated({"colums": {}}, i18n.lazy("the command-line options")),
    ]
    out = []
    for attempt in attempts:
        with pytest.raises((InputError, units.UnitError)) as caught:
            attempt()
        out.append(caught.value)
    return out


#: what the readers' errors quote as written in any language: file names, sizes, limits,
#: setting names, suffixes, columns, units, the library's own words
READER_DATA = ("ludnosc.csv", "dzielnice.zip", "dzielnice.kml", "szeroka.csv", "ref.csv",
               "plan.json", "liczba_kotow", "GREENPRINT_MAX_COLUMNS", "gas_kwh", "baryłka",
               "morga", "kWh, MWh, GJ, therm, MMBtu, m3", "m2, ft2, km2", "name, value, unit",
               "source", "month", "1..12", ".geojson, .json, .gpkg, .zip, .shp, .parquet, "
               ".geoparquet", "UTF-8", "JSON", "YAML", "CSV, XLSX", "Parquet")


def test_the_readers_errors_read_english_as_before(tmp_path):
    texts = [str(e) for e in _unreadable(tmp_path)]
    assert texts[0] == ("'ludnosc.csv' is empty (0 bytes); upload the file again or choose "
                        "another")
    assert texts[1] == (f"'dzielnice.zip' compresses {_bomb_ratio():,.0f} to 1, more than the "
                        "limit of 100 to 1 (a zip bomb?); it was not extracted")
    assert texts[2] == ("'ludnosc.csv' looks like a binary file, not a text CSV; export the "
                        "table as CSV, XLSX or Parquet")
    assert texts[3] == ("'dzielnice.kml': boundaries must be one of .geojson, .json, .gpkg, "
                        ".zip, .shp, .parquet, .geoparquet")
    assert texts[4].startswith("'szeroka.csv' has 1,000,000 columns, over the limit of ")
    assert texts[5] == ("degree-day column 'month' must hold each of 1..12 exactly once "
                        "(missing 3; repeated 4)")
    assert texts[6].endswith("(one row per value); missing: source")
    assert texts[7].startswith("column 'gas_kwh': unknown energy unit 'baryłka'; accepted: kWh")
    assert texts[8] == "unknown area unit 'morga'; accepted: m2, ft2, km2"
    assert texts[9] == "'plan.json' is not UTF-8 text; save it as UTF-8 JSON or YAML"
    assert texts[11].startswith("the command-line options is not valid: colums")
    assert english_runs("\n".join(texts))  # the check below would see English


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_readers_errors_read_in_the_language(tmp_path, lang):
    errors = _unreadable(tmp_path)
    with i18n.use_language(lang):
        texts = [str(e) for e in errors]
    names = ", ".join(estimates_names())
    detail = str(errors[-1]).split(": ", 1)[1]  # pydantic's own words, quoted as data
    assert english_runs("\n".join(texts), *READER_DATA, names, detail) == [], texts
    for text, data in zip(texts, ("'ludnosc.csv'", "'dzielnice.zip'", "'ludnosc.csv'",
                                  "'dzielnice.kml'", "GREENPRINT_MAX_COLUMNS", "'month'",
                                  "source", "'baryłka'", "'morga'", "'plan.json'",
                                  "'liczba_kotow'", "colums"), strict=True):
        assert data in text, (data, text)
    assert all(t != str(e) for t, e in zip(texts, errors, strict=True))
    # figures are written for the locale: "1.015 a 1" in Spanish
    ratio = f"{_bomb_ratio():,.0f}"
    assert (ratio.replace(",", ".") if lang == "es" else ratio) in texts[1]


def _bomb_ratio() -> float:
    """How many times the zip bomb's member unpacks its packed size (zlib's level decides)."""
    import io
    import zipfile

    member = zipfile.ZipFile(io.BytesIO(_zip_bomb())).infolist()[0]
    return member.file_size / member.compress_size


def estimates_names() -> list[str]:
    from core.intake import estimates

    return list(estimates.reference_figures())
