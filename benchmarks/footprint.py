"""The footprint of Greenprint's own computing: the power model, and what a solve and a
training cost against the abatement they plan.

    python benchmarks/footprint.py [--seconds 3] [--levels 6]

1. Power against load. Where the processor's RAPL counters are readable
   (/sys/class/powercap/intel-rapl:N/energy_uj), every core is kept busy for a share P of
   each 10 ms (P = 0, 0.2, ..., 1) for ``--seconds`` each, the package power is measured
   (W), and the cubic power model C(P) = aP^3 + bP^2 + cP + d is fitted by least squares;
   its coefficients, R² and each level's measured and fitted power are printed. Where they
   are not readable, it prints that power is not measurable here and shows instead the
   estimate core.footprint uses: CPU time x the sourced per-core power.
2. What the app's work costs, measured as the app measures it (core.footprint): one solve
   and one sweep of 64 scenarios on the default city, one training with cross-validation,
   each in Wh and g CO2 (the city's grid factor) and against the abatement of the plan
   (g CO2 of computing per t CO2/yr abated), the reference measured in the same run.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import time

import numpy as np

from core import footprint

PERIOD_S = 0.01  # duty-cycle period of the load


def _spin(share: float, seconds: float) -> None:
    """Keep one core busy for ``share`` of every period, for ``seconds``."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        while time.perf_counter() - start < share * PERIOD_S:
            pass
        time.sleep(max(0.0, (1 - share) * PERIOD_S))


def package_watts(domains, share: float, seconds: float) -> float:
    """Mean package power (W) while every core runs at ``share`` load."""
    workers = [mp.Process(target=_spin, args=(share, seconds)) for _ in range(os.cpu_count() or 1)]
    before = [int((d / "energy_uj").read_text()) for d in domains]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    after = [int((d / "energy_uj").read_text()) for d in domains]
    joules = footprint._rapl_joules(domains, before, after)
    return joules / (time.perf_counter() - start)


def power_model(seconds: float, levels: int) -> None:
    """Fit C(P) = aP^3 + bP^2 + cP + d to measured package power, or say why not."""
    domains = footprint.rapl_domains()
    cores = os.cpu_count() or 1
    print("Power against load (all cores at share P of each 10 ms)")
    if not domains:
        print(f"  not measurable here: no readable RAPL counter under {footprint.RAPL_ROOT} "
              "(absent in this virtual machine, or readable by root only); no fit.")
        w = footprint.core_power_w()
        print(f"  the app estimates instead: CPU time x {w:g} W per core "
              f"(data/compute_power.csv), i.e. C(P) = {w * cores:g} P W on {cores} cores, "
              "linear by construction")
        return
    shares = np.linspace(0, 1, levels)
    watts = np.array([package_watts(domains, p, seconds) for p in shares])
    coef = np.polyfit(shares, watts, 3)
    fitted = np.polyval(coef, shares)
    r2 = 1 - np.sum((watts - fitted) ** 2) / max(np.sum((watts - watts.mean()) ** 2), 1e-12)
    a, b, c, d = coef
    print(f"  C(P) = {a:.2f} P^3 + {b:.2f} P^2 + {c:.2f} P + {d:.2f} W  (R² {r2:.3f}, "
          f"{len(domains)} package(s), {cores} cores)")
    for p, m, f in zip(shares, watts, fitted, strict=True):
        print(f"  P = {p:.1f}: measured {m:7.2f} W, fitted {f:7.2f} W")
    est = footprint.core_power_w() * cores
    print(f"  the per-core estimate at full load: {est:g} W = {est / watts[-1]:.2f} x measured")


def app_costs() -> None:
    """One solve, one 64-scenario sweep and one training, as the app measures them."""
    from core.intake.city import default_city
    from core.models.cross_validation import evaluate
    from core.plan import lab, optimizer, problem
    from core.plan.scenario import Scenario

    city = default_city()
    ctx = problem.context(city)
    optimizer.optimize(ctx, Scenario())  # warm-up
    res = optimizer.optimize(ctx, Scenario())
    abated = res.totals()["abatement_t_co2_per_yr"]
    _, sweep = lab.pareto_budget(ctx, Scenario(), levels=64)
    ev = evaluate(city)
    print(f"\nWhat the app's work costs on {city.name} ({city.n} districts); the plan abates "
          f"{abated:,.0f} t CO2/yr")
    for name, fp in (("one solve", res.footprint), ("sweep of 64 scenarios", sweep.footprint),
                     ("training + cross-validation", ev.footprint)):
        print(f"  {name:<28} {fp.text()}; {fp.cpu_seconds:.2f} s CPU; "
              f"{fp.co2_g / abated:.2e} g CO2 per t CO2/yr abated")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--levels", type=int, default=6)
    args = ap.parse_args()
    power_model(args.seconds, args.levels)
    app_costs()


if __name__ == "__main__":
    main()
