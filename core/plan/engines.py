"""Where a sweep's scenarios are solved: in this process (``local``) or on a Ray cluster (``ray``).

The ``ray`` engine splits each city's batch of scenarios into contiguous chunks, sized so
every worker gets several (:data:`CHUNKS_PER_WORKER`), and runs each chunk as a Ray task
that calls the same batched solver (:func:`core.plan.optimizer.optimize`) on the worker's
device: ``auto`` is cuda on a worker with a GPU (a task asks Ray for one GPU only when the
cluster has GPUs). Each scenario's plan does not depend on the batch or the chunk it is
solved in (tests/test_batching.py), so the gathered :class:`~core.plan.results.Result` is
the local engine's, scenario by scenario (tests/test_ray_engine.py). Progress streams back
as the chunks finish.

The cluster: ``address`` (``ray://host:10001`` for a remote one, e.g. KubeRay or
``ray up``), else ``GREENPRINT_RAY_ADDRESS`` (:mod:`core.settings`), else a Ray started in
this process for the sweep and shut down after it. A Ray already initialised in this
process (``ray.init(...)`` by the caller) is used as it is and left running. The workers
need the same Greenprint installed (its package and its ``data/`` reference tables).

Ray is imported only when the ``ray`` engine runs (``pip install 'ray[client]==2.60.0'``).
"""

from __future__ import annotations

import math
import socket
import time
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace

import numpy as np
import torch

from core.errors import InputError
from core.plan import optimizer
from core.plan.problem import CityContext
from core.plan.results import Result
from core.plan.scenario import Scenario
from core.plan.solvers import AllocationProblem
from core.settings import get_settings

ENGINES = ("local", "ray")
#: chunks each worker (CPU, or GPU when the cluster has them) gets of a sweep: several, so a
#: slow chunk does not leave the other workers idle at the end and progress comes in steps
CHUNKS_PER_WORKER = 4
RAY_PIN = "ray[client]==2.60.0"  # the client: ray:// addresses
#: seconds a cluster's address is given to accept a connection before it is reported unreachable
REACH_TIMEOUT_S = 10

#: the tensors of a result's final linear instance
_LINEAR = ("value", "cost", "cap", "dac", "budget", "share", "lower")
#: progress callback: (scenarios solved so far, scenarios in all)
Progress = Callable[[int, int], None]


def solve(ctx: CityContext, scenarios: list[Scenario], engine: str = "local",
          address: str | None = None, device: str = "auto", memory_mb: float | None = None,
          progress: Progress | None = None) -> Result:
    """Solve one city's ``scenarios`` with ``engine`` (``local`` or ``ray``); the same
    :class:`Result` either way. ``address``: the Ray cluster (see the module docstring)."""
    if engine == "local":
        res = optimizer.optimize(ctx, scenarios, device=device, memory_mb=memory_mb)
        if progress:
            progress(len(scenarios), len(scenarios))
        return res
    if engine == "ray":
        return solve_on_ray([(ctx, scenarios)], address, device, memory_mb, progress)[0]
    raise InputError(f"engine '{engine}' is not one of {', '.join(ENGINES)}")


def solve_on_ray(jobs: list[tuple[CityContext, list[Scenario]]], address: str | None = None,
                 device: str = "auto", memory_mb: float | None = None,
                 progress: Progress | None = None, chunk: int | None = None) -> list[Result]:
    """Solve each (city, scenarios) job on a Ray cluster; one :class:`Result` per job, its
    scenarios in their order. ``chunk``: scenarios per task (None: each worker gets
    :data:`CHUNKS_PER_WORKER` chunks of the whole sweep)."""
    with _cluster(address) as ray:
        t0 = time.perf_counter()
        gpus = int(ray.cluster_resources().get("GPU", 0))
        workers = gpus or max(int(ray.cluster_resources().get("CPU", 1)), 1)
        total = sum(len(scs) for _, scs in jobs)
        size = chunk or max(1, math.ceil(total / (workers * CHUNKS_PER_WORKER)))
        task = ray.remote(_solve_chunk).options(num_cpus=1, num_gpus=1 if gpus else 0)
        pending, where = [], {}
        for j, (ctx, scs) in enumerate(jobs):
            ctx_ref = ray.put(ctx)
            for start in range(0, len(scs), size):
                ref = task.remote(ctx_ref, scs[start:start + size], device, memory_mb)
                pending.append(ref)
                where[ref] = (j, start, len(scs[start:start + size]))
        parts: list[dict[int, tuple[Result, dict]]] = [{} for _ in jobs]
        done = 0
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            j, start, n = where[ready[0]]
            parts[j][start] = _get(ray, ready[0])
            done += n
            if progress:
                progress(done, total)
        seconds = time.perf_counter() - t0
    return [merge(jobs[j][0], [p[s] for s in sorted(p)], seconds) if p
            else optimizer.optimize(jobs[j][0], [], device="cpu") for j, p in enumerate(parts)]


def _get(ray, ref) -> tuple[Result, dict]:
    """A task's result; a task's input error (a device its worker lacks) as that error."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        if isinstance(exc.cause, InputError):
            raise InputError(f"on a Ray worker: {exc.cause}") from None
        raise


def _solve_chunk(ctx: CityContext, scenarios: list[Scenario], device: str,
                 memory_mb: float | None) -> tuple[Result, dict]:
    """A Ray task: the batched solver on this worker's device. Returns the result without its
    final linear instance, and that instance's tensors as numpy arrays on the host (Ray
    passes those without copying them, and a driver without the device can read them)."""
    res = optimizer.optimize(ctx, scenarios, device=device, memory_mb=memory_mb)
    tensors = {f: getattr(res.linear, f) for f in _LINEAR} | {"spend": res.linear_spend_usd}
    return (replace(res, linear=None, linear_spend_usd=None),
            {f: None if t is None else t.cpu().numpy() for f, t in tensors.items()})


def merge(ctx: CityContext, parts: list[tuple[Result, dict]], seconds: float) -> Result:
    """The chunks' results of one city (in the scenarios' order) as one :class:`Result` of
    ``seconds`` (s, wall-clock); the final linear instances padded to the widest chunk's
    tranches as the batched solver pads them (further tranches repeat value and cost, and
    hold nothing). Its footprint is the workers' (the driver only waits)."""
    results = [r for r, _ in parts]
    first = results[0]
    pairs = max(int((ctx.effects.cap_units > 0).sum()), 1)  # (district, intervention) pairs with room
    m = max(lin["value"].shape[1] // pairs for _, lin in parts)

    def cat(field: str) -> np.ndarray:
        return np.concatenate([getattr(r, field) for r in results])

    def items(field: str, repeat: bool) -> torch.Tensor:
        """[S, pairs x m] of every chunk, padded to the widest's tranches."""
        return torch.from_numpy(np.concatenate([
            _pad(lin[field] if lin[field] is not None else np.zeros_like(lin["cap"]), pairs, m,
                 repeat) for _, lin in parts]))

    linear = AllocationProblem(
        items("value", True), items("cost", True), items("cap", False),
        torch.from_numpy(np.tile(parts[0][1]["dac"][:pairs], m)),
        torch.from_numpy(np.concatenate([lin["budget"] for _, lin in parts])),
        torch.from_numpy(np.concatenate([lin["share"] for _, lin in parts])),
        None if all(lin["lower"] is None for _, lin in parts) else items("lower", False))
    footprints = [r.footprint for r in results if r.footprint is not None]
    return Result(
        scenarios=[sc for r in results for sc in r.scenarios], keys=first.keys,
        units=cat("units"), spend_usd=cat("spend_usd"), abatement_t=cat("abatement_t"),
        bill_savings_usd=cat("bill_savings_usd"), objective=cat("objective"),
        budget_usd=cat("budget_usd"), dac=first.dac,
        status=[x for r in results for x in r.status],
        messages=[x for r in results for x in r.messages],
        binding=[x for r in results for x in r.binding],
        max_violation_rel=cat("max_violation_rel"), budget_dual=cat("budget_dual"),
        approximation=[x for r in results for x in r.approximation],
        device="+".join(dict.fromkeys(r.device for r in results)),
        iterations=max(r.iterations for r in results), seconds=seconds, linear=linear,
        linear_spend_usd=items("spend", False),
        footprint=sum(footprints[1:], footprints[0]) if footprints else None)


def _pad(a: np.ndarray, pairs: int, m_to: int, repeat: bool) -> np.ndarray:
    """[S, pairs x m] items (tranche-major) -> [S, pairs x m_to]: the further tranches repeat
    the first (``repeat``) or are zeros."""
    if a.shape[1] == pairs * m_to:
        return a
    first = a[:, :pairs]
    rest = np.tile(first, (1, m_to - 1)) if repeat else np.zeros((a.shape[0], pairs * (m_to - 1)),
                                                                  dtype=a.dtype)
    return np.concatenate([first, rest], 1)


@contextmanager
def _cluster(address: str | None):
    """Ray, connected to ``address`` (or GREENPRINT_RAY_ADDRESS, or a local Ray started here
    and shut down after); an unreachable cluster is an input error naming the address."""
    try:
        import ray
    except ImportError:
        raise InputError(f"the ray engine needs Ray: pip install '{RAY_PIN}'") from None
    if ray.is_initialized():
        yield ray
        return
    address = address or get_settings().ray_address
    try:
        _connect(ray, address)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, TimeoutError...
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot reach {where}: {reason}. "
                         "Check --address (or GREENPRINT_RAY_ADDRESS): ray://HOST:10001 for a "
                         "cluster's client port, or leave it unset to run Ray on this "
                         "machine") from None
    try:
        yield ray
    finally:
        ray.shutdown()


def _connect(ray, address: str | None) -> None:
    """Start a local Ray (``address`` None) or connect to a cluster, quietly; a ``host:port``
    nobody answers at fails within :data:`REACH_TIMEOUT_S` (Ray itself waits minutes)."""
    import logging

    if address and (hostport := _host_port(address)):
        with socket.create_connection(hostport, timeout=REACH_TIMEOUT_S):
            pass
    quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
    with warnings.catch_warnings():  # the client warns before it raises; the error says it
        warnings.simplefilter("ignore")
        if address is None:
            ray.init(include_dashboard=False, **quiet)
        else:
            ray.init(address=address, **quiet)


def _host_port(address: str) -> tuple[str, int] | None:
    """``ray://host:10001`` or ``host:6379`` -> (host, port); None for ``auto`` and the like."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    return (host.strip("[]"), int(port)) if sep and host and port.isdigit() else None
