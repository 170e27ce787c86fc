"""``python -m core report``: both formats, saved cities and scenarios with their permalink,
and bad input that exits with a message, never a traceback."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from core import paths
from core.cli import app
from core.intake.city import default_city
from core.models.energy import CARD_JSON, EnergyModel
from core.models.network import TrainConfig
from core.plan.scenario import SCENARIO_DIR
from core.settings import get_settings

runner = CliRunner()
J40 = str(SCENARIO_DIR / "justice40.json")
BAU = str(SCENARIO_DIR / "business_as_usual.json")
FAST = TrainConfig(folds=3, max_epochs=150, patience=20, device="cpu")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A model of the bundled city saved by ``train`` (a short training: its card is what the
    briefing reads)."""
    folder = tmp_path_factory.mktemp("model")
    EnergyModel(FAST).fit(default_city()).save(folder)
    return folder


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    """An empty store in a temporary folder (GREENPRINT_DATA_DIR)."""
    folder = tmp_path / "store"
    monkeypatch.setenv("GREENPRINT_DATA_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def run(*args):
    return runner.invoke(app, ["report", *map(str, args)])


def test_writes_a_pdf_and_an_html_briefing(tmp_path, model_dir):
    pdf, html = tmp_path / "brief.pdf", tmp_path / "brief.html"
    r = run("--scenario", J40, "--compare", BAU, "--model", model_dir, "--device", "cpu",
            "--out", pdf, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["status"] == "ok" and out["bytes"] == pdf.stat().st_size
    assert "comparison" in out["sections"] and out["permalink"] is None
    assert re.fullmatch(r"[0-9a-f]{16}", out["scenario_hash"])
    assert pdf.read_bytes().startswith(b"%PDF-")
    r = run("--scenario", J40, "--model", model_dir, "--out", html)
    assert r.exit_code == 0, r.output
    assert f"wrote {html}" in r.output and out["scenario_hash"] in r.output
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and 'id="comparison"' not in text
    assert out["scenario_hash"] in text  # the same scenario on the same city: the same hash
    assert not list(tmp_path.glob(".brief*"))  # no temporary file left behind


@pytest.mark.slow
def test_without_a_saved_model_it_cross_validates(tmp_path):
    out = tmp_path / "brief.html"
    r = run("--scenario", J40, "--out", out, "--device", "cpu")
    assert r.exit_code == 0, r.output
    assert "Cross-validated accuracy" in out.read_text(encoding="utf-8")


def test_a_saved_city_and_scenario_give_the_permalink(tmp_path, model_dir, store_dir):
    from core.plan import optimizer, problem, scenario
    from core.store import Store

    city = default_city()
    with Store.open() as store:
        city_id = store.save_city(city)
        sc = scenario.load(J40)
        scenario_id = store.save_scenario(city_id, sc, optimizer.optimize(
            problem.context(city), sc, device="cpu"), name="Council option A")
    out = tmp_path / "saved.html"
    r = run("--scenario", scenario_id, "--model", model_dir, "--out", out,
            "--base-url", "https://greenprint.example.org/", "--json")
    assert r.exit_code == 0, r.output
    link = f"https://greenprint.example.org/?city={city_id}&scenario={scenario_id}"
    assert json.loads(r.stdout)["permalink"] == link
    assert link.replace("&", "&amp;") in out.read_text(encoding="utf-8")
    r = run("--city", city_id, "--scenario", J40, "--compare", scenario_id, "--model",
            model_dir, "--out", out, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["permalink"] is None  # the first scenario is a file
    r = run("--city", "ffffffffffffffff", "--scenario", J40, "--out", out)
    assert r.exit_code == 2 and "no saved city" in r.output
    r = run("--city", "ffffffffffffffff", "--scenario", scenario_id, "--out", out)
    assert r.exit_code == 2 and f"belong to the city {city_id}" in r.output


def _retrained_elsewhere(model_dir, tmp_path):
    other = tmp_path / "other-model"
    shutil.copytree(model_dir, other)
    card = json.loads((other / CARD_JSON).read_text())
    card["data"]["city"] = "Springfield"
    (other / CARD_JSON).write_text(json.dumps(card))
    return other


@pytest.mark.parametrize("args, message", [
    (["--scenario", "missing.json", "--out", "{tmp}/b.pdf"], "scenario file not found"),
    (["--scenario", J40, "--out", "{tmp}/b.docx"], "end the file name in .pdf or .html"),
    (["--scenario", J40, "--out", "{tmp}/no/such/folder/b.pdf"], "does not exist"),
    (["--scenario", J40, "--out", "{tmp}"], "is a folder"),
    (["--scenario", J40, "--compare", BAU, "--compare", BAU, "--compare", BAU, "--compare", BAU,
      "--out", "{tmp}/b.pdf"], "at most 3"),
    (["--scenario", J40, "--out", "{tmp}/b.pdf", "--device", "tpu"], "auto, cpu, cuda"),
    (["--scenario", J40, "--out", "{tmp}/b.pdf", "--model", "{tmp}"],
     "does not hold a saved energy model"),
    (["--scenario", J40, "--out", "{tmp}/b.pdf", "--model", "{other}"], "was trained on"),
    ([str(paths.DEFAULT_BOUNDARIES), "--city", "0123456789abcdef", "--scenario", J40, "--out",
      "{tmp}/b.pdf"], "not both"),
    (["--scenario", "0123456789ab", "--out", "{tmp}/b.pdf"], "no saved scenario has the id"),
])
def test_bad_input_exits_2_with_a_message_and_no_traceback(args, message, tmp_path, model_dir,
                                                           store_dir):
    other = _retrained_elsewhere(model_dir, tmp_path)
    argv = [a.format(tmp=tmp_path, other=other) for a in args]
    r = run(*argv)
    assert r.exit_code == 2, r.output
    assert message in r.output and "Traceback" not in r.output
    assert not list(tmp_path.glob("b.*"))
    r = run(*argv, "--json")
    assert r.exit_code == 2 and message in json.loads(r.stdout)["message"]


def test_a_city_with_blocking_problems_exits_1(tmp_path, grid4):
    boundaries = tmp_path / "grid.geojson"
    grid4.to_file(boundaries)
    attrs = tmp_path / "a.csv"
    attrs.write_text("district_id,population,electricity_kwh,gas_kwh\n1,-5,1,1\n2,1,1,1\n"
                     "3,1,1,1\n4,1,1,1\n")
    r = run(boundaries, "--attributes", attrs, "--scenario", J40, "--out", tmp_path / "b.pdf")
    assert r.exit_code == 1, r.output
    assert "population" in r.output and "Traceback" not in r.output
