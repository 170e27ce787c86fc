"""Errors that carry a message a user can act on.

A message may be a :func:`core.i18n.lazy` message: it reads as English (logs, tests, the
English CLI) and ``str()`` writes it in the language in effect where it is shown. core.i18n
raises InputError, so this module does not import it: core.i18n hands its translator over
when it loads (:func:`use_translator`); until then messages read as English."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

SHOWN_DISTRICTS = 8  # district ids a problem's line names before "and N more"
_translator: Callable[[str], str] = str


def use_translator(translate: Callable[[str], str]) -> None:
    """Write this module's messages with ``translate`` (core.i18n's ``_``)."""
    global _translator
    _translator = translate


def _(message: str) -> str:
    """``message`` (a msgid or a lazy message) in the language in effect."""
    return _translator(message)


class InputError(ValueError):
    """A file or argument that cannot be read at all (CLI exit code 2).

    ``setting`` names the user setting that fixes it (``"crs"``, ``"layer"``) when there is
    one: core's message says what to give, and each door adds where to give it (the CLI its
    option, the Data page its box), so no door sends its user to the other."""

    def __init__(self, message: str, *, setting: str | None = None):
        super().__init__(message)
        self.setting = setting

    def __str__(self) -> str:
        message = self.args[0] if self.args else ""
        return _(message) if hasattr(message, "render") else str(message)  # a lazy message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, and what to do about it.

    ``check``, ``message`` and ``fix`` are lazy messages (English as strings; ``str(problem)``
    writes the line in the language in effect); ``column`` and ``district_ids`` are data."""

    check: str
    message: str
    fix: str
    column: str | None = None
    district_ids: tuple[str, ...] = ()
    blocking: bool = True

    def __str__(self) -> str:
        where = f" [{self.column}]" if self.column else ""
        ids = ""
        if self.district_ids:
            shown = ", ".join(self.district_ids[:SHOWN_DISTRICTS])
            more = len(self.district_ids) - SHOWN_DISTRICTS
            ids = _(" (districts {shown}{more})").format(
                shown=shown, more=_(" and {n} more").format(n=more) if more > 0 else "")
        return _("{check}{where}: {message}{ids}. Fix: {fix}").format(
            check=_(self.check), where=where, message=_(self.message), ids=ids, fix=_(self.fix))


@dataclass
class CityValidationError(ValueError):
    """The data was read but cannot be used as a city; lists every blocking problem."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join([_("the city data has problems:"), *(f"- {p}" for p in self.problems)])
