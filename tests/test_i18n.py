"""Languages (core.i18n): the catalogues hold every string the code marks, translations keep
their placeholders, the URL's ``?lang=`` switches the app, numbers follow the locale, and no
page shows English prose in Chinese (a visible string that is not marked fails here)."""

from __future__ import annotations

import json
import pickle
import re
import string
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core import i18n, methods, money, reference_tables
from core.assess import indicators, maps
from core.intake.city import default_city
from core.release import rule as rules
from dashboard import keys, nav
from tools.apptest import open_app

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "lazy": None, "lazy_n": (1, 2)}
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]


@cache
def code_msgids() -> frozenset[str]:
    """The msgids the code marks today (the singular of a plural), extracted as babel.cfg
    says: the test reads the code, not the committed template."""
    method_map = [("core/**.py", "python"), ("dashboard/**.py", "python"),
                  ("pages/**.py", "python"), ("core/report/templates/**.j2", "jinja2")]
    method_map += [(table, "core.i18n:extract_table_labels") for table in i18n.TABLE_LABELS]
    options = {table: {"columns": " ".join(columns)} for table, columns in i18n.TABLE_LABELS.items()}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map=options, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(found)


@cache
def catalogue(lang: str):
    with i18n.catalogue_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def untranslated(lang: str) -> list[str]:
    """Marked msgids that ``lang``'s catalogue lacks, leaves empty, or marks fuzzy."""
    entries = {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalogue(lang)
               if m.id}
    bad = []
    for msgid in sorted(code_msgids()):
        m = entries.get(msgid)
        strings = m.string if m is not None and isinstance(m.string, tuple) else (
            (m.string,) if m is not None else ())
        if m is None or m.fuzzy or not strings or not all(strings):
            bad.append(msgid)
    return bad


def test_the_code_marks_strings_and_the_template_holds_them():
    assert len(code_msgids()) > 500
    with (ROOT / "core/locale/greenprint.pot").open("rb") as f:
        template = {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in read_po(f) if m.id}
    assert sorted(code_msgids() - template) == [], "run the pybabel extract of babel.cfg"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_marked_string_is_translated(lang):
    missing = untranslated(lang)
    assert missing == [], f"{len(missing)} msgids without a {lang} translation: {missing[:10]}"


def fields(text: str) -> list[tuple[str, str, str]]:
    """The replacement fields of a format string: name, format spec, conversion."""
    return sorted((name, spec or "", conv or "")
                  for _, name, spec, conv in string.Formatter().parse(text) if name is not None)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders_of_their_msgid(lang):
    wrong = []
    for m in catalogue(lang):
        if not m.id:
            continue
        source = m.id[0] if isinstance(m.id, tuple) else m.id
        for text in (m.string if isinstance(m.string, tuple) else (m.string,)):
            if text and fields(text) != fields(source):
                wrong.append((source, text))
    assert wrong == []


def test_gettext_plurals_and_fallback():
    with i18n.use_language("zh"):
        assert i18n._("Overview map") == "总览地图"
        assert i18n._("not a msgid anywhere") == "not a msgid anywhere"
        assert i18n.ngettext("{n} district", "{n} districts", 3).format(n=3) == "3 个地区"
        assert i18n.unit("USD/household/yr") == "USD/户/年"
    with i18n.use_language("en"):
        assert i18n.ngettext("{n} district", "{n} districts", 1).format(n=1) == "1 district"
    assert i18n.language() == i18n.default_language()
    with pytest.raises(ValueError, match="use one of en, zh, es"):
        i18n.set_language("fr")


def test_a_lazy_message_reads_english_and_translates_where_shown():
    message = i18n.lazy_n("{n} district", "{n} districts", 2)
    assert message == "2 districts"
    kept = pickle.loads(pickle.dumps(message))  # a cached result
    with i18n.use_language("zh"):
        assert i18n._(kept) == "2 个地区"
        joined = i18n.lazy_join("; ", [i18n.lazy("Overview map"), "Chicago"])
        assert i18n._(joined) == "总览地图; Chicago"
    assert joined == "Overview map; Chicago"


def test_numbers_dates_and_money_follow_the_locale():
    cases = {"en": ("12,345.7", "12%", "Mar 5, 2026", "£1,234.50", "12.35 M"),
             "zh": ("12,345.7", "12%", "2026年3月5日", "£1,234.50", "12.35 百万"),
             "es": ("12.345,7", "12\xa0%", "5 mar 2026", "1.234,50\xa0GBP", "12,35 M")}
    for lang, expected in cases.items():
        with i18n.use_language(lang):
            got = (i18n.number(12345.67, 1), i18n.percent(0.123), i18n.day(date(2026, 3, 5)),
                   money.amount(1234.5, "GBP"), maps.format_value(12.345e6))
        assert got == expected, lang


def test_intervention_names_are_extracted_and_shown_in_the_language():
    """The catalogue's labels (data/interventions.csv) are msgids, and a plan's table of
    interventions names them in the reader's language."""
    import pandas as pd

    from core.plan import optimizer, problem, results, scenario

    labels = pd.read_csv(ROOT / "data" / "interventions.csv")["label"]
    assert set(labels) <= code_msgids()
    ctx = problem.context(default_city())
    res = optimizer.optimize(ctx, [scenario.bundled()["justice40"]], device="cpu")
    with i18n.use_language("es"):
        shown = list(results.by_intervention(ctx, res)["label"])
    assert "Electrificación con bomba de calor" in shown
    assert shown == [i18n.catalogue("es")[label] for label in labels]


def test_a_citys_id_is_the_same_in_every_language():
    """The store's content id does not depend on the reader's language (the default city's
    estimates have captions, which are translated where shown): a scenario saved by a
    reader of Chinese is found by a reader of English."""
    from core.store.fingerprint import fingerprint

    city = default_city()
    assert city.estimates  # the captions that once made the id follow the language
    ids = set()
    for lang in i18n.LANGUAGES:
        with i18n.use_language(lang):
            ids.add(fingerprint(city))
    assert len(ids) == 1


def test_format_specs_in_a_message_follow_the_locale():
    """A figure formatted inside a message ({share:.1%}, {ms:,.0f}) gets the locale's signs;
    text fields are left alone; English and Chinese are str.format's own output."""
    fields = {"x": 1234.5, "p": 0.534, "n": 12345, "name": "a.b,c", "neg": -0.125}
    msg = "{x:,.1f} kWh, {p:.1%}, {n} and {neg:.2f} in {name}"
    with i18n.use_language("es"):
        assert i18n._(msg).format(**fields) == "1.234,5 kWh, 53,4%, 12345 and -0,12 in a.b,c"
        assert i18n.ngettext(msg, msg, 2).format(**fields).startswith("1.234,5 kWh")
    for lang in ("en", "zh"):
        with i18n.use_language(lang):
            assert type(i18n._(msg)) is str and i18n._(msg).format(**fields) == msg.format(**fields)


@pytest.mark.parametrize("lang", sorted(i18n.LANGUAGES))
def test_numbers_are_written_as_babel_writes_them(lang):
    """i18n.number's fast path writes what Babel's pattern writes, rounding as f-strings do."""
    from decimal import Decimal

    import numpy as np
    from babel import numbers as babel_numbers

    values = np.random.default_rng(7).normal(0, 1e6, 300).tolist() + [
        0.0, -0.001, 12.345, 999.5, 1234.5, -1234567.891, 5e12]
    with i18n.use_language(lang):
        for digits in (0, 1, 2):
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            for v in values:
                expected = babel_numbers.format_decimal(Decimal(f"{v:.{digits}f}"),
                                                        format=pattern, locale=i18n.locale())
                assert i18n.number(v, digits) == expected, (v, digits)


def test_indicator_labels_and_schemes_are_marked():
    for ind in indicators.INDICATORS.values():
        assert ind.label in code_msgids(), ind.label
    for name in maps.SCHEMES.values():
        assert name in code_msgids()
    for title, _module in methods.SECTIONS:
        assert title in code_msgids()


def test_the_url_sets_the_language_and_the_switch_writes_it_back():
    # AppTest formats the widgets' values in the test's thread: it speaks the app's language
    with i18n.use_language("zh"):
        at = open_app(query={keys.LANGUAGE: "zh"})
        assert at.title[0].value == "总览地图"
        assert at.radio(key=keys.LANGUAGE).value == "zh"
        assert at.radio(key=keys.LANGUAGE).label == "语言"
        labels = [s.label for s in at.slider]
        assert "目标年份" in labels and "Horizon year" not in labels
        metric = at.metric[0]
        assert metric.label == "人口 (人)" and metric.value == "2,695,598"
        assert any(c.value.startswith("城市：") for c in at.caption)
        at.radio(key=keys.LANGUAGE).set_value("es").run()
    assert at.query_params[keys.LANGUAGE] in ("es", ["es"])
    assert at.metric[0].value == "2.695.598"  # Spanish grouping, whatever the catalogue holds
    with i18n.use_language("es"):
        at.radio(key=keys.LANGUAGE).set_value("en").run()
    assert at.title[0].value == "Overview map"
    assert keys.LANGUAGE not in at.query_params  # the default language keeps a clean URL


def test_an_unknown_language_in_the_url_falls_back_to_the_default():
    at = open_app(query={keys.LANGUAGE: "xx"})
    assert at.title[0].value == "Overview map"


# --------------------------------------------------------------- no English left on a page

#: three or more English words in a row (lower-case words of two letters or more)
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z’']+(?:[ \-][A-Za-z][a-z’']+){2,}\b")
CODE = re.compile(r"<style>.*?</style>|`[^`]*`|<[^>]+>|https?://\S+", re.S)


#: reference tables a page shows whole, sources included (the Methods page's release rule)
SHOWN_TABLES = (rules.TABLE,)


def data_values(at) -> list[str]:
    """Text that is data, not interface: names and sources from the city and its reference
    values, the sources of the reference tables shown, and the reference prose the Methods
    page shows in English only."""
    city = at.session_state[keys.CITY] if keys.CITY in at.session_state else default_city()
    values = [city.name, city.source, *city.districts["name"].astype(str)]
    values += [str(s) for s in city.references.frame()["source"]]
    values += [str(s) for name in SHOWN_TABLES for s in reference_tables.table(name)["source"]]
    values += [text for e in city.estimates.values() for f in e.figures
               for text in (f.source, f.short_source)]
    # the method notes and the data README (reference prose, English or translated: their
    # translations are checked whole by tests/test_methods_i18n.py)
    values += [note.text for lang in i18n.LANGUAGES
               for note in (*methods.notes(lang), methods.data_readme(lang))]
    return sorted({v for v in values if v}, key=len, reverse=True)


def visible_texts(at) -> list[tuple[str, str]]:
    """(kind, text) of what a reader sees as interface: headings, prose, labels, help,
    options, buttons, tabs, expanders, metrics and notices."""
    out = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning",
                 "error", "success", "button", "expander", "tabs"):
        for el in getattr(at, kind):
            out.append((kind, getattr(el, "value", None) or getattr(el, "label", "") or ""))
    for el in at.metric:
        out += [("metric", el.label), ("metric help", el.help or "")]
    for kind in ("slider", "selectbox", "radio", "checkbox", "toggle", "text_input",
                 "number_input", "multiselect", "text_area", "select_slider"):
        for el in getattr(at, kind):
            out += [(kind, el.label), (f"{kind} help", el.help or "")]
            if kind != "selectbox" or el.key != keys.PROFILE_DISTRICT:  # district names
                out += [(f"{kind} option", str(o)) for o in getattr(el, "options", []) or []]
    for el in at.get("download_button"):
        out.append(("download", el.proto.label))
    for el in at.dataframe:
        out += table_texts(el)
    return out


def table_texts(el) -> list[tuple[str, str]]:
    """(kind, text) of a dataframe: its headers (a column's configured label and help, else
    its name) and its text cells."""
    config = json.loads(el.proto.columns) if el.proto.columns else {}
    frame = el.value
    out = []
    for column in frame.columns:
        conf = config.get(str(column), {})
        if conf.get("hidden"):
            continue
        out += [("table header", conf.get("label") or str(column)),
                ("table help", conf.get("help") or "")]
        if not pd.api.types.is_numeric_dtype(frame[column]):
            out += [("table cell", str(v)) for v in frame[column].dropna().unique()]
    return out


#: words that mark a run of Latin-script words as English, not Spanish
ENGLISH_WORDS = {"the", "and", "of", "to", "is", "are", "with", "for", "this", "that", "by",
                 "from", "on", "its", "it", "be", "has", "have", "which", "or", "an", "at"}


def english_left(at, script_latin: bool = False) -> list[tuple[str, str]]:
    """Visible interface text with English prose in it: three or more words in a row (in a
    language written in Latin script, such a run must hold an English function word)."""
    data = data_values(at)
    left = []
    for kind, text in visible_texts(at):
        stripped = text
        for value in data:
            stripped = stripped.replace(value, " ")
        stripped = CODE.sub(" ", stripped)
        runs = [m.group().lower() for m in ENGLISH_RUN.finditer(stripped)]
        if any(not script_latin or ENGLISH_WORDS & set(re.split(r"[ \-]", r)) for r in runs):
            left.append((kind, text[:160]))
    return left


def test_the_checker_sees_english_prose():
    at = open_app(nav.METHODS)  # English: the checker must find prose, or it proves nothing
    assert english_left(at) and english_left(at, script_latin=True)


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("page", nav.ALL, ids=lambda p: Path(p).stem)
def test_no_page_shows_english_prose_in_another_language(page, lang):
    with i18n.use_language(lang):  # AppTest formats widget values in the test's thread
        at = open_app(None if page == nav.OVERVIEW else page, query={keys.LANGUAGE: lang},
                      timeout_s=240)
        assert english_left(at, script_latin=lang != "zh") == []
        assert formulas(at) == []


#: the text kinds Streamlit renders as Markdown, where "$...$" is a formula
MARKDOWN_KINDS = {"title", "header", "subheader", "caption", "markdown", "info", "warning",
                  "error", "success", "metric", "metric help"}
UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


def formulas(at) -> list[str]:
    """Markdown text with two or more unescaped ``$``: Streamlit would draw what lies between
    them as a formula (amounts of money written "0,16 US$/kWh" in Spanish; dashboard.text.money
    escapes them)."""
    return [text[:160] for kind, text in visible_texts(at)
            if kind in MARKDOWN_KINDS and len(UNESCAPED_DOLLAR.findall(text)) >= 2]


def test_the_formula_check_sees_unescaped_dollars():
    from types import SimpleNamespace

    from dashboard import text

    spanish = "Facturas: 0,1560 US$/kWh electricidad, 0,0338 US$/kWh gas"
    assert UNESCAPED_DOLLAR.findall(spanish) and not UNESCAPED_DOLLAR.findall(text.money(spanish))
    page = SimpleNamespace(**{kind: [] for kind in MARKDOWN_KINDS if " " not in kind})
    page.caption = [SimpleNamespace(value=spanish)]
    for kind in ("button", "expander", "tabs", "metric", "slider", "selectbox", "radio",
                 "checkbox", "toggle", "text_input", "number_input", "multiselect",
                 "text_area", "select_slider", "dataframe"):
        setattr(page, kind, getattr(page, kind, []))
    page.get = lambda _kind: []
    assert formulas(page) == [spanish]


# --------------------------------------------------------------- the briefing

def test_the_briefing_template_speaks_the_language_in_effect():
    from core.report import render

    template = render._environment().from_string(
        '<html lang="{{ lang }}"><h2>{{ _("The question") }}</h2>'
        '{{ _("{n} scenarios of the same city: {names}. Differences are each scenario\'s '
        'figure less that of {first}.").format(n=2, names="<A>, B", first="<A>") }}</html>')
    with i18n.use_language("zh"):
        page = template.render(lang=i18n.language())
    assert page.startswith('<html lang="zh"><h2>问题</h2>同一城市的 2 个情景')
    assert "&lt;A&gt;" in page and "<A>" not in page  # names are escaped, not markup


def test_the_report_command_refuses_an_unknown_language(tmp_path):
    from typer.testing import CliRunner

    from core.cli import app

    r = CliRunner().invoke(app, ["report", "--scenario", "justice40", "--lang", "fr",
                                 "--out", str(tmp_path / "b.html")])
    assert r.exit_code == 2, r.output
    assert "use one of en, zh, es" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("page", [nav.COMPARE, nav.SCENARIOS], ids=lambda p: Path(p).stem)
def test_the_saved_scenario_pages_speak_the_language_with_scenarios_saved(page, lang):
    """With saved scenarios the Compare page shows its tables (headline figures, parameters,
    Justice40 spending) and the Saved scenarios page its list; with none, only a message."""
    from tests.test_store_pages import seed

    seed()
    with i18n.use_language(lang):
        at = open_app(page, query={keys.LANGUAGE: lang}, timeout_s=240)
        assert not at.exception and len(at.dataframe) >= (4 if page == nav.COMPARE else 1)
        assert english_left(at, script_latin=lang != "zh") == []
