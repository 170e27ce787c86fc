"""AppTest: the Scenario lab renders, and the sidebar sliders drive its KPIs and map."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard import keys, nav
from tools.apptest import maps, open_app


def metric(at: AppTest, prefix: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(prefix))


def fills(at: AppTest) -> list:
    return maps(at)[0]["fill"]


def test_lab_renders_with_badge_kpis_map_and_downloads():
    at = open_app(nav.SCENARIO_LAB)
    assert at.title[0].value == "Scenario lab"
    labels = [m.label for m in at.metric]
    assert "Emissions (kt CO2/yr)" in labels and "To disadvantaged (%)" in labels
    assert float(metric(at, "To disadvantaged").replace(",", "")) >= 40 - 1e-6
    assert len(maps(at)) == 1
    assert len(at.get("download_button")) == 3
    badge = " ".join(str(h.proto) for h in at.get("html"))
    assert "gap to HiGHS" in badge and "device cpu" in badge and "optimal" in badge


def test_moving_the_budget_slider_changes_kpis_and_map():
    at = open_app(nav.SCENARIO_LAB)
    before_em, before_fill = metric(at, "Emissions"), fills(at)
    before_spent = metric(at, "Spent")
    at.slider(key=keys.LAB_BUDGET).set_value(400).run()
    assert not at.exception
    assert metric(at, "Spent") != before_spent
    assert metric(at, "Emissions") != before_em
    assert fills(at) != before_fill
    # the same scenario from the URL (what a shared link does) gives the same result
    linked = open_app(nav.SCENARIO_LAB, query={keys.LAB_BUDGET: "400"})
    assert linked.slider(key=keys.LAB_BUDGET).value == 400
    assert metric(linked, "Emissions") == metric(at, "Emissions")


def test_sweeps_button_runs_one_batched_pareto_and_monte_carlo():
    at = open_app(nav.SCENARIO_LAB)
    at.button(key=keys.LAB_RUN_SWEEPS).click().run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "16 scenarios in one solve" in captions and "256 scenarios in one solve" in captions


def test_scenario_sliders_show_on_other_pages_too():
    at = open_app()
    assert at.slider(key=keys.LAB_BUDGET).value == 100


def test_lab_works_on_an_uploaded_city(grid4, attrs4):
    from core.intake.city import load_city

    city = load_city(grid4, attrs4.assign(housing_units=[450, 850, 1300, 1700],
                                          median_household_income=[90e3, 60e3, 30e3, 20e3]),
                     name="Upload")
    at = open_app(nav.SCENARIO_LAB, city=city)
    assert len(maps(at)[0]["properties"]) == 4


def test_the_objective_radio_switches_the_plan():
    at = open_app(nav.SCENARIO_LAB)
    before = metric(at, "Bill savings")
    at.radio(key=keys.LAB_OBJECTIVE).set_value("min_burden").run()
    assert not at.exception
    assert metric(at, "Bill savings") != before


def test_lab_says_why_a_city_without_energy_data_cannot_be_optimized(grid4, attrs4):
    from core.intake.city import load_city

    city = load_city(grid4, attrs4.drop(columns=["electricity_kwh", "gas_kwh"]), name="No energy")
    at = open_app(nav.SCENARIO_LAB, city=city)
    (info,) = [i.value for i in at.info if "electricity_kwh" in i.value and "gas_kwh" in i.value]
    assert "Data page" in info and "--" not in info  # the app's user is not sent to the CLI


def badge_text(at: AppTest) -> str:
    return " ".join(str(h.proto) for h in at.get("html"))


def sidebar_scenario_id(at: AppTest) -> str:
    return next(c.value for c in at.sidebar.caption if c.value.startswith("Scenario id"))


def test_burden_ceiling_checkbox_and_slider_change_the_scenario_and_the_plan():
    from core.sample.chicago import illustrative_chicago

    # on the illustrative Chicago (household incomes) 6 % binds and 10 % does not
    at = open_app(nav.SCENARIO_LAB, city=illustrative_chicago())
    ceiling = at.slider(key=keys.LAB_BURDEN_CEILING)
    assert ceiling.value == 6.0 and ceiling.proto.disabled  # the ACEEE "high" threshold, off
    assert (ceiling.min, ceiling.max) == (2.0, 15.0)
    before_id, before_em = sidebar_scenario_id(at), metric(at, "Emissions")
    assert "exact LP" in badge_text(at)
    at.checkbox(key=keys.LAB_BURDEN_CAP).check().run()
    assert not at.exception
    capped_id = sidebar_scenario_id(at)
    assert capped_id != before_id
    assert at.session_state[keys.LAB_SCENARIO].burden_ceiling == 0.06
    # 6 % binds: money goes first to the districts above it
    assert metric(at, "Emissions") != before_em
    assert any("burden ceiling of 6.0% binds" in i.value for i in at.info), [i.value for i in at.info]
    assert "approximate (burden ceiling" in badge_text(at)
    at.slider(key=keys.LAB_BURDEN_CEILING).set_value(10.0).run()
    assert not at.exception
    assert sidebar_scenario_id(at) not in (before_id, capped_id)
    assert at.session_state[keys.LAB_SCENARIO].burden_ceiling == 0.10
    assert not any("burden ceiling" in i.value for i in at.info)  # 10 % does not bind here
    at.checkbox(key=keys.LAB_BURDEN_CAP).uncheck().run()
    assert sidebar_scenario_id(at) == before_id
    assert at.session_state[keys.LAB_SCENARIO].burden_ceiling is None


def test_an_unreachable_burden_ceiling_says_so_and_names_it():
    at = open_app(nav.SCENARIO_LAB)
    at.checkbox(key=keys.LAB_BURDEN_CAP).check().run()
    at.slider(key=keys.LAB_BURDEN_CEILING).set_value(4.0).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("burden ceiling of 4.0%" in e and "cannot be met" in e for e in errors), errors
    assert "infeasible" in badge_text(at)


def test_the_burden_ceiling_travels_in_the_url():
    linked = open_app(nav.SCENARIO_LAB, query={keys.LAB_BURDEN_CAP: "true",
                                               keys.LAB_BURDEN_CEILING: "4.0"})
    assert linked.session_state[keys.LAB_SCENARIO].burden_ceiling == 0.04


def test_a_city_without_households_shows_why_nothing_is_placed(grid4, attrs4):
    from core.intake.city import load_city

    # zero, not absent: absent stock columns are estimated (core.intake.estimates)
    city = load_city(grid4, attrs4.assign(households=0, housing_units=0, roof_area_m2=0),
                     name="No households")
    at = open_app(nav.SCENARIO_LAB, city=city)
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("No intervention can be placed: no district has housing_units")
               and "Map housing_units, roof_area_m2 or households to place them." in w
               for w in warnings), warnings
    assert not at.error
    badge = badge_text(at)
    assert "no capacity" in badge and "gap to HiGHS 0 %" in badge
    assert metric(at, "Spent") == "0.0" and metric(at, "Energy burden") == "n/a"
    assert len(maps(at)) == 1 and len(at.get("download_button")) == 3
    at.button(key=keys.LAB_RUN_SWEEPS).click().run()
    assert not at.exception
    assert "16 scenarios in one solve" in " ".join(c.value for c in at.caption)


def test_a_zero_budget_is_a_warning_not_an_error():
    at = open_app(nav.SCENARIO_LAB, query={keys.LAB_BUDGET: "0"})
    assert at.slider(key=keys.LAB_BUDGET).value == 0
    assert any(w.value.startswith("Nothing is spent: the budget is 0 USD per resident")
               for w in at.warning), [w.value for w in at.warning]
    assert "no budget" in badge_text(at) and not at.error
