"""The policy briefing (core.report): every section, core's figures, images with alt text, a
valid A4 PDF with extractable text, and nothing fetched."""

from __future__ import annotations

import dataclasses
import re
import shutil
import socket
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from core import footprint, methods, paths
from core.intake import reference_values
from core.intake.city import default_city, load_city, validate_city
from core.models import cross_validation, model_card, predicted
from core.models.network import TrainConfig
from core.plan import lab, optimizer, problem, results, scenario
from core.report import assumptions, briefing, identity, render, summary
from core.report import compose as report
from core.report import text as fmt
from core.report.plans import plans

#: a short cross-validation: the card's shape, not its accuracy, is under test here
FAST = TrainConfig(folds=3, max_epochs=150, patience=20, device="cpu")
WHEN = datetime(2025, 5, 4, 9, 30, tzinfo=UTC)
PDFINFO, PDFTOTEXT = shutil.which("pdfinfo"), shutil.which("pdftotext")
A4_PT = (595.28, 841.89)


def _card(city):
    return model_card.model_card(cross_validation.evaluate(city, FAST), city)


@pytest.fixture(scope="module")
def made():
    """The default city's briefing of Justice40, compared with Business as usual."""
    city = default_city()
    quality = validate_city(paths.DEFAULT_BOUNDARIES, paths.DEFAULT_ATTRIBUTES).report
    ctx = problem.context(city)
    bundled = scenario.bundled()
    res = optimizer.optimize(ctx, [bundled["justice40"], bundled["business_as_usual"]],
                             device="cpu")
    card = _card(city)
    brief = briefing(city, ctx, res, quality, card, created=WHEN)
    return SimpleNamespace(city=city, quality=quality, ctx=ctx, res=res, card=card, brief=brief,
                           html=brief.html().decode())


@pytest.fixture(scope="module")
def pdf(made):
    return made.brief.pdf()


class Elements(HTMLParser):
    """Every start tag with its attributes, and each element's text by its id."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict, tuple[str, ...]]] = []  # tag, attrs, open ancestors
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs), tuple(self.stack)))
        if tag not in ("img", "meta", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass


def parsed(html: str) -> Elements:
    p = Elements()
    p.feed(html)
    return p


def table_values(html: str, key: str) -> list[list[float | None]]:
    """The numbers (data-value) of each row of the table ``key``, in order."""
    body = re.search(rf'<table class="data[^"]*" id="table-{key}".*?<tbody>(.*?)</tbody>', html,
                     re.S).group(1)
    return [[float(v) for v in re.findall(r'data-value="([^"]*)"', row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def table_cells(html: str, key: str) -> list[list[str]]:
    """The text of each cell of the table ``key``, row by row."""
    body = re.search(rf'<table class="data[^"]*" id="table-{key}".*?<tbody>(.*?)</tbody>', html,
                     re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row,
                                                                     re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


# ----------------------------------------------------------------------------- content

def test_every_section_is_there_in_order(made):
    expected = tuple(s for s in report.SECTIONS if s != "small_areas")  # the portal's only
    assert made.brief.sections == expected
    positions = [made.html.index(f'<section id="{s}"') for s in expected]
    assert positions == sorted(positions)


def test_the_kpi_cards_are_cores_figures(made):
    kpis = lab.kpis(made.ctx, made.res, 0)
    cards = re.findall(r'data-kpi="([^"]+)" data-value="([^"]+)"', made.html)
    assert [c[0] for c in cards] == [k.label for k in kpis]
    for (_, value), k in zip(cards, kpis, strict=True):
        assert float(value) == k.value
        assert f'<div class="card-value">{fmt.figure(k.value)}</div>' in made.html
        assert f'<div class="card-unit">{k.unit}</div>' in made.html


def test_the_answer_states_cores_figures(made):
    kpis = {k.label: k for k in lab.kpis(made.ctx, made.res, 0)}
    t = made.res.totals(0)
    answer = summary.answer(made.ctx, plans(made.ctx, [made.res], "x")[0])
    assert len(answer) == 3
    assert fmt.figure(-kpis["Emissions"].delta) in answer[0]
    assert fmt.money(t["cost_usd"], t["currency"]) in answer[1]
    assert fmt.figure(kpis["To disadvantaged"].value) in answer[1]
    assert fmt.figure(kpis["Energy burden"].value) in answer[2]
    for line in answer:
        assert line in made.html


def test_the_tables_hold_cores_figures(made):
    measures = results.by_intervention(made.ctx, made.res, 0)
    got = np.array(table_values(made.html, "measures"))
    want = measures[["units", "spend_usd", "abatement_t_co2_per_yr", "potential_t_co2_per_yr",
                     "mac_usd_per_t"]].to_numpy(dtype=float)
    np.testing.assert_array_equal(got, want)
    quintiles = results.burden_by_quintile(made.ctx, made.res, 0)
    got = np.array(table_values(made.html, "quintiles"))
    np.testing.assert_array_equal(got[:, 0], quintiles["burden_before"])
    np.testing.assert_array_equal(got[:, 1], quintiles["burden_after"])
    top = table_values(made.html, "top")
    districts = results.district_table(made.ctx, made.res, 0)
    assert [r[0] for r in top] == sorted(districts["spend_usd"], reverse=True)[:len(top)]


def test_the_comparison_gives_each_kpi_and_its_difference(made):
    main, other = (lab.kpis(made.ctx, made.res, s) for s in (0, 1))
    rows = table_values(made.html, "compare_kpis")
    for row, k0, k1 in zip(rows, main, other, strict=True):
        assert row == [k0.value, k1.value, k1.value - k0.value]
    header = re.search(r'id="table-compare_kpis".*?<thead>(.*?)</thead>', made.html, re.S).group(1)
    assert "Justice40" in header and "Business as usual" in header and "difference" in header
    differ = [r[0] for r in table_cells(made.html, "compare_parameters")]
    assert "Budget per resident" in differ and "Horizon year" not in differ


def test_every_scenario_parameter_has_a_unit_and_a_source(made):
    fields = assumptions.parameter_fields()
    assert set(fields) == set(scenario.Scenario.model_fields) - {"name", "description"}
    assert set(fields) <= set(assumptions.FIELD_LABELS)  # a new field fails here until labelled
    rows = table_cells(made.html, "parameters")
    assert [r[0] for r in rows] == [assumptions.FIELD_LABELS[f] for f in fields]
    for label, value, unit, source in rows:
        assert value and unit and source, label
    by_label = {r[0]: r for r in rows}
    assert by_label["Budget per resident"][2] == "USD per resident"
    assert "Bureau of Labor Statistics" in by_label["Electricity price"][3]


def test_every_reference_value_is_listed_with_its_source(made):
    refs = made.city.references
    rows = table_cells(made.html, "reference")
    listed = [e for e in refs.entries if not e.name.startswith(reference_values.COST_PREFIX)]
    assert len(rows) == len(listed) + 1  # and the horizon's grid factor
    for row, e in zip(rows, listed, strict=False):
        assert row[1] == e.text and row[2] == e.unit and e.source in row[3]
    costs = table_values(made.html, "interventions")
    np.testing.assert_allclose([r[0] for r in costs],
                               [refs.cost(k) for k in made.ctx.catalogue.index])


def test_data_and_model_sections_come_from_core(made):
    assert f"{made.quality.score:.0f} / 100" in made.html
    for caption in (e.caption() for e in made.city.estimates.values()):
        assert caption.replace("'", "&#39;") in made.html
    metrics = table_values(made.html, "metrics")
    card_rows = [m for t in made.card["targets"].values() for m in t["metrics"].values()]
    assert [r[0] for r in metrics] == [m["cv_rmse"] for m in card_rows]
    for t in made.card["targets"].values():
        assert t["verdict"]["band"] in made.html


def test_the_computings_footprint_is_beside_the_abatement_it_buys(made):
    """The solve's and the training's energy and CO2, with how they were obtained."""
    t = made.res.totals(0)
    solve = footprint.beside_abatement("This plan&#39;s solve", t["compute_energy_wh"],
                                       t["compute_co2_g"], t["compute_footprint_method"],
                                       t["abatement_t_co2_per_yr"])
    assert solve in made.html and "t CO2/yr" in solve
    assert model_card.computation_text(made.card).startswith("Training and cross-validation")
    assert model_card.computation_text(made.card) in made.html


def test_the_methods_appendix_holds_every_note(made):
    for title, _ in methods.SECTIONS:
        assert f"<h3>{title}</h3>" in made.html
    assert "<h5>Checks</h5>" in made.html  # the notes' own headings sit below the appendix's
    assert ":mod:" not in made.html


def test_images_have_alt_text_and_captions_and_fetch_nothing(made):
    p = parsed(made.html)
    images = [(a, anc) for tag, a, anc in p.tags if tag == "img"]
    assert len(images) == len(made.brief.figures) == 5
    for attrs, ancestors in images:
        assert attrs["src"].startswith("data:image/svg+xml;base64,")
        assert len(attrs.get("alt", "")) > 60 and "figure" in ancestors
    captions = [a for tag, a, anc in p.tags if tag == "figcaption"]
    assert len(captions) == len(images)
    for _tag, attrs, _ in p.tags:  # nothing points outside the document
        for name in ("src", "href"):
            url = attrs.get(name, "")
            assert not url or url.startswith(("data:", "#", "http://localhost")), url
    assert "<link" not in made.html and "@import" not in made.html and "url(" not in made.html


def test_the_figures_are_valid_svg_with_text_and_the_alt_names_the_largest(made):
    table = results.district_table(made.ctx, made.res, 0)
    top = table.sort_values("spend_usd", ascending=False).iloc[0]
    for f in made.brief.figures:
        root = ET.fromstring(f.svg)
        assert root.tag.endswith("svg")
        assert "<text" in f.svg.decode()  # text stays text: searchable, rendered by the fonts
    spending = made.brief.figures[0]
    assert spending.key == "map_spending"
    assert top["name"] in spending.alt and "disadvantaged" in spending.alt
    assert "disadvantaged district" in spending.svg.decode()


def test_a_name_is_text_not_markup(made):
    city = dataclasses.replace(made.city, name='<script>alert("x")</script> & Co')
    html = briefing(city, made.ctx, made.res, made.quality, made.card, created=WHEN).html().decode()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_scenario_hash_is_stable_and_tells_inputs_apart(made):
    sc = made.res.scenarios[0]
    h = identity.scenario_hash(sc, "f" * 64)
    assert h == identity.scenario_hash(sc.replace(name="Renamed"), "f" * 64)
    assert len(h) == identity.HASH_LENGTH
    assert h != identity.scenario_hash(sc.replace(budget_usd_per_capita=101), "f" * 64)
    assert h != identity.scenario_hash(sc, "e" * 64)
    assert made.brief.scenario_hash in made.html


def test_the_permalink_needs_both_ids_and_uses_the_base_url(made):
    assert identity.permalink("https://gp.example.org/app/", None, "abc") is None
    assert identity.permalink("https://gp.example.org/app/", "c1", None) is None
    assert identity.permalink("https://gp.example.org/app/?x=1", "c 1", "s&2") == \
        "https://gp.example.org/app/?city=c+1&scenario=s%262"
    assert made.brief.permalink is None and "none yet" in made.html
    linked = briefing(made.city, made.ctx, made.res, made.quality, made.card, created=WHEN,
                      city_id="0123456789abcdef", scenario_ids=["a1b2c3d4e5f6"],
                      base_url="https://gp.example.org/")
    assert linked.permalink == "https://gp.example.org/?city=0123456789abcdef&scenario=a1b2c3d4e5f6"
    assert linked.permalink.replace("&", "&amp;") in linked.html().decode()


def test_an_empty_plan_says_there_is_none(made):
    sc = scenario.bundled()["justice40"].replace(budget_usd_per_capita=0)
    res = optimizer.optimize(made.ctx, sc, device="cpu")
    brief = briefing(made.city, made.ctx, res, made.quality, made.card, created=WHEN)
    assert res.status[0] == "no budget"
    html = brief.html().decode()
    assert "There is no plan to fund (no budget)" in html
    assert "comparison" not in brief.sections


def test_more_than_four_scenarios_are_refused(made):
    sc = scenario.bundled()["justice40"]
    res = optimizer.optimize(made.ctx, [sc.replace(budget_usd_per_capita=b) for b in range(5)],
                             device="cpu")
    with pytest.raises(ValueError, match="at most 4"):
        briefing(made.city, made.ctx, res, made.quality, made.card)


def test_a_city_in_pounds_is_briefed_in_pounds(made):
    refs = reference_values.read(paths.DATA_DIR / "examples" / "references_uk.csv")
    city = made.city.with_references(refs)
    ctx = problem.context(city)
    res = optimizer.optimize(ctx, scenario.bundled()["justice40"], device="cpu")
    html = briefing(city, ctx, res, made.quality, made.card, created=WHEN).html().decode()
    assert "£" in html and "GBP per resident" in html and "M GBP" in html
    assert "$" not in re.sub(r"<section id=\"methods\".*", "", html, flags=re.S)


# ----------------------------------------------------------------------------- no data, predicted

def test_districts_without_data_and_predicted_ones_are_counted_and_drawn():
    table = pd.read_csv(paths.DEFAULT_ATTRIBUTES)
    ids = table["district_id"].astype(str)
    without = ids.iloc[:3].tolist()
    table = table[~ids.isin(without)].copy()
    unobserved = table.index[:2]
    table.loc[unobserved, "electricity_kwh"] = np.nan
    city = predicted.with_predictions(load_city(paths.DEFAULT_BOUNDARIES, table), FAST)
    assert city.n_without_data == 3 and predicted.counts(city) == {"electricity_kwh": 2}
    quality = validate_city(paths.DEFAULT_BOUNDARIES, table).report
    ctx = problem.context(city)
    res = optimizer.optimize(ctx, scenario.bundled()["justice40"], device="cpu")
    brief = briefing(city, ctx, res, quality, _card(city), created=WHEN)
    html = brief.html().decode()
    assert "3 without data" in html and predicted.summary(city) in html
    spending = brief.figures[0]
    assert "3 without data are grey" in spending.alt and "2 with predicted energy" in spending.alt
    svg = spending.svg.decode()
    assert "no data (3 districts)" in svg and "predicted (2 districts)" in svg
    assert "Grey: no data" in spending.caption and "Hatched" in spending.caption


# ----------------------------------------------------------------------------- PDF

def test_the_pdf_is_a_pdf(pdf):
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


@pytest.mark.skipif(PDFINFO is None or PDFTOTEXT is None, reason="needs poppler-utils")
def test_the_pdf_is_a4_with_numbered_pages_and_searchable_text(made, pdf, tmp_path):
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    info = subprocess.run([PDFINFO, str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert 8 <= pages <= 30
    assert (round(width), round(height)) == tuple(round(x) for x in A4_PT)
    assert "Justice40" in re.search(r"Title:\s+(.*)", info).group(1)
    text = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert text.count("\f") >= pages - 1
    flat = " ".join(text.split())
    for needle in ("The question", "The answer", "Headline figures", "Where the money goes",
                   "Who benefits", "Assumptions", "The data and its quality",
                   "The energy model and how well it validated", "Comparison of scenarios",
                   "Reproduce this briefing", "Appendix: methods", made.brief.scenario_hash,
                   "disadvantaged district"):  # the last from inside a map: SVG text is text
        assert needle.lower() in flat.lower(), needle


# ----------------------------------------------------------------------------- offline

def test_the_fetcher_serves_data_uris_and_refuses_everything_else(monkeypatch):
    connects = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: connects.append(a))
    pixel = ("data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHd"
             "pZHRoPSIxMCIgaGVpZ2h0PSIxMCIvPg==")
    html = ('<html><head><link rel="stylesheet" href="https://fonts.example.org/a.css">'
            '<style>@import url("http://example.org/b.css"); '
            '@font-face { font-family: X; src: url("https://example.org/x.woff2"); }</style>'
            '</head><body style="font-family: X"><p>text</p>'
            '<img src="http://example.org/tracker.png" alt="a"> '
            '<img src="file:///etc/passwd" alt="b"> '
            f'<img src="{pixel}" alt="c"></body></html>')
    fetcher = render.offline_fetcher()
    out = render.pdf(html, fetcher)
    assert out.startswith(b"%PDF-")
    assert set(fetcher.refused) == {"https://fonts.example.org/a.css", "http://example.org/b.css",
                                    "https://example.org/x.woff2",
                                    "http://example.org/tracker.png", "file:///etc/passwd"}
    assert connects == []


def test_a_briefing_asks_for_nothing_outside_itself(made, monkeypatch):
    connects = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: connects.append(a))
    fetcher = render.offline_fetcher()
    render.pdf(made.brief.document, fetcher)
    assert fetcher.refused == [] and connects == []
