"""The bundled default city is real public data, with its provenance beside it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from core import paths
from core.intake.city import default_city

SHARED = paths.ROOT.parent / "shared" / "data" / "chicago-2010"
COLUMNS = paths.DEFAULT_CITY_DIR / "columns.csv"


def test_the_default_city_is_real_and_says_where_it_comes_from():
    city = default_city()
    assert not city.illustrative and city.n == 77
    assert "City of Chicago" in city.source and "Energy Usage 2010" in city.source
    # what the public tables lack is estimated, in the open
    assert set(city.estimates) >= {"households", "housing_units", "roof_area_m2"}
    d = city.districts
    assert d["population"].sum() == 2_695_598  # the 2010 Census count
    assert d["electricity_kwh"].sum() == pytest.approx(15.72e9, rel=1e-3)  # incl. pooled rows


def test_every_bundled_column_has_a_source_year_and_unit():
    table = pd.read_csv(paths.DEFAULT_ATTRIBUTES, nrows=1)
    provenance = pd.read_csv(COLUMNS)
    rows = provenance[provenance["file"] == "attributes.csv"].set_index("column")
    assert set(table.columns) <= set(rows.index)
    for column in table.columns:
        assert str(rows.loc[column, "source"]).strip(), column
        if column != "district_id":
            assert str(rows.loc[column, "year"]).strip() and str(rows.loc[column, "unit"]).strip()


@pytest.mark.skipif(not SHARED.exists(), reason="the shared Chicago 2010 source files are absent")
def test_the_build_script_reproduces_the_bundled_table(tmp_path: Path):
    subprocess.run([sys.executable, str(paths.ROOT / "data/build/build_chicago_2010.py"),
                    "--out", str(tmp_path), "--shared", str(SHARED), "--no-ratio-estimates",
                    "--tracts", str(paths.ROOT / "data/build/chicago_tract_to_community_area_2010.csv")],
                   check=True, capture_output=True)
    for name in ("attributes.csv", "columns.csv"):
        assert (tmp_path / name).read_bytes() == (paths.DEFAULT_CITY_DIR / name).read_bytes(), name
