"""The portal's briefing (core.report.briefing(..., released=...)): with a city whose districts 1
and 4 fall below the release rule's thresholds, neither its HTML nor its PDF text holds their
exact plan figures or names them, its totals are the release's, withheld districts are drawn
as withheld with a legend entry, and a "Small areas" paragraph says how many are withheld
and why; the planner's briefing of the same plan shows them exactly."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import UTC, datetime
from types import SimpleNamespace

import numpy as np
import pytest

from core.models import cross_validation, model_card
from core.models.network import TrainConfig
from core.plan import optimizer, problem, results, scenario
from core.release import release
from core.report import briefing, compose
from core.report import text as fmt
from core.report.inputs import saved_quality
from tests.test_portal_downloads import SECRETS, SMALL, small_city

FAST = TrainConfig(folds=3, max_epochs=60, patience=10, device="cpu")
WHEN = datetime(2025, 5, 4, 9, 30, tzinfo=UTC)
PDFTOTEXT = shutil.which("pdftotext")
PLAN_FIGURES = ("spend_usd", "abatement_t_co2_per_yr", "bill_savings_usd_per_yr")
WITHHELD_NAMES = ("Area 1", "Area 4")


def pdf_text(pdf: bytes) -> str:
    """The PDF's text (poppler's pdftotext), on one line per paragraph."""
    out = subprocess.run([PDFTOTEXT, "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


def secrets_of(table) -> list[str]:
    """The withheld districts' plan figures as the briefing writes them (tables, alt texts)
    and as its cells keep them (``data-value``); short ones (3 digits or fewer) are left out:
    they could be any number of the briefing."""
    rows = table[table["district_id"].isin(SMALL)]
    out = []
    for column in PLAN_FIGURES:
        for v in rows[column]:
            if v > 0:
                out += [fmt.amount(v), f'data-value="{v}"']
    return [s for s in out if len(re.sub(r"\D", "", s)) > 3]


@pytest.fixture(scope="module")
def made():
    city = small_city("Briefed small city")
    ctx = problem.context(city)
    base = scenario.bundled()["justice40"].for_city(city.references)
    res = optimizer.optimize(ctx, [base.replace(budget_usd_per_capita=b, name=n)
                                   for b, n in ((400.0, "High"), (100.0, "Low"))], device="cpu")
    tables = [results.district_table(ctx, res, s) for s in range(2)]
    released = [release(city, t) for t in tables]
    card = model_card.model_card(cross_validation.evaluate(city, FAST), city)
    quality = saved_quality(city)
    exact = briefing(city, ctx, res, quality, card, created=WHEN)
    public = briefing(city, ctx, res, quality, card, created=WHEN, released=released)
    return SimpleNamespace(city=city, ctx=ctx, res=res, tables=tables, released=released,
                           card=card, quality=quality,
                           exact=exact, public=public, exact_html=exact.html().decode(),
                           public_html=public.html().decode())


def test_the_withheld_districts_get_something_in_the_plan(made):
    """The test has teeth: districts 1 and 4 are withheld and the plan spends in them."""
    assert set(made.released[0].withheld_ids("spend_usd")) == set(SMALL)
    assert len(secrets_of(made.tables[0])) >= 4


def test_the_planners_briefing_shows_the_exact_figures(made):
    html = made.exact_html
    assert all(s in html for s in secrets_of(made.tables[0])), secrets_of(made.tables[0])
    assert all(name in html for name in WITHHELD_NAMES)
    assert "small_areas" not in made.exact.sections and 'id="small_areas"' not in html


def test_the_portals_briefing_holds_no_withheld_figure(made):
    html = made.public_html
    found = [s for s in (*secrets_of(made.tables[0]), *secrets_of(made.tables[1]), *SECRETS)
             if s in html]
    assert not found
    assert not [n for n in WITHHELD_NAMES if n in html]


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs poppler-utils' pdftotext")
def test_the_portals_pdf_holds_no_withheld_figure_and_the_planners_does(made):
    public, exact = pdf_text(made.public.pdf()), pdf_text(made.exact.pdf())
    shown = [s for s in secrets_of(made.tables[0]) if not s.startswith("data-value")]
    assert all(s in exact for s in shown)
    assert not [s for s in (*shown, *SECRETS, *WITHHELD_NAMES) if s in public]
    assert "Small areas" in public and "withheld (2 districts)" in public


def test_the_portals_briefing_has_every_section_in_order(made):
    assert made.public.sections == compose.SECTIONS  # two scenarios: with the comparison
    positions = [made.public_html.index(f'<section id="{s}"') for s in compose.SECTIONS]
    assert positions == sorted(positions)


def test_the_totals_are_the_releases(made):
    totals = made.released[0].totals
    spent = fmt.money(totals["spend_usd"].value, "USD")
    exact_spent = fmt.money(made.res.totals(0)["cost_usd"], "USD")
    assert spent != exact_spent
    answer = re.search(r'<section id="answer".*?</section>', made.public_html, re.S).group(0)
    assert spent in answer and exact_spent not in answer
    cards = dict(re.findall(r'data-kpi="([^"]+)" data-value="([^"]+)"', made.public_html))
    assert float(cards["Spent"]) == pytest.approx(totals["spend_usd"].value / 1e6)
    assert float(cards["Bill savings"]) == pytest.approx(
        totals["bill_savings_usd_per_yr"].value / 1e6)
    measures = re.search(r'id="table-measures".*?</table>', made.public_html, re.S).group(0)
    units = [float(v) for v in re.findall(r'<td class="num" data-value="([^"]+)">', measures)[::5]]
    keys = [f"{k}_units" for k in made.res.keys]
    assert units == pytest.approx([totals[k].value for k in keys])


def test_withheld_districts_are_drawn_as_withheld_and_the_paragraph_says_why(made):
    maps = [f for f in made.public.figures if f.key.startswith("map_")]
    assert len(maps) == 2
    for f in maps:
        svg = f.svg.decode()
        assert "withheld (2 districts)" in svg and "#f1b6da" in svg.lower()
        assert "withheld by the release rule" in f.caption and "2 withheld" in f.alt
    small = html.unescape(re.search(r'<section id="small_areas".*?</section>', made.public_html,
                                    re.S).group(0))
    assert "withholds 2 of the city's 9 districts" in small
    assert "fewer than 100 residents" in small and "(2 districts)" in small
    assert "47" not in small and "83" not in small  # the districts' own counts
    assert 'href="http://localhost:8501/methods"' in small
    top = re.search(r'id="table-top".*?</table>', made.public_html, re.S).group(0)
    assert "the 2 withheld are not listed" in made.public_html and "Area 1" not in top


def test_one_release_per_scenario_is_required(made):
    with pytest.raises(ValueError, match="one release per scenario"):
        briefing(made.city, made.ctx, made.res, saved_quality(made.city),
                 {"targets": {}}, released=made.released[:1])


def test_nothing_withheld_says_so_and_shows_every_district(made):
    """A rule every district passes: the briefing's figures are the planner's."""
    from core.release.rule import ReleaseRule

    rule = ReleaseRule(min_population=1, min_households=1)
    passed = [release(made.city, t, rule) for t in made.tables]
    assert not np.any([p.withheld[list(p.figures)].to_numpy().any() for p in passed])
    quality = saved_quality(made.city)
    card = model_card.model_card(cross_validation.evaluate(made.city, FAST), made.city)
    html = briefing(made.city, made.ctx, made.res, quality, card, created=WHEN,
                    released=passed).html().decode()
    assert all(s in html for s in secrets_of(made.tables[0]))
    assert "All of the city&#39;s 9 districts pass it" in html


def test_with_noise_the_totals_are_the_noised_ones_and_the_paragraph_says_so(made):
    from core.release.rule import from_dict
    from core.store import Store
    from core.store.ledger import PrivacyLedger

    rule = from_dict({"privacy": {"epsilon": 0.5, "budget": 2, "bounds": {
        "spend_usd": 100000, "abatement_t_co2_per_yr": 50, "bill_savings_usd_per_yr": 10000}}})
    with Store.open() as store:
        noised = [release(made.city, t, rule, what=f"plan {i}", ledger=PrivacyLedger(store))
                  for i, t in enumerate(made.tables)]
    html = briefing(made.city, made.ctx, made.res, made.quality, made.card, created=WHEN,
                    released=noised).html().decode()
    cards = dict(re.findall(r'data-kpi="([^"]+)" data-value="([^"]+)"', html))
    assert float(cards["Spent"]) == pytest.approx(noised[0].totals["spend_usd"].value / 1e6)
    assert "with Laplace noise from the city" in html
    assert not [s for s in secrets_of(made.tables[0]) if s in html]
