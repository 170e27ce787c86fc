"""Errors that carry a message a user can act on."""

from __future__ import annotations

from dataclasses import dataclass, field


class InputError(ValueError):
    """A file or argument that cannot be read at all (CLI exit code 2).

    ``setting`` names the user setting that fixes it (``"crs"``, ``"layer"``) when there is
    one: core's message says what to give, and each door adds where to give it (the CLI its
    option, the Data page its box), so no door sends its user to the other."""

    def __init__(self, message: str, *, setting: str | None = None):
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, and what to do about it."""

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
            shown = ", ".join(self.district_ids[:8])
            more = f" and {len(self.district_ids) - 8} more" if len(self.district_ids) > 8 else ""
            ids = f" (districts {shown}{more})"
        return f"{self.check}{where}: {self.message}{ids}. Fix: {self.fix}"


@dataclass
class CityValidationError(ValueError):
    """The data was read but cannot be used as a city; lists every blocking problem."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "the city data has problems:\n" + "\n".join(f"- {p}" for p in self.problems)
