"""The privacy ledger: every release of a city's totals with differential-privacy noise
(:mod:`core.release`), in the store's database (table ``release_ledger``).

Each entry says what was released, the privacy loss (epsilon) it spent, the budget it was
checked against, when, and the noisy totals it published. A city's entries are keyed by
its store id (the first 16 hex characters of its content fingerprint): the same data has
the same budget, whether or not it is saved, and deleting the city does not give the
budget back. Spending checks the budget and writes the entry in one transaction under the
store's write lock, so two releases at once cannot both take the last of a budget. A
release asked for again (same key) returns its entry and spends nothing: the noise is
drawn once.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from core.errors import InputError
from core.store.errors import Refused
from core.store.fingerprint import city_id  # the id a city's entries are kept under
from core.store.schema import LEDGER_ID_LENGTH, LedgerRow

if TYPE_CHECKING:
    from core.intake.city import City
    from core.store.store import Store

#: relative slack when adding up epsilons: a sum of floats must not refuse the last release
#: that exactly fills the budget
BUDGET_RTOL = 1e-9


class BudgetExceeded(Refused):
    """A release would spend more than what is left of the city's privacy budget."""


@dataclass(frozen=True)
class LedgerEntry:
    """One release: ``totals`` maps each noised figure to its published ``value``, the noise
    ``scale``, the ``epsilon`` it spent and the contributor ``bound`` (the figure's unit)."""

    id: str
    city_id: str
    what: str
    epsilon: float
    budget: float
    totals: Mapping[str, Mapping[str, float]]
    released_at: datetime

    @property
    def figures(self) -> tuple[str, ...]:
        return tuple(self.totals)


class PrivacyLedger:
    """The privacy ledger of a :class:`core.store.Store`."""

    def __init__(self, store: Store):
        self.store = store

    @staticmethod
    def city_id(city: City) -> str:
        """The id a city's entries are kept under (its store id)."""
        return city_id(city)

    def entries(self, city: str) -> list[LedgerEntry]:
        """A city's releases, oldest first."""
        with self.store._read("read the privacy ledger") as s:
            rows = s.scalars(sa.select(LedgerRow).where(LedgerRow.city_id == city)
                             .order_by(LedgerRow.released_at, LedgerRow.id)).all()
            return [_entry(r) for r in rows]

    def spent(self, city: str) -> float:
        """The privacy loss a city's releases have spent together."""
        with self.store._read("read the privacy ledger") as s:
            return _spent(s, city)

    def find(self, release_key: str) -> LedgerEntry | None:
        """The release made under ``release_key``, if any."""
        with self.store._read("read the privacy ledger") as s:
            row = s.scalar(sa.select(LedgerRow).where(LedgerRow.release_key == release_key))
            return None if row is None else _entry(row)

    def spend(self, *, city: str, release_key: str, what: str, epsilon: float, budget: float,
              totals: Mapping[str, Mapping[str, float]]) -> tuple[LedgerEntry, bool]:
        """Record a release that spends ``epsilon`` of the city's ``budget``; returns the
        entry and whether it is new (False: the same release was made before, and its entry,
        with its totals, is returned instead: nothing is spent).

        Raises BudgetExceeded when the city's spent loss plus ``epsilon`` would pass its
        budget: nothing is recorded, and the totals must not be published."""
        if not (math.isfinite(epsilon) and epsilon > 0 and math.isfinite(budget) and budget > 0):
            raise InputError(f"epsilon ({epsilon!r}) and budget ({budget!r}) must be positive "
                             "numbers")
        with self.store._write("record a release in the privacy ledger") as s:
            row = s.scalar(sa.select(LedgerRow).where(LedgerRow.release_key == release_key))
            if row is not None:
                return _entry(row), False
            spent = _spent(s, city)
            if spent + epsilon > budget * (1 + BUDGET_RTOL):
                raise BudgetExceeded(
                    f"refused: releasing {what} would spend a privacy loss of ε = {epsilon:g}, "
                    f"but the city has spent {spent:g} of its budget of {budget:g} "
                    f"({max(budget - spent, 0.0):g} left) in {_count(s, city)} release(s). "
                    "Nothing was published. Publish the totals over the released districts "
                    "only (no noise), spend less per release (privacy.epsilon), or raise the "
                    "city's budget (privacy.budget) in its release rule")
            row = LedgerRow(id=secrets.token_hex(LEDGER_ID_LENGTH // 2), city_id=city,
                            release_key=release_key, what=what, epsilon=float(epsilon),
                            budget=float(budget), totals={k: dict(v) for k, v in totals.items()},
                            released_at=datetime.now(UTC))
            s.add(row)
            s.flush()
            return _entry(row), True

    def table(self, city: str) -> pd.DataFrame:
        """A city's ledger as the portal shows it: one row per release, with the loss spent
        so far and what is left of the budget then."""
        rows = []
        total = 0.0
        for e in self.entries(city):
            total += e.epsilon
            rows.append({"released_at": e.released_at, "what": e.what,
                         "figures": ", ".join(e.figures), "epsilon": e.epsilon,
                         "spent": total, "budget": e.budget, "left": max(e.budget - total, 0.0)})
        return pd.DataFrame(rows, columns=["released_at", "what", "figures", "epsilon", "spent",
                                           "budget", "left"])


def _spent(s, city: str) -> float:
    return float(s.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerRow.epsilon), 0.0))
                          .where(LedgerRow.city_id == city)))


def _count(s, city: str) -> int:
    return int(s.scalar(sa.select(sa.func.count()).select_from(LedgerRow)
                        .where(LedgerRow.city_id == city)))


def _entry(row: LedgerRow) -> LedgerEntry:
    return LedgerEntry(row.id, row.city_id, row.what, float(row.epsilon), float(row.budget),
                       {k: dict(v) for k, v in row.totals.items()}, row.released_at)
