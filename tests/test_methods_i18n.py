"""The method notes and the data README in the reader's language (core/methods.py): every
note translated, a translation of an older English text never shown, the page and the
briefing's appendix in the reader's language."""

from __future__ import annotations

import pytest

from core import i18n, methods
from core.report import compose
from dashboard import keys, nav
from tools.apptest import open_app

TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_note_has_a_translation_of_todays_english(lang):
    """Fails when a docstring or the data README changed and its translation was not brought
    up to date (python tools/methods_i18n.py status; then stamp)."""
    assert methods.untranslated(lang) == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_code_and_the_figures(lang):
    """Code spans, settings and figures are copied, not translated: each note's backticked
    spans and GREENPRINT_* names appear in its translation."""
    for name, english in methods.english().items():
        text = methods.translation(lang, name)
        if text is None:
            continue  # reported by the test above
        for span in set(methods_spans(english)):
            assert span in text, (lang, name, span)


def methods_spans(text: str) -> list[str]:
    """The code spans of a Markdown text (single backticks)."""
    parts = text.split("`")
    return [p for p in parts[1::2] if p and "\n" not in p]


@pytest.fixture
def locale_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(methods, "LOCALE_DIR", tmp_path)
    return tmp_path


def test_a_translation_is_shown_only_while_it_translates_todays_english(locale_dir, monkeypatch):
    name = "core.assess.carbon"
    path = methods.translation_path("es", name)
    path.parent.mkdir(parents=True)
    path.write_text("Emisiones: energía por los factores de emisión.\n", encoding="utf-8")
    assert methods.translation("es", name) is None  # never stamped
    methods.stamp("es", name)
    assert path.read_text(encoding="utf-8").startswith("<!-- source: ")
    assert methods.translation("es", name) == "Emisiones: energía por los factores de emisión."
    note = {n.name: n for n in methods.notes("es")}[name]
    assert (note.language, note.text) == ("es", "Emisiones: energía por los factores de emisión.")

    changed = {**methods.english(), name: methods.english()[name] + "\n\nA new paragraph."}
    monkeypatch.setattr(methods, "english", lambda: changed)
    assert methods.translation("es", name) is None  # the English moved on: out of date
    note = {n.name: n for n in methods.notes("es")}[name]
    assert (note.language, note.text) == ("en", changed[name])
    assert name in methods.untranslated("es")


def test_stamping_again_replaces_the_digest_line(locale_dir):
    name = methods.DATA_README
    path = methods.translation_path("zh", name)
    path.parent.mkdir(parents=True)
    path.write_text("<!-- source: 0000000000000000 -->\n数据来源\n", encoding="utf-8")
    assert methods.translation("zh", name) is None
    methods.stamp("zh", name)
    assert methods.translation("zh", name) == "数据来源"
    assert path.read_text(encoding="utf-8").count("<!-- source:") == 1


def test_english_is_the_english():
    assert all(n.language == "en" for n in methods.notes())
    assert methods.data_readme().text.startswith("#")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_methods_page_shows_the_notes_in_the_readers_language(lang):
    with i18n.use_language(lang):
        at = open_app(nav.METHODS, query={keys.LANGUAGE: lang}, timeout_s=240)
        shown = [m.value for m in at.markdown]
        notice = i18n._("This section is available in English only.")
        captions = [c.value for c in at.caption]
    for note in (*methods.notes(lang), methods.data_readme(lang)):
        assert note.text in shown, note.name
    untranslated = len(methods.untranslated(lang))
    assert captions.count(notice) == untranslated


def test_the_briefing_appendix_follows_the_language():
    english = compose._methods("en")
    assert not any(flag for _title, _html, flag in english)
    for lang in TRANSLATED:
        appendix = compose._methods(lang)
        assert len(appendix) == len(english)
        notes = methods.notes(lang)
        for (title, _html, in_english), note in zip(appendix, notes, strict=True):
            assert title == note.title
            assert in_english == (note.language != lang)
        assert sum(not flag for *_rest, flag in appendix) == sum(
            note.language == lang for note in notes)
