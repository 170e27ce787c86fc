"""The portal's open data (core.release.package, core.assess.dictionary) and how it shows a
release (core.release.shown): every format opens, carries its data dictionary and the
release note, and holds no withheld value; reasons never quote a district's own counts; a
withheld district is drawn in its own colour with a legend entry and its reason."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from core.assess import maps
from core.assess.dictionary import COLUMNS, dictionary
from core.assess.indicators import indicator_table
from core.errors import InputError
from core.intake.city import City, load_city
from core.release import release
from core.release import shown as public
from core.release.package import FORMATS, WITHHELD_COLUMN, package
from tests.conftest import square_grid

#: the two small districts' own figures: none may reach a published file or page
SMALL = {"1": {"population": 47, "households": 21, "electricity_kwh": 1357911.0,
               "gas_kwh": 2468024.0},
         "4": {"population": 83, "households": 37, "electricity_kwh": 9753113.0,
               "gas_kwh": 8642086.0}}
SECRETS = ("1357911", "9753113", "2468024", "8642086", "1,357,911", "9,753,113", "2,468,024",
           "8,642,086", "1.36 M", "9.75 M", "2.47 M", "8.64 M", "47.0 persons", "83.0 persons")


def small_city(name: str = "Small test city") -> City:
    """A 3 x 3 city whose districts 1 and 4 have fewer than 100 residents (47 and 83, 130
    together: no complementary suppression needed), with what the optimizer needs."""
    attrs = pd.DataFrame({
        "district_id": [str(i) for i in range(1, 10)],
        "population": [47, 3000, 2500, 83, 4000, 3500, 2800, 3100, 2900],
        "households": [21, 1200, 1000, 37, 1600, 1400, 1100, 1250, 1150],
        "housing_units": [25, 1300, 1100, 40, 1700, 1500, 1200, 1300, 1200],
        "median_household_income": [52000, 60000, 30000, 41000, 90000, 45000, 38000, 70000,
                                    55000],
        "poverty_rate": [0.2, 0.1, 0.3, 0.25, 0.05, 0.2, 0.3, 0.1, 0.15],
        "floor_area_m2": [3000.0, 80000, 90000, 5000, 120000, 100000, 85000, 95000, 88000],
        "roof_area_m2": [900.0, 6000, 7000, 1100, 8000, 7500, 6500, 7200, 6800],
        "electricity_kwh": [1357911.0, 9e6, 8e6, 9753113.0, 1.2e7, 1.1e7, 9.5e6, 1e7, 9.2e6],
        "gas_kwh": [2468024.0, 1.5e7, 1.4e7, 8642086.0, 2e7, 1.8e7, 1.6e7, 1.7e7, 1.55e7],
    })
    return load_city(square_grid(3), attrs, name=name)


def figure_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in ("district_id", "name", "data", "geometry",
                                                  WITHHELD_COLUMN)]


def assert_withheld_blank(frame: pd.DataFrame, figures: list[str]) -> None:
    """The small districts' rows hold no value for any figure resting on their data."""
    rows = frame[frame["district_id"].astype(str).isin(SMALL)]
    assert len(rows) == len(SMALL)
    assert rows[figures].isna().all().all(), rows[figures]


@pytest.fixture(scope="module")
def city() -> City:
    return small_city()


@pytest.fixture(scope="module")
def released(city):
    return release(city, indicator_table(city))


def test_the_small_districts_are_withheld_for_every_figure_on_their_data(city, released):
    withheld = set(released.withheld_ids("electricity_kwh"))
    assert withheld == set(SMALL)
    for figure in released.figures:
        assert set(released.withheld_ids(figure)) in (set(), set(SMALL)), figure
    assert released.withheld_ids("population") == ("1", "4")
    shown = released.table.set_index("district_id")
    assert shown.loc["2", "electricity_kwh"] == 9e6  # the others are exact


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_opens_has_its_dictionary_and_no_withheld_value(city, released, fmt):
    z = zipfile.ZipFile(io.BytesIO(package(city, released, fmt, name="indicators",
                                           title="District indicators")))
    ext = FORMATS[fmt][0]
    assert sorted(z.namelist()) == sorted([f"indicators.{ext}", "indicators_dictionary.csv",
                                           "release_note.md"])
    raw = z.read(f"indicators.{ext}")
    if fmt == "csv":
        data = pd.read_csv(io.BytesIO(raw), dtype={"district_id": str})
    elif fmt == "xlsx":
        sheets = pd.read_excel(io.BytesIO(raw), sheet_name=None, dtype={"district_id": str})
        assert set(sheets) == {"data", "dictionary"}
        data = sheets["data"]
        assert list(sheets["dictionary"].columns) == list(COLUMNS)
    elif fmt == "geojson":
        data = pyogrio.read_dataframe(io.BytesIO(raw))
        assert json.loads(raw)["properties"]["lineage"] == list(city.lineage)
    else:
        data = gpd.read_parquet(io.BytesIO(raw))
        assert data.crs.to_epsg() == 4326 and data.geometry.notna().all()
    assert len(data) == city.n
    figures = figure_columns(data)
    assert_withheld_blank(data, figures)
    assert data.loc[data["district_id"].astype(str) == "2", "electricity_kwh"].item() == 9e6
    text = raw.decode("latin-1") + z.read("release_note.md").decode()
    assert not [s for s in SECRETS if s in text]
    meta = pd.read_csv(io.BytesIO(z.read("indicators_dictionary.csv")))
    assert list(meta.columns) == list(COLUMNS)
    assert set(meta["column"]) == set(data.columns) | ({"geometry"} if fmt in ("geojson",
                                                                            "geoparquet") else set())
    assert meta[["meaning", "source", "licence"]].notna().all().all()
    assert meta.set_index("column").loc["electricity_kwh", "unit"] == "kWh/yr"
    withheld = data.set_index(data["district_id"].astype(str))[WITHHELD_COLUMN]
    assert "electricity_kwh" in withheld["1"]
    assert pd.isna(withheld["2"]) or withheld["2"] == ""


def test_the_release_note_gives_the_rule_the_totals_and_each_reason_without_counts(city,
                                                                                   released):
    z = zipfile.ZipFile(io.BytesIO(package(city, released, "csv", name="x", title="T")))
    note = z.read("release_note.md").decode()
    assert "at least 100 residents" in note and "## Published totals" in note
    assert "| 1 | electricity_kwh | electricity: fewer than 100 residents" in note
    assert "47 residents" not in note and "83 residents" not in note
    total = released.totals["population"]
    assert f"{total.value:,.0f} persons, over the 7 released districts only" in note


def test_the_dictionary_describes_every_column_and_refuses_an_unknown_one(city):
    table = indicator_table(city)
    meta = dictionary([*table.columns, "geometry"], city).set_index("column")
    assert meta.loc["energy_burden", "unit"] == "% of income"
    assert meta.loc["household_energy_cost", "unit"] == "USD/household/yr"
    assert meta.loc["population", "source"].startswith(city.source)
    assert meta.loc["emissions_t_co2", "source"].startswith("Greenprint")
    plan = dictionary(["spend_gbp", "heat_pump_units"], city, currency="GBP",
                      interventions={"heat_pump": "heat pumps"},
                      renamed={"spend_gbp": "spend_usd"}).set_index("column")
    assert plan.loc["spend_gbp", "unit"] == "GBP"
    assert "heat pumps" in plan.loc["heat_pump_units", "meaning"]
    with pytest.raises(InputError, match="'mystery'"):
        dictionary(["district_id", "mystery"], city)


def test_the_licence_is_the_setting_or_the_terms_of_the_source(city, monkeypatch):
    from core.settings import get_settings

    assert city.source in dictionary(["population"], city)["licence"].item()
    monkeypatch.setenv("GREENPRINT_DATA_LICENCE", "CC BY 4.0")
    get_settings.cache_clear()
    assert dictionary(["population"], city)["licence"].item() == "CC BY 4.0"


@pytest.mark.parametrize("reason, public_text", [
    ("electricity: 9 electricity customers, fewer than 15",
     "electricity: fewer than 15 electricity customers"),
    ("residents: 57 residents, fewer than 100; 21 households, fewer than 40",
     "residents: fewer than 100 residents; fewer than 40 households"),
    ("gas: 57 residents, fewer than 100 (gas customers unknown)",
     "gas: fewer than 100 residents (gas customers unknown)"),
    ("electricity: its largest electricity customer uses 40% of it, more than 15%",
     "electricity: its largest electricity customer uses more than 15% of it"),
    ("gas: population unknown (gas customers unknown)",
     "gas: population unknown (gas customers unknown)"),
])
def test_a_public_reason_keeps_the_thresholds_and_drops_the_districts_counts(reason,
                                                                              public_text):
    assert public.public_reason(reason) == public_text


def test_a_withheld_district_is_drawn_in_its_own_colour_with_a_legend_entry_and_reason(
        city, released):
    view = maps.choropleth(released.table, "electricity_kwh", "Electricity use", "kWh/yr",
                           no_data=~city.with_data.to_numpy())
    assert view.legend[-1]["label"] == "no data (2 districts)"  # before: taken for no data
    drawn = public.on_map(view, released, "electricity_kwh")
    props = drawn.properties.set_index("district_id")
    assert props.loc["1", public.WITHHELD_PROPERTY] == (
        "withheld: electricity: fewer than 100 residents (electricity customers unknown); fewer "
        "than 40 households (electricity customers unknown)")
    assert props.loc["2", public.WITHHELD_PROPERTY] == ""
    assert props.loc[["1", "4"], "value"].isna().all()
    assert (props.loc[["1", "4"], "value_text"] == public.BLANK).all()
    fills = dict(zip(drawn.properties["district_id"], map(tuple, drawn.fill), strict=True))
    assert fills["1"] == tuple(public.WITHHELD) != tuple(maps.NO_DATA)
    assert {tuple(c[:3]) for c in maps.palette(5)}.isdisjoint({tuple(public.WITHHELD[:3])})
    labels = [r["label"] for r in drawn.legend]
    assert labels[-1] == "withheld (2 districts)" and not any("no data" in x for x in labels)
    assert np.isfinite(props.loc["2", "value"])
