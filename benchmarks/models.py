"""Energy-model speed: training + cross-validation time and inference throughput.

    python benchmarks/models.py [--sizes 77 801 10000] [--devices cpu cuda]

77 is the bundled city; larger cities are seeded tessellations with the generator's
attributes. One evaluation = k-fold CV of the network ensemble and both baselines for
both targets plus the final ensemble: (k + 1) x members x 2 networks trained as one
batched model; "train only" is the deployed ensemble (members x 2 networks) without CV. Ratios are against the 77-district run in the same process; a second
table compares the batched model with the same networks trained one at a time.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from core.intake.city import default_city
from core.models.cross_validation import Evaluation, evaluate
from core.models.features import available_targets, design
from core.models.network import TrainConfig, fit_batched
from core.sample.city import sample_city


def city_of(n: int):
    return default_city() if n == 77 else sample_city(n, seed=n)


def inference_rate(ev: Evaluation, X: np.ndarray, repeats: int = 5) -> float:
    """Districts per second through the final ensemble (all members, both targets)."""
    ev.ensemble.predict_log(X)  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        ev.ensemble.predict_log(X)
    return repeats * len(X) / (time.perf_counter() - start)


def final_ensemble_seconds(city, device: str) -> float:
    """Training time of the deployed ensemble alone (members x targets, no cross-validation)."""
    cfg = TrainConfig(device=device)
    dsg = design(city)
    rng = np.random.default_rng(cfg.seed)
    rows_Y, rows_tr = [], []
    for t in available_targets(city):
        y = np.log(city.districts[t].to_numpy(float) / dsg.basis_values)
        for _ in range(cfg.members):
            rows_Y.append(y)
            rows_tr.append(rng.random(city.n) >= cfg.val_share)
    tr = np.array(rows_tr)
    start = time.perf_counter()
    fit_batched(dsg.X, np.array(rows_Y), tr, ~tr, cfg)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[77, 801, 10_000])
    ap.add_argument("--devices", nargs="+",
                    default=["cpu"] + (["cuda"] if torch.cuda.is_available() else []))
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    print(f"{'districts':>9} {'device':>6} {'networks':>8} {'epochs':>6} {'train+CV s':>10} "
          f"{'ms/epoch':>8} {'x 77':>6} {'train only s':>12} {'infer districts/s':>17}  "
          "CV(RMSE) el/gas")
    for device in args.devices:
        # warm-up: the first torch run in a process pays one-off set-up costs
        evaluate(default_city(), TrainConfig(device=device, max_epochs=5))
        ref = None
        for n in args.sizes:
            city = city_of(n)
            msgs: list[str] = []
            ev = evaluate(city, TrainConfig(device=device),
                          progress=lambda f, m, msgs=msgs: msgs.append(m))
            epochs = int(next(m for m in reversed(msgs) if m.startswith("epoch")).split()[1][:-1])
            ref = ref or ev.seconds
            rate = inference_rate(ev, design(city).X)
            cv = "/".join(f"{r.scores[r.selected].cv_rmse:.1%}" for r in ev.targets.values())
            n_net = (ev.folds + 1) * ev.config.members * len(ev.targets)
            train_only = final_ensemble_seconds(city, device)
            print(f"{n:>9} {device:>6} {n_net:>8} {epochs:>6} {ev.seconds:>10.2f} "
                  f"{1000 * ev.seconds / epochs:>8.1f} {ev.seconds / ref:>6.1f} {train_only:>12.2f} "
                  f"{rate:>17,.0f}  {cv}")

    # batched vs one at a time, same networks and epochs (77 districts)
    city = default_city()
    dsg = design(city)
    y = np.log(city.districts["electricity_kwh"].to_numpy() / dsg.basis_values)
    M = 30
    rng = np.random.default_rng(0)
    tr = rng.random((M, city.n)) < 0.8
    Y = np.tile(y, (M, 1))
    cfg = TrainConfig(max_epochs=200, patience=10_000)
    start = time.perf_counter()
    fit_batched(dsg.X, Y, tr, ~tr, cfg)
    batched = time.perf_counter() - start
    start = time.perf_counter()
    for m in range(M):
        fit_batched(dsg.X, Y[m:m + 1], tr[m:m + 1], ~tr[m:m + 1], cfg)
    single = time.perf_counter() - start
    print(f"\n{M} networks x 200 epochs on 77 districts: batched {batched:.2f} s, one at a time "
          f"{single:.2f} s, ratio {single / batched:.1f}x")


if __name__ == "__main__":
    main()
