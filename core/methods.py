"""The method notes shown on the Methods & sources page and in a briefing's appendix: the
docstrings of the modules that make the numbers, so the page and the code can never tell
different stories, and the data README (sources, licences, provenance).

Translations live beside the message catalogues, one Markdown file per note:
``core/locale/<lang>/methods/<name>.md`` (``name``: the module, or ``data.README``). Its
first line records which English text it translates (``<!-- source: <digest> -->``, the
first 16 hex digits of the text's SHA-256); a translation of an older text is not shown (the
English is, under a notice), and a test fails until the translation is brought up to date.
``python tools/methods_i18n.py status`` lists the notes missing or out of date;
``stamp LANG NAME`` records that a translation matches today's English.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
from dataclasses import dataclass
from functools import lru_cache

from core import paths
from core.i18n import LOCALE_DIR, N_, SOURCE_LANGUAGE

#: (title, module) in the order a reader meets the numbers (titles translated where shown)
SECTIONS: tuple[tuple[str, str], ...] = (
    (N_("Data quality and its score"), "core.intake.quality"),
    (N_("Estimated columns"), "core.intake.estimates"),
    (N_("Reference values: currency, factors, prices, thresholds, costs"),
     "core.intake.reference_values"),
    (N_("Carbon"), "core.assess.carbon"),
    (N_("Energy cost, burden and disadvantaged districts"), "core.assess.equity"),
    (N_("Inequality and spatial statistics"), "core.assess.inequality"),
    (N_("Goodness-of-fit metrics"), "core.models.metrics"),
    (N_("Verdict: good, fair or poor"), "core.models.yardstick"),
    (N_("Energy model"), "core.models.energy"),
    (N_("Energy model: the network and its batched training"), "core.models.network"),
    (N_("Degree-day model"), "core.models.degree_days"),
    (N_("Optimizer"), "core.plan.optimizer"),
    (N_("Exact solver (batched torch)"), "core.plan.solvers.torch_exact"),
    (N_("Exact reference (HiGHS)"), "core.plan.solvers.highs"),
    (N_("Small areas: what the public portal releases"), "core.release.rule"),
    (N_("Illustrative data generator"), "core.sample.attributes"),
)
DATA_README = "data.README"  # the name of the data README's note
_HEADER = "<!-- source: {digest} -->"


@dataclass(frozen=True)
class Note:
    """One note as a reader gets it: ``text`` in ``language`` (the reader's, or English
    when no up-to-date translation exists)."""

    title: str  # the English title (a msgid)
    name: str  # the module, or DATA_README
    text: str  # Markdown
    language: str


def digest(text: str) -> str:
    """The English text's identity that a translation records (16 hex digits of SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=1)
def english() -> dict[str, str]:
    """Each note's English text by name: the modules' docstrings, then the data README.

    Read from the source files, not imported: the Methods page must not load torch.
    """
    out = {}
    for _title, name in SECTIONS:
        source = (paths.ROOT / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        out[name] = inspect.cleandoc(ast.get_docstring(ast.parse(source)) or "")
    out[DATA_README] = paths.DATA_README.read_text(encoding="utf-8").strip()
    return out


def translation_path(lang: str, name: str):
    return LOCALE_DIR / lang / "methods" / f"{name}.md"


def translation(lang: str, name: str) -> str | None:
    """The note in ``lang`` when its translation is of today's English text, else None."""
    path = translation_path(lang, name)
    if lang == SOURCE_LANGUAGE or not path.is_file():
        return None
    head, _newline, body = path.read_text(encoding="utf-8").partition("\n")
    return body.strip() if head.strip() == _HEADER.format(digest=digest(english()[name])) \
        else None


def _note(title: str, name: str, lang: str) -> Note:
    text = translation(lang, name)
    return Note(title, name, english()[name], SOURCE_LANGUAGE) if text is None \
        else Note(title, name, text, lang)


def notes(lang: str = SOURCE_LANGUAGE) -> list[Note]:
    """The method notes in the order of SECTIONS, each in ``lang`` where translated."""
    return [_note(title, name, lang) for title, name in SECTIONS]


def data_readme(lang: str = SOURCE_LANGUAGE) -> Note:
    """The data README (sources, licences, provenance) in ``lang`` where translated."""
    return _note(N_("Data, provenance and licences"), DATA_README, lang)


def untranslated(lang: str) -> list[str]:
    """The notes with no translation into ``lang`` of today's English text."""
    return [name for name in english() if translation(lang, name) is None]


def stamp(lang: str, name: str) -> None:
    """Record that the translation of ``name`` into ``lang`` matches today's English: its
    first line becomes the English text's digest (the file must exist)."""
    path = translation_path(lang, name)
    text = path.read_text(encoding="utf-8")
    body = text.partition("\n")[2] if text.startswith("<!-- source:") else text
    path.write_text(_HEADER.format(digest=digest(english()[name])) + "\n" + body.lstrip("\n"),
                    encoding="utf-8")
