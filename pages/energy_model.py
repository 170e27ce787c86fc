"""Energy model: cross-validated accuracy of the network and two baselines, residuals,
intervals, the districts whose energy it predicts, the degree-day split, retraining and the
model card."""

import streamlit as st

from core.assess import maps, summary
from core.i18n import _, percent
from core.intake import columns
from core.models import metrics, predicted, yardstick
from core.models.features import available_targets
from dashboard import components, keys, portal, state

LEVEL = f"{metrics.INTERVAL_LEVEL * 100:g}"  # the prediction intervals' level, %
DASH = "–"  # what a table shows for a missing value (Streamlit's default is "None")

#: How each verdict is shown: never a green box for a model that is not good.
SHOW_VERDICT = {"good": st.success, "fair": st.info, "poor": st.warning}

city = state.active_city()
st.title(_("Energy model"))
components.data_notice(city)

if not available_targets(city):
    st.info(_("No energy model for this city: it has no observed annual electricity_kwh or "
            "gas_kwh. Map your consumption columns onto them on upload to train one."))
    st.stop()

st.caption(_("A small neural network (Linear-ReLU-Linear-ReLU-Linear, a deep ensemble) predicts "
           "annual electricity and gas per district from the city's own data. It is measured "
           "against two baselines on the same cross-validation folds; the one with the lowest "
           "CV(RMSE) is used."))
if note := predicted.summary(city):
    st.info(_("{note}. Those values are the used model's predictions with their {level} % "
            "interval (outlined on the maps); they are never training rows.").format(
                note=note, level=LEVEL))
loading = st.progress(0.0, text=_("Loading the energy model…"))
# The model code imports PyTorch (about 3 s in a fresh server process): it is imported here,
# below the title and the progress bar, so that the page shows them at once.
from core.models import cross_validation, degree_days  # noqa: E402
from core.models.model_card import LIMITS, verdicts  # noqa: E402
from dashboard.energy_model import charts, results  # noqa: E402

if portal.active():  # the portal: the city's trained model, no retraining
    folds, seed, retrain = 0, 0, False
else:
    folds_col, seed_col, button_col = st.columns([2, 1, 1], vertical_alignment="bottom")
    fold_choices = [5, 10] + ([0] if city.n <= cross_validation.LOO_MAX_DISTRICTS else [])
    folds = folds_col.selectbox(_("Cross-validation"), fold_choices, key=keys.MODEL_FOLDS,
                                format_func=lambda k: _("leave-one-out") if k == 0
                                else _("{k}-fold").format(k=k))
    seed = seed_col.number_input(_("Seed"), min_value=0, max_value=1_000_000, value=0,
                                 key=keys.MODEL_SEED)
    retrain = button_col.button(_("Retrain"), key=keys.MODEL_RETRAIN, type="primary")
ev = results.evaluation(city, folds, seed, retrain, loading)
if ev.targets:  # nothing trained: the warnings below say why, with no "0-fold" run
    st.caption(_("{folds}-fold cross-validation, seed {seed}, {members} "
               "ensemble members per fold, device {device}, {seconds:.1f} s. The networks "
               "predict the {scale} from {n_features} features: {join}.").format(
                   folds=ev.folds, seed=ev.config.seed, members=ev.config.members,
                   device=ev.device, seconds=ev.seconds, scale=_(ev.scale),
                   n_features=len(ev.features), join=', '.join(ev.features)))

for target, why in ev.unavailable.items():
    st.warning(_("{label_of} is not modelled: {why}.").format(label_of=_(columns.label_of(target)),
                                                              why=_(why)))
if not ev.targets:
    st.stop()
crit = yardstick.criteria()
cards = st.columns(len(ev.targets))
for card, (target, result) in zip(cards, ev.targets.items(), strict=True):
    chosen = result.scores[result.selected]
    card.metric(_("{label_of}: CV(RMSE) of the selected model").format(
        label_of=_(columns.label_of(target))),
                percent(chosen.cv_rmse, 1), help=_(cross_validation.MODEL_NAMES[result.selected]),
                border=True)
for target, verdict in verdicts(ev, city).items():
    SHOW_VERDICT[verdict.band](f"{_(verdict.text)} {_(ev.targets[target].reason)}")

st.subheader(_("Model and baselines, side by side"))
st.dataframe(cross_validation.scores_table(ev), hide_index=True, placeholder=DASH, column_config={
    "target": st.column_config.TextColumn(_("Target")),
    "model": st.column_config.TextColumn(_("Model")),
    "cv_rmse_pct": st.column_config.NumberColumn(_("CV(RMSE) (%)"), format="%.1f"),
    "nmbe_pct": st.column_config.NumberColumn(_("NMBE (%)"), format="%.1f"),
    "r2": st.column_config.NumberColumn("R² (-)", format="%.3f"),
    "coverage_90_pct": st.column_config.NumberColumn(_("{level} % interval coverage (%)").format(
        level=LEVEL),
                                                     format="%.1f"),
    "meets_ashrae": st.column_config.CheckboxColumn(_("Meets ASHRAE G14")),
    "verdict": st.column_config.TextColumn(_("Verdict")),
    "selected": st.column_config.CheckboxColumn(_("Used")),
})
fair = yardstick.criteria("hourly")
st.caption(_("ASHRAE Guideline 14 yardstick: CV(RMSE) ≤ {cv_rmse_max:.0%} and "
           "NMBE within ±{nmbe_abs_max:.0%} (written for monthly calibration; "
           "applied here to annual district totals). Verdict: good within those limits; fair "
           "within the guideline's looser hourly limits ({cv_rmse_max2:.0%}, "
           "±{nmbe_abs_max2:.0%}), Greenprint's reading; poor beyond both. Metrics are "
           "out-of-fold: every district is predicted by models that never saw it. NMBE > 0 "
           "means under-prediction (ASHRAE Guideline 14 sign). {dash} in the coverage column: "
           "the baselines give no interval, only the network does.").format(
               cv_rmse_max=crit['cv_rmse_max'], nmbe_abs_max=crit['nmbe_abs_max'],
               cv_rmse_max2=fair['cv_rmse_max'], nmbe_abs_max2=fair['nmbe_abs_max'], dash=DASH))

if portal.active():  # per-district energy is published through the release rule only
    st.info(_(portal.NO_DISTRICT_MODEL_NOTE))
else:
    preds = cross_validation.predictions(ev)
    names = city.districts["name"].astype(str).to_numpy()
    target = st.radio(_("Target"), list(ev.targets), horizontal=True, key=keys.MODEL_TARGET,
                      format_func=lambda t: _(columns.label_of(t)))
    result = ev.targets[target]
    chart_col, map_col = st.columns(2)
    with chart_col:
        st.plotly_chart(charts.predicted_vs_observed(result, names, _(columns.label_of(target))))
        st.caption(charts.interval_caption(result, LEVEL))
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
        described = summary.of_map(props, fill, legend_rows,
                                   _("Error of the used model under CV"), "%", residual, 1)
        components.district_map(city, props, fill,
                                _("<b>{{name}}</b> ({{district_id}})<br/>"
                                  "cross-validated error: {{residual_text}} %<br/>"
                                  "{label_of}: {{energy}}").format(
                                      label_of=_(columns.label_of(target))),
                                key=keys.MODEL_MAP, height=560, outlined=outlined,
                                label=described.summary)
        components.legend(legend_rows, _("Error of the used model under CV (% of observed)"))
        components.map_text(described)

    st.subheader(_("Predictions per district"))
    observed = f"{target}_observed"
    table = preds[["district_id"]].assign(name=names, energy=energy.to_numpy()).join(preds[[
        observed, f"{target}_predicted", f"{target}_lower", f"{target}_upper"]])
    st.dataframe(table, hide_index=True, placeholder=DASH,
                 column_config={"energy": st.column_config.TextColumn(_("In the city's data"))} | {
                     c: st.column_config.NumberColumn(_("{label} (kWh/yr)").format(label=label),
                                                      format="%,.0f")
                     for c, label in ((observed, "Observed"),
                                      (f"{target}_predicted", _("Predicted (used model)")),
                                      (f"{target}_lower",
                                       _("Network {level} % interval, low").format(level=LEVEL)),
                                      (f"{target}_upper",
                                       _("Network {level} % interval, high").format(level=LEVEL)))})
    st.caption(_("In the city's data: observed, predicted (the used model's value, which the city "
               "carries with its {level} % interval from that model's cross-validated "
               "errors) or no "
               "data; {dash} where there is no observation. The network's "
               "interval is its own.").format(level=LEVEL, dash=DASH))

st.subheader(_("Monthly profile: base, heating and cooling"))
why = degree_days.unavailable_reason(city)
if why:
    upload = (_(" Upload one on the Data page with the city's files.") if city.degree_days is None
              else "")
    st.info(_("The degree-day model is unavailable: {why}.{upload}").format(why=_(why),
                                                                            upload=upload))
else:
    fits = results.degree_day_fits(city)
    split_columns = {c: st.column_config.NumberColumn(
        _("{capitalize} (kWh/yr)").format(capitalize=c.split('_')[0].capitalize()), format="%,.0f")
        for c in degree_days.COMPONENTS}
    st.dataframe(degree_days.summary(fits).drop(columns="issues"), hide_index=True,
                 placeholder=DASH, column_config=split_columns | {
        "plausible": st.column_config.CheckboxColumn(_("Plausible split")),
        "monthly_cv_rmse_pct": st.column_config.NumberColumn(_("Monthly CV(RMSE), city (%)"),
                                                             format="%.1f"),
        "monthly_nmbe_pct": st.column_config.NumberColumn(_("Monthly NMBE, city (%)"),
                                                          format="%.1f"),
        "district_cv_rmse_median_pct": st.column_config.NumberColumn(
            _("Monthly CV(RMSE), median district (%)"), format="%.1f")})
    st.caption(_("Gas has no cooling term: gas does not cool these buildings, so a cooling term "
               "would only fit what happens to rise in summer. {dash}: no such term, or no "
               "split shown because the fit is not plausible (see below).").format(dash=DASH))
    for fuel, fit in fits.items():
        label = _(columns.label_of(fuel))
        if fit.plausible:
            st.plotly_chart(charts.degree_day_split(fit.monthly, label), key=f"dd_{fuel}")
        else:
            st.warning(_("{label}: no base / heating / cooling split is shown, the fit is not "
                       "plausible: {join}. Degree days of the meter data's "
                       "own year (not climate normals) and readings per calendar month (not "
                       "per billing period) usually tighten such a fit.").format(
                           label=label, join='; '.join(_(i) for i in fit.issues)))
    if city.illustrative:
        st.caption(_("The illustrative city's months were generated with a degree-day split, so "
                   "this fit is near-exact by construction; real meter data will not be."))

st.subheader(_("Model card"))
if ev.footprint is not None:  # what this training's own computing cost
    st.caption(_("Training and cross-validation: {footprint}").format(
        footprint=ev.footprint.text()))
card_markdown, card_json = results.card_files(ev, city)
md_col, json_col = st.columns(2)
md_col.download_button(_("Download model card (Markdown)"), card_markdown,
                       file_name="model_card.md", mime="text/markdown")
json_col.download_button(_("Download model card (JSON)"), card_json,
                         file_name="model_card.json", mime="application/json")
with st.expander(_("Limits of this model")):
    st.markdown("\n".join(f"- {_(x)}" for x in LIMITS))
