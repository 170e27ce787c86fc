"""The one degree-day reader: the bundled table, uploads, and messages that say what to fix."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core import paths
from core.errors import InputError
from core.intake.city import default_city, load_city
from core.intake.degree_day_table import attach, describe, read_degree_days
from tests.conftest import square_grid


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return read_degree_days(paths.DEFAULT_DEGREE_DAYS, require_source=True)


def test_the_bundled_table_keeps_its_base_and_sources(bundled):
    assert list(bundled.columns) == ["month", "hdd_c", "cdd_c", "base_c", "source"]
    assert bundled["month"].tolist() == list(range(1, 13))
    assert pd.api.types.is_integer_dtype(bundled["month"])
    assert (bundled["base_c"] == 18.33).all()
    assert bundled["source"].str.contains("NOAA NCEI").all()
    assert describe(bundled) == "12 months, 3,317 heating and 557 cooling °C-days a year"


def test_the_default_city_carries_the_bundled_table(bundled):
    pd.testing.assert_frame_equal(default_city().degree_days, bundled)


def test_an_upload_is_read_sorted_with_names_normalised(bundled):
    shuffled = bundled[["month", "hdd_c", "cdd_c"]].iloc[::-1]
    buf = io.BytesIO(shuffled.rename(columns={"hdd_c": " HDD_C "}).to_csv(index=False).encode())
    buf.name = "upload.csv"
    table = read_degree_days(buf)
    assert table["month"].tolist() == list(range(1, 13))
    pd.testing.assert_frame_equal(table, bundled[["month", "hdd_c", "cdd_c"]])


@pytest.mark.parametrize("change, message", [
    (lambda t: t.iloc[:11], r"each of 1\.\.12 exactly once \(missing 12\)"),
    (lambda t: t.assign(month=[1, 1] + list(range(3, 13))), r"\(missing 2; repeated 1\)"),
    (lambda t: t.assign(month=[0.5] + list(range(2, 13))), r"\(missing 1; not a month 0\.5\)"),
    (lambda t: t.assign(cdd_c=t["cdd_c"].where(t["month"] != 6, -1.0)),
     r"cannot be negative \(month\(s\) 6\); a month without heating or cooling has 0"),
    (lambda t: t.assign(hdd_c=t["hdd_c"].astype(object).where(t["month"] != 3, "n/a")),
     r"'hdd_c' must be numeric with no blanks; fix data row\(s\) 3"),
    (lambda t: t.assign(hdd_c=0.0, cdd_c=0.0), "all zero"),
    (lambda t: t.drop(columns="cdd_c"), "needs columns month, hdd_c, cdd_c.*missing: cdd_c"),
])
def test_bad_tables_say_what_to_fix(bundled, change, message):
    with pytest.raises(InputError, match=message):
        read_degree_days(change(bundled))


def test_sources_are_required_only_when_asked(bundled):
    unsourced = bundled.drop(columns="source")
    assert len(read_degree_days(unsourced)) == 12
    with pytest.raises(InputError, match="needs a 'source' column"):
        read_degree_days(unsourced, require_source=True)
    blank = bundled.assign(source=bundled["source"].where(bundled["month"] > 2, None))
    with pytest.raises(InputError, match=r"add one for month\(s\) 1, 2$"):
        read_degree_days(blank, require_source=True)


def test_files_are_checked_for_size_and_readability(tmp_path):
    with pytest.raises(InputError, match="cannot read the degree-day table .*missing.csv"):
        read_degree_days(tmp_path / "missing.csv")
    big = tmp_path / "big.csv"
    big.write_bytes(b"month,hdd_c,cdd_c\n" + b"1,1,1\n" * 20_000)
    with pytest.raises(InputError, match="'big.csv' is .* over the limit of 64 KB"):
        read_degree_days(big)


def test_attach_records_the_table_in_the_lineage(bundled):
    city = attach(load_city(square_grid(2).assign(population=1000)), bundled, "normals.csv")
    assert city.degree_days is bundled
    assert city.lineage[-1] == ("degree days: monthly table normals.csv attached "
                                "(12 months, 3,317 heating and 557 cooling °C-days a year)")
