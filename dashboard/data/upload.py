"""The Data page's plumbing: cached reading of uploads, validation, switching the active city.

Everything that decides anything lives in core (readers, mapping, intake, quality);
this module only caches it per upload and turns errors into messages.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd
import streamlit as st

from core import capabilities, i18n, paths
from core.assess import maps, summary
from core.errors import CityValidationError, InputError
from core.intake import degree_day_table, estimates, mapping, quality, readers
from core.intake.city import City, Validation, validate_city
from core.intake.mapping import ColumnMapping
from core.intake.staging import Cleaning
from core.settings import get_settings
from dashboard import components, guard, keys, state, text

BOUNDARY_TYPES = [s.lstrip(".") for s in readers.BOUNDARY_SUFFIXES]
TABLE_TYPES = [s.lstrip(".") for s in readers.TABLE_SUFFIXES]
SCORE_CLASSES = 5
# Parsed uploads are shared by every session (keyed by content digest, so the same file is
# held once), at most 8 per step, and dropped GREENPRINT_CACHE_TTL_S after their last use.
CACHE = {"max_entries": 8, "ttl": get_settings().cache_ttl_s}


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes
    digest: str


def upload(file) -> Upload | None:
    """The bytes of an ``st.file_uploader`` value (None when nothing is uploaded)."""
    if file is None:
        return None
    data = file.getvalue()
    return Upload(file.name, data, state.content_digest(data))


#: where on the Data page each setting an InputError can name is given
SETTING_WIDGETS = {"crs": i18n.N_("in the CRS box under 2. Ids and columns"),
                   "layer": i18n.N_("in the Layer box under the boundaries"),
                   "encoding": i18n.N_("in the Encoding box under the attribute table")}


def guarded(fn: Callable, *args):
    """``(result, None)`` or ``(None, message)``: users see what to fix, never a traceback."""
    try:
        return fn(*args), None
    except InputError as exc:
        where = i18n._(SETTING_WIDGETS.get(exc.setting or "", ""))
        return None, f"{exc} ({where})" if where else str(exc)
    except CityValidationError as exc:  # str(exc), in the language in effect
        return None, "\n".join([i18n._("the city data has problems:"),
                                *(f"- {quality.problem_text(p)}" for p in exc.problems)])
    except Exception as exc:  # a reader library failing in a new way: still a message
        error_id = guard.logged(exc, getattr(fn, "__qualname__", "upload"))
        return None, (i18n._("the file could not be used ({error_type}: "
                      "{library_message}; error id {error_id})").format(
                          error_type=type(exc).__name__,
                          library_message=readers.library_message(exc), error_id=error_id))


@st.cache_resource(**CACHE, show_spinner="Reading the boundaries…")
def _layers(_data: bytes, name: str, digest: str) -> list[str]:
    return readers.boundary_layers_bytes(name, _data)


@st.cache_resource(**CACHE, show_spinner="Reading the boundaries…")
def _boundaries(_data: bytes, name: str, digest: str, layer: str | None) -> gpd.GeoDataFrame:
    return readers.read_boundaries_bytes(name, _data, layer=layer)


@st.cache_resource(**CACHE, show_spinner="Reading the table…")
def _table(_data: bytes, name: str, digest: str, encoding: str | None) -> pd.DataFrame:
    return readers.read_table_bytes(name, _data, encoding)


@st.cache_resource(**CACHE, show_spinner=False)
def _legacy_encoding(_data: bytes, name: str, digest: str) -> str | None:
    return readers.legacy_encoding(name, _data)


def legacy_encoding(u: Upload | None) -> str | None:
    """The encoding guessed for an uploaded text table that is not Unicode (no byte-order
    mark, not UTF-8); None for any other upload, which needs no choice of encoding."""
    return None if u is None else _legacy_encoding(u.data, u.name, u.digest)


def encoding_choices(detected: str) -> list[str]:
    """The encodings the Data page offers: the detected one first, then readers.ENCODINGS."""
    return [detected] + [e for e in readers.ENCODINGS if e != detected]


def encoding_label(codec: str) -> str:
    """``cp1250 (Central European)``: a codec name with its script or region, translated."""
    script = readers.ENCODINGS.get(codec)
    return i18n._("{codec} ({script})").format(codec=codec, script=i18n._(script)) if script \
        else codec


@st.cache_resource(**CACHE, show_spinner=False)
def _suggested(a_cols: tuple[str, ...], b_cols: tuple[str, ...], _boundaries: gpd.GeoDataFrame,
               _table: pd.DataFrame | None, files_key: str) -> ColumnMapping:
    return mapping.suggest(list(a_cols), list(b_cols), boundaries=_boundaries, table=_table)


def suggested(a_cols: list[str], b_cols: list[str], boundaries: gpd.GeoDataFrame,
              table: pd.DataFrame | None, files_key: str) -> ColumnMapping:
    """:func:`core.intake.mapping.suggest` for the uploaded files (``files_key``: their
    digests, layer and encoding), once per files: matching the id columns by their values
    reads every boundary column."""
    return _suggested(tuple(a_cols), tuple(b_cols), boundaries, table, files_key)


def layers(u: Upload):
    return guarded(_layers, u.data, u.name, u.digest)


def boundaries(u: Upload, layer: str | None):
    return guarded(_boundaries, u.data, u.name, u.digest, layer)


def table(u: Upload | None, encoding: str | None = None):
    """``(table, None)``, ``(None, message)``, or ``(None, None)`` when nothing is uploaded;
    ``encoding``: the user's choice for a table that is not UTF-8 (None: detected)."""
    return (None, None) if u is None else guarded(_table, u.data, u.name, u.digest, encoding)


@st.cache_resource(**CACHE, show_spinner=False)
def _degree_days(_data: bytes, name: str, digest: str) -> pd.DataFrame:
    buf = io.BytesIO(_data)
    buf.name = name  # the error message names the file
    return degree_day_table.read_degree_days(buf)


def degree_days(u: Upload | None):
    """``(table, None)``, ``(None, message)``, or ``(None, None)`` when nothing is uploaded."""
    return (None, None) if u is None else guarded(_degree_days, u.data, u.name, u.digest)


DEGREE_DAYS_EXAMPLE = (i18n.N_("One row per month: `month` (1 to 12), `hdd_c` and `cdd_c` "
                       "(heating and "
                       "cooling degree days, °C-days); other columns are ignored. The bundled "
                       "example is `{relative_to}` "
                       "(Chicago O'Hare normals 1991-2020, base 18.33 °C)."))
DEGREE_DAYS_FILE = paths.DEFAULT_DEGREE_DAYS.relative_to(paths.ROOT)  # DEGREE_DAYS_EXAMPLE's file


@st.cache_resource(**CACHE, show_spinner="Checking the data…")
def _validate(_gdf, _table, _mapping, _cleaning, _figures, key: str) -> Validation:
    result = validate_city(_gdf, _table, _mapping, _cleaning, figures=_figures)
    _ = result.report  # built here, under the spinner, and cached with the result
    return result


def validate(gdf, tbl, mapping: ColumnMapping, cleaning: Cleaning, figures: dict[str, float],
             key: str):
    """``(validation, None)`` or ``(None, message)``, cached on ``key``: the
    :func:`dashboard.state.cache_key` of the files, the mapping, the cleaning choices and
    the figures (:func:`figures`)."""
    return guarded(_validate, gdf, tbl, mapping, cleaning, figures, key)


def figure_key(name: str) -> str:
    """The widget key of the number input for figure ``name``."""
    return f"{keys.DATA_ESTIMATE}_{name}"


def figures() -> tuple[dict[str, float], str | None]:
    """The figures the user changed on this page (those that differ from
    data/estimate_parameters.csv), checked: ``(figures, None)``, or ``({}, message)`` when one
    is not valid (the city is then checked with the table's figures and cannot be used)."""
    reference = estimates.reference_figures()
    given = {name: state.widget_value(figure_key(name)) for name in reference
             if state.widget_value(figure_key(name)) is not None}
    changed = {n: v for n, v in given.items() if v != reference[n].value}
    checked, error = guarded(lambda: {n: estimates.checked_value(n, v)
                                      for n, v in changed.items()})
    return checked or {}, error


def figure_inputs(estimated: dict[str, estimates.Estimate]) -> None:
    """Each estimate's caption and a number input for each figure it uses."""
    if not estimated:
        st.caption(
            i18n._("No column needs estimating: the data has every column the analyses use."))
        return
    st.markdown(i18n._("**Estimated columns** (absent from the data; change a figure for "
                "this city, "
                "or map the city's own column to replace the estimate)"))
    for e in estimated.values():
        st.caption(e.caption() + ".")
        for f in e.figures:
            st.number_input(i18n._("{name} ({unit}) for {column}").format(
                name=f.name, unit=i18n.unit(f.unit), column=e.column), value=f.reference,
                            format="%g", key=figure_key(f.name),
                            help=i18n._("{reference:g} {unit} from data/estimate_parameters.csv; "
                                 "source: {source}").format(reference=f.reference, unit=i18n.unit(f.unit),
                                                            source=f.source))


def use_city(city: City, name: str, key: str, mapping: ColumnMapping | None = None,
             degree_days: pd.DataFrame | None = None,
             degree_days_file: Upload | None = None) -> None:
    """Make a validated city the active one and save it in the store (button callback).

    ``key`` says what the city was made from (files, mapping, cleaning); ``mapping`` is
    saved with it; an accepted monthly degree-day table (from ``degree_days_file``) is
    attached and recorded."""
    named = replace(city, name=name,
                    source=i18n._("uploaded by the user: {name}").format(name=name))
    degree_days_digest = None
    if degree_days is not None and degree_days_file is not None:
        named = degree_day_table.attach(named, degree_days, degree_days_file.name)
        degree_days_digest = degree_days_file.digest
    state.set_active_city(named.with_display(get_settings().display_tolerance_share),
                          state.cache_key(key, name, degree_days_digest), mapping)
    with_dd = i18n._(", with its monthly degree days,") if named.degree_days is not None else ""
    kept = (i18n._("it is saved: this page's address (?city=...) reopens it after a reload or a "
            "restart") if state.city_id()
            else i18n._("for this session only (it could not be saved)"))
    state.push_notice(i18n._("Every page now shows {name} ({n:,} districts){with_dd}; "
                             "{kept}.").format(name=text.inline(name), n=city.n, with_dd=with_dd,
                                               kept=kept))


def back_to_default() -> None:
    state.reset_to_default()
    state.push_notice(i18n._("Back to the default city."))


@st.cache_data(**CACHE, show_spinner=False)
def _capability_table(_city: City, _degree_days: pd.DataFrame | None, name: str | None,
                      key: str) -> pd.DataFrame:
    city = _city if _degree_days is None else degree_day_table.attach(_city, _degree_days, name)
    return pd.DataFrame([c.to_dict() for c in capabilities.capabilities(city)])


def capability_table(city: City, degree_days: pd.DataFrame | None, degree_days_file: Upload | None,
                     key: str) -> pd.DataFrame:
    """What the checked city supports (core.capabilities), once per city and degree-day file."""
    digest = degree_days_file.digest if degree_days is not None and degree_days_file else None
    return _capability_table(city, degree_days, degree_days_file.name if digest else None,
                             state.cache_key(key, digest))


@st.cache_resource(**CACHE, show_spinner=False)
def _preview(_districts: gpd.GeoDataFrame, key: str) -> City:
    preview = City(districts=_districts, name="preview", source="")
    return preview.with_display(get_settings().display_tolerance_share)


SHOWN_IDS = 20  # district ids listed in a message before "and N more"


def few_ids(ids: tuple[str, ...] | list[str]) -> str:
    """Ids for a message: the first :data:`SHOWN_IDS`, then how many more (the report's
    downloads list them all)."""
    more = len(ids) - SHOWN_IDS
    return ", ".join(ids[:SHOWN_IDS]) + (i18n._(" and {more} more (all in the report's "
                                                "downloads)").format(more=more)
                                         if more > 0 else "")


def score_map(districts: gpd.GeoDataFrame, report: quality.QualityReport, key: str,
              height: int) -> maps.Choropleth:
    """Draw the preview map (simplified boundaries, ``height`` px): districts coloured by
    quality score (points of 100), districts without data drawn as no data; its view."""
    no_data = report.districts["district_id"].isin(set(report.no_data_ids)).to_numpy()
    view = maps.choropleth(report.districts, "score", i18n._("Quality score"), "points", 0,
                           "equal_interval", SCORE_CLASSES, no_data=no_data)
    preview = _preview(districts, key)
    tooltip = i18n._("<b>{name}</b> ({district_id})<br/>quality score {value_text} of 100 points")
    components.district_map(preview, view.properties, view.fill, tooltip, key=keys.DATA_MAP,
                            height=height, label=summary.of_choropleth(view, 1).summary)
    return view
