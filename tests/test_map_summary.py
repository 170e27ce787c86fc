"""Every map in words and as a table (core.assess.summary, issue 12: WCAG 1.1.1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.assess import maps, summary

NAMES = ["Austin", "Bridgeport", "Chatham", "Dunning"]


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame({"district_id": ["1", "2", "3", "4"], "name": NAMES,
                         "x": [1.0, 5.0, np.nan, 3.0]})


def test_the_sentence_names_the_highest_lowest_and_median_district_with_the_unit():
    text = summary.numeric_summary(NAMES, [1.0, 5.0, np.nan, 3.0], "kWh/person/yr", 1)
    assert text == ("Highest: Bridgeport (5.0 kWh/person/yr); lowest: Austin "
                    "(1.0 kWh/person/yr); median: 3.0 kWh/person/yr over 3 districts. "
                    "1 district has no data.")
    assert summary.numeric_summary(NAMES, [np.nan] * 4, "t") == \
        "No district has data for this map."


def test_a_choropleth_as_a_table_gives_each_district_its_value_and_legend_class(table):
    view = maps.choropleth(table, "x", "Energy", "kWh", 1, "quantiles", 3,
                           no_data=[False, False, True, False],
                           predicted=[True, False, False, False])
    text = summary.of_choropleth(view, 1)
    assert text.summary.startswith("Highest: Bridgeport (5.0 kWh)")
    t = text.table.set_index("District")
    assert list(text.table.columns) == ["District", "Id", "Energy (kWh)", "Class", "Data"]
    assert (text.value_column, text.digits) == ("Energy (kWh)", 1)
    assert t.loc["Bridgeport", "Energy (kWh)"] == 5.0
    legend = [row["label"] for row in view.legend]
    assert t.loc["Austin", "Class"] == legend[0] and t.loc["Bridgeport", "Class"] == legend[2]
    assert t.loc["Chatham", "Class"] == "no data" and np.isnan(t.loc["Chatham", "Energy (kWh)"])
    assert t.loc["Austin", "Data"] == "predicted"  # the outline is said in words too


def test_a_categorical_map_counts_its_districts_per_category(table):
    labels = ["disadvantaged", "not disadvantaged", "no data", "disadvantaged"]
    fill, legend = maps.categorical(labels, {"disadvantaged": "#b2182b",
                                             "not disadvantaged": "#d1e5f0"})
    text = summary.of_map(table, fill, legend, "Status")
    assert text.summary == ("disadvantaged: 2 districts; not disadvantaged: 1 district; "
                            "no data: 1 district.")
    assert text.table["Status"].tolist() == labels
    assert list(text.table.columns) == ["District", "Id", "Status"]


def test_a_diverging_map_in_words_and_as_a_table(table):
    values = [-5.0, 3.0, np.nan, 10.0]
    fill, legend = maps.diverging(values, "%")
    text = summary.of_map(table, fill, legend, "Error", "%", values, 1)
    assert text.summary.startswith("Highest: Dunning (10.0 %); lowest: Austin (-5.0 %)")
    classes = text.table["Class"].tolist()
    assert all(c in {row["label"] for row in legend} for c in classes[:2] + classes[3:])
    assert classes[2] == "no data"
