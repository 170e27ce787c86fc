"""Load benchmark: N concurrent sessions move the Scenario lab's budget slider.

Each simulated user speaks Streamlit's own websocket protocol, as the browser does
(``/_stcore/stream``, ``BackMsg``/``ForwardMsg`` protobufs): it opens the Scenario lab
(URL path ``/scenario_lab``), reads the budget slider's widget id from the delta that
draws it (key ``budget``, dashboard/keys.py), then repeats

    change the budget -> wait for the result -> think

for ``--moves`` moves or until ``--max-seconds`` have passed. *Change to result* is the
time from sending the rerun (the new widget state) to the server's ``script_finished``
for that run, by which time the KPI cards, map and charts of the new plan have all been
delivered; the time until the "Spent" KPI card arrived is recorded too. The new budget
is drawn uniformly from the slider's other values (0-1000 USD per resident, step 10),
so sessions share cached solves as real users would; ``--uncached`` also moves the
electricity price to a random value each time so nearly every move is a fresh solve.
Think time: uniform ``--think`` (default 1-3 s), seeded (``--seed`` + user number).
Simulating users over the protocol keeps the client cheap: ten chromium contexts on a
2-core machine would measure chromium, not the server. ``--browser`` runs the same loop
with Playwright contexts in Debian's chromium instead, as a cross-check.

An *error* is anything a user would see as one: an exception element, an error alert
(``st.error``), a compile error, "page not found", a move without a result within
``--timeout`` seconds, or a dropped connection. Each is counted and its text printed.

Server memory (resident set, MB) is read from /proc: idle, then for each N before the
sessions open, at peak while they run, right after they close and ``--settle`` seconds
later. The reference, measured in the same run: the same loop with 1 session (always run
first) and, unless ``--no-bare``, a bare Streamlit script with one slider and one metric
(the floor that Streamlit itself sets). Ratios are against the 1-session run.

    python benchmarks/load.py                      # starts the app, N = 1 5 10
    python benchmarks/load.py --sessions 1 10 --moves 8 --settle 30
    python benchmarks/load.py --url http://127.0.0.1:8501 --pid 1234   # a running server
    python benchmarks/load.py --url https://127.0.0.1:8443             # through deploy/ nginx
    python benchmarks/load.py --env GREENPRINT_MEMORY_TRIM_S=0         # server settings
    python benchmarks/load.py --browser --sessions 1 3                 # Playwright cross-check

Only 127.0.0.1 is ever contacted. Target (issue 8): 10 sessions, p95 < 2 s, no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from dashboard import nav
from tools.devserver import CHROMIUM, chromium, rss_mb, running_app

PAGE = nav.url_path(nav.SCENARIO_LAB)  # "scenario_lab"
BUDGET_KEY = "budget"  # dashboard/keys.py LAB_BUDGET
PRICE_KEY = "elec_price"  # dashboard/keys.py LAB_ELECTRICITY_PRICE (--uncached)
RESULT_METRIC = "Spent"  # the KPI card whose arrival counts as "KPI values updated"
TARGET_P95_S, TARGET_SESSIONS = 2.0, 10

BARE_APP = """import streamlit as st
b = st.sidebar.slider("Budget (USD per resident)", 0, 1000, 100, 10, key="budget")
st.title("Reference")
st.metric("Spent (M USD)", b * 2.7)
"""


@dataclass
class UserResult:
    open_s: float | None = None
    latencies_s: list[float] = field(default_factory=list)
    kpi_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unchanged: int = 0  # moves whose "Spent" card showed the same value as before


@dataclass
class Level:
    sessions: int
    users: list[UserResult]
    wall_s: float
    rss_before: float | None = None
    rss_peak: float | None = None
    rss_closed: float | None = None
    rss_settled: float | None = None

    @property
    def latencies(self) -> list[float]:
        return [x for u in self.users for x in u.latencies_s]

    @property
    def errors(self) -> list[str]:
        return [e for u in self.users for e in u.errors]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class RssSampler:
    """Samples a process's resident memory in a thread; keeps the peak."""

    def __init__(self, pid: int | None, every_s: float = 0.2):
        self.pid, self.every_s, self.peak = pid, every_s, None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> float | None:
        try:
            return rss_mb(self.pid) if self.pid else None
        except (OSError, ValueError):
            return None

    def _run(self) -> None:
        while not self._stop.is_set():
            value = self.now()
            if value is not None:
                self.peak = value if self.peak is None else max(self.peak, value)
            self._stop.wait(self.every_s)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# --- Streamlit's websocket protocol ----------------------------------------------------


class ProtocolUser:
    """One browser tab, as far as the server can tell."""

    def __init__(self, url: str, timeout_s: float, page: str = PAGE):
        self.page = page
        self.ws_url = re.sub(r"^http", "ws", url).rstrip("/") + "/_stcore/stream"
        self.origin = url.rstrip("/")
        self.timeout_s = timeout_s
        self.page_hash = ""
        self.query = ""
        self.widgets: dict[str, tuple[str, list[float]]] = {}  # key -> (widget id, value)
        self.metric: str | None = None
        self.sliders: dict = {}  # key -> the Slider proto (range and step)

    async def __aenter__(self):
        from websockets.asyncio.client import connect

        # https: a proxy on 127.0.0.1 (deploy/), usually with a self-signed certificate
        tls = ssl._create_unverified_context() if self.ws_url.startswith("wss") else None
        self.ws = await connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                origin=self.origin, open_timeout=self.timeout_s, ssl=tls)
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def rerun(self, changes: dict[str, float] | None = None) -> tuple[float, float | None, list[str]]:
        """Send a rerun (with ``changes`` to widget values); wait for its script_finished.

        Returns (seconds to script_finished, seconds to the result metric or None, errors).
        """
        from streamlit.proto.Alert_pb2 import Alert
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string, state.page_name = self.query, self.page
        state.page_script_hash = self.page_hash
        for key, value in (changes or {}).items():
            wid, _ = self.widgets[key]
            self.widgets[key] = (wid, [value])
        for wid, value in self.widgets.values():
            w = state.widget_states.widgets.add()
            w.id = wid
            w.double_array_value.data.extend(value)
        errors: list[str] = []
        metric_s = None
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        deadline = t0 + self.timeout_s
        kind = None
        while True:
            left = deadline - time.perf_counter()
            try:
                if left <= 0:
                    raise TimeoutError
                data = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                raise TimeoutError(f"no result within {self.timeout_s:g} s (last message: "
                                   f"{kind or 'none'})") from None
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "navigation":
                self.page_hash = fm.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            elif kind == "page_not_found":
                errors.append(f"page not found: {fm.page_not_found.page_name}")
            elif kind == "session_event" and fm.session_event.HasField("script_compilation_exception"):
                errors.append(f"compile error: {fm.session_event.script_compilation_exception.message}")
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                etype = el.WhichOneof("type")
                key = el.slider.id.rsplit("-", 1)[-1] if etype == "slider" else None
                if key in (BUDGET_KEY, PRICE_KEY) and key not in self.widgets:
                    value = el.slider.value if el.slider.set_value else el.slider.default
                    self.widgets[key] = (el.slider.id, list(value))
                    self.sliders[key] = el.slider
                elif etype == "exception":
                    errors.append(f"exception: {el.exception.type}: {el.exception.message[:200]}")
                elif etype == "alert" and el.alert.format == Alert.ERROR:
                    errors.append(f"error alert: {el.alert.body[:200]}")
                elif etype == "metric" and el.metric.label.startswith(RESULT_METRIC):
                    metric_s = time.perf_counter() - t0
                    self.metric = el.metric.body
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)
                if status == "FINISHED_WITH_COMPILE_ERROR":
                    errors.append("script finished with a compile error")
                if status in ("FINISHED_SUCCESSFULLY", "FINISHED_WITH_COMPILE_ERROR"):
                    return time.perf_counter() - t0, metric_s, errors


def _options(slider, current: float) -> list[float]:
    lo, hi, step = slider.min, slider.max, slider.step
    n = int(round((hi - lo) / step))
    values = [round(lo + i * step, 6) for i in range(n + 1)]
    return [v for v in values if abs(v - current) > step / 2]


async def protocol_user(i: int, url: str, args, stop_at: float) -> UserResult:
    rng = random.Random(args.seed * 1000 + i)
    out = UserResult()
    try:
        async with ProtocolUser(url, args.timeout, args.page) as user:
            seconds, _, errors = await user.rerun()
            out.open_s = seconds
            out.errors += errors
            if BUDGET_KEY not in user.widgets:
                out.errors.append("the budget slider was not found on the page")
                return out
            for _ in range(args.moves):
                await asyncio.sleep(rng.uniform(*args.think))
                if time.perf_counter() > stop_at:
                    break
                changes = {BUDGET_KEY: rng.choice(_options(user.sliders[BUDGET_KEY], user.widgets[BUDGET_KEY][1][0]))}
                if args.uncached and PRICE_KEY in user.widgets:
                    changes[PRICE_KEY] = rng.choice(_options(user.sliders[PRICE_KEY],
                                                             user.widgets[PRICE_KEY][1][0]))
                before = user.metric
                seconds, metric_s, errors = await user.rerun(changes)
                out.latencies_s.append(seconds)
                if metric_s is not None:
                    out.kpi_s.append(metric_s)
                out.unchanged += user.metric == before
                out.errors += errors
    except Exception as exc:  # a timeout or a dropped connection: the user saw no result
        out.errors.append(f"{type(exc).__name__}: {exc}"[:200])
    return out


async def _protocol_level(url: str, n: int, args) -> list[UserResult]:
    stop_at = time.perf_counter() + args.max_seconds
    return list(await asyncio.gather(*(protocol_user(i, url, args, stop_at) for i in range(n))))


# --- Playwright cross-check --------------------------------------------------------------


def _browser_level(url: str, n: int, args) -> list[UserResult]:
    """The same loop in n chromium contexts: ArrowRight/Left on the budget slider, then
    wait until the "Spent" card shows a new value (or the running indicator is gone)."""
    results = [UserResult() for _ in range(n)]
    rngs = [random.Random(args.seed * 1000 + i) for i in range(n)]
    with chromium() as browser:
        pages = []
        for i in range(n):
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.on("pageerror", lambda e, r=results[i]: r.errors.append(f"page error: {e}"[:200]))
            t0 = time.perf_counter()
            page.goto(f"{url}/{PAGE}")
            page.get_by_test_id("stMetric").filter(has_text=RESULT_METRIC).first.wait_for(
                timeout=args.timeout * 1000)
            results[i].open_s = time.perf_counter() - t0
            pages.append(page)
        # users take turns (Playwright's sync API is single-threaded): each move is timed alone,
        # while the other sessions' pages stay connected and rerun on their own keys
        stop_at = time.perf_counter() + args.max_seconds
        for _ in range(args.moves):
            if time.perf_counter() > stop_at:
                break
            for i, page in enumerate(pages):
                r = results[i]
                try:
                    value = page.get_by_test_id("stMetric").filter(has_text=RESULT_METRIC) \
                        .get_by_test_id("stMetricValue")
                    before = value.inner_text()
                    page.get_by_role("slider").first.focus()
                    t0 = time.perf_counter()
                    page.keyboard.press(rngs[i].choice(["ArrowRight", "ArrowLeft"]))
                    page.wait_for_function(
                        "([b]) => { const v = [...document.querySelectorAll("
                        "'[data-testid=stMetric]')].find(m => m.innerText.includes('Spent'));"
                        " return v && !v.innerText.includes(b) && "
                        "!document.querySelector('[data-testid=stStatusWidget] "
                        "[data-testid=stStatusWidgetRunningIcon]'); }",
                        arg=[before], timeout=args.timeout * 1000)
                    r.latencies_s.append(time.perf_counter() - t0)
                    errors = page.get_by_test_id("stException").count() + \
                        page.locator("[data-testid=stAlertContentError]").count()
                    if errors:
                        r.errors.append(f"{errors} error element(s) on the page")
                except Exception as exc:
                    r.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                page.wait_for_timeout(rngs[i].uniform(*args.think) * 1000 / n)
    return results


# --- running a level and reporting ------------------------------------------------------


def run_level(url: str, pid: int | None, n: int, args) -> Level:
    sampler = RssSampler(pid)
    before = sampler.now()
    t0 = time.perf_counter()
    with sampler:
        users = (_browser_level(url, n, args) if args.browser
                 else asyncio.run(_protocol_level(url, n, args)))
    level = Level(n, users, time.perf_counter() - t0, before, sampler.peak)
    level.rss_closed = sampler.now()
    if args.settle > 0 and pid:
        time.sleep(args.settle)
        level.rss_settled = sampler.now()
    return level


def fmt(x: float | None, spec: str = ".2f") -> str:
    return "-" if x is None or x != x else format(x, spec)


def report(levels: list[Level], bare: Level | None, args) -> None:
    ref = next(lv for lv in levels if lv.sessions == 1)
    ref95, ref50 = percentile(ref.latencies, 95), percentile(ref.latencies, 50)
    mode = "chromium (Playwright)" if args.browser else "websocket protocol"
    print(f"\nScenario lab, budget slider, {mode}; think {args.think[0]:g}-{args.think[1]:g} s, "
          f"{args.moves} moves per session{', uncached solves' if args.uncached else ''}")
    print(f"{'N':>3}{'moves':>7}{'p50 s':>8}{'p95 s':>8}{'max s':>8}{'KPI p95':>9}{'open p95':>9}"
          f"{'x p50':>7}{'x p95':>7}{'errors':>8}  RSS MB before/peak/closed/+{args.settle:g}s")
    rows = [("bare", bare)] if bare else []
    rows += [(str(lv.sessions), lv) for lv in levels]
    for name, lv in rows:
        lat = lv.latencies
        p50, p95 = percentile(lat, 50), percentile(lat, 95)
        opens = [u.open_s for u in lv.users if u.open_s is not None]
        kpi = [x for u in lv.users for x in u.kpi_s]
        print(f"{name:>3}{len(lat):>7}{fmt(p50):>8}{fmt(p95):>8}{fmt(max(lat, default=None)):>8}"
              f"{fmt(percentile(kpi, 95)):>9}{fmt(percentile(opens, 95)):>9}"
              f"{fmt(p50 / ref50 if ref50 else None):>7}{fmt(p95 / ref95 if ref95 else None):>7}"
              f"{len(lv.errors):>8}  {fmt(lv.rss_before, '.0f')}/{fmt(lv.rss_peak, '.0f')}/"
              f"{fmt(lv.rss_closed, '.0f')}/{fmt(lv.rss_settled, '.0f')}")
    print("(x p50, x p95: ratio to the 1-session run; 'bare': a one-slider Streamlit script, the "
          "floor Streamlit sets; KPI: change to the 'Spent' card; open: first page load)")
    for lv in levels:
        unchanged = sum(u.unchanged for u in lv.users)
        if unchanged:
            print(f"N={lv.sessions}: {unchanged} move(s) left the 'Spent' card unchanged")
        distinct: dict[str, int] = {}
        for e in lv.errors:  # one line per kind of error: error ids and numbers masked
            e = re.sub(r"error id \w+", "error id …", e)
            distinct[e] = distinct.get(e, 0) + 1
        for e, count in list(distinct.items())[:5]:
            print(f"N={lv.sessions} error x{count}: {e}")
    target = next((lv for lv in levels if lv.sessions == TARGET_SESSIONS), None)
    if target is not None:
        p95 = percentile(target.latencies, 95)
        ok = p95 < TARGET_P95_S and not target.errors
        print(f"target: {TARGET_SESSIONS} sessions, p95 < {TARGET_P95_S:g} s, no errors -> "
              f"p95 {fmt(p95)} s, {len(target.errors)} errors: {'met' if ok else 'MISSED'}"
              + ("" if ok or p95 < TARGET_P95_S else f" by {p95 - TARGET_P95_S:.2f} s"))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--moves", type=int, default=10, help="slider moves per session")
    parser.add_argument("--think", type=float, nargs=2, default=[1.0, 3.0], metavar=("MIN", "MAX"),
                        help="think time between moves, uniform, seconds")
    parser.add_argument("--max-seconds", type=float, default=180.0,
                        help="no new move starts after this long in one level")
    parser.add_argument("--timeout", type=float, default=60.0, help="a move without a result "
                        "after this many seconds is an error and ends that session")
    parser.add_argument("--settle", type=float, default=30.0,
                        help="seconds to wait after sessions close before reading memory again")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--uncached", action="store_true",
                        help="also move the electricity price: (nearly) every move a fresh solve")
    parser.add_argument("--url", help="a running server (127.0.0.1 only) instead of starting one")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, for its memory")
    parser.add_argument("--app", type=Path, help="another entry point to start (default: the app)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="environment for the started server (repeatable)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Streamlit reference")
    parser.add_argument("--browser", action="store_true", help="Playwright contexts in chromium")
    args = parser.parse_args(argv)
    if args.url and urllib.parse.urlparse(args.url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("--url must point at 127.0.0.1")
    if args.browser and not Path(CHROMIUM).exists():
        parser.error(f"--browser needs {CHROMIUM}")
    if args.think[0] < 0 or args.think[1] < args.think[0]:
        parser.error("--think MIN MAX with 0 <= MIN <= MAX")
    args.sessions = [1] + [n for n in args.sessions if n != 1]  # the reference runs first
    args.page = PAGE
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    env = dict(kv.split("=", 1) for kv in args.env)
    with ExitStack() as stack:
        if args.url:
            url, pid = args.url.rstrip("/"), args.pid
        else:
            app = args.app.resolve() if args.app else None
            url, proc, _ = stack.enter_context(running_app(env=env, script=app))
            pid = proc.pid
        idle = RssSampler(pid).now()
        print(f"server {url}, idle RSS {fmt(idle, '.0f')} MB", file=sys.stderr)
        levels = []
        for n in args.sessions:
            levels.append(run_level(url, pid, n, args))
            lv = levels[-1]
            print(f"N={n}: {len(lv.latencies)} moves in {lv.wall_s:.0f} s, p95 "
                  f"{fmt(percentile(lv.latencies, 95))} s, {len(lv.errors)} errors", file=sys.stderr)
    bare = None
    if not args.no_bare and not args.browser:
        with tempfile.TemporaryDirectory() as tmp, running_app(script=_bare(tmp)) as (burl, bproc, _):
            bare_args = argparse.Namespace(**{**vars(args), "settle": 0, "page": ""})
            bare = run_level(burl, bproc.pid, 1, bare_args)
    print(f"server idle RSS {fmt(idle, '.0f')} MB (before any session)")
    report(levels, bare, args)
    return 0


def _bare(tmp: str) -> Path:
    path = Path(tmp) / "bare.py"
    path.write_text(BARE_APP)
    return path


if __name__ == "__main__":
    sys.exit(main())
