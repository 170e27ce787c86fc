"""Open the app headless in Streamlit's AppTest, on any page (for the page tests and benchmarks/rerun.py)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core import paths
from dashboard import keys

APP = str(paths.ROOT / "dashboard" / "app.py")
TIMEOUT_S = 120  # per run; the first run of a page builds its caches


def open_app(page: str | None = None, *, city=None, query: dict[str, str] | None = None,
             timeout_s: float = TIMEOUT_S) -> AppTest:
    """The app after its first run, switched to ``page`` (a dashboard.nav path) if given.

    ``city`` becomes the session's active city before the first run (as after an upload),
    cached under its name: give different test cities different names. ``query`` holds
    URL parameters (as a shared link carries them). Fails on an exception.
    """
    at = AppTest.from_file(APP, default_timeout=timeout_s)
    at.query_params.update(query or {})
    if city is not None:
        at.session_state[keys.CITY] = city
        at.session_state[keys.CITY_KEY] = f"test-{city.name}"
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at
