"""Open data downloads on the portal: a released table as CSV, XLSX, GeoJSON and GeoParquet,
each a ZIP with its data dictionary and the release note (:mod:`core.release.package`),
built only when its button is clicked."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import streamlit as st

from core.i18n import _
from core.intake.city import City
from core.release import Released
from core.release import package as packages

#: the button of each format (core.release.package.FORMATS)
LABELS = {"csv": "CSV", "xlsx": "XLSX", "geojson": "GeoJSON", "geoparquet": "GeoParquet"}


def buttons(city: City, released: Released, name: str, title: str, key: str, *,
            interventions: Mapping[str, str] | None = None,
            renamed: Mapping[str, str] | None = None) -> None:
    """One download button per format for ``released`` (files named ``name``), keys
    ``<key>_<format>``. ``interventions`` and ``renamed``: as in
    :func:`core.release.package.package`."""
    st.caption(_("Open data: each download is a ZIP file with the data, its data dictionary "
                 "(column, meaning, unit, source, licence) and the release note. Figures the "
                 "release rule withholds are blank; the note says why."))
    for col, fmt in zip(st.columns(len(packages.FORMATS)), packages.FORMATS, strict=True):
        col.download_button(
            _("{what} (ZIP)").format(what=LABELS[fmt]),
            partial(packages.package, city, released, fmt, name=name, title=title,
                    interventions=interventions, renamed=renamed),
            file_name=f"{name}_{fmt}.zip", mime="application/zip", key=f"{key}_{fmt}",
            on_click="ignore", help=packages.FORMATS[fmt][1])
