import numpy as np
import pandas as pd
import pytest

from core import reference_tables
from core.assess import carbon, equity
from core.intake.reference_values import defaults

US = defaults()  # the US reference tables


def test_every_reference_table_has_a_source_on_every_row():
    from core import paths

    tables = sorted(paths.DATA_DIR.glob("*.csv"))
    assert len(tables) >= 8
    for path in tables:
        t = reference_tables.table(path.stem)
        assert t["source"].astype(str).str.len().gt(20).all(), path.name


def test_gas_factor_is_5_3_kg_per_therm():
    assert carbon.gas_factor_kg_per_kwh(US) * 29.3071 == pytest.approx(5.3, rel=1e-5)


def test_grid_path_interpolates_and_is_flat_outside():
    base = carbon.grid_factor_kg_per_kwh(US, 2022)
    assert base == pytest.approx(823.1 * 0.45359237 / 1000, rel=1e-5)
    assert carbon.grid_factor_kg_per_kwh(US) == base  # the base year, the path's first
    assert carbon.grid_factor_kg_per_kwh(US, 2036) == pytest.approx(base / 2)
    assert carbon.grid_factor_kg_per_kwh(US, 2010) == base
    assert carbon.grid_factor_kg_per_kwh(US, 2060) == 0


def test_grid_factor_reads_no_table_once_the_values_are_built(monkeypatch):
    """Every rerun asks for the grid factor about a dozen times: the tables are read once,
    when the reference values are built, never per call (issue 13: 2.5 ms per call when
    they were re-read)."""
    refs = defaults()
    expected = [carbon.grid_factor_kg_per_kwh(refs, y) for y in (None, 2022, 2030, 2060)]

    def no_read(*args, **kwargs):
        raise AssertionError("a reference table was read again")

    monkeypatch.setattr(reference_tables, "_load", no_read)
    monkeypatch.setattr(reference_tables, "table", no_read)
    assert [carbon.grid_factor_kg_per_kwh(refs, y) for y in (None, 2022, 2030, 2060)] == expected


def test_district_emissions_in_tonnes():
    d = pd.DataFrame({"electricity_kwh": [1000.0, np.nan], "gas_kwh": [29.3071 * 1000, 0.0]})
    e = carbon.district_emissions(d, US, grid_kg_per_kwh=0.5)
    np.testing.assert_allclose(e["electricity_t_co2"], [0.5, 0.0])
    np.testing.assert_allclose(e["gas_t_co2"], [5.3, 0.0], rtol=1e-5)
    np.testing.assert_allclose(e["total_t_co2"], [5.8, 0.0], rtol=1e-5)


def test_burden_uses_residential_energy_and_median_income():
    d = pd.DataFrame({"electricity_kwh": [9e6], "gas_kwh": [9e6],
                      "residential_electricity_kwh": [1e6], "residential_gas_kwh": [2e6],
                      "households": [500.0], "median_household_income": [40_000.0]})
    p = equity.Prices(0.2, 0.05)
    cost = equity.household_energy_cost_usd(d, p)
    assert cost.iloc[0] == pytest.approx((1e6 * 0.2 + 2e6 * 0.05) / 500)  # 600 USD
    assert equity.energy_burden(d, p).iloc[0] == pytest.approx(600 / 40_000)


def test_disadvantaged_rule_on_a_hand_made_table():
    burden = pd.Series([0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10])
    poverty = pd.Series([0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.05, 0.8])
    # burden >= 90th pct: the two highest (0.09, 0.10); poverty >= 65th pct: 0.9, 0.6, 0.7, 0.8
    flag = equity.disadvantaged(burden, poverty, 90, 65)
    assert flag.tolist() == [False] * 9 + [True]
    assert equity.disadvantaged(burden, poverty, 50, 50).tolist() == [False] * 4 + [True] * 4 + [False, True]


def test_benefit_share():
    assert equity.benefit_share([10, 30, 60], [True, False, True]) == pytest.approx(0.7)
    assert equity.benefit_share([0, 0], [True, False]) == 0.0


def test_burden_basis_note_only_without_a_residential_split():
    total_only = pd.DataFrame({"electricity_kwh": [1.0], "gas_kwh": [2.0]})
    assert "commercial included" in equity.burden_basis_note(total_only)
    split = total_only.assign(residential_electricity_kwh=[0.5], residential_gas_kwh=[1.0])
    assert equity.burden_basis_note(split) is None
    assert equity.burden_basis_note(pd.DataFrame({"population": [1]})) is None
