"""The batched solver against HiGHS on generated linear instances, and on small cities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.intake import estimates
from core.intake.city import load_city
from core.plan import lab, optimizer, problem, results
from core.plan.scenario import Scenario
from core.plan.solvers import AllocationProblem, get_solver, highs, torch_exact

T = torch.float64


@st.composite
def instances(draw):
    n = draw(st.integers(1, 25))
    seed = draw(st.integers(0, 2**31 - 1))
    # shares between 0 and 1e-3 are left out: HiGHS accepts a Justice40 row violated by up to
    # its 1e-7 feasibility tolerance, so there it may spend where the exact optimum spends nothing
    share = draw(st.sampled_from([0.0, 0.4, 1.0])) if draw(st.booleans()) else draw(
        st.floats(1e-3, 1))
    return seeded_instance(n, seed, share)


def seeded_instance(n: int, seed: int, share: float):
    """n districts drawn from ``seed``: values (some negative), costs, caps (10 % zero), a
    random disadvantaged set and a budget up to 1.2x what the caps can absorb."""
    rng = np.random.default_rng(seed)
    value = rng.normal(1, 1, n) * rng.uniform(0.1, 10, n)
    cost = rng.uniform(0.5, 5, n)
    cap = rng.uniform(0, 10, n) * (rng.random(n) > 0.1)
    dac = rng.random(n) < rng.uniform(0, 1)
    budget = float(rng.uniform(0, 1.2) * (cost * cap).sum())
    return value, cost, cap, dac, budget, share


def one(value, cost, cap, dac, budget, share, lower=None) -> AllocationProblem:
    """A batch of one instance given as 1-D arrays over items (units; ``lower`` in units)."""
    def t(a):
        return torch.tensor(np.asarray(a, dtype=float), dtype=T)[None]
    return AllocationProblem(t(value), t(cost), t(cap), torch.tensor(np.asarray(dac, dtype=bool)),
                             torch.tensor([budget], dtype=T), torch.tensor([share], dtype=T),
                             None if lower is None else t(lower))


def torch_solve(value, cost, cap, dac, budget, share):
    sol = torch_exact.solve(one(value, cost, cap, dac, budget, share))
    return sol, sol.spend_usd[0].numpy() / cost


def in_usd(rho, cap_usd, dac, budget, share) -> AllocationProblem:
    """A batch given in USD: value per USD ``rho`` and caps in USD [S, J] (unit cost 1 USD)."""
    rho = torch.as_tensor(rho, dtype=T)
    return AllocationProblem(rho, torch.ones_like(rho), torch.as_tensor(cap_usd, dtype=T),
                             torch.as_tensor(dac), torch.as_tensor(budget, dtype=T),
                             torch.as_tensor(share, dtype=T))


@settings(max_examples=150, deadline=None)
@given(instances())
def test_matches_highs_and_respects_every_constraint(inst):
    value, cost, cap, dac, budget, share = inst
    sol, x = torch_solve(*inst)
    ref = highs.solve(one(*inst))
    assert ref.status == ("optimal",)  # x = 0 is always feasible here
    spend = cost * x
    scale = max(budget, 1.0)
    assert (x >= -1e-12).all() and (x <= cap * (1 + 1e-9) + 1e-12).all()
    assert spend.sum() <= budget + 1e-6 * scale
    assert spend[dac].sum() >= share * spend.sum() - 1e-6 * max(spend.sum(), 1.0)
    obj = float(value @ x)
    ref_obj = float(ref.objective[0])
    assert obj == pytest.approx(ref_obj, rel=1e-3, abs=1e-6 * max(1.0, abs(ref_obj)))


@settings(max_examples=60, deadline=None)
@given(instances(), st.floats(1.01, 3.0))
def test_more_budget_never_achieves_less(inst, factor):
    value, cost, cap, dac, budget, share = inst
    _, x1 = torch_solve(value, cost, cap, dac, budget, share)
    _, x2 = torch_solve(value, cost, cap, dac, budget * factor + 1.0, share)
    assert value @ x2 >= value @ x1 - 1e-9 * max(1.0, abs(value @ x1))


def test_a_batch_gives_the_same_answers_as_one_by_one():
    rng = np.random.default_rng(3)
    n, s = 30, 6
    rho, cap = rng.normal(1, 1, (s, n)), rng.uniform(0, 5, (s, n))
    dac = rng.random(n) < 0.3
    budget, share = rng.uniform(1, 40, s), np.array([0, 0.2, 0.4, 0.6, 0.9, 1.0])
    batch = torch_exact.solve(in_usd(rho, cap, dac, budget, share)).spend_usd
    for i in range(s):
        alone = torch_exact.solve(in_usd(rho[i:i + 1], cap[i:i + 1], dac, budget[i:i + 1],
                                         share[i:i + 1])).spend_usd
        assert torch.allclose(batch[i], alone[0], rtol=1e-12, atol=1e-12)


def sweep_with_repeats():
    """A batch of 8 seeded instances over the same 40 items: rows 0, 2, 5 and 7 share one set
    of values and caps (a sweep of budgets and Justice40 shares), rows 3 and 6 another (row 6
    also repeats the budget and share of row 3), rows 1 and 4 are their own."""
    rng = np.random.default_rng(11)
    n = 40
    rho, cap = rng.normal(1, 1, (8, n)), rng.uniform(0, 5, (8, n))
    rho[:, :10] = rho[:, 10:20]  # ties inside each row, kept in the items' order
    for rows in ([0, 2, 5, 7], [3, 6]):
        rho[rows], cap[rows] = rho[rows[0]], cap[rows[0]]
    dac = rng.random(n) < 0.4
    budget = np.array([5.0, 20.0, 40.0, 30.0, 60.0, 80.0, 30.0, 120.0])
    share = np.array([0.0, 0.4, 0.4, 0.6, 0.2, 0.9, 0.6, 0.5])
    return rho, cap, dac, budget, share


def test_rows_with_the_same_keys_share_one_sort_and_keep_their_own_order():
    rho, cap, dac, budget, share = sweep_with_repeats()
    key = torch.tensor(rho, dtype=T)
    distinct, of = torch_exact._repeated_rows(key)
    assert distinct.tolist() == [0, 1, 3, 4] and of.tolist() == [0, 1, 0, 2, 3, 0, 2, 0]
    assert torch.equal(torch_exact._descending(key),
                       torch.argsort(key, dim=1, descending=True, stable=True))
    # rows whose keys differ only in the sign of a zero, or not at all: bit for bit
    zeros = torch.tensor([[0.0, 1.0, -0.0], [-0.0, 1.0, 0.0], [0.0, 1.0, -0.0]], dtype=T)
    assert torch_exact._repeated_rows(zeros)[1].tolist() == [0, 1, 0]
    assert torch_exact._repeated_rows(key[[1, 4]]) is None


def test_a_sweep_sharing_its_sort_gives_each_row_its_own_plan_and_the_highs_optimum():
    rho, cap, dac, budget, share = sweep_with_repeats()
    batch = torch_exact.solve(in_usd(rho, cap, dac, budget, share))
    for i in range(len(budget)):
        alone_inst = in_usd(rho[i:i + 1], cap[i:i + 1], dac, budget[i:i + 1], share[i:i + 1])
        alone = torch_exact.solve(alone_inst)
        assert torch.equal(batch.spend_usd[i], alone.spend_usd[0])
        assert batch.status[i] == alone.status[0]
        assert_same_report(alone, highs.solve(alone_inst), rel=1e-9)


def tranche_keys(rng, s: int, p: int, m: int) -> torch.Tensor:
    """[s, p x m] values per USD in ``m`` tranches of ``p`` items (each tranche the first
    scaled by 0.8 per step, as diminishing returns make them), with ties and negatives."""
    first = rng.normal(0.5, 1, (s, p))
    first[:, : p // 4] = first[:, p // 4: 2 * (p // 4)]  # ties inside a block
    return torch.tensor(np.concatenate([first * 0.8 ** t for t in range(m)], 1), dtype=T)


def test_blocks_that_sort_alike_give_the_full_stable_sort():
    rng = np.random.default_rng(5)
    key = tranche_keys(rng, 6, 50, 3)
    key[4, 100:] = -key[4, :50]  # a row whose third block sorts the other way round
    key[5, 50:100] = key[5, :50]  # a row whose first two blocks tie item for item
    expected = torch.argsort(key, dim=1, descending=True, stable=True)
    assert torch.equal(torch_exact._descending(key, blocks=3), expected)
    assert torch.equal(torch_exact._descending(key, blocks=1), expected)
    assert torch.equal(torch_exact._descending(key[[4]], blocks=3), expected[[4]])


def test_the_blocks_hint_changes_no_plan_and_keeps_the_highs_optimum():
    rng = np.random.default_rng(9)
    s_n, p, m = 6, 30, 3
    rho = tranche_keys(rng, s_n, p, m).numpy()
    cap = np.tile(rng.uniform(0, 5, (s_n, p)), (1, m))
    dac = np.tile(rng.random(p) < 0.4, m)
    budget, share = rng.uniform(5, 150, s_n), np.array([0.0, 0.3, 0.5, 0.7, 0.9, 0.4])
    plain = in_usd(rho, cap, dac, budget, share)
    hinted = AllocationProblem(plain.value, plain.cost, plain.cap, plain.dac, plain.budget,
                               plain.share, None, m)
    a, b = torch_exact.solve(plain), torch_exact.solve(hinted)
    assert torch.equal(a.spend_usd, b.spend_usd) and a.status == b.status
    assert torch.equal(a.budget_dual, b.budget_dual)
    for i in range(s_n):
        assert_same_report(torch_exact.solve(hinted.row(i)), highs.solve(hinted.row(i)),
                           rel=1e-9)


def test_a_hand_solved_instance():
    # two items: a DAC one worth 1/USD (cap 10 USD) and another worth 3/USD (cap 100 USD);
    # budget 50, 40 % to DACs: spend 10 on DAC and 15 elsewhere (10 = 0.4 x 25), objective 55
    sol = torch_exact.solve(in_usd([[1.0, 3.0]], [[10.0, 100.0]], [True, False], [50.0], [0.4]))
    assert sol.spend_usd[0].tolist() == pytest.approx([10.0, 15.0])
    assert bool(sol.j40_binding[0]) and not sol.infeasible[0]


# ------------------------------------------------- the HiGHS solver reports what torch reports


def assert_same_report(ours, ref, rel: float):
    """Same status, Justice40 and infeasible flags, objective and budget dual (one instance)."""
    assert ref.status == ours.status and ref.infeasible == ours.infeasible
    assert ref.j40_binding.tolist() == ours.j40_binding.tolist()
    if ours.status == ("optimal",):
        assert float(ref.objective[0]) == pytest.approx(float(ours.objective[0]), rel=rel, abs=1e-9)
        assert float(ref.budget_dual[0]) == pytest.approx(float(ours.budget_dual[0]), rel=1e-6,
                                                          abs=1e-12)


@pytest.mark.parametrize("share", [0.0, 0.05, 0.4, 0.7, 1.0])
def test_highs_reports_the_torch_flags_on_seeded_instances(share):
    binding = []
    for seed in range(60):
        inst = seeded_instance(1 + seed % 25, seed, share)
        ours = torch_exact.solve(one(*inst))
        assert_same_report(ours, highs.solve(one(*inst)), rel=1e-6)
        binding.append(bool(ours.j40_binding[0]))
    assert not any(binding) if share == 0 else 0 < sum(binding) < len(binding)


def test_highs_reports_the_torch_flags_with_forced_spending():
    statuses = []
    for seed in range(60):
        inst = seeded_instance(1 + seed % 25, seed, [0.0, 0.4, 0.7, 1.0][seed % 4])
        rng = np.random.default_rng(seed)
        lower = inst[2] * rng.uniform(0, 0.5, inst[2].size) * (rng.random(inst[2].size) < 0.3)
        ours = torch_exact.solve(one(*inst, lower=lower))
        assert_same_report(ours, highs.solve(one(*inst, lower=lower)), rel=1e-6)
        statuses.append(ours.status[0])
    assert {"optimal", "infeasible"} <= set(statuses)


@pytest.mark.parametrize("n, seed, share", [(14, 2124221986, 0.6444243128714926),
                                            (12, 236239662, 0.6416739987012734),
                                            (21, 1505848147, 0.39662671036470476)])
def test_highs_reports_the_torch_flags_where_justice40_binds(n, seed, share):
    inst = seeded_instance(n, seed, share)
    ours = torch_exact.solve(one(*inst))
    assert bool(ours.j40_binding[0])
    assert_same_report(ours, highs.solve(one(*inst)), rel=1e-9)


def test_both_solvers_call_forced_spending_that_breaks_justice40_infeasible():
    # a DAC item that can absorb 10 USD and 50 USD forced elsewhere: at most 10/60 < 50 % to DACs
    inst = one([1.0, 1.0], [1.0, 1.0], [10.0, 100.0], [True, False], 200.0, 0.5, lower=[0.0, 50.0])
    ours, ref = torch_exact.solve(inst), get_solver("highs").solve(inst)
    assert ours.status == ("infeasible",) and ours.infeasible == [True]
    assert_same_report(ours, ref, rel=1e-9)
    assert ref.spend_usd[0].tolist() == [0.0, 50.0]  # the forced spending alone
    dac_usd, other_usd = inst.capacity_usd()
    assert (float(dac_usd[0]), float(other_usd[0])) == (10.0, 100.0)


def test_a_solver_is_picked_by_name():
    assert get_solver("torch") is torch_exact and get_solver("highs") is highs
    with pytest.raises(ValueError, match="torch, highs"):
        get_solver("pdlp")


# ---------------------------------------------------------------- on a city


def test_city_solve_matches_highs_and_reports_everything(city4):
    ctx = problem.context(city4)
    sc = Scenario(budget_usd_per_capita=500, justice40_share=0.5, diminishing_returns=True)
    res = optimizer.optimize(ctx, sc, device="cpu")
    t = res.totals()
    assert t["status"] == "optimal" and t["device"] == "cpu" and t["exact"]
    assert t["max_constraint_violation_rel"] <= 1e-6
    assert t["cost_usd"] <= t["budget_usd"] * (1 + 1e-9)
    assert t["dac_benefit_share"] >= 0.5 - 1e-9
    check = results.check_against_highs(res)
    assert check["gap_rel"] <= 1e-3
    assert res.units.shape == (1, 4, len(ctx.keys))
    table = results.by_intervention(ctx, res)
    assert set(table["intervention"]) == set(ctx.keys)


@pytest.mark.parametrize("multipliers", [False, True])
def test_a_batch_shares_one_cost_row_unless_a_scenario_changes_a_cost(city4, multipliers):
    ctx = problem.context(city4)
    scs = [Scenario(budget_usd_per_capita=b, justice40_share=j, diminishing_returns=d,
                    tech_cost_multipliers={"envelope_retrofit": 0.5} if multipliers and i == 2
                    else {})
           for i, (b, j, d) in enumerate([(80, 0.0, False), (300, 0.4, True), (500, 0.6, False),
                                          (900, 0.5, True)])]
    res = optimizer.optimize(ctx, scs, device="cpu", memory_mb=1e-6)  # one scenario a chunk
    cost = res.linear.cost
    assert (cost.stride(0) == 0) is not multipliers  # one row, expanded, or one per scenario
    for s, sc in enumerate(scs):
        alone = optimizer.optimize(ctx, sc, device="cpu")
        width = alone.linear.cost.shape[1]
        assert torch.equal(cost[s, :width], alone.linear.cost[0])
        assert np.array_equal(res.spend_usd[s], alone.spend_usd[0])
        check = results.check_against_highs(res, s)
        assert check["status"] == "optimal" and check["gap_rel"] <= 1e-9


def test_weatherisation_only_goes_to_disadvantaged_districts(city4):
    ctx = problem.context(city4)
    res = optimizer.optimize(ctx, Scenario(budget_usd_per_capita=5000))
    j = ctx.keys.index("low_income_weatherisation")
    assert (res.units[0, ~ctx.dac, j] == 0).all()


def test_unreachable_justice40_is_reported_as_infeasible(city4):
    ctx = problem.context(city4)
    no_dac = problem.CityContext(**{**ctx.__dict__, "dac": np.zeros(4, dtype=bool)})
    res = optimizer.optimize(no_dac, Scenario(budget_usd_per_capita=100, justice40_share=0.4))
    t = res.totals()
    assert t["status"] == "infeasible"
    assert "Justice40" in t["message"] and "best achievable share 0%" in t["message"]
    assert t["cost_usd"] == 0


def test_budget_sweep_is_one_batch_and_monotone(city4):
    ctx = problem.context(city4)
    scs = [Scenario(budget_usd_per_capita=b, justice40_share=0.4) for b in (0, 50, 200, 800, 3000)]
    res = optimizer.optimize(ctx, scs)
    abated = res.abatement_t.sum((1, 2))
    assert (np.diff(abated) >= -1e-9).all() and abated[0] == 0 and abated[-1] > 0


def test_interactions_lower_heat_pump_savings(city4):
    ctx = problem.context(city4)
    base = Scenario(budget_usd_per_capita=3000, tech_cost_multipliers={"envelope_retrofit": 0.1})
    plain = optimizer.optimize(ctx, base)
    inter = optimizer.optimize(ctx, base.replace(interactions=True))
    assert inter.iterations > 1 and not inter.totals()["exact"]
    assert inter.abatement_t.sum() < plain.abatement_t.sum()


def _burden_after(ctx, res, sc):
    p = sc.prices(ctx.references)
    bill = ctx.res_electricity_kwh * p.electricity_usd_per_kwh + ctx.res_gas_kwh * p.gas_usd_per_kwh
    return (bill - res.bill_savings_usd[0].sum(1)) / (ctx.income_usd * ctx.households)


@pytest.fixture
def poorer_city4(grid4, attrs4):
    """city4 with lower incomes: three districts above a 2.7 % burden, all able to reach it."""
    a = attrs4.assign(housing_units=[450, 850, 1300, 1700],
                      median_household_income=[40_000, 30_000, 25_000, 20_000],
                      poverty_rate=[0.05, 0.1, 0.3, 0.4], roof_area_m2=[5e3, 6e3, 7e3, 8e3])
    return load_city(grid4, a)


def _burden_floor(ctx, sc):
    """Burden per district with every bill-saving measure at its cap (the lowest reachable)."""
    p = sc.prices(ctx.references)
    bill = ctx.res_electricity_kwh * p.electricity_usd_per_kwh + ctx.res_gas_kwh * p.gas_usd_per_kwh
    eff = ctx.effects
    saving = -(eff.electricity_kwh_per_unit * p.electricity_usd_per_kwh
               + eff.gas_kwh_per_unit * p.gas_usd_per_kwh)  # USD/yr per unit
    best = (eff.cap_units * np.clip(saving, 0, None)).sum(1)
    return (bill - best) / (ctx.income_usd * ctx.households)


def test_burden_ceiling_is_met_in_every_district_when_reachable(poorer_city4):
    ctx = problem.context(poorer_city4)
    sc = Scenario()
    capped = sc.replace(budget_usd_per_capita=2000, burden_ceiling=0.027)
    before = _burden_after(ctx, optimizer.optimize(ctx, sc.replace(budget_usd_per_capita=0)), sc)
    above = before > capped.burden_ceiling
    # the premise: the ceiling binds in three districts and every district can reach it
    assert above.tolist() == [True, False, True, True]
    assert (_burden_floor(ctx, sc) < capped.burden_ceiling).all()
    res = optimizer.optimize(ctx, capped)
    t = res.totals()
    assert t["status"] == "feasible" and not t["exact"]
    assert "burden_ceiling" in t["binding"]
    assert t["message"].startswith("The burden ceiling of 2.7% binds: ")
    assert "to bring 3 district(s) under it" in t["message"]
    assert "burden ceiling" in t["approximation"]
    after = _burden_after(ctx, res, capped)
    assert (after <= capped.burden_ceiling * (1 + 1e-9)).all()
    assert (after[above] < before[above]).all()
    assert t["max_constraint_violation_rel"] <= 1e-9


def test_a_ceiling_out_of_reach_is_infeasible_and_counts_the_districts(poorer_city4):
    ctx = problem.context(poorer_city4)
    sc = Scenario()
    capped = sc.replace(budget_usd_per_capita=2000, burden_ceiling=0.0215)
    floor = _burden_floor(ctx, sc)
    out_of_reach = floor > capped.burden_ceiling
    assert out_of_reach.tolist() == [False, False, True, True]  # the premise
    res = optimizer.optimize(ctx, capped)
    t = res.totals()
    assert t["status"] == "infeasible" and "burden_ceiling" in t["binding"]
    assert t["message"] == ("Infeasible: the burden ceiling of 2.1% binds and cannot be met in "
                            "2 district(s) even with every measure at its cap. Raise the ceiling.")
    after = _burden_after(ctx, res, capped)
    assert (after[~out_of_reach] <= capped.burden_ceiling * (1 + 1e-9)).all()


def test_a_slack_burden_ceiling_is_not_reported_as_binding(city4):
    ctx = problem.context(city4)
    res = optimizer.optimize(ctx, Scenario(budget_usd_per_capita=2000, burden_ceiling=0.99))
    t = res.totals()
    assert t["status"] == "feasible" and "burden_ceiling" not in t["binding"]
    assert t["message"] == "" and not t["exact"]


def test_unreachable_burden_ceiling_is_named(city4):
    ctx = problem.context(city4)
    res = optimizer.optimize(ctx, Scenario(budget_usd_per_capita=2000, burden_ceiling=0.001))
    t = res.totals()
    assert t["status"] == "infeasible" and "burden ceiling" in t["message"]
    assert "burden_ceiling" in t["binding"]


def test_a_ceiling_breached_by_heat_pumps_is_reported_on_the_illustrative_chicago():
    """The ceiling at the 95th percentile of today's burdens: 4 districts are above it; the
    cover brings them under, then the plan's heat pumps push 2 back over. That breach is
    reported (status, count, message, violation), never hidden."""
    import numpy as np

    from core.sample.chicago import illustrative_chicago

    ctx = problem.context(illustrative_chicago())  # household incomes: no city data shifts it
    sc = Scenario()
    before = _burden_after(ctx, optimizer.optimize(ctx, sc.replace(budget_usd_per_capita=0)), sc)
    capped = sc.replace(budget_usd_per_capita=2000, burden_ceiling=float(np.quantile(before, 0.95)))
    assert (before > capped.burden_ceiling).sum() == 4
    res = optimizer.optimize(ctx, capped)
    t = res.totals()
    over = _burden_after(ctx, res, capped) > capped.burden_ceiling * (1 + 1e-9)
    assert over.sum() == 2
    assert t["status"] == "ceiling exceeded"
    assert "exceeded in 2 district(s)" in t["message"] and "heat pumps" in t["message"]
    assert t["max_constraint_violation_rel"] > 1e-6
    # with heat pumps priced out (100 x their cost) the same ceiling is met everywhere
    no_hp = capped.replace(tech_cost_multipliers={"heat_pump": 100.0})
    res = optimizer.optimize(ctx, no_hp)
    assert not (_burden_after(ctx, res, no_hp) > no_hp.burden_ceiling * (1 + 1e-9)).any()
    assert res.totals()["status"] == "feasible"


@pytest.mark.parametrize("n, seed, share", [(14, 2124221986, 0.6444243128714926),
                                            (12, 236239662, 0.6416739987012734),
                                            (21, 1505848147, 0.39662671036470476)])
def test_known_gap_with_a_binding_justice40_share(n, seed, share):
    inst = seeded_instance(n, seed, share)
    _, x = torch_solve(*inst)
    ref = highs.solve(one(*inst))
    assert float(inst[0] @ x) == pytest.approx(float(ref.objective[0]), rel=1e-9)


# ---------------------------------------------------------------- the optimizer on HiGHS


def _spend_by_value_level(res, s: int) -> dict:
    """Spending (USD) per value per USD in the final linear instance: what any optimal plan
    shows, whichever of several items of equal value per USD it funds."""
    rho = res.linear.rho[s].numpy()
    level = np.round(rho / np.abs(rho).max(), 9)
    spend = pd.Series(res.linear_spend_usd[s].numpy())
    return spend.groupby(level).sum().to_dict()


CITY4_SCENARIOS = [
    Scenario(budget_usd_per_capita=500, justice40_share=0.5, diminishing_returns=True),
    Scenario(budget_usd_per_capita=5000),
    *[Scenario(budget_usd_per_capita=b, justice40_share=0.4) for b in (0, 50, 200, 800, 3000)],
    Scenario(budget_usd_per_capita=3000, tech_cost_multipliers={"envelope_retrofit": 0.1},
             interactions=True),
    Scenario(budget_usd_per_capita=2000, burden_ceiling=0.03),
    Scenario(budget_usd_per_capita=2000, burden_ceiling=0.99),
    Scenario(budget_usd_per_capita=2000, burden_ceiling=0.001),
    Scenario(budget_usd_per_capita=300, objective="min_cost", justice40_share=0.4),
    Scenario(budget_usd_per_capita=300, objective="min_burden", justice40_share=0.4),
]


@pytest.mark.parametrize("sc", CITY4_SCENARIOS, ids=lambda sc: sc.id)
def test_the_optimizer_on_highs_gives_the_torch_plan(city4, sc):
    ctx = problem.context(city4)
    ours, ref = (optimizer.optimize(ctx, sc, device="cpu", solver=name) for name in ("torch", "highs"))
    assert ref.status == ours.status and ref.messages == ours.messages
    assert ref.objective == pytest.approx(ours.objective, rel=1e-7, abs=1e-12)
    assert ref.iterations == ours.iterations
    assert ref.max_violation_rel == pytest.approx(ours.max_violation_rel, rel=1e-7, abs=1e-9)
    # the same measure in two districts can be worth the same per USD: there the plans may fund
    # different districts, and the torch solver's Justice40 flag follows its order among them
    assert [b for b in ref.binding[0] if b != "justice40"] == \
        [b for b in ours.binding[0] if b != "justice40"]
    budget = max(float(ours.budget_usd[0]), 1.0)
    by_level, ref_by_level = _spend_by_value_level(ours, 0), _spend_by_value_level(ref, 0)
    assert by_level.keys() == ref_by_level.keys()
    for key, usd in by_level.items():
        assert ref_by_level[key] == pytest.approx(usd, rel=1e-7, abs=1e-7 * budget), key


def test_the_optimizer_on_highs_reports_unreachable_justice40(city4):
    ctx = problem.context(city4)
    no_dac = problem.CityContext(**{**ctx.__dict__, "dac": np.zeros(4, dtype=bool)})
    sc = Scenario(budget_usd_per_capita=100, justice40_share=0.4)
    ours, ref = (optimizer.optimize(no_dac, sc, solver=name) for name in ("torch", get_solver("highs")))
    assert ref.status == ours.status == ["infeasible"] and ref.messages == ours.messages
    assert ref.binding == ours.binding and ref.spend_usd.sum() == ours.spend_usd.sum() == 0


def test_the_optimizer_on_highs_solves_a_batch_row_by_row(city4):
    ctx = problem.context(city4)
    ours, ref = (optimizer.optimize(ctx, CITY4_SCENARIOS, device="cpu", solver=name)
                 for name in ("torch", "highs"))
    assert ref.status == ours.status and ref.iterations == ours.iterations
    assert ref.objective == pytest.approx(ours.objective, rel=1e-7, abs=1e-12)
    for s in range(len(CITY4_SCENARIOS)):
        assert results.check_against_highs(ours, s)["status"] == "optimal"


# ------------------------------------------------- empty and degenerate problems (issue 10)


def empty_instance(s_n: int = 3, forced: bool = False) -> AllocationProblem:
    """S instances without any item (J = 0): budgets 0, 10 and 1e6 USD, shares 0, 0.4, 1."""
    none = torch.zeros(s_n, 0, dtype=T)
    return AllocationProblem(none, none, none, torch.zeros(0, dtype=torch.bool),
                             torch.tensor([0.0, 10.0, 1e6][:s_n], dtype=T),
                             torch.tensor([0.0, 0.4, 1.0][:s_n], dtype=T), none if forced else None)


@pytest.mark.parametrize("forced", [False, True])
def test_both_solvers_accept_an_instance_without_items(forced):
    inst = empty_instance(forced=forced)
    ours, ref = torch_exact.solve(inst), highs.solve(inst)
    for sol in (ours, ref):
        assert sol.spend_usd.shape == (3, 0)
        assert sol.status == ("optimal",) * 3 and sol.infeasible == [False] * 3
        assert sol.j40_binding.tolist() == [False] * 3
        assert sol.budget_dual.tolist() == sol.objective.tolist() == [0.0] * 3
    for s in range(3):
        assert_same_report(torch_exact.solve(inst.row(s)), highs.solve(inst.row(s)), rel=1e-12)
    dac_usd, other_usd = inst.capacity_usd()
    assert dac_usd.tolist() == other_usd.tolist() == [0.0] * 3


SOLVERS = ("torch", "highs")
FULL = dict(housing_units=[450, 850, 1300, 1700], median_household_income=[90e3, 60e3, 30e3, 20e3],
            poverty_rate=[0.05, 0.1, 0.3, 0.4], roof_area_m2=[5e3, 6e3, 7e3, 8e3])


def city_without(grid4, attrs4, *columns, **changes):
    """city4 (see conftest) without ``columns`` and with ``changes`` to its columns. A column
    Greenprint would estimate when absent (core.intake.estimates.COLUMNS) is given as zeros
    instead, so that the city has none of it."""
    zeros = {c: 0.0 for c in columns if c in estimates.COLUMNS}
    table = attrs4.assign(**FULL).assign(**changes).assign(**zeros)
    return load_city(grid4, table.drop(columns=[c for c in columns if c not in zeros]))


def assert_empty_plan(ctx, res, status: str, *phrases: str):
    """Every scenario: ``status``, a message holding ``phrases``, nothing spent, and every
    table, KPI and the HiGHS check still build."""
    assert res.status == [status] * len(res.scenarios), res.messages
    for s, message in enumerate(res.messages):
        for phrase in phrases:
            assert phrase in message, message
        t = res.totals(s)
        assert t["cost_usd"] == t["abatement_t_co2_per_yr"] == t["bill_savings_usd_per_yr"] == 0
        assert t["binding"] == [] and t["max_constraint_violation_rel"] == 0
        check = results.check_against_highs(res, s)
        assert check["status"] == "optimal" and check["gap_rel"] == 0
    assert not res.units.any() and not res.spend_usd.any()
    kpis = {k.label: k for k in lab.kpis(ctx, res)}
    assert kpis["Spent"].value == 0 and kpis["Emissions"].delta == 0
    assert len(results.district_table(ctx, res)) == ctx.dac.size
    assert results.by_intervention(ctx, res)["spend_usd"].sum() == 0
    results.burden_by_quintile(ctx, res)


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_city_without_housing_households_or_roofs_has_no_capacity(grid4, attrs4, solver):
    ctx = problem.context(city_without(grid4, attrs4, "households", "housing_units",
                                       "roof_area_m2"))
    scs = [Scenario(), Scenario(justice40_share=0.4), Scenario(budget_usd_per_capita=0),
           Scenario(burden_ceiling=0.02, interactions=True, diminishing_returns=True)]
    res = optimizer.optimize(ctx, scs, device="cpu", solver=solver)
    assert res.linear.value.shape == (4, 0)  # no item any scenario can buy
    assert_empty_plan(ctx, res, "no capacity",
                      "No intervention can be placed: no district has housing_units (for envelope "
                      "retrofit, heat-pump electrification), roof_area_m2 (for rooftop solar PV) "
                      "or households (for efficient lighting and appliances), the stock each "
                      "intervention is counted in; low-income weatherisation goes only to "
                      "disadvantaged districts, and no district is one. Map housing_units, "
                      "roof_area_m2 or households to place them.",
                      "No district is disadvantaged")
    assert res.messages[0].count("Map housing_units") == 1  # no second note on the stocks
    front, _ = lab.pareto_budget(ctx, Scenario(), levels=3, device="cpu")
    band, _ = lab.monte_carlo(ctx, Scenario(), draws=2, levels=2, device="cpu")
    assert not front["abatement_t_co2_per_yr"].any() and not band["p90_t_co2_per_yr"].any()


@pytest.mark.parametrize("solver", SOLVERS)
def test_without_households_rooftop_pv_is_still_placed_and_the_rest_named(grid4, attrs4, solver):
    ctx = problem.context(city_without(grid4, attrs4, "households", "housing_units"))
    res = optimizer.optimize(ctx, Scenario(budget_usd_per_capita=100), device="cpu", solver=solver)
    t = res.totals()
    assert t["status"] == "optimal" and t["cost_usd"] > 0
    pv = ctx.keys.index("rooftop_pv")
    assert res.spend_usd[0, :, pv].sum() == pytest.approx(t["cost_usd"])
    assert ("Some interventions cannot be placed: no district has housing_units (for envelope "
            "retrofit, heat-pump electrification) or households (for efficient lighting and "
            "appliances), the stock each intervention is counted in") in t["message"]
    assert "Map housing_units or households to place them." in t["message"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_zero_budget_spends_nothing_and_says_so(city4, solver):
    ctx = problem.context(city4)
    res = optimizer.optimize(ctx, [Scenario(budget_usd_per_capita=0),
                                   Scenario(budget_usd_per_capita=0, justice40_share=1.0)],
                             device="cpu", solver=solver)
    assert_empty_plan(ctx, res, "no budget", "Nothing is spent: the budget is 0 USD per "
                                             "resident. Raise it to place measures.")
    nobody = problem.CityContext(**{**ctx.__dict__, "population": 0.0})
    res = optimizer.optimize(nobody, Scenario(), device="cpu", solver=solver)
    assert_empty_plan(nobody, res, "no budget", "no district has residents", "Map population.")


@pytest.mark.parametrize("solver", SOLVERS)
def test_no_disadvantaged_district_is_named_and_justice40_infeasible(grid4, attrs4, solver):
    ctx = problem.context(city_without(grid4, attrs4, "median_household_income"))
    assert not ctx.dac.any()
    res = optimizer.optimize(ctx, [Scenario(budget_usd_per_capita=100),
                                   Scenario(budget_usd_per_capita=100, justice40_share=0.4)],
                             device="cpu", solver=solver)
    plain, j40 = res.totals(0), res.totals(1)
    note = ("No district is disadvantaged under the CEJST-style rule (it needs an energy burden: "
            "households and median_household_income or population and per_capita_income, "
            "which no district has): a Justice40 share cannot be met and the equity weight has "
            "nothing to act on.")
    assert plain["status"] == "optimal" and plain["cost_usd"] > 0 and note in plain["message"]
    assert "low-income weatherisation goes only to disadvantaged districts" in plain["message"]
    assert j40["status"] == "infeasible" and j40["cost_usd"] == 0
    assert j40["message"].startswith("Infeasible: the Justice40 share of 40% cannot be reached: "
                                     "no district is disadvantaged; best achievable share 0%. "
                                     "Set the share to 0%.") and note in j40["message"]
    assert lab.kpis(ctx, res, 1)[1].value == 0  # spent


@pytest.mark.parametrize("solver", SOLVERS)
def test_every_district_disadvantaged_meets_any_justice40_share(city4, solver):
    ctx = problem.context(city4)
    all_dac = problem.CityContext(**{**ctx.__dict__, "dac": np.ones(4, dtype=bool)})
    res = optimizer.optimize(all_dac, Scenario(budget_usd_per_capita=100, justice40_share=1.0),
                             device="cpu", solver=solver)
    t = res.totals()
    assert t["status"] == "optimal" and t["cost_usd"] > 0 and t["dac_benefit_share"] == 1.0
    assert "Every district is disadvantaged under the CEJST-style rule: any plan meets the " \
           "Justice40 share and the equity weight favours none." in t["message"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_single_district_city_is_optimized_with_a_note(grid4, attrs4, solver):
    city = load_city(grid4.iloc[:1], attrs4.assign(**FULL).iloc[:1])
    ctx = problem.context(city)
    scs = [Scenario(budget_usd_per_capita=100), Scenario(budget_usd_per_capita=100,
                                                          justice40_share=0.4)]
    res = optimizer.optimize(ctx, scs, device="cpu", solver=solver)
    assert res.status == ["optimal", "optimal"] and (res.spend_usd.sum((1, 2)) > 0).all()
    assert all("The city has one district: the plan chooses measures, not places" in m
               for m in res.messages)
    assert results.check_against_highs(res)["gap_rel"] <= 1e-9
    assert len(results.district_table(ctx, res)) == 1


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_city_without_energy_use_places_only_rooftop_pv(grid4, attrs4, solver):
    ctx = problem.context(city_without(grid4, attrs4, electricity_kwh=0.0, gas_kwh=0.0))
    res = optimizer.optimize(ctx, Scenario(budget_usd_per_capita=100), device="cpu", solver=solver)
    t = res.totals()
    assert t["status"] == "optimal" and t["cost_usd"] > 0
    assert res.spend_usd[0].sum(0)[ctx.keys.index("rooftop_pv")] == pytest.approx(t["cost_usd"])
    assert "No district has electricity or gas use above zero (electricity_kwh, gas_kwh)" \
        in t["message"]
    no_roof = problem.context(city_without(grid4, attrs4, "roof_area_m2", electricity_kwh=0.0,
                                           gas_kwh=0.0))
    res = optimizer.optimize(no_roof, [Scenario(), Scenario(objective="min_cost")], device="cpu",
                             solver=solver)
    assert_empty_plan(no_roof, res, "no effect", "Nothing is spent: no measure lowers ",
                      "No district has electricity or gas use above zero")
    assert all(m.count("No district has electricity") == 1 for m in res.messages)


@pytest.mark.parametrize("solver", SOLVERS)
def test_the_burden_objective_without_income_says_what_it_needs(grid4, attrs4, solver):
    ctx = problem.context(city_without(grid4, attrs4, "median_household_income"))
    res = optimizer.optimize(ctx, Scenario(objective="min_burden"), device="cpu", solver=solver)
    assert_empty_plan(ctx, res, "no effect", "Nothing is spent: no measure lowers the energy "
                      "burden: the burden objective divides bill savings by an income "
                      "(median_household_income or per_capita_income), which no district has")


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_city_without_districts_has_no_capacity(city4, solver):
    ctx = problem.context(city4)
    none = slice(0, 0)
    eff = ctx.effects
    empty = problem.CityContext(**{
        **{k: v[none] if isinstance(v, np.ndarray) else v for k, v in ctx.__dict__.items()},
        "population": 0.0,
        "effects": type(eff)(eff.keys, *(getattr(eff, f)[none] for f in (
            "electricity_kwh_per_unit", "gas_kwh_per_unit", "cap_units", "heat_gas_kwh_per_unit",
            "gas_kwh_per_home")))})
    res = optimizer.optimize(empty, [Scenario(), Scenario(burden_ceiling=0.05, justice40_share=1)],
                             device="cpu", solver=solver)
    assert_empty_plan(empty, res, "no capacity")
    assert res.messages == ["No intervention can be placed: the city has no districts."] * 2


def test_every_objective_has_words_for_an_empty_plan():
    from core.plan import scenario, status

    assert set(status.LOWERS) == set(scenario.OBJECTIVES)
