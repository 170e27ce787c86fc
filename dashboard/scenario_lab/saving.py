"""The Scenario lab's saved scenarios: "Save scenario" (name, tags, notes) stores the plan
with its result (:meth:`core.store.Store.save_scenario`), and an open saved scenario says
what it is and whether solving it now gives its saved figures."""

from __future__ import annotations

import streamlit as st

from core.i18n import _
from core.intake.city import City
from core.plan import compare
from core.plan.lab import KpiDelta
from core.plan.problem import CityContext
from core.plan.results import Result
from core.plan.scenario import Scenario
from core.release import Released
from core.store import StoredScenario, StoreError
from dashboard import briefing, keys, portal, state, text
from dashboard import store as app_store
from dashboard.scenario_lab import solve

#: the briefing's title of a plan that is not saved
UNSAVED_NAME = _("Scenario lab plan (not saved)")


def tags_of(value: str | None) -> list[str]:
    """Tags typed as comma-separated text."""
    return [t.strip() for t in (value or "").split(",") if t.strip()]


def saved_panel(opened: StoredScenario | None, matching: StoredScenario | None,
                kpis_now: list[KpiDelta]) -> None:
    """What the open saved scenario is, and whether the plan below is its saved result."""
    if opened is None:
        return
    if matching is None:
        st.info((_("The sliders have changed since the published scenario {name} was opened: "
                   "the plan below is your “what if”, not the published one; open it again on "
                   "the Saved scenarios page.") if portal.active() else
                 _("The sliders have changed since the saved scenario {name} "
                   "was opened: the plan below is not saved. Save it below, or open the saved one "
                   "again on the Scenarios page.")).format(name=text.quoted(opened.name)))
        return
    with st.container(border=True):
        st.markdown(_("**Saved scenario: {name}** · {when}").format(
            name=text.md(opened.name), when=text.when(opened.created_at))
                    + (_(" · tags: {join}").format(join=text.md(', '.join(opened.tags)))
                       if opened.tags else "")
                    + f" · id `{opened.id}`")
        if opened.notes:
            st.caption(text.md(opened.notes))
        if differences := compare.saved_differences(opened.kpis, kpis_now):
            st.warning(_("Solved again now, the plan's figures differ from the published "
                         "result.") if portal.active() else  # city-wide figures: not public
                       _("Solved again now, these figures differ from the saved result: ")
                       + "; ".join(differences) + ".")
        else:
            st.caption(_("Solved again now, the plan gives the saved figures."))
        if changes := opened.changes():
            st.caption(_("Saved with another version (why solving it now may differ): ")
                       + "; ".join(changes) + ".")


def _save(sc: Scenario, observed_only: bool) -> None:
    """Save the sidebar's scenario with its result and open it (the run of the click: ``sc``
    is what the sliders hold now, even when the click came before an earlier rerun ended)."""
    store = app_store.get()
    name = (state.widget_value(keys.LAB_SAVE_NAME) or "").strip()
    if not name:
        state.push_notice(("error", _("Give the scenario a name, then save it.")),
                          keys.LAB_SAVED_NOTICE)
        return
    try:
        city_id = state.saved_city_id(store)
        scenario_id = store.save_scenario(
            city_id, sc, solve.solve(sc, observed_only), ctx=solve.context(observed_only),
            name=name, tags=tags_of(state.widget_value(keys.LAB_SAVE_TAGS)),
            notes=state.widget_value(keys.LAB_SAVE_NOTES) or "", observed_only=observed_only)
        saved = store.get_scenario(scenario_id)
    except StoreError as exc:
        state.push_notice(("error", _("The scenario was not saved: {exc}.").format(exc=exc)),
                          keys.LAB_SAVED_NOTICE)
        return
    state.set_open_scenario(saved, {})
    state.push_notice(True, keys.LAB_SAVE_CLEAR)
    state.push_notice(("success", _("Saved {name} (id {id}). This "
                       "page's address now names it: a reload, a restart of the server or "
                       "another browser with the address opens it; the Scenarios page lists "
                       "it.").format(name=text.quoted(saved.name), id=saved.id)),
                       keys.LAB_SAVED_NOTICE)


def save_section(sc: Scenario, observed_only: bool) -> None:
    """"Save scenario": name, tags and notes for the plan on screen."""
    st.subheader(_("Save this scenario"))
    if reason := app_store.off_reason():
        st.info(reason)
        return
    if notice := state.pop_notice(keys.LAB_SAVED_NOTICE):
        kind, message = notice
        (st.success if kind == "success" else st.error)(message)
    if state.pop_notice(keys.LAB_SAVE_CLEAR):  # saved: empty boxes for the next one
        for key in (keys.LAB_SAVE_NAME, keys.LAB_SAVE_TAGS, keys.LAB_SAVE_NOTES):
            state.set_widget_value(key, "")
    name_col, tags_col = st.columns(2)
    name_col.text_input(_("Name"), key=keys.LAB_SAVE_NAME,
                        placeholder=_("e.g. Justice40 at the full budget"))
    tags_col.text_input(_("Tags (comma-separated, optional)"), key=keys.LAB_SAVE_TAGS,
                        placeholder=_("e.g. council, draft"))
    st.text_area(_("Notes (optional)"), key=keys.LAB_SAVE_NOTES, height=80)
    if st.button(_("Save scenario"), key=keys.LAB_SAVE, type="primary",
                 help=_("Keeps the parameters and the result in the store: the Scenarios page "
                      "lists it, the Compare page compares it.")):
        _save(sc, observed_only)
        st.rerun()  # the sidebar's note and the address name the saved scenario


def briefing_section(city: City, ctx: CityContext, result: Result, sc: Scenario,
                     observed_only: bool, saved: StoredScenario | None,
                     release: Released | None = None) -> None:
    """The plan on screen as a policy briefing (titled and linked when it is saved). On the
    portal (``release``: the plan's figures as released), only a published scenario's, with
    the released figures only (dashboard.briefing.releases)."""
    st.subheader(_("Policy briefing"))
    if release is not None and (reason := portal.briefing_unavailable(saved)):
        st.info(reason)
        return
    st.caption(_("The plan on screen as a briefing for a council: ") + (
        _("titled {name}, with its permalink.").format(name=text.quoted(saved.name)) if saved else
        _("save the scenario first to give it a title and a permalink.")))
    name = saved.name if saved else UNSAVED_NAME
    briefing.section(
        state.cache_key(state.active_city_key(), sc.id, observed_only, saved.id if saved else None),
        f"greenprint_briefing_{saved.id if saved else sc.id}",
        lambda progress: briefing.make(city, ctx, briefing.renamed(result, [name]),
                                       [saved.id if saved else None], progress),
        keys.LAB_BRIEFING)
