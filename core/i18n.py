"""The languages Greenprint speaks: message catalogues and locale-aware formatting.

Every string a user reads is written in English in the code and marked for translation:

- ``_("Overview map")`` translates now, in the language in effect;
- ``ngettext("{n} district", "{n} districts", n).format(n=n)`` picks the plural form;
- ``N_("Energy burden")`` only marks a module-level constant; it is translated where it is
  shown, with ``_(constant)``;
- ``lazy("the fit misses by {cv:.0%}", cv=cv)`` is a message made now and shown later,
  perhaps to another visitor (a cached result): it reads as English everywhere, and
  ``_(message)`` writes it again in the language in effect when it is shown
  (``lazy_n`` for one with a plural; ``lazy_list`` for "a, b and c", ``lazy_join``,
  ``lazy_lower`` and ``deferred`` for its parts);
- ``unit("USD per resident")`` writes a unit (of the code or of a reference table, whose
  unit columns are msgids: :data:`TABLE_LABELS`) in the language in effect, its currency
  code kept.

Figures go into named placeholders (``_("{n} of {total} districts").format(n=..., total=...)``)
so that a translation may reorder them. The catalogues are the gettext ``.po`` files in
``core/locale/<lang>/LC_MESSAGES/greenprint.po``, read directly with Babel (no compiled
``.mo`` files to keep in sync); ``core/locale/greenprint.pot`` is extracted from the code and
the briefing's template (``pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 -k lazy
-k lazy_n:1,2 --no-location --sort-output -o core/locale/greenprint.pot .``, then ``pybabel
update --no-fuzzy-matching -i core/locale/greenprint.pot -d core/locale -D greenprint``);
tests/test_i18n.py fails while a marked string has no translation.

The language in effect is a context variable: each Streamlit run sets it from the URL
(``?lang=zh``), the CLI from ``--lang``; the default is the ``GREENPRINT_LANG`` setting.
Numbers, percentages, dates and money (core.money) are written for the language's locale.
"""

from __future__ import annotations

import math
import numbers
import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from copy import copy
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.pofile import read_po

from core.errors import InputError, use_translator
from core.settings import get_settings

#: language code -> the language's own name (what the language switch shows)
LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文", "es": "Español"}
#: language code -> the CLDR locale its numbers, dates and currency symbols follow
LOCALES: dict[str, str] = {"en": "en_US", "zh": "zh_CN", "es": "es_ES"}
SOURCE_LANGUAGE = "en"  # the language msgids are written in
DOMAIN = "greenprint"
LOCALE_DIR = Path(__file__).parent / "locale"

_language: ContextVar[str | None] = ContextVar("greenprint_language", default=None)


def check_language(lang: object) -> str:
    """``lang`` as a language code Greenprint speaks; an InputError that lists them if not."""
    code = str(lang).strip().lower() if lang is not None else ""
    if code not in LANGUAGES:
        raise InputError(f"'{lang}' is not a language Greenprint speaks: use one of "
                         f"{', '.join(LANGUAGES)}", setting="lang")
    return code


def default_language() -> str:
    """The language from the ``GREENPRINT_LANG`` setting (``en`` unless set)."""
    return check_language(get_settings().lang)


def language() -> str:
    """The language in effect: the one set in this context, else the default."""
    return _language.get() or default_language()


def set_language(lang: str) -> None:
    """Speak ``lang`` from now on in this context (a Streamlit run, a CLI command)."""
    _language.set(check_language(lang))


@contextmanager
def use_language(lang: str) -> Iterator[str]:
    """Speak ``lang`` inside the ``with`` block, then the language before it again."""
    token = _language.set(check_language(lang))
    try:
        yield lang
    finally:
        _language.reset(token)


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> dict[str, str | tuple[str, ...]]:
    """msgid -> translation of ``lang``'s catalogue (plural entries: a tuple of forms, keyed
    by the singular msgid); empty and fuzzy translations are left out, so they fall back to
    English. The source language has no catalogue."""
    path = catalogue_path(lang)
    if lang == SOURCE_LANGUAGE or not path.exists():
        return {}
    with path.open("rb") as f:
        po = read_po(f, locale=LOCALES[lang].split("_")[0])
    out: dict[str, str | tuple[str, ...]] = {}
    for message in po:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            if all(message.string):
                out[message.id[0]] = tuple(message.string)
        elif message.string:
            out[message.id] = message.string
    return out


def _(msgid: str) -> str:
    """``msgid`` (English) in the language in effect; English when not translated. A
    :class:`Lazy` message is written again with its fields."""
    if isinstance(msgid, Lazy):
        return msgid.render()
    found = catalogue(language()).get(msgid)
    return _localised(found if isinstance(found, str) else msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the language in effect (Chinese has one form,
    Spanish and English two)."""
    lang = language()
    forms = catalogue(lang).get(singular)
    if isinstance(forms, tuple):
        return _localised(forms[min(_plural_index(lang, n), len(forms) - 1)])
    return _localised(singular if n == 1 else plural)


class _LocaleFormatter(string.Formatter):
    """str.format whose numeric fields (``{share:.1%}``, ``{ms:,.0f}``) are written with the
    locale's grouping, decimal and minus signs; other fields as str.format writes them."""

    def __init__(self, signs: dict[int, str]):
        self.signs = signs

    def format_field(self, value, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        is_number = isinstance(value, numbers.Number) and not isinstance(value, bool)
        return text.translate(self.signs) if is_number and format_spec else text


class Localised(str):
    """A translated message whose ``format`` writes numbers for its locale: returned by
    ``_()`` and ``ngettext`` in a language whose signs differ from Python's (Spanish writes
    ``1.234,5``); English and Chinese get plain ``str``."""

    formatter: _LocaleFormatter

    def format(self, *args, **kwargs) -> str:
        return self.formatter.vformat(str(self), args, kwargs)


def _localised(text: str) -> str:
    signs = _number_signs(locale())
    if all(chr(k) == v for k, v in signs.items()):
        return text
    out = Localised(text)
    out.formatter = _formatter(locale())
    return out


@cache
def _formatter(code: str) -> _LocaleFormatter:
    return _LocaleFormatter(_number_signs(code))


def _plural_index(lang: str, n: int) -> int:
    return 0 if lang == "zh" or n == 1 else 1


class Lazy(str):
    """A message that reads as English and can be written again in another language.

    Its value is the English text, so a log, a test or the CLI sees plain English; ``_()``
    on it renders ``msgid`` (or the plural form for ``n``) in the language in effect, with
    its fields (a field that is itself a Lazy message is translated too)."""

    msgid: str
    plural: str | None
    fields: dict

    def __new__(cls, msgid: str, plural: str | None = None, fields: dict | None = None):
        fields = fields or {}
        english = plural if plural is not None and fields.get("n") != 1 else msgid
        self = super().__new__(cls, english.format(**fields) if fields else english)
        self.msgid, self.plural, self.fields = msgid, plural, fields
        return self

    def __getnewargs__(self):  # pickled (a cached result) with its message, not its text
        return (self.msgid, self.plural, self.fields)

    def render(self) -> str:
        form = _(self.msgid) if self.plural is None else ngettext(self.msgid, self.plural,
                                                                   self.fields["n"])
        fields = {k: _(v) if isinstance(v, Lazy) else v for k, v in self.fields.items()}
        return form.format(**fields) if fields else form


def lazy(msgid: str, **fields) -> Lazy:
    """A message translated where it is shown (``_(message)``), with its named fields."""
    return Lazy(msgid, None, fields)


def lazy_n(singular: str, plural: str, n: int, **fields) -> Lazy:
    """:func:`lazy` with a plural form chosen by ``n`` (``n`` is also a field)."""
    return Lazy(singular, plural, {"n": n, **fields})


class _LowerLazy(Lazy):
    """A :class:`Lazy` message written in lower case (a label inside a sentence): all of it,
    or its first letter only (``first``: a label with an acronym, "Rooftop solar PV")."""

    def __new__(cls, msgid: str, first: bool = False):
        self = str.__new__(cls, _lower(msgid, first))
        self.msgid, self.plural, self.fields, self.first = msgid, None, {}, first
        return self

    def __getnewargs__(self):
        return (self.msgid, self.first)

    def render(self) -> str:
        return _lower(_(self.msgid), self.first)


def _lower(text: str, first: bool) -> str:
    return text[:1].lower() + text[1:] if first else text.lower()


def lazy_lower(msgid: str, first: bool = False) -> Lazy:
    """A label (a msgid marked elsewhere) in lower case, inside a :func:`lazy` message; only
    its first letter with ``first``."""
    return _LowerLazy(msgid, first)


class _Deferred(Lazy):
    """A :class:`Lazy` value written by ``fn(*args)``: in English as a string, in the
    language in effect where it is shown (an amount of money inside a cached message)."""

    def __new__(cls, fn, *args):
        with use_language(SOURCE_LANGUAGE):
            self = str.__new__(cls, fn(*args))
        self.msgid, self.plural, self.fields = "", None, {}
        self.fn, self.args = fn, args
        return self

    def __getnewargs__(self):
        return (self.fn, *self.args)

    def render(self) -> str:
        return self.fn(*self.args)


def deferred(fn, *args) -> Lazy:
    """``fn(*args)`` (a formatter: core.money.millions, i18n.number) as a field of a
    :func:`lazy` message that may be shown in another language than the one it was made in."""
    return _Deferred(fn, *args)


def lazy_join(separator: str, parts) -> Lazy:
    """``separator.join(parts)`` as a :class:`Lazy` message: each part that is a Lazy message
    is translated when the whole is shown."""
    parts = list(parts)
    template = separator.replace("{", "{{").replace("}", "}}").join(
        f"{{p{i}}}" for i in range(len(parts)))
    return Lazy(template, None, {f"p{i}": p for i, p in enumerate(parts)})


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction only: translate it where it is shown, with ``_()``."""
    return msgid


#: the links of a list (:func:`lazy_list`): between its items, and before its last
LIST_LINKS = {",": N_("{items}, {item}"), "and": N_("{items} and {item}"),
              "or": N_("{items} or {item}")}


def lazy_list(items, link: str = "and") -> Lazy:
    """``a``, ``a and b``, ``a, b and c`` (``link`` "and", "or", or "," for commas only) as a
    :class:`Lazy` message: the links (a Chinese list is written ``a、b和c``) and each item
    that is a Lazy message follow the reader's language."""
    items = list(items)
    out = lazy_join("", items[:1])
    for i, item in enumerate(items[1:], start=2):
        out = lazy(LIST_LINKS["," if i < len(items) else link], items=out, item=item)
    return out


#: the words of units (the rest of a unit is symbols: kWh, CO2, km², currency codes)
UNIT_WORDS = (N_("persons"), N_("person"), N_("household"), N_("resident"), N_("yr"),
              N_("years"), N_("% of income"), N_("points"), N_("districts"), N_("count"),
              N_("share"), N_("months"), N_("US dollar"))


#: "a per b" in a unit (``USD per housing unit``), split like a slash when not translated whole
PER = N_("{quantity} per {base}")
#: a currency code in a unit (ISO 4217: three capitals); the catalogue holds units in USD
_CURRENCY_CODE = re.compile(r"\b[A-Z]{3}\b")
_MSGID_CURRENCY = "USD"


def unit(text: str) -> str:
    """A unit in the language in effect: translated whole when the catalogue has it (a unit
    of a reference table, ``USD per resident``, is a msgid; in another currency it is found
    by its USD form, and the code stays: ``GBP per resident`` -> ``GBP/人``), else split at
    " per " and then part by part between its slashes (``USD/household/yr`` -> ``USD/户/年``)."""
    if not text:
        return text
    if (whole := _(text)) != text:
        return whole
    codes = _CURRENCY_CODE.findall(text)
    if len(set(codes)) == 1 and codes[0] != _MSGID_CURRENCY:
        as_usd = _CURRENCY_CODE.sub(_MSGID_CURRENCY, text)
        if (whole := _(as_usd)) != as_usd:
            return whole.replace(_MSGID_CURRENCY, codes[0])
    quantity, per, base = text.partition(" per ")
    if per:
        return _(PER).format(quantity=unit(quantity), base=unit(base))
    return "/".join(_(part) for part in text.split("/"))


def locale() -> str:
    """The CLDR locale of the language in effect, e.g. ``zh_CN``."""
    return LOCALES[language()]


def number(value: float | None, digits: int = 0) -> str:
    """``value`` with the locale's grouping and decimal signs and ``digits`` decimals
    (``1,234.5`` in English, ``1.234,5`` in Spanish); "n/a" when unknown."""
    if value is None or not math.isfinite(value):
        return _("n/a")
    text = f"{value:,.{max(digits, 0)}f}"  # rounded as f-strings round
    return text.translate(_number_signs(locale()))


def significant(value: float | None, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits (``0.0123``, ``1,5`` in Spanish), as
    ``f"{value:.3g}"`` writes it with the locale's signs; "n/a" when unknown."""
    if value is None or not math.isfinite(value):
        return _("n/a")
    return number_text(f"{value:.{max(digits, 1)}g}")


def number_text(text: str) -> str:
    """A number as Python wrote it (``1,234.5``, ``-0.25``) with the locale's grouping,
    decimal and minus signs (``1.234,5`` in Spanish)."""
    return text.translate(_number_signs(locale()))


@cache
def _number_signs(code: str) -> dict[int, str]:
    """The locale's grouping, decimal and minus signs, as a str.translate table from
    Python's ``,``/``.``/``-``: Babel's ``#,##0.00`` pattern writes the same text (tested),
    at a hundredth of the cost, which matters for a map's 10,000 tooltips."""
    return str.maketrans({",": babel_numbers.get_group_symbol(code),
                          ".": babel_numbers.get_decimal_symbol(code),
                          "-": babel_numbers.get_minus_sign_symbol(code)})


def _rounded(value: float, digits: int) -> Decimal:
    """``value`` rounded as Python's ``f"{value:.{digits}f}"`` rounds it (Babel alone rounds
    the decimal text half-even, so 12.345 would read 12.34 here and 12.35 elsewhere)."""
    return Decimal(f"{value:.{max(digits, 0)}f}")


def percent(share: float | None, digits: int = 0) -> str:
    """A share (0..1) as a percentage for the locale (``12 %`` in Spanish, ``12%`` in
    English and Chinese); "n/a" when unknown."""
    if share is None or not math.isfinite(share):
        return _("n/a")
    pattern = copy(Locale.parse(locale()).percent_formats[None])
    pattern.frac_prec = (digits, digits)
    return babel_numbers.format_percent(_rounded(share * 100, digits) / 100, format=pattern,
                                        locale=locale())


def day(moment: date | datetime) -> str:
    """A date written for the locale (``Mar 5, 2026``, ``2026年3月5日``, ``5 mar 2026``)."""
    return babel_dates.format_date(moment, format="medium", locale=locale())


def moment(when: datetime) -> str:
    """A date and time written for the locale (the time zone is the caller's to name)."""
    return babel_dates.format_datetime(when, format="medium", locale=locale())


#: reference-table columns whose values readers see (names of interventions, units), extracted
#: into the catalogues by :func:`extract_table_labels` (babel.cfg, one section per column) and
#: translated where shown (``_(label)``, :func:`unit`)
TABLE_LABELS: dict[str, tuple[str, ...]] = {
    "data/interventions.csv": ("label", "unit"),
    "data/scenario_limits.csv": ("unit", "note"),
    "data/equity_thresholds.csv": ("unit",),
    "data/release_thresholds.csv": ("unit", "note"),
    "data/estimate_parameters.csv": ("unit",),
}


def extract_table_labels(fileobj, keywords, comment_tags, options):
    """A Babel extractor: each value of a reference table's label columns
    (``options["columns"]``, names separated by spaces or commas) as a msgid, so that
    ``_(label)`` finds its translation."""
    import csv
    import io

    columns = re.split(r"[\s,]+", options["columns"].strip())
    rows = csv.DictReader(io.TextIOWrapper(fileobj, encoding="utf-8"))
    for line, row in enumerate(rows, start=2):
        for column in columns:
            if text := (row.get(column) or "").strip():
                yield line, "_", text, []


use_translator(_)  # core.errors writes its messages in the language in effect
