"""The store in the app, through AppTest: an accepted upload and a saved scenario are named in
the URL and reopen in a new session; the Scenarios page lists, searches, renames,
duplicates, deletes and restores; the Compare page shows core's comparison; links to
unknown or deleted ids say so; with the store off, the app still works."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core import paths
from core.intake.city import default_city
from core.plan import compare, optimizer, problem, scenario
from core.store import Store
from dashboard import keys, nav
from tests.test_data_page import upload
from tools.apptest import maps, open_app

BUDGETS = {"Baseline": 50, "Council option": 250, "Stretch": 500}  # USD per resident


def query(at) -> dict[str, str]:
    return {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}


def seed(names=tuple(BUDGETS), budgets=None, tags=("council",)) -> tuple[str, list[str]]:
    """Saved scenarios of the default city, as the Scenario lab saves them (in the store of
    the test, GREENPRINT_DATA_DIR)."""
    city = default_city()
    ctx = problem.context(city)
    base = scenario.bundled()["justice40"].for_city(city.references)
    with Store.open() as store:
        city_id = store.save_city(city)
        ids = []
        for name in names:
            sc = base.replace(budget_usd_per_capita=float((budgets or BUDGETS)[name]))
            ids.append(store.save_scenario(city_id, sc, optimizer.optimize(ctx, sc, device="cpu"),
                                           ctx=ctx, name=name, tags=list(tags),
                                           notes=f"notes of {name}"))
    return city_id, ids


def saved_names(city_id: str) -> list[str]:
    with Store.open() as store:
        return sorted(s.name for s in store.list_scenarios(city_id=city_id))


def test_save_from_the_lab_then_a_new_session_reopens_it_from_the_url():
    at = open_app(nav.SCENARIO_LAB)
    at.sidebar.slider(key=keys.LAB_BUDGET).set_value(250).run()
    at.text_input(key=keys.LAB_SAVE_NAME).input("Council option").run()
    at.text_input(key=keys.LAB_SAVE_TAGS).input("council, draft").run()
    at.text_area(key=keys.LAB_SAVE_NOTES).input("for the March meeting").run()
    at.button(key=keys.LAB_SAVE).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Saved “Council option”" in s.value for s in at.success)
    assert at.text_input(key=keys.LAB_SAVE_NAME).value == ""  # ready for the next one
    spent = {m.label: m.value for m in at.metric}
    address = query(at)
    with Store.open() as store:
        (saved,) = store.list_scenarios()
    assert address == {keys.CITY_PARAM: saved.city_id, keys.SCENARIO_PARAM: saved.id}
    assert saved.tags == ("council", "draft") and saved.notes == "for the March meeting"
    assert saved.scenario.budget_usd_per_capita == 250 and not saved.observed_only
    assert [f"{k.value:,.0f}" for k in saved.kpis][1] == spent["Spent (M USD)"].split(".")[0]

    other = open_app(query=address)  # another browser: the overview's address opens the lab
    assert other.title[0].value == "Scenario lab"
    assert other.sidebar.slider(key=keys.LAB_BUDGET).value == 250
    assert {m.label: m.value for m in other.metric} == spent
    assert any("Saved scenario: Council option" in m.value for m in other.markdown)
    assert any("gives the saved figures" in c.value for c in other.caption)
    assert query(other) == address

    other.sidebar.slider(key=keys.LAB_BUDGET).set_value(300).run()  # no longer the saved one
    assert keys.SCENARIO_PARAM not in query(other)
    assert any("have changed since the saved scenario" in i.value for i in other.info)


def test_an_accepted_upload_with_its_reference_values_reopens_from_the_url():
    at = upload(open_app(nav.DATA), ("d.geojson", paths.DEFAULT_BOUNDARIES.read_bytes()),
                ("a.csv", paths.DEFAULT_ATTRIBUTES.read_bytes()))
    at.text_input(key=keys.DATA_CITY_NAME).input("My city").run()
    at.button(key=keys.DATA_USE).click().run()
    city = at.session_state[keys.CITY]
    first = query(at)[keys.CITY_PARAM]
    uk = paths.DATA_DIR / "examples" / "references_uk.csv"
    at.file_uploader(key=keys.DATA_REFERENCES_FILE).set_value((uk.name, uk.read_bytes(), "text/csv"))
    at.run()
    at.button(key=f"{keys.DATA_REFERENCES_APPLY}_file").click().run()
    assert not at.exception
    with_refs = at.session_state[keys.CITY]
    address = query(at)
    assert with_refs.references.currency == "GBP" and address[keys.CITY_PARAM] != first

    again = open_app(nav.OVERVIEW, query=address)  # after a restart: from the store
    shown = again.session_state[keys.CITY]
    assert shown.name == "My city"

    def figures(refs):  # what every page computes with (the store drops how a value was typed)
        return [(e.name, e.value, e.unit, e.source, e.origin) for e in refs.entries]
    assert figures(shown.references) == figures(with_refs.references)
    assert shown.lineage == with_refs.lineage and shown.display is not None
    pd.testing.assert_frame_equal(pd.DataFrame(shown.districts.drop(columns="geometry")),
                                  pd.DataFrame(with_refs.districts.drop(columns="geometry")))
    assert again.sidebar.slider(key="budget_gbp").value is not None  # sliders in pounds
    before = open_app(nav.OVERVIEW, query={keys.CITY_PARAM: first})
    assert figures(before.session_state[keys.CITY].references) == figures(city.references)


@pytest.fixture
def scenarios_page():
    city_id, ids = seed()
    at = open_app(nav.SCENARIOS)
    return at, city_id, ids


def test_the_scenarios_page_lists_searches_and_filters(scenarios_page):
    at, city_id, ids = scenarios_page
    table = at.dataframe[0].value
    assert sorted(table["Name"]) == sorted(BUDGETS)
    assert table.filter(like="Budget").iloc[:, 0].tolist() == [500, 250, 50]  # newest first
    assert "Spent (M USD)" in table.columns and "Emissions (kt CO2/yr)" in table.columns
    at.text_input(key=keys.SCENARIOS_SEARCH).input("council").run()
    assert at.dataframe[0].value["Name"].tolist() == ["Council option"]
    at.text_input(key=keys.SCENARIOS_SEARCH).input("").run()
    assert at.selectbox(key=keys.SCENARIOS_TAG).options == ["any tag", "council"]
    at.text_input(key=keys.SCENARIOS_SEARCH).input("nothing like it").run()
    assert any("matches the search" in i.value for i in at.info)


def test_rename_duplicate_delete_and_undo(scenarios_page):
    at, city_id, ids = scenarios_page
    at.selectbox(key=keys.SCENARIOS_PICK).set_value(ids[1]).run()
    at.text_input(key=f"{keys.SCENARIOS_NAME}_{ids[1]}").input("Council option ‘B’ 🚲").run()
    at.text_input(key=f"{keys.SCENARIOS_TAGS}_{ids[1]}").input("council, final").run()
    at.button(key=keys.SCENARIOS_UPDATE).click().run()
    assert not at.exception and any("Saved the changes" in s.value for s in at.success)
    with Store.open() as store:
        renamed = store.get_scenario(ids[1])
    assert renamed.name == "Council option ‘B’ 🚲" and renamed.tags == ("council", "final")

    at.button(key=keys.SCENARIOS_DUPLICATE).click().run()
    assert saved_names(city_id) == sorted([*BUDGETS, "Council option ‘B’ 🚲 (copy)"]
                                          ) or "Council option ‘B’ 🚲 (copy)" in saved_names(city_id)
    copy_id = at.selectbox(key=keys.SCENARIOS_PICK).value
    assert copy_id not in ids and len(at.dataframe[0].value) == 4

    at.button(key=keys.SCENARIOS_DELETE).click().run()
    assert any("Deleted" in s.value for s in at.success) and len(at.dataframe[0].value) == 3
    assert "Council option ‘B’ 🚲 (copy)" not in saved_names(city_id)
    at.button(key=keys.SCENARIOS_UNDO).click().run()
    assert any("Restored" in s.value for s in at.success)
    assert "Council option ‘B’ 🚲 (copy)" in saved_names(city_id)
    assert at.selectbox(key=keys.SCENARIOS_PICK).value == copy_id
    assert not [b for b in at.button if b.key == keys.SCENARIOS_UNDO]  # undone once


def test_open_sets_the_lab_to_the_saved_scenario(scenarios_page):
    at, city_id, ids = scenarios_page
    at.selectbox(key=keys.SCENARIOS_PICK).set_value(ids[0]).run()  # the Baseline, 50 USD
    at.button(key=keys.SCENARIOS_OPEN).click().run()
    assert not at.exception
    assert at.title[0].value == "Scenario lab"
    assert at.sidebar.slider(key=keys.LAB_BUDGET).value == 50
    assert (query(at)[keys.CITY_PARAM], query(at)[keys.SCENARIO_PARAM]) == (city_id, ids[0])
    assert any("Saved scenario: Baseline" in m.value for m in at.markdown)


def test_compare_three_scenarios_shows_core_s_figures():
    city_id, ids = seed()
    at = open_app(nav.COMPARE)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.multiselect(key=keys.COMPARE_PICK).value == ids  # the oldest of them is A
    with Store.open() as store:
        records = [store.get_scenario(i) for i in ids]
        expected = compare.kpi_table(compare.entries(records, [store.get_allocation(i)
                                                                for i in ids]))
    (kpis,) = [df.value for df in at.dataframe if "C − A" in df.value.columns]
    pd.testing.assert_frame_equal(kpis, expected)
    spent = kpis.set_index("figure").loc["Spent"]
    by_label = [{k.label: k.value for k in r.kpis} for r in records]
    assert spent["B − A"] == pytest.approx(by_label[1]["Spent"] - by_label[0]["Spent"])
    assert spent["C − A"] > spent["B − A"] > 0 and spent["unit"] == "M USD"

    shown = maps(at)
    assert len(shown) == 4  # three scenarios on one scale, and the difference map
    colours = [{tuple(f) for f in m["fill"]} for m in shown[:3]]
    # one scale: the smallest plan's map uses only the light end of it (on a scale of its
    # own, natural breaks would give it every class)
    assert len(colours[0]) < len(colours[2]) == 5 and colours[0] < colours[2]
    names = [d.label for d in at.get("download_button")]
    assert names == ["Comparison (CSV)", "Comparison (XLSX)"]
    assert at.button(key=keys.COMPARE_BRIEFING).label == "Make the briefing (PDF and HTML)"

    at.multiselect(key=keys.COMPARE_PICK).set_value(ids[:1]).run()
    assert any("Choose at least 2" in i.value for i in at.info)


def test_compare_needs_two_saved_scenarios():
    at = open_app(nav.COMPARE)
    assert not at.exception and any("Save at least 2 scenarios" in i.value for i in at.info)


@pytest.mark.parametrize("param, value, message", [
    (keys.CITY_PARAM, "0123456789abcdef", "no saved city has the id '0123456789abcdef'"),
    (keys.SCENARIO_PARAM, "0123456789ab", "no saved scenario has the id '0123456789ab'"),
    (keys.SCENARIO_PARAM, "<script>", "is not the id of a saved scenario"),
])
def test_a_link_to_an_unknown_id_says_so_and_shows_the_default_city(param, value, message):
    at = open_app(query={param: value})
    assert not at.exception and not at.error
    (warning,) = [w.value for w in at.warning if "cannot be opened" in w.value]
    assert message in warning and "the default city" in warning
    assert keys.CITY not in at.session_state and param not in query(at)


def test_a_link_to_a_deleted_scenario_or_city_says_when_it_was_deleted():
    city_id, ids = seed(names=("Baseline",))
    with Store.open() as store:
        gone = store.delete_scenario(ids[0])
    at = open_app(query={keys.CITY_PARAM: city_id, keys.SCENARIO_PARAM: ids[0]})
    (warning,) = [w.value for w in at.warning if "cannot be opened" in w.value]
    assert f"was deleted on {gone.deleted_at:%Y-%m-%d}" in warning and "Baseline" in warning
    assert not at.exception and keys.SCENARIO_PARAM not in query(at)

    at = upload(open_app(nav.DATA), ("d.geojson", paths.DEFAULT_BOUNDARIES.read_bytes()),
                ("a.csv", paths.DEFAULT_ATTRIBUTES.read_bytes()))
    at.button(key=keys.DATA_USE).click().run()
    uploaded = query(at)[keys.CITY_PARAM]
    with Store.open() as store:
        store.delete_city(uploaded)
    at = open_app(query={keys.CITY_PARAM: uploaded})
    (warning,) = [w.value for w in at.warning if "cannot be opened" in w.value]
    assert "was deleted on" in warning and "cities restore" in warning
    assert keys.CITY not in at.session_state  # the default city instead


def test_a_saved_scenario_the_sliders_cannot_hold_is_said_not_set():
    city_id, ids = seed(names=("Huge",), budgets={"Huge": 5000})  # the slider stops at 1,000
    at = open_app(query={keys.SCENARIO_PARAM: ids[0]})
    assert not at.exception and at.title[0].value == "Overview map"  # not sent to the lab
    assert any("cannot be set on the sliders" in w.value and "Budget 5,000" in w.value
               for w in at.warning), [w.value for w in at.warning]
    assert at.sidebar.slider(key=keys.LAB_BUDGET).value != 5000


def test_with_the_store_off_the_app_works_on_the_session(tmp_path, monkeypatch):
    from core.settings import get_settings

    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("GREENPRINT_DATA_DIR", str(blocked))
    get_settings.cache_clear()
    at = open_app(nav.SCENARIO_LAB)
    assert not at.exception and not at.error
    assert any("Saving is off" in i.value for i in at.info)
    assert any("Saving is off" in c.value for c in at.sidebar.caption)
    assert not [b for b in at.button if b.key == keys.LAB_SAVE]
    for page in (nav.SCENARIOS, nav.COMPARE):
        at.switch_page(page).run()
        assert not at.exception and any("Saving is off" in i.value for i in at.info)
        # the sidebar says it too, on a page that stops early (st.stop())
        assert any("Saving is off" in c.value for c in at.sidebar.caption), page
    at = upload(open_app(nav.DATA), ("d.geojson", paths.DEFAULT_BOUNDARIES.read_bytes()),
                ("a.csv", paths.DEFAULT_ATTRIBUTES.read_bytes()))
    at.button(key=keys.DATA_USE).click().run()
    assert at.session_state[keys.CITY].n == 77 and keys.CITY_PARAM not in query(at)
    assert any("for this session only" in s.value for s in at.success)
    assert np.isfinite(at.session_state[keys.CITY].districts["population"]).all()


def test_a_link_s_saved_scenario_wins_over_older_slider_values_in_the_url():
    """An address may carry slider values older than the saved scenario it names: on a
    session's first run Streamlit gives a slider its URL value, so the sidebar is set again."""
    city_id, ids = seed(names=("Baseline",))  # 50 USD per resident
    at = open_app(query={"budget": "300", keys.CITY_PARAM: city_id, keys.SCENARIO_PARAM: ids[0]})
    assert at.title[0].value == "Scenario lab"
    assert at.sidebar.slider(key=keys.LAB_BUDGET).value == 50
    assert any("Saved scenario: Baseline" in m.value for m in at.markdown)
    assert query(at)[keys.SCENARIO_PARAM] == ids[0]


def test_another_city_s_scenario_opens_with_its_city(city4):
    ctx = problem.context(city4)
    sc = scenario.bundled()["justice40"].for_city(city4.references)
    with Store.open() as store:
        small = store.save_city(city4)
        other = store.save_scenario(small, sc, optimizer.optimize(ctx, sc, device="cpu"),
                                    ctx=ctx, name="Four districts plan")
    at = open_app(nav.SCENARIOS)  # the default city has no saved scenario: the other is listed
    assert at.selectbox(key=keys.SCENARIOS_CITY).value == small
    assert at.dataframe[0].value["Name"].tolist() == ["Four districts plan"]
    assert any("makes its city the one every page shows" in c.value for c in at.caption)
    at.button(key=keys.SCENARIOS_OPEN).click().run()
    assert not at.exception and at.title[0].value == "Scenario lab"
    assert at.session_state[keys.CITY].n == 4
    assert query(at)[keys.CITY_PARAM] == small and query(at)[keys.SCENARIO_PARAM] == other
    assert any("Saved scenario: Four districts plan" in m.value for m in at.markdown)


@pytest.fixture(scope="module")
def module_store_folder():
    from core.settings import get_settings

    return get_settings().data_dir.absolute()


def test_no_fixture_or_test_uses_the_repository_s_store(module_store_folder, _own_store):
    from core.settings import get_settings

    for folder in (module_store_folder, get_settings().data_dir.absolute()):
        assert paths.ROOT not in folder.parents and folder != paths.ROOT / "greenprint-data"
    assert get_settings().data_dir == _own_store != module_store_folder
