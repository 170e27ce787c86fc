"""Which columns hold the ids, and when ids "differ only by leading zeros" (the QA pass on a
Kraków GeoJSON whose features are numbered '0', '1', ... beside a code column '001', ...
that the table's ids match)."""

from __future__ import annotations

import pandas as pd
import pytest

from core.errors import InputError
from core.intake import mapping, staging
from tests.conftest import square_grid


def krakow_like(n: int = 6):
    """Boundaries with a feature id '0'..'n-1' (as GeoJSON readers give it) and a code 'kod'
    '001'..; a table keyed by 'kod' with the same codes."""
    gdf = square_grid(3).iloc[:n].drop(columns="district_id")
    gdf.insert(0, "id", [str(k) for k in range(n)])
    gdf.insert(1, "kod", [f"{k:03d}" for k in range(1, n + 1)])
    table = pd.DataFrame({"kod": [f"{k:03d}" for k in range(1, n + 1)],
                          "ludnosc": [1000 * k for k in range(1, n + 1)]})
    return gdf, table


def test_the_id_columns_are_the_pair_whose_values_match():
    gdf, table = krakow_like()
    b_cols, a_cols = mapping.source_columns(gdf, table)
    by_name = mapping.suggest(a_cols, b_cols)
    assert by_name.id_column == "id"  # names alone: the feature id looks like an id
    by_value = mapping.suggest(a_cols, b_cols, boundaries=gdf, table=table)
    assert (by_value.id_column, by_value.attributes_id) == ("kod", "kod")
    assert "kod" not in by_value.columns  # an id column is not mapped as data


def test_names_decide_when_values_match_as_well_or_not_at_all(grid4, attrs4):
    b_cols, a_cols = mapping.source_columns(grid4, attrs4)
    m = mapping.suggest(a_cols, b_cols, boundaries=grid4, table=attrs4)
    assert (m.id_column, m.attributes_id) == ("district_id", "district_id")
    unrelated = attrs4.assign(district_id=list("abcd"))
    m = mapping.suggest(a_cols, b_cols, boundaries=grid4, table=unrelated)
    assert (m.id_column, m.attributes_id) == ("district_id", "district_id")
    # a count whose numbers happen to be ids is no id column (read as text, as CSVs are)
    counts = pd.DataFrame({"district_id": ["x1", "x2"], "population": ["2", "3"]})
    m = mapping.suggest(list(counts.columns), b_cols, boundaries=grid4, table=counts)
    assert (m.id_column, m.attributes_id) == ("district_id", "district_id")


def test_ids_numbered_from_zero_are_not_said_to_differ_by_leading_zeros():
    gdf, table = krakow_like()
    with pytest.raises(InputError) as caught:
        staging.stage(gdf, table, id_column="id", attributes_id="kod")
    message = str(caught.value)
    assert message.startswith("no attribute row matches a boundary id")
    assert "leading zeros" not in message
    assert staging.match_ids(gdf["id"], table["kod"]).leading_zeros == ()


def test_ids_that_only_lack_their_zeros_are_said_to_and_match_when_asked():
    gdf, table = krakow_like()
    gdf["id"] = [str(k) for k in range(1, len(gdf) + 1)]  # '1'.. against '001'..
    with pytest.raises(InputError, match=r"differ only by leading zeros \(e\.g\. boundaries "
                                         r"'1', attributes '001'\)"):
        staging.stage(gdf, table, id_column="id", attributes_id="kod")
    staged = staging.stage(gdf, table.rename(columns={"ludnosc": "population"}), id_column="id",
                           attributes_id="kod",
                           cleaning=staging.Cleaning(ignore_leading_zeros=True))
    assert staged.ids.n_matched == len(gdf)


def test_leading_zeros_are_paired_when_one_side_has_extra_ids():
    boundaries = pd.Series(["1", "2", "3", "4"], dtype="string")
    # a total row on the table's side: every boundary id still finds its zero-padded match
    match = staging.match_ids(boundaries, pd.Series(["01", "02", "03", "04", "TOTAL"]))
    assert match.leading_zeros == (("1", "01"), ("2", "02"), ("3", "03"), ("4", "04"))
    # a district missing from the table: the rest still pair
    match = staging.match_ids(boundaries, pd.Series(["01", "02", "03"]))
    assert match.leading_zeros == (("1", "01"), ("2", "02"), ("3", "03"))
    # shifted by one: '4' and '00' are left on each side, so these are other ids
    match = staging.match_ids(boundaries, pd.Series(["00", "01", "02", "03"]))
    assert match.leading_zeros == ()
