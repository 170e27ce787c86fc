"""End-to-end: a failure on any page reaches chromium as an error id, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import nav
from tests.fault_app import LEAKS, SECRET
from tools.devserver import running_app

pytestmark = pytest.mark.browser
FAULT_APP = Path(__file__).resolve().parent / "fault_app.py"


@pytest.mark.parametrize("mode", ["planner", "portal"])  # GREENPRINT_MODE: both modes
def test_every_page_shows_an_error_id_and_no_traceback(new_page, screenshots, mode):
    from playwright.sync_api import expect

    with running_app(env={"GREENPRINT_MODE": mode}, script=FAULT_APP) as (url, proc, _t):
        page = new_page(height=900)
        ids = []
        for path in map(nav.url_path, nav.ALL):
            page.goto(f"{url}/{path}")
            alert = page.get_by_test_id("stAlertContentError").filter(has_text="error id")
            expect(alert).to_have_count(1, timeout=30000)
            text = page.locator("body").inner_text()
            for leak in LEAKS:
                assert leak not in text, (path, leak)
            ids.append(re.search(r"error id (\w+)", alert.inner_text()).group(1))
            if path == nav.url_path(nav.SCENARIO_LAB):
                page.screenshot(path=str(screenshots / f"forced_error_{mode}.png"))
    log = proc.stderr.read()
    assert all(error_id in log for error_id in ids) and SECRET in log  # details: server log
    assert len(set(ids)) == len(nav.ALL)
