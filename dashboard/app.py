"""Greenprint: the Streamlit entry point. Run from the repository root:

    streamlit run dashboard/app.py
"""

import streamlit as st

from core.i18n import _
from dashboard import (
    address,
    components,
    guard,
    keys,
    language,
    memory,
    nav,
    portal,
    sidebar,
    state,
    text,
)
from dashboard import store as app_store

st.set_page_config(page_title="Greenprint", layout="wide", initial_sidebar_state="expanded")
memory.start_trimmer()  # gc + malloc_trim every GREENPRINT_MEMORY_TRIM_S s (dashboard/memory.py)
language.switch()  # ?lang=: set before anything below is drawn (core.i18n)

menu = {_(section): [st.Page(page, title=_(title), default=page == nav.OVERVIEW)
                   for page, title in entries]
        for section, entries in nav.MENU.items()}
# The app draws its own menu (_menu): Streamlit's puts <div>s between <ul> and <li>, which
# screen readers cannot read as a list (axe: list, listitem; tests/test_browser_a11y.py).
pages = st.navigation(menu, position="hidden")


def _menu() -> None:
    """The sidebar's menu: a link per page, under a heading per section."""
    with st.sidebar.container(key=keys.MENU):
        for section, section_pages in menu.items():
            st.subheader(section, anchor=False)
            for page in section_pages:
                st.page_link(page)


def _frame() -> None:
    """The address, the sidebar every page shares, then the chosen page."""
    if address.follow() and not pages.url_path:  # a saved scenario's link opens the lab
        address.switch_to(nav.SCENARIO_LAB)
    city = state.active_city()
    components.page_style()
    _menu()
    with st.sidebar:
        st.markdown("### Greenprint")
        st.caption(_("City sustainability assessment: energy, carbon and equity by district."))
        st.markdown(_("**City:** {name}  \n{n} districts").format(name=text.inline(city.name),
                                                                      n=city.n))
        if city.illustrative:
            st.caption(_("Illustrative data, not official statistics."))
        if portal.active():
            st.caption(_(portal.MODE_NOTE))
    sc = sidebar.scenario_sidebar()
    address.settle(sc)
    address.write(sc)
    note = st.sidebar.container()
    later = not app_store.tried()  # the server's first run: the store opens after the page
    if not later:
        with note:
            address.sidebar_note(sc)
    guard.show_callback_error()
    for warning in state.pop_warnings():
        st.warning(warning)
    guard.run_page(pages.run, pages.url_path or "overview")
    if later:  # opening the store (SQLAlchemy, alembic's check) waits until the page is drawn
        with note:  # (a page that stops early leaves it to the next run)
            address.sidebar_note(sc)


guard.run_page(_frame, "app")
