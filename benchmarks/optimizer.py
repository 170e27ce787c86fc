"""Torch batched optimizer vs HiGHS solving the same problems one after another.

    python benchmarks/optimizer.py [--quick] [--device auto|cpu|cuda]

For N districts (77 = the default city; larger = seeded tessellations with generated
attributes) and S scenarios (budgets, prices, grid paths and Justice40 shares drawn
from a seeded generator), it times one warm batched torch solve of all S scenarios
(median of 3) and HiGHS (scipy ``linprog(method="highs")``) on each scenario's
identical LP. HiGHS runs at most ``--highs-seconds`` per cell; when it cannot do all
S problems in that time, its total is extrapolated from the mean per problem and the
row says so (``highs_solved < S``). The gap is the worst relative objective difference
over the problems HiGHS solved.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from core.intake.city import default_city
from core.plan import optimizer, problem, results
from core.plan.scenario import Scenario
from core.sample.city import sample_city


def city_of(n: int):
    return default_city() if n == 77 else sample_city(n, seed=1, rounded=True)


def scenarios(s: int, seed: int = 0) -> list[Scenario]:
    rng = np.random.default_rng(seed)
    base = Scenario()
    return [base.replace(budget_usd_per_capita=float(rng.uniform(10, 600)),
                         electricity_usd_per_kwh=base.electricity_usd_per_kwh * float(rng.lognormal(0, 0.2)),
                         gas_usd_per_kwh=base.gas_usd_per_kwh * float(rng.lognormal(0, 0.2)),
                         grid_decarbonisation=float(rng.uniform(0, 0.8)),
                         justice40_share=float(rng.choice([0.0, 0.4, 0.6])),
                         equity_weight=float(rng.uniform(0, 1)),
                         diminishing_returns=bool(rng.random() < 0.5)) for _ in range(s)]


def run(ns, ss, device: str, highs_seconds: float) -> list[dict]:
    rows = []
    for n in ns:
        ctx = problem.context(city_of(n))
        for s in ss:
            scs = scenarios(s)
            optimizer.optimize(ctx, scs, device=device)  # warm-up
            times, res = [], None
            for _ in range(3):
                t0 = time.perf_counter()
                res = optimizer.optimize(ctx, scs, device=device)
                times.append(time.perf_counter() - t0)
            torch_s = statistics.median(times)
            gaps, highs_times = [], []
            start = time.perf_counter()
            for i in range(s):
                check = results.check_against_highs(res, i)
                highs_times.append(check["seconds"])
                gaps.append(check["gap_rel"])
                if time.perf_counter() - start > highs_seconds:
                    break
            highs_total = float(np.mean(highs_times)) * s
            rows.append({"N": n, "S": s, "items": res.linear.value.shape[1], "device": res.device,
                         "torch_s": torch_s, "highs_total_s": highs_total,
                         "highs_solved": len(highs_times), "speedup": highs_total / torch_s,
                         "worst_gap": float(np.nanmax(gaps)),
                         "max_violation": float(res.max_violation_rel.max())})
            print_row(rows[-1])
    return rows


HEADER = (f"{'N':>6} {'S':>5} {'items/scen':>10} {'device':>6} {'torch s':>9} {'HiGHS s':>10} "
          f"{'solved':>7} {'speedup':>8} {'worst gap':>10} {'max viol':>9}")


def print_row(r: dict) -> None:
    extra = "" if r["highs_solved"] == r["S"] else " (HiGHS extrapolated)"
    print(f"{r['N']:>6} {r['S']:>5} {r['items']:>10} {r['device']:>6} {r['torch_s']:>9.4f} "
          f"{r['highs_total_s']:>10.3f} {r['highs_solved']:>7} {r['speedup']:>7.1f}x "
          f"{r['worst_gap']:>10.1e} {r['max_violation']:>9.1e}{extra}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N in {77, 801}, S in {1, 64}")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--highs-seconds", type=float, default=20.0,
                    help="time allowed to HiGHS per cell before extrapolating")
    ap.add_argument("--large", action="store_true", help="add 10,000 x 1,024 (for a GPU)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch intra-op CPU threads (HiGHS uses one); on a shared 2-core machine "
                         "two threads oversubscribe the cores and run slower")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {a.threads} CPU thread(s), HiGHS via scipy linprog; "
          f"HiGHS capped at {a.highs_seconds:g} s per cell", flush=True)
    ns, ss = ([77, 801], [1, 64]) if a.quick else ([77, 801, 10_000], [1, 64, 256])
    print(HEADER, flush=True)
    run(ns, ss, a.device, a.highs_seconds)
    if a.large:
        run([10_000], [1024], a.device, a.highs_seconds)


if __name__ == "__main__":
    main()
