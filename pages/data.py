"""Data: upload a city's boundaries and table, confirm the mapping, read the quality report,
then use the city on every page (the active city changes only when the new one is usable)."""

import pandas as pd
import streamlit as st

from core.assess import summary
from core.i18n import _, number
from core.intake import columns, degree_day_table, lineage, mapping, quality, staging
from core.intake.city import coverage_text
from dashboard import components, guard, keys, portal, state
from dashboard.data import published, references, upload

city = state.active_city()

st.title(_("Data") if portal.active() else _("Data: bring your own city"))
components.data_notice(city)
if portal.active():  # the portal: the city's published data and downloads, no uploads
    published.section(city)
    st.stop()
if notice := state.pop_notice():
    st.success(notice)
if state.active_city_key() != keys.DEFAULT_CITY_KEY:
    st.button(_("Back to the default city"), key=keys.DATA_RESET,
              on_click=guard.callback(upload.back_to_default))
references.section(city)

st.header(_("1. Files"))
left, right = st.columns(2)
b_up = upload.upload(left.file_uploader(
    _("District boundaries (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet)"),
    type=upload.BOUNDARY_TYPES, key=keys.DATA_BOUNDARIES))
a_up = upload.upload(right.file_uploader(
    _("Attribute table, optional (CSV, XLSX, Parquet)"), type=upload.TABLE_TYPES,
    key=keys.DATA_ATTRIBUTES))
encoding = None
if detected := upload.legacy_encoding(a_up):  # a text table that is not UTF-8: which is it?
    encoding = right.selectbox(
        _("Encoding of the attribute table (it is not UTF-8)"),
        upload.encoding_choices(detected), format_func=upload.encoding_label,
        key=f"{keys.DATA_ENCODING}_{a_up.digest}",
        help=_("Detected from the file: {encoding}. If names look wrong (e.g. '£ódŸ' for 'Łódź'), "
               "choose the encoding the table was saved in; a table saved as UTF-8 needs no "
               "choice.").format(encoding=detected))
dd_up = upload.upload(st.file_uploader(
    _("Monthly degree days, optional (CSV: month, hdd_c, cdd_c in °C-days)"), type=["csv"],
    key=keys.DATA_DEGREE_DAYS))
st.caption(_("With monthly consumption (electricity_kwh_01..12 or gas_kwh_01..12), the Energy "
             "model page splits each district's use into base load, heating and cooling by "
             "fitting it to these degree days.") + " " + _(upload.DEGREE_DAYS_EXAMPLE).format(
                 relative_to=upload.DEGREE_DAYS_FILE))
degree_days, dd_error = upload.degree_days(dd_up)
if dd_error:
    st.warning(_("Degree days: {dd_error}. The city can still be used without them; the "
               "degree-day split on the Energy model page will be unavailable.").format(
                   dd_error=dd_error))
elif degree_days is not None:
    st.success(_("Degree days accepted: {describe}. They are attached to the "
               "city when you press **Use this city**.").format(
                   describe=degree_day_table.describe(degree_days)))
if b_up is None:
    st.info(_("Upload the district polygons to start; add a table when the attributes are in a "
            "separate file. Nothing changes for the other pages until you press "
            "**Use this city**."))
    st.stop()

layer_names, error = upload.layers(b_up)
if error:
    st.error(_("Boundaries: {error}").format(error=error))
    st.stop()
layer = (left.selectbox(_("Layer"), layer_names, key=keys.DATA_LAYER)
         if len(layer_names) > 1 else None)
gdf, error = upload.boundaries(b_up, layer)
if error:
    st.error(_("Boundaries: {error}").format(error=error))
    st.stop()
tbl, error = upload.table(a_up, encoding)
if error:
    st.error(_("Attributes: {error}").format(error=error))
    st.stop()

st.header(_("2. Ids and columns"))
b_cols, a_cols = mapping.source_columns(gdf, tbl)
saved_file = st.file_uploader(_("Load a saved mapping (JSON or YAML), optional"),
                              type=["json", "yaml", "yml"], key=keys.DATA_MAPPING_FILE)
saved = None
if saved_file is not None:
    saved, error = upload.guarded(mapping.loads, saved_file.getvalue().decode("utf-8", "replace"),
                                  saved_file.name)
    if error:
        st.error(_("Mapping file: {error}").format(error=error))
        st.stop()
# The CLI's rule (mapping.merge): a loaded file overrides the suggestions; the table below
# starts from the result, and what the user sets there overrides both.
files_key = state.cache_key(b_up.digest, a_up.digest if a_up else None, layer, encoding)
base = mapping.merge(upload.suggested(a_cols, b_cols, gdf, tbl, files_key), saved)
ids_left, ids_right, crs_col = st.columns(3)
b_id = ids_left.selectbox(_("Id column in the boundaries"), b_cols, key=keys.DATA_BOUNDARY_ID,
                          index=b_cols.index(base.id_column) if base.id_column in b_cols else 0)
a_id = (ids_right.selectbox(_("Id column in the table"), a_cols, key=keys.DATA_ATTRIBUTE_ID,
                            index=a_cols.index(base.attributes_id)
                            if base.attributes_id in a_cols else 0) if a_cols else None)
crs = crs_col.text_input(_("CRS of the boundaries, if the file has none (e.g. EPSG:3435)"),
                         value=base.crs or "", key=keys.DATA_CRS).strip() or None

st.caption(_("Suggested from your column names: check each row, pick the canonical column "
           "(empty = not used) and the unit it is given in (empty = the canonical unit, "
           "e.g. kWh, m², share). Tick *model feature* to keep another numeric column for the "
           "models."))
base = base.model_copy(update={"id_column": b_id, "attributes_id": a_id})
editor_key = state.cache_key(files_key, b_id, a_id, saved_file.file_id if saved_file else None)
edited = st.data_editor(
    pd.DataFrame(mapping.to_rows(base, b_cols, a_cols), columns=list(mapping.ROW_COLUMNS)),
    hide_index=True, width="stretch", key=f"{keys.DATA_MAPPING_EDITOR}_{editor_key}",
    disabled=["column", "file"], column_config={
        "maps_to": st.column_config.SelectboxColumn(_("Maps to"), options=[""] + list(
            columns.CANONICAL)),
        "unit": st.column_config.SelectboxColumn(_("Unit"), options=mapping.unit_choices()),
        "model_feature": st.column_config.CheckboxColumn(_("Model feature"))})
chosen, error = upload.guarded(lambda: mapping.from_rows(
    edited.to_dict("records"), id_column=b_id, attributes_id=a_id, layer=layer, crs=crs,
    encoding=encoding))
if error:
    st.error(_("Mapping: {error}").format(error=error))
    st.stop()
st.download_button(_("Save this mapping (JSON)"), mapping.dump(chosen).encode(),
                   file_name="greenprint_mapping.json", mime="application/json")

st.header(_("3. Cleaning (each change is recorded in the lineage)"))
c1, c2, c3 = st.columns(3)
cleaning = staging.Cleaning(
    drop_duplicate_rows=c1.checkbox(_("Drop exact duplicate rows"), key=keys.DATA_DROP_DUPLICATES),
    ignore_leading_zeros=c2.checkbox(_("Match ids ignoring leading zeros ('01' = '1')"),
                                     key=keys.DATA_IGNORE_ZEROS),
    exclude_ids=staging.parse_ids(c3.text_input(_("Exclude districts (ids, comma-separated)"),
                                               key=keys.DATA_EXCLUDE)))
estimate_box = st.container()  # filled once the check says which columns are estimated
figures, figure_error = upload.figures()

st.header(_("4. Quality report"))
checked_key = state.cache_key(files_key, chosen, cleaning, figures)  # what the city is made from
result, error = upload.validate(gdf, tbl, chosen, cleaning, figures, checked_key)
if error:
    st.error(error)
    st.stop()
report = result.report
with estimate_box:
    if figure_error:
        st.error(_("Estimates: {figure_error}. The city is checked with the reference figures "
                 "until this is fixed.").format(figure_error=figure_error))
    upload.figure_inputs(report.estimates)
m1, m2, m3, m4, m5 = st.columns(5)
m1.metric(_("Districts (count)"), number(report.n_districts), border=True)
m2.metric(_("With data (districts)"), _("{n_with_data:,} of {n_districts:,}").format(
    n_with_data=report.n_with_data, n_districts=report.n_districts),
          border=True, help=_("districts with an attribute row and a population; the others "
                            "stay on the map as no data and are left out of the analyses"))
m3.metric(_("Quality score (points of 100)"), number(report.score, 1), border=True,
          help=_(quality.SCORE_FORMULA))
m4.metric(_("Blocking problems (count)"), len(report.blocking), border=True)
m5.metric(_("Warnings (count)"), len(report.warnings), border=True)
for problem in report.blocking:
    st.error(quality.problem_text(problem))
if report.usable:
    st.success(_("No blocking problem: this city can be used."))
if coverage := coverage_text(report.n_with_data, report.n_districts):
    st.warning(_("{coverage}: {few_ids}. Add their rows, or their "
               "population, to include them.").format(coverage=coverage,
                                                      few_ids=upload.few_ids(report.no_data_ids)))

map_col, legend_col = st.columns([5, 1])
with map_col:
    view = upload.score_map(result.districts, report, checked_key, height=560)
with legend_col:
    components.legend(view.legend, _("Quality score (points of 100)"))
components.map_text(summary.of_choropleth(view, 1))
st.caption(_("Quality score: {score_formula}.").format(
    score_formula=_(quality.SCORE_FORMULA)))

tab_problems, tab_columns, tab_districts, tab_geometry, tab_lineage = st.tabs(
    [_("Problems"), _("Columns"), _("Districts"), _("Overlaps and gaps"), _("Lineage")])
tab_problems.dataframe(report.problem_table(), hide_index=True)
tab_columns.dataframe(report.columns, hide_index=True, column_config={
    "completeness": st.column_config.ProgressColumn(_("Completeness (share)"), min_value=0,
                                                    max_value=1, format="percent")})
tab_districts.dataframe(report.districts, hide_index=True, column_config={
    "score": st.column_config.NumberColumn(_("Score (points)"), format="%.0f"),
    "missing_share": st.column_config.NumberColumn(_("Missing (share)"), format="%.2f")})
tab_geometry.dataframe(report.overlaps, hide_index=True, column_config={
    "area_m2": st.column_config.NumberColumn(_("Overlap (m²)"), format="%,.0f")})
tab_geometry.dataframe(report.gaps, hide_index=True, column_config={
    "area_m2": st.column_config.NumberColumn(_("Gap (m²)"), format="%,.0f")})
tab_lineage.dataframe(pd.DataFrame({"change": [lineage.shown(e) for e in report.lineage]}),
                      hide_index=True)

d1, d2 = st.columns(2)
d1.download_button(_("Download the report (CSV)"), report.to_csv().encode(),
                   file_name="greenprint_quality.csv", mime="text/csv")
d2.download_button(_("Download the report (JSON)"), report.to_json().encode(),
                   file_name="greenprint_quality.json", mime="application/json")

st.subheader(_("What this city supports"))
if result.city is None:
    st.caption(_("Listed once no blocking problem remains."))
else:
    if coverage := result.city.coverage():
        st.caption(_("Every analysis below uses the districts with data: {coverage}.").format(
            coverage=coverage))
    st.dataframe(upload.capability_table(result.city, degree_days, dd_up, checked_key),
                 hide_index=True, column_config={
                     "analysis": _("Analysis"), "status": _("Status"),
                     "reason": _("What it uses, or what would unlock it")})

st.header(_("5. Use this city"))
stem = b_up.name.rsplit(".", 1)[0].strip() or b_up.name
name = st.text_input(_("City name"), value=stem, key=keys.DATA_CITY_NAME).strip() or stem
usable = report.usable and not figure_error
st.button(_("Use this city"), type="primary", key=keys.DATA_USE, disabled=not usable,
          on_click=guard.callback(upload.use_city),
          args=(result.city, name, checked_key, chosen,
                degree_days, dd_up if degree_days is not None else None),
          help=None if usable else _("Fix the blocking problems (and the figures) first"))
