"""The ray engine solves a sweep on a Ray cluster with the local engine's results.

A local Ray of two CPUs is started once for the module (``ray.init(num_cpus=2)``) and shut
down after; the module is skipped where Ray is not installed. Every scenario's plan,
figures, statuses and final linear instance must equal the local engine's (to 1e-12 of
each array's scale), whatever the chunking. No test here times anything
(benchmarks/ray_sweep.py does).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from core import paths
from core.cli import app
from core.errors import InputError
from core.plan import engines, problem
from core.plan.scenario import SCENARIO_DIR, Scenario
from core.sample.city import sample_city

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install ray==2.60.0)")


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def ctx():
    return problem.context(sample_city(77, seed=5))


def sweep() -> list[Scenario]:
    """64 scenarios over budgets, of two shapes (with and without diminishing returns, a
    burden ceiling on some), so chunks of different tranches are gathered."""
    return [Scenario(budget_usd_per_capita=float(b), diminishing_returns=i % 3 != 0,
                     burden_ceiling=0.04 if i % 5 == 0 else None,
                     justice40_share=0.4 if i % 2 else 0.0)
            for i, b in enumerate(np.linspace(0, 800, 64))]


def assert_same(a, b) -> None:
    """Every scenario's plan, totals, statuses and final linear instance agree (1e-12)."""
    assert a.status == b.status and a.messages == b.messages and a.binding == b.binding
    assert a.approximation == b.approximation and a.iterations == b.iterations
    assert [sc.id for sc in a.scenarios] == [sc.id for sc in b.scenarios]
    for name in ("units", "spend_usd", "abatement_t", "bill_savings_usd", "objective",
                 "budget_usd", "max_violation_rel", "budget_dual"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == y.shape, name
        assert np.abs(x - y).max(initial=0.0) <= 1e-12 * max(np.abs(x).max(initial=0), 1), name
    for s in range(len(a.scenarios)):
        ta, tb = a.totals(s), b.totals(s)
        for key in ("abatement_t_co2_per_yr", "cost_usd", "bill_savings_usd_per_yr",
                    "dac_benefit_share", "objective", "budget_usd"):
            assert ta[key] == pytest.approx(tb[key], rel=1e-12, abs=1e-9), (s, key)
    la, lb = a.linear, b.linear
    for name in ("value", "cost", "cap", "dac", "budget", "share"):
        assert torch.equal(getattr(la, name).cpu(), getattr(lb, name).cpu()), name
    assert (la.lower is None) == (lb.lower is None)
    if la.lower is not None:
        assert torch.allclose(la.lower.cpu(), lb.lower.cpu(), rtol=0, atol=1e-9)
    assert torch.allclose(a.linear_spend_usd.cpu(), b.linear_spend_usd.cpu(), rtol=1e-12,
                          atol=1e-6)


@pytest.mark.parametrize("chunk", [None, 7])
def test_ray_results_equal_the_local_engine(cluster, ctx, chunk):
    scs = sweep()
    local = engines.solve(ctx, scs, engine="local", device="cpu")
    seen = []
    res = engines.solve_on_ray([(ctx, scs)], device="cpu", chunk=chunk,
                               progress=lambda done, total: seen.append((done, total)))[0]
    assert_same(res, local)
    assert len(set(res.status)) > 1  # the sweep reaches more than one status
    # progress: one step per chunk, rising to the whole sweep
    assert seen[-1] == (64, 64) and len(seen) >= 2
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert res.footprint is not None and res.footprint.energy_wh > 0


def test_several_cities_in_one_sweep(cluster, ctx):
    other = problem.context(sample_city(40, seed=9))
    scs = sweep()[:20]
    got = engines.solve_on_ray([(ctx, scs), (other, scs[:5]), (other, [])], device="cpu")
    assert_same(got[0], engines.solve(ctx, scs, device="cpu"))
    assert_same(got[1], engines.solve(other, scs[:5], device="cpu"))
    assert got[2].units.shape[0] == 0


def test_cli_sweep_on_ray_equals_local(cluster):
    """``python -m core sweep --engine ray`` prints the local engine's rows (the bundled city)."""
    args = ["sweep", str(paths.DEFAULT_BOUNDARIES), "--attributes", str(paths.DEFAULT_ATTRIBUTES),
            "--scenario", str(SCENARIO_DIR / "justice40.json"), "--vary",
            "budget_usd_per_capita=0:600:16", "--device", "cpu", "--json"]
    runner = CliRunner()
    local = runner.invoke(app, args)
    on_ray = runner.invoke(app, [*args, "--engine", "ray"])
    assert local.exit_code == 0, local.output
    assert on_ray.exit_code == 0, on_ray.output
    rows = json.loads(on_ray.stdout)["rows"]
    assert rows == json.loads(local.stdout)["rows"] and len(rows) == 16
    assert "16/16 scenarios" in on_ray.stderr


def test_unknown_engine_is_an_input_error(ctx):
    with pytest.raises(InputError, match="local, ray"):
        engines.solve(ctx, sweep()[:1], engine="spark")


def test_an_unreachable_address_exits_2_with_a_message():
    """A cluster nobody listens at (a closed port of this machine): exit code 2, the address
    and what to check, no traceback (``python -m core`` in a fresh process, no Ray running)."""
    address = f"ray://127.0.0.1:{closed_port()}"
    r = subprocess.run([sys.executable, "-m", "core", "sweep", str(paths.DEFAULT_BOUNDARIES),
                        "--attributes", str(paths.DEFAULT_ATTRIBUTES), "--scenario",
                        str(SCENARIO_DIR / "justice40.json"), "--vary",
                        "budget_usd_per_capita=0:600:4", "--engine", "ray", "--address", address],
                       capture_output=True, text=True, timeout=300)
    out = r.stdout + r.stderr
    assert r.returncode == 2, out
    assert f"cannot reach the Ray cluster at {address}" in out and "--address" in out
    assert "Traceback" not in out


def test_a_device_the_workers_lack_is_an_input_error(cluster, ctx):
    with pytest.raises(InputError, match="on a Ray worker: .*tpu"):
        engines.solve_on_ray([(ctx, sweep()[:2])], device="tpu")


def test_without_ray_the_message_names_the_pip_command(ctx, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    with pytest.raises(InputError, match=r"pip install 'ray\[client\]==2\.60\.0'"):
        engines.solve(ctx, sweep()[:2], engine="ray")


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



def _lab_sweeps(monkeypatch, address: str | None):
    """(captions, the kept sweeps) of the Scenario lab's sweeps with GREENPRINT_RAY_ADDRESS
    set to ``address`` (None: unset, solved in the server)."""
    from core.settings import get_settings
    from dashboard import keys, nav
    from tools.apptest import open_app

    if address is None:
        monkeypatch.delenv("GREENPRINT_RAY_ADDRESS", raising=False)
    else:
        monkeypatch.setenv("GREENPRINT_RAY_ADDRESS", address)
    get_settings.cache_clear()
    at = open_app(nav.SCENARIO_LAB)
    at.button(key=keys.LAB_RUN_SWEEPS).click().run()
    assert not at.exception, [e.message for e in at.exception]
    (kept,) = at.session_state[keys.LAB_SWEEPS].values()
    return " ".join(c.value for c in at.caption), [w.value for w in at.warning], kept


def test_the_labs_sweeps_run_on_the_configured_cluster_with_the_local_results(
        cluster, monkeypatch):
    # the test's Ray is already running: the app's sweeps use it whatever the address says
    captions, warnings, on_ray = _lab_sweeps(monkeypatch, "ray://head:10001")
    assert "on Ray (ray://head:10001)" in captions and not warnings
    _, _, here = _lab_sweeps(monkeypatch, None)
    assert "Ray" not in here[-1] and on_ray[-1] == "Ray (ray://head:10001)"
    assert (on_ray[1], on_ray[4]) == (here[1], here[4]) == (16, 256)  # scenarios per sweep
    for frame in (0, 3):  # the Pareto front and the Monte Carlo band
        np.testing.assert_allclose(on_ray[frame].to_numpy(float), here[frame].to_numpy(float),
                                   rtol=1e-12, atol=1e-9)


def test_an_unreachable_cluster_is_said_and_the_sweep_is_solved_here(monkeypatch):
    if ray.is_initialized():
        ray.shutdown()  # the module's cluster fixture, if it ran, would be used instead
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    captions, warnings, kept = _lab_sweeps(monkeypatch, f"ray://127.0.0.1:{port}")
    assert any("could not run on the Ray cluster" in w and "solved on this server" in w
               for w in warnings)
    assert "Ray" not in kept[-1] and "256 scenarios in one solve" in captions
