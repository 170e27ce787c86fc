"""Money on screen: the one place that writes an amount in a currency.

Every amount Greenprint computes is in the city's currency (an ISO 4217 code,
``core.intake.reference_values.ReferenceValues.currency``). Units name the currency
by its code (``GBP/kWh``, ``M GBP``); amounts in sentences are written with its
symbol by Babel (``£1,234``), for the locale of the language in effect (core.i18n:
``1.234 £`` in Spanish); the currency stays the city's.
"""

from __future__ import annotations

import math
from copy import copy
from datetime import date
from functools import lru_cache

from babel import Locale, numbers

from core import i18n

NOT_KNOWN = i18n.N_("n/a")
MILLION = 1e6


@lru_cache(maxsize=1)
def currencies_in_use() -> frozenset[str]:
    """ISO 4217 codes legal tender somewhere today (CLDR, through Babel): historical
    currencies (DEM, FRF) and funds codes are left out."""
    today = date.today()
    return frozenset(code for territory in numbers.get_global("territory_currencies")
                     for code in numbers.get_territory_currencies(territory, today, tender=True))


def currency_problem(code: object) -> str | None:
    """Why ``code`` is not a currency Greenprint accepts (None when it is one)."""
    text = str(code).strip() if code is not None else ""
    if len(text) != 3 or not text.isalpha() or not text.isupper():
        return (f"'{text}' is not an ISO 4217 currency code: write three capital letters, "
                "e.g. GBP, EUR, CNY")
    if text not in currencies_in_use():
        return (f"'{text}' is not an ISO 4217 currency in use today; write the code of the "
                "city's currency, e.g. GBP, EUR, CNY")
    return None


def name(currency: str) -> str:
    """The currency's name in the language in effect, e.g. ``British Pound``."""
    return numbers.get_currency_name(currency, locale=i18n.locale())


def symbol(currency: str) -> str:
    """The currency's symbol, e.g. ``£`` (the code when the locale has none)."""
    return numbers.get_currency_symbol(currency, locale=i18n.locale())


def amount(value: float | None, currency: str, digits: int | None = None) -> str:
    """An amount with its currency symbol, e.g. ``£1,234`` (``digits`` decimals; the
    currency's own when None); "n/a" when unknown."""
    if value is None or not math.isfinite(value):
        return i18n._(NOT_KNOWN)
    return numbers.format_currency(value, currency, format=_pattern(digits),
                                   locale=i18n.locale(), currency_digits=digits is None)


def _pattern(digits: int | None):
    """The locale's currency pattern with ``digits`` decimals (None: the currency's own)."""
    if digits is None:
        return None
    pattern = copy(Locale.parse(i18n.locale()).currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return pattern


def millions(value: float | None, currency: str) -> str:
    """An amount in millions, e.g. ``£12.3 M``; "n/a" when unknown."""
    if value is None or not math.isfinite(value):
        return i18n._(NOT_KNOWN)
    return i18n._("{amount} M").format(amount=amount(value / MILLION, currency, 1))


def per(currency: str, what: str) -> str:
    """A unit of money per something, e.g. ``GBP/kWh`` for ``per("GBP", "kWh")``."""
    return f"{currency}/{what}"
