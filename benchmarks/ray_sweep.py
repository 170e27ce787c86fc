"""A sweep on local Ray workers against one process (the local batched engine).

    python benchmarks/ray_sweep.py [--districts 10000] [--scenarios 4096] [--num-cpus 2]
                                   [--device cpu] [--chunk N] [--local-threads N]

For a seeded sample city of ``--districts`` districts and ``--scenarios`` scenarios
(budgets from 0 to 800 USD per resident, Justice40 shares 0 / 0.4, diminishing returns on
every third), it prints:

* ``local s``: one process, the batched solver (core.plan.engines, engine ``local``);
* ``ray start s``: starting a local Ray of ``--num-cpus`` CPUs and its workers (once);
* ``ray s``: the same sweep in chunks on those workers (engine ``ray``; one torch thread
  each, Ray's default), gathered;
* the ratio local / ray, and the largest difference between the two results' plans and
  totals (they must be equal: each scenario is solved alone).

Issue 13's figure is 10,000 districts x 4,096 scenarios on local Ray workers against one
process; ``--districts/--scenarios`` run it smaller where that takes too long.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def scenarios(n: int) -> list:
    from core.plan.scenario import Scenario

    return [Scenario(budget_usd_per_capita=float(b), justice40_share=0.4 if i % 2 else 0.0,
                     diminishing_returns=i % 3 == 0)
            for i, b in enumerate(np.linspace(0, 800, n))]


def largest_difference(a, b) -> float:
    """Largest difference between two results' arrays, relative to each array's scale."""
    worst = 0.0
    for name in ("units", "spend_usd", "abatement_t", "bill_savings_usd", "objective",
                 "budget_usd", "max_violation_rel"):
        x, y = getattr(a, name), getattr(b, name)
        worst = max(worst, float(np.abs(x - y).max(initial=0)) / max(float(np.abs(x).max(initial=0)), 1.0))
    assert a.status == b.status and a.messages == b.messages, "statuses differ"
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--districts", type=int, default=10_000)
    ap.add_argument("--scenarios", type=int, default=4096)
    ap.add_argument("--num-cpus", type=int, default=2, help="CPUs of the local Ray")
    ap.add_argument("--device", default="cpu", help="both engines' device (auto, cpu, cuda)")
    ap.add_argument("--chunk", type=int, default=None, help="scenarios per Ray task")
    ap.add_argument("--local-threads", type=int, default=0,
                    help="torch CPU threads of the one process (0: torch's default, one per core)")
    args = ap.parse_args()

    import ray
    import torch

    from core.plan import engines, problem
    from core.sample.city import sample_city

    t0 = time.perf_counter()
    ctx = problem.context(sample_city(args.districts))
    scs = scenarios(args.scenarios)
    print(f"{args.districts:,} districts x {args.scenarios:,} scenarios "
          f"(city built in {time.perf_counter() - t0:.1f} s)")

    if args.local_threads:
        torch.set_num_threads(args.local_threads)
    t0 = time.perf_counter()
    local = engines.solve(ctx, scs, "local", device=args.device)
    t_local = time.perf_counter() - t0
    print(f"  local (one process, device {local.device}, {torch.get_num_threads()} threads)  {t_local:10.2f} s")

    t0 = time.perf_counter()
    ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=False)
    engines.solve_on_ray([(ctx, scs[:args.num_cpus])], device=args.device, chunk=1)  # workers up
    t_start = time.perf_counter() - t0
    print(f"  ray start ({args.num_cpus} CPUs, workers warm)  {t_start:10.2f} s")

    steps = []
    t0 = time.perf_counter()
    on_ray = engines.solve_on_ray([(ctx, scs)], device=args.device, chunk=args.chunk,
                                  progress=lambda d, n: steps.append(d))[0]
    t_ray = time.perf_counter() - t0
    ray.shutdown()
    print(f"  ray ({len(steps)} chunks, device {on_ray.device})  {t_ray:10.2f} s")
    print(f"  local / ray  {t_local / t_ray:.2f}x  (ray with start-up: "
          f"{t_local / (t_ray + t_start):.2f}x)")
    print(f"  largest difference, relative to scale: {largest_difference(local, on_ray):.1e} "
          "(reference: equal, each scenario is solved alone)")


if __name__ == "__main__":
    main()
