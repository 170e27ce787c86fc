"""The release rule on the portal's pages, through AppTest: with a city whose districts 1 and 4
fall below the thresholds, their exact figures appear nowhere on the portal (text, maps,
tables, downloaded files), withheld districts are drawn as withheld with their reason; in
the planner's mode the same figures are shown exactly."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from core.plan import optimizer, problem, scenario
from core.release import shown as public
from core.settings import get_settings
from core.store import Store
from dashboard import keys, nav
from tests.test_no_traceback import shown_text
from tests.test_portal_downloads import SECRETS, SMALL, small_city
from tools.apptest import maps, open_app

PAGES = (nav.OVERVIEW, nav.DISTRICT, nav.EQUITY, nav.SCENARIO_LAB, nav.DATA, nav.METHODS)
#: a figure column of a shown table: anything but the identifiers and text
IDENTIFIERS = {"district_id", "name", "data", "withheld_figures", "Indicator", "Rank",
               "City median"}


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """Download-button file id -> the function that builds its file (kept as the app
    registers them, so that a test can 'click' and read the file)."""
    made = {}
    register = MediaFileManager.add_deferred

    def keep(self, data_callable, *args, **kwargs):
        file_id = register(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return made


def set_mode(monkeypatch, mode: str) -> None:
    monkeypatch.setenv("GREENPRINT_MODE", mode)
    get_settings.cache_clear()


def small_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["district_id"].astype(str).isin(SMALL)]


def figures(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in IDENTIFIERS
            and pd.api.types.is_numeric_dtype(frame[c])]


def files(at, made: dict) -> dict[str, bytes]:
    """Every file of the page's download buttons, by file name (ZIPs unpacked)."""
    out = {}
    for button in at.get("download_button"):
        data = made[button.proto.deferred_file_id]() if button.proto.deferred_file_id else None
        if data is None:
            continue
        data = data.encode() if isinstance(data, str) else data
        if data[:2] == b"PK" and not button.proto.label.startswith("XLSX"):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                out.update({n: z.read(n) for n in z.namelist()})
        else:
            out[button.proto.label] = data
    return out


def assert_nothing_withheld_shown(at, made: dict, page: str) -> None:
    text = shown_text(at) + json.dumps(at.map_blobs)  # and the maps' data of earlier runs
    assert not [s for s in SECRETS if s in text], page
    for frame in (d.value for d in at.dataframe):
        if "district_id" in frame.columns:
            rows = small_rows(frame)
            assert rows[figures(frame)].isna().all().all(), (page, rows)
    for name, data in files(at, made).items():
        assert not [s for s in SECRETS if s in data.decode("latin-1")], (page, name)
        if name.endswith(".csv") and not name.endswith("_dictionary.csv"):
            frame = pd.read_csv(io.BytesIO(data), dtype={"district_id": str})
            assert small_rows(frame)[figures(frame)].isna().all().all(), (page, name)
        if name.endswith(".xlsx"):
            frame = pd.read_excel(io.BytesIO(data), sheet_name="data", dtype={"district_id": str})
            assert small_rows(frame)[figures(frame)].isna().all().all(), (page, name)


@pytest.mark.parametrize("page", PAGES)
def test_the_portal_shows_no_withheld_figure_anywhere(page, monkeypatch, downloads):
    set_mode(monkeypatch, "portal")
    at = open_app(page, city=small_city("Portal city"))
    if page == nav.DISTRICT:  # the profile of a withheld district
        at.selectbox(key=keys.PROFILE_DISTRICT).set_value("1").run()
        values = at.dataframe[0].value.set_index("Indicator")["Value"]
        assert values["Electricity use"].startswith("withheld: electricity: fewer than 100")
        assert values["Population"].startswith("withheld: residents: fewer than 100")
    assert not at.exception and not at.error
    assert_nothing_withheld_shown(at, downloads, page)


def map_properties(at) -> dict[str, dict]:
    """The first map's tooltip columns and fill, by district id."""
    shown = maps(at)[0]
    return {p["district_id"]: {**p, "fill": f}
            for p, f in zip(shown["properties"], shown["fill"], strict=True)}


def test_the_portals_maps_draw_withheld_districts_with_their_reason(monkeypatch):
    set_mode(monkeypatch, "portal")
    at = open_app(nav.OVERVIEW, city=small_city("Portal map city"))
    at.selectbox(key=keys.OVERVIEW_INDICATOR).set_value("electricity_kwh").run()
    props = map_properties(at)
    assert props["1"]["fill"] == public.WITHHELD and props["1"]["value_text"] == public.BLANK
    assert props["1"][public.WITHHELD_PROPERTY].startswith("withheld: electricity: fewer than")
    assert props["2"][public.WITHHELD_PROPERTY] == "" and props["2"]["value_text"] == "9.00 M"
    assert "{withheld}" in maps(at)[0]["tooltip"]
    # the exact figure of a withheld district is nowhere in what the maps sent
    sent = maps(at)[0]["text"] + json.dumps(at.map_blobs)
    assert str(int(SMALL["1"]["electricity_kwh"])) not in sent and "1,357,911" not in sent
    legend = " ".join(m.value for m in at.markdown if "gp-legend" in m.value)
    assert "withheld (2 districts)" in legend
    kpis = {m.label: m for m in at.metric}
    assert kpis["Population (persons)"].value == "21,800"  # the 7 released districts
    assert "7 released districts only (2 withheld not included)" in kpis[
        "Population (persons)"].proto.help


def test_the_planner_shows_the_exact_figures(monkeypatch):
    set_mode(monkeypatch, "planner")
    at = open_app(nav.OVERVIEW, city=small_city("Planner view city"))
    table = next(f.value for f in at.dataframe  # the indicator table, not the map's
                 if "district_id" in f.value.columns).set_index("district_id")
    assert table.loc["1", "electricity_kwh"] == SMALL["1"]["electricity_kwh"]
    assert table.loc["4", "population"] == SMALL["4"]["population"]
    assert {m.label: m.value for m in at.metric}["Population (persons)"] == "21,930"
    at.switch_page(nav.DISTRICT).run()
    at.selectbox(key=keys.PROFILE_DISTRICT).set_value("1").run()
    values = at.dataframe[0].value.set_index("Indicator")["Value"]
    assert values["Electricity use"] == "1.36 M kWh/yr" and values["Population"] == "47.0 persons"


@pytest.fixture
def published_small_city() -> tuple[str, list[str]]:
    """The small city saved with two published scenarios."""
    city = small_city("Published small city")
    ctx = problem.context(city)
    base = scenario.bundled()["justice40"].for_city(city.references)
    with Store.open() as store:
        city_id = store.save_city(city)
        ids = []
        for name, budget in (("Low", 100.0), ("High", 400.0)):
            sc = base.replace(budget_usd_per_capita=budget)
            ids.append(store.save_scenario(city_id, sc, optimizer.optimize(ctx, sc, device="cpu"),
                                           ctx=ctx, name=name))
            store.publish_scenario(ids[-1])
    return city_id, ids


def test_compare_and_an_opened_published_scenario_withhold_too(monkeypatch, downloads,
                                                                 published_small_city):
    set_mode(monkeypatch, "portal")
    city_id, ids = published_small_city
    at = open_app(nav.COMPARE, query={keys.CITY_PARAM: city_id})
    assert not at.exception and len(at.multiselect(key=keys.COMPARE_PICK).value) == 2
    for shown in maps(at):
        for p in shown["properties"]:
            if p["district_id"] in SMALL:
                assert p["value_text"] == public.BLANK
                assert p[public.WITHHELD_PROPERTY].startswith("withheld: ")
    assert keys.COMPARE_BRIEFING in {b.key for b in at.button}  # released: tests/test_portal_briefing.py
    assert_nothing_withheld_shown(at, downloads, "compare")
    lab = open_app(query={keys.CITY_PARAM: city_id, keys.SCENARIO_PARAM: ids[1]})
    assert lab.title[0].value == "Scenario lab" and not lab.exception
    props = map_properties(lab)
    assert props["1"]["fill"] == public.WITHHELD
    assert props["1"][public.WITHHELD_PROPERTY].startswith("withheld: ")
    assert keys.LAB_BRIEFING in {b.key for b in lab.button}
    assert_nothing_withheld_shown(lab, downloads, "lab")


def test_with_noise_the_portal_publishes_noised_totals_and_the_methods_page_shows_the_ledger(
        monkeypatch, tmp_path):
    rule = tmp_path / "rule.json"
    rule.write_text('{"privacy": {"epsilon": 0.5, "budget": 2, '
                    '"bounds": {"electricity_kwh": 100000, "population": 10}}}')
    monkeypatch.setenv("GREENPRINT_RELEASE_RULE", str(rule))
    set_mode(monkeypatch, "portal")
    at = open_app(nav.OVERVIEW, city=small_city("Noised city"))
    electricity = {m.label: m for m in at.metric}["Electricity (GWh/yr)"]
    assert "Laplace noise" in electricity.proto.help and "all 9 districts" in electricity.proto.help
    at.switch_page(nav.METHODS).run()
    assert not at.exception
    ledger = next(d.value for d in at.dataframe if "epsilon" in d.value.columns)
    assert list(ledger["what"]) == ["indicators"] and ledger["epsilon"].sum() == pytest.approx(0.5)
    assert any("Privacy ledger" in m.value and "0.5 spent of its budget of 2" in m.value
               for m in at.markdown)
    at.switch_page(nav.OVERVIEW).run()  # the same release again: served from the ledger
    at.switch_page(nav.METHODS).run()
    assert len(next(d.value for d in at.dataframe if "epsilon" in d.value.columns)) == 1
