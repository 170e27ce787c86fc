"""A city's lineage in the reader's language.

``City.lineage`` is the log of every change made to the data on its way in, written by
core.intake (staging, geometry, estimates, reference values, degree days), core.models
(predictions) and the city store. It is kept, saved and fingerprinted as English text: the
store's content id must not depend on the language, files saved by earlier versions must
keep reading, and downloads carry it as written. Where it is shown, :func:`shown` matches
an entry against the English patterns below (the wording its producers write) and writes it
again from the catalogue, with the same fields; the fields themselves are data (column
names, file names, ids, formulas, sources) and stay as they are, except numbers (written
with the locale's signs) and the few that are words (a model's name, a band, an estimate's
note and figures, a unit). An entry no pattern matches (written by an older version) is
shown as stored, in English.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import cache

from core.i18n import N_, _, number_text, unit

#: every lineage entry, as its producer writes it in English: a placeholder per field
PATTERNS: tuple[str, ...] = (
    N_("read: attributes decoded as {encoding}, delimiter {delimiter}"),
    N_("join: {n} attribute row(s) without an id left out"),
    N_("join: attribute columns replace boundary columns {columns}"),
    N_("join: attribute column {column} left out (the boundaries' geometry is used)"),
    N_("join: {n} district(s) have no attribute row"),
    N_("clean: {n} exact duplicate attribute row(s) dropped by the user"),
    N_("clean: {n} row(s) excluded from the boundaries by the user (ids {ids} and {more} "
       "more)"),
    N_("clean: {n} row(s) excluded from the boundaries by the user (ids {ids})"),
    N_("clean: {n} row(s) excluded from the attributes by the user (ids {ids} and {more} "
       "more)"),
    N_("clean: {n} row(s) excluded from the attributes by the user (ids {ids})"),
    N_("clean: leading zeros removed from {n} boundaries id(s) by the user"),
    N_("clean: leading zeros removed from {n} attributes id(s) by the user"),
    N_("name: no name column; district ids used as names"),
    N_("units: {column} converted from {unit} (x{factor})"),
    N_("crs: file said {file_crs}; the given {crs} was used"),
    N_("crs: none in file; coordinates are lon/lat, EPSG:4326 assumed"),
    N_("crs: none in file; {crs} given by the user"),
    N_("crs: reprojected from {crs} to EPSG:4326"),
    N_("geometry: {n} invalid polygon(s) repaired with make_valid (districts {ids} and "
       "{more} more)"),
    N_("geometry: {n} invalid polygon(s) repaired with make_valid (districts {ids})"),
    N_("display: map boundaries simplified with simplify_coverage ({tolerance} m), "
       "coordinates rounded to {decimals} decimals; all figures use the original boundaries"),
    N_("degree days: monthly table {file} attached (12 months, {hdd} heating and {cdd} "
       "cooling °C-days a year)"),
    N_("reference values: the US defaults (data/*.csv tables)"),
    N_("reference values: {n} given ({origins}); currency {currency}; {converted} US "
       "default(s) converted at {rate} {currency_again} per US dollar ({names})"),
    N_("reference values: {n} given ({origins}); currency {currency}"),
    N_("{column}: estimated as {formula}, {figures} ({n} district(s)); {note}"),
    N_("{column}: estimated as {formula}, {figures} ({n} district(s))"),
    N_("{column}: estimated as {formula} ({n} district(s)); {note}"),
    N_("{column}: estimated as {formula} ({n} district(s))"),
    N_("{column}: derived as {formula}, {figures} ({n} district(s)); {note}"),
    N_("{column}: derived as {formula}, {figures} ({n} district(s))"),
    N_("{column}: derived as {formula} ({n} district(s)); {note}"),
    N_("{column}: derived as {formula} ({n} district(s))"),
    N_("{target}: predicted for {n} district(s) with data but no observation (ids {ids}) by "
       "the {model} trained on {n_used} observed districts; cross-validated CV(RMSE) {cv}, "
       "NMBE {nmbe} ({band} against ASHRAE Guideline 14); {level} % interval from its "
       "out-of-fold errors: {low} to {high} times the prediction"),
    N_("{target}: {n} district(s) without an observation are not predicted: {reason}"),
    N_("saved: written to {file}"),
)
#: an estimate's figure, as core.intake.estimates.Figure writes it (``name = value unit (...)``)
FIGURE = N_("{name} = {value} {unit} (source: {source})")
USER_FIGURE = N_("{name} = {value} {unit} (set by the user; reference {reference})")
_FIGURE_SPLIT = re.compile(r"; (?=\w+ = )")


def _figures(text: str) -> str:
    """An estimate's figures (``a = 2.58 persons/household (source: ...); b = ...``) with
    their words translated; as written when one does not read as a figure."""
    out = []
    for part in _FIGURE_SPLIT.split(text):
        for pattern in (FIGURE, USER_FIGURE):
            if m := _regex(pattern).fullmatch(part):
                out.append(_(pattern).format(**_localised(m.groupdict())))
                break
        else:
            return text
    return "; ".join(out)


#: fields that are words, not data: how each is written in the reader's language
_WORDS: dict[str, Callable[[str], str]] = {
    "model": _, "band": _, "note": _, "figures": _figures, "unit": unit,
}

#: a field that is a number as Python writes it (``3,600``, ``21.0%``, ``-2.0%``): shown
#: with the locale's signs
_NUMBER = re.compile(r"[-+]?[0-9][0-9,]*(?:\.[0-9]+)?%?")


def _localised(fields: dict[str, str]) -> dict[str, str]:
    """An entry's fields for the reader: numbers with the locale's signs, words translated,
    data as written."""
    return {k: number_text(v) if _NUMBER.fullmatch(v) else _WORDS.get(k, str)(v)
            for k, v in fields.items()}


#: fields that are counts (written by an f-string, perhaps with thousands separators)
_COUNTS = {"n", "n_used", "converted", "decimals", "tolerance", "more"}


@cache
def _regex(pattern: str) -> re.Pattern:
    """``pattern`` as a regular expression: its text literally, each field as a group (a
    count as digits, so that a field of text before it cannot swallow it)."""
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P<{field}>{'[0-9][0-9,]*' if field in _COUNTS else '.+?'})")
    return re.compile("".join(parts), re.S)


def shown(entry: str) -> str:
    """A lineage entry in the language in effect (as stored when no pattern matches it)."""
    for pattern in PATTERNS:
        if m := _regex(pattern).fullmatch(entry):
            return _(pattern).format(**_localised(m.groupdict()))
    return entry
