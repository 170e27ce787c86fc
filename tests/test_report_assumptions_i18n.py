"""The briefing's assumptions tables (core.report.assumptions) in the chosen language: their
captions, headers, labels and words are translated; the data (sources, names) is not."""

from __future__ import annotations

import pytest

from core.i18n import _, use_language
from core.plan import optimizer, problem, scenario
from core.report import assumptions
from core.report.plans import plans

WORDS = {"parameter", "value", "unit", "source", "figure", "intervention", "lifetime (years)",
         "reach (share of stock)", "what one unit does", "on", "off", "none", "on / off",
         "choice"}
#: the units the assumptions name (the reference values' units are data, as given)
UNITS = {"share of spending", "share of income", "share of the base-year grid factor"}


@pytest.fixture
def tables(city4):
    """The assumptions of Justice40 (diminishing returns on) for the 4-district city, in
    English, Spanish and Chinese."""
    ctx = problem.context(city4)
    sc = scenario.bundled()["justice40"].model_copy(update={"diminishing_returns": True})
    plan = plans(ctx, [optimizer.optimize(ctx, [sc], device="cpu")], "test")[0]
    out = {}
    for lang in ("en", "es", "zh"):
        with use_language(lang):
            out[lang] = assumptions.assumptions(ctx, plan)
    return out


def _texts(table) -> list[str]:
    return [table.caption, *table.header, *(c.text for row in table.rows for c in row)]


def test_english_tables_read_as_before(tables):
    en = tables["en"]
    assert en["parameters"].header == ("parameter", "value", "unit", "source")
    assert en["reference"].header == ("figure", "value", "unit", "source")
    rows = {r[0].text: r for r in en["parameters"].rows}
    assert rows["Diminishing returns"][1].text == "on"
    assert rows["Diminishing returns"][2].text == "on / off"
    assert rows["Diminishing returns"][3].text.startswith("set in this scenario; tranches")
    assert rows["Horizon year"][3].text == ("set in this scenario; abatement is counted at "
                                             "this year's grid factor")


@pytest.mark.parametrize("lang", ["es", "zh"])
def test_labels_headers_and_words_are_translated(tables, lang):
    en, tr = tables["en"], tables[lang]
    for key in ("parameters", "reference", "interventions"):
        assert tr[key].caption != en[key].caption
        assert not set(tr[key].header) & set(en[key].header) - {"USD"}
        assert not WORDS & set(_texts(tr[key])), key
    for (label_en, *_r), (label, *_s) in zip(en["parameters"].rows, tr["parameters"].rows,
                                            strict=True):
        assert label.text != label_en.text
    assert not UNITS & {r[2].text for r in tr["parameters"].rows}
    assert UNITS <= {r[2].text for r in en["parameters"].rows}
    for row_en, row in zip(en["parameters"].rows, tr["parameters"].rows, strict=True):
        source_en, source = row_en[3].text, row[3].text
        if source_en.startswith("set in this scenario"):
            assert "set in this scenario" not in source
    catalogue_en, catalogue = en["interventions"].rows, tr["interventions"].rows
    with use_language(lang):  # the catalogue's labels are msgids (core.i18n.TABLE_LABELS)
        assert [r[0].text for r in catalogue] == [_(r[0].text) for r in catalogue_en]
    assert [r[0].text for r in catalogue] != [r[0].text for r in catalogue_en]
    assert all("saves" not in r[5].text and "yields" not in r[5].text for r in catalogue)
