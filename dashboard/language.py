"""The language switch: radio buttons in the sidebar, kept in the URL (``?lang=zh``).

It is read before anything else is drawn, so that the navigation, the sidebar and the page
all speak the chosen language (core.i18n holds it for the run). The URL parameter is written
by hand, not with ``bind="query-params"``: a bound selectbox puts the option's shown name in
the URL (``?lang=中文``), and the address must carry the code. Radio buttons, not a
selectbox: the pages keep the only selectboxes on screen (as the scenario sidebar does)."""

from __future__ import annotations

import streamlit as st

from core import i18n
from core.errors import InputError
from dashboard import keys, state


def _asked() -> str:
    """The language this run asks for: the switch's value when it has one, else the URL's
    ``?lang=`` when it names a language Greenprint speaks, else the default."""
    for wanted in (state.widget_value(keys.LANGUAGE), st.query_params.get(keys.LANGUAGE)):
        try:
            return i18n.check_language(wanted)
        except InputError:
            continue
    return i18n.default_language()


def _write(lang: str) -> None:
    """Keep ``?lang=`` in the URL while the language is not the default one."""
    if lang == i18n.default_language():
        st.query_params.pop(keys.LANGUAGE, None)
    elif st.query_params.get(keys.LANGUAGE) != lang:
        st.query_params[keys.LANGUAGE] = lang


#: sets the document's language (``<html lang>``), which Streamlit leaves at "en" whatever the
#: page says: screen readers choose their voice and pronunciation by it (WCAG 2.2, 3.1.1)
_PAGE_LANGUAGE = st.components.v2.component(
    "greenprint_page_language",
    js="export default function ({ data }) { document.documentElement.lang = data; }")


def _mark_page(lang: str) -> None:
    """Tell the browser the page's language (a BCP 47 tag: ``zh-CN``, ``es-ES``)."""
    with st.sidebar:
        _PAGE_LANGUAGE(data=i18n.LOCALES[lang].replace("_", "-"), key=keys.PAGE_LANGUAGE)


def switch() -> str:
    """Set the run's language, draw the switch in the sidebar and return the language code."""
    asked = _asked()
    i18n.set_language(asked)
    codes = list(i18n.LANGUAGES)
    lang = st.sidebar.radio(i18n._("Language"), codes, index=codes.index(asked),
                            format_func=i18n.LANGUAGES.get, key=keys.LANGUAGE, horizontal=True)
    i18n.set_language(lang)
    _write(lang)
    _mark_page(lang)
    return lang
