"""Saved scenarios side by side (core.plan.compare): the figures are the saved ones, the
differences are B − A, the maps share one scale, and the per-quintile and Justice40 figures
are those of the solved result."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from core.assess import maps
from core.errors import InputError
from core.intake.city import default_city
from core.plan import compare, lab, optimizer, problem, results, scenario
from core.store import Store

BUDGETS = (40.0, 120.0, 300.0)  # USD per resident: three plans that differ everywhere


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The default city and three saved scenarios of it (budgets :data:`BUDGETS`), with the
    results they were saved from."""
    city = default_city()
    ctx = problem.context(city)
    base = scenario.bundled()["justice40"].for_city(city.references)
    with Store.open(data_dir=tmp_path_factory.mktemp("store")) as store:
        city_id = store.save_city(city)
        solved, ids = [], []
        for i, budget in enumerate(BUDGETS):
            sc = base.replace(budget_usd_per_capita=budget, name=f"plan {i}")
            res = optimizer.optimize(ctx, sc, device="cpu")
            solved.append(res)
            ids.append(store.save_scenario(city_id, sc, res, ctx=ctx, tags=["t"]))
        records = [store.get_scenario(i) for i in ids]
        allocations = [store.get_allocation(i) for i in ids]
        yield ctx, solved, records, allocations, store


@pytest.fixture
def entries(saved):
    _, _, records, allocations, _ = saved
    return compare.entries(records, allocations)


def test_kpi_table_holds_the_saved_figures_and_their_differences_from_a(saved, entries):
    ctx, solved, records, _, _ = saved
    table = compare.kpi_table(entries).set_index("figure")
    assert list(table.columns) == ["unit", "A", "B", "B − A", "C", "C − A"]
    for k_a, k_b, k_c in zip(*(r.kpis for r in records), strict=True):
        assert table.loc[k_a.label, "unit"] == k_a.unit
        assert table.loc[k_a.label, "B"] == k_b.value
        assert table.loc[k_a.label, "C − A"] == pytest.approx(k_c.value - k_a.value, abs=0,
                                                               nan_ok=True)
    live = lab.kpis(ctx, solved[1])  # the saved KPIs are the lab's of the solved result
    assert [table.loc[k.label, "B"] for k in live] == pytest.approx([k.value for k in live])
    assert table.loc["Abatement", "A"] == pytest.approx(solved[0].totals()["abatement_t_co2_per_yr"])
    assert table.loc["Budget", "unit"] == "M USD"
    assert table.loc["Budget", "C − A"] == pytest.approx(
        (solved[2].totals()["budget_usd"] - solved[0].totals()["budget_usd"]) / 1e6)


def test_entries_refuse_too_few_too_many_and_other_cities(saved):
    _, _, records, allocations, _ = saved
    with pytest.raises(InputError, match="2 to 4"):
        compare.entries(records[:1], allocations[:1])
    with pytest.raises(InputError, match="2 to 4"):
        compare.entries(records + records[:2], allocations + allocations[:2])
    from dataclasses import replace
    other = replace(records[1], city_id="0" * 16)
    with pytest.raises(InputError, match="different cities"):
        compare.entries([records[0], other], allocations[:2])


def test_parameters_that_differ_are_listed_with_units(entries):
    table = compare.parameter_table(entries)
    assert table["parameter"].tolist() == ["Budget per resident"]
    assert table.iloc[0][["unit", "A", "B", "C"]].tolist() == ["USD per resident", "40", "120",
                                                                "300"]
    assert len(compare.parameter_table(entries, differing_only=False)) == len(compare.PARAMETERS)


def test_maps_share_one_colour_scale(entries):
    values = compare.district_values(entries, "spend_usd")
    assert values.shape == (3, len(entries[0].allocation.district_ids))
    classes = compare.on_one_scale(values)
    overall = maps.classify(values.ravel(), "natural_breaks", 5)
    assert all(c.bins == overall.bins and c.colors == overall.colors for c in classes)
    assert np.array_equal(np.concatenate([c.index for c in classes]), overall.index)
    # a bigger budget spends more somewhere: its map reaches a higher class
    assert classes[2].index.max() > classes[0].index.max()


def test_one_scenario_on_its_own_scale_is_the_app_s_choropleth(saved):
    ctx, solved, _, _, _ = saved
    table = results.district_table(ctx, solved[0])
    no_data = ~ctx.with_data
    (shared,) = compare.shared_maps(ctx.district_ids, ctx.names,
                                    table["spend_usd"].to_numpy()[None], "Spending", "USD",
                                    no_data=no_data)
    alone = maps.choropleth(table, "spend_usd", "Spending", "USD", 0, "natural_breaks", 5,
                            no_data=no_data)
    pd.testing.assert_frame_equal(shared.properties, alone.properties)
    assert shared.fill == alone.fill and shared.legend == alone.legend


def test_difference_map_is_the_scenario_minus_a(entries, saved):
    ctx = saved[0]
    values = compare.district_values(entries, "abatement_t_co2_per_yr")
    view = compare.difference_map(ctx.district_ids, ctx.names, values, 2, "t CO2/yr")
    assert np.allclose(view.properties["value"], values[2] - values[0], equal_nan=True)
    assert not view.identical and len(view.fill) == len(values[0])
    assert compare.difference_map(ctx.district_ids, ctx.names, values[[0, 0]], 1,
                                  "t CO2/yr").identical


def test_burden_interventions_and_justice40_are_those_of_the_solved_results(saved, entries):
    ctx, solved, _, _, _ = saved
    quintiles = compare.burden_by_quintile(entries, [ctx] * 3)
    labels = ctx.catalogue["label"].to_dict()
    measures = compare.by_intervention(entries, labels)
    dac = compare.disadvantaged_spending(entries).set_index("scenario")
    for e, res in zip(entries, solved, strict=True):
        live = results.burden_by_quintile(ctx, res)
        mine = quintiles[quintiles["scenario"] == e.letter].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine[["quintile", "burden_before", "burden_after"]], live)
        per = measures[measures["scenario"] == e.letter].reset_index(drop=True)
        live_per = results.by_intervention(ctx, res)
        assert per["label"].tolist() == live_per["label"].tolist()
        assert np.allclose(per["abatement_t_co2_per_yr"], live_per["abatement_t_co2_per_yr"])
        assert np.allclose(per["spend_usd"], live_per["spend_usd"])
        t = res.totals()
        assert dac.loc[e.letter, "dac_share_pct"] == pytest.approx(t["dac_benefit_share"] * 100)
        assert dac.loc[e.letter, "spend_m_usd"] == pytest.approx(t["cost_usd"] / 1e6)
        assert dac.loc[e.letter, "justice40_pct"] == pytest.approx(40.0)
        assert dac.loc[e.letter, "dac_districts"] == int(ctx.dac.sum())


def test_burden_needs_the_city_the_scenarios_were_saved_on(saved, entries, city4):
    with pytest.raises(InputError, match="not those"):
        compare.burden_by_quintile(entries, [problem.context(city4)] * 3)


def test_the_files_hold_every_figure_with_units_and_differences(saved, entries):
    ctx = saved[0]
    labels = ctx.catalogue["label"].to_dict()
    tidy = compare.tidy(entries, [ctx] * 3, labels, ctx.names)
    kpis = compare.kpi_table(entries).set_index("figure")
    head = tidy[(tidy["section"] == "headline") & (tidy["scenario"] == "C")].set_index("item")
    assert np.allclose(head.loc[kpis.index, "difference_from_A"], kpis["C − A"], equal_nan=True)
    assert set(tidy["scenario"]) == {"A", "B", "C"} and not tidy["unit"].isna().any()
    districts = tidy[tidy["section"] == "district: spending"]
    assert len(districts) == 3 * len(ctx.district_ids)
    assert compare.to_csv(tidy).decode().splitlines()[0] == \
        "section,item,unit,scenario,name,value,difference_from_A"

    sheets = compare.tables(entries, [ctx] * 3, labels, ctx.names)
    book = openpyxl.load_workbook(io.BytesIO(compare.to_xlsx(sheets)))
    assert book.sheetnames == list(sheets)
    rows = list(book["Headline figures"].values)
    assert list(rows[0]) == ["figure", "unit", "A", "B", "B − A", "C", "C − A"]
    assert rows[1][5] == pytest.approx(kpis.iloc[0]["C"])
    assert "spend_m_usd" in sheets["Disadvantaged"].columns


def test_saved_differences_name_the_figure_that_changed(saved):
    _, _, records, _, _ = saved
    kpis = list(records[0].kpis)
    assert compare.saved_differences(kpis, kpis) == []
    from dataclasses import replace
    moved = [replace(kpis[0], value=kpis[0].value * 1.01), *kpis[1:]]
    (line,) = compare.saved_differences(kpis, moved)
    assert line.startswith("Emissions: saved") and line.endswith("kt CO2/yr")
