"""Start-up benchmark: time from server start until the map is visible, and server memory.

For each run: start a fresh server on an existing store (made once before the runs, as it
is on every start after the first; the first start, which makes the store, is timed as well
and printed as "first start"), open the app in Debian's chromium (Playwright) as
soon as the health check answers, wait until the map has drawn (the paint marker that
dashboard/map/district_map.js sets after each paint) and its legend shows, then read the
server's resident memory. A bare Streamlit page is measured in the same run as the
reference, so the ratio says what Greenprint adds on top of Streamlit itself. Then a second
visitor (a fresh browser context, nothing cached) opens the same, now warm, server: its time
from navigation to the map has no imports or first loads in it, only the new session's run
(about 0.2 s of server time on the default city) and the browser loading and running the
page's elements (Streamlit's code for sliders, select boxes, metrics, the data grid; the map).

``--all-pages``: then, in one browser session of one server, open every page of the menu
(``dashboard.nav.ALL``, through the sidebar's links, as a user does), wait until each
page's script has finished, and read the server's resident memory after each: the memory
each page adds, and the total after every page against the 400 MB target (issue 13) and
against bare Streamlit.

    python benchmarks/startup.py [--runs 5] [--all-pages]

Issue 13's targets: map visible <= 3 s; server memory after every page <= 400 MB on the
default city. Measured on the shared 2-core machine (load varies: compare the ratios to
bare Streamlit, same run), before -> after issue 13's start-up work (the store no longer
imports the solver, hence torch, nor alembic until it is opened; the briefing's
matplotlib only when a briefing is made): map visible 15.9 s = 3.60 x bare Streamlit ->
7.1 s = 2.45 x (8.4 s = 3.23 x in a busier run); memory after the first map 468 -> 286 MB;
after every page 694 -> 664 MB. Then the training stepped torch's functional AdamW
instead of constructing ``torch.optim.AdamW``, which imported torch._dynamo: after every
page 685 -> 621 MB, the Energy model page adding 285 -> 219 MB (torch itself about 180
MB); core.report no longer imports its briefing (matplotlib, Jinja2, markdown-it) for the
Scenario lab's portal figures: the Lab adding 31 -> 6 MB, after every page 596 MB (382
anonymous, 214 file-backed). What is left: torch (about 180 MB: the optimizer and the
energy model run in the server) and the Equity page's 80 MB (esda imports all of libpysal,
which imports scikit-learn, scipy.stats, requests and bs4: no narrower import of either
package exists); the first page alone is 283 MB (Streamlit, pandas, geopandas, pyarrow,
the city), so 400 MB is out of reach while torch runs in the server process.
With the map component (dashboard.map, no deck.gl): map visible 3.84 s = 2.13 x bare
Streamlit (median of 3 runs); on an existing store 4.07 s = 2.26 x bare (1.80 s), the first
start (store made) 4.10 s. Then the map drawn before the store opens (SQLAlchemy and
alembic after the page): 3.54 s = 1.90 x bare (1.86 s), 1.18 x the target; a second
visitor on the warm server 2.76 s against bare Streamlit's 1.18 s: 1.58 s of the 1.67 s
Greenprint adds is the browser loading and running the page's elements, not the server.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from core.store import Store
from tools.devserver import CHROMIUM, chromium, rss_mb, rss_parts_mb, running_app

BARE_APP = 'import streamlit as st\nst.title("Reference")\nst.write("hello")\n'
MAP = "gp-map"  # the map's root element (dashboard/map)
TARGET_S = 3.0  # issue 13: cold start to a visible map
TARGET_MB = 400.0  # issue 13: server memory after every page, default city
PAGE_TIMEOUT_MS = 300_000  # one page's first run (the Energy model page trains)
#: JS: true once the script run is over (no "running" status, no progress bar left)
RUN_DONE = """() => !document.querySelector('[data-testid="stStatusWidget"]')
  && !document.querySelector('[data-testid="stProgress"]')"""


def wait_map(page) -> None:
    """Until the overview's map has drawn (its paint marker) and its legend is visible."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id(MAP).first).to_have_attribute(
        "data-painted", re.compile(r"\d+"), timeout=60000)
    expect(page.get_by_test_id("gp-legend")).to_be_visible(timeout=60000)


def visit(browser, url: str, ready_test_id: str):
    """A new visitor (a fresh browser context: nothing cached) opens ``url`` and waits until
    the ready element is visible; returns the page."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    if ready_test_id == MAP:
        wait_map(page)
    else:
        expect(page.get_by_test_id(ready_test_id).first).to_be_visible(timeout=60000)
    return page


def measure(script: Path | None, ready_test_id: str, browser,
            env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(seconds from server start to ready element visible, server RSS in MB after it,
    seconds from a second visitor's navigation to ready on the now warm server: what the
    browser and a new session cost without the imports and loads of a cold start);
    ``env``: the server's environment (its store), a fresh store when None."""
    t0 = time.perf_counter()
    with running_app(env=env, script=script) as (url, proc, _healthy_s):
        page = visit(browser, url, ready_test_id)
        seconds = time.perf_counter() - t0
        page.wait_for_timeout(500)
        memory = rss_mb(proc.pid)
        page.close()
        t1 = time.perf_counter()
        visit(browser, url, ready_test_id).close()
        warm = time.perf_counter() - t1
    return seconds, memory, warm


def settle(page) -> None:
    """Until the page's script run has finished (status widget and progress bars gone)."""
    page.wait_for_timeout(1500)  # the run is under way: its status shows
    page.wait_for_function(RUN_DONE, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_timeout(1000)  # charts and maps settle


def all_pages(browser) -> list[tuple[str, float, float]]:
    """Every page of the menu in one session: (page, seconds, server RSS MB after it)."""
    from dashboard import nav

    rows = []
    with running_app() as (url, proc, _healthy_s):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        rows.append(("(server started)", 0.0, rss_mb(proc.pid)))
        for page_file in nav.ALL:
            t0 = time.perf_counter()
            if page_file == nav.OVERVIEW:
                page.goto(url)
                wait_map(page)
            else:  # the sidebar's link: the same session, as a user moves between pages
                page.locator(f'[data-testid="stSidebar"] a[href="{nav.url_path(page_file)}"]'
                             ).first.click()
                page.wait_for_url(f"**/{nav.url_path(page_file)}*", timeout=60000)
            settle(page)
            errors = page.get_by_test_id("stException").count()
            if errors:
                raise RuntimeError(f"{page_file}: {errors} exception(s) on the page")
            rows.append((Path(page_file).stem, time.perf_counter() - t0, rss_mb(proc.pid)))
            print(f"  {rows[-1][0]:<16}{rows[-1][1]:>8.1f} s{rows[-1][2]:>8.0f} MB",
                  file=sys.stderr, flush=True)
        page.close()
        anon, files = rss_parts_mb(proc.pid)
        print(f"after every page: {anon:.0f} MB anonymous (the heap: objects, arrays, torch's "
              f"own allocations), {files:.0f} MB file-backed (libraries' code and data, shared "
              "with any other process that maps the same files)")
    return rows


def report_all_pages(rows: list[tuple[str, float, float]], bare_mb: float) -> None:
    print("\nmemory after every page, one session (server RSS, MB)")
    print(f"{'page':<18}{'seconds':>9}{'RSS MB':>9}{'+MB':>8}")
    for (name, seconds, mb), (_, _, before) in zip(rows, [rows[0]] + rows[:-1], strict=True):
        print(f"{name:<18}{seconds:>9.1f}{mb:>9.0f}{mb - before:>+8.0f}")
    total = rows[-1][2]
    print(f"after every page: {total:.0f} MB = {total / TARGET_MB:.2f} x the {TARGET_MB:.0f} MB "
          f"target, {total / bare_mb:.2f} x bare Streamlit ({bare_mb:.0f} MB, same run)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--all-pages", action="store_true",
                        help="then open every page in one session and report server memory")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"needs {CHROMIUM} (apt-get install chromium)")
        return 1
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        store = Path(tmp) / "store"  # a store that exists, as on every start after the first
        with Store.open(data_dir=str(store)):
            pass
        kept = {"GREENPRINT_DATA_DIR": str(store)}
        results: dict[str, list[tuple[float, float, float]]] = {
            "greenprint": [], "bare streamlit": [], "first start": []}
        for i in range(args.runs):
            results["greenprint"].append(measure(None, MAP, browser, kept))
            results["bare streamlit"].append(measure(bare, "stMarkdown", browser))
            results["first start"].append(measure(None, MAP, browser))  # the store made
            print(f"run {i + 1}/{args.runs}: map visible {results['greenprint'][-1][0]:.2f} s, "
                  f"{results['greenprint'][-1][1]:.0f} MB; bare Streamlit "
                  f"{results['bare streamlit'][-1][0]:.2f} s", file=sys.stderr, flush=True)
        rows = all_pages(browser) if args.all_pages else None

    med = {k: tuple(statistics.median(run[i] for run in v) for i in range(3))
           for k, v in results.items()}
    print(f"\nstartup, median of {args.runs} runs (server start -> ready in chromium; warm "
          "visit: a second visitor, navigation -> ready, on the same server)")
    print(f"{'app':<16}{'seconds':>10}{'memory MB':>12}{'warm visit s':>14}")
    for k, (s, m, w) in med.items():
        print(f"{k:<16}{s:>10.2f}{m:>12.0f}{w:>14.2f}")
    g, b = med["greenprint"], med["bare streamlit"]
    print(f"{'ratio':<16}{g[0] / b[0]:>10.2f}{g[1] / b[1]:>12.2f}{g[2] / b[2]:>14.2f}")
    print(f"target: map visible <= {TARGET_S:.0f} s: {g[0]:.2f} s = {g[0] / TARGET_S:.2f} x the "
          f"target; Greenprint adds {g[0] - b[0]:.2f} s to bare Streamlit's {b[0]:.2f} s, "
          f"{g[2] - b[2]:.2f} s of it on a warm server too (the browser loading the page's "
          "elements and a new session's run, no imports)")
    if rows:
        report_all_pages(rows, b[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
