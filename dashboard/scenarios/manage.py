"""Saved scenarios on the Scenarios page: the table of a city's scenarios, and the button
callbacks that open, rename, duplicate, delete and restore them. Every change goes through
:class:`core.store.Store`; a refusal or a failure becomes the page's message."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from core.i18n import _
from core.store import Store, StoredCity, StoredScenario, StoreError
from dashboard import address, keys, state, text

#: headline figures listed per scenario (core.plan.lab.kpis labels)
LISTED_KPIS = ("Emissions", "Spent", _("To disadvantaged"))
WHOLE = ("Budget", "Justice40")  # columns shown as whole numbers


def city_options(store: Store) -> dict[str, str]:
    """Cities whose scenarios can be listed, id -> label: every saved city with saved
    scenarios, newest first, and the active city (when it has an id): first when it has
    saved scenarios, else last."""
    active = state.city_id()
    saved = {c.id: f"{c.name} ({c.scenarios} saved scenario{'s' if c.scenarios > 1 else ''})"
             for c in store.list_cities() if c.scenarios}
    if active is None:
        return saved
    mine = {active: _("{name} (in use)").format(name=state.active_city().name)}
    others = {k: v for k, v in saved.items() if k != active}
    return {**mine, **others} if active in saved else {**others, **mine}


def table(records: Sequence[StoredScenario]) -> pd.DataFrame:
    """One row per saved scenario: name, tags, when saved, its budget and Justice40 minimum,
    and its headline figures (with their units in the column names)."""
    rows = []
    for r in records:
        sc = r.scenario
        row = {"Name": text.cut(r.name), "Tags": ", ".join(r.tags),
               _("Saved (UTC)"): r.created_at.strftime("%Y-%m-%d %H:%M"),
               _("Budget ({currency}/resident)").format(
                   currency=sc.currency): sc.budget_usd_per_capita,
               _("Justice40 min. (%)"): sc.justice40_share * 100}
        for k in r.kpis:
            if k.label in LISTED_KPIS:
                row[f"{k.label} ({k.unit})"] = k.value if math.isfinite(k.value) else None
        rows.append(row)
    return pd.DataFrame(rows)


def column_config(frame: pd.DataFrame) -> dict:
    """Numbers at a precision a reader takes in: money and figures to one decimal, shares
    and budgets whole."""
    return {c: st.column_config.NumberColumn(c, format="%,.0f" if c.startswith(WHOLE)
                                             else "%,.1f")
            for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}


def label(record: StoredScenario) -> str:
    """A scenario in a picker: name, when saved, id."""
    return f"{text.cut(record.name, 60)} · {record.created_at:%Y-%m-%d %H:%M} · {record.id}"


def city_label(c: StoredCity) -> str:
    return _("{name} ({n_districts:,} districts)").format(name=c.name, n_districts=c.n_districts)


def _notice(kind: str, message: str) -> None:
    state.push_notice((kind, message), keys.SCENARIOS_NOTICE)


def open_in_lab(scenario_id: str) -> None:
    """Callback of "Open in the Scenario lab": open it (and its city) in the sidebar."""
    address.open_scenario(scenario_id)


def opened(scenario_id: str) -> bool:
    saved = state.open_scenario()
    return saved is not None and saved.id == scenario_id


def duplicate(store: Store, scenario_id: str) -> None:
    """Callback of "Duplicate": a copy under a new id, then picked."""
    try:
        new_id = store.duplicate_scenario(scenario_id)
        copy = store.get_scenario(new_id)
    except StoreError as exc:
        _notice("error", _("Not duplicated: {exc}.").format(exc=exc))
        return
    state.set_widget_value(keys.SCENARIOS_PICK, new_id)
    _notice("success", _("Duplicated as {name} (id {new_id}).").format(name=text.quoted(copy.name),
                                                                       new_id=new_id))


def delete(store: Store, scenario_id: str) -> None:
    """Callback of "Delete": delete it (undo below); it is closed if it was open."""
    try:
        gone = store.delete_scenario(scenario_id)
    except StoreError as exc:
        _notice("error", _("Not deleted: {exc}.").format(exc=exc))
        return
    if opened(scenario_id):
        state.close_scenario()
    state.hold_deleted(gone)
    _notice("success", _("Deleted {name}.").format(name=text.quoted(gone.name)))


def undo_delete(store: Store) -> None:
    """Callback of "Undo": restore the scenario deleted last."""
    gone = state.deleted_scenario()
    if gone is None:
        return
    try:
        back = store.restore_scenario(gone.id)
    except StoreError as exc:
        _notice("error", _("Not restored: {exc}.").format(exc=exc))
        return
    state.hold_deleted(None)
    state.set_widget_value(keys.SCENARIOS_PICK, back.id)
    _notice("success", _("Restored {name}.").format(name=text.quoted(back.name)))


def update(store: Store, scenario_id: str, name_key: str, tags_key: str, notes_key: str) -> None:
    """Callback of "Save changes": the new name, tags and notes of a saved scenario."""
    try:
        changed = store.update_scenario(
            scenario_id, name=state.widget_value(name_key) or "",
            notes=state.widget_value(notes_key) or "",
            tags=[t.strip() for t in (state.widget_value(tags_key) or "").split(",") if t.strip()])
    except StoreError as exc:
        _notice("error", _("Not changed: {exc}.").format(exc=exc))
        return
    if opened(scenario_id):
        state.set_open_scenario(changed, {})
    _notice("success", _("Saved the changes to {name}.").format(name=text.quoted(changed.name)))
