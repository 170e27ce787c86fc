"""Planning: where retrofits, heat pumps and solar go.

* ``scenario``: one typed set of choices; ``interventions``: the catalogue and what a unit does;
* ``problem``: a city's inputs to the optimizer and the per-unit effects;
* ``optimizer``: the loop (tranches, burden-ceiling cover, interaction rounds) over a solver;
* ``solvers``: the protocol and its implementations (``torch_exact``: the exact batched torch
  solver; ``highs``: HiGHS, the reference); a new solver is one module there;
* ``results``: the result and its tables; ``lab``: KPIs, Pareto front, Monte Carlo band.
"""
