"""Text a user typed (names, notes, tags), shown on screen: escaped so that Markdown does not
read it, and cut when it is very long (a name may have 10,000 characters)."""

from __future__ import annotations

import re
from datetime import datetime

from core.i18n import _

SHOWN_CHARS = 80  # characters of a name shown in a sentence before "…"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(value: str) -> str:
    """``value`` as literal text inside Markdown."""
    return _MARKDOWN.sub(r"\\\1", value)


_INLINE = re.compile(r"[\\`*\[\]<>$~|@]|(?<!\w)_|_(?!\w)|:(?=material/|//)|(?<=www)\.")


def inline(value: str) -> str:
    """``value`` (a name the data or a user gave) inside a sentence of Markdown: the signs that
    would make a link (also the bare ``https://``, ``www.`` and e-mail links Streamlit's
    Markdown finds by itself), emphasis, code, HTML, a formula or an icon are escaped;
    punctuation and an underscore inside a word (``community_areas``) stay as they are."""
    return _INLINE.sub(lambda m: "\\" + m.group(0), value)


def money(value: str) -> str:
    """Text holding amounts of money, for Markdown: a currency sign stays a sign. Markdown in
    Streamlit reads the text between two ``$`` as a formula, as happens where a locale writes
    the sign after the number ("0,1560 US$/kWh … 0,0338 US$/kWh" in Spanish)."""
    return value.replace("$", r"\$")


def cut(value: str, chars: int = SHOWN_CHARS) -> str:
    return value if len(value) <= chars else value[:chars - 1] + "…"


def quoted(name: str) -> str:
    """A name in a sentence: cut, in quotes, escaped."""
    return f"“{md(cut(name))}”"


def when(moment: datetime) -> str:
    """When something was saved, in UTC."""
    return _("saved {moment:%Y-%m-%d %H:%M} UTC").format(moment=moment)
