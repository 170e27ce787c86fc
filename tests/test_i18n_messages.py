"""The last English strings of the translated app (issue 12): the optimizer's messages on
missing stock columns, a published total's scope, units from the reference tables, the
briefing's own number formatters and the city's lineage read in the reader's language,
while English stays as it was and saved cities keep their English lineage."""

from __future__ import annotations

import contextvars
import re
import string
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.frontend import parse_mapping_cfg

from core import i18n
from core.intake import geometry, lineage
from core.intake.city import default_city, load_city
from core.plan import optimizer, problem
from core.plan.scenario import Scenario
from core.release.publish import Total
from core.report import assumptions
from core.report import text as fmt
from dashboard import nav
from tests.test_i18n import ENGLISH_RUN, ENGLISH_WORDS, code_msgids
from tools.apptest import open_app

ROOT = Path(__file__).resolve().parents[1]


def english_runs(text: str, *data: str) -> list[str]:
    """Runs of three or more English words in ``text``, once ``data`` (names, codes, sources)
    is taken out (a run of Latin-script words counts when it holds an English function word,
    as in tests/test_i18n.py)."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return [r for r in ENGLISH_RUN.findall(text)
            if ENGLISH_WORDS & set(re.split(r"[ \-]", r.lower()))]


# --------------------------------------------------------------- 1. the optimizer's messages

@pytest.fixture
def unplaceable(grid4, attrs4):
    """The 4-district city with no housing units, households or roof area (every stock
    column missing) and no disadvantaged district: nothing can be placed."""
    table = attrs4.assign(households=0.0, housing_units=0.0, roof_area_m2=0.0,
                          median_household_income=[90e3, 60e3, 30e3, 20e3],
                          poverty_rate=[0.05, 0.1, 0.3, 0.4])
    ctx = problem.context(load_city(grid4, table))
    return ctx, optimizer.optimize(ctx, Scenario(), device="cpu")


def test_the_missing_stock_message_reads_in_chinese_and_spanish(unplaceable):
    ctx, res = unplaceable
    message = res.messages[0]
    assert res.status == ["no capacity"]
    assert message.startswith("No intervention can be placed: no district has housing_units "
                              "(for envelope retrofit, heat-pump electrification), roof_area_m2 "
                              "(for rooftop solar PV) or households")  # English as it was
    with i18n.use_language("zh"):
        zh = i18n._(message)
    assert zh.startswith("无法放置任何干预措施：没有地区有 housing_units（用于围护结构节能改造、"
                         "热泵电气化）、roof_area_m2（用于")
    assert "roof_area_m2或households" in zh and "仅面向弱势地区" in zh
    with i18n.use_language("es"):
        es = i18n._(message)
    assert es.startswith("No se puede colocar ninguna intervención: ningún distrito tiene "
                         "housing_units (para ")
    assert "electrificación con bomba de calor" in es
    assert "Asigne housing_units, roof_area_m2 o households para colocarlas." in es
    columns = ("housing_units", "roof_area_m2", "households")
    assert english_runs(zh, *columns) == [] and english_runs(es, *columns) == []


def test_a_list_joins_with_the_languages_link():
    items = [i18n.lazy("Overview map"), "b", "c"]
    assert i18n.lazy_list(items, "or") == "Overview map, b or c"
    assert i18n.lazy_list(["a"]) == "a"
    with i18n.use_language("zh"):
        assert i18n._(i18n.lazy_list(items)) == "总览地图、b和c"
    with i18n.use_language("es"):
        assert i18n._(i18n.lazy_list(items[1:], "or")) == "b o c"


# --------------------------------------------------------------- 2. a published total's scope

def test_a_totals_scope_reads_in_the_language_and_stays_english_as_a_string():
    plain, partial = Total("population", 1.0, "persons", 70, 0), Total("x", 1.0, "GWh/yr", 70, 5)
    noised = Total("population", 1.0, "persons", 77, 0, scale=1234.5, epsilon=0.05)
    assert plain.scope == "all 70 districts with data"
    assert f"over {noised.scope}".endswith("Laplace noise of scale 1,234 persons (ε = 0.05)")
    with i18n.use_language("es"):
        assert i18n._(plain.scope) == "los 70 distritos con datos"
        assert i18n._(partial.scope) == "solo los 70 distritos publicados (sin incluir 5 retenidos)"
        assert i18n._(noised.scope).endswith("ruido de Laplace de escala 1.234 personas "
                                             "(ε = 0,05)")
    with i18n.use_language("zh"):
        assert i18n._(noised.scope).startswith("全部 77 个有数据的地区")
        assert "1,234 人" in i18n._(noised.scope)


def test_the_portals_kpi_help_says_the_scope_in_the_language():
    from core.assess.indicators import indicator_table
    from core.release import shown
    from core.release.publish import release

    city = default_city()
    released = release(city, indicator_table(city))
    assert [k.help for k in shown.kpis(released)][0] == "sum over all 77 districts with data"
    with i18n.use_language("es"):
        helps = [k.help for k in shown.kpis(released)]
    assert helps and all(h.endswith("los 77 distritos con datos") for h in helps), helps


# --------------------------------------------------------------- 3. units from data tables

def test_every_table_named_for_extraction_is_in_babel_cfg():
    with (ROOT / "babel.cfg").open() as f:
        method_map, options = parse_mapping_cfg(f)
    tables = {path: tuple(options[path]["columns"].split()) for path, method in method_map
              if method == "core.i18n:extract_table_labels"}
    assert tables == i18n.TABLE_LABELS


@pytest.mark.parametrize("table", sorted(i18n.TABLE_LABELS))
def test_the_units_and_labels_of_reference_tables_are_msgids(table):
    frame = pd.read_csv(ROOT / table)
    for column in i18n.TABLE_LABELS[table]:
        assert set(frame[column].dropna().astype(str).str.strip()) <= code_msgids(), column


@pytest.mark.parametrize("lang", ["zh", "es"])
def test_a_units_currency_code_stays_a_code(lang):
    """Every unit msgid with a currency code keeps it in translation (unit() swaps it for
    the city's)."""
    units = {u for table, columns in i18n.TABLE_LABELS.items() if "unit" in columns
             for u in pd.read_csv(ROOT / table)["unit"].dropna()}
    with i18n.use_language(lang):
        for u in units:
            for code in re.findall(r"\b[A-Z]{3}\b", u):
                assert code in i18n._(u), (u, i18n._(u))


def test_units_of_tables_read_in_the_language_in_any_currency():
    with i18n.use_language("zh"):
        assert i18n.unit("USD per resident") == "USD/人"
        assert i18n.unit("GBP per resident") == "GBP/人"
        assert i18n.unit("GBP per housing unit") == "GBP/套住房"
        assert i18n.unit("share of income") == "占收入的比例"
    with i18n.use_language("es"):
        assert i18n.unit("EUR per resident") == "EUR por residente"
        assert i18n.unit("GBP per housing unit") == "GBP por vivienda"
        assert i18n.unit("EUR/kWh") == "EUR/kWh"
        units = assumptions.units_of("GBP")
    assert units["budget_usd_per_capita"] == "GBP por residente"
    assert units["horizon_year"] == "año" and units["tech_cost_multipliers"] == "multiplicador"
    assert assumptions.units_of("GBP")["budget_usd_per_capita"] == "GBP per resident"


# --------------------------------------------------------------- 4. the briefing's numbers

def test_the_briefings_numbers_follow_the_locale_and_english_is_unchanged():
    cases = {"en": ("28.6 %", "1,234.5 %", "−0.13 points", "0.00 points", "n/a"),
             "es": ("28,6\xa0%", "1.234,5\xa0%", "−0,13 puntos porcentuales",
                    "0,00 puntos porcentuales", i18n.catalogue("es")["n/a"]),
             "zh": ("28.6%", "1,234.5%", "−0.13 个百分点", "0.00 个百分点",
                    i18n.catalogue("zh")["n/a"])}
    for lang, expected in cases.items():
        with i18n.use_language(lang):
            got = (fmt.percent(0.286), fmt.percent(12.345), fmt.points(-0.0013),
                   fmt.points(0.0), fmt.percent(float("nan")))
        assert got == expected, lang
    with i18n.use_language("en"):
        assert fmt.points(0.00001) == "0.00 points" and fmt.points(0.0123) == "+1.23 points"


# --------------------------------------------------------------- 5. the lineage

def test_every_lineage_pattern_reads_back_in_the_language():
    for pattern in lineage.PATTERNS:
        fields = {name: f"{i + 10}" for i, (_lit, name, _s, _c) in
                  enumerate(string.Formatter().parse(pattern)) if name}
        english = pattern.format(**fields)
        assert lineage.shown(english) == english
        with i18n.use_language("zh"):
            assert lineage.shown(english) == i18n._(pattern).format(**fields) != english


def test_the_lineage_its_producers_write_is_shown_in_the_language(tmp_path, grid4):
    """Real entries (reading, estimates, references, display copy, geometry, saving) are
    matched: the stored form stays English, the shown form follows the reader."""
    from core.intake.city import write_city

    city = default_city().with_display(0.002)
    entries = list(city.lineage)
    log: list[str] = []
    geometry.to_wgs84(grid4.set_crs(None, allow_override=True), log)
    geometry.to_wgs84(grid4.to_crs("EPSG:3435"), log)
    entries += log
    write_city(city, tmp_path / "c.parquet")
    entries.append("saved: written to c.parquet")
    entries.append(city.references.describe())
    entries += _staging_and_model_entries(grid4)
    assert any(e.startswith("display: ") for e in entries) and len(log) == 2
    for entry in entries:
        with i18n.use_language("zh"):
            zh = lineage.shown(entry)
        with i18n.use_language("es"):
            es = lineage.shown(entry)
        assert zh != entry and es != entry, entry
    households = next(e for e in entries if e.startswith("households: "))
    with i18n.use_language("zh"):
        assert lineage.shown(households).startswith(
            "households：按 population / persons_per_household 估算，persons_per_household = "
            "2.58 人/户（来源：US Census Bureau")
    degree_days = next(e for e in entries if e.startswith("degree days: "))
    model = next(e for e in entries if "predicted for" in e)
    with i18n.use_language("es"):  # numbers with Spanish signs, words in Spanish
        assert lineage.shown(degree_days).endswith("(12 meses, 3.600 °C-día de calefacción y "
                                                   "240 de refrigeración al año)")
        assert "CV(RMSE) de validación cruzada 21,0%, NMBE -2,0% (aceptable según" in \
            lineage.shown(model)
    assert city.lineage == default_city().with_display(0.002).lineage  # stored in English
    assert lineage.shown("an entry of another version") == "an entry of another version"


def _staging_and_model_entries(grid4) -> list[str]:
    """Lineage entries as staging, degree days and predictions write them."""
    from types import SimpleNamespace

    from core.intake import degree_day_table, staging
    from core.models import predicted

    log: list[str] = []
    ids = pd.DataFrame({"district_id": [f"0{i}" for i in range(8)]})
    staging._exclude(ids, tuple(ids["district_id"][:7]), "boundaries", log)
    staging._exclude(ids, ("01",), "attributes", log)
    staging._strip_zeros(ids["district_id"], "attributes", log)
    table = pd.DataFrame({"district_id": ["1", "2", "3", "9"], "geometry": 1, "x": 0})
    staging._join(grid4.assign(x=1), table.drop(columns="geometry"), log)
    staging._convert_units(grid4.assign(gas_kwh=1.0), {"gas_kwh": "therm"}, log)
    months = pd.DataFrame({"month": range(1, 13), "hdd_c": 300.0, "cdd_c": 20.0})
    log += degree_day_table.attach(default_city(), months, "dd.csv").lineage[-1:]
    scores = SimpleNamespace(cv_rmse=0.21, nmbe=-0.02)
    result = SimpleNamespace(scores={"model": scores}, selected="model", n_used=70)
    log.append(predicted._lineage_entry("gas_kwh", ("1", "2"), result, 0.8, 1.25))
    assert len(log) == 8, log
    return log


def test_the_methods_page_shows_lineage_and_units_in_chinese():
    with i18n.use_language("zh"):
        at = open_app(nav.METHODS, query={"lang": "zh"}, timeout_s=240)
    frames = [df.value for df in at.dataframe]
    changes = next(f for f in frames if "change" in f.columns)["change"].tolist()
    assert changes[0] == "读取：属性表按 utf-8 解码，分隔符 ','"
    assert all(c != e for c, e in zip(changes, default_city().lineage, strict=True))
    refs = next(f for f in frames if "origin" in f.columns)
    assert {"占收入的比例", "USD/套住房", "百分位"} <= set(refs["unit"])
    thresholds = next(f for f in frames if "note" in f.columns and "unit" in f.columns)
    assert {"用户", "人", "户", "比例"} == set(thresholds["unit"])  # data/release_thresholds.csv


def test_a_spanish_briefing_writes_its_numbers_units_and_lineage_in_spanish(tmp_path):
    """The briefing's own formatters write Spanish numbers (no ``28.6 %``), the scenario's
    units come from the catalogue, and its lineage reads in Spanish."""
    import html

    from typer.testing import CliRunner

    from core.cli import app

    out = tmp_path / "b.html"
    args = ["report", "--scenario", "data/scenarios/justice40.json", "--lang", "es", "--out",
            str(out)]
    # in a copy of the context: --lang sets the language of the context it runs in
    r = contextvars.copy_context().run(CliRunner().invoke, app, args)
    assert i18n.language() == i18n.default_language()
    assert r.exit_code == 0, r.output
    page = re.sub(r"<script.*?</script>|<style.*?</style>|data:image/[^\"']+", " ",
                  out.read_text(encoding="utf-8"), flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    city = default_city()
    for source in sorted({*city.references.frame()["source"], *(
            f.source for e in city.estimates.values() for f in e.figures)}, key=len,
            reverse=True):
        text = text.replace(html.unescape(source), " ")  # sources are quoted as published
    assert re.findall(r"\d\.\d+\s?%", text) == []
    assert re.search(r"\d,\d\xa0%", text)
    assert "USD por residente" in text  # (the scenario's own description stays as written)
    assert "lectura: atributos decodificados como utf-8" in text
