"""Greenprint: the Streamlit entry point. Run from the repository root:

    streamlit run dashboard/app.py
"""

import streamlit as st

from dashboard import guard, memory, nav, scenario_sidebar, state

st.set_page_config(page_title="Greenprint", layout="wide", initial_sidebar_state="expanded")
memory.start_trimmer()  # gc + malloc_trim every GREENPRINT_MEMORY_TRIM_S s (dashboard/memory.py)

pages = st.navigation({
    "Explore": [
        st.Page(nav.OVERVIEW, title="Overview map", default=True),
        st.Page(nav.DISTRICT, title="District profile"),
    ],
    "Models": [
        st.Page(nav.ENERGY_MODEL, title="Energy model"),
        st.Page(nav.EQUITY, title="Equity"),
    ],
    "Plan": [st.Page(nav.SCENARIO_LAB, title="Scenario lab")],
    "Your data": [st.Page(nav.DATA, title="Data")],
    "About": [st.Page(nav.METHODS, title="Methods & sources")],
})


def _frame() -> None:
    """The sidebar every page shares, then the chosen page."""
    city = state.active_city()
    with st.sidebar:
        st.markdown("### Greenprint")
        st.caption("City sustainability assessment: energy, carbon and equity by district.")
        st.markdown(f"**City:** {city.name}  \n{city.n} districts")
        if city.illustrative:
            st.caption("Illustrative data, not official statistics.")
    scenario_sidebar.scenario_sidebar()
    guard.show_callback_error()
    if notice := state.lost_city_notice():
        st.warning(notice)
    guard.run_page(pages.run, pages.url_path or "overview")


guard.run_page(_frame, "app")
