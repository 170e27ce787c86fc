"""Models fitted to a city's data.

* ``energy``: ``EnergyModel`` (fit / predict / save / load), the annual energy model;
  ``features`` (the design matrix), ``network`` (the batched torch MLP ensemble),
  ``baselines``, ``cross_validation`` (honest k-fold scores), ``model_card``;
* ``predicted``: the model's prediction, with its 90 % interval, for districts that have data
  but no observed energy (``City.predicted`` lists them);
* ``degree_days``: the monthly base / heating / cooling split;
* ``metrics``: ASHRAE Guideline 14 goodness of fit, seeded folds; ``yardstick``: its limits
  (data/model_criteria.csv) read as a good / fair / poor verdict.
"""
