"""AppTest: the Energy model page and the Scenario lab on a city whose energy is missing for
some districts with data: the model predicts them, the pages say so, the lab can leave them
out; the Energy model page's tables show no bare missing value and its card is built once."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.intake.city import City, default_city
from dashboard import keys, nav
from dashboard.energy_model import results
from tools.apptest import maps, open_app

MISSING = ("8", "32", "28", "5")  # districts with data but no observed electricity or gas


@pytest.fixture(scope="module")
def gappy() -> City:
    city = default_city()
    d = city.districts.copy()
    d.loc[d["district_id"].isin(MISSING), ["electricity_kwh", "gas_kwh"]] = np.nan
    return replace(city, districts=d, name="Chicago with unobserved energy")


def badge(at) -> str:
    return " ".join(str(h.proto) for h in at.get("html"))


def features(at) -> list[dict]:
    return maps(at)[0]["properties"]


def page_tables(at) -> list:
    """The page's own tables, not the map's text alternative ("Map as a table": District,
    Id, value, Class; core.assess.summary)."""
    return [frame for frame in at.dataframe if "Class" not in frame.value.columns]


def test_energy_model_page_marks_the_predicted_districts(gappy):
    at = open_app(nav.ENERGY_MODEL, city=gappy, timeout_s=300)
    assert not at.exception
    assert any(f"{len(MISSING)} districts predicted, not observed" in m.value for m in at.info)
    table = page_tables(at)[1].value  # predictions per district
    shown = table.set_index("district_id").loc[list(MISSING), "energy"]
    assert shown.str.startswith("predicted, 90 % interval").all()
    assert table.set_index("district_id").loc[list(MISSING), "electricity_kwh_observed"].isna().all()
    # the residual map outlines them, with its legend entry
    ids = [p["district_id"] for p in features(at)]
    assert sorted(ids[i] for i in maps(at)[0]["outlined"]) == sorted(MISSING)
    tips = {p["district_id"]: p["energy"] for p in features(at)}
    assert all(tips[i].startswith("predicted") for i in MISSING)


def test_scenario_lab_uses_predictions_and_can_leave_them_out(gappy):
    at = open_app(nav.SCENARIO_LAB, city=gappy, timeout_s=300)
    assert not at.exception
    assert f"{len(MISSING)} districts predicted, not observed" in badge(at)
    toggle = at.toggle(key=keys.LAB_USE_PREDICTED)
    assert toggle.value is True
    assert toggle.label == f"Use predicted energy for {len(MISSING)} districts without observations"
    at.toggle(key=keys.LAB_USE_PREDICTED).set_value(False).run()
    assert not at.exception, [e.message for e in at.exception]
    assert "predicted, not observed (left out)" in badge(at)
    spend = {p["district_id"]: p["value_text"] for p in features(at)}
    assert all(spend[i] in ("0", "no data") for i in MISSING), [spend[i] for i in MISSING]
    assert any(v not in ("0", "no data") for v in spend.values())


def test_energy_model_tables_show_a_dash_not_none_where_a_value_is_missing():
    at = open_app(nav.ENERGY_MODEL, timeout_s=300)
    scores, _, split = (frame.value for frame in page_tables(at))
    assert scores["coverage_90_pct"].isna().any()  # the baselines give no interval
    assert split.isna().any().any()  # gas has no cooling term
    assert [frame.proto.placeholder for frame in page_tables(at)] == ["–"] * 3
    captions = " ".join(c.value for c in at.caption)
    assert "– in the coverage column: the baselines give no interval" in captions


def test_the_model_card_is_built_once_per_model(monkeypatch):
    calls = []
    real = results.model_card_markdown
    monkeypatch.setattr(results, "model_card_markdown", lambda card: calls.append(1) or real(card))
    at = open_app(nav.ENERGY_MODEL, timeout_s=300)
    built = len(calls)
    assert built <= 1  # 0 when an earlier test in this process already built it
    at.radio(key=keys.MODEL_TARGET).set_value("gas_kwh").run()
    at.run()
    assert not at.exception
    assert len(calls) == built
