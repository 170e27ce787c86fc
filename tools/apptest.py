"""Open the app headless in Streamlit's AppTest, on any page (for the page tests and benchmarks/rerun.py)."""

from __future__ import annotations

import base64
import json

import numpy as np
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from core import paths
from core.store.fingerprint import city_id as stored_city_id
from dashboard import keys

APP = str(paths.ROOT / "dashboard" / "app.py")
TIMEOUT_S = 120  # per run; the first run of a page builds its caches


def open_app(page: str | None = None, *, city=None, query: dict[str, str] | None = None,
             timeout_s: float = TIMEOUT_S) -> AppTest:
    """The app after its first run, switched to ``page`` (a dashboard.nav path) if given.

    ``city`` becomes the session's active city before the first run (as after an upload),
    cached under its content id (as the app keys an upload): two test cities with one name
    do not share cached results. ``query`` holds
    URL parameters (as a shared link carries them). Fails on an exception.
    """
    at = _collecting_map_data(AppTest.from_file(APP, default_timeout=timeout_s))
    at.query_params.update(query or {})
    if city is not None:
        at.session_state[keys.CITY] = city
        at.session_state[keys.CITY_KEY] = f"test-{stored_city_id(city)}"
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


MAP = "greenprint_district_map"  # dashboard.map.COMPONENT


def _collecting_map_data(at: AppTest) -> AppTest:
    """``at`` keeping every run's map data by key (``at.map_blobs``), as the browser's
    script does: a map sends its geometry and tooltip columns once per session."""
    run, blobs = at._run, {}

    def collected(*args, **kwargs):
        result = run(*args, **kwargs)
        for el in at.get("bidi_component"):
            if el.proto.component_name == MAP:
                blobs.update(json.loads(el.proto.json).get("blobs", {}))
        return result

    at._run, at.map_blobs = collected, blobs
    return at


def maps(at: AppTest) -> list[dict]:
    """The district maps of the last run (dashboard.map), decoded: ``fill`` (RGBA per
    district), ``properties`` (one dict per district: the tooltip's columns), ``tooltip``,
    ``outlined`` and ``highlight`` (district indices), ``label``, ``geometry`` and
    ``columns`` (keys of the data), ``sent`` (the keys whose data this run sent), ``text``
    (the data as sent, JSON) and ``id`` (the element's)."""
    out = []
    for el in at.get("bidi_component"):
        if el.proto.component_name != MAP:
            continue
        data = json.loads(el.proto.json)
        fill = np.frombuffer(base64.b64decode(data["fill"]), dtype="u1").reshape(-1, 4)
        columns = {name: at.map_blobs[key] for name, key in data["columns"].items()}
        properties = [dict(zip(columns, row, strict=True))
                      for row in zip(*columns.values(), strict=True)]
        out.append({"fill": fill.tolist(), "properties": properties, "tooltip": data["tooltip"],
                    "outlined": data["outlined"], "highlight": data["highlight"],
                    "label": data["label"], "sent": set(data["blobs"]), "geometry":
                    data["geometry"], "columns": data["columns"], "text": el.proto.json,
                    "id": el.proto.id})
    return out


def trigger(at: AppTest, element_id: str, event: str, value) -> AppTest:
    """Run ``at`` again as after the map ``element_id`` sent ``event`` with ``value`` (a
    click's ``pick``, the script's ``need``): a components v2 trigger."""
    states = at._tree.get_widget_states()
    state = WidgetState(id=f"$$STREAMLIT_INTERNAL_KEY_{element_id}__events")
    state.json_trigger_value = json.dumps([{"event": event, "value": value}])
    states.widgets.append(state)
    at._run(states)
    return at
