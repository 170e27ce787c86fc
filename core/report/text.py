"""How the briefing writes numbers: with their unit, at the precision the app shows them,
and money in the city's currency (:mod:`core.money`: the code in units, the symbol in
sentences). Numbers follow the locale of the language in effect (:mod:`core.i18n`):
``28.6 %`` in English, ``28,6 %`` in Spanish, ``28.6%`` in Chinese."""

from __future__ import annotations

import math
from datetime import datetime

from core import i18n
from core import money as currency_format
from core.assess import indicators, maps
from core.i18n import N_, _

NOT_KNOWN = N_("n/a")
PCT = 100.0
MILLION = 1e6


def known(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def figure(value: float | None) -> str:
    """A headline figure as the app's cards and the CLI write it (:attr:`Kpi.text`: one
    decimal below 100, else whole), or "n/a" when the data cannot give it."""
    if not known(value):
        return _(NOT_KNOWN)
    return indicators.Kpi("", float(value), "", "").text


def signed(value: float | None) -> str:
    """A change, with its sign (+ or −), at the precision of :func:`figure`."""
    if not known(value):
        return _(NOT_KNOWN)
    text = figure(abs(value))
    return text if text.strip("0.,") == "" else ("+" if value > 0 else "−") + text


def amount(value: float | None, digits: int = 0) -> str:
    """A quantity shortened as the map legends write it (``12.35 M``, ``1.20 bn``)."""
    return maps.format_value(value, digits) if known(value) else _(NOT_KNOWN)


def money(value: float | None, currency: str) -> str:
    """An amount in a sentence: ``$269.6 M`` from a million up, else ``$12,000``."""
    if not known(value):
        return _(NOT_KNOWN)
    if abs(value) >= MILLION:
        return currency_format.millions(value, currency)
    return currency_format.amount(value, currency, 0)


def percent(share: float | None, digits: int = 1) -> str:
    """A share of one as a percentage, e.g. ``40.0 %`` (English keeps the briefing's space
    before the sign; another language writes its locale's percentage, ``40,0 %``)."""
    if not known(share):
        return _(NOT_KNOWN)
    if i18n.language() == i18n.SOURCE_LANGUAGE:
        return f"{i18n.number(share * PCT, digits)} %"
    return i18n.percent(share, digits)


def points(change: float | None, digits: int = 2) -> str:
    """A change of a share in percentage points, with its sign, e.g. ``−0.13 points``."""
    if not known(change):
        return _(NOT_KNOWN)
    sign = "" if round(abs(change) * PCT, digits) == 0 else ("+" if change > 0 else "−")
    return _("{change} points").format(change=sign + i18n.number(abs(change) * PCT, digits))


def sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter and a full stop."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def day(moment: datetime) -> str:
    """The date a briefing is made: ``4 May 2025`` in English (the briefing's own), the
    locale's date in another language (``2025年5月4日``, ``4 may 2025``)."""
    if i18n.language() == i18n.SOURCE_LANGUAGE:
        return f"{moment.day} {moment:%B %Y}"
    return i18n.day(moment)
