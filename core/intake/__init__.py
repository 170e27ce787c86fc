"""Intake: a user's files become a validated :class:`~core.intake.city.City`.

* ``formats``, ``readers``, ``documents``: open only what a file claims to be, within limits;
* ``columns``, ``mapping``, ``units``: the canonical columns, a user's mapping onto them
  (``mapping.merge``: explicit > saved > suggested), unit conversion;
* ``staging``: join, map, convert, clean, collect problems; ``schema``, ``geometry``,
  ``quality``: the checks and the quality report; ``estimates``: absent columns estimated
  from sourced figures (data/estimate_parameters.csv), said everywhere;
* ``city``: the City, ``validate_city`` and ``load_city`` (validate-or-raise), the one way in
  for the CLI, the Data page and the tests; ``degree_day_table``: the one degree-day reader.
"""
