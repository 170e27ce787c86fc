"""What a briefing is of, as short stable codes: the scenario hash and the permalink.

* Scenario hash: SHA-256 of the scenario's canonical JSON (its parameters, as in
  :attr:`core.plan.scenario.Scenario.id`) and the city's content fingerprint
  (:func:`core.store.fingerprint.fingerprint`, the one the store files cities under): the
  same choices on the same data give the same hash, so two briefings with one hash show
  the same plan.
* Permalink: ``<base URL>?city=<id>&scenario=<id>``, when the city and the scenario have
  ids in the store; the base URL is the setting ``GREENPRINT_BASE_URL``.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from core.plan.scenario import Scenario

HASH_LENGTH = 16  # hex digits shown: 64 bits


def scenario_hash(scenario: Scenario, fingerprint: str) -> str:
    """The first :data:`HASH_LENGTH` hex digits of SHA-256(scenario canonical JSON, city
    fingerprint)."""
    text = scenario.canonical_json() + "\n" + fingerprint
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH]


def permalink(base_url: str, city_id: str | None, scenario_id: str | None) -> str | None:
    """The address that reopens this view, or None while the city or the scenario has no
    id in the store."""
    if not city_id or not scenario_id:
        return None
    base = base_url.split("?", 1)[0]
    return f"{base}?{urlencode({'city': city_id, 'scenario': scenario_id})}"
