"""What can go wrong with the store, each with a message a user can act on.

Every error is an :class:`core.errors.InputError` (the CLI exits 2: an id or a store that
cannot be used), except :class:`Refused` (exit 1: the request is understood and refused,
and the message says what to do instead).
"""

from __future__ import annotations

from datetime import datetime

from core.errors import InputError

#: the most characters of a name a message quotes (names may be 10,000 characters long)
NAME_SHOWN_CHARS = 80


def shown(name: str) -> str:
    """A name as a message quotes it: cut to :data:`NAME_SHOWN_CHARS` characters."""
    return repr(name if len(name) <= NAME_SHOWN_CHARS else name[:NAME_SHOWN_CHARS - 1] + "…")


class StoreError(InputError):
    """The store cannot do what was asked."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or read, or a saved file is missing or damaged."""


class NotFound(StoreError):
    """No city or scenario has this id (``kind`` is ``"city"`` or ``"scenario"``)."""

    def __init__(self, kind: str, item_id: str, message: str | None = None):
        super().__init__(message or f"no saved {kind} has the id {item_id!r}")
        self.kind = kind
        self.item_id = item_id


class Deleted(NotFound):
    """The id was saved once and has been deleted (it can be restored until it is purged)."""

    def __init__(self, kind: str, item_id: str, name: str, deleted_at: datetime):
        when = deleted_at.strftime("%Y-%m-%d %H:%M UTC")
        super().__init__(kind, item_id, f"the {kind} {shown(name)} (id {item_id}) was deleted on {when}")
        self.name = name
        self.deleted_at = deleted_at


class Refused(StoreError):
    """The request is understood and refused (e.g. deleting a city that has saved scenarios)."""
