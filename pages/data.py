"""Data: upload a city's boundaries and table, confirm the mapping, read the quality report,
then use the city on every page (the active city changes only when the new one is usable)."""

import pandas as pd
import streamlit as st

from core.intake import columns, degree_day_table, mapping, quality, staging
from core.intake.city import coverage_text
from dashboard import components, guard, keys, state
from dashboard.data import references, upload

city = state.active_city()

st.title("Data: bring your own city")
components.data_notice(city)
if notice := state.pop_notice():
    st.success(notice)
if state.active_city_key() != keys.DEFAULT_CITY_KEY:
    st.button("Back to the default city", key=keys.DATA_RESET, on_click=guard.callback(upload.back_to_default))
references.section(city)

st.header("1. Files")
left, right = st.columns(2)
b_up = upload.upload(left.file_uploader(
    "District boundaries (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet)",
    type=upload.BOUNDARY_TYPES, key=keys.DATA_BOUNDARIES))
a_up = upload.upload(right.file_uploader(
    "Attribute table, optional (CSV, XLSX, Parquet)", type=upload.TABLE_TYPES,
    key=keys.DATA_ATTRIBUTES))
dd_up = upload.upload(st.file_uploader(
    "Monthly degree days, optional (CSV: month, hdd_c, cdd_c in °C-days)", type=["csv"],
    key=keys.DATA_DEGREE_DAYS))
st.caption("With monthly consumption (electricity_kwh_01..12 or gas_kwh_01..12), the Energy "
           "model page splits each district's use into base load, heating and cooling by "
           "fitting it to these degree days. " + upload.DEGREE_DAYS_EXAMPLE)
degree_days, dd_error = upload.degree_days(dd_up)
if dd_error:
    st.warning(f"Degree days: {dd_error}. The city can still be used without them; the "
               "degree-day split on the Energy model page will be unavailable.")
elif degree_days is not None:
    st.success(f"Degree days accepted: {degree_day_table.describe(degree_days)}. They are attached to the "
               "city when you press **Use this city**.")
if b_up is None:
    st.info("Upload the district polygons to start; add a table when the attributes are in a "
            "separate file. Nothing changes for the other pages until you press "
            "**Use this city**.")
    st.stop()

layer_names, error = upload.layers(b_up)
if error:
    st.error(f"Boundaries: {error}")
    st.stop()
layer = (left.selectbox("Layer", layer_names, key=keys.DATA_LAYER)
         if len(layer_names) > 1 else None)
gdf, error = upload.boundaries(b_up, layer)
if error:
    st.error(f"Boundaries: {error}")
    st.stop()
tbl, error = upload.table(a_up)
if error:
    st.error(f"Attributes: {error}")
    st.stop()

st.header("2. Ids and columns")
b_cols, a_cols = mapping.source_columns(gdf, tbl)
saved_file = st.file_uploader("Load a saved mapping (JSON or YAML), optional",
                              type=["json", "yaml", "yml"], key=keys.DATA_MAPPING_FILE)
saved = None
if saved_file is not None:
    saved, error = upload.guarded(mapping.loads, saved_file.getvalue().decode("utf-8", "replace"),
                                  saved_file.name)
    if error:
        st.error(f"Mapping file: {error}")
        st.stop()
# The CLI's rule (mapping.merge): a loaded file overrides the suggestions; the table below
# starts from the result, and what the user sets there overrides both.
base = mapping.merge(mapping.suggest(a_cols, b_cols), saved)
ids_left, ids_right, crs_col = st.columns(3)
b_id = ids_left.selectbox("Id column in the boundaries", b_cols, key=keys.DATA_BOUNDARY_ID,
                          index=b_cols.index(base.id_column) if base.id_column in b_cols else 0)
a_id = (ids_right.selectbox("Id column in the table", a_cols, key=keys.DATA_ATTRIBUTE_ID,
                            index=a_cols.index(base.attributes_id)
                            if base.attributes_id in a_cols else 0) if a_cols else None)
crs = crs_col.text_input("CRS of the boundaries, if the file has none (e.g. EPSG:3435)",
                         value=base.crs or "", key=keys.DATA_CRS).strip() or None

st.caption("Suggested from your column names: check each row, pick the canonical column "
           "(empty = not used) and the unit it is given in (empty = the canonical unit, "
           "e.g. kWh, m², share). Tick *model feature* to keep another numeric column for the "
           "models.")
base = base.model_copy(update={"id_column": b_id, "attributes_id": a_id})
files_key = state.cache_key(b_up.digest, a_up.digest if a_up else None, layer)
editor_key = state.cache_key(files_key, b_id, a_id, saved_file.file_id if saved_file else None)
edited = st.data_editor(
    pd.DataFrame(mapping.to_rows(base, b_cols, a_cols), columns=list(mapping.ROW_COLUMNS)),
    hide_index=True, width="stretch", key=f"{keys.DATA_MAPPING_EDITOR}_{editor_key}",
    disabled=["column", "file"], column_config={
        "maps_to": st.column_config.SelectboxColumn("Maps to", options=[""] + list(
            columns.CANONICAL)),
        "unit": st.column_config.SelectboxColumn("Unit", options=mapping.unit_choices()),
        "model_feature": st.column_config.CheckboxColumn("Model feature")})
chosen, error = upload.guarded(lambda: mapping.from_rows(
    edited.to_dict("records"), id_column=b_id, attributes_id=a_id, layer=layer, crs=crs))
if error:
    st.error(f"Mapping: {error}")
    st.stop()
st.download_button("Save this mapping (JSON)", mapping.dump(chosen).encode(),
                   file_name="greenprint_mapping.json", mime="application/json")

st.header("3. Cleaning (each change is recorded in the lineage)")
c1, c2, c3 = st.columns(3)
cleaning = staging.Cleaning(
    drop_duplicate_rows=c1.checkbox("Drop exact duplicate rows", key=keys.DATA_DROP_DUPLICATES),
    ignore_leading_zeros=c2.checkbox("Match ids ignoring leading zeros ('01' = '1')",
                                     key=keys.DATA_IGNORE_ZEROS),
    exclude_ids=staging.parse_ids(c3.text_input("Exclude districts (ids, comma-separated)",
                                               key=keys.DATA_EXCLUDE)))
estimate_box = st.container()  # filled once the check says which columns are estimated
figures, figure_error = upload.figures()

st.header("4. Quality report")
checked_key = state.cache_key(files_key, chosen, cleaning, figures)  # what the city is made from
result, error = upload.validate(gdf, tbl, chosen, cleaning, figures, checked_key)
if error:
    st.error(error)
    st.stop()
report = result.report
with estimate_box:
    if figure_error:
        st.error(f"Estimates: {figure_error}. The city is checked with the reference figures "
                 "until this is fixed.")
    upload.figure_inputs(report.estimates)
m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("Districts (count)", f"{report.n_districts:,}", border=True)
m2.metric("With data (districts)", f"{report.n_with_data:,} of {report.n_districts:,}",
          border=True, help="districts with an attribute row and a population; the others "
                            "stay on the map as no data and are left out of the analyses")
m3.metric("Quality score (points of 100)", f"{report.score:.1f}", border=True,
          help=quality.SCORE_FORMULA)
m4.metric("Blocking problems (count)", len(report.blocking), border=True)
m5.metric("Warnings (count)", len(report.warnings), border=True)
for problem in report.blocking:
    st.error(str(problem))
if report.usable:
    st.success("No blocking problem: this city can be used.")
if coverage := coverage_text(report.n_with_data, report.n_districts):
    st.warning(f"{coverage}: {upload.few_ids(report.no_data_ids)}. Add their rows, or their "
               "population, to include them.")

map_col, legend_col = st.columns([5, 1])
deck, view = upload.score_deck(result.districts, report, checked_key)
map_col.pydeck_chart(deck, key=keys.DATA_MAP, height=560)  # the height the view fits
with legend_col:
    components.legend(view.legend, "Quality score (points of 100)")
st.caption(f"Quality score: {quality.SCORE_FORMULA}.")

tab_problems, tab_columns, tab_districts, tab_geometry, tab_lineage = st.tabs(
    ["Problems", "Columns", "Districts", "Overlaps and gaps", "Lineage"])
tab_problems.dataframe(report.problem_table(), hide_index=True)
tab_columns.dataframe(report.columns, hide_index=True, column_config={
    "completeness": st.column_config.ProgressColumn("Completeness (share)", min_value=0,
                                                    max_value=1, format="percent")})
tab_districts.dataframe(report.districts, hide_index=True, column_config={
    "score": st.column_config.NumberColumn("Score (points)", format="%.0f"),
    "missing_share": st.column_config.NumberColumn("Missing (share)", format="%.2f")})
tab_geometry.dataframe(report.overlaps, hide_index=True, column_config={
    "area_m2": st.column_config.NumberColumn("Overlap (m²)", format="%,.0f")})
tab_geometry.dataframe(report.gaps, hide_index=True, column_config={
    "area_m2": st.column_config.NumberColumn("Gap (m²)", format="%,.0f")})
tab_lineage.dataframe(pd.DataFrame({"change": report.lineage}), hide_index=True)

d1, d2 = st.columns(2)
d1.download_button("Download the report (CSV)", report.to_csv().encode(),
                   file_name="greenprint_quality.csv", mime="text/csv")
d2.download_button("Download the report (JSON)", report.to_json().encode(),
                   file_name="greenprint_quality.json", mime="application/json")

st.subheader("What this city supports")
if result.city is None:
    st.caption("Listed once no blocking problem remains.")
else:
    if coverage := result.city.coverage():
        st.caption(f"Every analysis below uses the districts with data: {coverage}.")
    st.dataframe(upload.capability_table(result.city, degree_days, dd_up, checked_key),
                 hide_index=True, column_config={
                     "analysis": "Analysis", "status": "Status",
                     "reason": "What it uses, or what would unlock it"})

st.header("5. Use this city")
name = st.text_input("City name", value=b_up.name.rsplit(".", 1)[0], key=keys.DATA_CITY_NAME)
usable = report.usable and not figure_error
st.button("Use this city", type="primary", key=keys.DATA_USE, disabled=not usable,
          on_click=guard.callback(upload.use_city),
          args=(result.city, name, checked_key, chosen,
                degree_days, dd_up if degree_days is not None else None),
          help=None if usable else "Fix the blocking problems (and the figures) first")
