"""Energy model: cross-validated accuracy of the network and two baselines, residuals,
intervals, the districts whose energy it predicts, the degree-day split, retraining and the
model card."""

import streamlit as st

from core.assess import maps
from core.intake import columns
from core.models import metrics, predicted, yardstick
from core.models.features import available_targets
from dashboard import components, keys, state

LEVEL = f"{metrics.INTERVAL_LEVEL * 100:g}"  # the prediction intervals' level, %
DASH = "–"  # what a table shows for a missing value (Streamlit's default is "None")

#: How each verdict is shown: never a green box for a model that is not good.
SHOW_VERDICT = {"good": st.success, "fair": st.info, "poor": st.warning}

city = state.active_city()
st.title("Energy model")
components.data_notice(city)

if not available_targets(city):
    st.info("No energy model for this city: it has no observed annual electricity_kwh or "
            "gas_kwh. Map your consumption columns onto them on upload to train one.")
    st.stop()

st.caption("A small neural network (Linear-ReLU-Linear-ReLU-Linear, a deep ensemble) predicts "
           "annual electricity and gas per district from the city's own data. It is measured "
           "against two baselines on the same cross-validation folds; the one with the lowest "
           "CV(RMSE) is used.")
if note := predicted.summary(city):
    st.info(f"{note}. Those values are the used model's predictions with their {LEVEL} % "
            "interval (outlined on the maps); they are never training rows.")
loading = st.progress(0.0, text="Loading the energy model…")
# The model code imports PyTorch (about 3 s in a fresh server process): it is imported here,
# below the title and the progress bar, so that the page shows them at once.
from core.models import cross_validation, degree_days  # noqa: E402
from core.models.model_card import LIMITS, verdicts  # noqa: E402
from dashboard.energy_model import charts, results  # noqa: E402

folds_col, seed_col, button_col = st.columns([2, 1, 1], vertical_alignment="bottom")
fold_choices = [5, 10] + ([0] if city.n <= cross_validation.LOO_MAX_DISTRICTS else [])
folds = folds_col.selectbox("Cross-validation", fold_choices, key=keys.MODEL_FOLDS,
                            format_func=lambda k: "leave-one-out" if k == 0 else f"{k}-fold")
seed = seed_col.number_input("Seed", min_value=0, max_value=1_000_000, value=0,
                             key=keys.MODEL_SEED)
retrain = button_col.button("Retrain", key=keys.MODEL_RETRAIN, type="primary")
ev = results.evaluation(city, folds, seed, retrain, loading)
st.caption(f"{ev.folds}-fold cross-validation, seed {ev.config.seed}, {ev.config.members} "
           f"ensemble members per fold, device {ev.device}, {ev.seconds:.1f} s. The networks "
           f"predict the {ev.scale} from {len(ev.features)} features: {', '.join(ev.features)}.")

for target, why in ev.unavailable.items():
    st.warning(f"{columns.label_of(target)} is not modelled: {why}.")
if not ev.targets:
    st.stop()
crit = yardstick.criteria()
cards = st.columns(len(ev.targets))
for card, (target, result) in zip(cards, ev.targets.items(), strict=True):
    chosen = result.scores[result.selected]
    card.metric(f"{columns.label_of(target)}: CV(RMSE) of the selected model",
                f"{chosen.cv_rmse:.1%}", help=cross_validation.MODEL_NAMES[result.selected],
                border=True)
for target, verdict in verdicts(ev, city).items():
    SHOW_VERDICT[verdict.band](f"{verdict.text} {ev.targets[target].reason}")

st.subheader("Model and baselines, side by side")
st.dataframe(cross_validation.scores_table(ev), hide_index=True, placeholder=DASH, column_config={
    "cv_rmse_pct": st.column_config.NumberColumn("CV(RMSE) (%)", format="%.1f"),
    "nmbe_pct": st.column_config.NumberColumn("NMBE (%)", format="%.1f"),
    "r2": st.column_config.NumberColumn("R² (-)", format="%.3f"),
    "coverage_90_pct": st.column_config.NumberColumn(f"{LEVEL} % interval coverage (%)",
                                                     format="%.1f"),
    "meets_ashrae": st.column_config.CheckboxColumn("Meets ASHRAE G14"),
    "verdict": st.column_config.TextColumn("Verdict"),
    "selected": st.column_config.CheckboxColumn("Used"),
})
fair = yardstick.criteria("hourly")
st.caption(f"ASHRAE Guideline 14 yardstick: CV(RMSE) ≤ {crit['cv_rmse_max']:.0%} and "
           f"NMBE within ±{crit['nmbe_abs_max']:.0%} (written for monthly calibration; "
           "applied here to annual district totals). Verdict: good within those limits; fair "
           f"within the guideline's looser hourly limits ({fair['cv_rmse_max']:.0%}, "
           f"±{fair['nmbe_abs_max']:.0%}), Greenprint's reading; poor beyond both. Metrics are "
           "out-of-fold: every district is predicted by models that never saw it. NMBE > 0 "
           f"means under-prediction (ASHRAE Guideline 14 sign). {DASH} in the coverage column: "
           "the baselines give no interval, only the network does.")

preds = cross_validation.predictions(ev)
names = city.districts["name"].astype(str).to_numpy()
target = st.radio("Target", list(ev.targets), horizontal=True, key=keys.MODEL_TARGET,
                  format_func=columns.label_of)
result = ev.targets[target]
chart_col, map_col = st.columns(2)
with chart_col:
    st.plotly_chart(charts.predicted_vs_observed(
        result.observed, result.oof["model"], result.oof_lower, result.oof_upper, names,
        columns.label_of(target), cross_validation.MODEL_NAMES["model"]))
    st.caption(f"Bars: the network's {LEVEL} % prediction interval under cross-validation.")
energy = predicted.status(city, target)
outlined = city.predicted_mask(target)
with map_col:
    residual = preds[f"{target}_cv_residual_pct"]
    fill, legend_rows = maps.diverging(residual, "%", digits=0)
    if outlined.any():
        legend_rows.append(maps.predicted_row(int(outlined.sum())))
    props = preds[["district_id"]].assign(
        name=names, residual_text=[maps.format_value(v, 1) for v in residual],
        energy=energy.to_numpy())
    deck = components.district_deck(city, props, fill, "<b>{name}</b> ({district_id})<br/>"
                                    "cross-validated error: {residual_text} %<br/>"
                                    f"{columns.label_of(target)}: {{energy}}", outlined=outlined)
    st.pydeck_chart(deck, key=keys.MODEL_MAP, height=560)
    components.legend(legend_rows, "Error of the used model under CV (% of observed)")

st.subheader("Predictions per district")
observed = f"{target}_observed"
table = preds[["district_id"]].assign(name=names, energy=energy.to_numpy()).join(preds[[
    observed, f"{target}_predicted", f"{target}_lower", f"{target}_upper"]])
st.dataframe(table, hide_index=True, placeholder=DASH,
             column_config={"energy": st.column_config.TextColumn("In the city's data")} | {
                 c: st.column_config.NumberColumn(f"{label} (kWh/yr)", format="%,.0f")
                 for c, label in ((observed, "Observed"),
                                  (f"{target}_predicted", "Predicted (used model)"),
                                  (f"{target}_lower", f"Network {LEVEL} % interval, low"),
                                  (f"{target}_upper", f"Network {LEVEL} % interval, high"))})
st.caption(f"In the city's data: observed, predicted (the used model's value, which the city "
           f"carries with its {LEVEL} % interval from that model's cross-validated errors) or no "
           f"data; {DASH} where there is no observation. The network's interval is its own.")

st.subheader("Monthly profile: base, heating and cooling")
why = degree_days.unavailable_reason(city)
if why:
    upload = " Upload one on the Data page with the city's files." if city.degree_days is None else ""
    st.info(f"The degree-day model is unavailable: {why}.{upload}")
else:
    fits = results.degree_day_fits(city)
    split_columns = {c: st.column_config.NumberColumn(
        f"{c.split('_')[0].capitalize()} (kWh/yr)", format="%,.0f")
        for c in degree_days.COMPONENTS}
    st.dataframe(degree_days.summary(fits).drop(columns="issues"), hide_index=True,
                 placeholder=DASH, column_config=split_columns | {
        "plausible": st.column_config.CheckboxColumn("Plausible split"),
        "monthly_cv_rmse_pct": st.column_config.NumberColumn("Monthly CV(RMSE), city (%)",
                                                             format="%.1f"),
        "monthly_nmbe_pct": st.column_config.NumberColumn("Monthly NMBE, city (%)", format="%.1f"),
        "district_cv_rmse_median_pct": st.column_config.NumberColumn(
            "Monthly CV(RMSE), median district (%)", format="%.1f")})
    st.caption(f"Gas has no cooling term: gas does not cool these buildings, so a cooling term "
               f"would only fit what happens to rise in summer. {DASH}: no such term, or no "
               "split shown because the fit is not plausible (see below).")
    for fuel, fit in fits.items():
        label = columns.label_of(fuel)
        if fit.plausible:
            st.plotly_chart(charts.degree_day_split(fit.monthly, label), key=f"dd_{fuel}")
        else:
            st.warning(f"{label}: no base / heating / cooling split is shown, the fit is not "
                       f"plausible: {'; '.join(fit.issues)}. Degree days of the meter data's "
                       "own year (not climate normals) and readings per calendar month (not "
                       "per billing period) usually tighten such a fit.")
    if city.illustrative:
        st.caption("The illustrative city's months were generated with a degree-day split, so "
                   "this fit is near-exact by construction; real meter data will not be.")

st.subheader("Model card")
card_markdown, card_json = results.card_files(ev, city)
md_col, json_col = st.columns(2)
md_col.download_button("Download model card (Markdown)", card_markdown,
                       file_name="model_card.md", mime="text/markdown")
json_col.download_button("Download model card (JSON)", card_json,
                         file_name="model_card.json", mime="application/json")
with st.expander("Limits of this model"):
    st.markdown("\n".join(f"- {x}" for x in LIMITS))
