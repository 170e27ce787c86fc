"""Methods & sources: where the data comes from, its licences, and how each number is made."""

import pandas as pd
import streamlit as st

from core import i18n, methods
from core.assess import indicators
from core.i18n import _, unit
from core.intake import lineage
from dashboard import components, portal, state, text

city = state.active_city()

st.title(_("Methods & sources"))
components.data_notice(city)

st.header(_("The active city"))
st.markdown(_("**{name}** — {n} districts.  \n**Source:** {source}").format(
    name=text.inline(city.name), n=city.n, source=text.inline(city.source)))
if city.lineage:
    st.markdown(_("**Lineage** (every change made to the data on its way in):"))
    st.dataframe(pd.DataFrame({"step": range(1, len(city.lineage) + 1),
                               "change": [lineage.shown(e) for e in city.lineage]}),
                 hide_index=True, column_config={"step": _("Step"), "change": _("Change")})
else:
    st.markdown(_("**Lineage:** the data was used as read; no changes were made."))

st.header(_("Reference values of the active city"))
refs = city.references
st.markdown(_("In use: {summary}. Where each factor, price, threshold and cost comes "
            "from is listed below; how a city elsewhere gives its own (a CSV on the Data page, "
            "or `--references FILE` on the command line) is explained under *Reference values* "
            "in *How the numbers are made*.").format(summary=text.money(refs.summary())))
refs_shown = refs.frame().assign(unit=lambda f: f["unit"].map(unit))  # units in the language
st.dataframe(refs_shown, hide_index=True, column_config={
    "name": _("Name"), "value": _("Value"), "unit": _("Unit"),
    "source": st.column_config.TextColumn(_("Source"), width="large"), "origin": _("From")})

st.header(_("Indicators"))
st.dataframe(pd.DataFrame([{"indicator": _(i.label),
                            "unit": unit(i.in_currency(refs.currency).unit),
                            "definition": _(i.description) if i.description else _("as observed"),
                            "needs": i.needs} for i in indicators.INDICATORS.values()]),
             hide_index=True, column_config={"indicator": _("Indicator"), "unit": _("Unit"),
                                             "definition": _("Definition"), "needs": _("Needs")})

st.header(_("Small areas: what the public portal releases"))
portal.release_section(city)

st.header(_("How the numbers are made"))
st.caption(_("Each note is the documentation of the code that computes the figures."))
for note in methods.notes(i18n.language()):
    with st.expander(_(note.title)):
        components.english_only_notice(note)
        st.markdown(note.text)

readme = methods.data_readme(i18n.language())
st.header(_(readme.title))
components.english_only_notice(readme)
st.markdown(readme.text)
