"""The briefing's tables: cells that keep the number they show, and a table's caption,
header and which columns are numbers (right-aligned)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, and the number it shows (None for text)."""

    text: str
    value: float | None = None


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: tuple[bool, ...]  # per column: right-aligned numbers


def make_table(key: str, caption: str, header: Sequence[str], rows,
               numeric: Sequence[bool]) -> Table:
    """A table; a row's cells may be :class:`Cell` or anything shown as text."""
    def cell(c):
        return c if isinstance(c, Cell) else Cell(str(c))
    return Table(key, caption, tuple(header), tuple(tuple(cell(c) for c in r) for r in rows),
                 tuple(numeric))
