"""Scenarios: the saved scenarios of a city, to search, rename, duplicate, delete (with undo)
and open in the Scenario lab."""

import streamlit as st

from dashboard import address, guard, keys, nav, state, text
from dashboard import store as app_store
from dashboard.scenarios import manage

st.title("Saved scenarios")
store = app_store.get()
if store is None:
    st.info(app_store.off_reason())
    st.stop()
if notice := state.pop_notice(keys.SCENARIOS_NOTICE):
    kind, message = notice
    (st.success if kind == "success" else st.error)(message)
if (gone := state.deleted_scenario()) is not None:
    st.button(f"Undo: restore “{text.cut(gone.name)}”", key=keys.SCENARIOS_UNDO,
              on_click=guard.callback(manage.undo_delete), args=(store,))

cities = manage.city_options(store)
if not cities:
    st.info("No scenario is saved yet: save one from the Scenario lab (“Save scenario”).")
    st.stop()
city_col, search_col, tag_col = st.columns([2, 2, 1])
city_id = city_col.selectbox("City", list(cities), format_func=cities.get, key=keys.SCENARIOS_CITY)
everything = store.list_scenarios(city_id=city_id)
if not everything:
    st.info("No scenario of this city is saved yet: save one from the Scenario lab "
            "(“Save scenario”), then find it here.")
    st.stop()
search = search_col.text_input("Search names and notes", key=keys.SCENARIOS_SEARCH).strip()
tags = sorted({t for r in everything for t in r.tags})
tag = tag_col.selectbox("Tag", [None, *tags], format_func=lambda t: "any tag" if t is None else t,
                        key=keys.SCENARIOS_TAG)
records = store.list_scenarios(city_id=city_id, tag=tag, search=search or None)
if not records:
    st.info("No saved scenario of this city matches the search.")
    st.stop()
st.caption(f"{len(records)} of {len(everything)} saved scenario(s) of this city, newest first. "
           "Figures are the saved results (money in the city's currency).")
listed = manage.table(records)
st.dataframe(listed, hide_index=True, column_config=manage.column_config(listed))

by_id = {r.id: r for r in records}
if state.widget_value(keys.SCENARIOS_PICK) not in by_id:
    state.set_widget_value(keys.SCENARIOS_PICK, records[0].id)
pick = st.selectbox("Scenario", list(by_id), format_func=lambda i: manage.label(by_id[i]),
                    key=keys.SCENARIOS_PICK)
chosen = by_id[pick]
open_col, copy_col, delete_col = st.columns(3)
if open_col.button("Open in the Scenario lab", key=keys.SCENARIOS_OPEN, type="primary",
                   on_click=guard.callback(manage.open_in_lab), args=(pick,)) \
        and manage.opened(pick):
    address.switch_to(nav.SCENARIO_LAB)
copy_col.button("Duplicate", key=keys.SCENARIOS_DUPLICATE,
                on_click=guard.callback(manage.duplicate), args=(store, pick))
delete_col.button("Delete", key=keys.SCENARIOS_DELETE, on_click=guard.callback(manage.delete),
                  args=(store, pick), help="It can be restored with Undo until it is purged")

with st.expander("Rename, tags and notes", expanded=False):
    name_key, tags_key, notes_key = (f"{k}_{pick}" for k in (keys.SCENARIOS_NAME,
                                                               keys.SCENARIOS_TAGS,
                                                               keys.SCENARIOS_NOTES))
    st.text_input("Name", value=chosen.name, key=name_key)
    st.text_input("Tags (comma-separated)", value=", ".join(chosen.tags), key=tags_key)
    st.text_area("Notes", value=chosen.notes, key=notes_key, height=80)
    st.button("Save changes", key=keys.SCENARIOS_UPDATE, on_click=guard.callback(manage.update),
              args=(store, pick, name_key, tags_key, notes_key))
if changes := chosen.changes():
    st.caption("Saved with another version (solving it again may give other figures): "
               + "; ".join(changes) + ".")
if chosen.city_id != state.city_id():
    st.caption("Opening it makes its city the one every page shows.")
