"""Models fitted to a city's data.

* ``energy``: ``EnergyModel`` (fit / predict / save / load), the annual energy model;
  ``features`` (the design matrix), ``network`` (the batched torch MLP ensemble),
  ``baselines``, ``cross_validation`` (honest k-fold scores), ``model_card``;
* ``degree_days``: the monthly base / heating / cooling split;
* ``metrics``: ASHRAE Guideline 14 goodness of fit, seeded folds; ``yardstick``: its limits
  (data/model_criteria.csv) read as a good / fair / poor verdict.
"""
