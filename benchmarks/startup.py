"""Start-up benchmark: time from server start until the map is visible, and server memory.

For each run: start a fresh server, open the app in Debian's chromium (Playwright) as
soon as the health check answers, wait until the deck.gl map has drawn, then read the
server's resident memory. A bare Streamlit page is measured in the same run as the
reference, so the ratio says what Greenprint adds on top of Streamlit itself.

    python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tools.devserver import CHROMIUM, chromium, rss_mb, running_app

BARE_APP = 'import streamlit as st\nst.title("Reference")\nst.write("hello")\n'


def measure(script: Path | None, ready_test_id: str, browser) -> tuple[float, float]:
    """(seconds from server start to ready element visible, server RSS in MB after it)."""
    from playwright.sync_api import expect

    t0 = time.perf_counter()
    with running_app(script=script) as (url, proc, _healthy_s):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        target = page.get_by_test_id(ready_test_id).first
        expect(target).to_be_visible(timeout=60000)
        if ready_test_id == "stDeckGlJsonChart":
            # drawn: the canvas has a size and the legend (rendered with the map) is there
            expect(target.locator("canvas").first).to_be_visible(timeout=60000)
            expect(page.get_by_test_id("gp-legend")).to_be_visible(timeout=60000)
        seconds = time.perf_counter() - t0
        page.wait_for_timeout(500)
        memory = rss_mb(proc.pid)
        page.close()
    return seconds, memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"needs {CHROMIUM} (apt-get install chromium)")
        return 1
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        results: dict[str, list[tuple[float, float]]] = {"greenprint": [], "bare streamlit": []}
        for i in range(args.runs):
            results["greenprint"].append(measure(None, "stDeckGlJsonChart", browser))
            results["bare streamlit"].append(measure(bare, "stMarkdown", browser))
            print(f"run {i + 1}/{args.runs}: map visible {results['greenprint'][-1][0]:.2f} s, "
                  f"{results['greenprint'][-1][1]:.0f} MB", file=sys.stderr)

    med = {k: (statistics.median(s for s, _ in v), statistics.median(m for _, m in v))
           for k, v in results.items()}
    print(f"\nstartup, median of {args.runs} runs (server start -> ready in chromium)")
    print(f"{'app':<16}{'seconds':>10}{'memory MB':>12}")
    for k, (s, m) in med.items():
        print(f"{k:<16}{s:>10.2f}{m:>12.0f}")
    g, b = med["greenprint"], med["bare streamlit"]
    print(f"{'ratio':<16}{g[0] / b[0]:>10.2f}{g[1] / b[1]:>12.2f}")
    print("targets: map visible <= 4 s; server memory <= 400 MB after the first session")
    return 0


if __name__ == "__main__":
    sys.exit(main())
