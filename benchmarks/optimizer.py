"""Torch batched optimizer against HiGHS one by one and against itself one scenario at a time.

    python benchmarks/optimizer.py [--quick] [--device auto|cpu|cuda] [--threads N]
                                   [--memory-mb MB] [--chunk-items N] [--large]

For N districts (77 = the default city; larger = seeded tessellations with generated
attributes) and S scenarios (budgets, prices, grid paths, Justice40 shares, equity weights
and diminishing returns drawn from a seeded generator), in one process:

* ``torch s``: one warm batched solve of all S scenarios (median of 3);
* ``one at a time s``: the same S scenarios, each its own warm ``optimize`` call (median of
  3 passes; when a pass would exceed ``--single-seconds``, the mean over the scenarios
  solved in that time x S, and the row says so);
* ``HiGHS s``: scipy ``linprog(method="highs")`` on each scenario's identical LP, one
  after another (at most ``--highs-seconds`` per cell, then extrapolated likewise);
* the worst relative objective gap to HiGHS, and the working memory of the batched solve:
  the peak resident memory it adds (CPU; sampled every millisecond in a fresh process) or
  the peak CUDA memory allocated, against the budget ``GREENPRINT_SOLVE_MEMORY_MB``
  (``--memory-mb``), and the number of chunks it was solved in.

The last lines print issue 13's targets at 801 x 256 with the measured figures and their
references: batched >= 100x HiGHS one by one, >= 5x one at a time, memory within the budget.

Measured at 801 x 256, one thread, ``--quick --highs-seconds 5`` on the shared 2-core
machine (wall-clock, other jobs running), before -> after issue 13's profiling pass:
batched 0.307 s -> 0.215 to 0.220 s (three runs), one at a time 0.63 to 0.65 s after (it
swings with the load: 0.89 s in the run before), x one at a time 2.9x -> 2.9 to 3.0x,
HiGHS 241x -> 313x to 345x, peak working memory 56 MB -> 54 to 61 MB. In CPU time
(``time.thread_time``, medians, both versions side by side) batched 258 to 272 ms -> 209
to 228 ms, one at a time unchanged (about 700 ms). Where the batched 0.21 s goes: the
stable sort by value per unit of money about 55 ms (the tranches of diminishing returns
sorted by their first tranche and merged), first touches of the result's fresh memory
about 25 ms (the [S, J] linear instance and the plans; the cost is one shared row when no
scenario changes a cost), other elementwise passes about 90 ms, per-scenario Python
(scenario checks, statuses) about 25 ms. One at a time costs about 2.6 ms per scenario,
so 5x needs about 0.5 ms per scenario of about 10,000 items, of which the sort alone
takes 0.2 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import torch

from core.intake.city import default_city
from core.intake.reference_values import ReferenceValues
from core.plan import optimizer, problem, results
from core.plan.scenario import Scenario
from core.plan.solvers import torch_exact
from core.sample.city import sample_city
from core.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
TARGET = (801, 256)  # issue 13: N x S of the batched targets
TARGET_HIGHS, TARGET_SINGLE = 100.0, 5.0  # x HiGHS one by one, x one at a time
MACHINE_THREADS = torch.get_num_threads()  # torch's default: every core


def city_of(n: int):
    return default_city() if n == 77 else sample_city(n, seed=1, rounded=True)


def scenarios(s: int, refs: ReferenceValues, seed: int = 0) -> list[Scenario]:
    """``s`` seeded scenarios around the city's reference prices (``refs``)."""
    rng = np.random.default_rng(seed)
    base = Scenario()
    prices = base.prices(refs)
    return [base.replace(budget_usd_per_capita=float(rng.uniform(10, 600)),
                         electricity_usd_per_kwh=prices.electricity_usd_per_kwh * float(rng.lognormal(0, 0.2)),
                         gas_usd_per_kwh=prices.gas_usd_per_kwh * float(rng.lognormal(0, 0.2)),
                         grid_decarbonisation=float(rng.uniform(0, 0.8)),
                         justice40_share=float(rng.choice([0.0, 0.4, 0.6])),
                         equity_weight=float(rng.uniform(0, 1)),
                         diminishing_returns=bool(rng.random() < 0.5)) for _ in range(s)]


def timed(fn, repeats: int = 3) -> float:
    """Median wall time (s) of ``fn()`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def one_at_a_time(ctx, scs, device: str, limit_s: float) -> tuple[float, int]:
    """(seconds for all scenarios solved one per call, scenarios actually solved): the
    median of 3 passes, or one pass cut at ``limit_s`` and extrapolated from its mean."""
    start, solved = time.perf_counter(), 0
    for sc in scs:
        optimizer.optimize(ctx, sc, device=device)
        solved += 1
        if time.perf_counter() - start > limit_s / 3:
            break
    first = time.perf_counter() - start
    if solved < len(scs):
        return first / solved * len(scs), solved
    return statistics.median([first] + [timed(lambda: [optimizer.optimize(ctx, sc, device=device)
                                                       for sc in scs], 1) for _ in range(2)]), solved


def highs_one_by_one(res, s: int, limit_s: float) -> tuple[float, int, float]:
    """(HiGHS seconds for all S linear problems, problems solved, worst objective gap)."""
    gaps, seconds = [], []
    start = time.perf_counter()
    for i in range(s):
        check = results.check_against_highs(res, i)
        seconds.append(check["seconds"])
        gaps.append(check["gap_rel"])
        if time.perf_counter() - start > limit_s:
            break
    return float(np.mean(seconds)) * s, len(seconds), float(np.nanmax(gaps))


def chunks_of(ctx, scs, device: str, memory_mb: float) -> int:
    """How many solver calls (chunks) the batch takes under the budget."""
    calls = []

    class Counting:
        @staticmethod
        def solve(p):
            calls.append(p.value.shape[0])
            return torch_exact.solve(p)
    optimizer.optimize(ctx, scs, device=device, solver=Counting, memory_mb=memory_mb)
    return len(calls)


def single_and_batched(cell: tuple[int, int], args, threads: int) -> tuple[float, float]:
    """(one at a time s, batched s) of ``cell`` (N, S) with ``threads`` torch threads."""
    n, s = cell
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    ctx = problem.context(city_of(n))
    scs = scenarios(s, ctx.references)
    optimizer.optimize(ctx, scs, device=args.device, memory_mb=args.memory_mb)  # warm-up
    optimizer.optimize(ctx, scs[0], device=args.device)
    batched = timed(lambda: optimizer.optimize(ctx, scs, device=args.device,
                                               memory_mb=args.memory_mb))
    single = one_at_a_time(ctx, scs, args.device, args.single_seconds)[0]
    torch.set_num_threads(before)
    return single, batched


def run(ns, ss, args) -> list[dict]:
    rows = []
    for n in ns:
        ctx = problem.context(city_of(n))
        for s in ss:
            scs = scenarios(s, ctx.references)
            res = optimizer.optimize(ctx, scs, device=args.device, memory_mb=args.memory_mb)  # warm-up
            optimizer.optimize(ctx, scs[0], device=args.device)  # warm-up of the single path
            torch_s = timed(lambda ctx=ctx, scs=scs: optimizer.optimize(
                ctx, scs, device=args.device, memory_mb=args.memory_mb))
            single_s, single_n = one_at_a_time(ctx, scs, args.device, args.single_seconds)
            highs_s, highs_n, gap = highs_one_by_one(res, s, args.highs_seconds)
            memory = peak_memory(n, s, args) if args.memory else None
            rows.append({"N": n, "S": s, "items": res.linear.value.shape[1], "device": res.device,
                         "torch_s": torch_s, "single_s": single_s, "single_solved": single_n,
                         "highs_s": highs_s, "highs_solved": highs_n, "worst_gap": gap,
                         "max_violation": float(res.max_violation_rel.max()),
                         "chunks": chunks_of(ctx, scs, args.device, args.memory_mb),
                         "memory": memory})
            print_row(rows[-1])
    return rows


HEADER = (f"{'N':>6} {'S':>5} {'items':>7} {'device':>6} {'torch s':>8} {'1-by-1 s':>9} "
          f"{'x 1-by-1':>8} {'HiGHS s':>9} {'x HiGHS':>8} {'worst gap':>9} {'max viol':>8} "
          f"{'chunks':>6} {'peak MB':>8}")


def print_row(r: dict) -> None:
    notes = []
    if r["single_solved"] < r["S"]:
        notes.append(f"one at a time extrapolated from {r['single_solved']}")
    if r["highs_solved"] < r["S"]:
        notes.append(f"HiGHS extrapolated from {r['highs_solved']}")
    mem = "-" if r["memory"] is None else f"{r['memory']['peak_mb']:.0f}"
    print(f"{r['N']:>6} {r['S']:>5} {r['items']:>7} {r['device']:>6} {r['torch_s']:>8.4f} "
          f"{r['single_s']:>9.3f} {r['single_s'] / r['torch_s']:>7.1f}x {r['highs_s']:>9.2f} "
          f"{r['highs_s'] / r['torch_s']:>7.0f}x {r['worst_gap']:>9.1e} {r['max_violation']:>8.1e} "
          f"{r['chunks']:>6} {mem:>8}" + (f"  ({'; '.join(notes)})" if notes else ""), flush=True)


def print_targets(rows: list[dict], args) -> None:
    """Issue 13's targets at 801 x 256, each with its figure and reference. The ratio to one
    at a time is measured again with torch's default threads when ``--threads`` differs: a
    batch spreads its scenarios over the cores, a single small scenario cannot."""
    r = next((r for r in rows if (r["N"], r["S"]) == TARGET), None)
    if r is None:
        print(f"\ntargets: no {TARGET[0]} x {TARGET[1]} row (run without --quick)")
        return
    x_highs = r["highs_s"] / r["torch_s"]
    print(f"\ntargets (issue 13), {TARGET[0]} districts x {TARGET[1]} scenarios on {r['device']}:")
    print(f"  batched >= {TARGET_HIGHS:.0f}x HiGHS one by one: {x_highs:.0f}x "
          f"(HiGHS {r['highs_s']:.2f} s / batched {r['torch_s']:.3f} s, "
          f"{torch.get_num_threads()} thread(s)) {'met' if x_highs >= TARGET_HIGHS else 'NOT met'}")
    ratios = [(torch.get_num_threads(), r["single_s"], r["torch_s"])]
    if r["device"] == "cpu" and MACHINE_THREADS != torch.get_num_threads():
        ratios.append((MACHINE_THREADS, *single_and_batched(TARGET, args, MACHINE_THREADS)))
    for threads, single_s, torch_s in ratios:
        x = single_s / torch_s
        print(f"  batched >= {TARGET_SINGLE:.0f}x one at a time, {threads} thread(s): {x:.1f}x "
              f"(one at a time {single_s:.3f} s / batched {torch_s:.3f} s) "
              f"{'met' if x >= TARGET_SINGLE else 'NOT met'}")
    if r["memory"] is not None:
        m = r["memory"]
        print(f"  working memory within GREENPRINT_SOLVE_MEMORY_MB: peak {m['peak_mb']:.0f} MB "
              f"of a {m['budget_mb']:g} MB budget ({m['what']}), {r['chunks']} chunk(s) "
              f"{'met' if m['peak_mb'] <= m['budget_mb'] else 'NOT met'}")


# ------------------------------------------------------------------ peak memory, fresh process


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def probe(n: int, s: int, device: str, memory_mb: float | None) -> dict:
    """The memory one batched solve adds (MB): CUDA's peak allocation, or on a CPU the peak
    resident memory above the resident memory before the solve (sampled every ms)."""
    ctx = problem.context(city_of(n))
    scs = scenarios(s, ctx.references)
    budget = get_settings().solve_memory_mb if memory_mb is None else memory_mb
    if device == "cuda" or (device == "auto" and torch.cuda.is_available()):
        optimizer.optimize(ctx, scs[:1], device="cuda")
        torch.cuda.synchronize()
        before = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        optimizer.optimize(ctx, scs, device="cuda", memory_mb=memory_mb)
        peak = (torch.cuda.max_memory_allocated() - before) / 2**20
        return {"peak_mb": peak, "budget_mb": budget, "what": "CUDA memory allocated"}
    optimizer.optimize(ctx, scs[:1], device="cpu")
    before, peak, done = _rss_mb(), [0.0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb())
            time.sleep(0.001)
    watcher = threading.Thread(target=sample)
    watcher.start()
    res = optimizer.optimize(ctx, scs, device="cpu", memory_mb=memory_mb)
    done.set()
    watcher.join()
    peak[0] = max(peak[0], _rss_mb())
    out_mb = sum(a.nbytes for a in (res.units, res.spend_usd, res.abatement_t,
                                     res.bill_savings_usd)) / 2**20
    out_mb += sum(t.untyped_storage().nbytes() for t in (  # (a shared row counts once)
        res.linear.value, res.linear.cost, res.linear.cap, res.linear_spend_usd)) / 2**20
    return {"peak_mb": max(peak[0] - before - out_mb, 0.0), "budget_mb": budget,
            "what": f"resident memory added, less the result's {out_mb:.0f} MB"}


def peak_memory(n: int, s: int, args) -> dict:
    """:func:`probe` in a fresh process, so that no earlier run's memory hides the peak."""
    cmd = [sys.executable, str(Path(__file__)), "--probe", str(n), str(s), "--device",
           args.device, "--threads", str(args.threads)]
    if args.memory_mb is not None:
        cmd += ["--memory-mb", str(args.memory_mb)]
    if args.chunk_items is not None:
        cmd += ["--chunk-items", str(args.chunk_items)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N in {77, 801}, S in {1, 256}")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--highs-seconds", type=float, default=20.0,
                    help="time allowed to HiGHS per cell before extrapolating")
    ap.add_argument("--single-seconds", type=float, default=30.0,
                    help="time allowed to the one-at-a-time passes per cell before extrapolating")
    ap.add_argument("--memory-mb", type=float, default=None,
                    help="working-memory budget of a chunk (default GREENPRINT_SOLVE_MEMORY_MB)")
    ap.add_argument("--chunk-items", type=int, default=None,
                    help="items per chunk on a CPU (default core.plan.optimizer.CPU_CHUNK_ITEMS)")
    ap.add_argument("--no-memory", dest="memory", action="store_false",
                    help="skip the peak-memory probe (a fresh process per cell)")
    ap.add_argument("--large", action="store_true", help="add 10,000 x 1,024 (for a GPU)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch intra-op CPU threads (HiGHS uses one); on a shared 2-core machine "
                         "two threads oversubscribe the cores and run slower")
    ap.add_argument("--probe", type=int, nargs=2, metavar=("N", "S"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.chunk_items is not None:
        optimizer.CPU_CHUNK_ITEMS = a.chunk_items
    if a.probe:
        print(json.dumps(probe(*a.probe, a.device, a.memory_mb)))
        return
    budget = get_settings().solve_memory_mb if a.memory_mb is None else a.memory_mb
    print(f"torch {torch.__version__}, {a.threads} CPU thread(s), HiGHS via scipy linprog; "
          f"HiGHS capped at {a.highs_seconds:g} s per cell; GREENPRINT_SOLVE_MEMORY_MB "
          f"{budget:g}, {optimizer.CPU_CHUNK_ITEMS:,} items per CPU chunk", flush=True)
    ns, ss = ([77, 801], [1, 256]) if a.quick else ([77, 801, 10_000], [1, 64, 256])
    print(HEADER, flush=True)
    rows = run(ns, ss, a)
    if a.large:
        rows += run([10_000], [1024], a)
    print_targets(rows, a)


if __name__ == "__main__":
    main()
