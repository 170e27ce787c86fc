"""Methods & sources: where the data comes from, its licences, and how each number is made."""

import pandas as pd
import streamlit as st

from core import methods, paths
from core.assess import indicators
from dashboard import components, state

city = state.active_city()

st.title("Methods & sources")
components.data_notice(city)

st.header("The active city")
st.markdown(f"**{city.name}** — {city.n} districts.  \n**Source:** {city.source}")
if city.lineage:
    st.markdown("**Lineage** (every change made to the data on its way in):")
    st.dataframe(pd.DataFrame({"step": range(1, len(city.lineage) + 1), "change": city.lineage}),
                 hide_index=True)
else:
    st.markdown("**Lineage:** the data was used as read; no changes were made.")

st.header("Reference values of the active city")
refs = city.references
st.markdown(f"In use: {refs.summary()}. Where each factor, price, threshold and cost comes "
            "from is listed below; how a city elsewhere gives its own (a CSV on the Data page, "
            "or `--references FILE` on the command line) is explained under *Reference values* "
            "in *How the numbers are made*.")
st.dataframe(refs.frame(), hide_index=True, column_config={
    "name": "Name", "value": "Value", "unit": "Unit",
    "source": st.column_config.TextColumn("Source", width="large"), "origin": "From"})

st.header("Indicators")
st.dataframe(pd.DataFrame([{"indicator": i.label, "unit": i.in_currency(refs.currency).unit,
                            "definition": i.description or "as observed",
                            "needs": i.needs} for i in indicators.INDICATORS.values()]),
             hide_index=True)

st.header("How the numbers are made")
st.caption("Each note is the documentation of the code that computes the figures.")
for title, text in methods.notes():
    with st.expander(title):
        st.markdown(text)

st.header("Data, provenance and licences")
st.markdown(paths.DATA_README.read_text(encoding="utf-8"))
