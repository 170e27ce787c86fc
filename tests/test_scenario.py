"""Scenario: validation, canonical id, JSON round trip, bundled examples."""

from __future__ import annotations

import pytest

from core.errors import InputError
from core.plan import scenario
from core.plan.scenario import Scenario


def test_same_numbers_same_id_and_names_do_not_count():
    a = Scenario(budget_usd_per_capita=100, justice40_share=0.4)
    b = Scenario(budget_usd_per_capita=100.0000000000001, justice40_share=0.4, name="Other")
    assert a.id == b.id and len(a.id) == 12
    assert a.id != a.replace(justice40_share=0.5).id


def test_round_trip(tmp_path):
    a = Scenario(budget_usd_per_capita=80, burden_ceiling=0.06,
                 tech_cost_multipliers={"heat_pump": 0.8})
    back = scenario.load(a.save(tmp_path / "s.json"))
    assert back.id == a.id and back.tech_cost_multipliers == {"heat_pump": 0.8}


def test_frozen():
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        Scenario().budget_usd_per_capita = 3


@pytest.mark.parametrize("text, field", [
    ('{"justice40_share": 1.5}', "justice40_share"),
    ('{"objective": "max_fun"}', "objective"),
    ('{"budget": 3}', "budget"),
    ('{"tech_cost_multipliers": {"heat_pump": 0}}', "tech_cost_multipliers"),
])
def test_bad_files_name_the_field(tmp_path, text, field):
    p = tmp_path / "bad.json"
    p.write_text(text)
    with pytest.raises(InputError, match=field):
        scenario.load(p)


def test_unreadable_and_missing(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        scenario.load(p)
    with pytest.raises(InputError, match="not found"):
        scenario.load(tmp_path / "nope.json")


def test_bundled_examples_load():
    b = scenario.bundled()
    assert {"business_as_usual", "justice40"} <= set(b)
    assert b["justice40"].justice40_share == 0.4


def test_the_horizon_year_moves_the_grid_factor_along_the_sourced_path():
    from core.assess import carbon
    from core.intake.reference_values import defaults

    us = defaults()
    near, far = Scenario(horizon_year=2030), Scenario(horizon_year=2050)
    assert near.grid_kg_per_kwh(us) == pytest.approx(carbon.grid_factor_kg_per_kwh(us, 2030))
    assert far.grid_kg_per_kwh(us) == pytest.approx(0.0)
    assert near.id != far.id
    chosen = Scenario(horizon_year=2050, grid_decarbonisation=0.25)  # an explicit choice wins
    assert chosen.grid_kg_per_kwh(us) == pytest.approx(0.75 * carbon.grid_factor_kg_per_kwh(us, 2022))
