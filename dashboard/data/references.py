"""The Data page's reference values: the values in use with their sources, edited in a table
or replaced by an uploaded CSV, checked by core (core.intake.reference_values) and given to
the session's cities (dashboard.state.apply_references)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.i18n import N_, _, language, unit
from core.intake import reference_values
from core.intake.city import City
from core.intake.reference_values import ReferenceValues
from dashboard import guard, keys, state, text
from dashboard.data.upload import guarded

EDITED = N_("the Data page")  # origin of values edited in the table
SHOWN = list(reference_values.COLUMNS)


def _apply(refs: ReferenceValues | None, what: str) -> None:
    state.apply_references(refs)
    state.push_notice(what)


def _use_button(refs: ReferenceValues, label: str, key: str, what: str) -> None:
    st.button(label, key=key, type="primary", on_click=guard.callback(_apply),
              args=(refs, _("Reference values applied ({what}): {describe}.").format(
                  what=what, describe=refs.describe())))


def _shown(refs: ReferenceValues) -> pd.DataFrame:
    """The values as the table shows them: units and origins in the language in effect."""
    frame = refs.frame()
    return frame.assign(unit=frame["unit"].map(unit), origin=frame["origin"].map(_))


def _as_read(refs: ReferenceValues, table: pd.DataFrame) -> pd.DataFrame:
    """The edited table with the units core reads: a row that still shows its unit as
    :func:`_shown` wrote it gets its own unit back (row by row: two units may read alike in
    a language, "household" and "households" are both 户); a unit typed anew is kept."""
    own = refs.frame()["unit"]
    return table.assign(unit=[own[i] if i in own.index and u == unit(own[i]) else u
                              for i, u in table["unit"].items()])


def _edited(refs: ReferenceValues, table: pd.DataFrame) -> None:
    """Check the edited table; offer to apply it when it is valid and differs."""
    shown = refs.frame()[SHOWN].fillna("")
    rows = _as_read(refs, table)[SHOWN].fillna("").astype(str)
    if rows.reset_index(drop=True).equals(shown.astype(str).reset_index(drop=True)):
        return
    new, error = guarded(reference_values.overlay, refs, rows.to_dict("records"), EDITED)
    if error:
        st.error(_("Reference values: {error}").format(error=error))
        return
    st.info(_("Edited: {describe}.").format(describe=new.describe()))
    _use_button(new, _("Apply the edited values"), keys.DATA_REFERENCES_APPLY, "edited")


def _uploaded(file) -> None:
    """Check an uploaded reference file; offer to use it when it is valid."""
    new, error = guarded(reference_values.loads, file.getvalue(), file.name)
    if error:
        st.error(_("Reference values in {name}: {error}").format(name=file.name, error=error))
        return
    st.success(_("{name} is valid: {describe}.").format(name=file.name, describe=new.describe()))
    _use_button(new, _("Use the reference values of {name}").format(name=file.name),
                f"{keys.DATA_REFERENCES_APPLY}_file",
                file.name)


def section(city: City) -> None:
    """The "Reference values" section of the Data page for the active city."""
    refs = city.references
    st.header(_("Reference values"))
    st.markdown(_("In use: {summary}.").format(summary=text.money(refs.summary())))
    if refs.converted:
        st.warning(_("{n_converted} amount(s) are US defaults converted at "
                   "{usd_rate:g} {currency} per US dollar "
                   "({join}): give the city's own below.").format(
                       n_converted=len(refs.converted), usd_rate=refs.usd_rate,
                       currency=refs.currency, join=', '.join(e.name for e in refs.converted)))
    with st.expander(_("Values in use, with their sources (edit, upload or download)")):
        st.caption(_("Every page computes carbon, bills, burden and the plan with these values. "
                   "Edit a value together with its source, or upload a CSV with the columns "
                   "name, value, unit, source (one row per value; a file gives only what it "
                   "changes, the rest comes from the US tables; a currency other than the "
                   "US dollar needs the row usd_exchange_rate). The grid path is one row per "
                   "year, "
                   "grid_factor_<year>. data/examples/references_uk.csv is an example."))
        table = st.data_editor(_shown(refs), hide_index=True, width="stretch",
                               num_rows="dynamic", disabled=["origin"],
                               key=f"{keys.DATA_REFERENCES_EDITOR}_{refs.key}_{language()}",
                               column_config={
                                   "name": st.column_config.TextColumn(_("Name")),
                                   "value": st.column_config.TextColumn(_("Value")),
                                   "unit": st.column_config.TextColumn(_("Unit")),
                                   "source": st.column_config.TextColumn(_("Source"),
                                                                         width="large"),
                                   "origin": st.column_config.TextColumn(_("From"))})
        _edited(refs, table)
        file = st.file_uploader(_("Reference values (CSV: name, value, unit, source)"),
                                type=["csv"], key=keys.DATA_REFERENCES_FILE)
        if file is not None:
            _uploaded(file)
        left, right = st.columns(2)
        left.download_button(_("Download these values (CSV)"), refs.to_csv().encode(),
                             file_name="greenprint_references.csv", mime="text/csv")
        if state.references() is not None:
            right.button(_("Back to the city's own reference values"),
                         key=keys.DATA_REFERENCES_RESET,
                         on_click=guard.callback(_apply),
                         args=(None, _("Reference values: back to the city's own.")))
