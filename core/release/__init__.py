"""Small areas, released responsibly: what the public portal may publish of a city's
district figures. The rule and its sources: :mod:`core.release.rule`.

Usage::

    from core.release import release, rule
    released = release(city, indicator_table(city), rule.configured())
    released.table      # the figures, withheld values blank
    released.reasons    # why each withheld value is withheld
    released.totals     # the totals that may be published, with what they cover

With differential privacy in the rule, pass the store's ledger:
``release(city, table, r, what="indicators", ledger=PrivacyLedger(store))``.
"""

from core.release.figures import Figure
from core.release.publish import Released, Total, release
from core.release.rule import Privacy, ReleaseRule

__all__ = ["Figure", "Privacy", "ReleaseRule", "Released", "Total", "release"]
