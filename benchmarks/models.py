"""Energy-model accuracy on real data, and speed: training + cross-validation time and
inference throughput.

    python benchmarks/models.py [--only real|speed|batched] [--attributes CSV]
                                [--sizes 77 801 10000] [--devices cpu cuda]

Real data (issue 10's Measure): Chicago's 77 community areas with their 2010 energy, built
from the shared public files by data/build/build_chicago_2010.py into a temporary folder
(or read from ``--attributes``), and the bundled default city when it is real. For the
network and both baselines, per target: k-fold cross-validated CV(RMSE), NMBE, R² and 90 %
interval coverage (default TrainConfig, as the Energy model page evaluates), each against
the issue's goal as a ratio (at most 1 meets it).

Speed:
77 is the bundled city; larger cities are seeded tessellations with the generator's
attributes. One evaluation = k-fold CV of the network ensemble and both baselines for
both targets plus the final ensemble: (k + 1) x members x 2 networks trained as one
batched model; "train only" is the deployed ensemble (members x 2 networks) without CV.
Ratios are against the 77-district run in the same process; then the issue-13 targets with
their ratios, train + CV at 801 districts with GREENPRINT_TRAIN_THREADS against torch's
default threads, and a last line compares the batched model with the same networks trained
one at a time (warm, medians, same process).

Before issue 13's training work (torch's default threads, every network computed until the
last one stopped, validation scored on every row, rows gathered by advanced indexing) and
after it (one thread, stopped networks dropped from the batch, validation on its own rows,
index_select), on the shared 2-core machine, the same CV(RMSE) to four digits: at a quiet
moment (load average about 2) 31.9 s -> 7.1 s at 10,000 districts and 1.1 s -> 1.0-1.4 s at
801; under a load average of 6-8, 36.7-48.3 s -> 11.2 s at 10,000 and 5.3 s -> 1.2 s at 801
(with torch's two threads the new code took 12.0 s there: the threads wait on each other).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from core import paths
from core.intake.city import City, default_city, load_city
from core.models.cross_validation import MODEL_NAMES, Evaluation, evaluate
from core.models.features import available_targets, design
from core.models.network import TrainConfig, fit_batched
from core.sample.city import sample_city
from core.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "data" / "build" / "build_chicago_2010.py"
TRACT_KEY = ROOT / "data" / "build" / "chicago_tract_to_community_area_2010.csv"
#: issue 10, "Measure": CV(RMSE) per target, |NMBE| and the 90 % interval's coverage
CV_GOAL = {"electricity_kwh": 0.35, "gas_kwh": 0.15}
NMBE_GOAL = 0.05
COVERAGE_GOAL = (0.85, 0.95)
#: issue 13: energy model train + cross-validation on a CPU, seconds, by districts
TRAIN_CV_TARGET_S = {801: 5.0, 10_000: 10.0}


def built_chicago(out: Path) -> tuple[Path | None, str]:
    """attributes.csv of the real 2010 Chicago built into ``out``, or None and why not."""
    cmd = [sys.executable, str(BUILD), "--out", str(out)]
    if TRACT_KEY.is_file():  # else the script reads the key from the `chicago` package
        cmd += ["--tracts", str(TRACT_KEY)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if run.returncode != 0:
        last = (run.stderr or run.stdout).strip().splitlines()
        return None, last[-1] if last else f"exit {run.returncode}"
    return out / "attributes.csv", ""


def goal_ratios(target: str, name: str, s) -> str:
    """Each figure of ``s`` (metrics.Scores) against the issue's goal, as 'figure / goal = ratio'."""
    out = [f"CV(RMSE) {s.cv_rmse:.3f} / {CV_GOAL[target]:.2f} = {s.cv_rmse / CV_GOAL[target]:.2f}",
           f"|NMBE| {abs(s.nmbe):.3f} / {NMBE_GOAL:.2f} = {abs(s.nmbe) / NMBE_GOAL:.2f}"]
    if name == "model":
        lo, hi = COVERAGE_GOAL
        c = s.coverage_90
        state = "met" if lo <= c <= hi else f"{'below' if c < lo else 'above'} {lo:.0%}-{hi:.0%}"
        out.append(f"coverage {c:.0%} ({state})")
    return "; ".join(out)


def accuracy_table(city: City) -> None:
    """Cross-validated figures of the network and both baselines, against the goals."""
    ev = evaluate(city, TrainConfig())
    print(f"\n{city.name}: {city.n} districts, {ev.folds}-fold CV, basis {ev.inputs.basis}, "
          f"features {', '.join(ev.features)}; {ev.seconds:.1f} s")
    print(f"{'target':<16} {'model (* selected)':<20} {'CV(RMSE)':>8} {'NMBE':>7} {'R2':>6} "
          f"{'cov90':>6}  against the goal")
    for t, r in ev.targets.items():
        for name in MODEL_NAMES:
            s = r.scores[name]
            cov = f"{s.coverage_90:.0%}" if s.coverage_90 is not None else "-"
            mark = "*" if name == r.selected else ""
            print(f"{t:<16} {name + mark:<20} {s.cv_rmse:>8.3f} {s.nmbe:>+7.1%} {s.r2:>6.3f} "
                  f"{cov:>6}  {goal_ratios(t, name, s)}")
    for t, why in ev.unavailable.items():
        print(f"{t:<16} not modelled: {why}")


def real_section(attributes: Path | None) -> None:
    """The accuracy table on the real Chicago table, and on the default city when it is real."""
    print("Accuracy on real data (issue 10 goals: CV(RMSE) electricity <= 0.35, gas <= 0.15; "
          "|NMBE| <= 5 %; 90 % interval coverage 85-95 %)")
    with tempfile.TemporaryDirectory() as tmp:
        csv, why = (attributes, "") if attributes else built_chicago(Path(tmp))
        if csv is None:
            print(f"skipped the real Chicago table: {BUILD.name} could not build it ({why})")
        else:
            accuracy_table(load_city(paths.DEFAULT_BOUNDARIES, csv, name="Chicago 2010 (real, "
                                     f"{'from ' + str(csv) if attributes else 'built from shared files'})"))
    default = default_city()
    if not default.illustrative:
        accuracy_table(default)


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
    ap.add_argument("--only", choices=("real", "speed", "batched"),
                    help="one section (default: real and speed; speed ends with batched)")
    ap.add_argument("--attributes", type=Path,
                    help="the real Chicago attributes.csv (default: built from the shared files)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[77, 801, 10_000])
    ap.add_argument("--devices", nargs="+",
                    default=["cpu"] + (["cuda"] if torch.cuda.is_available() else []))
    args = ap.parse_args()
    if args.only == "batched":
        batched_vs_one_at_a_time()
        return
    if args.only != "speed":
        real_section(args.attributes)
    if args.only != "real":
        speed(args)


def speed(args: argparse.Namespace) -> None:
    """Training + CV time, inference throughput, and batched against one-at-a-time."""
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads; training with "
          f"{get_settings().train_threads or torch.get_num_threads()} (GREENPRINT_TRAIN_THREADS)")
    print(f"{'districts':>9} {'device':>6} {'networks':>8} {'epochs':>6} {'train+CV s':>10} "
          f"{'ms/epoch':>8} {'x 77':>6} {'train only s':>12} {'infer districts/s':>17}  "
          "CV(RMSE) el/gas")
    seconds: dict[tuple[str, int], float] = {}
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
            seconds[device, n] = ev.seconds
            rate = inference_rate(ev, design(city).X)
            cv = "/".join(f"{r.scores[r.selected].cv_rmse:.1%}" for r in ev.targets.values())
            n_net = (ev.folds + 1) * ev.config.members * len(ev.targets)
            train_only = final_ensemble_seconds(city, device)
            print(f"{n:>9} {device:>6} {n_net:>8} {epochs:>6} {ev.seconds:>10.2f} "
                  f"{1000 * ev.seconds / epochs:>8.1f} {ev.seconds / ref:>6.1f} {train_only:>12.2f} "
                  f"{rate:>17,.0f}  {cv}")

    print_targets(seconds)
    threads_reference()
    batched_vs_one_at_a_time()


def threads_reference(n: int = 801) -> None:
    """Train + CV at ``n`` districts with GREENPRINT_TRAIN_THREADS and with torch's default
    threads (one per core), in this process: what the setting buys on this machine."""
    city = city_of(n)
    out = {}
    for label, threads in (("GREENPRINT_TRAIN_THREADS", get_settings().train_threads),
                           ("torch's default", 0)):
        with patched_train_threads(threads):
            out[label] = evaluate(city, TrainConfig(device="cpu")).seconds
    a, b = out.values()
    print(f"train + CV at {n:,} districts: {a:.2f} s with {get_settings().train_threads} "
          f"thread(s), {b:.2f} s with torch's default {torch.get_num_threads()}: ratio "
          f"{b / a:.1f}x")


@contextmanager
def patched_train_threads(threads: int) -> Iterator[None]:
    """GREENPRINT_TRAIN_THREADS set to ``threads`` for the block."""
    before = os.environ.get("GREENPRINT_TRAIN_THREADS")
    os.environ["GREENPRINT_TRAIN_THREADS"] = str(threads)
    get_settings.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("GREENPRINT_TRAIN_THREADS")
        else:
            os.environ["GREENPRINT_TRAIN_THREADS"] = before
        get_settings.cache_clear()


def print_targets(seconds: dict[tuple[str, int], float]) -> None:
    """Issue 13's train + CV targets on a CPU, each with its figure and ratio."""
    for n, target in TRAIN_CV_TARGET_S.items():
        s = seconds.get(("cpu", n))
        if s is None:
            print(f"target (issue 13): train + CV <= {target:g} s at {n:,} districts on CPU: "
                  f"not run (--sizes)")
            continue
        print(f"target (issue 13): train + CV <= {target:g} s at {n:,} districts on CPU: "
              f"{s:.1f} s, {s / target:.2f} of the target ({'met' if s <= target else 'NOT met'})")


def batched_vs_one_at_a_time(members: int = 30, epochs: int = 200, repeats: int = 3) -> None:
    """``members`` networks x ``epochs`` epochs on the bundled city, trained as one batched
    model and one at a time, measured alike in this process: one warm-up run of each, then
    ``repeats`` alternating runs of each, medians; with torch's CPU threads and with one.

    A single cold run of each, taken after the heavier tables above, printed a ratio near
    900x that a fresh process does not show: a network trained alone is a stream of tiny
    operations, which on a busy machine wait for torch's other intra-op threads, so the
    one-at-a-time side depends on the machine's load far more than the batched one. With one
    thread both sides run without that wait."""
    city = default_city()
    dsg = design(city)
    y = np.log(city.districts["electricity_kwh"].to_numpy() / dsg.basis_values)
    tr = np.random.default_rng(0).random((members, city.n)) < 0.8
    Y = np.tile(y, (members, 1))
    cfg = TrainConfig(max_epochs=epochs, patience=10_000, device="cpu")

    def batched() -> None:
        fit_batched(dsg.X, Y, tr, ~tr, cfg)

    def one_at_a_time() -> None:
        for m in range(members):
            fit_batched(dsg.X, Y[m:m + 1], tr[m:m + 1], ~tr[m:m + 1], cfg)

    threads = torch.get_num_threads()
    print(f"\n{members} networks x {epochs} epochs on {city.n} districts (CPU), median of "
          f"{repeats} warm runs each")
    for n_threads in dict.fromkeys((threads, 1)):
        torch.set_num_threads(n_threads)
        batched()  # warm-up of both
        fit_batched(dsg.X, Y[:1], tr[:1], ~tr[:1], cfg)
        times: dict[str, list[float]] = {"batched": [], "one at a time": []}
        for _ in range(repeats):
            for name, fn in (("batched", batched), ("one at a time", one_at_a_time)):
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
        b, o = (statistics.median(times[k]) for k in ("batched", "one at a time"))
        print(f"  {n_threads} thread(s): batched {b:.2f} s, one at a time {o:.2f} s "
              f"({o / members:.3f} s per network), ratio {o / b:.1f}x")
    torch.set_num_threads(threads)

if __name__ == "__main__":
    main()
