"""Planning: scenarios, the intervention catalogue, the allocation problem, its solvers,
and the Scenario lab's results (KPIs, Pareto front, Monte Carlo band)."""
