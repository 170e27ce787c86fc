"""End-to-end: every page in Chinese and in Spanish in Debian's chromium (Playwright), with a
screenshot of each ($GREENPRINT_SCREENSHOTS, else test-artifacts/: i18n-<lang>-<page>.png).

Chinese must be drawn with real glyphs: a CJK font is installed (``.ci/run`` installs
fonts-wqy-microhei) and the page's font draws 中 differently from an unassigned code point
(which every font draws as the same empty box, "tofu")."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from core.i18n import LANGUAGES
from dashboard import keys, nav

pytestmark = pytest.mark.browser

PAGE_TIMEOUT_MS = 120_000  # a page's first run in a fresh server trains the energy model
CJK = re.compile(r"[\u4e00-\u9fff]")

#: JS: True when the page's own font draws 中 as a glyph, not as the missing-glyph box
DRAWS_CJK = """() => {
  const font = getComputedStyle(document.querySelector('h1')).fontFamily;
  const draw = (text) => {
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.font = `40px ${font}`; g.fillText(text, 4, 48);
    return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
  };
  return draw('中') !== draw('\\uffff');
}"""


#: JS: True once the script run is over (no "running" status, no progress bar left)
RUN_DONE = """() => !document.querySelector('[data-testid="stStatusWidget"]')
  && !document.querySelector('[data-testid="stProgress"]')"""


def cjk_fonts() -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line.strip()]


def open_page(page, url: str) -> str:
    """Go to ``url``, wait until the page's script has finished, return its title."""
    from playwright.sync_api import expect

    page.goto(url)
    title = page.locator("h1").first
    expect(title).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    page.wait_for_timeout(1500)  # the run is under way: its status and progress bars show
    page.wait_for_function(RUN_DONE, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_timeout(1000)  # charts and maps settle
    return title.inner_text()


@pytest.mark.parametrize("lang", ["zh", "es"])
def test_every_page_in_another_language_with_screenshots(lang, app_url, new_page,
                                                           screenshots):
    from playwright.sync_api import expect

    if lang == "zh":
        assert cjk_fonts(), "no CJK font: install fonts-wqy-microhei (see .ci/run)"
    page = new_page()
    for page_file in nav.ALL:
        stem = Path(page_file).stem
        title = open_page(page, f"{app_url}/{nav.url_path(page_file)}?{keys.LANGUAGE}={lang}")
        expect(page.get_by_role("radio", name=LANGUAGES[lang])).to_be_checked()
        if lang == "zh":
            assert CJK.search(title), f"{stem}: the title is not in Chinese: {title!r}"
            assert page.evaluate(DRAWS_CJK), f"{stem}: Chinese is drawn as empty boxes"
        assert f"{keys.LANGUAGE}={lang}" in page.url, page.url  # the address keeps the language
        # the document's language, for screen readers (Streamlit's own is "en")
        expect(page.locator("html")).to_have_attribute("lang", {"zh": "zh-CN", "es": "es-ES"}[lang])
        page.screenshot(path=str(screenshots / f"i18n-{lang}-{stem}.png"), full_page=True)
