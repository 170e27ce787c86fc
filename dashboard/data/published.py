"""The Data page on the portal: the city's published data (its districts' figures through the
release rule), where it comes from, and the open data downloads; nothing to upload."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.assess import indicators
from core.assess.dictionary import dictionary, licence
from core.i18n import _
from core.intake import lineage
from core.intake.city import City
from core.release.package import published_table
from dashboard import components, downloads, keys, portal


def section(city: City) -> None:
    """The city's released figures, their dictionary, lineage and downloads."""
    table, release = portal.indicator_table()
    st.markdown(_("**Source:** {source}  \n**Licence:** {licence}").format(
        source=city.source, licence=licence(city)))
    st.header(_("The figures of every district"))
    shown = published_table(release)
    st.dataframe(shown, hide_index=True,
                 column_config=components.column_config(indicators.in_table(table)))
    st.caption(_(portal.BLANK_NOTE))
    downloads.buttons(city, release, "greenprint_city_data", _("District data"),
                      keys.DATA_DOWNLOADS)
    st.header(_("Data dictionary"))
    st.dataframe(dictionary([*shown.columns, "geometry"], city), hide_index=True)
    st.header(_("Lineage"))
    if city.lineage:
        st.dataframe(pd.DataFrame({"change": [lineage.shown(e) for e in city.lineage]}),
                     hide_index=True)
    else:
        st.caption(_("The data was used as read; no changes were made."))
