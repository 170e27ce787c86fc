"""Greenprint: the Streamlit entry point. Run from the repository root:

    streamlit run dashboard/app.py
"""

import streamlit as st

from dashboard import address, components, guard, memory, nav, sidebar, state

st.set_page_config(page_title="Greenprint", layout="wide", initial_sidebar_state="expanded")
memory.start_trimmer()  # gc + malloc_trim every GREENPRINT_MEMORY_TRIM_S s (dashboard/memory.py)

pages = st.navigation({
    section: [st.Page(page, title=title, default=page == nav.OVERVIEW) for page, title in entries]
    for section, entries in nav.MENU.items()
})


def _frame() -> None:
    """The address, the sidebar every page shares, then the chosen page."""
    if address.follow() and not pages.url_path:  # a saved scenario's link opens the lab
        address.switch_to(nav.SCENARIO_LAB)
    city = state.active_city()
    components.page_style()
    with st.sidebar:
        st.markdown("### Greenprint")
        st.caption("City sustainability assessment: energy, carbon and equity by district.")
        st.markdown(f"**City:** {city.name}  \n{city.n} districts")
        if city.illustrative:
            st.caption("Illustrative data, not official statistics.")
    sc = sidebar.scenario_sidebar()
    address.settle(sc)
    address.write(sc)
    address.sidebar_note(sc)
    guard.show_callback_error()
    for warning in state.pop_warnings():
        st.warning(warning)
    guard.run_page(pages.run, pages.url_path or "overview")


guard.run_page(_frame, "app")
