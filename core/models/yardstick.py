"""The yardstick a model is judged by: ASHRAE Guideline 14's limits, and a good / fair /
poor verdict read from them.

``data/model_criteria.csv`` holds the calibration limits of ASHRAE Guideline 14-2014
(section 5.3.2.4): CV(RMSE) at most 15 % and NMBE within ±5 % for monthly data, at most
30 % and within ±10 % for hourly data. The guideline passes or fails a model; it has no
"fair". Greenprint reads the two rows as three bands:

* **good**: both metrics within the monthly limits, the guideline's criteria;
* **fair**: beyond those, but within the hourly limits, the looser yardstick the same
  guideline sets for noisier data (Greenprint's reading, not the guideline's);
* **poor**: beyond the hourly limits too, or not measurable.

The energy model is scored out-of-fold on annual district totals, for which no criterion
is published: the monthly limits are applied to them as a yardstick (a judgement). The
degree-day model, an in-sample monthly regression, is held to the monthly row.
"""

from __future__ import annotations

import math

from core import reference_tables
from core.i18n import N_, lazy, lazy_join

#: (band, row of data/model_criteria.csv whose limits the band must meet), best first
BANDS: tuple[tuple[str, str], ...] = ((N_("good"), "monthly"), (N_("fair"), "hourly"))
POOR = N_("poor")


def criteria(resolution: str = "monthly") -> dict[str, float]:
    """CV(RMSE) and |NMBE| limits of ASHRAE Guideline 14 (fractions) for ``resolution``."""
    t = reference_tables.table("model_criteria").set_index("resolution")
    return {"cv_rmse_max": float(t.loc[resolution, "cv_rmse_max"]),
            "nmbe_abs_max": float(t.loc[resolution, "nmbe_abs_max"])}


def meets(cv_rmse: float, nmbe: float, resolution: str = "monthly") -> bool:
    """Whether both metrics (fractions) are within the limits of ``resolution``."""
    c = criteria(resolution)
    return bool(cv_rmse <= c["cv_rmse_max"] and abs(nmbe) <= c["nmbe_abs_max"])


def grade(cv_rmse: float, nmbe: float) -> tuple[str, str]:
    """The band of a model's CV(RMSE) and NMBE (fractions), and a sentence with the figures."""
    if not (math.isfinite(cv_rmse) and math.isfinite(nmbe)):
        return POOR, lazy("{poor}: CV(RMSE) and NMBE cannot be measured on these data",
                          poor=lazy(POOR))
    band = next((b for b, resolution in BANDS if meets(cv_rmse, nmbe, resolution)), POOR)
    limits = {b: criteria(resolution) for b, resolution in BANDS}
    cv_limits = lazy_join(", ", (lazy("{band} ≤ {limit:.0%}", band=lazy(b), limit=c["cv_rmse_max"])
                                 for b, c in limits.items()))
    nmbe_limits = lazy_join(", ", (lazy("{band} within ±{limit:.0%}", band=lazy(b),
                                        limit=c["nmbe_abs_max"]) for b, c in limits.items()))
    return band, (lazy("{band} against ASHRAE Guideline 14: CV(RMSE) {cv_rmse:.1%} ({cv_limits}), "
                  "NMBE {nmbe:+.1%} ({nmbe_limits})", band=lazy(band), cv_rmse=cv_rmse,
                  cv_limits=cv_limits, nmbe=nmbe, nmbe_limits=nmbe_limits))
