"""A city's reference values (core.intake.reference_values): the US defaults, a city's own
file, every bad input with its message, and their use in carbon, bills, burden and plans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core import money, paths
from core.assess import carbon, equity
from core.errors import InputError
from core.intake import mapping, reference_values
from core.intake.city import load_city, write_city
from core.intake.reference_values import defaults
from core.plan import interventions, scenario
from core.plan.scenario import Scenario

UK_FILE = paths.DATA_DIR / "examples" / "references_uk.csv"
HEADER = "name,value,unit,source\n"


def uk():
    return reference_values.read(UK_FILE)


def loads(rows: str):
    return reference_values.loads((HEADER + rows).encode(), "city.csv")


def test_the_defaults_are_the_us_tables():
    us = defaults()
    assert us.currency == "USD" and us.usd_rate == 1.0 and us.is_default
    assert us.base_year == 2022 and us.grid_path[-1] == (2050, 0.0)
    assert us.grid_factor() == pytest.approx(823.1 * 0.45359237 / 1000, rel=1e-5)
    assert us.gas_factor * 29.3071 == pytest.approx(5.3, rel=1e-5)
    assert (us.electricity_price, us.gas_price) == (0.156, 0.033814)
    cat = interventions.catalogue()
    assert all(us.cost(k) == cat.loc[k, "cost_usd_per_unit"] for k in cat.index)
    assert all(e.source for e in us.entries) and all(e.origin == "default" for e in us.entries)


def test_the_uk_example_is_read_with_its_sources_and_converts_what_it_leaves_out():
    refs = uk()
    assert refs.currency == "GBP" and refs.usd_rate == pytest.approx(0.8039)
    assert refs.grid_path == ((2023, 0.20707), (2035, 0.0)) and refs.base_year == 2023
    assert refs.grid_factor(2029) == pytest.approx(0.20707 / 2)
    assert refs.gas_factor == pytest.approx(0.18293)
    assert (refs.electricity_price, refs.gas_price) == (0.2486, 0.0634)
    assert refs.threshold("burden_high") == 0.10 and refs.threshold("burden_severe") == 0.20
    assert "DESNZ" in refs.grid_source and "Ofgem" in refs["electricity_price"].source
    assert refs.threshold("dac_burden_percentile") == 90  # not given: the default
    # the costs it does not give: US defaults converted at its exchange rate, saying so
    assert refs.cost("heat_pump") == pytest.approx(15000 * 0.8039)
    heat_pump = refs["cost_heat_pump"]
    assert heat_pump.origin == "converted" and heat_pump.unit == "GBP per housing unit"
    assert "converted at 0.8039 GBP per US dollar" in heat_pump.source
    assert {e.origin for e in refs.given} == {"references_uk.csv"} and len(refs.given) == 9


def test_a_partial_file_overrides_only_what_it_gives():
    refs = loads("gas_price,0.05,USD/kWh,Utility tariff 2024\n")
    us = defaults()
    assert refs.gas_price == 0.05 and refs.electricity_price == us.electricity_price
    assert refs.grid_path == us.grid_path and refs.currency == "USD"
    assert [e.name for e in refs.given] == ["gas_price"]


def test_units_are_converted_to_the_canonical_ones():
    refs = loads("grid_factor_2024,350,g CO2/kWh,a grid operator report 2024\n"
                 "gas_factor,5.3,kg CO2/therm,US EPA\n"
                 "electricity_price,150,USD/MWh,a tariff\n"
                 "burden_high,8,%,a study\n")
    assert refs.grid_path == ((2024, pytest.approx(0.35)),)  # a given year replaces the path
    assert refs.gas_factor == pytest.approx(5.3 / 29.3071)
    assert refs.electricity_price == pytest.approx(0.15)
    assert refs.threshold("burden_high") == pytest.approx(0.08)
    assert refs["grid_factor_2024"].given == "350 g CO2/kWh"


@pytest.mark.parametrize("rows, message", [
    ("elec_price,0.2,USD/kWh,a tariff\n", r"not a reference value \(did you mean electricity_price\?\)"),
    ("electricity_price,24.86,p/kWh,Ofgem\n", r"unit 'p/kWh' is not accepted; use USD/kWh.*0\.2486"),
    ("gas_factor,0.18,kg CO2/m3,DESNZ\n", "unit 'kg CO2/m3' is not accepted"),
    ("gas_price,-0.1,USD/kWh,a tariff\n", "must be above 0"),
    ("cost_heat_pump,0,USD per housing unit,a quote\n", "must be above 0"),
    ("grid_factor_2024,-0.1,kg CO2/kWh,a report\n", "cannot be negative"),
    ("gas_price,0.1,USD/kWh,\n", "no source; say where the value comes from"),
    ("gas_price,0.1,USD/kWh,   \n", "no source"),
    ("grid_factor,0.2,kg CO2/kWh,a report\n", "the grid path is given by year.*grid_factor_2024"),
    ("grid_factor_20x4,0.2,kg CO2/kWh,a report\n", "the grid path is given by year"),
    ("grid_factor_1850,0.2,kg CO2/kWh,a report\n", "with a year from 1990 to 2100"),
    ("currency,XYZ,ISO 4217,a guess\n", "'XYZ' is not an ISO 4217 currency in use today"),
    ("currency,pounds,ISO 4217,a guess\n", "not an ISO 4217 currency code"),
    ("currency,DEM,ISO 4217,old money\n", "not an ISO 4217 currency in use today"),
    ("currency,GBP,ISO 4217,UK\n", "currency GBP needs the row usd_exchange_rate"),
    ("currency,GBP,ISO 4217,UK\nusd_exchange_rate,0.8,GBP per USD,a bank\n"
     "electricity_price,0.2,USD/kWh,a tariff\n", r"unit 'USD/kWh' is not accepted; use GBP/kWh"),
    ("usd_exchange_rate,1.1,USD per USD,a bank\n", "needs no exchange rate"),
    ("currency,GBP,currency,UK\nusd_exchange_rate,0.8,GBP per USD,a bank\n", "write ISO 4217"),
    ("gas_price,abc,USD/kWh,a tariff\n", "value 'abc' is not a number"),
    ("gas_price,0.1,USD/kWh,a\ngas_price,0.2,USD/kWh,b\n", "'gas_price' is given twice"),
    ("burden_high,0.2,share of income,a\nburden_severe,0.1,share of income,b\n",
     r"burden_high \(0.2\) must be below burden_severe \(0.1\)"),
    ("dac_burden_percentile,120,percentile,a\n", "percentile above 0 and at most 100"),
    ("burden_high,6,share of income,a\n", r"share above 0 and at most 1 \(10 % is 0.10"),
    ("cost_solar_farm,1,USD per kW,a\n", "not a reference value"),
    ("gas_price,0.1,USD/kWh,Ofgem, cap\n", "5 fields where the header has 4.*double quotes"),
])
def test_a_bad_reference_file_says_what_to_fix(rows, message):
    with pytest.raises(InputError, match=message):
        loads(rows)


@pytest.mark.parametrize("text, message", [
    ("", "is empty"),
    ("name,value,unit\ngas_price,0.1,USD/kWh\n", "missing: source"),
    ("name,value,unit,source,note\n", "unknown: note"),
    (HEADER, "has a header but no values"),
    ("name,value,unit,source,\ngas_price,0.05,USD/kWh,a,oops\n", "a value in a column without a name"),
])
def test_a_bad_reference_file_shape_says_what_to_fix(text, message):
    with pytest.raises(InputError, match=message):
        reference_values.loads(text.encode(), "city.csv")


def test_every_problem_is_listed_at_once_with_its_line():
    with pytest.raises(InputError) as err:
        loads("gas_price,-1,USD/kWh,a\nelec,1,USD/kWh,b\ngrid_factor,1,kg CO2/kWh,\n")
    text = str(err.value)
    assert "line 2 (gas_price)" in text and "line 3 (elec)" in text and "line 4 (grid_factor)" in text
    assert text.count("\n- ") == 3  # one line each (the grid row: not by year, no more checked)


def test_a_semicolon_file_a_spreadsheet_export_and_a_missing_file():
    refs = reference_values.loads(b"name;value;unit;source\ngas_price;0.05;USD/kWh;a, b\n", "x.csv")
    assert refs.gas_price == 0.05 and refs["gas_price"].source == "a, b"
    excel = b"\xef\xbb\xbfname,value,unit,source,,\r\ngas_price,0.06,USD/kWh,a tariff,,\r\n"
    assert reference_values.loads(excel, "x.csv").gas_price == 0.06  # BOM, CRLF, empty columns
    with pytest.raises(InputError, match="not found"):
        reference_values.read(paths.DATA_DIR / "nope.csv")


def test_an_edited_table_keeps_what_is_unchanged_and_asks_a_source_for_a_change():
    refs = uk()
    rows = refs.frame().to_dict("records")
    assert reference_values.overlay(refs, rows, "the Data page") == refs  # shown back: unchanged
    changed = [dict(r, value="0.3") if r["name"] == "electricity_price" else r for r in rows]
    with pytest.raises(InputError, match="changed but its source is still the one"):
        reference_values.overlay(refs, changed, "the Data page")
    sourced = [dict(r, source="Ofgem, price cap April-June 2025") if r["name"] ==
               "electricity_price" else r for r in changed]
    new = reference_values.overlay(refs, sourced, "the Data page")
    assert new.electricity_price == 0.3 and new["electricity_price"].origin == "the Data page"
    assert new["gas_price"].origin == "references_uk.csv"  # kept where it came from
    dropped = [r for r in rows if r["name"] != "burden_high"]  # a row deleted: the default
    assert reference_values.overlay(refs, dropped, "the Data page").threshold("burden_high") == 0.06


def test_the_csv_it_writes_reads_back_the_same_values():
    refs = uk()
    again = reference_values.loads(refs.to_csv().encode(), "again.csv")
    assert again.frame()[["name", "value", "unit"]].equals(refs.frame()[["name", "value", "unit"]])


def test_a_saved_city_keeps_its_reference_values(city4, tmp_path):
    refs = uk()
    path = write_city(city4.with_references(refs), tmp_path / "city.parquet")
    back = load_city(path)
    assert back.references.currency == "GBP" and back.references.grid_path == refs.grid_path
    assert back.references.cost("heat_pump") == refs.cost("heat_pump")
    assert any(line.startswith("reference values: 9 given") for line in back.lineage)
    assert load_city(write_city(city4, tmp_path / "us.parquet")).references == defaults()


def test_carbon_bills_and_burden_use_the_city_values(city4):
    refs, d = uk(), city4.districts
    e = carbon.district_emissions(d, refs)
    np.testing.assert_allclose(e["electricity_t_co2"], d["electricity_kwh"] * 0.20707 / 1000)
    np.testing.assert_allclose(e["gas_t_co2"], d["gas_kwh"] * 0.18293 / 1000)
    bills = equity.district_bills_usd(d, equity.Prices.of(refs))
    np.testing.assert_allclose(bills, d["electricity_kwh"] * 0.2486 + d["gas_kwh"] * 0.0634)


def test_bills_use_the_domestic_energy_when_the_city_has_it():
    d = pd.DataFrame({"electricity_kwh": [10.0, 10.0], "gas_kwh": [20.0, 20.0],
                      "residential_electricity_kwh": [4.0, np.nan]})
    elec, gas = equity.residential_energy_kwh(d)
    assert elec.tolist() == [4.0, 0.0] and gas.tolist() == [20.0, 20.0]  # no gas split: total
    assert "gas" in equity.burden_basis_note(d) and "electricity," not in equity.burden_basis_note(d)


@pytest.mark.parametrize("name, target", [
    ("domestic_electricity_kwh", "residential_electricity_kwh"),
    ("Domestic gas consumption (kWh)", "residential_gas_kwh"),
    ("dom_elec", "residential_electricity_kwh"),
    ("Non-domestic electricity consumption (kWh)", "nonresidential_electricity_kwh"),
    ("non_domestic_gas_kwh", "nonresidential_gas_kwh"),
    ("nondom_gas", "nonresidential_gas_kwh"),
    ("Total domestic electricity consumption (kWh)", "residential_electricity_kwh"),
    ("Mean domestic electricity consumption (kWh)", None),  # per meter, not a total
])
def test_domestic_and_non_domestic_columns_are_suggested(name, target):
    assert mapping.suggest([name]).columns.get(name) == target


def test_the_total_is_derived_from_the_domestic_and_non_domestic_parts(grid4):
    table = pd.DataFrame({"district_id": ["1", "2", "3", "4"], "population": [10, 20, 30, 40],
                          "Domestic electricity consumption (kWh)": [1.0, 2.0, 3.0, 4.0],
                          "Non-domestic electricity consumption (kWh)": [5.0, 6.0, np.nan, 8.0]})
    city = load_city(grid4, table, mapping.suggest(list(table.columns)))
    assert city.districts["electricity_kwh"].tolist()[:2] == [6.0, 8.0]
    assert np.isnan(city.districts["electricity_kwh"].iloc[2])  # a part missing: no total
    e = city.estimates["electricity_kwh"]
    assert e.verb == "derived" and e.formula == ("residential_electricity_kwh + "
                                                  "nonresidential_electricity_kwh")
    assert any(line.startswith("electricity_kwh: derived as residential_electricity_kwh + "
                               "nonresidential_electricity_kwh") for line in city.lineage)
    assert equity.residential_energy_kwh(city.districts)[0].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_a_scenario_in_usd_is_converted_to_the_city_currency_and_checked_there():
    refs = uk()
    j40 = scenario.bundled()["justice40"]
    assert j40.currency == "USD" and j40.for_city(defaults()) is j40
    gbp = j40.for_city(refs)
    assert gbp.currency == "GBP"
    assert gbp.budget_usd_per_capita == pytest.approx(100 * 0.8039)
    assert gbp.carbon_price_usd_per_t == pytest.approx(51 * 0.8039)
    assert gbp.prices(refs).electricity_usd_per_kwh == 0.2486  # none given: the city's
    assert gbp.grid_kg_per_kwh(refs) == pytest.approx(refs.grid_factor(2030))
    mine = Scenario(budget_usd_per_capita=200)  # no currency: the city's own
    assert mine.for_city(refs).budget_usd_per_capita == 200
    with pytest.raises(InputError, match="outside 0 to 80,390 GBP per resident"):
        Scenario(budget_usd_per_capita=90_000).for_city(refs)  # fine in USD, not in GBP
    with pytest.raises(InputError, match="write them in GBP"):
        Scenario(currency="EUR").for_city(refs)
    with pytest.raises(ValueError, match="outside 0 to 100,000 USD per resident"):
        Scenario(currency="USD", budget_usd_per_capita=1e6)


def test_money_is_written_with_the_currency():
    assert money.amount(1234.5, "GBP") == "£1,234.50" and money.amount(1234.5, "GBP", 0) == "£1,234"
    assert money.millions(12_345_678, "GBP") == "£12.3 M"
    assert money.millions(float("nan"), "GBP") == "n/a"
    assert money.amount(123456, "JPY") == "¥123,456"


def test_changing_the_currency_in_the_table_converts_the_defaults_it_shows():
    base = defaults()
    rows = [dict(r, value="EUR", source="Euro, the currency of the euro area")
            if r["name"] == "currency" else r for r in base.frame().to_dict("records")]
    rows.append({"name": "usd_exchange_rate", "value": "0.9245", "unit": "EUR per USD",
                 "source": "US Federal Reserve, G.5A: 2023 average 1.0817 US dollars per euro"})
    eur = reference_values.overlay(base, rows, "the Data page")
    assert eur.currency == "EUR" and eur.usd_rate == 0.9245
    assert eur.electricity_price == pytest.approx(0.156 * 0.9245)
    assert eur["electricity_price"].unit == "EUR/kWh" and eur["electricity_price"].origin == "converted"
    assert eur.cost("heat_pump") == pytest.approx(15000 * 0.9245)


def test_saved_values_come_back_as_first_written_so_a_saved_city_keeps_its_fingerprint():
    refs = reference_values.read(paths.DATA_DIR / "examples" / "references_uk.csv")
    converted = [e for e in refs.given if e.given]
    assert converted  # the UK file gives prices in pence: converted, with what was written
    back = reference_values.from_saved(refs.saved())
    assert back.given == refs.given
