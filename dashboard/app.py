"""Greenprint: the Streamlit entry point. Run from the repository root:

    streamlit run dashboard/app.py
"""

import streamlit as st

from dashboard import components, guard, memory, nav, sidebar, state

st.set_page_config(page_title="Greenprint", layout="wide", initial_sidebar_state="expanded")
memory.start_trimmer()  # gc + malloc_trim every GREENPRINT_MEMORY_TRIM_S s (dashboard/memory.py)

pages = st.navigation({
    section: [st.Page(page, title=title, default=page == nav.OVERVIEW) for page, title in entries]
    for section, entries in nav.MENU.items()
})


def _frame() -> None:
    """The sidebar every page shares, then the chosen page."""
    city = state.active_city()
    components.page_style()
    with st.sidebar:
        st.markdown("### Greenprint")
        st.caption("City sustainability assessment: energy, carbon and equity by district.")
        st.markdown(f"**City:** {city.name}  \n{city.n} districts")
        if city.illustrative:
            st.caption("Illustrative data, not official statistics.")
    sidebar.scenario_sidebar()
    guard.show_callback_error()
    if notice := state.lost_city_notice():
        st.warning(notice)
    guard.run_page(pages.run, pages.url_path or "overview")


guard.run_page(_frame, "app")
