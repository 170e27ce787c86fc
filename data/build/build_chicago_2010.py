"""Build the attribute table of Chicago's 77 community areas from real public data (2010).

Run from the repository root::

    python data/build/build_chicago_2010.py [--out DIR] [--shared DIR] [--tracts FILE]

Inputs are the files of ``shared/data/chicago-2010/`` (see the README there):

* ``uic_community_areas_2.json.zip``: City of Chicago "Energy Usage 2010" (8yq3-m6wp), the
  published census-block rows summed per community area by UIC's EVL: monthly kWh and
  therms, plus census counts that are about 2x too high (see DOUBLE COUNTS below).
* ``uic_energy_communities.csv``: the same totals with the floor area behind them (sq ft).
* ``uic_confidential_blocks_info.csv``: the 77 pooled confidential rows of the same dataset
  (one per community area, keyed by *name* only).
* ``Census_socioeconomic_indicators_Chicago_2008_2012.csv``: ACS 2008-2012 indicators.
* ``Population_by_2010_Census_Block.csv``: 2010 Census population per block.
* ``chicago_ca77_energy_equity_2010.csv``: a derived per-area table, used here only as a
  check value (block rows only, no pooled rows).

The tract -> community area key comes from the ``commarea_n`` field of the City's 2010
census tract boundaries ("Boundaries - Census Tracts - 2010", 5jrd-6zik), as shipped in the
``chicago`` package (PyPI, 0.4.1, MIT; ``chicago/data/census_tracts_as_of_2010.geojson``).
It is read from the installed package, or from ``--tracts`` (that GeoJSON, or the
``tract_to_community_area.csv`` this script writes).

Outputs, in ``--out`` (default: a folder ``chicago-2010-build`` in the system temp dir):

* ``attributes.csv``: ``district_id`` and the canonical columns the data supports.
* ``columns.csv``: one provenance row per output column (all files below).
* ``extra_indicators.csv``: ACS indicators with no canonical column (hardship, ...).
* ``energy_components.csv``: per area, the block-row and pooled-row parts of each total.
* ``name_check.csv``: every source spelling of every area name and how it was matched.
* ``tract_to_community_area.csv``: the 801-tract key used for the population.
* ``README-draft.md``: the text of this city's section of ``data/README.md``.

DECISIONS (also written to README-draft.md)
-------------------------------------------
POOLED CONFIDENTIAL ROWS: ADDED to the area totals. The City did not publish the
block x building-type rows that had too few accounts; it pooled them into one row per
community area (blank block and building type). That energy was metered inside the area:
it is part of the area's use, not an artefact. Leaving it out would understate the city
by 26 % of electricity (4.11 of 15.72 TWh) and 18 % of gas (0.231 of 1.316 billion
therms), and unevenly (the pooled row is 7 % to 80 % of an area's electricity, 20 % at the
median), which would distort comparisons between areas. So electricity, gas (annual and
monthly) and floor area are block rows + pooled row, and the totals match the dataset's
full totals. Caveat: where in the area, and in which building types, the pooled use lies
is unknown; ``energy_components.csv`` keeps both parts. The check file holds block rows
only, so it is compared against the block-row part.

DOUBLE COUNTS: the census counts in the energy files (population, units, occupied and
renter-occupied units) repeat each block's values on every building-type row, so they
are about 2x too high and are never used as counts. Population comes from the 2010
Census block file summed per area. Renter share, units per resident and occupancy are
ratios of the block-row counts (the repetition cancels to a weighting by how many
building-type rows a block has). ``housing_units`` and ``households`` are ESTIMATES:
2010 population x (units / residents) and x (occupied units / residents) of those
ratios; ``--no-ratio-estimates`` leaves them out. The pooled rows' census counts are not
used (their blocks may also appear among the published rows).

NAMES: ids are the community-area numbers ("1".."77"), as in districts.geojson, and every
join is on the number except for the pooled rows, which carry only a name. Names are
compared after one fixed normalisation (case-folded, "_" -> " ", spaces collapsed); the
spellings that still differ from districts.geojson are listed in NAME_ALIASES (no fuzzy
matching). An unknown or ambiguous name stops the build.
"""

from __future__ import annotations

import argparse
import importlib.resources
import io
import json
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
BOUNDARIES = ROOT / "data" / "chicago" / "districts.geojson"
DEFAULT_OUT = Path(tempfile.gettempdir()) / "chicago-2010-build"
SHARED_CANDIDATES = (ROOT / "shared" / "data" / "chicago-2010",
                     ROOT.parent / "shared" / "data" / "chicago-2010")

# 1 therm = 100,000 Btu(IT) = 29.3071 kWh: US EIA, "Units and calculators explained: energy
# conversion" (the factor core/intake/units.py uses).
KWH_PER_THERM = 29.3071
# 1 international foot = 0.3048 m exactly, so 1 ft2 = 0.09290304 m2 (NIST SP 811, 2008, B.8).
M2_PER_FT2 = 0.09290304

MONTH_NAMES = ("JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST",
               "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER")
KWH_MONTHS = [f"KWH_{m}_2010" for m in MONTH_NAMES]
THERM_MONTHS = [f"THERM_{m}_2010" for m in MONTH_NAMES]
ELEC_OUT = [f"electricity_kwh_{i:02d}" for i in range(1, 13)]
GAS_OUT = [f"gas_kwh_{i:02d}" for i in range(1, 13)]

# Source spellings that differ from districts.geojson after normalise_name().
# (normalised spelling, community-area number, spelling in districts.geojson, seen in)
NAME_ALIASES: tuple[tuple[str, int, str, str], ...] = (
    ("lakeview", 6, "Lake View", "the energy files (uic_*.json/csv) and the check file"),
    ("montclaire", 18, "Montclare", "Census_socioeconomic_indicators (misspelt)"),
    ("washington height", 73, "Washington Heights", "Census_socioeconomic_indicators (misspelt)"),
)
CITY_ROW = 0  # the socio-economic file's CHICAGO row

# Totals stated in shared/data/chicago-2010/README.md.
README_TOTALS = {
    "population (2010 Census)": 2_695_598,
    "census blocks": 46_291,
    "electricity, block rows (TWh)": 11.61,
    "gas, block rows (billion therms)": 1.085,
    "pooled rows electricity (TWh)": 4.11,
    "pooled rows gas (billion therms)": 0.231,
    "electricity, block + pooled rows (TWh)": 15.72,
    "gas, block + pooled rows (billion therms)": 1.316,
    "Loop electricity per resident, block rows (kWh)": 60_500,
    "median-area electricity per resident, block rows (kWh)": 3_000,
}
# Not in the shared README: US Census Bureau, 2010 Census Summary File 1 (tables H3, H4),
# Chicago city, Illinois. Used only to report how far the ratio estimates land.
CENSUS_2010_CITY = {"housing_units": 1_194_337, "households": 1_045_560}

# Provenance of each source dataset.
SRC_ENERGY = ("City of Chicago, Energy Usage 2010 (data portal dataset 8yq3-m6wp), per community "
              "area as aggregated by UIC EVL (github.com/uic-evl/chicago-energy-visualization, "
              "commit c810e8c)")
POOLED = " plus the dataset's pooled confidential row of the area"
URL_ENERGY = "https://data.cityofchicago.org/d/8yq3-m6wp"
SRC_ACS = ("City of Chicago, Census Data - Selected socioeconomic indicators in Chicago, "
           "2008-2012 (data portal dataset kn9c-c2s2; ACS 2008-2012 5-year estimates)")
URL_ACS = "https://data.cityofchicago.org/d/kn9c-c2s2"
SRC_POP = ("City of Chicago, Population by 2010 Census Block (data portal dataset 5yjb-v3mj; "
           "2010 Census), summed per community area with the commarea_n of Boundaries - Census "
           "Tracts - 2010 (5jrd-6zik, via the chicago package 0.4.1)")
URL_POP = "https://data.cityofchicago.org/d/5yjb-v3mj"
URL_TRACTS = "https://data.cityofchicago.org/d/5jrd-6zik"
URL_AREAS = "https://data.cityofchicago.org/d/cauq-8yn6"
# As shared/data/chicago-2010/README.md states them.
TERMS = "City of Chicago data portal terms of use (public data, attribution to the City of Chicago)"


# ----------------------------------------------------------------------------- names

def normalise_name(raw: str) -> str:
    """The one fixed normalisation applied before names are compared (no fuzzy matching)."""
    return " ".join(str(raw).replace("_", " ").split()).casefold()


def name_index(geo_names: dict[int, str]) -> dict[str, int]:
    """Normalised name -> number: districts.geojson names plus NAME_ALIASES."""
    index: dict[str, int] = {}
    for n, name in geo_names.items():
        key = normalise_name(name)
        if key in index:
            raise ValueError(f"two districts share the name {name!r}")
        index[key] = n
    for alias, n, geo_name, _ in NAME_ALIASES:
        if geo_names.get(n) != geo_name:
            raise ValueError(f"NAME_ALIASES: area {n} is {geo_names.get(n)!r} in districts.geojson, "
                             f"not {geo_name!r}")
        if alias in index and index[alias] != n:
            raise ValueError(f"alias {alias!r} collides with area {index[alias]}")
        index[alias] = n
    return index


def match_names(source: str, names: pd.Series, numbers: pd.Series | None,
                geo_names: dict[int, str], index: dict[str, int]) -> tuple[pd.Series, list[dict]]:
    """Area number of each row; checks names against numbers where the source has both.

    Returns the numbers and one ``name_check`` record per row. Raises on an unknown name,
    on a name that contradicts the row's number, and on two rows for one area.
    """
    out, records = [], []
    for i, raw in enumerate(names):
        key = normalise_name(raw)
        by_name = index.get(key)
        n = int(numbers.iloc[i]) if numbers is not None else by_name
        if by_name is None:
            raise ValueError(f"{source}: unknown community-area name {raw!r}; add it to NAME_ALIASES "
                             "if it is a spelling variant")
        if by_name != n:
            raise ValueError(f"{source}: row number {n} but name {raw!r} is area {by_name}")
        geo = geo_names[n]
        how = ("exact" if raw == geo else
               "normalised" if key == normalise_name(geo) else "NAME_ALIASES")
        records.append({"source": source, "district_id": str(n), "source_name": raw,
                        "districts_geojson_name": geo, "matched_by": how,
                        "join_key": "number" if numbers is not None else "name"})
        out.append(n)
    s = pd.Series(out, index=names.index)
    if s.duplicated().any():
        raise ValueError(f"{source}: areas {sorted(s[s.duplicated()].unique())} appear twice")
    return s, records


# ----------------------------------------------------------------------------- readers

def read_boundary_names(path: Path) -> dict[int, str]:
    feats = json.loads(path.read_text(encoding="utf-8"))["features"]
    names = {int(f["properties"]["district_id"]): f["properties"]["name"] for f in feats}
    if sorted(names) != list(range(1, 78)):
        raise ValueError(f"{path}: expected district ids 1..77")
    return names


def read_energy_json(shared: Path) -> pd.DataFrame:
    with zipfile.ZipFile(shared / "uic_community_areas_2.json.zip") as z:
        text = z.read("community_areas_2.json").decode("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    df = pd.DataFrame(rows)
    empty = df["COMMUNITY_AREA_NUMBER"].isna() & df["COMMUNITY_AREA_NAME"].isna()
    if df.loc[empty].drop(columns="_id").notna().any().any():
        raise ValueError("a row without area number or name holds values")
    return df.loc[~empty].reset_index(drop=True)


def tract_key(tracts: Path | None) -> tuple[pd.DataFrame, str]:
    """Tract (6-digit code) -> community-area number, and where it was read from."""
    if tracts is None:
        try:
            res = importlib.resources.files("chicago") / "data" / "census_tracts_as_of_2010.geojson"
            text, where = res.read_text(encoding="utf-8"), f"chicago package ({res})"
        except ModuleNotFoundError:
            sys.exit("the tract -> community-area key is needed: `pip install chicago==0.4.1` or "
                     "pass --tracts (census_tracts_as_of_2010.geojson or tract_to_community_area.csv)")
    elif tracts.suffix == ".csv":
        key = pd.read_csv(tracts, dtype={"tract": str})
        return key[["tract", "community_area"]], str(tracts)
    else:
        text, where = tracts.read_text(encoding="utf-8"), str(tracts)
    feats = json.loads(text)["features"]
    key = pd.DataFrame([{"tract": f["properties"]["tractce10"],
                         "community_area": int(f["properties"]["commarea_n"])} for f in feats])
    return key, where


def population_by_area(shared: Path, key: pd.DataFrame) -> tuple[pd.Series, int, tuple]:
    blocks = pd.read_csv(shared / "Population_by_2010_Census_Block.csv",
                         dtype={"CENSUS BLOCK": str})
    code = blocks["CENSUS BLOCK"].str.strip()
    if not code.str.fullmatch(r"\d{9,10}").all():
        raise ValueError("CENSUS BLOCK: expected 9-10 digits (tract without leading zero + block)")
    blocks["tract"] = code.str[:-4].str.zfill(6)
    if key["tract"].duplicated().any():
        raise ValueError("tract key: a tract appears twice")
    merged = blocks.merge(key, on="tract", how="left", validate="many_to_one")
    # Blocks of tracts that are not among the City's 801 tracts (suburban tracts reaching
    # into the city) may only be empty; any resident there stops the build.
    lost = merged["community_area"].isna()
    if merged.loc[lost, "TOTAL POPULATION"].sum() > 0:
        raise ValueError(f"{int(lost.sum())} populated blocks in tracts missing from the key: "
                         f"{sorted(merged.loc[lost, 'tract'].unique())[:10]}")
    unkeyed = (int(lost.sum()), sorted(merged.loc[lost, "tract"].unique()))
    pop = merged.loc[~lost].groupby("community_area")["TOTAL POPULATION"].sum().astype(int)
    return pop, len(blocks), unkeyed


# ----------------------------------------------------------------------------- build

def build(shared: Path, tracts: Path | None, ratio_estimates: bool = True) -> dict:
    geo_names = read_boundary_names(BOUNDARIES)
    index = name_index(geo_names)
    checks: list[dict] = []
    ids = pd.Index(range(1, 78), name="ca")

    # Energy: block rows (JSON, joined on number) ...
    ej = read_energy_json(shared)
    ej["ca"], rec = match_names("uic_community_areas_2.json", ej["COMMUNITY_AREA_NAME"],
                                ej["COMMUNITY_AREA_NUMBER"], geo_names, index)
    checks += rec
    ej = ej.set_index("ca").reindex(ids)
    # ... floor area behind them (TOTAL_SQFT twice: kWh accounts, then therm accounts) ...
    ec = pd.read_csv(shared / "uic_energy_communities.csv")
    ec = ec.rename(columns={"TOTAL_SQFT": "SQFT_KWH", "TOTAL_SQFT.1": "SQFT_THERMS"})
    ec["ca"], rec = match_names("uic_energy_communities.csv", ec["COMMUNITY_ID"], ec["ID"],
                                geo_names, index)
    checks += rec
    ec = ec.set_index("ca").reindex(ids)
    for col in ("TOTAL_KWH", "TOTAL_THERMS"):
        if not (ec[col] == ej[col]).all():
            raise ValueError(f"uic_energy_communities {col} disagrees with the JSON")
    # ... and the pooled confidential rows (joined on name: they carry no number).
    pc = pd.read_csv(shared / "uic_confidential_blocks_info.csv")
    if pc["CENSUS_BLOCK"].notna().any() or pc["BUILDING_TYPE"].notna().any():
        raise ValueError("pooled rows: expected blank CENSUS_BLOCK and BUILDING_TYPE")
    pc["ca"], rec = match_names("uic_confidential_blocks_info.csv", pc["COMMUNITY_AREA_NAME"],
                                None, geo_names, index)
    checks += rec
    pc = pc.set_index("ca").reindex(ids)
    for name, df in (("block rows", ej), ("pooled rows", pc)):
        if df[KWH_MONTHS + THERM_MONTHS + ["TOTAL_KWH", "TOTAL_THERMS"]].isna().any().any():
            raise ValueError(f"{name}: an area has no energy values")
        if not ((df[KWH_MONTHS].sum(axis=1) == df["TOTAL_KWH"]).all()
                and (df[THERM_MONTHS].sum(axis=1) == df["TOTAL_THERMS"]).all()):
            raise ValueError(f"{name}: months do not add up to the annual total")

    kwh_months = ej[KWH_MONTHS].to_numpy(float) + pc[KWH_MONTHS].to_numpy(float)
    therm_months = ej[THERM_MONTHS].to_numpy(float) + pc[THERM_MONTHS].to_numpy(float)
    sqft = ec["SQFT_KWH"].astype(float) + pc["KWH_TOTAL_SQFT"].astype(float)

    # Population: 2010 Census blocks summed per area.
    key, key_source = tract_key(tracts)
    pop, n_blocks, unkeyed = population_by_area(shared, key)
    pop = pop.reindex(ids)
    if pop.isna().any():
        raise ValueError(f"no population for areas {list(pop[pop.isna()].index)}")

    # ACS 2008-2012 indicators (joined on number; the CHICAGO row kept for the check).
    so = pd.read_csv(shared / "Census_socioeconomic_indicators_Chicago_2008_2012.csv")
    so.columns = [c.strip() for c in so.columns]
    city_row = so.loc[so["Community Area"] == CITY_ROW].iloc[0]
    so = so.loc[so["Community Area"] != CITY_ROW].reset_index(drop=True)
    so["ca"], rec = match_names("Census_socioeconomic_indicators_Chicago_2008_2012.csv",
                                so["COMMUNITY AREA NAME"], so["Community Area"], geo_names, index)
    checks += rec
    so = so.set_index("ca").reindex(ids)

    # Ratios of the (repeated) census counts of the block rows; never the counts themselves.
    renter_share = ej["RENTER_OCCUPIED_HOUSING_UNITS"] / ej["OCCUPIED_HOUSING_UNITS"]
    units_per_resident = ej["TOTAL_UNITS"] / ej["TOTAL_POPULATION"]
    occupied_per_resident = ej["OCCUPIED_UNITS"] / ej["TOTAL_POPULATION"]

    out = pd.DataFrame(index=ids)
    out["district_id"] = ids.astype(str)
    out["population"] = pop.astype(int)
    if ratio_estimates:
        out["households"] = (pop * occupied_per_resident).round().astype(int)
        out["housing_units"] = (pop * units_per_resident).round().astype(int)
    out["per_capita_income"] = so["PER CAPITA INCOME"].astype(int)
    out["renter_share"] = renter_share.round(4)
    out["poverty_rate"] = (so["PERCENT HOUSEHOLDS BELOW POVERTY"] / 100).round(4)
    out["floor_area_m2"] = (sqft * M2_PER_FT2).round(1)
    elec = pd.DataFrame(kwh_months, index=ids, columns=ELEC_OUT).round(1)
    gas = pd.DataFrame(therm_months * KWH_PER_THERM, index=ids, columns=GAS_OUT).round(1)
    out["electricity_kwh"] = elec.sum(axis=1).round(1)  # the sum of the rounded months
    out["gas_kwh"] = gas.sum(axis=1).round(1)
    out = pd.concat([out, elec, gas], axis=1).reset_index(drop=True)

    extra = pd.DataFrame({
        "district_id": ids.astype(str),
        "housing_crowded_share": (so["PERCENT OF HOUSING CROWDED"] / 100).round(4).to_numpy(),
        "unemployed_share_16plus": (so["PERCENT AGED 16+ UNEMPLOYED"] / 100).round(4).to_numpy(),
        "no_high_school_diploma_share_25plus":
            (so["PERCENT AGED 25+ WITHOUT HIGH SCHOOL DIPLOMA"] / 100).round(4).to_numpy(),
        "dependency_share_under18_over64":
            (so["PERCENT AGED UNDER 18 OR OVER 64"] / 100).round(4).to_numpy(),
        "hardship_index": so["HARDSHIP INDEX"].astype(int).to_numpy(),
    })

    components = pd.DataFrame({
        "district_id": ids.astype(str),
        "name": [geo_names[n] for n in ids],
        "electricity_kwh_block_rows": ej["TOTAL_KWH"].astype(float).to_numpy(),
        "electricity_kwh_pooled_row": pc["TOTAL_KWH"].astype(float).to_numpy(),
        "gas_therms_block_rows": ej["TOTAL_THERMS"].astype(float).to_numpy(),
        "gas_therms_pooled_row": pc["TOTAL_THERMS"].astype(float).to_numpy(),
        "floor_area_ft2_block_rows": ec["SQFT_KWH"].astype(float).to_numpy(),
        "floor_area_ft2_pooled_row": pc["KWH_TOTAL_SQFT"].astype(float).to_numpy(),
        "gas_accounts_floor_area_ft2_block_rows": ec["SQFT_THERMS"].astype(float).to_numpy(),
        "gas_accounts_floor_area_ft2_pooled_row": pc["THERMS_TOTAL_SQFT"].astype(float).to_numpy(),
        "electricity_accounts_pooled_row": pc["ELECTRICITY_ACCOUNTS"].to_numpy(),
        "gas_accounts_pooled_row": pc["GAS_ACCOUNTS"].to_numpy(),
    })
    components["electricity_pooled_share"] = (
        components["electricity_kwh_pooled_row"]
        / (components["electricity_kwh_block_rows"] + components["electricity_kwh_pooled_row"])
    ).round(4)
    components["gas_pooled_share"] = (
        components["gas_therms_pooled_row"]
        / (components["gas_therms_block_rows"] + components["gas_therms_pooled_row"])).round(4)

    check = pd.read_csv(shared / "chicago_ca77_energy_equity_2010.csv").set_index("CA").reindex(ids)
    return {"attributes": out, "extra": extra, "components": components,
            "names": pd.DataFrame(checks), "tract_key": key.sort_values("tract"),
            "key_source": key_source, "n_blocks": n_blocks, "unkeyed_blocks": unkeyed, "check": check, "ej": ej,
            "city_row": city_row, "geo_names": geo_names}


# ----------------------------------------------------------------------------- provenance

def provenance(columns: list[str]) -> pd.DataFrame:
    """One row per output column: source, URL, year, unit, method, caveat."""
    energy_caveat = ("all building types (homes, shops, offices, industry), not homes alone; "
                     "includes the area's pooled confidential row (few-account rows, often large "
                     "single users; location and building types unknown), 7-80 % of an area's "
                     "electricity")
    ratio_caveat = ("the energy dataset's census counts repeat each block on every building-type "
                    "row (about 2x too high), so only their ratio is used; the ratio weights "
                    "blocks by their number of building-type rows")
    rows = {
        "district_id": ("City of Chicago community-area number (Boundaries - Community Areas; "
                        "districts.geojson from libpysal Chicago77)", URL_AREAS, "",
                        "", "the number 1..77, as a string",
                        "every source joins on the number, except the pooled rows (name only, "
                        "see name_check.csv)"),
        "population": (SRC_POP, URL_POP, "2010", "persons",
                       "block populations summed per community area through the tract key",
                       "a few 2010 tracts cross a community-area line; each counts wholly in the "
                       "area of its commarea_n"),
        "households": (SRC_POP + "; " + SRC_ENERGY, URL_POP + " ; " + URL_ENERGY, "2010",
                       "households", "population x occupied units / residents of the energy "
                       "dataset's block rows",
                       "ESTIMATE, not a count: " + ratio_caveat),
        "housing_units": (SRC_POP + "; " + SRC_ENERGY, URL_POP + " ; " + URL_ENERGY, "2010",
                          "units", "population x housing units / residents of the energy "
                          "dataset's block rows",
                          "ESTIMATE, not a count: " + ratio_caveat),
        "per_capita_income": (SRC_ACS, URL_ACS, "2008-2012", "USD/yr",
                              "PER CAPITA INCOME as published",
                              "ACS 5-year estimate (sampling error), 2012 dollars; a different "
                              "period from the 2010 energy and population"),
        "renter_share": (SRC_ENERGY, URL_ENERGY, "2010", "share (0..1)",
                         "renter-occupied / occupied housing units of the block rows",
                         "blocks whose every row was pooled are not counted (the pooled rows' "
                         "census counts are not used); at city level about 1.6 points above the "
                         "2010 Census (56.7 % vs 55.1 %); " + ratio_caveat),
        "poverty_rate": (SRC_ACS, URL_ACS, "2008-2012", "share (0..1)",
                         "PERCENT HOUSEHOLDS BELOW POVERTY / 100",
                         "share of HOUSEHOLDS below the federal poverty level, not of residents "
                         "as the canonical column describes; ACS 5-year estimate"),
        "floor_area_m2": (SRC_ENERGY + POOLED, URL_ENERGY, "2010", "m²",
                          "square feet behind the electricity accounts (block rows + pooled row) "
                          "x 0.09290304 m²/ft²",
                          "floor area the dataset reports for the buildings with electricity "
                          "accounts in it, not a survey of all floor space, and probably "
                          "incomplete: electricity + gas per m² comes to about 350 kWh/m² "
                          "city-wide (up to ~780 in Riverdale); the gas accounts' floor area "
                          "(energy_components.csv) differs by a few %"),
        "electricity_kwh": (SRC_ENERGY + POOLED, URL_ENERGY, "2010", "kWh/yr",
                            "block rows + pooled row; sum of the 12 months", energy_caveat),
        "gas_kwh": (SRC_ENERGY + POOLED, URL_ENERGY, "2010", "kWh/yr",
                    "therms x 29.3071 kWh/therm (US EIA); sum of the 12 rounded months",
                    energy_caveat),
    }
    for i in range(1, 13):
        rows[f"electricity_kwh_{i:02d}"] = (SRC_ENERGY + POOLED, URL_ENERGY, f"2010-{i:02d}", "kWh/month",
                                            "block rows + pooled row, calendar month",
                                            energy_caveat)
        rows[f"gas_kwh_{i:02d}"] = (SRC_ENERGY + POOLED, URL_ENERGY, f"2010-{i:02d}", "kWh/month",
                                    "therms x 29.3071 kWh/therm, block rows + pooled row",
                                    energy_caveat)
    extra = {
        "housing_crowded_share": ("PERCENT OF HOUSING CROWDED / 100",
                                  "occupied units with more than one person per room"),
        "unemployed_share_16plus": ("PERCENT AGED 16+ UNEMPLOYED / 100", "ACS 5-year estimate"),
        "no_high_school_diploma_share_25plus": ("PERCENT AGED 25+ WITHOUT HIGH SCHOOL DIPLOMA / 100",
                                                "ACS 5-year estimate"),
        "dependency_share_under18_over64": ("PERCENT AGED UNDER 18 OR OVER 64 / 100",
                                            "ACS 5-year estimate"),
        "hardship_index": ("HARDSHIP INDEX as published",
                           "index 1-100 (higher = more hardship), a composite of the six "
                           "indicators; not a canonical column"),
    }
    for col, (method, cav) in extra.items():
        unit = "index" if col == "hardship_index" else "share (0..1)"
        rows[col] = (SRC_ACS, URL_ACS, "2008-2012", unit, method, cav)
    recs = []
    for col in columns:
        src, url, year, unit, method, cav = rows[col]
        file = "extra_indicators.csv" if col in extra else "attributes.csv"
        recs.append({"file": file, "column": col, "source": src, "url": url, "year": year,
                     "unit": unit, "method": method, "caveat": cav, "terms": TERMS})
    return pd.DataFrame(recs)


# ----------------------------------------------------------------------------- checks

def require(ok, message: str) -> None:
    """Stop the build when a check fails (unlike assert, also under python -O)."""
    if not ok:
        raise SystemExit(f"check failed: {message}")


def validate(res: dict) -> list[str]:
    """Blocking checks; returns the lines of the comparison report."""
    a, check, comp, ej = res["attributes"], res["check"], res["components"], res["ej"]
    geo_ids = {str(n) for n in res["geo_names"]}
    require(len(a) == 77, f"{len(a)} rows, expected 77")
    require(not a["district_id"].duplicated().any(), "duplicate district ids")
    require(set(a["district_id"]) == geo_ids, "ids differ from districts.geojson")
    num = a.drop(columns="district_id")
    require(num.notna().all().all(), f"missing values in {list(num.columns[num.isna().any()])}")
    require((num >= 0).all().all(), f"negative values in {list(num.columns[(num < 0).any()])}")
    for share in ("renter_share", "poverty_rate"):
        require(a[share].between(0, 1).all(), f"{share} outside 0..1")
    for total, months in (("electricity_kwh", ELEC_OUT), ("gas_kwh", GAS_OUT)):
        require((a[total] - a[months].sum(axis=1)).abs().max() < 1e-3,
                f"{total} is not the sum of its months")

    lines = []

    def line(label, ours, ref, fmt="{:,.0f}"):
        diff = "" if not ref else f"  ({(ours - ref) / ref:+.2%})"
        lines.append(f"  {label:<52} {fmt.format(ours):>16}   ref {fmt.format(ref):>14}{diff}")

    rd = README_TOTALS
    lines.append("City totals against shared/data/chicago-2010/README.md:")
    line("population (2010 Census)", a["population"].sum(), rd["population (2010 Census)"])
    line("census blocks read", res["n_blocks"], rd["census blocks"])
    n_un, tr_un = res["unkeyed_blocks"]
    lines.append(f"  {n_un} blocks (all with 0 residents) lie in tracts outside the City's tract "
                 f"key ({', '.join(tr_un)}): left out")
    line("electricity, block rows (TWh)", comp["electricity_kwh_block_rows"].sum() / 1e9,
         rd["electricity, block rows (TWh)"], "{:.3f}")
    line("electricity, pooled rows (TWh)", comp["electricity_kwh_pooled_row"].sum() / 1e9,
         rd["pooled rows electricity (TWh)"], "{:.3f}")
    line("electricity_kwh = block + pooled (TWh)", a["electricity_kwh"].sum() / 1e9,
         rd["electricity, block + pooled rows (TWh)"], "{:.3f}")
    line("gas, block rows (billion therms)", comp["gas_therms_block_rows"].sum() / 1e9,
         rd["gas, block rows (billion therms)"], "{:.4f}")
    line("gas, pooled rows (billion therms)", comp["gas_therms_pooled_row"].sum() / 1e9,
         rd["pooled rows gas (billion therms)"], "{:.4f}")
    line("gas_kwh / 29.3071 = block + pooled (billion therms)",
         a["gas_kwh"].sum() / KWH_PER_THERM / 1e9, rd["gas, block + pooled rows (billion therms)"],
         "{:.4f}")
    lines.append(f"  {'gas_kwh (TWh)':<52} {a['gas_kwh'].sum() / 1e9:>16.3f}")
    loop = a.loc[a["district_id"] == "32"].iloc[0]
    loop_block = comp.loc[comp["district_id"] == "32", "electricity_kwh_block_rows"].iloc[0]
    line("Loop electricity per resident, block rows (kWh)", loop_block / loop["population"],
         rd["Loop electricity per resident, block rows (kWh)"])
    lines.append(f"  {'Loop electricity per resident, block + pooled (kWh)':<52} "
                 f"{loop['electricity_kwh'] / loop['population']:>16,.0f}")
    per_res_block = comp["electricity_kwh_block_rows"] / a["population"]
    line("median area electricity per resident, block rows", per_res_block.median(),
         rd["median-area electricity per resident, block rows (kWh)"])
    lines.append(f"  {'median area electricity per resident, block + pooled':<52} "
                 f"{(a['electricity_kwh'] / a['population']).median():>16,.0f}")

    city = res["city_row"]
    w = a["population"]
    lines.append("Against the socio-economic file's CHICAGO row (area values weighted by 2010 "
                 "population; an approximation):")
    line("per-capita income (USD)", (a["per_capita_income"] * w).sum() / w.sum(),
         float(city["PER CAPITA INCOME"]))
    if "households" in a:
        hh = a["households"]
        line("poverty, % of households (weighted by est. households)",
             100 * (a["poverty_rate"] * hh).sum() / hh.sum(),
             float(city["PERCENT HOUSEHOLDS BELOW POVERTY"]), "{:.2f}")
        lines.append("Ratio estimates against the 2010 Census (SF1, Chicago city; not in the "
                     "shared README):")
        line("housing_units (estimate)", a["housing_units"].sum(), CENSUS_2010_CITY["housing_units"])
        line("households (estimate)", hh.sum(), CENSUS_2010_CITY["households"])
        line("renter share, city (est. households weighted)",
             (a["renter_share"] * hh).sum() / hh.sum(), 575_998 / 1_045_560, "{:.4f}")

    # The check file (block rows only, no pooled rows): exact agreement expected.
    ids = check.index
    diffs = {
        "TOTAL_KWH vs block rows": (check["TOTAL_KWH"].to_numpy()
                                    - comp["electricity_kwh_block_rows"].to_numpy()),
        "TOTAL_THERMS vs block rows": (check["TOTAL_THERMS"].to_numpy()
                                       - comp["gas_therms_block_rows"].to_numpy()),
        "SQFT_KWH vs block-row ft²": (check["SQFT_KWH"].to_numpy()
                                      - comp["floor_area_ft2_block_rows"].to_numpy()),
        "pop_2010_census vs population": (check["pop_2010_census"].to_numpy()
                                          - a["population"].to_numpy()),
        "per_capita_income_2008_12": (check["per_capita_income_2008_12"].to_numpy()
                                      - a["per_capita_income"].to_numpy()),
        "pct_households_below_poverty / 100": (check["pct_households_below_poverty"].to_numpy() / 100
                                               - a["poverty_rate"].to_numpy()),
        "renter_share_of_occupied": (check["renter_share_of_occupied"].to_numpy()
                                     - a["renter_share"].to_numpy()),
    }
    lines.append("Against chicago_ca77_energy_equity_2010.csv (max abs difference over 77 areas):")
    for label, d in diffs.items():
        worst = float(abs(pd.Series(d)).max())
        lines.append(f"  {label:<52} {worst:>16.6g}")
        tol = 5e-5 if ("share" in label or "poverty" in label) else 0
        require(worst <= tol, f"check file disagrees: {label} ({worst})")
    months = KWH_MONTHS + THERM_MONTHS
    month_block = ej[months].to_numpy(float) - check.loc[ids, months].to_numpy(float)
    lines.append(f"  {'monthly kWh and therms vs block rows':<52} {abs(month_block).max():>16.6g}")
    require(abs(month_block).max() == 0,
            "monthly values of the block rows differ from the check file")
    return lines


# ----------------------------------------------------------------------------- README draft

def readme_draft(res: dict, prov: pd.DataFrame, report: list[str]) -> str:
    a, comp = res["attributes"], res["components"]
    per_res = a["electricity_kwh"] / a["population"]
    loop = per_res[a["district_id"] == "32"].iloc[0]
    pooled_e = comp["electricity_pooled_share"]
    top = comp.nlargest(3, "electricity_pooled_share")
    top_text = ", ".join(f"{r.name} {r.electricity_pooled_share:.0%} "
                         f"({r.electricity_accounts_pooled_row} accounts)" for r in top.itertuples())
    cols = prov[prov["file"] == "attributes.csv"]
    base = cols[~cols["column"].str.match(r".*_kwh_\d\d$")]
    table = "\n".join(f"| `{r.column}` | {r.unit} | {r.year} | {r.method} | {r.caveat} |"
                      for r in base.itertuples())
    aliases = "\n".join(f"| `{alias}` | {n} | {geo} | {seen} |"
                        for alias, n, geo, seen in NAME_ALIASES)
    lacking = [c for c in ("households", "housing_units", "median_household_income",
                           "building_age_years", "stories_mean", "residential_electricity_kwh",
                           "residential_gas_kwh", "roof_area_m2") if c not in a]
    estimated = [c for c in ("households", "housing_units") if c in a]
    gaps = ", ".join(f"`{c}` {a[c].sum():,} vs {CENSUS_2010_CITY[c]:,} "
                     f"({a[c].sum() / CENSUS_2010_CITY[c] - 1:+.1%})" for c in estimated)
    est_text = (f" {' and '.join(f'`{c}`' for c in estimated)} are estimates, not counts: the "
                "2010 population times the ratio of those counts (occupied units per resident, "
                "housing units per resident); city totals against the 2010 Census (SF1): "
                f"{gaps}." if estimated else "")
    e_twh, g_therm = a["electricity_kwh"].sum() / 1e9, a["gas_kwh"].sum() / KWH_PER_THERM / 1e9
    return f"""## Chicago 2010 (real data): `chicago/attributes.csv`

One row per community area (77); `district_id` is the community-area number ("1".."77"), as
in `chicago/districts.geojson`. Built by `python data/build/build_chicago_2010.py --out DIR`
from the files of `shared/data/chicago-2010/`; `columns.csv` beside the table gives every
column's source, URL, year, unit, method and caveat.

### Sources

| source | year | used for |
|---|---|---|
| City of Chicago, *Energy Usage 2010* ([8yq3-m6wp]({URL_ENERGY})), summed per community area by UIC's Electronic Visualization Laboratory (uic-evl/chicago-energy-visualization, commit c810e8c; Trelles et al. 2019), plus the dataset's 77 pooled confidential rows | 2010 | electricity and gas (annual and monthly), floor area, renter share and the ratios behind the housing estimates |
| City of Chicago, *Census Data - Selected socioeconomic indicators in Chicago, 2008-2012* ([kn9c-c2s2]({URL_ACS})), ACS 5-year estimates | 2008-2012 | per-capita income, poverty (and `extra_indicators.csv`) |
| City of Chicago, *Population by 2010 Census Block* ([5yjb-v3mj]({URL_POP})), 2010 Census | 2010 | population: {res['n_blocks']:,} blocks summed per area through the `commarea_n` field of *Boundaries - Census Tracts - 2010* ([5jrd-6zik]({URL_TRACTS})), as shipped in the `chicago` package 0.4.1 (PyPI, MIT) |

Terms: {TERMS}. The UIC repository has no licence file; only data derived from the City's
datasets is used.

### Columns

| column | unit | year | how | caveat |
|---|---|---|---|---|
{table}
| `electricity_kwh_01`..`_12`, `gas_kwh_01`..`_12` | kWh/month | 2010 | monthly values of the same sources (block rows + pooled row), gas × 29.3071 kWh/therm | as the annual columns; each annual total is the sum of its rounded months |

Units: therms → kWh × 29.3071 (1 therm = 100,000 Btu; US EIA, energy conversion);
ft² → m² × 0.09290304 (exact; 1 ft = 0.3048 m, NIST SP 811).

### Decisions and caveats

* **Pooled confidential rows are added to the area totals.** The City did not publish
  the block × building-type rows that had too few accounts; it pooled them into one row per
  community area (no block, no building type). That energy was used inside the area, so
  leaving it out would understate every area, and unevenly. Area totals are block rows +
  pooled row: {e_twh:.2f} TWh of electricity and {g_therm:.3f} billion therms
  ({a['gas_kwh'].sum() / 1e9:.1f} TWh) of gas, the dataset's full totals; without the pooled
  rows the city would be short by 26 % of its electricity and 18 % of its gas. The pooled
  row is {pooled_e.median():.0%} of an area's electricity at the median and up to
  {top_text}; the pooled rows gather the rows with few accounts, which include large
  single users. Where in the area, and in
  which building types, the pooled use lies is unknown; `energy_components.csv` keeps the
  two parts apart.
* **Energy is all building types** (homes, shops, offices, industry); the files have no
  residential split, so `residential_electricity_kwh` and `residential_gas_kwh` are absent
  and the app falls back to the totals. Energy per resident is therefore not household
  energy: {loop:,.0f} kWh of electricity per resident in the Loop, {per_res.median():,.0f} in
  the median area, and an energy burden computed from these totals overstates what
  households pay.
* **Double counts.** The census counts in the energy files (population, units, occupied
  and renter-occupied units) repeat each block on every building-type row and are about 2x
  too high. They are never used as counts: population is the 2010 Census block file summed
  per area, and renter share is a ratio of those counts.{est_text}
* **Periods differ.** Energy and population are 2010; income and poverty are ACS 2008-2012
  5-year estimates (2012 dollars).
* **Poverty is of households.** The source gives the share of households below the federal
  poverty level; the canonical `poverty_rate` describes residents.
* **Floor area** is what the dataset reports for the buildings with electricity accounts
  (block rows + pooled row), not a survey of all floor space, and probably incomplete.
* **Population.** {res['unkeyed_blocks'][0]} blocks, all with 0 residents, lie in tracts
  outside the City's tract list and are left out; a tract crossing a community-area line
  counts wholly in the area of its `commarea_n`.
* **Names.** Every join is on the community-area number, except the pooled rows, which
  carry only a name. Names are compared after case-folding and "_" → " "; the spellings
  that still differ from `districts.geojson` are mapped explicitly (`NAME_ALIASES`):

| source spelling (normalised) | area | `districts.geojson` | seen in |
|---|---|---|---|
{aliases}

### Not in these data

{", ".join(f"`{c}`" for c in lacking)}.

### Checks (build output)

```
{chr(10).join(report)}
```
"""


# ----------------------------------------------------------------------------- main

def find_shared(explicit: Path | None) -> Path:
    for cand in ([explicit] if explicit else list(SHARED_CANDIDATES)):
        if cand and (cand / "README.md").exists():
            return cand
    sys.exit("shared/data/chicago-2010 not found; pass --shared")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder (default %(default)s)")
    parser.add_argument("--shared", type=Path, default=None,
                        help="folder of the shared Chicago 2010 files")
    parser.add_argument("--tracts", type=Path, default=None,
                        help="tract key: census_tracts_as_of_2010.geojson or "
                             "tract_to_community_area.csv (default: the chicago package)")
    parser.add_argument("--no-ratio-estimates", action="store_true",
                        help="leave out housing_units and households (ratio estimates)")
    args = parser.parse_args()

    shared = find_shared(args.shared)
    res = build(shared, args.tracts, ratio_estimates=not args.no_ratio_estimates)
    report = validate(res)

    a = res["attributes"]
    prov = provenance(list(a.columns) + list(res["extra"].columns[1:]))
    args.out.mkdir(parents=True, exist_ok=True)
    a.to_csv(args.out / "attributes.csv", index=False)
    res["extra"].to_csv(args.out / "extra_indicators.csv", index=False)
    res["components"].to_csv(args.out / "energy_components.csv", index=False)
    res["names"].to_csv(args.out / "name_check.csv", index=False)
    res["tract_key"].to_csv(args.out / "tract_to_community_area.csv", index=False)
    prov.to_csv(args.out / "columns.csv", index=False)
    (args.out / "README-draft.md").write_text(readme_draft(res, prov, report), encoding="utf-8")

    names = res["names"]
    aliased = names[names["matched_by"] == "NAME_ALIASES"]
    buf = io.StringIO()
    aliased.groupby(["source_name", "districts_geojson_name"])["source"].apply(
        lambda s: ", ".join(sorted(set(s)))).to_string(buf)
    print(f"shared files: {shared}\ntract key: {res['key_source']}")
    print("names matched: " + ", ".join(f"{k} {v}" for k, v in
                                         names["matched_by"].value_counts().items())
          + " (normalised = case or '_' only; all rows in name_check.csv)")
    print(f"spellings resolved by NAME_ALIASES:\n{buf.getvalue()}")
    print("\n".join(report))
    print(f"wrote {args.out}: attributes.csv ({len(a)} rows x {a.shape[1]} columns), columns.csv, "
          "extra_indicators.csv, energy_components.csv, name_check.csv, "
          "tract_to_community_area.csv, README-draft.md")


if __name__ == "__main__":
    main()
