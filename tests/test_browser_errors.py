"""End-to-end: a failure on any page reaches chromium as an error id, never a traceback."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from dashboard.devserver import CHROMIUM, CHROMIUM_ARGS, ROOT, running_app
from tests.fault_app import SECRET

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]
SHOTS = Path(os.environ.get("GREENPRINT_SCREENSHOTS", ROOT / "test-artifacts"))
PATHS = ["", "district", "energy_model", "equity", "scenario_lab", "data", "methods"]


def test_every_page_shows_an_error_id_and_no_traceback():
    from playwright.sync_api import expect, sync_playwright

    script = Path(__file__).resolve().parent / "fault_app.py"
    with running_app(script=script) as (url, proc, _t), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        ids = []
        for path in PATHS:
            page.goto(f"{url}/{path}")
            alert = page.get_by_test_id("stAlertContentError").filter(has_text="error id")
            expect(alert).to_have_count(1, timeout=30000)
            text = page.locator("body").inner_text()
            for leak in ("Traceback", SECRET, "RuntimeError", 'File "'):
                assert leak not in text, (path, leak)
            ids.append(re.search(r"error id (\w+)", alert.inner_text()).group(1))
            if path == "scenario_lab":
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / "forced_error.png"))
        browser.close()
    log = proc.stderr.read()
    assert all(error_id in log for error_id in ids) and SECRET in log  # details: server log
    assert len(set(ids)) == len(PATHS)
