"""Start the app on a free local port in a subprocess, for the browser tests and benchmarks;
Debian's chromium and its launch flags; a server's resident memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the system picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(env: dict[str, str] | None = None, timeout_s: float = 60.0,
                script: Path | None = None):
    """Yield ``(url, process, seconds_to_healthy)`` of a fresh server; stop it afterwards.

    ``script`` runs another Streamlit script instead of the app (a benchmark reference).
    The server's store is the caller's ``GREENPRINT_DATA_DIR`` (the tests set one per
    test), else a temporary folder removed afterwards: never the repository's.
    """
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script or ROOT / "dashboard" / "app.py"),
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    env = {**os.environ, **(env or {})}
    scratch = None
    if not env.get("GREENPRINT_DATA_DIR"):
        scratch = tempfile.TemporaryDirectory(prefix="greenprint-data-")
        env["GREENPRINT_DATA_DIR"] = scratch.name
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the app exited: {proc.stderr.read()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - start > timeout_s:
                raise TimeoutError(f"the app did not answer on {url} within {timeout_s} s")
            time.sleep(0.05)
        yield url, proc, time.perf_counter() - start
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if scratch is not None:
            scratch.cleanup()


@contextmanager
def chromium():
    """Yield Debian's chromium, headless, under Playwright's sync API; close it afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _status_kb(pid: int, fields: tuple[str, ...]) -> dict[str, int]:
    """Fields of /proc/<pid>/status (kB) summed over the process and its children."""
    total = dict.fromkeys(fields, 0)
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in total:
                total[name] += int(value.split()[0])
    return total


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    return _status_kb(pid, ("VmRSS",))["VmRSS"] / 1024


def rss_parts_mb(pid: int) -> tuple[float, float]:
    """(anonymous, file-backed) resident memory of a process and its children, in MB: the
    heap (Python objects, arrays) and the mapped files (mostly shared libraries' code, which
    every process using the same files shares through the page cache)."""
    kb = _status_kb(pid, ("RssAnon", "RssFile", "RssShmem"))
    return kb["RssAnon"] / 1024, (kb["RssFile"] + kb["RssShmem"]) / 1024
