"""End-to-end: upload the renamed export on the Data page in chromium, see the report, use it."""

from __future__ import annotations

import re

import pytest

from dashboard import nav
from tests.renamed_export import write_renamed_export

pytestmark = pytest.mark.browser


def test_upload_report_and_use_this_city(tmp_path, app_url, new_page, screenshots):
    from playwright.sync_api import expect

    boundaries, attributes = write_renamed_export(tmp_path)
    page = new_page(height=1600)
    page.goto(f"{app_url}/{nav.url_path(nav.DATA)}")
    expect(page.get_by_text("Upload the district polygons to start")).to_be_visible(
        timeout=30000)
    def file_input(label: str):  # by its label: the page has other uploaders above
        return page.get_by_test_id("stFileUploader").filter(has_text=label).locator(
            "input[type=file]")

    file_input("District boundaries").set_input_files(str(boundaries))
    expect(page.get_by_text("Attribute table, optional")).to_be_visible()
    # let the rerun that the first upload started finish before the second upload
    expect(page.get_by_text("Id column in the boundaries")).to_be_visible(timeout=60000)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=60000)
    file_input("Attribute table").set_input_files(str(attributes))
    expect(page.get_by_test_id("gp-map")).to_have_attribute("data-painted", re.compile(r"\d+"),
                                                          timeout=60000)
    expect(page.get_by_text("No blocking problem: this city can be used.")).to_be_visible(
        timeout=30000)
    expect(page.get_by_test_id("gp-legend")).to_contain_text("points")
    page.wait_for_timeout(800)
    page.set_viewport_size({"width": 1400, "height": 3600})  # the page scrolls inside
    page.wait_for_timeout(1500)
    page.screenshot(path=str(screenshots / "data.png"))
    page.get_by_role("button", name="Use this city").click()
    expect(page.get_by_text("Every page now shows community_areas")).to_be_visible(
        timeout=30000)
