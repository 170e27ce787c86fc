"""The store: cities and scenarios that outlast a browser session, on a real database.

What is kept
------------
* **Cities**: a validated :class:`core.intake.city.City` (geometry, attributes, units,
  estimates, lineage, predicted values, degree days) and the column mapping it was read
  with, under its content fingerprint (:mod:`core.store.fingerprint`): the same city is
  stored once, and its id is the first 16 hex characters of the fingerprint.
* **Scenarios**: name, tags, notes, every parameter, the city, the result summary
  (``Result.totals``, the Scenario lab's KPIs, and the allocation per district and
  intervention), what it was computed with (:mod:`core.store.versions`) and when. A
  saved scenario opens without re-solving and says when re-solving now may differ
  (:meth:`StoredScenario.changes`; :meth:`Store.resolve_scenario` solves and compares).
  Its id is random (12 hex characters): saving the same parameters twice gives two
  scenarios.
* **Publishing**: a saved scenario can be published on the public portal
  (:meth:`Store.publish_scenario`; ``list_scenarios(published_only=True)`` lists them, and
  :meth:`Store.briefing_inputs` gives what its briefing needs). A published scenario, and
  its city, cannot be deleted until it is unpublished, so its briefing stays reachable.
* **The privacy ledger** of the public portal's releases with differential-privacy noise
  (:mod:`core.store.ledger`): what, the privacy loss spent, the budget, when.

Where
-----
Rows in SQLite (``GREENPRINT_DATA_DIR/greenprint.sqlite3``, the default) or PostgreSQL
(``GREENPRINT_DATABASE_URL``), with Alembic migrations run on open
(:mod:`core.store.migrations`). Large payloads (a city's GeoParquet, a result's
allocation) are files under ``GREENPRINT_DATA_DIR/files/<store id>`` (a folder per
database, so databases that share a data directory keep apart) named by their SHA-256
(:mod:`core.store.files`), which rows name; with PostgreSQL every server shares that
folder. A file is complete on disk before the row that names it is committed, so a
crash leaves no half row and loses nothing saved before (at most an unnamed file, which
the next open removes).

Deleting
--------
A delete can be undone (``restore_*``) until it is purged, after
``GREENPRINT_STORE_KEEP_DELETED_DAYS``; an id that was deleted raises :class:`Deleted`
(an unknown one :class:`NotFound`), so a link can say which. A city with saved scenarios
is not deleted (:class:`Refused`, naming them) unless asked to delete them with it.

Usage::

    with Store.open() as store:
        city_id = store.save_city(city)
        scenario_id = store.save_scenario(city_id, scenario, result, ctx=ctx, name="Option A",
                                          tags=["council"], notes="...")
        saved = store.get_scenario(scenario_id)  # .totals, .kpis, .changes()
        allocation = store.get_allocation(scenario_id)  # .district_table()
        store.publish_scenario(scenario_id)  # on the portal; False takes it off
        inputs = store.briefing_inputs(scenario_id)  # for core.report.briefing

Importing this package does not import SQLAlchemy: the errors and records are plain
Python, and ``Store``, the ledger and the resolution load on first use (a page that only
shows a saved scenario's record, or the first page a server draws, does not wait for the
database libraries).
"""

import importlib

from core.store.errors import Deleted, NotFound, Refused, StoreError, StoreUnavailable
from core.store.records import Allocation, StoredCity, StoredScenario

#: name -> the module that defines it, imported on first use (it imports SQLAlchemy)
_ON_USE = {"Store": "core.store.store", "BudgetExceeded": "core.store.ledger",
           "LedgerEntry": "core.store.ledger", "PrivacyLedger": "core.store.ledger",
           "BriefingInputs": "core.store.resolution", "Resolution": "core.store.resolution"}


def __getattr__(name: str):
    if name in _ON_USE:
        return getattr(importlib.import_module(_ON_USE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Allocation", "BriefingInputs", "BudgetExceeded", "Deleted", "LedgerEntry", "NotFound",
           "PrivacyLedger",
           "Refused", "Resolution", "Store", "StoreError", "StoreUnavailable", "StoredCity",
           "StoredScenario"]
