"""The briefing in the reader's language (issue 12): a Chinese or Spanish briefing of the
default city comparing two scenarios holds no English prose (text, table headers, chart
captions, images' alt texts), while the English briefing reads as it did; the scenario-limit
messages read in the reader's language too."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from core import i18n, paths
from core.errors import InputError
from core.intake import reference_values
from core.intake.city import default_city, validate_city
from core.models import cross_validation, model_card
from core.models.network import TrainConfig
from core.plan import optimizer, problem, scenario
from core.plan.scenario import Scenario
from core.report import briefing
from tests.test_i18n import ENGLISH_RUN, ENGLISH_WORDS

#: a short cross-validation: the card's words, not its accuracy, are under test here
FAST = TrainConfig(folds=3, max_epochs=60, patience=10, device="cpu")
WHEN = datetime(2025, 5, 4, 9, 30, tzinfo=UTC)
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]


#: table headers that read the same in every language: symbols of the model's metrics
SYMBOLS = {"CV(RMSE)", "NMBE", "R²"}


@pytest.fixture(scope="module")
def made():
    """The default city, Justice40 compared with Business as usual, and the inputs of its
    briefing (rendered per language by :func:`brief`)."""
    city = default_city()
    quality = validate_city(paths.DEFAULT_BOUNDARIES, paths.DEFAULT_ATTRIBUTES).report
    ctx = problem.context(city)
    bundled = scenario.bundled()
    res = optimizer.optimize(ctx, [bundled["justice40"], bundled["business_as_usual"]],
                             device="cpu")
    card = model_card.model_card(cross_validation.evaluate(city, FAST), city)
    return SimpleNamespace(city=city, quality=quality, ctx=ctx, res=res, card=card,
                           names=[s.name for s in res.scenarios])


@pytest.fixture(scope="module")
def pages(made) -> dict[str, str]:
    """The briefing's HTML in each language."""
    return {lang: brief(made, lang) for lang in i18n.LANGUAGES}


def brief(made, lang: str) -> str:
    """The briefing's HTML in ``lang``."""
    with i18n.use_language(lang):
        return briefing(made.city, made.ctx, made.res, made.quality, made.card,
                        created=WHEN).html().decode()


class _Reader(HTMLParser):
    """The text a reader sees of a briefing, one piece per text node or alt text: without
    styles, code, the scenario's JSON, and the Methods notes' bodies (reference prose, checked
    whole by tests/test_methods_i18n.py; their titles and notices are kept)."""

    SKIPPED = {"style", "code", "pre", "script"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.texts.append(attrs.get("alt") or "")
        elif tag == "meta" and attrs.get("name") == "description":
            self.texts.append(attrs.get("content") or "")
        elif tag not in ("meta", "br", "link", "input"):
            self.stack.append((tag, attrs.get("class") or ""))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def _in_note_body(self) -> bool:
        tags = [t for t, _ in self.stack]
        if not any(t == "article" and "method" in c for t, c in self.stack):
            return False
        return not ("h3" in tags[-1:] or ("p", "small") in self.stack[-1:])

    def handle_data(self, data):
        if any(t in self.SKIPPED for t, _ in self.stack) or self._in_note_body():
            return
        if data.strip():
            self.texts.append(data.strip())


def reader_texts(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    return reader.texts


def data_values(made) -> list[str]:
    """Text that is data, not interface: the city's and its districts' names, sources of the
    data, of the reference values and of the intervention catalogue, scenario names, the
    city's columns, the model's feature columns."""
    city, ctx = made.city, made.ctx
    values = [city.name, city.source, *city.districts["name"].astype(str), *made.names]
    values += [str(s) for s in city.references.frame()["source"]]
    values += [str(s) for s in ctx.catalogue["source"]]
    values += [text for e in city.estimates.values() for f in e.figures
               for text in (f.source, f.short_source)]
    values += [str(c) for c in city.districts.columns]
    return sorted({v for v in values if v and isinstance(v, str)}, key=len, reverse=True)


def english_left(made, html: str, script_latin: bool) -> list[str]:
    """The reader's texts with English prose in them: three or more Latin-script words in a
    row (in a language written in Latin script, such a run must hold an English function
    word), once data values are taken out (the rule of tests/test_i18n.english_left)."""
    data = data_values(made)
    left = []
    for text in reader_texts(html):
        stripped = text
        for value in data:
            stripped = stripped.replace(value, " ")
        runs = [m.group().lower() for m in ENGLISH_RUN.finditer(stripped)]
        if any(not script_latin or ENGLISH_WORDS & set(re.split(r"[ \-]", r)) for r in runs):
            left.append(text[:200])
    return left


def headers(html: str) -> dict[str, list[str]]:
    """Each table's header cells, by table key."""
    return {key: [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>",
                                                                         head, re.S)]
            for key, head in re.findall(r'<table class="data[^"]*" id="table-([^"]+)".*?'
                                        r"<thead>(.*?)</thead>", html, re.S)}


def figure_texts(html: str) -> list[str]:
    """The alt text and the caption of each figure, in page order."""
    return [text for alt, caption in re.findall(r'<img src="[^"]*" alt="([^"]*)">\s*'
                                                 r"<figcaption>(.*?)</figcaption>", html, re.S)
            for text in (alt, caption)]


def test_the_checker_sees_english_prose(made, pages):
    """English: the checker must find prose, alt texts and captions, or it proves nothing."""
    left = english_left(made, pages["en"], script_latin=True)
    assert any(t.startswith("Bar chart of abatement by intervention") for t in left)
    assert any(t.startswith("Map of ") for t in left)
    assert any("Abatement by intervention (t CO2/yr), with" in t for t in left)  # a caption
    assert len(left) > 40


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_briefing_holds_no_english_prose(made, pages, lang):
    html = pages[lang]
    assert f'<html lang="{lang}">' in html
    left = english_left(made, html, script_latin=lang != "zh")
    assert left == [], f"{len(left)} texts in English: {left}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_table_header_is_in_the_language(made, pages, lang):
    """A header that reads as in English is a name (a scenario's) or a symbol: one-word
    headers ("severity", "change") escape the prose rule, not this one."""
    en, shown = headers(pages["en"]), headers(pages[lang])
    assert en.keys() == shown.keys() and "quality" in en and "compare_kpis" in en
    same = [(key, h) for key in en for h, h_en in zip(shown[key], en[key], strict=True)
            if h == h_en and h not in SYMBOLS and h not in made.names]
    assert same == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_figures_alt_texts_and_captions_are_in_the_language(pages, lang):
    en, shown = figure_texts(pages["en"]), figure_texts(pages[lang])
    assert len(en) == len(shown) == 10  # 5 figures: two maps, two charts, the comparison
    assert all(a != b for a, b in zip(en, shown, strict=True))
    words = re.compile(r"\b(?:to|for|by|the|before|after)\b")
    assert [t for t in shown if words.search(t)] == []


def test_the_words_of_tables_and_the_date_follow_the_language(pages):
    zh, es = pages["zh"], pages["es"]
    for word in ("<td>yes</td>", "<td>warning</td>", "(selected)", "4 May 2025"):
        assert word in pages["en"] and word not in zh and word not in es, word
    assert "<td>no</td>" in pages["en"] and "<td>no</td>" not in zh  # Spanish says "no" too
    assert "<td>是</td>" in zh and "<td>否</td>" in zh and "2025年5月4日" in zh
    assert "<td>sí</td>" in es and "<td>advertencia</td>" in es
    assert "4 may 2025" in es


# --------------------------------------------------------------- scenario limits

def test_scenario_limit_messages_read_in_the_language():
    """A number outside data/scenario_limits.csv reads in the reader's language (its unit and
    the table's note too), and in English as it did."""
    data = {"budget_usd_per_capita": 2e5, "currency": "USD", "equity_weight": 1000.0}
    said = {}
    for lang in i18n.LANGUAGES:
        with i18n.use_language(lang), pytest.raises(InputError) as exc:
            scenario.from_dict(data)
        said[lang] = str(exc.value)
    assert said["en"] == (
        "scenario is not a valid scenario: budget_usd_per_capita: 200,000 USD per resident is "
        "outside 0 to 100,000 USD per resident (a larger budget is refused as a typing error); "
        "equity_weight: 1,000 weight is outside 0 to 100 weight (larger weights change nothing "
        "but the numerics)")
    assert said["zh"].startswith("scenario 不是有效的情景：budget_usd_per_capita：200,000 USD/人 "
                                 "超出 0 至 100,000 USD/人 的范围（更大的预算会被视为输入错误而拒绝）")
    assert "200.000 USD por residente está fuera del intervalo de 0 a 100.000" in said["es"]
    assert "un presupuesto mayor se rechaza como error de escritura" in said["es"]
    for lang in TRANSLATED:
        assert english_runs(said[lang]) == [], said[lang]


def test_a_scenario_outside_the_citys_limits_says_so_in_the_language():
    """The limits in the city's currency (Scenario.for_city, a city in pounds): the message
    names the scenario, reads in the reader's language, and is a lazy one underneath (its
    English text, written again where it is shown)."""
    refs = reference_values.read(paths.DATA_DIR / "examples" / "references_uk.csv")
    sc = Scenario(name="Huge", electricity_usd_per_kwh=90.0)  # in the city's currency: GBP
    said = {}
    for lang in i18n.LANGUAGES:
        with i18n.use_language(lang), pytest.raises(InputError) as exc:
            sc.for_city(refs)
        said[lang] = str(exc.value)
    assert re.fullmatch(r"scenario 'Huge' is not valid for this city: electricity_usd_per_kwh: "
                        r"90 GBP/kWh is outside [\d.e-]+ to [\d.]+ GBP/kWh \(a price above the "
                        r"maximum is refused as a unit error \(cents or MWh\)\)", said["en"])
    assert said["zh"].startswith("情景“Huge”不适用于该城市：electricity_usd_per_kwh：90 GBP/kWh 超出 ")
    assert said["zh"].endswith("（高于上限的价格会被视为单位错误（美分或 MWh）而拒绝）")
    assert said["es"].startswith("el escenario «Huge» no es válido para esta ciudad: "
                                 "electricity_usd_per_kwh: 90 GBP/kWh está fuera del intervalo de ")
    message = scenario.not_valid_here("Huge", scenario._limit_problems(
        {"electricity_usd_per_kwh": 90.0}, refs.usd_rate, refs.currency))
    assert message == said["en"]
    with i18n.use_language("zh"):
        assert i18n._(message) == said["zh"]


def english_runs(text: str) -> list[str]:
    """Runs of three or more English words (with an English function word) in ``text``,
    column names taken out."""
    text = re.sub(r"\b\w+_\w+\b", " ", text)
    return [r for r in ENGLISH_RUN.findall(text)
            if ENGLISH_WORDS & set(re.split(r"[ \-]", r.lower()))]
