"""Cities unlike the bundled one, as a planner abroad or an attacker brings them: district
names that hold Markdown, a city with districts without data read in Spanish and Chinese, and
the Equity and Data pages' figures written with the reader's decimal sign."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

from core import i18n
from core.cli import app
from core.errors import InputError
from core.intake import lineage
from core.intake.city import coverage_text, load_city, validate_city
from dashboard import keys, nav
from tests.test_i18n_messages import english_runs
from tools.apptest import open_app

HOSTILE = ["**bold** _it_ `code`", "[link](https://example.com/phish)", "<b>x</b> # h",
           "A" * 300]


@pytest.fixture
def hostile_city(grid4, attrs4):
    """The 4-square city whose district names are Markdown, HTML and a very long name."""
    return replace(load_city(grid4.assign(name=HOSTILE), attrs4), name="hostile")


@pytest.mark.parametrize("index", range(len(HOSTILE)))
def test_a_district_name_is_shown_as_text_not_markdown(hostile_city, index):
    at = open_app(nav.DISTRICT, city=hostile_city)
    at.selectbox(key=keys.PROFILE_DISTRICT).set_value(str(index + 1)).run()
    assert not at.exception
    heading = at.subheader[0].value
    caption = next(c.value for c in at.caption if "The map marks" in c.value)
    for shown in (heading, caption):
        # every Markdown sign of the name is escaped; a long name is cut
        assert not re.search(r"(?<!\\)[*_`\[\]<>#]", shown.replace("“", "").replace("”", "")), shown
        assert "A" * 100 not in shown


@pytest.mark.parametrize("lang", ["es", "zh"])
def test_the_districts_without_data_are_counted_in_the_language(lang):
    english = coverage_text(795, 801)
    with i18n.use_language(lang):
        text = coverage_text(795, 801)
    assert text != english and english_runs(text) == []
    assert all(n in text for n in ("795", "801", "6"))
    assert coverage_text(801, 801) is None


def test_the_equity_figures_use_the_spanish_decimal_comma(city4):
    with i18n.use_language("es"):
        at = open_app(nav.EQUITY, city=city4, query={keys.LANGUAGE: "es"})
    values = {m.label: m.value for m in at.metric}
    decimals = [v for v in values.values() if re.search(r"\d[.,]\d", v)]
    assert len(decimals) >= 5, values
    assert all(re.fullmatch(r"[\d.]*\d,\d+(\s?%)?", v) for v in decimals), values


def test_the_quality_score_uses_the_spanish_decimal_comma(tmp_path, grid4):
    from tests.test_data_page import upload

    grid4.to_file(tmp_path / "grid.geojson", driver="GeoJSON")
    table = b"district_id,population\n1,1000\n2,2000\n3,3000\n"  # district 4: no data
    with i18n.use_language("es"):
        at = upload(open_app(nav.DATA, query={keys.LANGUAGE: "es"}),
                    ("grid.geojson", (tmp_path / "grid.geojson").read_bytes()), ("a.csv", table))
    score = next(m.value for m in at.metric if m.label.startswith("Puntuación"))
    assert re.fullmatch(r"\d+,\d", score), score


def test_a_city_too_small_to_train_shows_why_and_no_empty_training_run(city4):
    at = open_app(nav.ENERGY_MODEL, city=city4)
    assert any("is not modelled: only 4 districts" in w.value for w in at.warning)
    assert not [c.value for c in at.caption if "fold cross-validation" in c.value]


# ------------------------------------------------------------------ what staging accepts


def test_an_attribute_column_named_geometry_is_left_out_and_the_boundaries_draw(grid4, attrs4):
    """A GIS export's table often carries its own WKT ``geometry`` column."""
    table = attrs4.assign(geometry="POINT (0 0)")
    v = validate_city(grid4, table)
    assert v.city is not None and v.report.usable
    assert v.city.districts.geometry.geom_equals(grid4.geometry).all()
    assert "join: attribute column geometry left out (the boundaries' geometry is used)" \
        in v.city.lineage
    with i18n.use_language("es"):
        assert lineage.shown(v.city.lineage[0]).startswith("unión:")


def test_boundaries_with_a_district_without_an_id_say_which_feature(grid4, attrs4):
    boundaries = grid4.assign(district_id=["1", None, "3", "4"])
    with pytest.raises(InputError, match=r"1 district\(s\) of the boundaries have no id in "
                                         r"'district_id' \(features 2 of the file\)"):
        validate_city(boundaries, attrs4)


def test_the_cli_says_which_boundary_has_no_id_without_an_error_id(tmp_path, grid4):
    path = tmp_path / "b.geojson"
    grid4.assign(district_id=["1", None, "3", "4"], population=[1, 2, 3, 4]).to_file(path)
    out = CliRunner().invoke(app, ["validate", str(path)])
    assert out.exit_code == 2 and "have no id" in out.output and "error id" not in out.output


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", np.inf])
def test_an_infinite_value_is_a_blocking_problem(grid4, attrs4, value):
    table = attrs4.astype({"population": object})
    table.loc[0, "population"] = value
    if not isinstance(value, str):
        table["population"] = table["population"].astype(float)
    v = validate_city(grid4, table)
    assert v.city is None and not v.report.usable
    (problem,) = [p for p in v.report.problems if p.column == "population" and p.check == "type"]
    assert "infinite" in problem.message and problem.district_ids == ("1",)


@pytest.mark.parametrize("typed", ["", "   "])
def test_a_blank_city_name_uses_the_files_name(tmp_path, grid4, typed):
    from tests.test_data_page import upload

    grid4.to_file(tmp_path / "grid.geojson", driver="GeoJSON")
    table = b"district_id,population\n1,1000\n2,2000\n3,3000\n4,4000\n"
    at = upload(open_app(nav.DATA), ("grid.geojson", (tmp_path / "grid.geojson").read_bytes()),
                ("a.csv", table))
    at.text_input(key=keys.DATA_CITY_NAME).input(typed).run()
    at.button(key=keys.DATA_USE).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state[keys.CITY].name == "grid"  # the file's, as the box first says


@pytest.mark.parametrize("cell, written, hint", [
    ("150000,5", "150000.5", "decimal point"), ("1.234,5", "1234.5", "decimal point"),
    ("1 234,56", "1234.56", "decimal point"), ("12,345", None, "decimal"),
    ("150 000", "150000", "no thousands separator"),
    ("1\u00a0234\u00a0567", "1234567", "no thousands separator"),
    ("1\u202f234.5", "1234.5", "no thousands separator"),
    ("-12 345", "-12345", "no thousands separator"), ("12 34", None, "thousands"),
    ("1 2", None, "thousands")])
def test_a_number_written_for_a_locale_says_how_to_write_it(grid4, attrs4, cell, written, hint):
    """A European spreadsheet writes '150000,5', French and Polish settings '150 000' with a
    space, a no-break space (U+00A0) or a narrow one (U+202F): the fix names the number as
    it must be written, and converts nothing. '12,345' may be twelve thousand and '12 34' is
    no number: no guess."""
    table = attrs4.astype({"floor_area_m2": object})
    table.loc[0, "floor_area_m2"] = cell
    v = validate_city(grid4, table)
    (problem,) = [p for p in v.report.problems if p.column == "floor_area_m2"]
    assert problem.blocking and f"e.g. '{cell}'" in problem.message
    if written is None:
        assert hint not in problem.fix
    else:
        assert f"e.g. '{written}', not '{cell}'" in problem.fix and hint in problem.fix


def test_validate_names_the_reference_values_once(tmp_path, grid4):
    path = tmp_path / "b.geojson"
    grid4.assign(population=[1, 2, 3, 4]).to_file(path)
    out = CliRunner().invoke(app, ["validate", str(path)])
    assert out.exit_code == 0, out.output
    assert "reference values: the US defaults" in out.output
    assert "Reference values: reference values" not in out.output


#: a city name typed on the Data page, opened by whoever gets its ?city= link
PHISHING = "[Log in](https://evil.example) **urgent** <img src=x> $a$ $b$ :material/home:"


def test_a_city_name_is_shown_as_text_on_every_surface(hostile_city):
    from dashboard import text

    city = replace(hostile_city, name=PHISHING, source=f"uploaded by the user: {PHISHING}")
    at = open_app(nav.METHODS, city=city)
    shown = ([c.value for c in at.caption if c.value.startswith("City:")]
             + [m.value for m in at.sidebar.markdown if m.value.startswith("**City:**")]
             + [m.value for m in at.markdown if " — 4 districts." in m.value])
    assert len(shown) == 3, shown
    for value in shown:
        assert text.inline(PHISHING) in value and PHISHING not in value, value
    at.switch_page(nav.OVERVIEW).run()
    (summary,) = [c.value for c in at.caption if c.value.startswith("Highest:")]
    assert not re.search(r"(?<!\\)[\[\]*<>`]", summary), summary


@pytest.mark.parametrize("name, link", [("Log in at https://evil.example", "://"),
                                        ("see www.evil.example", "www."),
                                        ("write to help@evil.example", "@")])
def test_inline_escapes_the_links_markdown_finds_by_itself(name, link):
    """Streamlit's Markdown turns a bare URL, www. address or e-mail into a link (GFM
    autolink literals): each loses the sign that starts it."""
    from dashboard import text

    shown = text.inline(name)
    assert not re.search(r"(?<!\\)" + re.escape(link), shown) and shown.replace("\\", "") == name


def test_inline_leaves_plain_names_as_they_are():
    from dashboard import text

    for name in ("community_areas", "Chicago, 77 community areas (2010)", "Saint-Denis (93)",
                 "Kraków: Stare Miasto", "東京都 港区", "حي النور"):
        assert text.inline(name) == name


def test_evaluate_on_a_city_too_small_to_train_says_so(tmp_path, city4):
    path = tmp_path / "c.parquet"
    city4.districts.to_parquet(path)
    out = CliRunner().invoke(app, ["evaluate", str(path)])
    assert out.exit_code == 0, out.output
    assert "no energy model trained" in out.output and "0-fold" not in out.output
    assert "only 4 districts have a positive 'electricity_kwh'" in out.output
