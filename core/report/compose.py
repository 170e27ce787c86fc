"""A policy briefing of a plan: what was asked, what the plan does, for whom, on what
assumptions and data, with which model, and how to reproduce it.

:func:`briefing` gathers every figure from core (``core.plan.lab.kpis``,
``core.plan.results``, the quality report, the model card, the city's reference values,
the Methods notes) into a :class:`Briefing`, a self-contained HTML document (inline styles
and images: it fetches nothing) that :meth:`Briefing.pdf` prints to A4 with WeasyPrint.
A briefing of several plans adds a comparison with the first (KPIs and their
differences, the parameters that differ, abatement by intervention). Money is in the
city's currency throughout: the code in units and headers, the symbol in sentences.

The parts: :mod:`core.report.plans` (the plans and core's tables of them),
:mod:`core.report.summary` (the first page in words), :mod:`core.report.charts` (maps and
charts), :mod:`core.report.sections` (spending, measures, equity, data, model,
comparison), :mod:`core.report.assumptions` (every parameter and reference value).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata

from core import i18n, methods
from core.intake.city import City
from core.intake.quality import QualityReport
from core.plan.problem import CityContext
from core.plan.results import Result
from core.release import Released
from core.report import assumptions, charts, figures, identity, render, sections, summary
from core.report import text as fmt
from core.report import withheld as public
from core.report.plans import plans
from core.settings import get_settings
from core.store.fingerprint import fingerprint as city_fingerprint

#: the sections of every briefing, in order (``comparison`` only with two plans or more,
#: ``small_areas`` only on the portal's, with ``released``)
SECTIONS = ("question", "answer", "kpis", "glance", "small_areas", "maps", "measures", "equity",
            "assumptions", "data", "model", "comparison", "reproduce", "methods")
#: the sections that only some briefings have: a comparison, and the portal's small areas
OPTIONAL = ("comparison", "small_areas")
MAX_PLANS = 4  # a briefing compares at most this many scenarios (tables fit A4)


@dataclass(frozen=True)
class Briefing:
    """A rendered briefing: the HTML document, and what it is of."""

    title: str
    created: datetime
    scenario_hash: str
    permalink: str | None
    sections: tuple[str, ...]
    figures: tuple[figures.Figure, ...]
    document: str

    def html(self) -> bytes:
        """The briefing as one self-contained HTML file (UTF-8)."""
        return self.document.encode("utf-8")

    def pdf(self) -> bytes:
        """The briefing printed to A4 PDF (WeasyPrint; nothing is fetched)."""
        return render.pdf(self.document)


def briefing(city: City, ctx: CityContext, result: Result, quality: QualityReport, card: dict,
             *, compare: Sequence[Result] = (), city_id: str | None = None,
             scenario_ids: Sequence[str | None] = (), base_url: str | None = None,
             created: datetime | None = None,
             released: Sequence[Released] | None = None) -> Briefing:
    """The briefing of ``result``'s first scenario for ``city``.

    ``ctx``: the optimizer's context of ``city`` (:func:`core.plan.problem.context`), on
    which ``result`` was solved; ``quality``: the city's quality report
    (``validate_city(...).report``); ``card``: the energy model's card
    (:func:`core.models.model_card.model_card`, or a saved model's); ``compare``: results
    whose scenarios are compared with the first (``result``'s other scenarios are too; at
    most :data:`MAX_PLANS` in all); ``city_id``, ``scenario_ids``: ids in the store, the
    latter in the order of the scenarios, for the permalink; ``base_url``: the app's
    address (default ``GREENPRINT_BASE_URL``); ``created``: the date printed (default now).

    ``released``: the public portal's briefing, one release per scenario in the same order
    (:func:`core.release.release` of its :func:`core.plan.results.district_table`): every
    per-district figure (maps, tables, districts named in the text) is a released one, the
    withheld districts drawn in the withheld colour; the totals are the releases'; a "Small
    areas" paragraph says how many districts are withheld and under which rule. None (the
    planner's): exact figures.

    Raises ValueError for more than :data:`MAX_PLANS` scenarios, or ``released`` not holding
    one release of a plan's figures per scenario.
    """
    fingerprint = city_fingerprint(city)
    all_plans = plans(ctx, [result, *compare], fingerprint, scenario_ids, released)
    if len(all_plans) > MAX_PLANS:
        raise ValueError(f"a briefing compares at most {MAX_PLANS} scenarios, got "
                         f"{len(all_plans)}")
    main = all_plans[0]
    created = (created or datetime.now(UTC)).astimezone(UTC)
    base = base_url or get_settings().base_url
    link = identity.permalink(base, city_id, main.store_id)
    maps_ = charts.plan_figures(city, ctx, main)
    measure_chart, burden_chart = charts.measure_chart(main), charts.burden_chart(main)
    compared = sections.comparison(ctx, all_plans) if len(all_plans) > 1 else None
    figs = [f for f in (*maps_, measure_chart, burden_chart,
                        *(compared["figures"] if compared else [])) if f is not None]
    small_areas = (public.section(main.withheld, city.n, base) if main.withheld is not None
                   else None)
    shown = tuple(s for s in SECTIONS if s not in OPTIONAL
                  or {"comparison": compared, "small_areas": small_areas}[s])
    doc = {
        "title": main.scenario.name, "city": city.name, "created": created,
        "date": fmt.day(created), "stamp": f"{created:%Y-%m-%d %H:%M} UTC",
        "version": _version(), "hash": main.hash, "permalink": link,
        "question": summary.question(city, ctx, main), "answer": summary.answer(ctx, main),
        "kpi_text": summary.kpi_text(main.kpis),
        # the solver's note quotes sums over every district: not on the portal's briefing
        "message": None if main.withheld is not None and main.withheld.n
        else main.totals["message"],
        "glance": summary.glance(city, quality, card, main),
        "maps": maps_, "top": sections.top_districts(main),
        "measures": sections.measures(ctx, main), "measure_chart": measure_chart,
        "equity": sections.equity_outcomes(city, ctx, main, burden_chart),
        "assumptions": assumptions.assumptions(ctx, main),
        "data": sections.data_section(city, quality), "model": sections.model_section(card),
        "comparison": compared, "small_areas": small_areas,
        "reproduce": {"hash": main.hash, "scenario_id": main.scenario.id,
                      "fingerprint": fingerprint, "city_id": city_id,
                      "scenario_store_id": main.store_id, "base_url": base,
                      "scenario_json": main.scenario.to_json()},
        "methods": list(_methods(i18n.language())),
        "numbers": {f.key: n for n, f in enumerate(figs, start=1)},  # figures in page order
    }
    return Briefing(main.scenario.name, created, main.hash, link, shown, tuple(figs),
                    render.html(doc))


@lru_cache(maxsize=len(i18n.LANGUAGES))
def _methods(lang: str) -> tuple[tuple[str, str, bool], ...]:
    """The Methods appendix in ``lang``: (title, HTML, in English though ``lang`` is not) of
    each Methods note, read and rendered once per process and language (the notes are the
    computing modules' docstrings, which do not change while it runs)."""
    return tuple((note.title, render.markdown(note.text), note.language != lang)
                 for note in methods.notes(lang))


def _version() -> str:
    """Greenprint's version, as installed."""
    try:
        return metadata.version("greenprint")
    except metadata.PackageNotFoundError:
        return "not installed"
