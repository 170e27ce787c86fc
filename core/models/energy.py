"""Annual energy per district: a small torch MLP ensemble, two baselines, honest validation.

What is predicted
    ``log(energy / basis)`` per target (``electricity_kwh``, ``gas_kwh``), where the
    basis is floor area (kWh per m²) or, when a city has no floor area, population
    (kWh per person). The inputs are the city's canonical columns (population, income,
    floor area, ...) and its declared extra features; a column the city estimated from
    its other columns (households from population, say) is left out, being only a
    multiple of them.

Bias correction of the back-transform
    ``exp(log prediction) x basis`` is the median of a skewed distribution, not its mean:
    turned back that way, predictions add up to too little, by a factor of about
    ``exp(s²/2)`` for log residuals of spread ``s`` (8 % for s = 0.4, 28 % for s = 0.7).
    Each model's back-transform is multiplied by a smearing factor: Duan's (1983) estimate
    weighted by each district's prediction, ``sum(observed) / sum(exp(log prediction) x
    basis)`` (dimensionless), taken over predictions of training rows made by a fit that
    did not use them. For the network these are each member's predictions of its own
    early-stopping rows, and the ensemble predicts the mean of its members' corrected
    ``exp(log prediction) x basis``; for the log-linear model, the closed-form
    leave-one-out predictions. For the intensity baseline the same factor turns the median
    intensity into the ratio of totals, so that baseline is the city-wide intensity.
    Unlike ``exp(s²/2)`` the factor assumes no shape for the residuals (real districts
    have a few very large users, a heavy right tail), and it corrects totals, the figure
    NMBE measures and that plans add up. It is fitted on the training rows of each fold
    (nothing from a held-out fold enters its own prediction), then on all rows for the
    final fit, and it is saved with the model, so ``predict`` applies the same factor.

Models compared on the same k folds (seeded; leave-one-out available)
    * ``model``: the network of the source design, Linear-ReLU-Linear-ReLU-Linear, plus
      a linear path that starts at the least-squares fit (see the network's section),
      AdamW, MSE, inputs standardised (extensive features as ``log1p``), weight
      decay and early stopping on an inner validation split; a deep ensemble of
      ``members`` networks per fold gives 90 % prediction intervals.
    * ``baseline_intensity``: total energy over total basis of the training rows, x basis.
    * ``baseline_loglinear``: least squares of log intensity on the same
      standardised features.

The fitted model
    The model with the lowest cross-validated CV(RMSE) is used for each target, refitted
    on all usable rows (the network as a final ensemble of ``members`` networks). It is
    saved with its feature columns, their transforms and the medians that fill missing
    values, so that it predicts any city holding the same columns the way it predicted the
    city it was trained on.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from core.device import pick_device
from core.errors import InputError
from core.intake.city import City
from core.models.baselines import LogLinear
from core.models.cross_validation import MODEL_NAMES, SMEARED, Evaluation, TargetFit, evaluate
from core.models.features import FeatureSpec
from core.models.model_card import model_card, model_card_markdown
from core.models.network import TENSORS, Ensemble, Progress, TrainConfig

FORMAT = "greenprint energy model"
VERSION = 2  # of the saved files; raise it when their content changes
WEIGHTS = "energy_model.pt"  # the final ensemble as a torch state dict
SETTINGS = "energy_model.json"  # features, basis, targets, baselines, config
CARD_JSON = "model_card.json"
CARD_MARKDOWN = "model_card.md"
REQUIRED = (WEIGHTS, SETTINGS, CARD_JSON)  # what load reads (the Markdown card is for people)


class EnergyModel:
    """Annual electricity and gas per district (kWh/yr), in the scikit-learn shape.

    ``EnergyModel(config).fit(city)`` cross-validates the network and both baselines (see
    ``cross_validation.evaluate``) and keeps the fit on all rows: the final ensemble, both
    baselines and the model selected for each target. ``predict(city)`` applies it to any
    city with the same feature columns; ``save`` and ``EnergyModel.load`` store it in a folder.
    """

    def __init__(self, config: TrainConfig | None = None) -> None:
        self.config = config or TrainConfig()
        self.inputs: FeatureSpec | None = None
        self.targets: dict[str, TargetFit] = {}  # members index self.ensemble
        self.selected: dict[str, str] = {}  # target -> name of the model used
        self.ensemble: Ensemble | None = None
        self.card: dict = {}
        self.evaluation: Evaluation | None = None  # the cross-validation of fit (not saved)

    def fit(self, city: City, progress: Progress | None = None) -> EnergyModel:
        """Cross-validate on ``city``, keep the fit on all its rows; returns the model."""
        ev = evaluate(city, self.config, progress)
        self.inputs = ev.inputs
        self.targets = {t: r.final for t, r in ev.targets.items()}
        self.selected = {t: r.selected for t, r in ev.targets.items()}
        self.ensemble = ev.ensemble
        self.card = model_card(ev, city)
        self.evaluation = ev
        return self

    def predict(self, city: City) -> pd.DataFrame:
        """kWh/yr per district of ``city``: for each target, the selected model's prediction
        (``{target}_predicted``) and the network's 90 % interval (``_lower``, ``_upper``)."""
        inputs = self._fitted_inputs()
        dsg = inputs.design(city)
        out = pd.DataFrame({"district_id": dsg.district_ids})
        if not self.targets:
            return out
        log = self.ensemble.predict_log(dsg.X)
        for t, fit in self.targets.items():
            kwh, lower, upper = fit.predict(log[list(fit.members)], dsg.X, dsg.basis_values)
            out[f"{t}_predicted"] = kwh[self.selected[t]]
            out[f"{t}_lower"] = lower
            out[f"{t}_upper"] = upper
        return out

    def save(self, directory: str | Path) -> list[Path]:
        """Write weights, settings and the model card (JSON, Markdown) to ``directory``."""
        self._fitted_inputs()
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / name for name in (WEIGHTS, SETTINGS, CARD_JSON, CARD_MARKDOWN)]
        torch.save(self.ensemble.state() if self.ensemble is not None else {}, paths[0])
        paths[1].write_text(json.dumps(self._settings(), indent=2))
        paths[2].write_text(json.dumps(self.card, indent=2, default=float))
        paths[3].write_text(model_card_markdown(self.card))
        return paths

    @classmethod
    def load(cls, directory: str | Path, device: str = "auto") -> EnergyModel:
        """The model ``save`` wrote to ``directory``, its networks on ``device``.

        InputError, saying what to do, when a file is missing, damaged or of another version.
        """
        folder = Path(directory)
        missing = [name for name in REQUIRED if not (folder / name).is_file()]
        if missing:
            raise InputError(f"'{folder}' does not hold a saved energy model: "
                             f"{', '.join(missing)} missing; train and save one with "
                             f"`python -m core train --out {folder}`")
        settings = _read_json(folder / SETTINGS)
        if (settings.get("format"), settings.get("version")) != (FORMAT, VERSION):
            raise InputError(f"{folder / SETTINGS} was not written by this version of Greenprint "
                             f"(format {settings.get('format')!r} version "
                             f"{settings.get('version')!r}, expected {FORMAT!r} version {VERSION}); "
                             "train and save the model again")
        try:
            model = cls._from_settings(settings)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{folder / SETTINGS} is incomplete or damaged ({exc!r}); train "
                             "and save the model again") from exc
        model.card = _read_json(folder / CARD_JSON)
        if model.targets:
            model.ensemble = _read_ensemble(folder / WEIGHTS, pick_device(device))
            _check_consistent(model, folder)
        return model

    def _fitted_inputs(self) -> FeatureSpec:
        if self.inputs is None:
            raise RuntimeError("the energy model is not fitted: call fit(city) or "
                               "EnergyModel.load(directory) first")
        return self.inputs

    def _settings(self) -> dict:
        """Everything but the weights that ``load`` needs, as plain JSON data."""
        return {
            "format": FORMAT, "version": VERSION, "config": asdict(self.config),
            "inputs": asdict(self.inputs),
            "targets": {t: {"selected": self.selected[t], "members": list(fit.members),
                            "residual_var": fit.residual_var,
                            "intensity": fit.intensity, "smearing": fit.smearing,
                            "loglinear": {"mean": fit.loglinear.mean.tolist(),
                                          "sd": fit.loglinear.sd.tolist(),
                                          "coef": fit.loglinear.coef.tolist()}}
                        for t, fit in self.targets.items()},
        }

    @classmethod
    def _from_settings(cls, settings: dict) -> EnergyModel:
        """The model ``_settings`` describes, without its weights (KeyError/TypeError if bad)."""
        model = cls(TrainConfig(**settings["config"]))
        inputs = settings["inputs"]
        model.inputs = FeatureSpec(tuple(map(str, inputs["names"])),
                                   tuple(map(bool, inputs["log1p"])),
                                   tuple(map(float, inputs["fill"])), str(inputs["basis"]))
        for t, entry in settings["targets"].items():
            fit = entry["loglinear"]
            model.targets[t] = TargetFit(
                tuple(map(int, entry["members"])), float(entry["residual_var"]),
                float(entry["intensity"]),
                LogLinear(np.asarray(fit["mean"], dtype=float), np.asarray(fit["sd"], dtype=float),
                          np.asarray(fit["coef"], dtype=float)),
                {name: float(entry["smearing"][name]) for name in SMEARED})
            if entry["selected"] not in MODEL_NAMES:
                raise ValueError(f"unknown model {entry['selected']!r} selected for {t}")
            model.selected[t] = entry["selected"]
        return model


def _read_json(path: Path) -> dict:
    """A JSON object from ``path`` (InputError when it is not one)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read {path} ({exc}); train and save the model again") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path} does not hold a JSON object; train and save the model again")
    return data


def _read_ensemble(path: Path, device: torch.device) -> Ensemble:
    """The ensemble in the state dict at ``path`` (InputError when unreadable or incomplete)."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a damaged file; all mean the same
        raise InputError(f"cannot read the weights {path} ({exc}); train and save the model "
                         "again") from exc
    missing = [n for n in (*TENSORS, "epochs") if not isinstance(state, dict) or n not in state]
    if missing:
        raise InputError(f"the weights {path} lack {', '.join(missing)}; train and save the "
                         "model again")
    return Ensemble.from_state(state, device)


def _check_consistent(model: EnergyModel, folder: Path) -> None:
    """InputError when the weights do not fit the settings saved beside them."""
    ens = model.ensemble
    n_members = ens.W1.shape[0]
    problems = []
    if ens.W1.shape[1] != len(model.inputs.names):
        problems.append(f"the networks take {ens.W1.shape[1]} inputs, the settings list "
                        f"{len(model.inputs.names)} features")
    if any(m >= n_members for fit in model.targets.values() for m in fit.members):
        problems.append(f"the settings name networks beyond the {n_members} saved")
    if any(getattr(ens, n).shape[0] != n_members for n in TENSORS):
        problems.append("the saved tensors hold different numbers of networks")
    if problems:
        raise InputError(f"{folder / WEIGHTS} and {folder / SETTINGS} do not belong together ("
                         f"{'; '.join(problems)}); train and save the model again")
