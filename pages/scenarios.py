"""Scenarios: the saved scenarios of a city, to search, rename, duplicate, delete (with undo)
and open in the Scenario lab."""

import streamlit as st

from core.i18n import _
from dashboard import address, briefing, guard, keys, nav, portal, state, text
from dashboard import store as app_store
from dashboard.scenarios import manage

st.title(_("Saved scenarios"))
store = app_store.get()
if store is None:
    st.info(app_store.off_reason())
    st.stop()
if notice := state.pop_notice(keys.SCENARIOS_NOTICE):
    kind, message = notice
    (st.success if kind == "success" else st.error)(message)
if (gone := state.deleted_scenario()) is not None:
    st.button(_("Undo: restore “{name}”").format(name=text.cut(gone.name)), key=keys.SCENARIOS_UNDO,
              on_click=guard.callback(manage.undo_delete), args=(store,))

# the portal: the cities with published scenarios, and those scenarios only
cities = portal.city_options(store) if portal.active() else manage.city_options(store)
if not cities:
    st.info(_("No scenario is published on this portal yet.") if portal.active() else
            _("No scenario is saved yet: save one from the Scenario lab (“Save scenario”)."))
    st.stop()
city_col, search_col, tag_col = st.columns([2, 2, 1])
city_id = city_col.selectbox(_("City"), list(cities), format_func=cities.get,
                             key=keys.SCENARIOS_CITY)
everything = store.list_scenarios(city_id=city_id, published_only=portal.active())
if not everything:
    st.info(_("No scenario of this city is saved yet: save one from the Scenario lab "
            "(“Save scenario”), then find it here."))
    st.stop()
search = search_col.text_input(_("Search names and notes"), key=keys.SCENARIOS_SEARCH).strip()
tags = sorted({t for r in everything for t in r.tags})
tag = tag_col.selectbox(_("Tag"), [None, *tags],
                        format_func=lambda t: _("any tag") if t is None else t,
                        key=keys.SCENARIOS_TAG)
records = store.list_scenarios(city_id=city_id, tag=tag, search=search or None,
                               published_only=portal.active())
if not records:
    st.info(_("No saved scenario of this city matches the search."))
    st.stop()
st.caption(_("{n_records} of {n_everything} saved scenario(s) of this city, newest first. "
           "Figures are the saved results (money in the city's currency).").format(
               n_records=len(records), n_everything=len(everything)))
listed = manage.table(records)
st.dataframe(listed, hide_index=True, column_config=manage.column_config(listed))

by_id = {r.id: r for r in records}
if state.widget_value(keys.SCENARIOS_PICK) not in by_id:
    state.set_widget_value(keys.SCENARIOS_PICK, records[0].id)
pick = st.selectbox(_("Scenario"), list(by_id), format_func=lambda i: manage.label(by_id[i]),
                    key=keys.SCENARIOS_PICK)
chosen = by_id[pick]
open_col, copy_col, delete_col = st.columns(3)
if open_col.button(_("Open in the Scenario lab"), key=keys.SCENARIOS_OPEN, type="primary",
                   on_click=guard.callback(manage.open_in_lab), args=(pick,)) \
        and manage.opened(pick):
    address.switch_to(nav.SCENARIO_LAB)
if portal.active():  # the portal changes nothing: open it, and its briefing is there
    st.caption(_(portal.OPEN_NOTE))
else:
    copy_col.button(_("Duplicate"), key=keys.SCENARIOS_DUPLICATE,
                    on_click=guard.callback(manage.duplicate), args=(store, pick))
    delete_col.button(_("Delete"), key=keys.SCENARIOS_DELETE,
                      on_click=guard.callback(manage.delete),
                      args=(store, pick), help=_("It can be restored with Undo until it is purged"))

    with st.expander(_("Rename, tags and notes"), expanded=False):
        name_key, tags_key, notes_key = (f"{k}_{pick}" for k in (keys.SCENARIOS_NAME,
                                                                   keys.SCENARIOS_TAGS,
                                                                   keys.SCENARIOS_NOTES))
        st.text_input(_("Name"), value=chosen.name, key=name_key)
        st.text_input(_("Tags (comma-separated)"), value=", ".join(chosen.tags), key=tags_key)
        st.text_area(_("Notes"), value=chosen.notes, key=notes_key, height=80)
        st.button(_("Save changes"), key=keys.SCENARIOS_UPDATE,
                  on_click=guard.callback(manage.update),
                  args=(store, pick, name_key, tags_key, notes_key))
if changes := chosen.changes():
    st.caption(_("Saved with another version (solving it again may give other figures): ")
               + "; ".join(changes) + ".")
if chosen.city_id != state.city_id():
    st.caption(_("Opening it makes its city the one every page shows."))
if portal.active():  # a published scenario's briefing, released
    briefing.published_section(store, chosen)
